//! The taint view for Rust: where the value of an expression comes from, asked by injection rules
//! about the arguments of their sinks ([`RustModel::origin`]).
//!
//! The walk goes backwards from the sink argument, inside the function the sink is in (closures
//! included): through `let` bindings (respecting shadowing), destructuring (`let (a, b) = ..`,
//! `if let`, `match` arms, `for` loops, closure parameters of `.map(|x| ..)`-style calls), later
//! mutations of a binding (`s.push_str(x)`, `s += x`, `s = x`, `write!(s, ..)`, `v.push(x)`),
//! `format!`/`concat!` (arguments and inline captures), `+`, field access, indexing, `await`, `?`
//! and known conversions, until it reaches:
//!
//! - a request source: in a request handler (axum, actix-web, Rocket), a name bound by an
//!   extractor parameter (`Path(id): Path<String>`, `Json(body)`, `q: web::Query<Q>`,
//!   `headers: HeaderMap`, a body `String`, a Rocket route segment `<name>`), or an accessor of a
//!   request object (`req.match_info()`, `req.query_string()`, `req.uri()`, `parts.headers`);
//! - a constant: literals, `const`/`static` items, `stringify!`, enum variants, `match`/`if`
//!   whose every arm is constant (the allowlist idiom);
//! - a safe value: numbers, booleans, UUIDs and dates (by declared type: `Path<i64>`,
//!   `let n: u32 = ..`, a field of a DTO declared in the file, a parameter `limit: u32` of any
//!   function), `.parse::<i64>()`, `as` casts, `.len()`, URL/shell encoders, `Path::file_name()`;
//! - or something it cannot see through: parameters of other functions and results of unknown
//!   calls are [`Origin::Dynamic`].
//!
//! Allowlist checks sanitise the value they check, from the check on: `if !ALLOWED.contains(&x)
//! { return .. }`, `if !matches!(x.as_str(), "a" | "b") { return Err(..) }`, `match x.as_str() {
//! "a" | "b" => .., _ => return .. }`, `if !path_is_valid(&x) { return .. }` (a predicate named
//! for validation), and inside the branch of a positive check. Otherwise it is
//! flow-insensitive about conditions (`.validate()` does not sanitise, a mutation inside a branch
//! counts).
//!
//! Functions of the same file are followed, a few calls deep ([`MAX_FRAMES`]), in both
//! directions: a call `build(&id)` has the value its body returns with the parameters standing
//! for the arguments (as the TypeScript side does), and a parameter of a function (`fn run(script:
//! &str)`) carries what the file's calls of it pass. Every question has a budget (nodes visited,
//! bindings followed and expression depth), so shadowing chains, recursion and self-referential
//! updates always terminate.

use super::extent::{block_end, block_start, expr_end, expr_start, local_extent, point};
use super::model::{end_point, single_ident, start_point, FnId, Framework, LocalVar, RustModel, SourcePoint};
use super::{span_of, Site};
use crate::models::{CallParts, Language, SinkKind};
use crate::source::{SourceFile, Span};
use crate::taint::{Flow, Origin};
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use syn::spanned::Spanned;
use syn::{Expr, Lit, Pat, Type};

/// How many functions of the file one question may follow, into callees and out to callers.
const MAX_FRAMES: usize = 3;
/// Methods whose call in a condition checks a value against a list or a pattern:
/// `ALLOWED.contains(&x)`, `COLUMNS.contains_key(x)`, `NAME_RE.is_match(&x)`.
const MEMBERSHIP_METHODS: &[&str] = &["contains", "contains_key", "is_match"];
/// Words of a predicate's name that say it validates its argument: `path_is_valid(&p)`,
/// `is_safe_name(&n)`, `allowed_host(&h)`.
const VALIDATING_WORDS: &[&str] = &["valid", "safe", "allowed", "permitted", "whitelisted", "allowlisted"];
/// Macros that never return.
const DIVERGING_MACROS: &[&str] = &["panic", "unreachable", "todo", "unimplemented", "bail"];

/// Bindings (a `let`, a pattern, a mutation) followed from the sink, at most.
const MAX_HOPS: usize = 12;
/// Expression nesting followed, at most (bounds the stack whatever the input).
const MAX_DEPTH: usize = 96;
/// Expressions visited per question, at most (bounds `let b = a + a; let c = b + b; ...`).
const BUDGET: usize = 2048;
/// The budget of [`RustModel::origin_briefly`].
const BRIEF_BUDGET: usize = 32;

/// Extractors and smart pointers that dereference to their first type argument and are tuple
/// structs around it (`q.0`, `q.into_inner()`, `q.field`).
const WRAPPERS: &[&str] = &[
    "Json",
    "Query",
    "Path",
    "Form",
    "Valid",
    "Garde",
    "WithRejection",
    "Data",
    "ValidatedJson",
    "ValidatedQuery",
    "ValidatedForm",
    "ValidatedPath",
    "TypedHeader",
    "MsgPack",
    "Box",
    "Arc",
    "Rc",
    "Cow",
];
/// Types holding values of their first type argument.
const CONTAINERS: &[&str] = &["Option", "Result", "Vec", "VecDeque", "HashSet", "BTreeSet", "IndexSet", "LinkedList", "BinaryHeap"];
/// Maps: safe only when keys and values are.
const MAPS: &[&str] = &["HashMap", "BTreeMap", "IndexMap"];
/// Types whose values cannot carry an injection: numbers, booleans, identifiers, dates.
const SAFE_TYPES: &[&str] = &[
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "f32",
    "f64",
    "bool",
    "Uuid",
    "Ulid",
    "Decimal",
    "BigDecimal",
    "NaiveDate",
    "NaiveDateTime",
    "NaiveTime",
    "DateTime",
    "OffsetDateTime",
    "PrimitiveDateTime",
];
/// Methods whose result is a number or a boolean, or a sanitised value (`file_name` keeps only
/// the last path component).
const SAFE_METHODS: &[&str] = &[
    "len",
    "count",
    "is_empty",
    "is_some",
    "is_none",
    "is_ok",
    "is_err",
    "contains",
    "contains_key",
    "starts_with",
    "ends_with",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "cmp",
    "partial_cmp",
    "any",
    "all",
    "position",
    "is_ascii",
    "is_alphanumeric",
    "is_numeric",
    "file_name",
];
/// Methods whose result carries the receiver's data (conversions, unwrapping, string and
/// iterator adaptors), and their arguments' when they are in [`COMBINING_METHODS`].
const PROPAGATING_METHODS: &[&str] = &[
    "to_string",
    "to_owned",
    "clone",
    "cloned",
    "copied",
    "into",
    "as_str",
    "as_ref",
    "as_deref",
    "as_mut",
    "borrow",
    "deref",
    "as_bytes",
    "into_bytes",
    "as_path",
    "to_path_buf",
    "display",
    "to_str",
    "to_string_lossy",
    "into_string",
    "into_owned",
    "into_inner",
    "unwrap",
    "expect",
    "unwrap_or",
    "unwrap_or_default",
    "unwrap_or_else",
    "unwrap_unchecked",
    "ok",
    "ok_or",
    "ok_or_else",
    "or",
    "or_else",
    "map",
    "map_err",
    "and_then",
    "filter",
    "flatten",
    "get",
    "get_all",
    "first",
    "last",
    "next",
    "nth",
    "iter",
    "into_iter",
    "collect",
    "join",
    "concat",
    "trim",
    "trim_start",
    "trim_end",
    "trim_matches",
    "trim_start_matches",
    "trim_end_matches",
    "strip_prefix",
    "strip_suffix",
    "to_lowercase",
    "to_uppercase",
    "to_ascii_lowercase",
    "to_ascii_uppercase",
    "replace",
    "replacen",
    "repeat",
    "split",
    "splitn",
    "rsplit",
    "split_whitespace",
    "lines",
    "chars",
    "bytes",
    "to_vec",
    "query",
    "with_file_name",
    "with_extension",
    "chain",
    "add",
];
/// Propagating methods whose arguments also end up in the result (`base.join(name)`).
const COMBINING_METHODS: &[&str] =
    &["unwrap_or", "or", "join", "replace", "replacen", "with_file_name", "with_extension", "chain", "add", "concat"];
/// Propagating methods that take the value out of its wrapper (`Option`, `Json`, ...).
const UNWRAPPING_METHODS: &[&str] = &[
    "unwrap",
    "expect",
    "unwrap_or",
    "unwrap_or_default",
    "unwrap_or_else",
    "unwrap_unchecked",
    "into_inner",
    "deref",
    "as_deref",
    "ok_or",
    "ok_or_else",
];
/// Propagating methods that keep the receiver's type.
const TYPE_KEEPING_METHODS: &[&str] = &["clone", "to_owned", "as_ref", "as_mut", "borrow", "cloned", "copied", "ok", "filter"];
/// Propagating methods that yield elements of the receiver.
const ELEMENT_METHODS: &[&str] = &["get", "first", "last", "next", "nth", "iter", "into_iter"];
/// Methods that change the binding they are called on (`s.push_str(x)`, `v.push(x)`).
const MUTATING_METHODS: &[&str] = &["push_str", "push", "insert_str", "insert", "extend", "extend_from_slice", "append", "write_str"];
/// Types whose conversion functions (`String::from`, `PathBuf::from`, `Url::parse`) carry
/// their arguments' data.
const CONVERTING_TYPES: &[&str] =
    &["String", "str", "PathBuf", "Path", "OsStr", "OsString", "Cow", "Box", "Arc", "Rc", "Url", "Uri", "Vec"];

/// What the traversal records for the taint view, on top of the rest of the model.
#[derive(Default)]
pub struct TaintFacts<'a> {
    fns: HashMap<FnId, FnInfo<'a>>,
    consts: HashSet<String>,
    types: HashMap<String, TypeDef<'a>>,
    bindings: HashMap<(FnId, String), Vec<PatBinding<'a>>>,
    mutations: HashMap<(FnId, String), Vec<Mutation<'a>>>,
    /// Closures already recorded as arguments of a method call (by where their parameters open).
    closures_seen: HashSet<SourcePoint>,
    /// Locals that hold a canonicalised path (`let p = base.join(name).canonicalize()?`): a
    /// `starts_with` check on them is a containment check.
    canonical_paths: HashSet<(FnId, String)>,
    /// Allowlist checks of a place (`x`, `q.sort`): where the place holds a listed value.
    guards: HashMap<(FnId, String), Vec<Guard>>,
    /// Function items of the file by name (`None` when two share a name), to follow calls.
    free_fns: HashMap<String, Option<FnId>>,
    /// Calls by a bare name (`run(&script)`), with the function they are in.
    calls: HashMap<String, Vec<(FnId, &'a syn::ExprCall)>>,
}

struct FnInfo<'a> {
    sig: &'a syn::Signature,
    block: &'a syn::Block,
    /// A function item (not a method): the file's calls of its name are calls of it.
    free: bool,
    /// Names Rocket fills from the request: `<name>`, `<path..>` in the route attribute.
    route_names: Vec<String>,
}

/// Where an allowlist check holds: from `from` to `until` the checked place is a listed value.
#[derive(Clone, Copy)]
struct Guard {
    from: SourcePoint,
    until: SourcePoint,
}

enum TypeDef<'a> {
    /// Fields by name (`0`, `1`, ... for tuple structs).
    Struct(Vec<(String, &'a Type)>),
    /// An enum whose variants carry no data.
    UnitEnum,
    /// Anything else, or two definitions of one name.
    Opaque,
}

/// A name bound by a pattern other than `let name = ..`: its value is a part of `source`.
#[derive(Clone, Copy)]
struct PatBinding<'a> {
    pat: &'a Pat,
    /// `None` when the value is not known (a closure passed to a function).
    source: Option<&'a Expr>,
    /// The pattern matches elements of `source` (`for x in source`, `source.map(|x| ..)`).
    element: bool,
    /// A parameter of a closure that may be a request handler.
    handler: Option<HandlerInput<'a>>,
    from: SourcePoint,
    until: SourcePoint,
    step: (SourcePoint, SourcePoint),
}

/// A closure parameter that a framework may fill with request data.
#[derive(Clone, Copy)]
enum HandlerInput<'a> {
    /// The closure is handed to this method call, and this is the parameter's position: a warp
    /// filter chain's `.and_then(|id, query| ..)` passes it what the filters extract, not
    /// elements of its receiver (when the chain is warp's).
    Warp { call: &'a syn::ExprMethodCall, index: usize },
    /// The first parameter of a closure given to `service_fn` (hyper, lambda_http, tower): the
    /// request.
    ServiceRequest,
}

struct Mutation<'a> {
    /// Where the mutated name is written (which binding it is).
    at: SourcePoint,
    /// Where the mutation is complete: it affects uses from here on.
    end: SourcePoint,
    /// The mutating expression or macro (a step of a flow).
    step: (SourcePoint, SourcePoint),
    value: MutationValue<'a>,
}

enum MutationValue<'a> {
    /// `s.push_str(x)` (all arguments count), `s += x`, `s = x` (the right side).
    Expr(&'a Expr),
    /// `write!(s, "..", args)`.
    Write(&'a syn::Macro),
}

impl<'a> TaintFacts<'a> {
    /// The declared type of a parameter of a function, by name (`client: &Client` → `Client`).
    pub(super) fn parameter_type(&self, fn_id: Option<FnId>, name: &str) -> Option<String> {
        let info = self.fns.get(&fn_id?)?;
        info.sig.inputs.iter().find_map(|input| {
            let syn::FnArg::Typed(param) = input else { return None };
            let mut names = Vec::new();
            pattern_names(&param.pat, &mut names, 0);
            // `client: &Client`, and the extractor patterns `State(client): State<Client>`.
            let binds = match &*param.pat {
                Pat::Ident(p) => p.ident == name,
                Pat::TupleStruct(_) => names.len() == 1 && names[0] == name,
                _ => false,
            };
            binds.then(|| super::model::type_path(&param.ty)).flatten()
        })
    }

    /// The body of the file's function item of this name, when only one has it.
    pub(crate) fn free_fn_block(&self, name: &str) -> Option<&'a syn::Block> {
        let fn_id = (*self.free_fns.get(name)?)?;
        Some(self.fns.get(&fn_id)?.block)
    }

    pub(super) fn record_fn(
        &mut self,
        fn_id: FnId,
        sig: &'a syn::Signature,
        route_attribute: Option<&'a syn::Attribute>,
        block: &'a syn::Block,
        free: bool,
    ) {
        let route_names = route_attribute.map(route_names).unwrap_or_default();
        self.fns.insert(fn_id, FnInfo { sig, block, free, route_names });
        if free {
            // Two functions of one name (different modules): follow neither.
            let name = sig.ident.to_string();
            let known = self.free_fns.contains_key(&name);
            self.free_fns.insert(name, if known { None } else { Some(fn_id) });
        }
    }

    fn record_guard(&mut self, fn_id: FnId, place: String, from: SourcePoint, until: SourcePoint) {
        self.guards.entry((fn_id, place)).or_default().push(Guard { from, until });
    }

    pub(super) fn record_const(&mut self, name: &syn::Ident) {
        self.consts.insert(name.to_string());
    }

    pub(super) fn record_struct(&mut self, item: &'a syn::ItemStruct) {
        let fields = item
            .fields
            .iter()
            .enumerate()
            .map(|(index, field)| (field.ident.as_ref().map_or_else(|| index.to_string(), |ident| ident.to_string()), &field.ty))
            .collect();
        self.record_type(item.ident.to_string(), TypeDef::Struct(fields));
    }

    pub(super) fn record_enum(&mut self, item: &'a syn::ItemEnum) {
        let unit = item.variants.iter().all(|variant| matches!(variant.fields, syn::Fields::Unit));
        self.record_type(item.ident.to_string(), if unit { TypeDef::UnitEnum } else { TypeDef::Opaque });
    }

    fn record_type(&mut self, name: String, def: TypeDef<'a>) {
        // Two types of one name in a file (different modules): trust neither.
        let def = if self.types.contains_key(&name) { TypeDef::Opaque } else { def };
        self.types.insert(name, def);
    }

    /// `let (a, b) = init;`, `let Some(x) = init else { .. };`, `let Params { page, .. } = init;`
    /// `let p = <..>.canonicalize()?;` (also `fs::canonicalize(..)`, `tokio::fs::canonicalize(..).await`).
    pub(super) fn record_local_init(&mut self, fn_id: FnId, name: &str, init: &Expr) {
        if calls_canonicalize(init) {
            self.canonical_paths.insert((fn_id, name.to_string()));
        }
    }

    /// `!p.starts_with(root)` with `p` a canonicalised local and `root` not a literal prefix.
    fn containment_check(&self, fn_id: FnId, cond: &Expr) -> Option<String> {
        let Expr::Unary(syn::ExprUnary { op: syn::UnOp::Not(_), expr, .. }) = cond else { return None };
        let Expr::MethodCall(call) = strip_parens(expr) else { return None };
        if call.method != "starts_with" || call.args.len() != 1 || matches!(strip_parens(&call.args[0]), Expr::Lit(_)) {
            return None;
        }
        let Expr::Path(path) = strip_parens(&call.receiver) else { return None };
        let name = single_ident(&path.path)?;
        self.canonical_paths.contains(&(fn_id, name.clone())).then_some(name)
    }

    pub(super) fn record_let_pattern(&mut self, fn_id: FnId, local: &'a syn::Local, init: &'a Expr) {
        let step = local_extent(local);
        self.record_pattern(
            fn_id,
            PatBinding { pat: &local.pat, source: Some(init), element: false, handler: None, from: step.1, until: (usize::MAX, 0), step },
        );
    }

    /// `write!(s, ..)` / `writeln!(s, ..)` on a local `s`.
    pub(super) fn record_write(&mut self, fn_id: FnId, mac: &'a syn::Macro, target: &Expr) {
        let target = match target {
            Expr::Reference(r) => &*r.expr,
            other => other,
        };
        if let Expr::Path(p) = target {
            if let Some(name) = single_ident(&p.path) {
                let step = (start_point(mac), end_point(mac));
                let mutation = Mutation { at: start_point(p), end: step.1, step, value: MutationValue::Write(mac) };
                self.mutations.entry((fn_id, name)).or_default().push(mutation);
            }
        }
    }

    /// Pattern bindings and mutations introduced by one expression.
    pub(super) fn record_expr(&mut self, fn_id: FnId, expr: &'a Expr) {
        match expr {
            Expr::If(e) => {
                // `if !path.starts_with(&root) { return .. }` on a canonicalised path: it stays
                // under `root` after the `if`.
                if let Some(place) = self.containment_check(fn_id, &e.cond) {
                    if block_diverges(&e.then_branch) {
                        self.record_guard(fn_id, place, expr_end(expr), (usize::MAX, 0));
                    }
                }
                // `if !ALLOWED.contains(&x) { return .. }`: `x` is listed after the `if`;
                // `if ALLOWED.contains(&x) { .. }`: inside the branch.
                if let Some((listed, place)) = allowlist_check(&e.cond) {
                    if listed {
                        self.record_guard(fn_id, place, block_start(&e.then_branch), block_end(&e.then_branch));
                    } else if block_diverges(&e.then_branch) {
                        self.record_guard(fn_id, place.clone(), expr_end(expr), (usize::MAX, 0));
                    }
                }
                // Bound after the whole `let`: in `if let Some(x) = x` the second `x` is the outer one.
                for l in lets_in_condition(&e.cond) {
                    let step = (point(l.let_token.span.start()), expr_end(&l.expr));
                    self.record_pattern(
                        fn_id,
                        PatBinding {
                            pat: &l.pat,
                            source: Some(&l.expr),
                            element: false,
                            handler: None,
                            from: step.1,
                            until: block_end(&e.then_branch),
                            step,
                        },
                    );
                }
            }
            Expr::While(e) => {
                for l in lets_in_condition(&e.cond) {
                    let step = (point(l.let_token.span.start()), expr_end(&l.expr));
                    self.record_pattern(
                        fn_id,
                        PatBinding {
                            pat: &l.pat,
                            source: Some(&l.expr),
                            element: false,
                            handler: None,
                            from: step.1,
                            until: block_end(&e.body),
                            step,
                        },
                    );
                }
            }
            Expr::Match(e) => {
                // `match x.as_str() { "a" | "b" => .., _ => return .. }`: in the literal arms, and
                // after the `match` when every other arm leaves.
                if let Some(place) = place_of(&e.expr) {
                    let literal = |arm: &syn::Arm| arm.guard.is_none() && is_literal_pattern(&arm.pat);
                    for arm in e.arms.iter().filter(|arm| literal(arm)) {
                        self.record_guard(fn_id, place.clone(), expr_start(&arm.body), expr_end(&arm.body));
                    }
                    if e.arms.iter().any(literal) && e.arms.iter().all(|arm| literal(arm) || expr_diverges(&arm.body)) {
                        self.record_guard(fn_id, place, expr_end(expr), (usize::MAX, 0));
                    }
                }
                for arm in &e.arms {
                    let step = (start_point(&arm.pat), end_point(&arm.pat));
                    self.record_pattern(
                        fn_id,
                        PatBinding {
                            pat: &arm.pat,
                            source: Some(&e.expr),
                            element: false,
                            handler: None,
                            from: end_point(&arm.pat),
                            until: expr_end(&arm.body),
                            step,
                        },
                    );
                }
            }
            Expr::ForLoop(e) => {
                let step = (start_point(&*e.pat), expr_end(&e.expr));
                self.record_pattern(
                    fn_id,
                    PatBinding {
                        pat: &e.pat,
                        source: Some(&e.expr),
                        element: true,
                        handler: None,
                        from: step.1,
                        until: block_end(&e.body),
                        step,
                    },
                );
            }
            Expr::MethodCall(call) => {
                for arg in &call.args {
                    if let Expr::Closure(closure) = arg {
                        self.closures_seen.insert(closure_key(closure));
                        let may_be_handler = matches!(call.method.to_string().as_str(), "and_then" | "map" | "then");
                        for (index, input) in closure.inputs.iter().enumerate() {
                            let step = (start_point(input), end_point(input));
                            let until = expr_end(&closure.body);
                            self.record_pattern(
                                fn_id,
                                PatBinding {
                                    pat: input,
                                    source: Some(&call.receiver),
                                    element: true,
                                    handler: may_be_handler.then_some(HandlerInput::Warp { call, index }),
                                    from: end_point(input),
                                    until,
                                    step,
                                },
                            );
                        }
                    }
                }
                if MUTATING_METHODS.iter().any(|method| call.method == method) {
                    for arg in &call.args {
                        self.record_mutation(fn_id, &call.receiver, expr, arg);
                    }
                }
            }
            Expr::Closure(closure) if !self.closures_seen.contains(&closure_key(closure)) => {
                for input in &closure.inputs {
                    let step = (start_point(input), end_point(input));
                    self.record_pattern(
                        fn_id,
                        PatBinding {
                            pat: input,
                            source: None,
                            element: false,
                            handler: None,
                            from: end_point(input),
                            until: expr_end(&closure.body),
                            step,
                        },
                    );
                }
            }
            Expr::Binary(binary) if matches!(binary.op, syn::BinOp::AddAssign(_)) => {
                self.record_mutation(fn_id, &binary.left, expr, &binary.right);
            }
            Expr::Call(call) => {
                if let Expr::Path(func) = &*call.func {
                    if let Some(name) = single_ident(&func.path) {
                        self.calls.entry(name).or_default().push((fn_id, call));
                    }
                    // `service_fn(|req| async move { .. })`: a hyper or Lambda service written in place.
                    let service_fn = func.path.segments.last().is_some_and(|last| last.ident == "service_fn");
                    if let (true, Some(Expr::Closure(closure))) = (service_fn, call.args.first()) {
                        self.closures_seen.insert(closure_key(closure));
                        for (index, input) in closure.inputs.iter().enumerate() {
                            let step = (start_point(input), end_point(input));
                            self.record_pattern(
                                fn_id,
                                PatBinding {
                                    pat: input,
                                    source: None,
                                    element: false,
                                    handler: (index == 0).then_some(HandlerInput::ServiceRequest),
                                    from: end_point(input),
                                    until: expr_end(&closure.body),
                                    step,
                                },
                            );
                        }
                    }
                }
            }
            Expr::Assign(assign) => self.record_mutation(fn_id, &assign.left, expr, &assign.right),
            _ => {}
        }
    }

    fn record_mutation(&mut self, fn_id: FnId, target: &'a Expr, whole: &'a Expr, value: &'a Expr) {
        let target = match target {
            Expr::Paren(p) => &*p.expr,
            other => other,
        };
        if let Expr::Path(p) = target {
            if let Some(name) = single_ident(&p.path) {
                let step = (expr_start(whole), expr_end(whole));
                let mutation = Mutation { at: start_point(p), end: step.1, step, value: MutationValue::Expr(value) };
                self.mutations.entry((fn_id, name)).or_default().push(mutation);
            }
        }
    }

    fn record_pattern(&mut self, fn_id: FnId, binding: PatBinding<'a>) {
        let mut names = Vec::new();
        pattern_names(binding.pat, &mut names, 0);
        names.sort();
        names.dedup();
        for name in names {
            self.bindings.entry((fn_id, name)).or_default().push(binding);
        }
    }

    /// Whether values of `ty` cannot carry an injection (numbers, booleans, UUIDs, dates,
    /// unit enums, and structs, tuples and containers of those).
    fn is_safe_type(&self, ty: &Type, depth: usize) -> bool {
        if depth > 6 {
            return false;
        }
        match peel(ty) {
            Type::Tuple(tuple) => tuple.elems.iter().all(|t| self.is_safe_type(t, depth + 1)),
            Type::Array(array) => self.is_safe_type(&array.elem, depth + 1),
            Type::Slice(slice) => self.is_safe_type(&slice.elem, depth + 1),
            Type::Path(path) if path.qself.is_none() => {
                let Some(segment) = path.path.segments.last() else { return false };
                let name = segment.ident.to_string();
                let args = type_args(segment);
                if SAFE_TYPES.contains(&name.as_str()) || name.starts_with("NonZero") {
                    true
                } else if WRAPPERS.contains(&name.as_str()) || CONTAINERS.contains(&name.as_str()) {
                    args.first().is_some_and(|t| self.is_safe_type(t, depth + 1))
                } else if MAPS.contains(&name.as_str()) {
                    !args.is_empty() && args.iter().all(|t| self.is_safe_type(t, depth + 1))
                } else if path.path.segments.len() == 1 && args.is_empty() {
                    match self.types.get(&name) {
                        Some(TypeDef::UnitEnum) => true,
                        Some(TypeDef::Struct(fields)) => fields.iter().all(|(_, t)| self.is_safe_type(t, depth + 1)),
                        _ => false,
                    }
                } else {
                    false
                }
            }
            _ => false,
        }
    }

    /// The type of `member` of a value of type `ty`, through auto-dereferencing wrappers.
    fn field_type(&self, ty: &'a Type, member: &syn::Member, depth: usize) -> Option<&'a Type> {
        if depth > 4 {
            return None;
        }
        let ty = peel(ty);
        if let (Type::Tuple(tuple), syn::Member::Unnamed(index)) = (ty, member) {
            return tuple.elems.iter().nth(index.index as usize);
        }
        let Type::Path(path) = ty else { return None };
        let segment = path.path.segments.last()?;
        let name = segment.ident.to_string();
        if let Some(TypeDef::Struct(fields)) = self.types.get(&name) {
            let wanted = match member {
                syn::Member::Named(ident) => ident.to_string(),
                syn::Member::Unnamed(index) => index.index.to_string(),
            };
            return fields.iter().find(|(field, _)| *field == wanted).map(|(_, t)| *t);
        }
        if WRAPPERS.contains(&name.as_str()) {
            let inner = *type_args(segment).first()?;
            return match member {
                syn::Member::Unnamed(index) if index.index == 0 => Some(inner),
                _ => self.field_type(inner, member, depth + 1),
            };
        }
        None
    }

    /// The type of field `index` of tuple-struct pattern `path(..)` matched against `ty`.
    fn tuple_struct_field(&self, ty: &'a Type, path: &syn::Path, index: usize) -> Option<&'a Type> {
        let Type::Path(type_path) = peel(ty) else { return None };
        let segment = type_path.path.segments.last()?;
        if let Some(TypeDef::Struct(fields)) = self.types.get(&segment.ident.to_string()) {
            return fields.get(index).map(|(_, t)| *t);
        }
        let args = type_args(segment);
        let is_err = path.segments.last().is_some_and(|s| s.ident == "Err");
        args.get(if is_err { index + 1 } else { index }).copied()
    }
}

/// The value the walk carries: its origin and, when known, its declared type (for the
/// precision guard: `body.age` is safe when `age: u32` in the DTO).
#[derive(Clone)]
struct Val<'a> {
    origin: Origin,
    ty: Option<&'a Type>,
    /// A request object (`HttpRequest`): not data itself, but its accessors are sources.
    object: bool,
}

impl<'a> Val<'a> {
    fn of(origin: Origin) -> Val<'a> {
        Val { origin, ty: None, object: false }
    }

    fn join(self, other: Val<'a>) -> Val<'a> {
        Val::of(self.origin.join(other.origin))
    }

    /// A number or a boolean computed from this value.
    fn numeric(self) -> Val<'a> {
        Val::of(if self.origin == Origin::Constant { Origin::Constant } else { Origin::Safe })
    }

    fn with_ty(mut self, ty: Option<&'a Type>) -> Val<'a> {
        self.ty = ty;
        self
    }
}

struct Walk<'m, 'a> {
    model: &'m RustModel<'a>,
    facts: &'m TaintFacts<'a>,
    file: &'m SourceFile,
    fn_id: Option<FnId>,
    info: Option<&'m FnInfo<'a>>,
    /// Set when the function is a request handler.
    framework: Option<Framework>,
    budget: Cell<usize>,
    /// Inside a followed call: the values of the call's arguments, which the parameters stand for.
    arguments: Option<Vec<Val<'a>>>,
    /// How many functions deep this walk is from the question's.
    frames: usize,
    /// The kind of sink asked about: a sanitiser for other kinds does not make the value safe.
    kind: Option<SinkKind>,
}

impl<'a> RustModel<'a> {
    /// Where the value of `expr`, evaluated at `site` (the sink node's [`Site`]), comes from.
    /// See the module documentation for what is followed.
    pub fn origin(&self, expr: &Expr, site: &Site, file: &SourceFile) -> Origin {
        self.origin_for(expr, site, file, None)
    }

    /// [`RustModel::origin`] for a sink of `kind`: sanitisers the models declare for other kinds
    /// only do not count (with `None`, only those for every kind do).
    pub fn origin_for(&self, expr: &Expr, site: &Site, file: &SourceFile, kind: Option<SinkKind>) -> Origin {
        self.origin_within(expr, site, file, kind, BUDGET)
    }

    /// [`RustModel::origin`] with a small budget, for questions asked of every call's arguments
    /// (what the summaries record): a flow the budget cannot see to its end is left out,
    /// never guessed.
    pub fn origin_briefly(&self, expr: &Expr, site: &Site, file: &SourceFile) -> Origin {
        // Only request data and parameters matter to the summaries: the rest is all one.
        match self.origin_within(expr, site, file, None, BRIEF_BUDGET) {
            origin @ (Origin::Request(_) | Origin::Parameter(_)) => origin,
            _ => Origin::Dynamic,
        }
    }

    fn origin_within(&self, expr: &Expr, site: &Site, file: &SourceFile, kind: Option<SinkKind>, budget: usize) -> Origin {
        let walk = Walk {
            kind,
            model: self,
            facts: &self.taint,
            file,
            fn_id: site.fn_id,
            info: site.fn_id.and_then(|id| self.taint.fns.get(&id)),
            framework: site.fn_id.and_then(|id| self.handlers.iter().find(|h| h.fn_id == id)).map(|h| h.framework),
            budget: Cell::new(budget),
            arguments: None,
            frames: 0,
        };
        walk.eval(expr, 0, 0).origin
    }
}

impl RustModel<'_> {
    /// Whether a function's declared return type names `ty` (`RequestBuilder`, also inside
    /// `Result`), and its body, for a look at what it does to what it returns.
    pub fn fn_returning(&self, fn_id: FnId, ty: &str) -> Option<&syn::Block> {
        let info = self.taint.fns.get(&fn_id)?;
        let syn::ReturnType::Type(_, returned) = &info.sig.output else { return None };
        let words = quote::ToTokens::to_token_stream(returned).to_string();
        words.split(|c: char| !c.is_alphanumeric() && c != '_').any(|word| word == ty).then_some(info.block)
    }

    /// Whether a function's declared return type cannot carry an injection (a number, a
    /// boolean, a UUID, also inside `Result` or `Option`): what it returns is safe, whatever it
    /// was computed from.
    pub fn returns_safe_type(&self, fn_id: FnId) -> bool {
        let Some(info) = self.taint.fns.get(&fn_id) else { return false };
        let syn::ReturnType::Type(_, ty) = &info.sig.output else { return false };
        let mut ty: &Type = ty;
        for _ in 0..4 {
            let Type::Path(path) = peel(ty) else { break };
            let Some(segment) = path.path.segments.last() else { break };
            match (segment.ident.to_string().as_str(), type_args(segment).first()) {
                ("Result" | "Option", Some(inner)) => ty = inner,
                _ => break,
            }
        }
        self.taint.is_safe_type(ty, 0)
    }

    /// The name of the declared type of a method call's receiver, through references and
    /// wrappers (`Arc`, `State`, `Data`, `Box`): `self` (the `impl` block's type), `self.repo`
    /// (the field's type in a struct of this file), a parameter (`repo: &NotesRepo`,
    /// `State(notes): State<NotesRepo>`), or a `let` with a type. `None` when the file does not say.
    pub fn receiver_type(&self, receiver: &Expr, site: &Site) -> Option<String> {
        let fn_id = site.fn_id?;
        let receiver = match receiver {
            Expr::Paren(p) => &*p.expr,
            Expr::Reference(r) => &*r.expr,
            other => other,
        };
        let impl_type = || {
            let path = self.fn_path(fn_id)?;
            let mut segments: Vec<&str> = path.split("::").collect();
            segments.pop();
            segments.pop().map(str::to_string)
        };
        match receiver {
            Expr::Path(path) if path.path.is_ident("self") => impl_type(),
            Expr::Path(path) => {
                let name = single_ident(&path.path)?;
                if let Some(local) = self.local_of(Some(fn_id), path) {
                    return local.ty.and_then(type_name);
                }
                let info = self.taint.fns.get(&fn_id)?;
                info.sig.inputs.iter().find_map(|input| {
                    let syn::FnArg::Typed(param) = input else { return None };
                    let mut names = Vec::new();
                    pattern_names(&param.pat, &mut names, 0);
                    names.contains(&name).then(|| type_name(&param.ty)).flatten()
                })
            }
            Expr::Field(field) => {
                let owner = self.receiver_type(&field.base, site)?;
                let Some(TypeDef::Struct(fields)) = self.taint.types.get(&owner) else { return None };
                let syn::Member::Named(member) = &field.member else { return None };
                fields.iter().find(|(name, _)| member == name).and_then(|(_, ty)| type_name(ty))
            }
            _ => None,
        }
    }
}

/// The name of a type, through references and the wrappers that hand out their content
/// (`&Arc<NotesRepo>` → `NotesRepo`).
fn type_name(ty: &Type) -> Option<String> {
    name_inside(ty, &["Arc", "Rc", "Box", "State", "Data", "Extension"])
}

/// The name of a type once the `transparent` wrappers around it are taken off (through
/// references), a few levels deep.
fn name_inside(ty: &Type, transparent: &[&str]) -> Option<String> {
    let mut ty = peel(ty);
    for _ in 0..4 {
        let Type::Path(path) = ty else { return None };
        let segment = path.path.segments.last()?;
        let name = segment.ident.to_string();
        match (transparent.contains(&name.as_str()), type_args(segment).first()) {
            (true, Some(inner)) => ty = peel(inner),
            _ => return Some(name),
        }
    }
    None
}

impl<'a> Walk<'_, 'a> {
    /// A walk of another function of the file, one frame deeper, sharing this walk's budget
    /// (the caller hands it over and takes back what is left).
    fn enter<'s>(&'s self, fn_id: FnId, arguments: Option<Vec<Val<'a>>>) -> Walk<'s, 'a> {
        Walk {
            model: self.model,
            facts: self.facts,
            file: self.file,
            fn_id: Some(fn_id),
            info: self.facts.fns.get(&fn_id),
            framework: self.model.handlers.iter().find(|h| h.fn_id == fn_id).map(|h| h.framework),
            budget: Cell::new(self.budget.get()),
            arguments,
            frames: self.frames + 1,
            kind: self.kind,
        }
    }

    /// Whether an allowlist check holds for `place` at `at`, for the binding its root names there.
    fn guarded(&self, place: &str, at: SourcePoint) -> bool {
        let Some(fn_id) = self.fn_id else { return false };
        let Some(guards) = self.facts.guards.get(&(fn_id, place.to_string())) else { return false };
        let root = place.split('.').next().unwrap_or(place);
        let binding = |point| self.model.local(self.fn_id, root, point).map(|local| local.visible_from);
        guards.iter().any(|guard| guard.from <= at && at <= guard.until && binding(guard.from) == binding(at))
    }

    /// `build(&id)` of a function of this file: what its body returns, with its parameters
    /// standing for the arguments.
    fn local_call(&self, name: &str, call: &syn::ExprCall, depth: usize, hops: usize) -> Option<Val<'a>> {
        let fn_id = (*self.facts.free_fns.get(name)?)?;
        if self.frames >= MAX_FRAMES || Some(fn_id) == self.fn_id {
            return None;
        }
        let info = self.facts.fns.get(&fn_id)?;
        let arguments: Vec<Val<'a>> = call.args.iter().map(|arg| self.eval(arg, depth, hops)).collect();
        let callee = self.enter(fn_id, Some(arguments));
        let mut returned = Vec::new();
        collect_returns(info.block, &mut returned);
        let val = returned.into_iter().fold(callee.block(info.block, depth, hops), |acc, value| acc.join(callee.eval(value, depth, hops)));
        self.budget.set(callee.budget.get());
        Some(self.step(Val::of(val.origin), self.span(call)))
    }

    /// What the file's calls of the function being walked pass as its parameter number `index`.
    fn passed_by_callers(&self, info: &FnInfo<'a>, index: usize, depth: usize) -> Origin {
        let name = info.sig.ident.to_string();
        let known = info.free && self.facts.free_fns.get(&name) == Some(&self.fn_id);
        let Some(calls) = self.facts.calls.get(&name).filter(|_| known && self.frames < MAX_FRAMES) else { return Origin::Dynamic };
        let mut origin = Origin::Dynamic;
        for (caller, call) in calls {
            let Some(argument) = call.args.iter().nth(index).filter(|_| Some(*caller) != self.fn_id) else { continue };
            let walk = self.enter(*caller, None);
            let passed = walk.eval(argument, depth, 0);
            self.budget.set(walk.budget.get());
            origin = origin.join(self.step(passed, self.span(call)).origin);
        }
        origin
    }

    fn spend(&self) -> bool {
        let left = self.budget.get();
        if left == 0 {
            return false;
        }
        self.budget.set(left - 1);
        true
    }

    fn span(&self, spanned: &impl Spanned) -> Span {
        span_of(self.file, spanned)
    }

    fn span_between(&self, (start, end): (SourcePoint, SourcePoint)) -> Span {
        Span::new(self.file.offset_of_line_char(start.0, start.1), self.file.offset_of_line_char(end.0, end.1))
    }

    /// Request data read at `at`, described by the code that reads it.
    fn source(&self, at: Span) -> Origin {
        let text = crate::text::shorten(self.file.slice(at), 60);
        Origin::Request(Flow { source: at, source_text: text, steps: Vec::new() })
    }

    /// Records that request data passed through `span`. A step enclosing earlier ones replaces
    /// them: one step per statement reads better than the nested expressions of one line.
    fn step(&self, mut val: Val<'a>, span: Span) -> Val<'a> {
        if let Origin::Request(flow) = &mut val.origin {
            flow.steps.retain(|s| !span.encloses(*s));
        }
        val.origin = val.origin.through(span);
        val
    }

    /// Applies the declared type: request data or a dynamic value of a safe type is safe.
    fn settle(&self, val: Val<'a>) -> Val<'a> {
        match (&val.origin, val.ty) {
            (Origin::Request(_) | Origin::Parameter(_) | Origin::Returned(_) | Origin::Dynamic, Some(ty))
                if self.facts.is_safe_type(ty, 0) =>
            {
                Val::of(Origin::Safe)
            }
            _ => val,
        }
    }

    fn field(&self, val: Val<'a>, member: &syn::Member) -> Val<'a> {
        let ty = val.ty.and_then(|ty| self.facts.field_type(ty, member, 0));
        self.settle(Val { ty, ..val })
    }

    fn unwrapped(&self, val: Val<'a>) -> Val<'a> {
        let ty = val.ty.and_then(unwrap_type);
        self.settle(Val { ty, ..val })
    }

    fn element(&self, val: Val<'a>) -> Val<'a> {
        let ty = val.ty.and_then(element_type);
        self.settle(Val { ty, ..val })
    }

    fn eval(&self, expr: &Expr, depth: usize, hops: usize) -> Val<'a> {
        if depth > MAX_DEPTH || !self.spend() {
            return Val::of(Origin::Dynamic);
        }
        let d = depth + 1;
        match expr {
            Expr::Lit(_) => Val::of(Origin::Constant),
            Expr::Paren(e) => self.eval(&e.expr, d, hops),
            Expr::Group(e) => self.eval(&e.expr, d, hops),
            Expr::Reference(e) => self.eval(&e.expr, d, hops),
            Expr::Await(e) => self.eval(&e.base, d, hops),
            Expr::Try(e) => {
                let inner = self.eval(&e.expr, d, hops);
                self.unwrapped(inner)
            }
            Expr::Unary(e) => {
                let inner = self.eval(&e.expr, d, hops);
                match e.op {
                    syn::UnOp::Deref(_) => self.unwrapped(inner),
                    _ => inner.numeric(),
                }
            }
            Expr::Cast(e) => self.eval(&e.expr, d, hops).numeric(),
            Expr::Path(p) => match single_ident(&p.path) {
                Some(name) if p.qself.is_none() => self.name(&name, start_point(p), d, hops),
                // `Sort::Asc`, `i64::MAX`, `Self::TABLE`, `config::NAME`.
                _ => Val::of(Origin::Constant),
            },
            Expr::Field(e) => {
                if place_of(expr).is_some_and(|place| self.guarded(&place, expr_start(expr))) {
                    return Val::of(Origin::Safe);
                }
                let base = self.eval(&e.base, d, hops);
                if base.object {
                    let is_data = matches!(&e.member, syn::Member::Named(name) if self.model.knowledge().request_member(Language::Rust, "request", &name.to_string()));
                    return Val::of(if is_data { self.source(self.span(expr)) } else { Origin::Dynamic });
                }
                self.field(base, &e.member)
            }
            // The index does not matter: `COLUMNS[i]` is one of the constants.
            Expr::Index(e) => {
                let base = self.eval(&e.expr, d, hops);
                self.element(base)
            }
            Expr::MethodCall(call) => self.method_call(call, expr, d, hops),
            Expr::Call(call) => self.call(call, d, hops),
            Expr::Macro(m) => self.macro_value(&m.mac, d, hops),
            Expr::Binary(e) => self.binary(e, expr, d, hops),
            Expr::If(e) => {
                let then = self.block(&e.then_branch, d, hops);
                match &e.else_branch {
                    Some((_, other)) => then.join(self.eval(other, d, hops)),
                    None => then.join(Val::of(Origin::Constant)),
                }
            }
            Expr::Match(e) => self.match_value(e, d, hops),
            Expr::Block(e) => self.block(&e.block, d, hops),
            Expr::Unsafe(e) => self.block(&e.block, d, hops),
            Expr::Const(e) => self.block(&e.block, d, hops),
            Expr::Array(e) => self.join_all(e.elems.iter(), d, hops),
            Expr::Tuple(e) => self.join_all(e.elems.iter(), d, hops),
            Expr::Repeat(e) => self.eval(&e.expr, d, hops),
            Expr::Struct(e) => {
                let fields = self.join_all(e.fields.iter().map(|f| &f.expr), d, hops);
                match &e.rest {
                    Some(rest) => fields.join(self.eval(rest, d, hops)),
                    None => fields,
                }
            }
            Expr::Range(_) | Expr::Let(_) => Val::of(Origin::Safe),
            // Never a value: contributes nothing to a `match` or `if`.
            Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) | Expr::Assign(_) => Val::of(Origin::Constant),
            _ => Val::of(Origin::Dynamic),
        }
    }

    fn join_all<'e>(&self, exprs: impl Iterator<Item = &'e Expr>, depth: usize, hops: usize) -> Val<'a> {
        exprs.fold(Val::of(Origin::Constant), |acc, e| acc.join(self.eval(e, depth, hops)))
    }

    /// The value of a block: its tail expression (`()` otherwise).
    fn block(&self, block: &syn::Block, depth: usize, hops: usize) -> Val<'a> {
        match block.stmts.last() {
            Some(syn::Stmt::Expr(e, None)) => self.eval(e, depth, hops),
            Some(syn::Stmt::Macro(m)) if m.semi_token.is_none() => self.macro_value(&m.mac, depth, hops),
            _ => Val::of(Origin::Constant),
        }
    }

    fn binary(&self, e: &syn::ExprBinary, whole: &Expr, depth: usize, hops: usize) -> Val<'a> {
        use syn::BinOp;
        match e.op {
            BinOp::Add(_) => {
                let joined = self.eval(&e.left, depth, hops).join(self.eval(&e.right, depth, hops));
                self.step(joined, self.span(whole))
            }
            BinOp::Sub(_)
            | BinOp::Mul(_)
            | BinOp::Div(_)
            | BinOp::Rem(_)
            | BinOp::BitXor(_)
            | BinOp::BitAnd(_)
            | BinOp::BitOr(_)
            | BinOp::Shl(_)
            | BinOp::Shr(_)
            | BinOp::And(_)
            | BinOp::Or(_)
            | BinOp::Eq(_)
            | BinOp::Lt(_)
            | BinOp::Le(_)
            | BinOp::Ne(_)
            | BinOp::Ge(_)
            | BinOp::Gt(_) => self.eval(&e.left, depth, hops).join(self.eval(&e.right, depth, hops)).numeric(),
            // Compound assignments are `()`.
            _ => Val::of(Origin::Constant),
        }
    }

    fn match_value(&self, e: &syn::ExprMatch, depth: usize, hops: usize) -> Val<'a> {
        let scrutinee = root_name(&e.expr);
        e.arms.iter().fold(Val::of(Origin::Constant), |acc, arm| {
            // `match sort.as_str() { "name" | "email" => sort, _ => "id" }`: in a literal arm the
            // scrutinee is one of the literals.
            let allowlisted = is_literal_pattern(&arm.pat) && scrutinee.is_some() && root_name(&arm.body) == scrutinee;
            let arm_value = if allowlisted { Val::of(Origin::Constant) } else { self.eval(&arm.body, depth, hops) };
            acc.join(arm_value)
        })
    }

    /// The value a name has at `at`: the latest binding (a `let` or a pattern) visible there,
    /// else a parameter, else a constant.
    fn name(&self, name: &str, at: SourcePoint, depth: usize, hops: usize) -> Val<'a> {
        if name == "self" {
            return Val::of(Origin::Dynamic);
        }
        if self.guarded(name, at) {
            return Val::of(Origin::Safe);
        }
        let local = self.model.local(self.fn_id, name, at);
        let pattern = self.fn_id.and_then(|fn_id| {
            self.facts
                .bindings
                .get(&(fn_id, name.to_string()))?
                .iter()
                .filter(|b| b.from <= at && at <= b.until)
                .max_by_key(|b| (b.from, b.source.is_some()))
        });
        match (local, pattern) {
            (Some(local), Some(pattern)) if pattern.from > local.visible_from => self.pattern_value(name, pattern, depth, hops),
            (Some(local), _) => self.local_value(name, local, at, depth, hops),
            (None, Some(pattern)) => self.pattern_value(name, pattern, depth, hops),
            (None, None) => self.parameter_or_global(name),
        }
    }

    fn local_value(&self, name: &str, local: &LocalVar<'a>, at: SourcePoint, depth: usize, hops: usize) -> Val<'a> {
        if hops >= MAX_HOPS {
            return Val::of(Origin::Dynamic);
        }
        if local.ty.is_some_and(|ty| self.facts.is_safe_type(ty, 0)) {
            return Val::of(Origin::Safe);
        }
        let mut val = match local.init {
            Some(init) => self.eval(init, depth, hops + 1),
            None => Val::of(Origin::Dynamic),
        };
        if local.ty.is_some() {
            val.ty = local.ty;
        }
        if let Some(decl) = local.decl {
            val = self.step(val, self.span(decl));
        }
        // Later changes of this binding before the use: `s.push_str(x)`, `s += x`, `write!(s, ..)`.
        let Some(fn_id) = self.fn_id else { return val };
        let Some(mutations) = self.facts.mutations.get(&(fn_id, name.to_string())) else { return val };
        for mutation in mutations {
            let same_binding = self.model.local(self.fn_id, name, mutation.at).is_some_and(|l| l.visible_from == local.visible_from);
            if mutation.end > at || !same_binding {
                continue;
            }
            let changed = match mutation.value {
                MutationValue::Expr(value) => self.eval(value, depth, hops + 1),
                MutationValue::Write(mac) => self.format_value(mac, 1, depth, hops + 1),
            };
            val = val.join(self.step(changed, self.span_between(mutation.step)));
        }
        val
    }

    fn pattern_value(&self, name: &str, binding: &PatBinding<'a>, depth: usize, hops: usize) -> Val<'a> {
        if hops >= MAX_HOPS {
            return Val::of(Origin::Dynamic);
        }
        if let Some(handler) = binding.handler {
            if let Some(val) = self.handler_input(handler, binding.pat) {
                let val = self.project(binding.pat, name, val, 0).unwrap_or_else(|| Val::of(Origin::Dynamic));
                return self.step(val, self.span_between(binding.step));
            }
        }
        let Some(source) = binding.source else { return Val::of(Origin::Dynamic) };
        let mut val = self.eval(source, depth, hops + 1);
        if binding.element {
            val = self.element(val);
        }
        let val = self.project(binding.pat, name, val, 0).unwrap_or_else(|| Val::of(Origin::Dynamic));
        self.step(val, self.span_between(binding.step))
    }

    /// What a framework passes a handler closure's parameter, when the closure is a handler.
    fn handler_input(&self, handler: HandlerInput<'a>, pat: &'a Pat) -> Option<Val<'a>> {
        match handler {
            // A warp route's closure: what the filters extract (`warp::query()`, a path
            // parameter) is request data; what the project's own filters give is not.
            HandlerInput::Warp { call, index } => {
                let extracts = super::warp::handler_arguments(self.model, self.fn_id, call)?;
                Some(match extracts.get(index) {
                    Some(Some(filter)) => Val::of(self.source(self.span(*filter))),
                    _ => Val::of(Origin::Dynamic),
                })
            }
            // `service_fn(|req| async move { .. })`: the request object, or lambda_runtime's
            // event (`|event: LambdaEvent<Value>|`), whose payload is the client's.
            HandlerInput::ServiceRequest => {
                let declared = match pat {
                    Pat::Type(typed) => extractor_name(&typed.ty),
                    _ => None,
                };
                let knowledge = self.model.knowledge();
                Some(match declared {
                    Some(ty) if knowledge.is_extractor(&ty, Framework::Lambda.model_name()) => Val::of(self.source(self.span(pat))),
                    Some(ty) if !knowledge.request_object_type(&ty, true) => Val::of(Origin::Dynamic),
                    _ => Val { origin: Origin::Dynamic, ty: None, object: true },
                })
            }
        }
    }

    /// The part of `val` that `pat` binds to `name`.
    fn project(&self, pat: &'a Pat, name: &str, val: Val<'a>, depth: usize) -> Option<Val<'a>> {
        if depth > 16 {
            return None;
        }
        let d = depth + 1;
        match pat {
            Pat::Ident(p) if p.ident == name => Some(self.settle(val)),
            Pat::Ident(p) => p.subpat.as_ref().and_then(|(_, sub)| self.project(sub, name, val, d)),
            Pat::Type(p) => {
                let val = val.with_ty(Some(&*p.ty));
                self.project(&p.pat, name, val, d)
            }
            Pat::Reference(p) => self.project(&p.pat, name, val, d),
            Pat::Paren(p) => self.project(&p.pat, name, val, d),
            Pat::TupleStruct(p) => p.elems.iter().enumerate().find_map(|(index, elem)| {
                let ty = val.ty.and_then(|ty| self.facts.tuple_struct_field(ty, &p.path, index));
                self.project(elem, name, Val { ty, ..val.clone() }, d)
            }),
            Pat::Tuple(p) => p.elems.iter().enumerate().find_map(|(index, elem)| {
                let member = syn::Member::Unnamed(syn::Index { index: index as u32, span: proc_macro2::Span::call_site() });
                self.project(elem, name, self.field(val.clone(), &member), d)
            }),
            Pat::Struct(p) => p.fields.iter().find_map(|field| self.project(&field.pat, name, self.field(val.clone(), &field.member), d)),
            Pat::Slice(p) => p.elems.iter().find_map(|elem| self.project(elem, name, self.element(val.clone()), d)),
            Pat::Or(p) => p.cases.iter().find_map(|case| self.project(case, name, val.clone(), d)),
            _ => None,
        }
    }

    /// A name not bound in the body: a parameter (request data in a handler), a constant, or
    /// something unknown.
    fn parameter_or_global(&self, name: &str) -> Val<'a> {
        if let Some(info) = self.info {
            for input in &info.sig.inputs {
                let syn::FnArg::Typed(param) = input else { continue };
                let mut names = Vec::new();
                pattern_names(&param.pat, &mut names, 0);
                if names.iter().any(|n| n == name) {
                    return self.parameter(param, name, info);
                }
            }
        }
        if self.facts.consts.contains(name) || name.starts_with(|c: char| c.is_ascii_uppercase()) {
            // `const`/`static` items (also imported ones, by convention), unit structs, `None`.
            return Val::of(Origin::Constant);
        }
        Val::of(Origin::Dynamic)
    }

    fn parameter(&self, param: &'a syn::PatType, name: &str, info: &FnInfo<'a>) -> Val<'a> {
        let index = info.sig.inputs.iter().position(|input| matches!(input, syn::FnArg::Typed(p) if std::ptr::eq(p, param)));
        if let Some(arguments) = &self.arguments {
            // A followed call: the parameter is the caller's argument (or nothing, if missing).
            let argument = index.and_then(|i| arguments.get(i)).cloned().unwrap_or_else(|| Val::of(Origin::Dynamic));
            let val = Val { ty: Some(&*param.ty), ..argument };
            return self.project(&param.pat, name, val, 0).unwrap_or_else(|| Val::of(Origin::Dynamic));
        }
        let extractor = extractor_name(&param.ty);
        let knowledge = self.model.knowledge();
        // Outside handlers only actix-web's request objects count: other crates have types of
        // the same name (`aws_smithy_runtime_api::…::HttpRequest` is an outgoing request).
        let type_text = quote::ToTokens::to_token_stream(&*param.ty).to_string().replace(' ', "");
        let foreign_type = self.framework.is_none() && type_text.contains("::") && !type_text.contains("actix");
        if extractor.as_deref().is_some_and(|e| knowledge.request_object_type(e, self.framework.is_some())) && !foreign_type {
            return Val { origin: Origin::Dynamic, ty: None, object: true };
        }
        let is_source = match (self.framework, extractor.as_deref()) {
            (None, _) => false,
            (Some(Framework::Rocket), extractor) => {
                let is_route_name = info.route_names.iter().any(|n| n == name);
                // Rocket parses segments with `FromParam`/`FromSegments`: `PathBuf` rejects `..`
                // and hidden files, custom types validate; only text types carry raw input.
                let data_guard = extractor.is_some_and(|e| knowledge.is_extractor(e, "rocket"));
                if is_route_name && !data_guard && !is_text_type(&type_text) {
                    return Val::of(Origin::Safe);
                }
                is_route_name || data_guard
            }
            // A GraphQL resolver's arguments are the query's; the context (`&Context<'_>`, a
            // juniper context, `&Executor`) is borrowed from the server.
            (Some(Framework::Graphql), _) => !matches!(peel_group(&param.ty), syn::Type::Reference(_)),
            (Some(framework), extractor) => extractor.is_some_and(|e| knowledge.is_extractor(e, framework.model_name())),
        };
        let origin = match (is_source, index) {
            (true, _) => self.source(self.span(param)),
            (false, Some(index)) if self.framework.is_none() => match self.passed_by_callers(info, index, 0) {
                Origin::Dynamic => self.named_parameter(info, param, name),
                passed => passed,
            },
            (false, _) => Origin::Dynamic,
        };
        let val = Val { origin, ty: Some(&*param.ty), object: false };
        self.project(&param.pat, name, val, 0).unwrap_or_else(|| Val::of(Origin::Dynamic))
    }

    /// A parameter of the function the question is about, when other files can call it by
    /// path: its callers decide ([`Origin::Parameter`]). Its position counts the arguments a
    /// call passes (not `self`).
    fn named_parameter(&self, info: &FnInfo<'a>, param: &'a syn::PatType, name: &str) -> Origin {
        let Some(function) = self.fn_id.filter(|_| self.frames == 0).and_then(|id| self.model.fn_path(id)) else {
            return Origin::Dynamic;
        };
        let typed = info.sig.inputs.iter().filter(|input| matches!(input, syn::FnArg::Typed(_)));
        let Some(index) = typed.clone().position(|input| matches!(input, syn::FnArg::Typed(p) if std::ptr::eq(p, param))) else {
            return Origin::Dynamic;
        };
        let flow = Flow { source: self.span(param), source_text: name.to_string(), steps: Vec::new() };
        Origin::Parameter(vec![crate::taint::ParameterFlow { function: function.to_string(), index, flow }])
    }

    fn method_call(&self, call: &syn::ExprMethodCall, whole: &Expr, depth: usize, hops: usize) -> Val<'a> {
        let method = call.method.to_string();
        let method = method.as_str();
        if SAFE_METHODS.contains(&method) {
            return Val::of(Origin::Safe);
        }
        // `.map(sanitize_filename::sanitize)`, `.map_or_else(default, encode)`: a sanitiser passed by name.
        let sanitiser_argument = call.args.iter().any(|arg| {
            let Expr::Path(path) = arg else { return false };
            let path = self.model.resolve_path(&path.path);
            self.sanitiser(&self.model.path_parts(path)) == Some(true)
        });
        if sanitiser_argument && method.starts_with("map") {
            return Val::of(Origin::Safe);
        }
        // A method the models (or the configuration) name: a source, a sanitiser.
        let parts = self.model.method_call_parts(call, self.fn_id);
        if self.model.knowledge().source_call(Language::Rust, &parts.name(self.model.use_paths())).is_some() {
            return Val::of(self.source(self.span(whole)));
        }
        let sanitiser = self.sanitiser(&parts);
        if sanitiser == Some(true) {
            return Val::of(Origin::Safe);
        }
        let receiver = self.eval(&call.receiver, depth, hops);
        // A sanitiser for other kinds of sink hands its receiver and arguments on unchanged.
        if sanitiser == Some(false) {
            return Val::of(receiver.origin).join(self.join_all(call.args.iter(), depth, hops));
        }
        if receiver.object {
            let accessor = self.model.knowledge().request_getter(Language::Rust, "request", method);
            return Val::of(if accessor { self.source(self.span(whole)) } else { Origin::Dynamic });
        }
        if method == "parse" {
            let target = call.turbofish.as_ref().and_then(|t| t.args.first());
            if let Some(syn::GenericArgument::Type(target)) = target {
                if self.facts.is_safe_type(target, 0) {
                    return Val::of(Origin::Safe);
                }
            }
            return Val::of(receiver.origin);
        }
        if PROPAGATING_METHODS.contains(&method) {
            let mut val = if UNWRAPPING_METHODS.contains(&method) {
                self.unwrapped(receiver)
            } else if ELEMENT_METHODS.contains(&method) {
                self.element(receiver)
            } else if TYPE_KEEPING_METHODS.contains(&method) {
                receiver
            } else {
                Val::of(receiver.origin)
            };
            if COMBINING_METHODS.contains(&method) {
                val = self.join_all(call.args.iter(), depth, hops).join(val);
            }
            return val;
        }
        match receiver.origin {
            // Unknown methods of request data keep it (`q.search_term()`, `name.escape_debug()`).
            Origin::Request(_) | Origin::Parameter(_) | Origin::Returned(_) => Val::of(receiver.origin),
            // Methods of numbers stay numbers (`page.saturating_sub(1)`, `date.format(..)`).
            Origin::Safe => Val::of(Origin::Safe).join(self.join_all(call.args.iter(), depth, hops)),
            Origin::Constant | Origin::Dynamic => Val::of(Origin::Dynamic),
        }
    }

    /// What the models say of this call as a sanitiser: `Some(true)` when its result is safe
    /// for the kind of sink asked about, `Some(false)` when it sanitises only for other kinds,
    /// `None` when it is none.
    fn sanitiser(&self, parts: &CallParts) -> Option<bool> {
        let sanitizers = self.model.knowledge().sanitizers(Language::Rust, &parts.name(self.model.use_paths()));
        (!sanitizers.is_empty()).then(|| sanitizers.iter().any(|s| s.makes_safe(self.kind)))
    }

    fn call(&self, call: &syn::ExprCall, depth: usize, hops: usize) -> Val<'a> {
        let Expr::Path(func) = &*call.func else { return Val::of(Origin::Dynamic) };
        let path = self.model.resolve_path(&func.path);
        let mut segments = func.path.segments.iter().rev().map(|s| s.ident.to_string());
        let last = segments.next().unwrap_or_default();
        let owner = segments.next().unwrap_or_default();
        let args = || self.join_all(call.args.iter(), depth, hops);
        let parts = self.model.path_parts(path.clone());
        let knowledge = self.model.knowledge();
        if knowledge.source_call(Language::Rust, &parts.name(self.model.use_paths())).is_some() {
            return Val::of(self.source(self.span(call)));
        }
        let sanitiser = self.sanitiser(&parts);
        if sanitiser == Some(true) {
            return Val::of(Origin::Safe);
        }
        // `i64::from_str(x)`, `u32::try_from(n)`, `Uuid::from_str(x)`.
        if SAFE_TYPES.contains(&owner.as_str()) {
            return args().numeric();
        }
        // `Some(x)`, `Ok(x)`, `Wrapper(x)`, `Value::String(x)`.
        let is_constructor = last.starts_with(|c: char| c.is_ascii_uppercase());
        let is_conversion = CONVERTING_TYPES.contains(&owner.as_str())
            && matches!(
                last.as_str(),
                "from" | "new" | "parse" | "from_str" | "try_from" | "from_utf8" | "from_utf8_lossy" | "with_capacity" | "default"
            );
        // A sanitiser for other kinds of sink hands its arguments on unchanged.
        let propagates = knowledge.propagates(Language::Rust, &parts.name(self.model.use_paths())) || sanitiser == Some(false);
        if is_constructor || is_conversion || propagates {
            return args();
        }
        if let Some(val) = single_ident(&func.path).and_then(|name| self.local_call(&name, call, depth, hops)) {
            return val;
        }
        self.returned(call, depth, hops)
    }

    /// A call of a function of another file (or one this walk does not follow): what it returns
    /// is for the project pass to say, from the callee's summary, with the request data passed
    /// to it.
    fn returned(&self, call: &syn::ExprCall, depth: usize, hops: usize) -> Val<'a> {
        let site = Site { fn_id: self.fn_id, ..Site::default() };
        let Some(callee) = super::calls::path_callee(self.model, &site, &call.func) else { return Val::of(Origin::Dynamic) };
        let mut arguments = Vec::new();
        for (index, argument) in call.args.iter().enumerate() {
            if let Origin::Request(flow) = self.eval(argument, depth, hops).origin {
                arguments.push((index, flow));
            }
        }
        Val::of(Origin::Returned(vec![crate::taint::ReturnedFlow { callee, call: self.span(call), arguments, steps: Vec::new() }]))
    }

    fn macro_value(&self, mac: &syn::Macro, depth: usize, hops: usize) -> Val<'a> {
        let name = mac.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
        match name.as_str() {
            "format" | "format_args" | "concat" => {
                let val = self.format_value(mac, 0, depth, hops);
                self.step(val, self.span(mac))
            }
            "stringify" | "env" | "option_env" | "include_str" | "include_bytes" | "file" | "line" | "column" | "module_path" | "cfg" => {
                Val::of(Origin::Constant)
            }
            // Never a value.
            "panic" | "unreachable" | "todo" | "unimplemented" => Val::of(Origin::Constant),
            "matches" => Val::of(Origin::Safe),
            "vec" => match parse_macro_args(mac) {
                Some(args) => self.join_all(args.iter(), depth, hops),
                None => match syn::parse::Parser::parse2(parse_repeat, mac.tokens.clone()) {
                    Ok(element) => self.eval(&element, depth, hops),
                    Err(_) => Val::of(Origin::Dynamic),
                },
            },
            _ => Val::of(Origin::Dynamic),
        }
    }

    /// A formatting macro's value: its format string (with inline captures `{name}`) and its
    /// arguments, after the first `skip` (the target of `write!`).
    fn format_value(&self, mac: &syn::Macro, skip: usize, depth: usize, hops: usize) -> Val<'a> {
        let Some(args) = parse_macro_args(mac) else { return Val::of(Origin::Dynamic) };
        let named: Vec<String> = args
            .iter()
            .filter_map(|arg| match arg {
                Expr::Assign(assign) => match &*assign.left {
                    Expr::Path(p) => single_ident(&p.path),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        let mut val = Val::of(Origin::Constant);
        for (index, arg) in args.iter().enumerate().skip(skip) {
            let part = match arg {
                Expr::Lit(syn::ExprLit { lit: Lit::Str(format), .. }) if index == skip => {
                    let at = start_point(format);
                    inline_captures(&format.value())
                        .into_iter()
                        .map(|(name, _)| name)
                        .filter(|name| !named.contains(name))
                        .fold(Val::of(Origin::Constant), |acc, name| acc.join(self.name(&name, at, depth, hops)))
                }
                Expr::Assign(assign) => self.eval(&assign.right, depth, hops),
                _ => self.eval(arg, depth, hops),
            };
            val = val.join(part);
        }
        val
    }
}

/// `x; n` in `vec![x; n]`: the element.
fn parse_repeat(input: syn::parse::ParseStream<'_>) -> syn::Result<Expr> {
    let element: Expr = input.parse()?;
    input.parse::<syn::Token![;]>()?;
    input.parse::<Expr>()?;
    Ok(element)
}

fn parse_macro_args(mac: &syn::Macro) -> Option<Vec<Expr>> {
    let parser = syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated;
    syn::parse::Parser::parse2(parser, mac.tokens.clone()).ok().map(|args| args.into_iter().collect())
}

/// The names a format string captures inline, each once, with whether it is `Debug`-formatted:
/// `{name}` → (`name`, false), `{payload:?}` → (`payload`, true); not `{0}`, `{}`, `{{`.
pub(crate) fn inline_captures(format: &str) -> Vec<(String, bool)> {
    let mut captures: Vec<(String, bool)> = Vec::new();
    let mut rest = format;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(after) = rest.strip_prefix('{') {
            rest = after;
            continue;
        }
        let Some(close) = rest.find('}') else { break };
        let (argument, spec) = rest[..close].split_once(':').unwrap_or((&rest[..close], ""));
        rest = &rest[close + 1..];
        let argument = argument.trim();
        let is_name = argument.starts_with(|c: char| c.is_alphabetic() || c == '_')
            && argument.chars().all(|c| c.is_alphanumeric() || c == '_')
            && argument != "_";
        if is_name && !captures.iter().any(|(n, _)| n == argument) {
            captures.push((argument.to_string(), spec.contains('?')));
        }
    }
    captures
}

/// The `let`s in an `if`/`while` condition, including `let` chains (`let a = x && let b = y`).
fn lets_in_condition(cond: &Expr) -> Vec<&syn::ExprLet> {
    match cond {
        Expr::Let(l) => vec![l],
        Expr::Paren(p) => lets_in_condition(&p.expr),
        Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
            let mut lets = lets_in_condition(&b.left);
            lets.extend(lets_in_condition(&b.right));
            lets
        }
        _ => Vec::new(),
    }
}

/// The names a pattern binds. Capitalised identifiers are unit variants or constants (`None`).
fn pattern_names(pat: &Pat, names: &mut Vec<String>, depth: usize) {
    if depth > 16 {
        return;
    }
    let d = depth + 1;
    match pat {
        Pat::Ident(p) => {
            let name = p.ident.to_string();
            if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
                names.push(name);
            }
            if let Some((_, sub)) = &p.subpat {
                pattern_names(sub, names, d);
            }
        }
        Pat::Type(p) => pattern_names(&p.pat, names, d),
        Pat::Reference(p) => pattern_names(&p.pat, names, d),
        Pat::Paren(p) => pattern_names(&p.pat, names, d),
        Pat::TupleStruct(p) => p.elems.iter().for_each(|e| pattern_names(e, names, d)),
        Pat::Tuple(p) => p.elems.iter().for_each(|e| pattern_names(e, names, d)),
        Pat::Slice(p) => p.elems.iter().for_each(|e| pattern_names(e, names, d)),
        Pat::Or(p) => p.cases.iter().for_each(|e| pattern_names(e, names, d)),
        Pat::Struct(p) => p.fields.iter().for_each(|f| pattern_names(&f.pat, names, d)),
        _ => {}
    }
}

/// `"a"`, `"a" | "b"`, `1..=9`: patterns that only match fixed values.
fn is_literal_pattern(pat: &Pat) -> bool {
    match pat {
        Pat::Lit(_) | Pat::Range(_) => true,
        Pat::Or(p) => p.cases.iter().all(is_literal_pattern),
        Pat::Paren(p) => is_literal_pattern(&p.pat),
        _ => false,
    }
}

/// `(listed, place)` for a condition that checks a place against fixed values: `listed` when it
/// holds for listed values (`ALLOWED.contains(&x)`, `matches!(x.as_str(), "a" | "b")`,
/// `x == "a" || x == "b"`), not when it holds for the others (`!..`, `x != "a" && x != "b"`).
fn allowlist_check(cond: &Expr) -> Option<(bool, String)> {
    match cond {
        Expr::Paren(p) => allowlist_check(&p.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Not(_)) => allowlist_check(&u.expr).map(|(listed, place)| (!listed, place)),
        Expr::MethodCall(call) if MEMBERSHIP_METHODS.contains(&call.method.to_string().as_str()) && call.args.len() == 1 => {
            let place = place_of(&call.args[0])?;
            // `x.contains("..")` looks inside `x`: a substring test, not a list.
            (place_of(&call.receiver).as_ref() != Some(&place)).then_some((true, place))
        }
        // `if !path_is_valid(&path) { return Err(..) }`: a validating predicate of the file or a crate.
        Expr::Call(call) if call.args.len() == 1 => {
            let Expr::Path(func) = &*call.func else { return None };
            let name = func.path.segments.last()?.ident.to_string().to_ascii_lowercase();
            VALIDATING_WORDS.iter().any(|word| name.contains(word)).then_some(())?;
            Some((true, place_of(&call.args[0])?))
        }
        Expr::Macro(m) if m.mac.path.is_ident("matches") => {
            let parser = |input: syn::parse::ParseStream<'_>| {
                let scrutinee: Expr = input.parse()?;
                input.parse::<syn::Token![,]>()?;
                let pattern = Pat::parse_multi_with_leading_vert(input)?;
                Ok((scrutinee, pattern))
            };
            let (scrutinee, pattern) = syn::parse::Parser::parse2(parser, m.mac.tokens.clone()).ok()?;
            is_literal_pattern(&pattern).then_some(())?;
            Some((true, place_of(&scrutinee)?))
        }
        Expr::Binary(b) => {
            use syn::BinOp;
            let compared = |left: &Expr, right: &Expr| match (left, right) {
                (place, Expr::Lit(_)) | (Expr::Lit(_), place) => place_of(place),
                _ => None,
            };
            match b.op {
                BinOp::Eq(_) => Some((true, compared(&b.left, &b.right)?)),
                BinOp::Ne(_) => Some((false, compared(&b.left, &b.right)?)),
                // `x == "a" || x == "b"` lists; `x != "a" && x != "b"` rejects the rest.
                BinOp::Or(_) | BinOp::And(_) => {
                    let (left, right) = (allowlist_check(&b.left)?, allowlist_check(&b.right)?);
                    let expected = matches!(b.op, BinOp::Or(_));
                    (left == right && left.0 == expected).then_some(left)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether a block always leaves before its end: it contains a `return`, `break`, `continue` or
/// a diverging macro (`panic!`, `bail!`) as a statement of its own.
fn strip_parens(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(p) => strip_parens(&p.expr),
        Expr::Reference(r) => strip_parens(&r.expr),
        other => other,
    }
}

/// Whether the value comes out of a `canonicalize` call (through `?`, `.await`, `map_err`, ...).
fn calls_canonicalize(expr: &Expr) -> bool {
    match expr {
        Expr::MethodCall(call) => call.method == "canonicalize" || calls_canonicalize(&call.receiver),
        Expr::Call(call) => {
            matches!(&*call.func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "canonicalize"))
        }
        Expr::Try(t) => calls_canonicalize(&t.expr),
        Expr::Await(a) => calls_canonicalize(&a.base),
        Expr::Paren(p) => calls_canonicalize(&p.expr),
        _ => false,
    }
}

fn block_diverges(block: &syn::Block) -> bool {
    block.stmts.iter().any(|stmt| match stmt {
        syn::Stmt::Expr(expr, _) => expr_diverges(expr),
        syn::Stmt::Macro(m) => m.mac.path.segments.last().is_some_and(|s| DIVERGING_MACROS.contains(&s.ident.to_string().as_str())),
        _ => false,
    })
}

fn expr_diverges(expr: &Expr) -> bool {
    match expr {
        Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) => true,
        Expr::Block(b) => block_diverges(&b.block),
        Expr::Macro(m) => m.mac.path.segments.last().is_some_and(|s| DIVERGING_MACROS.contains(&s.ident.to_string().as_str())),
        _ => false,
    }
}

/// The place an allowlist check names: `x` for `x`, `&x`, `x.as_str()`; `q.sort` for `q.sort`.
fn place_of(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Field(f) => {
            let member = match &f.member {
                syn::Member::Named(name) => name.to_string(),
                syn::Member::Unnamed(index) => index.index.to_string(),
            };
            Some(format!("{}.{member}", place_of(&f.base)?))
        }
        Expr::Reference(r) => place_of(&r.expr),
        Expr::Paren(p) => place_of(&p.expr),
        Expr::MethodCall(m)
            if m.args.is_empty() && matches!(m.method.to_string().as_str(), "as_str" | "as_ref" | "as_deref" | "clone" | "to_string") =>
        {
            place_of(&m.receiver)
        }
        other => root_name(other),
    }
}

/// The values of the `return` expressions of a function body, closures and nested items aside.
/// The values a function body returns: its `return` expressions and its tail expression.
pub(crate) fn returned_values(block: &syn::Block) -> Vec<&Expr> {
    let mut returned = Vec::new();
    collect_returns(block, &mut returned);
    if let Some(syn::Stmt::Expr(tail, None)) = block.stmts.last() {
        returned.push(tail);
    }
    returned
}

fn collect_returns<'a>(block: &'a syn::Block, returned: &mut Vec<&'a Expr>) {
    struct Returns<'r, 'a>(&'r mut Vec<&'a Expr>);
    impl<'a> syn::visit::Visit<'a> for Returns<'_, 'a> {
        fn visit_expr_return(&mut self, node: &'a syn::ExprReturn) {
            if let Some(value) = &node.expr {
                self.0.push(value);
            }
            syn::visit::visit_expr_return(self, node);
        }
        fn visit_expr_closure(&mut self, _: &'a syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'a syn::Item) {}
    }
    syn::visit::Visit::visit_block(&mut Returns(returned), block);
}

/// The variable an expression is a view of: `sort` for `sort`, `&sort`, `sort.as_str()`.
fn root_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(p) => single_ident(&p.path),
        Expr::Reference(r) => root_name(&r.expr),
        Expr::Paren(p) => root_name(&p.expr),
        Expr::MethodCall(m) if m.args.is_empty() && matches!(m.method.to_string().as_str(), "as_str" | "as_ref" | "as_deref" | "clone") => {
            root_name(&m.receiver)
        }
        _ => None,
    }
}

/// Parameter types that hold request text as it came (`String`, `&str`, `Cow<str>`, optionally wrapped).
fn is_text_type(type_text: &str) -> bool {
    let inner = type_text.trim_start_matches('&').trim_start_matches("'_").trim_start_matches("'a");
    let inner = inner.strip_prefix("Option<").and_then(|t| t.strip_suffix('>')).unwrap_or(inner);
    matches!(inner, "String" | "str" | "&str" | "Cow<str>" | "Cow<'_,str>" | "RawStr" | "&RawStr") || inner.ends_with("::String")
}

/// Names Rocket fills from the request, from its route attribute: `<id>`, `<path..>`, `<q>`.
fn route_names(attribute: &syn::Attribute) -> Vec<String> {
    let mut names = Vec::new();
    if let syn::Meta::List(list) = &attribute.meta {
        collect_route_names(list.tokens.clone(), &mut names);
    }
    names
}

fn collect_route_names(tokens: proc_macro2::TokenStream, names: &mut Vec<String>) {
    for token in tokens {
        match token {
            proc_macro2::TokenTree::Group(group) => collect_route_names(group.stream(), names),
            proc_macro2::TokenTree::Literal(literal) => {
                let Ok(Lit::Str(route)) = syn::parse2::<Lit>(proc_macro2::TokenTree::Literal(literal).into()) else { continue };
                let route = route.value();
                let mut rest = route.as_str();
                while let Some(open) = rest.find('<') {
                    rest = &rest[open + 1..];
                    let Some(close) = rest.find('>') else { break };
                    names.push(rest[..close].trim_end_matches("..").trim().to_string());
                    rest = &rest[close + 1..];
                }
            }
            _ => {}
        }
    }
}

/// The extractor a parameter type names, through `Option`/`Result`/validation wrappers:
/// `web::Path<(u32,)>` → `Path`, `Option<Query<Q>>` → `Query`, `Valid<Json<T>>` → `Json`.
fn extractor_name(ty: &Type) -> Option<String> {
    name_inside(ty, &["Option", "Result", "Valid", "Garde", "WithRejection"])
}

fn peel_group(ty: &Type) -> &Type {
    match ty {
        Type::Group(g) => peel_group(&g.elem),
        Type::Paren(p) => peel_group(&p.elem),
        _ => ty,
    }
}

fn peel(ty: &Type) -> &Type {
    let mut ty = ty;
    for _ in 0..16 {
        ty = match ty {
            Type::Reference(r) => &r.elem,
            Type::Paren(p) => &p.elem,
            Type::Group(g) => &g.elem,
            _ => return ty,
        };
    }
    ty
}

fn type_args(segment: &syn::PathSegment) -> Vec<&Type> {
    match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|arg| match arg {
                syn::GenericArgument::Type(ty) => Some(ty),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `Option<T>`, `Result<T, E>`, `Json<T>`, `Box<T>` → `T`.
fn unwrap_type(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = peel(ty) else { return None };
    let segment = path.path.segments.last()?;
    let name = segment.ident.to_string();
    if WRAPPERS.contains(&name.as_str()) || matches!(name.as_str(), "Option" | "Result") {
        type_args(segment).first().copied()
    } else {
        None
    }
}

/// The elements of a collection type (the values of a map), through wrappers.
fn element_type(ty: &Type) -> Option<&Type> {
    match peel(ty) {
        Type::Array(a) => Some(&a.elem),
        Type::Slice(s) => Some(&s.elem),
        Type::Path(path) => {
            let segment = path.path.segments.last()?;
            let name = segment.ident.to_string();
            let args = type_args(segment);
            if CONTAINERS.contains(&name.as_str()) {
                args.first().copied()
            } else if MAPS.contains(&name.as_str()) {
                args.get(1).copied()
            } else if WRAPPERS.contains(&name.as_str()) {
                element_type(args.first()?)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// A closure's identity among the closures already seen: where its parameter list opens.
fn closure_key(closure: &syn::ExprClosure) -> SourcePoint {
    point(closure.or1_token.span.start())
}

#[cfg(test)]
mod tests {
    use super::super::{with_model, RustSyntax};
    use crate::taint::Origin;
    use syn::Expr;

    /// The origin of the first argument of the first call `sink(..)`, and the text of each step.
    fn analyse(code: &str) -> (Origin, Vec<String>) {
        with_model(code, |file, model, queue| {
            let (argument, site) = queue
                .iter()
                .find_map(|node| match node.syntax {
                    RustSyntax::Call(call) if matches!(&*call.func, Expr::Path(p) if p.path.is_ident("sink")) => {
                        Some((call.args.first()?, &node.site))
                    }
                    _ => None,
                })
                .expect("the code calls sink(..)");
            let origin = model.origin(argument, site, file);
            let steps = origin.flow().map(|flow| flow.steps.iter().map(|s| file.slice(*s).to_string()).collect()).unwrap_or_default();
            (origin, steps)
        })
    }

    /// The (function, parameter) pairs of an origin made of parameters.
    fn parameters(origin: &Origin) -> Vec<(String, usize)> {
        match origin {
            Origin::Parameter(parameters) => parameters.iter().map(|p| (p.function.clone(), p.index)).collect(),
            other => panic!("expected parameters, got {other:?}"),
        }
    }

    fn origin_of(code: &str) -> Origin {
        analyse(code).0
    }

    /// The source text and steps of a flow that must be request data.
    fn request(code: &str) -> (String, Vec<String>) {
        match analyse(code) {
            (Origin::Request(flow), steps) => (flow.source_text, steps),
            (other, _) => panic!("expected request data, got {other:?} in\n{code}"),
        }
    }

    const AXUM: &str = "use axum::{extract::{Json, Path, Query}, http::HeaderMap, routing::get, Router};\n";
    const ACTIX: &str = "use actix_web::{get, web, HttpRequest, HttpResponse};\n";

    #[test]
    fn axum_path_through_format_reaches_the_sink_with_its_steps() {
        let code = format!(
            "{AXUM}async fn show(Path(id): Path<String>) -> String {{
                let query = format!(\"SELECT * FROM users WHERE id = '{{}}'\", id);
                sink(&query);
                String::new()
            }}"
        );
        let (source, steps) = request(&code);
        assert_eq!(source, "Path(id): Path<String>");
        assert_eq!(steps, vec!["let query = format!(\"SELECT * FROM users WHERE id = '{}'\", id);"]);

        // Directly in the sink's argument: the `format!` is the step.
        let code = format!("{AXUM}async fn show(Path(id): Path<String>) {{ sink(&format!(\"DELETE FROM t WHERE id = '{{}}'\", id)); }}");
        let (source, steps) = request(&code);
        assert_eq!(source, "Path(id): Path<String>");
        assert_eq!(steps, vec!["format!(\"DELETE FROM t WHERE id = '{}'\", id)"]);
    }

    #[test]
    fn numeric_bool_and_uuid_extractors_are_safe() {
        for param in [
            "Path(id): Path<i64>",
            "Path((org, id)): Path<(u32, u64)>",
            "Query(page): Query<u32>",
            "Path(id): Path<Uuid>",
            "Path(flag): Path<bool>",
            "id: Path<i64>",
        ] {
            let name = if param.contains("org") {
                "org"
            } else if param.contains("page") {
                "page"
            } else if param.contains("flag") {
                "flag"
            } else {
                "id"
            };
            let code =
                format!("{AXUM}use uuid::Uuid;\nasync fn h({param}) {{ sink(&format!(\"SELECT * FROM t WHERE c = {{}}\", {name})); }}");
            assert_eq!(origin_of(&code), Origin::Safe, "{param}");
        }
        // A tuple with a string part is request data in that part only.
        let mixed = format!("{AXUM}async fn h(Path((name, id)): Path<(String, u64)>) {{ sink(&format!(\"{{name}}\")); }}");
        assert_eq!(request(&mixed).0, "Path((name, id)): Path<(String, u64)>");
        let mixed = format!("{AXUM}async fn h(Path((name, id)): Path<(String, u64)>) {{ sink(&format!(\"{{id}}\")); }}");
        assert_eq!(origin_of(&mixed), Origin::Safe);
    }

    #[test]
    fn parsing_casting_and_measuring_make_request_data_safe() {
        for expr in ["id.parse::<i64>().unwrap()", "id.len()", "id.parse::<u32>().unwrap_or(0) as i32", "urlencoding::encode(&id)"] {
            let code = format!("{AXUM}async fn h(Path(id): Path<String>) {{ sink(&format!(\"{{}}\", {expr})); }}");
            assert_eq!(origin_of(&code), Origin::Safe, "{expr}");
        }
        let typed = format!("{AXUM}async fn h(Path(id): Path<String>) {{ let id: i64 = id.parse()?; sink(&format!(\"{{id}}\")); }}");
        assert_eq!(origin_of(&typed), Origin::Safe);
        let file_name = format!("{AXUM}async fn h(Path(name): Path<String>) {{ sink(std::path::Path::new(&name).file_name().unwrap()); }}");
        assert_eq!(origin_of(&file_name), Origin::Safe);
        // Parsing into something that is not a number does not sanitise.
        let url = format!("{AXUM}async fn h(Path(u): Path<String>) {{ sink(u.parse::<Url>().unwrap()); }}");
        assert_eq!(request(&url).0, "Path(u): Path<String>");
    }

    #[test]
    fn json_body_fields_are_request_data_unless_declared_numeric() {
        let code = |field: &str| {
            format!(
                "{AXUM}#[derive(Deserialize, Validate)]
                struct NewUser {{ name: String, age: u32, tags: Vec<String> }}
                async fn create(Json(body): Json<NewUser>) {{
                    body.validate()?;
                    sink(&format!(\"INSERT INTO users VALUES ('{{}}')\", {field}));
                }}"
            )
        };
        assert_eq!(request(&code("body.name")).0, "Json(body): Json<NewUser>");
        assert_eq!(request(&code("body.tags.join(\",\")")).0, "Json(body): Json<NewUser>");
        assert_eq!(origin_of(&code("body.age")), Origin::Safe);
        // The whole extractor bound to one name: fields through `Deref`, `.0`, `into_inner()`.
        let whole = |expr: &str| {
            format!(
                "{AXUM}struct Filter {{ name: String, limit: i64 }}
                async fn list(q: Query<Filter>) {{ sink(&format!(\"{{}}\", {expr})); }}"
            )
        };
        assert_eq!(request(&whole("q.name")).0, "q: Query<Filter>");
        assert_eq!(request(&whole("q.0.name")).0, "q: Query<Filter>");
        assert_eq!(request(&whole("q.into_inner().name")).0, "q: Query<Filter>");
        assert_eq!(origin_of(&whole("q.limit")), Origin::Safe);
    }

    #[test]
    fn a_column_chosen_by_match_or_if_is_constant() {
        let code = format!(
            "{AXUM}async fn list(Query(params): Query<HashMap<String, String>>) {{
                let sort = params.get(\"sort\").cloned().unwrap_or_default();
                let col = match sort.as_str() {{ \"name\" => \"name\", \"email\" => \"email\", _ => \"id\" }};
                sink(&format!(\"SELECT * FROM users ORDER BY {{col}}\"));
            }}"
        );
        assert_eq!(origin_of(&code), Origin::Constant);
        // An arm that returns the scrutinee after matching literals is one of the literals.
        let code = format!(
            "{AXUM}async fn list(Path(sort): Path<String>) {{
                let col = match sort.as_str() {{ \"name\" | \"email\" => sort.as_str(), _ => \"id\" }};
                sink(&format!(\"SELECT * FROM users ORDER BY {{col}}\"));
            }}"
        );
        assert_eq!(origin_of(&code), Origin::Constant);
        let code = format!(
            "{AXUM}async fn list(Path(desc): Path<String>) {{
                let order = if desc == \"yes\" {{ \"DESC\" }} else {{ \"ASC\" }};
                sink(&format!(\"SELECT * FROM users ORDER BY id {{order}}\"));
            }}"
        );
        assert_eq!(origin_of(&code), Origin::Constant);
        // An arm that passes the value on is not an allowlist.
        let code = format!(
            "{AXUM}async fn list(Path(sort): Path<String>) {{
                let col = match sort.as_str() {{ \"\" => \"id\".to_string(), _ => sort.clone() }};
                sink(&format!(\"SELECT * FROM users ORDER BY {{col}}\"));
            }}"
        );
        assert_eq!(request(&code).0, "Path(sort): Path<String>");
    }

    #[test]
    fn parameters_of_other_functions_and_unknown_calls_are_dynamic() {
        // Parameters of functions other code can call are named, for the project pass.
        assert_eq!(
            parameters(&origin_of("fn build(table: &str) { sink(&format!(\"SELECT * FROM {}\", table)); }")),
            vec![("build".into(), 0)]
        );
        let method = "struct Repo; impl Repo { fn find(&self, pool: &Pool, tag: &str) { sink(&format!(\"{tag}\")); } }";
        assert_eq!(parameters(&origin_of(method)), vec![("Repo::find".into(), 1)], "counted as a call passes them, without `self`");
        let inline = "mod repo { pub fn find(tag: &str) { sink(tag); } }";
        assert_eq!(parameters(&origin_of(inline)), vec![("repo::find".into(), 0)]);
        let nested = "fn outer() { fn inner(tag: &str) { sink(tag); } }";
        assert_eq!(origin_of(nested), Origin::Dynamic, "a function inside a function has no path");
        assert_eq!(origin_of("fn build(&self) { sink(&format!(\"SELECT * FROM {}\", self.table)); }"), Origin::Dynamic);
        // A parameter declared numeric is safe wherever it is.
        assert_eq!(origin_of("fn page(limit: u32) { sink(&format!(\"SELECT * FROM t LIMIT {limit}\")); }"), Origin::Safe);
        // Outside a handler, an extractor-looking parameter is not request data.
        assert_eq!(parameters(&origin_of("fn helper(body: String) { sink(&body); }")), vec![("helper".into(), 0)]);
        let call = format!("{AXUM}async fn h(Path(id): Path<String>) {{ let q = build_query(&id); sink(&q); }}");
        assert_eq!(origin_of(&call), Origin::Dynamic);
        // Non-extractor parameters of a handler (state, extensions) are not request data.
        let state = format!("{AXUM}async fn h(State(state): State<AppState>, Path(id): Path<i64>) {{ sink(&state.table); }}");
        assert_eq!(origin_of(&state), Origin::Dynamic);
    }

    #[test]
    fn allowlist_checks_that_leave_make_the_checked_value_safe_after_them() {
        for check in [
            "if !ALLOWED.contains(&sort.as_str()) { return; }",
            "if !matches!(sort.as_str(), \"name\" | \"date\") { return Err(()); }",
            "if sort != \"name\" && sort != \"date\" { return; }",
            "match sort.as_str() { \"name\" | \"date\" => {}, _ => return }",
            "if !COLUMNS.contains_key(&sort) { panic!(\"unknown column\"); }",
            "if !is_valid_column(&sort) { return; }",
        ] {
            let code = format!("{AXUM}async fn h(Path(sort): Path<String>) {{ {check} sink(&format!(\"ORDER BY {{sort}}\")); }}");
            assert_eq!(origin_of(&code), Origin::Safe, "{check}");
        }
        // A field of a payload, checked where it is used.
        let code = format!(
            "{AXUM}async fn h(Query(q): Query<Filter>) {{ if !ALLOWED.contains(&q.sort.as_str()) {{ return; }} sink(&format!(\"ORDER BY {{}}\", q.sort)); }}"
        );
        assert_eq!(origin_of(&code), Origin::Safe);
        // Inside the branch of a positive check.
        let code = format!("{AXUM}async fn h(Path(sort): Path<String>) {{ if ALLOWED.contains(&sort) {{ sink(&sort); }} }}");
        assert_eq!(origin_of(&code), Origin::Safe);
    }

    #[test]
    fn checks_that_do_not_leave_or_do_not_list_sanitise_nothing() {
        for check in [
            // Logged, but the function goes on.
            "if !ALLOWED.contains(&sort) { tracing::warn!(\"odd sort\"); }",
            // A substring test of the value itself.
            "if sort.contains(\"..\") { return; }",
            // Only one value is rejected.
            "if sort == \"secret\" { return; }",
            // Another arm takes any other value.
            "match sort.as_str() { \"name\" => {}, _ => {} }",
        ] {
            let code = format!("{AXUM}async fn h(Path(sort): Path<String>) {{ {check} sink(&format!(\"ORDER BY {{sort}}\")); }}");
            assert!(origin_of(&code).is_request(), "{check}");
        }
        // A check after the sink, or of a binding that a later `let` shadows.
        let after = format!("{AXUM}async fn h(Path(sort): Path<String>) {{ sink(&sort); if !ALLOWED.contains(&sort) {{ return; }} }}");
        assert!(origin_of(&after).is_request());
        let shadowed = format!(
            "{AXUM}async fn h(Path(sort): Path<String>, Query(q): Query<String>) {{ if !ALLOWED.contains(&sort) {{ return; }} let sort = q; sink(&sort); }}"
        );
        assert!(origin_of(&shadowed).is_request());
    }

    #[test]
    fn functions_of_the_file_are_followed_into_and_out_of() {
        // A builder returns what it was given: the sink is the caller's.
        let code = format!(
            "fn order_by(column: &str) -> String {{ format!(\"ORDER BY {{column}}\") }}
            {AXUM}async fn h(Path(sort): Path<String>) {{ sink(&order_by(&sort)); }}"
        );
        let (source, steps) = request(&code);
        assert_eq!(source, "Path(sort): Path<String>");
        assert_eq!(steps, vec!["format!(\"ORDER BY {column}\")", "order_by(&sort)"]);
        // `return` values count; a parameter declared numeric stays safe.
        let code = format!(
            "fn limit(n: u32, name: &str) -> String {{ if n > 100 {{ return name.to_string(); }} format!(\"LIMIT {{n}}\") }}
            {AXUM}async fn h(Path(name): Path<String>) {{ sink(&limit(10, &name)); }}"
        );
        assert!(origin_of(&code).is_request());
        let code = format!(
            "fn limit(n: u32) -> String {{ format!(\"LIMIT {{n}}\") }}
            {AXUM}async fn h(Path(n): Path<String>) {{ sink(&limit(n.parse().unwrap())); }}"
        );
        assert_eq!(origin_of(&code), Origin::Safe);
        // A helper with the sink inside: its parameter carries what the file's calls pass.
        let code = format!(
            "fn run(script: &str) {{ sink(script); }}
            {AXUM}async fn h(Path(name): Path<String>) {{ run(&format!(\"echo {{name}}\")); }}"
        );
        let (source, steps) = request(&code);
        assert_eq!(source, "Path(name): Path<String>");
        assert_eq!(steps, vec!["run(&format!(\"echo {name}\"))"]);
        // Called with constants only: the parameter stays a non-constant value.
        assert!(origin_of("fn run(script: &str) { sink(script); } fn main() { run(\"ls\"); }").is_dynamic());
        // Recursion and mutual calls end.
        let code = format!(
            "fn a(s: &str) -> String {{ b(s) }} fn b(s: &str) -> String {{ a(s) }}
            {AXUM}async fn h(Path(name): Path<String>) {{ sink(&a(&name)); }}"
        );
        let _ = origin_of(&code);
        assert_eq!(parameters(&origin_of("fn f(s: &str) { sink(s); f(s); }")), vec![("f".into(), 0)], "recursion ends");
    }

    #[test]
    fn constants_statics_and_stringify_are_constant() {
        let code = "const TABLE: &str = \"users\";
            static COLUMNS: &'static str = \"id, name\";
            const LIMIT: u32 = 50;
            fn f() { sink(&format!(\"SELECT {} FROM {TABLE} LIMIT {} -- {}\", COLUMNS, LIMIT, stringify!(users))); }";
        assert_eq!(origin_of(code), Origin::Constant);
        assert_eq!(origin_of("fn f() { let t = Table::Users; sink(&format!(\"{}{}\", t, i64::MAX)); }"), Origin::Constant);
        assert_eq!(origin_of("fn f() { sink(concat!(\"SELECT \", \"1\")); }"), Origin::Constant);
        assert_eq!(origin_of("fn f() { sink(String::from(\"x\") + \"y\"); }"), Origin::Constant);
        // A `static mut` can change.
        assert_eq!(origin_of("static mut name: &str = \"x\"; fn f() { sink(name); }"), Origin::Dynamic);
    }

    #[test]
    fn inline_format_captures_are_followed() {
        let code = |format: &str| format!("{AXUM}async fn h(Path(name): Path<String>) {{ sink(&format!(\"{format}\")); }}");
        assert_eq!(request(&code("SELECT * FROM t WHERE name = '{name}'")).0, "Path(name): Path<String>");
        assert_eq!(request(&code("{name:?} {{escaped}}")).0, "Path(name): Path<String>");
        assert_eq!(origin_of(&code("{{name}} {0}")), Origin::Constant);
        // A named argument shadows the capture.
        let named = format!("{AXUM}async fn h(Path(name): Path<String>) {{ sink(&format!(\"{{name}}\", name = \"x\")); }}");
        assert_eq!(origin_of(&named), Origin::Constant);
        let named = format!("{AXUM}async fn h(Path(id): Path<String>) {{ sink(&format!(\"{{n}}\", n = id.trim())); }}");
        assert_eq!(request(&named).0, "Path(id): Path<String>");
    }

    #[test]
    fn shadowing_follows_the_binding_in_scope() {
        let code = format!(
            "{AXUM}async fn search(Query(params): Query<HashMap<String, String>>) {{
                let q = params.get(\"q\").cloned().unwrap_or_default();
                let q = q.trim();
                let q = q.to_lowercase();
                sink(&format!(\"SELECT * FROM t WHERE name LIKE '%{{q}}%'\"));
            }}"
        );
        let (source, steps) = request(&code);
        assert_eq!(source, "Query(params): Query<HashMap<String, String>>");
        assert_eq!(steps.len(), 4, "{steps:?}");
        assert!(steps[0].starts_with("let q = params.get"), "{steps:?}");
        assert_eq!(steps[1], "let q = q.trim();");
        assert!(steps[3].starts_with("format!"), "{steps:?}");
        // A later binding of the name hides the request data.
        let hidden = format!("{AXUM}async fn h(Path(id): Path<String>) {{ let id = id.parse::<i64>()?; sink(&format!(\"{{id}}\")); }}");
        assert_eq!(origin_of(&hidden), Origin::Safe);
        let hidden = format!("{AXUM}async fn h(Path(id): Path<String>) {{ let id = \"fixed\"; sink(&format!(\"{{id}}\")); }}");
        assert_eq!(origin_of(&hidden), Origin::Constant);
        // A use before the shadowing binding still sees the parameter.
        let before = format!("{AXUM}async fn h(Path(id): Path<String>) {{ sink(&format!(\"{{id}}\")); let id = 1; }}");
        assert!(origin_of(&before).is_request());
    }

    #[test]
    fn actix_query_and_path_extractors_are_sources() {
        let code = format!(
            "{ACTIX}#[derive(Deserialize)]
            struct Params {{ name: String, page: u32 }}
            #[get(\"/search\")]
            async fn search(q: web::Query<Params>) -> HttpResponse {{
                sink(&format!(\"SELECT * FROM t WHERE name = '{{}}'\", q.name));
                HttpResponse::Ok().finish()
            }}"
        );
        assert_eq!(request(&code).0, "q: web::Query<Params>");
        let code = format!(
            "{ACTIX}#[get(\"/files/{{name}}\")]
            async fn file(path: web::Path<(String,)>) -> HttpResponse {{ let (name,) = path.into_inner(); sink(&name); }}"
        );
        let (source, steps) = request(&code);
        assert_eq!(source, "path: web::Path<(String,)>");
        assert_eq!(steps, vec!["let (name,) = path.into_inner();"]);
        let code = format!("{ACTIX}#[get(\"/u/{{id}}\")] async fn user(path: web::Path<(u32,)>) -> HttpResponse {{ sink(path.0); }}");
        assert_eq!(origin_of(&code), Origin::Safe);
    }

    #[test]
    fn actix_http_request_accessors_are_sources() {
        let code = format!(
            "{ACTIX}#[get(\"/users/{{id}}\")]
            async fn user(req: HttpRequest) -> HttpResponse {{
                let id = req.match_info().get(\"id\").unwrap_or(\"0\");
                sink(&format!(\"SELECT * FROM users WHERE id = {{id}}\"));
            }}"
        );
        let (source, steps) = request(&code);
        assert_eq!(source, "req.match_info()");
        assert_eq!(steps.len(), 2, "{steps:?}");
        let code = format!("{ACTIX}#[get(\"/\")] async fn raw(req: HttpRequest) -> HttpResponse {{ sink(req.query_string()); }}");
        assert_eq!(request(&code).0, "req.query_string()");
        // Also in helpers that are handed the request.
        let code = format!("{ACTIX}fn host(req: &HttpRequest) -> String {{ sink(req.uri().to_string()) }}");
        assert_eq!(request(&code).0, "req.uri()");
        // An outgoing request type of another crate with the same name is not a source.
        let code = "fn call(request: aws_smithy_runtime_api::client::orchestrator::HttpRequest) { sink(request.uri().to_owned()); }";
        assert!(origin_of(code).is_dynamic() && !origin_of(code).is_request());
        // Not everything on a request is client data.
        let code = format!("{ACTIX}#[get(\"/\")] async fn h(req: HttpRequest) -> HttpResponse {{ sink(req.app_data::<Config>()); }}");
        assert_eq!(origin_of(&code), Origin::Dynamic);
    }

    #[test]
    fn rocket_route_segments_and_data_guards_are_sources() {
        let code = "use rocket::{get, post, State};
            #[get(\"/hello/<name>?<age>\")]
            fn hello(name: &str, age: u8, db: &State<Db>) { sink(&format!(\"{} {} {}\", db.prefix, age, name)); }";
        assert_eq!(request(code).0, "name: &str");
        let code = "use rocket::{get, State};
            #[get(\"/hello/<age>\")]
            fn hello(age: u8, db: &State<Db>) { sink(&format!(\"{}\", age)); }";
        assert_eq!(origin_of(code), Origin::Safe);
        let code = "use rocket::{post, serde::json::Json};
            #[post(\"/users\", data = \"<user>\")]
            fn create(user: Json<User>) { sink(&user.name); }";
        assert_eq!(request(code).0, "user: Json<User>");
        // `PathBuf` segments reject `..`; custom `FromParam` types validate.
        let code = "use rocket::get; use std::path::PathBuf;
            #[get(\"/files/<path..>\")]
            fn files(path: PathBuf) { sink(&path); }";
        assert_eq!(origin_of(code), Origin::Safe);
        let code = "use rocket::get;
            #[get(\"/items/<id>\")]
            fn item(id: ItemId) { sink(&format!(\"{id}\")); }";
        assert_eq!(origin_of(code), Origin::Safe);
    }

    #[test]
    fn other_extractors_and_bindings_are_followed() {
        let headers = format!(
            "{AXUM}async fn h(headers: HeaderMap) {{
                let user = headers.get(\"x-user\").and_then(|v| v.to_str().ok()).unwrap_or(\"anon\");
                sink(&format!(\"{{user}}\"));
            }}"
        );
        assert_eq!(request(&headers).0, "headers: HeaderMap");
        // A `String` parameter is the body only in a routed handler.
        let body = format!(
            "{AXUM}fn app() -> Router {{ Router::new().route(\"/\", post(h)) }}\nasync fn h(body: String) {{ sink(body.as_str()); }}"
        );
        assert_eq!(request(&body).0, "body: String");
        let not_routed = format!("{AXUM}async fn h(body: String) {{ sink(body.as_str()); }}");
        assert!(origin_of(&not_routed).is_dynamic());
        let if_let = format!(
            "{AXUM}struct Filter {{ name: Option<String>, limit: Option<i64> }}
            async fn h(Query(f): Query<Filter>) {{
                if let Some(limit) = f.limit {{ sink(&format!(\"LIMIT {{limit}}\")); }}
            }}"
        );
        assert_eq!(origin_of(&if_let), Origin::Safe);
        let if_let = format!(
            "{AXUM}struct Filter {{ name: Option<String>, limit: Option<i64> }}
            async fn h(Query(f): Query<Filter>) {{
                if let Some(name) = &f.name {{ sink(&format!(\"WHERE name = '{{name}}'\")); }}
            }}"
        );
        let (source, steps) = request(&if_let);
        assert_eq!(source, "Query(f): Query<Filter>");
        assert_eq!(steps[0], "let Some(name) = &f.name");
        let looped =
            |ty: &str| format!("{AXUM}async fn h(Json(ids): Json<Vec<{ty}>>) {{ for id in &ids {{ sink(&format!(\"{{id}}\")); }} }}");
        assert!(origin_of(&looped("String")).is_request());
        // The bound name is not in scope in its own source.
        let itself = format!("{AXUM}async fn h(Query(name): Query<Option<String>>) {{ if let Some(name) = name {{ sink(&name); }} }}");
        assert_eq!(request(&itself).1, vec!["let Some(name) = name"]);
        let itself = format!("{AXUM}async fn h(Json(id): Json<Vec<String>>) {{ for id in id.iter() {{ sink(id); }} }}");
        assert!(origin_of(&itself).is_request());
        assert_eq!(origin_of(&looped("i64")), Origin::Safe);
        let closure = format!("{AXUM}async fn h(Path(name): Path<String>) {{ Some(name).map(|n| sink(&format!(\"{{n}}\"))); }}");
        assert!(origin_of(&closure).is_request());
        let joined = format!("{AXUM}async fn h(Path(name): Path<String>) {{ sink(std::path::Path::new(\"/srv/files\").join(&name)); }}");
        assert!(origin_of(&joined).is_request());
        let plus = format!("{AXUM}async fn h(Path(name): Path<String>) {{ sink(\"SELECT \".to_string() + &name); }}");
        let (_, steps) = request(&plus);
        assert_eq!(steps, vec!["\"SELECT \".to_string() + &name"]);
    }

    #[test]
    fn later_mutations_of_a_binding_are_followed() {
        let code = format!(
            "{AXUM}struct Filter {{ name: Option<String> }}
            async fn h(Query(f): Query<Filter>) {{
                let mut sql = String::from(\"SELECT * FROM t WHERE 1 = 1\");
                if let Some(name) = &f.name {{
                    sql.push_str(&format!(\" AND name = '{{name}}'\"));
                }}
                sink(&sql);
            }}"
        );
        let (source, steps) = request(&code);
        assert_eq!(source, "Query(f): Query<Filter>");
        assert_eq!(steps, vec!["let Some(name) = &f.name", "sql.push_str(&format!(\" AND name = '{name}'\"))"]);
        let write =
            format!("{AXUM}async fn h(Path(id): Path<String>) {{ let mut q = String::new(); write!(q, \"id = {{}}\", id); sink(&q); }}");
        assert!(origin_of(&write).is_request());
        let add = format!("{AXUM}async fn h(Path(id): Path<String>) {{ let mut q = String::new(); q += &id; sink(&q); }}");
        assert!(origin_of(&add).is_request());
        let parts = format!(
            "{AXUM}async fn h(Path(id): Path<String>) {{
                let mut conditions = Vec::new();
                conditions.push(format!(\"id = '{{id}}'\"));
                sink(&format!(\"SELECT * FROM t WHERE {{}}\", conditions.join(\" AND \")));
            }}"
        );
        assert!(origin_of(&parts).is_request());
        // A mutation after the sink does not reach it.
        let after = format!("{AXUM}async fn h(Path(id): Path<String>) {{ let mut q = String::new(); sink(&q); q.push_str(&id); }}");
        assert_eq!(origin_of(&after), Origin::Constant);
    }

    #[test]
    fn self_referential_and_long_chains_terminate() {
        let mut body = String::from("let x = id.clone();\n");
        for _ in 0..500 {
            body.push_str("let x = x.trim().to_string();\n");
        }
        let code = format!("{AXUM}async fn h(Path(id): Path<String>) {{ {body} sink(&x); }}");
        assert_eq!(origin_of(&code), Origin::Dynamic);
        // Doubling: each binding uses the previous one twice.
        let mut body = String::from("let a0 = id.clone();\n");
        for i in 1..60 {
            body.push_str(&format!("let a{i} = a{}.clone() + &a{};\n", i - 1, i - 1));
        }
        let code = format!("{AXUM}async fn h(Path(id): Path<String>) {{ {body} sink(&a59); }}");
        assert_eq!(origin_of(&code), Origin::Dynamic);
        // A binding updated from itself.
        let code = format!(
            "{AXUM}async fn h(Path(id): Path<String>) {{
                let mut s = String::new();
                s.push_str(&s.clone());
                s = s.clone() + &s;
                s += &s.clone();
                sink(&s);
            }}"
        );
        assert_eq!(origin_of(&code), Origin::Constant);
        let code =
            format!("{AXUM}async fn h(Path(id): Path<String>) {{ let mut s = id.clone(); s = s + &s; s.push_str(&s.clone()); sink(&s); }}");
        assert!(origin_of(&code).is_request());
        // Deep nesting is cut off, not followed to the end of the stack.
        let deep = format!("{}id{}", "(".repeat(120), ")".repeat(120));
        let code = format!("{AXUM}async fn h(Path(id): Path<String>) {{ sink({deep}); }}");
        assert_eq!(origin_of(&code), Origin::Dynamic);
    }
}
