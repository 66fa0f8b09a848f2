//! Where a module runs, told by who imports it. A `lib/upload.ts` of a Next.js app says nothing
//! of the browser, but when only components import it, it runs in the browser: an outbound call
//! there is the browser's, not the service's. A module runs on a server when some server module
//! imports it, or when nothing does (an entry point: a route file, a worker, a script); it runs
//! only in the browser when every module that imports it is browser code or runs only in the
//! browser itself.

use super::modules::TsModules;
use super::FileSummary;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

/// How many imports up a chain of modules is followed before a module is taken to run on a
/// server (the safe answer).
const MAX_IMPORT_DEPTH: usize = 8;

/// The TypeScript modules of a project and who imports them.
pub struct Importers<'a> {
    summaries: HashMap<&'a str, &'a super::Summary>,
    /// Importers by the last component of what they import (`./lib/upload` → `upload`), so
    /// that only the specifiers that may name a module are resolved.
    by_name: HashMap<&'a str, Vec<(&'a str, &'a str)>>,
    modules: TsModules<'a>,
    /// Answers already known: whether the module runs only in the browser.
    known: RefCell<HashMap<&'a str, bool>>,
}

impl<'a> Importers<'a> {
    /// `files` are the project's summaries; `others` the paths of scanned files with none.
    pub fn new(files: &'a [FileSummary<'a>], others: impl IntoIterator<Item = &'a str>, root: &'a Path) -> Importers<'a> {
        let mut by_name: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
        for file in files {
            for specifier in &file.summary.imports {
                by_name.entry(last_component(specifier)).or_default().push((file.path, specifier.as_str()));
            }
        }
        let paths = files.iter().map(|f| f.path).chain(others);
        Importers {
            summaries: files.iter().map(|f| (f.path, f.summary)).collect(),
            by_name,
            modules: TsModules::new(paths, root),
            known: RefCell::new(HashMap::new()),
        }
    }

    /// Whether the module at `path` runs only in the browser: it is not browser code itself,
    /// some module imports it, and every one that does is browser code or runs only in the
    /// browser.
    pub fn only_browser_code_imports(&self, path: &'a str) -> bool {
        let mut visiting = Vec::new();
        !self.is_browser_code(path) && self.runs_only_in_browser(path, &mut visiting)
    }

    fn is_browser_code(&self, path: &str) -> bool {
        self.summaries.get(path).is_some_and(|s| s.browser_code)
    }

    fn runs_only_in_browser(&self, path: &'a str, visiting: &mut Vec<&'a str>) -> bool {
        if self.is_browser_code(path) {
            return true;
        }
        if let Some(known) = self.known.borrow().get(path) {
            return *known;
        }
        // Deeper than the bound, it may run anywhere. A module met again on the chain adds
        // nothing: the chain's other importers decide.
        if visiting.len() >= MAX_IMPORT_DEPTH {
            return false;
        }
        if visiting.contains(&path) {
            return true;
        }
        visiting.push(path);
        let importers = self.importers_of(path);
        let answer = !importers.is_empty() && importers.into_iter().all(|importer| self.runs_only_in_browser(importer, visiting));
        visiting.pop();
        // An answer reached while a module up the chain was still open may lean on it.
        if visiting.is_empty() || !answer {
            self.known.borrow_mut().insert(path, answer);
        }
        answer
    }

    /// The modules that import `path`.
    fn importers_of(&self, path: &str) -> Vec<&'a str> {
        let file_name = path.rsplit('/').next().unwrap_or(path);
        let stem = file_name.split('.').next().unwrap_or(file_name);
        let mut names = vec![stem];
        // `./upload` names `upload/index.ts`.
        if stem == "index" {
            names.extend(path.rsplit('/').nth(1));
        }
        let mut importers: Vec<&str> = names
            .iter()
            .flat_map(|name| self.by_name.get(name).into_iter().flatten())
            .filter(|(importer, specifier)| *importer != path && self.modules.resolve(importer, specifier).as_deref() == Some(path))
            .map(|(importer, _)| *importer)
            .collect();
        importers.sort_unstable();
        importers.dedup();
        importers
    }
}

/// The last component of a module specifier without its extension: `../lib/upload.js` →
/// `upload`, `@acme/db` → `db`.
fn last_component(specifier: &str) -> &str {
    let name = specifier.trim_end_matches('/').rsplit('/').next().unwrap_or(specifier);
    name.split('.').next().filter(|stem| !stem.is_empty()).unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::Summary;

    fn summary(imports: &[&str], browser_code: bool) -> Summary {
        Summary { imports: imports.iter().map(|s| s.to_string()).collect(), browser_code, ..Summary::default() }
    }

    fn only_browser(files: &[(&str, Summary)], path: &str) -> bool {
        let summaries: Vec<FileSummary<'_>> = files.iter().map(|(path, summary)| FileSummary { path, summary }).collect();
        let importers = Importers::new(&summaries, std::iter::empty(), Path::new("/nonexistent"));
        importers.only_browser_code_imports(path)
    }

    #[test]
    fn a_module_only_components_import_runs_in_the_browser() {
        let files = [
            ("lib/upload.ts", summary(&[], false)),
            ("components/Uploader.tsx", summary(&["../lib/upload"], true)),
            ("components/Avatar.tsx", summary(&["@/lib/other", "../lib/upload.js"], true)),
        ];
        assert!(only_browser(&files, "lib/upload.ts"));
    }

    #[test]
    fn one_server_importer_or_none_means_a_server_module() {
        let shared = [
            ("lib/upload.ts", summary(&[], false)),
            ("components/Uploader.tsx", summary(&["../lib/upload"], true)),
            ("pages/api/upload.ts", summary(&["../../lib/upload"], false)),
        ];
        assert!(!only_browser(&shared, "lib/upload.ts"));
        // Nothing imports it: an entry point, or code the scan cannot see the importers of.
        let alone = [("lib/upload.ts", summary(&[], false)), ("components/Uploader.tsx", summary(&["../lib/other"], true))];
        assert!(!only_browser(&alone, "lib/upload.ts"));
        // Browser code itself is the rules' own business, not this question's.
        let browser = [("lib/upload.ts", summary(&[], true)), ("components/Uploader.tsx", summary(&["../lib/upload"], true))];
        assert!(!only_browser(&browser, "lib/upload.ts"));
    }

    #[test]
    fn the_answer_follows_chains_of_imports_through_index_files() {
        let files = [
            ("lib/files/put.ts", summary(&[], false)),
            ("lib/files/index.ts", summary(&["./put"], false)),
            ("components/Uploader.tsx", summary(&["../lib/files"], true)),
        ];
        assert!(only_browser(&files, "lib/files/put.ts"));
        let served = [
            ("lib/files/put.ts", summary(&[], false)),
            ("lib/files/index.ts", summary(&["./put"], false)),
            ("components/Uploader.tsx", summary(&["../lib/files"], true)),
            ("server/jobs.ts", summary(&["../lib/files/index.js"], false)),
        ];
        assert!(!only_browser(&served, "lib/files/put.ts"));
    }

    #[test]
    fn import_cycles_are_decided_by_the_importers_outside_them() {
        let browser_only = [
            ("lib/a.ts", summary(&["./b"], false)),
            ("lib/b.ts", summary(&["./a"], false)),
            ("components/View.tsx", summary(&["../lib/a"], true)),
        ];
        assert!(only_browser(&browser_only, "lib/b.ts"));
        let served = [
            ("lib/a.ts", summary(&["./b"], false)),
            ("lib/b.ts", summary(&["./a"], false)),
            ("components/View.tsx", summary(&["../lib/a"], true)),
            ("server.ts", summary(&["./lib/b"], false)),
        ];
        assert!(!only_browser(&served, "lib/a.ts"));
        assert!(!only_browser(&served, "lib/b.ts"));
    }

    #[test]
    fn a_module_of_the_same_name_elsewhere_is_not_an_importer() {
        let files = [
            ("lib/upload.ts", summary(&[], false)),
            ("server/upload.ts", summary(&[], false)),
            ("components/Uploader.tsx", summary(&["../lib/upload"], true)),
            ("server/index.ts", summary(&["./upload"], false)),
        ];
        assert!(only_browser(&files, "lib/upload.ts"));
        assert!(!only_browser(&files, "server/upload.ts"));
    }
}
