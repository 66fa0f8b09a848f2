//! `ssrf`: request data deciding where the server sends an HTTP request. The attacker makes the
//! server call internal services, cloud metadata endpoints (`169.254.169.254`) or localhost admin
//! ports that are unreachable from outside.

use super::{constant_prefix, fixes_origin, report_origin, report_rust_origin, rust_constant_prefix, rust_receiver_root};
use crate::lang::rust::{RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::{Property, TsModel};
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use quote::ToTokens;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "ssrf", build };

struct Ssrf;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(Ssrf))
}

const HELP: &str = "keep the scheme and host fixed in code and put request data only in an encoded path segment or query value; if the host must vary, check it against an allowlist first";

/// HTTP client entry points whose first argument is a URL or a request config with `url`.
pub(crate) const CLIENT_CALLS: &[&str] = &[
    "axios",
    "axios.get",
    "axios.post",
    "axios.put",
    "axios.patch",
    "axios.delete",
    "axios.head",
    "axios.request",
    "fetch",
    "globalThis.fetch",
    "node-fetch",
    "cross-fetch",
    "got",
    "got.get",
    "got.post",
    "got.put",
    "got.patch",
    "got.delete",
    "undici.request",
    "undici.fetch",
    "undici.stream",
    "http.get",
    "http.request",
    "https.get",
    "https.request",
    "node:http.get",
    "node:http.request",
    "node:https.get",
    "node:https.request",
    "superagent.get",
    "superagent.post",
    "needle",
    "needle.get",
    "needle.post",
    "needle.request",
    "request",
    "request.get",
    "request.post",
];
/// Options that choose where the request goes.
pub(crate) const DESTINATION_KEYS: &[&str] = &["url", "baseURL", "prefixUrl", "host", "hostname", "uri"];

/// Rust functions whose first argument is the URL.
const RUST_URL_FUNCTIONS: &[&str] =
    &["reqwest::get", "reqwest::blocking::get", "ureq::get", "ureq::post", "ureq::put", "ureq::delete", "ureq::request"];
/// Client methods whose first argument is the URL (`request(method, url)` takes it second).
const RUST_CLIENT_METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "request"];

impl Ssrf {
    fn is_http_client(model: &RustModel<'_>, node: &RustNode<'_>, receiver: &syn::Expr, source: &str) -> bool {
        // The receiver first: it is cheap to check, and `.get(..)` on maps is everywhere; the
        // search of the file for the crate runs only for client-like receivers.
        let root = rust_receiver_root(model, &node.site, receiver).to_token_stream().to_string().replace(' ', "");
        let lower = root.to_ascii_lowercase();
        if !(root.contains("Client") || root.contains("Agent") || lower.contains("client") || lower.contains("http")) {
            return false;
        }
        // The crate is imported, or named in a path (`State<reqwest::Client>`).
        ["reqwest", "ureq", "awc"].iter().any(|krate| model.imports_crate(krate) || source.contains(&format!("{krate}::")))
    }
}

impl Rule for Ssrf {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        let (url, sink) = match node.syntax {
            RustSyntax::Call(call) => {
                let Some(path) = model.call_path(call) else { return };
                if !RUST_URL_FUNCTIONS.contains(&path.as_str()) {
                    return;
                }
                let url = if path.ends_with("request") { call.args.iter().nth(1) } else { call.args.first() };
                (url, format!("`{path}`"))
            }
            RustSyntax::MethodCall(call) => {
                let method = call.method.to_string();
                if !RUST_CLIENT_METHODS.contains(&method.as_str()) || !Self::is_http_client(model, node, &call.receiver, &cx.file.text) {
                    return;
                }
                let url = if method == "request" { call.args.iter().nth(1) } else { call.args.first() };
                (url, format!("`.{method}`"))
            }
            _ => return,
        };
        let Some(url) = url else { return };
        if rust_constant_prefix(url, model, &node.site, 0).is_some_and(|prefix| fixes_origin(&prefix)) {
            return;
        }
        report_rust_origin(cx, model, &node.site, url, "the request URL", &sink, None, HELP);
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = node.field("function") else { return };
        let Some(name) = model.qualified_name(callee) else { return };
        if !CLIENT_CALLS.contains(&name.as_str()) {
            return;
        }
        let Some(arguments) = node.field("arguments") else { return };
        let Some(first) = named_children(arguments).next() else { return };
        let shown = super::sink_name(callee, model);
        let config = model.resolve(first);
        let destinations: Vec<Node<'_>> = if config.kind() == "object" {
            DESTINATION_KEYS
                .iter()
                .filter_map(|key| match model.property(config, key) {
                    Property::Found(value) => Some(value),
                    _ => None,
                })
                .collect()
        } else {
            vec![first]
        };
        for destination in destinations {
            if fixes_origin(&constant_prefix(destination, model, 0)) {
                continue;
            }
            if report_origin(cx, span_of(destination), &model.origin(destination), "the request URL", &shown, None, HELP) {
                return;
            }
        }
    }
}
