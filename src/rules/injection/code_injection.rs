//! `code-injection`: run-time strings evaluated as JavaScript (`eval`, `new Function`, `vm`,
//! string timers). Request data there runs as code on the server, with all its privileges.

use super::report_origin;
use crate::diagnostic::Level;
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
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

const VM_FUNCTIONS: &[&str] = &["runInNewContext", "runInThisContext", "runInContext", "compileFunction", "Script"];

impl Rule for CodeInjection {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression", "new_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = node.field("function").or_else(|| node.field("constructor")) else { return };
        let Some(name) = model.qualified_name(callee) else { return };
        let Some(arguments) = node.field("arguments") else { return };
        let arguments: Vec<Node<'_>> = named_children(arguments).collect();
        let Some(first) = arguments.first().copied() else { return };
        // Named only when something is reported (this runs for every call).
        let shown = || super::sink_name(callee, model);
        let vm_function = name.strip_prefix("vm.").or_else(|| name.strip_prefix("node:vm.")).is_some_and(|f| VM_FUNCTIONS.contains(&f));
        match name.as_str() {
            "eval" | "globalThis.eval" => {
                report_origin(cx, span_of(first), &model.origin(first), "code", &shown(), Some(Level::Warning), HELP);
            }
            // `new Function(arg1, ..., body)`: every argument becomes source text.
            "Function" => {
                let origin = arguments.iter().fold(Origin::Constant, |acc, a| acc.join(model.origin(*a)));
                report_origin(cx, span_of(node), &origin, "code", &shown(), Some(Level::Warning), HELP);
            }
            _ if vm_function => {
                report_origin(cx, span_of(first), &model.origin(first), "code", &shown(), Some(Level::Warning), HELP);
            }
            // A string timer is `eval` later; a function (even one held in a parameter) is not.
            "setTimeout" | "setInterval" | "setImmediate" => {
                let string_shaped = matches!(model.unwrap_expression(first).kind(), "string" | "template_string" | "binary_expression");
                let origin = model.origin(first);
                if string_shaped || origin.is_request() {
                    report_origin(cx, span_of(first), &origin, "code", &shown(), None, HELP);
                }
            }
            _ => {}
        }
    }
}
