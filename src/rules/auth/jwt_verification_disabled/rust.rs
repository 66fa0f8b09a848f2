//! Rust: jsonwebtoken decoding without the signature (`dangerous_insecure_decode`, `insecure_disable_signature_validation()`) and validations switched off (`validate_exp = false`).

use super::*;

impl JwtVerificationDisabled {
    /// A call the models say decodes a token without checking its signature
    /// (`jsonwebtoken::dangerous::insecure_decode`).
    pub(super) fn check_rust_call(&self, call: &syn::ExprCall, fn_name: Option<&str>, model: &RustModel, cx: &mut Context<'_>) {
        let parts = model.call_parts(call);
        let tokens = model.tokens(&parts);
        let Some(decode) = tokens.iter().find(|t| t.role == TokenRole::Decode) else { return };
        // The function's path below its crate: `dangerous::insecure_decode`.
        let written = decode.parameters.shown.clone().unwrap_or_else(|| {
            let path = &decode.callee.written;
            path.split_once("::").map_or(path.clone(), |(_, below)| below.to_string())
        });
        let function = written.as_str();
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
        if fn_name.is_some_and(|name| FileFunctions::parse(&cx.file.text, model).is_some_and(|f| f.verified_around(name))) {
            return;
        }
        let span = Span::new(rust_span(cx.file, &call.func).start, rust_span(cx.file, call).end);
        cx.report(span, format!("`{function}` decodes a JWT without checking its signature, so anyone can forge its claims")).help =
            Some(HELP.into());
    }

    /// A `Validation` method the models say switches a check off
    /// (`insecure_disable_signature_validation()`, `set_required_spec_claims(&[])`), and
    /// `exp` dropped from a field that must hold it (`validation.required_spec_claims.clear()`).
    pub(super) fn check_rust_method(&self, call: &syn::ExprMethodCall, model: &RustModel, cx: &mut Context<'_>) {
        let method = call.method.to_string();
        let knowledge = model.knowledge();
        if let Some(switch) = knowledge.token_switch(Language::Rust, SwitchPlace::Method, &method) {
            let message = match switch.off_when {
                None => switched_off(&format!("`{method}()`"), switch.disables, switch.off_when),
                Some(SwitchValue::Empty) if call.args.first().is_some_and(is_empty_collection) => {
                    switched_off(&format!("`{method}` with an empty list"), switch.disables, switch.off_when)
                }
                _ => return,
            };
            if switch.disables == TokenCheck::Signature || !expiry_checked_by_hand(cx, model) {
                let span = Span::new(rust_span(cx.file, &call.method).start, rust_span(cx.file, call).end);
                report_switch(cx, span, message, switch.disables);
            }
            return;
        }
        // `validation.required_spec_claims.clear()`, `.remove("exp")`
        let Expr::Field(field) = &*call.receiver else { return };
        let field_name = member_name(&field.member);
        let Some(switch) = knowledge.token_switch(Language::Rust, SwitchPlace::Field, &field_name) else { return };
        let drops_exp = method == "clear" || method == "remove" && call.args.first().is_some_and(|a| tight_tokens(a) == "\"exp\"");
        if switch.off_when == Some(SwitchValue::Empty)
            && switch.disables == TokenCheck::Expiry
            && drops_exp
            && !expiry_checked_by_hand(cx, model)
        {
            let span = Span::new(rust_span(cx.file, &call.receiver).start, rust_span(cx.file, call).end);
            let message = format!("dropping `exp` from `{field_name}` accepts tokens without it, which never expire");
            report_switch(cx, span, message, switch.disables);
        }
    }

    /// `validation.validate_exp = false`, `validation.required_spec_claims = HashSet::new()`.
    pub(super) fn check_rust_assign(&self, assign: &syn::ExprAssign, model: &RustModel, cx: &mut Context<'_>) {
        let Expr::Field(field) = &*assign.left else { return };
        self.check_setting(&member_name(&field.member), &assign.right, rust_span(cx.file, assign), model, cx);
    }

    /// A `Validation` field the models say switches a check off, set to the value that does so.
    pub(super) fn check_setting(&self, name: &str, value: &Expr, span: Span, model: &RustModel, cx: &mut Context<'_>) {
        let Some(switch) = model.knowledge().token_switch(Language::Rust, SwitchPlace::Field, name) else { return };
        // The names are a JWT library's; in a file that uses none they may mean anything.
        if !model.uses_token_crate() {
            return;
        }
        let message = match switch.off_when {
            Some(SwitchValue::False) if rust_bool(value) == Some(false) => {
                switched_off(&format!("`{name} = false`"), switch.disables, switch.off_when)
            }
            Some(SwitchValue::True) if rust_bool(value) == Some(true) => {
                switched_off(&format!("`{name} = true`"), switch.disables, switch.off_when)
            }
            Some(SwitchValue::Empty) if is_empty_collection(value) => {
                switched_off(&format!("an empty `{name}`"), switch.disables, switch.off_when)
            }
            _ => return,
        };
        if switch.disables == TokenCheck::Signature || !expiry_checked_by_hand(cx, model) {
            report_switch(cx, span, message, switch.disables);
        }
    }
}

/// The file compares an `exp` value itself (`if now > claims.exp`): expiry is checked by hand,
/// typically because tokens without one are allowed on purpose.
pub(super) fn expiry_checked_by_hand(cx: &Context<'_>, model: &RustModel) -> bool {
    FileFunctions::parse(&cx.file.text, model).is_some_and(|f| f.compares_exp)
}

pub(super) fn member_name(member: &syn::Member) -> String {
    match member {
        syn::Member::Named(ident) => ident.to_string(),
        syn::Member::Unnamed(index) => index.index.to_string(),
    }
}

/// `HashSet::new()`, `HashSet::default()`, `Default::default()`, `&[]`, `&[] as &[&str]`, `vec![]`.
pub(super) fn is_empty_collection(expr: &Expr) -> bool {
    let text = tight_tokens(expr);
    let text = text.trim_start_matches('&');
    text.starts_with("[]")
        || text.starts_with("vec![]")
        || text.ends_with("::new()") && (text.contains("HashSet") || text.contains("Vec") || text.contains("BTreeSet"))
        || text.ends_with("::default()") && (text.contains("HashSet") || text.starts_with("Default"))
}

/// `insecure_decode::<Claims>` → `Claims`.
pub(super) fn turbofish_type(func: &Expr) -> Option<String> {
    let Expr::Path(path) = func else { return None };
    let syn::PathArguments::AngleBracketed(args) = &path.path.segments.last()?.arguments else { return None };
    args.args.iter().find_map(|arg| match arg {
        syn::GenericArgument::Type(syn::Type::Path(ty)) => ty.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    })
}
