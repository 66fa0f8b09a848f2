//! axum: routes added to a router after the authentication layer, which does not cover them.

use super::*;

/// Calls whose argument is the middleware function: `from_fn(require_auth)`.
pub(super) const FROM_FN: &[&str] =
    &["from_fn", "from_fn_with_state", "from_extractor", "from_extractor_with_state", "map_request", "map_request_with_state"];

/// The names a layer expression goes by: the layer type or constructor
/// (`RequireAuthorizationLayer::bearer`, `ValidateRequestHeaderLayer::bearer`), the function
/// given to `middleware::from_fn(..)`, the macro (`login_required!`), or, for a
/// `ServiceBuilder`, the layers it stacks.
pub(super) fn layer_names(expr: &Expr, names: &mut Vec<String>) {
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
    pub(super) fn is_auth_layer(&self, expr: &Expr) -> bool {
        is_auth_layer(&self.auth_middleware, expr)
    }

    /// Whether a route's handler carries an auth layer of its own: `get(h).layer(from_fn(auth))`.
    pub(super) fn has_own_auth_layer(&self, handler: &Expr) -> bool {
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
    pub(super) fn check_chain(&self, links: &[&ExprMethodCall], model: &RustModel, fn_id: Option<usize>, cx: &mut Context<'_>) {
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
pub(super) fn method_chains(block: &syn::Block) -> Vec<Vec<&ExprMethodCall>> {
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
