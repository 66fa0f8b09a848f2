//! Credentials in source code.

pub mod hardcoded_secret;
