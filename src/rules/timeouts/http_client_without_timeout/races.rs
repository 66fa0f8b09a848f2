//! Promises raced against a timer: a request bounded where it is made, by every caller in the
//! file, or (a project fact) by a caller in another file.

use crate::lang::typescript::model::{descendants, enclosing_function, named_children};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use tree_sitter::Node;

/// Whether the request's promise is bounded where it is made: handed to a timeout wrapper
/// (`withTimeout(axios.get(url), 5000)`, `pTimeout(..)`, or as a function to run:
/// `withTimeout(() => axios.get(url), 5000)`) or raced against a timer
/// (`Promise.race([fetch(url), sleep(5000).then(..)])`). `await` and parentheses on the way are
/// looked through; a function boundary ends the search.
pub(super) fn raced_against_timer(call: Node<'_>, model: &TsModel<'_>) -> bool {
    let mut node = call;
    while let Some(parent) = node.parent() {
        match parent.kind() {
            "await_expression" | "parenthesized_expression" | "as_expression" | "non_null_expression" => node = parent,
            // `withTimeout(() => load(id), ms)`: a wrapper that takes the function to run.
            "arrow_function" if parent.field("body") == Some(node) => node = parent,
            "arguments" => {
                let Some(outer) = parent.parent().filter(|p| p.kind() == "call_expression") else { return false };
                let name = outer
                    .field("function")
                    .map(|f| model.text(f).rsplit('.').next().unwrap_or("").to_ascii_lowercase())
                    .unwrap_or_default();
                return name.contains("timeout") && !matches!(name.as_str(), "settimeout" | "cleartimeout");
            }
            "array" => {
                let race = parent
                    .parent()
                    .filter(|p| p.kind() == "arguments")
                    .and_then(|a| a.parent())
                    .filter(|c| c.kind() == "call_expression" && c.field("function").is_some_and(|f| model.text(f) == "Promise.race"));
                return race.is_some()
                    && named_children(parent).filter(|element| *element != node).any(|element| {
                        let text = model.text(element).to_ascii_lowercase();
                        // Not "wait": `await` is in most async code.
                        ["timeout", "timer", "delay", "sleep"].iter().any(|word| text.contains(word))
                    });
            }
            _ => return false,
        }
    }
    false
}

/// Whether the request is made in a module-private function whose every call in the file is
/// bounded by one of the forms [`raced_against_timer`] reads (`await withTimeout(load(id), ms)`).
/// An exported function may be called from elsewhere, unbounded.
pub(super) fn every_caller_races(call: Node<'_>, model: &TsModel<'_>) -> bool {
    let Some(function) = enclosing_function(call) else { return false };
    let name = match (function.kind(), function.parent()) {
        ("function_declaration", Some(parent)) if parent.kind() != "export_statement" => function.field("name"),
        ("arrow_function" | "function_expression", Some(declarator)) if declarator.kind() == "variable_declarator" => {
            let exported = declarator.parent().and_then(|d| d.parent()).is_some_and(|p| p.kind() == "export_statement");
            declarator.field("name").filter(|n| n.kind() == "identifier" && !exported)
        }
        _ => None,
    };
    let Some(name) = name.map(|n| model.text(n)) else { return false };
    let program = crate::lang::typescript::model::program_of(function);
    let exported_later = descendants(program)
        .filter(|n| n.kind() == "export_specifier" || (n.kind() == "assignment_expression" && model.text(*n).contains("exports")))
        .any(|n| model.text(n).split(|c: char| !c.is_alphanumeric() && c != '_' && c != '$').any(|word| word == name));
    if exported_later {
        return false;
    }
    let mut calls = descendants(program)
        .filter(|n| n.kind() == "call_expression")
        .filter(|n| n.field("function").is_some_and(|f| f.kind() == "identifier" && model.text(f) == name))
        .peekable();
    calls.peek().is_some() && calls.all(|c| raced_against_timer(c, model))
}

/// The name of a function of another file that this call races against a timer
/// (`withTimeout(loadRates(base), ms)` with `loadRates` imported, `Promise.race([this.api.quote(s),
/// sleep(ms)])`): an imported function, or a method of another object.
pub(super) fn raced_callee_of_another_file<'t>(call: Node<'t>, model: &TsModel<'t>) -> Option<&'t str> {
    let callee = call.field("function")?;
    let name = match callee.kind() {
        "identifier" if model.import(model.text(callee)).is_some() => model.text(callee),
        "member_expression" => model.text(callee.field("property")?),
        _ => return None,
    };
    raced_against_timer(call, model).then_some(name)
}

/// The name other files call the function around `call` by, when they can: an exported
/// function, or a method of a class or object (`this.api.loadRates(..)` from a service).
pub(super) fn callable_from_other_files<'t>(call: Node<'t>, model: &TsModel<'t>) -> Option<&'t str> {
    let function = enclosing_function(call)?;
    let parent = function.parent()?;
    let name = match (function.kind(), parent.kind()) {
        ("method_definition", _) => function.field("name"),
        ("function_declaration", "export_statement") => function.field("name"),
        (_, "variable_declarator") => {
            let exported = parent.parent().and_then(|d| d.parent()).is_some_and(|p| p.kind() == "export_statement");
            parent.field("name").filter(|_| exported)
        }
        (_, "pair") => parent.field("key"),
        _ => None,
    };
    name.map(|n| model.text(n))
}
