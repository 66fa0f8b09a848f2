//! `path-traversal`: request data used as a file-system path. `../` sequences (or an absolute
//! path) in the data reach files outside the intended directory: configuration, keys, source.

use super::{report_origin, report_rust_origin};
use crate::lang::rust::model::path_names;
use crate::lang::rust::{RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::{Property, TsModel};
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "path-traversal", build };

struct PathTraversal;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(PathTraversal))
}

const HELP: &str = "reduce the name to its last component (`path.basename`), or resolve the path and check that it still starts with the base directory; for `res.sendFile`, pass `{ root }`";

pub(crate) const FS_MODULES: &[&str] = &["fs", "fs/promises", "fs-extra", "node:fs", "node:fs/promises", "graceful-fs"];
/// File-system functions whose first argument is a path (two paths for copy and rename).
const FS_FUNCTIONS: &[&str] = &[
    "readFile",
    "readFileSync",
    "writeFile",
    "writeFileSync",
    "appendFile",
    "appendFileSync",
    "createReadStream",
    "createWriteStream",
    "unlink",
    "unlinkSync",
    "rm",
    "rmSync",
    "rmdir",
    "readdir",
    "readdirSync",
    "open",
    "openSync",
    "stat",
    "statSync",
    "access",
    "accessSync",
    "mkdir",
    "mkdirSync",
    "copyFile",
    "copyFileSync",
    "rename",
    "renameSync",
    "readJson",
    "readJSON",
    "outputFile",
    "remove",
];

/// Rust file-system entry points (std, tokio, async-std) and static-file responders, by path suffix.
const RUST_FS_CALLS: &[&str] = &[
    "fs::read",
    "fs::read_to_string",
    "fs::write",
    "fs::remove_file",
    "fs::remove_dir_all",
    "fs::create_dir_all",
    "fs::read_dir",
    "fs::metadata",
    "fs::copy",
    "fs::rename",
    "fs::File::open",
    "fs::File::create",
    "File::open",
    "File::create",
    "NamedFile::open",
    "NamedFile::open_async",
    "ServeFile::new",
];

impl Rule for PathTraversal {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        let RustSyntax::Call(call) = node.syntax else { return };
        let Some(path) = model.call_path(call) else { return };
        let Some(function) = RUST_FS_CALLS.iter().find(|f| path_names(&path, f)) else { return };
        // `File::open` is only a file when it is std's, tokio's or async-std's (or imported from them).
        if function.starts_with("File::") && !(path.contains("fs::") || model.imports_crate("std") || model.imports_crate("tokio")) {
            return;
        }
        let paths = if function.ends_with("copy") || function.ends_with("rename") { 2 } else { 1 };
        let sink = format!("`{function}`");
        for argument in call.args.iter().take(paths) {
            if report_rust_origin(cx, model, &node.site, argument, "a file path", &sink, None, HELP) {
                break;
            }
        }
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = node.field("function") else { return };
        let Some(arguments) = node.field("arguments") else { return };
        let arguments: Vec<Node<'_>> = named_children(arguments).collect();
        let Some(first) = arguments.first().copied() else { return };
        // Named only when something is reported (this runs for every call).
        let shown = || super::sink_name(callee, model);

        // `res.sendFile(p)`, `res.download(p)`: Express serves any file it is given, unless `root` confines it.
        if callee.kind() == "member_expression" {
            let method = callee.field("property").map(|p| model.text(p)).unwrap_or("");
            if matches!(method, "sendFile" | "download" | "sendfile") {
                let confined = arguments.iter().skip(1).any(|options| {
                    let object = model.resolve(*options);
                    object.kind() == "object" && matches!(model.property(object, "root"), Property::Found(_))
                });
                if !confined {
                    report_origin(cx, span_of(first), &model.origin(first), "a file path", &shown(), None, HELP);
                }
                return;
            }
        }

        let Some(name) = model.qualified_name(callee) else { return };
        let Some((module, function)) = name.rsplit_once('.') else { return };
        let module = module.strip_suffix(".promises").unwrap_or(module);
        if !FS_MODULES.contains(&module) || !FS_FUNCTIONS.contains(&function) {
            return;
        }
        let paths = if matches!(function, "copyFile" | "copyFileSync" | "rename" | "renameSync") { 2 } else { 1 };
        for path in arguments.iter().take(paths) {
            if report_origin(cx, span_of(*path), &model.origin(*path), "a file path", &shown(), None, HELP) {
                break;
            }
        }
    }
}
