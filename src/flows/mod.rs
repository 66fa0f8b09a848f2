//! Request data followed across functions and files.
//!
//! The per-file pass leaves a [`Summary`] of each file beside its findings (and in the result
//! cache with them): which parameters of its named functions reach which sinks (written by the
//! injection rules when the taint view answers [`crate::taint::Origin::Parameter`]), and which
//! calls of functions it cannot see pass request data or a parameter on (written by the
//! front-ends' recorders, [`typescript`] and [`rust`]). The project pass ([`follow`]) resolves
//! each call to the function it names, through imports, barrels, `tsconfig` paths and the Rust
//! module tree ([`modules`]), and follows request data from the call into the callee's
//! parameters, from there into further calls, to a bounded depth, until it reaches a sink. The
//! finding is reported at the sink, with the whole path as its flow, in whatever files it lies.

mod follow;
pub mod importers;
pub mod modules;
pub mod rust;
pub mod typescript;

pub use crate::taint::Callee;
pub use follow::{follow, FileSummary, Validating};

use crate::diagnostic::{Level, Related};
use crate::source::{Position, SourceFile, Span};
use crate::taint::{ParameterFlow, ReturnedFlow};
use serde::{Deserialize, Serialize};

/// The name internal errors of the summary recorders go by.
pub const RECORDER: &str = "cross-file-summary";

/// How many calls deep request data is followed from the handler that reads it, unless
/// `max-call-depth` in `archlint.toml` says otherwise.
pub const MAX_CALL_DEPTH: usize = 6;

/// What the project pass needs to know of one file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Sinks that parameters of the file's named functions reach.
    pub sinks: Vec<ParameterSink>,
    /// Sinks that results of calls of other files' functions reach.
    pub returned_sinks: Vec<ReturnedSink>,
    /// What the file's named functions return, when it is request data or a parameter.
    pub returns: Vec<Returns>,
    /// Parameters the file's named functions validate before use (schema `parse`/`validate`,
    /// class-validator): (function, parameter).
    pub validated: Vec<(String, usize)>,
    /// Calls that pass request data or a parameter to a function the file does not show.
    pub calls: Vec<Call>,
    /// TypeScript: names exported under another name than the function's (`export default
    /// build`, `export { build as make }`, `module.exports = { make: build }`): (exported, local).
    pub exports: Vec<(String, String)>,
    /// TypeScript: modules whose exports this file passes on (`export * from "./x"`,
    /// `export { build } from "./x"`).
    pub reexports: Vec<Reexport>,
    /// TypeScript: the modules the file imports, as written (`import .. from`, `export .. from`,
    /// `require(..)`, `import(..)`): who imports a file tells where it runs ([`importers`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imports: Vec<String>,
    /// TypeScript: the file is browser code by what it says of itself, and nothing in it says
    /// it runs on a server ([`typescript::is_browser_module`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub browser_code: bool,
}

impl Summary {
    pub fn is_empty(&self) -> bool {
        self.sinks.is_empty()
            && self.returned_sinks.is_empty()
            && self.returns.is_empty()
            && self.validated.is_empty()
            && self.calls.is_empty()
            && self.exports.is_empty()
            && self.reexports.is_empty()
            && self.imports.is_empty()
            && !self.browser_code
    }
}

/// A sink that a rule checks, and what the rule would report there should request data reach it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SinkSite {
    pub rule: String,
    /// The rule's level for request data in this file (the configuration applied).
    pub level: Level,
    pub span: (usize, usize),
    pub start: Position,
    pub end: Position,
    pub snippet: String,
    /// What reaches the sink and the sink, as the rule words them: "SQL text", "`pool.query`".
    pub what: String,
    pub sink: String,
    pub help: String,
    /// Project facts that answer the finding (`express-mongo-sanitize` mounted somewhere).
    #[serde(default)]
    pub withdrawn_by: Vec<crate::diagnostic::Fact>,
    /// Request data whose shape is fixed (a NestJS `@Body() dto` and its fields, a route
    /// parameter) does not count: the rule is about untyped data (an operator object in a filter).
    #[serde(default)]
    pub untyped_sources_only: bool,
}

/// A parameter of a named function reaching a sink.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterSink {
    /// The function, named as its file declares it (`build`, `ReportsService.find`,
    /// `files::read_upload`, `Repo::by_tag`).
    pub function: String,
    pub index: usize,
    pub site: SinkSite,
    /// From the parameter (first) to the sink, the sink excluded.
    pub steps: Vec<Related>,
}

/// What a call of another file's function returns, reaching a sink.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnedSink {
    pub callee: Callee,
    pub site: SinkSite,
    /// The call's arguments that are request data, by position: what the source reads and the
    /// steps from it (first) to the argument.
    pub arguments: Vec<(usize, String, Vec<Related>)>,
    /// From the call (first) to the sink, the sink excluded.
    pub steps: Vec<Related>,
}

/// What a named function returns, when it is request data or made of one of its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Returns {
    pub function: String,
    /// The steps run to the returned value.
    pub value: Passed,
}

/// A call of a function the file does not show, passing request data or a parameter on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub callee: Callee,
    /// The argument's position in the call.
    pub argument: usize,
    pub passes: Passed,
    /// The call, described for the flow.
    pub at: Related,
    /// The argument starts with a scheme and host written in code (`\`https://api.github.com/repos/${owner}\``):
    /// whatever it carries, it cannot choose where a request or a redirect goes.
    #[serde(default)]
    pub fixed_origin: bool,
}

/// What a call passes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Passed {
    /// Request data; the steps run from where it enters (first) to the argument.
    Request {
        source_text: String,
        steps: Vec<Related>,
        /// The data's shape was fixed before the handler saw it: parsed by the framework into a
        /// declared type (a NestJS `@Body() dto: CreateUserDto` and its fields), or a route
        /// parameter (a string cut from the path).
        #[serde(default)]
        typed: bool,
    },
    /// A parameter of the calling function; the steps run from the parameter to the argument.
    Parameter { function: String, index: usize, steps: Vec<Related> },
}

/// A re-export: `exported` names (all of them when `None`) of `specifier`, under `name` there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reexport {
    pub exported: Option<String>,
    pub specifier: String,
    pub name: Option<String>,
}

/// The steps of a parameter's flow, the parameter first.
pub(crate) fn parameter_steps(file: &SourceFile, parameter: &ParameterFlow) -> Vec<Related> {
    let message = format!("parameter `{}` of `{}`", parameter.flow.source_text, parameter.function);
    Related::flow(file, &parameter.flow, message)
}

/// What the injection rules add to the summary when a sink's value comes from parameters.
pub(crate) struct SinkReport<'s> {
    pub rule: &'static str,
    pub level: Level,
    pub span: Span,
    pub what: &'s str,
    pub sink: &'s str,
    pub help: &'s str,
    pub withdrawn_by: Vec<crate::diagnostic::Fact>,
    pub untyped_sources_only: bool,
}

impl SinkReport<'_> {
    fn site(&self, file: &SourceFile) -> SinkSite {
        SinkSite {
            rule: self.rule.to_string(),
            level: self.level,
            span: (self.span.start, self.span.end),
            start: file.position(self.span.start),
            end: file.position(self.span.end),
            snippet: file.slice(self.span).chars().filter(|c| !c.is_whitespace()).take(200).collect(),
            what: self.what.to_string(),
            sink: self.sink.to_string(),
            help: self.help.to_string(),
            withdrawn_by: self.withdrawn_by.clone(),
            untyped_sources_only: self.untyped_sources_only,
        }
    }
}

impl Summary {
    /// Records that each of `parameters` reaches the sink `report` describes.
    pub(crate) fn add_sink(&mut self, file: &SourceFile, report: &SinkReport<'_>, parameters: &[ParameterFlow]) {
        for parameter in parameters {
            let sink = ParameterSink {
                function: parameter.function.clone(),
                index: parameter.index,
                site: report.site(file),
                steps: parameter_steps(file, parameter),
            };
            if !self.sinks.contains(&sink) {
                self.sinks.push(sink);
            }
        }
    }

    /// Records that what each of `results`' calls returns reaches the sink `report` describes.
    pub(crate) fn add_returned_sink(&mut self, file: &SourceFile, report: &SinkReport<'_>, results: &[ReturnedFlow]) {
        for result in results {
            let described = crate::text::shorten(file.slice(result.call), 60);
            let mut steps = vec![Related::at(file, result.call, format!("returned by `{described}`"))];
            steps.extend(Related::steps_through(file, &result.steps));
            let arguments = result
                .arguments
                .iter()
                .map(|(index, flow)| {
                    let message = format!("request data enters here: `{}`", flow.source_text);
                    (*index, flow.source_text.clone(), Related::flow(file, flow, message))
                })
                .collect();
            let sink = ReturnedSink { callee: result.callee.clone(), site: report.site(file), arguments, steps };
            if !self.returned_sinks.contains(&sink) {
                self.returned_sinks.push(sink);
            }
        }
    }

    /// Records that function `function` returns `value` (request data or one of its own
    /// parameters), at `at`.
    pub(crate) fn add_returns(&mut self, file: &SourceFile, function: String, at: Span, value: &crate::taint::Origin) {
        let returned = Related::at(file, at, format!("`{function}` returns it"));
        match value {
            crate::taint::Origin::Request(flow) => {
                let source_message = format!("request data enters here: `{}`", flow.source_text);
                let mut steps = Related::flow(file, flow, source_message);
                steps.push(returned);
                let value = Passed::Request { source_text: flow.source_text.clone(), steps, typed: false };
                self.returns.push(Returns { function, value });
            }
            crate::taint::Origin::Parameter(parameters) => {
                for parameter in parameters.iter().filter(|p| p.function == function) {
                    let mut steps = parameter_steps(file, parameter);
                    steps.push(returned.clone());
                    let value = Passed::Parameter { function: function.clone(), index: parameter.index, steps };
                    self.returns.push(Returns { function: function.clone(), value });
                }
            }
            _ => {}
        }
    }

    /// Records a call passing the value of `origin` as argument `argument`; `typed` when that
    /// value is request data the framework parsed into a declared type.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add_call(
        &mut self,
        file: &SourceFile,
        callee: Callee,
        argument: usize,
        call: Span,
        origin: &crate::taint::Origin,
        fixed_origin: bool,
        typed: bool,
    ) {
        let described = crate::text::shorten(file.slice(call), 60);
        let at = Related::at(file, call, format!("passed to `{described}`"));
        match origin {
            crate::taint::Origin::Request(flow) => {
                let source_message = format!("request data enters here: `{}`", flow.source_text);
                let steps = Related::flow(file, flow, source_message);
                let passes = Passed::Request { source_text: flow.source_text.clone(), steps, typed };
                self.calls.push(Call { callee, argument, passes, at, fixed_origin });
            }
            crate::taint::Origin::Parameter(parameters) => {
                for parameter in parameters {
                    let passes = Passed::Parameter {
                        function: parameter.function.clone(),
                        index: parameter.index,
                        steps: parameter_steps(file, parameter),
                    };
                    self.calls.push(Call { callee: callee.clone(), argument, passes, at: at.clone(), fixed_origin });
                }
            }
            _ => {}
        }
    }
}
