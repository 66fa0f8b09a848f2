//! archlint never falls over: hostile files become notices and never cost another file's
//! findings, a panicking rule is contained, output does not depend on the thread count, location
//! mapping is consistent (property tests), and a fuzz-style test mutates real sources through the
//! whole per-file pipeline, the suppression parser and the configuration parser.
//!
//! Heavy tests print how long they took (`cargo test --test robustness -- --nocapture`). The fuzz
//! test runs `ARCHLINT_FUZZ_CASES` cases per target (default 64); docs/robustness.md says more.

use archlint::config::{self, CliOverrides, Config};
use archlint::diagnostic::NoticeKind;
use archlint::source::{Language, Position, SourceFile};
use proptest::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

mod common;
use common::*;

fn json(output: &Output) -> Value {
    serde_json::from_str(&stdout(output)).unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(output), stderr(output)))
}

/// A scratch project: a git-less directory with the given files.
/// `path:line:column rule` for each finding of a JSON report.
fn findings(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}:{}:{} {}", f["path"].as_str().unwrap(), f["start"]["line"], f["start"]["column"], f["rule"].as_str().unwrap()))
        .collect()
}

/// `kind path: message` for each notice of a JSON report.
fn notices(report: &Value) -> Vec<String> {
    report["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| format!("{} {}: {}", n["kind"].as_str().unwrap(), n["path"].as_str().unwrap(), n["message"].as_str().unwrap()))
        .collect()
}

const GOOD_TS: &[u8] = b"export const a = 'http://api.acme.io';\n";
const GOOD_RS: &[u8] = b"pub const A: &str = \"http://api.acme.io\";\n";

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let value = f();
    println!("{what}: {:.2}s", started.elapsed().as_secs_f64());
    value
}

// ---------------------------------------------------------------------------------------------
// 1. Hostile files

#[test]
fn hostile_content_becomes_notices_and_every_good_finding_is_kept() {
    let mut invalid_utf8 = b"export const a = 'http://api.acme.io';\n".to_vec();
    invalid_utf8.extend([0xc3, 0x28, b'\n']);
    let dir = project(&[
        ("good.ts", GOOD_TS),
        ("good.rs", GOOD_RS),
        ("binary.ts", b"\x7fELF\x02\x01\x01\x00\x00\x00export const a = 'http://api.acme.io';\n"),
        ("binary.rs", b"pub const A: &str = \"http://api.acme.io\";\n\x00\x00\x00\x00"),
        ("invalid.ts", &invalid_utf8),
        ("bom.ts", "\u{feff}export const a = 'http://api.acme.io';\n".as_bytes()),
        ("bom.rs", "\u{feff}pub const A: &str = \"http://api.acme.io\";\n".as_bytes()),
        ("empty.ts", b""),
        ("empty.rs", b""),
        ("blank.ts", b"\n\n   \n"),
    ]);
    let output = archlint(dir.path(), &["--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(
        findings(&report),
        ["bom.rs:1:21 plain-http-url", "bom.ts:1:18 plain-http-url", "good.rs:1:21 plain-http-url", "good.ts:1:18 plain-http-url",]
    );
    assert_eq!(
        notices(&report),
        [
            "file-skipped binary.rs: binary content",
            "file-skipped binary.ts: binary content",
            "file-skipped invalid.ts: not valid UTF-8 (byte 39)",
        ]
    );
    assert_eq!(report["summary"]["files_scanned"], 10);
}

#[test]
fn crlf_and_lone_cr_line_endings_keep_lines_and_columns_exact() {
    // The findings are on lines 3 and 4 whatever ends the lines; on line 4 a multi-byte character
    // before the finding counts one UTF-16 unit (é) or two (😀).
    let ts = |eol: &str| {
        format!("// header{eol}{eol}export const a = 'http://api.acme.io';{eol}const é = '😀'; export const b = 'http://b.acme.io';{eol}")
    };
    // (Not a `//` comment first in Rust: only `\n` ends one, so with lone `\r`s it would run to the
    // end of the file, for rustc as for archlint.)
    let rs = |eol: &str| {
        format!(
            "use a::b;{eol}{eol}pub const A: &str = \"http://api.acme.io\";{eol}/* é😀 */ pub const B: &str = \"http://b.acme.io\";{eol}"
        )
    };
    let dir = project(&[
        ("lf.ts", ts("\n").as_bytes()),
        ("crlf.ts", ts("\r\n").as_bytes()),
        ("cr.ts", ts("\r").as_bytes()),
        ("lf.rs", rs("\n").as_bytes()),
        ("crlf.rs", rs("\r\n").as_bytes()),
        ("cr.rs", rs("\r").as_bytes()),
    ]);
    let report = json(&archlint(dir.path(), &["--format", "json", "--select", "plain-http-url"]));
    let expected: Vec<String> = ["cr", "crlf", "lf"]
        .iter()
        .flat_map(|name| {
            [
                format!("{name}.rs:3:21 plain-http-url"),
                format!("{name}.rs:4:31 plain-http-url"),
                format!("{name}.ts:3:18 plain-http-url"),
                format!("{name}.ts:4:34 plain-http-url"),
            ]
        })
        .collect();
    assert_eq!(findings(&report), expected);
    assert_eq!(notices(&report), Vec::<String>::new());
    // The ends are exact too: the URL literal, quotes included.
    for finding in report["findings"].as_array().unwrap() {
        let (start, end) = (&finding["start"], &finding["end"]);
        assert_eq!(start["line"], end["line"], "{finding}");
        let width = end["column"].as_u64().unwrap() - start["column"].as_u64().unwrap();
        assert!(width == 20 || width == 18, "{finding}");
    }
}

#[test]
fn syntax_errors_of_every_kind_are_notices_and_what_parsed_is_still_checked() {
    let dir = project(&[
        ("good.ts", GOOD_TS),
        ("unclosed-brace.ts", b"export const a = 'http://api.acme.io';\nfunction f() {\n"),
        ("stray-token.ts", b"export const a = 'http://api.acme.io';\nconst = ;\n"),
        ("unterminated-string.ts", b"export const a = 'http://api.acme.io';\nconst b = 'oops\n"),
        ("unterminated-template.ts", b"export const a = 'http://api.acme.io';\nconst b = `oops\n"),
        ("unclosed-delimiter.rs", b"fn main( {\n"),
        ("unterminated-string.rs", b"pub const A: &str = \"http://api.acme.io\";\nconst B: &str = \"oops\n"),
        ("missing-semicolon.rs", b"fn f() { let a = 1 let b = 2; }\n"),
        ("stray-token.rs", b"pub const A: &str = \"http://api.acme.io\";\n$ fn f() {}\n"),
        ("half-written.rs", b"pub const A: &str = \"http://api.acme.io\";\nimpl Foo for\n"),
    ]);
    let output = archlint(dir.path(), &["--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    // tree-sitter recovers: the code before the error is checked. syn does not: a Rust file with a
    // syntax error is reported and not analysed.
    assert_eq!(
        findings(&report),
        [
            "good.ts:1:18 plain-http-url",
            "stray-token.ts:1:18 plain-http-url",
            "unclosed-brace.ts:1:18 plain-http-url",
            "unterminated-string.ts:1:18 plain-http-url",
            "unterminated-template.ts:1:18 plain-http-url",
        ]
    );
    let located: Vec<String> = report["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            format!(
                "{} {}:{}: {}",
                n["kind"].as_str().unwrap(),
                n["path"].as_str().unwrap(),
                n["start"]["line"],
                n["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        located,
        [
            "parse-error half-written.rs:1: syntax error: unexpected end of input, expected one of: `for`, parentheses, `fn`, `unsafe`, \
             `extern`, identifier, `::`, `<`, `dyn`, square brackets, `*`, `&`, `!`, `impl`, `_`, lifetime",
            "parse-error missing-semicolon.rs:1: syntax error: expected `;`",
            "parse-error stray-token.rs:2: syntax error: expected one of: `fn`, `extern`, `use`, `static`, `const`, `unsafe`, `mod`, \
             `type`, `struct`, `enum`, `union`, `trait`, `auto`, `impl`, `default`, `macro`, identifier, `self`, `super`, `crate`, `::`",
            "parse-error stray-token.ts:2: syntax error (unexpected input); findings in this file may be incomplete",
            "parse-error unclosed-brace.ts:2: syntax error (missing `}`); findings in this file may be incomplete",
            "parse-error unclosed-delimiter.rs:1: syntax error: cannot parse string into token stream",
            "parse-error unterminated-string.rs:2: syntax error: cannot parse string into token stream",
            "parse-error unterminated-string.ts:2: syntax error (unexpected input); findings in this file may be incomplete",
            "parse-error unterminated-template.ts:2: syntax error (unexpected input); findings in this file may be incomplete",
        ]
    );
}

/// Nesting that needs no brackets (operators, member chains, closures, `else if`, generics) as
/// well as brackets: each 100,000 deep. Parsers and visitors recurse; these files must end as a
/// notice, not as a stack overflow that takes the whole scan (and every other finding) down.
#[test]
fn nesting_a_hundred_thousand_deep_is_a_notice_not_a_crash() {
    const N: usize = 100_000;
    let cases: Vec<(&str, String)> = vec![
        ("parens.ts", format!("const x = {}1{};\n", "(".repeat(N), ")".repeat(N))),
        ("unary.ts", format!("const x = {}y;\n", "!".repeat(N))),
        ("members.ts", format!("const x = a{};\n", ".b".repeat(N))),
        ("binary.ts", format!("const x = a{};\n", " + a".repeat(N))),
        ("ternary.ts", format!("const x = {}c;\n", "a ? b : ".repeat(N))),
        ("arrows.ts", format!("const f = {}1;\n", "x => ".repeat(N))),
        ("else-if.ts", format!("if (a) {{}}{}\n", " else if (a) {}".repeat(N))),
        ("parens.rs", format!("fn f() {{ let x = {}1{}; }}\n", "(".repeat(N), ")".repeat(N))),
        ("unary.rs", format!("fn f() {{ let x = {}y; }}\n", "!".repeat(N))),
        ("references.rs", format!("fn f() {{ let x = {}y; }}\n", "& ".repeat(N))),
        ("members.rs", format!("fn f() {{ let x = a{}; }}\n", ".b".repeat(N))),
        ("method-chain.rs", format!("fn f() {{ let x = a{}; }}\n", ".b()".repeat(N))),
        ("binary.rs", format!("fn f() {{ let x = a{}; }}\n", " + a".repeat(N))),
        ("try.rs", format!("fn f() {{ let x = a{}; }}\n", "?".repeat(N))),
        ("closures.rs", format!("fn f() {{ let x = {}1; }}\n", "|a, b| ".repeat(N))),
        ("else-if.rs", format!("fn f() {{ if a {{}}{} }}\n", " else if a {}".repeat(N))),
        ("generics.rs", format!("type T = {}u8{};\n", "HashMap<K, ".repeat(N), ">".repeat(N))),
    ];
    let mut files: Vec<(&str, &[u8])> = cases.iter().map(|(name, text)| (*name, text.as_bytes())).collect();
    files.push(("good.ts", GOOD_TS));
    files.push(("good.rs", GOOD_RS));
    let dir = project(&files);
    let output = timed("17 files nested 100,000 deep", || archlint(dir.path(), &["--format", "json"]));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(findings(&report), ["good.rs:1:21 plain-http-url", "good.ts:1:18 plain-http-url"]);
    let skipped = notices(&report);
    assert_eq!(skipped.len(), cases.len(), "{skipped:#?}");
    let message = regex::Regex::new(r"^file-skipped (\S+): nesting depth (\d+) exceeds 1000; not analysed$").unwrap();
    for notice in &skipped {
        let captures = message.captures(notice).unwrap_or_else(|| panic!("{notice}"));
        let depth: usize = captures[2].parse().unwrap();
        assert!(depth >= N, "{notice}");
    }
    // `--parse-only` refuses them too, as skipped.
    let parse_only = archlint(dir.path(), &["--parse-only"]);
    assert_eq!(parse_only.status.code(), Some(0), "{}", stderr(&parse_only));
    assert!(
        stdout(&parse_only).starts_with("archlint --parse-only: 2 files parsed (17 skipped, 0 with syntax errors)"),
        "{}",
        stdout(&parse_only)
    );
}

/// Real code stays far below the nesting limit: long flat files, data tables and long argument
/// lists are not nesting.
#[test]
fn long_flat_code_is_not_mistaken_for_deep_nesting() {
    const N: usize = 20_000;
    let table = format!("pub const T: &[(i32, i32)] = &[{}];\n", vec!["(-1, 0x5a)"; N].join(", "));
    let statements = format!("fn f() {{\n{}}}\n", "    if a == b { c.d(e, -f)?; }\n".repeat(N));
    let matches = format!("fn f(c: char) -> u8 {{ match c {{\n{}_ => 0 }} }}\n", "    'a' | 'b' => 1,\n".repeat(N));
    let docs = format!("{}pub fn f() {{}}\n", "//! documentation line\n".repeat(N));
    let semicolonless = format!("let a = 1\n{}", "a = a + 1\n".repeat(N));
    let object = format!("export const o = {{ {} }};\n", (0..N).map(|i| format!("k{i}: -1")).collect::<Vec<_>>().join(", "));
    let dir = project(&[
        ("table.rs", table.as_bytes()),
        ("statements.rs", statements.as_bytes()),
        ("matches.rs", matches.as_bytes()),
        ("docs.rs", docs.as_bytes()),
        ("semicolonless.ts", semicolonless.as_bytes()),
        ("object.ts", object.as_bytes()),
        ("good.ts", GOOD_TS),
    ]);
    let output = timed("6 long flat files", || archlint(dir.path(), &["--format", "json"]));
    let report = json(&output);
    assert_eq!(notices(&report), Vec::<String>::new());
    assert_eq!(findings(&report), ["good.ts:1:18 plain-http-url"]);
}

/// Found by the fuzzer: on some broken input tree-sitter's error recovery takes time that grows
/// faster than the file (this one took 50 s in a debug build); the parse is abandoned after a
/// budget of 10 s plus 10 s per MB, and the file becomes a notice.
#[test]
fn pathological_error_recovery_is_abandoned_after_a_budget() {
    let text = format!("f(x, {}\n", "if a {} else ".repeat(256 * 1024 / 13));
    let dir = project(&[("recovery.ts", text.as_bytes()), ("good.ts", GOOD_TS)]);
    let started = Instant::now();
    let output = archlint(dir.path(), &["--format", "json"]);
    let elapsed = started.elapsed();
    println!("pathological error recovery: {:.2}s", elapsed.as_secs_f64());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(findings(&report), ["good.ts:1:18 plain-http-url"]);
    assert_eq!(
        notices(&report),
        ["file-skipped recovery.ts: parsing stopped after 12.6 s (tree-sitter's error recovery is pathological on this file); not analysed"]
    );
    // The budget stopped it (12.6 s); the bound only catches a parse that was never stopped.
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
}

#[test]
fn a_hundred_megabyte_file_is_skipped_by_the_size_limit_and_never_read_whole() {
    let dir = project(&[("good.ts", GOOD_TS)]);
    let big = std::fs::File::create(dir.path().join("big.ts")).unwrap();
    big.set_len(100 * 1024 * 1024).unwrap(); // sparse: no disk used
    drop(big);

    let output = archlint(dir.path(), &["--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    assert_eq!(findings(&report), ["good.ts:1:18 plain-http-url"]);
    assert_eq!(notices(&report), ["file-skipped big.ts: 104857600 bytes is over the 2097152-byte limit (`max-file-size`)"]);

    // With the limit raised the file is opened, recognised as binary from its first 8 KiB (it is
    // all zeros) and skipped without reading the other 99.99 MB: peak memory stays small.
    std::fs::write(dir.path().join("archlint.toml"), "max-file-size = 209715200\n").unwrap();
    let output = timed("100 MB file with the limit raised", || archlint(dir.path(), &["--format", "json", "--timings"]));
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    assert_eq!(findings(&report), ["good.ts:1:18 plain-http-url"]);
    assert_eq!(notices(&report), ["file-skipped big.ts: binary content"]);
    let peak = regex::Regex::new(r"peak memory: ([\d.]+) (KiB|MiB|GiB)").unwrap();
    if let Some(captures) = peak.captures(&stderr(&output)) {
        let value: f64 = captures[1].parse().unwrap();
        let mib = match &captures[2] {
            "KiB" => value / 1024.0,
            "MiB" => value,
            _ => value * 1024.0,
        };
        assert!(mib < 64.0, "peak memory {mib} MiB: the 100 MB file was read");
    }
}

#[test]
fn a_five_megabyte_minified_line_is_scanned_in_bounded_time_with_exact_columns() {
    let unit = "var a=function(b){return b+1};";
    let count = 5 * 1024 * 1024 / unit.len();
    let mut line = unit.repeat(count);
    let column = line.len() + 7; // `fetch(` then the literal
    line.push_str("fetch('http://api.acme.io/x');\n");
    // The same with multi-byte characters: é is 2 bytes and 1 UTF-16 unit, 😀 4 bytes and 2 units.
    let wide_unit = "var é='ü😀';";
    let wide_count = 5 * 1024 * 1024 / wide_unit.len();
    let mut wide = wide_unit.repeat(wide_count);
    let wide_column = wide_count * wide_unit.encode_utf16().count() + 7;
    wide.push_str("fetch('http://api.acme.io/x');\n");
    // `*.min.js` is skipped by name, silently; other names are read.
    let dir =
        project(&[("app.min.js", line.as_bytes()), ("wide.ts", wide.as_bytes()), ("bundle.ts", line.as_bytes()), ("good.ts", GOOD_TS)]);

    // By default a 5 MB file is over the size limit.
    let report = json(&archlint(dir.path(), &["--format", "json", "--select", "plain-http-url"]));
    assert_eq!(findings(&report), ["good.ts:1:18 plain-http-url"]);
    assert_eq!(notices(&report).len(), 2, "{:?}", notices(&report));

    std::fs::write(dir.path().join("archlint.toml"), "max-file-size = 8388608\n").unwrap();
    let output = timed("two 5 MB single-line files", || archlint(dir.path(), &["--format", "json", "--select", "plain-http-url"]));
    let report = json(&output);
    assert_eq!(
        findings(&report),
        [
            format!("bundle.ts:1:{column} plain-http-url"),
            "good.ts:1:18 plain-http-url".into(),
            format!("wide.ts:1:{wide_column} plain-http-url")
        ]
    );
    assert_eq!(notices(&report), Vec::<String>::new());
}

#[test]
fn many_findings_on_one_line_cost_linear_time() {
    // 20,000 findings on one 520 KB line (each finding's column and the rules' "already
    // reported here?" check were linear in the line and in the findings: quadratic in all).
    let line = "a('http://api.acme.io/x');".repeat(20_000) + "\n";
    let rust = format!("fn f() {{ {} }}\n", "a(\"http://api.acme.io/x\");".repeat(20_000));
    let dir = project(&[("many.ts", line.as_bytes()), ("many.rs", rust.as_bytes())]);
    let started = Instant::now();
    let report = json(&archlint(dir.path(), &["--format", "json", "--select", "plain-http-url,hardcoded-secret"]));
    println!("40,000 findings on two lines: {:.2}s", started.elapsed().as_secs_f64());
    assert_eq!(report["summary"]["findings"], 40_000);
    assert!(started.elapsed() < Duration::from_secs(60), "{:?}", started.elapsed());
}

#[test]
fn a_file_deleted_or_made_unreadable_between_walk_and_read_is_a_notice() {
    // Simulated with the test-only fault injection: files named `gone.ts` are deleted after the
    // walk listed them and before they are read.
    let dir = project(&[("good.ts", GOOD_TS), ("src/gone.ts", GOOD_TS)]);
    let output = archlint_with(dir.path(), &["--format", "json"], &[("ARCHLINT_FAULT_INJECTION", "vanish:gone.ts")]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(findings(&report), ["good.ts:1:18 plain-http-url"]);
    assert_eq!(notices(&report), ["file-skipped src/gone.ts: cannot read: No such file or directory (os error 2)"]);
    assert!(!dir.path().join("src/gone.ts").exists());

    // Made unreadable between walk and read (a directory now stands where the file was: it opens,
    // and reading it fails).
    let dir = project(&[("good.ts", GOOD_TS), ("src/locked.ts", GOOD_TS)]);
    let output = archlint_with(dir.path(), &["--format", "json"], &[("ARCHLINT_FAULT_INJECTION", "unreadable:locked.ts")]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(findings(&report), ["good.ts:1:18 plain-http-url"]);
    assert_eq!(notices(&report), ["file-skipped src/locked.ts: cannot read: Is a directory (os error 21)"]);

    // A path named on the command line that does not exist is a usage error.
    let output = archlint(dir.path(), &["good.ts", "missing.ts"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr(&output), "archlint: error: path `missing.ts` does not exist\n");
    assert!(stdout(&output).is_empty());
}

/// Every file under `dir` with its size and modification time.
fn tree_state(dir: &Path) -> std::collections::BTreeMap<String, (u64, std::time::SystemTime)> {
    let mut state = std::collections::BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let entry = entry.unwrap();
            let metadata = entry.metadata().unwrap();
            if metadata.is_dir() {
                pending.push(entry.path());
            } else {
                let name = entry.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                state.insert(name, (metadata.len(), metadata.modified().unwrap()));
            }
        }
    }
    state
}

#[test]
fn a_scan_writes_only_its_report_and_its_cache() {
    let dir = project(&[
        ("src/a.ts", GOOD_TS),
        ("src/b.rs", GOOD_RS),
        ("src/broken.ts", b"export const = ;\n"),
        ("src/suppressed.ts", b"// archlint-ignore-next-line plain-http-url -- fake\nexport const u = 'http://x.acme.io';\n"),
    ]);
    let before = tree_state(dir.path());
    for format in ["json", "sarif", "human", "github", "junit", "gitlab"] {
        let report = format!("out/{format}.report");
        std::fs::create_dir_all(dir.path().join("out")).unwrap();
        let output = archlint(dir.path(), &["src", "--no-cache", "--format", format, "-o", &report, "--exit-zero"]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let mut after = tree_state(dir.path());
        assert!(after.remove(&report).is_some(), "{format}: the report is written");
        after.retain(|name, _| !name.starts_with("out/"));
        assert_eq!(after, before, "{format}: --no-cache writes nothing but the report");
    }
    // With the cache on (the default), the one other place written is `.archlint_cache/` in the
    // project root: here, with no archlint.toml and no git repository, the scanned directory.
    archlint(dir.path(), &["src", "--exit-zero", "-o", "out/cached.json", "--format", "json"]);
    let mut after = tree_state(dir.path());
    after.retain(|name, _| !name.starts_with("out/") && !name.starts_with("src/.archlint_cache/"));
    assert_eq!(after, before);
    assert!(dir.path().join("src/.archlint_cache/.gitignore").is_file());
}

#[cfg(unix)]
#[test]
fn symlink_loops_inside_the_tree_are_not_followed() {
    use std::os::unix::fs::symlink;
    let dir = project(&[("src/good.ts", GOOD_TS), ("src/nested/b.rs", GOOD_RS)]);
    let src = dir.path().join("src");
    symlink("..", src.join("up")).unwrap(); // a directory loop through the parent
    symlink(".", src.join("self")).unwrap(); // a directory loop to itself
    symlink("../../src", src.join("nested/cycle")).unwrap();
    symlink("loop.ts", src.join("loop.ts")).unwrap(); // a link to itself
    symlink("nowhere.ts", src.join("dangling.ts")).unwrap();
    symlink("good.ts", src.join("alias.ts")).unwrap(); // a link to a file in the tree: not read twice
    let output = timed("symlink loops", || archlint(dir.path(), &["--format", "json"]));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(findings(&report), ["src/good.ts:1:18 plain-http-url", "src/nested/b.rs:1:21 plain-http-url"]);
    assert_eq!(notices(&report), Vec::<String>::new());
    assert_eq!(report["summary"]["files_scanned"], 2);
}

#[test]
fn a_directory_of_a_hundred_thousand_empty_files() {
    const N: usize = 100_000;
    let dir = project(&[("good.ts", GOOD_TS)]);
    let many = dir.path().join("many");
    std::fs::create_dir(&many).unwrap();
    timed("creating 100,000 empty files", || {
        for i in 0..N {
            std::fs::File::create(many.join(format!("f{i:06}.{}", if i % 2 == 0 { "ts" } else { "rs" }))).unwrap();
        }
    });
    let output = timed("scanning 100,000 empty files", || archlint(dir.path(), &["--format", "json"]));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["summary"]["files_scanned"], N + 1);
    assert_eq!(findings(&report), ["good.ts:1:18 plain-http-url"]);
    assert_eq!(notices(&report), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// 2. A panicking rule is contained

const PANIC_TS: &[u8] = b"export const a = 'http://api.acme.io';\nexport const stripeKey = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';\n";
const PANIC_RS: &[u8] =
    b"pub const A: &str = \"http://api.acme.io\";\npub const STRIPE_KEY: &str = \"sk_live_4eC39HqLyjWDarjtT1zdp7dc\";\n";
const INJECT: (&str, &str) = ("ARCHLINT_FAULT_INJECTION", "panic:plain-http-url");

#[test]
fn a_panicking_rule_becomes_an_internal_error_notice_in_every_format() {
    // `hardcoded-secret` (audit) is the rule that keeps working; `plain-http-url` (audit) panics.
    let config: &[u8] = b"select = [\"security\", \"hardening\", \"plain-http-url\", \"hardcoded-secret\"]\n";
    let dir = project(&[("archlint.toml", config), ("src/a.ts", PANIC_TS), ("src/b.rs", PANIC_RS)]);
    let message = "rule `plain-http-url` failed on this file (a bug in archlint; please report it); its other findings here are missing";

    let output = archlint_with(dir.path(), &["--format", "json"], &[INJECT]);
    assert_eq!(output.status.code(), Some(1), "the other rules' findings still fail the run: {}", stderr(&output));
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(findings(&report), ["src/a.ts:2:26 hardcoded-secret", "src/b.rs:2:30 hardcoded-secret"]);
    assert_eq!(notices(&report), [format!("internal-error src/a.ts: {message}"), format!("internal-error src/b.rs: {message}")]);

    let human = stdout(&archlint_with(dir.path(), &[], &[INJECT]));
    assert!(human.contains(&format!("warning[internal-error]: src/a.ts:1:18: {message}")), "{human}");
    assert!(human.contains(&format!("warning[internal-error]: src/b.rs:1:21: {message}")), "{human}");
    assert!(human.contains("Found 2 problems") && human.contains("2 notices"), "{human}");

    let sarif: Value = serde_json::from_str(&stdout(&archlint_with(dir.path(), &["--format", "sarif"], &[INJECT]))).unwrap();
    let run = &sarif["runs"][0];
    let results: Vec<&str> = run["results"].as_array().unwrap().iter().map(|r| r["ruleId"].as_str().unwrap()).collect();
    assert_eq!(results, ["hardcoded-secret", "hardcoded-secret"]);
    let notifications = run["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    let shown: Vec<(&str, &str, &str)> = notifications
        .iter()
        .map(|n| {
            (
                n["descriptor"]["id"].as_str().unwrap(),
                n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap(),
                n["message"]["text"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("internal-error", "src/a.ts", format!("src/a.ts: {message}").as_str()),
            ("internal-error", "src/b.rs", format!("src/b.rs: {message}").as_str())
        ]
    );
    assert!(notifications.iter().all(|n| n["level"] == "warning"));
    // Each names the rule that failed, as an index into the run's rules, and where it failed.
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for notification in notifications {
        let associated = &notification["associatedRule"];
        assert_eq!(associated["id"], "plain-http-url", "{notification}");
        assert_eq!(rules[associated["index"].as_u64().unwrap() as usize]["id"], "plain-http-url");
        assert_eq!(notification["locations"][0]["physicalLocation"]["region"]["startLine"], 1, "{notification}");
    }
    assert_eq!(report["notices"][1]["rule"], "plain-http-url");
    assert_eq!(report["notices"][1]["start"]["line"], 1);
}

#[test]
fn strict_exits_2_on_an_internal_error_and_changes_nothing_else() {
    // Only the panicking rule would have found something here.
    let dir = project(&[("a.ts", GOOD_TS), ("b.rs", GOOD_RS)]);
    let code = |args: &[&str], env: &[(&str, &str)]| archlint_with(dir.path(), args, env).status.code();
    assert_eq!(code(&[], &[INJECT]), Some(0), "without --strict an internal error does not fail the run");
    assert_eq!(code(&["--strict"], &[INJECT]), Some(2));
    assert_eq!(code(&["--strict", "--exit-zero"], &[INJECT]), Some(2));
    assert_eq!(code(&["--strict", "--format", "sarif"], &[INJECT]), Some(2));
    // Without an internal error --strict changes nothing.
    assert_eq!(code(&["--strict"], &[]), Some(1));
    assert_eq!(code(&["--strict", "--exit-zero"], &[]), Some(0));
    assert_eq!(code(&[], &[]), Some(1));

    let output = archlint_with(dir.path(), &["--strict", "--format", "json"], &[INJECT]);
    assert_eq!(stderr(&output), "archlint: error: 2 internal errors (a rule failed on a file; see the notices), and --strict is set\n");
    // The report is still written in full before the exit status says what went wrong.
    assert_eq!(json(&output)["notices"].as_array().unwrap().len(), 2);
    // Nor is a baseline written from a scan in which a rule failed.
    let output = archlint_with(dir.path(), &["--strict", "--write-baseline", "baseline.json"], &[INJECT]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(!dir.path().join("baseline.json").exists());
    assert_eq!(code(&["--write-baseline", "baseline.json"], &[INJECT]), Some(0));
    assert!(dir.path().join("baseline.json").exists());
    let help = stdout(&archlint(dir.path(), &["--help"]));
    assert!(help.contains("--strict") && help.contains("internal error"), "{help}");
}

// ---------------------------------------------------------------------------------------------
// 3. Determinism

#[test]
fn a_generated_tree_of_three_thousand_files_gives_identical_output_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x5eed);
    for i in 0..3000 {
        let sub = dir.path().join(format!("svc{}/src/m{}", i % 7, i % 13));
        std::fs::create_dir_all(&sub).unwrap();
        let text = if i % 2 == 0 {
            format!(
                "import axios from 'axios';\nexport const u{i} = 'http://h{i}.acme.io/{}';\nexport const get{i} = (id: string) => axios.get(`https://api.acme.io/${{id}}`);\n{}",
                rng.below(1000),
                if i % 5 == 0 { "export const stripeKey = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';\n" } else { "" }
            )
        } else {
            format!(
                "pub const U{i}: &str = \"http://h{i}.acme.io/{}\";\npub fn c() -> reqwest::Client {{ reqwest::Client::new() }}\n{}",
                rng.below(1000),
                if i % 3 == 0 { "fn broken( {\n" } else { "" }
            )
        };
        std::fs::write(sub.join(format!("f{i}.{}", if i % 2 == 0 { "ts" } else { "rs" })), text).unwrap();
    }
    for format in ["json", "sarif"] {
        let runs: Vec<Vec<u8>> = [("1", 1), ("4", 1), ("1", 2), ("4", 2)]
            .iter()
            .map(|(jobs, round)| {
                let output = timed(&format!("3,000 files, {format}, --jobs {jobs}, run {round}"), || {
                    archlint(dir.path(), &["--format", format, "--jobs", jobs, "--no-absolute-paths", "--select", "all"])
                });
                assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
                output.stdout
            })
            .collect();
        assert!(runs.iter().all(|run| run == &runs[0]), "{format}: output differs between runs or thread counts");
        if format == "json" {
            let report: Value = serde_json::from_slice(&runs[0]).unwrap();
            assert_eq!(report["summary"]["files_scanned"], 3000);
            assert!(report["summary"]["findings"].as_u64().unwrap() >= 3000, "{}", report["summary"]);
            assert_eq!(report["summary"]["notices"], 500, "the syntax errors, in order");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Location mapping: properties

/// For every char boundary of `text` (and its end), in one pass: the position users see (lines
/// ended by `\n`, `\r\n` or a lone `\r`; 1-based UTF-16 columns), what proc-macro2 reports (lines
/// ended by `\n` only; 0-based columns in chars), and whether the offset is inside a `\r\n`.
fn reference_positions(text: &str) -> Vec<(usize, Position, (usize, usize), bool)> {
    let mut out = Vec::new();
    let (mut line, mut column) = (1, 1);
    let (mut lf_line, mut chars) = (1, 0);
    let mut previous = None;
    for (offset, c) in text.char_indices().chain(std::iter::once((text.len(), '\0'))) {
        let inside_crlf = previous == Some('\r') && c == '\n' && offset < text.len();
        out.push((offset, Position { line, column }, (lf_line, chars), inside_crlf));
        if offset == text.len() {
            break;
        }
        match c {
            '\r' if text[offset + 1..].starts_with('\n') => {}
            '\n' | '\r' => {
                line += 1;
                column = 1;
            }
            c => column += c.len_utf16(),
        }
        if c == '\n' {
            lf_line += 1;
            chars = 0;
        } else {
            chars += 1;
        }
        previous = Some(c);
    }
    out
}

fn text_strategy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-z =;(){}'\"]{1,8}",
        1 => Just("é".to_string()),
        1 => Just("😀".to_string()),
        1 => Just("中文".to_string()),
        1 => Just("\r\n".to_string()),
        1 => Just("\n".to_string()),
        1 => Just("\r".to_string()),
        1 => Just("\u{feff}".to_string()),
    ];
    // One text in four has a line longer than the threshold (4 KiB) past which columns come from
    // the checkpoint index.
    (prop::collection::vec(piece, 0..60), 0..4, "[a-zé😀]{1,3}").prop_map(|(pieces, long, filler)| {
        let mut text = pieces.concat();
        if long == 0 {
            let at = text.char_indices().map(|(i, _)| i).nth(text.chars().count() / 2).unwrap_or(text.len());
            text.insert_str(at, &filler.repeat(5000 / filler.len()));
        }
        text
    })
}

fn source(text: &str) -> SourceFile {
    SourceFile::new("a.ts".into(), "a.ts".into(), Language::TypeScript, text.into(), false)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn offsets_map_to_lines_and_utf16_columns_and_back(text in text_strategy()) {
        let file = source(&text);
        let mut previous = Position { line: 1, column: 1 };
        for (offset, expected, (line, column), inside_crlf) in reference_positions(&text) {
            let position = file.position(offset);
            prop_assert!(position >= previous, "positions grow with offsets");
            previous = position;
            // Between `\r` and `\n` the position is the line's end; no token starts there.
            if inside_crlf {
                continue;
            }
            prop_assert_eq!(position, expected, "offset {}", offset);
            prop_assert_eq!(file.offset_of_position(position), offset, "back from {:?}", position);
            prop_assert_eq!(file.offset_of_line_char(line, column), offset, "proc-macro2 {}:{}", line, column);
        }
        // Offsets inside a character are taken back to its start; offsets past the end to the end.
        let mut start = 0;
        for offset in 0..text.len() {
            if text.is_char_boundary(offset) {
                start = offset;
            } else {
                prop_assert_eq!(file.position(offset), file.position(start));
            }
        }
        prop_assert_eq!(file.position(text.len() + 10), file.position(text.len()));
    }

    #[test]
    fn columns_past_the_end_of_a_line_clamp_to_it(text in text_strategy(), extra in 1usize..10_000) {
        let file = source(&text);
        let chars_before: Vec<((usize, usize), usize)> = reference_positions(&text).into_iter().map(|(offset, _, lf, _)| (lf, offset)).collect();
        for line in 1..=text.matches('\n').count() + 1 {
            let end = file.offset_of_line_char(line, usize::MAX / 2);
            let column = chars_before.iter().find(|(_, offset)| *offset == end).map(|((_, column), _)| *column).unwrap();
            prop_assert_eq!(file.offset_of_line_char(line, column + extra), end);
            prop_assert!(end == text.len() || text[end..].starts_with('\n') || text[end..].starts_with("\r\n"), "line {} ends at {}", line, end);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Fuzzing on the stable toolchain: mutated real sources through the whole per-file pipeline

/// xorshift64*: small, seeded, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Fragments that open, close or continue syntax in either language.
const FRAGMENTS: &[&str] = &[
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "<",
    ">",
    "!",
    "&",
    "|",
    "||",
    "?",
    ".",
    "..",
    "::",
    "=>",
    "->",
    ";",
    ",",
    "'",
    "\"",
    "`",
    "${",
    "/*",
    "*/",
    "//",
    "\n",
    "\r",
    "\r\n",
    "#[",
    "#!",
    "r#\"",
    "\\",
    "é",
    "😀",
    "\u{feff}",
    "\0",
    "async ",
    "await ",
    "else if ",
    "match ",
    "impl ",
    "fn ",
    "let ",
    "const ",
    "function ",
    "=> ",
    "return ",
    "yield ",
    "new ",
    "class ",
    "// archlint-ignore-next-line ",
    "/* archlint-ignore-file plain-http-url -- x */",
    "http://",
    "sk_live_",
    "unsafe ",
];

/// Line-level edits that often keep the text parseable, so that the model and the rules see
/// strange but valid code, not only syntax errors.
fn mutate_lines(rng: &mut Rng, text: &str, others: &[String]) -> String {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    for _ in 0..=rng.below(3) {
        let len = lines.len();
        match rng.below(5) {
            0 if len > 0 => {
                let line = lines[rng.below(len)].clone();
                let times = if rng.below(5) == 0 { 1 + rng.below(500) } else { 1 };
                let at = rng.below(len + 1);
                lines.splice(at..at, std::iter::repeat_n(line, times));
            }
            1 if len > 1 => {
                let (a, b) = (rng.below(len), rng.below(len));
                lines.swap(a, b);
            }
            2 if len > 0 => {
                lines.remove(rng.below(len));
            }
            3 if !others.is_empty() => {
                let other: Vec<&str> = rng.pick(others).split_inclusive('\n').collect();
                if !other.is_empty() {
                    let start = rng.below(other.len());
                    let end = (start + 1 + rng.below(10)).min(other.len());
                    let at = rng.below(len + 1);
                    lines.splice(at..at, other[start..end].iter().map(|l| l.to_string()));
                }
            }
            _ => {
                // The same text wrapped in the same construct many times.
                let (open, close) = *rng.pick(&[("mod m {\n", "}\n"), ("fn f() {\n", "}\n"), ("{\n", "}\n"), ("function f() {\n", "}\n")]);
                let times = 1 + rng.below(300);
                let (start, end) = (rng.below(len + 1), rng.below(len + 1));
                let (start, end) = (start.min(end), start.max(end));
                lines.splice(end..end, std::iter::repeat_n(close.to_string(), times));
                lines.splice(start..start, std::iter::repeat_n(open.to_string(), times));
            }
        }
    }
    lines.concat()
}

/// One random mutation of `text`: line-level edits half the time, byte-level havoc otherwise.
fn mutate(rng: &mut Rng, text: &str, others: &[String]) -> String {
    if rng.below(2) == 0 {
        return mutate_lines(rng, text, others);
    }
    let mut bytes = text.as_bytes().to_vec();
    let at = |rng: &mut Rng, len: usize| rng.below(len + 1);
    for _ in 0..=rng.below(4) {
        let len = bytes.len();
        match rng.below(8) {
            0 if len > 0 => {
                // Flip bits of a few bytes.
                for _ in 0..=rng.below(8) {
                    let i = rng.below(len);
                    bytes[i] ^= 1 << rng.below(8);
                }
            }
            1 => bytes.truncate(at(rng, len)),
            2 if len > 0 => {
                // Duplicate a range, sometimes many times.
                let start = rng.below(len);
                let end = (start + 1 + rng.below(200)).min(len);
                let piece = bytes[start..end].to_vec();
                let times = if rng.below(4) == 0 { 1 + rng.below(2000) } else { 1 };
                let insert_at = at(rng, len);
                bytes.splice(insert_at..insert_at, piece.repeat(times));
            }
            3 => {
                // Nest: openers here, closers further on (or none).
                let (open, close) = *rng.pick(&[
                    ("(", ")"),
                    ("{", "}"),
                    ("[", "]"),
                    ("!", ""),
                    ("a.", ""),
                    ("x => ", ""),
                    ("|a, b| ", ""),
                    ("if a {} else ", ""),
                    ("Vec<", ">"),
                    ("a + ", ""),
                ]);
                let depth = if rng.below(3) == 0 { 500 + rng.below(3000) } else { 1 + rng.below(50) };
                let start = at(rng, len);
                let end = start + rng.below(len - start + 1);
                bytes.splice(end..end, close.repeat(depth).into_bytes());
                bytes.splice(start..start, open.repeat(depth).into_bytes());
            }
            4 => {
                let fragment = rng.pick(FRAGMENTS).as_bytes().to_vec();
                let insert_at = at(rng, len);
                bytes.splice(insert_at..insert_at, fragment);
            }
            5 if len > 0 => {
                // Delete a range.
                let start = rng.below(len);
                let end = (start + 1 + rng.below(100)).min(len);
                bytes.drain(start..end);
            }
            6 if !others.is_empty() => {
                // Splice in part of another source.
                let other = rng.pick(others).as_bytes();
                let start = rng.below(other.len() + 1);
                let end = start + rng.below(other.len() - start + 1);
                let insert_at = at(rng, len);
                bytes.splice(insert_at..insert_at, other[start..end].iter().copied());
            }
            _ => {
                // Swap line endings.
                let text = String::from_utf8_lossy(&bytes).into_owned();
                bytes = match rng.below(3) {
                    0 => text.replace('\n', "\r\n"),
                    1 => text.replace('\n', "\r"),
                    _ => text.replace("\r\n", "\n"),
                }
                .into_bytes();
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Every `.ts`, `.js` and `.rs` under a directory, as text.
fn sources_under(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources_under(&path, out);
        } else if let (Some(_), Ok(text)) = (Language::from_path(&path), std::fs::read_to_string(&path)) {
            out.push((path, text));
        }
    }
}

fn all_rules_config() -> Config {
    Config::from_file(
        config::ConfigFile::default(),
        None,
        PathBuf::from("/fuzz"),
        &CliOverrides { select: Some(vec!["all".into()]), ..CliOverrides::default() },
    )
    .unwrap()
}

/// Runs one input through a target; panics (with the input saved for the corpus) on a crash, an
/// internal error or a run over the time bound.
fn run_target(target: &str, input: &str, config: &Config) -> bool {
    // A hang detector, not a speed test: the slowest seeded case takes about 30 s in a debug
    // build on a loaded 2-core machine (the parse budget, then every rule on what parsed).
    const BOUND: Duration = Duration::from_secs(90);
    let analysed = std::cell::RefCell::new(true);
    let started = Instant::now();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match target {
        "rust" | "typescript" => {
            let (path, language) = if target == "rust" { ("src/fuzz.rs", Language::Rust) } else { ("src/fuzz.ts", Language::TypeScript) };
            let result = archlint::engine::scan_source(config, path, language, input);
            *analysed.borrow_mut() = !result.notices.iter().any(|n| matches!(n.kind, NoticeKind::ParseError | NoticeKind::FileSkipped));
            result.notices.iter().find(|n| n.kind == NoticeKind::InternalError).map(|n| n.message.clone())
        }
        "suppress" => {
            let file = SourceFile::new("src/fuzz.ts".into(), "/fuzz/src/fuzz.ts".into(), Language::TypeScript, input.into(), false);
            let is_rule = |id: &str| archlint::rules::entry(id).is_some();
            let (mut directives, _) = archlint::suppress::parse(&file, &is_rule, true);
            let mut findings = Vec::new();
            let _ = archlint::suppress::apply(&file, &mut directives, &mut findings);
            None
        }
        "config" => {
            if let Ok(file) = config::parse(input, "archlint.toml") {
                let _ = Config::from_file(file, Some("archlint.toml".into()), PathBuf::from("/fuzz"), &CliOverrides::default());
            }
            None
        }
        _ => unreachable!("{target}"),
    }));
    let elapsed = started.elapsed();
    let failure = match outcome {
        Err(_) => Some("panicked".to_string()),
        Ok(Some(internal)) => Some(format!("internal error: {internal}")),
        Ok(None) if elapsed > BOUND => Some(format!("took {elapsed:?}")),
        Ok(None) => None,
    };
    if let Some(failure) = failure {
        let dir = std::env::temp_dir().join("archlint-fuzz-failures");
        std::fs::create_dir_all(&dir).unwrap();
        let saved =
            dir.join(format!("{target}-{:016x}", input.len() as u64 ^ input.bytes().fold(0u64, |h, b| h.rotate_left(5) ^ u64::from(b))));
        std::fs::write(&saved, input).unwrap();
        panic!("{target}: {failure}; input saved to {} (add it to tests/fuzz-corpus/{target}/)", saved.display());
    }
    analysed.into_inner()
}

fn seeds(target: &str) -> Vec<String> {
    match target {
        "rust" | "typescript" => {
            let mut found = Vec::new();
            sources_under(&repo().join("tests/fixtures"), &mut found);
            sources_under(&repo().join("examples"), &mut found);
            let want = if target == "rust" { Language::Rust } else { Language::TypeScript };
            found
                .into_iter()
                .filter(|(path, _)| (Language::from_path(path) == Some(Language::Rust)) == (want == Language::Rust))
                .map(|(_, text)| text)
                .collect()
        }
        "suppress" => {
            let mut found = Vec::new();
            sources_under(&repo().join("tests/fixtures"), &mut found);
            let mut texts: Vec<String> = found.into_iter().map(|(_, text)| text).filter(|t| t.contains("archlint-ignore")).collect();
            texts.push("// archlint-ignore-next-line plain-http-url, hardcoded-secret -- a reason\nconst a = 1;\n/* archlint-ignore-file plain-http-url */\n// archlint-ignore x\n// archlint-ignore-next-line\n".into());
            texts
        }
        "config" => {
            let uncommented: Vec<&str> = config::INIT_TEMPLATE.lines().map(|l| l.strip_prefix("# ").unwrap_or(l)).collect();
            vec![
                uncommented.join("\n"),
                config::INIT_TEMPLATE.to_string(),
                "select = [\"all\"]\nignore = [\"plain-http-url\"]\nexclude = [\"a/**\", \"!b\", \"[\"]\nmax-file-size = 1\n[severity]\nhardcoded-secret = \"note\"\n[rules.plain-http-url]\nallowed-hosts = [\"*.a.io\"]\n[[overrides]]\nfiles = [\"x/**\"]\nselect = [\"audit\"]\n".into(),
            ]
        }
        _ => unreachable!(),
    }
}

const TARGETS: &[&str] = &["rust", "typescript", "suppress", "config"];

/// Mutated inputs are cut to this size.
const MAX_INPUT: usize = 256 * 1024;

#[test]
fn fuzz_mutated_sources_through_every_entry_point() {
    let cases: usize = std::env::var("ARCHLINT_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64);
    let seed: u64 = std::env::var("ARCHLINT_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x00c0_ffee);
    let config = all_rules_config();
    for (index, target) in TARGETS.iter().enumerate() {
        let seeds = seeds(target);
        assert!(!seeds.is_empty(), "{target}: no seed inputs");
        let mut rng = Rng(seed.wrapping_add(index as u64 + 1) | 1);
        let started = Instant::now();
        let mut analysed = 0;
        for _ in 0..cases {
            let base = rng.pick(&seeds).clone();
            let mut input = mutate(&mut rng, &base, &seeds);
            if rng.below(4) == 0 {
                // Gently: line-level edits only, which mostly still parse.
                input = mutate_lines(&mut rng, &base, &seeds);
            } else {
                // Some inputs are mutated again and again: far from anything a person wrote.
                for _ in 0..rng.below(3) {
                    input = mutate(&mut rng, &input, &seeds);
                }
            }
            // Large inputs are the size tests' business; here they would only slow the search down
            // (a 2 MB file of garbage takes ~8 s in a debug build, linearly in its size).
            if input.len() > MAX_INPUT {
                let mut end = MAX_INPUT;
                while !input.is_char_boundary(end) {
                    end -= 1;
                }
                input.truncate(end);
            }
            analysed += usize::from(run_target(target, &input, &config));
        }
        let analysed = if matches!(*target, "rust" | "typescript") {
            format!("; {analysed} analysed (no syntax error, not skipped)")
        } else {
            String::new()
        };
        println!("fuzz {target}: {cases} cases (seed {seed}) in {:.2}s{analysed}", started.elapsed().as_secs_f64());
    }
}

/// Every input that once crashed, hung or failed a rule, replayed through its target.
#[test]
fn fuzz_corpus_replays_cleanly() {
    let config = all_rules_config();
    let mut replayed = 0;
    for target in TARGETS {
        let dir = repo().join("tests/fuzz-corpus").join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            let bytes = std::fs::read(&path).unwrap();
            run_target(target, &String::from_utf8_lossy(&bytes), &config);
            replayed += 1;
        }
    }
    assert!(replayed > 0, "tests/fuzz-corpus holds the regression inputs");
}
