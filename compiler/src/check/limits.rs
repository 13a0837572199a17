//! Limits AWS states for numbers in a definition ([`flowc_asl::rules`], the one set of value
//! rules), checked on the model so that `.flow` and `.asl.json` get the same answer. AWS
//! refuses a definition over any of them when the state machine is created; the simulator
//! would otherwise run a 10^18-second Wait to its end.

use flowc_asl::rules::{Limit, MAX_ATTEMPTS, MAX_INPUT_BYTES_PER_BATCH, Seconds};
use flowc_asl::{IntegerField, State, StateKind, StateName, WaitFor};

use super::spans::Locator;
use super::{CheckError, Scope};

pub(crate) fn check_state(
    scope: &Scope<'_>,
    name: &StateName,
    state: &State,
    locate: &Locator<'_>,
    out: &mut Vec<CheckError>,
) {
    let mut over = |pointer: String, limit: Option<Limit>, value: u64| {
        if let Some(limit) = limit.filter(|limit| limit.exceeded_by(value)) {
            out.push(CheckError::OverLimit {
                field: limit.field,
                name: name.as_str().to_owned(),
                value,
                limit: limit.maximum,
                help: limit.help,
                span: locate.field(&scope.path_of(name), &pointer),
            });
        }
    };
    if let StateKind::Wait(wait) = &state.kind
        && let WaitFor::Seconds(IntegerField::Value(seconds)) = &wait.wait_for
    {
        over("Seconds".to_owned(), Seconds::Wait.limit(), *seconds);
    }
    if let StateKind::Map(map) = &state.kind
        && let Some(IntegerField::Value(bytes)) = map
            .item_batcher
            .as_ref()
            .and_then(|b| b.max_input_bytes_per_batch.as_ref())
    {
        over(
            "ItemBatcher/MaxInputBytesPerBatch".to_owned(),
            Some(MAX_INPUT_BYTES_PER_BATCH),
            *bytes,
        );
    }
    for (index, retrier) in state.retry().iter().enumerate() {
        if let Some(interval) = retrier.interval_seconds {
            over(
                format!("Retry/{index}/IntervalSeconds"),
                Seconds::RetryInterval.limit(),
                interval,
            );
        }
        if let Some(attempts) = retrier.max_attempts {
            over(
                format!("Retry/{index}/MaxAttempts"),
                Some(MAX_ATTEMPTS),
                attempts,
            );
        }
    }
}
