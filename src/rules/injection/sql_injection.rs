//! `sql-injection`: request data in SQL text handed to a database driver, ORM or query builder as
//! raw SQL. The same check, reporting the SQL built from other run-time values (a function
//! parameter, an unknown call) instead, is the audit rule `dynamic-sql` (`dynamic_sql.rs`): on
//! code nobody tuned on those were nearly all false (constants the rule cannot follow).

use super::sql_placeholders::bind_template_values;
use super::{report_origin, Reports};
use crate::diagnostic::{Applicability, Level};
use crate::lang::rust::{RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::SinkKind;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use quote::ToTokens;
use regex::Regex;
use std::sync::OnceLock;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "sql-injection", build };

pub(crate) struct SqlInjection {
    id: &'static str,
    reports: Reports,
}

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(SqlInjection { id: ENTRY.id, reports: Reports::RequestData }))
}

impl SqlInjection {
    pub(crate) fn reporting(id: &'static str, reports: Reports) -> SqlInjection {
        SqlInjection { id, reports }
    }

    /// Reports the SQL argument if its origin is what this rule reports; whether it did.
    fn report(&self, cx: &mut Context<'_>, span: crate::source::Span, origin: &crate::taint::Origin, sink: &str) -> bool {
        match (self.reports, origin) {
            // Parameters too: the project pass reports them if a caller passes request data.
            (
                Reports::RequestData,
                crate::taint::Origin::Request(_) | crate::taint::Origin::Parameter(_) | crate::taint::Origin::Returned(_),
            ) => report_origin(cx, span, origin, "SQL text", sink, None, HELP),
            (Reports::NonConstant, origin) if origin.is_dynamic() => {
                report_origin(cx, span, &crate::taint::Origin::Dynamic, "SQL text", sink, Some(Level::Warning), HELP)
            }
            _ => false,
        }
    }

    fn report_rust(&self, cx: &mut Context<'_>, model: &RustModel<'_>, node: &RustNode<'_>, sql: &syn::Expr, sink: &str) {
        if node.site.in_test {
            return;
        }
        let origin = model.origin_for(sql, &node.site, cx.file, Some(SinkKind::Sql));
        self.report(cx, crate::lang::rust::span_of(cx.file, sql), &origin, sink);
    }
}

const HELP: &str = "pass values as bound parameters (`$1`/`?` placeholders with a values array, a tagged `sql` template, `.bind()`); choose identifiers such as column names from a fixed list";

/// Text that reads as a SQL statement or clause.
fn looks_like_sql(text: &str) -> bool {
    static SQL: OnceLock<Regex> = OnceLock::new();
    SQL.get_or_init(|| {
        Regex::new(
            r"(?is)\bselect\b.+\bfrom\b|\binsert\s+into\b|\bupdate\b.+\bset\b|\bdelete\s+from\b|\b(create|drop|alter|truncate)\s+table\b|^\s*(where|order\s+by|group\s+by)\b",
        )
        .expect("valid SQL pattern")
    })
    .is_match(text)
}

/// A condition fragment (`"user.id = " + id`, `` `name LIKE '%${q}%'` ``).
fn looks_like_condition(text: &str) -> bool {
    static CONDITION: OnceLock<Regex> = OnceLock::new();
    CONDITION.get_or_init(|| Regex::new(r"(?i)(=|<|>|\blike\b|\bin\s*\(|\bis\s+(not\s+)?null\b)").expect("valid pattern")).is_match(text)
}

impl SqlInjection {
    /// The source text that builds the SQL: the argument, or for a variable, its initialiser and
    /// every later assignment (`let sql = "SELECT …"; sql += " WHERE …"`).
    fn sql_text(&self, argument: Node<'_>, model: &TsModel<'_>) -> String {
        let argument = model.unwrap_expression(argument);
        if argument.kind() == "identifier" {
            if let Some(binding) = model.binding(argument) {
                let mut text = binding.value.map(|v| model.text(v).to_string()).unwrap_or_default();
                for assigned in &binding.assigned {
                    text.push(' ');
                    text.push_str(model.text(*assigned));
                }
                return text;
            }
        }
        model.text(argument).to_string()
    }
}

impl Rule for SqlInjection {
    fn id(&self) -> &'static str {
        self.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression"]
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        match node.syntax {
            RustSyntax::Call(call) => self.check_rust_call(call, model, node, cx),
            RustSyntax::MethodCall(call) => self.check_rust_method(call, model, node, cx),
            _ => {}
        }
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = node.field("function") else { return };
        let Some(arguments) = node.field("arguments") else { return };
        // `prisma.$queryRaw\`…\``, `sql\`…\``: tagged templates bind their substitutions.
        if arguments.kind() == "template_string" {
            return;
        }
        let sinks = model.sinks(node, SinkKind::Sql);
        let Some(first) = sinks.first().and_then(|sink| named_children(arguments).nth(sink.arguments[0])) else { return };
        let qualified = model.qualified_name(callee).unwrap_or_default();
        // `Promise.all([...])` is no query, whatever its callbacks contain.
        if qualified.starts_with("Promise.") {
            return;
        }
        // SQL text is a string, a template, a concatenation or a name holding one. Arrays, objects
        // and callbacks (Prisma's `update({ data: { tags: { set } } })`) are not, whatever words
        // they contain; a tagged template (`sql\`…\``) binds its substitutions.
        let unwrapped = model.unwrap_expression(first);
        let tagged = unwrapped.kind() == "call_expression" && unwrapped.field("arguments").is_some_and(|a| a.kind() == "template_string");
        if tagged || matches!(unwrapped.kind(), "array" | "object" | "arrow_function" | "function_expression" | "function") {
            return;
        }
        let text = self.sql_text(first, model);
        let is_sink = if sinks.iter().any(|s| s.certain) {
            true
        } else if sinks.iter().any(|s| !s.fragment) {
            looks_like_sql(&text)
        } else {
            // A query-builder condition (TypeORM's `where`).
            // Only string-building shapes: objects, arrays and callbacks are parameterised forms.
            let unwrapped = model.unwrap_expression(first);
            matches!(unwrapped.kind(), "template_string" | "binary_expression" | "identifier")
                && looks_like_condition(&text)
                && (model.imports_module("typeorm")
                    || text.contains(':')
                    || model.text(callee).contains("QueryBuilder")
                    || unwrapped.kind() != "identifier")
        };
        if !is_sink {
            return;
        }
        let origin = model.origin_for(first, Some(SinkKind::Sql));
        let sink = super::sink_name(callee, model);
        if self.report(cx, span_of(first), &origin, &sink) {
            if let Some(edits) = bind_template_values(node, unwrapped, &sinks, model, cx.file) {
                if let Some(finding) = cx.last_finding() {
                    finding.with_fix("bind the values as parameters", Applicability::Unsafe, edits);
                }
            }
        }
    }
}

impl SqlInjection {
    fn check_rust_call(&self, call: &syn::ExprCall, model: &RustModel<'_>, node: &RustNode<'_>, cx: &mut Context<'_>) {
        let parts = model.call_parts(call);
        let sinks = model.sinks(&parts, SinkKind::Sql);
        let Some(sql) = sinks.first().and_then(|sink| call.args.iter().nth(sink.arguments[0])) else { return };
        let path = parts.module.as_deref().unwrap_or("");
        let sink = format!("`{}`", crate::rules::short_path(path));
        // Without request data, only SQL this function is seen to build by interpolation or
        // concatenation is reported: the result of a query builder (`SqlBuilder::…().sql()`) or
        // of another call is opaque here, and mostly placeholders bound later.
        if !model.origin(sql, &node.site, cx.file).is_request() && !visibly_built(sql, model, node.site.fn_id, 0) {
            return;
        }
        self.report_rust(cx, model, node, sql, &sink);
    }

    fn check_rust_method(&self, call: &syn::ExprMethodCall, model: &RustModel<'_>, node: &RustNode<'_>, cx: &mut Context<'_>) {
        let parts = model.method_call_parts(call, node.site.fn_id);
        let sinks = model.sinks(&parts, SinkKind::Sql);
        let Some(sink) = sinks.first() else { return };
        let Some(first) = call.args.iter().nth(sink.arguments[0]) else { return };
        let method = call.method.to_string();
        if sinks.iter().any(|s| s.certain) {
            // sqlx `QueryBuilder::push`: SQL text; values go through `push_bind`.
            let shown = format!("`{}`", sink.callee.written);
            self.report_rust(cx, model, node, first, &shown);
            return;
        }
        // A client method that also takes prepared statements: the argument's own text, or what
        // its variable was built from, must read as SQL.
        let text = match first {
            syn::Expr::Path(path) => model.local_of(node.site.fn_id, path).and_then(|l| l.init).map(|i| i.to_token_stream().to_string()),
            syn::Expr::Reference(r) => match &*r.expr {
                syn::Expr::Path(path) => {
                    model.local_of(node.site.fn_id, path).and_then(|l| l.init).map(|i| i.to_token_stream().to_string())
                }
                other => Some(other.to_token_stream().to_string()),
            },
            other => Some(other.to_token_stream().to_string()),
        }
        .unwrap_or_default();
        if !looks_like_sql(&text) {
            return;
        }
        self.report_rust(cx, model, node, first, &format!("`.{method}`"));
    }
}

/// Whether SQL text is put together where it is read: `format!`/`concat!`, `+`, a literal, or a
/// local holding one (also after `push_str`/`write!` onto it), through `&`, `as_str()` and other
/// conversions.
fn visibly_built(expr: &syn::Expr, model: &RustModel<'_>, fn_id: Option<usize>, depth: usize) -> bool {
    if depth > 4 {
        return false;
    }
    match expr {
        syn::Expr::Macro(m) => m.mac.path.segments.last().is_some_and(|s| matches!(s.ident.to_string().as_str(), "format" | "concat")),
        syn::Expr::Binary(b) => matches!(b.op, syn::BinOp::Add(_)),
        syn::Expr::Lit(_) => true,
        syn::Expr::Reference(r) => visibly_built(&r.expr, model, fn_id, depth + 1),
        syn::Expr::Paren(p) => visibly_built(&p.expr, model, fn_id, depth + 1),
        syn::Expr::MethodCall(m)
            if m.args.is_empty()
                && matches!(m.method.to_string().as_str(), "as_str" | "as_ref" | "to_string" | "to_owned" | "into" | "clone") =>
        {
            visibly_built(&m.receiver, model, fn_id, depth + 1)
        }
        syn::Expr::Path(p) => model.local_of(fn_id, p).is_some_and(|local| {
            local.methods.iter().any(|m| matches!(m.as_str(), "push_str" | "push" | "extend"))
                || local.init.is_some_and(|init| visibly_built(init, model, fn_id, depth + 1))
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_shapes() {
        assert!(looks_like_sql("`SELECT * FROM users WHERE id = ${id}`"));
        assert!(looks_like_sql("'DELETE FROM sessions WHERE token = ' + token"));
        assert!(looks_like_sql("\"update accounts set balance = 0\""));
        assert!(!looks_like_sql("`/api/users/${id}`"));
        assert!(!looks_like_sql("'user:' + id + ':sessions'"));
        assert!(looks_like_condition("`user.name LIKE '%${q}%'`"));
        assert!(!looks_like_condition("`user.profile`"));
    }
}
