//! The frameworks beyond Express, Koa, NestJS REST, axum, actix-web and Rocket, end to end from
//! the command line: a Next.js route handler's request data followed into a helper in another
//! file, warp filters feeding handlers in another module, a GraphQL API whose complexity
//! limit is set up in another file than its server, and poem handlers bounded by a `SizeLimit`
//! mounted in another file.
//! (Each framework's sources have fixtures in `tests/fixtures/ssrf/`.)

mod common;

use common::{archlint, copy_dir, repo, stdout};
use serde_json::Value;
use std::path::Path;

/// (rule, path, line) of the findings of `rule`, sorted.
fn findings_of(dir: &Path, rule: &str) -> Vec<(String, String, u64)> {
    let output = archlint(dir, &["--format", "json", "--no-cache", "--select", "all"]);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&output)));
    let mut found: Vec<(String, String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| (f["rule"].as_str().unwrap().into(), f["path"].as_str().unwrap().into(), f["start"]["line"].as_u64().unwrap()))
        .collect();
    found.sort();
    found
}

fn project_copy(name: &str) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("tests/projects").join(name), copy.path());
    copy
}

#[test]
fn a_next_route_handlers_query_parameter_is_followed_into_a_helper_in_another_file() {
    let copy = project_copy("nextjs-app");
    assert_eq!(
        findings_of(copy.path(), "ssrf"),
        vec![("ssrf".to_string(), "lib/fetcher.ts".to_string(), 2)],
        "fetchPage gets the client's URL; fetchRepository puts the owner behind a fixed host"
    );
}

#[test]
fn a_module_only_browser_components_import_runs_in_the_browser() {
    let copy = project_copy("nextjs-app");
    assert_eq!(
        findings_of(copy.path(), "http-client-without-timeout"),
        vec![
            // a route handler imports it too
            ("http-client-without-timeout".to_string(), "lib/notify.ts".to_string(), 5),
            // the dashboard page is a server component
            ("http-client-without-timeout".to_string(), "lib/stats.ts".to_string(), 5),
        ],
        "not: lib/upload.ts and lib/storage/presign.ts (through its index), which only the uploader component imports"
    );
    assert_eq!(findings_of(copy.path(), "secret-in-logs"), vec![], "lib/session.ts logs to the console of the account menu's user");
    // Once a server module imports the storage helpers, their request is the server's.
    std::fs::write(
        copy.path().join("app/api/notify/jobs.ts"),
        "import { requestUploadUrl } from \"../../../lib/storage\";\nexport const presign = requestUploadUrl;\n",
    )
    .unwrap();
    assert!(findings_of(copy.path(), "http-client-without-timeout").contains(&(
        "http-client-without-timeout".to_string(),
        "lib/storage/presign.ts".to_string(),
        4
    )));
}

#[test]
fn warp_filters_make_the_arguments_they_extract_request_data_in_the_handlers_they_feed() {
    let copy = project_copy("warp-api");
    assert_eq!(
        findings_of(copy.path(), "ssrf"),
        vec![
            // closures written in place: `.and_then(|target: String, settings| ..)` with the
            // path parameter, `.map(|preview: Preview| ..)` with the query
            ("ssrf".to_string(), "src/filters.rs".to_string(), 21),
            ("ssrf".to_string(), "src/filters.rs".to_string(), 31),
            // `warp::path!("echo" / String).and_then(echo)`, in the same file
            ("ssrf".to_string(), "src/filters.rs".to_string(), 47),
            // the query, in handlers.rs
            ("ssrf".to_string(), "src/handlers.rs".to_string(), 19),
            // the path parameter, in handlers.rs
            ("ssrf".to_string(), "src/handlers.rs".to_string(), 26),
            // the JSON body, through the file's own `json_body()` filter
            ("ssrf".to_string(), "src/handlers.rs".to_string(), 36),
        ],
        "not: the settings a `warp::any().map(..)` filter of the project's own hands in (preview's second argument, status, \
         the fetch closure's second parameter), nor constants mapped by an iterator's `.map(|host| ..)` in a handler"
    );
}

#[test]
fn a_complexity_plugin_in_another_file_answers_the_graphql_server() {
    let copy = project_copy("graphql-api");
    assert_eq!(findings_of(copy.path(), "graphql-without-query-limits"), vec![]);
    // Without the plugin, the server has no limit at all.
    std::fs::remove_file(copy.path().join("src/graphql/complexity.plugin.ts")).unwrap();
    assert_eq!(
        findings_of(copy.path(), "graphql-without-query-limits"),
        vec![("graphql-without-query-limits".to_string(), "src/app.module.ts".to_string(), 7)]
    );
}

#[test]
fn an_async_graphql_builder_handed_out_unlimited_is_reported_unless_some_caller_limits_it() {
    let copy = project_copy("graphql-rs");
    assert_eq!(
        findings_of(copy.path(), "graphql-without-query-limits"),
        vec![("graphql-without-query-limits".to_string(), "src/schema.rs".to_string(), 16)]
    );
    // The caller that finishes the builder sets a depth limit: the builder is limited after all.
    let main = copy.path().join("src/main.rs");
    let text = std::fs::read_to_string(&main).unwrap().replace(".extension(Tracing)", ".extension(Tracing).limit_depth(12)");
    std::fs::write(&main, text).unwrap();
    assert_eq!(findings_of(copy.path(), "graphql-without-query-limits"), vec![]);
}

#[test]
fn a_hono_server_on_node_needs_a_body_limit_only_when_its_handlers_read_bodies() {
    let copy = project_copy("hono-node");
    assert_eq!(findings_of(copy.path(), "unbounded-request-body"), vec![], "bodyLimit is mounted from another file");
    // A limit of gigabytes bounds nothing: that limit is reported, not the server.
    let limits = copy.path().join("src/middleware/limits.ts");
    let small = std::fs::read_to_string(&limits).unwrap();
    std::fs::write(&limits, small.replace("maxSize: 512 * 1024", "maxSize: 4 * 1024 * 1024 * 1024")).unwrap();
    assert_eq!(
        findings_of(copy.path(), "unbounded-request-body"),
        vec![("unbounded-request-body".to_string(), "src/middleware/limits.ts".to_string(), 3)]
    );
    std::fs::write(&limits, small).unwrap();
    // Without the middleware, the routes' `c.req.text()` and JSON validator buffer any body.
    std::fs::remove_file(copy.path().join("src/middleware/limits.ts")).unwrap();
    let index = copy.path().join("src/index.ts");
    let text = std::fs::read_to_string(&index)
        .unwrap()
        .replace("import { limits } from \"./middleware/limits\";\n", "")
        .replace("app.use(\"*\", limits);\n", "");
    std::fs::write(&index, text).unwrap();
    assert_eq!(
        findings_of(copy.path(), "unbounded-request-body"),
        vec![("unbounded-request-body".to_string(), "src/index.ts".to_string(), 9)]
    );
    // A service whose handlers read no body has nothing to bound.
    std::fs::write(
        copy.path().join("src/routes/notes.ts"),
        "import { Hono } from \"hono\";\nexport const notes = new Hono();\nnotes.get(\"/\", (c) => c.json([]));\n",
    )
    .unwrap();
    assert_eq!(findings_of(copy.path(), "unbounded-request-body"), vec![]);
}

#[test]
fn a_poem_handler_reading_a_body_needs_a_size_limit_somewhere_in_the_project() {
    let copy = project_copy("poem-api");
    assert_eq!(findings_of(copy.path(), "unbounded-request-body"), vec![], "SizeLimit is mounted in main.rs");
    // Without it, the handler's `Json<NewNote>` reads any body whole; `Path` reads none.
    let main = copy.path().join("src/main.rs");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, text.replace(".with(SizeLimit::new(256 * 1024))", "")).unwrap();
    assert_eq!(
        findings_of(copy.path(), "unbounded-request-body"),
        vec![("unbounded-request-body".to_string(), "src/routes.rs".to_string(), 11)]
    );
    // A limit of gigabytes bounds nothing: that limit is reported, not the handler.
    std::fs::write(&main, text.replace("SizeLimit::new(256 * 1024)", "SizeLimit::new(8 * 1024 * 1024 * 1024)")).unwrap();
    assert_eq!(
        findings_of(copy.path(), "unbounded-request-body"),
        vec![("unbounded-request-body".to_string(), "src/main.rs".to_string(), 9)]
    );
}

#[test]
fn a_warp_server_without_a_timeout_layer_is_reported_where_it_starts() {
    let copy = project_copy("warp-api");
    assert_eq!(
        findings_of(copy.path(), "server-without-timeout"),
        vec![("server-without-timeout".to_string(), "src/main.rs".to_string(), 7)]
    );
    // An HTTP client's or a request's `.timeout(..)` says nothing of the server.
    let filters = copy.path().join("src/filters.rs");
    let mut text = std::fs::read_to_string(&filters).unwrap();
    text.push_str("\npub fn upstream() -> reqwest::Client {\n    reqwest::Client::builder().timeout(std::time::Duration::from_secs(5)).build().unwrap()\n}\n");
    std::fs::write(&filters, &text).unwrap();
    assert_eq!(
        findings_of(copy.path(), "server-without-timeout"),
        vec![("server-without-timeout".to_string(), "src/main.rs".to_string(), 7)]
    );
    // A tower timeout around the filters, in another file, answers it.
    text.push_str("\npub fn with_deadline<S>(service: S) -> tower::timeout::Timeout<S> {\n    tower::ServiceBuilder::new().timeout(std::time::Duration::from_secs(30)).service(service)\n}\n");
    std::fs::write(&filters, text).unwrap();
    assert_eq!(findings_of(copy.path(), "server-without-timeout"), vec![]);
}

#[test]
fn a_warp_server_bound_with_a_graceful_shutdown_drains() {
    let copy = project_copy("warp-api");
    assert_eq!(
        findings_of(copy.path(), "server-without-graceful-shutdown"),
        vec![("server-without-graceful-shutdown".to_string(), "src/main.rs".to_string(), 7)]
    );
    // `try_bind_with_graceful_shutdown` (as `bind_with_graceful_shutdown`) serves until the signal.
    let main = copy.path().join("src/main.rs");
    let text = std::fs::read_to_string(&main).unwrap().replace(
        "warp::serve(filters::routes(settings)).run(([0, 0, 0, 0], 3030)).await;",
        "let (_, server) = warp::serve(filters::routes(settings))\n        .try_bind_with_graceful_shutdown(([0, 0, 0, 0], 3030), async { let _ = tokio::signal::ctrl_c().await; })\n        .expect(\"bind\");\n    server.await;",
    );
    assert!(text.contains("try_bind_with_graceful_shutdown"));
    std::fs::write(&main, text).unwrap();
    assert_eq!(findings_of(copy.path(), "server-without-graceful-shutdown"), vec![]);
}

/// poem's `#[handler]` reached through the project's own prelude (`use prelude::*` re-exporting
/// `poem::handler` and its extractors): the handler's `Query` is request data. salvo's
/// `#[handler]`, also imported through a glob, is not taken for poem's.
#[test]
fn a_poem_handler_imported_through_the_projects_prelude_is_a_handler() {
    let dir = common::project(&[
        ("Cargo.toml", b"[package]\nname = \"executor\"\nversion = \"0.1.0\"\n[dependencies]\npoem = \"3\"\nserde = \"1\"\n".as_slice()),
        ("src/prelude.rs", b"pub use poem::web::{Json, Query};\npub use poem::{handler, Route, Server};\npub use serde::Deserialize;\n".as_slice()),
        (
            "src/main.rs",
            b"mod prelude;\nuse prelude::*;\nuse std::process::Command;\n\n#[derive(Deserialize)]\nstruct Job {\n    script: String,\n}\n\n#[handler]\nasync fn run(Query(job): Query<Job>) -> String {\n    let output = Command::new(\"sh\").arg(\"-c\").arg(&job.script).output().unwrap();\n    String::from_utf8_lossy(&output.stdout).into_owned()\n}\n".as_slice(),
        ),
        (
            "salvo-app/src/main.rs",
            b"use salvo::prelude::*;\nuse std::process::Command;\n\n#[handler]\nasync fn run(script: String) -> String {\n    let output = Command::new(\"sh\").arg(\"-c\").arg(&script).output().unwrap();\n    String::from_utf8_lossy(&output.stdout).into_owned()\n}\n".as_slice(),
        ),
    ]);
    let output = archlint(dir.path(), &["--format", "json", "--no-cache", "--select", "command-injection"]);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let mut found: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), f["message"].as_str().unwrap().to_string()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (
                "salvo-app/src/main.rs".to_string(),
                "a shell script built from a non-constant value reaches `Command::new(\"sh\")`".to_string()
            ),
            (
                "src/main.rs".to_string(),
                "a shell script from request data (`Query(job): Query<Job>`) reaches `Command::new(\"sh\")`".to_string()
            ),
        ]
    );
}
