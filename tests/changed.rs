//! Changed code and hook mode, in real temporary git repositories: `--diff REF` and `--staged`
//! report only findings on new lines while the whole project is scanned, and files named on the
//! command line are reported alone but still see the project's facts.

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::*;

fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=archlint tests", "-c", "user.email=tests@archlint.invalid", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A git repository with these files committed.
fn repository(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "--quiet"]);
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    git(dir.path(), &["add", "--all"]);
    git(dir.path(), &["commit", "--quiet", "--allow-empty", "-m", "start"]);
    dir
}

/// (kind, path) of each notice in a JSON report.
fn notices(output: &Output) -> Vec<(String, String)> {
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    report["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["kind"].as_str().unwrap().to_string(), n["path"].as_str().unwrap().to_string()))
        .collect()
}

/// (path, line) of each finding in a JSON report.
fn findings(output: &Output) -> Vec<(String, u64)> {
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(output)));
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), f["start"]["line"].as_u64().unwrap()))
        .collect()
}

const OLD: &str = "export const billing = 'http://billing.acme-corp.com/v1';\n";
const NEW: &str = "export const reports = 'http://reports.acme-corp.com/v2';\n";

#[test]
fn diff_reports_only_findings_on_new_lines_in_every_format() {
    let repo = repository(&[("src/client.ts", OLD), ("src/broken.ts", "export const = ;\n")]);
    // Lines inserted above the old finding move it; a new finding comes after it.
    write(repo.path(), "src/client.ts", &format!("// a\n// b\n// c\n{OLD}{NEW}"));

    let all = archlint(repo.path(), &["--format", "json"]);
    assert_eq!(findings(&all).len(), 2);
    assert_eq!(notices(&all), [("parse-error".to_string(), "src/broken.ts".to_string())]);
    let changed = archlint(repo.path(), &["--diff", "HEAD", "--format", "json"]);
    assert_eq!(changed.status.code(), Some(1));
    assert_eq!(findings(&changed), [("src/client.ts".to_string(), 5)]);
    assert_eq!(notices(&changed), [], "notices about unchanged files are left out too");
    assert!(stderr(&changed).contains("1 finding on unchanged lines not shown"), "{}", stderr(&changed));

    let sarif = archlint(repo.path(), &["--diff", "HEAD", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 5);
    let github = archlint(repo.path(), &["--diff", "HEAD", "--format", "github"]);
    let annotations = String::from_utf8(github.stdout).unwrap();
    assert_eq!(annotations.lines().filter(|l| l.starts_with("::")).count(), 1, "{annotations}");
    assert!(annotations.contains("line=5"), "{annotations}");

    // Against the commit itself nothing changed; the old finding alone is not new.
    git(repo.path(), &["commit", "--quiet", "-am", "more"]);
    let clean = archlint(repo.path(), &["--diff", "HEAD", "--format", "json"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
    assert_eq!(findings(&clean), []);
    let since_start = archlint(repo.path(), &["--diff", "HEAD~1", "--format", "json"]);
    assert_eq!(findings(&since_start), [("src/client.ts".to_string(), 5)]);
}

#[test]
fn diff_composes_with_a_baseline() {
    let repo = repository(&[("src/client.ts", OLD)]);
    write(repo.path(), "src/client.ts", &format!("{OLD}{NEW}"));
    let baseline = repo.path().join("baseline.json");
    // A baseline that knows both findings leaves nothing new on the changed line.
    assert_eq!(archlint(repo.path(), &["--write-baseline", baseline.to_str().unwrap()]).status.code(), Some(0));
    let output = archlint(repo.path(), &["--diff", "HEAD", "--baseline", baseline.to_str().unwrap(), "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(findings(&output), []);
    // A baseline from before the change: the new line's finding is new on both counts.
    write(repo.path(), "src/client.ts", OLD);
    assert_eq!(archlint(repo.path(), &["--write-baseline", baseline.to_str().unwrap()]).status.code(), Some(0));
    write(repo.path(), "src/client.ts", &format!("// moved\n{OLD}{NEW}"));
    let output = archlint(repo.path(), &["--diff", "HEAD", "--baseline", baseline.to_str().unwrap(), "--format", "json"]);
    assert_eq!(findings(&output), [("src/client.ts".to_string(), 3)]);
    let refused = archlint(repo.path(), &["--diff", "HEAD", "--write-baseline", baseline.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2), "a baseline records every finding, not the changed ones");
}

#[test]
fn new_untracked_renamed_and_deleted_files() {
    let padding = "// unchanged\n".repeat(10);
    let repo = repository(&[("src/old.ts", OLD), ("src/moved.ts", &format!("{OLD}{padding}")), ("src/gone.ts", OLD)]);
    git(repo.path(), &["mv", "src/moved.ts", "src/renamed.ts"]);
    write(repo.path(), "src/renamed.ts", &format!("{OLD}{padding}{NEW}"));
    git(repo.path(), &["rm", "--quiet", "src/gone.ts"]);
    write(repo.path(), "src/added.ts", NEW);
    git(repo.path(), &["add", "src/added.ts"]);
    write(repo.path(), "src/untracked.ts", NEW);

    let output = archlint(repo.path(), &["--diff", "HEAD", "--format", "json"]);
    assert_eq!(
        findings(&output),
        [("src/added.ts".to_string(), 1), ("src/renamed.ts".to_string(), 12), ("src/untracked.ts".to_string(), 1)],
        "a renamed file reports its changed line only; new files report every line"
    );
}

#[test]
fn staged_reports_only_staged_lines_where_they_are_in_the_working_tree() {
    let repo = repository(&[("src/client.ts", OLD)]);
    write(repo.path(), "src/client.ts", &format!("{OLD}{NEW}"));
    git(repo.path(), &["add", "src/client.ts"]);
    // Not staged: a new finding above the staged one, and a new file.
    write(repo.path(), "src/client.ts", &format!("{NEW}{OLD}{NEW}"));
    write(repo.path(), "src/draft.ts", NEW);

    let staged = archlint(repo.path(), &["--staged", "--format", "json"]);
    assert_eq!(staged.status.code(), Some(1), "{}", stderr(&staged));
    assert_eq!(findings(&staged), [("src/client.ts".to_string(), 3)], "the staged line, moved down by the unstaged one");
    let diff = archlint(repo.path(), &["--diff", "HEAD", "--format", "json"]);
    assert_eq!(findings(&diff).len(), 3, "--diff sees the working tree");

    git(repo.path(), &["reset", "--quiet"]);
    let nothing_staged = archlint(repo.path(), &["--staged", "--format", "json"]);
    assert_eq!(nothing_staged.status.code(), Some(0));
    assert_eq!(findings(&nothing_staged), []);
}

#[test]
fn paths_line_up_when_the_project_is_a_subdirectory_of_the_repository() {
    let repo = repository(&[("services/api/archlint.toml", ""), ("services/api/src/client.ts", OLD), ("web/app.ts", OLD)]);
    write(repo.path(), "services/api/src/client.ts", &format!("{OLD}{NEW}"));
    write(repo.path(), "web/app.ts", &format!("{OLD}{NEW}"));
    let api = repo.path().join("services/api");
    let output = archlint(&api, &["--diff", "HEAD", "--format", "json"]);
    // Machine-readable paths start at the repository root, wherever the configuration lies.
    assert_eq!(findings(&output), [("services/api/src/client.ts".to_string(), 2)]);
}

#[test]
fn git_errors_are_one_line_and_exit_2() {
    let repo = repository(&[("a.ts", OLD)]);
    let bad_ref = archlint(repo.path(), &["--diff", "no-such-branch"]);
    assert_eq!(bad_ref.status.code(), Some(2));
    assert_eq!(stderr(&bad_ref).trim(), "archlint: error: --diff: unknown git ref `no-such-branch` (give a commit, branch or tag)");
    let option_like = archlint(repo.path(), &["--diff=--output=x"]);
    assert_eq!(option_like.status.code(), Some(2), "a ref is never read as a git option");
    assert!(!repo.path().join("x").exists());

    let plain = tempfile::tempdir().unwrap();
    write(plain.path(), "a.ts", OLD);
    let not_a_repo = archlint(plain.path(), &["--staged"]);
    assert_eq!(not_a_repo.status.code(), Some(2));
    assert_eq!(stderr(&not_a_repo).trim().lines().count(), 1, "{}", stderr(&not_a_repo));
    assert!(stderr(&not_a_repo).contains("--staged needs a git repository"), "{}", stderr(&not_a_repo));

    let no_git = Command::new(env!("CARGO_BIN_EXE_archlint"))
        .current_dir(repo.path())
        .args(["--diff", "HEAD"])
        .env("PATH", plain.path())
        .output()
        .unwrap();
    assert_eq!(no_git.status.code(), Some(2));
    assert_eq!(stderr(&no_git).trim(), "archlint: error: --diff needs git, and git was not found");
}

#[test]
fn named_files_are_reported_alone_with_the_projects_facts() {
    let client = "import axios from 'axios';\nexport const get = (id: string) => axios.get(`https://api.acme.io/${id}`);\n";
    let setup = format!("import axios from 'axios';\naxios.defaults.timeout = 5000;\n{OLD}");
    let repo = repository(&[("src/client.ts", client), ("src/setup.ts", &setup), ("src/broken.ts", "export const = ;\n")]);

    // `axios.defaults.timeout` in setup.ts answers the call in client.ts, and setup.ts's own
    // finding is not reported: only the named file is.
    let hook = archlint(repo.path(), &["src/client.ts", "--format", "json"]);
    assert_eq!(hook.status.code(), Some(0), "{}", String::from_utf8_lossy(&hook.stdout));
    assert_eq!(findings(&hook), []);
    assert_eq!(notices(&hook), [], "nor notices about other files");
    let from_inside = archlint(&repo.path().join("src"), &["client.ts", "--format", "json"]);
    assert_eq!(findings(&from_inside), []);

    let alone = archlint(repo.path(), &["src/client.ts", "--no-project-context", "--format", "json"]);
    assert_eq!(findings(&alone), [("src/client.ts".to_string(), 2)]);
    let whole = archlint(repo.path(), &["--format", "json"]);
    assert_eq!(findings(&whole), [("src/setup.ts".to_string(), 3)]);

    // The other direction: a NestJS bootstrap without a global ValidationPipe is a finding only
    // if some controller takes a DTO, and the controller is not the file named.
    let controller = "import { Body, Controller, Post } from '@nestjs/common';\n@Controller('u')\nexport class U {\n  @Post() create(@Body() dto: CreateUserDto) { return dto; }\n}\n";
    let main = "import { NestFactory } from '@nestjs/core';\nasync function boot() { const app = await NestFactory.create(AppModule); await app.listen(3000); }\n";
    let nest = repository(&[("src/main.ts", main), ("src/users.controller.ts", controller)]);
    let select = ["--select", "missing-input-validation", "--format", "json"];
    let hook = archlint(nest.path(), &[&["src/main.ts"], &select[..]].concat());
    assert_eq!(findings(&hook), [("src/main.ts".to_string(), 2)]);
    let alone = archlint(nest.path(), &[&["src/main.ts", "--no-project-context"], &select[..]].concat());
    assert_eq!(findings(&alone), []);
}
