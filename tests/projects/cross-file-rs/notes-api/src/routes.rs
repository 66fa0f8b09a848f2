use axum::extract::{Extension, Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::Router;
use notes_common::run_export;
use serde::Deserialize;
use sqlx::PgPool;

use crate::repo::notes::{self, NotesRepo};
use crate::repo::{files, users};
use crate::extract;
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
        .route("/tenant", get(by_tenant))
        .route("/page/:n", get(paged))
        .route("/forward/*rest", get(forward))
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

async fn by_tenant(State(pool): State<PgPool>, headers: HeaderMap) -> String {
    let tenant = extract::tenant(&headers);
    let sql = format!("SELECT id FROM notes WHERE tenant = '{tenant}'");
    format!("{:?}", sqlx::query_as::<_, (i64,)>(&sql).fetch_all(&pool).await.ok())
}

async fn paged(State(pool): State<PgPool>, Path(n): Path<String>) -> String {
    let page = extract::page(&n);
    let sql = format!("SELECT id FROM notes OFFSET {page}");
    format!("{:?}", sqlx::query_as::<_, (i64,)>(&sql).fetch_all(&pool).await.ok())
}

const UPSTREAM: &str = "http://notes-internal:8080";

/// Where a request is forwarded: the upstream is the server's, only the path is the client's.
struct Forward {
    url: String,
}

impl Forward {
    fn new(base: &str, path: &str) -> Self {
        Forward { url: format!("{base}/forwarded/{path}") }
    }
}

fn upstream_request(client: &reqwest::Client, url: &str) -> reqwest::RequestBuilder {
    client.get(url)
}

async fn forward(Path(rest): Path<String>) -> String {
    let target = Forward::new(UPSTREAM, &rest);
    let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(5)).build().unwrap();
    format!("{:?}", upstream_request(&client, &target.url).send().await.map(|r| r.status()))
}
