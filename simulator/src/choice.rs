//! Choice rules: parsed once into a typed tree, evaluated against the state's effective input.
//! Every comparison operator lives here, including the `Is*` tests, the `*Path` forms (compare
//! against another node of the input) and timestamp comparisons.

use crate::jsonpath::Path;
use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};
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
}

/// A top-level rule: a condition and where it leads (`Next` is absent only in nested rules).
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceRule {
    pub condition: Condition,
    pub next: Option<String>,
}

const COMPARISONS: [(&str, Kind, Cmp); 16] = [
    ("StringEquals", Kind::String, Cmp::Equals),
    ("StringLessThan", Kind::String, Cmp::LessThan),
    ("StringGreaterThan", Kind::String, Cmp::GreaterThan),
    ("StringLessThanEquals", Kind::String, Cmp::LessThanEquals),
    (
        "StringGreaterThanEquals",
        Kind::String,
        Cmp::GreaterThanEquals,
    ),
    ("NumericEquals", Kind::Numeric, Cmp::Equals),
    ("NumericLessThan", Kind::Numeric, Cmp::LessThan),
    ("NumericGreaterThan", Kind::Numeric, Cmp::GreaterThan),
    ("NumericLessThanEquals", Kind::Numeric, Cmp::LessThanEquals),
    (
        "NumericGreaterThanEquals",
        Kind::Numeric,
        Cmp::GreaterThanEquals,
    ),
    ("BooleanEquals", Kind::Boolean, Cmp::Equals),
    ("TimestampEquals", Kind::Timestamp, Cmp::Equals),
    ("TimestampLessThan", Kind::Timestamp, Cmp::LessThan),
    ("TimestampGreaterThan", Kind::Timestamp, Cmp::GreaterThan),
    (
        "TimestampLessThanEquals",
        Kind::Timestamp,
        Cmp::LessThanEquals,
    ),
    (
        "TimestampGreaterThanEquals",
        Kind::Timestamp,
        Cmp::GreaterThanEquals,
    ),
];

const TESTS: [(&str, Test); 6] = [
    ("IsNull", Test::Null),
    ("IsPresent", Test::Present),
    ("IsNumeric", Test::Numeric),
    ("IsString", Test::String),
    ("IsBoolean", Test::Boolean),
    ("IsTimestamp", Test::Timestamp),
];

fn variable(m: &Map<String, Value>) -> Result<Path, String> {
    let v = m
        .get("Variable")
        .and_then(Value::as_str)
        .ok_or("a choice rule has no Variable")?;
    Path::parse(v)
}

/// Parses a rule object; `top` rules carry `Next`.
pub fn parse_rule(v: &Value, top: bool) -> Result<ChoiceRule, String> {
    let m = v.as_object().ok_or("a choice rule must be an object")?;
    let next = m.get("Next").and_then(Value::as_str).map(str::to_string);
    if top && next.is_none() {
        return Err("a top-level choice rule has no Next".into());
    }
    Ok(ChoiceRule {
        condition: parse_condition(m)?,
        next,
    })
}

fn parse_list(v: Option<&Value>, op: &str) -> Result<Vec<Condition>, String> {
    let list = v
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{op} must be an array of rules"))?;
    list.iter()
        .map(|r| {
            r.as_object()
                .ok_or_else(|| format!("{op} must hold objects"))
                .and_then(parse_condition)
        })
        .collect()
}

fn parse_condition(m: &Map<String, Value>) -> Result<Condition, String> {
    if m.contains_key("And") {
        return Ok(Condition::And(parse_list(m.get("And"), "And")?));
    }
    if m.contains_key("Or") {
        return Ok(Condition::Or(parse_list(m.get("Or"), "Or")?));
    }
    if let Some(n) = m.get("Not") {
        let inner = n.as_object().ok_or("Not must hold a rule")?;
        return Ok(Condition::Not(Box::new(parse_condition(inner)?)));
    }
    for (key, kind, cmp) in COMPARISONS.iter() {
        if let Some(x) = m.get(*key) {
            return Ok(Condition::Compare {
                variable: variable(m)?,
                kind: *kind,
                cmp: *cmp,
                operand: Operand::Literal(x.clone()),
            });
        }
        if let Some(x) = m.get(&format!("{key}Path")) {
            let p = x
                .as_str()
                .ok_or_else(|| format!("{key}Path must be a path"))?;
            return Ok(Condition::Compare {
                variable: variable(m)?,
                kind: *kind,
                cmp: *cmp,
                operand: Operand::Path(Path::parse(p)?),
            });
        }
    }
    if let Some(x) = m.get("StringMatches") {
        return Ok(Condition::Matches {
            variable: variable(m)?,
            pattern: x
                .as_str()
                .ok_or("StringMatches must be a string")?
                .to_string(),
        });
    }
    for (key, test) in TESTS {
        if let Some(x) = m.get(key) {
            return Ok(Condition::Test {
                variable: variable(m)?,
                test,
                expected: x
                    .as_bool()
                    .ok_or_else(|| format!("{key} must be true or false"))?,
            });
        }
    }
    Err("a choice rule has no known comparison operator".into())
}

/// AWS accepts RFC 3339 timestamps with an upper-case `T` and a zone (`Z` or an offset).
pub fn parse_timestamp(s: &str) -> Option<DateTime<FixedOffset>> {
    if !s.contains('T') {
        return None;
    }
    DateTime::parse_from_rfc3339(s).ok()
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

/// Glob matching for StringMatches: `*` matches any run of characters; `\*` and `\\` escape.
fn glob_match(pattern: &str, text: &str) -> bool {
    enum Tok {
        Star,
        Ch(char),
    }
    let mut toks = Vec::new();
    let mut it = pattern.chars();
    while let Some(c) = it.next() {
        match c {
            '\\' => toks.push(Tok::Ch(it.next().unwrap_or('\\'))),
            '*' => toks.push(Tok::Star),
            c => toks.push(Tok::Ch(c)),
        }
    }
    let t: Vec<char> = text.chars().collect();
    // Classic iterative wildcard match with backtracking to the last star.
    let (mut p, mut s) = (0usize, 0usize);
    let (mut star, mut mark) = (None, 0usize);
    while s < t.len() {
        match toks.get(p) {
            Some(Tok::Ch(c)) if t.get(s) == Some(c) => {
                p += 1;
                s += 1;
            }
            Some(Tok::Star) => {
                star = Some(p);
                mark = s;
                p += 1;
            }
            _ => match star {
                Some(sp) => {
                    p = sp + 1;
                    mark += 1;
                    s = mark;
                }
                None => return false,
            },
        }
    }
    while matches!(toks.get(p), Some(Tok::Star)) {
        p += 1;
    }
    p == toks.len()
}

/// Evaluation failures: a Variable (or `*Path` operand) that selects nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceError(pub String);

fn select(path: &Path, input: &Value, context: &Value) -> Option<Value> {
    let root = if path.is_context() { context } else { input };
    path.select(root).ok()
}

fn missing(path: &Path) -> ChoiceError {
    ChoiceError(format!(
        "Invalid path '{}': The choice state's condition path references an invalid value.",
        path.as_str()
    ))
}

impl Condition {
    pub fn evaluate(&self, input: &Value, context: &Value) -> Result<bool, ChoiceError> {
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
                    Operand::Literal(x) => x.clone(),
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
        let rule = parse_rule(&r, true).map_err(ChoiceError)?;
        rule.condition.evaluate(&input, &json!({}))
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
