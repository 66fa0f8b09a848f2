//! `server-without-graceful-shutdown`: an HTTP server that does not drain when it is asked to
//! stop. Orchestrators stop instances with `SIGTERM` on every deploy, scale-in and node drain;
//! Node exits at once on it, and an axum, hyper, warp, poem or tonic server with no shutdown
//! signal is dropped with the process. Either way the requests in flight are cut off.
//! Project-level: the signal handling often lives in another file than the `listen`.

use super::server_start::{rust_server_start, ts_server_start};
use crate::diagnostic::Fact;
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::span_of;
use crate::lang::typescript::{FieldExt, TsModel};
use crate::models::Capability;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "server-without-graceful-shutdown", build };

struct ServerWithoutGracefulShutdown;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(ServerWithoutGracefulShutdown))
}

/// Whether a Rust method serves until a shutdown signal and then drains: the frameworks name them
/// alike (axum `with_graceful_shutdown`, warp `bind_with_graceful_shutdown` and
/// `try_bind_with_graceful_shutdown`, poem `run_with_graceful_shutdown`, hyper-util
/// `graceful_shutdown`, tonic `serve_with_shutdown` and `serve_with_incoming_shutdown`).
fn drains_on_shutdown(method: &str) -> bool {
    method.contains("graceful_shutdown") || method.ends_with("with_shutdown") || method.ends_with("incoming_shutdown")
}

const TS_HELP: &str = "on `SIGTERM`, stop accepting and let requests in flight finish: `process.on(\"SIGTERM\", () => server.close(() => process.exit(0)))`, `app.enableShutdownHooks()` in NestJS, `await fastify.close()`, or a library such as `@godaddy/terminus` or `close-with-grace`";
const RUST_HELP: &str = "serve with a shutdown signal: `axum::serve(listener, app).with_graceful_shutdown(shutdown_signal())` listening for `SignalKind::terminate()` and Ctrl-C (tonic: `serve_with_shutdown`, warp: `bind_with_graceful_shutdown`, poem: `run_with_graceful_shutdown`)";

impl Rule for ServerWithoutGracefulShutdown {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn service_only(&self) -> bool {
        true
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["program", "string", "call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        match node.kind() {
            "program" => {
                // A package that drains the server (`models/graceful-shutdown.toml`).
                if model.imports_providing(Capability::GracefulShutdown) {
                    cx.fact(Fact::GracefulShutdown);
                }
            }
            // `process.on("SIGTERM", ..)`, `for (const s of ["SIGINT", "SIGTERM"])`, `signals: ["SIGTERM"]`.
            "string" => {
                // Most strings are not it: no string is built for them.
                if model.text(node).contains("SIGTERM") && model.string_literal(node).is_some_and(|s| s == "SIGTERM") {
                    cx.fact(Fact::GracefulShutdown);
                }
            }
            _ => {
                let enables_hooks =
                    node.field("function").and_then(|f| f.field("property")).is_some_and(|p| model.text(p) == "enableShutdownHooks");
                if enables_hooks {
                    cx.fact(Fact::GracefulShutdown);
                    return;
                }
                let Some(start) = ts_server_start(node, model) else { return };
                let what = match start.framework.as_str() {
                    "NestJS" => "this NestJS app does not drain on shutdown: nothing in the code it is built with calls `enableShutdownHooks()` or handles `SIGTERM`".to_string(),
                    framework => format!("this {framework} server does not drain on shutdown: nothing in the code it is built with handles `SIGTERM`"),
                };
                cx.report(
                    span_of(node),
                    format!("{what}, so Node exits at once on every deploy, scale-in or restart and the requests in flight are cut off"),
                )
                .with_help(TS_HELP)
                .withdrawn_by(Fact::GracefulShutdown);
            }
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
            RustSyntax::MethodCall(call) if drains_on_shutdown(&call.method.to_string()) => cx.fact(Fact::GracefulShutdown),
            RustSyntax::Call(call) => {
                let Some(path) = model.call_path(call) else { return };
                // hyper-util's `GracefulShutdown::new()` drains the connections it watches.
                if path.ends_with("GracefulShutdown::new") {
                    cx.fact(Fact::GracefulShutdown);
                    return;
                }
                let Some(start) = rust_server_start(call, model) else { return };
                if start.drains_by_default {
                    return;
                }
                cx.report(
                    rust_span(cx.file, &call.func),
                    format!(
                        "this {} server does not drain on shutdown: nothing in the code it is built with serves with a graceful-shutdown signal, so on `SIGTERM` (every deploy, scale-in or restart) the process ends and the requests in flight are cut off",
                        start.framework
                    ),
                )
                .with_help(RUST_HELP)
                .withdrawn_by(Fact::GracefulShutdown);
            }
            _ => {}
        }
    }
}
