//! GitLab Code Quality: a JSON array of issues, the subset of the Code Climate spec GitLab reads
//! (`description`, `check_name`, `fingerprint`, `severity`, `location.path`,
//! `location.lines.begin`), for `artifacts: reports: codequality:`. GitLab compares fingerprints
//! between the merge request's base and head to tell new issues from fixed ones, so the
//! fingerprint is the baseline key: it survives edits above a finding. Paths are relative to the
//! git repository root, where GitLab looks for them, even when `archlint.toml` sits below it.
//!
//! Severities: `error` → `critical`, `warning` → `major`, `note` → `minor`; notices (a file not
//! analysed, a rule that failed) are `info` issues so a reader knows what was not checked.
//! `blocker` is not used: whether a finding blocks a merge is `--fail-on`'s decision. Suppressed
//! findings are never listed (GitLab has no notion of a suppressed issue and would show them as
//! open).

use crate::diagnostic::{Level, Notice};
use crate::engine::ScanResult;
use crate::report::fingerprint::stable_key;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;

pub fn render(result: &ScanResult, scope: &super::Scope) -> Vec<u8> {
    let prefix = repository_prefix(&scope.root);
    let path = |path: &str| format!("{prefix}{path}");
    let findings: Vec<_> = result.active_findings().collect();
    let keys = crate::baseline::keys(findings.iter().copied());
    let mut issues: Vec<Value> = findings
        .iter()
        .zip(keys)
        .map(|(finding, fingerprint)| {
            issue(
                &finding.message,
                finding.rule,
                fingerprint,
                severity(finding.level),
                &path(&finding.path),
                finding.start.line,
                finding.end.line,
            )
        })
        .collect();

    // Notices have no flagged code: their key is the kind, the path and the message, numbered.
    let mut ordinals: HashMap<(&str, &str, &str), usize> = HashMap::new();
    for notice in &result.notices {
        let ordinal = ordinals.entry((notice.kind.id(), &notice.path, &notice.message)).or_insert(0);
        *ordinal += 1;
        let fingerprint = stable_key(notice.kind.id(), &notice.path, &notice.message, *ordinal);
        let (begin, end) = notice_lines(notice);
        let description = format!("{}: {}", notice.kind.id(), notice.message);
        issues.push(issue(&description, notice.kind.id(), fingerprint, "info", &path(&notice.path), begin, end));
    }

    let mut out = serde_json::to_vec_pretty(&issues).expect("issues serialise");
    out.push(b'\n');
    out
}

/// GitLab resolves `location.path` from the repository root, while archlint's paths are relative
/// to the project root, which is the directory of `archlint.toml` and may lie below it (a service
/// in a monorepo): the way from the one to the other, as a path prefix.
fn repository_prefix(project_root: &Path) -> String {
    match crate::config::repository_root(project_root) {
        Some(repository) => {
            let between = crate::walk::relative_to(project_root, &repository);
            if between.is_empty() {
                between
            } else {
                format!("{between}/")
            }
        }
        None => String::new(),
    }
}

fn issue(description: &str, check_name: &str, fingerprint: String, severity: &str, path: &str, begin: usize, end: usize) -> Value {
    json!({
        "description": description,
        "check_name": check_name,
        "fingerprint": fingerprint,
        "severity": severity,
        "location": {
            "path": path,
            "lines": { "begin": begin, "end": end.max(begin) },
        },
    })
}

/// A notice about a whole file is reported on its first line.
fn notice_lines(notice: &Notice) -> (usize, usize) {
    let begin = notice.start.map_or(1, |p| p.line);
    (begin, notice.end.map_or(begin, |p| p.line))
}

pub fn severity(level: Level) -> &'static str {
    match level {
        Level::Error => "critical",
        Level::Warning => "major",
        Level::Note => "minor",
    }
}
