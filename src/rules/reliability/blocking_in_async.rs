//! `blocking-in-async`: synchronous I/O, sleeps and sync process or crypto calls on the async
//! executor. One blocked worker thread stalls every request scheduled on it: in Node the whole
//! process, in tokio one of a handful of workers.

use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{is_function_like, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use crate::text::short_path;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "blocking-in-async", build };

struct BlockingInAsync;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(BlockingInAsync))
}

impl BlockingInAsync {
    /// The innermost function around `node`, when it is `async` or a request handler.
    fn async_context<'t>(node: Node<'t>, model: &TsModel<'_>) -> Option<&'static str> {
        let mut current = node.parent();
        while let Some(n) = current {
            if is_function_like(n.kind()) {
                if model.handler_at(n.start_byte()).is_some_and(|h| h.span == span_of(n)) {
                    return Some("a request handler");
                }
                let is_async = (0..n.child_count()).filter_map(|i| n.child(i)).any(|c| c.kind() == "async");
                return is_async.then_some("an async function");
            }
            current = n.parent();
        }
        None
    }
}

impl Rule for BlockingInAsync {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn service_only(&self) -> bool {
        true
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        // Scripts and start-up code may block; request paths may not. Only files that serve
        // requests (they register routes or controllers) are checked.
        if cx.in_test || model.handlers().is_empty() {
            return;
        }
        let Some(callee) = node.field("function") else { return };
        // The models name the calls that block (`models/node-fs.toml`, a `[[blocking]]` entry).
        // (CPU-heavy calls are `cpu-heavy-work-in-async`'s.)
        let Some(blocking) = model.blocking(node).filter(|b| !b.cpu) else { return };
        let Some(context) = Self::async_context(node, model) else { return };
        let called = model.text(callee);
        // Named by the entry, not as written: `readConfig` may be `readFileSync` imported under another name.
        let entry_name = blocking.callee.written.rsplit('.').next().unwrap_or_default();
        let instead = match (&blocking.instead, entry_name.strip_suffix("Sync")) {
            (Some(instead), _) => format!("use {instead}, or move the work to a worker thread"),
            (None, Some(asynchronous)) if !asynchronous.is_empty() => {
                format!("use the asynchronous `{asynchronous}` (promise or callback form), or move the work to a worker thread")
            }
            (None, _) => "move the work to a worker thread or a queue".to_string(),
        };
        cx.report(span_of(callee), format!("`{called}` blocks the event loop in {context}; every other request waits")).help =
            Some(instead);
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        let site = &node.site;
        // Start-up code (`async fn main`) runs before the service takes requests.
        if !site.in_async || site.in_blocking_pool || site.in_test || cx.in_test || site.fn_name.as_deref() == Some("main") {
            return;
        }
        let parts = match node.syntax {
            RustSyntax::Call(call) => model.call_parts(call),
            RustSyntax::MethodCall(call) => model.method_call_parts(call, site.fn_id),
            _ => return,
        };
        // The models name the calls that block (`models/std.toml`, a `[[blocking]]` entry).
        // (CPU-heavy calls are `cpu-heavy-work-in-async`'s.)
        let Some(blocking) = model.blocking(&parts).filter(|b| !b.cpu) else { return };
        // Spans only for the few calls that are blocking ones: this runs for every call.
        let (callee_span, whole) = match node.syntax {
            RustSyntax::Call(call) => (rust_span(cx.file, &call.func), rust_span(cx.file, call)),
            RustSyntax::MethodCall(call) => (rust_span(cx.file, &call.method), rust_span(cx.file, call)),
            _ => return,
        };
        // A call whose result is awaited is asynchronous, whatever its name (`temp_file.open().await`
        // is no `File::open`).
        if is_awaited(&cx.file.text[whole.end..]) {
            return;
        }
        let short = short_path(&blocking.callee.written);
        let instead = blocking.instead.as_ref().map(|i| format!("use {i}, or ")).unwrap_or_default();
        cx.report(callee_span, format!("`{short}` blocks a runtime worker thread inside async code")).help =
            Some(format!("{instead}run the blocking work in `tokio::task::spawn_blocking`"));
    }
}

/// Whether the text after a call starts with `.await` (across lines, comments and `?`s).
fn is_awaited(mut after: &str) -> bool {
    loop {
        after = after.trim_start_matches(|c: char| c.is_whitespace() || c == '?');
        match after.strip_prefix("//") {
            Some(comment) => after = comment.split_once('\n').map_or("", |(_, rest)| rest),
            None => return after.starts_with(".await"),
        }
    }
}
