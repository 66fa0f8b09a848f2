//! The rule registry and the interface every check implements.
//!
//! A rule is three places: `rules/<id>.toml` (metadata and docs), one check file under
//! `src/rules/<category>/`, and `tests/fixtures/<id>/`. A check declares the node kinds it wants;
//! the front-end walks each file once and hands it those nodes with the file's semantic model.

pub mod docs;
pub mod meta;

mod auth;
mod crypto;
mod helpers;
mod injection;
mod reliability;
mod secrets;
mod timeouts;
mod transport;
mod web;

use crate::diagnostic::{Fact, Finding, Level};
use crate::lang::rust::{RustKind, RustModel, RustNode};
use crate::lang::typescript::TsModel;
use crate::source::{SourceFile, Span};
use std::cell::RefCell;
use std::collections::HashSet;

pub use crate::text::{short_path, shorten, tidy_tokens};
pub use meta::{RuleMeta, Tier};

/// Per-rule options from `[rules.<id>]` in `archlint.toml`.
pub type RuleOptions = toml::Table;

pub trait Rule: Send + Sync {
    fn id(&self) -> &'static str;

    /// Whether the rule is about how a service behaves in production (timeouts, blocking the
    /// executor, queries in loops), and so has nothing to say about tooling: scripts, migrations,
    /// build files, examples, command-line programs (`crate::roles`).
    fn service_only(&self) -> bool {
        false
    }

    /// tree-sitter node kinds (TypeScript/TSX grammar names) this rule wants to see.
    fn ts_kinds(&self) -> &'static [&'static str] {
        &[]
    }
    fn check_ts(&self, _node: tree_sitter::Node<'_>, _model: &TsModel<'_>, _cx: &mut Context<'_>) {}

    /// Rust syntax kinds this rule wants to see.
    fn rust_kinds(&self) -> &'static [RustKind] {
        &[]
    }
    fn check_rust(&self, _node: &RustNode<'_>, _model: &RustModel, _cx: &mut Context<'_>) {}
}

/// How to build a rule from its options; one entry per check in [`REGISTRY`].
pub struct RuleEntry {
    pub id: &'static str,
    pub build: fn(&RuleOptions) -> Result<Box<dyn Rule>, String>,
}

/// Every check archlint has. Each must have `rules/<id>.toml`; a test enforces it.
pub const REGISTRY: &[RuleEntry] = &[
    transport::plain_http_url::ENTRY,
    transport::tls_verification_disabled::ENTRY,
    transport::database_without_tls::ENTRY,
    secrets::hardcoded_secret::ENTRY,
    timeouts::http_client_without_timeout::ENTRY,
    injection::sql_injection::ENTRY,
    injection::dynamic_code::ENTRY,
    injection::dynamic_sql::ENTRY,
    injection::command_injection::ENTRY,
    injection::path_traversal::ENTRY,
    injection::ssrf::ENTRY,
    injection::open_redirect::ENTRY,
    injection::code_injection::ENTRY,
    injection::nosql_injection::ENTRY,
    injection::mass_assignment::ENTRY,
    injection::missing_input_validation::ENTRY,
    injection::unvalidated_request_input::ENTRY,
    reliability::panic_in_handler::ENTRY,
    reliability::blocking_in_async::ENTRY,
    reliability::error_details_in_response::ENTRY,
    reliability::unbounded_request_body::ENTRY,
    reliability::cpu_heavy_work_in_async::ENTRY,
    reliability::auth_route_without_rate_limit::ENTRY,
    reliability::query_in_loop::ENTRY,
    reliability::unbounded_query::ENTRY,
    reliability::server_without_timeout::ENTRY,
    reliability::db_pool_without_timeout::ENTRY,
    reliability::unhandled_async_handler::ENTRY,
    reliability::swallowed_error::ENTRY,
    reliability::retry_without_backoff::ENTRY,
    reliability::client_created_per_request::ENTRY,
    reliability::cache_without_expiry::ENTRY,
    reliability::server_without_graceful_shutdown::ENTRY,
    reliability::service_without_health_check::ENTRY,
    crypto::weak_password_hash::ENTRY,
    crypto::weak_kdf_parameters::ENTRY,
    crypto::insecure_randomness::ENTRY,
    web::permissive_cors::ENTRY,
    web::missing_security_headers::ENTRY,
    web::graphql_without_query_limits::ENTRY,
    web::graphql_introspection_enabled::ENTRY,
    auth::jwt_verification_disabled::ENTRY,
    auth::jwt_without_expiry::ENTRY,
    auth::insecure_cookie::ENTRY,
    auth::timing_unsafe_comparison::ENTRY,
    auth::plaintext_password::ENTRY,
    secrets::secret_in_logs::ENTRY,
    auth::route_before_auth_middleware::ENTRY,
    auth::inconsistent_route_auth::ENTRY,
];

pub fn entry(id: &str) -> Option<&'static RuleEntry> {
    REGISTRY.iter().find(|entry| entry.id == id)
}

/// The rules whose finding at a sink gives way to one of `rule` at the same sink: the audit
/// rule that reports any non-constant SQL, once request data is known to reach it.
pub fn refined_by(rule: &str) -> &'static [&'static str] {
    match rule {
        "sql-injection" => &["dynamic-sql"],
        "code-injection" => &["dynamic-code"],
        _ => &[],
    }
}

/// What a check sees of the file being checked and where its findings go.
pub struct Context<'a> {
    pub file: &'a SourceFile,
    /// The level configured for the running rule.
    pub level: Level,
    /// Whether the node being checked is test code (a test path, `#[cfg(test)]`, `#[test]`).
    pub in_test: bool,
    pub(crate) rule: &'static str,
    pub(crate) findings: &'a mut Vec<Finding>,
    pub(crate) facts: &'a mut Vec<Fact>,
    pub(crate) summary: &'a mut crate::flows::Summary,
    pub(crate) reported: &'a RefCell<ReportedIndex>,
}

/// The rule and span of each of a file's findings so far, brought up to date when asked: keeps
/// [`Context::reported_at`] constant-time on files with a hundred thousand findings (minified
/// bundles), where scanning the findings every time took minutes.
#[derive(Default)]
pub(crate) struct ReportedIndex {
    indexed: usize,
    spans: HashSet<(&'static str, Span)>,
}

impl<'a> Context<'a> {
    /// Report a finding at the rule's configured level.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> &mut Finding {
        let finding = Finding::new(self.rule, self.level, self.file, span, message);
        self.findings.push(finding);
        self.findings.last_mut().unwrap()
    }

    /// Report at most at `level` (a rule may know a case is less severe than its default).
    pub fn report_capped(&mut self, level: Level, span: Span, message: impl Into<String>) -> &mut Finding {
        let level = level.min(self.level);
        let finding = Finding::new(self.rule, level, self.file, span, message);
        self.findings.push(finding);
        self.findings.last_mut().unwrap()
    }

    /// The finding reported last, for a check that reported through a shared helper and has a
    /// fix to attach.
    pub fn last_finding(&mut self) -> Option<&mut Finding> {
        self.findings.last_mut().filter(|finding| finding.rule == self.rule)
    }

    /// Whether this rule already reported exactly this span in this file: a rule that reaches the
    /// same conclusion by two routes keeps the first, more specific, message.
    pub fn reported_at(&self, span: Span) -> bool {
        let mut index = self.reported.borrow_mut();
        for finding in self.findings.get(index.indexed..).unwrap_or_default() {
            index.spans.insert((finding.rule, finding.span));
        }
        index.indexed = self.findings.len();
        index.spans.contains(&(self.rule, span))
    }

    /// How many findings the file has so far, for [`Context::findings_since`].
    pub fn finding_count(&self) -> usize {
        self.findings.len()
    }

    /// The findings reported since there were `count`: a check that reports through several
    /// paths qualifies them all at once.
    pub fn findings_since(&mut self, count: usize) -> impl Iterator<Item = &mut Finding> {
        self.findings.iter_mut().skip(count)
    }

    /// Record a project-level fact for the project pass.
    pub fn fact(&mut self, fact: Fact) {
        self.facts.push(fact);
    }
}

/// Reads a list-of-strings option, rejecting anything else with a message that names it.
pub fn string_list_option(options: &RuleOptions, rule: &str, name: &str) -> Result<Vec<String>, String> {
    match options.get(name) {
        None => Ok(Vec::new()),
        Some(toml::Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned).ok_or_else(|| format!("rules.{rule}.{name} must be a list of strings")))
            .collect(),
        Some(_) => Err(format!("rules.{rule}.{name} must be a list of strings")),
    }
}

/// Reads a positive-milliseconds option (`fix-timeout-ms`), `default` when it is not set.
pub fn millis_option(options: &RuleOptions, rule: &str, name: &str, default: u64) -> Result<u64, String> {
    match options.get(name) {
        None => Ok(default),
        Some(toml::Value::Integer(ms)) if *ms > 0 => Ok(*ms as u64),
        Some(_) => Err(format!("rules.{rule}.{name} must be a positive number of milliseconds")),
    }
}

/// Rejects option keys the rule's metadata does not declare.
pub fn check_option_names(options: &RuleOptions, rule: &str) -> Result<(), String> {
    let declared: Vec<&str> = meta::get(rule).map(|m| m.options.iter().map(|o| o.name.as_str()).collect()).unwrap_or_default();
    for key in options.keys() {
        if !declared.contains(&key.as_str()) {
            let expected = if declared.is_empty() {
                "this rule has no options".to_string()
            } else {
                format!("expected one of: {}", declared.join(", "))
            };
            return Err(format!("unknown option `rules.{rule}.{key}` ({expected})"));
        }
    }
    Ok(())
}
