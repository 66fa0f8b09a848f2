//! Scanning an open buffer as a scan of its project would scan the file, and turning its findings
//! into LSP diagnostics.
//!
//! Each buffer is scanned alone, with the configuration `archlint FILE` would find (cached, and
//! reloaded when the file changes on disk), against the project facts that the project's other
//! files establish (a global `ValidationPipe`, `axios.defaults.timeout`, a struct deriving
//! `Validate`). Those are collected once per project by a scan in the background; until it is in,
//! a buffer is scanned as if it were the project's only file. Buffers then keep their own file's
//! facts up to date as they are edited.

use super::Event;
use crate::config::{self, CliOverrides, Config};
use crate::diagnostic::{Fact, Finding, Level, NoticeKind, Related};
use crate::engine::{self, ScanOptions};
use crate::rules::meta;
use crate::source::{self, Language};
use crate::walk;
use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location, NumberOrString, Position,
    Range, TextEdit, Uri,
};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::mpsc::Sender;
use std::time::SystemTime;

/// What every archlint diagnostic carries as `source`; code actions act on these only.
pub const SOURCE: &str = "archlint";

/// A project: its configuration file (if any) and its root.
type ProjectKey = (Option<PathBuf>, PathBuf);

/// The configurations in force, one per configuration file (or per root where there is none),
/// with the facts of each project's files.
pub struct Projects {
    /// The folders the client opened: the root for files under none of a config file and a
    /// repository.
    pub workspace_roots: Vec<PathBuf>,
    /// Where background scans send the facts they collected (none: facts are not collected).
    events: Option<Sender<Event>>,
    loaded: HashMap<ProjectKey, Project>,
    /// Counts configurations loaded, so that facts collected for a replaced one are dropped.
    generation: u64,
}

struct Project {
    /// The configuration file's modification time and size when it was read.
    stamp: Option<(SystemTime, u64)>,
    config: Config,
    generation: u64,
    /// The facts each file establishes, by path relative to the root: from the background scan,
    /// then from buffers as they are scanned.
    facts: HashMap<String, BTreeSet<Fact>>,
    /// Each file's summary for following request data across files, kept the same way.
    summaries: HashMap<String, crate::flows::Summary>,
}

/// The facts a background scan of a project found.
pub struct CollectedFacts {
    key: ProjectKey,
    generation: u64,
    contexts: Vec<(String, engine::FileContext)>,
    root: PathBuf,
    took: std::time::Duration,
}

/// One buffer's diagnostics.
pub struct Scan {
    /// `None` for a Rust buffer that does not parse: it was not analysed, so what was published
    /// for it last (and the facts its file established) still stand until it parses again.
    pub diagnostics: Option<Vec<Diagnostic>>,
    /// The buffer changed the facts its file establishes, or the request data it passes to other
    /// files: other buffers' findings may change.
    pub facts_changed: bool,
}

impl Projects {
    pub fn new(events: Option<Sender<Event>>) -> Projects {
        Projects { workspace_roots: Vec::new(), events, loaded: HashMap::new(), generation: 0 }
    }

    /// The diagnostics for a buffer at `path`, or the configuration error that prevents a scan.
    pub fn diagnose(&mut self, uri: &Uri, path: &Path, language: Language, text: &str) -> Result<Scan, String> {
        let path = canonical(path);
        let project = self.project_for(&path)?;
        let config = &project.config;
        if !is_scanned(config, &path) {
            return Ok(Scan { diagnostics: Some(Vec::new()), facts_changed: false });
        }
        let rel_path = walk::relative_to(&path, &config.root);
        // The other files' facts, as far as they are in this file's scope (`crate::scopes`).
        let scopes = crate::scopes::Scopes::new(&config.root, project.facts.keys().map(String::as_str).chain([rel_path.as_str()]));
        let outside = engine::ProjectContext {
            facts: project
                .facts
                .iter()
                .filter(|(file, _)| **file != rel_path && scopes.in_scope(&rel_path, file))
                .flat_map(|(_, facts)| facts.iter().cloned())
                .collect(),
            summaries: project.summaries.iter().filter(|(file, _)| **file != rel_path).map(|(f, s)| (f.clone(), s.clone())).collect(),
        };
        let result = engine::scan_source_in_project(config, &rel_path, language, text, &outside);
        for notice in &result.notices {
            if matches!(notice.kind, NoticeKind::FileSkipped | NoticeKind::InternalError) {
                eprintln!("archlint lsp: {}: {}", notice.path, notice.message);
            }
        }
        // The Rust front-end analyses nothing in a file that does not parse (the TypeScript one
        // analyses what it could parse): while it is being typed, keep the last results.
        if language == Language::Rust && result.notices.iter().any(|n| n.kind == NoticeKind::ParseError) {
            return Ok(Scan { diagnostics: None, facts_changed: false });
        }
        let before = project.facts.get(&rel_path).cloned().unwrap_or_default();
        let summary = result.summaries.iter().find(|(file, _)| *file == rel_path).map(|(_, s)| s.clone()).unwrap_or_default();
        let facts_changed = before != result.facts || project.summaries.get(&rel_path).cloned().unwrap_or_default() != summary;
        if result.facts.is_empty() {
            project.facts.remove(&rel_path);
        } else {
            project.facts.insert(rel_path.clone(), result.facts.clone());
        }
        if summary.is_empty() {
            project.summaries.remove(&rel_path);
        } else {
            project.summaries.insert(rel_path, summary);
        }

        // `scan_source` drops a byte order mark before scanning; the client's columns count it.
        let shift = Shift { first_line: u32::from(text.starts_with('\u{feff}')) };
        let root = config.root.clone();
        let mut diagnostics: Vec<Diagnostic> = result.active_findings().map(|finding| to_diagnostic(uri, &root, finding, shift)).collect();
        // Problems with suppression comments belong where the comment is; syntax errors are the
        // language's own server's to report.
        diagnostics.extend(result.notices.iter().filter_map(|notice| {
            let (severity, tags) = match notice.kind {
                NoticeKind::InvalidSuppression => (DiagnosticSeverity::WARNING, None),
                NoticeKind::UnusedSuppression => (DiagnosticSeverity::HINT, Some(vec![DiagnosticTag::UNNECESSARY])),
                _ => return None,
            };
            Some(Diagnostic {
                range: shift.range(notice.start?, notice.end?),
                severity: Some(severity),
                code: Some(NumberOrString::String(notice.kind.id().to_string())),
                source: Some(SOURCE.to_string()),
                message: notice.message.clone(),
                tags,
                ..Diagnostic::default()
            })
        }));
        Ok(Scan { diagnostics: Some(diagnostics), facts_changed })
    }

    /// Takes in the facts a background scan collected and says what they are, or `None` when they
    /// are for a configuration since replaced. Buffers' own facts are replaced by their files' on
    /// disk: scan them again.
    pub fn collected(&mut self, collected: CollectedFacts) -> Option<String> {
        let project = self.loaded.get_mut(&collected.key).filter(|p| p.generation == collected.generation)?;
        let summary = format!(
            "project facts from {} file{} under {} (scanned in {:.2}s)",
            collected.contexts.len(),
            if collected.contexts.len() == 1 { "" } else { "s" },
            collected.root.display(),
            collected.took.as_secs_f64()
        );
        project.facts = collected
            .contexts
            .iter()
            .filter(|(_, context)| !context.facts.is_empty())
            .map(|(file, context)| (file.clone(), context.facts.iter().cloned().collect()))
            .collect();
        project.summaries = collected
            .contexts
            .into_iter()
            .filter(|(_, context)| !context.summary.is_empty())
            .map(|(file, context)| (file, context.summary))
            .collect();
        Some(summary)
    }

    /// The project that `archlint FILE` would scan the file in: the nearest `archlint.toml` above
    /// the file, else none with the repository (or the workspace folder, or the file's directory)
    /// as root.
    fn project_for(&mut self, path: &Path) -> Result<&mut Project, String> {
        let dir = path.ancestors().skip(1).find(|dir| dir.is_dir()).unwrap_or(path);
        let config_path = config::discover(dir);
        let known_root = config::repository_root(dir).or_else(|| self.workspace_roots.iter().find(|root| path.starts_with(root)).cloned());
        // A file in no project of its own: its directory is the root, and not scanned for facts
        // (it may be a home directory).
        let collect_facts = config_path.is_some() || known_root.is_some();
        let key = (config_path, known_root.unwrap_or_else(|| dir.to_path_buf()));
        let stamp = key.0.as_deref().and_then(|p| p.metadata().ok()).and_then(|m| Some((m.modified().ok()?, m.len())));
        if self.loaded.get(&key).is_some_and(|project| project.stamp == stamp) {
            return Ok(self.loaded.get_mut(&key).expect("checked above"));
        }
        self.loaded.remove(&key);
        let config = Config::load(key.0.as_deref(), key.1.clone(), &CliOverrides::default()).map_err(|e| e.to_string())?;
        self.generation += 1;
        if let (Some(events), true) = (&self.events, collect_facts) {
            collect_in_background(events.clone(), key.clone(), self.generation);
        }
        let project = Project { stamp, config, generation: self.generation, facts: HashMap::new(), summaries: HashMap::new() };
        Ok(self.loaded.entry(key).or_insert(project))
    }
}

/// Scans the project on another thread (with half the cores: the editor stays responsive) and
/// sends the facts of its files.
fn collect_in_background(events: Sender<Event>, key: ProjectKey, generation: u64) {
    let spawned = std::thread::Builder::new().name("archlint-facts".into()).spawn(move || {
        let started = std::time::Instant::now();
        let Ok(config) = Config::load(key.0.as_deref(), key.1.clone(), &CliOverrides::default()) else { return };
        let jobs = std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1));
        let contexts = engine::context_by_file(
            &config,
            std::slice::from_ref(&config.root),
            &ScanOptions { jobs, cache: Some(crate::cache::Cache::default_dir(&config)) },
        );
        // The server may have stopped meanwhile.
        let collected = CollectedFacts { key, generation, contexts, root: config.root.clone(), took: started.elapsed() };
        let _ = events.send(Event::Facts(collected));
    });
    if let Err(e) = spawned {
        eprintln!("archlint lsp: cannot start the project scan: {e}");
    }
}

/// The file's absolute path with symbolic links resolved, as the configuration's root is. A buffer
/// not yet saved (perhaps in directories not yet made) has its nearest existing ancestor resolved.
fn canonical(path: &Path) -> PathBuf {
    for existing in path.ancestors() {
        if let Ok(resolved) = existing.canonicalize() {
            let rest = path.strip_prefix(existing).unwrap_or(Path::new(""));
            return if rest.as_os_str().is_empty() { resolved } else { resolved.join(rest) };
        }
    }
    path.to_path_buf()
}

/// Whether a scan of the project would read the file: not excluded by the configuration, not
/// generated, not under a dependency or build directory.
fn is_scanned(config: &Config, path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let in_excluded_dir = path
        .strip_prefix(&config.root)
        .ok()
        .and_then(Path::parent)
        .is_some_and(|dirs| dirs.iter().any(|dir| dir.to_str().is_some_and(|dir| walk::EXCLUDED_DIRS.contains(&dir))));
    !config.is_excluded(path, false) && !walk::is_generated_name(name) && !in_excluded_dir
}

/// Converts archlint's positions (1-based line, 1-based UTF-16 column) to LSP's (both 0-based),
/// putting back a byte order mark the scan did not see.
#[derive(Clone, Copy)]
struct Shift {
    first_line: u32,
}

impl Shift {
    fn position(self, position: source::Position) -> Position {
        let line = position.line.saturating_sub(1) as u32;
        let character = position.column.saturating_sub(1) as u32 + if line == 0 { self.first_line } else { 0 };
        Position { line, character }
    }

    fn range(self, start: source::Position, end: source::Position) -> Range {
        Range { start: self.position(start), end: self.position(end) }
    }
}

fn to_diagnostic(uri: &Uri, root: &Path, finding: &Finding, shift: Shift) -> Diagnostic {
    let href = meta::get(finding.rule).and_then(|meta| Uri::from_str(&meta.docs_url()).ok());
    let message = match &finding.help {
        Some(help) => format!("{}\nhelp: {help}", finding.message),
        None => finding.message.clone(),
    };
    // A step of a flow in another file is where that file is, as it is on disk (no BOM shift).
    let related = |related: &Related| {
        let location = match &related.path {
            None => Location { uri: uri.clone(), range: shift.range(related.start, related.end) },
            Some(path) => {
                Location { uri: super::file_uri(&root.join(path))?, range: Shift { first_line: 0 }.range(related.start, related.end) }
            }
        };
        Some(DiagnosticRelatedInformation { location, message: related.message.clone() })
    };
    Diagnostic {
        range: shift.range(finding.start, finding.end),
        severity: Some(severity(finding.level)),
        code: Some(NumberOrString::String(finding.rule.to_string())),
        code_description: href.map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message,
        related_information: Some(finding.related.iter().filter_map(related).collect()).filter(|r: &Vec<_>| !r.is_empty()),
        // The fix travels with the diagnostic: the editor hands it back in a code action request.
        data: finding.fix.as_ref().map(|fix| {
            let edits: Vec<TextEdit> =
                fix.edits.iter().map(|e| TextEdit { range: shift.range(e.start, e.end), new_text: e.replacement.clone() }).collect();
            serde_json::json!({ "fix": { "title": format!("Fix: {}", fix.description), "applicability": fix.applicability, "edits": edits } })
        }),
        ..Diagnostic::default()
    }
}

fn severity(level: Level) -> DiagnosticSeverity {
    match level {
        Level::Error => DiagnosticSeverity::ERROR,
        Level::Warning => DiagnosticSeverity::WARNING,
        Level::Note => DiagnosticSeverity::INFORMATION,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(root: &Path, toml: &str) -> Config {
        let file = config::parse(toml, "archlint.toml").unwrap();
        Config::from_file(file, None, root.to_path_buf(), &CliOverrides::default()).unwrap()
    }

    #[test]
    fn excluded_generated_and_dependency_files_are_not_scanned() {
        let root = Path::new("/repo");
        let config = config(root, "exclude = [\"legacy/\"]");
        assert!(is_scanned(&config, &root.join("src/api.ts")));
        assert!(!is_scanned(&config, &root.join("legacy/api.ts")));
        assert!(!is_scanned(&config, &root.join("node_modules/axios/index.js")));
        assert!(!is_scanned(&config, &root.join("web/app.min.js")));
        // Only directories under the root count: a checkout inside `~/build/` is still scanned.
        let nested = Path::new("/home/me/build/repo");
        assert!(is_scanned(&self::config(nested, ""), &nested.join("src/api.ts")));
    }

    #[test]
    fn positions_become_zero_based_and_keep_the_byte_order_mark() {
        let shift = Shift { first_line: 1 };
        let start = source::Position { line: 1, column: 5 };
        assert_eq!(shift.position(start), Position { line: 0, character: 5 });
        assert_eq!(Shift { first_line: 0 }.position(start), Position { line: 0, character: 4 });
        assert_eq!(shift.position(source::Position { line: 3, column: 1 }), Position { line: 2, character: 0 });
    }
}
