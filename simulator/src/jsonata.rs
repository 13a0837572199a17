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

use crate::doc::{Doc, Node};
use crate::vars::Vars;
use flowc_asl::jsonata::{Environment, EvalErrorKind, Expression, VariablePath, Variables};
use flowc_asl::{JsonataString, JsonataValue};
use serde_json::{Map, Value};
use std::cell::{Cell, RefCell};
use std::fmt;

/// AWS's error for every failed JSONata evaluation.
pub(crate) const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";

/// The variables and `$states` a state's expressions are evaluated with.
///
/// Bound lazily: before each evaluation, the variables the expression reads
/// ([`Expression::binding_reads`]) that are not bound yet are copied into the engine's table,
/// and `$states` with the members read so far. A state's expressions read a few of the
/// workflow's variables and one or two members of `$states`; copying every visible variable
/// and converting the whole input, context and result for each state cost more than
/// evaluating (the JSONata tenant twin ran 30 times slower than its JSONPath original).
pub(crate) struct Bindings<'r> {
    vars: &'r Vars,
    input: Doc,
    context: &'r Value,
    /// `result` (a Task's, Parallel's or Map's) or `errorOutput` (in a catcher), once known.
    outcome: Option<(&'static str, Doc)>,
    env: Environment,
    /// Engine evaluations so far: each draws `$random()` / `$uuid()` from its own seed, so two
    /// fields of one state (an Assign and the Output) do not give the same number or UUID.
    evaluations: Cell<u64>,
    bound: RefCell<Bound>,
}

/// What is in the engine's table so far.
struct Bound {
    variables: Variables,
    /// The workflow variables' names looked up (bound when visible).
    names: Vec<String>,
    /// The members of `$states` bound ([`INPUT`], [`CONTEXT`], [`OUTCOME`]); `None`: not bound.
    states: Option<u8>,
}

const INPUT: u8 = 1;
const CONTEXT: u8 = 2;
const OUTCOME: u8 = 4;
const ALL: u8 = INPUT | CONTEXT | OUTCOME;

/// Where an expression sits in a state's field (`Output/results/dns`, `Arguments/items[2]`):
/// written out only when an error names it, since formatting it for every member of every
/// field cost more than evaluating most members.
enum Place<'a> {
    Field(&'a str),
    Index(&'a Place<'a>, usize),
    Key(&'a Place<'a>, &'a str),
}

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Field(field) => f.write_str(field),
            Place::Index(place, index) => write!(f, "{place}[{index}]"),
            Place::Key(place, key) => write!(f, "{place}/{key}"),
        }
    }
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

impl<'r> Bindings<'r> {
    /// Bindings for a state entered with `input` and `context`, reading `vars`.
    pub fn new(vars: &'r Vars, input: Doc, context: &'r Value, env: Environment) -> Self {
        Bindings {
            vars,
            input,
            context,
            outcome: None,
            env,
            evaluations: Cell::new(0),
            bound: RefCell::new(Bound {
                variables: Variables::new(),
                names: Vec::new(),
                states: None,
            }),
        }
    }

    /// `$states.result`, from when the state's task or branches have answered.
    pub fn set_result(&mut self, result: Doc) {
        self.outcome = Some(("result", result));
        self.bound.get_mut().states = None;
    }

    /// `$states.errorOutput`, in a catcher.
    pub fn set_error_output(&mut self, error_output: Doc) {
        self.outcome = Some(("errorOutput", error_output));
        self.bound.get_mut().states = None;
    }

    /// Binds what `expression` reads and is not bound yet.
    fn bind_reads(&self, expression: &Expression) {
        let reads = expression.binding_reads();
        let mut guard = self.bound.borrow_mut();
        let bound = &mut *guard;
        let mut states = None;
        let bind = |bound: &mut Bound, name: &str| {
            if !bound.names.iter().any(|n| n == name) {
                if let Some(value) = self.vars.get(name) {
                    bound.variables.set(name, value.clone());
                }
                bound.names.push(name.to_string());
            }
        };
        if reads.every {
            for (name, _) in self.vars.visible() {
                bind(bound, name);
            }
            states = Some(ALL);
        }
        for (name, fields) in &reads.names {
            if name == "states" {
                let members = fields.as_ref().map_or(ALL, |fields| self.members(fields));
                states = Some(states.unwrap_or(0) | members);
            } else {
                bind(bound, name);
            }
        }
        if let Some(needed) = states {
            let have = bound.states;
            if have.is_none_or(|have| have & needed != needed) {
                let members = have.unwrap_or(0) | needed;
                bound.variables.set("states", self.states(members));
                bound.states = Some(members);
            }
        }
    }

    /// The members of `$states` among `fields` (a name it does not hold needs none).
    fn members(&self, fields: &[String]) -> u8 {
        fields.iter().fold(0, |members, field| {
            members
                | match field.as_str() {
                    "input" => INPUT,
                    "context" => CONTEXT,
                    other
                        if self
                            .outcome
                            .as_ref()
                            .is_some_and(|(name, _)| *name == other) =>
                    {
                        OUTCOME
                    }
                    _ => 0,
                }
        })
    }

    /// `$states` with `members`, in AWS's order: input, context, then result or errorOutput.
    fn states(&self, members: u8) -> Value {
        let mut states = Map::new();
        if members & INPUT != 0 {
            states.insert("input".into(), self.input.to_value());
        }
        if members & CONTEXT != 0 {
            states.insert("context".into(), self.context.clone());
        }
        if let Some((name, value)) = &self.outcome
            && members & OUTCOME != 0
        {
            states.insert((*name).into(), value.to_value());
        }
        Value::Object(states)
    }

    /// The value of a field: its literal parts as written, each expression evaluated.
    pub fn value(&self, value: &JsonataValue, field: &str) -> Result<Value, QueryError> {
        self.value_at(value, &Place::Field(field))
    }

    fn value_at(&self, value: &JsonataValue, place: &Place<'_>) -> Result<Value, QueryError> {
        match value {
            JsonataValue::Literal(literal) => Ok(literal.clone()),
            JsonataValue::Expression(expression) => self.evaluate(expression, place),
            JsonataValue::Array(items) => items
                .iter()
                .enumerate()
                .map(|(index, item)| self.value_at(item, &Place::Index(place, index)))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            JsonataValue::Object(members) => members
                .iter()
                .map(|(key, item)| Ok((key.clone(), self.value_at(item, &Place::Key(place, key))?)))
                .collect::<Result<Map<_, _>, _>>()
                .map(Value::Object),
        }
    }

    /// One `{% %}` string's value.
    pub fn expression(&self, string: &JsonataString, field: &str) -> Result<Value, QueryError> {
        self.evaluate(string, &Place::Field(field))
    }

    fn evaluate(&self, string: &JsonataString, place: &Place<'_>) -> Result<Value, QueryError> {
        let error = |problem| QueryError {
            field: place.to_string(),
            expression: quoted(string),
            problem: Box::new(problem),
        };
        // Most fields only read a variable or `$states.input.x`: answered from the value held,
        // without binding it and converting it into and out of the engine.
        if let Some(value) = string
            .expression()
            .variable_path()
            .and_then(|path| self.read_path(path))
        {
            return Ok(value);
        }
        self.bind_reads(string.expression());
        let result = string.expression().evaluate(
            None,
            &self.bound.borrow().variables,
            &self.next_environment(),
        );
        match result {
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

    /// The environment of the next engine evaluation: the state's seed for the first, then one
    /// mixed with the evaluation's number (in field order, so runs stay deterministic).
    fn next_environment(&self) -> Environment {
        let count = self.evaluations.get();
        self.evaluations.set(count + 1);
        match count {
            0 => self.env,
            _ => Environment {
                seed: mix(self.env.seed, count),
                ..self.env
            },
        }
    }

    /// The value of an expression that only reads a variable or fields of one, as JSONata gives
    /// it when every step but the last reaches an object and the last field exists
    /// ([`VariablePath`]); `None` (the engine decides) otherwise, or when the variable is not
    /// visible here.
    fn read_path(&self, path: &VariablePath) -> Option<Value> {
        let walk = |node: Node<'_>, fields: &[String]| {
            fields
                .iter()
                .try_fold(node, |node, field| node.member(field))
                .map(|node| node.to_cow().into_owned())
        };
        if path.name != "states" {
            return walk(Node::Value(self.vars.get(&path.name)?), &path.fields);
        }
        let (member, fields) = path.fields.split_first()?;
        let doc = match (member.as_str(), &self.outcome) {
            ("input", _) => &self.input,
            ("context", _) => return walk(Node::Value(self.context), fields),
            (name, Some((outcome, doc))) if name == *outcome => doc,
            _ => return None,
        };
        walk(Node::Doc(doc), fields)
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

/// SplitMix64 of `seed` and `count`: well-spread seeds from consecutive counts.
pub(crate) fn mix(seed: u64, count: u64) -> u64 {
    let mut z = seed.wrapping_add(count.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars() -> Vars {
        Vars::default()
            .assign(vec![("total".into(), json!(5), 1)])
            .unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn context() -> Value {
        json!({"State": {"Name": "S"}})
    }

    fn bindings<'r>(vars: &'r Vars, context: &'r Value, input: Value) -> Bindings<'r> {
        Bindings::new(vars, Doc::from(input), context, Environment::new(0, 1))
    }

    fn value(text: Value) -> JsonataValue {
        JsonataValue::from_json("Output", &text).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn fields_read_states_and_variables() {
        let (vars, context) = (vars(), context());
        let b = bindings(&vars, &context, json!({"n": 2}));
        let out = b.value(
            &value(json!({"sum": "{% $states.input.n + $total %}", "name": "{% $states.context.State.Name %}", "lit": [1, "$x"]})),
            "Output",
        );
        assert_eq!(out, Ok(json!({"sum": 7, "name": "S", "lit": [1, "$x"]})));
    }

    #[test]
    fn nothing_anywhere_in_a_field_names_its_place() {
        let (vars, context) = (vars(), context());
        let b = bindings(&vars, &context, json!({}));
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
        let (vars, context) = (vars(), context());
        let mut b = bindings(&vars, &context, json!({}));
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
        b.set_result(Doc::from(json!(1)));
        b.set_error_output(Doc::from(json!({"Error": "E"})));
        let out = b.value(
            &value(json!(
                "{% [$exists($states.result), $states.errorOutput.Error] %}"
            )),
            "Output",
        );
        assert_eq!(out, Ok(json!([false, "E"])));
    }

    #[test]
    fn plain_reads_answered_without_the_engine_are_the_engines_answers() {
        let doc = json!({"a": {"b": [1]}, "c": [], "d": null, "e": [{"f": 1}, {"f": 2}],
            "g": "s", "h": {"i": {}}, "j": [[1, 2]]});
        let vars = Vars::default()
            .assign(vec![
                ("v".into(), doc.clone(), 1),
                ("w".into(), json!([{"a": 1}]), 1),
            ])
            .unwrap_or_else(|e| panic!("{e:?}"));
        let context = context();
        let mut b = bindings(&vars, &context, doc.clone());
        b.set_result(Doc::from(json!({"r": [7]})));
        // The engine with everything bound, as before the shortcut.
        let mut all = Variables::new();
        all.set("v", doc.clone());
        all.set("w", json!([{"a": 1}]));
        all.set(
            "states",
            json!({"input": doc, "context": context, "result": {"r": [7]}}),
        );
        let mut shortcut = 0;
        for text in [
            "$v",
            "$v.a",
            "$v.a.b",
            "$v.c",
            "$v.d",
            "$v.e",
            "$v.e.f",
            "$v.g",
            "$v.g.x",
            "$v.h",
            "$v.h.i",
            "$v.j",
            "$v.missing",
            "$w",
            "$w.a",
            "$nope",
            "$states.input",
            "$states.input.a.b",
            "$states.input.d.x",
            "$states.result",
            "$states.result.r",
            "$states.context.State.Name",
            "$states.errorOutput",
        ] {
            let expression = Expression::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let path = expression
                .variable_path()
                .unwrap_or_else(|| panic!("{text}"));
            let engine = expression
                .evaluate(None, &all, &Environment::new(0, 1))
                .unwrap_or_else(|e| panic!("{text}: {e}"));
            if let Some(fast) = b.read_path(path) {
                shortcut += 1;
                assert_eq!(Some(fast), engine, "{text}");
            }
        }
        // Not vacuous: the reads that reach a member are answered without the engine.
        assert_eq!(shortcut, 16);
    }

    #[test]
    fn each_field_draws_its_own_random_values_and_a_run_draws_them_again() {
        let (vars, context) = (vars(), context());
        let draw = || {
            bindings(&vars, &context, json!({}))
                .value(
                    &value(json!({"a": "{% $uuid() %}", "b": "{% $uuid() %}", "r": ["{% $random() %}", "{% $random() %}"]})),
                    "Output",
                )
                .unwrap()
        };
        let first = draw();
        assert_ne!(first["a"], first["b"]);
        assert_ne!(first["r"][0], first["r"][1]);
        assert_eq!(first, draw());
    }
}
