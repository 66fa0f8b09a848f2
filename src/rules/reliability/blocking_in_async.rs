//! `blocking-in-async`: synchronous I/O, sleeps and sync process or crypto calls on the async
//! executor. One blocked worker thread stalls every request scheduled on it: in Node the whole
//! process, in tokio one of a handful of workers.

use crate::lang::rust::model::path_names;
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{is_function_like, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "blocking-in-async", build };

struct BlockingInAsync;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(BlockingInAsync))
}

/// Node modules whose `*Sync` functions block the event loop.
const NODE_SYNC_MODULES: &[&str] = &["fs", "fs-extra", "child_process", "crypto", "zlib", "bcrypt", "bcryptjs"];

/// Rust calls that block the thread, by path suffix, with the non-blocking alternative.
const RUST_BLOCKING_CALLS: &[(&str, &str)] = &[
    ("std::thread::sleep", "`tokio::time::sleep(..).await`"),
    ("thread::sleep", "`tokio::time::sleep(..).await`"),
    ("std::fs::read", "`tokio::fs::read`"),
    ("std::fs::read_to_string", "`tokio::fs::read_to_string`"),
    ("std::fs::write", "`tokio::fs::write`"),
    ("std::fs::remove_file", "`tokio::fs::remove_file`"),
    ("std::fs::create_dir_all", "`tokio::fs::create_dir_all`"),
    ("std::fs::read_dir", "`tokio::fs::read_dir`"),
    ("std::fs::copy", "`tokio::fs::copy`"),
    ("std::fs::rename", "`tokio::fs::rename`"),
    ("std::fs::metadata", "`tokio::fs::metadata`"),
    ("std::fs::File::open", "`tokio::fs::File::open`"),
    ("std::fs::File::create", "`tokio::fs::File::create`"),
    ("std::net::TcpStream::connect", "`tokio::net::TcpStream::connect`"),
    ("reqwest::blocking::get", "the async `reqwest::Client`"),
    ("reqwest::blocking::Client::new", "the async `reqwest::Client`"),
    ("reqwest::blocking::Client::builder", "the async `reqwest::Client`"),
    ("ureq::get", "an async client such as `reqwest`"),
    ("ureq::post", "an async client such as `reqwest`"),
    ("futures::executor::block_on", "`.await`"),
    ("Handle::block_on", "`.await`"),
    ("postgres::Client::connect", "`tokio_postgres`"),
    ("diesel::PgConnection::establish", "`diesel-async` or `spawn_blocking`"),
];

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
        let Some(name) = model.qualified_name(callee) else { return };
        let Some((module, function)) = name.rsplit_once('.') else { return };
        let module = module.trim_start_matches("node:").trim_end_matches("/promises");
        if !function.ends_with("Sync") || !NODE_SYNC_MODULES.contains(&module) {
            return;
        }
        let Some(context) = Self::async_context(node, model) else { return };
        let alternative = function.trim_end_matches("Sync");
        cx.report(span_of(callee), format!("`{}` blocks the event loop in {context}; every other request waits", model.text(callee)))
            .help = Some(format!("use the asynchronous `{alternative}` (promise or callback form), or move the work to a worker thread"));
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        let RustSyntax::Call(call) = node.syntax else { return };
        let site = &node.site;
        // Start-up code (`async fn main`) runs before the service takes requests.
        if !site.in_async || site.in_blocking_pool || site.in_test || cx.in_test || site.fn_name.as_deref() == Some("main") {
            return;
        }
        let Some(path) = model.call_path(call) else { return };
        let Some((blocking, alternative)) = RUST_BLOCKING_CALLS.iter().find(|(suffix, _)| path_names(&path, suffix)) else {
            return;
        };
        // `fs::read` through `use std::fs` resolves to `std::fs::read`; `tokio::fs::read` never matches.
        if path.starts_with("tokio::") || path.starts_with("async_std::") {
            return;
        }
        let short = crate::rules::short_path(blocking);
        cx.report(rust_span(cx.file, &call.func), format!("`{short}` blocks a runtime worker thread inside async code")).help =
            Some(format!("use {alternative}, or run the blocking work in `tokio::task::spawn_blocking`"));
    }
}
