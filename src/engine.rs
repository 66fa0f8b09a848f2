//! Runs a scan: files in parallel (read, parse, model, rules), then the project pass (facts
//! withdraw findings they answer), suppressions, and a deterministic order. Also the
//! `--parse-only` diagnostic: the same walk, read and parse with nothing after it.

use crate::cache::{self, Cache, Stamp};
use crate::checker::{self, ActiveRules};
use crate::config::Config;
use crate::diagnostic::{Fact, Finding, Notice, NoticeKind};
use crate::lang::{self, FileOutput, ParseStats, MAX_NESTING};
use crate::source::{is_test_path, Language, SourceFile};
use crate::suppress;
use crate::timings::{Cost, FileTimings, ScanTimings, Stopwatch};
use crate::walk::{self, FileJob};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Stack for worker threads: parsers and visitors recurse on nesting (bounded by [`MAX_NESTING`]).
const WORKER_STACK_SIZE: usize = 64 * 1024 * 1024;

pub struct ScanOptions {
    pub jobs: usize,
    /// The result cache's directory; `None` scans without it.
    pub cache: Option<PathBuf>,
}

#[derive(Default)]
pub struct ScanResult {
    /// Findings in output order, suppressed ones included (marked).
    pub findings: Vec<Finding>,
    pub notices: Vec<Notice>,
    pub files_scanned: usize,
    pub duration: Duration,
    /// Phase and rule costs, when the scan was asked to measure them ([`scan_measured`]).
    pub timings: Option<ScanTimings>,
    /// The result cache could not be written (the scan itself is complete).
    pub cache_error: Option<String>,
    /// The project facts the scanned files establish (not those given from outside).
    pub facts: BTreeSet<Fact>,
    /// The scanned files' summaries for following request data across files (not empty ones),
    /// by path relative to the configuration's root.
    pub summaries: Vec<(String, crate::flows::Summary)>,
    /// Directories below the scanned paths that hold a configuration of their own and were left
    /// out: projects of their own, for the caller to scan with their configuration.
    pub nested_projects: Vec<PathBuf>,
}

/// What the rest of a project tells the scan of one of its files: the facts the other files
/// establish, and their summaries (request data followed from them into this file's sinks).
#[derive(Default)]
pub struct ProjectContext {
    pub facts: BTreeSet<Fact>,
    /// By path relative to the configuration's root.
    pub summaries: Vec<(String, crate::flows::Summary)>,
}

/// What one file tells the rest of its project (see [`context_by_file`]).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FileContext {
    pub facts: Vec<Fact>,
    pub summary: crate::flows::Summary,
}

impl ScanResult {
    pub fn active_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppressed.is_none())
    }

    /// Narrows the report (not the scan) to the findings and notices for which `keep` holds,
    /// given the file's absolute path (`root` joined with the reported path) and the lines
    /// reported (`None` for a notice about a whole file). A finding whose flow crosses files is
    /// kept when `keep` holds for any step in another file too: a change to the handler that
    /// passes request data on is what makes the service's sink a finding. Returns how many
    /// active findings were left out.
    pub fn narrow(&mut self, root: &Path, keep: impl Fn(&Path, Option<(usize, usize)>) -> bool) -> usize {
        let before = self.active_findings().count();
        self.findings.retain(|f| {
            keep(&root.join(&f.path), Some((f.start.line, f.end.line)))
                || f.flow
                    .iter()
                    .any(|step| step.path.as_ref().is_some_and(|path| keep(&root.join(path), Some((step.start.line, step.end.line)))))
        });
        self.notices.retain(|n| keep(&root.join(&n.path), n.start.zip(n.end).map(|(start, end)| (start.line, end.line))));
        before - self.active_findings().count()
    }

    /// Makes the paths of findings, flow steps and notices, relative to `from`, relative to
    /// `to` instead (with `..` where they lie outside it): a nested project's results reported
    /// from the repository root, or human output from the current directory.
    pub fn rebase(&mut self, from: &Path, to: &Path) {
        if from == to {
            return;
        }
        let moved = |path: &str| walk::relative_from(&from.join(path), to);
        for finding in &mut self.findings {
            finding.path = moved(&finding.path);
            for step in finding.related.iter_mut().chain(finding.flow.iter_mut()) {
                if let Some(path) = &mut step.path {
                    *path = moved(path);
                }
            }
        }
        for notice in &mut self.notices {
            notice.path = moved(&notice.path);
        }
    }

    /// Adds another project's result (its paths relative to the same directory as these),
    /// keeping the output order.
    pub fn absorb(&mut self, other: ScanResult) {
        self.findings.extend(other.findings);
        self.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.notices.extend(other.notices);
        self.notices.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.files_scanned += other.files_scanned;
        self.duration += other.duration;
        self.cache_error = self.cache_error.take().or(other.cache_error);
        self.timings = match (self.timings.take(), other.timings) {
            (Some(mut mine), Some(theirs)) => {
                mine.absorb(theirs);
                Some(mine)
            }
            (mine, theirs) => mine.or(theirs),
        };
    }
}

struct FileResult {
    /// The file's path relative to the configuration's root.
    path: String,
    output: FileOutput,
    file: Option<SourceFile>,
    directives: Vec<suppress::Directive>,
    /// What to remember in the result cache, when it is on.
    cached: Option<cache::Outcome>,
    /// The analysis came from the cache.
    reused: bool,
}

/// Told how a scan advances (the command line's progress bar); called from worker threads. It
/// only observes: nothing it does can change the result.
pub trait Progress: Sync {
    /// The walk is over and found `files` files to scan.
    fn files_found(&self, _files: usize) {}
    /// One more file went through the per-file pipeline.
    fn file_done(&self) {}
}

/// No one is watching.
pub struct NoProgress;

impl Progress for NoProgress {}

pub fn scan(config: &Config, paths: &[PathBuf], options: &ScanOptions) -> ScanResult {
    scan_measured(config, paths, options, false)
}

/// [`scan`], and with `measure` also what each phase and rule cost (`--timings`), in
/// [`ScanResult::timings`]. With `measure` off no clock is read.
pub fn scan_measured(config: &Config, paths: &[PathBuf], options: &ScanOptions, measure: bool) -> ScanResult {
    scan_with_progress(config, paths, options, measure, &NoProgress)
}

/// [`scan_measured`], telling `progress` as files finish.
pub fn scan_with_progress(config: &Config, paths: &[PathBuf], options: &ScanOptions, measure: bool, progress: &dyn Progress) -> ScanResult {
    let started = Instant::now();
    let jobs = options.jobs.max(1);
    let mut clock = Stopwatch::process(measure);
    let walk::Walked { files, nested_projects } = walk::walk(paths, config, jobs);
    let walk_cost = clock.split();
    progress.files_found(files.len());
    let pool = thread_pool(jobs);
    let cache = options.cache.clone().filter(|_| !crate::fault::any()).map(|dir| Cache::open(dir, config));

    // A panic is caught and reported where it happened; keep the default hook from printing it.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    clock.split();
    let results: Vec<FileResult> = pool.install(|| {
        files
            .par_iter()
            .map(|job| {
                let result = scan_file(job, config, cache.as_ref(), measure);
                progress.file_done();
                result
            })
            .collect()
    });
    let file_stage = clock.split();
    std::panic::set_hook(default_hook);

    let mut timings = measure.then(|| {
        let mut timings = ScanTimings { jobs, files: files.len(), walk: walk_cost, file_stage, ..ScanTimings::default() };
        for result in &results {
            timings.add_file(&result.output.timings);
        }
        timings.cache = cache.as_ref().map(|_| (results.iter().filter(|r| r.reused).count(), files.len()));
        timings
    });
    clock.split();

    let mut results = results;
    let outcomes: Vec<cache::Outcome> = results.iter_mut().filter_map(|r| r.cached.take()).collect();
    let outside = ProjectContext { facts: crate::manifest::facts(&config.root, &files), summaries: Vec::new() };
    let mut result = project_pass(results, &outside, config);
    if let Some(cache) = cache {
        result.cache_error = cache.save(outcomes, &config.root).err();
    }
    result.files_scanned = files.len();
    result.nested_projects = nested_projects;
    if let Some(timings) = &mut timings {
        timings.project = clock.split();
    }
    result.timings = timings;
    result.duration = started.elapsed();
    result
}

/// Project pass: request data followed across files (`crate::flows`) into the files of the sinks
/// it reaches; facts from any file (or from `outside` the scanned files) answer findings in
/// every file; then suppressions, the output order, and one finding per rule and span.
fn project_pass(mut results: Vec<FileResult>, outside: &ProjectContext, config: &Config) -> ScanResult {
    add_flows_across_files(&mut results, &outside.summaries, config);
    let browser_only = modules_only_browser_code_imports(&results, &outside.summaries, config);
    let own: BTreeSet<Fact> = results.iter().flat_map(|r| r.output.facts.iter().cloned()).collect();
    // Facts answer findings within a service and the packages it is built from (`crate::scopes`).
    let scopes = crate::scopes::Scopes::new(&config.root, results.iter().map(|r| r.path.as_str()));
    let mut facts = crate::scopes::ScopedFacts::new(
        &scopes,
        results.iter().map(|r| (r.path.as_str(), r.output.facts.as_slice())),
        outside.facts.clone(),
    );
    // Files of modules declared for tests only (`#[cfg(test)] mod testutils;` in another file).
    let test_modules: Vec<String> = own
        .iter()
        .chain(&outside.facts)
        .filter_map(|fact| match fact {
            Fact::TestModule(module) => Some(module.clone()),
            _ => None,
        })
        .collect();
    let in_test_module = |path: &str| {
        let stem = path.strip_suffix(".rs").unwrap_or(path);
        test_modules.iter().any(|module| stem == *module || stem.strip_prefix(module).is_some_and(|rest| rest.starts_with('/')))
    };
    let summaries = results
        .iter_mut()
        .filter(|r| !r.output.summary.is_empty())
        .map(|r| (r.path.clone(), std::mem::take(&mut r.output.summary)))
        .collect();
    let mut result = ScanResult { facts: own, summaries, ..ScanResult::default() };
    for FileResult { mut output, file, mut directives, path, .. } in results {
        if path.ends_with(".rs") && in_test_module(&path) {
            output.findings.clear();
        }
        let facts = facts.for_file(&path);
        let holds = |fact: &Fact| facts.contains(fact) || (*fact == Fact::OnlyBrowserCodeImports && browser_only.contains(&path));
        let withdrawn = |f: &Finding| f.withdrawn_by.iter().any(holds) && !f.kept_by.iter().any(holds);
        output.findings.retain(|f| !withdrawn(f) && f.requires.as_ref().is_none_or(holds));
        if let Some(file) = &file {
            output.notices.extend(suppress::apply(file, &mut directives, &mut output.findings));
        }
        result.findings.extend(output.findings);
        result.notices.extend(output.notices);
    }
    result.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    // One finding per rule and span: two routes to the same conclusion are one problem.
    result.findings.dedup_by(|b, a| a.rule == b.rule && a.path == b.path && a.span == b.span);
    result.notices.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    result
}

/// The files, among those with findings that browser code is out of scope for, that only
/// browser code imports (`crate::flows::importers`).
fn modules_only_browser_code_imports(
    results: &[FileResult],
    outside: &[(String, crate::flows::Summary)],
    config: &Config,
) -> std::collections::HashSet<String> {
    let asks = |r: &&FileResult| r.output.findings.iter().any(|f| f.withdrawn_by.contains(&Fact::OnlyBrowserCodeImports));
    let candidates: Vec<&str> = results.iter().filter(asks).map(|r| r.path.as_str()).collect();
    if candidates.is_empty() {
        return Default::default();
    }
    let summaries = project_summaries(results, outside);
    let scanned = results.iter().map(|r| r.path.as_str());
    let importers = crate::flows::importers::Importers::new(&summaries, scanned, &config.root);
    candidates.into_iter().filter(|path| importers.only_browser_code_imports(path)).map(str::to_string).collect()
}

/// The summaries of the scanned files, then those of the project's other files (`outside`, for
/// an editor's buffer) that were not scanned again.
fn project_summaries<'a>(results: &'a [FileResult], outside: &'a [(String, crate::flows::Summary)]) -> Vec<crate::flows::FileSummary<'a>> {
    let scanned: std::collections::HashSet<&str> = results.iter().map(|r| r.path.as_str()).collect();
    let others = outside.iter().filter(|(path, _)| !scanned.contains(path.as_str()));
    results
        .iter()
        .map(|r| crate::flows::FileSummary { path: &r.path, summary: &r.output.summary })
        .chain(others.map(|(path, summary)| crate::flows::FileSummary { path, summary }))
        .collect()
}

/// Adds to each file the findings of request data that reaches its sinks from other functions
/// or files. A finding of the same rule at the same sink (a "non-constant value" warning), or of
/// the audit rule it refines, gives way to it.
fn add_flows_across_files(results: &mut [FileResult], outside: &[(String, crate::flows::Summary)], config: &Config) {
    let summaries = project_summaries(results, outside);
    let found = crate::flows::follow(&summaries, &config.root, config.max_call_depth);
    // Findings answered when the function a value is handed to validates it, per file.
    let answered: Vec<Vec<bool>> = match results.iter().any(|r| r.output.findings.iter().any(|f| !f.answered_by_validating.is_empty())) {
        false => Vec::new(),
        true => {
            let validating = crate::flows::Validating::new(&summaries, &config.root);
            let is_answered =
                |path: &str, f: &Finding| !f.answered_by_validating.is_empty() && validating.any(path, &f.answered_by_validating);
            results.iter().map(|r| r.output.findings.iter().map(|f| is_answered(&r.path, f)).collect()).collect()
        }
    };
    drop(summaries);
    for (result, answered) in results.iter_mut().zip(answered) {
        let mut answered = answered.into_iter();
        result.output.findings.retain(|_| !answered.next().unwrap_or(false));
    }
    for finding in found {
        let Some(result) = results.iter_mut().find(|r| r.path == finding.path) else { continue };
        let refined = crate::rules::refined_by(finding.rule);
        result.output.findings.retain(|f| !(f.span == finding.span && (f.rule == finding.rule || refined.contains(&f.rule))));
        result.output.findings.push(finding);
    }
}

/// The whole per-file pipeline on text in memory, as a scan runs it on a file at `rel_path` (under
/// the configuration's root): the size limit, the nesting check, parse, model, rules,
/// suppressions, and the project pass over this one file. For fuzzing and tests; it runs on a thread with the workers' stack.
pub fn scan_source(config: &Config, rel_path: &str, language: Language, text: &str) -> ScanResult {
    scan_source_in_project(config, rel_path, language, text, &ProjectContext::default())
}

/// [`scan_source`] for one file of a project whose other files establish `project`'s facts and
/// summaries (from [`context_by_file`]): the file's findings are what a scan of the whole project
/// reports for it, request data from other files reaching its sinks included. For editors, which
/// scan the buffer being edited.
pub fn scan_source_in_project(config: &Config, rel_path: &str, language: Language, text: &str, project: &ProjectContext) -> ScanResult {
    let started = Instant::now();
    let path = config.root.join(rel_path);
    let result = std::thread::scope(|scope| {
        let worker = std::thread::Builder::new().stack_size(WORKER_STACK_SIZE).spawn_scoped(scope, || {
            let text = text.strip_prefix('\u{feff}').unwrap_or(text).to_string();
            let checked = match text.len() as u64 {
                size if size > config.max_file_size => Err(over_limit(size, config.max_file_size)),
                _ => check_nesting(&text),
            };
            let file_result = match checked {
                Err(message) => skipped(rel_path.to_string(), message, Cost::default()),
                Ok(()) => {
                    let mut file = SourceFile::new(rel_path.to_string(), path.clone(), language, text, is_test_path(rel_path));
                    file.is_tooling = crate::roles::is_tooling_path(rel_path) || crate::roles::is_tooling_package(&path, &config.root);
                    file.serves_requests = language != Language::Rust || crate::roles::rust_serves_requests(&path, &config.root);
                    file.in_browser_app = language != Language::Rust && crate::roles::is_browser_package(&path, &config.root);
                    if language != Language::Rust {
                        file.workspace_packages = crate::roles::workspace_dependencies(&path, &config.root);
                    }
                    analyze_file(file, config, false, Cost::default())
                }
            };
            project_pass(vec![file_result], project, config)
        });
        worker.expect("a thread starts").join()
    });
    // A panic outside the rules' `catch_unwind` is a bug for the caller (a fuzzer) to see.
    let mut result = result.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    result.files_scanned = 1;
    result.duration = started.elapsed();
    result
}

/// What each file under `paths` tells the rest of the project (its facts and its summary), by
/// path relative to the configuration's root (files that tell nothing are left out): the full
/// scan's file stage, keeping only that.
pub fn context_by_file(config: &Config, paths: &[PathBuf], options: &ScanOptions) -> Vec<(String, FileContext)> {
    let files = walk::collect(paths, config, options.jobs.max(1));
    let pool = thread_pool(options.jobs.max(1));
    let cache = options.cache.clone().filter(|_| !crate::fault::any()).map(|dir| Cache::open(dir, config));
    let results: Vec<(FileContext, Option<cache::Outcome>)> = pool.install(|| {
        files
            .par_iter()
            .map(|job| {
                let mut result = scan_file(job, config, cache.as_ref(), false);
                let context =
                    FileContext { facts: std::mem::take(&mut result.output.facts), summary: std::mem::take(&mut result.output.summary) };
                (context, result.cached.take())
            })
            .collect()
    });
    let mut by_file = Vec::new();
    let mut outcomes = Vec::new();
    for (job, (context, outcome)) in files.iter().zip(results) {
        outcomes.extend(outcome);
        if !context.facts.is_empty() || !context.summary.is_empty() {
            by_file.push((walk::relative_to(&job.path, &config.root), context));
        }
    }
    if let Some(cache) = cache {
        // A cache that cannot be written only makes the next scan slower.
        let _ = cache.save(outcomes, &config.root);
    }
    let manifest_facts = crate::manifest::facts(&config.root, &files);
    if !manifest_facts.is_empty() {
        by_file.push(("package.json".to_string(), FileContext { facts: manifest_facts.into_iter().collect(), ..FileContext::default() }));
    }
    by_file
}

/// What `--parse-only` found.
#[derive(Debug, Default)]
pub struct ParseOnlyResult {
    /// Files the walk found.
    pub files: usize,
    /// Files read and parsed (the others were skipped: too large, binary, not UTF-8, too deep).
    pub parsed: usize,
    pub skipped: usize,
    /// Parsed files with syntax errors.
    pub with_errors: usize,
    /// Bytes of the files parsed.
    pub bytes: u64,
    /// Nodes the traversals visited.
    pub nodes: u64,
    pub duration: Duration,
    pub timings: Option<ScanTimings>,
}

/// `--parse-only`, a diagnostic: the scan's walk, read and parse (with one traversal of each
/// tree), and no model, rules, suppressions or project pass. The floor a full scan is measured
/// against.
pub fn parse_only(config: &Config, paths: &[PathBuf], options: &ScanOptions, measure: bool) -> ParseOnlyResult {
    let started = Instant::now();
    let jobs = options.jobs.max(1);
    let mut clock = Stopwatch::process(measure);
    let files = walk::collect(paths, config, jobs);
    let walk_cost = clock.split();
    let pool = thread_pool(jobs);
    clock.split();
    let results: Vec<(Option<ParseStats>, FileTimings)> = pool.install(|| {
        files
            .par_iter()
            .map(|job| {
                let mut clock = Stopwatch::thread(measure);
                let prepared = prepare(job, config, walk::relative_to(&job.path, &config.root));
                let mut timings = FileTimings { read: clock.split(), ..FileTimings::default() };
                let Ok(file) = prepared else { return (None, timings) };
                let stats = lang::parse_only(&file);
                timings.parse = clock.split();
                timings.bytes = file.text.len() as u64;
                (Some(stats), timings)
            })
            .collect()
    });
    let file_stage = clock.split();

    let mut result = ParseOnlyResult { files: files.len(), ..ParseOnlyResult::default() };
    let mut timings = ScanTimings { jobs, files: files.len(), parse_only: true, walk: walk_cost, file_stage, ..ScanTimings::default() };
    for (stats, file_timings) in &results {
        match stats {
            // Nested too deeply, or out of parse time: skipped, as the full scan skips it.
            None | Some(ParseStats { skipped: true, .. }) => result.skipped += 1,
            Some(stats) => {
                result.parsed += 1;
                result.with_errors += usize::from(stats.has_errors || !stats.parsed);
                result.nodes += stats.nodes;
            }
        }
        timings.add_file(file_timings);
    }
    result.bytes = timings.bytes;
    result.timings = measure.then_some(timings);
    result.duration = started.elapsed();
    result
}

fn thread_pool(jobs: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(jobs).stack_size(WORKER_STACK_SIZE).build().expect("thread pool starts")
}

/// Reads, decodes and indexes a file, or says why it is skipped.
fn prepare(job: &FileJob, config: &Config, rel_path: String) -> Result<SourceFile, String> {
    let text = read_source(job, config.max_file_size)?;
    check_nesting(&text)?;
    let mut file = SourceFile::new(rel_path, job.path.clone(), job.language, text, is_test_path(&job.scan_relative));
    file.is_tooling = job.is_tooling();
    file.serves_requests = job.serves_requests();
    file.in_browser_app = job.in_browser_app();
    file.workspace_packages = job.workspace_packages();
    Ok(file)
}

/// Bracket nesting past [`MAX_NESTING`] is refused before parsing.
fn check_nesting(text: &str) -> Result<(), String> {
    let depth = lang::nesting_depth(text);
    if depth > MAX_NESTING {
        return Err(format!("nesting depth {depth} exceeds {MAX_NESTING}; not analysed"));
    }
    Ok(())
}

fn skipped(rel_path: String, message: String, read: Cost) -> FileResult {
    let notices = vec![Notice::file(NoticeKind::FileSkipped, rel_path, message)];
    let rel_path_of = |notices: &[Notice]| notices[0].path.clone();
    let timings = FileTimings { read, ..FileTimings::default() };
    FileResult {
        path: rel_path_of(&notices),
        output: FileOutput { notices, timings, ..FileOutput::default() },
        file: None,
        directives: Vec::new(),
        cached: None,
        reused: false,
    }
}

fn scan_file(job: &FileJob, config: &Config, cache: Option<&Cache>, measure: bool) -> FileResult {
    let mut clock = Stopwatch::thread(measure);
    let rel_path = walk::relative_to(&job.path, &config.root);
    let Some(cache) = cache else {
        let prepared = prepare(job, config, rel_path.clone());
        let read = clock.split();
        return match prepared {
            Ok(file) => analyze_file(file, config, measure, read),
            Err(message) => skipped(rel_path, message, read),
        };
    };

    // An unchanged file is not even read.
    let levels = config.levels_for(&job.path);
    let roles = cache::Roles {
        tooling: job.is_tooling(),
        serves_requests: job.serves_requests(),
        browser_app: job.in_browser_app(),
        workspace: cache::workspace_key(&job.workspace_packages()),
    };
    let context = cache::context_hash(job.language, is_test_path(&job.scan_relative), roles, &levels);
    let stamp = Stamp::of(&job.path);
    if let Some(output) = cache.reuse_unread(&rel_path, stamp, &context) {
        let cached = Some(cache.reused(rel_path.clone(), stamp, context, None, None));
        return FileResult { path: rel_path, output, file: None, directives: Vec::new(), cached, reused: true };
    }
    let prepared = prepare(job, config, rel_path.clone());
    let read = clock.split();
    let file = match prepared {
        Ok(file) => file,
        Err(message) => return skipped(rel_path, message, read),
    };
    let content = cache::content_hash(&file.text);
    if let Some(output) = cache.reuse_read(&rel_path, &content, &context) {
        let cached = Some(cache.reused(rel_path, stamp, context, Some(content), Some(&file.text)));
        return FileResult { cached, reused: true, ..with_suppressions(file, output, config, measure, read) };
    }
    let output = run_rules(&file, config, measure);
    let cached = cache.analysed(rel_path, stamp, context, &file.text, &output);
    FileResult { cached, ..with_suppressions(file, output, config, measure, read) }
}

/// Parse, model, rules and the file's suppression comments.
fn analyze_file(file: SourceFile, config: &Config, measure: bool, read: Cost) -> FileResult {
    let output = run_rules(&file, config, measure);
    with_suppressions(file, output, config, measure, read)
}

/// Parse, model and the rules in force for the file.
fn run_rules(file: &SourceFile, config: &Config, measure: bool) -> FileOutput {
    let levels = config.levels_for(&file.abs_path);
    let family = file.language.family();
    let rules = config
        .rules
        .iter()
        .zip(levels)
        .filter_map(|(rule, level)| Some((rule.check.as_ref(), level?)).filter(|_| rule.meta.supports(family)))
        .collect();
    checker::analyze(file, &ActiveRules { rules, measure, knowledge: config.knowledge() })
}

/// The file's suppression comments, read for the project pass to apply.
fn with_suppressions(file: SourceFile, mut output: FileOutput, config: &Config, measure: bool, read: Cost) -> FileResult {
    let mut clock = Stopwatch::thread(measure);
    let path = file.rel_path.clone();
    let done = |output: FileOutput, file: Option<SourceFile>, directives| FileResult {
        path: path.clone(),
        output,
        file,
        directives,
        cached: None,
        reused: false,
    };
    if output.notices.iter().any(|n| n.kind == NoticeKind::FileSkipped) {
        // The front-end refused the file (nested too deeply): it was not analysed, so neither are
        // its suppression comments.
        output.timings.read = read;
        return done(output, None, Vec::new());
    }
    let is_rule = |id: &str| crate::rules::entry(id).is_some();
    let (directives, notices) = suppress::parse(&file, &is_rule, config.require_suppression_reason);
    output.notices.extend(notices);
    if measure {
        output.timings.read = read;
        output.timings.suppressions = clock.split();
        output.timings.bytes = file.text.len() as u64;
    }
    done(output, Some(file), directives)
}

fn over_limit(size: u64, max_size: u64) -> String {
    format!("{size} bytes is over the {max_size}-byte limit (`max-file-size`)")
}

/// Reads a file as text, or says why it was skipped. Never holds more than `max_size` + 1 bytes,
/// and recognises a binary file from its first 8 KiB without reading the rest.
fn read_source(job: &FileJob, max_size: u64) -> Result<String, String> {
    use std::io::Read;
    crate::fault::maybe_vanish(&job.path);
    let cannot_read = |e: std::io::Error| format!("cannot read: {e}");
    let over = |size: u64| over_limit(size, max_size);
    let mut file = std::fs::File::open(&job.path).map_err(cannot_read)?;
    let size = file.metadata().map_err(cannot_read)?.len();
    if size > max_size {
        return Err(over(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.by_ref().take(8192).read_to_end(&mut bytes).map_err(cannot_read)?;
    if bytes.contains(&0) {
        return Err("binary content".into());
    }
    // The file may have grown since its size was read.
    file.take(max_size + 1 - bytes.len() as u64).read_to_end(&mut bytes).map_err(cannot_read)?;
    if bytes.len() as u64 > max_size {
        return Err(over(bytes.len() as u64));
    }
    let mut text = String::from_utf8(bytes).map_err(|e| format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()))?;
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CliOverrides;

    #[test]
    fn one_file_is_scanned_against_the_facts_of_the_others() {
        let config = Config::from_file(Default::default(), None, PathBuf::from("/repo"), &CliOverrides::default()).unwrap();
        let call = "import axios from 'axios';\nexport const get = () => axios.get('https://api.acme-corp.io/x');\n";
        let alone = scan_source(&config, "src/api.ts", Language::TypeScript, call);
        assert_eq!(alone.active_findings().map(|f| f.rule).collect::<Vec<_>>(), ["http-client-without-timeout"]);
        assert!(alone.facts.is_empty());

        let project = ProjectContext {
            facts: BTreeSet::from([Fact::ClientDefaultTimeout("axios.defaults.timeout".into())]),
            ..ProjectContext::default()
        };
        let in_project = scan_source_in_project(&config, "src/api.ts", Language::TypeScript, call, &project);
        assert_eq!(in_project.active_findings().count(), 0, "withdrawn by a fact from another file");
        assert!(in_project.facts.is_empty(), "facts given from outside are not the file's own");

        let defaults =
            scan_source(&config, "src/http.ts", Language::TypeScript, "import axios from 'axios';\naxios.defaults.timeout = 5000;\n");
        assert_eq!(defaults.facts, project.facts);
    }

    #[test]
    fn one_file_is_scanned_against_the_summaries_of_the_others() {
        let config = Config::from_file(Default::default(), None, PathBuf::from("/repo"), &CliOverrides::default()).unwrap();
        let service = "import { pool } from './db';\nexport function byOwner(owner: string) {\n  return pool.query(`SELECT * FROM t WHERE o = '${owner}'`);\n}\n";
        let routes = "import { byOwner } from './service';\nexport function list(req, res) { res.json(byOwner(req.query.owner)); }\n";
        let alone = scan_source(&config, "src/service.ts", Language::TypeScript, service);
        assert_eq!(alone.active_findings().count(), 0, "a parameter reaching SQL is not a finding by itself");
        let routes = scan_source(&config, "src/routes.ts", Language::TypeScript, routes);
        assert_eq!(routes.summaries.len(), 1, "the call passing request data on");
        let project = ProjectContext { summaries: routes.summaries.clone(), ..ProjectContext::default() };
        let in_project = scan_source_in_project(&config, "src/service.ts", Language::TypeScript, service, &project);
        let found: Vec<(&str, usize)> = in_project.active_findings().map(|f| (f.rule, f.start.line)).collect();
        assert_eq!(found, [("sql-injection", 3)], "request data from the router's summary");
        assert_eq!(in_project.summaries.len(), 1, "the service's own summary, not the router's");
        assert_eq!(in_project.summaries[0].0, "src/service.ts");
    }
}
