//! warp's filters: what a filter chain extracts, in order, and so which arguments of the
//! function it hands them to (`.and_then(handlers::list)`) are request data; and whether a chain
//! that buffers the body bounds its length.
//!
//! `warp::path!("todos" / u64).and(warp::query::<ListOptions>()).and(with_db(db)).and_then(list)`
//! calls `list(id, options, db)`: the path parameter and the query are the client's, the database
//! handle is not. Filters the file builds in functions of its own (`json_body()`) are followed
//! into them. A chain archlint cannot count (alternatives joined with `.or`, filters from other
//! files) tells nothing.

use super::model::{method_chain, path_names, FnId, RustModel};
use syn::Expr;

/// How deep filters held in local variables or built by the file's functions are followed.
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

/// Filters that read the whole body into memory (`body::stream()` hands it over in chunks, and
/// `multipart::form()` has a 2 MB default).
const BUFFERING_FILTERS: &[&str] = &["body::json", "body::form", "body::bytes", "body::aggregate"];

/// Filters that extract nothing: they match or reject (`warp::path("api")`, `warp::get()`).
const MATCHING_FILTERS: &[&str] =
    &["path", "path::end", "get", "post", "put", "patch", "delete", "head", "options", "any", "header::exact", "header::exact_ignore_case"];

/// What a counted filter chain extracts and how it treats the body.
#[derive(Default)]
pub struct Chain<'a> {
    pub extracts: Vec<Extract<'a>>,
    /// The filters that read the whole body into memory.
    pub buffering: Vec<&'a Expr>,
    /// The body limits in the chain (`warp::body::content_length_limit(n)`, per the models).
    pub length_limits: Vec<&'a syn::ExprCall>,
}

/// The arguments a handler given to `.and_then(f)`, `.map(f)` or `.then(f)` (a function or a
/// closure) receives from the warp filter chain in front of it, when the chain can be counted.
/// `fn_id` is the function the chain is written in (filters held in its locals are followed).
pub fn handler_arguments<'a>(model: &RustModel<'a>, fn_id: Option<FnId>, call: &'a syn::ExprMethodCall) -> Option<Vec<Extract<'a>>> {
    handler_chain(model, fn_id, call).map(|chain| chain.extracts)
}

/// The counted filter chain in front of a handler (`.and_then(f)`, `.map(f)`, `.then(f)`).
pub fn handler_chain<'a>(model: &RustModel<'a>, fn_id: Option<FnId>, call: &'a syn::ExprMethodCall) -> Option<Chain<'a>> {
    if !matches!(call.method.to_string().as_str(), "and_then" | "map" | "then") || !model.imports_crate("warp") {
        return None;
    }
    let mut chain = Chain::default();
    chain.extracts = chain_extracts(model, fn_id, &call.receiver, 0, &mut chain)?;
    Some(chain)
}

/// What a filter expression extracts, in order.
fn chain_extracts<'a>(
    model: &RustModel<'a>,
    fn_id: Option<FnId>,
    expr: &'a Expr,
    depth: usize,
    seen: &mut Chain<'a>,
) -> Option<Vec<Extract<'a>>> {
    if depth > MAX_DEPTH {
        return None;
    }
    let (root, calls) = method_chain(expr);
    let mut extracts = filter_extracts(model, fn_id, root, depth, seen)?;
    for call in calls {
        match call.method.to_string().as_str() {
            "and" => extracts.extend(chain_extracts(model, fn_id, call.args.first()?, depth + 1, seen)?),
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
fn filter_extracts<'a>(
    model: &RustModel<'a>,
    fn_id: Option<FnId>,
    root: &'a Expr,
    depth: usize,
    seen: &mut Chain<'a>,
) -> Option<Vec<Extract<'a>>> {
    match root {
        Expr::Call(call) => {
            let path = model.call_path(call)?;
            if !path.starts_with("warp::") {
                // A filter the file builds in a function of its own (`json_body()`): what it returns.
                if let Some(block) = model.taint.free_fn_block(&path) {
                    if let [returned] = super::taint::returned_values(block)[..] {
                        return chain_extracts(model, fn_id, returned, depth + 1, seen);
                    }
                }
                // The project's own filter (`with_db(pool)`, `auth()`): one value of its own.
                return Some(vec![None]);
            }
            // `warp::body::content_length_limit(n)`: a `[[body-limits]]` entry; it matches or rejects.
            if model.body_limit(&model.call_parts(call)).is_some() {
                seen.length_limits.push(call);
                return Some(Vec::new());
            }
            if BUFFERING_FILTERS.iter().any(|filter| path_names(&path, filter)) {
                seen.buffering.push(root);
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
            let local = model.local_of(fn_id, path)?;
            chain_extracts(model, fn_id, local.init?, depth + 1, seen)
        }
        _ => None,
    }
}
