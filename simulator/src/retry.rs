//! Error matching (ErrorEquals), Retry backoff and Catch selection.
//!
//! Interim: `asl::ErrorName::matches` is to be the single implementation of ErrorEquals
//! matching; until the model lands, `error_matches` holds AWS's rules.

use crate::program::{Catcher, Retrier};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Errors no retrier or catcher can handle: AWS ends the execution.
pub fn is_uncatchable(error: &str) -> bool {
    error == "States.Runtime"
}

/// AWS's ErrorEquals rules: an exact name; `States.ALL` matches everything except the terminal
/// `States.Runtime` and `States.DataLimitExceeded`; `States.TaskFailed` matches every error
/// except `States.Timeout` (and those terminal ones).
pub fn error_matches(pattern: &str, error: &str) -> bool {
    if is_uncatchable(error) {
        return false;
    }
    let terminal = error == "States.DataLimitExceeded";
    match pattern {
        "States.ALL" => !terminal,
        "States.TaskFailed" => !terminal && (error == pattern || error != "States.Timeout"),
        p => p == error,
    }
}

fn any_matches(list: &[String], error: &str) -> bool {
    list.iter().any(|p| error_matches(p, error))
}

/// Per-state retry bookkeeping: how many retries each retrier has spent.
#[derive(Debug, Default)]
pub struct RetryState {
    counts: Vec<u64>,
}

impl RetryState {
    /// The delay before the next attempt, or `None` when no retrier applies or its attempts
    /// are spent (the first matching retrier decides, as AWS does).
    pub fn next_delay(
        &mut self,
        retriers: &[Retrier],
        error: &str,
        rng: &mut ChaCha8Rng,
    ) -> Option<f64> {
        if self.counts.len() < retriers.len() {
            self.counts.resize(retriers.len(), 0);
        }
        let (k, r) = retriers
            .iter()
            .enumerate()
            .find(|(_, r)| any_matches(&r.error_equals, error))?;
        let count = self.counts.get_mut(k)?;
        if *count >= r.max_attempts {
            return None;
        }
        let mut delay = r.interval_seconds * r.backoff_rate.powf(*count as f64);
        *count += 1;
        if let Some(max) = r.max_delay_seconds {
            delay = delay.min(max);
        }
        if r.full_jitter {
            delay *= rng.random::<f64>();
        }
        Some(delay.max(0.0))
    }
}

/// The first catcher whose ErrorEquals matches.
pub fn find_catcher<'a>(catchers: &'a [Catcher], error: &str) -> Option<&'a Catcher> {
    catchers
        .iter()
        .find(|c| any_matches(&c.error_equals, error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn retrier(max: u64) -> Retrier {
        Retrier {
            error_equals: vec!["States.ALL".into()],
            interval_seconds: 2.0,
            max_attempts: max,
            backoff_rate: 3.0,
            max_delay_seconds: Some(10.0),
            full_jitter: false,
        }
    }

    #[test]
    fn states_all_skips_terminal_errors() {
        assert!(error_matches("States.ALL", "Lambda.Unknown"));
        assert!(!error_matches("States.ALL", "States.Runtime"));
        assert!(!error_matches("States.ALL", "States.DataLimitExceeded"));
        assert!(error_matches(
            "States.DataLimitExceeded",
            "States.DataLimitExceeded"
        ));
        assert!(!error_matches("States.TaskFailed", "States.Timeout"));
        assert!(error_matches("States.TaskFailed", "Custom"));
    }

    #[test]
    fn backoff_grows_and_is_capped_then_stops() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut st = RetryState::default();
        let rs = [retrier(3)];
        assert_eq!(st.next_delay(&rs, "E", &mut rng), Some(2.0));
        assert_eq!(st.next_delay(&rs, "E", &mut rng), Some(6.0));
        assert_eq!(st.next_delay(&rs, "E", &mut rng), Some(10.0));
        assert_eq!(st.next_delay(&rs, "E", &mut rng), None);
    }

    #[test]
    fn max_attempts_zero_never_retries() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(
            RetryState::default().next_delay(&[retrier(0)], "E", &mut rng),
            None
        );
    }

    #[test]
    fn full_jitter_stays_within_the_delay_and_depends_on_seed() {
        let mut r = retrier(5);
        r.full_jitter = true;
        let mut a = ChaCha8Rng::seed_from_u64(7);
        let d = RetryState::default()
            .next_delay(&[r.clone()], "E", &mut a)
            .unwrap_or(-1.0);
        assert!((0.0..=2.0).contains(&d));
        let mut b = ChaCha8Rng::seed_from_u64(7);
        assert_eq!(RetryState::default().next_delay(&[r], "E", &mut b), Some(d));
    }
}
