//! `auth-route-without-rate-limit`: login, token and password-reset endpoints in a project that
//! mounts no rate limiter anywhere. Without one, credential stuffing and password guessing run
//! at whatever speed the server answers, and reset endpoints become a mail cannon.

use crate::diagnostic::Fact;
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{decorator_name, named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::Language;
use crate::rules::auth::tight_tokens;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "auth-route-without-rate-limit", build };

struct AuthRouteWithoutRateLimit;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(AuthRouteWithoutRateLimit))
}

/// Packages and crates that rate-limit requests.
const HELP: &str = "rate-limit this route per client and per account (express-rate-limit, @nestjs/throttler, @fastify/rate-limit; tower_governor, actix-governor)";

/// Route paths that authenticate or reset credentials.
/// Whether a route takes credentials: its last fixed segment names a sign-in, token, reset or
/// one-time-code step (`/auth/login`, `/oauth/token`, `/reset-password/:token`,
/// `/users/:id/password`). A credential word earlier in the path names a sub-resource
/// (`/password/expiration` takes a flag, not a password).
fn is_auth_route(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let is_parameter = |s: &str| s.starts_with(':') || s.starts_with('{') || s.starts_with('<') || s.starts_with('*');
    let fixed: Vec<&str> = lower.split(['/', '.']).filter(|s| !s.is_empty() && !is_parameter(s)).collect();
    let Some(&segment) = fixed.last() else { return false };
    // `/password/reset`, `/password/forgot`: the step is named after the password.
    if fixed.len() >= 2 && fixed[fixed.len() - 2] == "password" && matches!(segment, "reset" | "forgot" | "recover" | "change") {
        return true;
    }
    {
        matches!(
            segment,
            "login"
                | "signin"
                | "sign-in"
                | "sign_in"
                | "logon"
                | "token"
                | "oauth"
                | "authenticate"
                | "forgot-password"
                | "forgot_password"
                | "reset-password"
                | "reset_password"
                | "password-reset"
                | "password"
                | "otp"
                | "2fa"
                | "mfa"
                | "verify-otp"
        )
    }
}

impl AuthRouteWithoutRateLimit {
    fn report(&self, span: crate::source::Span, route: &str, cx: &mut Context<'_>) {
        let finding =
            cx.report(span, format!("`{route}` takes credentials, but no rate limiter is mounted anywhere in the code it is built with"));
        finding.help = Some(HELP.into());
        finding.withdrawn_by(Fact::RateLimiterPresent);
    }
}

impl Rule for AuthRouteWithoutRateLimit {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["program", "call_expression", "decorator"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        match node.kind() {
            // A limiter of the models (`[[limiters]]`, built in or the project's own) imported here.
            "program" if model.knowledge.limiter_modules(Language::Typescript).any(|m| model.imports_matching(m)) => {
                cx.fact(Fact::RateLimiterPresent)
            }
            "program" => {}
            _ if cx.in_test => {}
            // `router.post("/login", ...)`
            "call_expression" => {
                let Some(callee) = node.field("function").filter(|c| c.kind() == "member_expression") else { return };
                let method = callee.field("property").map(|p| model.text(p)).unwrap_or("");
                let registers = model.routing(method).http_method();
                if !registers.is_some_and(|m| matches!(m.as_str(), "POST" | "PUT" | "PATCH" | "ALL")) {
                    return;
                }
                // Server-side route files only: HTTP clients have `.post("/login", body)` too.
                let serves = !model.handlers().is_empty()
                    || model.knowledge.route_framework_modules(Language::Typescript).any(|m| model.imports_module(m));
                if !serves || model.imports_ui_framework() || crate::source::is_frontend_path(&cx.file.rel_path) {
                    return;
                }
                let Some(arguments) = node.field("arguments") else { return };
                let arguments: Vec<Node<'_>> = named_children(arguments).collect();
                let (Some(path), Some(last)) = (arguments.first(), arguments.last()) else { return };
                // The last argument is the handler: a function, or a reference to one.
                let handler_like = arguments.len() >= 2
                    && (crate::lang::typescript::model::is_function_like(last.kind())
                        || matches!(last.kind(), "identifier" | "member_expression" | "call_expression"));
                let Some(route) = model.string_value(*path) else { return };
                if handler_like && route.starts_with('/') && is_auth_route(&route) {
                    self.report(span_of(*path), &route, cx);
                }
            }
            // NestJS `@Post("login")` in a controller: a route decorator of the models that
            // registers a write.
            "decorator" => {
                let Some((name, Some(_))) = decorator_name(model, node) else { return };
                let registers = model.knowledge.decorator_registers(Language::Typescript, name);
                if !registers.is_some_and(|m| matches!(m.as_str(), "POST" | "PUT" | "PATCH" | "ALL")) {
                    return;
                }
                let Some(argument) = node.named_child(0).and_then(|call| call.field("arguments")).and_then(|a| a.named_child(0)) else {
                    return;
                };
                let Some(route) = model.string_value(argument) else { return };
                if is_auth_route(&route) {
                    self.report(span_of(argument), &route, cx);
                }
            }
            _ => {}
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::MethodCall, RustKind::Fn]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        // A limiter crate imported (checked on functions only, not on every call), or a governor
        // layer mounted.
        let mounts_limiter = match node.syntax {
            RustSyntax::Fn { .. } => model.knowledge().limiter_modules(Language::Rust).any(|krate| model.imports_crate(krate)),
            // A limiter crate's middleware mounted by its path (`.layer(tower_governor::GovernorLayer { .. })`,
            // `.wrap(..)`, a Rocket fairing `.attach(..)`).
            RustSyntax::MethodCall(call) if model.routing(&call.method.to_string(), true).mount().is_some() => {
                call.args.first().is_some_and(|a| {
                    let text = tight_tokens(a);
                    model.knowledge().limiter_modules(Language::Rust).any(|krate| text.contains(&format!("{krate}::")))
                })
            }
            _ => false,
        };
        if mounts_limiter {
            cx.fact(Fact::RateLimiterPresent);
        }
        if node.site.in_test || cx.in_test {
            return;
        }
        match node.syntax {
            // axum `.route("/login", post(login))`
            RustSyntax::MethodCall(call) if call.args.len() == 2 && model.routing(&call.method.to_string(), true).starts_path() => {
                let Some(route) = model.string_value(&call.args[0], node.site.fn_id) else { return };
                let handler = quote::ToTokens::to_token_stream(&call.args[1]).to_string();
                let writes = ["post", "put", "patch", "any"]
                    .iter()
                    .any(|m| handler.contains(&format!("{m} (")) || handler.contains(&format!("{m}(")));
                if is_auth_route(&route) && writes {
                    self.report(rust_span(cx.file, &call.args[0]), &route, cx);
                }
            }
            // actix/rocket `#[post("/login")] async fn login(..)`
            RustSyntax::Fn { sig, .. } => {
                let Some(handler) = node.site.fn_id.and_then(|id| model.handlers().iter().find(|h| h.fn_id == id)) else { return };
                let Some(route) = &handler.route else { return };
                // Only write methods: `#[post("/login")]`, not `#[get("/login")]`.
                let from_attribute = ["post", "put", "patch"].iter().any(|m| cx.file.text.contains(&format!("{m}(\"{route}\"")));
                if from_attribute && is_auth_route(route) && !matches!(handler.framework, crate::lang::rust::Framework::Axum) {
                    self.report(rust_span(cx.file, &sig.ident), route, cx);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_routes() {
        assert!(is_auth_route("/api/auth/login"));
        assert!(is_auth_route("/oauth/token"));
        assert!(is_auth_route("/users/:id/password"));
        assert!(is_auth_route("/forgot-password"));
        assert!(!is_auth_route("/api/tokens/:id/usage"), "a resource named tokens is not the token endpoint");
        assert!(!is_auth_route("/login-history"));
        assert!(is_auth_route("/reset-password/:token"));
        assert!(is_auth_route("/api/password/reset"));
        assert!(!is_auth_route("/users/:id/password/expiration"), "a sub-resource of the password");
        assert!(!is_auth_route("/orders"));
    }
}
