//! `--require PROPERTY`: what every explored run must satisfy.
//!
//! - `STATUS passes STATE`: every run that ends STATUS (`FAILED`, `SUCCEEDED`, `TIMED_OUT`)
//!   entered STATE (`FAILED passes MarkTenantFailed`: every failure is recorded).
//! - `every path ends within DURATION` (or `ends within DURATION`): simulated time, `90s`,
//!   `15m`, `2h`, `1d`, `1h30m`, or plain seconds.
//! - `STATUS never` / `ERROR never` (or `never ...`): no run ends with that status, or with
//!   that error (`TIMED_OUT never`, `States.Runtime never`).
//!
//! Each is checked on every run, not only on the witnesses; a violation keeps its shortest
//! violating run as the counterexample.

use super::Run;
use super::error::ExploreError;

const STATUSES: [&str; 3] = ["SUCCEEDED", "FAILED", "TIMED_OUT"];

#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Passes { status: &'static str, state: String },
    Within { seconds: f64 },
    NeverStatus(&'static str),
    NeverError(String),
}

/// A property as written, and what it means.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub text: String,
    pub rule: Rule,
}

fn status(word: &str) -> Option<&'static str> {
    STATUSES
        .iter()
        .find(|s| s.eq_ignore_ascii_case(word))
        .copied()
}

/// Parses one `--require`; `states` are the machine's state names (a STATE must be one).
pub fn parse(text: &str, states: &[&str]) -> Result<Property, ExploreError> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let bad = |message: String| ExploreError::Require {
        property: text.to_string(),
        message,
    };
    let rule = match words.as_slice() {
        [st, "passes", state] => {
            let status = status(st).ok_or_else(|| {
                bad(format!(
                    "`{st}` is not an execution status ({})",
                    STATUSES.join(", ")
                ))
            })?;
            if !states.contains(state) {
                let nearest = states
                    .iter()
                    .max_by(|a, b| {
                        strsim::jaro_winkler(state, a)
                            .partial_cmp(&strsim::jaro_winkler(state, b))
                            .unwrap_or(std::cmp::Ordering::Equal)
                    })
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                return Err(bad(format!("the machine has no state `{state}`{nearest}")));
            }
            Rule::Passes {
                status,
                state: (*state).to_string(),
            }
        }
        ["every", "path", "ends", "within", d] | ["ends", "within", d] => Rule::Within {
            seconds: duration(d).ok_or_else(|| {
                bad(format!(
                    "`{d}` is not a duration (write `90s`, `15m`, `2h`, `1d`, `1h30m` or seconds)"
                ))
            })?,
        },
        [what, "never"] | ["never", what] => match status(what) {
            Some(status) => Rule::NeverStatus(status),
            None => Rule::NeverError((*what).to_string()),
        },
        _ => {
            return Err(bad(
                "it is none of the forms flowc explore knows".to_string()
            ));
        }
    };
    Ok(Property {
        text: text.to_string(),
        rule,
    })
}

/// `1h30m` -> 5400.0; plain numbers are seconds.
fn duration(text: &str) -> Option<f64> {
    if let Ok(seconds) = text.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then_some(seconds);
    }
    let mut total = 0.0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1.0,
            'm' => 60.0,
            'h' => 3600.0,
            'd' => 86400.0,
            _ => return None,
        };
        let n: f64 = number.parse().ok()?;
        total += n * unit;
        number.clear();
    }
    number.is_empty().then_some(total)
}

impl Property {
    /// Whether `run` violates the property; `None` when it does not apply to the run.
    fn violated_by(&self, run: &Run) -> Option<bool> {
        match &self.rule {
            Rule::Passes { status, state } => {
                (run.key.status == *status).then(|| !run.path.iter().any(|s| s == state))
            }
            Rule::Within { seconds } => Some(run.duration_seconds > *seconds),
            Rule::NeverStatus(status) => Some(run.key.status == *status),
            Rule::NeverError(error) => Some(run.key.error.as_deref() == Some(error.as_str())),
        }
    }
}

/// A property's result over the runs.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub property: Property,
    /// Runs the property applied to.
    pub applied: usize,
    pub violations: usize,
    /// The shortest violating run.
    pub counterexample: Option<Run>,
}

impl Verdict {
    pub fn new(property: Property) -> Self {
        Self {
            property,
            applied: 0,
            violations: 0,
            counterexample: None,
        }
    }

    pub fn holds(&self) -> bool {
        self.violations == 0
    }

    pub(crate) fn check(&mut self, run: &Run) {
        let Some(violated) = self.property.violated_by(run) else {
            return;
        };
        self.applied += 1;
        if violated {
            self.violations += 1;
            if self
                .counterexample
                .as_ref()
                .is_none_or(|c| run.rank() < c.rank())
            {
                self.counterexample = Some(run.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(duration("90s"), Some(90.0));
        assert_eq!(duration("1h30m"), Some(5400.0));
        assert_eq!(duration("2h"), Some(7200.0));
        assert_eq!(duration("1d"), Some(86400.0));
        assert_eq!(duration("45"), Some(45.0));
        assert_eq!(duration("2x"), None);
        assert_eq!(duration("h"), None);
        assert_eq!(duration("5m3"), None);
    }

    #[test]
    fn properties_parse_and_name_what_is_wrong() {
        let states = ["MarkFailed", "Done"];
        let p = parse("FAILED passes MarkFailed", &states).map(|p| p.rule);
        assert!(matches!(
            p,
            Ok(Rule::Passes {
                status: "FAILED",
                ..
            })
        ));
        let p = parse("failed passes MarkFailed", &states).map(|p| p.rule);
        assert!(matches!(
            p,
            Ok(Rule::Passes {
                status: "FAILED",
                ..
            })
        ));
        let p = parse("every path ends within 2h", &states).map(|p| p.rule);
        assert_eq!(p.ok(), Some(Rule::Within { seconds: 7200.0 }));
        let p = parse("TIMED_OUT never", &states).map(|p| p.rule);
        assert_eq!(p.ok(), Some(Rule::NeverStatus("TIMED_OUT")));
        let p = parse("never States.Runtime", &states).map(|p| p.rule);
        assert_eq!(p.ok(), Some(Rule::NeverError("States.Runtime".into())));
        let e = parse("FAILED passes MarkFaild", &states).map(|p| p.rule);
        assert!(
            matches!(e, Err(ExploreError::Require { message, .. }) if message.contains("did you mean `MarkFailed`"))
        );
        assert!(parse("sometimes FAILED", &states).is_err());
        assert!(parse("ends within soon", &states).is_err());
    }
}
