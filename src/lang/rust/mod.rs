//! The Rust front-end: `syn` parsing with real line/column spans, one traversal that builds the
//! [`RustModel`] and queues the nodes rules can ask for, then hands both to the checker. Macro arguments that parse
//! as expressions (`format!`, `vec!`, `println!`) are visited like ordinary code; string literals
//! inside other macros (`json!`, `sqlx::query!`) are still seen as literals.

pub mod calls;
pub mod depth;
pub mod extent;
pub mod model;
pub mod taint;
pub mod warp;

pub use model::{
    end_point, method_chain, single_ident, start_point, FnId, Framework, LocalVar, RequestParam, RustHandler, RustModel, SourcePoint,
};

use super::{FileOutput, ParseStats, MAX_NESTING};
use crate::diagnostic::{Notice, NoticeKind};
use crate::models::{Knowledge, Language};
use crate::source::{SourceFile, Span};
use crate::timings::Stopwatch;
use proc_macro2::{TokenStream, TokenTree};
use std::rc::Rc;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, Lit};
use typed_arena::Arena;

/// The syntax kinds a Rust rule can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RustKind {
    Call,
    MethodCall,
    /// String literals, wherever they are (expressions, `const` items, macro arguments).
    Str,
    Impl,
    /// `const` and `static` items.
    Const,
    /// `let name = init;`
    Let,
    /// `Struct { name: value }` field initialisers.
    Field,
    /// Function and method definitions (the node's site is inside the function).
    Fn,
    /// `struct` items.
    Struct,
    /// Macro invocations (`panic!`, `format!`), in expression and statement position.
    Macro,
    /// Tuple expressions (`(StatusCode::INTERNAL_SERVER_ERROR, message)`).
    Tuple,
    /// `for pattern in expr { body }` loops.
    ForLoop,
    /// Indexing and slicing: `parts[1]`, `&s[..n]`.
    Index,
}

const KIND_COUNT: usize = 13;

impl RustKind {
    /// How many kinds there are (their [`RustKind::index`] is below it).
    pub const COUNT: usize = KIND_COUNT;
}

impl RustKind {
    pub fn index(self) -> usize {
        self as usize
    }
}

#[derive(Clone, Copy)]
pub enum RustSyntax<'a> {
    Call(&'a syn::ExprCall),
    MethodCall(&'a syn::ExprMethodCall),
    Str(&'a syn::LitStr),
    Impl(&'a syn::ItemImpl),
    Const { name: &'a syn::Ident, expr: &'a Expr },
    Let { name: &'a syn::Ident, init: &'a Expr },
    Field { name: &'a syn::Ident, expr: &'a Expr },
    Fn { sig: &'a syn::Signature, attrs: &'a [syn::Attribute], block: &'a syn::Block },
    Struct(&'a syn::ItemStruct),
    Macro(&'a syn::Macro),
    Tuple(&'a syn::ExprTuple),
    ForLoop(&'a syn::ExprForLoop),
    Index(&'a syn::ExprIndex),
}

impl RustSyntax<'_> {
    /// Where the node is, for notices about it.
    pub fn span(&self, file: &SourceFile) -> Span {
        match *self {
            RustSyntax::Call(call) => span_of(file, call),
            RustSyntax::MethodCall(call) => span_of(file, call),
            RustSyntax::Str(lit) => span_of(file, lit),
            RustSyntax::Impl(item) => span_of(file, &item.self_ty),
            RustSyntax::Const { name, .. } | RustSyntax::Let { name, .. } | RustSyntax::Field { name, .. } => span_of(file, name),
            RustSyntax::Fn { sig, .. } => span_of(file, &sig.ident),
            RustSyntax::Struct(item) => span_of(file, &item.ident),
            RustSyntax::Macro(mac) => span_of(file, &mac.path),
            RustSyntax::Tuple(tuple) => span_of(file, tuple),
            RustSyntax::ForLoop(for_loop) => span_of(file, &for_loop.for_token),
            RustSyntax::Index(index) => span_of(file, index),
        }
    }

    pub fn kind(&self) -> RustKind {
        match self {
            RustSyntax::Call(_) => RustKind::Call,
            RustSyntax::MethodCall(_) => RustKind::MethodCall,
            RustSyntax::Str(_) => RustKind::Str,
            RustSyntax::Impl(_) => RustKind::Impl,
            RustSyntax::Const { .. } => RustKind::Const,
            RustSyntax::Let { .. } => RustKind::Let,
            RustSyntax::Field { .. } => RustKind::Field,
            RustSyntax::Fn { .. } => RustKind::Fn,
            RustSyntax::Struct(_) => RustKind::Struct,
            RustSyntax::Macro(_) => RustKind::Macro,
            RustSyntax::Tuple(_) => RustKind::Tuple,
            RustSyntax::ForLoop(_) => RustKind::ForLoop,
            RustSyntax::Index(_) => RustKind::Index,
        }
    }
}

/// What directly encloses a string literal: decides whether a URL or secret in it is "used".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum LitParent {
    #[default]
    Other,
    /// An operand of `==`, `!=`, `<`, ... or a `match` pattern.
    Comparison,
    /// An argument of a method call, or its receiver: the method name.
    Method(Rc<str>),
    /// An argument of a function call: the resolved path.
    Call(Rc<str>),
    /// An argument of a macro: the macro's name (`format`, `println`, `json`).
    Macro(Rc<str>),
}

/// Where a queued node sits.
#[derive(Debug, Clone, Default)]
pub struct Site {
    pub fn_id: Option<FnId>,
    /// Shared, like the parent's name: every queued node carries a copy of its site.
    pub fn_name: Option<Rc<str>>,
    pub in_async: bool,
    pub in_test: bool,
    /// Inside a closure handed to `spawn_blocking`, `block_in_place` or actix `web::block`:
    /// blocking there is what those functions are for.
    pub in_blocking_pool: bool,
    /// Inside what a lazily initialised value runs once (`CLIENT.get_or_init(|| ..)`,
    /// `LazyLock::new(|| ..)`): what is made there is made once, wherever the code is.
    pub in_once_init: bool,
    /// Inside an item compiled into debug builds only (`#[cfg(debug_assertions)]`).
    pub in_debug_build: bool,
    /// The conditions that decide whether this node runs, innermost last: the `if` conditions
    /// and `match` scrutinees of the function around it (either branch: `if !skip { .. } else
    /// { .. }` is decided by `skip` both ways). Kept as source ranges; [`Site::guard_texts`]
    /// reads them when a rule asks.
    pub guards: Option<Rc<[(SourcePoint, SourcePoint)]>>,
    pub parent: LitParent,
}

impl Site {
    /// The source text of each condition in [`Site::guards`], innermost last.
    pub fn guard_texts<'f>(&'f self, file: &'f SourceFile) -> impl Iterator<Item = &'f str> {
        self.guards.iter().flat_map(|guards| guards.iter()).map(move |&((line, column), (end_line, end_column))| {
            let (start, end) = (file.offset_of_line_char(line, column), file.offset_of_line_char(end_line, end_column));
            file.text.get(start..end).unwrap_or("")
        })
    }
}

#[derive(Clone)]
pub struct RustNode<'a> {
    pub syntax: RustSyntax<'a>,
    pub site: Site,
}

/// The byte range of a block, from its braces (`span_of` would print the whole block again to
/// find them).
pub fn block_span(file: &SourceFile, block: &syn::Block) -> Span {
    let (open, close) = (block.brace_token.span.open().start(), block.brace_token.span.close().end());
    Span::new(file.offset_of_line_char(open.line, open.column), file.offset_of_line_char(close.line, close.column))
}

/// The byte range of a syntax element.
pub fn span_of(file: &SourceFile, spanned: &impl Spanned) -> Span {
    let span = spanned.span();
    let (start, end) = (span.start(), span.end());
    Span::new(file.offset_of_line_char(start.line, start.column), file.offset_of_line_char(end.line, end.column))
}

/// Parses `file`, builds its model and queues every node a rule can ask for, in source order;
/// then hands both to `check`. Parse time and model time go into `output.timings`; a file that
/// does not parse or nests too deeply gets a notice instead and `check` is not called.
pub fn analyze<F>(file: &SourceFile, knowledge: &Knowledge, measure: bool, output: &mut FileOutput, check: F)
where
    F: for<'a> FnOnce(&RustModel<'a>, Vec<RustNode<'a>>, &mut FileOutput),
{
    analyze_parsed(file, knowledge, measure, output, check);
    let mut clock = Stopwatch::thread(measure);
    // proc-macro2 keeps every parsed source in a per-thread table; without this, memory grows
    // with every file and positions wrap after 4 GiB per thread.
    proc_macro2::extra::invalidate_current_thread_spans();
    output.timings.parse += clock.split();
}

/// `--parse-only`: the same parse (and the same clean-up), then one pass of `syn`'s visitor over
/// the whole tree, with no model, no queue and no rules. Macro arguments are not re-parsed here;
/// the full analysis does that during its traversal, so it counts as model time there.
pub fn parse_only(file: &SourceFile) -> ParseStats {
    let stats = match parse_file(&file.text) {
        Ok(syntax) => {
            let mut counter = NodeCounter(0);
            counter.visit_file(&syntax);
            ParseStats { parsed: true, has_errors: false, nodes: counter.0, ..ParseStats::default() }
        }
        Err(ParseFailure::Syntax(_)) => ParseStats { parsed: true, has_errors: true, ..ParseStats::default() },
        Err(ParseFailure::TooDeep(_)) => ParseStats { skipped: true, ..ParseStats::default() },
    };
    proc_macro2::extra::invalidate_current_thread_spans();
    stats
}

/// Why a Rust file has no syntax tree.
#[derive(Debug)]
pub enum ParseFailure {
    Syntax(syn::Error),
    /// The file nests deeper than this bound ([`depth::nesting_bound`]); it was not parsed.
    TooDeep(usize),
}

/// `syn::parse_file` (a byte order mark and a `#!` line are skipped), except that a file that
/// nests deeper than [`MAX_NESTING`] is refused after lexing and before `syn` recurses into it.
pub fn parse_file(text: &str) -> Result<syn::File, ParseFailure> {
    let mut content = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut shebang = None;
    if content.starts_with("#!") && !skip_trivia(&content[2..]).starts_with('[') {
        let end = content.find('\n').unwrap_or(content.len());
        shebang = Some(content[..end].to_string());
        content = &content[end..];
    }
    let tokens: TokenStream = content.parse().map_err(|e: proc_macro2::LexError| ParseFailure::Syntax(e.into()))?;
    let bound = depth::nesting_bound(tokens.clone());
    if bound > MAX_NESTING {
        return Err(ParseFailure::TooDeep(bound));
    }
    let mut file: syn::File = syn::parse2(tokens).map_err(ParseFailure::Syntax)?;
    file.shebang = shebang;
    Ok(file)
}

/// `text` after leading whitespace and comments.
fn skip_trivia(mut text: &str) -> &str {
    loop {
        text = text.trim_start();
        if text.starts_with("//") {
            text = text.find('\n').map_or("", |end| &text[end..]);
        } else if let Some(rest) = text.strip_prefix("/*") {
            text = rest.find("*/").map_or("", |end| &rest[end + 2..]);
        } else {
            return text;
        }
    }
}

/// Counts items, expressions and string literals while visiting everything.
struct NodeCounter(u64);

impl<'a> Visit<'a> for NodeCounter {
    fn visit_item(&mut self, item: &'a syn::Item) {
        self.0 += 1;
        visit::visit_item(self, item);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        self.0 += 1;
        visit::visit_expr(self, expr);
    }

    fn visit_lit_str(&mut self, _: &'a syn::LitStr) {
        self.0 += 1;
    }
}

fn analyze_parsed<F>(file: &SourceFile, knowledge: &Knowledge, measure: bool, output: &mut FileOutput, check: F)
where
    F: for<'a> FnOnce(&RustModel<'a>, Vec<RustNode<'a>>, &mut FileOutput),
{
    let mut clock = Stopwatch::thread(measure);
    let parsed = parse_file(&file.text);
    output.timings.parse += clock.split();
    let syntax = match parsed {
        Ok(syntax) => syntax,
        Err(ParseFailure::Syntax(error)) => {
            let start = error.span().start();
            let offset = file.offset_of_line_char(start.line, start.column);
            output.notices.push(Notice::at(NoticeKind::ParseError, file, Span::new(offset, offset), format!("syntax error: {error}")));
            return;
        }
        Err(ParseFailure::TooDeep(depth)) => {
            output.notices.push(super::too_deep(file, depth));
            return;
        }
    };
    let expr_arena = Arena::new();
    let lit_arena = Arena::new();
    // The models in force are known during the traversal: handler detection asks them.
    let (model, queue) = collect(&syntax, file, Some(knowledge), &expr_arena, &lit_arena);
    output.timings.model += clock.split();
    check(&model, queue, output);
}

/// The one traversal: builds the model and queues every node a rule may ask for.
fn collect<'a>(
    syntax: &'a syn::File,
    file: &SourceFile,
    knowledge: Option<&'a Knowledge>,
    exprs: &'a Arena<Expr>,
    lits: &'a Arena<syn::LitStr>,
) -> (RustModel<'a>, Vec<RustNode<'a>>) {
    let mut collector = Collector {
        model: RustModel::with_knowledge(knowledge),
        queue: Vec::new(),
        site: Site { in_test: file.is_test_path, ..Site::default() },
        next_fn_id: 0,
        fns: Vec::new(),
        exprs,
        lits,
        modules: Vec::new(),
        impl_type: None,
        impl_seen: None,
        file_is_test: file.is_test_path,
        awaited_call: None,
    };
    collector.visit_file(syntax);
    let Collector { mut model, queue, fns, .. } = collector;
    model::finish_handlers(&mut model, &fns);
    (model, queue)
}

/// Parses `text` as `src/lib.rs`, runs the traversal and hands the model and the queued nodes to
/// `f` (the model borrows the syntax tree, so it cannot be returned).
#[cfg(test)]
pub(crate) fn with_model<R>(text: &str, f: impl FnOnce(&SourceFile, &RustModel<'_>, &[RustNode<'_>]) -> R) -> R {
    let file = SourceFile::new("src/lib.rs".into(), "src/lib.rs".into(), crate::source::Language::Rust, text.into(), false);
    let syntax = parse_file(text).expect("test source parses");
    let (expr_arena, lit_arena) = (Arena::new(), Arena::new());
    let (model, queue) = collect(&syntax, &file, None, &expr_arena, &lit_arena);
    f(&file, &model, &queue)
}

/// A function seen during the traversal, for handler detection once all routes are known.
pub(crate) struct FnSeen<'a> {
    pub name: String,
    pub fn_id: FnId,
    pub is_async: bool,
    pub route_attribute: Option<(String, Option<String>)>,
    pub params: Vec<RequestParam>,
    pub sig: &'a syn::Signature,
    pub attrs: &'a [syn::Attribute],
    /// The `impl` block the function is a method of, if any.
    pub owner: Option<&'a syn::ItemImpl>,
}

struct Collector<'a> {
    model: RustModel<'a>,
    queue: Vec<RustNode<'a>>,
    site: Site,
    next_fn_id: FnId,
    fns: Vec<FnSeen<'a>>,
    exprs: &'a Arena<Expr>,
    lits: &'a Arena<syn::LitStr>,
    /// Inline modules (`mod inner { .. }`) around the current item.
    modules: Vec<String>,
    /// The type of the `impl` block around the current item.
    impl_type: Option<String>,
    /// The `impl` block around the current item, as handler detection needs it.
    impl_seen: Option<&'a syn::ItemImpl>,
    /// The whole file is test code (by its path): its modules are, too, without saying so.
    file_is_test: bool,
    /// The call being awaited right here (`offload(move || ..).await`), by address: a
    /// synchronous closure handed to an awaited call runs elsewhere (a `spawn_blocking` or
    /// thread-pool wrapper of the project's own), not on the executor.
    awaited_call: Option<usize>,
}

impl<'a> Collector<'a> {
    fn push(&mut self, syntax: RustSyntax<'a>) {
        self.queue.push(RustNode { syntax, site: self.site.clone() });
    }

    /// Runs `f` with `condition` added to the guards of what it visits.
    fn guarded_by(&mut self, condition: &Expr, f: impl FnOnce(&mut Self)) {
        let range = (start_point(condition), end_point(condition));
        let guards: Rc<[_]> = self.site.guards.iter().flat_map(|g| g.iter().copied()).chain([range]).collect();
        let saved = self.site.guards.replace(guards);
        f(self);
        self.site.guards = saved;
    }

    fn with_parent(&mut self, parent: LitParent, f: impl FnOnce(&mut Self)) {
        let saved = std::mem::replace(&mut self.site.parent, parent);
        f(self);
        self.site.parent = saved;
    }

    /// `free`: a function item (not a method), which other functions of the file call by name.
    fn enter_fn(&mut self, sig: &'a syn::Signature, attrs: &'a [syn::Attribute], block: &'a syn::Block, free: bool) {
        let saved = self.site.clone();
        let fn_id = self.next_fn_id;
        // Items other files can name: `inner::build`, `Repo::by_tag` (not functions inside functions).
        if self.site.fn_id.is_none() {
            let owner = if free { None } else { self.impl_type.clone() };
            let path: Vec<String> = self.modules.iter().cloned().chain(owner).chain([sig.ident.to_string()]).collect();
            self.model.fn_paths.insert(fn_id, path.join("::"));
        }
        self.site.fn_id = Some(fn_id);
        self.next_fn_id += 1;
        let route_attr = attrs.iter().find(|attr| route_attribute(attr, self.model.knowledge()).is_some());
        self.model.taint.record_fn(fn_id, sig, route_attr, block, free);
        self.site.fn_name = Some(sig.ident.to_string().into());
        self.site.in_async = sig.asyncness.is_some();
        self.site.in_test |= attrs.iter().any(is_test_attribute);
        self.site.in_debug_build |= attrs.iter().any(is_debug_only_attribute);
        self.site.parent = LitParent::Other;
        self.site.guards = None;
        self.model.fn_names.push((fn_id, sig.ident.to_string()));
        self.fns.push(FnSeen {
            name: sig.ident.to_string(),
            fn_id,
            is_async: sig.asyncness.is_some(),
            route_attribute: route_attr.and_then(|attr| route_attribute(attr, self.model.knowledge())),
            params: sig.inputs.iter().filter_map(|input| request_param(input, self.model.knowledge())).collect(),
            sig,
            attrs,
            owner: if free { None } else { self.impl_seen },
        });
        self.push(RustSyntax::Fn { sig, attrs, block });
        self.visit_block(block);
        self.site = saved;
    }

    fn record_method_targets(&mut self, expr: &'a Expr) {
        // Builder tracking: every method called on a local variable, through chains.
        let (root, calls) = method_chain(expr);
        if let (Expr::Path(p), Some(fn_id)) = (root, self.site.fn_id) {
            if let Some(name) = single_ident(&p.path) {
                if let Some(local) = self.model.local_mut(fn_id, name, start_point(p)) {
                    local.methods.extend(calls.iter().map(|c| c.method.to_string()));
                    for call in calls {
                        if !local.calls.iter().any(|seen| std::ptr::eq(*seen, call)) {
                            local.calls.push(call);
                        }
                    }
                }
            }
        }
    }

    fn visit_macro_body(&mut self, mac: &'a syn::Macro) {
        let name: Rc<str> = mac.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default().into();
        let parser = Punctuated::<Expr, syn::Token![,]>::parse_terminated;
        match syn::parse::Parser::parse2(parser, mac.tokens.clone()) {
            Ok(args) => {
                for (index, arg) in args.into_iter().enumerate() {
                    let arg: &'a Expr = self.exprs.alloc(arg);
                    if index == 0 && matches!(&*name, "write" | "writeln") {
                        if let Some(fn_id) = self.site.fn_id {
                            self.model.taint.record_write(fn_id, mac, arg);
                        }
                    }
                    self.with_parent(LitParent::Macro(name.clone()), |c| c.visit_expr(arg));
                }
            }
            Err(_) => self.visit_token_literals(mac.tokens.clone(), &name),
        }
    }

    fn visit_token_literals(&mut self, tokens: TokenStream, macro_name: &str) {
        for token in tokens {
            match token {
                TokenTree::Group(group) => self.visit_token_literals(group.stream(), macro_name),
                TokenTree::Literal(literal) => {
                    if let Ok(Lit::Str(s)) = syn::parse2::<Lit>(TokenTree::Literal(literal).into()) {
                        let lit: &'a syn::LitStr = self.lits.alloc(s);
                        self.with_parent(LitParent::Macro(macro_name.into()), |c| c.push(RustSyntax::Str(lit)));
                    }
                }
                _ => {}
            }
        }
    }
}

impl<'a> Visit<'a> for Collector<'a> {
    // Doc comments and attributes are not code: URLs and strings in them are never findings.
    fn visit_attribute(&mut self, _: &'a syn::Attribute) {}

    fn visit_item_mod(&mut self, item: &'a syn::ItemMod) {
        let saved = self.site.in_test;
        let saved_debug = self.site.in_debug_build;
        self.site.in_test |= item.attrs.iter().any(is_test_attribute);
        self.site.in_debug_build |= item.attrs.iter().any(is_debug_only_attribute);
        // `#[cfg(test)] mod testutils;`: the module's file, wherever it is, is test code.
        if item.content.is_none() && self.site.in_test && !self.file_is_test {
            let path: Vec<String> = self.modules.iter().cloned().chain([item.ident.to_string()]).collect();
            self.model.test_modules.push(path.join("/"));
        }
        self.modules.push(item.ident.to_string());
        self.model.declared.insert(item.ident.to_string());
        visit::visit_item_mod(self, item);
        self.modules.pop();
        self.site.in_test = saved;
        self.site.in_debug_build = saved_debug;
    }

    fn visit_item_fn(&mut self, item: &'a syn::ItemFn) {
        self.enter_fn(&item.sig, &item.attrs, &item.block, true);
    }

    fn visit_impl_item_fn(&mut self, item: &'a syn::ImplItemFn) {
        self.enter_fn(&item.sig, &item.attrs, &item.block, false);
    }

    fn visit_item_impl(&mut self, item: &'a syn::ItemImpl) {
        let saved = self.site.in_test;
        let saved_debug = self.site.in_debug_build;
        self.site.in_test |= item.attrs.iter().any(is_test_attribute);
        self.site.in_debug_build |= item.attrs.iter().any(is_debug_only_attribute);
        self.push(RustSyntax::Impl(item));
        let self_type = match &*item.self_ty {
            syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        };
        self.model.declared.extend(self_type.clone());
        let saved_type = std::mem::replace(&mut self.impl_type, self_type);
        let saved_seen = self.impl_seen.replace(item);
        visit::visit_item_impl(self, item);
        self.impl_seen = saved_seen;
        self.impl_type = saved_type;
        self.site.in_test = saved;
        self.site.in_debug_build = saved_debug;
    }

    fn visit_item_use(&mut self, item: &'a syn::ItemUse) {
        model::record_use_tree(&mut self.model.uses, String::new(), &item.tree);
    }

    fn visit_item_struct(&mut self, item: &'a syn::ItemStruct) {
        self.model.declared.insert(item.ident.to_string());
        self.model.taint.record_struct(item);
        self.push(RustSyntax::Struct(item));
        visit::visit_item_struct(self, item);
    }

    fn visit_item_enum(&mut self, item: &'a syn::ItemEnum) {
        self.model.declared.insert(item.ident.to_string());
        self.model.taint.record_enum(item);
        visit::visit_item_enum(self, item);
    }

    fn visit_item_const(&mut self, item: &'a syn::ItemConst) {
        model::record_const(&mut self.model, &item.ident, &item.expr);
        self.model.taint.record_const(&item.ident);
        self.push(RustSyntax::Const { name: &item.ident, expr: &item.expr });
        self.visit_expr(&item.expr);
    }

    fn visit_item_static(&mut self, item: &'a syn::ItemStatic) {
        model::record_const(&mut self.model, &item.ident, &item.expr);
        if matches!(item.mutability, syn::StaticMutability::None) {
            self.model.taint.record_const(&item.ident);
        }
        self.push(RustSyntax::Const { name: &item.ident, expr: &item.expr });
        self.visit_expr(&item.expr);
    }

    /// A statement compiled for tests only (`#[cfg(feature = "e2e_tests")] if let .. { .. }`)
    /// is test code, like an item with that attribute.
    fn visit_stmt(&mut self, stmt: &'a syn::Stmt) {
        let attrs: &[syn::Attribute] = match stmt {
            syn::Stmt::Local(local) => &local.attrs,
            syn::Stmt::Expr(expr, _) => statement_attrs(expr),
            _ => &[],
        };
        let saved = self.site.in_test;
        self.site.in_test |= attrs.iter().any(is_test_attribute);
        visit::visit_stmt(self, stmt);
        self.site.in_test = saved;
    }

    fn visit_local(&mut self, local: &'a syn::Local) {
        let (ident, ty) = match &local.pat {
            syn::Pat::Ident(p) => (Some((&p.ident, p.mutability.is_some())), None),
            syn::Pat::Type(t) => match &*t.pat {
                syn::Pat::Ident(p) => (Some((&p.ident, p.mutability.is_some())), Some(&*t.ty)),
                _ => (None, None),
            },
            _ => (None, None),
        };
        if let (Some((ident, mutable)), Some(init), Some(fn_id)) = (ident, &local.init, self.site.fn_id) {
            let var = LocalVar {
                init: Some(&init.expr),
                mutable,
                methods: Vec::new(),
                calls: Vec::new(),
                visible_from: extent::local_extent(local).1,
                ty,
                decl: Some(local),
            };
            self.model.taint.record_local_init(fn_id, &ident.to_string(), &init.expr);
            self.model.locals.entry((fn_id, ident.to_string())).or_default().push(var);
            self.push(RustSyntax::Let { name: ident, init: &init.expr });
        } else if let (None, Some(init), Some(fn_id)) = (ident, &local.init, self.site.fn_id) {
            // `let (a, b) = ...;`, `let Some(x) = ... else { ... };`
            self.model.taint.record_let_pattern(fn_id, local, &init.expr);
        }
        visit::visit_local(self, local);
    }

    fn visit_expr_struct(&mut self, expr: &'a syn::ExprStruct) {
        for field in &expr.fields {
            if let syn::Member::Named(name) = &field.member {
                self.push(RustSyntax::Field { name, expr: &field.expr });
            }
        }
        visit::visit_expr_struct(self, expr);
    }

    fn visit_macro(&mut self, mac: &'a syn::Macro) {
        self.push(RustSyntax::Macro(mac));
        self.visit_macro_body(mac);
    }

    fn visit_pat(&mut self, pat: &'a syn::Pat) {
        // Literals in patterns are comparisons (`"http://x" => ...`).
        self.with_parent(LitParent::Comparison, |c| visit::visit_pat(c, pat));
    }

    fn visit_lit_str(&mut self, lit: &'a syn::LitStr) {
        self.push(RustSyntax::Str(lit));
    }

    /// `diesel::update(..)`, `Result<_, diesel::result::Error>`: the file uses the crate a path
    /// starts with, imported or not.
    fn visit_path(&mut self, path: &'a syn::Path) {
        if path.segments.len() >= 2 {
            let root = &path.segments[0].ident;
            if !["crate", "self", "super", "Self", "std", "core", "alloc"].iter().any(|skip| root == skip) {
                self.model.path_roots.insert(root.to_string());
            }
        }
        visit::visit_path(self, path);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Some(fn_id) = self.site.fn_id {
            self.model.taint.record_expr(fn_id, expr);
        }
        match expr {
            Expr::Lit(_) | Expr::Paren(_) | Expr::Group(_) | Expr::Reference(_) => visit::visit_expr(self, expr),
            Expr::Binary(binary) if is_comparison(&binary.op) => {
                self.with_parent(LitParent::Comparison, |c| {
                    c.visit_expr(&binary.left);
                    c.visit_expr(&binary.right);
                });
            }
            Expr::MethodCall(call) => {
                self.push(RustSyntax::MethodCall(call));
                // `self.helper(..)`: a call of a method of this file.
                if let (Some(fn_id), Expr::Path(receiver)) = (self.site.fn_id, &*call.receiver) {
                    if receiver.path.is_ident("self") {
                        self.model.calls.entry(fn_id).or_default().push(call.method.to_string());
                    }
                }
                self.record_method_targets(expr);
                // `.route("/orders", post(create))`, `web::post().to(create)`: the handlers routed.
                let knowledge = self.model.knowledge.unwrap_or_else(|| Knowledge::builtin());
                let routing = model::routing_of(knowledge, &call.method.to_string(), true);
                let routed = match call.args.len() {
                    2.. if routing.starts_path() => call.args.get(1),
                    1 if routing.hands_handler() => call.args.first(),
                    _ => None,
                };
                if let Some(routed) = routed {
                    model::record_routed_fns(&mut self.model.routed_fns, routed, knowledge);
                }
                let method = LitParent::Method(call.method.to_string().into());
                // A conversion keeps its receiver where it was: in
                // `allow_origin("http://a.io".parse().unwrap())` the literal is `allow_origin`'s.
                let receiver_parent = if is_conversion(&call.method.to_string()) { self.site.parent.clone() } else { method.clone() };
                self.with_parent(receiver_parent, |c| c.visit_expr(&call.receiver));
                let saved = self.site.in_once_init;
                self.site.in_once_init |= ONCE_INIT_METHODS.iter().any(|m| call.method == m);
                for arg in &call.args {
                    self.with_parent(method.clone(), |c| c.visit_expr(arg));
                }
                self.site.in_once_init = saved;
            }
            Expr::Await(awaited) => {
                if let Expr::Call(call) = &*awaited.base {
                    self.awaited_call = Some(call as *const syn::ExprCall as usize);
                }
                self.with_parent(LitParent::Other, |c| visit::visit_expr(c, expr));
            }
            Expr::Call(call) => {
                self.push(RustSyntax::Call(call));
                let path: Rc<str> = self.model.call_path(call).unwrap_or_default().into();
                // `service_fn(handle)`: a hyper or Lambda service's handler.
                if path.rsplit("::").next() == Some("service_fn") {
                    if let Some(Expr::Path(target)) = call.args.first() {
                        self.model.service_fns.extend(target.path.segments.last().map(|s| s.ident.to_string()));
                    }
                }
                if let (Some(fn_id), Expr::Path(callee)) = (self.site.fn_id, &*call.func) {
                    // Calls of functions of this file by name (`load_user(..)`, `Self::check(..)`).
                    if let Some(last) = callee.path.segments.last() {
                        self.model.calls.entry(fn_id).or_default().push(last.ident.to_string());
                    }
                }
                let saved = (self.site.in_blocking_pool, self.site.in_once_init);
                let offloads_closure = self.awaited_call == Some(call as *const syn::ExprCall as usize)
                    && call.args.iter().any(|arg| matches!(arg, Expr::Closure(c) if c.asyncness.is_none()));
                self.site.in_blocking_pool |= offloads_closure
                    || ["spawn_blocking", "block_in_place", "web::block", "thread::spawn", "rayon::spawn"]
                        .iter()
                        .any(|f| path.ends_with(f));
                self.site.in_once_init |= ONCE_INIT_CONSTRUCTORS.iter().any(|f| path.ends_with(f));
                self.with_parent(LitParent::Other, |c| c.visit_expr(&call.func));
                for arg in &call.args {
                    self.with_parent(LitParent::Call(path.clone()), |c| c.visit_expr(arg));
                }
                (self.site.in_blocking_pool, self.site.in_once_init) = saved;
            }
            Expr::ForLoop(for_loop) => {
                self.push(RustSyntax::ForLoop(for_loop));
                self.with_parent(LitParent::Other, |c| visit::visit_expr(c, expr));
            }
            Expr::Index(index) => {
                self.push(RustSyntax::Index(index));
                self.with_parent(LitParent::Other, |c| visit::visit_expr(c, expr));
            }
            Expr::Tuple(tuple) => {
                self.push(RustSyntax::Tuple(tuple));
                self.with_parent(LitParent::Other, |c| visit::visit_expr(c, expr));
            }
            Expr::Assign(assign) => {
                // `b = b.timeout(t)` configures the builder held in `b`.
                if let (Expr::Path(left), Some(fn_id)) = (&*assign.left, self.site.fn_id) {
                    if let Some(name) = single_ident(&left.path) {
                        let (root, calls) = method_chain(&assign.right);
                        let same_var = matches!(root, Expr::Path(p) if single_ident(&p.path).as_deref() == Some(name.as_str()));
                        if let Some(local) = self.model.local_mut(fn_id, name, start_point(left)) {
                            if same_var {
                                local.methods.extend(calls.iter().map(|c| c.method.to_string()));
                            } else {
                                local.mutable = true;
                            }
                        }
                    }
                }
                // In a macro's arguments `name = value` is a named argument (`info!(url = "…")`,
                // `format!("{x}", x = …)`): the value still belongs to the macro.
                let parent = match &self.site.parent {
                    LitParent::Macro(name) => LitParent::Macro(name.clone()),
                    _ => LitParent::Other,
                };
                self.with_parent(parent, |c| visit::visit_expr(c, expr));
            }
            Expr::Closure(closure) => {
                // A synchronous closure inside async code usually runs right there
                // (`opt.map(|x| ..)`); closures sent to other threads are marked by
                // `in_blocking_pool` at the call that takes them.
                let saved = self.site.in_async;
                self.site.in_async |= closure.asyncness.is_some();
                self.with_parent(LitParent::Other, |c| visit::visit_expr(c, expr));
                self.site.in_async = saved;
            }
            Expr::If(branch) => self.with_parent(LitParent::Other, |c| {
                c.visit_expr(&branch.cond);
                c.guarded_by(&branch.cond, |c| {
                    c.visit_block(&branch.then_branch);
                    if let Some((_, otherwise)) = &branch.else_branch {
                        c.visit_expr(otherwise);
                    }
                });
            }),
            Expr::Match(choice) => self.with_parent(LitParent::Other, |c| {
                c.visit_expr(&choice.expr);
                c.guarded_by(&choice.expr, |c| {
                    for arm in &choice.arms {
                        visit::visit_arm(c, arm);
                    }
                });
            }),
            Expr::Async(_) => {
                let saved = self.site.in_async;
                self.site.in_async = true;
                self.with_parent(LitParent::Other, |c| visit::visit_expr(c, expr));
                self.site.in_async = saved;
            }
            // `f(&["a", "b"])`: the elements are still the call's argument (references keep it above).
            Expr::Array(_) if matches!(self.site.parent, LitParent::Call(_)) => {
                let parent = self.site.parent.clone();
                self.with_parent(parent, |c| visit::visit_expr(c, expr));
            }
            _ => self.with_parent(LitParent::Other, |c| visit::visit_expr(c, expr)),
        }
    }
}

/// Methods whose closure argument runs once to initialise a value kept for later
/// (`OnceCell`, `OnceLock`, `Option::get_or_insert_with`, `Once::call_once`).
const ONCE_INIT_METHODS: &[&str] = &["get_or_init", "get_or_try_init", "get_or_insert_with", "call_once", "get_or_init_with"];
/// Lazily initialised values whose closure runs once (`LazyLock::new(|| ..)`, once_cell's `Lazy`).
const ONCE_INIT_CONSTRUCTORS: &[&str] = &["Lazy::new", "LazyLock::new", "LazyCell::new"];

/// Methods that convert or unwrap their receiver without using it: `parse`, `into`, `unwrap`, ...
fn is_conversion(method: &str) -> bool {
    matches!(
        method,
        "parse"
            | "into"
            | "to_string"
            | "to_owned"
            | "as_str"
            | "as_ref"
            | "as_bytes"
            | "clone"
            | "unwrap"
            | "expect"
            | "unwrap_or_default"
    )
}

fn is_comparison(op: &syn::BinOp) -> bool {
    matches!(op, syn::BinOp::Eq(_) | syn::BinOp::Ne(_) | syn::BinOp::Lt(_) | syn::BinOp::Le(_) | syn::BinOp::Gt(_) | syn::BinOp::Ge(_))
}

/// `#[test]`, `#[tokio::test]`, `#[rstest]`, `#[cfg(test)]` (but not `#[cfg(not(test))]`).
/// `#[cfg(debug_assertions)]` (not negated): the item exists in debug builds only.
fn is_debug_only_attribute(attr: &syn::Attribute) -> bool {
    let syn::Meta::List(list) = &attr.meta else { return false };
    let tokens = list.tokens.to_string();
    attr.path().is_ident("cfg") && tokens.contains("debug_assertions") && !tokens.contains("not")
}

fn is_test_attribute(attr: &syn::Attribute) -> bool {
    let Some(last) = attr.path().segments.last() else { return false };
    let name = last.ident.to_string();
    if matches!(name.as_str(), "test" | "rstest" | "test_case" | "quickcheck" | "proptest") {
        return true;
    }
    if name == "cfg" {
        if let syn::Meta::List(list) = &attr.meta {
            let tokens = list.tokens.to_string();
            if tokens.contains("not") {
                return false;
            }
            // `cfg(test)`, and features that exist for tests: `feature = "test-utils"`,
            // `feature = "e2e_tests"`, `feature = "integration-testing"`.
            return tokens.split(|c: char| !c.is_alphanumeric() && c != '_').any(|t| t == "test")
                || tokens.split('"').skip(1).step_by(2).any(is_test_feature);
        }
    }
    false
}

/// The attributes of an expression written as a statement (the kinds a `#[cfg]` is put on).
fn statement_attrs(expr: &Expr) -> &[syn::Attribute] {
    match expr {
        Expr::If(e) => &e.attrs,
        Expr::Block(e) => &e.attrs,
        Expr::Match(e) => &e.attrs,
        Expr::ForLoop(e) => &e.attrs,
        Expr::While(e) => &e.attrs,
        Expr::Loop(e) => &e.attrs,
        Expr::Unsafe(e) => &e.attrs,
        Expr::Call(e) => &e.attrs,
        Expr::MethodCall(e) => &e.attrs,
        Expr::Assign(e) => &e.attrs,
        Expr::Macro(e) => &e.attrs,
        _ => &[],
    }
}

/// A Cargo feature that only tests turn on, by its words (`test-utils`, `e2e_tests`, `mocks`).
fn is_test_feature(feature: &str) -> bool {
    feature.split(['-', '_']).any(|word| matches!(word, "test" | "tests" | "testing" | "testutils" | "e2e" | "mock" | "mocks" | "fixtures"))
}

/// A route attribute of the models (`[[routes]]`: actix-web's and Rocket's `#[get("/users")]`,
/// `#[actix_web::post("/x")]`): its HTTP method, in capitals, and the route it names.
pub(crate) fn route_attribute(attr: &syn::Attribute, knowledge: &Knowledge) -> Option<(String, Option<String>)> {
    let name = attr.path().segments.last()?.ident.to_string();
    let name = knowledge.decorator_registers(Language::Rust, &name)?;
    let route = match &attr.meta {
        syn::Meta::List(list) => list.parse_args_with(Punctuated::<Expr, syn::Token![,]>::parse_terminated).ok().and_then(|args| {
            args.first().and_then(|first| match first {
                Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. }) => Some(s.value()),
                _ => None,
            })
        }),
        _ => None,
    };
    Some((name, route))
}

/// A parameter whose type is a request extractor distinctive enough to mark a handler
/// (`Json(body): Json<NewUser>`, `q: web::Query<Q>`), as the models say (`marks-handlers`).
fn request_param(input: &syn::FnArg, knowledge: &Knowledge) -> Option<RequestParam> {
    let syn::FnArg::Typed(typed) = input else { return None };
    let syn::Type::Path(type_path) = &*typed.ty else { return None };
    let last = type_path.path.segments.last()?;
    let extractor = last.ident.to_string();
    // `Json<dto::NewUser>` → `NewUser`: the type the request is deserialised into.
    let payload = match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => args.args.iter().find_map(|arg| match arg {
            syn::GenericArgument::Type(syn::Type::Path(inner)) => inner.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        }),
        _ => None,
    };
    knowledge.marks_handler(&extractor).then(|| RequestParam {
        pattern: quote::ToTokens::to_token_stream(&typed.pat).to_string().replace(' ', ""),
        extractor,
        payload,
    })
}
