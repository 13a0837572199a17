//! Parse errors: the `flowc::parse::*` codes.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// Why a `.flow` file could not be parsed. Spans are byte ranges into the source; callers
/// attach the source text (and file name) when rendering.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum ParseError {
    #[error("{message}")]
    #[diagnostic(code(flowc::parse::syntax), help("{help}"))]
    Syntax {
        message: String,
        label: String,
        help: String,
        #[label("{label}")]
        span: SourceSpan,
    },

    #[error("nesting deeper than {limit} levels")]
    #[diagnostic(
        code(flowc::parse::too_deep),
        help(
            "flatten the structure: split deep JSON into smaller values or nested branches into separate states"
        )
    )]
    TooDeep {
        limit: usize,
        #[label("more than {limit} levels deep here")]
        span: SourceSpan,
    },

    #[error(
        "the workflow compiles to more than {limit} states (counting every branch and process)"
    )]
    #[diagnostic(
        code(flowc::parse::too_many_states),
        help(
            "AWS deploys definitions of up to 1 MB and a state takes at least 19 characters, so no \
             deployable definition has more than {limit} states; flowc stops here, before \
             compiling them: split the workflow into several state machines"
        )
    )]
    TooManyStates {
        limit: usize,
        /// `limit + 1`, the count at the state the label points at.
        past: usize,
        #[label("state number {past} is here")]
        span: SourceSpan,
    },

    #[error("invalid string literal: {reason}")]
    #[diagnostic(
        code(flowc::parse::invalid_string),
        help(
            "strings follow JSON: escape `\"` and `\\` with a backslash; `\\uXXXX` for code points"
        )
    )]
    InvalidString {
        reason: String,
        #[label("this string")]
        span: SourceSpan,
    },

    #[error("invalid number `{text}`")]
    #[diagnostic(
        code(flowc::parse::invalid_number),
        help("numbers follow JSON and must fit in a 64-bit float")
    )]
    InvalidNumber {
        text: String,
        #[label("this number")]
        span: SourceSpan,
    },

    #[error("`poll {poll}` has no `{part}`")]
    #[diagnostic(
        code(flowc::parse::incomplete_poll),
        help(
            "a poll needs `wait NAME`, `check NAME = resource {{ ... }}`, `choice NAME {{ ... }}` and `exhausted -> STATE`"
        )
    )]
    IncompletePoll {
        poll: String,
        part: &'static str,
        #[label("this poll")]
        span: SourceSpan,
    },

    #[error("`poll {poll}` has more than one `{part}`")]
    #[diagnostic(
        code(flowc::parse::duplicate_poll_part),
        help(
            "a poll has one wait, one check, one choice, one `exhausted` and at most one `counter`"
        )
    )]
    DuplicatePollPart {
        poll: String,
        part: &'static str,
        #[label("second `{part}`")]
        span: SourceSpan,
    },
}

impl ParseError {
    /// The span the error points at.
    pub fn span(&self) -> SourceSpan {
        match self {
            ParseError::Syntax { span, .. }
            | ParseError::TooDeep { span, .. }
            | ParseError::TooManyStates { span, .. }
            | ParseError::InvalidString { span, .. }
            | ParseError::InvalidNumber { span, .. }
            | ParseError::IncompletePoll { span, .. }
            | ParseError::DuplicatePollPart { span, .. } => *span,
        }
    }
}
