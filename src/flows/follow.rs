//! The project pass over the summaries: request data passed to a function of another file is
//! followed into its parameters, through further calls, to the sinks they reach.

use super::modules::{RustModules, TsModules};
use super::{Call, Callee, ParameterSink, Passed, Returns, SinkSite, Summary};
use crate::diagnostic::{Finding, Related};
use crate::source::Span;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// How many (function, parameter) pairs one source may visit: keeps a call graph where every
/// function forwards to every other from costing more than a lint.
const MAX_VISITS_PER_SOURCE: usize = 512;
/// The rules about where a request or a redirect goes: request data behind a scheme and host
/// fixed in code (by a caller) cannot choose that.
const ORIGIN_RULES: &[&str] = &["ssrf", "open-redirect"];
/// How many re-exports a name may be followed through (`index.ts` → `services/index.ts` → ...).
const MAX_REEXPORTS: usize = 4;

/// One file's summary, for the project pass.
pub struct FileSummary<'a> {
    pub path: &'a str,
    pub summary: &'a Summary,
}

/// The findings of request data reaching, through calls of functions in other files (or other
/// functions of the same file), a sink that a parameter of the callee reaches, or a sink that a
/// call's result reaches when the callee returns request data (or the request data passed to
/// it). At most one per rule and sink, each with its flow across the files.
pub fn follow(files: &[FileSummary<'_>], root: &Path, max_depth: usize) -> Vec<Finding> {
    if files.iter().all(|f| f.summary.calls.is_empty() && f.summary.returned_sinks.is_empty()) {
        return Vec::new();
    }
    let resolver = Resolver::new(files, root);
    let mut findings = Vec::new();
    let mut reported: HashSet<(&str, String, (usize, usize))> = HashSet::new();
    let mut report = |rule: &'static str, path: &str, site: &SinkSite, source_text: &str, typed: bool, flow: Vec<Related>| {
        // A typed, framework-parsed value (`@Body() dto`) where only untyped data matters.
        if site.untyped_sources_only && typed {
            return;
        }
        if reported.insert((rule, path.to_string(), site.span)) {
            findings.push(finding(rule, path, site, source_text, flow));
        }
    };
    let mut ordered: Vec<&FileSummary<'_>> = files.iter().collect();
    ordered.sort_by_key(|f| f.path);

    // Results of calls: the callee returns request data, or what was passed to it.
    let mut returns: HashMap<String, Vec<(&str, &Returns)>> = HashMap::new();
    for file in files {
        for value in &file.summary.returns {
            if let Some(key) = resolver.own_key(file.path, &value.function) {
                returns.entry(key).or_default().push((file.path, value));
            }
        }
    }
    for file in &ordered {
        for sink in &file.summary.returned_sinks {
            let Some(rule) = crate::rules::entry(&sink.site.rule).map(|e| e.id) else { continue };
            for key in resolver.callee_keys(file.path, &sink.callee) {
                for (callee_path, value) in returns.get(&key).into_iter().flatten() {
                    let (source_text, mut flow) = match &value.value {
                        Passed::Request { source_text, steps, .. } => {
                            (source_text.as_str(), steps.iter().map(|s| in_file(s, callee_path)).collect::<Vec<_>>())
                        }
                        Passed::Parameter { index, steps, .. } => {
                            let Some((_, source_text, passed)) = sink.arguments.iter().find(|(i, ..)| i == index) else { continue };
                            let mut flow: Vec<Related> = passed.iter().map(|s| in_file(s, file.path)).collect();
                            flow.extend(steps.iter().map(|s| in_file(s, callee_path)));
                            (source_text.as_str(), flow)
                        }
                    };
                    flow.extend(sink.steps.iter().map(|s| in_file(s, file.path)));
                    report(rule, file.path, &sink.site, source_text, false, flow);
                }
            }
        }
    }

    let mut sinks: HashMap<(String, usize), Vec<(&str, &ParameterSink)>> = HashMap::new();
    let mut forwards: HashMap<(String, usize), Vec<(&str, &Call)>> = HashMap::new();
    for file in files {
        for sink in &file.summary.sinks {
            if let Some(key) = resolver.own_key(file.path, &sink.function) {
                sinks.entry((key, sink.index)).or_default().push((file.path, sink));
            }
        }
        for call in &file.summary.calls {
            if let Passed::Parameter { function, index, .. } = &call.passes {
                if let Some(key) = resolver.own_key(file.path, function) {
                    forwards.entry((key, *index)).or_default().push((file.path, call));
                }
            }
        }
    }
    let graph = Graph { resolver, sinks, forwards, max_depth };
    for file in ordered {
        for call in &file.summary.calls {
            let Passed::Request { source_text, steps, typed } = &call.passes else { continue };
            let mut trail: Vec<Related> = steps.iter().map(|s| in_file(s, file.path)).collect();
            trail.push(in_file(&call.at, file.path));
            for (sink_path, sink, flow) in graph.reached(file.path, call, trail) {
                let Some(rule) = crate::rules::entry(&sink.site.rule).map(|e| e.id) else { continue };
                report(rule, sink_path, &sink.site, source_text, *typed, flow);
            }
        }
    }
    findings
}

/// Which calls hand a value to a function that validates it (from the summaries' `validated`).
pub struct Validating<'a> {
    resolver: Resolver<'a>,
    validated: HashSet<(String, usize)>,
}

impl<'a> Validating<'a> {
    pub fn new(files: &[FileSummary<'a>], root: &'a Path) -> Validating<'a> {
        let resolver = Resolver::new(files, root);
        let mut validated = HashSet::new();
        for file in files {
            for (function, index) in &file.summary.validated {
                validated.extend(resolver.own_key(file.path, function).map(|key| (key, *index)));
            }
        }
        Validating { resolver, validated }
    }

    /// Whether one of `calls` (made in `from`) passes its argument to a function that validates
    /// that parameter.
    pub fn any(&self, from: &str, calls: &[(Callee, usize)]) -> bool {
        calls
            .iter()
            .any(|(callee, index)| self.resolver.callee_keys(from, callee).into_iter().any(|key| self.validated.contains(&(key, *index))))
    }
}

struct Graph<'a> {
    resolver: Resolver<'a>,
    /// (function key, parameter) → the sinks it reaches.
    sinks: HashMap<(String, usize), Vec<(&'a str, &'a ParameterSink)>>,
    /// (function key, parameter) → the calls that pass it on.
    forwards: HashMap<(String, usize), Vec<(&'a str, &'a Call)>>,
    /// How many calls deep to follow.
    max_depth: usize,
}

impl<'a> Graph<'a> {
    /// The sinks request data passed by `call` (in `from`) reaches, each with its flow so far:
    /// breadth first, so that the shortest path to a sink is the one reported.
    fn reached(&self, from: &'a str, call: &'a Call, trail: Vec<Related>) -> Vec<(&'a str, &'a ParameterSink, Vec<Related>)> {
        let mut reached = Vec::new();
        let mut visited: HashSet<(String, usize)> = HashSet::new();
        // Whether a call on the way fixed the scheme and host in front of the data.
        let mut frontier: Vec<(&'a str, &'a Call, Vec<Related>, bool)> = vec![(from, call, trail, call.fixed_origin)];
        for _ in 0..self.max_depth {
            let mut next = Vec::new();
            for (caller, call, trail, fixed_origin) in frontier {
                for key in self.resolver.callee_keys(caller, &call.callee) {
                    let parameter = (key, call.argument);
                    if visited.len() >= MAX_VISITS_PER_SOURCE || !visited.insert(parameter.clone()) {
                        continue;
                    }
                    for (path, sink) in self.sinks.get(&parameter).into_iter().flatten() {
                        if fixed_origin && ORIGIN_RULES.contains(&sink.site.rule.as_str()) {
                            continue;
                        }
                        let mut flow = trail.clone();
                        flow.extend(sink.steps.iter().map(|s| in_file(s, path)));
                        reached.push((*path, *sink, flow));
                    }
                    for (path, forward) in self.forwards.get(&parameter).into_iter().flatten() {
                        let Passed::Parameter { steps, .. } = &forward.passes else { continue };
                        let mut flow = trail.clone();
                        flow.extend(steps.iter().map(|s| in_file(s, path)));
                        flow.push(in_file(&forward.at, path));
                        next.push((*path, *forward, flow, fixed_origin || forward.fixed_origin));
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        reached
    }
}

/// A location with its file named.
fn in_file(step: &Related, path: &str) -> Related {
    Related { path: Some(step.path.clone().unwrap_or_else(|| path.to_string())), ..step.clone() }
}

fn finding(rule: &'static str, path: &str, sink: &SinkSite, source_text: &str, mut flow: Vec<Related>) -> Finding {
    // Locations in the finding's own file name no file, as in-file findings' do.
    for step in &mut flow {
        if step.path.as_deref() == Some(path) {
            step.path = None;
        }
    }
    let message = format!("{} from request data (`{}`) reaches {}", sink.what, crate::text::shorten(source_text, 40), sink.sink);
    Finding {
        rule,
        level: sink.level,
        path: path.to_string(),
        start: sink.start,
        end: sink.end,
        span: Span::new(sink.span.0, sink.span.1),
        message,
        help: Some(sink.help.clone()),
        related: flow.first().cloned().into_iter().collect(),
        flow,
        snippet: sink.snippet.clone(),
        withdrawn_by: sink.withdrawn_by.clone(),
        kept_by: Vec::new(),
        answered_by_validating: Vec::new(),
        requires: None,
        suppressed: None,
        fix: None,
    }
}

/// Names functions project-wide, and finds the ones calls name.
struct Resolver<'a> {
    ts: TsModules<'a>,
    rust: RustModules,
    summaries: HashMap<&'a str, &'a Summary>,
}

impl<'a> Resolver<'a> {
    fn new(files: &[FileSummary<'a>], root: &'a Path) -> Resolver<'a> {
        let is_rust = |path: &&str| path.ends_with(".rs");
        Resolver {
            ts: TsModules::new(files.iter().map(|f| f.path).filter(|p| !is_rust(p)), root),
            rust: RustModules::new(files.iter().map(|f| f.path).filter(is_rust), root),
            summaries: files.iter().map(|f| (f.path, f.summary)).collect(),
        }
    }

    /// The project-wide name of `function` of `path`: `src/reports.ts#build`,
    /// `shop::repo::notes::by_tag`.
    fn own_key(&self, path: &str, function: &str) -> Option<String> {
        if path.ends_with(".rs") {
            Some(format!("{}::{function}", self.rust.module_of(path)?))
        } else {
            Some(format!("{path}#{function}"))
        }
    }

    /// The project-wide names of the functions `callee`, written in `from`, may be.
    fn callee_keys(&self, from: &str, callee: &Callee) -> Vec<String> {
        match callee {
            Callee::Import { specifier, names } => {
                let Some(file) = self.ts.resolve(from, specifier) else { return Vec::new() };
                let mut keys = Vec::new();
                for name in names {
                    self.ts_names(&file, name, 0, &mut keys);
                }
                keys
            }
            Callee::Local { names } => names.iter().filter_map(|name| self.own_key(from, name)).collect(),
            Callee::Path { segments } => self.rust.resolve(from, segments),
        }
    }

    /// The keys `name` may have in the TypeScript module `file`: its own function, a function
    /// exported under that name, or what a re-export brings in.
    fn ts_names(&self, file: &str, name: &str, depth: usize, keys: &mut Vec<String>) {
        keys.push(format!("{file}#{name}"));
        let Some(summary) = self.summaries.get(file) else { return };
        let (first, rest) = name.split_once('.').map_or((name, None), |(first, rest)| (first, Some(rest)));
        let with_rest = |head: &str| match rest {
            Some(rest) => format!("{head}.{rest}"),
            None => head.to_string(),
        };
        for (exported, local) in &summary.exports {
            if exported == first {
                keys.push(format!("{file}#{}", with_rest(local)));
            }
        }
        if depth >= MAX_REEXPORTS {
            return;
        }
        for reexport in &summary.reexports {
            let renamed = match (&reexport.exported, &reexport.name) {
                (None, _) => Some(name.to_string()),
                (Some(exported), Some(original)) if exported == first => Some(with_rest(original)),
                // `export * as reports from "./reports"`: `reports.build` is `build` there.
                (Some(exported), None) if exported == first => rest.map(str::to_string),
                _ => None,
            };
            let Some(renamed) = renamed else { continue };
            if let Some(target) = self.ts.resolve(file, &reexport.specifier).filter(|target| target != file) {
                self.ts_names(&target, &renamed, depth + 1, keys);
            }
        }
    }
}
