//! Front-ends: each parses one file, builds its semantic model and walks the tree once, queuing
//! the nodes that enabled rules asked for; the checks then run against the finished model.

pub mod rust;
pub mod typescript;

use crate::diagnostic::{Fact, Finding, Level, Notice};
use crate::rules::Rule;
use crate::source::{Language, SourceFile};

/// The rules that run on one file, with their configured levels.
pub struct ActiveRules<'r> {
    pub rules: Vec<(&'r dyn Rule, Level)>,
}

#[derive(Default)]
pub struct FileOutput {
    pub findings: Vec<Finding>,
    pub notices: Vec<Notice>,
    pub facts: Vec<Fact>,
}

/// Deeper nesting than this is refused before parsing: both parsers and the visitors recurse.
pub const MAX_NESTING: usize = 1000;

pub fn analyze(file: &SourceFile, active: &ActiveRules<'_>) -> FileOutput {
    match file.language {
        Language::Rust => rust::analyze(file, active),
        Language::TypeScript | Language::Tsx | Language::JavaScript => typescript::analyze(file, active),
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
