//! `http-client-without-timeout`: outbound HTTP calls that can wait forever. axios (timeout 0),
//! reqwest's async client ("Default is no timeout"), node-fetch and got all default to no limit,
//! so one slow peer ties up a request handler, a connection and eventually the whole service.
//! (Database pools and clients are `db-pool-without-timeout`'s.)
//!
//! `typescript.rs` reads TypeScript/JavaScript calls, `races.rs` the promises raced against a timer
//! (here and in other files), `rust.rs` Rust clients, builders and requests.

mod races;
mod rust;
mod typescript;

use crate::diagnostic::Fact;
use crate::lang::rust::{RustKind, RustModel, RustNode};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::rules::{check_option_names, millis_option, Context, Rule, RuleEntry, RuleOptions};
use races::{callable_from_other_files, raced_callee_of_another_file};
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
        self.check_rust_node(node, model, cx);
    }
}
