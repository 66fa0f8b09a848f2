//! Which code serves requests. Rules about a service's behaviour under load (timeouts, blocking
//! the executor, queries in loops) say nothing useful about a build script, a migration, a
//! command-line client or a library's example: there one slow call stalls nobody. Code is
//! *tooling* when its path says so (`scripts/`, `migrations/`, `xtask/`, `examples/`, `build.rs`,
//! `*.config.js`) or its package says so:
//!
//! - Rust: the nearest `Cargo.toml` is a command-line program (it depends on an argument parser)
//!   or a crate of its workspace that only such programs use, and no server crate uses it;
//! - TypeScript/JavaScript: the nearest `package.json` declares a `bin` and depends on no server
//!   framework.
//!
//! Manifests are looked for between the file and the scan root only, so a directory scanned on
//! its own is judged by what it holds. Answers are cached per directory for the whole process.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Answers kept for the whole process, by directory and scan root.
type Memo<V> = OnceLock<Mutex<HashMap<(PathBuf, PathBuf), V>>>;

/// Whether a Rust file belongs to code that can see request data: a crate that depends on a web
/// framework, or a crate of its workspace that such a crate uses (a repository layer, a shared
/// library). A file with no `Cargo.toml` between it and the scan root is given the benefit of the
/// doubt. Request data is only followed across files where it can exist: elsewhere (a compiler,
/// a command-line tool) asking where every call's arguments come from would cost a fifth of the
/// scan and find nothing.
pub fn rust_serves_requests(abs_path: &Path, root: &Path) -> bool {
    let Some(dir) = abs_path.parent() else { return true };
    static SERVED: Memo<bool> = OnceLock::new();
    remembered(&SERVED, dir, root, || {
        dir.ancestors()
            .take_while(|ancestor| ancestor.starts_with(root))
            .find_map(|ancestor| read_toml(&ancestor.join("Cargo.toml")).filter(|m| m.get("package").is_some()).map(|m| (ancestor, m)))
            .is_none_or(|(crate_dir, manifest)| rust_crate_serves_requests(&manifest, crate_dir, root))
    })
}

/// The answer `memo` holds for (`dir`, `root`), computed by `compute` the first time it is asked
/// for (two threads asking at once may both compute it; they get the same answer).
fn remembered<V: Clone>(memo: &Memo<V>, dir: &Path, root: &Path, compute: impl FnOnce() -> V) -> V {
    let key = (dir.to_path_buf(), root.to_path_buf());
    let cache = memo.get_or_init(Mutex::default);
    if let Some(known) = cache.lock().expect("the role caches are never poisoned").get(&key) {
        return known.clone();
    }
    let answer = compute();
    cache.lock().expect("the role caches are never poisoned").insert(key, answer.clone());
    answer
}

/// The directory of the Cargo workspace a crate belongs to (at or above it, no higher than `root`).
fn enclosing_workspace<'d>(crate_dir: &'d Path, root: &Path) -> Option<&'d Path> {
    crate_dir
        .ancestors()
        .filter(|a| a.starts_with(root))
        .find(|a| read_toml(&a.join("Cargo.toml")).is_some_and(|m| m.get("workspace").is_some()))
}

fn rust_crate_serves_requests(manifest: &toml::Table, crate_dir: &Path, root: &Path) -> bool {
    if is_server(&rust_dependencies(manifest)) {
        return true;
    }
    let Some(name) = package_name(manifest) else { return true };
    let workspace = enclosing_workspace(crate_dir, root);
    let Some(workspace) = workspace else { return false };
    static SERVED_CRATES: Memo<Arc<HashSet<String>>> = OnceLock::new();
    let served = remembered(&SERVED_CRATES, workspace, root, || {
        let mut crates: HashMap<String, Vec<String>> = HashMap::new();
        collect_crates(workspace, 0, &mut crates);
        Arc::new(reached_from(&crates, is_server))
    });
    served.contains(&name)
}

/// The crates of a workspace (name → dependencies) that the crates `is_root` picks reach,
/// themselves included.
fn reached_from(crates: &HashMap<String, Vec<String>>, is_root: impl Fn(&[String]) -> bool) -> HashSet<String> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut frontier: Vec<String> = crates.iter().filter(|(_, deps)| is_root(deps)).map(|(n, _)| n.clone()).collect();
    while let Some(next) = frontier.pop() {
        if !seen.insert(next.clone()) {
            continue;
        }
        frontier.extend(crates.get(&next).into_iter().flatten().filter(|d| crates.contains_key(*d)).cloned());
    }
    seen
}

/// Crates whose presence makes a Rust crate a server.
const RUST_SERVERS: &[&str] = &[
    "axum",
    "actix-web",
    "rocket",
    "warp",
    "poem",
    "poem-openapi",
    "tonic",
    "tide",
    "salvo",
    "ntex",
    "lambda_http",
    "lambda_runtime",
    "hyper-util",
    "async-graphql-axum",
    "async-graphql-poem",
    "async-graphql-actix-web",
    "juniper_axum",
    "juniper_actix",
    "juniper_hyper",
    "juniper_warp",
    "tower-http",
];
/// Packages whose presence makes a JavaScript package a server.
const JS_SERVERS: &[&str] = &[
    "express",
    "koa",
    "fastify",
    "@nestjs/core",
    "@hapi/hapi",
    "hapi",
    "hono",
    "next",
    "restify",
    "@trpc/server",
    "apollo-server",
    "@apollo/server",
    "graphql-yoga",
    "@grpc/grpc-js",
    "micro",
    "polka",
    "h3",
];
/// Directories that hold tooling, whatever the package: scripts, migrations, build helpers, examples.
const TOOLING_DIRS: &[&str] =
    &["scripts", "script", "tools", "tooling", "xtask", "migrations", "migration", "seeds", "seeders", "examples", "example", "benches"];

/// Whether the path (relative to the scan root, `/`-separated) names tooling by convention.
pub fn is_tooling_path(rel_path: &str) -> bool {
    let lower = rel_path.to_ascii_lowercase();
    let mut parts: Vec<&str> = lower.split('/').collect();
    let Some(file) = parts.pop() else { return false };
    if file == "build.rs" || file.starts_with("gulpfile.") || file.starts_with("gruntfile.") {
        return true;
    }
    // A build script at the top of the scanned tree (`build.js`, `build.mjs`).
    if parts.is_empty() && file.starts_with("build.") {
        return true;
    }
    // `webpack.config.js`, `vite.config.ts`, `jest.config.mjs`.
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    if stem.ends_with(".config") {
        return true;
    }
    // A `cli` module of a crate or package that also serves (`src/cli/client.rs`): the
    // command-line side talking to the service, not the service.
    let command_line_module = parts.windows(2).any(|pair| pair == ["src", "cli"]);
    command_line_module || parts.iter().any(|dir| TOOLING_DIRS.contains(dir))
}

/// Whether the file at `abs_path` belongs to a package that is tooling (see the module
/// documentation), looking for manifests no higher than `root`.
pub fn is_tooling_package(abs_path: &Path, root: &Path) -> bool {
    let Some(dir) = abs_path.parent() else { return false };
    static TOOLING: Memo<bool> = OnceLock::new();
    remembered(&TOOLING, dir, root, || judge(dir, root))
}

fn judge(dir: &Path, root: &Path) -> bool {
    // The nearest manifest decides. What a directory's manifest says is kept, so the files of a
    // crate's many directories read its manifest once.
    static MANIFESTS: Memo<Option<bool>> = OnceLock::new();
    for ancestor in dir.ancestors() {
        if !ancestor.starts_with(root) {
            return false;
        }
        let answer = remembered(&MANIFESTS, ancestor, root, || manifest_answer(ancestor, root));
        if let Some(tooling) = answer {
            return tooling;
        }
    }
    false
}

/// What the manifest in `dir` says (tooling or not), or `None` when there is none.
fn manifest_answer(dir: &Path, root: &Path) -> Option<bool> {
    if let Some(manifest) = read_toml(&dir.join("Cargo.toml")).filter(|m| m.get("package").is_some()) {
        return Some(rust_crate_is_tooling(&manifest, dir, root));
    }
    let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
    let Ok(manifest) = serde_json::from_str::<serde_json::Value>(&text) else { return Some(false) };
    Some(manifest.get("bin").is_some() && !js_dependencies(&manifest).iter().any(|d| JS_SERVERS.contains(&d.as_str())))
}

/// UI frameworks: a package that depends on one and on no server framework is a browser app.
const JS_UI_FRAMEWORKS: &[&str] = &["react", "react-dom", "vue", "svelte", "@angular/core", "solid-js", "preact", "lit"];

/// Whether the file at `abs_path` belongs to a browser app: its nearest `package.json` (no
/// higher than `root`) depends on a UI framework and on no server framework (a Vue or React app
/// beside the service; Next.js and other full-stack packages count as servers).
pub fn is_browser_package(abs_path: &Path, root: &Path) -> bool {
    let Some(dir) = abs_path.parent() else { return false };
    static BROWSER: Memo<bool> = OnceLock::new();
    remembered(&BROWSER, dir, root, || {
        for ancestor in dir.ancestors().take_while(|a| a.starts_with(root)) {
            let Ok(text) = std::fs::read_to_string(ancestor.join("package.json")) else { continue };
            let Ok(manifest) = serde_json::from_str::<serde_json::Value>(&text) else { return false };
            let dependencies = js_dependencies(&manifest);
            let has = |names: &[&str]| dependencies.iter().any(|d| names.contains(&d.as_str()));
            return has(JS_UI_FRAMEWORKS) && !has(JS_SERVERS);
        }
        false
    })
}

pub(crate) fn read_toml(path: &Path) -> Option<toml::Table> {
    std::fs::read_to_string(path).ok()?.parse::<toml::Table>().ok()
}

/// The packages of the same repository that a JavaScript file's package depends on: the
/// dependencies its nearest `package.json` takes from the workspace (`"@acme/db": "workspace:*"`,
/// `file:`/`link:` paths, npm workspaces' `"*"`). Calls of their functions are followed across
/// files like calls of the package's own modules.
pub fn workspace_dependencies(abs_path: &Path, root: &Path) -> Arc<[String]> {
    let Some(dir) = abs_path.parent() else { return Arc::from([]) };
    static WORKSPACE: Memo<Arc<[String]>> = OnceLock::new();
    remembered(&WORKSPACE, dir, root, || {
        for ancestor in dir.ancestors().take_while(|a| a.starts_with(root)) {
            let Ok(text) = std::fs::read_to_string(ancestor.join("package.json")) else { continue };
            let Ok(manifest) = serde_json::from_str::<serde_json::Value>(&text) else { return Arc::from([]) };
            let mut names: Vec<String> = ["dependencies", "devDependencies", "peerDependencies"]
                .iter()
                .filter_map(|section| manifest.get(section)?.as_object())
                .flat_map(|deps| deps.iter())
                .filter(|(_, version)| {
                    version.as_str().is_some_and(|v| v == "*" || ["workspace:", "file:", "link:"].iter().any(|p| v.starts_with(p)))
                })
                .map(|(name, _)| name.clone())
                .collect();
            names.sort();
            names.dedup();
            return Arc::from(names);
        }
        Arc::from([])
    })
}

fn js_dependencies(manifest: &serde_json::Value) -> Vec<String> {
    ["dependencies", "peerDependencies"]
        .iter()
        .filter_map(|section| manifest.get(section)?.as_object())
        .flat_map(|deps| deps.keys().cloned())
        .collect()
}

/// The names of a crate's normal dependencies (`[dependencies]` and target-specific ones), with
/// `package = ".."` renames followed.
pub(crate) fn rust_dependencies(manifest: &toml::Table) -> Vec<String> {
    let mut tables: Vec<&toml::Table> = manifest.get("dependencies").and_then(|d| d.as_table()).into_iter().collect();
    if let Some(targets) = manifest.get("target").and_then(|t| t.as_table()) {
        tables.extend(targets.values().filter_map(|t| t.get("dependencies")?.as_table()));
    }
    tables
        .into_iter()
        .flat_map(|deps| deps.iter())
        .map(|(name, spec)| spec.get("package").and_then(|p| p.as_str()).unwrap_or(name).to_string())
        .collect()
}

pub(crate) fn package_name(manifest: &toml::Table) -> Option<String> {
    Some(manifest.get("package")?.get("name")?.as_str()?.to_string())
}

fn is_server(dependencies: &[String]) -> bool {
    dependencies.iter().any(|d| RUST_SERVERS.contains(&d.as_str()))
}

/// Whether a crate is tooling: a command-line program (it depends on an argument parser) or a
/// crate only such programs use, and no server crate of its workspace uses it. A crate that is
/// neither a server nor a command-line program (a library, a queue worker) is not judged tooling.
fn rust_crate_is_tooling(manifest: &toml::Table, crate_dir: &Path, root: &Path) -> bool {
    let dependencies = rust_dependencies(manifest);
    if is_server(&dependencies) {
        return false;
    }
    let Some(name) = package_name(manifest) else { return false };
    let workspace = enclosing_workspace(crate_dir, root);
    let Some(workspace) = workspace else { return is_cli(&dependencies) };
    // A workspace is read once per scan, however many of its directories hold files.
    static TOOLING_CRATES: Memo<Arc<HashSet<String>>> = OnceLock::new();
    let tooling = remembered(&TOOLING_CRATES, workspace, root, || Arc::new(tooling_crates(workspace)));
    tooling.contains(&name)
}

/// The crates of a workspace that are tooling: command-line programs and the crates only they
/// reach, less every crate a server crate reaches.
fn tooling_crates(workspace: &Path) -> HashSet<String> {
    // Every crate of the workspace: name → dependencies.
    let mut crates: HashMap<String, Vec<String>> = HashMap::new();
    collect_crates(workspace, 0, &mut crates);
    let servers = reached_from(&crates, is_server);
    let programs = reached_from(&crates, is_cli);
    programs.difference(&servers).cloned().collect()
}

/// Argument parsers: a crate that uses one is a command-line program.
fn is_cli(dependencies: &[String]) -> bool {
    dependencies.iter().any(|d| matches!(d.as_str(), "clap" | "argh" | "structopt" | "pico-args" | "lexopt" | "gumdrop" | "bpaf"))
}

/// The crates under `dir` (a few levels deep, skipping build output and hidden directories).
fn collect_crates(dir: &Path, depth: usize, crates: &mut HashMap<String, Vec<String>>) {
    if depth > 4 {
        return;
    }
    if let Some(manifest) = read_toml(&dir.join("Cargo.toml")) {
        if let Some(name) = package_name(&manifest) {
            crates.insert(name, rust_dependencies(&manifest));
        }
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut subdirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| !n.starts_with('.') && n != "target" && n != "node_modules"))
        .collect();
    subdirs.sort();
    for sub in subdirs {
        collect_crates(&sub, depth + 1, crates);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, text: &str) {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn rust_code_serves_requests_in_server_crates_and_the_crates_they_use() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "Cargo.toml", "[workspace]\nmembers = [\"api\", \"store\", \"cli\", \"lint\"]\n");
        write(root, "api/Cargo.toml", "[package]\nname = \"api\"\n[dependencies]\naxum = \"0.7\"\nstore = { path = \"../store\" }\n");
        write(root, "store/Cargo.toml", "[package]\nname = \"store\"\n");
        write(root, "cli/Cargo.toml", "[package]\nname = \"cli\"\n[dependencies]\nclap = \"4\"\nstore = { path = \"../store\" }\n");
        write(root, "lint/Cargo.toml", "[package]\nname = \"lint\"\n");
        let file = |krate: &str| root.join(krate).join("src/lib.rs");
        assert!(rust_serves_requests(&file("api"), root));
        assert!(rust_serves_requests(&file("store"), root), "the server uses it");
        assert!(!rust_serves_requests(&file("cli"), root));
        assert!(!rust_serves_requests(&file("lint"), root), "no server reaches it");
        let lone = tempfile::tempdir().unwrap();
        assert!(rust_serves_requests(&lone.path().join("src/main.rs"), lone.path()), "no manifest: not known not to");
    }

    #[test]
    fn tooling_paths() {
        for path in [
            "scripts/release.js",
            "server/migrations/2020-add.js",
            "xtask/src/main.rs",
            "build.rs",
            "build.js",
            "webpack.config.js",
            "examples/sqlite/src/main.rs",
            "src/cli/client.rs",
            "daemon/src/cli/commands/login.ts",
        ] {
            assert!(is_tooling_path(path), "{path}");
        }
        for path in [
            "src/routes/users.ts",
            "src/script_runner.rs",
            "crates/server/src/config.rs",
            "src/example_data.rs",
            "src/build.ts",
            // a crate named `cli` (its own `src/`), or a module named for it elsewhere
            "src/app/cli/src/server.rs",
            "src/routes/cli.ts",
            "crates/cli/src/api.rs",
        ] {
            assert!(!is_tooling_path(path), "{path}");
        }
    }

    #[test]
    fn rust_crates_serve_when_a_server_crate_reaches_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
        write(
            root,
            "crates/server/Cargo.toml",
            "[package]\nname = \"app-server\"\n[dependencies]\naxum = \"0.7\"\napp-core = { path = \"../core\" }\n",
        );
        write(root, "crates/core/Cargo.toml", "[package]\nname = \"app-core\"\n[dependencies]\nreqwest = \"0.12\"\n");
        write(
            root,
            "crates/renamed/Cargo.toml",
            "[package]\nname = \"app-web\"\n[dependencies]\nweb = { package = \"actix-web\", version = \"4\" }\n",
        );
        write(root, "crates/client/Cargo.toml", "[package]\nname = \"app-client\"\n[dependencies]\nreqwest = \"0.12\"\n");
        write(root, "crates/cli/Cargo.toml", "[package]\nname = \"app-cli\"\n[dependencies]\nclap = \"4\"\napp-core = { path = \"../core\" }\napp-client = { path = \"../client\" }\n");
        write(root, "crates/worker/Cargo.toml", "[package]\nname = \"app-worker\"\n[dependencies]\nreqwest = \"0.12\"\n");
        let file = |krate: &str| root.join(format!("crates/{krate}/src/lib.rs"));
        assert!(!is_tooling_package(&file("server"), root));
        assert!(!is_tooling_package(&file("core"), root), "the server uses it, whoever else does");
        assert!(is_tooling_package(&file("cli"), root), "a command-line program");
        assert!(is_tooling_package(&file("client"), root), "only the command-line program uses it");
        assert!(!is_tooling_package(&file("worker"), root), "neither a server nor a program: not judged");
        assert!(!is_tooling_package(&file("renamed"), root), "a renamed dependency is still actix-web");
    }

    #[test]
    fn js_packages_with_a_bin_and_no_server_are_tooling() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "packages/cli/package.json", r#"{"name":"app-cli","bin":{"app":"dist/cli.js"},"dependencies":{"commander":"12"}}"#);
        write(root, "packages/api/package.json", r#"{"name":"app-api","bin":"dist/serve.js","dependencies":{"express":"4"}}"#);
        write(root, "packages/lib/package.json", r#"{"name":"app-lib","dependencies":{"axios":"1"}}"#);
        assert!(is_tooling_package(&root.join("packages/cli/src/index.ts"), root));
        assert!(!is_tooling_package(&root.join("packages/api/src/index.ts"), root));
        assert!(!is_tooling_package(&root.join("packages/lib/src/index.ts"), root));
        // Above the scan root nothing is read.
        assert!(!is_tooling_package(&root.join("packages/cli/src/index.ts"), &root.join("packages/cli/src")));
    }
}
