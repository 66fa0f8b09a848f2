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
use crate::models::{GuardRole, RouteRole, Routing};
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

mod express;
mod nest;
mod rust;

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
                let wraps = model.routing(&call.method.to_string(), true).mount().is_some();
                if wraps && call.args.first().is_some_and(|a| is_auth_layer(&self.auth_middleware, a, model)) {
                    cx.fact(Fact::RustAuthMiddleware);
                }
            }
            // The file is read once, at its first handler, and only when it has two.
            RustSyntax::Fn { .. } => {
                let handlers = model.handlers();
                let first = handlers.iter().map(|h| h.fn_id).min();
                if handlers.len() >= 2 && first.is_some() && first == node.site.fn_id {
                    self.check_rust_file(model, cx);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::express::resource_of;
    use super::nest::is_public_decorator_name;
    use super::rust::ParamAuth;
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
        rule().param_auth(&syn::parse_str::<syn::Type>(ty).unwrap(), &RustModel::default())
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
            assert!(rule.is_auth_guard_name(guard), "{guard}");
        }
        for guard in ["ThrottlerGuard", "CustomThrottlerGuard", "ImpersonationWriteGuard", "new MaintenanceGuard()"] {
            assert!(!rule.is_auth_guard_name(guard), "{guard}");
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
