//! A small axum service. See http://docs.rs/axum for the framework (comments are never findings).

use axum::{extract::Path, routing::get, Json, Router};
use jsonwebtoken::{encode, EncodingKey, Header};
use reqwest::Client as HttpClient;
use serde::Serialize;
use std::time::Duration;

const INVENTORY_URL: &str = "http://inventory.acme-partner.io/api";
const SIGNING_KEY: &[u8] = b"k3y-R0tated-2023-q4-Zp9";

#[derive(Serialize)]
struct Claims {
    sub: String,
    exp: usize,
}

/// Shared client with a request timeout: fine.
fn partner_client() -> reqwest::Client {
    HttpClient::builder().timeout(Duration::from_secs(5)).build().expect("client")
}

async fn stock(Path(sku): Path<String>) -> Json<serde_json::Value> {
    // A new client per request, with no timeout at all.
    let client = HttpClient::new();
    let body = client.get(format!("{INVENTORY_URL}/stock/{sku}")).send().await.unwrap().json().await.unwrap();
    Json(body)
}

async fn token(Path(user): Path<String>) -> String {
    let claims = Claims { sub: user, exp: 2_000_000_000 };
    encode(&Header::default(), &claims, &EncodingKey::from_secret(SIGNING_KEY)).unwrap()
}

async fn rates() -> String {
    let insecure = reqwest::Client::builder().danger_accept_invalid_certs(true).timeout(Duration::from_secs(2)).build().unwrap();
    insecure.get("https://rates.acme-partner.io/latest").send().await.unwrap().text().await.unwrap()
}

#[tokio::main]
async fn main() {
    let _ = partner_client();
    let app = Router::new().route("/stock/:sku", get(stock)).route("/token/:user", get(token)).route("/rates", get(rates));
    let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await.unwrap();
    println!("listening on http://0.0.0.0:8080");
    axum::serve(listener, app).await.unwrap();
}
