//! The TypeScript/JavaScript front-end: tree-sitter parsing (the TSX grammar for `.tsx`, `.jsx`
//! and plain JavaScript, which may contain JSX), one iterative traversal that builds the
//! [`TsModel`] and queues the nodes rules asked for, then the checks.

pub mod model;
pub mod taint;

pub use model::{Framework, Handler, Property, TsModel};

use super::{ActiveRules, FileOutput, ParseStats, MAX_NESTING};
use crate::diagnostic::{Notice, NoticeKind};
use crate::rules::Context;
use crate::source::{Language, SourceFile, Span};
use crate::timings::{RuleClock, Stopwatch};
use std::cell::RefCell;
use std::collections::HashMap;
use tree_sitter::{Node, Parser, Tree};

thread_local! {
    static PARSERS: RefCell<(Parser, Parser)> = RefCell::new(new_parsers());
    /// Per grammar (TypeScript, TSX): every named node kind's ids, built once per thread. Looking
    /// kinds up by name in the grammar for every file cost more than the rules themselves.
    static KIND_IDS: [HashMap<&'static str, Vec<u16>>; 2] = [
        kind_table(&tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()),
        kind_table(&tree_sitter_typescript::LANGUAGE_TSX.into()),
    ];
}

/// Field ids by name, for each grammar: `[TypeScript, TSX]`. tree-sitter's own
/// `child_by_field_name` compares the name with every field name of the grammar on each call,
/// which cost about a tenth of a scan's CPU time.
struct FieldIds {
    by_name: HashMap<&'static str, [Option<u16>; 2]>,
    /// The TSX grammar has more fields (JSX's): a node's grammar is told by its field count.
    tsx_field_count: usize,
}

static FIELD_IDS: std::sync::OnceLock<FieldIds> = std::sync::OnceLock::new();

fn field_ids() -> &'static FieldIds {
    FIELD_IDS.get_or_init(|| {
        let grammars: [tree_sitter::Language; 2] =
            [tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(), tree_sitter_typescript::LANGUAGE_TSX.into()];
        let mut by_name: HashMap<&'static str, [Option<u16>; 2]> = HashMap::new();
        for (index, grammar) in grammars.iter().enumerate() {
            for id in 1..=grammar.field_count() as u16 {
                if let Some(name) = grammar.field_name_for_id(id) {
                    by_name.entry(name).or_default()[index] = Some(id);
                }
            }
        }
        assert_ne!(grammars[0].field_count(), grammars[1].field_count(), "the grammars are told apart by their field counts");
        FieldIds { by_name, tsx_field_count: grammars[1].field_count() }
    })
}

/// `child_by_field_name` with the field's id looked up in a table instead of the grammar.
pub trait FieldExt<'t> {
    fn field(&self, name: &str) -> Option<Node<'t>>;
}

impl<'t> FieldExt<'t> for Node<'t> {
    fn field(&self, name: &str) -> Option<Node<'t>> {
        let table = field_ids();
        let ids = table.by_name.get(name)?;
        let grammar = usize::from(self.language().field_count() == table.tsx_field_count);
        self.child_by_field_id(ids[grammar]?)
    }
}

fn new_parsers() -> (Parser, Parser) {
    let mut typescript = Parser::new();
    typescript.set_language(&tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()).expect("TypeScript grammar ABI is supported");
    let mut tsx = Parser::new();
    tsx.set_language(&tree_sitter_typescript::LANGUAGE_TSX.into()).expect("TSX grammar ABI is supported");
    (typescript, tsx)
}

/// Parses a file, or gives up after [`parse_budget`]: on some broken input tree-sitter's error
/// recovery takes time that grows faster than the file (`f(x, ` followed by 256 KiB of
/// `if a {} else ` took 50 s), and a scan must not hang on one file.
pub fn parse(file: &SourceFile) -> Option<Tree> {
    let budget = parse_budget(file.text.len());
    let started = std::time::Instant::now();
    // Called every hundred parser operations (milliseconds apart even on pathological input).
    let mut out_of_time = |_: &tree_sitter::ParseState| started.elapsed() > budget;
    let options = tree_sitter::ParseOptions::new().progress_callback(&mut out_of_time);
    let bytes = file.text.as_bytes();
    PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let parser = match file.language {
            Language::TypeScript => &mut parsers.0,
            _ => &mut parsers.1,
        };
        let tree = parser.parse_with_options(&mut |offset, _| &bytes[offset.min(bytes.len())..], None, Some(options));
        if tree.is_none() {
            // A cancelled parse would otherwise resume with the next file.
            parser.reset();
        }
        tree
    })
}

/// How long a parse may take: far more than any well-formed file needs (about 1 s per MB in a
/// debug build), so that only pathological input reaches it. It is the one place where a result
/// depends on the machine's speed, and only for files that would otherwise stall the scan.
pub fn parse_budget(len: usize) -> std::time::Duration {
    std::time::Duration::from_secs(10) + std::time::Duration::from_micros(len as u64 * 10)
}

pub fn analyze(file: &SourceFile, active: &ActiveRules<'_>) -> FileOutput {
    let mut output = FileOutput::default();
    let mut clock = Stopwatch::thread(active.measure);
    let tree = parse(file);
    let Some(tree) = tree else {
        output.timings.parse += clock.split();
        let budget = parse_budget(file.text.len()).as_secs_f64();
        let message =
            format!("parsing stopped after {budget:.1} s (tree-sitter's error recovery is pathological on this file); not analysed");
        output.notices.push(Notice::file(NoticeKind::FileSkipped, &file.rel_path, message));
        return output;
    };
    let root = tree.root_node();
    // tree-sitter builds any depth without recursing; the model and the rules do recurse.
    let depth = tree_depth(root);
    if depth > MAX_NESTING {
        output.timings.parse += clock.split();
        output.notices.push(super::too_deep(file, depth));
        return output;
    }
    if root.has_error() {
        let (span, what) = first_error(root);
        output.notices.push(Notice::at(
            NoticeKind::ParseError,
            file,
            span,
            format!("syntax error ({what}); findings in this file may be incomplete"),
        ));
    }
    output.timings.parse += clock.split();

    // kind id → indices into `active.rules` interested in that kind.
    let mut interest: Vec<Vec<usize>> = vec![Vec::new(); tree.language().node_kind_count()];
    KIND_IDS.with(|tables| {
        let table = &tables[usize::from(file.language != Language::TypeScript)];
        for (index, (rule, _)) in active.rules.iter().enumerate() {
            for kind in rule.ts_kinds() {
                for &id in table.get(kind).map_or(&[][..], Vec::as_slice) {
                    interest[id as usize].push(index);
                }
            }
        }
    });

    let mut model = TsModel::new(&file.text);
    let mut queue: Vec<Node<'_>> = Vec::new();
    walk(root, |node, scope| {
        model.record(node, scope);
        if interest.get(node.kind_id() as usize).is_some_and(|rules| !rules.is_empty()) {
            queue.push(node);
        }
    });
    output.timings.model += clock.split();

    let mut rule_clock = RuleClock::new(active.measure, active.rules.len());
    let mut panicked = vec![false; active.rules.len()];
    let reported = RefCell::default();
    for node in queue {
        for &index in &interest[node.kind_id() as usize] {
            if panicked[index] {
                continue;
            }
            let (rule, level) = active.rules[index];
            let mut cx = Context {
                file,
                level,
                in_test: file.is_test_path,
                rule: rule.id(),
                findings: &mut output.findings,
                facts: &mut output.facts,
                reported: &reported,
            };
            let started = rule_clock.start();
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                crate::fault::maybe_panic_in_rule(rule.id());
                rule.check_ts(node, &model, &mut cx)
            }));
            rule_clock.stop(index, started);
            if result.is_err() {
                panicked[index] = true;
                output.notices.push(internal_error(file, rule.id(), node));
            }
        }
    }
    output.timings.rules += clock.split();
    output.timings.rules_each = rule_clock.finish(active.rules.iter().map(|(rule, _)| rule.id()));
    output
}

/// `--parse-only`: the same parse, then one iterative pass over every node of the tree (the cost
/// of the traversal the full analysis makes), with no model, no queue and no rules.
pub fn parse_only(file: &SourceFile) -> ParseStats {
    let Some(tree) = parse(file) else { return ParseStats { skipped: true, ..ParseStats::default() } };
    let root = tree.root_node();
    let mut nodes = 0u64;
    let depth = walk_with_depth(root, &mut |node| nodes += u64::from(node.is_named()));
    if depth > MAX_NESTING {
        return ParseStats { skipped: true, ..ParseStats::default() };
    }
    ParseStats { parsed: true, has_errors: root.has_error(), nodes, ..ParseStats::default() }
}

/// The depth of the tree (the root alone is 1), without recursion.
fn tree_depth(root: Node<'_>) -> usize {
    walk_with_depth(root, &mut |_| {})
}

/// Visits every node of the tree in order, without recursion, and returns its depth.
fn walk_with_depth(root: Node<'_>, visit: &mut dyn FnMut(Node<'_>)) -> usize {
    let mut cursor = root.walk();
    let (mut depth, mut max_depth) = (1usize, 1usize);
    loop {
        visit(cursor.node());
        if cursor.goto_first_child() {
            depth += 1;
            max_depth = max_depth.max(depth);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return max_depth;
            }
            depth -= 1;
        }
    }
}

fn internal_error(file: &SourceFile, rule: &'static str, node: Node<'_>) -> Notice {
    Notice::internal_error(file, model::span_of(node), rule)
}

/// Every id the grammar uses for each named kind (a name can have several ids, e.g. aliases).
fn kind_table(language: &tree_sitter::Language) -> HashMap<&'static str, Vec<u16>> {
    let mut table: HashMap<&'static str, Vec<u16>> = HashMap::new();
    for id in 0..language.node_kind_count() as u16 {
        if let (Some(kind), true) = (language.node_kind_for_id(id), language.node_kind_is_named(id)) {
            table.entry(kind).or_default().push(id);
        }
    }
    table
}

/// Pre-order traversal without recursion, passing each named node and the span of the function
/// (or program) that encloses it.
fn walk<'t>(root: Node<'t>, mut visit: impl FnMut(Node<'t>, Span)) {
    let mut cursor = root.walk();
    let mut scopes: Vec<(usize, Span)> = vec![(0, model::span_of(root))];
    let mut depth = 0usize;
    loop {
        let node = cursor.node();
        if node.is_named() {
            visit(node, scopes.last().unwrap().1);
        }
        if model::is_function_like(node.kind()) {
            scopes.push((depth, model::span_of(node)));
        }
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            // Leaving `cursor.node()`: close its scope if it opened one.
            if scopes.len() > 1 && scopes.last().unwrap().0 == depth {
                scopes.pop();
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            depth -= 1;
        }
    }
}

fn first_error(root: Node<'_>) -> (Span, String) {
    for node in model::descendants(root) {
        if node.is_error() {
            return (Span::new(node.start_byte(), node.start_byte() + 1), "unexpected input".into());
        }
        if node.is_missing() {
            return (Span::new(node.start_byte(), node.start_byte()), format!("missing `{}`", node.kind()));
        }
    }
    // `has_error` can be set by a MISSING leaf that `descendants` (named only) skipped.
    (Span::new(0, 0), "unexpected input".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_finds_what_child_by_field_name_finds() {
        let source = "import a from 'b';\nclass C { m(x: number) { return f(x, { k: [1] }) ?? new D(x); } }\nconst g = async (y) => { try { await y; } catch (e) {} };\n";
        for language in [Language::TypeScript, Language::Tsx] {
            let file = SourceFile::new("a.ts".into(), "a.ts".into(), language, source.into(), false);
            let tree = parse(&file).unwrap();
            let mut cursor = tree.walk();
            let mut checked = 0;
            loop {
                let node = cursor.node();
                for &name in field_ids().by_name.keys() {
                    assert_eq!(node.field(name), node.child_by_field_name(name), "{name} of {}", node.kind());
                    checked += usize::from(node.field(name).is_some());
                }
                if cursor.goto_first_child() || cursor.goto_next_sibling() {
                    continue;
                }
                while cursor.goto_parent() && !cursor.goto_next_sibling() {}
                if cursor.node() == tree.root_node() {
                    break;
                }
            }
            assert!(checked > 20, "{checked}");
            assert_eq!(tree.root_node().field("no-such-field"), None);
        }
    }
}
