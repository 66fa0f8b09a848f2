//! Quick fixes for archlint diagnostics: a suppression comment above the finding's line, or one
//! for the whole file (see `suppress` for the syntax). The reason is a placeholder to replace.

use super::diagnostics::SOURCE;
use super::document;
use crate::rules::meta;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, NumberOrString, Position, Range, TextEdit, Uri, WorkspaceEdit,
};
use std::collections::HashMap;

/// Written after `--` in an inserted suppression: the reader of the code deserves the real one.
pub const REASON_PLACEHOLDER: &str = "TODO: why this is safe";

/// The quick fixes for the archlint diagnostics among `diagnostics` that touch `range`: per
/// diagnostic "on this line", then per rule "in this file".
pub fn quick_fixes(uri: &Uri, text: &str, range: Range, diagnostics: &[Diagnostic]) -> Vec<CodeActionOrCommand> {
    // The rule's own fix first, preferred (what the editor applies on "fix all" and shortcuts).
    let mut rule_fixes = Vec::new();
    for diagnostic in diagnostics.iter().filter(|d| d.source.as_deref() == Some(SOURCE) && touches(d.range, range)) {
        let Some(fix) = diagnostic.data.as_ref().and_then(|data| data.get("fix")) else { continue };
        let (Some(title), Some(edits)) = (fix["title"].as_str(), serde_json::from_value::<Vec<TextEdit>>(fix["edits"].clone()).ok()) else {
            continue;
        };
        let mut action = CodeAction {
            title: title.to_string(),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic.clone()]),
            edit: Some(WorkspaceEdit { changes: Some(HashMap::from([(uri.clone(), edits)])), ..WorkspaceEdit::default() }),
            ..CodeAction::default()
        };
        action.is_preferred = Some(fix["applicability"] == "safe");
        rule_fixes.push(CodeActionOrCommand::CodeAction(action));
    }
    let mut line_fixes = Vec::new();
    let mut file_fixes: Vec<(String, CodeAction)> = Vec::new();
    for diagnostic in diagnostics.iter().filter(|d| d.source.as_deref() == Some(SOURCE) && touches(d.range, range)) {
        let Some(NumberOrString::String(rule)) = &diagnostic.code else { continue };
        // Only rules can be suppressed (not notices such as `unused-suppression`).
        if meta::get(rule).is_none() {
            continue;
        }
        let line = diagnostic.range.start.line;
        let Some((content, terminator)) = document::line(text, line as usize) else { continue };
        let indent = &content[..content.len() - content.trim_start_matches([' ', '\t']).len()];
        let comment = format!("{indent}// archlint-ignore-next-line {rule} -- {REASON_PLACEHOLDER}{}", line_break(text, terminator));
        line_fixes.push(fix(format!("Suppress {rule} on this line"), uri, insertion(line, comment), diagnostic));

        if let Some((_, existing)) = file_fixes.iter_mut().find(|(suppressed, _)| suppressed == rule) {
            existing.diagnostics.get_or_insert_with(Vec::new).push(diagnostic.clone());
            continue;
        }
        let comment = format!("// archlint-ignore-file {rule} -- {REASON_PLACEHOLDER}{}", line_break(text, terminator));
        let file_fix = fix(format!("Suppress {rule} in this file"), uri, insertion(file_directive_line(text), comment), diagnostic);
        file_fixes.push((rule.clone(), file_fix));
    }
    let suppressions = line_fixes.into_iter().chain(file_fixes.into_iter().map(|(_, fix)| fix)).map(CodeActionOrCommand::CodeAction);
    rule_fixes.into_iter().chain(suppressions).collect()
}

/// Whether two ranges share a position (an empty request range at a diagnostic's edge counts).
fn touches(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// The terminator of the finding's line, or the file's first one when the finding is on the last
/// line (which has none).
fn line_break<'t>(text: &'t str, terminator: &'t str) -> &'t str {
    if !terminator.is_empty() {
        return terminator;
    }
    document::line(text, 0).map(|(_, first)| first).filter(|t| !t.is_empty()).unwrap_or("\n")
}

/// Where a file-wide directive goes: the first line, or after a `#!` interpreter line (which must
/// stay first; Rust's `#![attributes]` are not one).
fn file_directive_line(text: &str) -> u32 {
    let first = text.strip_prefix('\u{feff}').unwrap_or(text);
    u32::from(first.starts_with("#!") && !first.starts_with("#!["))
}

fn insertion(line: u32, text: String) -> TextEdit {
    let at = Position { line, character: 0 };
    TextEdit { range: Range { start: at, end: at }, new_text: text }
}

fn fix(title: String, uri: &Uri, edit: TextEdit, diagnostic: &Diagnostic) -> CodeAction {
    CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(WorkspaceEdit { changes: Some(HashMap::from([(uri.clone(), vec![edit])])), ..WorkspaceEdit::default() }),
        ..CodeAction::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn diagnostic(rule: &str, line: u32, character: u32) -> Diagnostic {
        Diagnostic {
            range: Range { start: Position { line, character }, end: Position { line, character: character + 4 } },
            code: Some(NumberOrString::String(rule.into())),
            source: Some(SOURCE.into()),
            ..Diagnostic::default()
        }
    }

    fn edits(actions: &[CodeActionOrCommand]) -> Vec<(String, u32, String)> {
        actions
            .iter()
            .map(|action| {
                let action = serde_json::to_value(action).unwrap();
                let changes = action["edit"]["changes"].as_object().unwrap();
                let edit = &changes.values().next().unwrap()[0];
                assert_eq!(edit["range"]["start"], edit["range"]["end"], "an insertion");
                let line = edit["range"]["start"]["line"].as_u64().unwrap() as u32;
                (action["title"].as_str().unwrap().to_string(), line, edit["newText"].as_str().unwrap().to_string())
            })
            .collect()
    }

    fn whole(text: &str) -> Range {
        Range { start: Position::default(), end: Position { line: text.lines().count() as u32, character: 0 } }
    }

    #[test]
    fn suppresses_on_the_line_with_its_indentation_and_in_the_file_once_per_rule() {
        let uri = Uri::from_str("file:///repo/a.ts").unwrap();
        let text = "#!/usr/bin/env node\nfunction f() {\n\t  get('http://a.example');\n  get('http://b.example');\n}\n";
        let found = [diagnostic("plain-http-url", 2, 8), diagnostic("plain-http-url", 3, 6)];
        let actions = quick_fixes(&uri, text, whole(text), &found);
        let line_fix = |line, indent: &str| {
            (
                "Suppress plain-http-url on this line".to_string(),
                line,
                format!("{indent}// archlint-ignore-next-line plain-http-url -- {REASON_PLACEHOLDER}\n"),
            )
        };
        let file_fix = (
            "Suppress plain-http-url in this file".to_string(),
            1,
            format!("// archlint-ignore-file plain-http-url -- {REASON_PLACEHOLDER}\n"),
        );
        assert_eq!(edits(&actions), [line_fix(2, "\t  "), line_fix(3, "  "), file_fix]);
    }

    #[test]
    fn only_archlint_rule_diagnostics_in_the_range_get_fixes() {
        let uri = Uri::from_str("file:///repo/a.rs").unwrap();
        let text = "fn a() {}\r\nlet x = 1;";
        let mut foreign = diagnostic("plain-http-url", 0, 0);
        foreign.source = Some("rustc".into());
        let notice = diagnostic("unused-suppression", 0, 0);
        let elsewhere = diagnostic("plain-http-url", 0, 0);
        let here = Range { start: Position { line: 1, character: 2 }, end: Position { line: 1, character: 2 } };
        assert!(quick_fixes(&uri, text, here, &[foreign.clone(), notice.clone(), elsewhere]).is_empty());

        let last_line = diagnostic("plain-http-url", 1, 0);
        let titles = edits(&quick_fixes(&uri, text, here, &[foreign, notice, last_line]));
        assert_eq!(
            titles[0].2,
            format!("// archlint-ignore-next-line plain-http-url -- {REASON_PLACEHOLDER}\r\n"),
            "the file's line break"
        );
        assert_eq!(titles[1].1, 0, "no interpreter line: the directive goes first");
    }
}
