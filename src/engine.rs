//! Runs a scan: files in parallel (read, parse, model, rules), then the project pass (facts
//! withdraw findings they answer), suppressions, and a deterministic order.

use crate::config::Config;
use crate::diagnostic::{Fact, Finding, Notice, NoticeKind};
use crate::lang::{self, ActiveRules, FileOutput, MAX_NESTING};
use crate::source::{is_test_path, SourceFile};
use crate::suppress;
use crate::walk::{self, FileJob};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Stack for worker threads: parsers and visitors recurse on nesting (bounded by [`MAX_NESTING`]).
const WORKER_STACK_SIZE: usize = 64 * 1024 * 1024;

pub struct ScanOptions {
    pub jobs: usize,
}

#[derive(Default)]
pub struct ScanResult {
    /// Findings in output order, suppressed ones included (marked).
    pub findings: Vec<Finding>,
    pub notices: Vec<Notice>,
    pub files_scanned: usize,
    pub duration: Duration,
}

impl ScanResult {
    pub fn active_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppressed.is_none())
    }
}

struct FileResult {
    output: FileOutput,
    file: Option<SourceFile>,
    directives: Vec<suppress::Directive>,
}

pub fn scan(config: &Config, paths: &[PathBuf], options: &ScanOptions) -> ScanResult {
    let started = Instant::now();
    let jobs = options.jobs.max(1);
    let files = walk::collect(paths, config, jobs);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).stack_size(WORKER_STACK_SIZE).build().expect("thread pool starts");

    // A panic is caught and reported where it happened; keep the default hook from printing it.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let results: Vec<FileResult> = pool.install(|| files.par_iter().map(|job| scan_file(job, config)).collect());
    std::panic::set_hook(default_hook);

    // Project pass: facts from any file answer findings in every file.
    let facts: BTreeSet<Fact> = results.iter().flat_map(|r| r.output.facts.iter().cloned()).collect();
    let mut result = ScanResult { files_scanned: files.len(), ..ScanResult::default() };
    for FileResult { mut output, file, mut directives } in results {
        output.findings.retain(|f| {
            f.withdrawn_by.as_ref().is_none_or(|fact| !facts.contains(fact)) && f.requires.as_ref().is_none_or(|fact| facts.contains(fact))
        });
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
    result.duration = started.elapsed();
    result
}

fn scan_file(job: &FileJob, config: &Config) -> FileResult {
    let rel_path = walk::relative_to(&job.path, &config.root);
    let skipped = |message: String| FileResult {
        output: FileOutput { notices: vec![Notice::file(NoticeKind::FileSkipped, rel_path.clone(), message)], ..FileOutput::default() },
        file: None,
        directives: Vec::new(),
    };
    let text = match read_source(job, config.max_file_size) {
        Ok(text) => text,
        Err(message) => return skipped(message),
    };
    let depth = lang::nesting_depth(&text);
    if depth > MAX_NESTING {
        return skipped(format!("nesting depth {depth} exceeds {MAX_NESTING}; not analysed"));
    }
    let file = SourceFile::new(rel_path, job.path.clone(), job.language, text, is_test_path(&job.scan_relative));

    let levels = config.levels_for(&job.path);
    let family = job.language.family();
    let rules = config
        .rules
        .iter()
        .zip(levels)
        .filter_map(|(rule, level)| Some((rule.check.as_ref(), level?)).filter(|_| rule.meta.supports(family)))
        .collect();
    let mut output = lang::analyze(&file, &ActiveRules { rules });

    let is_rule = |id: &str| crate::rules::entry(id).is_some();
    let (directives, notices) = suppress::parse(&file, &is_rule, config.require_suppression_reason);
    output.notices.extend(notices);
    FileResult { output, file: Some(file), directives }
}

/// Reads a file as text, or says why it was skipped.
fn read_source(job: &FileJob, max_size: u64) -> Result<String, String> {
    let metadata = std::fs::metadata(&job.path).map_err(|e| format!("cannot read: {e}"))?;
    if metadata.len() > max_size {
        return Err(format!("{} bytes is over the {max_size}-byte limit (`max-file-size`)", metadata.len()));
    }
    let bytes = std::fs::read(&job.path).map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > max_size {
        return Err(format!("{} bytes is over the {max_size}-byte limit (`max-file-size`)", bytes.len()));
    }
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err("binary content".into());
    }
    let mut text = String::from_utf8(bytes).map_err(|e| format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()))?;
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    Ok(text)
}
