//! Which function a call names, as far as one Rust file can tell: a path with the file's `use`
//! declarations applied (`crate::repo::notes::by_tag`), or a method of a type the receiver's
//! declaration names. What the function does is for the project pass (`crate::flows`) to find out.

use super::{RustModel, Site};
use crate::taint::Callee;
use syn::Expr;

/// `repo::notes::by_tag(..)`, `by_tag(..)` after `use crate::repo::notes::by_tag`,
/// `Self::check(..)`, `NotesRepo::by_tag(..)`: the path with the file's `use` declarations
/// applied. Only paths that can name the project's functions are kept (asking where every
/// argument of every call comes from would cost a fifth of a scan): through `crate`, `self`,
/// `super`, a module or type the file declares, or a `use` of something other than the standard
/// library (a workspace crate is imported like any other). Constructors (`Some(..)`, `Json(..)`)
/// and external paths written out (`serde_json::to_string(..)`) are not.
pub fn path_callee(model: &RustModel<'_>, site: &Site, function: &Expr) -> Option<Callee> {
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
pub fn method_callee(model: &RustModel<'_>, site: &Site, receiver: &Expr, method: &str) -> Option<Callee> {
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
