//! Rust: clients built with no timeout (per the models' builders and constructors), requests on
//! them, and functions that hand such a request out.

use super::HttpClientWithoutTimeout;
use crate::diagnostic::{Applicability, Edit, Fact, Level};
use crate::lang::rust::{method_chain, span_of as rust_span, FnId, LitParent, RustModel, RustNode, RustSyntax};
use crate::models::Client;
use crate::rules::helpers::{calls_before, duration};
use crate::rules::Context;
use crate::source::Span;
use syn::Expr;

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

impl HttpClientWithoutTimeout {
    pub(super) fn check_rust_node(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
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
                // The client's own replacement (reqwest's `Client::new()` becomes a builder with
                // a timeout), for a call with nothing to carry over.
                let fix = client.fix_call.as_ref().filter(|_| call.args.is_empty()).and_then(|template| {
                    let written = cx.file.slice(rust_span(cx.file, &call.func));
                    let path = &written[..written.rfind("::")? + 2];
                    let replacement = template.replace("{path}", path).replace("{duration}", &duration(self.fix_timeout_ms));
                    Some(Edit::replace(cx.file, rust_span(cx.file, call), replacement))
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
