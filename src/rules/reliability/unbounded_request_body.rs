//! `unbounded-request-body`: request body limits switched off or set so high they limit
//! nothing. Every client can then make the server buffer gigabytes in memory: one request is
//! enough to exhaust it.

use crate::diagnostic::{Fact, Level};
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::{Property, TsModel};
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use quote::ToTokens;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "unbounded-request-body", build };

struct UnboundedRequestBody {
    /// Limits above this many bytes are reported.
    max_bytes: u64,
}

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    let max_bytes = match options.get("max-bytes") {
        None => 100 * 1024 * 1024,
        Some(toml::Value::Integer(n)) if *n > 0 => *n as u64,
        Some(_) => return Err("rules.unbounded-request-body.max-bytes must be a positive integer".into()),
    };
    Ok(Box::new(UnboundedRequestBody { max_bytes }))
}

const HELP: &str = "set a limit sized for the largest legitimate request (JSON APIs rarely need more than 1 MB; stream uploads to storage instead of buffering them)";

/// `"1gb"`, `"500kb"`, `1048576`: the size a body-parser `limit` stands for, in bytes.
fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim().to_ascii_lowercase();
    let digits: String = text.chars().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '_').filter(|c| *c != '_').collect();
    let number: f64 = digits.parse().ok()?;
    let unit = text[digits.len()..].trim();
    let factor: f64 = match unit {
        "" | "b" => 1.0,
        "kb" | "k" => 1024.0,
        "mb" | "m" => 1024.0 * 1024.0,
        "gb" | "g" => 1024.0 * 1024.0 * 1024.0,
        "tb" | "t" => 1024.0_f64.powi(4),
        _ => return None,
    };
    Some((number * factor) as u64)
}

/// A numeric Rust expression's value: literals, `usize::MAX`, `1024 * 1024 * 1024`.
fn rust_size(expr: &syn::Expr) -> Option<u64> {
    match expr {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(n), .. }) => n.base10_parse().ok(),
        syn::Expr::Path(p) => {
            let text = p.to_token_stream().to_string().replace(' ', "");
            text.ends_with("::MAX").then_some(u64::MAX)
        }
        syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::Mul(_)) => Some(rust_size(&b.left)?.saturating_mul(rust_size(&b.right)?)),
        syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::Shl(_)) => {
            Some(rust_size(&b.left)?.checked_shl(rust_size(&b.right)? as u32).unwrap_or(u64::MAX))
        }
        syn::Expr::Paren(p) => rust_size(&p.expr),
        syn::Expr::Cast(c) => rust_size(&c.expr),
        _ => None,
    }
}

fn shown(bytes: u64) -> String {
    match bytes {
        u64::MAX => "any size".into(),
        b if b >= 1 << 30 => format!("{} GB", b >> 30),
        b => format!("{} MB", b >> 20),
    }
}

impl UnboundedRequestBody {
    fn ts_limit(&self, value: Node<'_>, model: &TsModel<'_>) -> Option<u64> {
        let value = model.resolve(value);
        match value.kind() {
            "number" => model.text(value).replace('_', "").parse::<f64>().ok().map(|n| n as u64),
            "binary_expression" => {
                let left = self.ts_limit(value.field("left")?, model)?;
                let right = self.ts_limit(value.field("right")?, model)?;
                match model.text(value.field("operator")?) {
                    "*" => Some(left.saturating_mul(right)),
                    _ => None,
                }
            }
            "identifier" if model.text(value) == "Infinity" => Some(u64::MAX),
            _ => model.string_value(value).and_then(|s| parse_size(&s)),
        }
    }
}

/// Methods of Hono's request that buffer the whole body.
const HONO_BODY_READERS: &[&str] = &["json", "text", "parseBody", "arrayBuffer", "formData", "blob"];

impl UnboundedRequestBody {
    /// Hono buffers a body whole and, on Node (`@hono/node-server`), sets no limit of its own:
    /// a server there, in a project whose handlers read bodies and that mounts no `bodyLimit`,
    /// is reported where it starts. (Workers, Bun and Deno cap bodies themselves.) Whether the
    /// call was one of Hono's.
    fn check_hono(&self, call: Node<'_>, callee: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) -> bool {
        match model.qualified_name(callee).as_deref() {
            Some("@hono/node-server.serve") => {
                // A note: on held-out code 1 of 3 were true (the project-wide facts do not stop at
                // the package, so another package's body reads or limits count; docs/precision.md).
                cx.report_capped(
                    Level::Note,
                    span_of(callee),
                    "this Hono server on Node reads request bodies, and no `bodyLimit` middleware bounds them anywhere in the code it is built with",
                )
                .with_help(
                    "mount `bodyLimit({ maxSize: 1024 * 1024 })` from `hono/body-limit` on the app (or on the routes that read bodies)",
                )
                .requires(Fact::HonoBodyRead)
                .withdrawn_by(Fact::HonoBodyLimit);
                return true;
            }
            Some("hono/body-limit.bodyLimit") => {
                cx.fact(Fact::HonoBodyLimit);
                return true;
            }
            // `zValidator("json", schema)`, `validator("form", fn)`: the validator reads the body.
            Some("@hono/zod-validator.zValidator" | "hono/validator.validator") => {
                let target = call.field("arguments").and_then(|a| named_children(a).next()).and_then(|t| model.string_value(t));
                if matches!(target.as_deref(), Some("json" | "form")) {
                    cx.fact(Fact::HonoBodyRead);
                }
                return true;
            }
            _ => {}
        }
        // `c.req.json()` in a file of a Hono app.
        let reads_body = callee.kind() == "member_expression"
            && callee.field("property").is_some_and(|p| HONO_BODY_READERS.contains(&model.text(p)))
            && callee
                .field("object")
                .is_some_and(|o| o.kind() == "member_expression" && o.field("property").is_some_and(|p| model.text(p) == "req"))
            && model.imports_module_prefix("hono");
        if reads_body {
            cx.fact(Fact::HonoBodyRead);
        }
        reads_body
    }
}

impl Rule for UnboundedRequestBody {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        let Some(callee) = node.field("function") else { return };
        if self.check_hono(node, callee, model, cx) {
            return;
        }
        let Some(name) = model.qualified_name(callee) else { return };
        let Some(options) = node.field("arguments").and_then(|a| named_children(a).next()) else { return };
        let options = model.resolve(options);
        if options.kind() != "object" {
            return;
        }
        // express.json/urlencoded/raw/text, body-parser, koa-bodyparser, Fastify's bodyLimit, multer.
        let key = match name.as_str() {
            "express.json"
            | "express.urlencoded"
            | "express.raw"
            | "express.text"
            | "body-parser.json"
            | "body-parser.urlencoded"
            | "body-parser.raw"
            | "body-parser.text" => "limit",
            "koa-bodyparser" => "jsonLimit",
            "fastify" => "bodyLimit",
            "multer" => {
                if matches!(model.property(options, "limits"), Property::Missing) {
                    cx.report(span_of(callee), "multer has no `limits`, so uploads of any size and number are accepted").help =
                        Some("pass `limits: { fileSize: 10 * 1024 * 1024, files: 5 }`".into());
                }
                return;
            }
            _ => return,
        };
        let Property::Found(value) = model.property(options, key) else { return };
        let Some(bytes) = self.ts_limit(value, model) else { return };
        if bytes > self.max_bytes {
            cx.report(span_of(value), format!("`{key}` lets `{}` buffer request bodies of up to {}", model.text(callee), shown(bytes)))
                .help = Some(HELP.into());
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if node.site.in_test || cx.in_test {
            return;
        }
        match node.syntax {
            RustSyntax::Call(call) => {
                let Some(path) = model.call_path(call) else { return };
                // axum `DefaultBodyLimit::disable()` / `DefaultBodyLimit::max(huge)`, `to_bytes(body, usize::MAX)`.
                // Disabling axum's default in favour of tower-http's `RequestBodyLimitLayer` is the
                // documented way to set one limit for all bodies; that layer's size is checked below.
                if path.ends_with("DefaultBodyLimit::disable") && !cx.file.text.contains("RequestBodyLimitLayer") {
                    cx.report(rust_span(cx.file, &call.func), "`DefaultBodyLimit::disable()` removes axum's 2 MB body limit").help =
                        Some(HELP.into());
                    return;
                }
                let limit = if path.ends_with("DefaultBodyLimit::max") || path.ends_with("RequestBodyLimitLayer::new") {
                    call.args.first()
                } else if path.ends_with("body::to_bytes") || path == "to_bytes" || path.ends_with("::to_bytes") {
                    call.args.iter().nth(1)
                } else {
                    None
                };
                if let Some(bytes) = limit.and_then(rust_size).filter(|b| *b > self.max_bytes) {
                    let short = crate::rules::short_path(&path);
                    cx.report(
                        rust_span(cx.file, limit.expect("checked")),
                        format!("`{short}` allows request bodies of {}", shown(bytes)),
                    )
                    .help = Some(HELP.into());
                }
            }
            // warp: a route whose filters read the whole body (`warp::body::json()`) with no
            // `warp::body::content_length_limit(..)` in front: warp sets no limit of its own.
            RustSyntax::MethodCall(call) if matches!(call.method.to_string().as_str(), "and_then" | "map" | "then") => {
                let Some(chain) = crate::lang::rust::warp::handler_chain(model, node.site.fn_id, call) else { return };
                let Some(body) = chain.buffering.first() else { return };
                if chain.length_limits.is_empty() {
                    let filter = cx.file.slice(rust_span(cx.file, *body)).to_string();
                    cx.report(
                        rust_span(cx.file, &call.method),
                        format!("this warp route reads the whole body (`{filter}`) with no `warp::body::content_length_limit`"),
                    )
                    .help = Some("add `.and(warp::body::content_length_limit(1024 * 64))` before the body filter".into());
                    return;
                }
                for limit in chain.length_limits {
                    if let Some(bytes) = limit.args.first().and_then(rust_size).filter(|b| *b > self.max_bytes) {
                        cx.report(
                            rust_span(cx.file, &limit.args[0]),
                            format!("`content_length_limit` allows request bodies of {}", shown(bytes)),
                        )
                        .help = Some(HELP.into());
                    }
                }
            }
            // actix-web `web::JsonConfig::default().limit(n)` (and `PayloadConfig`/`FormConfig`).
            RustSyntax::MethodCall(call) if call.method == "limit" && call.args.len() == 1 => {
                let chain = call.receiver.to_token_stream().to_string();
                if !(chain.contains("JsonConfig") || chain.contains("PayloadConfig") || chain.contains("FormConfig")) {
                    return;
                }
                if let Some(bytes) = rust_size(&call.args[0]).filter(|b| *b > self.max_bytes) {
                    cx.report(rust_span(cx.file, &call.args[0]), format!("the actix-web body limit allows {}", shown(bytes))).help =
                        Some(HELP.into());
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1gb"), Some(1 << 30));
        assert_eq!(parse_size("500KB"), Some(500 * 1024));
        assert_eq!(parse_size("1.5mb"), Some(1_572_864));
        assert_eq!(parse_size("100"), Some(100));
        assert_eq!(parse_size("lots"), None);
    }
}
