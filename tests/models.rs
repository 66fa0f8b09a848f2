//! Users' own models from `archlint.toml`, end to end: a service with its own request wrapper,
//! data layer and file helper, described in `[models]`, gets `sql-injection` and
//! `path-traversal` findings through them, and none past a sanitiser declared for that kind.
//! Also `archlint models` and the one-line errors for mistakes in `[models]`.

mod common;

use common::{archlint, project, stderr, stdout};

/// The findings `archlint --select rules` reports in `dir`: rule, path and line, in report order.
fn findings_of(dir: &std::path::Path, rules: &str) -> Vec<(String, String, u64)> {
    let output = archlint(dir, &["--format", "json", "--select", rules]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    let findings = report["findings"].as_array().unwrap().iter();
    findings
        .map(|f| (f["rule"].as_str().unwrap().to_string(), f["path"].as_str().unwrap().to_string(), f["start"]["line"].as_u64().unwrap()))
        .collect()
}

/// The places (path and line) of the findings of one rule.
fn places_of(dir: &std::path::Path, rule: &str) -> Vec<(String, u64)> {
    findings_of(dir, rule).into_iter().map(|(_, path, line)| (path, line)).collect()
}

/// Writes `config` as the project's `archlint.toml` and checks that the scan stops with exit 2
/// and one line saying `expected`.
fn assert_config_error(dir: &std::path::Path, config: &str, rule: &str, expected: &str) {
    std::fs::write(dir.join("archlint.toml"), config).unwrap();
    let output = archlint(dir, &["--select", rule]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(expected), "{stderr}");
}

/// A service in both languages, an Express package and an axum crate named `ledger`, with
/// `config` as its `archlint.toml` and `files` beside it.
fn ledger(config: &str, files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let mut all: Vec<(&str, &[u8])> = vec![
        ("archlint.toml", config.as_bytes()),
        ("package.json", br#"{ "name": "ledger", "dependencies": { "express": "^4.19.0" } }"#),
        ("Cargo.toml", b"[package]\nname = \"ledger\"\nversion = \"0.1.0\"\n\n[dependencies]\naxum = \"0.7\"\nserde = \"1\"\n"),
    ];
    all.extend_from_slice(files);
    project(&all)
}

/// Where a rule reports: (path, line) pairs.
type Places = Vec<(String, u64)>;

/// Where `rule` reports in a project of `files` with `config` as its `archlint.toml`, and then in
/// the same project without it: what a models entry changes. The project is returned without
/// its configuration, for the configuration errors a test checks next.
fn with_and_without(config: &str, files: &[(&str, &[u8])], rule: &str) -> (Places, Places, tempfile::TempDir) {
    let dir = ledger(config, files);
    let with = places_of(dir.path(), rule);
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    let without = places_of(dir.path(), rule);
    (with, without, dir)
}

const CONFIG: &str = r#"
[[models.sources]]
language = "typescript"
function = "reqBody"
module = "./http/body"

[[models.sinks]]
language = "typescript"
function = "Store.runSql"
kind = "sql"

[[models.sinks]]
language = "typescript"
function = "moveFile"
module = "./files"
kind = "path"

[[models.sanitizers]]
language = "typescript"
function = "cleanIdentifier"
kinds = ["sql"]

[[models.sources]]
language = "rust"
function = "Request::query_get"

[[models.sinks]]
language = "rust"
function = "Store::run_sql"
kind = "sql"

[[models.sinks]]
language = "rust"
function = "files::move_file"
kind = "path"
argument = 1

[[models.sanitizers]]
language = "rust"
function = "guard::clean_identifier"
kinds = ["sql"]
"#;

const NOTES_TS: &str = r#"import { reqBody } from "../http/body";
import { legacyBody } from "../legacy/body";
import { Store } from "../data/store";
import { cleanIdentifier } from "../data/guard";
import { moveFile } from "../files";

const store = new Store();
const cache = new Cache();

export async function listNotes(request: IncomingMessage) {
  const body = reqBody(request);
  await store.runSql(`SELECT * FROM notes WHERE tag = '${body.tag}'`); // sql-injection
  await store.runSql(`SELECT * FROM notes ORDER BY ${cleanIdentifier(body.sort)}`); // sanitised for SQL
  await cache.runSql(`notes:${body.tag}`); // not a Store
  moveFile(body.name, "/srv/archive"); // path-traversal
  moveFile(cleanIdentifier(body.name), "/srv/archive"); // path-traversal: cleaned for SQL only
  const old = legacyBody(request);
  await store.runSql(`SELECT * FROM notes WHERE id = ${Number(old.id)}`); // a number
}
"#;

const NOTES_RS: &str = r#"use crate::data::Store;
use crate::http::Request;
use crate::{files, guard};

pub fn list_notes(req: &Request, store: &Store) {
    let tag = req.query_get("tag");
    store.run_sql(&format!("SELECT * FROM notes WHERE tag = '{tag}'")); // sql-injection
    let sort = req.query_get("sort");
    store.run_sql(&format!("SELECT * FROM notes ORDER BY {}", guard::clean_identifier(&sort))); // sanitised for SQL
    let name = req.query_get("name");
    files::move_file("/srv/archive", &name); // path-traversal
    files::move_file(&name, "/srv/archive"); // argument 0 is not the path the model names
}
"#;

fn service() -> tempfile::TempDir {
    project(&[
        ("archlint.toml", CONFIG.as_bytes()),
        ("api/src/routes/notes.ts", NOTES_TS.as_bytes()),
        ("api/src/http/body.ts", b"export function reqBody(request: any): any { return JSON.parse(request.raw); }\n"),
        ("core/src/notes.rs", NOTES_RS.as_bytes()),
    ])
}

#[test]
fn users_models_make_their_own_framework_visible() {
    let dir = service();
    let output = archlint(dir.path(), &["--format", "json", "--select", "sql-injection,path-traversal"]);
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    let mut found: Vec<String> = findings["findings"]
        .as_array()
        .expect("a findings array")
        .iter()
        .map(|f| {
            format!(
                "{}:{} {} {}",
                f["path"].as_str().unwrap(),
                f["start"]["line"],
                f["rule"].as_str().unwrap(),
                f["level"].as_str().unwrap()
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            "api/src/routes/notes.ts:12 sql-injection error",
            "api/src/routes/notes.ts:15 path-traversal error",
            "api/src/routes/notes.ts:16 path-traversal error",
            "core/src/notes.rs:11 path-traversal error",
            "core/src/notes.rs:7 sql-injection error",
        ],
        "{}",
        stdout(&output)
    );
    let messages = stdout(&output);
    assert!(messages.contains("from request data (`reqBody(request)`) reaches `store.runSql`"), "{messages}");
}

#[test]
fn without_the_models_the_same_service_has_no_such_findings() {
    let dir = service();
    std::fs::write(dir.path().join("archlint.toml"), "").unwrap();
    let output = archlint(dir.path(), &["--format", "json", "--select", "sql-injection,path-traversal"]);
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    let errors = findings["findings"].as_array().unwrap().iter().filter(|f| f["level"] == "error").count();
    assert_eq!(errors, 0, "{}", stdout(&output));
}

#[test]
fn archlint_models_lists_built_in_and_configured_entries() {
    let dir = service();
    let output = archlint(dir.path(), &["models", "--language", "typescript"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("[sql] Store.runSql (argument 0)"), "{text}");
    assert!(text.contains("reqBody from `./http/body`"), "{text}");
    assert!(text.contains("[sql] cleanIdentifier"), "{text}");
    assert!(text.contains("models/node-child_process.toml"), "{text}");
    assert!(!text.contains("Request::query_get"), "rust entries are left out: {text}");
    // Every section has a heading of its own.
    for heading in [
        "typescript tokens",
        "typescript servers",
        "typescript body-limits",
        "typescript caches",
        "typescript GraphQL servers, schemas and IDE pages",
    ] {
        assert!(text.contains(&format!("\n{heading}\n")), "{heading}: {text}");
    }
    let json = archlint(dir.path(), &["models", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let configured = value["entries"].as_array().unwrap().iter().filter(|e| e["from"]["from"] == "config").count();
    assert_eq!(configured, 8);
    assert!(value["models"].as_array().unwrap().iter().any(|m| m["name"] == "express"));
}

#[test]
fn mistakes_in_models_are_one_line_with_the_line_and_exit_2() {
    for (config, expected) in [
        ("[[models.sinks]]\nlanguage = \"rust\"\nfunction = \"a::b\"\nkind = \"sqll\"\n", "archlint.toml:4: unknown variant `sqll`"),
        (
            "[[models.sinks]]\nlanguage = \"rust\"\nfunction = \"a::b\"\nkind = \"sql\"\nargumnet = 1\n",
            "archlint.toml:5: unknown field `argumnet`",
        ),
        ("[[models.sources]]\nlanguage = \"typescript\"\nfunction = \"req body\"\n", "archlint.toml:3: bad function pattern `req body`"),
        ("[[models.sanitizers]]\nfunction = \"clean\"\n", "archlint.toml:2: every `[[models.*]]` entry needs `language"),
        ("[[models.limiters]]\nlanguage = \"typescript\"\nmodule = \"rate limit\"\n", "archlint.toml:3: bad limiter module `rate limit`"),
        ("[[models.limiters]]\nmodule = \"./throttle\"\n", "archlint.toml:2: every `[[models.*]]` entry needs `language"),
        (
            "[[models.packages]]\nlanguage = \"typescript\"\nmodule = \"@acme/kit\"\nprovides = [\"healthcheck\"]\n",
            "archlint.toml:4: unknown variant `healthcheck`",
        ),
        (
            "[[models.packages]]\nlanguage = \"typescript\"\nmodule = \"@acme/kit\"\nprovides = []\n",
            "archlint.toml:4: `provides` names nothing",
        ),
        ("[[models.packages]]\nlanguage = \"typescript\"\nmodule = \"@acme/kit\"\n", "archlint.toml:1: missing field `provides`"),
    ] {
        let dir = project(&[("archlint.toml", config.as_bytes()), ("a.ts", b"export {};\n")]);
        let output = archlint(dir.path(), &[]);
        assert_eq!(output.status.code(), Some(2), "{config}");
        let message = stderr(&output);
        assert!(message.contains(expected), "{config}\n{message}");
        assert_eq!(message.trim().lines().count(), 1, "{message}");
    }
}

/// A login route of an Express service whose limiter is the project's own module.
fn service_with_own_limiter(config: &str) -> tempfile::TempDir {
    project(&[
        ("archlint.toml", config.as_bytes()),
        ("package.json", br#"{ "name": "accounts", "dependencies": { "express": "^4.19.0" } }"#),
        (
            "src/middleware/throttle.ts",
            b"import type { Request, Response, NextFunction } from \"express\";\nconst hits = new Map<string, number>();\nexport function throttle(req: Request, res: Response, next: NextFunction) {\n  const count = (hits.get(req.ip ?? \"\") ?? 0) + 1;\n  hits.set(req.ip ?? \"\", count);\n  return count > 10 ? res.sendStatus(429) : next();\n}\n",
        ),
        (
            "src/app.ts",
            b"import express from \"express\";\nimport { throttle } from \"./middleware/throttle\";\nexport const app = express();\napp.use(\"/auth\", throttle);\napp.post(\"/auth/login\", (req, res) => res.json({ user: req.body.user }));\n",
        ),
    ])
}

#[test]
fn a_projects_own_rate_limiter_described_in_the_models_answers_auth_routes() {
    let rule = ["--format", "json", "--select", "auth-route-without-rate-limit"];
    let count = |dir: &tempfile::TempDir| {
        let output = archlint(dir.path(), &rule);
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
        report["findings"].as_array().unwrap().len()
    };
    assert_eq!(count(&service_with_own_limiter("")), 1, "without the model, the login route has no known limiter");
    let described = service_with_own_limiter("[[models.limiters]]\nlanguage = \"typescript\"\nmodule = \"./middleware/throttle\"\n");
    assert_eq!(count(&described), 0);
    let listing = stdout(&archlint(described.path(), &["models", "--language", "typescript"]));
    assert!(listing.contains("./middleware/throttle") && listing.contains("express-rate-limit"), "{listing}");
}

/// An Express service started through the company's own server kit, which serves `/healthz` and
/// drains on `SIGTERM` out of sight of archlint.
fn service_on_own_server_kit(config: &str) -> tempfile::TempDir {
    project(&[
        ("archlint.toml", config.as_bytes()),
        ("package.json", br#"{ "name": "orders", "dependencies": { "express": "^5.1.0", "@acme/server-kit": "^3.0.0" } }"#),
        (
            "src/main.ts",
            b"import express from \"express\";\nimport { serve } from \"@acme/server-kit\";\nconst app = express();\napp.get(\"/orders\", (_req, res) => res.json([]));\nserve(app, 8080);\napp.listen(8081);\n",
        ),
    ])
}

#[test]
fn a_package_described_in_the_models_provides_health_routes_and_draining() {
    let rules = ["--format", "json", "--select", "service-without-health-check,server-without-graceful-shutdown"];
    let found = |dir: &tempfile::TempDir| {
        let output = archlint(dir.path(), &rules);
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
        let mut rules: Vec<String> =
            report["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect();
        rules.sort();
        rules
    };
    assert_eq!(found(&service_on_own_server_kit("")), ["server-without-graceful-shutdown", "service-without-health-check"]);
    let health_only = "[[models.packages]]\nlanguage = \"typescript\"\nmodule = \"@acme/server-kit\"\nprovides = [\"health-check\"]\n";
    assert_eq!(found(&service_on_own_server_kit(health_only)), ["server-without-graceful-shutdown"]);
    let both = "[[models.packages]]\nlanguage = \"typescript\"\nmodule = \"@acme/server-kit\"\nprovides = [\"health-check\", \"graceful-shutdown\"]\n";
    let described = service_on_own_server_kit(both);
    assert!(found(&described).is_empty());
    let listing = stdout(&archlint(described.path(), &["models", "--language", "typescript"]));
    assert!(listing.contains("@acme/server-kit") && listing.contains("health-check, graceful-shutdown"), "{listing}");
    assert!(listing.contains("@nestjs/terminus"), "the built-in packages are listed: {listing}");
}

#[test]
fn a_database_client_described_in_the_models_has_its_timeouts_checked() {
    let config = "[[models.connections]]\nlanguage = \"typescript\"\nfunction = \"createStore\"\nmodule = \"@acme/db\"\nwhat = \"Acme store pool\"\nkind = \"database\"\ntimeout-options = [\"acquireTimeoutMs\"]\nrequired-timeout = \"connectTimeoutMs\"\n";
    let dir = project(&[
        ("archlint.toml", config.as_bytes()),
        ("package.json", br#"{ "name": "ledger", "dependencies": { "@acme/db": "^2.0.0" } }"#),
        (
            "src/db.ts",
            b"import { createStore } from \"@acme/db\";\nexport const store = createStore({ connectTimeoutMs: 2000, acquireTimeoutMs: 0 });\nexport const replica = createStore({ acquireTimeoutMs: 5000 });\nexport const archive = createStore({ connectTimeoutMs: 2000, acquireTimeoutMs: 5000 });\n",
        ),
    ]);
    let output = archlint(dir.path(), &["--format", "json", "--select", "db-pool-without-timeout"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    let found: Vec<(u64, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["start"]["line"].as_u64().unwrap(), f["message"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        found,
        [
            (2, "`acquireTimeoutMs: 0` turns the database client's timeout off, so calls can wait forever".to_string()),
            (3, "Acme store pool without `connectTimeoutMs` waits forever for a connection".to_string()),
        ]
    );
}

#[test]
fn a_database_client_described_in_the_models_is_where_tls_switched_off_is_reported() {
    let config = "[[models.connections]]\nlanguage = \"typescript\"\nfunction = \"openStore\"\nmodule = \"@acme/db\"\nwhat = \"Acme store\"\nkind = \"database\"\n\n[[models.connections]]\nlanguage = \"typescript\"\nfunction = \"openQueue\"\nmodule = \"@acme/queue\"\nwhat = \"Acme queue\"\nkind = \"broker\"\n";
    // No `database` key names the options as a database's: only the model does.
    let source = b"import { openStore } from \"@acme/db\";\nimport { openQueue } from \"@acme/queue\";\nexport const store = openStore({ host: \"store.acme.io\", ssl: false });\nexport const queue = openQueue({ host: \"queue.acme.io\", ssl: false });\nexport const local = openStore({ host: \"localhost\", ssl: false });\n";
    let dir = project(&[
        ("archlint.toml", config.as_bytes()),
        ("package.json", br#"{ "name": "ledger", "dependencies": { "@acme/db": "^2.0.0", "@acme/queue": "^1.0.0" } }"#),
        ("src/db.ts", source),
    ]);
    assert_eq!(places_of(dir.path(), "database-without-tls"), [("src/db.ts".to_string(), 3)]);
    let unmodelled = project(&[("src/db.ts", source)]);
    assert_eq!(places_of(unmodelled.path(), "database-without-tls"), []);
}

#[test]
fn a_projects_own_sanitizing_package_described_in_the_models_answers_nosql_findings() {
    let config =
        "[[models.packages]]\nlanguage = \"typescript\"\nmodule = \"./security/strip-operators\"\nprovides = [\"nosql-sanitizing\"]\n";
    let routes = b"import express from \"express\";\nimport mongoose from \"mongoose\";\nconst User = mongoose.model(\"User\", new mongoose.Schema({ email: String }));\nexport const router = express.Router();\nrouter.get(\"/users\", async (req, res) => res.json(await User.find(req.query)));\n";
    let app = b"import express from \"express\";\nimport { stripOperators } from \"./security/strip-operators\";\nexport const app = express();\napp.use(stripOperators());\n";
    let dir = ledger(config, &[("src/routes.ts", routes), ("src/app.ts", app)]);
    let found = |dir: &tempfile::TempDir| places_of(dir.path(), "nosql-injection");
    assert_eq!(found(&dir), Vec::<(String, u64)>::new(), "the project strips operators for the whole app");
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    assert_eq!(found(&dir), [("src/routes.ts".to_string(), 5)], "without the entry, the filter takes the client's object");
}

#[test]
fn a_projects_own_redacting_secret_crate_described_in_the_models_is_not_a_leak_until_exposed() {
    let config =
        "[[models.packages]]\nlanguage = \"rust\"\nmodule = \"vaulted\"\nprovides = [\"redacted-secrets\"]\nexposed-by = [\"reveal\"]\n";
    let rs = b"use vaulted::Sealed;\n\npub fn connect(api_key: &Sealed) {\n    tracing::info!(?api_key, \"connecting\");\n    tracing::info!(key = %api_key.reveal(), \"connecting\");\n    tracing::info!(key = %api_key.fingerprint(), \"connecting\");\n}\n";
    let (with, without, dir) = with_and_without(config, &[("src/client.rs", rs)], "secret-in-logs");
    assert_eq!(
        with,
        [("src/client.rs".to_string(), 5)],
        "the revealed value; not: the sealed one, which prints redacted, or a fingerprint"
    );
    assert_eq!(without, [("src/client.rs".to_string(), 4)], "without the entry, `vaulted` is any crate and `reveal` any call");
    assert_config_error(
        dir.path(),
        "[[models.packages]]\nlanguage = \"rust\"\nmodule = \"vaulted\"\nprovides = [\"graceful-shutdown\"]\nexposed-by = [\"reveal\"]\n",
        "secret-in-logs",
        "a package's `exposed-by` are the methods that read its redacted secrets out: it needs `provides = [\"redacted-secrets\"]`",
    );
}

#[test]
fn a_projects_own_odm_setting_described_in_the_models_sanitizes_every_filter_once_switched_on() {
    let config = "[[models.packages]]\nlanguage = \"typescript\"\nmodule = \"./db/odm\"\nprovides = [\"nosql-sanitizing\"]\nswitched-on-by = { function = \"configure\", setting = \"stripOperators\" }\n";
    let routes = b"import express from \"express\";\nimport mongoose from \"mongoose\";\nconst User = mongoose.model(\"User\", new mongoose.Schema({ email: String }));\nexport const router = express.Router();\nrouter.get(\"/users\", async (req, res) => res.json(await User.find(req.query)));\n";
    let switched = |on: &str| {
        format!("import * as odm from \"../src/db/odm\";\nodm.configure(\"stripOperators\", {on});\nodm.configure(\"verbose\", true);\n")
            .into_bytes()
    };
    let (with, without, dir) =
        with_and_without(config, &[("src/routes.ts", routes), ("src/setup.ts", &switched("true"))], "nosql-injection");
    assert_eq!(with, Vec::<(String, u64)>::new(), "the project's ODM strips operators from every filter");
    assert_eq!(without, [("src/routes.ts".to_string(), 5)], "without the entry, `configure` is any call");
    let (off, _, _) = with_and_without(config, &[("src/routes.ts", routes), ("src/setup.ts", &switched("false"))], "nosql-injection");
    assert_eq!(off, [("src/routes.ts".to_string(), 5)], "the setting switched off sanitises nothing");
    assert_config_error(
        dir.path(),
        "[[models.packages]]\nlanguage = \"rust\"\nmodule = \"odm\"\nprovides = [\"nosql-sanitizing\"]\nswitched-on-by = { function = \"configure\", setting = \"stripOperators\" }\n",
        "nosql-injection",
        "`switched-on-by` names a TypeScript package's function",
    );
}

#[test]
fn a_projects_own_logger_instances_described_by_their_receivers_are_loggers() {
    let config = "[[models.loggers]]\nlanguage = \"typescript\"\nmethods = [\"note\"]\nreceivers = [\"journal\", \"*Trail\"]\n";
    let ts = br#"export function onLogin(journal: Journal, auditTrail: Trail, cart: Cart, password: string) {
  journal.note("login", password);
  auditTrail.note("login", password);
  cart.note("login", password);
  journal.note("login");
}
"#;
    let (with, without, dir) = with_and_without(config, &[("src/login.ts", ts)], "secret-in-logs");
    assert_eq!(
        with,
        [("src/login.ts".to_string(), 2), ("src/login.ts".to_string(), 3)],
        "receivers by name and by ending, in any case; not: another receiver, a line without the secret"
    );
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entry, `note` is any method");
    assert_config_error(
        dir.path(),
        "[[models.loggers]]\nlanguage = \"typescript\"\nfunction = \"journal.note\"\nreceivers = [\"journal\"]\n",
        "secret-in-logs",
        "a logger's `receivers` are for TypeScript `methods`",
    );
}

#[test]
fn a_projects_own_logger_described_in_the_models_has_its_arguments_checked() {
    let config = "[[models.loggers]]\nlanguage = \"typescript\"\nfunction = \"audit.record\"\nmodule = \"./audit\"\n\n[[models.loggers]]\nlanguage = \"rust\"\nfunction = \"AuditTrail::record\"\n";
    let dir = ledger(
        config,
        &[
            (
                "src/login.ts",
                b"import * as audit from \"./audit\";\nimport * as metrics from \"./metrics\";\nexport function onLogin(user: { name: string }, password: string) {\n  audit.record(\"login\", user.name, password);\n  audit.record(\"login\", user.name);\n  metrics.record(\"login\", password);\n}\n",
            ),
            (
                "src/audit.rs",
                b"pub struct AuditTrail;\nimpl AuditTrail { pub fn record(&self, _what: &str, _detail: &str) {} }\npub fn on_login(trail: &AuditTrail, user: &str, api_key: &str) {\n    trail.record(\"login\", api_key);\n    trail.record(\"login\", user);\n}\n",
            ),
        ],
    );
    let output = archlint(dir.path(), &["--format", "json", "--select", "secret-in-logs"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    let found: Vec<(String, u64, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (f["path"].as_str().unwrap().to_string(), f["start"]["line"].as_u64().unwrap(), f["message"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(
        found,
        [
            ("src/audit.rs".to_string(), 4, "`api_key` is written to the log by `record`".to_string()),
            ("src/login.ts".to_string(), 4, "`password` is written to the log by `audit.record`".to_string()),
        ],
        "not: the user name; `metrics.record`, which is not the audit module's"
    );
    // Without the entries, neither call is a logger.
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    let output = archlint(dir.path(), &["--format", "json", "--select", "secret-in-logs"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    assert_eq!(report["findings"].as_array().unwrap().len(), 0, "{report}");
}

#[test]
fn a_projects_own_password_hasher_described_in_the_models_answers_plaintext_password() {
    let users = "import { Injectable } from \"@nestjs/common\";\nimport { Repository } from \"typeorm\";\n\nexport class CreateUserDto {\n  email: string;\n  password: string;\n}\n\n@Injectable()\nexport class UsersService {\n  constructor(private readonly repo: Repository<unknown>) {}\n\n  async create(dto: CreateUserDto) {\n    return this.repo.save(dto);\n  }\n}\n";
    let auth = "import { Injectable } from \"@nestjs/common\";\nimport { CreateUserDto, UsersService } from \"./users.service\";\nimport { Vault } from \"./vault\";\n\n@Injectable()\nexport class AuthService {\n  constructor(private readonly usersService: UsersService, private readonly vault: Vault) {}\n\n  async register(dto: CreateUserDto) {\n    const sealed = await this.vault.seal(dto.password);\n    return this.usersService.create({ ...dto, password: sealed });\n  }\n}\n";
    let files = |config: &'static str| {
        project(&[
            ("archlint.toml", config.as_bytes()),
            ("package.json", br#"{ "name": "accounts", "dependencies": { "@nestjs/common": "^10.0.0", "typeorm": "^0.3.0" } }"#),
            ("src/users.service.ts", users.as_bytes()),
            ("src/auth.service.ts", auth.as_bytes()),
        ])
    };
    let found = |dir: &tempfile::TempDir| places_of(dir.path(), "plaintext-password");
    // Without an entry, `seal` says nothing of hashing: the service stores the DTO it is handed.
    assert_eq!(found(&files("")), [("src/users.service.ts".to_string(), 14)]);
    // With one, the caller hashes the password before it hands the DTO over.
    let config = "[[models.hashers]]\nlanguage = \"typescript\"\nfunction = \"Vault.seal\"\n";
    assert_eq!(found(&files(config)), Vec::<(String, u64)>::new());
    // Rust has no use for one: a one-line error, exit 2.
    let dir = files("[[models.hashers]]\nlanguage = \"rust\"\nfunction = \"Vault::seal\"\n");
    let output = archlint(dir.path(), &["--select", "plaintext-password"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("archlint.toml:3: `hashers` entries are for TypeScript"), "{stderr}");
}

#[test]
fn a_projects_own_blocking_calls_described_in_the_models_are_reported_in_async_code() {
    let config = "[[models.blocking]]\nlanguage = \"typescript\"\nfunction = \"querySync\"\nmodule = \"./legacy-db\"\ninstead = \"`legacyDb.query` (it returns a promise)\"\n\n[[models.blocking]]\nlanguage = \"rust\"\nfunction = \"LegacyStore::fetch_all\"\ninstead = \"`AsyncStore::fetch_all`\"\n";
    let dir = ledger(
        config,
        &[
            (
                "src/routes.ts",
                b"import express from \"express\";\nimport * as legacyDb from \"./legacy-db\";\nimport * as cache from \"./cache\";\nconst app = express();\napp.get(\"/rows\", async (req, res) => {\n  res.json({ rows: legacyDb.querySync(\"select 1\"), hot: cache.querySync(\"rows\") });\n});\nexport function warmUp() {\n  return legacyDb.querySync(\"select 1\");\n}\n",
            ),
            (
                "src/store.rs",
                b"pub struct LegacyStore;\nimpl LegacyStore { pub fn fetch_all(&self) -> usize { 0 } }\npub struct Ledger;\nimpl Ledger { pub fn fetch_all(&self) -> usize { 0 } }\npub async fn rows(legacy_store: LegacyStore, ledger: Ledger) -> usize {\n    legacy_store.fetch_all() + ledger.fetch_all()\n}\npub fn sync_rows(legacy_store: LegacyStore) -> usize {\n    legacy_store.fetch_all()\n}\n",
            ),
        ],
    );
    let found = |dir: &tempfile::TempDir| -> Vec<(String, u64, String, String)> {
        let output = archlint(dir.path(), &["--format", "json", "--select", "blocking-in-async"]);
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
        let findings = report["findings"].as_array().unwrap().iter();
        findings
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_string(),
                    f["start"]["line"].as_u64().unwrap(),
                    f["message"].as_str().unwrap().to_string(),
                    f["help"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        found(&dir),
        [
            (
                "src/routes.ts".to_string(),
                6,
                "`legacyDb.querySync` blocks the event loop in a request handler; every other request waits".to_string(),
                "use `legacyDb.query` (it returns a promise), or move the work to a worker thread".to_string()
            ),
            (
                "src/store.rs".to_string(),
                6,
                "`LegacyStore::fetch_all` blocks a runtime worker thread inside async code".to_string(),
                "use `AsyncStore::fetch_all`, or run the blocking work in `tokio::task::spawn_blocking`".to_string()
            ),
        ],
        "not: the cache's `querySync`, the ledger's `fetch_all`, calls outside async code"
    );
    // Without the entries, neither call is known to block.
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    assert_eq!(found(&dir), Vec::<(String, u64, String, String)>::new());
}

#[test]
fn a_projects_own_cpu_heavy_calls_described_in_the_models_are_reported_in_async_code_and_not_as_blocking() {
    let config = "[[models.blocking]]\nlanguage = \"rust\"\nfunction = \"thumbnails::render\"\ncpu = true\nmessage = \"`{callee}` resizes an image on the async executor\"\n";
    let source = b"pub mod thumbnails {\n    pub fn render(_bytes: &[u8]) -> Vec<u8> { Vec::new() }\n}\npub mod previews {\n    pub fn render(_bytes: &[u8]) -> Vec<u8> { Vec::new() }\n}\npub async fn upload(bytes: Vec<u8>) -> usize {\n    thumbnails::render(&bytes).len() + previews::render(&bytes).len()\n}\npub async fn offloaded(bytes: Vec<u8>) -> usize {\n    tokio::task::spawn_blocking(move || thumbnails::render(&bytes)).await.map(|t| t.len()).unwrap_or(0)\n}\npub fn batch(bytes: &[u8]) -> usize {\n    thumbnails::render(bytes).len()\n}\n";
    let dir = ledger(config, &[("src/media.rs", source)]);
    let messages = |dir: &tempfile::TempDir, rule: &str| -> Vec<(u64, String)> {
        let output = archlint(dir.path(), &["--format", "json", "--select", rule]);
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
        let findings = report["findings"].as_array().unwrap().iter();
        findings.map(|f| (f["start"]["line"].as_u64().unwrap(), f["message"].as_str().unwrap().to_string())).collect()
    };
    assert_eq!(
        messages(&dir, "cpu-heavy-work-in-async"),
        [(8, "`thumbnails::render` resizes an image on the async executor".to_string())],
        "not: another module's `render`, a call on the blocking pool, a call outside async code"
    );
    assert_eq!(messages(&dir, "blocking-in-async"), [], "a CPU-heavy call is not reported as blocking I/O too");
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    assert_eq!(messages(&dir, "cpu-heavy-work-in-async"), [], "without the entry, `render` is an ordinary call");
    assert_config_error(
        dir.path(),
        "[[models.blocking]]\nlanguage = \"rust\"\nfunction = \"thumbnails::render\"\nmessage = \"slow\"\n",
        "cpu-heavy-work-in-async",
        "archlint.toml:3: a blocking call's `message` is for CPU-heavy calls: add `cpu = true`",
    );
}

#[test]
fn a_projects_own_key_taking_calls_described_in_the_models_report_literal_keys() {
    let config = "[[models.keys]]\nlanguage = \"typescript\"\nfunction = \"issue\"\nmodule = \"./tokens\"\nargument = 1\nwhat = \"token signing key\"\n\n[[models.keys]]\nlanguage = \"typescript\"\nfunction = \"connect\"\nmodule = \"@acme/vault\"\noption = \"unsealWith\"\nwhat = \"vault master key\"\n\n[[models.keys]]\nlanguage = \"rust\"\nfunction = \"Signer::with_key\"\nargument = 0\nwhat = \"webhook signing key\"\n";
    let dir = ledger(
        config,
        &[
            (
                "src/login.ts",
                b"import * as tokens from \"./tokens\";\nimport * as metrics from \"./metrics\";\nimport { connect } from \"@acme/vault\";\nexport const vault = connect({ url: process.env.VAULT_URL, unsealWith: \"Qm7Zr2Lx9Vt4Wp8Kc3Nb\" });\nexport function onLogin(user: { id: string }) {\n  metrics.issue(user.id, \"Hs5Jd8Fa2Gk7Lq3Wz9Xc\");\n  return tokens.issue({ sub: user.id }, \"Yp4Tn8Rb1Vc6Xm2Kd9Lf\");\n}\nexport function refresh(user: { id: string }) {\n  return tokens.issue({ sub: user.id }, process.env.TOKEN_KEY);\n}\n",
            ),
            (
                "src/hooks.rs",
                b"pub struct Signer;\nimpl Signer { pub fn with_key(_key: &str) -> Signer { Signer } }\npub fn signer() -> Signer {\n    Signer::with_key(\"Wq3Ze7Rx1Tb5Yn9Um2Io\")\n}\npub fn signer_from_env() -> Signer {\n    Signer::with_key(&std::env::var(\"HOOK_KEY\").unwrap_or_default())\n}\n",
            ),
        ],
    );
    let found = |dir: &tempfile::TempDir| -> Vec<(String, u64, String)> {
        let output = archlint(dir.path(), &["--format", "json", "--select", "hardcoded-secret"]);
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
        let findings = report["findings"].as_array().unwrap().iter();
        findings
            .map(|f| {
                (f["path"].as_str().unwrap().to_string(), f["start"]["line"].as_u64().unwrap(), f["message"].as_str().unwrap().to_string())
            })
            .collect()
    };
    let with_entries = found(&dir);
    let places: Vec<(&str, u64)> = with_entries.iter().map(|(path, line, _)| (path.as_str(), *line)).collect();
    assert_eq!(places, [("src/hooks.rs", 4), ("src/login.ts", 4), ("src/login.ts", 7)], "not: `metrics.issue`, keys from the environment");
    assert!(with_entries[0].2.contains("webhook signing key"), "{with_entries:?}");
    assert!(with_entries[1].2.contains("vault master key"), "{with_entries:?}");
    assert!(with_entries[2].2.contains("token signing key"), "{with_entries:?}");
    // Without the entries, none of these literals is known to be a key (they are named like nothing).
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    assert_eq!(found(&dir), Vec::<(String, u64, String)>::new());
    // An entry that says neither where the key is nor what it is: one line, exit 2.
    assert_config_error(
        dir.path(),
        "[[models.keys]]\nlanguage = \"rust\"\nfunction = \"Signer::with_key\"\nwhat = \"key\"\n",
        "hardcoded-secret",
        "archlint.toml:3: a key entry names where the key is",
    );
}

#[test]
fn a_projects_own_password_hashing_wrapper_described_in_the_models_has_its_work_factor_judged() {
    let config = "[[models.kdfs]]\nlanguage = \"typescript\"\nfunction = \"hashSecret\"\nmodule = \"./passwords\"\nalgorithm = \"bcrypt\"\ncost-argument = 1\n\n[[models.kdfs]]\nlanguage = \"rust\"\nfunction = \"Vault::derive\"\nalgorithm = \"pbkdf2\"\ninput-argument = 0\nsalt-argument = 1\niterations-argument = 2\n";
    let dir = ledger(
        config,
        &[
            (
                "src/signup.ts",
                b"import { hashSecret } from \"./passwords\";\nimport { hashSecret as digest } from \"./checksums\";\nexport async function signUp(password: string) {\n  const weak = await hashSecret(password, 8);\n  const fine = await hashSecret(password, 12);\n  const other = digest(password, 4);\n  return [weak, fine, other];\n}\n",
            ),
            (
                "src/vault.rs",
                b"pub struct Vault;\nimpl Vault { pub fn derive(&self, _p: &str, _s: &[u8], _n: u32) -> Vec<u8> { Vec::new() } }\npub fn store(vault: &Vault, password: &str, salt: &[u8]) -> Vec<u8> {\n    vault.derive(password, salt, 10_000)\n}\npub fn wrap(vault: &Vault, encryption_key: &str, salt: &[u8]) -> Vec<u8> {\n    vault.derive(encryption_key, salt, 1_000)\n}\npub fn fixed(vault: &Vault, password: &str) -> Vec<u8> {\n    vault.derive(password, b\"pepper\", 700_000)\n}\n",
            ),
        ],
    );
    let found = |dir: &tempfile::TempDir| places_of(dir.path(), "weak-kdf-parameters");
    assert_eq!(
        found(&dir),
        [("src/signup.ts".to_string(), 4), ("src/vault.rs".to_string(), 4), ("src/vault.rs".to_string(), 10)],
        "the cost 8, the 10,000 iterations, the constant salt; not: cost 12, the checksum helper of another module, a key-named input"
    );
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    assert_eq!(found(&dir), Vec::<(String, u64)>::new(), "without the entries, the wrappers are unknown");
    assert_config_error(
        dir.path(),
        "[[models.kdfs]]\nlanguage = \"rust\"\nfunction = \"Vault::derive\"\nalgorithm = \"pbkdf2\"\n",
        "weak-kdf-parameters",
        "archlint.toml:4: a `pbkdf2` kdf entry says where nothing it is judged by is",
    );
}

#[test]
fn a_projects_own_token_helpers_described_in_the_models_are_judged_like_jwt_libraries() {
    let config = "[[models.tokens]]\nlanguage = \"typescript\"\nfunction = \"peek\"\nmodule = \"./auth/tokens\"\nrole = \"decode\"\n\n[[models.tokens]]\nlanguage = \"typescript\"\nfunction = \"issue\"\nmodule = \"./auth/tokens\"\nrole = \"sign\"\noptions-argument = 1\nexpiry-option = \"ttl\"\n\n[[models.tokens]]\nlanguage = \"rust\"\nfunction = \"auth::mint\"\nrole = \"sign\"\n";
    let dir = ledger(
        config,
        &[
            (
                "src/session.ts",
                b"import { peek, issue } from \"./auth/tokens\";\nimport { peek as peekCache } from \"./cache\";\nexport function currentUser(req: any) {\n  const claims = peek(req.headers.authorization);\n  req.user = claims;\n}\nexport function cachedRole(key: string) {\n  const entry = peekCache(key);\n  return entry.role;\n}\nexport function login(id: string) {\n  return issue({ sub: id });\n}\nexport function loginBriefly(id: string) {\n  return issue({ sub: id }, { ttl: \"15m\" });\n}\n",
            ),
            (
                "src/tokens.rs",
                b"use serde::Serialize;\n#[derive(Serialize)]\npub struct Claims { pub sub: String }\n#[derive(Serialize)]\npub struct ExpiringClaims { pub sub: String, pub exp: u64 }\npub fn issue(user: &str) -> String {\n    crate::auth::mint(&Claims { sub: user.to_string() })\n}\npub fn issue_briefly(user: &str, exp: u64) -> String {\n    crate::auth::mint(&ExpiringClaims { sub: user.to_string(), exp })\n}\n",
            ),
        ],
    );
    let found = |dir: &tempfile::TempDir| findings_of(dir.path(), "jwt-verification-disabled,jwt-without-expiry");
    let with_entries = found(&dir);
    let expected = [
        ("jwt-verification-disabled", "src/session.ts", 4),
        ("jwt-without-expiry", "src/session.ts", 12),
        ("jwt-without-expiry", "src/tokens.rs", 7),
    ];
    let places: Vec<(&str, &str, u64)> = with_entries.iter().map(|(rule, path, line)| (rule.as_str(), path.as_str(), *line)).collect();
    assert_eq!(places, expected, "not: the cache's `peek`, a token given a `ttl`, claims with `exp`");
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    assert_eq!(found(&dir), Vec::<(String, String, u64)>::new(), "without the entries, the helpers are unknown");
    assert_config_error(
        dir.path(),
        "[[models.tokens]]\nlanguage = \"typescript\"\nfunction = \"AuthModule.setup\"\nrole = \"defaults\"\nexpiry-option = \"ttl\"\n",
        "jwt-without-expiry",
        "archlint.toml:4: a `defaults` token entry says where the options are",
    );
}

#[test]
fn a_projects_own_server_kit_described_in_the_models_is_where_the_operations_rules_report() {
    let config = "[[models.servers]]\nlanguage = \"typescript\"\nfunction = \"createService\"\nmodule = \"@acme/server-kit\"\nframework = \"Acme kit\"\n\n[[models.servers]]\nlanguage = \"rust\"\nfunction = \"kit::serve\"\nframework = \"acme-kit\"\ndrains-by-default = true\n";
    let dir = project(&[
        ("archlint.toml", config.as_bytes()),
        ("api/package.json", br#"{ "name": "ledger-api", "dependencies": { "@acme/server-kit": "^2.0.0" } }"#),
        (
            "api/src/main.ts",
            b"import { createService } from \"@acme/server-kit\";\nimport { createQueue } from \"@acme/queue\";\nconst svc = createService({ name: \"ledger\" });\nsvc.listen(8080);\nconst jobs = createQueue(\"ledger\");\njobs.listen(8081);\n",
        ),
        ("worker/Cargo.toml", b"[package]\nname = \"ledger-worker\"\nversion = \"0.1.0\"\n\n[dependencies]\ntokio = \"1\"\n"),
        ("worker/src/main.rs", b"mod kit;\n#[tokio::main]\nasync fn main() {\n    kit::serve(\"0.0.0.0:9000\").await;\n}\n"),
    ]);
    let found = |dir: &tempfile::TempDir| findings_of(dir.path(), "server-without-graceful-shutdown,service-without-health-check");
    let with_entries = found(&dir);
    let places: Vec<(&str, &str, u64)> = with_entries.iter().map(|(rule, path, line)| (rule.as_str(), path.as_str(), *line)).collect();
    assert_eq!(
        places,
        [
            ("server-without-graceful-shutdown", "api/src/main.ts", 4),
            ("service-without-health-check", "api/src/main.ts", 4),
            ("service-without-health-check", "worker/src/main.rs", 4),
        ],
        "not: the queue's `listen`, shutdown of a kit that drains by itself"
    );
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    assert_eq!(found(&dir), Vec::<(String, String, u64)>::new(), "without the entries, neither kit is known to serve HTTP");
    assert_config_error(
        dir.path(),
        "[[models.servers]]\nlanguage = \"rust\"\nfunction = \"kit::serve\"\nframework = \" \"\n",
        "service-without-health-check",
        "archlint.toml:3: a server entry's `framework`",
    );
}

#[test]
fn a_projects_own_body_limits_described_in_the_models_are_checked_against_max_bytes() {
    let config = "[[models.body-limits]]\nlanguage = \"typescript\"\nfunction = \"uploads\"\nmodule = \"./http/uploads\"\nlimit-option = \"maxBytes\"\n\n[[models.body-limits]]\nlanguage = \"rust\"\nfunction = \"Gateway::body_cap\"\nlimit-argument = 0\n";
    let dir = ledger(
        config,
        &[
            (
                "src/app.ts",
                b"import express from \"express\";\nimport { uploads } from \"./http/uploads\";\nimport { uploads as thumbnails } from \"./media\";\nconst app = express();\napp.use(uploads({ maxBytes: \"2gb\" }));\napp.use(\"/avatars\", uploads({ maxBytes: \"5mb\" }));\napp.use(thumbnails({ maxBytes: \"4gb\" }));\n",
            ),
            (
                "src/gateway.rs",
                b"pub struct Gateway;\nimpl Gateway { pub fn body_cap(self, _bytes: u64) -> Gateway { self } }\npub fn build(gateway: Gateway) -> Gateway {\n    gateway.body_cap(1 << 40)\n}\npub fn small(gateway: Gateway) -> Gateway {\n    gateway.body_cap(64 * 1024)\n}\n",
            ),
        ],
    );
    let found = |dir: &tempfile::TempDir| places_of(dir.path(), "unbounded-request-body");
    assert_eq!(
        found(&dir),
        [("src/app.ts".to_string(), 5), ("src/gateway.rs".to_string(), 4)],
        "the 2 GB uploads and the 1 TB gateway cap; not: 5 MB, 64 KB, another module's `uploads`"
    );
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    assert_eq!(found(&dir), Vec::<(String, u64)>::new(), "without the entries, the limits are unknown");
    assert_config_error(
        dir.path(),
        "[[models.body-limits]]\nlanguage = \"rust\"\nfunction = \"Gateway::body_cap\"\nlimit-argument = 0\ndisables = true\n",
        "unbounded-request-body",
        "archlint.toml:3: a body-limit entry says one thing",
    );
}

#[test]
fn a_projects_own_caches_described_in_the_models_need_a_bound() {
    let config = "[[models.caches]]\nlanguage = \"typescript\"\nfunction = \"createCache\"\nmodule = \"./lib/cache\"\nwhat = \"lib cache\"\nbound-options = [\"maxEntries\", \"ttlSeconds\"]\n\n[[models.caches]]\nlanguage = \"rust\"\nfunction = \"Memo::unbounded\"\nwhat = \"memo table\"\nunbounded = true\n";
    let dir = ledger(
        config,
        &[
            (
                "src/prices.ts",
                b"import { createCache } from \"./lib/cache\";\nimport { createCache as createPool } from \"./lib/pool\";\nexport const quotes = createCache({ name: \"quotes\" });\nexport const rates = createCache({ maxEntries: 500 });\nexport const sessions = createPool({ name: \"sessions\" });\n",
            ),
            (
                "src/memo.rs",
                b"pub struct Memo;\nimpl Memo {\n    pub fn unbounded() -> Memo { Memo }\n    pub fn with_capacity(_n: usize) -> Memo { Memo }\n}\npub fn tables() -> (Memo, Memo) {\n    (Memo::unbounded(), Memo::with_capacity(1024))\n}\n",
            ),
        ],
    );
    let found = |dir: &tempfile::TempDir| places_of(dir.path(), "cache-without-expiry");
    assert_eq!(
        found(&dir),
        [("src/memo.rs".to_string(), 7), ("src/prices.ts".to_string(), 3)],
        "the unbounded memo table and the cache without a bound; not: `maxEntries`, the pool of another module, a capacity"
    );
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    assert_eq!(found(&dir), Vec::<(String, u64)>::new(), "without the entries, the caches are unknown");
    assert_config_error(dir.path(), "[[models.caches]]\nlanguage = \"rust\"\nfunction = \"Memo::unbounded\"\nwhat = \"memo table\"\nunbounded = true\nbound-methods = [\"cap\"]\n", "cache-without-expiry", "archlint.toml:3: a cache entry says what bounds the cache");
}

#[test]
fn a_projects_own_key_value_store_described_in_the_models_has_its_writes_checked_for_expiry() {
    let config = "[[models.connections]]\nlanguage = \"typescript\"\nfunction = \"openStore\"\nmodule = \"@acme/kv\"\nwhat = \"Acme KV client\"\nkind = \"cache\"\nclient-types = [\"KvClient\"]\nwrites-without-expiry = [\"put\"]\nexpiring-methods = [\"expireIn\"]\n";
    let source = b"import { openStore, KvClient } from \"@acme/kv\";\nconst kv = openStore();\nexport async function remember(key: string, value: string) {\n  await kv.put(key, value);\n}\nexport async function lease(key: string) {\n  await kv.put(key, \"held\");\n  await kv.expireIn(key, 30);\n}\nexport class Sessions {\n  constructor(private readonly store: KvClient) {}\n  async save(id: string, data: string) {\n    await this.store.put(id, data);\n  }\n}\nexport const settings = new Map<string, string>();\nexport function configure(key: string, value: string) {\n  settings.set(key, value);\n}\n";
    let (with, without, dir) = with_and_without(config, &[("src/kv.ts", source)], "cache-without-expiry");
    assert_eq!(
        with,
        [("src/kv.ts".to_string(), 4), ("src/kv.ts".to_string(), 13)],
        "writes by the client and by a field of its type; not: a write expired in the same function, a Map"
    );
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entry, `put` is no store's write");
    assert_config_error(
        dir.path(),
        "[[models.connections]]\nlanguage = \"typescript\"\nfunction = \"openStore\"\nwhat = \"store\"\nkind = \"database\"\nwrites-without-expiry = [\"put\"]\n",
        "cache-without-expiry",
        "archlint.toml:5: `client-types`, `writes-without-expiry` and `expiring-methods` describe a key-value store: they need `kind = \"cache\"`",
    );
}

#[test]
fn a_projects_own_graphql_server_described_in_the_models_is_checked_for_switches_and_limits() {
    let config = "[[models.graphql]]\nlanguage = \"typescript\"\nfunction = \"createGateway\"\nmodule = \"./graphql/gateway\"\nlibrary = \"gateway\"\nswitches = [\"explorer\"]\nlimit-options = [\"maxDepth\"]\n";
    let dir = ledger(
        config,
        &[(
            "src/graphql.ts",
            b"import { createGateway } from \"./graphql/gateway\";\nimport { createGateway as createProxy } from \"./proxy\";\nexport const open = createGateway({ schema: {}, explorer: true });\nexport const bounded = createGateway({ schema: {}, maxDepth: 8 });\nexport const proxy = createProxy({ explorer: true });\n",
        )],
    );
    let found = |dir: &tempfile::TempDir| findings_of(dir.path(), "graphql-introspection-enabled,graphql-without-query-limits");
    let with_entries = found(&dir);
    let places: Vec<(&str, u64)> = with_entries.iter().map(|(rule, _, line)| (rule.as_str(), *line)).collect();
    assert_eq!(
        places,
        [("graphql-without-query-limits", 3), ("graphql-introspection-enabled", 3)],
        "the open gateway twice; not: the one with `maxDepth`, another module's `createGateway`"
    );
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    assert_eq!(found(&dir), Vec::<(String, String, u64)>::new(), "without the entry, the gateway is unknown");
    assert_config_error(
        dir.path(),
        "[[models.graphql]]\nlanguage = \"rust\"\nfunction = \"ide::page\"\nlibrary = \"gateway\"\nide-page = true\nswitches = [\"x\"]\n",
        "graphql-introspection-enabled",
        "archlint.toml:3: a graphql entry is a server",
    );
}

#[test]
fn a_projects_own_server_kit_has_its_timeouts_checked() {
    let config = "[[models.servers]]\nlanguage = \"typescript\"\nfunction = \"createService\"\nmodule = \"@acme/server-kit\"\nframework = \"Acme kit\"\nrequired-timeout = \"deadlineMs\"\ntimeouts-off-at-zero = { idleMs = 30000 }\n\n[[models.servers]]\nlanguage = \"rust\"\nfunction = \"kit::serve\"\nframework = \"acme-kit\"\nneeds-timeout-layer = true\ntimeout-help = \"pass `kit::Deadline` to `kit::serve`\"\n";
    let dir = ledger(
        config,
        &[
            (
                "src/main.ts",
                b"import { createService } from \"@acme/server-kit\";\nexport const open = createService({ name: \"ledger\" });\nexport const bounded = createService({ name: \"ledger\", deadlineMs: 30_000, idleMs: 0 });\n",
            ),
            ("src/main.rs", b"mod kit;\n#[tokio::main]\nasync fn main() {\n    kit::serve(\"0.0.0.0:9000\").await;\n}\n"),
        ],
    );
    let found = findings_of(dir.path(), "server-without-timeout");
    let places: Vec<(&str, u64)> = found.iter().map(|(_, path, line)| (path.as_str(), *line)).collect();
    assert_eq!(
        places,
        [("src/main.rs", 4), ("src/main.ts", 2), ("src/main.ts", 3)],
        "no deadline, an idle timeout of 0, a kit without a timeout of its own"
    );
    assert_config_error(
        dir.path(),
        "[[models.servers]]\nlanguage = \"rust\"\nfunction = \"kit::serve\"\nframework = \"acme-kit\"\ntimeout-help = \"x\"\n",
        "server-without-timeout",
        "archlint.toml:3: a server entry's `timeout-help` goes with `needs-timeout-layer = true`",
    );
}

#[test]
fn a_projects_own_request_timeouts_described_in_the_models_answer_a_server_or_switch_one_off() {
    let main = b"mod routes;\n#[tokio::main]\nasync fn main() {\n    let listener = tokio::net::TcpListener::bind(\"0.0.0.0:8080\").await.unwrap();\n    axum::serve(listener, routes::app()).await.unwrap();\n}\n";
    let routes = |layer: &str| {
        format!("use std::time::Duration;\npub fn app() -> axum::Router {{\n    axum::Router::new().layer({layer})\n}}\npub fn gateway(gate: &mut crate::gate::Gate) {{\n    gate.idle_deadline(Duration::ZERO);\n}}\n")
    };
    let config = "[[models.request-timeouts]]\nlanguage = \"rust\"\nfunction = \"deadline::DeadlineLayer::new\"\n\n[[models.request-timeouts]]\nlanguage = \"rust\"\nfunction = \"Gate::idle_deadline\"\nswitched-off-by = \"zero\"\ndefault-secs = 30\n";
    let built_in = routes("tower_http::timeout::TimeoutLayer::new(Duration::from_secs(30))");
    let dir = ledger(config, &[("src/main.rs", main), ("src/routes.rs", built_in.as_bytes())]);
    let found = |dir: &tempfile::TempDir| places_of(dir.path(), "server-without-timeout");
    assert_eq!(found(&dir), [("src/routes.rs".to_string(), 6)], "tower-http's layer answers the server; the gate's zero switches one off");
    let own = routes("crate::deadline::DeadlineLayer::new(Duration::from_secs(30))");
    std::fs::write(dir.path().join("src/routes.rs"), own.as_bytes()).unwrap();
    assert_eq!(found(&dir), [("src/routes.rs".to_string(), 6)], "the project's own layer answers it too");
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    assert_eq!(found(&dir), [("src/main.rs".to_string(), 5)], "without the entries: a server with no timeout, and no switch known");
    assert_config_error(
        dir.path(),
        "[[models.request-timeouts]]\nlanguage = \"rust\"\nfunction = \"deadline::DeadlineLayer::new\"\ndefault-secs = 30\n",
        "server-without-timeout",
        "archlint.toml:3: a request timeout's `default-secs` is what a fix restores: it needs `switched-off-by`",
    );
}

#[test]
fn a_projects_own_cookie_helpers_described_in_the_models_have_their_flags_checked() {
    let config = r#"
[[models.cookies]]
language = "typescript"
function = "setAuthCookie"
module = "./http/cookies"
role = "set"
name-argument = 1
value-argument = 2
options-argument = 3

[[models.cookies]]
language = "typescript"
function = "kitSession"
module = "@acme/kit"
role = "session"
library = "acme kit sessions"
on-by-default = ["secure", "http-only"]

[[models.cookies]]
language = "rust"
function = "SessionCookie::start"
role = "build"
builder-types = ["SessionCookieBuilder"]

[models.cookies.attribute-methods]
secure = ["https_only"]
http-only = ["hidden_from_scripts"]

[[models.cookies]]
language = "rust"
methods = ["cookie_https"]
role = "switch"
flag = "secure"
library = "acme sessions"
"#;
    let ts = br#"import { setAuthCookie } from "./http/cookies";
import { setAuthCookie as setPrefCookie } from "./http/prefs";
import { kitSession } from "@acme/kit";
export function login(res: any, token: string) {
  setAuthCookie(res, "session", token, { httpOnly: true });
  setAuthCookie(res, "refresh_token", token, { httpOnly: true, secure: true });
  setPrefCookie(res, "session", token, {});
}
export const sessions = kitSession({ secret: process.env.SECRET, secure: false });
export const quiet = kitSession({ secret: process.env.SECRET });
"#;
    let rs = br#"pub struct SessionCookie;
pub struct SessionCookieBuilder;
impl SessionCookie {
    pub fn start(_name: &str, _value: String) -> SessionCookieBuilder { SessionCookieBuilder }
}
impl SessionCookieBuilder {
    pub fn https_only(self, _on: bool) -> Self { self }
    pub fn hidden_from_scripts(self, _on: bool) -> Self { self }
    pub fn cookie_https(self, _on: bool) -> Self { self }
}
pub fn issue(token: String) -> SessionCookieBuilder {
    SessionCookie::start("session", token)
}
pub fn login(token: String) {
    let _weak = SessionCookie::start("session", token.clone()).https_only(true);
    let _strong = SessionCookie::start("session", token).https_only(true).hidden_from_scripts(true);
}
pub fn layer(builder: SessionCookieBuilder) -> SessionCookieBuilder {
    builder.cookie_https(false)
}
"#;
    let (with, without, dir) = with_and_without(config, &[("src/login.ts", ts), ("src/cookies.rs", rs)], "insecure-cookie");
    assert_eq!(with,
        [("src/cookies.rs".to_string(), 15), ("src/cookies.rs".to_string(), 19), ("src/login.ts".to_string(), 5), ("src/login.ts".to_string(), 9)],
        "the builder without HttpOnly, the switch turned off, the helper without `secure`, the session's `secure: false`; not: both flags set, a helper of another module, a builder handed to the caller, a session left to its defaults"
    );
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entries, these are no cookie calls");
    assert_config_error(
        dir.path(),
        "[[models.cookies]]\nlanguage = \"typescript\"\nfunction = \"bakeCookie\"\nrole = \"build\"\n",
        "insecure-cookie",
        "archlint.toml:4: a cookie entry with `role = \"build\"` is Rust only",
    );
    assert_config_error(
        dir.path(),
        "[[models.cookies]]\nlanguage = \"rust\"\nmethods = [\"cookie_https\"]\nrole = \"switch\"\n",
        "insecure-cookie",
        "archlint.toml:4: a cookie entry with `role = \"switch\"` names the `flag` it switches",
    );
    assert_config_error(
        dir.path(),
        "[[models.cookies]]\nlanguage = \"typescript\"\nfunction = \"setAuthCookie\"\nrole = \"set\"\ncookie-option = \"cookie\"\n",
        "insecure-cookie",
        "archlint.toml:4: a cookie entry's `cookie-option` is for `role = \"session\"`",
    );
}

#[test]
fn a_projects_own_app_kit_and_header_middleware_described_in_the_models_are_checked_for_security_headers() {
    let config = r#"
[[models.servers]]
language = "typescript"
function = "createApp"
module = "@acme/kit"
framework = "Acme kit"
mounts-middleware = true

[[models.packages]]
language = "typescript"
module = "@acme/headers"
provides = ["security-headers"]
options-off = { strictTransport = "hsts", sniffing = "no-sniff", policy = "content-security-policy" }
"#;
    let app = b"import { createApp } from \"@acme/kit\";\nexport const app = createApp();\n";
    let headers = b"import secureHeaders from \"@acme/headers\";\nimport otherHeaders from \"@acme/other\";\nexport const strict = secureHeaders({ strictTransport: false, policy: false });\nexport const relaxed = secureHeaders({ policy: false, sniffing: true });\nexport const other = otherHeaders({ strictTransport: false });\n";
    let dir = ledger(config, &[("src/app.ts", app)]);
    let found = |dir: &tempfile::TempDir| places_of(dir.path(), "missing-security-headers");
    assert_eq!(found(&dir), [("src/app.ts".to_string(), 2)], "an app of the kit, and no header middleware anywhere");
    std::fs::write(dir.path().join("src/headers.ts"), headers).unwrap();
    assert_eq!(
        found(&dir),
        [("src/headers.ts".to_string(), 3)],
        "the package answers the app; HSTS switched off is reported; not: only the policy off, a protection left on, another package's option"
    );
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    assert_eq!(found(&dir), Vec::<(String, u64)>::new(), "without the entries, neither the app nor the middleware is known");
    assert_config_error(
        dir.path(),
        "[[models.packages]]\nlanguage = \"typescript\"\nmodule = \"@acme/kit\"\nprovides = [\"health-check\"]\noptions-off = { hsts = \"hsts\" }\n",
        "missing-security-headers",
        "archlint.toml:3: a package's `options-off` are a security-header middleware's",
    );
}

#[test]
fn validators_of_the_models_answer_handlers_routed_elsewhere_and_http_client_calls_do_not() {
    let config =
        "[[models.validators]]\nlanguage = \"typescript\"\nfunction = \"guardInput\"\nmodule = \"./http/guard\"\nrole = \"middleware\"\n";
    let handler = b"import { Delivery } from \"./models\";\nexport const recordDelivery = async (req: any, res: any) => {\n  await Delivery.create({ reference: req.body.reference });\n  res.status(204).end();\n};\n";
    // An HTTP client's `post(url, params.toString())` and `post(url, body)` are no routes, and
    // their arguments no validator middleware, whatever they are called.
    let client = b"import axios from \"axios\";\nconst partner = axios.create({ timeout: 5000 });\nexport async function notify(reference: string) {\n  const params = new URLSearchParams({ reference });\n  await partner.post(\"/notify\", params.toString());\n  const body = { reference };\n  await partner.post(\"/audit\", body);\n}\n";
    let dir = ledger(config, &[("src/deliveries.ts", handler), ("src/partner.ts", client)]);
    let found = |dir: &tempfile::TempDir| places_of(dir.path(), "unvalidated-request-input");
    assert_eq!(found(&dir), [("src/deliveries.ts".to_string(), 3)], "no validator on any route");
    let routes = |import: &str| {
        format!("import express from \"express\";\n{import}\nimport {{ recordDelivery }} from \"./deliveries\";\nexport const router = express.Router();\nrouter.post(\"/deliveries\", check(\"reference\"), recordDelivery);\n")
    };
    std::fs::write(dir.path().join("src/routes.ts"), routes("import { guardInput as check } from \"./http/guard\";")).unwrap();
    assert_eq!(found(&dir), Vec::<(String, u64)>::new(), "the project's own validator middleware, declared in the models, on a route");
    std::fs::write(dir.path().join("src/routes.ts"), routes("import { body as check } from \"express-validator\";")).unwrap();
    assert_eq!(found(&dir), Vec::<(String, u64)>::new(), "express-validator's chain, imported under another name");
    std::fs::write(dir.path().join("src/routes.ts"), routes("import { check } from \"./http/permissions\";")).unwrap();
    assert_eq!(found(&dir), [("src/deliveries.ts".to_string(), 3)], "a function of another module named like a validator chain");
}

#[test]
fn a_projects_own_internal_error_types_described_in_the_models_are_not_to_be_shown_to_clients() {
    let config = "[[models.internal-errors]]\nlanguage = \"rust\"\ntype = \"store::StoreError\"\n";
    let errors = br#"use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("storage: {0}")]
    Storage(#[from] crate::store::StoreError),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("bad input: {0}")]
    Field(#[from] crate::forms::FieldError),
}

impl IntoResponse for InputError {
    fn into_response(self) -> Response {
        (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
    }
}
"#;
    let (with, without, dir) = with_and_without(config, &[("src/errors.rs", errors)], "error-details-in-response");
    assert_eq!(with, [("src/errors.rs".to_string(), 14)], "the error wrapping the store's; not: one wrapping another type");
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entry, the store's error is the project's own business");
    assert_config_error(
        dir.path(),
        "[[models.internal-errors]]\nlanguage = \"typescript\"\ntype = \"DbError\"\n",
        "error-details-in-response",
        "archlint.toml:3: an internal error type is a Rust type",
    );
}

#[test]
fn a_client_of_your_own_may_take_its_timeout_from_an_instance_or_a_global_default() {
    let config = r#"
[[models.clients]]
language = "typescript"
function = "createApi"
module = "@acme/http"
options-argument = 0
timeout-options = ["timeoutMs"]
instance-default = "settings.timeoutMs"
global-default = "@acme/http.defaults.timeoutMs"
message = "acme API client made without `timeoutMs`"
help = "pass `timeoutMs`"
"#;
    let clients = b"import { createApi } from \"@acme/http\";\nexport const billing = createApi({ base: \"https://billing.acme-corp.io\" });\nexport const search = createApi({ base: \"https://search.acme-corp.io\" });\nsearch.settings.timeoutMs = 2000;\nexport const ledger = createApi({ base: \"https://ledger.acme-corp.io\", timeoutMs: 5000 });\n";
    let dir = ledger(config, &[("src/clients.ts", clients)]);
    let found = |dir: &tempfile::TempDir| places_of(dir.path(), "http-client-without-timeout");
    assert_eq!(found(&dir), [("src/clients.ts".to_string(), 2)], "not: a timeout set on the instance later, or in its options");
    std::fs::write(dir.path().join("src/boot.ts"), b"import acme from \"@acme/http\";\nacme.defaults.timeoutMs = 10000;\n").unwrap();
    assert_eq!(found(&dir), Vec::<(String, u64)>::new(), "the global default set in another file answers every client");
    assert_config_error(
        dir.path(),
        "[[models.clients]]\nlanguage = \"rust\"\nfunction = \"Api::new\"\ntimeout-options = [\"timeout\"]\nglobal-default = \"x\"\nmessage = \"m\"\nhelp = \"h\"\n",
        "http-client-without-timeout",
        "a client's `global-default` and `instance-default` are TypeScript members",
    );
}

#[test]
fn a_projects_own_data_layer_described_in_the_models_has_its_lists_and_writes_checked() {
    let config = r#"
[[models.queries]]
language = "typescript"
function = "OrderStore.everything"
role = "list"
bound-options = ["max"]

[[models.queries]]
language = "typescript"
function = "OrderStore.put"
role = "write"
"#;
    let source = br#"import express from "express";
import { OrderStore } from "./data/orders";
const app = express();
const orders = new OrderStore();
const basket = new Map<string, unknown>();
app.get("/orders", async (_req, res) => {
  res.json(await orders.everything({ status: "open" }));
});
app.get("/orders/recent", async (_req, res) => {
  res.json(await orders.everything({ status: "open", max: 50 }));
});
app.post("/orders", async (req, res) => {
  await orders.put(req.body);
  basket.set("last", req.body);
  res.status(201).end();
});
"#;
    let dir = ledger(config, &[("src/orders.ts", source)]);
    let found = |dir: &tempfile::TempDir| findings_of(dir.path(), "unbounded-query,mass-assignment");
    assert_eq!(
        found(&dir),
        [("unbounded-query".to_string(), "src/orders.ts".to_string(), 7), ("mass-assignment".to_string(), "src/orders.ts".to_string(), 13)],
        "the list with no `max` and the whole body written by the store; not: a bounded list, a Map"
    );
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    assert_eq!(found(&dir), Vec::<(String, String, u64)>::new(), "without the entries, the store's methods are its own business");
    assert_config_error(
        dir.path(),
        "[[models.queries]]\nlanguage = \"typescript\"\nfunction = \"OrderStore.everything\"\nrole = \"list\"\n",
        "unbounded-query",
        "archlint.toml:4: a query entry with `role = \"list\"` says what bounds its rows (`bound-options`, `bound-methods`)",
    );
    assert_config_error(
        dir.path(),
        "[[models.queries]]\nlanguage = \"typescript\"\nmethods = [\"fetchAll\"]\nrole = \"runner\"\nafter = \"build\"\nbound-options = [\"max\"]\n",
        "unbounded-query",
        "archlint.toml:4: a query entry with `role = \"list\"` says what bounds its rows",
    );
}

#[test]
fn a_projects_own_query_builder_runner_is_bounded_by_the_chain_methods_its_entry_names() {
    let config = "[[models.queries]]\nlanguage = \"typescript\"\nmethods = [\"fetchAll\"]\nrole = \"runner\"\nafter = \"build\"\nbound-methods = [\"byIds\"]\n";
    let source = br#"import express from "express";
import { store } from "./data/store";
const app = express();
app.get("/orders", async (_req, res) => {
  res.json(await store.build("orders").fetchAll());
});
app.get("/orders/picked", async (req, res) => {
  res.json(await store.build("orders").byIds(String(req.query.ids).split(",")).fetchAll());
});
"#;
    let dir = ledger(config, &[("src/orders.ts", source)]);
    let found = |dir: &tempfile::TempDir| places_of(dir.path(), "unbounded-query");
    assert_eq!(found(&dir), [("src/orders.ts".to_string(), 5)], "the chain run for every row; not: one looked up by key");
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    assert_eq!(found(&dir), Vec::<(String, u64)>::new(), "without the entry, `fetchAll` is the store's own method");
}

#[test]
fn a_projects_own_rust_dynamic_payload_type_is_untyped_when_the_models_say_so() {
    let config = "[[models.validators]]\nlanguage = \"rust\"\nrole = \"untyped\"\ntypes = [\"Loose\"]\nfield-reads = [\"field\"]\n";
    let source = br#"use axum::extract::Json;
use axum::routing::post;
use axum::Router;
use loose::Loose;

pub fn router() -> Router {
    Router::new().route("/notes", post(create_note)).route("/relay", post(relay)).route("/notes/typed", post(typed_note))
}

pub async fn create_note(Json(body): Json<Loose>) -> String {
    body.field("title").unwrap_or_default()
}

pub async fn relay(Json(body): Json<Loose>) -> String {
    forward(body)
}

pub async fn typed_note(Json(note): Json<Note>) -> String {
    note.field("title").unwrap_or_default()
}
"#;
    let (with, without, dir) = with_and_without(config, &[("src/notes.rs", source)], "missing-input-validation");
    assert_eq!(with, [("src/notes.rs".to_string(), 10)], "fields read out of a `Loose` payload; not: one forwarded whole, a typed DTO");
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entry, `Loose` is a type like any other");
    assert_config_error(
        dir.path(),
        "[[models.validators]]\nlanguage = \"rust\"\nrole = \"untyped\"\ntypes = [\"loose::Loose\"]\nfield-reads = [\"field\"]\n",
        "missing-input-validation",
        "archlint.toml:4: bad type `loose::Loose`: a type's last segment",
    );
    assert_config_error(
        dir.path(),
        "[[models.validators]]\nlanguage = \"typescript\"\nrole = \"untyped\"\ntypes = [\"Loose\"]\nfield-reads = [\"field\"]\n",
        "missing-input-validation",
        "`untyped` validator entries name Rust payload types",
    );
    assert_config_error(
        dir.path(),
        "[[models.validators]]\nlanguage = \"rust\"\nrole = \"untyped\"\nfunction = \"Loose::parse\"\n",
        "missing-input-validation",
        "a validator with `role = \"untyped\"` names payload `types` and their `field-reads`",
    );
}

#[test]
fn a_projects_own_rust_query_runner_says_how_its_chains_start() {
    let config = "[[models.queries]]\nlanguage = \"rust\"\nmethods = [\"fetch_every\"]\nmodule = \"catalog_db\"\nrole = \"runner\"\nroot-calls = [\"items\"]\nbound-methods = [\"first_n\"]\n";
    let source = br#"use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use catalog_db::{Catalog, Db};

pub fn router() -> Router<Db> {
    Router::new().route("/items", get(all_items)).route("/items/top", get(top_items)).route("/tags", get(tags))
}

pub async fn all_items(State(db): State<Db>) -> Json<Vec<String>> {
    Json(Catalog::items().fetch_every(&db).await)
}

pub async fn top_items(State(db): State<Db>) -> Json<Vec<String>> {
    Json(Catalog::items().first_n(20).fetch_every(&db).await)
}

pub async fn tags(State(db): State<Db>) -> Json<Vec<String>> {
    Json(db.tag_cache.fetch_every(&db).await)
}
"#;
    let listed = ledger(config, &[]);
    let listing = stdout(&archlint(listed.path(), &["models", "--language", "rust"]));
    assert!(
        listing.contains("[runner] *.fetch_every from `catalog_db` (runs a chain from `items()`; bounded by `.first_n(..)`)"),
        "{listing}"
    );
    assert!(listing.contains("[runner] *.fetch_all (runs SQL text (also `query!`,"), "the built-in sqlx runner: {listing}");
    let (with, without, dir) = with_and_without(config, &[("src/items.rs", source)], "unbounded-query");
    assert_eq!(with, [("src/items.rs".to_string(), 11)], "the chain from `items()` run whole; not: one bounded by `first_n`, a cache");
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entry, `fetch_every` is the crate's own method");
    assert_config_error(
        dir.path(),
        "[[models.queries]]\nlanguage = \"typescript\"\nmethods = [\"fetchEvery\"]\nrole = \"runner\"\nroot-calls = [\"items\"]\n",
        "unbounded-query",
        "archlint.toml:4: `sql-text`, `sql-macros`, `builder-methods`, `root-paths` and `root-calls` are for Rust query entries with `role = \"runner\"`",
    );
    assert_config_error(
        dir.path(),
        "[[models.queries]]\nlanguage = \"rust\"\nmethods = [\"fetch_every\"]\nrole = \"runner\"\n",
        "unbounded-query",
        "archlint.toml:4: a query entry with `role = \"runner\"` says how its chain starts",
    );
}

#[test]
fn a_projects_own_rust_schema_builder_described_in_the_models_needs_its_limits() {
    let config = "[[models.graphql]]\nlanguage = \"rust\"\nfunction = \"SchemaKit::start\"\nlibrary = \"schema kit\"\nlimit-methods = [\"max_depth\"]\nfinish-methods = [\"done\"]\nhelp = \"call `.max_depth(8)` before `.done()`\"\n";
    let source = b"pub struct SchemaKit;\npub struct Schema;\nimpl SchemaKit {\n    pub fn start(_root: &str) -> SchemaKit { SchemaKit }\n    pub fn max_depth(self, _depth: usize) -> SchemaKit { self }\n    pub fn done(self) -> Schema { Schema }\n}\npub fn open_schema() -> Schema {\n    SchemaKit::start(\"query\").done()\n}\npub fn bounded_schema() -> Schema {\n    let kit = SchemaKit::start(\"query\");\n    kit.max_depth(8).done()\n}\npub fn other_done(kit: SchemaKit) -> Schema {\n    kit.done()\n}\n";
    let (with, without, dir) = with_and_without(config, &[("src/schema.rs", source)], "graphql-without-query-limits");
    assert_eq!(
        with,
        [("src/schema.rs".to_string(), 9)],
        "the schema finished with no limit; not: one limited on the way, a builder from elsewhere"
    );
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entry, the kit is the project's own business");
    assert_config_error(
        dir.path(),
        "[[models.graphql]]\nlanguage = \"rust\"\nfunction = \"SchemaKit::start\"\nlibrary = \"kit\"\nlimit-methods = [\"max_depth\"]\n",
        "graphql-without-query-limits",
        "names the methods that limit it (`limit-methods`) and those that finish it (`finish-methods`), both or neither",
    );
}

#[test]
fn a_body_reader_described_in_the_models_counts_in_a_poem_service() {
    let config =
        "[[models.body-readers]]\nlanguage = \"rust\"\nframework = \"poem\"\nextractors = [\"MsgPack\"]\nstreaming = [\"Stream\"]\n";
    let source = b"use poem::{handler, Route};\nuse crate::codec::{MsgPack, Stream};\n\npub struct Upload;\n\n#[handler]\npub async fn upload(body: MsgPack<Upload>) -> String {\n    let _ = body;\n    String::new()\n}\n\n#[handler]\npub async fn stream(body: MsgPack<Stream>) -> String {\n    let _ = body;\n    String::new()\n}\n\npub fn routes() -> Route {\n    Route::new()\n}\n";
    let dir = project(&[
        ("archlint.toml", config.as_bytes()),
        ("Cargo.toml", b"[package]\nname = \"uploads\"\nversion = \"0.1.0\"\n\n[dependencies]\npoem = \"3\"\n"),
        ("src/routes.rs", source),
    ]);
    let found = |dir: &tempfile::TempDir| places_of(dir.path(), "unbounded-request-body");
    assert_eq!(found(&dir), [("src/routes.rs".to_string(), 7)], "the buffering extractor; not: its streaming form");
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    assert_eq!(found(&dir), Vec::<(String, u64)>::new(), "without the entry, `MsgPack` is the project's own type");
    assert_config_error(
        dir.path(),
        "[[models.body-readers]]\nlanguage = \"rust\"\nframework = \"poem\"\ngetters = [\"req.json\"]\n",
        "unbounded-request-body",
        "archlint.toml:3: a Rust body reader names `extractors` or `body-types`",
    );
}

#[test]
fn a_typescript_framework_described_as_a_body_reader_needs_a_body_limit() {
    let config = r#"[[models.body-readers]]
language = "typescript"
framework = "Edgy"
module = "edgy"
getters = ["req.readAll"]
servers = ["edgy/node.listen"]
validators = ["edgy/check.check"]
body-targets = ["body"]
limit-help = "mount `capBody(bytes)` from `edgy/cap`"

[[models.body-limits]]
language = "typescript"
function = "capBody"
module = "edgy/cap"
limit-argument = 0
"#;
    let server = b"import { listen } from \"edgy/node\";\nimport { app } from \"./app\";\nlisten(app, 8080);\n";
    let reads = b"import { Edgy } from \"edgy\";\nexport const app = new Edgy();\napp.post(\"/notes\", async (c) => c.send(await c.req.readAll()));\n";
    let validates = b"import { Edgy } from \"edgy\";\nimport { check } from \"edgy/check\";\nexport const app = new Edgy();\napp.post(\"/notes\", check(\"body\", schema), (c) => c.send(\"ok\"));\n";
    let queries = b"import { Edgy } from \"edgy\";\nimport { check } from \"edgy/check\";\nexport const app = new Edgy();\napp.get(\"/notes\", check(\"query\", schema), (c) => c.send(\"ok\"));\n";
    let capped = b"import { Edgy } from \"edgy\";\nimport { capBody } from \"edgy/cap\";\nexport const limits = capBody(64 * 1024);\n";
    let found = |files: &[(&str, &[u8])]| {
        let dir = ledger(config, files);
        places_of(dir.path(), "unbounded-request-body")
    };
    let server_note = vec![("src/main.ts".to_string(), 3)];
    assert_eq!(found(&[("src/main.ts", server), ("src/app.ts", reads)]), server_note, "a getter reads the body");
    assert_eq!(found(&[("src/main.ts", server), ("src/app.ts", validates)]), server_note, "a validator of the body reads it");
    assert_eq!(found(&[("src/main.ts", server), ("src/app.ts", queries)]), vec![], "a validator of the query reads no body");
    assert_eq!(found(&[("src/main.ts", server), ("src/app.ts", reads), ("src/limits.ts", capped)]), vec![], "a limit is mounted");
    let dir = ledger("", &[("src/main.ts", server), ("src/app.ts", reads)]);
    assert_eq!(places_of(dir.path(), "unbounded-request-body"), vec![], "without the entries, `listen` is any function");
    assert_config_error(
        dir.path(),
        "[[models.body-readers]]\nlanguage = \"typescript\"\nframework = \"Edgy\"\ngetters = [\"req.readAll\"]\nvalidators = [\"edgy/check.check\"]\n",
        "unbounded-request-body",
        "archlint.toml:3: a body reader's `validators` and `body-targets` go together",
    );
    assert_config_error(
        dir.path(),
        "[[models.body-readers]]\nlanguage = \"typescript\"\nframework = \"Edgy\"\ngetters = [\"req.readAll\"]\nservers = [\"listen\"]\n",
        "unbounded-request-body",
        "archlint.toml:3: bad body reader function `listen`: expected `module.function`",
    );
}

#[test]
fn a_projects_own_rust_pool_builder_described_in_the_models_needs_its_wait_timeout() {
    let config = "[[models.connections]]\nlanguage = \"rust\"\nfunction = \"store_pool::Builder::new\"\nwhat = \"store pool\"\nkind = \"database\"\nrequired-timeout = \"max_wait\"\ntimeout-methods = [\"max_wait\", \"limits\"]\nfix-calls = [\".max_wait({duration})\"]\n";
    let rs = b"use store_pool::Builder;\nuse std::time::Duration;\n\npub fn open() -> Pool {\n    Builder::new().size(8).build()\n}\n\npub fn bounded() -> Pool {\n    Builder::new().max_wait(Duration::from_secs(3)).build()\n}\n\npub fn limited(limits: Limits) -> Pool {\n    Builder::new().limits(limits).build()\n}\n\npub fn forever() -> Pool {\n    Builder::new().max_wait(Duration::MAX).build()\n}\n";
    let (with, without, dir) = with_and_without(config, &[("src/db.rs", rs)], "db-pool-without-timeout");
    assert_eq!(
        with,
        [("src/db.rs".to_string(), 5), ("src/db.rs".to_string(), 17)],
        "a builder without its wait, and a wait of forever; not: a wait of seconds, another timeout method"
    );
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entry, `Builder` and `max_wait` are the project's own");
    assert_config_error(
        dir.path(),
        "[[models.connections]]\nlanguage = \"typescript\"\nfunction = \"openPool\"\nwhat = \"pool\"\nkind = \"database\"\ntimeout-methods = [\"maxWait\"]\n",
        "db-pool-without-timeout",
        "archlint.toml:5: `timeout-methods` and `fix-calls` are a Rust builder's methods",
    );
    assert_config_error(
        dir.path(),
        "[[models.connections]]\nlanguage = \"rust\"\nfunction = \"store_pool::Builder::new\"\nwhat = \"pool\"\nkind = \"database\"\nfix-calls = [\".max_wait(5)\"]\n",
        "db-pool-without-timeout",
        "archlint.toml:5: `fix-calls` add the `required-timeout`",
    );
}

#[test]
fn a_caching_attribute_described_in_the_models_needs_a_bound() {
    let config = "[[models.caches]]\nlanguage = \"rust\"\nfunction = \"memoize\"\nmodule = \"memo\"\nattribute = true\nwhat = \"`#[memoize]`\"\nbound-options = [\"capacity\", \"lifetime\"]\n";
    let rs = b"use memo::memoize;\n\n#[memoize]\npub fn price(sku: String) -> u64 {\n    sku.len() as u64\n}\n\n#[memoize(capacity = 1000)]\npub fn stock(sku: String) -> u64 {\n    sku.len() as u64\n}\n";
    let (with, without, dir) = with_and_without(config, &[("src/prices.rs", rs)], "cache-without-expiry");
    assert_eq!(with, [("src/prices.rs".to_string(), 3)], "the attribute without a bound; not: with one");
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entry, `#[memoize]` is any attribute");
    assert_config_error(
        dir.path(),
        "[[models.caches]]\nlanguage = \"rust\"\nfunction = \"memoize\"\nattribute = true\nwhat = \"memo\"\nunbounded = true\n",
        "cache-without-expiry",
        "a cache `attribute` is a Rust attribute macro named by `function`, with the arguments that bound it",
    );
}

#[test]
fn a_projects_own_tls_switches_described_in_the_models_are_reported_when_off() {
    let config = "[[models.tls-switches]]\nlanguage = \"typescript\"\noption = \"verifyPeer\"\noff-when = false\n\n[[models.tls-switches]]\nlanguage = \"rust\"\nmethod = \"accept_any_cert\"\noff-when = true\n";
    let ts = b"import { connect } from \"@acme/broker\";\nexport const loose = connect({ host: \"broker.acme-corp.io\", verifyPeer: false });\nexport const strict = connect({ host: \"broker.acme-corp.io\", verifyPeer: true });\n";
    let rs = b"pub struct Broker;\nimpl Broker {\n    pub fn builder() -> Broker { Broker }\n    pub fn accept_any_cert(self, _on: bool) -> Broker { self }\n}\npub fn loose() -> Broker {\n    Broker::builder().accept_any_cert(true)\n}\npub fn strict() -> Broker {\n    Broker::builder().accept_any_cert(false)\n}\n";
    let (with, without, dir) = with_and_without(config, &[("src/broker.ts", ts), ("src/broker.rs", rs)], "tls-verification-disabled");
    assert_eq!(with, [("src/broker.rs".to_string(), 7), ("src/broker.ts".to_string(), 2)], "switched off; not: left on");
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entries, these are the project's own settings");
    assert_config_error(
        dir.path(),
        "[[models.tls-switches]]\nlanguage = \"rust\"\noption = \"verifyPeer\"\noff-when = false\n",
        "tls-verification-disabled",
        "archlint.toml:3: a TLS switch names a TypeScript `option` or a Rust builder `method`",
    );
}

#[test]
fn a_projects_own_guards_described_in_the_models_decide_over_their_names() {
    let config = r#"
[[models.guards]]
language = "typescript"
role = "middleware"
function = "gatekeep"
module = "./security/gate"

[[models.guards]]
language = "typescript"
role = "not-enforcing"
function = "authContext"
module = "./security/gate"

[[models.guards]]
language = "rust"
role = "extractor"
types = ["Caller"]

[[models.guards]]
language = "rust"
role = "not-auth"
types = ["AuthEnvelope"]
"#;
    let routes = b"import express from \"express\";\nimport { gatekeep, authContext } from \"./security/gate\";\nconst app = express();\napp.post(\"/orders\", (req, res) => res.send(\"made\"));\napp.use(gatekeep);\nconst reports = express.Router();\nreports.post(\"/reports\", (req, res) => res.send(\"made\"));\nreports.use(authContext);\nexport { app, reports };\n";
    let notes = b"use axum::routing::post;\nuse axum::Router;\npub fn router() -> Router {\n    Router::new().route(\"/notes\", post(create_note)).route(\"/notes/:id\", post(archive_note))\n}\nasync fn create_note(_caller: Caller, body: String) -> String {\n    body\n}\nasync fn archive_note(body: String) -> String {\n    body\n}\n";
    let tags = b"use axum::routing::post;\nuse axum::Router;\npub fn router() -> Router {\n    Router::new().route(\"/tags\", post(create_tag)).route(\"/tags/:id\", post(archive_tag))\n}\nasync fn create_tag(_envelope: AuthEnvelope, body: String) -> String {\n    body\n}\nasync fn archive_tag(body: String) -> String {\n    body\n}\n";
    let dir = ledger(config, &[("src/routes.ts", routes), ("src/notes.rs", notes), ("src/tags.rs", tags)]);
    let found = |dir: &tempfile::TempDir| {
        let mut found = findings_of(dir.path(), "route-before-auth-middleware,inconsistent-route-auth");
        found.sort();
        found
    };
    let at = |rule: &str, path: &str, line: u64| (rule.to_string(), path.to_string(), line);
    assert_eq!(
        found(&dir),
        [at("inconsistent-route-auth", "src/notes.rs", 9), at("route-before-auth-middleware", "src/routes.ts", 4)],
        "`gatekeep` and `Caller` authenticate; `authContext` and `AuthEnvelope` do not, whatever their names say"
    );
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    assert_eq!(
        found(&dir),
        [at("inconsistent-route-auth", "src/tags.rs", 9), at("route-before-auth-middleware", "src/routes.ts", 7)],
        "without the entries, the names decide"
    );
    assert_config_error(
        dir.path(),
        "[[models.guards]]\nlanguage = \"rust\"\nrole = \"extractor\"\nfunction = \"Caller::from_request\"\n",
        "inconsistent-route-auth",
        "archlint.toml:3: a guard with `role = \"extractor\"` is about Rust handler parameters: it names `types`, not calls",
    );
    assert_config_error(
        dir.path(),
        "[[models.guards]]\nlanguage = \"typescript\"\nrole = \"mount\"\nfunction = \"wrap\"\n",
        "inconsistent-route-auth",
        "archlint.toml:3: a guard with `role = \"mount\"` is a Rust call",
    );
    assert_config_error(
        dir.path(),
        "[[models.guards]]\nlanguage = \"rust\"\nrole = \"carrier\"\ntypes = [\"Extension<T>\"]\n",
        "inconsistent-route-auth",
        "archlint.toml:4: bad guard type `Extension<T>`",
    );
    assert_config_error(
        dir.path(),
        "[[models.guards]]\nlanguage = \"rust\"\nrole = \"bouncer\"\ntypes = [\"Caller\"]\n",
        "inconsistent-route-auth",
        "archlint.toml:3:",
    );
}

#[test]
fn a_projects_own_extractor_that_marks_handlers_makes_its_async_functions_handlers() {
    let config = "[[models.sources]]\nlanguage = \"rust\"\nextractors = [\"Envelope\"]\nmarks-handlers = [\"Envelope\"]\n";
    // Routed in another file: only the parameter's type says `archive` serves requests.
    let rs = b"use axum::http::StatusCode;\n\npub async fn archive(Envelope(ids): Envelope<Vec<String>>) -> StatusCode {\n    let first = ids.first().unwrap();\n    store(first).await;\n    StatusCode::NO_CONTENT\n}\n\npub async fn sweep(ids: Vec<String>) -> StatusCode {\n    let first = ids.first().unwrap();\n    store(first).await;\n    StatusCode::NO_CONTENT\n}\n";
    let (with, without, dir) = with_and_without(config, &[("src/archive.rs", rs)], "panic-in-handler");
    assert_eq!(with, [("src/archive.rs".to_string(), 4)], "`archive` is a handler; `sweep` takes no extractor");
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entry, `Envelope` is a type like any other");
    assert_config_error(
        dir.path(),
        "[[models.sources]]\nlanguage = \"rust\"\nextractors = [\"Envelope\"]\nmarks-handlers = [\"Letter\"]\n",
        "panic-in-handler",
        "archlint.toml:4: `marks-handlers` names `Letter`, which is not among the entry's `extractors` or `types`",
    );
}

#[test]
fn a_write_named_with_after_counts_only_on_a_chain_that_called_that_method_first() {
    let config = "[[models.queries]]\nlanguage = \"typescript\"\nmethods = [\"stash\"]\nrole = \"write\"\nafter = \"table\"\n";
    let source = br#"import express from "express";
import { db } from "./data/db";
const app = express();
app.post("/drafts", async (req, res) => {
  await db.table("drafts").stash(req.body);
  await db.stash(req.body);
  res.status(201).end();
});
"#;
    let dir = ledger(config, &[("src/drafts.ts", source)]);
    let found = |dir: &tempfile::TempDir| places_of(dir.path(), "mass-assignment");
    assert_eq!(found(&dir), [("src/drafts.ts".to_string(), 5)], "after `table`; not: `stash` straight on the handle");
    assert_config_error(
        dir.path(),
        "[[models.queries]]\nlanguage = \"typescript\"\nmethods = [\"stash\"]\nrole = \"read\"\nafter = \"table\"\n",
        "mass-assignment",
        "archlint.toml:4: `after` (the method a chain must have called first) is for `runner` and `write` query entries",
    );
}

#[test]
fn a_projects_own_response_helper_described_in_the_models_is_checked_for_error_details() {
    let config = "[[models.responses]]\nlanguage = \"typescript\"\nfunction = \"reply\"\nmodule = \"./http/reply\"\nstatus-argument = 0\n";
    let source = br#"import { reply } from "./http/reply";
import { loadOrder } from "./orders";
export async function show(id: string) {
  try {
    return reply(200, await loadOrder(id));
  } catch (err) {
    return reply(500, { error: String(err) });
  }
}
export async function check(id: string) {
  try {
    return reply(200, await loadOrder(id));
  } catch (err) {
    return reply(404, { error: String(err) });
  }
}
"#;
    let (with, without, dir) = with_and_without(config, &[("src/orders-api.ts", source)], "error-details-in-response");
    assert_eq!(with, [("src/orders-api.ts".to_string(), 7)], "a 500 with the error; not: a 404 written for the client");
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entry, `reply` is the project's own business");
    assert_config_error(
        dir.path(),
        "[[models.responses]]\nlanguage = \"typescript\"\nfunction = \"reply\"\nstatus-argument = 0\nstatus-option = \"status\"\n",
        "error-details-in-response",
        "archlint.toml:3: a response's status is an argument (`status-argument`) or an option (`status-option`), not both",
    );
    assert_config_error(
        dir.path(),
        "[[models.responses]]\nlanguage = \"rust\"\nfunction = \"reply\"\n",
        "error-details-in-response",
        "archlint.toml:3: a response entry is a TypeScript call",
    );
    assert_config_error(
        dir.path(),
        "[[models.responses]]\nlanguage = \"typescript\"\nfunction = \"reply\"\noptions-argument = 0\n",
        "error-details-in-response",
        "archlint.toml:3: a response's `options-argument` is where its `status-option` or `body-option` is: it needs one",
    );
}

#[test]
fn a_projects_own_plaintext_connector_described_in_the_models_is_reported_for_a_remote_database() {
    let config = "[[models.connections]]\nlanguage = \"rust\"\nfunction = \"ledger_store::open\"\nwhat = \"ledger store\"\nkind = \"database\"\nplaintext-connectors = [\"Cleartext\"]\n";
    let rs = b"use ledger_store::{open, Cleartext, Sealed};\n\npub async fn remote() {\n    open(\"host=ledger.db.acme-corp.io user=ledger\", Cleartext).await;\n}\n\npub async fn sealed() {\n    open(\"host=ledger.db.acme-corp.io user=ledger\", Sealed).await;\n}\n\npub async fn local() {\n    open(\"host=localhost user=ledger\", Cleartext).await;\n}\n";
    let (with, without, dir) = with_and_without(config, &[("src/store.rs", rs)], "database-without-tls");
    assert_eq!(with, [("src/store.rs".to_string(), 4)], "a remote host in clear text; not: a TLS connector, a local host");
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entry, `Cleartext` is the project's own value");
    assert_config_error(
        dir.path(),
        "[[models.connections]]\nlanguage = \"typescript\"\nfunction = \"openStore\"\nwhat = \"store\"\nkind = \"database\"\nplaintext-modes = [\"Mode::Off\"]\n",
        "database-without-tls",
        "archlint.toml:5: `plaintext-connectors` and `plaintext-modes` describe a Rust database connection",
    );
}

#[test]
fn a_projects_own_database_client_options_described_in_the_models_are_read_for_tls() {
    let config = "[[models.connections]]\nlanguage = \"typescript\"\nfunction = \"Warehouse\"\nmodule = \"./db/warehouse\"\nwhat = \"warehouse connection\"\nkind = \"database\"\ntls-options = [\"secureTransport\"]\nhost-options = [\"endpoint\"]\ndatabase-options = [\"catalog\"]\n";
    let ts = br#"import { Warehouse } from "./db/warehouse";
export const remote = new Warehouse({ endpoint: "wh.acme-corp.io", secureTransport: false });
export const sealed = new Warehouse({ endpoint: "wh.acme-corp.io", secureTransport: true });
export const local = new Warehouse({ endpoint: "localhost", secureTransport: false });
const settings = { endpoint: "wh.acme-corp.io", catalog: "sales", secureTransport: false };
const mailer = { endpoint: "smtp.acme-corp.io", secureTransport: false };
"#;
    let (with, without, dir) = with_and_without(config, &[("src/app.ts", ts)], "database-without-tls");
    assert_eq!(
        with,
        [("src/app.ts".to_string(), 2), ("src/app.ts".to_string(), 5)],
        "the call, and options written apart from it that name a database; not: TLS on, a local host, options of something else"
    );
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entry, `secureTransport` is the project's own option");
    assert_config_error(
        dir.path(),
        "[[models.connections]]\nlanguage = \"typescript\"\nfunction = \"openCache\"\nwhat = \"cache\"\nkind = \"cache\"\ntls-options = [\"secure\"]\n",
        "database-without-tls",
        "archlint.toml:5: `tls-options`, `host-options`, `url-options`, `database-options` and `dialects` describe a TypeScript database connection's options",
    );
    assert_config_error(
        dir.path(),
        "[[models.connections]]\nlanguage = \"typescript\"\nfunction = \"openStore\"\nwhat = \"store\"\nkind = \"database\"\nhost-methods = [\"host\"]\n",
        "database-without-tls",
        "archlint.toml:5: `host-methods` describe a Rust database connection's builder",
    );
}

#[test]
fn a_projects_own_token_switches_described_in_the_models_are_reported_when_off() {
    let config = "[[models.token-switches]]\nlanguage = \"typescript\"\noption = \"skipSignature\"\noff-when = \"true\"\ndisables = \"signature\"\n\n[[models.token-switches]]\nlanguage = \"rust\"\nfield = \"check_expiry\"\noff-when = \"false\"\ndisables = \"expiry\"\n";
    let ts = br#"import jwt from "jsonwebtoken";
export const lax = { skipSignature: true };
export const strict = { skipSignature: false };
"#;
    let rs = b"use jsonwebtoken::Validation;\n\npub fn lax(v: &mut TokenRules) {\n    v.check_expiry = false;\n}\n\npub fn strict(v: &mut TokenRules) {\n    v.check_expiry = true;\n}\n";
    let (with, without, dir) = with_and_without(config, &[("src/auth.ts", ts), ("src/auth.rs", rs)], "jwt-verification-disabled");
    assert_eq!(
        with,
        [("src/auth.rs".to_string(), 4), ("src/auth.ts".to_string(), 2)],
        "each switch set to the value that turns its check off; not: the other value"
    );
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entries, these are the project's own settings");
    assert_config_error(
        dir.path(),
        "[[models.token-switches]]\nlanguage = \"rust\"\noption = \"skipSignature\"\ndisables = \"signature\"\n",
        "jwt-verification-disabled",
        "archlint.toml:3: a token switch names a TypeScript `option`, or a Rust `field` or `method`, one of them",
    );
    assert_config_error(
        dir.path(),
        "[[models.token-switches]]\nlanguage = \"rust\"\nfield = \"check_expiry\"\noff-when = \"none\"\ndisables = \"expiry\"\n",
        "jwt-verification-disabled",
        "archlint.toml:4: a token switch's `off-when` is `true`, `false` or `none` for an option",
    );
}

#[test]
fn a_request_in_an_exported_function_that_another_file_races_against_a_timer_is_bounded() {
    let rates = br#"import axios from "axios";
export async function loadRates(base: string) {
  return axios.get(`https://rates.partner.example/v1/${base}`);
}
export async function loadFees(region: string) {
  return axios.get(`https://fees.partner.example/v1/${region}`);
}
"#;
    let raced = br#"import { loadRates, loadFees } from "./rates";
import { withTimeout } from "./promises";
export async function rates(base: string) {
  return withTimeout(loadRates(base), 5_000);
}
export async function fees(region: string) {
  return loadFees(region);
}
"#;
    let dir = ledger("", &[("src/rates.ts", rates), ("src/quotes.ts", raced)]);
    let found = |dir: &tempfile::TempDir| places_of(dir.path(), "http-client-without-timeout");
    assert_eq!(found(&dir), [("src/rates.ts".to_string(), 6)], "`loadRates` is raced by its caller; `loadFees` is not");
    let unraced = std::str::from_utf8(raced).unwrap().replace("withTimeout(loadRates(base), 5_000)", "loadRates(base)");
    std::fs::write(dir.path().join("src/quotes.ts"), unraced).unwrap();
    assert_eq!(found(&dir), [("src/rates.ts".to_string(), 3), ("src/rates.ts".to_string(), 6)], "without the race, both are reported");
}

#[test]
fn a_projects_own_router_methods_and_route_decorators_described_in_the_models_are_routes() {
    let config = r#"
[[models.routes]]
language = "typescript"
role = "method"
methods = ["handle"]
http-method = "POST"

[[models.routes]]
language = "typescript"
role = "mount"
methods = ["guardWith"]

[[models.routes]]
language = "typescript"
role = "method"
decorators = ["Mutate"]
http-method = "POST"
"#;
    // The kit's own router: `handle` registers a route, `guardWith` mounts middleware for what follows.
    let kit = br#"import { api } from "./http/kit";
import { requireAuth } from "./http/auth";
api.handle("/orders", (req, res) => res.send("made"));
api.guardWith(requireAuth);
api.handle("/invoices", (req, res) => res.send("made"));
"#;
    // A controller whose own route decorator registers a state-changing route.
    let controller = br#"import { Controller, Post, UseGuards } from "@nestjs/common";
import { AuthGuard } from "@nestjs/passport";
import { Mutate } from "./http/kit";

@Controller("orders")
export class OrdersController {
  @Post()
  @UseGuards(AuthGuard("jwt"))
  create() {
    return "made";
  }

  @Mutate("cancel")
  cancel() {
    return "cancelled";
  }
}
"#;
    let dir = ledger(config, &[("src/api.ts", kit), ("src/orders.controller.ts", controller)]);
    let found = |dir: &tempfile::TempDir| {
        let mut found = findings_of(dir.path(), "route-before-auth-middleware,inconsistent-route-auth");
        found.sort();
        found
    };
    let at = |rule: &str, path: &str, line: u64| (rule.to_string(), path.to_string(), line);
    assert_eq!(
        found(&dir),
        [at("inconsistent-route-auth", "src/orders.controller.ts", 13), at("route-before-auth-middleware", "src/api.ts", 3)],
        "`/orders` is handled before `guardWith(requireAuth)`, `/invoices` after it; `@Mutate` is an unguarded POST beside a guarded one"
    );
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    assert_eq!(
        found(&dir),
        Vec::<(String, String, u64)>::new(),
        "without the entries, `handle`, `guardWith` and `@Mutate` are calls like any other"
    );
    let mistakes = [
        (
            "language = \"rust\"\nrole = \"options\"\nmethods = [\"define\"]\nhandler-option = \"handler\"\npath-option = \"path\"\n",
            "archlint.toml:3: a Rust route entry is a `method`, `mount`, `path` or `handler`",
        ),
        ("language = \"rust\"\nrole = \"method\"\nfunctions = [\"web::get\"]\n", "archlint.toml:4: bad Rust route name `web::get`"),
        ("language = \"typescript\"\nrole = \"handler\"\nmethods = [\"to\"]\n", "a route with `role = \"handler\"` is Rust"),
        (
            "language = \"typescript\"\nrole = \"method\"\nmethods = [\"handle\"]\ncovers = \"all\"\n",
            "a route's `covers` is for `role = \"mount\"`",
        ),
        (
            "language = \"typescript\"\nrole = \"mount\"\nmethods = [\"guardWith\"]\nhttp-method = \"POST\"\n",
            "a route's `http-method` is for `role = \"method\"`",
        ),
        ("language = \"typescript\"\nrole = \"options\"\nmethods = [\"define\"]\n", "names its `handler-option` and `path-option`"),
        ("language = \"typescript\"\nrole = \"method\"\nfunction = \"kit.handle\"\n", "a route entry names router `methods`"),
        (
            "language = \"typescript\"\nrole = \"controller\"\nmethods = [\"mount\"]\n",
            "a route with `role = \"controller\"` names class `decorators`",
        ),
        ("language = \"typescript\"\nrole = \"method\"\ndecorators = [\"@Mutate()\"]\n", "archlint.toml:4: bad decorator `@Mutate()`"),
        (
            "language = \"rust\"\nrole = \"mount\"\ndecorators = [\"guarded\"]\n",
            "route `decorators` are method (`role = \"method\"`) or class",
        ),
        (
            "language = \"typescript\"\nrole = \"mount\"\ndecorators = [\"Guarded\"]\ncovers = \"all\"\n",
            "route `decorators` are method (`role = \"method\"`) or class",
        ),
    ];
    for (entry, expected) in mistakes {
        let config = format!("[[models.routes]]\n{entry}");
        assert_config_error(dir.path(), &config, "inconsistent-route-auth", expected);
    }
}

#[test]
fn a_projects_own_guard_decorator_described_in_the_models_guards_the_routes_it_decorates() {
    let apply = "[[models.routes]]\nlanguage = \"typescript\"\nrole = \"mount\"\ndecorators = [\"Apply\"]\n";
    let controller = br#"import { Controller, Post, Delete, UseGuards } from "@nestjs/common";
import { AuthGuard } from "@nestjs/passport";
import { Apply } from "./http/kit";

@Controller("orders")
export class OrdersController {
  @Post()
  @UseGuards(AuthGuard("jwt"))
  create() {
    return "made";
  }

  @Delete(":id")
  @Apply(AuthGuard("jwt"))
  remove() {
    return "removed";
  }
}
"#;
    let dir = ledger(apply, &[("src/orders.controller.ts", controller)]);
    let found = |dir: &tempfile::TempDir| places_of(dir.path(), "inconsistent-route-auth");
    assert_eq!(found(&dir), Vec::<(String, u64)>::new(), "`@Apply` mounts the guard as `@UseGuards` does");
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    assert_eq!(
        found(&dir),
        [("src/orders.controller.ts".to_string(), 13)],
        "without the entry, `remove` is a DELETE with no guard beside a guarded POST"
    );
}

#[test]
fn a_projects_own_rust_routing_described_in_the_models_is_read_like_the_frameworks() {
    let config = r#"
[[models.routes]]
language = "rust"
role = "mount"
methods = ["protect"]
covers = "earlier"

[[models.routes]]
language = "rust"
role = "method"
decorators = ["api_post"]
http-method = "POST"
"#;
    // A router extension whose `protect` wraps the routes already added, as axum's `route_layer` does.
    let router = b"use axum::middleware::from_fn;\nuse axum::routing::{get, post};\nuse axum::Router;\n\npub fn router() -> Router {\n    Router::new()\n        .route(\"/me\", get(me))\n        .protect(from_fn(require_auth))\n        .route(\"/orders\", post(create_order))\n}\n";
    // An attribute macro of the project's own that registers a POST route.
    let notes = b"use actix_web::{post, HttpResponse};\n\n#[post(\"/notes/{id}/archive\")]\nasync fn archive_note(user: AuthUser, body: String) -> HttpResponse {\n    HttpResponse::Ok().body(body)\n}\n\n#[api_post(\"/notes\")]\nasync fn create_note(body: String) -> HttpResponse {\n    HttpResponse::Created().body(body)\n}\n";
    let found = |dir: &tempfile::TempDir| {
        let mut found = findings_of(dir.path(), "route-before-auth-middleware,inconsistent-route-auth");
        found.sort();
        found
    };
    let at = |rule: &str, path: &str, line: u64| (rule.to_string(), path.to_string(), line);
    let with_router = ledger(config, &[("src/router.rs", router), ("src/notes.rs", notes)]);
    assert_eq!(
        found(&with_router),
        [at("route-before-auth-middleware", "src/router.rs", 9)],
        "`/orders` is added after `protect(..)`, which wraps only earlier routes; and `protect` mounts authentication, \
         so the project's handlers are not judged one by one"
    );
    let notes_only = ledger(config, &[("src/notes.rs", notes)]);
    assert_eq!(found(&notes_only), [at("inconsistent-route-auth", "src/notes.rs", 9)], "`#[api_post]` registers an unguarded POST");
    for dir in [&with_router, &notes_only] {
        std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
        assert_eq!(found(dir), Vec::<(String, String, u64)>::new(), "without the entries, `protect` and `#[api_post]` mean nothing");
    }
}

#[test]
fn a_schema_of_anything_described_in_the_models_is_no_trpc_input_validation() {
    let config = "[[models.validators]]\nlanguage = \"typescript\"\nrole = \"accepts-anything\"\nmethods = [\"whatever\"]\n";
    let source = br#"import { initTRPC } from "@trpc/server";
import { s } from "./schema-kit";
const t = initTRPC.create();
export const imports = t.router({
  upload: t.procedure.input(s.whatever()).mutation(({ input }) => ({ stored: input })),
  tagged: t.procedure.input(s.object({ tag: s.string() })).mutation(({ input }) => ({ tag: input.tag })),
});
"#;
    let (with, without, dir) = with_and_without(config, &[("src/imports.ts", source)], "missing-input-validation");
    assert_eq!(with, [("src/imports.ts".to_string(), 5)], "`s.whatever()` accepts anything; `s.object(..)` checks");
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entry, `s.whatever()` is a schema like any other");
    assert_config_error(
        dir.path(),
        "[[models.validators]]\nlanguage = \"typescript\"\nrole = \"check\"\nmethods = [\"whatever\"]\nwithout-arguments = true\n",
        "missing-input-validation",
        "archlint.toml:3: a validator's `without-arguments` is for `role = \"accepts-anything\"`",
    );
}

#[test]
fn a_projects_own_documentation_decorators_described_in_the_models_validate_nothing() {
    let config = "[[models.validators]]\nlanguage = \"typescript\"\nrole = \"not-validating\"\ndecorators = [\"Doc\"]\n";
    let controller = br#"import { Body, Controller, Post } from "@nestjs/common";
import { CreateNoteDto } from "./create-note.dto";

@Controller("notes")
export class NotesController {
  @Post()
  create(@Body() dto: CreateNoteDto) {
    return dto;
  }
}
"#;
    let dto = br#"import { Doc } from "./docs";

export class CreateNoteDto {
  @Doc("the note's title")
  title: string;
}
"#;
    let main = br#"import { NestFactory } from "@nestjs/core";
import { ValidationPipe } from "@nestjs/common";
import { AppModule } from "./app.module";
async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  app.useGlobalPipes(new ValidationPipe({ whitelist: true }));
  await app.listen(3000);
}
bootstrap();
"#;
    let files: &[(&str, &[u8])] = &[("src/notes.controller.ts", controller), ("src/create-note.dto.ts", dto), ("src/main.ts", main)];
    let dir = ledger(config, files);
    let found = |dir: &tempfile::TempDir| places_of(dir.path(), "missing-input-validation");
    assert_eq!(found(&dir), [("src/notes.controller.ts".to_string(), 7)], "`@Doc` documents `title` and checks nothing");
    std::fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    assert_eq!(found(&dir), Vec::<(String, u64)>::new(), "without the entry, `@Doc` may be a validator of the project's own");
    assert_config_error(
        dir.path(),
        "[[models.validators]]\nlanguage = \"typescript\"\nrole = \"not-validating\"\nmethods = [\"describe\"]\n",
        "missing-input-validation",
        "archlint.toml:3: a validator with `role = \"not-validating\"` names property `decorators`",
    );
}

#[test]
fn a_projects_own_storage_helper_described_in_the_models_has_what_it_stores_checked() {
    let config = "[[models.sinks]]\nlanguage = \"typescript\"\nfunction = \"storeUpload\"\nmodule = \"./storage\"\nkind = \"path\"\ndata-argument = 1\n";
    let source = br#"import express from "express";
import { storeUpload } from "./storage";
const app = express();
app.post("/notes", async (req, res) => {
  await storeUpload("/srv/notes/latest.txt", req.body.text);
  res.status(201).end();
});
"#;
    let (with, without, dir) = with_and_without(config, &[("src/notes.ts", source)], "unvalidated-request-input");
    assert_eq!(with, [("src/notes.ts".to_string(), 5)], "the note's text is stored unchecked");
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entry, `storeUpload` is a call like any other");
    assert_config_error(
        dir.path(),
        "[[models.sinks]]\nlanguage = \"rust\"\nfunction = \"storage::store_upload\"\nkind = \"path\"\ndata-argument = 1\n",
        "unvalidated-request-input",
        "archlint.toml:4: a sink's `data-argument` is read in TypeScript only",
    );
}

#[test]
fn a_projects_own_error_class_described_in_the_models_sends_only_its_body_option() {
    let config = "[[models.responses]]\nlanguage = \"typescript\"\nfunction = \"ApiError\"\nmodule = \"./http/errors\"\noptions-argument = 0\nstatus-option = \"status\"\nbody-option = \"detail\"\n";
    let source = br#"import { ApiError } from "./http/errors";
import { loadOrder } from "./orders";
export async function show(id: string) {
  try {
    return await loadOrder(id);
  } catch (err) {
    throw new ApiError({ status: 500, detail: String(err) });
  }
}
export async function summary(id: string) {
  try {
    return await loadOrder(id);
  } catch (err) {
    throw new ApiError({ status: 500, detail: "the order could not be loaded", cause: err });
  }
}
"#;
    let (with, without, _dir) = with_and_without(config, &[("src/orders-api.ts", source)], "error-details-in-response");
    assert_eq!(with, [("src/orders-api.ts".to_string(), 7)], "`detail` is sent; the `cause` stays on the server");
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entry, `ApiError` is the project's own business");
}

#[test]
fn a_validation_pipe_entry_says_which_parameters_it_checks_and_which_options_make_it_strict() {
    // NestJS microservices: `@Payload()` is validated by the same pipe when the app installs it.
    let config = r#"
[[models.validators]]
language = "typescript"
role = "pipe"
function = "ValidationPipe"
module = "@nestjs/common"
parameter-decorators = ["Payload"]

[[models.validators]]
language = "typescript"
role = "pipe"
function = "StrictPipe"
module = "./pipes/strict"
parameter-decorators = ["Body"]
strict-options = ["rejectUnknown"]
"#;
    let controller = br#"import { Controller } from "@nestjs/common";
import { MessagePattern, Payload } from "@nestjs/microservices";
import { OrdersService } from "./orders.service";

@Controller()
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @MessagePattern("orders.create")
  create(@Payload() order: any) {
    return this.orders.place(order);
  }

  @MessagePattern("orders.count")
  count(@Payload("region") region: string) {
    return this.orders.count(region);
  }
}
"#;
    let pipes = br#"import { StrictPipe } from "./pipes/strict";

export const lenient = new StrictPipe({ transform: true });
export const strict = new StrictPipe({ rejectUnknown: true });
"#;
    let files: &[(&str, &[u8])] = &[("src/orders.controller.ts", controller), ("src/validation.ts", pipes)];
    let (with, without, dir) = with_and_without(config, files, "missing-input-validation");
    assert_eq!(
        with,
        [("src/orders.controller.ts".to_string(), 10), ("src/validation.ts".to_string(), 3)],
        "an untyped `@Payload()`, and a `StrictPipe` without `rejectUnknown`; not: a single named field, the strict pipe"
    );
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entries, `@Payload()` and `StrictPipe` are nothing a pipe checks");
    assert_config_error(
        dir.path(),
        "[[models.validators]]\nlanguage = \"typescript\"\nrole = \"check\"\nfunction = \"check\"\nparameter-decorators = [\"Body\"]\n",
        "missing-input-validation",
        "`framework`, `parameter-decorators`, `global-methods`, `global-providers`, `route-decorators` and `strict-options` are for `role = \"pipe\"`",
    );
    assert_config_error(
        dir.path(),
        "[[models.validators]]\nlanguage = \"rust\"\nrole = \"pipe\"\nfunction = \"Pipe::new\"\nparameter-decorators = [\"Body\"]\n",
        "missing-input-validation",
        "a `pipe` validator is a TypeScript class",
    );
    assert_config_error(
        dir.path(),
        "[[models.validators]]\nlanguage = \"typescript\"\nrole = \"pipe\"\nfunction = \"StrictPipe\"\n",
        "missing-input-validation",
        "a `pipe` validator names the `parameter-decorators` whose values it checks",
    );
    assert_config_error(
        dir.path(),
        "[[models.validators]]\nlanguage = \"typescript\"\nrole = \"pipe\"\nfunction = \"StrictPipe\"\nparameter-decorators = [\"@Body\"]\n",
        "missing-input-validation",
        "archlint.toml:5: bad name `@Body`: a decorator, method, token or option name",
    );
}

#[test]
fn a_projects_own_handler_conventions_say_which_functions_take_a_request_object() {
    // A serverless platform of the project's own: its functions get a Lambda-shaped event.
    let config = r#"
[[models.sources]]
language = "typescript"
object = "lambda-event"
members = ["body"]
types = ["GatewayEvent"]
exported-handlers = ["main"]

[[models.sources]]
language = "typescript"
decorators = ["Message"]
handler-decorators = ["OnQueue"]
"#;
    let function = br#"import { readFileSync } from "fs";
import type { GatewayEvent } from "./platform";

export function main(event) {
  return readFileSync(`/srv/reports/${event.queryStringParameters.name}`, "utf8");
}

function attachment(evt: GatewayEvent) {
  return readFileSync(evt.pathParameters.file);
}

function fixed(evt: Settings) {
  return readFileSync(evt.pathParameters.file);
}

export { attachment, fixed };
"#;
    let worker = br#"import { readFileSync } from "fs";
import { OnQueue } from "./queue";

export class ExportWorker {
  @OnQueue("exports")
  run(job: { file: string }) {
    return readFileSync(job.file);
  }

  helper(job: { file: string }) {
    return readFileSync(job.file);
  }
}
"#;
    let files: &[(&str, &[u8])] = &[("src/function.ts", function), ("src/worker.ts", worker)];
    let (with, without, dir) = with_and_without(config, files, "path-traversal");
    assert_eq!(
        with,
        [("src/function.ts".to_string(), 5), ("src/function.ts".to_string(), 9), ("src/worker.ts".to_string(), 7)],
        "the exported `main`, a function taking a `GatewayEvent`, a queue handler's message; not: another type, an undecorated method"
    );
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entries, nothing says these functions handle requests");
    assert_config_error(
        dir.path(),
        "[[models.sources]]\nlanguage = \"rust\"\nobject = \"request\"\nmembers = [\"uri\"]\nexported-handlers = [\"main\"]\n",
        "path-traversal",
        "`exported-handlers` and `registered-by` say which TypeScript functions take a request `object`",
    );
    assert_config_error(
        dir.path(),
        "[[models.sources]]\nlanguage = \"typescript\"\nfunction = \"reqBody\"\nhandler-decorators = [\"OnQueue\"]\n",
        "path-traversal",
        "`handler-decorators` go with parameter `decorators`",
    );
    assert_config_error(
        dir.path(),
        "[[models.sources]]\nlanguage = \"typescript\"\nobject = \"grpc-call\"\nmembers = [\"request\"]\nregistered-by = [\"server.addService\"]\n",
        "path-traversal",
        "archlint.toml:5: bad name `server.addService`",
    );
}

#[test]
fn a_projects_own_extractor_payload_says_its_type_is_deserialised_from_the_request() {
    let config = "[[models.sources]]\nlanguage = \"rust\"\nextractors = [\"Envelope\"]\nmarks-handlers = [\"Envelope\"]\npayloads = { Envelope = \"json\" }\n";
    let dto = br#"use serde::Deserialize;
use validator::Validate;

#[derive(Debug, Deserialize, Validate)]
pub struct Archive {
    #[validate(length(max = 64))]
    pub label: String,
}
"#;
    let handlers = br#"use axum::routing::post;
use axum::Router;
use crate::envelope::{Envelope, Sealed};
use crate::dto::Archive;

pub fn routes() -> Router {
    Router::new().route("/archive", post(archive)).route("/sealed", post(sealed))
}

pub async fn archive(Envelope(archive): Envelope<Archive>) -> String {
    archive.label
}

pub async fn sealed(Sealed(archive): Sealed<Archive>) -> String {
    archive.label
}
"#;
    let files: &[(&str, &[u8])] = &[("src/dto.rs", dto), ("src/handlers.rs", handlers)];
    let (with, without, dir) = with_and_without(config, files, "missing-input-validation");
    assert_eq!(with, [("src/handlers.rs".to_string(), 10)], "an `Envelope` payload never validated; not: another wrapper");
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entry, `Envelope` deserialises nothing the rule knows of");
    assert_config_error(
        dir.path(),
        "[[models.sources]]\nlanguage = \"rust\"\nextractors = [\"Envelope\"]\npayloads = { Sealed = \"json\" }\n",
        "missing-input-validation",
        "`payloads` names `Sealed`, which is not among the entry's `extractors`",
    );
    assert_config_error(
        dir.path(),
        "[[models.sources]]\nlanguage = \"rust\"\nextractors = [\"Envelope\"]\npayloads = { Envelope = \"yaml\" }\n",
        "missing-input-validation",
        "unknown variant `yaml`",
    );
}

#[test]
fn a_route_entry_may_take_its_method_and_path_from_other_arguments() {
    // A project's own kit around Hono: `kit.handle(method, path, handler)`.
    let config =
        "[[models.routes]]\nlanguage = \"typescript\"\nrole = \"method\"\nmethods = [\"handle\"]\nmethod-argument = 0\npath-argument = 1\n";
    let routes = br#"import { Hono } from "hono";
import { kit } from "./kit";

export const app = new Hono();

kit.handle(["GET", "POST"], "/preview", async (c) => {
  const page = await fetch(c.req.query("url") ?? "", { signal: AbortSignal.timeout(5000) });
  return c.body(page.body);
});

kit.handle("GET", "health", async (c) => {
  const page = await fetch(c.req.query("url") ?? "", { signal: AbortSignal.timeout(5000) });
  return c.body(page.body);
});
"#;
    let (with, without, dir) = with_and_without(config, &[("src/routes.ts", routes)], "ssrf");
    assert_eq!(with, [("src/routes.ts".to_string(), 7)], "a handler registered for a path; not: a second argument that is no path");
    assert_eq!(without, Vec::<(String, u64)>::new(), "without the entry, `handle` registers nothing");
    assert_config_error(
        dir.path(),
        "[[models.routes]]\nlanguage = \"typescript\"\nrole = \"mount\"\nmethods = [\"handle\"]\npath-argument = 1\n",
        "ssrf",
        "a route's `path-argument` and `method-argument` are for TypeScript `role = \"method\"` calls",
    );
    assert_config_error(
        dir.path(),
        "[[models.routes]]\nlanguage = \"typescript\"\nrole = \"method\"\nmethods = [\"handle\"]\nmethod-argument = 0\n",
        "ssrf",
        "a route's `method-argument` and `path-argument` are different arguments",
    );
    assert_config_error(
        dir.path(),
        "[[models.routes]]\nlanguage = \"typescript\"\nrole = \"method\"\nmethods = [\"handle\"]\nhttp-method = \"GET\"\nmethod-argument = 1\n",
        "ssrf",
        "a route takes its HTTP method from `http-method` or from `method-argument`, not both",
    );
}
