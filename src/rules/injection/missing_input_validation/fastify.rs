//! Fastify: routes whose handler reads the body or the query with no JSON schema for it.

use super::MissingInputValidation;
use crate::lang::typescript::model::{descendants, is_function_like, named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::{Property, TsModel};
use crate::models::Capability;
use crate::rules::Context;
use tree_sitter::Node;

impl MissingInputValidation {
    /// `fastify.post("/x", handler)` whose handler reads `request.body` with no `schema.body`.
    pub(super) fn check_fastify_route(&self, call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        // A file of an app whose routes take JSON schemas: the models' `route-schemas` packages.
        if !model.imports_providing(Capability::RouteSchemas) || cx.in_test {
            return;
        }
        let Some(callee) = call.field("function") else { return };
        let method = callee.field("property").map(|p| model.text(p)).unwrap_or("");
        let routing = model.routing(method);
        // A catch-all (`instance.all("/ai/*", ..)`) hands the request to another framework's
        // handler more often than it reads the body itself.
        let registers = routing.http_method().is_some_and(|m| m != "ALL") || routing.options().is_some();
        if !registers {
            return;
        }
        let Some(arguments) = call.field("arguments") else { return };
        let arguments: Vec<Node<'_>> = named_children(arguments).collect();
        let options = arguments.iter().map(|a| model.resolve(*a)).find(|a| a.kind() == "object");
        let handler_key = routing.options().and_then(|route| route.parameters.handler_option.as_deref()).unwrap_or("handler");
        let handler = arguments.iter().rev().copied().find(|a| is_function_like(a.kind())).or_else(|| {
            options.and_then(|o| match model.property(o, handler_key) {
                Property::Found(handler) if is_function_like(handler.kind()) => Some(handler),
                _ => None,
            })
        });
        let Some(handler) = handler else { return };
        let Some(request) = handler.field("parameters").and_then(|p| p.named_child(0)) else { return };
        let request = model.text(request.field("pattern").unwrap_or(request));
        let reads =
            |part: &str| descendants(handler).any(|n| n.kind() == "member_expression" && model.text(n) == format!("{request}.{part}"));
        let schema = options.and_then(|o| match model.property(o, "schema") {
            Property::Found(schema) => Some(model.resolve(schema)),
            _ => None,
        });
        let has = |key: &str| match schema {
            Some(schema) if schema.kind() == "object" => !matches!(model.property(schema, key), Property::Missing),
            Some(_) => true,
            None => false,
        };
        // `schema.parse(request.body)`, `parseSchema({ schema, value: request.body })`: a validation step in
        // the handler itself (zod, valibot, a project's helper around them); `JSON.parse` is none.
        let validated_in_handler = |part: &str| {
            let value = format!("{request}.{part}");
            descendants(handler).filter(|n| n.kind() == "call_expression").any(|call| {
                // Directly or inside an options object: `parseSchema({ schema, value: req.body })`.
                let passes_value = call.field("arguments").is_some_and(|a| descendants(a).any(|arg| model.text(arg) == value));
                let callee = call.field("function").map(|f| model.text(f)).unwrap_or("");
                let last = callee.rsplit('.').next().unwrap_or(callee).to_ascii_lowercase();
                passes_value
                    && !callee.starts_with("JSON.")
                    && (last.contains("parse") || last.contains("validat") || last.contains("schema") || last == "assert")
            })
        };
        let missing: Vec<&str> = [("body", "body"), ("query", "querystring")]
            .into_iter()
            .filter(|(part, key)| reads(part) && !has(key) && !validated_in_handler(part))
            .map(|(_, key)| key)
            .collect();
        if !missing.is_empty() {
            let shown = model.text(callee);
            cx.report(
                span_of(callee),
                format!(
                    "`{shown}` route reads the request {} with no `schema.{}` to validate it",
                    missing.join(" and "),
                    missing.join("`/`schema.")
                ),
            )
            .help = Some(
                "declare a JSON schema for the route (`{ schema: { body: {...} } }`), or use a type provider such as TypeBox or zod".into(),
            );
        }
    }
}
