//! `open-redirect`: request data as the target of a redirect. The site's own links then send
//! users to any site the attacker names, which makes phishing pages look trustworthy and leaks
//! OAuth codes and tokens carried in redirects.

use super::{constant_prefix, fixes_origin, report_origin, report_rust_origin, rust_constant_prefix, starts_with_server_value};
use crate::lang::rust::{RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::SinkKind;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use quote::ToTokens;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "open-redirect", build };

struct OpenRedirect;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(OpenRedirect))
}

const HELP: &str =
    "redirect only to paths of this site (check `target.startsWith('/') && !target.startsWith('//')`) or to targets from an allowlist";

/// Whether the target starts with a fixed local path (`/account/…`, not `//host`) or a fixed
/// origin with a path.
fn fixed_prefix(target: Node<'_>, model: &TsModel<'_>) -> bool {
    let prefix = constant_prefix(target, model, 0);
    let local = prefix.starts_with('/') && !prefix.starts_with("//") && !prefix.starts_with("/\\") && prefix.len() > 1;
    local || fixes_origin(&prefix) || model.host_fixed_by_leading_value(target)
}

impl Rule for OpenRedirect {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        let (target, sink) = match node.syntax {
            RustSyntax::Call(call) => {
                let sinks = model.sinks(&model.call_parts(call), SinkKind::Redirect);
                let Some(sink) = sinks.first() else { return };
                (call.args.iter().nth(sink.arguments[0]), format!("`{}`", sink.callee.written))
            }
            // actix-web `HttpResponse::Found().append_header((header::LOCATION, target))`.
            RustSyntax::MethodCall(call) if call.method == "append_header" || call.method == "insert_header" => {
                let Some(syn::Expr::Tuple(pair)) = call.args.first() else { return };
                let is_location = pair.elems.first().is_some_and(|name| {
                    let name = name.to_token_stream().to_string();
                    name.ends_with("LOCATION") || name.to_ascii_lowercase().contains("\"location\"")
                });
                if !is_location {
                    return;
                }
                (pair.elems.iter().nth(1), "the `Location` header".to_string())
            }
            _ => return,
        };
        let Some(target) = target else { return };
        let fixed = rust_constant_prefix(target, model, &node.site, 0)
            .is_some_and(|prefix| (prefix.starts_with('/') && !prefix.starts_with("//") && prefix.len() > 1) || fixes_origin(&prefix));
        if fixed || starts_with_server_value(target, model, node, cx.file, false) {
            return;
        }
        report_rust_origin(cx, model, &node.site, target, "the redirect target", &sink, None, HELP, SinkKind::Redirect);
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if model.sinks(node, SinkKind::Redirect).is_empty() {
            return;
        }
        let Some(callee) = node.field("function") else { return };
        let Some(arguments) = node.field("arguments") else { return };
        let arguments: Vec<Node<'_>> = named_children(arguments).collect();
        // `res.redirect(url)`, `res.redirect(301, url)`, `reply.redirect(url)`, `ctx.redirect(url, alt)`.
        let target = match arguments.as_slice() {
            [only] => *only,
            [first, second] if first.kind() == "number" => *second,
            [first, _] => *first,
            _ => return,
        };
        if fixed_prefix(target, model) {
            return;
        }
        let shown = super::sink_name(callee, model);
        report_origin(cx, span_of(target), &model.origin_for(target, Some(SinkKind::Redirect)), "the redirect target", &shown, None, HELP);
    }
}
