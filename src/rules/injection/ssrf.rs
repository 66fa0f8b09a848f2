//! `ssrf`: request data deciding where the server sends an HTTP request. The attacker makes the
//! server call internal services, cloud metadata endpoints (`169.254.169.254`) or localhost admin
//! ports that are unreachable from outside.

use super::{constant_prefix, fixes_origin, report_origin, report_rust_origin, rust_constant_prefix, starts_with_server_value};
use crate::lang::rust::{RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::{Property, TsModel};
use crate::models::SinkKind;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "ssrf", build };

struct Ssrf;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(Ssrf))
}

const HELP: &str = "keep the scheme and host fixed in code and put request data only in an encoded path segment or query value; if the host must vary, check it against an allowlist first";

/// Options that choose where the request goes.
pub(crate) const DESTINATION_KEYS: &[&str] = &["url", "baseURL", "prefixUrl", "host", "hostname", "uri"];

impl Rule for Ssrf {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        // A client's request method (`client.get(url)`: a receiver declared as, or named like, a
        // client of an HTTP crate the file uses) or a one-shot function (`reqwest::get(url)`).
        let (parts, args) = match node.syntax {
            RustSyntax::Call(call) => (model.call_parts(call), &call.args),
            RustSyntax::MethodCall(call) => (model.method_call_parts(call, node.site.fn_id), &call.args),
            _ => return,
        };
        let sinks = model.sinks(&parts, SinkKind::Url);
        let Some(url) = sinks.first().and_then(|sink| args.iter().nth(sink.arguments[0])) else { return };
        let sink = match (node.syntax, parts.module.as_deref()) {
            (RustSyntax::MethodCall(call), _) => format!("`.{}`", call.method),
            (_, path) => format!("`{}`", path.unwrap_or("")),
        };
        if rust_constant_prefix(url, model, &node.site, 0).is_some_and(|prefix| fixes_origin(&prefix))
            || starts_with_server_value(url, model, node, cx.file, true)
        {
            return;
        }
        report_rust_origin(cx, model, &node.site, url, "the request URL", &sink, None, HELP, SinkKind::Url);
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let sinks = model.sinks(node, SinkKind::Url);
        let Some(sink) = sinks.first() else { return };
        let Some(callee) = node.field("function") else { return };
        let Some(arguments) = node.field("arguments") else { return };
        let Some(first) = named_children(arguments).nth(sink.arguments[0]) else { return };
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
            if fixes_origin(&constant_prefix(destination, model, 0)) || model.host_fixed_by_leading_value(destination) {
                continue;
            }
            let origin = model.origin_for(destination, Some(SinkKind::Url));
            if report_origin(cx, span_of(destination), &origin, "the request URL", &shown, None, HELP) {
                return;
            }
        }
    }
}
