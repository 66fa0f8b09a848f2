//! Credentials in source code and in logs.

pub mod hardcoded_secret;
pub mod secret_in_logs;
