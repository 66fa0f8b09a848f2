//! The Rust recorder of summaries: calls of functions by path (with the file's `use`
//! declarations applied) and of methods of types the file can name, that pass request data or a
//! parameter on. The sinks that parameters reach are recorded by the rules (`report_origin`).

use super::Summary;
use crate::lang::rust::calls::{method_callee, path_callee};
use crate::lang::rust::model::constant_prefix as rust_constant_prefix;
use crate::lang::rust::{span_of, RustModel, RustNode, RustSyntax, Site};
use crate::source::SourceFile;
use crate::taint::Callee;
use crate::taint::Origin;
use crate::text::fixes_origin;
use syn::punctuated::Punctuated;
use syn::Expr;

/// Records what a call node tells the project pass.
pub fn record(node: &RustNode<'_>, model: &RustModel<'_>, file: &SourceFile, summary: &mut Summary) {
    if node.site.in_test || node.site.fn_id.is_none() {
        return;
    }
    match node.syntax {
        RustSyntax::Call(call) => {
            if let Some(callee) = path_callee(model, &node.site, &call.func) {
                record_arguments(model, &node.site, file, summary, callee, &call.args, span_of(file, call));
            }
        }
        RustSyntax::MethodCall(call) => {
            record_warp_handler(model, &node.site, file, summary, call);
            if let Some(callee) = method_callee(model, &node.site, &call.receiver, &call.method.to_string()) {
                record_arguments(model, &node.site, file, summary, callee, &call.args, span_of(file, call));
            }
        }
        // What a function other files can call returns, when it is request data or made of its
        // parameters: a helper reading a header is a source wherever it is called.
        RustSyntax::Fn { block, .. } => {
            let Some(fn_id) = node.site.fn_id else { return };
            let Some(function) = model.fn_path(fn_id).filter(|_| !model.returns_safe_type(fn_id)) else { return };
            for value in crate::lang::rust::taint::returned_values(block).into_iter().filter(|v| !builds_struct(v)) {
                let origin = model.origin_briefly(value, &node.site, file);
                if matches!(origin, Origin::Request(_) | Origin::Parameter(_)) {
                    summary.add_returns(file, function.to_string(), span_of(file, value), &origin);
                }
            }
        }
        _ => {}
    }
}

/// A function a warp filter chain hands its extracts to (`.and_then(handlers::list)`): the
/// arguments that are path parameters, the query, the body or headers are request data passed to
/// it, followed into it by the project pass like any other call's.
fn record_warp_handler(model: &RustModel<'_>, site: &Site, file: &SourceFile, summary: &mut Summary, call: &syn::ExprMethodCall) {
    let Some(arguments) = crate::lang::rust::warp::handler_arguments(model, site.fn_id, call) else { return };
    let Some(callee) = call.args.first().and_then(|handler| path_callee(model, site, handler)) else { return };
    for (index, filter) in arguments.into_iter().enumerate() {
        let Some(filter) = filter else { continue };
        let source = span_of(file, filter);
        let flow = crate::taint::Flow { source, source_text: crate::text::shorten(file.slice(source), 60), steps: Vec::new() };
        summary.add_call(file, callee.clone(), index, span_of(file, call), &Origin::Request(flow), false, false);
    }
}

/// Whether a returned value is a struct built in place (`Self { path, full_url: .. }`, also in
/// `Ok(..)`/`Some(..)`): the taint view cannot tell its fields apart, so a constructor taking
/// one request-derived field would make every field of the result request data (a proxy target
/// whose host is the server's own and whose path is the client's is not a forged URL).
fn builds_struct(value: &Expr) -> bool {
    match value {
        Expr::Struct(_) => true,
        Expr::Paren(inner) => builds_struct(&inner.expr),
        Expr::Call(call) => {
            let wraps = matches!(&*call.func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| matches!(s.ident.to_string().as_str(), "Ok" | "Some" | "new")));
            wraps && call.args.len() == 1 && call.args.first().is_some_and(builds_struct)
        }
        _ => false,
    }
}

fn record_arguments(
    model: &RustModel<'_>,
    site: &Site,
    file: &SourceFile,
    summary: &mut Summary,
    callee: Callee,
    arguments: &Punctuated<Expr, syn::Token![,]>,
    call: crate::source::Span,
) {
    for (index, argument) in arguments.iter().enumerate() {
        let origin = model.origin_briefly(argument, site, file);
        if matches!(origin, Origin::Request(_) | Origin::Parameter(_)) {
            let fixed_origin = rust_constant_prefix(argument, model, site, 0).is_some_and(|prefix| fixes_origin(&prefix));
            summary.add_call(file, callee.clone(), index, call, &origin, fixed_origin, false);
        }
    }
}
