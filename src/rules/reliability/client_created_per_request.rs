//! `client-created-per-request`: a database pool, Redis client, message-broker connection or
//! HTTP client made inside a request handler (or a function of the same file that a handler
//! calls). Each request then opens connections of its own: a connection storm under load, the
//! database's connection limit exhausted, no keep-alive, and whatever timeouts were configured
//! thrown away with the object. What counts as such a call is data: the `connections` of the
//! models (`models/*.toml`).

use crate::lang::rust::model::method_chain;
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{descendants, enclosing_function, span_of};
use crate::lang::typescript::{FieldExt, TsModel};
use crate::models::{Connection, ConnectionKind};
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "client-created-per-request", build };

struct ClientCreatedPerRequest;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(ClientCreatedPerRequest))
}

const HELP: &str = "make it once at start-up (module scope, the app state, a `OnceLock`/`LazyLock`, a NestJS provider) and share it: pools and clients are meant to serve every request";

/// What making one for every request costs, by what it connects to.
fn consequence(kind: ConnectionKind) -> &'static str {
    match kind {
        ConnectionKind::Database => {
            "every request opens its own database connections, so load exhausts the database's connection limit, each request pays a connection handshake, and the pool's settings are thrown away with it"
        }
        ConnectionKind::Cache => {
            "every request opens a new Redis connection: a connection storm under load, and connections leak unless each one is closed"
        }
        ConnectionKind::Http => {
            "no connection is reused, so every call pays DNS, TCP and TLS set-up again, sockets pile up under load, and the client's timeouts and limits are thrown away with it"
        }
        ConnectionKind::Broker => {
            "every request opens a new broker connection, which brokers treat as expensive and limit: a connection storm under load"
        }
    }
}

fn message(connection: &Connection, place: &str) -> String {
    format!("a new {} is made for every request {place}: {}", connection.what, consequence(connection.kind))
}

/// Where in the request path a TypeScript call runs: in a handler, or in a function of this
/// file that a handler calls by name.
fn ts_request_path(node: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    if model.handler_at(node.start_byte()).is_some() {
        return Some("in this request handler".to_string());
    }
    let function = enclosing_function(node)?;
    let name = ts_function_name(function, model)?;
    let mut root = function;
    while let Some(parent) = root.parent() {
        root = parent;
    }
    let called_by_handler = descendants(root).any(|call| {
        call.kind() == "call_expression"
            && model.handler_at(call.start_byte()).is_some()
            && call.field("function").map(|f| model.unwrap_expression(f)).is_some_and(|callee| match callee.kind() {
                "identifier" => model.text(callee) == name,
                // `this.openPool()`: a method of the handler's own class.
                "member_expression" => {
                    callee.field("object").is_some_and(|o| o.kind() == "this")
                        && callee.field("property").is_some_and(|p| model.text(p) == name)
                }
                _ => false,
            })
    });
    called_by_handler.then(|| format!("in `{name}`, which a request handler of this file calls"))
}

/// The name a function is called by: its declaration's, its method's, or its binding's.
fn ts_function_name<'t>(function: Node<'_>, model: &TsModel<'t>) -> Option<&'t str> {
    if let Some(name) = function.field("name") {
        return Some(model.text(name));
    }
    let parent = function.parent()?;
    match parent.kind() {
        "variable_declarator" => parent.field("name").filter(|n| n.kind() == "identifier").map(|n| model.text(n)),
        _ => None,
    }
}

/// Whether what the call makes is kept for later requests rather than used once: assigned to a
/// field, a module-level variable or a map entry (`this.pool = new Pool()`,
/// `pool ??= new Pool()`, `clients[tenant] = createClient()`).
fn ts_kept_for_later(call: Node<'_>, model: &TsModel<'_>) -> bool {
    let mut node = call;
    // Through `x ?? new Pool()` and `cond ? a : new Pool()` too.
    while let Some(parent) = node.parent().filter(|p| {
        matches!(
            p.kind(),
            "await_expression"
                | "parenthesized_expression"
                | "as_expression"
                | "non_null_expression"
                | "binary_expression"
                | "ternary_expression"
        )
    }) {
        node = parent;
    }
    let Some(parent) = node.parent() else { return false };
    if !matches!(parent.kind(), "assignment_expression" | "augmented_assignment_expression") {
        return false;
    }
    let Some(left) = parent.field("left") else { return false };
    match left.kind() {
        "member_expression" | "subscript_expression" => true,
        // A variable declared outside the function that assigns it.
        "identifier" => {
            let function = enclosing_function(parent);
            model.binding(left).is_none_or(|binding| function.is_none_or(|f| !span_of(f).contains(binding.declared_at)))
        }
        _ => false,
    }
}

impl Rule for ClientCreatedPerRequest {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn service_only(&self) -> bool {
        true
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression", "new_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        let connections = model.connections(node);
        let Some(connection) = connections.first() else { return };
        let Some(place) = ts_request_path(node, model) else { return };
        if ts_kept_for_later(node, model) {
            return;
        }
        cx.report(span_of(node), message(connection, &place)).with_help(HELP);
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        let site = &node.site;
        // What a `OnceLock`/`LazyLock` initialiser makes is made once, even inside a handler.
        if site.in_test || cx.in_test || site.in_once_init {
            return;
        }
        let (parts, span) = match node.syntax {
            RustSyntax::Call(call) => (model.call_parts(call), rust_span(cx.file, &call.func)),
            RustSyntax::MethodCall(call) => {
                // `PgPoolOptions::new().connect(url)`: the chain's start is the finding.
                let (root, _) = method_chain(&call.receiver);
                if matches!(root, syn::Expr::Call(start) if !model.connections(&model.call_parts(start)).is_empty()) {
                    return;
                }
                (model.method_call_parts(call, site.fn_id), rust_span(cx.file, &call.method))
            }
            _ => return,
        };
        let connections = model.connections(&parts);
        let Some(connection) = connections.first() else { return };
        let Some(handler) = model.serving_handler(site.fn_id, site.fn_name.as_deref()) else { return };
        let place = if Some(handler.fn_id) == site.fn_id {
            "in this request handler".to_string()
        } else {
            format!("in `{}`, which the request handler `{}` calls", site.fn_name.as_deref().unwrap_or("this function"), handler.name)
        };
        cx.report(span, message(connection, &place)).with_help(HELP);
    }
}
