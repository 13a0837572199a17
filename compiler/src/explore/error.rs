//! What stops `flowc explore` before it explores: flags and files (exit 2).

use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum ExploreError {
    #[error("--require {property:?}: {message}")]
    #[diagnostic(
        code(flowc::explore::require),
        help(
            "write one of: `STATUS passes STATE` (every run that ends STATUS entered STATE), `every path ends within DURATION` (simulated: 90s, 15m, 2h, 1h30m), `STATUS never` or `ERROR never` (STATUS is SUCCEEDED, FAILED or TIMED_OUT)"
        )
    )]
    Require { property: String, message: String },

    #[error("--input {origin}: {message}")]
    #[diagnostic(
        code(flowc::explore::input),
        help(
            "give the execution input as JSON text (`--input '{{\"id\": 1}}'`) or as @FILE holding JSON; repeat --input for several"
        )
    )]
    Input { origin: String, message: String },

    #[error("--mocks {path}: {message}")]
    #[diagnostic(
        code(flowc::explore::mocks),
        help(
            "--mocks takes a simulation test file (*.simtest.json, docs/simtest.md) or an AWS Step Functions Local MockConfigFile.json; its Return responses become the success answers explored for each Task state"
        )
    )]
    Mocks { path: String, message: String },

    #[error("--outcome {number}: the exploration found {found} outcome(s)")]
    #[diagnostic(
        code(flowc::explore::no_such_outcome),
        help(
            "outcomes are numbered from 1 as the report lists them; leave --outcome out to colour what every run reached"
        )
    )]
    NoSuchOutcome { number: usize, found: usize },

    #[error("a run could not be made: {message}")]
    #[diagnostic(
        code(flowc::explore::run),
        help(
            "the simulator refused the definition or its input; `flowc simulate` with the same input shows the same error"
        )
    )]
    Run { message: String },
}
