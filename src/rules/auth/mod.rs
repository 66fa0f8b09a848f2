//! Authentication and session rules: how tokens are verified and how long they live, how
//! session cookies are protected in the browser, and how passwords and secrets are compared.

pub mod inconsistent_route_auth;
pub mod insecure_cookie;
pub mod jwt_verification_disabled;
pub mod jwt_without_expiry;
pub mod plaintext_password;
pub mod route_before_auth_middleware;
pub mod timing_unsafe_comparison;

use crate::lang::rust::RustModel;
use crate::lang::typescript::model::{is_function_like, named_children};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::TokenRole;
use crate::rules::helpers::words;
use std::collections::HashSet;
use syn::visit::{self, Visit};
use syn::Expr;
use tree_sitter::Node;

/// Whether a cookie name says it carries a session or a credential: `session`, `connect.sid`,
/// `access_token`, `refreshToken`, `jwt`, `auth`. CSRF tokens (`XSRF-TOKEN`) are meant to be read
/// by the page's script, so they are not.
pub(crate) fn is_auth_cookie_name(name: &str) -> bool {
    let words = words(name);
    if words.iter().any(|w| w.contains("csrf") || w.contains("xsrf")) {
        return false;
    }
    words.iter().any(|w| matches!(w.as_str(), "session" | "sess" | "sid" | "token" | "jwt" | "auth" | "refresh" | "access"))
}

/// Whether a claim or payload key names an expiry the application checks itself: `expiresAt`,
/// `expiry`, `valid_until`, `ttl`, or an issue time whose age the verifier bounds (`createdAt`,
/// `issued_at`).
pub(crate) fn is_expiry_claim(name: &str) -> bool {
    let words = words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    ["exp", "expires", "expiry", "expiration", "expire", "expiring", "ttl", "until", "deadline"].iter().any(|w| has(w))
        || ((has("created") || has("issued")) && (has("at") || has("time") || has("on")))
}

/// The innermost function (or the program) around a node.
pub(crate) fn enclosing_function(node: Node<'_>) -> Node<'_> {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if is_function_like(parent.kind()) {
            return parent;
        }
        current = parent;
    }
    current
}

/// The arguments of a call or `new` expression.
pub(crate) fn call_arguments(call: Node<'_>) -> Vec<Node<'_>> {
    call.field("arguments").map(|a| named_children(a).filter(|n| n.kind() != "comment").collect()).unwrap_or_default()
}

/// Whether the file uses a JWT library, so option names like `algorithms` mean what they say.
pub(crate) fn uses_jwt_library(model: &TsModel<'_>) -> bool {
    model.imports_token_library()
}

/// A library's method (`this.jwtService.decode(..)`) matches any receiver in a file that imports
/// the library: only one named for tokens (`jwtService`, `this.jwt`) is the library's service.
pub(crate) fn on_token_service(callee: Node<'_>, model: &TsModel<'_>) -> bool {
    callee.kind() == "member_expression"
        && callee
            .field("object")
            .and_then(|o| model.member_path(o))
            .is_some_and(|path| path.rsplit('.').next().is_some_and(|last| last.to_ascii_lowercase().contains("jwt")))
}

/// What [`for_each_expr_in`] walks: a function body or an initialiser.
pub(crate) enum Walk<'a> {
    Block(&'a syn::Block),
    Expr(&'a Expr),
}

/// Calls `f` on every expression of a function body or initialiser, closures included, without
/// entering nested items (they are checked as functions of their own).
pub(crate) fn for_each_expr_in<'a>(walk: Walk<'a>, f: &mut dyn FnMut(&'a Expr)) {
    struct Walker<'f, 'a> {
        f: &'f mut dyn FnMut(&'a Expr),
    }
    impl<'a> Visit<'a> for Walker<'_, 'a> {
        fn visit_item(&mut self, _: &'a syn::Item) {}
        fn visit_expr(&mut self, expr: &'a Expr) {
            (self.f)(expr);
            visit::visit_expr(self, expr);
        }
    }
    let mut walker = Walker { f };
    match walk {
        Walk::Block(block) => walker.visit_block(block),
        Walk::Expr(expr) => walker.visit_expr(expr),
    }
}

/// The names a struct's fields have once serialised (`#[serde(rename = "exp")]` applied), or
/// `None` when they cannot be known: tuple structs, `#[serde(flatten)]` fields (another type's
/// fields join these) and container-level renaming.
pub(crate) fn serialized_fields(item: &syn::ItemStruct) -> Option<Vec<String>> {
    let syn::Fields::Named(fields) = &item.fields else { return None };
    if item.attrs.iter().any(|a| a.path().is_ident("serde") && tight_tokens(a).contains("rename_all")) {
        return None;
    }
    let mut names = Vec::new();
    for field in &fields.named {
        let mut name = field.ident.as_ref()?.to_string();
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
            let text = tight_tokens(attr);
            if text.contains("flatten") {
                return None;
            }
            if let Some(renamed) = renamed_to(&text) {
                name = renamed;
            }
        }
        names.push(name.trim_start_matches("r#").to_string());
    }
    Some(names)
}

/// `#[serde(rename = "exp")]` or `#[serde(rename(serialize = "exp"))]` → `exp`.
fn renamed_to(attr: &str) -> Option<String> {
    let rest = &attr[attr.find("rename")? + "rename".len()..];
    let rest = rest.strip_prefix("=\"").or_else(|| rest.find("serialize=\"").map(|at| &rest[at + "serialize=\"".len()..]))?;
    Some(rest[..rest.find('"')?].to_string())
}

/// The serialised field names of the one struct called `name` in this file, if there is exactly
/// one and its fields can be known (see [`serialized_fields`]). Parses the file again: only asked
/// when a rule has already matched a call.
pub(crate) fn struct_fields_in_file(text: &str, name: &str) -> Option<Vec<String>> {
    if !text.contains(&format!("struct {name}")) {
        return None;
    }
    struct Finder<'n> {
        name: &'n str,
        found: Vec<Option<Vec<String>>>,
    }
    impl<'a> Visit<'a> for Finder<'_> {
        fn visit_item_struct(&mut self, item: &'a syn::ItemStruct) {
            if item.ident == self.name {
                self.found.push(serialized_fields(item));
            }
        }
    }
    let file = syn::parse_file(text).ok()?;
    let mut finder = Finder { name, found: Vec::new() };
    finder.visit_file(&file);
    match finder.found.as_slice() {
        [only] => only.clone(),
        _ => None,
    }
}

/// `true`/`false`, also inside `Some(..)` (`set_secure(Some(true))`); `None` for anything else.
pub(crate) fn rust_bool(expr: &Expr) -> Option<bool> {
    match expr {
        Expr::Lit(syn::ExprLit { lit: syn::Lit::Bool(b), .. }) => Some(b.value),
        Expr::Paren(p) => rust_bool(&p.expr),
        Expr::Call(call) if call.args.len() == 1 => {
            let is_some = matches!(&*call.func, Expr::Path(p) if p.path.is_ident("Some"));
            if is_some {
                rust_bool(&call.args[0])
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The last segment of a path expression (`SameSite::None` → `None`).
pub(crate) fn last_segment(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        Expr::Reference(r) => last_segment(&r.expr),
        Expr::Paren(p) => last_segment(&p.expr),
        _ => None,
    }
}

/// Token text of an expression without spaces (`Duration :: ZERO` → `Duration::ZERO`).
pub(crate) fn tight_tokens(expr: &impl quote::ToTokens) -> String {
    expr.to_token_stream().to_string().replace(' ', "")
}

/// What each function of a file calls, by the last segment of the name, and whether it verifies
/// a token itself: a call the models say verifies (jsonwebtoken's `decode(token, key, validation)`)
/// or anything named `verify…`.
/// Parses the file again: only asked when a rule has already matched.
pub(crate) struct FileFunctions {
    functions: Vec<(String, HashSet<String>, bool)>,
    /// Some comparison in the file reads an `exp` value (`now > claims.exp`): expiry is checked by hand.
    pub compares_exp: bool,
}

impl FileFunctions {
    pub(crate) fn parse(text: &str, model: &RustModel) -> Option<FileFunctions> {
        struct Collector<'m, 'a> {
            model: &'m RustModel<'a>,
            functions: Vec<(String, HashSet<String>, bool)>,
            current: Option<(String, HashSet<String>, bool)>,
            compares_exp: bool,
        }
        impl Collector<'_, '_> {
            fn enter(&mut self, name: String, block: &syn::Block) {
                let outer = self.current.replace((name, HashSet::new(), false));
                self.visit_block(block);
                let finished = std::mem::replace(&mut self.current, outer);
                self.functions.extend(finished);
            }
            fn called(&mut self, name: String, verifies: bool) {
                if let Some((_, calls, verified)) = &mut self.current {
                    *verified |= verifies || name.to_ascii_lowercase().contains("verify");
                    calls.insert(name);
                }
            }
        }
        impl<'a> Visit<'a> for Collector<'_, '_> {
            fn visit_item_fn(&mut self, item: &'a syn::ItemFn) {
                self.enter(item.sig.ident.to_string(), &item.block);
            }
            fn visit_impl_item_fn(&mut self, item: &'a syn::ImplItemFn) {
                self.enter(item.sig.ident.to_string(), &item.block);
            }
            fn visit_expr(&mut self, expr: &'a Expr) {
                match expr {
                    Expr::Call(call) => {
                        if let Expr::Path(path) = &*call.func {
                            if let Some(last) = path.path.segments.last() {
                                let name = last.ident.to_string();
                                let parts = self.model.path_parts(self.model.resolve_path(&path.path));
                                let verifies = self.model.tokens(&parts).iter().any(|t| t.role == TokenRole::Verify);
                                self.called(name, verifies);
                            }
                        }
                    }
                    Expr::MethodCall(call) => self.called(call.method.to_string(), false),
                    Expr::Binary(binary)
                        if matches!(binary.op, syn::BinOp::Lt(_) | syn::BinOp::Le(_) | syn::BinOp::Gt(_) | syn::BinOp::Ge(_)) =>
                    {
                        let mentions_exp =
                            |side: &Expr| tight_tokens(side).split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|w| w == "exp");
                        self.compares_exp |= mentions_exp(&binary.left) || mentions_exp(&binary.right);
                    }
                    _ => {}
                }
                visit::visit_expr(self, expr);
            }
        }
        let file = syn::parse_file(text).ok()?;
        let mut collector = Collector { model, functions: Vec::new(), current: None, compares_exp: false };
        collector.visit_file(&file);
        Some(FileFunctions { functions: collector.functions, compares_exp: collector.compares_exp })
    }

    /// Whether `function`, or a function of this file that calls it, verifies a token.
    pub(crate) fn verified_around(&self, function: &str) -> bool {
        self.functions.iter().any(|(name, calls, verifies)| *verifies && (name == function || calls.contains(function)))
    }
}

/// The name a compared value goes by, for deciding what it holds: the variable or property
/// (`user.resetToken` → `resetToken`), the header or key read (`req.headers["x-api-key"]`,
/// `req.get("X-Signature")` → the header name), the function that computed it
/// (`computeSignature(body)`), or the names inside a template (`` `Bearer ${apiToken}` ``).
/// String conversions are looked through (`token.toString()`, `String(token)`).
pub(crate) fn ts_value_name(node: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    let node = model.unwrap_expression(node);
    match node.kind() {
        "identifier" | "property_identifier" | "shorthand_property_identifier" => Some(model.text(node).to_string()),
        "member_expression" => Some(model.text(node.field("property")?).to_string()),
        "subscript_expression" => model.string_literal(node.field("index")?),
        "template_string" => {
            let names: Vec<String> = named_children(node)
                .filter(|c| c.kind() == "template_substitution")
                .filter_map(|c| c.named_child(0).and_then(|inner| ts_value_name(inner, model)))
                .collect();
            (!names.is_empty()).then(|| names.join(" "))
        }
        "call_expression" => {
            let callee = node.field("function")?;
            let first = call_arguments(node).into_iter().next();
            match callee.kind() {
                "member_expression" => {
                    let method = model.text(callee.field("property")?);
                    match method {
                        "toString" | "trim" | "toLowerCase" | "toUpperCase" | "valueOf" | "normalize" => {
                            ts_value_name(callee.field("object")?, model)
                        }
                        "get" | "header" | "getHeader" | "param" => first.and_then(|a| model.string_literal(a)),
                        "from" if model.text(callee) == "Buffer.from" => ts_value_name(first?, model),
                        _ => Some(method.to_string()),
                    }
                }
                "identifier" if model.text(callee) == "String" => ts_value_name(first?, model),
                "identifier" => Some(model.text(callee).to_string()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The Rust counterpart of [`ts_value_name`]: `user.api_key` → `api_key`,
/// `headers.get("x-api-key")` → the header name, `Some(&state.token)` → `token`,
/// `sign(&payload)` → `sign`; conversions, unwrapping and secret wrappers' accessors
/// (`csrf_token.secret()`, and the models' secret exposers: `key.expose_secret()`) are looked
/// through.
pub(crate) fn rust_value_name(expr: &Expr, model: &crate::lang::rust::RustModel<'_>, fn_id: Option<usize>) -> Option<String> {
    match expr {
        // `let token = data.push_token;`: the field says what the local holds.
        Expr::Path(p) => match model.local_of(fn_id, p).and_then(|local| local.init) {
            Some(Expr::Field(syn::ExprField { member: syn::Member::Named(field), .. })) => Some(field.to_string()),
            _ => p.path.segments.last().map(|s| s.ident.to_string()),
        },
        Expr::Field(f) => match &f.member {
            syn::Member::Named(ident) => Some(ident.to_string()),
            syn::Member::Unnamed(_) => rust_value_name(&f.base, model, fn_id),
        },
        Expr::Reference(r) => rust_value_name(&r.expr, model, fn_id),
        Expr::Paren(p) => rust_value_name(&p.expr, model, fn_id),
        Expr::Group(g) => rust_value_name(&g.expr, model, fn_id),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => rust_value_name(&u.expr, model, fn_id),
        Expr::Try(t) => rust_value_name(&t.expr, model, fn_id),
        Expr::Await(a) => rust_value_name(&a.base, model, fn_id),
        Expr::MethodCall(call) => {
            let method = call.method.to_string();
            match method.as_str() {
                "as_bytes" | "as_str" | "as_ref" | "to_str" | "to_string" | "to_owned" | "clone" | "unwrap" | "expect"
                | "unwrap_or_default" | "unwrap_or" | "trim" | "as_deref" | "into_inner" | "ok" | "borrow" | "to_vec" | "into_bytes"
                | "deref" | "as_slice" | "secret" => rust_value_name(&call.receiver, model, fn_id),
                exposer if model.knowledge().secret_exposers(crate::models::Language::Rust).any(|m| m == exposer) => {
                    rust_value_name(&call.receiver, model, fn_id)
                }
                // `headers.get("x-api-key")`, `headers.get(header::AUTHORIZATION)`.
                "get" | "get_header" | "header" => call.args.first().and_then(|a| match a {
                    Expr::Path(p) if model.string_value(a, fn_id).is_none() => p.path.segments.last().map(|s| s.ident.to_string()),
                    _ => model.string_value(a, fn_id),
                }),
                _ => Some(method),
            }
        }
        Expr::Call(call) => {
            let Expr::Path(func) = &*call.func else { return None };
            let last = func.path.segments.last()?.ident.to_string();
            match last.as_str() {
                "Some" | "Ok" => rust_value_name(call.args.first()?, model, fn_id),
                _ => Some(last),
            }
        }
        _ => None,
    }
}
