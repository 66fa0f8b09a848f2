//! TypeScript: `catch` blocks and error callbacks that drop the error, and verifications whose failure is ignored.

use super::*;

impl SwallowedError {
    /// What `body` (a `catch` block, or an error branch: a block or a single statement) does.
    pub(super) fn catch_shape(body: Node<'_>, model: &TsModel<'_>) -> CatchShape {
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
    pub(super) fn verification_call<'t>(block: Node<'t>, model: &TsModel<'t>) -> Option<Node<'t>> {
        own_calls(block)
            .find(|call| call.field("function").is_some_and(|callee| TS_VERIFY_CALLS.contains(&last_segment(model.text(callee)))))
    }

    /// Whether every call in the `try` block is best effort (or there is none worth keeping).
    pub(super) fn only_best_effort(block: Node<'_>, model: &TsModel<'_>) -> bool {
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
    pub(super) fn assigns_fallback(block: Node<'_>, model: &TsModel<'_>) -> bool {
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

    pub(super) fn is_fallback_assignment(statement: Node<'_>, model: &TsModel<'_>) -> bool {
        statement.named_child(0).is_some_and(|e| {
            e.kind() == "assignment_expression" && e.field("left").is_some_and(|l| l.kind() == "identifier" && model.text(l) != "req")
        })
    }

    /// `try { …; return ok; } catch (e) { log(e); } return unavailable;`: the `try` returns its
    /// success, so falling out of the `catch` reaches the failure answer after it.
    pub(super) fn failure_answered_after(try_statement: Node<'_>, try_block: Node<'_>) -> bool {
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
    pub(super) fn guards_parsing(block: Node<'_>, model: &TsModel<'_>) -> bool {
        let parses = own_calls(block).any(|call| call.field("function").is_some_and(|f| model.text(f) == "JSON.parse"));
        parses && !descendants(block).any(|n| n.kind() == "await_expression")
    }

    /// Why the function around `node` is on the request path, if it is.
    pub(super) fn request_path(node: Node<'_>, model: &TsModel<'_>) -> Option<&'static str> {
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
    pub(super) fn next_follows(statement: Node<'_>, model: &TsModel<'_>) -> bool {
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
    pub(super) fn check_verification_callback(call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
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
pub(super) const ERROR_PARAMETERS: &[&str] = &["err", "error", "e", "ex", "er"];

pub(super) fn is_optional_auth_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    OPTIONAL_AUTH_WORDS.iter().any(|w| lower.contains(w))
}

/// Whether an `if` condition holds when the callback got an error: `err`, `err != null`, or one
/// side of an `||` (`err || !user`). `!err` and `err && …` narrow or invert it and are not read.
pub(super) fn tests_error(condition: &str, error: &str) -> bool {
    let condition = condition.trim().trim_start_matches('(').trim_end_matches(')');
    condition.split("||").map(str::trim).any(|part| {
        let part = part.trim_start_matches('(').trim_end_matches(')').trim();
        part == error
            || ["!= null", "!== null", "!= undefined", "!== undefined"]
                .iter()
                .any(|tail| part.strip_prefix(error).is_some_and(|rest| rest.trim() == *tail))
    })
}

/// Words with which a log message says a failure is tolerated on purpose.
pub(super) const TOLERANCE_WORDS: &[&str] = &[
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

pub(super) fn logs_tolerance(body: Node<'_>, model: &TsModel<'_>) -> bool {
    descendants(body).filter(|n| matches!(n.kind(), "string" | "template_string")).any(|literal| {
        let text = model.text(literal).to_ascii_lowercase();
        TOLERANCE_WORDS.iter().any(|w| text.contains(w))
    })
}

pub(super) fn is_log_statement(statement: Node<'_>, model: &TsModel<'_>) -> bool {
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
pub(super) fn own_calls<'t>(node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
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

pub(super) fn last_segment(callee: &str) -> &str {
    callee.rsplit('.').next().unwrap_or(callee).trim_start_matches('#')
}

/// A function's name: its own, or the variable or property it is assigned to.
pub(super) fn function_name<'t>(function: Node<'_>, model: &TsModel<'t>) -> Option<&'t str> {
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
