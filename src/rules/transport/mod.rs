//! Traffic that leaves the process without transport security.

pub mod database_without_tls;
pub mod plain_http_url;
pub mod tls_verification_disabled;
