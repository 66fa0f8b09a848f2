//! The fix for a shell command line built from values (`` exec(`convert ${file} out.png`) ``):
//! the program run directly with an argument array, no shell between (`execFile("convert",
//! [String(file), "out.png"])`). Written only where the split into words is unambiguous: the
//! literal text holds no quoting, expansion, redirection, pipes or globs, the program is a
//! literal word, and the callee is `child_process`'s own `exec`/`execSync` (a member of the
//! module, or a named import that can take `execFile` beside it).

use crate::diagnostic::Edit;
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::{FieldExt, TsModel};
use crate::source::SourceFile;
use tree_sitter::Node;

/// One piece of the command line, in order: literal text, or a value spliced in.
enum Part<'t> {
    Text(&'t str),
    Value(Node<'t>),
}

/// The edits that turn `exec(command, …)` into `execFile(program, [args], …)`.
pub(super) fn exec_to_exec_file<'t>(call: Node<'t>, model: &TsModel<'t>, file: &SourceFile) -> Option<Vec<Edit>> {
    let callee = call.field("function")?;
    let qualified = model.qualified_name(callee)?;
    let function = qualified.strip_prefix("node:").unwrap_or(&qualified).strip_prefix("child_process.")?;
    let replacement = match function {
        "exec" => "execFile",
        "execSync" => "execFileSync",
        _ => return None,
    };
    let command = named_children(call.field("arguments")?).find(|a| a.kind() != "comment")?;
    let mut parts = Vec::new();
    command_parts(command, model, &mut parts)?;
    let words = split_words(&parts)?;
    let (program, arguments) = words.split_first()?;
    let [Part::Text(program)] = program.as_slice() else { return None };
    let arguments: Vec<String> = arguments.iter().map(|word| word_expression(word, model)).collect::<Option<_>>()?;

    let mut edits = rename_callee(callee, function, replacement, model, file)?;
    edits.push(Edit::replace(file, span_of(command), format!("\"{program}\", [{}]", arguments.join(", "))));
    Some(edits)
}

/// The parts of a template literal or a `+` chain of strings and values.
fn command_parts<'t>(node: Node<'t>, model: &TsModel<'t>, parts: &mut Vec<Part<'t>>) -> Option<()> {
    let node = model.unwrap_expression(node);
    match node.kind() {
        "template_string" => {
            let mut cursor = node.start_byte() + 1;
            for substitution in named_children(node).filter(|c| c.kind() == "template_substitution") {
                parts.push(Part::Text(&model.src[cursor..substitution.start_byte()]));
                parts.push(Part::Value(named_children(substitution).next()?));
                cursor = substitution.end_byte();
            }
            parts.push(Part::Text(&model.src[cursor..node.end_byte() - 1]));
            Some(())
        }
        "string" => {
            let text = model.text(node);
            parts.push(Part::Text(&text[1..text.len() - 1]));
            Some(())
        }
        "binary_expression" if node.field("operator").is_some_and(|op| model.text(op) == "+") => {
            command_parts(node.field("left")?, model, parts)?;
            command_parts(node.field("right")?, model, parts)
        }
        "identifier" | "member_expression" | "call_expression" | "subscript_expression" => {
            parts.push(Part::Value(node));
            Some(())
        }
        _ => None,
    }
}

/// The command line's words (split at spaces and tabs), each a run of parts. `None` when the
/// literal text means something to the shell beyond separating words.
fn split_words<'p, 't>(parts: &'p [Part<'t>]) -> Option<Vec<Vec<Part<'t>>>> {
    const SHELL_SYNTAX: &[char] =
        &['|', '&', ';', '<', '>', '(', ')', '$', '`', '\\', '"', '\'', '*', '?', '[', ']', '{', '}', '~', '#', '\n', '\r', '!'];
    let mut words: Vec<Vec<Part<'t>>> = Vec::new();
    let mut current: Vec<Part<'t>> = Vec::new();
    for part in parts {
        match part {
            Part::Value(node) => current.push(Part::Value(*node)),
            Part::Text(text) => {
                if text.contains(SHELL_SYNTAX) {
                    return None;
                }
                let mut pieces = text.split([' ', '\t']).peekable();
                while let Some(piece) = pieces.next() {
                    if !piece.is_empty() {
                        current.push(Part::Text(piece));
                    }
                    // A separator follows every piece but the last.
                    if pieces.peek().is_some() && !current.is_empty() {
                        words.push(std::mem::take(&mut current));
                    }
                }
            }
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    // `NAME=value cmd` sets an environment variable: not a program.
    let assigns = matches!(words.first().and_then(|w| w.first()), Some(Part::Text(t)) if t.contains('='));
    (!assigns && !words.is_empty()).then_some(words)
}

/// One argument as a JavaScript string: a literal word quoted, a lone value through `String(..)`
/// (the shell stringified it; `execFile` wants strings), a mixed word as a template.
fn word_expression(word: &[Part<'_>], model: &TsModel<'_>) -> Option<String> {
    Some(match word {
        [Part::Text(text)] => format!("\"{text}\""),
        [Part::Value(value)] if matches!(value.kind(), "template_string" | "string") => model.text(*value).to_string(),
        [Part::Value(value)] => format!("String({})", model.text(*value)),
        mixed => {
            let mut template = String::from("`");
            for part in mixed {
                match part {
                    Part::Text(text) => template.push_str(text),
                    Part::Value(value) => {
                        template.push_str("${");
                        template.push_str(model.text(*value));
                        template.push('}');
                    }
                }
            }
            template.push('`');
            template
        }
    })
}

/// `cp.exec` → `cp.execFile`; a named import `exec` → `execFile`, imported beside it unless it
/// already is. `None` for aliases and names bound otherwise.
fn rename_callee(callee: Node<'_>, function: &str, replacement: &str, model: &TsModel<'_>, file: &SourceFile) -> Option<Vec<Edit>> {
    match callee.kind() {
        "member_expression" => {
            let property = callee.field("property")?;
            (model.text(property) == function).then(|| vec![Edit::replace(file, span_of(property), replacement)])
        }
        "identifier" if model.text(callee) == function => {
            let mut edits = vec![Edit::replace(file, span_of(callee), replacement)];
            let root = std::iter::successors(Some(callee), |n| n.parent()).last()?;
            match model.import(replacement) {
                Some(import) if is_child_process(&import.module) && import.export.as_deref() == Some(replacement) => {}
                Some(_) => return None,
                // The only use of `exec`: the import names `execFile` instead (an unused import
                // fails `noUnusedLocals`).
                None if references(root, function, model) == 2 => edits.push(import_edit(root, function, replacement, model, file)?),
                None => edits.push(import_edit(root, function, &format!("{function}, {replacement}"), model, file)?),
            }
            Some(edits)
        }
        _ => None,
    }
}

fn is_child_process(module: &str) -> bool {
    module.strip_prefix("node:").unwrap_or(module) == "child_process"
}

/// How many identifiers in the file are `name` (its import counts one).
fn references(root: Node<'_>, name: &str, model: &TsModel<'_>) -> usize {
    let mut count = 0;
    let mut cursor = root.walk();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if matches!(node.kind(), "identifier" | "shorthand_property_identifier_pattern" | "shorthand_property_identifier")
            && model.text(node) == name
        {
            count += 1;
        }
        stack.extend(node.named_children(&mut cursor));
    }
    count
}

/// The edit that makes `existing`'s specifier read `with` in `import { exec } from
/// "child_process"` or `const { exec } = require("child_process")`: the same edit for every fix
/// in the file, so that several fixes share it.
fn import_edit(root: Node<'_>, existing: &str, with: &str, model: &TsModel<'_>, file: &SourceFile) -> Option<Edit> {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "import_specifier" | "shorthand_property_identifier_pattern" if model.text(node) == existing => {
                let statement = std::iter::successors(Some(node), |n| n.parent())
                    .find(|n| matches!(n.kind(), "import_statement" | "lexical_declaration" | "variable_declaration"))?;
                return model.text(statement).contains("child_process").then(|| Edit::replace(file, span_of(node), with));
            }
            "program"
            | "import_statement"
            | "import_clause"
            | "named_imports"
            | "lexical_declaration"
            | "variable_declaration"
            | "variable_declarator"
            | "object_pattern" => stack.extend(named_children(node)),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Option<Vec<String>> {
        let parts = [Part::Text(text)];
        split_words(&parts)
            .map(|words| words.iter().map(|w| w.iter().map(|p| if let Part::Text(t) = p { *t } else { "" }).collect::<String>()).collect())
    }

    #[test]
    fn literal_text_splits_only_when_the_shell_would_do_nothing_else() {
        assert_eq!(words("convert  -resize 50%\tout.png").unwrap(), ["convert", "-resize", "50%", "out.png"]);
        assert_eq!(words("git log --format=%H").unwrap(), ["git", "log", "--format=%H"]);
        for shell in ["ls | wc", "a && b", "cat < f", "echo $HOME", "rm *.tmp", "echo 'x y'", "cd ~", "a; b", "echo `id`"] {
            assert!(words(shell).is_none(), "{shell}");
        }
        assert!(words("LANG=C sort").is_none(), "an environment assignment");
        assert!(words("   ").is_none());
    }
}
