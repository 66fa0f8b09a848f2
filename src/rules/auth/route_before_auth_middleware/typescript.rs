//! Express: routes registered on an app or router before the authentication middleware is mounted on it.

use super::*;

/// A route registered earlier in the same statement list and not yet covered by an auth middleware.
pub(super) struct PendingRoute {
    receiver: String,
    method: String,
    path: String,
    span: Span,
}

/// An auth middleware mounted with `use` on a receiver, for all paths or under a prefix.
pub(super) struct AuthUse {
    receiver: String,
    prefix: Option<String>,
}

/// The name of an authentication middleware argument: `requireAuth`, `auth.required`,
/// `passport.authenticate('jwt')` → `passport.authenticate(..)`, `[auth, admin]` → any of them.
/// What the models say of a library's middleware (`[[guards]]`) decides before its name does.
pub(crate) fn ts_auth_middleware(extra: &[String], node: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    let node = model.unwrap_expression(node);
    match node.kind() {
        "identifier" | "member_expression" => {
            let name = model.text(node);
            authenticates(model.guard_of_function(node), extra, name).then(|| name.to_string())
        }
        "call_expression" => {
            let callee = node.field("function").filter(|callee| matches!(callee.kind(), "identifier" | "member_expression"))?;
            let name = model.text(callee);
            authenticates(model.guard(node), extra, name).then(|| format!("{name}(..)"))
        }
        "array" => named_children(node).find_map(|element| ts_auth_middleware(extra, element, model)),
        _ => None,
    }
}

/// Whether middleware authenticates: as its model entry says, else as its name says.
fn authenticates(entry: Option<&crate::models::Guard>, extra: &[String], name: &str) -> bool {
    match entry.map(|guard| guard.role) {
        Some(GuardRole::Middleware) => true,
        Some(_) => false,
        None => is_auth_name(extra, name),
    }
}

impl RouteBeforeAuthMiddleware {
    pub(super) fn ts_auth_middleware(&self, node: Node<'_>, model: &TsModel<'_>) -> Option<String> {
        ts_auth_middleware(&self.auth_middleware, node, model)
    }

    /// Walks one statement list in order: routes are remembered per receiver until an auth
    /// `use` on the same receiver shows they were registered too early.
    pub(super) fn check_statements(&self, block: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
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
                let routing = model.routing(method);
                // Only middleware that runs for the routes registered after it (Express's `use`)
                // leaves the earlier ones out; a hook runs for every route of the instance.
                if routing.covers() == Some(Covers::Later) {
                    let prefix = arguments.first().and_then(|a| model.string_value(*a)).filter(|p| p.starts_with('/'));
                    let middlewares = if prefix.is_some() { &arguments[1..] } else { &arguments[..] };
                    let Some(middleware) = middlewares.iter().find_map(|m| self.ts_auth_middleware(*m, model)) else { continue };
                    let shown = match &prefix {
                        Some(prefix) => format!("{receiver}.use(\"{prefix}\", {middleware})"),
                        None => format!("{receiver}.use({middleware})"),
                    };
                    let (early, rest): (Vec<PendingRoute>, Vec<PendingRoute>) = pending
                        .into_iter()
                        .partition(|route| route.receiver == receiver && prefix.as_deref().is_none_or(|p| prefix_covers(p, &route.path)));
                    pending = rest;
                    for route in early {
                        self.report_ts(&route, call, &shown, cx);
                    }
                    auth_uses.push(AuthUse { receiver: receiver.clone(), prefix });
                    continue;
                }
                if routing.starts_path() {
                    chained_path = arguments.first().and_then(|a| model.string_value(*a));
                    continue;
                }
                // CORS preflight requests carry no credentials: an `OPTIONS` route is public by design.
                let Some(http_method) = routing.http_method().filter(|m| m != "OPTIONS") else { continue };
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
                pending.push(PendingRoute { receiver: receiver.clone(), method: http_method, path, span });
            }
        }
    }

    pub(super) fn report_ts(&self, route: &PendingRoute, use_call: Node<'_>, use_text: &str, cx: &mut Context<'_>) {
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
