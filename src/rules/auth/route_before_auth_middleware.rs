//! `route-before-auth-middleware`: routes that the app-wide authentication middleware does not
//! cover because of where they are registered. Express runs middleware and routes in the order
//! they were added, so `app.get("/orders", ..)` followed by `app.use(requireAuth)` answers
//! `/orders` before the check ever runs; axum's `route_layer`/`layer` wrap only the routes
//! already on the router, so a `.route(..)` after the auth layer is served without it.

use crate::diagnostic::{Finding, Level};
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::rules::auth::{call_arguments, tight_tokens};
use crate::rules::helpers::words;
use crate::rules::{check_option_names, string_list_option, Context, Rule, RuleEntry, RuleOptions};
use crate::source::Span;
use syn::visit::{self, Visit};
use syn::{Expr, ExprMethodCall};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "route-before-auth-middleware", build };

struct RouteBeforeAuthMiddleware {
    /// Extra middleware names (`auth-middleware`), compared case-insensitively with the whole
    /// name or its last segment.
    auth_middleware: Vec<String>,
    /// Extra public route patterns (`public-paths`), `*` matching any run of characters.
    public_paths: Vec<String>,
}

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(RouteBeforeAuthMiddleware {
        auth_middleware: string_list_option(options, ENTRY.id, "auth-middleware")?,
        public_paths: string_list_option(options, ENTRY.id, "public-paths")?,
    }))
}

/// Express/Koa router methods that register a route with a path.
const ROUTE_METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "del", "all"];

/// Path segments that mark a route as public by nature: sign-in, sign-up and e-mail link flows,
/// token endpoints, webhooks (signed by the sender, not by a user session), health and readiness
/// probes, documentation, static files, well-known URIs. Registering such routes before
/// `use(auth)` is the usual way to keep them public.
pub(crate) const PUBLIC_SEGMENTS: &[&str] = &[
    "login",
    "logout",
    "signin",
    "sign-in",
    "signup",
    "sign-up",
    "register",
    "auth",
    "oauth",
    "oauth2",
    "callback",
    "forgot-password",
    "reset-password",
    "password-reset",
    "verify-email",
    "verify",
    "confirm",
    "activate",
    "invite",
    "unsubscribe",
    "refresh",
    "token",
    "webhook",
    "webhooks",
    "health",
    "healthz",
    "healthcheck",
    "health-check",
    "ready",
    "readyz",
    "readiness",
    "live",
    "livez",
    "liveness",
    "ping",
    "metrics",
    "public",
    "static",
    "assets",
    "favicon.ico",
    "robots.txt",
    "docs",
    "swagger",
    "swagger-ui",
    "api-docs",
    "openapi",
    "openapi.json",
    "swagger.json",
    ".well-known",
];

const HELP: &str = "mount the authentication middleware before the routes it protects, or give the route its own auth middleware; if the route is public on purpose, list its path in `public-paths`";
const RUST_HELP: &str = "add the route before `.route_layer(..)`/`.layer(..)`, or give it its own layer; if it is public on purpose, list its path in `public-paths`";

/// Words that make an auth-sounding name something other than an enforcing middleware: routers
/// and controllers mounted with `use`, optional authentication, and middleware that only loads,
/// decodes or refreshes the user (`updateAuthenticatedUsers`, `jwtChallenges`, `SessionManagerLayer`).
const NOT_ENFORCING: &[&str] = &[
    "optional",
    "route",
    "routes",
    "router",
    "routers",
    "controller",
    "controllers",
    "session",
    "manager",
    "cors",
    "challenge",
    "challenges",
    "update",
    "load",
    "populate",
    "attach",
    "decode",
    "refresh",
    "init",
    "initialize",
    "setup",
];

impl RouteBeforeAuthMiddleware {
    fn is_public_path(&self, path: &str) -> bool {
        is_public_path(&self.public_paths, path)
    }
}

/// Whether a middleware or layer name says it authenticates: `requireAuth`, `isAuthenticated`,
/// `passport.authenticate`, `checkJwt`, `ensureLoggedIn`, `verifyToken`, `auth_middleware`, or
/// one of the `extra` names configured. Routers (`authRouter`), optional authentication
/// (`auth.optional`) and session or auth-manager layers that only load the user do not count.
/// Shared with `inconsistent-route-auth`, which reads the same middleware.
pub(crate) fn is_auth_name(extra: &[String], name: &str) -> bool {
    let last = name.rsplit(['.', ':']).next().unwrap_or(name);
    if extra.iter().any(|custom| custom.eq_ignore_ascii_case(name) || custom.eq_ignore_ascii_case(last)) {
        return true;
    }
    let words = words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    if NOT_ENFORCING.iter().any(|w| has(w)) {
        return false;
    }
    let joined = words.concat();
    words.iter().any(|w| {
        w == "auth"
            || w.starts_with("authent")
            || w.starts_with("authori")
            || w.ends_with("auth")
            || w.contains("jwt")
            || matches!(w.as_str(), "authn" | "authz" | "bearer" | "protect")
    }) || ["loggedin", "loginrequired", "requirelogin", "signedin", "verifytoken", "checktoken", "requireuser"]
        .iter()
        .any(|phrase| joined.contains(phrase))
}

/// Whether a route path is public by nature ([`PUBLIC_SEGMENTS`]) or matches one of the `extra`
/// configured patterns.
pub(crate) fn is_public_path(extra: &[String], path: &str) -> bool {
    if extra.iter().any(|pattern| glob_match(pattern, path)) {
        return true;
    }
    let lower = path.to_ascii_lowercase();
    let segments: Vec<&str> = lower.split('/').filter(|s| !s.is_empty()).collect();
    segments.is_empty() || segments == ["*"] || segments.iter().any(|s| PUBLIC_SEGMENTS.contains(s))
}

/// Reports a route the auth middleware misses. Read-only routes left before it are often public
/// on purpose (a catalogue, a landing page), so they are notes; routes that change state keep the
/// configured level.
fn report_route<'c>(cx: &'c mut Context<'_>, read_only: bool, span: Span, message: String) -> &'c mut Finding {
    if read_only {
        cx.report_capped(Level::Note, span, message)
    } else {
        cx.report(span, message)
    }
}

/// `*` matches any run of characters (also `/`); everything else matches itself.
fn glob_match(pattern: &str, text: &str) -> bool {
    let Some((head, rest)) = pattern.split_once('*') else { return pattern == text };
    let Some(mut remaining) = text.strip_prefix(head) else { return false };
    let parts: Vec<&str> = rest.split('*').collect();
    for (i, part) in parts.iter().enumerate() {
        if i == parts.len() - 1 {
            return remaining.ends_with(part);
        }
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Whether `app.use(prefix, auth)` runs for requests to `path`: Express matches the prefix by
/// whole segments, and `:param` segments of the prefix match any segment.
pub(crate) fn prefix_covers(prefix: &str, path: &str) -> bool {
    let prefix: Vec<&str> = prefix.split('/').filter(|s| !s.is_empty()).collect();
    let path: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    prefix.len() <= path.len() && prefix.iter().zip(&path).all(|(p, s)| p.starts_with(':') || p == s || *p == "*")
}

// ----- TypeScript / Express -----

/// A route registered earlier in the same statement list and not yet covered by an auth middleware.
struct PendingRoute {
    receiver: String,
    method: String,
    path: String,
    span: Span,
}

/// An auth middleware mounted with `use` on a receiver, for all paths or under a prefix.
struct AuthUse {
    receiver: String,
    prefix: Option<String>,
}

/// The name of an authentication middleware argument: `requireAuth`, `auth.required`,
/// `passport.authenticate('jwt')` → `passport.authenticate(..)`, `[auth, admin]` → any of them.
pub(crate) fn ts_auth_middleware(extra: &[String], node: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    let node = model.unwrap_expression(node);
    match node.kind() {
        "identifier" | "member_expression" => Some(model.text(node)).filter(|name| is_auth_name(extra, name)).map(str::to_string),
        "call_expression" => node
            .field("function")
            .filter(|callee| matches!(callee.kind(), "identifier" | "member_expression") && is_auth_name(extra, model.text(*callee)))
            .map(|callee| format!("{}(..)", model.text(callee))),
        "array" => named_children(node).find_map(|element| ts_auth_middleware(extra, element, model)),
        _ => None,
    }
}

impl RouteBeforeAuthMiddleware {
    fn ts_auth_middleware(&self, node: Node<'_>, model: &TsModel<'_>) -> Option<String> {
        ts_auth_middleware(&self.auth_middleware, node, model)
    }

    /// Walks one statement list in order: routes are remembered per receiver until an auth
    /// `use` on the same receiver shows they were registered too early.
    fn check_statements(&self, block: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let mut pending: Vec<PendingRoute> = Vec::new();
        let mut auth_uses: Vec<AuthUse> = Vec::new();
        for statement in named_children(block).filter(|s| s.kind() == "expression_statement") {
            let Some(expression) = statement.named_child(0).map(|e| model.unwrap_expression(e)) else { continue };
            let expression =
                if expression.kind() == "await_expression" { expression.named_child(0).unwrap_or(expression) } else { expression };
            let Some((receiver, links)) = call_chain(expression, model) else { continue };
            // `app.route("/orders").get(..).post(..)`: the path comes from `route`.
            let mut chained_path: Option<String> = None;
            for (method, call) in links {
                let arguments = call_arguments(call);
                match method {
                    "use" => {
                        let prefix = arguments.first().and_then(|a| model.string_value(*a)).filter(|p| p.starts_with('/'));
                        let middlewares = if prefix.is_some() { &arguments[1..] } else { &arguments[..] };
                        let Some(middleware) = middlewares.iter().find_map(|m| self.ts_auth_middleware(*m, model)) else { continue };
                        let shown = match &prefix {
                            Some(prefix) => format!("{receiver}.use(\"{prefix}\", {middleware})"),
                            None => format!("{receiver}.use({middleware})"),
                        };
                        let (early, rest): (Vec<PendingRoute>, Vec<PendingRoute>) = pending.into_iter().partition(|route| {
                            route.receiver == receiver && prefix.as_deref().is_none_or(|p| prefix_covers(p, &route.path))
                        });
                        pending = rest;
                        for route in early {
                            self.report_ts(&route, call, &shown, cx);
                        }
                        auth_uses.push(AuthUse { receiver: receiver.clone(), prefix });
                    }
                    "route" => chained_path = arguments.first().and_then(|a| model.string_value(*a)),
                    _ if ROUTE_METHODS.contains(&method) => {
                        let (path, handlers, span) = match &chained_path {
                            Some(path) => (path.clone(), &arguments[..], span_of(call)),
                            None => {
                                let Some(first) = arguments.first() else { continue };
                                let Some(path) = model.string_value(*first) else { continue };
                                (path, &arguments[1..], span_of(*first))
                            }
                        };
                        let covered =
                            auth_uses.iter().any(|u| u.receiver == receiver && u.prefix.as_deref().is_none_or(|p| prefix_covers(p, &path)));
                        // Every argument but the last is route middleware; the last is the handler.
                        let own_auth = handlers
                            .split_last()
                            .is_some_and(|(_, middleware)| middleware.iter().any(|m| self.ts_auth_middleware(*m, model).is_some()));
                        if handlers.is_empty() || !path.starts_with('/') || covered || own_auth || self.is_public_path(&path) {
                            continue;
                        }
                        pending.push(PendingRoute {
                            receiver: receiver.clone(),
                            method: if method == "del" { "DELETE".into() } else { method.to_ascii_uppercase() },
                            path,
                            span,
                        });
                    }
                    _ => {}
                }
            }
        }
    }

    fn report_ts(&self, route: &PendingRoute, use_call: Node<'_>, use_text: &str, cx: &mut Context<'_>) {
        let line = cx.file.position(use_call.start_byte()).line;
        let message = format!(
            "`{} {}` is registered on `{}` before `{use_text}` (line {line}), so requests to it never pass through that authentication middleware",
            route.method, route.path, route.receiver
        );
        let file = cx.file;
        report_route(cx, route.method == "GET", route.span, message).with_help(HELP).with_related(
            file,
            span_of(use_call),
            "the authentication middleware is mounted here, after the route",
        );
    }
}

/// `app.get(..).post(..)` → (`app`, [(`get`, call), (`post`, call)]) in source order. The receiver
/// is an identifier or a member path (`this.router`).
pub(crate) fn call_chain<'n>(expression: Node<'n>, model: &TsModel<'n>) -> Option<(String, Vec<(&'n str, Node<'n>)>)> {
    let mut links = Vec::new();
    let mut current = expression;
    loop {
        if current.kind() != "call_expression" {
            return None;
        }
        let callee = current.field("function").filter(|c| c.kind() == "member_expression")?;
        links.push((model.text(callee.field("property")?), current));
        let object = callee.field("object")?;
        match object.kind() {
            "call_expression" => current = object,
            "identifier" | "member_expression" | "this" => {
                links.reverse();
                return Some((model.text(object).to_string(), links));
            }
            _ => return None,
        }
    }
}

// ----- Rust / axum -----

/// Calls whose argument is the middleware function: `from_fn(require_auth)`.
const FROM_FN: &[&str] =
    &["from_fn", "from_fn_with_state", "from_extractor", "from_extractor_with_state", "map_request", "map_request_with_state"];

/// The names a layer expression goes by: the layer type or constructor
/// (`RequireAuthorizationLayer::bearer`, `ValidateRequestHeaderLayer::bearer`), the function
/// given to `middleware::from_fn(..)`, the macro (`login_required!`), or, for a
/// `ServiceBuilder`, the layers it stacks.
fn layer_names(expr: &Expr, names: &mut Vec<String>) {
    match expr {
        Expr::Path(path) => names.push(tight_tokens(path)),
        Expr::Reference(r) => layer_names(&r.expr, names),
        Expr::Paren(p) => layer_names(&p.expr, names),
        Expr::Group(g) => layer_names(&g.expr, names),
        Expr::Macro(m) => names.push(tight_tokens(&m.mac.path)),
        Expr::Call(call) => {
            let Expr::Path(func) = &*call.func else { return };
            let last = func.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
            if FROM_FN.contains(&last.as_str()) {
                // `from_extractor::<RequireAuth>()` names its extractor in the turbofish.
                names.push(tight_tokens(&func.path.segments.last().unwrap().arguments));
                if let Some(function) = call.args.last() {
                    layer_names(function, names);
                }
            } else {
                names.push(tight_tokens(&func.path));
            }
        }
        Expr::MethodCall(call) => {
            let mut base = call;
            let mut stacked = Vec::new();
            loop {
                if matches!(base.method.to_string().as_str(), "layer" | "route_layer") {
                    stacked.extend(base.args.first());
                }
                match &*base.receiver {
                    Expr::MethodCall(inner) => base = inner,
                    receiver => {
                        if tight_tokens(receiver).starts_with("ServiceBuilder") {
                            for layer in stacked {
                                layer_names(layer, names);
                            }
                        } else {
                            layer_names(receiver, names);
                        }
                        return;
                    }
                }
            }
        }
        _ => {}
    }
}

/// Whether a layer or `wrap` argument authenticates, by the names it goes by ([`layer_names`]).
pub(crate) fn is_auth_layer(extra: &[String], expr: &Expr) -> bool {
    let mut names = Vec::new();
    layer_names(expr, &mut names);
    names.iter().any(|name| !name.is_empty() && is_auth_name(extra, name))
}

impl RouteBeforeAuthMiddleware {
    fn is_auth_layer(&self, expr: &Expr) -> bool {
        is_auth_layer(&self.auth_middleware, expr)
    }

    /// Whether a route's handler carries an auth layer of its own: `get(h).layer(from_fn(auth))`.
    fn has_own_auth_layer(&self, handler: &Expr) -> bool {
        let mut current = handler;
        while let Expr::MethodCall(call) = current {
            if matches!(call.method.to_string().as_str(), "layer" | "route_layer")
                && call.args.first().is_some_and(|a| self.is_auth_layer(a))
            {
                return true;
            }
            current = &call.receiver;
        }
        false
    }

    /// One axum method chain, links in source order: each `.route(..)` after an auth layer with
    /// no auth layer after it is served unauthenticated.
    fn check_chain(&self, links: &[&ExprMethodCall], model: &RustModel, fn_id: Option<usize>, cx: &mut Context<'_>) {
        let auth_layers: Vec<usize> = links
            .iter()
            .enumerate()
            .filter(|(_, link)| matches!(link.method.to_string().as_str(), "layer" | "route_layer"))
            .filter(|(_, link)| link.args.first().is_some_and(|a| self.is_auth_layer(a)))
            .map(|(i, _)| i)
            .collect();
        let Some(&first_auth) = auth_layers.first() else { return };
        for (i, link) in links.iter().enumerate().skip(first_auth + 1) {
            if link.method != "route" || link.args.len() != 2 || auth_layers.iter().any(|&a| a > i) {
                continue;
            }
            let Some(path) = model.string_value(&link.args[0], fn_id) else { continue };
            // `.route("/admin", get(admin).route_layer(from_fn(require_admin)))` carries its own.
            if self.has_own_auth_layer(&link.args[1]) || self.is_public_path(&path) {
                continue;
            }
            let layer = links[*auth_layers.last().unwrap_or(&first_auth)];
            let layer_text = tight_tokens(&layer.args[0]);
            let layer_text = if layer_text.len() > 60 { "..".to_string() } else { layer_text };
            let message = format!(
                "route `{path}` is added after `.{}({layer_text})`, which wraps only the routes added before it, so `{path}` is served without that authentication layer",
                layer.method
            );
            let file = cx.file;
            let read_only = !["post", "put", "patch", "delete", "any"].iter().any(|m| {
                let handler = tight_tokens(&link.args[1]);
                handler.starts_with(&format!("{m}(")) || handler.contains(&format!(".{m}(")) || handler.contains(&format!("::{m}("))
            });
            report_route(cx, read_only, rust_span(cx.file, &link.args[0]), message).with_help(RUST_HELP).with_related(
                file,
                rust_span(file, &layer.method),
                "the authentication layer is applied here, before the route",
            );
        }
    }
}

/// Every method chain of a function body, each once and in source order; nested items are left
/// to their own check.
fn method_chains(block: &syn::Block) -> Vec<Vec<&ExprMethodCall>> {
    #[derive(Default)]
    struct Chains<'a> {
        chains: Vec<Vec<&'a ExprMethodCall>>,
    }
    impl<'a> Visit<'a> for Chains<'a> {
        fn visit_item(&mut self, _: &'a syn::Item) {}
        fn visit_expr_method_call(&mut self, call: &'a ExprMethodCall) {
            let mut links = Vec::new();
            let mut current = call;
            loop {
                links.push(current);
                for argument in &current.args {
                    self.visit_expr(argument);
                }
                match &*current.receiver {
                    Expr::MethodCall(inner) => current = inner,
                    receiver => {
                        visit::visit_expr(self, receiver);
                        break;
                    }
                }
            }
            links.reverse();
            self.chains.push(links);
        }
    }
    let mut chains = Chains::default();
    chains.visit_block(block);
    chains.chains
}

impl Rule for RouteBeforeAuthMiddleware {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["program", "statement_block"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if !cx.in_test {
            self.check_statements(node, model, cx);
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Fn]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        let RustSyntax::Fn { block, .. } = node.syntax else { return };
        if node.site.in_test || cx.in_test {
            return;
        }
        for chain in method_chains(block) {
            if chain.iter().any(|link| link.method == "route") {
                self.check_chain(&chain, model, node.site.fn_id, cx);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> RouteBeforeAuthMiddleware {
        RouteBeforeAuthMiddleware { auth_middleware: vec!["gatekeeper".into()], public_paths: vec!["/hooks/*".into()] }
    }

    #[test]
    fn auth_names() {
        let rule = rule();
        for name in ["auth", "requireAuth", "isAuthenticated", "passport.authenticate", "checkJwt", "expressjwt", "ensureLoggedIn"] {
            assert!(is_auth_name(&rule.auth_middleware, name), "{name}");
        }
        for name in ["verifyToken", "jwtAuth", "auth_middleware", "RequireAuthorizationLayer::bearer", "guards.gatekeeper"] {
            assert!(is_auth_name(&rule.auth_middleware, name), "{name}");
        }
        for name in [
            "verify.jwtChallenges",
            "security.updateAuthenticatedUsers",
            "passport.initialize",
            "authRouter",
            "auth.optional",
            "bodyParser.json",
            "SessionManagerLayer::new",
            "CorsLayer::new",
            "authors_list",
        ] {
            assert!(!is_auth_name(&rule.auth_middleware, name), "{name}");
        }
    }

    #[test]
    fn public_paths() {
        let rule = rule();
        for path in ["/", "/health", "/api/v1/auth/login", "/hooks/stripe", "/webhooks/stripe", "/docs/openapi.json", "*"] {
            assert!(rule.is_public_path(path), "{path}");
        }
        for path in ["/orders", "/api/users/:id", "/hooks"] {
            assert!(!rule.is_public_path(path), "{path}");
        }
    }

    #[test]
    fn prefixes() {
        assert!(prefix_covers("/api", "/api/orders"));
        assert!(prefix_covers("/users/:id", "/users/7/orders"));
        assert!(!prefix_covers("/api", "/apiary"));
        assert!(!prefix_covers("/admin", "/orders"));
    }
}
