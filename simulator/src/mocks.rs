//! Where Task results come from: in-process handlers (`TaskHandler`, real Rust code under test)
//! or recorded/mocked responses (`mockconfig` for Step Functions Local's MockConfigFile.json,
//! `case` for the conformance corpus). The engine asks one `TaskSource` per run, once per
//! attempt, and gets a [`TaskReply`]: what the task answers and when, on the virtual clock.

use crate::history::Payload;
use serde_json::Value;
use std::sync::Arc;

/// What a Task state asks its handler to do.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskCall<'a> {
    /// The Task state's name.
    pub state_name: &'a str,
    /// The `Resource` ARN as written in the definition.
    pub resource: &'a str,
    /// The effective input (after InputPath and Parameters). A [`TaskHandler`] always gets
    /// it; MockConfigFile mocks, which answer by state name and invocation, get `null` (the
    /// engine does not build the value for them).
    pub input: &'a Value,
    /// 0 for the first attempt, 1 for the first retry, ...
    pub attempt: u32,
    /// How many times this state has been invoked before in this execution (all attempts,
    /// all visits); MockConfigFile keys ("0", "1-2") count these.
    pub invocation: u32,
    /// True inside a Map iteration or a Parallel branch, where results may arrive out of order.
    pub concurrent: bool,
    /// The state's TimeoutSeconds (or TimeoutSecondsPath's value), if any.
    pub timeout_seconds: Option<u64>,
    /// The state's HeartbeatSeconds (or HeartbeatSecondsPath's value), if any.
    pub heartbeat_seconds: Option<u64>,
    /// The attempt's task token (`$$.Task.Token`) for a `.waitForTaskToken` Task: the callback
    /// answer reaches the task only when the task's parameters carry it, as on AWS, where the
    /// worker reads it from the message it was sent.
    pub task_token: Option<&'a str>,
    /// The execution's state at this call, for a first attempt on the root strand (outside
    /// Parallel and Map) when the simulation was asked for it
    /// ([`Simulation::state_digests`](crate::Simulation::state_digests)); `None` otherwise.
    pub state: Option<crate::StateDigest>,
}

/// A task error, as a Lambda or service integration reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFailure {
    /// The error name Retry and Catch match (`Lambda.ServiceException`, a custom name).
    pub error: String,
    /// The cause text.
    pub cause: String,
}

/// In-process task code: tests run real handler logic against the simulated workflow.
pub trait TaskHandler {
    /// The task's result for `call`: a value, or an error that Retry and Catch see.
    fn invoke(&mut self, call: &TaskCall) -> Result<Value, TaskFailure>;

    /// Simulated seconds until the task answers (default: none). A duration past the state's
    /// TimeoutSeconds (or a gap between heartbeats past its HeartbeatSeconds) makes the Task
    /// time out, as on AWS; `f64::INFINITY` never answers.
    fn duration_seconds(&mut self, _call: &TaskCall) -> f64 {
        0.0
    }

    /// When the task sends heartbeats (SendTaskHeartbeat), in simulated seconds after it
    /// started (default: never).
    fn heartbeats(&mut self, _call: &TaskCall) -> Vec<f64> {
        Vec::new()
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
    /// The task stops answering (a mock's `States.Timeout`, a recorded `TaskTimedOut`): it
    /// times out when the state's TimeoutSeconds or HeartbeatSeconds says, or, for a state with
    /// neither, at the reply's time (Step Functions Local's behaviour), with `States.Timeout`
    /// and this cause.
    TimedOut {
        cause: Option<String>,
    },
}

/// How a task answers one attempt, on the virtual clock.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskReply {
    /// What the task answers; `None`: it never does (its timeout, or the execution's end,
    /// comes first).
    pub result: Option<TaskResult>,
    /// Simulated seconds from the task's start to its answer.
    pub after_seconds: f64,
    /// When the task sends heartbeats (SendTaskHeartbeat); each one resets the state's
    /// HeartbeatSeconds clock.
    pub heartbeats: Heartbeats,
    /// For a `.waitForTaskToken` or `.sync` Task: what the service call returned, which
    /// `TaskSubmitted` records (default `{}`); the answer above is then the callback's
    /// (SendTaskSuccess / SendTaskFailure) or the job's end.
    pub submitted: Option<Value>,
}

impl TaskReply {
    /// An answer at once.
    pub fn now(result: TaskResult) -> Self {
        Self::after(result, 0.0)
    }

    /// An answer `seconds` after the task started.
    pub fn after(result: TaskResult, seconds: f64) -> Self {
        Self {
            result: Some(result),
            after_seconds: seconds,
            heartbeats: Heartbeats::None,
            submitted: None,
        }
    }
}

/// When a task sends heartbeats.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Heartbeats {
    #[default]
    None,
    /// At these simulated seconds after the task's start.
    At(Vec<f64>),
    /// Every so many simulated seconds from the task's start, until it answers.
    Every(f64),
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
    fn call(&mut self, call: &TaskCall) -> Result<TaskReply, Unmocked>;

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
    fn call(&mut self, call: &TaskCall) -> Result<TaskReply, Unmocked> {
        let seconds = self.0.duration_seconds(call);
        let heartbeats = self.0.heartbeats(call);
        let result = match self.0.invoke(call) {
            Ok(v) => TaskResult::Succeeded(v),
            Err(f) if f.error == "States.Timeout" => TaskResult::TimedOut {
                cause: (!f.cause.is_empty()).then_some(f.cause),
            },
            Err(f) => TaskResult::Failed(f),
        };
        Ok(TaskReply {
            result: seconds.is_finite().then_some(result),
            after_seconds: seconds,
            heartbeats: if heartbeats.is_empty() {
                Heartbeats::None
            } else {
                Heartbeats::At(heartbeats)
            },
            submitted: None,
        })
    }
}

/// No task source at all: every Task state is unmocked.
pub struct NoTasks;

impl TaskSource for NoTasks {
    fn call(&mut self, call: &TaskCall) -> Result<TaskReply, Unmocked> {
        Err(Unmocked {
            state: call.state_name.to_string(),
            detail: "no mock or task handler was given".to_string(),
        })
    }
}
