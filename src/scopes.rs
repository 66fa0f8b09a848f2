//! Which files' facts answer which files' findings. A fact is what one file establishes for the
//! project ("a global `ValidationPipe` is installed", "a Hono handler reads a body"), and a
//! finding of another file may need it or be withdrawn by it. In a repository that holds several
//! services, a fact of one says nothing of another: the workers server of a monorepo is not
//! limited by the body limit of its web server, nor does a body read by the web server make the
//! workers' routes read bodies.
//!
//! A file belongs to a *package*: the directory of the nearest `package.json`, or of the nearest
//! `Cargo.toml` with a `[package]`, at or below the scan root. Two files are in scope of each other
//! when either has no package, they share a package, one package lies inside the other (a
//! monorepo's root package holds its shared code), or one package depends on the other,
//! directly or through others of the repository (the service and the libraries it is built
//! from, both ways: a library's routes are guarded by the service that mounts them). Two services
//! that merely share a library are not in scope of each other.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

/// The packages of a set of files, and the dependencies among them.
pub struct Scopes {
    /// Each file's package (an index into `packages`), by the file's path relative to the root.
    package_of: HashMap<String, Option<usize>>,
    /// Package directories, relative to the root (`""` for the root itself).
    packages: Vec<String>,
    /// `related[a]`: the packages in scope of package `a` (itself included).
    related: Vec<HashSet<usize>>,
}

impl Scopes {
    /// The scopes of `files` (paths relative to `root`, `/`-separated).
    pub fn new<'p>(root: &Path, files: impl IntoIterator<Item = &'p str>) -> Scopes {
        let mut packages: Vec<String> = Vec::new();
        let mut manifests: Vec<Manifest> = Vec::new();
        let mut index_of_dir: HashMap<String, Option<usize>> = HashMap::new();
        let mut package_of = HashMap::new();
        for file in files {
            let package = package_dir(root, file, &mut index_of_dir, &mut packages, &mut manifests);
            package_of.insert(file.to_string(), package);
        }
        let by_name: HashMap<&str, usize> = manifests.iter().enumerate().filter_map(|(i, m)| Some((m.name.as_deref()?, i))).collect();
        let depends: Vec<Vec<usize>> = manifests
            .iter()
            .enumerate()
            .map(|(i, m)| m.dependencies.iter().filter_map(|d| by_name.get(d.as_str()).copied()).filter(|&d| d != i).collect())
            .collect();
        let reaches: Vec<HashSet<usize>> = (0..packages.len()).map(|a| reach(a, &depends)).collect();
        let related = (0..packages.len())
            .map(|a| {
                let mut scope = reaches[a].clone();
                scope.extend((0..packages.len()).filter(|&b| reaches[b].contains(&a)));
                scope.extend((0..packages.len()).filter(|&b| contains(&packages[a], &packages[b]) || contains(&packages[b], &packages[a])));
                scope
            })
            .collect();
        Scopes { package_of, packages, related }
    }

    /// Whether the facts of file `from` answer the findings of file `to`.
    pub fn in_scope(&self, to: &str, from: &str) -> bool {
        match (self.package(to), self.package(from)) {
            (Some(a), Some(b)) => self.related[a].contains(&b),
            _ => true,
        }
    }

    fn package(&self, file: &str) -> Option<usize> {
        self.package_of.get(file).copied().flatten()
    }

    /// How many packages the files belong to.
    pub fn package_count(&self) -> usize {
        self.packages.len()
    }
}

/// Facts gathered per package, handed out per file as the facts in its scope.
pub struct ScopedFacts<'s, F> {
    scopes: &'s Scopes,
    /// Facts of files that belong to no package: in scope of every file.
    everywhere: BTreeSet<F>,
    by_package: HashMap<usize, BTreeSet<F>>,
    /// The answers of [`ScopedFacts::for_file`], by package (`None`: a file of no package).
    answers: HashMap<Option<usize>, BTreeSet<F>>,
}

impl<'s, F: Ord + Clone> ScopedFacts<'s, F> {
    /// `everywhere`: facts in scope of every file (what the manifests say, facts from outside).
    pub fn new<'f>(scopes: &'s Scopes, files: impl IntoIterator<Item = (&'f str, &'f [F])>, everywhere: BTreeSet<F>) -> Self
    where
        F: 'f,
    {
        let mut scoped = ScopedFacts { scopes, everywhere, by_package: HashMap::new(), answers: HashMap::new() };
        for (file, facts) in files {
            match scopes.package(file) {
                Some(package) => scoped.by_package.entry(package).or_default().extend(facts.iter().cloned()),
                None => scoped.everywhere.extend(facts.iter().cloned()),
            }
        }
        scoped
    }

    /// The facts in scope of `file`.
    pub fn for_file(&mut self, file: &str) -> &BTreeSet<F> {
        let package = self.scopes.package(file);
        let (scopes, everywhere, by_package) = (self.scopes, &self.everywhere, &self.by_package);
        self.answers.entry(package).or_insert_with(|| {
            let mut facts = everywhere.clone();
            for (other, found) in by_package {
                if package.is_none_or(|package| scopes.related[package].contains(other)) {
                    facts.extend(found.iter().cloned());
                }
            }
            facts
        })
    }
}

struct Manifest {
    name: Option<String>,
    dependencies: Vec<String>,
}

/// The package of `file`: the nearest directory at or above it, no higher than `root`, with a
/// `package.json` or a `Cargo.toml` that has a `[package]`. Directories are looked at once.
fn package_dir(
    root: &Path,
    file: &str,
    index_of_dir: &mut HashMap<String, Option<usize>>,
    packages: &mut Vec<String>,
    manifests: &mut Vec<Manifest>,
) -> Option<usize> {
    let mut walked = Vec::new();
    let mut dir = parent(file);
    let found = loop {
        if let Some(known) = index_of_dir.get(dir) {
            break *known;
        }
        walked.push(dir.to_string());
        if let Some(manifest) = read_manifest(&root.join(dir)) {
            packages.push(dir.to_string());
            manifests.push(manifest);
            break Some(packages.len() - 1);
        }
        if dir.is_empty() {
            break None;
        }
        dir = parent(dir);
    };
    for dir in walked {
        index_of_dir.insert(dir, found);
    }
    found
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// What a package's manifest says of its name and dependencies, when the directory has one.
fn read_manifest(dir: &Path) -> Option<Manifest> {
    if let Some(cargo) = crate::roles::read_toml(&dir.join("Cargo.toml")).filter(|m| m.get("package").is_some()) {
        return Some(Manifest { name: crate::roles::package_name(&cargo), dependencies: crate::roles::rust_dependencies(&cargo) });
    }
    let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let dependencies = ["dependencies", "devDependencies", "peerDependencies"]
        .iter()
        .filter_map(|section| manifest.get(section)?.as_object())
        .flat_map(|deps| deps.keys().cloned())
        .collect();
    Some(Manifest { name: manifest.get("name").and_then(|n| n.as_str()).map(str::to_string), dependencies })
}

/// The packages `start` depends on, through any number of others, and itself.
fn reach(start: usize, depends: &[Vec<usize>]) -> HashSet<usize> {
    let mut seen = HashSet::from([start]);
    let mut stack = vec![start];
    while let Some(package) = stack.pop() {
        for &next in &depends[package] {
            if seen.insert(next) {
                stack.push(next);
            }
        }
    }
    seen
}

/// Whether directory `outer` contains directory `inner` (both relative, `""` is the root).
fn contains(outer: &str, inner: &str) -> bool {
    outer.is_empty() || inner == outer || inner.strip_prefix(outer).is_some_and(|rest| rest.starts_with('/'))
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
    fn services_that_share_a_library_are_apart_and_each_sees_the_library() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "package.json", r#"{"name": "monorepo", "private": true}"#);
        write(root, "apps/web/package.json", r#"{"name": "web", "dependencies": {"@acme/db": "workspace:*"}}"#);
        write(root, "apps/workers/package.json", r#"{"name": "workers", "dependencies": {"@acme/db": "workspace:*"}}"#);
        write(root, "packages/db/package.json", r#"{"name": "@acme/db", "dependencies": {"@acme/util": "^1.0.0"}}"#);
        write(root, "packages/util/package.json", r#"{"name": "@acme/util"}"#);
        let files =
            ["apps/web/src/server.ts", "apps/workers/src/index.ts", "packages/db/src/client.ts", "packages/util/index.ts", "tools/x.ts"];
        let scopes = Scopes::new(root, files);
        assert!(!scopes.in_scope("apps/workers/src/index.ts", "apps/web/src/server.ts"), "siblings sharing a library");
        assert!(scopes.in_scope("apps/workers/src/index.ts", "packages/db/src/client.ts"), "a library it uses");
        assert!(scopes.in_scope("packages/db/src/client.ts", "apps/web/src/server.ts"), "a service that uses the library");
        assert!(scopes.in_scope("apps/web/src/server.ts", "packages/util/index.ts"), "through another library");
        assert!(scopes.in_scope("apps/web/src/server.ts", "tools/x.ts"), "the root package holds everything");
        assert!(scopes.in_scope("tools/x.ts", "apps/workers/src/index.ts"));
        assert_eq!(scopes.package_count(), 5);
    }

    #[test]
    fn crates_are_packages_and_workspace_manifests_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "Cargo.toml", "[workspace]\nmembers = [\"api\", \"worker\", \"common\"]\n");
        write(root, "api/Cargo.toml", "[package]\nname = \"api\"\n[dependencies]\ncommon = { path = \"../common\" }\n");
        write(
            root,
            "worker/Cargo.toml",
            "[package]\nname = \"worker\"\n[dependencies]\nshared = { path = \"../common\", package = \"common\" }\n",
        );
        write(root, "common/Cargo.toml", "[package]\nname = \"common\"\n");
        let scopes = Scopes::new(root, ["api/src/main.rs", "worker/src/main.rs", "common/src/lib.rs", "build/gen.rs"]);
        assert!(!scopes.in_scope("api/src/main.rs", "worker/src/main.rs"));
        assert!(scopes.in_scope("common/src/lib.rs", "worker/src/main.rs"), "renamed dependency");
        assert!(scopes.in_scope("api/src/main.rs", "common/src/lib.rs"));
        assert!(scopes.in_scope("api/src/main.rs", "build/gen.rs"), "a file of no package is in scope of every file");
    }
}
