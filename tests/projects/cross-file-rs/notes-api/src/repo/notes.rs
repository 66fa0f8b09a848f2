use sqlx::PgPool;

pub async fn by_tag(pool: &PgPool, tag: &str) -> sqlx::Result<Vec<(i64, String)>> {
    let sql = format!("SELECT id, body FROM notes WHERE tag = '{tag}'");
    sqlx::query_as(&sql).fetch_all(pool).await
}

pub async fn by_label(pool: &PgPool, label: &str) -> sqlx::Result<Vec<(i64, String)>> {
    let sql = format!("SELECT id, body FROM notes WHERE label = '{label}'");
    sqlx::query_as(&sql).fetch_all(pool).await
}

pub async fn by_author(pool: &PgPool, author: i64) -> sqlx::Result<Vec<(i64, String)>> {
    let sql = format!("SELECT id, body FROM notes WHERE author = {author}");
    sqlx::query_as(&sql).fetch_all(pool).await
}

pub struct NotesRepo {
    pub pool: PgPool,
}

impl NotesRepo {
    pub async fn search(&self, term: &str) -> sqlx::Result<Vec<(i64, String)>> {
        let sql = format!("SELECT id, body FROM notes WHERE body LIKE '%{term}%'");
        sqlx::query_as(&sql).fetch_all(&self.pool).await
    }
}
