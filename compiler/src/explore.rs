//! `flowc explore`: every distinguishable outcome of a workflow, each with one shortest witness,
//! found by running the simulator itself (timing, retries, Parallel and Map aborts are its own)
//! over every sequence of Task answers within the bounds.
//!
//! - **Decision points.** Each Task call that opens a visit (its first attempt) picks one of the
//!   call's [`alternatives`]; a retry answers as the attempt before it did, so an error a
//!   Retrier takes is retried until its MaxAttempts give up and then caught (or not). With more
//!   than one input, which input is the first decision. Choice branches follow from the data.
//! - **Loops.** A state branches on its first `max_visits` visits of a run; later visits answer
//!   as the visit before did, so a poll that keeps answering "pending" runs to its own bound
//!   (and a loop without one to AWS's own limits: its TimeoutSeconds, the 25,000-event history).
//! - **Search.** Runs are made from choice prefixes (the decisions a run must take; past them it
//!   takes each call's first alternative), those with the fewest choices off the first
//!   alternative first, then the shortest, then in the order made: every prefix is run once,
//!   and a run's untaken alternatives become the next prefixes (iterative deepening on how far
//!   a run strays from the first answers). Stops at
//!   `max_runs` runs; decisions past `max_depth` are not branched on. The report says what was
//!   left.
//! - **Outcomes** are (status, error, last state); each keeps the run with the fewest states
//!   visited (then the fewest decisions, then the first found) as its witness.
//!
//! What the runs reached is recorded by the coverage observer ([`crate::coverage::Recorder`])
//! against the coverage model ([`crate::coverage::Universe`]): one model for tests and
//! exploration.

pub mod alternatives;
pub mod dedupe;
pub mod emit;
pub mod error;
pub mod report;
pub mod require;
pub mod stated;
#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::path::Path;
use std::rc::Rc;

use flowc_asl::StateMachine;
use flowc_sim::{Program, Simulation, Status, TaskCall};
use serde_json::Value;

use self::alternatives::{Alternative, Alternatives, Stated};
use self::dedupe::{Dedupe, Expanded, Watching};
use self::require::{Property, Verdict};
use crate::coverage::{Key, Recorder, Universe, WorkflowCoverage};

/// The bounds of a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Runs at most.
    pub max_runs: usize,
    /// Decisions a run branches on at most (later ones take their first alternative).
    pub max_depth: usize,
    /// Visits of one state a run branches on (later visits answer as the one before).
    pub max_visits: u32,
    /// States entered over all runs at most: what bounds the time (and, with the prefixes
    /// queued, the memory) of a search on a large definition, where `max_runs` alone does not
    /// (5,000 runs of a 16,000-state chain are 80 million states).
    pub max_states: usize,
    /// Expand each execution state once ([`dedupe`]): a run that reaches a state an earlier
    /// run expanded does not branch from there again. Off only to check it against the
    /// search without it.
    pub dedupe: bool,
}

/// `--max-runs`'s default: the tenant workflow's whole tree is 5,897 runs (its JSONata
/// twin's 5,841; no two of their sequences meet in one state, so dedupe cannot shrink them),
/// and both are explored to the end. A tree too large for it stops at `max_states` first when
/// its runs are long (100 states a run: 5,000 runs).
pub const MAX_RUNS: u32 = 10_000;
/// `--max-depth`'s default.
pub const MAX_DEPTH: u32 = 40;
/// `--max-visits`'s default.
pub const MAX_VISITS: u32 = 1;
/// `--max-states`'s default: under 5 s in a release build where every run is as long as the
/// largest definition flowc reads (a 16,000-Task chain, 4 MiB: 4.9 s, 2,000,000 took 17.3 s);
/// the tenant workflow's 5,897 runs stay well under it.
pub const MAX_STATES: u64 = 500_000;

impl Default for Bounds {
    fn default() -> Self {
        Self {
            max_runs: MAX_RUNS as usize,
            max_depth: MAX_DEPTH as usize,
            max_visits: MAX_VISITS,
            max_states: MAX_STATES as usize,
            dedupe: true,
        }
    }
}

/// What to explore.
pub struct Subject<'a> {
    pub machine: &'a StateMachine,
    pub program: &'a Program,
    /// The machine file, as the report names it.
    pub path: &'a Path,
    /// At least one.
    pub inputs: Vec<Value>,
    /// Responses the user stated, per Task state.
    pub stated: BTreeMap<String, Stated>,
}

/// One decision a run took.
#[derive(Debug, Clone)]
pub struct Decision {
    pub state: String,
    /// The state's invocation (every attempt of every visit, from 0), as mock files count.
    pub invocation: u32,
    pub chosen: usize,
    pub alternatives: Rc<[Alternative]>,
    /// Whether the search branched here (a first attempt within the visit bound).
    pub branching: bool,
}

impl Decision {
    pub fn answer(&self) -> Option<&Alternative> {
        self.alternatives.get(self.chosen)
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OutcomeKey {
    pub status: &'static str,
    pub error: Option<String>,
    /// The last state entered.
    pub last: Option<String>,
}

impl OutcomeKey {
    pub fn describe(&self) -> String {
        let mut text = self.status.to_string();
        if let Some(error) = &self.error {
            text.push(' ');
            text.push_str(error);
        }
        if let Some(last) = &self.last {
            text.push_str(" in ");
            text.push_str(last);
        }
        text
    }
}

pub fn status_name(status: Status) -> &'static str {
    match status {
        Status::Succeeded => "SUCCEEDED",
        Status::Failed => "FAILED",
        Status::TimedOut => "TIMED_OUT",
    }
}

/// One run: its input, every decision, what it did.
#[derive(Debug, Clone)]
pub struct Run {
    /// Which run it was (from 1), in the order run.
    pub number: usize,
    pub input: usize,
    pub decisions: Vec<Decision>,
    pub key: OutcomeKey,
    pub cause: Option<String>,
    pub path: Vec<String>,
    pub duration_seconds: f64,
    /// The alternative taken at each branching decision: the prefix that makes this run.
    pub prefix: Vec<usize>,
    /// Choices in `prefix` off the first alternative, counted once: `rank` is compared for
    /// every item a run reaches, and a prefix is as long as the run.
    off: usize,
    /// The coverage items it reached.
    pub reached: Rc<BTreeSet<Key>>,
}

impl Run {
    /// Shorter first: fewer states, fewer choices off the first alternative (retries are
    /// not choices), found first.
    fn rank(&self) -> (usize, usize, usize) {
        (self.path.len(), self.off, self.number)
    }

    /// The decisions that did not take the call's first alternative.
    pub fn choices(&self) -> impl Iterator<Item = &Decision> {
        self.decisions.iter().filter(|d| d.chosen != 0)
    }
}

/// Why the search stopped before every prefix was run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped {
    /// Which bound stopped it.
    pub limit: Limit,
    /// Prefixes queued and never run.
    pub left: usize,
    /// Choices off the first alternatives the next of them would make (they are run fewest
    /// first).
    pub fewest_choices: usize,
}

/// The bound a search stopped at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// `max_runs` runs were made.
    Runs,
    /// The runs entered `max_states` states between them.
    States,
}

/// What a search found.
pub struct Exploration {
    pub runs: usize,
    /// States the runs entered between them (what `max_states` bounds).
    pub states_entered: usize,
    /// In the order first found.
    pub outcomes: Vec<Run>,
    /// Runs that reach what no outcome's witness reaches (one for each such item, the
    /// shortest, chosen in the model's order, skipping items an earlier one reached): with
    /// the witnesses, they reach everything the runs reached.
    pub reach_witnesses: Vec<Run>,
    /// Every run's reach, against the coverage model.
    pub coverage: WorkflowCoverage,
    pub stopped: Option<Stopped>,
    /// Alternatives not tried because they came past `max_depth`.
    pub past_depth: usize,
    /// Decisions whose execution state an earlier run had expanded, so not branched on again.
    pub repeated: usize,
    pub verdicts: Vec<Verdict>,
    pub bounds: Bounds,
    pub inputs: Vec<Value>,
    pub task_states: usize,
}

/// A run the setup could not make (a state the simulator refuses to run): not an outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunError {
    pub message: String,
}

/// A prefix waiting to run: (choices off the first alternatives, length, order made, prefix).
type Queued = (usize, usize, u64, Vec<usize>);

/// Explores `subject` within `bounds`, checking `properties` on every run.
pub fn explore(
    subject: &Subject<'_>,
    bounds: Bounds,
    properties: &[Property],
) -> Result<Exploration, RunError> {
    let alternatives = RefCell::new(Alternatives::new(subject.machine, subject.stated.clone()));
    let task_states = alternatives.borrow().task_names().count();
    let mut coverage = WorkflowCoverage::new(subject.path, Universe::of(subject.machine));
    let dedupe = bounds
        .dedupe
        .then(|| Dedupe::new(subject.machine, &coverage.universe, properties))
        .flatten();
    let mut expanded = Expanded::default();
    let mut repeated = 0;
    let mut verdicts: Vec<Verdict> = properties.iter().cloned().map(Verdict::new).collect();
    let mut outcomes: Vec<Run> = Vec::new();
    let mut queue: BinaryHeap<Reverse<Queued>> = BinaryHeap::new();
    let mut sequence = 0u64;
    queue.push(Reverse((0, 0, sequence, Vec::new())));
    let mut runs = 0;
    let mut past_depth = 0;
    let mut stopped = None;
    // Shared, not cloned: a run can be the shortest to reach thousands of items, and its path
    // is as long as the run (a clone per item took 925 MB on a 2,000-state chain).
    let mut shortest_reaching: BTreeMap<Key, Rc<Run>> = BTreeMap::new();
    let mut states_entered = 0usize;
    while let Some(Reverse((off, _, _, prefix))) = queue.pop() {
        let limit = if runs >= bounds.max_runs {
            Some(Limit::Runs)
        } else if states_entered >= bounds.max_states {
            Some(Limit::States)
        } else {
            None
        };
        if let Some(limit) = limit {
            stopped = Some(Stopped {
                limit,
                left: queue.len() + 1,
                fewest_choices: off,
            });
            break;
        }
        runs += 1;
        let mut recorder = Recorder::default();
        let (run, branches, repeat) = run_once(
            subject,
            &alternatives,
            &prefix,
            bounds,
            runs,
            &mut recorder,
            dedupe.as_ref().map(|d| (d, &mut expanded)),
        )?;
        // Past a repeated state the rest of the tree is the earlier run's to expand.
        let expand_until = repeat.unwrap_or(branches.len());
        repeated += usize::from(repeat.is_some());
        coverage.tests += 1;
        states_entered += run.path.len();
        let run = Rc::new(run);
        for (key, hits) in recorder.hits {
            *coverage.recorded.hits.entry(key.clone()).or_default() += hits;
            match shortest_reaching.get(&key) {
                Some(known) if known.rank() <= run.rank() => {}
                _ => {
                    shortest_reaching.insert(key, Rc::clone(&run));
                }
            }
        }
        for verdict in &mut verdicts {
            verdict.check(&run);
        }
        // Every untaken alternative past the prefix is a prefix of its own.
        for (depth, (taken, count)) in branches
            .iter()
            .enumerate()
            .take(expand_until)
            .skip(prefix.len())
        {
            if depth >= bounds.max_depth {
                past_depth += count - 1;
                continue;
            }
            for other in (0..*count).filter(|a| a != taken) {
                let mut next: Vec<usize> = branches[..depth].iter().map(|(t, _)| *t).collect();
                next.push(other);
                sequence += 1;
                let off = next.iter().filter(|taken| **taken != 0).count();
                queue.push(Reverse((off, next.len(), sequence, next)));
            }
        }
        match outcomes.iter_mut().find(|o| o.key == run.key) {
            Some(known) if run.rank() < known.rank() => *known = Run::clone(&run),
            Some(_) => {}
            None => outcomes.push(Run::clone(&run)),
        }
    }
    let mut reached: BTreeSet<Key> = outcomes
        .iter()
        .flat_map(|o| o.reached.iter().cloned())
        .collect();
    let mut reach_witnesses: Vec<Run> = Vec::new();
    for item in &coverage.universe.items {
        if reached.contains(&item.key) {
            continue;
        }
        if let Some(run) = shortest_reaching.get(&item.key) {
            reached.extend(run.reached.iter().cloned());
            reach_witnesses.push(Run::clone(run));
        }
    }
    Ok(Exploration {
        runs,
        states_entered,
        outcomes,
        reach_witnesses,
        coverage,
        stopped,
        past_depth,
        repeated,
        verdicts,
        bounds,
        inputs: subject.inputs.clone(),
        task_states,
    })
}

/// What `run` alone reached (its prefix run again): `flowc explore --svg --outcome N`.
pub fn reach(
    subject: &Subject<'_>,
    bounds: Bounds,
    run: &Run,
) -> Result<WorkflowCoverage, RunError> {
    let alternatives = RefCell::new(Alternatives::new(subject.machine, subject.stated.clone()));
    let mut coverage = WorkflowCoverage::new(subject.path, Universe::of(subject.machine));
    run_once(
        subject,
        &alternatives,
        &run.prefix,
        bounds,
        run.number,
        &mut coverage.recorded,
        None,
    )?;
    coverage.tests = 1;
    Ok(coverage)
}

/// The branching decisions of a run: (alternative taken, alternatives there).
type Branches = Vec<(usize, usize)>;

/// Runs the decisions `prefix` names, then first alternatives; records what it reached.
/// With `dedupe`, also says at which branching decision (if any) past the prefix the run
/// reached a state an earlier run had expanded.
fn run_once(
    subject: &Subject<'_>,
    alternatives: &RefCell<Alternatives>,
    prefix: &[usize],
    bounds: Bounds,
    number: usize,
    recorder: &mut Recorder,
    dedupe: Option<(&Dedupe, &mut Expanded)>,
) -> Result<(Run, Branches, Option<usize>), RunError> {
    let mut branches: Branches = Vec::new();
    let mut at = 0;
    let input = if subject.inputs.len() > 1 {
        let chosen = prefix.first().copied().unwrap_or(0);
        branches.push((chosen, subject.inputs.len()));
        at = 1;
        chosen
    } else {
        0
    };
    let state = RefCell::new(Script {
        prefix,
        at,
        branches,
        decisions: Vec::new(),
        visits: BTreeMap::new(),
        last: BTreeMap::new(),
        max_visits: bounds.max_visits,
        max_depth: bounds.max_depth,
        repeat: None,
        fallback: flowc_sim::MockResponse::from_value(&serde_json::json!({"Return": {}})).map_err(
            |e| RunError {
                message: e.to_string(),
            },
        )?,
    });
    let (dedupe, expanded) = match dedupe {
        Some((d, e)) => (Some(d), Some(RefCell::new(e))),
        None => (None, None),
    };
    let passed = std::cell::Cell::new(0u64);
    let mut watching = Watching::new(recorder, dedupe, &passed);
    let simulation = Simulation::new(subject.program)
        .input(subject.inputs.get(input).cloned().unwrap_or(Value::Null));
    let simulation = if dedupe.is_some() {
        simulation.state_digests()
    } else {
        simulation
    };
    let outcome = simulation
        .observer(&mut watching)
        .responder(|call: &TaskCall| {
            let alts = alternatives.borrow_mut().of(call);
            let mut script = state.borrow_mut();
            if let (Some(dedupe), Some(expanded)) = (dedupe, &expanded) {
                script.note_state(call, dedupe, &mut expanded.borrow_mut(), passed.get());
            }
            script.decide(call, alts)
        })
        .run()
        .map_err(|e| RunError {
            message: e.to_string(),
        })?;
    let script = state.into_inner();
    let path: Vec<String> = outcome.path.iter().map(str::to_string).collect();
    let run = Run {
        number,
        input,
        decisions: script.decisions,
        key: OutcomeKey {
            status: status_name(outcome.status),
            error: outcome.error.clone(),
            last: path.last().cloned(),
        },
        cause: outcome.cause.clone(),
        path,
        duration_seconds: outcome.duration_seconds,
        prefix: script.branches.iter().map(|(taken, _)| *taken).collect(),
        off: script
            .branches
            .iter()
            .filter(|(taken, _)| *taken != 0)
            .count(),
        reached: Rc::new(recorder.hits.keys().cloned().collect()),
    };
    Ok((run, script.branches, script.repeat))
}

/// One run's decisions as they are made.
struct Script<'p> {
    prefix: &'p [usize],
    /// The next branching decision's position.
    at: usize,
    branches: Branches,
    decisions: Vec<Decision>,
    /// First attempts per state.
    visits: BTreeMap<String, u32>,
    /// The alternative each state answered last.
    last: BTreeMap<String, usize>,
    max_visits: u32,
    max_depth: usize,
    /// The branching decision at which the run reached a state an earlier run expanded.
    repeat: Option<usize>,
    /// Every call has at least its success and its unnamed error; should a list ever be
    /// empty, the task answers `{}`.
    fallback: flowc_sim::MockResponse,
}

impl Script<'_> {
    /// Before a branching decision past the prefix: whether the execution state (the
    /// simulator's digest and what of this script the rest of the run reads) was expanded by
    /// an earlier run; if so, nothing from here on is branched on again.
    fn note_state(
        &mut self,
        call: &TaskCall,
        dedupe: &Dedupe,
        expanded: &mut Expanded,
        passed: u64,
    ) {
        let Some(digest) = call.state else { return };
        if self.repeat.is_some() || self.at < self.prefix.len() {
            return;
        }
        let visits = self.visits.get(call.state_name).copied().unwrap_or(0);
        if visits >= self.max_visits {
            // The call's visit does not branch; the state is noted at the next that does.
            return;
        }
        let key = dedupe.key(
            digest,
            self.at.min(self.max_depth),
            &self.visits,
            &self.last,
            self.max_visits,
            passed,
        );
        if !expanded.insert(key) {
            self.repeat = Some(self.at);
        }
    }

    fn decide(
        &mut self,
        call: &TaskCall,
        alternatives: Rc<[Alternative]>,
    ) -> flowc_sim::MockResponse {
        let state = call.state_name;
        let previous = self.last.get(state).copied();
        let visits = if call.attempt == 0 {
            let v = self.visits.entry(state.to_string()).or_default();
            *v += 1;
            *v
        } else {
            0
        };
        let branching = call.attempt == 0 && visits <= self.max_visits;
        let chosen = if branching {
            let chosen = self.prefix.get(self.at).copied().unwrap_or(0);
            self.at += 1;
            self.branches.push((chosen, alternatives.len()));
            chosen
        } else {
            previous.unwrap_or(0)
        };
        let chosen = if chosen < alternatives.len() {
            chosen
        } else {
            0
        };
        self.last.insert(state.to_string(), chosen);
        let response = alternatives
            .get(chosen)
            .map_or_else(|| self.fallback.clone(), |a| a.parsed.clone());
        self.decisions.push(Decision {
            state: state.to_string(),
            invocation: call.invocation,
            chosen,
            alternatives,
            branching,
        });
        response
    }
}
