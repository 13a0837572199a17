//! Limits AWS states for numbers in a definition, checked on the model so that `.flow` and
//! `.asl.json` get the same answer. AWS refuses a definition over any of them when the state
//! machine is created; the simulator would otherwise run a 10^18-second Wait to its end.

use flowc_asl::{IntegerField, State, StateKind, StateName, WaitFor};

use super::spans::Locator;
use super::{CheckError, Scope};

/// Wait `Seconds`, Retry `IntervalSeconds` and `MaxAttempts`: the AWS documentation gives each
/// "a maximum value of 99999999" (about 3.17 years, or 99,999,999 attempts).
pub(crate) const MAX_SECONDS_FIELD: u64 = 99_999_999;

pub(crate) fn check_state(
    scope: &Scope<'_>,
    name: &StateName,
    state: &State,
    locate: &Locator<'_>,
    out: &mut Vec<CheckError>,
) {
    let mut over = |pointer: String, field: &'static str, value: u64, help: &'static str| {
        if value > MAX_SECONDS_FIELD {
            out.push(CheckError::OverLimit {
                field,
                name: name.as_str().to_owned(),
                value,
                limit: MAX_SECONDS_FIELD,
                help,
                span: locate.field(&scope.path_of(name), &pointer),
            });
        }
    };
    if let StateKind::Wait(wait) = &state.kind
        && let WaitFor::Seconds(IntegerField::Value(seconds)) = &wait.wait_for
    {
        over(
            "Seconds".to_owned(),
            "Seconds",
            *seconds,
            "AWS: \"You must specify time as a positive, integer value from 0 up to 99999999\" \
             (about 3.17 years); a standard execution ends after one year in any case",
        );
    }
    for (index, retrier) in state.retry().iter().enumerate() {
        if let Some(interval) = retrier.interval_seconds {
            over(
                format!("Retry/{index}/IntervalSeconds"),
                "IntervalSeconds",
                interval,
                "AWS: IntervalSeconds \"has a maximum value of 99999999\"",
            );
        }
        if let Some(attempts) = retrier.max_attempts {
            over(
                format!("Retry/{index}/MaxAttempts"),
                "MaxAttempts",
                attempts,
                "AWS: MaxAttempts \"has a maximum value of 99999999\"",
            );
        }
    }
}
