//! The Rust recorder of summaries: calls of functions by path (with the file's `use`
//! declarations applied) and of methods of types the file can name, that pass request data or a
//! parameter on. The sinks that parameters reach are recorded by the rules (`report_origin`).

use super::{Callee, Summary};
use crate::lang::rust::{span_of, RustModel, RustNode, RustSyntax, Site};
use crate::source::SourceFile;
use crate::taint::Origin;
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
            summary.add_call(file, callee.clone(), index, call, &origin);
        }
    }
}

/// `repo::notes::by_tag(..)`, `by_tag(..)` after `use crate::repo::notes::by_tag`,
/// `Self::check(..)`, `NotesRepo::by_tag(..)`: the path with the file's `use` declarations
/// applied. Only paths that can name the project's functions are kept (asking where every
/// argument of every call comes from would cost a fifth of a scan): through `crate`, `self`,
/// `super`, a module or type the file declares, or a `use` of something other than the standard
/// library (a workspace crate is imported like any other). Constructors (`Some(..)`, `Json(..)`)
/// and external paths written out (`serde_json::to_string(..)`) are not.
pub(crate) fn path_callee(model: &RustModel<'_>, site: &Site, function: &Expr) -> Option<Callee> {
    let Expr::Path(path) = function else { return None };
    if path.qself.is_some() {
        return None;
    }
    let mut segments: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
    let first = segments.first()?.clone();
    if segments.len() == 1 && first.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    if first == "Self" {
        let own = site.fn_id.and_then(|id| model.fn_path(id))?;
        let mut owner: Vec<String> = own.split("::").map(str::to_string).collect();
        owner.pop();
        segments.splice(0..1, std::iter::once("self".to_string()).chain(owner));
        return Some(Callee::Path { segments });
    }
    match model.use_target(&first) {
        Some(target) => {
            let expanded: Vec<String> = target.trim_start_matches("::").split("::").map(str::to_string).collect();
            if matches!(expanded.first().map(String::as_str), Some("std" | "core" | "alloc")) {
                return None;
            }
            segments.splice(0..1, expanded);
        }
        // A function of the file, or a path through a module or type it declares.
        None if segments.len() == 1 && !model.declares_fn(&first) => return None,
        None if segments.len() > 1 && !model.declares(&first) && !matches!(first.as_str(), "crate" | "self" | "super") => return None,
        None => {}
    }
    Some(Callee::Path { segments })
}

/// `self.check(..)`, `self.repo.by_tag(..)`, `repo.by_tag(..)`: a method of a type whose name
/// the receiver's declaration gives, looked up through the file's `use` declarations.
fn method_callee(model: &RustModel<'_>, site: &Site, receiver: &Expr, method: &str) -> Option<Callee> {
    let type_name = model.receiver_type(receiver, site)?;
    let mut segments: Vec<String> = match model.use_target(&type_name) {
        Some(target) => target.trim_start_matches("::").split("::").map(str::to_string).collect(),
        None if model.declares(&type_name) => vec!["self".to_string(), type_name],
        // The prelude's and glob imports' types (`Vec`, `String`): not the project's to follow.
        None => return None,
    };
    if matches!(segments.first().map(String::as_str), Some("std" | "core" | "alloc")) {
        return None;
    }
    segments.push(method.to_string());
    Some(Callee::Path { segments })
}
