//! Wait: the strand sleeps on the virtual clock, never the wall clock; its siblings run
//! meanwhile.
//!
//! AWS's limits, as its Wait documentation states them: seconds are an integer from 0 to
//! 99,999,999 (`SecondsPath` must select one; 1.5 or -1 fail the state with `States.Runtime`);
//! a timestamp counts to the second (milliseconds are truncated); and no wait outlasts the
//! execution's maximum duration (one year for STANDARD, five minutes for EXPRESS), where the
//! execution times out.

use crate::doc::Doc;
use crate::error::Failure;
use crate::jsonata::type_error;
use crate::program::{State, WaitDef};
use crate::query::{EvalError, Roots};
use crate::run::{AssignFrom, Cx, Engine, Entry, StateDone, Stop, eval_err};
use crate::sched::SleepUntil;
use chrono::{DateTime, Timelike, Utc};
use flowc_asl::parse_timestamp;
use serde_json::Value;

/// The largest number of seconds a Wait accepts: the loader's and the checker's rule.
pub(crate) const MAX_WAIT_SECONDS: u64 = flowc_asl::rules::MAX_SECONDS_OR_ATTEMPTS;

pub(crate) async fn run_wait<'a>(
    cx: &Cx<'a>,
    state: &'a State,
    def: &'a WaitDef,
    raw: Doc,
    entry: &Entry,
) -> Result<StateDone<'a>, Stop> {
    let err = |e| eval_err(&state.name, entry.entered, e);
    let (eff, due) = {
        let engine = cx.borrow();
        let eff = engine.owned_input(state, raw, &entry.ctx).map_err(err)?;
        let due = engine.wait_until(&state.name, entry.entered, def, &eff, &entry.ctx)?;
        (eff, due)
    };
    SleepUntil::new(cx, due).await;
    let next = match &state.transition {
        crate::program::Transition::Next(n) => Some(n),
        crate::program::Transition::End => None,
    };
    let mut engine = cx.borrow_mut();
    // Assign and Output are evaluated when the wait is over (`$now()` reads that instant).
    let (out, assigned) = match &state.jsonata {
        Some(def) => {
            let bindings = engine.bindings(&eff, &entry.ctx);
            let assigned = engine
                .assign(
                    state.assign.as_ref(),
                    AssignFrom::Jsonata {
                        bindings: &bindings,
                        field: "Assign",
                    },
                )
                .map_err(err)?;
            let out = crate::run::jsonata_output(def.output.as_ref(), "Output", &bindings, eff)
                .map_err(err)?;
            (out, assigned)
        }
        None => {
            let assigned = engine
                .assign(
                    state.assign.as_ref(),
                    AssignFrom::Paths {
                        data: &eff,
                        roots: &entry.ctx,
                    },
                )
                .map_err(err)?;
            (
                engine.output_path(state, eff, &entry.ctx).map_err(err)?,
                assigned,
            )
        }
    };
    Ok(StateDone {
        output: out,
        next,
        written: None,
        assigned,
    })
}

/// A timestamp as AWS waits for it: to the second.
fn to_the_second(at: DateTime<Utc>) -> DateTime<Utc> {
    at.with_nanosecond(0).unwrap_or(at)
}

impl Engine<'_> {
    /// When the Wait ends, in simulated milliseconds since the start.
    fn wait_until(
        &self,
        state: &str,
        entered: u64,
        def: &WaitDef,
        eff: &Doc,
        ctx: &Roots,
    ) -> Result<i64, Stop> {
        let runtime = |reason: String| Stop::Error(Failure::runtime(state, entered, reason));
        let select = |p: &crate::jsonpath::Path| {
            crate::query::select_value(p, eff, ctx).map_err(|e| eval_err(state, entered, e))
        };
        let jsonata = |e: &flowc_asl::JsonataString, field: &str| {
            self.bindings(eff, ctx)
                .expression(e, field)
                .map_err(|q| eval_err(state, entered, EvalError::Query(q)))
        };
        let at = |t: DateTime<Utc>| {
            let ms = (to_the_second(t) - self.clock.start()).num_milliseconds();
            ms.max(self.clock.elapsed_ms())
        };
        match def {
            WaitDef::Seconds(s) => Ok(self.due_in(*s)),
            WaitDef::SecondsPath(p) => {
                let v = select(p)?;
                match whole_seconds(&v) {
                    Some(s) => Ok(self.due_in(s as f64)),
                    None => Err(runtime(format!(
                        "The SecondsPath parameter does not reference a valid integer between 0 and {MAX_WAIT_SECONDS}: {} (it selected {})",
                        p.as_str(),
                        crate::json::to_text(&v)
                    ))),
                }
            }
            WaitDef::Timestamp(t) => match parse_timestamp(t) {
                Some(t) => Ok(at(t.with_timezone(&Utc))),
                None => Err(runtime(format!(
                    "The Timestamp '{t}' is not a valid timestamp"
                ))),
            },
            WaitDef::TimestampPath(p) => {
                let v = select(p)?;
                match v.as_str().and_then(parse_timestamp) {
                    Some(t) => Ok(at(t.with_timezone(&Utc))),
                    None => Err(runtime(format!(
                        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {}",
                        p.as_str()
                    ))),
                }
            }
            WaitDef::SecondsJsonata(e) => {
                let v = jsonata(e, "Seconds")?;
                match whole_seconds(&v) {
                    Some(s) => Ok(self.due_in(s as f64)),
                    None => Err(eval_err(
                        state,
                        entered,
                        EvalError::Query(type_error(
                            e,
                            "Seconds",
                            "an integer from 0 to 99999999",
                            v,
                        )),
                    )),
                }
            }
            WaitDef::TimestampJsonata(e) => {
                let v = jsonata(e, "Timestamp")?;
                match v.as_str().and_then(parse_timestamp) {
                    Some(t) => Ok(at(t.with_timezone(&Utc))),
                    None => Err(eval_err(
                        state,
                        entered,
                        EvalError::Query(type_error(e, "Timestamp", "a timestamp", v)),
                    )),
                }
            }
        }
    }
}

/// A number of seconds as AWS accepts it: a whole number from 0 to [`MAX_WAIT_SECONDS`]
/// (`5` and `5.0` alike; not `1.5`, `-1` or `1e18`).
fn whole_seconds(v: &Value) -> Option<u64> {
    if let Some(n) = v.as_u64() {
        return (n <= MAX_WAIT_SECONDS).then_some(n);
    }
    let f = v.as_f64()?;
    (f.fract() == 0.0 && (0.0..=MAX_WAIT_SECONDS as f64).contains(&f)).then_some(f as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn seconds_must_be_whole_and_within_aws_range() {
        assert_eq!(whole_seconds(&json!(5)), Some(5));
        assert_eq!(whole_seconds(&json!(5.0)), Some(5));
        assert_eq!(whole_seconds(&json!(0)), Some(0));
        assert_eq!(whole_seconds(&json!(99_999_999)), Some(99_999_999));
        assert_eq!(whole_seconds(&json!(100_000_000)), None);
        assert_eq!(whole_seconds(&json!(1.5)), None);
        assert_eq!(whole_seconds(&json!(-1)), None);
        assert_eq!(whole_seconds(&json!(1e18)), None);
        assert_eq!(whole_seconds(&json!("5")), None);
    }
}
