//! TypeScript: JWT libraries told not to verify: `algorithms: ["none"]`, `ignoreExpiration: true`, a decode used where a verify belongs.

use super::*;

impl JwtVerificationDisabled {
    /// `{ algorithms: ["none"] }`, `{ algorithm: "none" }`, `{ ignoreExpiration: true }` (the
    /// models' `[[token-switches]]`) in a file that uses a JWT library.
    pub(super) fn check_pair(&self, pair: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let (Some(key), Some(value)) = (pair.field("key"), pair.field("value")) else { return };
        let key = model.string_literal(key).unwrap_or_else(|| model.text(key).to_string());
        let Some(switch) = model.knowledge.token_switch(Language::Typescript, SwitchPlace::Option, &key) else { return };
        if !uses_jwt_library(model) {
            return;
        }
        let is_none = |node: Node<'_>| model.string_value(node).is_some_and(|v| v.eq_ignore_ascii_case("none"));
        let message = match switch.off_when {
            Some(SwitchValue::None) => {
                let list = model.resolve(value);
                if list.kind() == "array" && named_children(list).any(is_none) {
                    format!("`{key}` accepts `none`, so an unsigned token passes verification")
                } else if is_none(value) {
                    "tokens are signed with `alg: none`: they carry no signature and anyone can forge them".to_string()
                } else {
                    return;
                }
            }
            Some(SwitchValue::True) if model.bool_value(value) == Some(true) => {
                switched_off(&format!("`{key}: true`"), switch.disables, switch.off_when)
            }
            Some(SwitchValue::False) if model.bool_value(value) == Some(false) => {
                switched_off(&format!("`{key}: false`"), switch.disables, switch.off_when)
            }
            _ => return,
        };
        report_switch(cx, span_of(pair), message, switch.disables);
    }

    pub(super) fn check_call(&self, call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = call.field("function") else { return };
        let arguments = call_arguments(call);
        // `@UseGuards(JwtAuthGuard, RolesGuard)`: a decorator that mounts guards.
        let in_decorator = call.parent().is_some_and(|p| p.kind() == "decorator");
        let name = model.text(callee.field("property").unwrap_or(callee));
        if in_decorator && model.knowledge.decorator_mounts(Language::Typescript, name) {
            note_guards_after_auth(&arguments, model, cx);
            return;
        }
        let tokens = model.tokens(call);
        if let Some(verify) = tokens.iter().find(|t| t.role == TokenRole::Verify) {
            let key = verify.parameters.key_argument.and_then(|index| arguments.get(index));
            if let Some(literal) = key.and_then(|key| falsy_literal(*key, model)) {
                let shown = verify.shown();
                cx.report(
                    span_of(*key.expect("a literal was found")),
                    format!("`{shown}` is given an empty key (`{literal}`); jsonwebtoken before 9.0 then accepts unsigned tokens"),
                )
                .help = Some(HELP.into());
            }
            return;
        }
        let Some(decode) = tokens.iter().find(|t| t.role == TokenRole::Decode) else { return };
        if decode.parameters.browser && model.imports_ui_framework() || decode.callee.is_method() && !on_token_service(callee, model) {
            return;
        }
        let decoder = decode.shown();
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
pub(super) fn note_guards_after_auth(arguments: &[Node<'_>], model: &TsModel<'_>, cx: &mut Context<'_>) {
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
pub(super) fn enclosing_class(node: Node<'_>, model: &TsModel<'_>) -> Option<String> {
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
pub(super) fn falsy_literal(node: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    let value = model.resolve(node);
    match value.kind() {
        "null" | "undefined" | "false" => Some(model.text(value).to_string()),
        "number" if model.text(value) == "0" => Some("0".into()),
        "identifier" if model.text(value) == "undefined" => Some("undefined".into()),
        "string" | "template_string" if model.string_value(value).is_some_and(|v| v.is_empty()) => Some("\"\"".into()),
        _ => None,
    }
}

/// Whether the function around the decode (or the function around that one, for callbacks)
/// calls anything named like a verification: `jwt.verify`, `jwtVerify`, `verifyAsync`,
/// `verifyToken`.
pub(super) fn verifies_nearby(call: Node<'_>, model: &TsModel<'_>) -> bool {
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
pub(super) fn authorization_use(call: Node<'_>, model: &TsModel<'_>) -> Option<String> {
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
pub(super) fn claim_read(mut member: Node<'_>, model: &TsModel<'_>) -> Option<String> {
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

pub(super) fn destructured_claim(pattern: Node<'_>, model: &TsModel<'_>) -> Option<String> {
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
pub(super) fn user_target(left: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    let path = model.member_path(left)?;
    let (_, last) = path.rsplit_once('.')?;
    matches!(last, "user" | "auth" | "currentUser" | "principal").then(|| format!("payload (stored in `{path}`)"))
}

/// The first trusting use of the variable a decoded payload is bound to, in its function.
pub(super) fn uses_of(name: Node<'_>, call: Node<'_>, model: &TsModel<'_>) -> Option<String> {
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
