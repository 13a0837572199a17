//! Mocks that take time and answer later (flowc's MockConfigFile extensions, see
//! `flowc_sim::MockConfig`): answers after N simulated seconds, tasks that never answer,
//! heartbeats, and `.waitForTaskToken` callbacks answered at given times through the task
//! token the task was given. Each checks the duration, the status and the events AWS writes
//! (TaskSubmitted, TaskTimedOut; heartbeats write none).

use flowc_sim::{
    MockConfig, Outcome, Program, SimError, Simulation, Status, TaskCall, TaskHandler,
};
use serde_json::{Value, json};
use std::cell::RefCell;

fn run(def: Value, responses: Value, input: Value) -> Result<Outcome, SimError> {
    let program = Program::load(&def)?;
    let states: serde_json::Map<String, Value> = responses
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| (k.clone(), Value::String(k.clone())))
        .collect();
    let config = MockConfig::from_value(&json!({
        "StateMachines": {"M": {"TestCases": {"T": states}}},
        "MockedResponses": responses,
    }))?;
    let case = config.test_case(None, "T", &program)?;
    Simulation::new(&program).input(input).mocks(case).run()
}

fn ok(def: Value, responses: Value) -> Outcome {
    run(def, responses, json!({})).unwrap_or_else(|e| panic!("{e}"))
}

fn types(out: &Outcome) -> Vec<String> {
    out.history.events.iter().map(|e| e.type_name()).collect()
}

fn lambda(extra: Value) -> Value {
    let mut t =
        json!({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true});
    if let (Some(t), Some(e)) = (t.as_object_mut(), extra.as_object()) {
        t.extend(e.clone());
    }
    json!({"StartAt": "T", "States": {"T": t}})
}

/// The SQS callback pattern, with the token in the message as AWS's examples pass it.
fn callback(extra: Value) -> Value {
    let mut t = json!({"Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/1/q",
                       "MessageBody": {"TaskToken.$": "$$.Task.Token"}},
        "End": true});
    if let (Some(t), Some(e)) = (t.as_object_mut(), extra.as_object()) {
        t.extend(e.clone());
    }
    json!({"StartAt": "T", "States": {"T": t}})
}

#[test]
fn a_response_after_seconds_takes_that_long() {
    let out = ok(
        lambda(json!({})),
        json!({"T": {"0": {"Return": 1, "AfterSeconds": 45}}}),
    );
    assert_eq!(
        (out.status, out.duration_seconds),
        (Status::Succeeded, 45.0)
    );
    let out = ok(
        lambda(json!({})),
        json!({"T": {"0": {"Throw": {"Error": "E", "Cause": "c"}, "AfterSeconds": 5}}}),
    );
    assert_eq!((out.status, out.duration_seconds), (Status::Failed, 5.0));
}

#[test]
fn a_slow_answer_times_out_at_timeout_seconds() {
    let out = ok(
        lambda(json!({"TimeoutSeconds": 10})),
        json!({"T": {"0": {"Return": 1, "AfterSeconds": 45}}}),
    );
    assert_eq!(out.status, Status::Failed);
    assert_eq!(out.error.as_deref(), Some("States.Timeout"));
    assert_eq!(out.duration_seconds, 10.0);
    assert!(types(&out).contains(&"LambdaFunctionTimedOut".to_string()));
}

#[test]
fn a_task_that_never_answers_times_out_when_its_state_says() {
    let out = ok(
        lambda(json!({"TimeoutSeconds": 300})),
        json!({"T": {"0": {"NoAnswer": true}}}),
    );
    assert_eq!(
        (out.error.as_deref(), out.duration_seconds),
        (Some("States.Timeout"), 300.0)
    );
    // Without any timeout it waits until the execution's own limit.
    let def = json!({"TimeoutSeconds": 3600, "StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true}}});
    let out = ok(def, json!({"T": {"0": {"NoAnswer": true}}}));
    assert_eq!(
        (out.status, out.duration_seconds),
        (Status::TimedOut, 3600.0)
    );
}

/// A thrown States.Timeout is a task that stopped answering: it times out at TimeoutSeconds,
/// not at once (before, it was a TaskFailed-like event at 0 s).
#[test]
fn a_thrown_timeout_fires_at_the_states_timeout() {
    let out = ok(
        lambda(json!({"TimeoutSeconds": 20})),
        json!({"T": {"0": {"Throw": {"Error": "States.Timeout"}}}}),
    );
    assert_eq!(
        (out.error.as_deref(), out.duration_seconds),
        (Some("States.Timeout"), 20.0)
    );
    let t = types(&out);
    assert_eq!(
        t.get(t.len() - 2).map(String::as_str),
        Some("LambdaFunctionTimedOut")
    );
}

/// A thrown States.HeartbeatTimeout in a state with HeartbeatSeconds is a task that stopped
/// heartbeating: TaskTimedOut after the heartbeat interval (before, it was a TaskFailed at
/// 0 s). AWS's recording (the corpus's heartbeat_timeout case) names the error States.Timeout.
/// HeartbeatSecondsPath and TimeoutSecondsPath are read from the input and measured alike.
#[test]
fn a_thrown_heartbeat_timeout_times_out_after_the_heartbeat_interval() {
    let thrown = json!({"T": {"0": {"Throw": {"Error": "States.HeartbeatTimeout"}}}});
    let out = ok(
        callback(json!({"TimeoutSeconds": 600, "HeartbeatSeconds": 45})),
        thrown.clone(),
    );
    assert_eq!(
        (out.status, out.error.as_deref(), out.duration_seconds),
        (Status::Failed, Some("States.Timeout"), 45.0)
    );
    assert_eq!(
        types(&out),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSubmitted",
            "TaskTimedOut",
            "ExecutionFailed"
        ]
    );
    let def = callback(json!({"TimeoutSecondsPath": "$.t", "HeartbeatSecondsPath": "$.h"}));
    for (input, seconds) in [
        (json!({"t": 600, "h": 45}), 45.0),
        (json!({"t": 30, "h": 45}), 30.0),
    ] {
        let out = run(def.clone(), thrown.clone(), input.clone()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (out.error.as_deref(), out.duration_seconds),
            (Some("States.Timeout"), seconds),
            "{input}"
        );
        assert!(types(&out).contains(&"TaskTimedOut".to_string()));
    }
}

#[test]
fn heartbeats_keep_a_long_task_alive_and_a_missed_one_times_it_out() {
    let def = callback(json!({"TimeoutSeconds": 3600, "HeartbeatSeconds": 60}));
    // A heartbeat every 50 s: the answer at 1,000 s arrives.
    let out = ok(
        def.clone(),
        json!({"T": {"0": {"Return": {"approved": true}, "AfterSeconds": 1000, "HeartbeatEverySeconds": 50}}}),
    );
    assert_eq!(
        (out.status, out.duration_seconds),
        (Status::Succeeded, 1000.0)
    );
    assert_eq!(out.output().cloned(), Some(json!({"approved": true})));
    // Heartbeats at 50 and 100, then silence: 60 s after the last one it times out.
    let out = ok(
        def.clone(),
        json!({"T": {"0": {"Return": 1, "AfterSeconds": 1000, "Heartbeats": [50, 100]}}}),
    );
    assert_eq!(out.status, Status::Failed);
    assert_eq!(out.error.as_deref(), Some("States.Timeout"));
    assert_eq!(out.duration_seconds, 160.0);
    // Heartbeats write no event; the timeout writes TaskTimedOut, as AWS's recordings show.
    assert_eq!(
        types(&out),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSubmitted",
            "TaskTimedOut",
            "ExecutionFailed"
        ]
    );
    // TimeoutSeconds bounds the task however many heartbeats it sends.
    let out = ok(
        def,
        json!({"T": {"0": {"Return": 1, "AfterSeconds": 5000, "HeartbeatEverySeconds": 10}}}),
    );
    assert_eq!(
        (out.error.as_deref(), out.duration_seconds),
        (Some("States.Timeout"), 3600.0)
    );
}

#[test]
fn a_callback_answered_after_an_hour_succeeds_then_with_a_task_submitted_first() {
    let out = ok(
        callback(json!({})),
        json!({"T": {"0": {"Submitted": {"MessageId": "m-1"}, "Return": {"ok": 1}, "AfterSeconds": 3600}}}),
    );
    assert_eq!(
        (out.status, out.duration_seconds),
        (Status::Succeeded, 3600.0)
    );
    let history: Value = serde_json::from_str(&out.history.to_json()).unwrap_or_default();
    let events = history["events"].as_array().cloned().unwrap_or_default();
    let submitted = events.iter().find(|e| e["type"] == "TaskSubmitted");
    assert_eq!(
        submitted.map(|e| e["taskSubmittedEventDetails"]["output"].clone()),
        Some(json!("{\"MessageId\":\"m-1\"}"))
    );
    assert_eq!(
        submitted.map(|e| e["timestamp"].clone()),
        Some(json!("2024-01-01T00:00:00.000Z"))
    );
    let succeeded = events.iter().find(|e| e["type"] == "TaskSucceeded");
    assert_eq!(
        succeeded.map(|e| e["timestamp"].clone()),
        Some(json!("2024-01-01T01:00:00.000Z"))
    );
}

#[test]
fn a_callback_failure_is_the_tasks_failure() {
    let mut def = callback(json!({"Catch": [{"ErrorEquals": ["Rejected"], "Next": "No"}]}));
    def["States"]["No"] = json!({"Type": "Fail", "Error": "NotApproved"});
    let out = ok(
        def,
        json!({"T": {"0": {"Throw": {"Error": "Rejected", "Cause": "by alice"}, "AfterSeconds": 120}}}),
    );
    assert_eq!(out.error.as_deref(), Some("NotApproved"));
    assert_eq!(out.duration_seconds, 120.0);
    assert!(types(&out).contains(&"TaskFailed".to_string()));
}

/// The answer names the token the task was given; a task whose Parameters do not pass
/// `$$.Task.Token` on can never be answered, so only its timeout ends it.
#[test]
fn a_callback_without_the_token_in_its_parameters_is_never_answered() {
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody": "no token here"},
        "TimeoutSeconds": 900, "End": true}}});
    let out = ok(def, json!({"T": {"0": {"Return": 1, "AfterSeconds": 10}}}));
    assert_eq!(
        (out.error.as_deref(), out.duration_seconds),
        (Some("States.Timeout"), 900.0)
    );
}

/// The simulated token is what the context object reports and what a handler is given.
#[test]
fn the_task_token_is_the_one_in_the_parameters() {
    struct Worker<'a>(&'a RefCell<Vec<(Option<String>, Value)>>);
    impl TaskHandler for Worker<'_> {
        fn invoke(&mut self, call: &TaskCall) -> Result<Value, flowc_sim::TaskFailure> {
            self.0
                .borrow_mut()
                .push((call.task_token.map(String::from), call.input.clone()));
            Ok(json!("done"))
        }
        fn duration_seconds(&mut self, _: &TaskCall) -> f64 {
            30.0
        }
    }
    let program = Program::load(&callback(json!({}))).unwrap_or_else(|e| panic!("{e}"));
    let calls = RefCell::new(Vec::new());
    let out = Simulation::new(&program)
        .handler(Worker(&calls))
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (out.status, out.duration_seconds),
        (Status::Succeeded, 30.0)
    );
    let calls = calls.into_inner();
    let [(Some(token), input)] = calls.as_slice() else {
        panic!("one call with a token: {calls:?}")
    };
    assert!(token.len() > 20, "{token}");
    assert_eq!(input["MessageBody"]["TaskToken"], json!(token));
}

#[test]
fn each_attempt_of_a_callback_gets_its_own_token() {
    let program = Program::load(&callback(json!({
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 1}]})))
    .unwrap_or_else(|e| panic!("{e}"));
    let mut tokens = Vec::new();
    let out = Simulation::new(&program)
        .handler(|call: &TaskCall| {
            tokens.push(call.task_token.map(String::from));
            if tokens.len() == 1 {
                Err(flowc_sim::TaskFailure {
                    error: "E".into(),
                    cause: String::new(),
                })
            } else {
                Ok(json!(1))
            }
        })
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status, Status::Succeeded);
    assert_eq!(tokens.len(), 2);
    assert_ne!(tokens.first(), tokens.get(1));
}

#[test]
fn sync_jobs_write_task_submitted_then_their_end() {
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": "arn:aws:states:::ecs:runTask.sync", "End": true}}});
    let out = ok(
        def,
        json!({"T": {"0": {"Return": {"TaskArn": "t"}, "AfterSeconds": 600}}}),
    );
    assert_eq!(out.duration_seconds, 600.0);
    let t = types(&out);
    let submitted = t.iter().position(|e| e == "TaskSubmitted");
    let succeeded = t.iter().position(|e| e == "TaskSucceeded");
    assert!(
        matches!((submitted, succeeded), (Some(a), Some(b)) if a < b),
        "{t:?}"
    );
    // Request-response tasks have no TaskSubmitted.
    let out = ok(lambda(json!({})), json!({"T": {"0": {"Return": 1}}}));
    assert!(!types(&out).contains(&"TaskSubmitted".to_string()));
}

/// Two slow tasks in a Parallel overlap on the clock.
#[test]
fn slow_tasks_in_branches_overlap() {
    let branch = |name: &str| {
        json!({"StartAt": name, "States": {name: {"Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true}}})
    };
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Branches": [branch("A"), branch("B")]}}});
    let out = ok(
        def,
        json!({"A": {"0": {"Return": "a", "AfterSeconds": 30}},
               "B": {"0": {"Return": "b", "AfterSeconds": 50}}}),
    );
    assert_eq!(out.duration_seconds, 50.0);
    assert_eq!(out.output().cloned(), Some(json!(["a", "b"])));
}

#[test]
fn a_misspelt_or_malformed_extension_is_an_error_naming_it() {
    for (response, words) in [
        (json!({"Return": 1, "AfterSecond": 5}), "\"AfterSecond\""),
        (json!({"Return": 1, "AfterSeconds": -1}), "AfterSeconds"),
        (json!({"Return": 1, "Heartbeats": 5}), "Heartbeats"),
        (
            json!({"Return": 1, "HeartbeatEverySeconds": 0}),
            "HeartbeatEverySeconds",
        ),
        (json!({"Return": 1, "NoAnswer": true}), "exactly one"),
        (json!({"AfterSeconds": 3}), "exactly one"),
    ] {
        let e = run(
            lambda(json!({})),
            json!({"T": {"0": response.clone()}}),
            json!({}),
        );
        assert!(
            matches!(&e, Err(SimError::InvalidMocks { message }) if message.contains(words)),
            "{response}: {e:?}"
        );
    }
}
