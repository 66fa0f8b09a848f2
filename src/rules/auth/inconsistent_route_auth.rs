//! `inconsistent-route-auth`: a state-changing route without authentication next to sibling
//! routes that have it. When the same router, NestJS controller or Rust handler file guards some
//! of its POST/PUT/PATCH/DELETE routes one by one, the developer decided per route, and a route
//! left out is more often forgotten than public. Routes covered as a group (`router.use(auth)`,
//! a class-level `@UseGuards`, a global guard, an auth `wrap`/`layer`) are not per-route
//! decisions and are left alone, as are routes that say they are public.

use crate::diagnostic::Fact;
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{children_by_field, descendants, is_function_like, named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::rules::auth::route_before_auth_middleware::{
    call_chain, is_auth_layer, is_auth_name, is_public_path, prefix_covers, ts_auth_middleware, PUBLIC_SEGMENTS,
};
use crate::rules::auth::{call_arguments, tight_tokens};
use crate::rules::helpers::words;
use crate::rules::{check_option_names, string_list_option, Context, Rule, RuleEntry, RuleOptions};
use crate::source::Span;
use syn::visit::{self, Visit};
use syn::Expr;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "inconsistent-route-auth", build };

struct InconsistentRouteAuth {
    /// Extra middleware and layer names (`auth-middleware`), as in `route-before-auth-middleware`.
    auth_middleware: Vec<String>,
    /// Extra Rust extractor type names that authenticate (`auth-extractors`), by last segment.
    auth_extractors: Vec<String>,
    /// Extra public route patterns (`public-paths`), `*` matching any run of characters.
    public_paths: Vec<String>,
    /// Extra NestJS decorators that mark a route public (`public-decorators`), without the `@`.
    public_decorators: Vec<String>,
}

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(InconsistentRouteAuth {
        auth_middleware: string_list_option(options, ENTRY.id, "auth-middleware")?,
        auth_extractors: string_list_option(options, ENTRY.id, "auth-extractors")?,
        public_paths: string_list_option(options, ENTRY.id, "public-paths")?,
        public_decorators: string_list_option(options, ENTRY.id, "public-decorators")?,
    }))
}

const HELP: &str = "give the route the same authentication as its siblings; if it is public on purpose, list its path in `public-paths` or suppress the finding with the reason";
const NEST_HELP: &str = "add `@UseGuards(..)` to the route (or to the controller class), or mark it public with `@Public()` (or a decorator listed in `public-decorators`) if it is public on purpose";
const RUST_HELP: &str = "take the same authentication extractor as the sibling handlers, or wrap the scope or router in the authentication middleware; if the handler is public on purpose, list its path in `public-paths`";

/// HTTP methods that change state, as router methods and decorators name them.
const STATE_CHANGING: &[&str] = &["post", "put", "patch", "delete", "del"];

/// Whether a handler's name says it is public (`login`, `register_user`, `forgotPassword`): the
/// path does not always say so (a Rust handler routed elsewhere, `@Post()` on an auth controller).
fn is_public_handler_name(name: &str) -> bool {
    let words = words(name);
    let joined = words.join("-");
    words.iter().any(|w| PUBLIC_SEGMENTS.contains(&w.as_str()) || is_public_word(w))
        || ["sign-in", "sign-up", "sign-out", "log-in", "log-out", "reset-password", "forgot-password"].iter().any(|p| joined.contains(p))
}

/// Words that make a path segment public (`/refresh-tokens`, `/forgot/password`,
/// `/send-verification-email` is not: it names no sign-in flow by itself).
const PUBLIC_WORDS: &[&str] = &[
    "login",
    "logout",
    "signin",
    "signup",
    "signout",
    "register",
    "registration",
    "refresh",
    "token",
    "tokens",
    "webhook",
    "webhooks",
    "callback",
    "health",
    "healthz",
    "forgot",
    "reset",
    "unsubscribe",
    "confirm",
    "confirmation",
    "activate",
    "activation",
    "recover",
    "recovery",
    "oauth",
    "oauth2",
    "captcha",
    "pow",
    "public",
];

/// A public word, also inside a longer one for the sign-in words (`prelogin`, `autologin`).
fn is_public_word(word: &str) -> bool {
    PUBLIC_WORDS.contains(&word) || ["login", "logout", "signin", "signup", "register"].iter().any(|w| word.contains(w))
}

/// Collections that a sign-up creates a member of: `POST /users` without authentication is
/// how an account is made.
const SIGN_UP_COLLECTIONS: &[&str] = &["users", "accounts", "members"];

impl InconsistentRouteAuth {
    /// Whether a route is public by its path: the shared public segments and `public-paths`,
    /// a segment with a public word (`/refresh-tokens`, `/forgot/password`), or a sign-up
    /// (`POST /users`).
    fn is_public_route(&self, method: &str, path: &str) -> bool {
        if is_public_path(&self.public_paths, path) {
            return true;
        }
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty() && !s.starts_with([':', '{', '<', '*'])).collect();
        if segments.iter().any(|segment| words(segment).iter().any(|w| is_public_word(w))) {
            return true;
        }
        let last = path.split('/').rfind(|s| !s.is_empty()).unwrap_or("");
        method.eq_ignore_ascii_case("post") && SIGN_UP_COLLECTIONS.contains(&last.to_ascii_lowercase().as_str())
    }
}

/// Guards that limit or cache requests rather than authenticate them.
fn is_rate_limit_guard(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("throttl") || lower.contains("ratelimit") || lower.contains("rate_limit")
}

// ----- TypeScript: Express, Koa router, Fastify -----

/// One route registration on a router object.
struct TsRoute {
    method: String,
    path: String,
    /// Where a finding goes: the path argument (or the method, for `route(path).post(..)`).
    span: Span,
    /// The route's own authentication middleware, with where it is.
    auth: Option<(String, Span)>,
    /// The handler itself checks who is calling (`if (!req.user) return res.sendStatus(401)`), or
    /// a middleware of the route works with the user (`security.appendUserId()`, `loadUser`),
    /// which may or may not reject anonymous requests, or closes the route (`denyAll()`): not
    /// judged either way.
    checks_inline: bool,
}

/// The routes and auth `use`s of one receiver (`app`, `router`, `this.router`) in a file.
#[derive(Default)]
struct TsRouter {
    receiver: String,
    routes: Vec<TsRoute>,
    /// Auth mounted for the receiver's routes: `None` for all, `Some(prefix)` under a prefix.
    auth_uses: Vec<Option<String>>,
}

/// Fastify route options that run before the handler.
const FASTIFY_HOOKS: &[&str] = &["preHandler", "onRequest", "preValidation", "preParsing"];

impl InconsistentRouteAuth {
    fn ts_auth(&self, node: Node<'_>, model: &TsModel<'_>) -> Option<String> {
        let node = model.unwrap_expression(node);
        if node.kind() == "object" {
            // Fastify: `{ preHandler: [fastify.authenticate] }`, `{ onRequest: fastify.auth([..]) }`.
            return named_children(node).filter(|p| p.kind() == "pair").find_map(|pair| {
                let key = model.text(pair.field("key")?);
                FASTIFY_HOOKS.contains(&key).then(|| ts_auth_middleware(&self.auth_middleware, pair.field("value")?, model)).flatten()
            });
        }
        ts_auth_middleware(&self.auth_middleware, node, model).or_else(|| {
            // Authorization that implies authentication: `isAdmin`, `requireRole("editor")`.
            let callee = if node.kind() == "call_expression" { node.field("function")? } else { node };
            let name = model.text(callee);
            let words = words(name);
            let controls = matches!(callee.kind(), "identifier" | "member_expression")
                && words.iter().any(|w| matches!(w.as_str(), "role" | "roles" | "permission" | "permissions" | "admin"));
            controls.then(|| if node.kind() == "call_expression" { format!("{name}(..)") } else { name.to_string() })
        })
    }

    fn check_ts_routers(&self, program: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let mut routers: Vec<TsRouter> = Vec::new();
        for statement in descendants(program).filter(|n| n.kind() == "expression_statement") {
            let Some(expression) = statement.named_child(0).map(|e| model.unwrap_expression(e)) else { continue };
            let expression =
                if expression.kind() == "await_expression" { expression.named_child(0).unwrap_or(expression) } else { expression };
            let Some((receiver, links)) = call_chain(expression, model) else { continue };
            let index = match routers.iter().position(|r| r.receiver == receiver) {
                Some(index) => index,
                None => {
                    routers.push(TsRouter { receiver: receiver.clone(), ..TsRouter::default() });
                    routers.len() - 1
                }
            };
            let router = &mut routers[index];
            let mut chained_path: Option<String> = None;
            for (method, call) in links {
                let arguments = call_arguments(call);
                match method {
                    "use" | "addHook" => {
                        let prefix = arguments.first().and_then(|a| model.string_value(*a));
                        let rest = if prefix.is_some() { &arguments[1..] } else { &arguments[..] };
                        if rest.iter().any(|m| self.ts_auth(*m, model).is_some()) {
                            // `addHook("onRequest", auth)` names a hook, not a path.
                            router.auth_uses.push(prefix.filter(|p| method == "use" && p.starts_with('/')));
                        }
                    }
                    "route" => chained_path = arguments.first().and_then(|a| model.string_value(*a)),
                    "get" | "post" | "put" | "patch" | "delete" | "del" | "all" => {
                        let (path, handlers, span) = match &chained_path {
                            // `router.route("/orders/:id").patch(..)`: the method names the route.
                            Some(path) => {
                                let method_name = call.field("function").and_then(|f| f.field("property")).unwrap_or(call);
                                (path.clone(), &arguments[..], span_of(method_name))
                            }
                            None => {
                                let Some(first) = arguments.first() else { continue };
                                let Some(path) = model.string_value(*first) else { continue };
                                (path, &arguments[1..], span_of(*first))
                            }
                        };
                        let Some((handler, middleware)) = handlers.split_last() else { continue };
                        // `app.post("/api/products", security.isAuthorized())` registers only the
                        // check; the handler comes from a later registration of the same route.
                        let auth = middleware.iter().chain([handler]).find_map(|m| self.ts_auth(*m, model).map(|name| (name, span_of(*m))));
                        // `app.all("/api/*", requireAuth)`: a guard for everything under the path.
                        if method == "all" && auth.is_some() {
                            router.auth_uses.push(Some(path.trim_end_matches('*').to_string()));
                            continue;
                        }
                        let checks_inline = (is_function_like(handler.kind()) && checks_caller(model.text(*handler)))
                            || handlers.iter().any(|m| handles_user(*m, model) || denies_all(*m, model));
                        let method = if method == "del" { "delete" } else { method };
                        router.routes.push(TsRoute { method: method.to_ascii_uppercase(), path, span, auth, checks_inline });
                    }
                    _ => {}
                }
            }
        }
        for router in &routers {
            self.report_ts_router(router, cx);
        }
    }

    fn report_ts_router(&self, router: &TsRouter, cx: &mut Context<'_>) {
        let changes_state = |route: &&TsRoute| STATE_CHANGING.contains(&route.method.to_ascii_lowercase().as_str());
        // Covered by a `use`, or by another registration of the same method and path with auth
        // or its own check.
        let covered = |route: &TsRoute| {
            router.auth_uses.iter().any(|prefix| prefix.as_deref().is_none_or(|p| prefix_covers(p, &route.path)))
                || router
                    .routes
                    .iter()
                    .any(|other| (other.auth.is_some() || other.checks_inline) && other.method == route.method && other.path == route.path)
        };
        let mut resources: Vec<&str> = router.routes.iter().filter(changes_state).map(|r| resource_of(&r.path)).collect();
        resources.sort_unstable();
        resources.dedup();
        for resource in resources {
            let in_resource = |route: &&TsRoute| changes_state(route) && resource_of(&route.path) == resource;
            let guarded: Vec<&TsRoute> = router.routes.iter().filter(in_resource).filter(|r| r.auth.is_some()).collect();
            let unguarded: Vec<&TsRoute> = router
                .routes
                .iter()
                .filter(in_resource)
                .filter(|r| r.auth.is_none() && !covered(r) && !self.is_public_route(&r.method, &r.path))
                .collect();
            if !guarded.is_empty() {
                self.report_ts_routes(router, &guarded, &unguarded, cx);
            }
        }
    }

    fn report_ts_routes(&self, router: &TsRouter, guarded: &[&TsRoute], unguarded: &[&TsRoute], cx: &mut Context<'_>) {
        for route in unguarded {
            let Some(sibling) = guarded.iter().min_by_key(|g| g.span.start.abs_diff(route.span.start)) else { continue };
            let Some((auth, auth_span)) = &sibling.auth else { continue };
            let line = cx.file.position(auth_span.start).line;
            let message = format!(
                "`{} {}` on `{}` has no authentication middleware, while `{} {}` on the same router requires `{auth}` (line {line})",
                route.method, route.path, router.receiver, sibling.method, sibling.path
            );
            let file = cx.file;
            cx.report(route.span, message).with_help(HELP).with_related(
                file,
                *auth_span,
                "a sibling route that changes state requires authentication here",
            );
        }
    }
}

/// The resource a route path names, by its first segment after `api`/`rest` and version
/// prefixes (`/api/v1/orders/:id` → `orders`); a router's own relative paths (`/`, `/:id/cancel`)
/// all name the router's resource (`""`). One app object often serves many resources, each
/// with its own public and private routes.
fn resource_of(path: &str) -> &str {
    let is_prefix = |s: &str| {
        let lower = s.to_ascii_lowercase();
        lower == "api" || lower == "rest" || (lower.starts_with('v') && lower.len() > 1 && lower[1..].chars().all(|c| c.is_ascii_digit()))
    };
    match path.split('/').filter(|s| !s.is_empty()).find(|s| !is_prefix(s)) {
        Some(segment) if !segment.starts_with([':', '{', '<', '*']) => segment,
        _ => "",
    }
}

/// Whether a route middleware refuses every request (`security.denyAll()`): the route is closed,
/// which says nothing about whether its siblings need a signed-in user.
fn denies_all(middleware: Node<'_>, model: &TsModel<'_>) -> bool {
    let middleware = model.unwrap_expression(middleware);
    let callee = if middleware.kind() == "call_expression" { middleware.field("function") } else { Some(middleware) };
    callee
        .filter(|c| matches!(c.kind(), "identifier" | "member_expression"))
        .is_some_and(|c| words(model.text(c)).iter().any(|w| w == "deny"))
}

/// Whether a route middleware works with the calling user by its name: `security.appendUserId()`,
/// `loadCurrentUser`, `attachUser`.
fn handles_user(middleware: Node<'_>, model: &TsModel<'_>) -> bool {
    let middleware = model.unwrap_expression(middleware);
    let callee = if middleware.kind() == "call_expression" { middleware.field("function") } else { Some(middleware) };
    callee
        .filter(|c| matches!(c.kind(), "identifier" | "member_expression"))
        .is_some_and(|c| words(model.text(c)).iter().any(|w| w == "user"))
}

/// Whether an inline handler checks who is calling itself: it reads the authenticated user or
/// answers 401/403.
fn checks_caller(text: &str) -> bool {
    ["req.user", "request.user", "ctx.state.user", "req.session.user", "isAuthenticated(", "401", "403", "Unauthorized", "Forbidden"]
        .iter()
        .any(|needle| text.contains(needle))
}

// ----- TypeScript: NestJS -----

/// Nest route decorators that change state.
const NEST_STATE_CHANGING: &[&str] = &["Post", "Put", "Patch", "Delete"];

/// Decorators that mark a route public under a global or class guard: `@Public()`,
/// `@SkipAuth()`, `@AllowAnonymous()`, `@Unprotected()` (nest-keycloak-connect).
fn is_public_decorator_name(name: &str) -> bool {
    let words = words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    has("public")
        || has("anonymous")
        || has("unprotected")
        || has("unauthenticated")
        || words.concat().contains("noauth")
        || (has("skip") && words.iter().any(|w| w.starts_with("auth") || w == "jwt" || w == "guard" || w == "guards"))
}

/// The decorators of a class or class member, wherever tree-sitter puts them: as the node's
/// `decorator` children, as siblings before it in a class body (comments between them skipped),
/// or on the `export` statement.
fn decorators_of(node: Node<'_>) -> Vec<Node<'_>> {
    let mut decorators: Vec<Node<'_>> = children_by_field(node, "decorator").collect();
    let mut previous = node.prev_named_sibling();
    while let Some(sibling) = previous.filter(|p| matches!(p.kind(), "decorator" | "comment")) {
        if sibling.kind() == "decorator" {
            decorators.push(sibling);
        }
        previous = sibling.prev_named_sibling();
    }
    if let Some(export) = node.parent().filter(|p| p.kind() == "export_statement") {
        decorators.extend(children_by_field(export, "decorator"));
    }
    decorators
}

/// `@Name(args)` or `@Name` → the name (`Post`, `UseGuards`) and the call's arguments, if any.
fn decorator_parts<'n>(decorator: Node<'n>, model: &TsModel<'n>) -> Option<(&'n str, Vec<Node<'n>>)> {
    let expression = decorator.named_child(0)?;
    match expression.kind() {
        "call_expression" => {
            let callee = expression.field("function")?;
            let name = model.text(callee.field("property").unwrap_or(callee));
            Some((name, call_arguments(expression)))
        }
        "identifier" => Some((model.text(expression), Vec::new())),
        "member_expression" => Some((model.text(expression.field("property")?), Vec::new())),
        _ => None,
    }
}

/// What a set of decorators says about a route's or class's authentication.
#[derive(Default)]
struct NestAuth {
    /// The enforcing decorator as written (`@UseGuards(JwtAuthGuard)`, `@Auth()`), with its span.
    guard: Option<(String, Span)>,
    public: bool,
}

impl InconsistentRouteAuth {
    fn nest_auth(&self, decorators: &[Node<'_>], model: &TsModel<'_>) -> NestAuth {
        let mut auth = NestAuth::default();
        for decorator in decorators {
            let Some((name, arguments)) = decorator_parts(*decorator, model) else { continue };
            let shown = || (crate::rules::shorten(model.text(*decorator), 60), span_of(*decorator));
            if is_public_decorator_name(name) || self.public_decorators.iter().any(|p| p.trim_start_matches('@') == name) {
                auth.public = true;
            } else if name == "UseGuards" {
                if arguments.iter().any(|a| self.is_auth_guard(model.text(*a))) {
                    auth.guard.get_or_insert_with(shown);
                }
            } else if !name.starts_with("Api") && is_auth_name(&self.auth_middleware, name) {
                // A composed decorator (`@Auth(Role.Admin)`, `@Authenticated()`); `@ApiBearerAuth()`
                // only documents the API.
                auth.guard.get_or_insert_with(shown);
            }
        }
        auth
    }

    fn check_nest_controller(&self, class: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let class_decorators = decorators_of(class);
        let Some(controller) = class_decorators.iter().find_map(|d| decorator_parts(*d, model).filter(|(name, _)| *name == "Controller"))
        else {
            return;
        };
        let class_auth = self.nest_auth(&class_decorators, model);
        if class_auth.guard.is_some() || class_auth.public {
            return;
        }
        // `@Controller("orders")` or `@Controller({ path: "orders", version: "1" })`.
        let prefix = controller
            .1
            .first()
            .and_then(|a| match model.object_literal(*a) {
                Some(object) => match model.property(object, "path") {
                    crate::lang::typescript::Property::Found(path) => model.string_value(path),
                    _ => None,
                },
                None => model.string_value(*a),
            })
            .unwrap_or_default();
        let Some(body) = class.field("body") else { return };

        struct NestRoute<'n> {
            method: &'static str,
            path: String,
            span: Span,
            auth: NestAuth,
            name: Node<'n>,
        }
        let mut routes: Vec<NestRoute<'_>> = Vec::new();
        for member in named_children(body).filter(|m| m.kind() == "method_definition") {
            let decorators = decorators_of(member);
            let Some((method, path, span)) = decorators.iter().find_map(|d| {
                let (name, arguments) = decorator_parts(*d, model)?;
                let method = NEST_STATE_CHANGING.iter().find(|m| **m == name)?;
                let path = arguments.first().and_then(|a| model.string_value(*a)).unwrap_or_default();
                Some((*method, path, span_of(*d)))
            }) else {
                continue;
            };
            let Some(name) = member.field("name") else { continue };
            routes.push(NestRoute { method, path: format!("{prefix}/{path}"), span, auth: self.nest_auth(&decorators, model), name });
        }
        let guarded: Vec<&NestRoute<'_>> = routes.iter().filter(|r| r.auth.guard.is_some()).collect();
        let unguarded: Vec<&NestRoute<'_>> = routes
            .iter()
            .filter(|r| r.auth.guard.is_none() && !r.auth.public)
            .filter(|r| !self.is_public_route(r.method, &r.path) && !is_public_handler_name(model.text(r.name)))
            .collect();
        if guarded.is_empty() {
            return;
        }
        for route in unguarded {
            let Some(sibling) = guarded.iter().min_by_key(|g| g.span.start.abs_diff(route.span.start)) else { continue };
            let Some((guard, guard_span)) = &sibling.auth.guard else { continue };
            let message = format!(
                "`{}` (`@{}`) has no guard, while `{}` in the same controller is guarded by `{guard}` and no global guard is registered",
                model.text(route.name),
                route.method,
                model.text(sibling.name),
            );
            let file = cx.file;
            cx.report(route.span, message)
                .with_help(NEST_HELP)
                .with_related(file, *guard_span, "a sibling route that changes state is guarded here")
                .withdrawn_by(Fact::NestGlobalGuard);
        }
    }

    /// `app.useGlobalGuards(..)` and `{ provide: APP_GUARD, useClass: JwtAuthGuard }` authenticate
    /// the whole app when the guard is named like authentication ([`Self::is_auth_guard`]):
    /// ghostfolio's global `ImpersonationWriteGuard` only blocks writes while impersonating.
    fn record_global_guard(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        match node.kind() {
            "call_expression" => {
                let Some(callee) = node.field("function") else { return };
                let is_global = callee.field("property").is_some_and(|p| model.text(p) == "useGlobalGuards");
                if is_global && call_arguments(node).iter().any(|a| self.is_auth_guard(model.text(*a))) {
                    cx.fact(Fact::NestGlobalGuard);
                }
            }
            "pair" => {
                let is_app_guard = node.field("key").is_some_and(|k| model.text(k) == "provide")
                    && node.field("value").is_some_and(|v| model.text(v) == "APP_GUARD");
                let Some(provider) = node.parent().filter(|_| is_app_guard) else { return };
                let guard = ["useClass", "useExisting", "useFactory"].iter().find_map(|key| match model.property(provider, key) {
                    crate::lang::typescript::Property::Found(value) => Some(model.text(value)),
                    _ => None,
                });
                if guard.is_some_and(|guard| self.is_auth_guard(guard)) {
                    cx.fact(Fact::NestGlobalGuard);
                }
            }
            _ => {}
        }
    }

    /// Whether a Nest guard (as written: `JwtAuthGuard`, `AuthGuard("jwt")`, `new RolesGuard(r)`)
    /// is named like authentication or an authorization that needs a signed-in user. Guards that
    /// only limit the rate or do something else (`ThrottlerGuard`, `ImpersonationWriteGuard`) are
    /// not; more names with the `auth-middleware` option.
    fn is_auth_guard(&self, guard: &str) -> bool {
        if is_rate_limit_guard(guard) {
            return false;
        }
        let name = guard.trim_start_matches("new ").split(['(', '<']).next().unwrap_or(guard).trim();
        let words = words(name);
        is_auth_name(&self.auth_middleware, name)
            || words.iter().any(|w| {
                matches!(
                    w.as_str(),
                    "role"
                        | "roles"
                        | "permission"
                        | "permissions"
                        | "access"
                        | "acl"
                        | "policy"
                        | "policies"
                        | "casl"
                        | "ability"
                        | "keycloak"
                        | "clerk"
                        | "firebase"
                        | "supabase"
                        | "passport"
                        | "user"
                        | "users"
                        | "login"
                        | "session"
                        | "token"
                        | "apikey"
                        | "admin"
                        | "owner"
                        | "local"
                )
            })
            || (words.iter().any(|w| w == "api") && words.iter().any(|w| w == "key"))
    }
}

// ----- Rust: actix-web, Rocket, axum -----

/// Extractors that never authenticate by themselves: request data, app state, connection info.
const NOT_AUTH_EXTRACTORS: &[&str] = &[
    "Json",
    "Query",
    "Path",
    "Form",
    "State",
    "Data",
    "HttpRequest",
    "HeaderMap",
    "Multipart",
    "Bytes",
    "String",
    "Payload",
    "RawQuery",
    "RawForm",
    "Request",
    "ConnectInfo",
    "Host",
    "OriginalUri",
    "Uri",
    "Method",
    "Version",
    "MatchedPath",
    "Session",
    "CookieJar",
    "PrivateCookieJar",
    "SignedCookieJar",
    "UserAgent",
    "ClientIp",
    "RealIp",
    "Redirect",
];

/// Extractors that carry the value another part of the request pipeline put there: what they
/// hold decides (`Extension<CurrentUser>`, `ReqData<Claims>`, `TypedHeader<Authorization<Bearer>>`).
const CARRIERS: &[&str] = &["Extension", "ReqData", "TypedHeader", "Extract"];

/// How a handler parameter authenticates.
#[derive(Debug, PartialEq, Eq)]
enum ParamAuth {
    /// A required authentication extractor: the request is rejected without credentials.
    Required(String),
    /// Optional authentication (`Option<AuthUser>`, `MaybeUser`): public with extras, a decision.
    Optional,
    None,
}

impl InconsistentRouteAuth {
    /// Whether a type name says it authenticates the caller: `AuthUser`, `AuthenticatedUser`,
    /// `CurrentUser`, `Claims`, `Identity`, `AdminToken`, `ApiKey`, `Authorization<Bearer>`.
    fn is_auth_type_name(&self, name: &str) -> bool {
        if self.auth_extractors.iter().any(|custom| custom == name) {
            return true;
        }
        let words = words(name);
        let has = |w: &str| words.iter().any(|x| x == w);
        if has("csrf") || has("xsrf") || has("agent") {
            return false;
        }
        // A handler parameter typed `Headers` or `AdminHeaders` is a request guard of the
        // application's own (the framework's header access is `HeaderMap` or `HttpRequest`):
        // vaultwarden authenticates every route this way.
        let own_headers_guard = has("headers");
        own_headers_guard
            || words.iter().any(|w| {
                w == "auth"
                    || w.starts_with("authent")
                    || w.starts_with("authori")
                    || matches!(w.as_str(), "authn" | "authz" | "claims" | "identity" | "principal" | "jwt" | "bearer" | "apikey")
                    || matches!(w.as_str(), "user" | "admin" | "token" | "guard")
            })
            || (has("api") && has("key"))
    }

    fn param_auth(&self, ty: &syn::Type) -> ParamAuth {
        let syn::Type::Path(path) = ty else {
            return match ty {
                syn::Type::Reference(r) => self.param_auth(&r.elem),
                syn::Type::Paren(p) => self.param_auth(&p.elem),
                _ => ParamAuth::None,
            };
        };
        let Some(last) = path.path.segments.last() else { return ParamAuth::None };
        let name = last.ident.to_string();
        let inner = || match &last.arguments {
            syn::PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            }),
            _ => None,
        };
        if name == "Option" {
            return match inner().map(|t| self.param_auth(t)) {
                Some(ParamAuth::Required(_) | ParamAuth::Optional) => ParamAuth::Optional,
                _ => ParamAuth::None,
            };
        }
        if CARRIERS.contains(&name.as_str()) {
            return match inner().map(|t| self.param_auth(t)) {
                Some(ParamAuth::Required(_)) => ParamAuth::Required(tight_tokens(ty)),
                Some(other) => other,
                None => ParamAuth::None,
            };
        }
        if NOT_AUTH_EXTRACTORS.contains(&name.as_str()) && !self.auth_extractors.contains(&name) {
            return ParamAuth::None;
        }
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("maybe") || lower.starts_with("optional") {
            return if self.is_auth_type_name(&name) { ParamAuth::Optional } else { ParamAuth::None };
        }
        if self.is_auth_type_name(&name) {
            ParamAuth::Required(tight_tokens(ty))
        } else {
            ParamAuth::None
        }
    }

    /// Runs once per file, on its first handler: reads every handler of the file and how it is
    /// routed, then reports the state-changing ones without the authentication extractor that
    /// their siblings take.
    fn check_rust_file(&self, cx: &mut Context<'_>) {
        let Ok(syntax) = crate::lang::rust::parse_file(&cx.file.text) else { return };
        let mut collector = HandlerCollector::default();
        collector.visit_file(&syntax);
        let HandlerCollector { fns, routes, .. } = collector;
        struct Handler<'a> {
            function: &'a RustFn<'a>,
            method: String,
            path: Option<String>,
            auth: ParamAuth,
            auth_span: Option<Span>,
        }
        let mut handlers: Vec<Handler<'_>> = Vec::new();
        for function in &fns {
            let routed = routes.iter().find(|r| function.sig.ident == r.target);
            let (method, path) = match (&function.attribute, routed) {
                (Some((method, path)), _) => (method.clone(), path.clone()),
                (None, Some(route)) => (route.method.clone(), route.path.clone()),
                (None, None) => continue,
            };
            let mut auth = ParamAuth::None;
            let mut auth_span = None;
            for input in &function.sig.inputs {
                let syn::FnArg::Typed(typed) = input else { continue };
                match self.param_auth(&typed.ty) {
                    ParamAuth::Required(name) => {
                        auth_span = Some(rust_span(cx.file, &typed.ty));
                        auth = ParamAuth::Required(name);
                        break;
                    }
                    ParamAuth::Optional => auth = ParamAuth::Optional,
                    ParamAuth::None => {}
                }
            }
            handlers.push(Handler { function, method, path, auth, auth_span });
        }
        let changes_state = |h: &&Handler<'_>| STATE_CHANGING.contains(&h.method.as_str());
        let guarded: Vec<&Handler<'_>> =
            handlers.iter().filter(changes_state).filter(|h| matches!(h.auth, ParamAuth::Required(_))).collect();
        let unguarded: Vec<&Handler<'_>> = handlers
            .iter()
            .filter(changes_state)
            .filter(|h| h.auth == ParamAuth::None && !h.function.in_test && !checks_credentials(h.function.block))
            .filter(|h| {
                let name = h.function.sig.ident.to_string();
                !is_public_handler_name(&name) && !h.path.as_deref().is_some_and(|path| self.is_public_route(&h.method, path))
            })
            .collect();
        if guarded.is_empty() {
            return;
        }
        for handler in unguarded {
            let name = handler.function.sig.ident.to_string();
            let span = rust_span(cx.file, &handler.function.sig.ident);
            let Some(sibling) = guarded.iter().min_by_key(|g| rust_span(cx.file, &g.function.sig.ident).start.abs_diff(span.start)) else {
                continue;
            };
            let ParamAuth::Required(extractor) = &sibling.auth else { continue };
            let route = match &handler.path {
                Some(path) => format!(" (`{} {path}`)", handler.method.to_ascii_uppercase()),
                None => format!(" (`{}`)", handler.method.to_ascii_uppercase()),
            };
            let message = format!(
                "handler `{name}`{route} takes no authentication extractor, while `{}` in the same file requires `{extractor}`",
                sibling.function.sig.ident
            );
            let file = cx.file;
            let finding = cx.report(span, message).with_help(RUST_HELP).withdrawn_by(Fact::RustAuthMiddleware);
            if let Some(auth_span) = sibling.auth_span {
                finding.with_related(file, auth_span, "a sibling handler that changes state takes the authentication extractor here");
            }
        }
    }
}

/// Whether a handler body checks credentials itself: it reads the `Authorization` header or a
/// bearer token, validates a secret, signature or password, runs a passkey (WebAuthn) ceremony,
/// or answers 401/403.
fn checks_credentials(block: &syn::Block) -> bool {
    let text = tight_tokens(block).to_ascii_lowercase();
    [
        "bearer",
        "authorization",
        "unauthorized",
        "forbidden",
        "secret",
        "token",
        "api_key",
        "apikey",
        "signature",
        "password",
        "webauthn",
        "passkey",
    ]
    .iter()
    .any(|needle| text.contains(needle))
}

/// A function of the file and its route attribute, if any (`#[post("/x")]` → `post`, `/x`).
struct RustFn<'a> {
    sig: &'a syn::Signature,
    block: &'a syn::Block,
    attribute: Option<(String, Option<String>)>,
    in_test: bool,
}

/// A function named as a route target with its method: `post(create)`, `web::post().to(create)`,
/// `.route("/orders", get(list).post(create))`.
struct RoutedFn {
    target: String,
    method: String,
    path: Option<String>,
}

#[derive(Default)]
struct HandlerCollector<'a> {
    fns: Vec<RustFn<'a>>,
    routes: Vec<RoutedFn>,
    in_test: bool,
    /// The path of the `.route(path, ..)` or `web::resource(path)` being read.
    path: Option<String>,
}

const ROUTE_METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "options"];

/// `#[post("/x")]`, `#[actix_web::delete("/x/{id}")]` → the method and path.
fn route_attribute(attrs: &[syn::Attribute]) -> Option<(String, Option<String>)> {
    attrs.iter().find_map(|attr| {
        let method = attr.path().segments.last()?.ident.to_string();
        if !ROUTE_METHODS.contains(&method.as_str()) {
            return None;
        }
        let path = attr.parse_args_with(syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated).ok().and_then(|args| {
            match args.first() {
                Some(Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. })) => Some(s.value()),
                _ => None,
            }
        });
        Some((method, path))
    })
}

fn is_test_item(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let text = tight_tokens(attr);
        text.starts_with("#[test")
            || text.ends_with("::test]")
            || (text.starts_with("#[cfg(") && text.contains("test") && !text.contains("not("))
    })
}

fn string_lit(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
        Expr::Reference(r) => string_lit(&r.expr),
        _ => None,
    }
}

impl HandlerCollector<'_> {
    fn routed(&mut self, method: &str, target: &Expr) {
        if let Expr::Path(p) = target {
            if let Some(last) = p.path.segments.last() {
                self.routes.push(RoutedFn { target: last.ident.to_string(), method: method.to_string(), path: self.path.clone() });
            }
        }
    }
}

impl<'a> Visit<'a> for HandlerCollector<'a> {
    fn visit_item_mod(&mut self, item: &'a syn::ItemMod) {
        let outer = self.in_test;
        self.in_test |= is_test_item(&item.attrs);
        visit::visit_item_mod(self, item);
        self.in_test = outer;
    }

    fn visit_item_fn(&mut self, item: &'a syn::ItemFn) {
        let in_test = self.in_test || is_test_item(&item.attrs);
        self.fns.push(RustFn { sig: &item.sig, block: &item.block, attribute: route_attribute(&item.attrs), in_test });
        visit::visit_item_fn(self, item);
    }

    fn visit_impl_item_fn(&mut self, item: &'a syn::ImplItemFn) {
        let in_test = self.in_test || is_test_item(&item.attrs);
        self.fns.push(RustFn { sig: &item.sig, block: &item.block, attribute: route_attribute(&item.attrs), in_test });
        visit::visit_impl_item_fn(self, item);
    }

    fn visit_expr_call(&mut self, call: &'a syn::ExprCall) {
        // `post(create)`, `routing::delete(remove)`.
        if let Expr::Path(func) = &*call.func {
            let name = func.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
            if ROUTE_METHODS.contains(&name.as_str()) && call.args.len() == 1 {
                self.routed(&name, &call.args[0]);
            }
        }
        visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'a syn::ExprMethodCall) {
        let method = call.method.to_string();
        let outer = self.path.clone();
        if method == "route" && call.args.len() == 2 {
            self.path = string_lit(&call.args[0]);
        }
        // `web::resource("/orders").route(web::post().to(create))`: the path is at the chain's root.
        let (root, _) = crate::lang::rust::model::method_chain(&call.receiver);
        if let Expr::Call(root_call) = root {
            let is_resource = matches!(&*root_call.func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "resource"));
            if is_resource {
                self.path = root_call.args.first().and_then(string_lit).or(self.path.take());
            }
        }
        match method.as_str() {
            // `get(list).post(create)` on an axum method router.
            m if ROUTE_METHODS.contains(&m) && call.args.len() == 1 => self.routed(m, &call.args[0]),
            // `web::post().to(create)`, `web::resource(..).route(web::delete().to(remove))`.
            "to" if call.args.len() == 1 => {
                if let Expr::Call(receiver) = &*call.receiver {
                    if let Expr::Path(func) = &*receiver.func {
                        let name = func.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
                        if ROUTE_METHODS.contains(&name.as_str()) && receiver.args.is_empty() {
                            self.routed(&name, &call.args[0]);
                        }
                    }
                }
            }
            _ => {}
        }
        visit::visit_expr_method_call(self, call);
        self.path = outer;
    }
}

impl Rule for InconsistentRouteAuth {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["program", "class_declaration", "call_expression", "pair"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        match node.kind() {
            "program" => self.check_ts_routers(node, model, cx),
            "class_declaration" => self.check_nest_controller(node, model, cx),
            _ => self.record_global_guard(node, model, cx),
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Fn, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if cx.in_test || node.site.in_test {
            return;
        }
        match node.syntax {
            // `.wrap(HttpAuthentication::bearer(validator))`, `.layer(from_fn(require_auth))`.
            RustSyntax::MethodCall(call) => {
                let wraps = matches!(call.method.to_string().as_str(), "wrap" | "layer" | "route_layer");
                if wraps && call.args.first().is_some_and(|a| is_auth_layer(&self.auth_middleware, a)) {
                    cx.fact(Fact::RustAuthMiddleware);
                }
            }
            // The file is read once, at its first handler, and only when it has two.
            RustSyntax::Fn { .. } => {
                let handlers = model.handlers();
                let first = handlers.iter().map(|h| h.fn_id).min();
                if handlers.len() >= 2 && first.is_some() && first == node.site.fn_id {
                    self.check_rust_file(cx);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> InconsistentRouteAuth {
        InconsistentRouteAuth {
            auth_middleware: vec![],
            auth_extractors: vec!["Headers".into()],
            public_paths: vec![],
            public_decorators: vec!["Open".into()],
        }
    }

    fn param(ty: &str) -> ParamAuth {
        rule().param_auth(&syn::parse_str::<syn::Type>(ty).unwrap())
    }

    #[test]
    fn auth_extractors() {
        for ty in ["AuthUser", "AuthenticatedUser", "CurrentUser", "Claims", "Identity", "AdminToken", "Extension<Claims>"] {
            assert!(matches!(param(ty), ParamAuth::Required(_)), "{ty}");
        }
        for ty in ["web::ReqData<UserClaims>", "TypedHeader<Authorization<Bearer>>", "Headers", "ManagerHeadersLoose", "ApiKey", "&User"] {
            assert!(matches!(param(ty), ParamAuth::Required(_)), "{ty}");
        }
        for ty in ["Option<AuthUser>", "MaybeAuthUser", "OptionalUser"] {
            assert_eq!(param(ty), ParamAuth::Optional, "{ty}");
        }
        for ty in ["Json<User>", "web::Json<NewUser>", "Path<UserId>", "State<AppState>", "Session", "CsrfToken", "UserAgent"] {
            assert_eq!(param(ty), ParamAuth::None, "{ty}");
        }
        for ty in ["web::Data<Pool>", "HeaderMap", "Option<Json<Body>>"] {
            assert_eq!(param(ty), ParamAuth::None, "{ty}");
        }
    }

    #[test]
    fn nest_guards() {
        let rule = rule();
        for guard in
            ["JwtAuthGuard", "AuthGuard('jwt')", "new RolesGuard(reflector)", "LocalAuthGuard", "HasPermissionGuard", "ApiKeyGuard"]
        {
            assert!(rule.is_auth_guard(guard), "{guard}");
        }
        for guard in ["ThrottlerGuard", "CustomThrottlerGuard", "ImpersonationWriteGuard", "new MaintenanceGuard()"] {
            assert!(!rule.is_auth_guard(guard), "{guard}");
        }
    }

    #[test]
    fn public_routes() {
        let rule = rule();
        for (method, path) in [
            ("POST", "/users/login"),
            ("POST", "/refresh-tokens"),
            ("POST", "/auth/forgot/password"),
            ("POST", "/accounts/prelogin"),
            ("POST", "/accounts/delete-recover"),
            ("POST", "/api/users"),
            ("POST", "/pow"),
        ] {
            assert!(rule.is_public_route(method, path), "{method} {path}");
        }
        for (method, path) in [("DELETE", "/api/users/:id"), ("PUT", "/users"), ("POST", "/orders"), ("POST", "/send-verification-email")] {
            assert!(!rule.is_public_route(method, path), "{method} {path}");
        }
    }

    #[test]
    fn resources() {
        assert_eq!(resource_of("/api/v1/orders/:id"), "orders");
        assert_eq!(resource_of("/rest/products/reviews"), "products");
        assert_eq!(resource_of("/:id/cancel"), "");
        assert_eq!(resource_of("/"), "");
        assert_eq!(resource_of("/api/{id}"), "");
    }

    #[test]
    fn public_decorators_and_names() {
        for name in ["Public", "IsPublic", "SkipAuth", "AllowAnonymous", "Unprotected", "NoAuth", "SkipJwtGuard"] {
            assert!(is_public_decorator_name(name), "{name}");
        }
        for name in ["UseGuards", "Roles", "Auth", "Post"] {
            assert!(!is_public_decorator_name(name), "{name}");
        }
        for name in ["login", "register_user", "sign_up", "refresh_token", "stripe_webhook", "health"] {
            assert!(is_public_handler_name(name), "{name}");
        }
        for name in ["create_article", "delete_comment", "update_user"] {
            assert!(!is_public_handler_name(name), "{name}");
        }
    }
}
