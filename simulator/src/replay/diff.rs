//! The event-by-event comparison of a recorded history with a simulated one: type, state name,
//! every recorded detail (payloads compared as JSON by the conformance corpus's rules, after
//! normalising Step Functions ARNs, timestamps and task tokens), and timing on the virtual
//! clock.
//!
//! Every difference names its sides the same way: "recorded (AWS)" for the history given
//! (what AWS, or whatever wrote the history, did) and "simulated (flowc)" for what the
//! simulator did with the definition given.

use super::recording::{Event, Recording};
use crate::conformance::compare::{Normalizer, Sides, clip};
use serde_json::Value;

/// Details AWS writes that depend on the account or the SDK, not on the workflow: not compared.
const UNCOMPARED: [&str; 7] = [
    "roleArn",
    "inputDetails",
    "outputDetails",
    "assignedVariablesDetails",
    "stateMachineAliasArn",
    "stateMachineVersionArn",
    "taskCredentials",
];

/// The recording's side of a difference.
pub(crate) const RECORDED: &str = "recorded (AWS)";
/// The simulation's side of a difference.
pub(crate) const SIMULATED: &str = "simulated (flowc)";

const SIDES: Sides = Sides {
    expected: RECORDED,
    actual: SIMULATED,
    missing: "only recorded (AWS)",
    extra: "only simulated (flowc)",
};

/// Details holding JSON text: compared parsed.
const PAYLOADS: [&str; 3] = ["input", "output", "parameters"];

/// How far to look ahead for a recorded event's counterpart where branches interleave.
const WINDOW: usize = 4096;

/// Where the simulation and the recording part ways.
#[derive(Debug, Clone, PartialEq)]
pub struct Divergence {
    /// The recorded event's position (from 1), or the recording's length plus one when the
    /// simulation wrote more events.
    pub event: usize,
    /// What differs.
    pub reason: String,
    /// The recorded event as written, when there is one.
    pub recorded: Option<Value>,
    /// The simulated event (GetExecutionHistory's JSON), when there is one.
    pub simulated: Option<Value>,
}

struct Simulated {
    kind: String,
    at_ms: Option<i64>,
    raw: Value,
}

impl Simulated {
    fn detail(&self, key: &str) -> Option<&Value> {
        self.details().and_then(|d| d.get(key))
    }

    fn details(&self) -> Option<&serde_json::Map<String, Value>> {
        self.raw.as_object().and_then(|o| {
            o.iter().find_map(|(k, v)| match v {
                Value::Object(m) if k.ends_with("EventDetails") => Some(m),
                _ => None,
            })
        })
    }
}

fn state_of<'e>(kind: &str, name: Option<&'e Value>) -> Option<&'e str> {
    (kind.ends_with("StateEntered") || kind.ends_with("StateExited"))
        .then(|| name.and_then(Value::as_str))
        .flatten()
}

/// Compares one recorded event with one simulated one: `Ok` or what differs.
fn same_event(
    norm: &Normalizer<'_>,
    uncompared: &[&str],
    recorded: &Event,
    simulated: &Simulated,
) -> Result<(), String> {
    if recorded.kind != simulated.kind {
        return Err(format!(
            "{RECORDED} {}, {SIMULATED} {}",
            describe(&recorded.kind, recorded.state_name()),
            describe(
                &simulated.kind,
                state_of(&simulated.kind, simulated.detail("name"))
            )
        ));
    }
    let Some((_, details)) = &recorded.details else {
        return Ok(());
    };
    for (key, want) in details {
        if UNCOMPARED.contains(&key.as_str()) || uncompared.contains(&key.as_str()) {
            continue;
        }
        let Some(got) = simulated.detail(key) else {
            return Err(format!(
                "{}: {RECORDED} has `{key}` {}, {SIMULATED} has none",
                recorded.kind,
                clip(&want.to_string(), 200)
            ));
        };
        let at = format!("{}.{key}", recorded.kind);
        match (want, got) {
            (Value::String(w), Value::String(g))
                if PAYLOADS.contains(&key.as_str()) || key == "cause" =>
            {
                match (
                    serde_json::from_str::<Value>(w),
                    serde_json::from_str::<Value>(g),
                ) {
                    (Ok(w), Ok(g)) if key != "cause" || w.is_object() || w.is_array() => {
                        norm.json_match_as(&SIDES, &norm.value(&w), &norm.value(&g), &at)?;
                    }
                    _ => {
                        if !norm.strings_match(&norm.text(w), &norm.text(g)) {
                            return Err(format!(
                                "{at}: {RECORDED} {:?}, {SIMULATED} {:?}",
                                clip(w, 300),
                                clip(g, 300)
                            ));
                        }
                    }
                }
            }
            _ => norm.json_match_as(&SIDES, &norm.value(want), &norm.value(got), &at)?,
        }
    }
    Ok(())
}

fn describe(kind: &str, state: Option<&str>) -> String {
    match state {
        Some(state) => format!("{kind} `{state}`"),
        None => kind.to_string(),
    }
}

/// Compares the recording with the simulated history's JSON; the first divergence, if any.
/// Where branches ran side by side, each recorded event is matched with the first simulated
/// event not yet matched that is the same; elsewhere events are compared in order. Timing:
/// between one recorded event and the next, the simulation may take at most
/// `tolerance_ms` more or less time than AWS did (AWS's own processing takes milliseconds a
/// state, which the virtual clock does not count).
pub(crate) fn first_divergence(
    norm: &Normalizer<'_>,
    recording: &Recording,
    simulated: &Value,
    tolerance_ms: i64,
    uncompared: &[&str],
) -> Option<Divergence> {
    let simulated: Vec<Simulated> = simulated
        .get("events")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|raw| Simulated {
                    kind: raw
                        .get("type")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    at_ms: raw.get("timestamp").and_then(|t| {
                        t.as_str()
                            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                            .map(|t| t.timestamp_millis())
                    }),
                    raw: raw.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let concurrent = recording.concurrent();
    let mut matched = vec![false; simulated.len()];
    let mut lowest = 0;
    let rec_start = recording.events.first().and_then(|e| e.at_ms);
    let sim_start = simulated.first().and_then(|e| e.at_ms);
    let mut previous_drift: Option<i64> = None;
    for (i, recorded) in recording.events.iter().enumerate() {
        let diverge = |reason: String, sim: Option<&Simulated>| Divergence {
            event: i + 1,
            reason,
            recorded: Some(recorded.raw.clone()),
            simulated: sim.map(|s| s.raw.clone()),
        };
        while matched.get(lowest).copied().unwrap_or(false) {
            lowest += 1;
        }
        let found = if concurrent {
            let end = simulated.len().min(lowest + WINDOW);
            (lowest..end).find(|&j| {
                !matched.get(j).copied().unwrap_or(true)
                    && simulated
                        .get(j)
                        .is_some_and(|s| same_event(norm, uncompared, recorded, s).is_ok())
            })
        } else {
            match simulated.get(i) {
                Some(s) => {
                    if let Err(why) = same_event(norm, uncompared, recorded, s) {
                        return Some(diverge(why, Some(s)));
                    }
                    Some(i)
                }
                None => None,
            }
        };
        let Some(j) = found else {
            // The nearest counterpart to show: the first unmatched event of the same type
            // (and state), else the first unmatched one.
            let candidates =
                (lowest..simulated.len()).filter(|&j| !matched.get(j).copied().unwrap_or(true));
            let same_kind = candidates.clone().find(|&j| {
                simulated.get(j).is_some_and(|s| {
                    s.kind == recorded.kind
                        && state_of(&s.kind, s.detail("name")) == recorded.state_name()
                })
            });
            let shown = same_kind.or_else(|| candidates.clone().next());
            let sim = shown.and_then(|j| simulated.get(j));
            let reason = match sim {
                Some(s) => same_event(norm, uncompared, recorded, s)
                    .err()
                    .unwrap_or_else(|| "no counterpart in the simulation".into()),
                None => format!(
                    "{SIMULATED} ended after {} events; {RECORDED} goes on with {}",
                    simulated.len(),
                    describe(&recorded.kind, recorded.state_name())
                ),
            };
            return Some(diverge(reason, sim));
        };
        if let Some(slot) = matched.get_mut(j) {
            *slot = true;
        }
        let sim = simulated.get(j);
        if let (Some(r0), Some(s0), Some(r), Some(s)) = (
            rec_start,
            sim_start,
            recorded.at_ms,
            sim.and_then(|s| s.at_ms),
        ) {
            let drift = (r - r0) - (s - s0);
            if let Some(before) = previous_drift
                && (drift - before).abs() > tolerance_ms
            {
                return Some(diverge(
                    format!(
                        "timing: {RECORDED} reached this event {:.3} s after the execution \
                         started, {SIMULATED} {:.3} s (the gap from the event before differs by \
                         {:.3} s, more than the {:.3} s allowed)",
                        (r - r0) as f64 / 1000.0,
                        (s - s0) as f64 / 1000.0,
                        (drift - before).abs() as f64 / 1000.0,
                        tolerance_ms as f64 / 1000.0
                    ),
                    sim,
                ));
            }
            previous_drift = Some(drift);
        }
    }
    let extra = matched.iter().position(|m| !m)?;
    let sim = simulated.get(extra)?;
    Some(Divergence {
        event: recording.events.len() + 1,
        reason: format!(
            "{RECORDED} ends after {} events; {SIMULATED} goes on with {}",
            recording.events.len(),
            describe(&sim.kind, state_of(&sim.kind, sim.detail("name")))
        ),
        recorded: None,
        simulated: Some(sim.raw.clone()),
    })
}
