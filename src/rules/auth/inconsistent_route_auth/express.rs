//! Express, Koa router and Fastify: the routes of each router object of a file, and the
//! authentication middleware they are registered with or mounted behind.

use super::*;

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

impl InconsistentRouteAuth {
    /// The authentication among a route's or a mount's arguments; `routing` says which keys of
    /// an options object hold middleware that runs before the handler.
    fn ts_auth(&self, node: Node<'_>, routing: &Routing<'_>, model: &TsModel<'_>) -> Option<String> {
        let node = model.unwrap_expression(node);
        if node.kind() == "object" {
            // Fastify: `{ preHandler: [fastify.authenticate] }`, `{ onRequest: fastify.auth([..]) }`.
            return named_children(node).filter(|p| p.kind() == "pair").find_map(|pair| {
                let key = model.text(pair.field("key")?);
                let hook = routing.hook_options().any(|option| option == key);
                hook.then(|| ts_auth_middleware(&self.auth_middleware, pair.field("value")?, model)).flatten()
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

    pub(super) fn check_ts_routers(&self, program: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
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
                let routing = model.routing(method);
                if let Some(mount) = routing.mount() {
                    let prefix = arguments.first().and_then(|a| model.string_value(*a));
                    let rest = if prefix.is_some() { &arguments[1..] } else { &arguments[..] };
                    if rest.iter().any(|m| self.ts_auth(*m, &routing, model).is_some()) {
                        // `addHook("onRequest", auth)` names a hook, not a path.
                        router.auth_uses.push(prefix.filter(|p| !mount.parameters.hook_argument && p.starts_with('/')));
                    }
                    continue;
                }
                if routing.starts_path() {
                    chained_path = arguments.first().and_then(|a| model.string_value(*a));
                    continue;
                }
                let Some(http_method) = routing.http_method() else { continue };
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
                let auth =
                    middleware.iter().chain([handler]).find_map(|m| self.ts_auth(*m, &routing, model).map(|name| (name, span_of(*m))));
                // `app.all("/api/*", requireAuth)`: a guard for everything under the path.
                if http_method == "ALL" && auth.is_some() {
                    router.auth_uses.push(Some(path.trim_end_matches('*').to_string()));
                    continue;
                }
                let checks_inline = (is_function_like(handler.kind()) && checks_caller(model.text(*handler)))
                    || handlers.iter().any(|m| handles_user(*m, model) || denies_all(*m, model));
                router.routes.push(TsRoute { method: http_method, path, span, auth, checks_inline });
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
pub(super) fn resource_of(path: &str) -> &str {
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
