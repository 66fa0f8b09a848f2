//! `jwt-verification-disabled`: tokens accepted without checking their signature or their
//! expiry. Whoever can write a token (anyone, when the signature is not checked) can then claim
//! to be any user.

use super::{
    call_arguments, enclosing_function, for_each_expr_in, rust_bool, struct_fields_in_file, tight_tokens, uses_jwt_library, FileFunctions,
    Walk,
};
use crate::diagnostic::{Fact, Level};
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{descendants, is_function_like, named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
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

impl JwtVerificationDisabled {
    /// `{ algorithms: ["none"] }`, `{ algorithm: "none" }`, `{ ignoreExpiration: true }` in a file
    /// that uses a JWT library.
    fn check_pair(&self, pair: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let (Some(key), Some(value)) = (pair.field("key"), pair.field("value")) else { return };
        let key = model.string_literal(key).unwrap_or_else(|| model.text(key).to_string());
        if !matches!(key.as_str(), "algorithms" | "algorithm" | "ignoreExpiration") || !uses_jwt_library(model) {
            return;
        }
        let is_none = |node: Node<'_>| model.string_value(node).is_some_and(|v| v.eq_ignore_ascii_case("none"));
        match key.as_str() {
            "algorithms" => {
                let list = model.resolve(value);
                if list.kind() == "array" && named_children(list).any(is_none) {
                    cx.report(span_of(pair), "`algorithms` accepts `none`, so an unsigned token passes verification").help =
                        Some(HELP.into());
                }
            }
            "algorithm" if is_none(value) => {
                cx.report(span_of(pair), "tokens are signed with `alg: none`: they carry no signature and anyone can forge them").help =
                    Some(HELP.into());
            }
            "ignoreExpiration" if model.bool_value(value) == Some(true) => {
                cx.report_capped(Level::Warning, span_of(pair), "`ignoreExpiration: true` accepts expired tokens forever").help =
                    Some(EXPIRY_HELP.into());
            }
            _ => {}
        }
    }

    fn check_call(&self, call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = call.field("function") else { return };
        let name = model.qualified_name(callee);
        let arguments = call_arguments(call);
        if name.as_deref() == Some("@nestjs/common.UseGuards") {
            note_guards_after_auth(&arguments, model, cx);
            return;
        }
        if name.as_deref() == Some("jsonwebtoken.verify") {
            if let Some(key) = arguments.get(1) {
                if let Some(literal) = falsy_literal(*key, model) {
                    cx.report(
                        span_of(*key),
                        format!("`jwt.verify` is given an empty key (`{literal}`); jsonwebtoken before 9.0 then accepts unsigned tokens"),
                    )
                    .help = Some(HELP.into());
                }
            }
            return;
        }
        let decoder = match name.as_deref() {
            Some("jsonwebtoken.decode") => "jwt.decode",
            Some("jose.decodeJwt") => "decodeJwt",
            Some("jwt-decode" | "jwt-decode.jwtDecode") if !model.imports_ui_framework() => "jwtDecode",
            // NestJS `this.jwtService.decode(token)`.
            None if is_nest_jwt_decode(callee, model) => "JwtService.decode",
            _ => return,
        };
        if verifies_nearby(call, model) {
            return;
        }
        // An OpenID Connect ID token the server just received from the provider's token endpoint
        // (not from the client) may be trusted on the strength of TLS (OIDC Core 3.1.3.7).
        if let Some(token) = arguments.first() {
            let named_id_token = model.text(*token).replace('_', "").to_ascii_lowercase().contains("idtoken");
            if named_id_token && !model.origin(*token).is_request() {
                return;
            }
        }
        if let Some(read) = authorization_use(call, model) {
            let finding = cx.report(
                span_of(callee),
                format!("`{decoder}` does not check the signature, yet the token's {read} is trusted in a function that never verifies it"),
            );
            finding.help = Some(HELP.into());
            // A NestJS guard that runs after an authentication guard reads a token that guard verified.
            if let Some(class) = enclosing_class(call, model) {
                finding.withdrawn_by(Fact::NestGuardAfterAuthGuard(class));
            }
        }
    }
}

/// `@UseGuards(JwtAuthGuard, RolesGuard)`: NestJS runs guards in order and stops at the first
/// that refuses, so every guard listed after one named for authentication (`…Auth…`, `…Jwt…`,
/// `AuthGuard("jwt")`) sees only requests whose token that guard verified.
fn note_guards_after_auth(arguments: &[Node<'_>], model: &TsModel<'_>, cx: &mut Context<'_>) {
    let mut after_auth = false;
    for argument in arguments {
        let guard = match argument.kind() {
            "new_expression" => argument.field("constructor"),
            "identifier" => Some(*argument),
            _ => None,
        };
        if let Some(guard) = guard.filter(|_| after_auth) {
            cx.fact(Fact::NestGuardAfterAuthGuard(model.text(guard).to_string()));
        }
        let lower = model.text(*argument).to_ascii_lowercase();
        after_auth |= lower.contains("auth") || lower.contains("jwt");
    }
}

/// The name of the class a node is in.
fn enclosing_class(node: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if parent.kind() == "class_declaration" {
            return parent.field("name").map(|n| model.text(n).to_string());
        }
        current = parent;
    }
    None
}

/// `null`, `undefined`, `false`, `""` or `0`, directly or through a constant.
fn falsy_literal(node: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    let value = model.resolve(node);
    match value.kind() {
        "null" | "undefined" | "false" => Some(model.text(value).to_string()),
        "number" if model.text(value) == "0" => Some("0".into()),
        "identifier" if model.text(value) == "undefined" => Some("undefined".into()),
        "string" | "template_string" if model.string_value(value).is_some_and(|v| v.is_empty()) => Some("\"\"".into()),
        _ => None,
    }
}

fn is_nest_jwt_decode(callee: Node<'_>, model: &TsModel<'_>) -> bool {
    if callee.kind() != "member_expression" || !model.imports_module("@nestjs/jwt") {
        return false;
    }
    let is_decode = callee.field("property").is_some_and(|p| model.text(p) == "decode");
    let on_jwt_service = callee
        .field("object")
        .and_then(|o| model.member_path(o))
        .is_some_and(|path| path.rsplit('.').next().is_some_and(|last| last.to_ascii_lowercase().contains("jwt")));
    is_decode && on_jwt_service
}

/// Whether the function around the decode (or the function around that one, for callbacks)
/// calls anything named like a verification: `jwt.verify`, `jwtVerify`, `verifyAsync`,
/// `verifyToken`.
fn verifies_nearby(call: Node<'_>, model: &TsModel<'_>) -> bool {
    let inner = enclosing_function(call);
    let outer = inner.parent().map(enclosing_function).filter(|outer| is_function_like(outer.kind()));
    [Some(inner), outer].into_iter().flatten().any(|scope| {
        descendants(scope).any(|node| {
            node.kind() == "call_expression"
                && node.field("function").is_some_and(|f| {
                    let name = match f.kind() {
                        "member_expression" => f.field("property").map(|p| model.text(p)).unwrap_or(""),
                        _ => model.text(f),
                    };
                    name.to_ascii_lowercase().contains("verify")
                })
        })
    })
}

/// How a decoded token's claims are trusted: an identity claim read (`decoded.sub`,
/// `const { role } = decoded`) or the whole payload stored as the request's user.
fn authorization_use(call: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    let mut node = call;
    // Through `await`, parentheses, casts, `x ? decode(t) : null` and `decode(t) || {}`.
    loop {
        let parent = node.parent()?;
        let passes_through = match parent.kind() {
            "await_expression" | "parenthesized_expression" | "as_expression" | "non_null_expression" | "satisfies_expression" => true,
            "ternary_expression" => parent.field("condition") != Some(node),
            "binary_expression" => parent.field("operator").is_some_and(|o| matches!(model.text(o), "||" | "??" | "&&")),
            _ => false,
        };
        if !passes_through {
            break;
        }
        node = parent;
    }
    let parent = node.parent()?;
    match parent.kind() {
        "member_expression" | "subscript_expression" if parent.field("object") == Some(node) => claim_read(parent, model),
        "variable_declarator" if parent.field("value") == Some(node) => {
            let name = parent.field("name")?;
            match name.kind() {
                "identifier" => uses_of(name, call, model),
                "object_pattern" => destructured_claim(name, model),
                _ => None,
            }
        }
        "assignment_expression" if parent.field("right") == Some(node) => {
            let left = parent.field("left")?;
            match left.kind() {
                "identifier" => uses_of(left, call, model),
                _ => user_target(left, model),
            }
        }
        _ => None,
    }
}

/// `x.sub`, `x.payload.role`, `x?.data?.email`, `x["userId"]`: the first identity claim in the chain.
fn claim_read(mut member: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    loop {
        let property = match member.kind() {
            "member_expression" => member.field("property").map(|p| model.text(p).to_string()),
            "subscript_expression" => member.field("index").and_then(|i| model.string_literal(i)),
            _ => None,
        };
        if let Some(property) = property.filter(|p| IDENTITY_CLAIMS.contains(&p.as_str())) {
            return Some(format!("`{property}` claim"));
        }
        let parent = member.parent()?;
        let continues = matches!(parent.kind(), "member_expression" | "subscript_expression") && parent.field("object") == Some(member);
        if !continues {
            return None;
        }
        member = parent;
    }
}

fn destructured_claim(pattern: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    named_children(pattern).find_map(|property| {
        let key = match property.kind() {
            "shorthand_property_identifier_pattern" => Some(property),
            "pair_pattern" => property.field("key"),
            "object_assignment_pattern" => property.field("left"),
            _ => None,
        }?;
        let key = model.text(key);
        IDENTITY_CLAIMS.contains(&key).then(|| format!("`{key}` claim"))
    })
}

/// `req.user = …`, `request.user = …`, `res.locals.user = …`, `ctx.state.user = …`.
fn user_target(left: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    let path = model.member_path(left)?;
    let (_, last) = path.rsplit_once('.')?;
    matches!(last, "user" | "auth" | "currentUser" | "principal").then(|| format!("payload (stored in `{path}`)"))
}

/// The first trusting use of the variable a decoded payload is bound to, in its function.
fn uses_of(name: Node<'_>, call: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    let declared_at = model.binding(name).map(|b| b.declared_at);
    let scope = enclosing_function(call);
    let text = model.text(name);
    descendants(scope)
        .filter(|n| n.kind() == "identifier" && n.id() != name.id() && model.text(*n) == text)
        .filter(|n| model.binding(*n).map(|b| b.declared_at) == declared_at)
        .find_map(|usage| {
            let parent = usage.parent()?;
            match parent.kind() {
                "member_expression" | "subscript_expression" if parent.field("object") == Some(usage) => claim_read(parent, model),
                "assignment_expression" if parent.field("right") == Some(usage) => user_target(parent.field("left")?, model),
                "variable_declarator" if parent.field("value") == Some(usage) => {
                    let pattern = parent.field("name").filter(|p| p.kind() == "object_pattern")?;
                    destructured_claim(pattern, model)
                }
                _ => None,
            }
        })
}

// ----- Rust -----

/// jsonwebtoken functions that decode without checking the signature, by the end of their path.
const RUST_INSECURE_DECODES: &[&str] =
    &["dangerous_insecure_decode", "dangerous_insecure_decode_with_validation", "dangerous_unsafe_decode", "dangerous::insecure_decode"];

impl JwtVerificationDisabled {
    fn check_rust_call(&self, call: &syn::ExprCall, fn_name: Option<&str>, model: &RustModel, cx: &mut Context<'_>) {
        let Some(path) = model.call_path(call) else { return };
        let Some(function) = RUST_INSECURE_DECODES.iter().find(|f| path.ends_with(*f)) else { return };
        if !(path.contains("jsonwebtoken") || cx.file.text.contains("jsonwebtoken")) {
            return;
        }
        // `insecure_decode::<ExpiryOnly>(token)` where the type holds only time and issuer
        // claims: the token is read to schedule a refresh, nothing in it is trusted.
        if let Some(claims) = turbofish_type(&call.func) {
            if struct_fields_in_file(&cx.file.text, &claims).is_some_and(|fields| fields.iter().all(|f| TIME_CLAIMS.contains(&f.as_str())))
            {
                return;
            }
        }
        // `let kid = insecure_decode(token)?.claims.key_id;` and then `decode(token, &keys[kid], ..)`
        // in this function or the one calling it: the unverified read only picks the key.
        if fn_name.is_some_and(|name| FileFunctions::parse(&cx.file.text).is_some_and(|f| f.verified_around(name))) {
            return;
        }
        let span = Span::new(rust_span(cx.file, &call.func).start, rust_span(cx.file, call).end);
        cx.report(span, format!("`{function}` decodes a JWT without checking its signature, so anyone can forge its claims")).help =
            Some(HELP.into());
    }

    fn check_rust_method(&self, call: &syn::ExprMethodCall, cx: &mut Context<'_>) {
        let method = call.method.to_string();
        let span = || Span::new(rust_span(cx.file, &call.method).start, rust_span(cx.file, call).end);
        match method.as_str() {
            "insecure_disable_signature_validation" => {
                let span = span();
                cx.report(span, "`insecure_disable_signature_validation()` accepts tokens with any signature, so anyone can forge them")
                    .help = Some(HELP.into());
            }
            // `validation.required_spec_claims.clear()`, `.remove("exp")`
            "clear" | "remove"
                if matches!(&*call.receiver, Expr::Field(f) if member_name(&f.member) == "required_spec_claims")
                    && (method == "clear" || call.args.first().is_some_and(|a| tight_tokens(a) == "\"exp\""))
                    && !expiry_checked_by_hand(cx) =>
            {
                let span = Span::new(rust_span(cx.file, &call.receiver).start, rust_span(cx.file, call).end);
                cx.report_capped(
                    Level::Warning,
                    span,
                    "dropping `exp` from `required_spec_claims` accepts tokens without it, which never expire",
                )
                .help = Some(EXPIRY_HELP.into());
            }
            "set_required_spec_claims" if call.args.first().is_some_and(is_empty_collection) && !expiry_checked_by_hand(cx) => {
                let span = span();
                cx.report_capped(
                    Level::Warning,
                    span,
                    "an empty `required_spec_claims` accepts tokens without `exp`, which never expire",
                )
                .help = Some(EXPIRY_HELP.into());
            }
            _ => {}
        }
    }

    /// `validation.validate_exp = false`, `validation.required_spec_claims = HashSet::new()`.
    fn check_rust_assign(&self, assign: &syn::ExprAssign, cx: &mut Context<'_>) {
        let Expr::Field(field) = &*assign.left else { return };
        self.check_setting(&member_name(&field.member), &assign.right, rust_span(cx.file, assign), cx);
    }

    fn check_setting(&self, name: &str, value: &Expr, span: Span, cx: &mut Context<'_>) {
        // The names are jsonwebtoken's (and jwt-authorizer's); elsewhere they may mean anything.
        if !matches!(name, "validate_signature" | "validate_exp" | "required_spec_claims") || !mentions_jwt(&cx.file.text) {
            return;
        }
        match name {
            "validate_signature" if rust_bool(value) == Some(false) => {
                cx.report(span, "`validate_signature = false` accepts tokens with any signature, so anyone can forge them").help =
                    Some(HELP.into());
            }
            "validate_exp" if rust_bool(value) == Some(false) && !expiry_checked_by_hand(cx) => {
                cx.report_capped(Level::Warning, span, "`validate_exp = false` accepts expired tokens forever").help =
                    Some(EXPIRY_HELP.into());
            }
            "required_spec_claims" if is_empty_collection(value) && !expiry_checked_by_hand(cx) => {
                cx.report_capped(
                    Level::Warning,
                    span,
                    "an empty `required_spec_claims` accepts tokens without `exp`, which never expire",
                )
                .help = Some(EXPIRY_HELP.into());
            }
            _ => {}
        }
    }
}

/// The file compares an `exp` value itself (`if now > claims.exp`): expiry is checked by hand,
/// typically because tokens without one are allowed on purpose.
fn expiry_checked_by_hand(cx: &Context<'_>) -> bool {
    FileFunctions::parse(&cx.file.text).is_some_and(|f| f.compares_exp)
}

fn mentions_jwt(text: &str) -> bool {
    text.contains("jsonwebtoken") || text.contains("jwt") || text.contains("Jwt") || text.contains("JWT")
}

fn member_name(member: &syn::Member) -> String {
    match member {
        syn::Member::Named(ident) => ident.to_string(),
        syn::Member::Unnamed(index) => index.index.to_string(),
    }
}

/// `HashSet::new()`, `HashSet::default()`, `Default::default()`, `&[]`, `&[] as &[&str]`, `vec![]`.
fn is_empty_collection(expr: &Expr) -> bool {
    let text = tight_tokens(expr);
    let text = text.trim_start_matches('&');
    text.starts_with("[]")
        || text.starts_with("vec![]")
        || text.ends_with("::new()") && (text.contains("HashSet") || text.contains("Vec") || text.contains("BTreeSet"))
        || text.ends_with("::default()") && (text.contains("HashSet") || text.starts_with("Default"))
}

/// `insecure_decode::<Claims>` → `Claims`.
fn turbofish_type(func: &Expr) -> Option<String> {
    let Expr::Path(path) = func else { return None };
    let syn::PathArguments::AngleBracketed(args) = &path.path.segments.last()?.arguments else { return None };
    args.args.iter().find_map(|arg| match arg {
        syn::GenericArgument::Type(syn::Type::Path(ty)) => ty.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    })
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
                    self.check_rust_assign(assign, cx);
                }
            })
        };
        match node.syntax {
            RustSyntax::Call(call) => self.check_rust_call(call, node.site.fn_name.as_deref(), model, cx),
            RustSyntax::MethodCall(call) => self.check_rust_method(call, cx),
            // `Validation { validate_exp: false, ..Validation::default() }`
            RustSyntax::Field { name, expr } => {
                let span = Span::new(rust_span(cx.file, name).start, rust_span(cx.file, expr).end);
                self.check_setting(&name.to_string(), expr, span, cx);
            }
            RustSyntax::Fn { block, .. } => check_assigns(Walk::Block(block), cx),
            RustSyntax::Const { expr, .. } => check_assigns(Walk::Expr(expr), cx),
            _ => {}
        }
    }
}
