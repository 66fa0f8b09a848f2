//! Rule metadata is the single source of truth: every check has a `rules/<id>.toml`, every
//! metadata file has a check, and `docs/rules/<id>.md` is exactly what the metadata renders to.
//! Run with `ARCHLINT_UPDATE_DOCS=1` to regenerate the pages after editing `rules/`.

use archlint::rules::{docs, meta, REGISTRY};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_check_has_metadata_and_every_metadata_file_has_a_check() {
    let mut files: Vec<String> = std::fs::read_dir(root().join("rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut checks: Vec<String> = REGISTRY.iter().map(|e| e.id.to_string()).collect();
    checks.sort();
    assert_eq!(files, checks, "rules/*.toml and the registry in src/rules/mod.rs disagree");
    for id in &checks {
        assert!(meta::get(id).is_some(), "rules/{id}.toml does not parse");
    }
}

#[test]
fn metadata_meets_githubs_sarif_limits() {
    for meta in meta::all() {
        assert!(meta.summary.len() <= 1024 && !meta.summary.is_empty(), "{}: summary", meta.id);
        assert!(meta.title.len() <= 255, "{}: title", meta.id);
        assert!(meta.sarif_tags().len() <= 10, "{}: too many tags", meta.id);
        assert!(meta.tags.first().is_some_and(|t| t == "security"), "{}: `security` must be the first tag", meta.id);
        assert!(meta.security_severity > 0.0 && meta.security_severity <= 10.0 && meta.security_severity != 9.0, "{}", meta.id);
        assert!(!meta.cwe.is_empty(), "{}: no CWE", meta.id);
        assert!(meta.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{}: ids are kebab-case", meta.id);
        let first_paragraph = meta.description.trim().split("\n\n").next().unwrap();
        assert!(first_paragraph.len() <= 1024, "{}: first description paragraph is SARIF fullDescription", meta.id);
    }
}

#[test]
fn docs_pages_are_generated_from_metadata() {
    let dir = root().join("docs/rules");
    let update = std::env::var_os("ARCHLINT_UPDATE_DOCS").is_some();
    if update {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let mut stale = Vec::new();
    for meta in meta::all() {
        let path = dir.join(format!("{}.md", meta.id));
        let expected = docs::markdown_page(meta);
        if update {
            std::fs::write(&path, &expected).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(expected.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    let index = dir.join("README.md");
    if update {
        std::fs::write(&index, docs::index_page()).unwrap();
    } else if std::fs::read_to_string(&index).ok().as_deref() != Some(docs::index_page().as_str()) {
        stale.push(index.display().to_string());
    }
    let pages = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
    assert_eq!(pages, meta::all().len() + 1, "docs/rules/ has pages for rules that no longer exist");
    assert!(stale.is_empty(), "stale docs (run `ARCHLINT_UPDATE_DOCS=1 cargo test --test metadata`): {stale:?}");
}
