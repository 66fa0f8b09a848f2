//! Web-facing policy: CORS and the headers that tell browsers what a site allows, and what a
//! GraphQL endpoint lets a client ask for.

mod graphql;
pub mod graphql_introspection_enabled;
pub mod graphql_without_query_limits;

pub mod missing_security_headers;
pub mod permissive_cors;
