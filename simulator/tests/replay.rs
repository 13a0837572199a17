//! Replay (`flowc_sim::replay`): a recorded history, run again with the answers it records,
//! must agree with itself event by event; a doctored one must not.
//!
//! - every recorded AWS event sequence of the conformance corpus (159 cases) replays wherever
//!   the conformance harness matches it;
//! - every scenario's golden history (`tests/scenarios/*/history.json`: retries with jitter,
//!   timeouts, Map and Parallel, JSONata randomness) replays against its machine;
//! - timed answers (after N seconds, callbacks answered an hour later, heartbeat timeouts)
//!   come back with their timing;
//! - a changed answer, a changed wait, a changed definition each show the divergence.

use flowc_sim::conformance::{Case, HistoryVerdict, case_files, score_file};
use flowc_sim::replay::{Recording, Replay, Report};
use flowc_sim::{MockConfig, Program, Simulation, Status};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn manifest(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn replay(program: &Program, history: &Value, seed: u64) -> Report {
    let recording = Recording::from_value(history).unwrap_or_else(|e| panic!("{e}"));
    Replay::new(program, &recording)
        .seed(seed)
        .run()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn history_of(outcome: &flowc_sim::Outcome) -> Value {
    serde_json::from_str(&outcome.history.to_json()).unwrap_or(Value::Null)
}

/// Cases whose replay disagrees although the conformance harness matches them, with why.
/// Empty: keep it so.
const CORPUS_EXCEPTIONS: [(&str, &str); 0] = [];

#[test]
fn every_corpus_history_replays_where_the_harness_matches_it() {
    let dir = manifest("../conformance/asl/cases");
    let files = case_files(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let (mut total, mut agree, mut harness_matches) = (0, 0, 0);
    let mut problems = Vec::new();
    let mut others = Vec::new();
    for file in &files {
        let case = Case::from_json_text(&read(file)).unwrap_or_else(|e| panic!("{e}"));
        let Some(replayed) = case.replay() else {
            continue;
        };
        total += 1;
        let verdict = score_file(file).unwrap_or_else(|e| panic!("{e}"));
        let harness_ok = verdict.passed() && verdict.history == HistoryVerdict::Matches;
        harness_matches += usize::from(harness_ok);
        let divergence = match replayed {
            Ok(report) => report.divergence.map(|d| {
                format!(
                    "event {}: {}\n    recorded:  {}\n    simulated: {}",
                    d.event,
                    d.reason,
                    d.recorded.map(|v| v.to_string()).unwrap_or_default(),
                    d.simulated.map(|v| v.to_string()).unwrap_or_default()
                )
            }),
            Err(e) => Some(format!("could not replay: {e}")),
        };
        match divergence {
            None => agree += 1,
            Some(why) if harness_ok && !CORPUS_EXCEPTIONS.iter().any(|(id, _)| *id == case.id) => {
                problems.push(format!("{}: {why}", case.id));
            }
            Some(why) => others.push(format!(
                "{} (the harness does not match it either): {why}",
                case.id
            )),
        }
    }
    for other in &others {
        println!("does not replay: {other}");
    }
    println!(
        "corpus replay: {agree} of {total} recorded histories agree (the harness matches {harness_matches})"
    );
    assert_eq!(total, 159, "the corpus records 159 event sequences");
    // Measured 2026-12-07: 158 (the other is a case the harness fails too). Never lower it.
    assert!(
        agree >= 158,
        "{agree} of {total} histories replay, below the measured 158"
    );
    assert!(
        problems.is_empty(),
        "{} histories the harness matches do not replay:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

fn scenario_dirs() -> Vec<PathBuf> {
    let dir = manifest("tests/scenarios");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("history.json").exists())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_scenario_history_replays_against_its_machine() {
    let dirs = scenario_dirs();
    assert!(dirs.len() >= 7, "scenarios missing: {dirs:?}");
    for dir in dirs {
        let program = Program::from_json_text(&read(&dir.join("machine.asl.json")))
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let history: Value = serde_json::from_str(&read(&dir.join("history.json")))
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        // The scenarios run with seed 42 (retry jitter, JSONata's $random).
        let report = replay(&program, &history, 42);
        assert_eq!(
            report.divergence,
            None,
            "{}: the golden history does not replay",
            dir.display()
        );
        assert_eq!(
            history_of(&report.outcome),
            history,
            "{}: the replayed history is not the recorded one",
            dir.display()
        );
    }
}

#[test]
fn a_different_seed_moves_the_jittered_retries_and_the_timing_shows_it() {
    let dir = manifest("tests/scenarios/retry_backoff_then_success");
    let program = Program::from_json_text(&read(&dir.join("machine.asl.json")))
        .unwrap_or_else(|e| panic!("{e}"));
    let machine: Value = serde_json::from_str(&read(&dir.join("machine.asl.json")))
        .unwrap_or_else(|e| panic!("{e}"));
    let jitter = machine.to_string().contains("JitterStrategy");
    let history: Value =
        serde_json::from_str(&read(&dir.join("history.json"))).unwrap_or_else(|e| panic!("{e}"));
    let report = replay(&program, &history, 7);
    if jitter {
        let d = report
            .divergence
            .unwrap_or_else(|| panic!("seed 7 should retry at other times than seed 42"));
        assert!(d.reason.starts_with("timing:"), "{}", d.reason);
    } else {
        assert_eq!(report.divergence, None);
    }
}

fn run_with(def: &Value, responses: Value, input: Value) -> (Program, flowc_sim::Outcome) {
    let program = Program::load(def).unwrap_or_else(|e| panic!("{e}"));
    let states: serde_json::Map<String, Value> = responses
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| (k.clone(), Value::String(k.clone())))
        .collect();
    let config = MockConfig::from_value(&json!({
        "StateMachines": {"M": {"TestCases": {"T": states}}},
        "MockedResponses": responses,
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    let case = config
        .test_case(None, "T", &program)
        .unwrap_or_else(|e| panic!("{e}"));
    let outcome = Simulation::new(&program)
        .input(input)
        .mocks(case)
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    (program, outcome)
}

/// A callback answered after an hour, a Lambda that fails twice and then answers after 30 s,
/// a heartbeat timeout after heartbeats, caught.
fn timed_machine() -> Value {
    json!({
      "StartAt": "Approve",
      "States": {
        "Approve": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
          "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/1/q",
                         "MessageBody": {"TaskToken.$": "$$.Task.Token", "order.$": "$.order"}},
          "HeartbeatSeconds": 600, "ResultPath": "$.approval", "Next": "Charge"},
        "Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
          "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 2,
                     "MaxAttempts": 3, "BackoffRate": 2}],
          "ResultPath": "$.receipt", "Next": "Ship"},
        "Ship": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
          "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/1/ship",
                         "MessageBody": {"TaskToken.$": "$$.Task.Token"}},
          "HeartbeatSeconds": 60,
          "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.shipping_error", "Next": "Late"}],
          "End": true},
        "Late": {"Type": "Pass", "End": true}
      }
    })
}

fn timed_responses() -> Value {
    json!({
      "Approve": {"0": {"Submitted": {"MessageId": "m-1"}, "Return": {"approved": true},
                        "AfterSeconds": 3600, "HeartbeatEverySeconds": 300}},
      "Charge": {"0-1": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded"}},
                 "2": {"Return": {"paid": 5}, "AfterSeconds": 30}},
      "Ship": {"0": {"Submitted": {"MessageId": "m-2"}, "Return": 1, "AfterSeconds": 1000,
                     "Heartbeats": [50, 100, 150]}}
    })
}

#[test]
fn timed_answers_replay_with_their_timing_and_become_mocks() {
    let def = timed_machine();
    let (program, outcome) = run_with(&def, timed_responses(), json!({"order": "o-1"}));
    // 3600 + 2 + 4 + 30 + the heartbeat timeout 60 s after the last heartbeat at 150 s.
    assert_eq!(outcome.duration_seconds, 3600.0 + 2.0 + 4.0 + 30.0 + 210.0);
    assert_eq!(outcome.status, Status::Succeeded);
    let history = history_of(&outcome);
    let report = replay(&program, &history, 0);
    assert_eq!(report.divergence, None);
    assert_eq!(history_of(&report.outcome), history);
    // The derived answers, by state and invocation.
    assert_eq!(report.mocks["Approve"]["0"]["AfterSeconds"], 3600.0);
    assert_eq!(
        report.mocks["Approve"]["0"]["Submitted"],
        json!({"MessageId": "m-1"})
    );
    assert_eq!(
        report.mocks["Charge"]["1"]["Throw"]["Error"],
        "Lambda.TooManyRequestsException"
    );
    assert_eq!(report.mocks["Charge"]["2"]["AfterSeconds"], 30.0);
    assert_eq!(
        report.mocks["Ship"]["0"]["Throw"]["Error"],
        "States.Timeout"
    );
    // Those answers, as mocks, give the same history again.
    let mocks = Value::Object(
        report
            .mocks
            .iter()
            .map(|(k, v)| (k.clone(), Value::Object(v.clone())))
            .collect(),
    );
    let (_, again) = run_with(&def, mocks, json!({"order": "o-1"}));
    assert_eq!(history_of(&again), history);
}

fn details_mut(event: &mut Value) -> &mut serde_json::Map<String, Value> {
    event
        .as_object_mut()
        .and_then(|o| {
            o.iter_mut()
                .find(|(k, _)| k.ends_with("EventDetails"))
                .and_then(|(_, v)| v.as_object_mut())
        })
        .unwrap_or_else(|| panic!("the event has no details"))
}

fn events_mut(history: &mut Value) -> &mut Vec<Value> {
    history
        .get_mut("events")
        .and_then(Value::as_array_mut)
        .unwrap_or_else(|| panic!("no events"))
}

#[test]
fn a_doctored_output_diverges_at_that_event() {
    let def = timed_machine();
    let (program, outcome) = run_with(&def, timed_responses(), json!({"order": "o-1"}));
    let mut history = history_of(&outcome);
    // The Approve state's exit says approved: false, though the callback said true.
    let events = events_mut(&mut history);
    let at = events
        .iter()
        .position(|e| e["type"] == "TaskStateExited")
        .unwrap_or_else(|| panic!("no TaskStateExited"));
    if let Some(e) = events.get_mut(at) {
        details_mut(e).insert(
            "output".into(),
            json!(r#"{"order":"o-1","approval":{"approved":false}}"#),
        );
    }
    let d = replay(&program, &history, 0)
        .divergence
        .unwrap_or_else(|| panic!("a doctored output must diverge"));
    assert_eq!(d.event, at + 1);
    assert!(d.reason.contains("approval.approved"), "{}", d.reason);
}

#[test]
fn a_doctored_time_diverges_on_the_timing() {
    let (program, outcome) = run_with(&timed_machine(), timed_responses(), json!({"order": "o-1"}));
    let mut history = history_of(&outcome);
    // The Late Pass state takes 5 s on the recording: AWS never spends that long on a Pass.
    let events = events_mut(&mut history);
    let late = events
        .iter()
        .position(|e| e["type"] == "PassStateExited")
        .unwrap_or_else(|| panic!("no PassStateExited"));
    for e in events.iter_mut().skip(late) {
        let t = e["timestamp"].as_str().unwrap_or_default();
        let t = chrono::DateTime::parse_from_rfc3339(t).unwrap_or_else(|e| panic!("{e}"));
        e["timestamp"] = json!((t + chrono::Duration::seconds(5)).to_rfc3339());
    }
    let d = replay(&program, &history, 0)
        .divergence
        .unwrap_or_else(|| panic!("a 5 s Pass must diverge"));
    assert_eq!(d.event, late + 1);
    assert!(d.reason.starts_with("timing:"), "{}", d.reason);
}

#[test]
fn a_changed_definition_shows_where_it_parts_from_the_recording() {
    let def = timed_machine();
    let (_, outcome) = run_with(&def, timed_responses(), json!({"order": "o-1"}));
    let history = history_of(&outcome);
    // Today's definition retries only twice: the third recorded attempt is never made.
    let mut changed = def.clone();
    changed["States"]["Charge"]["Retry"][0]["MaxAttempts"] = json!(1);
    let program = Program::load(&changed).unwrap_or_else(|e| panic!("{e}"));
    let d = replay(&program, &history, 0)
        .divergence
        .unwrap_or_else(|| panic!("fewer retries must diverge"));
    assert!(
        d.reason.contains("LambdaFunctionScheduled")
            || d.reason.contains("TaskStateExited")
            || d.reason.contains("ExecutionFailed"),
        "{}",
        d.reason
    );
}

#[test]
fn a_history_without_its_start_or_its_input_is_refused_clearly() {
    let e = Recording::from_json_text(r#"{"events": [{"type": "PassStateEntered"}]}"#);
    assert!(
        matches!(&e, Err(flowc_sim::SimError::InvalidHistory { message }) if message.contains("ExecutionStarted")),
        "{e:?}"
    );
    let e = Recording::from_json_text(r#"{"items": []}"#);
    assert!(matches!(e, Err(flowc_sim::SimError::InvalidHistory { .. })));
    let recording = Recording::from_json_text(
        r#"{"events": [{"type": "ExecutionStarted", "timestamp": 1.5, "executionStartedEventDetails": {}}]}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let program =
        Program::load(&json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}))
            .unwrap_or_else(|e| panic!("{e}"));
    let e = Replay::new(&program, &recording).run().map(|_| ());
    assert!(
        matches!(&e, Err(flowc_sim::SimError::InvalidHistory { message }) if message.contains("includeExecutionData")),
        "{e:?}"
    );
}
