//! Payload templates (Parameters, ResultSelector, ItemSelector): flowc-asl parses them; here they
//! become an evaluation tree (`.$` leaves keep their written key for AWS error texts) evaluated
//! against the state input and the context object.

use crate::query::{EvalError, Scope, not_found};
use flowc_asl::intrinsic::{IntrinsicCall, IntrinsicEvalError};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub enum Template {
    Literal(Value),
    Object(Vec<(String, Field)>),
    Array(Vec<Template>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Plain(Template),
    /// `"key.$": "$.path"`; `source` is the key as written, for error messages.
    Path {
        source: String,
        path: crate::jsonpath::Path,
    },
    Intrinsic {
        source: String,
        call: IntrinsicCall,
    },
}

impl Template {
    /// The model's template, with each `.$` entry keeping its written key for error messages.
    pub fn from_asl(t: &flowc_asl::Template) -> Self {
        match t {
            flowc_asl::Template::Literal(v) => Template::Literal(v.clone()),
            flowc_asl::Template::Array(items) => {
                Template::Array(items.iter().map(Template::from_asl).collect())
            }
            flowc_asl::Template::Object(entries) => Template::Object(
                entries
                    .iter()
                    .map(|e| {
                        let field = match &e.value {
                            flowc_asl::TemplateValue::Static(inner) => {
                                Field::Plain(Template::from_asl(inner))
                            }
                            flowc_asl::TemplateValue::Path(p) => Field::Path {
                                source: e.written_key(),
                                path: crate::jsonpath::Path::from_json_path(p),
                            },
                            flowc_asl::TemplateValue::Intrinsic(c) => Field::Intrinsic {
                                source: e.written_key(),
                                call: c.clone(),
                            },
                        };
                        (e.key.clone(), field)
                    })
                    .collect(),
            ),
        }
    }

    pub fn evaluate(&self, scope: &mut Scope<'_>) -> Result<Value, EvalError> {
        match self {
            Template::Literal(v) => Ok(v.clone()),
            Template::Array(items) => Ok(Value::Array(
                items
                    .iter()
                    .map(|t| t.evaluate(scope))
                    .collect::<Result<_, _>>()?,
            )),
            Template::Object(fields) => {
                let mut out = Map::with_capacity(fields.len());
                for (key, field) in fields {
                    let v = match field {
                        Field::Plain(t) => t.evaluate(scope)?,
                        Field::Path { source, path } => scope.select_for_field(path, source)?,
                        Field::Intrinsic { source, call } => call_intrinsic(call, scope, source)?,
                    };
                    out.insert(key.clone(), v);
                }
                Ok(Value::Object(out))
            }
        }
    }
}

/// A value computed from a path or an intrinsic call, as `ErrorPath` / `CausePath` allow.
#[derive(Debug, Clone, PartialEq)]
pub enum Dynamic {
    Path(crate::jsonpath::Path),
    Call(IntrinsicCall),
}

impl Dynamic {
    pub fn evaluate(&self, scope: &mut Scope<'_>, field: &str) -> Result<Value, EvalError> {
        match self {
            Dynamic::Path(p) => scope.select_for_field(p, field),
            Dynamic::Call(c) => call_intrinsic(c, scope, field),
        }
    }
}

/// Evaluates an intrinsic call with `asl::intrinsic`. A missing path argument gets AWS's
/// "could not be found" wording; other failures are States.Runtime too, as AWS reports
/// intrinsic processing errors (States.IntrinsicFailure is documented as reserved).
fn call_intrinsic(
    call: &IntrinsicCall,
    scope: &mut Scope<'_>,
    field: &str,
) -> Result<Value, EvalError> {
    call.evaluate(scope.input, scope.context, scope.rng)
        .map_err(|e| match e {
            IntrinsicEvalError::PathNotFound { path, .. } => not_found(&path, field, scope.input),
            IntrinsicEvalError::Failure { message, .. } => EvalError::Intrinsic(message),
        })
}
