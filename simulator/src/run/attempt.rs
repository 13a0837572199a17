//! What Task, Parallel and Map share about an attempt's end: Retry, and the succeeded/failed
//! events with the output processing of Parallel and Map results.

use super::{Engine, Stop, eval_err};
use crate::doc::Doc;
use crate::error::Failure;
use crate::history::EventKind;
use crate::program::State;
use crate::query::EvalError;
use crate::retry::{RetryState, is_uncatchable};
use serde_json::Value;

impl Engine<'_> {
    /// Retry bookkeeping shared by Task, Parallel and Map: returns `Ok(true)` to try again.
    pub fn should_retry(
        &mut self,
        state: &State,
        retry: &mut RetryState,
        failure: &Failure,
    ) -> Result<bool, Stop> {
        if is_uncatchable(&failure.error) {
            return Ok(false);
        }
        match retry.next_delay(&state.retry, &failure.error, &mut self.rng) {
            Some(delay) => {
                self.advance(delay)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// The end of one Parallel or Map attempt, shared by both: when every branch or iteration
    /// succeeded, the `succeeded` event is written and the outputs go through ResultSelector,
    /// ResultPath and OutputPath (`Ok(Some(output))`); on a failure the `failed` event is
    /// written and Retry decides between another attempt (`Ok(None)`) and failing the state.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn finish_attempt(
        &mut self,
        state: &State,
        failure: Option<Stop>,
        outputs: Vec<Value>,
        raw: &Doc,
        ctx: &Value,
        entered: u64,
        prev: &mut u64,
        retry: &mut RetryState,
        (succeeded, failed): (EventKind, EventKind),
    ) -> Result<Option<Doc>, Stop> {
        let runtime = |e: EvalError| eval_err(state.name.as_str(), entered, e);
        match failure {
            None => {
                self.emit(prev, succeeded)?;
                let sel = self
                    .result_selector(state, Doc::from(Value::Array(outputs)), ctx)
                    .map_err(runtime)?;
                let out = self
                    .apply_result_path(&state.result_path, raw, sel)
                    .map_err(runtime)?;
                self.output_path(state, out, ctx).map(Some).map_err(runtime)
            }
            Some(Stop::Error(f)) => {
                self.emit(prev, failed)?;
                if self.should_retry(state, retry, &f)? {
                    return Ok(None);
                }
                Err(Stop::Error(f))
            }
            Some(halt) => Err(halt),
        }
    }
}
