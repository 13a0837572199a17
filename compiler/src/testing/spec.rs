//! The simulation test file format (`*.simtest.json`).
//!
//! ```jsonc
//! {
//!   "$schema": "../../docs/simtest.schema.json",  // optional: for editors
//!   "machine": "../tenant_provisioning.flow",     // .flow or .asl.json, relative to this file
//!   "mocks": {                                     // shared by every test (optional)
//!     "ValidateInput": {"0": {"Return": {"valid": true}}}
//!   },
//!   "mock_config": "MockConfigFile.json",          // optional: AWS Step Functions Local format
//!   "state_machine": "TenantProvisioning",         // its StateMachines key (default: the only one)
//!   "tests": [{
//!     "name": "happy path",
//!     "input": {"tenant_id": "t-1"},
//!     "seed": 0,
//!     "test_case": "HappyPath",                    // a MockConfigFile test case (optional)
//!     "mocks": {                                   // per test, over the shared ones
//!       "CheckBackendHealth": {"0-1": {"Return": {"status": "pending"}},
//!                              "2": {"Return": {"status": "healthy"}}},
//!       "ProvisioningComplete": {"0": {"Throw": {"Error": "Lambda.TooManyRequestsException",
//!                                               "Cause": "Rate exceeded"}},
//!                                "1": {"Return": {}}}
//!     },
//!     "expect": {
//!       "status": "SUCCEEDED",                     // or FAILED, TIMED_OUT
//!       "output": {...},                           // exact
//!       "output_contains": {...},                  // subset: objects by key, the rest equal
//!       "error": "...", "cause": "...",
//!       "path": ["ValidateInput", "..."],          // every state entered, in order
//!       "duration_seconds": 180               // or {"min": 180, "max": 182}
//!     }
//!   }]
//! }
//! ```
//!
//! Mocked responses use Step Functions Local's MockedResponse shape: keys are the state's
//! invocation numbers (`"0"`, `"1-2"`, counting every attempt of every visit), values
//! `{"Return": json}` or `{"Throw": {"Error", "Cause"}}`, with flowc's extensions for tasks
//! that take time (`"AfterSeconds"`, `"NoAnswer": true`, `"Heartbeats"` /
//! `"HeartbeatEverySeconds"`, `"Submitted"` for callbacks and `.sync` jobs), described in
//! `flowc_sim::MockConfig`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestFile {
    /// The JSON Schema an editor checks the file against (docs/simtest.schema.json); the
    /// runner ignores it.
    #[serde(rename = "$schema", default)]
    pub schema: Option<String>,
    pub machine: String,
    #[serde(default)]
    pub mocks: BTreeMap<String, MockedResponse>,
    #[serde(default)]
    pub mock_config: Option<String>,
    #[serde(default)]
    pub state_machine: Option<String>,
    pub tests: Vec<TestSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestSpec {
    pub name: String,
    #[serde(default = "empty_object")]
    pub input: Value,
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub test_case: Option<String>,
    #[serde(default)]
    pub mocks: BTreeMap<String, MockedResponse>,
    pub expect: Expect,
}

fn empty_object() -> Value {
    Value::Object(Default::default())
}

/// A MockedResponse in Step Functions Local's shape (`{"0": {"Return": ..}, "1-2": {"Throw":
/// ..}}`); flowc-sim's `MockConfig` checks it when the test runs.
pub type MockedResponse = Value;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub status: ExpectedStatus,
    #[serde(default)]
    pub output: Option<Value>,
    #[serde(default)]
    pub output_contains: Option<Value>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub cause: Option<String>,
    #[serde(default)]
    pub path: Option<Vec<String>>,
    #[serde(default)]
    pub duration_seconds: Option<DurationExpect>,
}

/// Simulated duration: exact, or a range (for jittered retries).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum DurationExpect {
    Exact(f64),
    Range { min: f64, max: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExpectedStatus {
    Succeeded,
    Failed,
    TimedOut,
}

/// AWS Step Functions Local's MockConfigFile.json, read only as far as the runner needs to
/// combine a test case with inline mocks; flowc-sim validates the responses themselves.
#[derive(Debug, Clone, Deserialize)]
pub struct MockConfigFile {
    #[serde(rename = "StateMachines")]
    pub state_machines: BTreeMap<String, MockStateMachine>,
    #[serde(rename = "MockedResponses", default)]
    pub mocked_responses: BTreeMap<String, MockedResponse>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MockStateMachine {
    /// Test case -> state -> mocked response name.
    #[serde(rename = "TestCases")]
    pub test_cases: BTreeMap<String, BTreeMap<String, String>>,
}
