//! Rust: the handlers of an actix-web, Rocket or axum file, their authentication extractors and
//! the middleware their scopes and routers are wrapped in.

use super::*;
use crate::models::Knowledge;

/// How a handler parameter authenticates.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum ParamAuth {
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

    /// What a handler parameter's type says about the caller: what the models say of the type
    /// (`[[guards]]`: `BearerAuth` requires credentials, `Extension<T>` carries what `T` says,
    /// `State<T>` and request data say nothing), else what its name says.
    pub(super) fn param_auth(&self, ty: &syn::Type, model: &RustModel) -> ParamAuth {
        let syn::Type::Path(path) = ty else {
            return match ty {
                syn::Type::Reference(r) => self.param_auth(&r.elem, model),
                syn::Type::Paren(p) => self.param_auth(&p.elem, model),
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
            return match inner().map(|t| self.param_auth(t, model)) {
                Some(ParamAuth::Required(_) | ParamAuth::Optional) => ParamAuth::Optional,
                _ => ParamAuth::None,
            };
        }
        let configured = self.auth_extractors.contains(&name);
        match model.guard_type(&path.path) {
            Some(GuardRole::Carrier) => {
                return match inner().map(|t| self.param_auth(t, model)) {
                    Some(ParamAuth::Required(_)) => ParamAuth::Required(tight_tokens(ty)),
                    Some(other) => other,
                    None => ParamAuth::None,
                };
            }
            Some(GuardRole::Extractor) => return ParamAuth::Required(tight_tokens(ty)),
            Some(GuardRole::NotAuth) if !configured => return ParamAuth::None,
            _ => {}
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
    pub(super) fn check_rust_file(&self, model: &RustModel, cx: &mut Context<'_>) {
        let Ok(syntax) = crate::lang::rust::parse_file(&cx.file.text) else { return };
        let mut collector = HandlerCollector::new(model.knowledge());
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
                match self.param_auth(&typed.ty, model) {
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

struct HandlerCollector<'a> {
    knowledge: &'a Knowledge,
    fns: Vec<RustFn<'a>>,
    routes: Vec<RoutedFn>,
    in_test: bool,
    /// The path of the `.route(path, ..)` or `web::resource(path)` being read.
    path: Option<String>,
}

/// The HTTP method a route entry of the models registers, in the lower case the rule compares.
fn registered_method(routing: &Routing<'_>) -> Option<String> {
    routing.http_method().map(|method| method.to_ascii_lowercase())
}

impl<'a> HandlerCollector<'a> {
    fn new(knowledge: &'a Knowledge) -> Self {
        HandlerCollector { knowledge, fns: Vec::new(), routes: Vec::new(), in_test: false, path: None }
    }

    /// `#[post("/x")]`, `#[actix_web::delete("/x/{id}")]` → the method (in the lower case the
    /// rule compares) and path, as the models' route attributes say.
    fn route_attribute(&self, attrs: &[syn::Attribute]) -> Option<(String, Option<String>)> {
        let (method, path) = attrs.iter().find_map(|attr| crate::lang::rust::route_attribute(attr, self.knowledge))?;
        Some((method.to_ascii_lowercase(), path))
    }

    fn routing(&self, name: &str, method_call: bool) -> Routing<'a> {
        crate::lang::rust::model::routing_of(self.knowledge, name, method_call)
    }
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
        let attribute = self.route_attribute(&item.attrs);
        self.fns.push(RustFn { sig: &item.sig, block: &item.block, attribute, in_test });
        visit::visit_item_fn(self, item);
    }

    fn visit_impl_item_fn(&mut self, item: &'a syn::ImplItemFn) {
        let in_test = self.in_test || is_test_item(&item.attrs);
        let attribute = self.route_attribute(&item.attrs);
        self.fns.push(RustFn { sig: &item.sig, block: &item.block, attribute, in_test });
        visit::visit_impl_item_fn(self, item);
    }

    fn visit_expr_call(&mut self, call: &'a syn::ExprCall) {
        // `post(create)`, `routing::delete(remove)`.
        if let Expr::Path(func) = &*call.func {
            let name = func.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
            if let (Some(method), 1) = (registered_method(&self.routing(&name, false)), call.args.len()) {
                self.routed(&method, &call.args[0]);
            }
        }
        visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'a syn::ExprMethodCall) {
        let routing = self.routing(&call.method.to_string(), true);
        let outer = self.path.clone();
        // `.route("/orders", get(list))`.
        if routing.starts_path() && call.args.len() == 2 {
            self.path = string_lit(&call.args[0]);
        }
        // `web::resource("/orders").route(web::post().to(create))`: the path is at the chain's root.
        let (root, _) = crate::lang::rust::model::method_chain(&call.receiver);
        if let Expr::Call(root_call) = root {
            let starts_path = match &*root_call.func {
                Expr::Path(p) => p.path.segments.last().is_some_and(|s| self.routing(&s.ident.to_string(), false).starts_path()),
                _ => false,
            };
            if starts_path {
                self.path = root_call.args.first().and_then(string_lit).or(self.path.take());
            }
        }
        if call.args.len() == 1 {
            if let Some(method) = registered_method(&routing) {
                // `get(list).post(create)` on an axum method router.
                self.routed(&method, &call.args[0]);
            } else if routing.hands_handler() {
                // `web::post().to(create)`, `web::resource(..).route(web::delete().to(remove))`.
                if let Expr::Call(receiver) = &*call.receiver {
                    if let Expr::Path(func) = &*receiver.func {
                        let name = func.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
                        if let (Some(method), true) = (registered_method(&self.routing(&name, false)), receiver.args.is_empty()) {
                            self.routed(&method, &call.args[0]);
                        }
                    }
                }
            }
        }
        visit::visit_expr_method_call(self, call);
        self.path = outer;
    }
}
