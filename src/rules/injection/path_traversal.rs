//! `path-traversal`: request data used as a file-system path. `../` sequences (or an absolute
//! path) in the data reach files outside the intended directory: configuration, keys, source.

use super::{option_set, report_origin, report_rust_origin};
use crate::lang::rust::{RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::SinkKind;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "path-traversal", build };

struct PathTraversal;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(PathTraversal))
}

const HELP: &str = "reduce the name to its last component (`path.basename`), or resolve the path and check that it still starts with the base directory; for `res.sendFile`, pass `{ root }`";

impl Rule for PathTraversal {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        let RustSyntax::Call(call) = node.syntax else { return };
        let parts = model.call_parts(call);
        let sinks = model.sinks(&parts, SinkKind::Path);
        let Some(sink) = sinks.first() else { return };
        let shown = format!("`{}`", sink.callee.written);
        for argument in sink.arguments.iter().filter_map(|&index| call.args.iter().nth(index)) {
            if report_rust_origin(cx, model, &node.site, argument, "a file path", &shown, None, HELP, SinkKind::Path) {
                break;
            }
        }
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let sinks = model.sinks(node, SinkKind::Path);
        let Some(sink) = sinks.first() else { return };
        let Some(callee) = node.field("function") else { return };
        let arguments: Vec<Node<'_>> = node.field("arguments").map(|a| named_children(a).collect()).unwrap_or_default();
        // `res.sendFile(p, { root })`: Express serves only files under `root`.
        if sink.unless_option.as_deref().is_some_and(|key| option_set(model, &arguments, 1, key)) {
            return;
        }
        // Named only when something is reported (this runs for every call).
        let shown = || super::sink_name(callee, model);
        for path in sink.arguments.iter().filter_map(|&index| arguments.get(index)) {
            let origin = model.origin_for(*path, Some(SinkKind::Path));
            if report_origin(cx, span_of(*path), &origin, "a file path", &shown(), None, HELP) {
                break;
            }
        }
    }
}
