//! JSONata mode's side of the query-language seam (`crate::query` is JSONPath's): a state's
//! `{% %}` fields evaluated with AWS's semantics through `flowc_asl::jsonata`.
//!
//! - Every expression of a state sees the same bindings: the workflow variables as the state
//!   was entered and `$states` — `input` (the state's input), `context` (the context object),
//!   and once known `result` (a Task's, Parallel's or Map's result) or `errorOutput` (in a
//!   catcher: `{"Error", "Cause"}`).
//! - `$now()` / `$millis()` read the virtual clock and `$random()` / `$uuid()` draw from the
//!   run's seeded generator ([`flowc_asl::jsonata::Environment`]), so runs stay deterministic.
//! - An expression anywhere in a field (`Output`, `Output/list[1]`, `Assign/total`) that
//!   returns nothing fails the state with `States.QueryEvaluationError`, as does an expression
//!   that raises a JSONata error or reaches a bound; the cause names the expression and the
//!   field as AWS's does ([`QueryError::cause`]).

use crate::vars::Vars;
use flowc_asl::jsonata::{Environment, EvalErrorKind, Variables};
use flowc_asl::{JsonataString, JsonataValue};
use serde_json::{Map, Value};

/// AWS's error for every failed JSONata evaluation.
pub(crate) const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";

/// The variables and `$states` a state's expressions are evaluated with.
pub(crate) struct Bindings {
    variables: Variables,
    states: Map<String, Value>,
    env: Environment,
}

/// Why an expression of a field gave no value the state can use.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryError {
    /// The field, as AWS names it (`Output/result`, `Items[1]`, `Choices[0]/Condition`).
    pub field: String,
    /// The expression's text.
    pub expression: String,
    pub problem: Box<Problem>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// It returned nothing.
    Undefined,
    /// It raised a JSONata error (`code` empty for a bound of the evaluation).
    Failed { code: String, message: String },
    /// Its value is not what the field takes.
    Type {
        expected: &'static str,
        found: Value,
    },
}

impl QueryError {
    /// The cause of the `States.QueryEvaluationError`, after AWS's opening sentence.
    pub fn cause(&self, state: &str, entered: u64) -> String {
        let opening = format!(
            "An error occurred while executing the state '{state}' (entered at the event id #{entered}). The JSONata expression '{}' specified for the field '{}'",
            self.expression, self.field
        );
        match &*self.problem {
            Problem::Undefined => format!("{opening} returned nothing (undefined)."),
            // AWS ends the sentence with `. CODE: message` for JSONata's coded errors and with
            // `: message` for a bound's message, which has no code.
            Problem::Failed { code, message } if code.is_empty() => {
                format!("{opening} threw an error during evaluation: {message}")
            }
            Problem::Failed { code, message } => {
                format!("{opening} threw an error during evaluation. {code}: {message}")
            }
            Problem::Type { expected, found } => format!(
                "{opening} returned an unexpected data type: expected {expected}, got {}.",
                crate::json::to_text(found)
            ),
        }
    }
}

impl Bindings {
    /// Bindings for a state entered with `input` and `context`, reading `vars`.
    pub fn new(vars: &Vars, input: Value, context: Value, env: Environment) -> Self {
        let mut variables = Variables::new();
        for (name, value) in vars.visible() {
            variables.set(name, value.clone());
        }
        let mut states = Map::new();
        states.insert("input".into(), input);
        states.insert("context".into(), context);
        let mut bindings = Bindings {
            variables,
            states,
            env,
        };
        bindings.bind_states();
        bindings
    }

    fn bind_states(&mut self) {
        self.variables
            .set("states", Value::Object(self.states.clone()));
    }

    /// `$states.result`, from when the state's task or branches have answered.
    pub fn set_result(&mut self, result: Value) {
        self.states.insert("result".into(), result);
        self.bind_states();
    }

    /// `$states.errorOutput`, in a catcher.
    pub fn set_error_output(&mut self, error_output: Value) {
        self.states.shift_remove("result");
        self.states.insert("errorOutput".into(), error_output);
        self.bind_states();
    }

    /// The value of a field: its literal parts as written, each expression evaluated.
    pub fn value(&self, value: &JsonataValue, field: &str) -> Result<Value, QueryError> {
        match value {
            JsonataValue::Literal(literal) => Ok(literal.clone()),
            JsonataValue::Expression(expression) => self.expression(expression, field),
            JsonataValue::Array(items) => items
                .iter()
                .enumerate()
                .map(|(index, item)| self.value(item, &format!("{field}[{index}]")))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            JsonataValue::Object(members) => members
                .iter()
                .map(|(key, item)| Ok((key.clone(), self.value(item, &format!("{field}/{key}"))?)))
                .collect::<Result<Map<_, _>, _>>()
                .map(Value::Object),
        }
    }

    /// One `{% %}` string's value.
    pub fn expression(&self, string: &JsonataString, field: &str) -> Result<Value, QueryError> {
        let error = |problem| QueryError {
            field: field.to_string(),
            expression: quoted(string),
            problem: Box::new(problem),
        };
        match string
            .expression()
            .evaluate(None, &self.variables, &self.env)
        {
            Ok(Some(value)) => Ok(value),
            Ok(None) => Err(error(Problem::Undefined)),
            Err(e) => Err(error(Problem::Failed {
                code: match e.kind {
                    EvalErrorKind::Failed => e.code,
                    EvalErrorKind::Limit => String::new(),
                },
                message: e.message,
            })),
        }
    }

    /// A field that must be a boolean (a Choice rule's `Condition`).
    pub fn boolean(&self, string: &JsonataString, field: &str) -> Result<bool, QueryError> {
        match self.expression(string, field)? {
            Value::Bool(value) => Ok(value),
            found => Err(type_error(string, field, "a boolean", found)),
        }
    }
}

/// A value of the wrong kind for its field.
pub(crate) fn type_error(
    string: &JsonataString,
    field: &str,
    expected: &'static str,
    found: Value,
) -> QueryError {
    QueryError {
        field: field.to_string(),
        expression: quoted(string),
        problem: Box::new(Problem::Type { expected, found }),
    }
}

/// The expression as AWS quotes it: the text between `{%` and `%}` without the spaces around
/// it (`"{% $x %}"` is quoted `'$x'`).
fn quoted(string: &JsonataString) -> String {
    string.source().trim().to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bindings(input: Value) -> Bindings {
        let vars = Vars::default()
            .assign(vec![("total".into(), json!(5), 1)])
            .unwrap_or_else(|e| panic!("{e:?}"));
        Bindings::new(
            &vars,
            input,
            json!({"State": {"Name": "S"}}),
            Environment::new(0, 1),
        )
    }

    fn value(text: Value) -> JsonataValue {
        JsonataValue::from_json("Output", &text).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn fields_read_states_and_variables() {
        let b = bindings(json!({"n": 2}));
        let out = b.value(
            &value(json!({"sum": "{% $states.input.n + $total %}", "name": "{% $states.context.State.Name %}", "lit": [1, "$x"]})),
            "Output",
        );
        assert_eq!(out, Ok(json!({"sum": 7, "name": "S", "lit": [1, "$x"]})));
    }

    #[test]
    fn nothing_anywhere_in_a_field_names_its_place() {
        let b = bindings(json!({}));
        let error = b
            .value(&value(json!({"a": [1, "{% $nope %}"]})), "Output")
            .unwrap_err();
        assert_eq!(error.field, "Output/a[1]");
        assert_eq!(
            error.cause("S", 2),
            "An error occurred while executing the state 'S' (entered at the event id #2). The JSONata expression '$nope' specified for the field 'Output/a[1]' returned nothing (undefined)."
        );
    }

    #[test]
    fn errors_carry_jsonata_codes_and_results_replace_each_other() {
        let mut b = bindings(json!({}));
        let error = b
            .value(&value(json!("{% 1 + 'a' %}")), "Output")
            .unwrap_err();
        assert!(
            error
                .cause("S", 2)
                .contains("threw an error during evaluation. T2002: "),
            "{}",
            error.cause("S", 2)
        );
        b.set_result(json!(1));
        b.set_error_output(json!({"Error": "E"}));
        let out = b.value(
            &value(json!(
                "{% [$exists($states.result), $states.errorOutput.Error] %}"
            )),
            "Output",
        );
        assert_eq!(out, Ok(json!([false, "E"])));
    }
}
