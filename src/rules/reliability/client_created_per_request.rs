//! `client-created-per-request`: a database pool, Redis client, message-broker connection or
//! HTTP client made inside a request handler (or a function of the same file that a handler
//! calls). Each request then opens connections of its own: a connection storm under load, the
//! database's connection limit exhausted, no keep-alive, and whatever timeouts were configured
//! thrown away with the object. What counts as such a call is data: the `connections` of the
//! models (`models/*.toml`).

use crate::diagnostic::Fact;
use crate::lang::rust::model::method_chain;
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{descendants, enclosing_function, program_of, span_of};
use crate::lang::typescript::{FieldExt, TsModel};
use crate::models::{Connection, ConnectionKind};
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use crate::source::SourceFile;
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
    let root = program_of(function);
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

/// How a handler in another file names a function of this one, for [`Fact::CalledFromHandler`]:
/// `Class::method` for a class method, `<file stem>::<function>` for a top-level function.
fn ts_definition_key(function: Node<'_>, model: &TsModel<'_>, file: &SourceFile) -> Option<String> {
    let name = ts_function_name(function, model)?;
    if function.kind() == "method_definition" {
        let class = function.parent()?.parent()?;
        return Some(format!("{}::{name}", model.text(class.field("name")?)));
    }
    // Only functions other files can import: top-level ones.
    let top_level = function.parent().is_some_and(|p| match p.kind() {
        "program" | "export_statement" => true,
        "variable_declarator" => p.parent().and_then(|d| d.parent()).is_some_and(|s| matches!(s.kind(), "program" | "export_statement")),
        _ => false,
    });
    top_level.then(|| format!("{}::{name}", module_stem(&file.rel_path)))
}

/// The module a path names, as importers write it: `services/weather.ts` → `weather`,
/// `services/weather/index.ts` → `weather`, `src/repo/mod.rs` → `repo`.
fn module_stem(path: &str) -> String {
    let path = path.trim_end_matches('/');
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.split('.').next().unwrap_or(file);
    if matches!(stem, "index" | "mod") {
        let mut dirs = path.rsplit('/').skip(1);
        return dirs.next().unwrap_or(stem).to_string();
    }
    stem.to_string()
}

/// The key of a function of another file that a TypeScript call names: an import from a
/// project module (`fetchForecast(..)`, `weather.fetchForecast(..)`), or a method of an injected
/// service (`this.reports.build(..)` with `reports: ReportsService`).
fn ts_called_key(call: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    let callee = model.unwrap_expression(call.field("function")?);
    let from_project = |specifier: &str| specifier.starts_with('.') || specifier.starts_with("@/") || specifier.starts_with('~');
    match callee.kind() {
        "identifier" => {
            let import = model.import(model.text(callee)).filter(|i| from_project(&i.module))?;
            let name = import.export.clone().unwrap_or_else(|| model.text(callee).to_string());
            Some(format!("{}::{name}", module_stem(&import.module)))
        }
        "member_expression" => {
            let method = model.text(callee.field("property")?);
            let object = model.unwrap_expression(callee.field("object")?);
            match object.kind() {
                "identifier" => {
                    let import = model.import(model.text(object)).filter(|i| from_project(&i.module) && i.export.is_none())?;
                    Some(format!("{}::{method}", module_stem(&import.module)))
                }
                "member_expression" if object.field("object").is_some_and(|o| o.kind() == "this") => {
                    let field = model.text(object.field("property")?);
                    let ty = crate::lang::typescript::calls::field_type(model, object, field)?;
                    Some(format!("{}::{method}", ty.trim()))
                }
                _ => None,
            }
        }
        _ => None,
    }
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

/// How a handler in another module names the function at `site`: `Type::method` inside an
/// `impl`, `<module>::<function>` for a free function of `src/<module>.rs` (or `<module>/mod.rs`).
fn rust_definition_key(site: &crate::lang::rust::Site, model: &RustModel, file: &SourceFile) -> Option<String> {
    let name = site.fn_name.as_deref()?;
    let path = model.fn_path(site.fn_id?)?;
    let owner = path.rsplit("::").nth(1).filter(|segment| segment.starts_with(|c: char| c.is_ascii_uppercase()));
    Some(match owner {
        Some(owner) => format!("{owner}::{name}"),
        None => format!("{}::{name}", module_stem(&file.rel_path)),
    })
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
        // A handler calling a function of another file: that file's connections are per request.
        if node.kind() == "call_expression" && model.handler_at(node.start_byte()).is_some() {
            if let Some(key) = ts_called_key(node, model) {
                cx.fact(Fact::CalledFromHandler(key));
            }
        }
        let connections = model.connections(node);
        let Some(connection) = connections.first() else { return };
        if ts_kept_for_later(node, model) {
            return;
        }
        if let Some(place) = ts_request_path(node, model) {
            cx.report(span_of(node), message(connection, &place)).with_help(HELP);
            return;
        }
        // Not in this file's request path: in it when a handler of another file calls the function.
        let Some(function) = enclosing_function(node) else { return };
        let Some(key) = ts_definition_key(function, model, cx.file) else { return };
        let name = key.rsplit("::").next().unwrap_or(&key).to_string();
        let place = format!("in `{name}`, which a request handler in another file calls");
        cx.report(span_of(node), message(connection, &place)).with_help(HELP).requires(Fact::CalledFromHandler(key));
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
        // A handler calling a function of another module: `weather::fetch(..)`, `Repo::open(..)`.
        if let RustSyntax::Call(call) = node.syntax {
            let in_handler = model.handlers().iter().any(|h| Some(h.fn_id) == site.fn_id);
            if let (true, Some(path)) = (in_handler, model.call_path(call)) {
                let segments: Vec<&str> = path.split("::").collect();
                if let [.., module, function] = segments.as_slice() {
                    if !matches!(*module, "crate" | "self" | "super") {
                        cx.fact(Fact::CalledFromHandler(format!("{module}::{function}")));
                    }
                }
            }
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
        let Some(handler) = model.serving_handler(site.fn_id, site.fn_name.as_deref()) else {
            // Not in this file's request path: in it when a handler of another file calls it.
            let Some(key) = rust_definition_key(site, model, cx.file) else { return };
            let name = key.rsplit("::").next().unwrap_or(&key).to_string();
            let place = format!("in `{name}`, which a request handler in another file calls");
            cx.report(span, message(connection, &place)).with_help(HELP).requires(Fact::CalledFromHandler(key));
            return;
        };
        let place = if Some(handler.fn_id) == site.fn_id {
            "in this request handler".to_string()
        } else {
            format!("in `{}`, which the request handler `{}` calls", site.fn_name.as_deref().unwrap_or("this function"), handler.name)
        };
        cx.report(span, message(connection, &place)).with_help(HELP);
    }
}
