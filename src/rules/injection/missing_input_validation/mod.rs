//! `missing-input-validation`: request input that reaches the application with no validation
//! step at the boundary. Checked where archlint can be sure a validator was meant to run:
//! NestJS apps whose DTOs are never validated (no global `ValidationPipe`), DTO classes with no
//! validation decorators (declared in another file: a project fact), `ValidationPipe`s that let
//! undeclared properties through (no `whitelist`), untyped NestJS bodies, Fastify routes that
//! read a body or query without a schema, tRPC procedures whose input parser accepts anything,
//! Rust DTOs that derive `Validate` in one file while the handler that receives them, in another,
//! never calls it, and Rust handlers that read fields out of an untyped JSON payload
//! (`Json<Value>`, `Json<HashMap<..>>`).
//!
//! One file per framework: `nest.rs` (DTOs, pipes, the app's global validation), `fastify.rs`
//! (route schemas), `trpc.rs` (input parsers that accept anything) and `rust.rs` (`Validate` DTOs
//! never validated, untyped JSON payloads).

mod fastify;
mod nest;
mod rust;
mod trpc;

use crate::lang::rust::{RustKind, RustModel, RustNode};
use crate::lang::typescript::TsModel;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "missing-input-validation", build };

struct MissingInputValidation;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(MissingInputValidation))
}

impl Rule for MissingInputValidation {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["required_parameter", "optional_parameter", "call_expression", "pair", "new_expression", "class_declaration"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        match node.kind() {
            "call_expression" => {
                self.check_nest_call(node, model, cx);
                self.check_fastify_route(node, model, cx);
                self.check_trpc_input(node, model, cx);
            }
            "new_expression" => self.check_validation_pipe(node, model, cx),
            "class_declaration" => self.check_class(node, model, cx),
            "pair" => self.check_app_pipe(node, model, cx),
            _ => self.check_nest_parameter(node, model, cx),
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Struct, RustKind::Fn]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        self.check_rust_node(node, model, cx);
    }
}
