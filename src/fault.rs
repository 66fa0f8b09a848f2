//! Fault injection, for tests only: `ARCHLINT_FAULT_INJECTION` makes archlint fail on purpose so
//! that tests can check how a failure is contained (tests/robustness.rs). It is not a user
//! feature and is not documented as one. A comma-separated list of:
//!
//! - `panic:<rule-id>`: that rule's check panics on every node it is given, inside the
//!   front-ends' `catch_unwind` (it must become an internal-error notice);
//! - `vanish:<file-name>`: files with that name are deleted after the walk found them and before
//!   they are read (as when a file disappears during a scan);
//! - `unreadable:<file-name>`: files with that name are replaced by a directory after the walk
//!   and before the read, so opening succeeds and reading fails (a permission change cannot make
//!   a file unreadable for root, which the tests run as).
//!
//! The variable is read once per process; without it each check is one comparison.

use std::path::Path;
use std::sync::OnceLock;

enum Fault {
    Panic(String),
    Vanish(String),
    Unreadable(String),
}

fn faults() -> &'static [Fault] {
    static FAULTS: OnceLock<Vec<Fault>> = OnceLock::new();
    FAULTS.get_or_init(|| {
        let spec = std::env::var("ARCHLINT_FAULT_INJECTION").unwrap_or_default();
        spec.split(',')
            .filter_map(|fault| match fault.trim().split_once(':') {
                Some(("panic", rule)) => Some(Fault::Panic(rule.to_string())),
                Some(("vanish", name)) => Some(Fault::Vanish(name.to_string())),
                Some(("unreadable", name)) => Some(Fault::Unreadable(name.to_string())),
                _ => None,
            })
            .collect()
    })
}

/// Whether any fault is asked for: the result cache is then off, since a reused result would
/// skip the fault.
pub(crate) fn any() -> bool {
    !faults().is_empty()
}

/// Panics if a test asked this rule to (`panic:<rule-id>`). Called in the per-file dispatch of
/// both front-ends, inside their `catch_unwind`.
pub(crate) fn maybe_panic_in_rule(rule: &str) {
    if faults().iter().any(|fault| matches!(fault, Fault::Panic(id) if id == rule)) {
        panic!("injected fault: rule `{rule}` panics (ARCHLINT_FAULT_INJECTION)");
    }
}

/// Deletes the file if a test asked for files of its name to vanish (`vanish:<file-name>`), or
/// puts a directory in its place (`unreadable:<file-name>`).
pub(crate) fn maybe_vanish(path: &Path) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if faults().iter().any(|fault| matches!(fault, Fault::Vanish(n) if n == name)) {
        let _ = std::fs::remove_file(path);
    }
    if faults().iter().any(|fault| matches!(fault, Fault::Unreadable(n) if n == name)) {
        let _ = std::fs::remove_file(path);
        let _ = std::fs::create_dir(path);
    }
}
