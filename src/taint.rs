//! The taint view shared by both front-ends: where a value comes from.
//!
//! Each front-end answers "what is the origin of this expression?" for the function the
//! expression is in (intra-procedural, demand-driven: rules ask about the argument of a sink and
//! the front-end walks back through bindings, concatenation, interpolation and conversions).
//! Rules then decide on the answer: an injection rule reports [`Origin::Request`] as an error
//! and, where the catalogue says so, [`Origin::Dynamic`] at a lower level.

use crate::source::Span;

/// What an expression's value is made of, from least to most worrying. Combining two parts
/// (`a + b`, a template with two substitutions) keeps the more worrying one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Known when the code is written: literals, constants, enum members.
    Constant,
    /// Computed at run time, but made safe for injection: numbers, values passed through a
    /// validator or an encoder, values checked against an allowlist.
    Safe,
    /// Computed at run time from something not known to be request data (results of unknown
    /// calls, parameters of functions nobody can name).
    Dynamic,
    /// Computed from parameters of named functions: not known here, but a caller in another file
    /// may pass request data (`crate::flows` follows them). Treated as [`Origin::Dynamic`] by the
    /// rules of one file.
    Parameter(Vec<ParameterFlow>),
    /// The result of a call of a function the file does not show (an import, an injected
    /// service): what it returns is known to the project pass, from the callee's summary.
    /// Treated as [`Origin::Dynamic`] by the rules of one file.
    Returned(Vec<ReturnedFlow>),
    /// Derived from the request.
    Request(Flow),
}

/// The function a call names, as far as its file can tell.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Callee {
    /// TypeScript: a function of another module, by the import's specifier as written and the
    /// names it may have there (`build`; `default`; `ReportsService.find`; `default.find`).
    Import { specifier: String, names: Vec<String> },
    /// A function of this file, by the names it may have.
    Local { names: Vec<String> },
    /// Rust: a path with the file's `use` declarations applied, starting with `crate`, `self`,
    /// `super`, a crate's name or a module of the file's (`crate::repo::notes::by_tag`).
    Path { segments: Vec<String> },
}

/// How the result of a call of another file's function reached a sink: the function as the
/// call names it, the call, the arguments that are request data (by position), and the steps
/// from the call to the sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnedFlow {
    pub callee: Callee,
    pub call: Span,
    pub arguments: Vec<(usize, Flow)>,
    pub steps: Vec<Span>,
}

/// How a parameter of a named function reached a sink: the function (named as the file declares
/// it: `build`, `ReportsService.find`, `Repo::by_tag`), the parameter's position, and the flow
/// from the parameter (its source) to the sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterFlow {
    pub function: String,
    pub index: usize,
    pub flow: Flow,
}

/// How request data reached a sink: the source expression and the steps in between, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    pub source: Span,
    /// How the source reads in the code, for messages (`req.query.id`, `Path<String>`).
    pub source_text: String,
    /// Intermediate expressions (bindings, concatenations), source side first.
    pub steps: Vec<Span>,
}

impl Flow {
    /// Whether the source is a route parameter (`req.params.id`, `ctx.params.slug`): a string cut
    /// out of the path, which cannot carry an object.
    pub fn is_route_parameter(&self) -> bool {
        let member = self.source_text.split_once('.').map_or("", |(_, path)| path);
        member == "params" || member.starts_with("params.") || member.starts_with("params[")
    }
}

impl Origin {
    fn rank(&self) -> u8 {
        match self {
            Origin::Constant => 0,
            Origin::Safe => 1,
            Origin::Dynamic => 2,
            // A value made of both keeps the parameters, which the project pass follows furthest.
            Origin::Returned(_) => 3,
            Origin::Parameter(_) => 4,
            Origin::Request(_) => 5,
        }
    }

    /// The more worrying of two parts of one value; the parameters of both parts when both are
    /// made of parameters.
    pub fn join(self, other: Origin) -> Origin {
        match (self, other) {
            (Origin::Parameter(mut mine), Origin::Parameter(theirs)) => {
                for parameter in theirs {
                    if !mine.iter().any(|p| p.function == parameter.function && p.index == parameter.index) {
                        mine.push(parameter);
                    }
                }
                Origin::Parameter(mine)
            }
            (Origin::Returned(mut mine), Origin::Returned(theirs)) => {
                for result in theirs {
                    if !mine.iter().any(|r| r.call == result.call) {
                        mine.push(result);
                    }
                }
                Origin::Returned(mine)
            }
            (mine, other) if other.rank() > mine.rank() => other,
            (mine, _) => mine,
        }
    }

    pub fn is_request(&self) -> bool {
        matches!(self, Origin::Request(_))
    }

    /// Known only at run time and not known to be request data: what a rule of one file sees of
    /// a parameter or of another file's function's result.
    pub fn is_dynamic(&self) -> bool {
        matches!(self, Origin::Dynamic | Origin::Parameter(_) | Origin::Returned(_))
    }

    /// The same origin with what only the project pass can judge made plain
    /// [`Origin::Dynamic`]: for rules that do not take part in following data across functions.
    pub fn without_parameters(self) -> Origin {
        match self {
            Origin::Parameter(_) | Origin::Returned(_) => Origin::Dynamic,
            other => other,
        }
    }

    pub fn flow(&self) -> Option<&Flow> {
        match self {
            Origin::Request(flow) => Some(flow),
            _ => None,
        }
    }

    /// Records that the value passed through `step` on its way to the sink.
    pub fn through(mut self, step: Span) -> Origin {
        let add = |flow: &mut Flow| {
            if flow.source != step && !flow.steps.contains(&step) {
                flow.steps.push(step);
            }
        };
        match &mut self {
            Origin::Request(flow) => add(flow),
            Origin::Parameter(parameters) => parameters.iter_mut().for_each(|p| add(&mut p.flow)),
            Origin::Returned(results) => {
                for result in results.iter_mut().filter(|r| r.call != step && !r.steps.contains(&step)) {
                    result.steps.push(step);
                }
            }
            _ => {}
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(at: usize) -> Origin {
        Origin::Request(Flow { source: Span::new(at, at + 1), source_text: "req.body".into(), steps: Vec::new() })
    }

    #[test]
    fn join_keeps_the_more_worrying_part() {
        assert_eq!(Origin::Constant.join(Origin::Safe), Origin::Safe);
        assert_eq!(Origin::Dynamic.join(Origin::Safe), Origin::Dynamic);
        assert_eq!(Origin::Dynamic.join(request(3)), request(3));
        // The first request source found is kept: messages name one source.
        assert_eq!(request(1).join(request(2)), request(1));
    }

    #[test]
    fn steps_are_recorded_once_and_only_for_request_data() {
        let origin = request(0).through(Span::new(5, 6)).through(Span::new(5, 6)).through(Span::new(0, 1));
        assert_eq!(origin.flow().unwrap().steps, vec![Span::new(5, 6)]);
        assert_eq!(Origin::Dynamic.through(Span::new(5, 6)), Origin::Dynamic);
    }

    fn parameter(function: &str, index: usize) -> Origin {
        let flow = Flow { source: Span::new(index, index + 1), source_text: "p".into(), steps: Vec::new() };
        Origin::Parameter(vec![ParameterFlow { function: function.into(), index, flow }])
    }

    #[test]
    fn parameters_rank_between_unknown_values_and_request_data_and_gather() {
        assert_eq!(Origin::Dynamic.join(parameter("f", 0)), parameter("f", 0));
        assert_eq!(parameter("f", 0).join(request(3)), request(3));
        let returned = Origin::Returned(vec![ReturnedFlow {
            callee: Callee::Local { names: vec!["g".into()] },
            call: Span::new(20, 21),
            arguments: Vec::new(),
            steps: Vec::new(),
        }]);
        assert_eq!(returned.clone().join(parameter("f", 0)), parameter("f", 0), "the parameters are kept");
        assert_eq!(Origin::Dynamic.join(returned.clone()), returned);
        let both = parameter("f", 0).join(parameter("f", 1)).join(parameter("f", 0));
        let Origin::Parameter(parameters) = &both else { panic!("{both:?}") };
        assert_eq!(parameters.iter().map(|p| p.index).collect::<Vec<_>>(), vec![0, 1], "each parameter once");
        assert!(both.is_dynamic() && !both.is_request());
        let stepped = both.through(Span::new(9, 10));
        let Origin::Parameter(parameters) = &stepped else { panic!() };
        assert!(parameters.iter().all(|p| p.flow.steps == vec![Span::new(9, 10)]), "every parameter's flow gets the step");
        assert_eq!(parameter("f", 0).without_parameters(), Origin::Dynamic);
    }
}
