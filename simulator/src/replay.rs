//! Replay: run a definition against what a recorded execution's tasks answered, and compare the
//! simulated history with the recorded one, event by event.
//!
//! The recording is GetExecutionHistory's JSON (from AWS, `flowc aws history`, or
//! `flowc simulate --history`). From it come the execution input and start time, and every
//! Task attempt's answer: its result, its failure or timeout, a callback's or `.sync` job's
//! submission and answer, and how long after it was scheduled it answered. Those answers are
//! written as MockConfigFile responses (flowc's extensions carry the timing: `AfterSeconds`,
//! `NoAnswer`, `Heartbeats`, `Submitted`), served to the simulator and kept in
//! [`Report::mocks`], so a replay can be saved as a simulation test that answers the same way.
//!
//! The comparison ([`Divergence`]) uses the conformance corpus's JSON rules
//! (`conformance/compare.rs`): type, state name, every recorded detail (payloads parsed; Step
//! Functions ARNs, ISO 8601 timestamps and task tokens normalised), and the time between
//! consecutive events within a tolerance. A detail the recording leaves out (a history fetched
//! without execution data) is not compared.
//!
//! ```
//! use flowc_sim::{Program, replay::{Recording, Replay}};
//! let program = Program::from_json_text(r#"{"StartAt": "Charge", "States": {"Charge": {
//!   "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
//!   "End": true}}}"#)?;
//! let recording = Recording::from_json_text(r#"{"events": [
//!   {"timestamp": 1700000000.0, "type": "ExecutionStarted", "id": 1, "previousEventId": 0,
//!    "executionStartedEventDetails": {"input": "{\"amount\":5}"}},
//!   {"timestamp": 1700000000.0, "type": "TaskStateEntered", "id": 2, "previousEventId": 1,
//!    "stateEnteredEventDetails": {"name": "Charge", "input": "{\"amount\":5}"}},
//!   {"timestamp": 1700000000.0, "type": "LambdaFunctionScheduled", "id": 3, "previousEventId": 2,
//!    "lambdaFunctionScheduledEventDetails": {"resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
//!                                            "input": "{\"amount\":5}"}},
//!   {"timestamp": 1700000000.0, "type": "LambdaFunctionStarted", "id": 4, "previousEventId": 3},
//!   {"timestamp": 1700000042.5, "type": "LambdaFunctionSucceeded", "id": 5, "previousEventId": 4,
//!    "lambdaFunctionSucceededEventDetails": {"output": "{\"paid\":true}"}},
//!   {"timestamp": 1700000042.5, "type": "TaskStateExited", "id": 6, "previousEventId": 5,
//!    "stateExitedEventDetails": {"name": "Charge", "output": "{\"paid\":true}"}},
//!   {"timestamp": 1700000042.5, "type": "ExecutionSucceeded", "id": 7, "previousEventId": 6,
//!    "executionSucceededEventDetails": {"output": "{\"paid\":true}"}}
//! ]}"#)?;
//! let report = Replay::new(&program, &recording).run()?;
//! assert_eq!(report.divergence, None);
//! assert_eq!(report.outcome.duration_seconds, 42.5); // the Lambda's recorded time
//! assert_eq!(report.mocks["Charge"]["0"]["AfterSeconds"], 42.5);
//! # Ok::<(), flowc_sim::SimError>(())
//! ```

mod diff;
mod recording;
mod source;

pub use diff::Divergence;
pub use recording::Recording;

use crate::conformance::compare::{NormalizeRules, Normalizer};
use crate::error::SimError;
use crate::program::Program;
use crate::simulation::{ExecutionContext, Outcome, Simulation};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What a replay normalises before comparing, on both sides: Step Functions' own ARNs (the
/// execution's, the state machine's, Map Runs'), which name the account and the execution;
/// ISO 8601 times (`$$.Execution.StartTime`, `$$.State.EnteredTime`); task tokens.
const NORMALIZE: [(&str, &str); 3] = [
    (
        r"arn:aws[a-z-]*:states:[a-z0-9-]*:[0-9]*:(execution|express|stateMachine|mapRun):[A-Za-z0-9_.:/-]+",
        "<states-arn>",
    ),
    (
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})?",
        "<timestamp>",
    ),
    (r"^[A-Za-z0-9+/=_-]{60,}$", "<task-token>"),
];

/// The default timing tolerance: between one event and the next, the simulation may differ from
/// AWS by this much (AWS spends milliseconds a state; a Task's time comes from the recording).
pub const DEFAULT_TOLERANCE_SECONDS: f64 = 1.0;

/// One replay to run: a definition and a recording.
pub struct Replay<'a> {
    program: &'a Program,
    recording: &'a Recording,
    context: Option<ExecutionContext>,
    rules: NormalizeRules,
    tolerance_ms: i64,
    seed: u64,
    /// Details not compared beyond the usual ones.
    uncompared: &'static [&'static str],
}

/// How a replay went.
#[derive(Debug, Clone)]
pub struct Report {
    /// The simulated execution.
    pub outcome: Outcome,
    /// The first place the simulation and the recording part ways; `None` when they agree.
    pub divergence: Option<Divergence>,
    /// The answers each Task state got, by state and invocation, as MockConfigFile
    /// MockedResponses (`{"0": {"Return": ..., "AfterSeconds": 12.5}}`): what a simulation
    /// test needs to answer the same way.
    pub mocks: BTreeMap<String, Map<String, Value>>,
    /// How many events were recorded.
    pub recorded_events: usize,
}

impl<'a> Replay<'a> {
    /// A replay of `recording` against `program`, with the recording's input, start time,
    /// role and region.
    pub fn new(program: &'a Program, recording: &'a Recording) -> Self {
        Self {
            program,
            recording,
            context: None,
            rules: NormalizeRules::default(),
            tolerance_ms: (DEFAULT_TOLERANCE_SECONDS * 1000.0) as i64,
            seed: 0,
            uncompared: &[],
        }
    }

    /// The names and ARNs `$$.Execution` and `$$.StateMachine` report (the history does not
    /// carry them).
    pub fn context(mut self, context: ExecutionContext) -> Self {
        self.context = Some(context);
        self
    }

    /// The timing tolerance between consecutive events, in seconds.
    pub fn tolerance_seconds(mut self, seconds: f64) -> Self {
        self.tolerance_ms = (seconds.max(0.0) * 1000.0).round() as i64;
        self
    }

    /// Seeds jitter, `States.UUID` and `States.MathRandom`.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// More normalisation (the conformance corpus's rules for its anonymised recordings).
    pub(crate) fn rules(mut self, rules: NormalizeRules) -> Self {
        self.rules = rules;
        self
    }

    /// Details to leave out of the comparison (the corpus's parameters, anonymised with tokens
    /// its rules do not describe); they still pick a Map iteration's answer.
    pub(crate) fn uncompared(mut self, keys: &'static [&'static str]) -> Self {
        self.uncompared = keys;
        self
    }

    /// Runs the definition with the recorded answers and compares the histories.
    pub fn run(self) -> Result<Report, SimError> {
        let input = self.recording.input()?;
        let mut context = self.context.unwrap_or_default();
        if let Some(role) = self.recording.role_arn() {
            context.role_arn = role;
        }
        if let Some(region) = self.recording.region() {
            context.region = region;
        }
        let mut source = source::Recorded::new(&self.recording.attempts())?;
        let mut simulation = Simulation::new(self.program)
            .input(input)
            .seed(self.seed)
            .context(context)
            .source(Borrowed(&mut source));
        if let Some(start) = self.recording.start_time() {
            simulation = simulation.start_time(start);
        }
        let outcome = simulation.run()?;
        let mut rules = self.rules;
        // After the caller's rules, which may name the very ARNs these would blur.
        rules.regex.extend(
            NORMALIZE
                .iter()
                .map(|(p, r)| ((*p).to_string(), (*r).to_string())),
        );
        let norm = Normalizer::new(&rules).map_err(|message| SimError::InvalidHistory {
            message: format!("a normalisation rule does not compile: {message}"),
        })?;
        let simulated: Value =
            serde_json::from_str(&outcome.history.to_json()).unwrap_or(Value::Null);
        let mut divergence = diff::first_divergence(
            &norm,
            self.recording,
            &simulated,
            self.tolerance_ms,
            self.uncompared,
        );
        if let (Some(d), Some(why)) = (&mut divergence, &source.exhausted) {
            d.reason = format!("{} ({why})", d.reason);
        }
        Ok(Report {
            outcome,
            divergence,
            mocks: source.served,
            recorded_events: self.recording.len(),
        })
    }
}

/// Lends the source to one run, so its record of what it served outlives the run.
struct Borrowed<'s>(&'s mut source::Recorded);

impl crate::mocks::TaskSource for Borrowed<'_> {
    fn call(
        &mut self,
        call: &crate::mocks::TaskCall,
    ) -> Result<crate::mocks::TaskReply, crate::mocks::Unmocked> {
        self.0.call(call)
    }
}
