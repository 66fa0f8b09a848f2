//! `jwt-verification-disabled`: tokens accepted without checking their signature or their
//! expiry. Whoever can write a token (anyone, when the signature is not checked) can then claim
//! to be any user.

use super::{
    call_arguments, enclosing_function, for_each_expr_in, on_token_service, rust_bool, struct_fields_in_file, tight_tokens,
    uses_jwt_library, FileFunctions, Walk,
};
use crate::diagnostic::{Fact, Level};
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{descendants, is_function_like, named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::{Language, SwitchPlace, SwitchValue, TokenCheck, TokenRole};
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use crate::source::Span;
use syn::Expr;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "jwt-verification-disabled", build };

struct JwtVerificationDisabled;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(JwtVerificationDisabled))
}

const HELP: &str = "verify every token with the expected key and an explicit algorithm list (`jwt.verify(token, key, { algorithms: [\"HS256\"] })`, `jsonwebtoken::decode` with a default `Validation`) before trusting its claims";
const EXPIRY_HELP: &str = "keep expiry checks on; if clocks drift, allow a small leeway instead";

/// Claims that identify the caller or grant rights: reading one of these from a decoded token is
/// an authorization decision.
const IDENTITY_CLAIMS: &[&str] = &[
    "sub",
    "role",
    "roles",
    "userId",
    "user_id",
    "uid",
    "id",
    "_id",
    "isAdmin",
    "is_admin",
    "admin",
    "scope",
    "scopes",
    "permissions",
    "user",
    "username",
    "email",
    "tenantId",
    "groups",
    "authorities",
];

/// Claims that only say when or by whom a token was issued: decoding to read these (to schedule a
/// refresh, to show an expiry) trusts nothing.
const TIME_CLAIMS: &[&str] = &["exp", "iat", "nbf", "iss", "aud", "jti", "typ"];

mod rust;
mod typescript;

/// What a setting that switches a check off lets through, for the message: an expiry check
/// emptied of its required claims lets tokens without `exp` through, one switched off lets
/// expired tokens through.
fn switched_off(setting: &str, check: TokenCheck, value: Option<SwitchValue>) -> String {
    match (check, value) {
        (TokenCheck::Signature, _) => format!("{setting} accepts tokens with any signature, so anyone can forge them"),
        (TokenCheck::Expiry, Some(SwitchValue::Empty)) => format!("{setting} accepts tokens without `exp`, which never expire"),
        (TokenCheck::Expiry, _) => format!("{setting} accepts expired tokens forever"),
    }
}

/// A forgeable token is reported as an error; an expiry switched off as a warning, capped (it is
/// sometimes a deliberate choice for service tokens).
fn report_switch(cx: &mut Context<'_>, span: Span, message: String, check: TokenCheck) {
    match check {
        TokenCheck::Signature => cx.report(span, message).help = Some(HELP.into()),
        TokenCheck::Expiry => cx.report_capped(Level::Warning, span, message).help = Some(EXPIRY_HELP.into()),
    }
}

impl Rule for JwtVerificationDisabled {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression", "pair"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        match node.kind() {
            "pair" => self.check_pair(node, model, cx),
            _ => self.check_call(node, model, cx),
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call, RustKind::MethodCall, RustKind::Field, RustKind::Fn, RustKind::Const]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        let check_assigns = |walk: Walk<'_>, cx: &mut Context<'_>| {
            for_each_expr_in(walk, &mut |expr| {
                if let Expr::Assign(assign) = expr {
                    self.check_rust_assign(assign, model, cx);
                }
            })
        };
        match node.syntax {
            RustSyntax::Call(call) => self.check_rust_call(call, node.site.fn_name.as_deref(), model, cx),
            RustSyntax::MethodCall(call) => self.check_rust_method(call, model, cx),
            // `Validation { validate_exp: false, ..Validation::default() }`
            RustSyntax::Field { name, expr } => {
                let span = Span::new(rust_span(cx.file, name).start, rust_span(cx.file, expr).end);
                self.check_setting(&name.to_string(), expr, span, model, cx);
            }
            RustSyntax::Fn { block, .. } => check_assigns(Walk::Block(block), cx),
            RustSyntax::Const { expr, .. } => check_assigns(Walk::Expr(expr), cx),
            _ => {}
        }
    }
}
