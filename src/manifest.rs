//! Project facts from package manifests: what `package.json` files say about the frameworks in
//! use (Express 4 does not pass a rejected promise of an async handler to the error middleware;
//! Express 5 does). Read once per scan, beside the per-file pass, and never cached: a manifest is
//! small and a dependency upgrade must take effect at once.

use crate::diagnostic::Fact;
use crate::walk::FileJob;
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// The facts of every `package.json` that applies to a scanned file: in the file's directory or
/// an ancestor, up to the project root.
pub fn facts(root: &Path, files: &[FileJob]) -> BTreeSet<Fact> {
    let mut facts = BTreeSet::new();
    for manifest in manifests(root, files) {
        let Ok(text) = std::fs::read_to_string(&manifest) else { continue };
        facts.extend(facts_of(&text));
    }
    facts
}

/// The facts one `package.json` establishes; none when it is not valid JSON.
pub fn facts_of(text: &str) -> Vec<Fact> {
    let Ok(manifest) = serde_json::from_str::<serde_json::Value>(text) else { return Vec::new() };
    let mut facts = Vec::new();
    let express = ["dependencies", "devDependencies", "peerDependencies"]
        .iter()
        .filter_map(|section| manifest.get(section)?.get("express")?.as_str())
        .filter_map(major_version)
        .min();
    if express.is_some_and(|major| major <= 4) {
        facts.push(Fact::Express4);
    }
    facts
}

/// The `package.json` files above the scanned JavaScript and TypeScript files, up to the
/// repository's root (a scanned `src/` still has its package's manifest above it), or up to
/// `root` outside a repository.
fn manifests(root: &Path, files: &[FileJob]) -> Vec<PathBuf> {
    let boundary =
        crate::config::repository_root(root).filter(|repository| root.starts_with(repository)).unwrap_or_else(|| root.to_path_buf());
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut found = Vec::new();
    for job in files.iter().filter(|job| job.language.family() == "typescript") {
        let mut dir = job.path.parent();
        while let Some(current) = dir {
            if !current.starts_with(&boundary) || !seen.insert(current.to_path_buf()) {
                break;
            }
            let manifest = current.join("package.json");
            if manifest.is_file() {
                found.push(manifest);
            }
            dir = current.parent();
        }
    }
    found.sort();
    found
}

/// The major version a dependency range allows first: `^4.18.2` → 4, `~5.0.0-beta.1` → 5,
/// `>=4 <6` → 4, `4.x` → 4; `None` for tags, URLs and workspace links (`latest`, `*`,
/// `github:..`, `workspace:*`), which say nothing reliable.
pub fn major_version(range: &str) -> Option<u32> {
    let range = range.trim().strip_prefix("npm:express@").unwrap_or(range.trim());
    let rest = range.trim_start_matches(['^', '~', '>', '=', '<', 'v', ' ']);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() || rest[digits.len()..].starts_with(|c: char| c.is_ascii_alphabetic() && c != 'x' && c != 'X') {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn major_versions_of_ranges() {
        for (range, major) in [("^4.18.2", Some(4)), ("~5.0.0-beta.1", Some(5)), (">=4 <6", Some(4)), ("4.x", Some(4)), ("5", Some(5))] {
            assert_eq!(major_version(range), major, "{range}");
        }
        for range in ["latest", "*", "github:expressjs/express", "workspace:*", "", "next"] {
            assert_eq!(major_version(range), None, "{range}");
        }
    }

    #[test]
    fn the_manifest_above_a_scanned_subdirectory_counts_up_to_the_repository_root() {
        let repository = tempfile::tempdir().unwrap();
        let root = repository.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::create_dir_all(root.join("src/routes")).unwrap();
        std::fs::write(root.join("package.json"), r#"{"dependencies": {"express": "^4.21.0"}}"#).unwrap();
        let file = root.join("src/routes/users.ts");
        std::fs::write(&file, "export {};\n").unwrap();
        let job = FileJob { path: file.clone(), language: crate::source::Language::TypeScript, scan_relative: "routes/users.ts".into() };
        assert!(facts(&root.join("src"), std::slice::from_ref(&job)).contains(&Fact::Express4));
        // Outside a repository nothing above the scanned directory is read.
        std::fs::remove_dir(root.join(".git")).unwrap();
        assert!(facts(&root.join("src"), &[job]).is_empty());
    }

    #[test]
    fn express_4_in_any_dependency_section() {
        assert_eq!(facts_of(r#"{"dependencies": {"express": "^4.19.2"}}"#), [Fact::Express4]);
        assert_eq!(facts_of(r#"{"devDependencies": {"express": "4.17.1"}}"#), [Fact::Express4]);
        assert!(facts_of(r#"{"dependencies": {"express": "^5.1.0"}}"#).is_empty());
        assert!(facts_of(r#"{"dependencies": {"koa": "^2.15.0"}}"#).is_empty());
        assert!(facts_of(r#"{"dependencies": {"express": "latest"}}"#).is_empty());
        assert!(facts_of("{ not json").is_empty());
    }
}
