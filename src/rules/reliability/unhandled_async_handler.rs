//! `unhandled-async-handler`: an `async` Express route handler whose awaited calls can reject
//! with nothing to catch it. Express 4 ignores the promise a handler returns, so the rejection
//! never reaches the error middleware: the client waits until it times out, and Node logs an
//! unhandled rejection (or, with `--unhandled-rejections=throw`, the default since Node 15, the
//! process exits). Express 5 passes the rejection on, so the finding requires a `package.json`
//! that depends on Express 4 ([`Fact::Express4`], see `src/manifest.rs`).

use crate::diagnostic::Fact;
use crate::lang::typescript::model::{is_function_like, named_children, span_of, Framework};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use crate::source::Span;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "unhandled-async-handler", build };

struct UnhandledAsyncHandler;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(UnhandledAsyncHandler))
}

const HELP: &str = "wrap the body in try/catch and call `next(err)`, wrap the handler (`express-async-handler`), load `express-async-errors` once at start-up, or move to Express 5";

impl Rule for UnhandledAsyncHandler {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["arrow_function", "function_expression", "function", "import_statement", "call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        match node.kind() {
            "import_statement" | "call_expression" => {
                if loads_express_async_errors(node, model) {
                    cx.fact(Fact::ExpressAsyncErrors);
                }
            }
            _ => check_handler(node, model, cx),
        }
    }
}

/// `import "express-async-errors"` or `require("express-async-errors")`: Express 4 then passes
/// rejected promises to the error middleware, for every router of the process.
fn loads_express_async_errors(node: Node<'_>, model: &TsModel<'_>) -> bool {
    let module = match node.kind() {
        "import_statement" => node.field("source"),
        _ => {
            let is_require = node.field("function").is_some_and(|f| model.text(f) == "require");
            node.field("arguments").filter(|_| is_require).and_then(|a| a.named_child(0))
        }
    };
    module.and_then(|m| model.string_literal(m)).is_some_and(|m| m == "express-async-errors")
}

fn check_handler(function: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
    if cx.in_test {
        return;
    }
    let span = span_of(function);
    let Some(handler) = model.handler_at(function.start_byte()) else { return };
    if handler.span != span || handler.framework != Framework::Express {
        return;
    }
    let Some(async_keyword) = named_or_not(function).find(|c| c.kind() == "async") else { return };
    // An error middleware `(err, req, res, next)` is where errors go, not where they start.
    let parameters = function.field("parameters").map_or(0, |p| named_children(p).count());
    if parameters == 4 {
        return;
    }
    let Some(body) = function.field("body") else { return };
    let Some(unguarded) = first_unguarded_await(body, model) else { return };
    let route = handler.route.as_deref().map(|r| format!(" for `{r}`")).unwrap_or_default();
    let message = format!(
        "async Express handler{route} awaits without catching: under Express 4 a rejection never reaches the error middleware, so the request hangs and Node reports an unhandled rejection"
    );
    let at = Span::new(async_keyword.start_byte(), function.field("parameters").map_or(async_keyword.end_byte(), |p| p.end_byte()));
    let file = cx.file;
    cx.report(at, message)
        .with_help(HELP)
        .with_related(file, span_of(unguarded), "this await can reject")
        .requires(Fact::Express4)
        .withdrawn_by(Fact::ExpressAsyncErrors);
}

fn named_or_not(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    (0..node.child_count()).filter_map(move |i| node.child(i))
}

/// The first `await` in a handler body that no `try … catch` around it handles, skipping nested
/// functions (callbacks run on their own) and awaits of promises that carry their own `.catch`.
fn first_unguarded_await<'t>(body: Node<'t>, model: &TsModel<'t>) -> Option<Node<'t>> {
    let mut stack = vec![body];
    while let Some(node) = stack.pop() {
        match node.kind() {
            kind if is_function_like(kind) && node != body => continue,
            "try_statement" => {
                // The protected block is handled when there is a catch clause; the catch and
                // finally blocks themselves are not.
                let protected = node.field("body").filter(|_| node.field("handler").is_some());
                let unprotected: Vec<Node<'t>> = named_or_not(node).filter(|child| Some(*child) != protected).collect();
                stack.extend(unprotected.into_iter().rev());
                continue;
            }
            "await_expression" => {
                let awaited = node.named_child(0);
                if !awaited.is_some_and(|a| has_own_catch(a, model)) {
                    return Some(node);
                }
            }
            _ => {}
        }
        // Reverse, so that the first await in source order is found first.
        let children: Vec<Node<'t>> = named_or_not(node).collect();
        stack.extend(children.into_iter().rev());
    }
    None
}

/// `promise.catch(..)` or `promise.then(ok, fail)`: the awaited promise handles its own rejection.
fn has_own_catch(awaited: Node<'_>, model: &TsModel<'_>) -> bool {
    let awaited = model.unwrap_expression(awaited);
    if awaited.kind() != "call_expression" {
        return false;
    }
    let Some(callee) = awaited.field("function").filter(|f| f.kind() == "member_expression") else { return false };
    let method = callee.field("property").map(|p| model.text(p));
    let arguments = awaited.field("arguments").map_or(0, |a| named_children(a).count());
    method == Some("catch") || (method == Some("then") && arguments >= 2)
}
