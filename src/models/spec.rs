//! The written form of knowledge: a model file in `models/` (one per framework or library) and
//! the `[[models.*]]` tables of `archlint.toml`. Both are read into the same entries; a mistake
//! is one line that names the file, the line and what is wrong.

use super::{Language, SinkKind};
use serde::Deserialize;
use toml::Spanned;

/// Declares the sections a model file and a configuration's `[models]` both have, once: the
/// fields of [`ModelFile`] after its description, [`Sections`], and the code that moves or tests
/// them. A new section is one line here.
macro_rules! sections {
    ($($field:ident: $spec:ty,)*) => {
        /// One file of `models/`: what archlint knows about one framework or library.
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "kebab-case")]
        pub struct ModelFile {
            /// The framework or library, as its users name it (`express`, `reqwest`).
            pub name: String,
            pub language: Language,
            /// TypeScript/JavaScript: the prefixes of the qualified names the entries' `functions`
            /// are relative to (import paths, `fs.promises`). Empty for globals (`eval`, `fetch`).
            #[serde(default)]
            pub modules: Vec<String>,
            /// Rust: the crates the entries come from (for `archlint models`; paths match by suffix).
            #[serde(default)]
            pub crates: Vec<String>,
            /// The library's documentation, for people reading `archlint models`.
            pub docs: Option<String>,
            $(#[serde(default)] pub $field: Vec<$spec>,)*
        }

        impl ModelFile {
            /// The file's entries, as the sections a configuration's `[models]` has too.
            pub fn take_sections(&mut self) -> Sections {
                Sections { $($field: std::mem::take(&mut self.$field),)* }
            }
        }

        /// The entries a model file and a configuration's `[models]` both have.
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "kebab-case")]
        pub struct Sections {
            $(#[serde(default)] pub $field: Vec<$spec>,)*
        }

        impl Sections {
            pub fn is_empty(&self) -> bool {
                true $(&& self.$field.is_empty())*
            }

            /// Adds `other`'s entries after these, section by section (a configuration that
            /// extends another keeps the base's models and adds its own).
            pub fn extend(&mut self, other: Sections) {
                $(self.$field.extend(other.$field);)*
            }
        }
    };
}

sections! {
    sources: SourceSpec,
    sinks: SinkSpec,
    sanitizers: SanitizerSpec,
    propagators: PropagatorSpec,
    clients: ClientSpec,
    connections: ConnectionSpec,
    limiters: LimiterSpec,
    packages: PackageSpec,
    loggers: LoggerSpec,
    hashers: HasherSpec,
    blocking: BlockingSpec,
    keys: KeySpec,
    kdfs: KdfSpec,
    tokens: TokenSpec,
    servers: ServerSpec,
    body_limits: BodyLimitSpec,
    caches: CacheSpec,
    graphql: GraphqlSpec,
    request_timeouts: RequestTimeoutSpec,
    cookies: CookieSpec,
    validators: ValidatorSpec,
    internal_errors: InternalErrorSpec,
    queries: QuerySpec,
    body_readers: BodyReaderSpec,
    tls_switches: TlsSwitchSpec,
    token_switches: TokenSwitchSpec,
    guards: GuardSpec,
    responses: ResponseSpec,
    routes: RouteSpec,
}

/// `[models]` in `archlint.toml`: the user's own sources, sinks and sanitizers.
pub type UserModels = Sections;

/// Declares an entry struct: the keys every section has (which calls it is about), then its own.
macro_rules! entry {
    ($(#[$doc:meta])* $name:ident { $($(#[$field_doc:meta])* pub $field:ident: $ty:ty,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "kebab-case")]
        pub struct $name {
            /// In `archlint.toml`: the language of this entry (a model file says it once for all).
            pub language: Option<Spanned<Language>>,
            /// One function: `Type::method`, `module::function` (Rust), `module.function`,
            /// `Type.method` (TypeScript), or `*.method` for a method of any receiver.
            pub function: Option<Spanned<String>>,
            /// Several functions, with the same meaning as `function`.
            #[serde(default)]
            pub functions: Vec<Spanned<String>>,
            /// Methods of any receiver (`*.method` for each).
            #[serde(default)]
            pub methods: Vec<Spanned<String>>,
            /// The import the function must come from: a package (`my-framework`), a relative
            /// path (`./http/body`, matched by its last components), or a Rust module path.
            pub module: Option<Spanned<String>>,
            $($(#[$field_doc])* pub $field: $ty,)*
        }

        impl $name {
            pub fn callee(&self) -> CalleeSpec<'_> {
                CalleeSpec {
                    language: self.language.as_ref(),
                    function: self.function.as_ref(),
                    functions: &self.functions,
                    methods: &self.methods,
                    module: self.module.as_ref(),
                }
            }
        }
    };
}

/// The keys every entry has, borrowed: which calls it is about.
pub struct CalleeSpec<'s> {
    pub language: Option<&'s Spanned<Language>>,
    pub function: Option<&'s Spanned<String>>,
    pub functions: &'s [Spanned<String>],
    pub methods: &'s [Spanned<String>],
    pub module: Option<&'s Spanned<String>>,
}

impl CalleeSpec<'_> {
    /// Where the entry names its first function: the place an error about the entry points at.
    pub fn at(&self) -> Option<std::ops::Range<usize>> {
        self.function.or(self.functions.first()).map(|f| f.span())
    }
}

entry!(
    /// Where request data enters: calls whose result is request data, members and getters of a
    /// framework's request object, Rust extractor types.
    SourceSpec {
        /// A framework's request object, by role (see [`REQUEST_ROLES`](super::REQUEST_ROLES)):
        /// `request` (Express, Fastify; Rust `HttpRequest`, `Parts`), `koa-context`, ...
        pub object: Option<Spanned<String>>,
        /// TypeScript: parameter decorators whose parameter is request data (NestJS `@Body()`,
        /// `@Args()`, `@Payload()`; type-graphql `@Arg()`).
        #[serde(default)]
        pub decorators: Vec<String>,
        /// With `decorators`: the framework checks each argument against its declared schema
        /// type before the handler runs (GraphQL), so an argument or input field declared as a
        /// number or boolean (`@Arg("id", () => Int) id: number`) cannot carry text.
        #[serde(default)]
        pub schema_typed: bool,
        /// With `object`: properties (`body`, `query`) or Rust fields (`uri`) holding request data.
        #[serde(default)]
        pub members: Vec<String>,
        /// With `object`: methods whose result is request data (`get`, `cookies.get`).
        #[serde(default)]
        pub getters: Vec<String>,
        /// Rust: handler parameter types (extractors) whose value is request data.
        #[serde(default)]
        pub extractors: Vec<String>,
        /// With `object`: the object's types. Rust: handler parameter types (`HttpRequest`,
        /// `Parts`). TypeScript: types whose name in a function's first parameter annotation
        /// makes the function a handler of the object (`APIGatewayProxyEvent`, `ServerUnaryCall`).
        #[serde(default)]
        pub types: Vec<String>,
        /// TypeScript, with `object`: exported functions of these names take the object as their
        /// first parameter (AWS Lambda's `handler`).
        #[serde(default)]
        pub exported_handlers: Vec<Spanned<String>>,
        /// TypeScript, with `object`: methods that register an object of handlers as their second
        /// argument (`server.addService(definition, implementation)`), each taking the object
        /// first.
        #[serde(default)]
        pub registered_by: Vec<Spanned<String>>,
        /// TypeScript, with `decorators`: method decorators whose method's first parameter, when
        /// it has no decorator of its own, is request data too (`@MessagePattern("sum")
        /// sum(data: number[])`).
        #[serde(default)]
        pub handler_decorators: Vec<Spanned<String>>,
        /// Rust, with `types`: the names are the framework's own (`HttpRequest`), so they count
        /// in any function, not only in handlers.
        #[serde(default)]
        pub anywhere: bool,
        /// Rust: the framework whose handlers an extractor list is for (`rocket` passes data as
        /// route segments and data guards; axum and actix-web share extractor names).
        pub framework: Option<String>,
        /// Rust, with `extractors` and `module`: these extractors validate what they extract
        /// (`actix_web_validator::Json<T>` runs `T::validate`), so the handler need not.
        #[serde(default)]
        pub validated: bool,
        /// Rust, among `extractors`: those that deserialise the request's body or query string
        /// into their type argument, by format (`{ Json = "json", Query = "query" }`): the
        /// payload type's own rules (`Validate`) and secret fields matter.
        #[serde(default)]
        pub payloads: std::collections::BTreeMap<String, PayloadFormat>,
        /// Rust, among `extractors` or `types`: those distinctive enough that an async function
        /// taking one, in a file that uses the framework, is a request handler even where it is
        /// not routed (`Json<T>`, `HttpRequest`). Plain types (`String`, `Uri`) are request data
        /// only in functions known to be handlers.
        #[serde(default)]
        pub marks_handlers: Vec<Spanned<String>>,
    }
);

entry!(
    /// Where request data must not arrive: a call's argument of some kind.
    SinkSpec {
        pub kind: Spanned<SinkKind>,
        /// The argument (0-based) that must not carry request data (default 0).
        pub argument: Option<usize>,
        /// Several arguments (`copyFile(from, to)`).
        #[serde(default)]
        pub arguments: Vec<usize>,
        /// Only a sink when an options argument sets this key (`spawn(cmd, args, { shell: true })`).
        pub when_option: Option<String>,
        /// Not a sink when an options argument sets this key (`res.sendFile(p, { root })`).
        pub unless_option: Option<String>,
        /// `false`: the function also takes other things (`db.query` takes SQL text or an
        /// options object), so the rule checks that the argument reads as its kind.
        pub certain: Option<bool>,
        /// With `certain = false`: the argument is a fragment (a SQL condition such as
        /// `"id = " + id`), not a whole statement.
        #[serde(default)]
        pub fragment: bool,
        /// How the function binds values, by the module the file imports it from: `"$1"`
        /// (numbered, `$1, $2`) or `"?"` (positional), with the values as the next argument.
        /// What the SQL fix writes for a template literal.
        #[serde(default)]
        pub placeholders: std::collections::BTreeMap<String, Spanned<super::Placeholder>>,
        /// The argument holding what the call stores or hands on (a file's content, a program's
        /// argument list), which `unvalidated-request-input` checks; with `when-option`, only
        /// while that option is not set (then the argument is the sink's own).
        pub data_argument: Option<usize>,
    }
);

entry!(
    /// Calls whose result is safe for some sink kinds (escapers, parsers, validators).
    SanitizerSpec {
        /// The sink kinds the result is safe for; every kind when left out.
        #[serde(default)]
        pub kinds: Vec<Spanned<SinkKind>>,
    }
);

entry!(
    /// Calls whose result carries their arguments' (and receiver's) data.
    PropagatorSpec {}
);

entry!(
    /// HTTP client calls that send a request, and how a timeout is set on them.
    ClientSpec {
        /// Keys of the options object that bound the wait (`timeout`, `signal`).
        #[serde(default)]
        pub timeout_options: Vec<String>,
        /// Where the options object is: its argument index; by default the first argument that
        /// is neither a URL (a string or a constant holding one) nor a callback.
        pub options_argument: Option<usize>,
        /// Methods that bound the request when called on the call's result in the same function
        /// (`req.setTimeout(ms)`, `superagent.get(url).timeout(ms)`).
        #[serde(default)]
        pub timeout_methods: Vec<String>,
        /// The finding's message; `{callee}` is the call as written.
        pub message: String,
        /// How to fix it.
        pub help: String,
        /// `note` when the library's default gives up eventually (undici's 300 s), so that a
        /// missing timeout is worth a look rather than a warning.
        pub level: Option<String>,
        /// The client also runs in browsers, where a request's timeout is the browser's business:
        /// calls in browser code are left alone.
        #[serde(default)]
        pub browser: bool,
        /// Rust: the call starts a builder; `timeout-methods` are its methods that bound every
        /// request, checked where the chain (or the variable holding it) calls `build()`.
        #[serde(default)]
        pub builder: bool,
        /// Rust builders: methods that bound only the connection (`connect_timeout`), which make
        /// the finding a note.
        #[serde(default)]
        pub connect_timeout_methods: Vec<String>,
        /// What the client is called in messages about its builder (`reqwest client`).
        pub what: Option<String>,
        /// TypeScript: the option `--fix` adds to the request's options object (made when the
        /// call has none), with `{ms}` where the timeout goes: `signal: AbortSignal.timeout({ms})`.
        pub fix_option: Option<Spanned<String>>,
        /// Rust: what `--fix` writes in place of the call when it has no arguments, with
        /// `{path}` for the path as written before the function's name (`reqwest::Client::`,
        /// `Client::`) and `{duration}` for the timeout: `{path}builder().timeout({duration})..`.
        pub fix_call: Option<Spanned<String>>,
        /// Rust: the client's methods that start a request with a timeout of its own
        /// (reqwest's `client.get(url)`, a `RequestBuilder` with `.timeout(t)`): a client used
        /// only so is judged by its requests.
        #[serde(default)]
        pub request_methods: Vec<String>,
        /// Rust, with `request-methods`: the type of such a request; a function that returns one
        /// made on a client with no timeout hands it out for its callers to bound.
        pub request_type: Option<String>,
        /// TypeScript: a global default whose assignment anywhere in the project gives every
        /// request of the client a timeout (`axios.defaults.timeout`).
        pub global_default: Option<String>,
        /// TypeScript: the call makes an instance (`axios.create(..)`) whose member of this path,
        /// assigned later in the file, sets its timeout (`api.defaults.timeout = 5000`).
        pub instance_default: Option<String>,
    }
);

entry!(
    /// Calls that write a log line: what their arguments hold ends up in the service's logs
    /// (`secret-in-logs`). `console.log`, a logging library's default logger, its instances by
    /// the names they go by (`this.logger.info(..)`), a project's own `audit.record(..)`.
    /// (Rust's `tracing`/`log` macros are known without an entry.)
    LoggerSpec {
        /// TypeScript, for `methods`: the names the receiver goes by, by its last segment and
        /// in any case (`log`), or by how the name ends with a leading `*` (`*logger` is
        /// `logger`, `auditLogger`, `this.requestLogger`).
        #[serde(default)]
        pub receivers: Vec<String>,
    }
);

entry!(
    /// Calls that hash a password (`bcrypt.hash`, `crypto.scrypt`, a project's own
    /// `vault.seal(..)`): a function that calls one stores the hash, not the password
    /// (`plaintext-password`).
    HasherSpec {}
);

entry!(
    /// Calls that block the thread they run on (`fs.readFileSync`, `std::thread::sleep`, a
    /// synchronous database driver): in async code they stall every request scheduled on it
    /// (`blocking-in-async`).
    BlockingSpec {
        /// What to call instead, for the finding's help (`` `tokio::fs::read` ``). TypeScript
        /// `…Sync` functions default to their asynchronous namesake.
        pub instead: Option<String>,
        /// The call keeps its thread busy computing (password hashing, image resizing) rather
        /// than waiting: `cpu-heavy-work-in-async` reports it, not `blocking-in-async`.
        #[serde(default)]
        pub cpu: bool,
        /// For a CPU-heavy call, the finding's message, with `{callee}` for the call as written
        /// (`` `{callee}` hashes a password on the async executor, ... ``).
        pub message: Option<String>,
    }
);

entry!(
    /// Calls that take secret key material: a signing or verification key, a session or cookie
    /// secret (`jwt.sign(payload, key)`, `session({ secret })`, `EncodingKey::from_secret(key)`).
    /// A literal there is a hardcoded secret, whatever it looks like (`hardcoded-secret`).
    KeySpec {
        /// What the key is, for the message (`JWT signing key`).
        pub what: String,
        /// The argument (0-based) holding the key.
        pub argument: Option<usize>,
        /// Or the property of an options object holding it (`secret`).
        pub option: Option<String>,
        /// With `option`: the argument that is the options object (default 0; a Fastify
        /// plugin's options are what `register` passes it).
        pub options_argument: Option<usize>,
    }
);

entry!(
    /// Password hashing and key derivation calls, and where their work factor, salt and input
    /// are (`weak-kdf-parameters`): `bcrypt.hash(pw, 8)`, `crypto.pbkdf2Sync(pw, salt, 1000, 32,
    /// "sha256")`, `argon2::Params::new(m, t, p, len)`. Arguments are 0-based; options are
    /// properties of the options object at `options-argument`.
    KdfSpec {
        pub algorithm: Spanned<KdfAlgorithm>,
        /// The password or key being hashed: one named like a key (`ENCRYPTION_KEY`) needs no
        /// work factor, so the call is not judged.
        pub input_argument: Option<usize>,
        /// bcrypt: the cost factor (a `$2…` salt string there is a constant salt); scrypt: N.
        pub cost_argument: Option<usize>,
        /// With `cost-argument`: the cost is given as log2 of N (the Rust scrypt crate).
        #[serde(default)]
        pub log_cost: bool,
        pub salt_argument: Option<usize>,
        /// PBKDF2: the iteration count.
        pub iterations_argument: Option<usize>,
        /// PBKDF2: the argument naming the hash (`"sha512"`, `PBKDF2_HMAC_SHA256`); without one,
        /// the call's own text names it (`pbkdf2_hmac::<Sha256>`).
        pub digest_argument: Option<usize>,
        /// Argon2: memory (KiB) and passes given as arguments (`Params::new(m, t, ..)`, `.m_cost(m)`).
        pub memory_argument: Option<usize>,
        pub passes_argument: Option<usize>,
        /// Argon2: the argument choosing the variant (`Algorithm::Argon2i`).
        pub variant_argument: Option<usize>,
        /// The argument that is the options object.
        pub options_argument: Option<usize>,
        /// Options of that object: Argon2's memory, passes, variant and salt; scrypt's N.
        pub memory_option: Option<String>,
        pub passes_option: Option<String>,
        #[serde(default)]
        pub variant_options: Vec<String>,
        pub salt_option: Option<String>,
        #[serde(default)]
        pub cost_options: Vec<String>,
        /// Argon2 with an options object: the library's defaults for what it leaves out.
        pub default_memory: Option<u64>,
        pub default_passes: Option<u64>,
    }
);

entry!(
    /// JWT library calls and what each does with a token (`jwt-verification-disabled`,
    /// `jwt-without-expiry`): `jwt.decode(token)` reads claims without checking the signature,
    /// `jwt.verify(token, key)` checks it, `jwt.sign(payload, key, { expiresIn })` issues a token.
    /// Arguments are 0-based.
    TokenSpec {
        pub role: Spanned<TokenRole>,
        /// How messages name the call (`jwt.decode`); the function as written when left out.
        pub shown: Option<String>,
        /// decode: the library also runs in browsers (`jwt-decode`), where reading a token's
        /// claims is no decision: calls in files that use a UI framework are left alone.
        #[serde(default)]
        pub browser: bool,
        /// verify: the argument holding the key (an empty one accepts unsigned tokens in
        /// jsonwebtoken before 9.0).
        pub key_argument: Option<usize>,
        /// sign: the argument holding the claims (default 0).
        pub payload_argument: Option<usize>,
        /// sign, defaults: the argument that is the options object.
        pub options_argument: Option<usize>,
        /// sign, defaults: the option giving tokens a lifetime; a dotted path for nested options
        /// (`signOptions.expiresIn`).
        pub expiry_option: Option<String>,
        /// sign, for a builder (`new SignJWT(payload)`): the chain's methods that set the
        /// lifetime, and the one that signs (a chain that does not sign here is finished elsewhere).
        #[serde(default)]
        pub expiry_methods: Vec<String>,
        pub sign_method: Option<String>,
        /// sign: the library merges defaults given where it is registered, which `defaults` entries
        /// read (NestJS `JwtService` and `JwtModule.register({ signOptions })`).
        #[serde(default)]
        pub registered_defaults: bool,
        /// defaults: the options are what the argument's `useFactory` returns (`registerAsync`).
        #[serde(default)]
        pub factory: bool,
    }
);

entry!(
    /// Calls that make an HTTP app or server whose `listen(..)` starts serving (TypeScript:
    /// `express()`, `new Koa()`, `http.createServer(..)`, a project's own `createService()`), or
    /// that start serving (Rust: `axum::serve`, `HttpServer::new`): where the operations rules
    /// (`server-without-graceful-shutdown`, `service-without-health-check`) report.
    ServerSpec {
        /// The framework, as messages name it (`Express`, `axum`).
        pub framework: String,
        /// The framework waits for requests in flight when the process is asked to stop
        /// (actix-web, Rocket): nothing to add for shutdown.
        #[serde(default)]
        pub drains_by_default: bool,
        /// TypeScript: the call makes an app that mounts middleware (`app.use(..)`: Express,
        /// Koa, Fastify, NestJS), whose responses `missing-security-headers` expects helmet or
        /// an equivalent to give security headers.
        #[serde(default)]
        pub mounts_middleware: bool,
        /// TypeScript: options of the call (and properties of the server it makes) whose `0`
        /// switches a timeout off, with the library's default in milliseconds, which `--fix`
        /// restores (`{ requestTimeout = 300000, headersTimeout = 60000 }` for Node's server).
        #[serde(default)]
        pub timeouts_off_at_zero: std::collections::BTreeMap<String, u64>,
        /// TypeScript: an option without which requests may take forever (Fastify's
        /// `requestTimeout`, no limit by default): a server made without it is a note.
        pub required_timeout: Option<String>,
        /// Rust: the server sets no request timeout of its own (axum, warp), so one is missing
        /// unless a timeout layer wraps a router somewhere in the code it is built with.
        #[serde(default)]
        pub needs_timeout_layer: bool,
        /// With `needs-timeout-layer`: how to add one, for the finding's help.
        pub timeout_help: Option<String>,
    }
);

entry!(
    /// Calls that set how large a request body the server buffers (`unbounded-request-body`):
    /// `express.json({ limit })`, `DefaultBodyLimit::max(n)`, `to_bytes(body, n)`, a multer
    /// instance whose `limits` must be given, axum's `DefaultBodyLimit::disable()`. A limit above
    /// the rule's `max-bytes` is reported.
    BodyLimitSpec {
        /// The argument (0-based) holding the limit in bytes (`DefaultBodyLimit::max(n)`).
        pub limit_argument: Option<usize>,
        /// Or the property of an options object holding it, a size such as `"10mb"` or a number
        /// of bytes (`limit`, `bodyLimit`).
        pub limit_option: Option<String>,
        /// With `limit-option`: the argument that is the options object (default 0).
        pub options_argument: Option<usize>,
        /// An option without which there is no limit at all (multer's `limits`): its absence is
        /// reported.
        pub required_option: Option<String>,
        /// The call removes the limit the framework sets by default (`DefaultBodyLimit::disable()`).
        #[serde(default)]
        pub disables: bool,
        /// With `disables`: the framework's default limit, for the message (`2 MB`).
        pub default_limit: Option<String>,
        /// With `disables`: names whose use in the same file sets one limit for every body
        /// instead, the documented way to replace the default (`RequestBodyLimitLayer`).
        #[serde(default)]
        pub replaced_by: Vec<String>,
    }
);

entry!(
    /// Calls that send a response body to the client (`error-details-in-response`): Express's
    /// `res.json(..)`, Fastify's `reply.send(..)`, Hono's `c.json(body, 500)`, Next.js's
    /// `NextResponse.json(body, { status: 500 })`, `new Response(body, init)`. Every argument but
    /// the one holding the status is the body.
    ResponseSpec {
        /// For `methods`: the names the response object goes by (`res`, `reply`, Hono's `c`), as
        /// the root of the call's receiver; without them, any receiver.
        #[serde(default)]
        pub receivers: Vec<String>,
        /// The argument holding the status code (`c.json(body, 500)`). Without it or
        /// `status-option`, the status is a `.status(n)` chained before the call
        /// (`res.status(500).json(..)`).
        pub status_argument: Option<usize>,
        /// The property of an options object holding the status (`{ status: 500 }`).
        pub status_option: Option<String>,
        /// With `status-option`: the argument that is the options object (default 1).
        pub options_argument: Option<usize>,
        /// The property of the options object that is sent as the body (tRPC's
        /// `new TRPCError({ code, message, cause })` sends `message`, never `cause`); every
        /// argument but the status when left out.
        pub body_option: Option<String>,
    }
);

entry!(
    /// Calls that bound how long a server's requests may take (`server-without-timeout`): tower's
    /// `TimeoutLayer::new(d)`, `ServiceBuilder::new().timeout(d)`, tonic's `Server::builder()
    /// .timeout(d)`; one anywhere in a project answers a server with no timeout of its own. With
    /// `switched-off-by`, calls that switch a server's timeout off instead
    /// (`client_request_timeout(Duration::ZERO)`, `header_read_timeout(None)`).
    RequestTimeoutSpec {
        /// The argument that switches the timeout off: `zero` (`Duration::ZERO`, `0`) or `none`.
        pub switched_off_by: Option<TimeoutSwitch>,
        /// The library's default in seconds, which a fix writes back over a zero.
        pub default_secs: Option<u64>,
    }
);

/// What argument switches a server timeout off (see [`RequestTimeoutSpec`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeoutSwitch {
    /// `Duration::ZERO`, `Duration::from_secs(0)`, `0`.
    Zero,
    /// `None` (an `Option<Duration>` left empty).
    None,
}

entry!(
    /// Calls that make an in-process cache, and what bounds it (`cache-without-expiry`):
    /// `new NodeCache({ stdTTL })`, `new LRUCache({ max })`, moka's `Cache::builder()` with
    /// `.max_capacity(n)`, `LruCache::unbounded()`. A cache with neither a size nor a time bound
    /// keeps every entry for the life of the process.
    CacheSpec {
        /// What the cache is called in messages (`node-cache`, `moka cache`).
        pub what: String,
        /// Options of the first argument any of which bounds the cache (`max`, `ttl`); a
        /// non-object argument (`new LRU(500)`) or options the file does not show count as bounded.
        #[serde(default)]
        pub bound_options: Vec<String>,
        /// The call starts a builder (Rust): methods of its chain up to `build()` any of which
        /// bounds the cache (`max_capacity`, `time_to_live`).
        #[serde(default)]
        pub bound_methods: Vec<String>,
        /// The call itself makes a cache with no bound (`LruCache::unbounded()`).
        #[serde(default)]
        pub unbounded: bool,
        /// A method whose argument at `entry-ttl-argument` gives one entry a lifetime
        /// (node-cache's `cache.set(key, value, ttl)`): a file that calls it so bounds the cache.
        pub entry_ttl_method: Option<String>,
        pub entry_ttl_argument: Option<usize>,
        /// Builders: entries removed by hand (`invalidate`, `remove`) in the same file make it a
        /// map of live things rather than a cache that only grows.
        #[serde(default)]
        pub removal_methods: Vec<String>,
        /// Rust: `function` names an attribute macro that caches a function's results
        /// (`#[cached]`), bounded when any of `bound-options` is among its arguments; with
        /// `module`, only in a file that uses that crate.
        #[serde(default)]
        pub attribute: bool,
    }
);

entry!(
    /// GraphQL servers and IDE pages (`graphql-introspection-enabled`,
    /// `graphql-without-query-limits`): `new ApolloServer({ .. })`, `createYoga({ .. })`, Mercurius
    /// registered as a Fastify plugin, async-graphql's `GraphiQLSource::build()`.
    GraphqlSpec {
        /// How messages name the library (`Apollo`, `GraphQL Yoga`).
        pub library: String,
        /// The call makes a server; its options object is this argument (default 0).
        pub options_argument: Option<usize>,
        /// The function is a Fastify plugin handed to `register(plugin, options)` (Mercurius):
        /// the options are `register`'s second argument.
        #[serde(default)]
        pub plugin: bool,
        /// Options that turn introspection or an IDE on when `true`.
        #[serde(default)]
        pub switches: Vec<String>,
        /// Options that bound what one query may cost (`validationRules`, `queryDepth`); a
        /// `plugins` option naming a depth, complexity or cost limit counts too.
        #[serde(default)]
        pub limit_options: Vec<String>,
        /// The call renders a GraphQL IDE page, and the schema it introspects, to whoever asks.
        #[serde(default)]
        pub ide_page: bool,
        /// The call starts a schema builder (Rust): methods of the builder any of which bounds
        /// what one query may cost (async-graphql's `limit_depth`, `limit_complexity`).
        #[serde(default)]
        pub limit_methods: Vec<String>,
        /// The call makes a schema with no builder, so with no limits (`Schema::new(..)`).
        #[serde(default)]
        pub unlimited: bool,
        /// Rust, with `limit-methods`: the builder's methods that finish the schema (`finish`),
        /// where a builder with no limit on the way is reported.
        #[serde(default)]
        pub finish_methods: Vec<String>,
        /// Rust: the entry counts only in files that use this crate (a `use` of it or a path
        /// through it), for a schema type projects alias (`type Schema = async_graphql::Schema<..>`).
        pub file_uses: Option<String>,
        /// Rust schemas: how to bound the schema, for the finding's help.
        pub help: Option<String>,
    }
);

entry!(
    /// Calls that set a cookie, configure a session's cookie or build one, and what the library
    /// leaves on or off (`insecure-cookie`): Express's `res.cookie(name, value, options)`, Koa's
    /// `ctx.cookies.set(..)`, express-session's `session({ cookie })`, the `cookie` crate's
    /// `Cookie::build(..)` with its builder methods, actix-session's `.cookie_secure(false)`.
    CookieSpec {
        pub role: Spanned<CookieRole>,
        /// How messages name the library (`express-session`); the function as written when left out.
        pub library: Option<String>,
        /// set: the arguments holding the cookie's name, value and options (default 0, 1, 2).
        pub name_argument: Option<usize>,
        pub value_argument: Option<usize>,
        pub options_argument: Option<usize>,
        /// set, for `methods`: the receivers the method counts on, by the last segment of their
        /// path (`res` covers `this.res`), or `*.cookies` for a member `cookies` of anything.
        #[serde(default)]
        pub receivers: Vec<String>,
        /// session: the option holding the cookie's options (express-session's `cookie`); the
        /// options themselves when left out.
        pub cookie_option: Option<String>,
        /// set, session: flags the library turns on unless told not to (`secure` meaning on
        /// HTTPS requests, as the `cookies` package behind Koa does): only an explicit `false`
        /// weakens the cookie, and a fix takes the `false` out.
        #[serde(default)]
        pub on_by_default: Vec<CookieFlag>,
        /// session: the library takes `secure: "auto"` (Secure on HTTPS requests), which a fix writes.
        #[serde(default)]
        pub secure_auto: bool,
        /// build (Rust): the builder's methods that set each attribute (`secure = ["secure",
        /// "set_secure"]`).
        #[serde(default)]
        pub attribute_methods: std::collections::BTreeMap<CookieAttribute, Vec<String>>,
        /// build: methods that make the cookie one that removes itself (`make_removal`).
        #[serde(default)]
        pub removal_methods: Vec<String>,
        /// build: builder types a function returns when it leaves the flags to its caller's chain
        /// (`CookieBuilder`).
        #[serde(default)]
        pub builder_types: Vec<String>,
        /// switch (Rust): the flag the call's boolean argument turns on or off.
        pub flag: Option<CookieFlag>,
    }
);

entry!(
    /// Calls that validate request data (`unvalidated-request-input`), or make a schema that
    /// accepts anything (`missing-input-validation`): a schema's
    /// `schema.parse(value)` (zod, joi, yup, ajv, valibot), express-validator's
    /// `validationResult(req)`, and the validator middleware a route lists before its handler
    /// (`body("email").isEmail()`, `celebrate({ .. })`). A project's own validation helper is one.
    ValidatorSpec {
        pub role: Spanned<ValidatorRole>,
        /// For `methods`: receivers whose method of that name checks nothing (`JSON.parse`,
        /// `url.parse` read text into a value).
        #[serde(default)]
        pub not_receivers: Vec<String>,
        /// accepts-anything: only when the call has no arguments (zod's `z.custom<T>()` accepts
        /// every value; `z.custom<T>(check)` checks).
        #[serde(default)]
        pub without_arguments: bool,
        /// not-validating: property decorators, by name, instead of calls.
        #[serde(default)]
        pub decorators: Vec<Spanned<String>>,
        /// untyped (Rust): payload types, by their last segment, that declare no shape
        /// (`serde_json::Value`, `HashMap`).
        #[serde(default)]
        pub types: Vec<Spanned<String>>,
        /// untyped: the methods that read a field out of such a payload (`get`, `pointer`).
        #[serde(default)]
        pub field_reads: Vec<String>,
        /// pipe: the framework, as its `[[servers]]` entries name it, whose apps must install
        /// the pipe for every route or leave their DTOs unchecked (`NestJS`).
        pub framework: Option<Spanned<String>>,
        /// pipe: the parameter decorators whose value the pipe checks against the parameter's
        /// class (`Body`, `Query`).
        #[serde(default)]
        pub parameter_decorators: Vec<Spanned<String>>,
        /// pipe: the app's methods that install pipes for every route (`useGlobalPipes`).
        #[serde(default)]
        pub global_methods: Vec<Spanned<String>>,
        /// pipe: provider tokens that install a pipe for every route (`APP_PIPE`), with the
        /// pipe's class as `useClass` (its default options) or an instance as `useValue`.
        #[serde(default)]
        pub global_providers: Vec<Spanned<String>>,
        /// pipe: class and method decorators that install pipes for the routes they decorate
        /// (`UsePipes`).
        #[serde(default)]
        pub route_decorators: Vec<Spanned<String>>,
        /// pipe: constructor options that strip or reject properties the DTO does not declare
        /// (`whitelist`, `forbidNonWhitelisted`); with none set, they reach the handler.
        #[serde(default)]
        pub strict_options: Vec<Spanned<String>>,
    }
);

entry!(
    /// ORM, query-builder and driver calls, by what they do with the database
    /// (`unbounded-query`, `query-in-loop`, `mass-assignment`, `unvalidated-request-input`):
    /// Prisma's `findMany`, TypeORM's `getMany`, Sequelize's `create`. Named by `methods`, they
    /// count on receivers that read as a database handle, model or repository (`prisma.user`,
    /// `this.orderRepository`, `User`); named by `function` (`OrderRepo.listAll`), on the receivers
    /// declared as or named like that type.
    QuerySpec {
        pub role: Spanned<QueryRole>,
        /// list: the options (`take`, `limit`) and chain methods (`.limit(n)`) that bound the
        /// rows, besides the paging words every list takes (`take`, `limit`, `skip`, `page`, …);
        /// runner: chain methods that bound them (TypeORM's `whereInIds`).
        #[serde(default)]
        pub bound_options: Vec<String>,
        #[serde(default)]
        pub bound_methods: Vec<String>,
        /// runner: a method the chain must have called for it to be this library's built query
        /// (TypeORM's `createQueryBuilder`).
        pub after: Option<String>,
        /// Rust runner: the chain may start with SQL text, whose `LIMIT` and `WHERE` say whether
        /// it is bounded: a call the models say is an SQL sink (`sqlx::query(..)`,
        /// `diesel::sql_query(..)`), or one of `sql-macros`.
        #[serde(default)]
        pub sql_text: bool,
        /// Rust runner: macros whose first string is the SQL text (sqlx's `query!`, `query_as!`).
        #[serde(default)]
        pub sql_macros: Vec<String>,
        /// Rust runner: the methods that make a chain this library's query builder (diesel's
        /// `filter`, `select`, `order`).
        #[serde(default)]
        pub builder_methods: Vec<String>,
        /// Rust runner: the paths a builder chain starts at, by their last segments, `*` for any
        /// one segment (diesel's `table` in `users::table`, `dsl::*` in `users::dsl::users`).
        #[serde(default)]
        pub root_paths: Vec<String>,
        /// Rust runner: the functions a builder chain starts by calling, by their last segment
        /// (SeaORM's `find` in `post::Entity::find()`).
        #[serde(default)]
        pub root_calls: Vec<String>,
    }
);

entry!(
    /// Authentication as route checks see it (`inconsistent-route-auth`,
    /// `route-before-auth-middleware`): middleware, NestJS guards and Rust layers that reject a
    /// request without credentials (`passport.authenticate`, `HttpAuthentication::bearer`), ones
    /// named like them that reject nothing (`passport.initialize`), the calls a middleware is
    /// handed through (axum's `from_fn`), and Rust handler parameter types by what they say
    /// about the caller (`BearerAuth` requires credentials, `Extension<T>` carries what `T` says,
    /// `State<T>` says nothing).
    GuardSpec {
        pub role: Spanned<GuardRole>,
        /// Rust, for `extractor`, `carrier` and `not-auth`: the types, by their last segment; with
        /// `module`, only when the type is imported from it.
        #[serde(default)]
        pub types: Vec<Spanned<String>>,
    }
);

entry!(
    /// How a framework registers routes and mounts middleware: the handler registry that the
    /// rules about handlers read, and the route checks (`inconsistent-route-auth`,
    /// `route-before-auth-middleware`, `auth-route-without-rate-limit`,
    /// `unvalidated-request-input`). Express's `app.get("/orders", auth, handler)`,
    /// `app.use(auth)` and `app.route("/orders").post(..)`; Fastify's `route({ url, handler })`
    /// and `addHook("onRequest", auth)`; NestJS's `@Get()` on a method of a `@Controller()` class;
    /// axum's `.route("/orders", post(create))` and `.route_layer(..)`; actix-web's
    /// `#[post("/orders")]`, `web::post().to(create)` and `.wrap(..)`. TypeScript calls are named
    /// by `methods` (a router is any receiver: what makes a call a route is its path argument);
    /// Rust functions, methods and attributes by their name alone.
    RouteSpec {
        pub role: Spanned<RouteRole>,
        /// method: the HTTP method it registers, when not the method's or decorator's own name
        /// in capitals (`DELETE` for Express 3's `del`); `ALL` is every method.
        pub http_method: Option<String>,
        /// method, TypeScript: the argument holding the path, when it is not the first
        /// (Hono's `app.on(method, path, handler)`).
        pub path_argument: Option<usize>,
        /// method, TypeScript: the argument holding the HTTP method (a string or an array of
        /// them) instead of the call's name (Hono's `app.on("PURGE", "/cache", handler)`). Such a
        /// call registers a handler; the route rules, which group routes by method, leave it out.
        pub method_argument: Option<usize>,
        /// mount: the first argument names a hook (`addHook("onRequest", auth)`), not a path prefix.
        #[serde(default)]
        pub hook_argument: bool,
        /// mount: which routes of the router the middleware runs for: those registered `later`
        /// (Express's `use`, the default), `earlier` (axum's `layer`) or `all` of them
        /// (actix-web's `wrap`, Fastify's hooks).
        pub covers: Option<Covers>,
        /// method, options: keys of a route's options object whose middleware runs before the
        /// handler (Fastify's `preHandler`, `onRequest`).
        #[serde(default)]
        pub hook_options: Vec<String>,
        /// options: the keys of the options object holding the handler and the path.
        pub handler_option: Option<String>,
        pub path_option: Option<String>,
        /// method, controller: decorators instead of calls (NestJS's `Get`, `Controller`).
        #[serde(default)]
        pub decorators: Vec<Spanned<String>>,
    }
);

/// What a route entry says (see [`RouteSpec`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RouteRole {
    /// Registers its last argument as the handler of a path (its first argument, or the path
    /// of a `path` call the chain started with), after the route's own middleware; or, as a
    /// method decorator, makes the method a handler of its controller.
    Method,
    /// Mounts middleware for the routes registered after it on the same router, all of them or
    /// those under a path prefix given first (`app.use("/admin", auth)`).
    Mount,
    /// Starts a chain whose `method` calls register routes for the path it is given
    /// (`app.route("/orders").get(..)`).
    Path,
    /// Registers a route from one options object (`fastify.route({ method, url, handler })`).
    Options,
    /// A class decorator whose methods with `method` decorators are handlers; its first
    /// argument (or its `path` option) prefixes their paths.
    Controller,
    /// Rust: hands its argument to the route its receiver made (actix-web's
    /// `web::post().to(create)`).
    Handler,
}

/// Which routes of a router a mounted middleware runs for (see [`RouteSpec`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Covers {
    /// The routes registered after it (Express's `use`).
    #[default]
    Later,
    /// The routes registered before it (axum's `layer`, `route_layer`).
    Earlier,
    /// Every route of the router, wherever it is registered (actix-web's `wrap`).
    All,
}

impl RouteRole {
    pub fn name(self) -> &'static str {
        match self {
            RouteRole::Method => "method",
            RouteRole::Mount => "mount",
            RouteRole::Path => "path",
            RouteRole::Options => "options",
            RouteRole::Controller => "controller",
            RouteRole::Handler => "handler",
        }
    }
}

/// What an authentication entry says (see [`GuardSpec`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GuardRole {
    /// Rejects requests without credentials wherever it is mounted (a middleware, a NestJS
    /// guard class, a Rust layer or its constructor).
    Middleware,
    /// Named like authentication, but lets every request through (loads or decodes the user,
    /// sets up a session, authenticates only when credentials are there).
    NotEnforcing,
    /// Rust: hands a middleware to a router: the function it is given (its last argument) or the
    /// extractor in its turbofish is what counts (`from_fn(require_auth)`).
    Mount,
    /// Rust: a builder whose `.layer(..)` arguments are what counts (tower's `ServiceBuilder`).
    Stack,
    /// Rust: a handler parameter of this type rejects requests without credentials.
    Extractor,
    /// Rust: a handler parameter of this type holds what its type argument says
    /// (`Extension<CurrentUser>`, `ReqData<Claims>`).
    Carrier,
    /// Rust: a handler parameter of this type never authenticates, whatever its name.
    NotAuth,
}

impl GuardRole {
    pub fn name(self) -> &'static str {
        match self {
            GuardRole::Middleware => "middleware",
            GuardRole::NotEnforcing => "not-enforcing",
            GuardRole::Mount => "mount",
            GuardRole::Stack => "stack",
            GuardRole::Extractor => "extractor",
            GuardRole::Carrier => "carrier",
            GuardRole::NotAuth => "not-auth",
        }
    }

    /// Whether the role is about handler parameter types (`types`) rather than calls.
    pub fn is_type_role(self) -> bool {
        matches!(self, GuardRole::Extractor | GuardRole::Carrier | GuardRole::NotAuth)
    }
}

/// What a query call does (see [`QuerySpec`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QueryRole {
    /// Returns every row it matches unless bounded (`findMany`, `findAll`): `unbounded-query`.
    List,
    /// Runs a built query for all its rows (`getMany`; in Rust `fetch_all`, diesel's `load`,
    /// SeaORM's `all`): `unbounded-query`.
    Runner,
    /// Reads a single row, whatever the query says (`findOne`, `oneOrNone`).
    SingleRow,
    /// Reads from the database: one per iteration of a loop is `query-in-loop`'s N+1.
    Read,
    /// Takes values to look rows up, count or remove them (`where`, `count`, `destroy`):
    /// `unvalidated-request-input`.
    Lookup,
    /// Writes its object argument as a record (`create`, `update`, `save`): `mass-assignment`,
    /// `unvalidated-request-input`.
    Write,
}

impl QueryRole {
    pub fn name(self) -> &'static str {
        match self {
            QueryRole::List => "list",
            QueryRole::Runner => "runner",
            QueryRole::SingleRow => "single-row",
            QueryRole::Read => "read",
            QueryRole::Lookup => "lookup",
            QueryRole::Write => "write",
        }
    }
}

/// How a Rust extractor's payload arrives (see [`SourceSpec`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PayloadFormat {
    Json,
    Msgpack,
    Form,
    Query,
}

impl PayloadFormat {
    /// Whether a value in this format can nest and change type under its reader (a JSON body);
    /// forms and query strings are flat maps of strings.
    pub fn nests(self) -> bool {
        matches!(self, PayloadFormat::Json | PayloadFormat::Msgpack)
    }
}

/// What a validator call does (see [`ValidatorSpec`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValidatorRole {
    /// Checks the value it is given (or the request's recorded checks) in the handler.
    Check,
    /// Validates the request when listed among a route's middleware.
    Middleware,
    /// Makes a schema that accepts every value (`z.any()`, `z.unknown()`): a validation step
    /// that checks nothing (`missing-input-validation`, for a tRPC procedure's input).
    AcceptsAnything,
    /// Property decorators that document, map or persist a DTO property without checking its
    /// value (swagger's `@ApiProperty`, TypeORM's `@Column`): a DTO with only these has nothing
    /// for a `ValidationPipe` to check (`missing-input-validation`).
    NotValidating,
    /// Rust payload types that declare no shape (`Json<serde_json::Value>`, `Json<HashMap<..>>`):
    /// a handler that reads fields out of one relies on a shape nothing checks
    /// (`missing-input-validation`).
    Untyped,
    /// A class whose instances validate a controller parameter against its declared class
    /// (NestJS's `ValidationPipe`), and how an app installs one (`missing-input-validation`).
    Pipe,
}

impl ValidatorRole {
    pub fn name(self) -> &'static str {
        match self {
            ValidatorRole::Check => "check",
            ValidatorRole::Middleware => "middleware",
            ValidatorRole::AcceptsAnything => "accepts-anything",
            ValidatorRole::NotValidating => "not-validating",
            ValidatorRole::Untyped => "untyped",
            ValidatorRole::Pipe => "pipe",
        }
    }
}

/// What a cookie call does (see [`CookieSpec`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CookieRole {
    /// Sets one cookie from a name, a value and options.
    Set,
    /// Makes session middleware whose options configure the session cookie.
    Session,
    /// Starts a cookie builder (Rust) whose methods set the attributes.
    Build,
    /// Turns a session layer's cookie flag on or off by its boolean argument (Rust).
    Switch,
    /// Takes away the cookie it is given (`jar.remove(cookie)`), which needs no flags.
    Remove,
}

impl CookieRole {
    pub fn name(self) -> &'static str {
        match self {
            CookieRole::Set => "set",
            CookieRole::Session => "session",
            CookieRole::Build => "build",
            CookieRole::Switch => "switch",
            CookieRole::Remove => "remove",
        }
    }
}

/// A cookie flag a library may leave off (see [`CookieSpec`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CookieFlag {
    /// Sent only over HTTPS.
    Secure,
    /// Not readable by page scripts.
    HttpOnly,
}

/// The attributes a cookie builder sets (see [`CookieSpec`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CookieAttribute {
    Secure,
    HttpOnly,
    SameSite,
    MaxAge,
    Expires,
}

/// What a JWT library call does with a token (see [`TokenSpec`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenRole {
    /// Reads the claims without checking the signature.
    Decode,
    /// Checks the signature (a middleware or strategy that does so counts too).
    Verify,
    /// Issues a token.
    Sign,
    /// Registers options every `sign` of the library merges in.
    Defaults,
}

impl TokenRole {
    pub fn name(self) -> &'static str {
        match self {
            TokenRole::Decode => "decode",
            TokenRole::Verify => "verify",
            TokenRole::Sign => "sign",
            TokenRole::Defaults => "defaults",
        }
    }
}

/// The families `weak-kdf-parameters` knows the minimums of (see [`KdfSpec`]); `salt` is a call
/// that makes a salt from what it is given (`SaltString::from_b64("..")`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KdfAlgorithm {
    Bcrypt,
    Argon2,
    Pbkdf2,
    Scrypt,
    Salt,
}

impl KdfAlgorithm {
    pub fn name(self) -> &'static str {
        match self {
            KdfAlgorithm::Bcrypt => "bcrypt",
            KdfAlgorithm::Argon2 => "argon2",
            KdfAlgorithm::Pbkdf2 => "pbkdf2",
            KdfAlgorithm::Scrypt => "scrypt",
            KdfAlgorithm::Salt => "salt",
        }
    }
}

entry!(
    /// Calls that open a long-lived connection, pool or client (`new Pool(..)`,
    /// `reqwest::Client::new()`): made once and shared, they reuse connections; made for every
    /// request, they open new ones each time.
    ConnectionSpec {
        /// What the call makes, for messages (`PostgreSQL pool`, `Redis client`).
        pub what: String,
        /// What it connects to: `database`, `cache`, `http` or `broker`.
        pub kind: Spanned<super::ConnectionKind>,
        /// Options that set the connection's timeouts, where `0` turns one off
        /// (`db-pool-without-timeout`).
        #[serde(default)]
        pub timeout_options: Vec<String>,
        /// An option the call must set: without it the client waits forever for a connection
        /// (pg's `connectionTimeoutMillis`, which defaults to no limit). Rust: a builder method
        /// the chain from the call must call before `.build()` (deadpool's `wait_timeout`), or
        /// another of its `timeout-methods`.
        pub required_timeout: Option<String>,
        /// Rust: builder methods that set how long a caller waits for a connection
        /// (`acquire_timeout`, `connection_timeout`): hours, or `Duration::MAX`, are reported.
        #[serde(default)]
        pub timeout_methods: Vec<String>,
        /// Rust, with `required-timeout`: the calls `--fix` adds before `.build()` when the chain
        /// has none of that method, `{duration}` standing for the rule's `fix-timeout-ms` and
        /// `{crate}` for the builder's crate (`.wait_timeout(Some({duration}))`); a call after
        /// the first makes the fix unsafe (it may need a crate feature).
        #[serde(default)]
        pub fix_calls: Vec<String>,
        /// For a key-value store (`kind = "cache"`): the types a variable or field holding the
        /// client is declared with (`Redis`, `RedisClientType`; `cache-without-expiry`).
        #[serde(default)]
        pub client_types: Vec<String>,
        /// Its methods that write a key with no expiry unless told (`set`, `setnx`, `mset`).
        #[serde(default)]
        pub writes_without_expiry: Vec<String>,
        /// Its methods that expire or remove a key (`expire`, `del`): one in the same function
        /// answers a write.
        #[serde(default)]
        pub expiring_methods: Vec<String>,
        /// Rust, for a database: values handed to a connect call that mean no TLS at all
        /// (tokio-postgres's `NoTls`), by their last segment (`database-without-tls`).
        #[serde(default)]
        pub plaintext_connectors: Vec<String>,
        /// Rust, for a database: enum variants that switch TLS off (`PgSslMode::Disable`), by
        /// their last two segments.
        #[serde(default)]
        pub plaintext_modes: Vec<String>,
        /// Rust, for a database: the builder methods that name the host it connects to
        /// (`PgConnectOptions::host`).
        #[serde(default)]
        pub host_methods: Vec<String>,
        /// TypeScript, for a database: option keys whose `false` switches TLS off (`ssl`,
        /// mssql's `encrypt`), at any depth of the options.
        #[serde(default)]
        pub tls_options: Vec<String>,
        /// TypeScript, for a database: option keys holding the host (`host`, mssql's `server`).
        #[serde(default)]
        pub host_options: Vec<String>,
        /// TypeScript, for a database: option keys holding a connection URL (`connectionString`).
        #[serde(default)]
        pub url_options: Vec<String>,
        /// TypeScript, for a database: option keys that only database options have (`database`,
        /// Sequelize's `dialectOptions`), which tell an options object written apart from its call.
        #[serde(default)]
        pub database_options: Vec<String>,
        /// TypeScript, for a database: an option naming the database a network server is, by
        /// option (`{ dialect = ["postgres", "mysql"] }` for Sequelize; SQLite is no server).
        #[serde(default)]
        pub dialects: std::collections::BTreeMap<String, Vec<String>>,
    }
);

/// A package whose use gives a service something a rule asks about: a health route, draining on
/// shutdown, security headers (`@nestjs/terminus` provides `health-check`). A project's own
/// server kit is one too.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PackageSpec {
    /// In `archlint.toml`: the entry's language (a model file says it once for all).
    pub language: Option<Spanned<Language>>,
    /// `@godaddy/terminus`, `./platform/server-kit` (matched by its last components).
    pub module: Spanned<String>,
    pub provides: Spanned<Vec<Capability>>,
    /// With `security-headers`: options of the package's middleware whose `false` switches one
    /// of its protections off, by the protection (`{ hsts = "hsts", noSniff = "no-sniff",
    /// frameguard = "framing", contentSecurityPolicy = "content-security-policy" }`).
    #[serde(default)]
    pub options_off: std::collections::BTreeMap<String, Protection>,
    /// With `redacted-secrets`: the methods that read a secret out as plain text
    /// (`expose_secret`): a value read through one is no longer redacted.
    #[serde(default)]
    pub exposed_by: Vec<String>,
    /// The package provides its capabilities only once a setting is switched on:
    /// `{ function = "set", setting = "sanitizeFilter" }` for `mongoose.set("sanitizeFilter", true)`.
    pub switched_on_by: Option<PackageSwitchSpec>,
}

/// A package function that switches a setting on (see [`PackageSpec`]).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PackageSwitchSpec {
    /// The function of the package, by its name under the package (`set`).
    pub function: String,
    /// The setting, the call's first argument (`sanitizeFilter`); `true` as the second switches it on.
    pub setting: String,
}

/// A protection security-header middleware gives browsers (see [`PackageSpec`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protection {
    /// `Strict-Transport-Security`: browsers refuse plain HTTP.
    Hsts,
    /// `X-Content-Type-Options: nosniff`.
    NoSniff,
    /// `X-Frame-Options` (or CSP `frame-ancestors`): other sites cannot frame the pages.
    Framing,
    /// `Content-Security-Policy`.
    ContentSecurityPolicy,
}

/// What a package can provide (see [`PackageSpec`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// Liveness and readiness routes (`service-without-health-check`).
    HealthCheck,
    /// Draining on `SIGTERM` (`server-without-graceful-shutdown`).
    GracefulShutdown,
    /// Browser security headers (`missing-security-headers`).
    SecurityHeaders,
    /// MongoDB operators stripped from request data for the whole app (`nosql-injection`).
    NosqlSanitizing,
    /// The framework validates each route's request against the schema the route declares
    /// (Fastify): `unvalidated-request-input` leaves its files to `missing-input-validation`.
    RouteSchemas,
    /// Rust: secret types that print redacted (`secrecy`'s `SecretString`): `secret-in-logs`
    /// takes a logged value in a file that uses the crate for one, unless it is exposed
    /// (`expose_secret()`).
    RedactedSecrets,
}

impl Capability {
    pub fn name(self) -> &'static str {
        match self {
            Capability::HealthCheck => "health-check",
            Capability::GracefulShutdown => "graceful-shutdown",
            Capability::SecurityHeaders => "security-headers",
            Capability::NosqlSanitizing => "nosql-sanitizing",
            Capability::RouteSchemas => "route-schemas",
            Capability::RedactedSecrets => "redacted-secrets",
        }
    }
}

/// A setting that switches TLS certificate verification off when given a certain value
/// (`tls-verification-disabled`): Node's `rejectUnauthorized: false` in any options object,
/// MongoDB's `tlsAllowInvalidCertificates: true`, reqwest's `.danger_accept_invalid_certs(true)`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TlsSwitchSpec {
    /// In `archlint.toml`: the entry's language (a model file says it once for all).
    pub language: Option<Spanned<Language>>,
    /// TypeScript: an option key, in any object literal.
    pub option: Option<Spanned<String>>,
    /// Rust: a builder method whose boolean argument is the setting.
    pub method: Option<Spanned<String>>,
    /// The value that turns verification off: `false` for `rejectUnauthorized`, `true` for
    /// `danger_accept_invalid_certs`.
    pub off_when: bool,
}

/// A JWT library setting that switches a check of incoming tokens off
/// (`jwt-verification-disabled`): jsonwebtoken's `ignoreExpiration: true` or an `algorithms`
/// list holding `none`; the Rust crate's `validate_exp = false`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TokenSwitchSpec {
    /// In `archlint.toml`: the entry's language (a model file says it once for all).
    pub language: Option<Spanned<Language>>,
    /// TypeScript: an option key, in any object literal of a file that uses a JWT library.
    pub option: Option<Spanned<String>>,
    /// Rust: a field of the validation settings, assigned or written in a struct literal in a
    /// file that uses a JWT crate of the models' `[[tokens]]` entries (`validate_exp`).
    pub field: Option<Spanned<String>>,
    /// Rust: a method of the validation settings (`insecure_disable_signature_validation`).
    pub method: Option<Spanned<String>>,
    /// The check the setting switches off.
    pub disables: TokenCheck,
    /// The value that switches it off; a method without one does so by being called.
    pub off_when: Option<Spanned<SwitchValue>>,
}

/// A check a JWT library makes of an incoming token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenCheck {
    /// The signature, and so that the claims are the issuer's.
    Signature,
    /// That the token has not expired.
    Expiry,
}

/// The value of a setting that switches a check off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SwitchValue {
    True,
    False,
    /// The algorithm `none`, alone or in a list.
    None,
    /// An empty collection (`HashSet::new()`, `&[]`), or a method's empty first argument.
    Empty,
}

/// What reads a whole request body into memory in a framework with no body limit of its own
/// (`unbounded-request-body`): poem's `Json<T>` extractor, a poem `#[handler]` taking `String`,
/// Hono's `c.req.json()`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BodyReaderSpec {
    /// In `archlint.toml`: the entry's language (a model file says it once for all).
    pub language: Option<Spanned<Language>>,
    /// The framework whose handlers read so (`poem`, `hono`).
    pub framework: Spanned<String>,
    /// TypeScript: the package a file must import (or a subpath of it) for the getters to count;
    /// Rust: the crate a file uses when it is the framework's app, where a `[[body-limits]]` call
    /// bounds what the handlers read (`poem`).
    pub module: Option<String>,
    /// Rust: handler extractor types that buffer the body (`Json`, `Form`).
    #[serde(default)]
    pub extractors: Vec<String>,
    /// Rust: types a plain handler may take as the body itself (`String`, `Bytes`, `Vec<u8>`).
    #[serde(default)]
    pub body_types: Vec<String>,
    /// Rust: a type parameter that makes an extractor a stream rather than a buffer (`Body` of
    /// `Binary<Body>`).
    #[serde(default)]
    pub streaming: Vec<String>,
    /// TypeScript: getters of the framework's request that read the whole body (`req.json`).
    #[serde(default)]
    pub getters: Vec<String>,
    /// TypeScript: functions, as `module.function`, that serve the framework's app on a runtime
    /// that sets no body limit either (`@hono/node-server.serve`): where a note is reported.
    #[serde(default)]
    pub servers: Vec<String>,
    /// TypeScript: validator middleware, as `module.function`, that reads the body when its first
    /// argument is one of `body-targets` (`@hono/zod-validator.zValidator("json", schema)`).
    #[serde(default)]
    pub validators: Vec<String>,
    #[serde(default)]
    pub body_targets: Vec<String>,
    /// TypeScript, with `servers`: how to bound bodies, for the finding's help.
    pub limit_help: Option<String>,
}

/// A library error type whose text describes the service's internals (a query, a host, a file
/// path): an error response that displays one hands them to the client
/// (`error-details-in-response`). A project's own error type that wraps such details is one too.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct InternalErrorSpec {
    /// In `archlint.toml`: the entry's language (a model file says it once for all).
    pub language: Option<Spanned<Language>>,
    /// The type as a field declares it, by its path's last segments (`sqlx::Error`, `DbErr`,
    /// `Box<dyn Error`).
    #[serde(rename = "type")]
    pub type_name: Spanned<String>,
}

/// A request rate limiter: a package or module (TypeScript) or a crate or module path (Rust)
/// whose import anywhere in the code it is built with means the service limits requests
/// (`auth-route-without-rate-limit`). A project's own limiter is one too.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LimiterSpec {
    /// In `archlint.toml`: the entry's language (a model file says it once for all).
    pub language: Option<Spanned<Language>>,
    /// `express-rate-limit`, `./middleware/rate-limit` (matched by its last components);
    /// `tower_governor`, `crate::limits`.
    pub module: Spanned<String>,
}
