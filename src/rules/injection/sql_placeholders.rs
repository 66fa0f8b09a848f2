//! The fix for SQL text written as a template literal (`` pool.query(`… WHERE id = ${id}`) ``):
//! every substitution becomes a placeholder and its expression goes into a values array after
//! the statement, which is how node-postgres and mysql2 bind values. Written only where the
//! rewrite is exact: each substitution stands for a value (after a comparison, `LIKE`, inside
//! `VALUES (…)`, or inside a quoted SQL string, which becomes one placeholder), never for an
//! identifier or a list (`ORDER BY ${column}`, `IN (${ids})`), and the driver is known from the
//! file's imports and the sink's model (`placeholders`).

use crate::diagnostic::Edit;
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::{FieldExt, TsModel};
use crate::models::{Placeholder, Sink};
use crate::source::{SourceFile, Span};
use tree_sitter::Node;

/// The edits that bind the substitutions of `template`, the only argument of `call`, as values.
pub(super) fn bind_template_values(
    call: Node<'_>,
    template: Node<'_>,
    sinks: &[&Sink],
    model: &TsModel<'_>,
    file: &SourceFile,
) -> Option<Vec<Edit>> {
    let style = placeholder_style(sinks, model)?;
    let arguments = named_children(call.field("arguments")?).filter(|a| a.kind() != "comment").count();
    if template.kind() != "template_string" || arguments != 1 {
        return None;
    }
    let substitutions: Vec<Node<'_>> = named_children(template).filter(|c| c.kind() == "template_substitution").collect();
    if substitutions.is_empty() {
        return None;
    }
    // The SQL text between the substitutions, as written (the backticks left out).
    let inner = Span::new(template.start_byte() + 1, template.end_byte() - 1);
    let mut pieces = Vec::with_capacity(substitutions.len() + 1);
    let mut cursor = inner.start;
    for substitution in &substitutions {
        pieces.push(Span::new(cursor, substitution.start_byte()));
        cursor = substitution.end_byte();
    }
    pieces.push(Span::new(cursor, inner.end));
    let text = |span: Span| &file.text[span.start..span.end];
    let marker_in_text = |piece: &Span| match style {
        Placeholder::Positional => text(*piece).contains('?'),
        Placeholder::Numbered => text(*piece).as_bytes().windows(2).any(|w| w[0] == b'$' && w[1].is_ascii_digit()),
    };
    // Escapes read differently in the template and in SQL; placeholders already written would be
    // numbered wrongly.
    if pieces.iter().any(|p| text(*p).contains('\\') || marker_in_text(p)) {
        return None;
    }

    // One pass over the SQL text: where each substitution stands, and the quoted literals that
    // hold substitutions (each bound whole).
    let mut bound: Vec<(Span, String)> = Vec::new();
    let mut sql_so_far = String::new();
    let mut state = Quote::None;
    for (index, piece) in pieces.iter().enumerate() {
        let bytes = text(*piece).as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let byte = bytes[at];
            state = match state {
                Quote::None if byte == b'\'' => {
                    Quote::String { opened_at: piece.start + at, sql_before: sql_so_far.len() + at, holds_values: false }
                }
                Quote::None if byte == b'"' || byte == b'`' => Quote::Identifier(byte),
                Quote::String { .. } if byte == b'\'' && bytes.get(at + 1) == Some(&b'\'') => {
                    at += 1;
                    state
                }
                Quote::String { opened_at, sql_before, holds_values } if byte == b'\'' => {
                    if holds_values {
                        // A string standing for a value: not `interval '${n} days'` or `E'…'`.
                        if !is_value_position(&sql_so_far[..sql_before], &text(*piece)[at + 1..]) {
                            return None;
                        }
                        let literal = Span::new(opened_at, piece.start + at + 1);
                        bound.push((literal, literal_value(literal, &substitutions, model, file)?));
                    }
                    Quote::None
                }
                Quote::Identifier(quote) if byte == quote => Quote::None,
                state => state,
            };
            at += 1;
        }
        sql_so_far.push_str(text(*piece));
        let Some(substitution) = substitutions.get(index) else { break };
        match state {
            Quote::None => {
                if !is_value_position(&sql_so_far, text(pieces[index + 1])) {
                    return None;
                }
                bound.push((span_of(*substitution), value_expression(*substitution, model)?.to_string()));
            }
            Quote::String { opened_at, sql_before, .. } => state = Quote::String { opened_at, sql_before, holds_values: true },
            Quote::Identifier(_) => return None,
        }
        sql_so_far.push('0');
    }
    if state != Quote::None {
        return None;
    }

    let mut edits: Vec<Edit> = bound
        .iter()
        .enumerate()
        .map(|(n, (span, _))| {
            let marker = match style {
                Placeholder::Numbered => format!("${}", n + 1),
                Placeholder::Positional => "?".to_string(),
            };
            Edit::replace(file, *span, marker)
        })
        .collect();
    let values = format!("[{}]", bound.iter().map(|(_, value)| value.as_str()).collect::<Vec<_>>().join(", "));
    edits.push(values_after(call, template, &values, file)?);
    Some(edits)
}

/// The values array after the statement: inline (`query(`…`, [a])`), or on a line of its own,
/// indented like the statement, when the arguments are laid out one per line.
fn values_after(call: Node<'_>, template: Node<'_>, values: &str, file: &SourceFile) -> Option<Edit> {
    let arguments = call.field("arguments")?;
    if arguments.start_position().row == template.start_position().row {
        return Some(Edit::insert(file, template.end_byte(), format!(", {values}")));
    }
    let line_start = file.text[..template.start_byte()].rfind('\n').map_or(0, |i| i + 1);
    let indent: String = file.text[line_start..].chars().take_while(|c| *c == ' ' || *c == '\t').collect();
    let after = &file.text[template.end_byte()..];
    let comma = after.len() - after.trim_start_matches([' ', '\t']).len();
    Some(if after[comma..].starts_with(',') {
        Edit::insert(file, template.end_byte() + comma + 1, format!("\n{indent}{values},"))
    } else {
        Edit::insert(file, template.end_byte(), format!(",\n{indent}{values}"))
    })
}

/// The one way the file's imports say values are bound: `None` when no sink has placeholders,
/// the file imports none of their modules, or it imports drivers that disagree.
fn placeholder_style(sinks: &[&Sink], model: &TsModel<'_>) -> Option<Placeholder> {
    let mut styles =
        sinks.iter().flat_map(|sink| sink.placeholders.iter()).filter(|(module, _)| model.imports_module(module)).map(|(_, s)| *s);
    let first = styles.next()?;
    styles.all(|s| s == first).then_some(first)
}

/// The substitution's expression, unless it would mean something else inside an array (`a, b`).
fn value_expression<'t>(substitution: Node<'_>, model: &TsModel<'t>) -> Option<&'t str> {
    let expression = named_children(substitution).next()?;
    (expression.kind() != "sequence_expression").then(|| model.text(expression))
}

/// Where the SQL text read so far ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    /// Inside a single-quoted string that opened at this byte of the file, after this much of
    /// the SQL text read so far.
    String {
        opened_at: usize,
        sql_before: usize,
        holds_values: bool,
    },
    /// Inside a double-quoted or backquoted identifier.
    Identifier(u8),
}

/// The value a quoted SQL literal holding substitutions is bound to: the expression of
/// `'${name}'`, or a template of the literal's text (`'%${q}%'` → `` `%${q}%` ``, `''` as `'`).
fn literal_value(literal: Span, substitutions: &[Node<'_>], model: &TsModel<'_>, file: &SourceFile) -> Option<String> {
    let content = Span::new(literal.start + 1, literal.end - 1);
    if let Some(only) = substitutions.iter().find(|s| span_of(**s) == content) {
        return value_expression(*only, model).map(str::to_string);
    }
    Some(format!("`{}`", file.text[content.start..content.end].replace("''", "'")))
}

/// Whether a bare substitution between `before` and `after` stands for a value: after a
/// comparison or `LIKE`, or an item of `VALUES (…)`, and not glued to a name (`${schema}.t`).
fn is_value_position(before: &str, after: &str) -> bool {
    let glued = after.chars().next().is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '"' | '\'' | '`' | '$'));
    if glued {
        return false;
    }
    let trimmed = before.trim_end();
    if trimmed.ends_with(['=', '<', '>']) {
        return true;
    }
    let last_word: String =
        trimmed.chars().rev().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<Vec<_>>().into_iter().rev().collect();
    if last_word.eq_ignore_ascii_case("like") || last_word.eq_ignore_ascii_case("ilike") {
        return !trimmed[..trimmed.len() - last_word.len()].ends_with(|c: char| c.is_alphanumeric() || c == '_');
    }
    if trimmed.ends_with(['(', ',']) {
        return inside_values_list(trimmed);
    }
    false
}

/// Whether the end of `sql` is inside the parentheses of `VALUES (…)` (one row).
fn inside_values_list(sql: &str) -> bool {
    let mut depth = 0usize;
    for (at, c) in sql.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' if depth > 0 => depth -= 1,
            '(' => {
                let keyword = sql[..at].trim_end();
                let word_start = keyword.rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
                return keyword[word_start..].eq_ignore_ascii_case("values");
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_positions() {
        assert!(is_value_position("SELECT * FROM t WHERE id = ", ""));
        assert!(is_value_position("WHERE a >= ", " AND b"));
        assert!(is_value_position("WHERE name ILIKE ", ""));
        assert!(is_value_position("INSERT INTO t (a, b) VALUES (", ", 1)"));
        assert!(is_value_position("INSERT INTO t (a, b) VALUES (1, ", ")"));
        assert!(is_value_position("WHERE id = ", "::uuid"));
        assert!(!is_value_position("SELECT * FROM ", ""), "a table name");
        assert!(!is_value_position("ORDER BY ", " DESC"), "a column");
        assert!(!is_value_position("WHERE id IN (", ")"), "a list");
        assert!(!is_value_position("WHERE id = ", ".x"), "glued to a name");
        assert!(!is_value_position("WHERE unlike ", ""), "a word ending in like");
        assert!(!is_value_position("LIMIT ", ""));
    }
}
