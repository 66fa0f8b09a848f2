//! Per-rule fixtures: `tests/fixtures/<rule-id>/` holds files in each language the rule claims.
//! A line ending in `// flagged` must get a finding from that rule; a line ending in `// ok` is a
//! look-alike that must not; no other line may get one. The insta snapshot records the messages
//! and columns, so a reviewer sees every behaviour change in the snapshot diff.

use archlint::config::{CliOverrides, Config, ConfigFile};
use archlint::engine::{self, ScanOptions};
use archlint::rules::{meta, REGISTRY};
use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn fixture_dir(rule: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rule)
}

/// Scans a rule's fixture directory with only that rule enabled.
fn scan_rule(rule: &str) -> (String, Vec<String>) {
    let dir = fixture_dir(rule).canonicalize().unwrap();
    let file = ConfigFile { select: Some(vec![rule.to_string()]), ..ConfigFile::default() };
    let config = Config::from_file(file, None, dir.clone(), &CliOverrides::default()).unwrap();
    let result = engine::scan(&config, std::slice::from_ref(&dir), &ScanOptions { jobs: 2, cache: None });

    let mut report = String::new();
    let mut problems = Vec::new();
    let mut flagged_lines = BTreeSet::new();
    for finding in &result.findings {
        let text = std::fs::read_to_string(dir.join(&finding.path)).unwrap();
        let line = text.lines().nth(finding.start.line - 1).unwrap_or("");
        let state = if finding.suppressed.is_some() { " (suppressed)" } else { "" };
        writeln!(
            report,
            "{}:{}:{}-{}:{} {}{state}: {}\n    | {}",
            finding.path,
            finding.start.line,
            finding.start.column,
            finding.end.line,
            finding.end.column,
            finding.level.as_str(),
            finding.message,
            line.trim()
        )
        .unwrap();
        if finding.suppressed.is_none() {
            flagged_lines.insert((finding.path.clone(), finding.start.line));
        }
    }
    for notice in &result.notices {
        writeln!(report, "notice {}: {} {}", notice.kind.id(), notice.path, notice.message).unwrap();
    }

    // Compare with the markers in the fixture files.
    for path in fixture_files(&dir) {
        let relative = path.strip_prefix(&dir).unwrap().to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&path).unwrap();
        for (index, line) in text.lines().enumerate() {
            let expected = line.trim_end().ends_with("// flagged");
            let got = flagged_lines.contains(&(relative.clone(), index + 1));
            if expected != got {
                let what = if expected { "expected a finding, got none" } else { "unexpected finding" };
                problems.push(format!("{relative}:{}: {what}: {}", index + 1, line.trim()));
            }
        }
    }
    (report, problems)
}

fn fixture_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_rule_matches_its_fixture_markers_and_snapshot() {
    let mut all_problems = Vec::new();
    for entry in REGISTRY {
        let (report, problems) = scan_rule(entry.id);
        all_problems.extend(problems.into_iter().map(|p| format!("[{}] {p}", entry.id)));
        insta::assert_snapshot!(entry.id, report);
    }
    assert!(all_problems.is_empty(), "fixture markers disagree with findings:\n{}", all_problems.join("\n"));
}

#[test]
fn every_rule_has_fixtures_with_detections_and_look_alikes_in_each_language() {
    for entry in REGISTRY {
        let meta = meta::get(entry.id).unwrap_or_else(|| panic!("{} has no rules/{}.toml", entry.id, entry.id));
        let dir = fixture_dir(entry.id);
        assert!(dir.is_dir(), "{} has no tests/fixtures/{}/", entry.id, entry.id);
        for language in &meta.languages {
            let extensions: &[&str] = if language == "rust" { &["rs"] } else { &["ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts"] };
            let texts: Vec<String> = fixture_files(&dir)
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| extensions.contains(&e.to_str().unwrap())))
                .map(|p| std::fs::read_to_string(p).unwrap())
                .collect();
            let count = |marker: &str| texts.iter().flat_map(|t| t.lines()).filter(|l| l.trim_end().ends_with(marker)).count();
            assert!(count("// flagged") >= 3, "{}: fewer than 3 flagged {language} cases", entry.id);
            assert!(count("// ok") >= 3, "{}: fewer than 3 {language} look-alikes marked `// ok`", entry.id);
        }
    }
}
