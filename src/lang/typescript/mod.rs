//! The TypeScript/JavaScript front-end: tree-sitter parsing (the TSX grammar for `.tsx`, `.jsx`
//! and plain JavaScript, which may contain JSX), one iterative traversal that builds the
//! [`TsModel`] and queues the nodes of the kinds the checker asked for, then hands both to it.

pub mod calls;
mod frameworks;
pub mod model;
pub mod taint;

pub use model::{Framework, Handler, Property, TsModel};

use model::Recorded;

use super::{FileOutput, ParseStats, MAX_NESTING};
use crate::diagnostic::{Notice, NoticeKind};
use crate::models::Knowledge;
use crate::source::{Language, SourceFile, Span};
use crate::timings::Stopwatch;
use foldhash::{HashMap, HashMapExt};
use std::cell::RefCell;
use tree_sitter::{Node, Parser, Tree};

thread_local! {
    static PARSERS: RefCell<(Parser, Parser)> = RefCell::new(new_parsers());
}

/// What the traversal needs to know of each node kind of one grammar, by kind id. Looking kinds up
/// by name in the grammar for every file cost more than the rules themselves, and reading a node's
/// kind name (a C string, measured and checked as UTF-8 on each call) for every node of every file
/// cost a few percent of a scan.
struct KindTable {
    /// Every named kind's ids (a name can have several, e.g. aliases): for the rules' interests.
    ids: HashMap<&'static str, Vec<u16>>,
    /// Functions open a scope for the bindings declared in them.
    function_like: Vec<bool>,
    recorded: Vec<Option<Recorded>>,
}

impl KindTable {
    fn new(language: &tree_sitter::Language) -> KindTable {
        let count = language.node_kind_count();
        let mut table = KindTable { ids: HashMap::new(), function_like: vec![false; count], recorded: vec![None; count] };
        for id in 0..count as u16 {
            let (Some(kind), true) = (language.node_kind_for_id(id), language.node_kind_is_named(id)) else { continue };
            table.ids.entry(kind).or_default().push(id);
            table.function_like[usize::from(id)] = model::is_function_like(kind);
            table.recorded[usize::from(id)] = Recorded::of_kind(kind);
        }
        table
    }
}

/// `[TypeScript, TSX]`, built once.
fn kind_tables() -> &'static [KindTable; 2] {
    static TABLES: std::sync::OnceLock<[KindTable; 2]> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        [KindTable::new(&tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()), KindTable::new(&tree_sitter_typescript::LANGUAGE_TSX.into())]
    })
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

/// The ids of a node kind (a grammar can have several for one name) in the grammar `language`
/// is parsed with: the checker turns the kinds its rules ask for into ids once per file.
pub fn kind_ids(language: Language, name: &str) -> &'static [u16] {
    let kinds = &kind_tables()[usize::from(language != Language::TypeScript)];
    kinds.ids.get(name).map_or(&[][..], Vec::as_slice)
}

/// How many node kinds the grammar `language` is parsed with has (ids are below it).
pub fn kind_count(language: Language) -> usize {
    kind_tables()[usize::from(language != Language::TypeScript)].function_like.len()
}

/// Parses `file`, builds its model and queues, in source order, the nodes whose kind id is
/// `wanted`; then hands both to `check`. Parse time and model time go into `output.timings`;
/// a file that is not analysed (out of parse time, nested too deeply) gets a notice instead and
/// `check` is not called; a file with syntax errors gets a notice and is still checked.
pub fn analyze<F>(file: &SourceFile, knowledge: &Knowledge, wanted: &[bool], measure: bool, output: &mut FileOutput, check: F)
where
    F: for<'t> FnOnce(&TsModel<'t>, Vec<Node<'t>>, &mut FileOutput),
{
    let mut clock = Stopwatch::thread(measure);
    let tree = parse(file);
    let Some(tree) = tree else {
        output.timings.parse += clock.split();
        let budget = parse_budget(file.text.len()).as_secs_f64();
        let message =
            format!("parsing stopped after {budget:.1} s (tree-sitter's error recovery is pathological on this file); not analysed");
        output.notices.push(Notice::file(NoticeKind::FileSkipped, &file.rel_path, message));
        return;
    };
    output.timings.parse += clock.split();
    let root = tree.root_node();
    let kinds = &kind_tables()[usize::from(file.language != Language::TypeScript)];
    let Indexed { recorded, queue, depth } = index_tree(root, kinds, wanted);
    if depth > MAX_NESTING {
        output.timings.model += clock.split();
        output.notices.push(super::too_deep(file, depth));
        return;
    }
    if let Some((span, what)) = root.has_error().then(|| first_error(root, &file.text)).flatten() {
        output.notices.push(Notice::at(
            NoticeKind::ParseError,
            file,
            span,
            format!("syntax error ({what}); findings in this file may be incomplete"),
        ));
    }
    let model = build_model(file, knowledge, recorded);
    output.timings.model += clock.split();
    check(&model, queue, output);
}

/// What one pass over a tree gathers.
struct Indexed<'t> {
    /// The nodes the model records, with the span of the function (or program) around each.
    recorded: Vec<(Recorded, Node<'t>, Span)>,
    /// The nodes some rule asked for, in source order.
    queue: Vec<Node<'t>>,
    depth: usize,
}

/// One pass over the tree collects what the model records and the nodes of `wanted` kinds (by
/// kind id), and measures the depth: tree-sitter builds any depth without
/// recursing, but the model and the rules do recurse, so nothing is looked at before the depth is
/// known to be safe.
fn index_tree<'t>(root: Node<'t>, kinds: &KindTable, wanted: &[bool]) -> Indexed<'t> {
    let (mut recorded, mut queue) = (Vec::new(), Vec::new());
    let mut scopes: Vec<(usize, Span)> = vec![(0, model::span_of(root))];
    let depth = traverse(root, |step| match step {
        Step::Enter(node, depth) => {
            // Error nodes have an id past the grammar's kinds (`u16::MAX`).
            let id = usize::from(node.kind_id());
            if node.is_named() {
                if let Some(&Some(kind)) = kinds.recorded.get(id) {
                    recorded.push((kind, node, scopes.last().unwrap().1));
                }
                if wanted.get(id) == Some(&true) {
                    queue.push(node);
                }
            }
            if kinds.function_like.get(id) == Some(&true) {
                recorded.push((Recorded::Parameters, node, scopes.last().unwrap().1));
                scopes.push((depth, model::span_of(node)));
            }
        }
        // Leaving a node closes the scope it opened.
        Step::Leave(depth) => {
            if scopes.len() > 1 && scopes.last().unwrap().0 == depth {
                scopes.pop();
            }
        }
    });
    Indexed { recorded, queue, depth }
}

/// The model of a file from the nodes [`index_tree`] collected, in source order.
fn build_model<'t>(file: &'t SourceFile, knowledge: &'t Knowledge, recorded: Vec<(Recorded, Node<'t>, Span)>) -> TsModel<'t> {
    let mut model = TsModel::new(&file.text, knowledge);
    model.file_path = &file.rel_path;
    model.workspace_packages = &file.workspace_packages;
    for (kind, node, scope) in recorded {
        model.record(kind, node, scope);
    }
    model.register_routes();
    model
}

/// `--parse-only`: the same parse, then one iterative pass over every node of the tree (the cost
/// of the traversal the full analysis makes), with no model, no queue and no rules.
pub fn parse_only(file: &SourceFile) -> ParseStats {
    let Some(tree) = parse(file) else { return ParseStats { skipped: true, ..ParseStats::default() } };
    let root = tree.root_node();
    let mut nodes = 0u64;
    let depth = traverse(root, |step| {
        if let Step::Enter(node, _) = step {
            nodes += u64::from(node.is_named());
        }
    });
    if depth > MAX_NESTING {
        return ParseStats { skipped: true, ..ParseStats::default() };
    }
    ParseStats { parsed: true, has_errors: root.has_error(), nodes, ..ParseStats::default() }
}

enum Step<'t> {
    /// A node and its depth, on the way down.
    Enter(Node<'t>, usize),
    /// The node at this depth is left (its subtree is done).
    Leave(usize),
}

/// Pre-order traversal of every node without recursion. Returns the tree's depth (the root alone
/// is 1).
fn traverse<'t>(root: Node<'t>, mut visit: impl FnMut(Step<'t>)) -> usize {
    let mut cursor = root.walk();
    let (mut depth, mut max_depth) = (1usize, 1usize);
    loop {
        visit(Step::Enter(cursor.node(), depth));
        if cursor.goto_first_child() {
            depth += 1;
            max_depth = max_depth.max(depth);
            continue;
        }
        loop {
            visit(Step::Leave(depth));
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

/// The first syntax error of a tree, in source order, over every node (a MISSING token is an
/// anonymous leaf). Errors on lines of valid TypeScript the grammar does not know yet
/// (`export type * from "./types"`, TypeScript 5.0) are not syntax errors of the file: the rest
/// of the tree is whole, so they get no notice.
fn first_error(root: Node<'_>, text: &str) -> Option<(Span, String)> {
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            let line_start = text[..node.start_byte().min(text.len())].rfind('\n').map_or(0, |i| i + 1);
            let line = text[line_start..].lines().next().unwrap_or("");
            if !is_unsupported_valid_syntax(line) {
                return Some(if node.is_missing() {
                    (Span::new(node.start_byte(), node.start_byte()), format!("missing `{}`", node.kind()))
                } else {
                    (Span::new(node.start_byte(), node.start_byte() + 1), "unexpected input".into())
                });
            }
        } else if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        // Next sibling, or the next sibling of an ancestor.
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return None;
            }
        }
    }
}

/// Valid TypeScript that tree-sitter-typescript 0.23 does not parse: `export type * from`, and a
/// tagged template with type arguments (`styled.span<{ active: boolean }>\`…\``,
/// kysely's `sql<Row>\`…\``).
fn is_unsupported_valid_syntax(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    let export_type_star = matches!(words.as_slice(), ["export", "type", "*", ..] | ["export", "type", "*as", ..]);
    // The type arguments may span lines (`styled.div<{\n  size: number;\n}>\``): their end is enough.
    let typed_template = line.contains(">`");
    export_type_star || typed_template
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_route_handlers_are_registered_with_the_route_their_directory_stands_for() {
        let source =
            "export async function GET(request) { return 1; }\nexport const POST = async (req) => 2;\nexport function helper() {}\n";
        let path = "web/src/app/api/(admin)/users/[id]/route.ts";
        let file = SourceFile::new(path.into(), path.into(), Language::TypeScript, source.into(), false);
        let tree = parse(&file).unwrap();
        let model = build_model(&file, crate::models::Knowledge::builtin(), index_tree(tree.root_node(), &kind_tables()[0], &[]).recorded);
        let routes: Vec<(Option<&str>, &[String])> =
            model.handlers().iter().map(|h| (h.route.as_deref(), h.request_params.as_slice())).collect();
        assert_eq!(
            routes,
            [(Some("/api/users/[id]"), &["request".to_string()][..]), (Some("/api/users/[id]"), &["req".to_string()][..])],
            "GET and POST, not the helper; the route group is not part of the URL"
        );
        // The same exports outside an `app` directory are not route handlers.
        let elsewhere = SourceFile::new("lib/route.ts".into(), "lib/route.ts".into(), Language::TypeScript, source.into(), false);
        let tree = parse(&elsewhere).unwrap();
        let model =
            build_model(&elsewhere, crate::models::Knowledge::builtin(), index_tree(tree.root_node(), &kind_tables()[0], &[]).recorded);
        assert!(model.handlers().is_empty());
    }

    fn parse_error(source: &str) -> Option<(usize, String)> {
        let file = SourceFile::new("a.ts".into(), "a.ts".into(), Language::TypeScript, source.into(), false);
        let tree = parse(&file).unwrap();
        first_error(tree.root_node(), source).map(|(span, what)| (file.position(span.start).line, what))
    }

    #[test]
    fn syntax_errors_are_placed_on_their_line_and_valid_syntax_the_grammar_lacks_is_none() {
        assert_eq!(parse_error("export const a = 1;\n"), None);
        assert_eq!(parse_error("export type * from './types';\nexport const a = 1;\n"), None);
        assert_eq!(parse_error("const Label = styled.span<{ active: boolean }>`\n  color: red;\n`;\n"), None);
        assert_eq!(parse_error("const Box = styled.div<{\n  size: number;\n}>`\n  color: red;\n`;\n"), None);
        let (line, _) = parse_error("export const a = 1;\n\nfunction f( {\n  return 1;\n}\n").expect("a syntax error");
        assert_eq!(line, 3);
    }

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
