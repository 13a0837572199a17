use std::collections::BTreeMap;
use std::path::Path;

use flowc_asl::StateMachine;
use flowc_sim::Program;
use serde_json::{Value, json};

use super::alternatives::Stated;
use super::*;

fn load(definition: &Value) -> (StateMachine, Program) {
    let machine = match flowc_asl::load(&definition.to_string(), "m.asl.json") {
        Ok(loaded) => loaded.machine,
        Err(e) => panic!("{e:?}"),
    };
    let program = Program::from_machine(&machine).unwrap_or_else(|e| panic!("{e}"));
    (machine, program)
}

fn explore_with(
    definition: &Value,
    stated: BTreeMap<String, Stated>,
    bounds: Bounds,
    properties: &[&str],
) -> Exploration {
    let (machine, program) = load(definition);
    let names: Vec<&str> = machine.states.keys().map(|k| k.as_str()).collect();
    let properties: Vec<_> = properties
        .iter()
        .map(|p| require::parse(p, &names).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let subject = Subject {
        machine: &machine,
        program: &program,
        path: Path::new("m.asl.json"),
        inputs: vec![json!({})],
        stated,
    };
    explore(&subject, bounds, &properties).unwrap_or_else(|e| panic!("{}", e.message))
}

fn described(e: &Exploration) -> Vec<String> {
    e.outcomes.iter().map(|o| o.key.describe()).collect()
}

/// A charge that retries throttling and catches a declined card; nothing else is caught.
fn charge() -> Value {
    json!({"StartAt": "Charge", "States": {
        "Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:charge",
                   "Retry": [{"ErrorEquals": ["Throttled"], "MaxAttempts": 2, "IntervalSeconds": 1}],
                   "Catch": [{"ErrorEquals": ["Card.Declined"], "Next": "Declined"}],
                   "Next": "Done"},
        "Declined": {"Type": "Fail", "Error": "Declined"},
        "Done": {"Type": "Succeed"}}})
}

#[test]
fn an_uncaught_error_the_happy_path_hides_is_found_with_its_witness() {
    let e = explore_with(&charge(), BTreeMap::new(), Bounds::default(), &[]);
    assert_eq!(
        described(&e),
        [
            "SUCCEEDED in Done",
            "FAILED Throttled in Charge",
            "FAILED Declined in Declined",
            "FAILED UnexpectedError in Charge",
        ]
    );
    assert_eq!(e.runs, 4);
    assert!(e.stopped.is_none());
    // Throttled is retried twice, then fails the execution: three calls, one mock range.
    let throttled = &e.outcomes[1];
    assert_eq!(throttled.decisions.len(), 3);
    assert_eq!(throttled.duration_seconds, 3.0);
    assert_eq!(
        emit::mocks(throttled),
        json!({"Charge": {"0-2": {"Throw": {"Error": "Throttled",
            "Cause": "flowc explore: the task failed with Throttled"}}}})
    );
    assert_eq!(e.coverage.uncovered().count(), 0);
}

#[test]
fn stated_results_drive_choices_and_a_poll_runs_to_its_own_bound() {
    let definition = json!({"StartAt": "Check", "States": {
        "Check": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:check",
                  "ResultPath": "$.health", "Next": "Count"},
        "Count": {"Type": "Pass", "Next": "Ready?"},
        "Ready?": {"Type": "Choice", "Choices": [
            {"Variable": "$.health.status", "StringEquals": "healthy", "Next": "Done"},
            {"Variable": "$.health.status", "StringEquals": "broken", "Next": "Broken"}],
            "Default": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 60, "Next": "Check"},
        "Broken": {"Type": "Fail", "Error": "Broken"},
        "Done": {"Type": "Succeed"}},
        "TimeoutSeconds": 600});
    let stated = BTreeMap::from([(
        "Check".to_string(),
        Stated {
            responses: vec![
                json!({"Return": {"status": "healthy"}}),
                json!({"Return": {"status": "pending"}}),
                json!({"Return": {"status": "broken"}}),
            ],
        },
    )]);
    let e = explore_with(&definition, stated, Bounds::default(), &[]);
    let outcomes = described(&e);
    assert!(
        outcomes.contains(&"SUCCEEDED in Done".to_string()),
        "{outcomes:?}"
    );
    assert!(
        outcomes.contains(&"FAILED Broken in Broken".to_string()),
        "{outcomes:?}"
    );
    // "pending" on the first visit is answered again on every later one, until the
    // machine's 600 s timeout.
    let timed_out = e
        .outcomes
        .iter()
        .find(|o| o.key.status == "TIMED_OUT")
        .unwrap_or_else(|| panic!("{outcomes:?}"));
    assert_eq!(timed_out.duration_seconds, 600.0);
    assert!(timed_out.path.iter().filter(|s| *s == "Check").count() > 3);
}

#[test]
fn a_hundred_tasks_with_five_answers_stop_at_the_budget() {
    let mut states = serde_json::Map::new();
    for i in 0..100 {
        let next = if i == 99 {
            json!({"End": true})
        } else {
            json!({"Next": format!("T{}", i + 1)})
        };
        // Every answer is kept (ResultPath), so no two sequences meet in one state: the tree
        // dedupe cannot shrink.
        let mut state = json!({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f",
            "TimeoutSeconds": 10, "ResultPath": format!("$.r{i}"),
            "Catch": [{"ErrorEquals": ["A", "B"], "ResultPath": format!("$.r{i}"),
                       "Next": if i == 99 { "Caught".to_string() } else { format!("T{}", i + 1) }}]});
        if let (Value::Object(s), Value::Object(n)) = (&mut state, next) {
            s.extend(n);
        }
        states.insert(format!("T{i}"), state);
    }
    states.insert("Caught".into(), json!({"Type": "Succeed"}));
    let definition = json!({"StartAt": "T0", "States": states});
    let bounds = Bounds {
        max_runs: 200,
        ..Bounds::default()
    };
    let e = explore_with(&definition, BTreeMap::new(), bounds, &[]);
    assert_eq!(e.runs, 200);
    let stopped = e.stopped.unwrap_or_else(|| panic!("did not stop"));
    assert!(stopped.left > 1000, "{stopped:?}");
    assert!(e.past_depth > 0);
    // Success, A, B, the unnamed error, the timeout: five answers each.
    assert_eq!(e.outcomes[0].decisions[0].alternatives.len(), 5);
}

#[test]
fn a_property_a_run_breaks_keeps_the_shortest_counterexample() {
    let e = explore_with(
        &charge(),
        BTreeMap::new(),
        Bounds::default(),
        &[
            "FAILED passes Declined",
            "SUCCEEDED never",
            "ends within 10s",
        ],
    );
    let [passes, never, within] = e.verdicts.as_slice() else {
        panic!("{:?}", e.verdicts.len());
    };
    assert_eq!((passes.applied, passes.violations), (3, 2));
    let shortest = passes.counterexample.as_ref().map(|r| r.key.describe());
    assert_eq!(shortest.as_deref(), Some("FAILED Throttled in Charge"));
    assert_eq!((never.applied, never.violations), (4, 1));
    assert!(within.holds());
}

#[test]
fn a_long_chain_stops_at_the_states_budget_before_the_runs_budget() {
    // The first run of this chain enters 401 states, each run after it one to 400. The states
    // budget stops the search before its runs do, so a large definition stays within its time.
    let mut states = serde_json::Map::new();
    for i in 0..400 {
        let next = if i == 399 {
            "Done".to_string()
        } else {
            format!("T{}", i + 1)
        };
        states.insert(
            format!("T{i}"),
            json!({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f",
                "Catch": [{"ErrorEquals": ["E"], "Next": "Failed"}], "Next": next}),
        );
    }
    states.insert("Done".into(), json!({"Type": "Succeed"}));
    states.insert("Failed".into(), json!({"Type": "Fail", "Error": "X"}));
    let definition = json!({"StartAt": "T0", "States": states});
    let bounds = Bounds {
        max_states: 1_000,
        ..Bounds::default()
    };
    let e = explore_with(&definition, BTreeMap::new(), bounds, &[]);
    let stopped = e.stopped.unwrap_or_else(|| panic!("did not stop"));
    assert_eq!(stopped.limit, Limit::States);
    assert!(e.runs < bounds.max_runs, "{} runs", e.runs);
    // The last run passes the budget by at most its own length.
    assert!(
        (1_000..1_000 + 402).contains(&e.states_entered),
        "{} states entered",
        e.states_entered
    );
    let report = report::render(&e);
    assert!(
        report.contains("stopped early at --max-states 1000"),
        "{report}"
    );
}

/// What dedupe must not change: the outcome set, what the runs reached, and each property's
/// verdict (held or not).
fn equivalent_with_and_without_dedupe(
    definition: &Value,
    stated: BTreeMap<String, Stated>,
    max_visits: u32,
    properties: &[&str],
) -> (Exploration, Exploration) {
    let bounds = |dedupe| Bounds {
        max_runs: 100_000,
        max_states: 10_000_000,
        max_visits,
        dedupe,
        ..Bounds::default()
    };
    let full = explore_with(definition, stated.clone(), bounds(false), properties);
    let deduped = explore_with(definition, stated, bounds(true), properties);
    assert!(full.stopped.is_none() && deduped.stopped.is_none());
    assert_eq!(full.repeated, 0);
    let keys = |e: &Exploration| -> BTreeSet<OutcomeKey> {
        e.outcomes.iter().map(|o| o.key.clone()).collect()
    };
    assert_eq!(keys(&full), keys(&deduped), "{definition}");
    let reached =
        |e: &Exploration| -> BTreeSet<Key> { e.coverage.recorded.hits.keys().cloned().collect() };
    assert_eq!(reached(&full), reached(&deduped), "{definition}");
    let verdicts =
        |e: &Exploration| -> Vec<bool> { e.verdicts.iter().map(Verdict::holds).collect() };
    assert_eq!(verdicts(&full), verdicts(&deduped), "{definition}");
    assert!(deduped.runs <= full.runs);
    (full, deduped)
}

/// A chain of `n` Tasks whose catches of A and B go on to the next Task with the error as
/// the state's output (ResultPath `$`), so after the next success every earlier answer is
/// forgotten: the same execution state, reached by many sequences of answers.
fn forgetful_chain(n: usize, result_path_null: bool) -> Value {
    let mut states = serde_json::Map::new();
    for i in 0..n {
        let next = if i + 1 == n {
            "Done".to_string()
        } else {
            format!("T{}", i + 1)
        };
        let mut state = json!({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f",
            "Catch": [{"ErrorEquals": ["A", "B"], "Next": next}], "Next": next});
        if result_path_null {
            state["ResultPath"] = Value::Null;
            state["Catch"][0]["ResultPath"] = Value::Null;
        }
        states.insert(format!("T{i}"), state);
    }
    states.insert("Done".into(), json!({"Type": "Succeed"}));
    json!({"StartAt": "T0", "States": states})
}

/// A machine to explore: name, definition, stated answers, `--max-visits`, properties.
type Case<'a> = (&'a str, Value, BTreeMap<String, Stated>, u32, Vec<&'a str>);

#[test]
fn dedupe_finds_what_the_search_without_it_finds_on_a_table_of_machines() {
    let poll = json!({"StartAt": "Check", "States": {
        "Check": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:check",
                  "ResultPath": "$.health", "Next": "Ready?",
                  "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 2, "IntervalSeconds": 1}],
                  "Catch": [{"ErrorEquals": ["Gone"], "ResultPath": null, "Next": "Cleanup"}]},
        "Ready?": {"Type": "Choice", "Choices": [
            {"Variable": "$.health.status", "StringEquals": "healthy", "Next": "Done"}],
            "Default": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 60, "Next": "Check"},
        "Cleanup": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:clean",
                    "ResultPath": null,
                    "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": null, "Next": "Failed"}],
                    "Next": "Failed"},
        "Failed": {"Type": "Fail", "Error": "Gone"},
        "Done": {"Type": "Succeed"}},
        "TimeoutSeconds": 400});
    let poll_answers = BTreeMap::from([(
        "Check".to_string(),
        Stated {
            responses: vec![
                json!({"Return": {"status": "pending"}}),
                json!({"Return": {"status": "healthy"}}),
            ],
        },
    )]);
    // Two Tasks either of which may record an audit entry first: Notify is reached with and
    // without Audit behind it, and `FAILED passes Audit` tells the two apart.
    let audit = json!({"StartAt": "Audit", "States": {
        "Audit": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:a",
                  "ResultPath": null,
                  "Catch": [{"ErrorEquals": ["Skip"], "ResultPath": null, "Next": "Notify"}],
                  "Next": "Notify"},
        "Notify": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:n",
                   "ResultPath": null, "Next": "Done"},
        "Done": {"Type": "Succeed"}}});
    let parallel = json!({"StartAt": "Both", "States": {
        "Both": {"Type": "Parallel", "ResultPath": null, "Next": "After",
                 "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": null, "Next": "After"}],
                 "Branches": [
                    {"StartAt": "L", "States": {"L": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:l", "End": true}}},
                    {"StartAt": "R", "States": {"R": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:r", "End": true}}}]},
        "After": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:x",
                  "ResultPath": null, "Next": "Done"},
        "Done": {"Type": "Succeed"}}});
    let table: Vec<Case> = vec![
        (
            "charge",
            charge(),
            BTreeMap::new(),
            1,
            vec!["FAILED passes Declined"],
        ),
        (
            "forgetful chain",
            forgetful_chain(6, false),
            BTreeMap::new(),
            1,
            vec![],
        ),
        (
            "chain without results",
            forgetful_chain(5, true),
            BTreeMap::new(),
            1,
            vec!["ends within 10s"],
        ),
        (
            "poll, one visit branching",
            poll.clone(),
            poll_answers.clone(),
            1,
            vec!["FAILED passes Cleanup"],
        ),
        (
            "poll, three visits branching",
            poll,
            poll_answers,
            3,
            vec!["TIMED_OUT never"],
        ),
        (
            "audit",
            audit,
            BTreeMap::new(),
            1,
            vec!["FAILED passes Audit", "SUCCEEDED passes Audit"],
        ),
        ("parallel", parallel, BTreeMap::new(), 1, vec![]),
    ];
    for (name, definition, stated, visits, properties) in table {
        let (full, deduped) =
            equivalent_with_and_without_dedupe(&definition, stated, visits, &properties);
        eprintln!(
            "{name}: {} runs without dedupe, {} with ({} repeated)",
            full.runs, deduped.runs, deduped.repeated
        );
    }
}

#[test]
fn a_chain_that_forgets_its_answers_is_explored_in_linear_runs() {
    // Without dedupe the runs multiply by three (success, A, B) at every Task; with it, each
    // Task's state is one of three whatever came before.
    let (full, deduped) =
        equivalent_with_and_without_dedupe(&forgetful_chain(7, false), BTreeMap::new(), 1, &[]);
    assert!(full.runs > 1_000, "{} runs", full.runs);
    assert!(deduped.runs < 100, "{} runs", deduped.runs);
    assert!(deduped.repeated > 0);
    assert!(report::render(&deduped).contains("did not branch again"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Random small machines (Tasks whose catches and successes jump forward or back, with or
    /// without keeping their results) explore to the same outcomes, reach and verdicts with
    /// and without dedupe.
    #[test]
    fn dedupe_keeps_outcomes_reach_and_verdicts(
        shape in proptest::collection::vec((0usize..4, proptest::bool::ANY, proptest::bool::ANY), 2..5),
        visits in 1u32..3,
    ) {
        let n = shape.len();
        let next = |i: usize| -> String {
            if i + 1 < n { format!("T{}", i + 1) } else { "Done".into() }
        };
        let mut states = serde_json::Map::new();
        let mut used = BTreeSet::new();
        for (i, (caught, keep, retry)) in shape.iter().enumerate() {
            // A's catch goes on, ends, loops back to the start after a pause (the timeout
            // bounds it) or fails.
            let target = match caught {
                0 => next(i),
                1 => "Done".into(),
                2 => "Pause".into(),
                _ => "Failed".into(),
            };
            used.insert(target.clone());
            let mut state = json!({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f",
                "Catch": [{"ErrorEquals": ["A"], "Next": target}],
                "Next": next(i)});
            if !keep {
                state["ResultPath"] = Value::Null;
                state["Catch"][0]["ResultPath"] = Value::Null;
            }
            if *retry {
                state["Retry"] = json!([{"ErrorEquals": ["A"], "MaxAttempts": 1, "IntervalSeconds": 5}]);
            }
            states.insert(format!("T{i}"), state);
        }
        states.insert("Done".into(), json!({"Type": "Succeed"}));
        if used.contains("Failed") {
            states.insert("Failed".into(), json!({"Type": "Fail", "Error": "F"}));
        }
        if used.contains("Pause") {
            states.insert("Pause".into(), json!({"Type": "Wait", "Seconds": 10, "Next": "T0"}));
        }
        let definition = json!({"StartAt": "T0", "States": states, "TimeoutSeconds": 60});
        equivalent_with_and_without_dedupe(
            &definition,
            BTreeMap::new(),
            visits,
            &["FAILED passes T1", "ends within 20s"],
        );
    }
}
