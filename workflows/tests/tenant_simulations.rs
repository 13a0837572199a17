//! The tenant workflow's simulation tests (tenant_provisioning.simtest.json), run by cargo as
//! `flowc test` runs them: each scenario asserts status, the states visited and the simulated
//! duration. A scenario missing from the file fails here too, so none can be dropped silently.
//!
//! Its JSONata twin (tenant_provisioning_jsonata.flow: the same states, JSONata fields and
//! variables instead of paths) has its own file, tenant_provisioning_jsonata.simtest.json,
//! holding the same scenarios with the same expectations (output, error, cause, every state
//! visited in order, simulated time): the twins must behave alike.

use std::path::Path;

use flowc::testing::{TestResult, run_file};

const SCENARIOS: [&str; 14] = [
    "happy path: backend pending twice, then healthy",
    "backend unhealthy: tenant rolled back and marked failed",
    "frontend unhealthy: tenant rolled back and marked failed",
    "backend check answers without a status: tenant rolled back and marked failed",
    "frontend check answers without a status: tenant rolled back and marked failed",
    "backend never healthy: the 15-poll bound ends it",
    "throttled Lambda succeeds on retry",
    "permanent Lambda failure: tenant rolled back and marked failed with the Lambda's error",
    "transient database and AWS errors retried: tenant ends ACTIVE",
    "transient error that outlasts the retries: tenant rolled back and marked failed",
    "permanent AWS error: tenant rolled back and marked failed without a retry",
    "DNS step fails after resources exist: rolled back, then marked failed",
    "rollback retried, then failing for good: tenant still marked failed with the original error",
    "a failure at validation rolls nothing back: nothing was created",
];

/// workflows/tenant_deprovisioning.flow's scenarios.
const DEPROVISIONING: [&str; 5] = [
    "happy path: everything removed, tenant DELETED",
    "a target group still in use is retried until its rule is gone: tenant DELETED",
    "permanent database error: tenant marked failed at the step, nothing after it runs",
    "tenant still provisioning: refused before anything is removed, not marked",
    "a throttled Lambda and a failed mark: the original error is kept",
];

const JSONPATH: &str = "tests/tenant_provisioning.simtest.json";
const JSONATA: &str = "tests/tenant_provisioning_jsonata.simtest.json";

fn results() -> Vec<TestResult> {
    results_of(JSONPATH)
}

fn results_of(file: &str) -> Vec<TestResult> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    match run_file(&file) {
        Ok(results) => results,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn every_jsonata_twin_scenario_passes_in_the_simulator() {
    let results = results_of(JSONATA);
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed())
        .map(|r| format!("{}:\n  {}", r.name, r.failures.join("\n  ")))
        .collect();
    assert!(
        failed.is_empty(),
        "failing scenarios:\n{}",
        failed.join("\n")
    );
    let names: Vec<&str> = results.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, SCENARIOS);
    // Same states entered, same simulated time, scenario by scenario.
    let twin: Vec<(usize, Option<f64>)> = results
        .iter()
        .map(|r| (r.states_visited, r.simulated_seconds))
        .collect();
    let original: Vec<(usize, Option<f64>)> = self::results()
        .iter()
        .map(|r| (r.states_visited, r.simulated_seconds))
        .collect();
    assert_eq!(twin, original);
}

#[test]
fn the_jsonata_twin_is_held_to_the_jsonpath_workflows_expectations() {
    let read = |file: &str| -> serde_json::Value {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
    };
    let (jsonpath, jsonata) = (read(JSONPATH), read(JSONATA));
    assert_eq!(
        jsonata["machine"],
        "../tenant_provisioning_jsonata.asl.json"
    );
    for key in ["mocks", "tests"] {
        assert_eq!(
            jsonpath[key], jsonata[key],
            "`{key}` of the two simtest files differ: the twin must pass the same scenarios"
        );
    }
}

#[test]
fn every_tenant_scenario_passes_in_the_simulator() {
    let results = results();
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed())
        .map(|r| format!("{}:\n  {}", r.name, r.failures.join("\n  ")))
        .collect();
    assert!(
        failed.is_empty(),
        "failing scenarios:\n{}",
        failed.join("\n")
    );
    let names: Vec<&str> = results.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, SCENARIOS);
}

#[test]
fn every_deprovisioning_scenario_passes_in_the_simulator() {
    let results = results_of("tests/tenant_deprovisioning.simtest.json");
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed())
        .map(|r| format!("{}:\n  {}", r.name, r.failures.join("\n  ")))
        .collect();
    assert!(
        failed.is_empty(),
        "failing scenarios:\n{}",
        failed.join("\n")
    );
    let names: Vec<&str> = results.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, DEPROVISIONING);
}

#[test]
fn waits_cost_simulated_time_only() {
    let started = std::time::Instant::now();
    let results = results();
    let simulated: f64 = results.iter().filter_map(|r| r.simulated_seconds).sum();
    // 240 + 60 + 180 + 900 + ~120 + ~125 + ~97 s of waits and backoff, simulated in well under a second of
    // real time even in a debug build on a loaded machine.
    assert!(simulated >= 1500.0, "simulated {simulated} s");
    assert!(
        started.elapsed().as_secs_f64() < 10.0,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn mock_config_file_happy_path_passes_compiled_from_the_flow_source() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tenant_mockconfig.simtest.json");
    let results = run_file(&file).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(results.len(), 1);
    assert!(results.iter().all(TestResult::passed), "{results:#?}");
    assert_eq!(
        results.first().and_then(|r| r.simulated_seconds),
        Some(240.0)
    );
}
