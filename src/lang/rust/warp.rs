//! warp's filters: what a filter chain extracts, in order, and so which arguments of the
//! function it hands them to (`.and_then(handlers::list)`) are request data.
//!
//! `warp::path!("todos" / u64).and(warp::query::<ListOptions>()).and(with_db(db)).and_then(list)`
//! calls `list(id, options, db)`: the path parameter and the query are the client's, the database
//! handle is not. A chain archlint cannot count (alternatives joined with `.or`, filters built in
//! other functions) tells nothing.

use super::model::{method_chain, path_names, RustModel};
use super::Site;
use syn::Expr;

/// How deep filters held in local variables are followed.
const MAX_DEPTH: usize = 4;

/// One value a filter chain extracts: request data (the filter expression that reads it), or
/// something else (application state, the remote address).
pub type Extract<'a> = Option<&'a Expr>;

/// Filters that extract request data: path parameters, the query, the body, headers, cookies.
const DATA_FILTERS: &[&str] = &[
    "path::param",
    "path::tail",
    "path::full",
    "path::peek",
    "query",
    "query::raw",
    "body::json",
    "body::form",
    "body::bytes",
    "body::stream",
    "body::aggregate",
    "header",
    "header::optional",
    "header::headers_cloned",
    "cookie",
    "cookie::optional",
    "multipart::form",
];

/// Filters that extract nothing: they match or reject (`warp::path("api")`, `warp::get()`).
const MATCHING_FILTERS: &[&str] = &[
    "path",
    "path::end",
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
    "any",
    "body::content_length_limit",
    "header::exact",
    "header::exact_ignore_case",
];

/// The arguments a handler given to `.and_then(f)`, `.map(f)` or `.then(f)` receives from the
/// warp filter chain in front of it, when the chain can be counted.
pub fn handler_arguments<'a>(model: &RustModel<'a>, site: &Site, call: &'a syn::ExprMethodCall) -> Option<Vec<Extract<'a>>> {
    if !matches!(call.method.to_string().as_str(), "and_then" | "map" | "then") || !model.imports_crate("warp") {
        return None;
    }
    chain_extracts(model, site, &call.receiver, 0)
}

/// What a filter expression extracts, in order.
fn chain_extracts<'a>(model: &RustModel<'a>, site: &Site, expr: &'a Expr, depth: usize) -> Option<Vec<Extract<'a>>> {
    if depth > MAX_DEPTH {
        return None;
    }
    let (root, calls) = method_chain(expr);
    let mut extracts = filter_extracts(model, site, root, depth)?;
    for call in calls {
        match call.method.to_string().as_str() {
            "and" => extracts.extend(chain_extracts(model, site, call.args.first()?, depth + 1)?),
            // A handler earlier in the chain: its result is one value of the application's.
            "map" | "and_then" | "then" => extracts = vec![None],
            "untuple_one" | "boxed" | "with" | "clone" => {}
            // `.or(..)` extracts one of two shapes; anything else is not counted.
            _ => return None,
        }
    }
    Some(extracts)
}

/// What the first filter of a chain extracts.
fn filter_extracts<'a>(model: &RustModel<'a>, site: &Site, root: &'a Expr, depth: usize) -> Option<Vec<Extract<'a>>> {
    match root {
        Expr::Call(call) => {
            let path = model.call_path(call)?;
            if !path.starts_with("warp::") {
                // The project's own filter (`with_db(pool)`, `auth()`): one value of its own.
                return Some(vec![None]);
            }
            if DATA_FILTERS.iter().any(|filter| path_names(&path, filter)) {
                return Some(vec![Some(root)]);
            }
            if MATCHING_FILTERS.iter().any(|filter| path_names(&path, filter)) {
                return Some(Vec::new());
            }
            // `warp::method()`, `warp::addr::remote()`, `warp::ws()`: the transport's, not the client's text.
            Some(vec![None])
        }
        // `warp::path!("todos" / u64 / String)`: a value per type segment.
        Expr::Macro(mac) if mac.mac.path.segments.last().is_some_and(|s| s.ident == "path") => {
            let tokens = mac.mac.tokens.to_string();
            let segments = tokens.split('/').map(str::trim).filter(|s| !s.is_empty() && *s != "..");
            Some(segments.filter(|s| !s.starts_with('"')).map(|_| Some(root)).collect())
        }
        // A filter held in a local variable.
        Expr::Path(path) => {
            let local = model.local_of(site.fn_id, path)?;
            chain_extracts(model, site, local.init?, depth + 1)
        }
        _ => None,
    }
}
