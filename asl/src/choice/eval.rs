//! Evaluating Choice rules, as AWS does: a comparison whose sides are of another type than
//! its operator's is false (not an error); numbers compare by value (`0` equals `0.0`);
//! timestamps compare as instants; a Variable or `*Path` operand that selects nothing fails
//! the state (States.Runtime), except in `IsPresent`, where it is the answer, and the other
//! `Is*` tests, where it is false.

use super::{Comparison, Condition, OperandFamily, Operator};
use crate::choice::Operand;
use crate::path::ReferencePath;
use serde_json::Value;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

/// What a Choice rule reads: the node a Variable or a `*Path` operand names. A path may start
/// at the state input (`$`), the context object (`$$`) or a variable (`$name`); the caller
/// knows where those are and how its document is kept.
pub trait ChoiceInput {
    /// The node `path` names, or `None` when it selects nothing.
    fn select(&self, path: &ReferencePath) -> Option<Cow<'_, Value>>;
}

/// A document as a plain value: `$` paths read it; `$$` and variable paths select nothing.
impl ChoiceInput for Value {
    fn select(&self, path: &ReferencePath) -> Option<Cow<'_, Value>> {
        match path.root() {
            crate::path::PathRoot::Input => path.get(self).ok().map(Cow::Borrowed),
            _ => None,
        }
    }
}

/// Why a Choice rule could not be evaluated; AWS fails the state with States.Runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChoiceEvalError {
    /// A Variable or `*Path` operand selected nothing.
    Missing { path: String },
    /// A JSONata `Condition` reached JSONPath evaluation (the loader keeps them in JSONata
    /// states, whose engine evaluates them with its own bindings).
    Jsonata { source: String },
}

impl fmt::Display for ChoiceEvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // AWS's cause text.
            ChoiceEvalError::Missing { path } => write!(
                f,
                "Invalid path '{path}': The choice state's condition path references an invalid value."
            ),
            ChoiceEvalError::Jsonata { source } => {
                write!(f, "the JSONata Condition '{source}' is in a JSONPath state")
            }
        }
    }
}

impl std::error::Error for ChoiceEvalError {}

fn missing(path: &ReferencePath) -> ChoiceEvalError {
    ChoiceEvalError::Missing {
        path: path.as_str().to_string(),
    }
}

impl Condition {
    /// Whether the condition holds for the state input `input` reads (And / Or stop at the
    /// first operand that decides, as AWS does).
    pub fn evaluate(&self, input: &dyn ChoiceInput) -> Result<bool, ChoiceEvalError> {
        match self {
            Condition::And(list) => {
                for condition in list {
                    if !condition.evaluate(input)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Condition::Or(list) => {
                for condition in list {
                    if condition.evaluate(input)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Condition::Not(condition) => Ok(!condition.evaluate(input)?),
            Condition::Commented { condition, .. } => condition.evaluate(input),
            Condition::Compare(comparison) => comparison.evaluate(input),
            Condition::Jsonata(expression) => Err(ChoiceEvalError::Jsonata {
                source: expression.source().to_string(),
            }),
        }
    }
}

impl Comparison {
    /// Whether the comparison holds for the state input `input` reads.
    pub fn evaluate(&self, input: &dyn ChoiceInput) -> Result<bool, ChoiceEvalError> {
        let variable = input.select(&self.variable);
        if self.operator.family() == OperandFamily::Test {
            // The loader accepts only `true` / `false` after an `Is*` test.
            let expected = matches!(self.operand, Operand::Bool(true));
            return Ok(test(self.operator, variable.as_deref()) == expected);
        }
        let variable = variable.ok_or_else(|| missing(&self.variable))?;
        let Some(relation) = self.operator.relation() else {
            // StringMatches, the one comparison without an ordering; its pattern is a string.
            return Ok(match (&self.operand, variable.as_str()) {
                (Operand::String(pattern), Some(text)) => {
                    crate::glob::string_matches(pattern, text)
                }
                _ => false,
            });
        };
        let ordering = match &self.operand {
            Operand::Path(path) => {
                let other = input.select(path).ok_or_else(|| missing(path))?;
                compare_values(self.operator.family(), &variable, &other)
            }
            literal => compare_literal(&variable, literal),
        };
        Ok(ordering.is_some_and(|ordering| relation.holds(ordering)))
    }
}

/// An `Is*` test of the node the Variable selected (`None`: nothing).
fn test(operator: Operator, node: Option<&Value>) -> bool {
    let Some(node) = node else {
        return false;
    };
    match operator {
        Operator::IsPresent => true,
        Operator::IsNull => node.is_null(),
        Operator::IsNumeric => node.is_number(),
        Operator::IsString => node.is_string(),
        Operator::IsBoolean => node.is_boolean(),
        Operator::IsTimestamp => node.as_str().and_then(crate::parse_timestamp).is_some(),
        _ => false,
    }
}

/// Both sides read from the input (`*Path` operators); `None` when either is not of the
/// operator's type.
fn compare_values(family: OperandFamily, left: &Value, right: &Value) -> Option<Ordering> {
    match family {
        OperandFamily::String => Some(left.as_str()?.cmp(right.as_str()?)),
        OperandFamily::Number => numbers(left, right.as_number()?),
        OperandFamily::Bool => Some(left.as_bool()?.cmp(&right.as_bool()?)),
        OperandFamily::Timestamp => timestamps(left, right.as_str()?),
        OperandFamily::Test => None,
    }
}

/// The input's side against a literal operand (compared where it is, not made a value).
fn compare_literal(left: &Value, right: &Operand) -> Option<Ordering> {
    match right {
        Operand::String(s) => Some(left.as_str()?.cmp(s.as_str())),
        Operand::Number(n) => numbers(left, n),
        Operand::Bool(b) => Some(left.as_bool()?.cmp(b)),
        Operand::Timestamp(t) => timestamps(left, t),
        Operand::Path(_) => None,
    }
}

fn numbers(left: &Value, right: &serde_json::Number) -> Option<Ordering> {
    left.as_f64()?.partial_cmp(&right.as_f64()?)
}

fn timestamps(left: &Value, right: &str) -> Option<Ordering> {
    let left = crate::parse_timestamp(left.as_str()?)?;
    Some(left.cmp(&crate::parse_timestamp(right)?))
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `rule` (a Choice rule's JSON, without Next) against `input`, through the loader.
    fn holds(rule: Value, input: Value) -> Result<bool, ChoiceEvalError> {
        let mut rule = rule;
        rule["Next"] = json!("X");
        let machine = crate::load_value(&json!({"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [rule]}, "X": {"Type": "Succeed"}}}))
        .unwrap_or_else(|e| panic!("{e:?}"));
        let crate::StateKind::Choice(choice) = &machine.states["C"].kind else {
            panic!("C is a Choice")
        };
        choice.choices[0].condition.evaluate(&input)
    }

    #[test]
    fn numeric_equals_treats_zero_and_zero_point_zero_alike() {
        let rule = json!({"Variable": "$.v", "NumericEquals": 0});
        assert_eq!(holds(rule, json!({"v": 0.0})), Ok(true));
    }

    #[test]
    fn type_mismatch_is_false_not_an_error() {
        let rule = json!({"Variable": "$.v", "StringEquals": "1"});
        assert_eq!(holds(rule, json!({"v": 1})), Ok(false));
        let rule = json!({"Variable": "$.v", "BooleanEquals": true});
        assert_eq!(holds(rule, json!({"v": 1})), Ok(false));
        let rule = json!({"Variable": "$.a", "NumericEqualsPath": "$.b"});
        assert_eq!(holds(rule, json!({"a": 1, "b": "1"})), Ok(false));
    }

    #[test]
    fn every_relation_of_every_family() {
        let cases = [
            ("StringLessThan", json!("a"), json!("b"), true),
            ("StringGreaterThanEquals", json!("b"), json!("b"), true),
            ("StringGreaterThan", json!("a"), json!("b"), false),
            ("NumericLessThanEquals", json!(2), json!(2.0), true),
            ("NumericGreaterThan", json!(2.5), json!(2), true),
            ("NumericLessThan", json!(3), json!(2), false),
            ("BooleanEquals", json!(false), json!(false), true),
            (
                "TimestampGreaterThan",
                json!("2020-01-01T00:00:01Z"),
                json!("2020-01-01T00:00:00Z"),
                true,
            ),
            (
                "TimestampEquals",
                json!("2020-01-01T01:00:00+01:00"),
                json!("2020-01-01T00:00:00Z"),
                true,
            ),
        ];
        for (operator, left, right, expected) in cases {
            let rule = json!({"Variable": "$.a", operator: right.clone()});
            assert_eq!(
                holds(rule, json!({"a": left.clone()})),
                Ok(expected),
                "{operator}"
            );
            let rule = json!({"Variable": "$.a", format!("{operator}Path"): "$.b"});
            let input = json!({"a": left, "b": right});
            assert_eq!(holds(rule, input), Ok(expected), "{operator}Path");
        }
    }

    #[test]
    fn is_tests_and_presence() {
        let rule = json!({"Variable": "$.v", "IsNull": true});
        assert_eq!(holds(rule, json!({"v": null})), Ok(true));
        let rule = json!({"Variable": "$.v", "IsPresent": false});
        assert_eq!(holds(rule, json!({})), Ok(true));
        let rule = json!({"Variable": "$.v", "IsNumeric": true});
        assert_eq!(holds(rule, json!({})), Ok(false));
        let rule = json!({"Variable": "$.v", "IsNumeric": false});
        assert_eq!(holds(rule, json!({})), Ok(true));
        let rule = json!({"Variable": "$.v", "IsTimestamp": true});
        assert_eq!(
            holds(rule.clone(), json!({"v": "2012-10-09T19:00:55"})),
            Ok(false)
        );
        assert_eq!(holds(rule, json!({"v": "2012-10-09T19:00:55Z"})), Ok(true));
    }

    #[test]
    fn string_matches_globs_with_escapes() {
        let rule = json!({"Variable": "$.v", "StringMatches": "log-*.txt"});
        assert_eq!(holds(rule.clone(), json!({"v": "log-2024.txt"})), Ok(true));
        assert_eq!(holds(rule.clone(), json!({"v": "log-2024.csv"})), Ok(false));
        assert_eq!(holds(rule, json!({"v": 3})), Ok(false));
        let rule = json!({"Variable": "$.v", "StringMatches": "a\\*b"});
        assert_eq!(holds(rule.clone(), json!({"v": "a*b"})), Ok(true));
        assert_eq!(holds(rule, json!({"v": "axb"})), Ok(false));
    }

    #[test]
    fn a_missing_variable_or_operand_path_is_an_error_naming_the_path() {
        let rule = json!({"Variable": "$.nope", "StringEquals": "x"});
        let error = holds(rule, json!({})).expect_err("nothing at $.nope");
        assert_eq!(
            error.to_string(),
            "Invalid path '$.nope': The choice state's condition path references an invalid value."
        );
        let rule = json!({"Variable": "$.a", "StringEqualsPath": "$.b"});
        let error = holds(rule, json!({"a": "x"})).expect_err("nothing at $.b");
        assert_eq!(error, ChoiceEvalError::Missing { path: "$.b".into() });
    }

    #[test]
    fn and_or_not_compose_and_stop_early() {
        let rule = json!({"And": [{"Variable": "$.a", "NumericGreaterThan": 1},
                                  {"Not": {"Variable": "$.b", "StringEquals": "x"}}]});
        assert_eq!(holds(rule.clone(), json!({"a": 2, "b": "y"})), Ok(true));
        assert_eq!(holds(rule.clone(), json!({"a": 2, "b": "x"})), Ok(false));
        // The first operand decides: the missing $.b is never read.
        assert_eq!(holds(rule, json!({"a": 0})), Ok(false));
        let rule = json!({"Or": [{"Variable": "$.a", "IsPresent": true},
                                 {"Variable": "$.nope", "StringEquals": "x"}]});
        assert_eq!(holds(rule, json!({"a": 0})), Ok(true));
    }

    #[test]
    fn a_plain_value_input_reads_only_dollar_paths() {
        let rule = json!({"Variable": "$$.Execution.Id", "IsPresent": true});
        assert_eq!(holds(rule, json!({"Execution": {"Id": 1}})), Ok(false));
    }
}
