//! GraphQL servers as the GraphQL rules see them: which call creates one, and its options.

use crate::lang::typescript::model::named_children;
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use tree_sitter::Node;

/// A GraphQL server a call or `new` creates.
pub(super) struct GraphqlServer<'t> {
    /// What to point at: the constructor or function.
    pub callee: Node<'t>,
    /// The options object literal, when the call passes one.
    pub options: Option<Node<'t>>,
    /// What the models say of the library: its name, switches and limit options.
    pub model: &'t crate::models::Graphql,
}

/// Packages that limit query depth, complexity or cost: importing one anywhere answers the
/// missing-limit question for the whole project (they are wired up in many ways).
pub(super) fn is_limit_package(module: &str) -> bool {
    // A package, not one of the project's own files (`./graphql/complexity.plugin`).
    let package = !module.starts_with('.') && !module.starts_with('/') && !module.starts_with("@/");
    package
        && ["depth-limit", "complexity", "cost-analysis", "cost-limit", "graphql-armor", "max-depth", "max-aliases"]
            .iter()
            .any(|part| module.contains(part))
}

/// The GraphQL server `node` (a `call_expression` or `new_expression`) creates, per the models:
/// Apollo Server, GraphQL Yoga, Mercurius (`app.register(mercurius, ..)`), express-graphql,
/// graphql-http, NestJS `GraphQLModule.forRoot(..)`, a `[[models.graphql]]` entry.
pub(super) fn server<'t>(node: Node<'t>, model: &TsModel<'t>) -> Option<GraphqlServer<'t>> {
    let callee = node.field(if node.kind() == "new_expression" { "constructor" } else { "function" })?;
    let arguments: Vec<Node<'t>> = node.field("arguments").map(|a| named_children(a).collect()).unwrap_or_default();
    let object = |argument: Option<&Node<'t>>| argument.map(|a| model.resolve(*a)).filter(|a| a.kind() == "object");
    // A Fastify plugin: `app.register(mercurius, { schema, resolvers })`.
    if callee.kind() == "member_expression" && callee.field("property").is_some_and(|p| model.text(p) == "register") {
        let plugin = arguments.first().and_then(|p| model.qualified_name(*p))?;
        let entry = model.graphql_named(&plugin).filter(|g| g.parameters.plugin)?;
        return Some(GraphqlServer { callee, options: object(arguments.get(1)), model: entry });
    }
    let entry = model.graphql(node).filter(|g| !g.parameters.plugin && !g.parameters.ide_page)?;
    Some(GraphqlServer { callee, options: object(arguments.get(entry.parameters.options_argument.unwrap_or(0))), model: entry })
}
