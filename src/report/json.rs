//! archlint's own JSON: a stable, documented shape for scripts.

use super::ReportOptions;
use crate::engine::ScanResult;
use serde_json::json;

pub fn render(result: &ScanResult, options: &ReportOptions) -> Vec<u8> {
    let findings: Vec<_> = result.findings.iter().filter(|f| f.suppressed.is_none() || options.include_suppressed).collect();
    let value = json!({
        "version": crate::VERSION,
        "findings": findings,
        "notices": result.notices,
        "summary": {
            "files_scanned": result.files_scanned,
            "findings": result.active_findings().count(),
            "suppressed": result.findings.len() - result.active_findings().count(),
            "notices": result.notices.len(),
        }
    });
    let mut out = serde_json::to_vec_pretty(&value).expect("findings serialise");
    out.push(b'\n');
    out
}
