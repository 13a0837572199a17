//! Resolve errors: the `flowc::resolve::*` codes, found while turning the AST into ASL.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// One problem found while resolving names and values of a `.flow` file. All of them are
/// collected and returned together.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum ResolveError {
    #[error("the workflow has no states")]
    #[diagnostic(
        code(flowc::resolve::no_states),
        help(
            "add a state, for example `succeed Done`; the first state is where the workflow starts"
        )
    )]
    NoStates {
        #[label("no state in this file")]
        span: SourceSpan,
    },

    #[error("unknown state `{name}`")]
    #[diagnostic(code(flowc::resolve::unknown_state), help("{help}"))]
    UnknownState {
        name: String,
        help: String,
        #[label("no state is called `{name}`")]
        span: SourceSpan,
    },

    #[error("state `{name}` is defined more than once")]
    #[diagnostic(
        code(flowc::resolve::duplicate_state),
        help(
            "state names must be unique in the whole workflow, Parallel branches and Map processors included; rename one"
        )
    )]
    DuplicateState {
        name: String,
        #[label("defined again here")]
        span: SourceSpan,
        #[label("first defined here")]
        first: SourceSpan,
    },

    #[error("unknown resource `{name}`")]
    #[diagnostic(code(flowc::resolve::unknown_resource), help("{help}"))]
    UnknownResource {
        name: String,
        help: String,
        #[label("no `resource {name} = ...` declaration")]
        span: SourceSpan,
    },

    #[error("`--bind {name}=...` binds no resource of this file")]
    #[diagnostic(code(flowc::resolve::unknown_binding), help("{help}"))]
    UnknownBinding {
        name: String,
        help: String,
        #[label("bound on the command line; no `resource {name} = ...` in this file")]
        span: SourceSpan,
    },

    #[error("unknown retry policy `{name}`")]
    #[diagnostic(code(flowc::resolve::unknown_retry_policy), help("{help}"))]
    UnknownRetryPolicy {
        name: String,
        help: String,
        #[label("no `retry policy {name} ...` declaration")]
        span: SourceSpan,
    },

    #[error("{what} `{name}` is declared more than once")]
    #[diagnostic(
        code(flowc::resolve::duplicate_declaration),
        help("rename or remove one of them")
    )]
    DuplicateDeclaration {
        what: &'static str,
        name: String,
        #[label("declared again here")]
        span: SourceSpan,
        #[label("first declared here")]
        first: SourceSpan,
    },

    #[error("invalid path `{path}`: {reason}")]
    #[diagnostic(
        code(flowc::resolve::invalid_path),
        help("paths start with `$` (or `$$` for the context object); {context}")
    )]
    InvalidPath {
        path: String,
        reason: String,
        context: &'static str,
        #[label("{reason}")]
        span: SourceSpan,
    },

    #[error("invalid intrinsic call `{call}`: {reason}")]
    #[diagnostic(
        code(flowc::resolve::invalid_intrinsic),
        help(
            "intrinsic calls look like `States.Format('{{}}-x', $.id)`; see the AWS list of intrinsic functions"
        )
    )]
    InvalidIntrinsic {
        call: String,
        reason: String,
        #[label("{reason}")]
        span: SourceSpan,
    },

    #[error("invalid {what} `{text}`: {reason}")]
    #[diagnostic(
        code(flowc::resolve::invalid_duration),
        help("durations are whole, non-negative numbers of seconds: `60s`, `5m`, `2h`")
    )]
    InvalidDuration {
        what: &'static str,
        text: String,
        reason: &'static str,
        #[label("{reason}")]
        span: SourceSpan,
    },

    #[error("invalid {what} `{text}`: not a date and time AWS accepts")]
    #[diagnostic(code(flowc::resolve::invalid_timestamp), help("{help}"))]
    InvalidTimestamp {
        what: &'static str,
        text: String,
        help: &'static str,
        #[label("not an RFC 3339 timestamp")]
        span: SourceSpan,
    },

    #[error("HeartbeatSeconds must be less than TimeoutSeconds")]
    #[diagnostic(
        code(flowc::resolve::heartbeat_not_below_timeout),
        help(
            "{reason}; a heartbeat can only fire before the timeout: shorten the heartbeat or lengthen the timeout"
        )
    )]
    HeartbeatNotBelowTimeout {
        reason: String,
        #[label("heartbeat here")]
        span: SourceSpan,
        #[label("timeout here")]
        timeout: SourceSpan,
    },

    #[error("invalid {what} `{text}`: {reason}")]
    #[diagnostic(code(flowc::resolve::invalid_number), help("{help}"))]
    InvalidNumber {
        what: &'static str,
        text: String,
        reason: &'static str,
        help: &'static str,
        #[label("{reason}")]
        span: SourceSpan,
    },

    #[error("`States.ALL` must be alone and in the last {what} rule")]
    #[diagnostic(
        code(flowc::resolve::states_all_position),
        help(
            "AWS rejects `States.ALL` together with other error names or before another rule: give it its own rule, last"
        )
    )]
    StatesAllPosition {
        what: &'static str,
        #[label("`States.ALL` here")]
        span: SourceSpan,
    },

    #[error("a {kind} state has no `{field}`")]
    #[diagnostic(code(flowc::resolve::field_not_allowed), help("{help}"))]
    FieldNotAllowed {
        kind: &'static str,
        field: &'static str,
        help: String,
        #[label("not allowed on a {kind} state")]
        span: SourceSpan,
    },

    #[error("invalid {field}: {message}")]
    #[diagnostic(
        code(flowc::resolve::invalid_map_object),
        help(
            "write the object as in ASL: `item_reader {{ \"Resource\": \"arn:aws:states:::s3:getObject\", \"ReaderConfig\": {{ \"InputType\": \"JSON\" }}, \"Parameters\": {{ ... }} }}`; see dsl/LANGUAGE.md, Distributed Map"
        )
    )]
    InvalidMapObject {
        field: &'static str,
        message: String,
        #[label("in this {field}")]
        span: SourceSpan,
    },

    #[error("`{field}` is written more than once")]
    #[diagnostic(
        code(flowc::resolve::duplicate_field),
        help("keep one; `next` and `end` also exclude each other")
    )]
    DuplicateField {
        field: &'static str,
        #[label("written again here")]
        span: SourceSpan,
    },

    #[error("{kind} `{name}` needs {what}")]
    #[diagnostic(code(flowc::resolve::missing_field), help("{help}"))]
    MissingField {
        kind: &'static str,
        name: String,
        what: &'static str,
        help: &'static str,
        #[label("this {kind}")]
        span: SourceSpan,
    },

    #[error("`{key}` in a payload template must hold a path or intrinsic call as a string")]
    #[diagnostic(
        code(flowc::resolve::invalid_template),
        help(
            "keys ending in `.$` take a string: `\"id.$\": \"$.tenant_id\"`; drop the `.$` for a literal value"
        )
    )]
    InvalidTemplate {
        key: String,
        #[label("in this JSON")]
        span: SourceSpan,
    },

    #[error("`{op}` cannot compare {operand}")]
    #[diagnostic(
        code(flowc::resolve::invalid_comparison),
        help(
            "booleans compare only with `==` or `!=`; strings, numbers and timestamps with all six operators"
        )
    )]
    InvalidComparison {
        op: &'static str,
        operand: &'static str,
        #[label("this comparison")]
        span: SourceSpan,
    },

    #[error("JSONata syntax error in `{field}` ({code}): {message}")]
    #[diagnostic(
        code(flowc::resolve::jsonata_syntax),
        help(
            "fix the expression between `{{%` and `%}}`; JSONata's syntax is at https://docs.jsonata.org"
        )
    )]
    JsonataSyntax {
        field: String,
        /// JSONata's own error code (`S0201`, ...).
        code: String,
        message: String,
        #[label("here")]
        span: SourceSpan,
    },

    #[error("`{field}`: {message}")]
    #[diagnostic(code(flowc::resolve::jsonata_dialect), help("{help}"))]
    JsonataDialect {
        field: String,
        message: String,
        help: String,
        #[label("not in the JSONata AWS runs")]
        span: SourceSpan,
    },

    #[error("`{field}` reads the context value `{text}` at the top level of its expression")]
    #[diagnostic(
        code(flowc::resolve::jsonata_context),
        help(
            "a field's JSONata expression has no context value on AWS: read the state's input as `$states.input` (and its result as `$states.result`)"
        )
    )]
    JsonataContext {
        field: String,
        text: String,
        #[label("reads nothing on AWS")]
        span: SourceSpan,
    },

    #[error("`{name}` cannot be a variable name")]
    #[diagnostic(code(flowc::resolve::invalid_variable_name), help("{help}"))]
    InvalidVariableName {
        name: String,
        help: String,
        #[label("assigned here")]
        span: SourceSpan,
    },

    #[error("`{field}` is not available in a {language} state")]
    #[diagnostic(code(flowc::resolve::wrong_query_language), help("{help}"))]
    WrongQueryLanguage {
        field: &'static str,
        language: &'static str,
        help: &'static str,
        #[label("not a {language} field")]
        span: SourceSpan,
    },
}

/// "did you mean `X`?" when a known name is close to `name`.
pub(crate) fn did_you_mean<'a>(
    name: &str,
    known: impl IntoIterator<Item = &'a str>,
    otherwise: &str,
) -> String {
    let best = known
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(name, candidate), candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((_, candidate)) => format!("did you mean `{candidate}`?"),
        None => otherwise.to_string(),
    }
}
