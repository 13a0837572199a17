//! The values of a JSONata state's fields: JSON in which every `{% ... %}` string is a parsed
//! [`Expression`], at any depth of its arrays and objects (Arguments, Output, Assign, Items,
//! ItemSelector, a Choice rule's Condition, the number and timestamp fields, Error and Cause).
//!
//! The tree keeps what was written: an expression keeps its whole string (delimiters and the
//! whitespace around them), a subtree without expressions stays the JSON it was (numbers keep
//! their spelling), members keep their order. So emitting a loaded definition writes it back
//! byte for byte, and two values are equal when they were written the same.

use std::fmt;

use serde_json::Value;

use crate::jsonata::{Expression, SyntaxError, expression_text};

/// A `{% ... %}` string of a JSONata state: the string as written and its parsed expression.
#[derive(Clone)]
pub struct JsonataString {
    written: String,
    expression: Expression,
    /// Byte offset of the expression's text inside `written`.
    offset: usize,
}

impl JsonataString {
    /// Parses a `{% ... %}` string. `Ok(None)` when `written` is not one (a plain string).
    pub fn parse(written: &str) -> Result<Option<Self>, SyntaxError> {
        let Some((offset, source)) = expression_text(written) else {
            return Ok(None);
        };
        let expression = Expression::parse(source)?;
        Ok(Some(JsonataString {
            written: written.to_string(),
            expression,
            offset,
        }))
    }

    /// The string as written, with its `{%` `%}` delimiters.
    pub fn written(&self) -> &str {
        &self.written
    }

    pub fn expression(&self) -> &Expression {
        &self.expression
    }

    /// The expression's text, as AWS quotes it in error causes (`'$states.input.a'`).
    pub fn source(&self) -> &str {
        self.expression.source()
    }

    /// Byte offset of [`Self::source`] inside [`Self::written`].
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl PartialEq for JsonataString {
    fn eq(&self, other: &Self) -> bool {
        self.written == other.written
    }
}

impl fmt::Debug for JsonataString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("JsonataString").field(&self.written).finish()
    }
}

/// A field value of a JSONata state.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonataValue {
    /// JSON with no expression anywhere inside, as written.
    Literal(Value),
    /// A `{% ... %}` string.
    Expression(JsonataString),
    /// An array with an expression somewhere inside.
    Array(Vec<JsonataValue>),
    /// An object with an expression somewhere inside, members in written order.
    Object(Vec<(String, JsonataValue)>),
}

/// A `{% %}` string that does not parse, and where it is (the field path, `Output/result[0]`).
#[derive(Debug, Clone, PartialEq)]
pub struct ValueError {
    pub field: String,
    pub error: SyntaxError,
}

impl JsonataValue {
    /// Builds the value of `field` from its JSON, parsing every `{% %}` string. All syntax
    /// errors are returned, each with the path of the string that holds it.
    pub fn from_json(field: &str, value: &Value) -> Result<Self, Vec<ValueError>> {
        let mut errors = Vec::new();
        let built = build(field, value, &mut errors);
        if errors.is_empty() {
            Ok(built)
        } else {
            Err(errors)
        }
    }

    /// The JSON this value is written as.
    pub fn to_json(&self) -> Value {
        match self {
            JsonataValue::Literal(value) => value.clone(),
            JsonataValue::Expression(string) => Value::String(string.written.clone()),
            JsonataValue::Array(items) => {
                Value::Array(items.iter().map(JsonataValue::to_json).collect())
            }
            JsonataValue::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(key, value)| (key.clone(), value.to_json()))
                    .collect(),
            ),
        }
    }

    /// Every expression inside, depth first in written order, each with its field path below
    /// `field` (`Output/result`, `Items[1]`), as AWS names fields in its error causes.
    pub fn expressions(&self, field: &str) -> Vec<(String, &JsonataString)> {
        let mut out = Vec::new();
        self.collect(field.to_string(), &mut out);
        out
    }

    fn collect<'a>(&'a self, field: String, out: &mut Vec<(String, &'a JsonataString)>) {
        match self {
            JsonataValue::Literal(_) => {}
            JsonataValue::Expression(string) => out.push((field, string)),
            JsonataValue::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    item.collect(format!("{field}[{index}]"), out);
                }
            }
            JsonataValue::Object(members) => {
                for (key, value) in members {
                    value.collect(format!("{field}/{key}"), out);
                }
            }
        }
    }

    /// The value when it holds no expression.
    pub fn as_literal(&self) -> Option<&Value> {
        match self {
            JsonataValue::Literal(value) => Some(value),
            _ => None,
        }
    }
}

fn build(field: &str, value: &Value, errors: &mut Vec<ValueError>) -> JsonataValue {
    match value {
        Value::String(text) => match JsonataString::parse(text) {
            Ok(Some(string)) => JsonataValue::Expression(string),
            Ok(None) => JsonataValue::Literal(value.clone()),
            Err(error) => {
                errors.push(ValueError {
                    field: field.to_string(),
                    error,
                });
                JsonataValue::Literal(value.clone())
            }
        },
        Value::Array(items) if has_expression(value) => JsonataValue::Array(
            items
                .iter()
                .enumerate()
                .map(|(index, item)| build(&format!("{field}[{index}]"), item, errors))
                .collect(),
        ),
        Value::Object(members) if has_expression(value) => JsonataValue::Object(
            members
                .iter()
                .map(|(key, item)| (key.clone(), build(&format!("{field}/{key}"), item, errors)))
                .collect(),
        ),
        other => JsonataValue::Literal(other.clone()),
    }
}

/// Whether a `{% %}` string is anywhere inside `value` (iterative: values may nest deeply).
fn has_expression(value: &Value) -> bool {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::String(text) if expression_text(text).is_some() => return true,
            Value::Array(items) => stack.extend(items),
            Value::Object(members) => stack.extend(members.values()),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expressions_are_parsed_at_any_depth_and_literals_kept_whole() {
        let written = json!({"a": 1, "b": ["x", "{% $states.input.y %}"], "c": {"d": 2.0}});
        let value = JsonataValue::from_json("Output", &written).unwrap();
        let JsonataValue::Object(members) = &value else {
            panic!("{value:?}")
        };
        assert_eq!(members[0].1, JsonataValue::Literal(json!(1)));
        assert!(matches!(&members[1].1, JsonataValue::Array(_)));
        assert_eq!(members[2].1, JsonataValue::Literal(json!({"d": 2.0})));
        let fields: Vec<String> = value
            .expressions("Output")
            .into_iter()
            .map(|(f, s)| format!("{f}={}", s.source()))
            .collect();
        assert_eq!(fields, ["Output/b[1]= $states.input.y "]);
        assert_eq!(value.to_json(), written);
    }

    #[test]
    fn a_string_as_written_stays_byte_for_byte() {
        let written = json!("  {%$x%} ");
        let value = JsonataValue::from_json("Output", &written).unwrap();
        assert_eq!(value.to_json(), written);
        let JsonataValue::Expression(string) = value else {
            panic!()
        };
        assert_eq!((string.source(), string.offset()), ("$x", 4));
    }

    #[test]
    fn every_syntax_error_is_returned_with_its_field() {
        let written = json!({"a": "{% 1 + %}", "b": ["{% ( %}"], "c": "$not.an.expression"});
        let errors = JsonataValue::from_json("Arguments", &written).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["Arguments/a", "Arguments/b[0]"]);
    }
}
