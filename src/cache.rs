//! The result cache, `.archlint_cache/` under the project root: what the per-file pass found in
//! each file (findings, notices, project facts), so that an unchanged file is not parsed again.
//!
//! One JSON file per scan key: the archlint build, the configuration and the command-line rule
//! selection. Within it, one entry per file, keyed by its path and checked against:
//!
//! - a *context* hash: language, whether it is test code, the rule levels in force for it;
//! - the *content* hash (SHA-256 of the text);
//! - a *stamp* (length and modification time) that lets an unchanged file be reused without
//!   reading it, as Ruff's cache does. A stamp is only recorded when the file's modification
//!   time is safely in the past, so an edit in the same clock tick as the scan that read it
//!   (coarse file-system clocks) cannot go unnoticed: such a file is read and hashed next time.
//!
//! The project pass and suppression comments run on every scan, over cached and fresh results
//! alike, so project facts and suppressions are always current. A file with suppression comments
//! is read on every scan (the comments are matched against its findings with the file at hand).
//! Results with an internal error or a skipped file are never cached. Any problem with the cache
//! (unreadable, corrupt, unwritable) makes a scan that does not use it, never a failed scan.

use crate::config::Config;
use crate::diagnostic::{Fact, Finding, Level, Notice, NoticeKind, Related};
use crate::lang::FileOutput;
use crate::source::{Language, Position, Span};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The cache directory's default name, under the project root.
pub const DIR_NAME: &str = ".archlint_cache";

/// Bumped when the entry format changes.
const FORMAT: u32 = 4;

/// Cache files of other scan keys (other configurations, older builds) kept besides the current one.
const KEEP_OTHER_KEYS: usize = 7;

/// A modification time this close to the scan's start is not trusted as a stamp.
const RACY_WINDOW: Duration = Duration::from_secs(2);

/// The cache as a scan uses it: last run's entries (read-only while files are analysed) and where
/// to write this run's.
pub struct Cache {
    dir: PathBuf,
    file: PathBuf,
    previous: BTreeMap<String, Entry>,
    started: SystemTime,
}

/// What a scan did with one file, for [`Cache::save`].
pub struct Outcome {
    rel_path: String,
    stamp: Option<Stamp>,
    context: String,
    content: String,
    has_directives: bool,
    /// `None`: last run's analysis was reused.
    analysis: Option<Analysis>,
}

/// Length and modification time (nanoseconds since the epoch) of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp(u64, u128);

impl Stamp {
    pub fn of(path: &Path) -> Option<Stamp> {
        let metadata = std::fs::metadata(path).ok()?;
        let modified = metadata.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        Some(Stamp(metadata.len(), modified.as_nanos()))
    }
}

#[derive(Serialize, Deserialize)]
struct CacheFile {
    format: u32,
    entries: BTreeMap<String, Entry>,
}

#[derive(Clone, Serialize, Deserialize)]
struct Entry {
    stamp: Option<Stamp>,
    context: String,
    content: String,
    has_directives: bool,
    analysis: Analysis,
}

/// The per-file pass's output, before the project pass and suppressions.
#[derive(Clone, Serialize, Deserialize)]
struct Analysis {
    findings: Vec<CachedFinding>,
    notices: Vec<CachedNotice>,
    facts: Vec<Fact>,
    summary: crate::flows::Summary,
}

#[derive(Clone, Serialize, Deserialize)]
struct CachedFinding {
    rule: String,
    level: Level,
    path: String,
    start: Position,
    end: Position,
    span: (usize, usize),
    message: String,
    help: Option<String>,
    related: Vec<Related>,
    flow: Vec<Related>,
    snippet: String,
    withdrawn_by: Vec<Fact>,
    #[serde(default)]
    kept_by: Vec<Fact>,
    answered_by_validating: Vec<(crate::taint::Callee, usize)>,
    requires: Option<Fact>,
    #[serde(default)]
    fix: Option<crate::diagnostic::Fix>,
}

#[derive(Clone, Serialize, Deserialize)]
struct CachedNotice {
    kind: NoticeKind,
    path: String,
    start: Option<Position>,
    end: Option<Position>,
    message: String,
}

/// Whether a file's text has suppression comments (then it is read on every scan).
pub fn has_directives(text: &str) -> bool {
    text.contains("archlint-ignore")
}

/// SHA-256 of a file's text, in hex.
pub fn content_hash(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// Everything besides the text that decides what the per-file pass finds in a file.
/// What the file's place in the project says about it (`crate::roles`): part of its cache context.
#[derive(Debug, Clone, Copy)]
pub struct Roles {
    pub tooling: bool,
    pub serves_requests: bool,
    pub browser_app: bool,
    /// [`workspace_key`] of the workspace packages the file's package depends on: which of its
    /// calls the summary records depends on them.
    pub workspace: u64,
}

/// A stable key for a list of workspace package names.
pub fn workspace_key(packages: &[String]) -> u64 {
    packages.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, name| {
        name.bytes().chain(std::iter::once(0)).fold(hash, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
    })
}

pub fn context_hash(language: Language, is_test: bool, roles: Roles, levels: &[Option<Level>]) -> String {
    let Roles { tooling: is_tooling, serves_requests, browser_app, workspace } = roles;
    let mut hasher = Sha256::new();
    hasher.update(format!("{language:?}|{is_test}|{is_tooling}|{serves_requests}|{browser_app}|{workspace}|{levels:?}"));
    hex(&hasher.finalize()[..16])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Cache {
    /// Opens the cache in `dir` for a scan under `config`. A missing, unreadable or corrupt cache
    /// file is an empty cache.
    pub fn open(dir: PathBuf, config: &Config) -> Cache {
        let file = dir.join(format!("scan-{}.json", scan_key(config)));
        let previous = std::fs::read(&file)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<CacheFile>(&bytes).ok())
            .filter(|cache| cache.format == FORMAT)
            .map(|cache| cache.entries)
            .unwrap_or_default();
        Cache { dir, file, previous, started: SystemTime::now() }
    }

    /// The default directory: `.archlint_cache` under the project root.
    pub fn default_dir(config: &Config) -> PathBuf {
        config.root.join(DIR_NAME)
    }

    /// Last run's output for a file whose stamp has not changed, without reading it; `None` when
    /// the file has to be read (changed, new, or with suppression comments).
    pub fn reuse_unread(&self, rel_path: &str, stamp: Option<Stamp>, context: &str) -> Option<FileOutput> {
        let entry = self.previous.get(rel_path)?;
        if stamp.is_none() || entry.stamp != stamp || entry.context != context || entry.has_directives {
            return None;
        }
        entry.analysis.to_output()
    }

    /// Last run's output for a file with this text (by its hash).
    pub fn reuse_read(&self, rel_path: &str, content: &str, context: &str) -> Option<FileOutput> {
        let entry = self.previous.get(rel_path)?;
        if entry.content != content || entry.context != context {
            return None;
        }
        entry.analysis.to_output()
    }

    /// What to remember about a file whose analysis was reused.
    pub fn reused(&self, rel_path: String, stamp: Option<Stamp>, context: String, content: Option<String>, text: Option<&str>) -> Outcome {
        let previous = self.previous.get(&rel_path);
        Outcome {
            stamp: self.trusted(stamp),
            content: content.or_else(|| previous.map(|e| e.content.clone())).unwrap_or_default(),
            has_directives: text.map_or_else(|| previous.is_some_and(|e| e.has_directives), has_directives),
            rel_path,
            context,
            analysis: None,
        }
    }

    /// What to remember about a file analysed in this scan; `None` when its output must not be
    /// cached (an internal error, or the file was skipped).
    pub fn analysed(&self, rel_path: String, stamp: Option<Stamp>, context: String, text: &str, output: &FileOutput) -> Option<Outcome> {
        let uncacheable = |n: &Notice| matches!(n.kind, NoticeKind::InternalError | NoticeKind::FileSkipped);
        if output.notices.iter().any(uncacheable) {
            return None;
        }
        Some(Outcome {
            rel_path,
            stamp: self.trusted(stamp),
            context,
            content: content_hash(text),
            has_directives: has_directives(text),
            analysis: Some(Analysis::of(output)),
        })
    }

    /// A stamp is trusted only if the file was last modified well before this scan started.
    fn trusted(&self, stamp: Option<Stamp>) -> Option<Stamp> {
        let cutoff = self.started.checked_sub(RACY_WINDOW)?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
        stamp.filter(|Stamp(_, modified)| *modified < cutoff)
    }

    /// Writes this scan's entries (and last run's entries for files this scan did not visit but
    /// that still exist), atomically. Writes nothing when nothing changed.
    pub fn save(mut self, outcomes: Vec<Outcome>, root: &Path) -> Result<(), String> {
        let mut entries = BTreeMap::new();
        let mut changed = false;
        for outcome in outcomes {
            let previous = self.previous.remove(&outcome.rel_path);
            let entry = match (outcome.analysis, previous) {
                (Some(analysis), _) => {
                    changed = true;
                    Entry {
                        stamp: outcome.stamp,
                        context: outcome.context,
                        content: outcome.content,
                        has_directives: outcome.has_directives,
                        analysis,
                    }
                }
                (None, Some(previous)) => {
                    changed |= previous.stamp != outcome.stamp || previous.has_directives != outcome.has_directives;
                    Entry { stamp: outcome.stamp, has_directives: outcome.has_directives, ..previous }
                }
                (None, None) => continue,
            };
            entries.insert(outcome.rel_path, entry);
        }
        // Files this scan did not visit (another path was scanned) keep their entries while they exist.
        for (rel_path, entry) in std::mem::take(&mut self.previous) {
            if root.join(&rel_path).is_file() {
                entries.insert(rel_path, entry);
            } else {
                changed = true;
            }
        }
        if !changed {
            return Ok(());
        }
        self.write(&CacheFile { format: FORMAT, entries })
    }

    fn write(&self, cache: &CacheFile) -> Result<(), String> {
        let failed = |e: std::io::Error| format!("cannot write the cache in {}: {e}", self.dir.display());
        std::fs::create_dir_all(&self.dir).map_err(failed)?;
        // Keep the cache out of version control and of backups, as Cargo and pytest do.
        let gitignore = self.dir.join(".gitignore");
        if !gitignore.exists() {
            std::fs::write(&gitignore, "# Created by archlint.\n*\n").map_err(failed)?;
            std::fs::write(
                self.dir.join("CACHEDIR.TAG"),
                "Signature: 8a477f597d28d172789f06886806bc55\n# This directory is archlint's result cache (https://bford.info/cachedir/).\n",
            )
            .map_err(failed)?;
        }
        let bytes = serde_json::to_vec(cache).map_err(|e| format!("cannot encode the cache: {e}"))?;
        let temporary = self.file.with_extension(format!("json.{}.tmp", std::process::id()));
        std::fs::write(&temporary, bytes).map_err(failed)?;
        std::fs::rename(&temporary, &self.file).map_err(|e| {
            let _ = std::fs::remove_file(&temporary);
            failed(e)
        })?;
        self.prune();
        Ok(())
    }

    /// Removes the cache files of all but the most recently used other scan keys.
    fn prune(&self) {
        let Ok(listing) = std::fs::read_dir(&self.dir) else { return };
        let mut others: Vec<(SystemTime, PathBuf)> = listing
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| *path != self.file)
            .filter(|path| path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("scan-")))
            .filter_map(|path| Some((std::fs::metadata(&path).ok()?.modified().ok()?, path)))
            .collect();
        others.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
        for (_, path) in others.into_iter().skip(KEEP_OTHER_KEYS) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// What makes results of one scan valid for another: the archlint build (version, and the
/// executable's size and time, so that a rebuilt development binary starts afresh), and the
/// configuration with its command-line overrides.
fn scan_key(config: &Config) -> String {
    let build = std::env::current_exe().ok().and_then(|exe| Stamp::of(&exe));
    let mut hasher = Sha256::new();
    hasher.update(format!("{FORMAT}|{}|{build:?}|{}", env!("CARGO_PKG_VERSION"), config.fingerprint));
    hex(&hasher.finalize()[..16])
}

impl Analysis {
    fn of(output: &FileOutput) -> Analysis {
        let finding = |f: &Finding| CachedFinding {
            rule: f.rule.to_string(),
            level: f.level,
            path: f.path.clone(),
            start: f.start,
            end: f.end,
            span: (f.span.start, f.span.end),
            message: f.message.clone(),
            help: f.help.clone(),
            related: f.related.clone(),
            flow: f.flow.clone(),
            snippet: f.snippet.clone(),
            withdrawn_by: f.withdrawn_by.clone(),
            kept_by: f.kept_by.clone(),
            answered_by_validating: f.answered_by_validating.clone(),
            requires: f.requires.clone(),
            fix: f.fix.clone(),
        };
        let notice =
            |n: &Notice| CachedNotice { kind: n.kind, path: n.path.clone(), start: n.start, end: n.end, message: n.message.clone() };
        Analysis {
            findings: output.findings.iter().map(finding).collect(),
            notices: output.notices.iter().map(notice).collect(),
            facts: output.facts.clone(),
            summary: output.summary.clone(),
        }
    }

    /// The output again; `None` if a rule it names no longer exists.
    fn to_output(&self) -> Option<FileOutput> {
        let mut findings = Vec::with_capacity(self.findings.len());
        for f in &self.findings {
            findings.push(Finding {
                rule: crate::rules::entry(&f.rule)?.id,
                level: f.level,
                path: f.path.clone(),
                start: f.start,
                end: f.end,
                span: Span::new(f.span.0, f.span.1),
                message: f.message.clone(),
                help: f.help.clone(),
                related: f.related.clone(),
                flow: f.flow.clone(),
                snippet: f.snippet.clone(),
                withdrawn_by: f.withdrawn_by.clone(),
                kept_by: f.kept_by.clone(),
                answered_by_validating: f.answered_by_validating.clone(),
                requires: f.requires.clone(),
                suppressed: None,
                fix: f.fix.clone(),
            });
        }
        let notices = self
            .notices
            .iter()
            // Internal errors, the only notices with a rule, are never cached.
            .map(|n| Notice { kind: n.kind, path: n.path.clone(), start: n.start, end: n.end, message: n.message.clone(), rule: None })
            .collect();
        Some(FileOutput { findings, notices, facts: self.facts.clone(), summary: self.summary.clone(), ..FileOutput::default() })
    }
}
