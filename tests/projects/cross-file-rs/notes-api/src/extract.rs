use axum::http::HeaderMap;

/// The tenant the client names in its header.
pub fn tenant(headers: &HeaderMap) -> String {
    headers.get("x-tenant").and_then(|v| v.to_str().ok()).unwrap_or("public").to_string()
}

/// A page number: whatever the client sends, a number comes back.
pub fn page(raw: &str) -> i64 {
    raw.parse().unwrap_or(1)
}
