//! Output formats. Every format sees the same sorted findings and notices.

pub mod fingerprint;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use crate::config::Config;
use crate::engine::ScanResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Diagnostics with source snippets, for people.
    Human,
    /// SARIF 2.1.0, for GitHub code scanning and editors.
    Sarif,
    /// archlint's own JSON.
    Json,
    /// GitHub Actions workflow commands (annotations on the PR).
    Github,
    /// GitLab Code Quality JSON (`artifacts: reports: codequality:`).
    Gitlab,
    /// JUnit XML, for CI test reports (one test suite per rule).
    Junit,
}

pub struct ReportOptions {
    pub color: bool,
    pub include_suppressed: bool,
    pub quiet: bool,
    /// Absolute root for SARIF `originalUriBaseIds`; `None` leaves absolute paths out.
    pub absolute_root: Option<std::path::PathBuf>,
}

pub fn render(format: Format, result: &ScanResult, config: &Config, options: &ReportOptions) -> Vec<u8> {
    match format {
        Format::Human => human::render(result, config, options),
        Format::Sarif => sarif::render(result, config, options),
        Format::Json => json::render(result, options),
        Format::Github => github::render(result, options),
        Format::Gitlab => gitlab::render(result, config),
        Format::Junit => junit::render(result, config, options),
    }
}
