//! `error-details-in-response`: error objects, messages or stack traces sent to the client.
//! Database errors name tables and constraints, I/O errors name paths, stack traces name files
//! and library versions: a map for the next attack, and sometimes the data itself.

use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{descendants, is_function_like, named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use quote::ToTokens;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "error-details-in-response", build };

struct ErrorDetailsInResponse;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(ErrorDetailsInResponse))
}

const HELP: &str = "log the error with its details on the server and send the client a generic message (and a correlation id)";

/// Response methods that send a body.
const SEND_METHODS: &[&str] = &["send", "json", "end", "jsonp", "write"];
/// Names response objects go by.
const RESPONSE_NAMES: &[&str] = &["res", "response", "reply", "resp"];

impl ErrorDetailsInResponse {
    /// The caught error's name where `node` is: a `catch (e)` clause or the first parameter of
    /// an Express error middleware `(err, req, res, next)`.
    fn error_name<'t>(node: Node<'t>, model: &TsModel<'t>) -> Option<&'t str> {
        let mut current = node.parent();
        while let Some(n) = current {
            match n.kind() {
                "catch_clause" => return n.field("parameter").map(|p| model.text(p)),
                kind if is_function_like(kind) => {
                    let parameters: Vec<Node<'t>> = n.field("parameters").map(|p| named_children(p).collect()).unwrap_or_default();
                    if parameters.len() == 4 {
                        let first = parameters[0].field("pattern").unwrap_or(parameters[0]);
                        return Some(model.text(first));
                    }
                    // `.catch((err) => res.status(500).json(err))`
                    let is_catch_callback = n.parent().and_then(|args| args.parent()).is_some_and(|call| {
                        call.kind() == "call_expression"
                            && call.field("function").and_then(|f| f.field("property")).is_some_and(|p| model.text(p) == "catch")
                    });
                    if is_catch_callback {
                        let first = parameters.first().map(|p| p.field("pattern").unwrap_or(*p)).or_else(|| n.field("parameter"))?;
                        return Some(model.text(first));
                    }
                }
                _ => {}
            }
            current = n.parent();
        }
        None
    }

    /// The status code set in the same chain (`res.status(400).json(..)`), when literal.
    fn chained_status(callee: Node<'_>, model: &TsModel<'_>) -> Option<u16> {
        let object = callee.field("object")?;
        if object.kind() != "call_expression" {
            return None;
        }
        let inner = object.field("function")?;
        if inner.field("property").map(|p| model.text(p)) != Some("status") {
            return None;
        }
        model.text(object.field("arguments")?.named_child(0)?).parse().ok()
    }

    /// `res.status(<not a literal>)` in the chain.
    fn has_computed_status(callee: Node<'_>, model: &TsModel<'_>) -> bool {
        let Some(object) = callee.field("object").filter(|o| o.kind() == "call_expression") else { return false };
        let is_status = object.field("function").and_then(|f| f.field("property")).is_some_and(|p| model.text(p) == "status");
        let argument = object.field("arguments").and_then(|a| a.named_child(0));
        is_status && argument.is_some_and(|a| a.kind() != "number")
    }

    /// Inside a branch that only runs in development (`if (process.env.NODE_ENV !== "production")`).
    fn in_development_branch(node: Node<'_>, model: &TsModel<'_>) -> bool {
        let mut current = node.parent();
        while let Some(n) = current {
            if matches!(n.kind(), "if_statement" | "ternary_expression") {
                let condition = n.field("condition").map(|c| model.text(c)).unwrap_or("");
                if ["NODE_ENV", "isDev", "isDevelopment", "development", "DEBUG", "debug"].iter().any(|w| condition.contains(w)) {
                    return true;
                }
            }
            if is_function_like(n.kind()) {
                return false;
            }
            current = n.parent();
        }
        false
    }

    /// Where the body mentions the error: `err`, `err.message`, `err.stack`, `String(err)`.
    fn error_mention<'t>(body: Node<'t>, error: &str, model: &TsModel<'t>) -> Option<Node<'t>> {
        descendants(body).find(|n| match n.kind() {
            "identifier" | "shorthand_property_identifier" => model.text(*n) == error && !Self::is_safe_member(*n, model),
            _ => false,
        })
    }

    /// `err.status`, `err.code`, `err.name`: fields that say what happened without details.
    fn is_safe_member(identifier: Node<'_>, model: &TsModel<'_>) -> bool {
        let Some(parent) = identifier.parent().filter(|p| p.kind() == "member_expression") else { return false };
        parent.field("object") == Some(identifier)
            && parent.field("property").is_some_and(|p| matches!(model.text(p), "status" | "statusCode" | "code" | "name" | "expose"))
    }
}

impl Rule for ErrorDetailsInResponse {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        let Some(callee) = node.field("function").filter(|c| c.kind() == "member_expression") else { return };
        let method = callee.field("property").map(|p| model.text(p)).unwrap_or("");
        if !SEND_METHODS.contains(&method) {
            return;
        }
        let root = model.text(callee).split(['.', '(']).next().unwrap_or("");
        if !RESPONSE_NAMES.contains(&root) {
            return;
        }
        let Some(error) = Self::error_name(node, model) else { return };
        if Self::chained_status(callee, model).is_some_and(|status| (400..500).contains(&status))
            || Self::in_development_branch(node, model)
        {
            return;
        }
        // `res.status(err.statusCode).json(err.message)`: an HTTP error the code built for the
        // client, with its own status; only literal 5xx (or no status) means an unexpected error.
        if Self::has_computed_status(callee, model) {
            return;
        }
        let Some(arguments) = node.field("arguments") else { return };
        let Some(mention) = Self::error_mention(arguments, error, model) else { return };
        let what = match mention.parent().filter(|p| p.kind() == "member_expression").and_then(|p| p.field("property")) {
            Some(property) if model.text(property) == "stack" => "the stack trace",
            Some(property) if model.text(property) == "message" => "the error message",
            _ => "the error object",
        };
        let sink = crate::rules::shorten(model.text(callee), 40);
        cx.report(span_of(mention), format!("{what} of `{error}` is sent to the client by `{sink}`")).help = Some(HELP.into());
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Tuple, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, _model: &RustModel, cx: &mut Context<'_>) {
        if node.site.in_test || cx.in_test {
            return;
        }
        let (status, body) = match node.syntax {
            // `(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())`
            RustSyntax::Tuple(tuple) if tuple.elems.len() == 2 => {
                let status = tuple.elems[0].to_token_stream().to_string().replace(' ', "");
                (status, &tuple.elems[1])
            }
            // actix `HttpResponse::InternalServerError().body(e.to_string())`
            RustSyntax::MethodCall(call) if (call.method == "body" || call.method == "json") && call.args.len() == 1 => {
                let receiver = call.receiver.to_token_stream().to_string().replace(' ', "");
                (receiver, &call.args[0])
            }
            _ => return,
        };
        if !status.contains("INTERNAL_SERVER_ERROR") && !status.contains("InternalServerError") && !status.contains("500") {
            return;
        }
        if let Some(error) = rust_error_text(body) {
            cx.report(
                rust_span(cx.file, body),
                format!("the 500 response body is built from the error `{error}`, which reaches the client"),
            )
            .help = Some(HELP.into());
        }
    }
}

/// `e.to_string()`, `format!("{e}")`, `format!("{:?}", err)`, `err.to_string()` where the name is an error's.
fn rust_error_text(body: &syn::Expr) -> Option<String> {
    let is_error_name = |name: &str| matches!(name, "e" | "err" | "error") || name.ends_with("_err") || name.ends_with("_error");
    match body {
        syn::Expr::MethodCall(call) if call.method == "to_string" => match &*call.receiver {
            syn::Expr::Path(path) => path.path.get_ident().map(|i| i.to_string()).filter(|n| is_error_name(n)),
            _ => None,
        },
        syn::Expr::Macro(mac) if mac.mac.path.is_ident("format") => {
            // Inline captures in the format string (`{err:?}`) and the arguments after it; the
            // words of the literal text itself ("database error: ...") are not variables.
            let mut tokens = mac.mac.tokens.clone().into_iter();
            let template = match tokens.next() {
                Some(proc_macro2::TokenTree::Literal(literal)) => literal.to_string(),
                _ => return None,
            };
            let captures = template.split('{').skip(1).filter_map(|part| {
                let name = part.split(['}', ':']).next().unwrap_or("");
                (!name.is_empty()).then(|| name.to_string())
            });
            let arguments = tokens.filter_map(|token| match token {
                proc_macro2::TokenTree::Ident(ident) => Some(ident.to_string()),
                _ => None,
            });
            captures.chain(arguments).find(|name| is_error_name(name))
        }
        syn::Expr::Reference(r) => rust_error_text(&r.expr),
        _ => None,
    }
}
