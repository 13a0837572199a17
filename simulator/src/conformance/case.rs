//! A conformance case file (conformance/asl/README.md): a definition, an input, recorded Task
//! results replayed as mocks, the context names AWS used, and what AWS answered.

use super::compare::{Expected, NormalizeRules};
use crate::error::SimError;
use crate::mocks::{TaskCall, TaskFailure, TaskReply, TaskResult, TaskSource, Unmocked};
use crate::program::Program;
use crate::simulation::{ExecutionContext, Outcome, Simulation, Status};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// One recorded Task result of a case (`mocks` in the case file).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RecordedResult {
    pub(crate) event: String,
    #[serde(default)]
    pub(crate) input: Option<Value>,
    #[serde(default)]
    pub(crate) output: Option<Value>,
    #[serde(default)]
    pub(crate) error: Option<String>,
    #[serde(default)]
    pub(crate) cause: Option<String>,
}

/// The names and ARNs the recording ran under (`context` in the case file).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct CaseContext {
    pub(crate) state_machine_name: Option<String>,
    pub(crate) state_machine_arn: Option<String>,
    pub(crate) execution_name: Option<String>,
    pub(crate) execution_arn: Option<String>,
    pub(crate) role_arn: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) state_machine_type: Option<String>,
}

/// One case file of the corpus (format: conformance/asl/README.md).
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    pub(crate) definition: Value,
    #[serde(default)]
    pub(crate) input: Value,
    #[serde(default)]
    pub(crate) mocks: BTreeMap<String, Vec<RecordedResult>>,
    #[serde(default)]
    pub(crate) context: CaseContext,
    /// The case's name in reports.
    #[serde(default)]
    pub id: String,
    /// Feature tags (`pass`, `map`, `jsonata`, ...), the rows of the score table.
    #[serde(default)]
    pub features: Vec<String>,
    /// What AWS answered; a case without it can be run but not scored.
    #[serde(default)]
    pub(crate) expected: Option<Expected>,
    /// How the actual result is normalised before comparing (the recordings were anonymised).
    #[serde(default)]
    pub(crate) normalize: NormalizeRules,
}

/// Replays recorded results: each run of a Task state takes that state's next entry; inside a
/// Map or Parallel the entry whose recorded `input` equals the call's parameters wins (results
/// were recorded in completion order, not item order), else list order.
pub(crate) struct RecordedMocks {
    entries: BTreeMap<String, Vec<(RecordedResult, bool)>>,
}

impl RecordedMocks {
    pub(crate) fn new(mocks: BTreeMap<String, Vec<RecordedResult>>) -> Self {
        Self {
            entries: mocks
                .into_iter()
                .map(|(k, v)| (k, v.into_iter().map(|r| (r, false)).collect()))
                .collect(),
        }
    }
}

impl TaskSource for RecordedMocks {
    fn call(&mut self, call: &TaskCall) -> Result<TaskReply, Unmocked> {
        let list = self
            .entries
            .get_mut(call.state_name)
            .ok_or_else(|| Unmocked {
                state: call.state_name.to_string(),
                detail: "the case records no result for this state".into(),
            })?;
        let by_input = if call.concurrent {
            list.iter()
                .position(|(r, used)| !used && r.input.as_ref() == Some(call.input))
        } else {
            None
        };
        let k = by_input
            .or_else(|| list.iter().position(|(_, used)| !used))
            .ok_or_else(|| Unmocked {
                state: call.state_name.to_string(),
                detail: format!(
                    "the case records {} result(s) and all were used",
                    list.len()
                ),
            })?;
        let Some((rec, used)) = list.get_mut(k) else {
            return Err(Unmocked {
                state: call.state_name.to_string(),
                detail: "internal: mock index out of range".into(),
            });
        };
        *used = true;
        let result = if rec.event.ends_with("TimedOut") {
            TaskResult::TimedOut {
                cause: rec.cause.clone(),
            }
        } else if let Some(error) = &rec.error {
            TaskResult::Failed(TaskFailure {
                error: error.clone(),
                cause: rec.cause.clone().unwrap_or_default(),
            })
        } else {
            TaskResult::Succeeded(rec.output.clone().unwrap_or(Value::Null))
        };
        Ok(TaskReply::now(result))
    }
}

impl Case {
    /// Reads a case file's text.
    pub fn from_json_text(text: &str) -> Result<Self, SimError> {
        serde_json::from_str(text).map_err(|e| SimError::InvalidInput {
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        })
    }

    fn execution_context(&self) -> ExecutionContext {
        let c = &self.context;
        let mut ctx = ExecutionContext::named(
            c.state_machine_name.as_deref().unwrap_or("StateMachine"),
            c.execution_name.as_deref().unwrap_or("execution"),
        );
        if let Some(v) = &c.state_machine_arn {
            ctx.state_machine_arn = v.clone();
        }
        if let Some(v) = &c.execution_arn {
            ctx.execution_arn = v.clone();
        }
        if let Some(v) = &c.role_arn {
            ctx.role_arn = v.clone();
        }
        if let Some(v) = &c.region {
            ctx.region = v.clone();
        }
        ctx.express = c.state_machine_type.as_deref() == Some("EXPRESS");
        ctx
    }

    /// Runs the case and returns the outcome.
    pub fn run(&self) -> Result<Outcome, SimError> {
        let program = Program::load(&self.definition)?;
        Simulation::new(&program)
            .input(self.input.clone())
            .context(self.execution_context())
            .source(RecordedMocks::new(self.mocks.clone()))
            .run()
    }
}

/// The run-case contract's result object: status plus output, or error and cause, and the
/// event sequence as `history`: `[[type, state name or null], ...]`.
pub fn contract_json(outcome: &Outcome) -> Value {
    let mut m = Map::new();
    let status = match outcome.status {
        Status::Succeeded => "SUCCEEDED",
        Status::Failed => "FAILED",
        Status::TimedOut => "TIMED_OUT",
    };
    m.insert("status".into(), status.into());
    if outcome.status == Status::Succeeded {
        m.insert(
            "output".into(),
            outcome.output().cloned().unwrap_or(Value::Null),
        );
    } else {
        if let Some(e) = &outcome.error {
            m.insert("error".into(), e.clone().into());
        }
        if let Some(c) = &outcome.cause {
            m.insert("cause".into(), c.clone().into());
        }
    }
    let history = outcome
        .history
        .sequence()
        .map(|(kind, state)| {
            Value::Array(vec![kind.into(), state.map_or(Value::Null, Value::from)])
        })
        .collect();
    m.insert("history".into(), Value::Array(history));
    Value::Object(m)
}

/// The recorded Task events a case's `mocks` entries stand for.
const RESULT_EVENTS: [&str; 10] = [
    "TaskSucceeded",
    "TaskFailed",
    "TaskTimedOut",
    "TaskStartFailed",
    "TaskSubmitFailed",
    "LambdaFunctionSucceeded",
    "LambdaFunctionFailed",
    "LambdaFunctionTimedOut",
    "LambdaFunctionStartFailed",
    "LambdaFunctionScheduleFailed",
];

impl Case {
    /// The case's recording as GetExecutionHistory's JSON, where AWS's event sequence was
    /// recorded: every event's type and state name, the execution's input and result, and each
    /// Task attempt's parameters and answer from `mocks` (in the order the history took them,
    /// each attributed to the Task state entered last). The corpus kept no timestamps, no
    /// event links and no other payloads, so those are left out, and a replay compares what
    /// is there.
    pub fn recorded_history(&self) -> Option<Value> {
        let expected = self.expected.as_ref()?;
        let sequence = expected.history.as_ref()?;
        let mut cursor: BTreeMap<&str, usize> = BTreeMap::new();
        let mut last_task: Option<&str> = None;
        let text = |v: &Value| Value::String(crate::json::to_text(v));
        let mut events = Vec::with_capacity(sequence.len());
        for (i, (kind, state)) in sequence.iter().enumerate() {
            let mut event = Map::new();
            event.insert("type".into(), kind.clone().into());
            event.insert("id".into(), (i + 1).into());
            let mut details = Map::new();
            let key = match kind.as_str() {
                "ExecutionStarted" => {
                    details.insert("input".into(), text(&self.input));
                    Some("executionStartedEventDetails".to_string())
                }
                "ExecutionSucceeded" => {
                    let output = expected.output.clone().unwrap_or(Value::Null);
                    details.insert("output".into(), text(&output));
                    Some("executionSucceededEventDetails".to_string())
                }
                "ExecutionFailed" | "ExecutionTimedOut" => {
                    if let Some(error) = &expected.error {
                        details.insert("error".into(), error.clone().into());
                    }
                    let cause = match (&expected.cause_json, &expected.cause) {
                        (Some(json), _) => Some(crate::json::to_text(json)),
                        (None, cause) => cause.clone(),
                    };
                    if let Some(cause) = cause {
                        details.insert("cause".into(), cause.into());
                    }
                    Some(format!("{}EventDetails", lower_first(kind)))
                }
                k if k.ends_with("StateEntered") || k.ends_with("StateExited") => {
                    if let Some(name) = state {
                        details.insert("name".into(), name.clone().into());
                        if k == "TaskStateEntered" {
                            last_task = Some(name.as_str());
                        }
                    }
                    Some(if k.ends_with("StateEntered") {
                        "stateEnteredEventDetails".to_string()
                    } else {
                        "stateExitedEventDetails".to_string()
                    })
                }
                "TaskScheduled" | "LambdaFunctionScheduled" => {
                    let entry = last_task.and_then(|s| {
                        let n = cursor.get(s).copied().unwrap_or(0);
                        self.mocks.get(s).and_then(|list| list.get(n))
                    });
                    if let Some(input) = entry.and_then(|e| e.input.as_ref()) {
                        let field = if kind == "TaskScheduled" {
                            "parameters"
                        } else {
                            "input"
                        };
                        details.insert(field.into(), text(input));
                    }
                    Some(format!("{}EventDetails", lower_first(kind)))
                }
                k if RESULT_EVENTS.contains(&k) => {
                    let entry = last_task.and_then(|s| {
                        let n = cursor.entry(s).or_insert(0);
                        let found = self.mocks.get(s).and_then(|list| list.get(*n));
                        *n += 1;
                        found
                    });
                    if let Some(entry) = entry {
                        if let Some(output) = &entry.output {
                            details.insert("output".into(), text(output));
                        }
                        if let Some(error) = &entry.error {
                            details.insert("error".into(), error.clone().into());
                        }
                        if let Some(cause) = &entry.cause {
                            details.insert("cause".into(), cause.clone().into());
                        }
                    }
                    Some(format!("{}EventDetails", lower_first(kind)))
                }
                _ => None,
            };
            if let Some(key) = key
                && !details.is_empty()
            {
                event.insert(key, Value::Object(details));
            }
            events.push(Value::Object(event));
        }
        let mut history = Map::new();
        history.insert("events".into(), Value::Array(events));
        Some(Value::Object(history))
    }

    /// Replays [`Case::recorded_history`] against the case's definition, with the case's
    /// context and normalisation: `None` when the case recorded no event sequence.
    pub fn replay(&self) -> Option<Result<crate::replay::Report, SimError>> {
        let history = self.recorded_history()?;
        Some((|| {
            let recording = crate::replay::Recording::from_value(&history)?;
            let program = Program::load(&self.definition)?;
            crate::replay::Replay::new(&program, &recording)
                .context(self.execution_context())
                .rules(self.normalize.clone())
                // The recorded parameters were anonymised (`<task_token:1>`, `sqs_queue_url`)
                // by no rule of the case's: they choose answers but are not compared.
                .uncompared(&["parameters", "input"])
                .run()
        })())
    }
}

/// `TaskScheduled` -> `taskScheduled`: AWS's details member names.
fn lower_first(kind: &str) -> String {
    let mut chars = kind.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}
