//! The entries the models hold, one type per section, as rules get them back: what a call is
//! (a sink, a client, a cookie setter…) and the parameters its entry gives.

use super::*;

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
    /// The argument holding what the call stores or hands on (`fs.writeFile`'s content).
    pub data_argument: Option<usize>,
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
    /// Rust: what `--fix` writes in place of the call when it has no arguments, with `{path}`
    /// for the path before the function's name and `{duration}` for the timeout.
    pub fix_call: Option<String>,
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
    /// An option the call must set (Rust: a builder method), or the client waits forever for a
    /// connection.
    pub required_timeout: Option<String>,
    /// Rust: builder methods that set the wait for a connection.
    pub timeout_methods: Vec<String>,
    /// Rust: the calls a fix adds for the required timeout.
    pub fix_calls: Vec<String>,
    /// For a key-value store: its methods that write a key with no expiry unless told.
    pub writes_without_expiry: Vec<String>,
    pub from: Provenance,
}

/// A call that writes a log line.
#[derive(Debug, Clone)]
pub struct Logger {
    pub callee: Callee,
    /// For methods: the names the receiver goes by (`log`, `*logger`); any when empty.
    pub receivers: Vec<String>,
    pub from: Provenance,
}

impl Logger {
    /// Whether a method call's receiver, by its last segment (`logger` of `this.logger`), is one
    /// the entry's method counts on; any receiver when the entry names none.
    pub fn accepts_receiver(&self, receiver: Option<&str>) -> bool {
        if self.receivers.is_empty() {
            return true;
        }
        let Some(receiver) = receiver.map(str::to_ascii_lowercase) else { return false };
        self.receivers.iter().any(|name| match name.strip_prefix('*') {
            Some(ending) => receiver.ends_with(&ending.to_ascii_lowercase()),
            None => receiver == name.to_ascii_lowercase(),
        })
    }
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

    /// list, runner: whether an option key or a chain method bounds the rows.
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

/// A call that authenticates requests, or is named like one that does (see [`GuardSpec`]).
#[derive(Debug, Clone)]
pub struct Guard {
    pub callee: Callee,
    pub role: GuardRole,
    pub from: Provenance,
}

/// A call that registers a route or mounts middleware (see [`RouteSpec`]).
#[derive(Debug, Clone)]
pub struct Route {
    pub callee: Callee,
    pub role: RouteRole,
    pub parameters: RouteSpec,
    pub from: Provenance,
}

/// A package that provides its capabilities once a setting is switched on (see [`PackageSpec`]).
#[derive(Debug, Clone)]
pub struct PackageSwitch {
    pub module: String,
    pub function: String,
    pub setting: String,
    pub provides: Vec<Capability>,
    pub from: Provenance,
}

/// Rust payload types that declare no shape (`serde_json::Value`, `HashMap`), and the methods that
/// read a field out of them (see [`ValidatorSpec`], `role = "untyped"`).
#[derive(Debug, Clone)]
pub struct UntypedPayload {
    pub types: Vec<String>,
    pub field_reads: Vec<String>,
    pub from: Provenance,
}

/// A decorator that makes a method a route handler, or a class a controller (see [`RouteSpec`]).
#[derive(Debug, Clone)]
pub struct RouteDecorator {
    pub name: String,
    pub role: RouteRole,
    pub http_method: Option<String>,
    pub from: Provenance,
}

/// What the models say one `receiver.method(..)` call does for routing: every entry of that
/// method (frameworks share names: Express's `route(path)` starts a chain, Fastify's
/// `route(options)` registers a route).
#[derive(Debug, Clone, Default)]
pub struct Routing<'k> {
    method: String,
    entries: Vec<&'k Route>,
}

impl<'k> Routing<'k> {
    pub(super) fn new(method: &str, entries: Vec<&'k Route>) -> Self {
        Routing { method: method.to_string(), entries }
    }

    fn with(&self, role: RouteRole) -> Option<&'k Route> {
        self.entries.iter().copied().find(|route| route.role == role)
    }

    /// For a call that registers a route: the HTTP method, in capitals (`ALL` for every method).
    /// None for a call whose method is an argument (Hono's `app.on`): the route rules, which
    /// group routes by method and take the path first, leave it out.
    pub fn http_method(&self) -> Option<String> {
        let route = self.with(RouteRole::Method).filter(|route| route.parameters.method_argument.is_none())?;
        Some(route.parameters.http_method.clone().unwrap_or_else(|| self.method.to_ascii_uppercase()))
    }

    /// For a call that registers a route's handler, whatever its method: the argument holding
    /// the path (the first, or Hono's `app.on(method, path, ..)` second).
    pub fn registered_path_argument(&self) -> Option<usize> {
        self.with(RouteRole::Method).map(|route| route.parameters.path_argument.unwrap_or(0))
    }

    /// The entry when the call mounts middleware for routes of its router.
    pub fn mount(&self) -> Option<&'k Route> {
        self.with(RouteRole::Mount)
    }

    /// Which routes the middleware a mounting call adds runs for.
    pub fn covers(&self) -> Option<Covers> {
        self.mount().map(|route| route.parameters.covers.unwrap_or_default())
    }

    /// Whether the call hands its argument to the route its receiver made (`web::post().to(h)`).
    pub fn hands_handler(&self) -> bool {
        self.with(RouteRole::Handler).is_some()
    }

    /// Whether the call starts a chain of routes for one path (`app.route("/orders")`).
    pub fn starts_path(&self) -> bool {
        self.with(RouteRole::Path).is_some()
    }

    /// The entry when the call registers a route from an options object.
    pub fn options(&self) -> Option<&'k Route> {
        self.with(RouteRole::Options)
    }

    /// Keys of the route's options object whose middleware runs before the handler.
    pub fn hook_options(&self) -> impl Iterator<Item = &'k str> + '_ {
        self.entries.iter().flat_map(|route| route.parameters.hook_options.iter().map(String::as_str))
    }
}

/// A Rust handler parameter type and what it says about the caller (see [`GuardSpec`]).
#[derive(Debug, Clone)]
pub struct GuardType {
    /// The type's name, its path's last segment (`BearerAuth`).
    pub name: String,
    /// The crate or module it must be imported from, when the entry says.
    pub module: Option<String>,
    pub role: GuardRole,
    pub from: Provenance,
}

/// A call that sends a response body to the client (see [`ResponseSpec`]).
#[derive(Debug, Clone)]
pub struct Response {
    pub callee: Callee,
    pub parameters: ResponseSpec,
    pub from: Provenance,
}

impl Response {
    /// Whether the receiver's root name (`res` of `res.status(500).json`) is one the response
    /// object goes by; any is, when the entry names none.
    pub fn sent_on(&self, root: &str) -> bool {
        self.parameters.receivers.is_empty() || self.parameters.receivers.iter().any(|r| r == root)
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
    /// Rust: the request object types (`HttpRequest`, `Parts`); TypeScript: types that make a
    /// function whose first parameter they annotate a handler of the object.
    pub types: Vec<String>,
    /// TypeScript: exported function names that take the object first (`handler`).
    pub exported_handlers: Vec<String>,
    /// TypeScript: methods whose second argument is an object of handlers (`addService`).
    pub registered_by: Vec<String>,
    /// Rust: the type names are the framework's own, so they count outside handlers too.
    pub anywhere: bool,
    pub from: Provenance,
}

/// TypeScript parameter decorators whose parameter is request data.
#[derive(Debug, Clone)]
pub struct SourceDecorators {
    pub names: Vec<String>,
    /// Method decorators whose method's undecorated first parameter is request data.
    pub handler_decorators: Vec<String>,
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
    /// Those that deserialise the body or query string into their type argument, by format.
    pub payloads: std::collections::BTreeMap<String, super::PayloadFormat>,
    pub from: Provenance,
}

/// Where a JWT library setting is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwitchPlace {
    /// A TypeScript option key.
    Option,
    /// A Rust struct field.
    Field,
    /// A Rust method.
    Method,
}

/// A JWT library setting that switches a check of incoming tokens off (see
/// [`super::TokenSwitchSpec`]).
#[derive(Debug, Clone)]
pub struct TokenSwitch {
    pub name: String,
    pub place: SwitchPlace,
    pub disables: super::TokenCheck,
    /// The value that switches the check off; `None` for a method that does so when called.
    pub off_when: Option<super::SwitchValue>,
    pub from: Provenance,
}
