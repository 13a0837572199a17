//! Retry and Catch: retriers and catchers of Task, Parallel and Map states.

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

    /// Whether this retrier applies to `error` (see [`ErrorName::matches`]).
    pub fn matches(&self, error: &str) -> bool {
        self.error_equals.iter().any(|name| name.matches(error))
    }
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
    /// Whether this catcher applies to `error` (see [`ErrorName::matches`]).
    pub fn matches(&self, error: &str) -> bool {
        self.error_equals.iter().any(|name| name.matches(error))
    }
}
