//! archlint: static analysis for backend services written in Rust and TypeScript/JavaScript.
//!
//! The module tree is the pipeline, in order:
//! `cli` → `config` → `walk` → `lang::{rust, typescript}` (parse, semantic model, one traversal)
//! → `rules` (checks, dispatched per node kind) → `engine` (project pass, suppressions, sorting)
//! → `report` (human, SARIF, JSON, GitHub annotations, GitLab Code Quality, JUnit XML).
//! `progress` is the bar on stderr that the command line shows while a scan runs.
//! Beside the pipeline, `taint` is the shared vocabulary for where a value comes from: each
//! front-end answers it for its language (and says which function a call names), injection
//! rules ask it; `flows` follows it across functions and files in the project pass, from
//! per-file summaries. After the scan, `baseline`
//! (known findings) and `changes` (lines changed in git) narrow what is reported, never what is
//! scanned, so project facts always come from the whole project; `fix` applies the edits rules
//! attach to findings (`--fix`). `lsp` serves the same scan of one file to editors.

pub mod baseline;
pub mod cache;
pub mod changes;
pub mod checker;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod engine;
mod fault;
pub mod fix;
pub mod flows;
pub mod lang;
pub mod lsp;
pub mod manifest;
pub mod models;
pub mod progress;
pub mod report;
pub mod roles;
pub mod rules;
pub mod scopes;
pub mod source;
pub mod suppress;
pub mod taint;
pub mod text;
pub mod timings;
pub mod walk;

/// The version reported in `--version` and in SARIF `tool.driver.semanticVersion`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where each rule's documentation page lives; `docs/rules/<id>.md` is generated from `rules/<id>.toml`.
pub const DOCS_BASE_URL: &str = "https://github.com/archlint/archlint/blob/main/docs/rules";
