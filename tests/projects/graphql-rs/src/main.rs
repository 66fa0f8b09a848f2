mod schema;

use async_graphql::extensions::Tracing;

#[tokio::main]
async fn main() {
    let schema = schema::schema_builder().extension(Tracing).finish();
    let app = axum::Router::new().route("/graphql", axum::routing::post_service(async_graphql_axum::GraphQL::new(schema)));
    let listener = tokio::net::TcpListener::bind("0.0.0.0:8000").await.unwrap();
    axum::serve(listener, app).await.unwrap();
}
