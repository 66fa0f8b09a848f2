//! Which parameter of a function carries the request, by each framework's conventions: Express
//! and Koa handlers by their parameter names, NestJS by decorators, Next.js by file and export
//! names, Hono by its route registry, AWS Lambda by the exported `handler`, GraphQL resolver maps
//! by their `Query`/`Mutation` keys, gRPC by `addService`, tRPC by its procedure builders.
//!
//! The conventions say which parameter plays which role; the models say which members and
//! getters of each role hold request data (`models/hono.toml`: `c.req.query()`).

use super::model::{children_by_field, decorator_name, function_parameters, is_function_like, named_children, span_of, Framework, TsModel};
use crate::lang::typescript::FieldExt;
use tree_sitter::Node;

/// What a request-carrying parameter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RequestKind {
    /// A framework's request object in one of the models' roles
    /// ([`REQUEST_ROLES`](crate::models::REQUEST_ROLES)): its members and getters are data.
    Object(&'static str),
    /// The parameter itself is request data (NestJS `@Body() dto`, a resolver's `args`).
    Data,
}

/// The HTTP methods a Next.js route handler is exported as.
const NEXT_ROUTE_METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// The root types of a GraphQL schema, whose resolvers' arguments are the client's.
const GRAPHQL_ROOTS: &[&str] = &["Query", "Mutation", "Subscription"];

impl<'t> TsModel<'t> {
    /// The role the parameter at `index` of `function` plays by a framework's convention other
    /// than Express's and Koa's names (those the taint view reads itself).
    pub(super) fn conventional_parameter(&self, function: Node<'t>, index: usize) -> Option<RequestKind> {
        if let Some(kind) = self.next_parameter(function, index) {
            return Some(kind);
        }
        if self.is_server_action(function) {
            return Some(RequestKind::Data);
        }
        match index {
            0 if self.registered_by(function, Framework::Hono) => Some(RequestKind::Object("hono-context")),
            0 => {
                if let Some(role) = self.handler_role_by_type_or_export(function).or_else(|| self.registered_handler_role(function)) {
                    return Some(RequestKind::Object(role));
                }
                if self.is_trpc_resolver(function) {
                    return Some(RequestKind::Object("trpc-options"));
                }
                self.is_nest_message_handler(function).then_some(RequestKind::Data)
            }
            1 if self.is_graphql_resolver(function) => Some(RequestKind::Data),
            _ => None,
        }
    }

    /// Registers an exported `GET`/`POST`/... of an `app/**/route.ts` as a route handler, with
    /// the route its directory stands for (`app/api/users/[id]/route.ts` → `/api/users/[id]`;
    /// route groups such as `(admin)` are not part of the URL).
    pub(super) fn record_next_route_handler(&mut self, function: Node<'t>) {
        let (stem, in_app) = self.file_stem_and_app_dir();
        if stem != "route" || !in_app {
            return;
        }
        if !exported_name(self, function).is_some_and(|name| NEXT_ROUTE_METHODS.contains(&name)) {
            return;
        }
        let directory = self.file_path.rsplit_once('/').map_or("", |(directory, _)| directory);
        let under_app = directory.rsplit_once("app/").map_or(directory.strip_prefix("app").unwrap_or(""), |(_, rest)| rest);
        let is_group = |s: &str| s.starts_with('(') && s.ends_with(')');
        let segments: Vec<&str> = under_app.split('/').filter(|s| !s.is_empty() && !is_group(s)).collect();
        let route = format!("/{}", segments.join("/"));
        let request_params = super::model::parameter_names(self, function).into_iter().take(1).collect();
        self.add_handler(super::model::Handler {
            framework: Framework::NextJs,
            span: span_of(function),
            route: Some(route),
            request_params,
        });
    }

    fn registered_by(&self, function: Node<'t>, framework: Framework) -> bool {
        self.handler_at(function.start_byte()).is_some_and(|h| h.span == span_of(function) && h.framework == framework)
    }

    /// Next.js: an `app/**/route.ts` handler (`export async function GET(request, { params })`)
    /// or the middleware (`export function middleware(request: NextRequest)`).
    fn next_parameter(&self, function: Node<'t>, index: usize) -> Option<RequestKind> {
        let (stem, in_app) = self.file_stem_and_app_dir();
        let role = match (stem, index) {
            ("route", 0) if in_app => "fetch-request",
            ("route", 1) if in_app => "next-route-context",
            ("middleware", 0) if self.imports_module("next/server") => "fetch-request",
            _ => return None,
        };
        let name = exported_name(self, function)?;
        let expected = match stem {
            "route" => NEXT_ROUTE_METHODS.contains(&name),
            _ => name == "middleware" || name == "default",
        };
        expected.then_some(RequestKind::Object(role))
    }

    /// The file's name without extension, and whether it lies in a Next.js `app` directory.
    fn file_stem_and_app_dir(&self) -> (&str, bool) {
        let path = self.file_path;
        let name = path.rsplit('/').next().unwrap_or(path);
        let stem = name.split('.').next().unwrap_or(name);
        let in_app = path.starts_with("app/") || path.contains("/app/");
        (stem, in_app)
    }

    /// A server action: an exported function of a `"use server"` file, or a function whose body
    /// opens with `"use server"`. Its arguments come from the client.
    fn is_server_action(&self, function: Node<'t>) -> bool {
        let opens_with_directive = |block: Node<'t>| {
            block.named_child(0).is_some_and(|first| {
                first.kind() == "expression_statement"
                    && first.named_child(0).is_some_and(|s| s.kind() == "string" && self.string_value(s).as_deref() == Some("use server"))
            })
        };
        if function.field("body").is_some_and(|body| body.kind() == "statement_block" && opens_with_directive(body)) {
            return true;
        }
        exported_name(self, function).is_some() && opens_with_directive(super::model::program_of(function))
    }

    /// A handler of a request object the models name by its type or export: a function whose
    /// first parameter is typed as an AWS Lambda HTTP event (`APIGatewayProxyEvent`) or a gRPC
    /// call (`ServerUnaryCall`), or the exported `handler` of a Lambda function.
    fn handler_role_by_type_or_export(&self, function: Node<'t>) -> Option<&'static str> {
        let annotation = first_parameter(function).and_then(|p| p.field("type")).map(|t| self.text(t));
        annotation
            .and_then(|text| self.knowledge.request_role_of_type(text))
            .or_else(|| exported_name(self, function).and_then(|name| self.knowledge.request_role_of_export(name)))
    }

    /// A method of an object of handlers handed to a registering call
    /// (`server.addService(definition, implementation)`, recorded by the model): the object is
    /// the argument, or bound to the name the argument is.
    fn registered_handler_role(&self, function: Node<'t>) -> Option<&'static str> {
        let object = containing_object(function)?;
        let holder = object.parent().filter(|p| p.kind() == "variable_declarator").and_then(|d| d.field("name"));
        self.handler_implementations.iter().find_map(|(implementation, role)| {
            let same = *implementation == object
                || holder.is_some_and(|name| implementation.kind() == "identifier" && self.text(*implementation) == self.text(name));
            same.then_some(*role)
        })
    }

    /// A tRPC resolver: the function given to `.query`, `.mutation` or `.subscription` of a
    /// procedure builder (`publicProcedure.input(schema).query(({ input }) => ..)`).
    pub fn is_trpc_resolver(&self, function: Node<'t>) -> bool {
        self.trpc_registration(function).is_some()
    }

    /// A tRPC resolver whose procedure parses what the client sent with a schema first
    /// (`publicProcedure.input(z.object({ .. })).mutation(({ input }) => ..)`).
    pub fn is_trpc_resolver_with_input(&self, function: Node<'t>) -> bool {
        self.trpc_registration(function).is_some_and(|call| self.methods_before(call).contains(&"input"))
    }

    /// The `.input(parser)` call of a tRPC procedure builder (`publicProcedure.input(..)`,
    /// `t.procedure.input(..)`): the parser runs on what the client sent before the resolver does.
    pub fn is_trpc_input(&self, call: Node<'t>) -> bool {
        call.field("function").filter(|c| c.kind() == "member_expression").is_some_and(|callee| {
            callee.field("property").is_some_and(|p| self.text(p) == "input")
                && callee.field("object").is_some_and(|receiver| callee_chain_mentions(self, receiver, "procedure"))
        })
    }

    /// The `.query(..)`/`.mutation(..)`/`.subscription(..)` call of a procedure builder that
    /// `function` is handed to, if it is.
    fn trpc_registration(&self, function: Node<'t>) -> Option<Node<'t>> {
        let call = function.parent().filter(|p| p.kind() == "arguments").and_then(|a| a.parent())?;
        let callee = call.field("function").filter(|c| c.kind() == "member_expression")?;
        let method = callee.field("property").map(|p| self.text(p)).unwrap_or("");
        let registers = matches!(method, "query" | "mutation" | "subscription")
            && callee.field("object").is_some_and(|receiver| callee_chain_mentions(self, receiver, "procedure"));
        registers.then_some(call)
    }

    /// A NestJS microservice handler (`@MessagePattern('sum') sum(data: number[])`).
    fn is_nest_message_handler(&self, function: Node<'t>) -> bool {
        function.kind() == "method_definition"
            && super::model::preceding_decorators(function)
                .any(|d| decorator_name(self, d).is_some_and(|(name, _)| self.knowledge.is_handler_decorator(name)))
            && first_parameter(function).is_some_and(|p| children_by_field(p, "decorator").next().is_none())
    }

    /// A resolver of a GraphQL resolver map: a function under `Query`, `Mutation` or
    /// `Subscription`, or under a type of an object bound to (or keyed) `resolvers`.
    fn is_graphql_resolver(&self, function: Node<'t>) -> bool {
        let Some(object) = containing_object(function) else { return false };
        let Some(pair) = object.parent().filter(|p| p.kind() == "pair") else { return false };
        let key = pair.field("key").map(|k| self.text(k).trim_matches(['"', '\''])).unwrap_or("");
        if GRAPHQL_ROOTS.contains(&key) {
            return true;
        }
        let Some(map) = pair.parent().filter(|p| p.kind() == "object") else { return false };
        let holder = map.parent().and_then(|p| match p.kind() {
            "variable_declarator" => p.field("name"),
            "pair" => p.field("key"),
            _ => None,
        });
        holder.is_some_and(|name| self.text(name).to_ascii_lowercase().ends_with("resolvers"))
    }
}

/// The name a function is exported under: `export function GET`, `export const handler = ..`,
/// `exports.handler = ..`, `module.exports.handler = ..`, `export default function`.
pub(super) fn exported_name<'t>(model: &TsModel<'t>, function: Node<'t>) -> Option<&'t str> {
    let parent = function.parent()?;
    match (function.kind(), parent.kind()) {
        ("function_declaration" | "generator_function_declaration", "export_statement") => Some(model.text(function.field("name")?)),
        (_, "export_statement") => Some("default"),
        (_, "variable_declarator") => {
            let declaration = parent.parent()?;
            declaration.parent().filter(|p| p.kind() == "export_statement")?;
            Some(model.text(parent.field("name")?))
        }
        (_, "assignment_expression") => {
            let left = parent.field("left")?;
            let path = model.text(left);
            let name = path.strip_prefix("exports.").or_else(|| path.strip_prefix("module.exports."))?;
            (!name.contains('.')).then_some(name)
        }
        _ => None,
    }
}

/// The object literal a function is a property or method of.
fn containing_object(function: Node<'_>) -> Option<Node<'_>> {
    let parent = function.parent()?;
    match (function.kind(), parent.kind()) {
        ("method_definition", "object") => Some(parent),
        (_, "pair") if parent.field("value") == Some(function) => parent.parent().filter(|o| o.kind() == "object"),
        _ => None,
    }
}

fn first_parameter(function: Node<'_>) -> Option<Node<'_>> {
    function_parameters(function).into_iter().next()
}

/// Whether a builder chain names `word` (case-insensitively) in one of its links:
/// `t.procedure.input(..)`, `protectedProcedure.use(auth)`.
fn callee_chain_mentions(model: &TsModel<'_>, mut node: Node<'_>, word: &str) -> bool {
    for _ in 0..16 {
        match node.kind() {
            "call_expression" => match node.field("function") {
                Some(f) => node = f,
                None => return false,
            },
            "member_expression" => {
                if node.field("property").is_some_and(|p| model.text(p).to_ascii_lowercase().ends_with(word)) {
                    return true;
                }
                match node.field("object") {
                    Some(o) => node = o,
                    None => return false,
                }
            }
            "identifier" => return model.text(node).to_ascii_lowercase().ends_with(word),
            _ => return false,
        }
    }
    false
}

/// A name bound by destructuring a parameter (`({ input }) =>`, `(_, { id })`): the function,
/// the parameter, and the key the name is read from.
pub(super) fn destructured_parameter<'t>(model: &TsModel<'t>, identifier: Node<'t>) -> Option<(Node<'t>, Node<'t>, &'t str)> {
    let name = model.text(identifier);
    let mut current = identifier.parent();
    while let Some(node) = current {
        if is_function_like(node.kind()) {
            for parameter in function_parameters(node) {
                let pattern = parameter.field("pattern").unwrap_or(parameter);
                if pattern.kind() == "identifier" && model.text(pattern) == name {
                    // A plain parameter of this name: not destructured.
                    return None;
                }
                if pattern.kind() == "object_pattern" {
                    if let Some(key) = destructured_key(model, pattern, name) {
                        return Some((node, parameter, key));
                    }
                }
            }
        }
        current = node.parent();
    }
    None
}

/// The key an object pattern binds `name` from: `{ input }` → `input`, `{ params: p }` →
/// `params`, `{ id = "" }` → `id`.
fn destructured_key<'t>(model: &TsModel<'t>, pattern: Node<'t>, name: &str) -> Option<&'t str> {
    named_children(pattern).find_map(|member| match member.kind() {
        "shorthand_property_identifier_pattern" => (model.text(member) == name).then(|| model.text(member)),
        "object_assignment_pattern" => {
            let left = member.field("left")?;
            (model.text(left) == name).then(|| model.text(left))
        }
        "pair_pattern" => {
            let value = member.field("value")?;
            let bound = if value.kind() == "assignment_pattern" { value.field("left")? } else { value };
            let key = member.field("key")?;
            (bound.kind() == "identifier" && model.text(bound) == name).then(|| model.text(key))
        }
        _ => None,
    })
}
