//! `--mocks FILE`: the responses a simulation test file or a MockConfigFile states per Task
//! state (the success answers and stated errors explored), and its tests' inputs.

use std::collections::BTreeMap;
use std::path::Path;

use flowc_asl::StateMachine;
use flowc_sim::MockResponse;
use serde_json::Value;

use super::alternatives::{Alternatives, Stated};
use super::error::ExploreError;
use crate::cli::input::read_text;

/// The responses `path` states per Task state (a simulation test file's shared and per-test
/// mocks and its MockConfigFile, or a MockConfigFile), and the distinct inputs of its tests.
pub fn read_mocks(
    path: &Path,
    machine: &StateMachine,
) -> Result<(BTreeMap<String, Stated>, Vec<Value>), ExploreError> {
    let bad = |message: String| ExploreError::Mocks {
        path: path.display().to_string(),
        message,
    };
    let text = read_text(path).map_err(bad)?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| bad(format!("not JSON: {e}")))?;
    // state -> MockedResponse objects ({"0": {...}, "1-2": {...}})
    let mut ranges: Vec<(String, Value)> = Vec::new();
    let mut inputs: Vec<Value> = Vec::new();
    if doc.get("StateMachines").is_some() {
        mock_config(&doc, &mut ranges);
    } else {
        let file = crate::testing::parse_file(path).map_err(|e| bad(e.to_string()))?;
        ranges.extend(file.mocks.clone());
        if let Some(name) = &file.mock_config {
            let config_path = path.parent().unwrap_or(Path::new(".")).join(name);
            let text = read_text(&config_path)
                .map_err(|e| bad(format!("its mock_config {}: {e}", config_path.display())))?;
            let config: Value = serde_json::from_str(&text)
                .map_err(|e| bad(format!("its mock_config is not JSON: {e}")))?;
            mock_config(&config, &mut ranges);
        }
        for test in &file.tests {
            ranges.extend(test.mocks.clone());
            if !inputs.contains(&test.input) {
                inputs.push(test.input.clone());
            }
        }
    }
    let tasks: Vec<String> = Alternatives::new(machine, BTreeMap::new())
        .task_names()
        .map(str::to_string)
        .collect();
    let mut stated: BTreeMap<String, Stated> = BTreeMap::new();
    for (state, by_invocation) in ranges {
        if !tasks.contains(&state) {
            let nearest = tasks
                .iter()
                .max_by(|a, b| {
                    strsim::jaro_winkler(&state, a)
                        .partial_cmp(&strsim::jaro_winkler(&state, b))
                        .unwrap_or(std::cmp::Ordering::Equal)
                })
                .map(|t| format!("; did you mean `{t}`?"))
                .unwrap_or_default();
            return Err(bad(format!(
                "it mocks `{state}`, which is not a Task state of the machine{nearest}"
            )));
        }
        let Some(responses) = by_invocation.as_object() else {
            return Err(bad(format!(
                "the mocked response of `{state}` must map invocations (\"0\", \"1-2\") to responses"
            )));
        };
        let entry = stated.entry(state.clone()).or_default();
        for response in responses.values() {
            MockResponse::from_value(response)
                .map_err(|e| bad(format!("the response of `{state}`: {e}")))?;
            if !entry.responses.contains(response) {
                entry.responses.push(response.clone());
            }
        }
    }
    Ok((stated, inputs))
}

/// Every (state, mocked response) a MockConfigFile's test cases use.
fn mock_config(doc: &Value, out: &mut Vec<(String, Value)>) {
    let responses = doc.get("MockedResponses");
    let machines = doc.get("StateMachines").and_then(Value::as_object);
    for machine in machines.into_iter().flat_map(|m| m.values()) {
        let cases = machine.get("TestCases").and_then(Value::as_object);
        for case in cases.into_iter().flat_map(|c| c.values()) {
            for (state, name) in case.as_object().into_iter().flatten() {
                if let Some(response) = name.as_str().and_then(|n| responses.and_then(|r| r.get(n)))
                {
                    out.push((state.clone(), response.clone()));
                }
            }
        }
    }
}
