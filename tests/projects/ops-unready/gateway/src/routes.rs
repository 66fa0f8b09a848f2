use axum::routing::get;
use axum::Router;

pub fn router() -> Router {
    Router::new().route("/quotes", get(|| async { "[]" }))
}
