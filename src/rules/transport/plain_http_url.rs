//! `plain-http-url`: an `http://` or `ws://` URL the code uses to reach a remote host.

use crate::diagnostic::{Applicability, Edit};
use crate::lang::rust::{LitParent, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::{
    model::{named_children, span_of},
    TsModel,
};
use crate::rules::helpers::{host_allowed, is_identifier_uri_host, is_identifier_uri_path, is_local_host, parse_url};
use crate::rules::{check_option_names, string_list_option, Context, Rule, RuleEntry, RuleOptions};
use crate::source::Span;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "plain-http-url", build };

struct PlainHttpUrl {
    allowed_hosts: Vec<String>,
}

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(PlainHttpUrl { allowed_hosts: string_list_option(options, ENTRY.id, "allowed-hosts")? }))
}

/// String methods whose literal argument is a pattern to match, not a destination.
const MATCHING_METHODS: &[&str] = &[
    "startsWith",
    "endsWith",
    "includes",
    "indexOf",
    "lastIndexOf",
    "replace",
    "replaceAll",
    "split",
    "match",
    "search",
    "test",
    "starts_with",
    "ends_with",
    "contains",
    "strip_prefix",
    "strip_suffix",
    "trim_start_matches",
    "trim_end_matches",
    "find",
    "rfind",
    "split_once",
    "matches",
    "eq",
    "ne",
    "has",
    // CORS origins are compared with the request's `Origin` header; nothing connects to them.
    "allowed_origin",
    "allow_origin",
];

/// Calls and macros whose strings are messages for people.
const MESSAGE_CALLS: &[&str] = &[
    "log",
    "info",
    "warn",
    "error",
    "debug",
    "trace",
    "fatal",
    "verbose",
    "println",
    "eprintln",
    "print",
    "eprint",
    "panic",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "unreachable",
    "todo",
    "unimplemented",
    "expect",
    "bail",
    "anyhow",
    "ensure",
    "context",
    "with_context",
    "write",
    "writeln",
    "tracing",
    "event",
    "span",
];

/// Object keys whose values are identifiers that merely look like URLs, or documentation
/// (`@ApiProperty({ example: "http://…" })`) that nothing connects to.
const IDENTIFIER_KEYS: &[&str] = &[
    "xmlns",
    "$schema",
    "$id",
    "@context",
    "namespace",
    "ns",
    "schema",
    "homepage",
    "license",
    "licenseUrl",
    "termsOfService",
    "example",
    "examples",
];

/// CORS options: their values (or array elements) are compared with the request's `Origin`
/// header, so they name the site that calls this service, not a host it connects to.
const ORIGIN_KEYS: &[&str] = &["origin", "origins", "allowedOrigins", "allowOrigin", "allowOrigins", "corsOrigins"];

impl PlainHttpUrl {
    /// The finding message for a URL string, or `None` when it is not a plain-HTTP remote URL.
    fn remote_plain_url(&self, text: &str) -> Option<String> {
        let url = parse_url(text)?;
        let scheme = url.scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "ws" {
            return None;
        }
        // A host built at run time (`http://${host}`, `http://{}`) is unknown.
        if url.host.contains(['$', '{', '}', '%', '<', '*']) {
            return None;
        }
        if is_local_host(url.host)
            || is_identifier_uri_host(url.host)
            || is_identifier_uri_path(url.rest)
            || host_allowed(url.host, &self.allowed_hosts)
        {
            return None;
        }
        let secure = if scheme == "ws" { "wss" } else { "https" };
        Some(format!("`{scheme}://` URL sends traffic to `{}` unencrypted; use `{secure}://`", url.host))
    }

    fn ts_context_is_use(&self, node: Node<'_>, model: &TsModel<'_>) -> bool {
        let Some(parent) = node.parent() else { return true };
        // `origin: ["http://a.io", "https://b.io"]`: an element of a list of origins.
        let in_origin_list = parent.kind() == "array"
            && parent
                .parent()
                .filter(|p| p.kind() == "pair")
                .and_then(|pair| pair_key(pair, model))
                .is_some_and(|k| ORIGIN_KEYS.contains(&k.as_str()));
        if in_origin_list {
            return false;
        }
        match parent.kind() {
            "pair" => {
                if parent.field("key") == Some(node) {
                    return false;
                }
                let key = pair_key(parent, model).unwrap_or_default();
                !IDENTIFIER_KEYS.contains(&key.as_str()) && !ORIGIN_KEYS.contains(&key.as_str())
            }
            "binary_expression" => {
                let operator = parent.field("operator").map(|o| model.text(o)).unwrap_or("");
                !matches!(operator, "===" | "!==" | "==" | "!=")
            }
            "switch_case" | "literal_type" | "import_statement" | "export_statement" | "jsx_attribute" | "jsx_expression" => false,
            "arguments" => {
                let Some(call) = parent.parent() else { return true };
                if call.kind() == "new_expression" {
                    // Error messages, and patterns to match (`new RegExp("http://…")`).
                    let constructor = call.field("constructor").map(|c| model.text(c)).unwrap_or("");
                    // `new URL(path, "http://dummy.com")`: a base to parse a path from elsewhere
                    // against; only a literal path makes it an address.
                    let first = named_children(parent).next();
                    if constructor == "URL" && first != Some(node) && first.is_some_and(|f| model.string_value(f).is_none()) {
                        return false;
                    }
                    return !constructor.ends_with("Error") && !constructor.ends_with("Exception") && constructor != "RegExp";
                }
                let Some(callee) = call.field("function") else { return true };
                let name = match callee.kind() {
                    "member_expression" => callee.field("property").map(|p| model.text(p)).unwrap_or(""),
                    _ => model.text(callee),
                };
                !MATCHING_METHODS.contains(&name) && !MESSAGE_CALLS.contains(&name)
            }
            "member_expression" => {
                // `"http://x".startsWith(...)`-style receivers.
                let method = parent.field("property").map(|p| model.text(p)).unwrap_or("");
                !MATCHING_METHODS.contains(&method)
            }
            "throw_statement" => false,
            _ => true,
        }
    }
}

impl Rule for PlainHttpUrl {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["string", "template_string"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        let text = match node.kind() {
            "string" => model.string_literal(node),
            // The literal part before the first `${`: enough to see a fixed host.
            _ => Some(template_prefix(model.text(node))),
        };
        let Some(message) = text.and_then(|t| self.remote_plain_url(&t)) else { return };
        if self.ts_context_is_use(node, model) && !in_catalogue(node) {
            let fix = secure_scheme_edit(cx.file, span_of(node));
            let finding = cx.report(span_of(node), message);
            finding.help = Some(HELP.into());
            if let Some((edit, secure)) = fix {
                finding.with_fix(format!("use `{secure}://`"), Applicability::Unsafe, vec![edit]);
            }
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Str]
    }

    fn check_rust(&self, node: &RustNode<'_>, _model: &RustModel, cx: &mut Context<'_>) {
        let RustSyntax::Str(lit) = node.syntax else { return };
        if cx.in_test {
            return;
        }
        let is_use = match &node.site.parent {
            LitParent::Comparison => false,
            LitParent::Method(method) => !MATCHING_METHODS.contains(&method.as_ref()) && !MESSAGE_CALLS.contains(&method.as_ref()),
            LitParent::Macro(name) => !MESSAGE_CALLS.contains(&name.as_ref()),
            LitParent::Call(path) => !path.rsplit("::").next().is_some_and(|f| MESSAGE_CALLS.contains(&f)),
            LitParent::Other => true,
        };
        if !is_use {
            return;
        }
        if let Some(message) = self.remote_plain_url(&lit.value()) {
            let span: Span = crate::lang::rust::span_of(cx.file, lit);
            let fix = secure_scheme_edit(cx.file, span);
            let finding = cx.report(span, message);
            finding.help = Some(HELP.into());
            if let Some((edit, secure)) = fix {
                finding.with_fix(format!("use `{secure}://`"), Applicability::Unsafe, vec![edit]);
            }
        }
    }
}

/// `http://` → `https://` (`ws://` → `wss://`) where the literal's text spells the scheme. Unsafe:
/// the host may not serve TLS, or serve it on another port.
fn secure_scheme_edit(file: &crate::source::SourceFile, literal: Span) -> Option<(Edit, &'static str)> {
    let text = file.slice(literal);
    let lower = text.to_ascii_lowercase();
    let (at, scheme, secure) = [("http://", "http", "https"), ("ws://", "ws", "wss")]
        .into_iter()
        .filter_map(|(prefix, scheme, secure)| lower.find(prefix).map(|at| (at, scheme, secure)))
        .min_by_key(|(at, _, _)| *at)?;
    let start = literal.start + at;
    Some((Edit::replace(file, Span::new(start, start + scheme.len()), secure), secure))
}

/// How many object records an array literal must hold, at least, to be a catalogue.
const CATALOGUE_RECORDS: usize = 10;

/// Whether a string lies in catalogue data: inside one of the records of an array literal of
/// many object records (a table of fonts with their file URLs, of crawlers with their
/// documentation pages). Its URLs describe things; the code does not connect to them, and one
/// such table would otherwise bury a report under thousands of findings.
fn in_catalogue(node: Node<'_>) -> bool {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if crate::lang::typescript::model::is_function_like(parent.kind()) {
            return false;
        }
        let is_record_of_array = parent.kind() == "array" && current.kind() == "object";
        // The first records are objects (comments between them are named children too).
        let records = || named_children(parent).filter(|element| element.kind() != "comment").take(CATALOGUE_RECORDS);
        if is_record_of_array
            && parent.named_child_count() >= CATALOGUE_RECORDS
            && records().filter(|record| record.kind() == "object").count() == CATALOGUE_RECORDS
        {
            return true;
        }
        current = parent;
    }
    false
}

fn pair_key(pair: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    let key = pair.field("key")?;
    Some(model.string_literal(key).unwrap_or_else(|| model.text(key).to_string()))
}

const HELP: &str = "use TLS for every connection that leaves the host, or list the host under `[rules.plain-http-url] allowed-hosts` if it is on a trusted network";

fn template_prefix(template: &str) -> String {
    let inner = template.strip_prefix('`').unwrap_or(template);
    let end = inner.find("${").or_else(|| inner.rfind('`')).unwrap_or(inner.len());
    let prefix = &inner[..end];
    // A substitution right after the scheme or inside the host makes the host unknown.
    if inner[end..].starts_with("${") && !prefix.split_once("://").is_some_and(|(_, rest)| rest.contains(['/', '?'])) {
        return format!("{prefix}$");
    }
    prefix.to_string()
}
