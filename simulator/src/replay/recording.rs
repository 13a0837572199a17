//! A recorded execution history (GetExecutionHistory's JSON) read into events, and what the
//! tasks answered in it: each attempt's result, failure, callback answer and timing, written as
//! MockConfigFile responses so that the simulator, `flowc test` and a reader all see the same
//! thing.

use crate::error::SimError;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

fn invalid(message: impl Into<String>) -> SimError {
    SimError::InvalidHistory {
        message: message.into(),
    }
}

/// One event as recorded: its type, when, its links and its one `*EventDetails` object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event {
    pub(crate) kind: String,
    /// Milliseconds since the Unix epoch, when the recording has a timestamp.
    pub(crate) at_ms: Option<i64>,
    pub(crate) id: Option<u64>,
    pub(crate) previous: Option<u64>,
    /// The `*EventDetails` member's name and value (`stateEnteredEventDetails`, ...).
    pub(crate) details: Option<(String, Map<String, Value>)>,
    /// The event as written, for reports.
    pub(crate) raw: Value,
}

impl Event {
    fn from_value(index: usize, raw: &Value) -> Result<Self, SimError> {
        let at = || format!("events[{index}]");
        let object = raw
            .as_object()
            .ok_or_else(|| invalid(format!("{} is not an object", at())))?;
        let kind = object
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(format!("{} has no \"type\" string", at())))?
            .to_string();
        let at_ms = match object.get("timestamp") {
            None | Some(Value::Null) => None,
            Some(t) => Some(timestamp_ms(t).ok_or_else(|| {
                invalid(format!(
                    "{}: \"timestamp\" {t} is neither seconds since 1970 nor an ISO 8601 time",
                    at()
                ))
            })?),
        };
        let number = |key: &str| object.get(key).and_then(Value::as_u64);
        let details = object.iter().find_map(|(key, value)| match value {
            Value::Object(members) if key.ends_with("EventDetails") => {
                Some((key.clone(), members.clone()))
            }
            _ => None,
        });
        Ok(Self {
            kind,
            at_ms,
            id: number("id"),
            previous: number("previousEventId"),
            details,
            raw: raw.clone(),
        })
    }

    /// A member of the details object.
    pub(crate) fn detail(&self, key: &str) -> Option<&Value> {
        self.details.as_ref().and_then(|(_, d)| d.get(key))
    }

    /// A details member holding JSON text (`input`, `output`, `parameters`), parsed.
    fn payload(&self, key: &str) -> Option<Value> {
        let text = self.detail(key)?.as_str()?;
        serde_json::from_str(text).ok()
    }

    fn text(&self, key: &str) -> Option<String> {
        self.detail(key).and_then(Value::as_str).map(str::to_owned)
    }

    /// The state a `*StateEntered` / `*StateExited` event names.
    pub(crate) fn state_name(&self) -> Option<&str> {
        if self.kind.ends_with("StateEntered") || self.kind.ends_with("StateExited") {
            self.detail("name").and_then(Value::as_str)
        } else {
            None
        }
    }
}

/// AWS's API gives seconds since the epoch (a number); the CLI and boto3 print ISO 8601, and
/// flowc writes RFC 3339 with milliseconds.
fn timestamp_ms(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => {
            let seconds = n.as_f64()?;
            seconds
                .is_finite()
                .then(|| (seconds * 1000.0).round() as i64)
        }
        Value::String(s) => {
            let text = s.trim().replacen(' ', "T", 1);
            DateTime::parse_from_rfc3339(&text)
                .ok()
                .map(|t| t.with_timezone(&Utc).timestamp_millis())
        }
        _ => None,
    }
}

/// What one task attempt answered in the recording.
#[derive(Debug, Clone, PartialEq)]
enum Answer {
    Return(Value),
    Throw {
        error: String,
        cause: String,
    },
    /// It stopped answering and timed out (TaskTimedOut: TimeoutSeconds or HeartbeatSeconds).
    TimedOut {
        error: String,
        cause: String,
    },
    /// It never answered (the execution ended, a sibling failed, the state was aborted).
    Nothing,
}

/// One attempt of a Task state: scheduled, perhaps started and submitted, then answered.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Attempt {
    pub(crate) state: String,
    /// The parameters it was scheduled with (TaskScheduled's `parameters`, a Lambda's `input`).
    pub(crate) parameters: Option<Value>,
    scheduled_ms: Option<i64>,
    answered_ms: Option<i64>,
    heartbeat_seconds: Option<u64>,
    submitted: Option<Value>,
    answer: Answer,
}

impl Attempt {
    /// The attempt as a MockConfigFile response (with flowc's timing extensions).
    pub(crate) fn response(&self) -> Value {
        let after_ms = match (self.scheduled_ms, self.answered_ms) {
            (Some(start), Some(end)) if end > start => end - start,
            _ => 0,
        };
        let after = after_ms as f64 / 1000.0;
        let mut response = Map::new();
        match &self.answer {
            Answer::Return(value) => {
                response.insert("Return".into(), value.clone());
            }
            Answer::Throw { error, cause } | Answer::TimedOut { error, cause } => {
                response.insert("Throw".into(), json!({"Error": error, "Cause": cause}));
            }
            Answer::Nothing => {
                response.insert("NoAnswer".into(), Value::Bool(true));
            }
        }
        if after_ms > 0 && self.answer != Answer::Nothing {
            response.insert("AfterSeconds".into(), json!(after));
        }
        if let Some(heartbeat) = self.heartbeat_seconds.filter(|h| *h > 0) {
            let heartbeat = heartbeat as f64;
            match &self.answer {
                // The task outlived its HeartbeatSeconds, so it sent heartbeats (they write no
                // event): every half period keeps it alive until it answered.
                Answer::Return(_) | Answer::Throw { .. } if after > heartbeat => {
                    response.insert("HeartbeatEverySeconds".into(), json!(heartbeat / 2.0));
                }
                // It timed out later than one period after it started: it sent heartbeats until
                // one period before.
                // (At most 10,000 of them; past that the timing shows as a divergence.)
                Answer::TimedOut { .. }
                    if after > heartbeat && (after - heartbeat) / heartbeat < 5_000.0 =>
                {
                    let mut beats = Vec::new();
                    let mut t = after - heartbeat;
                    while t > 0.0 {
                        beats.push((t * 1000.0).round() / 1000.0);
                        t -= heartbeat / 2.0;
                    }
                    beats.reverse();
                    response.insert("Heartbeats".into(), json!(beats));
                }
                _ => {}
            }
        }
        if let Some(submitted) = &self.submitted {
            response.insert("Submitted".into(), submitted.clone());
        }
        Value::Object(response)
    }
}

/// A recorded execution: its events and what they say about the start and the tasks.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    pub(crate) events: Vec<Event>,
}

/// The recorded events that end a task attempt with an answer.
const SUCCEEDED: [&str; 2] = ["TaskSucceeded", "LambdaFunctionSucceeded"];
const FAILED: [&str; 6] = [
    "TaskFailed",
    "TaskStartFailed",
    "TaskSubmitFailed",
    "LambdaFunctionFailed",
    "LambdaFunctionStartFailed",
    "LambdaFunctionScheduleFailed",
];
const TIMED_OUT: [&str; 2] = ["TaskTimedOut", "LambdaFunctionTimedOut"];
const SCHEDULED: [&str; 2] = ["TaskScheduled", "LambdaFunctionScheduled"];
const PROGRESS: [&str; 3] = ["TaskStarted", "TaskSubmitted", "LambdaFunctionStarted"];

impl Recording {
    /// Reads GetExecutionHistory's JSON (`{"events": [...]}`, as `aws stepfunctions
    /// get-execution-history`, `flowc aws history` and `flowc simulate --history` write it; a
    /// bare list of events is taken too). Timestamps may be seconds since 1970 (the API) or
    /// ISO 8601 (the CLI, boto3, flowc).
    pub fn from_json_text(text: &str) -> Result<Self, SimError> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            invalid(format!(
                "not JSON: {e} (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        Self::from_value(&value)
    }

    /// [`Recording::from_json_text`] on a parsed document.
    pub fn from_value(value: &Value) -> Result<Self, SimError> {
        let list = match value {
            Value::Array(list) => list,
            Value::Object(o) => o.get("events").and_then(Value::as_array).ok_or_else(|| {
                invalid(
                    "no \"events\" list: a history is GetExecutionHistory's {\"events\": [...]}",
                )
            })?,
            _ => return Err(invalid("a history is a JSON object {\"events\": [...]}")),
        };
        let events = list
            .iter()
            .enumerate()
            .map(|(i, e)| Event::from_value(i, e))
            .collect::<Result<Vec<_>, _>>()?;
        match events.first() {
            Some(first) if first.kind == "ExecutionStarted" => {}
            Some(first) => {
                return Err(invalid(format!(
                    "the first event is {}, not ExecutionStarted: pass the whole history \
                     (every page of GetExecutionHistory, oldest first, not --reverse-order)",
                    first.kind
                )));
            }
            None => return Err(invalid("the history has no events")),
        }
        Ok(Self { events })
    }

    /// The execution input ExecutionStarted records.
    pub fn input(&self) -> Result<Value, SimError> {
        let started = self.events.first();
        let text = started
            .and_then(|e| e.detail("input"))
            .and_then(Value::as_str)
            .ok_or_else(|| {
                invalid(
                    "ExecutionStarted has no input: the history was fetched without execution \
                     data (GetExecutionHistory's includeExecutionData=false); fetch it again with it",
                )
            })?;
        serde_json::from_str(text)
            .map_err(|e| invalid(format!("ExecutionStarted's input is not JSON: {e}")))
    }

    /// When the execution started, when the recording says.
    pub fn start_time(&self) -> Option<DateTime<Utc>> {
        self.events
            .first()
            .and_then(|e| e.at_ms)
            .and_then(DateTime::from_timestamp_millis)
    }

    /// The role ExecutionStarted names.
    pub(crate) fn role_arn(&self) -> Option<String> {
        self.events.first().and_then(|e| e.text("roleArn"))
    }

    /// The region a TaskScheduled event names.
    pub(crate) fn region(&self) -> Option<String> {
        self.events
            .iter()
            .find(|e| e.kind == "TaskScheduled")
            .and_then(|e| e.text("region"))
    }

    /// The execution's final status in AWS's words, when the history reached its end.
    pub fn status(&self) -> Option<&'static str> {
        self.events.last().and_then(|e| match e.kind.as_str() {
            "ExecutionSucceeded" => Some("SUCCEEDED"),
            "ExecutionFailed" => Some("FAILED"),
            "ExecutionTimedOut" => Some("TIMED_OUT"),
            "ExecutionAborted" => Some("ABORTED"),
            _ => None,
        })
    }

    /// The final event's output (succeeded) or error and cause (failed, timed out).
    pub fn result(&self) -> (Option<Value>, Option<String>, Option<String>) {
        let Some(last) = self.events.last() else {
            return (None, None, None);
        };
        (
            last.payload("output"),
            last.text("error"),
            last.text("cause"),
        )
    }

    /// How many events there are.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether there are none (never, once read: ExecutionStarted is required).
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Whether branches or iterations ran side by side, so AWS's event order between them is
    /// not the simulator's.
    pub(crate) fn concurrent(&self) -> bool {
        self.events.iter().any(|e| {
            matches!(
                e.kind.as_str(),
                "ParallelStateStarted" | "MapStateStarted" | "MapRunStarted"
            )
        })
    }

    /// Every task attempt, in the order they were scheduled. Each event belongs to the attempt
    /// its `previousEventId` chain leads back to (AWS links an attempt's events in order), and
    /// without usable links to the latest attempt still waiting for its answer.
    pub(crate) fn attempts(&self) -> Vec<Attempt> {
        // event id -> the state it belongs to / the attempt it belongs to
        let mut state_of: BTreeMap<u64, String> = BTreeMap::new();
        let mut attempt_of: BTreeMap<u64, usize> = BTreeMap::new();
        let mut attempts: Vec<Attempt> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        let mut last_task_state: Option<String> = None;
        for event in &self.events {
            let linked_state = event.previous.and_then(|p| state_of.get(&p)).cloned();
            let linked_attempt = event.previous.and_then(|p| attempt_of.get(&p)).copied();
            let state = match event.state_name() {
                Some(name) => {
                    if event.kind == "TaskStateEntered" {
                        last_task_state = Some(name.to_string());
                    }
                    Some(name.to_string())
                }
                None => linked_state,
            };
            let kind = event.kind.as_str();
            let mut attempt = None;
            if SCHEDULED.contains(&kind) {
                let parameters = event
                    .payload("parameters")
                    .or_else(|| event.payload("input"));
                let heartbeat_seconds = event.detail("heartbeatInSeconds").and_then(Value::as_u64);
                attempts.push(Attempt {
                    state: state
                        .clone()
                        .or_else(|| last_task_state.clone())
                        .unwrap_or_default(),
                    parameters,
                    scheduled_ms: event.at_ms,
                    answered_ms: None,
                    heartbeat_seconds,
                    submitted: None,
                    answer: Answer::Nothing,
                });
                let index = attempts.len() - 1;
                open.push(index);
                attempt = Some(index);
            } else if PROGRESS.contains(&kind)
                || SUCCEEDED.contains(&kind)
                || FAILED.contains(&kind)
                || TIMED_OUT.contains(&kind)
            {
                let index = linked_attempt.or_else(|| open.last().copied());
                if let Some(current) = index.and_then(|i| attempts.get_mut(i)) {
                    let error = || event.text("error").unwrap_or_default();
                    let cause = || event.text("cause").unwrap_or_default();
                    let answered = if SUCCEEDED.contains(&kind) {
                        Some(Answer::Return(
                            event.payload("output").unwrap_or(Value::Null),
                        ))
                    } else if FAILED.contains(&kind) {
                        Some(Answer::Throw {
                            error: error(),
                            cause: cause(),
                        })
                    } else if TIMED_OUT.contains(&kind) {
                        let error = Some(error())
                            .filter(|e| !e.is_empty())
                            .unwrap_or_else(|| flowc_asl::ErrorName::TIMEOUT.to_string());
                        Some(Answer::TimedOut {
                            error,
                            cause: cause(),
                        })
                    } else {
                        if kind == "TaskSubmitted" {
                            current.submitted =
                                Some(event.payload("output").unwrap_or_else(|| json!({})));
                        }
                        None
                    };
                    if let Some(answer) = answered {
                        current.answer = answer;
                        current.answered_ms = event.at_ms;
                        open.retain(|i| Some(*i) != index);
                    }
                }
                attempt = index;
            }
            if let Some(id) = event.id {
                if let Some(state) = state {
                    state_of.insert(id, state);
                }
                if let Some(index) = attempt {
                    attempt_of.insert(id, index);
                }
            }
        }
        attempts
    }
}
