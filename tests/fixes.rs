//! Fixes, end to end from the command line. Every fix on every rule fixture: the fixed file still
//! parses, the findings that had a fix are gone, the others stay, and a second `--fix` changes
//! nothing; the diffs are snapshots (what each fix writes, before and after). Then a small service
//! with a client without a timeout, cookies without flags and a disabled TLS check: `--fix`
//! removes those findings, `--fix-diff` writes nothing, SARIF carries the fixes.

mod common;

use archlint::rules::REGISTRY;
use common::{archlint, copy_dir, project, repo, stderr, stdout};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn report(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json", "--no-cache"];
    all.extend_from_slice(args);
    let output = archlint(dir, &all);
    serde_json::from_str(&stdout(&output)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&output)))
}

fn files(dir: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                found.insert(path.strip_prefix(dir).unwrap().to_string_lossy().into_owned(), text);
            }
        }
    }
    found
}

#[test]
fn every_fix_of_every_fixture_parses_removes_its_finding_and_is_idempotent() {
    let mut rules_with_fixes = Vec::new();
    for entry in REGISTRY {
        let copy = tempfile::tempdir().unwrap();
        copy_dir(&repo().join("tests/fixtures").join(entry.id), copy.path());
        let select = ["--select", entry.id];
        let before = report(copy.path(), &select);
        let findings = before["findings"].as_array().unwrap();
        let fixable = findings.iter().filter(|f| f["fix"].is_object() && f["suppressed"].is_null()).count();
        if fixable == 0 {
            continue;
        }
        rules_with_fixes.push(entry.id);
        let diff = archlint(copy.path(), &["--fix-diff", "--unsafe-fixes", "--no-cache", "--select", entry.id]);
        assert_eq!(diff.status.code(), Some(1), "{}: {}", entry.id, stderr(&diff));
        insta::assert_snapshot!(format!("fix_{}", entry.id), stdout(&diff));

        let untouched = files(copy.path());
        let fixed = archlint(copy.path(), &["--fix", "--unsafe-fixes", "--no-cache", "--select", entry.id, "--format", "json"]);
        assert!(stderr(&fixed).contains(&format!("{fixable} fix")), "{}: {}", entry.id, stderr(&fixed));
        let after = files(copy.path());
        for (path, text) in &after {
            if untouched[path] == *text {
                continue;
            }
            let language = archlint::source::Language::from_path(Path::new(path)).unwrap();
            assert!(archlint::fix::parses(language, text), "{}: {path} does not parse after the fix:\n{text}", entry.id);
        }
        let remaining = report(copy.path(), &select);
        let remaining = remaining["findings"].as_array().unwrap();
        assert!(remaining.iter().all(|f| f["fix"].is_null()), "{}: fixable findings remain: {remaining:?}", entry.id);
        assert_eq!(remaining.len(), findings.len() - fixable, "{}: findings without a fix stay", entry.id);

        let again = archlint(copy.path(), &["--fix", "--unsafe-fixes", "--no-cache", "--select", entry.id]);
        assert!(stderr(&again).contains("0 fixes applied"), "{}: {}", entry.id, stderr(&again));
        assert_eq!(files(copy.path()), after, "{}: a second --fix changes nothing", entry.id);
    }
    assert_eq!(
        rules_with_fixes,
        [
            "plain-http-url",
            "tls-verification-disabled",
            "http-client-without-timeout",
            "sql-injection",
            "dynamic-sql",
            "command-injection",
            "server-without-timeout",
            "db-pool-without-timeout",
            "insecure-randomness",
            "jwt-without-expiry",
            "insecure-cookie"
        ]
    );
}

const SERVICE_TS: &str = r#"import axios from "axios";
import https from "node:https";
import express from "express";

export const partner = axios.create({
  baseURL: "https://partner.acme-corp.io",
});
export const agent = new https.Agent({ rejectUnauthorized: false });

const app = express();
app.post("/login", (req, res) => {
  res.cookie("session", req.body.session, { maxAge: 3_600_000 });
  res.json({ ok: true });
});
"#;

/// `insecure-cookie` and `tls-verification-disabled` are audit rules: the service selects them
/// beside the defaults.
fn service() -> tempfile::TempDir {
    project(&[
        ("archlint.toml", b"extend-select = [\"insecure-cookie\", \"tls-verification-disabled\"]\n".as_slice()),
        ("package.json", br#"{ "name": "svc", "dependencies": { "express": "^4.19.2" } }"#.as_slice()),
        ("src/app.ts", SERVICE_TS.as_bytes()),
    ])
}

#[test]
fn fix_removes_the_timeout_cookie_and_tls_findings_and_reports_what_remains() {
    let dir = service();
    let rules: Vec<String> =
        report(dir.path(), &[])["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect();
    for rule in ["http-client-without-timeout", "tls-verification-disabled", "insecure-cookie"] {
        assert!(rules.iter().any(|r| r == rule), "{rule} before the fix: {rules:?}");
    }

    // The dry run shows the edits and writes nothing.
    let diff = archlint(dir.path(), &["--fix-diff", "--no-cache"]);
    assert_eq!(diff.status.code(), Some(1));
    let shown = stdout(&diff);
    assert!(
        shown.contains("+  timeout: 10_000,") && shown.contains("+export const agent = new https.Agent({ rejectUnauthorized: true });"),
        "{shown}"
    );
    assert!(shown.contains("{ httpOnly: true, secure: true, maxAge: 3_600_000 }"), "{shown}");
    assert_eq!(std::fs::read_to_string(dir.path().join("src/app.ts")).unwrap(), SERVICE_TS);

    // SARIF carries the same fixes.
    let sarif: Value = serde_json::from_str(&stdout(&archlint(dir.path(), &["--format", "sarif", "--no-cache"]))).unwrap();
    let with_fixes = sarif["runs"][0]["results"].as_array().unwrap().iter().filter(|r| r["fixes"].is_array()).count();
    assert_eq!(with_fixes, 3);

    let fixed = archlint(dir.path(), &["--fix", "--no-cache", "--format", "json"]);
    assert!(stderr(&fixed).contains("3 fixes applied in 1 file"), "{}", stderr(&fixed));
    let remaining: Value = serde_json::from_str(&stdout(&fixed)).unwrap();
    let left: Vec<&str> = remaining["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    for rule in ["http-client-without-timeout", "tls-verification-disabled", "insecure-cookie"] {
        assert!(!left.contains(&rule), "{rule} after the fix: {left:?}");
    }
    let text = std::fs::read_to_string(dir.path().join("src/app.ts")).unwrap();
    assert!(text.contains("export const partner = axios.create({\n  timeout: 10_000,\n  baseURL:"), "the layout is kept:\n{text}");
}

#[test]
fn the_timeout_a_fix_writes_is_configurable_and_unsafe_needs_fix() {
    let dir = service();
    std::fs::write(
        dir.path().join("archlint.toml"),
        "extend-select = [\"insecure-cookie\", \"tls-verification-disabled\"]\n[rules.http-client-without-timeout]\nfix-timeout-ms = 2500\n",
    )
    .unwrap();
    let shown = stdout(&archlint(dir.path(), &["--fix-diff", "--no-cache"]));
    assert!(shown.contains("+  timeout: 2_500,"), "{shown}");
    std::fs::write(
        dir.path().join("archlint.toml"),
        "extend-select = [\"insecure-cookie\", \"tls-verification-disabled\"]\n[rules.http-client-without-timeout]\nfix-timeout-ms = \"soon\"\n",
    )
    .unwrap();
    let bad = archlint(dir.path(), &["--no-cache"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("fix-timeout-ms must be a positive number of milliseconds"), "{}", stderr(&bad));
    let alone = archlint(service().path(), &["--unsafe-fixes"]);
    assert_eq!(alone.status.code(), Some(2));
    assert!(stderr(&alone).contains("--unsafe-fixes goes with --fix or --fix-diff"), "{}", stderr(&alone));
}
