//! End-to-end tests of the `archlint` binary as users run it: output formats, exit codes,
//! configuration errors, suppressions, explicit files, the project pass and hostile files.

use std::path::Path;

mod common;
use common::*;

const SAMPLE: &str = "examples/sample-service";

/// The timing in the summary line changes run to run.
fn without_timing(text: &str) -> String {
    let re = regex::Regex::new(r"in \d+\.\d+s\.").unwrap();
    re.replace_all(text, "in [TIME].").into_owned()
}

/// A scratch project: a git-less directory with the given files.
#[test]
fn human_output_on_the_sample_service() {
    let output = archlint(repo(), &[SAMPLE]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    insta::assert_snapshot!("human_sample", without_timing(&stdout(&output)));
}

#[test]
fn json_output_on_the_sample_service() {
    let output = archlint(repo(), &[SAMPLE, "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value["summary"]["findings"], 10);
    insta::assert_snapshot!("json_sample", stdout(&output));
}

#[test]
fn github_annotations_on_the_sample_service() {
    let output = archlint(repo(), &[SAMPLE, "--format", "github"]);
    insta::assert_snapshot!("github_sample", stdout(&output));
}

#[test]
fn sarif_meets_githubs_requirements() {
    let output = archlint(repo(), &[SAMPLE, "--format", "sarif"]);
    assert_eq!(output.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "exactly one run per file");
    let run = &runs[0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    assert_eq!(run["automationDetails"]["id"], "archlint/");
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"].as_str().unwrap();
    assert!(root.starts_with("file:///") && root.ends_with('/'), "{root}");

    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let default_rules = archlint::rules::meta::all().iter().filter(|m| m.tier.on_by_default()).count();
    // The sample's archlint.toml turns on one audit rule (tls-verification-disabled).
    assert_eq!(rules.len(), default_rules + 1, "every rule that ran is listed");
    assert!(rules.iter().any(|r| r["id"] == "tls-verification-disabled"));
    for rule in rules {
        for key in ["id", "name"] {
            assert!(rule[key].as_str().is_some_and(|s| !s.is_empty()), "{key}");
        }
        assert!(rule["shortDescription"]["text"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(rule["fullDescription"]["text"].as_str().is_some_and(|s| !s.is_empty() && s.len() <= 1024));
        assert!(rule["help"]["text"].as_str().is_some());
        assert!(rule["help"]["markdown"].as_str().is_some_and(|m| m.contains("docs/rules/")));
        let severity: f64 = rule["properties"]["security-severity"].as_str().unwrap().parse().unwrap();
        assert!(severity > 0.0 && severity <= 10.0);
        let tags: Vec<&str> = rule["properties"]["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
        assert!(tags.contains(&"security") && tags.iter().any(|t| t.starts_with("external/cwe/cwe-")) && tags.len() <= 10);
        assert!(["very-high", "high", "medium", "low"].contains(&rule["properties"]["precision"].as_str().unwrap()));
    }

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 10);
    let line_hash = regex::Regex::new(r"^[0-9a-f]+:\d+$").unwrap();
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"], "ruleIndex points at the rule");
        let locations = result["locations"].as_array().unwrap();
        assert_eq!(locations.len(), 1, "exactly one primary location");
        let physical = &locations[0]["physicalLocation"];
        let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("examples/sample-service/"), "repo-relative uri: {uri}");
        assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &physical["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1 && region["startColumn"].as_u64().unwrap() >= 1);
        assert!(
            region["endColumn"].as_u64().unwrap() > region["startColumn"].as_u64().unwrap() || region["endLine"] != region["startLine"]
        );
        let hash = result["partialFingerprints"]["primaryLocationLineHash"].as_str().unwrap();
        assert!(line_hash.is_match(hash), "{hash}");
        assert!(result["partialFingerprints"]["archlint/v1"].as_str().is_some());
        assert!(result["message"]["text"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // Secrets never reach the report (`hardcoded-secret` is an audit rule: selected by name).
    let secrets = stdout(&archlint(repo(), &["examples/sample-service", "--format", "sarif", "--select", "hardcoded-secret"]));
    let secrets_found = serde_json::from_str::<serde_json::Value>(&secrets).unwrap()["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "hardcoded-secret")
        .count();
    assert_eq!(secrets_found, 2);
    assert!(!secrets.contains("k3y-R0tated-2023-q4-Zp9") && !secrets.contains("dev-secret-do-not-use"), "{secrets}");
}

#[test]
fn sarif_without_absolute_paths_is_stable() {
    let output = archlint(repo(), &[SAMPLE, "--format", "sarif", "--no-absolute-paths"]);
    let text = stdout(&output);
    assert!(!text.contains("originalUriBaseIds") && !text.contains(repo().to_str().unwrap()));
    let sarif: serde_json::Value = serde_json::from_str(&text).unwrap();
    insta::assert_json_snapshot!("sarif_sample_results", sarif["runs"][0]["results"]);
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let one = archlint(repo(), &[SAMPLE, "--format", "sarif", "--jobs", "1"]);
    let two = archlint(repo(), &[SAMPLE, "--format", "sarif", "--jobs", "2"]);
    let eight = archlint(repo(), &["tests/fixtures", "--format", "json", "--jobs", "8", "--select", "all"]);
    let single = archlint(repo(), &["tests/fixtures", "--format", "json", "--jobs", "1", "--select", "all"]);
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(eight.stdout, single.stdout);
}

#[test]
fn output_file_is_written_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.sarif");
    let output = archlint(repo(), &[SAMPLE, "--format", "sarif", "-o", target.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).is_empty());
    assert!(stderr(&output).contains("10 findings written to"));
    let sarif: serde_json::Value = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 10);
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    let unwritable = archlint(repo(), &[SAMPLE, "-o", "/nonexistent-dir/out.txt"]);
    assert_eq!(unwritable.status.code(), Some(2));
    assert!(stderr(&unwritable).starts_with("archlint: error: cannot write `/nonexistent-dir/out.txt`"), "{}", stderr(&unwritable));
}

/// `-o` onto something that is not a regular file writes into it: the atomic rename used for
/// reports would otherwise replace `/dev/null` (as root), a pipe or a link with a plain file.
#[cfg(unix)]
#[test]
fn output_onto_special_files_and_links_writes_through_them() {
    use std::os::unix::fs::FileTypeExt;
    let null = archlint(repo(), &[SAMPLE, "--format", "json", "-o", "/dev/null"]);
    assert_eq!(null.status.code(), Some(1), "{}", stderr(&null));
    assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device(), "/dev/null was replaced by a file");

    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.json");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("latest.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let linked = archlint(repo(), &[SAMPLE, "--format", "json", "-o", link.to_str().unwrap()]);
    assert_eq!(linked.status.code(), Some(1), "{}", stderr(&linked));
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link was replaced");
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 10);
}

#[test]
fn exit_codes() {
    let clean = project(&[("src/a.ts", b"export const url = 'https://api.acme.io';\n")]);
    assert_eq!(archlint(clean.path(), &[]).status.code(), Some(0));
    assert_eq!(archlint(repo(), &[SAMPLE, "--exit-zero"]).status.code(), Some(0));
    // Only warnings in this file: --fail-on error passes, the default fails.
    let warning = project(&[("a.ts", b"export const url = 'http://api.acme.io';\n")]);
    assert_eq!(archlint(warning.path(), &[]).status.code(), Some(1));
    assert_eq!(archlint(warning.path(), &["--fail-on", "error"]).status.code(), Some(0));
    for args in [&["--format", "xml"][..], &["--no-such-flag"], &["does/not/exist"], &["--jobs", "0"], &["explain", "nope"]] {
        let output = archlint(warning.path(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(!stderr(&output).contains("panicked"), "{args:?}");
    }
    assert_eq!(archlint(warning.path(), &["--version"]).status.code(), Some(0));
    assert!(stdout(&archlint(warning.path(), &["--help"])).contains("Exit status"));
}

#[test]
fn configuration_errors_name_the_key_and_file() {
    let cases: &[(&str, &str)] = &[
        ("selec = []\n", "archlint.toml:1: unknown field `selec`"),
        ("ignore = [\"plain-http-urls\"]\n", "unknown rule or tier `plain-http-urls` in `ignore` (did you mean `plain-http-url`?)"),
        ("[rules.plain-http-url]\nallowed = []\n", "unknown option `rules.plain-http-url.allowed`"),
        ("[severity]\nplain-http-url = \"loud\"\n", "`severity.plain-http-url` must be error, warning, note or off"),
        ("fail-on = 3\n", "archlint.toml:1:"),
    ];
    for (config, expected) in cases {
        let dir = project(&[("archlint.toml", config.as_bytes()), ("a.ts", b"x\n")]);
        let output = archlint(dir.path(), &[]);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{config}");
        assert!(message.contains(expected) && message.contains("archlint.toml"), "{config}: {message}");
        assert_eq!(message.trim_end().lines().count(), 1, "one line: {message}");
    }
    let missing = archlint(repo(), &["--config", "nope.toml", SAMPLE]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn configuration_selects_excludes_and_configures_rules() {
    let dir = project(&[
        ("archlint.toml", b"exclude = [\"legacy/\"]\n[rules.plain-http-url]\nallowed-hosts = [\"*.corp-partner.io\"]\n[severity]\nplain-http-url = \"error\"\n"),
        ("src/a.ts", b"export const a = 'http://api.acme.io';\nexport const b = 'http://gw.corp-partner.io';\n"),
        ("legacy/b.ts", b"export const c = 'http://api.acme.io';\n"),
    ]);
    let output = archlint(dir.path(), &["--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let findings = value["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["path"], "src/a.ts");
    assert_eq!(findings[0]["level"], "error");
    // Explicitly named files still honour excludes (pre-commit passes every staged file).
    let named = archlint(dir.path(), &["legacy/b.ts", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&named)).unwrap();
    assert_eq!(value["findings"].as_array().unwrap().len(), 0);
    // --select replaces the configured selection, --ignore adds to it.
    let selected = archlint(dir.path(), &["--select", "hardcoded-secret", "--format", "json"]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&stdout(&selected)).unwrap()["findings"].as_array().unwrap().len(), 0);
    let ignored = archlint(dir.path(), &["--ignore", "plain-http-url"]);
    assert_eq!(ignored.status.code(), Some(0));
}

#[test]
fn route_before_auth_middleware_options_name_middleware_and_public_paths() {
    let routes = b"const app = express();\n\
app.get('/orders', listOrders);\n\
app.post('/hooks/payments', paymentHook);\n\
app.use(gatekeeper);\n";
    let dir = project(&[("src/routes.ts", routes)]);
    let run = |dir: &Path| {
        let output = archlint(dir, &["--select", "route-before-auth-middleware", "--format", "json", "--no-cache"]);
        let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        value["findings"].as_array().unwrap().iter().map(|f| f["start"]["line"].as_u64().unwrap()).collect::<Vec<u64>>()
    };
    // `gatekeeper` is not an auth name the rule knows: nothing shows the routes were meant to be covered.
    assert_eq!(run(dir.path()), Vec::<u64>::new());
    std::fs::write(dir.path().join("archlint.toml"), "[rules.route-before-auth-middleware]\nauth-middleware = [\"gatekeeper\"]\n").unwrap();
    assert_eq!(run(dir.path()), [2, 3]);
    std::fs::write(
        dir.path().join("archlint.toml"),
        "[rules.route-before-auth-middleware]\nauth-middleware = [\"gatekeeper\"]\npublic-paths = [\"/hooks/*\"]\n",
    )
    .unwrap();
    assert_eq!(run(dir.path()), [2], "the webhook path is public by configuration");
    std::fs::write(dir.path().join("archlint.toml"), "[rules.route-before-auth-middleware]\npublic-paths = \"/hooks/*\"\n").unwrap();
    let bad = archlint(dir.path(), &["--select", "route-before-auth-middleware"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn explicit_files_are_scanned_alone() {
    let dir = project(&[("a.ts", b"export const a = 'http://api.acme.io';\n"), ("b.ts", b"export const b = 'http://api.acme.io';\n")]);
    let output = archlint(dir.path(), &["b.ts", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let paths: Vec<&str> = value["findings"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["b.ts"]);
}

#[test]
fn several_directories_are_reported_under_their_common_parent() {
    let dir =
        project(&[("pa/a.ts", b"export const A = 'http://api.acme.io';\n"), ("pb/b.ts", b"export const B = 'http://api.acme.io';\n")]);
    for (cwd, args) in [(dir.path().to_path_buf(), ["pa", "pb"]), (dir.path().join("pa"), [".", "../pb"])] {
        let mut args = args.to_vec();
        args.extend(["--format", "json", "--no-cache"]);
        let report: serde_json::Value = serde_json::from_str(&stdout(&archlint(&cwd, &args))).unwrap();
        let paths: Vec<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
        assert_eq!(paths, ["pa/a.ts", "pb/b.ts"], "{args:?}");
    }
}

#[test]
fn suppressions() {
    let source = b"// archlint-ignore-next-line plain-http-url -- partner has no TLS yet\n\
export const a = 'http://api.acme.io';\n\
// archlint-ignore-next-line hardcoded-secret\n\
export const b = 'https://api.acme.io';\n\
// archlint-ignore plain-http-url\n\
export const c = 'http://api.acme.io';\n";
    let dir = project(&[("a.ts", source)]);
    let output = archlint(dir.path(), &["--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let lines: Vec<u64> = value["findings"].as_array().unwrap().iter().map(|f| f["start"]["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [6], "only the unsuppressed finding");
    let notices: Vec<(&str, u64)> =
        value["notices"].as_array().unwrap().iter().map(|n| (n["kind"].as_str().unwrap(), n["start"]["line"].as_u64().unwrap())).collect();
    assert_eq!(notices, [("unused-suppression", 3), ("invalid-suppression", 5)]);

    let sarif = archlint(dir.path(), &["--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&sarif)).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1, "suppressed findings stay out of SARIF");
    let with = archlint(dir.path(), &["--format", "sarif", "--include-suppressed"]);
    let with: serde_json::Value = serde_json::from_str(&stdout(&with)).unwrap();
    let results = with["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["suppressions"][0]["kind"], "inSource");
    assert_eq!(results[0]["suppressions"][0]["justification"], "partner has no TLS yet");

    let file_level = project(&[(
        "a.ts",
        b"/* archlint-ignore-file plain-http-url -- a local fake */\nconst a = 'http://api.acme.io';\nconst b = 'http://api.acme.io';\n",
    )]);
    assert_eq!(archlint(file_level.path(), &[]).status.code(), Some(0));
}

#[test]
fn global_guards_answer_inconsistent_route_auth_in_other_files() {
    let select = ["--select", "inconsistent-route-auth"];
    // Two guarded routes and one without a guard, in a controller without a class-level guard.
    let controller = b"import { Controller, Delete, Post, Put, UseGuards } from '@nestjs/common';\n@Controller('orders')\nexport class OrdersController {\n  @Post() @UseGuards(JwtAuthGuard) create() {}\n  @Put(':id') @UseGuards(JwtAuthGuard) update() {}\n  @Delete(':id') remove() {}\n}\n";
    let alone = project(&[("src/orders.controller.ts", controller)]);
    assert_eq!(archlint(alone.path(), &select).status.code(), Some(1));
    let app_guard = b"import { Module } from '@nestjs/common';\nimport { APP_GUARD } from '@nestjs/core';\n@Module({ providers: [{ provide: APP_GUARD, useClass: JwtAuthGuard }] })\nexport class AppModule {}\n";
    let guarded = project(&[("src/orders.controller.ts", controller), ("src/app.module.ts", app_guard)]);
    assert_eq!(archlint(guarded.path(), &select).status.code(), Some(0), "{}", stdout(&archlint(guarded.path(), &select)));
    let use_global =
        b"async function boot() { const app = await NestFactory.create(AppModule); app.useGlobalGuards(new JwtAuthGuard(reflector)); }\n";
    let guarded = project(&[("src/orders.controller.ts", controller), ("src/main.ts", use_global)]);
    assert_eq!(archlint(guarded.path(), &select).status.code(), Some(0));
    // A global rate limiter, or a global guard named for something else, is not authentication.
    for guard in ["ThrottlerGuard", "ImpersonationWriteGuard"] {
        let module = format!("@Module({{ providers: [{{ provide: APP_GUARD, useClass: {guard} }}] }})\nexport class AppModule {{}}\n");
        let other = project(&[("src/orders.controller.ts", controller), ("src/app.module.ts", module.as_bytes())]);
        assert_eq!(archlint(other.path(), &select).status.code(), Some(1), "{guard}");
    }

    // actix-web: an authentication middleware wrapped around the app in main.rs covers the handlers.
    let handlers = b"use actix_web::{delete, post, put, web, HttpResponse};\n#[post(\"/notes\")]\nasync fn create(user: AuthUser) -> HttpResponse { HttpResponse::Ok().finish() }\n#[put(\"/notes/{id}\")]\nasync fn update(user: AuthUser) -> HttpResponse { HttpResponse::Ok().finish() }\n#[delete(\"/notes/{id}\")]\nasync fn remove(id: web::Path<i64>) -> HttpResponse { HttpResponse::Ok().finish() }\n";
    let alone = project(&[("src/notes.rs", handlers)]);
    assert_eq!(archlint(alone.path(), &select).status.code(), Some(1));
    let main = b"use actix_web::{App, HttpServer};\nuse actix_web_httpauth::middleware::HttpAuthentication;\nfn app() { App::new().wrap(HttpAuthentication::bearer(validator)).service(notes::create); }\n";
    let wrapped = project(&[("src/notes.rs", handlers), ("src/main.rs", main)]);
    assert_eq!(archlint(wrapped.path(), &select).status.code(), Some(0), "{}", stdout(&archlint(wrapped.path(), &select)));
}

#[test]
fn project_facts_withdraw_findings_in_other_files() {
    let client = b"import axios from 'axios';\nexport const get = (id: string) => axios.get(`https://api.acme.io/${id}`);\n";
    let alone = project(&[("src/client.ts", client)]);
    assert_eq!(archlint(alone.path(), &[]).status.code(), Some(1));
    let with_defaults =
        project(&[("src/client.ts", client), ("src/setup.ts", b"import axios from 'axios';\naxios.defaults.timeout = 5000;\n")]);
    let output = archlint(with_defaults.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));

    // A MongoDB filter sanitiser mounted in the app's bootstrap answers uncast filters in routes.
    let routes = b"import mongoose from 'mongoose';\nconst User = mongoose.model('User');\napp.post('/login', async (req, res) => res.json(await User.findOne({ email: req.body.email })));\n";
    let alone = project(&[("src/routes.ts", routes)]);
    let output = archlint(alone.path(), &["--select", "nosql-injection"]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let bootstrap = b"import express from 'express';\nimport mongoSanitize from 'express-mongo-sanitize';\nexport const app = express();\napp.use(mongoSanitize());\n";
    let sanitized = project(&[("src/routes.ts", routes), ("src/app.ts", bootstrap)]);
    let output = archlint(sanitized.path(), &["--select", "nosql-injection"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    // A global ValidationPipe in the bootstrap answers the DTOs of every controller.
    let controller = b"import { Body, Controller, Post } from '@nestjs/common';\n@Controller('u')\nexport class U {\n  @Post() create(@Body() dto: CreateUserDto) { return dto; }\n}\n";
    let main_without = b"import { NestFactory } from '@nestjs/core';\nasync function boot() { const app = await NestFactory.create(AppModule); await app.listen(3000); }\n";
    let main_with = b"import { NestFactory } from '@nestjs/core';\nasync function boot() { const app = await NestFactory.create(AppModule); app.useGlobalPipes(new ValidationPipe()); await app.listen(3000); }\n";
    let select = ["--select", "missing-input-validation"];
    let unvalidated = project(&[("src/main.ts", main_without), ("src/users.controller.ts", controller)]);
    assert_eq!(archlint(unvalidated.path(), &select).status.code(), Some(1));
    let validated = project(&[("src/main.ts", main_with), ("src/users.controller.ts", controller)]);
    assert_eq!(archlint(validated.path(), &select).status.code(), Some(0));
    let no_dtos = project(&[("src/main.ts", main_without)]);
    assert_eq!(archlint(no_dtos.path(), &select).status.code(), Some(0), "an app without DTO parameters has nothing to validate");
    // A global pipe without `whitelist: true` validates the DTOs but lets undeclared properties
    // through: a note at the pipe (options in a variable are read), and none once it whitelists.
    let open_pipe = b"import { NestFactory } from '@nestjs/core';\nimport { ValidationPipe } from '@nestjs/common';\nasync function boot() { const app = await NestFactory.create(AppModule); const options = { transform: true }; app.useGlobalPipes(new ValidationPipe(options)); }\n";
    let output = stdout(&archlint(project(&[("src/main.ts", open_pipe), ("src/users.controller.ts", controller)]).path(), &select));
    assert!(output.contains("src/main.ts:3:") && output.contains("no `whitelist: true`"), "{output}");
    assert!(!output.contains("no global `ValidationPipe`"), "{output}");
    let strict_pipe = String::from_utf8_lossy(open_pipe).replace("{ transform: true }", "{ transform: true, whitelist: true }");
    let strict = project(&[("src/main.ts", strict_pipe.as_bytes()), ("src/users.controller.ts", controller)]);
    assert_eq!(archlint(strict.path(), &select).status.code(), Some(0), "{}", stdout(&archlint(strict.path(), &select)));
    // An `APP_PIPE` provider: `useClass: ValidationPipe` has the default options.
    let app_module = b"import { Module, ValidationPipe } from '@nestjs/common';\nimport { APP_PIPE } from '@nestjs/core';\n@Module({ providers: [{ provide: APP_PIPE, useClass: ValidationPipe }] })\nexport class AppModule {}\n";
    let output = stdout(&archlint(
        project(&[("src/main.ts", main_without), ("src/app.module.ts", app_module), ("src/users.controller.ts", controller)]).path(),
        &select,
    ));
    assert!(output.contains("src/app.module.ts:3:") && output.contains("`APP_PIPE` uses `ValidationPipe`"), "{output}");
    assert!(!output.contains("src/main.ts"), "{output}");

    // A request validator mounted for the whole app answers the handlers of every routes file; a
    // validator on some route answers the controllers written apart from their routes.
    let routes = b"import express from 'express';\nexport const router = express.Router();\nrouter.post('/orders', async (req, res) => { res.json(await Order.create({ sku: req.body.sku })); });\n";
    let controller = b"export const create = async (req, res) => { res.json(await Order.create({ sku: req.body.sku })); };\n";
    let select = ["--select", "unvalidated-request-input"];
    assert_eq!(archlint(project(&[("src/routes.ts", routes)]).path(), &select).status.code(), Some(1));
    let app_wide = b"import express from 'express';\nimport * as OpenApiValidator from 'express-openapi-validator';\nconst app = express();\napp.use(OpenApiValidator.middleware({ apiSpec: './openapi.yaml' }));\n";
    let validated = project(&[("src/routes.ts", routes), ("src/app.ts", app_wide)]);
    assert_eq!(archlint(validated.path(), &select).status.code(), Some(0), "{}", stdout(&archlint(validated.path(), &select)));
    let per_route = b"import express from 'express';\nimport { create } from './controller';\nconst router = express.Router();\nrouter.post('/orders', validate(orderSchema), create);\n";
    assert_eq!(archlint(project(&[("src/controller.ts", controller)]).path(), &select).status.code(), Some(1));
    let routed = project(&[("src/controller.ts", controller), ("src/orders.routes.ts", per_route)]);
    assert_eq!(archlint(routed.path(), &select).status.code(), Some(0));
    // A validator on another route says nothing about a handler registered with its route in view.
    let mixed = project(&[("src/routes.ts", routes), ("src/orders.routes.ts", per_route)]);
    assert_eq!(archlint(mixed.path(), &select).status.code(), Some(1));
    // A middleware elsewhere that sets the body field itself makes it server data.
    let stamp = b"export const stampSku = (req, res, next) => { req.body.sku = res.locals.defaultSku; next(); };\n";
    let stamped = project(&[("src/routes.ts", routes), ("src/stamp.ts", stamp)]);
    assert_eq!(archlint(stamped.path(), &select).status.code(), Some(0));

    // A rate limiter anywhere in the code it is built with answers credential routes everywhere.
    let routes = b"import express from 'express';\nconst router = express.Router();\nrouter.post('/auth/login', login);\n";
    let select = ["--select", "auth-route-without-rate-limit"];
    assert_eq!(archlint(project(&[("src/routes.ts", routes)]).path(), &select).status.code(), Some(1));
    let limited = project(&[
        ("src/routes.ts", routes),
        ("src/app.ts", b"import rateLimit from 'express-rate-limit';\nexport const limiter = rateLimit({ limit: 10 });\n"),
    ]);
    assert_eq!(archlint(limited.path(), &select).status.code(), Some(0));
    // Rust: a limiter crate's layer mounted by its path, with no `use` of the crate anywhere; a
    // layer of another crate named like one is not a limiter.
    let login =
        b"use axum::{routing::post, Router};\npub fn routes() -> Router {\n    Router::new().route(\"/auth/login\", post(login))\n}\n";
    let mounted = |layer: &str| {
        let app = format!("pub fn app(router: axum::Router) -> axum::Router {{\n    router.layer({layer})\n}}\n");
        archlint(project(&[("src/routes.rs", login.as_slice()), ("src/app.rs", app.as_bytes())]).path(), &select).status.code()
    };
    assert_eq!(mounted("tower_governor::GovernorLayer { config: limits() }"), Some(0));
    assert_eq!(mounted("metrics::GovernorLayer { config: limits() }"), Some(1));

    // Async Express handlers: only under Express 4 (from package.json), and not with express-async-errors loaded.
    let handler: &[u8] = b"import express from 'express';\nconst router = express.Router();\nrouter.get('/a/:id', async (req, res) => { res.json(await load(req.params.id)); });\n";
    let select = ["--select", "unhandled-async-handler"];
    let express = |version: &str| format!("{{\"dependencies\": {{\"express\": \"{version}\"}}}}").into_bytes();
    let express4 = express("^4.21.0");
    let express5 = express("^5.1.0");
    assert_eq!(archlint(project(&[("src/a.ts", handler), ("package.json", &express4)]).path(), &select).status.code(), Some(1));
    // The manifest of a package below the project root counts too.
    assert_eq!(archlint(project(&[("svc/src/a.ts", handler), ("svc/package.json", &express4)]).path(), &select).status.code(), Some(1));
    assert_eq!(archlint(project(&[("src/a.ts", handler), ("package.json", &express5)]).path(), &select).status.code(), Some(0));
    assert_eq!(archlint(project(&[("src/a.ts", handler)]).path(), &select).status.code(), Some(0), "no manifest, no version known");
    let patched = project(&[("src/a.ts", handler), ("package.json", &express4), ("src/app.ts", b"import 'express-async-errors';\n")]);
    assert_eq!(archlint(patched.path(), &select).status.code(), Some(0));
    let required = project(&[("src/a.ts", handler), ("package.json", &express4), ("src/app.js", b"require('express-async-errors');\n")]);
    assert_eq!(archlint(required.path(), &select).status.code(), Some(0));

    let set_option =
        project(&[("src/routes.ts", routes), ("src/db.ts", b"import mongoose from 'mongoose';\nmongoose.set('sanitizeFilter', true);\n")]);
    assert_eq!(archlint(set_option.path(), &["--select", "nosql-injection"]).status.code(), Some(0));

    // A model hook that hashes passwords on save answers writes of the request password elsewhere.
    let signup = b"import { User } from './user';\napp.post('/signup', async (req, res) => res.json(await User.create({ email: req.body.email, password: req.body.password })));\n";
    let select = ["--select", "plaintext-password"];
    assert_eq!(archlint(project(&[("src/routes.ts", signup)]).path(), &select).status.code(), Some(1));
    let hook = b"import bcrypt from 'bcrypt';\nUserSchema.pre('save', async function () { this.password = await bcrypt.hash(this.password, 12); });\n";
    let hooked = project(&[("src/routes.ts", signup), ("src/user.ts", hook)]);
    let output = archlint(hooked.path(), &select);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let typed_hook = b"import { hash } from 'bcrypt';\nUserSchema.pre<UserDocument>('save', async function () { this.password = await hash(this.password, 12); });\n";
    let output = archlint(project(&[("src/routes.ts", signup), ("src/user.ts", typed_hook)]).path(), &select);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));

    // Helmet (or the headers set by hand) anywhere in the code it is built with answers every app; the rule
    // reports notes, so `--fail-on note` makes them count.
    let server =
        b"import express from 'express';\nimport { api } from './api';\nconst app = express();\napp.use('/api', api);\napp.listen(3000);\n";
    let select = ["--select", "missing-security-headers", "--fail-on", "note"];
    assert_eq!(archlint(project(&[("src/server.ts", server)]).path(), &select).status.code(), Some(1));
    for (path, setup) in [
        ("src/security.ts", &b"import helmet from 'helmet';\nexport const headers = helmet({ contentSecurityPolicy: false });\n"[..]),
        ("src/api.ts", b"const lusca = require('lusca');\nmodule.exports.api = [lusca.xframe('SAMEORIGIN')];\n"),
        (
            "src/headers.ts",
            b"export const headers = (req, res, next) => { res.setHeader('X-Content-Type-Options', 'nosniff'); next(); };\n",
        ),
    ] {
        let output = archlint(project(&[("src/server.ts", server), (path, setup)]).path(), &select);
        assert_eq!(output.status.code(), Some(0), "{path}: {}", stdout(&output));
    }
    // Helmet elsewhere does not answer a protection switched off where helmet is mounted.
    let weakened = project(&[
        ("src/server.ts", server),
        ("src/api.ts", b"import helmet from 'helmet';\nexport const api = helmet({ hsts: false });\n"),
    ]);
    let output = archlint(weakened.path(), &select);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("`hsts: false`") && !stdout(&output).contains("sends no security headers"), "{}", stdout(&output));

    // A NestJS `JwtModule` default `expiresIn` answers `jwtService.sign` calls in the services;
    // a module whose options come from a config service is given the benefit of the doubt.
    let service = b"import { JwtService } from '@nestjs/jwt';
export class AuthService {
  constructor(private jwtService: JwtService) {}
  login(user: { id: string }) { return this.jwtService.sign({ sub: user.id }); }
}
";
    let select = ["--select", "jwt-without-expiry"];
    let module = |options: &str| {
        format!(
            "import {{ JwtModule }} from '@nestjs/jwt';
export const jwt = JwtModule.{options};
"
        )
    };
    let no_default = module("register({ secret: process.env.JWT_SECRET, signOptions: { algorithm: 'HS256' } })");
    let output = archlint(project(&[("src/auth.service.ts", service), ("src/auth.module.ts", no_default.as_bytes())]).path(), &select);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    for options in [
        "register({ secret: process.env.JWT_SECRET, signOptions: { expiresIn: '15m' } })",
        "registerAsync({ useFactory: () => ({ secret: process.env.JWT_SECRET, signOptions: { expiresIn: '15m' } }) })",
        "registerAsync({ inject: [ConfigService], useFactory: (config: ConfigService) => config.get('jwt') })",
    ] {
        let output =
            archlint(project(&[("src/auth.service.ts", service), ("src/auth.module.ts", module(options).as_bytes())]).path(), &select);
        assert_eq!(output.status.code(), Some(0), "{options}: {}", stdout(&output));
    }
}

#[test]
fn hostile_files_become_notices_and_never_cost_other_findings() {
    let mut invalid_utf8 = b"const a = 'http://api.acme.io';\n".to_vec();
    invalid_utf8.extend([0xff, 0xfe, b'\n']);
    let deep = format!("const x = {}1{};\n", "(".repeat(5000), ")".repeat(5000));
    let dir = project(&[
        ("good.ts", b"export const a = 'http://api.acme.io';\n"),
        ("binary.ts", b"\x00\x01\x02binary"),
        ("invalid.ts", &invalid_utf8),
        ("broken.ts", b"export const a = 'http://api.acme.io';\nfunction (\n"),
        ("broken.rs", b"fn main( {\n"),
        ("deep.ts", deep.as_bytes()),
        ("big.ts", &vec![b'x'; 3 * 1024 * 1024]),
        ("empty.rs", b""),
        ("bom.ts", "\u{feff}export const a = 'http://api.acme.io';\n".as_bytes()),
        ("crlf.ts", b"// x\r\n\r\nexport const a = 'http://api.acme.io';\r\n"),
    ]);
    let output = archlint(dir.path(), &["--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let findings: Vec<String> = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}:{}:{}", f["path"].as_str().unwrap(), f["start"]["line"], f["start"]["column"]))
        .collect();
    // The syntax error is reported, and what parsed is still checked; BOM and CRLF keep positions right.
    assert_eq!(findings, ["bom.ts:1:18", "broken.ts:1:18", "crlf.ts:3:18", "good.ts:1:18"]);
    let notices: Vec<String> = value["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| format!("{} {}", n["kind"].as_str().unwrap(), n["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        notices,
        [
            "file-skipped big.ts",
            "file-skipped binary.ts",
            "parse-error broken.rs",
            "parse-error broken.ts",
            "file-skipped deep.ts",
            "file-skipped invalid.ts"
        ]
    );
}

#[test]
fn default_excludes_and_ignore_files() {
    let dir = project(&[
        ("node_modules/lib/index.js", b"const a = 'http://api.acme.io';\n"),
        ("dist/app.js", b"const a = 'http://api.acme.io';\n"),
        ("src/app.min.js", b"const a = 'http://api.acme.io';\n"),
        ("static/external/htmx.min.1.9.12.js", b"const a = 'http://api.acme.io';\n"),
        ("static/vendor/sockjs-min.mjs", b"const a = 'http://api.acme.io';\n"),
        ("ui/_next/static/chunks/polyfills-c67a75d1.js", b"const a = 'http://api.acme.io';\n"),
        ("src/admin.ts", b"export const minimum = 1;\n"),
        ("src/types.d.ts", b"declare const a = 'http://api.acme.io';\n"),
        ("src/skip.ts", b"const a = 'http://api.acme.io';\n"),
        (".archlintignore", b"src/skip.ts\n"),
        ("src/keep.ts", b"const a = 'http://api.acme.io';\n"),
    ]);
    let output = archlint(dir.path(), &["--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value["summary"]["files_scanned"], 2, "keep.ts and admin.ts");
    assert_eq!(value["findings"][0]["path"], "src/keep.ts");
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_tree_are_not_followed() {
    let outside = project(&[("secret.ts", b"const a = 'http://api.acme.io';\n")]);
    let dir = project(&[("src/a.ts", b"export const ok = 1;\n")]);
    std::os::unix::fs::symlink(outside.path(), dir.path().join("src/linked")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.ts"), dir.path().join("src/file.ts")).unwrap();
    let output = archlint(dir.path(), &["--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn rules_and_explain() {
    let rules = archlint(repo(), &["rules"]);
    assert_eq!(rules.status.code(), Some(0));
    insta::assert_snapshot!("rules_list", stdout(&rules));
    let json = archlint(repo(), &["rules", "--format", "json"]);
    assert_eq!(json.status.code(), Some(0));
    let listed: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), archlint::rules::REGISTRY.len());
    let http = listed.iter().find(|r| r["id"] == "plain-http-url").unwrap();
    assert_eq!((&http["tier"], &http["level"], &http["enabled"]), (&"audit".into(), &"warning".into(), &false.into()), "{http}");
    let sql = listed.iter().find(|r| r["id"] == "sql-injection").unwrap();
    assert_eq!((&sql["tier"], &sql["level"], &sql["enabled"]), (&"security".into(), &"error".into(), &true.into()), "{sql}");
    assert!(http["docs"].as_str().unwrap().ends_with("/plain-http-url.md") && http["cwe"][0] == 319, "{http}");
    assert!(listed.iter().any(|r| r["enabled"] == false), "audit rules are off by default");
    let configured = project(&[("archlint.toml", b"select = [\"plain-http-url\"]\n")]);
    let selected = archlint(configured.path(), &["rules", "--format", "json"]);
    let selected: serde_json::Value = serde_json::from_str(&stdout(&selected)).unwrap();
    assert_eq!(selected.as_array().unwrap().iter().filter(|r| r["enabled"] == true).count(), 1);
    let explain = archlint(repo(), &["explain", "plain-http-url"]);
    assert_eq!(explain.status.code(), Some(0));
    let text = stdout(&explain);
    assert!(text.starts_with("plain-http-url: ") && text.contains("allowed-hosts") && text.contains("## What it does not flag"));
    let markdown = archlint(repo(), &["explain", "plain-http-url", "--markdown"]);
    assert_eq!(stdout(&markdown), std::fs::read_to_string(repo().join("docs/rules/plain-http-url.md")).unwrap());
}

#[test]
fn init_writes_a_config_that_loads() {
    let dir = project(&[]);
    assert_eq!(archlint(dir.path(), &["init"]).status.code(), Some(0));
    assert!(dir.path().join("archlint.toml").is_file());
    assert_eq!(archlint(dir.path(), &[]).status.code(), Some(0));
    assert_eq!(archlint(dir.path(), &["init"]).status.code(), Some(2), "never overwrites");
}

#[test]
fn timings_print_phases_and_rules_to_stderr_and_leave_the_report_alone() {
    let plain = archlint(repo(), &[SAMPLE, "--format", "json"]);
    for flag in ["--timings", "--stats"] {
        // Without the cache, so that the rules run and are timed.
        let timed = archlint(repo(), &[SAMPLE, "--format", "json", "--no-cache", flag]);
        assert_eq!(timed.status.code(), plain.status.code(), "{flag} keeps the exit code");
        let (plain_json, timed_json): (serde_json::Value, serde_json::Value) =
            (serde_json::from_str(&stdout(&plain)).unwrap(), serde_json::from_str(&stdout(&timed)).unwrap());
        assert_eq!(timed_json["findings"], plain_json["findings"], "{flag} keeps the findings");
        assert_eq!(timed_json["notices"], plain_json["notices"]);
        let table = stderr(&timed);
        for phase in ["walk", "read", "parse", "model", "rules", "suppressions", "project pass", "output", "total"] {
            assert!(table.lines().any(|line| line.trim_start().starts_with(phase)), "{flag}: no `{phase}` row in\n{table}");
        }
        assert!(table.contains("archlint timings: 4 files"), "{table}");
        // The ten most expensive rules are listed by id (which ten depends on the machine).
        let listed = archlint::rules::REGISTRY.iter().filter(|entry| table.contains(entry.id)).count();
        assert!(listed >= 5.min(archlint::rules::REGISTRY.len()), "rule names in\n{table}");
        assert!(table.contains("files/s") && table.contains("peak memory: "), "{table}");
        if cfg!(target_os = "linux") {
            assert!(!table.contains("peak memory: n/a"), "{table}");
        }
    }
    // Without the flag nothing is added.
    assert!(!stderr(&plain).contains("archlint timings"));
}

#[test]
fn timings_work_with_every_format_and_with_an_output_file() {
    let dir = project(&[]);
    for format in ["human", "sarif", "json", "github"] {
        let report = dir.path().join(format!("report.{format}"));
        let report = report.to_str().unwrap();
        let plain = archlint(repo(), &[SAMPLE, "--format", format, "-o", report]);
        let expected = std::fs::read(report).unwrap();
        let timed = archlint(repo(), &[SAMPLE, "--format", format, "-o", report, "--timings"]);
        assert_eq!(timed.status.code(), plain.status.code(), "{format}");
        assert!(stdout(&timed).is_empty(), "{format}: the report went to the file");
        assert!(stderr(&timed).contains("archlint timings:"), "{format}: {}", stderr(&timed));
        if format != "human" && format != "sarif" {
            assert_eq!(std::fs::read(report).unwrap(), expected, "{format}: same report");
        }
    }
}

#[test]
fn parse_only_counts_the_files_and_exits_zero() {
    let output = archlint(repo(), &[SAMPLE, "--parse-only"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let line = stdout(&output);
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.starts_with("archlint --parse-only: 4 files parsed (0 skipped, 0 with syntax errors)"), "{line}");
    assert!(line.contains("KiB") && line.contains(" in "), "{line}");

    // Syntax errors and skipped files are counted, not reported, and are no failure.
    let dir = project(&[("ok.ts", b"export const a = 1;\n"), ("broken.rs", b"fn main( {\n"), ("binary.ts", b"\x00\x01binary")]);
    let output = archlint(dir.path(), &["--parse-only", "--timings"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).starts_with("archlint --parse-only: 2 files parsed (1 skipped, 1 with syntax errors)"), "{}", stdout(&output));
    let table = stderr(&output);
    assert!(table.contains("(--parse-only)") && table.contains("parse"), "{table}");
    assert!(!table.contains("slowest rules"), "no rule ran: {table}");
}

#[test]
fn parse_only_refuses_report_and_rule_options() {
    for args in [
        &["--parse-only", "-o", "report.json"][..],
        &["--parse-only", "--format", "json"],
        &["--parse-only", "--select", "plain-http-url"],
        &["--parse-only", "--ignore", "plain-http-url"],
        &["--parse-only", "--fail-on", "error"],
        &["--parse-only", "--include-suppressed"],
    ] {
        let dir = project(&[("a.ts", b"export const a = 1;\n")]);
        let output = archlint(dir.path(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let message = stderr(&output);
        assert_eq!(message.lines().count(), 1, "{args:?}: {message}");
        assert!(message.starts_with("archlint: error: --parse-only"), "{args:?}: {message}");
        assert!(stdout(&output).is_empty());
        assert!(!dir.path().join("report.json").exists());
    }
    let help = stdout(&archlint(repo(), &["--help"]));
    assert!(help.contains("--parse-only") && help.contains("Diagnostic") && help.contains("--timings"), "{help}");
}

#[test]
fn baseline_entries_that_match_nothing_are_counted_and_rewriting_drops_them() {
    let dir = project(&[
        ("src/a.ts", b"export const a = 'http://billing.acme-corp.com/v1';\n".as_slice()),
        ("src/b.ts", b"export const b = 'http://reports.acme-corp.com/v1';\n".as_slice()),
    ]);
    let baseline = dir.path().join("baseline.json");
    assert_eq!(archlint(dir.path(), &["--write-baseline", baseline.to_str().unwrap()]).status.code(), Some(0));
    // One finding is fixed.
    std::fs::write(dir.path().join("src/b.ts"), "export const b = 'https://reports.acme-corp.com/v1';\n").unwrap();
    let output = archlint(dir.path(), &["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stderr(&output).contains("1 baseline entry matches no finding any more"), "{}", stderr(&output));
    // A scan of one named file cannot tell: nothing is said.
    let named = archlint(dir.path(), &["src/a.ts", "--baseline", baseline.to_str().unwrap()]);
    assert!(!stderr(&named).contains("matches no finding"), "{}", stderr(&named));
    assert_eq!(archlint(dir.path(), &["--write-baseline", baseline.to_str().unwrap()]).status.code(), Some(0));
    let rewritten = archlint(dir.path(), &["--baseline", baseline.to_str().unwrap()]);
    assert!(!stderr(&rewritten).contains("matches no finding"), "{}", stderr(&rewritten));
    assert_eq!(std::fs::read_to_string(&baseline).unwrap().matches("\"key\"").count(), 1);
}

#[test]
fn a_suppression_at_the_end_of_the_flagged_line_covers_it() {
    let dir = project(&[(
        "src/a.ts",
        b"export const a = 'http://billing.acme-corp.com/v1'; // archlint-ignore plain-http-url -- partner gateway without TLS\nexport const b = 'http://reports.acme-corp.com/v1';\n"
            .as_slice(),
    )]);
    let output = archlint(dir.path(), &["--format", "json", "--include-suppressed"]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let lines: Vec<(u64, bool)> =
        value["findings"].as_array().unwrap().iter().map(|f| (f["start"]["line"].as_u64().unwrap(), f["suppressed"].is_string())).collect();
    assert_eq!(lines, [(1, true), (2, false)], "the directive covers its own line only");
}

#[test]
fn baselines_survive_edits_above_a_finding_and_let_new_findings_through() {
    let before = "export const api = 'http://billing.acme-corp.com/v1';\n";
    let dir = project(&[("src/client.ts", before.as_bytes())]);
    let baseline = dir.path().join("archlint-baseline.json");
    let written = archlint(dir.path(), &["--write-baseline", baseline.to_str().unwrap()]);
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    assert!(stderr(&written).contains("baseline of 1 finding written"), "{}", stderr(&written));

    // The known finding moves down 20 lines; a new one appears.
    let after = format!("{}{before}export const reports = 'http://reports.acme-corp.com/v2';\n", "// moved\n".repeat(20));
    std::fs::write(dir.path().join("src/client.ts"), after).unwrap();
    let output = archlint(dir.path(), &["--baseline", baseline.to_str().unwrap(), "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let findings = value["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["start"]["line"], 22, "only the new finding is reported");
    assert!(stderr(&output).contains("1 finding already in the baseline not shown"));

    // Without the baseline both are reported; a broken baseline is a one-line error.
    assert_eq!(archlint(dir.path(), &["--format", "json"]).status.code(), Some(1));
    std::fs::write(&baseline, "not json").unwrap();
    let broken = archlint(dir.path(), &["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(broken.status.code(), Some(2));
    assert_eq!(stderr(&broken).trim().lines().count(), 1, "{}", stderr(&broken));
    assert!(stderr(&broken).contains("is not an archlint baseline"));
}

/// `#[cfg(test)] mod testutils;` makes `testutils.rs` test code, though nothing in that file says
/// so: its findings are dropped, like those of a `#[cfg(test)]` item. A module declared without
/// the attribute is service code.
#[test]
fn modules_declared_for_tests_only_are_test_code() {
    let client =
        b"pub fn client() -> reqwest::Client {\n    reqwest::Client::builder().danger_accept_invalid_certs(true).build().unwrap()\n}\n";
    let dir = project(&[
        (
            "Cargo.toml",
            b"[package]\nname = \"mailer\"\nversion = \"0.1.0\"\n[dependencies]\naxum = \"0.8\"\nreqwest = \"0.12\"\n".as_slice(),
        ),
        ("src/lib.rs", b"pub mod email;\npub mod live;\n#[cfg(test)]\nmod testutils;\n".as_slice()),
        ("src/email.rs", b"#[cfg(any(test, feature = \"test-utils\"))]\npub mod fixtures;\n".as_slice()),
        ("src/email/fixtures.rs", client.as_slice()),
        ("src/email/fixtures/smtp.rs", client.as_slice()),
        ("src/testutils.rs", client.as_slice()),
        ("src/live.rs", client.as_slice()),
    ]);
    let output = archlint(dir.path(), &["--format", "json", "--no-cache", "--select", "tls-verification-disabled"]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let paths: Vec<&str> = value["findings"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["src/live.rs"]);
}
