//! The GitHub Action (`action.yml`), tested as close to the way GitHub runs it as this machine
//! allows: its metadata is checked for consistency, the documentation's copy-paste workflow is
//! linted with actionlint (which reads action.yml for the `uses: ./` step and checks its inputs),
//! the shell steps pass shellcheck, and the composite steps run here with bash, as the runner
//! runs them, on temporary git repositories: inputs and step outputs substituted, `if:`
//! conditions evaluated, `GITHUB_OUTPUT`, `GITHUB_ENV` and `GITHUB_PATH` honoured. The `uses:`
//! steps (actions/cache, github/codeql-action/upload-sarif) talk to GitHub's servers and do not
//! run here; the tests check what they would be given.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use yaml_rust2::{Yaml, YamlLoader};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn archlint_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_archlint"))
}

// ---- action.yml as data ----

struct Action {
    inputs: Vec<Input>,
    outputs: Vec<(String, String)>,
    steps: Vec<Step>,
}

struct Input {
    name: String,
    default: String,
    description: String,
}

#[derive(Default)]
struct Step {
    name: String,
    id: Option<String>,
    condition: Option<String>,
    shell: Option<String>,
    run: Option<String>,
    uses: Option<String>,
    env: Vec<(String, String)>,
    with: Vec<(String, String)>,
}

fn scalar(yaml: &Yaml) -> Option<String> {
    match yaml {
        Yaml::String(text) | Yaml::Real(text) => Some(text.clone()),
        Yaml::Boolean(value) => Some(value.to_string()),
        Yaml::Integer(value) => Some(value.to_string()),
        _ => None,
    }
}

fn pairs(yaml: &Yaml) -> Vec<(String, String)> {
    let Some(hash) = yaml.as_hash() else { return Vec::new() };
    hash.iter().map(|(key, value)| (scalar(key).expect("a scalar key"), scalar(value).expect("a scalar value"))).collect()
}

fn load_action() -> Action {
    let text = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    let documents = YamlLoader::load_from_str(&text).expect("action.yml is valid YAML");
    let action = &documents[0];
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let inputs = action["inputs"]
        .as_hash()
        .expect("inputs")
        .iter()
        .map(|(name, input)| Input {
            name: scalar(name).unwrap(),
            default: scalar(&input["default"]).unwrap_or_default(),
            description: scalar(&input["description"]).unwrap_or_default(),
        })
        .collect();
    let outputs = action["outputs"]
        .as_hash()
        .map(|outputs| outputs.iter().map(|(name, output)| (scalar(name).unwrap(), scalar(&output["value"]).unwrap())).collect())
        .unwrap_or_default();
    let steps = action["runs"]["steps"]
        .as_vec()
        .expect("steps")
        .iter()
        .map(|step| Step {
            name: scalar(&step["name"]).expect("every step has a name"),
            id: scalar(&step["id"]),
            condition: scalar(&step["if"]),
            shell: scalar(&step["shell"]),
            run: scalar(&step["run"]),
            uses: scalar(&step["uses"]),
            env: pairs(&step["env"]),
            with: pairs(&step["with"]),
        })
        .collect();
    Action { inputs, outputs, steps }
}

/// The `${{ … }}` expressions in a text.
fn expressions(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let end = rest[start..].find("}}").expect("an expression is closed") + start;
        found.push(rest[start + 3..end].trim());
        rest = &rest[end + 2..];
    }
    found
}

/// What an expression can see: the inputs and the outputs of the steps so far.
struct Scope<'a> {
    inputs: &'a HashMap<String, String>,
    outputs: &'a HashMap<String, HashMap<String, String>>,
}

impl Scope<'_> {
    /// The value of one of the few kinds of expression action.yml may use.
    fn value(&self, expression: &str) -> String {
        let expression = expression.trim();
        if let Some(name) = expression.strip_prefix("inputs.") {
            return self.inputs.get(name).unwrap_or_else(|| panic!("`{expression}`: no such input")).clone();
        }
        if let Some(rest) = expression.strip_prefix("steps.") {
            let (id, output) = rest.split_once(".outputs.").unwrap_or_else(|| panic!("`{expression}` is not a step output"));
            return self.outputs.get(id).and_then(|outputs| outputs.get(output)).cloned().unwrap_or_default();
        }
        match expression {
            "runner.os" => "Linux".into(),
            "runner.arch" => "X64".into(),
            "github.action_ref" => "v0.1.0".into(),
            _ => panic!("`{expression}`: the local runner does not know this expression; keep action.yml to inputs, step outputs, runner.os/arch and github.action_ref"),
        }
    }

    fn substitute(&self, text: &str) -> String {
        let mut result = text.to_string();
        for expression in expressions(text) {
            result = result.replacen(&format!("${{{{ {expression} }}}}"), &self.value(expression), 1);
        }
        assert!(!result.contains("${{"), "write expressions as `${{{{ expr }}}}`: {text}");
        result
    }

    /// An `if:` of clauses `X == 'literal'` or `X != 'literal'` joined by `&&`. Status functions
    /// such as `always()` are refused: every step runs only while the ones before it succeed.
    fn condition(&self, condition: &str) -> bool {
        let condition = condition.trim();
        let condition = condition.strip_prefix("${{").and_then(|c| c.strip_suffix("}}")).unwrap_or(condition);
        let literal = |text: &str| {
            let text = text.trim();
            text.strip_prefix('\'')
                .and_then(|t| t.strip_suffix('\''))
                .unwrap_or_else(|| panic!("`{text}` is not a quoted literal"))
                .to_string()
        };
        condition.split("&&").all(|clause| {
            if let Some((left, right)) = clause.split_once("!=") {
                self.value(left) != literal(right)
            } else if let Some((left, right)) = clause.split_once("==") {
                self.value(left) == literal(right)
            } else {
                panic!("the local runner does not understand the condition `{clause}`")
            }
        })
    }
}

// ---- the metadata ----

#[test]
fn metadata_is_consistent() {
    let action = load_action();
    let declared: HashMap<String, String> = action.inputs.iter().map(|i| (i.name.clone(), i.default.clone())).collect();
    for input in &action.inputs {
        assert!(!input.description.is_empty(), "input `{}` has no description", input.name);
    }
    let no_outputs = HashMap::new();
    let scope = Scope { inputs: &declared, outputs: &no_outputs };
    let mut seen_ids: Vec<&str> = Vec::new();
    for step in &action.steps {
        let texts = step.env.iter().chain(&step.with).map(|(_, value)| value.as_str()).chain(step.condition.as_deref());
        for expression in texts.flat_map(expressions) {
            if let Some(rest) = expression.strip_prefix("steps.") {
                let (id, output) = rest.split_once(".outputs.").unwrap();
                let writer = action.steps.iter().find(|s| s.id.as_deref() == Some(id)).unwrap_or_else(|| panic!("no step `{id}`"));
                assert!(seen_ids.contains(&id), "step `{}` reads `{id}`, which runs after it", step.name);
                assert!(
                    writer.run.as_deref().unwrap_or("").contains(&format!("{output}=")),
                    "step `{id}` never writes the output `{output}`"
                );
            } else {
                scope.value(expression);
            }
        }
        if let Some(condition) = &step.condition {
            scope.condition(condition);
        }
        match (&step.run, &step.uses) {
            (Some(run), None) => {
                assert_eq!(step.shell.as_deref(), Some("bash"), "step `{}`: a composite run step needs `shell: bash`", step.name);
                assert!(
                    !run.contains("${{"),
                    "step `{}`: pass inputs through `env:`; an expression in a script is parsed as shell",
                    step.name
                );
            }
            (None, Some(uses)) => assert!(uses.contains('@'), "`{uses}` is not pinned to a version"),
            _ => panic!("step `{}` needs exactly one of `run` and `uses`", step.name),
        }
        seen_ids.extend(step.id.as_deref());
    }
    for (name, value) in &action.outputs {
        for expression in expressions(value) {
            if let Some(rest) = expression.strip_prefix("steps.") {
                let id = rest.split('.').next().unwrap();
                assert!(seen_ids.contains(&id), "output `{name}` reads a step `{id}` that does not exist");
            } else {
                scope.value(expression);
            }
        }
    }
}

/// A tool from PATH, or `None` with the reason printed: the test that needs it is skipped.
/// `.ci/run` installs both from PyPI (`.ci/requirements.txt`).
fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file()));
    if found.is_none() {
        eprintln!("skipped: `{name}` is not installed (`python3 -m pip install -r .ci/requirements.txt` installs it)");
    }
    found
}

#[test]
fn run_scripts_pass_shellcheck() {
    let Some(shellcheck) = tool("shellcheck") else { return };
    let scratch = tempfile::tempdir().unwrap();
    for (index, step) in load_action().steps.iter().enumerate() {
        let Some(run) = &step.run else { continue };
        // The runner's own prologue: `bash --noprofile --norc -eo pipefail`.
        let script = scratch.path().join(format!("step-{index}.sh"));
        std::fs::write(&script, format!("#!/usr/bin/env bash\nset -eo pipefail\n{run}")).unwrap();
        let output = Command::new(&shellcheck).args(["--shell=bash", "--severity=style"]).arg(&script).output().unwrap();
        assert!(output.status.success(), "step `{}`:\n{}", step.name, String::from_utf8_lossy(&output.stdout));
    }
}

/// The copy-paste workflow in docs/github-action.md, pointed at this checkout (`uses: ./`).
fn documented_workflow() -> String {
    let docs = std::fs::read_to_string(repo().join("docs/github-action.md")).unwrap();
    let block = docs
        .split("```yaml\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap())
        .find(|block| block.contains("uses: archlint/archlint@"))
        .expect("docs/github-action.md has a workflow that uses the action");
    let re = regex::Regex::new(r"uses: archlint/archlint@\S+").unwrap();
    re.replace_all(block, "uses: ./").into_owned()
}

/// The workflow block of a Markdown file: the first YAML block that uses the action.
fn workflow_block(path: &str) -> String {
    let text = std::fs::read_to_string(repo().join(path)).unwrap();
    text.split("```yaml\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap().to_string())
        .find(|block| block.contains("uses: archlint/archlint@"))
        .unwrap_or_else(|| panic!("{path} has a workflow that uses the action"))
}

#[test]
fn the_readme_shows_the_same_workflow_as_the_action_docs() {
    assert_eq!(workflow_block("README.md"), workflow_block("docs/github-action.md"), "one snippet to copy, tested once");
}

fn actionlint(actionlint: &Path, workflow: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "--quiet"]);
    std::fs::copy(repo().join("action.yml"), dir.path().join("action.yml")).unwrap();
    std::fs::create_dir_all(dir.path().join(".github/workflows")).unwrap();
    std::fs::write(dir.path().join(".github/workflows/archlint.yml"), workflow).unwrap();
    Command::new(actionlint).arg("-no-color").current_dir(dir.path()).output().unwrap()
}

#[test]
fn documented_workflow_passes_actionlint() {
    let Some(linter) = tool("actionlint") else { return };
    let workflow = documented_workflow();
    let output = actionlint(&linter, &workflow);
    assert!(output.status.success(), "{workflow}\n{}", String::from_utf8_lossy(&output.stdout));

    // actionlint really reads action.yml: an input it does not declare is an error.
    let wrong =
        "on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./\n        with:\n          not-an-input: x\n";
    let output = actionlint(&linter, wrong);
    assert!(!output.status.success(), "{wrong}");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("\"not-an-input\" is not defined"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

// ---- running the steps ----

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=archlint tests", "-c", "user.email=tests@archlint.invalid", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A job's surroundings: the checked-out repository, the event, and a PATH.
struct Job {
    workspace: PathBuf,
    event_name: &'static str,
    event: Option<serde_json::Value>,
    base_ref: &'static str,
    /// Directories put first on PATH (one holding the archlint under test, or none).
    path_first: Vec<PathBuf>,
    /// The runner's home directory (where builds are cached); a fresh one when `None`.
    home: Option<PathBuf>,
    /// Stop before this step, as if the job were cancelled there.
    stop_before: Option<&'static str>,
}

impl Job {
    fn new(workspace: &Path, event_name: &'static str, path_first: Vec<PathBuf>) -> Job {
        Job { workspace: workspace.into(), event_name, event: None, base_ref: "", path_first, home: None, stop_before: None }
    }
}

struct StepRun {
    name: String,
    /// Skipped by its condition, or because an earlier step failed.
    skipped: bool,
    status: i32,
    stdout: String,
    /// A `uses:` step: what it would be given.
    with: HashMap<String, String>,
}

struct ActionRun {
    steps: Vec<StepRun>,
    outputs: HashMap<String, String>,
    /// What the action left in `GITHUB_ENV` for the rest of the job.
    job_env: String,
    _scratch: tempfile::TempDir,
}

impl ActionRun {
    fn step(&self, name: &str) -> &StepRun {
        self.steps.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no step `{name}`"))
    }
    fn succeeded(&self) -> bool {
        self.steps.iter().all(|s| s.skipped || s.status == 0)
    }
}

/// PATH without any directory that holds an `archlint`, so only the one a test chooses is found.
fn system_path() -> Vec<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).filter(|dir| !dir.join("archlint").exists()).collect()
}

/// Runs the composite action's steps as the runner would, with these inputs over the defaults.
fn run_action(job: &Job, given: &[(&str, &str)]) -> ActionRun {
    let action = load_action();
    let scratch = tempfile::tempdir().unwrap();
    let home = job.home.clone().unwrap_or_else(|| scratch.path().join("home"));
    std::fs::create_dir_all(&home).unwrap();
    let github_env = scratch.path().join("github_env");
    let github_path = scratch.path().join("github_path");
    std::fs::write(&github_env, "").unwrap();
    std::fs::write(&github_path, "").unwrap();
    let event_path = scratch.path().join("event.json");
    if let Some(event) = &job.event {
        std::fs::write(&event_path, event.to_string()).unwrap();
    }

    let mut inputs: HashMap<String, String> = action.inputs.iter().map(|i| (i.name.clone(), i.default.clone())).collect();
    for (name, value) in given {
        assert!(inputs.insert(name.to_string(), value.to_string()).is_some(), "the action has no input `{name}`");
    }
    let mut outputs: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut runs = Vec::new();
    let mut failed = false;
    for (index, step) in action.steps.iter().enumerate() {
        let scope = Scope { inputs: &inputs, outputs: &outputs };
        let mut run = StepRun { name: step.name.clone(), skipped: true, status: 0, stdout: String::new(), with: HashMap::new() };
        failed |= job.stop_before == Some(step.name.as_str());
        if failed || !step.condition.as_deref().is_none_or(|c| scope.condition(c)) {
            runs.push(run);
            continue;
        }
        run.skipped = false;
        if step.uses.is_some() {
            run.with = step.with.iter().map(|(name, value)| (name.clone(), scope.substitute(value))).collect();
            runs.push(run);
            continue;
        }
        let script = scratch.path().join(format!("step-{index}.sh"));
        std::fs::write(&script, step.run.as_deref().unwrap()).unwrap();
        let github_output = scratch.path().join(format!("output-{index}"));
        std::fs::write(&github_output, "").unwrap();
        // GITHUB_PATH entries go first, the latest first.
        let added: Vec<PathBuf> = std::fs::read_to_string(&github_path).unwrap().lines().rev().map(PathBuf::from).collect();
        let path = std::env::join_paths(added.into_iter().chain(job.path_first.iter().cloned()).chain(system_path())).unwrap();
        let mut command = Command::new("bash");
        command.args(["--noprofile", "--norc", "-eo", "pipefail"]).arg(&script).current_dir(&job.workspace).env_clear();
        command
            .env("PATH", path)
            .env("HOME", &home)
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_ACTION_PATH", repo())
            .env("GITHUB_WORKSPACE", &job.workspace)
            .env("GITHUB_EVENT_NAME", job.event_name)
            .env("GITHUB_EVENT_PATH", &event_path)
            .env("GITHUB_BASE_REF", job.base_ref)
            .env("GITHUB_ENV", &github_env)
            .env("GITHUB_PATH", &github_path)
            .env("GITHUB_OUTPUT", &github_output);
        for line in std::fs::read_to_string(&github_env).unwrap().lines() {
            let (name, value) = line.split_once('=').expect("GITHUB_ENV holds NAME=value lines");
            command.env(name, value);
        }
        for (name, value) in &step.env {
            command.env(name, scope.substitute(value));
        }
        let output = command.output().expect("bash runs");
        run.status = output.status.code().unwrap_or(-1);
        run.stdout = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        failed = run.status != 0;
        let written = std::fs::read_to_string(&github_output).unwrap();
        if let Some(id) = &step.id {
            let values = written.lines().map(|l| l.split_once('=').expect("GITHUB_OUTPUT holds name=value lines"));
            outputs.entry(id.clone()).or_default().extend(values.map(|(n, v)| (n.to_string(), v.to_string())));
        }
        runs.push(run);
    }
    let scope = Scope { inputs: &inputs, outputs: &outputs };
    let action_outputs = action.outputs.iter().map(|(name, value)| (name.clone(), scope.substitute(value))).collect();
    ActionRun { steps: runs, outputs: action_outputs, job_env: std::fs::read_to_string(&github_env).unwrap(), _scratch: scratch }
}

/// A directory holding only the archlint under test, for the front of PATH.
fn archlint_on_path() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(archlint_binary(), dir.path().join("archlint")).unwrap();
    dir
}

const TLS_OFF: &str = "export const agent = new https.Agent({ rejectUnauthorized: false });\n";
/// `tls-verification-disabled` is an audit rule: these workspaces turn it on, as a team would.
const TLS_SELECTED: &str = "extend-select = [\"tls-verification-disabled\"]\n";
const NO_TIMEOUT: &str =
    "import axios from 'axios';\nexport const billing = axios.create({ baseURL: 'https://billing.acme-corp.com/v1' });\n";

fn sarif_results(path: &Path) -> Vec<(String, String, u64)> {
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("the SARIF report exists")).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let location = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap().to_string(),
                location["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                location["region"]["startLine"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn annotations(run: &StepRun) -> Vec<&str> {
    run.stdout.lines().filter(|line| line.starts_with("::error file=") || line.starts_with("::warning file=")).collect()
}

#[cfg(unix)]
#[test]
fn push_scans_everything_writes_sarif_and_fails_on_errors() {
    let workspace = tempfile::tempdir().unwrap();
    write(workspace.path(), "archlint.toml", TLS_SELECTED);
    write(workspace.path(), "src/agent.ts", &format!("import https from 'https';\n{TLS_OFF}"));
    write(workspace.path(), "src/billing.ts", NO_TIMEOUT);
    git(workspace.path(), &["init", "--quiet"]);
    let bin = archlint_on_path();
    let job = Job::new(workspace.path(), "push", vec![bin.path().into()]);

    let run = run_action(&job, &[]);
    let locate = run.step("Find archlint");
    assert!(locate.stdout.contains("from PATH"), "{}", locate.stdout);
    assert!(run.step("Cache the archlint build").skipped && run.step("Build archlint").skipped, "nothing to build");
    assert!(run.step("Find the pull request's base").skipped);
    let scan = run.step("Scan");
    assert_eq!(scan.status, 0, "{}", scan.stdout);
    assert_eq!(
        sarif_results(&workspace.path().join("archlint.sarif")),
        [
            ("tls-verification-disabled".to_string(), "src/agent.ts".to_string(), 2),
            ("http-client-without-timeout".to_string(), "src/billing.ts".to_string(), 2)
        ]
    );
    assert_eq!(annotations(scan).len(), 2, "{}", scan.stdout);
    let upload = run.step("Upload SARIF");
    assert!(!upload.skipped);
    assert_eq!(upload.with["sarif_file"], "archlint.sarif");
    assert_eq!(upload.with["category"], "archlint");
    let fail = run.step("Fail on findings");
    assert_eq!(fail.status, 1);
    assert!(fail.stdout.contains("::error::archlint found problems at or above 'error'"), "{}", fail.stdout);
    assert_eq!(run.outputs["status"], "1");
    assert_eq!(run.outputs["sarif-file"], "archlint.sarif");
    assert_eq!(run.job_env, "", "the action leaves the job's environment alone");

    // `fail-on: never` reports and passes; no upload when it is off; other paths and files.
    let run =
        run_action(&job, &[("fail-on", "never"), ("upload", "false"), ("args", "src/billing.ts"), ("sarif-file", "out/report.sarif")]);
    assert!(run.succeeded(), "{}", run.step("Scan").stdout);
    assert!(run.step("Upload SARIF").skipped && run.step("Fail on findings").skipped);
    assert_eq!(run.outputs["status"], "");
    assert_eq!(sarif_results(&workspace.path().join("out/report.sarif")).len(), 1);

    // A warning passes `fail-on: error`; a configuration error fails the scan itself.
    let run = run_action(&job, &[("args", "src/billing.ts")]);
    assert!(run.succeeded());
    assert_eq!(run.outputs["status"], "0");
    let run = run_action(&job, &[("args", ". --select no-such-rule")]);
    assert_eq!(run.step("Scan").status, 2, "{}", run.step("Scan").stdout);
    assert!(run.step("Upload SARIF").skipped && run.step("Fail on findings").skipped);
}

/// A pull request as GitHub checks it out: an upstream repository whose base branch has an old
/// finding, a pull request commit, the merge commit GitHub makes, and a shallow clone of that
/// merge commit (actions/checkout's default), which lacks the base commit.
struct PullRequest {
    _upstream: tempfile::TempDir,
    workspace: tempfile::TempDir,
    base: String,
}

fn pull_request(change: impl Fn(&Path)) -> PullRequest {
    let upstream = tempfile::tempdir().unwrap();
    let dir = upstream.path();
    git(dir, &["init", "--quiet", "--initial-branch=main"]);
    write(dir, "archlint.toml", TLS_SELECTED);
    write(dir, "src/agent.ts", &format!("import https from 'https';\n{TLS_OFF}"));
    git(dir, &["add", "--all"]);
    git(dir, &["commit", "--quiet", "-m", "base"]);
    let base = git(dir, &["rev-parse", "HEAD"]);
    git(dir, &["checkout", "--quiet", "-b", "feature"]);
    change(dir);
    git(dir, &["commit", "--quiet", "-am", "change"]);
    git(dir, &["checkout", "--quiet", "--detach", "main"]);
    git(dir, &["merge", "--quiet", "--no-ff", "-m", "merge", "feature"]);
    git(dir, &["branch", "pull-merge"]);
    // GitHub serves any commit reachable from a ref by its id.
    git(dir, &["config", "uploadpack.allowReachableSHA1InWant", "true"]);

    let workspace = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.display());
    git(workspace.path(), &["clone", "--quiet", "--depth=1", "--branch", "pull-merge", &url, "."]);
    let has_base =
        Command::new("git").current_dir(workspace.path()).args(["cat-file", "-e", &format!("{base}^{{commit}}")]).output().unwrap();
    assert!(!has_base.status.success(), "a shallow clone of the merge commit lacks the base commit");
    PullRequest { _upstream: upstream, workspace, base }
}

#[cfg(unix)]
#[test]
fn changed_only_on_a_pull_request_reports_only_the_changed_lines() {
    // Lines inserted above the old finding, and a new finding at the end.
    let pr = pull_request(|dir| write(dir, "src/agent.ts", &format!("// a\n// b\nimport https from 'https';\n{TLS_OFF}{TLS_OFF}")));
    let bin = archlint_on_path();
    let event = serde_json::json!({ "pull_request": { "base": { "sha": pr.base, "ref": "main" } } });
    let job = Job { event: Some(event), base_ref: "main", ..Job::new(pr.workspace.path(), "pull_request", vec![bin.path().into()]) };

    let run = run_action(&job, &[("changed-only", "true")]);
    let base = run.step("Find the pull request's base");
    assert_eq!(base.status, 0, "{}", base.stdout);
    if Command::new("jq").arg("--version").output().is_ok() {
        assert!(base.stdout.contains(&format!("since {}", pr.base)), "the event's base commit: {}", base.stdout);
    }
    let scan = run.step("Scan");
    assert_eq!(scan.status, 0, "{}", scan.stdout);
    // Code scanning gets the whole tree; the annotations and the status only the new line.
    let results = sarif_results(&pr.workspace.path().join("archlint.sarif"));
    let lines: Vec<u64> = results.iter().map(|(_, _, line)| *line).collect();
    assert_eq!(lines, [4, 5]);
    assert_eq!(annotations(scan), ["::error file=src/agent.ts,line=5,col=40,endLine=5,endColumn=65,title=archlint tls-verification-disabled::`rejectUnauthorized: false` disables TLS certificate verification"]);
    assert_eq!(run.outputs["status"], "1");
    assert_eq!(run.step("Fail on findings").status, 1);

    // Without the event file (or jq), the base branch is fetched by name; a pull request that
    // only moves the old finding passes.
    let pr = pull_request(|dir| write(dir, "src/agent.ts", &format!("// a\nimport https from 'https';\n{TLS_OFF}")));
    let job = Job { workspace: pr.workspace.path().into(), event: None, ..job };
    let run = run_action(&job, &[("changed-only", "true")]);
    assert!(
        run.step("Find the pull request's base").stdout.contains("since origin/main"),
        "{}",
        run.step("Find the pull request's base").stdout
    );
    assert!(run.succeeded(), "{}", run.step("Scan").stdout);
    assert_eq!(annotations(run.step("Scan")), Vec::<&str>::new());
    assert_eq!(run.outputs["status"], "0");
    assert_eq!(sarif_results(&pr.workspace.path().join("archlint.sarif")).len(), 1, "the old finding is still in the SARIF");

    // On a push, changed-only has nothing to compare with: everything is reported.
    let job = Job { event_name: "push", ..job };
    let run = run_action(&job, &[("changed-only", "true")]);
    assert!(run.step("Find the pull request's base").stdout.contains("changed-only applies to pull requests"));
    assert_eq!(annotations(run.step("Scan")).len(), 1);
}

#[cfg(unix)]
#[test]
fn archlint_comes_from_the_input_from_path_or_a_cached_build() {
    let workspace = tempfile::tempdir().unwrap();
    write(workspace.path(), "src/billing.ts", NO_TIMEOUT);
    let job = Job::new(workspace.path(), "push", Vec::new());

    // A binary given by path.
    let binary = archlint_binary();
    let run = run_action(&job, &[("archlint-binary", binary.to_str().unwrap()), ("fail-on", "warning")]);
    assert!(run.step("Find archlint").stdout.contains("archlint 0.1.0"), "{}", run.step("Find archlint").stdout);
    assert_eq!(run.outputs["status"], "1");
    let run = run_action(&job, &[("archlint-binary", "/no/such/archlint")]);
    assert_eq!(run.step("Find archlint").status, 1);
    assert!(run.step("Find archlint").stdout.contains("::error::archlint-binary '/no/such/archlint' is not an executable file"));
    assert!(run.step("Scan").skipped);

    // An archlint of another version on PATH is not used: the action builds its own, keyed by
    // its source, and restores it from the cache when it can (cargo install is not run here).
    let other = tempfile::tempdir().unwrap();
    write(other.path(), "archlint", "#!/bin/sh\necho 'archlint 0.0.1'\n");
    std::fs::set_permissions(other.path().join("archlint"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let home = tempfile::tempdir().unwrap();
    let job = Job {
        home: Some(home.path().into()),
        stop_before: Some("Build archlint"),
        ..Job::new(workspace.path(), "push", vec![other.path().into()])
    };
    // No release to download (a mirror without this version).
    let no_release = ("releases-url", "file:///no/such/releases");
    let planned = run_action(&job, &[no_release]);
    let locate = planned.step("Find archlint");
    assert!(locate.stdout.contains("No release binary at file:///no/such/releases/v0.1.0/"), "{}", locate.stdout);
    assert!(locate.stdout.contains("Building archlint 0.1.0 from the action's source"), "{}", locate.stdout);
    let cache = planned.step("Cache the archlint build");
    assert!(!cache.skipped);
    let key = regex::Regex::new(r"^archlint-Linux-X64-v0\.1\.0-(0\.1\.0-[0-9a-f]{16})$").unwrap();
    let version_key = key.captures(&cache.with["key"]).unwrap_or_else(|| panic!("{}", cache.with["key"]))[1].to_string();
    let root = PathBuf::from(&cache.with["path"]);
    assert_eq!(root, home.path().join(".archlint-action").join(&version_key));

    // What actions/cache would restore: the build from an earlier run.
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::copy(archlint_binary(), root.join("bin/archlint")).unwrap();
    let job = Job { stop_before: None, ..job };
    let run = run_action(&job, &[("fail-on", "warning"), no_release]);
    assert_eq!(run.step("Cache the archlint build").with["key"], cache.with["key"], "the same source, the same key");
    assert!(run.step("Build archlint").stdout.contains("archlint restored from the cache"), "{}", run.step("Build archlint").stdout);
    assert_eq!(run.step("Scan").status, 0, "{}", run.step("Scan").stdout);
    assert_eq!(run.outputs["status"], "1");
}

/// The release binary for this runner, from a release directory laid out as the release
/// workflow publishes it (`v<version>/archlint-<target>.tar.gz` and its `.sha256`).
fn release_dir(checksum_of: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let target = match std::env::consts::ARCH {
        "aarch64" => "aarch64-unknown-linux-musl",
        _ => "x86_64-unknown-linux-musl",
    };
    let version = dir.path().join("v0.1.0");
    std::fs::create_dir_all(&version).unwrap();
    let staging = tempfile::tempdir().unwrap();
    std::fs::copy(archlint_binary(), staging.path().join("archlint")).unwrap();
    let archive = format!("archlint-{target}.tar.gz");
    let tar = Command::new("tar").arg("-czf").arg(version.join(&archive)).arg("-C").arg(staging.path()).arg("archlint").status().unwrap();
    assert!(tar.success());
    let hashed = if checksum_of.is_empty() { std::fs::read(version.join(&archive)).unwrap() } else { checksum_of.to_vec() };
    let digest = sha256_hex(&hashed);
    std::fs::write(version.join(format!("{archive}.sha256")), format!("{digest}  {archive}\n")).unwrap();
    dir
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(all(unix, target_os = "linux"))]
#[test]
fn the_release_binary_is_downloaded_and_its_checksum_verified() {
    let workspace = tempfile::tempdir().unwrap();
    write(workspace.path(), "src/billing.ts", NO_TIMEOUT);
    let home = tempfile::tempdir().unwrap();
    let job = Job { home: Some(home.path().into()), ..Job::new(workspace.path(), "push", Vec::new()) };

    let releases = release_dir(b"");
    let url = format!("file://{}", releases.path().display());
    let run = run_action(&job, &[("releases-url", &url), ("fail-on", "warning")]);
    let locate = run.step("Find archlint");
    assert!(locate.stdout.contains("Using the release binary of archlint 0.1.0"), "{}", locate.stdout);
    assert!(run.step("Build archlint").skipped, "nothing is built");
    assert_eq!(run.step("Scan").status, 0, "{}", run.step("Scan").stdout);
    assert_eq!(run.outputs["status"], "1");

    // A checksum that does not match: a warning, and the build from source instead.
    let tampered = release_dir(b"another archive");
    let fresh_home = tempfile::tempdir().unwrap();
    let job = Job { home: Some(fresh_home.path().into()), stop_before: Some("Build archlint"), ..job };
    let url = format!("file://{}", tampered.path().display());
    let run = run_action(&job, &[("releases-url", &url)]);
    let locate = run.step("Find archlint");
    assert!(locate.stdout.contains("::warning::the checksum of file://"), "{}", locate.stdout);
    assert!(locate.stdout.contains("Building archlint 0.1.0 from the action's source"), "{}", locate.stdout);
}
