//! What the engine adds for JSONata states and for `Assign` in either language: the bindings
//! a JSONata state's expressions see, its `Output`, and the variables a state assigns.
//!
//! AWS's order, which the states follow: a JSONata state evaluates its fields against
//! `$states.input` (its input as it arrived) and, once known, `$states.result`; `Assign` is
//! evaluated before `Output`, both with the variables as the state was entered, and the new
//! values are seen from the next state on. A JSONPath state's `Assign` reads its result (after
//! ResultSelector; Pass: Result or Parameters; Choice and Wait: the effective input), before
//! ResultPath and OutputPath; a catcher's reads the error output.

use super::state::no_choice_matched;
use super::{Engine, Entry, StateDone, Stop, eval_err};
use crate::doc::Doc;
use crate::error::Failure;
use crate::jsonata::{Bindings, mix};
use crate::program::{AssignDef, JsonataDef, NextState, State, StateKind};
use crate::query::{EvalError, Roots, Scope};
use crate::vars::Assigned;
use flowc_asl::jsonata::Environment;
use flowc_asl::{JsonataString, JsonataValue};
use serde_json::Value;

/// What an `Assign` is evaluated against.
pub(crate) enum AssignFrom<'b> {
    /// A JSONPath state's: `$` is `data`.
    Paths { data: &'b Doc, roots: &'b Roots },
    /// A JSONata state's: its bindings; `field` is where the Assign is written
    /// (`Assign`, `Choices[0]/Assign`, `Catch[1]/Assign`).
    Jsonata {
        bindings: &'b Bindings<'b>,
        field: &'b str,
    },
}

impl Engine<'_> {
    /// The clock and the seed of one state's JSONata evaluations: `$now()` is the virtual
    /// time, and every state draws another seed from the run's.
    pub(crate) fn environment(&self) -> Environment {
        let count = self.evaluations.get();
        self.evaluations.set(count + 1);
        Environment::new(
            self.clock.now().timestamp_millis(),
            mix(self.jsonata_seed, count),
        )
    }

    /// The bindings of a JSONata state entered with `input`.
    pub(crate) fn bindings<'r>(&self, input: &Doc, roots: &'r Roots) -> Bindings<'r> {
        Bindings::new(
            &roots.vars,
            input.clone(),
            &roots.context,
            self.environment(),
        )
    }

    /// The variables `assign` sets, evaluated as its state's language says.
    pub(crate) fn assign(
        &mut self,
        assign: Option<&AssignDef>,
        from: AssignFrom<'_>,
    ) -> Result<Assigned, EvalError> {
        let Some(assign) = assign else {
            return Ok(Assigned::new());
        };
        match (assign, from) {
            (AssignDef::JsonPath(template), AssignFrom::Paths { data, roots }) => {
                let value = template.evaluate(&mut Scope {
                    input: data,
                    roots,
                    rng: &mut self.rng,
                })?;
                match value {
                    Value::Object(members) => Ok(members.into_iter().collect()),
                    other => Err(EvalError::Runtime(format!(
                        "Assign must give an object of variables, not {}",
                        crate::json::to_text(&other)
                    ))),
                }
            }
            (AssignDef::Jsonata(values), AssignFrom::Jsonata { bindings, field }) => values
                .iter()
                .map(|(name, value)| {
                    let value = bindings
                        .value(value, &format!("{field}/{name}"))
                        .map_err(EvalError::Query)?;
                    Ok((name.clone(), value))
                })
                .collect(),
            // The loader gives a state an Assign of its own language only.
            (AssignDef::JsonPath(_), AssignFrom::Jsonata { .. })
            | (AssignDef::Jsonata(_), AssignFrom::Paths { .. }) => Err(EvalError::Runtime(
                "Assign is written in the other query language than its state".into(),
            )),
        }
    }
}

impl Engine<'_> {
    /// A JSONata state that takes no simulated time: Pass, Choice, Succeed, Fail.
    pub(crate) fn instant_jsonata<'p>(
        &mut self,
        state: &'p State,
        def: &JsonataDef,
        raw: Doc,
        entry: &Entry,
        next: Option<&'p NextState>,
    ) -> Result<StateDone<'p>, Stop> {
        let name = state.name.as_str();
        let err = |e| eval_err(name, entry.entered, e);
        let bindings = self.bindings(&raw, &entry.ctx);
        // (where it goes, its Assign and the field that names it, its Output and its field)
        let (next, assign, assign_field, out, out_field) = match &state.kind {
            StateKind::Fail(fail) => {
                let error = match &fail.error_jsonata {
                    Some(e) => Some(text(&bindings, e, "Error").map_err(err)?),
                    None => fail.error.clone(),
                };
                let cause = match &fail.cause_jsonata {
                    Some(e) => Some(text(&bindings, e, "Cause").map_err(err)?),
                    None => fail.cause.clone(),
                };
                return Err(Stop::Error(Failure {
                    error: error.unwrap_or_default(),
                    cause,
                    location: None,
                }));
            }
            StateKind::Choice { choices, default } => {
                let mut matched = None;
                for (index, choice) in choices.iter().enumerate() {
                    let field = format!("Choices[{index}]");
                    let holds = match &choice.rule.condition {
                        flowc_asl::Condition::Jsonata(condition) => bindings
                            .boolean(condition, &format!("{field}/Condition"))
                            .map_err(|e| err(EvalError::Query(e)))?,
                        other => other
                            .evaluate(&crate::query::ChoiceView {
                                input: &raw,
                                roots: &entry.ctx,
                            })
                            .map_err(|e| err(EvalError::Runtime(e.to_string())))?,
                    };
                    if holds {
                        matched = Some((index, choice, field));
                        break;
                    }
                }
                if let Some(observer) = self.observer.as_deref_mut()
                    && (matched.is_some() || default.is_some())
                {
                    observer.chose(name, matched.as_ref().map(|(index, ..)| *index));
                }
                // The matched rule's Assign and Output; the state's own for the Default.
                match (matched, default) {
                    (Some((_, choice, field)), _) => (
                        Some(&choice.next),
                        choice.assign.as_ref(),
                        format!("{field}/Assign"),
                        choice.rule.output.as_ref(),
                        format!("{field}/Output"),
                    ),
                    (None, Some(default)) => (
                        Some(default),
                        state.assign.as_ref(),
                        "Assign".to_string(),
                        def.output.as_ref(),
                        "Output".to_string(),
                    ),
                    (None, None) => return Err(Stop::Error(no_choice_matched(name))),
                }
            }
            _ => (
                next,
                state.assign.as_ref(),
                "Assign".to_string(),
                def.output.as_ref(),
                "Output".to_string(),
            ),
        };
        let assigned = self
            .assign(
                assign,
                AssignFrom::Jsonata {
                    bindings: &bindings,
                    field: &assign_field,
                },
            )
            .map_err(err)?;
        let output = output(out, &out_field, &bindings, raw).map_err(err)?;
        Ok(StateDone {
            output,
            next,
            written: None,
            assigned,
        })
    }
}

impl Engine<'_> {
    /// A Task's, Parallel's or Map's output from its result, and the variables it assigns.
    /// JSONata: `$states.result`, then Assign, then Output (the result without one). JSONPath:
    /// ResultSelector, then Assign (reading the selected result), ResultPath, OutputPath.
    pub(crate) fn result_output(
        &mut self,
        state: &State,
        raw: &Doc,
        roots: &Roots,
        result: Doc,
    ) -> Result<(Doc, Assigned), EvalError> {
        if let Some(def) = &state.jsonata {
            let mut bindings = self.bindings(raw, roots);
            bindings.set_result(result.clone());
            let assigned = self.assign(
                state.assign.as_ref(),
                AssignFrom::Jsonata {
                    bindings: &bindings,
                    field: "Assign",
                },
            )?;
            let out = output(def.output.as_ref(), "Output", &bindings, result)?;
            return Ok((out, assigned));
        }
        let sel = self.result_selector(state, result, roots)?;
        let assigned = self.assign(
            state.assign.as_ref(),
            AssignFrom::Paths { data: &sel, roots },
        )?;
        let out = self.apply_result_path(&state.result_path, raw, sel)?;
        Ok((self.output_path(state, out, roots)?, assigned))
    }
}

/// A Fail state's Error or Cause: a string as it is, anything else as its JSON text.
fn text(
    bindings: &Bindings<'_>,
    expression: &JsonataString,
    field: &str,
) -> Result<String, EvalError> {
    match bindings
        .expression(expression, field)
        .map_err(EvalError::Query)?
    {
        Value::String(text) => Ok(text),
        other => Ok(crate::json::to_text(&other)),
    }
}

/// A JSONata state's `Output` (or `default` without one): `field` names it in errors.
pub(crate) fn output(
    output: Option<&JsonataValue>,
    field: &str,
    bindings: &Bindings<'_>,
    default: Doc,
) -> Result<Doc, EvalError> {
    match output {
        None => Ok(default),
        Some(output) => bindings
            .value(output, field)
            .map(Doc::from)
            .map_err(EvalError::Query),
    }
}
