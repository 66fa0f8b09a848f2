//! `archlint.toml` / `.archlint.toml`: which rules run, at what level, on which paths, with what
//! options. Found by walking up from the scanned path, or given with `--config`. Unknown keys and
//! unknown rule ids are errors that name the key and the file.

use crate::diagnostic::Level;
use crate::models::{spec::UserModels, Knowledge};
use crate::rules::{self, meta, Rule, RuleMeta, RuleOptions, Tier};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const CONFIG_NAMES: &[&str] = &["archlint.toml", ".archlint.toml"];

/// Files larger than this are skipped with a notice unless `max-file-size` says otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 2 * 1024 * 1024;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// Another configuration this one builds on (`extend = "../archlint.toml"`, relative to this
    /// file): its settings apply unless this file sets them (see [`inherit`]).
    pub extend: Option<String>,
    /// Tiers (`security`, `hardening`, `audit`), rule ids, or `all`. Default: security + hardening.
    pub select: Option<Vec<String>>,
    #[serde(default)]
    pub extend_select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Gitignore-style patterns relative to the configuration file's directory.
    #[serde(default)]
    pub exclude: Vec<String>,
    pub fail_on: Option<Level>,
    pub max_file_size: Option<u64>,
    /// How many calls deep request data is followed across functions and files (1 to 32).
    pub max_call_depth: Option<usize>,
    #[serde(default)]
    pub require_suppression_reason: bool,
    /// Per-rule level: `error`, `warning`, `note` or `off`.
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    /// Per-rule options: `[rules.<id>]`.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleOptions>,
    #[serde(default)]
    pub overrides: Vec<Override>,
    /// The project's own sources, sinks, sanitizers and propagators: `[[models.sinks]]`, ...
    #[serde(default)]
    pub models: UserModels,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Override {
    /// Gitignore-style patterns the override applies to.
    pub files: Vec<String>,
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
}

/// A configuration problem: one line that names the file and what is wrong.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A rule ready to run: the check, its metadata, and its level (None = off) per the config.
pub struct ConfiguredRule {
    pub check: Box<dyn Rule>,
    pub meta: &'static RuleMeta,
    pub level: Option<Level>,
}

struct CompiledOverride {
    matcher: ignore::gitignore::Gitignore,
    levels: BTreeMap<&'static str, Option<Level>>,
}

/// The configuration in force for a scan.
pub struct Config {
    /// The directory paths in output are relative to, and patterns are anchored at.
    pub root: PathBuf,
    pub source: Option<PathBuf>,
    pub rules: Vec<ConfiguredRule>,
    pub fail_on: Level,
    pub max_file_size: u64,
    /// How many calls deep request data is followed across functions and files.
    pub max_call_depth: usize,
    pub require_suppression_reason: bool,
    /// Everything the configuration and the command line decided, as text: part of the result
    /// cache's key, so that a changed configuration never reuses results.
    pub fingerprint: String,
    /// Whether a directory below the root with a configuration file of its own is a project of
    /// its own, which this configuration's scans leave out (on, unless `--config` names one
    /// configuration for every file).
    pub nested_projects: bool,
    /// The configuration's models with the built-in ones; `None` when it adds none.
    user_knowledge: Option<Box<Knowledge>>,
    exclude: ignore::gitignore::Gitignore,
    overrides: Vec<CompiledOverride>,
}

/// Command-line settings that take precedence over the file.
#[derive(Debug, Default, Clone)]
pub struct CliOverrides {
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub fail_on: Option<Level>,
}

/// Looks for a configuration file in `start` and its ancestors.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = start_dir(start)?;
    start.ancestors().find_map(|dir| CONFIG_NAMES.iter().map(|name| dir.join(name)).find(|path| path.is_file()))
}

/// Whether a directory holds a configuration file, which makes it a project of its own.
pub fn has_config(dir: &Path) -> bool {
    CONFIG_NAMES.iter().any(|name| dir.join(name).is_file())
}

/// The repository root (nearest ancestor with `.git`), used when there is no config file.
pub fn repository_root(start: &Path) -> Option<PathBuf> {
    let start = start_dir(start)?;
    start.ancestors().find(|dir| dir.join(".git").exists()).map(Path::to_path_buf)
}

/// `file` with the configuration it `extend`s (and what that one extends) underneath it.
fn extended(mut file: ConfigFile, path: &Path, dir: &Path, depth: usize) -> Result<ConfigFile, ConfigError> {
    let Some(base) = file.extend.take() else { return Ok(file) };
    let origin = path.display();
    if depth >= 8 {
        return Err(ConfigError(format!("{origin}: `extend` goes more than 8 files deep (a cycle?)")));
    }
    let base_path = path.parent().unwrap_or(Path::new(".")).join(&base);
    let text = std::fs::read_to_string(&base_path)
        .map_err(|e| ConfigError(format!("{origin}: extend: cannot read `{}`: {e}", base_path.display())))?;
    let base_file = parse(&text, &base_path.display().to_string())?;
    let base_dir = base_path.canonicalize().ok().and_then(|p| p.parent().map(Path::to_path_buf)).unwrap_or_else(|| dir.to_path_buf());
    let base_file = extended(base_file, &base_path, &base_dir, depth + 1)?;
    Ok(inherit(base_file, &base_dir, file, dir))
}

/// A configuration built on another (Ruff's `extend`): what `child` sets wins; lists of rules to
/// ignore or add, per-rule settings and models add up; the base's path patterns (`exclude`,
/// `[[overrides]]`), written relative to its own directory, are kept where they reach into the
/// child's directory, re-anchored there.
pub fn inherit(base: ConfigFile, base_dir: &Path, child: ConfigFile, child_dir: &Path) -> ConfigFile {
    let prefix = child_dir.strip_prefix(base_dir).ok().map(|rel| rel.to_string_lossy().replace('\\', "/"));
    let reanchor = |patterns: Vec<String>| -> Vec<String> {
        patterns
            .into_iter()
            .filter_map(|pattern| {
                let negated = pattern.starts_with('!');
                let body = pattern.trim_start_matches('!');
                // Without a slash but at its end, a pattern matches at any depth: it holds as it is.
                if !body.trim_end_matches('/').contains('/') {
                    return Some(pattern);
                }
                let anchored = body.trim_start_matches('/');
                let inside = match prefix.as_deref() {
                    Some("") => Some(anchored.to_string()),
                    Some(prefix) => anchored.strip_prefix(&format!("{prefix}/")).map(str::to_string),
                    None => None,
                };
                inside.map(|rest| format!("{}/{rest}", if negated { "!" } else { "" }))
            })
            .collect()
    };
    let mut severity = base.severity;
    severity.extend(child.severity);
    let mut rules = base.rules;
    rules.extend(child.rules);
    let mut overrides: Vec<Override> = base
        .overrides
        .into_iter()
        .filter_map(|o| {
            let files = reanchor(o.files);
            (!files.is_empty()).then_some(Override { files, ..o })
        })
        .collect();
    overrides.extend(child.overrides);
    let mut models = base.models;
    models.extend(child.models);
    ConfigFile {
        extend: None,
        select: child.select.or(base.select),
        extend_select: base.extend_select.into_iter().chain(child.extend_select).collect(),
        ignore: base.ignore.into_iter().chain(child.ignore).collect(),
        exclude: reanchor(base.exclude).into_iter().chain(child.exclude).collect(),
        fail_on: child.fail_on.or(base.fail_on),
        max_file_size: child.max_file_size.or(base.max_file_size),
        max_call_depth: child.max_call_depth.or(base.max_call_depth),
        require_suppression_reason: child.require_suppression_reason || base.require_suppression_reason,
        severity,
        rules,
        overrides,
        models,
    }
}

/// The directory a search starts from: the path itself, or a file's directory (`.` for `a.ts`).
fn start_dir(start: &Path) -> Option<PathBuf> {
    let dir = if start.is_file() { start.parent()? } else { start };
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    dir.canonicalize().ok()
}

impl Config {
    pub fn load(path: Option<&Path>, root: PathBuf, cli: &CliOverrides) -> Result<Config, ConfigError> {
        let (file, source, root) = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| ConfigError(format!("{}: cannot read: {e}", path.display())))?;
                let file = parse(&text, &path.display().to_string())?;
                let dir = path.canonicalize().ok().and_then(|p| p.parent().map(Path::to_path_buf)).unwrap_or(root);
                let file = extended(file, path, &dir, 0)?;
                (file, Some(path.to_path_buf()), dir)
            }
            None => (ConfigFile::default(), None, root),
        };
        Config::from_file(file, source, root, cli)
    }

    pub fn from_file(file: ConfigFile, source: Option<PathBuf>, root: PathBuf, cli: &CliOverrides) -> Result<Config, ConfigError> {
        let fingerprint = format!("{file:?}|{cli:?}|{}", root.display());
        let origin = source.as_ref().map_or_else(|| "command line".to_string(), |p| p.display().to_string());
        let err = |what: String| ConfigError(format!("{origin}: {what}"));
        let max_call_depth = match file.max_call_depth {
            None => crate::flows::MAX_CALL_DEPTH,
            Some(depth @ 1..=32) => depth,
            Some(other) => return Err(err(format!("`max-call-depth` must be between 1 and 32, not {other}"))),
        };

        for (id, _) in file.rules.iter() {
            if rules::entry(id).is_none() {
                return Err(err(format!("unknown rule `{id}` in `[rules.{id}]`{}", suggestion(id))));
            }
        }
        let select = cli.select.clone().or(file.select.clone()).unwrap_or_else(|| vec!["security".into(), "hardening".into()]);
        let selected = expand(&select, &err, "select")?;
        let extended = expand(&file.extend_select, &err, "extend-select")?;
        let ignored = expand(&file.ignore, &err, "ignore")?;
        let cli_ignored = expand(&cli.ignore, &|what| ConfigError(format!("--ignore: {what}")), "--ignore")?;
        let severities = levels(&file.severity, &err, "severity")?;

        let mut configured = Vec::new();
        for entry in rules::REGISTRY {
            let meta = meta::get(entry.id).ok_or_else(|| err(format!("rule `{}` has no metadata (a bug in archlint)", entry.id)))?;
            let empty = RuleOptions::new();
            let options = file.rules.get(entry.id).unwrap_or(&empty);
            let check = (entry.build)(options).map_err(err)?;
            let on = (selected.contains(&entry.id) || extended.contains(&entry.id))
                && !ignored.contains(&entry.id)
                && !cli_ignored.contains(&entry.id);
            // `[severity]` changes the level of a selected rule; `off` turns it off.
            let level = if on { severities.get(entry.id).copied().unwrap_or(Some(meta.level)) } else { None };
            configured.push(ConfiguredRule { check, meta, level });
        }

        let user_knowledge = match file.models.is_empty() {
            true => None,
            false => Some(Box::new(Knowledge::with_user(&file.models, &origin).map_err(|e| err(e.message))?)),
        };
        let exclude = gitignore(&root, &file.exclude).map_err(|e| err(format!("exclude: {e}")))?;
        let mut overrides = Vec::new();
        for (index, item) in file.overrides.iter().enumerate() {
            let matcher = gitignore(&root, &item.files).map_err(|e| err(format!("overrides[{index}].files: {e}")))?;
            let mut levels_by_rule: BTreeMap<&'static str, Option<Level>> = BTreeMap::new();
            for id in expand(&item.select, &err, &format!("overrides[{index}].select"))? {
                levels_by_rule.insert(id, meta::get(id).map(|m| m.level));
            }
            for id in expand(&item.ignore, &err, &format!("overrides[{index}].ignore"))? {
                levels_by_rule.insert(id, None);
            }
            for (id, level) in levels(&item.severity, &err, &format!("overrides[{index}].severity"))? {
                levels_by_rule.insert(id, level);
            }
            overrides.push(CompiledOverride { matcher, levels: levels_by_rule });
        }

        Ok(Config {
            root,
            source,
            rules: configured,
            fail_on: cli.fail_on.or(file.fail_on).unwrap_or(Level::Warning),
            max_file_size: file.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
            max_call_depth,
            require_suppression_reason: file.require_suppression_reason,
            fingerprint,
            nested_projects: true,
            user_knowledge,
            exclude,
            overrides,
        })
    }

    pub fn is_excluded(&self, path: &Path, is_dir: bool) -> bool {
        path.starts_with(&self.root) && self.exclude.matched_path_or_any_parents(path, is_dir).is_ignore()
    }

    /// The level of each rule for one file, after per-path overrides (None = off).
    pub fn levels_for(&self, path: &Path) -> Vec<Option<Level>> {
        let mut levels: Vec<Option<Level>> = self.rules.iter().map(|r| r.level).collect();
        for item in &self.overrides {
            if !(path.starts_with(&self.root) && item.matcher.matched_path_or_any_parents(path, false).is_ignore()) {
                continue;
            }
            for (index, rule) in self.rules.iter().enumerate() {
                if let Some(level) = item.levels.get(rule.meta.id.as_str()) {
                    levels[index] = *level;
                }
            }
        }
        levels
    }

    /// The models in force: the built-in ones, and the configuration's own.
    pub fn knowledge(&self) -> &Knowledge {
        self.user_knowledge.as_deref().unwrap_or_else(|| Knowledge::builtin())
    }

    pub fn enabled_rules(&self) -> impl Iterator<Item = &ConfiguredRule> {
        self.rules.iter().filter(|r| r.level.is_some())
    }
}

pub fn parse(text: &str, origin: &str) -> Result<ConfigFile, ConfigError> {
    let file: ConfigFile = toml::from_str(text).map_err(|e| {
        // The line the error's span starts on (a span at the start of a line is on that line).
        let line = e.span().map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        let message = e.message().lines().next().unwrap_or("invalid configuration").to_string();
        match line {
            Some(line) => ConfigError(format!("{origin}:{line}: {message}")),
            None => ConfigError(format!("{origin}: {message}")),
        }
    })?;
    // The models' own checks (patterns, kinds, what an entry needs) point at the line too.
    if !file.models.is_empty() {
        Knowledge::with_user(&file.models, origin).map_err(|e| ConfigError(e.render(origin, text)))?;
    }
    Ok(file)
}

/// Tier names, `all`, and rule ids → the rule ids they stand for.
fn expand(items: &[String], err: &dyn Fn(String) -> ConfigError, key: &str) -> Result<Vec<&'static str>, ConfigError> {
    let mut ids = Vec::new();
    for item in items {
        if item == "all" {
            ids.extend(rules::REGISTRY.iter().map(|e| e.id));
        } else if let Some(tier) = Tier::parse(item) {
            ids.extend(rules::REGISTRY.iter().filter(|e| meta::get(e.id).is_some_and(|m| m.tier == tier)).map(|e| e.id));
        } else if let Some(entry) = rules::entry(item) {
            ids.push(entry.id);
        } else {
            return Err(err(format!("unknown rule or tier `{item}` in `{key}`{}", suggestion(item))));
        }
    }
    Ok(ids)
}

fn levels(
    map: &BTreeMap<String, String>,
    err: &dyn Fn(String) -> ConfigError,
    key: &str,
) -> Result<BTreeMap<&'static str, Option<Level>>, ConfigError> {
    let mut out = BTreeMap::new();
    for (id, value) in map {
        let Some(entry) = rules::entry(id) else {
            return Err(err(format!("unknown rule `{id}` in `[{key}]`{}", suggestion(id))));
        };
        let level = match value.as_str() {
            "off" => None,
            other => {
                Some(Level::parse(other).ok_or_else(|| err(format!("`{key}.{id}` must be error, warning, note or off, not `{other}`")))?)
            }
        };
        out.insert(entry.id, level);
    }
    Ok(out)
}

fn gitignore(root: &Path, patterns: &[String]) -> Result<ignore::gitignore::Gitignore, String> {
    let mut builder = ignore::gitignore::GitignoreBuilder::new(root);
    for pattern in patterns {
        builder.add_line(None, pattern).map_err(|e| e.to_string())?;
    }
    builder.build().map_err(|e| e.to_string())
}

/// ` (did you mean `x`?)` for a near-miss rule id.
/// ` (did you mean `plain-http-url`?)` for a near miss of a rule id or tier; empty otherwise.
pub(crate) fn suggestion(unknown: &str) -> String {
    let best = rules::REGISTRY
        .iter()
        .map(|e| e.id)
        .chain(["security", "hardening", "audit", "all"])
        .map(|candidate| (edit_distance(unknown, candidate), candidate))
        .min();
    match best {
        Some((distance, candidate)) if distance <= 3 => format!(" (did you mean `{candidate}`?)"),
        _ => String::new(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            current.push((previous[j] + usize::from(ca != *cb)).min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// The commented file `archlint init` writes.
pub const INIT_TEMPLATE: &str = r#"# archlint configuration. Every key is optional; unknown keys are errors.

# Which rules run: tiers (security, hardening, audit), rule ids, or "all".
# select = ["security", "hardening"]
# extend-select = ["audit"]
# ignore = []

# Paths never scanned (gitignore syntax, relative to this file). .gitignore, .ignore and
# .archlintignore are honoured too.
# exclude = ["legacy/**", "scripts/"]

# Exit with 1 when a finding is at or above this level: error, warning or note.
# fail-on = "warning"

# Files larger than this many bytes are skipped with a notice.
# max-file-size = 2097152

# How many calls deep request data is followed across functions and files (1 to 32).
# max-call-depth = 6

# Require a reason after `--` in every suppression comment.
# require-suppression-reason = false

# Per-rule level: error, warning, note or off.
# [severity]
# plain-http-url = "error"

# Per-rule options (see `archlint explain RULE`).
# [rules.plain-http-url]
# allowed-hosts = ["legacy-gateway.corp.example", "*.intranet.example"]

# Different rules for some paths.
# [[overrides]]
# files = ["scripts/**"]
# ignore = ["http-client-without-timeout"]

# Your own request wrappers, data layers and helpers, as sources, sinks and sanitizers
# (`archlint models` lists what is known; docs/models.md has the format).
# [[models.sinks]]
# language = "typescript"
# function = "Store.runSql"
# kind = "sql"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config, ConfigError> {
        let file = parse(text, "archlint.toml")?;
        Config::from_file(file, Some("archlint.toml".into()), PathBuf::from("/repo"), &CliOverrides::default())
    }

    fn level_of(config: &Config, id: &str) -> Option<Level> {
        config.rules.iter().find(|r| r.meta.id == id).unwrap().level
    }

    #[test]
    fn unknown_keys_name_the_key_and_file() {
        let error = load("selec = []").err().unwrap().0;
        assert!(error.starts_with("archlint.toml:1: unknown field `selec`"), "{error}");
    }

    #[test]
    fn unknown_rules_are_errors_with_suggestions() {
        let error = load("ignore = [\"plain-http-urls\"]").err().unwrap().0;
        assert_eq!(error, "archlint.toml: unknown rule or tier `plain-http-urls` in `ignore` (did you mean `plain-http-url`?)");
        assert!(load("[rules.nope]\nx = 1").is_err());
        assert!(load("[severity]\nnope = \"error\"").is_err());
    }

    #[test]
    fn unknown_rule_options_are_errors() {
        let error = load("[rules.plain-http-url]\nallowed-host = []").err().unwrap().0;
        assert!(error.contains("unknown option `rules.plain-http-url.allowed-host`"), "{error}");
        let error = load("[rules.plain-http-url]\nallowed-hosts = \"a\"").err().unwrap().0;
        assert!(error.contains("must be a list of strings"), "{error}");
    }

    #[test]
    fn select_ignore_and_severity() {
        let config = load("ignore = [\"ssrf\"]\n[severity]\nsql-injection = \"warning\"\ntls-verification-disabled = \"off\"").unwrap();
        assert_eq!(level_of(&config, "ssrf"), None);
        assert_eq!(level_of(&config, "sql-injection"), Some(Level::Warning));
        assert_eq!(level_of(&config, "tls-verification-disabled"), None);
        assert_eq!(level_of(&config, "http-client-without-timeout"), Some(Level::Warning));
    }

    #[test]
    fn overrides_apply_per_path() {
        let config = load("[[overrides]]\nfiles = [\"scripts/**\"]\nignore = [\"http-client-without-timeout\"]").unwrap();
        let index = config.rules.iter().position(|r| r.meta.id == "http-client-without-timeout").unwrap();
        assert_eq!(config.levels_for(Path::new("/repo/scripts/a.ts"))[index], None);
        assert_eq!(config.levels_for(Path::new("/repo/src/a.ts"))[index], Some(Level::Warning));
    }

    #[test]
    fn excludes_are_gitignore_patterns() {
        let config = load("exclude = [\"legacy/\"]").unwrap();
        assert!(config.is_excluded(Path::new("/repo/legacy/a.ts"), false));
        assert!(!config.is_excluded(Path::new("/repo/src/a.ts"), false));
    }

    #[test]
    fn init_template_is_valid_config() {
        // Every commented-out setting in the template, uncommented, must load.
        let uncommented: Vec<&str> = INIT_TEMPLATE
            .lines()
            .filter_map(|line| line.strip_prefix("# "))
            .filter(|line| line.contains(" = ") || line.starts_with('['))
            .collect();
        assert!(uncommented.len() > 8);
        let text = uncommented.join("\n");
        assert!(load(&text).is_ok(), "{text}");
    }

    #[test]
    fn a_configuration_extends_another_and_its_paths_are_re_anchored() {
        let base = parse(
            "ignore = [\"plain-http-url\"]\nfail-on = \"error\"\nexclude = [\"legacy/**\", \"*.gen.ts\", \"api/generated/**\"]\n[rules.plain-http-url]\nallowed-hosts = [\"a.io\"]\n",
            "archlint.toml",
        )
        .unwrap();
        let child = parse("extend = \"../archlint.toml\"\nextend-select = [\"audit\"]\nmax-call-depth = 3\n", "api/archlint.toml").unwrap();
        let merged = inherit(base, Path::new("/repo"), child, Path::new("/repo/api"));
        assert_eq!(merged.ignore, ["plain-http-url"]);
        assert_eq!(merged.extend_select, ["audit"]);
        assert_eq!(merged.fail_on, Some(Level::Error));
        assert_eq!(merged.max_call_depth, Some(3));
        assert_eq!(merged.exclude, ["*.gen.ts", "/generated/**"], "legacy/ is outside api/, generated/ inside it");
        assert!(merged.rules.contains_key("plain-http-url"));
    }
}
