//! `hardcoded-secret`: credentials written into the source, where every clone, build log and
//! container image carries them. Values are masked in every message.

use crate::lang::rust::{span_of as rust_span, LitParent, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{named_children, span_of, Property};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::{Key, KeyHolder};
use crate::rules::helpers::{
    is_local_host, is_placeholder, is_secret_name, known_key_format, looks_like_credential, mask, parse_url, SHORTEST_KEY_FORMAT,
};
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use crate::source::Span;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "hardcoded-secret", build };

struct HardcodedSecret;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(HardcodedSecret))
}

const HELP: &str = "load the secret at run time (environment variable, secret manager, mounted file) and rotate the exposed value";

impl HardcodedSecret {
    /// Known provider formats and URLs with inline passwords, in any string.
    fn check_string_value(&self, value: &str, span: Span, cx: &mut Context<'_>) {
        // Test code is documented as not reported: its keys are fixtures, and a note there would
        // still be noise in every test suite that exercises key parsing.
        if cx.in_test || cx.reported_at(span) {
            return;
        }
        if let Some((kind, key)) = known_key_format(value) {
            if kind == "a private key" && is_pem_placeholder(value) {
                return;
            }
            cx.report(span, format!("{kind} (`{}`) is written in the source", mask(key))).help = Some(HELP.into());
            return;
        }
        if let Some(password) = url_password(value) {
            cx.report(span, format!("connection URL embeds the password `{}`", mask(password))).help = Some(HELP.into());
        }
    }

    fn report_key(&self, what: &str, value: &str, span: Span, cx: &mut Context<'_>) {
        if value.is_empty() || cx.in_test || value.contains("PUBLIC KEY") || value.contains("CERTIFICATE") {
            return;
        }
        cx.report(span, format!("{what} is a hardcoded string (`{}`)", mask(value))).help = Some(HELP.into());
    }

    fn report_named(&self, name: &str, value: &str, span: Span, cx: &mut Context<'_>) {
        // A value in a provider format is reported for its format, by `check_string_value`.
        let credential = is_secret_name(name) && looks_like_credential(value) && known_key_format(value).is_none();
        if cx.in_test || !credential || names_itself(name, value) || cx.reported_at(span) {
            return;
        }
        // A name with spaces or slashes is a key of a table (`"get /configs/id-token"`), and UI
        // text in translation files is words (`password: 'Palavra-passe'`).
        if name.contains(char::is_whitespace) || name.contains('/') || is_translation_path(&cx.file.rel_path) {
            return;
        }
        if is_public_client_key(name, value) || is_hash_or_pattern(value) {
            return;
        }
        cx.report(span, format!("`{name}` is assigned a hardcoded credential (`{}`)", mask(value))).help = Some(HELP.into());
    }

    /// A key argument: a literal, a constant, `Buffer.from("…")`, or a literal fallback
    /// (`process.env.KEY || "dev-key"`), with the node to point at.
    fn ts_key_literal<'t>(&self, node: Node<'t>, model: &TsModel<'t>) -> Option<(String, Node<'t>)> {
        let node = model.unwrap_expression(node);
        let resolved = model.resolve(node);
        if let Some(value) = model.string_value(resolved) {
            return Some((value, node));
        }
        match resolved.kind() {
            "binary_expression" => {
                let operator = resolved.field("operator").map(|o| model.text(o))?;
                if operator == "||" || operator == "??" {
                    let fallback = resolved.field("right")?;
                    return model.string_value(fallback).map(|v| (v, fallback));
                }
                None
            }
            "array" => self.ts_key_literal(named_children(resolved).next()?, model),
            // Bytes of a literal: `Buffer.from("…")`, `new TextEncoder().encode("…")` (jose's keys).
            "call_expression" => {
                let callee = resolved.field("function")?;
                let first = resolved.field("arguments")?.named_child(0)?;
                let encoded = callee.kind() == "member_expression"
                    && callee.field("property").is_some_and(|p| model.text(p) == "encode")
                    && callee.field("object").is_some_and(|o| {
                        o.kind() == "new_expression" && o.field("constructor").is_some_and(|c| model.text(c) == "TextEncoder")
                    });
                (encoded || model.qualified_name(callee).as_deref() == Some("Buffer.from")).then_some(())?;
                self.ts_key_literal(first, model)
            }
            _ => None,
        }
    }

    fn check_ts_call(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let callee = node.field("function").or_else(|| node.field("constructor"));
        let Some(callee) = callee else { return };
        let Some(args) = node.field("arguments") else { return };
        let arguments: Vec<Node<'_>> = named_children(args).collect();
        // Fastify plugins get their options from `register`: `app.register(fastifyJwt, { secret })`.
        let registers_plugin =
            callee.kind() == "member_expression" && callee.field("property").is_some_and(|p| model.text(p) == "register");
        if let (true, Some(plugin)) = (registers_plugin, arguments.first().and_then(|a| model.qualified_name(*a))) {
            let options = arguments.get(1).and_then(|o| model.object_literal(*o));
            self.check_key_options(&model.keys_named(&plugin), options, model, cx);
        }
        // A NestJS dynamic module's `registerAsync({ useFactory })` takes what `register` takes,
        // from the factory's result.
        if let Some(module) = model.qualified_name(callee).as_deref().and_then(|name| name.strip_suffix(".registerAsync")) {
            let options = arguments.first().and_then(|o| factory_result(*o, model));
            self.check_key_options(&model.keys_named(&format!("{module}.register")), options, model, cx);
            return;
        }
        // The calls the models say take a key (`models/js-secret-keys.toml`, `[[keys]]` entries).
        for key in &model.keys(node) {
            match &key.holder {
                KeyHolder::Argument(index) => {
                    if let Some((value, at)) = arguments.get(*index).and_then(|a| self.ts_key_literal(*a, model)) {
                        self.report_key(&key.what, &value, span_of(at), cx);
                    }
                }
                KeyHolder::Option { argument, .. } => {
                    let options = arguments.get(*argument).and_then(|o| model.object_literal(*o));
                    self.check_key_options(&[*key], options, model, cx);
                }
            }
        }
    }

    /// The key-holding properties of an options object, for the entries that name one.
    fn check_key_options(&self, keys: &[&Key], options: Option<Node<'_>>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(options) = options else { return };
        for key in keys {
            let KeyHolder::Option { name, .. } = &key.holder else { continue };
            if let Property::Found(value) = model.property(options, name) {
                if let Some((secret, at)) = self.ts_key_literal(value, model) {
                    self.report_key(&key.what, &secret, span_of(at), cx);
                }
            }
        }
    }
}

/// The object literal that `{ useFactory: … }` returns: `() => ({ … })` or `{ return { … }; }`.
pub(crate) fn factory_result<'t>(options: Node<'t>, model: &TsModel<'t>) -> Option<Node<'t>> {
    let Property::Found(factory) = model.property(model.object_literal(options)?, "useFactory") else { return None };
    let body = model.resolve(factory).field("body")?;
    if body.kind() != "statement_block" {
        return model.object_literal(body);
    }
    named_children(body)
        .filter(|statement| statement.kind() == "return_statement")
        .find_map(|statement| model.object_literal(statement.named_child(0)?))
}

/// The password of `scheme://user:password@host` when it is a real value on a remote host.
fn url_password(value: &str) -> Option<&str> {
    let url = parse_url(value)?;
    let (_, password) = url.userinfo?.split_once(':')?;
    let is_template = password.contains(['$', '{', '%', '<']);
    if password.is_empty() || is_template || is_placeholder(password) || is_local_host(url.host) {
        return None;
    }
    Some(password)
}

impl Rule for HardcodedSecret {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &[
            "string",
            "template_string",
            "call_expression",
            "new_expression",
            "variable_declarator",
            "pair",
            "public_field_definition",
            "assignment_expression",
            "required_parameter",
            "optional_parameter",
            "object_assignment_pattern",
        ]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        match node.kind() {
            "string" | "template_string" => {
                // Most literals are short words; only a key format or a URL with a password is
                // reported here, so those never need their value built.
                let raw = model.text(node);
                if raw.len() < SHORTEST_KEY_FORMAT + 2 && !raw.contains("://") {
                    return;
                }
                let value = model.string_literal(node).unwrap_or_else(|| model.text(node).trim_matches('`').to_string());
                self.check_string_value(&value, span_of(node), cx);
            }
            "call_expression" | "new_expression" => self.check_ts_call(node, model, cx),
            _ => {
                let (name, value) = match node.kind() {
                    "pair" => (node.field("key"), node.field("value")),
                    "public_field_definition" => (node.field("name"), node.field("value")),
                    // `this.apiKey = "…"`, `process.env.JWT_SECRET = "…"`: the property's name.
                    "assignment_expression" => {
                        let left = node.field("left");
                        let name = match left {
                            Some(member) if member.kind() == "member_expression" => member.field("property"),
                            Some(member) if member.kind() == "subscript_expression" => member.field("index"),
                            other => other,
                        };
                        (name, node.field("right"))
                    }
                    // Parameter defaults: `function connect(password = "…")`, `({ apiKey = "…" }) => …`.
                    "required_parameter" | "optional_parameter" => (node.field("pattern"), node.field("value")),
                    "object_assignment_pattern" => (node.field("left"), node.field("right")),
                    _ => (node.field("name"), node.field("value")),
                };
                let (Some(name), Some(value)) = (name, value) else { return };
                let value = model.unwrap_expression(value);
                // Most values here are no literal or too short to be credential-shaped (eight
                // characters, within quotes): those are left before anything is built from them.
                if model.text(value).len() < 10 {
                    return;
                }
                // Only direct literals: a name bound to another constant is reported there.
                let Some(literal) = model.string_literal(value) else { return };
                let Some(name) = ts_written_name(name, model) else { return };
                self.report_named(&name, &literal, span_of(value), cx);
            }
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Str, RustKind::Call, RustKind::Const, RustKind::Let, RustKind::Field]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        let fn_id = node.site.fn_id;
        match node.syntax {
            RustSyntax::Str(lit) => {
                // `TestValue::Single("ghp_…")`: a sample handed to a test or sample type is test data.
                if matches!(&node.site.parent, LitParent::Call(path) if is_sample_type(path)) {
                    return;
                }
                self.check_string_value(&lit.value(), rust_span(cx.file, lit), cx)
            }
            RustSyntax::Call(call) => {
                // The calls the models say take a key (`models/secret-key-crates.toml`).
                let keys = model.keys(&model.call_parts(call));
                let Some(key) = keys.first() else { return };
                let KeyHolder::Argument(index) = key.holder else { return };
                let Some(argument) = call.args.iter().nth(index) else { return };
                let Some(value) = model.string_value(argument, fn_id) else { return };
                // `Key::from(COOKIE_MASTER_KEY)`: a credential-named constant is already reported
                // where it is written; one secret is one finding.
                let held_by = named_holder(argument);
                if held_by.is_some_and(|name| is_secret_name(&name) && looks_like_credential(&value) && known_key_format(&value).is_none())
                {
                    return;
                }
                self.report_key(&key.what, &value, rust_span(cx.file, argument), cx);
            }
            RustSyntax::Const { name, expr } | RustSyntax::Let { name, init: expr } | RustSyntax::Field { name, expr } => {
                if let Some(value) = direct_literal(expr) {
                    self.report_named(&name.to_string(), &value, rust_span(cx.file, expr), cx);
                }
            }
            _ => {}
        }
    }
}

/// A value that spells its own name (`updateOwnAccessToken: 'updateOwnAccessToken'`,
/// `API_KEY = "api_key"`, `ATTR_JWS_ES256_PRIVATE_KEY = "jws_es256_private_key"`): an identifier
/// such as a permission, an attribute or a setting's key, not a secret.
fn names_itself(name: &str, value: &str) -> bool {
    let letters = |text: &str| text.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect::<String>();
    let (name, value) = (letters(name), letters(value));
    name == value || (value.len() >= 8 && name.contains(&value))
}

/// A PEM block whose body is not key material (`-----BEGIN PRIVATE KEY-----\n[private-key-content]\n
/// -----END PRIVATE KEY-----`, a form's placeholder). A header alone is still reported: the
/// body may follow in the next literal.
fn is_pem_placeholder(value: &str) -> bool {
    let Some(body) = value.split_once("-----\n").map(|(_, rest)| rest).or_else(|| value.split_once("-----").map(|(_, rest)| rest)) else {
        return false;
    };
    let Some((body, _)) = body.split_once("-----END") else { return false };
    let longest_base64_run =
        body.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))).map(str::len).max().unwrap_or(0);
    longest_base64_run < 40
}

/// Files whose strings are text for people rather than configuration: translations
/// (`locales/`, `i18n/`, `translation/`).
fn is_translation_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let mut dirs = lower.split('/').rev().skip(1);
    dirs.any(|dir| matches!(dir, "locales" | "locale" | "i18n" | "l10n" | "translations" | "translation" | "lang" | "langs"))
}

/// Keys that are public by design: analytics write keys and publishable keys shipped to
/// browsers (PostHog `phc_…`, Stripe `pk_live_…`), or a name that says so.
fn is_public_client_key(name: &str, value: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["phc_", "pk_live_", "pk_test_"].iter().any(|prefix| value.starts_with(prefix))
        || ["public", "publishable", "write_key", "writekey"].iter().any(|word| name.contains(word))
}

/// Password hashes (`$2b$…`, `$argon2id$…`: what a database stores, not a credential) and
/// regular expressions (`^[a-zA-Z0-9_]{2,24}$`: the shape of a key, not one).
fn is_hash_or_pattern(value: &str) -> bool {
    let hash = ["$2a$", "$2b$", "$2y$", "$argon2", "$scrypt$", "$pbkdf2"].iter().any(|prefix| value.starts_with(prefix));
    let class = ["[a-z", "[A-Z", "[0-9", "\\d", "\\w", "\\s"].iter().any(|p| value.contains(p));
    let pattern = (value.starts_with('^') && value.ends_with('$')) || class;
    hash || pattern
}

/// Whether a call path constructs test or sample data: a segment before the function named
/// `Test…`, `Sample…`, `Example…`, `Fake…`, `Mock…` or `Dummy…` (`TestValue::Single`).
fn is_sample_type(path: &str) -> bool {
    let mut segments = path.rsplit("::");
    segments.next();
    segments.any(|segment| ["Test", "Sample", "Example", "Fake", "Mock", "Dummy"].iter().any(|word| segment.starts_with(word)))
}

/// The name a property, variable or parameter is written with. A computed key (`[Modules.API_KEY]`,
/// `headers[field]`) is an expression whose value is unknown here, so it names nothing, unless it
/// is a string literal.
fn ts_written_name(name: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    let name = if name.kind() == "computed_property_name" { name.named_child(0)? } else { name };
    if let Some(literal) = model.string_literal(name) {
        return Some(literal);
    }
    match name.kind() {
        "identifier" | "property_identifier" | "private_property_identifier" | "shorthand_property_identifier_pattern" => {
            Some(model.text(name).to_string())
        }
        _ => None,
    }
}

/// The constant or variable an argument reads (`KEY`, `&KEY`, `KEY.as_bytes()`).
fn named_holder(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Path(p) => p.path.get_ident().map(ToString::to_string),
        syn::Expr::Reference(r) => named_holder(&r.expr),
        syn::Expr::Paren(p) => named_holder(&p.expr),
        syn::Expr::MethodCall(m) if m.args.is_empty() => named_holder(&m.receiver),
        _ => None,
    }
}

/// A string literal, possibly behind `&`, `.to_string()`, `String::from(..)` or `.into()`.
fn direct_literal(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::ByteStr(s), .. }) => String::from_utf8(s.value()).ok(),
        syn::Expr::Reference(r) => direct_literal(&r.expr),
        syn::Expr::MethodCall(m) if m.args.is_empty() && matches!(m.method.to_string().as_str(), "to_string" | "to_owned" | "into") => {
            direct_literal(&m.receiver)
        }
        syn::Expr::Call(c)
            if c.args.len() == 1 && matches!(&*c.func, syn::Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "from")) =>
        {
            direct_literal(&c.args[0])
        }
        _ => None,
    }
}
