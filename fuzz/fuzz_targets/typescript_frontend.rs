//! The whole per-file pipeline on a TypeScript file: nesting check, parse, model, every rule,
//! suppressions. A crash, a hang or a rule that fails (an internal-error notice) is a finding.
#![no_main]

use archlint::config::{CliOverrides, Config, ConfigFile};
use archlint::diagnostic::NoticeKind;
use archlint::source::Language;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let all = CliOverrides { select: Some(vec!["all".into()]), ..CliOverrides::default() };
        Config::from_file(ConfigFile::default(), None, "/fuzz".into(), &all).expect("the default configuration loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let result = archlint::engine::scan_source(config(), "src/fuzz.ts", Language::TypeScript, text);
    if let Some(notice) = result.notices.iter().find(|n| n.kind == NoticeKind::InternalError) {
        panic!("{}", notice.message);
    }
});
