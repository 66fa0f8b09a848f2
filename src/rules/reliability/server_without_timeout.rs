//! `server-without-timeout`: HTTP servers whose request timeouts are switched off. Slow-loris
//! clients (headers a byte at a time, bodies that never finish) then hold connections and
//! memory for as long as they like, and a handler that hangs never frees its slot.

use crate::diagnostic::{Applicability, Edit, Fact, Level};
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::{Property, TsModel};
use crate::models::{Language, TimeoutSwitch};
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use quote::ToTokens;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "server-without-timeout", build };

struct ServerWithoutTimeout;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(ServerWithoutTimeout))
}

fn is_zero(text: &str) -> bool {
    matches!(
        text.trim(),
        "0" | "0n"
            | "Duration::ZERO"
            | "Duration::from_secs(0)"
            | "Duration :: ZERO"
            | "Duration :: from_secs (0)"
            | "Duration :: from_millis (0)"
    )
}

/// `300000` as `300_000`: how a fix writes a default back.
fn with_separators(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('_');
        }
        out.push(c);
    }
    out
}

/// The default a server library gives a timeout a `0` switches off (per the models), as a fix
/// writes it.
fn library_default(key: &str, model: &TsModel<'_>) -> Option<String> {
    model.knowledge.server_timeouts_off_at_zero(Language::Typescript).find(|(k, _)| *k == key).map(|(_, ms)| with_separators(ms))
}

impl ServerWithoutTimeout {
    fn check_ts_assignment(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else { return };
        if left.kind() != "member_expression" || !is_zero(model.text(right)) {
            return;
        }
        let property = left.field("property").map(|p| model.text(p)).unwrap_or("");
        let object = left.field("object").map(|o| model.text(o)).unwrap_or("");
        // A property the models say a server switches off with `0` (`server.requestTimeout = 0`),
        // or Node's socket `timeout`, only on something named like a server: `timeout` is a common word.
        let switched_off = model.knowledge.server_timeouts_off_at_zero(Language::Typescript).any(|(key, _)| key == property)
            || (property == "timeout" && object.to_ascii_lowercase().contains("server"));
        if switched_off {
            let edit = library_default(property, model).map(|default| (default.clone(), Edit::replace(cx.file, span_of(right), default)));
            let finding = cx.report(span_of(node), format!("`{}` disables the server's {property}", model.text(left)));
            finding.help = Some("keep Node's defaults (requestTimeout 300 s, headersTimeout 60 s) or set shorter ones".into());
            if let Some((default, edit)) = edit {
                finding.with_fix(format!("restore Node's default `{property}` ({default} ms)"), Applicability::Safe, vec![edit]);
            }
        }
    }

    fn check_ts_call(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = node.field("function") else { return };
        let arguments: Vec<Node<'_>> = node.field("arguments").map(|a| named_children(a).collect()).unwrap_or_default();
        // `server.setTimeout(0)`
        if callee.kind() == "member_expression" && callee.field("property").is_some_and(|p| model.text(p) == "setTimeout") {
            let object = callee.field("object").map(|o| model.text(o)).unwrap_or("");
            if object.to_ascii_lowercase().contains("server") && arguments.first().is_some_and(|a| is_zero(model.text(*a))) {
                cx.report(span_of(node), format!("`{}` disables the socket timeout", model.text(callee))).help =
                    Some("pass a timeout in milliseconds (for example 120_000) instead of 0".into());
            }
            return;
        }
        // A server the models describe: `http.createServer({ requestTimeout: 0 })`, Fastify
        // without `requestTimeout` (no limit by default).
        let Some(server) = model.server(node) else { return };
        let parameters = &server.parameters;
        let options = arguments.first().map(|a| model.resolve(*a)).filter(|a| a.kind() == "object");
        if let Some(options) = options {
            for (key, default) in &parameters.timeouts_off_at_zero {
                if let Property::Found(value) = model.property(options, key) {
                    if is_zero(model.text(value)) {
                        let default = with_separators(*default);
                        let edit = Edit::replace(cx.file, span_of(value), default.clone());
                        let finding = cx.report(span_of(value), format!("`{key}: 0` disables the server's {key}"));
                        finding.help = Some("keep the library's default or set a finite timeout".into());
                        finding.with_fix(format!("restore the default `{key}` ({default} ms)"), Applicability::Safe, vec![edit]);
                    }
                }
            }
        }
        if let Some(required) = &parameters.required_timeout {
            let configured = options.is_some_and(|o| !matches!(model.property(o, required), Property::Missing));
            if !configured {
                cx.report_capped(
                    Level::Note,
                    span_of(callee),
                    format!("{} is created without `{required}`, which defaults to no limit", parameters.framework),
                )
                .help = Some(format!("pass `{required}` (for example 30_000) when creating the instance"));
            }
        }
    }
}

impl Rule for ServerWithoutTimeout {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn service_only(&self) -> bool {
        true
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["assignment_expression", "call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        match node.kind() {
            "assignment_expression" => self.check_ts_assignment(node, model, cx),
            _ => self.check_ts_call(node, model, cx),
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        // What the models say of the call: it bounds request time (`TimeoutLayer::new(d)`,
        // `ServiceBuilder::new().timeout(d)`: a timeout somewhere in the project answers a server
        // with none of its own), or switches a server's timeout off (`models/tower.toml`, ...).
        let parts = match node.syntax {
            RustSyntax::Call(call) => model.call_parts(call),
            RustSyntax::MethodCall(call) => model.method_call_parts(call, node.site.fn_id),
            _ => return,
        };
        let timeout = model.request_timeout(&parts);
        if timeout.is_some_and(|t| t.parameters.switched_off_by.is_none()) {
            cx.fact(Fact::ServerTimeoutLayer);
        }
        if node.site.in_test || cx.in_test {
            return;
        }
        match node.syntax {
            // A server the models say sets no request timeout of its own (axum, warp): a
            // project-level question, since the router is often built elsewhere.
            RustSyntax::Call(call) => {
                let Some(server) = model.server(&parts).filter(|s| s.parameters.needs_timeout_layer) else { return };
                let finding = cx.report(
                    rust_span(cx.file, &call.func),
                    format!(
                        "this {} server sets no request timeout of its own, and no timeout layer wraps it anywhere in the code it is built with, so requests may take forever",
                        server.framework
                    ),
                );
                finding.help = server.parameters.timeout_help.clone();
                finding.withdrawn_by(Fact::ServerTimeoutLayer);
            }
            // actix-web `HttpServer::new(..).client_request_timeout(Duration::ZERO)`, hyper `header_read_timeout(None)`.
            RustSyntax::MethodCall(call) => {
                let Some(switch) = timeout.and_then(|t| t.parameters.switched_off_by) else { return };
                let method = call.method.to_string();
                let argument = call.args.first().map(|a| a.to_token_stream().to_string()).unwrap_or_default();
                let disabled = match switch {
                    TimeoutSwitch::Zero => is_zero(&argument),
                    TimeoutSwitch::None => argument.trim() == "None",
                };
                if disabled {
                    // The library's default (actix-web waits 5 s for a request's head): the fix restores it.
                    let default = timeout.and_then(|t| t.parameters.default_secs);
                    let fix = default.zip(call.args.first()).and_then(|(secs, arg)| {
                        let span = rust_span(cx.file, arg);
                        let text = cx.file.slice(span);
                        let zero = ["ZERO", "from_secs(0)", "from_millis(0)"].into_iter().find(|z| text.ends_with(z))?;
                        Some((secs, Edit::replace(cx.file, span, format!("{}from_secs({secs})", &text[..text.len() - zero.len()]))))
                    });
                    let finding =
                        cx.report(rust_span(cx.file, &call.method), format!("`{method}({argument})` disables the server's timeout"));
                    finding.help = Some("keep the framework's default or set a finite duration".into());
                    if let Some((secs, edit)) = fix {
                        finding.with_fix(format!("restore the default ({secs} s)"), Applicability::Safe, vec![edit]);
                    }
                }
            }
            _ => {}
        }
    }
}
