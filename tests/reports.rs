//! The CI report formats checked against their formats' own rules (JUnit XML against the shape
//! the Jenkins xUnit plugin's `junit-10.xsd` allows, GitLab Code Quality against GitLab's
//! documented fields), their snapshots on the sample service, and the human report's summary.

use std::collections::HashSet;
use std::process::Command;

mod common;
use common::*;

const SAMPLE: &str = "examples/sample-service";

/// A scratch project: a git-less directory with the given files.
/// File names that need escaping in XML (quotes, markup, `&`, a control character, non-ASCII),
/// a suppression whose reason does too, a syntax error, an unused and an invalid suppression.
fn awkward_project() -> tempfile::TempDir {
    let flagged: &[u8] = b"export const a = 'http://api.acme.io';\n";
    project(&[
        ("src/a&b <\"quoted\"> 'x'.ts", flagged),
        ("src/ctl\u{1}char.ts", flagged),
        ("src/ünïcødé-日本.ts", flagged),
        (
            "src/suppressed.ts",
            b"// archlint-ignore-next-line plain-http-url -- partner <legacy> & \"no TLS\"\nexport const a = 'http://api.acme.io';\n\
// archlint-ignore-next-line hardcoded-secret -- nothing here\nexport const b = 1;\n",
        ),
        ("src/broken.ts", b"export function (\n"),
        ("src/invalid.ts", b"// archlint-ignore plain-http-url\nexport const c = 1;\n"),
    ])
}

/// Checks a JUnit document against the rules of `junit-10.xsd` (the Jenkins xUnit plugin's
/// schema, which GitLab, Jenkins, Azure Pipelines and CircleCI read): which elements may appear
/// where, their required and allowed attributes, and that counts add up. Returns the test cases
/// as (classname, name, outcome element or "passed", message).
fn check_junit(xml: &str) -> Vec<(String, String, String, String)> {
    let document = roxmltree::Document::parse(xml).expect("well-formed XML");
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    allowed_attributes(root, &[], &["name", "time", "tests", "failures", "errors"]);

    let mut cases = Vec::new();
    let (mut tests, mut failures, mut errors) = (0, 0, 0);
    for suite in elements(root) {
        assert_eq!(suite.tag_name().name(), "testsuite", "only test suites under <testsuites>");
        allowed_attributes(
            suite,
            &["name", "tests", "failures", "errors"],
            &["group", "time", "skipped", "timestamp", "hostname", "id", "package", "file", "log", "url"],
        );
        let suite_name = suite.attribute("name").unwrap();
        let (mut suite_failures, mut suite_errors, mut suite_skipped, mut suite_tests) = (0, 0, 0, 0);
        for case in elements(suite) {
            assert!(
                ["testsuite", "properties", "testcase", "system-out", "system-err"].contains(&case.tag_name().name()),
                "<{}> in a test suite",
                case.tag_name().name()
            );
            assert_eq!(case.tag_name().name(), "testcase", "archlint writes only test cases in its suites");
            allowed_attributes(case, &["name"], &["time", "classname", "group"]);
            assert_eq!(case.attribute("classname"), Some(suite_name), "a case's class is its suite");
            suite_tests += 1;
            let outcomes: Vec<_> = elements(case).collect();
            assert!(outcomes.len() <= 1, "one outcome per case");
            let (kind, message) = match outcomes.first() {
                None => ("passed".to_string(), String::new()),
                Some(outcome) => {
                    let kind = outcome.tag_name().name();
                    assert!(["failure", "error", "skipped"].contains(&kind), "<{kind}> in a test case");
                    allowed_attributes(*outcome, &[], &["type", "message"]);
                    assert_eq!(elements(*outcome).count(), 0, "<{kind}> holds text only");
                    match kind {
                        "failure" => suite_failures += 1,
                        "error" => suite_errors += 1,
                        _ => suite_skipped += 1,
                    }
                    (kind.to_string(), outcome.attribute("message").unwrap_or_default().to_string())
                }
            };
            cases.push((suite_name.to_string(), case.attribute("name").unwrap().to_string(), kind, message));
        }
        let count = |name: &str| suite.attribute(name).unwrap().parse::<usize>().unwrap();
        assert!(suite_tests > 0, "{suite_name}: every suite has a case, passing when there is nothing to report");
        assert_eq!(count("tests"), suite_tests, "{suite_name}: tests");
        assert_eq!(count("failures"), suite_failures, "{suite_name}: failures");
        assert_eq!(count("errors"), suite_errors, "{suite_name}: errors");
        assert_eq!(count("skipped"), suite_skipped, "{suite_name}: skipped");
        (tests, failures, errors) = (tests + suite_tests, failures + suite_failures, errors + suite_errors);
    }
    let count = |name: &str| root.attribute(name).unwrap().parse::<usize>().unwrap();
    assert_eq!((count("tests"), count("failures"), count("errors")), (tests, failures, errors), "totals");
    cases
}

fn elements<'a>(node: roxmltree::Node<'a, 'a>) -> impl Iterator<Item = roxmltree::Node<'a, 'a>> {
    node.children().filter(|n| n.is_element())
}

fn allowed_attributes(node: roxmltree::Node, required: &[&str], optional: &[&str]) {
    let tag = node.tag_name().name();
    for name in required {
        assert!(node.attribute(*name).is_some(), "<{tag}> lacks required `{name}`");
    }
    for attribute in node.attributes() {
        assert!(
            required.contains(&attribute.name()) || optional.contains(&attribute.name()),
            "<{tag}> has `{}`, which junit-10.xsd does not allow",
            attribute.name()
        );
    }
}

#[test]
fn junit_on_the_sample_service_fits_the_schema_and_snapshot() {
    let output = archlint(repo(), &[SAMPLE, "--format", "junit"]);
    assert_eq!(output.status.code(), Some(1));
    let xml = stdout(&output);
    let cases = check_junit(&xml);
    let failed: Vec<_> = cases.iter().filter(|c| c.2 == "failure").collect();
    assert_eq!(failed.len(), 10, "one failing case per finding");
    assert!(failed.iter().all(|c| c.1.starts_with("examples/sample-service/")), "cases are named by repo-relative location");
    let default_rules = archlint::rules::meta::all().iter().filter(|m| m.tier.on_by_default()).count();
    let suites: HashSet<&str> = cases.iter().map(|c| c.0.as_str()).collect();
    // The sample's archlint.toml turns on one audit rule (tls-verification-disabled).
    assert_eq!(suites.len(), default_rules + 1, "a suite per rule that ran");
    assert!(cases.iter().any(|c| c.0 == "archlint.command-injection" && c.1 == "no findings" && c.2 == "passed"));
    insta::assert_snapshot!("junit_sample", xml);
    // Secrets never reach the report (`hardcoded-secret` is an audit rule: selected by name).
    let secrets = stdout(&archlint(repo(), &[SAMPLE, "--format", "junit", "--select", "hardcoded-secret"]));
    assert_eq!(check_junit(&secrets).iter().filter(|c| c.2 == "failure" && c.0 == "archlint.hardcoded-secret").count(), 2);
    assert!(!secrets.contains("k3y-R0tated-2023-q4-Zp9") && !secrets.contains("dev-secret-do-not-use"), "{secrets}");
}

#[test]
fn junit_escapes_what_xml_cannot_hold_literally() {
    let dir = awkward_project();
    let output = archlint(dir.path(), &["--format", "junit", "--include-suppressed", "--select", "plain-http-url"]);
    let xml = stdout(&output);
    let cases = check_junit(&xml);
    let names: Vec<(&str, &str)> = cases.iter().map(|c| (c.1.as_str(), c.2.as_str())).collect();
    assert_eq!(
        names,
        [
            ("src/a&b <\"quoted\"> 'x'.ts:1:18", "failure"),
            // U+0001 cannot appear in XML 1.0, even as a reference.
            ("src/ctl\u{FFFD}char.ts:1:18", "failure"),
            ("src/suppressed.ts:2:18", "skipped"),
            ("src/ünïcødé-日本.ts:1:18", "failure"),
            ("src/invalid.ts:1:1", "error"),
            ("src/broken.ts:1:1", "skipped"),
            ("src/suppressed.ts:3:1", "skipped"),
        ]
    );
    assert_eq!(
        cases[2].3,
        "suppressed (partner <legacy> & \"no TLS\"): `http://` URL sends traffic to `api.acme.io` unencrypted; use `https://`"
    );
    assert_eq!(cases[4].0, "archlint.invalid-suppression", "a warning-level notice is an error");
    assert_eq!(cases[5].0, "archlint.parse-error");
    assert_eq!(cases[6].0, "archlint.unused-suppression");
    insta::assert_snapshot!("junit_escaping", xml);

    let clean = project(&[("src/ok.ts", b"export const a = 'https://api.acme.io';\n")]);
    let output = archlint(clean.path(), &["--format", "junit", "--select", "plain-http-url"]);
    assert_eq!(output.status.code(), Some(0));
    let cases = check_junit(&stdout(&output));
    assert_eq!(cases, [("archlint.plain-http-url".into(), "no findings".into(), "passed".into(), String::new())], "never empty");
}

#[test]
fn ci_reports_are_byte_identical_run_to_run() {
    for format in ["junit", "gitlab"] {
        let one = archlint(repo(), &[SAMPLE, "--format", format, "--jobs", "1"]);
        let two = archlint(repo(), &[SAMPLE, "--format", format, "--jobs", "2"]);
        assert_eq!(one.stdout, two.stdout, "{format}");
    }
}

const GITLAB_SEVERITIES: [&str; 5] = ["info", "minor", "major", "critical", "blocker"];

/// Checks a Code Quality report against GitLab's documented format: an array of objects with
/// `description`, `check_name`, `fingerprint` and `severity` strings, `location.path` relative to
/// the repository (no `./`) and `location.lines.begin` a line number; fingerprints unique.
fn check_gitlab(text: &str) -> Vec<serde_json::Value> {
    let value: serde_json::Value = serde_json::from_str(text).expect("JSON");
    let issues = value.as_array().expect("an array of issues").clone();
    let mut fingerprints = HashSet::new();
    for issue in &issues {
        for field in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[field].as_str().is_some_and(|s| !s.is_empty()), "`{field}` is a non-empty string: {issue}");
        }
        assert!(GITLAB_SEVERITIES.contains(&issue["severity"].as_str().unwrap()), "{issue}");
        let path = issue["location"]["path"].as_str().expect("location.path");
        assert!(!path.starts_with('/') && !path.starts_with("./") && !path.contains('\\'), "repo-relative path: {path}");
        let begin = issue["location"]["lines"]["begin"].as_u64().expect("location.lines.begin");
        assert!(begin >= 1);
        if let Some(end) = issue["location"]["lines"].get("end") {
            assert!(end.as_u64().unwrap() >= begin);
        }
        assert!(fingerprints.insert(issue["fingerprint"].as_str().unwrap().to_string()), "duplicate fingerprint: {issue}");
    }
    issues
}

#[test]
fn gitlab_on_the_sample_service_fits_the_documented_format_and_snapshot() {
    let output = archlint(repo(), &[SAMPLE, "--format", "gitlab"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let issues = check_gitlab(&text);
    assert_eq!(issues.len(), 10);
    assert!(issues.iter().all(|i| i["location"]["path"].as_str().unwrap().starts_with("examples/sample-service/")));
    let severity_of = |rule: &str| issues.iter().find(|i| i["check_name"] == rule).map(|i| i["severity"].clone()).unwrap();
    assert_eq!(severity_of("tls-verification-disabled"), "critical", "error level");
    assert_eq!(severity_of("http-client-without-timeout"), "major", "warning level");
    insta::assert_snapshot!("gitlab_sample", text);
    // Secrets (an audit rule, selected by name) are masked in the report.
    let secrets = stdout(&archlint(repo(), &[SAMPLE, "--format", "gitlab", "--select", "hardcoded-secret"]));
    let masked = check_gitlab(&secrets).iter().filter(|i| i["check_name"] == "hardcoded-secret").count();
    assert_eq!(masked, 2, "{secrets}");
    assert!(!secrets.contains("k3y-R0tated-2023-q4-Zp9") && !secrets.contains("dev-secret-do-not-use"), "{secrets}");
}

#[test]
fn gitlab_fingerprints_survive_edits_above_and_stay_unique_for_repeated_code() {
    let line = "export const a = 'http://api.acme.io';\n";
    let before = project(&[("src/a.ts", format!("{line}{line}").as_bytes()), ("src/broken.ts", b"export function (\n")]);
    let issues = check_gitlab(&stdout(&archlint(before.path(), &["--format", "gitlab"])));
    assert_eq!(issues.iter().filter(|i| i["check_name"] == "plain-http-url").count(), 2, "the same code twice is two issues");
    let parse_error = issues.iter().find(|i| i["check_name"] == "parse-error").expect("notices are reported");
    assert_eq!(parse_error["severity"], "info");

    let moved = format!("// a comment\n\n{line}{line}");
    let after = project(&[("src/a.ts", moved.as_bytes()), ("src/broken.ts", b"export function (\n")]);
    let moved_issues = check_gitlab(&stdout(&archlint(after.path(), &["--format", "gitlab"])));
    let fingerprints =
        |issues: &[serde_json::Value]| -> Vec<String> { issues.iter().map(|i| i["fingerprint"].as_str().unwrap().to_string()).collect() };
    assert_eq!(fingerprints(&issues), fingerprints(&moved_issues), "GitLab must not see moved code as new issues");
    assert_eq!(moved_issues[0]["location"]["lines"]["begin"], 3);

    // Suppressed findings are never listed, even when asked for: GitLab would show them as open.
    let dir = awkward_project();
    let issues = check_gitlab(&stdout(&archlint(dir.path(), &["--format", "gitlab", "--include-suppressed"])));
    assert!(issues.iter().all(|i| i["location"]["path"] != "src/suppressed.ts" || i["check_name"] == "unused-suppression"));
}

#[test]
fn human_summary_counts_levels_rules_files_and_time() {
    let output = archlint(repo(), &[SAMPLE]);
    let text = stdout(&output);
    let summary = text.split("Findings by rule:\n").nth(1).expect("a per-rule summary");
    let lines: Vec<&str> = summary.lines().collect();
    assert_eq!(
        lines[..5],
        [
            "  3  http-client-without-timeout",
            "  2  client-created-per-request",
            "  2  server-without-graceful-shutdown",
            "  2  tls-verification-disabled",
            "  1  server-without-timeout",
        ]
    );
    let time =
        regex::Regex::new(r"^Found 10 problems \(2 errors, 8 warnings, 0 notes\) in 3 files\. Scanned 4 files in \d+\.\d\ds\.$").unwrap();
    assert!(time.is_match(lines[5]), "{}", lines[5]);

    let quiet = stdout(&archlint(repo(), &[SAMPLE, "--quiet"]));
    assert!(!quiet.contains("Findings by rule") && !quiet.contains("Scanned"));
    let clean = project(&[("ok.ts", b"export const a = 1;\n")]);
    let clean = stdout(&archlint(clean.path(), &[]));
    assert!(clean.starts_with("No problems found. Scanned 1 file in ") && !clean.contains("by rule"), "{clean}");
}

#[test]
fn no_progress_bar_on_pipes() {
    // Tests run with stderr on a pipe, as CI and `archlint | less` do: nothing but the report.
    let output = Command::new(env!("CARGO_BIN_EXE_archlint")).current_dir(repo()).args([SAMPLE]).env_remove("CI").output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains("scanning") && !stderr.contains('\r') && !stderr.contains('\u{1b}'), "{stderr:?}");
}

#[test]
fn every_rule_fixture_makes_valid_ci_reports() {
    // Every rule on its look-alikes and detections: the widest input the repository has.
    let args = ["tests/fixtures", "--select", "all", "--include-suppressed", "--exit-zero", "--format"];
    let junit = archlint(repo(), &[&args[..], &["junit"]].concat());
    let cases = check_junit(&stdout(&junit));
    assert!(cases.iter().filter(|c| c.2 == "failure").count() > 100);
    let gitlab = archlint(repo(), &[&args[..], &["gitlab"]].concat());
    let issues = check_gitlab(&stdout(&gitlab));
    let failures = cases.iter().filter(|c| c.2 == "failure").count();
    let finding_issues = issues.iter().filter(|i| i["severity"] != "info").count();
    assert_eq!(finding_issues, failures, "the same findings in both reports");
}

#[test]
fn gitlab_paths_start_at_the_repository_root_when_the_config_is_below_it() {
    // A service in a monorepo with its own archlint.toml: every machine-readable format's paths
    // start at the repository, where GitLab and GitHub look for them.
    let dir = project(&[
        ("services/api/archlint.toml", b"fail-on = \"error\"\n"),
        ("services/api/src/a.ts", b"export const a = 'http://api.acme.io';\n"),
        ("services/api/src/broken.ts", b"export function (\n"),
    ]);
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let issues = check_gitlab(&stdout(&archlint(dir.path(), &["services/api", "--format", "gitlab"])));
    let paths: Vec<&str> = issues.iter().map(|i| i["location"]["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["services/api/src/a.ts", "services/api/src/broken.ts"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&archlint(dir.path(), &["services/api", "--format", "json"]))).unwrap();
    assert_eq!(json["findings"][0]["path"], "services/api/src/a.ts", "JSON as well");
}
