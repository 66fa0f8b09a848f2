//! What a release ships, checked against this checkout: the versions of the Python, npm and
//! pre-commit packages are Cargo.toml's, the npm launcher and its packer name the same platforms,
//! the release workflow is actionlint-clean and builds every target the GitHub Action downloads,
//! and the launcher passes arguments, output and exit status through. Building and installing
//! the packages themselves is `scripts/package-check.sh` (run by `.ci/run`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn cargo_version() -> String {
    let manifest: toml::Table = read("Cargo.toml").parse().unwrap();
    manifest["package"]["version"].as_str().unwrap().to_string()
}

/// A tool from PATH, or `None` (the test that needs it is skipped, and says so).
fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file()));
    if found.is_none() {
        eprintln!("skipped: `{name}` is not installed");
    }
    found
}

const PLATFORMS: &[&str] = &["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "win32-x64"];

#[test]
fn every_package_has_cargos_version() {
    let version = cargo_version();
    let launcher: serde_json::Value = serde_json::from_str(&read("npm/archlint/package.json")).unwrap();
    assert_eq!(launcher["version"], version.as_str());
    let optional = launcher["optionalDependencies"].as_object().unwrap();
    let mut names: Vec<String> = optional.keys().cloned().collect();
    let mut expected: Vec<String> = PLATFORMS.iter().map(|p| format!("@archlint/cli-{p}")).collect();
    names.sort();
    expected.sort();
    assert_eq!(names, expected, "one optional dependency per platform");
    assert!(optional.values().all(|v| v == version.as_str()), "{optional:?}");

    let mirror: toml::Table = read("pre-commit-mirror/pyproject.toml").parse().unwrap();
    assert_eq!(mirror["project"]["version"].as_str(), Some(version.as_str()));
    assert_eq!(mirror["project"]["dependencies"][0].as_str(), Some(format!("archlint=={version}").as_str()));
    let python: toml::Table = read("pyproject.toml").parse().unwrap();
    assert_eq!(python["project"]["dynamic"][0].as_str(), Some("version"), "the wheel takes Cargo.toml's version");
    assert_eq!(python["tool"]["maturin"]["bindings"].as_str(), Some("bin"));
}

#[test]
fn the_launcher_and_the_packer_name_the_same_platforms() {
    let launcher = read("npm/archlint/bin/archlint.js");
    let packer = read("npm/pack.py");
    let workflow = read(".github/workflows/release.yml");
    for platform in PLATFORMS {
        let (os, cpu) = platform.split_once('-').unwrap();
        assert!(launcher.contains(&format!("\"{os} {cpu}\": \"@archlint/cli-{platform}\"")), "archlint.js lacks {platform}");
        assert!(packer.contains(&format!("\"{platform}\": (\"{os}\", \"{cpu}\")")), "pack.py lacks {platform}");
        assert!(workflow.contains(&format!("npm: {platform} }}")), "release.yml builds no binary for the npm package {platform}");
    }
}

#[test]
fn the_release_builds_every_target_the_action_downloads() {
    let action = read("action.yml");
    let workflow = read(".github/workflows/release.yml");
    let targets: Vec<&str> =
        action.lines().filter_map(|l| l.split_once("target=").map(|(_, t)| t.trim_end_matches(" ;;").trim())).collect();
    assert!(targets.len() >= 4, "{targets:?}");
    for target in targets {
        assert!(workflow.contains(&format!("target: {target},")), "the action downloads archlint-{target}.tar.gz, which no release builds");
    }
}

#[test]
fn the_release_workflow_passes_actionlint() {
    let Some(actionlint) = tool("actionlint") else { return };
    let output = Command::new(actionlint).arg("-no-color").arg(repo().join(".github/workflows/release.yml")).output().unwrap();
    assert!(output.status.success(), "{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
}

#[test]
fn the_npm_launcher_passes_arguments_output_and_status_through() {
    let Some(node) = tool("node") else { return };
    let launcher = repo().join("npm/archlint/bin/archlint.js");
    let run = |args: &[&str]| {
        Command::new(&node).arg(&launcher).args(args).env("ARCHLINT_BINARY", env!("CARGO_BIN_EXE_archlint")).output().unwrap()
    };
    let version = run(&["--version"]);
    assert_eq!(String::from_utf8_lossy(&version.stdout).trim(), format!("archlint {}", cargo_version()));
    assert_eq!(version.status.code(), Some(0));
    let bad = run(&["--no-such-option"]);
    assert_eq!(bad.status.code(), Some(2), "usage errors keep their status");
    let sample = run(&[repo().join("examples/sample-service").to_str().unwrap(), "--quiet", "--no-cache"]);
    assert_eq!(sample.status.code(), Some(1), "findings keep their status");

    // Without a binary of its own and without the platform package, one line says what to do.
    let missing = Command::new(&node)
        .arg(&launcher)
        .arg("--version")
        .env_remove("ARCHLINT_BINARY")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    let message = String::from_utf8_lossy(&missing.stderr);
    assert!(message.starts_with("archlint: error: @archlint/cli-") && message.lines().count() == 1, "{message}");
}
