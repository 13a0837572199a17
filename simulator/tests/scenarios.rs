//! Scenario folders: `tests/scenarios/<name>/{machine.asl.json, input.json, mocks.json?,
//! expected.json, history.json}`. Each scenario runs twice; the outcome must match
//! `expected.json` and both runs must give byte-identical history, equal to the golden
//! `history.json` (regenerate with `SNAPSHOTS=overwrite cargo test -p flowc-sim --test scenarios`).

use flowc_sim::{MockConfig, Outcome, Program, Simulation, Status};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn run(dir: &Path, expected: &Value) -> Outcome {
    let text = std::fs::read_to_string(dir.join("machine.asl.json"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let program =
        Program::from_json_text(&text).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let input = read_json(&dir.join("input.json"));
    let sim = Simulation::new(&program).input(input).seed(42);
    let sim = match expected.get("test_case").and_then(Value::as_str) {
        Some(case) => {
            let mocks = std::fs::read_to_string(dir.join("mocks.json"))
                .unwrap_or_else(|e| panic!("{}: mocks.json: {e}", dir.display()));
            let config = MockConfig::from_json_text(&mocks).unwrap_or_else(|e| panic!("{e}"));
            sim.mocks(
                config
                    .test_case(None, case, &program)
                    .unwrap_or_else(|e| panic!("{e}")),
            )
        }
        None => sim,
    };
    sim.run()
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

fn status_text(s: Status) -> &'static str {
    match s {
        Status::Succeeded => "SUCCEEDED",
        Status::Failed => "FAILED",
        Status::TimedOut => "TIMED_OUT",
    }
}

fn check(dir: &Path) -> Vec<String> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let expected = read_json(&dir.join("expected.json"));
    let first = run(dir, &expected);
    let second = run(dir, &expected);
    let mut problems = Vec::new();
    let mut expect = |field: &str, actual: Value| {
        if let Some(want) = expected.get(field)
            && *want != actual
        {
            problems.push(format!("{name}: {field}: expected {want}, got {actual}"));
        }
    };
    expect("status", status_text(first.status).into());
    expect("output", first.output().cloned().unwrap_or(Value::Null));
    expect(
        "error",
        first.error.clone().map_or(Value::Null, Value::from),
    );
    expect(
        "cause",
        first.cause.clone().map_or(Value::Null, Value::from),
    );
    expect("path", first.path.clone().into());
    expect("duration_seconds", first.duration_seconds.into());
    expect("events", first.history.len().into());
    let history = first.history.to_json();
    if history != second.history.to_json() {
        problems.push(format!("{name}: two runs gave different histories"));
    }
    let golden = dir.join("history.json");
    // Huge histories (the 25,000-event limit) are checked for determinism only.
    if expected.get("golden_history") == Some(&Value::Bool(false)) {
        return problems;
    }
    if std::env::var("SNAPSHOTS").as_deref() == Ok("overwrite") {
        if let Err(e) = std::fs::write(&golden, &history) {
            problems.push(format!("{name}: cannot write {}: {e}", golden.display()));
        }
    } else {
        match std::fs::read_to_string(&golden) {
            Ok(g) if g == history => {}
            Ok(_) => problems.push(format!(
                "{name}: history differs from history.json (SNAPSHOTS=overwrite to accept)"
            )),
            Err(_) => problems.push(format!(
                "{name}: no history.json (SNAPSHOTS=overwrite to create it)"
            )),
        }
    }
    problems
}

#[test]
fn scenarios_match_expected_outcomes_and_golden_histories() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 7,
        "expected the scenario folders, found {}",
        dirs.len()
    );
    let problems: Vec<String> = dirs.iter().flat_map(|d| check(d)).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
