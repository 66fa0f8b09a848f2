//! `secret-in-logs`: passwords, tokens, keys, or a whole request body or header map written to a
//! log. Logs are shipped to aggregators, kept for months and read by many more people than the
//! credential store; a secret that reaches them is as exposed as the least protected log sink.

use crate::diagnostic::Fact;
use crate::lang::rust::taint::inline_captures;
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax, Site};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::{Capability, Language as ModelLanguage};
use crate::rules::auth::{call_arguments, rust_value_name, struct_fields_in_file, ts_value_name};
use crate::rules::helpers::{is_secret_name, words};
use crate::rules::{check_option_names, shorten, tidy_tokens, Context, Rule, RuleEntry, RuleOptions};
use crate::source::{is_frontend_path, Language, Span};
use proc_macro2::{Spacing, TokenStream, TokenTree};
use quote::ToTokens;
use syn::Expr;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "secret-in-logs", build };

struct SecretInLogs;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(SecretInLogs))
}

const HELP: &str =
    "log that the value is present (`Boolean(token)`, `token.is_some()`) or a redacted form, never the value; for structured loggers, configure redaction paths";

/// First words that make a name a flag about the secret, not the secret (`hasPassword`,
/// `is_token_expired`, `showApiKey`).
const FLAG_WORDS: &[&str] =
    &["has", "is", "should", "needs", "need", "requires", "require", "with", "without", "no", "missing", "show", "use"];

/// Words before `token` that name a handle rather than a credential: pagination cursors and
/// CSRF tokens, which the page itself holds.
const HANDLE_WORDS: &[&str] =
    &["page", "next", "continuation", "cursor", "sync", "csrf", "xsrf", "progress", "cancellation", "cancel", "syntax"];

/// Whether a logged variable, property or header name holds a credential: what
/// [`is_secret_name`] recognises (`password`, `dbPassword`, `accessToken`, `client_secret`,
/// `apiKey`, `credentials`), plus `authorization`; not flags about one (`hasPassword`),
/// pagination tokens (`nextPageToken`) or a bare `pass` (pass/fail counters).
pub(crate) fn names_logged_secret(name: &str) -> bool {
    let words = words(name);
    let Some(last) = words.last().map(String::as_str) else { return false };
    if words.first().is_some_and(|first| FLAG_WORDS.contains(&first.as_str())) && words.len() > 1 {
        return false;
    }
    let previous = words.len().checked_sub(2).map(|i| words[i].as_str());
    if last == "token" && previous.is_some_and(|p| HANDLE_WORDS.contains(&p)) {
        return false;
    }
    if last == "pass" && words.len() == 1 {
        return false;
    }
    is_secret_name(name) || last == "authorization"
}

/// Whether a request header by this name carries a credential: the names above, and `Cookie`.
/// Only for values read from a header map: a variable called `cookie` may be an LDAP sync cookie.
fn names_secret_header(name: &str) -> bool {
    names_logged_secret(name) || words(name).last().is_some_and(|w| w == "cookie")
}

/// What a logged argument gives away, for the message.
enum Leak {
    /// A value named like a credential: its name.
    Named(String),
    /// A whole request body, header map or cookie jar: how the code reads it.
    Request(String),
    /// A request payload printed whole: the variable, its type and a credential field of it.
    Payload { text: String, ty: String, field: String },
}

impl Leak {
    fn describe(&self) -> String {
        match self {
            Leak::Named(name) => format!("`{}`", shorten(name, 40)),
            Leak::Request(text) => format!("the whole request data `{}`", shorten(text, 40)),
            Leak::Payload { text, ty, field } => format!("the request payload `{text}` (type `{ty}`, which has a `{field}` field)"),
        }
    }
}

mod rust;
mod typescript;

use rust::*;

impl Rule for SecretInLogs {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test || is_command_line_path(&cx.file.rel_path) {
            return;
        }
        let Some(logger) = Self::ts_log_call(node, model) else { return };
        // Browser code (`.tsx`/`.jsx`, UI-framework imports, front-end directories) logs to the
        // user's own console, not to the service's log store.
        if cx.file.language == Language::Tsx || model.is_browser_code(node) || is_frontend_path(&cx.file.rel_path) {
            return;
        }
        // pino/winston redaction: a `redact` option in the file is taken to cover its loggers.
        if !logger.starts_with("console.") && cx.file.text.contains("redact:") {
            return;
        }
        for argument in call_arguments(node) {
            if let Some((leak, span)) = Self::ts_leak(argument, model, 0) {
                // A module only browser code imports logs to the user's console too.
                cx.report(span, format!("{} is written to the log by `{logger}`", leak.describe()))
                    .withdrawn_by(Fact::OnlyBrowserCodeImports)
                    .help = Some(HELP.into());
                return;
            }
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Macro, RustKind::Call, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if node.site.in_test || cx.in_test || is_command_line_path(&cx.file.rel_path) {
            return;
        }
        // A function or method the models say writes a log line (a project's `audit::record`).
        let (parts, arguments) = match node.syntax {
            RustSyntax::Call(call) => (model.call_parts(call), &call.args),
            RustSyntax::MethodCall(call) => (model.method_call_parts(call, node.site.fn_id), &call.args),
            _ => return self.check_rust_macro(node, model, cx),
        };
        if !model.logs(&parts) {
            return;
        }
        for argument in arguments {
            if let Some(leak) = Self::rust_leak(argument, false, &node.site, model, &cx.file.text) {
                // Named only when reported: this runs for every call.
                let callee = match node.syntax {
                    RustSyntax::MethodCall(call) => call.method.to_string(),
                    RustSyntax::Call(call) => call.func.to_token_stream().to_string(),
                    _ => String::new(),
                };
                let logger = tidy_tokens(&callee);
                cx.report(rust_span(cx.file, argument), format!("{} is written to the log by `{logger}`", leak.describe())).help =
                    Some(HELP.into());
                return;
            }
        }
    }
}

impl SecretInLogs {
    fn check_rust_macro(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        let RustSyntax::Macro(mac) = node.syntax else { return };
        let Some(logger) = Self::rust_log_macro(mac, &node.site, model) else { return };
        let args = macro_args(mac.tokens.clone());
        let mut format_debug = false;
        let mut found = None;
        for arg in &args {
            if let Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(format), .. }) = &arg.value {
                format_debug |= format.value().contains(":?");
                for (name, debug) in inline_captures(&format.value()) {
                    let Ok(capture) = syn::parse_str::<Expr>(&name) else { continue };
                    if let Some(leak) = Self::rust_leak(&capture, debug, &node.site, model, &cx.file.text) {
                        found = Some((leak, rust_span(cx.file, format)));
                        break;
                    }
                }
            } else if let Some(leak) = Self::rust_leak(&arg.value, arg.debug || format_debug, &node.site, model, &cx.file.text) {
                found = Some((leak, rust_span(cx.file, &arg.value)));
            }
            if found.is_some() {
                break;
            }
        }
        if let Some((leak, span)) = found {
            cx.report(span, format!("{} is written to the log by `{logger}!`", leak.describe())).help = Some(HELP.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_secret_names() {
        for name in [
            "password",
            "newPassword",
            "db_pass",
            "accessToken",
            "refresh_token",
            "apiKey",
            "client_secret",
            "authorization",
            "privateKey",
            "credentials",
        ] {
            assert!(names_logged_secret(name), "{name}");
        }
        for name in [
            "tokenCount",
            "tokenType",
            "tokenizer",
            "passwordPolicy",
            "secretName",
            "keyId",
            "token_id",
            "hasPassword",
            "isTokenValid",
            "passwordLength",
            "nextPageToken",
            "csrfToken",
            "pass",
            "user_id",
            "cookie",
        ] {
            assert!(!names_logged_secret(name), "{name}");
        }
        assert!(names_secret_header("cookie"));
        assert!(names_secret_header("Set-Cookie"));
        assert!(!names_secret_header("content-type"));
    }

    #[test]
    fn tracing_arguments() {
        let tokens: TokenStream =
            syn::parse_str("target: \"auth\", password = %pw, ?token, user_id = 3, \"signed_in={name:?}\", a == b").unwrap();
        let args = macro_args(tokens);
        let text: Vec<(bool, String)> = args.iter().map(|a| (a.debug, tight(&a.value))).collect();
        assert_eq!(
            text,
            [
                (false, "pw".to_string()),
                (true, "token".to_string()),
                (false, "3".to_string()),
                (false, "\"signed_in={name:?}\"".to_string()),
                (false, "a==b".to_string())
            ]
        );
        assert_eq!(inline_captures("{user} {{x}} {payload:?} {0} {}"), [("user".to_string(), false), ("payload".to_string(), true)]);
    }
}
