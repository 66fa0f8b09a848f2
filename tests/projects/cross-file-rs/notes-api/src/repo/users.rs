use sqlx::PgPool;

/// Same name as the notes repository's, but the tag is bound.
pub async fn by_tag(pool: &PgPool, tag: &str) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT id, name FROM users WHERE tag = $1").bind(tag).fetch_all(pool).await
}
