//! `panic-in-handler`: `.unwrap()`, `.expect()`, `panic!` and friends on the request path of a
//! Rust service. A panic in an axum or actix-web handler drops the connection (actix) or kills the
//! task; with `panic = "abort"` it takes the whole process down. Either way the client gets no
//! answer and the failure is not an error the service handles.

use crate::lang::rust::{span_of, RustKind, RustModel, RustNode, RustSyntax};
use crate::models::QueryRole;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use quote::ToTokens;

pub const ENTRY: RuleEntry = RuleEntry { id: "panic-in-handler", build };

struct PanicInHandler {
    /// `mutex.lock().unwrap()` only panics when another thread panicked holding the lock.
    allow_lock_unwrap: bool,
}

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    let allow_lock_unwrap = match options.get("allow-lock-unwrap") {
        None => true,
        Some(toml::Value::Boolean(b)) => *b,
        Some(_) => return Err("rules.panic-in-handler.allow-lock-unwrap must be true or false".into()),
    };
    Ok(Box::new(PanicInHandler { allow_lock_unwrap }))
}

const HELP: &str = "return an error the handler maps to a response (`?` with an error type that implements `IntoResponse`/`ResponseError`) instead of panicking";

const INDEX_HELP: &str =
    "use `.get(..)` and answer a missing element with an error (`.get(1).ok_or(AppError::BadRequest)?`), or check the length first";

const PANIC_MACROS: &[&str] = &["panic", "unreachable", "todo", "unimplemented"];

impl PanicInHandler {
    /// Receivers whose `unwrap` cannot fail in practice: constructors given only literals
    /// (`Regex::new("^a+$")`, `"127.0.0.1:80".parse()`, `HeaderValue::from_str("json")`).
    fn literal_only(receiver: &syn::Expr) -> bool {
        let is_literal =
            |e: &syn::Expr| matches!(e, syn::Expr::Lit(_)) || matches!(e, syn::Expr::Reference(r) if matches!(&*r.expr, syn::Expr::Lit(_)));
        match receiver {
            syn::Expr::Call(call) => !call.args.is_empty() && call.args.iter().all(is_literal),
            syn::Expr::MethodCall(call) => is_literal(&call.receiver) && call.args.iter().all(is_literal),
            syn::Expr::Lit(_) => true,
            _ => false,
        }
    }

    /// Calls whose `Result`/`Option` cannot fail in practice, or fail only by re-raising a panic
    /// that already happened: serialising plain data, response builders given typed parts,
    /// templates named by literals and checked at start-up or compile time, awaited task handles.
    fn known_infallible(receiver: &syn::Expr) -> bool {
        let text = crate::rules::tidy_tokens(&receiver.to_token_stream().to_string());
        const INFALLIBLE: &[&str] = &[
            "serde_json::to_string(",
            "serde_json::to_vec(",
            "serde_json::to_value(",
            "to_string_pretty(",
            "Response::builder()",
            "HttpResponse::build(",
            "StatusCode::from_u16(",
            "try_seconds(",
            "try_minutes(",
            "Identity::login(",
            "get_template(\"",
            ".render(",
            "::default()",
        ];
        if INFALLIBLE.iter().any(|pattern| text.contains(pattern)) {
            return true;
        }
        // `handle.await.unwrap()`, `spawn_blocking(..).await.unwrap()`: a JoinError only carries a panic.
        matches!(receiver, syn::Expr::Await(inner) if {
            let base = crate::rules::tidy_tokens(&inner.base.to_token_stream().to_string());
            base.contains("spawn_blocking(") || base.contains("spawn(") || base == "task" || base.ends_with("handle")
        })
    }

    /// Whether the function checks the unwrapped value before the call: `if x.is_some()`,
    /// `x.is_none() || x.unwrap()`, `check_is_some(x, ..)?`, `!v.is_empty()`, `v.len() == N`.
    fn checked_before(receiver: &syn::Expr, source: &str, call_start: usize) -> bool {
        let text = crate::rules::tidy_tokens(&receiver.to_token_stream().to_string());
        let base = [
            "as_ref()",
            "as_mut()",
            "clone()",
            "as_deref()",
            "pop_front()",
            "pop_back()",
            "pop()",
            "first()",
            "last()",
            "next()",
            "as_array()",
            "as_array_mut()",
            "as_object()",
            "as_object_mut()",
            "as_u64()",
            "as_str()",
        ]
        .iter()
        .find_map(|suffix| text.strip_suffix(suffix).map(|b| b.trim_end_matches('.')))
        .unwrap_or(&text);
        if base.is_empty() || !base.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_') {
            return false;
        }
        // The enclosing function's text up to the call (from the last `fn ` before it).
        let before = &source[..call_start.min(source.len())];
        let function_start = before.rfind("fn ").unwrap_or(0);
        let body: String = before[function_start..].split_whitespace().collect::<Vec<_>>().join(" ").replace(" . ", ".").replace(" (", "(");
        [
            "is_some()",
            "is_none()",
            "is_ok()",
            "is_err()",
            "is_array()",
            "is_object()",
            "is_u64()",
            "is_i64()",
            "is_string()",
            "is_empty()",
            "len()",
        ]
        .iter()
        .any(|check| body.contains(&format!("{base}.{check}")))
            || body.contains(&format!("check_is_some({base}"))
            || body.contains(&format!("ensure!({base}"))
    }

    /// Why `base[index]` may be out of bounds: the base is a list of unknown length read from
    /// input (`split(..).collect()`, query rows, program arguments), or a slice of a string or
    /// bytes ends at a computed position. `None` when the function checks the length first, the
    /// bound is derived from the value itself (`find`, `len`, `min`), or nothing is known.
    fn unchecked_index(index: &syn::ExprIndex, model: &RustModel, fn_id: Option<usize>, cx: &Context<'_>) -> Option<String> {
        let syn::Expr::Path(base) = strip_parens(&index.expr) else { return None };
        let name = crate::lang::rust::single_ident(&base.path)?;
        if Self::checked_before(&index.expr, &cx.file.text, span_of(cx.file, index).start) {
            return None;
        }
        let init_expr = model.local_of(fn_id, base).and_then(|local| local.init);
        let init = init_expr.map(tidy);
        match strip_parens(&index.index) {
            syn::Expr::Range(range) => {
                let computed = |bound: &Option<Box<syn::Expr>>| {
                    bound.as_deref().is_some_and(|bound| {
                        let text = tidy(bound);
                        let derived = |text: &str| {
                            ["len()", ".min(", ".find(", ".rfind(", ".position(", ".rposition("].iter().any(|w| text.contains(w))
                        };
                        let local = match strip_parens(bound) {
                            syn::Expr::Path(path) => model.local_of(fn_id, path).and_then(|l| l.init).map(tidy),
                            _ => None,
                        };
                        !matches!(strip_parens(bound), syn::Expr::Lit(_))
                            && model.string_value(bound, fn_id).is_none()
                            && !derived(&text)
                            && !local.as_deref().is_some_and(derived)
                            && !is_constant_name(&text)
                    })
                };
                (computed(&range.start) || computed(&range.end)).then(|| format!("`{name}` is shorter than the computed bound"))
            }
            _ => {
                let loaded = init_expr.is_some_and(|init| model.query_call_in(init, fn_id, &[QueryRole::Runner]).is_some());
                let init = init?;
                let source = if loaded {
                    "query rows"
                } else if ["split(", "splitn(", "rsplit(", "split_whitespace()", "split_terminator(", "lines()"]
                    .iter()
                    .any(|w| init.contains(w))
                    && init.contains("collect")
                {
                    "a split of input"
                } else if init.contains("args()") && init.contains("collect") {
                    "the program arguments"
                } else {
                    return None;
                };
                Some(format!("`{name}` ({source}) has fewer elements"))
            }
        }
    }

    fn is_lock(receiver: &syn::Expr) -> bool {
        matches!(receiver, syn::Expr::MethodCall(call) if matches!(call.method.to_string().as_str(), "lock" | "read" | "write") && call.args.is_empty())
    }
}

impl Rule for PanicInHandler {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::MethodCall, RustKind::Macro, RustKind::Index]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if node.site.in_test || cx.in_test {
            return;
        }
        let Some(handler) = model.serving_handler(node.site.fn_id, node.site.fn_name.as_deref()) else { return };
        let via = match node.site.fn_name.as_deref() {
            Some(name) if name != handler.name => format!("`{name}`, called from handler `{}`", handler.name),
            _ => format!("handler `{}`", handler.name),
        };
        match node.syntax {
            RustSyntax::MethodCall(call) => {
                let method = call.method.to_string();
                if method != "unwrap" && method != "expect" {
                    return;
                }
                if Self::literal_only(&call.receiver)
                    || (self.allow_lock_unwrap && Self::is_lock(&call.receiver))
                    || Self::known_infallible(&call.receiver)
                {
                    return;
                }
                // `x.unwrap().unwrap()`: one finding, at the inner call.
                if matches!(&*call.receiver, syn::Expr::MethodCall(inner) if inner.method == "unwrap" || inner.method == "expect") {
                    return;
                }
                if Self::checked_before(&call.receiver, &cx.file.text, span_of(cx.file, &call.method).start) {
                    return;
                }
                let receiver = describe(&call.receiver);
                let span = span_of(cx.file, &call.method);
                cx.report(span, format!("`.{method}()` on `{receiver}` panics in {via} when it fails")).help = Some(HELP.into());
            }
            RustSyntax::Macro(mac) => {
                let name = mac.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
                if PANIC_MACROS.contains(&name.as_str()) && !node.site.in_blocking_pool {
                    cx.report(span_of(cx.file, &mac.path), format!("`{name}!` in {via} aborts the request instead of answering it")).help =
                        Some(HELP.into());
                }
            }
            RustSyntax::Index(index) => {
                let Some(reason) = Self::unchecked_index(index, model, node.site.fn_id, cx) else { return };
                let tokens = crate::rules::tidy_tokens(&index.to_token_stream().to_string());
                let shown = crate::rules::shorten(&tokens.replace(" [", "[").replace(".. ", "..").replace(" ..", ".."), 40);
                cx.report(span_of(cx.file, index), format!("`{shown}` panics in {via} when {reason}")).help = Some(INDEX_HELP.into());
            }
            _ => {}
        }
    }
}

fn strip_parens(expr: &syn::Expr) -> &syn::Expr {
    match expr {
        syn::Expr::Paren(inner) => strip_parens(&inner.expr),
        syn::Expr::Group(inner) => strip_parens(&inner.expr),
        other => other,
    }
}

fn tidy(expr: &syn::Expr) -> String {
    crate::rules::tidy_tokens(&expr.to_token_stream().to_string())
}

/// `MAX_LEN`, `Self::PREFIX_LEN`: a constant, fixed at compile time.
fn is_constant_name(text: &str) -> bool {
    let last = text.rsplit("::").next().unwrap_or(text);
    !last.is_empty() && last.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// A short name for what is unwrapped: `.send().await`, `id.parse()`, `Uuid::parse_str(..)`.
fn describe(expr: &syn::Expr) -> String {
    let arguments = |empty: bool| if empty { "()" } else { "(..)" };
    match expr {
        syn::Expr::MethodCall(call) => {
            let receiver = match &*call.receiver {
                syn::Expr::Path(path) => crate::rules::tidy_tokens(&path.to_token_stream().to_string()),
                _ => String::new(),
            };
            format!("{receiver}.{}{}", call.method, arguments(call.args.is_empty()))
        }
        syn::Expr::Await(inner) => format!("{}.await", describe(&inner.base)),
        syn::Expr::Call(call) => {
            format!("{}{}", crate::rules::tidy_tokens(&call.func.to_token_stream().to_string()), arguments(call.args.is_empty()))
        }
        other => crate::rules::shorten(&crate::rules::tidy_tokens(&other.to_token_stream().to_string()), 40),
    }
}
