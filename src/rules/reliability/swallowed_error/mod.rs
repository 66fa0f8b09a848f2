//! `swallowed-error`: failures that are caught and dropped on the request path or in
//! verification code. An empty `catch` in a handler answers "success" (or never answers) after a
//! failed write; a `catch` around `jwt.verify` that goes on to `next()` lets an unauthenticated
//! request through (fail-open); `let _ = verify_password(..)` in Rust throws the verdict away.

use crate::diagnostic::Level;
use crate::lang::rust::{RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{descendants, enclosing_function, is_function_like, named_children, parameter_names, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use crate::source::Span;
use syn::visit::Visit;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "swallowed-error", build };

struct SwallowedError;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(SwallowedError))
}

const FAIL_OPEN_HELP: &str =
    "answer the failed verification (`return res.status(401).end()`, `next(err)`); only a verified request may reach `next()`";
const SWALLOW_HELP: &str =
    "handle the failure: rethrow it, pass it on with `next(err)`, or answer with an error status; logging alone hides it from the client and the caller";
const RUST_HELP: &str = "use the result: `?` to propagate the error, or `match`/`if let Err(..)` to reject the request";

/// Calls that verify a credential, a token or input: a failure means "reject".
const TS_VERIFY_CALLS: &[&str] = &[
    "verify",
    "verifyToken",
    "verifyJwt",
    "verifyJWT",
    "verifyIdToken",
    "verifyAccessToken",
    "jwtVerify",
    "compare",
    "validate",
    "validateToken",
];

/// Calls whose failure does not matter to the request: parsing optional input, best-effort
/// cleanup, metrics and events.
const TS_BEST_EFFORT_CALLS: &[&str] = &[
    "parse",
    "stringify",
    "decodeURIComponent",
    "unlink",
    "unlinkSync",
    "rm",
    "rmSync",
    "rmdir",
    "rmdirSync",
    "close",
    "end",
    "destroy",
    "release",
    "disconnect",
    "quit",
    "flush",
    "increment",
    "inc",
    "observe",
    "emit",
    "track",
    "abort",
    "clearTimeout",
];

/// Methods that drop entries from a cache or session: best effort when the receiver is one.
const CACHE_REMOVAL_CALLS: &[&str] = &["del", "delete", "remove", "evict", "invalidate", "expire", "unset"];

/// Names of functions that authenticate when they can and let anonymous requests through by
/// design (`optionalAuth`, `maybeUser`): their empty `catch` is the point.
const OPTIONAL_AUTH_WORDS: &[&str] = &["optional", "maybe", "soft", "anonymous", "tryauth", "try_auth"];

/// What a `catch` body does with the error.
#[derive(Debug, PartialEq, Eq)]
enum CatchShape {
    Empty,
    OnlyLogs,
    /// Calls `next()` without the error: the request goes on as if nothing failed.
    CallsNext,
    /// `return true`: a check answers "allowed".
    ReturnsTrue,
    Handles,
}

mod rust;
mod typescript;

use rust::*;
use typescript::*;

impl Rule for SwallowedError {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["catch_clause", "call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        if node.kind() == "call_expression" {
            Self::check_verification_callback(node, model, cx);
            return;
        }
        let Some(try_statement) = node.parent().filter(|p| p.kind() == "try_statement") else { return };
        let (Some(try_block), Some(body)) = (try_statement.field("body"), node.field("body")) else {
            return;
        };
        let shape = Self::catch_shape(body, model);
        if shape == CatchShape::Handles {
            return;
        }
        let span = node.child(0).map(span_of).unwrap_or_else(|| span_of(node));
        let optional_auth = enclosing_function(node).and_then(|f| function_name(f, model)).is_some_and(is_optional_auth_name);
        if let Some(verify) = Self::verification_call(try_block, model) {
            let callee = crate::rules::shorten(verify.field("function").map(|f| model.text(f)).unwrap_or(""), 40);
            let fail_open = match shape {
                CatchShape::CallsNext => Some("calls `next()`"),
                CatchShape::ReturnsTrue => Some("returns `true`"),
                CatchShape::Empty | CatchShape::OnlyLogs if Self::next_follows(try_statement, model) => {
                    Some("is ignored and `next()` runs after it")
                }
                _ => None,
            };
            // Optional authentication lets a request without a valid token through by design.
            if optional_auth {
                return;
            }
            if let Some(what) = fail_open {
                cx.report(span, format!("when `{callee}` fails, this `catch` {what}: the request is let through unverified (fail-open)"))
                    .help = Some(FAIL_OPEN_HELP.into());
                return;
            }
        }
        // A comment on its own line in the `catch` says the failure was considered and is meant
        // to be ignored (a remark at the end of the `catch (e) {` line is not counted).
        // So does a log message that states the consequence ("limiter error, allowing request",
        // "not available, will use defaults").
        let explained = named_children(body).any(|n| n.kind() == "comment" && n.start_position().row > node.start_position().row)
            || (shape == CatchShape::OnlyLogs && logs_tolerance(body, model));
        if !matches!(shape, CatchShape::Empty | CatchShape::OnlyLogs)
            || explained
            || Self::only_best_effort(try_block, model)
            || Self::assigns_fallback(try_block, model)
            || Self::guards_parsing(try_block, model)
            || Self::failure_answered_after(try_statement, try_block)
        {
            return;
        }
        let Some(place) = Self::request_path(node, model) else { return };
        let what = if shape == CatchShape::Empty { "this empty `catch`" } else { "this `catch` only logs and" };
        cx.report_capped(
            Level::Warning,
            span,
            format!("{what} swallows the error in {place}; the request carries on as if it succeeded"),
        )
        .help = Some(SWALLOW_HELP.into());
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Fn]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        let RustSyntax::Fn { block, .. } = node.syntax else { return };
        if node.site.in_test || cx.in_test {
            return;
        }
        let mut finder = DiscardedVerifications { model, found: Vec::new() };
        finder.visit_block(block);
        for (at, how, call) in finder.found {
            let (start, end) = (at.start(), at.end());
            let span = Span::new(cx.file.offset_of_line_char(start.line, start.column), cx.file.offset_of_line_char(end.line, end.column));
            cx.report(span, format!("the result of `{call}` is discarded by {how}: a failed verification goes unnoticed")).help =
                Some(RUST_HELP.into());
        }
    }
}
