//! `open-redirect`: request data as the target of a redirect. The site's own links then send
//! users to any site the attacker names, which makes phishing pages look trustworthy and leaks
//! OAuth codes and tokens carried in redirects.

use super::{constant_prefix, fixes_origin, report_origin};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::TsModel;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
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
    local || fixes_origin(&prefix)
}

impl Rule for OpenRedirect {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = node.child_by_field_name("function").filter(|c| c.kind() == "member_expression") else { return };
        if callee.child_by_field_name("property").map(|p| model.text(p)) != Some("redirect") {
            return;
        }
        let Some(arguments) = node.child_by_field_name("arguments") else { return };
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
        report_origin(cx, span_of(target), &model.origin(target), "the redirect target", &shown, None, HELP);
    }
}
