//! `graphql-introspection-enabled`: a GraphQL server switched to answer introspection queries,
//! or to serve its in-browser IDE, whatever the environment. Introspection hands anyone the whole
//! schema, including fields and mutations the clients never use.

use super::graphql::server;
use crate::diagnostic::Level;
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::span_of;
use crate::lang::typescript::{Property, TsModel};
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "graphql-introspection-enabled", build };

struct GraphqlIntrospectionEnabled;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(GraphqlIntrospectionEnabled))
}

impl Rule for GraphqlIntrospectionEnabled {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn service_only(&self) -> bool {
        true
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression", "new_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        let Some(server) = server(node, model) else { return };
        let Some(options) = server.options else { return };
        // Options that turn introspection or an IDE on, per the models (Apollo's `introspection`,
        // `graphiql` of Yoga, Mercurius and express-graphql, Mercurius's `ide`).
        for key in &server.model.parameters.switches {
            // Only a literal `true`: `introspection: process.env.NODE_ENV !== "production"` is the fix.
            if let Property::Found(value) = model.property(options, key) {
                if model.unwrap_expression(value).kind() == "true" {
                    let pair = value.parent().unwrap_or(value);
                    cx.report_capped(
                        Level::Note,
                        span_of(pair),
                        format!("`{key}: true` serves this {} schema to anyone in every environment", server.model.parameters.library),
                    )
                    .help = Some(format!("enable it outside production only: `{key}: process.env.NODE_ENV !== \"production\"`"));
                }
            }
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        let RustSyntax::Call(call) = node.syntax else { return };
        if node.site.in_test || node.site.in_debug_build || cx.in_test {
            return;
        }
        // A function the models say renders a GraphQL IDE (async-graphql, juniper).
        let parts = model.call_parts(call);
        let Some(ide) = model.graphql(&parts).filter(|g| g.parameters.ide_page) else { return };
        let page = &ide.callee.written;
        cx.report_capped(Level::Note, rust_span(cx.file, &call.func), format!("`{page}` serves a GraphQL IDE, and the schema it introspects, to anyone"))
            .help = Some("serve the IDE only in development builds (`#[cfg(debug_assertions)]` or a configuration flag), and call `.disable_introspection()` on the production schema".into());
    }
}
