//! The expression layer against real AWS: every JSONPath and intrinsic call in the conformance
//! corpus (recorded on AWS Step Functions) parses, and every single-Pass-state case whose output
//! is just its Parameters evaluates to exactly what AWS returned.
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests: a panic is the failure report

use std::path::Path;

use flowc_asl::intrinsic::IntrinsicCall;
use flowc_asl::path::{JsonPath, ReferencePath};
use rand::SeedableRng as _;
use serde_json::{Map, Value, json};

/// The repository's conformance corpus (conformance/asl/cases), relative to this crate.
const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../conformance/asl/cases");

/// Fields whose value is a reference path or a path.
const PATH_FIELDS: [&str; 6] = [
    "InputPath",
    "OutputPath",
    "ItemsPath",
    "Variable",
    "SecondsPath",
    "TimestampPath",
];

fn cases() -> Vec<Value> {
    let dir = Path::new(CASES);
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| {
        panic!("the conformance corpus must be at {CASES} ({e}); it is not optional")
    });
    let mut out = Vec::new();
    for entry in entries {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let features = case["features"].as_array().cloned().unwrap_or_default();
            // JSONata and Variables use other expression languages.
            if !features.iter().any(|f| f == "jsonata" || f == "variables") {
                out.push(case);
            }
        }
    }
    assert!(
        out.len() > 250,
        "only {} JSONPath-mode cases found",
        out.len()
    );
    out
}

fn collect(value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(members) => {
            for (k, v) in members {
                if let Value::String(s) = v {
                    let is_path_field = k.ends_with(".$")
                        || PATH_FIELDS.contains(&k.as_str())
                        || k == "ResultPath"
                        || k.ends_with("Path");
                    if is_path_field && (s.starts_with('$') || s.starts_with("States.")) {
                        out.push((k.clone(), s.clone()));
                    }
                }
                collect(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
        _ => {}
    }
}

#[test]
fn every_expression_aws_ran_parses() {
    let mut expressions = Vec::new();
    for case in cases() {
        collect(&case["definition"], &mut expressions);
    }
    assert!(
        expressions.len() > 300,
        "only {} expressions",
        expressions.len()
    );
    for (field, text) in &expressions {
        if IntrinsicCall::looks_like_call(text) {
            IntrinsicCall::parse(text).unwrap_or_else(|e| panic!("{field}: {text}: {e}"));
        } else if field == "ResultPath"
            || PATH_FIELDS.contains(&field.as_str())
                && field != "InputPath"
                && field != "OutputPath"
        {
            ReferencePath::parse(text).unwrap_or_else(|e| panic!("{field}: {text}: {e}"));
        } else {
            JsonPath::parse(text).unwrap_or_else(|e| panic!("{field}: {text}: {e}"));
        }
    }
}

/// `{"a.$": expr, "b": literal}` evaluated as a Pass state's Parameters would be.
fn evaluate_parameters(parameters: &Map<String, Value>, input: &Value, context: &Value) -> Value {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    let mut out = Map::new();
    for (key, value) in parameters {
        match (key.strip_suffix(".$"), value) {
            (Some(name), Value::String(expr)) if IntrinsicCall::looks_like_call(expr) => {
                let call = IntrinsicCall::parse(expr).unwrap();
                let v = call.evaluate(input, context, &mut rng).unwrap();
                out.insert(name.to_string(), v);
            }
            (Some(name), Value::String(expr)) => {
                let path = JsonPath::parse(expr).unwrap();
                let root = if path.is_context() { context } else { input };
                out.insert(name.to_string(), path.select(root).unwrap());
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}

fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, a)| y.get(k).is_some_and(|b| json_equal(a, b)))
        }
        _ => a == b,
    }
}

#[test]
fn single_pass_state_cases_evaluate_exactly_as_aws_did() {
    let mut checked = 0;
    for case in cases() {
        let states = case["definition"]["States"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let [(_, state)] = states.iter().collect::<Vec<_>>()[..] else {
            continue;
        };
        let simple = state["Type"] == "Pass"
            && state.as_object().is_some_and(|s| {
                s.keys()
                    .all(|k| ["Type", "Parameters", "End", "Comment"].contains(&k.as_str()))
            });
        let Some(parameters) = state["Parameters"].as_object() else {
            continue;
        };
        if !simple || case["expected"]["status"] != "SUCCEEDED" {
            continue;
        }
        let input = &case["input"];
        let context = json!({"Execution": {"Input": input}});
        let actual = evaluate_parameters(parameters, input, &context);
        assert!(
            json_equal(&actual, &case["expected"]["output"]),
            "{}: got {actual}, AWS returned {}",
            case["id"],
            case["expected"]["output"]
        );
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} cases checked");
}
