//! JUnit XML, for the test-report views of CI systems (GitLab, Jenkins, Azure Pipelines,
//! CircleCI). Within the shape of the Jenkins xUnit plugin's `junit-10.xsd`, which these readers
//! accept.
//!
//! One `<testsuite>` per enabled rule, named `archlint.<rule>`, with one failing `<testcase>` per
//! finding (named by its location, `classname` the suite's name) or a single passing `no findings`
//! case. Grouping by rule rather than by file: GitLab lists test cases with their `classname` in
//! its "Suite" column and Jenkins builds its class tree from it, so a reader sees which check
//! failed and where, and the checks that passed appear as passing tests (one per rule, not one per
//! scanned file). Suppressed findings (with `--include-suppressed`) are `<skipped>`; notices are
//! cases of a suite per notice kind, `<error>` for warning-level ones (a rule failed, a suppression
//! could not be read) and `<skipped>` for the rest (a file skipped or with syntax errors, an
//! unused suppression).
//! No timestamps or times, so the report is byte-identical run to run.

use super::ReportOptions;
use crate::diagnostic::{Finding, Level, Notice};
use crate::engine::ScanResult;
use crate::rules::meta;
use std::collections::BTreeMap;
use std::fmt::Write;

/// A suite's identity, in output order: rules by id, then notice kinds by id.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum SuiteId {
    Rule(String),
    Notice(&'static str),
}

impl SuiteId {
    fn as_str(&self) -> &str {
        match self {
            SuiteId::Rule(id) => id,
            SuiteId::Notice(kind) => kind,
        }
    }
}

/// What one test case reports.
enum Outcome {
    Passed,
    Failure { kind: &'static str, message: String, text: String },
    Error { kind: &'static str, message: String, text: String },
    Skipped { message: String },
}

struct TestCase {
    name: String,
    outcome: Outcome,
}

#[derive(Default)]
struct Suite {
    cases: Vec<TestCase>,
}

impl Suite {
    fn count(&self, matches: impl Fn(&Outcome) -> bool) -> usize {
        self.cases.iter().filter(|case| matches(&case.outcome)).count()
    }
    fn failures(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Failure { .. }))
    }
    fn errors(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Error { .. }))
    }
    fn skipped(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Skipped { .. }))
    }
}

pub fn render(result: &ScanResult, scope: &super::Scope, options: &ReportOptions) -> Vec<u8> {
    let mut suites: BTreeMap<SuiteId, Suite> = BTreeMap::new();
    for meta in &scope.rules {
        suites.entry(SuiteId::Rule(meta.id.clone())).or_default();
    }
    for finding in result.findings.iter().filter(|f| f.suppressed.is_none() || options.include_suppressed) {
        suites.entry(SuiteId::Rule(finding.rule.to_string())).or_default().cases.push(finding_case(finding));
    }
    for notice in &result.notices {
        suites.entry(SuiteId::Notice(notice.kind.id())).or_default().cases.push(notice_case(notice));
    }
    for suite in suites.values_mut().filter(|s| s.cases.is_empty()) {
        suite.cases.push(TestCase { name: "no findings".into(), outcome: Outcome::Passed });
    }

    let total = |count: fn(&Suite) -> usize| suites.values().map(count).sum::<usize>();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"archlint\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        total(|s| s.cases.len()),
        total(Suite::failures),
        total(Suite::errors)
    );
    for (id, suite) in &suites {
        let name = attribute(&format!("archlint.{}", id.as_str()));
        let _ = writeln!(
            out,
            "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
            suite.cases.len(),
            suite.failures(),
            suite.errors(),
            suite.skipped()
        );
        for case in &suite.cases {
            let open = format!("    <testcase name=\"{}\" classname=\"{name}\"", attribute(&case.name));
            match &case.outcome {
                Outcome::Passed => {
                    let _ = writeln!(out, "{open}/>");
                }
                Outcome::Failure { kind, message, text } | Outcome::Error { kind, message, text } => {
                    let element = if matches!(case.outcome, Outcome::Failure { .. }) { "failure" } else { "error" };
                    let _ = writeln!(
                        out,
                        "{open}>\n      <{element} message=\"{}\" type=\"{kind}\">{}</{element}>\n    </testcase>",
                        attribute(message),
                        text_content(text)
                    );
                }
                Outcome::Skipped { message } => {
                    let _ = writeln!(out, "{open}>\n      <skipped message=\"{}\"/>\n    </testcase>", attribute(message));
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out.into_bytes()
}

fn location(path: &str, start: Option<crate::source::Position>) -> String {
    match start {
        Some(p) => format!("{path}:{}:{}", p.line, p.column),
        None => path.to_string(),
    }
}

fn finding_case(finding: &Finding) -> TestCase {
    let name = location(&finding.path, Some(finding.start));
    if let Some(reason) = &finding.suppressed {
        let reason = if reason.is_empty() { "no reason given" } else { reason };
        return TestCase { name, outcome: Outcome::Skipped { message: format!("suppressed ({reason}): {}", finding.message) } };
    }
    // The body is what a reader opens: the finding as the human report's first line, then help and docs.
    let mut text = format!("{}[{}]: {}\n  at {name}", finding.level.as_str(), finding.rule, finding.message);
    if let Some(help) = &finding.help {
        let _ = write!(text, "\nhelp: {help}");
    }
    if let Some(meta) = meta::get(finding.rule) {
        let _ = write!(text, "\ndocs: {}", meta.docs_url());
    }
    let kind = finding.level.as_str();
    TestCase { name, outcome: Outcome::Failure { kind, message: finding.message.clone(), text } }
}

fn notice_case(notice: &Notice) -> TestCase {
    let name = location(&notice.path, notice.start);
    let kind = notice.kind.id();
    match notice.kind.level() {
        Level::Warning | Level::Error => {
            let text = format!("{kind}: {name}: {}", notice.message);
            TestCase { name, outcome: Outcome::Error { kind, message: notice.message.clone(), text } }
        }
        Level::Note => TestCase { name, outcome: Outcome::Skipped { message: notice.message.clone() } },
    }
}

/// A character XML 1.0 can carry at all (even as a reference): others become U+FFFD.
fn xml_char(c: char) -> char {
    match c {
        '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}' => c,
        _ => '\u{FFFD}',
    }
}

/// Escapes an attribute value; line breaks and tabs as references, which attribute-value
/// normalisation would otherwise turn into spaces.
fn attribute(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars().map(xml_char) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes element text (`>` too, so `]]>` cannot appear).
fn text_content(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars().map(xml_char) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{attribute, text_content};

    #[test]
    fn attributes_escape_markup_quotes_and_line_breaks() {
        assert_eq!(attribute(r#"a "b" & 'c' <d>"#), "a &quot;b&quot; &amp; &apos;c&apos; &lt;d&gt;");
        assert_eq!(attribute("one\ntwo\tthree\r"), "one&#10;two&#9;three&#13;");
    }

    #[test]
    fn characters_xml_cannot_carry_are_replaced_and_others_kept() {
        assert_eq!(attribute("nul\u{0}bell\u{7}esc\u{1b}"), "nul\u{FFFD}bell\u{FFFD}esc\u{FFFD}");
        assert_eq!(text_content("\u{FFFF}\u{FFFE}"), "\u{FFFD}\u{FFFD}");
        assert_eq!(text_content("naïve — 日本 🦀"), "naïve — 日本 🦀");
        assert_eq!(text_content("x ]]> y < z & w\nnext"), "x ]]&gt; y &lt; z &amp; w\nnext");
    }
}
