//! Payload templates (Parameters, ResultSelector, ItemSelector): flowc-asl parses them; here they
//! become an evaluation tree (`.$` leaves keep their written key for AWS error texts) evaluated
//! against the state input and the context object.

use crate::doc::{Doc, Members, Node};
use crate::json::{to_text, write_value};
use crate::query::{EvalError, Scope, not_found};
use flowc_asl::intrinsic::{IntrinsicCall, IntrinsicEvalError};
use serde_json::{Map, Value};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub enum Template {
    /// A static value (shared with every document it is put in), with its JSON text made once.
    Literal {
        value: Arc<Value>,
        text: String,
    },
    Object {
        members: Vec<Member>,
        /// No key is written twice (`"a"` beside `"a.$"`); when one is, the later value
        /// replaces the earlier in place, which only building the object shows.
        unique_keys: bool,
    },
    Array(Vec<Template>),
}

/// One member of an object template.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    /// The key as a document's member name.
    key_shared: Arc<str>,
    /// What [`Template::evaluate_text`] writes of this member before any value it computes:
    /// the comma (after the first member) and `"key":`, and a static value's text too, made
    /// once so each evaluation copies one string per member.
    lead: String,
    pub field: Field,
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
            flowc_asl::Template::Literal(v) => Template::Literal {
                value: Arc::new(v.clone()),
                text: to_text(v),
            },
            flowc_asl::Template::Array(items) => {
                Template::Array(items.iter().map(Template::from_asl).collect())
            }
            flowc_asl::Template::Object(entries) => {
                let members: Vec<Member> = entries
                    .iter()
                    .enumerate()
                    .map(|(i, e)| {
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
                        let mut lead = String::from(if i > 0 { "," } else { "" });
                        lead.push_str(&to_text(&Value::String(e.key.clone())));
                        lead.push(':');
                        if let Field::Plain(Template::Literal { text, .. }) = &field {
                            lead.push_str(text);
                        }
                        Member {
                            key: e.key.clone(),
                            key_shared: Arc::from(e.key.as_str()),
                            lead,
                            field,
                        }
                    })
                    .collect();
                let unique_keys = members
                    .iter()
                    .enumerate()
                    .all(|(i, m)| members.iter().skip(i + 1).all(|o| o.key != m.key));
                Template::Object {
                    members,
                    unique_keys,
                }
            }
        }
    }

    pub fn evaluate(&self, scope: &mut Scope<'_>) -> Result<Value, EvalError> {
        match self {
            Template::Literal { value, .. } => Ok(Value::clone(value)),
            Template::Array(items) => Ok(Value::Array(
                items
                    .iter()
                    .map(|t| t.evaluate(scope))
                    .collect::<Result<_, _>>()?,
            )),
            Template::Object { members, .. } => {
                let mut out = Map::with_capacity(members.len());
                for m in members {
                    let v = match &m.field {
                        Field::Plain(t) => t.evaluate(scope)?,
                        Field::Path { source, path } => scope.select_for_field(path, source)?,
                        Field::Intrinsic { source, call } => call_intrinsic(call, scope, source)?,
                    };
                    out.insert(m.key.clone(), v);
                }
                Ok(Value::Object(out))
            }
        }
    }

    /// Whether a `.$` field anywhere in the template selects the whole input (`"$"`).
    pub fn reads_whole_input(&self) -> bool {
        match self {
            Template::Literal { .. } => false,
            Template::Array(items) => items.iter().any(Template::reads_whole_input),
            Template::Object { members, .. } => members.iter().any(|m| match &m.field {
                Field::Plain(t) => t.reads_whole_input(),
                Field::Path { path, .. } => path.input_names().is_some_and(<[_]>::is_empty),
                Field::Intrinsic { .. } => false,
            }),
        }
    }

    /// [`Self::evaluate`]'s value as a document: static parts and selected nodes are shared,
    /// not copied, and an object is built as the engine's own (no hashing of its keys).
    pub fn evaluate_doc(&self, scope: &mut Scope<'_>) -> Result<Doc, EvalError> {
        match self {
            Template::Literal { value, .. } => Ok(Doc::Value(value.clone())),
            Template::Array(items) => Ok(Doc::Array(Arc::new(
                items
                    .iter()
                    .map(|t| t.evaluate_doc(scope))
                    .collect::<Result<_, _>>()?,
            ))),
            Template::Object {
                unique_keys: false, ..
            } => self.evaluate(scope).map(Doc::from),
            Template::Object { members, .. } => {
                let mut out = Members::with_capacity(members.len());
                for m in members {
                    let v = match &m.field {
                        Field::Plain(t) => t.evaluate_doc(scope)?,
                        Field::Path { source, path } => scope.select_for_field_doc(path, source)?,
                        Field::Intrinsic { source, call } => {
                            Doc::from(call_intrinsic(call, scope, source)?)
                        }
                    };
                    out.push(m.key_shared.clone(), v);
                }
                Ok(Doc::Object(Arc::new(out)))
            }
        }
    }

    /// The JSON text of [`Self::evaluate`]'s value, written straight from the template (static
    /// parts as made at load, selected values borrowed), for when only the text is needed:
    /// the same bytes and the same errors, without building the value.
    pub fn evaluate_text(&self, scope: &mut Scope<'_>, out: &mut String) -> Result<(), EvalError> {
        match self {
            Template::Literal { text, .. } => out.push_str(text),
            Template::Array(items) => {
                out.push('[');
                for (i, t) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    t.evaluate_text(scope, out)?;
                }
                out.push(']');
            }
            Template::Object {
                unique_keys: false, ..
            } => write_value(out, &self.evaluate(scope)?),
            Template::Object { members, .. } => {
                out.push('{');
                for m in members {
                    out.push_str(&m.lead);
                    match &m.field {
                        // Written with the lead.
                        Field::Plain(Template::Literal { .. }) => {}
                        Field::Plain(t) => t.evaluate_text(scope, out)?,
                        Field::Path { source, path } => {
                            // A node of the document is written as it stands (an engine-built
                            // object is not turned into a value first).
                            let node = path.input_names().and_then(|n| scope.input.walk(n));
                            match node {
                                Some(Node::Doc(d)) => d.write_text(out),
                                Some(Node::Value(v)) => write_value(out, v),
                                None => {
                                    let v = scope.select_for_field_cow(path, source)?;
                                    write_value(out, &v);
                                }
                            }
                        }
                        Field::Intrinsic { source, call } => {
                            write_value(out, &call_intrinsic(call, scope, source)?);
                        }
                    }
                }
                out.push('}');
            }
        }
        Ok(())
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
    let (input, roots) = (scope.input, scope.roots);
    let select =
        |path: &flowc_asl::path::JsonPath| crate::query::select_argument(path, input, roots);
    call.evaluate_with(&select, scope.rng).map_err(|e| match e {
        IntrinsicEvalError::PathNotFound { path, .. } => not_found(&path, field, scope.input),
        IntrinsicEvalError::Failure { message, .. } => EvalError::Intrinsic(message),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::Program;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use serde_json::json;

    fn parameters(params: Value) -> Template {
        let program = Program::load(&json!({
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "Parameters": params, "End": true}}
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        program.states["P"]
            .parameters
            .clone()
            .unwrap_or_else(|| panic!("P has Parameters"))
    }

    /// `evaluate_text` writes the text of what `evaluate` builds, or fails the same way.
    fn same_text(params: Value, input: Value) {
        let t = parameters(params);
        let context = crate::query::Roots::new(
            json!({"Execution": {"Id": "x"}}),
            crate::vars::Vars::default(),
        );
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let input = Doc::from(input);
        let built = t.evaluate(&mut Scope {
            input: &input,
            roots: &context,
            rng: &mut rng,
        });
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut text = String::new();
        let written = t.evaluate_text(
            &mut Scope {
                input: &input,
                roots: &context,
                rng: &mut rng,
            },
            &mut text,
        );
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let doc = t.evaluate_doc(&mut Scope {
            input: &input,
            roots: &context,
            rng: &mut rng,
        });
        assert_eq!(
            doc.map(Doc::into_value),
            built.clone(),
            "evaluate_doc builds what evaluate builds"
        );
        match (built, written) {
            (Ok(v), Ok(())) => assert_eq!(text, to_text(&v)),
            (Err(a), Err(b)) => assert_eq!(a, b),
            (a, b) => panic!("evaluate gave {a:?}, evaluate_text {b:?}"),
        }
    }

    #[test]
    fn text_of_a_template_is_the_text_of_its_value() {
        let input = json!({"a": {"b": [1, 2.5, "x\"y"]}, "s": "é\n", "n": null, "k": 3});
        same_text(
            json!({"static": {"x": [1, {"y": "z"}], "q\"uote": "\u{1}"}}),
            input.clone(),
        );
        same_text(
            json!({"a.$": "$.a", "all.$": "$", "s.$": "$.s", "n.$": "$.n"}),
            input.clone(),
        );
        same_text(json!({"list": [{"v.$": "$.k"}, 2, "three"]}), input.clone());
        same_text(
            json!({"c.$": "$$.Execution.Id", "i.$": "$.a.b[0]", "many.$": "$.a.b[*]"}),
            input.clone(),
        );
        same_text(
            json!({"sum.$": "States.MathAdd($.k, 1)", "u.$": "States.UUID()"}),
            input.clone(),
        );
        same_text(
            json!({"f.$": "States.Format('{} and {}', $.s, $.k)"}),
            input.clone(),
        );
        // A key written twice: the later value replaces the earlier in its place.
        same_text(json!({"a": 1, "b": 2, "a.$": "$.k"}), input.clone());
        same_text(json!({}), input.clone());
        // Failures: the same error, whichever way.
        same_text(json!({"ok": 1, "missing.$": "$.nope"}), input.clone());
        same_text(json!({"bad.$": "States.MathAdd($.s, 1)"}), input);
    }

    fn arb_leaf() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        prop_oneof![
            Just(Value::Null),
            any::<i64>().prop_map(Value::from),
            "[a-z\"\\\n]{0,6}".prop_map(Value::String),
            Just(json!({"o": [1, "x"]})),
        ]
    }

    proptest::proptest! {
        /// Objects of static members, path fields (present and missing) and nested objects:
        /// the text written from the template is the text of the value it builds.
        #[test]
        fn any_template_writes_the_text_of_its_value(
            members in proptest::collection::vec(
                ("[a-c\"]{1,3}", 0..4u8, arb_leaf()), 0..6),
        ) {
            let mut params = serde_json::Map::new();
            for (key, kind, leaf) in members {
                match kind {
                    0 => params.insert(key, leaf),
                    1 => params.insert(format!("{key}.$"), json!("$.k")),
                    2 => params.insert(format!("{key}.$"), json!("$.missing")),
                    _ => params.insert(key, json!({"inner": leaf, "p.$": "$.s"})),
                };
            }
            same_text(Value::Object(params), json!({"k": 3, "s": "é\n"}));
        }
    }
}
