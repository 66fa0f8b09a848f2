//! The checker: runs the rules on one file. It sits above the front-ends (`lang`) and the rules
//! (`rules`), as Ruff's checker sits above its semantic model: the front-end parses the file,
//! builds the model and queues the nodes of the kinds the rules asked for; the checker hands each
//! queued node to the rules interested in its kind. A rule that panics on a file becomes an
//! `internal-error` notice for that file and is not asked again there; the other rules go on.

use crate::diagnostic::{Fact, Level, Notice};
use crate::lang::rust::RustKind;
use crate::lang::{self, FileOutput};
use crate::models::Knowledge;
use crate::rules::{Context, Rule};
use crate::source::{Language, SourceFile};
use crate::timings::{RuleClock, Stopwatch};
use std::cell::RefCell;

/// The rules that run on one file, with their configured levels.
pub struct ActiveRules<'r> {
    pub rules: Vec<(&'r dyn Rule, Level)>,
    /// Measure parse, model and rule time into [`FileOutput::timings`] (`--timings`).
    pub measure: bool,
    /// The models in force: built-in, and the configuration's.
    pub knowledge: &'r Knowledge,
}

/// Parses, models and checks one file.
pub fn analyze(file: &SourceFile, active: &ActiveRules<'_>) -> FileOutput {
    let mut output = FileOutput::default();
    match file.language {
        Language::Rust => {
            // RustKind index → indices into `active.rules` interested in that kind.
            let mut interest: Vec<Vec<usize>> = vec![Vec::new(); RustKind::COUNT];
            for (index, (rule, _)) in active.rules.iter().enumerate().filter(|(_, (rule, _))| applies(*rule, file)) {
                for kind in rule.rust_kinds() {
                    interest[kind.index()].push(index);
                }
            }
            let summarised = records_summary(file);
            lang::rust::analyze(file, active.knowledge, active.measure, &mut output, |model, queue, output| {
                let mut dispatch = Dispatch::new(file, active, output);
                for node in queue {
                    for &index in &interest[node.syntax.kind().index()] {
                        dispatch.run(index, node.site.in_test, || node.syntax.span(file), |rule, cx| rule.check_rust(&node, model, cx));
                    }
                    if summarised && matches!(node.syntax.kind(), RustKind::Call | RustKind::MethodCall | RustKind::Fn) {
                        dispatch.summarise(|file, summary| crate::flows::rust::record(&node, model, file, summary));
                    }
                }
                dispatch.finish();
                let module_dir = rust_module_dir(&file.rel_path);
                output.facts.extend(model.test_modules.iter().map(|module| Fact::TestModule(format!("{module_dir}{module}"))));
            });
        }
        Language::TypeScript | Language::Tsx | Language::JavaScript => {
            // Kind id → indices into `active.rules` interested in that kind.
            let mut interest: Vec<Vec<usize>> = vec![Vec::new(); lang::typescript::kind_count(file.language)];
            for (index, (rule, _)) in active.rules.iter().enumerate().filter(|(_, (rule, _))| applies(*rule, file)) {
                for kind in rule.ts_kinds() {
                    for &id in lang::typescript::kind_ids(file.language, kind) {
                        interest[usize::from(id)].push(index);
                    }
                }
            }
            let mut wanted: Vec<bool> = interest.iter().map(|rules| !rules.is_empty()).collect();
            // The summary recorder's kinds: request data passed to other functions, exports.
            let mut summarised = vec![false; wanted.len()];
            if records_summary(file) {
                for kind in crate::flows::typescript::KINDS {
                    for &id in lang::typescript::kind_ids(file.language, kind) {
                        summarised[usize::from(id)] = true;
                        wanted[usize::from(id)] = true;
                    }
                }
            }
            lang::typescript::analyze(file, active.knowledge, &wanted, active.measure, &mut output, |model, queue, output| {
                let mut dispatch = Dispatch::new(file, active, output);
                for node in queue {
                    for &index in &interest[usize::from(node.kind_id())] {
                        let span = || lang::typescript::model::span_of(node);
                        dispatch.run(index, file.is_test_path, span, |rule, cx| rule.check_ts(node, model, cx));
                    }
                    if summarised[usize::from(node.kind_id())] {
                        dispatch.summarise(|file, summary| crate::flows::typescript::record(node, model, file, summary));
                    }
                }
                dispatch.finish();
            });
        }
    }
    output
}

/// Whether the file's calls are recorded for following request data across files: test code,
/// tooling and code no request reaches pass no request data on.
fn records_summary(file: &SourceFile) -> bool {
    !file.is_test_path && !file.is_tooling && file.serves_requests
}

/// The directory, from the root and ending in `/` (or empty), where the modules a Rust file
/// declares live: beside `lib.rs`, `main.rs` and `mod.rs`, in `x/` for `x.rs`.
fn rust_module_dir(rel_path: &str) -> String {
    let (dir, file) = rel_path.rsplit_once('/').map_or(("", rel_path), |(dir, file)| (dir, file));
    let stem = file.strip_suffix(".rs").unwrap_or(file);
    let dir = if matches!(stem, "lib" | "main" | "mod") {
        dir.to_string()
    } else if dir.is_empty() {
        stem.to_string()
    } else {
        format!("{dir}/{stem}")
    };
    if dir.is_empty() {
        dir
    } else {
        format!("{dir}/")
    }
}

/// Whether a rule runs on this file at all: rules about a service's behaviour skip tooling.
fn applies(rule: &dyn Rule, file: &SourceFile) -> bool {
    !(file.is_tooling && rule.service_only())
}

/// Hands nodes to rules, keeping the time each takes and which have failed on this file.
struct Dispatch<'d, 'r> {
    file: &'d SourceFile,
    active: &'d ActiveRules<'r>,
    output: &'d mut FileOutput,
    clock: Stopwatch,
    rule_clock: RuleClock,
    panicked: Vec<bool>,
    /// The summary recorder failed on this file (its summary is dropped, the rules go on).
    summary_failed: bool,
    reported: RefCell<crate::rules::ReportedIndex>,
}

impl<'d, 'r> Dispatch<'d, 'r> {
    fn new(file: &'d SourceFile, active: &'d ActiveRules<'r>, output: &'d mut FileOutput) -> Self {
        Dispatch {
            file,
            active,
            output,
            clock: Stopwatch::thread(active.measure),
            rule_clock: RuleClock::new(active.measure, active.rules.len()),
            panicked: vec![false; active.rules.len()],
            summary_failed: false,
            reported: RefCell::default(),
        }
    }

    /// Runs rule `index` on one node; `span` places the notice if it panics.
    fn run(
        &mut self,
        index: usize,
        in_test: bool,
        span: impl FnOnce() -> crate::source::Span,
        check: impl FnOnce(&dyn Rule, &mut Context<'_>),
    ) {
        if self.panicked[index] {
            return;
        }
        let (rule, level) = self.active.rules[index];
        let mut cx = Context {
            file: self.file,
            level,
            in_test,
            rule: rule.id(),
            findings: &mut self.output.findings,
            facts: &mut self.output.facts,
            summary: &mut self.output.summary,
            reported: &self.reported,
        };
        let started = self.rule_clock.start();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            crate::fault::maybe_panic_in_rule(rule.id());
            check(rule, &mut cx)
        }));
        self.rule_clock.stop(index, started);
        if result.is_err() {
            self.panicked[index] = true;
            self.output.notices.push(Notice::internal_error(self.file, span(), rule.id()));
        }
    }

    /// Runs the summary recorder on one node. If it panics, the file gets an internal-error notice
    /// and no summary: a partial one could miss the check that cuts a flow.
    fn summarise(&mut self, record: impl FnOnce(&SourceFile, &mut crate::flows::Summary)) {
        if self.summary_failed {
            return;
        }
        let file = self.file;
        let summary = &mut self.output.summary;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| record(file, summary)));
        if result.is_err() {
            self.summary_failed = true;
            self.output.summary = crate::flows::Summary::default();
            let span = crate::source::Span::new(0, 0);
            self.output.notices.push(Notice::internal_error(self.file, span, crate::flows::RECORDER));
        }
    }

    fn finish(self) {
        let mut clock = self.clock;
        self.output.timings.rules += clock.split();
        self.output.timings.rules_each = self.rule_clock.finish(self.active.rules.iter().map(|(rule, _)| rule.id()));
    }
}
