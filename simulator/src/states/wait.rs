//! Wait: moves the virtual clock, never the wall clock.

use crate::choice::parse_timestamp;
use crate::doc::Doc;
use crate::error::Failure;
use crate::program::WaitDef;
use crate::run::{Engine, Stop, eval_err};
use serde_json::Value;

impl Engine<'_> {
    pub(crate) fn wait(
        &mut self,
        state: &str,
        entered: u64,
        def: &WaitDef,
        eff: &Doc,
        ctx: &Value,
    ) -> Result<(), Stop> {
        let runtime = |reason: String| Stop::Error(Failure::runtime(state, entered, reason));
        let select = |_: &Engine<'_>, p: &crate::jsonpath::Path| {
            crate::query::select_value(p, eff, ctx).map_err(|e| eval_err(state, entered, e))
        };
        match def {
            WaitDef::Seconds(s) => self.advance(*s),
            WaitDef::SecondsPath(p) => {
                let v = select(self, p)?;
                match v.as_f64() {
                    Some(s) if s >= 0.0 => self.advance(s),
                    _ => Err(runtime(format!(
                        "The SecondsPath parameter does not reference a valid non-negative integer: {}",
                        p.as_str()
                    ))),
                }
            }
            WaitDef::Timestamp(t) => match parse_timestamp(t) {
                Some(at) => {
                    self.clock.advance_to(at.with_timezone(&chrono::Utc));
                    self.advance(0.0)
                }
                None => Err(runtime(format!(
                    "The Timestamp '{t}' is not a valid timestamp"
                ))),
            },
            WaitDef::TimestampPath(p) => {
                let v = select(self, p)?;
                match v.as_str().and_then(parse_timestamp) {
                    Some(at) => {
                        self.clock.advance_to(at.with_timezone(&chrono::Utc));
                        self.advance(0.0)
                    }
                    None => Err(runtime(format!(
                        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {}",
                        p.as_str()
                    ))),
                }
            }
        }
    }
}
