//! `http-client-without-timeout`: outbound HTTP calls that can wait forever. axios (timeout 0),
//! reqwest's async client ("Default is no timeout"), node-fetch and got all default to no limit,
//! so one slow peer ties up a request handler, a connection and eventually the whole service.
//! (Database pools and clients are `db-pool-without-timeout`'s.)

use crate::diagnostic::{Applicability, Edit, Fact, Level};
use crate::lang::rust::{method_chain, span_of as rust_span, FnId, LitParent, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{descendants, enclosing_function, named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::Client;
use crate::rules::helpers::{add_to_options, calls_before, duration, millis, ts_options_have, Configured};
use crate::rules::{check_option_names, millis_option, Context, Rule, RuleEntry, RuleOptions};
use crate::source::{is_frontend_path, Language, Span};
use syn::Expr;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "http-client-without-timeout", build };

struct HttpClientWithoutTimeout {
    /// The timeout a fix writes, in milliseconds.
    fix_timeout_ms: u64,
}

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    let fix_timeout_ms = millis_option(options, ENTRY.id, "fix-timeout-ms", 10_000)?;
    Ok(Box::new(HttpClientWithoutTimeout { fix_timeout_ms }))
}

impl HttpClientWithoutTimeout {
    fn check_ts_call(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
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

/// Whether the request's promise is bounded where it is made: handed to a timeout wrapper
/// (`withTimeout(axios.get(url), 5000)`, `pTimeout(..)`, or as a function to run:
/// `withTimeout(() => axios.get(url), 5000)`) or raced against a timer
/// (`Promise.race([fetch(url), sleep(5000).then(..)])`). `await` and parentheses on the way are
/// looked through; a function boundary ends the search.
fn raced_against_timer(call: Node<'_>, model: &TsModel<'_>) -> bool {
    let mut node = call;
    while let Some(parent) = node.parent() {
        match parent.kind() {
            "await_expression" | "parenthesized_expression" | "as_expression" | "non_null_expression" => node = parent,
            // `withTimeout(() => load(id), ms)`: a wrapper that takes the function to run.
            "arrow_function" if parent.field("body") == Some(node) => node = parent,
            "arguments" => {
                let Some(outer) = parent.parent().filter(|p| p.kind() == "call_expression") else { return false };
                let name = outer
                    .field("function")
                    .map(|f| model.text(f).rsplit('.').next().unwrap_or("").to_ascii_lowercase())
                    .unwrap_or_default();
                return name.contains("timeout") && !matches!(name.as_str(), "settimeout" | "cleartimeout");
            }
            "array" => {
                let race = parent
                    .parent()
                    .filter(|p| p.kind() == "arguments")
                    .and_then(|a| a.parent())
                    .filter(|c| c.kind() == "call_expression" && c.field("function").is_some_and(|f| model.text(f) == "Promise.race"));
                return race.is_some()
                    && named_children(parent).filter(|element| *element != node).any(|element| {
                        let text = model.text(element).to_ascii_lowercase();
                        // Not "wait": `await` is in most async code.
                        ["timeout", "timer", "delay", "sleep"].iter().any(|word| text.contains(word))
                    });
            }
            _ => return false,
        }
    }
    false
}

/// Whether the request is made in a module-private function whose every call in the file is
/// bounded by one of the forms [`raced_against_timer`] reads (`await withTimeout(load(id), ms)`).
/// An exported function may be called from elsewhere, unbounded.
fn every_caller_races(call: Node<'_>, model: &TsModel<'_>) -> bool {
    let Some(function) = enclosing_function(call) else { return false };
    let name = match (function.kind(), function.parent()) {
        ("function_declaration", Some(parent)) if parent.kind() != "export_statement" => function.field("name"),
        ("arrow_function" | "function_expression", Some(declarator)) if declarator.kind() == "variable_declarator" => {
            let exported = declarator.parent().and_then(|d| d.parent()).is_some_and(|p| p.kind() == "export_statement");
            declarator.field("name").filter(|n| n.kind() == "identifier" && !exported)
        }
        _ => None,
    };
    let Some(name) = name.map(|n| model.text(n)) else { return false };
    let program = crate::lang::typescript::model::program_of(function);
    let exported_later = descendants(program)
        .filter(|n| n.kind() == "export_specifier" || (n.kind() == "assignment_expression" && model.text(*n).contains("exports")))
        .any(|n| model.text(n).split(|c: char| !c.is_alphanumeric() && c != '_' && c != '$').any(|word| word == name));
    if exported_later {
        return false;
    }
    let mut calls = descendants(program)
        .filter(|n| n.kind() == "call_expression")
        .filter(|n| n.field("function").is_some_and(|f| f.kind() == "identifier" && model.text(f) == name))
        .peekable();
    calls.peek().is_some() && calls.all(|c| raced_against_timer(c, model))
}

/// The name of a function of another file that this call races against a timer
/// (`withTimeout(loadRates(base), ms)` with `loadRates` imported, `Promise.race([this.api.quote(s),
/// sleep(ms)])`): an imported function, or a method of another object.
fn raced_callee_of_another_file<'t>(call: Node<'t>, model: &TsModel<'t>) -> Option<&'t str> {
    let callee = call.field("function")?;
    let name = match callee.kind() {
        "identifier" if model.import(model.text(callee)).is_some() => model.text(callee),
        "member_expression" => model.text(callee.field("property")?),
        _ => return None,
    };
    raced_against_timer(call, model).then_some(name)
}

/// The name other files call the function around `call` by, when they can: an exported
/// function, or a method of a class or object (`this.api.loadRates(..)` from a service).
fn callable_from_other_files<'t>(call: Node<'t>, model: &TsModel<'t>) -> Option<&'t str> {
    let function = enclosing_function(call)?;
    let parent = function.parent()?;
    let name = match (function.kind(), parent.kind()) {
        ("method_definition", _) => function.field("name"),
        ("function_declaration", "export_statement") => function.field("name"),
        (_, "variable_declarator") => {
            let exported = parent.parent().and_then(|d| d.parent()).is_some_and(|p| p.kind() == "export_statement");
            parent.field("name").filter(|_| exported)
        }
        (_, "pair") => parent.field("key"),
        _ => None,
    };
    name.map(|n| model.text(n))
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

// ----- Rust -----

impl HttpClientWithoutTimeout {
    /// The client builder a chain root is (per the models), following a local variable to its
    /// initialiser, with every method called on it so far.
    fn builder_of<'e, 'm>(
        &self,
        root: &'e Expr,
        model: &'m RustModel<'e>,
        fn_id: Option<FnId>,
        depth: usize,
    ) -> Option<(&'m Client, Vec<String>, &'e Expr)> {
        if depth > 8 {
            return None;
        }
        match root {
            Expr::Call(call) => {
                let kind = model.clients(call).into_iter().find(|c| c.builder)?;
                Some((kind, Vec::new(), root))
            }
            Expr::Path(p) => {
                let local = model.local_of(fn_id, p)?;
                let (init_root, init_calls) = method_chain(local.init?);
                let (kind, mut methods, at) = self.builder_of(init_root, model, fn_id, depth + 1)?;
                methods.extend(init_calls.iter().map(|c| c.method.to_string()));
                methods.extend(local.methods.iter().cloned());
                Some((kind, methods, at))
            }
            _ => None,
        }
    }
}

impl HttpClientWithoutTimeout {
    /// `fn request(&self, ..) -> RequestBuilder { Client::new().request(method, url) }`: a
    /// request on a client with no timeout, handed out with none of its own. Its callers may
    /// bound it (`self.request(..).timeout(t)` anywhere in the project answers it).
    fn check_request_handed_out(
        &self,
        call: &syn::ExprCall,
        client: &Client,
        node: &RustNode<'_>,
        model: &RustModel,
        cx: &mut Context<'_>,
    ) {
        let (Some(fn_id), Some(request_type)) = (node.site.fn_id, client.request_type.as_deref()) else { return };
        let Some(block) = model.fn_returning(fn_id, request_type) else { return };
        let body = cx.file.slice(crate::lang::rust::block_span(cx.file, block));
        if client.timeout_methods.iter().any(|m| body.contains(&format!(".{m}("))) {
            return;
        }
        let Some(helper) = node.site.fn_name.as_deref() else { return };
        let finding = cx.report(
            rust_span(cx.file, call),
            format!("`{helper}` hands out a `{request_type}` on a client with no timeout, and sets none on the request"),
        );
        finding.help = Some(
            "build the client once with `Client::builder().timeout(..)` and keep it, or set `.timeout(Duration::from_secs(..))` on the request before returning it"
                .to_string(),
        );
        finding.withdrawn_by(Fact::TimeoutSetOnResultOf(helper.to_string()));
    }
}

/// A client call that bounds nothing itself (`reqwest::Client::new()`, `ureq::get(url)`).
fn unbounded_client<'m>(model: &'m RustModel<'_>, call: &syn::ExprCall) -> Option<&'m Client> {
    model.clients(call).into_iter().find(|c| !c.builder)
}

/// The finding's message for a client entry, with `{callee}` as the entry names the call.
fn client_message(client: &Client) -> String {
    client.message.replace("{callee}", &client.callee.written)
}

impl Rule for HttpClientWithoutTimeout {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn service_only(&self) -> bool {
        true
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression", "assignment_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        match node.kind() {
            "assignment_expression" => {
                // A client's global default (`axios.defaults.timeout = 5000`): the project fact
                // that answers every finding of that client, in any file.
                let target = node.field("left").and_then(|l| model.qualified_name(l));
                if let Some(target) = target.filter(|t| model.is_client_global_default(t)) {
                    cx.fact(Fact::ClientDefaultTimeout(target));
                }
            }
            _ if cx.in_test => {}
            _ => {
                if let Some(callee) = raced_callee_of_another_file(node, model) {
                    cx.fact(Fact::RacedAgainstTimer(callee.to_string()));
                }
                // In a module only browser code imports, the request is the browser's.
                let before = cx.finding_count();
                self.check_ts_call(node, model, cx);
                // A function other files call may be raced against a timer there (asked only of
                // calls with a finding: most have none).
                let mut outside = None;
                for finding in cx.findings_since(before) {
                    finding.withdrawn_by(Fact::OnlyBrowserCodeImports);
                    if let Some(name) = *outside.get_or_insert_with(|| callable_from_other_files(node, model)) {
                        finding.withdrawn_by(Fact::RacedAgainstTimer(name.to_string()));
                    }
                }
            }
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        match node.syntax {
            RustSyntax::Call(call) => {
                let Some(client) = unbounded_client(model, call) else { return };
                match &node.site.parent {
                    // `ureq::get(url).timeout(t)`: the request gets its own timeout.
                    LitParent::Method(method) if &**method == "timeout" => return,
                    // `Client::new().get(url)…send()`: a `.timeout(t)` on the request decides,
                    // and it comes later in the chain; the chain's `send` reports. A function
                    // that returns the request hands that decision to its callers.
                    LitParent::Method(method) if client.request_methods.iter().any(|m| m == &**method) => {
                        return self.check_request_handed_out(call, client, node, model, cx);
                    }
                    _ => {}
                }
                // `let client = Client::new();` whose every request sets `.timeout(t)`: the
                // requests are bounded, whatever the client is.
                if let Some(local) = model.local_holding(node.site.fn_id, call) {
                    // `calls` holds each call once (`methods` repeats a chain for every link).
                    let named = |name: &str| local.calls.iter().filter(|c| c.method == name).count();
                    let requests: usize = client.request_methods.iter().map(|m| named(m)).sum();
                    let timeouts: usize = client.timeout_methods.iter().map(|m| named(m)).sum();
                    if requests > 0 && timeouts >= requests {
                        return;
                    }
                }
                if every_request_of_the_file_is_timed(&cx.file.text, client) {
                    return;
                }
                // `reqwest::Client::new()` is `Client::builder().build().expect(..)`: the same,
                // with a timeout.
                let written = cx.file.slice(rust_span(cx.file, &call.func)).to_string();
                let fix = (client.callee.written.starts_with("reqwest::") && call.args.is_empty())
                    .then(|| written.strip_suffix("new").map(str::to_string))
                    .flatten()
                    .map(|prefix| {
                        let replacement = format!(
                            "{prefix}builder().timeout({}).build().expect(\"the HTTP client's TLS backend initialises\")",
                            duration(self.fix_timeout_ms)
                        );
                        Edit::replace(cx.file, rust_span(cx.file, call), replacement)
                    });
                let finding = cx.report(rust_span(cx.file, call), client_message(client));
                finding.help = Some(client.help.clone());
                if let Some(edit) = fix {
                    let what = format!("build the client with `.timeout({})`", duration(self.fix_timeout_ms));
                    finding.with_fix(what, Applicability::Safe, vec![edit]);
                }
            }
            // `self.request(..).timeout(t)`, `build_request(..).timeout(t)`: what that function
            // hands out is bounded here.
            RustSyntax::MethodCall(call) if call.method == "timeout" => {
                let (root, inner) = method_chain(&call.receiver);
                let helper = match (inner.first(), root) {
                    (Some(first), _) => Some(first.method.to_string()),
                    (None, Expr::Call(helper)) => match &*helper.func {
                        Expr::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
                        _ => None,
                    },
                    _ => None,
                };
                if let Some(helper) = helper {
                    cx.fact(Fact::TimeoutSetOnResultOf(helper));
                }
            }
            RustSyntax::MethodCall(call) if call.method == "send" => {
                // `Client::new().get(url).send()`: a client made for this one request, with no
                // timeout on the request either.
                let (root, inner) = method_chain(&call.receiver);
                let Expr::Call(constructor) = root else { return };
                let Some(client) = unbounded_client(model, constructor) else { return };
                let first = inner.first().map(|c| c.method.to_string());
                let requests = first.as_deref().is_some_and(|m| client.request_methods.iter().any(|r| r == m));
                if requests && !inner.iter().any(|c| client.timeout_methods.iter().any(|m| c.method == m)) {
                    cx.report(rust_span(cx.file, constructor), client_message(client)).help = Some(client.help.clone());
                }
            }
            RustSyntax::MethodCall(call) if call.method == "build" => {
                // The chain's nodes as they are in the tree (the models describe a call once, by
                // its address: a copy of the chain would be a different call each time).
                let (root, mut calls) = method_chain(&call.receiver);
                calls.push(call);
                let Some((kind, mut methods, root_expr)) = self.builder_of(root, model, node.site.fn_id, 0) else { return };
                methods.extend(calls.iter().map(|c| c.method.to_string()));
                if methods.iter().any(|m| kind.timeout_methods.contains(m)) || every_request_of_the_file_is_timed(&cx.file.text, kind) {
                    return;
                }
                let span = match root {
                    Expr::Call(_) => rust_span(cx.file, root_expr),
                    _ => Span::new(rust_span(cx.file, &call.method).start, rust_span(cx.file, call).end),
                };
                if methods.iter().any(|m| kind.connect_timeout_methods.contains(m)) {
                    cx.report_capped(
                        Level::Note,
                        span,
                        format!("{} has only a connect timeout; a stalled response still waits forever", kind.what),
                    )
                    .help = Some(kind.help.clone());
                } else {
                    // Builders whose timeout is `.timeout(Duration)` (reqwest, ureq 2); ureq 3's
                    // `timeout_global(Some(..))` and others are left to the reader.
                    let fix = (kind.timeout_methods.first().map(String::as_str) == Some("timeout"))
                        .then(|| calls_before(cx.file, call, &[&format!(".timeout({})", duration(self.fix_timeout_ms))]));
                    let finding = cx.report(span, client_message(kind));
                    finding.help = Some(kind.help.clone());
                    if let Some(edit) = fix {
                        let what = format!("add `.timeout({})` to the builder", duration(self.fix_timeout_ms));
                        finding.with_fix(what, Applicability::Safe, vec![edit]);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether the file sends requests (`….get(url)….send()`) and every one sets its own timeout
/// (`.timeout(t)` in the chain): a client kept in a struct and used only by such requests is
/// bounded, whatever it was built with. Read again from the text, only when a client without a
/// timeout is about to be reported.
fn every_request_of_the_file_is_timed(text: &str, client: &Client) -> bool {
    use syn::visit::Visit;
    struct Requests<'m> {
        request_methods: &'m [String],
        timeout_methods: &'m [String],
        sent: usize,
        timed: usize,
    }
    impl<'ast> Visit<'ast> for Requests<'_> {
        fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
            if call.method == "send" {
                let (_, chain) = method_chain(&call.receiver);
                if chain.iter().any(|c| self.request_methods.iter().any(|m| c.method == m)) {
                    self.sent += 1;
                    if chain.iter().any(|c| self.timeout_methods.iter().any(|m| c.method == m)) {
                        self.timed += 1;
                    }
                }
            }
            syn::visit::visit_expr_method_call(self, call);
        }
    }
    if client.timeout_methods.is_empty() || client.request_methods.is_empty() {
        return false;
    }
    let Ok(file) = syn::parse_file(text) else { return false };
    let mut requests = Requests { request_methods: &client.request_methods, timeout_methods: &client.timeout_methods, sent: 0, timed: 0 };
    requests.visit_file(&file);
    requests.sent > 0 && requests.timed == requests.sent
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
