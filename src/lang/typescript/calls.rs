//! Which function a call names, as far as one TypeScript/JavaScript file can tell: an import
//! of a project module (relative or through a path alias), a method of a class the file or an
//! import declares (`this.reports.find(..)` through a typed field, NestJS injection), a function
//! or object-literal method of the file. What the function does is for the project pass
//! (`crate::flows`) to find out.

use super::model::named_children;
use super::{FieldExt, TsModel};
use crate::taint::Callee;
use tree_sitter::Node;

/// The function a callee expression names, when it may be one of the project's.
pub fn callee(model: &TsModel<'_>, function: Node<'_>) -> Option<Callee> {
    let function = model.unwrap_expression(function);
    match function.kind() {
        "identifier" => {
            let name = model.text(function);
            if let Some(binding) = model.binding(function) {
                // A function of this file: declared, or bound to a function value.
                let value = binding.value.map(|v| model.unwrap_expression(v))?;
                let key = model.function_key(value)?;
                return Some(Callee::Local { names: vec![key] });
            }
            let import = model.import(name).filter(|i| is_project_module(model, &i.module))?;
            let names = vec![import.export.clone().unwrap_or_else(|| "default".to_string())];
            Some(Callee::Import { specifier: import.module.clone(), names })
        }
        "member_expression" => {
            let method = model.text(function.field("property")?);
            let object = model.unwrap_expression(function.field("object")?);
            match object.kind() {
                // `this.helper(x)`: a method of the same class.
                "this" => Some(Callee::Local { names: vec![format!("{}.{method}", enclosing_class_name(model, object)?)] }),
                // `this.reports.build(x)`: a method of the field's declared type.
                "member_expression" => {
                    let receiver = model.unwrap_expression(object.field("object")?);
                    if receiver.kind() != "this" {
                        return None;
                    }
                    let field = model.text(object.field("property")?);
                    let type_name = field_type(model, object, field)?;
                    type_callee(model, object, &type_name, method)
                }
                "identifier" => {
                    let name = model.text(object);
                    if let Some(binding) = model.binding(object) {
                        // `reports.build(x)` where `const reports = { build(..) {..} }` in this file.
                        let value = binding.value.map(|v| model.unwrap_expression(v))?;
                        return (value.kind() == "object").then(|| Callee::Local { names: vec![format!("{name}.{method}")] });
                    }
                    let import = model.import(name).filter(|i| is_project_module(model, &i.module))?;
                    let names = match &import.export {
                        Some(export) => vec![format!("{export}.{method}")],
                        // A namespace, default or `require` import: the module's export, or a
                        // member of its default export.
                        None => vec![method.to_string(), format!("default.{method}")],
                    };
                    Some(Callee::Import { specifier: import.module.clone(), names })
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether an import specifier may name a file of the project: a relative path, an alias of
/// the shapes `tsconfig.json` `paths` are given (`@/lib/db`, `~/lib/db`, `#lib/db`,
/// `src/lib/db`), or a package of the same repository the file's package depends on
/// (`@acme/db/queries` with `"@acme/db": "workspace:*"`). Other packages (`express`,
/// `@nestjs/common`) are not followed: asking where every argument of every library call comes
/// from would cost a fifth of a scan.
fn is_project_module(model: &TsModel<'_>, specifier: &str) -> bool {
    let package = crate::text::package_name(specifier);
    model.workspace_packages.iter().any(|p| p == package)
        || specifier.starts_with('.')
        || specifier.starts_with("@/")
        || specifier.starts_with('~')
        || specifier.starts_with('#')
        || ["src/", "app/", "lib/", "server/"].iter().any(|prefix| specifier.starts_with(prefix))
}

/// `ReportsService.build` for a method of a class named `type_name`: imported, or of this file.
fn type_callee(model: &TsModel<'_>, at: Node<'_>, type_name: &str, method: &str) -> Option<Callee> {
    let base = type_name.split('<').next().unwrap_or(type_name).trim();
    match model.import(base) {
        Some(import) if !is_project_module(model, &import.module) => None,
        Some(import) => {
            let class = import.export.clone().unwrap_or_else(|| "default".to_string());
            let mut names = vec![format!("{class}.{method}")];
            if import.export.is_none() {
                names.push(format!("{base}.{method}"));
            }
            Some(Callee::Import { specifier: import.module.clone(), names })
        }
        None if model.binding(at).is_none() && base.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$') => {
            Some(Callee::Local { names: vec![format!("{base}.{method}")] })
        }
        None => None,
    }
}

/// The declared type of field `field` of the class around `node`: a constructor parameter
/// property (`constructor(private readonly reports: ReportsService)`, NestJS injection) or a
/// field declaration (`private reports: ReportsService`).
pub fn field_type(model: &TsModel<'_>, node: Node<'_>, field: &str) -> Option<String> {
    let class = enclosing_class(node)?;
    let body = class.field("body")?;
    for member in named_children(body) {
        match member.kind() {
            "public_field_definition" if member.field("name").is_some_and(|n| model.text(n) == field) => {
                return annotation(model, member);
            }
            "method_definition" if member.field("name").is_some_and(|n| model.text(n) == "constructor") => {
                let parameters = member.field("parameters")?;
                for parameter in named_children(parameters) {
                    if parameter.field("pattern").is_some_and(|p| model.text(p) == field) {
                        return annotation(model, parameter);
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// The type a declaration is annotated with, without the colon.
fn annotation(model: &TsModel<'_>, declaration: Node<'_>) -> Option<String> {
    let annotation = declaration.field("type")?;
    Some(model.text(annotation).trim_start_matches(':').trim().to_string())
}

fn enclosing_class(node: Node<'_>) -> Option<Node<'_>> {
    std::iter::successors(node.parent(), |n| n.parent())
        .find(|n| matches!(n.kind(), "class_declaration" | "abstract_class_declaration" | "class"))
}

fn enclosing_class_name(model: &TsModel<'_>, node: Node<'_>) -> Option<String> {
    Some(model.text(enclosing_class(node)?.field("name")?).to_string())
}
