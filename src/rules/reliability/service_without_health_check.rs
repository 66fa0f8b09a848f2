//! `service-without-health-check`: an HTTP service with no liveness or readiness route anywhere
//! in the project. A load balancer or orchestrator then has nothing to probe: it keeps sending
//! traffic to an instance that is up but broken, and cannot tell one that is still starting
//! from one that is ready. Project-level, and a note: probes can also be TCP checks or an
//! existing route, which the code does not show.

use super::server_start::{rust_server_start, ts_server_start};
use crate::diagnostic::Fact;
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::span_of;
use crate::lang::typescript::TsModel;
use crate::models::Capability;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "service-without-health-check", build };

struct ServiceWithoutHealthCheck;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(ServiceWithoutHealthCheck))
}

/// Path segments that name a probe route.
const PROBE_SEGMENTS: &[&str] = &[
    "health",
    "healthz",
    "healthcheck",
    "health-check",
    "health_check",
    "_health",
    "healthy",
    "ready",
    "readyz",
    "readiness",
    "live",
    "livez",
    "liveness",
    "alive",
    "ping",
    "heartbeat",
    "status",
    "_status",
];
/// The same words when they stand alone, without a slash (`@Controller("health")`,
/// `warp::path("healthz")`): only those that are not everyday words (`ready`, `status`, `live`
/// are event names and fields).
const PROBE_WORDS: &[&str] = &[
    "health",
    "healthz",
    "healthcheck",
    "health-check",
    "health_check",
    "_health",
    "readyz",
    "readiness",
    "livez",
    "liveness",
    "ping",
    "heartbeat",
];

/// Whether a path segment (or a word standing alone) names a probe: one of the words, with
/// Dockerflow's underscores (`__heartbeat__`, `__lbheartbeat__`) or any `health…`/`…heartbeat`.
fn is_probe_word(word: &str, words: &[&str]) -> bool {
    let word = word.trim_matches('_').to_ascii_lowercase();
    words.contains(&word.as_str()) || word.starts_with("health") || word.ends_with("heartbeat")
}

/// Whether a string is a probe route's path (`/healthz`, `/api/v1/health`, `health`).
fn is_probe_path(text: &str) -> bool {
    let text = text.trim();
    if text.is_empty() || text.len() > 80 {
        return false;
    }
    // Prose, and URLs of other services (a client of someone else's `/health`).
    if text.contains(char::is_whitespace) || text.contains("://") {
        return false;
    }
    if !text.contains('/') {
        return is_probe_word(text, PROBE_WORDS);
    }
    text.split('/').any(|segment| is_probe_word(segment, PROBE_SEGMENTS))
}

/// Whether a Rust name says it serves probes: a handler `health`, `get_health`, `readyz`, or a
/// binding such as `healthz_port` for a probe server of its own.
fn is_probe_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("health") || name.contains("heartbeat") || ["readyz", "livez", "readiness", "liveness"].iter().any(|w| name.contains(w))
}

/// The string literals in attributes (`#[get("/health")]`, a route table in an attribute macro
/// such as `#[routes(routes("/health" => get(health)))]`): attributes are not visited as code.
fn attributes_name_a_probe(attrs: &[syn::Attribute]) -> bool {
    fn literals(tokens: proc_macro2::TokenStream) -> bool {
        tokens.into_iter().any(|token| match token {
            proc_macro2::TokenTree::Group(group) => literals(group.stream()),
            proc_macro2::TokenTree::Literal(literal) => {
                matches!(syn::parse2::<syn::Lit>(proc_macro2::TokenTree::Literal(literal).into()), Ok(syn::Lit::Str(s)) if is_probe_path(&s.value()))
            }
            _ => false,
        })
    }
    attrs.iter().filter(|a| !a.path().is_ident("doc")).any(|attr| match &attr.meta {
        syn::Meta::List(list) => literals(list.tokens.clone()),
        _ => false,
    })
}

const HELP: &str = "add a cheap `GET /healthz` (alive) and a `GET /readyz` that checks the dependencies the service needs, and point the load balancer's or orchestrator's probes at them (NestJS: `@nestjs/terminus`)";

fn message(framework: &str) -> String {
    format!(
        "this {framework} service has no health or readiness route anywhere in the code it is built with: a load balancer or orchestrator has nothing to probe, so it keeps sending traffic to an instance that is up but broken, and cannot tell a starting instance from a ready one"
    )
}

impl Rule for ServiceWithoutHealthCheck {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn service_only(&self) -> bool {
        true
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["program", "string", "template_string", "call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        match node.kind() {
            "program" => {
                // A package that serves the probe routes (`models/health-checks.toml`).
                if model.imports_providing(Capability::HealthCheck) {
                    cx.fact(Fact::HealthRoute);
                }
            }
            // Most strings are long, or prose: no string is built for them.
            "string" => {
                if model.text(node).len() <= 82 && model.string_literal(node).is_some_and(|s| is_probe_path(&s)) {
                    cx.fact(Fact::HealthRoute);
                }
            }
            // `${prefix}/health`
            "template_string" => {
                if is_probe_path(model.text(node).trim_matches('`')) {
                    cx.fact(Fact::HealthRoute);
                }
            }
            _ => {
                let Some(start) = ts_server_start(node, model) else { return };
                cx.report(span_of(node), message(&start.framework)).with_help(HELP).withdrawn_by(Fact::HealthRoute);
            }
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Str, RustKind::Fn, RustKind::Struct, RustKind::Let, RustKind::Call]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if node.site.in_test || cx.in_test {
            return;
        }
        match node.syntax {
            RustSyntax::Str(literal) if is_probe_path(&literal.value()) => cx.fact(Fact::HealthRoute),
            RustSyntax::Fn { sig, attrs, .. } if is_probe_name(&sig.ident.to_string()) || attributes_name_a_probe(attrs) => {
                cx.fact(Fact::HealthRoute)
            }
            RustSyntax::Struct(item) if attributes_name_a_probe(&item.attrs) => cx.fact(Fact::HealthRoute),
            RustSyntax::Let { name, .. } if is_probe_name(&name.to_string()) => cx.fact(Fact::HealthRoute),
            RustSyntax::Call(call) => {
                let Some(start) = rust_server_start(call, model) else { return };
                cx.report(rust_span(cx.file, &call.func), message(&start.framework)).with_help(HELP).withdrawn_by(Fact::HealthRoute);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_probe_name, is_probe_path};

    #[test]
    fn probe_paths_and_names() {
        for path in ["/health", "/healthz", "/api/v1/health", "/__heartbeat__", "/__lbheartbeat__", "/readyz", "health", "/ping", "healthz"]
        {
            assert!(is_probe_path(path), "{path}");
        }
        for text in ["ready", "status", "live", "http://billing/health", "the health of the cluster", "/api/users", ""] {
            assert!(!is_probe_path(text), "{text}");
        }
        assert!(is_probe_name("healthz_port") && is_probe_name("get_health") && is_probe_name("readiness"));
        assert!(!is_probe_name("serve") && !is_probe_name("ready_tx"));
    }
}
