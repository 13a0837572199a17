//! Choice rules: parsed once into a typed tree, evaluated against the state's effective input.
//! Every comparison operator lives here, including the `Is*` tests, the `*Path` forms (compare
//! against another node of the input) and timestamp comparisons.

use crate::doc::Doc;
use crate::jsonpath::Path;
use crate::query::Roots;
use chrono::{DateTime, FixedOffset};
use flowc_asl as asl;
use serde_json::Value;
use std::borrow::Cow;
use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Numeric,
    Boolean,
    Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Equals,
    LessThan,
    GreaterThan,
    LessThanEquals,
    GreaterThanEquals,
}

/// The `Is*` operators (named without the prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Test {
    Null,
    Present,
    Numeric,
    String,
    Boolean,
    Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Literal(Value),
    Path(Path),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    Compare {
        variable: Path,
        kind: Kind,
        cmp: Cmp,
        operand: Operand,
    },
    Matches {
        variable: Path,
        pattern: String,
    },
    Test {
        variable: Path,
        test: Test,
        expected: bool,
    },
    /// A JSONata state's `Condition`, which the engine evaluates with the state's bindings
    /// (`crate::jsonata`).
    Jsonata(asl::JsonataString),
}

/// A top-level rule: a condition and where it leads (`Next` is absent only in nested rules),
/// with what it assigns and (JSONata) outputs when it matches.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceRule {
    pub condition: Condition,
    pub next: Option<crate::program::NextState>,
    pub assign: Option<crate::program::AssignDef>,
    pub output: Option<asl::JsonataValue>,
}

fn kind_of(family: asl::OperandFamily) -> Option<Kind> {
    match family {
        asl::OperandFamily::String => Some(Kind::String),
        asl::OperandFamily::Number => Some(Kind::Numeric),
        asl::OperandFamily::Bool => Some(Kind::Boolean),
        asl::OperandFamily::Timestamp => Some(Kind::Timestamp),
        asl::OperandFamily::Test => None,
    }
}

fn cmp_of(op: asl::Operator) -> Cmp {
    let name = op.name();
    if name.ends_with("LessThanEquals") {
        Cmp::LessThanEquals
    } else if name.ends_with("GreaterThanEquals") {
        Cmp::GreaterThanEquals
    } else if name.ends_with("LessThan") {
        Cmp::LessThan
    } else if name.ends_with("GreaterThan") {
        Cmp::GreaterThan
    } else {
        Cmp::Equals
    }
}

fn test_of(op: asl::Operator) -> Option<Test> {
    Some(match op {
        asl::Operator::IsNull => Test::Null,
        asl::Operator::IsPresent => Test::Present,
        asl::Operator::IsNumeric => Test::Numeric,
        asl::Operator::IsString => Test::String,
        asl::Operator::IsBoolean => Test::Boolean,
        asl::Operator::IsTimestamp => Test::Timestamp,
        _ => return None,
    })
}

fn literal(operand: &asl::Operand) -> Result<Operand, String> {
    Ok(match operand {
        asl::Operand::String(s) | asl::Operand::Timestamp(s) => {
            Operand::Literal(Value::String(s.clone()))
        }
        asl::Operand::Number(n) => Operand::Literal(Value::Number(n.clone())),
        asl::Operand::Bool(b) => Operand::Literal(Value::Bool(*b)),
        asl::Operand::Path(p) => Operand::Path(Path::from_reference(p).map_err(|e| e.to_string())?),
    })
}

fn convert_condition(c: &asl::Condition) -> Result<Condition, String> {
    Ok(match c {
        asl::Condition::And(list) => Condition::And(
            list.iter()
                .map(convert_condition)
                .collect::<Result<_, _>>()?,
        ),
        asl::Condition::Or(list) => Condition::Or(
            list.iter()
                .map(convert_condition)
                .collect::<Result<_, _>>()?,
        ),
        asl::Condition::Not(inner) => Condition::Not(Box::new(convert_condition(inner)?)),
        asl::Condition::Commented { condition, .. } => convert_condition(condition)?,
        asl::Condition::Jsonata(expression) => Condition::Jsonata(expression.clone()),
        asl::Condition::Compare(cmp) => {
            let variable = Path::from_reference(&cmp.variable).map_err(|e| e.to_string())?;
            if let Some(test) = test_of(cmp.operator) {
                let asl::Operand::Bool(expected) = cmp.operand else {
                    return Err(format!("{} needs true or false", cmp.operator.name()));
                };
                Condition::Test {
                    variable,
                    test,
                    expected,
                }
            } else if cmp.operator == asl::Operator::StringMatches {
                let asl::Operand::String(pattern) = &cmp.operand else {
                    return Err("StringMatches needs a string".into());
                };
                Condition::Matches {
                    variable,
                    pattern: pattern.clone(),
                }
            } else {
                let kind = kind_of(cmp.operator.family()).ok_or("unknown operator family")?;
                Condition::Compare {
                    variable,
                    kind,
                    cmp: cmp_of(cmp.operator),
                    operand: literal(&cmp.operand)?,
                }
            }
        }
    })
}

/// Converts a rule of the loaded model.
pub fn convert_rule(rule: &asl::ChoiceRule) -> Result<ChoiceRule, String> {
    Ok(ChoiceRule {
        condition: convert_condition(&rule.condition)?,
        next: Some(crate::program::NextState::named(rule.next.as_str())),
        assign: rule
            .assign
            .as_ref()
            .map(crate::program::AssignDef::from_asl),
        output: rule.output.clone(),
    })
}

/// ASL timestamps (flowc-asl's one parser).
pub fn parse_timestamp(s: &str) -> Option<DateTime<FixedOffset>> {
    asl::parse_timestamp(s)
}

fn ordering(kind: Kind, a: &Value, b: &Value) -> Option<Ordering> {
    match kind {
        Kind::String => Some(a.as_str()?.cmp(b.as_str()?)),
        Kind::Numeric => {
            if a.is_number() && b.is_number() {
                a.as_f64()?.partial_cmp(&b.as_f64()?)
            } else {
                None
            }
        }
        Kind::Boolean => Some(a.as_bool()?.cmp(&b.as_bool()?)),
        Kind::Timestamp => Some(parse_timestamp(a.as_str()?)?.cmp(&parse_timestamp(b.as_str()?)?)),
    }
}

/// Glob matching for StringMatches: flowc-asl's one matcher (linear in pattern and text).
fn glob_match(pattern: &str, text: &str) -> bool {
    asl::glob::string_matches(pattern, text)
}

/// Evaluation failures: a Variable (or `*Path` operand) that selects nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceError(pub String);

fn select<'v>(path: &Path, input: &'v Doc, roots: &'v Roots) -> Option<Cow<'v, Value>> {
    crate::query::select_value(path, input, roots).ok()
}

fn missing(path: &Path) -> ChoiceError {
    ChoiceError(format!(
        "Invalid path '{}': The choice state's condition path references an invalid value.",
        path.as_str()
    ))
}

impl Condition {
    pub fn evaluate(&self, input: &Doc, context: &Roots) -> Result<bool, ChoiceError> {
        match self {
            Condition::And(list) => {
                for c in list {
                    if !c.evaluate(input, context)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Condition::Or(list) => {
                for c in list {
                    if c.evaluate(input, context)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Condition::Not(c) => Ok(!c.evaluate(input, context)?),
            Condition::Test {
                variable,
                test,
                expected,
            } => {
                let v = select(variable, input, context);
                let holds = match (test, &v) {
                    (Test::Present, v) => v.is_some(),
                    (_, None) => false,
                    (Test::Null, Some(v)) => v.is_null(),
                    (Test::Numeric, Some(v)) => v.is_number(),
                    (Test::String, Some(v)) => v.is_string(),
                    (Test::Boolean, Some(v)) => v.is_boolean(),
                    (Test::Timestamp, Some(v)) => v.as_str().and_then(parse_timestamp).is_some(),
                };
                Ok(holds == *expected)
            }
            Condition::Matches { variable, pattern } => {
                let v = select(variable, input, context).ok_or_else(|| missing(variable))?;
                Ok(v.as_str().is_some_and(|s| glob_match(pattern, s)))
            }
            Condition::Compare {
                variable,
                kind,
                cmp,
                operand,
            } => {
                let v = select(variable, input, context).ok_or_else(|| missing(variable))?;
                let other = match operand {
                    Operand::Literal(x) => Cow::Borrowed(x),
                    Operand::Path(p) => select(p, input, context).ok_or_else(|| missing(p))?,
                };
                let Some(ord) = ordering(*kind, &v, &other) else {
                    return Ok(false);
                };
                Ok(match cmp {
                    Cmp::Equals => ord == Ordering::Equal,
                    Cmp::LessThan => ord == Ordering::Less,
                    Cmp::GreaterThan => ord == Ordering::Greater,
                    Cmp::LessThanEquals => ord != Ordering::Greater,
                    Cmp::GreaterThanEquals => ord != Ordering::Less,
                })
            }
            // The loader puts JSONata Conditions only in JSONata states, which the engine
            // evaluates with their bindings, never here.
            Condition::Jsonata(expression) => Err(ChoiceError(format!(
                "the JSONata Condition '{}' is in a JSONPath state",
                expression.source()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn holds(rule: Value, input: Value) -> Result<bool, ChoiceError> {
        let mut r = rule;
        r["Next"] = json!("X");
        let def = json!({"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [r]}, "X": {"Type": "Succeed"}}});
        let program =
            crate::program::Program::load(&def).map_err(|e| ChoiceError(e.to_string()))?;
        let Some(crate::program::StateKind::Choice { choices, .. }) =
            program.states.get("C").map(|s| &s.kind)
        else {
            return Err(ChoiceError("no choice state".into()));
        };
        let rule = choices
            .first()
            .ok_or_else(|| ChoiceError("no rule".into()))?;
        rule.condition.evaluate(
            &Doc::from(input),
            &Roots::new(json!({}), Default::default()),
        )
    }

    #[test]
    fn numeric_equals_treats_zero_and_zero_point_zero_alike() {
        assert_eq!(
            holds(
                json!({"Variable": "$.v", "NumericEquals": 0}),
                json!({"v": 0.0})
            ),
            Ok(true)
        );
    }

    #[test]
    fn type_mismatch_is_false_not_an_error() {
        assert_eq!(
            holds(
                json!({"Variable": "$.v", "StringEquals": "1"}),
                json!({"v": 1})
            ),
            Ok(false)
        );
        assert_eq!(
            holds(
                json!({"Variable": "$.v", "BooleanEquals": true}),
                json!({"v": 1})
            ),
            Ok(false)
        );
    }

    #[test]
    fn is_tests_and_presence() {
        assert_eq!(
            holds(
                json!({"Variable": "$.v", "IsNull": true}),
                json!({"v": null})
            ),
            Ok(true)
        );
        assert_eq!(
            holds(json!({"Variable": "$.v", "IsPresent": false}), json!({})),
            Ok(true)
        );
        assert_eq!(
            holds(json!({"Variable": "$.v", "IsNumeric": true}), json!({})),
            Ok(false)
        );
        assert_eq!(
            holds(
                json!({"Variable": "$.v", "IsTimestamp": true}),
                json!({"v": "2012-10-09T19:00:55"})
            ),
            Ok(false)
        );
        assert_eq!(
            holds(
                json!({"Variable": "$.v", "IsTimestamp": true}),
                json!({"v": "2012-10-09T19:00:55Z"})
            ),
            Ok(true)
        );
    }

    #[test]
    fn timestamps_compare_as_instants_and_paths_compare_nodes() {
        assert_eq!(
            holds(
                json!({"Variable": "$.a", "TimestampLessThanPath": "$.b"}),
                json!({"a": "2020-01-01T01:00:00+02:00", "b": "2020-01-01T00:00:00Z"})
            ),
            Ok(true)
        );
    }

    #[test]
    fn string_matches_globs_with_escapes() {
        assert!(glob_match("log-*.txt", "log-2024.txt"));
        assert!(!glob_match("log-*.txt", "log-2024.csv"));
        assert!(glob_match("a\\*b", "a*b"));
        assert!(!glob_match("a\\*b", "axb"));
    }

    #[test]
    fn missing_variable_is_an_error_naming_the_path() {
        let e = holds(
            json!({"Variable": "$.nope", "StringEquals": "x"}),
            json!({}),
        );
        assert!(matches!(e, Err(ChoiceError(m)) if m.contains("$.nope")));
    }

    #[test]
    fn and_or_not_compose() {
        let r = json!({"And": [{"Variable": "$.a", "NumericGreaterThan": 1},
                               {"Not": {"Variable": "$.b", "StringEquals": "x"}}]});
        assert_eq!(holds(r.clone(), json!({"a": 2, "b": "y"})), Ok(true));
        assert_eq!(holds(r, json!({"a": 2, "b": "x"})), Ok(false));
    }
}
