//! Serves the recorded attempts to the simulator, and keeps which answer each call got, by
//! state and invocation, so the same answers can be written as a simulation test's mocks.

use super::recording::Attempt;
use crate::error::SimError;
use crate::mockconfig::{Response, parse_response};
use crate::mocks::{TaskCall, TaskReply, TaskSource, Unmocked};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

struct Entry {
    parameters: Option<Value>,
    /// The response as a MockConfigFile writes it, and parsed by the same code.
    written: Value,
    response: Response,
    used: bool,
}

/// Each call of a Task state takes that state's next recorded attempt; inside a Map or
/// Parallel, the attempt scheduled with the same parameters wins (AWS's branches interleave
/// in an order the simulator does not follow), else the next one.
pub(crate) struct Recorded {
    entries: BTreeMap<String, Vec<Entry>>,
    /// state -> invocation -> the response served: a MockConfigFile MockedResponse per state.
    pub(crate) served: BTreeMap<String, Map<String, Value>>,
    /// A call the recording had no attempt left for (the first one).
    pub(crate) exhausted: Option<String>,
}

impl Recorded {
    pub(crate) fn new(attempts: &[Attempt]) -> Result<Self, SimError> {
        let mut entries: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
        for (n, attempt) in attempts.iter().enumerate() {
            let written = attempt.response();
            let response = parse_response(&attempt.state, &n.to_string(), &written)?;
            entries
                .entry(attempt.state.clone())
                .or_default()
                .push(Entry {
                    parameters: attempt.parameters.clone(),
                    written,
                    response,
                    used: false,
                });
        }
        Ok(Self {
            entries,
            served: BTreeMap::new(),
            exhausted: None,
        })
    }
}

impl TaskSource for Recorded {
    fn call(&mut self, call: &TaskCall) -> Result<TaskReply, Unmocked> {
        let list = self.entries.get_mut(call.state_name);
        let pick = list.and_then(|list| {
            let by_parameters = if call.concurrent {
                list.iter()
                    .position(|e| !e.used && e.parameters.as_ref() == Some(call.input))
            } else {
                None
            };
            let k = by_parameters.or_else(|| list.iter().position(|e| !e.used))?;
            list.get_mut(k)
        });
        let (written, reply) = match pick {
            Some(entry) => {
                entry.used = true;
                (entry.written.clone(), entry.response.reply(call))
            }
            None => {
                // The simulation calls the task more often than the recording did: it has
                // diverged. The call never answers, so the run ends (at its timeout at the
                // latest) and the event comparison shows where.
                self.exhausted.get_or_insert_with(|| {
                    format!(
                        "{} calls Task state `{}` a {} time; {} has no answer left for it",
                        super::diff::SIMULATED,
                        call.state_name,
                        ordinal(call.invocation + 1),
                        super::diff::RECORDED
                    )
                });
                let nothing = json!({"NoAnswer": true});
                let reply = parse_response(call.state_name, "0", &nothing)
                    .map(|r| r.reply(call))
                    .map_err(|e| Unmocked {
                        state: call.state_name.to_string(),
                        detail: e.to_string(),
                    })?;
                (nothing, reply)
            }
        };
        self.served
            .entry(call.state_name.to_string())
            .or_default()
            .insert(call.invocation.to_string(), written);
        Ok(reply)
    }
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}
