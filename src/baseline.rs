//! Baselines: adopt archlint on an existing codebase without fixing everything first.
//! `--write-baseline FILE` records the current findings; `--baseline FILE` then reports only
//! findings that are not in it. A finding's key is its rule, its path, the flagged code with
//! whitespace removed and which occurrence of that code in the file it is — not its line, so the
//! key survives edits above it (the same key SARIF carries as `archlint/v1`).

use crate::diagnostic::Finding;
use crate::report::fingerprint::stable_key;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

const FORMAT_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct BaselineFile {
    /// archlint's baseline format version.
    version: u32,
    findings: Vec<BaselineEntry>,
}

#[derive(Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
struct BaselineEntry {
    key: String,
    rule: String,
    path: String,
    /// For people reading the file: the message when the baseline was written.
    message: String,
}

/// The stable key of every finding, in the order given (findings must be in output order so the
/// occurrence numbers match between runs).
pub fn keys<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Vec<String> {
    let mut ordinals: HashMap<(&str, &str, &str), usize> = HashMap::new();
    findings
        .into_iter()
        .map(|finding| {
            let ordinal = ordinals.entry((finding.rule, &finding.path, &finding.snippet)).or_insert(0);
            *ordinal += 1;
            stable_key(finding.rule, &finding.path, &finding.snippet, *ordinal)
        })
        .collect()
}

/// The baseline file's text for these findings.
pub fn render(findings: &[&Finding]) -> Vec<u8> {
    let keys = keys(findings.iter().copied());
    let entries: BTreeSet<BaselineEntry> = findings
        .iter()
        .zip(keys)
        .map(|(finding, key)| BaselineEntry {
            key,
            rule: finding.rule.to_string(),
            path: finding.path.clone(),
            message: finding.message.clone(),
        })
        .collect();
    let file = BaselineFile { version: FORMAT_VERSION, findings: entries.into_iter().collect() };
    let mut text = serde_json::to_vec_pretty(&file).expect("baseline serialises");
    text.push(b'\n');
    text
}

/// The keys a baseline file holds. Errors are one line naming the file.
pub fn load(path: &Path) -> Result<BTreeSet<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read baseline `{}`: {e}", path.display()))?;
    let file: BaselineFile = serde_json::from_str(&text).map_err(|e| format!("`{}` is not an archlint baseline: {e}", path.display()))?;
    if file.version != FORMAT_VERSION {
        return Err(format!(
            "baseline `{}` has format version {}, this archlint reads version {FORMAT_VERSION}",
            path.display(),
            file.version
        ));
    }
    Ok(file.findings.into_iter().map(|entry| entry.key).collect())
}

/// What applying a baseline did.
#[derive(Debug, PartialEq, Eq)]
pub struct Applied {
    /// Active findings the baseline records, now not shown.
    pub known: usize,
    /// Baseline entries that matched no finding: fixed, or code that moved out of the scan.
    pub unmatched: usize,
}

/// Removes the active findings a baseline already records (suppressed ones are left to the
/// suppression report).
pub fn apply(findings: &mut Vec<Finding>, baseline: &BTreeSet<String>) -> Applied {
    let active_keys = keys(findings.iter().filter(|f| f.suppressed.is_none()));
    let matched = active_keys.iter().filter(|key| baseline.contains(*key)).collect::<BTreeSet<_>>().len();
    let mut active_keys = active_keys.into_iter();
    let before = findings.len();
    findings.retain(|finding| finding.suppressed.is_some() || !baseline.contains(&active_keys.next().unwrap_or_default()));
    Applied { known: before - findings.len(), unmatched: baseline.len() - matched }
}
