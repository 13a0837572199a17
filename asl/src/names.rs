//! State and error names, the built-in `States.*` error names, and AWS's error-matching rule.
//!
//! Error matching lives here and nowhere else: the simulator's Retry/Catch and the compiler's
//! checks both ask [`ErrorName::matches`].

use std::borrow::Borrow;
use std::fmt;

/// The name of a state: a key of `States`, the target of `Next`, `Default`, `StartAt`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StateName(String);

impl StateName {
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for StateName {
    fn from(name: &str) -> Self {
        Self(name.to_string())
    }
}

impl From<String> for StateName {
    fn from(name: String) -> Self {
        Self(name)
    }
}

// Lets `IndexMap<StateName, State>` be looked up with a `&str`.
impl Borrow<str> for StateName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// An error name as written in `ErrorEquals` or raised by a state (`States.Timeout`,
/// `Lambda.ServiceException`, a custom name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ErrorName(String);

impl ErrorName {
    /// Wildcard: every error except the terminal ones (see [`ErrorName::is_terminal`]).
    pub const ALL: &'static str = "States.ALL";
    /// Runtime failure (a path that selects nothing, a wrong type); never caught by
    /// `States.ALL`.
    pub const RUNTIME: &'static str = "States.Runtime";
    /// A Task failed; in ErrorEquals, matches everything except `States.Timeout`.
    pub const TASK_FAILED: &'static str = "States.TaskFailed";
    pub const TIMEOUT: &'static str = "States.Timeout";
    pub const HEARTBEAT_TIMEOUT: &'static str = "States.HeartbeatTimeout";
    /// Payload over the size quota; terminal, never caught by `States.ALL`.
    pub const DATA_LIMIT_EXCEEDED: &'static str = "States.DataLimitExceeded";
    pub const RESULT_PATH_MATCH_FAILURE: &'static str = "States.ResultPathMatchFailure";
    pub const PARAMETER_PATH_FAILURE: &'static str = "States.ParameterPathFailure";
    pub const BRANCH_FAILED: &'static str = "States.BranchFailed";
    pub const NO_CHOICE_MATCHED: &'static str = "States.NoChoiceMatched";
    pub const INTRINSIC_FAILURE: &'static str = "States.IntrinsicFailure";
    pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &'static str =
        "States.ExceedToleratedFailureThreshold";
    pub const ITEM_READER_FAILED: &'static str = "States.ItemReaderFailed";
    pub const RESULT_WRITER_FAILED: &'static str = "States.ResultWriterFailed";
    pub const QUERY_EVALUATION_ERROR: &'static str = "States.QueryEvaluationError";
    pub const PERMISSIONS: &'static str = "States.Permissions";

    /// Every built-in name, for "did you mean" and for checks that reject unknown `States.*`.
    pub const BUILT_IN: [&'static str; 16] = [
        Self::ALL,
        Self::RUNTIME,
        Self::TASK_FAILED,
        Self::TIMEOUT,
        Self::HEARTBEAT_TIMEOUT,
        Self::DATA_LIMIT_EXCEEDED,
        Self::RESULT_PATH_MATCH_FAILURE,
        Self::PARAMETER_PATH_FAILURE,
        Self::BRANCH_FAILED,
        Self::NO_CHOICE_MATCHED,
        Self::INTRINSIC_FAILURE,
        Self::EXCEED_TOLERATED_FAILURE_THRESHOLD,
        Self::ITEM_READER_FAILED,
        Self::RESULT_WRITER_FAILED,
        Self::QUERY_EVALUATION_ERROR,
        Self::PERMISSIONS,
    ];

    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `States.ALL`.
    pub fn is_all(&self) -> bool {
        self.0 == Self::ALL
    }

    /// Errors that no wildcard catches or retries: AWS documents that `States.ALL` "can't catch
    /// the States.DataLimitExceeded terminal error and runtime error types".
    pub fn is_terminal(error: &str) -> bool {
        error == Self::RUNTIME || error == Self::DATA_LIMIT_EXCEEDED
    }

    /// Whether this `ErrorEquals` entry matches a raised `error`, as AWS matches them:
    /// - an exact name matches itself (so naming `States.Runtime` explicitly is honoured);
    /// - `States.ALL` matches every error except the terminal ones;
    /// - `States.TaskFailed` matches every error except `States.Timeout` and the terminal ones.
    pub fn matches(&self, error: &str) -> bool {
        if self.0 == error {
            return true;
        }
        match self.0.as_str() {
            Self::ALL => !Self::is_terminal(error),
            Self::TASK_FAILED => error != Self::TIMEOUT && !Self::is_terminal(error),
            _ => false,
        }
    }
}

impl fmt::Display for ErrorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ErrorName {
    fn from(name: &str) -> Self {
        Self(name.to_string())
    }
}

impl From<String> for ErrorName {
    fn from(name: String) -> Self {
        Self(name)
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn all_matches_custom_and_builtin_errors() {
        let all = ErrorName::from(ErrorName::ALL);
        assert!(all.matches("Lambda.ServiceException"));
        assert!(all.matches(ErrorName::TIMEOUT));
        assert!(all.matches(ErrorName::TASK_FAILED));
    }

    #[test]
    fn all_does_not_match_terminal_errors() {
        let all = ErrorName::from(ErrorName::ALL);
        assert!(!all.matches(ErrorName::RUNTIME));
        assert!(!all.matches(ErrorName::DATA_LIMIT_EXCEEDED));
    }

    #[test]
    fn task_failed_matches_everything_but_timeout() {
        let task_failed = ErrorName::from(ErrorName::TASK_FAILED);
        assert!(task_failed.matches("CustomError"));
        assert!(task_failed.matches(ErrorName::HEARTBEAT_TIMEOUT));
        assert!(!task_failed.matches(ErrorName::TIMEOUT));
        assert!(!task_failed.matches(ErrorName::RUNTIME));
    }

    #[test]
    fn exact_names_match_only_themselves() {
        let name = ErrorName::from("MyError");
        assert!(name.matches("MyError"));
        assert!(!name.matches("MyError2"));
        assert!(!name.matches("myerror"));
        assert!(ErrorName::from(ErrorName::RUNTIME).matches(ErrorName::RUNTIME));
    }
}
