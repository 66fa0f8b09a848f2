//! Rust: secrets and credentials in `tracing`/`log` macros and formatted output.

use super::*;

/// Logging macros: `tracing` and `log` (`info!`, `tracing::warn!`, `event!`).
pub(super) const RUST_LOG_MACROS: &[&str] = &["trace", "debug", "info", "warn", "error", "event"];

/// One argument of a logging macro.
pub(super) struct MacroArg {
    /// `Debug`-formatted: a `?value` field.
    pub(super) debug: bool,
    pub(super) value: Expr,
}

/// Splits a logging macro's arguments at top-level commas and reads each as `tracing` does:
/// `?expr`, `%expr`, `name = ?expr`, `name = expr`, or a plain expression (the format string and
/// its arguments). `target: "…"`, `parent: span` and `Level::INFO` prefixes are skipped.
pub(super) fn macro_args(tokens: TokenStream) -> Vec<MacroArg> {
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
    pub(super) fn rust_log_macro(mac: &syn::Macro, site: &Site, model: &RustModel) -> Option<String> {
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

    /// A value read as it is: a variable or field, through references, conversions and the
    /// methods that expose a redacted secret (`expose_secret()`, `exposers`); not the result of
    /// any other call (`mask(&token)`, `token.len()`).
    pub(super) fn rust_plain(expr: &Expr, exposers: &[&str]) -> bool {
        match expr {
            Expr::Path(_) => true,
            Expr::Field(f) => Self::rust_plain(&f.base, exposers),
            Expr::Reference(r) => Self::rust_plain(&r.expr, exposers),
            Expr::Paren(p) => Self::rust_plain(&p.expr, exposers),
            Expr::Group(g) => Self::rust_plain(&g.expr, exposers),
            Expr::Unary(u) => matches!(u.op, syn::UnOp::Deref(_)) && Self::rust_plain(&u.expr, exposers),
            Expr::MethodCall(call) => {
                let method = call.method.to_string();
                let conversion = matches!(
                    method.as_str(),
                    "as_str" | "as_ref" | "to_str" | "to_string" | "to_owned" | "clone" | "unwrap" | "expect" | "as_deref" | "secret"
                ) || exposers.contains(&method.as_str());
                // A getter named for what it returns (`response.access_token()`).
                let getter = call.args.is_empty() && names_logged_secret(&method);
                ((conversion || getter) && Self::rust_plain(&call.receiver, exposers)) || Self::rust_header_read(expr)
            }
            _ => false,
        }
    }

    /// A header read from a header map, through conversions: `headers.get(AUTHORIZATION)`,
    /// `req.headers().get("cookie").unwrap().to_str()`.
    pub(super) fn rust_header_read(expr: &Expr) -> bool {
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
    /// values read through an exposing method (`expose_secret()`) count.
    pub(super) fn rust_exposed(expr: &Expr, exposers: &[&str]) -> bool {
        let text = tight(expr);
        exposers.iter().any(|method| text.contains(&format!(".{method}(")))
    }

    /// What a logged value leaks: a credential-named value, a handler's `HeaderMap`, or a
    /// `Debug` print of a handler's `Json`/`Form` payload whose type (declared in this file, with
    /// the derived `Debug`) has a credential-named field.
    pub(super) fn rust_leak(expr: &Expr, debug: bool, site: &Site, model: &RustModel, file_text: &str) -> Option<Leak> {
        let exposers: Vec<&str> = model.knowledge().secret_exposers(ModelLanguage::Rust).collect();
        if !Self::rust_plain(expr, &exposers) {
            return None;
        }
        // A crate of secret types that print redacted (`secrecy`, a `[[packages]]` that provides
        // `redacted-secrets`): the value is one of them unless it is exposed.
        let redacting =
            model.knowledge().modules_providing(ModelLanguage::Rust, Capability::RedactedSecrets).any(|krate| model.imports_crate(krate));
        if redacting && !Self::rust_exposed(expr, &exposers) {
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
            // A payload deserialised into a type of the file: its `Debug` prints every field.
            extractor if debug && model.knowledge().payload_format(extractor).is_some() => {
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
pub(super) fn constructed_token_type(expr: &Expr, model: &RustModel, fn_id: Option<usize>) -> Option<String> {
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
pub(super) fn is_command_line_path(rel_path: &str) -> bool {
    let mut directories = rel_path.split('/').rev().skip(1);
    directories.any(|d| matches!(d, "commands" | "cli" | "scripts" | "bin" | "seeds" | "seeders"))
}

pub(super) fn tight(expr: &Expr) -> String {
    expr.to_token_stream().to_string().replace(' ', "")
}
