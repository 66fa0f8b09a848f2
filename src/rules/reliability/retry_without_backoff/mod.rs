//! `retry-without-backoff`: a failed outbound call retried at once, in a loop with no delay or a
//! zero one. When the peer is down or overloaded, every client retries immediately and together:
//! the retries multiply the load that made it fail (a retry storm), and a `while (true)` version
//! spins a CPU core for as long as the outage lasts.

use crate::lang::rust::{RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{descendants, enclosing_function, is_function_like, named_children, parameter_names, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::SinkKind;
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

/// Methods that make `client.get(..)` an HTTP request when the receiver is named like a client.
const TS_HTTP_METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "request", "fetch", "send"];
/// Receiver words that make `x.get(..)` an HTTP call rather than a map lookup.
const TS_CLIENT_WORDS: &[&str] = &["client", "api", "http", "axios", "got", "rest", "sdk", "fetch"];

fn has_delay_word(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    // Rust's `.await` is a token like any identifier, and no delay.
    lower != "await" && DELAY_WORDS.iter().any(|w| lower.contains(w))
}

mod rust;
mod typescript;

use rust::*;

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
