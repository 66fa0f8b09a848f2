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
use crate::models::{Covers, GuardRole};
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

mod rust;
mod typescript;

// Shared with `inconsistent-route-auth`, which reads the same routers.
pub(crate) use rust::is_auth_layer;
use rust::*;
pub(crate) use typescript::{call_chain, ts_auth_middleware};

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
            if chain.iter().any(|link| model.routing(&link.method.to_string(), true).starts_path()) {
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
