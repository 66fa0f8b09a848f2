//! The result cache (`.archlint_cache/`): a warm run reports exactly what a cold run reports,
//! reuses what did not change, and notices every change that matters: a file's text, the
//! configuration, the rule selection, facts and suppressions in other files.

use std::path::Path;
use std::process::Output;
use std::time::{Duration, SystemTime};

mod common;
use common::*;

/// `(reused, files)` from the `--timings` cache line.
fn reuse(output: &Output) -> (usize, usize) {
    let text = stderr(output);
    let re = regex::Regex::new(r"cache: results of (\d+) of (\d+) files reused").unwrap();
    let captures = re.captures(&text).unwrap_or_else(|| panic!("no cache line in:\n{text}"));
    (captures[1].parse().unwrap(), captures[2].parse().unwrap())
}

/// A JSON report and the cache line: what a run found and what it reused.
fn scan(dir: &Path, extra: &[&str]) -> (String, (usize, usize)) {
    let mut args = vec!["--format", "json", "--exit-zero", "--timings", "--include-suppressed"];
    args.extend_from_slice(extra);
    let output = archlint(dir, &args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    (stdout(&output), reuse(&output))
}

fn rules_found(report: &str) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_str(report).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}:{}:{}", f["path"].as_str().unwrap(), f["start"]["line"], f["rule"].as_str().unwrap()))
        .collect()
}

/// Writes a file and dates it `age` in the past: files written just now are always read, so
/// tests that check the unread path age their files.
fn write_aged(dir: &Path, path: &str, text: &str, age: Duration) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(SystemTime::now() - age).unwrap();
}

const HOUR: Duration = Duration::from_secs(3600);

const CLIENT: &str = "import axios from 'axios';\nexport const get = (id: string) => axios.get(`https://api.acme.io/${id}`);\n";
const DEFAULTS: &str = "import axios from 'axios';\naxios.defaults.timeout = 5000;\n";
const SUPPRESSED: &str =
    "// archlint-ignore-next-line plain-http-url -- local fake\nexport const FAKE = 'http://fake.acme.io/v1';\nexport const REAL = 'http://api.acme.io/v1';\n";
const RUST: &str = "pub async fn fetch() -> reqwest::Result<String> {\n    reqwest::get(\"https://api.acme.io\").await?.text().await\n}\n";

fn sample_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_aged(dir.path(), "src/client.ts", CLIENT, HOUR);
    write_aged(dir.path(), "src/urls.ts", SUPPRESSED, HOUR);
    write_aged(dir.path(), "src/fetch.rs", RUST, HOUR);
    dir
}

#[test]
fn an_unchanged_rerun_reuses_every_result_and_reports_exactly_the_same() {
    let dir = sample_project();
    let (cold, cold_reuse) = scan(dir.path(), &[]);
    assert_eq!(cold_reuse, (0, 3));
    assert_eq!(
        rules_found(&cold),
        [
            "src/client.ts:2:http-client-without-timeout",
            "src/fetch.rs:2:http-client-without-timeout",
            "src/urls.ts:2:plain-http-url",
            "src/urls.ts:3:plain-http-url"
        ]
    );
    let (warm, warm_reuse) = scan(dir.path(), &[]);
    assert_eq!(warm_reuse, (3, 3));
    assert_eq!(warm, cold, "a warm run must report byte for byte what the cold run reported");

    // Every format, suppressions marked, notices included.
    let summary = regex::Regex::new(r"in \d+\.\d+s").unwrap();
    for format in ["sarif", "human", "github"] {
        let run = |cache: &[&str]| {
            let mut args = vec!["--format", format, "--exit-zero", "--include-suppressed", "--no-absolute-paths"];
            args.extend_from_slice(cache);
            stdout(&archlint(dir.path(), &args))
        };
        assert_eq!(summary.replace_all(&run(&[]), ""), summary.replace_all(&run(&["--no-cache"]), ""), "{format}");
    }
}

#[test]
fn the_cache_lives_in_the_project_and_stays_out_of_version_control() {
    let dir = sample_project();
    archlint(dir.path(), &["--exit-zero"]);
    let cache = dir.path().join(".archlint_cache");
    assert_eq!(std::fs::read_to_string(cache.join(".gitignore")).unwrap().lines().last(), Some("*"));
    assert!(std::fs::read_to_string(cache.join("CACHEDIR.TAG")).unwrap().starts_with("Signature: 8a477f597d28d172789f06886806bc55"));

    let elsewhere = tempfile::tempdir().unwrap();
    let fresh = sample_project();
    archlint(fresh.path(), &["--exit-zero", "--cache-dir", elsewhere.path().to_str().unwrap()]);
    assert!(!fresh.path().join(".archlint_cache").exists());
    assert!(std::fs::read_dir(elsewhere.path()).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().starts_with("scan-")));

    let untouched = sample_project();
    let output = archlint(untouched.path(), &["--no-cache", "--timings", "--exit-zero"]);
    assert!(stderr(&output).contains("cache: off"), "{}", stderr(&output));
    assert!(!untouched.path().join(".archlint_cache").exists(), "--no-cache writes nothing");
    let output = archlint(untouched.path(), &["--no-cache", "--cache-dir", "x"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn an_edited_file_is_analysed_again_and_nothing_else_is() {
    let dir = sample_project();
    let (cold, _) = scan(dir.path(), &[]);

    // Same length, different text, a new time: a new finding where the old one was.
    let edited = CLIENT.replace("https://api.acme.io", "http://api2.acme.io");
    assert_eq!(edited.len(), CLIENT.len());
    write_aged(dir.path(), "src/client.ts", &edited, HOUR / 2);
    let (after_edit, reused) = scan(dir.path(), &[]);
    assert_eq!(reused, (2, 3));
    assert_ne!(after_edit, cold);
    assert!(rules_found(&after_edit).contains(&"src/client.ts:2:plain-http-url".to_string()), "{after_edit}");

    // Touched but unchanged: read, hashed, reused.
    write_aged(dir.path(), "src/fetch.rs", RUST, HOUR / 3);
    let (after_touch, reused) = scan(dir.path(), &[]);
    assert_eq!(reused, (3, 3));
    assert_eq!(after_touch, after_edit);

    // A deleted file's findings go, and a new file's come.
    std::fs::remove_file(dir.path().join("src/fetch.rs")).unwrap();
    write_aged(dir.path(), "src/new.ts", "export const U = 'http://new.acme.io';\n", HOUR);
    let (after_delete, reused) = scan(dir.path(), &[]);
    assert_eq!(reused, (2, 3));
    let found = rules_found(&after_delete);
    assert!(!found.iter().any(|f| f.starts_with("src/fetch.rs")), "{found:?}");
    assert!(found.contains(&"src/new.ts:1:plain-http-url".to_string()), "{found:?}");
}

#[test]
fn a_file_edited_right_after_a_scan_is_never_mistaken_for_unchanged() {
    // Written now: its time is too recent to vouch for its content, so the next scan reads it
    // even if an edit kept its length and (on a coarse clock) its time.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.ts");
    std::fs::write(&path, "export const U = 'https://api.acme.io';\n").unwrap();
    let before = std::fs::metadata(&path).unwrap().modified().unwrap();
    let (first, _) = scan(dir.path(), &[]);
    assert!(rules_found(&first).is_empty());
    std::fs::write(&path, "export const U = 'http://apii.acme.io';\n").unwrap();
    std::fs::File::options().write(true).open(&path).unwrap().set_modified(before).unwrap();
    let (second, _) = scan(dir.path(), &[]);
    assert_eq!(rules_found(&second), ["a.ts:1:plain-http-url"]);
}

#[test]
fn project_facts_and_suppressions_are_current_on_a_warm_run() {
    let dir = sample_project();
    write_aged(dir.path(), "src/setup.ts", DEFAULTS, HOUR);
    let (cold, _) = scan(dir.path(), &[]);
    assert!(!rules_found(&cold).contains(&"src/client.ts:2:http-client-without-timeout".to_string()), "the axios default answers it");

    // The fact's file goes; the cached client's finding is no longer answered.
    std::fs::remove_file(dir.path().join("src/setup.ts")).unwrap();
    let (warm, reused) = scan(dir.path(), &[]);
    assert_eq!(reused, (3, 3));
    assert!(rules_found(&warm).contains(&"src/client.ts:2:http-client-without-timeout".to_string()), "{warm}");

    // Suppressed findings stay suppressed on a warm run, and an unused suppression is still reported.
    let report: serde_json::Value = serde_json::from_str(&warm).unwrap();
    let suppressed: Vec<_> = report["findings"].as_array().unwrap().iter().filter(|f| f["suppressed"].is_string()).collect();
    assert_eq!(suppressed.len(), 1);
    write_aged(dir.path(), "src/other.ts", "// archlint-ignore-next-line plain-http-url -- nothing here\nexport const A = 1;\n", HOUR);
    for _ in 0..2 {
        let (report, _) = scan(dir.path(), &[]);
        assert!(report.contains("unused-suppression"), "{report}");
    }
}

#[test]
fn a_dependency_upgrade_in_package_json_takes_effect_on_a_warm_run() {
    let dir = tempfile::tempdir().unwrap();
    let handler = "import express from 'express';\nconst router = express.Router();\nrouter.get('/a/:id', async (req, res) => { res.json(await load(req.params.id)); });\n";
    write_aged(dir.path(), "src/a.ts", handler, HOUR);
    write_aged(dir.path(), "package.json", r#"{"dependencies": {"express": "^4.21.0"}}"#, HOUR);
    // An audit rule: selected by name.
    let rule = ["--select", "unhandled-async-handler"];
    let (report, _) = scan(dir.path(), &rule);
    assert_eq!(rules_found(&report), ["src/a.ts:3:unhandled-async-handler"]);
    std::fs::write(dir.path().join("package.json"), r#"{"dependencies": {"express": "^5.1.0"}}"#).unwrap();
    let (report, reused) = scan(dir.path(), &rule);
    assert_eq!(reused, (1, 1));
    assert!(rules_found(&report).is_empty(), "{report}");
}

#[test]
fn a_changed_configuration_or_selection_reuses_nothing() {
    let dir = sample_project();
    scan(dir.path(), &[]);
    let (_, reused) = scan(dir.path(), &["--select", "plain-http-url"]);
    assert_eq!(reused, (0, 3));
    let (_, reused) = scan(dir.path(), &["--select", "plain-http-url"]);
    assert_eq!(reused, (3, 3));

    std::fs::write(dir.path().join("archlint.toml"), "[severity]\nplain-http-url = \"error\"\n").unwrap();
    let (report, reused) = scan(dir.path(), &[]);
    assert_eq!(reused, (0, 3));
    assert_eq!(levels(&report, "src/urls.ts"), ["error", "error"]);

    // A per-path override: the levels of that file follow it.
    std::fs::write(
        dir.path().join("archlint.toml"),
        "[severity]\nplain-http-url = \"error\"\n\n[[overrides]]\nfiles = [\"src/urls.ts\"]\nseverity = { plain-http-url = \"note\" }\n",
    )
    .unwrap();
    let (report, reused) = scan(dir.path(), &[]);
    assert_eq!(reused, (0, 3));
    assert_eq!(levels(&report, "src/urls.ts"), ["note", "note"]);
    let (again, reused) = scan(dir.path(), &[]);
    assert_eq!(reused, (3, 3));
    assert_eq!(again, report);
}

fn levels(report: &str, path: &str) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_str(report).unwrap();
    report["findings"].as_array().unwrap().iter().filter(|f| f["path"] == path).map(|f| f["level"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_corrupt_or_unwritable_cache_never_fails_a_scan() {
    let dir = sample_project();
    let (cold, _) = scan(dir.path(), &[]);
    let cache = dir.path().join(".archlint_cache");
    for entry in std::fs::read_dir(&cache).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().starts_with("scan-") {
            std::fs::write(&path, b"{\"format\": 1, \"entries\": {\"src/client.ts\": 42").unwrap();
        }
    }
    let (after_corruption, reused) = scan(dir.path(), &[]);
    assert_eq!(reused, (0, 3));
    assert_eq!(after_corruption, cold);
    let (_, reused) = scan(dir.path(), &[]);
    assert_eq!(reused, (3, 3), "the corrupt cache was replaced");

    // A cache directory that cannot be created: the scan completes, with one line on stderr.
    std::fs::write(dir.path().join("blocker"), "a file, not a directory").unwrap();
    let output = archlint(dir.path(), &["--format", "json", "--exit-zero", "--include-suppressed", "--cache-dir", "blocker/cache"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), cold);
    let warnings: Vec<_> = stderr(&output).lines().filter(|l| l.contains("cannot write the cache")).map(str::to_string).collect();
    assert_eq!(warnings.len(), 1, "{}", stderr(&output));
    let quiet = archlint(dir.path(), &["--quiet", "--exit-zero", "--cache-dir", "blocker/cache"]);
    assert!(!stderr(&quiet).contains("cache"), "{}", stderr(&quiet));
}
