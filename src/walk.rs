//! Finding the files to scan: `ignore`'s parallel walker (honouring `.gitignore`, `.ignore` and
//! `.archlintignore`), default excludes for dependencies, build output and generated code, the
//! extension filter, and explicitly named files (which config excludes still apply to, as
//! pre-commit passes every staged file by name). Symlinks are never followed.

use crate::config::Config;
use crate::source::Language;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Directories that hold dependencies, build output or tool state, never hand-written services.
pub const EXCLUDED_DIRS: &[&str] = &[
    "node_modules",
    "target",
    "dist",
    "build",
    "out",
    "vendor",
    "third_party",
    "coverage",
    ".git",
    ".hg",
    ".svn",
    ".next",
    // A Next.js static export's assets (`out/_next/static/chunks/*.js`), committed under another name.
    "_next",
    ".nuxt",
    ".turbo",
    ".cache",
    ".yarn",
    "bower_components",
    "jspm_packages",
    ".archlint_cache",
    "generated",
    "__generated__",
];

/// A file to scan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileJob {
    pub path: PathBuf,
    pub language: Language,
    /// Path relative to the scanned root it was found under: decides whether it is test code.
    pub scan_relative: String,
}

impl FileJob {
    /// The scanned root the file was found under (manifests are read no higher).
    fn scan_root(&self) -> &Path {
        let depth = self.scan_relative.split('/').count();
        self.path.ancestors().nth(depth).unwrap_or(&self.path)
    }

    /// Whether the file is tooling (a script, a migration, a command-line program): by its path
    /// under the scanned root, or by the package it belongs to, read no higher than that root.
    pub fn is_tooling(&self) -> bool {
        if crate::roles::is_tooling_path(&self.scan_relative) {
            return true;
        }
        let scan_root = self.scan_root();
        crate::roles::is_tooling_package(&self.path, scan_root)
    }

    /// Whether the file belongs to a browser app (a package with a UI framework and no server).
    pub fn in_browser_app(&self) -> bool {
        if self.language == crate::source::Language::Rust {
            return false;
        }
        let scan_root = self.scan_root();
        crate::roles::is_browser_package(&self.path, scan_root)
    }

    /// The workspace packages the file's package depends on (JavaScript; see
    /// [`crate::roles::workspace_dependencies`]).
    pub fn workspace_packages(&self) -> std::sync::Arc<[String]> {
        if self.language == crate::source::Language::Rust {
            return std::sync::Arc::from([]);
        }
        crate::roles::workspace_dependencies(&self.path, self.scan_root())
    }

    /// Whether the file's code can see request data (Rust: a server crate or one it uses).
    pub fn serves_requests(&self) -> bool {
        if self.language != crate::source::Language::Rust {
            return true;
        }
        let scan_root = self.scan_root();
        crate::roles::rust_serves_requests(&self.path, scan_root)
    }
}

/// Generated or minified files, recognised by name: `app.min.js`, and the versioned names of
/// vendored copies (`htmx.min.1.9.12.js`, `jquery-3.7.1.min.mjs`, `sockjs-min.js`).
pub fn is_generated_name(name: &str) -> bool {
    let script = [".js", ".mjs", ".cjs"].iter().any(|ext| name.ends_with(ext));
    script && (name.contains(".min.") || name.contains("-min."))
        || name.ends_with(".bundle.js")
        || name.contains(".generated.")
        || name.ends_with(".pb.rs")
        || name.ends_with("_pb.js")
        || name.ends_with("_pb.ts")
}

/// What a walk found: the files to scan, and the directories below the scanned roots left out
/// because they hold a configuration file of their own (projects of their own).
#[derive(Debug, Default)]
pub struct Walked {
    pub files: Vec<FileJob>,
    pub nested_projects: Vec<PathBuf>,
}

pub fn collect(paths: &[PathBuf], config: &Config, jobs: usize) -> Vec<FileJob> {
    walk(paths, config, jobs).files
}

pub fn walk(paths: &[PathBuf], config: &Config, jobs: usize) -> Walked {
    let found = Mutex::new(Vec::new());
    let nested = std::sync::Arc::new(Mutex::new(Vec::new()));
    for root in paths {
        if root.is_file() {
            let canonical = root.canonicalize().unwrap_or_else(|_| root.clone());
            let name = canonical.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if let Some(language) = Language::from_path(&canonical) {
                if !config.is_excluded(&canonical, false) && !is_generated_name(name) {
                    let scan_relative = relative_to(&canonical, &config.root);
                    found.lock().unwrap().push(FileJob { path: canonical, language, scan_relative });
                }
            }
            continue;
        }
        let Ok(root) = root.canonicalize() else { continue };
        let mut builder = ignore::WalkBuilder::new(&root);
        builder
            .hidden(true)
            .follow_links(false)
            .require_git(false)
            .git_global(false)
            .add_custom_ignore_filename(".archlintignore")
            .threads(jobs.max(1));
        let root_for_filter = root.clone();
        let (nested_projects, nested_found) = (config.nested_projects, nested.clone());
        builder.filter_entry(move |entry| {
            let name = entry.file_name().to_str().unwrap_or("");
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            // The scanned root itself is always entered, even if it is called `build`.
            if entry.path() == root_for_filter {
                return true;
            }
            if is_dir && EXCLUDED_DIRS.contains(&name) {
                return false;
            }
            // A directory with its own `archlint.toml` is another project (Ruff's hierarchy).
            if nested_projects && is_dir && crate::config::has_config(entry.path()) {
                nested_found.lock().unwrap().push(entry.path().to_path_buf());
                return false;
            }
            true
        });
        builder.build_parallel().run(|| {
            let found = &found;
            let root = &root;
            Box::new(move |entry| {
                let Ok(entry) = entry else { return ignore::WalkState::Continue };
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if config.is_excluded(entry.path(), is_dir) {
                    return if is_dir { ignore::WalkState::Skip } else { ignore::WalkState::Continue };
                }
                // Regular files only: symlinks are not followed, so nothing outside the tree is read.
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    return ignore::WalkState::Continue;
                }
                let name = entry.file_name().to_str().unwrap_or("");
                if let (Some(language), false) = (Language::from_path(entry.path()), is_generated_name(name)) {
                    let scan_relative = relative_to(entry.path(), root);
                    found.lock().unwrap().push(FileJob { path: entry.into_path(), language, scan_relative });
                }
                ignore::WalkState::Continue
            })
        });
    }
    let mut files = found.into_inner().unwrap();
    files.sort();
    files.dedup_by(|a, b| a.path == b.path);
    let mut nested_projects = std::mem::take(&mut *nested.lock().unwrap());
    nested_projects.sort();
    nested_projects.dedup();
    Walked { files, nested_projects }
}

/// `path` relative to the directory `dir`, with `..` steps where it lies outside it (`../api/a.ts`
/// from `web/`), `/` separators; the path as given when the two share no root.
pub fn relative_from(path: &Path, dir: &Path) -> String {
    if path.starts_with(dir) {
        return relative_to(path, dir);
    }
    let path_parts: Vec<_> = path.components().collect();
    let dir_parts: Vec<_> = dir.components().collect();
    let shared = path_parts.iter().zip(&dir_parts).take_while(|(a, b)| a == b).count();
    if shared == 0 || !path.is_absolute() {
        return path.to_string_lossy().replace('\\', "/");
    }
    let ups = std::iter::repeat_n("..".to_string(), dir_parts.len() - shared);
    let downs = path_parts[shared..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned());
    ups.chain(downs).collect::<Vec<_>>().join("/")
}

/// `path` relative to `base` with `/` separators, or the path as given when it is outside.
pub fn relative_to(path: &Path, base: &Path) -> String {
    // A file outside the project root (a configuration file elsewhere) keeps its whole path.
    let Ok(relative) = path.strip_prefix(base) else { return path.to_string_lossy().replace('\\', "/") };
    let parts: Vec<String> = relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    parts.join("/")
}
