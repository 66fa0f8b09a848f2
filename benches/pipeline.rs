//! `cargo bench`: the per-file pipeline on the sample service's files: parsing alone (what
//! `--parse-only` does per file), the front-end's analysis with every default rule (parse, model,
//! rules), and the whole per-file step of a scan (line index, analysis, suppression comments).
//! Whole-tree runs against other tools are `bench/compare.sh`'s job.

use archlint::checker::{self, ActiveRules};
use archlint::config::{CliOverrides, Config};
use archlint::lang;
use archlint::source::{Language, SourceFile};
use archlint::suppress;
use divan::{black_box, Bencher};
use std::path::PathBuf;
use std::sync::LazyLock;

/// (name, language, text): an Express service, its payment client, and an axum service.
const INPUTS: &[(&str, Language, &str)] = &[
    ("server.ts", Language::TypeScript, include_str!("../examples/sample-service/api-ts/src/server.ts")),
    ("payments.ts", Language::TypeScript, include_str!("../examples/sample-service/api-ts/src/payments.ts")),
    ("main.rs", Language::Rust, include_str!("../examples/sample-service/api-rs/src/main.rs")),
];

const NAMES: &[&str] = &["server.ts", "payments.ts", "main.rs"];

/// The default configuration: the `security` and `hardening` tiers.
static CONFIG: LazyLock<Config> =
    LazyLock::new(|| Config::load(None, PathBuf::from("."), &CliOverrides::default()).expect("the default configuration loads"));

fn main() {
    divan::main();
}

fn input(name: &str) -> (Language, &'static str) {
    let (_, language, text) = INPUTS.iter().find(|(n, _, _)| *n == name).expect("a known input");
    (*language, text)
}

fn source(name: &str) -> SourceFile {
    let (language, text) = input(name);
    SourceFile::new(name.into(), name.into(), language, text.into(), false)
}

/// The rules a scan would run on a file of this language, as the engine picks them.
fn active_rules(language: Language) -> ActiveRules<'static> {
    let family = language.family();
    let rules =
        CONFIG.rules.iter().filter_map(|rule| Some((rule.check.as_ref(), rule.level?)).filter(|_| rule.meta.supports(family))).collect();
    ActiveRules { rules, measure: false, knowledge: CONFIG.knowledge() }
}

#[divan::bench(args = NAMES)]
fn parse_only(bencher: Bencher, name: &str) {
    let file = source(name);
    bencher.counter(divan::counter::BytesCount::of_str(&file.text)).bench(|| lang::parse_only(black_box(&file)));
}

#[divan::bench(args = NAMES)]
fn analyze(bencher: Bencher, name: &str) {
    let file = source(name);
    let active = active_rules(file.language);
    bencher.counter(divan::counter::BytesCount::of_str(&file.text)).bench(|| checker::analyze(black_box(&file), &active));
}

#[divan::bench(args = NAMES)]
fn per_file_pipeline(bencher: Bencher, name: &str) {
    let (language, text) = input(name);
    let active = active_rules(language);
    let is_rule = |id: &str| archlint::rules::entry(id).is_some();
    bencher.counter(divan::counter::BytesCount::of_str(text)).bench(|| {
        let file = SourceFile::new(name.into(), name.into(), language, black_box(text).to_owned(), false);
        let output = checker::analyze(&file, &active);
        let (directives, notices) = suppress::parse(&file, &is_rule, false);
        (output.findings.len(), directives.len(), notices.len())
    });
}
