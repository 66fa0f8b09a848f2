//! A repository of several projects, from the command line: each file is governed by its nearest
//! `archlint.toml` (Ruff's hierarchy) whatever the scan root or the order files are named in;
//! project facts stay inside their project; machine-readable paths start at the repository root
//! and human ones at the current directory; many notices of a kind are one line.

mod common;

use common::{archlint, project, rule_places, stderr, stdout};
use serde_json::Value;

/// A repository with a root configuration and three services: `web/` (root configuration; it
/// sets an axios default timeout), `api-ts/` (its own configuration: no `plain-http-url`,
/// failing only on errors) and `svc-rs/` (root configuration).
fn monorepo() -> tempfile::TempDir {
    let dir = project(&[
        ("archlint.toml", b"# the repository's defaults\n".as_slice()),
        ("web/src/http.ts", b"import axios from 'axios';\naxios.defaults.timeout = 5000;\n".as_slice()),
        (
            "web/src/client.ts",
            b"import axios from 'axios';\nexport const get = () => axios.get('https://api.acme-corp.io/x');\n".as_slice(),
        ),
        ("api-ts/archlint.toml", b"ignore = [\"plain-http-url\"]\nfail-on = \"error\"\n".as_slice()),
        (
            "api-ts/src/client.ts",
            b"import axios from 'axios';\nexport const bill = () => axios.get('https://billing.acme-corp.io/x');\n".as_slice(),
        ),
        ("api-ts/src/links.ts", b"export const DOCS = 'http://docs.acme-corp.io/api';\n".as_slice()),
        ("svc-rs/src/main.rs", b"pub const BILLING: &str = \"http://billing.acme-corp.io/v1\";\n".as_slice()),
    ]);
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

/// (rule, path, line) of a JSON report's findings, sorted.
fn findings(output: &std::process::Output) -> Vec<(String, String, u64)> {
    let report: Value = serde_json::from_str(&stdout(output)).unwrap_or_else(|e| panic!("{e}: {}", stderr(output)));
    rule_places(&report)
}

fn expected(items: &[(&str, &str, u64)]) -> Vec<(String, String, u64)> {
    items.iter().map(|(r, p, l)| (r.to_string(), p.to_string(), *l)).collect()
}

const API_TIMEOUT: (&str, &str, u64) = ("http-client-without-timeout", "api-ts/src/client.ts", 2);
const RS_PLAIN_URL: (&str, &str, u64) = ("plain-http-url", "svc-rs/src/main.rs", 1);

#[test]
fn a_root_scan_governs_each_file_by_its_nearest_configuration() {
    let repo = monorepo();
    let output = archlint(repo.path(), &[".", "--format", "json", "--no-cache"]);
    // api-ts ignores plain-http-url (links.ts is not reported), and web's axios default does not
    // answer api-ts's call: facts stay in their project.
    assert_eq!(findings(&output), expected(&[API_TIMEOUT, RS_PLAIN_URL]));
    assert_eq!(output.status.code(), Some(1), "the root configuration fails on the warning in svc-rs");
    let api_only = archlint(repo.path(), &["api-ts", "--format", "json", "--no-cache"]);
    assert_eq!(findings(&api_only), expected(&[API_TIMEOUT]));
    assert_eq!(api_only.status.code(), Some(0), "api-ts fails only on errors");
}

#[test]
fn a_nested_projects_facts_do_not_answer_the_project_around_it() {
    // helmet in api-ts sets the security headers of api-ts, not of the web app at the root.
    let dir = project(&[
        ("archlint.toml", b"".as_slice()),
        ("web/server.ts", b"import express from 'express';\nconst app = express();\napp.listen(3000);\n".as_slice()),
        ("api-ts/archlint.toml", b"".as_slice()),
        ("api-ts/src/headers.ts", b"import helmet from 'helmet';\nexport const headers = helmet();\n".as_slice()),
    ]);
    let output = archlint(dir.path(), &[".", "--format", "json", "--no-cache", "--select", "missing-security-headers"]);
    assert_eq!(findings(&output), expected(&[("missing-security-headers", "web/server.ts", 2)]));
}

#[test]
fn a_nested_configuration_extends_the_one_above_it() {
    let dir = project(&[
        ("archlint.toml", b"ignore = [\"plain-http-url\"]\n".as_slice()),
        ("svc/archlint.toml", b"extend = \"../archlint.toml\"\nfail-on = \"error\"\n".as_slice()),
        ("svc/src/links.ts", b"export const DOCS = 'http://docs.acme-corp.io/api';\n".as_slice()),
    ]);
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let output = archlint(dir.path(), &[".", "--format", "json", "--no-cache", "--select", "plain-http-url"]);
    assert_eq!(findings(&output), vec![], "svc inherits the root's ignore");
    std::fs::write(dir.path().join("svc/archlint.toml"), "fail-on = \"error\"\n").unwrap();
    let output = archlint(dir.path(), &[".", "--format", "json", "--no-cache", "--select", "plain-http-url"]);
    assert_eq!(findings(&output), expected(&[("plain-http-url", "svc/src/links.ts", 1)]), "without extend, svc's own settings only");
    std::fs::write(dir.path().join("svc/archlint.toml"), "extend = \"../missing.toml\"\n").unwrap();
    let broken = archlint(dir.path(), &["."]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(stderr(&broken).contains("extend: cannot read") && stderr(&broken).trim().lines().count() == 1, "{}", stderr(&broken));
}

#[test]
fn named_files_are_governed_by_their_own_configuration_in_either_order() {
    let repo = monorepo();
    let files = ["api-ts/src/client.ts", "api-ts/src/links.ts", "svc-rs/src/main.rs", "web/src/client.ts"];
    let mut reversed = files;
    reversed.reverse();
    for order in [files, reversed] {
        let mut args = vec!["--format", "json", "--no-cache"];
        args.extend(order);
        assert_eq!(findings(&archlint(repo.path(), &args)), expected(&[API_TIMEOUT, RS_PLAIN_URL]), "{order:?}");
    }
}

#[test]
fn sarif_uris_start_at_the_repository_root_and_human_paths_where_you_stand() {
    let repo = monorepo();
    let api = repo.path().join("api-ts");
    let sarif: Value = serde_json::from_str(&stdout(&archlint(&api, &[".", "--format", "sarif", "--no-cache"]))).unwrap();
    let uri = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "api-ts/src/client.ts", "GitHub resolves the URI from the repository root");
    let github = stdout(&archlint(&api, &[".", "--format", "github", "--no-cache"]));
    assert!(github.contains("file=api-ts/src/client.ts,line=2"), "{github}");

    let human = stdout(&archlint(&api, &[".", "--no-cache", "--color", "never"]));
    assert!(human.contains("┌─ src/client.ts:2:"), "from inside api-ts: {human}");
    let web = repo.path().join("web");
    let human = stdout(&archlint(&web, &["..", "--no-cache", "--color", "never"]));
    assert!(human.contains("┌─ ../api-ts/src/client.ts:2:") && human.contains("┌─ ../svc-rs/src/main.rs:1:"), "from web/: {human}");
}

#[test]
fn a_missing_named_file_is_an_error() {
    let repo = monorepo();
    let output = archlint(repo.path(), &["api-ts/src/gone.ts"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr(&output).trim(), "archlint: error: path `api-ts/src/gone.ts` does not exist");
}

#[test]
fn many_notices_of_a_kind_are_one_line_in_human_output_and_complete_elsewhere() {
    let broken: &[u8] = b"export function (\n";
    let dir = project(&[
        ("src/a.ts", broken),
        ("src/b.ts", broken),
        ("src/c.ts", broken),
        ("src/d.ts", broken),
        ("src/e.ts", b"export const e = 'http://api.acme-corp.io/x';\n".as_slice()),
    ]);
    let human = stdout(&archlint(dir.path(), &["--no-cache"]));
    let lines: Vec<&str> = human.lines().filter(|l| l.contains("[parse-error]")).collect();
    assert_eq!(lines.len(), 1, "{human}");
    assert!(lines[0].starts_with("note[parse-error]: 4 notices: src/a.ts:1:") && lines[0].contains("--show-notices"), "{human}");
    let every = stdout(&archlint(dir.path(), &["--no-cache", "--show-notices"]));
    assert_eq!(every.lines().filter(|l| l.contains("[parse-error]")).count(), 4, "{every}");
    let report: Value = serde_json::from_str(&stdout(&archlint(dir.path(), &["--no-cache", "--format", "json"]))).unwrap();
    assert_eq!(report["notices"].as_array().unwrap().len(), 4);
    assert!(human.contains("Found 1 problem") && human.contains("; 4 notices."), "the summary still counts them: {human}");
}

/// One project (one configuration) holding several services as packages: `apps/api` drains on
/// `SIGTERM`, `apps/worker` does not; both use `packages/db`. `apps/web` drains, and its server is
/// started by `packages/http`, a library it depends on.
fn services_sharing_a_library() -> tempfile::TempDir {
    let dir = project(&[
        ("package.json", br#"{"name": "acme", "private": true, "workspaces": ["apps/*", "packages/*"]}"#.as_slice()),
        ("apps/api/package.json", br#"{"name": "api", "dependencies": {"express": "^5.1.0", "@acme/db": "workspace:*"}}"#.as_slice()),
        (
            "apps/api/src/server.ts",
            b"import express from 'express';\nconst app = express();\nconst server = app.listen(3000);\nprocess.on('SIGTERM', () => server.close());\n".as_slice(),
        ),
        ("apps/worker/package.json", br#"{"name": "worker", "dependencies": {"express": "^5.1.0", "@acme/db": "workspace:*"}}"#.as_slice()),
        ("apps/worker/src/index.ts", b"import express from 'express';\nconst app = express();\napp.listen(3001);\n".as_slice()),
        ("packages/db/package.json", br#"{"name": "@acme/db"}"#.as_slice()),
        ("packages/db/src/index.ts", b"export const url = process.env.DATABASE_URL;\n".as_slice()),
        ("apps/web/package.json", br#"{"name": "web", "dependencies": {"@acme/http": "workspace:*"}}"#.as_slice()),
        (
            "apps/web/src/main.ts",
            b"import { start } from '@acme/http';\nconst server = start();\nprocess.on('SIGTERM', () => server.close());\n".as_slice(),
        ),
        ("packages/http/package.json", br#"{"name": "@acme/http", "dependencies": {"express": "^5.1.0"}}"#.as_slice()),
        (
            "packages/http/src/index.ts",
            b"import express from 'express';\nexport function start() {\n  return express().listen(8080);\n}\n".as_slice(),
        ),
    ]);
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

#[test]
fn a_packages_facts_answer_the_packages_it_is_built_with_and_not_its_siblings() {
    let repo = services_sharing_a_library();
    let output = archlint(repo.path(), &[".", "--format", "json", "--no-cache", "--select", "server-without-graceful-shutdown"]);
    // The worker shares only a library with the API: the API's SIGTERM handler does not drain it.
    // The library that starts the web server is drained by the web app that depends on it.
    assert_eq!(findings(&output), expected(&[("server-without-graceful-shutdown", "apps/worker/src/index.ts", 3)]));
}

#[test]
fn a_configuration_that_extends_another_keeps_the_models_of_both() {
    // The base describes the company's HTTP client; the service adds its own logger. Both count.
    let base = b"[[models.clients]]\nlanguage = \"typescript\"\nfunction = \"callPartner\"\nmodule = \"@acme/partner\"\ntimeout-options = [\"timeoutMs\"]\nmessage = \"`{callee}` has no `timeoutMs`\"\nhelp = \"pass `timeoutMs`\"\n".as_slice();
    let service =
        b"extend = \"../archlint.toml\"\n\n[[models.loggers]]\nlanguage = \"typescript\"\nfunction = \"record\"\nmodule = \"./audit\"\n"
            .as_slice();
    let source = b"import { record } from \"./audit\";\nimport { callPartner } from \"@acme/partner\";\nexport async function login(password: string) {\n  record(\"login\", password);\n  return callPartner(\"/sessions\", {});\n}\n".as_slice();
    let dir = project(&[
        ("archlint.toml", base),
        ("svc/archlint.toml", service),
        ("svc/package.json", br#"{ "name": "svc", "dependencies": { "express": "^4.19.0" } }"#.as_slice()),
        ("svc/src/login.ts", source),
    ]);
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let output = archlint(dir.path(), &[".", "--format", "json", "--no-cache", "--select", "secret-in-logs,http-client-without-timeout"]);
    assert_eq!(
        findings(&output),
        expected(&[("http-client-without-timeout", "svc/src/login.ts", 5), ("secret-in-logs", "svc/src/login.ts", 4)]),
        "the base's client and the service's own logger"
    );
}
