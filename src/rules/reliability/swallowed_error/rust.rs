//! Rust: verification results dropped with `let _ =` or `.ok();`.

use super::*;
use crate::models::TokenRole;

/// Collects `let _ = verify(..)` and `verify(..).ok();` statements of one function body,
/// leaving nested functions to their own visit.
pub(super) struct DiscardedVerifications<'m, 'a> {
    pub(super) model: &'m RustModel<'a>,
    pub(super) found: Vec<(proc_macro2::Span, &'static str, String)>,
}

/// Rust functions and methods that verify a credential, a token or input.
pub(super) const RUST_VERIFY_CALLS: &[&str] = &[
    "verify",
    "verify_password",
    "verify_signature",
    "verify_token",
    "verify_jwt",
    "verify_slices",
    "validate",
    "validate_token",
    "check_password",
];

/// Adapters that turn a `Result` into something a statement can drop without a warning.
pub(super) const RUST_DISCARDING_ADAPTERS: &[&str] = &["ok", "is_ok", "is_err", "unwrap_or_default", "unwrap_or", "unwrap_or_else", "err"];

impl DiscardedVerifications<'_, '_> {
    /// The verification call `expr` is (through `.await`), by a short name.
    pub(super) fn verification(&self, expr: &syn::Expr) -> Option<String> {
        match expr {
            syn::Expr::Await(inner) => self.verification(&inner.base),
            syn::Expr::Paren(inner) => self.verification(&inner.expr),
            syn::Expr::Call(call) => {
                let path = self.model.call_path(call)?;
                let name = path.rsplit("::").next().unwrap_or("");
                // A token check the models know (jsonwebtoken's `decode`, a `[[tokens]]` verify
                // entry); `decode` of the shape (token, key, validation) otherwise, `decode` being
                // everyone's name.
                let verifies_token = self.model.tokens(&self.model.call_parts(call)).iter().any(|t| t.role == TokenRole::Verify)
                    || (name == "decode" && call.args.len() == 3);
                (RUST_VERIFY_CALLS.contains(&name) || verifies_token).then(|| crate::rules::short_path(&path))
            }
            syn::Expr::MethodCall(call) => {
                let name = call.method.to_string();
                let arguments = if call.args.is_empty() { "()" } else { "(..)" };
                RUST_VERIFY_CALLS.contains(&name.as_str()).then(|| format!(".{name}{arguments}"))
            }
            _ => None,
        }
    }
}

impl<'ast> Visit<'ast> for DiscardedVerifications<'_, '_> {
    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_stmt(&mut self, stmt: &'ast syn::Stmt) {
        match stmt {
            syn::Stmt::Local(local) if matches!(local.pat, syn::Pat::Wild(_)) => {
                if let Some(init) = &local.init {
                    // `let _ = verify(&password, "$2b$12$…")`: a dummy hash checked so that unknown
                    // users take as long as known ones; the verdict is meant to be ignored.
                    if has_literal_argument(&init.expr) {
                        return;
                    }
                    if let Some(call) = self.verification(&init.expr) {
                        self.found.push((syn::spanned::Spanned::span(&local.pat), "`let _ =`", call));
                    }
                }
            }
            syn::Stmt::Expr(syn::Expr::MethodCall(adapter), Some(_))
                if RUST_DISCARDING_ADAPTERS.contains(&adapter.method.to_string().as_str()) =>
            {
                if let Some(call) = self.verification(&adapter.receiver) {
                    let how = match adapter.method.to_string().as_str() {
                        "ok" => "`.ok();`",
                        "is_ok" => "`.is_ok();`",
                        "is_err" => "`.is_err();`",
                        "err" => "`.err();`",
                        _ => "an `unwrap_or` statement",
                    };
                    self.found.push((adapter.method.span(), how, call));
                }
            }
            _ => {}
        }
        syn::visit::visit_stmt(self, stmt);
    }
}

pub(super) fn has_literal_argument(expr: &syn::Expr) -> bool {
    let literal =
        |a: &syn::Expr| matches!(a, syn::Expr::Lit(_)) || matches!(a, syn::Expr::Reference(r) if matches!(&*r.expr, syn::Expr::Lit(_)));
    match expr {
        syn::Expr::Await(inner) => has_literal_argument(&inner.base),
        syn::Expr::Call(call) => call.args.iter().any(literal),
        syn::Expr::MethodCall(call) => call.args.iter().any(literal),
        _ => false,
    }
}
