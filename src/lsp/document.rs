//! An open editor buffer: its text as the client last sent it, and LSP positions into it.
//! LSP counts lines at `\n`, `\r\n` and `\r`, and columns in UTF-16 code units.

use crate::source::Language;
use lsp_types::{Position, TextDocumentContentChangeEvent};
use std::path::PathBuf;

pub struct Document {
    pub text: String,
    pub version: i32,
    /// The file the buffer belongs to (`file:` URIs only), and its language (supported extensions
    /// only): a buffer without both is never scanned.
    pub path: Option<PathBuf>,
    pub language: Option<Language>,
}

impl Document {
    /// Full-text changes replace the text; ranged ones (which a client sends only if it ignores the
    /// advertised full sync) are applied in order all the same.
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, version: i32) {
        for change in changes {
            match change.range {
                None => self.text = change.text,
                Some(range) => {
                    let start = offset(&self.text, range.start);
                    let end = offset(&self.text, range.end).max(start);
                    self.text.replace_range(start..end, &change.text);
                }
            }
        }
        self.version = version;
    }
}

/// The 0-based line `index` without its terminator, and the terminator (empty on the last line).
pub fn line(text: &str, index: usize) -> Option<(&str, &str)> {
    let mut rest = text;
    for _ in 0..index {
        let (_, _, after) = split_line(rest)?;
        rest = after;
    }
    let (content, terminator, _) = split_line(rest).unwrap_or((rest, "", ""));
    Some((content, terminator))
}

/// The first line of `text`, its terminator and the rest; `None` for the last line (no terminator).
fn split_line(text: &str) -> Option<(&str, &str, &str)> {
    let at = text.find(['\n', '\r'])?;
    let width = if text[at..].starts_with("\r\n") { 2 } else { 1 };
    Some((&text[..at], &text[at..at + width], &text[at + width..]))
}

/// The byte offset of an LSP position, clamped to its line (and to the text past the last line).
/// A column inside a character (between the halves of a surrogate pair) gives its start.
pub fn offset(text: &str, position: Position) -> usize {
    let mut start = 0;
    for _ in 0..position.line {
        match split_line(&text[start..]) {
            Some((content, terminator, _)) => start += content.len() + terminator.len(),
            None => return text.len(),
        }
    }
    let content = split_line(&text[start..]).map_or(&text[start..], |(content, _, _)| content);
    let mut units = 0;
    for (at, c) in content.char_indices() {
        if units + c.len_utf16() > position.character as usize {
            return start + at;
        }
        units += c.len_utf16();
    }
    start + content.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::Range;

    fn at(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn lines_end_at_every_terminator() {
        let text = "a\r\nb\rc\nd";
        assert_eq!(line(text, 0), Some(("a", "\r\n")));
        assert_eq!(line(text, 1), Some(("b", "\r")));
        assert_eq!(line(text, 2), Some(("c", "\n")));
        assert_eq!(line(text, 3), Some(("d", "")));
        assert_eq!(line(text, 4), None);
        assert_eq!(line("x\n", 1), Some(("", "")));
    }

    #[test]
    fn offsets_count_utf16_code_units() {
        let text = "é😀x\nsecond";
        assert_eq!(offset(text, at(0, 1)), 2);
        assert_eq!(offset(text, at(0, 2)), 2, "inside the surrogate pair: the character's start");
        assert_eq!(offset(text, at(0, 3)), 6);
        assert_eq!(offset(text, at(0, 99)), 7, "clamped to the line");
        assert_eq!(offset(text, at(1, 3)), 11);
        assert_eq!(offset(text, at(5, 0)), text.len());
    }

    #[test]
    fn ranged_changes_edit_the_text() {
        let mut document = Document { text: "let a = 1;\nlet b = 2;\n".into(), version: 1, path: None, language: None };
        let change = |range: Option<Range>, text: &str| TextDocumentContentChangeEvent { range, range_length: None, text: text.into() };
        document.apply(
            vec![
                change(Some(Range { start: at(1, 4), end: at(1, 5) }), "bee"),
                change(Some(Range { start: at(0, 0), end: at(0, 0) }), "// x\n"),
            ],
            2,
        );
        assert_eq!(document.text, "// x\nlet a = 1;\nlet bee = 2;\n");
        document.apply(vec![change(None, "fresh")], 3);
        assert_eq!((document.text.as_str(), document.version), ("fresh", 3));
    }
}
