//! How entries name calls and how a call, as a front-end describes it, is matched against them:
//! built-in TypeScript names whole, Rust paths and users' names by their last segments, methods
//! of any receiver, and the module a name must come from.

use super::Language;

/// How an entry names the calls it is about.
#[derive(Debug, Clone)]
pub struct Callee {
    /// As written (for listings and messages): `child_process.exec`, `*.query`, `Store::run_sql`.
    pub written: String,
    pub(super) form: Form,
    /// The import the callee must come from.
    pub(super) module: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) enum Form {
    /// A built-in TypeScript name: the whole import-resolved qualified name; `imported` when it
    /// is under a module, whose import the call's name must come through.
    Exact { name: String, imported: bool },
    /// A method of any receiver.
    Method(String),
    /// Segments matched against the end of the resolved name (Rust paths, users' names); for a
    /// method call, the last segment is the method and the one before it the receiver's type or
    /// name.
    Suffix(Vec<String>),
}

/// A call as a front-end describes it, for matching against the entries.
#[derive(Debug, Clone, Copy)]
pub struct CallName<'s> {
    /// The callee's name after import resolution, by segment: `["child_process", "exec"]`,
    /// `["body", "reqBody"]` (an import from `./http/body`), `["http", "body", "read_body"]`
    /// (`crate::http::body::read_body`), `["this", "store", "runSql"]`.
    pub segments: &'s [String],
    /// The whole qualified name as the TypeScript model writes it (`child_process.exec`), for
    /// built-in names.
    pub qualified: Option<&'s str>,
    /// `receiver.method(..)`: the method's name.
    pub method: Option<&'s str>,
    /// For a method call: what the receiver is called or declared as (`store`, `Store`), for
    /// `Type::method` entries.
    pub receiver: &'s [String],
    /// The import specifier or module path the name was resolved through, when it was.
    pub module: Option<&'s str>,
    /// Every import specifier or `use` path of the file (for module-bound entries matched by
    /// method, where the receiver's origin is not known).
    pub file_imports: &'s [String],
    /// Whether a name under a module counts without an import it came through. Sanitisers and
    /// propagators are looked up this way (`path.basename` makes a value safe whoever provides
    /// `path`); sinks and clients are not (a parameter called `request` is not the package).
    pub unimported_modules: bool,
}

/// The parts of a [`CallName`] a front-end keeps (per call node, computed once).
#[derive(Debug, Clone, Default)]
pub struct CallParts {
    pub segments: Vec<String>,
    pub qualified: Option<String>,
    pub method: Option<String>,
    pub receiver: Vec<String>,
    pub module: Option<String>,
}

impl CallParts {
    pub fn name<'s>(&'s self, file_imports: &'s [String]) -> CallName<'s> {
        CallName {
            segments: &self.segments,
            qualified: self.qualified.as_deref(),
            method: self.method.as_deref(),
            receiver: &self.receiver,
            module: self.module.as_deref(),
            file_imports,
            unimported_modules: false,
        }
    }
}

impl Callee {
    /// The entry as `archlint models` shows it: the name, and the module it must come from.
    pub fn shown(&self) -> String {
        match &self.module {
            Some(module) => format!("{} from `{module}`", self.written),
            None => self.written.clone(),
        }
    }

    /// The name the entry matches a call by: a method, or a path's last segment.
    pub(super) fn last_name(&self) -> Option<&str> {
        match &self.form {
            Form::Method(name) => Some(name),
            Form::Suffix(segments) => segments.last().map(String::as_str),
            Form::Exact { name, .. } => name.rsplit('.').next(),
        }
    }

    /// Whether the entry's function comes from this import: a built-in name under it
    /// (`jsonwebtoken.decode` from `jsonwebtoken`), a Rust path from its crate
    /// (`jsonwebtoken::decode` from `use jsonwebtoken::Validation`), or the entry's `module`.
    pub(super) fn comes_from(&self, import: &str, language: Language) -> bool {
        match (&self.form, &self.module) {
            (_, Some(module)) => module_matches(import, module, language),
            (Form::Exact { name, imported: true }, None) => {
                name.strip_prefix(import).is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            }
            (Form::Suffix(segments), None) if language == Language::Rust && segments.len() > 1 => {
                let krate = &segments[0];
                !starts_with_type(krate) && import.trim_start_matches("::").split("::").next() == Some(krate.as_str())
            }
            _ => false,
        }
    }

    /// Whether the entry names a method of any receiver (`*.parse`) rather than a function.
    pub fn is_method(&self) -> bool {
        matches!(self.form, Form::Method(_))
    }

    pub(super) fn matches(&self, call: &CallName<'_>, language: Language) -> bool {
        match &self.form {
            // A name under a module must have been resolved through an import: a parameter that
            // happens to be called `request` or `fs` is not the package.
            Form::Exact { name, imported } => {
                call.qualified == Some(name.as_str()) && (!imported || call.module.is_some() || call.unimported_modules)
            }
            Form::Method(name) => call.method == Some(name.as_str()) && self.module_ok(call, language),
            Form::Suffix(segments) => {
                let (last, types) = segments.split_last().expect("a pattern has a segment");
                let by_name =
                    call.segments.len() >= segments.len()
                        && call.segments[call.segments.len() - segments.len()..]
                            .iter()
                            .zip(segments)
                            .enumerate()
                            .all(|(i, (have, want))| if i + 1 == segments.len() { have == want } else { have.eq_ignore_ascii_case(want) });
                if by_name {
                    return self.module_ok(call, language);
                }
                // `store.run_sql(q)` for `Store::run_sql`: the method of a receiver declared as that
                // type or named like it (`store`, `self.user_store`). Only for a type (capitalised):
                // `fs::read` is a module's function, never a method.
                let by_method = call.method == Some(last.as_str())
                    && match types.last() {
                        None => true,
                        Some(ty) if ty.starts_with(|c: char| c.is_ascii_uppercase()) => {
                            let ty = ty.to_ascii_lowercase();
                            call.receiver.iter().any(|r| r.to_ascii_lowercase().contains(&ty))
                        }
                        Some(_) => false,
                    };
                by_method && self.module_ok(call, language)
            }
        }
    }

    pub(super) fn module_ok(&self, call: &CallName<'_>, language: Language) -> bool {
        let Some(module) = &self.module else { return true };
        let from_file_imports = || call.file_imports.iter().any(|import| module_matches(import, module, language));
        match call.module {
            // A Rust path call that starts with a type (`File::open`, unresolved: a glob
            // import's or the crate's own) names no module: the file's imports say whose it can
            // be. (A method's receiver type, `Self::Tx`, keeps to its own path.)
            Some(resolved) if language == Language::Rust && call.method.is_none() && starts_with_type(resolved) => {
                module_matches(resolved, module, language) || from_file_imports()
            }
            Some(resolved) => module_matches(resolved, module, language),
            None => from_file_imports(),
        }
    }
}

fn starts_with_type(path: &str) -> bool {
    path.starts_with(|c: char| c.is_ascii_uppercase())
}

/// Whether an import specifier or module path is the module an entry names: equal, or (for
/// relative paths and module paths) ending with its components: `../../http/body` is
/// `./http/body`, `crate::db::store` is `db::store`.
pub fn module_matches(resolved: &str, module: &str, language: Language) -> bool {
    let components = |text: &str| -> Vec<String> {
        let text = text.strip_prefix("node:").unwrap_or(text);
        match language {
            Language::Typescript => text
                .split('/')
                .filter(|c| !c.is_empty() && *c != "." && *c != "..")
                .map(|c| {
                    let c = c
                        .rsplit_once('.')
                        .filter(|(_, ext)| matches!(*ext, "js" | "ts" | "mjs" | "cjs" | "jsx" | "tsx"))
                        .map_or(c, |(stem, _)| stem);
                    c.to_string()
                })
                .collect(),
            Language::Rust => {
                text.split("::").filter(|c| !c.is_empty() && !matches!(*c, "crate" | "self" | "super")).map(str::to_string).collect()
            }
        }
    };
    let want = components(module);
    let have = components(resolved);
    if want.is_empty() {
        return false;
    }
    match language {
        // A package is named whole; a relative import by its last components.
        Language::Typescript if module.starts_with('.') => have.ends_with(&want),
        Language::Typescript => have == want,
        // `crate::http::body::read_body` comes from `http::body` (the path includes the item).
        Language::Rust => have.windows(want.len()).any(|w| w == want.as_slice()),
    }
}
