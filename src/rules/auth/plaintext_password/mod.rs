//! `plaintext-password`: a password from the request written to the database as it is, used to
//! look a record up, or compared with the stored value. Each means the database holds passwords
//! in clear: whoever reads it (a backup, an injection, an insider) can sign in as every user, and
//! on every other site where they reused the password.

use super::{call_arguments, enclosing_function, for_each_expr_in, rust_value_name, tight_tokens, ts_value_name, Walk};
use crate::diagnostic::Fact;
use crate::lang::rust::{method_chain, span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax, Site};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::rules::crypto::weak_password_hash::names_password;
use crate::rules::injection::is_data_receiver;
use crate::rules::{check_option_names, shorten, tidy_tokens, Context, Rule, RuleEntry, RuleOptions};
use crate::source::Span;
use crate::taint::{Flow, Origin};
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::{BinOp, Expr};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "plaintext-password", build };

struct PlaintextPassword;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(PlaintextPassword))
}

const HELP: &str = "hash the password with argon2id, scrypt or bcrypt before storing it, find the user by name or email, and check the password with the library's verify function (`argon2.verify`, `bcrypt.compare`)";

/// What the code does with the request password.
#[derive(Clone, Copy)]
enum Use {
    Stored,
    LookedUp,
}

fn use_message(what: Use, flow: &Flow) -> String {
    let source = shorten(&flow.source_text, 40);
    match what {
        Use::Stored => format!("a password from the request (`{source}`) is stored without hashing"),
        Use::LookedUp => format!("a password from the request (`{source}`) is used in a database query, so stored passwords are plaintext"),
    }
}

fn comparison_message(stored: &str, flow: &Flow) -> String {
    format!(
        "a password from the request (`{}`) is compared directly with the stored `{}`, so stored passwords are plaintext",
        shorten(&flow.source_text, 40),
        shorten(stored, 40)
    )
}

mod rust;
mod typescript;

use typescript::*;

impl Rule for PlaintextPassword {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["program", "class_declaration", "call_expression", "new_expression", "assignment_expression", "binary_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        match node.kind() {
            "program" => {
                let text = model.text(node);
                let lower = text.to_ascii_lowercase();
                let hashes = ["hash", "bcrypt", "argon2", "scrypt", "pbkdf2"].iter().any(|h| lower.contains(h));
                if hashes && lower.contains("password") && HASHING_HOOKS.iter().any(|hook| text.contains(hook)) {
                    cx.fact(Fact::PasswordHashedOnSave);
                }
            }
            // A DTO class with a password field: storing such a DTO whole stores the password.
            "class_declaration" => {
                self.record_hashing_methods(node, model, cx);
                let Some(name) = node.field("name").map(|n| model.text(n)).filter(|n| n.ends_with("Dto") || n.ends_with("DTO")) else {
                    return;
                };
                let has_password = node.field("body").is_some_and(|body| {
                    named_children(body).any(|member| {
                        member.kind() == "public_field_definition" && member.field("name").is_some_and(|n| names_password(model.text(n)))
                    })
                });
                if has_password {
                    cx.fact(Fact::DtoWithPassword(name.to_string()));
                }
            }
            _ if cx.in_test => {}
            "call_expression" => {
                self.note_hashed_before_call(node, model, cx);
                self.check_ts_call(node, model, cx)
            }
            "new_expression" => self.check_ts_new(node, model, cx),
            "assignment_expression" => self.check_ts_assignment(node, model, cx),
            "binary_expression" => self.check_ts_comparison(node, model, cx),
            _ => {}
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Fn]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if cx.in_test || node.site.in_test {
            return;
        }
        if let RustSyntax::Fn { block, .. } = node.syntax {
            self.check_rust_fn(block, &node.site, model, cx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::typescript::layer_name;

    #[test]
    fn data_layers_are_known_by_one_name_on_both_sides() {
        for name in ["Users", "users", "UserService", "usersRepository", "userModel", "UserDAO", "User"] {
            assert_eq!(layer_name(name), "user", "{name}");
        }
        assert_eq!(layer_name("AccountStore"), "account");
        assert_eq!(layer_name("Address"), "address", "a double s is no plural");
        assert_eq!(layer_name("Service"), "service", "nothing left to name");
    }
}
