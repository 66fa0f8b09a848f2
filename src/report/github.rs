//! GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

use super::ReportOptions;
use crate::diagnostic::Level;
use crate::engine::ScanResult;
use std::fmt::Write;

pub fn render(result: &ScanResult, _options: &ReportOptions) -> Vec<u8> {
    let mut out = String::new();
    for finding in result.active_findings() {
        let command = match finding.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "notice",
        };
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&finding.path),
            finding.start.line,
            finding.start.column,
            finding.end.line,
            finding.end.column,
            escape_property(&format!("archlint {}", finding.rule)),
            escape_data(&finding.message)
        );
    }
    for notice in &result.notices {
        let _ = writeln!(
            out,
            "::notice file={},title={}::{}",
            escape_property(&notice.path),
            escape_property(&format!("archlint {}", notice.kind.id())),
            escape_data(&notice.message)
        );
    }
    out.into_bytes()
}

/// The escaping GitHub's toolkit applies to command data.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// The escaping GitHub's toolkit applies to command properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
