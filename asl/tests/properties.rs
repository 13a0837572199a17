//! Properties: emit/load round trip over generated machines; load never panics on damaged text.
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests: a panic is the failure report

use flowc_asl::intrinsic::IntrinsicCall;
use flowc_asl::path::{JsonPath, ReferencePath};
use flowc_asl::{
    Catcher, ChoiceRule, Comparison, Condition, ErrorName, Fail, IntegerField, JitterStrategy,
    Operand, Operator, Pass, PathOrNull, Retrier, State, StateKind, StateMachine, StateName, Task,
    Template, TemplateEntry, TemplateValue, TextField, Transition, Wait, WaitFor, emit, load,
};
use indexmap::IndexMap;
use proptest::prelude::*;
use serde_json::{Value, json};

const PATHS: [&str; 5] = ["$", "$.a", "$.a.b[0]", "$['k y']", "$$.Execution.Id"];
const REFERENCES: [&str; 4] = ["$", "$.a", "$.r.s", "$.list[1]"];

fn json_path() -> impl Strategy<Value = JsonPath> {
    prop::sample::select(&PATHS[..]).prop_map(|p| JsonPath::parse(p).unwrap())
}

fn reference() -> impl Strategy<Value = ReferencePath> {
    prop::sample::select(&REFERENCES[..]).prop_map(|p| ReferencePath::parse(p).unwrap())
}

fn literal() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-z ]{0,6}".prop_map(Value::String),
        Just(json!({"nested": [1, {"k": "v"}]})),
    ]
}

fn template() -> impl Strategy<Value = Template> {
    let leaf = literal().prop_map(|value| Template::literal(&value));
    leaf.prop_recursive(3, 16, 4, |inner| {
        let entry = (
            "[a-z]{1,4}",
            prop_oneof![
                inner.clone().prop_map(TemplateValue::Static),
                json_path().prop_map(TemplateValue::Path),
                Just(TemplateValue::Intrinsic(
                    IntrinsicCall::parse("States.Format('{}', $.a)").unwrap()
                )),
            ],
        )
            .prop_map(|(key, value)| TemplateEntry { key, value });
        prop_oneof![
            prop::collection::vec(entry, 0..4).prop_map(|entries| {
                // Keys are unique in JSON objects.
                let mut seen = std::collections::HashSet::new();
                Template::Object(
                    entries
                        .into_iter()
                        .filter(|e| seen.insert(e.key.clone()))
                        .collect(),
                )
            }),
            prop::collection::vec(inner, 0..3).prop_map(Template::Array),
        ]
    })
}

fn object_template() -> impl Strategy<Value = Template> {
    template().prop_map(|t| match t {
        Template::Object(_) => t,
        other => Template::Object(vec![TemplateEntry {
            key: "v".to_string(),
            value: TemplateValue::Static(other),
        }]),
    })
}

fn condition() -> impl Strategy<Value = Condition> {
    let compare = (
        reference(),
        prop::sample::select(Operator::ALL),
        reference(),
        any::<bool>(),
    )
        .prop_map(|(variable, operator, other, use_path)| {
            let operand = if use_path && operator.has_path_form() {
                Operand::Path(other)
            } else {
                match operator.family() {
                    flowc_asl::OperandFamily::String => Operand::String("s".into()),
                    flowc_asl::OperandFamily::Number => Operand::Number(7.into()),
                    flowc_asl::OperandFamily::Bool | flowc_asl::OperandFamily::Test => {
                        Operand::Bool(true)
                    }
                    flowc_asl::OperandFamily::Timestamp => {
                        Operand::Timestamp("2024-01-01T00:00:00Z".into())
                    }
                }
            };
            Condition::Compare(Comparison {
                variable,
                operator,
                operand,
            })
        });
    compare.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..3).prop_map(Condition::And),
            prop::collection::vec(inner.clone(), 1..3).prop_map(Condition::Or),
            inner.clone().prop_map(|c| Condition::Not(Box::new(c))),
            // A comment wraps a rule once; `Commented` never wraps `Commented`.
            inner.prop_map(|c| match c {
                Condition::Commented { .. } => c,
                other => Condition::Commented {
                    comment: "why".into(),
                    condition: Box::new(other),
                },
            }),
        ]
    })
}

/// Top-level rules keep their comment in `ChoiceRule::comment`, never as `Commented`.
fn top_condition() -> impl Strategy<Value = Condition> {
    condition().prop_map(|c| match c {
        Condition::Commented { condition, .. } => *condition,
        other => other,
    })
}

fn kind(names: Vec<String>) -> impl Strategy<Value = StateKind> {
    let target = prop::sample::select(names);
    let transition = prop_oneof![
        Just(Transition::End),
        target
            .clone()
            .prop_map(|n| Transition::Next(StateName::from(n))),
    ];
    let result_path = prop::option::of(prop_oneof![
        Just(PathOrNull::Null),
        reference().prop_map(PathOrNull::Path),
    ]);
    let retrier = (
        1u64..5,
        0u64..4,
        prop::option::of(1.0f64..4.0),
        any::<bool>(),
    )
        .prop_map(|(interval, attempts, rate, full)| Retrier {
            error_equals: vec![ErrorName::from("Lambda.ServiceException")],
            comment: None,
            interval_seconds: Some(interval),
            max_attempts: Some(attempts),
            backoff_rate: rate.and_then(serde_json::Number::from_f64),
            max_delay_seconds: None,
            jitter_strategy: full.then_some(JitterStrategy::Full),
        });
    let catcher = (target.clone(), result_path.clone()).prop_map(|(next, result_path)| Catcher {
        error_equals: vec![ErrorName::from(ErrorName::ALL)],
        comment: None,
        result_path,
        next: StateName::from(next),
        assign: None,
        output: None,
    });
    prop_oneof![
        (
            prop::option::of(object_template()),
            prop::option::of(literal()),
            result_path.clone(),
            transition.clone()
        )
            .prop_map(
                |(parameters, result, result_path, transition)| StateKind::Pass(Pass {
                    parameters,
                    result,
                    result_path,
                    transition,
                })
            ),
        (
            prop::option::of(object_template()),
            result_path,
            prop::option::of(1u64..100).prop_map(|t| t.map(IntegerField::Value)),
            prop::collection::vec(retrier, 0..2),
            prop::collection::vec(catcher, 0..2),
            transition.clone()
        )
            .prop_map(
                |(parameters, result_path, timeout, retry, catch, transition)| {
                    StateKind::Task(Task {
                        resource: "arn:aws:lambda:us-east-1:1:function:f".into(),
                        parameters,
                        arguments: None,
                        result_selector: None,
                        result_path,
                        timeout,
                        heartbeat: None,
                        credentials: None,
                        retry,
                        catch,
                        transition,
                    })
                }
            ),
        (0u64..1000, reference(), any::<bool>(), transition).prop_map(
            |(seconds, path, literal, transition)| StateKind::Wait(Wait {
                wait_for: WaitFor::Seconds(if literal {
                    IntegerField::Value(seconds)
                } else {
                    IntegerField::Path(path)
                }),
                transition,
            })
        ),
        (
            prop::collection::vec((top_condition(), target.clone()), 1..3),
            prop::option::of(target)
        )
            .prop_map(|(rules, default)| StateKind::Choice(flowc_asl::Choice {
                choices: rules
                    .into_iter()
                    .map(|(condition, next)| ChoiceRule {
                        condition,
                        next: StateName::from(next),
                        comment: None,
                        assign: None,
                        output: None,
                    })
                    .collect(),
                default: default.map(StateName::from),
            })),
        Just(StateKind::Succeed),
        reference().prop_map(|path| StateKind::Fail(Fail {
            error: Some(TextField::Value("Oops".into())),
            cause: Some(TextField::Path(path)),
        })),
    ]
}

fn machine() -> impl Strategy<Value = StateMachine> {
    (1usize..6).prop_flat_map(|count| {
        let names: Vec<String> = (0..count).map(|i| format!("S{i}")).collect();
        let kinds = prop::collection::vec(kind(names.clone()), count);
        let paths = prop::collection::vec(
            (
                prop::option::of(json_path().prop_map(PathOrNull::Path)),
                prop::option::of(Just(PathOrNull::Null)),
            ),
            count,
        );
        (
            kinds,
            paths,
            prop::option::of("[a-z ]{0,10}"),
            prop::option::of(1u64..10_000),
        )
            .prop_map(move |(kinds, paths, comment, timeout_seconds)| {
                let mut states = IndexMap::new();
                for ((name, kind), (input_path, output_path)) in names.iter().zip(kinds).zip(paths)
                {
                    let is_fail = matches!(kind, StateKind::Fail(_));
                    let name = StateName::from(name.as_str());
                    states.insert(
                        name.clone(),
                        State {
                            name,
                            comment: None,
                            query_language: None,
                            // Fail states take no InputPath/OutputPath.
                            input_path: if is_fail { None } else { input_path },
                            output_path: if is_fail { None } else { output_path },
                            assign: None,
                            output: None,
                            kind,
                        },
                    );
                }
                StateMachine {
                    comment,
                    query_language: None,
                    start_at: StateName::from("S0"),
                    states,
                    timeout_seconds,
                    version: None,
                }
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 200,
        // Failures print their minimal input; no regression files inside the source tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn emitted_machines_load_back_equal(machine in machine()) {
        let text = emit(&machine);
        let loaded = load(&text, "generated").map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        prop_assert_eq!(&loaded.machine, &machine);
        prop_assert_eq!(emit(&loaded.machine), text);
    }

    #[test]
    fn load_never_panics_on_damaged_text(cut in 0usize..2000, byte in any::<u8>()) {
        let seed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/seed/tenant-provisioning.seed.asl.json"))
            .expect("seed is readable");
        let mut bytes = seed.into_bytes();
        if !bytes.is_empty() {
            let at = cut % bytes.len();
            bytes[at] = byte;
            bytes.truncate(at + (cut % 7) * 50);
        }
        let text = String::from_utf8_lossy(&bytes);
        let _ = load(&text, "damaged");
    }
}

/// JSON built from ASL's own vocabulary, so generated documents get deep into the decoder.
fn asl_like_value() -> impl Strategy<Value = Value> {
    const KEYS: [&str; 24] = [
        "Type",
        "Next",
        "End",
        "StartAt",
        "States",
        "Resource",
        "Parameters",
        "x.$",
        "ResultPath",
        "InputPath",
        "Choices",
        "Variable",
        "StringEquals",
        "And",
        "Not",
        "Retry",
        "Catch",
        "ErrorEquals",
        "Seconds",
        "Branches",
        "ItemProcessor",
        "QueryLanguage",
        "Output",
        "TimeoutSeconds",
    ];
    const STRINGS: [&str; 12] = [
        "Task",
        "Pass",
        "Choice",
        "Wait",
        "Map",
        "Parallel",
        "A",
        "$.a",
        "$$.Map.Item",
        "$[",
        "States.Format('{}', $.a)",
        "JSONata",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..100).prop_map(Value::from),
        Just(json!(1.5)),
        prop::sample::select(&STRINGS[..]).prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(&KEYS[..]), inner), 0..6).prop_map(
                |entries| {
                    Value::Object(
                        entries
                            .into_iter()
                            .map(|(key, value)| (key.to_string(), value))
                            .collect(),
                    )
                }
            ),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 500,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_asl_like_documents_load_or_fail_cleanly(
        states in prop::collection::vec(asl_like_value(), 1..4),
    ) {
        let mut map = serde_json::Map::new();
        for (index, state) in states.into_iter().enumerate() {
            map.insert(format!("S{index}"), state);
        }
        let document = json!({"StartAt": "S0", "States": map});
        let text = serde_json::to_string_pretty(&document).unwrap();
        match load(&text, "generated") {
            Ok(loaded) => {
                let again = load(&emit(&loaded.machine), "emitted").unwrap();
                prop_assert_eq!(again.machine, loaded.machine);
            }
            Err(errors) => {
                prop_assert!(!errors.errors().is_empty());
                for error in errors.errors() {
                    let span = error.span();
                    prop_assert!(span.offset() + span.len() <= text.len());
                }
            }
        }
    }
}
