//! Properties over generated state machines and inputs: a run never panics, history ids are
//! consecutive with earlier `previousEventId`s, simulated time never goes backwards, and the
//! same seed gives the same history.

use flowc_sim::{Program, Simulation, TaskCall, TaskFailure};
use proptest::prelude::*;
use serde_json::{Value, json};

const PATHS: [&str; 6] = ["$", "$.a", "$.a.b", "$.list[0]", "$.missing", "$.list[*]"];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-5i64..5).prop_map(Value::from),
        "[a-c]{0,3}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            prop::collection::btree_map("[ab]|list", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One state of a chain; `next` is the following state's name (or none for the last).
fn state(index: usize, kind: u8, path: usize, seconds: u8, next: Option<String>) -> Value {
    let p = PATHS[path % PATHS.len()];
    let mut s = match kind % 7 {
        0 => json!({"Type": "Pass", "InputPath": p, "ResultPath": "$.r"}),
        1 => json!({"Type": "Pass", "Parameters": {"x.$": p}, "OutputPath": p}),
        2 => json!({"Type": "Wait", "Seconds": seconds}),
        3 => json!({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f",
                    "Parameters": {"v.$": p}, "TimeoutSeconds": 5,
                    "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2, "JitterStrategy": "FULL"}]}),
        4 => json!({"Type": "Map", "ItemsPath": p, "ItemProcessor": {"StartAt": "I",
                    "States": {"I": {"Type": "Pass", "End": true}}}}),
        5 => {
            json!({"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": seconds, "End": true}}}]})
        }
        _ => {
            json!({"Type": "Choice", "Choices": [{"Variable": p, "IsPresent": true, "Next": format!("S{}", index + 1)}],
                    "Default": format!("S{}", index + 1)})
        }
    };
    let is_choice = kind % 7 == 6;
    if let Some(obj) = s.as_object_mut() {
        match next {
            Some(n) if !is_choice => {
                obj.insert("Next".into(), n.into());
            }
            None => {
                // A Choice cannot end a chain; close with a Succeed-like Pass instead.
                if is_choice {
                    *obj = json!({"Type": "Pass", "End": true})
                        .as_object()
                        .cloned()
                        .unwrap_or_default();
                } else {
                    obj.insert("End".into(), true.into());
                }
            }
            _ => {}
        }
    }
    s
}

fn machine(spec: &[(u8, usize, u8)]) -> Value {
    let mut states = serde_json::Map::new();
    for (i, (kind, path, secs)) in spec.iter().enumerate() {
        let next = (i + 1 < spec.len()).then(|| format!("S{}", i + 1));
        states.insert(format!("S{i}"), state(i, *kind, *path, *secs, next));
    }
    json!({"StartAt": "S0", "TimeoutSeconds": 500, "States": states})
}

fn handler(call: &TaskCall) -> Result<Value, TaskFailure> {
    if call.input.to_string().len().is_multiple_of(3) {
        Err(TaskFailure {
            error: "Odd".into(),
            cause: "generated".into(),
        })
    } else {
        Ok(call.input.clone())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn runs_never_panic_and_histories_are_well_formed(
        spec in prop::collection::vec((any::<u8>(), 0usize..6, 0u8..200), 1..6),
        input in json_value(),
        seed in any::<u64>(),
    ) {
        let def = machine(&spec);
        let Ok(program) = Program::load(&def) else { return Ok(()); };
        let run = || Simulation::new(&program).input(input.clone()).seed(seed).handler(handler).run();
        let first = run();
        let second = run();
        match (&first, &second) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.history.to_json(), b.history.to_json());
                let events = &a.history.events;
                for (k, e) in events.iter().enumerate() {
                    prop_assert_eq!(e.id, k as u64 + 1);
                    prop_assert!(e.previous_event_id < e.id);
                    if k > 0 {
                        prop_assert!(events[k - 1].timestamp <= e.timestamp, "clock went backwards");
                    }
                }
                prop_assert!(a.duration_seconds <= 500.0);
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            _ => prop_assert!(false, "two runs disagreed"),
        }
    }
}
