//! Simulated time as AWS keeps it when things run side by side: Parallel branches and Map
//! iterations advance together on the virtual clock, MaxConcurrency limits a Map's window, the
//! first failure aborts the siblings at that instant (with AWS's aborted events), and the
//! execution's own limits (TimeoutSeconds, one year) are measured on the same clock.
//!
//! The first tests are the scenarios of the simulated-time issue, with what AWS gives.

use flowc_sim::{Outcome, Program, Simulation, Status, TaskCall, TaskFailure};
use serde_json::{Value, json};
use std::cell::RefCell;

fn program(def: Value) -> Program {
    Program::load(&def).unwrap_or_else(|e| panic!("{e}"))
}

fn run(def: Value, input: Value) -> Outcome {
    let p = program(def);
    Simulation::new(&p)
        .input(input)
        .handler(|call: &TaskCall| Ok(call.input.clone()))
        .run()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn wait(name: &str, seconds: u64) -> Value {
    json!({"StartAt": name, "States": {name: {"Type": "Wait", "Seconds": seconds, "End": true}}})
}

fn types(out: &Outcome) -> Vec<String> {
    out.history.events.iter().map(|e| e.type_name()).collect()
}

/// `(type, seconds since the start)` of every event.
fn timeline(out: &Outcome) -> Vec<(String, i64)> {
    let start = out
        .history
        .events
        .first()
        .map(|e| e.timestamp)
        .unwrap_or_default();
    out.history
        .events
        .iter()
        .map(|e| (e.type_name(), (e.timestamp - start).num_seconds()))
        .collect()
}

/// AWS runs branches concurrently: the Parallel ends when its longest branch does (100 s);
/// before the scheduler the branches ran one after the other (160 s).
#[test]
fn parallel_waits_of_60_and_100_seconds_take_100_seconds() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Branches": [wait("A", 60), wait("B", 100)]}}});
    let out = run(def, json!({"k": 1}));
    assert_eq!(out.status, Status::Succeeded);
    assert_eq!(out.duration_seconds, 100.0);
    assert_eq!(out.output().cloned(), Some(json!([{"k": 1}, {"k": 1}])));
    // Both waits start at 0; A ends at 60, B at 100.
    let t = timeline(&out);
    assert!(t.contains(&("WaitStateExited".into(), 60)), "{t:?}");
    assert!(t.contains(&("WaitStateExited".into(), 100)), "{t:?}");
}

/// Two one-hour branches under a 90-minute machine timeout succeed after one hour (they were
/// TIMED_OUT when run one after the other).
#[test]
fn two_one_hour_branches_under_a_ninety_minute_timeout_succeed_after_an_hour() {
    let def = json!({"TimeoutSeconds": 5400, "StartAt": "P", "States": {"P": {"Type": "Parallel",
        "End": true, "Branches": [wait("A", 3600), wait("B", 3600)]}}});
    let out = run(def, json!({}));
    assert_eq!(out.status, Status::Succeeded);
    assert_eq!(out.duration_seconds, 3600.0);
}

/// Map of 8 items, 60 s each, MaxConcurrency 4: two waves of four, 120 s (was 480 s); the
/// output keeps item order.
#[test]
fn map_of_eight_sixty_second_items_four_at_a_time_takes_two_minutes() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 4,
        "End": true, "ItemProcessor": {"StartAt": "W", "States": {
            "W": {"Type": "Wait", "Seconds": 60, "End": true}}}}}});
    let out = run(def, json!([0, 1, 2, 3, 4, 5, 6, 7]));
    assert_eq!(out.status, Status::Succeeded);
    assert_eq!(out.duration_seconds, 120.0);
    assert_eq!(out.output().cloned(), Some(json!([0, 1, 2, 3, 4, 5, 6, 7])));
    // Four iterations start at 0, the other four at 60, when the first four end.
    let starts: Vec<i64> = timeline(&out)
        .into_iter()
        .filter(|(ty, _)| ty == "MapIterationStarted")
        .map(|(_, at)| at)
        .collect();
    assert_eq!(starts, [0, 0, 0, 0, 60, 60, 60, 60]);
}

/// A branch that fails beside a one-hour sibling is caught at once (was at 3600 s); the
/// sibling, which started as every AWS branch does, is aborted at that instant; a branch
/// written after the failing one still runs its Task (its mock was never called before).
#[test]
fn failing_branch_aborts_its_one_hour_sibling_at_once_and_later_branches_still_start() {
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "Done",
            "Branches": [
                wait("Slow", 3600),
                {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Boom", "Cause": "b"}}},
                {"StartAt": "Notify", "States": {"Notify": {"Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:1:function:notify", "End": true}}}
            ],
            "Catch": [{"ErrorEquals": ["Boom"], "ResultPath": "$.error", "Next": "Done"}]},
        "Done": {"Type": "Succeed"}}});
    let p = program(def);
    let notified = RefCell::new(0);
    let out = Simulation::new(&p)
        .handler(|_: &TaskCall| {
            *notified.borrow_mut() += 1;
            Ok(json!("sent"))
        })
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status, Status::Succeeded);
    assert_eq!(out.duration_seconds, 0.0);
    assert_eq!(
        *notified.borrow(),
        1,
        "the third branch started and ran its Task"
    );
    assert_eq!(
        out.output().cloned(),
        Some(json!({"error": {"Error": "Boom", "Cause": "b"}}))
    );
    let t = types(&out);
    let aborted = t.iter().position(|e| e == "WaitStateAborted");
    let failed = t.iter().position(|e| e == "ParallelStateFailed");
    assert!(
        matches!((aborted, failed), (Some(a), Some(f)) if a < f),
        "the sibling is aborted, then the Parallel fails: {t:?}"
    );
    assert!(!t.contains(&"WaitStateExited".to_string()), "{t:?}");
}

#[test]
fn map_failure_aborts_running_iterations_with_aws_events() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemProcessor": {"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 1, "Next": "Bad"}],
                  "Default": "W"},
            "W": {"Type": "Wait", "Seconds": 30, "End": true},
            "Bad": {"Type": "Fail", "Error": "Bad"}}}}}});
    let out = run(def, json!([0, 1, 2]));
    assert_eq!(out.status, Status::Failed);
    assert_eq!(out.error.as_deref(), Some("Bad"));
    assert_eq!(out.duration_seconds, 0.0);
    let t = types(&out);
    let count = |name: &str| t.iter().filter(|e| *e == name).count();
    assert_eq!(count("MapIterationFailed"), 1, "{t:?}");
    assert_eq!(count("WaitStateAborted"), 2, "{t:?}");
    assert_eq!(count("MapIterationAborted"), 2, "{t:?}");
    assert_eq!(
        t.iter().rev().nth(1).map(String::as_str),
        Some("MapStateFailed")
    );
    // Each aborted iteration: its state's aborted event, then the iteration's.
    let history: Value = serde_json::from_str(&out.history.to_json()).unwrap_or_default();
    let aborted: Vec<Value> = history["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["type"] == "MapIterationAborted")
        .map(|e| e["mapIterationAbortedEventDetails"].clone())
        .collect();
    assert_eq!(
        aborted,
        [
            json!({"name": "M", "index": 0}),
            json!({"name": "M", "index": 2})
        ]
    );
}

#[test]
fn aborting_a_branch_aborts_what_runs_inside_it_first() {
    let inner = json!({"StartAt": "Inner", "States": {"Inner": {"Type": "Parallel", "End": true,
        "Branches": [wait("Deep", 100)]}}});
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Branches": [inner, {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}]}}});
    let out = run(def, json!({}));
    assert_eq!(out.status, Status::Failed);
    let t = types(&out);
    let at = |name: &str| t.iter().position(|e| e == name);
    assert!(
        matches!((at("WaitStateAborted"), at("ParallelStateAborted")), (Some(w), Some(p)) if w < p),
        "{t:?}"
    );
}

/// The first failure ends a Map whose later items have not started: they never start.
#[test]
fn items_after_a_failure_never_start() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 1, "End": true,
        "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true}}}}}});
    let p = program(def);
    let calls = RefCell::new(Vec::new());
    let out = Simulation::new(&p)
        .input(json!([1, 2, 3]))
        .handler(|call: &TaskCall| {
            calls.borrow_mut().push(call.input.clone());
            Err(TaskFailure {
                error: "E".into(),
                cause: String::new(),
            })
        })
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status, Status::Failed);
    assert_eq!(*calls.borrow(), [json!(1)]);
}

/// MaxConcurrency 0 means no limit of the definition's; AWS runs at most 40 inline
/// iterations at once.
#[test]
fn unlimited_map_runs_forty_iterations_at_a_time() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 0, "End": true,
        "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": true}}}}}});
    let out = run(def, Value::Array((0..100).map(Value::from).collect()));
    assert_eq!(out.status, Status::Succeeded);
    assert_eq!(out.duration_seconds, 30.0); // 40, 40, 20
}

/// A machine timeout is measured on the shared clock: it ends a Parallel whose branches take
/// longer, at the deadline, with ExecutionTimedOut.
#[test]
fn machine_timeout_ends_concurrent_branches_at_the_deadline() {
    let def = json!({"TimeoutSeconds": 90, "StartAt": "P", "States": {"P": {"Type": "Parallel",
        "End": true, "Branches": [wait("A", 60), wait("B", 120)]}}});
    let out = run(def, json!({}));
    assert_eq!(out.status, Status::TimedOut);
    assert_eq!(out.error.as_deref(), Some("States.Timeout"));
    assert_eq!(out.duration_seconds, 90.0);
    assert_eq!(
        types(&out).last().map(String::as_str),
        Some("ExecutionTimedOut")
    );
}

/// No STANDARD execution outlives a year: a wait past it times the execution out at one year.
#[test]
fn an_execution_ends_at_aws_one_year_maximum() {
    let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 99_999_999, "End": true}}});
    let out = run(def, json!({}));
    assert_eq!(out.status, Status::TimedOut);
    assert_eq!(out.duration_seconds, 365.0 * 24.0 * 3600.0);
    let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait",
        "TimestampPath": "$.at", "End": true}}});
    let out = run(def, json!({"at": "3024-01-01T00:00:00Z"}));
    assert_eq!(out.status, Status::TimedOut);
    assert_eq!(out.duration_seconds, 365.0 * 24.0 * 3600.0);
}

/// SecondsPath must select a whole number of seconds from 0 to 99,999,999, as AWS requires.
#[test]
fn seconds_path_beyond_aws_range_or_not_an_integer_fails_the_state() {
    let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$.s", "End": true}}});
    for bad in [
        json!(1.5),
        json!(-1),
        json!(1e18),
        json!(100_000_000),
        json!("5"),
    ] {
        let out = run(def.clone(), json!({"s": bad}));
        assert_eq!(out.status, Status::Failed, "{bad}");
        assert_eq!(out.error.as_deref(), Some("States.Runtime"), "{bad}");
        assert!(
            out.cause
                .as_deref()
                .is_some_and(|c| c.contains("SecondsPath")),
            "{:?}",
            out.cause
        );
    }
    let out = run(def, json!({"s": 5}));
    assert_eq!((out.status, out.duration_seconds), (Status::Succeeded, 5.0));
}

/// AWS waits for a timestamp to the second: milliseconds are truncated.
#[test]
fn timestamps_count_to_the_second() {
    let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait",
        "Timestamp": "2024-01-01T00:00:10.900Z", "End": true}}});
    let out = run(def, json!({}));
    assert_eq!(out.duration_seconds, 10.0);
}

/// Parallel and Map retries start a new attempt after the backoff, on the same clock.
#[test]
fn parallel_retry_waits_its_backoff_then_runs_the_branches_again() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 5, "MaxAttempts": 1}],
        "Branches": [wait("A", 10), {"StartAt": "T", "States": {"T": {"Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true}}}]}}});
    let p = program(def);
    let calls = RefCell::new(0);
    let out = Simulation::new(&p)
        .handler(|_: &TaskCall| {
            *calls.borrow_mut() += 1;
            if *calls.borrow() == 1 {
                Err(TaskFailure {
                    error: "Flaky".into(),
                    cause: String::new(),
                })
            } else {
                Ok(json!("ok"))
            }
        })
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status, Status::Succeeded);
    // Attempt 1 fails at 0 (its Wait aborted), backoff 5 s, attempt 2 takes 10 s.
    assert_eq!(out.duration_seconds, 15.0);
    assert_eq!(out.output().cloned(), Some(json!([{}, "ok"])));
}

/// Same inputs, same history, byte for byte, however many strands ran at once.
#[test]
fn concurrent_runs_are_deterministic() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 3, "End": true,
            "ItemProcessor": {"StartAt": "T", "States": {
                "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "Next": "W"},
                "W": {"Type": "Wait", "SecondsPath": "$.s", "End": true}}}}}},
        wait("X", 7)]}}});
    let items: Vec<Value> = (0..10).map(|i| json!({"s": i % 4})).collect();
    let a = run(def.clone(), Value::Array(items.clone()));
    let b = run(def, Value::Array(items));
    assert_eq!(a.status, Status::Succeeded);
    assert_eq!(a.history.to_json(), b.history.to_json());
    assert_eq!(a.path, b.path);
}

/// AWS bills every state entered, inside branches and iterations too, and every retry.
#[test]
fn transitions_count_every_state_entered_and_every_retry() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "P"},
        "P": {"Type": "Parallel", "End": true, "Branches": [wait("B", 1), wait("C", 1)]}}});
    let out = run(def, json!({}));
    assert_eq!(out.transitions, 4);
    assert_eq!(out.path, ["A", "P", "B", "C"]);
}
