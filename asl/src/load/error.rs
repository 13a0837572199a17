//! Load-time diagnostics: every problem found while reading ASL JSON, codes `flowc::asl::*`.

use miette::{Diagnostic, NamedSource, SourceSpan};
use std::sync::Arc;
use thiserror::Error;

/// The text an error points into, named after its file.
pub type Source = NamedSource<Arc<str>>;

/// One problem in an ASL document. Every variant carries the source and a label on the exact
/// span, so each can be rendered on its own as well as through [`LoadErrors`].
#[derive(Debug, Error, Diagnostic)]
pub enum LoadError {
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    #[diagnostic(
        code(flowc::asl::syntax),
        help(
            "ASL definitions are strict JSON, as AWS reads them: double-quoted strings and keys, \
             control characters escaped, no comments, no trailing commas"
        )
    )]
    Syntax {
        message: String,
        line: usize,
        column: usize,
        #[source_code]
        src: Source,
        #[label("here")]
        span: SourceSpan,
    },

    #[error("JSON nested deeper than {limit} levels")]
    #[diagnostic(
        code(flowc::asl::too_deep),
        help("state machines never need this much nesting; flatten the document")
    )]
    TooDeep {
        limit: usize,
        #[source_code]
        src: Source,
        #[label("nesting exceeds the limit here")]
        span: SourceSpan,
    },

    #[error("the definition holds more than {limit} states (counting every branch and processor)")]
    #[diagnostic(
        code(flowc::asl::too_many_states),
        help(
            "AWS deploys definitions of up to 1 MB and a state takes at least 19 characters, so no \
             deployable definition has more than {limit} states; flowc stops here, before \
             decoding them: split the workflow into several state machines"
        )
    )]
    TooManyStates {
        limit: usize,
        /// `limit + 1`, the count at the state the label points at.
        past: usize,
        #[source_code]
        src: Source,
        #[label("state number {past} is here")]
        span: SourceSpan,
    },

    #[error("number `{text}` is out of range")]
    #[diagnostic(
        code(flowc::asl::bad_number),
        help("use a number that fits a 64-bit integer or a double")
    )]
    BadNumber {
        text: String,
        #[source_code]
        src: Source,
        #[label("this number")]
        span: SourceSpan,
    },

    #[error("duplicate key `{key}`")]
    #[diagnostic(
        code(flowc::asl::duplicate_key),
        help("each key may appear once in an object; remove or rename one of them")
    )]
    DuplicateKey {
        key: String,
        #[source_code]
        src: Source,
        #[label("first written here")]
        first: SourceSpan,
        #[label("written again here")]
        span: SourceSpan,
    },

    #[error("`{field}` must be {expected}, found {found}")]
    #[diagnostic(code(flowc::asl::wrong_type), help("{help}"))]
    WrongType {
        field: String,
        expected: String,
        found: String,
        help: String,
        #[source_code]
        src: Source,
        #[label("expected {expected}")]
        span: SourceSpan,
    },

    #[error("{owner} is missing the required field `{field}`")]
    #[diagnostic(code(flowc::asl::missing_field), help("{help}"))]
    MissingField {
        field: String,
        owner: String,
        help: String,
        #[source_code]
        src: Source,
        #[label("`{field}` missing here")]
        span: SourceSpan,
    },

    #[error("state `{state}` has unknown Type `{found}`")]
    #[diagnostic(code(flowc::asl::unknown_state_type), help("{help}"))]
    UnknownStateType {
        state: String,
        found: String,
        help: String,
        #[source_code]
        src: Source,
        #[label("unknown state type")]
        span: SourceSpan,
    },

    #[error("unknown field `{field}` in {owner}")]
    #[diagnostic(code(flowc::asl::unknown_field), help("{help}"))]
    UnknownField {
        field: String,
        owner: String,
        help: String,
        #[source_code]
        src: Source,
        #[label("not a field of {owner}")]
        span: SourceSpan,
    },

    #[error("`{field}` is not available in {language} mode ({owner})")]
    #[diagnostic(code(flowc::asl::wrong_query_language), help("{help}"))]
    WrongQueryLanguage {
        field: String,
        owner: String,
        language: String,
        help: String,
        #[source_code]
        src: Source,
        #[label("not a {language} field")]
        span: SourceSpan,
    },

    #[error("{owner} has both `{first}` and `{second}`")]
    #[diagnostic(code(flowc::asl::conflicting_fields), help("{help}"))]
    ConflictingFields {
        first: String,
        second: String,
        owner: String,
        help: String,
        #[source_code]
        src: Source,
        #[label("`{first}` here")]
        first_span: SourceSpan,
        #[label("conflicts with `{second}` here")]
        span: SourceSpan,
    },

    #[error("invalid path in `{field}`: {message}")]
    #[diagnostic(code(flowc::asl::invalid_path), help("{help}"))]
    InvalidPath {
        field: String,
        message: String,
        help: String,
        #[source_code]
        src: Source,
        #[label("{message}")]
        span: SourceSpan,
    },

    #[error("invalid intrinsic function call in `{field}`: {message}")]
    #[diagnostic(
        code(flowc::asl::invalid_intrinsic),
        help(
            "intrinsic calls look like `States.Format('{{}}', $.name)`; check the name, the quotes and the parentheses"
        )
    )]
    InvalidIntrinsic {
        field: String,
        message: String,
        #[source_code]
        src: Source,
        #[label("{message}")]
        span: SourceSpan,
    },

    #[error("`{field}` must be {expected}, found {found}")]
    #[diagnostic(
        code(flowc::asl::invalid_number),
        help("write a whole number of seconds or a count, such as 60")
    )]
    InvalidNumber {
        field: String,
        /// "a non-negative integer" or "a positive integer".
        expected: String,
        found: String,
        #[source_code]
        src: Source,
        #[label("not {expected}")]
        span: SourceSpan,
    },

    #[error("`ErrorEquals` of this {owner} is empty")]
    #[diagnostic(
        code(flowc::asl::empty_error_equals),
        help("list at least one error name, for example [\"States.ALL\"]")
    )]
    EmptyErrorEquals {
        owner: String,
        #[source_code]
        src: Source,
        #[label("empty list")]
        span: SourceSpan,
    },

    #[error("`{field}` of {owner} is empty")]
    #[diagnostic(code(flowc::asl::empty_field), help("{help}"))]
    EmptyField {
        field: String,
        owner: String,
        help: String,
        #[source_code]
        src: Source,
        #[label("must not be empty")]
        span: SourceSpan,
    },

    #[error("`{field}` has the invalid value {found}")]
    #[diagnostic(code(flowc::asl::invalid_value), help("{help}"))]
    InvalidValue {
        field: String,
        found: String,
        help: String,
        #[source_code]
        src: Source,
        #[label("invalid value")]
        span: SourceSpan,
    },

    #[error("invalid Choice rule: {message}")]
    #[diagnostic(code(flowc::asl::invalid_choice_rule), help("{help}"))]
    InvalidChoiceRule {
        message: String,
        help: String,
        #[source_code]
        src: Source,
        #[label("in this rule")]
        span: SourceSpan,
    },

    #[error("JSONata syntax error in `{field}` ({code}): {message}")]
    #[diagnostic(
        code(flowc::asl::jsonata_syntax),
        help(
            "fix the expression between `{{%` and `%}}`; JSONata's syntax is at https://docs.jsonata.org"
        )
    )]
    JsonataSyntax {
        field: String,
        /// JSONata's own error code (`S0201`, ...).
        code: String,
        message: String,
        #[source_code]
        src: Source,
        #[label("here")]
        span: SourceSpan,
    },

    #[error("`{field}`: {message}")]
    #[diagnostic(code(flowc::asl::jsonata_dialect), help("{help}"))]
    JsonataDialect {
        field: String,
        message: String,
        help: String,
        #[source_code]
        src: Source,
        #[label("not in the JSONata AWS runs")]
        span: SourceSpan,
    },

    #[error("`{field}` reads the context value `{text}` at the top level of its expression")]
    #[diagnostic(
        code(flowc::asl::jsonata_context),
        help(
            "a field's JSONata expression has no context value on AWS: read the state's input as `$states.input` (and its result as `$states.result`)"
        )
    )]
    JsonataContext {
        field: String,
        text: String,
        #[source_code]
        src: Source,
        #[label("reads nothing on AWS")]
        span: SourceSpan,
    },

    #[error("{owner} sets `QueryLanguage` to JSONPath where JSONata is in effect")]
    #[diagnostic(code(flowc::asl::jsonpath_in_jsonata), help("{help}"))]
    JsonPathInJsonata {
        owner: String,
        help: String,
        #[source_code]
        src: Source,
        #[label("JSONPath here")]
        span: SourceSpan,
    },

    #[error("`{name}` cannot be a variable name ({field})")]
    #[diagnostic(code(flowc::asl::invalid_variable_name), help("{help}"))]
    InvalidVariableName {
        name: String,
        field: String,
        help: String,
        #[source_code]
        src: Source,
        #[label("this name")]
        span: SourceSpan,
    },

    #[error("`{field}` sets {size} bytes of variables; AWS allows at most {limit}")]
    #[diagnostic(code(flowc::asl::assign_too_large), help("{help}"))]
    AssignTooLarge {
        field: String,
        size: usize,
        limit: usize,
        help: String,
        #[source_code]
        src: Source,
        #[label("too large")]
        span: SourceSpan,
    },

    #[error("`{field}` cannot read the variable `${name}`")]
    #[diagnostic(code(flowc::asl::variable_not_allowed), help("{help}"))]
    VariableNotAllowed {
        field: String,
        name: String,
        help: String,
        #[source_code]
        src: Source,
        #[label("a variable here")]
        span: SourceSpan,
    },
}

impl LoadError {
    /// The primary span (the label the message is about).
    pub fn span(&self) -> SourceSpan {
        match self {
            LoadError::Syntax { span, .. }
            | LoadError::TooDeep { span, .. }
            | LoadError::TooManyStates { span, .. }
            | LoadError::BadNumber { span, .. }
            | LoadError::DuplicateKey { span, .. }
            | LoadError::WrongType { span, .. }
            | LoadError::MissingField { span, .. }
            | LoadError::UnknownStateType { span, .. }
            | LoadError::UnknownField { span, .. }
            | LoadError::WrongQueryLanguage { span, .. }
            | LoadError::ConflictingFields { span, .. }
            | LoadError::InvalidPath { span, .. }
            | LoadError::InvalidIntrinsic { span, .. }
            | LoadError::InvalidNumber { span, .. }
            | LoadError::EmptyErrorEquals { span, .. }
            | LoadError::EmptyField { span, .. }
            | LoadError::InvalidValue { span, .. }
            | LoadError::InvalidChoiceRule { span, .. }
            | LoadError::JsonataSyntax { span, .. }
            | LoadError::JsonataDialect { span, .. }
            | LoadError::JsonataContext { span, .. }
            | LoadError::JsonPathInJsonata { span, .. }
            | LoadError::InvalidVariableName { span, .. }
            | LoadError::AssignTooLarge { span, .. }
            | LoadError::VariableNotAllowed { span, .. } => *span,
        }
    }
}

/// Every problem found in one document, in source order. Renders as one report with the
/// individual errors related to it.
#[derive(Debug, Error, Diagnostic)]
#[error(
    "{file}: {count} {noun} in the state machine definition",
    count = errors.len(),
    noun = if errors.len() == 1 { "problem" } else { "problems" }
)]
#[diagnostic(code(flowc::asl::invalid_definition))]
pub struct LoadErrors {
    pub file: String,
    #[source_code]
    pub src: Source,
    #[related]
    pub errors: Vec<LoadError>,
}

impl LoadErrors {
    pub(crate) fn new(file: &str, text: Arc<str>, mut errors: Vec<LoadError>) -> Self {
        errors.sort_by_key(|error| error.span().offset());
        Self {
            file: file.to_string(),
            src: NamedSource::new(file, text),
            errors,
        }
    }

    pub fn errors(&self) -> &[LoadError] {
        &self.errors
    }

    /// 1-based line and column (in characters) of a byte offset in the loaded text.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        line_column(self.src.inner(), offset)
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}
