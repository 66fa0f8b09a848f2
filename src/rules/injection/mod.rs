//! Injection rules: request data (or, for the most dangerous sinks, any non-constant value)
//! reaching an interpreter — SQL, a shell, the file system, an outbound URL, a redirect, `eval`.
//! They share the taint view (`crate::taint`, answered by each front-end) and one way of
//! reporting a flow, so every finding names its source and its sink the same way.

pub mod code_injection;
pub mod command_injection;
pub mod dynamic_code;
pub mod dynamic_sql;
mod exec_file;
pub mod mass_assignment;
pub mod missing_input_validation;
pub mod nosql_injection;
pub mod open_redirect;
pub mod path_traversal;
pub mod sql_injection;
mod sql_placeholders;
pub mod ssrf;
pub mod unvalidated_request_input;

use crate::diagnostic::Level;
use crate::lang::rust::{span_of as rust_span, RustModel, RustNode, Site};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::rules::helpers::words;
use crate::rules::{shorten, Context};
use crate::source::Span;
use crate::taint::Origin;

pub(crate) use crate::lang::rust::model::constant_prefix as rust_constant_prefix;
pub(crate) use crate::lang::typescript::model::constant_prefix;
pub(crate) use crate::text::fixes_origin;

/// Which values reaching a sink a rule reports: an injection rule and its audit counterpart run
/// the same check (`sql-injection` and `dynamic-sql`, `code-injection` and `dynamic-code`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reports {
    /// Request data, also when it arrives through parameters from other functions or files.
    RequestData,
    /// Other non-constant values: a parameter nobody is seen passing request data to, the
    /// result of a call the taint view cannot see into.
    NonConstant,
}

/// Reports a value of `origin` reaching `sink` (described like "`pool.query`"): request data at
/// the rule's level with the flow attached; a non-constant value capped at `dynamic_level` when
/// the rule reports those at all. Returns whether it reported. Parameters of named functions
/// reaching the sink go into the file's summary, for the project pass to follow callers'
/// request data into them (`crate::flows`).
pub(crate) fn report_origin(
    cx: &mut Context<'_>,
    span: Span,
    origin: &Origin,
    what: &str,
    sink: &str,
    dynamic_level: Option<Level>,
    help: &str,
) -> bool {
    // Test code has no clients: its requests are the test's own.
    if cx.in_test {
        return false;
    }
    match origin {
        Origin::Request(flow) => {
            let message = format!("{what} from request data (`{}`) reaches {sink}", shorten(&flow.source_text, 40));
            let file = cx.file;
            let finding = cx.report(span, message);
            finding.help = Some(help.to_string());
            finding.with_flow(file, flow);
            true
        }
        // Tooling (a release script, a migration) builds commands and SQL from its own values:
        // only request data is worth a finding there.
        Origin::Dynamic | Origin::Parameter(_) | Origin::Returned(_) if cx.file.is_tooling => false,
        Origin::Dynamic | Origin::Parameter(_) | Origin::Returned(_) => {
            let report = sink_report(cx, span, what, sink, help);
            match origin {
                Origin::Parameter(parameters) => cx.summary.add_sink(cx.file, &report, parameters),
                Origin::Returned(results) => cx.summary.add_returned_sink(cx.file, &report, results),
                _ => {}
            }
            report_dynamic(cx, span, what, sink, dynamic_level, help)
        }
        Origin::Constant | Origin::Safe => false,
    }
}

/// What the summary records of a sink whose value comes from parameters or a call's result:
/// where it is and how the rule words it, for the project pass to report it from callers.
pub(crate) fn sink_report<'s>(cx: &Context<'_>, span: Span, what: &'s str, sink: &'s str, help: &'s str) -> crate::flows::SinkReport<'s> {
    crate::flows::SinkReport {
        rule: cx.rule,
        level: cx.level,
        span,
        what,
        sink,
        help,
        withdrawn_by: Vec::new(),
        untyped_sources_only: false,
    }
}

/// Reports a non-constant value reaching a sink, when the rule reports those (`dynamic_level`).
fn report_dynamic(cx: &mut Context<'_>, span: Span, what: &str, sink: &str, dynamic_level: Option<Level>, help: &str) -> bool {
    match dynamic_level {
        Some(level) => {
            cx.report_capped(level, span, format!("{what} built from a non-constant value reaches {sink}")).help = Some(help.to_string());
            true
        }
        None => false,
    }
}

/// Words of a receiver that say it reaches the database: a model, repository, collection,
/// query builder or an entity instance.
const DATA_WORDS: &[&str] = &[
    "repo",
    "repository",
    "model",
    "collection",
    "table",
    "prisma",
    "db",
    "database",
    "knex",
    "entity",
    "dao",
    "orm",
    "users",
    "user",
    "account",
    "accounts",
    "admin",
    "admins",
    "member",
    "members",
    "customer",
    "customers",
    "profile",
    "record",
    "doc",
    "document",
    "query",
    "builder",
    "sequelize",
    "mongoose",
    "manager",
    "em",
];
/// Words of a receiver that say it is business logic or a client, which may hash, check or
/// transform data before storing it.
const SERVICE_WORDS: &[&str] = &[
    "service",
    "services",
    "controller",
    "client",
    "api",
    "provider",
    "helper",
    "handler",
    "auth",
    "http",
    "axios",
    "fetch",
    "form",
    "res",
    "response",
    "cache",
    "session",
    "store",
];
/// Whether a call's receiver reaches the database (`User.create`, `this.userRepository.save`,
/// `prisma.user.create`, `db.collection("users").insertOne`, `knex("users").insert`), not a
/// service or client that may check or transform the data first (`this.usersService.create`).
pub(crate) fn is_data_receiver(receiver: tree_sitter::Node<'_>, model: &TsModel<'_>) -> bool {
    let is_call = receiver.kind() == "call_expression";
    let text = match is_call {
        // `knex("users")`, `db.collection("users")`, `supabase.from("users")`: the callee says it.
        true => receiver.field("function").map(|f| model.text(f)).unwrap_or(""),
        false => model.text(receiver),
    };
    let words = words(text);
    if words.iter().any(|w| SERVICE_WORDS.contains(&w.as_str())) {
        return false;
    }
    let last = text.rsplit('.').next().unwrap_or(text);
    let names_table = is_call && matches!(last, "from" | "into" | "table" | "insertInto" | "updateTable");
    names_table || words.iter().any(|w| DATA_WORDS.contains(&w.as_str())) || last.chars().next().is_some_and(char::is_uppercase)
}

/// How a sink call reads in a message: its callee as written, or for a long builder chain just
/// the method (`.where`).
/// Whether an options object among `arguments` (from index `after` on) sets `key` to something
/// other than `false`/`null`/`undefined`: `{ shell: true }`, `{ root: dir }`.
pub(crate) fn option_set(model: &TsModel<'_>, arguments: &[tree_sitter::Node<'_>], after: usize, key: &str) -> bool {
    arguments.iter().skip(after).any(|argument| {
        let object = model.resolve(*argument);
        object.kind() == "object"
            && matches!(model.property(object, key), crate::lang::typescript::Property::Found(value)
                if !matches!(model.unwrap_expression(value).kind(), "false" | "null" | "undefined"))
    })
}

pub(crate) fn sink_name(callee: tree_sitter::Node<'_>, model: &TsModel<'_>) -> String {
    let text = model.text(callee);
    if text.contains('\n') || text.chars().count() > 40 {
        if let Some(property) = callee.field("property") {
            return format!("`.{}`", model.text(property));
        }
    }
    format!("`{}`", shorten(text, 40))
}

/// The Rust counterpart of [`report_origin`]: the origin of `expr` at the sink's site, reported
/// at `expr`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn report_rust_origin(
    cx: &mut Context<'_>,
    model: &RustModel<'_>,
    site: &Site,
    expr: &syn::Expr,
    what: &str,
    sink: &str,
    dynamic_level: Option<Level>,
    help: &str,
    kind: crate::models::SinkKind,
) -> bool {
    if site.in_test {
        return false;
    }
    let origin = model.origin_for(expr, site, cx.file, Some(kind));
    report_origin(cx, rust_span(cx.file, expr), &origin, what, sink, dynamic_level, help)
}

/// The local variable a receiver names, followed to its initialiser: `cmd` in `cmd.arg(x)` after
/// `let mut cmd = Command::new("sh")`.
pub(crate) fn rust_receiver_root<'e>(model: &'e RustModel<'_>, site: &Site, receiver: &'e syn::Expr) -> &'e syn::Expr {
    let (mut base, _) = crate::lang::rust::method_chain(receiver);
    for _ in 0..4 {
        let syn::Expr::Path(path) = base else { break };
        match model.local_of(site.fn_id, path).and_then(|local| local.init) {
            Some(init) => base = crate::lang::rust::method_chain(init).0,
            None => break,
        }
    }
    base
}

/// Whether a Rust target or URL built with `format!` starts with a value the server computes (a
/// call, a field or a constant, not request data): `format!("{}{next}", base_path())`. With
/// `path_follows`, the value must be followed by a path (`format!("{}/users/{id}", self.base)`),
/// which fixes a URL's scheme and host (`ssrf`); a redirect target is fixed by the value alone.
pub(crate) fn starts_with_server_value(
    target: &syn::Expr,
    model: &RustModel<'_>,
    node: &RustNode<'_>,
    file: &crate::source::SourceFile,
    path_follows: bool,
) -> bool {
    after_server_value_within(target, model, node, file, path_follows, 0)
}

/// `format!("{}{next}", base_path())`, `format!("{PREFIX}{next}")`: the target starts with a
/// value the server computes (a function call or a constant, not request data), which fixes
/// the start of the target like a literal `/prefix` does: a site-relative path, as the TS side
/// treats a fixed origin.
fn after_server_value_within(
    target: &syn::Expr,
    model: &RustModel<'_>,
    node: &RustNode<'_>,
    file: &crate::source::SourceFile,
    path_follows: bool,
    depth: usize,
) -> bool {
    if depth > 4 {
        return false;
    }
    let target = match target {
        syn::Expr::Reference(r) => &*r.expr,
        other => other,
    };
    let syn::Expr::Macro(format) = (match target {
        syn::Expr::Path(path) => match model.local_of(node.site.fn_id, path).and_then(|local| local.init) {
            Some(init) => return after_server_value_within(init, model, node, file, path_follows, depth + 1),
            None => return false,
        },
        other => other,
    }) else {
        return false;
    };
    if !format.mac.path.is_ident("format") {
        return false;
    }
    let parser = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
    let Ok(args) = syn::parse::Parser::parse2(parser, format.mac.tokens.clone()) else { return false };
    let args: Vec<&syn::Expr> = args.iter().collect();
    let Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. })) = args.first() else { return false };
    let text = text.value();
    let Some(first) = text.strip_prefix('{').and_then(|rest| rest.split(['}', ':']).next()) else { return false };
    // A URL's host is fixed only when a path follows the value: `{base}/users/{id}`.
    let after = text.split_once('}').map_or("", |(_, rest)| rest);
    let path_after = after.starts_with('/') && !after.starts_with("//");
    if path_follows && !path_after {
        return false;
    }
    let named = |name: &str| {
        args.iter().find_map(|arg| match arg {
            syn::Expr::Assign(assign) if matches!(&*assign.left, syn::Expr::Path(p) if p.path.is_ident(name)) => {
                Some((*assign.right).clone())
            }
            _ => None,
        })
    };
    let leading = match first {
        "" => args.get(1).map(|e| (*e).clone()),
        index if index.chars().all(|c| c.is_ascii_digit()) => {
            index.parse::<usize>().ok().and_then(|i| args.get(i + 1)).map(|e| (*e).clone())
        }
        // An inline capture: a local bound before the `format!`, or a constant.
        name => named(name).or_else(|| {
            let local = model.local(node.site.fn_id, name, crate::lang::rust::model::start_point(&format.mac));
            match local.and_then(|local| local.init) {
                Some(init) => Some(init.clone()),
                None => syn::parse_str::<syn::Expr>(name).ok(),
            }
        }),
    };
    let Some(leading) = leading else { return false };
    is_server_value(&leading, model, node, file, depth + 1)
}

/// A call, a field or a constant that does not carry request data; a known string only if it is a
/// local path or a fixed origin (an empty prefix fixes nothing).
fn is_server_value(value: &syn::Expr, model: &RustModel<'_>, node: &RustNode<'_>, file: &crate::source::SourceFile, depth: usize) -> bool {
    if depth > 6 {
        return false;
    }
    if let Some(text) = model.string_value(value, node.site.fn_id) {
        return (text.starts_with('/') && !text.starts_with("//") && text.len() > 1) || fixes_origin(&text);
    }
    match value {
        syn::Expr::Reference(r) => is_server_value(&r.expr, model, node, file, depth + 1),
        syn::Expr::Path(path) => match model.local_of(node.site.fn_id, path).and_then(|local| local.init) {
            Some(init) => is_server_value(init, model, node, file, depth + 1),
            None => false,
        },
        // `base_path()`, `config.base_url()`, `Config::get().issuer`.
        syn::Expr::Call(_) | syn::Expr::MethodCall(_) | syn::Expr::Field(_) => !model.origin(value, &node.site, file).is_request(),
        _ => false,
    }
}
