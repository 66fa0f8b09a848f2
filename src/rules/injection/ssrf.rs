//! `ssrf`: request data deciding where the server sends an HTTP request. The attacker makes the
//! server call internal services, cloud metadata endpoints (`169.254.169.254`) or localhost admin
//! ports that are unreachable from outside.

use super::{constant_prefix, fixes_origin, report_origin};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::{Property, TsModel};
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "ssrf", build };

struct Ssrf;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(Ssrf))
}

const HELP: &str = "keep the scheme and host fixed in code and put request data only in an encoded path segment or query value; if the host must vary, check it against an allowlist first";

/// HTTP client entry points whose first argument is a URL or a request config with `url`.
const CLIENT_CALLS: &[&str] = &[
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
const DESTINATION_KEYS: &[&str] = &["url", "baseURL", "prefixUrl", "host", "hostname", "uri"];

impl Rule for Ssrf {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = node.child_by_field_name("function") else { return };
        let Some(name) = model.qualified_name(callee) else { return };
        if !CLIENT_CALLS.contains(&name.as_str()) {
            return;
        }
        let Some(arguments) = node.child_by_field_name("arguments") else { return };
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
