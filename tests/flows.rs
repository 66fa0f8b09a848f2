//! Request data followed across files, end to end from the command line, on two small services
//! in `tests/projects/`: an Express router and a NestJS controller calling services, a
//! repository and a client in other files (relative imports, a barrel, a `tsconfig` path alias,
//! constructor injection), and an axum service calling its repository modules, a method through
//! a typed extension, a service layer and a workspace crate. Each has look-alikes that must not
//! be reported: the same function name in another module, a local function shadowing an import,
//! a callee that checks its argument against a list, and validation in the middle layer. Values
//! that come back are followed too: a request wrapper (`reqBody(req)`) and a helper returning its
//! argument, not helpers that return a number or the session's user.

mod common;

use common::{archlint, copy_dir, repo, rule_places, stdout};
use serde_json::Value;
use std::path::Path;

/// The injection findings of a JSON report as (rule, path, line), sorted.
fn injections(report: &Value) -> Vec<(String, String, u64)> {
    let mut found: Vec<(String, String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let rule = f["rule"].as_str().unwrap();
            ["sql-injection", "command-injection", "path-traversal", "ssrf", "dynamic-sql"].contains(&rule)
        })
        .map(|f| (f["rule"].as_str().unwrap().into(), f["path"].as_str().unwrap().into(), f["start"]["line"].as_u64().unwrap()))
        .collect();
    found.sort();
    found
}

fn scan_json(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json", "--no-cache"];
    args.extend_from_slice(extra);
    let output = archlint(dir, &args);
    serde_json::from_str(&stdout(&output)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&output)))
}

/// The flow of the finding of `rule` at `path:line`, as `file:line` steps.
fn flow_of(report: &Value, rule: &str, path: &str, line: u64) -> Vec<String> {
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["path"] == path && f["start"]["line"] == line)
        .unwrap_or_else(|| panic!("no {rule} finding at {path}:{line}"));
    finding["flow"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| format!("{}:{}", step["path"].as_str().unwrap_or(path), step["start"]["line"]))
        .collect()
}

fn expected(items: &[(&str, &str, u64)]) -> Vec<(String, String, u64)> {
    let mut items: Vec<(String, String, u64)> = items.iter().map(|(r, p, l)| (r.to_string(), p.to_string(), *l)).collect();
    items.sort();
    items
}

#[test]
fn typescript_flows_through_imports_barrels_aliases_and_injected_services() {
    // A copy outside any git repository: paths start at the project's root.
    let copy = project_copy("cross-file-ts");
    let dir = copy.path().to_path_buf();
    let report = scan_json(&dir, &[]);
    assert_eq!(
        injections(&report),
        expected(&[
            // routes.ts → services/index.ts (barrel) → services/reports.ts
            ("sql-injection", "src/services/reports.ts", 8),
            ("command-injection", "src/services/reports.ts", 12),
            // routes.ts → services/reports.ts → repositories/reports.ts: two calls deep
            ("sql-injection", "src/repositories/reports.ts", 5),
            // routes.ts → `@/lib/preview` (tsconfig paths)
            ("ssrf", "src/lib/preview.ts", 4),
            // NestJS controller → `this.reportsService` (constructor injection) → `this.db.query`
            ("sql-injection", "src/reports/reports.service.ts", 9),
            // what `reqBody(req: Request)` in http/body.ts returns
            ("sql-injection", "src/search.ts", 9),
            // `normalise(req.query.name)` returns its argument, trimmed
            ("sql-injection", "src/search.ts", 14),
        ]),
        "not: users.byOwner (same name, parameterised; re-exported under another name), fetchFromApi (its caller fixes the host), the shadowed import, checkedExport (allowlist), reportForId (parsed in the middle layer), byTagSafely, pageSize (a number), currentUserId (the session's, not the client's)"
    );
    assert_eq!(
        flow_of(&report, "sql-injection", "src/search.ts", 9),
        ["src/http/body.ts:5", "src/http/body.ts:5", "src/search.ts:8", "src/search.ts:8"],
        "the wrapper's source, its return, the call, the destructuring"
    );
    assert_eq!(
        flow_of(&report, "sql-injection", "src/search.ts", 14),
        ["src/search.ts:13", "src/http/body.ts:8", "src/http/body.ts:8", "src/search.ts:13", "src/search.ts:13"],
        "the argument, the helper's parameter and return, the call, the binding"
    );
    assert_eq!(
        flow_of(&report, "sql-injection", "src/repositories/reports.ts", 5),
        [
            "src/routes.ts:21",
            "src/routes.ts:21",
            "src/services/reports.ts:24",
            "src/services/reports.ts:25",
            "src/repositories/reports.ts:3",
            "src/repositories/reports.ts:4"
        ],
        "source, call, parameter, call, parameter, binding"
    );
    let finding = report["findings"].as_array().unwrap().iter().find(|f| f["path"] == "src/lib/preview.ts").unwrap();
    assert_eq!(finding["message"], "the request URL from request data (`req.query.url`) reaches `axios.get`");
    assert_eq!(finding["related"][0]["path"], "src/routes.ts", "the source is a related location in its own file");
    assert!(finding["flow"].as_array().unwrap().iter().any(|s| s.get("path").is_none()), "steps in the finding's file name no file");
}

#[test]
fn rust_flows_through_the_module_tree_methods_and_workspace_crates() {
    // A copy outside any git repository: paths start at the project's root.
    let copy = project_copy("cross-file-rs");
    let dir = copy.path().to_path_buf();
    let report = scan_json(&dir, &[]);
    assert_eq!(
        injections(&report),
        expected(&[
            // `files::read_upload` through `use crate::repo::{files, ..}`
            ("path-traversal", "notes-api/src/repo/files.rs", 8),
            // `notes::by_tag` through `use crate::repo::notes::{self, ..}`
            ("sql-injection", "notes-api/src/repo/notes.rs", 5),
            // routes → service::tagged → notes::by_label
            ("sql-injection", "notes-api/src/repo/notes.rs", 10),
            // `repo.search(..)` where `Extension(repo): Extension<NotesRepo>`
            ("sql-injection", "notes-api/src/repo/notes.rs", 25),
            // the workspace crate `notes-common`
            ("command-injection", "common/src/lib.rs", 5),
            // what `extract::tenant(&headers)` returns: the header it reads
            ("sql-injection", "notes-api/src/routes.rs", 79),
        ]),
        "not: users::by_tag (same name, bound), the local read_upload, read_listed (allowlist), notes_of (parsed in the middle layer), extract::page (a number), Forward::new (a struct: its url keeps the server's host)"
    );
    assert_eq!(
        flow_of(&report, "sql-injection", "notes-api/src/routes.rs", 79)[..4],
        ["notes-api/src/routes.rs:76", "notes-api/src/extract.rs:4", "notes-api/src/extract.rs:5", "notes-api/src/routes.rs:77"],
        "the header, the helper's parameter and what it returns, the call"
    );
    assert_eq!(
        flow_of(&report, "sql-injection", "notes-api/src/repo/notes.rs", 10),
        [
            "notes-api/src/routes.rs:59",
            "notes-api/src/routes.rs:60",
            "notes-api/src/service.rs:11",
            "notes-api/src/service.rs:12",
            "notes-api/src/repo/notes.rs:8",
            "notes-api/src/repo/notes.rs:9",
            "notes-api/src/repo/notes.rs:9",
        ]
    );
}

#[test]
fn sarif_code_flows_and_human_output_name_each_file() {
    // A copy outside any git repository: paths start at the project's root.
    let copy = project_copy("cross-file-ts");
    let dir = copy.path().to_path_buf();
    let output = archlint(&dir, &["--format", "sarif", "--no-cache"]);
    let sarif: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/lib/preview.ts")
        .expect("the ssrf result");
    let uris: Vec<&str> = result["codeFlows"][0]["threadFlows"][0]["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["location"]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap())
        .collect();
    assert_eq!(uris, ["src/routes.ts", "src/routes.ts", "src/lib/preview.ts", "src/lib/preview.ts"]);
    assert_eq!(result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"], "src/routes.ts");

    let human = stdout(&archlint(&dir, &["--no-cache"]));
    assert!(human.contains("flow:\n      src/routes.ts:17: request data enters here: `req.query.url`"), "{human}");
    assert!(human.contains("src/lib/preview.ts:3: parameter `url` of `fetchPreview`"), "{human}");
}

#[test]
fn the_cache_keeps_summaries_and_an_edited_callee_changes_the_finding() {
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("tests/projects/cross-file-ts"), copy.path());
    let scan = || {
        let output = archlint(copy.path(), &["--format", "json"]);
        injections(&serde_json::from_str(&stdout(&output)).unwrap())
    };
    let first = scan();
    assert_eq!(first.len(), 7);
    assert_eq!(scan(), first, "the second scan reads every file's summary from the cache");
    // The service starts checking the format: the command-injection finding goes, found from the
    // cached summary of routes.ts and the fresh one of the service.
    let service = copy.path().join("src/services/reports.ts");
    let text = std::fs::read_to_string(&service).unwrap();
    let checked = text.replace(
        "export function exportReport(format: string) {\n",
        "export function exportReport(format: string) {\n  if (!FORMATS.includes(format)) throw new Error(\"format\");\n",
    );
    assert_ne!(text, checked);
    std::fs::write(&service, checked).unwrap();
    let after = scan();
    assert!(!after.iter().any(|(rule, ..)| rule == "command-injection"), "{after:?}");
    assert_eq!(after.len(), 6);
}

/// A copy of a project of `tests/projects/` in a directory of its own (no git repository
/// around it, so reported paths start at the project's root).
fn project_copy(name: &str) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("tests/projects").join(name), copy.path());
    copy
}

#[test]
fn a_hook_naming_the_handler_file_sees_the_findings_its_calls_make_in_other_files() {
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("tests/projects/cross-file-ts"), copy.path());
    // pre-commit names the staged files: only the router here.
    let output = archlint(copy.path(), &["--format", "json", "--no-cache", "src/routes.ts"]);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        injections(&report),
        expected(&[
            ("sql-injection", "src/services/reports.ts", 8),
            ("command-injection", "src/services/reports.ts", 12),
            ("sql-injection", "src/repositories/reports.ts", 5),
            ("ssrf", "src/lib/preview.ts", 4),
        ]),
        "the flows that start in routes.ts, reported at their sinks; not the NestJS controller's"
    );
    let output = archlint(copy.path(), &["--format", "json", "--no-cache", "src/db.ts"]);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(injections(&report), vec![], "a file no flow passes through");
}

#[test]
fn max_call_depth_bounds_how_far_request_data_is_followed() {
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("tests/projects/cross-file-ts"), copy.path());
    std::fs::write(copy.path().join("archlint.toml"), "max-call-depth = 1\n").unwrap();
    let report = scan_json(copy.path(), &[]);
    let found = injections(&report);
    assert!(found.contains(&("sql-injection".into(), "src/services/reports.ts".into(), 8)), "one call deep: {found:?}");
    assert!(
        !found.contains(&("sql-injection".into(), "src/repositories/reports.ts".into(), 5)),
        "two calls deep (routes → service → repository) is past the bound: {found:?}"
    );

    std::fs::write(copy.path().join("archlint.toml"), "max-call-depth = 0\n").unwrap();
    let output = archlint(copy.path(), &["--no-cache"]);
    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8_lossy(&output.stderr);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains("`max-call-depth` must be between 1 and 32, not 0"), "{message}");
}

#[test]
fn an_untyped_body_handed_to_a_service_that_validates_it_is_answered() {
    // A copy outside any git repository: paths start at the project's root.
    let copy = project_copy("cross-file-ts");
    let dir = copy.path().to_path_buf();
    let report = scan_json(&dir, &["--select", "missing-input-validation"]);
    let found: Vec<(String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == "src/posts/posts.controller.ts")
        .map(|f| (f["rule"].as_str().unwrap().to_string(), f["start"]["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        found,
        [("missing-input-validation".to_string(), 14)],
        "`create` hands the body to PostsService.create, which validates it (plainToInstance, then validateOrReject); `draft` hands it to a method that does not"
    );
}

#[test]
fn calls_into_workspace_packages_are_followed_through_their_exports() {
    // apps/api depends on `@acme/db` from the workspace (`workspace:*`) and on `@acme/legacy`
    // by a published version: only the first is this repository's code to follow.
    let copy = project_copy("ts-workspace");
    let report = scan_json(copy.path(), &["--select", "sql-injection"]);
    assert_eq!(
        injections(&report),
        expected(&[
            // `@acme/db/orders`: the package's `exports` subpath
            ("sql-injection", "packages/db/src/orders.ts", 4),
            // `@acme/db`: the root export, `./dist/index.js` looked for as `src/index.ts`
            ("sql-injection", "packages/db/src/index.ts", 5),
        ]),
        "not: @acme/legacy (a published version, not `workspace:`)"
    );
    assert_eq!(
        flow_of(&report, "sql-injection", "packages/db/src/orders.ts", 4)[..2],
        ["apps/api/src/routes.ts:9".to_string(), "apps/api/src/routes.ts:9".to_string()],
        "the flow starts at the route in the other package"
    );
}

#[test]
fn a_helper_that_evaluates_its_parameter_is_code_injection_when_a_handler_passes_request_data() {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("package.json", r#"{ "name": "calc", "dependencies": { "express": "^4.19.0" } }"#);
    write("src/render.ts", "export function render(template: string) {\n  return eval(\"`\" + template + \"`\");\n}\nexport function renderAll(templates: string[]) {\n  return templates.map((t) => new Function(\"return `\" + t + \"`\")());\n}\n");
    write(
        "src/app.ts",
        "import express from \"express\";\nimport { render, renderAll } from \"./render\";\nconst app = express();\napp.post(\"/preview\", (req, res) => res.json(render(req.body.template)));\napp.get(\"/defaults\", (_req, res) => res.json(renderAll([\"a\", \"b\"])));\n",
    );
    let report = scan_json(dir.path(), &["--select", "code-injection,dynamic-code"]);
    let found: Vec<(String, String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().into(), f["path"].as_str().unwrap().into(), f["start"]["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        found,
        expected(&[("code-injection", "src/render.ts", 2), ("dynamic-code", "src/render.ts", 5)]),
        "the preview's template is request data (an error, where the dynamic-code warning gives way); renderAll's only caller passes constants, but nothing tells archlint so"
    );
    assert_eq!(flow_of(&report, "code-injection", "src/render.ts", 2), ["src/app.ts:4", "src/app.ts:4", "src/render.ts:1"]);
}

#[test]
fn a_mongo_filter_built_from_a_service_parameter_is_reported_when_a_handler_passes_the_body() {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "package.json",
        r#"{ "name": "accounts", "dependencies": { "express": "^4.19.0", "mongoose": "^8.0.0", "@nestjs/common": "^10.0.0" } }"#,
    );
    write(
        "src/users.service.ts",
        "import mongoose from \"mongoose\";\nconst User = mongoose.model(\"User\", new mongoose.Schema({ email: String, name: String }));\nexport async function findByEmail(email: string) {\n  return User.findOne({ email });\n}\nexport async function findByName(name: string) {\n  return User.findOne({ name: String(name) });\n}\nexport async function search(filter: object) {\n  return User.find(filter);\n}\nexport async function byId(id: string) {\n  return User.findOne({ _id: id });\n}\n",
    );
    write(
        "src/routes.ts",
        "import express from \"express\";\nimport { byId, findByEmail, findByName, search } from \"./users.service\";\nconst app = express();\napp.use(express.json());\napp.post(\"/login\", async (req, res) => res.json(await findByEmail(req.body.email)));\napp.post(\"/by-name\", async (req, res) => res.json(await findByName(req.body.name)));\napp.post(\"/search\", async (req, res) => res.json(await search(req.body)));\napp.get(\"/me\", async (_req, res) => res.json(await findByEmail(\"me@example.com\")));\napp.get(\"/users/:id\", async (req, res) => res.json(await byId(req.params.id)));\napp.listen(3000);\n",
    );
    write(
        "src/accounts.controller.ts",
        "import { Body, Controller, Post } from \"@nestjs/common\";\nimport { findByEmail } from \"./users.service\";\nexport class LoginDto {\n  email: string;\n}\n@Controller(\"accounts\")\nexport class AccountsController {\n  @Post(\"login\")\n  login(@Body() dto: LoginDto) {\n    return findByEmail(dto.email);\n  }\n}\n",
    );
    let found = |dir: &Path| rule_places(&scan_json(dir, &["--select", "nosql-injection"]));
    assert_eq!(
        found(dir.path()),
        expected(&[("nosql-injection", "src/users.service.ts", 4), ("nosql-injection", "src/users.service.ts", 10)]),
        "the login's body field and the whole body as a filter; not: the value cast with String(..), the constant, the NestJS DTO, a route parameter (a string)"
    );
    let report = scan_json(dir.path(), &["--select", "nosql-injection"]);
    assert_eq!(
        flow_of(&report, "nosql-injection", "src/users.service.ts", 4),
        ["src/routes.ts:5", "src/routes.ts:5", "src/users.service.ts:3"]
    );
    // Filters sanitised app-wide answer the findings in other files too.
    write(
        "src/routes.ts",
        "import express from \"express\";\nimport mongoSanitize from \"express-mongo-sanitize\";\nimport { findByEmail, search } from \"./users.service\";\nconst app = express();\napp.use(express.json());\napp.use(mongoSanitize());\napp.post(\"/login\", async (req, res) => res.json(await findByEmail(req.body.email)));\napp.post(\"/search\", async (req, res) => res.json(await search(req.body)));\napp.listen(3000);\n",
    );
    assert_eq!(found(dir.path()), Vec::<(String, String, u64)>::new());
}
