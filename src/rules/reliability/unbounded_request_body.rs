//! `unbounded-request-body`: request body limits switched off or set so high they limit
//! nothing. Every client can then make the server buffer gigabytes in memory: one request is
//! enough to exhaust it.

use crate::diagnostic::{Fact, Level};
use crate::lang::rust::model::Framework;
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::{Property, TsModel};
use crate::models::{module_matches, BodyLimit, BodyReaderSpec, Language};
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

impl UnboundedRequestBody {
    /// Some frameworks buffer a body whole and set no limit of their own (Hono), nor does the
    /// runtime that serves them (`@hono/node-server` on Node). A server started so, in a project
    /// whose handlers read bodies and that mounts no body limit, is reported where it starts;
    /// which getters, validators, servers and limits are the models' `[[body-readers]]` and
    /// `[[body-limits]]`. Whether the call was one of those.
    fn check_body_readers(
        &self,
        call: Node<'_>,
        callee: Node<'_>,
        limit: Option<&BodyLimit>,
        model: &TsModel<'_>,
        cx: &mut Context<'_>,
    ) -> bool {
        let readers = model.knowledge.all_body_readers(Language::Typescript);
        let in_framework = |reader: &BodyReaderSpec| reader.module.as_deref().is_none_or(|module| model.imports_module_prefix(module));
        // The getter first: this runs for every call, the import walk only for a match.
        let getter_read = callee.kind() == "member_expression"
            && callee.field("property").is_some_and(|property| {
                let method = model.text(property);
                let member = callee.field("object").filter(|o| o.kind() == "member_expression").and_then(|o| o.field("property"));
                let member = member.map(|m| model.text(m));
                readers
                    .clone()
                    .find(|reader| {
                        reader.getters.iter().any(|getter| match getter.rsplit_once('.') {
                            Some((object, name)) => name == method && member == Some(object.rsplit('.').next().unwrap_or(object)),
                            None => getter == method,
                        }) && in_framework(reader)
                    })
                    .is_some_and(|reader| {
                        cx.fact(Fact::BodyRead(reader.framework.get_ref().clone()));
                        true
                    })
            });
        if getter_read {
            return true;
        }
        // A limit in a file of the framework's app bounds what its handlers read; its size is
        // checked like any other's.
        if limit.is_some_and(|limit| !limit.parameters.disables) {
            for reader in readers.clone().filter(|reader| in_framework(reader)) {
                cx.fact(Fact::BodyLimit(reader.framework.get_ref().clone()));
            }
            return false;
        }
        let Some(name) = model.qualified_name(callee) else { return false };
        for reader in readers {
            let framework = reader.framework.get_ref();
            if reader.servers.contains(&name) {
                // A note: on held-out code 1 of 3 were true (the project-wide facts do not stop at
                // the package, so another package's body reads or limits count; docs/precision.md).
                let help =
                    reader.limit_help.clone().unwrap_or_else(|| "mount a body limit on the app (or on the routes that read bodies)".into());
                cx.report_capped(
                    Level::Note,
                    span_of(callee),
                    format!(
                        "this {framework} server reads request bodies, and no body limit bounds them anywhere in the code it is built with"
                    ),
                )
                .with_help(help)
                .requires(Fact::BodyRead(framework.clone()))
                .withdrawn_by(Fact::BodyLimit(framework.clone()));
                return true;
            }
            // `zValidator("json", schema)`, `validator("form", fn)`: the validator reads the body.
            if reader.validators.contains(&name) {
                let target = call.field("arguments").and_then(|a| named_children(a).next()).and_then(|t| model.string_value(t));
                if target.is_some_and(|target| reader.body_targets.contains(&target)) {
                    cx.fact(Fact::BodyRead(framework.clone()));
                }
                return true;
            }
        }
        false
    }
}

impl UnboundedRequestBody {
    /// poem sets no body limit of its own (`Json<T>` reads the body whole, however large) unlike
    /// axum or actix-web: a handler that buffers the body in a project that mounts no
    /// `SizeLimit` middleware anywhere is reported at its extractor.
    fn check_poem_handler(
        &self,
        sig: &syn::Signature,
        attrs: &[syn::Attribute],
        node: &RustNode<'_>,
        model: &RustModel,
        cx: &mut Context<'_>,
    ) {
        let Some(fn_id) = node.site.fn_id else { return };
        if !model.handlers().iter().any(|h| h.fn_id == fn_id && h.framework == Framework::Poem) {
            return;
        }
        let plain_handler = attrs.iter().any(|a| a.path().segments.last().is_some_and(|s| s.ident == "handler"));
        let readers: Vec<_> = model.knowledge().body_readers(Language::Rust, "poem").collect();
        let buffers = |ty: &syn::Type| {
            let Some(name) = last_segment(ty) else { return false };
            let text = type_text(ty);
            readers.iter().any(|reader| {
                // `Binary<Body>`, `PlainText<Body>`: the payload is the body stream, read as it comes.
                if reader.streaming.iter().any(|stream| text.ends_with(&format!("<{stream}>"))) {
                    return false;
                }
                // A body type is named whole when generic (`Vec<u8>`), by its last segment otherwise.
                let is_body_type = |body: &String| if body.contains('<') { *body == text } else { *body == name };
                reader.extractors.contains(&name) || (plain_handler && reader.body_types.iter().any(is_body_type))
            })
        };
        let Some(ty) = sig.inputs.iter().find_map(|input| match input {
            syn::FnArg::Typed(typed) if buffers(&typed.ty) => Some(&*typed.ty),
            _ => None,
        }) else {
            return;
        };
        let span = rust_span(cx.file, ty);
        let written = cx.file.slice(span).to_string();
        // 30 of 30 true on three fresh poem services (docs/precision.md): a warning.
        cx.report(
            span,
            format!(
                "this poem handler reads the whole request body (`{written}`), and poem sets no size limit: no `SizeLimit` middleware bounds it anywhere in the project"
            ),
        )
        .with_help("wrap the routes in `poem::middleware::SizeLimit::new(1024 * 1024)` (it refuses bodies above the size, and requests without a Content-Length)")
        .withdrawn_by(Fact::BodyLimit("poem".into()));
    }
}

/// A type's last path segment: `Json` for `poem::web::Json<T>`, `String` for `String`.
fn last_segment(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn type_text(ty: &syn::Type) -> String {
    ty.to_token_stream().to_string().replace(' ', "")
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
        // Asked once: the body readers need it too.
        let limit = model.body_limit(node);
        if self.check_body_readers(node, callee, limit, model, cx) {
            return;
        }
        // `express.json({ limit })`, body-parser, koa-bodyparser, Fastify's `bodyLimit`, multer (per the models).
        let Some(limit) = limit else { return };
        let parameters = &limit.parameters;
        let arguments: Vec<Node<'_>> = node.field("arguments").map(|a| named_children(a).collect()).unwrap_or_default();
        let Some(options) = arguments.get(parameters.options_argument.unwrap_or(0)).map(|o| model.resolve(*o)) else { return };
        if options.kind() != "object" {
            return;
        }
        if let Some(required) = &parameters.required_option {
            if matches!(model.property(options, required), Property::Missing) {
                cx.report(
                    span_of(callee),
                    format!("`{}` has no `{required}`, so request bodies and uploads of any size are accepted", model.text(callee)),
                )
                .help = Some(format!(
                    "pass `{required}` with the largest sizes you accept (multer: `limits: {{ fileSize: 10 * 1024 * 1024, files: 5 }}`)"
                ));
            }
            return;
        }
        let Some(key) = parameters.limit_option.as_deref() else { return };
        let Property::Found(value) = model.property(options, key) else { return };
        let Some(bytes) = self.ts_limit(value, model) else { return };
        if bytes > self.max_bytes {
            cx.report(span_of(value), format!("`{key}` lets `{}` buffer request bodies of up to {}", model.text(callee), shown(bytes)))
                .help = Some(HELP.into());
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call, RustKind::MethodCall, RustKind::Fn]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if node.site.in_test || cx.in_test {
            return;
        }
        match node.syntax {
            // Per the models: axum `DefaultBodyLimit::disable()` / `DefaultBodyLimit::max(huge)`,
            // tower-http's `RequestBodyLimitLayer::new(n)`, `to_bytes(body, usize::MAX)`.
            RustSyntax::Fn { sig, attrs, .. } => self.check_poem_handler(sig, attrs, node, model, cx),
            RustSyntax::Call(call) => {
                let parts = model.call_parts(call);
                let Some(limit) = model.body_limit(&parts) else { return };
                let parameters = &limit.parameters;
                // A limit the models name (poem's `SizeLimit::new(n)`) in a file of a framework's
                // app (one that uses a body reader's `module`): the project bounds the bodies its
                // handlers read.
                if !parameters.disables {
                    for reader in model.knowledge().all_body_readers(Language::Rust) {
                        let Some(module) = reader.module.as_deref() else { continue };
                        if model.use_paths().iter().any(|used| module_matches(used, module, Language::Rust)) {
                            cx.fact(Fact::BodyLimit(reader.framework.get_ref().clone()));
                        }
                    }
                }
                // Disabling axum's default in favour of tower-http's `RequestBodyLimitLayer` is the
                // documented way to set one limit for all bodies; that layer's size is checked too.
                if parameters.disables {
                    if !parameters.replaced_by.iter().any(|name| cx.file.text.contains(name.as_str())) {
                        let path = model.call_path(call).unwrap_or_default();
                        let default = parameters
                            .default_limit
                            .as_deref()
                            .map(|d| format!("'s {d} body limit"))
                            .unwrap_or(" default body limit".into());
                        let short = crate::rules::short_path(&path);
                        cx.report(rust_span(cx.file, &call.func), format!("`{short}()` removes the framework{default}")).help =
                            Some(HELP.into());
                    }
                    return;
                }
                let limit = parameters.limit_argument.and_then(|index| call.args.iter().nth(index));
                if let Some(bytes) = limit.and_then(rust_size).filter(|b| *b > self.max_bytes) {
                    let path = model.call_path(call).unwrap_or_default();
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
                // A limit's size is checked where it is called, like every `[[body-limits]]` call.
                if chain.length_limits.is_empty() {
                    let filter = cx.file.slice(rust_span(cx.file, *body)).to_string();
                    cx.report(
                        rust_span(cx.file, &call.method),
                        format!("this warp route reads the whole body (`{filter}`) with no `warp::body::content_length_limit`"),
                    )
                    .help = Some("add `.and(warp::body::content_length_limit(1024 * 64))` before the body filter".into());
                }
            }
            // Per the models: actix-web `web::JsonConfig::default().limit(n)` (and `PayloadConfig`, `FormConfig`).
            RustSyntax::MethodCall(call) => {
                let parts = model.method_call_parts(call, node.site.fn_id);
                let Some(index) = model.body_limit(&parts).and_then(|limit| limit.parameters.limit_argument) else { return };
                if let Some(bytes) = call.args.iter().nth(index).and_then(rust_size).filter(|b| *b > self.max_bytes) {
                    let owner = parts.receiver.first().map(|r| format!("{r}::")).unwrap_or_default();
                    cx.report(
                        rust_span(cx.file, &call.args[index]),
                        format!("`{owner}{}` allows request bodies of {}", call.method, shown(bytes)),
                    )
                    .help = Some(HELP.into());
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
