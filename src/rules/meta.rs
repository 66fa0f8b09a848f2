//! Rule metadata and documentation, parsed from the `rules/<id>.toml` files embedded at build
//! time. SARIF `rules[]`, `archlint rules`, `archlint explain` and `docs/rules/` all come from here.

use crate::diagnostic::Level;
use serde::Deserialize;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/rule_sources.rs"));

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// On by default; held to high precision.
    Security,
    /// On by default; robustness and defence in depth.
    Hardening,
    /// Opt-in: useful but noisier.
    Audit,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Security => "security",
            Tier::Hardening => "hardening",
            Tier::Audit => "audit",
        }
    }
    pub fn parse(s: &str) -> Option<Tier> {
        match s {
            "security" => Some(Tier::Security),
            "hardening" => Some(Tier::Hardening),
            "audit" => Some(Tier::Audit),
            _ => None,
        }
    }
    pub fn on_by_default(self) -> bool {
        self != Tier::Audit
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleOption {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub default: String,
    pub description: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub language: String,
    pub bad: String,
    pub good: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub category: String,
    pub languages: Vec<String>,
    pub tier: Tier,
    pub level: Level,
    pub precision: String,
    /// Why the rule is in its tier: for rules off by default, the measured precision that put it there.
    #[serde(default)]
    pub tier_reason: Option<String>,
    pub security_severity: f64,
    pub cwe: Vec<u32>,
    pub tags: Vec<String>,
    pub description: String,
    pub not_flagged: String,
    pub fix: String,
    pub references: Vec<String>,
    #[serde(default)]
    pub options: Vec<RuleOption>,
    pub examples: Vec<Example>,
    /// The flagged text is sensitive (a secret): outputs that show source mask it.
    #[serde(default)]
    pub redact: bool,
}

impl RuleMeta {
    pub fn docs_url(&self) -> String {
        format!("{}/{}.md", crate::DOCS_BASE_URL, self.id)
    }

    /// SARIF/GitHub tags: the declared ones plus `external/cwe/cwe-N`, at most ten (GitHub shows ten).
    pub fn sarif_tags(&self) -> Vec<String> {
        let mut tags = self.tags.clone();
        tags.extend(self.cwe.iter().map(|cwe| format!("external/cwe/cwe-{cwe}")));
        tags.truncate(10);
        tags
    }

    pub fn supports(&self, family: &str) -> bool {
        self.languages.iter().any(|l| l == family)
    }

    fn validate(&self, file_stem: &str) -> Result<(), String> {
        let fail = |what: String| Err(format!("rules/{file_stem}.toml: {what}"));
        if self.id != file_stem {
            return fail(format!("id `{}` does not match the file name", self.id));
        }
        if !(self.security_severity > 0.0 && self.security_severity <= 10.0) {
            return fail("security_severity must be in (0, 10]".into());
        }
        if !["very-high", "high", "medium", "low"].contains(&self.precision.as_str()) {
            return fail(format!("unknown precision `{}`", self.precision));
        }
        if self.summary.len() > 1024 || self.title.len() > 255 {
            return fail("summary or title too long for SARIF".into());
        }
        for language in &self.languages {
            if language != "rust" && language != "typescript" {
                return fail(format!("unknown language `{language}`"));
            }
            if !self.examples.iter().any(|e| &e.language == language) {
                return fail(format!("no example for {language}"));
            }
        }
        Ok(())
    }
}

/// All rule metadata, sorted by id. Malformed metadata is a build defect: the test suite parses
/// every file, so this cannot fail in a released binary.
pub fn all() -> &'static [RuleMeta] {
    static ALL: OnceLock<Vec<RuleMeta>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut metas: Vec<RuleMeta> =
            RULE_SOURCES.iter().map(|(stem, text)| parse(stem, text).unwrap_or_else(|e| panic!("{e}"))).collect();
        metas.sort_by(|a, b| a.id.cmp(&b.id));
        metas
    })
}

pub fn parse(stem: &str, text: &str) -> Result<RuleMeta, String> {
    let meta: RuleMeta = toml::from_str(text).map_err(|e| format!("rules/{stem}.toml: {}", e.message()))?;
    meta.validate(stem)?;
    Ok(meta)
}

pub fn get(id: &str) -> Option<&'static RuleMeta> {
    all().iter().find(|meta| meta.id == id)
}
