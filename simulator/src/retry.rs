//! Retry backoff and Catch selection. ErrorEquals matching itself is `asl::ErrorName::matches`
//! (one implementation for the compiler and the simulator).

use crate::program::{Catcher, Retrier};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// AWS: "A States.Runtime error isn't retriable, and will always cause the execution to fail",
/// whatever the Retry and Catch fields say; this is engine policy, not ErrorEquals matching.
pub fn is_uncatchable(error: &str) -> bool {
    error == flowc_asl::ErrorName::RUNTIME
}

fn any_matches(list: &[flowc_asl::ErrorName], error: &str) -> bool {
    list.iter().any(|p| p.matches(error))
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
            error_equals: vec![flowc_asl::ErrorName::new("States.ALL")],
            interval_seconds: 2.0,
            max_attempts: max,
            backoff_rate: 3.0,
            max_delay_seconds: Some(10.0),
            full_jitter: false,
        }
    }

    #[test]
    fn catcher_choice_follows_asl_matching() {
        let catcher = |e: &str, next: &str| Catcher {
            error_equals: vec![flowc_asl::ErrorName::new(e)],
            next: crate::program::NextState::named(next),
            result_path: crate::program::PathField::Default,
            assign: None,
            output: None,
        };
        let catchers = [
            catcher("States.TaskFailed", "A"),
            catcher("States.ALL", "B"),
        ];
        let next = |e: &str| find_catcher(&catchers, e).map(|c| c.next.name.clone());
        assert_eq!(next("Custom").as_deref(), Some("A"));
        assert_eq!(next("States.Timeout").as_deref(), Some("B"));
        assert_eq!(next("States.DataLimitExceeded"), None);
        assert!(is_uncatchable("States.Runtime"));
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
