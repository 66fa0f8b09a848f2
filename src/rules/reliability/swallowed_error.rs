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

impl SwallowedError {
    /// What `body` (a `catch` block, or an error branch: a block or a single statement) does.
    fn catch_shape(body: Node<'_>, model: &TsModel<'_>) -> CatchShape {
        let statements: Vec<Node<'_>> =
            if body.kind() == "statement_block" { named_children(body).filter(|s| s.kind() != "comment").collect() } else { vec![body] };
        if statements.is_empty() {
            return CatchShape::Empty;
        }
        let calls_next = descendants(body).any(|n| {
            n.kind() == "call_expression"
                && n.field("function").is_some_and(|f| model.text(f) == "next")
                && n.field("arguments").is_some_and(|a| a.named_child_count() == 0)
        });
        if calls_next {
            return CatchShape::CallsNext;
        }
        let returns_true =
            descendants(body).any(|n| n.kind() == "return_statement" && n.named_child(0).is_some_and(|v| v.kind() == "true"));
        if returns_true {
            return CatchShape::ReturnsTrue;
        }
        if statements.iter().all(|s| is_log_statement(*s, model)) {
            return CatchShape::OnlyLogs;
        }
        CatchShape::Handles
    }

    /// The first verification call in the `try` block, outside nested functions.
    fn verification_call<'t>(block: Node<'t>, model: &TsModel<'t>) -> Option<Node<'t>> {
        own_calls(block)
            .find(|call| call.field("function").is_some_and(|callee| TS_VERIFY_CALLS.contains(&last_segment(model.text(callee)))))
    }

    /// Whether every call in the `try` block is best effort (or there is none worth keeping).
    fn only_best_effort(block: Node<'_>, model: &TsModel<'_>) -> bool {
        own_calls(block).all(|call| {
            let callee = call.field("function").map(|f| model.text(f)).unwrap_or("");
            let name = last_segment(callee);
            let receiver = callee.rsplit_once('.').map(|(r, _)| r.to_ascii_lowercase()).unwrap_or_default();
            TS_BEST_EFFORT_CALLS.contains(&name)
                || receiver.contains("console")
                || receiver.contains("log")
                || receiver.contains("metric")
                || receiver.contains("stats")
                || (CACHE_REMOVAL_CALLS.contains(&name) && ["cache", "redis", "session", "store"].iter().any(|w| receiver.contains(w)))
        })
    }

    /// `let extra = null; try { … extra = JSON.parse(raw) } catch { log }`: the `try` computes an
    /// optional value into a variable declared before it, and a failure leaves the fallback.
    /// Also when the assignment ends an `if` that ends the `try` (`if (valid) { code = parsed; }`).
    fn assigns_fallback(block: Node<'_>, model: &TsModel<'_>) -> bool {
        let Some(last) = named_children(block).filter(|s| s.kind() != "comment").last() else { return false };
        match last.kind() {
            "if_statement" if last.field("alternative").is_none() => last.field("consequence").is_some_and(|consequence| {
                if consequence.kind() == "statement_block" {
                    Self::assigns_fallback(consequence, model)
                } else {
                    Self::is_fallback_assignment(consequence, model)
                }
            }),
            _ => Self::is_fallback_assignment(last, model),
        }
    }

    fn is_fallback_assignment(statement: Node<'_>, model: &TsModel<'_>) -> bool {
        statement.named_child(0).is_some_and(|e| {
            e.kind() == "assignment_expression" && e.field("left").is_some_and(|l| l.kind() == "identifier" && model.text(l) != "req")
        })
    }

    /// `try { …; return ok; } catch (e) { log(e); } return unavailable;`: the `try` returns its
    /// success, so falling out of the `catch` reaches the failure answer after it.
    fn failure_answered_after(try_statement: Node<'_>, try_block: Node<'_>) -> bool {
        let returns_inside =
            named_children(try_block).filter(|s| s.kind() != "comment").last().is_some_and(|s| s.kind() == "return_statement");
        let mut next = try_statement.next_named_sibling();
        while next.is_some_and(|n| n.kind() == "comment") {
            next = next.and_then(|n| n.next_named_sibling());
        }
        returns_inside && next.is_some_and(|n| matches!(n.kind(), "return_statement" | "throw_statement" | "expression_statement"))
    }

    /// `try { const extra = JSON.parse(raw); apply(extra) } catch {}`: parsing optional input and
    /// using it in memory, with no I/O awaited that could fail on the way.
    fn guards_parsing(block: Node<'_>, model: &TsModel<'_>) -> bool {
        let parses = own_calls(block).any(|call| call.field("function").is_some_and(|f| model.text(f) == "JSON.parse"));
        parses && !descendants(block).any(|n| n.kind() == "await_expression")
    }

    /// Why the function around `node` is on the request path, if it is.
    fn request_path(node: Node<'_>, model: &TsModel<'_>) -> Option<&'static str> {
        if model.handler_at(node.start_byte()).is_some() {
            return Some("a request handler");
        }
        let function = enclosing_function(node)?;
        let parameters = parameter_names(model, function);
        // Express/Fastify `(req, res[, next])` and Koa `(ctx, next)`; a helper that merely takes
        // the context along (`signIn(ctx, user)`) is not the handler.
        let first = parameters.first().map(String::as_str);
        let second = parameters.get(1).map(String::as_str);
        let express = matches!(first, Some("req" | "request")) && matches!(second, Some("res" | "response" | "reply"));
        let koa = first == Some("ctx") && second == Some("next");
        if express || koa {
            return Some(if parameters.last().is_some_and(|p| p == "next") { "a middleware" } else { "a request handler" });
        }
        // A function of this file that a handler calls by name.
        let name = function_name(function, model)?;
        let called = model.handlers().iter().any(|handler| {
            let text = model.src.get(handler.span.start..handler.span.end).unwrap_or("");
            text.match_indices(name).any(|(at, _)| {
                let before = text[..at].chars().next_back();
                let after = text[at + name.len()..].chars().next();
                after == Some('(') && !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            })
        });
        called.then_some("a function called by a request handler")
    }

    /// `next()` without arguments after `statement` in the same function: the
    /// `try { req.user = jwt.verify(..) } catch {} next()` and `if (err) log(err); next()` shapes.
    fn next_follows(statement: Node<'_>, model: &TsModel<'_>) -> bool {
        let mut sibling = statement.next_named_sibling();
        while let Some(statement) = sibling {
            let found = std::iter::once(statement).chain(descendants(statement)).any(|n| {
                n.kind() == "call_expression"
                    && n.field("function").is_some_and(|f| model.text(f) == "next")
                    && n.field("arguments").is_some_and(|a| a.named_child_count() == 0)
            });
            if found {
                return true;
            }
            sibling = statement.next_named_sibling();
        }
        false
    }

    /// `jwt.verify(token, key, (err, decoded) => { if (err) return next(); … })`: a verification
    /// with a Node-style callback whose error branch lets the request go on, as the `catch` of
    /// the synchronous form would.
    fn check_verification_callback(call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = call.field("function") else { return };
        let callee_text = model.text(callee);
        let name = last_segment(callee_text);
        let passport = name == "authenticate"
            && (callee_text.starts_with("passport.") || model.qualified_name(callee).is_some_and(|q| q.starts_with("passport.")));
        if !passport && !TS_VERIFY_CALLS.contains(&name) {
            return;
        }
        let Some(callback) = call.field("arguments").and_then(|a| named_children(a).last()).filter(|a| is_function_like(a.kind())) else {
            return;
        };
        let Some(error) = parameter_names(model, callback).into_iter().next().filter(|p| ERROR_PARAMETERS.contains(&p.as_str())) else {
            return;
        };
        let Some(body) = callback.field("body").filter(|b| b.kind() == "statement_block") else { return };
        // Optional authentication lets a request without a valid token through by design.
        let optional_auth = enclosing_function(call).and_then(|f| function_name(f, model)).is_some_and(is_optional_auth_name);
        if optional_auth {
            return;
        }
        let branch = named_children(body).filter(|s| s.kind() == "if_statement").find_map(|statement| {
            let condition = statement.field("condition")?;
            tests_error(model.text(condition), &error).then_some((statement, statement.field("consequence")?))
        });
        let Some((statement, consequence)) = branch else { return };
        let what = match Self::catch_shape(consequence, model) {
            CatchShape::CallsNext => "calls `next()` on the error",
            CatchShape::Empty | CatchShape::OnlyLogs if Self::next_follows(statement, model) => "ignores the error and goes on to `next()`",
            _ => return,
        };
        let callee = crate::rules::shorten(callee_text, 40);
        let span = statement.child(0).map(span_of).unwrap_or_else(|| span_of(statement));
        cx.report(span, format!("when `{callee}` fails, its callback {what}: the request is let through unverified (fail-open)")).help =
            Some(FAIL_OPEN_HELP.into());
    }
}

/// Names of a Node-style callback's first parameter when it receives the error.
const ERROR_PARAMETERS: &[&str] = &["err", "error", "e", "ex", "er"];

fn is_optional_auth_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    OPTIONAL_AUTH_WORDS.iter().any(|w| lower.contains(w))
}

/// Whether an `if` condition holds when the callback got an error: `err`, `err != null`, or one
/// side of an `||` (`err || !user`). `!err` and `err && …` narrow or invert it and are not read.
fn tests_error(condition: &str, error: &str) -> bool {
    let condition = condition.trim().trim_start_matches('(').trim_end_matches(')');
    condition.split("||").map(str::trim).any(|part| {
        let part = part.trim_start_matches('(').trim_end_matches(')').trim();
        part == error
            || ["!= null", "!== null", "!= undefined", "!== undefined"]
                .iter()
                .any(|tail| part.strip_prefix(error).is_some_and(|rest| rest.trim() == *tail))
    })
}

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

/// Collects `let _ = verify(..)` and `verify(..).ok();` statements of one function body,
/// leaving nested functions to their own visit.
struct DiscardedVerifications<'m, 'a> {
    model: &'m RustModel<'a>,
    found: Vec<(proc_macro2::Span, &'static str, String)>,
}

/// Rust functions and methods that verify a credential, a token or input.
const RUST_VERIFY_CALLS: &[&str] = &[
    "verify",
    "verify_password",
    "verify_signature",
    "verify_token",
    "verify_jwt",
    "verify_slices",
    "validate",
    "validate_token",
    "check_password",
];

/// Adapters that turn a `Result` into something a statement can drop without a warning.
const RUST_DISCARDING_ADAPTERS: &[&str] = &["ok", "is_ok", "is_err", "unwrap_or_default", "unwrap_or", "unwrap_or_else", "err"];

impl DiscardedVerifications<'_, '_> {
    /// The verification call `expr` is (through `.await`), by a short name.
    fn verification(&self, expr: &syn::Expr) -> Option<String> {
        match expr {
            syn::Expr::Await(inner) => self.verification(&inner.base),
            syn::Expr::Paren(inner) => self.verification(&inner.expr),
            syn::Expr::Call(call) => {
                let path = self.model.call_path(call)?;
                let name = path.rsplit("::").next().unwrap_or("");
                // `decode` is everyone's name; only jsonwebtoken's (token, key, validation) verifies.
                let is_jwt_decode = name == "decode" && (path.starts_with("jsonwebtoken") || call.args.len() == 3);
                (RUST_VERIFY_CALLS.contains(&name) || is_jwt_decode).then(|| crate::rules::short_path(&path))
            }
            syn::Expr::MethodCall(call) => {
                let name = call.method.to_string();
                let arguments = if call.args.is_empty() { "()" } else { "(..)" };
                RUST_VERIFY_CALLS.contains(&name.as_str()).then(|| format!(".{name}{arguments}"))
            }
            _ => None,
        }
    }
}

impl<'ast> Visit<'ast> for DiscardedVerifications<'_, '_> {
    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_stmt(&mut self, stmt: &'ast syn::Stmt) {
        match stmt {
            syn::Stmt::Local(local) if matches!(local.pat, syn::Pat::Wild(_)) => {
                if let Some(init) = &local.init {
                    // `let _ = verify(&password, "$2b$12$…")`: a dummy hash checked so that unknown
                    // users take as long as known ones; the verdict is meant to be ignored.
                    if has_literal_argument(&init.expr) {
                        return;
                    }
                    if let Some(call) = self.verification(&init.expr) {
                        self.found.push((syn::spanned::Spanned::span(&local.pat), "`let _ =`", call));
                    }
                }
            }
            syn::Stmt::Expr(syn::Expr::MethodCall(adapter), Some(_))
                if RUST_DISCARDING_ADAPTERS.contains(&adapter.method.to_string().as_str()) =>
            {
                if let Some(call) = self.verification(&adapter.receiver) {
                    let how = match adapter.method.to_string().as_str() {
                        "ok" => "`.ok();`",
                        "is_ok" => "`.is_ok();`",
                        "is_err" => "`.is_err();`",
                        "err" => "`.err();`",
                        _ => "an `unwrap_or` statement",
                    };
                    self.found.push((adapter.method.span(), how, call));
                }
            }
            _ => {}
        }
        syn::visit::visit_stmt(self, stmt);
    }
}

fn has_literal_argument(expr: &syn::Expr) -> bool {
    let literal =
        |a: &syn::Expr| matches!(a, syn::Expr::Lit(_)) || matches!(a, syn::Expr::Reference(r) if matches!(&*r.expr, syn::Expr::Lit(_)));
    match expr {
        syn::Expr::Await(inner) => has_literal_argument(&inner.base),
        syn::Expr::Call(call) => call.args.iter().any(literal),
        syn::Expr::MethodCall(call) => call.args.iter().any(literal),
        _ => false,
    }
}

/// Words with which a log message says a failure is tolerated on purpose.
const TOLERANCE_WORDS: &[&str] = &[
    "allowing",
    "ignor",
    "skipping",
    "continuing",
    "proceed",
    "fall back",
    "falling back",
    "fallback",
    "best effort",
    "best-effort",
    "will use",
    "using default",
];

fn logs_tolerance(body: Node<'_>, model: &TsModel<'_>) -> bool {
    descendants(body).filter(|n| matches!(n.kind(), "string" | "template_string")).any(|literal| {
        let text = model.text(literal).to_ascii_lowercase();
        TOLERANCE_WORDS.iter().any(|w| text.contains(w))
    })
}

fn is_log_statement(statement: Node<'_>, model: &TsModel<'_>) -> bool {
    if statement.kind() != "expression_statement" {
        return false;
    }
    let Some(expression) = statement.named_child(0) else { return false };
    let expression = if expression.kind() == "await_expression" { expression.named_child(0).unwrap_or(expression) } else { expression };
    if expression.kind() != "call_expression" {
        return false;
    }
    let callee = expression.field("function").map(|f| model.text(f)).unwrap_or("");
    let lower = callee.to_ascii_lowercase();
    let method = last_segment(callee);
    lower.starts_with("console.")
        || lower == "debug"
        || (lower.contains("log") && matches!(method, "log" | "error" | "warn" | "warning" | "info" | "debug" | "trace" | "fatal"))
}

/// Call expressions of `node` outside functions nested in it.
fn own_calls<'t>(node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    descendants(node).filter(move |n| {
        n.kind() == "call_expression" && {
            let mut current = n.parent();
            let mut nested = false;
            while let Some(p) = current.filter(|p| *p != node) {
                nested |= is_function_like(p.kind());
                current = p.parent();
            }
            !nested
        }
    })
}

fn last_segment(callee: &str) -> &str {
    callee.rsplit('.').next().unwrap_or(callee).trim_start_matches('#')
}

/// A function's name: its own, or the variable or property it is assigned to.
fn function_name<'t>(function: Node<'_>, model: &TsModel<'t>) -> Option<&'t str> {
    if let Some(name) = function.field("name") {
        return Some(model.text(name));
    }
    let parent = function.parent()?;
    match parent.kind() {
        "variable_declarator" | "pair" | "public_field_definition" => {
            parent.field("name").or_else(|| parent.field("key")).map(|n| model.text(n))
        }
        "assignment_expression" => parent.field("left").map(|l| last_segment(model.text(l))),
        _ => None,
    }
}
