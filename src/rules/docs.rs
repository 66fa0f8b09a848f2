//! Documentation rendered from rule metadata: the `docs/rules/<id>.md` pages, SARIF
//! `help.markdown`, and `archlint explain` in the terminal.

use super::meta::{self, RuleMeta, Tier};
use std::fmt::Write;

fn language_name(language: &str) -> &'static str {
    match language {
        "rust" => "Rust",
        _ => "TypeScript / JavaScript",
    }
}

fn code_fence(language: &str) -> &'static str {
    match language {
        "rust" => "rust",
        _ => "ts",
    }
}

/// The page `docs/rules/<id>.md` (generated; a test keeps the committed file in sync).
pub fn markdown_page(meta: &RuleMeta) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "<!-- Generated from rules/{}.toml by `archlint explain --markdown`; edit that file instead. -->\n", meta.id);
    let _ = writeln!(out, "# `{}`: {}\n", meta.id, meta.title);
    let _ = writeln!(out, "{}\n", meta.summary);
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| Category | {} |", meta.category);
    let _ = writeln!(out, "| Tier | {} ({}) |", meta.tier.as_str(), if meta.tier.on_by_default() { "on by default" } else { "opt-in" });
    let _ = writeln!(out, "| Default level | {} |", meta.level.as_str());
    let _ = writeln!(out, "| Precision | {} |", meta.precision);
    let _ = writeln!(out, "| Security severity | {:.1} |", meta.security_severity);
    let cwes: Vec<String> = meta.cwe.iter().map(|c| format!("[CWE-{c}](https://cwe.mitre.org/data/definitions/{c}.html)")).collect();
    let _ = writeln!(out, "| CWE | {} |", cwes.join(", "));
    let languages: Vec<&str> = meta.languages.iter().map(|l| language_name(l)).collect();
    let _ = writeln!(out, "| Languages | {} |\n", languages.join(", "));
    out.push_str(&body_markdown(meta));
    out
}

/// What SARIF viewers and GitHub's alert page show as the rule's help.
pub fn help_markdown(meta: &RuleMeta) -> String {
    let mut out = body_markdown(meta);
    let _ = writeln!(out, "\n[Full documentation]({})", meta.docs_url());
    out
}

fn body_markdown(meta: &RuleMeta) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## What it flags\n\n{}\n", meta.description.trim());
    let _ = writeln!(out, "## What it does not flag\n\n{}\n", meta.not_flagged.trim());
    for example in &meta.examples {
        let fence = code_fence(&example.language);
        let _ = writeln!(out, "## Example ({})\n", language_name(&example.language));
        let _ = writeln!(out, "Flagged:\n\n```{fence}\n{}\n```\n", example.bad.trim_end());
        let _ = writeln!(out, "Fixed:\n\n```{fence}\n{}\n```\n", example.good.trim_end());
    }
    let _ = writeln!(out, "## How to fix\n\n{}\n", meta.fix.trim());
    if !meta.options.is_empty() {
        let _ = writeln!(out, "## Options\n\nSet under `[rules.{}]` in `archlint.toml`.\n", meta.id);
        let _ = writeln!(out, "| Option | Type | Default | Description |\n|---|---|---|---|");
        for option in &meta.options {
            let _ = writeln!(
                out,
                "| `{}` | {} | `{}` | {} |",
                option.name,
                option.kind,
                option.default,
                option.description.trim().replace('\n', " ")
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "## Suppressing\n\n```\n// archlint-ignore-next-line {} -- reason\n```\n", meta.id);
    if !meta.references.is_empty() {
        let _ = writeln!(out, "## References\n");
        for reference in &meta.references {
            let _ = writeln!(out, "- <{reference}>");
        }
    }
    out
}

/// `archlint explain RULE` in the terminal: the same content without Markdown tables.
pub fn explain(meta: &RuleMeta) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}\n", meta.id, meta.title);
    let _ = writeln!(out, "{}\n", meta.summary);
    let cwes: Vec<String> = meta.cwe.iter().map(|c| format!("CWE-{c}")).collect();
    let _ = writeln!(
        out,
        "tier: {}   level: {}   precision: {}   security-severity: {:.1}   {}\n",
        meta.tier.as_str(),
        meta.level.as_str(),
        meta.precision,
        meta.security_severity,
        cwes.join(", ")
    );
    out.push_str(&body_markdown(meta));
    let _ = writeln!(out, "\nDocs: {}", meta.docs_url());
    out
}

/// `archlint rules`: one line per rule.
pub fn catalogue(enabled: &dyn Fn(&str) -> bool) -> String {
    let mut out = String::new();
    let width = meta::all().iter().map(|m| m.id.len()).max().unwrap_or(0);
    let _ = writeln!(out, "{:<width$}  {:<9}  {:<7}  {:<10}  SUMMARY", "RULE", "TIER", "LEVEL", "LANGUAGES");
    for meta in meta::all() {
        let languages: Vec<&str> = meta.languages.iter().map(|l| if l == "rust" { "rs" } else { "ts/js" }).collect();
        let marker = if enabled(&meta.id) { "" } else { " (off)" };
        let _ = writeln!(
            out,
            "{:<width$}  {:<9}  {:<7}  {:<10}  {}{marker}",
            meta.id,
            meta.tier.as_str(),
            meta.level.as_str(),
            languages.join(","),
            meta.summary
        );
    }
    out
}

/// `archlint rules --format json`: every rule's metadata for tools, with whether the
/// configuration in force runs it.
pub fn catalogue_json(enabled: &dyn Fn(&str) -> bool) -> String {
    let rules: Vec<serde_json::Value> = meta::all()
        .iter()
        .map(|meta| {
            serde_json::json!({
                "id": meta.id,
                "title": meta.title,
                "summary": meta.summary,
                "category": meta.category,
                "languages": meta.languages,
                "tier": meta.tier.as_str(),
                "level": meta.level.as_str(),
                "enabled": enabled(&meta.id),
                "precision": meta.precision,
                "cwe": meta.cwe,
                "security_severity": meta.security_severity,
                "options": meta.options.iter().map(|o| serde_json::json!({"name": o.name, "type": o.kind, "default": o.default})).collect::<Vec<_>>(),
                "docs": meta.docs_url(),
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&rules).expect("rule metadata serialises");
    text.push('\n');
    text
}

/// `docs/rules/README.md`: every rule with its tier, whether it runs by default, and why.
pub fn index_page() -> String {
    let mut out = String::from(
        "# Rules\n\n<!-- Generated from rules/*.toml by `ARCHLINT_UPDATE_DOCS=1 cargo test --test metadata`; do not edit. -->\n\n\
         Rules in the `security` and `hardening` tiers run by default; `audit` rules run when selected \
         (`--select audit`, `--select <id>`, or `select`/`extend-select` in `archlint.toml`). A rule goes to the \
         audit tier when its precision measured on real open-source services is below about 90%.\n\n\
         | Rule | Languages | Tier | Default | Level | Precision | Why this tier |\n|---|---|---|---|---|---|---|\n",
    );
    for meta in meta::all() {
        let languages: Vec<&str> = meta.languages.iter().map(|l| if l == "rust" { "Rust" } else { "TS/JS" }).collect();
        let default = if meta.tier.on_by_default() { "on" } else { "off" };
        let reason = meta.tier_reason.clone().unwrap_or_else(|| match meta.tier {
            Tier::Audit => "useful for review, not precise enough to run by default".to_string(),
            _ => "precise on the real services it was measured on (see the rule page)".to_string(),
        });
        let _ = writeln!(
            out,
            "| [`{id}`]({id}.md) | {} | {} | {default} | {} | {} | {} |",
            languages.join(", "),
            meta.tier.as_str(),
            meta.level.as_str(),
            meta.precision,
            reason.replace('|', "\\|").replace('\n', " "),
            id = meta.id
        );
    }
    out
}
