//! `timing-unsafe-comparison`: a secret (an API key, a token, a signature) checked against request
//! data with `==`/`===`. Those stop at the first differing character, so the time a rejection
//! takes tells a client how long a prefix of its guess was right; enough requests recover the
//! secret a character at a time. Secrets need a constant-time comparison.

use super::{enclosing_function, for_each_expr_in, rust_value_name, tight_tokens, ts_value_name, Walk};
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax, Site};
use crate::lang::typescript::model::span_of;
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::rules::helpers::{looks_like_credential, words};
use crate::rules::{check_option_names, shorten, tidy_tokens, Context, Rule, RuleEntry, RuleOptions};
use crate::taint::{Flow, Origin};
use quote::ToTokens;
use syn::{BinOp, Expr};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "timing-unsafe-comparison", build };

struct TimingUnsafeComparison;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(TimingUnsafeComparison))
}

const TS_HELP: &str =
    "compare with `crypto.timingSafeEqual` on buffers of equal length (check the lengths first), or compare HMACs of both values";
const RUST_HELP: &str = "compare with `subtle::ConstantTimeEq` (`a.as_bytes().ct_eq(b.as_bytes()).into()`) or the `constant_time_eq` crate";

/// Words after a secret word that make the name describe the secret rather than hold it
/// (`tokenType`, `signature_algorithm`, `tokenExpiresAt`, `apiKeyId`).
const DESCRIBING_WORDS: &[&str] = &[
    "type",
    "types",
    "id",
    "ids",
    "url",
    "uri",
    "endpoint",
    "name",
    "names",
    "length",
    "len",
    "count",
    "expiry",
    "expires",
    "expiration",
    "exp",
    "expired",
    "at",
    "version",
    "kind",
    "status",
    "header",
    "field",
    "hash",
    "hashed",
    "valid",
    "invalid",
    "enabled",
    "required",
    "exists",
    "present",
    "error",
    "message",
    "scope",
    "scopes",
    "algorithm",
    "alg",
    "prefix",
    "format",
    "owner",
    "user",
    "provider",
    "mode",
    "index",
    "ttl",
    "lifetime",
    "label",
    "path",
    "key",
];

/// Words before `token` that make it something a timing attack cannot use: push-notification
/// device tokens and pagination cursors (`push_token`, `nextPageToken`), and CSRF tokens, which
/// are checked against the caller's own session, so only a request carrying the victim's session
/// could time them.
const HANDLE_WORDS: &[&str] =
    &["push", "device", "fcm", "apns", "notification", "page", "next", "continuation", "sync", "cursor", "cancellation", "csrf", "xsrf"];

/// Whether a name says it holds a secret that authenticates a request: `token`, `apiKey`,
/// `x-hub-signature-256`, `hmac`, `digest`, `webhookSecret`, `authorization`.
fn names_secret(name: &str) -> bool {
    let words = words(name);
    words.iter().enumerate().any(|(i, word)| {
        let previous = i.checked_sub(1).map(|p| words[p].as_str());
        let secret = match word.as_str() {
            "token" => !previous.is_some_and(|p| HANDLE_WORDS.contains(&p)),
            "secret" | "signature" | "sig" | "hmac" | "digest" | "apikey" | "authorization" => true,
            "key" => matches!(previous, Some("api" | "secret" | "access" | "webhook" | "signing" | "auth" | "admin" | "master" | "shared")),
            _ => false,
        };
        secret && !words.get(i + 1).is_some_and(|next| DESCRIBING_WORDS.contains(&next.as_str()))
    })
}

/// Whether a name says it holds a CSRF token (`csrf_token`, `xsrfToken`). A comparison with one
/// checks the caller's own session, whatever the other side is called (`self.csrf_token != token`,
/// where `token` is the header value). Other handle words do not carry over: a configured
/// `NOTIFICATION_TOKEN` compared with a request's `token` is a shared secret.
fn names_csrf_token(name: &str) -> bool {
    let words = words(name);
    words.windows(2).any(|pair| pair[1] == "token" && matches!(pair[0].as_str(), "csrf" | "xsrf"))
}

/// Names of helpers that compare in constant time: a function that calls one is taken to compare
/// its secrets with it (the `==` next to it is a length or format check, or a fallback).
fn is_constant_time_helper(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    [
        "timingsafeequal",
        "timingsafecompare",
        "safecompare",
        "securecompare",
        "constanttime",
        "constant_time",
        "tsscmp",
        "ct_eq",
        "verify_slices_are_equal",
        "fixed_time_eq",
        "memcmp::eq",
        "timing_safe",
        "secure_compare",
    ]
    .iter()
    .any(|helper| lower.contains(helper))
}

impl TimingUnsafeComparison {
    /// A value that cannot be the secret: literals (`'Bearer'`, `''`, `null`), `typeof`, lengths,
    /// and constants whose value is no credential (`REFRESH_TOKEN = "refresh_token"`).
    fn ts_is_fixed(node: Node<'_>, model: &TsModel<'_>) -> bool {
        let node = model.unwrap_expression(node);
        match node.kind() {
            "string" | "number" | "true" | "false" | "null" | "undefined" | "regex" | "unary_expression" => true,
            "template_string" => model.string_literal(node).is_some(),
            "identifier" if model.text(node) == "undefined" => true,
            "member_expression" => {
                let property = node.field("property").map(|p| model.text(p)).unwrap_or("");
                matches!(property, "length" | "size" | "byteLength") || Self::constant_non_credential(node, model)
            }
            "identifier" => Self::constant_non_credential(node, model) || model.resolve(node).kind() == "number",
            _ => false,
        }
    }

    fn constant_non_credential(node: Node<'_>, model: &TsModel<'_>) -> bool {
        let resolved = model.resolve(node);
        resolved != model.unwrap_expression(node) && model.string_value(resolved).is_some_and(|value| !looks_like_credential(&value))
    }
}

/// Which side of a comparison carries request data, given both sides' origins: exactly one must.
/// When both do, the client supplies both values (a double-submit CSRF check) and there is no
/// server-side secret to leak.
fn request_side<'o>(left: &'o Origin, right: &'o Origin) -> Option<&'o Flow> {
    match (left, right) {
        (Origin::Request(_), Origin::Request(_)) => None,
        (Origin::Request(flow), _) | (_, Origin::Request(flow)) => Some(flow),
        _ => None,
    }
}

fn message(left: &str, operator: &str, right: &str, flow: &Flow) -> String {
    format!(
        "`{} {operator} {}` compares a secret with request data (`{}`) in non-constant time; response times reveal how much of a guess matched",
        shorten(left, 40),
        shorten(right, 40),
        shorten(&flow.source_text, 40)
    )
}

// ----- Rust -----

impl TimingUnsafeComparison {
    /// The Rust counterpart of [`Self::ts_is_fixed`]: literals, `None`, `String::new()`,
    /// `Some("lit")`, lengths, and constants whose value is no credential.
    fn rust_is_fixed(expr: &Expr, model: &RustModel, fn_id: Option<usize>) -> bool {
        match expr {
            Expr::Lit(_) => true,
            Expr::Reference(r) => Self::rust_is_fixed(&r.expr, model, fn_id),
            Expr::Paren(p) => Self::rust_is_fixed(&p.expr, model, fn_id),
            Expr::Path(p) if p.path.is_ident("None") => true,
            Expr::Path(_) => model.string_value(expr, fn_id).is_some_and(|value| !looks_like_credential(&value)),
            Expr::Call(call) => {
                let text = tight_tokens(&call.func);
                text == "String::new"
                    || (matches!(text.as_str(), "Some" | "Ok") && call.args.iter().all(|a| Self::rust_is_fixed(a, model, fn_id)))
            }
            Expr::MethodCall(call) => {
                matches!(call.method.to_string().as_str(), "len" | "is_empty" | "is_some" | "is_none" | "as_deref")
                    && (call.method != "as_deref" || Self::rust_is_fixed(&call.receiver, model, fn_id))
            }
            _ => false,
        }
    }

    fn check_rust_fn(&self, block: &syn::Block, site: &Site, model: &RustModel, cx: &mut Context<'_>) {
        let mut comparisons = Vec::new();
        for_each_expr_in(Walk::Block(block), &mut |expr| {
            if let Expr::Binary(binary) = expr {
                if matches!(binary.op, BinOp::Eq(_) | BinOp::Ne(_)) {
                    comparisons.push(binary);
                }
            }
        });
        let mut guarded = None;
        for binary in comparisons {
            let (left, right) = (&*binary.left, &*binary.right);
            if Self::rust_is_fixed(left, model, site.fn_id) || Self::rust_is_fixed(right, model, site.fn_id) {
                continue;
            }
            let name = |e: &Expr| rust_value_name(e, model, site.fn_id);
            let (left_name, right_name) = (name(left), name(right));
            let [left_name, right_name] = [left_name.as_deref(), right_name.as_deref()];
            if ![left_name, right_name].into_iter().flatten().any(names_secret)
                || [left_name, right_name].into_iter().flatten().any(names_csrf_token)
            {
                continue;
            }
            let (left_origin, right_origin) = (model.origin(left, site, cx.file), model.origin(right, site, cx.file));
            let Some(flow) = request_side(&left_origin, &right_origin) else { continue };
            if *guarded.get_or_insert_with(|| is_constant_time_helper(&tight_tokens(block))) {
                return;
            }
            let operator = if matches!(binary.op, BinOp::Eq(_)) { "==" } else { "!=" };
            let text = |e: &Expr| tidy_tokens(&e.to_token_stream().to_string());
            let file = cx.file;
            let finding = cx.report(rust_span(file, binary), message(&text(left), operator, &text(right), flow));
            finding.help = Some(RUST_HELP.into());
            finding.with_flow(file, flow);
        }
    }
}

impl Rule for TimingUnsafeComparison {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["binary_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        let Some(operator) = node.field("operator").map(|o| model.text(o)) else { return };
        if !matches!(operator, "===" | "!==" | "==" | "!=") {
            return;
        }
        let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else { return };
        if Self::ts_is_fixed(left, model) || Self::ts_is_fixed(right, model) {
            return;
        }
        let names = [ts_value_name(left, model), ts_value_name(right, model)];
        let names = || names.iter().flatten().map(String::as_str);
        if !names().any(names_secret) || names().any(names_csrf_token) {
            return;
        }
        let (left_origin, right_origin) = (model.origin(left), model.origin(right));
        let Some(flow) = request_side(&left_origin, &right_origin) else { return };
        if is_constant_time_helper(model.text(enclosing_function(node))) {
            return;
        }
        let file = cx.file;
        let finding = cx.report(span_of(node), message(model.text(left), operator, model.text(right), flow));
        finding.help = Some(TS_HELP.into());
        finding.with_flow(file, flow);
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
    use super::*;

    #[test]
    fn secret_names() {
        for name in ["token", "resetToken", "x-api-key", "X-Hub-Signature-256", "hmac", "webhook_secret", "authorization", "API_KEY"] {
            assert!(names_secret(name), "{name}");
        }
        for name in [
            "tokenType",
            "token_id",
            "apiKeyId",
            "signatureAlgorithm",
            "tokenExpiresAt",
            "state",
            "password",
            "key",
            "sortKey",
            "push_token",
            "nextPageToken",
            "csrfToken",
            "_csrf",
        ] {
            assert!(!names_secret(name), "{name}");
        }
    }

    #[test]
    fn constant_time_helpers() {
        assert!(is_constant_time_helper("crypto.timingSafeEqual(a, b)"));
        assert!(is_constant_time_helper("a.ct_eq(&b).into()"));
        assert!(is_constant_time_helper("constant_time_eq(a, b)"));
        assert!(!is_constant_time_helper("a === b"));
    }
}
