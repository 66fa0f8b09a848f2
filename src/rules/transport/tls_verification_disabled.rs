//! `tls-verification-disabled`: certificate or host-name checks switched off, so anyone on the
//! path can impersonate the server.

use crate::diagnostic::{Applicability, Edit, Fact};
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{guards, is_function_like, named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::Language as ModelLanguage;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use syn::{Expr, ImplItem, Stmt};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "tls-verification-disabled", build };

struct TlsVerificationDisabled;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(TlsVerificationDisabled))
}

/// Whether a condition reads a switch that turns verification off on purpose (`skip_tls_verify`,
/// `insecure`, `use_unsafe_ssl`, `allowSelfSigned`, `TLS_CHECK_SERVER_IDENTITY`, `accept_invalid_certs`, `rejectUnauthorized` from a URL): the
/// code under it is that switch, written as a branch, and whether it can be on in production is
/// the deployment's to say (the same as `danger_accept_invalid_certs(config.insecure)`). A
/// condition on anything else (the environment's name, the URL's scheme, `sslmode`) decides
/// nothing of the kind, and the code under it still runs wherever that holds.
fn names_verification_switch(condition: &str) -> bool {
    let squeezed: String = condition.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    const SWITCH_WORDS: &[&str] = &[
        "skip",
        "insecure",
        "unsafe",
        "danger",
        "invalid",
        "selfsigned",
        "unverified",
        "verif",
        "validat",
        "rejectunauthorized",
        "allowunauthorized",
        "ignoretls",
        "ignoressl",
        "ignorecert",
        "checkserveridentity",
        "tlscheck",
        "sslcheck",
        "certcheck",
        "checkcert",
        "hostnamecheck",
        "trustall",
        "acceptany",
        "acceptall",
    ];
    SWITCH_WORDS.iter().any(|word| squeezed.contains(word))
}

const HELP: &str = "keep certificate verification on; to trust a private CA, pass its certificate (`ca` in Node, `add_root_certificate` in reqwest) instead";

impl TlsVerificationDisabled {
    fn check_option(&self, key: &str, value: Node<'_>, at: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if !is_checked_option(key, model) || guards(at).any(|condition| names_verification_switch(model.text(condition))) {
            return;
        }
        // `process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0"`, and the same key in an environment
        // object (`spawn(cmd, args, { env: { NODE_TLS_REJECT_UNAUTHORIZED: "0" } })`).
        if key == "NODE_TLS_REJECT_UNAUTHORIZED" {
            if is_zero(value, model) {
                cx.report(
                    span_of(at),
                    "`NODE_TLS_REJECT_UNAUTHORIZED` set to `0` disables TLS certificate verification for every connection of the process",
                )
                .help = Some(HELP.into());
            }
            return;
        }
        if key == "checkServerIdentity" {
            if accepts_everything(value, model) {
                // The callback can span many lines: point at its name.
                let name = at.field("key").or_else(|| at.field("name")).unwrap_or(at);
                cx.report(span_of(name), "`checkServerIdentity` accepts every certificate, so host names are never verified").help =
                    Some(HELP.into());
            }
            return;
        }
        // An option the models know switches verification off (`rejectUnauthorized: false`).
        let Some(insecure) = model.knowledge.tls_switch(ModelLanguage::Typescript, key) else { return };
        if model.bool_value(value) == Some(insecure) {
            // A literal written here flips; a value from elsewhere is not this line's to change.
            let secure = !insecure;
            let fix = matches!(value.kind(), "true" | "false").then(|| Edit::replace(cx.file, span_of(value), secure.to_string()));
            let finding = cx.report(span_of(at), format!("`{key}: {insecure}` disables TLS certificate verification"));
            finding.help = Some(HELP.into());
            if let Some(edit) = fix {
                finding.with_fix(format!("set `{key}: {secure}`"), Applicability::Safe, vec![edit]);
            }
        }
    }
}

/// An option this rule reads: Node's environment switch, `checkServerIdentity`, or a setting the
/// models know switches verification off.
fn is_checked_option(key: &str, model: &TsModel<'_>) -> bool {
    key == "NODE_TLS_REJECT_UNAUTHORIZED"
        || key == "checkServerIdentity"
        || model.knowledge.tls_switch(ModelLanguage::Typescript, key).is_some()
}

/// `"0"` or `0`, directly or through a constant.
fn is_zero(value: Node<'_>, model: &TsModel<'_>) -> bool {
    let text = model.string_value(value).unwrap_or_else(|| model.text(model.resolve(value)).to_string());
    text.trim() == "0"
}

/// A `checkServerIdentity` callback that returns `undefined` on every path: `() => undefined`,
/// `() => {}`, `(host) => { log(host); }`, `function () { return undefined; }`. Such a callback
/// can only fail a certificate by returning an `Error` (or throwing).
fn accepts_everything(value: Node<'_>, model: &TsModel<'_>) -> bool {
    let value = model.resolve(value);
    if !is_function_like(value.kind()) {
        return false;
    }
    let Some(body) = value.field("body") else { return false };
    if body.kind() != "statement_block" {
        return is_nothing(body, model);
    }
    // Any `throw`, or a `return` with a value, may reject; nested functions do not count.
    let mut stack: Vec<Node<'_>> = named_children(body).collect();
    while let Some(node) = stack.pop() {
        match node.kind() {
            "throw_statement" => return false,
            "return_statement" if named_children(node).any(|v| !is_nothing(v, model)) => return false,
            kind if is_function_like(kind) || kind == "class" => {}
            _ => stack.extend(named_children(node)),
        }
    }
    true
}

fn is_nothing(value: Node<'_>, model: &TsModel<'_>) -> bool {
    matches!(model.text(value), "undefined" | "null" | "void 0")
}

impl Rule for TlsVerificationDisabled {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    /// Switches in scripts, load testers and example programs guard nothing anyone else relies on.
    fn service_only(&self) -> bool {
        true
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["pair", "shorthand_property_identifier", "method_definition", "assignment_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        match node.kind() {
            "pair" => {
                let (Some(key), Some(value)) = (node.field("key"), node.field("value")) else { return };
                let key = model.string_literal(key).unwrap_or_else(|| model.text(key).to_string());
                self.check_option(&key, value, node, model, cx);
            }
            // `{ rejectUnauthorized }` with `const rejectUnauthorized = false` in scope.
            "shorthand_property_identifier" => self.check_option(model.text(node), node, node, model, cx),
            // `{ checkServerIdentity() { … } }`
            "method_definition" => {
                let in_object = node.parent().is_some_and(|p| p.kind() == "object");
                if let (true, Some(name)) = (in_object, node.field("name")) {
                    self.check_option(model.text(name), node, node, model, cx);
                }
            }
            _ => {
                let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else { return };
                let Some(target) = model.qualified_name(left).or_else(|| model.member_path(left)) else { return };
                // `process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0"`, `agent.options.rejectUnauthorized = false`.
                if let Some((_, key)) = target.rsplit_once('.') {
                    self.check_option(key, right, node, model, cx);
                }
            }
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::MethodCall, RustKind::Impl]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        match node.syntax {
            RustSyntax::MethodCall(call) => {
                let method = call.method.to_string();
                if matches!(method.as_str(), "set_certificate_verifier" | "with_custom_certificate_verifier") {
                    // Where a verifier is installed decides whether its impl below is a finding.
                    if let Some(verifier) = call.args.first().and_then(constructed_type) {
                        let switched = node.site.guard_texts(cx.file).any(names_verification_switch);
                        cx.fact(Fact::CertVerifierInstalled { verifier, switched });
                    }
                    return;
                }
                // A builder method the models know switches verification off (`danger_accept_invalid_certs`).
                let off_when = model.knowledge().tls_switch(ModelLanguage::Rust, &method);
                let switch = off_when.is_some() || method == "set_verify" || method == "set_verify_callback";
                let Some(first) = call.args.first().filter(|_| switch) else { return };
                // Written as a branch on a verification setting: the operator's opt-in. Read only
                // at the calls that can switch verification off (it prints the conditions).
                if node.site.guard_texts(cx.file).any(names_verification_switch) {
                    return;
                }
                // Found only when reporting: finding a call's end prints the whole call again.
                let span = || crate::source::Span::new(rust_span(cx.file, &call.method).start, rust_span(cx.file, call).end);
                if let Some(off) = off_when.filter(|off| model.bool_value(first, node.site.fn_id) == Some(*off)) {
                    let on = !off;
                    let literal = matches!(first, syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Bool(_), .. }));
                    let fix = literal.then(|| Edit::replace(cx.file, rust_span(cx.file, first), on.to_string()));
                    let finding = cx.report(span(), format!("`{method}({off})` turns off TLS verification for this client"));
                    finding.help = Some(HELP.into());
                    if let Some(edit) = fix {
                        finding.with_fix(format!("call `{method}({on})`"), Applicability::Safe, vec![edit]);
                    }
                }
                if (method == "set_verify" || method == "set_verify_callback") && is_verify_none(first) {
                    cx.report(span(), "`SslVerifyMode::NONE` accepts any certificate the peer presents").help = Some(HELP.into());
                } else if method == "set_verify_callback" && call.args.iter().nth(1).is_some_and(is_always_true) {
                    cx.report(span(), "this verify callback returns `true` for every certificate, so none is rejected").help =
                        Some(HELP.into());
                }
            }
            RustSyntax::Impl(item) => {
                let is_verifier =
                    item.trait_.as_ref().and_then(|(_, path, _)| path.segments.last()).is_some_and(|s| s.ident == "ServerCertVerifier");
                if !is_verifier {
                    return;
                }
                let verifier = match &*item.self_ty {
                    syn::Type::Path(ty) => ty.path.segments.last().map(|s| s.ident.to_string()),
                    _ => None,
                };
                for impl_item in &item.items {
                    let ImplItem::Fn(function) = impl_item else { continue };
                    if function.sig.ident == "verify_server_cert" && returns_assertion_unconditionally(&function.block) {
                        let finding = cx.report(
                            rust_span(cx.file, &function.sig.ident),
                            "this `ServerCertVerifier` accepts every server certificate without checking it",
                        );
                        finding.help = Some(HELP.into());
                        // Installed only under a switch (`if self.skip_tls_verify { .. }`), it is
                        // that switch's implementation, like `danger_accept_invalid_certs(insecure)`.
                        if let Some(verifier) = verifier.clone() {
                            finding
                                .withdrawn_by(Fact::CertVerifierInstalled { verifier: verifier.clone(), switched: true })
                                .kept_by(Fact::CertVerifierInstalled { verifier, switched: false });
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// The type a verifier argument makes: `Arc::new(NoVerifier)`, `Arc::new(NoVerifier::new())`,
/// `NoVerifier {}`, `Arc::new(SkipVerify::default()).into()`. A variable says nothing of its type.
fn constructed_type(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Paren(inner) => constructed_type(&inner.expr),
        Expr::Reference(inner) => constructed_type(&inner.expr),
        Expr::MethodCall(call) if matches!(call.method.to_string().as_str(), "into" | "clone") => constructed_type(&call.receiver),
        Expr::Struct(literal) => literal.path.segments.last().map(|s| s.ident.to_string()),
        Expr::Path(path) => {
            let name = path.path.segments.last()?.ident.to_string();
            name.starts_with(|c: char| c.is_ascii_uppercase()).then_some(name)
        }
        Expr::Call(call) => {
            let Expr::Path(func) = &*call.func else { return None };
            let segments: Vec<String> = func.path.segments.iter().map(|s| s.ident.to_string()).collect();
            match segments.as_slice() {
                [.., wrapper, new] if new == "new" && matches!(wrapper.as_str(), "Arc" | "Rc" | "Box") => {
                    call.args.first().and_then(constructed_type)
                }
                [.., ty, _constructor] if ty.starts_with(|c: char| c.is_ascii_uppercase()) => Some(ty.clone()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `|_, _| true`: an OpenSSL verify callback that overrides every verification failure.
fn is_always_true(expr: &Expr) -> bool {
    let Expr::Closure(closure) = expr else { return false };
    let body = match &*closure.body {
        Expr::Block(block) => match block.block.stmts.as_slice() {
            [Stmt::Expr(last, None)] => last,
            _ => return false,
        },
        body => body,
    };
    matches!(body, Expr::Lit(syn::ExprLit { lit: syn::Lit::Bool(b), .. }) if b.value)
}

fn is_verify_none(expr: &Expr) -> bool {
    let text = quote::ToTokens::to_token_stream(expr).to_string().replace(' ', "");
    text.ends_with("SslVerifyMode::NONE") || text.ends_with("SslVerifyMode::empty()") || text == "SSL_VERIFY_NONE"
}

/// The body is `Ok(ServerCertVerified::assertion())`, possibly after `let _ = ...;` lines and
/// log lines (`warn!("accepting any certificate")`), none of which check anything.
fn returns_assertion_unconditionally(block: &syn::Block) -> bool {
    let mut statements = block.stmts.iter().filter(|s| match s {
        Stmt::Local(local) => !matches!(local.pat, syn::Pat::Wild(_)),
        Stmt::Macro(mac) => !is_logging_macro(&mac.mac),
        Stmt::Expr(Expr::Macro(mac), Some(_)) => !is_logging_macro(&mac.mac),
        _ => true,
    });
    let (Some(Stmt::Expr(expr, _)), None) = (statements.next(), statements.next()) else { return false };
    let expr = match expr {
        Expr::Return(ret) => match &ret.expr {
            Some(inner) => inner,
            None => return false,
        },
        other => other,
    };
    let text = quote::ToTokens::to_token_stream(expr).to_string().replace(' ', "");
    text.starts_with("Ok(") && text.ends_with("ServerCertVerified::assertion())")
}

fn is_logging_macro(mac: &syn::Macro) -> bool {
    mac.path.segments.last().is_some_and(|name| {
        matches!(name.ident.to_string().as_str(), "trace" | "debug" | "info" | "warn" | "error" | "println" | "eprintln" | "log")
    })
}
