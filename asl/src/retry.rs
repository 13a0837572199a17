//! Retry and Catch: retriers and catchers of Task, Parallel and Map states, which entry takes
//! an error ([`Retrier::find`], [`Catcher::find`]) and how long a retry waits
//! ([`Retrier::delay_seconds`]): the rules the simulator runs and the compiler checks against.

use crate::model::ResultPath;
use crate::names::{ErrorName, StateName};

/// One entry of `Retry`. Optional fields stay `None` when not written, so emission reproduces
/// the input; the `*_or_default` accessors give AWS's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Retrier {
    pub error_equals: Vec<ErrorName>,
    pub comment: Option<String>,
    pub interval_seconds: Option<u64>,
    pub max_attempts: Option<u64>,
    /// As written (`2.0` stays `2.0`, `2` stays `2`): numbers keep their spelling through
    /// load, emit and decompile.
    pub backoff_rate: Option<serde_json::Number>,
    pub max_delay_seconds: Option<u64>,
    pub jitter_strategy: Option<JitterStrategy>,
}

/// `JitterStrategy`: `FULL` randomises each delay between 0 and its computed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JitterStrategy {
    Full,
    None,
}

impl JitterStrategy {
    pub fn as_str(self) -> &'static str {
        match self {
            JitterStrategy::Full => "FULL",
            JitterStrategy::None => "NONE",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "FULL" => Some(JitterStrategy::Full),
            "NONE" => Some(JitterStrategy::None),
            _ => None,
        }
    }
}

impl Retrier {
    /// AWS default: 1 second.
    pub const DEFAULT_INTERVAL_SECONDS: u64 = 1;
    /// AWS default: 3 attempts.
    pub const DEFAULT_MAX_ATTEMPTS: u64 = 3;
    /// AWS default: 2.0.
    pub const DEFAULT_BACKOFF_RATE: f64 = 2.0;

    pub fn interval_seconds_or_default(&self) -> u64 {
        self.interval_seconds
            .unwrap_or(Self::DEFAULT_INTERVAL_SECONDS)
    }

    pub fn max_attempts_or_default(&self) -> u64 {
        self.max_attempts.unwrap_or(Self::DEFAULT_MAX_ATTEMPTS)
    }

    pub fn backoff_rate_or_default(&self) -> f64 {
        self.backoff_rate
            .as_ref()
            .and_then(serde_json::Number::as_f64)
            .unwrap_or(Self::DEFAULT_BACKOFF_RATE)
    }

    pub fn jitter_strategy_or_default(&self) -> JitterStrategy {
        self.jitter_strategy.unwrap_or(JitterStrategy::None)
    }

    /// Whether this retrier applies to `error`: its ErrorEquals matches
    /// ([`ErrorName::matches`]) and the error can be retried at all ([`handles`]).
    pub fn matches(&self, error: &str) -> bool {
        handles(&self.error_equals, error)
    }

    /// The retrier that decides on `error`, with its position: the first that matches (AWS
    /// does not look further, even when its attempts are spent).
    pub fn find<'a>(retriers: &'a [Retrier], error: &str) -> Option<(usize, &'a Retrier)> {
        retriers.iter().enumerate().find(|(_, r)| r.matches(error))
    }

    /// The wait before the next attempt when this retrier has already retried `retries`
    /// times; `None` once its MaxAttempts are spent. The delay is IntervalSeconds ×
    /// BackoffRate^retries, capped at MaxDelaySeconds, and with JitterStrategy FULL a uniform
    /// draw between 0 and that, taken from `rng` (the caller's seeded generator, so runs
    /// repeat).
    pub fn delay_seconds(&self, retries: u64, rng: &mut dyn rand::RngCore) -> Option<f64> {
        use rand::Rng;
        if retries >= self.max_attempts_or_default() {
            return None;
        }
        let interval = self.interval_seconds_or_default() as f64;
        let mut delay = interval * self.backoff_rate_or_default().powf(retries as f64);
        if let Some(max) = self.max_delay_seconds {
            delay = delay.min(max as f64);
        }
        if self.jitter_strategy_or_default() == JitterStrategy::Full {
            delay *= rng.random::<f64>();
        }
        Some(delay.max(0.0))
    }
}

/// Whether an entry whose ErrorEquals is `error_equals` takes `error`. AWS: "A States.Runtime
/// error isn't retriable, and will always cause the execution to fail", whatever Retry and
/// Catch say, so no entry takes it, not even one naming it; otherwise
/// [`ErrorName::matches`] decides.
pub fn handles(error_equals: &[ErrorName], error: &str) -> bool {
    error != ErrorName::RUNTIME && error_equals.iter().any(|name| name.matches(error))
}

/// One entry of `Catch`.
#[derive(Debug, Clone, PartialEq)]
pub struct Catcher {
    pub error_equals: Vec<ErrorName>,
    pub comment: Option<String>,
    /// Where the error output goes; `None` when absent (AWS then replaces the input with it).
    pub result_path: Option<ResultPath>,
    pub next: StateName,
    /// Variables assigned when this catcher matches (the failed state's own `Assign` is not).
    pub assign: Option<crate::assign::Assign>,
    /// JSONata mode: the output when this catcher matches (`$states.errorOutput` is the error).
    pub output: Option<crate::jsonata_value::JsonataValue>,
}

impl Catcher {
    /// Whether this catcher applies to `error` (see [`handles`]).
    pub fn matches(&self, error: &str) -> bool {
        handles(&self.error_equals, error)
    }

    /// The catcher that takes `error`, with its position: the first that matches.
    pub fn find<'a>(catchers: &'a [Catcher], error: &str) -> Option<(usize, &'a Catcher)> {
        catchers.iter().enumerate().find(|(_, c)| c.matches(error))
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn retrier(max: u64) -> Retrier {
        Retrier {
            error_equals: vec![ErrorName::new(ErrorName::ALL)],
            comment: None,
            interval_seconds: Some(2),
            max_attempts: Some(max),
            backoff_rate: serde_json::Number::from_f64(3.0),
            max_delay_seconds: Some(10),
            jitter_strategy: None,
        }
    }

    fn catcher(error: &str, next: &str) -> Catcher {
        Catcher {
            error_equals: vec![ErrorName::new(error)],
            comment: None,
            result_path: None,
            next: StateName::new(next),
            assign: None,
            output: None,
        }
    }

    #[test]
    fn the_first_matching_catcher_takes_the_error() {
        let catchers = [
            catcher(ErrorName::TASK_FAILED, "A"),
            catcher(ErrorName::ALL, "B"),
        ];
        let next = |e: &str| Catcher::find(&catchers, e).map(|(i, c)| (i, c.next.as_str()));
        assert_eq!(next("Custom"), Some((0, "A")));
        assert_eq!(next(ErrorName::TIMEOUT), Some((1, "B")));
        assert_eq!(next(ErrorName::DATA_LIMIT_EXCEEDED), None);
    }

    #[test]
    fn states_runtime_is_never_retried_or_caught_even_when_named() {
        let catchers = [catcher(ErrorName::RUNTIME, "A")];
        assert!(Catcher::find(&catchers, ErrorName::RUNTIME).is_none());
        let mut named = retrier(3);
        named.error_equals = vec![ErrorName::new(ErrorName::RUNTIME)];
        assert!(Retrier::find(&[named], ErrorName::RUNTIME).is_none());
        assert!(ErrorName::new(ErrorName::RUNTIME).matches(ErrorName::RUNTIME));
    }

    #[test]
    fn backoff_grows_and_is_capped_then_stops() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let r = retrier(3);
        let delays: Vec<_> = (0..4).map(|n| r.delay_seconds(n, &mut rng)).collect();
        assert_eq!(delays, [Some(2.0), Some(6.0), Some(10.0), None]);
        assert_eq!(retrier(0).delay_seconds(0, &mut rng), None);
    }

    #[test]
    fn defaults_are_one_second_three_attempts_backoff_two() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let r = Retrier {
            interval_seconds: None,
            max_attempts: None,
            backoff_rate: None,
            max_delay_seconds: None,
            ..retrier(0)
        };
        let delays: Vec<_> = (0..4).map(|n| r.delay_seconds(n, &mut rng)).collect();
        assert_eq!(delays, [Some(1.0), Some(2.0), Some(4.0), None]);
    }

    #[test]
    fn full_jitter_stays_within_the_delay_and_follows_the_seed() {
        let r = Retrier {
            jitter_strategy: Some(JitterStrategy::Full),
            ..retrier(5)
        };
        let draw = |seed| r.delay_seconds(0, &mut ChaCha8Rng::seed_from_u64(seed));
        let d = draw(7).expect("attempts left");
        assert!((0.0..=2.0).contains(&d));
        assert_eq!(draw(7), Some(d));
        assert_ne!(draw(8), Some(d));
    }
}
