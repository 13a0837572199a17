//! The simulator's two kinds of problems: load-time diagnostics (`SimError`, codes
//! `flowc::sim::*`), which stop a run before it starts, and runtime ASL failures (`Failure`),
//! which are data: they flow through Retry and Catch and end up in the history.

use miette::Diagnostic;
use thiserror::Error;

/// Problems that stop a simulation from starting (or a mock file from being used).
#[derive(Debug, Error, Diagnostic, Clone, PartialEq, Eq)]
pub enum SimError {
    #[error("the state machine definition is invalid: {message}")]
    #[diagnostic(
        code(flowc::sim::invalid_definition),
        help("check the definition with `flowc check`; the simulator runs only valid ASL")
    )]
    /// The definition does not load (flowc-asl's errors, joined).
    InvalidDefinition {
        /// What is wrong.
        message: String,
    },

    #[error("{feature} is not supported by the simulator yet")]
    #[diagnostic(
        code(flowc::sim::unsupported),
        help(
            "the simulator runs JSONPath and JSONata states, inline and Distributed Maps; write the field another way or leave it out"
        )
    )]
    /// The definition uses something the engine cannot run.
    Unsupported {
        /// What it is, and where.
        feature: String,
    },

    #[error("the input is not valid JSON: {message} (line {line}, column {column})")]
    #[diagnostic(code(flowc::sim::invalid_input), help("pass a JSON document as input"))]
    /// The execution input is not JSON.
    InvalidInput {
        /// serde_json's message.
        message: String,
        /// Where (1-based).
        line: usize,
        /// Where (1-based).
        column: usize,
    },

    #[error("the mock file is invalid: {message}")]
    #[diagnostic(
        code(flowc::sim::invalid_mocks),
        help("see the AWS Step Functions Local MockConfigFile.json format")
    )]
    /// The mock file does not parse or is not shaped as MockConfigFile.json is.
    InvalidMocks {
        /// What is wrong, and where.
        message: String,
    },

    #[error("the mock file names state '{state}', which state machine '{machine}' does not have")]
    #[diagnostic(
        code(flowc::sim::unknown_mocked_state),
        help("mock only Task states of the definition{suggestion}")
    )]
    /// The mock file mocks a state the machine does not have.
    UnknownMockedState {
        /// The state machine's name in the mock file.
        machine: String,
        /// The state it names.
        state: String,
        /// `: did you mean ...` when a Task state's name is close; empty otherwise.
        suggestion: String,
    },

    #[error("test case '{test_case}' is not in the mock file")]
    #[diagnostic(code(flowc::sim::unknown_test_case), help("known test cases: {known}"))]
    /// The test case asked for is not in the mock file.
    UnknownTestCase {
        /// The name asked for.
        test_case: String,
        /// The file's test cases, listed.
        known: String,
    },

    #[error("Task state '{state}' has no mocked result: {detail}")]
    #[diagnostic(
        code(flowc::sim::unmocked_task),
        help(
            "add a mock for '{state}' (MockConfigFile test case or case mocks) or pass a task handler"
        )
    )]
    /// A Task ran with nothing to answer it (a setup problem, not an AWS failure).
    Unmocked {
        /// The Task state.
        state: String,
        /// Which invocation or resource was missing.
        detail: String,
    },

    #[error(
        "the execution's history would hold more than {limit_mib} MiB of payload text (stopped after {events} events)"
    )]
    #[diagnostic(
        code(flowc::sim::memory_limit),
        help(
            "AWS keeps every state's input and output; flowc stops a simulation before they take more memory than that. Look for a loop that carries a large payload, or make the payload smaller"
        )
    )]
    /// The history's payload texts passed the engine's memory limit.
    MemoryLimit {
        /// The limit.
        limit_mib: usize,
        /// Events written when the run stopped.
        events: usize,
    },

    #[error(
        "the execution's history is at least {bytes} bytes of JSON ({events} events), over flowc's limit of {limit_mib} MiB for a written history"
    )]
    #[diagnostic(
        code(flowc::sim::history_too_large),
        help(
            "the execution ran to its end (leave out --history to see its result); its history writes every state's input and output in full, as AWS reports them. Look for a loop that carries a large payload, or make the payload smaller"
        )
    )]
    /// The history's JSON text would pass flowc's limit on a written history
    /// ([`crate::History::write_json`]).
    HistoryTooLarge {
        /// Its length (at least).
        bytes: u64,
        /// Its events.
        events: usize,
        /// The limit.
        limit_mib: u64,
    },

    #[error(
        "the execution input is {size} bytes, over AWS's limit of {limit}: StartExecution refuses it with ValidationException: 1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to {limit}"
    )]
    #[diagnostic(
        code(flowc::sim::input_too_large),
        help(
            "AWS measures the input as sent, in bytes of UTF-8 with its whitespace; pass a smaller input (keep large data in S3 and pass its key)"
        )
    )]
    /// The execution input is over AWS's payload limit (StartExecution's `input`, 256 KiB).
    InputTooLarge {
        /// Its size in bytes, as sent.
        size: usize,
        /// AWS's limit: 262,144 bytes.
        limit: usize,
    },

    #[error("the execution history cannot be replayed: {message}")]
    #[diagnostic(
        code(flowc::sim::invalid_history),
        help(
            "a history is GetExecutionHistory's JSON, {{\"events\": [...]}}, every page, oldest event first, with execution data: what `flowc aws history`, `aws stepfunctions get-execution-history` and `flowc simulate --history` write"
        )
    )]
    /// A recorded history (`flowc replay`) that is not GetExecutionHistory's JSON, or lacks
    /// what a replay needs.
    InvalidHistory {
        /// What is wrong, and where.
        message: String,
    },
}

/// A runtime ASL error: `error` plus an optional `cause`, exactly as they reach the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub error: String,
    pub cause: Option<String>,
    /// For a failed JSONata expression: the field it is in, until the `EvaluationFailed` event
    /// that AWS writes before the state fails has been recorded.
    pub location: Option<String>,
}

impl Failure {
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            cause: Some(cause.into()),
            location: None,
        }
    }

    /// `States.QueryEvaluationError` for a JSONata expression of `state` that failed.
    pub(crate) fn query(state: &str, entered_event: u64, e: &crate::jsonata::QueryError) -> Self {
        Self {
            error: crate::jsonata::QUERY_EVALUATION_ERROR.to_string(),
            cause: Some(e.cause(state, entered_event)),
            location: Some(e.field.clone()),
        }
    }

    pub fn without_cause(error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            cause: None,
            location: None,
        }
    }

    /// `States.Runtime` as AWS words it: the state, the event id it was entered at, the reason.
    pub fn runtime(state: &str, entered_event: u64, reason: impl std::fmt::Display) -> Self {
        Self::new(
            "States.Runtime",
            format!(
                "An error occurred while executing the state '{state}' (entered at the event id #{entered_event}). {reason}"
            ),
        )
    }

    /// The `{"Error", "Cause"}` object Catch writes into ResultPath.
    pub fn to_catch_output(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("Error".into(), self.error.clone().into());
        m.insert(
            "Cause".into(),
            self.cause.clone().unwrap_or_default().into(),
        );
        serde_json::Value::Object(m)
    }
}
