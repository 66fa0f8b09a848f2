//! Embeds every `rules/<id>.toml` and every `models/<library>.toml` into the binary, so rule
//! metadata and framework knowledge each have one source of truth, and adding a rule's
//! documentation or a library's model needs no edit anywhere else.

use std::{env, fs, path::Path};

fn main() {
    embed("rules", "RULE_SOURCES", "rule_sources.rs");
    embed("models", "MODEL_SOURCES", "model_sources.rs");
}

/// Writes `OUT_DIR/<out>`: a static `(file stem, contents)` slice of the `.toml` files in `dir`.
fn embed(dir: &str, name: &str, out: &str) {
    println!("cargo:rerun-if-changed={dir}");
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").unwrap();
    let source_dir = Path::new(&manifest_dir).join(dir);
    let mut entries: Vec<String> = fs::read_dir(&source_dir)
        .map(|listing| {
            listing
                .filter_map(|entry| entry.ok())
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
                .map(|path| {
                    println!("cargo:rerun-if-changed={}", path.display());
                    let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
                    format!("    ({stem:?}, include_str!({:?})),\n", path.display().to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    entries.sort();
    let code = format!(
        "/// `(file stem, contents)` of every file in `{dir}/`.\npub static {name}: &[(&str, &str)] = &[\n{}];\n",
        entries.concat()
    );
    fs::write(Path::new(&env::var("OUT_DIR").unwrap()).join(out), code).unwrap();
}
