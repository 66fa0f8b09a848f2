//! Calls that leave the process and can wait forever.

pub mod http_client_without_timeout;
