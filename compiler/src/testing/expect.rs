//! Expectations against an outcome: each mismatch becomes one readable line.

use flowc_asl::intrinsic::json_eq;
use flowc_sim::{Outcome, Status};
use serde_json::Value;

use super::spec::{DurationExpect, Expect, ExpectedStatus};

/// Simulated durations are sums of whole and fractional seconds; compare with a little slack.
const DURATION_TOLERANCE: f64 = 1e-6;

pub fn check(expect: &Expect, outcome: &Outcome) -> Vec<String> {
    let mut failures = Vec::new();
    let status = match outcome.status {
        Status::Succeeded => ExpectedStatus::Succeeded,
        Status::Failed => ExpectedStatus::Failed,
        Status::TimedOut => ExpectedStatus::TimedOut,
    };
    if status != expect.status {
        let detail = match (&outcome.error, &outcome.cause) {
            (Some(e), Some(c)) => format!(" ({e}: {c})"),
            (Some(e), None) => format!(" ({e})"),
            _ => String::new(),
        };
        failures.push(format!(
            "status: expected {}, got {}{detail}",
            status_name(expect.status),
            status_name(status)
        ));
    }
    let output = outcome.output();
    if let Some(expected) = &expect.output {
        match output {
            Some(actual) if json_eq(expected, actual) => {}
            actual => failures.push(format!(
                "output: expected {}, got {}",
                short(expected),
                actual.map_or("no output".to_string(), short)
            )),
        }
    }
    if let Some(expected) = &expect.output_contains {
        match &output {
            Some(actual) => {
                if let Some(at) = first_missing(expected, actual, "$") {
                    failures.push(format!(
                        "output: does not contain {} (first difference at {at}); output was {}",
                        short(expected),
                        short(actual)
                    ));
                }
            }
            None => failures.push("output: expected some output, got none".to_string()),
        }
    }
    compare_text(
        "error",
        expect.error.as_deref(),
        outcome.error.as_deref(),
        &mut failures,
    );
    compare_text(
        "cause",
        expect.cause.as_deref(),
        outcome.cause.as_deref(),
        &mut failures,
    );
    if let Some(message) = expect
        .path
        .as_ref()
        .and_then(|expected| path_difference(expected, &outcome.path.to_vec()))
    {
        failures.push(message);
    }
    let actual = outcome.duration_seconds;
    match expect.duration_seconds {
        Some(DurationExpect::Exact(expected)) if (expected - actual).abs() > DURATION_TOLERANCE => {
            failures.push(format!(
                "duration: expected {expected} s simulated, got {actual} s"
            ));
        }
        Some(DurationExpect::Range { min, max })
            if actual < min - DURATION_TOLERANCE || actual > max + DURATION_TOLERANCE =>
        {
            failures.push(format!(
                "duration: expected {min} to {max} s simulated, got {actual} s"
            ));
        }
        _ => {}
    }
    failures
}

fn compare_text(what: &str, expected: Option<&str>, actual: Option<&str>, out: &mut Vec<String>) {
    if let Some(expected) = expected
        && actual != Some(expected)
    {
        out.push(format!(
            "{what}: expected {expected:?}, got {}",
            actual.map_or("none".to_string(), |a| format!("{a:?}"))
        ));
    }
}

pub fn status_name(status: ExpectedStatus) -> &'static str {
    match status {
        ExpectedStatus::Succeeded => "SUCCEEDED",
        ExpectedStatus::Failed => "FAILED",
        ExpectedStatus::TimedOut => "TIMED_OUT",
    }
}

/// Names the first position where the visited states differ, with a little context.
fn path_difference<E: AsRef<str>, A: AsRef<str>>(expected: &[E], actual: &[A]) -> Option<String> {
    let first = expected
        .iter()
        .zip(actual)
        .position(|(e, a)| e.as_ref() != a.as_ref())
        .or_else(|| (expected.len() != actual.len()).then(|| expected.len().min(actual.len())))?;
    fn show<T: AsRef<str>>(p: &[T], first: usize) -> String {
        let from = first.saturating_sub(2);
        let shown: Vec<&str> = p.iter().skip(from).take(5).map(AsRef::as_ref).collect();
        let more = if p.len() > from + 5 { ", ..." } else { "" };
        format!("[{}{more}]", shown.join(", "))
    }
    Some(format!(
        "path: differs at state #{} (of {} expected, {} visited): expected {} got {}",
        first + 1,
        expected.len(),
        actual.len(),
        show(expected, first),
        show(actual, first)
    ))
}

/// Subset match: every key of an expected object must be present with a matching value; other
/// values must be equal. Returns where the first difference is.
fn first_missing(expected: &Value, actual: &Value, at: &str) -> Option<String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e.iter().find_map(|(k, ev)| match a.get(k) {
            Some(av) => first_missing(ev, av, &format!("{at}.{k}")),
            None => Some(format!("{at}.{k} (missing)")),
        }),
        _ if json_eq(expected, actual) => None,
        _ => Some(at.to_string()),
    }
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 300 {
        format!("{}...", text.chars().take(300).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subset_match_reports_the_first_missing_key() {
        let actual = json!({"a": {"b": 1, "c": 2}, "d": [1]});
        assert_eq!(first_missing(&json!({"a": {"b": 1.0}}), &actual, "$"), None);
        assert_eq!(
            first_missing(&json!({"a": {"x": 1}}), &actual, "$"),
            Some("$.a.x (missing)".to_string())
        );
        assert_eq!(
            first_missing(&json!({"d": [2]}), &actual, "$"),
            Some("$.d".to_string())
        );
    }

    #[test]
    fn path_difference_points_at_the_first_divergence() {
        let p = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(path_difference(&p(&["A", "B"]), &p(&["A", "B"])), None);
        let message = path_difference(&p(&["A", "B", "C"]), &p(&["A", "X", "C"]));
        assert_eq!(
            message.as_deref(),
            Some(
                "path: differs at state #2 (of 3 expected, 3 visited): expected [A, B, C] got [A, X, C]"
            )
        );
        let shorter = path_difference(&p(&["A", "B"]), &p(&["A"]));
        assert!(shorter.is_some_and(|m| m.contains("#2")));
    }
}
