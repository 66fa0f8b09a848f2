//! `error-details-in-response`: error objects, messages or stack traces sent to the client.
//! Database errors name tables and constraints, I/O errors name paths, stack traces name files
//! and library versions: a map for the next attack, and sometimes the data itself.

use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{descendants, is_function_like, named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::Language;
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

/// The status a response is sent with, as far as the code says.
enum Status {
    /// None given (the framework's default).
    Absent,
    /// A literal 4xx: a message written for the client.
    Client,
    /// Another literal (a 5xx, a 200).
    Other,
    /// Computed (`err.statusCode`): an HTTP error the code built for the client.
    Computed,
}

/// 5xx statuses by the names HTTP status enums (NestJS's `HttpStatus`) and tRPC's error codes
/// give them: an unexpected failure. Other names are a status the code chose, like a computed one.
const SERVER_ERROR_NAMES: &[&str] = &["INTERNAL_SERVER_ERROR", "NOT_IMPLEMENTED", "BAD_GATEWAY", "SERVICE_UNAVAILABLE", "GATEWAY_TIMEOUT"];

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

    /// The status set in the same chain before the call (`res.status(400).json(..)`).
    fn chained_status(callee: Node<'_>, model: &TsModel<'_>) -> Status {
        let Some(object) = callee.field("object").filter(|o| o.kind() == "call_expression") else { return Status::Absent };
        let is_status = object.field("function").and_then(|f| f.field("property")).is_some_and(|p| model.text(p) == "status");
        match is_status {
            true => Self::literal_status(object.field("arguments").and_then(|a| a.named_child(0)), model),
            false => Status::Absent,
        }
    }

    /// What a status expression says: a literal 4xx, another literal, something computed, or none.
    /// A 5xx status named the way HTTP and tRPC name them counts as a literal
    /// (`HttpStatus.INTERNAL_SERVER_ERROR`, `"INTERNAL_SERVER_ERROR"`).
    fn literal_status(status: Option<Node<'_>>, model: &TsModel<'_>) -> Status {
        let Some(status) = status.map(|s| model.unwrap_expression(s)) else { return Status::Absent };
        let named = match status.kind() {
            "string" => model.string_literal(status),
            "member_expression" => status.field("property").map(|p| model.text(p).to_string()),
            _ => None,
        };
        if named.is_some_and(|name| SERVER_ERROR_NAMES.contains(&name.as_str())) {
            return Status::Other;
        }
        match model.text(status).parse::<u16>() {
            Ok(code) if (400..500).contains(&code) => Status::Client,
            Ok(_) => Status::Other,
            Err(_) if status.kind() == "number" => Status::Other,
            Err(_) => Status::Computed,
        }
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

    /// Where the body mentions the error: `err`, `err.message`, `err.stack`, `String(err)`. A type
    /// test (`error instanceof Error ? error.message : ".."`) sends nothing itself.
    fn error_mention<'t>(body: Node<'t>, error: &str, model: &TsModel<'t>) -> Option<Node<'t>> {
        let type_test = |n: Node<'_>| {
            n.parent().is_some_and(|p| {
                p.kind() == "binary_expression" && p.child_by_field_name("operator").is_some_and(|o| o.kind() == "instanceof")
            })
        };
        descendants(body).find(|n| match n.kind() {
            "identifier" | "shorthand_property_identifier" => model.text(*n) == error && !Self::is_safe_member(*n, model) && !type_test(*n),
            _ => false,
        })
    }

    /// What of the error a mention sends: `err.stack`, `(e as Error).message`, or the whole error.
    fn what_is_sent(mention: Node<'_>, model: &TsModel<'_>) -> &'static str {
        let mut outer = mention;
        while let Some(parent) =
            outer.parent().filter(|p| matches!(p.kind(), "parenthesized_expression" | "as_expression" | "non_null_expression"))
        {
            outer = parent;
        }
        let member = outer.parent().filter(|p| p.kind() == "member_expression" && p.field("object") == Some(outer));
        match member.and_then(|m| m.field("property")).map(|p| model.text(p)) {
            Some("stack") => "the stack trace",
            Some("message") => "the error message",
            _ => "the error object",
        }
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
        &["call_expression", "new_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        // A call the models say sends a response body (`[[responses]]`): Express's `res.json`,
        // Hono's `c.json`, Next.js's `NextResponse.json`, `new Response(..)`, and the errors a
        // framework turns into one: NestJS's `new InternalServerErrorException(..)`, tRPC's
        // `new TRPCError({ code, message })`.
        let Some(response) = model.response(node) else { return };
        let Some(callee) = node.field("function").or_else(|| node.field("constructor")) else { return };
        let Some(error) = Self::error_name(node, model) else { return };
        let arguments: Vec<Node<'_>> = node.field("arguments").map(|a| named_children(a).collect()).unwrap_or_default();
        let p = &response.parameters;
        let (status, status_at) = match (p.status_argument, &p.status_option) {
            (Some(index), _) => (Self::literal_status(arguments.get(index).copied(), model), Some(index)),
            (None, Some(option)) => {
                let index = p.options_argument.unwrap_or(1);
                let value = arguments.get(index).and_then(|a| match model.property(model.resolve(*a), option) {
                    crate::lang::typescript::Property::Found(value) => Some(value),
                    _ => None,
                });
                (Self::literal_status(value, model), Some(index))
            }
            (None, None) if callee.kind() == "member_expression" => (Self::chained_status(callee, model), None),
            _ => (Status::Absent, None),
        };
        // `res.status(err.statusCode).json(err.message)`: an HTTP error the code built for the
        // client, with its own status; only literal 5xx (or no status) means an unexpected error.
        if matches!(status, Status::Client | Status::Computed) || Self::in_development_branch(node, model) {
            return;
        }
        let body: Vec<Node<'_>> = match &p.body_option {
            // Only that option is sent (`message`; a `cause` stays on the server).
            Some(option) => {
                let options = arguments.get(p.options_argument.unwrap_or(1)).map(|a| model.resolve(*a));
                options
                    .and_then(|o| match model.property(o, option) {
                        crate::lang::typescript::Property::Found(value) => Some(value),
                        _ => None,
                    })
                    .into_iter()
                    .collect()
            }
            None => arguments.iter().enumerate().filter(|(i, _)| Some(*i) != status_at).map(|(_, a)| *a).collect(),
        };
        let Some(mention) = body.into_iter().find_map(|argument| Self::error_mention(argument, error, model)) else { return };
        let what = Self::what_is_sent(mention, model);
        let shown = crate::rules::shorten(model.text(callee), 40);
        let sink = if node.kind() == "new_expression" { format!("new {shown}") } else { shown };
        cx.report(span_of(mention), format!("{what} of `{error}` is sent to the client by `{sink}`")).help = Some(HELP.into());
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Tuple, RustKind::MethodCall, RustKind::Impl]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if node.site.in_test || cx.in_test {
            return;
        }
        let (status, body) = match node.syntax {
            RustSyntax::Impl(item) => return check_error_response_impl(item, model, cx),
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
            let span = rust_span(cx.file, body);
            if cx.reported_at(span) {
                return;
            }
            cx.report(span, format!("the 500 response body is built from the error `{error}`, which reaches the client")).help =
                Some(HELP.into());
        }
    }
}

/// `e.to_string()`, `format!("{e}")`, `format!("{:?}", err)`, `err.to_string()` where the name is an error's.
/// (`self` in an error type's own response conversion is [`check_error_response_impl`]'s.)
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

/// axum `impl IntoResponse for AppError` / actix `impl ResponseError for AppError` whose body is
/// the error's own text (`self.to_string()`, `format!("{self}")`), outside arms that answer 4xx,
/// while a variant of the (same-file) enum wraps a library error and displays it.
fn check_error_response_impl(item: &syn::ItemImpl, model: &RustModel, cx: &mut Context<'_>) {
    let Some((_, trait_path, _)) = &item.trait_ else { return };
    if !trait_path.segments.last().is_some_and(|s| s.ident == "IntoResponse" || s.ident == "ResponseError") {
        return;
    }
    let syn::Type::Path(self_ty) = &*item.self_ty else { return };
    let Some(type_name) = self_ty.path.segments.last().map(|s| s.ident.to_string()) else { return };
    let method = item.items.iter().find_map(|i| match i {
        syn::ImplItem::Fn(f) if f.sig.ident == "into_response" || f.sig.ident == "error_response" => Some(f),
        _ => None,
    });
    let Some(method) = method else { return };
    // A conversion that only ever answers 4xx (`(StatusCode::BAD_REQUEST, self.0.to_string())`).
    let body = method.block.to_token_stream().to_string();
    let server_error = ["INTERNAL_SERVER_ERROR", "InternalServerError", "500", "status"].iter().any(|s| body.contains(s));
    if !server_error {
        return;
    }
    let mut finder = SelfText::default();
    syn::visit::visit_block(&mut finder, &method.block);
    let Some((expr, debug)) = finder.found.into_iter().next() else { return };
    let internal: Vec<&str> = model.knowledge().internal_error_types(Language::Rust).collect();
    let Some(carrier) = library_error_carrier(&cx.file.text, &type_name, debug, &internal) else { return };
    let span = rust_span(cx.file, expr);
    if cx.reported_at(span) {
        return;
    }
    let method_name = method.sig.ident.to_string();
    cx.report(
        span,
        format!(
            "`{method_name}` sends the error's own text to the client, and `{carrier}` carries a library error into it with a 500 status"
        ),
    )
    .help = Some(HELP.into());
}

/// Where a response conversion formats `self`, outside match arms that answer with a 4xx status;
/// with whether it is `Debug` formatting.
#[derive(Default)]
struct SelfText<'a> {
    found: Vec<(&'a syn::Expr, bool)>,
    client_error_arms: usize,
}

impl<'a> syn::visit::Visit<'a> for SelfText<'a> {
    fn visit_arm(&mut self, arm: &'a syn::Arm) {
        let text = arm.body.to_token_stream().to_string();
        let client_error =
            ["BAD_REQUEST", "NOT_FOUND", "UNAUTHORIZED", "FORBIDDEN", "CONFLICT", "UNPROCESSABLE_ENTITY", "TOO_MANY_REQUESTS"]
                .iter()
                .chain(&["BadRequest", "NotFound", "Unauthorized", "Forbidden", "Conflict", "UnprocessableEntity"])
                .any(|status| text.contains(status));
        let server_error = text.contains("INTERNAL_SERVER_ERROR") || text.contains("InternalServerError");
        let skip = client_error && !server_error;
        self.client_error_arms += usize::from(skip);
        syn::visit::visit_arm(self, arm);
        self.client_error_arms -= usize::from(skip);
    }

    fn visit_expr(&mut self, expr: &'a syn::Expr) {
        if self.client_error_arms == 0 {
            match expr {
                syn::Expr::MethodCall(call) if call.method == "to_string" && is_self(&call.receiver) => self.found.push((expr, false)),
                syn::Expr::Macro(mac) if mac.mac.path.segments.last().is_some_and(|s| s.ident == "format" || s.ident == "json") => {
                    let tokens = mac.mac.tokens.to_string();
                    let mentions_self = tokens.split(|c: char| !c.is_alphanumeric() && c != '_').any(|word| word == "self");
                    if mentions_self {
                        self.found.push((expr, tokens.contains(":?")));
                    }
                }
                _ => {}
            }
        }
        syn::visit::visit_expr(self, expr);
    }
}

fn is_self(expr: &syn::Expr) -> bool {
    match expr {
        syn::Expr::Path(path) => path.path.is_ident("self"),
        syn::Expr::Field(field) => is_self(&field.base),
        syn::Expr::Paren(inner) => is_self(&inner.expr),
        _ => false,
    }
}

/// What of the file's type `type_name` wraps a library error and shows its text: a struct with
/// a field of one of the `internal` types (the models' `[[internal-errors]]`: `struct
/// AppError(anyhow::Error)`), or the enum variant that holds one and displays it
/// (`#[error(transparent)]`, `#[error("database: {0}")]`, any when formatted with `{:?}`).
/// Parses the file again: this runs once per error type's response conversion.
fn library_error_carrier(source: &str, type_name: &str, debug: bool, internal: &[&str]) -> Option<String> {
    let wraps = |fields: &syn::Fields| {
        let fields = fields.to_token_stream().to_string().replace(' ', "");
        internal.iter().any(|t| fields.contains(t))
    };
    let file = crate::lang::rust::parse_file(source).ok()?;
    let mut items: Vec<&syn::Item> = file.items.iter().collect();
    while let Some(item) = items.pop() {
        match item {
            syn::Item::Mod(module) => items.extend(module.content.iter().flat_map(|(_, inner)| inner)),
            syn::Item::Struct(structure) if structure.ident == type_name => {
                return wraps(&structure.fields).then(|| type_name.to_string());
            }
            syn::Item::Enum(enumeration) if enumeration.ident == type_name => {
                return enumeration.variants.iter().find_map(|variant| {
                    let displays = variant.attrs.iter().filter(|a| a.path().is_ident("error")).any(|a| {
                        let text = a.meta.to_token_stream().to_string();
                        text.contains("transparent") || text.contains('{')
                    });
                    (wraps(&variant.fields) && (displays || debug)).then(|| format!("{type_name}::{}", variant.ident))
                });
            }
            _ => {}
        }
    }
    None
}
