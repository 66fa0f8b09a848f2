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
    /// The library, for messages (`Apollo Server`).
    pub library: &'static str,
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

/// The GraphQL server `node` (a `call_expression` or `new_expression`) creates, if it does:
/// Apollo Server, GraphQL Yoga, Mercurius (`app.register(mercurius, ..)`), express-graphql,
/// graphql-http, NestJS `GraphQLModule.forRoot(..)`.
pub(super) fn server<'t>(node: Node<'t>, model: &TsModel<'t>) -> Option<GraphqlServer<'t>> {
    let callee = node.field(if node.kind() == "new_expression" { "constructor" } else { "function" })?;
    let arguments: Vec<Node<'t>> = node.field("arguments").map(|a| named_children(a).collect()).unwrap_or_default();
    let object = |argument: Option<&Node<'t>>| argument.map(|a| model.resolve(*a)).filter(|a| a.kind() == "object");
    // Mercurius is a Fastify plugin: `app.register(mercurius, { schema, resolvers })`.
    if callee.kind() == "member_expression" && callee.field("property").is_some_and(|p| model.text(p) == "register") {
        let plugin = arguments.first().and_then(|p| model.qualified_name(*p))?;
        return (plugin == "mercurius").then(|| GraphqlServer { callee, options: object(arguments.get(1)), library: "Mercurius" });
    }
    let name = model.qualified_name(callee)?;
    let library = match (node.kind(), name.as_str()) {
        ("new_expression", name) if name.ends_with(".ApolloServer") && name.contains("apollo") => "Apollo",
        ("call_expression", "graphql-yoga.createYoga") => "GraphQL Yoga",
        ("call_expression", "express-graphql.graphqlHTTP") => "express-graphql",
        ("call_expression", name) if name.starts_with("graphql-http") && name.ends_with(".createHandler") => "graphql-http",
        ("call_expression", "@nestjs/graphql.GraphQLModule.forRoot") => "NestJS GraphQL",
        _ => return None,
    };
    Some(GraphqlServer { callee, options: object(arguments.first()), library })
}
