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
use crate::rules::RuleMeta;
use std::path::PathBuf;

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
    /// Human output: every notice on a line of its own, not one line per kind.
    pub show_notices: bool,
    pub quiet: bool,
    /// Absolute root for SARIF `originalUriBaseIds`; `None` leaves absolute paths out.
    pub absolute_root: Option<std::path::PathBuf>,
}

/// What a report covers: where its paths start, and which rules ran. One scan of one project,
/// or several projects of a repository (each with its own configuration) reported together.
pub struct Scope {
    /// The directory the findings' and notices' paths are relative to.
    pub root: PathBuf,
    /// The rules that ran, in registry order.
    pub rules: Vec<&'static RuleMeta>,
}

impl Scope {
    /// The scope of a scan of one project with `config`.
    pub fn of(config: &Config) -> Scope {
        Scope { root: config.root.clone(), rules: config.enabled_rules().map(|r| r.meta).collect() }
    }

    /// The scope of several projects reported from `root`: the rules any of them ran.
    pub fn of_projects<'c>(root: PathBuf, configs: impl IntoIterator<Item = &'c Config>) -> Scope {
        let mut ran = std::collections::BTreeSet::new();
        for config in configs {
            ran.extend(config.enabled_rules().map(|r| r.meta.id.as_str()));
        }
        let rules = crate::rules::REGISTRY
            .iter()
            .filter(|entry| ran.contains(entry.id))
            .filter_map(|entry| crate::rules::meta::get(entry.id))
            .collect();
        Scope { root, rules }
    }
}

pub fn render(format: Format, result: &ScanResult, scope: &Scope, options: &ReportOptions) -> Vec<u8> {
    match format {
        Format::Human => human::render(result, scope, options),
        Format::Sarif => sarif::render(result, scope, options),
        Format::Json => json::render(result, options),
        Format::Github => github::render(result, options),
        Format::Gitlab => gitlab::render(result, scope),
        Format::Junit => junit::render(result, scope, options),
    }
}
