//! `db-pool-without-timeout`: database pools and clients that wait forever. When the database
//! stalls or the pool is exhausted, every request that needs a connection queues without end,
//! the service stops answering, and health checks that don't touch the database keep it in
//! rotation. Library defaults that are sane (sqlx's 30 s acquire timeout, bb8/r2d2's 30 s) are
//! not findings; switching timeouts off, or a pool whose library has no default, is.

use crate::diagnostic::{Applicability, Edit};
use crate::lang::rust::{method_chain, span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::{Property, TsModel};
use crate::rules::helpers::{add_to_options, calls_before, duration, millis, ts_options_have, Configured};
use crate::rules::{check_option_names, millis_option, Context, Rule, RuleEntry, RuleOptions};
use quote::ToTokens;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "db-pool-without-timeout", build };

struct DbPoolWithoutTimeout {
    /// The wait for a connection a fix writes, in milliseconds.
    fix_timeout_ms: u64,
}

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    let fix_timeout_ms = millis_option(options, ENTRY.id, "fix-timeout-ms", 5_000)?;
    Ok(Box::new(DbPoolWithoutTimeout { fix_timeout_ms }))
}

/// Timeouts above this many seconds bound nothing a client would wait for.
const MAX_SECONDS: u64 = 300;

/// Seconds in a `Duration` expression, when literal: `Duration::from_secs(3600)`, `Duration::MAX`.
fn duration_seconds(expr: &syn::Expr) -> Option<u64> {
    let text = expr.to_token_stream().to_string().replace(' ', "");
    if text.ends_with("Duration::MAX") || text.ends_with("u64::MAX)") {
        return Some(u64::MAX);
    }
    let (function, rest) = text.split_once('(')?;
    let value: u64 = rest.trim_end_matches(')').replace('_', "").parse().ok()?;
    Some(match function.rsplit("::").next()? {
        "from_secs" => value,
        "from_millis" => value / 1000,
        "from_mins" => value * 60,
        "from_hours" => value * 3600,
        _ => return None,
    })
}

impl DbPoolWithoutTimeout {
    fn check_ts_options(&self, options: Node<'_>, keys: &[&str], model: &TsModel<'_>, cx: &mut Context<'_>) {
        let options = model.resolve(options);
        if options.kind() != "object" {
            return;
        }
        for key in keys {
            if let Property::Found(value) = model.property(options, key) {
                if model.text(model.resolve(value)).trim() == "0" {
                    cx.report(span_of(value), format!("`{key}: 0` turns the database client's timeout off, so calls can wait forever"))
                        .help = Some("leave the library default or set a finite timeout in milliseconds".into());
                }
            }
        }
    }
}

impl DbPoolWithoutTimeout {
    /// The calls the models say a fix adds before the `.build()` of a builder without its
    /// required timeout (deadpool's `.wait_timeout(Some(..))`, and `.runtime(..)`, which deadpool
    /// needs to time anything): the first always, the others when the chain has no call of
    /// their method. A fix that adds more than the first is unsafe (the runtime needs a crate
    /// feature).
    fn required_timeout_fix(
        &self,
        krate: &str,
        fix_calls: &[String],
        chain: &[&syn::ExprMethodCall],
        build: &syn::ExprMethodCall,
        cx: &Context<'_>,
    ) -> Option<(String, Applicability, Edit)> {
        let method_of = |call: &str| call.trim_start_matches('.').split('(').next().unwrap_or("").to_string();
        let added: Vec<String> = fix_calls
            .iter()
            .enumerate()
            .filter(|(index, call)| *index == 0 || !chain.iter().any(|c| c.method == method_of(call)))
            .map(|(_, call)| call.replace("{duration}", &duration(self.fix_timeout_ms)).replace("{crate}", krate))
            .collect();
        let first = added.first()?;
        let shown: Vec<String> = added.iter().map(|call| format!("`{call}`")).collect();
        let (description, applicability) = match added.len() {
            1 => (format!("add `{first}`"), Applicability::Safe),
            _ => (format!("add {} (which may need a crate feature)", shown.join(" and ")), Applicability::Unsafe),
        };
        let calls: Vec<&str> = added.iter().map(String::as_str).collect();
        Some((description, applicability, calls_before(cx.file, build, &calls)))
    }
}

impl Rule for DbPoolWithoutTimeout {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn service_only(&self) -> bool {
        true
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression", "new_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        let callee = node.field("function").or_else(|| node.field("constructor"));
        let arguments: Vec<Node<'_>> = node.field("arguments").map(|a| named_children(a).collect()).unwrap_or_default();
        // What the models say of the connection this call opens (`models/pg.toml`, …): an option
        // it must set (pg has no default at all), options whose `0` turns a timeout off.
        for connection in model.connections(node) {
            if let (Some(required), Some(callee)) = (&connection.required_timeout, callee) {
                if matches!(ts_options_have(model, arguments.first().copied(), &[required.as_str()]), Configured::No) {
                    let option = format!("{required}: {}", millis(self.fix_timeout_ms));
                    // A connection string as the argument (`new Client(url)`) takes no options beside it.
                    let fix = match arguments.first() {
                        Some(first) if first.kind() != "object" => None,
                        _ => add_to_options(node, 0, &option, model, cx.file),
                    };
                    let finding =
                        cx.report(span_of(callee), format!("{} without `{required}` waits forever for a connection", connection.what));
                    finding.help = Some(format!("set `{required}` (and a statement timeout) in the options"));
                    if let Some(edits) = fix {
                        finding.with_fix(format!("set `{option}`"), Applicability::Safe, edits);
                    }
                }
            }
            // Options are the last object argument: `mongoose.connect(uri, opts)`, `new Redis(opts)`, `createPool(opts)`.
            let keys: Vec<&str> = connection.timeout_options.iter().map(String::as_str).collect();
            if let (false, Some(options)) = (keys.is_empty(), arguments.iter().rev().find(|a| model.resolve(**a).kind() == "object")) {
                self.check_ts_options(*options, &keys, model, cx);
            }
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if node.site.in_test || cx.in_test {
            return;
        }
        let RustSyntax::MethodCall(call) = node.syntax else { return };
        let method = call.method.to_string();
        match method.as_str() {
            // deadpool `Pool::builder(manager)...build()` with no wait timeout: deadpool waits
            // forever by default (a `required-timeout` of the models).
            "build" => {
                let (root, calls) = method_chain(&call.receiver);
                let syn::Expr::Call(builder) = root else { return };
                let parts = model.call_parts(builder);
                let connections = model.connections(&parts);
                let Some((connection, required)) = connections.iter().find_map(|c| Some((*c, c.required_timeout.as_deref()?))) else {
                    return;
                };
                // `calls` is the chain before `.build()`.
                let configured = calls.iter().any(|c| c.method == required || connection.timeout_methods.iter().any(|m| c.method == m));
                if configured {
                    return;
                }
                let path = model.call_path(builder).unwrap_or_default();
                let krate = path.split("::").next().unwrap_or_default();
                let fix = self.required_timeout_fix(krate, &connection.fix_calls, &calls, call, cx);
                let finding = cx.report(
                    rust_span(cx.file, &builder.func),
                    format!("{} built without `{required}`: when the pool is exhausted, requests wait forever", connection.what),
                );
                finding.help = Some(format!("call `.{required}(..)` on the builder with a wait of a few seconds"));
                if let Some((description, applicability, edit)) = fix {
                    finding.with_fix(description, applicability, vec![edit]);
                }
            }
            // sqlx `acquire_timeout`, bb8/r2d2 `connection_timeout`, deadpool `wait_timeout(Some(..))`
            // (the models' `timeout-methods`): absurd values.
            _ if model.knowledge().is_connection_timeout_method(&method) => {
                let Some(argument) = call.args.first() else { return };
                let inner = match argument {
                    syn::Expr::Call(some) if some.func.to_token_stream().to_string() == "Some" => some.args.first().unwrap_or(argument),
                    other => other,
                };
                if let Some(seconds) = duration_seconds(inner).filter(|s| *s > MAX_SECONDS) {
                    let shown = if seconds == u64::MAX { "forever".to_string() } else { format!("{seconds} s") };
                    cx.report(rust_span(cx.file, argument), format!("`{method}` lets a caller wait {shown} for a database connection"))
                        .help = Some("use a timeout a client would wait for (a few seconds), and fail fast with a 503".into());
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let parse = |s: &str| duration_seconds(&syn::parse_str::<syn::Expr>(s).unwrap());
        assert_eq!(parse("Duration::from_secs(3600)"), Some(3600));
        assert_eq!(parse("std::time::Duration::from_millis(5_000)"), Some(5));
        assert_eq!(parse("Duration::MAX"), Some(u64::MAX));
        assert_eq!(parse("config.timeout"), None);
    }
}
