//! Scanning an open buffer as `archlint FILE` would scan the file, and turning its findings into
//! LSP diagnostics.
//!
//! Each buffer is scanned alone, with the configuration found from its directory (cached, and
//! reloaded when the file changes on disk). Facts that other files establish (a global
//! `ValidationPipe`, `axios.defaults.timeout`, a struct deriving `Validate`) are not seen, so a
//! finding they would withdraw in a full scan can appear in the editor; docs/editors.md says so.

use crate::config::{self, CliOverrides, Config};
use crate::diagnostic::{Finding, Level, NoticeKind, Related};
use crate::engine;
use crate::rules::meta;
use crate::source::{self, Language};
use crate::walk;
use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location, NumberOrString, Position,
    Range, Uri,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::SystemTime;

/// What every archlint diagnostic carries as `source`; code actions act on these only.
pub const SOURCE: &str = "archlint";

/// Configurations in force, one per configuration file (or per root where there is none).
#[derive(Default)]
pub struct Projects {
    /// The folders the client opened: the root for files under none of a config file and a
    /// repository.
    pub workspace_roots: Vec<PathBuf>,
    loaded: HashMap<(Option<PathBuf>, PathBuf), Loaded>,
}

struct Loaded {
    /// The configuration file's modification time and size when it was read.
    stamp: Option<(SystemTime, u64)>,
    config: Config,
}

impl Projects {
    /// The diagnostics for a buffer at `path`, or the configuration error that prevents a scan.
    pub fn diagnose(&mut self, uri: &Uri, path: &Path, language: Language, text: &str) -> Result<Vec<Diagnostic>, String> {
        let path = canonical(path);
        let config = self.config_for(&path)?;
        let rel_path = walk::relative_to(&path, &config.root);
        if !is_scanned(config, &path) {
            return Ok(Vec::new());
        }
        let result = engine::scan_source(config, &rel_path, language, text);
        for notice in &result.notices {
            if matches!(notice.kind, NoticeKind::FileSkipped | NoticeKind::InternalError) {
                eprintln!("archlint lsp: {}: {}", notice.path, notice.message);
            }
        }
        // `scan_source` drops a byte order mark before scanning; the client's columns count it.
        let shift = Shift { first_line: u32::from(text.starts_with('\u{feff}')) };
        let mut diagnostics: Vec<Diagnostic> = result.active_findings().map(|finding| to_diagnostic(uri, finding, shift)).collect();
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
        Ok(diagnostics)
    }

    /// The configuration that `archlint FILE` would use: the nearest `archlint.toml` above the
    /// file, else none with the repository (or the workspace folder, or the file's directory) as
    /// root.
    fn config_for(&mut self, path: &Path) -> Result<&Config, String> {
        let dir = path.ancestors().skip(1).find(|dir| dir.is_dir()).unwrap_or(path);
        let config_path = config::discover(dir);
        let root = config::repository_root(dir)
            .or_else(|| self.workspace_roots.iter().find(|root| path.starts_with(root)).cloned())
            .unwrap_or_else(|| dir.to_path_buf());
        let stamp = config_path.as_deref().and_then(|p| p.metadata().ok()).and_then(|m| Some((m.modified().ok()?, m.len())));
        let key = (config_path, root);
        if self.loaded.get(&key).is_some_and(|loaded| loaded.stamp == stamp) {
            return Ok(&self.loaded[&key].config);
        }
        self.loaded.remove(&key);
        let config = Config::load(key.0.as_deref(), key.1.clone(), &CliOverrides::default()).map_err(|e| e.to_string())?;
        Ok(&self.loaded.entry(key).or_insert(Loaded { stamp, config }).config)
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

fn to_diagnostic(uri: &Uri, finding: &Finding, shift: Shift) -> Diagnostic {
    let href = meta::get(finding.rule).and_then(|meta| Uri::from_str(&meta.docs_url()).ok());
    let message = match &finding.help {
        Some(help) => format!("{}\nhelp: {help}", finding.message),
        None => finding.message.clone(),
    };
    let related = |related: &Related| DiagnosticRelatedInformation {
        location: Location { uri: uri.clone(), range: shift.range(related.start, related.end) },
        message: related.message.clone(),
    };
    Diagnostic {
        range: shift.range(finding.start, finding.end),
        severity: Some(severity(finding.level)),
        code: Some(NumberOrString::String(finding.rule.to_string())),
        code_description: href.map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message,
        related_information: Some(finding.related.iter().map(related).collect()).filter(|r: &Vec<_>| !r.is_empty()),
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
