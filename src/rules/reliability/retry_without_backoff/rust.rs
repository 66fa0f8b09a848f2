//! Rust: retry loops without a growing delay.

use super::*;

/// Finds the retry loops of one function body (nested functions get their own visit).
pub(super) struct RustLoops<'m, 'a> {
    pub(super) model: &'m RustModel<'a>,
    pub(super) found: Vec<(proc_macro2::Span, String)>,
}

/// Awaited calls that leave the process: `.send().await` (reqwest, hyper), `reqwest::get`,
/// `connect(..)` on databases, brokers and sockets.
pub(super) fn rust_outbound(expr: &syn::Expr, model: &RustModel<'_>) -> Option<String> {
    match expr {
        // reqwest's and hyper's `send()` takes nothing; a channel's or a socket's `send(msg)` is no request.
        syn::Expr::MethodCall(call) if call.method == "send" && call.args.is_empty() => Some(".send()".into()),
        syn::Expr::MethodCall(call) if call.method == "connect" || call.method == "connect_with" => Some(format!(".{}()", call.method)),
        syn::Expr::Call(call) => {
            let path = model.call_path(call)?;
            let name = path.rsplit("::").next().unwrap_or("");
            // A call the models say takes a URL (`reqwest::get`, your own client), or a `connect`.
            let requests = !model.sinks(&model.call_parts(call), SinkKind::Url).is_empty();
            let outbound = requests || matches!(name, "connect" | "connect_with" | "connect_lazy");
            outbound.then(|| crate::rules::short_path(&path))
        }
        _ => None,
    }
}

/// The awaited outbound calls of a loop body, and which of them end in `?` (a failure leaves).
#[derive(Default)]
pub(super) struct AwaitedCalls<'ast> {
    awaited: Vec<&'ast syn::ExprAwait>,
    propagated: Vec<&'ast syn::ExprAwait>,
    /// Names the body assigns (`page += 1`, `url = next`): a call using one differs per iteration.
    assigned: HashSet<String>,
    /// The body leaves on success and goes round again on failure: `match call.await { Ok(r) =>
    /// break r, Err(_) => continue }`, `if let Ok(r) = call.await { return r }`, `if sent.is_ok() { break }`.
    retries_on_failure: bool,
}

/// Whether `node` contains a `break` or `return` (a `?` also leaves, on failure).
pub(super) fn exits(node: &impl ToTokens) -> bool {
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

pub(super) fn rust_idents(node: &impl ToTokens) -> HashSet<String> {
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
pub(super) fn is_zero_duration(text: &str) -> bool {
    text.ends_with("ZERO") || text.ends_with("(0)") || text == "0"
}

/// How a Rust loop body waits: `None` when it does not, `Some(true)` when only for zero time.
pub(super) fn rust_delay(body: &syn::Block) -> Option<bool> {
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
    pub(super) fn check_loop(&mut self, keyword: proc_macro2::Span, body: &syn::Block, unbounded: bool) {
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
    pub(super) fn check_zero_backoff(&mut self, call: &syn::ExprCall) {
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
