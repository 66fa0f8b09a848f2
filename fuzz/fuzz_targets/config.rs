//! The configuration parser and loader on any text: errors are expected, panics are not.
#![no_main]

use archlint::config::{self, CliOverrides, Config};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(file) = config::parse(text, "archlint.toml") {
        let _ = Config::from_file(file, Some("archlint.toml".into()), "/fuzz".into(), &CliOverrides::default());
    }
});
