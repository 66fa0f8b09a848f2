//! `archlint models`: every entry in force, per language and section, with where it comes from.

use super::*;

impl Knowledge {
    /// Every entry, for `archlint models`.
    pub fn listing(&self) -> Listing<'_> {
        let mut entries = Vec::new();
        for language in [Language::Rust, Language::Typescript] {
            let k = self.language(language);
            for s in &k.source_calls.entries {
                entries.push(ListedEntry {
                    language,
                    section: "source",
                    kind: None,
                    name: s.callee.shown(),
                    detail: String::new(),
                    from: &s.from,
                });
            }
            for o in &k.source_objects {
                let mut names: Vec<String> = o.members.iter().map(|m| format!("{}.{m}", o.role)).collect();
                names.extend(o.getters.iter().map(|g| format!("{}.{g}()", o.role)));
                let mut detail = if o.types.is_empty() { String::new() } else { format!("types: {}", o.types.join(", ")) };
                let marking: Vec<&str> = o.types.iter().filter(|n| k.marks_handler(n)).map(String::as_str).collect();
                if !marking.is_empty() {
                    detail.push_str(&format!("; an async function taking {} is a handler", marking.join(", ")));
                }
                let mut taking = Vec::new();
                taking.extend(o.exported_handlers.iter().map(|e| format!("the exported `{e}`")));
                taking.extend(o.registered_by.iter().map(|r| format!("methods of the object `{r}` registers")));
                if !taking.is_empty() {
                    let separator = if detail.is_empty() { "" } else { "; " };
                    detail.push_str(&format!("{separator}taken first by {}", taking.join(", ")));
                }
                entries.push(ListedEntry { language, section: "source", kind: None, name: names.join(", "), detail, from: &o.from });
            }
            for d in &k.decorators {
                let names = d.names.iter().map(|n| format!("@{n}()")).collect::<Vec<_>>().join(", ");
                let mut detail = "parameter decorators".to_string();
                if !d.handler_decorators.is_empty() {
                    let handlers = d.handler_decorators.iter().map(|n| format!("@{n}")).collect::<Vec<_>>().join(", ");
                    detail.push_str(&format!("; an undecorated first parameter of a method with {handlers} too"));
                }
                entries.push(ListedEntry { language, section: "source", kind: None, name: names, detail, from: &d.from });
            }
            for e in &k.extractors {
                let mut detail = e.framework.as_ref().map(|f| format!("{f} handlers")).unwrap_or_default();
                if e.validated {
                    detail = format!("validating, from `{}`", e.module.as_deref().unwrap_or(""));
                }
                let marking: Vec<&str> = e.names.iter().filter(|n| k.marks_handler(n)).map(String::as_str).collect();
                if !marking.is_empty() {
                    detail.push_str(&format!("; an async function taking {} is a handler", marking.join(", ")));
                }
                entries.push(ListedEntry { language, section: "source", kind: None, name: e.names.join(", "), detail, from: &e.from });
            }
            for s in &k.sinks.entries {
                let mut detail = format!("argument {}", s.arguments.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "));
                if let Some(option) = &s.when_option {
                    detail.push_str(&format!("; only with option `{option}`"));
                }
                if let Some(option) = &s.unless_option {
                    detail.push_str(&format!("; not with option `{option}`"));
                }
                if !s.certain {
                    detail.push_str("; when the argument reads as this kind");
                }
                entries.push(ListedEntry {
                    language,
                    section: "sink",
                    kind: Some(s.kind.name().to_string()),
                    name: s.callee.shown(),
                    detail,
                    from: &s.from,
                });
            }
            for s in &k.sanitizers.entries {
                let kind =
                    if s.kinds.is_all() { "all".to_string() } else { s.kinds.iter().map(SinkKind::name).collect::<Vec<_>>().join(",") };
                entries.push(ListedEntry {
                    language,
                    section: "sanitizer",
                    kind: Some(kind),
                    name: s.callee.shown(),
                    detail: String::new(),
                    from: &s.from,
                });
            }
            for c in &k.clients.entries {
                let detail =
                    format!("timeout: {}", c.timeout_options.iter().chain(&c.timeout_methods).cloned().collect::<Vec<_>>().join(", "));
                entries.push(ListedEntry { language, section: "client", kind: None, name: c.callee.shown(), detail, from: &c.from });
            }
            for c in &k.connections.entries {
                entries.push(ListedEntry {
                    language,
                    section: "connection",
                    kind: Some(c.kind.name().to_string()),
                    name: c.callee.shown(),
                    detail: match c.writes_without_expiry.is_empty() {
                        true => c.what.clone(),
                        false => format!("{}; writes without expiry: {}", c.what, c.writes_without_expiry.join(", ")),
                    },
                    from: &c.from,
                });
            }
            for l in &k.loggers.entries {
                entries.push(ListedEntry {
                    language,
                    section: "logger",
                    kind: None,
                    name: l.callee.shown(),
                    detail: String::new(),
                    from: &l.from,
                });
            }
            for h in &k.hashers.entries {
                entries.push(ListedEntry {
                    language,
                    section: "hasher",
                    kind: None,
                    name: h.callee.shown(),
                    detail: String::new(),
                    from: &h.from,
                });
            }
            for b in &k.blocking.entries {
                let detail = b.instead.as_ref().map(|i| format!("instead: {i}")).unwrap_or_default();
                entries.push(ListedEntry { language, section: "blocking", kind: None, name: b.callee.shown(), detail, from: &b.from });
            }
            for key in &k.keys.entries {
                let detail = match &key.holder {
                    KeyHolder::Argument(index) => format!("{}, argument {index}", key.what),
                    KeyHolder::Option { name, argument } => format!("{}, option `{name}` of argument {argument}", key.what),
                };
                entries.push(ListedEntry { language, section: "key", kind: None, name: key.callee.shown(), detail, from: &key.from });
            }
            for kdf in &k.kdfs.entries {
                entries.push(ListedEntry {
                    language,
                    section: "kdf",
                    kind: Some(kdf.algorithm.name().to_string()),
                    name: kdf.callee.shown(),
                    detail: String::new(),
                    from: &kdf.from,
                });
            }
            for token in &k.tokens.entries {
                entries.push(ListedEntry {
                    language,
                    section: "token",
                    kind: Some(token.role.name().to_string()),
                    name: token.callee.shown(),
                    detail: token.parameters.shown.clone().unwrap_or_default(),
                    from: &token.from,
                });
            }
            for graphql in &k.graphql.entries {
                let p = &graphql.parameters;
                let detail = match (p.ide_page, p.unlimited, p.limit_methods.is_empty()) {
                    (true, ..) => format!("{}, IDE page", p.library),
                    (_, true, _) => format!("{} schema, no limits", p.library),
                    (_, _, false) => format!("{} schema builder, limited by {}", p.library, p.limit_methods.join(", ")),
                    _ => format!("{} server", p.library),
                };
                entries.push(ListedEntry {
                    language,
                    section: "graphql",
                    kind: None,
                    name: graphql.callee.shown(),
                    detail,
                    from: &graphql.from,
                });
            }
            for cache in &k.caches.entries {
                let p = &cache.parameters;
                let detail = if p.unbounded {
                    format!("{}, unbounded", p.what)
                } else {
                    let bounds: Vec<&str> = p.bound_options.iter().chain(&p.bound_methods).map(String::as_str).collect();
                    format!("{}, bounded by {}", p.what, bounds.join(", "))
                };
                entries.push(ListedEntry { language, section: "cache", kind: None, name: cache.callee.shown(), detail, from: &cache.from });
            }
            for (name, _, spec, from) in &k.cache_attributes {
                let detail = format!("{}, bounded by {}", spec.what, spec.bound_options.join(", "));
                entries.push(ListedEntry { language, section: "cache", kind: None, name: format!("#[{name}]"), detail, from });
            }
            for limit in &k.body_limits.entries {
                let p = &limit.parameters;
                let detail = match (&p.limit_option, p.limit_argument, &p.required_option) {
                    (Some(option), _, _) => format!("option `{option}`"),
                    (_, Some(index), _) => format!("argument {index}"),
                    (_, _, Some(option)) => format!("requires `{option}`"),
                    _ => "removes the default limit".to_string(),
                };
                entries.push(ListedEntry {
                    language,
                    section: "body-limit",
                    kind: None,
                    name: limit.callee.shown(),
                    detail,
                    from: &limit.from,
                });
            }
            for timeout in &k.request_timeouts.entries {
                let p = &timeout.parameters;
                let detail = match (p.switched_off_by, p.default_secs) {
                    (None, _) => "bounds every request".to_string(),
                    (Some(switch), default) => {
                        let by = if switch == TimeoutSwitch::Zero { "a zero" } else { "`None`" };
                        let default = default.map(|secs| format!("; default {secs} s")).unwrap_or_default();
                        format!("switched off by {by}{default}")
                    }
                };
                entries.push(ListedEntry {
                    language,
                    section: "request-timeout",
                    kind: None,
                    name: timeout.callee.shown(),
                    detail,
                    from: &timeout.from,
                });
            }
            for cookie in &k.cookies.entries {
                let p = &cookie.parameters;
                let mut detail = Vec::new();
                if let Some(library) = &p.library {
                    detail.push(library.clone());
                }
                if !p.receivers.is_empty() {
                    detail.push(format!("on {}", p.receivers.join(", ")));
                }
                if let Some(flag) = p.flag {
                    detail.push(format!("switches {}", flag_name(flag)));
                }
                if !p.on_by_default.is_empty() {
                    let flags: Vec<&str> = p.on_by_default.iter().map(|f| flag_name(*f)).collect();
                    detail.push(format!("{} on by default", flags.join(" and ")));
                }
                entries.push(ListedEntry {
                    language,
                    section: "cookie",
                    kind: Some(cookie.role.name().to_string()),
                    name: cookie.callee.shown(),
                    detail: detail.join("; "),
                    from: &cookie.from,
                });
            }
            for query in &k.queries.entries {
                let p = &query.parameters;
                let bounds: Vec<String> =
                    p.bound_options.iter().map(|o| format!("`{o}`")).chain(p.bound_methods.iter().map(|m| format!("`.{m}(..)`"))).collect();
                // How a runner's chain starts, then what bounds it.
                let mut starts: Vec<String> = p.after.iter().map(|after| format!("a chain after `{after}`")).collect();
                if p.sql_text || !p.sql_macros.is_empty() {
                    let macros = p.sql_macros.iter().map(|m| format!("`{m}!`")).collect::<Vec<_>>();
                    starts.push(if macros.is_empty() { "SQL text".into() } else { format!("SQL text (also {})", macros.join(", ")) });
                }
                let shown = |names: &[String], wrap: &dyn Fn(&str) -> String| names.iter().map(|n| wrap(n)).collect::<Vec<_>>().join(", ");
                if !p.builder_methods.is_empty() {
                    starts.push(format!("a chain with {}", shown(&p.builder_methods, &|m| format!("`.{m}(..)`"))));
                }
                if !p.root_paths.is_empty() {
                    starts.push(format!("a chain from {}", shown(&p.root_paths, &|r| format!("`{r}`"))));
                }
                if !p.root_calls.is_empty() {
                    starts.push(format!("a chain from {}", shown(&p.root_calls, &|r| format!("`{r}()`"))));
                }
                let mut detail = Vec::new();
                if !starts.is_empty() {
                    detail.push(format!("runs {}", starts.join(" or ")));
                }
                if !bounds.is_empty() {
                    detail.push(format!("bounded by {}", bounds.join(" or ")));
                }
                let detail = detail.join("; ");
                entries.push(ListedEntry {
                    language,
                    section: "query",
                    kind: Some(query.role.name().to_string()),
                    name: query.callee.shown(),
                    detail,
                    from: &query.from,
                });
            }
            for validator in &k.validators.entries {
                let p = &validator.parameters;
                let mut detail = if p.not_receivers.is_empty() { String::new() } else { format!("not on {}", p.not_receivers.join(", ")) };
                if p.without_arguments {
                    detail.push_str("without arguments");
                }
                if validator.role == ValidatorRole::Pipe {
                    detail = pipe_detail(p);
                }
                entries.push(ListedEntry {
                    language,
                    section: "validator",
                    kind: Some(validator.role.name().to_string()),
                    name: validator.callee.shown(),
                    detail,
                    from: &validator.from,
                });
            }
            for response in &k.responses.entries {
                let p = &response.parameters;
                let mut detail = match (&p.status_argument, &p.status_option) {
                    (Some(argument), _) => format!("status at argument {argument}"),
                    (_, Some(option)) => format!("status in option `{option}`"),
                    _ => "status chained before it".to_string(),
                };
                if !p.receivers.is_empty() {
                    detail.push_str(&format!("; on {}", p.receivers.join(", ")));
                }
                entries.push(ListedEntry {
                    language,
                    section: "response",
                    kind: None,
                    name: response.callee.shown(),
                    detail,
                    from: &response.from,
                });
            }
            for (name, from) in &k.non_validating_decorators {
                entries.push(ListedEntry {
                    language,
                    section: "validator",
                    kind: Some(ValidatorRole::NotValidating.name().to_string()),
                    name: format!("@{name}"),
                    detail: String::new(),
                    from,
                });
            }
            for payload in &k.untyped_payloads {
                entries.push(ListedEntry {
                    language,
                    section: "validator",
                    kind: Some(ValidatorRole::Untyped.name().to_string()),
                    name: payload.types.join(", "),
                    detail: format!("fields read by {}", payload.field_reads.join(", ")),
                    from: &payload.from,
                });
            }
            for route in &k.routes.entries {
                let p = &route.parameters;
                let mut details = Vec::new();
                details.extend(p.http_method.as_ref().map(|m| format!("registers {m}")));
                if p.hook_argument {
                    details.push("first argument names a hook".to_string());
                }
                if let (Some(handler), Some(path)) = (&p.handler_option, &p.path_option) {
                    details.push(format!("handler in `{handler}`, path in `{path}`"));
                }
                if !p.hook_options.is_empty() {
                    details.push(format!("middleware in {}", p.hook_options.join(", ")));
                }
                entries.push(ListedEntry {
                    language,
                    section: "route",
                    kind: Some(route.role.name().to_string()),
                    name: route.callee.shown(),
                    detail: details.join("; "),
                    from: &route.from,
                });
            }
            for decorator in &k.route_decorators {
                let detail = decorator.http_method.as_ref().map(|m| format!("registers {m}")).unwrap_or_default();
                entries.push(ListedEntry {
                    language,
                    section: "route",
                    kind: Some(decorator.role.name().to_string()),
                    name: format!("@{}", decorator.name),
                    detail,
                    from: &decorator.from,
                });
            }
            for guard in &k.guards.entries {
                entries.push(ListedEntry {
                    language,
                    section: "guard",
                    kind: Some(guard.role.name().to_string()),
                    name: guard.callee.shown(),
                    detail: String::new(),
                    from: &guard.from,
                });
            }
            for ty in &k.guard_types {
                let detail = ty.module.as_ref().map(|m| format!("from {m}")).unwrap_or_default();
                entries.push(ListedEntry {
                    language,
                    section: "guard",
                    kind: Some(ty.role.name().to_string()),
                    name: ty.name.clone(),
                    detail,
                    from: &ty.from,
                });
            }
            for server in &k.servers.entries {
                let detail = if server.parameters.drains_by_default { "drains by default".to_string() } else { String::new() };
                entries.push(ListedEntry {
                    language,
                    section: "server",
                    kind: Some(server.framework.clone()),
                    name: server.callee.shown(),
                    detail,
                    from: &server.from,
                });
            }
            for (name, off_when, from) in &k.tls_switches {
                let detail = format!("off when `{off_when}`");
                entries.push(ListedEntry { language, section: "tls-switch", kind: None, name: name.clone(), detail, from });
            }
            for switch in &k.token_switches {
                let what = match switch.disables {
                    TokenCheck::Signature => "signature",
                    TokenCheck::Expiry => "expiry",
                };
                let detail = match switch.off_when {
                    Some(value) => format!("{what} check off when `{}`", format!("{value:?}").to_ascii_lowercase()),
                    None => format!("{what} check off when called"),
                };
                entries.push(ListedEntry {
                    language,
                    section: "token-switch",
                    kind: None,
                    name: switch.name.clone(),
                    detail,
                    from: &switch.from,
                });
            }
            for (reader, from) in &k.body_readers {
                let names: Vec<String> = reader.extractors.iter().chain(&reader.body_types).chain(&reader.getters).cloned().collect();
                let detail = format!("{} handlers", reader.framework.get_ref());
                entries.push(ListedEntry { language, section: "body-reader", kind: None, name: names.join(", "), detail, from });
            }
            for (ty, from) in &k.internal_errors {
                entries.push(ListedEntry {
                    language,
                    section: "internal-error",
                    kind: None,
                    name: ty.clone(),
                    detail: String::new(),
                    from,
                });
            }
            for (module, from) in &k.limiters {
                entries.push(ListedEntry { language, section: "limiter", kind: None, name: module.clone(), detail: String::new(), from });
            }
            for (module, provides, from) in &k.packages {
                let provides = provides.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ");
                entries.push(ListedEntry { language, section: "package", kind: None, name: module.clone(), detail: provides, from });
            }
            for switch in &k.package_switches {
                let provides = switch.provides.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ");
                entries.push(ListedEntry {
                    language,
                    section: "package",
                    kind: None,
                    name: switch.module.clone(),
                    detail: format!("{provides}, once `{}.{}(\"{}\", true)`", switch.module, switch.function, switch.setting),
                    from: &switch.from,
                });
            }
            for p in &k.propagators.entries {
                entries.push(ListedEntry {
                    language,
                    section: "propagator",
                    kind: None,
                    name: p.callee.shown(),
                    detail: String::new(),
                    from: &p.from,
                });
            }
        }
        Listing { entries }
    }
}

fn flag_name(flag: CookieFlag) -> &'static str {
    match flag {
        CookieFlag::Secure => "Secure",
        CookieFlag::HttpOnly => "HttpOnly",
    }
}

/// What `archlint models` prints.
pub struct Listing<'k> {
    pub entries: Vec<ListedEntry<'k>>,
}

#[derive(Serialize)]
pub struct ListedEntry<'k> {
    pub language: Language,
    /// `source`, `sink`, `sanitizer`, `propagator`, `client`, `connection`, `logger`, `hasher`,
    /// `blocking`, `key`, `kdf`, `token`, `graphql`, `cache`, `body-limit`, `request-timeout`,
    /// `cookie`, `validator`, `query`, `guard`, `response`, `route`, `body-reader`, `tls-switch`, `internal-error`, `server`, `limiter`, `package`.
    pub section: &'static str,
    /// A sink's kind; a sanitiser's kinds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
    pub from: &'k Provenance,
}

/// What a validation pipe checks and how an app installs it, for the listing.
fn pipe_detail(pipe: &ValidatorSpec) -> String {
    let names = |names: &[toml::Spanned<String>], prefix: &str| {
        names.iter().map(|n| format!("{prefix}{}", n.get_ref())).collect::<Vec<_>>().join(", ")
    };
    let mut parts = vec![format!("checks {}", names(&pipe.parameter_decorators, "@"))];
    let global: Vec<String> = pipe
        .global_methods
        .iter()
        .map(|m| format!("app.{}", m.get_ref()))
        .chain(pipe.global_providers.iter().map(|p| p.get_ref().clone()))
        .collect();
    if !global.is_empty() {
        parts.push(format!("for every route by {}", global.join(", ")));
    }
    if !pipe.route_decorators.is_empty() {
        parts.push(format!("per route by {}", names(&pipe.route_decorators, "@")));
    }
    if let Some(framework) = &pipe.framework {
        parts.push(format!("needed by {} apps", framework.get_ref()));
    }
    if !pipe.strict_options.is_empty() {
        parts.push(format!("strict with {}", names(&pipe.strict_options, "")));
    }
    parts.join("; ")
}
