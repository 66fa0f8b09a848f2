use async_graphql::{EmptyMutation, EmptySubscription, Object, SchemaBuilder};

pub struct Query;

#[Object]
impl Query {
    async fn version(&self) -> &str {
        "1"
    }
}

pub type Builder = SchemaBuilder<Query, EmptyMutation, EmptySubscription>;

/// The builder without extensions: callers add theirs.
pub fn schema_builder() -> Builder {
    async_graphql::Schema::build(Query, EmptyMutation, EmptySubscription)
}
