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
//!
//! `spec` is the written form (a model file, `[models]`), `compile` reads it into the entries
//! kept here by language and section, `callee` matches calls against them, and `listing` is what
//! `archlint models` prints.

mod callee;
mod compile;
mod listing;
pub mod spec;

use callee::Form;
pub use callee::{module_matches, CallName, CallParts, Callee};
pub use listing::{ListedEntry, Listing};

use foldhash::{HashMap, HashMapExt, HashSet};
use serde::{Deserialize, Serialize};
use spec::CalleeSpec;
pub use spec::{
    BodyLimitSpec, BodyReaderSpec, CacheSpec, Capability, CookieAttribute, CookieFlag, CookieRole, CookieSpec, GraphqlSpec, KdfAlgorithm,
    KdfSpec, Protection, QueryRole, QuerySpec, RequestTimeoutSpec, ServerSpec, TimeoutSwitch, TokenRole, TokenSpec, ValidatorRole,
    ValidatorSpec,
};
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
    /// Rust: methods that start a request with its own timeout (`get`), and its type.
    pub request_methods: Vec<String>,
    pub request_type: Option<String>,
    /// TypeScript: a global default whose assignment gives every request a timeout
    /// (`axios.defaults.timeout`).
    pub global_default: Option<String>,
    /// TypeScript: the call makes an instance whose member of this path (`defaults.timeout`)
    /// sets its timeout.
    pub instance_default: Option<String>,
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
    /// For a key-value store: its methods that write a key with no expiry unless told.
    pub writes_without_expiry: Vec<String>,
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

/// A call that bounds a server's request time, or switches it off (the entry as written, see
/// [`RequestTimeoutSpec`]).
#[derive(Debug, Clone)]
pub struct RequestTimeout {
    pub callee: Callee,
    pub parameters: RequestTimeoutSpec,
    pub from: Provenance,
}

/// A call that sets, configures, builds or removes a cookie (the entry as written, see
/// [`CookieSpec`]).
#[derive(Debug, Clone)]
pub struct Cookie {
    pub callee: Callee,
    pub role: CookieRole,
    pub parameters: CookieSpec,
    pub from: Provenance,
}

impl Cookie {
    /// How messages name the library.
    pub fn library(&self) -> &str {
        self.parameters.library.as_deref().unwrap_or(&self.callee.written)
    }

    /// Whether the library turns this flag on unless told not to.
    pub fn on_by_default(&self, flag: CookieFlag) -> bool {
        self.parameters.on_by_default.contains(&flag)
    }

    /// Whether a method call's receiver, by its path (`res`, `this.res`, `ctx.cookies`), is one
    /// the entry's method counts on; any receiver when the entry names none.
    pub fn accepts_receiver(&self, path: &str) -> bool {
        let receivers = &self.parameters.receivers;
        let mut segments = path.rsplit('.');
        let (last, before) = (segments.next().unwrap_or(""), segments.next());
        receivers.is_empty()
            || receivers.iter().any(|r| match r.strip_prefix("*.") {
                Some(member) => member == last && before.is_some(),
                None => r == last,
            })
    }

    /// build: the builder methods that set this attribute.
    pub fn attribute_methods(&self, attribute: CookieAttribute) -> &[String] {
        self.parameters.attribute_methods.get(&attribute).map_or(&[], Vec::as_slice)
    }
}

/// An ORM, query-builder or driver call, by what it does (the entry as written, see
/// [`QuerySpec`]).
#[derive(Debug, Clone)]
pub struct Query {
    pub callee: Callee,
    pub role: QueryRole,
    pub parameters: QuerySpec,
    pub from: Provenance,
}

impl Query {
    /// list: what bounds the rows, for messages: `` `take` or `.limit(..)` ``.
    pub fn bounds_shown(&self) -> String {
        let p = &self.parameters;
        let options = p.bound_options.iter().map(|o| format!("`{o}`"));
        options.chain(p.bound_methods.iter().map(|m| format!("`.{m}(..)`"))).collect::<Vec<_>>().join(" or ")
    }

    /// list: whether an option key or a chain method bounds the rows.
    pub fn bounded_by(&self, word: &str) -> bool {
        let p = &self.parameters;
        p.bound_options.iter().chain(&p.bound_methods).any(|b| b == word)
    }
}

/// A call that validates request data (the entry as written, see [`ValidatorSpec`]).
#[derive(Debug, Clone)]
pub struct Validator {
    pub callee: Callee,
    pub role: ValidatorRole,
    pub parameters: ValidatorSpec,
    pub from: Provenance,
}

impl Validator {
    /// Whether the method's receiver (`JSON` of `JSON.parse`) is one whose method of this name
    /// checks nothing.
    pub fn excludes_receiver(&self, receiver: &str) -> bool {
        self.parameters.not_receivers.iter().any(|r| r == receiver)
    }
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
    /// The entry as written (drains by default, its timeouts; see [`ServerSpec`]).
    pub parameters: ServerSpec,
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
    /// It computes rather than waits (`cpu-heavy-work-in-async`, not `blocking-in-async`).
    pub cpu: bool,
    /// The message of a CPU-heavy call's finding, with `{callee}` for the call.
    pub message: Option<String>,
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
    Sink,
    Sanitizer,
    Propagator,
    SourceCall,
    Client,
    Connection,
    Logger,
    Hasher,
    Blocking,
    Key,
    Kdf,
    Token,
    Server,
    BodyLimit,
    Cache,
    Graphql,
    RequestTimeout,
    Cookie,
    Validator,
    Query
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

/// The methods of the key-value store clients the models describe (Redis and the like), pooled
/// across clients: a receiver is judged a store's client by its name or type, not by which one.
#[derive(Debug, Default, Clone)]
pub struct KeyValueCommands {
    /// Types a variable or field holding a client is declared with (`Redis`, `RedisClientType`).
    pub client_types: HashSet<String>,
    /// Methods that write a key with no expiry unless told (`set`, `setnx`, `mset`).
    pub writes_without_expiry: HashSet<String>,
    /// Methods that expire or remove a key (`expire`, `del`).
    pub expiring_methods: HashSet<String>,
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
    request_timeouts: Table<RequestTimeout>,
    cookies: Table<Cookie>,
    validators: Table<Validator>,
    queries: Table<Query>,
    /// The types cookie builders are made from or handed on as (`Cookie`, `CookieBuilder`): a
    /// function that names none of them builds no cookie.
    cookie_types: Vec<String>,
    /// The builder types of the cookie builders (`CookieBuilder`): a function returning one
    /// leaves the flags to its caller's chain.
    cookie_builder_types: Vec<String>,
    /// Rate limiters: the modules (crates, paths) whose import means requests are limited.
    limiters: Vec<(String, Provenance)>,
    /// Error types whose text describes the service's internals, as written, with spaces taken out.
    internal_errors: Vec<(String, Provenance)>,
    /// What reads a whole request body, by framework.
    body_readers: Vec<(BodyReaderSpec, Provenance)>,
    /// Packages and what their use provides.
    packages: Vec<(String, Vec<Capability>, Provenance)>,
    /// Security-header middleware packages and the options whose `false` switches a protection off.
    header_switches: Vec<(String, std::collections::BTreeMap<String, Protection>)>,
    source_calls: Table<SourceCall>,
    source_objects: Vec<SourceObject>,
    extractors: Vec<SourceExtractors>,
    decorators: Vec<SourceDecorators>,
    /// What the key-value store clients among the connections write and expire by.
    key_value: KeyValueCommands,
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
    fn language(&self, language: Language) -> &LanguageKnowledge {
        match language {
            Language::Rust => &self.rust,
            Language::Typescript => &self.typescript,
        }
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

    /// The options of a security-header middleware package (`helmet`) whose `false` switches one
    /// of its protections off; `None` for a module that is no such package.
    pub fn header_switches(&self, language: Language, module: &str) -> Option<&std::collections::BTreeMap<String, Protection>> {
        self.language(language).header_switches.iter().find(|(m, _)| m == module).map(|(_, switches)| switches)
    }

    /// What reads a whole request body in `framework`'s handlers (poem's extractors, Hono's
    /// getters), every entry for it.
    pub fn body_readers<'a>(&'a self, language: Language, framework: &'a str) -> impl Iterator<Item = &'a BodyReaderSpec> + 'a {
        self.language(language).body_readers.iter().map(|(spec, _)| spec).filter(move |spec| spec.framework.get_ref() == framework)
    }

    /// The error types (as fields declare them, without spaces: `sqlx::Error`, `Box<dynError`)
    /// whose text describes the service's internals.
    pub fn internal_error_types(&self, language: Language) -> impl Iterator<Item = &str> {
        self.language(language).internal_errors.iter().map(|(ty, _)| ty.as_str())
    }

    /// The modules (TypeScript import paths, Rust crates and module paths) of request rate limiters.
    pub fn limiter_modules(&self, language: Language) -> impl Iterator<Item = &str> {
        self.language(language).limiters.iter().map(|(module, _)| module.as_str())
    }

    /// The write and expiry methods of the key-value store clients (`cache-without-expiry`).
    pub fn key_value_commands(&self, language: Language) -> &KeyValueCommands {
        &self.language(language).key_value
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

    /// The entry that says this call sets, configures, builds or removes a cookie.
    pub fn cookie<'a>(&'a self, language: Language, call: &CallName<'_>) -> Option<&'a Cookie> {
        self.language(language).cookies.matching(call, language).next()
    }

    /// The types cookie builders are made from or handed on as (`Cookie`, `CookieBuilder`).
    pub fn cookie_types(&self, language: Language) -> &[String] {
        &self.language(language).cookie_types
    }

    /// The types of unfinished cookie builders (`CookieBuilder`).
    pub fn cookie_builder_types(&self, language: Language) -> &[String] {
        &self.language(language).cookie_builder_types
    }

    /// Whether an assignment to this name (`axios.defaults.timeout`) gives some client's requests
    /// a timeout everywhere in the project.
    pub fn is_client_global_default(&self, language: Language, name: &str) -> bool {
        self.language(language).clients.entries.iter().any(|c| c.global_default.as_deref() == Some(name))
    }

    /// The entries that say what this ORM, query-builder or driver call does.
    pub fn queries<'a>(&'a self, language: Language, call: &CallName<'_>) -> Vec<&'a Query> {
        self.language(language).queries.matching(call, language).collect()
    }

    /// The entry that says this call validates request data.
    pub fn validator<'a>(&'a self, language: Language, call: &CallName<'_>) -> Option<&'a Validator> {
        self.language(language).validators.matching(call, language).next()
    }

    /// The entry that says this call makes an in-process cache.
    pub fn cache<'a>(&'a self, language: Language, call: &CallName<'_>) -> Option<&'a Cache> {
        self.language(language).caches.matching(call, language).next()
    }

    /// The GraphQL schema builders (`[[graphql]]` entries with `limit-methods`: async-graphql's
    /// `Schema::build`), for the methods that limit and finish them.
    pub fn graphql_builders(&self, language: Language) -> impl Iterator<Item = &Graphql> {
        self.language(language).graphql.entries.iter().filter(|g| !g.parameters.limit_methods.is_empty())
    }

    /// The entry that says this call bounds a server's request time, or switches it off.
    pub fn request_timeout<'a>(&'a self, language: Language, call: &CallName<'_>) -> Option<&'a RequestTimeout> {
        self.language(language).request_timeouts.matching(call, language).next()
    }

    /// The entry that says this call sets a request body limit.
    pub fn body_limit<'a>(&'a self, language: Language, call: &CallName<'_>) -> Option<&'a BodyLimit> {
        self.language(language).body_limits.matching(call, language).next()
    }

    /// The timeouts servers of this language switch off with `0` (`requestTimeout`), and the
    /// library's default for each.
    pub fn server_timeouts_off_at_zero(&self, language: Language) -> impl Iterator<Item = (&str, u64)> {
        self.language(language).servers.entries.iter().flat_map(|s| s.parameters.timeouts_off_at_zero.iter().map(|(k, v)| (k.as_str(), *v)))
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
            && k.request_timeouts.by_last.is_empty()
            && k.cookies.by_last.is_empty()
            && k.validators.by_last.is_empty()
            && k.queries.by_last.is_empty()
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
}

#[cfg(test)]
mod tests;
