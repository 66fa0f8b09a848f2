//! `command-injection`: a shell command line built from run-time values. `exec`/`execSync` and
//! `spawn`/`execFile` with `shell: true` hand the whole string to `/bin/sh`, so `;`, `|`, `$( )`
//! in the data run as commands. An argument array without a shell is the safe form.

use super::report_origin;
use crate::diagnostic::Level;
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::{Property, TsModel};
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "command-injection", build };

struct CommandInjection;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(CommandInjection))
}

const HELP: &str =
    "run the program directly with an argument array and no shell (`execFile(cmd, [arg])`, `spawn(cmd, args)`); validate arguments against an allowlist";

/// Calls that always run their first argument through a shell.
const SHELL_CALLS: &[&str] = &["exec", "execSync"];
/// Calls that run a shell only with `{ shell: true }`.
const SPAWN_CALLS: &[&str] = &["spawn", "spawnSync", "execFile", "execFileSync", "fork"];

impl Rule for CommandInjection {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = node.child_by_field_name("function") else { return };
        let Some(name) = model.qualified_name(callee) else { return };
        let Some((module, function)) = name.rsplit_once('.') else { return };
        let module = module.trim_start_matches("node:");
        let Some(arguments) = node.child_by_field_name("arguments") else { return };
        let arguments: Vec<Node<'_>> = named_children(arguments).collect();
        let Some(first) = arguments.first().copied() else { return };
        let shown = super::sink_name(callee, model);
        match (module, function) {
            ("child_process", f) if SHELL_CALLS.contains(&f) => {
                report_origin(cx, span_of(first), &model.origin(first), "a shell command", &shown, Some(Level::Warning), HELP);
            }
            ("shelljs", "exec") | ("execa", "execaCommand" | "execaCommandSync" | "command" | "commandSync") => {
                report_origin(cx, span_of(first), &model.origin(first), "a shell command", &shown, Some(Level::Warning), HELP);
            }
            ("child_process", f) if SPAWN_CALLS.contains(&f) => {
                let shell = arguments.iter().skip(1).any(|options| {
                    let object = model.resolve(*options);
                    object.kind() == "object"
                        && matches!(model.property(object, "shell"), Property::Found(value) if model.bool_value(value) == Some(true) || model.string_value(value).is_some())
                });
                if !shell {
                    return;
                }
                // With a shell, the command and its arguments are joined into one command line.
                let command_line = arguments.iter().take(2).fold(model.origin(first), |acc, argument| acc.join(model.origin(*argument)));
                report_origin(cx, span_of(node), &command_line, "a shell command (`shell: true`)", &shown, Some(Level::Warning), HELP);
            }
            _ => {}
        }
    }
}
