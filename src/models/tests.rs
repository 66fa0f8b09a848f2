use super::spec::UserModels;
use super::*;

fn parts(segments: &[&str], method: Option<&str>, receiver: &[&str], module: Option<&str>) -> CallParts {
    CallParts {
        segments: segments.iter().map(|s| s.to_string()).collect(),
        qualified: Some(segments.join(".")),
        method: method.map(str::to_string),
        receiver: receiver.iter().map(|s| s.to_string()).collect(),
        module: module.map(str::to_string),
    }
}

fn user(text: &str) -> Result<Knowledge, String> {
    #[derive(serde::Deserialize)]
    struct Wrapper {
        models: UserModels,
    }
    let wrapper: Wrapper = toml::from_str(text).map_err(|e| e.message().to_string())?;
    Knowledge::with_user(&wrapper.models, "archlint.toml").map_err(|e| e.render("archlint.toml", text))
}

#[test]
fn every_builtin_model_file_reads() {
    assert!(builtin_files().len() >= 30, "the models/ directory is embedded");
    for (stem, text) in builtin_files() {
        let mut knowledge = Knowledge::default();
        if let Err(error) = knowledge.add_file(stem, text) {
            panic!("{}", error.render(&format!("models/{stem}.toml"), text));
        }
    }
    assert_eq!(Knowledge::builtin().models.len(), builtin_files().len());
}

#[test]
fn every_sink_kind_of_the_models_has_a_rule_that_asks_for_it() {
    let listing = Knowledge::builtin().listing();
    for entry in listing.entries.iter().filter(|e| e.section == "sink") {
        let kind = entry.kind.as_deref().unwrap();
        let kind = SinkKind::ALL.into_iter().find(|k| k.name() == kind).unwrap();
        assert!(crate::rules::entry(kind.rule()).is_some(), "no rule `{}` for sink kind {kind:?}", kind.rule());
    }
}

#[test]
fn builtin_typescript_names_are_whole_qualified_names_under_each_module() {
    let knowledge = Knowledge::builtin();
    let exec = parts(&["child_process", "exec"], None, &[], Some("child_process"));
    assert_eq!(knowledge.sinks(Language::Typescript, &exec.name(&[]), SinkKind::Shell).len(), 1);
    // `this.exec(..)` is not `child_process.exec`, and neither is a method named like it.
    let method = CallParts { qualified: None, ..parts(&["this", "exec"], Some("exec"), &["this"], None) };
    assert_eq!(knowledge.sinks(Language::Typescript, &method.name(&[]), SinkKind::Shell).len(), 0);
    let axios = parts(&["axios"], None, &[], Some("axios"));
    assert_eq!(knowledge.sinks(Language::Typescript, &axios.name(&[]), SinkKind::Url).len(), 1, "`default` is the module itself");
}

#[test]
fn module_bound_methods_need_the_import() {
    let knowledge = Knowledge::builtin();
    let goto = CallParts { qualified: None, ..parts(&["page", "goto"], Some("goto"), &["page"], None) };
    let with = ["puppeteer".to_string()];
    assert_eq!(knowledge.sinks(Language::Typescript, &goto.name(&with), SinkKind::Url).len(), 1);
    assert_eq!(knowledge.sinks(Language::Typescript, &goto.name(&[]), SinkKind::Url).len(), 0);
}

#[test]
fn rust_paths_match_by_suffix_and_types_by_receiver() {
    let knowledge = Knowledge::builtin();
    let read = CallParts { qualified: None, ..parts(&["tokio", "fs", "read"], None, &[], None) };
    assert_eq!(knowledge.sinks(Language::Rust, &read.name(&[]), SinkKind::Path).len(), 1);
    // `buf.read(..)` is no file system call: `fs` is a module, not a type.
    let method = CallParts { qualified: None, ..parts(&["read"], Some("read"), &["fs"], None) };
    assert_eq!(knowledge.sinks(Language::Rust, &method.name(&[]), SinkKind::Path).len(), 0);
    let get = CallParts { qualified: None, ..parts(&["get"], Some("get"), &["http_client"], None) };
    let reqwest = ["reqwest::Client".to_string()];
    assert_eq!(knowledge.sinks(Language::Rust, &get.name(&reqwest), SinkKind::Url).len(), 1);
    assert_eq!(knowledge.sinks(Language::Rust, &get.name(&[]), SinkKind::Url).len(), 0, "without the crate");
    let map = CallParts { qualified: None, ..parts(&["get"], Some("get"), &["cache"], None) };
    assert_eq!(knowledge.sinks(Language::Rust, &map.name(&reqwest), SinkKind::Url).len(), 0);
}

#[test]
fn user_entries_count_like_builtin_ones() {
    let knowledge = user(
        r#"
        [[models.sources]]
        language = "typescript"
        function = "reqBody"
        module = "./http/body"

        [[models.sinks]]
        language = "rust"
        function = "Store::run_sql"
        kind = "sql"
        argument = 1

        [[models.sanitizers]]
        language = "rust"
        function = "guard::clean_identifier"
        kinds = ["sql"]
        "#,
    )
    .unwrap();
    let body = parts(&["body", "reqBody"], None, &[], Some("../../http/body"));
    assert!(knowledge.source_call(Language::Typescript, &body.name(&[])).is_some());
    let elsewhere = parts(&["other", "reqBody"], None, &[], Some("./other"));
    assert!(knowledge.source_call(Language::Typescript, &elsewhere.name(&[])).is_none(), "the module must match");

    let by_path = CallParts { qualified: None, ..parts(&["db", "Store", "run_sql"], None, &[], None) };
    let sink = knowledge.sinks(Language::Rust, &by_path.name(&[]), SinkKind::Sql).into_iter().next().unwrap();
    assert_eq!(sink.arguments, vec![1]);
    assert_eq!(sink.from, Provenance::Config("archlint.toml".into()));
    let by_method = CallParts { qualified: None, ..parts(&["run_sql"], Some("run_sql"), &["store"], None) };
    assert_eq!(knowledge.sinks(Language::Rust, &by_method.name(&[]), SinkKind::Sql).len(), 1);
    let other = CallParts { qualified: None, ..parts(&["run_sql"], Some("run_sql"), &["cache"], None) };
    assert_eq!(knowledge.sinks(Language::Rust, &other.name(&[]), SinkKind::Sql).len(), 0);

    let clean = CallParts { qualified: None, ..parts(&["crate", "guard", "clean_identifier"], None, &[], None) };
    assert!(knowledge.sanitizes(Language::Rust, &clean.name(&[]), Some(SinkKind::Sql)));
    assert!(!knowledge.sanitizes(Language::Rust, &clean.name(&[]), Some(SinkKind::Path)), "only for the kinds it names");
    assert!(!knowledge.sanitizes(Language::Rust, &clean.name(&[]), None));
}

#[test]
fn mistakes_are_one_line_with_the_line_number() {
    let unknown_kind = user("[[models.sinks]]\nlanguage = \"rust\"\nfunction = \"a::b\"\nkind = \"sqll\"\n").unwrap_err();
    assert!(unknown_kind.contains("sqll"), "{unknown_kind}");
    let unknown_key = user("[[models.sinks]]\nlanguage = \"rust\"\nfunction = \"a::b\"\nkind = \"sql\"\nargumnet = 1\n").unwrap_err();
    assert!(unknown_key.contains("argumnet"), "{unknown_key}");
    let pattern = user("[[models.sources]]\nlanguage = \"typescript\"\n\nfunction = \"req body\"\n").unwrap_err();
    assert_eq!(
        pattern,
        "archlint.toml:4: bad function pattern `req body`: expected a name like `module.function` or `Type.method`, or `*.method`"
    );
    let language = user("[[models.sanitizers]]\nfunction = \"clean\"\n").unwrap_err();
    assert!(language.starts_with("archlint.toml:2: every `[[models.*]]` entry needs `language"), "{language}");
    let nothing = user("[[models.sinks]]\nlanguage = \"rust\"\nkind = \"sql\"\n").unwrap_err();
    assert!(nothing.starts_with("archlint.toml:3: a sink needs"), "{nothing}");
}

#[test]
fn framework_sources_and_fixes_are_checked_like_the_rest() {
    let role = user("[[models.sources]]\nlanguage = \"typescript\"\nobject = \"reqest\"\nmembers = [\"body\"]\n").unwrap_err();
    assert!(
        role.starts_with("archlint.toml:3: unknown request object `reqest` (expected one of request, koa-context, hono-context"),
        "{role}"
    );
    let decorators = user("[[models.sources]]\nlanguage = \"rust\"\ndecorators = [\"Body\"]\n").unwrap_err();
    assert!(decorators.contains("`decorators` are TypeScript parameter decorators"), "{decorators}");
    let framework = user("[[models.sources]]\nlanguage = \"rust\"\nextractors = [\"Input\"]\nframework = \"rails\"\n").unwrap_err();
    assert!(framework.contains("unknown framework `rails` (expected one of axum, actix-web, rocket, poem, tonic"), "{framework}");
    let fix = user(
        "[[models.clients]]\nlanguage = \"typescript\"\nfunction = \"call\"\ntimeout-options = [\"t\"]\nmessage = \"m\"\nhelp = \"h\"\nfix-option = \"t: 5\"\n",
    )
    .unwrap_err();
    assert!(fix.starts_with("archlint.toml:7: a client's `fix-option`"), "{fix}");
    let style = user(
        "[[models.sinks]]\nlanguage = \"typescript\"\nmethods = [\"run\"]\nkind = \"sql\"\nplaceholders = { \"@acme/db\" = \":1\" }\n",
    )
    .unwrap_err();
    assert!(style.contains("unknown variant `:1`, expected `$1` or `?`"), "{style}");
    let knowledge =
        user("[[models.sinks]]\nlanguage = \"typescript\"\nmethods = [\"run\"]\nkind = \"sql\"\nplaceholders = { \"@acme/db\" = \"?\" }\n")
            .unwrap();
    let sinks = knowledge.sinks(Language::Typescript, &parts(&[], Some("run"), &["db"], None).name(&[]), SinkKind::Sql);
    let own = sinks.iter().find(|sink| matches!(&sink.from, super::Provenance::Config(_))).expect("the configured sink");
    assert_eq!(own.placeholders.get("@acme/db"), Some(&super::Placeholder::Positional));
    // A project's own decorator and request role members count like the built-in ones.
    let knowledge = user(
        "[[models.sources]]\nlanguage = \"typescript\"\ndecorators = [\"Input\"]\n\n[[models.sources]]\nlanguage = \"typescript\"\nobject = \"hono-context\"\ngetters = [\"req.signedCookie\"]\n",
    )
    .unwrap();
    assert!(knowledge.is_data_decorator("Input") && knowledge.is_data_decorator("Body"));
    assert!(knowledge.request_getter(Language::Typescript, "hono-context", "req.signedCookie"));
    assert!(knowledge.is_extractor("LambdaEvent", "lambda") && !knowledge.is_extractor("LambdaEvent", "axum"));
    assert!(knowledge.is_extractor("Json", "actix-web") && knowledge.is_extractor("Json", "poem"));
    assert!(knowledge.is_extractor("MsgPack", "rocket") && !knowledge.is_extractor("MsgPack", "poem"), "rocket keeps its own list");
    assert!(!knowledge.is_extractor("Query", "graphql"), "a resolver's arguments are not read by extractor name");
}

#[test]
fn module_paths_match_by_their_last_components() {
    assert!(module_matches("../../http/body", "./http/body", Language::Typescript));
    assert!(module_matches("./http/body.ts", "./http/body", Language::Typescript));
    assert!(!module_matches("./http/bodyguard", "./http/body", Language::Typescript));
    assert!(module_matches("node:fs", "fs", Language::Typescript));
    assert!(!module_matches("@scope/fs", "fs", Language::Typescript));
    assert!(module_matches("http::body::read_body", "crate::http::body", Language::Rust));
    assert!(!module_matches("http::bodyguard::read", "http::body", Language::Rust));
}
