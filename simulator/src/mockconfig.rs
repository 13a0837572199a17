//! AWS Step Functions Local's MockConfigFile.json, so existing mock files work unchanged:
//! `StateMachines -> name -> TestCases -> case -> state -> response name`, and
//! `MockedResponses -> name -> {"0": {"Return": ..}, "1-2": {"Throw": {"Error", "Cause"}}}`.
//! Invocation keys count every call of the state (retries included), from 0.
//!
//! flowc's extensions (responses that take time) are documented on [`MockConfig`], where
//! `cargo doc` shows them.

use crate::error::SimError;
use crate::history::Payload;
use crate::jsonpath::same_name;
use crate::mocks::{
    Heartbeats, TaskCall, TaskFailure, TaskReply, TaskResult, TaskSource, Unmocked,
};
use crate::program::Program;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a mocked task answers.
#[derive(Debug, Clone, PartialEq)]
enum Answer {
    /// The value (shared with every execution that returns it) and its JSON text, made once.
    Return(Arc<Value>, Payload),
    Throw {
        error: String,
        cause: String,
    },
    /// `"NoAnswer": true`.
    Nothing,
}

/// One mocked response: the answer and when it comes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Response {
    answer: Answer,
    after_seconds: f64,
    heartbeats: Heartbeats,
    submitted: Option<Value>,
}

/// One mocked response: invocation ranges (inclusive) to what they return or throw.
#[derive(Debug, Clone, PartialEq)]
struct Ranges(Vec<(u32, u32, Response)>);

impl Ranges {
    fn at(&self, invocation: u32) -> Option<&Response> {
        self.0
            .iter()
            .find(|(lo, hi, _)| (*lo..=*hi).contains(&invocation))
            .map(|(_, _, r)| r)
    }
}

/// test case -> state -> response name
type TestCases = BTreeMap<String, BTreeMap<String, String>>;

/// A parsed mock file: AWS Step Functions Local's MockConfigFile.json, which works unchanged
/// (`StateMachines -> name -> TestCases -> case -> state -> response name`, and
/// `MockedResponses -> name -> {"0": {"Return": ..}, "1-2": {"Throw": {"Error", "Cause"}}}`;
/// invocation keys count every call of the state, retries included, from 0).
///
/// flowc's extensions, for tasks that take time (Step Functions Local answers every mock at
/// once). Beside `Return` or `Throw`, a response may say:
///
/// - `"AfterSeconds": 30`: the answer arrives 30 simulated seconds after the task started (a
///   state's TimeoutSeconds shorter than that times it out first).
/// - `"NoAnswer": true` (instead of `Return` / `Throw`): the task never answers, so its
///   TimeoutSeconds or HeartbeatSeconds fires (or, with neither, the execution's own limit).
///   A `Throw` of `States.Timeout` in a state that has a TimeoutSeconds or HeartbeatSeconds
///   means the same (in a state without either it is a TaskTimedOut at once, as Step
///   Functions Local gives it), and so does a `Throw` of `States.HeartbeatTimeout` in a state
///   with a HeartbeatSeconds.
/// - `"Heartbeats": [10, 20]` or `"HeartbeatEverySeconds": 10`: when the task sends
///   SendTaskHeartbeat, in seconds after its start; a gap longer than the state's
///   HeartbeatSeconds times it out (heartbeats write no event, as on AWS).
/// - `"Submitted": {...}`: for a `.waitForTaskToken` or `.sync` task, what the service call
///   returned (TaskSubmitted's output; default `{}`); `Return` / `Throw` is then the callback
///   (SendTaskSuccess / SendTaskFailure) or the job's end. A callback's answer names the task
///   token the task was given, so it reaches the task only when the task's Parameters carry
///   `$$.Task.Token`, as on AWS.
///
/// The same responses can be written inline in a `flowc test` file's `mocks`. A misspelt or
/// malformed field is a [`SimError::InvalidMocks`] that names it.
///
/// A human approval through SQS, answered after an hour:
///
/// ```
/// use flowc_sim::{MockConfig, Program, Simulation, Status};
/// use serde_json::json;
///
/// let program = Program::load(&json!({"StartAt": "Approve", "States": {"Approve": {
///     "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
///     "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/1/q",
///                    "MessageBody": {"TaskToken.$": "$$.Task.Token"}},
///     "HeartbeatSeconds": 900, "End": true}}}))?;
/// let mocks = MockConfig::from_value(&json!({
///     "StateMachines": {"Approval": {"TestCases": {"Approved": {"Approve": "ApprovedLater"}}}},
///     "MockedResponses": {"ApprovedLater": {"0": {
///         "Submitted": {"MessageId": "m-1"},   // the SendMessage response: TaskSubmitted
///         "HeartbeatEverySeconds": 600,         // SendTaskHeartbeat every 10 minutes
///         "Return": {"approved": true},         // SendTaskSuccess with the task's token...
///         "AfterSeconds": 3600}}}               // ...an hour after the task started
/// }))?;
/// let case = mocks.test_case(Some("Approval"), "Approved", &program)?;
/// let outcome = Simulation::new(&program).mocks(case).run()?;
/// assert_eq!(outcome.status, Status::Succeeded);
/// assert_eq!(outcome.duration_seconds, 3600.0);
/// let events: Vec<String> = outcome.history.events.iter().map(|e| e.type_name()).collect();
/// assert!(events.contains(&"TaskSubmitted".to_string()));
/// # Ok::<(), flowc_sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MockConfig {
    /// machine -> test case -> state -> response name
    machines: BTreeMap<String, TestCases>,
    responses: BTreeMap<String, Ranges>,
}

fn bad(message: impl Into<String>) -> SimError {
    SimError::InvalidMocks {
        message: message.into(),
    }
}

fn parse_key(key: &str, response: &str) -> Result<(u32, u32), SimError> {
    let num = |s: &str| {
        s.trim().parse::<u32>().map_err(|_| {
            bad(format!(
                "mocked response '{response}' has invocation key '{key}'; keys are \"N\" or \"N-M\" with N <= M"
            ))
        })
    };
    let (lo, hi) = match key.split_once('-') {
        Some((a, b)) => (num(a)?, num(b)?),
        None => {
            let n = num(key)?;
            (n, n)
        }
    };
    if lo > hi {
        return Err(bad(format!(
            "mocked response '{response}' has the empty range '{key}' (start after end)"
        )));
    }
    Ok((lo, hi))
}

/// The fields a response may have: AWS's and flowc's extensions.
const RESPONSE_FIELDS: [&str; 7] = [
    "Return",
    "Throw",
    "NoAnswer",
    "AfterSeconds",
    "Heartbeats",
    "HeartbeatEverySeconds",
    "Submitted",
];

pub(crate) fn parse_response(name: &str, key: &str, v: &Value) -> Result<Response, SimError> {
    let at = || format!("mocked response '{name}' key '{key}'");
    let obj = v
        .as_object()
        .ok_or_else(|| bad(format!("{} must be an object", at())))?;
    if let Some(unknown) = obj.keys().find(|k| !RESPONSE_FIELDS.contains(&k.as_str())) {
        return Err(bad(format!(
            "{} has the field \"{unknown}\"; a response has \"Return\", \"Throw\" or \"NoAnswer\", and may have {}",
            at(),
            RESPONSE_FIELDS[3..].join(", ")
        )));
    }
    let answer = match (obj.get("Return"), obj.get("Throw"), obj.get("NoAnswer")) {
        (Some(r), None, None) => {
            Answer::Return(Arc::new(r.clone()), crate::json::to_text(r).into())
        }
        (None, Some(t), None) => {
            let field = |f: &str| {
                t.get(f)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let error = field("Error");
            if error.is_empty() {
                return Err(bad(format!("{}: Throw needs an \"Error\" string", at())));
            }
            Answer::Throw {
                error,
                cause: field("Cause"),
            }
        }
        (None, None, Some(Value::Bool(true))) => Answer::Nothing,
        _ => {
            return Err(bad(format!(
                "{} must hold exactly one of \"Return\", \"Throw\" or \"NoAnswer\": true",
                at()
            )));
        }
    };
    let seconds = |field: &str| -> Result<Option<f64>, SimError> {
        match obj.get(field) {
            None => Ok(None),
            Some(v) => match v.as_f64() {
                Some(s) if s.is_finite() && s >= 0.0 => Ok(Some(s)),
                _ => Err(bad(format!(
                    "{}: \"{field}\" must be a number of seconds, 0 or more",
                    at()
                ))),
            },
        }
    };
    let after_seconds = seconds("AfterSeconds")?.unwrap_or(0.0);
    let heartbeats = match (obj.get("Heartbeats"), seconds("HeartbeatEverySeconds")?) {
        (None, None) => Heartbeats::None,
        (None, Some(0.0)) => {
            return Err(bad(format!(
                "{}: \"HeartbeatEverySeconds\" must be more than 0",
                at()
            )));
        }
        (None, Some(every)) => Heartbeats::Every(every),
        (Some(Value::Array(times)), None) => Heartbeats::At(
            times
                .iter()
                .map(|t| match t.as_f64() {
                    Some(s) if s.is_finite() && s >= 0.0 => Ok(s),
                    _ => Err(bad(format!(
                        "{}: \"Heartbeats\" lists seconds after the task's start, 0 or more",
                        at()
                    ))),
                })
                .collect::<Result<_, _>>()?,
        ),
        _ => {
            return Err(bad(format!(
                "{}: give either \"Heartbeats\" (a list of seconds) or \"HeartbeatEverySeconds\"",
                at()
            )));
        }
    };
    Ok(Response {
        answer,
        after_seconds,
        heartbeats,
        submitted: obj.get("Submitted").cloned(),
    })
}

impl MockConfig {
    /// Reads a MockConfigFile.json text.
    pub fn from_json_text(text: &str) -> Result<Self, SimError> {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| bad(format!("{e} (line {}, column {})", e.line(), e.column())))?;
        Self::from_value(&v)
    }

    /// Reads an already parsed MockConfigFile.json.
    pub fn from_value(v: &Value) -> Result<Self, SimError> {
        let mut machines = BTreeMap::new();
        let sms = v
            .get("StateMachines")
            .and_then(Value::as_object)
            .ok_or_else(|| bad("\"StateMachines\" must be an object"))?;
        for (machine, def) in sms {
            let cases = def
                .get("TestCases")
                .and_then(Value::as_object)
                .ok_or_else(|| {
                    bad(format!(
                        "state machine '{machine}' needs a \"TestCases\" object"
                    ))
                })?;
            let mut parsed = BTreeMap::new();
            for (case, states) in cases {
                let states = states.as_object().ok_or_else(|| {
                    bad(format!(
                        "test case '{case}' must map state names to response names"
                    ))
                })?;
                let mut map = BTreeMap::new();
                for (state, resp) in states {
                    let resp = resp.as_str().ok_or_else(|| {
                        bad(format!(
                            "test case '{case}': state '{state}' must name a mocked response"
                        ))
                    })?;
                    map.insert(state.clone(), resp.to_string());
                }
                parsed.insert(case.clone(), map);
            }
            machines.insert(machine.clone(), parsed);
        }
        let mut responses = BTreeMap::new();
        if let Some(rs) = v.get("MockedResponses") {
            let rs = rs
                .as_object()
                .ok_or_else(|| bad("\"MockedResponses\" must be an object"))?;
            for (name, keys) in rs {
                let keys = keys
                    .as_object()
                    .ok_or_else(|| bad(format!("mocked response '{name}' must be an object")))?;
                let mut ranges: Vec<(u32, u32, Response)> = Vec::new();
                for (key, r) in keys {
                    let (lo, hi) = parse_key(key, name)?;
                    if let Some((a, b, _)) = ranges.iter().find(|(a, b, _)| lo <= *b && *a <= hi) {
                        return Err(bad(format!(
                            "mocked response '{name}': key '{key}' overlaps invocations {a}-{b}"
                        )));
                    }
                    ranges.push((lo, hi, parse_response(name, key, r)?));
                }
                ranges.sort_by_key(|(lo, _, _)| *lo);
                responses.insert(name.clone(), Ranges(ranges));
            }
        }
        // Every test case must name responses that exist.
        for (machine, cases) in &machines {
            for (case, states) in cases {
                for (state, resp) in states {
                    if !responses.contains_key(resp) {
                        return Err(bad(format!(
                            "state machine '{machine}', test case '{case}': state '{state}' uses mocked response '{resp}', which \"MockedResponses\" does not define"
                        )));
                    }
                }
            }
        }
        Ok(Self {
            machines,
            responses,
        })
    }

    /// Picks a test case and checks it against the definition: every mocked state must be a
    /// Task state of `program`. `machine` may be omitted when only one machine has the case.
    pub fn test_case(
        &self,
        machine: Option<&str>,
        case: &str,
        program: &Program,
    ) -> Result<MockedCase, SimError> {
        let candidates: Vec<(&String, &TestCases)> = self
            .machines
            .iter()
            .filter(|(name, cases)| machine.is_none_or(|m| m == *name) && cases.contains_key(case))
            .collect();
        let (machine_name, cases) = match candidates.as_slice() {
            [one] => *one,
            [] => {
                let known: Vec<String> = self
                    .machines
                    .iter()
                    .filter(|(name, _)| machine.is_none_or(|m| m == *name))
                    .flat_map(|(name, cases)| cases.keys().map(move |c| format!("{name}/{c}")))
                    .collect();
                return Err(SimError::UnknownTestCase {
                    test_case: case.to_string(),
                    known: if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    },
                });
            }
            _ => {
                return Err(bad(format!(
                    "test case '{case}' exists for several state machines; pick one with --state-machine"
                )));
            }
        };
        let states = cases.get(case).cloned().unwrap_or_default();
        let tasks = program.task_state_names();
        for state in states.keys() {
            if !tasks.iter().any(|t| t == state) {
                let suggestion = tasks
                    .iter()
                    .min_by_key(|t| edit_distance(t, state))
                    .map(|t| format!("; did you mean '{t}'?"))
                    .unwrap_or_default();
                return Err(SimError::UnknownMockedState {
                    machine: machine_name.clone(),
                    state: state.clone(),
                    suggestion,
                });
            }
        }
        let mut by_state = BTreeMap::new();
        for (state, resp) in states {
            if let Some(r) = self.responses.get(&resp) {
                by_state.insert(state, (resp, r.clone()));
            }
        }
        Ok(MockedCase {
            test_case: case.into(),
            states: Arc::new(
                by_state
                    .into_iter()
                    .map(|(state, (resp, r))| (state, resp, r))
                    .collect(),
            ),
        })
    }
}

impl Response {
    /// How this response answers `call` (a thrown timeout depends on the state's timeouts).
    pub(crate) fn reply(&self, call: &TaskCall) -> TaskReply {
        let result = match &self.answer {
            Answer::Return(v, text) => Some(TaskResult::SucceededWithText(v.clone(), text.clone())),
            Answer::Throw { error, cause } if is_timeout(error, call) => {
                Some(TaskResult::TimedOut {
                    cause: (!cause.is_empty()).then(|| cause.clone()),
                })
            }
            Answer::Throw { error, cause } => Some(TaskResult::Failed(TaskFailure {
                error: error.clone(),
                cause: cause.clone(),
            })),
            Answer::Nothing => None,
        };
        TaskReply {
            result,
            after_seconds: self.after_seconds,
            heartbeats: self.heartbeats.clone(),
            submitted: self.submitted.clone(),
        }
    }
}

/// A thrown timeout: the task stopped answering (see the module's extensions). A thrown
/// heartbeat timeout is one only where the state has a HeartbeatSeconds to fire.
fn is_timeout(error: &str, call: &TaskCall) -> bool {
    error == flowc_asl::ErrorName::TIMEOUT
        || (error == flowc_asl::ErrorName::HEARTBEAT_TIMEOUT && call.heartbeat_seconds.is_some())
}

/// Levenshtein distance for "did you mean" suggestions on short state names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let cur = row.get(j + 1).copied().unwrap_or(0);
            let left = row.get(j).copied().unwrap_or(0);
            let val = (prev + usize::from(ca != *cb)).min(cur + 1).min(left + 1);
            if let Some(slot) = row.get_mut(j + 1) {
                *slot = val;
            }
            prev = cur;
        }
    }
    row.last().copied().unwrap_or(0)
}

/// One mocked response on its own, in the shape a mock file gives it (`{"Return": ..}`,
/// `{"Throw": {"Error", "Cause"}}`, `{"NoAnswer": true}`, with flowc's extensions listed on
/// [`MockConfig`]), for a [`Simulation::responder`] that picks each Task's answer as the run
/// goes (`flowc explore`). A run answered this way and a run of a mock file holding the same
/// responses at the same invocations are the same run: both answer through one code path.
///
/// [`Simulation::responder`]: crate::Simulation::responder
#[derive(Debug, Clone, PartialEq)]
pub struct MockResponse(Response);

impl MockResponse {
    /// Parses one response; a misspelt or malformed field is a [`SimError::InvalidMocks`].
    pub fn from_value(v: &Value) -> Result<Self, SimError> {
        parse_response("response", "0", v).map(Self)
    }
}

/// Answers each Task call with the response a caller's closure picks for it.
pub(crate) struct Responder<F>(pub(crate) F);

impl<F: FnMut(&TaskCall) -> MockResponse> TaskSource for Responder<F> {
    fn call(&mut self, call: &TaskCall) -> Result<TaskReply, Unmocked> {
        Ok((self.0)(call).0.reply(call))
    }

    /// The closure answers by state and invocation, as a mock file does.
    fn wants_input(&self) -> bool {
        false
    }
}

/// A test case ready to serve Task results.
#[derive(Debug, Clone)]
pub struct MockedCase {
    test_case: Arc<str>,
    /// Shared: a case is cloned for every execution and never changes.
    /// state -> response name and ranges, sorted by state name.
    states: Arc<Vec<(String, String, Ranges)>>,
}

impl TaskSource for MockedCase {
    fn call(&mut self, call: &TaskCall) -> Result<TaskReply, Unmocked> {
        let state = call.state_name;
        // A few states: compared in turn (cheap tests first); many: searched in order.
        let found = if self.states.len() <= 16 {
            self.states.iter().find(|(s, _, _)| same_name(s, state))
        } else {
            self.states
                .binary_search_by(|(s, _, _)| s.as_str().cmp(state))
                .ok()
                .and_then(|i| self.states.get(i))
        };
        let (_, name, ranges) = found.ok_or_else(|| Unmocked {
            state: call.state_name.to_string(),
            detail: format!("test case '{}' does not mock this state", self.test_case),
        })?;
        let response = ranges.at(call.invocation).ok_or_else(|| Unmocked {
            state: call.state_name.to_string(),
            detail: format!(
                "mocked response '{name}' has no entry for invocation {} (keys count calls from 0)",
                call.invocation
            ),
        })?;
        Ok(response.reply(call))
    }

    /// MockConfigFile responses depend on the state and the invocation, never on the input.
    fn wants_input(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn program() -> Program {
        Program::load(&json!({
            "StartAt": "Charge",
            "States": {"Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true}}
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn config(states: Value, responses: Value) -> Result<MockConfig, SimError> {
        MockConfig::from_value(&json!({
            "StateMachines": {"M": {"TestCases": {"Happy": states}}},
            "MockedResponses": responses
        }))
    }

    #[test]
    fn unknown_state_is_rejected_with_a_suggestion() {
        let c = config(json!({"Charg": "R"}), json!({"R": {"0": {"Return": 1}}}));
        let e = c.and_then(|c| c.test_case(None, "Happy", &program()).map(|_| ()));
        assert!(
            matches!(e, Err(SimError::UnknownMockedState { ref state, ref suggestion, .. })
            if state == "Charg" && suggestion.contains("'Charge'"))
        );
    }

    #[test]
    fn bad_and_overlapping_ranges_are_rejected() {
        let e = config(json!({"Charge": "R"}), json!({"R": {"2-1": {"Return": 1}}}));
        assert!(matches!(e, Err(SimError::InvalidMocks { .. })));
        let e = config(
            json!({"Charge": "R"}),
            json!({"R": {"0-2": {"Return": 1}, "1": {"Return": 2}}}),
        );
        assert!(
            matches!(e, Err(SimError::InvalidMocks { message }) if message.contains("overlaps"))
        );
        let e = config(json!({"Charge": "Missing"}), json!({}));
        assert!(
            matches!(e, Err(SimError::InvalidMocks { message }) if message.contains("'Missing'"))
        );
    }

    #[test]
    fn a_responder_answers_as_a_mock_file_with_the_same_responses() {
        let program = Program::load(&json!({"StartAt": "Charge", "States": {"Charge": {
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f",
            "TimeoutSeconds": 30,
            "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 1}],
            "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Late"}], "End": true},
            "Late": {"Type": "Fail", "Error": "Late"}}}))
        .unwrap_or_else(|e| panic!("{e}"));
        let busy = json!({"Throw": {"Error": "Busy", "Cause": "try later"}});
        let silent = json!({"NoAnswer": true});
        let config = config(
            json!({"Charge": "R"}),
            json!({"R": {"0": busy.clone(), "1": silent.clone()}}),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let case = config
            .test_case(None, "Happy", &program)
            .unwrap_or_else(|e| panic!("{e}"));
        let mocked = crate::Simulation::new(&program).mocks(case).run();
        let picks = [busy, silent].map(|v| MockResponse::from_value(&v));
        let mut calls = Vec::new();
        let picked = crate::Simulation::new(&program)
            .responder(|call: &TaskCall| {
                calls.push((call.invocation, call.attempt, call.timeout_seconds));
                match picks.get(call.invocation as usize) {
                    Some(Ok(r)) => r.clone(),
                    _ => panic!("unexpected call {call:?}"),
                }
            })
            .run();
        let (mocked, picked) = match (mocked, picked) {
            (Ok(a), Ok(b)) => (a, b),
            other => panic!("{other:?}"),
        };
        assert_eq!(calls, [(0, 0, Some(30)), (1, 1, Some(30))]);
        assert_eq!(picked.error.as_deref(), Some("Late"));
        assert_eq!(picked.duration_seconds, 31.0);
        assert_eq!(picked.history.to_json(), mocked.history.to_json());
        let bad = MockResponse::from_value(&json!({"Retrun": 1}));
        assert!(
            matches!(bad, Err(SimError::InvalidMocks { message }) if message.contains("Retrun"))
        );
    }

    #[test]
    fn unknown_test_case_lists_known_ones() {
        let c = config(json!({"Charge": "R"}), json!({"R": {"0": {"Return": 1}}}));
        let e = c.and_then(|c| c.test_case(None, "Sad", &program()).map(|_| ()));
        assert!(matches!(e, Err(SimError::UnknownTestCase { known, .. }) if known == "M/Happy"));
    }
}
