use axum::extract::{Extension, Path, Query, State};
use axum::routing::get;
use axum::Router;
use notes_common::run_export;
use serde::Deserialize;
use sqlx::PgPool;

use crate::repo::notes::{self, NotesRepo};
use crate::repo::{files, users};
use crate::service;

#[derive(Deserialize)]
pub struct TagQuery {
    tag: String,
}

pub fn router() -> Router<PgPool> {
    Router::new()
        .route("/uploads/:name", get(upload))
        .route("/listed/:name", get(listed))
        .route("/notes", get(by_tag))
        .route("/users", get(users_by_tag))
        .route("/search", get(search))
        .route("/authors/:id", get(of_author))
        .route("/tagged", get(tagged))
        .route("/export/:format", get(export))
        .route("/local/:name", get(local))
}

async fn upload(Path(name): Path<String>) -> Vec<u8> {
    files::read_upload(&name).await.unwrap_or_default()
}

async fn listed(Path(name): Path<String>) -> Vec<u8> {
    files::read_listed(&name).await.unwrap_or_default()
}

async fn by_tag(State(pool): State<PgPool>, Query(q): Query<TagQuery>) -> String {
    format!("{:?}", notes::by_tag(&pool, &q.tag).await.ok())
}

async fn users_by_tag(State(pool): State<PgPool>, Query(q): Query<TagQuery>) -> String {
    format!("{:?}", users::by_tag(&pool, &q.tag).await.ok())
}

async fn search(Extension(repo): Extension<NotesRepo>, Query(q): Query<TagQuery>) -> String {
    format!("{:?}", repo.search(&q.tag).await.ok())
}

async fn of_author(State(pool): State<PgPool>, Path(id): Path<String>) -> String {
    format!("{:?}", service::notes_of(&pool, &id).await.ok())
}

async fn tagged(State(pool): State<PgPool>, Query(q): Query<TagQuery>) -> String {
    format!("{:?}", service::tagged(&pool, &q.tag).await.ok())
}

async fn export(Path(format): Path<String>) -> String {
    format!("{:?}", run_export(&format).map(|o| o.status.success()))
}

/// A function of this file with the repository function's name: it is the one called.
fn read_upload(name: &str) -> String {
    name.to_uppercase()
}

async fn local(Path(name): Path<String>) -> String {
    read_upload(&name)
}
