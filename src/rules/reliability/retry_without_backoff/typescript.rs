//! TypeScript: retry loops and retry options without a growing delay.

use super::*;

/// The identifiers of `node`, by text.
pub(super) fn ts_identifiers<'t>(node: Node<'_>, model: &TsModel<'t>) -> HashSet<&'t str> {
    std::iter::once(node)
        .chain(descendants(node))
        .filter(|n| matches!(n.kind(), "identifier" | "shorthand_property_identifier"))
        .map(|n| model.text(n))
        .collect()
}

/// A call and the calls its callee is a method of, outermost first: `a().b().c()` → c, b, a.
fn receiver_calls(call: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    std::iter::successors(Some(call), |call| {
        let receiver = call.field("function").filter(|f| f.kind() == "member_expression")?.field("object")?;
        (receiver.kind() == "call_expression").then_some(receiver)
    })
}

pub(super) fn inside_nested_function(node: Node<'_>, stop: Node<'_>) -> bool {
    let mut current = node.parent();
    while let Some(p) = current.filter(|p| *p != stop) {
        if is_function_like(p.kind()) {
            return true;
        }
        current = p.parent();
    }
    false
}

/// Whether an awaited call goes out of the process: an HTTP request (a call the models say takes
/// a URL or is an HTTP client: `fetch`, `axios.get`, `got`, your own client), a `connect`, or the
/// operation a generic retry helper was handed (`async function withRetry(fn) { … await fn() }`).
pub(super) fn ts_is_outbound(call: Node<'_>, model: &TsModel<'_>, helper_parameters: &[String]) -> bool {
    let Some(callee) = call.field("function") else { return false };
    let text = model.text(callee);
    let method = text.rsplit('.').next().unwrap_or("");
    if !model.sinks(call, SinkKind::Url).is_empty() || !model.clients(call).is_empty() {
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
pub(super) fn ts_changing_identifiers<'t>(loop_node: Node<'_>, model: &TsModel<'t>) -> HashSet<&'t str> {
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
    // `const target = await resolve(currentUrl)` where the loop changes `currentUrl`: what is
    // computed from a changing value changes too (a redirect or pagination loop, no retry).
    let declarators: Vec<Node<'_>> = descendants(loop_node).filter(|n| n.kind() == "variable_declarator").collect();
    loop {
        let before = changing.len();
        for declarator in &declarators {
            let (Some(name), Some(value)) = (declarator.field("name"), declarator.field("value")) else { continue };
            if !ts_identifiers(value, model).is_disjoint(&changing) {
                changing.extend(ts_identifiers(name, model));
            }
        }
        if changing.len() == before {
            break;
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
pub(super) fn catch_always_exits(catch: Node<'_>) -> bool {
    let Some(body) = catch.field("body") else { return false };
    named_children(body)
        .filter(|s| s.kind() != "comment")
        .last()
        .is_some_and(|last| matches!(last.kind(), "throw_statement" | "return_statement" | "break_statement"))
}

/// Errors of optimistic concurrency: the next attempt reads fresh data and usually succeeds at
/// once, so retrying immediately is the convention.
pub(super) const CONFLICT_WORDS: &[&str] =
    &["Unique", "Constraint", "Conflict", "Deadlock", "Serializ", "OptimisticLock", "VersionMismatch"];

/// The call's failure keeps the loop going: it sits in a `try` whose `catch` does not always
/// leave (nor retries only write conflicts), or its result is tested (`if (res.ok) return res`)
/// with an exit on success.
pub(super) fn ts_failure_continues(await_node: Node<'_>, loop_body: Node<'_>, model: &TsModel<'_>) -> bool {
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
pub(super) fn ts_delay(loop_body: Node<'_>, model: &TsModel<'_>) -> Option<bool> {
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
pub(super) fn ts_unbounded(loop_node: Node<'_>, model: &TsModel<'_>) -> bool {
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
    pub(super) fn check_ts_loop(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(body) = node.field("body") else { return };
        let helper_parameters: Vec<String> = enclosing_function(node).map(|f| parameter_names(model, f)).unwrap_or_default();
        let changing = ts_changing_identifiers(node, model);
        // The request an awaited expression makes: the awaited call itself or one its chain starts
        // from (`await fetch(url).then(..)`, `await ky.post(url).json()`, `await request.put(url).send(b)`).
        let retried = descendants(body).find_map(|n| {
            if n.kind() != "await_expression" || inside_nested_function(n, body) || !ts_failure_continues(n, body, model) {
                return None;
            }
            let awaited = n.named_child(0).filter(|c| c.kind() == "call_expression")?;
            receiver_calls(awaited)
                .find(|call| ts_is_outbound(*call, model, &helper_parameters) && ts_identifiers(*call, model).is_disjoint(&changing))
        });
        let Some(call) = retried else { return };
        let delay = ts_delay(body, model);
        if delay == Some(false) {
            return;
        }
        let callee = crate::rules::shorten(call.field("function").map(|f| model.text(f)).unwrap_or(""), 40);
        let how = if delay == Some(true) { "with a zero delay" } else { "with no delay" };
        let forever = if ts_unbounded(node, model) { ", forever" } else { "" };
        let keyword = node.child(0).map(span_of).unwrap_or_else(|| span_of(node));
        cx.report(keyword, format!("this loop retries `{callee}` {how} between attempts{forever}")).help = Some(TS_HELP.into());
    }

    /// Retry libraries told not to wait: `retryDelay: () => 0` (axios-retry), `minTimeout: 0`
    /// (p-retry, async-retry, retry).
    pub(super) fn check_ts_retry_options(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
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
pub(super) const RXJS_RETRY: &[&str] = &["rxjs.retry", "rxjs/operators.retry"];
pub(super) const RXJS_RETRY_WHEN: &[&str] = &["rxjs.retryWhen", "rxjs/operators.retryWhen"];
/// rxjs creation functions that wrap a request: `from(fetch(..))`, `defer(() => fetch(..))`.
pub(super) const RXJS_WRAPPERS: &[&str] = &["rxjs.from", "rxjs.defer"];

/// The outbound request an Observable stands for: `this.http.get(..)` (Angular `HttpClient`,
/// NestJS `HttpService`), `from(fetch(..))`, `defer(() => axios.get(..))`, rxjs `ajax(..)`, an
/// Angular interceptor's `next.handle(request)`, also through earlier `.pipe(..)` stages.
pub(super) fn rxjs_request<'t>(source: Node<'t>, model: &TsModel<'_>) -> Option<Node<'t>> {
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
pub(super) fn rxjs_retry_has_no_delay(call: Node<'_>, model: &TsModel<'_>) -> bool {
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
pub(super) fn rxjs_notifier_waits(notifier: Node<'_>, model: &TsModel<'_>) -> bool {
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
    pub(super) fn check_rxjs_retry(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
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

pub(super) const RXJS_HELP: &str =
    "give the retry a growing delay and a bound: `retry({ count: 3, delay: (error, attempt) => timer(2 ** attempt * 200) })`";
