//! `command-injection`: a shell command line built from run-time values. `exec`/`execSync` and
//! `spawn`/`execFile` with `shell: true` hand the whole string to `/bin/sh`, so `;`, `|`, `$( )`
//! in the data run as commands. An argument array without a shell is the safe form.

use super::exec_file::exec_to_exec_file;
use super::{option_set, report_origin, report_rust_origin, rust_receiver_root};
use crate::diagnostic::{Applicability, Level};
use crate::lang::rust::model::{end_point, start_point};
use crate::lang::rust::{RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::SinkKind;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use crate::taint::Origin;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "command-injection", build };

struct CommandInjection;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(CommandInjection))
}

const HELP: &str =
    "run the program directly with an argument array and no shell (`execFile(cmd, [arg])`, `spawn(cmd, args)`); validate arguments against an allowlist";

/// Programs that interpret their `-c` (or `/C`) argument as a script.
const SHELLS: &[&str] =
    &["sh", "bash", "zsh", "dash", "ksh", "fish", "cmd", "cmd.exe", "powershell", "pwsh", "/bin/sh", "/bin/bash", "/usr/bin/env"];

impl CommandInjection {
    /// `Command::new(program)` at the root of a builder chain or in the variable it is held in.
    fn command_program<'e>(model: &'e RustModel<'_>, node: &RustNode<'_>, receiver: &'e syn::Expr) -> Option<&'e syn::Expr> {
        let syn::Expr::Call(call) = rust_receiver_root(model, &node.site, receiver) else { return None };
        let sinks = model.sinks(&model.call_parts(call), SinkKind::Shell);
        call.args.iter().nth(sinks.first()?.arguments[0])
    }

    fn check_rust_method(&self, call: &syn::ExprMethodCall, model: &RustModel<'_>, node: &RustNode<'_>, cx: &mut Context<'_>) {
        let method = call.method.to_string();
        if method != "arg" && method != "args" {
            return;
        }
        let Some(program) = Self::command_program(model, node, &call.receiver) else { return };
        let Some(program) = model.string_value(program, node.site.fn_id) else { return };
        let shell = program.rsplit(['/', '\\']).next().unwrap_or(&program).to_ascii_lowercase();
        if !SHELLS.contains(&shell.as_str()) && !SHELLS.contains(&program.as_str()) {
            return;
        }
        // The script is what follows `-c`: in an earlier `.arg("-c")` of the chain, or in the same `args([...])`.
        let (_, earlier) = crate::lang::rust::method_chain(&call.receiver);
        let is_flag =
            |e: &syn::Expr| model.string_value(e, node.site.fn_id).is_some_and(|v| matches!(v.as_str(), "-c" | "/C" | "/c" | "-Command"));
        let flag_before = earlier.iter().any(|m| m.method == "arg" && m.args.first().is_some_and(is_flag))
            || Self::flag_given_earlier(model, node, call, &is_flag);
        let scripts: Vec<&syn::Expr> = if method == "arg" {
            if !flag_before {
                return;
            }
            call.args.iter().collect()
        } else {
            let Some(syn::Expr::Array(array)) = call.args.first().map(strip_reference) else { return };
            let elements: Vec<&syn::Expr> = array.elems.iter().collect();
            match elements.iter().position(|e| is_flag(e)) {
                Some(flag) => elements[flag + 1..].to_vec(),
                None if flag_before => elements,
                None => return,
            }
        };
        let sink = format!("`Command::new(\"{program}\")`");
        for script in scripts {
            if report_rust_origin(cx, model, &node.site, script, "a shell script", &sink, Some(Level::Warning), HELP, SinkKind::Shell) {
                return;
            }
        }
    }

    /// `-c` given in an earlier statement to the command held in a variable:
    /// `let mut cmd = Command::new("sh"); cmd.arg("-c"); cmd.arg(script);`.
    fn flag_given_earlier(
        model: &RustModel<'_>,
        node: &RustNode<'_>,
        call: &syn::ExprMethodCall,
        is_flag: &dyn Fn(&syn::Expr) -> bool,
    ) -> bool {
        let (syn::Expr::Path(variable), _) = crate::lang::rust::method_chain(&call.receiver) else { return false };
        let Some(local) = model.local_of(node.site.fn_id, variable) else { return false };
        let here = start_point(variable);
        local.calls.iter().filter(|earlier| end_point(*earlier) <= here).any(|earlier| match earlier.method.to_string().as_str() {
            "arg" => earlier.args.first().is_some_and(is_flag),
            // `cmd.args(["-c"])`: the flag closes the list, the script comes next.
            "args" => match earlier.args.first().map(strip_reference) {
                Some(syn::Expr::Array(array)) => array.elems.last().is_some_and(is_flag),
                _ => false,
            },
            _ => false,
        })
    }

    fn check_rust_call(&self, call: &syn::ExprCall, model: &RustModel<'_>, node: &RustNode<'_>, cx: &mut Context<'_>) {
        // `Command::new(<request value>)`: the client picks the program.
        let sinks = model.sinks(&model.call_parts(call), SinkKind::Shell);
        let Some(program) = sinks.first().and_then(|sink| call.args.iter().nth(sink.arguments[0])) else { return };
        if node.site.in_test {
            return;
        }
        let origin = model.origin_for(program, &node.site, cx.file, Some(SinkKind::Shell));
        if origin.is_request() {
            report_origin(cx, crate::lang::rust::span_of(cx.file, program), &origin, "the program to run", "`Command::new`", None, HELP);
        }
    }
}

fn strip_reference(expr: &syn::Expr) -> &syn::Expr {
    match expr {
        syn::Expr::Reference(r) => strip_reference(&r.expr),
        syn::Expr::Paren(p) => strip_reference(&p.expr),
        other => other,
    }
}

impl Rule for CommandInjection {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        match node.syntax {
            RustSyntax::Call(call) => self.check_rust_call(call, model, node, cx),
            RustSyntax::MethodCall(call) => self.check_rust_method(call, model, node, cx),
            _ => {}
        }
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let sinks = model.sinks(node, SinkKind::Shell);
        let Some(sink) = sinks.first() else { return };
        let Some(callee) = node.field("function") else { return };
        let arguments: Vec<Node<'_>> = node.field("arguments").map(|a| named_children(a).collect()).unwrap_or_default();
        let Some(first) = arguments.get(sink.arguments[0]).copied() else { return };
        let shown = super::sink_name(callee, model);
        let origin = |node: Node<'_>| model.origin_for(node, Some(SinkKind::Shell));
        match &sink.when_option {
            // Always a shell: the command line is one argument.
            None => {
                if report_origin(cx, span_of(first), &origin(first), "a shell command", &shown, Some(Level::Warning), HELP) {
                    if let Some(edits) = exec_to_exec_file(node, model, cx.file) {
                        if let Some(finding) = cx.last_finding() {
                            finding.with_fix("run the program without a shell, with an argument array", Applicability::Unsafe, edits);
                        }
                    }
                }
            }
            // A shell only with `{ shell: true }`: then the command and its arguments are joined
            // into one command line.
            Some(key) => {
                if !option_set(model, &arguments, 1, key) {
                    return;
                }
                let parts = sink.arguments.iter().filter_map(|&index| arguments.get(index));
                let command_line = parts.fold(Origin::Constant, |acc, argument| acc.join(origin(*argument)));
                let what = format!("a shell command (`{key}: true`)");
                report_origin(cx, span_of(node), &command_line, &what, &shown, Some(Level::Warning), HELP);
            }
        }
    }
}
