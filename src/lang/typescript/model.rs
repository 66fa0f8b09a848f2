//! The semantic model of one TypeScript/JavaScript file: what names refer to (imports and
//! `require`s), what constant values local bindings hold, which member paths get assigned, and
//! which functions are request handlers. Built during the single traversal, queried by rules.

use crate::lang::typescript::FieldExt;
use crate::models::{CallName, CallParts, Knowledge, Language, RouteRole, Routing, Sink, SinkKind};
use crate::source::Span;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::cell::RefCell;
use tree_sitter::Node;

/// How deep identifier → value resolution may chain (`const a = b; const b = c; ...`).
const MAX_RESOLVE_DEPTH: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub module: String,
    /// `None` for a default, namespace or whole-module (`require`) import; the export name otherwise.
    pub export: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Binding<'t> {
    /// The function (or the whole program) the binding lives in.
    pub scope: Span,
    pub declared_at: usize,
    pub name_node: Node<'t>,
    pub value: Option<Node<'t>>,
    /// For a name bound by destructuring (`const { id } = req.params`), the destructured value.
    pub destructured_from: Option<Node<'t>>,
    /// Values later assigned to the binding (`x = v`, `x += v`), in source order.
    pub assigned: Vec<Node<'t>>,
    pub is_const: bool,
    pub reassigned: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framework {
    Express,
    Koa,
    Fastify,
    NestJs,
    Hono,
    /// Next.js app-router route handlers (`app/**/route.ts` exports named for HTTP methods).
    NextJs,
}

#[derive(Debug, Clone)]
pub struct Handler {
    pub framework: Framework,
    /// The whole handler function.
    pub span: Span,
    pub route: Option<String>,
    /// Names of the parameters that carry the request (`req`, `ctx`, `request`, NestJS `@Body() dto`).
    pub request_params: Vec<String>,
}

/// Result of looking a key up in an object literal.
#[derive(Debug, Clone, Copy)]
pub enum Property<'t> {
    Found(Node<'t>),
    Missing,
    /// Not found, but a spread (`...base`) may provide it.
    Unknown,
}

pub struct TsModel<'t> {
    pub src: &'t str,
    /// What archlint knows of frameworks and libraries, and what the configuration adds.
    pub knowledge: &'t Knowledge,
    /// Every import specifier of the file, for model entries bound to a module.
    import_specifiers: std::cell::OnceCell<Vec<String>>,
    /// [`TsModel::is_browser_code`]'s answer.
    browser_code: std::cell::OnceCell<bool>,
    /// [`TsModel::call_parts`]' answers, by node id.
    call_parts: RefCell<HashMap<usize, std::rc::Rc<CallParts>>>,
    imports: HashMap<String, Import>,
    bindings: HashMap<String, Vec<Binding<'t>>>,
    assigned_members: HashSet<String>,
    handlers: Vec<Handler>,
    /// Calls that may register routes, read by [`TsModel::register_routes`] once imports are known.
    route_calls: Vec<Node<'t>>,
    /// The file's path from the project root (Next.js reads conventions from it).
    pub(super) file_path: &'t str,
    /// The workspace packages the file's package depends on: their modules are the project's.
    pub(super) workspace_packages: &'t [String],
    /// Objects of handlers handed to a registering call (`server.addService(definition,
    /// implementation)`), with the request object role their methods take first.
    pub(super) handler_implementations: Vec<(Node<'t>, &'static str)>,
    /// [`TsModel::qualified_name`]'s answers, by node id.
    qualified_names: RefCell<HashMap<usize, Option<String>>>,
    /// The taint view's memos: the function and parameter an identifier names (node ids, by the
    /// identifier's node id), and where in a function a name is checked against a list (by the
    /// function's node id and the name: the checks' offsets).
    pub(super) enclosing_parameters: RefCell<HashMap<usize, Option<(usize, usize)>>>,
    /// Every name some function of the file takes as a parameter (destructured ones too).
    parameter_names: HashSet<&'t str>,
    pub(super) guards: RefCell<HashMap<(usize, String), ChecksAt>>,
}

/// Offsets of the checks of a name in a function, in source order.
pub(super) type ChecksAt = std::rc::Rc<[usize]>;

pub fn is_function_like(kind: &str) -> bool {
    matches!(
        kind,
        "function_declaration"
            | "function_expression"
            | "function"
            | "arrow_function"
            | "method_definition"
            | "generator_function_declaration"
            | "generator_function"
    )
}

/// The node kinds the model records, and what it records of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Recorded {
    Import,
    FunctionDeclaration,
    Declarator,
    Assignment,
    Update,
    Call,
    Method,
    /// A function's parameters (recorded for every function-like node, beside its own kind).
    Parameters,
}

impl Recorded {
    pub(super) fn of_kind(kind: &str) -> Option<Recorded> {
        Some(match kind {
            "import_statement" => Recorded::Import,
            "function_declaration" => Recorded::FunctionDeclaration,
            "variable_declarator" => Recorded::Declarator,
            "assignment_expression" | "augmented_assignment_expression" => Recorded::Assignment,
            "update_expression" => Recorded::Update,
            "call_expression" => Recorded::Call,
            "method_definition" => Recorded::Method,
            _ => return None,
        })
    }
}

pub fn span_of(node: Node<'_>) -> Span {
    Span::new(node.start_byte(), node.end_byte())
}

/// A package's export named whole after import resolution (`fastify`, `@apollo/server.ApolloServer`)
/// as the models see a call of it: the package is the name up to its first dot.
fn named_parts(qualified: &str) -> CallParts {
    let module = qualified.split('.').next().map(str::to_string);
    CallParts { qualified: Some(qualified.to_string()), module, ..CallParts::default() }
}

impl<'t> TsModel<'t> {
    pub fn new(src: &'t str, knowledge: &'t Knowledge) -> TsModel<'t> {
        TsModel {
            src,
            knowledge,
            import_specifiers: std::cell::OnceCell::new(),
            browser_code: std::cell::OnceCell::new(),
            call_parts: RefCell::default(),
            imports: HashMap::new(),
            bindings: HashMap::new(),
            assigned_members: HashSet::new(),
            handlers: Vec::new(),
            route_calls: Vec::new(),
            file_path: "",
            workspace_packages: &[],
            handler_implementations: Vec::new(),
            qualified_names: RefCell::default(),
            enclosing_parameters: RefCell::default(),
            parameter_names: HashSet::new(),
            guards: RefCell::default(),
        }
    }

    pub fn text(&self, node: Node<'_>) -> &'t str {
        self.src.get(node.byte_range()).unwrap_or("")
    }

    // ----- building (called by the traversal, once per node of interest) -----

    pub(super) fn record(&mut self, kind: Recorded, node: Node<'t>, scope: Span) {
        match kind {
            Recorded::Import => self.record_import(node),
            // `function name() {}` binds `name` to the function in the enclosing scope.
            Recorded::FunctionDeclaration => {
                if let Some(name) = node.field("name") {
                    self.add_binding(name, Some(node), None, true, scope);
                }
                self.record_next_route_handler(node);
            }
            Recorded::Declarator => self.record_declarator(node, scope),
            Recorded::Assignment => self.record_assignment(node),
            Recorded::Update => {
                if let Some(arg) = node.field("argument") {
                    self.mark_reassigned(arg);
                }
            }
            Recorded::Call => self.record_route_call(node),
            Recorded::Method => self.record_nest_handler(node),
            Recorded::Parameters => {
                let mut names = Vec::new();
                for parameter in function_parameters(node) {
                    bound_names(parameter, &mut names);
                }
                for name in names {
                    self.parameter_names.insert(self.text(name));
                }
            }
        }
    }

    fn record_import(&mut self, node: Node<'t>) {
        let Some(module) = node.field("source").and_then(|s| self.string_literal(s)) else { return };
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "import_clause" => self.record_import_clause(child, &module),
                // `import x = require("m")`
                "import_require_clause" => {
                    if let Some(name) = child.named_child(0) {
                        self.add_import(name, &module, None);
                    }
                }
                _ => {}
            }
        }
    }

    fn record_import_clause(&mut self, clause: Node<'t>, module: &str) {
        let mut cursor = clause.walk();
        for part in clause.named_children(&mut cursor) {
            match part.kind() {
                "identifier" => self.add_import(part, module, None),
                "namespace_import" => {
                    if let Some(name) = part.named_child(0) {
                        self.add_import(name, module, None);
                    }
                }
                "named_imports" => {
                    let mut inner = part.walk();
                    for spec in part.named_children(&mut inner) {
                        let Some(name) = spec.field("name") else { continue };
                        let local = spec.field("alias").unwrap_or(name);
                        let export = self.text(name).trim_matches(['"', '\'']).to_string();
                        let export = if export == "default" { None } else { Some(export) };
                        self.add_import(local, module, export);
                    }
                }
                _ => {}
            }
        }
    }

    fn add_import(&mut self, local: Node<'t>, module: &str, export: Option<String>) {
        self.imports.insert(self.text(local).to_string(), Import { module: module.to_string(), export });
    }

    fn record_declarator(&mut self, node: Node<'t>, scope: Span) {
        let (Some(name), value) = (node.field("name"), node.field("value")) else { return };
        // `export const GET = async (request) => ..` in a Next.js route file.
        if let Some(function) = value.filter(|v| is_function_like(v.kind())) {
            self.record_next_route_handler(function);
        }
        if let Some((module, export)) = value.and_then(|v| self.required_module(v)) {
            self.record_require(name, &module, export);
            return;
        }
        let is_const = node.parent().is_some_and(|decl| self.text(decl).starts_with("const"));
        match name.kind() {
            "identifier" => self.add_binding(name, value, None, is_const, scope),
            // Destructured names: the value of each is unknown, but where it comes from is known
            // (for the taint view), and the binding still shadows imports.
            _ => {
                for identifier in descendants(name).filter(|n| matches!(n.kind(), "identifier" | "shorthand_property_identifier_pattern")) {
                    // In `{ key: local }` only `local` is bound.
                    if identifier.parent().is_some_and(|p| p.kind() == "pair_pattern" && p.field("key") == Some(identifier)) {
                        continue;
                    }
                    self.add_binding(identifier, None, value, is_const, scope);
                }
            }
        }
    }

    fn add_binding(&mut self, name: Node<'t>, value: Option<Node<'t>>, destructured_from: Option<Node<'t>>, is_const: bool, scope: Span) {
        let binding = Binding {
            scope,
            declared_at: name.start_byte(),
            name_node: name,
            value,
            destructured_from,
            assigned: Vec::new(),
            is_const,
            reassigned: false,
        };
        self.bindings.entry(self.text(name).to_string()).or_default().push(binding);
    }

    /// `require("m")`, `require("m").x`, `await import("m")`: the module and the export taken.
    fn required_module(&self, value: Node<'t>) -> Option<(String, Option<String>)> {
        let value = self.unwrap_expression(value);
        match value.kind() {
            "call_expression" => {
                let callee = value.field("function")?;
                if !matches!(self.text(callee), "require" | "import") {
                    return None;
                }
                let first = value.field("arguments")?.named_child(0)?;
                Some((self.string_literal(first)?, None))
            }
            "member_expression" => {
                let (module, _) = self.required_module(value.field("object")?)?;
                let property = self.text(value.field("property")?);
                Some((module, (property != "default").then(|| property.to_string())))
            }
            _ => None,
        }
    }

    fn record_require(&mut self, name: Node<'t>, module: &str, export: Option<String>) {
        match name.kind() {
            "identifier" => self.add_import(name, module, export),
            "object_pattern" => {
                let mut cursor = name.walk();
                for prop in name.named_children(&mut cursor) {
                    match prop.kind() {
                        "shorthand_property_identifier_pattern" => self.add_import(prop, module, Some(self.text(prop).to_string())),
                        "pair_pattern" => {
                            let (Some(key), Some(local)) = (prop.field("key"), prop.field("value")) else {
                                continue;
                            };
                            if local.kind() == "identifier" {
                                self.add_import(local, module, Some(self.text(key).to_string()));
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    fn record_assignment(&mut self, node: Node<'t>) {
        let Some(left) = node.field("left") else { return };
        match left.kind() {
            "identifier" => {
                self.mark_reassigned(left);
                if let Some(right) = node.field("right") {
                    if let Some(binding) = self.innermost_binding_mut(left) {
                        binding.assigned.push(right);
                    }
                }
            }
            "member_expression" | "subscript_expression" => {
                if let Some(path) = self.member_path(left) {
                    self.assigned_members.insert(path);
                }
            }
            _ => {}
        }
    }

    fn mark_reassigned(&mut self, identifier: Node<'t>) {
        if let Some(binding) = self.innermost_binding_mut(identifier) {
            binding.reassigned = true;
        }
    }

    /// Bindings are recorded before their uses in source order; the innermost enclosing one wins.
    fn innermost_binding_mut(&mut self, identifier: Node<'t>) -> Option<&mut Binding<'t>> {
        let name = self.src.get(identifier.byte_range()).unwrap_or("");
        let offset = identifier.start_byte();
        self.bindings.get_mut(name)?.iter_mut().filter(|b| b.scope.contains(offset)).min_by_key(|b| b.scope.end - b.scope.start)
    }

    fn record_route_call(&mut self, call: Node<'t>) {
        let Some(callee) = call.field("function").filter(|c| c.kind() == "member_expression") else { return };
        let Some(method) = callee.field("property").map(|p| self.text(p)) else { return };
        if let Some(role) = self.knowledge.request_role_registered_by(method) {
            self.handler_implementations.extend(call.field("arguments").and_then(|a| a.named_child(1)).map(|object| (object, role)));
            return;
        }
        // Which methods register routes is the models' to say, and a model entry may be bound to
        // an import further down the file: read once every import is known.
        if self.knowledge.has_route_method(method) {
            self.route_calls.push(call);
        }
    }

    /// Adds the routes registered by calls (`app.get("/orders", handler)`, Fastify's
    /// `route({ url, handler })`) to the handler registry, as the models' `[[routes]]` say. Called
    /// once, when the traversal is done.
    pub(super) fn register_routes(&mut self) {
        for call in std::mem::take(&mut self.route_calls) {
            self.register_route(call);
        }
    }

    fn register_route(&mut self, call: Node<'t>) {
        let Some(callee) = call.field("function") else { return };
        let Some(method) = callee.field("property").map(|p| self.text(p)) else { return };
        let Some(args) = call.field("arguments") else { return };
        let arguments: Vec<Node<'t>> = named_children(args).collect();
        let routing = self.routing(method);
        let path_argument = routing.registered_path_argument();
        let path = path_argument.and_then(|index| arguments.get(index)).and_then(|path| self.string_value(*path));
        // `app.route("/orders").get(..)`: the path comes from the chain's start.
        let receiver_is_path = callee.field("object").is_some_and(|object| {
            object.kind() == "call_expression"
                && object.field("function").and_then(|f| f.field("property")).is_some_and(|p| self.routing(self.text(p)).starts_path())
        });
        let is_route =
            path_argument.is_some() && (receiver_is_path || path.as_deref().is_some_and(|p| p.starts_with('/') || p.starts_with('*')));
        if is_route {
            if let Some(function) = arguments.iter().rev().find(|a| is_function_like(a.kind())) {
                self.add_route_handler(*function, path);
            }
            return;
        }
        // Fastify's `fastify.route({ method, url, handler })`.
        let Some(route) = routing.options() else { return };
        let Some(options) = arguments.first().filter(|a| a.kind() == "object") else { return };
        let (Some(handler_key), Some(path_key)) = (&route.parameters.handler_option, &route.parameters.path_option) else { return };
        if let Property::Found(handler) = self.property(*options, handler_key) {
            if is_function_like(handler.kind()) {
                let url = match self.property(*options, path_key) {
                    Property::Found(url) => self.string_value(url),
                    _ => None,
                };
                self.add_route_handler(handler, url);
            }
        }
    }

    /// What the models' `[[routes]]` say a `receiver.method(..)` call does: registers a route
    /// (`get`), mounts middleware (`use`), starts a path's chain (`route`).
    pub fn routing(&self, method: &str) -> Routing<'t> {
        // Rules ask this of every method call: most name no route entry.
        if !self.knowledge.has_route_method(method) {
            return Routing::default();
        }
        let segments = [method.to_string()];
        let name = CallName {
            segments: &segments,
            qualified: None,
            method: Some(method),
            receiver: &[],
            module: None,
            file_imports: self.import_specifiers(),
            unimported_modules: false,
        };
        self.knowledge.routing(Language::Typescript, &name)
    }

    fn add_route_handler(&mut self, function: Node<'t>, route: Option<String>) {
        let params = parameter_names(self, function);
        let framework = match params.first().map(String::as_str) {
            Some("ctx" | "context") if params.len() <= 2 => Framework::Koa,
            _ if params.get(1).is_some_and(|p| p == "reply") || self.imports_module("fastify") => Framework::Fastify,
            _ if self.imports_module("hono") => Framework::Hono,
            _ if self.imports_module("koa") || self.imports_module("@koa/router") || self.imports_module("koa-router") => Framework::Koa,
            _ => Framework::Express,
        };
        let request_params = params.into_iter().take(1).collect();
        self.handlers.push(Handler { framework, span: span_of(function), route, request_params });
    }

    pub(super) fn add_handler(&mut self, handler: Handler) {
        self.handlers.push(handler);
    }

    fn record_nest_handler(&mut self, method: Node<'t>) {
        let route_decorator = preceding_decorators(method).find_map(|decorator| {
            let (name, args) = decorator_name(self, decorator)?;
            let registers = self.knowledge.route_decorator(Language::Typescript, name).is_some_and(|d| d.role == RouteRole::Method);
            registers.then(|| args.and_then(|a| a.named_child(0)).and_then(|a| self.string_value(a)))
        });
        let Some(route) = route_decorator else { return };
        // `@Controller() export class X` puts the decorator on the export statement, not the class.
        let class = method.parent().and_then(|body| body.parent());
        let export = class.and_then(|c| c.parent()).filter(|p| p.kind() == "export_statement");
        let in_controller = class.into_iter().chain(export).any(|holder| {
            children_by_field(holder, "decorator").any(|d| {
                decorator_name(self, d)
                    .and_then(|(name, _)| self.knowledge.route_decorator(Language::Typescript, name))
                    .is_some_and(|d| d.role == RouteRole::Controller)
            })
        });
        if !in_controller {
            return;
        }
        let mut request_params = Vec::new();
        if let Some(params) = method.field("parameters") {
            for param in named_children(params) {
                let is_request = children_by_field(param, "decorator").any(|d| {
                    decorator_name(self, d)
                        .is_some_and(|(name, _)| matches!(name, "Req" | "Request") || self.knowledge.is_data_decorator(name))
                });
                if let (true, Some(pattern)) = (is_request, param.field("pattern")) {
                    request_params.push(self.text(pattern).to_string());
                }
            }
        }
        self.handlers.push(Handler { framework: Framework::NestJs, span: span_of(method), route, request_params });
    }

    // ----- queries -----

    /// A call (`call_expression`, `new_expression`) as the models see it: its import-resolved
    /// name, its method and what its receiver is called. Computed once per call.
    pub fn call_parts(&self, call: Node<'_>) -> std::rc::Rc<CallParts> {
        if let Some(known) = self.call_parts.borrow().get(&call.id()) {
            return known.clone();
        }
        let parts = std::rc::Rc::new(self.describe_call(call));
        self.call_parts.borrow_mut().insert(call.id(), parts.clone());
        parts
    }

    fn describe_call(&self, call: Node<'_>) -> CallParts {
        let Some(callee) = call.field("function").or_else(|| call.field("constructor")) else { return CallParts::default() };
        self.describe_callee(callee)
    }

    /// A function named by an expression (a callee, or a middleware handed to a route) as the
    /// models see it.
    fn describe_callee(&self, callee: Node<'_>) -> CallParts {
        let callee = self.unwrap_expression(callee);
        let qualified = self.qualified_name(callee).map(|name| name.strip_prefix("node:").map(str::to_string).unwrap_or(name));
        let mut parts = CallParts { qualified, ..CallParts::default() };
        if callee.kind() == "member_expression" {
            parts.method = callee.field("property").map(|p| self.text(p).to_string());
        }
        // The import the name comes through, if it does (`fs` in `fs.promises.readFile`).
        let mut root = callee;
        while root.kind() == "member_expression" {
            let Some(object) = root.field("object") else { break };
            root = self.unwrap_expression(object);
        }
        let import = (root.kind() == "identifier" && self.binding(root).is_none()).then(|| self.imports.get(self.text(root))).flatten();
        parts.module = import.map(|import| import.module.clone());
        // Every call of every file comes here: the segments and the receiver are worked out only
        // when some entry (a user's) matches by them.
        if !self.knowledge.matches_by_segments(Language::Typescript) {
            return parts;
        }
        if callee.kind() == "member_expression" {
            if let Some(object) = callee.field("object").map(|o| self.unwrap_expression(o)) {
                if let Some(path) = self.member_path(object) {
                    parts.receiver.extend(path.rsplit('.').next().map(str::to_string));
                }
                // `const store = new Store(); store.run()`: the receiver is a `Store`.
                if object.kind() == "identifier" {
                    let value = self.binding(object).and_then(|b| b.value).map(|v| self.unwrap_expression(v));
                    if let Some(constructor) = value.filter(|v| v.kind() == "new_expression").and_then(|v| v.field("constructor")) {
                        parts.receiver.extend(self.member_path(constructor).and_then(|p| p.rsplit('.').next().map(str::to_string)));
                    }
                }
            }
        }
        // The name by segments: an import is named by its specifier's last component.
        let mut members = Vec::new();
        let mut current = callee;
        while current.kind() == "member_expression" {
            members.extend(current.field("property").map(|p| self.text(p).to_string()));
            let Some(object) = current.field("object") else { break };
            current = self.unwrap_expression(object);
        }
        members.reverse();
        if let Some(import) = import {
            let specifier = import.module.as_str();
            let last = specifier.rsplit('/').next().unwrap_or(specifier);
            let last = last.rsplit_once('.').filter(|(_, ext)| matches!(*ext, "js" | "ts" | "mjs" | "cjs")).map_or(last, |(stem, _)| stem);
            parts.segments.push(last.to_string());
            parts.segments.extend(import.export.clone());
            parts.segments.extend(members);
            return parts;
        }
        if let Some(path) = self.member_path(callee) {
            parts.segments = path.split('.').map(str::to_string).collect();
        }
        parts
    }

    /// Every module the file imports from.
    pub fn import_specifiers(&self) -> &[String] {
        self.import_specifiers.get_or_init(|| {
            let mut modules: Vec<String> = self.imports.values().map(|i| i.module.clone()).collect();
            modules.sort();
            modules.dedup();
            modules
        })
    }

    /// Asks the models about a call (or `new` expression) by its name, resolved through the
    /// file's imports.
    fn ask<R>(&self, call: Node<'_>, question: impl FnOnce(&'t Knowledge, &crate::models::CallName<'_>) -> R) -> R {
        let parts = self.call_parts(call);
        question(self.knowledge, &parts.name(self.import_specifiers()))
    }

    /// The HTTP client entries this call is.
    pub fn clients(&self, call: Node<'_>) -> Vec<&'t crate::models::Client> {
        self.ask(call, |knowledge, name| knowledge.clients(Language::Typescript, name))
    }

    /// Whether the models say this call hashes a password (`bcrypt.hash`, a `[[hashers]]` entry).
    pub fn hashes(&self, call: Node<'_>) -> bool {
        self.ask(call, |knowledge, name| knowledge.hashes(Language::Typescript, name))
    }

    /// The model entry that says this call hashes a password or derives a key.
    pub fn kdf(&self, call: Node<'_>) -> Option<&'t crate::models::Kdf> {
        self.ask(call, |knowledge, name| knowledge.kdf(Language::Typescript, name))
    }

    /// The model entries that say this call (or `new` expression) takes secret key material.
    pub fn keys(&self, call: Node<'_>) -> Vec<&'t crate::models::Key> {
        self.ask(call, |knowledge, name| knowledge.keys(Language::Typescript, name))
    }

    /// The model entry that says this call (or `new` expression) makes a GraphQL server.
    pub fn graphql(&self, call: Node<'_>) -> Option<&'t crate::models::Graphql> {
        self.ask(call, |knowledge, name| knowledge.graphql(Language::Typescript, name))
    }

    /// The GraphQL entry of a function named by its import-resolved name (a Fastify plugin handed
    /// to `register`, `mercurius`).
    pub fn graphql_named(&self, qualified: &str) -> Option<&'t crate::models::Graphql> {
        self.knowledge.graphql(Language::Typescript, &named_parts(qualified).name(self.import_specifiers()))
    }

    /// The validation pipe entry this `new` expression makes (`new ValidationPipe(..)`).
    pub fn validation_pipe(&self, new: Node<'_>) -> Option<&'t crate::models::Validator> {
        self.ask(new, |knowledge, name| knowledge.validation_pipe(Language::Typescript, name))
    }

    /// The validation pipe entry of a class named by its import-resolved name (`useClass: ValidationPipe`).
    pub fn validation_pipe_named(&self, qualified: &str) -> Option<&'t crate::models::Validator> {
        self.knowledge.validation_pipe(Language::Typescript, &named_parts(qualified).name(self.import_specifiers()))
    }

    /// The model entry that says this call (or `new` expression) makes an in-process cache.
    pub fn cache(&self, call: Node<'_>) -> Option<&'t crate::models::Cache> {
        self.ask(call, |knowledge, name| knowledge.cache(Language::Typescript, name))
    }

    /// The model entry that says this call sets a cookie or makes session middleware.
    pub fn cookie(&self, call: Node<'_>) -> Option<&'t crate::models::Cookie> {
        self.ask(call, |knowledge, name| knowledge.cookie(Language::Typescript, name))
    }

    /// Whether an assignment to this name (`axios.defaults.timeout`) gives some client's requests
    /// a timeout everywhere in the project.
    pub fn is_client_global_default(&self, name: &str) -> bool {
        self.knowledge.is_client_global_default(Language::Typescript, name)
    }

    /// The model entries that say what this ORM, query-builder or driver call does.
    /// An entry with `after` counts only on a chain that called that method first
    /// (`db.insert(users).values(..)`).
    pub fn queries(&self, call: Node<'_>) -> Vec<&'t crate::models::Query> {
        let parts = self.call_parts(call);
        let mut queries = self.knowledge.queries(Language::Typescript, &parts.name(self.import_specifiers()));
        if queries.iter().any(|q| q.parameters.after.is_some()) {
            let before = self.methods_before(call);
            queries.retain(|q| q.parameters.after.as_deref().is_none_or(|after| before.contains(&after)));
        }
        queries
    }

    /// The methods called on the way to a call's receiver: `db.insert(users).values(..)` →
    /// `insert`; `this.repo.createQueryBuilder("u").where(..).getMany()` → `where`, `createQueryBuilder`.
    pub fn methods_before(&self, call: Node<'_>) -> Vec<&'t str> {
        let mut methods = Vec::new();
        let mut current = call.field("function").and_then(|f| f.field("object"));
        while let Some(node) = current {
            current = match node.kind() {
                "call_expression" => {
                    let function = node.field("function");
                    methods.extend(
                        function.filter(|f| f.kind() == "member_expression").and_then(|f| f.field("property")).map(|p| self.text(p)),
                    );
                    function.and_then(|f| f.field("object"))
                }
                "member_expression" => node.field("object"),
                "await_expression" | "parenthesized_expression" | "non_null_expression" => node.named_child(0),
                _ => None,
            };
        }
        methods
    }

    /// The model entry that says this call validates request data.
    pub fn validator(&self, call: Node<'_>) -> Option<&'t crate::models::Validator> {
        self.ask(call, |knowledge, name| knowledge.validator(Language::Typescript, name))
    }

    /// The model entry that says the function an expression names (a middleware handed to a
    /// route: `check` imported as express-validator's `body`) validates request data.
    pub fn validator_of_function(&self, function: Node<'_>) -> Option<&'t crate::models::Validator> {
        let parts = self.describe_callee(function);
        self.knowledge.validator(Language::Typescript, &parts.name(self.import_specifiers()))
    }

    /// The model entry that says this call (`passport.authenticate("jwt")`, `AuthGuard("jwt")`)
    /// makes authentication middleware or a guard, or only looks as if it did.
    pub fn guard(&self, call: Node<'_>) -> Option<&'t crate::models::Guard> {
        self.ask(call, |knowledge, name| knowledge.guard(Language::Typescript, name))
    }

    /// The model entry that says the function or class a name refers to (a middleware handed to
    /// a route, a guard class given to `@UseGuards`) authenticates requests, or only looks as if
    /// it did.
    pub fn guard_of_function(&self, function: Node<'_>) -> Option<&'t crate::models::Guard> {
        let parts = self.describe_callee(function);
        self.knowledge.guard(Language::Typescript, &parts.name(self.import_specifiers()))
    }

    /// The model entry that says this call (or `new` expression) sends a response body: of those
    /// naming the method, the one whose response object the receiver is (`res.json`, Hono's
    /// `c.json`).
    pub fn response(&self, call: Node<'_>) -> Option<&'t crate::models::Response> {
        let responses = self.ask(call, |knowledge, name| knowledge.responses(Language::Typescript, name));
        let callee = call.field("function").or_else(|| call.field("constructor"))?;
        let root = self.text(callee).split(['.', '(']).next().unwrap_or("");
        responses.into_iter().find(|r| r.sent_on(root))
    }

    /// The model entry that says this call sets a request body limit.
    pub fn body_limit(&self, call: Node<'_>) -> Option<&'t crate::models::BodyLimit> {
        self.ask(call, |knowledge, name| knowledge.body_limit(Language::Typescript, name))
    }

    /// The model entry that says this call (or `new` expression) makes an HTTP app or server.
    pub fn server(&self, call: Node<'_>) -> Option<&'t crate::models::Server> {
        self.ask(call, |knowledge, name| knowledge.server(Language::Typescript, name))
    }

    /// The model entry that says a module's export, named whole (`fastify` of
    /// `require("fastify")(..)`), makes an HTTP app or server.
    pub fn server_named(&self, qualified: &str) -> Option<&'t crate::models::Server> {
        self.knowledge.server(Language::Typescript, &named_parts(qualified).name(self.import_specifiers()))
    }

    /// The options of the security-header middleware a call's callee or argument names (helmet),
    /// whose `false` switches a protection off.
    pub fn header_switches(&self, node: Node<'_>) -> Option<&'t std::collections::BTreeMap<String, crate::models::Protection>> {
        let name = self.qualified_name(node)?;
        self.knowledge.header_switches(Language::Typescript, &name)
    }

    /// The JWT library entries this call (or `new` expression) is.
    pub fn tokens(&self, call: Node<'_>) -> Vec<&'t crate::models::Token> {
        self.ask(call, |knowledge, name| knowledge.tokens(Language::Typescript, name))
    }

    /// Whether the file imports a JWT library (the module of a `[[tokens]]` entry).
    pub fn imports_token_library(&self) -> bool {
        self.import_specifiers().iter().any(|import| self.knowledge.is_token_module(Language::Typescript, import))
    }

    /// The key entries of a function named by its import-resolved name (`@fastify/jwt`, a plugin
    /// handed to `register`; `@nestjs/jwt.JwtModule.register` for `registerAsync`).
    pub fn keys_named(&self, qualified: &str) -> Vec<&'t crate::models::Key> {
        let module = qualified.split('.').next().map(str::to_string);
        let parts = CallParts { qualified: Some(qualified.to_string()), module, ..CallParts::default() };
        self.knowledge.keys(Language::Typescript, &parts.name(self.import_specifiers()))
    }

    /// The model entry that says this call blocks its thread (`fs.readFileSync`, a `[[blocking]]`
    /// entry).
    pub fn blocking(&self, call: Node<'_>) -> Option<&'t crate::models::Blocking> {
        self.ask(call, |knowledge, name| knowledge.blocking(Language::Typescript, name))
    }

    /// Whether the models say this call writes a log line (`console.log`, a `[[loggers]]` entry).
    pub fn logs(&self, call: Node<'_>) -> bool {
        let loggers = self.ask(call, |knowledge, name| knowledge.loggers(Language::Typescript, name));
        if loggers.is_empty() {
            return false;
        }
        // The receiver by its last segment: `logger` of `this.logger.warn(..)`, `log` of `req.log.info(..)`.
        let receiver = call.field("function").filter(|f| f.kind() == "member_expression").and_then(|f| f.field("object"));
        let receiver = receiver.map(|r| self.unwrap_expression(r)).and_then(|r| match r.kind() {
            "identifier" => Some(self.text(r)),
            "member_expression" => r.field("property").map(|p| self.text(p)),
            _ => None,
        });
        loggers.iter().any(|logger| logger.accepts_receiver(receiver))
    }

    /// The connection entries this call is (it opens a connection, pool or client).
    pub fn connections(&self, call: Node<'_>) -> Vec<&'t crate::models::Connection> {
        self.ask(call, |knowledge, name| knowledge.connections(Language::Typescript, name))
    }

    /// The model entries that make this call a sink of `kind`.
    pub fn sinks(&self, call: Node<'_>, kind: SinkKind) -> Vec<&'t Sink> {
        self.ask(call, |knowledge, name| knowledge.sinks(Language::Typescript, name, kind))
    }

    pub fn import(&self, local: &str) -> Option<&Import> {
        self.imports.get(local)
    }

    /// The local name the whole of `module` is imported under (`import * as c from "crypto"`,
    /// `const c = require("node:crypto")`), the first in name order when there are several.
    /// `node:` prefixes are the same module.
    pub fn module_local(&self, module: &str) -> Option<&str> {
        let bare = |m: &str| m.strip_prefix("node:").unwrap_or(m).to_string();
        let module = bare(module);
        self.imports.iter().filter(|(_, i)| i.export.is_none() && bare(&i.module) == module).map(|(local, _)| local.as_str()).min()
    }

    /// Whether the file binds `name` anywhere: an import, a variable, a parameter, a function.
    pub fn declares(&self, name: &str) -> bool {
        self.imports.contains_key(name) || self.bindings.contains_key(name)
    }

    /// Whether the file imports `module` as a model entry names it: a package exactly, a relative
    /// path by its last components (`./middleware/limits` for `../middleware/limits`).
    pub fn imports_matching(&self, module: &str) -> bool {
        self.imports.values().any(|import| crate::models::module_matches(&import.module, module, crate::models::Language::Typescript))
    }

    /// Whether the file imports a package (built in or from the configuration's
    /// `[[models.packages]]`) that provides `capability`.
    pub fn imports_providing(&self, capability: crate::models::Capability) -> bool {
        self.knowledge.modules_providing(crate::models::Language::Typescript, capability).any(|module| self.imports_matching(module))
    }

    /// Whether the file imports `package` or one of its subpaths (`hono`, `hono/cors`).
    pub fn imports_module_prefix(&self, package: &str) -> bool {
        self.imports.values().any(|import| import.module.strip_prefix(package).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')))
    }

    pub fn imports_module(&self, module: &str) -> bool {
        self.imports.values().any(|import| import.module == module)
    }

    /// Whether the file is browser code by what it says of itself: a UI framework or a
    /// browser-only library imported (`swr`, `zustand`, `better-auth/react`, `js-cookie`), a
    /// `.client.ts` name, a `"use client"` directive, or browser globals used (`window.`,
    /// `localStorage`, `document.querySelector(..)`) with no `typeof window` check that would make
    /// it code shared with the server. Computed once per file, when a rule asks.
    pub fn is_browser_code(&self, any_node: Node<'_>) -> bool {
        *self.browser_code.get_or_init(|| self.declares_browser_code() || uses_browser_globals(self, program_of(any_node)))
    }

    /// [`TsModel::is_browser_code`] without its walk of the whole file for browser globals,
    /// unless a rule has already asked: what the cross-file summary records for every file.
    pub fn is_browser_code_by_its_declarations(&self) -> bool {
        match self.browser_code.get() {
            Some(known) => *known,
            None => self.declares_browser_code(),
        }
    }

    /// A UI framework or browser-only library imported, a `.client.ts` name, `"use client"`.
    fn declares_browser_code(&self) -> bool {
        let file_name = self.file_path.rsplit(['/', '\\']).next().unwrap_or("");
        self.imports_ui_framework()
            || self.imports.values().any(|import| is_browser_library(&import.module))
            || file_name.contains(".client.")
            || starts_with_use_client(self.src)
    }

    /// Whether the file imports a UI framework, which marks it as browser code even in a `.ts` file.
    pub fn imports_ui_framework(&self) -> bool {
        self.imports.values().any(|import| {
            let module = import.module.as_str();
            matches!(
                module,
                "react"
                    | "react-dom"
                    | "vue"
                    | "svelte"
                    | "solid-js"
                    | "preact"
                    | "@angular/core"
                    | "next/router"
                    | "redux"
                    | "react-redux"
            ) || module.starts_with("react-dom/")
                || module.starts_with("@reduxjs/")
                || module.starts_with("prosemirror-")
                || module.starts_with("next/navigation")
                || module.starts_with("@tanstack/react-")
        })
    }

    /// The innermost binding of `identifier` visible where it is used.
    pub fn binding(&self, identifier: Node<'_>) -> Option<&Binding<'t>> {
        let offset = identifier.start_byte();
        self.bindings
            .get(self.text(identifier))?
            .iter()
            .filter(|b| b.scope.contains(offset))
            .min_by_key(|b| (b.scope.end - b.scope.start, usize::MAX - b.declared_at))
    }

    /// The canonical name an expression refers to, rooted at an import (`axios.get` → `axios.get`,
    /// `import { Pool as P } from "pg"; P` → `pg.Pool`) or at an unbound global (`process.env.X`).
    /// Local variables that are not imports have no qualified name.
    pub fn qualified_name(&self, node: Node<'_>) -> Option<String> {
        // Most rules look at every call's callee: each name is resolved once per file.
        if let Some(known) = self.qualified_names.borrow().get(&node.id()) {
            return known.clone();
        }
        let name = self.resolve_qualified_name(node);
        self.qualified_names.borrow_mut().insert(node.id(), name.clone());
        name
    }

    fn resolve_qualified_name(&self, node: Node<'_>) -> Option<String> {
        let node = self.unwrap_expression(node);
        match node.kind() {
            "identifier" => {
                let name = self.text(node);
                if self.binding(node).is_some() {
                    return None;
                }
                // A parameter named like an import or a global the models know (`fetch` handed
                // in as a callback, `axios` injected) is not that.
                let known = self.imports.contains_key(name) || self.knowledge.names_global(Language::Typescript, name);
                if known && self.parameter_names.contains(name) && is_parameter_in_scope(node, name, self) {
                    return None;
                }
                Some(match self.imports.get(name) {
                    Some(Import { module, export: Some(export) }) => format!("{module}.{export}"),
                    Some(Import { module, export: None }) => module.clone(),
                    None => name.to_string(),
                })
            }
            "member_expression" => {
                let object = self.qualified_name(node.field("object")?)?;
                Some(format!("{object}.{}", self.text(node.field("property")?)))
            }
            "subscript_expression" => {
                let object = self.qualified_name(node.field("object")?)?;
                let index = self.string_literal(node.field("index")?)?;
                Some(format!("{object}.{index}"))
            }
            _ => None,
        }
    }

    /// `a.b.c` / `a["b"].c` as a dotted path of the source names (no import resolution).
    pub fn member_path(&self, node: Node<'_>) -> Option<String> {
        match node.kind() {
            "identifier" | "this" | "property_identifier" => Some(self.text(node).to_string()),
            "member_expression" => Some(format!("{}.{}", self.member_path(node.field("object")?)?, self.text(node.field("property")?))),
            "subscript_expression" => {
                Some(format!("{}.{}", self.member_path(node.field("object")?)?, self.string_literal(node.field("index")?)?))
            }
            "parenthesized_expression" | "non_null_expression" => self.member_path(node.named_child(0)?),
            _ => None,
        }
    }

    /// Whether some statement in the file assigns this member path (`axios.defaults.timeout = ...`).
    pub fn member_assigned(&self, path: &str) -> bool {
        self.assigned_members.contains(path)
    }

    /// Strips parentheses, `await`, type assertions and `!` around an expression.
    pub fn unwrap_expression<'n>(&self, mut node: Node<'n>) -> Node<'n> {
        loop {
            let inner = match node.kind() {
                "parenthesized_expression" | "await_expression" | "non_null_expression" => node.named_child(0),
                "as_expression" | "satisfies_expression" | "type_assertion" => node.named_child(0).filter(|c| !c.kind().contains("type")),
                _ => None,
            };
            match inner {
                Some(inner) => node = inner,
                None => return node,
            }
        }
    }

    /// Follows an identifier to the value of a binding that is never reassigned, and a member
    /// access to the property of an object literal bound that way, through chains.
    pub fn resolve(&self, node: Node<'t>) -> Node<'t> {
        let mut budget = MAX_RESOLVE_DEPTH;
        self.resolve_within(node, &mut budget)
    }

    /// [`Self::resolve`] with one step budget shared by nested lookups, so cycles such as
    /// `const a = a.x` end.
    fn resolve_within(&self, node: Node<'t>, budget: &mut usize) -> Node<'t> {
        let mut node = self.unwrap_expression(node);
        while *budget > 0 {
            *budget -= 1;
            let next = match node.kind() {
                // `{ rejectUnauthorized }` reads the variable of that name, like an identifier does.
                "identifier" | "shorthand_property_identifier" => self.binding(node).filter(|b| !b.reassigned).and_then(|b| b.value),
                "member_expression" => self.member_value(node, budget),
                _ => None,
            };
            match next {
                Some(value) => node = self.unwrap_expression(value),
                None => break,
            }
        }
        node
    }

    /// `config.jwt.secret` where `const config = { jwt: { secret: "…" } }` and no statement in the
    /// file assigns that member.
    fn member_value(&self, member: Node<'t>, budget: &mut usize) -> Option<Node<'t>> {
        let property = member.field("property").filter(|p| p.kind() == "property_identifier")?;
        if self.member_path(member).is_some_and(|path| self.member_assigned(&path)) {
            return None;
        }
        let object = self.resolve_within(member.field("object")?, budget);
        if object.kind() != "object" {
            return None;
        }
        match self.property(object, self.text(property)) {
            Property::Found(value) => Some(value),
            _ => None,
        }
    }

    /// The text of a string literal (quotes removed, simple escapes decoded).
    pub fn string_literal(&self, node: Node<'_>) -> Option<String> {
        match node.kind() {
            "string" => {
                let mut value = String::new();
                for child in named_children(node) {
                    match child.kind() {
                        "string_fragment" => value.push_str(self.text(child)),
                        "escape_sequence" => value.push_str(&decode_escape(self.text(child))),
                        _ => {}
                    }
                }
                Some(value)
            }
            "template_string" if !named_children(node).any(|c| c.kind() == "template_substitution") => {
                let text = self.text(node);
                Some(text.get(1..text.len().saturating_sub(1)).unwrap_or("").to_string())
            }
            _ => None,
        }
    }

    /// The constant string an expression evaluates to, through bindings and `+`.
    pub fn string_value(&self, node: Node<'t>) -> Option<String> {
        self.string_value_within(node, MAX_RESOLVE_DEPTH * 4)
    }

    /// `budget` bounds the recursion: `let a = a + "x"` and long `+` chains must not recurse forever.
    fn string_value_within(&self, node: Node<'t>, budget: usize) -> Option<String> {
        let budget = budget.checked_sub(1)?;
        let node = self.resolve(node);
        if let Some(value) = self.string_literal(node) {
            return Some(value);
        }
        if node.kind() == "binary_expression" && node.field("operator").is_some_and(|op| self.text(op) == "+") {
            let left = self.string_value_within(node.field("left")?, budget)?;
            let right = self.string_value_within(node.field("right")?, budget)?;
            return Some(left + &right);
        }
        None
    }

    /// `true`/`false`, `!0`/`!1`, through bindings.
    pub fn bool_value(&self, node: Node<'t>) -> Option<bool> {
        let node = self.resolve(node);
        match node.kind() {
            "true" => Some(true),
            "false" => Some(false),
            "unary_expression" if self.text(node).starts_with('!') => {
                let operand = node.field("argument")?;
                match self.text(operand) {
                    "0" => Some(true),
                    "1" => Some(false),
                    _ => self.bool_value(operand).map(|b| !b),
                }
            }
            _ => None,
        }
    }

    /// The object literal an expression is or is bound to (`const opts = {...}; f(opts)`).
    pub fn object_literal(&self, node: Node<'t>) -> Option<Node<'t>> {
        Some(self.resolve(node)).filter(|n| n.kind() == "object")
    }

    /// Looks a key up in an object literal, noticing spreads that could provide it.
    pub fn property(&self, object: Node<'t>, key: &str) -> Property<'t> {
        let mut has_spread = false;
        for member in named_children(object) {
            match member.kind() {
                "pair" => {
                    let Some(k) = member.field("key") else { continue };
                    let name = self.string_literal(k).unwrap_or_else(|| self.text(k).to_string());
                    if name == key {
                        if let Some(value) = member.field("value") {
                            return Property::Found(value);
                        }
                    }
                }
                "shorthand_property_identifier" if self.text(member) == key => return Property::Found(member),
                "method_definition" if member.field("name").is_some_and(|n| self.text(n) == key) => return Property::Found(member),
                "spread_element" => has_spread = true,
                _ => {}
            }
        }
        if has_spread {
            Property::Unknown
        } else {
            Property::Missing
        }
    }

    pub fn handlers(&self) -> &[Handler] {
        &self.handlers
    }

    /// The request handler whose function contains `offset`, innermost first.
    pub fn handler_at(&self, offset: usize) -> Option<&Handler> {
        self.handlers.iter().filter(|h| h.span.contains(offset)).min_by_key(|h| h.span.end - h.span.start)
    }
}

pub fn named_children<'n>(node: Node<'n>) -> impl Iterator<Item = Node<'n>> {
    (0..node.named_child_count()).filter_map(move |i| node.named_child(i))
}

pub(crate) fn children_by_field<'n>(node: Node<'n>, field: &'static str) -> impl Iterator<Item = Node<'n>> {
    let mut cursor = node.walk();
    node.children_by_field_name(field, &mut cursor).collect::<Vec<_>>().into_iter()
}

/// All descendants, iteratively (no recursion on hostile nesting).
pub fn descendants<'n>(node: Node<'n>) -> impl Iterator<Item = Node<'n>> {
    let mut stack = vec![node];
    std::iter::from_fn(move || {
        let next = stack.pop()?;
        for i in (0..next.named_child_count()).rev() {
            if let Some(child) = next.named_child(i) {
                stack.push(child);
            }
        }
        Some(next)
    })
}

/// Decorators written just before a class member (`@Get() @UseGuards(A) method() {}`).
pub(super) fn preceding_decorators<'n>(member: Node<'n>) -> impl Iterator<Item = Node<'n>> {
    let mut previous = member.prev_named_sibling();
    std::iter::from_fn(move || {
        let node = previous.filter(|n| n.kind() == "decorator")?;
        previous = node.prev_named_sibling();
        Some(node)
    })
}

/// `@Name(args)` or `@Name` → the name and the arguments node, whatever the name.
pub(crate) fn decorator_name<'t, 'n>(model: &TsModel<'t>, decorator: Node<'n>) -> Option<(&'t str, Option<Node<'n>>)> {
    let expression = decorator.named_child(0)?;
    let (callee, args) = match expression.kind() {
        "call_expression" => (expression.field("function")?, expression.field("arguments")),
        _ => (expression, None),
    };
    Some((model.text(callee), args))
}

/// Whether a function around `identifier` has a parameter called `name` (also destructured:
/// `({ fetch }) => ..`).
fn is_parameter_in_scope(identifier: Node<'_>, name: &str, model: &TsModel<'_>) -> bool {
    let mut names = Vec::new();
    let mut node = identifier;
    while let Some(parent) = node.parent() {
        if is_function_like(parent.kind()) {
            names.clear();
            for parameter in function_parameters(parent) {
                bound_names(parameter, &mut names);
            }
            if names.iter().any(|n| model.text(*n) == name) {
                return true;
            }
        }
        node = parent;
    }
    false
}

/// The identifiers a parameter binds, read from its pattern alone (not its type or default):
/// `fetch`, `{ fetch, retry: r }` (`fetch`, `r`), `[first, ...rest]`, `limit = 10` (`limit`).
fn bound_names<'n>(pattern: Node<'n>, names: &mut Vec<Node<'n>>) {
    match pattern.kind() {
        "identifier" | "shorthand_property_identifier_pattern" => names.push(pattern),
        "required_parameter" | "optional_parameter" => {
            if let Some(inner) = pattern.field("pattern") {
                bound_names(inner, names);
            }
        }
        "pair_pattern" => {
            if let Some(value) = pattern.field("value") {
                bound_names(value, names);
            }
        }
        "assignment_pattern" | "object_assignment_pattern" => {
            if let Some(left) = pattern.field("left") {
                bound_names(left, names);
            }
        }
        "object_pattern" | "array_pattern" | "rest_pattern" => {
            for child in named_children(pattern) {
                bound_names(child, names);
            }
        }
        _ => {}
    }
}

/// A function's formal parameters (an arrow function's single unparenthesised one too).
pub fn function_parameters(function: Node<'_>) -> Vec<Node<'_>> {
    if let Some(single) = function.field("parameter") {
        return vec![single];
    }
    function.field("parameters").map(|p| named_children(p).collect()).unwrap_or_default()
}

/// The root of the tree `node` is in (the file's `program`).
pub fn program_of(node: Node<'_>) -> Node<'_> {
    let mut root = node;
    while let Some(parent) = root.parent() {
        root = parent;
    }
    root
}

/// The innermost function around `node`.
/// Libraries that only run in a browser (data-fetching hooks, client stores, cookie jars,
/// the browser halves of auth libraries).
fn is_browser_library(module: &str) -> bool {
    matches!(module, "swr" | "swr/mutation" | "swr/infinite" | "zustand" | "js-cookie" | "jotai" | "recoil" | "react-hot-toast" | "sonner")
        || module.ends_with("/react")
        || module.ends_with("/client") && module.starts_with("better-auth")
}

/// A `"use client"` directive before any code (after comments and blank lines).
fn starts_with_use_client(src: &str) -> bool {
    starts_with_directive(src, "use client")
}

/// Whether the module's prologue starts with this directive (`"use client"`, `"use server"`),
/// after comments.
pub fn starts_with_directive(src: &str, directive: &str) -> bool {
    let mut rest = src.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.split_once('\n').map_or("", |(_, next)| next);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, next)| next);
        } else {
            let quoted = rest.strip_prefix('"').or_else(|| rest.strip_prefix('\''));
            return quoted.is_some_and(|r| r.starts_with(directive) && r[directive.len()..].starts_with(['"', '\'']));
        }
    }
}

/// Browser globals used as objects: `window.location`, `localStorage.getItem(..)`,
/// `navigator.language`, `document.querySelector(..)` (a `document` alone is as often a database
/// record), none of them declared in the file. A file that asks `typeof window` runs on both
/// sides, so it is not browser code.
fn uses_browser_globals(model: &TsModel<'_>, root: Node<'_>) -> bool {
    const GLOBALS: &[&str] = &["window", "localStorage", "sessionStorage", "navigator", "document"];
    const DOM_MEMBERS: &[&str] =
        &["querySelector", "querySelectorAll", "getElementById", "createElement", "body", "cookie", "addEventListener"];
    let (mut used, mut declared) = (Vec::new(), Vec::new());
    for node in descendants(root) {
        match node.kind() {
            "unary_expression"
                if model.text(node).starts_with("typeof")
                    && node.field("argument").is_some_and(|a| matches!(model.text(a), "window" | "document" | "localStorage")) =>
            {
                return false;
            }
            "member_expression" => {
                let (Some(object), Some(property)) = (node.field("object"), node.field("property")) else { continue };
                let name = model.text(object);
                if object.kind() == "identifier"
                    && GLOBALS.contains(&name)
                    && (name != "document" || DOM_MEMBERS.contains(&model.text(property)))
                {
                    used.push(name);
                }
            }
            // Parameters named like a global (`(window) => window.start`) are not the global.
            "identifier" if GLOBALS.contains(&model.text(node)) => {
                let parent = node.parent().map(|p| p.kind()).unwrap_or("");
                if matches!(parent, "required_parameter" | "optional_parameter" | "formal_parameters" | "arrow_function") {
                    declared.push(model.text(node));
                }
            }
            _ => {}
        }
    }
    // `const { document, localStorage } = window;` still names the globals.
    let from_window =
        |binding: &Binding<'_>| binding.destructured_from.or(binding.value).is_some_and(|v| model.text(v).starts_with("window"));
    let global = |name: &str| model.bindings.get(name).is_none_or(|bindings| bindings.iter().all(from_window));
    used.iter().any(|name| !declared.contains(name) && global(name))
}

/// The conditions that decide whether `node` runs, innermost first, up to the function around
/// it: `if` conditions (either branch), the test of a `?:`, the left side of `&&`, `||` and `??`
/// when `node` is on the right, and a `switch`'s value.
pub fn guards(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    let mut child = node;
    std::iter::from_fn(move || loop {
        let parent = child.parent()?;
        if is_function_like(parent.kind()) {
            return None;
        }
        let from = std::mem::replace(&mut child, parent);
        let condition = match parent.kind() {
            "if_statement" | "ternary_expression" => parent.field("condition"),
            "binary_expression" if parent.field("operator").is_some_and(|op| matches!(op.kind(), "&&" | "||" | "??")) => {
                parent.field("left")
            }
            "switch_statement" => parent.field("value"),
            _ => None,
        };
        if let Some(condition) = condition.filter(|c| c.id() != from.id()) {
            return Some(condition);
        }
    })
}

pub fn enclosing_function(node: Node<'_>) -> Option<Node<'_>> {
    std::iter::successors(node.parent(), |n| n.parent()).find(|n| is_function_like(n.kind()))
}

/// A function's parameter names as written (`req`, `{ body }`).
pub fn parameter_names(model: &TsModel<'_>, function: Node<'_>) -> Vec<String> {
    if let Some(single) = function.field("parameter") {
        return vec![model.text(single).to_string()];
    }
    let Some(params) = function.field("parameters") else { return Vec::new() };
    named_children(params).map(|p| p.field("pattern").unwrap_or(p)).map(|p| model.text(p).to_string()).collect()
}

fn decode_escape(escape: &str) -> String {
    match escape {
        "\\n" => "\n".into(),
        "\\t" => "\t".into(),
        "\\r" => "\r".into(),
        "\\0" => "\0".into(),
        _ => {
            let rest = &escape[1.min(escape.len())..];
            if let Some(hex) = rest.strip_prefix('x').or_else(|| rest.strip_prefix('u')) {
                let hex = hex.trim_matches(['{', '}']);
                if let Some(c) = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                    return c.to_string();
                }
            }
            rest.to_string()
        }
    }
}

/// The constant text a string expression starts with: the literal head of a template, the
/// constant left operands of `+`, through local bindings (`API + "/users/" + id` where
/// `const API = "https://…"` gives `https://…/users/`). Decides whether request data can only
/// choose a path (SSRF, redirects) rather than the host.
pub fn constant_prefix(node: Node<'_>, model: &TsModel<'_>, depth: usize) -> String {
    if depth > 6 {
        return String::new();
    }
    let node = model.unwrap_expression(node);
    match node.kind() {
        "template_string" => {
            let text = model.text(node);
            let end = text.find("${").unwrap_or(text.len().saturating_sub(1));
            text.get(1..end).unwrap_or("").to_string()
        }
        "binary_expression" if node.field("operator").is_some_and(|o| model.text(o) == "+") => {
            let Some(left) = node.field("left") else { return String::new() };
            match model.string_value(left) {
                Some(whole) => whole + &node.field("right").map(|r| constant_prefix(r, model, depth + 1)).unwrap_or_default(),
                None => constant_prefix(left, model, depth + 1),
            }
        }
        "identifier" => model.binding(node).and_then(|b| b.value).map(|v| constant_prefix(v, model, depth + 1)).unwrap_or_default(),
        // `new URL(\`https://host/…\`)`, then `url.toString()` / `url.href`.
        "new_expression" if node.field("constructor").is_some_and(|c| model.text(c) == "URL") => {
            node.field("arguments").and_then(|a| a.named_child(0)).map(|first| constant_prefix(first, model, depth + 1)).unwrap_or_default()
        }
        "call_expression" => {
            let Some(callee) = node.field("function").filter(|c| c.kind() == "member_expression") else {
                return String::new();
            };
            let is_to_string = callee.field("property").is_some_and(|p| model.text(p) == "toString");
            match callee.field("object") {
                Some(object) if is_to_string => constant_prefix(object, model, depth + 1),
                _ => String::new(),
            }
        }
        "member_expression" if node.field("property").is_some_and(|p| model.text(p) == "href") => {
            node.field("object").map(|o| constant_prefix(o, model, depth + 1)).unwrap_or_default()
        }
        _ => model.string_value(node).unwrap_or_default(),
    }
}
