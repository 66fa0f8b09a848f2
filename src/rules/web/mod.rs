//! Browser-facing web policy: CORS and the headers that tell browsers what a site allows.

pub mod permissive_cors;
