//! Browser-facing web policy: CORS and the headers that tell browsers what a site allows.

pub mod missing_security_headers;
pub mod permissive_cors;
