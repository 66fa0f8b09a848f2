//! The taint view for TypeScript/JavaScript: where the value of an expression comes from, asked
//! by injection rules about the arguments of their sinks.
//!
//! The walk goes backwards from the sink argument through bindings (including destructuring and
//! later assignments, flow-insensitively), template literals, `+`, `||`/`??`, ternaries and known
//! string conversions, until it reaches a request source (Express/Fastify `req.body|query|params|
//! headers|cookies`, Koa `ctx.request.body`/`ctx.query`/`ctx.params`, NestJS `@Body()`/`@Query()`/
//! `@Param()`/`@Headers()` parameters), a constant, a sanitiser, or something it cannot see
//! through. It stays inside the function the sink is in (and the functions enclosing it, for
//! closures); calls to other functions are opaque, except for known conversions and sanitisers.

use super::frameworks::{destructured_parameter, RequestKind};
use super::model::{
    children_by_field, constant_prefix, decorator_name, descendants, function_parameters, is_function_like, named_children, span_of,
    Framework, TsModel,
};
use crate::lang::typescript::FieldExt;
use crate::models::{Language, SinkKind};
use crate::taint::{Flow, Origin};
use tree_sitter::Node;

/// How many nodes one question may visit: bounds cycles (`a = a + b`) and pathological chains.
const BUDGET: usize = 64;

/// Methods whose call in a condition checks a value against an allowlist or a safe shape.
const GUARD_METHODS: &[&str] =
    &["includes", "has", "test", "startsWith", "endsWith", "indexOf", "isValid", "isUUID", "isInt", "isAlphanumeric"];

/// A call of a local function being followed: its parameters stand for the call's arguments.
struct Frame<'t> {
    function: Node<'t>,
    arguments: Vec<Node<'t>>,
}

/// How many local functions deep a question may follow (`wrap(build(x))`).
const MAX_FRAMES: usize = 3;

struct Walk<'t> {
    budget: usize,
    /// The kind of sink asked about: a sanitiser for other kinds does not make the value safe.
    kind: Option<SinkKind>,
    frames: Vec<Frame<'t>>,
    /// Bindings being resolved (by declaration offset): a binding that refers to itself through
    /// its assignments (`a = a + b`) contributes nothing new the second time.
    visiting: Vec<usize>,
}

impl Walk<'_> {
    fn spend(&mut self) -> bool {
        if self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        true
    }
}

impl<'t> TsModel<'t> {
    /// Where the value of `node` comes from (see the module documentation).
    pub fn origin(&self, node: Node<'t>) -> Origin {
        self.origin_for(node, None)
    }

    /// Where the value of `node` comes from, for a sink of `kind`: sanitisers the models declare
    /// for other kinds only do not count (with `None`, only those for every kind do).
    pub fn origin_for(&self, node: Node<'t>, kind: Option<SinkKind>) -> Origin {
        let mut walk = Walk { budget: BUDGET, kind, frames: Vec::new(), visiting: Vec::new() };
        self.origin_in(node, node, &mut walk)
    }

    /// Whether a URL built as `${base}/…` (or `base + "/…"`) starts with a value that is not
    /// request data, directly followed by a path: that value (a configured base URL, a stored
    /// provider's address) fixes the scheme and the host, so request data after it reaches only
    /// the path, which is no server-side request forgery and no open redirect.
    pub fn host_fixed_by_leading_value(&self, node: Node<'t>) -> bool {
        let node = self.unwrap_expression(node);
        let node = match node.kind() {
            // A name bound once: what it was bound to.
            "identifier" => match self.binding(node) {
                Some(binding) if binding.assigned.is_empty() => match binding.value {
                    Some(value) => self.unwrap_expression(value),
                    None => return false,
                },
                _ => return false,
            },
            _ => node,
        };
        let (leading, rest) = match node.kind() {
            "template_string" => {
                let Some(first) = named_children(node).find(|c| c.kind() == "template_substitution") else { return false };
                if first.start_byte() != node.start_byte() + 1 {
                    return false;
                }
                let after = &self.src[first.end_byte()..node.end_byte() - 1];
                (named_children(first).next(), after.to_string())
            }
            "binary_expression" => {
                // The leftmost operand of a `+` chain, and the literal text that follows it.
                let mut left = node;
                let mut right = None;
                while left.kind() == "binary_expression" && left.field("operator").is_some_and(|o| self.text(o) == "+") {
                    right = left.field("right");
                    left = match left.field("left") {
                        Some(next) => self.unwrap_expression(next),
                        None => return false,
                    };
                }
                let Some(text) = right.and_then(|r| self.string_value(r).or_else(|| Some(constant_prefix(r, self, 0)))) else {
                    return false;
                };
                (Some(left), text)
            }
            _ => return false,
        };
        let Some(leading) = leading else { return false };
        let path_follows = rest.starts_with('/') && !rest.starts_with("//");
        path_follows && !matches!(self.origin(leading), Origin::Request(_) | Origin::Parameter(_) | Origin::Returned(_))
    }

    /// Whether `origin` is request data read from a parameter the framework parsed into a
    /// declared type (a NestJS `@Body() dto: CreateUserDto`, or one of its fields), looked up in
    /// the tree `near` is in.
    pub fn from_declared_parameter(&self, origin: &Origin, near: Node<'t>) -> bool {
        let Origin::Request(flow) = origin else { return false };
        let root = crate::lang::typescript::model::program_of(near);
        let Some(node) = root.descendant_for_byte_range(flow.source.start, flow.source.end) else { return false };
        let node = self.unwrap_expression(node);
        let read = match node.kind() {
            "member_expression" | "subscript_expression" => self.member_chain(node).map(|(root, _)| root),
            _ => Some(node),
        };
        read.is_some_and(|read| matches!(self.request_parameter(read), Some(RequestKind::Data)))
    }

    /// The request source `node` reads, if it is one: `req.body`, `req.query.id`, `ctx.request.body`,
    /// `req.get("host")`, a NestJS `@Body()` parameter.
    pub fn request_source(&self, node: Node<'t>) -> Option<Flow> {
        let node = self.unwrap_expression(node);
        let flow = |at: Node<'t>| Flow { source: span_of(at), source_text: crate::text::shorten(self.text(at), 60), steps: Vec::new() };
        match node.kind() {
            "member_expression" | "subscript_expression" => {
                let (root, path) = self.member_chain(node)?;
                let kind = self.request_parameter(root)?;
                let first = path.first()?.as_str();
                let member = |role: &str, name: &str| self.knowledge.request_member(Language::Typescript, role, name);
                let is_source = match kind {
                    RequestKind::Object(role) => {
                        member(role, first)
                            // Dotted members: Hono's `c.req.url`.
                            || path.get(1).is_some_and(|second| member(role, &format!("{first}.{second}")))
                            // Koa's `ctx.request.body` has the context's members.
                            || (role == "koa-context" && first == "request" && path.get(1).is_some_and(|p| member(role, p)))
                    }
                    // `args.userId` of `@Args() args: DonationArgs` declaring it a number is no text.
                    RequestKind::Data => !self.enclosing_parameter(root).is_some_and(|(_, p)| self.schema_typed_field(p, first)),
                };
                is_source.then(|| flow(node))
            }
            "call_expression" => {
                // A call the models (or the configuration) say returns request data: `reqBody(request)`.
                let parts = self.call_parts(node);
                if self.knowledge.source_call(Language::Typescript, &parts.name(self.import_specifiers())).is_some() {
                    return Some(flow(node));
                }
                // A getter of the request object: `req.get("host")`, `ctx.cookies.get("session")`.
                let callee = node.field("function")?;
                if callee.kind() != "member_expression" {
                    return None;
                }
                let (root, path) = self.member_chain(callee)?;
                let RequestKind::Object(role) = self.request_parameter(root)? else { return None };
                self.knowledge.request_getter(Language::Typescript, role, &path.join(".")).then(|| flow(node))
            }
            "identifier" | "shorthand_property_identifier" => {
                if !matches!(self.request_parameter(node), Some(RequestKind::Data)) {
                    return None;
                }
                // Point at the decorated parameter: `@Param('id') id: string` says where the data enters.
                let parameter = match self.enclosing_parameter(node) {
                    Some((_, parameter)) => parameter,
                    None => destructured_parameter(self, node)?.1,
                };
                Some(flow(parameter))
            }
            _ => None,
        }
    }

    fn origin_in(&self, node: Node<'t>, sink: Node<'t>, walk: &mut Walk<'t>) -> Origin {
        if !walk.spend() {
            return Origin::Dynamic;
        }
        let node = self.unwrap_expression(node);
        // `req.body.items.length`: a number, whatever it counts.
        if node.kind() == "member_expression" && node.field("property").is_some_and(|p| self.text(p) == "length") {
            return Origin::Safe;
        }
        if let Some(flow) = self.request_source(node) {
            if self.guarded_before(self.text(node), sink) {
                return Origin::Safe;
            }
            return Origin::Request(flow);
        }
        match node.kind() {
            "string" | "number" | "true" | "false" | "null" | "undefined" | "regex" => Origin::Constant,
            "template_string" => named_children(node)
                .filter(|c| c.kind() == "template_substitution")
                .filter_map(|c| c.named_child(0))
                .fold(Origin::Constant, |acc, part| acc.join(self.origin_in(part, sink, walk))),
            "binary_expression" => {
                let operator = node.field("operator").map(|o| self.text(o)).unwrap_or("");
                match operator {
                    "+" | "||" | "??" | "&&" => {
                        let left = node.field("left").map_or(Origin::Dynamic, |l| self.origin_in(l, sink, walk));
                        let right = node.field("right").map_or(Origin::Dynamic, |r| self.origin_in(r, sink, walk));
                        left.join(right)
                    }
                    // Arithmetic, comparisons, `instanceof`, `in`: a number or a boolean.
                    _ => Origin::Safe,
                }
            }
            "unary_expression" | "update_expression" => Origin::Safe,
            "ternary_expression" => {
                // `ALLOWED.includes(x) ? x : "default"`: the chosen branch is the checked value.
                if let (Some(condition), Some(consequence)) = (node.field("condition"), node.field("consequence")) {
                    if self.checks_membership(condition, self.text(self.unwrap_expression(consequence))) {
                        let alternative = node.field("alternative").map_or(Origin::Dynamic, |a| self.origin_in(a, sink, walk));
                        return Origin::Safe.join(alternative);
                    }
                }
                let consequence = node.field("consequence").map_or(Origin::Dynamic, |c| self.origin_in(c, sink, walk));
                let alternative = node.field("alternative").map_or(Origin::Dynamic, |a| self.origin_in(a, sink, walk));
                consequence.join(alternative)
            }
            "array" => named_children(node).fold(Origin::Constant, |acc, element| acc.join(self.origin_in(element, sink, walk))),
            "object" => named_children(node).fold(Origin::Constant, |acc, member| {
                let value = match member.kind() {
                    "pair" => member.field("value"),
                    "spread_element" | "shorthand_property_identifier" => Some(member),
                    _ => None,
                };
                value.map_or(acc.clone(), |v| acc.join(self.origin_in(v, sink, walk)))
            }),
            "spread_element" => node.named_child(0).map_or(Origin::Dynamic, |inner| self.origin_in(inner, sink, walk)),
            "identifier" | "shorthand_property_identifier" => self.identifier_origin(node, sink, walk),
            "member_expression" => self.member_origin(node, sink, walk),
            "subscript_expression" => node.field("object").map_or(Origin::Dynamic, |object| self.origin_in(object, sink, walk)),
            "call_expression" => self.call_origin(node, sink, walk),
            "new_expression" => {
                let constructor = node.field("constructor").and_then(|c| self.qualified_name(c));
                match constructor.as_deref() {
                    Some("URL" | "url.URL" | "String" | "URLSearchParams") => self.arguments_origin(node, sink, walk),
                    Some("Date" | "Number") => Origin::Safe,
                    _ => Origin::Dynamic,
                }
            }
            "arrow_function" | "function_expression" | "function" | "class" => Origin::Constant,
            _ => Origin::Dynamic,
        }
    }

    fn identifier_origin(&self, node: Node<'t>, sink: Node<'t>, walk: &mut Walk<'t>) -> Origin {
        let name = self.text(node);
        if matches!(name, "undefined" | "NaN" | "Infinity") {
            return Origin::Constant;
        }
        let binding = self.binding(node);
        let parameter = self.enclosing_parameter(node);
        // A parameter of a function nested inside the binding's scope shadows the binding.
        let use_parameter = match (binding, parameter) {
            (Some(binding), Some((function, _))) => span_of(function).start > binding.scope.start,
            (None, Some(_)) => true,
            _ => false,
        };
        if use_parameter {
            let (function, parameter) = parameter.expect("checked above");
            // Inside a followed local function: the parameter is the caller's argument.
            if let Some(index) = walk.frames.iter().rposition(|f| f.function == function) {
                let position = function_parameters(function).iter().position(|p| *p == parameter);
                let argument = position.and_then(|i| walk.frames[index].arguments.get(i).copied());
                return match argument {
                    Some(argument) => {
                        // The argument is evaluated where the call is, outside this frame and the ones it opened.
                        let inner = walk.frames.split_off(index);
                        let origin = self.origin_in(argument, sink, walk);
                        walk.frames.extend(inner);
                        origin
                    }
                    None => Origin::Constant,
                };
            }
            let origin = self.parameter_origin(parameter);
            if origin.is_request() && self.guarded_before(name, sink) {
                return Origin::Safe;
            }
            // A parameter of a named function: its callers (in this file or others) decide,
            // unless the function checks it against a list before the sink.
            if origin == Origin::Dynamic && walk.frames.is_empty() {
                let named = self.function_key(function).zip(function_parameters(function).iter().position(|p| *p == parameter));
                if named.is_some() && self.guarded_before(name, sink) {
                    return Origin::Safe;
                }
                if let Some((function, index)) = named {
                    let flow = Flow { source: span_of(parameter), source_text: name.to_string(), steps: Vec::new() };
                    return Origin::Parameter(vec![crate::taint::ParameterFlow { function, index, flow }]);
                }
            }
            return origin;
        }
        let Some(binding) = binding else {
            // Imports and globals: module-level configuration, not data.
            return Origin::Constant;
        };
        let declaration = binding.name_node.parent().unwrap_or(binding.name_node);
        if walk.visiting.contains(&binding.declared_at) {
            return Origin::Constant;
        }
        walk.visiting.push(binding.declared_at);
        let mut origin = match (binding.value, binding.destructured_from) {
            (Some(value), _) => self.origin_in(value, sink, walk),
            (None, Some(whole)) => self.origin_in(whole, sink, walk),
            (None, None) if binding.assigned.is_empty() => Origin::Dynamic,
            (None, None) => Origin::Constant,
        };
        for assigned in &binding.assigned {
            origin = origin.join(self.origin_in(*assigned, sink, walk));
        }
        walk.visiting.pop();
        if origin.is_request() && self.guarded_before(name, sink) {
            return Origin::Safe;
        }
        origin.through(span_of(declaration))
    }

    fn member_origin(&self, node: Node<'t>, sink: Node<'t>, walk: &mut Walk<'t>) -> Origin {
        let property = node.field("property").map(|p| self.text(p)).unwrap_or("");
        if property == "length" {
            return Origin::Safe;
        }
        let Some(object) = node.field("object") else { return Origin::Dynamic };
        let object = self.unwrap_expression(object);
        match object.kind() {
            // `process.env.X`: operator configuration.
            _ if self.member_path(node).is_some_and(|p| p.starts_with("process.env")) => Origin::Safe,
            // `this.table`: what the class puts in the field, wherever it does.
            "this" => self.this_field_origin(property, node, sink, walk),
            // `Status.Active`, `Tables.USERS`, imported namespaces: fixed by the program.
            "identifier" if self.binding(object).is_none() && self.enclosing_parameter(object).is_none() => Origin::Constant,
            // `args.userId` where `@Args() args: DonationArgs` declares `userId` a number.
            "identifier" if self.enclosing_parameter(object).is_some_and(|(_, parameter)| self.schema_typed_field(parameter, property)) => {
                Origin::Safe
            }
            _ => {
                // `config.db.table` where `const config = {...}` resolves to a literal.
                let resolved = self.resolve(node);
                if resolved != node {
                    return self.origin_in(resolved, sink, walk);
                }
                self.origin_in(object, sink, walk)
            }
        }
    }

    /// The value of `this.<field>`: the join of the field's initialiser and of every assignment
    /// to it in the class (`this.table = \`${PREFIX}_${date}\``). A field the class never
    /// assigns (a constructor parameter property, one set from outside) is unknown.
    fn this_field_origin(&self, field: &str, node: Node<'t>, sink: Node<'t>, walk: &mut Walk<'t>) -> Origin {
        let mut class = node.parent();
        while let Some(n) = class {
            if matches!(n.kind(), "class_declaration" | "class" | "abstract_class_declaration") {
                break;
            }
            class = n.parent();
        }
        let Some(class) = class.and_then(|c| c.field("body")) else { return Origin::Dynamic };
        let mut values = Vec::new();
        for n in descendants(class) {
            match n.kind() {
                "public_field_definition" if n.field("name").is_some_and(|name| self.text(name) == field) => {
                    if let Some(value) = n.field("value") {
                        values.push(value);
                    }
                }
                "assignment_expression" | "augmented_assignment_expression" => {
                    let Some(left) = n.field("left") else { continue };
                    let is_field = left.kind() == "member_expression"
                        && left.field("object").is_some_and(|o| o.kind() == "this")
                        && left.field("property").is_some_and(|p| self.text(p) == field);
                    if is_field {
                        values.extend(n.field("right"));
                    }
                }
                // A parameter property (`constructor(private table: string)`) comes from the caller.
                "required_parameter" | "optional_parameter"
                    if n.child(0).is_some_and(|c| c.kind() == "accessibility_modifier")
                        && n.field("pattern").is_some_and(|p| self.text(p) == field) =>
                {
                    return Origin::Dynamic;
                }
                _ => {}
            }
        }
        if values.is_empty() || values.len() > 8 {
            return Origin::Dynamic;
        }
        values.into_iter().fold(Origin::Constant, |acc, value| acc.join(self.origin_in(value, sink, walk)))
    }

    fn call_origin(&self, node: Node<'t>, sink: Node<'t>, walk: &mut Walk<'t>) -> Origin {
        let Some(callee) = node.field("function") else { return Origin::Dynamic };
        // Tagged templates (`sql\`…\``) build parameterised values, not strings.
        if node.field("arguments").is_some_and(|a| a.kind() == "template_string") {
            return Origin::Safe;
        }
        let parts = self.call_parts(node);
        // A local function is named as written (`basename` destructured from `path`).
        let local_name = parts.qualified.is_none().then(|| self.member_path(callee)).flatten();
        let mut call = parts.name(self.import_specifiers());
        call.qualified = call.qualified.or(local_name.as_deref());
        call.unimported_modules = true;
        let last = parts.method.as_deref().unwrap_or("");
        // Known functions by full name first: `JSON.parse` and `util.format` pass data on, whatever
        // a method merely named `parse` or `format` does.
        let sanitizers = self.knowledge.sanitizers(Language::Typescript, &call);
        let propagators = self.knowledge.propagators(Language::Typescript, &call);
        let kind = walk.kind;
        let sanitiser = |by_method: bool| sanitizers.iter().any(|s| s.callee.is_method() == by_method && s.makes_safe(kind));
        if sanitiser(false) {
            return Origin::Safe;
        }
        // A sanitiser for other kinds of sink hands its argument on, unchanged for this kind.
        let other_kinds = sanitizers.iter().any(|s| !s.callee.is_method());
        if propagators.iter().any(|p| !p.callee.is_method()) || other_kinds {
            return self.arguments_origin(node, sink, walk);
        }
        if callee.kind() == "member_expression" && sanitiser(true) {
            return Origin::Safe;
        }
        if callee.kind() == "identifier" {
            if let Some(origin) = self.local_function_origin(node, callee, sink, walk) {
                return origin;
            }
        }
        if callee.kind() == "member_expression" && propagators.iter().any(|p| p.callee.is_method()) {
            let receiver = callee.field("object").map_or(Origin::Dynamic, |o| self.origin_in(o, sink, walk));
            // The methods whose arguments end up in the result too.
            let arguments = if matches!(last, "concat" | "replace" | "replaceAll" | "padStart" | "padEnd") {
                self.arguments_origin(node, sink, walk)
            } else {
                Origin::Constant
            };
            return receiver.join(arguments);
        }
        // `searchParams.get("q")`, `formData.get("file")` on request data: the entry is the client's.
        if callee.kind() == "member_expression" && matches!(last, "get" | "getAll") {
            if let Some(receiver) = callee.field("object") {
                let origin = self.origin_in(receiver, sink, walk);
                if origin.is_request() {
                    return origin;
                }
            }
        }
        self.returned_origin(node, callee, sink, walk)
    }

    /// A call of a function of another file (or one this walk does not follow): what it returns
    /// is for the project pass to say, from the callee's summary, with the request data passed
    /// to it.
    fn returned_origin(&self, call: Node<'t>, callee: Node<'t>, sink: Node<'t>, walk: &mut Walk<'t>) -> Origin {
        let Some(callee) = super::calls::callee(self, callee) else { return Origin::Dynamic };
        let mut arguments = Vec::new();
        for (index, argument) in
            call.field("arguments").map(|a| named_children(a).collect::<Vec<_>>()).unwrap_or_default().into_iter().enumerate()
        {
            if let Origin::Request(flow) = self.origin_in(argument, sink, walk) {
                arguments.push((index, flow));
            }
        }
        Origin::Returned(vec![crate::taint::ReturnedFlow { callee, call: span_of(call), arguments, steps: Vec::new() }])
    }

    /// A call of a function written in this file (`buildQuery(req.query.sort)`): what it returns,
    /// with its parameters standing for the arguments. Recursion and deep nesting end the walk.
    fn local_function_origin(&self, call: Node<'t>, callee: Node<'t>, sink: Node<'t>, walk: &mut Walk<'t>) -> Option<Origin> {
        let function = self.binding(callee)?.value.map(|v| self.unwrap_expression(v))?;
        if !is_function_like(function.kind()) || walk.frames.len() >= MAX_FRAMES || walk.frames.iter().any(|f| f.function == function) {
            return None;
        }
        let arguments = call.field("arguments").map(|a| named_children(a).collect()).unwrap_or_default();
        let body = function.field("body")?;
        let returned: Vec<Node<'t>> = if body.kind() == "statement_block" {
            descendants(body)
                .filter(|n| n.kind() == "return_statement" && enclosing_function(*n) == Some(function))
                .filter_map(|r| r.named_child(0))
                .collect()
        } else {
            vec![body]
        };
        walk.frames.push(Frame { function, arguments });
        let origin = returned.into_iter().fold(Origin::Constant, |acc, value| acc.join(self.origin_in(value, sink, walk)));
        walk.frames.pop();
        Some(origin.through(span_of(call)))
    }

    fn arguments_origin(&self, node: Node<'t>, sink: Node<'t>, walk: &mut Walk<'t>) -> Origin {
        let Some(arguments) = node.field("arguments") else { return Origin::Constant };
        named_children(arguments).fold(Origin::Constant, |acc, argument| acc.join(self.origin_in(argument, sink, walk)))
    }

    /// The name other code calls a function by, as this file declares it: `build` (a function
    /// declaration, a `const` arrow function, `exports.build = ..`), `ReportsService.find` (a
    /// class method or arrow-function field), `reports.build` (a method of an object literal bound
    /// to `reports`), `default` and `default.build` (the default export). `None` for functions
    /// nobody can name: callbacks, nested functions.
    pub fn function_key(&self, function: Node<'t>) -> Option<String> {
        let parent = function.parent()?;
        match (function.kind(), parent.kind()) {
            ("function_declaration" | "generator_function_declaration", _) => {
                let name = self.text(function.field("name")?);
                match parent.kind() {
                    "program" | "export_statement" => Some(name.to_string()),
                    _ => None,
                }
            }
            ("method_definition", "class_body") => {
                let class = parent.parent()?;
                let method = self.text(function.field("name")?);
                Some(format!("{}.{method}", self.text(class.field("name")?)))
            }
            ("method_definition", "object") => {
                let method = self.text(function.field("name")?);
                Some(self.object_member_key(parent, method)?)
            }
            (_, "variable_declarator") if parent.field("value") == Some(function) => {
                let name = parent.field("name").filter(|n| n.kind() == "identifier")?;
                // Only module-level bindings: a closure bound inside a function is not called from elsewhere.
                (enclosing_function(parent).is_none_or(|f| f.kind() == "program")).then(|| self.text(name).to_string())
            }
            (_, "pair") if parent.field("value") == Some(function) => {
                let key = parent.field("key")?;
                let key = self.string_literal(key).unwrap_or_else(|| self.text(key).to_string());
                self.object_member_key(parent.parent()?, &key)
            }
            (_, "public_field_definition") => {
                let class = parent.parent()?.parent()?;
                let field = self.text(parent.field("name")?);
                Some(format!("{}.{field}", self.text(class.field("name")?)))
            }
            (_, "export_statement") => Some("default".to_string()),
            (_, "assignment_expression") if parent.field("right") == Some(function) => {
                let target = self.member_path(parent.field("left")?)?;
                match target.as_str() {
                    "module.exports" => Some("default".to_string()),
                    _ => target.strip_prefix("module.exports.").or_else(|| target.strip_prefix("exports.")).map(str::to_string),
                }
            }
            _ => None,
        }
    }

    /// The name of `member` of an object literal: `reports.build` where `const reports = {..}`,
    /// `default.build` for `export default {..}`, `build` for `module.exports = {..}`.
    fn object_member_key(&self, object: Node<'t>, member: &str) -> Option<String> {
        let owner = object.parent()?;
        match owner.kind() {
            "variable_declarator" => {
                let name = owner.field("name").filter(|n| n.kind() == "identifier")?;
                (enclosing_function(owner).is_none_or(|f| f.kind() == "program")).then(|| format!("{}.{member}", self.text(name)))
            }
            "export_statement" => Some(format!("default.{member}")),
            "assignment_expression" if self.member_path(owner.field("left")?).as_deref() == Some("module.exports") => {
                Some(member.to_string())
            }
            _ => None,
        }
    }

    /// The innermost enclosing function that declares a parameter named like `identifier`, and
    /// that parameter's node.
    fn enclosing_parameter(&self, identifier: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
        // Asked several times of each identifier a question passes (and by several rules).
        let known = self.enclosing_parameters.borrow().get(&identifier.id()).copied();
        if let Some(known) = known {
            let (function, parameter) = known?;
            let function = std::iter::successors(identifier.parent(), |n| n.parent()).find(|n| n.id() == function)?;
            let parameter = function_parameters(function).into_iter().find(|p| p.id() == parameter)?;
            return Some((function, parameter));
        }
        let found = self.find_enclosing_parameter(identifier);
        self.enclosing_parameters.borrow_mut().insert(identifier.id(), found.map(|(f, p)| (f.id(), p.id())));
        found
    }

    fn find_enclosing_parameter(&self, identifier: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
        let name = self.text(identifier);
        let mut current = identifier.parent();
        while let Some(node) = current {
            if is_function_like(node.kind()) {
                if let Some(parameter) = function_parameters(node).into_iter().find(|p| parameter_binds(self, *p, name)) {
                    return Some((node, parameter));
                }
            }
            current = node.parent();
        }
        None
    }

    /// What a request-carrying parameter is, if `identifier` names one (directly, or by
    /// destructuring a parameter: `({ input }) =>`).
    fn request_parameter(&self, identifier: Node<'t>) -> Option<RequestKind> {
        if identifier.kind() != "identifier" && identifier.kind() != "shorthand_property_identifier" {
            return None;
        }
        if self
            .binding(identifier)
            .is_some_and(|b| self.enclosing_parameter(identifier).is_none_or(|(f, _)| span_of(f).start <= b.scope.start))
        {
            return None;
        }
        let Some((function, parameter)) = self.enclosing_parameter(identifier) else {
            let (function, parameter, key) = destructured_parameter(self, identifier)?;
            // `@Args() { userId }: DonationArgs` with `@Field(() => Int) userId: number`.
            if self.schema_typed_field(parameter, key) {
                return None;
            }
            return match self.parameter_kind(function, parameter, None)? {
                RequestKind::Data => Some(RequestKind::Data),
                RequestKind::Object(role) => self.knowledge.request_member(Language::Typescript, role, key).then_some(RequestKind::Data),
            };
        };
        self.parameter_kind(function, parameter, Some(self.text(identifier)))
    }

    /// The role of a parameter of `function`: by its decorator (NestJS), by the conventions of
    /// the frameworks that register the function, or by the name (`name`, when it is a plain
    /// identifier) Express and Koa handlers give it.
    fn parameter_kind(&self, function: Node<'t>, parameter: Node<'t>, name: Option<&str>) -> Option<RequestKind> {
        if let Some(kind) = self.nest_request_parameter(parameter) {
            return kind;
        }
        let parameters = function_parameters(function);
        let index = parameters.iter().position(|p| *p == parameter)?;
        if let Some(kind) = self.conventional_parameter(function, index) {
            return Some(kind);
        }
        let annotation = parameter.field("type").map(|t| self.text(t)).unwrap_or("");
        let registered = self.handler_at(function.start_byte()).filter(|h| h.span == span_of(function));
        match (name, registered) {
            // `(req, res)`, `(request, reply)`, `req: Request`: the Node HTTP frameworks' convention.
            (Some("req" | "request"), _)
                if index == 0 && (registered.is_some() || parameters.len() >= 2 || annotation.contains("Request")) =>
            {
                Some(RequestKind::Object("request"))
            }
            (Some("ctx" | "context"), _)
                if index == 0 && (registered.is_some() || annotation.contains("Context")) && !annotation.contains("Execution") =>
            {
                Some(RequestKind::Object("koa-context"))
            }
            // A registered handler's destructured first parameter: `({ body }, res) =>`.
            (None, Some(handler)) if index == 0 => Some(RequestKind::Object(match handler.framework {
                Framework::Koa => "koa-context",
                _ => "request",
            })),
            _ => None,
        }
    }

    /// NestJS: `@Body() dto`, `@Query('q') q`, `@Param('id', ParseIntPipe) id` (numeric: safe),
    /// `@Req() req` (a request object); the models' data decorators (`@Args()`, `@Payload()`).
    /// `None` when the parameter has no request decorator.
    fn nest_request_parameter(&self, parameter: Node<'t>) -> Option<Option<RequestKind>> {
        for decorator in children_by_field(parameter, "decorator") {
            let Some((name, arguments)) = decorator_name(self, decorator) else { continue };
            let parsed = arguments.is_some_and(|a| {
                named_children(a).any(|arg| {
                    let text = self.text(arg);
                    ["ParseInt", "ParseFloat", "ParseBool", "ParseUUID", "ParseEnum", "ParseArray"].iter().any(|p| text.contains(p))
                })
            });
            match name {
                "Req" | "Request" => return Some(Some(RequestKind::Object("request"))),
                // `@Arg("id", () => Int) id: number`: the schema made it a number.
                _ if self.knowledge.is_schema_typed_decorator(name) && schema_scalar(self, parameter, decorator, None) => {
                    return Some(None)
                }
                _ if self.knowledge.is_data_decorator(name) => return Some((!parsed).then_some(RequestKind::Data)),
                // Other decorators (`@Inject()`, `@Ctx()`) say nothing of request data.
                _ => continue,
            }
        }
        None
    }

    /// Whether `key` of a schema-typed parameter (`@Args() args: DonationArgs`) is declared a
    /// number or boolean by its input class in this file (`@Field(() => Int) userId: number`).
    fn schema_typed_field(&self, parameter: Node<'t>, key: &str) -> bool {
        children_by_field(parameter, "decorator").any(|decorator| {
            decorator_name(self, decorator).is_some_and(|(name, _)| self.knowledge.is_schema_typed_decorator(name))
                && schema_scalar(self, parameter, decorator, Some(key))
        })
    }

    fn parameter_origin(&self, parameter: Node<'t>) -> Origin {
        match self.nest_request_parameter(parameter) {
            Some(Some(RequestKind::Data)) => {
                let at = parameter.field("pattern").unwrap_or(parameter);
                Origin::Request(Flow {
                    source: span_of(at),
                    source_text: crate::text::shorten(self.text(parameter), 60),
                    steps: Vec::new(),
                })
            }
            Some(_) => Origin::Safe,
            None => Origin::Dynamic,
        }
    }

    /// Whether `condition` is an allowlist membership test of `value`'s text:
    /// `LIST.includes(value)`, `set.has(value)`, `/re/.test(value)`.
    fn checks_membership(&self, condition: Node<'t>, value: &str) -> bool {
        let condition = self.unwrap_expression(condition);
        // `sort === "asc" ? sort : "desc"`: the branch taken when the value equals a literal.
        if condition.kind() == "binary_expression" {
            let operator = condition.field("operator").map(|o| self.text(o)).unwrap_or("");
            return matches!(operator, "===" | "==")
                && [("left", "right"), ("right", "left")].iter().any(|(a, b)| {
                    condition.field(a).is_some_and(|x| self.text(x) == value) && condition.field(b).is_some_and(|y| y.kind() == "string")
                });
        }
        if condition.kind() != "call_expression" {
            return false;
        }
        let Some(callee) = condition.field("function").filter(|c| c.kind() == "member_expression") else { return false };
        let method = callee.field("property").map(|p| self.text(p)).unwrap_or("");
        matches!(method, "includes" | "has" | "test")
            && condition.field("arguments").is_some_and(|a| named_children(a).any(|arg| self.text(arg) == value))
    }

    /// `req.query.sort` → (`req`, ["query", "sort"]); `req["body"]` → (`req`, ["body"]); computed
    /// indexes end the path.
    fn member_chain(&self, node: Node<'t>) -> Option<(Node<'t>, Vec<String>)> {
        let mut path = Vec::new();
        let mut current = node;
        loop {
            current = self.unwrap_expression(current);
            match current.kind() {
                "member_expression" => {
                    path.push(self.text(current.field("property")?).to_string());
                    current = current.field("object")?;
                }
                "subscript_expression" => {
                    let index = current.field("index")?;
                    match self.string_literal(index) {
                        Some(key) => path.push(key),
                        None => path.clear(),
                    }
                    current = current.field("object")?;
                }
                "identifier" => {
                    path.reverse();
                    return Some((current, path));
                }
                _ => return None,
            }
        }
    }

    /// Whether the function holding `name` checks it against an allowlist or a safe shape before
    /// the sink: `ALLOWED.includes(name)`, `set.has(name)`, `/^\w+$/.test(name)`,
    /// `name.startsWith("/")`, `name === "asc"`, `switch (name)`.
    fn guarded_before(&self, name: &str, sink: Node<'t>) -> bool {
        let Some(function) = enclosing_function(sink) else { return false };
        let key = (function.id(), name.to_string());
        let known = self.guards.borrow().get(&key).cloned();
        let checks = known.unwrap_or_else(|| {
            let checks: std::rc::Rc<[usize]> = self.checks_of(name, function).into();
            self.guards.borrow_mut().insert(key, checks.clone());
            checks
        });
        checks.first().is_some_and(|first| *first < sink.start_byte())
    }

    /// Where in `function` `name` is checked against a list or a shape (see
    /// [`Self::guarded_before`]), in source order.
    fn checks_of(&self, name: &str, function: Node<'t>) -> Vec<usize> {
        descendants(function).filter(|n| self.checks_name(*n, name)).map(|n| n.start_byte()).collect()
    }

    /// Whether `n` checks `name`.
    fn checks_name(&self, n: Node<'t>, name: &str) -> bool {
        match n.kind() {
            "call_expression" => {
                let Some(callee) = n.field("function").filter(|c| c.kind() == "member_expression") else { return false };
                let method = callee.field("property").map(|p| self.text(p)).unwrap_or("");
                if !GUARD_METHODS.contains(&method) {
                    return false;
                }
                let receiver_is_name = callee.field("object").is_some_and(|o| self.text(o) == name);
                let argument_is_name = n.field("arguments").is_some_and(|a| named_children(a).any(|arg| self.text(arg) == name));
                argument_is_name || (receiver_is_name && matches!(method, "startsWith" | "endsWith" | "test"))
            }
            // A comparison that is a ternary's condition picks a branch: the ternary decides
            // (`x === "undefined" ? "" : x` passes the unchecked value on).
            "binary_expression" if is_ternary_condition(n) => false,
            "binary_expression" => {
                let operator = n.field("operator").map(|o| self.text(o)).unwrap_or("");
                matches!(operator, "===" | "!==" | "==" | "!=")
                    && [("left", "right"), ("right", "left")]
                        .iter()
                        .any(|(a, b)| n.field(a).is_some_and(|x| self.text(x) == name) && n.field(b).is_some_and(|y| y.kind() == "string"))
            }
            "switch_statement" => n.field("value").is_some_and(|v| self.text(v).trim_matches(['(', ')']) == name),
            _ => false,
        }
    }
}

/// Whether a formal parameter binds `name` directly (`req`, `req: Request`, `@Body() dto: Dto`).
fn parameter_binds(model: &TsModel<'_>, parameter: Node<'_>, name: &str) -> bool {
    let pattern = parameter.field("pattern").unwrap_or(parameter);
    pattern.kind() == "identifier" && model.text(pattern) == name
}

/// Whether `node` is the condition of a ternary (through parentheses).
fn is_ternary_condition(node: Node<'_>) -> bool {
    let mut current = node;
    while let Some(parent) = current.parent() {
        match parent.kind() {
            "parenthesized_expression" => current = parent,
            "ternary_expression" => return parent.field("condition") == Some(current),
            _ => return false,
        }
    }
    false
}

/// The innermost function around `node`, or the program.
fn enclosing_function(node: Node<'_>) -> Option<Node<'_>> {
    let mut current = node.parent();
    while let Some(n) = current {
        if is_function_like(n.kind()) || n.parent().is_none() {
            return Some(n);
        }
        current = n.parent();
    }
    None
}

/// Whether a schema-typed argument (or, with `key`, a field of its input class) is declared a
/// number or boolean: by its TypeScript type (`id: number`, `ids: number[]`) or by the schema
/// type the decorator names (`@Arg("id", () => Int)`, `@Field((_type) => [Float])`).
fn schema_scalar(model: &TsModel<'_>, parameter: Node<'_>, decorator: Node<'_>, key: Option<&str>) -> bool {
    let Some(key) = key else {
        return declared_scalar(model, parameter.field("type"), Some(decorator));
    };
    // The input class, declared in this file.
    let Some(class_name) = parameter.field("type").and_then(|t| t.named_child(0)).filter(|t| t.kind() == "type_identifier") else {
        return false;
    };
    let class_name = model.text(class_name);
    let root = crate::lang::typescript::model::program_of(parameter);
    descendants(root)
        .filter(|n| matches!(n.kind(), "class_declaration" | "abstract_class_declaration"))
        .filter(|class| class.field("name").is_some_and(|n| model.text(n) == class_name))
        .filter_map(|class| class.field("body"))
        .flat_map(|body| named_children(body).filter(|m| m.kind() == "public_field_definition"))
        .find(|field| field.field("name").is_some_and(|n| model.text(n) == key))
        .is_some_and(|field| declared_scalar(model, field.field("type"), children_by_field(field, "decorator").next()))
}

/// A type annotation (`: number`, `?: boolean | null`, `: number[]`) or a decorator's schema type
/// function (`() => Int`, `(type) => [Float]`) that makes the value a number or boolean.
fn declared_scalar(model: &TsModel<'_>, annotation: Option<Node<'_>>, decorator: Option<Node<'_>>) -> bool {
    let scalar_text = |text: &str| {
        let parts: Vec<&str> =
            text.split('|').map(|p| p.trim().trim_end_matches("[]")).filter(|p| !matches!(*p, "null" | "undefined")).collect();
        !parts.is_empty() && parts.iter().all(|p| matches!(*p, "number" | "boolean" | "bigint"))
    };
    // The schema type the decorator's type function names decides (`() => ID` on a `number` is
    // still text: GraphQL's `ID` takes strings); without one, the framework reads the TypeScript
    // type (type-graphql and NestJS make `number` a `Float`).
    let schema_type = decorator.and_then(|d| descendants(d).filter(|n| n.kind() == "arrow_function").find_map(|f| f.field("body")));
    match schema_type {
        Some(body) => {
            let text = model.text(body).trim_matches(|c| c == '[' || c == ']' || c == '(' || c == ')');
            matches!(text, "Int" | "Float" | "Boolean" | "GraphQLInt" | "GraphQLFloat" | "GraphQLBoolean" | "Number")
        }
        None => annotation.and_then(|t| t.named_child(0)).is_some_and(|t| scalar_text(model.text(t))),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{build_model, index_tree, kind_tables, parse};
    use super::*;
    use crate::source::{Language, SourceFile};

    /// The origin of the first argument of the first `sink(...)` call in `code`.
    fn origin_of(code: &str) -> Origin {
        let file = SourceFile::new("t.ts".into(), "t.ts".into(), Language::TypeScript, code.into(), false);
        let tree = parse(&file).unwrap();
        let model = build_model(&file, crate::models::Knowledge::builtin(), index_tree(tree.root_node(), &kind_tables()[0], &[]).recorded);
        let call = descendants(tree.root_node())
            .find(|n| n.kind() == "call_expression" && n.field("function").is_some_and(|f| model.text(f) == "sink"))
            .expect("a sink call");
        let argument = call.field("arguments").and_then(|a| a.named_child(0)).expect("an argument");
        model.origin(argument)
    }

    fn source_text(origin: &Origin) -> &str {
        &origin.flow().unwrap_or_else(|| panic!("expected request data, got {origin:?}")).source_text
    }

    #[test]
    fn express_request_data_flows_through_bindings_and_templates() {
        let origin = origin_of(
            "app.get('/u', (req, res) => { const { sort } = req.query; const sql = `SELECT * FROM u ORDER BY ${sort}`; sink(sql); });",
        );
        assert_eq!(source_text(&origin), "req.query");
        assert_eq!(origin.flow().unwrap().steps.len(), 2, "the destructuring and the template binding are steps");
    }

    #[test]
    fn request_getters_concatenation_and_string_methods() {
        assert_eq!(source_text(&origin_of("function h(req, res) { sink('a' + req.get('host').trim()); }")), "req.get('host')");
        assert_eq!(source_text(&origin_of("function h(req: Request) { let q = 'x'; q += req.body.name; sink(q); }")), "req.body.name");
    }

    #[test]
    fn koa_fastify_and_nest_sources() {
        assert_eq!(source_text(&origin_of("router.post('/x', async (ctx) => { sink(ctx.request.body.path); });")), "ctx.request.body.path");
        assert_eq!(
            source_text(&origin_of("fastify.get('/x', async (request, reply) => { sink(request.params.id); });")),
            "request.params.id"
        );
        let nest = "@Controller('u') class C { @Get(':id') find(@Param('id') id: string) { return sink(`/files/${id}`); } }";
        assert_eq!(source_text(&origin_of(nest)), "@Param('id') id: string");
    }

    #[test]
    fn sanitisers_and_numeric_values_are_safe() {
        assert_eq!(origin_of("function h(req, res) { sink(`LIMIT ${parseInt(req.query.n, 10)}`); }"), Origin::Safe);
        assert_eq!(origin_of("function h(req, res) { sink(schema.parse(req.body)); }"), Origin::Safe);
        assert_eq!(origin_of("function h(req, res) { sink(path.basename(req.params.file)); }"), Origin::Safe);
        assert!(origin_of("import path from 'node:path'; function h(req, res) { sink(path.join('/srv', req.params.file)); }").is_request());
        assert!(origin_of("function h(req, res) { sink(JSON.parse(req.body.raw).cmd); }").is_request(), "JSON.parse passes data on");
        let nest = "@Controller('u') class C { @Get(':id') find(@Param('id', ParseIntPipe) id: number) { return sink(`${id}`); } }";
        assert_eq!(origin_of(nest), Origin::Safe);
    }

    #[test]
    fn allowlist_checks_before_the_sink_make_request_data_safe() {
        let code =
            "function h(req, res) { const dir = req.query.dir; if (!['asc', 'desc'].includes(dir)) return; sink(`ORDER BY ${dir}`); }";
        assert_eq!(origin_of(code), Origin::Safe);
        let code = "function h(req, res) { const e = req.query.ext; sink(`f.${['png', 'jpg'].includes(e.toLowerCase()) ? e.toLowerCase() : 'png'}`); }";
        assert_eq!(origin_of(code), Origin::Safe, "a ternary that picks the checked value");
        let code = "function h(req, res) { const dir = req.query.dir; sink(`ORDER BY ${dir}`); if (ALLOWED.includes(dir)) {} }";
        assert!(origin_of(code).is_request(), "a check after the sink guards nothing");
    }

    #[test]
    fn a_comparison_that_picks_a_branch_checks_only_that_branch() {
        let passed_on = "function h(req, res) { const x = req.query.x; sink(`f/${x === 'undefined' ? '' : x}`); }";
        assert!(origin_of(passed_on).is_request(), "the unchecked value is the branch taken");
        let negated = "function h(req, res) { const x = req.query.x; sink(`f/${x !== 'undefined' ? x : ''}`); }";
        assert!(origin_of(negated).is_request());
        let picked = "function h(req, res) { const x = req.query.x; sink(`ORDER BY ${x === 'asc' ? x : 'desc'}`); }";
        assert_eq!(origin_of(picked), Origin::Safe, "the branch where it equals a literal");
        let guard = "function h(req, res) { const x = req.query.x; if (x !== 'asc') return; sink(`ORDER BY ${x}`); }";
        assert_eq!(origin_of(guard), Origin::Safe, "a comparison outside a ternary still guards");
    }

    #[test]
    fn constants_parameters_and_unknown_calls() {
        assert_eq!(origin_of("const T = 'users'; function f() { sink(`SELECT * FROM ${T}`); }"), Origin::Constant);
        assert_eq!(origin_of("function f() { sink(`SELECT * FROM ${Tables.USERS} WHERE s = ${process.env.SCHEMA}`); }"), Origin::Safe);
        assert_eq!(parameters(&origin_of("function f(table) { sink(`SELECT * FROM ${table}`); }")), vec![("f".into(), 0)]);
        assert_eq!(origin_of("function f() { sink(`SELECT ${compute()}`); }"), Origin::Dynamic);
        // `req` that is not a request: one parameter, no type, not a registered handler.
        assert_eq!(parameters(&origin_of("function f(req) { sink(req.body); }")), vec![("f".into(), 0)]);
        // Tagged templates parameterise their substitutions.
        assert_eq!(origin_of("function h(req, res) { sink(sql`SELECT ${req.query.id}`); }"), Origin::Safe);
    }

    /// The (function, parameter) pairs of an origin made of parameters.
    fn parameters(origin: &Origin) -> Vec<(String, usize)> {
        match origin {
            Origin::Parameter(parameters) => parameters.iter().map(|p| (p.function.clone(), p.index)).collect(),
            other => panic!("expected parameters, got {other:?}"),
        }
    }

    #[test]
    fn parameters_of_named_functions_are_named_as_other_files_call_them() {
        let cases = [
            ("export function build(a, b) { sink(`${a}${b}`); }", vec![("build", 0), ("build", 1)]),
            ("export const build = async (owner) => sink(owner);", vec![("build", 0)]),
            ("export class Reports { find(tag: string) { return sink(tag); } }", vec![("Reports.find", 0)]),
            ("class Reports { find = (tag: string) => sink(tag); }", vec![("Reports.find", 0)]),
            ("export const reports = { find(tag) { sink(tag); }, all: (t) => sink(t) };", vec![("reports.find", 0)]),
            ("export default function (tag) { sink(tag); }", vec![("default", 0)]),
            ("export default { find(tag) { sink(tag); } };", vec![("default.find", 0)]),
            ("exports.find = function (x, tag) { sink(tag); };", vec![("find", 1)]),
            ("module.exports = { find(tag) { sink(tag); } };", vec![("find", 0)]),
            ("module.exports = (tag) => sink(tag);", vec![("default", 0)]),
            ("function outer(tag) { items.forEach((item) => sink(tag + item)); }", vec![("outer", 0)]),
        ];
        for (code, expected) in cases {
            let expected: Vec<(String, usize)> = expected.into_iter().map(|(f, i)| (f.to_string(), i)).collect();
            assert_eq!(parameters(&origin_of(code)), expected, "{code}");
        }
        // Functions nobody can call by name: callbacks and functions inside functions.
        assert_eq!(origin_of("items.forEach((item) => sink(item));"), Origin::Dynamic);
        assert_eq!(origin_of("function outer() { function inner(x) { sink(x); } inner(y); }"), Origin::Dynamic);
        assert_eq!(origin_of("function outer() { const inner = (x) => sink(x); }"), Origin::Dynamic);
        // Checked against a list before the sink: safe, whoever calls.
        assert_eq!(origin_of("export function f(d) { if (!['asc', 'desc'].includes(d)) return; sink(`ORDER BY ${d}`); }"), Origin::Safe);
    }

    #[test]
    fn local_functions_are_followed_with_their_arguments() {
        let code = "function orderBy(column) { return `ORDER BY ${column}`; }
            app.get('/u', (req, res) => { sink('SELECT * FROM u ' + orderBy(req.query.sort)); });";
        assert_eq!(source_text(&origin_of(code)), "req.query.sort");
        let code = "const where = (field, value) => `${field} = '${value}'`;
            function h(req, res) { sink(where('name', req.body.name)); }";
        assert_eq!(source_text(&origin_of(code)), "req.body.name");
        // A wrapper that returns a constant or a sanitised value hides the argument.
        let code = "function page(n) { return `LIMIT ${parseInt(n, 10)}`; } function h(req, res) { sink(page(req.query.n)); }";
        assert_eq!(origin_of(code), Origin::Safe);
        // Recursion ends.
        let code = "function f(x) { return f(x) + x; } function h(req, res) { sink(f(req.query.a)); }";
        assert!(origin_of(code).is_request());
    }

    #[test]
    fn closures_see_the_handler_parameters_and_cycles_end() {
        let code = "app.post('/x', (req, res) => { items.forEach((item) => { sink(req.body.name + item); }); });";
        assert_eq!(source_text(&origin_of(code)), "req.body.name");
        assert_eq!(origin_of("function f() { let a = 'x'; a = a + a; a = a + a; sink(a); }"), Origin::Constant);
        let mut chain = String::from("function f(p) { let v0 = p;");
        for i in 1..200 {
            chain.push_str(&format!(" let v{i} = v{} + v{};", i - 1, i - 1));
        }
        chain.push_str(" sink(v199); }");
        assert_eq!(origin_of(&chain), Origin::Dynamic, "the budget ends the walk with the cautious answer");
    }
}
