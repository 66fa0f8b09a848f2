//! What a scan produces: findings (a rule matched) and notices (something the scan could not do:
//! a file that did not parse, a file skipped, a malformed suppression).

use crate::source::{Position, SourceFile, Span};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "note" => Some(Level::Note),
            "warning" => Some(Level::Warning),
            "error" => Some(Level::Error),
            _ => None,
        }
    }
}

/// A project-level truth that a file establishes, gathered in the per-file pass and read in the
/// project pass (for example: `axios.defaults.timeout` is set somewhere, so no axios call in the
/// project lacks a timeout).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fact {
    /// A client's global default timeout is assigned somewhere (`axios.defaults.timeout`, as the
    /// models' `global-default` names it).
    ClientDefaultTimeout(String),
    /// Some call of a function or method of this name, made in another file than the one that
    /// defines it, is raced against a timer or handed to a timeout wrapper
    /// (`withTimeout(api.loadRates(base), 5_000)`): the requests it makes are bounded by their
    /// caller.
    RacedAgainstTimer(String),
    /// Some code sets a timeout on what a function of this name returns
    /// (`self.request(..).timeout(t)`): a request it hands out may be bounded by its callers.
    TimeoutSetOnResultOf(String),
    /// Query filters are sanitised for the whole app: `mongoose.set("sanitizeFilter", true)` or
    /// `express-mongo-sanitize` mounted.
    MongoFiltersSanitized,
    /// A NestJS app validates every request DTO: `app.useGlobalPipes(new ValidationPipe(..))` or
    /// an `APP_PIPE` provider.
    NestGlobalValidation,
    /// Some NestJS controller takes a DTO class with `@Body()`/`@Query()`.
    NestDtoParameters,
    /// A TypeScript class of this name declares properties and none of them carries a validation
    /// decorator (only swagger, class-transformer or ORM ones, or none): a `ValidationPipe`
    /// checks nothing in it.
    NestDtoWithoutValidators(String),
    /// A Rust struct of this name derives `validator::Validate` or `garde::Validate`.
    ValidatedStruct(String),
    /// The project mounts a request rate limiter somewhere.
    RateLimiterPresent,
    /// The project adds a request-timeout layer (tower-http `TimeoutLayer`, ...) somewhere.
    ServerTimeoutLayer,
    /// Some function taking this type calls `validate`: handlers may hand the payload to it.
    ValidatedInHelper(String),
    /// A serialisable Rust struct of this name has no `exp` field: JWT claims of this type never expire.
    ClaimsWithoutExp(String),
    /// A serialisable Rust struct of this name has an `exp` field, or fields that cannot be known.
    ClaimsWithExp(String),
    /// A NestJS `JwtModule.register(..)`/`registerAsync(..)` gives every token a default
    /// `signOptions.expiresIn`, or passes options the code does not show (a config service), which
    /// may.
    NestJwtDefaultExpiry,
    /// Some `@UseGuards(..)` lists this NestJS guard class after an authentication guard
    /// (`@UseGuards(JwtAuthGuard, RolesGuard)`), which has verified the token by the time it runs.
    NestGuardAfterAuthGuard(String),
    /// An ORM hook or setter hashes passwords when a record is saved (`pre("save")`,
    /// `@BeforeInsert`, a Sequelize setter): a `password` written as it came is hashed on the way.
    PasswordHashedOnSave,
    /// A function that hashes a password passes it to a service method of this name
    /// (`this.usersService.create({ .., password: hash })`): what that method stores is a hash.
    PasswordHashedBeforeCall(String),
    /// A method of the project's data layer hashes the password of the parameter it is handed
    /// before storing (`class Users { create(data) { .. hash(data.password) .. } }`), keyed
    /// `user.create#0`: the layer's name without its plural or `Service`/`Model`/.. suffix, the
    /// method and the parameter. A write through it (`models.users.create({ password })`) stores
    /// a hash.
    PasswordHashedBy(String),
    /// A DTO class of this name declares a password field: storing the DTO whole stores it.
    DtoWithPassword(String),
    /// A `package.json` of the project depends on Express 4 (or earlier): a rejected promise of
    /// an async route handler never reaches the error middleware.
    Express4,
    /// `express-async-errors` is loaded somewhere: Express passes rejected promises on.
    ExpressAsyncErrors,
    /// The project limits GraphQL queries somewhere: a depth or complexity package is imported
    /// (`graphql-depth-limit`, `graphql-query-complexity`, GraphQL Armor, ...).
    GraphqlQueryLimits,
    /// Some async-graphql schema builder of the project calls `limit_depth`/`limit_complexity`:
    /// a builder one function hands out may be limited by another.
    GraphqlBuilderLimited,
    /// A handler of this framework (the models' `[[body-readers]]`) reads a whole request body
    /// (Hono's `c.req.json()`, a `json`/`form` validator).
    BodyRead(String),
    /// Some file of a service of this framework (`hono`, `poem`) sets a body limit the models
    /// name (Hono's `bodyLimit`, poem's `SizeLimit::new(n)`).
    BodyLimit(String),
    /// The project sets browser security headers: helmet (or an equivalent package) is used, or
    /// some code sets `Content-Security-Policy`, `Strict-Transport-Security` or
    /// `X-Content-Type-Options` by hand.
    SecurityHeadersSet,
    /// A request validator is mounted for the whole app (`app.use(OpenApiValidator.middleware(..))`,
    /// `app.use(validateRequest(..))`): every handler's input is checked before it runs.
    AppValidationMiddleware,
    /// Some route registration passes a validator middleware before its handler
    /// (`router.post("/x", validate(schema), controller.create)`): handlers written apart from
    /// their routes are assumed to be behind one.
    RouteValidationMiddleware,
    /// A middleware overwrites this field of the request body with a value of its own
    /// (`req.body.UserId = session.user.id; next()`): handlers read it as server data.
    RequestBodyFieldSetByServer(String),
    /// A NestJS app guards every route: `app.useGlobalGuards(..)` or an `APP_GUARD` provider
    /// (rate-limit guards such as `ThrottlerGuard` do not count).
    NestGlobalGuard,
    /// A Rust service wraps routes in an authentication middleware somewhere: actix-web
    /// `.wrap(HttpAuthentication::bearer(..))`, axum `.layer(from_fn(require_auth))`.
    RustAuthMiddleware,
    /// The service drains on shutdown: a `SIGTERM` handler, a graceful-shutdown library
    /// (`@godaddy/terminus`, `http-terminator`, …), NestJS `enableShutdownHooks()`, axum's
    /// `with_graceful_shutdown`, tonic's `serve_with_shutdown`, ….
    GracefulShutdown,
    /// The service has a liveness or readiness route (`/health`, `/healthz`, `/readyz`, …) or a
    /// health-check library (`@nestjs/terminus`, `lightship`, …).
    HealthRoute,
    /// A request handler calls this function of another file (`weather::fetchForecast`,
    /// `ReportsService::build`, Rust `weather::fetch`: the defining file's stem or the type, and
    /// the function): what it makes, it makes per request.
    CalledFromHandler(String),
    /// A Rust module declared for tests only (`#[cfg(test)] mod testutils;`): the path, from the
    /// root, of its file without `.rs` (`src/email/testutils`), whose file and submodules are
    /// test code wherever they are.
    TestModule(String),
    /// A rustls certificate verifier of this type is installed (`set_certificate_verifier`,
    /// `with_custom_certificate_verifier`), under a condition that names a verification switch
    /// (`if config.skip_tls_verify`) or not.
    CertVerifierInstalled { verifier: String, switched: bool },
    /// Never recorded by a file: the project pass answers it for a TypeScript module that only
    /// browser code imports (`crate::flows::importers`), so it runs in the browser whatever it
    /// says of itself.
    OnlyBrowserCodeImports,
}

/// A secondary location: where the data came from, or what configures the flagged object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Related {
    pub message: String,
    pub start: Position,
    pub end: Position,
    /// The file, when it is not the finding's (a step of a flow across files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl Related {
    /// A location in `file`.
    pub fn at(file: &SourceFile, span: Span, message: impl Into<String>) -> Related {
        Related { message: message.into(), start: file.position(span.start), end: file.position(span.end), path: None }
    }

    /// The intermediate steps of a data flow (bindings, concatenations), each named by its code.
    pub fn steps_through(file: &SourceFile, steps: &[Span]) -> Vec<Related> {
        steps
            .iter()
            .map(|step| Related::at(file, *step, format!("flows through `{}`", crate::text::shorten(file.slice(*step), 60))))
            .collect()
    }

    /// A data flow as locations: its source, described by `source_message`, then its steps.
    pub fn flow(file: &SourceFile, flow: &crate::taint::Flow, source_message: String) -> Vec<Related> {
        let mut locations = vec![Related::at(file, flow.source, source_message)];
        locations.extend(Related::steps_through(file, &flow.steps));
        locations
    }

    /// The file this location is in, for a finding in `finding_path`.
    pub fn path_or<'p>(&'p self, finding_path: &'p str) -> &'p str {
        self.path.as_deref().unwrap_or(finding_path)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub level: Level,
    pub path: String,
    pub start: Position,
    pub end: Position,
    #[serde(skip)]
    pub span: Span,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    /// For findings that follow data: the path from the source to the sink (the flagged span is
    /// the last step and is not repeated here). Becomes a SARIF `codeFlow`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flow: Vec<Related>,
    /// The source text of the flagged span with whitespace and comments removed: the part of the
    /// baseline/fingerprint key that survives edits elsewhere in the file.
    #[serde(skip)]
    pub snippet: String,
    /// Project facts any of which, when present anywhere, answers this finding (it is withdrawn).
    #[serde(skip)]
    pub withdrawn_by: Vec<Fact>,
    /// Project facts any of which keeps this finding although a fact of `withdrawn_by` holds:
    /// a verifier installed under a switch in one place and unconditionally in another.
    #[serde(skip)]
    pub kept_by: Vec<Fact>,
    /// Calls that answer this finding when the function they call validates the argument at
    /// that position (a body handed to a service that validates it): the project pass decides,
    /// from the callees' summaries.
    #[serde(skip)]
    pub answered_by_validating: Vec<(crate::taint::Callee, usize)>,
    /// A project fact without which this finding does not hold (it is withdrawn when absent):
    /// "`CreateUser` is never validated" holds only if `CreateUser` derives `Validate` somewhere.
    #[serde(skip)]
    pub requires: Option<Fact>,
    /// Set when a suppression comment matched; kept out of SARIF unless asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
    /// The edit that removes the flaw, when the remedy is mechanical (`--fix`, SARIF `fixes`,
    /// the editor's code action).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// Text edits in a finding's file that remove its flaw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Fix {
    /// What the fix does, in one line (`add \`timeout: 10_000\``).
    pub description: String,
    pub applicability: Applicability,
    /// Non-overlapping, in file order.
    pub edits: Vec<Edit>,
}

/// Whether a fix may be applied without a person looking at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// The code behaves as before apart from the flaw being gone (`--fix`).
    Safe,
    /// It changes behaviour a person should weigh, or needs a value a person should choose
    /// (`--fix --unsafe-fixes`).
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// One replacement: the text between two positions (and byte offsets) becomes `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Edit {
    pub start: Position,
    pub end: Position,
    /// Byte offsets into the file's text, `[start, end)`.
    pub offsets: (usize, usize),
    pub replacement: String,
}

impl Edit {
    pub fn replace(file: &SourceFile, span: Span, replacement: impl Into<String>) -> Edit {
        Edit {
            start: file.position(span.start),
            end: file.position(span.end),
            offsets: (span.start, span.end),
            replacement: replacement.into(),
        }
    }

    pub fn insert(file: &SourceFile, at: usize, text: impl Into<String>) -> Edit {
        Edit::replace(file, Span::new(at, at), text)
    }
}

impl Finding {
    pub fn new(rule: &'static str, level: Level, file: &SourceFile, span: Span, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            level,
            path: file.rel_path.clone(),
            start: file.position(span.start),
            end: file.position(span.end),
            span,
            message: message.into(),
            help: None,
            related: Vec::new(),
            flow: Vec::new(),
            snippet: normalized_snippet(file.slice(span)),
            withdrawn_by: Vec::new(),
            kept_by: Vec::new(),
            answered_by_validating: Vec::new(),
            requires: None,
            suppressed: None,
            fix: None,
        }
    }

    /// Attaches a fix made of `edits` (given in any order).
    pub fn with_fix(&mut self, description: impl Into<String>, applicability: Applicability, mut edits: Vec<Edit>) -> &mut Finding {
        edits.sort_by_key(|edit| edit.offsets);
        self.fix = Some(Fix { description: description.into(), applicability, edits });
        self
    }

    pub fn with_help(&mut self, help: impl Into<String>) -> &mut Finding {
        self.help = Some(help.into());
        self
    }

    /// Adds a fact that answers this finding; several may (any one withdraws it).
    pub fn withdrawn_by(&mut self, fact: Fact) -> &mut Finding {
        self.withdrawn_by.push(fact);
        self
    }

    /// Adds a fact that keeps this finding whatever `withdrawn_by` says.
    pub fn kept_by(&mut self, fact: Fact) -> &mut Finding {
        self.kept_by.push(fact);
        self
    }

    pub fn requires(&mut self, fact: Fact) -> &mut Finding {
        self.requires = Some(fact);
        self
    }

    pub fn with_related(&mut self, file: &SourceFile, span: Span, message: impl Into<String>) -> &mut Finding {
        self.related.push(Related::at(file, span, message));
        self
    }

    /// Attaches a data flow: its source becomes a related location (so every viewer shows where
    /// the data came from) and the whole path a code flow.
    pub fn with_flow(&mut self, file: &SourceFile, flow: &crate::taint::Flow) -> &mut Finding {
        let source = format!("request data enters here: `{}`", flow.source_text);
        self.with_related(file, flow.source, source.clone());
        self.flow.extend(Related::flow(file, flow, source));
        self
    }

    /// Deterministic output order: path, line, column, rule, then message.
    pub fn sort_key(&self) -> (&str, usize, usize, &str, &str) {
        (&self.path, self.start.line, self.start.column, self.rule, &self.message)
    }
}

fn normalized_snippet(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).take(200).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoticeKind {
    /// The file is not valid Rust/TypeScript; it was not analysed.
    ParseError,
    /// The file was not read: too large, binary, not UTF-8, unreadable, too deeply nested.
    FileSkipped,
    /// A suppression comment that archlint could not understand.
    InvalidSuppression,
    /// A suppression comment that suppressed nothing.
    UnusedSuppression,
    /// A rule failed on a file (a bug in archlint); the rest of the scan went on.
    InternalError,
}

impl NoticeKind {
    pub fn id(self) -> &'static str {
        match self {
            NoticeKind::ParseError => "parse-error",
            NoticeKind::FileSkipped => "file-skipped",
            NoticeKind::InvalidSuppression => "invalid-suppression",
            NoticeKind::UnusedSuppression => "unused-suppression",
            NoticeKind::InternalError => "internal-error",
        }
    }
    pub fn level(self) -> Level {
        match self {
            NoticeKind::InternalError | NoticeKind::InvalidSuppression => Level::Warning,
            _ => Level::Note,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub kind: NoticeKind,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<Position>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<Position>,
    pub message: String,
    /// The rule an internal error happened in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
}

impl Notice {
    pub fn file(kind: NoticeKind, path: impl Into<String>, message: impl Into<String>) -> Notice {
        Notice { kind, path: path.into(), start: None, end: None, message: message.into(), rule: None }
    }

    /// A rule failed on a file, at the node it was given.
    pub fn internal_error(file: &SourceFile, span: Span, rule: &'static str) -> Notice {
        let message =
            format!("rule `{rule}` failed on this file (a bug in archlint; please report it); its other findings here are missing");
        Notice { rule: Some(rule), ..Notice::at(NoticeKind::InternalError, file, span, message) }
    }

    pub fn at(kind: NoticeKind, file: &SourceFile, span: Span, message: impl Into<String>) -> Notice {
        Notice {
            kind,
            path: file.rel_path.clone(),
            start: Some(file.position(span.start)),
            end: Some(file.position(span.end)),
            message: message.into(),
            rule: None,
        }
    }

    pub fn sort_key(&self) -> (&str, usize, usize, NoticeKind, &str) {
        let (line, column) = self.start.map_or((0, 0), |p| (p.line, p.column));
        (&self.path, line, column, self.kind, &self.message)
    }
}
