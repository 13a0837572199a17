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
