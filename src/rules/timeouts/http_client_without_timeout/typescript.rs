//! TypeScript/JavaScript: a request of a client the models know, with no timeout set on it, its
//! instance or the client's global default, and not bounded by a timer around it.

use super::races::{every_caller_races, raced_against_timer};
use super::HttpClientWithoutTimeout;
use crate::diagnostic::{Applicability, Fact, Level};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::rules::helpers::{add_to_options, millis, ts_options_have, Configured};
use crate::rules::Context;
use crate::source::{is_frontend_path, Language};
use tree_sitter::Node;

impl HttpClientWithoutTimeout {
    pub(super) fn check_ts_call(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = node.field("function") else { return };
        if model.qualified_name(callee).is_none() {
            return;
        }
        let arguments: Vec<Node<'_>> = node.field("arguments").map(|a| named_children(a).collect()).unwrap_or_default();
        let span = span_of(callee);

        // Browser code (`.tsx`/`.jsx`, UI-framework imports, front-end directories) is out of scope:
        // there a request's timeout is the browser's business and the user's patience.
        let is_browser_code = cx.file.language == Language::Tsx
            || model.is_browser_code(node)
            || is_frontend_path(&cx.file.rel_path)
            || cx.file.in_browser_app;
        // The clients the models know: a request, its options, and how a timeout is set.
        for client in model.clients(node) {
            // A URL relative to the page (`fetch("/api/jobs")`) only resolves in a browser: on
            // a server, `fetch` rejects it, so the call runs in browser code whatever the file.
            if client.browser && (is_browser_code || arguments.first().is_some_and(|url| is_page_relative_url(*url, model))) {
                continue;
            }
            let options = match client.options_argument {
                // `fetch(new Request(url, { signal }))` carries its options in the request.
                Some(index) => arguments.get(index).copied().or_else(|| arguments.first().and_then(|first| request_init(*first, model))),
                None => arguments.iter().find(|a| !is_url(**a, model) && !is_callback(**a, model)).copied(),
            };
            let keys: Vec<&str> = client.timeout_options.iter().map(String::as_str).collect();
            if !matches!(ts_options_have(model, options, &keys), Configured::No)
                || result_gets_timeout(node, model, &client.timeout_methods)
                || client.instance_default.as_deref().is_some_and(|member| instance_default_set(node, member, model))
                || raced_against_timer(node, model)
                || every_caller_races(node, model)
            {
                continue;
            }
            let message = client.message.replace("{callee}", &shown_callee(callee, model));
            let level = if client.note { Level::Note } else { cx.level };
            // The model's fix: `fetch(url)` → `fetch(url, { signal: AbortSignal.timeout(10_000) })`,
            // `got(url)` → `got(url, { timeout: { request: 10_000 } })`.
            let option = client.fix_option.as_ref().map(|o| o.replace("{ms}", &millis(self.fix_timeout_ms)));
            let index = client.options_argument.or_else(|| match options {
                Some(options) => arguments.iter().position(|a| *a == options),
                // No options yet: they go after the URL, unless a callback comes next.
                None => (!arguments.iter().any(|a| is_callback(*a, model))).then_some(arguments.len()),
            });
            let fix = option.as_ref().zip(index).and_then(|(option, index)| add_to_options(node, index, option, model, cx.file));
            let finding = cx.report_capped(level, span, message);
            finding.help = Some(client.help.clone());
            if let Some(global) = &client.global_default {
                finding.withdrawn_by(Fact::ClientDefaultTimeout(global.clone()));
            }
            if let (Some(edits), Some(option)) = (fix, option) {
                let target = if client.instance_default.is_some() { "instance" } else { "request" };
                finding.with_fix(format!("add `{option}` to the {target}'s options"), Applicability::Safe, edits);
            }
            return;
        }
    }
}

/// A function passed as an argument (`https.get(url, (res) => ..)`): a callback, not options.
fn is_callback(argument: Node<'_>, model: &TsModel<'_>) -> bool {
    let argument = model.unwrap_expression(argument);
    matches!(argument.kind(), "arrow_function" | "function_expression" | "function")
}

/// Whether one of `methods` is called on the call's result in the same function: chained
/// (`superagent.get(url).timeout(ms)`) or on the variable holding it (`req.setTimeout(ms)`).
fn result_gets_timeout(call: Node<'_>, model: &TsModel<'_>, methods: &[String]) -> bool {
    if methods.is_empty() {
        return false;
    }
    let chained = call.parent().filter(|p| p.kind() == "member_expression").and_then(|p| p.field("property"));
    if chained.is_some_and(|property| methods.iter().any(|m| m == model.text(property))) {
        return true;
    }
    let Some(declarator) = call.parent().filter(|p| p.kind() == "variable_declarator") else { return false };
    let Some(name) = declarator.field("name").map(|n| model.text(n)) else { return false };
    let Some(function) = crate::lang::typescript::model::enclosing_function(call) else { return false };
    let body = model.text(function);
    methods.iter().any(|m| body.contains(&format!("{name}.{m}(")))
}

/// A URL argument: a string or template literal, a constant holding one, or a value named or built
/// as a URL. Anything else may be an options object.
fn is_url(argument: Node<'_>, model: &TsModel<'_>) -> bool {
    if matches!(argument.kind(), "string" | "template_string") || model.string_value(argument).is_some() {
        return true;
    }
    // A value named as a URL (`url`, `targetUrl`, `uri`, `endpointURL`) or built as one (`new URL(..)`).
    let argument = model.unwrap_expression(argument);
    let named_url = match argument.kind() {
        "identifier" | "member_expression" => {
            let name = model.text(argument).rsplit('.').next().unwrap_or("").to_ascii_lowercase();
            name.ends_with("url") || name.ends_with("uri") || name == "href"
        }
        "new_expression" => argument.field("constructor").is_some_and(|c| model.text(c) == "URL"),
        _ => false,
    };
    named_url
}

/// The `init` of `new Request(url, init)`, directly or through a constant.
fn request_init<'t>(argument: Node<'t>, model: &TsModel<'t>) -> Option<Node<'t>> {
    let request = model.resolve(argument);
    let is_request = request.kind() == "new_expression"
        && request.field("constructor").is_some_and(|c| model.qualified_name(c).as_deref() == Some("Request"));
    if !is_request {
        return None;
    }
    request.field("arguments")?.named_child(1)
}

/// The callee as the message shows it: `axios.get`, or `http(…)` for a called import, which
/// reads as a call rather than as a module name.
fn shown_callee(callee: Node<'_>, model: &TsModel<'_>) -> String {
    match callee.kind() {
        "identifier" => format!("{}(…)", model.text(callee)),
        _ => model.text(callee).to_string(),
    }
}

/// Whether the instance a call makes gets its timeout by an assignment to `member` later in the
/// file: `const api = axios.create(); api.defaults.timeout = 5000;`.
fn instance_default_set(create_call: Node<'_>, member: &str, model: &TsModel<'_>) -> bool {
    let Some(declarator) = create_call.parent().filter(|p| p.kind() == "variable_declarator") else { return false };
    let Some(name) = declarator.field("name") else { return false };
    model.member_assigned(&format!("{}.{member}", model.text(name)))
}

/// A URL literal relative to the page: `"/api/x"`, `` `/api/${id}` ``, `"//cdn.example/x"`.
fn is_page_relative_url(url: Node<'_>, model: &TsModel<'_>) -> bool {
    let text = match url.kind() {
        "string" => model.string_value(url),
        "template_string" => Some(crate::lang::typescript::model::constant_prefix(url, model, 0)),
        _ => None,
    };
    text.is_some_and(|t| t.starts_with('/'))
}
