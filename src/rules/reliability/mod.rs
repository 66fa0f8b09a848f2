//! Reliability rules: what makes a service fall over or misbehave under load or failure —
//! panics in request paths, blocking the async executor, leaking error internals to clients.

pub mod auth_route_without_rate_limit;
pub mod blocking_in_async;
pub mod cache_without_expiry;
pub mod client_created_per_request;
pub mod cpu_heavy_work_in_async;
pub mod db_pool_without_timeout;
pub mod error_details_in_response;
pub mod panic_in_handler;
pub mod query_in_loop;
pub mod retry_without_backoff;
mod server_start;
pub mod server_without_graceful_shutdown;
pub mod server_without_timeout;
pub mod service_without_health_check;
pub mod swallowed_error;
pub mod unbounded_query;
pub mod unbounded_request_body;
pub mod unhandled_async_handler;
