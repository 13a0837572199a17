//! Retry bookkeeping of one state. Which retrier takes an error and how long it waits are
//! flowc-asl's (`Retrier::find`, `Retrier::delay_seconds`); the engine keeps the counts.

use flowc_asl::Retrier;
use rand_chacha::ChaCha8Rng;

/// Per-state retry bookkeeping: how many retries each retrier has spent.
#[derive(Debug, Default)]
pub(crate) struct RetryState {
    counts: Vec<u64>,
}

impl RetryState {
    /// The retrier that takes `error` and the delay before the next attempt, or `None` when no
    /// retrier takes it or the one that does has spent its attempts (the first matching
    /// retrier decides, as AWS does).
    pub(crate) fn next_delay(
        &mut self,
        retriers: &[Retrier],
        error: &str,
        rng: &mut ChaCha8Rng,
    ) -> Option<(usize, f64)> {
        if self.counts.len() < retriers.len() {
            self.counts.resize(retriers.len(), 0);
        }
        let (k, retrier) = Retrier::find(retriers, error)?;
        let count = self.counts.get_mut(k)?;
        let delay = retrier.delay_seconds(*count, rng)?;
        *count += 1;
        Some((k, delay))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowc_asl::ErrorName;
    use rand::SeedableRng;

    fn retrier(error: &str, max: u64) -> Retrier {
        Retrier {
            error_equals: vec![ErrorName::new(error)],
            comment: None,
            interval_seconds: Some(2),
            max_attempts: Some(max),
            backoff_rate: serde_json::Number::from_f64(3.0),
            max_delay_seconds: None,
            jitter_strategy: None,
        }
    }

    #[test]
    fn each_retrier_counts_its_own_attempts() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut state = RetryState::default();
        let rs = [retrier("A", 2), retrier(ErrorName::ALL, 1)];
        assert_eq!(state.next_delay(&rs, "A", &mut rng), Some((0, 2.0)));
        assert_eq!(state.next_delay(&rs, "B", &mut rng), Some((1, 2.0)));
        assert_eq!(state.next_delay(&rs, "A", &mut rng), Some((0, 6.0)));
        assert_eq!(state.next_delay(&rs, "A", &mut rng), None);
        assert_eq!(state.next_delay(&rs, "B", &mut rng), None);
        assert_eq!(state.next_delay(&rs, ErrorName::RUNTIME, &mut rng), None);
    }
}
