//! tRPC: a procedure's `.input(parser)` is its validation step, and the resolver gets `input`
//! only through it. What the rule reports is a parser that accepts anything.

use super::MissingInputValidation;
use crate::lang::typescript::model::{function_parameters, is_function_like, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::ValidatorRole;
use crate::rules::Context;
use tree_sitter::Node;

impl MissingInputValidation {
    /// `publicProcedure.input(z.any())`, `.input((raw) => raw as Order)`: the procedure declares an
    /// input step that lets whatever the client sent through to the resolver.
    pub(super) fn check_trpc_input(&self, call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test || !model.is_trpc_input(call) {
            return;
        }
        let Some(parser) = call.field("arguments").and_then(|a| a.named_child(0)) else { return };
        let parser = model.unwrap_expression(parser);
        let Some(what) = accepts_anything(parser, model) else { return };
        cx.report(
            span_of(parser),
            format!("the tRPC procedure's input parser {what}: whatever the client sends reaches the resolver unchecked"),
        )
        .help = Some("give `.input(..)` a schema that describes the input (`z.object({ id: z.string().uuid() })`)".into());
    }
}

/// Why `parser` lets every value through, if it does: a schema of anything as the models'
/// `[[validators]]` say (`z.any()`, `z.unknown()`, `z.custom()` with no check), or a function that returns its argument, cast or not
/// (`(raw) => raw as Order`).
fn accepts_anything(parser: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    if parser.kind() == "call_expression" {
        let validator = model.validator(parser).filter(|v| v.role == ValidatorRole::AcceptsAnything)?;
        let no_arguments = parser.field("arguments").is_some_and(|a| a.named_child_count() == 0);
        let schema_of_anything = no_arguments || !validator.parameters.without_arguments;
        return schema_of_anything.then(|| format!("`{}` accepts any value", model.text(parser)));
    }
    if !is_function_like(parser.kind()) {
        return None;
    }
    let parameter = *function_parameters(parser).first()?;
    let parameter = model.text(parameter.field("pattern").unwrap_or(parameter));
    let mut body = parser.field("body")?;
    if body.kind() == "statement_block" {
        // `function (raw) { return raw as Order; }`: one statement, a return.
        let mut statements = body.named_children(&mut body.walk()).filter(|s| s.kind() != "comment").collect::<Vec<_>>();
        let only = (statements.len() == 1).then(|| statements.remove(0)).filter(|s| s.kind() == "return_statement")?;
        body = only.named_child(0)?;
    }
    let returned = model.unwrap_expression(body);
    (returned.kind() == "identifier" && model.text(returned) == parameter).then(|| "returns its argument as it is".to_string())
}
