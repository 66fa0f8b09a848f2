//! `insecure-randomness`: secrets drawn from a non-cryptographic random number generator.
//! `Math.random()` (V8's xorshift128+) and small/seeded Rust generators are predictable: a few
//! outputs reveal the state, and with it every past and future token.

use super::csprng::csprng_edits;
use crate::diagnostic::Applicability;
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{is_function_like, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::rules::helpers::words;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "insecure-randomness", build };

struct InsecureRandomness;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(InsecureRandomness))
}

const TS_HELP: &str = "use `crypto.randomBytes(32).toString(\"base64url\")`, `crypto.randomUUID()` or `crypto.randomInt()` for anything an attacker must not guess";
const RUST_HELP: &str =
    "use `rand::rngs::OsRng` or `rand::thread_rng()` (cryptographically secure), or `getrandom`, for anything an attacker must not guess";

/// Names of values that must be unguessable. A name that ends in a quantity (`keyCount`,
/// `tokenLength`, `sessionTtlMs`) is a number about secrets, not one.
fn names_secret(name: &str) -> bool {
    let words = words(name);
    let quantity = words.last().is_some_and(|w| {
        matches!(w.as_str(), "count" | "length" | "len" | "size" | "index" | "idx" | "total" | "ms" | "ttl" | "delay" | "age" | "number")
    });
    !quantity
        && words.iter().any(|w| {
            matches!(
                w.as_str(),
                "token"
                    | "secret"
                    | "password"
                    | "passwd"
                    | "nonce"
                    | "salt"
                    | "otp"
                    | "apikey"
                    | "key"
                    | "session"
                    | "sid"
                    | "csrf"
                    | "verification"
                    | "reset"
                    | "invite"
                    | "code"
                    | "pin"
                    | "iv"
            )
        })
}

impl InsecureRandomness {
    /// The name the random value ends up under: the variable, property, or function returning it.
    fn destination<'t>(node: Node<'t>, model: &TsModel<'t>) -> Option<&'t str> {
        let mut current = node.parent();
        while let Some(n) = current {
            match n.kind() {
                "variable_declarator" | "public_field_definition" => return n.field("name").map(|name| model.text(name)),
                "pair" => return n.field("key").map(|key| model.text(key)),
                "assignment_expression" => return n.field("left").map(|left| model.text(left)),
                kind if is_function_like(kind) => {
                    // `function generateToken() { return Math.random().toString(36) }`
                    return n.field("name").map(|name| model.text(name)).or_else(|| {
                        n.parent().filter(|p| p.kind() == "variable_declarator").and_then(|p| p.field("name")).map(|name| model.text(name))
                    });
                }
                "statement_block" | "program" | "expression_statement" => {}
                _ => {}
            }
            current = n.parent();
        }
        None
    }
}

impl Rule for InsecureRandomness {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        let Some(callee) = node.field("function") else { return };
        if model.qualified_name(callee).as_deref() != Some("Math.random") {
            return;
        }
        let Some(name) = Self::destination(node, model) else { return };
        if names_secret(name) {
            // Browser code has no `node:crypto`.
            let fix = if cx.file.in_browser_app || model.imports_ui_framework() { None } else { csprng_edits(node, model, cx.file) };
            let finding = cx.report(span_of(node), format!("`Math.random()` is predictable, and it produces `{name}`"));
            finding.help = Some(TS_HELP.into());
            if let Some(edits) = fix {
                finding.with_fix("draw it from `node:crypto` instead", Applicability::Unsafe, edits);
            }
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if node.site.in_test || cx.in_test {
            return;
        }
        let RustSyntax::Call(call) = node.syntax else { return };
        let Some(path) = model.call_path(call) else { return };
        // Fast, predictable generators: small/xorshift/pcg RNGs and fixed seeds.
        let weak = ["SmallRng::", "Xoshiro", "XorShiftRng::", "Pcg32::", "Pcg64::", "fastrand::", "oorandom::", "seed_from_u64"]
            .iter()
            .find(|pattern| path.contains(*pattern));
        let Some(weak) = weak else { return };
        let function = node.site.fn_name.as_deref().unwrap_or("");
        if names_secret(function) {
            let generator = weak.trim_end_matches("::");
            cx.report(
                rust_span(cx.file, &call.func),
                format!("`{generator}` is not a cryptographic generator, and `{function}` makes a secret with it"),
            )
            .help = Some(RUST_HELP.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        assert!(names_secret("resetToken"));
        assert!(names_secret("generate_api_key"));
        assert!(names_secret("otpCode"));
        assert!(!names_secret("jitterMs"));
        assert!(!names_secret("sampleRate"));
        assert!(!names_secret("shuffle"));
        assert!(!names_secret("keyCount"), "a number about keys");
        assert!(!names_secret("token_length"));
        assert!(names_secret("sessionKey"));
    }
}
