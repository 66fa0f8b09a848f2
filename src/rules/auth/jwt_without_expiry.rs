//! `jwt-without-expiry`: tokens issued without an expiry stay valid forever, so a token that
//! leaks (a log line, a browser extension, a stolen laptop) can never stop working short of
//! rotating the signing key for everyone.

use super::{call_arguments, for_each_expr_in, is_expiry_claim, on_token_service, serialized_fields, Walk};
use crate::diagnostic::{Applicability, Edit, Fact};
use crate::lang::rust::{block_span, span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{is_function_like, named_children, span_of, Property};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::{Language, Token, TokenRole};
use crate::rules::helpers::add_to_options;
use crate::rules::secrets::hardcoded_secret::factory_result;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use crate::source::Span;
use syn::Expr;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "jwt-without-expiry", build };

struct JwtWithoutExpiry {
    /// The lifetime an (unsafe) fix gives tokens: `expiresIn` as `jsonwebtoken` reads it.
    fix_expires_in: String,
}

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    let fix_expires_in = match options.get("fix-expires-in") {
        None => "1h".to_string(),
        Some(toml::Value::String(lifetime)) if !lifetime.trim().is_empty() && !lifetime.contains(['"', '\\']) => lifetime.clone(),
        Some(_) => return Err(format!("rules.{}.fix-expires-in must be a lifetime such as \"1h\" or \"15m\"", ENTRY.id)),
    };
    Ok(Box::new(JwtWithoutExpiry { fix_expires_in }))
}

const HELP: &str = "give every token a short lifetime (`expiresIn: \"15m\"`, jose `.setExpirationTime(\"15m\")`, an `exp` claim in Rust) and use refresh tokens for long sessions";

/// Whether an object literal (directly or through a constant) certainly lacks `key`: `Some(true)`
/// when it is an object without it, `Some(false)` when it has it or a spread may provide it,
/// `None` when the value is not an object literal the file shows.
fn lacks(node: Node<'_>, key: &str, model: &TsModel<'_>) -> Option<bool> {
    let object = model.object_literal(node)?;
    Some(matches!(model.property(object, key), Property::Missing))
}

/// A payload object with no `exp` and no key the application may check as an expiry of its own
/// (`expiresAt`, `createdAt`, ...; see [`is_expiry_claim`]).
fn payload_lacks_expiry(node: Node<'_>, model: &TsModel<'_>) -> bool {
    let Some(object) = model.object_literal(node) else { return false };
    if !matches!(model.property(object, "exp"), Property::Missing) {
        return false;
    }
    !named_children(object).any(|member| {
        let key = match member.kind() {
            "pair" => member.field("key"),
            "shorthand_property_identifier" | "method_definition" => Some(member),
            _ => None,
        };
        key.map(|k| model.string_literal(k).unwrap_or_else(|| model.text(k).to_string())).is_some_and(|k| is_expiry_claim(&k))
    })
}

impl JwtWithoutExpiry {
    /// A sign call of a JWT library (per the models): `jwt.sign(payload, key[, options][, callback])`,
    /// NestJS `this.jwtService.sign(payload[, options])`.
    fn check_sign(&self, call: Node<'_>, callee: Node<'_>, token: &Token, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let parameters = &token.parameters;
        let Some(option) = parameters.expiry_option.as_deref() else { return };
        // A library method matches any receiver in a file importing the library.
        if token.callee.is_method() && !on_token_service(callee, model) {
            return;
        }
        let arguments = call_arguments(call);
        let Some(payload) = arguments.get(parameters.payload_argument.unwrap_or(0)) else { return };
        // Options the file does not show (a parameter, an import) may hold the lifetime; a
        // function in their place is the callback.
        let options_index = parameters.options_argument;
        let options_may_expire = options_index
            .and_then(|index| arguments.get(index))
            .is_some_and(|options| !is_function_like(model.resolve(*options).kind()) && lacks(*options, option, model) != Some(true));
        if options_may_expire {
            return;
        }
        let shown = if token.callee.is_method() { model.text(callee.field("property").unwrap_or(callee)) } else { token.shown() };
        let is_string = matches!(model.resolve(*payload).kind(), "string" | "template_string");
        let message = if is_string {
            format!("`{shown}` signs a string payload, which cannot carry an expiry: the token never expires")
        } else if !payload_lacks_expiry(*payload, model) {
            return;
        } else if parameters.registered_defaults {
            format!(
                "`{shown}` issues a token that never expires: no `{option}` here or in the defaults the library is registered with, and no `exp` in the payload"
            )
        } else {
            format!("`{shown}` issues a token that never expires: no `{option}` option and no `exp` in the payload")
        };
        // The lifetime in the options (new ones when there are none); a string payload cannot
        // take it. Unsafe: how long a token should live is a decision.
        let expires = format!("{option}: \"{}\"", self.fix_expires_in);
        let fix = (!is_string).then(|| options_index.and_then(|index| add_to_options(call, index, &expires, model, cx.file))).flatten();
        let finding = cx.report(span_of(callee), message);
        finding.help = Some(HELP.into());
        if parameters.registered_defaults {
            finding.withdrawn_by(Fact::NestJwtDefaultExpiry);
        }
        if let Some(edits) = fix {
            finding.with_fix(format!("sign with `{expires}`"), Applicability::Unsafe, edits);
        }
    }

    /// A token builder (per the models): `new SignJWT(payload).setProtectedHeader(..).sign(key)`
    /// without `.setExpirationTime(..)`.
    fn check_sign_builder(&self, new: Node<'_>, token: &Token, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(constructor) = new.field("constructor") else { return };
        let parameters = &token.parameters;
        let (Some(sign), Some(expiry)) = (parameters.sign_method.as_deref(), parameters.expiry_methods.first()) else { return };
        let methods = chained_methods(new, model);
        // A chain that does not sign here may be finished elsewhere.
        if !methods.iter().any(|m| m == sign) || methods.iter().any(|m| parameters.expiry_methods.contains(m)) {
            return;
        }
        let payload = call_arguments(new).get(parameters.payload_argument.unwrap_or(0)).copied();
        if !payload.is_some_and(|p| payload_lacks_expiry(p, model)) {
            return;
        }
        let fix = set_expiration_before_sign(new, sign, expiry, model, cx.file, &self.fix_expires_in);
        let finding = cx.report(
            Span::new(new.start_byte(), constructor.end_byte()),
            format!("this `{}` chain signs a token without `.{expiry}(..)` or an `exp` claim: the token never expires", token.shown()),
        );
        finding.help = Some(HELP.into());
        if let Some(edit) = fix {
            let what = format!("set `.{expiry}(\"{}\")` before `.{sign}(..)`", self.fix_expires_in);
            finding.with_fix(what, Applicability::Unsafe, vec![edit]);
        }
    }

    /// Where a library is registered with defaults every sign call merges in (NestJS
    /// `JwtModule.register({ signOptions: { expiresIn } })`, `registerAsync` whose factory returns
    /// such options): a lifetime there establishes [`Fact::NestJwtDefaultExpiry`]; so do options
    /// the file does not show (`useClass`, a factory returning a config value), to stay on the
    /// safe side.
    fn note_defaults(&self, call: Node<'_>, token: &Token, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let parameters = &token.parameters;
        let (Some(index), Some(path)) = (parameters.options_argument, parameters.expiry_option.as_deref()) else { return };
        let Some(options) = call_arguments(call).get(index).copied() else { return };
        let options = if parameters.factory { factory_result(options, model) } else { model.object_literal(options) };
        let sets_expiry = match options {
            None => true,
            Some(options) => may_set(options, path, model),
        };
        if sets_expiry {
            cx.fact(Fact::NestJwtDefaultExpiry);
        }
    }
}

/// Whether an options object may set the option at a dotted path (`signOptions.expiresIn`):
/// it does, or a part of the way is a value the file does not show.
fn may_set(options: Node<'_>, path: &str, model: &TsModel<'_>) -> bool {
    match path.split_once('.') {
        None => lacks(options, path, model) != Some(true),
        Some((first, rest)) => match model.property(options, first) {
            Property::Missing => false,
            Property::Unknown => true,
            Property::Found(inner) => model.object_literal(inner).is_none_or(|inner| may_set(inner, rest, model)),
        },
    }
}

/// The edit that puts `.setExpirationTime(lifetime)` (the builder's `expiry` method) in front of
/// the `.sign(..)` of the chain around `new SignJWT(..)`, laid out like the link it precedes (on
/// its own line when `.sign` is).
fn set_expiration_before_sign(
    new: Node<'_>,
    sign: &str,
    expiry: &str,
    model: &TsModel<'_>,
    file: &crate::source::SourceFile,
    lifetime: &str,
) -> Option<Edit> {
    let mut node = new;
    while let Some(parent) = node.parent() {
        match parent.kind() {
            "member_expression" if parent.field("object") == Some(node) => {
                if parent.field("property").is_some_and(|p| model.text(p) == sign) {
                    let object_end = node.end_byte();
                    let dot = file.text[object_end..].find('.')? + object_end;
                    let layout = &file.text[object_end..dot];
                    let layout = if layout.trim().is_empty() { layout } else { "" };
                    return Some(Edit::insert(file, object_end, format!("{layout}.{expiry}(\"{lifetime}\")")));
                }
            }
            "call_expression" if parent.field("function") == Some(node) => {}
            "parenthesized_expression" | "await_expression" => {}
            _ => return None,
        }
        node = parent;
    }
    None
}

/// The methods called on an expression, outwards: `new X().a().b()` → [a, b].
fn chained_methods(mut node: Node<'_>, model: &TsModel<'_>) -> Vec<String> {
    let mut methods = Vec::new();
    while let Some(parent) = node.parent() {
        match parent.kind() {
            "parenthesized_expression" | "await_expression" => node = parent,
            "member_expression" if parent.field("object") == Some(node) => {
                let Some(call) = parent.parent().filter(|c| c.kind() == "call_expression") else { break };
                if let Some(property) = parent.field("property") {
                    methods.push(model.text(property).to_string());
                }
                node = call;
            }
            _ => break,
        }
    }
    methods
}

// ----- Rust -----

/// A call the models say issues a token (`jsonwebtoken::encode(&header, &claims, &key)`), and
/// its claims argument.
fn encoded_claims<'e>(expr: &'e Expr, model: &RustModel) -> Option<(&'e syn::ExprCall, &'e Expr)> {
    let Expr::Call(call) = expr else { return None };
    let parts = model.call_parts(call);
    let tokens = model.tokens(&parts);
    let sign = tokens.iter().find(|t| t.role == TokenRole::Sign)?;
    Some((call, call.args.iter().nth(sign.parameters.payload_argument.unwrap_or(0))?))
}

/// A cheap first test, for every function: a sign function's name (`encode`) is in its body, or
/// is imported under another name.
fn may_sign(block: &syn::Block, model: &RustModel, cx: &Context<'_>) -> bool {
    let body = block_span(cx.file, block);
    let Some(text) = cx.file.text.get(body.start..body.end) else { return false };
    model
        .knowledge()
        .token_names(Language::Rust, TokenRole::Sign)
        .any(|name| text.contains(name) || model.imports_path_ending_with(&[name]))
}

fn is_self(expr: &Expr) -> bool {
    match expr {
        Expr::Reference(r) => is_self(&r.expr),
        Expr::Path(p) => p.path.is_ident("self"),
        _ => false,
    }
}

impl JwtWithoutExpiry {
    /// `impl Claims { fn encode(&self, ..) { jsonwebtoken::encode(&header, &self, &key) } }`: the
    /// claims type is the type the method belongs to.
    fn check_rust_impl(&self, item: &syn::ItemImpl, model: &RustModel, cx: &mut Context<'_>) {
        let syn::Type::Path(self_ty) = &*item.self_ty else { return };
        let Some(name) = self_ty.path.segments.last().map(|s| s.ident.to_string()) else { return };
        for impl_item in &item.items {
            let syn::ImplItem::Fn(function) = impl_item else { continue };
            if !may_sign(&function.block, model, cx) {
                continue;
            }
            for_each_expr_in(Walk::Block(&function.block), &mut |expr| {
                let Some((call, claims)) = encoded_claims(expr, model) else { return };
                if is_self(claims) {
                    let span = Span::new(rust_span(cx.file, &call.func).start, rust_span(cx.file, call).end);
                    cx.report(span, format!("the claims type `{name}` has no `exp` field: tokens encoded from it never expire"))
                        .requires(Fact::ClaimsWithoutExp(name.clone()))
                        .withdrawn_by(Fact::ClaimsWithExp(name.clone()))
                        .help = Some(HELP.into());
                }
            });
        }
    }

    fn check_rust_fn(&self, sig: &syn::Signature, block: &syn::Block, fn_id: Option<usize>, model: &RustModel, cx: &mut Context<'_>) {
        if !may_sign(block, model, cx) {
            return;
        }
        for_each_expr_in(Walk::Block(block), &mut |expr| {
            let Some((call, claims)) = encoded_claims(expr, model) else { return };
            let span = Span::new(rust_span(cx.file, &call.func).start, rust_span(cx.file, call).end);
            // `encode(&header, &json!({ "sub": id }), &key)`
            if let Some(tokens) = json_macro(claims, fn_id, model) {
                if !tokens.contains("\"exp\"") {
                    cx.report(span, "this token's `json!` claims have no `exp`: the token never expires").help = Some(HELP.into());
                }
                return;
            }
            let Some(name) = claims_type(claims, sig, fn_id, model, 0) else { return };
            cx.report(span, format!("the claims type `{name}` has no `exp` field: tokens encoded from it never expire"))
                .requires(Fact::ClaimsWithoutExp(name.clone()))
                .withdrawn_by(Fact::ClaimsWithExp(name))
                .help = Some(HELP.into());
        });
    }
}

/// The tokens of a `json!` macro the claims are (or are bound to).
fn json_macro(expr: &Expr, fn_id: Option<usize>, model: &RustModel) -> Option<String> {
    match expr {
        Expr::Reference(r) => json_macro(&r.expr, fn_id, model),
        Expr::Paren(p) => json_macro(&p.expr, fn_id, model),
        Expr::Macro(m) if m.mac.path.segments.last().is_some_and(|s| s.ident == "json") => Some(m.mac.tokens.to_string()),
        Expr::Path(p) => {
            let local = model.local_of(fn_id, p)?;
            if local.mutable {
                return None;
            }
            json_macro(local.init?, fn_id, model)
        }
        _ => None,
    }
}

/// The type of the claims value, when the code says it: a struct literal, `Claims::new(..)`, a
/// typed `let` or a parameter.
fn claims_type(expr: &Expr, sig: &syn::Signature, fn_id: Option<usize>, model: &RustModel, depth: usize) -> Option<String> {
    if depth > 6 {
        return None;
    }
    match expr {
        Expr::Reference(r) => claims_type(&r.expr, sig, fn_id, model, depth + 1),
        Expr::Paren(p) => claims_type(&p.expr, sig, fn_id, model, depth + 1),
        Expr::MethodCall(m) if m.args.is_empty() && matches!(m.method.to_string().as_str(), "clone" | "to_owned" | "as_ref") => {
            claims_type(&m.receiver, sig, fn_id, model, depth + 1)
        }
        Expr::Struct(s) => named_type(&s.path, sig),
        Expr::Call(call) => {
            let Expr::Path(func) = &*call.func else { return None };
            let segments: Vec<&syn::PathSegment> = func.path.segments.iter().collect();
            let owner = segments.len().checked_sub(2).map(|i| segments[i])?;
            let name = owner.ident.to_string();
            (name.starts_with(char::is_uppercase) && name != "Self" && !is_generic(&name, sig)).then_some(name)
        }
        Expr::Path(p) => {
            if let Some(local) = model.local_of(fn_id, p) {
                if let Some(syn::Type::Path(ty)) = local.ty {
                    return named_type(&ty.path, sig);
                }
                return claims_type(local.init?, sig, fn_id, model, depth + 1);
            }
            let name = p.path.get_ident()?;
            sig.inputs.iter().find_map(|input| {
                let syn::FnArg::Typed(typed) = input else { return None };
                let syn::Pat::Ident(pat) = &*typed.pat else { return None };
                if pat.ident != *name {
                    return None;
                }
                let mut ty = &*typed.ty;
                while let syn::Type::Reference(r) = ty {
                    ty = &r.elem;
                }
                let syn::Type::Path(path) = ty else { return None };
                named_type(&path.path, sig)
            })
        }
        _ => None,
    }
}

/// The last segment of a type path, unless it is `Self`, a generic parameter or a map type
/// (whose keys are not known).
fn named_type(path: &syn::Path, sig: &syn::Signature) -> Option<String> {
    let name = path.segments.last()?.ident.to_string();
    let opaque = matches!(name.as_str(), "Self" | "Value" | "HashMap" | "BTreeMap" | "Map") || is_generic(&name, sig);
    (!opaque).then_some(name)
}

fn is_generic(name: &str, sig: &syn::Signature) -> bool {
    sig.generics.type_params().any(|p| p.ident == name)
}

/// `#[derive(Serialize)]` (also `serde::Serialize`).
fn derives_serialize(item: &syn::ItemStruct) -> bool {
    item.attrs.iter().any(|attr| {
        attr.path().is_ident("derive")
            && quote::ToTokens::to_token_stream(attr).to_string().split(|c: char| !c.is_alphanumeric()).any(|w| w == "Serialize")
    })
}

impl Rule for JwtWithoutExpiry {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression", "new_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        for token in model.tokens(node) {
            match token.role {
                TokenRole::Sign if node.kind() == "new_expression" => self.check_sign_builder(node, token, model, cx),
                TokenRole::Sign => {
                    let Some(callee) = node.field("function") else { return };
                    self.check_sign(node, callee, token, model, cx);
                }
                TokenRole::Defaults => self.note_defaults(node, token, model, cx),
                TokenRole::Decode | TokenRole::Verify => {}
            }
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Struct, RustKind::Fn, RustKind::Impl]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        match node.syntax {
            // Claims types may be declared in another file than the `encode` call: each
            // serialisable struct says whether it has `exp`, and the project pass decides.
            RustSyntax::Struct(item) if derives_serialize(item) => {
                let name = item.ident.to_string();
                match serialized_fields(item) {
                    Some(fields) if !fields.iter().any(|f| is_expiry_claim(f)) => {
                        if !cx.in_test {
                            cx.fact(Fact::ClaimsWithoutExp(name));
                        }
                    }
                    _ => cx.fact(Fact::ClaimsWithExp(name)),
                }
            }
            RustSyntax::Fn { sig, block, .. } if !cx.in_test => self.check_rust_fn(sig, block, node.site.fn_id, model, cx),
            RustSyntax::Impl(item) if !cx.in_test => self.check_rust_impl(item, model, cx),
            _ => {}
        }
    }
}
