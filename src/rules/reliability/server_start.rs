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
    pub framework: &'static str,
    /// The framework waits for requests in flight when the process is asked to stop
    /// (actix-web, Rocket): nothing to add for shutdown.
    pub drains_by_default: bool,
}

/// The framework of an app or server made by this call (`express()`, `new Koa()`,
/// `NestFactory.create(..)`, `http.createServer(..)`).
fn ts_app_framework(node: Node<'_>, model: &TsModel<'_>) -> Option<&'static str> {
    let node = model.unwrap_expression(node);
    let node = match node.kind() {
        "await_expression" => model.unwrap_expression(node.named_child(0)?),
        _ => node,
    };
    if !matches!(node.kind(), "call_expression" | "new_expression") {
        return None;
    }
    let callee = node.field("function").or_else(|| node.field("constructor"))?;
    let name = model.qualified_name(callee)?;
    let name = name.strip_prefix("node:").unwrap_or(&name);
    Some(match name {
        "express" => "Express",
        "koa" | "koa.default" => "Koa",
        "fastify" | "fastify.fastify" | "fastify.default" => "Fastify",
        "@nestjs/core.NestFactory.create" => "NestJS",
        "http.createServer" | "https.createServer" | "http2.createServer" | "http2.createSecureServer" => "Node HTTP",
        _ => return None,
    })
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
            "HTTP"
        }
    };
    Some(ServerStart { framework, drains_by_default: false })
}

/// A Rust call that starts a server, by its resolved path.
pub fn rust_server_start(path: &str, model: &RustModel) -> Option<ServerStart> {
    // `serve(..)` resolves to `axum::serve` through its `use`; unresolved, it is the file's own.
    let axum = path == "axum::serve" || path == "axum::Server::bind";
    let (framework, drains_by_default) = match path {
        _ if axum => ("axum", false),
        _ if path.ends_with("hyper::Server::bind") || path == "hyper::server::Server::bind" => ("hyper", false),
        "axum_server::bind" | "axum_server::bind_rustls" => ("axum-server", false),
        "warp::serve" => ("warp", false),
        "poem::Server::new" => ("poem", false),
        _ if path.starts_with("tonic") && path.ends_with("Server::builder") => ("tonic", false),
        _ if path.ends_with("HttpServer::new") && (path.starts_with("actix_web") || model.imports_crate("actix_web")) => {
            ("actix-web", true)
        }
        "rocket::build" | "rocket::custom" => ("Rocket", true),
        _ => return None,
    };
    Some(ServerStart { framework, drains_by_default })
}
