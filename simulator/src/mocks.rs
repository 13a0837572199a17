//! Where Task results come from: in-process handlers (`TaskHandler`, real Rust code under test)
//! or recorded/mocked responses (`mockconfig` for Step Functions Local's MockConfigFile.json,
//! `case` for the conformance corpus). The engine asks one `TaskSource` per run.

use crate::history::Payload;
use serde_json::Value;
use std::sync::Arc;

/// What a Task state asks its handler to do.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskCall<'a> {
    pub state_name: &'a str,
    /// The `Resource` ARN as written in the definition.
    pub resource: &'a str,
    /// The effective input (after InputPath and Parameters); `null` for a source whose
    /// [`TaskSource::wants_input`] says it answers without it.
    pub input: &'a Value,
    /// 0 for the first attempt, 1 for the first retry, ...
    pub attempt: u32,
    /// How many times this state has been invoked before in this execution (all attempts,
    /// all visits); MockConfigFile keys ("0", "1-2") count these.
    pub invocation: u32,
    /// True inside a Map iteration or a Parallel branch, where results may arrive out of order.
    pub concurrent: bool,
    pub timeout_seconds: Option<u64>,
    pub heartbeat_seconds: Option<u64>,
}

/// A task error, as a Lambda or service integration reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFailure {
    pub error: String,
    pub cause: String,
}

/// In-process task code: tests run real handler logic against the simulated workflow.
pub trait TaskHandler {
    fn invoke(&mut self, call: &TaskCall) -> Result<Value, TaskFailure>;

    /// Simulated seconds the call takes (default: none). A duration past the state's
    /// TimeoutSeconds (or HeartbeatSeconds) makes the Task time out, as on AWS.
    fn duration_seconds(&mut self, _call: &TaskCall) -> f64 {
        0.0
    }
}

/// Any `FnMut(&TaskCall) -> Result<Value, TaskFailure>` is a handler.
impl<F> TaskHandler for F
where
    F: FnMut(&TaskCall) -> Result<Value, TaskFailure>,
{
    fn invoke(&mut self, call: &TaskCall) -> Result<Value, TaskFailure> {
        self(call)
    }
}

/// The result of one Task invocation, as the engine records it.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskResult {
    Succeeded(Value),
    /// As `Succeeded`, with a value shared rather than copied (a mocked response, read once
    /// from its file) and its compact JSON text already known: the document holds the value
    /// and the history shares the text, neither made again.
    SucceededWithText(Arc<Value>, Payload),
    Failed(TaskFailure),
    /// `States.Timeout` (or `States.HeartbeatTimeout` when `heartbeat`), with AWS's optional cause.
    TimedOut {
        cause: Option<String>,
    },
}

/// Why a source could not answer: a test-setup problem, not an AWS behaviour, so the run stops
/// with an error instead of failing the execution (a Catch on States.ALL would hide it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmocked {
    pub state: String,
    pub detail: String,
}

/// The engine's view of a task result provider.
pub trait TaskSource {
    fn call(&mut self, call: &TaskCall) -> Result<(TaskResult, f64), Unmocked>;

    /// Whether `call` reads [`TaskCall::input`]. A source that answers by state name and
    /// invocation only (a MockConfigFile test case) says no; the engine then writes the
    /// Parameters' JSON text for the history straight from the template, without building
    /// the value.
    fn wants_input(&self) -> bool {
        true
    }
}

/// Adapts a `TaskHandler` to the engine.
pub struct Handler<H>(pub H);

impl<H: TaskHandler> TaskSource for Handler<H> {
    fn call(&mut self, call: &TaskCall) -> Result<(TaskResult, f64), Unmocked> {
        let secs = self.0.duration_seconds(call);
        let result = match self.0.invoke(call) {
            Ok(v) => TaskResult::Succeeded(v),
            Err(f) if f.error == "States.Timeout" => TaskResult::TimedOut {
                cause: (!f.cause.is_empty()).then_some(f.cause),
            },
            Err(f) => TaskResult::Failed(f),
        };
        Ok((result, secs))
    }
}

/// No task source at all: every Task state is unmocked.
pub struct NoTasks;

impl TaskSource for NoTasks {
    fn call(&mut self, call: &TaskCall) -> Result<(TaskResult, f64), Unmocked> {
        Err(Unmocked {
            state: call.state_name.to_string(),
            detail: "no mock or task handler was given".to_string(),
        })
    }
}
