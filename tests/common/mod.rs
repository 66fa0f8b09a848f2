//! Helpers the integration tests share: run the built binary, read its output, make a project.
//! Each test binary uses some of them.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// The repository root (the sample service and the fixtures are under it).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the archlint binary in `dir`, without colour and without fault injection.
pub fn archlint(dir: &Path, args: &[&str]) -> Output {
    archlint_with(dir, args, &[])
}

/// [`archlint`] with extra environment variables. Runs on the sample service keep the default
/// selection (they show what a user sees); others get [`with_url_rule`].
pub fn archlint_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let sample = args.iter().any(|a| a.contains("sample-service"));
    let args = if sample { args.to_vec() } else { with_url_rule(dir, args) };
    let mut command = Command::new(env!("CARGO_BIN_EXE_archlint"));
    command.current_dir(dir).args(&args).env("NO_COLOR", "1").env_remove("ARCHLINT_FAULT_INJECTION");
    command.envs(env.iter().copied()).output().expect("archlint runs")
}

/// The rules the end-to-end tests were written against, beside the default tiers: audit rules
/// since a held-out measurement moved them there. Many tests use `plain-http-url`'s findings (an
/// `http://` literal) as the cheapest finding there is, and the cross-file tests follow request
/// data into `ssrf` and `path-traversal` sinks.
pub const TESTED_AUDIT_RULES: &str =
    "plain-http-url,ssrf,path-traversal,missing-input-validation,insecure-cookie,db-pool-without-timeout,tls-verification-disabled";

/// The arguments with [`TESTED_AUDIT_RULES`] selected beside the default tiers. A test that
/// selects rules itself (`--select`) or whose project configures a selection (`archlint.toml`)
/// is left as it is.
static SELECTION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| format!("security,hardening,{TESTED_AUDIT_RULES}"));

pub fn with_url_rule<'a>(dir: &Path, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    let configured = std::fs::read_to_string(dir.join("archlint.toml")).is_ok_and(|config| config.contains("select"));
    // Subcommands and flags that scan nothing take no selection.
    let scans = !matches!(args.first(), Some(&("models" | "init" | "rules" | "explain" | "lsp")))
        && !args.iter().any(|a| matches!(*a, "--help" | "-h" | "--version" | "-V" | "--parse-only"));
    if scans && !args.iter().any(|a| a.starts_with("--select")) && !configured {
        all.extend(["--select", SELECTION.as_str()]);
    }
    all
}

/// (rule, path, line) of a JSON report's findings, sorted.
pub fn rule_places(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    let mut found: Vec<(String, String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().into(), f["path"].as_str().unwrap().into(), f["start"]["line"].as_u64().unwrap()))
        .collect();
    found.sort();
    found
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A temporary project holding these files (parent directories are made).
pub fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

/// Copies a directory tree (a fixture or a project) into another directory.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
