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
//! (`entries`: one type per section) kept here by language and section in `table`s, `callee`
//! matches calls against them, and `listing` is what `archlint models` prints.

mod callee;
mod compile;
mod entries;
mod listing;
pub mod spec;
mod table;

use callee::Form;
pub use callee::{module_matches, CallName, CallParts, Callee};
pub use entries::*;
pub use listing::{ListedEntry, Listing};
use table::{HasCallee, Table};

use foldhash::{HashMap, HashMapExt, HashSet};
use serde::{Deserialize, Serialize};
use spec::CalleeSpec;
pub use spec::{
    BodyLimitSpec, BodyReaderSpec, CacheSpec, Capability, CookieAttribute, CookieFlag, CookieRole, CookieSpec, Covers, GraphqlSpec,
    GuardRole, GuardSpec, KdfAlgorithm, KdfSpec, PayloadFormat, Protection, QueryRole, QuerySpec, RequestTimeoutSpec, ResponseSpec,
    RouteRole, RouteSpec, ServerSpec, SwitchValue, TimeoutSwitch, TlsSwitchSpec, TokenCheck, TokenRole, TokenSpec, TokenSwitchSpec,
    ValidatorRole, ValidatorSpec,
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

/// What database connections' options are called, pooled across drivers
/// (`database-without-tls`): options are often built apart from the call that connects, so an
/// options object is judged by its keys, whichever driver it is for. Ordered, so that an object
/// with two host keys always answers the same.
#[derive(Debug, Default, Clone)]
pub struct DatabaseOptions {
    /// Keys (TypeScript) whose `false` switches TLS off (`ssl`, `encrypt`).
    pub tls_options: std::collections::BTreeSet<String>,
    /// Keys (TypeScript) holding the host, or Rust builder methods naming it.
    pub host_options: std::collections::BTreeSet<String>,
    /// Keys (TypeScript) holding a connection URL.
    pub url_options: std::collections::BTreeSet<String>,
    /// Keys (TypeScript) only database options have.
    pub database_options: std::collections::BTreeSet<String>,
    /// Option and lower-cased value pairs naming a network database (`dialect`, `postgres`).
    pub dialects: std::collections::BTreeSet<(String, String)>,
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
    /// Which of `validators` are pipes: rules ask of every call and object pair how an app
    /// installs one.
    pipes: Vec<usize>,
    queries: Table<Query>,
    guards: Table<Guard>,
    responses: Table<Response>,
    /// Calls that register routes or mount middleware, and the decorators (Rust attributes) that do.
    routes: Table<Route>,
    route_decorators: Vec<RouteDecorator>,
    /// The modules of the model files whose calls register routes (`express`, `@koa/router`).
    route_modules: Vec<String>,
    /// TypeScript property decorators that do not check the property's value (`ApiProperty`).
    non_validating_decorators: Vec<(String, Provenance)>,
    /// Rust payload types that declare no shape, and how fields are read out of them.
    untyped_payloads: Vec<UntypedPayload>,
    /// Rust handler parameter types and what they say about the caller.
    guard_types: Vec<GuardType>,
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
    /// Settings that switch TLS verification off: the option key or method, and the value that does.
    tls_switches: Vec<(String, bool, Provenance)>,
    /// JWT library settings that switch a check of incoming tokens off.
    token_switches: Vec<TokenSwitch>,
    /// What reads a whole request body, by framework.
    body_readers: Vec<(BodyReaderSpec, Provenance)>,
    /// Packages and what their use provides.
    packages: Vec<(String, Vec<Capability>, Provenance)>,
    /// Packages that provide something once a setting is switched on (`mongoose.set(..)`).
    package_switches: Vec<PackageSwitch>,
    /// The methods that read a redacted secret out as plain text (`expose_secret`).
    secret_exposers: Vec<String>,
    /// Security-header middleware packages and the options whose `false` switches a protection off.
    header_switches: Vec<(String, std::collections::BTreeMap<String, Protection>)>,
    source_calls: Table<SourceCall>,
    source_objects: Vec<SourceObject>,
    extractors: Vec<SourceExtractors>,
    /// Rust: handler parameter types that make an async function a request handler (`Json`).
    handler_types: Vec<(String, Provenance)>,
    decorators: Vec<SourceDecorators>,
    /// What the key-value store clients among the connections write and expire by.
    key_value: KeyValueCommands,
    /// What database connections' options are called.
    database_options: DatabaseOptions,
    /// Rust: attribute macros that cache a function's results (`#[cached]`), with the crate a
    /// file must use.
    cache_attributes: Vec<(String, Option<String>, CacheSpec, Provenance)>,
    /// Rust: builder methods of every connection that set the wait for a connection.
    connection_timeout_methods: std::collections::BTreeSet<String>,
    /// Rust: values handed to a database connect call that mean no TLS (`NoTls`).
    plaintext_connectors: Vec<String>,
    /// Rust: enum variants that switch a database connection's TLS off (`PgSslMode::Disable`).
    plaintext_modes: Vec<String>,
    /// Every method name and last name segment some entry matches by, for [`Knowledge::may_match`].
    names: HashSet<String>,
    /// The first segments of global names entries match whole (`fetch`, `eval`, `console`).
    global_roots: HashSet<String>,
}

impl LanguageKnowledge {
    fn marks_handler(&self, name: &str) -> bool {
        self.handler_types.iter().any(|(n, _)| n == name)
    }
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

    /// The methods of the `redacted-secrets` packages that read a secret out as plain text
    /// (secrecy's `expose_secret`).
    pub fn secret_exposers(&self, language: Language) -> impl Iterator<Item = &str> {
        self.language(language).secret_exposers.iter().map(String::as_str)
    }

    /// What switching a package's setting on provides: `mongoose.set("sanitizeFilter", true)`,
    /// by the call's import-resolved name (`mongoose.set`) and its first argument.
    pub fn switched_on(&self, language: Language, function: &str, setting: &str) -> Option<&[Capability]> {
        self.language(language)
            .package_switches
            .iter()
            .find(|s| {
                s.setting == setting
                    && function
                        .rsplit_once('.')
                        .is_some_and(|(module, name)| name == s.function && callee::module_matches(module, &s.module, language))
            })
            .map(|s| s.provides.as_slice())
    }

    /// The options of a security-header middleware package (`helmet`) whose `false` switches one
    /// of its protections off; `None` for a module that is no such package.
    pub fn header_switches(&self, language: Language, module: &str) -> Option<&std::collections::BTreeMap<String, Protection>> {
        self.language(language).header_switches.iter().find(|(m, _)| m == module).map(|(_, switches)| switches)
    }

    /// The value that switches TLS verification off when given to this option key (TypeScript)
    /// or builder method (Rust), if the models know it as such a setting.
    /// The JWT library setting of this name, if one switches a check of incoming tokens off.
    pub fn token_switch(&self, language: Language, place: SwitchPlace, name: &str) -> Option<&TokenSwitch> {
        self.language(language).token_switches.iter().find(|s| s.place == place && s.name == name)
    }

    pub fn tls_switch(&self, language: Language, name: &str) -> Option<bool> {
        self.language(language).tls_switches.iter().find(|(n, ..)| n == name).map(|(_, off_when, _)| *off_when)
    }

    /// What reads a whole request body in `framework`'s handlers (poem's extractors, Hono's
    /// getters), every entry for it.
    /// Every framework's body readers.
    pub fn all_body_readers(&self, language: Language) -> impl Iterator<Item = &BodyReaderSpec> + Clone {
        self.language(language).body_readers.iter().map(|(spec, _)| spec)
    }

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
    /// Rust: whether a value handed to a database connect call means no TLS (`NoTls`, by its
    /// last segment).
    pub fn is_plaintext_connector(&self, last_segment: &str) -> bool {
        self.rust.plaintext_connectors.iter().any(|c| c == last_segment)
    }

    /// Rust: whether an enum variant (`PgSslMode::Disable`, by the path's last two segments)
    /// switches a database connection's TLS off.
    pub fn is_plaintext_mode(&self, enum_name: &str, variant: &str) -> bool {
        self.rust.plaintext_modes.iter().any(|m| m.split_once("::") == Some((enum_name, variant)))
    }

    /// Rust: whether a builder method of some connection sets the wait for a connection
    /// (`acquire_timeout`, `connection_timeout`).
    pub fn is_connection_timeout_method(&self, method: &str) -> bool {
        self.rust.connection_timeout_methods.contains(method)
    }

    pub fn database_options(&self, language: Language) -> &DatabaseOptions {
        &self.language(language).database_options
    }

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

    /// The validation pipe entry this `new` expression (or a class named by its import-resolved
    /// name) makes.
    pub fn validation_pipe<'a>(&'a self, language: Language, call: &CallName<'_>) -> Option<&'a Validator> {
        self.language(language).validators.matching(call, language).find(|v| v.role == ValidatorRole::Pipe)
    }

    /// Every validation pipe entry: which parameters they check and how an app installs them.
    pub fn validation_pipes(&self, language: Language) -> impl Iterator<Item = &Validator> {
        let k = self.language(language);
        k.pipes.iter().map(|&index| &k.validators.entries[index])
    }

    /// The entry that says this call (or the function a name refers to) authenticates requests,
    /// or only looks as if it did.
    pub fn guard<'a>(&'a self, language: Language, call: &CallName<'_>) -> Option<&'a Guard> {
        self.language(language).guards.matching(call, language).next()
    }

    /// Rust: what a handler parameter type, by its resolved path (`actix_web_httpauth::..::BearerAuth`),
    /// says about the caller. An extractor of request data (`Json`, `Query`) says nothing.
    pub fn guard_type(&self, resolved: &str) -> Option<GuardRole> {
        let last = resolved.rsplit("::").next().unwrap_or(resolved);
        let applies = |t: &&GuardType| t.name == last && t.module.as_deref().is_none_or(|m| module_matches(resolved, m, Language::Rust));
        let request_data = || self.rust.extractors.iter().any(|list| list.names.iter().any(|n| n == last));
        self.rust.guard_types.iter().find(applies).map(|t| t.role).or_else(|| request_data().then_some(GuardRole::NotAuth))
    }

    /// What a call does for routing, by the models' `[[routes]]`: a TypeScript
    /// `receiver.method(..)`, a Rust function or method by its name.
    pub fn routing(&self, language: Language, call: &CallName<'_>) -> Routing<'_> {
        let name = call.method.or(call.segments.last().map(String::as_str)).unwrap_or("");
        Routing::new(name, self.language(language).routes.matching(call, language).collect())
    }

    /// Whether some TypeScript route entry names this method (whatever module it is bound to).
    pub fn has_route_method(&self, method: &str) -> bool {
        self.typescript.routes.methods.contains_key(method)
    }

    /// Whether some Rust route entry names a function or method of this name: a cheap test
    /// before [`Knowledge::routing`], which front-ends ask of every method call.
    pub fn names_rust_route(&self, name: &str) -> bool {
        self.rust.routes.methods.contains_key(name) || self.rust.routes.by_last.contains_key(name)
    }

    /// The packages whose router calls the models' `[[routes]]` describe (`express`, `fastify`,
    /// `@koa/router`, `hono`): a file importing one serves routes.
    pub fn route_framework_modules(&self, language: Language) -> impl Iterator<Item = &str> {
        self.language(language).route_modules.iter().map(String::as_str)
    }

    /// TypeScript: whether a property decorator (`ApiProperty`, `Column`) documents, maps or
    /// persists the property without checking its value.
    pub fn is_non_validating_decorator(&self, name: &str) -> bool {
        self.typescript.non_validating_decorators.iter().any(|(known, _)| known == name)
    }

    /// Rust: the entry saying a payload type (by its last segment: `Value`, `HashMap`) declares
    /// no shape.
    pub fn untyped_payload(&self, type_name: &str) -> Option<&UntypedPayload> {
        self.rust.untyped_payloads.iter().find(|u| u.types.iter().any(|t| t == type_name))
    }

    /// The decorator (TypeScript) or attribute (Rust) entry of this name: `Get` and `#[post]`
    /// register a route, `Controller` makes a class a controller.
    pub fn route_decorator(&self, language: Language, name: &str) -> Option<&RouteDecorator> {
        self.language(language).route_decorators.iter().find(|d| d.name == name)
    }

    /// Whether a decorator of this name mounts middleware on what it decorates (NestJS's
    /// `UseGuards`).
    pub fn decorator_mounts(&self, language: Language, name: &str) -> bool {
        self.route_decorator(language, name).is_some_and(|d| d.role == RouteRole::Mount)
    }

    /// The HTTP method, in capitals, that a method decorator (`Post`) or Rust route attribute
    /// (`post`) of this name registers (`ALL` for every method); `None` when it registers none.
    pub fn decorator_registers(&self, language: Language, name: &str) -> Option<String> {
        let entry = self.route_decorator(language, name).filter(|d| d.role == RouteRole::Method)?;
        Some(entry.http_method.clone().unwrap_or_else(|| name.to_ascii_uppercase()))
    }

    /// The entries that say this call sends a response body to the client (several frameworks
    /// name the same method on different receivers).
    pub fn responses<'a>(&'a self, language: Language, call: &CallName<'_>) -> Vec<&'a Response> {
        self.language(language).responses.matching(call, language).collect()
    }

    /// The entry that says this call makes an in-process cache.
    /// Rust: the cache attribute macro of this name (`cached`), with the crate a file must use.
    pub fn cache_attribute(&self, name: &str) -> Option<(Option<&str>, &CacheSpec)> {
        self.rust.cache_attributes.iter().find(|(n, ..)| n == name).map(|(_, module, spec, _)| (module.as_deref(), spec))
    }

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

    /// The logger entries this call is (several may name the same method on different receivers).
    pub fn loggers<'a>(&'a self, language: Language, call: &CallName<'_>) -> Vec<&'a Logger> {
        self.language(language).loggers.matching(call, language).collect()
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
            && k.guards.by_last.is_empty()
            && k.responses.by_last.is_empty()
            && k.routes.by_last.is_empty()
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

    /// TypeScript: the request object role (static, from [`REQUEST_ROLES`]) whose `types` name
    /// this parameter annotation (`APIGatewayProxyEvent`, `grpc.ServerUnaryCall<Req, Res>`).
    pub fn request_role_of_type(&self, annotation: &str) -> Option<&'static str> {
        let object = self.typescript.source_objects.iter().find(|o| o.types.iter().any(|t| annotation.contains(t.as_str())))?;
        static_role(&object.role)
    }

    /// TypeScript: the request object role an exported function of this name takes first
    /// (`handler`: a Lambda event).
    pub fn request_role_of_export(&self, name: &str) -> Option<&'static str> {
        let object = self.typescript.source_objects.iter().find(|o| o.exported_handlers.iter().any(|e| e == name))?;
        static_role(&object.role)
    }

    /// TypeScript: the request object role the handlers registered by this method take first
    /// (`addService`: a gRPC call).
    pub fn request_role_registered_by(&self, method: &str) -> Option<&'static str> {
        let object = self.typescript.source_objects.iter().find(|o| o.registered_by.iter().any(|r| r == method))?;
        static_role(&object.role)
    }

    /// TypeScript: whether a method decorator (`MessagePattern`) makes the method's undecorated
    /// first parameter request data.
    pub fn is_handler_decorator(&self, name: &str) -> bool {
        self.typescript.decorators.iter().any(|list| list.handler_decorators.iter().any(|n| n == name))
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

    /// Rust: whether a parameter of this type (by its last segment) makes an async function a
    /// request handler in a file that uses a web framework.
    pub fn marks_handler(&self, name: &str) -> bool {
        self.rust.marks_handler(name)
    }

    /// Rust: the format in which an extractor (by its last segment: `Json`) deserialises the
    /// request's body or query string into its type argument, if it does.
    pub fn payload_format(&self, extractor: &str) -> Option<PayloadFormat> {
        self.rust.extractors.iter().find_map(|list| list.payloads.get(extractor).copied())
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

/// A request object role as the front-ends name it: one of [`REQUEST_ROLES`] (checked when the
/// entry was read).
fn static_role(role: &str) -> Option<&'static str> {
    REQUEST_ROLES.iter().copied().find(|known| *known == role)
}
