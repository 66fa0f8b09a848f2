//! `query-in-loop`: a database query awaited once per element of a list that itself came from
//! a query or from the request (N+1). Each iteration pays a round trip, so the endpoint's
//! latency grows with the data: fine with ten rows in development, seconds with a thousand.

use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{descendants, is_function_like, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::QueryRole;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use quote::ToTokens;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "query-in-loop", build };

struct QueryInLoop;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(QueryInLoop))
}

const HELP: &str = "load the related rows in one query (`WHERE id IN (...)`/`= ANY($1)`, Prisma `include`/`in`, TypeORM relations, a DataLoader) and join them in memory";

/// Whether `call` (an awaited call) looks like a database query: a method the models say reads
/// (`findUnique`, `findAll`, `query`) on a receiver that is a client, a model or a repository, or
/// a method of a type the models name.
fn ts_is_query(call: Node<'_>, model: &TsModel<'_>) -> bool {
    let Some(callee) = call.field("function").filter(|c| c.kind() == "member_expression") else { return false };
    let Some(read) = model.queries(call).into_iter().find(|q| q.role == QueryRole::Read) else { return false };
    let receiver = callee.field("object").map(|o| model.text(o)).unwrap_or("");
    !read.callee.is_method() || is_query_receiver(receiver)
}

/// Whether the receiver of a query method names a client, a model or a repository
/// (`prisma.user`, `this.orderRepository`, `User`, `db`, `getRepository(Order)`).
pub(super) fn is_query_receiver(receiver: &str) -> bool {
    let root = receiver.split(['.', '(']).next().unwrap_or("").to_ascii_lowercase();
    root.contains("prisma")
        || root.contains("repo")
        || root.contains("db")
        || root.contains("pool")
        || root.contains("knex")
        || root.contains("manager")
        || root.contains("datasource")
        || root == "client"
        || receiver.contains("getRepository")
        || receiver.starts_with(char::is_uppercase)
        || receiver.starts_with("this.") && receiver.to_ascii_lowercase().contains("repo")
}

impl QueryInLoop {
    /// The list a `for … of` iterates came from a query or from the request.
    fn ts_list_is_loaded(&self, list: Node<'_>, model: &TsModel<'_>) -> Option<&'static str> {
        let list = model.unwrap_expression(list);
        if model.origin(list).is_request() {
            return Some("a list from the request");
        }
        let value = match list.kind() {
            "identifier" => model.binding(list).and_then(|b| b.value)?,
            _ => list,
        };
        let value = if value.kind() == "await_expression" { value.named_child(0)? } else { value };
        (value.kind() == "call_expression" && ts_is_query(value, model)).then_some("the rows of another query")
    }
}

impl Rule for QueryInLoop {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn service_only(&self) -> bool {
        true
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["for_in_statement"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        let Some(list) = node.field("right") else { return };
        let Some(source) = self.ts_list_is_loaded(list, model) else { return };
        let Some(body) = node.field("body") else { return };
        // The first awaited query in the body that is not inside a nested function.
        let query = descendants(body).find(|n| {
            n.kind() == "await_expression"
                && n.named_child(0).is_some_and(|call| call.kind() == "call_expression" && ts_is_query(call, model))
                && !ancestors_until(*n, body).any(|a| is_function_like(a.kind()))
        });
        if let Some(query) = query {
            let call = query.named_child(0).expect("checked above");
            let callee = call.field("function").map(|c| model.text(c)).unwrap_or("");
            cx.report(span_of(call), format!("`{callee}` runs once per element of {source} (N+1 queries)")).help = Some(HELP.into());
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::ForLoop]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        let RustSyntax::ForLoop(for_loop) = node.syntax else { return };
        if node.site.in_test || cx.in_test {
            return;
        }
        // The iterated list: a local loaded by a query the models know (`fetch_all`, diesel
        // `load`), or request data.
        let iterated = strip(&for_loop.expr);
        let loaded = match iterated {
            syn::Expr::Path(path) => model
                .local_of(node.site.fn_id, path)
                .and_then(|l| l.init)
                .is_some_and(|init| model.query_call_in(init, node.site.fn_id, &[QueryRole::Runner]).is_some()),
            _ => false,
        };
        // A list in the request: the iterated value is read from a handler's extractor binding
        // (`for id in lookup.ids` with `Json(lookup)`), whatever its element type.
        let root = match iterated {
            syn::Expr::Field(field) => root_name(&field.base),
            other => root_name(other),
        };
        let from_extractor = root.is_some_and(|root| {
            node.site.fn_id.and_then(|id| model.handlers().iter().find(|h| h.fn_id == id)).is_some_and(|handler| {
                handler.request_params.iter().any(|p| p.pattern.split(|c: char| !c.is_alphanumeric() && c != '_').any(|w| w == root))
            })
        });
        let source = if loaded {
            "the rows of another query"
        } else if from_extractor || model.origin(iterated, &node.site, cx.file).is_request() {
            "a list from the request"
        } else {
            return;
        };
        // A query the models know (`fetch_one`, diesel `first`) in a body that awaits.
        let Some(query) = model.query_call_in_block(&for_loop.body, node.site.fn_id, &[QueryRole::Read]) else {
            return;
        };
        if for_loop.body.to_token_stream().to_string().replace(' ', "").contains(".await") {
            cx.report(
                rust_span(cx.file, &for_loop.for_token),
                format!("this loop awaits a query (`{}`) once per element of {source} (N+1 queries)", query.method),
            )
            .help = Some(HELP.into());
        }
    }
}

/// The variable at the root of `a.b.c`.
fn root_name(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Path(path) => path.path.get_ident().map(ToString::to_string),
        syn::Expr::Field(field) => root_name(&field.base),
        _ => None,
    }
}

fn strip(expr: &syn::Expr) -> &syn::Expr {
    match expr {
        syn::Expr::Reference(r) => strip(&r.expr),
        syn::Expr::MethodCall(call) if matches!(call.method.to_string().as_str(), "iter" | "into_iter" | "iter_mut") => {
            strip(&call.receiver)
        }
        other => other,
    }
}

fn ancestors_until<'t>(node: Node<'t>, stop: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    let mut current = node.parent();
    std::iter::from_fn(move || {
        let n = current.filter(|n| *n != stop)?;
        current = n.parent();
        Some(n)
    })
}
