//! `code-injection`: run-time strings evaluated as JavaScript (`eval`, `new Function`, `vm`,
//! string timers). Request data there runs as code on the server, with all its privileges.

use super::report_origin;
use crate::diagnostic::Level;
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::SinkKind;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use crate::taint::Origin;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "code-injection", build };

struct CodeInjection;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(CodeInjection))
}

const HELP: &str = "do not evaluate strings: parse data with `JSON.parse`, look behaviour up in a map of functions, and pass functions (not strings) to timers";

impl Rule for CodeInjection {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression", "new_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = node.field("function").or_else(|| node.field("constructor")) else { return };
        let Some(arguments) = node.field("arguments") else { return };
        let arguments: Vec<Node<'_>> = named_children(arguments).collect();
        let origin = |node: Node<'_>| model.origin_for(node, Some(SinkKind::Code));
        // Named only when something is reported (this runs for every call).
        let shown = || super::sink_name(callee, model);
        // `new Function(arg1, ..., body)`: every argument becomes source text (the language's own
        // constructor, whatever the models say).
        if model.qualified_name(callee).as_deref() == Some("Function") {
            let code = arguments.iter().fold(Origin::Constant, |acc, a| acc.join(origin(*a)));
            report_origin(cx, span_of(node), &code, "code", &shown(), Some(Level::Warning), HELP);
            return;
        }
        let sinks = model.sinks(node, SinkKind::Code);
        let Some(sink) = sinks.first() else { return };
        let Some(code) = arguments.get(sink.arguments[0]).copied() else { return };
        if sink.certain {
            report_origin(cx, span_of(code), &origin(code), "code", &shown(), Some(Level::Warning), HELP);
            return;
        }
        // A string timer is `eval` later; a function (even one held in a parameter) is not.
        let string_shaped = matches!(model.unwrap_expression(code).kind(), "string" | "template_string" | "binary_expression");
        let origin = origin(code);
        if string_shaped || origin.is_request() {
            report_origin(cx, span_of(code), &origin, "code", &shown(), None, HELP);
        }
    }
}
