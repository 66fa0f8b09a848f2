//! axum: routes added to a router after the authentication layer, which does not cover them.

use super::*;

/// The names a layer expression goes by, each with what the models say of it: the layer type or
/// constructor (`RequireAuthorizationLayer::bearer`, `ValidateRequestHeaderLayer::bearer`), the
/// function a `[[guards]]` mount is given (`middleware::from_fn(require_auth)`) or the extractor
/// in its turbofish, the macro (`login_required!`), or, for a stack (`ServiceBuilder`), the
/// layers it stacks.
pub(super) fn layer_names(expr: &Expr, model: &RustModel, names: &mut Vec<(String, Option<GuardRole>)>) {
    let guard = |path: &syn::Path| model.guard(path).map(|g| g.role);
    match expr {
        Expr::Path(path) => names.push((tight_tokens(path), guard(&path.path))),
        Expr::Reference(r) => layer_names(&r.expr, model, names),
        Expr::Paren(p) => layer_names(&p.expr, model, names),
        Expr::Group(g) => layer_names(&g.expr, model, names),
        Expr::Macro(m) => names.push((tight_tokens(&m.mac.path), guard(&m.mac.path))),
        Expr::Call(call) => {
            let Expr::Path(func) = &*call.func else { return };
            match guard(&func.path) {
                Some(GuardRole::Mount) => {
                    // `from_extractor::<RequireAuth>()` names its extractor in the turbofish.
                    let turbofish = &func.path.segments.last().unwrap().arguments;
                    let extractor = match turbofish {
                        syn::PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
                            syn::GenericArgument::Type(syn::Type::Path(ty)) => model.guard_type(&ty.path),
                            _ => None,
                        }),
                        _ => None,
                    };
                    names.push((
                        tight_tokens(turbofish),
                        extractor.map(|role| if role == GuardRole::Extractor { GuardRole::Middleware } else { role }),
                    ));
                    if let Some(function) = call.args.last() {
                        layer_names(function, model, names);
                    }
                }
                role => names.push((tight_tokens(&func.path), role)),
            }
        }
        Expr::MethodCall(call) => {
            let mut base = call;
            let mut stacked = Vec::new();
            loop {
                // `.layer(..)` on a router or on tower's `ServiceBuilder`: a mount of the models.
                if model.routing(&base.method.to_string(), true).mount().is_some() {
                    stacked.extend(base.args.first());
                }
                match &*base.receiver {
                    Expr::MethodCall(inner) => base = inner,
                    receiver => {
                        let stack = match receiver {
                            Expr::Call(root) => matches!(&*root.func, Expr::Path(f) if guard(&f.path) == Some(GuardRole::Stack)),
                            Expr::Path(root) => guard(&root.path) == Some(GuardRole::Stack),
                            _ => false,
                        };
                        if stack {
                            for layer in stacked {
                                layer_names(layer, model, names);
                            }
                        } else {
                            layer_names(receiver, model, names);
                        }
                        return;
                    }
                }
            }
        }
        _ => {}
    }
}

/// Whether a layer or `wrap` argument authenticates, by what the models say of the names it goes
/// by ([`layer_names`]), or for names the models do not know, by the names themselves.
pub(crate) fn is_auth_layer(extra: &[String], expr: &Expr, model: &RustModel) -> bool {
    let mut names = Vec::new();
    layer_names(expr, model, &mut names);
    names.iter().any(|(name, role)| match role {
        Some(GuardRole::Middleware) => true,
        Some(_) => false,
        None => !name.is_empty() && is_auth_name(extra, name),
    })
}

impl RouteBeforeAuthMiddleware {
    pub(super) fn is_auth_layer(&self, expr: &Expr, model: &RustModel) -> bool {
        is_auth_layer(&self.auth_middleware, expr, model)
    }

    /// Whether a route's handler carries an auth layer of its own: `get(h).layer(from_fn(auth))`.
    pub(super) fn has_own_auth_layer(&self, handler: &Expr, model: &RustModel) -> bool {
        let mut current = handler;
        while let Expr::MethodCall(call) = current {
            if wraps_earlier_routes(call, model) && call.args.first().is_some_and(|a| self.is_auth_layer(a, model)) {
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
            .filter(|(_, link)| wraps_earlier_routes(link, model))
            .filter(|(_, link)| link.args.first().is_some_and(|a| self.is_auth_layer(a, model)))
            .map(|(i, _)| i)
            .collect();
        let Some(&first_auth) = auth_layers.first() else { return };
        for (i, link) in links.iter().enumerate().skip(first_auth + 1) {
            let adds_route = model.routing(&link.method.to_string(), true).starts_path();
            if !adds_route || link.args.len() != 2 || auth_layers.iter().any(|&a| a > i) {
                continue;
            }
            let Some(path) = model.string_value(&link.args[0], fn_id) else { continue };
            // `.route("/admin", get(admin).route_layer(from_fn(require_admin)))` carries its own.
            if self.has_own_auth_layer(&link.args[1], model) || self.is_public_path(&path) {
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

/// A method that mounts middleware around the routes already on its router, as the models'
/// `[[routes]]` say (axum's `layer` and `route_layer`): routes added after it go without.
fn wraps_earlier_routes(call: &ExprMethodCall, model: &RustModel) -> bool {
    model.routing(&call.method.to_string(), true).covers() == Some(Covers::Earlier)
}
