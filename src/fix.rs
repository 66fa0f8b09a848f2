//! Applying findings' fixes (`--fix`, `--fix-diff`): the edits of each file's fixes, in order,
//! a fix at a time, each kept only if it overlaps no fix kept before it and the file still
//! parses with it. Writing is the caller's (atomically, per file).

use crate::diagnostic::{Applicability, Finding, Fix};
use crate::source::{Language, SourceFile};
use std::collections::BTreeMap;
use std::path::Path;

/// What fixing one file came to.
#[derive(Debug)]
pub struct FileFix {
    /// The file's path as findings give it.
    pub path: String,
    pub before: String,
    pub after: String,
    /// How many fixes were applied.
    pub applied: usize,
    /// Why fixes were left out: one line each.
    pub refused: Vec<String>,
}

/// The fixes to apply, by file: those of active findings at or below the allowed applicability.
pub fn planned<'f>(findings: impl Iterator<Item = &'f Finding>, unsafe_allowed: bool) -> BTreeMap<String, Vec<(&'f Finding, &'f Fix)>> {
    let mut by_file: BTreeMap<String, Vec<(&Finding, &Fix)>> = BTreeMap::new();
    for finding in findings {
        let Some(fix) = &finding.fix else { continue };
        if fix.applicability == Applicability::Unsafe && !unsafe_allowed {
            continue;
        }
        by_file.entry(finding.path.clone()).or_default().push((finding, fix));
    }
    by_file
}

/// Applies `fixes` to the file at `root/path`. `None` when the file cannot be read.
pub fn fix_file(root: &Path, path: &str, fixes: &[(&Finding, &Fix)]) -> Option<FileFix> {
    let absolute = root.join(path);
    let before = std::fs::read_to_string(&absolute).ok()?;
    let language = Language::from_path(&absolute)?;
    let mut ordered: Vec<&(&Finding, &Fix)> = fixes.iter().collect();
    ordered.sort_by_key(|(_, fix)| fix.edits.first().map(|e| e.offsets));
    let mut kept: Vec<&Fix> = Vec::new();
    let mut refused = Vec::new();
    for (finding, fix) in ordered {
        let at = format!("{path}:{}", finding.start.line);
        let out_of_file = fix.edits.iter().any(|e| {
            e.offsets.0 > e.offsets.1
                || e.offsets.1 > before.len()
                || !before.is_char_boundary(e.offsets.0)
                || !before.is_char_boundary(e.offsets.1)
        });
        if out_of_file {
            refused.push(format!("{at}: the fix for `{}` no longer fits the file; run archlint again", finding.rule));
            continue;
        }
        if kept.iter().any(|other| overlaps(other, fix)) {
            refused.push(format!("{at}: the fix for `{}` overlaps another fix; run `--fix` again to apply it", finding.rule));
            continue;
        }
        let mut trial = kept.clone();
        trial.push(fix);
        if !parses(language, &apply(&before, &trial)) {
            refused.push(format!("{at}: the fix for `{}` would leave the file unparsable; not applied", finding.rule));
            continue;
        }
        kept.push(fix);
    }
    let after = apply(&before, &kept);
    Some(FileFix { path: path.to_string(), before, after, applied: kept.len(), refused })
}

/// Whether two fixes touch the same text. Insertions at the same offset overlap too: their
/// order would be a guess. The same edit in both (an import two fixes need) is shared, not a
/// conflict.
fn overlaps(a: &Fix, b: &Fix) -> bool {
    a.edits.iter().any(|x| {
        b.edits.iter().any(|y| {
            let (x0, x1) = x.offsets;
            let (y0, y1) = y.offsets;
            x != y && ((x0 < y1 && y0 < x1) || x0 == y0)
        })
    })
}

/// The text with every edit of `fixes` made (they do not overlap).
fn apply(text: &str, fixes: &[&Fix]) -> String {
    let mut edits: Vec<_> = fixes.iter().flat_map(|fix| fix.edits.iter()).collect();
    edits.sort_by_key(|edit| edit.offsets);
    edits.dedup();
    let mut out = String::with_capacity(text.len() + 64);
    let mut cursor = 0;
    for edit in edits {
        out.push_str(&text[cursor..edit.offsets.0]);
        out.push_str(&edit.replacement);
        cursor = edit.offsets.1;
    }
    out.push_str(&text[cursor..]);
    out
}

/// Whether the text parses without errors in its language.
pub fn parses(language: Language, text: &str) -> bool {
    match language {
        Language::Rust => crate::lang::rust::parse_file(text).is_ok(),
        _ => {
            let file = SourceFile::new(String::new(), Default::default(), language, text.to_string(), false);
            crate::lang::typescript::parse(&file).is_some_and(|tree| !tree.root_node().has_error())
        }
    }
}

/// A unified diff of a fixed file, with `a/` and `b/` paths as git writes them.
pub fn unified_diff(fixed: &FileFix) -> String {
    similar::TextDiff::from_lines(&fixed.before, &fixed.after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{}", fixed.path), &format!("b/{}", fixed.path))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Edit;
    use crate::source::Position;

    fn fix(edits: &[(usize, usize, &str)]) -> Fix {
        let at = Position { line: 1, column: 1 };
        Fix {
            description: String::new(),
            applicability: Applicability::Safe,
            edits: edits.iter().map(|(a, b, r)| Edit { start: at, end: at, offsets: (*a, *b), replacement: r.to_string() }).collect(),
        }
    }

    #[test]
    fn edits_apply_in_order_and_overlaps_are_detected() {
        let a = fix(&[(4, 9, "true")]);
        let b = fix(&[(0, 0, "// x\n")]);
        assert_eq!(apply("let false;", &[&a, &b]), "// x\nlet true;");
        assert!(overlaps(&a, &fix(&[(6, 7, "y")])));
        assert!(overlaps(&b, &fix(&[(0, 0, "z")])), "two insertions at one place");
        assert!(!overlaps(&a, &b));
        let import = fix(&[(0, 4, "exec, execFile"), (12, 12, "x")]);
        let shared = fix(&[(0, 4, "exec, execFile"), (23, 23, "y")]);
        assert!(!overlaps(&import, &shared), "the same edit is shared");
        assert_eq!(apply("exec; exec(a); exec(b);", &[&import, &shared]), "exec, execFile; exec(ax); exec(b);y");
    }

    #[test]
    fn parse_checks_each_language() {
        assert!(parses(Language::TypeScript, "const a = { timeout: 10_000 };"));
        assert!(!parses(Language::TypeScript, "const a = { timeout: };"));
        assert!(parses(Language::Rust, "fn main() { let c = reqwest::Client::builder().build(); }"));
        assert!(!parses(Language::Rust, "fn main() { let c = ; }"));
    }
}
