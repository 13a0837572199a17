//! What Task, Parallel and Map share about an attempt's end: Retry, and the succeeded/failed
//! events with the output processing of Parallel and Map results.

use super::{Engine, Stop, eval_err};
use crate::doc::Doc;
use crate::error::Failure;
use crate::history::{EventKind, Text};
use crate::program::State;
use crate::query::{EvalError, Roots};
use crate::retry::RetryState;
use crate::text::{TextBuilder, TextSink as _};
use crate::vars::Assigned;
use serde_json::Value;
use std::sync::Arc;

/// How an attempt of a Parallel or Map state ended.
pub(crate) enum AttemptEnd {
    /// The state's output, and the variables it assigns.
    Output(Doc, Assigned),
    /// Retry decided on another attempt, at this simulated time.
    RetryAt(i64),
}

/// The outputs of a Parallel's branches or a Map's iterations as the array the state
/// receives, checked against the payload limit first from the lengths of their texts (each
/// strand's last state made its output's), so a wide Parallel of a large input fails with
/// `States.DataLimitExceeded` without ever building the copies. The array holds the outputs
/// as they are (shared subtrees): turning each into a `serde_json::Value` deep-copied every
/// iteration's document, a seventh of a Map-heavy run's time.
///
/// Its JSON text is the strands' output texts joined (copied, not written again from the
/// documents); it is left in `engine.results_text` for the state's exit, which uses it when
/// the state's output is this array unchanged.
pub(crate) fn results_array(
    engine: &mut Engine<'_>,
    state: &State,
    outputs: Vec<(Option<Doc>, Option<Text>)>,
) -> Result<Doc, Stop> {
    let texts = &engine.history.texts;
    let mut size = 2 + outputs.len().saturating_sub(1);
    for (doc, text) in &outputs {
        size += match (doc, text) {
            (_, Some(text)) => texts.len(text),
            (Some(doc), None) => doc.to_text().len(),
            (None, None) => 4,
        };
        if size > super::MAX_PAYLOAD_BYTES {
            return Err(Stop::Error(Failure::new(
                "States.DataLimitExceeded",
                format!(
                    "The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.",
                    state.name
                ),
            )));
        }
    }
    // The strands' texts are shared where they are long (a wide Parallel of a large input
    // hands each branch's text on), copied where short.
    let mut text = TextBuilder::for_len(size);
    text.push('[');
    for (i, (doc, known)) in outputs.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        match (doc, known) {
            (_, Some(known)) => text.push_whole(texts, known),
            (Some(doc), None) => doc.write_text(text.buf()),
            (None, None) => text.push_str("null"),
        }
    }
    text.push(']');
    let array = Doc::Array(Arc::new(
        outputs
            .into_iter()
            .map(|(doc, _)| doc.unwrap_or_else(|| Doc::from(Value::Null)))
            .collect(),
    ));
    engine.results_text = Some((array.anchor(), text));
    Ok(array)
}

impl Engine<'_> {
    /// Retry bookkeeping shared by Task, Parallel and Map: when the next attempt starts
    /// (simulated milliseconds since the start), or `None` when the failure stands.
    pub fn retry_at(
        &mut self,
        state: &State,
        retry: &mut RetryState,
        failure: &Failure,
    ) -> Option<i64> {
        let (index, delay) = retry.next_delay(&state.retry, &failure.error, &mut self.rng)?;
        if let Some(observer) = self.observer.as_deref_mut() {
            observer.retried(&state.name, index);
        }
        // AWS bills a retry as a state transition.
        self.transitions += 1;
        Some(self.due_in(delay))
    }

    /// The end of one Parallel or Map attempt, shared by both: when every branch or iteration
    /// succeeded, the `succeeded` event (if the state type has one) is written and the outputs
    /// go through ResultSelector, ResultPath and OutputPath; on a failure the `failed` event is
    /// written and Retry decides between another attempt and failing the state.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn finish_attempt(
        &mut self,
        state: &State,
        failure: Option<Stop>,
        result: Doc,
        raw: &Doc,
        ctx: &Roots,
        entered: u64,
        retry: &mut RetryState,
        (succeeded, failed): (Option<EventKind>, EventKind),
    ) -> Result<AttemptEnd, Stop> {
        let runtime = |e: EvalError| eval_err(state.name.as_str(), entered, e);
        match failure {
            None => {
                if let Some(event) = succeeded {
                    self.emit(event)?;
                }
                self.result_output(state, raw, ctx, result)
                    .map(|(out, assigned)| AttemptEnd::Output(out, assigned))
                    .map_err(runtime)
            }
            Some(Stop::Error(f)) => {
                self.emit(failed)?;
                match self.retry_at(state, retry, &f) {
                    Some(at) => Ok(AttemptEnd::RetryAt(at)),
                    None => Err(Stop::Error(f)),
                }
            }
            Some(halt) => Err(halt),
        }
    }
}
