//! Value rules AWS enforces when a state machine is created, in one place: the loader applies
//! them to hand-written JSON and the compiler to `.flow` values before it emits them, so
//! `flowc compile` never writes what `flowc check` (or AWS) refuses; `flowc check` reports the
//! maximums ([`Limit`]) for both, and the simulator holds a `SecondsPath` to the same one.

/// A field that holds a number of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seconds {
    /// `TimeoutSeconds` of a Task, Parallel/Map child or the machine.
    Timeout,
    /// `HeartbeatSeconds` of a Task.
    Heartbeat,
    /// `IntervalSeconds` of a Retrier.
    RetryInterval,
    /// `MaxDelaySeconds` of a Retrier.
    RetryMaxDelay,
    /// `Seconds` of a Wait.
    Wait,
}

impl Seconds {
    /// The ASL field name.
    pub fn field(self) -> &'static str {
        match self {
            Seconds::Timeout => "TimeoutSeconds",
            Seconds::Heartbeat => "HeartbeatSeconds",
            Seconds::RetryInterval => "IntervalSeconds",
            Seconds::RetryMaxDelay => "MaxDelaySeconds",
            Seconds::Wait => "Seconds",
        }
    }

    /// The field named by its ASL spelling, for the loader.
    pub fn from_field(field: &str) -> Option<Self> {
        [
            Seconds::Timeout,
            Seconds::Heartbeat,
            Seconds::RetryInterval,
            Seconds::RetryMaxDelay,
            Seconds::Wait,
        ]
        .into_iter()
        .find(|s| s.field() == field)
    }

    /// The smallest value AWS accepts: a zero timeout, heartbeat or retry interval is refused
    /// at creation; a zero wait is a no-op AWS allows.
    pub fn minimum(self) -> u64 {
        match self {
            Seconds::Wait => 0,
            _ => 1,
        }
    }

    /// The largest value AWS accepts, where its documentation states one.
    pub fn limit(self) -> Option<Limit> {
        match self {
            Seconds::Wait => Some(Limit {
                field: "Seconds",
                maximum: MAX_SECONDS_OR_ATTEMPTS,
                help: "AWS: \"You must specify time as a positive, integer value from 0 up to \
                       99999999\" (about 3.17 years); a standard execution ends after one year \
                       in any case",
            }),
            Seconds::RetryInterval => Some(Limit {
                field: "IntervalSeconds",
                maximum: MAX_SECONDS_OR_ATTEMPTS,
                help: "AWS: IntervalSeconds \"has a maximum value of 99999999\"",
            }),
            Seconds::Timeout | Seconds::Heartbeat | Seconds::RetryMaxDelay => None,
        }
    }

    /// `Err` with the reason when AWS would refuse `value` here.
    pub fn check(self, value: u64) -> Result<(), &'static str> {
        if value < self.minimum() {
            return Err(match self {
                Seconds::Timeout => "a timeout must be at least 1 second",
                Seconds::Heartbeat => "a heartbeat must be at least 1 second",
                Seconds::RetryInterval => "a retry interval must be at least 1 second",
                Seconds::RetryMaxDelay => "a retry max delay must be at least 1 second",
                Seconds::Wait => "a wait cannot be negative",
            });
        }
        Ok(())
    }
}

/// Wait `Seconds`, Retry `IntervalSeconds` and `MaxAttempts`: AWS's documentation gives each
/// "a maximum value of 99999999" (about 3.17 years, or 99,999,999 attempts).
pub const MAX_SECONDS_OR_ATTEMPTS: u64 = 99_999_999;

/// A maximum AWS states for a number in a definition, and its words for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// The ASL field name.
    pub field: &'static str,
    pub maximum: u64,
    /// AWS's documentation, quoted, for help texts.
    pub help: &'static str,
}

impl Limit {
    /// Whether `value` is more than AWS accepts.
    pub fn exceeded_by(self, value: u64) -> bool {
        value > self.maximum
    }
}

/// A Retrier's `MaxAttempts`.
pub const MAX_ATTEMPTS: Limit = Limit {
    field: "MaxAttempts",
    maximum: MAX_SECONDS_OR_ATTEMPTS,
    help: "AWS: MaxAttempts \"has a maximum value of 99999999\"",
};

/// A Distributed Map's ItemBatcher `MaxInputBytesPerBatch`: a child's input, like any payload,
/// is at most 256 KiB.
pub const MAX_INPUT_BYTES_PER_BATCH: Limit = Limit {
    field: "MaxInputBytesPerBatch",
    maximum: 262_144,
    help: "AWS: MaxInputBytesPerBatch \"can be up to 256 KiB\" (262,144 bytes)",
};

/// A Task's heartbeat must be shorter than its timeout: a heartbeat that can only fire after
/// the timeout is refused at creation.
pub fn heartbeat_within_timeout(heartbeat: u64, timeout: u64) -> Result<(), String> {
    if heartbeat >= timeout {
        return Err(format!(
            "HeartbeatSeconds ({heartbeat}) must be less than TimeoutSeconds ({timeout})"
        ));
    }
    Ok(())
}

/// A timestamp literal (Wait `Timestamp`, `Timestamp*` comparisons) AWS accepts: RFC 3339
/// with an uppercase `T` and `Z`, a real date and time.
pub fn timestamp(text: &str) -> Result<(), &'static str> {
    match crate::time::parse_timestamp(text) {
        Some(_) => Ok(()),
        None => Err(TIMESTAMP_HELP),
    }
}

/// What a valid timestamp looks like, for help texts.
pub const TIMESTAMP_HELP: &str = "timestamps are RFC 3339 with an uppercase T and Z, e.g. `2024-01-31T09:00:00Z` or `2024-01-31T09:00:00.5+01:00`";

/// A Retrier's `BackoffRate` must be at least 1.0.
pub fn backoff_rate(rate: f64) -> Result<(), &'static str> {
    if rate.is_finite() && rate >= 1.0 {
        Ok(())
    } else {
        Err("the backoff rate must be 1.0 or more")
    }
}

/// AWS's quota on a state machine definition: "Maximum size of state machine definition: 1 MB,
/// hard quota" (Step Functions service quotas), and CreateStateMachine's `definition` member
/// has "Maximum length of 1048576" (API reference; botocore's model: `max: 1048576`). AWS
/// measures the string it is sent, whitespace included: a definition deployed as written (by
/// Terraform's `file()` or `templatefile()`, the CLI's `file://`) counts its indentation.
/// Measured here in bytes of UTF-8, never fewer than the characters AWS may count.
pub const MAX_DEFINITION_BYTES: usize = 1_048_576;

/// The fewest characters a state can take in a definition: a Fail state (no field is required
/// but `Type`) with an empty name, `"":{"Type":"Fail"}`, 18 characters, and the comma that
/// parts it from the next state, minified. Every other kind needs more (`{"Type":"Succeed"}`,
/// or `Next`/`End`).
pub const MIN_STATE_CHARS: usize = 19;

/// The most states a definition AWS can deploy holds, 55,188: n states take at least 19n - 1
/// characters, so 55,189 take 1,048,590, past [`MAX_DEFINITION_BYTES`] even minified. flowc refuses
/// more before it decodes, lowers or checks them, the phases whose memory grows with the
/// state count (30 nested Parallels around 330,000 Pass states, 4 MiB of `.flow`, took
/// 1.6 GB to check), so every command stays far within 1 GiB on any definition it reads.
pub const MAX_STATES: usize = MAX_DEFINITION_BYTES / MIN_STATE_CHARS;

/// The size of a JSON text, counted as it is written (in pieces, so a text need not be held
/// to be measured): all its bytes, and the bytes left with its insignificant whitespace removed
/// (what the same definition takes sent minified). One pass; the text is JSON that has loaded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JsonSize {
    /// Every byte.
    pub bytes: usize,
    /// The bytes outside whitespace between tokens.
    pub compact: usize,
    in_string: bool,
    escaped: bool,
}

impl JsonSize {
    /// The size of a whole text.
    pub fn of(text: &str) -> Self {
        let mut size = Self::default();
        size.add(text.as_bytes());
        size
    }

    /// Counts the next piece of the text.
    pub fn add(&mut self, piece: &[u8]) {
        self.bytes += piece.len();
        for &byte in piece {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if byte == b'\\' {
                    self.escaped = true;
                } else if byte == b'"' {
                    self.in_string = false;
                }
            } else if matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
                continue;
            } else if byte == b'"' {
                self.in_string = true;
            }
            self.compact += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_seconds_is_refused_except_for_a_wait() {
        assert!(Seconds::Timeout.check(0).is_err());
        assert!(Seconds::Heartbeat.check(0).is_err());
        assert!(Seconds::RetryInterval.check(0).is_err());
        assert!(Seconds::RetryMaxDelay.check(0).is_err());
        assert!(Seconds::Wait.check(0).is_ok());
        assert!(Seconds::Timeout.check(1).is_ok());
        assert_eq!(
            Seconds::from_field("IntervalSeconds"),
            Some(Seconds::RetryInterval)
        );
    }

    #[test]
    fn heartbeat_must_be_below_timeout_and_timestamps_real() {
        assert!(heartbeat_within_timeout(30, 10).is_err());
        assert!(heartbeat_within_timeout(10, 10).is_err());
        assert!(heartbeat_within_timeout(9, 10).is_ok());
        assert!(timestamp("not-a-date").is_err());
        assert!(timestamp("2024-02-30T00:00:00Z").is_err(), "no 30 February");
        assert!(timestamp("2024-02-29T00:00:00Z").is_ok());
        assert!(backoff_rate(0.5).is_err());
        assert!(backoff_rate(1.0).is_ok());
    }

    #[test]
    fn waits_retry_intervals_and_attempts_stop_at_awss_maximum() {
        for limit in [
            Seconds::Wait.limit(),
            Seconds::RetryInterval.limit(),
            Some(MAX_ATTEMPTS),
        ] {
            let Some(limit) = limit else {
                panic!("Wait, IntervalSeconds and MaxAttempts have a limit");
            };
            assert!(!limit.exceeded_by(99_999_999), "{}", limit.field);
            assert!(limit.exceeded_by(100_000_000), "{}", limit.field);
        }
        assert_eq!(Seconds::Timeout.limit(), None);
    }

    #[test]
    fn compact_length_drops_whitespace_outside_strings_only() {
        let pretty = "{\n  \"a b\": \"x \\\" y\",\n\t\"c\": [1, 2]\r\n}\n";
        let compact = r#"{"a b":"x \" y","c":[1,2]}"#;
        assert_eq!(JsonSize::of(pretty).compact, compact.len());
        assert_eq!(JsonSize::of(pretty).bytes, pretty.len());
        assert_eq!(JsonSize::of(compact).compact, compact.len());
        assert_eq!(
            JsonSize::of(r#"["\\", " "]"#).compact,
            r#"["\\"," "]"#.len()
        );
        // Counted in pieces that split a string and an escape: the same answer.
        let mut pieces = JsonSize::default();
        for piece in pretty.as_bytes().chunks(3) {
            pieces.add(piece);
        }
        assert_eq!(pieces, JsonSize::of(pretty));
    }
}
