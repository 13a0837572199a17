//! What a Task call can answer: its distinguishable outcomes, in a fixed order.
//!
//! 1. The success responses the user stated for the state (`--mocks`), each distinct one an
//!    alternative, in the order first written; without any, `{"Return": {}}`.
//! 2. Each error the state's Retriers and Catchers name (written order), or the response the
//!    user stated for it; names the engine raises itself (`States.*`: data, paths, limits) are
//!    left out, the wildcards (`States.ALL`, `States.TaskFailed`) stand for the next item.
//! 3. One error no Retrier or Catcher names ([`UNNAMED_ERROR`]): States.ALL's remainder, and,
//!    where nothing catches everything, the uncaught failure.
//! 4. The errors the user stated (`Throw`) that no Retrier or Catcher names.
//! 5. `States.Timeout` where the call has a TimeoutSeconds (the task never answers, sending
//!    heartbeats if the state wants them); `States.HeartbeatTimeout` where it has a
//!    HeartbeatSeconds (the task never answers nor beats); a `.waitForTaskToken` task whose
//!    callback never comes.
//!
//! Alternatives are mocked responses (`flowc_sim::MockResponse`), so an explored run and the
//! simulation test emitted for it answer through the same code. Two that would answer alike
//! (the same JSON) are one.

use std::collections::BTreeMap;
use std::rc::Rc;

use flowc_asl::{ErrorName, StateKind, StateMachine};
use flowc_sim::{MockResponse, TaskCall};
use serde_json::{Value, json};

/// The error that stands for any error no Retrier or Catcher names.
pub const UNNAMED_ERROR: &str = "UnexpectedError";

/// One answer a call may get.
#[derive(Debug, Clone)]
pub struct Alternative {
    /// The mocked response, as a simulation test writes it.
    pub response: Value,
    pub parsed: MockResponse,
    /// `returns {"status":"healthy"}`, `throws Lambda.ServiceException`, `never answers`.
    pub label: String,
}

/// What the user stated for one Task state in `--mocks`, in the order written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stated {
    pub responses: Vec<Value>,
}

/// One Task state's fixed facts.
#[derive(Debug, Clone)]
struct TaskFacts {
    named_errors: Vec<String>,
    callback: bool,
}

/// A call's state, TimeoutSeconds and HeartbeatSeconds: what its alternatives depend on.
type CallKey = (String, Option<u64>, Option<u64>);

/// The alternatives of every Task state, made once per (state, timeout, heartbeat).
pub struct Alternatives {
    tasks: BTreeMap<String, TaskFacts>,
    stated: BTreeMap<String, Stated>,
    made: BTreeMap<CallKey, Rc<[Alternative]>>,
}

impl Alternatives {
    pub fn new(machine: &StateMachine, stated: BTreeMap<String, Stated>) -> Self {
        let mut tasks = BTreeMap::new();
        collect(&machine.states, &mut tasks);
        Self {
            tasks,
            stated,
            made: BTreeMap::new(),
        }
    }

    /// The Task states, by name (nested ones included).
    pub fn task_names(&self) -> impl Iterator<Item = &str> {
        self.tasks.keys().map(String::as_str)
    }

    /// The alternatives of `call`, first the default.
    pub fn of(&mut self, call: &TaskCall) -> Rc<[Alternative]> {
        let key = (
            call.state_name.to_string(),
            call.timeout_seconds,
            call.heartbeat_seconds,
        );
        if let Some(made) = self.made.get(&key) {
            return made.clone();
        }
        let made: Rc<[Alternative]> = self.make(call).into();
        self.made.insert(key, made.clone());
        made
    }

    fn make(&self, call: &TaskCall) -> Vec<Alternative> {
        let facts = self.tasks.get(call.state_name);
        let stated = self
            .stated
            .get(call.state_name)
            .map(|s| s.responses.as_slice())
            .unwrap_or_default();
        let mut responses: Vec<Value> = stated
            .iter()
            .filter(|r| r.get("Return").is_some())
            .cloned()
            .collect();
        if responses.is_empty() {
            responses.push(json!({"Return": {}}));
        }
        let thrown = |name: &str| {
            stated
                .iter()
                .find(|r| r.pointer("/Throw/Error").and_then(Value::as_str) == Some(name))
                .cloned()
                .unwrap_or_else(|| {
                    json!({"Throw": {"Error": name,
                                     "Cause": format!("flowc explore: the task failed with {name}")}})
                })
        };
        let named = facts.map(|f| f.named_errors.as_slice()).unwrap_or_default();
        for name in named {
            responses.push(thrown(name));
        }
        let mut unnamed = UNNAMED_ERROR.to_string();
        while named.contains(&unnamed) {
            unnamed.push('_');
        }
        responses.push(thrown(&unnamed));
        responses.extend(
            stated
                .iter()
                .filter(|r| r.get("Throw").is_some() || r.get("NoAnswer").is_some())
                .cloned(),
        );
        if call.timeout_seconds.is_some() {
            responses.push(match call.heartbeat_seconds {
                // Beats keep the heartbeat clock quiet, so the task's own timeout fires.
                Some(beat) => {
                    json!({"NoAnswer": true, "HeartbeatEverySeconds": (beat as f64 / 2.0).max(0.5)})
                }
                None => json!({"NoAnswer": true}),
            });
        }
        if call.heartbeat_seconds.is_some() || facts.is_some_and(|f| f.callback) {
            responses.push(json!({"NoAnswer": true}));
        }
        let mut out: Vec<Alternative> = Vec::new();
        for response in responses {
            if out.iter().any(|a| a.response == response) {
                continue;
            }
            // Stated responses were checked when read; made ones are well formed.
            if let Ok(parsed) = MockResponse::from_value(&response) {
                out.push(Alternative {
                    label: label(&response, call),
                    parsed,
                    response,
                });
            }
        }
        out
    }
}

fn collect(
    states: &indexmap::IndexMap<flowc_asl::StateName, flowc_asl::State>,
    out: &mut BTreeMap<String, TaskFacts>,
) {
    for (name, state) in states {
        if let StateKind::Task(task) = &state.kind {
            let mut named_errors: Vec<String> = Vec::new();
            let names = task
                .retry
                .iter()
                .flat_map(|r| r.error_equals.iter())
                .chain(task.catch.iter().flat_map(|c| c.error_equals.iter()));
            for error in names {
                let error = error.as_str();
                // The engine's own errors are raised by the engine (a path that does not
                // match, a payload too large), not answered by a task; the timeouts have
                // alternatives of their own.
                if error.starts_with("States.") || named_errors.iter().any(|e| e == error) {
                    continue;
                }
                named_errors.push(error.to_string());
            }
            out.insert(
                name.as_str().to_string(),
                TaskFacts {
                    named_errors,
                    callback: task.resource.ends_with(".waitForTaskToken"),
                },
            );
        }
        for branch in state.branches() {
            collect(&branch.states, out);
        }
    }
}

/// Longest returned value shown in a label.
const SHOWN_CHARS: usize = 60;

fn label(response: &Value, call: &TaskCall) -> String {
    if let Some(value) = response.get("Return") {
        let text = value.to_string();
        let shown = if text.chars().count() > SHOWN_CHARS {
            format!("{}...", text.chars().take(SHOWN_CHARS).collect::<String>())
        } else {
            text
        };
        return format!("returns {shown}");
    }
    if let Some(error) = response.pointer("/Throw/Error").and_then(Value::as_str) {
        return format!("throws {error}");
    }
    match (
        response.get("HeartbeatEverySeconds").is_some(),
        call.timeout_seconds,
        call.heartbeat_seconds,
    ) {
        (true, _, _) | (false, Some(_), None) => {
            format!("never answers ({})", ErrorName::TIMEOUT)
        }
        (false, Some(t), Some(h)) if t <= h => {
            format!("never answers ({})", ErrorName::TIMEOUT)
        }
        (false, _, Some(_)) => {
            format!("never answers nor beats ({})", ErrorName::HEARTBEAT_TIMEOUT)
        }
        (false, None, None) => "never calls back".to_string(),
    }
}
