//! Properties of the graph checks over generated state machines: they never panic, every label
//! lies inside the text, and a well-formed chain has no findings.

use flowc::check::{CheckError, check};
use miette::Diagnostic;
use proptest::prelude::*;
use serde_json::{Value, json};

/// One generated state: its type and where its transitions go (indices into the state list;
/// out-of-range indices become misspelled names).
#[derive(Debug, Clone)]
enum Shape {
    Pass {
        next: Option<usize>,
    },
    Wait {
        next: usize,
    },
    Task {
        next: usize,
        catch: Option<usize>,
        all_first: bool,
    },
    Choice {
        rules: Vec<usize>,
        default: Option<usize>,
    },
    Parallel {
        next: Option<usize>,
        inner_escape: bool,
    },
    Succeed,
    Fail,
}

fn name(index: usize, count: usize) -> String {
    if index < count {
        format!("S{index}")
    } else {
        format!("Missing{index}")
    }
}

fn to_json(shapes: &[Shape], start: usize) -> Value {
    let count = shapes.len();
    let target = |i: &usize| json!(name(*i, count + 2));
    let mut states = serde_json::Map::new();
    for (index, shape) in shapes.iter().enumerate() {
        let with_next = |mut state: Value, next: Option<&usize>| {
            match next {
                Some(next) => state["Next"] = target(next),
                None => state["End"] = json!(true),
            }
            state
        };
        let state = match shape {
            Shape::Pass { next } => with_next(json!({"Type": "Pass"}), next.as_ref()),
            Shape::Wait { next } => with_next(json!({"Type": "Wait", "Seconds": 5}), Some(next)),
            Shape::Task {
                next,
                catch,
                all_first,
            } => {
                let mut task = json!({
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                });
                if let Some(catch) = catch {
                    let mut catchers =
                        vec![json!({"ErrorEquals": ["States.ALL"], "Next": target(catch)})];
                    if !*all_first {
                        catchers.insert(0, json!({"ErrorEquals": ["X.Y"], "Next": target(catch)}));
                    } else {
                        catchers.push(json!({"ErrorEquals": ["X.Y"], "Next": target(catch)}));
                    }
                    task["Catch"] = json!(catchers);
                }
                with_next(task, Some(next))
            }
            Shape::Choice { rules, default } => {
                let choices: Vec<Value> = rules
                    .iter()
                    .map(|r| json!({"Variable": "$.x", "NumericEquals": 1, "Next": target(r)}))
                    .collect();
                let mut choice = json!({"Type": "Choice", "Choices": choices});
                if let Some(default) = default {
                    choice["Default"] = target(default);
                }
                choice
            }
            Shape::Parallel { next, inner_escape } => {
                let inner = format!("In{index}");
                let inner_state = if *inner_escape {
                    json!({"Type": "Pass", "Next": name(0, count)})
                } else {
                    json!({"Type": "Succeed"})
                };
                with_next(
                    json!({"Type": "Parallel", "Branches": [
                        {"StartAt": inner, "States": {inner.clone(): inner_state}}
                    ]}),
                    next.as_ref(),
                )
            }
            Shape::Succeed => json!({"Type": "Succeed"}),
            Shape::Fail => json!({"Type": "Fail"}),
        };
        states.insert(name(index, count), state);
    }
    json!({"StartAt": name(start, count + 2), "States": states})
}

fn shape(count: usize) -> impl Strategy<Value = Shape> {
    // Targets may run two past the end: those become unknown names.
    let t = 0..count + 2;
    prop_oneof![
        proptest::option::of(t.clone()).prop_map(|next| Shape::Pass { next }),
        t.clone().prop_map(|next| Shape::Wait { next }),
        (t.clone(), proptest::option::of(t.clone()), any::<bool>()).prop_map(
            |(next, catch, all_first)| Shape::Task {
                next,
                catch,
                all_first
            }
        ),
        (
            proptest::collection::vec(t.clone(), 1..3),
            proptest::option::of(t.clone())
        )
            .prop_map(|(rules, default)| Shape::Choice { rules, default }),
        (proptest::option::of(t), any::<bool>())
            .prop_map(|(next, inner_escape)| Shape::Parallel { next, inner_escape }),
        Just(Shape::Succeed),
        Just(Shape::Fail),
    ]
}

fn machine() -> impl Strategy<Value = (Vec<Shape>, usize)> {
    (1usize..12)
        .prop_flat_map(|count| (proptest::collection::vec(shape(count), count), 0..count + 1))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn checks_never_panic_and_labels_stay_in_the_text((shapes, start) in machine()) {
        let text = serde_json::to_string_pretty(&to_json(&shapes, start)).unwrap_or_default();
        let loaded = match flowc_asl::load(&text, "gen.asl.json") {
            Ok(loaded) => loaded,
            // The loader may refuse a generated shape; that is its business, not the checks'.
            Err(_) => return Ok(()),
        };
        let findings: Vec<CheckError> = check(&loaded.machine, &loaded.spans);
        for finding in &findings {
            prop_assert!(finding.code().is_some());
            prop_assert!(finding.help().is_some());
            let labels: Vec<_> = finding.labels().map(|l| l.collect()).unwrap_or_default();
            prop_assert!(!labels.is_empty(), "{finding:?} has no label");
            for label in labels {
                prop_assert!(label.offset() + label.len() <= text.len(), "{finding:?} points past the end");
                prop_assert!(!label.is_empty(), "{finding:?} has an empty label in:\n{text}");
            }
        }
    }

    #[test]
    fn chains_ending_in_succeed_have_no_findings(count in 1usize..200) {
        let mut shapes: Vec<Shape> = (1..count).map(|i| Shape::Pass { next: Some(i) }).collect();
        shapes.push(Shape::Succeed);
        let text = serde_json::to_string(&to_json(&shapes, 0)).unwrap_or_default();
        let loaded = flowc_asl::load(&text, "chain.asl.json").map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(check(&loaded.machine, &loaded.spans), vec![]);
    }
}
