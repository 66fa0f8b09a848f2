//! Where a service starts serving HTTP: the place the project-level operations rules
//! (`server-without-graceful-shutdown`, `service-without-health-check`) report, since that is
//! where the fix goes and where a reader looks for how the server runs.

use crate::lang::rust::RustModel;
use crate::lang::typescript::model::named_children;
use crate::lang::typescript::{FieldExt, TsModel};
use tree_sitter::Node;

/// A server being started.
pub struct ServerStart {
    /// The framework, as messages name it (`Express`, `axum`).
    pub framework: String,
    /// The framework waits for requests in flight when the process is asked to stop
    /// (actix-web, Rocket): nothing to add for shutdown.
    pub drains_by_default: bool,
}

/// The framework of an app or server made by this call, per the models (`express()`, `new Koa()`,
/// `NestFactory.create(..)`, `http.createServer(..)`, `[[servers]]` entries).
fn ts_app_framework(node: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    let node = model.unwrap_expression(node);
    let node = match node.kind() {
        "await_expression" => model.unwrap_expression(node.named_child(0)?),
        _ => node,
    };
    if !matches!(node.kind(), "call_expression" | "new_expression") {
        return None;
    }
    model.server(node).map(|server| server.framework.clone())
}

/// Whether an argument of `listen(..)` names a port: a number, a name or member that says
/// `port`, or Fastify's `{ port }` options.
fn ts_is_port(argument: Node<'_>, model: &TsModel<'_>) -> bool {
    let argument = model.unwrap_expression(argument);
    match argument.kind() {
        "number" => true,
        "object" => named_children(argument).any(|member| {
            let key = match member.kind() {
                "pair" => member.field("key").map(|k| model.text(k)),
                "shorthand_property_identifier" => Some(model.text(member)),
                _ => None,
            };
            key.is_some_and(|k| k.eq_ignore_ascii_case("port"))
        }),
        _ => model.text(argument).to_ascii_lowercase().contains("port"),
    }
}

/// `app.listen(port)` on an app or server of a known framework, or on a value named like one
/// (`app`, `server`) with a port: the server is started here.
pub fn ts_server_start(call: Node<'_>, model: &TsModel<'_>) -> Option<ServerStart> {
    let callee = call.field("function").filter(|f| f.kind() == "member_expression")?;
    if callee.field("property").map(|p| model.text(p)) != Some("listen") {
        return None;
    }
    // `listen(0, ..)`: an ephemeral port, for a helper server inside the process or a test.
    if call.field("arguments").and_then(|a| a.named_child(0)).is_some_and(|port| model.text(port) == "0") {
        return None;
    }
    let receiver = model.unwrap_expression(callee.field("object")?);
    // What the receiver is bound to in this file, when it is (`const server = net.createServer()`).
    let bound = (receiver.kind() == "identifier").then(|| model.binding(receiver).and_then(|b| b.value)).flatten();
    let framework = ts_app_framework(receiver, model).or_else(|| bound.and_then(|v| ts_app_framework(v, model)));
    let framework = match framework {
        Some(framework) => framework,
        // Known to be something else (a `net` server, an event source): not an HTTP server.
        None if bound.is_some() => return None,
        None => {
            let name = model.member_path(receiver)?;
            let name = name.rsplit('.').next().unwrap_or(&name).to_ascii_lowercase();
            let named_like_server = matches!(name.as_str(), "app" | "server" | "httpserver" | "application" | "fastify" | "instance");
            let port = call.field("arguments").and_then(|a| a.named_child(0)).is_some_and(|a| ts_is_port(a, model));
            if !(named_like_server && port) {
                return None;
            }
            "HTTP".to_string()
        }
    };
    Some(ServerStart { framework, drains_by_default: false })
}

/// A Rust call that starts a server, per the models (`axum::serve`, `HttpServer::new`, tonic's
/// `Server::builder`, `[[servers]]` entries).
pub fn rust_server_start(call: &syn::ExprCall, model: &RustModel) -> Option<ServerStart> {
    let parts = model.call_parts(call);
    let server = model.server(&parts)?;
    Some(ServerStart { framework: server.framework.clone(), drains_by_default: server.parameters.drains_by_default })
}
