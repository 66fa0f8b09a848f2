use crate::repo::notes;
use sqlx::PgPool;

/// Validated in the middle layer: what reaches the repository is a number.
pub async fn notes_of(pool: &PgPool, author: &str) -> sqlx::Result<Vec<(i64, String)>> {
    let author: i64 = author.parse().unwrap_or_default();
    notes::by_author(pool, author).await
}

/// Passed on as it came.
pub async fn tagged(pool: &PgPool, tag: &str) -> sqlx::Result<Vec<(i64, String)>> {
    notes::by_label(pool, tag).await
}
