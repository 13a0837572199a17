//! Input and output processing: InputPath, Parameters, ResultSelector, ResultPath, OutputPath,
//! and the numbers a state reads from its input (`*Path` fields).

use super::Engine;
use crate::doc::Doc;
use crate::program::{NumberSource, PathField, State};
use crate::query::{EvalError, Roots, Scope};
use serde_json::Value;
use std::borrow::Cow;

impl Engine<'_> {
    /// The effective input when the raw input is not needed afterwards: moved, not copied.
    pub(crate) fn owned_input(
        &self,
        state: &State,
        raw: Doc,
        ctx: &Roots,
    ) -> Result<Doc, EvalError> {
        match &state.input_path {
            PathField::Default => Ok(raw),
            other => self.select_path_field(other, &raw, ctx),
        }
    }

    /// The effective input; borrowed when InputPath is absent (most states).
    pub fn input_path<'v>(
        &self,
        state: &State,
        raw: &'v Doc,
        ctx: &Roots,
    ) -> Result<Cow<'v, Doc>, EvalError> {
        match &state.input_path {
            PathField::Default => Ok(Cow::Borrowed(raw)),
            other => self.select_path_field(other, raw, ctx).map(Cow::Owned),
        }
    }

    pub fn output_path(&self, state: &State, out: Doc, ctx: &Roots) -> Result<Doc, EvalError> {
        match &state.output_path {
            PathField::Default => Ok(out),
            other => self.select_path_field(other, &out, ctx),
        }
    }

    pub(crate) fn select_path_field(
        &self,
        field: &PathField,
        data: &Doc,
        ctx: &Roots,
    ) -> Result<Doc, EvalError> {
        match field {
            PathField::Default => Ok(data.clone()),
            PathField::Null => Ok(Doc::empty_object()),
            PathField::Path(p) => crate::query::select_path(p, data, ctx),
        }
    }

    /// Parameters applied to the effective input (passed through untouched when absent).
    pub fn parameters<'v>(
        &mut self,
        state: &State,
        eff: Cow<'v, Doc>,
        ctx: &Roots,
    ) -> Result<Cow<'v, Doc>, EvalError> {
        match &state.parameters {
            None => Ok(eff),
            Some(t) => t
                .evaluate_doc(&mut Scope {
                    input: &eff,
                    roots: ctx,
                    rng: &mut self.rng,
                })
                .map(Cow::Owned),
        }
    }

    pub fn result_selector(
        &mut self,
        state: &State,
        result: Doc,
        ctx: &Roots,
    ) -> Result<Doc, EvalError> {
        match &state.result_selector {
            None => Ok(result),
            Some(t) => t.evaluate_doc(&mut Scope {
                input: &result,
                roots: ctx,
                rng: &mut self.rng,
            }),
        }
    }

    pub fn apply_result_path(
        &self,
        field: &PathField,
        raw: &Doc,
        result: Doc,
    ) -> Result<Doc, EvalError> {
        match field {
            PathField::Default => Ok(result),
            // The raw input is shared, so this copies only what the write changes.
            other => self.apply_result_path_owned(other, raw.clone(), result),
        }
    }

    /// ResultPath: the result replaces the input (`$`, absent), is discarded (`null`), or is
    /// written into the input at a reference path.
    pub fn apply_result_path_owned(
        &self,
        field: &PathField,
        raw: Doc,
        result: Doc,
    ) -> Result<Doc, EvalError> {
        match field {
            PathField::Default => Ok(result),
            PathField::Null => Ok(raw),
            PathField::Path(p) => p.set(raw, result).map_err(|e| {
                EvalError::ResultPath(format!(
                    "Unable to apply ReferencePath {} to the state input: {e}",
                    p.as_str()
                ))
            }),
        }
    }

    /// Resolves a literal-or-path number (TimeoutSecondsPath, MaxConcurrencyPath, ...).
    pub fn number(
        &self,
        src: &NumberSource,
        field: &str,
        data: &Doc,
        ctx: &Roots,
    ) -> Result<f64, EvalError> {
        match src {
            NumberSource::Literal(n) => Ok(*n),
            NumberSource::Jsonata(expression) => {
                let value = self
                    .bindings(data, ctx)
                    .expression(expression, field)
                    .map_err(EvalError::Query)?;
                value.as_f64().ok_or_else(|| {
                    EvalError::Query(crate::jsonata::type_error(
                        expression, field, "a number", value,
                    ))
                })
            }
            NumberSource::Path(p) => {
                let v = crate::query::select_value(p, data, ctx)?;
                // AWS reads a number written as a string too: MaxConcurrencyPath selecting
                // the variable `"1"` runs one iteration at a time (the conformance corpus's
                // MAP_STATE_REFERENCE_IN_MAX_CONCURRENCY_PATH recording).
                let number = match &*v {
                    Value::String(text) => text.trim().parse::<f64>().ok(),
                    other => other.as_f64(),
                };
                number.ok_or_else(|| {
                    EvalError::Runtime(format!(
                        "The {field}Path field refers to value \"{}\" which is not a valid integer: {}",
                        crate::json::to_text(&v),
                        p.as_str()
                    ))
                })
            }
        }
    }
}
