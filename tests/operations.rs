//! The operations rules end to end from the command line. Two copies of one small project in
//! `tests/projects/` (an Express API and an axum gateway): `ops-unready` starts both servers
//! with no shutdown handling and no probe route anywhere, `ops-ready` drains on SIGTERM and has
//! probe routes, each set up in another file than the server's start (a project-level fact, not
//! a line next to `listen`). Also a project's own connection model for
//! `client-created-per-request`.

mod common;

use common::{archlint, project, repo, stdout};
use serde_json::Value;
use std::path::Path;

const OPERATIONS_RULES: &[&str] = &["server-without-graceful-shutdown", "service-without-health-check"];

/// (rule, path, line) of the findings of `rules`, sorted.
fn findings_of(dir: &Path, rules: &[&str], extra: &[&str]) -> Vec<(String, String, u64)> {
    let mut args = vec!["--format", "json", "--no-cache"];
    args.extend_from_slice(extra);
    let output = archlint(dir, &args);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&output)));
    let mut found: Vec<(String, String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| rules.contains(&f["rule"].as_str().unwrap()))
        .map(|f| (f["rule"].as_str().unwrap().into(), f["path"].as_str().unwrap().into(), f["start"]["line"].as_u64().unwrap()))
        .collect();
    found.sort();
    found
}

#[test]
fn a_service_with_no_shutdown_handling_and_no_probe_route_gets_both_findings_at_each_server_start() {
    let dir = repo().join("tests/projects/ops-unready");
    let found = findings_of(&dir, OPERATIONS_RULES, &[]);
    let expected: Vec<(String, String, u64)> = [
        ("server-without-graceful-shutdown", "api/src/server.ts", 4),
        ("server-without-graceful-shutdown", "gateway/src/main.rs", 6),
        ("service-without-health-check", "api/src/server.ts", 4),
        ("service-without-health-check", "gateway/src/main.rs", 6),
    ]
    .iter()
    // Inside archlint's repository: paths start at the repository root.
    .map(|(r, p, l)| (r.to_string(), format!("tests/projects/ops-unready/{p}"), *l))
    .collect();
    assert_eq!(found, expected);
}

#[test]
fn shutdown_handling_and_probe_routes_in_other_files_answer_every_server_of_the_project() {
    let dir = repo().join("tests/projects/ops-ready");
    assert_eq!(findings_of(&dir, OPERATIONS_RULES, &[]), vec![]);
}

#[test]
fn one_file_checked_alone_still_sees_the_rest_of_its_project() {
    // The editor and pre-commit name one file: the facts of the others still count.
    let dir = repo().join("tests/projects/ops-ready");
    assert_eq!(findings_of(&dir, OPERATIONS_RULES, &["api/src/server.ts"]), vec![]);
    let dir = repo().join("tests/projects/ops-unready");
    assert_eq!(findings_of(&dir, OPERATIONS_RULES, &["api/src/server.ts"]).len(), 2);
}

/// Probe routes that are not a plain string next to a router: a route table in an attribute
/// macro, Dockerflow's `/__heartbeat__`, and a probe server of its own on a port of its own.
#[test]
fn probes_declared_in_other_ways_answer_the_health_check() {
    let main = b"#[tokio::main]\nasync fn main() {\n    let listener = tokio::net::TcpListener::bind(\"0.0.0.0:8080\").await.unwrap();\n    axum::serve(listener, axum::Router::new()).await.unwrap();\n}\n";
    let without = project(&[("Cargo.toml", CARGO), ("src/main.rs", main.as_slice())]);
    let select = ["--select", "service-without-health-check"];
    assert_eq!(findings_of(without.path(), OPERATIONS_RULES, &select).len(), 1, "the same service without a probe");
    let probes: [&[u8]; 3] = [
        b"#[api::routes(routes(\"/health\" => get(health_status), \"/stats\" => get(stats)))]\npub struct Api;\n",
        b"pub fn routes(r: axum::Router) -> axum::Router {\n    r.route(\"/__lbheartbeat__\", axum::routing::get(|| async { \"\" }))\n}\n",
        b"pub async fn probe_server() {\n    let healthz_port: u16 = std::env::var(\"PROBE_PORT\").unwrap().parse().unwrap();\n    let _ = healthz_port;\n}\n",
    ];
    for probe in probes {
        let dir = project(&[("Cargo.toml", CARGO), ("src/main.rs", main.as_slice()), ("src/probe.rs", probe)]);
        assert_eq!(findings_of(dir.path(), OPERATIONS_RULES, &select), vec![], "{}", String::from_utf8_lossy(probe));
    }
}

const CARGO: &[u8] =
    b"[package]\nname = \"svc\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\naxum = \"0.7\"\ntokio = \"1\"\n";

#[test]
fn graceful_shutdown_is_on_by_default_and_the_health_check_is_opt_in() {
    let dir = project(&[
        ("package.json", br#"{ "name": "api", "dependencies": { "express": "^4.19.2" } }"#.as_slice()),
        ("src/server.ts", b"import express from \"express\";\nconst app = express();\napp.listen(3000);\n".as_slice()),
    ]);
    let shutdown = ("server-without-graceful-shutdown".to_string(), "src/server.ts".to_string(), 3);
    assert_eq!(findings_of(dir.path(), OPERATIONS_RULES, &[]), vec![shutdown]);
    let health = ("service-without-health-check".to_string(), "src/server.ts".to_string(), 3);
    assert_eq!(findings_of(dir.path(), OPERATIONS_RULES, &["--select", "service-without-health-check"]), vec![health]);
}

#[test]
fn a_projects_own_connection_model_counts_like_the_built_in_ones() {
    let config = br#"
extend-select = ["client-created-per-request"]

[[models.connections]]
language = "typescript"
function = "openWarehouse"
module = "./warehouse"
what = "warehouse pool"
kind = "database"
"#;
    let routes = br#"import express from "express";
import { openWarehouse } from "./warehouse";

const shared = openWarehouse();
export const router = express.Router();
router.get("/stock", async (_req, res) => {
  const warehouse = openWarehouse();
  res.json(await warehouse.stock());
});
router.get("/shared", async (_req, res) => res.json(await shared.stock()));
"#;
    let dir = project(&[
        ("archlint.toml", config.as_slice()),
        ("package.json", br#"{ "name": "api", "dependencies": { "express": "^4.19.2" } }"#.as_slice()),
        ("src/routes.ts", routes.as_slice()),
        ("src/warehouse.ts", b"export function openWarehouse() { return { stock: async () => 1 }; }\n".as_slice()),
    ]);
    let found = findings_of(dir.path(), &["client-created-per-request"], &[]);
    assert_eq!(found, vec![("client-created-per-request".to_string(), "src/routes.ts".to_string(), 7)]);
    let output = archlint(dir.path(), &["models", "--language", "typescript"]);
    let listing = stdout(&output);
    assert!(listing.contains("openWarehouse from `./warehouse`"), "{listing}");
    assert!(listing.contains("[database] pg.Pool"), "{listing}");
}
