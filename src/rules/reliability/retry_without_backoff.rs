//! `retry-without-backoff`: a failed outbound call retried at once, in a loop with no delay or a
//! zero one. When the peer is down or overloaded, every client retries immediately and together:
//! the retries multiply the load that made it fail (a retry storm), and a `while (true)` version
//! spins a CPU core for as long as the outage lasts.

use crate::lang::rust::{RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{descendants, enclosing_function, is_function_like, named_children, parameter_names, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::rules::{check_option_names, tidy_tokens, Context, Rule, RuleEntry, RuleOptions};
use crate::source::Span;
use quote::ToTokens;
use std::collections::HashSet;
use syn::visit::Visit;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "retry-without-backoff", build };

struct RetryWithoutBackoff;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(RetryWithoutBackoff))
}

const TS_HELP: &str = "wait between attempts with exponential backoff and jitter (`await sleep(base * 2 ** attempt + jitter)`, p-retry/async-retry defaults), and bound the number of attempts";
const RUST_HELP: &str = "wait between attempts with exponential backoff and jitter (`tokio::time::sleep(backoff).await`, the `backoff`/`tokio-retry`/`backon` crates), and bound the number of attempts";

/// Words in the name of anything that waits: `sleep`, `setTimeout`, `delay`, `backoff`, `wait`.
const DELAY_WORDS: &[&str] = &["sleep", "settimeout", "delay", "backoff", "wait", "pause", "tick"];

/// HTTP client modules and functions whose call is an outbound request.
const TS_HTTP_CALLEES: &[&str] = &["fetch", "axios", "got", "superagent", "request", "needle", "ky", "undici", "http", "https"];
const TS_HTTP_METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "request", "fetch", "send"];
/// Receiver words that make `x.get(..)` an HTTP call rather than a map lookup.
const TS_CLIENT_WORDS: &[&str] = &["client", "api", "http", "axios", "got", "rest", "sdk", "fetch"];

fn has_delay_word(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    // Rust's `.await` is a token like any identifier, and no delay.
    lower != "await" && DELAY_WORDS.iter().any(|w| lower.contains(w))
}

// ----- TypeScript -----

/// The identifiers of `node`, by text.
fn ts_identifiers<'t>(node: Node<'_>, model: &TsModel<'t>) -> HashSet<&'t str> {
    std::iter::once(node)
        .chain(descendants(node))
        .filter(|n| matches!(n.kind(), "identifier" | "shorthand_property_identifier"))
        .map(|n| model.text(n))
        .collect()
}

fn inside_nested_function(node: Node<'_>, stop: Node<'_>) -> bool {
    let mut current = node.parent();
    while let Some(p) = current.filter(|p| *p != stop) {
        if is_function_like(p.kind()) {
            return true;
        }
        current = p.parent();
    }
    false
}

/// Whether an awaited call goes out of the process: an HTTP client, a `connect`, or the
/// operation a generic retry helper was handed (`async function withRetry(fn) { … await fn() }`).
fn ts_is_outbound(call: Node<'_>, model: &TsModel<'_>, helper_parameters: &[String]) -> bool {
    let Some(callee) = call.field("function") else { return false };
    let text = model.text(callee);
    let name = model.qualified_name(callee).unwrap_or_else(|| text.to_string());
    let root = name.split('.').next().unwrap_or("");
    let method = text.rsplit('.').next().unwrap_or("");
    if TS_HTTP_CALLEES.contains(&root) && ((root != "http" && root != "https") || matches!(method, "get" | "request")) {
        return true;
    }
    if method == "connect" {
        return true;
    }
    if callee.kind() == "member_expression" && TS_HTTP_METHODS.contains(&method) {
        let receiver = text.rsplit_once('.').map(|(r, _)| r.to_ascii_lowercase()).unwrap_or_default();
        return TS_CLIENT_WORDS.iter().any(|w| receiver.contains(w));
    }
    callee.kind() == "identifier" && helper_parameters.iter().any(|p| p == text)
}

/// Identifiers a loop changes as it goes (`page++`, `url = body.next`, the `for` counter): a
/// call that uses one is a different call each time, not a retry.
fn ts_changing_identifiers<'t>(loop_node: Node<'_>, model: &TsModel<'t>) -> HashSet<&'t str> {
    let mut changing = HashSet::new();
    for n in descendants(loop_node) {
        let target = match n.kind() {
            "assignment_expression" | "augmented_assignment_expression" => n.field("left"),
            "update_expression" => n.field("argument"),
            _ => None,
        };
        if let Some(target) = target {
            changing.extend(ts_identifiers(target, model));
        }
    }
    // `for (let i = 0; i < forms.length; i++) { const form = forms[i]; … }` walks a list.
    let walks_list = loop_node.field("condition").is_some_and(|c| model.text(c).contains(".length"));
    if let Some(initializer) = loop_node.field("initializer") {
        for declarator in descendants(initializer).filter(|n| n.kind() == "variable_declarator") {
            if let Some(name) = declarator.field("name") {
                changing.extend(ts_identifiers(name, model));
            }
        }
    }
    // `items[i]` in the body: the counter indexes a list.
    let indexes_list = descendants(loop_node)
        .any(|n| n.kind() == "subscript_expression" && n.field("index").is_some_and(|i| !ts_identifiers(i, model).is_disjoint(&changing)));
    if walks_list || indexes_list {
        // Every call of the body then differs per iteration.
        if let Some(body) = loop_node.field("body") {
            changing.extend(ts_identifiers(body, model));
        }
    }
    changing
}

/// A `catch` that always leaves the loop (`throw`, `return`, `break` as its last statement).
fn catch_always_exits(catch: Node<'_>) -> bool {
    let Some(body) = catch.field("body") else { return false };
    named_children(body)
        .filter(|s| s.kind() != "comment")
        .last()
        .is_some_and(|last| matches!(last.kind(), "throw_statement" | "return_statement" | "break_statement"))
}

/// Errors of optimistic concurrency: the next attempt reads fresh data and usually succeeds at
/// once, so retrying immediately is the convention.
const CONFLICT_WORDS: &[&str] = &["Unique", "Constraint", "Conflict", "Deadlock", "Serializ", "OptimisticLock", "VersionMismatch"];

/// The call's failure keeps the loop going: it sits in a `try` whose `catch` does not always
/// leave (nor retries only write conflicts), or its result is tested (`if (res.ok) return res`)
/// with an exit on success.
fn ts_failure_continues(await_node: Node<'_>, loop_body: Node<'_>, model: &TsModel<'_>) -> bool {
    let mut current = await_node.parent();
    while let Some(n) = current.filter(|n| *n != loop_body) {
        if n.kind() == "statement_block" && n.parent().is_some_and(|p| p.kind() == "try_statement") {
            let catch = n.parent().and_then(|t| t.field("handler"));
            return catch.is_some_and(|c| !catch_always_exits(c) && !CONFLICT_WORDS.iter().any(|w| model.text(c).contains(w)));
        }
        current = n.parent();
    }
    // `const res = await fetch(u); if (res.ok) return res;`
    let Some(declarator) = await_node.parent().filter(|p| p.kind() == "variable_declarator") else { return false };
    let Some(result) = declarator.field("name").map(|n| model.text(n)) else { return false };
    descendants(loop_body).any(|n| {
        n.kind() == "if_statement"
            && n.field("condition").is_some_and(|c| {
                let condition = model.text(c);
                condition.contains(&format!("{result}.ok")) || condition.contains(&format!("{result}.status"))
            })
            && n.field("consequence").is_some_and(|c| {
                std::iter::once(c).chain(descendants(c)).any(|s| matches!(s.kind(), "return_statement" | "break_statement"))
            })
    })
}

/// How the loop waits between attempts: `None` when it does not, `Some(true)` when only with a
/// literal zero (`setTimeout(r, 0)`, `sleep(0)`).
fn ts_delay(loop_body: Node<'_>, model: &TsModel<'_>) -> Option<bool> {
    let mut seen = false;
    for n in descendants(loop_body) {
        match n.kind() {
            "call_expression" => {
                let Some(callee) = n.field("function") else { continue };
                if !has_delay_word(model.text(callee)) {
                    continue;
                }
                seen = true;
                let arguments: Vec<Node<'_>> = n.field("arguments").map(|a| named_children(a).collect()).unwrap_or_default();
                let delay_argument = if model.text(callee).ends_with("setTimeout") { arguments.get(1) } else { arguments.first() };
                if delay_argument.is_none_or(|a| model.text(*a) != "0") {
                    return Some(false);
                }
            }
            "identifier" | "property_identifier" if has_delay_word(model.text(n)) => {
                let is_callee = n.parent().is_some_and(|p| {
                    p.field("function") == Some(n)
                        || (p.kind() == "member_expression"
                            && p.parent().is_some_and(|c| c.kind() == "call_expression" && c.field("function") == Some(p)))
                });
                if !is_callee {
                    return Some(false);
                }
            }
            _ => {}
        }
    }
    seen.then_some(true)
}

/// No condition ends the loop and nothing in it gives up: a `throw`, or a `return`/`break` in a
/// `catch` (`for (;;)` with `if (attempt >= max) throw err` is bounded).
fn ts_unbounded(loop_node: Node<'_>, model: &TsModel<'_>) -> bool {
    let gives_up = descendants(loop_node).any(|n| {
        n.kind() == "throw_statement"
            || (matches!(n.kind(), "return_statement" | "break_statement")
                && std::iter::successors(n.parent(), |p| p.parent()).take_while(|p| *p != loop_node).any(|p| p.kind() == "catch_clause"))
    });
    if gives_up {
        return false;
    }
    match loop_node.kind() {
        "for_statement" => loop_node.field("condition").is_none_or(|c| matches!(model.text(c).trim(), "" | ";" | "true;")),
        _ => loop_node.field("condition").is_some_and(|c| model.text(c).trim_matches(['(', ')', ' ']) == "true"),
    }
}

impl RetryWithoutBackoff {
    fn check_ts_loop(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(body) = node.field("body") else { return };
        let helper_parameters: Vec<String> = enclosing_function(node).map(|f| parameter_names(model, f)).unwrap_or_default();
        let changing = ts_changing_identifiers(node, model);
        let retried = descendants(body).find(|n| {
            n.kind() == "await_expression"
                && !inside_nested_function(*n, body)
                && n.named_child(0).is_some_and(|call| {
                    call.kind() == "call_expression"
                        && ts_is_outbound(call, model, &helper_parameters)
                        && ts_identifiers(call, model).is_disjoint(&changing)
                })
                && ts_failure_continues(*n, body, model)
        });
        let Some(retried) = retried else { return };
        let delay = ts_delay(body, model);
        if delay == Some(false) {
            return;
        }
        let call = retried.named_child(0).expect("checked above");
        let callee = crate::rules::shorten(call.field("function").map(|f| model.text(f)).unwrap_or(""), 40);
        let how = if delay == Some(true) { "with a zero delay" } else { "with no delay" };
        let forever = if ts_unbounded(node, model) { ", forever" } else { "" };
        let keyword = node.child(0).map(span_of).unwrap_or_else(|| span_of(node));
        cx.report(keyword, format!("this loop retries `{callee}` {how} between attempts{forever}")).help = Some(TS_HELP.into());
    }

    /// Retry libraries told not to wait: `retryDelay: () => 0` (axios-retry), `minTimeout: 0`
    /// (p-retry, async-retry, retry).
    fn check_ts_retry_options(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = node.field("function") else { return };
        if !model.text(callee).to_ascii_lowercase().contains("retry") {
            return;
        }
        let Some(arguments) = node.field("arguments") else { return };
        for object in named_children(arguments).filter(|a| a.kind() == "object") {
            for pair in named_children(object).filter(|p| p.kind() == "pair") {
                let (Some(key), Some(value)) = (pair.field("key"), pair.field("value")) else { continue };
                let key = model.text(key).trim_matches(['"', '\'']);
                let zero = match (key, value.kind()) {
                    ("retryDelay" | "minTimeout" | "delay" | "calculateDelay", "number") => model.text(value) == "0",
                    ("retryDelay" | "delay" | "calculateDelay", "arrow_function") => {
                        value.field("body").is_some_and(|b| model.text(b).trim_matches(['(', ')', ' ']) == "0")
                    }
                    _ => false,
                };
                if zero {
                    cx.report(
                        span_of(pair),
                        format!("`{}` retries with `{}`: every attempt follows the failure at once", model.text(callee), model.text(pair)),
                    )
                    .help = Some(TS_HELP.into());
                }
            }
        }
    }
}

/// rxjs's retry operators, by qualified name.
const RXJS_RETRY: &[&str] = &["rxjs.retry", "rxjs/operators.retry"];
const RXJS_RETRY_WHEN: &[&str] = &["rxjs.retryWhen", "rxjs/operators.retryWhen"];
/// rxjs creation functions that wrap a request: `from(fetch(..))`, `defer(() => fetch(..))`.
const RXJS_WRAPPERS: &[&str] = &["rxjs.from", "rxjs.defer"];

/// The outbound request an Observable stands for: `this.http.get(..)` (Angular `HttpClient`,
/// NestJS `HttpService`), `from(fetch(..))`, `defer(() => axios.get(..))`, rxjs `ajax(..)`, an
/// Angular interceptor's `next.handle(request)`, also through earlier `.pipe(..)` stages.
fn rxjs_request<'t>(source: Node<'t>, model: &TsModel<'_>) -> Option<Node<'t>> {
    if source.kind() != "call_expression" {
        return None;
    }
    let callee = source.field("function")?;
    if callee.kind() == "member_expression" && callee.field("property").is_some_and(|p| model.text(p) == "pipe") {
        return rxjs_request(callee.field("object")?, model);
    }
    // An Angular `HttpInterceptor`'s `next.handle(request)` sends every request of the app
    // (NestJS interceptors call `next.handle()` without one, on the server's own handler).
    let in_interceptor = || enclosing_function(source).and_then(|f| f.field("name")).is_some_and(|n| model.text(n) == "intercept");
    if callee.kind() == "member_expression"
        && callee.field("property").is_some_and(|p| model.text(p) == "handle")
        && source.field("arguments").is_some_and(|a| a.named_child_count() == 1)
        && in_interceptor()
    {
        return Some(source);
    }
    let name = model.qualified_name(callee).unwrap_or_default();
    if RXJS_WRAPPERS.contains(&name.as_str()) {
        let argument = source.field("arguments").and_then(|a| a.named_child(0))?;
        return std::iter::once(argument)
            .chain(descendants(argument))
            .find(|n| n.kind() == "call_expression" && (ts_is_outbound(*n, model, &[]) || rxjs_request(*n, model).is_some()));
    }
    (name.starts_with("rxjs/ajax") || ts_is_outbound(source, model, &[])).then_some(source)
}

/// Whether the argument of `retry(..)` sets no delay: none (`retry()` resubscribes for ever), a
/// count (`retry(3)`, or a constant holding one), or a config object without `delay`.
fn rxjs_retry_has_no_delay(call: Node<'_>, model: &TsModel<'_>) -> bool {
    let Some(arguments) = call.field("arguments") else { return false };
    let Some(argument) = arguments.named_child(0) else { return true };
    let argument = match argument.kind() {
        "identifier" => match model.binding(argument).and_then(|b| b.value) {
            Some(value) => value,
            None => return false,
        },
        _ => argument,
    };
    match argument.kind() {
        "number" => true,
        // `delay: 0` is reported by the retry-options check.
        "object" => named_children(argument).all(|p| p.kind() == "pair" && p.field("key").is_some_and(|k| model.text(k) != "delay")),
        _ => false,
    }
}

/// Whether a `retryWhen` notifier (`errors => errors.pipe(..)`) waits before it resubscribes.
fn rxjs_notifier_waits(notifier: Node<'_>, model: &TsModel<'_>) -> bool {
    descendants(notifier).any(|n| {
        matches!(n.kind(), "identifier" | "property_identifier") && {
            let name = model.text(n);
            has_delay_word(name) || matches!(name, "timer" | "interval")
        }
    })
}

impl RetryWithoutBackoff {
    /// rxjs `retry(3)` or `retryWhen(errors => errors)` in the pipe of a request: every error
    /// resubscribes, which sends the request again at once.
    fn check_rxjs_retry(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = node.field("function").filter(|c| c.kind() == "identifier") else { return };
        let Some(name) = model.qualified_name(callee) else { return };
        let no_delay = if RXJS_RETRY.contains(&name.as_str()) {
            rxjs_retry_has_no_delay(node, model)
        } else if RXJS_RETRY_WHEN.contains(&name.as_str()) {
            node.field("arguments")
                .and_then(|a| a.named_child(0))
                .is_some_and(|notifier| is_function_like(notifier.kind()) && !rxjs_notifier_waits(notifier, model))
        } else {
            return;
        };
        if !no_delay {
            return;
        }
        // `source.pipe(.., retry(3))`
        let Some(pipe) = node.parent().filter(|a| a.kind() == "arguments").and_then(|a| a.parent()) else { return };
        let Some(source) = pipe
            .field("function")
            .filter(|f| f.kind() == "member_expression" && f.field("property").is_some_and(|p| model.text(p) == "pipe"))
            .and_then(|f| f.field("object"))
        else {
            return;
        };
        let Some(request) = rxjs_request(source, model) else { return };
        let request = crate::rules::shorten(request.field("function").map(|f| model.text(f)).unwrap_or(""), 40);
        let operator = crate::rules::shorten(model.text(node), 40);
        cx.report(span_of(node), format!("`{operator}` sends `{request}` again as soon as it fails, with no delay between attempts"))
            .help = Some(RXJS_HELP.into());
    }
}

const RXJS_HELP: &str =
    "give the retry a growing delay and a bound: `retry({ count: 3, delay: (error, attempt) => timer(2 ** attempt * 200) })`";

impl Rule for RetryWithoutBackoff {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["for_statement", "while_statement", "do_statement", "call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        if node.kind() == "call_expression" {
            self.check_ts_retry_options(node, model, cx);
            self.check_rxjs_retry(node, model, cx);
        } else {
            self.check_ts_loop(node, model, cx);
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Fn]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        let RustSyntax::Fn { block, .. } = node.syntax else { return };
        if node.site.in_test || cx.in_test {
            return;
        }
        let mut loops = RustLoops { model, found: Vec::new() };
        loops.visit_block(block);
        for (at, message) in loops.found {
            let (start, end) = (at.start(), at.end());
            let span = Span::new(cx.file.offset_of_line_char(start.line, start.column), cx.file.offset_of_line_char(end.line, end.column));
            cx.report(span, message).help = Some(RUST_HELP.into());
        }
    }
}

// ----- Rust -----

/// Finds the retry loops of one function body (nested functions get their own visit).
struct RustLoops<'m, 'a> {
    model: &'m RustModel<'a>,
    found: Vec<(proc_macro2::Span, String)>,
}

/// Awaited calls that leave the process: `.send().await` (reqwest, hyper), `reqwest::get`,
/// `connect(..)` on databases, brokers and sockets.
fn rust_outbound(expr: &syn::Expr, model: &RustModel<'_>) -> Option<String> {
    match expr {
        // reqwest's and hyper's `send()` takes nothing; a channel's or a socket's `send(msg)` is no request.
        syn::Expr::MethodCall(call) if call.method == "send" && call.args.is_empty() => Some(".send()".into()),
        syn::Expr::MethodCall(call) if call.method == "connect" || call.method == "connect_with" => Some(format!(".{}()", call.method)),
        syn::Expr::Call(call) => {
            let path = model.call_path(call)?;
            let name = path.rsplit("::").next().unwrap_or("");
            let outbound = path.starts_with("reqwest::") || matches!(name, "connect" | "connect_with" | "connect_lazy");
            outbound.then(|| crate::rules::short_path(&path))
        }
        _ => None,
    }
}

/// The awaited outbound calls of a loop body, and which of them end in `?` (a failure leaves).
#[derive(Default)]
struct AwaitedCalls<'ast> {
    awaited: Vec<&'ast syn::ExprAwait>,
    propagated: Vec<&'ast syn::ExprAwait>,
    /// Names the body assigns (`page += 1`, `url = next`): a call using one differs per iteration.
    assigned: HashSet<String>,
    /// The body leaves on success and goes round again on failure: `match call.await { Ok(r) =>
    /// break r, Err(_) => continue }`, `if let Ok(r) = call.await { return r }`, `if sent.is_ok() { break }`.
    retries_on_failure: bool,
}

/// Whether `node` contains a `break` or `return` (a `?` also leaves, on failure).
fn exits(node: &impl ToTokens) -> bool {
    rust_idents(node).iter().any(|i| i == "break" || i == "return")
}

impl<'ast> Visit<'ast> for AwaitedCalls<'ast> {
    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_expr(&mut self, expr: &'ast syn::Expr) {
        match expr {
            syn::Expr::Await(awaited) => self.awaited.push(awaited),
            syn::Expr::Try(tried) => {
                let mut current = &*tried.expr;
                loop {
                    match current {
                        syn::Expr::Await(awaited) => {
                            self.propagated.push(awaited);
                            current = &awaited.base;
                        }
                        syn::Expr::MethodCall(call) => current = &call.receiver,
                        syn::Expr::Paren(inner) => current = &inner.expr,
                        _ => break,
                    }
                }
            }
            syn::Expr::Assign(assign) => self.assigned.extend(rust_idents(&assign.left)),
            syn::Expr::Binary(binary) if matches!(binary.op, syn::BinOp::AddAssign(_) | syn::BinOp::SubAssign(_)) => {
                self.assigned.extend(rust_idents(&binary.left))
            }
            syn::Expr::Match(m) => {
                let arm_starts = |arm: &syn::Arm, variant: &str| tidy_tokens(&arm.pat.to_token_stream().to_string()).starts_with(variant);
                let ok_exits = m.arms.iter().any(|arm| arm_starts(arm, "Ok") && exits(&arm.body));
                let err_stays = m
                    .arms
                    .iter()
                    .any(|arm| arm_starts(arm, "Err") && !exits(&arm.body) && !arm.body.to_token_stream().to_string().contains('?'));
                self.retries_on_failure |= ok_exits && err_stays;
            }
            syn::Expr::If(branch) => {
                let condition = tidy_tokens(&branch.cond.to_token_stream().to_string());
                let on_success = condition.starts_with("let Ok(") || condition.ends_with("is_ok()") || condition.ends_with("is_success()");
                self.retries_on_failure |= on_success && exits(&branch.then_branch);
            }
            _ => {}
        }
        syn::visit::visit_expr(self, expr);
    }
}

fn rust_idents(node: &impl ToTokens) -> HashSet<String> {
    let mut idents = HashSet::new();
    let mut stack: Vec<proc_macro2::TokenTree> = node.to_token_stream().into_iter().collect();
    while let Some(token) = stack.pop() {
        match token {
            proc_macro2::TokenTree::Ident(ident) => {
                idents.insert(ident.to_string());
            }
            proc_macro2::TokenTree::Group(group) => stack.extend(group.stream()),
            _ => {}
        }
    }
    idents
}

/// Zero durations: `Duration::from_millis(0)`, `Duration::ZERO`, `from_secs(0)`.
fn is_zero_duration(text: &str) -> bool {
    text.ends_with("ZERO") || text.ends_with("(0)") || text == "0"
}

/// How a Rust loop body waits: `None` when it does not, `Some(true)` when only for zero time.
fn rust_delay(body: &syn::Block) -> Option<bool> {
    #[derive(Default)]
    struct Delays {
        waits: bool,
        only_zero: bool,
    }
    impl<'ast> Visit<'ast> for Delays {
        fn visit_expr(&mut self, expr: &'ast syn::Expr) {
            let (name, argument) = match expr {
                syn::Expr::Call(call) => (tidy_tokens(&call.func.to_token_stream().to_string()), call.args.first()),
                syn::Expr::MethodCall(call) => (call.method.to_string(), call.args.first()),
                _ => (String::new(), None),
            };
            if has_delay_word(&name) {
                let zero = argument.is_some_and(|a| is_zero_duration(&tidy_tokens(&a.to_token_stream().to_string())));
                self.only_zero = if self.waits { self.only_zero && zero } else { zero };
                self.waits = true;
            }
            syn::visit::visit_expr(self, expr);
        }
    }
    let mut delays = Delays::default();
    delays.visit_block(body);
    if !delays.waits {
        // A delay by another name (`interval.tick()`, a `backoff` value passed along).
        return rust_idents(body).iter().any(|i| has_delay_word(i)).then_some(false);
    }
    Some(delays.only_zero)
}

impl RustLoops<'_, '_> {
    fn check_loop(&mut self, keyword: proc_macro2::Span, body: &syn::Block, unbounded: bool) {
        let mut calls = AwaitedCalls::default();
        calls.visit_block(body);
        if !calls.retries_on_failure {
            return;
        }
        let retried = calls.awaited.iter().find_map(|awaited| {
            if calls.propagated.iter().any(|p| std::ptr::eq(*p, *awaited)) {
                return None;
            }
            let name = rust_outbound(&awaited.base, self.model)?;
            rust_idents(&awaited.base).is_disjoint(&calls.assigned).then_some(name)
        });
        let Some(retried) = retried else { return };
        let delay = rust_delay(body);
        if delay == Some(false) {
            return;
        }
        let how = if delay == Some(true) { "with a zero delay" } else { "with no delay" };
        let forever = if unbounded { ", forever" } else { "" };
        self.found.push((keyword, format!("this loop retries `{retried}` {how} between attempts{forever}")));
    }
}

impl<'ast> Visit<'ast> for RustLoops<'_, '_> {
    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_expr(&mut self, expr: &'ast syn::Expr) {
        match expr {
            syn::Expr::Loop(l) => self.check_loop(l.loop_token.span, &l.body, true),
            // `while let Some(msg) = rx.recv().await` consumes a stream; only `while let Err(..)` retries.
            syn::Expr::While(w) if !matches!(&*w.cond, syn::Expr::Let(l) if !tidy_tokens(&l.pat.to_token_stream().to_string()).starts_with("Err")) =>
            {
                let unbounded = matches!(&*w.cond, syn::Expr::Lit(lit) if matches!(&lit.lit, syn::Lit::Bool(b) if b.value));
                self.check_loop(w.while_token.span, &w.body, unbounded);
            }
            // `for _ in 0..5`: a counted retry; `for item in items` iterates and is not one.
            syn::Expr::ForLoop(f) if matches!(&*f.expr, syn::Expr::Range(_)) => {
                let counter = rust_idents(&f.pat);
                let mut calls = AwaitedCalls::default();
                calls.visit_block(&f.body);
                // `format!("..?page={page}")` names the counter inside the literal.
                let uses_counter = calls.awaited.iter().any(|a| {
                    let text = a.base.to_token_stream().to_string();
                    !rust_idents(&a.base).is_disjoint(&counter) || counter.iter().any(|c| text.contains(&format!("{{{c}")))
                });
                if !uses_counter {
                    self.check_loop(f.for_token.span, &f.body, false);
                }
            }
            syn::Expr::Call(call) => self.check_zero_backoff(call),
            _ => {}
        }
        syn::visit::visit_expr(self, expr);
    }
}

impl RustLoops<'_, '_> {
    /// tokio-retry/backoff strategies built with no wait: `FixedInterval::from_millis(0)`.
    fn check_zero_backoff(&mut self, call: &syn::ExprCall) {
        let Some(path) = self.model.call_path(call) else { return };
        let strategy = ["FixedInterval", "ExponentialBackoff", "FibonacciBackoff", "Constant"].iter().any(|s| path.contains(s));
        let Some(argument) = call.args.first() else { return };
        if strategy && is_zero_duration(&tidy_tokens(&argument.to_token_stream().to_string())) {
            let span = syn::spanned::Spanned::span(&call.func);
            self.found
                .push((span, format!("`{}` with a zero interval retries at once after every failure", crate::rules::short_path(&path))));
        }
    }
}
