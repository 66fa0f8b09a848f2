//! The suppression-comment parser, and applying what it parsed, on any text.
#![no_main]

use archlint::source::{Language, SourceFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = SourceFile::new("src/fuzz.ts".into(), "/fuzz/src/fuzz.ts".into(), Language::TypeScript, text.into(), false);
    let is_rule = |id: &str| archlint::rules::entry(id).is_some();
    for require_reason in [false, true] {
        let (mut directives, _notices) = archlint::suppress::parse(&file, &is_rule, require_reason);
        let _ = archlint::suppress::apply(&file, &mut directives, &mut []);
    }
});
