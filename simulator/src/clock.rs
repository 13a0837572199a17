//! The virtual clock: simulated time only moves when the engine says so (Wait, retry backoff,
//! task durations, timeouts). Nothing here reads the wall clock, so a run is reproducible and a
//! one-hour Wait costs no real time.

use chrono::{DateTime, Duration, TimeZone, Utc};

/// Default start of every simulated execution: 2024-01-01T00:00:00Z. A fixed constant keeps
/// histories byte-identical across runs and machines; callers may pick another start.
pub fn default_start() -> DateTime<Utc> {
    // 1_704_067_200 is 2024-01-01T00:00:00Z; `single()` cannot fail for an in-range instant,
    // but fall back to the epoch rather than panic.
    Utc.timestamp_opt(1_704_067_200, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// The clock stops 1,000 years after the start: far past any execution AWS allows (one year for
/// STANDARD), and well inside chrono's range, so absurd waits cannot overflow date arithmetic.
const MAX_ELAPSED_MS: i64 = 1_000 * 366 * 24 * 3_600 * 1_000;

/// Simulated time, monotonic, millisecond resolution (AWS history timestamps carry milliseconds).
#[derive(Debug, Clone)]
pub struct VirtualClock {
    start: DateTime<Utc>,
    elapsed_ms: i64,
    /// `start + elapsed_ms`, kept up to date as time moves: every history event reads it,
    /// and time moves far less often than events are recorded.
    now: DateTime<Utc>,
}

impl VirtualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            start,
            elapsed_ms: 0,
            now: start,
        }
    }

    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Milliseconds since the start of the execution.
    pub fn elapsed_ms(&self) -> i64 {
        self.elapsed_ms
    }

    /// Moves time forward; negative amounts are ignored so the clock never runs backwards.
    pub fn advance_ms(&mut self, ms: i64) {
        if ms > 0 {
            self.elapsed_ms = self.elapsed_ms.saturating_add(ms).min(MAX_ELAPSED_MS);
            self.now = Duration::try_milliseconds(self.elapsed_ms)
                .and_then(|d| self.start.checked_add_signed(d))
                .unwrap_or(DateTime::<Utc>::MAX_UTC);
        }
    }

    /// Moves time on by `seconds` (the engine's own steps are whole milliseconds: the tests
    /// hold the rounding and saturation here).
    #[cfg(test)]
    pub fn advance_seconds(&mut self, seconds: f64) {
        if seconds.is_finite() && seconds > 0.0 {
            // Rounded to the clock's millisecond resolution; saturate absurd values.
            let ms = (seconds * 1000.0).round();
            self.advance_ms(if ms > i64::MAX as f64 {
                i64::MAX
            } else {
                ms as i64
            });
        }
    }

    /// Moves time to `at` when it lies in the future.
    #[cfg(test)]
    pub fn advance_to(&mut self, at: DateTime<Utc>) {
        let ms = (at - self.now()).num_milliseconds();
        self.advance_ms(ms);
    }
}

impl Default for VirtualClock {
    fn default() -> Self {
        Self::new(default_start())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_start_is_new_year_2024() {
        assert_eq!(default_start().to_rfc3339(), "2024-01-01T00:00:00+00:00");
    }

    #[test]
    fn advancing_moves_now_and_never_goes_back() {
        let mut c = VirtualClock::default();
        c.advance_seconds(1.5);
        assert_eq!(c.elapsed_ms(), 1500);
        c.advance_ms(-10_000);
        assert_eq!(c.elapsed_ms(), 1500);
        let past = default_start();
        c.advance_to(past);
        assert_eq!(c.elapsed_ms(), 1500);
        c.advance_to(past + Duration::seconds(60));
        assert_eq!(c.elapsed_ms(), 60_000);
    }

    #[test]
    fn absurd_waits_saturate_instead_of_overflowing() {
        let mut c = VirtualClock::default();
        c.advance_seconds(1e300);
        c.advance_ms(i64::MAX);
        assert_eq!(c.elapsed_ms(), MAX_ELAPSED_MS);
        assert!(c.now() > default_start());
    }

    #[test]
    fn non_finite_advance_is_ignored() {
        let mut c = VirtualClock::default();
        c.advance_seconds(f64::NAN);
        c.advance_seconds(f64::INFINITY);
        assert_eq!(c.elapsed_ms(), 0);
    }
}
