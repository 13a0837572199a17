//! Scripted Task results in Step Functions Local's MockedResponse shape, served to the simulator
//! by invocation number.

use std::collections::BTreeMap;

use flowc_sim::{TaskCall, TaskFailure, TaskResult, TaskSource, Unmocked};

use super::spec::{MockStep, MockedResponse};

/// One invocation range of a state and what it answers.
#[derive(Debug, Clone)]
struct Range {
    first: u32,
    last: u32,
    step: MockStep,
}

/// Per Task state, the responses by invocation number.
#[derive(Debug, Clone, Default)]
pub struct ScriptedMocks {
    states: BTreeMap<String, Vec<Range>>,
}

impl ScriptedMocks {
    /// Checks every key (`"0"`, `"1-2"`) and response; the error names the state and key.
    pub fn new(responses: &BTreeMap<String, MockedResponse>) -> Result<Self, String> {
        let mut states = BTreeMap::new();
        for (state, response) in responses {
            let mut ranges = Vec::new();
            for (key, step) in response {
                let (first, last) = parse_key(key).ok_or_else(|| {
                    format!(
                        "mock for state '{state}': invocation key '{key}' is not a number or a \
                         range such as \"1-2\""
                    )
                })?;
                match (&step.returns, &step.throws) {
                    (Some(_), None) | (None, Some(_)) => {}
                    _ => {
                        return Err(format!(
                            "mock for state '{state}', invocation '{key}': give exactly one of \
                             \"Return\" or \"Throw\""
                        ));
                    }
                }
                ranges.push(Range {
                    first,
                    last,
                    step: step.clone(),
                });
            }
            ranges.sort_by_key(|r| r.first);
            if let Some(pair) = ranges.windows(2).find(|w| match w {
                [a, b] => b.first <= a.last,
                _ => false,
            }) && let [a, b] = pair
            {
                return Err(format!(
                    "mock for state '{state}': invocation ranges {}-{} and {}-{} overlap",
                    a.first, a.last, b.first, b.last
                ));
            }
            states.insert(state.clone(), ranges);
        }
        Ok(Self { states })
    }

    /// Adds (or replaces) the responses of `other`'s states.
    pub fn overlay(&mut self, other: ScriptedMocks) {
        self.states.extend(other.states);
    }
}

fn parse_key(key: &str) -> Option<(u32, u32)> {
    match key.split_once('-') {
        None => key.trim().parse().ok().map(|n| (n, n)),
        Some((a, b)) => {
            let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            (a <= b).then_some((a, b))
        }
    }
}

impl TaskSource for ScriptedMocks {
    fn call(&mut self, call: &TaskCall) -> Result<(TaskResult, f64), Unmocked> {
        let Some(ranges) = self.states.get(call.state_name) else {
            return Err(Unmocked {
                state: call.state_name.to_string(),
                detail: "the test gives no mocked response for this state".to_string(),
            });
        };
        let n = call.invocation;
        let Some(range) = ranges.iter().find(|r| (r.first..=r.last).contains(&n)) else {
            let keys: Vec<String> = ranges
                .iter()
                .map(|r| {
                    if r.first == r.last {
                        r.first.to_string()
                    } else {
                        format!("{}-{}", r.first, r.last)
                    }
                })
                .collect();
            return Err(Unmocked {
                state: call.state_name.to_string(),
                detail: format!(
                    "invocation {n} (counting from 0) has no response; the mock covers {}",
                    keys.join(", ")
                ),
            });
        };
        let result = match (&range.step.returns, &range.step.throws) {
            (_, Some(t)) if t.error == "States.Timeout" => TaskResult::TimedOut {
                cause: (!t.cause.is_empty()).then(|| t.cause.clone()),
            },
            (_, Some(t)) => TaskResult::Failed(TaskFailure {
                error: t.error.clone(),
                cause: t.cause.clone(),
            }),
            (Some(v), None) => TaskResult::Succeeded(v.clone()),
            (None, None) => TaskResult::Succeeded(serde_json::Value::Null),
        };
        Ok((result, 0.0))
    }
}
