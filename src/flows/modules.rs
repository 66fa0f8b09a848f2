//! Which file a module name means: TypeScript import specifiers (relative, `index` files,
//! `.js` written for `.ts`, `tsconfig.json` `paths` and `baseUrl`, with `extends`) and the Rust
//! module tree (a file's module path from its place under its crate's `src/`, the crate's name
//! from its `Cargo.toml`).

use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Extensions tried, in order, after a specifier that names no file as written.
const TS_SUFFIXES: &[&str] =
    &["", ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", "/index.ts", "/index.tsx", "/index.js", "/index.jsx", "/index.mjs"];

/// How many `extends` a tsconfig may chain.
const MAX_EXTENDS: usize = 8;

/// Resolves TypeScript module specifiers to the scanned files they name.
pub struct TsModules<'a> {
    files: HashSet<&'a str>,
    root: &'a Path,
    /// The path aliases in force in each directory, by directory (repository-relative).
    aliases: std::cell::RefCell<HashMap<String, std::rc::Rc<Aliases>>>,
    /// The repository's own packages by name: their directory and `package.json` (read when a
    /// specifier first names one).
    packages: std::cell::OnceCell<HashMap<String, (String, serde_json::Value)>>,
}

/// `compilerOptions.baseUrl` and `paths` of the tsconfig in force, as repository-relative paths.
#[derive(Debug, Default, PartialEq)]
struct Aliases {
    base_url: Option<String>,
    /// (`@/*`, [`src/*`]): patterns with at most one `*`, targets relative to the repository.
    paths: Vec<(String, Vec<String>)>,
}

impl<'a> TsModules<'a> {
    pub fn new(files: impl IntoIterator<Item = &'a str>, root: &'a Path) -> TsModules<'a> {
        TsModules { files: files.into_iter().collect(), root, aliases: Default::default(), packages: Default::default() }
    }

    /// The scanned file that `specifier`, imported from `importer`, names.
    pub fn resolve(&self, importer: &str, specifier: &str) -> Option<String> {
        let directory = parent(importer);
        let bases: Vec<String> = if specifier.starts_with("./") || specifier.starts_with("../") || specifier == "." || specifier == ".." {
            vec![normalize(&join(directory, specifier))?]
        } else {
            let mut bases = self.aliases_for(directory).expand(specifier);
            bases.extend(self.package_entries(specifier));
            bases
        };
        bases.iter().find_map(|base| self.existing(base))
    }

    /// The files a specifier naming one of the repository's packages may stand for
    /// (`@acme/db/queries`): what its `exports` map the subpath to, or its `types`/`module`/`main`,
    /// then the subpath under the package and its `src/`. Built output (`dist/..js`) is looked
    /// for as its `src/..ts`.
    fn package_entries(&self, specifier: &str) -> Vec<String> {
        let name = crate::text::package_name(specifier);
        let Some((directory, manifest)) = self.packages().get(name) else { return Vec::new() };
        let subpath = specifier[name.len()..].trim_start_matches('/');
        let key = if subpath.is_empty() { ".".to_string() } else { format!("./{subpath}") };
        let mut targets = Vec::new();
        match manifest.get("exports") {
            Some(serde_json::Value::String(target)) if subpath.is_empty() => targets.push(target.clone()),
            Some(serde_json::Value::Object(map)) if map.keys().any(|k| k.starts_with('.')) => {
                if let Some(entry) = map.get(&key) {
                    string_leaves(entry, 0, &mut targets);
                }
            }
            Some(conditions @ serde_json::Value::Object(_)) if subpath.is_empty() => string_leaves(conditions, 0, &mut targets),
            _ => {}
        }
        if subpath.is_empty() {
            targets.extend(["types", "module", "main"].iter().filter_map(|field| manifest.get(*field)?.as_str().map(str::to_string)));
            targets.extend(["src/index".to_string(), "index".to_string()]);
        } else {
            targets.extend([subpath.to_string(), format!("src/{subpath}")]);
        }
        let mut bases = Vec::new();
        for target in targets {
            let target = target.trim_start_matches("./");
            let target = target.strip_suffix(".d.ts").unwrap_or(target);
            bases.extend(normalize(&join(directory, target)));
            if let Some(rest) = target.strip_prefix("dist/").or_else(|| target.strip_prefix("build/")) {
                bases.extend(normalize(&join(directory, &format!("src/{rest}"))));
            }
        }
        bases
    }

    /// The repository's packages: every `package.json` at or above a scanned file, by its name.
    fn packages(&self) -> &HashMap<String, (String, serde_json::Value)> {
        self.packages.get_or_init(|| {
            let mut directories: HashSet<&str> = HashSet::new();
            for file in &self.files {
                let mut directory = parent(file);
                while directories.insert(directory) && !directory.is_empty() {
                    directory = parent(directory);
                }
            }
            let mut packages = HashMap::new();
            for directory in directories {
                let Ok(text) = std::fs::read_to_string(self.root.join(join(directory, "package.json"))) else { continue };
                let Ok(manifest) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
                if let Some(name) = manifest.get("name").and_then(|n| n.as_str()) {
                    packages.insert(name.to_string(), (directory.to_string(), manifest.clone()));
                }
            }
            packages
        })
    }

    fn existing(&self, base: &str) -> Option<String> {
        let mut stems = vec![base.to_string()];
        // ES modules in TypeScript import `./x.js` for `./x.ts`.
        stems.extend([".js", ".jsx", ".mjs", ".cjs"].iter().filter_map(|written| base.strip_suffix(written)).map(str::to_string));
        for stem in &stems {
            for suffix in TS_SUFFIXES {
                let candidate = format!("{stem}{suffix}");
                if self.files.contains(candidate.as_str()) {
                    return Some(candidate);
                }
            }
        }
        None
    }

    /// The aliases of the nearest `tsconfig.json` (or `jsconfig.json`) at or above `directory`.
    fn aliases_for(&self, directory: &str) -> std::rc::Rc<Aliases> {
        if let Some(known) = self.aliases.borrow().get(directory) {
            return known.clone();
        }
        let found = ["tsconfig.json", "jsconfig.json"]
            .iter()
            .find_map(|name| {
                let candidate = join(directory, name);
                self.root.join(&candidate).is_file().then(|| read_aliases(self.root, &candidate, 0))
            })
            .map(std::rc::Rc::new);
        let aliases = match found {
            Some(aliases) => aliases,
            None if directory.is_empty() => std::rc::Rc::new(Aliases::default()),
            None => self.aliases_for(parent(directory)),
        };
        self.aliases.borrow_mut().insert(directory.to_string(), aliases.clone());
        aliases
    }
}

impl Aliases {
    /// The repository-relative paths a bare specifier may stand for.
    fn expand(&self, specifier: &str) -> Vec<String> {
        let mut bases = Vec::new();
        for (pattern, targets) in &self.paths {
            let captured = match pattern.split_once('*') {
                Some((head, tail)) => specifier
                    .strip_prefix(head)
                    .and_then(|rest| rest.strip_suffix(tail))
                    .filter(|_| specifier.len() >= head.len() + tail.len()),
                None => (specifier == pattern).then_some(""),
            };
            let Some(captured) = captured else { continue };
            bases.extend(targets.iter().filter_map(|target| normalize(&target.replacen('*', captured, 1))));
        }
        if let Some(base) = &self.base_url {
            bases.extend(normalize(&join(base, specifier)));
        }
        bases
    }
}

/// Reads `compilerOptions.baseUrl`/`paths` of a tsconfig, following `extends` (a relative path;
/// packages are not looked for in `node_modules`). Paths become repository-relative.
fn read_aliases(root: &Path, tsconfig: &str, depth: usize) -> Aliases {
    let Ok(text) = std::fs::read_to_string(root.join(tsconfig)) else { return Aliases::default() };
    let Ok(value) = serde_json::from_str::<serde_json::Value>(&strip_jsonc(&text)) else { return Aliases::default() };
    let directory = parent(tsconfig);
    let mut aliases = match value.get("extends").and_then(|e| e.as_str()) {
        Some(extended) if depth < MAX_EXTENDS && extended.starts_with('.') => {
            let extended = if extended.ends_with(".json") { extended.to_string() } else { format!("{extended}.json") };
            normalize(&join(directory, &extended)).map(|path| read_aliases(root, &path, depth + 1)).unwrap_or_default()
        }
        _ => Aliases::default(),
    };
    let options = value.get("compilerOptions");
    let base_url = options.and_then(|o| o.get("baseUrl")).and_then(|b| b.as_str()).and_then(|b| normalize(&join(directory, b)));
    let paths = options.and_then(|o| o.get("paths")).and_then(|p| p.as_object());
    if let Some(paths) = paths {
        // Targets are relative to `baseUrl`, or to the tsconfig that declares them.
        let relative_to = base_url.clone().unwrap_or_else(|| directory.to_string());
        aliases.paths = paths
            .iter()
            .map(|(pattern, targets)| {
                let targets = targets.as_array().map(|t| t.iter().filter_map(|t| t.as_str()).map(|t| join(&relative_to, t)).collect());
                (pattern.clone(), targets.unwrap_or_default())
            })
            .collect();
    }
    if base_url.is_some() {
        aliases.base_url = base_url;
    }
    aliases
}

/// JSON with comments and trailing commas (what tsconfig files are) as plain JSON.
fn strip_jsonc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => out.extend(chars.next()),
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for skipped in chars.by_ref() {
                    if skipped == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut last = ' ';
                for skipped in chars.by_ref() {
                    if last == '*' && skipped == '/' {
                        break;
                    }
                    last = skipped;
                }
            }
            (',', _) => {
                // A comma followed (past whitespace and comments) by a closing bracket is dropped.
                let rest: String = chars.clone().collect();
                let next = strip_leading_trivia(&rest);
                if !(next.starts_with('}') || next.starts_with(']')) {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn strip_leading_trivia(mut text: &str) -> &str {
    loop {
        text = text.trim_start();
        if let Some(rest) = text.strip_prefix("//") {
            text = rest.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(rest) = text.strip_prefix("/*") {
            text = rest.split_once("*/").map_or("", |(_, after)| after);
        } else {
            return text;
        }
    }
}

/// The strings of an `exports` entry, through its conditions (`{ "types": .., "import": .. }`).
fn string_leaves(value: &serde_json::Value, depth: usize, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Object(map) if depth < 4 => map.values().for_each(|v| string_leaves(v, depth + 1, out)),
        serde_json::Value::Array(items) if depth < 4 => items.iter().for_each(|v| string_leaves(v, depth + 1, out)),
        _ => {}
    }
}

/// The directory of a repository-relative path (`""` for the root).
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(directory, _)| directory)
}

fn join(directory: &str, path: &str) -> String {
    if directory.is_empty() {
        path.to_string()
    } else {
        format!("{directory}/{path}")
    }
}

/// `a/./b/../c` → `a/c`; `None` when it climbs above the repository.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// The Rust module each scanned `.rs` file is, and the crates of the project.
pub struct RustModules {
    /// File → module path, starting with the crate's name (`shop::repo::notes`).
    modules: HashMap<String, String>,
    crates: HashSet<String>,
    /// Module paths that exist (for telling a child module from a crate's name).
    known: HashSet<String>,
}

impl RustModules {
    pub fn new<'p>(files: impl IntoIterator<Item = &'p str>, root: &Path) -> RustModules {
        let mut modules = HashMap::new();
        let mut crate_names: HashMap<String, Option<String>> = HashMap::new();
        for file in files {
            let Some((crate_dir, name)) = crate_of(root, file, &mut crate_names) else { continue };
            let inside = file.strip_prefix(&crate_dir).unwrap_or(file).trim_start_matches('/');
            let Some(segments) = module_segments(inside) else { continue };
            let path = std::iter::once(name.as_str()).chain(segments.iter().map(String::as_str)).collect::<Vec<_>>().join("::");
            modules.insert(file.to_string(), path);
        }
        let crates = crate_names.values().flatten().cloned().collect();
        let mut known = HashSet::new();
        for path in modules.values() {
            let mut prefix = String::new();
            for segment in path.split("::") {
                prefix = if prefix.is_empty() { segment.to_string() } else { format!("{prefix}::{segment}") };
                known.insert(prefix.clone());
            }
        }
        RustModules { modules, crates, known }
    }

    pub fn module_of(&self, file: &str) -> Option<&str> {
        self.modules.get(file).map(String::as_str)
    }

    /// The full paths `segments`, written in `file`, may name.
    pub fn resolve(&self, file: &str, segments: &[String]) -> Vec<String> {
        let Some(module) = self.module_of(file) else { return Vec::new() };
        let krate = module.split("::").next().unwrap_or(module);
        let mut current: Vec<&str> = module.split("::").collect();
        let Some(first) = segments.first() else { return Vec::new() };
        let rest = |from: usize| segments[from..].iter().map(String::as_str).collect::<Vec<_>>();
        let path = |prefix: &[&str], tail: Vec<&str>| prefix.iter().copied().chain(tail).collect::<Vec<_>>().join("::");
        match first.as_str() {
            "crate" => vec![path(&[krate], rest(1))],
            "self" => vec![path(&current, rest(1))],
            "super" => {
                let mut index = 0;
                while segments.get(index).is_some_and(|s| s == "super") {
                    if current.len() <= 1 {
                        return Vec::new();
                    }
                    current.pop();
                    index += 1;
                }
                vec![path(&current, rest(index))]
            }
            name => {
                let within = path(&current, rest(0));
                let child = format!("{}::{name}", current.join("::"));
                if segments.len() > 1 && !self.known.contains(&child) && self.crates.contains(name) {
                    return vec![rest(0).join("::")];
                }
                let mut candidates = vec![within];
                // A module declared at the crate root, named from below it (`mod` in main.rs).
                if segments.len() > 1 && self.known.contains(&format!("{krate}::{name}")) && current.len() > 1 {
                    candidates.push(path(&[krate], rest(0)));
                }
                candidates
            }
        }
    }
}

/// The crate directory (repository-relative) and crate name of a `.rs` file: the nearest
/// `Cargo.toml` with a `[package]` at or above it.
fn crate_of(root: &Path, file: &str, names: &mut HashMap<String, Option<String>>) -> Option<(String, String)> {
    let mut directory = parent(file);
    loop {
        let name = names
            .entry(directory.to_string())
            .or_insert_with(|| {
                let text = std::fs::read_to_string(root.join(join(directory, "Cargo.toml"))).ok()?;
                let manifest: toml::Table = text.parse().ok()?;
                let lib_name = manifest.get("lib").and_then(|l| l.get("name")).and_then(|n| n.as_str());
                let package = manifest.get("package").and_then(|p| p.get("name")).and_then(|n| n.as_str());
                lib_name.or(package).map(|n| n.replace('-', "_"))
            })
            .clone();
        if let Some(name) = name {
            return Some((directory.to_string(), name));
        }
        if directory.is_empty() {
            return None;
        }
        directory = parent(directory);
    }
}

/// The module path of a file inside its crate: `src/lib.rs` → `[]`, `src/repo/notes.rs` →
/// `[repo, notes]`, `src/repo/mod.rs` → `[repo]`; `None` outside `src/` (tests, examples).
fn module_segments(inside: &str) -> Option<Vec<String>> {
    let under_src = inside.strip_prefix("src/")?;
    let stem = under_src.strip_suffix(".rs")?;
    if matches!(stem, "lib" | "main") || stem.starts_with("bin/") {
        return Some(Vec::new());
    }
    let mut segments: Vec<String> = stem.split('/').map(str::to_string).collect();
    if segments.last().is_some_and(|s| s == "mod") {
        segments.pop();
    }
    Some(segments)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_specifiers_extensions_and_index_files() {
        let root = Path::new("/nonexistent");
        let files = ["api/src/routes.ts", "api/src/services/reports.ts", "api/src/lib/index.ts", "api/src/db.js"];
        let modules = TsModules::new(files, root);
        assert_eq!(modules.resolve("api/src/routes.ts", "./services/reports").as_deref(), Some("api/src/services/reports.ts"));
        assert_eq!(modules.resolve("api/src/routes.ts", "./services/reports.js").as_deref(), Some("api/src/services/reports.ts"));
        assert_eq!(modules.resolve("api/src/services/reports.ts", "../lib").as_deref(), Some("api/src/lib/index.ts"));
        assert_eq!(modules.resolve("api/src/services/reports.ts", "../db").as_deref(), Some("api/src/db.js"));
        assert_eq!(modules.resolve("api/src/routes.ts", "./services/missing"), None);
        assert_eq!(modules.resolve("api/src/routes.ts", "express"), None, "a package is not a project file");
        assert_eq!(modules.resolve("a.ts", "../../x"), None, "above the repository");
    }

    #[test]
    fn tsconfig_paths_base_url_and_extends_with_comments() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("web/src/lib")).unwrap();
        std::fs::write(
            root.join("tsconfig.base.json"),
            "{ // shared\n \"compilerOptions\": { \"baseUrl\": \"web\", \"paths\": { \"@/*\": [\"./src/*\",], }, }, }",
        )
        .unwrap();
        std::fs::write(root.join("web/tsconfig.json"), "{ \"extends\": \"../tsconfig.base\", /* own */ \"include\": [\"src\"] }").unwrap();
        let files = ["web/src/app.ts", "web/src/lib/db.ts", "web/lib/util.ts"];
        let modules = TsModules::new(files, root);
        assert_eq!(modules.resolve("web/src/app.ts", "@/lib/db").as_deref(), Some("web/src/lib/db.ts"));
        assert_eq!(modules.resolve("web/src/app.ts", "lib/util").as_deref(), Some("web/lib/util.ts"), "from baseUrl");
        assert_eq!(modules.resolve("web/src/app.ts", "@/lib/none"), None);
    }

    #[test]
    fn jsonc_comments_and_trailing_commas_only_outside_strings() {
        let text = "{\"a\": \"http://x//y\", // c\n \"b\": [1, 2, /* c */ ], }";
        let value: serde_json::Value = serde_json::from_str(&strip_jsonc(text)).unwrap();
        assert_eq!(value["a"], "http://x//y");
        assert_eq!(value["b"], serde_json::json!([1, 2]));
    }

    #[test]
    fn rust_module_paths_and_resolution() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("shop/src/repo")).unwrap();
        std::fs::create_dir_all(root.join("common/src")).unwrap();
        std::fs::write(root.join("shop/Cargo.toml"), "[package]\nname = \"shop-api\"\n").unwrap();
        std::fs::write(root.join("common/Cargo.toml"), "[package]\nname = \"common\"\n").unwrap();
        let files = [
            "shop/src/main.rs",
            "shop/src/repo/mod.rs",
            "shop/src/repo/notes.rs",
            "shop/src/routes.rs",
            "common/src/lib.rs",
            "shop/tests/t.rs",
        ];
        let modules = RustModules::new(files, root);
        assert_eq!(modules.module_of("shop/src/repo/notes.rs"), Some("shop_api::repo::notes"));
        assert_eq!(modules.module_of("shop/src/repo/mod.rs"), Some("shop_api::repo"));
        assert_eq!(modules.module_of("shop/src/main.rs"), Some("shop_api"));
        assert_eq!(modules.module_of("shop/tests/t.rs"), None);
        let segments = |path: &str| path.split("::").map(str::to_string).collect::<Vec<_>>();
        let from_routes = |path: &str| modules.resolve("shop/src/routes.rs", &segments(path));
        assert_eq!(from_routes("crate::repo::notes::by_tag"), vec!["shop_api::repo::notes::by_tag"]);
        assert_eq!(from_routes("super::repo::notes::by_tag"), vec!["shop_api::repo::notes::by_tag"]);
        assert_eq!(from_routes("self::helper"), vec!["shop_api::routes::helper"]);
        assert_eq!(from_routes("helper"), vec!["shop_api::routes::helper"]);
        assert!(from_routes("repo::notes::by_tag").contains(&"shop_api::repo::notes::by_tag".to_string()), "a root module");
        assert_eq!(from_routes("common::files::read"), vec!["common::files::read"], "a workspace crate");
        assert_eq!(modules.resolve("shop/src/repo/notes.rs", &segments("super::super::x")), vec!["shop_api::x"]);
        assert_eq!(from_routes("super::super::x"), Vec::<String>::new(), "above the crate");
    }
}
