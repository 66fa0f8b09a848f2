//! `secret-in-logs`: passwords, tokens, keys, or a whole request body or header map written to a
//! log. Logs are shipped to aggregators, kept for months and read by many more people than the
//! credential store; a secret that reaches them is as exposed as the least protected log sink.

use crate::lang::rust::taint::inline_captures;
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax, Site};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
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

/// Log methods of console and logger objects.
const TS_LOG_METHODS: &[&str] =
    &["log", "info", "warn", "error", "debug", "trace", "fatal", "verbose", "silly", "http", "notice", "critical"];

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

// ----- TypeScript -----

impl SecretInLogs {
    /// The logger a call writes to, as written (`console.log`, `this.logger.warn`, `req.log.info`):
    /// `console`, or a receiver named `log`/`logger`/`…Logger` (pino, winston, bunyan, NestJS
    /// `Logger`, Fastify's `request.log`).
    fn ts_log_call<'t>(call: Node<'t>, model: &TsModel<'t>) -> Option<&'t str> {
        let callee = call.field("function")?;
        if callee.kind() != "member_expression" {
            return None;
        }
        let method = model.text(callee.field("property")?);
        if !TS_LOG_METHODS.contains(&method) {
            return None;
        }
        let receiver = model.unwrap_expression(callee.field("object")?);
        let receiver_name = match receiver.kind() {
            "identifier" => model.text(receiver),
            "member_expression" => model.text(receiver.field("property")?),
            _ => return None,
        };
        let lower = receiver_name.to_ascii_lowercase();
        let is_logger = receiver_name == "console" || lower == "log" || lower.ends_with("logger");
        is_logger.then(|| model.text(callee))
    }

    /// What a logged argument leaks, looking into templates, concatenations, object literals,
    /// `JSON.stringify` and string conversions; redactions (`mask(token)`, `token.length`,
    /// `!!token`, `token ? "set" : "unset"`) leak nothing.
    fn ts_leak(node: Node<'_>, model: &TsModel<'_>, depth: usize) -> Option<(Leak, Span)> {
        let node = model.unwrap_expression(node);
        if depth > 4 {
            return None;
        }
        match node.kind() {
            "identifier" | "shorthand_property_identifier" => {
                let name = model.text(node);
                names_logged_secret(name).then(|| (Leak::Named(name.to_string()), span_of(node)))
            }
            "member_expression" | "subscript_expression" => {
                let text = model.text(node);
                let whole = [".body", ".headers", ".cookies", ".signedCookies"].iter().any(|s| text.ends_with(s));
                if whole && model.request_source(node).is_some() {
                    return Some((Leak::Request(text.to_string()), span_of(node)));
                }
                let name = ts_value_name(node, model)?;
                let object = node.field("object").map(|o| model.text(o)).unwrap_or("");
                let secret =
                    if object.to_ascii_lowercase().ends_with("headers") { names_secret_header(&name) } else { names_logged_secret(&name) };
                secret.then(|| (Leak::Named(text.to_string()), span_of(node)))
            }
            "template_string" => named_children(node)
                .filter(|c| c.kind() == "template_substitution")
                .find_map(|c| c.named_child(0).and_then(|inner| Self::ts_leak(inner, model, depth + 1))),
            "binary_expression" if node.field("operator").is_some_and(|o| model.text(o) == "+") => {
                let (left, right) = (node.field("left")?, node.field("right")?);
                Self::ts_leak(left, model, depth + 1).or_else(|| Self::ts_leak(right, model, depth + 1))
            }
            "object" => named_children(node).find_map(|member| match member.kind() {
                "shorthand_property_identifier" => Self::ts_leak(member, model, depth + 1),
                "pair" => {
                    let value = member.field("value")?;
                    Self::ts_leak(value, model, depth + 1).or_else(|| Self::ts_keyed_leak(member, value, model))
                }
                _ => None,
            }),
            "call_expression" => {
                let callee = node.field("function")?;
                let first = *call_arguments(node).first()?;
                let callee_text = model.text(callee);
                // Serialisations show the value; any other call (`mask(token)`) is taken to transform it.
                if matches!(callee_text, "JSON.stringify" | "String" | "util.inspect" | "inspect") {
                    return Self::ts_leak(first, model, depth + 1);
                }
                // `req.get("authorization")`, `req.header("Cookie")`.
                let method = callee.field("property").map(|p| model.text(p))?;
                if matches!(method, "get" | "header" | "getHeader") && model.origin(node).is_request() {
                    let name = ts_value_name(node, model)?;
                    return names_secret_header(&name).then(|| (Leak::Named(model.text(node).to_string()), span_of(node)));
                }
                None
            }
            _ => None,
        }
    }
}

impl SecretInLogs {
    /// `{ token: t }`, `{ password: user.pwd }`: the key names a credential and the value is read
    /// as it is (a variable or a property, not a literal, a call or a size like `t.length`).
    fn ts_keyed_leak(pair: Node<'_>, value: Node<'_>, model: &TsModel<'_>) -> Option<(Leak, Span)> {
        let key = pair.field("key")?;
        let key = model.string_literal(key).unwrap_or_else(|| model.text(key).to_string());
        if !names_logged_secret(&key) {
            return None;
        }
        let value = model.unwrap_expression(value);
        let plain = match value.kind() {
            "identifier" => model.text(value) != "undefined",
            "member_expression" | "subscript_expression" => {
                !ts_value_name(value, model).is_some_and(|name| matches!(name.as_str(), "length" | "size" | "byteLength"))
            }
            _ => false,
        };
        plain.then(|| (Leak::Named(key), span_of(pair)))
    }
}

// ----- Rust -----

/// Logging macros: `tracing` and `log` (`info!`, `tracing::warn!`, `event!`).
const RUST_LOG_MACROS: &[&str] = &["trace", "debug", "info", "warn", "error", "event"];

/// One argument of a logging macro.
struct MacroArg {
    /// `Debug`-formatted: a `?value` field.
    debug: bool,
    value: Expr,
}

/// Splits a logging macro's arguments at top-level commas and reads each as `tracing` does:
/// `?expr`, `%expr`, `name = ?expr`, `name = expr`, or a plain expression (the format string and
/// its arguments). `target: "…"`, `parent: span` and `Level::INFO` prefixes are skipped.
fn macro_args(tokens: TokenStream) -> Vec<MacroArg> {
    let mut segments: Vec<Vec<TokenTree>> = vec![Vec::new()];
    for token in tokens {
        match &token {
            TokenTree::Punct(p) if p.as_char() == ',' => segments.push(Vec::new()),
            _ => segments.last_mut().expect("one segment at least").push(token),
        }
    }
    segments
        .into_iter()
        .filter_map(|segment| {
            // `target: "auth"`, `parent: &span`, `name: "x"`.
            if matches!(segment.get(1), Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == Spacing::Alone) {
                return None;
            }
            // `name = value`: the single `=` at top level (not `==`, `<=`, `=>`).
            let assign = segment.iter().enumerate().position(|(i, t)| {
                matches!(t, TokenTree::Punct(p) if p.as_char() == '=' && p.spacing() == Spacing::Alone)
                    && !matches!(i.checked_sub(1).map(|j| &segment[j]), Some(TokenTree::Punct(q)) if q.spacing() == Spacing::Joint)
            });
            let mut value = match assign {
                Some(at) => segment[at + 1..].to_vec(),
                None => segment,
            };
            let debug = matches!(value.first(), Some(TokenTree::Punct(p)) if p.as_char() == '?');
            if matches!(value.first(), Some(TokenTree::Punct(p)) if p.as_char() == '?' || p.as_char() == '%') {
                value.remove(0);
            }
            let expr: Expr = syn::parse2(value.into_iter().collect()).ok()?;
            Some(MacroArg { debug, value: expr })
        })
        .collect()
}

impl SecretInLogs {
    /// Whether a macro writes a log line: `tracing`/`log` macros anywhere, `println!`/`eprintln!`
    /// only in code that serves a request (elsewhere they are a command-line tool's output).
    fn rust_log_macro(mac: &syn::Macro, site: &Site, model: &RustModel) -> Option<String> {
        let segments: Vec<String> = mac.path.segments.iter().map(|s| s.ident.to_string()).collect();
        let name = segments.last()?.as_str();
        let crate_ok = match segments.first().map(String::as_str) {
            Some(first) if segments.len() > 1 => matches!(first, "tracing" | "log"),
            _ => true,
        };
        let is_log = (RUST_LOG_MACROS.contains(&name) && crate_ok)
            || (matches!(name, "println" | "eprintln" | "print" | "eprint")
                && segments.len() == 1
                && model.serving_handler(site.fn_id, site.fn_name.as_deref()).is_some());
        is_log.then(|| segments.join("::"))
    }

    /// A value read as it is: a variable or field, through references, conversions and
    /// `expose_secret()`; not the result of any other call (`mask(&token)`, `token.len()`).
    fn rust_plain(expr: &Expr) -> bool {
        match expr {
            Expr::Path(_) => true,
            Expr::Field(f) => Self::rust_plain(&f.base),
            Expr::Reference(r) => Self::rust_plain(&r.expr),
            Expr::Paren(p) => Self::rust_plain(&p.expr),
            Expr::Group(g) => Self::rust_plain(&g.expr),
            Expr::Unary(u) => matches!(u.op, syn::UnOp::Deref(_)) && Self::rust_plain(&u.expr),
            Expr::MethodCall(call) => {
                let method = call.method.to_string();
                let conversion = matches!(
                    method.as_str(),
                    "as_str"
                        | "as_ref"
                        | "to_str"
                        | "to_string"
                        | "to_owned"
                        | "clone"
                        | "unwrap"
                        | "expect"
                        | "as_deref"
                        | "expose_secret"
                        | "secret"
                );
                // A getter named for what it returns (`response.access_token()`).
                let getter = call.args.is_empty() && names_logged_secret(&method);
                ((conversion || getter) && Self::rust_plain(&call.receiver)) || Self::rust_header_read(expr)
            }
            _ => false,
        }
    }

    /// A header read from a header map, through conversions: `headers.get(AUTHORIZATION)`,
    /// `req.headers().get("cookie").unwrap().to_str()`.
    fn rust_header_read(expr: &Expr) -> bool {
        match expr {
            Expr::MethodCall(call) if matches!(call.method.to_string().as_str(), "get" | "get_all") && call.args.len() == 1 => {
                let receiver = tight(&call.receiver).to_ascii_lowercase();
                receiver.ends_with("headers") || receiver.ends_with("headers()")
            }
            Expr::MethodCall(call) => {
                matches!(call.method.to_string().as_str(), "to_str" | "unwrap" | "expect" | "unwrap_or_default" | "ok" | "as_bytes")
                    && Self::rust_header_read(&call.receiver)
            }
            Expr::Reference(r) => Self::rust_header_read(&r.expr),
            Expr::Paren(p) => Self::rust_header_read(&p.expr),
            _ => false,
        }
    }

    /// `secrecy`'s `SecretString` prints `[REDACTED]` unless exposed: in files that use it, only
    /// values read through `expose_secret()` count.
    fn rust_exposed(expr: &Expr) -> bool {
        tight(expr).contains("expose_secret")
    }

    /// What a logged value leaks: a credential-named value, a handler's `HeaderMap`, or a
    /// `Debug` print of a handler's `Json`/`Form` payload whose type (declared in this file, with
    /// the derived `Debug`) has a credential-named field.
    fn rust_leak(expr: &Expr, debug: bool, site: &Site, model: &RustModel, file_text: &str) -> Option<Leak> {
        if !Self::rust_plain(expr) {
            return None;
        }
        if model.imports_crate("secrecy") && !Self::rust_exposed(expr) {
            return None;
        }
        let name = rust_value_name(expr, model, site.fn_id)?;
        // `let token = ProgressToken::String(..)`: the token type the local is built from says
        // more than the local's name.
        if constructed_token_type(expr, model, site.fn_id).is_some_and(|ty| !names_logged_secret(&ty)) {
            return None;
        }
        let secret = if Self::rust_header_read(expr) { names_secret_header(&name) } else { names_logged_secret(&name) };
        if secret {
            return Some(Leak::Named(tidy_tokens(&expr.to_token_stream().to_string())));
        }
        let Expr::Path(path) = expr else { return None };
        let handler = model.handlers().iter().find(|h| Some(h.fn_id) == site.fn_id)?;
        let param = handler.request_params.iter().find(|p| {
            let pattern = p.pattern.replace(' ', "");
            pattern == name || pattern.ends_with(&format!("({name})")) || pattern.ends_with(&format!("mut{name})"))
        })?;
        let text_of_path = tidy_tokens(&path.to_token_stream().to_string());
        match param.extractor.as_str() {
            "HeaderMap" => Some(Leak::Request(text_of_path)),
            "Json" | "Form" if debug => {
                let ty = param.payload.as_ref()?;
                // A hand-written `Debug` decides for itself what it prints.
                if file_text.contains(&format!("Debug for {ty}")) {
                    return None;
                }
                let field = struct_fields_in_file(file_text, ty)?.into_iter().find(|f| names_logged_secret(f))?;
                Some(Leak::Payload { text: text_of_path, ty: ty.clone(), field })
            }
            _ => None,
        }
    }
}

/// The `…Token` type a local is declared with or built from (`let token: CancellationToken`,
/// `let token = lsp_types::ProgressToken::String(..)`, `SyntaxToken { .. }`).
fn constructed_token_type(expr: &Expr, model: &RustModel, fn_id: Option<usize>) -> Option<String> {
    let Expr::Path(path) = expr else { return None };
    let local = model.local_of(fn_id, path)?;
    let type_path = match (local.ty, local.init) {
        (Some(syn::Type::Path(ty)), _) => &ty.path,
        (_, Some(Expr::Call(call))) => match &*call.func {
            Expr::Path(func) => &func.path,
            _ => return None,
        },
        (_, Some(Expr::Struct(init))) => &init.path,
        _ => return None,
    };
    type_path.segments.iter().map(|s| s.ident.to_string()).find(|s| s.ends_with("Token") && s.len() > "Token".len())
}

/// Command-line code (`commands/`, `cli/`, `scripts/`, `bin/`, `seeds/` directories): printing a
/// generated token or invite link to the operator is what it is for.
fn is_command_line_path(rel_path: &str) -> bool {
    let mut directories = rel_path.split('/').rev().skip(1);
    directories.any(|d| matches!(d, "commands" | "cli" | "scripts" | "bin" | "seeds" | "seeders"))
}

fn tight(expr: &Expr) -> String {
    expr.to_token_stream().to_string().replace(' ', "")
}

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
        if cx.file.language == Language::Tsx || model.imports_ui_framework() || is_frontend_path(&cx.file.rel_path) {
            return;
        }
        // pino/winston redaction: a `redact` option in the file is taken to cover its loggers.
        if !logger.starts_with("console.") && cx.file.text.contains("redact:") {
            return;
        }
        for argument in call_arguments(node) {
            if let Some((leak, span)) = Self::ts_leak(argument, model, 0) {
                cx.report(span, format!("{} is written to the log by `{logger}`", leak.describe())).help = Some(HELP.into());
                return;
            }
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Macro]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if node.site.in_test || cx.in_test || is_command_line_path(&cx.file.rel_path) {
            return;
        }
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
