//! Suppression comments:
//!
//! ```text
//! // archlint-ignore-next-line sql-injection, plain-http-url -- ids are validated by the router
//! // archlint-ignore-file plain-http-url -- test double for a local fake
//! client.get(LEGACY_URL); // archlint-ignore plain-http-url -- the partner's gateway has no TLS
//! ```
//!
//! A rule id is required; the reason after `--` is optional unless the config requires it.
//! Malformed directives and directives that suppress nothing are reported as notices.

use crate::diagnostic::{Finding, Notice, NoticeKind};
use crate::source::{SourceFile, Span};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The 0-based line the directive covers.
    Line(usize),
    File,
}

#[derive(Debug, Clone)]
pub struct Directive {
    pub scope: Scope,
    pub rules: Vec<String>,
    pub reason: Option<String>,
    pub span: Span,
    used: Vec<bool>,
}

const MARKER: &str = "archlint-ignore";

/// Finds directives in comments. `is_rule` says which ids exist.
pub fn parse(file: &SourceFile, is_rule: &dyn Fn(&str) -> bool, require_reason: bool) -> (Vec<Directive>, Vec<Notice>) {
    let mut directives: Vec<Directive> = Vec::new();
    let mut notices = Vec::new();
    let mut pending_next_line: Vec<usize> = Vec::new();
    for line in 0..file.line_count() {
        let text = file.line_text(line);
        let comment = comment_body(text);
        // The first line with code is the target of pending next-line directives (a line that is
        // code with a directive at its end is one).
        if comment.is_none_or(|(offset, _)| !text[..offset].trim().is_empty()) {
            for index in pending_next_line.drain(..) {
                directives[index] = Directive { scope: Scope::Line(line), ..directives[index].clone() };
            }
        }
        let Some((comment_offset, body)) = comment else { continue };
        let after_code = !text[..comment_offset].trim().is_empty();
        let line_start = file.line_span(line).start;
        let span = Span::new(line_start + comment_offset, line_start + text.len());
        let invalid = |message: String| Notice::at(NoticeKind::InvalidSuppression, file, span, message);
        let (kind, rest) = match body.strip_prefix(MARKER) {
            Some(rest) if rest.starts_with("-next-line") => (Some(Scope::Line(line + 1)), &rest["-next-line".len()..]),
            Some(rest) if rest.starts_with("-file") => (Some(Scope::File), &rest["-file".len()..]),
            // `code(); // archlint-ignore RULE`: the line it ends.
            Some(rest) if after_code && (rest.is_empty() || rest.starts_with(char::is_whitespace)) => (Some(Scope::Line(line)), rest),
            Some(rest) => (None, rest),
            None => continue,
        };
        let Some(scope) = kind else {
            let message = if body[MARKER.len()..].starts_with(char::is_whitespace) {
                "`archlint-ignore RULE` goes at the end of the flagged line; on a line of its own use `archlint-ignore-next-line RULE`"
            } else {
                "unknown directive; use `archlint-ignore RULE` at the end of the line, `archlint-ignore-next-line RULE` or `archlint-ignore-file RULE`"
            };
            notices.push(invalid(message.into()));
            continue;
        };
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            notices.push(invalid("malformed directive; write `archlint-ignore-next-line RULE -- reason`".into()));
            continue;
        }
        let rest = rest.trim().trim_end_matches("*/").trim();
        let (ids, reason) = match rest.split_once("--") {
            Some((ids, reason)) => (ids, Some(reason.trim().to_string()).filter(|r| !r.is_empty())),
            None => (rest, None),
        };
        let rules: Vec<String> = ids.split([',', ' ', '\t']).filter(|s| !s.is_empty()).map(str::to_string).collect();
        if rules.is_empty() {
            notices.push(invalid("suppression names no rule; add the rule id to suppress".into()));
            continue;
        }
        if let Some(unknown) = rules.iter().find(|id| !is_rule(id)) {
            notices.push(invalid(format!("unknown rule `{unknown}` in suppression{}", crate::config::suggestion(unknown))));
            continue;
        }
        if require_reason && reason.is_none() {
            notices.push(invalid("suppression needs a reason after `--` (require-suppression-reason is on)".into()));
            continue;
        }
        let used = vec![false; rules.len()];
        if scope == Scope::Line(line + 1) {
            pending_next_line.push(directives.len());
        }
        directives.push(Directive { scope, rules, reason, span, used });
    }
    (directives, notices)
}

/// Where a `//` or `/*` comment that starts with the marker begins in the line, and its text.
fn comment_body(line: &str) -> Option<(usize, &str)> {
    let at = line.find(MARKER)?;
    let before = line[..at].trim_end();
    let opener = before.strip_suffix("//").or_else(|| before.strip_suffix("/*")).or_else(|| before.strip_suffix("*"))?;
    // Only comments: a `//` inside a string on a code line does not count.
    let comment_start = opener.len();
    if !line[..comment_start].trim().is_empty() && !before.ends_with("//") {
        return None;
    }
    Some((comment_start, &line[at..]))
}

/// Marks the findings the directives cover; returns notices for directives that covered nothing.
pub fn apply(file: &SourceFile, directives: &mut [Directive], findings: &mut [Finding]) -> Vec<Notice> {
    for finding in findings.iter_mut() {
        let line = finding.start.line - 1;
        for directive in directives.iter_mut() {
            let covers = match directive.scope {
                Scope::File => true,
                Scope::Line(target) => target == line,
            };
            if !covers {
                continue;
            }
            if let Some(index) = directive.rules.iter().position(|r| r == finding.rule) {
                directive.used[index] = true;
                finding.suppressed = Some(directive.reason.clone().unwrap_or_default());
            }
        }
    }
    let mut notices = Vec::new();
    for directive in directives.iter() {
        for (rule, used) in directive.rules.iter().zip(&directive.used) {
            if !used {
                notices.push(Notice::at(
                    NoticeKind::UnusedSuppression,
                    file,
                    directive.span,
                    format!("suppression of `{rule}` matches no finding; remove it"),
                ));
            }
        }
    }
    notices
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Language;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("a.ts".into(), "a.ts".into(), Language::TypeScript, text.into(), false)
    }

    fn known(id: &str) -> bool {
        matches!(id, "plain-http-url" | "hardcoded-secret")
    }

    #[test]
    fn next_line_and_file_directives() {
        let f = file(
            "// archlint-ignore-next-line plain-http-url, hardcoded-secret -- local fake\nx\n/* archlint-ignore-file hardcoded-secret */\n",
        );
        let (directives, notices) = parse(&f, &known, false);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(directives[0].scope, Scope::Line(1));
        assert_eq!(directives[0].rules, ["plain-http-url", "hardcoded-secret"]);
        assert_eq!(directives[0].reason.as_deref(), Some("local fake"));
        assert_eq!(directives[1].scope, Scope::File);
    }

    #[test]
    fn stacked_next_line_directives_cover_the_code_line() {
        let f = file("// archlint-ignore-next-line plain-http-url\n// archlint-ignore-next-line hardcoded-secret\ncode\n");
        let (directives, _) = parse(&f, &known, false);
        assert_eq!(directives[0].scope, Scope::Line(2));
        assert_eq!(directives[1].scope, Scope::Line(2));
    }

    #[test]
    fn malformed_directives_are_reported() {
        for text in [
            "// archlint-ignore plain-http-url",
            "// archlint-ignore-next-line",
            "// archlint-ignore-next-line nope",
            "// archlint-ignore-next-lineplain-http-url",
        ] {
            let (directives, notices) = parse(&file(text), &known, false);
            assert!(directives.is_empty() && notices.len() == 1, "{text}: {notices:?}");
        }
        let (_, notices) = parse(&file("// archlint-ignore-next-line plain-http-url\nx"), &known, true);
        assert_eq!(notices.len(), 1);
    }

    #[test]
    fn a_directive_at_the_end_of_a_line_covers_that_line() {
        let f =
            file("// archlint-ignore-next-line hardcoded-secret\nget(URL); // archlint-ignore plain-http-url -- legacy gateway\nnext();\n");
        let (directives, notices) = parse(&f, &known, false);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(directives[0].scope, Scope::Line(1), "a code line with a directive at its end is the next line's code");
        assert_eq!(directives[1].scope, Scope::Line(1));
        assert_eq!(directives[1].reason.as_deref(), Some("legacy gateway"));
    }

    #[test]
    fn unknown_rules_get_a_suggestion() {
        let (_, notices) =
            parse(&file("// archlint-ignore-next-line plain-http-urls\nx"), &|id: &str| crate::rules::entry(id).is_some(), false);
        assert_eq!(notices[0].message, "unknown rule `plain-http-urls` in suppression (did you mean `plain-http-url`?)");
    }

    #[test]
    fn strings_mentioning_the_marker_are_not_directives() {
        let (directives, notices) = parse(&file("const s = \"archlint-ignore-file plain-http-url\";"), &known, false);
        assert!(directives.is_empty() && notices.is_empty());
    }
}
