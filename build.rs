//! Embeds every `rules/<id>.toml` into the binary, so rule metadata has one source of truth and
//! adding a rule's documentation needs no edit anywhere else.

use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").unwrap();
    let rules_dir = Path::new(&manifest_dir).join("rules");
    let mut entries: Vec<String> = fs::read_dir(&rules_dir)
        .map(|dir| {
            dir.filter_map(|entry| entry.ok())
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
                .map(|path| {
                    println!("cargo:rerun-if-changed={}", path.display());
                    let id = path.file_stem().unwrap().to_string_lossy().into_owned();
                    format!("    ({id:?}, include_str!({:?})),\n", path.display().to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    entries.sort();
    let code = format!(
        "/// `(file stem, contents)` of every file in `rules/`.\npub static RULE_SOURCES: &[(&str, &str)] = &[\n{}];\n",
        entries.concat()
    );
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("rule_sources.rs");
    fs::write(out, code).unwrap();
}
