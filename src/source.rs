//! A source file in memory and the mapping from byte offsets to what users and tools see:
//! 1-based lines and 1-based columns counted in UTF-16 code units (what GitHub, VS Code and
//! SARIF's `utf16CodeUnits` expect).

use std::path::PathBuf;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    Rust,
    TypeScript,
    /// `.tsx` and `.jsx`: parsed with the TSX grammar.
    Tsx,
    JavaScript,
}

impl Language {
    pub fn from_path(path: &std::path::Path) -> Option<Language> {
        let name = path.file_name()?.to_str()?;
        if name.ends_with(".d.ts") || name.ends_with(".d.mts") || name.ends_with(".d.cts") {
            return None;
        }
        match path.extension()?.to_str()? {
            "rs" => Some(Language::Rust),
            "ts" | "mts" | "cts" => Some(Language::TypeScript),
            "tsx" | "jsx" => Some(Language::Tsx),
            "js" | "mjs" | "cjs" => Some(Language::JavaScript),
            _ => None,
        }
    }

    /// The family a rule declares support for in its metadata.
    pub fn family(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            _ => "typescript",
        }
    }
}

/// A half-open byte range into a file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end: end.max(start) }
    }
    pub fn contains(&self, offset: usize) -> bool {
        self.start <= offset && offset < self.end.max(self.start + 1)
    }
    pub fn encloses(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// A resolved position: 1-based line, 1-based UTF-16 column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

pub struct SourceFile {
    /// Path relative to the project root, with `/` separators: what every output shows.
    pub rel_path: String,
    /// Path on disk.
    pub abs_path: PathBuf,
    pub language: Language,
    pub text: String,
    /// Whether the path marks the file as test code (tests/, __tests__/, *.test.ts, ...).
    pub is_test_path: bool,
    /// Whether the file is tooling rather than service code: a script, a migration, a build
    /// file, an example, a command-line program (see `crate::roles`). Set by the engine.
    pub is_tooling: bool,
    /// Whether the file belongs to a browser app (see `crate::roles::is_browser_package`).
    pub in_browser_app: bool,
    /// Whether the file's code can see request data (see `crate::roles::rust_serves_requests`):
    /// request data is followed across files only from such files. Set by the engine.
    pub serves_requests: bool,
    /// The workspace packages the file's package depends on, whose modules calls are followed
    /// into (see `crate::roles::workspace_dependencies`). Set by the engine.
    pub workspace_packages: std::sync::Arc<[String]>,
    line_starts: Vec<usize>,
    /// Built on first use: line starts counting `\n` only (as proc-macro2 does), when the text has a
    /// lone `\r`; otherwise those are `line_starts`.
    lf_line_starts: OnceLock<Option<Vec<usize>>>,
    /// Built on first use, for columns on long lines (minified code): counts every
    /// [`CHECKPOINT`] bytes.
    checkpoints: OnceLock<Checkpoints>,
}

/// Lines longer than this get their columns from [`Checkpoints`] instead of counting from the
/// start of the line, so that a finding on a 5 MB line costs microseconds, not milliseconds.
const LONG_LINE: usize = 4096;
/// Distance in bytes between two checkpoints.
const CHECKPOINT: usize = 1024;

/// Chars and UTF-16 code units before every multiple of [`CHECKPOINT`] bytes. A char is counted
/// at its first byte, so the counts are right at every char boundary.
struct Checkpoints {
    chars: Vec<usize>,
    utf16: Vec<usize>,
}

/// Chars (first bytes) and UTF-16 code units (2 for a 4-byte sequence) that a byte starts.
fn byte_weights(byte: u8) -> (usize, usize) {
    match byte {
        0x80..=0xbf => (0, 0),
        0xf0..=0xff => (1, 2),
        _ => (1, 1),
    }
}

impl Checkpoints {
    fn new(text: &str) -> Checkpoints {
        let (mut chars, mut utf16) = (vec![0], vec![0]);
        let (mut c, mut u) = (0, 0);
        for block in text.as_bytes().chunks(CHECKPOINT) {
            for &byte in block {
                let (dc, du) = byte_weights(byte);
                c += dc;
                u += du;
            }
            chars.push(c);
            utf16.push(u);
        }
        Checkpoints { chars, utf16 }
    }

    /// Chars and UTF-16 code units in `text[..offset]` (`offset` on a char boundary).
    fn counts(&self, text: &str, offset: usize) -> (usize, usize) {
        let block = offset / CHECKPOINT;
        let (mut c, mut u) = (self.chars[block], self.utf16[block]);
        for &byte in &text.as_bytes()[block * CHECKPOINT..offset] {
            let (dc, du) = byte_weights(byte);
            c += dc;
            u += du;
        }
        (c, u)
    }

    /// The offset of the character that holds the `target`th char (or UTF-16 code unit) of the
    /// text, or the text's length.
    fn offset_at(&self, text: &str, utf16: bool, target: usize) -> usize {
        let counts = if utf16 { &self.utf16 } else { &self.chars };
        // The last block that starts at or before the target.
        let block = counts.partition_point(|&c| c <= target).saturating_sub(1);
        let mut count = counts[block];
        let bytes = text.as_bytes();
        for (offset, &byte) in bytes.iter().enumerate().skip(block * CHECKPOINT) {
            let (chars, units) = byte_weights(byte);
            let weight = if utf16 { units } else { chars };
            if weight > 0 {
                if count + weight > target {
                    return offset;
                }
                count += weight;
            }
        }
        bytes.len()
    }
}

impl SourceFile {
    /// `is_test_path` is decided by the caller against the scanned root (see [`is_test_path`]), so
    /// that scanning a fixture directory directly does not treat everything in it as tests.
    pub fn new(rel_path: String, abs_path: PathBuf, language: Language, text: String, is_test_path: bool) -> SourceFile {
        let line_starts = line_starts(&text);
        SourceFile {
            rel_path,
            abs_path,
            language,
            text,
            is_test_path,
            is_tooling: false,
            in_browser_app: false,
            serves_requests: true,
            workspace_packages: std::sync::Arc::from([]),
            line_starts,
            lf_line_starts: OnceLock::new(),
            checkpoints: OnceLock::new(),
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line index containing `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Byte range of a 0-based line, without its terminator.
    pub fn line_span(&self, line_index: usize) -> Span {
        let start = self.line_starts[line_index];
        let mut end = self.line_starts.get(line_index + 1).copied().unwrap_or(self.text.len());
        let bytes = self.text.as_bytes();
        while end > start && (bytes[end - 1] == b'\n' || bytes[end - 1] == b'\r') {
            end -= 1;
        }
        Span::new(start, end)
    }

    pub fn line_text(&self, line_index: usize) -> &str {
        let span = self.line_span(line_index);
        &self.text[span.start..span.end]
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = self.clamp_to_char_boundary(offset.min(self.text.len()));
        let line = self.line_index(offset);
        let start = self.line_starts[line];
        let column = if offset - start > LONG_LINE {
            let checkpoints = self.checkpoints();
            checkpoints.counts(&self.text, offset).1 - checkpoints.counts(&self.text, start).1
        } else {
            self.text[start..offset].encode_utf16().count()
        };
        Position { line: line + 1, column: column + 1 }
    }

    /// Byte offset of a 1-based line and a 0-based column counted in chars, as proc-macro2
    /// reports them (lines end at `\n` only: a lone `\r` does not start one), clamped to the line.
    pub fn offset_of_line_char(&self, line: usize, char_column: usize) -> usize {
        let starts = self.lf_line_starts();
        if line == 0 || line > starts.len() {
            return self.text.len();
        }
        let start = starts[line - 1];
        let mut end = self.text.len();
        if let Some(next) = starts.get(line) {
            // Before the line's `\n` or `\r\n`.
            end = next - 1;
            if end > start && self.text.as_bytes()[end - 1] == b'\r' {
                end -= 1;
            }
        }
        if end - start > LONG_LINE {
            let checkpoints = self.checkpoints();
            let first = checkpoints.counts(&self.text, start).0;
            return checkpoints.offset_at(&self.text, false, first + char_column).min(end);
        }
        match self.text[start..end].char_indices().nth(char_column) {
            Some((i, _)) => start + i,
            None => end,
        }
    }

    /// Byte offset of a [`Position`] (1-based line, 1-based UTF-16 column), clamped to the line; a
    /// column inside a character (between the halves of a surrogate pair) gives its start.
    pub fn offset_of_position(&self, position: Position) -> usize {
        if position.line == 0 || position.line > self.line_starts.len() {
            return self.text.len();
        }
        let span = self.line_span(position.line - 1);
        let target = position.column.saturating_sub(1);
        if span.end - span.start > LONG_LINE {
            let checkpoints = self.checkpoints();
            let first = checkpoints.counts(&self.text, span.start).1;
            return checkpoints.offset_at(&self.text, true, first + target).min(span.end);
        }
        let mut units = 0;
        for (i, c) in self.text[span.start..span.end].char_indices() {
            if units + c.len_utf16() > target {
                return span.start + i;
            }
            units += c.len_utf16();
        }
        span.end
    }

    fn lf_line_starts(&self) -> &[usize] {
        let lf = self.lf_line_starts.get_or_init(|| {
            let bytes = self.text.as_bytes();
            let lone_cr = self.line_starts.iter().any(|&start| start > 0 && bytes[start - 1] == b'\r');
            lone_cr.then(|| self.line_starts.iter().copied().filter(|&start| start == 0 || bytes[start - 1] == b'\n').collect())
        });
        lf.as_deref().unwrap_or(&self.line_starts)
    }

    fn checkpoints(&self) -> &Checkpoints {
        self.checkpoints.get_or_init(|| Checkpoints::new(&self.text))
    }

    pub fn slice(&self, span: Span) -> &str {
        let start = self.clamp_to_char_boundary(span.start.min(self.text.len()));
        let end = self.clamp_to_char_boundary(span.end.min(self.text.len())).max(start);
        &self.text[start..end]
    }

    fn clamp_to_char_boundary(&self, mut offset: usize) -> usize {
        while offset > 0 && !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// Line starts for `\n`, `\r\n` and lone `\r` terminators.
fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => starts.push(i + 1),
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    starts
}

/// Test code is held to different standards (fixtures use fake secrets and local URLs on purpose).
pub fn is_test_path(rel_path: &str) -> bool {
    let lower = rel_path.to_ascii_lowercase();
    let mut parts = lower.split('/').peekable();
    while let Some(part) = parts.next() {
        let is_file = parts.peek().is_none();
        if is_file {
            let stem = part.split('.').next().unwrap_or(part);
            return part.contains(".test.")
                || part.contains(".spec.")
                || part.contains(".e2e-spec.")
                // Hand-written test doubles beside the code they stand in for.
                || part.contains(".mock.")
                || part.contains(".mocks.")
                || stem == "mock"
                || stem == "mocks"
                || stem.ends_with("_test")
                || stem.ends_with("_tests")
                || stem.starts_with("test_")
                || stem == "tests"
                || stem == "test";
        }
        if is_test_dir(part) {
            return true;
        }
    }
    false
}

/// Whether a path lies in a directory that by convention holds browser code (static sites, front-end
/// apps). Rules about server behaviour, such as fetch timeouts, do not apply there.
pub fn is_frontend_path(rel_path: &str) -> bool {
    let lower = rel_path.to_ascii_lowercase();
    // A top-level `client/` beside the server is the browser app (the MERN layout); deeper down,
    // `client` more often names a module of API clients, which is server code.
    if lower.starts_with("client/") {
        return true;
    }
    let mut dirs = lower.split('/').rev().skip(1);
    dirs.any(|dir| {
        matches!(
            dir,
            "www" | "static" | "public" | "assets" | "frontend" | "front-end" | "webapp" | "web-app" | "browser" | "client-side" | "redux"
        )
    })
}

/// Directory names that hold tests, test harnesses or browser-automation suites: code that
/// never runs in production, where fixture credentials and plain URLs are expected.
fn is_test_dir(part: &str) -> bool {
    matches!(
        part,
        "test"
            | "tests"
            | "__tests__"
            | "__mocks__"
            | "spec"
            | "specs"
            | "e2e"
            | "testing"
            | "benches"
            | "fixtures"
            | "__fixtures__"
            | "playwright"
            | "cypress"
            | "testdata"
            | "test-data"
            | "test-utils"
            | "test_utils"
            | "testkit"
            | "testutils"
    ) || part.ends_with("-tests")
        || part.ends_with("_tests")
        || part.ends_with("-test-utils")
        || part.starts_with("test-")
        || is_compound_test_dir(part)
}

/// A harness named by the kind of test it runs, written as one word: `sqllogictest`,
/// `sqllogicaltests`, `loadtests`, `smoketests`, `tabby-loadtest`. The kind must be named, so
/// `latest`, `contests` and `abtest` (an A/B-test feature) stay production code.
fn is_compound_test_dir(part: &str) -> bool {
    const KINDS: &[&str] = &[
        "logic",
        "logical",
        "integration",
        "smoke",
        "load",
        "unit",
        "e2e",
        "regression",
        "perf",
        "stress",
        "fuzz",
        "conformance",
        "acceptance",
        "functional",
    ];
    let kind = part.strip_suffix("tests").or_else(|| part.strip_suffix("test"));
    kind.is_some_and(|kind| KINDS.iter().any(|k| kind.ends_with(k)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("a.ts".into(), "a.ts".into(), Language::TypeScript, text.into(), false)
    }

    #[test]
    fn columns_count_utf16_code_units() {
        let f = file("const s = \"😀\"; x\n");
        // The emoji is 4 UTF-8 bytes and 2 UTF-16 code units.
        let x = f.text.find('x').unwrap();
        assert_eq!(f.position(x), Position { line: 1, column: 17 });
    }

    #[test]
    fn crlf_and_lone_cr_start_lines() {
        let f = file("a\r\nb\rc\nd");
        assert_eq!(f.line_count(), 4);
        assert_eq!(f.position(f.text.find('d').unwrap()), Position { line: 4, column: 1 });
        assert_eq!(f.line_text(0), "a");
        assert_eq!(f.position(f.text.find('c').unwrap()).line, 3);
    }

    #[test]
    fn char_columns_map_back_to_bytes() {
        let f = file("é = \"x\";\nlet y");
        assert_eq!(f.offset_of_line_char(1, 1), 2);
        assert_eq!(f.offset_of_line_char(2, 4), f.text.find('y').unwrap());
    }

    #[test]
    fn test_paths() {
        assert!(is_test_path("src/__tests__/a.ts"));
        assert!(is_test_path("src/user.spec.ts"));
        assert!(is_test_path("tests/api.rs"));
        assert!(is_test_path("src/db_test.rs"));
        assert!(is_test_path("integration-tests/http/api.ts"));
        assert!(is_test_path("packages/shop-test-utils/src/db.ts"));
        assert!(is_test_path("apps/web/playwright/global-setup.ts"));
        assert!(is_test_path("cypress/support/commands.js"));
        assert!(!is_test_path("src/contest/entries.ts"));
        assert!(is_test_path("apps/api/src/services/queue.service.mock.ts"));
        assert!(is_test_path("src/handlers.mocks.ts"));
        assert!(is_test_path("connectors/sms/src/mock.ts"));
        assert!(is_test_path("server/testkit/src/lib.rs"));
        assert!(!is_test_path("src/mockingbird.ts"));
        assert!(!is_test_path("src/attestation/verify.rs"));
        assert!(!is_test_path("src/testimonials.ts"));
        assert!(!is_test_path("src/main.rs"));
        assert!(is_test_path("query_server/sqllogicaltests/src/main.rs"));
        assert!(is_test_path("tests/sqllogictests/src/lib.rs"));
        assert!(is_test_path("tools/tokenserver/loadtests/locustfile.ts"));
        assert!(is_test_path("scripts/smoketests/run.ts"));
        assert!(is_test_path("crates/tabby-loadtest/src/main.rs"));
        assert!(is_test_path("integrationtests/src/lib.rs"));
        assert!(!is_test_path("src/latest/handler.ts"));
        assert!(!is_test_path("src/routes/contests/index.ts"));
        assert!(!is_test_path("src/features/abtest/assign.ts"));
        assert!(!is_test_path("crates/manifest/src/lib.rs"));
    }

    #[test]
    fn frontend_paths() {
        assert!(is_frontend_path("www/apps/docs/components/Feedback.ts"));
        assert!(is_frontend_path("packages/frontend/src/api.ts"));
        assert!(is_frontend_path("public/js/app.js"));
        assert!(!is_frontend_path("src/routes/public.ts"));
        assert!(!is_frontend_path("src/server/api.ts"));
    }
}
