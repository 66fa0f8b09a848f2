//! `unbounded-query`: a request handler that loads every row a query matches, with no page size.
//! Such an endpoint is fast while the table is small and gets slower, heavier on memory and on
//! the database with every row added; one request for a large table can exhaust the process.

use crate::lang::rust::{method_chain, span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{is_function_like, named_children, span_of, Property};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::{Provenance, Query, QueryRole, SinkKind};
use crate::rules::reliability::query_in_loop::is_query_receiver;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use quote::ToTokens;
use regex::Regex;
use std::sync::OnceLock;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "unbounded-query", build };

struct UnboundedQuery;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(UnboundedQuery))
}

const HELP: &str = "paginate: cap the page size (`take`/`limit`/`LIMIT`, with a maximum the client cannot raise) and return a cursor or offset for the next page";

/// Option keys and chain methods that bound or page a query.
const PAGING_WORDS: &[&str] = &["take", "limit", "skip", "offset", "first", "last", "paginate", "page", "perPage", "per_page", "top"];

/// Columns that name at most one row (or a handful) when a query compares them for equality.
const KEY_COLUMNS: &[&str] = &["id", "_id", "uuid", "email", "username", "login", "slug"];

impl UnboundedQuery {
    /// A call the models say lists rows (`findMany`, `findAll`) with no bound in its options or
    /// its chain.
    fn check_ts_orm(&self, call: Node<'_>, list: &Query, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = call.field("function") else { return };
        let receiver = callee.field("object").map(|o| model.text(o)).unwrap_or("");
        // A method of any receiver counts on a database handle, model or repository; a method of
        // a named type (a user's `OrderRepo.listAll`) on what the models matched.
        if list.callee.is_method() && !is_query_receiver(receiver) {
            return;
        }
        let bound_option = list.bounds_shown();
        let arguments: Vec<Node<'_>> = call.field("arguments").map(|a| named_children(a).collect()).unwrap_or_default();
        // `items.find((x) => ..)`, `find(query)` with options built elsewhere: not an ORM call we can read.
        let mut objects = Vec::new();
        for argument in &arguments {
            match model.object_literal(*argument) {
                Some(object) => objects.push(object),
                None => return,
            }
        }
        let own_bound =
            |object: Node<'_>| list.parameters.bound_options.iter().any(|key| !matches!(model.property(object, key), Property::Missing));
        if objects.iter().any(|object| options_bound(*object, model) || own_bound(*object)) {
            return;
        }
        let (chain, _) = chain_methods(call, model);
        if chain.iter().any(|m| is_paging_word(m) || list.bounded_by(m)) {
            return;
        }
        let shown = crate::rules::shorten(model.text(callee), 50);
        let span = callee.field("property").map(span_of).unwrap_or_else(|| span_of(call));
        let what =
            if objects.iter().all(|o| named_children(*o).next().is_none()) { "every row of the table" } else { "every matching row" };
        cx.report(span, format!("`{shown}(..)` in a request handler has no {bound_option}: it loads {what}")).help = Some(HELP.into());
    }

    /// A query builder run for all its rows (`createQueryBuilder(..)...getMany()`, a `runner` of
    /// the models; `knex("users").select(..)`, `db.select().from(users)`) with no limit anywhere
    /// in the chain.
    fn check_ts_builder(&self, call: Node<'_>, method: &str, runner: Option<&Query>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let (chain, root) = chain_methods(call, model);
        // A method of the chain that bounds the rows, as the runner's models say (TypeORM's
        // `whereInIds`, `getOne`).
        if chain.iter().any(|m| is_paging_word(m) || runner.is_some_and(|r| r.bounded_by(m))) {
            return;
        }
        let root_text = model.text(root).to_ascii_lowercase();
        let is_builder = if let Some(runner) = runner {
            chain.iter().any(|m| Some(m.as_str()) == runner.parameters.after.as_deref())
        } else {
            // `select`: the first call of a knex/drizzle chain on a database handle.
            let handle = root_text.split(['.', '(']).find(|s| !s.is_empty() && *s != "this").unwrap_or("");
            ["knex", "db", "trx", "database", "connection"].iter().any(|h| handle == *h || handle.ends_with(h))
                && chain.iter().any(|m| m == "from" || m == "select")
                && !chain.iter().any(|m| m == "createQueryBuilder")
        };
        if !is_builder || chain.iter().any(|m| m == "where" || m == "andWhere") && where_on_key_in_chain(call, model) {
            return;
        }
        let span = call.field("function").and_then(|f| f.field("property")).map(span_of).unwrap_or_else(|| span_of(call));
        cx.report(span, format!("`{method}()` in a request handler runs a query with no limit: it loads every matching row")).help =
            Some(HELP.into());
    }

    /// A call given literal SQL (`pool.query("SELECT * FROM orders")`, `` prisma.$queryRaw`…` ``).
    /// `single_row`: the models say the call reads one row, whatever the SQL says.
    fn check_ts_sql(&self, call: Node<'_>, single_row: bool, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if single_row {
            return;
        }
        let Some(arguments) = call.field("arguments") else { return };
        let sql_node = if arguments.kind() == "template_string" { Some(arguments) } else { arguments.named_child(0) };
        let Some(sql_node) = sql_node else { return };
        let Some(sql) = ts_sql_text(sql_node, model) else { return };
        if !sql_is_unbounded(&sql) {
            return;
        }
        let (chain, _) = chain_methods(call, model);
        if chain.iter().any(|m| is_paging_word(m)) {
            return;
        }
        cx.report(
            span_of(sql_node),
            "this `SELECT` in a request handler has no `LIMIT` and no key in its `WHERE`: it loads every matching row",
        )
        .help = Some(HELP.into());
    }
}

impl Rule for UnboundedQuery {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test || !in_request_handler(node, model) {
            return;
        }
        let Some(callee) = node.field("function") else { return };
        let queries = model.queries(node);
        if callee.kind() == "member_expression" {
            let method = callee.field("property").map(|p| model.text(p)).unwrap_or("");
            if let Some(list) = queries.iter().find(|q| q.role == QueryRole::List) {
                return self.check_ts_orm(node, list, model, cx);
            }
            let runner = queries.iter().find(|q| q.role == QueryRole::Runner).copied();
            if runner.is_some() || method == "select" {
                return self.check_ts_builder(node, method, runner, model, cx);
            }
        }
        let single_row = queries.iter().any(|q| q.role == QueryRole::SingleRow);
        self.check_ts_sql(node, single_row, model, cx);
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        let RustSyntax::MethodCall(call) = node.syntax else { return };
        if node.site.in_test || cx.in_test {
            return;
        }
        let parts = model.method_call_parts(call, node.site.fn_id);
        let runners: Vec<&Query> = model.queries(&parts).into_iter().filter(|q| q.role == QueryRole::Runner).collect();
        if runners.is_empty() {
            return;
        }
        let Some(handler) = model.serving_handler(node.site.fn_id, node.site.fn_name.as_deref()) else { return };
        let (root, calls) = method_chain(&call.receiver);
        let chain: Vec<String> = calls.iter().map(|c| c.method.to_string()).collect();
        let method = call.method.to_string();
        if chain.iter().any(|m| is_paging_word(m) || m == "find" || runners.iter().any(|r| r.bounded_by(m))) {
            return;
        }
        let Some(finding) = runners.iter().find_map(|runner| rust_unbounded_run(runner, &method, root, &chain, &calls, model, node)) else {
            return;
        };
        let via = match node.site.fn_name.as_deref() {
            Some(name) if name != handler.name => format!("`{name}`, called from handler `{}`,", handler.name),
            _ => format!("handler `{}`", handler.name),
        };
        cx.report(rust_span(cx.file, &call.method), format!("{finding} in {via} loads every matching row")).help = Some(HELP.into());
    }
}

/// What is unbounded about a Rust runner's chain (`query!("SELECT …").fetch_all(..)`,
/// `posts.filter(..).load(..)`, `post::Entity::find().all(..)`), as the runner's entry describes
/// how its chains start; nothing when the chain is bounded or not this library's query.
fn rust_unbounded_run(
    runner: &Query,
    method: &str,
    root: &syn::Expr,
    chain: &[String],
    calls: &[&syn::ExprMethodCall],
    model: &RustModel,
    node: &RustNode<'_>,
) -> Option<String> {
    let p = &runner.parameters;
    if p.sql_text || !p.sql_macros.is_empty() {
        if let Some(sql) = rust_sql_text(root, &p.sql_macros, model, node.site.fn_id) {
            return sql_is_unbounded(&sql).then(|| format!("`{method}` of a `SELECT` with no `LIMIT` and no key in its `WHERE`"));
        }
    }
    let built = chain.iter().any(|m| p.builder_methods.contains(m))
        || match root {
            syn::Expr::Path(path) => {
                let segments: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
                p.root_paths.iter().any(|pattern| path_ends_like(&segments, pattern))
            }
            syn::Expr::Call(call) => {
                let path = model.call_path(call).unwrap_or_default();
                p.root_calls.iter().any(|name| path.rsplit("::").next() == Some(name.as_str()) && path.contains("::"))
            }
            _ => false,
        };
    if !built || filter_on_key(calls) {
        return None;
    }
    let bound = Some(runner.bounds_shown()).filter(|b| !b.is_empty()).unwrap_or_else(|| "`.limit(..)`".into());
    let library = match &runner.from {
        Provenance::BuiltIn(name) => format!("{name} "),
        Provenance::Config(_) => String::new(),
    };
    Some(format!("a {library}query built with no {bound} and run with `.{method}(..)`"))
}

/// Whether a path's segments end like a pattern: `table` matches `users::table`, `dsl::*`
/// matches `users::dsl::users` (a `*` is any one segment).
fn path_ends_like(segments: &[String], pattern: &str) -> bool {
    let wanted: Vec<&str> = pattern.split("::").collect();
    segments.len() >= wanted.len()
        && segments[segments.len() - wanted.len()..].iter().zip(&wanted).all(|(have, want)| *want == "*" || have == want)
}

/// Inside a route callback the model knows, or inside a function shaped like an Express handler,
/// `(req, res)`/`(req: Request, res: Response, next)`, which route factories return and
/// controller modules export for a router in another file to register.
fn in_request_handler(node: Node<'_>, model: &TsModel<'_>) -> bool {
    if model.handler_at(node.start_byte()).is_some() {
        return true;
    }
    std::iter::successors(node.parent(), |n| n.parent()).filter(|n| is_function_like(n.kind())).any(|function| {
        let parameters: Vec<Node<'_>> = function.field("parameters").map(|p| named_children(p).collect()).unwrap_or_default();
        let is = |parameter: Option<&Node<'_>>, names: &[&str], type_name: &str| {
            parameter.is_some_and(|p| {
                let name = p.field("pattern").map(|n| model.text(n)).unwrap_or(model.text(*p));
                let annotation = p.field("type").map(|t| model.text(t)).unwrap_or("");
                names.contains(&name) || annotation.trim_start_matches([':', ' ']).starts_with(type_name)
            })
        };
        (2..=3).contains(&parameters.len())
            && is(parameters.first(), &["req", "request"], "Request")
            && is(parameters.get(1), &["res", "response"], "Response")
    })
}

fn is_paging_word(word: &str) -> bool {
    PAGING_WORDS.iter().any(|p| p.eq_ignore_ascii_case(word)) || word.starts_with("paginate") || word.starts_with("page")
}

/// Whether ORM options bound the result: a paging option, or a `where` (or a Mongoose filter)
/// on a key column. A spread may hold either, so it counts as bounded.
fn options_bound(object: Node<'_>, model: &TsModel<'_>) -> bool {
    let has = |object: Node<'_>, keys: &[&str]| {
        keys.iter().any(|key| matches!(model.property(object, key), Property::Found(_) | Property::Unknown))
    };
    if has(object, PAGING_WORDS) || has(object, KEY_COLUMNS) {
        return true;
    }
    match model.property(object, "where") {
        Property::Found(filter) => model.object_literal(filter).is_some_and(|filter| has(filter, KEY_COLUMNS)),
        Property::Unknown => true,
        Property::Missing => false,
    }
}

/// The method names of the call chain `call` belongs to, from the root outwards, and its root:
/// for `repo.createQueryBuilder("u").where(..).getMany()`, [createQueryBuilder, where, getMany].
fn chain_methods<'t>(call: Node<'t>, model: &TsModel<'_>) -> (Vec<String>, Node<'t>) {
    // Up to the outermost call of the chain.
    let mut top = call;
    while let Some(member) = top.parent().filter(|p| p.kind() == "member_expression" && p.field("object") == Some(top)) {
        match member.parent().filter(|c| c.kind() == "call_expression" && c.field("function") == Some(member)) {
            Some(outer) => top = outer,
            None => break,
        }
    }
    // Down again, collecting method names.
    let mut methods = Vec::new();
    let mut current = top;
    loop {
        let inner = match current.kind() {
            "call_expression" => current.field("function"),
            "member_expression" => {
                // Only called members are methods: `prisma.page.findMany()` has one, `findMany`.
                let called = current.parent().is_some_and(|p| p.kind() == "call_expression" && p.field("function") == Some(current));
                if let Some(property) = current.field("property").filter(|_| called) {
                    methods.push(model.text(property).to_string());
                }
                current.field("object")
            }
            "await_expression" | "parenthesized_expression" | "non_null_expression" => current.named_child(0),
            _ => None,
        };
        match inner {
            Some(inner) => current = inner,
            None => break,
        }
    }
    methods.reverse();
    (methods, current)
}

/// `.where("id", id)`, `.where({ id })`, `.where("user.id = :id", ..)` in the chain of `call`.
fn where_on_key_in_chain(call: Node<'_>, model: &TsModel<'_>) -> bool {
    let mut top = call;
    while let Some(parent) = top.parent().filter(|p| matches!(p.kind(), "member_expression" | "call_expression")) {
        top = parent;
    }
    crate::lang::typescript::model::descendants(top).any(|n| {
        n.kind() == "call_expression"
            && n.field("function").and_then(|f| f.field("property")).is_some_and(|p| matches!(model.text(p), "where" | "andWhere"))
            && n.field("arguments").and_then(|a| a.named_child(0)).is_some_and(|first| {
                if let Some(object) = model.object_literal(first) {
                    return KEY_COLUMNS.iter().any(|k| matches!(model.property(object, k), Property::Found(_)));
                }
                model.string_value(first).is_some_and(|column| {
                    let column = column.split(['=', ' ']).next().unwrap_or("");
                    is_key_column(column.rsplit('.').next().unwrap_or(""))
                })
            })
    })
}

/// diesel `.filter(id.eq(..))`, `.filter(users::email.eq(..))`, sea-orm `.filter(Column::Id.eq(..))`.
fn filter_on_key(calls: &[&syn::ExprMethodCall]) -> bool {
    static EQUALITY: OnceLock<Regex> = OnceLock::new();
    let equality = EQUALITY.get_or_init(|| Regex::new(r"(\w+)\.(eq|is_in)\(").expect("valid pattern"));
    calls.iter().filter(|c| c.method == "filter").any(|c| {
        let text = c.args.to_token_stream().to_string().replace(' ', "");
        equality.captures_iter(&text).any(|column| is_key_column(&column[1]))
    })
}

/// The SQL a string, a template or a binding of one holds; substitutions read as parameters.
fn ts_sql_text(node: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    let node = model.resolve(node);
    if let Some(text) = model.string_literal(node) {
        return Some(text);
    }
    if node.kind() == "template_string" {
        let mut text = String::new();
        for child in named_children(node) {
            match child.kind() {
                "string_fragment" => text.push_str(model.text(child)),
                _ => text.push_str("$1"),
            }
        }
        // Older grammars keep the fragments unnamed: fall back to the raw text.
        if text.trim().is_empty() || !text.to_ascii_uppercase().contains("SELECT") {
            text = model.text(node).trim_matches('`').to_string();
        }
        return Some(text);
    }
    None
}

/// The SQL at the root of an sqlx or diesel chain: `query!("…")`, `query_as!(T, "…")`,
/// `sqlx::query_as::<_, T>(SQL)`, `sql_query("…")`.
fn rust_sql_text(root: &syn::Expr, sql_macros: &[String], model: &RustModel, fn_id: Option<usize>) -> Option<String> {
    match root {
        syn::Expr::Macro(mac) => {
            let name = mac.mac.path.segments.last()?.ident.to_string();
            if !sql_macros.contains(&name) {
                return None;
            }
            mac.mac.tokens.clone().into_iter().find_map(|token| match token {
                proc_macro2::TokenTree::Literal(literal) => {
                    match syn::parse2::<syn::Lit>(proc_macro2::TokenTree::Literal(literal).into()) {
                        Ok(syn::Lit::Str(s)) => Some(s.value()),
                        _ => None,
                    }
                }
                _ => None,
            })
        }
        syn::Expr::Call(call) => {
            let sinks = model.sinks(&model.call_parts(call), SinkKind::Sql);
            let argument = *sinks.iter().find(|sink| !sink.fragment)?.arguments.first()?;
            model.string_value(call.args.iter().nth(argument)?, fn_id)
        }
        _ => None,
    }
}

/// Whether literal SQL is a `SELECT … FROM` that can return a whole table: no `LIMIT`, `TOP`,
/// `FETCH FIRST` or `OFFSET`, not a lone aggregate, and no equality on a key column.
pub(crate) fn sql_is_unbounded(sql: &str) -> bool {
    static SELECT: OnceLock<Regex> = OnceLock::new();
    static BOUND: OnceLock<Regex> = OnceLock::new();
    static AGGREGATE: OnceLock<Regex> = OnceLock::new();
    static CATALOG: OnceLock<Regex> = OnceLock::new();
    static WHERE: OnceLock<Regex> = OnceLock::new();
    static KEY_EQUALITY: OnceLock<Regex> = OnceLock::new();
    static FOREIGN_KEY_EQUALITY: OnceLock<Regex> = OnceLock::new();
    let select = SELECT.get_or_init(|| Regex::new(r"(?is)^\s*\(?\s*select\s+(?P<list>.+?)\s+from\s").expect("valid pattern"));
    let Some(captures) = select.captures(sql) else { return false };
    let bound = BOUND.get_or_init(|| {
        Regex::new(r"(?i)\blimit\b|\bfetch\s+(first|next)\b|^\s*select\s+(distinct\s+)?top\b|\boffset\b|\brownum\b").expect("valid pattern")
    });
    // The database's own catalog (`sqlite_master`, `information_schema.columns`) is as big as the schema.
    let catalog = CATALOG
        .get_or_init(|| Regex::new(r"(?i)\bfrom\s+(sqlite_(master|schema)|information_schema\.|pg_catalog\.|pg_)").expect("valid pattern"));
    if bound.is_match(sql) || catalog.is_match(sql) {
        return false;
    }
    let aggregate = AGGREGATE.get_or_init(|| Regex::new(r"(?i)^\s*(count|sum|avg|min|max|exists|coalesce)\s*\(").expect("valid pattern"));
    if aggregate.is_match(&captures["list"]) && !sql.to_ascii_lowercase().contains("group by") {
        return false;
    }
    let where_clause = WHERE.get_or_init(|| Regex::new(r"(?i)\bwhere\b").expect("valid pattern"));
    let Some(where_at) = where_clause.find(sql) else { return true };
    let condition = &sql[where_at.start()..];
    let key_equality = KEY_EQUALITY
        .get_or_init(|| Regex::new(&format!(r#"(?i)(^|[\s(.])"?({})"?\s*(=|\bin\b)"#, KEY_COLUMNS.join("|"))).expect("valid pattern"));
    // Two foreign keys compared for equality: a row of a join table (`user_id = $1 AND item_id = $2`).
    let foreign_key_equality = FOREIGN_KEY_EQUALITY.get_or_init(|| Regex::new(r#"(?i)\w+_id"?\s*="#).expect("valid pattern"));
    !key_equality.is_match(condition) && foreign_key_equality.find_iter(condition).count() < 2
}

fn is_key_column(column: &str) -> bool {
    KEY_COLUMNS.contains(&column.trim_matches(['"', '`', '\'']).to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::sql_is_unbounded;

    #[test]
    fn unbounded_selects() {
        assert!(sql_is_unbounded("SELECT * FROM users"));
        assert!(sql_is_unbounded("select id, name from orders where customer_id = $1 order by created_at"));
        assert!(sql_is_unbounded("SELECT status, COUNT(*) FROM orders GROUP BY status"));
        assert!(sql_is_unbounded("SELECT * FROM products WHERE name LIKE '%' || $1 || '%'"));
    }

    #[test]
    fn bounded_selects() {
        assert!(!sql_is_unbounded("SELECT * FROM users WHERE id = $1"));
        assert!(!sql_is_unbounded("SELECT * FROM users WHERE users.email = ?"));
        assert!(!sql_is_unbounded("SELECT * FROM users ORDER BY id LIMIT 20"));
        assert!(!sql_is_unbounded("SELECT COUNT(*) FROM users"));
        assert!(!sql_is_unbounded("SELECT * FROM follows WHERE follower_id = $1 AND followee_id = $2"));
        assert!(!sql_is_unbounded("SELECT * FROM t OFFSET 10 ROWS FETCH FIRST 10 ROWS ONLY"));
        assert!(!sql_is_unbounded("SELECT TOP 10 * FROM t"));
        assert!(!sql_is_unbounded("INSERT INTO t (a) VALUES ($1) RETURNING *"));
        assert!(!sql_is_unbounded("SELECT * FROM users WHERE id = ANY($1)"));
        assert!(!sql_is_unbounded("SELECT sql FROM sqlite_master"));
        assert!(!sql_is_unbounded("select column_name from information_schema.columns where table_name = $1"));
    }
}
