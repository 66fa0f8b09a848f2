//! `code-injection`: run-time strings evaluated as JavaScript (`eval`, `new Function`, `vm`,
//! string timers). Request data there runs as code on the server, with all its privileges. The
//! same check, reporting strings built from other run-time values (a helper's parameter, an
//! unknown call) instead, is the audit rule `dynamic-code` (`dynamic_code.rs`): on code nobody
//! tuned on those were nearly all false (constants passed by every caller, dead helpers).

use super::{report_origin, Reports};
use crate::diagnostic::Level;
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::SinkKind;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use crate::taint::Origin;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "code-injection", build };

pub(crate) struct CodeInjection {
    id: &'static str,
    reports: Reports,
}

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(CodeInjection { id: ENTRY.id, reports: Reports::RequestData }))
}

impl CodeInjection {
    pub(crate) fn reporting(id: &'static str, reports: Reports) -> CodeInjection {
        CodeInjection { id, reports }
    }

    /// Reports the evaluated string if its origin is what this rule reports.
    fn report(&self, cx: &mut Context<'_>, span: crate::source::Span, origin: &Origin, sink: &str) {
        match self.reports {
            // Parameters are recorded for the project pass, which reports them if a caller
            // passes request data.
            Reports::RequestData => {
                report_origin(cx, span, origin, "code", sink, None, HELP);
            }
            Reports::NonConstant if origin.is_dynamic() => {
                report_origin(cx, span, &Origin::Dynamic, "code", sink, Some(Level::Warning), HELP);
            }
            Reports::NonConstant => {}
        }
    }
}

const HELP: &str = "do not evaluate strings: parse data with `JSON.parse`, look behaviour up in a map of functions, and pass functions (not strings) to timers";

impl Rule for CodeInjection {
    fn id(&self) -> &'static str {
        self.id
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
            if !matches!(code, Origin::Constant | Origin::Safe) {
                self.report(cx, span_of(node), &code, &shown());
            }
            return;
        }
        let sinks = model.sinks(node, SinkKind::Code);
        let Some(sink) = sinks.first() else { return };
        let Some(code) = arguments.get(sink.arguments[0]).copied() else { return };
        let origin = origin(code);
        if sink.certain {
            if !matches!(origin, Origin::Constant | Origin::Safe) {
                self.report(cx, span_of(code), &origin, &shown());
            }
            return;
        }
        // A string timer is `eval` later; a function (even one held in a parameter) is not. Only
        // request data is reported there, by either rule's standard.
        let string_shaped = matches!(model.unwrap_expression(code).kind(), "string" | "template_string" | "binary_expression");
        if (string_shaped || origin.is_request()) && self.reports == Reports::RequestData {
            report_origin(cx, span_of(code), &origin, "code", &shown(), None, HELP);
        }
    }
}
