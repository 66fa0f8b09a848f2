//! The TypeScript/JavaScript recorder of summaries: calls that pass request data or a
//! parameter to a function the file does not show (an import, an injected service, another
//! function of the file), and what the file exports under other names or passes on from other
//! modules. The sinks that parameters reach are recorded by the rules (`report_origin`).

use super::{Reexport, Summary};
use crate::lang::typescript::calls::callee;
use crate::lang::typescript::model::constant_prefix;
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::{FieldExt, TsModel};
use crate::source::SourceFile;
use crate::taint::Origin;
use crate::text::fixes_origin;
use tree_sitter::Node;

/// The node kinds the recorder looks at.
pub const KINDS: &[&str] = &["call_expression", "program", "return_statement", "arrow_function"];

/// Records what `node` (of one of [`KINDS`]) tells the project pass.
pub fn record(node: Node<'_>, model: &TsModel<'_>, file: &SourceFile, summary: &mut Summary) {
    match node.kind() {
        "call_expression" => record_call(node, model, file, summary),
        "program" => {
            record_exports(node, model, summary);
            record_imports(node, model, summary);
            summary.browser_code = is_browser_module(model, file);
        }
        "return_statement" => {
            let function = crate::lang::typescript::model::enclosing_function(node);
            if let (Some(value), Some(function)) = (node.named_child(0), function) {
                record_return(value, function, model, file, summary);
            }
        }
        // `const body = (req: Request) => req.body;`
        "arrow_function" => {
            if let Some(body) = node.field("body").filter(|b| b.kind() != "statement_block") {
                record_return(body, node, model, file, summary);
            }
        }
        _ => {}
    }
}

/// What a named function returns, when it is request data or made of its parameters: a request
/// wrapper (`reqBody(req: Request)`) is a source wherever it is called.
fn record_return(value: Node<'_>, function: Node<'_>, model: &TsModel<'_>, file: &SourceFile, summary: &mut Summary) {
    // Without parameters a function returns request data only if it reads a request it was not
    // given: not worth asking about every getter and factory.
    let has_parameters = function.field("parameters").is_some_and(|p| p.named_child_count() > 0) || function.field("parameter").is_some();
    if !has_parameters {
        return;
    }
    let Some(key) = model.function_key(function) else { return };
    // Declared to return a number or a boolean (also as a promise): safe, whatever it computes.
    let declared = function.field("return_type").map(|t| model.text(t).trim_start_matches(':').trim().to_string());
    if declared.is_some_and(|t| matches!(t.as_str(), "number" | "boolean" | "bigint" | "Promise<number>" | "Promise<boolean>")) {
        return;
    }
    let origin = model.origin(value);
    if matches!(origin, Origin::Request(_) | Origin::Parameter(_)) {
        summary.add_returns(file, key, span_of(value), &origin);
    }
}

fn record_call(call: Node<'_>, model: &TsModel<'_>, file: &SourceFile, summary: &mut Summary) {
    let Some(arguments) = call.field("arguments").filter(|a| a.kind() == "arguments") else { return };
    // `require("./x")`, `await import("./x")`: an import wherever it is written.
    if call.field("function").is_some_and(|f| f.kind() == "import" || (f.kind() == "identifier" && model.text(f) == "require")) {
        if let Some(specifier) = arguments.named_child(0).and_then(|a| model.string_literal(a)) {
            add_import(summary, &specifier);
        }
        return;
    }
    if arguments.named_child_count() == 0 {
        return;
    }
    if validates(call, model) {
        record_validated(arguments, model, summary);
        return;
    }
    let Some(callee) = call.field("function").and_then(|f| callee(model, f)) else { return };
    for (index, argument) in named_children(arguments).enumerate() {
        if argument.kind() == "spread_element" {
            break;
        }
        let origin = model.origin(argument);
        if matches!(origin, Origin::Request(_) | Origin::Parameter(_)) {
            let fixed_origin = fixes_origin(&constant_prefix(argument, model, 0)) || model.host_fixed_by_leading_value(argument);
            // Request data whose shape is fixed before the handler sees it: a declared DTO, or a
            // route parameter (a string cut from the path).
            let typed = model.from_declared_parameter(&origin, argument) || origin.flow().is_some_and(|flow| flow.is_route_parameter());
            summary.add_call(file, callee.clone(), index, span_of(call), &origin, fixed_origin, typed);
        }
    }
}

/// Methods of schema libraries (zod, joi, yup, ajv, superstruct) and class-validator's functions
/// that check a whole value against a declared shape.
const VALIDATING_METHODS: &[&str] =
    &["parse", "parseAsync", "safeParse", "safeParseAsync", "validate", "validateSync", "validateAsync", "validateOrReject", "assert"];

/// Whether a call validates its arguments: `schema.parse(body)`, `validate(dto)`,
/// `new ValidationPipe().transform(body, ..)`.
fn validates(call: Node<'_>, model: &TsModel<'_>) -> bool {
    let Some(function) = call.field("function").map(|f| model.unwrap_expression(f)) else { return false };
    match function.kind() {
        "identifier" => matches!(model.text(function), "validate" | "validateOrReject" | "validateSync"),
        "member_expression" => {
            let method = function.field("property").map(|p| model.text(p)).unwrap_or("");
            let receiver = function.field("object").map(|o| model.text(o)).unwrap_or("");
            VALIDATING_METHODS.contains(&method) || (method == "transform" && receiver.contains("ValidationPipe"))
        }
        _ => false,
    }
}

/// The parameters a validating call checks: arguments made of the enclosing function's own
/// parameters (`schema.parse(body)`, `validate(plainToInstance(Dto, body))`).
fn record_validated(arguments: Node<'_>, model: &TsModel<'_>, summary: &mut Summary) {
    for argument in named_children(arguments) {
        if let Origin::Parameter(parameters) = model.origin(argument) {
            for parameter in parameters {
                let entry = (parameter.function, parameter.index);
                if !summary.validated.contains(&entry) {
                    summary.validated.push(entry);
                }
            }
        }
    }
}

/// The modules the file's top-level statements import or re-export from.
fn record_imports(program: Node<'_>, model: &TsModel<'_>, summary: &mut Summary) {
    for statement in named_children(program).filter(|s| matches!(s.kind(), "import_statement" | "export_statement")) {
        // `import x = require("m")` keeps its module inside the clause.
        let source = statement.field("source").or_else(|| {
            named_children(statement)
                .find(|c| c.kind() == "import_require_clause")
                .and_then(|clause| named_children(clause).find(|c| c.kind() == "string"))
        });
        if let Some(specifier) = source.and_then(|s| model.string_literal(s)) {
            add_import(summary, &specifier);
        }
    }
}

fn add_import(summary: &mut Summary, specifier: &str) {
    // Node's own modules are never a file of the project.
    if !specifier.starts_with("node:") && !summary.imports.iter().any(|known| known == specifier) {
        summary.imports.push(specifier.to_string());
    }
}

/// Whether a module is browser code by what it says of itself (its imports, name and directives:
/// [`TsModel::is_browser_code_by_its_declarations`]; a front-end directory or package) and nothing in it says it runs on a server: Next.js data
/// functions (`getServerSideProps`), `"use server"`, server-only imports (`next/headers`,
/// `server-only`), or an app-router page or layout, which renders on the server unless it says
/// `"use client"`.
pub fn is_browser_module(model: &TsModel<'_>, file: &SourceFile) -> bool {
    let browser = model.is_browser_code_by_its_declarations() || crate::source::is_frontend_path(&file.rel_path) || file.in_browser_app;
    browser && !says_it_runs_on_a_server(model, file)
}

fn says_it_runs_on_a_server(model: &TsModel<'_>, file: &SourceFile) -> bool {
    const SERVER_MODULES: &[&str] = &["server-only", "next/headers", "next/server", "next/cache"];
    const DATA_FUNCTIONS: &[&str] = &["getServerSideProps", "getStaticProps", "getStaticPaths"];
    if SERVER_MODULES.iter().any(|module| model.imports_module(module))
        || DATA_FUNCTIONS.iter().any(|name| model.declares(name))
        || crate::lang::typescript::model::starts_with_directive(model.src, "use server")
    {
        return true;
    }
    let path = file.rel_path.as_str();
    let stem = path.rsplit('/').next().unwrap_or(path).split('.').next().unwrap_or("");
    let app_router = path.starts_with("app/") || path.contains("/app/");
    app_router
        && matches!(stem, "page" | "layout" | "template" | "default" | "route")
        && !crate::lang::typescript::model::starts_with_directive(model.src, "use client")
}

/// The file's exports under other names and its re-exports, from its top-level statements.
fn record_exports(program: Node<'_>, model: &TsModel<'_>, summary: &mut Summary) {
    for statement in named_children(program) {
        match statement.kind() {
            "export_statement" => record_export(statement, model, summary),
            // `module.exports = build`, `module.exports = { make: build }`
            "expression_statement" => {
                let Some(assignment) = statement.named_child(0).filter(|n| n.kind() == "assignment_expression") else { continue };
                let is_module_exports = assignment.field("left").and_then(|l| model.member_path(l)).as_deref() == Some("module.exports");
                let Some(value) = assignment.field("right").filter(|_| is_module_exports) else { continue };
                match value.kind() {
                    "identifier" => summary.exports.push(("default".into(), model.text(value).into())),
                    "object" => {
                        for pair in named_children(value).filter(|p| p.kind() == "pair") {
                            let (Some(key), Some(local)) = (pair.field("key"), pair.field("value")) else { continue };
                            if local.kind() == "identifier" && model.text(key) != model.text(local) {
                                summary.exports.push((model.text(key).into(), model.text(local).into()));
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

fn record_export(statement: Node<'_>, model: &TsModel<'_>, summary: &mut Summary) {
    let source = statement.field("source").and_then(|s| model.string_literal(s));
    let is_default = (0..statement.child_count()).filter_map(|i| statement.child(i)).any(|c| c.kind() == "default");
    if let Some(declaration) = statement.field("declaration") {
        // `export default function build() {}`, `export default class Reports {}`
        if is_default {
            if let Some(name) = declaration.field("name") {
                summary.exports.push(("default".into(), model.text(name).into()));
            }
        }
        return;
    }
    if let Some(value) = statement.field("value").filter(|v| v.kind() == "identifier") {
        // `export default build;`
        summary.exports.push(("default".into(), model.text(value).into()));
        return;
    }
    let mut all = true;
    for child in named_children(statement) {
        match child.kind() {
            "export_clause" => {
                all = false;
                for specifier in named_children(child).filter(|s| s.kind() == "export_specifier") {
                    let Some(name) = specifier.field("name").map(|n| model.text(n).trim_matches(['"', '\'']).to_string()) else {
                        continue;
                    };
                    let exported =
                        specifier.field("alias").map_or_else(|| name.clone(), |a| model.text(a).trim_matches(['"', '\'']).to_string());
                    match &source {
                        Some(specifier) => {
                            summary.reexports.push(Reexport { exported: Some(exported), specifier: specifier.clone(), name: Some(name) })
                        }
                        None if exported != name => summary.exports.push((exported, name)),
                        None => {}
                    }
                }
            }
            // `export * as reports from "./reports"`
            "namespace_export" => {
                all = false;
                let exported = child.named_child(0).map(|n| model.text(n).to_string());
                if let Some(specifier) = &source {
                    summary.reexports.push(Reexport { exported, specifier: specifier.clone(), name: None });
                }
            }
            _ => {}
        }
    }
    // `export * from "./reports"`
    if all {
        if let Some(specifier) = source {
            summary.reexports.push(Reexport { exported: None, specifier, name: None });
        }
    }
}
