//! Engine behaviour through the public API, with in-process task handlers: timeouts from task
//! durations, terminal errors, limits, seeds, Map tolerance, Parallel failures, Wait timestamps.

use flowc_sim::{
    Outcome, Program, SimError, Simulation, Status, TaskCall, TaskFailure, TaskHandler,
};
use serde_json::{Value, json};

fn program(def: Value) -> Program {
    Program::load(&def).unwrap_or_else(|e| panic!("{e}"))
}

fn run_with(def: Value, input: Value, handler: impl TaskHandler) -> Outcome {
    let p = program(def);
    Simulation::new(&p)
        .input(input)
        .handler(handler)
        .run()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn ok(v: Value) -> impl FnMut(&TaskCall) -> Result<Value, TaskFailure> {
    move |_: &TaskCall| Ok(v.clone())
}

fn task(extra: Value) -> Value {
    let mut t =
        json!({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true});
    if let (Some(t), Some(e)) = (t.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            t.insert(k.clone(), v.clone());
        }
    }
    t
}

/// A handler that takes `seconds` of simulated time per call.
struct Slow(f64);

impl TaskHandler for Slow {
    fn invoke(&mut self, _: &TaskCall) -> Result<Value, TaskFailure> {
        Ok(json!("done"))
    }
    fn duration_seconds(&mut self, _: &TaskCall) -> f64 {
        self.0
    }
}

#[test]
fn task_longer_than_its_timeout_times_out_at_the_timeout() {
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"TimeoutSeconds": 10}))}});
    let out = run_with(def, json!({}), Slow(25.0));
    assert_eq!(out.status, Status::Failed);
    assert_eq!(out.error.as_deref(), Some("States.Timeout"));
    assert_eq!(out.duration_seconds, 10.0);
    let types: Vec<String> = out.history.events.iter().map(|e| e.type_name()).collect();
    assert!(
        types.contains(&"LambdaFunctionTimedOut".to_string()),
        "{types:?}"
    );
}

#[test]
fn heartbeat_shorter_than_the_call_times_out_with_states_timeout() {
    let def = json!({"StartAt": "T", "States": {"T": task(json!({
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "TimeoutSeconds": 600, "HeartbeatSecondsPath": "$.hb"}))}});
    let out = run_with(def, json!({"hb": 5}), Slow(30.0));
    assert_eq!(out.error.as_deref(), Some("States.Timeout"));
    assert_eq!(out.duration_seconds, 5.0);
}

#[test]
fn task_within_its_timeout_succeeds_and_advances_the_clock() {
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"TimeoutSeconds": 10}))}});
    let out = run_with(def, json!({}), Slow(4.0));
    assert_eq!(out.status, Status::Succeeded);
    assert_eq!(out.output().cloned(), Some(json!("done")));
    assert_eq!(out.duration_seconds, 4.0);
}

#[test]
fn handler_sees_effective_parameters_and_attempt_numbers() {
    let def = json!({"StartAt": "T", "States": {"T": task(json!({
        "InputPath": "$.req",
        "Parameters": {"id.$": "$.id", "try.$": "$$.State.RetryCount"},
        "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 2}]}))}});
    let mut seen = Vec::new();
    let out = run_with(def, json!({"req": {"id": 7}}), |call: &TaskCall| {
        seen.push((call.input.clone(), call.attempt));
        if call.attempt < 2 {
            Err(TaskFailure {
                error: "Flaky".into(),
                cause: "try again".into(),
            })
        } else {
            Ok(json!({"ok": true}))
        }
    });
    assert_eq!(out.status, Status::Succeeded);
    assert_eq!(out.duration_seconds, 3.0); // 1 s, then 2 s of backoff
    drop(out);
    assert_eq!(
        seen,
        vec![
            (json!({"id": 7, "try": 0}), 0),
            (json!({"id": 7, "try": 1}), 1),
            (json!({"id": 7, "try": 2}), 2)
        ]
    );
}

#[test]
fn runtime_errors_are_not_caught_by_states_all() {
    let def = json!({"StartAt": "T", "States": {
        "T": task(json!({"Parameters": {"x.$": "$.missing"},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]})),
        "Caught": {"Type": "Succeed"}}});
    let out = run_with(def, json!({"a": 1}), ok(json!(1)));
    assert_eq!(out.status, Status::Failed);
    assert_eq!(out.error.as_deref(), Some("States.Runtime"));
    assert_eq!(
        out.cause.as_deref(),
        Some(
            "An error occurred while executing the state 'T' (entered at the event id #2). The JSONPath '$.missing' specified for the field 'x.$' could not be found in the input '{\"a\":1}'"
        )
    );
}

#[test]
fn oversized_task_result_is_data_limit_exceeded_and_terminal() {
    let def = json!({"StartAt": "T", "States": {
        "T": task(json!({"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]})),
        "Caught": {"Type": "Succeed"}}});
    let big = "x".repeat(300_000);
    let out = run_with(def, json!({}), ok(json!(big)));
    assert_eq!(out.error.as_deref(), Some("States.DataLimitExceeded"));
}

#[test]
fn input_over_256_kib_is_refused_before_the_run() {
    let p = program(json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}));
    let r = Simulation::new(&p).input(json!("y".repeat(270_000))).run();
    assert!(matches!(r, Err(SimError::InputTooLarge { .. })));
}

#[test]
fn unmocked_task_is_an_error_naming_the_state() {
    let p = program(json!({"StartAt": "Charge", "States": {"Charge": task(json!({}))}}));
    let r = Simulation::new(&p).run();
    assert!(
        matches!(r, Err(SimError::Unmocked { ref state, .. }) if state == "Charge"),
        "{r:?}"
    );
}

#[test]
fn full_jitter_depends_on_the_seed_only() {
    let def = json!({"StartAt": "T", "States": {"T": task(json!({
        "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 100, "MaxAttempts": 1, "JitterStrategy": "FULL"}]}))}});
    let p = program(def);
    let run = |seed: u64| {
        let mut calls = 0;
        Simulation::new(&p)
            .seed(seed)
            .handler(move |_: &TaskCall| {
                calls += 1;
                if calls == 1 {
                    Err(TaskFailure {
                        error: "E".into(),
                        cause: String::new(),
                    })
                } else {
                    Ok(json!(null))
                }
            })
            .run()
            .map(|o| (o.duration_seconds, o.history.to_json()))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let (a, ha) = run(1);
    let (b, hb) = run(1);
    let (c, _) = run(2);
    assert_eq!((a, &ha), (b, &hb));
    assert!((0.0..=100.0).contains(&a) && (0.0..=100.0).contains(&c));
    assert_ne!(a, c, "different seeds should jitter differently");
}

#[test]
fn no_matching_choice_without_default_fails() {
    let def = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "D"}]},
        "D": {"Type": "Succeed"}}});
    let out = run_with(def, json!({"n": 2}), ok(json!(null)));
    assert_eq!(out.error.as_deref(), Some("States.NoChoiceMatched"));
}

#[test]
fn map_tolerates_failures_up_to_the_threshold() {
    let def = |count: u64| {
        json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ToleratedFailureCount": count,
        "ItemProcessor": {"StartAt": "T", "States": {"T": task(json!({}))}},
        "End": true}}})
    };
    let handler = || {
        |call: &TaskCall| {
            if call.input == &json!(2) {
                Err(TaskFailure {
                    error: "Bad".into(),
                    cause: "item 2".into(),
                })
            } else {
                Ok(call.input.clone())
            }
        }
    };
    let out = run_with(def(1), json!([1, 2, 3]), handler());
    assert_eq!(out.status, Status::Succeeded);
    assert_eq!(
        out.output().cloned(),
        Some(json!([1, {"Error": "Bad", "Cause": "item 2"}, 3]))
    );
    let out = run_with(def(0), json!([1, 2, 3]), handler());
    assert_eq!(
        out.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
}

#[test]
fn parallel_branch_failure_is_caught_on_the_parallel_state() {
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Fail", "Error": "Boom", "Cause": "b"}}}],
          "Catch": [{"ErrorEquals": ["Boom"], "ResultPath": "$.err", "Next": "Done"}], "End": true},
        "Done": {"Type": "Pass", "End": true}}});
    let out = run_with(def, json!({"k": 1}), ok(json!(null)));
    assert_eq!(
        out.output().cloned(),
        Some(json!({"k": 1, "err": {"Error": "Boom", "Cause": "b"}}))
    );
    assert_eq!(out.path, ["P", "A", "B", "Done"]);
}

#[test]
fn wait_until_a_timestamp_moves_the_virtual_clock_only() {
    let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "TimestampPath": "$.at", "End": true}}});
    let started = std::time::Instant::now();
    let out = run_with(def, json!({"at": "2024-01-02T00:00:00Z"}), ok(json!(null)));
    assert_eq!(out.duration_seconds, 86_400.0);
    assert!(
        started.elapsed().as_secs() < 5,
        "a simulated day must not take real time"
    );
    let last = out.history.events.last().map(|e| e.timestamp.to_rfc3339());
    assert_eq!(last.as_deref(), Some("2024-01-02T00:00:00+00:00"));
}

#[test]
fn pass_result_keeps_dollar_keys_literal_and_output_path_null_gives_empty_object() {
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Result": {"a.$": "$.x"}, "ResultPath": "$.r", "Next": "Q"},
        "Q": {"Type": "Pass", "OutputPath": null, "End": true}}});
    let out = run_with(def, json!({"x": 1}), ok(json!(null)));
    assert_eq!(out.output().cloned(), Some(json!({})));
    let history: Value = serde_json::from_str(&out.history.to_json()).unwrap_or_default();
    let exited = history["events"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["type"] == "PassStateExited")
        .map(|e| e["stateExitedEventDetails"]["output"].clone());
    assert_eq!(exited, Some(json!("{\"x\":1,\"r\":{\"a.$\":\"$.x\"}}")));
}

#[test]
fn result_path_into_a_scalar_is_a_catchable_match_failure() {
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Result": 1, "ResultPath": "$.a.b", "End": true}}});
    let out = run_with(def, json!({"a": 5}), ok(json!(null)));
    assert_eq!(out.error.as_deref(), Some("States.ResultPathMatchFailure"));
    let def = json!({"StartAt": "T", "States": {
        "T": task(json!({"ResultPath": "$.a.b", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}]})),
        "C": {"Type": "Succeed"}}});
    let out = run_with(def, json!({"a": 5}), ok(json!(1)));
    assert_eq!(out.status, Status::Succeeded);
    assert_eq!(out.path, ["T", "C"]);
}

#[test]
fn oversized_task_parameters_are_data_limit_exceeded_before_the_call() {
    let def = json!({"StartAt": "T", "States": {"T": task(json!({
        "Parameters": {"a.$": "$.s", "b.$": "$.s"}}))}});
    let mut called = false;
    let out = run_with(def, json!({"s": "z".repeat(140_000)}), |_: &TaskCall| {
        called = true;
        Ok(json!(null))
    });
    assert_eq!(out.error.as_deref(), Some("States.DataLimitExceeded"));
    assert!(!called, "the task must not run with an oversized input");
}

/// A ResultPath whose names JSON must escape is written (the document and every history
/// text) exactly as for plain names; such names skip the text splice and are serialized.
#[test]
fn result_paths_with_names_that_need_escaping_write_the_same_text() {
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Result": {"v": 1}, "ResultPath": "$['we\"ird']['x\\ny']", "Next": "Q"},
        "Q": {"Type": "Pass", "Result": 2, "ResultPath": "$.plain.z", "End": true}}});
    let out = run_with(def, json!({"a": "b"}), ok(json!(null)));
    let expected = json!({"a": "b", "we\"ird": {"x\ny": {"v": 1}}, "plain": {"z": 2}});
    assert_eq!(out.output().cloned(), Some(expected.clone()));
    let history: Value = serde_json::from_str(&out.history.to_json()).unwrap_or_default();
    let texts: Vec<String> = history["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            e["stateExitedEventDetails"]["output"]
                .as_str()
                .map(String::from)
        })
        .collect();
    let first = json!({"a": "b", "we\"ird": {"x\ny": {"v": 1}}});
    assert_eq!(
        texts,
        [
            serde_json::to_string(&first).unwrap_or_default(),
            serde_json::to_string(&expected).unwrap_or_default()
        ]
    );
}

#[test]
fn a_context_read_deep_in_nested_branches_sees_the_execution_input() {
    // Whether a state reads `$$` is decided from its own fields and its branches' programs
    // (no longer from the state's whole text, which wrote nested states once per level).
    let inner = json!({"StartAt": "Read", "States": {"Read": {"Type": "Pass",
        "Parameters": {"in.$": "$$.Execution.Input"}, "End": true}}});
    let middle = json!({"StartAt": "Inner", "States": {"Inner": {"Type": "Parallel",
        "Branches": [inner], "End": true}}});
    let def = json!({"StartAt": "Outer", "States": {"Outer": {"Type": "Parallel",
        "Branches": [middle], "End": true}}});
    let out = run_with(def, json!({"a": 1}), ok(json!(null)));
    assert_eq!(out.status, Status::Succeeded);
    assert_eq!(out.output().cloned(), Some(json!([[{"in": {"a": 1}}]])));
}

#[test]
fn a_retried_map_runs_every_item_again_as_it_came() {
    // Each iteration writes into its item ($.result); the first attempt fails at the last
    // item, and the retry must see every item as it was in the input.
    let def = json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1,
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 1}],
        "ItemProcessor": {"StartAt": "T", "States": {"T": task(json!({"ResultPath": "$.result"}))}},
        "End": true}}});
    let items = [
        json!({"id": 1}),
        json!({"id": 2, "result": "old"}),
        json!({"id": 3}),
    ];
    let mut seen = Vec::new();
    let out = run_with(def, json!({"items": items}), |call: &TaskCall| {
        seen.push(call.input.clone());
        if seen.len() == 3 {
            return Err(TaskFailure {
                error: "Flaky".into(),
                cause: "first attempt".into(),
            });
        }
        Ok(json!(seen.len()))
    });
    assert_eq!(out.status, Status::Succeeded, "{:?}", out.error);
    assert_eq!(seen, [&items[..], &items[..]].concat());
    assert_eq!(
        out.output().cloned(),
        Some(json!([{"id": 1, "result": 4}, {"id": 2, "result": 5}, {"id": 3, "result": 6}]))
    );
}

#[test]
fn a_shared_input_is_read_not_changed_and_runs_as_a_given_one() {
    // The Pass writes into its input (ResultPath), so the engine makes the input's members its
    // own: the caller's shared value must stay as it was, and the run must be the one a copy
    // of the input makes.
    let def = json!({"StartAt": "P", "States": {"P": {
        "Type": "Pass", "Result": {"n": 1}, "ResultPath": "$.written", "End": true}}});
    let p = program(def);
    let input = std::sync::Arc::new(json!({"tenant_id": "t-1", "items": [1, 2]}));
    let shared = Simulation::new(&p)
        .shared_input(input.clone())
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    let copied = Simulation::new(&p)
        .input(Value::clone(&input))
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(*input, json!({"tenant_id": "t-1", "items": [1, 2]}));
    assert_eq!(
        shared.output(),
        Some(&json!({"tenant_id": "t-1", "items": [1, 2], "written": {"n": 1}}))
    );
    assert_eq!(shared, copied);
}
