//! Map (inline): ItemsPath selects the items, ItemSelector shapes each one (with
//! `$$.Map.Item.Index` / `Value`), the processor runs once per item in index order whatever
//! MaxConcurrency says (same result, deterministic history), and failures are tolerated up to
//! ToleratedFailureCount / ToleratedFailurePercentage.

use crate::doc::Doc;
use crate::error::Failure;
use crate::history::{EventKind, MapIteration, MapStarted};
use crate::program::{MapDef, PathField, State};
use crate::query::{EvalError, Scope};
use crate::retry::RetryState;
use crate::run::{Engine, MapItem, Stop, eval_err};
use serde_json::Value;

impl Engine<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run_map(
        &mut self,
        state: &State,
        def: &MapDef,
        raw: &Doc,
        ctx: &Value,
        entered: u64,
        entered_at: &str,
        prev: &mut u64,
    ) -> Result<Doc, Stop> {
        let name = state.name.as_str();
        let runtime = |e: EvalError| eval_err(name, entered, e);
        let eff = self.input_path(state, raw, ctx).map_err(runtime)?;
        let items = match &def.items_path {
            PathField::Default | PathField::Null => eff.as_ref().clone(),
            field => self.select_path_field(field, &eff, ctx).map_err(runtime)?,
        };
        let items = match items.into_value() {
            Value::Array(items) => items,
            other => {
                return Err(Stop::Error(Failure::runtime(
                    name,
                    entered,
                    format!(
                        "Map state input must be an array but was: {}",
                        serde_json::to_string(&other).unwrap_or_default()
                    ),
                )));
            }
        };
        // Resolved for validation only: concurrency does not change results or event order.
        if let Some(mc) = &def.max_concurrency {
            let v = self
                .number(mc, "MaxConcurrency", &eff, ctx)
                .map_err(runtime)?;
            if v < 0.0 || v.fract() != 0.0 {
                return Err(runtime(EvalError::Runtime(format!(
                    "The MaxConcurrency value {v} is not a valid non-negative integer"
                ))));
            }
        }
        let tolerated_count = def
            .tolerated_count
            .as_ref()
            .map(|t| self.number(t, "ToleratedFailureCount", &eff, ctx))
            .transpose()
            .map_err(runtime)?;
        let tolerated_pct = def
            .tolerated_percentage
            .as_ref()
            .map(|t| self.number(t, "ToleratedFailurePercentage", &eff, ctx))
            .transpose()
            .map_err(runtime)?;
        let tolerant = tolerated_count.is_some() || tolerated_pct.is_some();
        let mut retry = RetryState::default();
        loop {
            let started = self.emit(
                prev,
                EventKind::MapStateStarted(MapStarted {
                    length: items.len(),
                }),
            )?;
            let mut outputs = Vec::with_capacity(items.len());
            let mut failures = 0usize;
            let mut failed: Option<Stop> = None;
            self.concurrency_depth += 1;
            for (index, item) in items.iter().enumerate() {
                let item_ctx = MapItem {
                    index,
                    value: item.clone(),
                };
                let input = match &def.item_selector {
                    None => Doc::from(item.clone()),
                    Some(t) => {
                        let c = self.context(
                            state.uses_context,
                            name,
                            entered_at,
                            Some(0),
                            Some(&item_ctx),
                            None,
                        );
                        match t.evaluate_doc(&mut Scope {
                            input: &eff,
                            context: &c,
                            rng: &mut self.rng,
                        }) {
                            Ok(v) => v,
                            Err(e) => {
                                failed = Some(runtime(e));
                                break;
                            }
                        }
                    }
                };
                let it = MapIteration {
                    name: name.to_string(),
                    index,
                };
                // Every iteration starts from MapStateStarted, as on AWS.
                let mut iteration_prev = started;
                let started_it = self.emit(
                    &mut iteration_prev,
                    EventKind::MapIterationStarted(it.clone()),
                );
                *prev = iteration_prev;
                if let Err(e) = started_it {
                    failed = Some(e);
                    break;
                }
                match self.run_program(&def.processor, input, prev) {
                    Ok(v) => {
                        outputs.push(v.into_value());
                        if let Err(e) = self.emit(prev, EventKind::MapIterationSucceeded(it)) {
                            failed = Some(e);
                            break;
                        }
                    }
                    Err(Stop::Error(f)) => {
                        if let Err(e) = self.emit(prev, EventKind::MapIterationFailed(it)) {
                            failed = Some(e);
                            break;
                        }
                        failures += 1;
                        let over = if tolerant {
                            let by_count = tolerated_count.is_none_or(|c| failures as f64 > c);
                            let by_pct = tolerated_pct.is_none_or(|p| {
                                failures as f64 * 100.0 / items.len().max(1) as f64 > p
                            });
                            // Either threshold allows the failure when both are set.
                            match (tolerated_count, tolerated_pct) {
                                (Some(_), Some(_)) => by_count && by_pct,
                                (Some(_), None) => by_count,
                                _ => by_pct,
                            }
                        } else {
                            true
                        };
                        if over {
                            failed = Some(Stop::Error(if tolerant {
                                Failure::new(
                                    "States.ExceedToleratedFailureThreshold",
                                    "The specified tolerated failure threshold was exceeded",
                                )
                            } else {
                                f
                            }));
                            break;
                        }
                        outputs.push(f.to_catch_output());
                    }
                    Err(halt) => {
                        failed = Some(halt);
                        break;
                    }
                }
            }
            self.concurrency_depth -= 1;
            let events = (EventKind::MapStateSucceeded, EventKind::MapStateFailed);
            if let Some(output) = self.finish_attempt(
                state, failed, outputs, raw, ctx, entered, prev, &mut retry, events,
            )? {
                return Ok(output);
            }
        }
    }
}
