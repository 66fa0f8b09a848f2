//! TypeScript: secrets and credentials handed to loggers and console output.

use super::*;

impl SecretInLogs {
    /// The logger a call writes to, as written (`console.log`, `this.logger.warn`, `req.log.info`),
    /// as the models say: `console`, a logging library's default logger, a receiver named
    /// `log`/`logger`/`…Logger` (pino, winston, bunyan, NestJS `Logger`, Fastify's
    /// `request.log`), a project's own.
    pub(super) fn ts_log_call<'t>(call: Node<'t>, model: &TsModel<'t>) -> Option<&'t str> {
        let callee = call.field("function")?;
        model.logs(call).then(|| model.text(callee))
    }

    /// What a logged argument leaks, looking into templates, concatenations, object literals,
    /// `JSON.stringify` and string conversions; redactions (`mask(token)`, `token.length`,
    /// `!!token`, `token ? "set" : "unset"`) leak nothing.
    pub(super) fn ts_leak(node: Node<'_>, model: &TsModel<'_>, depth: usize) -> Option<(Leak, Span)> {
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
    pub(super) fn ts_keyed_leak(pair: Node<'_>, value: Node<'_>, model: &TsModel<'_>) -> Option<(Leak, Span)> {
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
