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
    /// Computed at run time from something not known to be request data (parameters of a
    /// non-handler function, results of unknown calls).
    Dynamic,
    /// Derived from the request.
    Request(Flow),
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

impl Origin {
    fn rank(&self) -> u8 {
        match self {
            Origin::Constant => 0,
            Origin::Safe => 1,
            Origin::Dynamic => 2,
            Origin::Request(_) => 3,
        }
    }

    /// The more worrying of two parts of one value.
    pub fn join(self, other: Origin) -> Origin {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }

    pub fn is_request(&self) -> bool {
        matches!(self, Origin::Request(_))
    }

    pub fn flow(&self) -> Option<&Flow> {
        match self {
            Origin::Request(flow) => Some(flow),
            _ => None,
        }
    }

    /// Records that the value passed through `step` on its way to the sink.
    pub fn through(mut self, step: Span) -> Origin {
        if let Origin::Request(flow) = &mut self {
            if flow.source != step && !flow.steps.contains(&step) {
                flow.steps.push(step);
            }
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
}
