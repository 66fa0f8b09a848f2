//! Front-ends: each parses one file, builds its semantic model and walks the tree once, queuing
//! the nodes the checker asked for, and hands the finished model and the queue to the checker
//! (`crate::checker`), which runs the rules. Front-ends know nothing of rules.

pub mod rust;
pub mod typescript;

use crate::diagnostic::{Fact, Finding, Notice, NoticeKind};
use crate::source::{Language, SourceFile};
use crate::timings::FileTimings;

#[derive(Default)]
pub struct FileOutput {
    pub findings: Vec<Finding>,
    pub notices: Vec<Notice>,
    pub facts: Vec<Fact>,
    /// What the project pass needs to follow request data into and out of this file.
    pub summary: crate::flows::Summary,
    /// Filled in only when the checker measures (`--timings`).
    pub timings: FileTimings,
}

/// What `--parse-only` learned from one file.
#[derive(Debug, Default, Clone, Copy)]
pub struct ParseStats {
    pub parsed: bool,
    pub has_errors: bool,
    /// Nodes seen by the one traversal of the tree (so that the traversal is not optimised away).
    pub nodes: u64,
    /// Not analysed: nested deeper than [`MAX_NESTING`], or out of parse time (counted as skipped,
    /// not as an error).
    pub skipped: bool,
}

/// Deeper nesting than this is refused: `syn`'s parser, the visitors, the rules and the drop of
/// syntax trees recurse once per level. Brackets are counted before parsing ([`nesting_depth`]);
/// nesting without brackets (`!!!x`, `a.b.c`, `a + a + a`, `else if` chains) is bounded from the
/// tokens before `syn` parses a Rust file ([`rust::depth`]) and measured on the tree that
/// tree-sitter (which does not recurse) built for a TypeScript file. With [`MAX_NESTING`] levels
/// the whole per-file pipeline stays far inside the workers' 64 MiB stacks.
pub const MAX_NESTING: usize = 1000;

/// The notice for a file that nests deeper than [`MAX_NESTING`]: it is skipped, not analysed.
pub(crate) fn too_deep(file: &SourceFile, depth: usize) -> Notice {
    Notice::file(NoticeKind::FileSkipped, &file.rel_path, format!("nesting depth {depth} exceeds {MAX_NESTING}; not analysed"))
}

/// `--parse-only`: parses the file and walks the whole tree once, with no model and no rules.
pub fn parse_only(file: &SourceFile) -> ParseStats {
    match file.language {
        Language::Rust => rust::parse_only(file),
        Language::TypeScript | Language::Tsx | Language::JavaScript => typescript::parse_only(file),
    }
}

/// Bracket nesting depth of the text, ignoring nothing: a cheap upper bound that guards the
/// recursive parts of parsing and visiting against hostile input.
pub fn nesting_depth(text: &str) -> usize {
    let mut depth: usize = 0;
    let mut max = 0;
    for byte in text.bytes() {
        match byte {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}
