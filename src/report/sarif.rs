//! SARIF 2.1.0 for GitHub code scanning and editors: one run; every rule that ran in
//! `tool.driver.rules` with help and `security-severity`; repo-relative URIs under `%SRCROOT%`;
//! UTF-16 columns with exclusive ends; `primaryLocationLineHash` as GitHub computes it; notices as
//! tool execution notifications. Suppressed findings are left out unless asked for, because GitHub
//! ignores `suppressions` and would show them as open alerts.

use super::{fingerprint, ReportOptions};
use crate::diagnostic::{Finding, Level, Notice};
use crate::engine::ScanResult;
use crate::rules::RuleMeta;
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactChange, ArtifactContent, ArtifactLocation, CodeFlow, Fix as SarifFix, Invocation, Location, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, Replacement, ReportingConfiguration, ReportingDescriptor,
    ReportingDescriptorReference, Result as SarifResult, ResultLevel, Run, RunAutomationDetails, Sarif, Suppression, ThreadFlow,
    ThreadFlowLocation, Tool, ToolComponent,
};
use std::collections::{BTreeMap, HashMap};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";
/// GitHub rejects runs with more results than this.
const MAX_RESULTS: usize = 25_000;

pub fn render(result: &ScanResult, scope: &super::Scope, options: &ReportOptions) -> Vec<u8> {
    let metas: Vec<&RuleMeta> = scope.rules.clone();
    let rule_index: HashMap<&str, usize> = metas.iter().enumerate().map(|(i, m)| (m.id.as_str(), i)).collect();

    let mut line_hashes: HashMap<&str, Vec<String>> = HashMap::new();
    let mut results = Vec::new();
    let mut notifications: Vec<Notification> = result.notices.iter().map(|n| notification(n, &rule_index)).collect();
    let findings: Vec<&Finding> = result.findings.iter().filter(|f| f.suppressed.is_none() || options.include_suppressed).collect();
    // The same keys a baseline records, so `archlint/v1` and `--baseline` agree.
    let keys = crate::baseline::keys(findings.iter().copied());
    for (finding, key) in findings.iter().zip(keys).take(MAX_RESULTS) {
        let hashes = line_hashes.entry(&finding.path).or_insert_with(|| {
            std::fs::read_to_string(scope.root.join(&finding.path))
                .map(|t| fingerprint::line_hashes(t.trim_start_matches('\u{feff}')))
                .unwrap_or_default()
        });
        let mut fingerprints = BTreeMap::new();
        if let Some(hash) = hashes.get(finding.start.line - 1) {
            fingerprints.insert("primaryLocationLineHash".to_string(), hash.clone());
        }
        fingerprints.insert("archlint/v1".to_string(), key);
        results.push(sarif_result(finding, rule_index.get(finding.rule).copied(), fingerprints));
    }
    if findings.len() > MAX_RESULTS {
        let mut truncated = Notification::builder()
            .message(message(format!(
                "{} results were left out: GitHub accepts at most {MAX_RESULTS} per run",
                findings.len() - MAX_RESULTS
            )))
            .build();
        truncated.level = Some(json!("warning"));
        notifications.push(truncated);
    }

    let mut driver = ToolComponent::builder().name("archlint").build();
    driver.semantic_version = Some(crate::VERSION.into());
    driver.version = Some(crate::VERSION.into());
    driver.information_uri = Some("https://github.com/archlint/archlint".into());
    driver.rules = Some(metas.iter().map(|m| descriptor(m)).collect());

    let mut invocation = Invocation::builder().execution_successful(true).build();
    invocation.tool_execution_notifications = Some(notifications);

    let mut run = Run::builder().tool(Tool::builder().driver(driver).build()).build();
    run.results = Some(results);
    run.column_kind = Some(json!("utf16CodeUnits"));
    run.automation_details = Some(RunAutomationDetails::builder().id("archlint/").build());
    run.invocations = Some(vec![invocation]);
    run.original_uri_base_ids = options.absolute_root.as_ref().map(|root| {
        let mut uri = file_uri(root);
        if !uri.ends_with('/') {
            uri.push('/');
        }
        BTreeMap::from([(SRCROOT.to_string(), ArtifactLocation::builder().uri(uri).build())])
    });

    let mut sarif = Sarif::builder().version(json!("2.1.0")).runs(vec![run]).build();
    sarif.schema = Some(SCHEMA.into());
    let mut out = serde_json::to_vec_pretty(&sarif).expect("SARIF serialises");
    out.push(b'\n');
    out
}

fn descriptor(meta: &RuleMeta) -> ReportingDescriptor {
    let first_paragraph = meta.description.trim().split("\n\n").next().unwrap_or("").replace('\n', " ");
    let mut properties = BTreeMap::new();
    properties.insert("precision".to_string(), json!(meta.precision));
    properties.insert("security-severity".to_string(), json!(format!("{:.1}", meta.security_severity)));
    properties.insert("problem.severity".to_string(), json!(meta.level.as_str().replace("note", "recommendation")));
    properties.insert("tier".to_string(), json!(meta.tier.as_str()));
    let mut help = multiformat(help_text(meta));
    help.markdown = Some(crate::rules::docs::help_markdown(meta));
    let mut configuration = ReportingConfiguration::builder().build();
    configuration.level = Some(json!(meta.level.as_str()));
    let mut descriptor = ReportingDescriptor::builder().id(meta.id.clone()).build();
    descriptor.name = Some(meta.title.clone());
    descriptor.short_description = Some(multiformat(meta.summary.clone()));
    descriptor.full_description = Some(multiformat(truncate(&first_paragraph, 1024)));
    descriptor.default_configuration = Some(configuration);
    descriptor.help = Some(help);
    descriptor.help_uri = Some(meta.docs_url());
    descriptor.properties = Some(PropertyBag::builder().tags(meta.sarif_tags()).additional_properties(properties).build());
    descriptor
}

fn help_text(meta: &RuleMeta) -> String {
    format!("{}\n\nFix: {}\n\nDocs: {}", meta.summary, meta.fix.trim(), meta.docs_url())
}

fn sarif_result(finding: &Finding, rule_index: Option<usize>, fingerprints: BTreeMap<String, String>) -> SarifResult {
    let related: Vec<Location> = finding
        .related
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut location = Location::builder().build();
            location.id = Some(i as i64 + 1);
            location.message = Some(message(r.message.clone()));
            location.physical_location = Some(physical(r.path_or(&finding.path), r.start.line, r.start.column, r.end.line, r.end.column));
            location
        })
        .collect();
    let mut primary = Location::builder().build();
    primary.physical_location =
        Some(physical(&finding.path, finding.start.line, finding.start.column, finding.end.line, finding.end.column));
    let mut result = SarifResult::builder().message(message(finding.message.clone())).build();
    result.rule_id = Some(finding.rule.to_string());
    result.rule_index = rule_index.map(|i| i as i64);
    result.level = Some(match finding.level {
        Level::Error => ResultLevel::Error,
        Level::Warning => ResultLevel::Warning,
        Level::Note => ResultLevel::Note,
    });
    result.locations = Some(vec![primary]);
    result.related_locations = (!related.is_empty()).then_some(related);
    result.code_flows = code_flow(finding).map(|flow| vec![flow]);
    result.fixes = sarif_fix(finding).map(|fix| vec![fix]);
    result.partial_fingerprints = Some(fingerprints);
    result.suppressions = finding.suppressed.as_ref().map(|reason| {
        let mut suppression = Suppression::builder().kind(json!("inSource")).build();
        suppression.justification = Some(reason.clone()).filter(|r| !r.is_empty());
        vec![suppression]
    });
    result
}

/// The finding's fix as SARIF replacements in its file (an insertion deletes an empty region).
fn sarif_fix(finding: &Finding) -> Option<SarifFix> {
    let fix = finding.fix.as_ref()?;
    let replacements: Vec<Replacement> = fix
        .edits
        .iter()
        .map(|edit| {
            let region = Region::builder()
                .start_line(edit.start.line as i64)
                .start_column(edit.start.column as i64)
                .end_line(edit.end.line as i64)
                .end_column(edit.end.column as i64)
                .build();
            let mut replacement = Replacement::builder().deleted_region(region).build();
            replacement.inserted_content = Some(ArtifactContent::builder().text(edit.replacement.clone()).build());
            replacement
        })
        .collect();
    let change = ArtifactChange::builder().artifact_location(artifact(uri_path(&finding.path))).replacements(replacements).build();
    let mut sarif_fix = SarifFix::builder().artifact_changes(vec![change]).build();
    sarif_fix.description = Some(message(format!("{} ({} fix)", fix.description, fix.applicability.as_str())));
    Some(sarif_fix)
}

/// The data flow of a finding as one thread flow: source, steps, then the sink itself.
fn code_flow(finding: &Finding) -> Option<CodeFlow> {
    if finding.flow.is_empty() {
        return None;
    }
    let step = |message_text: &str, path: &str, start: &crate::source::Position, end: &crate::source::Position| {
        let mut location = Location::builder().build();
        location.message = Some(message(message_text.to_string()));
        location.physical_location = Some(physical(path, start.line, start.column, end.line, end.column));
        let mut flow_location = ThreadFlowLocation::builder().build();
        flow_location.location = Some(location);
        flow_location
    };
    let mut locations: Vec<ThreadFlowLocation> =
        finding.flow.iter().map(|r| step(&r.message, r.path_or(&finding.path), &r.start, &r.end)).collect();
    locations.push(step(&finding.message, &finding.path, &finding.start, &finding.end));
    let mut thread = ThreadFlow::builder().build();
    thread.locations = locations;
    let mut code_flow = CodeFlow::builder().build();
    code_flow.thread_flows = vec![thread];
    Some(code_flow)
}

fn physical(path: &str, start_line: usize, start_column: usize, end_line: usize, end_column: usize) -> PhysicalLocation {
    // An empty region still needs endColumn > startColumn for some viewers; keep at least one column.
    let end_column = if end_line == start_line { end_column.max(start_column + 1) } else { end_column };
    let region = Region::builder()
        .start_line(start_line as i64)
        .start_column(start_column as i64)
        .end_line(end_line as i64)
        .end_column(end_column as i64)
        .build();
    let mut location = PhysicalLocation::builder().build();
    location.artifact_location = Some(artifact(uri_path(path)));
    location.region = Some(region);
    location
}

fn notification(notice: &Notice, rule_index: &HashMap<&str, usize>) -> Notification {
    let physical_location = match notice.start {
        Some(start) => {
            let end = notice.end.unwrap_or(start);
            physical(&notice.path, start.line, start.column, end.line, end.column)
        }
        None => {
            let mut location = PhysicalLocation::builder().build();
            location.artifact_location = Some(artifact(uri_path(&notice.path)));
            location
        }
    };
    let mut location = Location::builder().build();
    location.physical_location = Some(physical_location);
    let mut notification = Notification::builder().message(message(format!("{}: {}", notice.path, notice.message))).build();
    notification.descriptor = Some(ReportingDescriptorReference::builder().id(notice.kind.id()).build());
    notification.level = Some(json!(notice.kind.level().as_str()));
    notification.locations = Some(vec![location]);
    // An internal error names the rule that failed, so viewers can link it to the rule.
    if let Some(rule) = notice.rule {
        let mut reference = ReportingDescriptorReference::builder().id(rule).build();
        reference.index = rule_index.get(rule).map(|&i| i as i64);
        notification.associated_rule = Some(reference);
    }
    notification
}

fn message(text: impl Into<String>) -> Message {
    Message::builder().text(text.into()).build()
}

fn multiformat(text: impl Into<String>) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(text.into()).build()
}

fn artifact(uri: String) -> ArtifactLocation {
    let mut location = ArtifactLocation::builder().uri(uri).build();
    location.uri_base_id = Some(SRCROOT.into());
    location
}

/// Percent-encodes what a URI reference cannot hold literally.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'@'
            | b'+'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b','
            | b';'
            | b'=' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn file_uri(path: &std::path::Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let text = if text.starts_with('/') { text } else { format!("/{text}") };
    format!("file://{}", uri_path(&text))
}

fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max - 3;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}
