//! Changed code: the lines that differ from a git ref (`--diff REF`) or that are staged
//! (`--staged`), read from `git diff --unified=0`. The scan itself is not narrowed, so project
//! facts still come from every file; only what is reported is.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the working tree is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Since {
    /// `--diff REF`: the working tree against a commit; untracked files count as added.
    Ref(String),
    /// `--staged`: the index against `HEAD`, the lines a commit would add.
    Index,
}

/// The new lines of every changed file, by absolute path.
#[derive(Debug, Default)]
pub struct ChangedLines {
    files: HashMap<PathBuf, FileChange>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct FileChange {
    /// Every line is new (an untracked file).
    all: bool,
    /// Added or changed lines, 1-based and inclusive.
    ranges: Vec<(usize, usize)>,
    /// Lines after which lines were removed: code around them changed even though no line of it
    /// is new (deleting `timeout: 5000,` from a call that spans three lines).
    removals_after: Vec<usize>,
}

/// One hunk header, `@@ -old_start,old_count +new_start,new_count @@`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hunk {
    old_start: usize,
    old_count: usize,
    new_start: usize,
    new_count: usize,
}

impl ChangedLines {
    /// Asks git, in the repository that holds `dir`. Errors are one line: git missing, not a
    /// repository, an unknown ref.
    pub fn load(since: &Since, dir: &Path) -> Result<ChangedLines, String> {
        let option = match since {
            Since::Ref(_) => "--diff",
            Since::Index => "--staged",
        };
        let toplevel = git(dir, &["rev-parse", "--show-toplevel"]).map_err(|e| match e {
            GitError::Missing => format!("{option} needs git, and git was not found"),
            GitError::Failed(_) => format!("{option} needs a git repository, and `{}` is not in one", dir.display()),
        })?;
        let toplevel = PathBuf::from(toplevel.trim_end_matches(['\n', '\r']));
        let toplevel = toplevel.canonicalize().unwrap_or(toplevel);
        let failed = |e: GitError| match e {
            GitError::Missing => format!("{option} needs git, and git was not found"),
            GitError::Failed(message) => format!("git failed: {message}"),
        };

        let mut by_path = match since {
            Since::Ref(reference) => {
                // Resolve first: a clear message for a bad ref, and no way for a ref to be read as an option.
                let commit = git(&toplevel, &["rev-parse", "--verify", "--quiet", "--end-of-options", &format!("{reference}^{{commit}}")])
                    .map_err(|e| match e {
                        GitError::Missing => failed(e),
                        GitError::Failed(_) => format!("--diff: unknown git ref `{reference}` (give a commit, branch or tag)"),
                    })?;
                let mut changes = parse_patch(&git(&toplevel, &diff_args(&[commit.trim()])).map_err(failed)?);
                let untracked = git(&toplevel, &["ls-files", "--others", "--exclude-standard", "-z"]).map_err(failed)?;
                for path in untracked.split('\0').filter(|p| !p.is_empty()) {
                    changes.insert(path.to_string(), FileChange { all: true, ..FileChange::default() });
                }
                changes
            }
            Since::Index => {
                let staged = parse_patch(&git(&toplevel, &diff_args(&["--cached"])).map_err(failed)?);
                // The scan reads the working tree: carry staged line numbers over edits not yet staged.
                let unstaged = parse_hunks(&git(&toplevel, &diff_args(&[])).map_err(failed)?);
                staged
                    .into_iter()
                    .map(|(path, change)| {
                        let change = match unstaged.get(&path) {
                            Some(hunks) => change.through(hunks),
                            None => change,
                        };
                        (path, change)
                    })
                    .collect()
            }
        };
        by_path.retain(|_, change| change.all || !change.ranges.is_empty() || !change.removals_after.is_empty());
        let files = by_path.into_iter().map(|(path, change)| (toplevel.join(path), change)).collect();
        Ok(ChangedLines { files })
    }

    /// Whether anything in the file at `path` changed.
    pub fn has_file(&self, path: &Path) -> bool {
        self.files.contains_key(path)
    }

    /// Whether lines `first..=last` of the file at `path` hold a change.
    pub fn touches(&self, path: &Path, first: usize, last: usize) -> bool {
        let Some(change) = self.files.get(path) else { return false };
        change.all
            || change.ranges.iter().any(|&(start, end)| start <= last && first <= end)
            || change.removals_after.iter().any(|&line| first <= line && line < last)
    }
}

fn diff_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    // Fixed prefixes and no colour, external diff or text conversion, whatever the user's config says.
    let mut args = vec![
        "-c",
        "core.quotePath=false",
        "diff",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--unified=0",
        "--find-renames",
        "--src-prefix=a/",
        "--dst-prefix=b/",
    ];
    args.extend_from_slice(extra);
    args.push("--");
    args
}

enum GitError {
    Missing,
    /// git ran and failed: the first line it printed.
    Failed(String),
}

fn git(dir: &Path, args: &[&str]) -> Result<String, GitError> {
    let output = Command::new("git").arg("-C").arg(dir).args(args).output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => GitError::Missing,
        _ => GitError::Failed(e.to_string()),
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(GitError::Failed(stderr.lines().next().unwrap_or("no message").to_string()));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The new lines of each file in a `--unified=0` patch, by path relative to the repository.
fn parse_patch(patch: &str) -> HashMap<String, FileChange> {
    parse_hunks(patch)
        .into_iter()
        .map(|(path, hunks)| {
            let mut change = FileChange::default();
            for hunk in hunks {
                if hunk.new_count > 0 {
                    change.ranges.push((hunk.new_start, hunk.new_start + hunk.new_count - 1));
                } else {
                    // A pure removal: git numbers it by the new line before the gap.
                    change.removals_after.push(hunk.new_start);
                }
            }
            (path, change)
        })
        .collect()
}

/// The hunks of each file in a `--unified=0` patch. Deleted files are left out: nothing of them
/// is left to report on. Hunk bodies are skipped by count, so a line of code that reads `+++ x`
/// is never taken for a file header.
fn parse_hunks(patch: &str) -> HashMap<String, Vec<Hunk>> {
    let mut files: HashMap<String, Vec<Hunk>> = HashMap::new();
    let mut current: Option<String> = None;
    let mut lines = patch.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("diff --git ") {
            current = None;
        } else if let Some(name) = line.strip_prefix("+++ ") {
            current = new_path(name);
            if let Some(path) = &current {
                files.entry(path.clone()).or_default();
            }
        } else if let Some(hunk) = line.strip_prefix("@@ ").and_then(parse_hunk_header) {
            let (mut old, mut new) = (hunk.old_count, hunk.new_count);
            while old + new > 0 {
                let Some(body) = lines.next() else { break };
                match body.as_bytes().first() {
                    Some(b'-') => old = old.saturating_sub(1),
                    Some(b'+') => new = new.saturating_sub(1),
                    Some(b'\\') => {} // "\ No newline at end of file"
                    _ => {
                        old = old.saturating_sub(1);
                        new = new.saturating_sub(1);
                    }
                }
            }
            if let Some(path) = &current {
                files.entry(path.clone()).or_default().push(hunk);
            }
        }
    }
    files
}

/// `-a,b +c,d @@ context` (a count of 1 may be left out).
fn parse_hunk_header(rest: &str) -> Option<Hunk> {
    let mut parts = rest.split(' ');
    let range = |part: &str, sign: char| -> Option<(usize, usize)> {
        let part = part.strip_prefix(sign)?;
        match part.split_once(',') {
            Some((start, count)) => Some((start.parse().ok()?, count.parse().ok()?)),
            None => Some((part.parse().ok()?, 1)),
        }
    };
    let (old_start, old_count) = range(parts.next()?, '-')?;
    let (new_start, new_count) = range(parts.next()?, '+')?;
    Some(Hunk { old_start, old_count, new_start, new_count })
}

/// The path in a `+++ b/path` header, or `None` for `/dev/null` (a deleted file).
fn new_path(name: &str) -> Option<String> {
    // git ends a name that holds a space with a tab.
    let name = name.strip_suffix('\t').unwrap_or(name);
    if name == "/dev/null" {
        return None;
    }
    let name = match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(quoted) => unquote(quoted),
        None => name.to_string(),
    };
    name.strip_prefix("b/").map(str::to_string)
}

/// Undoes git's C-style quoting of unusual path names (`\"`, `\\`, `\t`, `\n`, octal bytes).
fn unquote(quoted: &str) -> String {
    let mut bytes = Vec::with_capacity(quoted.len());
    let mut chars = quoted.bytes().peekable();
    while let Some(byte) = chars.next() {
        if byte != b'\\' {
            bytes.push(byte);
            continue;
        }
        match chars.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(b'r') => bytes.push(b'\r'),
            Some(b'a') => bytes.push(7),
            Some(b'b') => bytes.push(8),
            Some(b'f') => bytes.push(12),
            Some(b'v') => bytes.push(11),
            Some(digit @ b'0'..=b'7') => {
                let mut value = u32::from(digit - b'0');
                for _ in 0..2 {
                    match chars.peek() {
                        Some(&d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            chars.next();
                        }
                        _ => break,
                    }
                }
                bytes.push(value as u8);
            }
            Some(other) => bytes.push(other),
            None => bytes.push(b'\\'),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

impl FileChange {
    /// These lines (numbered in the index) carried over to the working tree, given the hunks
    /// that turn the index into the working tree. Lines edited again since they were staged are
    /// not what would be committed, and are dropped.
    fn through(self, unstaged: &[Hunk]) -> FileChange {
        let mut ranges = Vec::new();
        for (start, end) in self.ranges {
            for line in start..=end {
                let Some(moved) = carry_line(line, unstaged) else { continue };
                match ranges.last_mut() {
                    Some((_, last)) if *last + 1 == moved => *last = moved,
                    _ => ranges.push((moved, moved)),
                }
            }
        }
        let removals_after = self.removals_after.into_iter().filter_map(|line| carry_line(line, unstaged)).collect();
        FileChange { all: self.all, ranges, removals_after }
    }
}

/// Where `line` of the old side of `hunks` is on the new side, or `None` if it was changed.
fn carry_line(line: usize, hunks: &[Hunk]) -> Option<usize> {
    let mut offset: isize = 0;
    for hunk in hunks {
        // A pure insertion (`-a,0`) goes after old line `a`; a change replaces lines from `a` on.
        let first_affected = if hunk.old_count == 0 { hunk.old_start + 1 } else { hunk.old_start };
        if line < first_affected {
            break;
        }
        if line < hunk.old_start + hunk.old_count {
            return None;
        }
        offset += hunk.new_count as isize - hunk.old_count as isize;
    }
    line.checked_add_signed(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hunk(old_start: usize, old_count: usize, new_start: usize, new_count: usize) -> Hunk {
        Hunk { old_start, old_count, new_start, new_count }
    }

    #[test]
    fn hunk_headers_with_and_without_counts() {
        assert_eq!(parse_hunk_header("-3,0 +4,2 @@ fn x()"), Some(hunk(3, 0, 4, 2)));
        assert_eq!(parse_hunk_header("-7 +7 @@"), Some(hunk(7, 1, 7, 1)));
        assert_eq!(parse_hunk_header("-1,2 +0,0 @@"), Some(hunk(1, 2, 0, 0)));
        assert_eq!(parse_hunk_header("garbage"), None);
    }

    #[test]
    fn patches_give_new_lines_per_file() {
        let patch = "diff --git a/src/a.ts b/src/a.ts\n\
index 1..2 100644\n\
--- a/src/a.ts\n\
+++ b/src/a.ts\n\
@@ -0,0 +1,2 @@\n\
+// one\n\
+++ not a header\n\
@@ -5 +7 @@\n\
--- removed, not a header\n\
+const b = 1;\n\
@@ -9,2 +10,0 @@\n\
-x\n\
-y\n\
diff --git a/gone.ts b/gone.ts\n\
deleted file mode 100644\n\
--- a/gone.ts\n\
+++ /dev/null\n\
@@ -1 +0,0 @@\n\
-x\n\
diff --git \"a/odd \\\"name\\\".ts\" \"b/odd \\\"name\\\".ts\"\n\
--- \"a/odd \\\"name\\\".ts\"\n\
+++ \"b/odd \\\"name\\\".ts\"\n\
@@ -1 +1 @@\n\
-a\n\
\\ No newline at end of file\n\
+b\n\
diff --git a/with space.ts b/with space.ts\n\
--- a/with space.ts\t\n\
+++ b/with space.ts\t\n\
@@ -2,0 +3 @@\n\
+c\n";
        let changes = parse_patch(patch);
        assert_eq!(changes.len(), 3, "{changes:?}");
        assert_eq!(changes["src/a.ts"], FileChange { all: false, ranges: vec![(1, 2), (7, 7)], removals_after: vec![10] });
        assert_eq!(changes["odd \"name\".ts"].ranges, [(1, 1)]);
        assert_eq!(changes["with space.ts"].ranges, [(3, 3)]);
    }

    #[test]
    fn quoted_names_unescape_octal_bytes() {
        assert_eq!(unquote("b/caf\\303\\251.ts"), "b/café.ts");
        assert_eq!(unquote("b/tab\\there"), "b/tab\there");
    }

    #[test]
    fn touching_ranges_and_removals() {
        let mut files = HashMap::new();
        files.insert(PathBuf::from("/r/a.ts"), FileChange { all: false, ranges: vec![(5, 6)], removals_after: vec![10] });
        let changed = ChangedLines { files };
        let path = Path::new("/r/a.ts");
        assert!(changed.touches(path, 6, 6));
        assert!(changed.touches(path, 1, 5), "a span reaching into the change");
        assert!(!changed.touches(path, 7, 9));
        assert!(changed.touches(path, 9, 11), "lines were removed inside the span");
        assert!(!changed.touches(path, 10, 10), "a removal after the span's last line");
        assert!(!changed.touches(Path::new("/r/b.ts"), 1, 100));
    }

    #[test]
    fn staged_lines_follow_unstaged_edits() {
        // Unstaged: two lines inserted after line 1, and line 8 rewritten.
        let unstaged = [hunk(1, 0, 2, 2), hunk(8, 1, 10, 1)];
        assert_eq!(carry_line(1, &unstaged), Some(1));
        assert_eq!(carry_line(2, &unstaged), Some(4));
        assert_eq!(carry_line(8, &unstaged), None);
        assert_eq!(carry_line(9, &unstaged), Some(11));
        let staged = FileChange { all: false, ranges: vec![(2, 3), (8, 9)], removals_after: vec![] };
        assert_eq!(staged.through(&unstaged).ranges, [(4, 5), (11, 11)]);
    }
}
