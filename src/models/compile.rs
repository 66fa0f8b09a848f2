//! Reading the written form (`spec`) into entries: a model file or a configuration's `[models]`
//! becomes callees compiled for matching, each entry checked so that a mistake is one line that
//! names the file, the line and what is wrong.

use super::spec::{
    BlockingSpec, BodyLimitSpec, CacheSpec, ClientSpec, ConnectionSpec, CookieSpec, GraphqlSpec, GuardSpec, HasherSpec, InternalErrorSpec,
    KdfSpec, KeySpec, LimiterSpec, LoggerSpec, ModelFile, PackageSpec, PropagatorSpec, RequestTimeoutSpec, ResponseSpec, RouteSpec,
    SanitizerSpec, Sections, ServerSpec, SinkSpec, SourceSpec, TokenSpec, UserModels, ValidatorSpec,
};
use super::*;

impl Knowledge {
    /// The built-in models and the user's, from the configuration file at `origin`.
    pub fn with_user(user: &UserModels, origin: &str) -> Result<Knowledge, ModelError> {
        let mut knowledge = Knowledge::builtin().clone();
        knowledge.add_user(user, origin)?;
        Ok(knowledge)
    }

    /// Reads one model file into the knowledge.
    pub fn add_file(&mut self, stem: &str, text: &str) -> Result<(), ModelError> {
        let mut file: ModelFile = toml::from_str(text).map_err(|e| ModelError::at(e.message().to_string(), e.span()))?;
        if file.name.is_empty() {
            return Err(ModelError::at("`name` is empty", None));
        }
        let from = Provenance::BuiltIn(stem.to_string());
        let language = file.language;
        let sections = file.take_sections();
        let context = FileContext { language: Some(language), modules: &file.modules, builtin: true };
        self.add_sections(&sections, &context, &from)?;
        let modules = if language == Language::Rust { file.crates.clone() } else { file.modules.clone() };
        self.models.push(ModelInfo { name: file.name.clone(), language, modules, docs: file.docs.clone(), from });
        Ok(())
    }

    /// Adds the entries of `[models]` in a configuration file.
    pub fn add_user(&mut self, user: &UserModels, origin: &str) -> Result<(), ModelError> {
        if user.is_empty() {
            return Ok(());
        }
        let from = Provenance::Config(origin.to_string());
        let context = FileContext { language: None, modules: &[], builtin: false };
        self.add_sections(user, &context, &from)?;
        Ok(())
    }

    /// Every entry of a model file's or a configuration's sections.
    fn add_sections(&mut self, sections: &Sections, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        for source in &sections.sources {
            self.add_source(source, context, from)?;
        }
        for sink in &sections.sinks {
            self.add_sink(sink, context, from)?;
        }
        for sanitizer in &sections.sanitizers {
            self.add_sanitizer(sanitizer, context, from)?;
        }
        for propagator in &sections.propagators {
            self.add_propagator(propagator, context, from)?;
        }
        for client in &sections.clients {
            self.add_client(client, context, from)?;
        }
        for logger in &sections.loggers {
            self.add_logger(logger, context, from)?;
        }
        for hasher in &sections.hashers {
            self.add_hasher(hasher, context, from)?;
        }
        for blocking in &sections.blocking {
            self.add_blocking(blocking, context, from)?;
        }
        for key in &sections.keys {
            self.add_key(key, context, from)?;
        }
        for kdf in &sections.kdfs {
            self.add_kdf(kdf, context, from)?;
        }
        for token in &sections.tokens {
            self.add_token(token, context, from)?;
        }
        for server in &sections.servers {
            self.add_server(server, context, from)?;
        }
        for limit in &sections.body_limits {
            self.add_body_limit(limit, context, from)?;
        }
        for cache in &sections.caches {
            self.add_cache(cache, context, from)?;
        }
        for graphql in &sections.graphql {
            self.add_graphql(graphql, context, from)?;
        }
        for timeout in &sections.request_timeouts {
            self.add_request_timeout(timeout, context, from)?;
        }
        for query in &sections.queries {
            self.add_query(query, context, from)?;
        }
        for validator in &sections.validators {
            self.add_validator(validator, context, from)?;
        }
        for cookie in &sections.cookies {
            self.add_cookie(cookie, context, from)?;
        }
        for connection in &sections.connections {
            self.add_connection(connection, context, from)?;
        }
        for switch in &sections.tls_switches {
            self.add_tls_switch(switch, context, from)?;
        }
        for switch in &sections.token_switches {
            self.add_token_switch(switch, context, from)?;
        }
        for reader in &sections.body_readers {
            self.add_body_reader(reader, context, from)?;
        }
        for error in &sections.internal_errors {
            self.add_internal_error(error, context, from)?;
        }
        for limiter in &sections.limiters {
            self.add_limiter(limiter, context, from)?;
        }
        for package in &sections.packages {
            self.add_package(package, context, from)?;
        }
        for guard in &sections.guards {
            self.add_guard(guard, context, from)?;
        }
        for response in &sections.responses {
            self.add_response(response, context, from)?;
        }
        for route in &sections.routes {
            self.add_route(route, context, from)?;
        }
        Ok(())
    }

    fn language_mut(&mut self, language: Language) -> &mut LanguageKnowledge {
        match language {
            Language::Rust => &mut self.rust,
            Language::Typescript => &mut self.typescript,
        }
    }

    fn add_source(&mut self, spec: &SourceSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let callee = spec.callee();
        let language = context.language_of(&callee)?;
        let has_object = spec.object.is_some();
        let has_extractors = !spec.extractors.is_empty();
        let has_decorators = !spec.decorators.is_empty();
        let callees = context.callees(&callee, language)?;
        let forms = usize::from(has_object) + usize::from(has_extractors) + usize::from(has_decorators) + usize::from(!callees.is_empty());
        if forms != 1 {
            let span = callee.function.map(|f| f.span()).or(spec.object.as_ref().map(|o| o.span()));
            return Err(ModelError::at(
                "a source names calls (`function`, `functions`, `methods`), or a request `object` with `members`/`getters`, or TypeScript `decorators`, or Rust `extractors`: exactly one of them",
                span,
            ));
        }
        if let Some(stray) =
            spec.marks_handlers.iter().find(|name| !spec.extractors.contains(name.get_ref()) && !spec.types.contains(name.get_ref()))
        {
            return Err(ModelError::at(
                format!("`marks-handlers` names `{}`, which is not among the entry's `extractors` or `types`", stray.get_ref()),
                Some(stray.span()),
            ));
        }
        if !spec.payloads.is_empty() && !has_extractors {
            return Err(ModelError::at("`payloads` are among Rust `extractors`", None));
        }
        if spec.schema_typed && !has_decorators {
            return Err(ModelError::at("`schema-typed` describes `decorators`: a source without them has no schema", None));
        }
        if let Some(stray) = spec.handler_decorators.first().filter(|_| !has_decorators) {
            return Err(ModelError::at("`handler-decorators` go with parameter `decorators`", Some(stray.span())));
        }
        if let Some(stray) = spec.exported_handlers.iter().chain(&spec.registered_by).next() {
            if !has_object || language != Language::Typescript {
                return Err(ModelError::at(
                    "`exported-handlers` and `registered-by` say which TypeScript functions take a request `object`",
                    Some(stray.span()),
                ));
            }
        }
        plain_names(
            spec.exported_handlers.iter().chain(&spec.registered_by).chain(&spec.handler_decorators),
            "name",
            "a function, method or decorator name, without `@`, dots or arguments",
        )?;
        let knowledge = self.language_mut(language);
        knowledge.handler_types.extend(spec.marks_handlers.iter().map(|name| (name.get_ref().clone(), from.clone())));
        if has_decorators {
            if language != Language::Typescript {
                return Err(ModelError::at("`decorators` are TypeScript parameter decorators", None));
            }
            knowledge.decorators.push(SourceDecorators {
                names: spec.decorators.clone(),
                handler_decorators: spec.handler_decorators.iter().map(|d| d.get_ref().clone()).collect(),
                schema_typed: spec.schema_typed,
                from: from.clone(),
            });
        } else if let Some(object) = &spec.object {
            let role = object.get_ref();
            if !REQUEST_ROLES.contains(&role.as_str()) {
                return Err(ModelError::at(
                    format!("unknown request object `{role}` (expected one of {})", REQUEST_ROLES.join(", ")),
                    Some(object.span()),
                ));
            }
            if spec.members.is_empty() && spec.getters.is_empty() {
                return Err(ModelError::at("a request `object` needs `members` or `getters`", Some(object.span())));
            }
            knowledge.source_objects.push(SourceObject {
                role: role.clone(),
                members: spec.members.clone(),
                getters: spec.getters.clone(),
                types: spec.types.clone(),
                exported_handlers: spec.exported_handlers.iter().map(|n| n.get_ref().clone()).collect(),
                registered_by: spec.registered_by.iter().map(|n| n.get_ref().clone()).collect(),
                anywhere: spec.anywhere,
                from: from.clone(),
            });
        } else if has_extractors {
            if language != Language::Rust {
                return Err(ModelError::at("`extractors` are Rust handler parameter types", None));
            }
            if let Some(framework) = &spec.framework {
                if !RUST_FRAMEWORKS.contains(&framework.as_str()) {
                    return Err(ModelError::at(
                        format!("unknown framework `{framework}` (expected one of {})", RUST_FRAMEWORKS.join(", ")),
                        None,
                    ));
                }
            }
            if spec.validated && spec.module.is_none() {
                return Err(ModelError::at("`validated` extractors need the `module` they come from", None));
            }
            if let Some(stray) = spec.payloads.keys().find(|name| !spec.extractors.contains(name)) {
                return Err(ModelError::at(format!("`payloads` names `{stray}`, which is not among the entry's `extractors`"), None));
            }
            knowledge.extractors.push(SourceExtractors {
                names: spec.extractors.clone(),
                framework: spec.framework.clone(),
                module: spec.module.as_ref().map(|m| m.get_ref().clone()),
                validated: spec.validated,
                payloads: spec.payloads.clone(),
                from: from.clone(),
            });
        } else {
            knowledge.remember(&callees);
            for callee in callees {
                knowledge.source_calls.push(SourceCall { callee, from: from.clone() });
            }
        }
        Ok(())
    }

    fn add_sink(&mut self, spec: &SinkSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let (language, callees) = context.named_calls(&spec.callee(), "a sink", Some(spec.kind.span()))?;
        let mut arguments = spec.arguments.clone();
        if let Some(argument) = spec.argument {
            arguments.insert(0, argument);
        }
        if arguments.is_empty() {
            arguments.push(0);
        }
        if spec.data_argument.is_some() && language != Language::Typescript {
            return Err(ModelError::at(
                "a sink's `data-argument` is read in TypeScript only (`unvalidated-request-input`)",
                Some(spec.kind.span()),
            ));
        }
        let knowledge = self.language_mut(language);
        knowledge.remember(&callees);
        for callee in callees {
            knowledge.sinks.push(Sink {
                callee,
                kind: *spec.kind.get_ref(),
                arguments: arguments.clone(),
                when_option: spec.when_option.clone(),
                unless_option: spec.unless_option.clone(),
                certain: spec.certain.unwrap_or(true),
                fragment: spec.fragment,
                placeholders: spec.placeholders.iter().map(|(module, style)| (module.clone(), *style.get_ref())).collect(),
                data_argument: spec.data_argument,
                from: from.clone(),
            });
        }
        Ok(())
    }

    fn add_sanitizer(&mut self, spec: &SanitizerSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let (language, callees) = context.named_calls(&spec.callee(), "a sanitizer", None)?;
        let kinds = if spec.kinds.is_empty() { Kinds::ALL } else { Kinds(spec.kinds.iter().fold(0, |bits, k| bits | k.get_ref().bit())) };
        let knowledge = self.language_mut(language);
        knowledge.remember(&callees);
        for callee in callees {
            knowledge.sanitizers.push(Sanitizer { callee, kinds, from: from.clone() });
        }
        Ok(())
    }

    fn add_propagator(&mut self, spec: &PropagatorSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        self.add_plain_calls(
            &spec.callee(),
            context,
            "a propagator",
            |k| &mut k.propagators,
            |callee| Propagator { callee, from: from.clone() },
        )
    }

    /// Entries that are the calls they name and little more (propagators, loggers, hashers,
    /// blocking calls).
    fn add_plain_calls<T: HasCallee>(
        &mut self,
        spec: &CalleeSpec<'_>,
        context: &FileContext<'_>,
        what: &str,
        table: impl Fn(&mut LanguageKnowledge) -> &mut Table<T>,
        entry: impl Fn(Callee) -> T,
    ) -> Result<(), ModelError> {
        let (language, callees) = context.named_calls(spec, what, None)?;
        let knowledge = self.language_mut(language);
        knowledge.remember(&callees);
        for callee in callees {
            table(knowledge).push(entry(callee));
        }
        Ok(())
    }

    fn add_client(&mut self, spec: &ClientSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let (language, callees) = context.named_calls(&spec.callee(), "a client", None)?;
        if spec.timeout_options.is_empty() && spec.timeout_methods.is_empty() {
            return Err(ModelError::at("a client needs `timeout-options` or `timeout-methods`: how its timeout is set", None));
        }
        let note = match spec.level.as_deref() {
            None | Some("warning") => false,
            Some("note") => true,
            Some(other) => return Err(ModelError::at(format!("a client's `level` is `note` or `warning`, not `{other}`"), None)),
        };
        if let Some(fix) = &spec.fix_option {
            if language != Language::Typescript || !fix.get_ref().contains("{ms}") {
                return Err(ModelError::at(
                    "a client's `fix-option` is a TypeScript option with `{ms}` where the timeout goes",
                    Some(fix.span()),
                ));
            }
        }
        if let Some(fix) = &spec.fix_call {
            if language != Language::Rust || spec.builder || !fix.get_ref().contains("{duration}") {
                return Err(ModelError::at(
                    "a client's `fix-call` is a Rust call with `{duration}` where the timeout goes, for a client that is not a builder",
                    Some(fix.span()),
                ));
            }
        }
        if spec.request_type.is_some() && spec.request_methods.is_empty() {
            return Err(ModelError::at("a client's `request-type` is the type its `request-methods` return: it needs them", None));
        }
        if (spec.global_default.is_some() || spec.instance_default.is_some()) && language != Language::Typescript {
            return Err(ModelError::at("a client's `global-default` and `instance-default` are TypeScript members", None));
        }
        let knowledge = self.language_mut(language);
        knowledge.remember(&callees);
        for callee in callees {
            knowledge.clients.push(Client {
                callee,
                timeout_options: spec.timeout_options.clone(),
                options_argument: spec.options_argument,
                timeout_methods: spec.timeout_methods.clone(),
                message: spec.message.clone(),
                help: spec.help.clone(),
                note,
                browser: spec.browser,
                builder: spec.builder,
                connect_timeout_methods: spec.connect_timeout_methods.clone(),
                what: spec.what.clone().unwrap_or_else(|| "HTTP client".to_string()),
                fix_option: spec.fix_option.as_ref().map(|f| f.get_ref().clone()),
                fix_call: spec.fix_call.as_ref().map(|f| f.get_ref().clone()),
                request_methods: spec.request_methods.clone(),
                request_type: spec.request_type.clone(),
                global_default: spec.global_default.clone(),
                instance_default: spec.instance_default.clone(),
                from: from.clone(),
            });
        }
        Ok(())
    }

    fn add_connection(&mut self, spec: &ConnectionSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let (language, callees) = context.named_calls(&spec.callee(), "a connection", Some(spec.kind.span()))?;
        if spec.what.trim().is_empty() {
            return Err(ModelError::at("a connection's `what` (how messages name it) is empty", Some(spec.kind.span())));
        }
        let key_value = !spec.client_types.is_empty() || !spec.writes_without_expiry.is_empty() || !spec.expiring_methods.is_empty();
        if key_value && *spec.kind.get_ref() != ConnectionKind::Cache {
            return Err(ModelError::at(
                "`client-types`, `writes-without-expiry` and `expiring-methods` describe a key-value store: they need `kind = \"cache\"`",
                Some(spec.kind.span()),
            ));
        }
        let plaintext = !spec.plaintext_connectors.is_empty() || !spec.plaintext_modes.is_empty();
        if plaintext && (language != Language::Rust || *spec.kind.get_ref() != ConnectionKind::Database) {
            return Err(ModelError::at(
                "`plaintext-connectors` and `plaintext-modes` describe a Rust database connection: they need `kind = \"database\"`",
                Some(spec.kind.span()),
            ));
        }
        let typescript_options = !spec.tls_options.is_empty()
            || !spec.host_options.is_empty()
            || !spec.url_options.is_empty()
            || !spec.database_options.is_empty()
            || !spec.dialects.is_empty();
        if typescript_options && (language != Language::Typescript || *spec.kind.get_ref() != ConnectionKind::Database) {
            return Err(ModelError::at(
                "`tls-options`, `host-options`, `url-options`, `database-options` and `dialects` describe a TypeScript database connection's options: they need `kind = \"database\"`",
                Some(spec.kind.span()),
            ));
        }
        if (!spec.timeout_methods.is_empty() || !spec.fix_calls.is_empty()) && language != Language::Rust {
            return Err(ModelError::at(
                "`timeout-methods` and `fix-calls` are a Rust builder's methods (TypeScript connections name `timeout-options`)",
                Some(spec.kind.span()),
            ));
        }
        if !spec.fix_calls.is_empty() && spec.required_timeout.is_none() {
            return Err(ModelError::at(
                "`fix-calls` add the `required-timeout`: a connection without one has nothing to fix",
                Some(spec.kind.span()),
            ));
        }
        if let Some(bad) = spec.fix_calls.iter().find(|c| !c.starts_with('.') || !c.ends_with(')')) {
            return Err(ModelError::at(
                format!("bad fix call `{bad}`: expected a method call such as `.wait_timeout(Some({{duration}}))`"),
                Some(spec.kind.span()),
            ));
        }
        if !spec.host_methods.is_empty() && (language != Language::Rust || *spec.kind.get_ref() != ConnectionKind::Database) {
            return Err(ModelError::at(
                "`host-methods` describe a Rust database connection's builder: they need `kind = \"database\"`",
                Some(spec.kind.span()),
            ));
        }
        if let Some(mode) = spec.plaintext_modes.iter().find(|m| m.split("::").count() != 2 || m.split("::").any(|s| !is_identifier(s))) {
            return Err(ModelError::at(format!("bad plaintext mode `{mode}`: expected `Enum::Variant`"), Some(spec.kind.span())));
        }
        let knowledge = self.language_mut(language);
        knowledge.remember(&callees);
        knowledge.plaintext_connectors.extend(spec.plaintext_connectors.iter().cloned());
        knowledge.plaintext_modes.extend(spec.plaintext_modes.iter().cloned());
        knowledge.connection_timeout_methods.extend(spec.timeout_methods.iter().cloned());
        let options = &mut knowledge.database_options;
        options.tls_options.extend(spec.tls_options.iter().cloned());
        options.host_options.extend(spec.host_options.iter().chain(&spec.host_methods).cloned());
        options.url_options.extend(spec.url_options.iter().cloned());
        options.database_options.extend(spec.database_options.iter().cloned());
        for (option, values) in &spec.dialects {
            options.dialects.extend(values.iter().map(|value| (option.clone(), value.to_ascii_lowercase())));
        }
        let commands = &mut knowledge.key_value;
        commands.client_types.extend(spec.client_types.iter().cloned());
        commands.writes_without_expiry.extend(spec.writes_without_expiry.iter().cloned());
        commands.expiring_methods.extend(spec.expiring_methods.iter().cloned());
        for callee in callees {
            knowledge.connections.push(Connection {
                callee,
                what: spec.what.clone(),
                kind: *spec.kind.get_ref(),
                timeout_options: spec.timeout_options.clone(),
                required_timeout: spec.required_timeout.clone(),
                timeout_methods: spec.timeout_methods.clone(),
                fix_calls: spec.fix_calls.clone(),
                writes_without_expiry: spec.writes_without_expiry.clone(),
                from: from.clone(),
            });
        }
        Ok(())
    }

    fn add_logger(&mut self, spec: &LoggerSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let callee = spec.callee();
        if !spec.receivers.is_empty() {
            let language = context.language_of(&callee)?;
            let by_method =
                !callee.methods.is_empty() || callee.functions.iter().chain(callee.function).any(|f| f.get_ref().starts_with("*."));
            if language != Language::Typescript || !by_method {
                return Err(ModelError::at("a logger's `receivers` are for TypeScript `methods` (a method of any receiver)", callee.at()));
            }
        }
        let entry = |callee| Logger { callee, receivers: spec.receivers.clone(), from: from.clone() };
        self.add_plain_calls(&callee, context, "a logger", |k| &mut k.loggers, entry)
    }

    fn add_blocking(&mut self, spec: &BlockingSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        if spec.message.is_some() && !spec.cpu {
            let at = spec.callee().at();
            return Err(ModelError::at("a blocking call's `message` is for CPU-heavy calls: add `cpu = true`", at));
        }
        let instead = || spec.instead.clone();
        self.add_plain_calls(
            &spec.callee(),
            context,
            "a blocking call",
            |k| &mut k.blocking,
            |callee| Blocking { callee, instead: instead(), cpu: spec.cpu, message: spec.message.clone(), from: from.clone() },
        )
    }

    fn add_key(&mut self, spec: &KeySpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let at = spec.callee().at();
        let holder = match (spec.argument, &spec.option) {
            (Some(index), None) if spec.options_argument.is_none() => KeyHolder::Argument(index),
            (None, Some(name)) if !name.trim().is_empty() => {
                KeyHolder::Option { name: name.trim().to_string(), argument: spec.options_argument.unwrap_or(0) }
            }
            _ => {
                return Err(ModelError::at(
                    "a key entry names where the key is: `argument = N`, or `option = \"name\"` (with `options-argument` when the options are not the first argument)",
                    at,
                ))
            }
        };
        if spec.what.trim().is_empty() {
            return Err(ModelError::at("a key entry's `what` (how messages name the key) is empty", at));
        }
        let what = spec.what.trim().to_string();
        self.add_plain_calls(
            &spec.callee(),
            context,
            "a key",
            |k| &mut k.keys,
            |callee| Key { callee, what: what.clone(), holder: holder.clone(), from: from.clone() },
        )
    }

    fn add_kdf(&mut self, spec: &KdfSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let algorithm = *spec.algorithm.get_ref();
        // What each family is judged by: an entry that gives none of it would never report.
        let judged = match algorithm {
            KdfAlgorithm::Bcrypt => spec.cost_argument.is_some() || spec.salt_argument.is_some(),
            KdfAlgorithm::Argon2 => spec.memory_argument.is_some() || spec.variant_argument.is_some() || spec.options_argument.is_some(),
            KdfAlgorithm::Pbkdf2 => spec.iterations_argument.is_some() || spec.salt_argument.is_some(),
            KdfAlgorithm::Scrypt => spec.cost_argument.is_some() || spec.options_argument.is_some() || spec.salt_argument.is_some(),
            KdfAlgorithm::Salt => spec.salt_argument.is_some(),
        };
        if !judged {
            return Err(ModelError::at(
                format!(
                    "a `{}` kdf entry says where nothing it is judged by is (bcrypt: `cost-argument`; argon2: `memory-argument`, `variant-argument` or `options-argument`; pbkdf2: `iterations-argument`; scrypt: `cost-argument` or `options-argument`; salt: `salt-argument`)",
                    algorithm.name()
                ),
                Some(spec.algorithm.span()),
            ));
        }
        let entry = |callee| Kdf { callee, algorithm, parameters: spec.clone(), from: from.clone() };
        self.add_plain_calls(&spec.callee(), context, "a kdf", |k| &mut k.kdfs, entry)
    }

    fn add_token(&mut self, spec: &TokenSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let role = *spec.role.get_ref();
        let at = Some(spec.role.span());
        let named = |option: &Option<String>| option.as_deref().is_some_and(|o| !o.trim().is_empty());
        match role {
            TokenRole::Defaults if spec.options_argument.is_none() || !named(&spec.expiry_option) => {
                return Err(ModelError::at("a `defaults` token entry says where the options are (`options-argument`) and which sets the lifetime (`expiry-option`)", at));
            }
            TokenRole::Sign if !spec.expiry_methods.is_empty() && !named(&spec.sign_method) => {
                return Err(ModelError::at(
                    "a `sign` token entry with `expiry-methods` (a builder) names the method that signs (`sign-method`)",
                    at,
                ));
            }
            TokenRole::Sign
                if spec.expiry_methods.is_empty()
                    && !named(&spec.expiry_option)
                    && context.language_of(&spec.callee())? == Language::Typescript =>
            {
                return Err(ModelError::at("a TypeScript `sign` token entry says how a lifetime is given: `expiry-option` (with `options-argument`) or `expiry-methods`", at));
            }
            _ => {}
        }
        let entry = |callee| Token { callee, role, parameters: spec.clone(), from: from.clone() };
        self.add_plain_calls(&spec.callee(), context, "a token entry", |k| &mut k.tokens, entry)
    }

    fn add_server(&mut self, spec: &ServerSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let framework = spec.framework.trim().to_string();
        if framework.is_empty() {
            let at = spec.callee().at();
            return Err(ModelError::at("a server entry's `framework` (how messages name it) is empty", at));
        }
        if spec.mounts_middleware && context.language_of(&spec.callee())? == Language::Rust {
            let at = spec.callee().at();
            return Err(ModelError::at("a server entry's `mounts-middleware` is for TypeScript apps", at));
        }
        if spec.timeout_help.is_some() && !spec.needs_timeout_layer {
            let at = spec.callee().at();
            return Err(ModelError::at("a server entry's `timeout-help` goes with `needs-timeout-layer = true`", at));
        }
        let entry = |callee| Server { callee, framework: framework.clone(), parameters: spec.clone(), from: from.clone() };
        self.add_plain_calls(&spec.callee(), context, "a server entry", |k| &mut k.servers, entry)
    }

    fn add_body_limit(&mut self, spec: &BodyLimitSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let says = [spec.limit_argument.is_some(), spec.limit_option.is_some(), spec.required_option.is_some(), spec.disables];
        if says.iter().filter(|s| **s).count() != 1 {
            let at = spec.callee().at();
            return Err(ModelError::at(
                "a body-limit entry says one thing: where the limit is (`limit-argument` or `limit-option`), the option without which there is none (`required-option`), or that the call removes the default (`disables = true`)",
                at,
            ));
        }
        let entry = |callee| BodyLimit { callee, parameters: spec.clone(), from: from.clone() };
        self.add_plain_calls(&spec.callee(), context, "a body-limit entry", |k| &mut k.body_limits, entry)
    }

    fn add_request_timeout(&mut self, spec: &RequestTimeoutSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        if spec.default_secs.is_some() && spec.switched_off_by.is_none() {
            let at = spec.callee().at();
            return Err(ModelError::at("a request timeout's `default-secs` is what a fix restores: it needs `switched-off-by`", at));
        }
        let entry = |callee| RequestTimeout { callee, parameters: spec.clone(), from: from.clone() };
        self.add_plain_calls(&spec.callee(), context, "a request timeout", |k| &mut k.request_timeouts, entry)
    }

    fn add_cookie(&mut self, spec: &CookieSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let role = *spec.role.get_ref();
        let at = Some(spec.role.span());
        let (language, callees) = context.named_calls(&spec.callee(), "a cookie entry", at.clone())?;
        let rust_only = matches!(role, CookieRole::Build | CookieRole::Switch | CookieRole::Remove);
        if rust_only != (language == Language::Rust) {
            let wants = if rust_only { "Rust" } else { "TypeScript" };
            return Err(ModelError::at(format!("a cookie entry with `role = \"{}\"` is {wants} only", role.name()), at));
        }
        let only = |present: bool, key: &str, roles: &[CookieRole]| -> Result<(), ModelError> {
            if present && !roles.contains(&role) {
                let names: Vec<&str> = roles.iter().map(|r| r.name()).collect();
                return Err(ModelError::at(format!("a cookie entry's `{key}` is for `role = \"{}\"`", names.join("\" or \"")), at.clone()));
            }
            Ok(())
        };
        let set = [CookieRole::Set];
        only(spec.name_argument.is_some(), "name-argument", &set)?;
        only(spec.value_argument.is_some(), "value-argument", &set)?;
        only(spec.options_argument.is_some(), "options-argument", &set)?;
        only(!spec.receivers.is_empty(), "receivers", &set)?;
        only(spec.cookie_option.is_some(), "cookie-option", &[CookieRole::Session])?;
        only(spec.secure_auto, "secure-auto", &[CookieRole::Session])?;
        only(!spec.on_by_default.is_empty(), "on-by-default", &[CookieRole::Set, CookieRole::Session])?;
        let build = [CookieRole::Build];
        only(!spec.attribute_methods.is_empty(), "attribute-methods", &build)?;
        only(!spec.removal_methods.is_empty(), "removal-methods", &build)?;
        only(!spec.builder_types.is_empty(), "builder-types", &build)?;
        if spec.flag.is_some() != (role == CookieRole::Switch) {
            return Err(ModelError::at(
                "a cookie entry with `role = \"switch\"` names the `flag` it switches (`secure` or `http-only`), and only it does",
                at,
            ));
        }
        let flags = [CookieAttribute::Secure, CookieAttribute::HttpOnly];
        if role == CookieRole::Build && flags.iter().any(|f| spec.attribute_methods.get(f).is_none_or(Vec::is_empty)) {
            return Err(ModelError::at("a cookie builder's `attribute-methods` name the methods that set `secure` and `http-only`", at));
        }
        if spec.receivers.iter().any(|r| r.strip_prefix("*.").unwrap_or(r).is_empty() || r.contains(char::is_whitespace)) {
            return Err(ModelError::at("a cookie entry's `receivers` are names (`res`) or `*.member` (`*.cookies`)", at));
        }
        let knowledge = self.language_mut(language);
        knowledge.remember(&callees);
        if role == CookieRole::Build {
            // The type a builder is made from (`Cookie` of `Cookie::build`) and those it is handed on as.
            let owners = callees.iter().filter_map(|c| c.written.rsplit("::").nth(1).map(str::to_string));
            for ty in owners.chain(spec.builder_types.iter().cloned()) {
                if !knowledge.cookie_types.contains(&ty) {
                    knowledge.cookie_types.push(ty);
                }
            }
            for ty in &spec.builder_types {
                if !knowledge.cookie_builder_types.contains(ty) {
                    knowledge.cookie_builder_types.push(ty.clone());
                }
            }
        }
        for callee in callees {
            knowledge.cookies.push(Cookie { callee, role, parameters: spec.clone(), from: from.clone() });
        }
        Ok(())
    }

    fn add_query(&mut self, spec: &QuerySpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let role = *spec.role.get_ref();
        let at = Some(spec.role.span());
        let bounded = !spec.bound_options.is_empty() || !spec.bound_methods.is_empty();
        // A runner's chain may hold a method that bounds its rows too (TypeORM's `whereInIds`).
        let runner_bound = role == QueryRole::Runner && spec.bound_options.is_empty();
        if (role == QueryRole::List) != bounded && !runner_bound {
            return Err(ModelError::at(
                "a query entry with `role = \"list\"` says what bounds its rows (`bound-options`, `bound-methods`), and only it (or a `runner`, by `bound-methods`) does",
                at,
            ));
        }
        let rust_start = spec.sql_text
            || !spec.sql_macros.is_empty()
            || !spec.builder_methods.is_empty()
            || !spec.root_paths.is_empty()
            || !spec.root_calls.is_empty();
        if rust_start {
            if role != QueryRole::Runner || context.language_of(&spec.callee())? != Language::Rust {
                return Err(ModelError::at(
                    "`sql-text`, `sql-macros`, `builder-methods`, `root-paths` and `root-calls` are for Rust query entries with `role = \"runner\"`",
                    at,
                ));
            }
        } else if role == QueryRole::Runner && spec.after.is_none() {
            return Err(ModelError::at(
                "a query entry with `role = \"runner\"` says how its chain starts: the method that starts its builder (`after`), or in Rust `sql-text`, `builder-methods`, `root-paths` or `root-calls`",
                at,
            ));
        }
        if spec.after.is_some() && !matches!(role, QueryRole::Runner | QueryRole::Write) {
            return Err(ModelError::at(
                "`after` (the method a chain must have called first) is for `runner` and `write` query entries",
                at,
            ));
        }
        let entry = |callee| Query { callee, role, parameters: spec.clone(), from: from.clone() };
        self.add_plain_calls(&spec.callee(), context, "a query entry", |k| &mut k.queries, entry)
    }

    fn add_validator(&mut self, spec: &ValidatorSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let at = Some(spec.role.span());
        if !spec.not_receivers.is_empty()
            && spec.methods.is_empty()
            && !spec.functions.iter().chain(&spec.function).any(|f| f.get_ref().starts_with("*."))
        {
            return Err(ModelError::at("a validator's `not-receivers` are for `methods` (a method of any receiver)", at));
        }
        let role = *spec.role.get_ref();
        if spec.without_arguments && role != ValidatorRole::AcceptsAnything {
            return Err(ModelError::at("a validator's `without-arguments` is for `role = \"accepts-anything\"`", at));
        }
        check_pipe_keys(spec, role, context)?;
        let callee = spec.callee();
        let names_calls = callee.function.is_some() || !callee.functions.is_empty() || !callee.methods.is_empty();
        let names_types = !spec.types.is_empty() || !spec.field_reads.is_empty();
        if (role == ValidatorRole::Untyped) != names_types || (names_types && names_calls) {
            return Err(ModelError::at(
                "a validator with `role = \"untyped\"` names payload `types` and their `field-reads` (and no calls); other roles do not",
                at,
            ));
        }
        if role == ValidatorRole::Untyped {
            if entry_language(spec.language.as_ref(), context, at.clone())? != Language::Rust {
                return Err(ModelError::at("`untyped` validator entries name Rust payload types", at));
            }
            if spec.types.is_empty() || spec.field_reads.is_empty() {
                return Err(ModelError::at("an `untyped` validator entry names both its `types` and their `field-reads`", at));
            }
            plain_names(&spec.types, "type", "a type's last segment, without a path or generics")?;
            self.rust.untyped_payloads.push(UntypedPayload {
                types: spec.types.iter().map(|t| t.get_ref().clone()).collect(),
                field_reads: spec.field_reads.clone(),
                from: from.clone(),
            });
            return Ok(());
        }
        let names_decorators = !spec.decorators.is_empty();
        if (role == ValidatorRole::NotValidating) != names_decorators || (names_decorators && names_calls) {
            return Err(ModelError::at(
                "a validator with `role = \"not-validating\"` names property `decorators` (and no calls); other roles name calls",
                at,
            ));
        }
        if role == ValidatorRole::NotValidating {
            if entry_language(spec.language.as_ref(), context, at.clone())? != Language::Typescript {
                return Err(ModelError::at("`not-validating` decorators are TypeScript property decorators", at));
            }
            plain_names(&spec.decorators, "decorator", "a name, without `@` or arguments")?;
            for name in &spec.decorators {
                self.typescript.non_validating_decorators.push((name.get_ref().clone(), from.clone()));
            }
            return Ok(());
        }
        let entry = |callee| Validator { callee, role, parameters: spec.clone(), from: from.clone() };
        let language = context.language_of(&spec.callee())?;
        let before = self.language_mut(language).validators.entries.len();
        self.add_plain_calls(&spec.callee(), context, "a validator", |k| &mut k.validators, entry)?;
        if role == ValidatorRole::Pipe {
            let k = self.language_mut(language);
            k.pipes.extend(before..k.validators.entries.len());
        }
        Ok(())
    }

    fn add_guard(&mut self, spec: &GuardSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let role = *spec.role.get_ref();
        let at = Some(spec.role.span());
        let callee = spec.callee();
        let names_calls = callee.function.is_some() || !callee.functions.is_empty() || !callee.methods.is_empty();
        if !role.is_type_role() {
            if !spec.types.is_empty() {
                return Err(ModelError::at(
                    format!("a guard with `role = \"{}\"` names calls (`function`, `functions`, `methods`), not `types`", role.name()),
                    at,
                ));
            }
            let language = context.language_of(&callee)?;
            if matches!(role, GuardRole::Mount | GuardRole::Stack) && language != Language::Rust {
                return Err(ModelError::at(format!("a guard with `role = \"{}\"` is a Rust call", role.name()), at));
            }
            let entry = |callee| Guard { callee, role, from: from.clone() };
            return self.add_plain_calls(&callee, context, "a guard", |k| &mut k.guards, entry);
        }
        let language = entry_language(spec.language.as_ref(), context, at.clone())?;
        if language != Language::Rust || names_calls || spec.types.is_empty() {
            return Err(ModelError::at(
                format!("a guard with `role = \"{}\"` is about Rust handler parameters: it names `types`, not calls", role.name()),
                at,
            ));
        }
        let module = spec.module.as_ref().map(|m| m.get_ref().trim().to_string());
        plain_names(&spec.types, "guard type", "a type's name, without its path")?;
        for ty in &spec.types {
            let name = ty.get_ref().clone();
            self.rust.guard_types.push(GuardType { name, module: module.clone(), role, from: from.clone() });
        }
        Ok(())
    }

    fn add_route(&mut self, spec: &RouteSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let role = *spec.role.get_ref();
        let at = Some(spec.role.span());
        let callee = spec.callee();
        let names_calls = callee.function.is_some() || !callee.functions.is_empty() || !callee.methods.is_empty();
        let language = entry_language(spec.language.as_ref(), context, at.clone())?;
        let only = |key: &str, roles: &[RouteRole]| -> Result<(), ModelError> {
            let names: Vec<&str> = roles.iter().map(|r| r.name()).collect();
            Err(ModelError::at(format!("a route's `{key}` is for `role = \"{}\"`", names.join("\"`/`\"")), at.clone()))
        };
        if spec.http_method.is_some() && role != RouteRole::Method {
            only("http-method", &[RouteRole::Method])?;
        }
        if (spec.path_argument.is_some() || spec.method_argument.is_some())
            && (role != RouteRole::Method || language != Language::Typescript)
        {
            return Err(ModelError::at("a route's `path-argument` and `method-argument` are for TypeScript `role = \"method\"` calls", at));
        }
        if spec.method_argument.is_some() && spec.http_method.is_some() {
            return Err(ModelError::at("a route takes its HTTP method from `http-method` or from `method-argument`, not both", at));
        }
        if spec.method_argument.is_some() && spec.method_argument == spec.path_argument.or(Some(0)) {
            return Err(ModelError::at("a route's `method-argument` and `path-argument` are different arguments", at));
        }
        if (spec.hook_argument || spec.covers.is_some()) && role != RouteRole::Mount {
            only(if spec.hook_argument { "hook-argument" } else { "covers" }, &[RouteRole::Mount])?;
        }
        if !spec.hook_options.is_empty() && !matches!(role, RouteRole::Method | RouteRole::Options) {
            only("hook-options", &[RouteRole::Method, RouteRole::Options])?;
        }
        if (spec.handler_option.is_some() || spec.path_option.is_some()) != (role == RouteRole::Options) {
            return Err(ModelError::at(
                "a route with `role = \"options\"` names its `handler-option` and `path-option`, and only it does",
                at,
            ));
        }
        let typescript_only =
            matches!(role, RouteRole::Options | RouteRole::Controller) || spec.hook_argument || !spec.hook_options.is_empty();
        if language == Language::Rust && typescript_only {
            return Err(ModelError::at("a Rust route entry is a `method`, `mount`, `path` or `handler`, without hooks or options", at));
        }
        if language == Language::Typescript && role == RouteRole::Handler {
            return Err(ModelError::at("a route with `role = \"handler\"` is Rust (actix-web's `.to(handler)`)", at));
        }
        if !spec.decorators.is_empty() {
            let mounts = role == RouteRole::Mount && language == Language::Typescript && spec.covers.is_none() && !spec.hook_argument;
            if names_calls || !(matches!(role, RouteRole::Method | RouteRole::Controller) || mounts) {
                return Err(ModelError::at(
                    "route `decorators` are method (`role = \"method\"`) or class (`role = \"controller\"`) decorators, TypeScript decorators that mount middleware on what they decorate (`role = \"mount\"`, without `covers`), or Rust route attributes, without calls",
                    at,
                ));
            }
            plain_names(&spec.decorators, "decorator", "a name, without `@`, `#[..]`, a path or arguments")?;
            for name in &spec.decorators {
                self.language_mut(language).route_decorators.push(RouteDecorator {
                    name: name.get_ref().clone(),
                    role,
                    http_method: spec.http_method.clone(),
                    from: from.clone(),
                });
            }
            return Ok(());
        }
        if role == RouteRole::Controller {
            return Err(ModelError::at("a route with `role = \"controller\"` names class `decorators`", at));
        }
        match language {
            // A router is any receiver: what makes a call a route is its path argument.
            Language::Typescript => {
                let by_method =
                    !callee.methods.is_empty() || callee.functions.iter().chain(callee.function).all(|f| f.get_ref().starts_with("*."));
                if !names_calls || !by_method {
                    return Err(ModelError::at(
                        "a route entry names router `methods` (a router is any receiver), or NestJS-style `decorators`",
                        callee.at().or(at),
                    ));
                }
            }
            // Routing functions are imported under their own names (`use axum::routing::post`)
            // and written through any path (`routing::post`, `web::post`): matched by the name.
            Language::Rust => {
                let names = callee.functions.iter().chain(callee.function).chain(callee.methods);
                plain_names(names, "Rust route name", "a function, method or attribute name, without a path")?;
                if !names_calls || callee.module.is_some() {
                    return Err(ModelError::at(
                        "a Rust route entry names `functions`, `methods` or attribute `decorators`, without a `module`",
                        at,
                    ));
                }
            }
        }
        // Files importing the framework serve routes (a client's `.post("/login", body)` does not).
        let knowledge = self.language_mut(language);
        for module in context.modules {
            if !knowledge.route_modules.contains(module) {
                knowledge.route_modules.push(module.clone());
            }
        }
        let entry = |callee| Route { callee, role, parameters: spec.clone(), from: from.clone() };
        self.add_plain_calls(&callee, context, "a route", |k| &mut k.routes, entry)
    }

    fn add_response(&mut self, spec: &ResponseSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let callee = spec.callee();
        let at = callee.at();
        if context.language_of(&callee)? != Language::Typescript {
            return Err(ModelError::at("a response entry is a TypeScript call (Rust responses are read by the rule)", at));
        }
        if spec.status_argument.is_some() && spec.status_option.is_some() {
            return Err(ModelError::at(
                "a response's status is an argument (`status-argument`) or an option (`status-option`), not both",
                at,
            ));
        }
        if spec.options_argument.is_some() && spec.status_option.is_none() && spec.body_option.is_none() {
            return Err(ModelError::at(
                "a response's `options-argument` is where its `status-option` or `body-option` is: it needs one",
                at,
            ));
        }
        let by_method = !spec.methods.is_empty() || spec.functions.iter().chain(&spec.function).any(|f| f.get_ref().starts_with("*."));
        if !spec.receivers.is_empty() && !by_method {
            return Err(ModelError::at("a response's `receivers` are for `methods` (a method of any receiver)", at));
        }
        let entry = |callee| Response { callee, parameters: spec.clone(), from: from.clone() };
        self.add_plain_calls(&callee, context, "a response", |k| &mut k.responses, entry)
    }

    fn add_cache(&mut self, spec: &CacheSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let at = spec.callee().at();
        if spec.what.trim().is_empty() {
            return Err(ModelError::at("a cache entry's `what` (how messages name the cache) is empty", at));
        }
        let says = [!spec.bound_options.is_empty(), !spec.bound_methods.is_empty(), spec.unbounded];
        if says.iter().filter(|s| **s).count() != 1 {
            return Err(ModelError::at(
                "a cache entry says what bounds the cache (`bound-options` or, for a builder, `bound-methods`) or that it has no bound (`unbounded = true`)",
                at,
            ));
        }
        if spec.entry_ttl_method.is_some() != spec.entry_ttl_argument.is_some() {
            return Err(ModelError::at("a cache entry gives `entry-ttl-method` and `entry-ttl-argument` together", at));
        }
        if spec.attribute {
            let callee = spec.callee();
            let names: Vec<_> = callee.functions.iter().chain(callee.function).collect();
            let language = context.language_of(&callee)?;
            if language != Language::Rust || names.is_empty() || !callee.methods.is_empty() || spec.bound_options.is_empty() {
                return Err(ModelError::at(
                    "a cache `attribute` is a Rust attribute macro named by `function`, with the arguments that bound it (`bound-options`)",
                    at,
                ));
            }
            plain_names(names.iter().copied(), "cache attribute", "a name, without `#[..]` or a path")?;
            for name in names {
                let module = callee.module.map(|m| m.get_ref().clone());
                self.rust.cache_attributes.push((name.get_ref().clone(), module, spec.clone(), from.clone()));
            }
            return Ok(());
        }
        let entry = |callee| Cache { callee, parameters: spec.clone(), from: from.clone() };
        self.add_plain_calls(&spec.callee(), context, "a cache entry", |k| &mut k.caches, entry)
    }

    fn add_graphql(&mut self, spec: &GraphqlSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let at = spec.callee().at();
        if spec.library.trim().is_empty() {
            return Err(ModelError::at("a graphql entry's `library` (how messages name it) is empty", at));
        }
        let schema = spec.unlimited || !spec.limit_methods.is_empty();
        if spec.ide_page && (spec.plugin || !spec.switches.is_empty() || !spec.limit_options.is_empty() || schema) {
            return Err(ModelError::at(
                "a graphql entry is a server (with `switches`, `limit-options`), a schema (`limit-methods`, `unlimited`) or an IDE page (`ide-page = true`), not two of them",
                at,
            ));
        }
        if spec.unlimited && !spec.limit_methods.is_empty() {
            return Err(ModelError::at(
                "a graphql entry starts a builder that can be limited (`limit-methods`) or makes a schema that cannot (`unlimited = true`), not both",
                at,
            ));
        }
        if spec.limit_methods.is_empty() != spec.finish_methods.is_empty() {
            return Err(ModelError::at(
                "a graphql schema builder names the methods that limit it (`limit-methods`) and those that finish it (`finish-methods`), both or neither",
                at,
            ));
        }
        let language = context.language_of(&spec.callee())?;
        if (spec.file_uses.is_some() || spec.help.is_some()) && (language != Language::Rust || !schema) {
            return Err(ModelError::at("a graphql entry's `file-uses` and `help` are for Rust schemas (`limit-methods`, `unlimited`)", at));
        }
        let entry = |callee| Graphql { callee, parameters: spec.clone(), from: from.clone() };
        self.add_plain_calls(&spec.callee(), context, "a graphql entry", |k| &mut k.graphql, entry)
    }

    fn add_hasher(&mut self, spec: &HasherSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        if context.language_of(&spec.callee())? == Language::Rust {
            // `plaintext-password` follows request data into Rust stores; a hasher's result is
            // not request data already, so there is nothing for an entry to say.
            return Err(ModelError::at(
                "`hashers` entries are for TypeScript: in Rust, what a hash function returns is not request data already",
                spec.callee().at(),
            ));
        }
        self.add_plain_calls(&spec.callee(), context, "a hasher", |k| &mut k.hashers, |callee| Hasher { callee, from: from.clone() })
    }

    fn add_tls_switch(&mut self, spec: &TlsSwitchSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let named = spec.option.as_ref().or(spec.method.as_ref());
        let at = named.map(|n| n.span());
        let language = entry_language(spec.language.as_ref(), context, at.clone())?;
        let name = match (language, &spec.option, &spec.method) {
            (Language::Typescript, Some(option), None) => option,
            (Language::Rust, None, Some(method)) => method,
            _ => return Err(ModelError::at("a TLS switch names a TypeScript `option` or a Rust builder `method`, one of them", at)),
        };
        if !is_identifier(name.get_ref()) {
            return Err(ModelError::at(format!("bad TLS switch name `{}`", name.get_ref()), Some(name.span())));
        }
        self.language_mut(language).tls_switches.push((name.get_ref().clone(), spec.off_when, from.clone()));
        Ok(())
    }

    fn add_token_switch(&mut self, spec: &TokenSwitchSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let named = spec.option.as_ref().or(spec.field.as_ref()).or(spec.method.as_ref());
        let at = named.map(|n| n.span());
        let language = entry_language(spec.language.as_ref(), context, at.clone())?;
        let (place, name) = match (language, &spec.option, &spec.field, &spec.method) {
            (Language::Typescript, Some(option), None, None) => (SwitchPlace::Option, option),
            (Language::Rust, None, Some(field), None) => (SwitchPlace::Field, field),
            (Language::Rust, None, None, Some(method)) => (SwitchPlace::Method, method),
            _ => return Err(ModelError::at("a token switch names a TypeScript `option`, or a Rust `field` or `method`, one of them", at)),
        };
        if !is_identifier(name.get_ref()) {
            return Err(ModelError::at(format!("bad token switch name `{}`", name.get_ref()), Some(name.span())));
        }
        let off_when = spec.off_when.as_ref().map(|v| *v.get_ref());
        let fits = match (place, off_when) {
            (SwitchPlace::Option, Some(value)) => value != SwitchValue::Empty,
            (SwitchPlace::Field, Some(value)) => value != SwitchValue::None,
            (SwitchPlace::Method, value) => matches!(value, None | Some(SwitchValue::Empty)),
            (_, None) => false,
        };
        if !fits {
            let at = spec.off_when.as_ref().map_or(Some(name.span()), |v| Some(v.span()));
            return Err(ModelError::at(
                "a token switch's `off-when` is `true`, `false` or `none` for an option, `true`, `false` or `empty` for a field, and absent or `empty` for a method",
                at,
            ));
        }
        self.language_mut(language).token_switches.push(TokenSwitch {
            name: name.get_ref().clone(),
            place,
            disables: spec.disables,
            off_when,
            from: from.clone(),
        });
        Ok(())
    }

    fn add_body_reader(&mut self, spec: &BodyReaderSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let at = Some(spec.framework.span());
        let language = entry_language(spec.language.as_ref(), context, at.clone())?;
        let rust = !spec.extractors.is_empty() || !spec.body_types.is_empty() || !spec.streaming.is_empty();
        let typescript = !spec.getters.is_empty()
            || !spec.servers.is_empty()
            || !spec.validators.is_empty()
            || !spec.body_targets.is_empty()
            || spec.limit_help.is_some();
        match language {
            Language::Rust if typescript || !rust => {
                return Err(ModelError::at(
                    "a Rust body reader names `extractors` or `body-types` (and `streaming`, and the crate of the framework's app as `module`), not `getters`, `servers` or `validators`",
                    at,
                ));
            }
            Language::Typescript if rust || spec.getters.is_empty() => {
                return Err(ModelError::at(
                    "a TypeScript body reader names the request's `getters` (and the `module`), not extractor types",
                    at,
                ));
            }
            _ => {}
        }
        if spec.validators.is_empty() != spec.body_targets.is_empty() {
            return Err(ModelError::at("a body reader's `validators` and `body-targets` go together: which arguments read the body", at));
        }
        if let Some(bad) =
            spec.servers.iter().chain(&spec.validators).find(|f| f.rsplit_once('.').is_none_or(|(m, f)| m.is_empty() || !is_identifier(f)))
        {
            return Err(ModelError::at(format!("bad body reader function `{bad}`: expected `module.function`"), at));
        }
        self.language_mut(language).body_readers.push((spec.clone(), from.clone()));
        Ok(())
    }

    fn add_internal_error(&mut self, spec: &InternalErrorSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let language = entry_language(spec.language.as_ref(), context, Some(spec.type_name.span()))?;
        if language != Language::Rust {
            return Err(ModelError::at("an internal error type is a Rust type (`language = \"rust\"`)", Some(spec.type_name.span())));
        }
        let written: String = spec.type_name.get_ref().chars().filter(|c| !c.is_whitespace()).collect();
        if written.is_empty() {
            return Err(ModelError::at("an internal error's `type` is empty", Some(spec.type_name.span())));
        }
        self.language_mut(language).internal_errors.push((written, from.clone()));
        Ok(())
    }

    fn add_limiter(&mut self, spec: &LimiterSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let (language, module) = module_entry(spec.language.as_ref(), &spec.module, context, "limiter")?;
        self.language_mut(language).limiters.push((module, from.clone()));
        Ok(())
    }

    fn add_package(&mut self, spec: &PackageSpec, context: &FileContext<'_>, from: &Provenance) -> Result<(), ModelError> {
        let (language, module) = module_entry(spec.language.as_ref(), &spec.module, context, "package")?;
        if spec.provides.get_ref().is_empty() {
            return Err(ModelError::at(
                "`provides` names nothing: expected \"health-check\", \"graceful-shutdown\", \"security-headers\", \"nosql-sanitizing\", \"route-schemas\" or \"redacted-secrets\"",
                Some(spec.provides.span()),
            ));
        }
        if !spec.options_off.is_empty() {
            if !spec.provides.get_ref().contains(&Capability::SecurityHeaders) {
                return Err(ModelError::at(
                    "a package's `options-off` are a security-header middleware's: it needs `provides = [\"security-headers\"]`",
                    Some(spec.module.span()),
                ));
            }
            self.language_mut(language).header_switches.push((module.clone(), spec.options_off.clone()));
        }
        if !spec.exposed_by.is_empty() {
            if !spec.provides.get_ref().contains(&Capability::RedactedSecrets) {
                return Err(ModelError::at(
                    "a package's `exposed-by` are the methods that read its redacted secrets out: it needs `provides = [\"redacted-secrets\"]`",
                    Some(spec.module.span()),
                ));
            }
            for method in &spec.exposed_by {
                if !is_identifier(method) {
                    return Err(ModelError::at(
                        format!("bad method `{method}` in `exposed-by`: a method's name"),
                        Some(spec.module.span()),
                    ));
                }
                let exposers = &mut self.language_mut(language).secret_exposers;
                if !exposers.contains(method) {
                    exposers.push(method.clone());
                }
            }
        }
        if let Some(switch) = &spec.switched_on_by {
            if language != Language::Typescript || !is_identifier(&switch.function) {
                return Err(ModelError::at(
                    "`switched-on-by` names a TypeScript package's function by its name under the package (`set`)",
                    Some(spec.module.span()),
                ));
            }
            self.language_mut(language).package_switches.push(PackageSwitch {
                module,
                function: switch.function.clone(),
                setting: switch.setting.clone(),
                provides: spec.provides.get_ref().clone(),
                from: from.clone(),
            });
            return Ok(());
        }
        self.language_mut(language).packages.push((module, spec.provides.get_ref().clone(), from.clone()));
        Ok(())
    }
}

/// The language of an entry that names no call (a module, a type, an option): its own, or its
/// model file's; `at` is where an error about it points.
fn entry_language(
    given: Option<&toml::Spanned<Language>>,
    context: &FileContext<'_>,
    at: Option<std::ops::Range<usize>>,
) -> Result<Language, ModelError> {
    match (given, context.language) {
        (Some(language), _) => Ok(*language.get_ref()),
        (None, Some(language)) => Ok(language),
        (None, None) => Err(ModelError::at("every `[[models.*]]` entry needs `language` (\"rust\" or \"typescript\")", at)),
    }
}

/// The language and module of an entry that names a module (`[[limiters]]`, `[[packages]]`):
/// the entry's own language or its file's, and a module path without spaces.
fn module_entry(
    language: Option<&toml::Spanned<Language>>,
    module: &toml::Spanned<String>,
    context: &FileContext<'_>,
    entry: &str,
) -> Result<(Language, String), ModelError> {
    let language = entry_language(language, context, Some(module.span()))?;
    let name = module.get_ref().trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(ModelError::at(format!("bad {entry} module `{name}`: expected an import path or a crate path"), Some(module.span())));
    }
    Ok((language, name.to_string()))
}

/// What an entry is read against: the model file's language and module prefixes.
struct FileContext<'f> {
    language: Option<Language>,
    modules: &'f [String],
    builtin: bool,
}

impl FileContext<'_> {
    /// The language and the compiled callees of an entry that must name calls (`what` is how
    /// the error names the entry, `span` where it points when none is named).
    fn named_calls(
        &self,
        spec: &CalleeSpec<'_>,
        what: &str,
        span: Option<std::ops::Range<usize>>,
    ) -> Result<(Language, Vec<Callee>), ModelError> {
        let language = self.language_of(spec)?;
        let callees = self.callees(spec, language)?;
        if callees.is_empty() {
            return Err(ModelError::at(format!("{what} needs `function`, `functions` or `methods`"), span));
        }
        Ok((language, callees))
    }

    fn language_of(&self, callee: &CalleeSpec<'_>) -> Result<Language, ModelError> {
        match (self.language, callee.language) {
            (Some(_), Some(given)) => Err(ModelError::at("`language` is set once for the whole model file", Some(given.span()))),
            (Some(language), None) => Ok(language),
            (None, Some(given)) => Ok(*given.get_ref()),
            (None, None) => Err(ModelError::at(
                "every `[[models.*]]` entry needs `language = \"rust\"` or `language = \"typescript\"`",
                callee.function.map(|f| f.span()),
            )),
        }
    }

    /// The entry's callees, compiled.
    fn callees(&self, spec: &CalleeSpec<'_>, language: Language) -> Result<Vec<Callee>, ModelError> {
        let module = spec.module.map(|m| m.get_ref().clone());
        if let Some(m) = spec.module {
            if m.get_ref().trim().is_empty() {
                return Err(ModelError::at("`module` is empty", Some(m.span())));
            }
        }
        let mut callees = Vec::new();
        for written in spec.function.into_iter().chain(spec.functions) {
            let text = written.get_ref().trim();
            let bad = |why: &str| ModelError::at(format!("bad function pattern `{text}`: {why}"), Some(written.span()));
            if text.is_empty() {
                return Err(bad("it is empty"));
            }
            if let Some(method) = text.strip_prefix("*.").or_else(|| text.strip_prefix("*::")) {
                if !is_identifier(method) {
                    return Err(bad("after `*.` comes one method name"));
                }
                callees.push(Callee { written: format!("*.{method}"), form: Form::Method(method.to_string()), module: module.clone() });
                continue;
            }
            let separator = language.separator();
            let segments: Vec<String> = text.split(separator).map(str::to_string).collect();
            if segments.iter().any(|s| s.is_empty() || s.contains('*') || s.contains(char::is_whitespace)) {
                let other =
                    if language == Language::Rust { "`Type::method` or `module::function`" } else { "`module.function` or `Type.method`" };
                return Err(bad(&format!("expected a name like {other}, or `*.method`")));
            }
            if self.builtin && language == Language::Typescript {
                // Built-in TypeScript names are whole qualified names, under each module prefix.
                // An entry's own `module` narrows the file's prefixes to that one.
                let prefixes = match &module {
                    Some(module) => std::slice::from_ref(module),
                    None => self.modules,
                };
                if prefixes.is_empty() {
                    callees.push(Callee {
                        written: text.to_string(),
                        form: Form::Exact { name: text.to_string(), imported: false },
                        module: None,
                    });
                } else {
                    for prefix in prefixes {
                        let name = if text == "default" { prefix.clone() } else { format!("{prefix}.{text}") };
                        callees.push(Callee { written: name.clone(), form: Form::Exact { name, imported: true }, module: None });
                    }
                }
            } else {
                callees.push(Callee { written: text.to_string(), form: Form::Suffix(segments), module: module.clone() });
            }
        }
        for written in spec.methods {
            let method = written.get_ref().trim();
            if !is_identifier(method) {
                return Err(ModelError::at(format!("bad method name `{method}`"), Some(written.span())));
            }
            callees.push(Callee { written: format!("*.{method}"), form: Form::Method(method.to_string()), module: module.clone() });
        }
        Ok(callees)
    }
}

/// That every one of `names` is a plain name (an identifier), or an error at the first that is
/// not: "bad {what} `..`: {why}".
fn plain_names<'a>(names: impl IntoIterator<Item = &'a toml::Spanned<String>>, what: &str, why: &str) -> Result<(), ModelError> {
    match names.into_iter().find(|name| !is_identifier(name.get_ref())) {
        Some(bad) => Err(ModelError::at(format!("bad {what} `{}`: {why}", bad.get_ref()), Some(bad.span()))),
        None => Ok(()),
    }
}

fn is_identifier(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// A validator's pipe keys: only for `role = "pipe"`, a TypeScript class that names the
/// decorators whose parameters it checks; decorator and option names are plain names.
fn check_pipe_keys(spec: &ValidatorSpec, role: ValidatorRole, context: &FileContext<'_>) -> Result<(), ModelError> {
    let at = Some(spec.role.span());
    let pipe_keys =
        [&spec.parameter_decorators, &spec.global_methods, &spec.global_providers, &spec.route_decorators, &spec.strict_options];
    let has_pipe_keys = spec.framework.is_some() || pipe_keys.iter().any(|keys| !keys.is_empty());
    if role != ValidatorRole::Pipe {
        if has_pipe_keys {
            return Err(ModelError::at(
                "`framework`, `parameter-decorators`, `global-methods`, `global-providers`, `route-decorators` and `strict-options` are for `role = \"pipe\"`",
                at,
            ));
        }
        return Ok(());
    }
    if context.language_of(&spec.callee())? != Language::Typescript {
        return Err(ModelError::at("a `pipe` validator is a TypeScript class (NestJS's `ValidationPipe`)", at));
    }
    if spec.parameter_decorators.is_empty() {
        return Err(ModelError::at("a `pipe` validator names the `parameter-decorators` whose values it checks (`Body`, `Query`)", at));
    }
    plain_names(
        pipe_keys.iter().flat_map(|keys| keys.iter()),
        "name",
        "a decorator, method, token or option name, without `@`, dots or arguments",
    )
}
