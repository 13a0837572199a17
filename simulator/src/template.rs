//! Payload templates (Parameters, ResultSelector, ItemSelector): parsed once into a tree whose
//! `.$` leaves are pre-parsed paths or intrinsic calls, then evaluated against the state input
//! and the context object.

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
    pub fn parse(v: &Value) -> Result<Self, String> {
        Ok(match v {
            Value::Object(m) => {
                let mut fields = Vec::with_capacity(m.len());
                for (k, x) in m {
                    if let Some(key) = k.strip_suffix(".$") {
                        let text = x
                            .as_str()
                            .ok_or_else(|| format!("the value of '{k}' must be a path string"))?;
                        let field = if IntrinsicCall::looks_like_call(text) {
                            Field::Intrinsic {
                                source: k.clone(),
                                call: IntrinsicCall::parse(text).map_err(|e| e.to_string())?,
                            }
                        } else {
                            Field::Path {
                                source: k.clone(),
                                path: crate::jsonpath::Path::parse(text)?,
                            }
                        };
                        fields.push((key.to_string(), field));
                    } else {
                        fields.push((k.clone(), Field::Plain(Template::parse(x)?)));
                    }
                }
                Template::Object(fields)
            }
            Value::Array(a) => {
                Template::Array(a.iter().map(Template::parse).collect::<Result<_, _>>()?)
            }
            other => Template::Literal(other.clone()),
        })
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
                let mut out = Map::new();
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
    pub fn parse(text: &str) -> Result<Self, String> {
        if IntrinsicCall::looks_like_call(text) {
            IntrinsicCall::parse(text)
                .map(Dynamic::Call)
                .map_err(|e| e.to_string())
        } else {
            crate::jsonpath::Path::parse(text).map(Dynamic::Path)
        }
    }

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
