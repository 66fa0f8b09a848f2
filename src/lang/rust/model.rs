//! The semantic model of one Rust file: what `use` brings into scope (so `Http::new()` is known
//! to be `reqwest::Client::new` after `use reqwest::Client as Http`), constant string and bool
//! values of `const`/`static` items and immutable `let`s, how builder variables are configured,
//! and which functions are request handlers with which extractors.

use crate::models::{CallParts, Knowledge, Language, QueryRole, Sink, SinkKind};
use std::collections::{HashMap, HashSet};
use syn::{Expr, Lit};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framework {
    Axum,
    ActixWeb,
    Rocket,
    /// poem `#[handler]` functions and poem-openapi `#[oai]` operations.
    Poem,
    /// Methods of a tonic service trait implementation.
    Tonic,
    /// async-graphql `#[Object]` and juniper `#[graphql_object]` resolvers: every argument but
    /// the context is the client's.
    Graphql,
    /// lambda_http / lambda_runtime functions given to `service_fn`.
    Lambda,
    /// hyper services: functions given to `service_fn`.
    Hyper,
}

impl Framework {
    /// The framework's name in the models (`framework = "actix-web"`).
    pub fn model_name(self) -> &'static str {
        match self {
            Framework::Axum => "axum",
            Framework::ActixWeb => "actix-web",
            Framework::Rocket => "rocket",
            Framework::Poem => "poem",
            Framework::Tonic => "tonic",
            Framework::Graphql => "graphql",
            Framework::Lambda => "lambda",
            Framework::Hyper => "hyper",
        }
    }
}

#[derive(Debug, Clone)]
pub struct RequestParam {
    /// The parameter pattern as written (`Json(body)`, `q`).
    pub pattern: String,
    /// The extractor type's last segment (`Json`, `Query`, `Path`, `Form`, `HeaderMap`, ...).
    pub extractor: String,
    /// The type the extractor deserialises into, by its last segment (`NewUser` in `Json<NewUser>`).
    pub payload: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RustHandler {
    pub name: String,
    /// The handler function's body (what [`Site::fn_id`](super::Site) holds for nodes in it).
    pub fn_id: FnId,
    pub framework: Framework,
    pub route: Option<String>,
    pub request_params: Vec<RequestParam>,
}

/// A function-local variable: how it was initialised and what methods were called on it
/// (`let mut b = Client::builder(); b = b.timeout(t);` records `timeout` for `b`).
#[derive(Debug, Default, Clone)]
pub struct LocalVar<'a> {
    pub init: Option<&'a Expr>,
    pub mutable: bool,
    pub methods: Vec<String>,
    /// The method calls on the variable, in statements of their own too (`cmd.arg("-c");`),
    /// in source order of their chains' outermost call.
    pub calls: Vec<&'a syn::ExprMethodCall>,
    /// Where the `let` statement ends: the binding is visible from here on, so in
    /// `let b = b.build();` the `b` in the initialiser is the previous binding (shadowing).
    pub visible_from: SourcePoint,
    /// The declared type, when the `let` has one (`let id: i64 = ...`).
    pub ty: Option<&'a syn::Type>,
    /// The `let` statement itself (its span is a step of a data flow through the binding).
    pub decl: Option<&'a syn::Local>,
}

/// Whether a resolved path is `name` or ends with it after a `::` (`std::fs::read` names
/// `fs::read`). Used for every call by several rules: no string is built.
pub fn path_names(path: &str, name: &str) -> bool {
    path == name || path.strip_suffix(name).is_some_and(|head| head.ends_with("::"))
}

/// A (1-based line, 0-based char column) position in the file, as proc-macro2 reports it.
pub type SourcePoint = (usize, usize);

pub fn start_point(spanned: &impl syn::spanned::Spanned) -> SourcePoint {
    let start = spanned.span().start();
    (start.line, start.column)
}

pub fn end_point(spanned: &impl syn::spanned::Spanned) -> SourcePoint {
    let end = spanned.span().end();
    (end.line, end.column)
}

/// Identifies a function body: the byte offset where the function starts.
pub type FnId = usize;

#[derive(Default)]
pub struct RustModel<'a> {
    /// What archlint knows of frameworks and libraries, and what the configuration adds (the
    /// built-in models when not set).
    pub(super) knowledge: Option<&'a Knowledge>,
    /// Every `use` path of the file, for model entries bound to a module.
    use_paths: std::cell::OnceCell<Vec<String>>,
    /// Calls as the models see them, by the address of their syntax node: several rules ask
    /// about every call. The key is the node's address and where it starts: a rule may ask about
    /// a copy of a node, whose address another copy can reuse later, but not at the same place.
    call_parts: std::cell::RefCell<foldhash::HashMap<(usize, SourcePoint), std::rc::Rc<CallParts>>>,
    /// Modules declared in this file for tests only (`#[cfg(test)] mod testutils;`), as paths
    /// below the file's module directory (`testutils`, `inner/fixtures`): their files are test code.
    pub test_modules: Vec<String>,
    /// Local name → full path (`Http` → `reqwest::Client`).
    pub(super) uses: HashMap<String, String>,
    /// The first segments of the paths the file calls through (`diesel` in `diesel::update(..)`):
    /// crates it uses by their full path, which count as imported for module-bound entries.
    pub(super) path_roots: HashSet<String>,
    pub(super) const_strings: HashMap<String, String>,
    pub(super) const_bools: HashMap<String, bool>,
    /// Every `let` of a name in a function, in source order (later ones shadow earlier ones).
    pub(super) locals: HashMap<(FnId, String), Vec<LocalVar<'a>>>,
    /// Functions named as route targets (`get(list_users)`, `.to(create)`).
    pub(super) routed_fns: HashSet<String>,
    /// Functions given to `service_fn` (hyper, lambda_http, tower).
    pub(super) service_fns: HashSet<String>,
    pub(super) handlers: Vec<RustHandler>,
    /// Names of the functions each function calls by name (free functions, `Self::f`, `self.f()`).
    pub(super) calls: HashMap<FnId, Vec<String>>,
    /// Every function of the file by its body id.
    pub(super) fn_names: Vec<(FnId, String)>,
    /// Functions other code can call by path, by body id: their path inside the file's module
    /// (`build`, `inner::build`, `Repo::by_tag`).
    pub(super) fn_paths: HashMap<FnId, String>,
    /// Modules, structs, enums and `impl` types the file declares, by name.
    pub(super) declared: HashSet<String>,
    /// What the taint view needs beyond the above: signatures, pattern bindings, mutations, types.
    pub(super) taint: super::taint::TaintFacts<'a>,
}

impl<'a> RustModel<'a> {
    /// The full path a `use` declaration gives a name (`notes` → `crate::repo::notes`).
    pub fn use_target(&self, name: &str) -> Option<&str> {
        self.uses.get(name).map(String::as_str)
    }

    /// Whether the file declares a module, struct, enum or `impl` block of this name.
    pub fn declares(&self, name: &str) -> bool {
        self.declared.contains(name)
    }

    /// Whether the file declares a function of this name (at any level).
    pub fn declares_fn(&self, name: &str) -> bool {
        self.fn_names.iter().any(|(_, n)| n == name)
    }

    /// The path of a function inside the file's module (`Repo::by_tag`), if other code can name it.
    pub fn fn_path(&self, fn_id: FnId) -> Option<&str> {
        self.fn_paths.get(&fn_id).map(String::as_str)
    }

    /// An empty model that will ask `knowledge` (the built-in models when `None`).
    pub(super) fn with_knowledge(knowledge: Option<&'a Knowledge>) -> Self {
        RustModel { knowledge, ..RustModel::default() }
    }

    /// The models in force.
    pub fn knowledge(&self) -> &Knowledge {
        self.knowledge.unwrap_or_else(|| Knowledge::builtin())
    }

    /// Every `use` path of the file (`reqwest::Client`) and every crate it calls by full path
    /// (`diesel`), for module-bound model entries.
    pub fn use_paths(&self) -> &[String] {
        self.use_paths.get_or_init(|| {
            let mut paths: Vec<String> = self.uses.values().map(|p| p.trim_start_matches("::").to_string()).collect();
            paths.extend(self.path_roots.iter().cloned());
            paths.sort();
            paths
        })
    }

    /// A path call (`sqlx::query(..)`, `Store::run_sql(..)`) as the models see it.
    pub fn call_parts(&self, call: &syn::ExprCall) -> std::rc::Rc<CallParts> {
        // The opening parenthesis' position: `start_point(call)` would print the whole call again.
        let open = call.paren_token.span.open().start();
        let key = (call as *const syn::ExprCall as usize, (open.line, open.column));
        self.cached_parts(key, || self.call_path(call).map(|path| self.path_parts(path)).unwrap_or_default())
    }

    fn cached_parts(&self, key: (usize, SourcePoint), describe: impl FnOnce() -> CallParts) -> std::rc::Rc<CallParts> {
        if let Some(known) = self.call_parts.borrow().get(&key) {
            return known.clone();
        }
        let parts = std::rc::Rc::new(describe());
        self.call_parts.borrow_mut().insert(key, parts.clone());
        parts
    }

    /// A resolved path as the models see it; nothing when no entry can match its last segment
    /// (most calls: the check costs a hash lookup instead of a description).
    pub fn path_parts(&self, path: String) -> CallParts {
        let last = path.rsplit("::").next().unwrap_or("");
        if !self.knowledge().may_match(Language::Rust, last) {
            return CallParts::default();
        }
        CallParts { segments: path.split("::").map(str::to_string).collect(), module: Some(path), ..CallParts::default() }
    }

    /// A method call (`client.get(url)`, `store.run_sql(q)`) as the models see it: the method,
    /// and what its receiver is named or declared as.
    pub fn method_call_parts(&self, call: &syn::ExprMethodCall, fn_id: Option<FnId>) -> std::rc::Rc<CallParts> {
        let key = (call as *const syn::ExprMethodCall as usize, start_point(&call.method));
        self.cached_parts(key, || self.describe_method_call(call, fn_id))
    }

    fn describe_method_call(&self, call: &syn::ExprMethodCall, fn_id: Option<FnId>) -> CallParts {
        let method = call.method.to_string();
        if !self.knowledge().may_match(Language::Rust, &method) {
            return CallParts::default();
        }
        let mut receiver = self.receiver_names(&call.receiver, fn_id);
        // A declared type written with its crate (`State<reqwest::Client>`) says where it comes
        // from; not after a chain of methods, whose result may be another crate's type
        // (`ApiToken::belonging_to(..).select(..)` is a diesel query).
        let through_chain = !method_chain(&call.receiver).1.is_empty();
        let module = receiver.iter().find(|name| name.contains("::") && !through_chain).cloned();
        for name in receiver.iter_mut() {
            if let Some((_, last)) = name.rsplit_once("::") {
                *name = last.to_string();
            }
        }
        CallParts { segments: vec![method.clone()], method: Some(method), receiver, module, ..CallParts::default() }
    }

    /// What a receiver is named and declared as: `self.client` → `client`; `let c: Client` → `c`,
    /// `Client`; `Client::new()` (also held in a local) → `Client`; `QueryBuilder::new(..)` in a
    /// builder chain → `QueryBuilder`.
    pub fn receiver_names(&self, receiver: &Expr, fn_id: Option<FnId>) -> Vec<String> {
        let mut names = Vec::new();
        let mut current = method_chain(receiver).0;
        for _ in 0..4 {
            match current {
                Expr::Reference(r) => current = method_chain(&r.expr).0,
                Expr::Field(field) => {
                    if let syn::Member::Named(name) = &field.member {
                        names.push(name.to_string());
                    }
                    break;
                }
                Expr::Path(path) => {
                    let Some(name) = single_ident(&path.path) else { break };
                    names.push(name.clone());
                    let Some(local) = self.local_of(fn_id, path) else {
                        names.extend(self.taint.parameter_type(fn_id, &name));
                        break;
                    };
                    names.extend(local.ty.and_then(type_path));
                    match local.init {
                        Some(init) => current = method_chain(init).0,
                        None => break,
                    }
                }
                Expr::Call(call) => {
                    // `Client::new()`, `reqwest::Client::builder()`: the type owning the constructor,
                    // with the path it resolves to when it has one (`argon2::Argon2::default()`,
                    // `Client::new()` after `use reqwest::Client`), which says where it comes from.
                    if let Expr::Path(path) = &*call.func {
                        if path.path.segments.len() >= 2 {
                            let resolved = self.resolve_path(&path.path);
                            if let Some((owner, _)) = resolved.rsplit_once("::") {
                                names.push(owner.to_string());
                            }
                        }
                    }
                    break;
                }
                _ => break,
            }
        }
        names
    }

    /// The HTTP client entries a path call is (`reqwest::Client::new()`, `Client::builder()`).
    pub fn clients(&self, call: &syn::ExprCall) -> Vec<&crate::models::Client> {
        let parts = self.call_parts(call);
        self.knowledge().clients(Language::Rust, &parts.name(self.use_paths()))
    }

    /// The model entry that says this call (a path call or a method call) hashes a password or
    /// derives a key.
    pub fn kdf(&self, call: &CallParts) -> Option<&crate::models::Kdf> {
        self.knowledge().kdf(Language::Rust, &call.name(self.use_paths()))
    }

    /// The model entry that says this path call renders a GraphQL IDE page (or makes a server).
    pub fn graphql(&self, call: &CallParts) -> Option<&crate::models::Graphql> {
        self.knowledge().graphql(Language::Rust, &call.name(self.use_paths()))
    }

    /// The model entry that says this path call makes an in-process cache.
    pub fn cache(&self, call: &CallParts) -> Option<&crate::models::Cache> {
        self.knowledge().cache(Language::Rust, &call.name(self.use_paths()))
    }

    /// The model entry that says this call (a path call or a method call) bounds a server's
    /// request time, or switches it off.
    pub fn request_timeout(&self, call: &CallParts) -> Option<&crate::models::RequestTimeout> {
        self.knowledge().request_timeout(Language::Rust, &call.name(self.use_paths()))
    }

    /// The model entry that says this call (a path call or a method call) builds, removes or
    /// switches the flags of a cookie.
    pub fn cookie(&self, call: &CallParts) -> Option<&crate::models::Cookie> {
        self.knowledge().cookie(Language::Rust, &call.name(self.use_paths()))
    }

    /// The model entry that says a path (a layer's constructor `HttpAuthentication::bearer`, a
    /// middleware macro `login_required`, `from_fn`) authenticates requests, only looks as if it
    /// did, or hands a middleware on.
    pub fn guard(&self, path: &syn::Path) -> Option<&crate::models::Guard> {
        let parts = self.path_parts(self.resolve_path(path));
        self.knowledge().guard(Language::Rust, &parts.name(self.use_paths()))
    }

    /// What the models' `[[routes]]` say a Rust function (`post(create)`, `web::resource(..)`) or,
    /// with `method_call`, a method (`.route(..)`, `.layer(..)`) of this name does for routing.
    pub fn routing(&self, name: &str, method_call: bool) -> crate::models::Routing<'_> {
        routing_of(self.knowledge(), name, method_call)
    }

    /// What a handler parameter's type (by its path: `BearerAuth`, `Extension`) says about the
    /// caller, as the models say.
    pub fn guard_type(&self, path: &syn::Path) -> Option<crate::models::GuardRole> {
        self.knowledge().guard_type(&self.resolve_path(path))
    }

    /// The model entry that says this call (a path call or a method call) sets a request body limit.
    pub fn body_limit(&self, call: &CallParts) -> Option<&crate::models::BodyLimit> {
        self.knowledge().body_limit(Language::Rust, &call.name(self.use_paths()))
    }

    /// The model entry that says this path call starts serving HTTP (`axum::serve`).
    pub fn server(&self, call: &CallParts) -> Option<&crate::models::Server> {
        self.knowledge().server(Language::Rust, &call.name(self.use_paths()))
    }

    /// The JWT library entries this call (a path call or a method call) is.
    pub fn tokens(&self, call: &CallParts) -> Vec<&crate::models::Token> {
        self.knowledge().tokens(Language::Rust, &call.name(self.use_paths()))
    }

    /// The model entries that say this call takes secret key material.
    pub fn keys(&self, call: &CallParts) -> Vec<&crate::models::Key> {
        self.knowledge().keys(Language::Rust, &call.name(self.use_paths()))
    }

    /// The model entry that says this call (a path call or a method call) blocks its thread.
    pub fn blocking(&self, call: &CallParts) -> Option<&crate::models::Blocking> {
        self.knowledge().blocking(Language::Rust, &call.name(self.use_paths()))
    }

    /// Whether the models say this call (a path call or a method call) writes a log line.
    pub fn logs(&self, call: &CallParts) -> bool {
        self.knowledge().logs(Language::Rust, &call.name(self.use_paths()))
    }

    /// The connection entries this call (a path call or a method call) is: it opens a
    /// connection, pool or client.
    pub fn connections(&self, call: &CallParts) -> Vec<&crate::models::Connection> {
        self.knowledge().connections(Language::Rust, &call.name(self.use_paths()))
    }

    /// The query entries this call (a method call, `fetch_all`, `load`) is.
    pub fn queries(&self, call: &CallParts) -> Vec<&crate::models::Query> {
        self.knowledge().queries(Language::Rust, &call.name(self.use_paths()))
    }

    /// The first method call in `expr` (outermost first) that the models say is a query in one of
    /// `roles`: `fetch_all` in `let rows = q.fetch_all(&pool).await?`.
    pub fn query_call_in<'e>(&self, expr: &'e Expr, fn_id: Option<FnId>, roles: &[QueryRole]) -> Option<&'e syn::ExprMethodCall> {
        self.find_query_call(fn_id, roles, |finder| syn::visit::Visit::visit_expr(finder, expr))
    }

    /// [`Self::query_call_in`] for a block (a loop's body).
    pub fn query_call_in_block<'e>(
        &self,
        block: &'e syn::Block,
        fn_id: Option<FnId>,
        roles: &[QueryRole],
    ) -> Option<&'e syn::ExprMethodCall> {
        self.find_query_call(fn_id, roles, |finder| syn::visit::Visit::visit_block(finder, block))
    }

    fn find_query_call<'e>(
        &self,
        fn_id: Option<FnId>,
        roles: &[QueryRole],
        walk: impl FnOnce(&mut dyn syn::visit::Visit<'e>),
    ) -> Option<&'e syn::ExprMethodCall> {
        struct Finder<'m, 'a, 'e> {
            model: &'m RustModel<'a>,
            fn_id: Option<FnId>,
            roles: &'m [QueryRole],
            found: Option<&'e syn::ExprMethodCall>,
        }
        impl<'e> syn::visit::Visit<'e> for Finder<'_, '_, 'e> {
            fn visit_expr_method_call(&mut self, call: &'e syn::ExprMethodCall) {
                if self.found.is_some() {
                    return;
                }
                let parts = self.model.method_call_parts(call, self.fn_id);
                if self.model.queries(&parts).iter().any(|q| self.roles.contains(&q.role)) {
                    self.found = Some(call);
                    return;
                }
                syn::visit::visit_expr_method_call(self, call);
            }
        }
        let mut finder = Finder { model: self, fn_id, roles, found: None };
        walk(&mut finder);
        finder.found
    }

    /// The model entries that make this call (a path call or a method call) a sink of `kind`.
    pub fn sinks(&self, call: &CallParts, kind: SinkKind) -> Vec<&Sink> {
        self.knowledge().sinks(Language::Rust, &call.name(self.use_paths()), kind)
    }

    /// The full path a path expression refers to, with the first segment resolved through `use`
    /// and generic arguments dropped: `Hmac::<Sha256>::new_from_slice` → `hmac::Hmac::new_from_slice`.
    pub fn resolve_path(&self, path: &syn::Path) -> String {
        use std::fmt::Write;
        // Called for every call in a file, by the model and by many rules: the segments are
        // written into one string instead of becoming a string each.
        let mut segments = path.segments.iter().map(|s| &s.ident);
        let Some(first) = segments.next() else { return String::new() };
        let first = first.to_string();
        let mut full = match first.as_str() {
            "crate" | "self" | "super" => segments.next().map(ToString::to_string).unwrap_or_default(),
            _ => match self.uses.get(&first) {
                Some(used) => used.trim_start_matches("::").to_string(),
                None => first,
            },
        };
        for segment in segments {
            let _ = write!(full, "::{segment}");
        }
        full
    }

    /// The resolved path of a call's function, if it is a path (`reqwest::Client::new(..)`).
    pub fn call_path(&self, call: &syn::ExprCall) -> Option<String> {
        match &*call.func {
            Expr::Path(p) => Some(self.resolve_path(&p.path)),
            _ => None,
        }
    }

    /// The binding of `name` that is in scope at `at` (the latest `let` that ended before it).
    pub fn local(&self, fn_id: Option<FnId>, name: &str, at: SourcePoint) -> Option<&LocalVar<'a>> {
        self.locals.get(&(fn_id?, name.to_string()))?.iter().rev().find(|local| local.visible_from <= at)
    }

    /// The local variable a call initialises (`let client = Client::new();`).
    pub fn local_holding(&self, fn_id: Option<FnId>, call: &syn::ExprCall) -> Option<&LocalVar<'a>> {
        let fn_id = fn_id?;
        self.locals
            .iter()
            .filter(|((id, _), _)| *id == fn_id)
            .flat_map(|(_, locals)| locals)
            .find(|local| matches!(local.init, Some(Expr::Call(init)) if std::ptr::eq(init, call)))
    }

    /// The binding a path expression (`b` in `b.build()`) refers to.
    pub fn local_of(&self, fn_id: Option<FnId>, path: &syn::ExprPath) -> Option<&LocalVar<'a>> {
        self.local(fn_id, &single_ident(&path.path)?, start_point(path))
    }

    pub(super) fn local_mut(&mut self, fn_id: FnId, name: String, at: SourcePoint) -> Option<&mut LocalVar<'a>> {
        self.locals.get_mut(&(fn_id, name))?.iter_mut().rev().find(|local| local.visible_from <= at)
    }

    /// The constant string an expression evaluates to: literals, `const`/`static` items and
    /// immutable `let`s holding one, and `to_string`/`String::from`/`into`/`as_str`/`&` around them.
    pub fn string_value(&self, expr: &Expr, fn_id: Option<FnId>) -> Option<String> {
        self.string_value_at(expr, fn_id, 0)
    }

    fn string_value_at(&self, expr: &Expr, fn_id: Option<FnId>, depth: usize) -> Option<String> {
        if depth > 8 {
            return None;
        }
        match expr {
            Expr::Lit(lit) => match &lit.lit {
                Lit::Str(s) => Some(s.value()),
                Lit::ByteStr(s) => String::from_utf8(s.value()).ok(),
                _ => None,
            },
            Expr::Paren(inner) => self.string_value_at(&inner.expr, fn_id, depth + 1),
            Expr::Group(inner) => self.string_value_at(&inner.expr, fn_id, depth + 1),
            Expr::Reference(inner) => self.string_value_at(&inner.expr, fn_id, depth + 1),
            Expr::MethodCall(call) if call.args.is_empty() && is_string_conversion(&call.method.to_string()) => {
                self.string_value_at(&call.receiver, fn_id, depth + 1)
            }
            Expr::Call(call) if call.args.len() == 1 => {
                let path = self.call_path(call)?;
                if path.ends_with("String::from") || path.ends_with("to_owned") || path.ends_with("as_bytes") {
                    self.string_value_at(&call.args[0], fn_id, depth + 1)
                } else {
                    None
                }
            }
            Expr::Path(p) => {
                if let Some(local) = self.local_of(fn_id, p) {
                    return if local.mutable { None } else { self.string_value_at(local.init?, fn_id, depth + 1) };
                }
                self.const_strings.get(&single_ident(&p.path)?).cloned()
            }
            _ => None,
        }
    }

    /// `true`/`false` literals, `const` bools and immutable `let`s holding one.
    pub fn bool_value(&self, expr: &Expr, fn_id: Option<FnId>) -> Option<bool> {
        self.bool_value_at(expr, fn_id, 0)
    }

    fn bool_value_at(&self, expr: &Expr, fn_id: Option<FnId>, depth: usize) -> Option<bool> {
        if depth > 8 {
            return None;
        }
        match expr {
            Expr::Lit(lit) => match &lit.lit {
                Lit::Bool(b) => Some(b.value),
                _ => None,
            },
            Expr::Paren(inner) => self.bool_value_at(&inner.expr, fn_id, depth + 1),
            Expr::Path(p) => {
                if let Some(local) = self.local_of(fn_id, p) {
                    return if local.mutable { None } else { self.bool_value_at(local.init?, fn_id, depth + 1) };
                }
                self.const_bools.get(&single_ident(&p.path)?).copied()
            }
            _ => None,
        }
    }

    pub fn handlers(&self) -> &[RustHandler] {
        &self.handlers
    }

    pub fn handler(&self, fn_name: &str) -> Option<&RustHandler> {
        self.handlers.iter().find(|h| h.name == fn_name)
    }

    /// The handler a function serves: the handler itself, or a handler that calls it by name
    /// directly or through other functions of this file.
    pub fn serving_handler(&self, fn_id: Option<FnId>, fn_name: Option<&str>) -> Option<&RustHandler> {
        let fn_id = fn_id?;
        if let Some(handler) = self.handlers.iter().find(|h| h.fn_id == fn_id) {
            return Some(handler);
        }
        let name = fn_name?;
        // Breadth-first over call edges from every handler, a few levels deep.
        self.handlers.iter().find(|handler| {
            let mut frontier: Vec<FnId> = vec![handler.fn_id];
            let mut seen: HashSet<String> = HashSet::new();
            for _ in 0..4 {
                let mut next = Vec::new();
                for id in frontier {
                    for callee in self.calls.get(&id).into_iter().flatten() {
                        if callee == name {
                            return true;
                        }
                        if seen.insert(callee.clone()) {
                            next.extend(self.fn_ids_named(callee));
                        }
                    }
                }
                frontier = next;
            }
            false
        })
    }

    fn fn_ids_named(&self, name: &str) -> Vec<FnId> {
        self.fn_names.iter().filter(|(_, n)| n == name).map(|(id, _)| *id).collect()
    }

    /// Whether a `use` brings in an item with one of these names (under any alias).
    pub fn imports_path_ending_with(&self, names: &[&str]) -> bool {
        self.uses.values().any(|path| names.iter().any(|name| path.rsplit("::").next() == Some(*name)))
    }

    /// Whether the file imports everything of some module (`use prelude::*`): names it uses may
    /// come from any crate that module re-exports.
    pub fn has_glob_import(&self) -> bool {
        self.uses.keys().any(|key| key.starts_with('*'))
    }

    /// Whether the file uses a JWT library the models know (its `[[tokens]]` entries' crate),
    /// by `use` or by a path written in full.
    pub fn uses_token_crate(&self) -> bool {
        self.use_paths().iter().any(|path| self.knowledge().is_token_module(Language::Rust, path))
    }

    pub fn imports_crate(&self, krate: &str) -> bool {
        // Called for every function by some rules: no allocation per `use`.
        self.uses.values().any(|path| path.strip_prefix(krate).is_some_and(|rest| rest.is_empty() || rest.starts_with("::")))
    }
}

fn is_string_conversion(method: &str) -> bool {
    matches!(method, "to_string" | "to_owned" | "into" | "as_str" | "as_bytes" | "clone" | "as_ref")
}

/// The path of a type as written, through references and wrappers: `&Arc<Store>` → `Store`,
/// `State<reqwest::Client>` → `reqwest::Client`.
pub fn type_path(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Reference(r) => type_path(&r.elem),
        syn::Type::Paren(p) => type_path(&p.elem),
        syn::Type::Path(path) => {
            let last = path.path.segments.last()?;
            let name = last.ident.to_string();
            let inner = match &last.arguments {
                syn::PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
                    syn::GenericArgument::Type(t) => Some(t),
                    _ => None,
                }),
                _ => None,
            };
            match (name.as_str(), inner) {
                ("Arc" | "Rc" | "Box" | "State" | "Data" | "Extension" | "Option" | "Mutex" | "RwLock", Some(inner)) => type_path(inner),
                _ => Some(path.path.segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>().join("::")),
            }
        }
        _ => None,
    }
}

pub fn single_ident(path: &syn::Path) -> Option<String> {
    path.get_ident().map(|ident| ident.to_string())
}

/// A method-call chain from its root outwards: `Client::builder().timeout(t).build()` →
/// (`Client::builder()`, [`timeout`, `build`]).
pub fn method_chain(expr: &Expr) -> (&Expr, Vec<&syn::ExprMethodCall>) {
    let mut calls = Vec::new();
    let mut current = expr;
    loop {
        match current {
            Expr::MethodCall(call) => {
                calls.push(call);
                current = &call.receiver;
            }
            Expr::Try(t) => current = &t.expr,
            Expr::Await(a) => current = &a.base,
            Expr::Paren(p) => current = &p.expr,
            _ => break,
        }
    }
    calls.reverse();
    (current, calls)
}

pub(super) fn record_use_tree(uses: &mut HashMap<String, String>, prefix: String, tree: &syn::UseTree) {
    let join = |name: &str| if prefix.is_empty() { name.to_string() } else { format!("{prefix}::{name}") };
    match tree {
        syn::UseTree::Path(path) => record_use_tree(uses, join(&path.ident.to_string()), &path.tree),
        syn::UseTree::Name(name) => {
            let name = name.ident.to_string();
            if name == "self" {
                if let Some(last) = prefix.rsplit("::").next() {
                    uses.insert(last.to_string(), prefix.clone());
                }
            } else {
                uses.insert(name.clone(), join(&name));
            }
        }
        syn::UseTree::Rename(rename) => {
            let target = rename.ident.to_string();
            let target = if target == "self" { prefix.clone() } else { join(&target) };
            uses.insert(rename.rename.to_string(), target);
        }
        syn::UseTree::Group(group) => {
            for item in &group.items {
                record_use_tree(uses, prefix.clone(), item);
            }
        }
        // `use poem::*`, `use crate::prelude::*`: kept under a key no name can be, so that
        // `imports_crate` sees the crate and `has_glob_import` the glob.
        syn::UseTree::Glob(_) => {
            uses.insert(format!("*{prefix}"), prefix);
        }
    }
}

pub(super) fn record_const(model: &mut RustModel<'_>, name: &syn::Ident, expr: &Expr) {
    if let Some(value) = model.string_value(expr, None) {
        model.const_strings.insert(name.to_string(), value);
    } else if let Some(value) = model.bool_value(expr, None) {
        model.const_bools.insert(name.to_string(), value);
    }
}

/// What the models' `[[routes]]` say a Rust function or method of this name does for routing.
/// Rust route entries name functions by their last segment and are bound to no module, so the
/// name alone decides.
pub fn routing_of<'k>(knowledge: &'k Knowledge, name: &str, method_call: bool) -> crate::models::Routing<'k> {
    // Asked of every method call of a file: most name no route entry.
    if !knowledge.names_rust_route(name) {
        return crate::models::Routing::default();
    }
    let segments = [name.to_string()];
    let call = crate::models::CallName {
        segments: &segments,
        qualified: None,
        method: method_call.then_some(name),
        receiver: &[],
        module: None,
        file_imports: &[],
        unimported_modules: false,
    };
    knowledge.routing(Language::Rust, &call)
}

/// Whether a call routes to the functions among its arguments: a routing function or method
/// (`get(list).post(create)`, `routing::get(show)`) or a route's `to` (`web::post().to(create)`).
fn routes_to_arguments(routing: &crate::models::Routing<'_>) -> bool {
    routing.http_method().is_some() || routing.hands_handler()
}

/// Collects function names used as route targets in a method router expression:
/// `get(list).post(create)`, `routing::get(show)`, `web::post().to(create)`.
pub(super) fn record_routed_fns(routed: &mut HashSet<String>, expr: &Expr, knowledge: &Knowledge) {
    match expr {
        Expr::Call(call) => {
            let name = match &*call.func {
                Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            };
            if name.is_some_and(|name| routes_to_arguments(&routing_of(knowledge, &name, false))) {
                for arg in &call.args {
                    record_target(routed, arg);
                }
            }
        }
        Expr::MethodCall(call) => {
            if routes_to_arguments(&routing_of(knowledge, &call.method.to_string(), true)) {
                for arg in &call.args {
                    record_target(routed, arg);
                }
            }
            record_routed_fns(routed, &call.receiver, knowledge);
        }
        Expr::Path(_) => record_target(routed, expr),
        _ => {}
    }
}

fn record_target(routed: &mut HashSet<String>, arg: &Expr) {
    if let Expr::Path(p) = arg {
        if let Some(last) = p.path.segments.last() {
            routed.insert(last.ident.to_string());
        }
    }
}

/// Decides which functions are request handlers once the whole file (and its routes) is seen.
pub(super) fn finish_handlers(model: &mut RustModel<'_>, fns: &[super::FnSeen<'_>]) {
    let framework = if model.imports_crate("axum") {
        Some(Framework::Axum)
    } else if model.imports_crate("actix_web") {
        Some(Framework::ActixWeb)
    } else if model.imports_crate("rocket") {
        Some(Framework::Rocket)
    } else {
        None
    };
    let service_framework = if model.imports_crate("lambda_http") || model.imports_crate("lambda_runtime") {
        Some(Framework::Lambda)
    } else if model.imports_crate("hyper") {
        Some(Framework::Hyper)
    } else {
        None
    };
    for f in fns {
        let (framework, route) = if let Some((_, route)) = &f.route_attribute {
            let framework = if model.imports_crate("rocket") { Framework::Rocket } else { Framework::ActixWeb };
            (framework, route.clone())
        } else if let Some(framework) = convention_framework(model, f) {
            (framework, None)
        } else if let (true, Some(framework)) = (model.service_fns.contains(&f.name), service_framework) {
            (framework, None)
        } else if model.routed_fns.contains(&f.name) || (f.is_async && !f.params.is_empty()) {
            match framework {
                Some(framework) => (framework, None),
                None => continue,
            }
        } else {
            continue;
        };
        model.handlers.push(RustHandler { name: f.name.clone(), fn_id: f.fn_id, framework, route, request_params: f.params.clone() });
    }
}

/// The frameworks that mark their handlers where they are written: poem's `#[handler]` and
/// poem-openapi's `#[oai]`, GraphQL resolver `impl` blocks, tonic service implementations.
/// Asked of every function of a file: attributes are compared by their last segment, nothing is
/// allocated.
fn convention_framework(model: &RustModel<'_>, f: &super::FnSeen<'_>) -> Option<Framework> {
    let named = |attrs: &[syn::Attribute], names: &[&str]| {
        attrs.iter().any(|a| a.path().segments.last().is_some_and(|s| names.iter().any(|n| s.ident == n)))
    };
    // poem's `#[handler]`, imported directly or through a glob of the project's own prelude
    // (`use prelude::*` re-exporting `poem::handler`); salvo's `#[handler]` is salvo's.
    let poem_handler = model.imports_crate("poem") || (model.has_glob_import() && !model.imports_crate("salvo"));
    if (named(f.attrs, &["handler"]) && poem_handler) || (named(f.attrs, &["oai"]) && model.imports_crate("poem_openapi")) {
        return Some(Framework::Poem);
    }
    let owner = f.owner?;
    let resolver_block = (named(&owner.attrs, &["Object", "ComplexObject", "Subscription"]) && model.imports_crate("async_graphql"))
        || (named(&owner.attrs, &["graphql_object", "graphql_subscription"]) && model.imports_crate("juniper"));
    if resolver_block {
        return Some(Framework::Graphql);
    }
    // A tonic service: a trait implementation whose methods take a `tonic::Request`.
    if owner.trait_.is_none() || !model.imports_crate("tonic") {
        return None;
    }
    let takes_request = f.sig.inputs.iter().any(|input| match input {
        syn::FnArg::Typed(typed) => match &*typed.ty {
            syn::Type::Path(path) => path.path.segments.last().is_some_and(|s| s.ident == "Request" || s.ident == "Streaming"),
            _ => false,
        },
        syn::FnArg::Receiver(_) => false,
    });
    takes_request.then_some(Framework::Tonic)
}

/// The Rust counterpart of the TypeScript model's `constant_prefix`: the literal start of a string expression,
/// through `&`, local bindings and `format!` (whose leading `{CONSTANT}` capture is resolved):
/// `format!("{BASE_URL}/users/{id}")` gives `https://…/users/`. `None` when it starts with
/// something unknown.
pub fn constant_prefix(expr: &syn::Expr, model: &RustModel<'_>, site: &super::Site, depth: usize) -> Option<String> {
    if depth > 6 {
        return None;
    }
    let text = match expr {
        syn::Expr::Reference(r) => return constant_prefix(&r.expr, model, site, depth + 1),
        syn::Expr::Path(path) => return constant_prefix(model.local_of(site.fn_id, path)?.init?, model, site, depth + 1),
        syn::Expr::Macro(m) => m.mac.tokens.to_string(),
        other => quote::ToTokens::to_token_stream(other).to_string(),
    };
    let literal = text.trim_start().trim_start_matches('&').trim_start().strip_prefix('"')?;
    let mut head = String::new();
    let mut rest = literal;
    if let Some(capture) = rest.strip_prefix('{') {
        let name = capture.split(['}', ':']).next().unwrap_or("");
        let value = syn::parse_str::<syn::Expr>(name).ok().and_then(|expr| model.string_value(&expr, site.fn_id))?;
        head.push_str(&value);
        rest = capture.split_once('}').map_or("", |(_, after)| after);
    }
    head.push_str(rest.split(['{', '"']).next().unwrap_or(""));
    Some(head)
}

#[cfg(test)]
mod tests {
    use super::path_names;

    #[test]
    fn paths_name_their_last_segments_only_whole() {
        assert!(path_names("std::fs::read", "fs::read"));
        assert!(path_names("fs::read", "fs::read"));
        assert!(path_names("tokio::fs::read", "read"));
        assert!(!path_names("myfs::read", "fs::read"), "a segment is matched whole");
        assert!(!path_names("fs::read_dir", "fs::read"));
    }
}
