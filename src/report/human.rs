//! Diagnostics for people: codespan-reporting snippets with the rule id, help and docs link, then
//! notices, the count of findings per rule and a summary line (levels, files, time).

use super::ReportOptions;
use crate::diagnostic::{Finding, Level, Notice};
use crate::engine::ScanResult;
use crate::rules::meta;
use codespan_reporting::diagnostic::{Diagnostic, Label, Severity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::Buffer};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;

pub fn render(result: &ScanResult, scope: &super::Scope, options: &ReportOptions) -> Vec<u8> {
    let mut out = if options.color { Buffer::ansi() } else { Buffer::no_color() };
    let mut files = SimpleFiles::new();
    let mut file_ids: HashMap<&str, Option<usize>> = HashMap::new();
    let term_config = term::Config::default();

    let shown: Vec<&Finding> = result.findings.iter().filter(|f| f.suppressed.is_none() || options.include_suppressed).collect();
    for finding in &shown {
        let file_id = *file_ids.entry(&finding.path).or_insert_with(|| {
            std::fs::read_to_string(scope.root.join(&finding.path))
                .ok()
                .map(|text| files.add(finding.path.clone(), text.trim_start_matches('\u{feff}').to_string()))
        });
        let mut notes = Vec::new();
        // A flow across files cannot be read from one snippet: each step as `file:line`.
        if finding.flow.iter().any(|step| step.path.is_some()) {
            let steps: Vec<String> = finding
                .flow
                .iter()
                .map(|step| format!("  {}:{}: {}", step.path_or(&finding.path), step.start.line, step.message))
                .collect();
            notes.push(format!("flow:\n{}", steps.join("\n")));
        }
        if let Some(help) = &finding.help {
            notes.push(format!("help: {help}"));
        }
        if let Some(fix) = &finding.fix {
            let how = match fix.applicability {
                crate::diagnostic::Applicability::Safe => "--fix",
                crate::diagnostic::Applicability::Unsafe => "--fix --unsafe-fixes",
            };
            notes.push(format!("fix available ({}, `{how}`): {}", fix.applicability.as_str(), fix.description));
        }
        if let Some(reason) = &finding.suppressed {
            notes.push(format!("suppressed: {}", if reason.is_empty() { "(no reason given)" } else { reason }));
        }
        if let Some(meta) = meta::get(finding.rule) {
            notes.push(format!("docs: {}", meta.docs_url()));
        }
        let mut diagnostic =
            Diagnostic::new(severity(finding.level)).with_code(finding.rule).with_message(&finding.message).with_notes(notes);
        let redact = meta::get(finding.rule).is_some_and(|m| m.redact);
        match file_id {
            // Secrets are never printed: the snippet shows a masked copy of the line.
            Some(id) if redact => {
                let (text, span) = masked(files.get(id).map(|f| f.source().as_str()).unwrap_or(""), finding.span);
                let masked_id = files.add(finding.path.clone(), text);
                diagnostic = diagnostic.with_labels(vec![Label::primary(masked_id, span)]);
            }
            Some(id) => diagnostic = diagnostic.with_labels(vec![Label::primary(id, finding.span.start..finding.span.end)]),
            None => diagnostic.message = format!("{}:{}:{}: {}", finding.path, finding.start.line, finding.start.column, finding.message),
        }
        if term::emit(&mut out, &term_config, &files, &diagnostic).is_err() {
            let _ =
                writeln!(out, "{}:{}:{}: {} [{}]", finding.path, finding.start.line, finding.start.column, finding.message, finding.rule);
        }
    }

    if !options.quiet {
        for line in notice_lines(&result.notices, options.show_notices) {
            let _ = writeln!(out, "{line}");
        }
        if !result.notices.is_empty() {
            let _ = writeln!(out);
        }
        let _ = write!(out, "{}", by_rule(result));
        let _ = writeln!(out, "{}", summary(result));
    }
    out.into_inner()
}

/// The file text with the flagged span masked after its first few characters, and the span's new range.
fn masked(text: &str, span: crate::source::Span) -> (String, std::ops::Range<usize>) {
    let (Some(before), Some(flagged), Some(after)) = (text.get(..span.start), text.get(span.start..span.end), text.get(span.end..)) else {
        return (text.to_string(), span.start..span.end);
    };
    let count = flagged.chars().count();
    let masked: String = flagged
        .chars()
        .enumerate()
        .map(|(i, c)| if i < 5 || (i + 1 == count && matches!(c, '"' | '\'' | '`')) || c == '\n' { c } else { '*' })
        .collect();
    let range = before.len()..before.len() + masked.len();
    (format!("{before}{masked}{after}"), range)
}

fn severity(level: Level) -> Severity {
    match level {
        Level::Error => Severity::Error,
        Level::Warning => Severity::Warning,
        Level::Note => Severity::Note,
    }
}

/// The notices as lines: each on its own when asked for or alone of its kind, else one line per
/// kind with a count and the first few places (a repository with hundreds of files that do not
/// parse should not bury its two findings).
fn notice_lines(notices: &[Notice], every_one: bool) -> Vec<String> {
    const SHOWN: usize = 3;
    let mut by_kind: BTreeMap<(Level, &str), Vec<&Notice>> = BTreeMap::new();
    for notice in notices {
        by_kind.entry((notice.kind.level(), notice.kind.id())).or_default().push(notice);
    }
    if every_one || by_kind.values().all(|of_kind| of_kind.len() == 1) {
        return notices.iter().map(notice_line).collect();
    }
    let mut lines = Vec::new();
    // Warnings first, each in full: an internal error or a suppression archlint cannot read
    // is worth its own line; files that do not parse, are skipped or suppress nothing are counted.
    for ((level, kind), of_kind) in by_kind.iter().rev() {
        if of_kind.len() == 1 || *level > Level::Note {
            lines.extend(of_kind.iter().map(|notice| notice_line(notice)));
            continue;
        }
        let places: Vec<String> = of_kind.iter().take(SHOWN).map(|n| place(n)).collect();
        let more = if of_kind.len() > SHOWN { ", …" } else { "" };
        lines.push(format!(
            "{}[{kind}]: {} notices: {}{more} (`--show-notices` lists every one; SARIF and JSON have them all)",
            level.as_str(),
            of_kind.len(),
            places.join(", ")
        ));
    }
    lines
}

fn place(notice: &Notice) -> String {
    match notice.start {
        Some(p) => format!("{}:{}:{}", notice.path, p.line, p.column),
        None => notice.path.clone(),
    }
}

pub fn notice_line(notice: &Notice) -> String {
    let location = match notice.start {
        Some(p) => format!("{}:{}:{}", notice.path, p.line, p.column),
        None => notice.path.clone(),
    };
    format!("{}[{}]: {location}: {}", notice.kind.level().as_str(), notice.kind.id(), notice.message)
}

/// Active findings per rule, most first (then by id): which problems dominate. Empty without findings.
fn by_rule(result: &ScanResult) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in result.active_findings() {
        *counts.entry(finding.rule).or_default() += 1;
    }
    let mut counts: Vec<(&str, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let width = counts.first().map_or(1, |(_, n)| n.to_string().len());
    let mut text = String::new();
    if !counts.is_empty() {
        text.push_str("Findings by rule:\n");
    }
    for (rule, count) in counts {
        text.push_str(&format!("  {count:>width$}  {rule}\n"));
    }
    text
}

fn summary(result: &ScanResult) -> String {
    let active: Vec<&Finding> = result.active_findings().collect();
    let count = |level: Level| active.iter().filter(|f| f.level == level).count();
    let files: std::collections::BTreeSet<&str> = active.iter().map(|f| f.path.as_str()).collect();
    let suppressed = result.findings.len() - active.len();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = if active.is_empty() {
        "No problems found".to_string()
    } else {
        format!(
            "Found {} ({}, {}, {}) in {}",
            plural(active.len(), "problem"),
            plural(count(Level::Error), "error"),
            plural(count(Level::Warning), "warning"),
            plural(count(Level::Note), "note"),
            plural(files.len(), "file")
        )
    };
    if suppressed > 0 {
        line.push_str(&format!("; {suppressed} suppressed"));
    }
    if !result.notices.is_empty() {
        line.push_str(&format!("; {}", plural(result.notices.len(), "notice")));
    }
    line.push_str(&format!(". Scanned {} in {:.2}s.", plural(result.files_scanned, "file"), result.duration.as_secs_f64()));
    line
}
