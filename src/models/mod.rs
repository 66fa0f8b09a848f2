//! Knowledge as data: what archlint knows about frameworks and libraries, and what users tell it
//! about their own code, in one place that every rule and both taint views ask.
//!
//! Built-in knowledge lives in `models/<library>.toml` at the top of the repository (compiled in
//! like `rules/`); users add entries of the same form in `archlint.toml` (`[[models.sources]]`,
//! `[[models.sinks]]`, `[[models.sanitizers]]`, `[[models.propagators]]`), and both count the
//! same. A rule asks "is this call a SQL sink, which argument?" ([`Knowledge::sinks`]); the taint
//! views ask whether a call's result is request data, safe for a kind of sink, or carries its
//! arguments. Names are matched after the front-end resolved them through imports and `use`.
//!
//! This module knows nothing of rules or front-ends: a front-end describes a call as a
//! [`CallName`] and gets the entries that match it.

pub mod spec;

use foldhash::{HashMap, HashMapExt, HashSet};
use serde::{Deserialize, Serialize};
use spec::{
    BlockingSpec, CalleeSpec, ClientSpec, ConnectionSpec, HasherSpec, KeySpec, LimiterSpec, LoggerSpec, ModelFile, PackageSpec,
    PropagatorSpec, SanitizerSpec, Sections, SinkSpec, SourceSpec, UserModels,
};
pub use spec::{BodyLimitSpec, CacheSpec, Capability, GraphqlSpec, KdfAlgorithm, KdfSpec, ServerSpec, TokenRole, TokenSpec};
use std::sync::OnceLock;

mod sources {
    include!(concat!(env!("OUT_DIR"), "/model_sources.rs"));
}

/// `(file stem, contents)` of every built-in model file.
pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
    sources::MODEL_SOURCES
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Rust,
    /// TypeScript and JavaScript.
    Typescript,
}

impl Language {
    pub fn name(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Typescript => "typescript",
        }
    }

    /// What separates the segments of a name: `fs::read`, `child_process.exec`.
    fn separator(self) -> &'static str {
        match self {
            Language::Rust => "::",
            Language::Typescript => ".",
        }
    }
}

/// What a sink does with what it is given. One vocabulary for built-in and user models, rules
/// and summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SinkKind {
    /// SQL text (`sql-injection`).
    Sql,
    /// A NoSQL query filter (`nosql-injection`).
    Nosql,
    /// A shell command line, or the program to run (`command-injection`).
    Shell,
    /// A file-system path (`path-traversal`).
    Path,
    /// The URL of an outbound request (`ssrf`).
    Url,
    /// A redirect target (`open-redirect`).
    Redirect,
    /// Code to evaluate (`code-injection`).
    Code,
}

impl SinkKind {
    pub const ALL: [SinkKind; 7] =
        [SinkKind::Sql, SinkKind::Nosql, SinkKind::Shell, SinkKind::Path, SinkKind::Url, SinkKind::Redirect, SinkKind::Code];

    pub fn name(self) -> &'static str {
        match self {
            SinkKind::Sql => "sql",
            SinkKind::Nosql => "nosql",
            SinkKind::Shell => "shell",
            SinkKind::Path => "path",
            SinkKind::Url => "url",
            SinkKind::Redirect => "redirect",
            SinkKind::Code => "code",
        }
    }

    /// The rule that reports request data reaching a sink of this kind.
    pub fn rule(self) -> &'static str {
        match self {
            SinkKind::Sql => "sql-injection",
            SinkKind::Nosql => "nosql-injection",
            SinkKind::Shell => "command-injection",
            SinkKind::Path => "path-traversal",
            SinkKind::Url => "ssrf",
            SinkKind::Redirect => "open-redirect",
            SinkKind::Code => "code-injection",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// What a connection entry connects to: it decides what opening one per request costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConnectionKind {
    /// A database connection or pool.
    Database,
    /// A cache or key-value store (Redis).
    Cache,
    /// An HTTP client or connection agent.
    Http,
    /// A message broker.
    Broker,
}

impl ConnectionKind {
    pub fn name(self) -> &'static str {
        match self {
            ConnectionKind::Database => "database",
            ConnectionKind::Cache => "cache",
            ConnectionKind::Http => "http",
            ConnectionKind::Broker => "broker",
        }
    }
}

/// A set of sink kinds (a sanitiser's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kinds(u8);

impl Kinds {
    pub const ALL: Kinds = Kinds(0x7f);

    pub fn contains(self, kind: SinkKind) -> bool {
        self.0 & kind.bit() != 0
    }

    pub fn is_all(self) -> bool {
        self == Kinds::ALL
    }

    pub fn iter(self) -> impl Iterator<Item = SinkKind> {
        SinkKind::ALL.into_iter().filter(move |k| self.contains(*k))
    }
}

/// Where an entry came from: a built-in model file, or the user's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "from", content = "name")]
pub enum Provenance {
    /// `models/<name>.toml`.
    BuiltIn(String),
    /// `[models]` in this configuration file.
    Config(String),
}

impl std::fmt::Display for Provenance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Provenance::BuiltIn(name) => write!(f, "models/{name}.toml"),
            Provenance::Config(path) => f.write_str(path),
        }
    }
}

/// How an entry names the calls it is about.
#[derive(Debug, Clone)]
pub struct Callee {
    /// As written (for listings and messages): `child_process.exec`, `*.query`, `Store::run_sql`.
    pub written: String,
    form: Form,
    /// The import the callee must come from.
    module: Option<String>,
}

#[derive(Debug, Clone)]
enum Form {
    /// A built-in TypeScript name: the whole import-resolved qualified name; `imported` when it
    /// is under a module, whose import the call's name must come through.
    Exact { name: String, imported: bool },
    /// A method of any receiver.
    Method(String),
    /// Segments matched against the end of the resolved name (Rust paths, users' names); for a
    /// method call, the last segment is the method and the one before it the receiver's type or
    /// name.
    Suffix(Vec<String>),
}

/// A call as a front-end describes it, for matching against the entries.
#[derive(Debug, Clone, Copy)]
pub struct CallName<'s> {
    /// The callee's name after import resolution, by segment: `["child_process", "exec"]`,
    /// `["body", "reqBody"]` (an import from `./http/body`), `["http", "body", "read_body"]`
    /// (`crate::http::body::read_body`), `["this", "store", "runSql"]`.
    pub segments: &'s [String],
    /// The whole qualified name as the TypeScript model writes it (`child_process.exec`), for
    /// built-in names.
    pub qualified: Option<&'s str>,
    /// `receiver.method(..)`: the method's name.
    pub method: Option<&'s str>,
    /// For a method call: what the receiver is called or declared as (`store`, `Store`), for
    /// `Type::method` entries.
    pub receiver: &'s [String],
    /// The import specifier or module path the name was resolved through, when it was.
    pub module: Option<&'s str>,
    /// Every import specifier or `use` path of the file (for module-bound entries matched by
    /// method, where the receiver's origin is not known).
    pub file_imports: &'s [String],
    /// Whether a name under a module counts without an import it came through. Sanitisers and
    /// propagators are looked up this way (`path.basename` makes a value safe whoever provides
    /// `path`); sinks and clients are not (a parameter called `request` is not the package).
    pub unimported_modules: bool,
}

/// The parts of a [`CallName`] a front-end keeps (per call node, computed once).
#[derive(Debug, Clone, Default)]
pub struct CallParts {
    pub segments: Vec<String>,
    pub qualified: Option<String>,
    pub method: Option<String>,
    pub receiver: Vec<String>,
    pub module: Option<String>,
}

impl CallParts {
    pub fn name<'s>(&'s self, file_imports: &'s [String]) -> CallName<'s> {
        CallName {
            segments: &self.segments,
            qualified: self.qualified.as_deref(),
            method: self.method.as_deref(),
            receiver: &self.receiver,
            module: self.module.as_deref(),
            file_imports,
            unimported_modules: false,
        }
    }
}

impl Callee {
    /// The entry as `archlint models` shows it: the name, and the module it must come from.
    pub fn shown(&self) -> String {
        match &self.module {
            Some(module) => format!("{} from `{module}`", self.written),
            None => self.written.clone(),
        }
    }

    /// The name the entry matches a call by: a method, or a path's last segment.
    fn last_name(&self) -> Option<&str> {
        match &self.form {
            Form::Method(name) => Some(name),
            Form::Suffix(segments) => segments.last().map(String::as_str),
            Form::Exact { name, .. } => name.rsplit('.').next(),
        }
    }

    /// Whether the entry's function comes from this import: a built-in name under it
    /// (`jsonwebtoken.decode` from `jsonwebtoken`), or the entry's `module`.
    fn comes_from(&self, import: &str, language: Language) -> bool {
        match (&self.form, &self.module) {
            (_, Some(module)) => module_matches(import, module, language),
            (Form::Exact { name, imported: true }, None) => {
                name.strip_prefix(import).is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            }
            _ => false,
        }
    }

    /// Whether the entry names a method of any receiver (`*.parse`) rather than a function.
    pub fn is_method(&self) -> bool {
        matches!(self.form, Form::Method(_))
    }

    fn matches(&self, call: &CallName<'_>, language: Language) -> bool {
        match &self.form {
            // A name under a module must have been resolved through an import: a parameter that
            // happens to be called `request` or `fs` is not the package.
            Form::Exact { name, imported } => {
                call.qualified == Some(name.as_str()) && (!imported || call.module.is_some() || call.unimported_modules)
            }
            Form::Method(name) => call.method == Some(name.as_str()) && self.module_ok(call, language),
            Form::Suffix(segments) => {
                let (last, types) = segments.split_last().expect("a pattern has a segment");
                let by_name =
                    call.segments.len() >= segments.len()
                        && call.segments[call.segments.len() - segments.len()..]
                            .iter()
                            .zip(segments)
                            .enumerate()
                            .all(|(i, (have, want))| if i + 1 == segments.len() { have == want } else { have.eq_ignore_ascii_case(want) });
                if by_name {
                    return self.module_ok(call, language);
                }
                // `store.run_sql(q)` for `Store::run_sql`: the method of a receiver declared as that
                // type or named like it (`store`, `self.user_store`). Only for a type (capitalised):
                // `fs::read` is a module's function, never a method.
                let by_method = call.method == Some(last.as_str())
                    && match types.last() {
                        None => true,
                        Some(ty) if ty.starts_with(|c: char| c.is_ascii_uppercase()) => {
                            let ty = ty.to_ascii_lowercase();
                            call.receiver.iter().any(|r| r.to_ascii_lowercase().contains(&ty))
                        }
                        Some(_) => false,
                    };
                by_method && self.module_ok(call, language)
            }
        }
    }

    fn module_ok(&self, call: &CallName<'_>, language: Language) -> bool {
        let Some(module) = &self.module else { return true };
        match call.module {
            Some(resolved) => module_matches(resolved, module, language),
            None => call.file_imports.iter().any(|import| module_matches(import, module, language)),
        }
    }
}

/// The language and module of an entry that names a module (`[[limiters]]`, `[[packages]]`):
/// the entry's own language or its file's, and a module path without spaces.
fn module_entry(
    language: Option<&toml::Spanned<Language>>,
    module: &toml::Spanned<String>,
    context: &FileContext<'_>,
    entry: &str,
) -> Result<(Language, String), ModelError> {
    let language = match (language, context.language) {
        (Some(language), _) => *language.get_ref(),
        (None, Some(language)) => language,
        (None, None) => {
            return Err(ModelError::at("every `[[models.*]]` entry needs `language` (\"rust\" or \"typescript\")", Some(module.span())))
        }
    };
    let name = module.get_ref().trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(ModelError::at(format!("bad {entry} module `{name}`: expected an import path or a crate path"), Some(module.span())));
    }
    Ok((language, name.to_string()))
}

/// Whether an import specifier or module path is the module an entry names: equal, or (for
/// relative paths and module paths) ending with its components: `../../http/body` is
/// `./http/body`, `crate::db::store` is `db::store`.
pub fn module_matches(resolved: &str, module: &str, language: Language) -> bool {
    let components = |text: &str| -> Vec<String> {
        let text = text.strip_prefix("node:").unwrap_or(text);
        match language {
            Language::Typescript => text
                .split('/')
                .filter(|c| !c.is_empty() && *c != "." && *c != "..")
                .map(|c| {
                    let c = c
                        .rsplit_once('.')
                        .filter(|(_, ext)| matches!(*ext, "js" | "ts" | "mjs" | "cjs" | "jsx" | "tsx"))
                        .map_or(c, |(stem, _)| stem);
                    c.to_string()
                })
                .collect(),
            Language::Rust => {
                text.split("::").filter(|c| !c.is_empty() && !matches!(*c, "crate" | "self" | "super")).map(str::to_string).collect()
            }
        }
    };
    let want = components(module);
    let have = components(resolved);
    if want.is_empty() {
        return false;
    }
    match language {
        // A package is named whole; a relative import by its last components.
        Language::Typescript if module.starts_with('.') => have.ends_with(&want),
        Language::Typescript => have == want,
        // `crate::http::body::read_body` comes from `http::body` (the path includes the item).
        Language::Rust => have.windows(want.len()).any(|w| w == want.as_slice()),
    }
}

#[derive(Debug, Clone)]
pub struct Sink {
    pub callee: Callee,
    pub kind: SinkKind,
    /// The arguments (0-based) that must not carry request data.
    pub arguments: Vec<usize>,
    pub when_option: Option<String>,
    pub unless_option: Option<String>,
    /// `false`: the rule checks that the argument reads as its kind (SQL text).
    pub certain: bool,
    /// A fragment of the kind (a SQL condition) rather than a whole statement.
    pub fragment: bool,
    /// How values are bound, by the module the file imports (see [`Placeholder`]).
    pub placeholders: std::collections::BTreeMap<String, Placeholder>,
    pub from: Provenance,
}

/// How a SQL function marks the values bound to a statement, given as the argument after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Placeholder {
    /// `$1`, `$2`, … (node-postgres).
    #[serde(rename = "$1")]
    Numbered,
    /// `?` for each value in order (mysql, mysql2).
    #[serde(rename = "?")]
    Positional,
}

#[derive(Debug, Clone)]
pub struct Sanitizer {
    pub callee: Callee,
    pub kinds: Kinds,
    pub from: Provenance,
}

impl Sanitizer {
    /// Whether its result is safe for a sink of `kind` (for `None`, for every kind).
    pub fn makes_safe(&self, kind: Option<SinkKind>) -> bool {
        match kind {
            Some(kind) => self.kinds.contains(kind),
            None => self.kinds.is_all(),
        }
    }
}

/// An HTTP client call that sends a request, and how a timeout is set on it.
#[derive(Debug, Clone)]
pub struct Client {
    pub callee: Callee,
    pub timeout_options: Vec<String>,
    pub options_argument: Option<usize>,
    pub timeout_methods: Vec<String>,
    pub message: String,
    pub help: String,
    /// Reported as a note (the library gives up eventually), not at the rule's level.
    pub note: bool,
    pub browser: bool,
    /// The call starts a builder whose `timeout_methods` bound its requests.
    pub builder: bool,
    pub connect_timeout_methods: Vec<String>,
    /// The client as messages name it (`reqwest client`).
    pub what: String,
    /// TypeScript: the option `--fix` adds to the request's options, with `{ms}` for the
    /// timeout (`signal: AbortSignal.timeout({ms})`).
    pub fix_option: Option<String>,
    pub from: Provenance,
}

/// A call that opens a long-lived connection, pool or client.
#[derive(Debug, Clone)]
pub struct Connection {
    pub callee: Callee,
    /// What the call makes, for messages.
    pub what: String,
    pub kind: ConnectionKind,
    /// Options that set the connection's timeouts, where `0` turns one off.
    pub timeout_options: Vec<String>,
    /// An option the call must set, or the client waits forever for a connection.
    pub required_timeout: Option<String>,
    pub from: Provenance,
}

/// A call that writes a log line.
#[derive(Debug, Clone)]
pub struct Logger {
    pub callee: Callee,
    pub from: Provenance,
}

/// A call that hashes a password.
#[derive(Debug, Clone)]
pub struct Hasher {
    pub callee: Callee,
    pub from: Provenance,
}

/// A password hashing or key derivation call: its family, and where its parameters are (the
/// entry as written, see [`KdfSpec`]).
#[derive(Debug, Clone)]
pub struct Kdf {
    pub callee: Callee,
    pub algorithm: KdfAlgorithm,
    pub parameters: KdfSpec,
    pub from: Provenance,
}

/// A JWT library call: what it does with a token, and where its parts are (the entry as
/// written, see [`TokenSpec`]).
#[derive(Debug, Clone)]
pub struct Token {
    pub callee: Callee,
    pub role: TokenRole,
    pub parameters: TokenSpec,
    pub from: Provenance,
}

impl Token {
    /// How messages name the call.
    pub fn shown(&self) -> &str {
        self.parameters.shown.as_deref().unwrap_or(&self.callee.written)
    }
}

/// A GraphQL server or IDE page (the entry as written, see [`GraphqlSpec`]).
#[derive(Debug, Clone)]
pub struct Graphql {
    pub callee: Callee,
    pub parameters: GraphqlSpec,
    pub from: Provenance,
}

/// A call that makes an in-process cache (the entry as written, see [`CacheSpec`]).
#[derive(Debug, Clone)]
pub struct Cache {
    pub callee: Callee,
    pub parameters: CacheSpec,
    pub from: Provenance,
}

/// A call that sets how large a request body the server buffers (the entry as written, see
/// [`BodyLimitSpec`]).
#[derive(Debug, Clone)]
pub struct BodyLimit {
    pub callee: Callee,
    pub parameters: BodyLimitSpec,
    pub from: Provenance,
}

/// A call that makes an HTTP app or server (TypeScript) or starts serving (Rust).
#[derive(Debug, Clone)]
pub struct Server {
    pub callee: Callee,
    /// The framework, as messages name it.
    pub framework: String,
    pub drains_by_default: bool,
    pub from: Provenance,
}

/// A call that takes secret key material.
#[derive(Debug, Clone)]
pub struct Key {
    pub callee: Callee,
    /// What the key is, for messages.
    pub what: String,
    pub holder: KeyHolder,
    pub from: Provenance,
}

/// Where a call takes its key.
#[derive(Debug, Clone)]
pub enum KeyHolder {
    Argument(usize),
    /// A property of the options object at this argument.
    Option {
        name: String,
        argument: usize,
    },
}

/// A call that blocks the thread it runs on.
#[derive(Debug, Clone)]
pub struct Blocking {
    pub callee: Callee,
    /// What to call instead, for the finding's help.
    pub instead: Option<String>,
    pub from: Provenance,
}

#[derive(Debug, Clone)]
pub struct Propagator {
    pub callee: Callee,
    pub from: Provenance,
}

/// A call whose result is request data.
#[derive(Debug, Clone)]
pub struct SourceCall {
    pub callee: Callee,
    pub from: Provenance,
}

/// Members and getters of a framework's request object (by role) that hold request data.
#[derive(Debug, Clone)]
pub struct SourceObject {
    /// `request`, `koa-context`.
    pub role: String,
    pub members: Vec<String>,
    pub getters: Vec<String>,
    /// Rust: the request object types (`HttpRequest`, `Parts`).
    pub types: Vec<String>,
    /// Rust: the type names are the framework's own, so they count outside handlers too.
    pub anywhere: bool,
    pub from: Provenance,
}

/// TypeScript parameter decorators whose parameter is request data.
#[derive(Debug, Clone)]
pub struct SourceDecorators {
    pub names: Vec<String>,
    /// See `schema-typed` in the source spec: numbers and booleans are checked before the handler.
    pub schema_typed: bool,
    pub from: Provenance,
}

/// The request objects a framework hands its handlers, by role: the front-ends decide which
/// parameter plays which role (by the framework's conventions), the models say which of its
/// members and getters hold request data.
pub const REQUEST_ROLES: &[&str] = &[
    // Express and Fastify requests; Rust `HttpRequest`, `Parts`, tonic and lambda_http requests.
    "request",
    // Koa's `ctx` (and `ctx.request`).
    "koa-context",
    // Hono's `c` (`c.req.query()`).
    "hono-context",
    // The Fetch API's `Request` (Next.js route handlers and middleware, `NextRequest`).
    "fetch-request",
    // The second argument of a Next.js route handler (`{ params }`).
    "next-route-context",
    // An AWS Lambda event from API Gateway, an ALB or a function URL.
    "lambda-event",
    // A `@grpc/grpc-js` call (`call.request`).
    "grpc-call",
    // The options a tRPC procedure's resolver gets (`{ input }`).
    "trpc-options",
];

/// Rust frameworks whose handlers the extractor lists are for.
pub const RUST_FRAMEWORKS: &[&str] = &["axum", "actix-web", "rocket", "poem", "tonic", "graphql", "lambda", "hyper", "warp"];

/// Rust handler parameter types whose value is request data.
#[derive(Debug, Clone)]
pub struct SourceExtractors {
    pub names: Vec<String>,
    /// `rocket`, `axum`, `actix-web`, or every framework.
    pub framework: Option<String>,
    /// The crate or module the extractors come from, when they are named by it.
    pub module: Option<String>,
    /// The extractors validate what they extract.
    pub validated: bool,
    pub from: Provenance,
}

/// Entries of one kind, indexed by the name they match so that a call costs a hash lookup.
#[derive(Debug, Clone)]
struct Table<T> {
    entries: Vec<T>,
    exact: HashMap<String, Vec<usize>>,
    methods: HashMap<String, Vec<usize>>,
    /// Entries matched by segments, by their last segment (a call's last name segment or its
    /// method).
    by_last: HashMap<String, Vec<usize>>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table { entries: Vec::new(), exact: HashMap::new(), methods: HashMap::new(), by_last: HashMap::new() }
    }
}

trait HasCallee {
    fn callee(&self) -> &Callee;
}

macro_rules! has_callee {
    ($($t:ty),*) => { $(impl HasCallee for $t { fn callee(&self) -> &Callee { &self.callee } })* };
}
has_callee!(
    Sink, Sanitizer, Propagator, SourceCall, Client, Connection, Logger, Hasher, Blocking, Key, Kdf, Token, Server, BodyLimit, Cache,
    Graphql
);

impl<T: HasCallee> Table<T> {
    fn push(&mut self, entry: T) {
        let index = self.entries.len();
        match &entry.callee().form {
            Form::Exact { name, .. } => self.exact.entry(name.clone()).or_default().push(index),
            Form::Method(name) => self.methods.entry(name.clone()).or_default().push(index),
            Form::Suffix(segments) => {
                let last = segments.last().expect("a pattern has a segment");
                self.by_last.entry(last.clone()).or_default().push(index);
            }
        }
        self.entries.push(entry);
    }

    fn matching<'a, 'c>(&'a self, call: &'c CallName<'c>, language: Language) -> impl Iterator<Item = &'a T> + 'c
    where
        'a: 'c,
    {
        let exact = call.qualified.and_then(|q| self.exact.get(q)).map_or(&[][..], Vec::as_slice);
        let methods = call.method.and_then(|m| self.methods.get(m)).map_or(&[][..], Vec::as_slice);
        let by_name = call.segments.last().and_then(|last| self.by_last.get(last)).map_or(&[][..], Vec::as_slice);
        // A method call's name segments end with the method too: each entry once.
        let by_method = call
            .method
            .filter(|m| call.segments.last().map(String::as_str) != Some(*m))
            .and_then(|m| self.by_last.get(m))
            .map_or(&[][..], Vec::as_slice);
        exact
            .iter()
            .chain(methods)
            .chain(by_name)
            .chain(by_method)
            .map(|&index| &self.entries[index])
            .filter(move |entry| entry.callee().matches(call, language))
    }
}

/// Everything known for one language.
#[derive(Debug, Default, Clone)]
struct LanguageKnowledge {
    sinks: Table<Sink>,
    sanitizers: Table<Sanitizer>,
    propagators: Table<Propagator>,
    clients: Table<Client>,
    connections: Table<Connection>,
    loggers: Table<Logger>,
    hashers: Table<Hasher>,
    blocking: Table<Blocking>,
    keys: Table<Key>,
    kdfs: Table<Kdf>,
    tokens: Table<Token>,
    servers: Table<Server>,
    body_limits: Table<BodyLimit>,
    caches: Table<Cache>,
    graphql: Table<Graphql>,
    /// Rate limiters: the modules (crates, paths) whose import means requests are limited.
    limiters: Vec<(String, Provenance)>,
    /// Packages and what their use provides.
    packages: Vec<(String, Vec<Capability>, Provenance)>,
    source_calls: Table<SourceCall>,
    source_objects: Vec<SourceObject>,
    extractors: Vec<SourceExtractors>,
    decorators: Vec<SourceDecorators>,
    /// Every method name and last name segment some entry matches by, for [`Knowledge::may_match`].
    names: HashSet<String>,
    /// The first segments of global names entries match whole (`fetch`, `eval`, `console`).
    global_roots: HashSet<String>,
}

impl LanguageKnowledge {
    /// Records the names these callees match by (a method, a path's last segment).
    fn remember(&mut self, callees: &[Callee]) {
        for callee in callees {
            match &callee.form {
                Form::Method(name) => self.names.insert(name.clone()),
                Form::Suffix(segments) => self.names.insert(segments.last().expect("a pattern has a segment").clone()),
                Form::Exact { name, imported: false } => self.global_roots.insert(name.split('.').next().unwrap_or(name).to_string()),
                Form::Exact { .. } => false,
            };
        }
    }
}

/// A model file's description, for `archlint models`.
#[derive(Debug, Clone, Serialize)]
pub struct ModelInfo {
    pub name: String,
    pub language: Language,
    pub modules: Vec<String>,
    pub docs: Option<String>,
    pub from: Provenance,
}

/// All knowledge in force for a scan: the built-in models and the configuration's.
#[derive(Debug, Default, Clone)]
pub struct Knowledge {
    pub models: Vec<ModelInfo>,
    rust: LanguageKnowledge,
    typescript: LanguageKnowledge,
}

/// A mistake in a model entry: what is wrong, and where in the text (byte span) when known.
#[derive(Debug)]
pub struct ModelError {
    pub message: String,
    pub span: Option<std::ops::Range<usize>>,
}

impl ModelError {
    fn at(message: impl Into<String>, span: Option<std::ops::Range<usize>>) -> ModelError {
        ModelError { message: message.into(), span }
    }

    /// `origin:line: message`, the line counted in `text`.
    pub fn render(&self, origin: &str, text: &str) -> String {
        match &self.span {
            Some(span) => {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                format!("{origin}:{line}: {}", self.message)
            }
            None => format!("{origin}: {}", self.message),
        }
    }
}

impl Knowledge {
    /// The built-in models alone, read once.
    pub fn builtin() -> &'static Knowledge {
        static BUILTIN: OnceLock<Knowledge> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            let mut knowledge = Knowledge::default();
            for (stem, text) in builtin_files() {
                if let Err(error) = knowledge.add_file(stem, text) {
                    // A test reads every model file: this is a bug in archlint, never a user's mistake.
                    panic!("{}", error.render(&format!("models/{stem}.toml"), text));
                }
            }
            knowledge
        })
    }

    /// The built-in models and the user's, from the configuration file at `origin`.
    pub fn with_user(user: &UserModels, origin: &str) -> Result<Knowledge, ModelError> {
        let mut knowledge = Knowledge::builtin().clone();
        knowledge.add_user(user, origin)?;
        Ok(knowledge)
    }

    /// Reads one model file into the knowledge.
    pub fn add_file(&mut self, stem: &str, text: &str) -> Result<(), ModelError> {
        let mut file: ModelFile = toml::from_str(text).map_err(|e| ModelError::at(e.message().to_string(), e.span()))?;
        if file.name.is_empty() {
            return Err(ModelError::at("`name` is empty", None));
        }
        let from = Provenance::BuiltIn(stem.to_string());
        let language = file.language;
        let sections = file.take_sections();
        let context = FileContext { language: Some(language), modules: &file.modules, builtin: true };
        self.add_sections(&sections, &context, &from)?;
        let modules = if language == Language::Rust { file.crates.clone() } else { file.modules.clone() };
        self.models.push(ModelInfo { name: file.name.clone(), language, modules, docs: file.docs.clone(), from });
        Ok(())
    }

    /// Adds the entries of `[models]` in a configuration file.
    pub fn add_user(&mut self, user: &UserModels, origin: &str) -> Result<(), ModelError> {
        if user.is_empty() {
            return Ok(());
        }
        let from = Provenance::Config(origin.to_string());
        let context = FileContext { language: None, modules: &[], builtin: false };
        self.add_sections(user, &context, &from)?;
        Ok(())
    }

    /// Every entry of a model file's or a configuration's sections.
    fn add_sections(&mut self, sections: &Sections, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        for source in &sections.sources {
            self.add_source(source, context, from)?;
        }
        for sink in &sections.sinks {
            self.add_sink(sink, context, from)?;
        }
        for sanitizer in &sections.sanitizers {
            self.add_sanitizer(sanitizer, context, from)?;
        }
        for propagator in &sections.propagators {
            self.add_propagator(propagator, context, from)?;
        }
        for client in &sections.clients {
            self.add_client(client, context, from)?;
        }
        for logger in &sections.loggers {
            self.add_logger(logger, context, from)?;
        }
        for hasher in &sections.hashers {
            self.add_hasher(hasher, context, from)?;
        }
        for blocking in &sections.blocking {
            self.add_blocking(blocking, context, from)?;
        }
        for key in &sections.keys {
            self.add_key(key, context, from)?;
        }
        for kdf in &sections.kdfs {
            self.add_kdf(kdf, context, from)?;
        }
        for token in &sections.tokens {
            self.add_token(token, context, from)?;
        }
        for server in &sections.servers {
            self.add_server(server, context, from)?;
        }
        for limit in &sections.body_limits {
            self.add_body_limit(limit, context, from)?;
        }
        for cache in &sections.caches {
            self.add_cache(cache, context, from)?;
        }
        for graphql in &sections.graphql {
            self.add_graphql(graphql, context, from)?;
        }
        for connection in &sections.connections {
            self.add_connection(connection, context, from)?;
        }
        for limiter in &sections.limiters {
            self.add_limiter(limiter, context, from)?;
        }
        for package in &sections.packages {
            self.add_package(package, context, from)?;
        }
        Ok(())
    }

    fn language_mut(&mut self, language: Language) -> &mut LanguageKnowledge {
        match language {
            Language::Rust => &mut self.rust,
            Language::Typescript => &mut self.typescript,
        }
    }

    fn language(&self, language: Language) -> &LanguageKnowledge {
        match language {
            Language::Rust => &self.rust,
            Language::Typescript => &self.typescript,
        }
    }

    fn add_source(&mut self, spec: &SourceSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let callee = spec.callee();
        let language = context.language_of(&callee)?;
        let has_object = spec.object.is_some();
        let has_extractors = !spec.extractors.is_empty();
        let has_decorators = !spec.decorators.is_empty();
        let callees = context.callees(&callee, language)?;
        let forms = usize::from(has_object) + usize::from(has_extractors) + usize::from(has_decorators) + usize::from(!callees.is_empty());
        if forms != 1 {
            let span = callee.function.map(|f| f.span()).or(spec.object.as_ref().map(|o| o.span()));
            return Err(ModelError::at(
                "a source names calls (`function`, `functions`, `methods`), or a request `object` with `members`/`getters`, or TypeScript `decorators`, or Rust `extractors`: exactly one of them",
                span,
            ));
        }
        if spec.schema_typed && !has_decorators {
            return Err(ModelError::at("`schema-typed` describes `decorators`: a source without them has no schema", None));
        }
        let knowledge = self.language_mut(language);
        if has_decorators {
            if language != Language::Typescript {
                return Err(ModelError::at("`decorators` are TypeScript parameter decorators", None));
            }
            knowledge.decorators.push(SourceDecorators {
                names: spec.decorators.clone(),
                schema_typed: spec.schema_typed,
                from: from.clone(),
            });
        } else if let Some(object) = &spec.object {
            let role = object.get_ref();
            if !REQUEST_ROLES.contains(&role.as_str()) {
                return Err(ModelError::at(
                    format!("unknown request object `{role}` (expected one of {})", REQUEST_ROLES.join(", ")),
                    Some(object.span()),
                ));
            }
            if spec.members.is_empty() && spec.getters.is_empty() {
                return Err(ModelError::at("a request `object` needs `members` or `getters`", Some(object.span())));
            }
            knowledge.source_objects.push(SourceObject {
                role: role.clone(),
                members: spec.members.clone(),
                getters: spec.getters.clone(),
                types: spec.types.clone(),
                anywhere: spec.anywhere,
                from: from.clone(),
            });
        } else if has_extractors {
            if language != Language::Rust {
                return Err(ModelError::at("`extractors` are Rust handler parameter types", None));
            }
            if let Some(framework) = &spec.framework {
                if !RUST_FRAMEWORKS.contains(&framework.as_str()) {
                    return Err(ModelError::at(
                        format!("unknown framework `{framework}` (expected one of {})", RUST_FRAMEWORKS.join(", ")),
                        None,
                    ));
                }
            }
            if spec.validated && spec.module.is_none() {
                return Err(ModelError::at("`validated` extractors need the `module` they come from", None));
            }
            knowledge.extractors.push(SourceExtractors {
                names: spec.extractors.clone(),
                framework: spec.framework.clone(),
                module: spec.module.as_ref().map(|m| m.get_ref().clone()),
                validated: spec.validated,
                from: from.clone(),
            });
        } else {
            knowledge.remember(&callees);
            for callee in callees {
                knowledge.source_calls.push(SourceCall { callee, from: from.clone() });
            }
        }
        Ok(())
    }

    fn add_sink(&mut self, spec: &SinkSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let (language, callees) = context.named_calls(&spec.callee(), "a sink", Some(spec.kind.span()))?;
        let mut arguments = spec.arguments.clone();
        if let Some(argument) = spec.argument {
            arguments.insert(0, argument);
        }
        if arguments.is_empty() {
            arguments.push(0);
        }
        let knowledge = self.language_mut(language);
        knowledge.remember(&callees);
        for callee in callees {
            knowledge.sinks.push(Sink {
                callee,
                kind: *spec.kind.get_ref(),
                arguments: arguments.clone(),
                when_option: spec.when_option.clone(),
                unless_option: spec.unless_option.clone(),
                certain: spec.certain.unwrap_or(true),
                fragment: spec.fragment,
                placeholders: spec.placeholders.iter().map(|(module, style)| (module.clone(), *style.get_ref())).collect(),
                from: from.clone(),
            });
        }
        Ok(())
    }

    fn add_sanitizer(&mut self, spec: &SanitizerSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let (language, callees) = context.named_calls(&spec.callee(), "a sanitizer", None)?;
        let kinds = if spec.kinds.is_empty() { Kinds::ALL } else { Kinds(spec.kinds.iter().fold(0, |bits, k| bits | k.get_ref().bit())) };
        let knowledge = self.language_mut(language);
        knowledge.remember(&callees);
        for callee in callees {
            knowledge.sanitizers.push(Sanitizer { callee, kinds, from: from.clone() });
        }
        Ok(())
    }

    fn add_propagator(&mut self, spec: &PropagatorSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        self.add_plain_calls(
            &spec.callee(),
            context,
            "a propagator",
            |k| &mut k.propagators,
            |callee| Propagator { callee, from: from.clone() },
        )
    }

    /// Entries that are the calls they name and little more (propagators, loggers, hashers,
    /// blocking calls).
    fn add_plain_calls<T: HasCallee>(
        &mut self,
        spec: &CalleeSpec<'_>,
        context: &FileContext<'_>,
        what: &str,
        table: impl Fn(&mut LanguageKnowledge) -> &mut Table<T>,
        entry: impl Fn(Callee) -> T,
    ) -> Result<(), ModelError> {
        let (language, callees) = context.named_calls(spec, what, None)?;
        let knowledge = self.language_mut(language);
        knowledge.remember(&callees);
        for callee in callees {
            table(knowledge).push(entry(callee));
        }
        Ok(())
    }

    fn add_client(&mut self, spec: &ClientSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let (language, callees) = context.named_calls(&spec.callee(), "a client", None)?;
        if spec.timeout_options.is_empty() && spec.timeout_methods.is_empty() {
            return Err(ModelError::at("a client needs `timeout-options` or `timeout-methods`: how its timeout is set", None));
        }
        let note = match spec.level.as_deref() {
            None | Some("warning") => false,
            Some("note") => true,
            Some(other) => return Err(ModelError::at(format!("a client's `level` is `note` or `warning`, not `{other}`"), None)),
        };
        if let Some(fix) = &spec.fix_option {
            if language != Language::Typescript || !fix.get_ref().contains("{ms}") {
                return Err(ModelError::at(
                    "a client's `fix-option` is a TypeScript option with `{ms}` where the timeout goes",
                    Some(fix.span()),
                ));
            }
        }
        let knowledge = self.language_mut(language);
        knowledge.remember(&callees);
        for callee in callees {
            knowledge.clients.push(Client {
                callee,
                timeout_options: spec.timeout_options.clone(),
                options_argument: spec.options_argument,
                timeout_methods: spec.timeout_methods.clone(),
                message: spec.message.clone(),
                help: spec.help.clone(),
                note,
                browser: spec.browser,
                builder: spec.builder,
                connect_timeout_methods: spec.connect_timeout_methods.clone(),
                what: spec.what.clone().unwrap_or_else(|| "HTTP client".to_string()),
                fix_option: spec.fix_option.as_ref().map(|f| f.get_ref().clone()),
                from: from.clone(),
            });
        }
        Ok(())
    }

    fn add_connection(&mut self, spec: &ConnectionSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let (language, callees) = context.named_calls(&spec.callee(), "a connection", Some(spec.kind.span()))?;
        if spec.what.trim().is_empty() {
            return Err(ModelError::at("a connection's `what` (how messages name it) is empty", Some(spec.kind.span())));
        }
        let knowledge = self.language_mut(language);
        knowledge.remember(&callees);
        for callee in callees {
            knowledge.connections.push(Connection {
                callee,
                what: spec.what.clone(),
                kind: *spec.kind.get_ref(),
                timeout_options: spec.timeout_options.clone(),
                required_timeout: spec.required_timeout.clone(),
                from: from.clone(),
            });
        }
        Ok(())
    }

    fn add_logger(&mut self, spec: &LoggerSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        self.add_plain_calls(&spec.callee(), context, "a logger", |k| &mut k.loggers, |callee| Logger { callee, from: from.clone() })
    }

    fn add_blocking(&mut self, spec: &BlockingSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let instead = || spec.instead.clone();
        self.add_plain_calls(
            &spec.callee(),
            context,
            "a blocking call",
            |k| &mut k.blocking,
            |callee| Blocking { callee, instead: instead(), from: from.clone() },
        )
    }

    fn add_key(&mut self, spec: &KeySpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let at = spec.function.as_ref().or(spec.functions.first()).map(|f| f.span());
        let holder = match (spec.argument, &spec.option) {
            (Some(index), None) if spec.options_argument.is_none() => KeyHolder::Argument(index),
            (None, Some(name)) if !name.trim().is_empty() => {
                KeyHolder::Option { name: name.trim().to_string(), argument: spec.options_argument.unwrap_or(0) }
            }
            _ => {
                return Err(ModelError::at(
                    "a key entry names where the key is: `argument = N`, or `option = \"name\"` (with `options-argument` when the options are not the first argument)",
                    at,
                ))
            }
        };
        if spec.what.trim().is_empty() {
            return Err(ModelError::at("a key entry's `what` (how messages name the key) is empty", at));
        }
        let what = spec.what.trim().to_string();
        self.add_plain_calls(
            &spec.callee(),
            context,
            "a key",
            |k| &mut k.keys,
            |callee| Key { callee, what: what.clone(), holder: holder.clone(), from: from.clone() },
        )
    }

    fn add_kdf(&mut self, spec: &KdfSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let algorithm = *spec.algorithm.get_ref();
        // What each family is judged by: an entry that gives none of it would never report.
        let judged = match algorithm {
            KdfAlgorithm::Bcrypt => spec.cost_argument.is_some() || spec.salt_argument.is_some(),
            KdfAlgorithm::Argon2 => spec.memory_argument.is_some() || spec.variant_argument.is_some() || spec.options_argument.is_some(),
            KdfAlgorithm::Pbkdf2 => spec.iterations_argument.is_some() || spec.salt_argument.is_some(),
            KdfAlgorithm::Scrypt => spec.cost_argument.is_some() || spec.options_argument.is_some() || spec.salt_argument.is_some(),
            KdfAlgorithm::Salt => spec.salt_argument.is_some(),
        };
        if !judged {
            return Err(ModelError::at(
                format!(
                    "a `{}` kdf entry says where nothing it is judged by is (bcrypt: `cost-argument`; argon2: `memory-argument`, `variant-argument` or `options-argument`; pbkdf2: `iterations-argument`; scrypt: `cost-argument` or `options-argument`; salt: `salt-argument`)",
                    algorithm.name()
                ),
                Some(spec.algorithm.span()),
            ));
        }
        let entry = |callee| Kdf { callee, algorithm, parameters: spec.clone(), from: from.clone() };
        self.add_plain_calls(&spec.callee(), context, "a kdf", |k| &mut k.kdfs, entry)
    }

    fn add_token(&mut self, spec: &TokenSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let role = *spec.role.get_ref();
        let at = Some(spec.role.span());
        let named = |option: &Option<String>| option.as_deref().is_some_and(|o| !o.trim().is_empty());
        match role {
            TokenRole::Defaults if spec.options_argument.is_none() || !named(&spec.expiry_option) => {
                return Err(ModelError::at("a `defaults` token entry says where the options are (`options-argument`) and which sets the lifetime (`expiry-option`)", at));
            }
            TokenRole::Sign if !spec.expiry_methods.is_empty() && !named(&spec.sign_method) => {
                return Err(ModelError::at(
                    "a `sign` token entry with `expiry-methods` (a builder) names the method that signs (`sign-method`)",
                    at,
                ));
            }
            TokenRole::Sign
                if spec.expiry_methods.is_empty()
                    && !named(&spec.expiry_option)
                    && context.language_of(&spec.callee())? == Language::Typescript =>
            {
                return Err(ModelError::at("a TypeScript `sign` token entry says how a lifetime is given: `expiry-option` (with `options-argument`) or `expiry-methods`", at));
            }
            _ => {}
        }
        let entry = |callee| Token { callee, role, parameters: spec.clone(), from: from.clone() };
        self.add_plain_calls(&spec.callee(), context, "a token entry", |k| &mut k.tokens, entry)
    }

    fn add_server(&mut self, spec: &ServerSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let framework = spec.framework.trim().to_string();
        if framework.is_empty() {
            let at = spec.function.as_ref().or(spec.functions.first()).map(|f| f.span());
            return Err(ModelError::at("a server entry's `framework` (how messages name it) is empty", at));
        }
        let drains_by_default = spec.drains_by_default;
        let entry = |callee| Server { callee, framework: framework.clone(), drains_by_default, from: from.clone() };
        self.add_plain_calls(&spec.callee(), context, "a server entry", |k| &mut k.servers, entry)
    }

    fn add_body_limit(&mut self, spec: &BodyLimitSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let says = [spec.limit_argument.is_some(), spec.limit_option.is_some(), spec.required_option.is_some(), spec.disables];
        if says.iter().filter(|s| **s).count() != 1 {
            let at = spec.function.as_ref().or(spec.functions.first()).map(|f| f.span());
            return Err(ModelError::at(
                "a body-limit entry says one thing: where the limit is (`limit-argument` or `limit-option`), the option without which there is none (`required-option`), or that the call removes the default (`disables = true`)",
                at,
            ));
        }
        let entry = |callee| BodyLimit { callee, parameters: spec.clone(), from: from.clone() };
        self.add_plain_calls(&spec.callee(), context, "a body-limit entry", |k| &mut k.body_limits, entry)
    }

    fn add_cache(&mut self, spec: &CacheSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let at = spec.function.as_ref().or(spec.functions.first()).map(|f| f.span());
        if spec.what.trim().is_empty() {
            return Err(ModelError::at("a cache entry's `what` (how messages name the cache) is empty", at));
        }
        let says = [!spec.bound_options.is_empty(), !spec.bound_methods.is_empty(), spec.unbounded];
        if says.iter().filter(|s| **s).count() != 1 {
            return Err(ModelError::at(
                "a cache entry says what bounds the cache (`bound-options` or, for a builder, `bound-methods`) or that it has no bound (`unbounded = true`)",
                at,
            ));
        }
        if spec.entry_ttl_method.is_some() != spec.entry_ttl_argument.is_some() {
            return Err(ModelError::at("a cache entry gives `entry-ttl-method` and `entry-ttl-argument` together", at));
        }
        let entry = |callee| Cache { callee, parameters: spec.clone(), from: from.clone() };
        self.add_plain_calls(&spec.callee(), context, "a cache entry", |k| &mut k.caches, entry)
    }

    fn add_graphql(&mut self, spec: &GraphqlSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let at = spec.function.as_ref().or(spec.functions.first()).map(|f| f.span());
        if spec.library.trim().is_empty() {
            return Err(ModelError::at("a graphql entry's `library` (how messages name it) is empty", at));
        }
        if spec.ide_page && (spec.plugin || !spec.switches.is_empty() || !spec.limit_options.is_empty()) {
            return Err(ModelError::at(
                "a graphql entry is a server (with `switches`, `limit-options`) or an IDE page (`ide-page = true`), not both",
                at,
            ));
        }
        let entry = |callee| Graphql { callee, parameters: spec.clone(), from: from.clone() };
        self.add_plain_calls(&spec.callee(), context, "a graphql entry", |k| &mut k.graphql, entry)
    }

    fn add_hasher(&mut self, spec: &HasherSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        if context.language_of(&spec.callee())? == Language::Rust {
            // `plaintext-password` follows request data into Rust stores; a hasher's result is
            // not request data already, so there is nothing for an entry to say.
            return Err(ModelError::at(
                "`hashers` entries are for TypeScript: in Rust, what a hash function returns is not request data already",
                spec.function.as_ref().map(|f| f.span()),
            ));
        }
        self.add_plain_calls(&spec.callee(), context, "a hasher", |k| &mut k.hashers, |callee| Hasher { callee, from: from.clone() })
    }

    fn add_limiter(&mut self, spec: &LimiterSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let (language, module) = module_entry(spec.language.as_ref(), &spec.module, context, "limiter")?;
        self.language_mut(language).limiters.push((module, from.clone()));
        Ok(())
    }

    fn add_package(&mut self, spec: &PackageSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let (language, module) = module_entry(spec.language.as_ref(), &spec.module, context, "package")?;
        if spec.provides.get_ref().is_empty() {
            return Err(ModelError::at(
                "`provides` names nothing: expected \"health-check\", \"graceful-shutdown\" or \"security-headers\"",
                Some(spec.provides.span()),
            ));
        }
        self.language_mut(language).packages.push((module, spec.provides.get_ref().clone(), from.clone()));
        Ok(())
    }

    /// The modules (TypeScript import paths, Rust crates and module paths) whose use provides
    /// `capability`.
    pub fn modules_providing(&self, language: Language, capability: Capability) -> impl Iterator<Item = &str> {
        self.language(language)
            .packages
            .iter()
            .filter(move |(_, provides, _)| provides.contains(&capability))
            .map(|(module, ..)| module.as_str())
    }

    /// The modules (TypeScript import paths, Rust crates and module paths) of request rate limiters.
    pub fn limiter_modules(&self, language: Language) -> impl Iterator<Item = &str> {
        self.language(language).limiters.iter().map(|(module, _)| module.as_str())
    }

    pub fn connections<'a>(&'a self, language: Language, call: &CallName<'_>) -> Vec<&'a Connection> {
        self.language(language).connections.matching(call, language).collect()
    }

    /// Whether this call hashes a password.
    pub fn hashes(&self, language: Language, call: &CallName<'_>) -> bool {
        self.language(language).hashers.matching(call, language).next().is_some()
    }

    /// The entry that says this call blocks its thread, if one does.
    pub fn blocking<'a>(&'a self, language: Language, call: &CallName<'_>) -> Option<&'a Blocking> {
        self.language(language).blocking.matching(call, language).next()
    }

    /// The entry that says this call hashes a password or derives a key, with its parameters.
    pub fn kdf<'a>(&'a self, language: Language, call: &CallName<'_>) -> Option<&'a Kdf> {
        self.language(language).kdfs.matching(call, language).next()
    }

    /// The entry that says this call makes a GraphQL server or renders a GraphQL IDE.
    pub fn graphql<'a>(&'a self, language: Language, call: &CallName<'_>) -> Option<&'a Graphql> {
        self.language(language).graphql.matching(call, language).next()
    }

    /// The entry that says this call makes an in-process cache.
    pub fn cache<'a>(&'a self, language: Language, call: &CallName<'_>) -> Option<&'a Cache> {
        self.language(language).caches.matching(call, language).next()
    }

    /// The entry that says this call sets a request body limit.
    pub fn body_limit<'a>(&'a self, language: Language, call: &CallName<'_>) -> Option<&'a BodyLimit> {
        self.language(language).body_limits.matching(call, language).next()
    }

    /// The names (a path's last segment, a method) body-limit entries that set a limit match by.
    pub fn body_limit_names(&self, language: Language) -> impl Iterator<Item = &str> {
        self.language(language).body_limits.entries.iter().filter(|b| !b.parameters.disables).filter_map(|b| b.callee.last_name())
    }

    /// The entry that says this call makes an HTTP app or server, or starts serving.
    pub fn server<'a>(&'a self, language: Language, call: &CallName<'_>) -> Option<&'a Server> {
        self.language(language).servers.matching(call, language).next()
    }

    /// The JWT library entries this call is.
    pub fn tokens<'a>(&'a self, language: Language, call: &CallName<'_>) -> Vec<&'a Token> {
        self.language(language).tokens.matching(call, language).collect()
    }

    /// The names (a path's last segment, a method) the JWT library entries of a role match by:
    /// a function that names none of them makes no such call.
    pub fn token_names(&self, language: Language, role: TokenRole) -> impl Iterator<Item = &str> {
        self.language(language).tokens.entries.iter().filter(move |t| t.role == role).filter_map(|t| t.callee.last_name())
    }

    /// Whether some JWT library entry comes from this import (a file importing it handles tokens).
    pub fn is_token_module(&self, language: Language, import: &str) -> bool {
        self.language(language).tokens.entries.iter().any(|t| t.callee.comes_from(import, language))
    }

    /// The entries that say this call takes secret key material.
    pub fn keys<'a>(&'a self, language: Language, call: &CallName<'_>) -> Vec<&'a Key> {
        self.language(language).keys.matching(call, language).collect()
    }

    /// Whether this call writes a log line.
    pub fn logs(&self, language: Language, call: &CallName<'_>) -> bool {
        self.language(language).loggers.matching(call, language).next().is_some()
    }

    /// The HTTP client entries this call is (a request that needs a timeout).
    pub fn clients<'a>(&'a self, language: Language, call: &CallName<'_>) -> Vec<&'a Client> {
        self.language(language).clients.matching(call, language).collect()
    }

    /// The sinks of `kind` this call is.
    pub fn sinks<'a>(&'a self, language: Language, call: &CallName<'_>, kind: SinkKind) -> Vec<&'a Sink> {
        self.language(language).sinks.matching(call, language).filter(|sink| sink.kind == kind).collect()
    }

    /// Whether this call's result is safe for `kind` (for `None`, safe for every kind).
    pub fn sanitizes(&self, language: Language, call: &CallName<'_>, kind: Option<SinkKind>) -> bool {
        self.language(language).sanitizers.matching(call, language).any(|s| s.makes_safe(kind))
    }

    /// Whether this call's result carries its arguments' data.
    pub fn propagates(&self, language: Language, call: &CallName<'_>) -> bool {
        self.language(language).propagators.matching(call, language).next().is_some()
    }

    /// Whether some entry of this language could match a call whose last name segment or method
    /// is `name`: a front-end asks this before it describes a call in full.
    pub fn may_match(&self, language: Language, name: &str) -> bool {
        self.language(language).names.contains(name)
    }

    /// Whether some entry names a global whose name starts with `root` (`fetch`, `console` of
    /// `console.log`): a parameter of that name shadows what the entry means.
    pub fn names_global(&self, language: Language, root: &str) -> bool {
        self.language(language).global_roots.contains(root)
    }

    /// Whether any entry of this language matches by name segments (Rust paths, users' names):
    /// without one, a front-end need not work out a call's segments and receiver at all.
    pub fn matches_by_segments(&self, language: Language) -> bool {
        let k = self.language(language);
        !(k.sinks.by_last.is_empty()
            && k.sanitizers.by_last.is_empty()
            && k.propagators.by_last.is_empty()
            && k.clients.by_last.is_empty()
            && k.connections.by_last.is_empty()
            && k.loggers.by_last.is_empty()
            && k.hashers.by_last.is_empty()
            && k.blocking.by_last.is_empty()
            && k.keys.by_last.is_empty()
            && k.kdfs.by_last.is_empty()
            && k.tokens.by_last.is_empty()
            && k.servers.by_last.is_empty()
            && k.body_limits.by_last.is_empty()
            && k.caches.by_last.is_empty()
            && k.graphql.by_last.is_empty()
            && k.source_calls.by_last.is_empty())
    }

    /// The sanitisers this call is.
    pub fn sanitizers<'a>(&'a self, language: Language, call: &CallName<'_>) -> Vec<&'a Sanitizer> {
        self.language(language).sanitizers.matching(call, language).collect()
    }

    /// The propagators this call is.
    pub fn propagators<'a>(&'a self, language: Language, call: &CallName<'_>) -> Vec<&'a Propagator> {
        self.language(language).propagators.matching(call, language).collect()
    }

    /// The entry that makes this call's result request data, if one does.
    pub fn source_call<'a>(&'a self, language: Language, call: &CallName<'_>) -> Option<&'a SourceCall> {
        self.language(language).source_calls.matching(call, language).next()
    }

    /// Whether the member or getter path (`body`, `cookies.get`) of a request object of `role`
    /// holds request data.
    pub fn request_member(&self, language: Language, role: &str, member: &str) -> bool {
        self.language(language).source_objects.iter().any(|o| o.role == role && o.members.iter().any(|m| m == member))
    }

    pub fn request_getter(&self, language: Language, role: &str, getter: &str) -> bool {
        self.language(language).source_objects.iter().any(|o| o.role == role && o.getters.iter().any(|g| g == getter))
    }

    /// Rust: whether a type (by its last segment) is a request object (`HttpRequest`, `Parts`),
    /// in a request handler or (`in_handler` false) in any function.
    pub fn request_object_type(&self, ty: &str, in_handler: bool) -> bool {
        self.rust.source_objects.iter().any(|o| (in_handler || o.anywhere) && o.types.iter().any(|t| t == ty))
    }

    /// TypeScript: whether a parameter decorator (`Body`, `Args`) marks request data.
    pub fn is_data_decorator(&self, name: &str) -> bool {
        self.typescript.decorators.iter().any(|list| list.names.iter().any(|n| n == name))
    }

    /// TypeScript: whether a data decorator's framework checks arguments against their declared
    /// schema types before the handler runs (GraphQL's `@Arg`, `@Args`).
    pub fn is_schema_typed_decorator(&self, name: &str) -> bool {
        self.typescript.decorators.iter().any(|list| list.schema_typed && list.names.iter().any(|n| n == name))
    }

    /// Rust: whether a handler parameter of this extractor type is request data in `framework`'s
    /// handlers. axum and actix-web share extractor names (`Json`, `Query`, `Path`), so their
    /// lists count for each other; the other frameworks' are their own.
    pub fn is_extractor(&self, name: &str, framework: &str) -> bool {
        let shared = |f: &str| matches!(f, "axum" | "actix-web");
        self.rust.extractors.iter().any(|list| {
            let applies = match list.framework.as_deref() {
                None => true,
                Some(own) => own == framework || (shared(own) && shared(framework)),
            };
            applies && list.names.iter().any(|n| n == name)
        })
    }

    /// Rust: whether an extractor type, by its resolved path (`actix_web_validator::Json`),
    /// validates what it extracts.
    pub fn is_validating_extractor(&self, resolved: &str) -> bool {
        let last = resolved.rsplit("::").next().unwrap_or(resolved);
        self.rust.extractors.iter().any(|list| {
            list.validated
                && list.names.iter().any(|n| n == last)
                && list.module.as_deref().is_some_and(|m| module_matches(resolved, m, Language::Rust))
        })
    }

    /// Every entry, for `archlint models`.
    pub fn listing(&self) -> Listing<'_> {
        let mut entries = Vec::new();
        for language in [Language::Rust, Language::Typescript] {
            let k = self.language(language);
            for s in &k.source_calls.entries {
                entries.push(ListedEntry {
                    language,
                    section: "source",
                    kind: None,
                    name: s.callee.shown(),
                    detail: String::new(),
                    from: &s.from,
                });
            }
            for o in &k.source_objects {
                let mut names: Vec<String> = o.members.iter().map(|m| format!("{}.{m}", o.role)).collect();
                names.extend(o.getters.iter().map(|g| format!("{}.{g}()", o.role)));
                let detail = if o.types.is_empty() { String::new() } else { format!("types: {}", o.types.join(", ")) };
                entries.push(ListedEntry { language, section: "source", kind: None, name: names.join(", "), detail, from: &o.from });
            }
            for d in &k.decorators {
                let names = d.names.iter().map(|n| format!("@{n}()")).collect::<Vec<_>>().join(", ");
                entries.push(ListedEntry {
                    language,
                    section: "source",
                    kind: None,
                    name: names,
                    detail: "parameter decorators".into(),
                    from: &d.from,
                });
            }
            for e in &k.extractors {
                let mut detail = e.framework.as_ref().map(|f| format!("{f} handlers")).unwrap_or_default();
                if e.validated {
                    detail = format!("validating, from `{}`", e.module.as_deref().unwrap_or(""));
                }
                entries.push(ListedEntry { language, section: "source", kind: None, name: e.names.join(", "), detail, from: &e.from });
            }
            for s in &k.sinks.entries {
                let mut detail = format!("argument {}", s.arguments.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "));
                if let Some(option) = &s.when_option {
                    detail.push_str(&format!("; only with option `{option}`"));
                }
                if let Some(option) = &s.unless_option {
                    detail.push_str(&format!("; not with option `{option}`"));
                }
                if !s.certain {
                    detail.push_str("; when the argument reads as this kind");
                }
                entries.push(ListedEntry {
                    language,
                    section: "sink",
                    kind: Some(s.kind.name().to_string()),
                    name: s.callee.shown(),
                    detail,
                    from: &s.from,
                });
            }
            for s in &k.sanitizers.entries {
                let kind =
                    if s.kinds.is_all() { "all".to_string() } else { s.kinds.iter().map(SinkKind::name).collect::<Vec<_>>().join(",") };
                entries.push(ListedEntry {
                    language,
                    section: "sanitizer",
                    kind: Some(kind),
                    name: s.callee.shown(),
                    detail: String::new(),
                    from: &s.from,
                });
            }
            for c in &k.clients.entries {
                let detail =
                    format!("timeout: {}", c.timeout_options.iter().chain(&c.timeout_methods).cloned().collect::<Vec<_>>().join(", "));
                entries.push(ListedEntry { language, section: "client", kind: None, name: c.callee.shown(), detail, from: &c.from });
            }
            for c in &k.connections.entries {
                entries.push(ListedEntry {
                    language,
                    section: "connection",
                    kind: Some(c.kind.name().to_string()),
                    name: c.callee.shown(),
                    detail: c.what.clone(),
                    from: &c.from,
                });
            }
            for l in &k.loggers.entries {
                entries.push(ListedEntry {
                    language,
                    section: "logger",
                    kind: None,
                    name: l.callee.shown(),
                    detail: String::new(),
                    from: &l.from,
                });
            }
            for h in &k.hashers.entries {
                entries.push(ListedEntry {
                    language,
                    section: "hasher",
                    kind: None,
                    name: h.callee.shown(),
                    detail: String::new(),
                    from: &h.from,
                });
            }
            for b in &k.blocking.entries {
                let detail = b.instead.as_ref().map(|i| format!("instead: {i}")).unwrap_or_default();
                entries.push(ListedEntry { language, section: "blocking", kind: None, name: b.callee.shown(), detail, from: &b.from });
            }
            for key in &k.keys.entries {
                let detail = match &key.holder {
                    KeyHolder::Argument(index) => format!("{}, argument {index}", key.what),
                    KeyHolder::Option { name, argument } => format!("{}, option `{name}` of argument {argument}", key.what),
                };
                entries.push(ListedEntry { language, section: "key", kind: None, name: key.callee.shown(), detail, from: &key.from });
            }
            for kdf in &k.kdfs.entries {
                entries.push(ListedEntry {
                    language,
                    section: "kdf",
                    kind: Some(kdf.algorithm.name().to_string()),
                    name: kdf.callee.shown(),
                    detail: String::new(),
                    from: &kdf.from,
                });
            }
            for token in &k.tokens.entries {
                entries.push(ListedEntry {
                    language,
                    section: "token",
                    kind: Some(token.role.name().to_string()),
                    name: token.callee.shown(),
                    detail: token.parameters.shown.clone().unwrap_or_default(),
                    from: &token.from,
                });
            }
            for graphql in &k.graphql.entries {
                let p = &graphql.parameters;
                let detail = if p.ide_page { format!("{}, IDE page", p.library) } else { format!("{} server", p.library) };
                entries.push(ListedEntry {
                    language,
                    section: "graphql",
                    kind: None,
                    name: graphql.callee.shown(),
                    detail,
                    from: &graphql.from,
                });
            }
            for cache in &k.caches.entries {
                let p = &cache.parameters;
                let detail = if p.unbounded {
                    format!("{}, unbounded", p.what)
                } else {
                    let bounds: Vec<&str> = p.bound_options.iter().chain(&p.bound_methods).map(String::as_str).collect();
                    format!("{}, bounded by {}", p.what, bounds.join(", "))
                };
                entries.push(ListedEntry { language, section: "cache", kind: None, name: cache.callee.shown(), detail, from: &cache.from });
            }
            for limit in &k.body_limits.entries {
                let p = &limit.parameters;
                let detail = match (&p.limit_option, p.limit_argument, &p.required_option) {
                    (Some(option), _, _) => format!("option `{option}`"),
                    (_, Some(index), _) => format!("argument {index}"),
                    (_, _, Some(option)) => format!("requires `{option}`"),
                    _ => "removes the default limit".to_string(),
                };
                entries.push(ListedEntry {
                    language,
                    section: "body-limit",
                    kind: None,
                    name: limit.callee.shown(),
                    detail,
                    from: &limit.from,
                });
            }
            for server in &k.servers.entries {
                let detail = if server.drains_by_default { "drains by default".to_string() } else { String::new() };
                entries.push(ListedEntry {
                    language,
                    section: "server",
                    kind: Some(server.framework.clone()),
                    name: server.callee.shown(),
                    detail,
                    from: &server.from,
                });
            }
            for (module, from) in &k.limiters {
                entries.push(ListedEntry { language, section: "limiter", kind: None, name: module.clone(), detail: String::new(), from });
            }
            for (module, provides, from) in &k.packages {
                let provides = provides.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ");
                entries.push(ListedEntry { language, section: "package", kind: None, name: module.clone(), detail: provides, from });
            }
            for p in &k.propagators.entries {
                entries.push(ListedEntry {
                    language,
                    section: "propagator",
                    kind: None,
                    name: p.callee.shown(),
                    detail: String::new(),
                    from: &p.from,
                });
            }
        }
        Listing { entries }
    }
}

/// What `archlint models` prints.
pub struct Listing<'k> {
    pub entries: Vec<ListedEntry<'k>>,
}

#[derive(Serialize)]
pub struct ListedEntry<'k> {
    pub language: Language,
    /// `source`, `sink`, `sanitizer`, `propagator`, `client`, `connection`, `logger`, `hasher`,
    /// `blocking`, `key`, `kdf`, `limiter`, `package`.
    pub section: &'static str,
    /// A sink's kind; a sanitiser's kinds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
    pub from: &'k Provenance,
}

/// What an entry is read against: the model file's language and module prefixes.
struct FileContext<'f> {
    language: Option<Language>,
    modules: &'f [String],
    builtin: bool,
}

impl FileContext<'_> {
    /// The language and the compiled callees of an entry that must name calls (`what` is how
    /// the error names the entry, `span` where it points when none is named).
    fn named_calls(
        &self,
        spec: &CalleeSpec<'_>,
        what: &str,
        span: Option<std::ops::Range<usize>>,
    ) -> Result<(Language, Vec<Callee>), ModelError> {
        let language = self.language_of(spec)?;
        let callees = self.callees(spec, language)?;
        if callees.is_empty() {
            return Err(ModelError::at(format!("{what} needs `function`, `functions` or `methods`"), span));
        }
        Ok((language, callees))
    }

    fn language_of(&self, callee: &CalleeSpec<'_>) -> Result<Language, ModelError> {
        match (self.language, callee.language) {
            (Some(_), Some(given)) => Err(ModelError::at("`language` is set once for the whole model file", Some(given.span()))),
            (Some(language), None) => Ok(language),
            (None, Some(given)) => Ok(*given.get_ref()),
            (None, None) => Err(ModelError::at(
                "every `[[models.*]]` entry needs `language = \"rust\"` or `language = \"typescript\"`",
                callee.function.map(|f| f.span()),
            )),
        }
    }

    /// The entry's callees, compiled.
    fn callees(&self, spec: &CalleeSpec<'_>, language: Language) -> Result<Vec<Callee>, ModelError> {
        let module = spec.module.map(|m| m.get_ref().clone());
        if let Some(m) = spec.module {
            if m.get_ref().trim().is_empty() {
                return Err(ModelError::at("`module` is empty", Some(m.span())));
            }
        }
        let mut callees = Vec::new();
        for written in spec.function.into_iter().chain(spec.functions) {
            let text = written.get_ref().trim();
            let bad = |why: &str| ModelError::at(format!("bad function pattern `{text}`: {why}"), Some(written.span()));
            if text.is_empty() {
                return Err(bad("it is empty"));
            }
            if let Some(method) = text.strip_prefix("*.").or_else(|| text.strip_prefix("*::")) {
                if !is_identifier(method) {
                    return Err(bad("after `*.` comes one method name"));
                }
                callees.push(Callee { written: format!("*.{method}"), form: Form::Method(method.to_string()), module: module.clone() });
                continue;
            }
            let separator = language.separator();
            let segments: Vec<String> = text.split(separator).map(str::to_string).collect();
            if segments.iter().any(|s| s.is_empty() || s.contains('*') || s.contains(char::is_whitespace)) {
                let other =
                    if language == Language::Rust { "`Type::method` or `module::function`" } else { "`module.function` or `Type.method`" };
                return Err(bad(&format!("expected a name like {other}, or `*.method`")));
            }
            if self.builtin && language == Language::Typescript {
                // Built-in TypeScript names are whole qualified names, under each module prefix.
                // An entry's own `module` narrows the file's prefixes to that one.
                let prefixes = match &module {
                    Some(module) => std::slice::from_ref(module),
                    None => self.modules,
                };
                if prefixes.is_empty() {
                    callees.push(Callee {
                        written: text.to_string(),
                        form: Form::Exact { name: text.to_string(), imported: false },
                        module: None,
                    });
                } else {
                    for prefix in prefixes {
                        let name = if text == "default" { prefix.clone() } else { format!("{prefix}.{text}") };
                        callees.push(Callee { written: name.clone(), form: Form::Exact { name, imported: true }, module: None });
                    }
                }
            } else {
                callees.push(Callee { written: text.to_string(), form: Form::Suffix(segments), module: module.clone() });
            }
        }
        for written in spec.methods {
            let method = written.get_ref().trim();
            if !is_identifier(method) {
                return Err(ModelError::at(format!("bad method name `{method}`"), Some(written.span())));
            }
            callees.push(Callee { written: format!("*.{method}"), form: Form::Method(method.to_string()), module: module.clone() });
        }
        Ok(callees)
    }
}

fn is_identifier(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

#[cfg(test)]
mod tests;
