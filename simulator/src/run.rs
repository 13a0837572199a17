//! The engine of one execution: the history, the random generator, the task source and the
//! scheduler's tables ([`Engine`]), shared by every strand through a `RefCell` ([`Cx`]), and
//! the executor loop ([`drive`]) that polls the strands (see [`crate::sched`] for the order
//! of events). The states themselves are in `run/state.rs` (one state after another, input
//! and output processing, Retry and Catch) and `states/` (Task, Wait, Parallel, Map).

use crate::clock::VirtualClock;
use crate::doc::Doc;
use crate::error::Failure;
use crate::history::DocText;
use crate::history::{EventKind, History, MAX_HISTORY_EVENTS, MAX_TEXT_BYTES, Visited};
use crate::mocks::{TaskSource, Unmocked};
use crate::program::Program;
use crate::query::EvalError;
use crate::sched::{Next, ROOT, Role, Sched, Spawn, StrandId};
use crate::simulation::ExecutionContext;
use crate::vars::Vars;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Waker};

mod attempt;
mod context;
mod jsonata;
mod processing;
mod state;

pub(crate) use attempt::{AttemptEnd, results_array};
pub(crate) use jsonata::{AssignFrom, output as jsonata_output};
pub(crate) use state::{Entry, StateDone, TaskDone, run_program};

/// AWS's payload limit: 256 KiB of UTF-8 JSON.
pub const MAX_PAYLOAD_BYTES: usize = 262_144;

/// Why a state (or a whole program) stopped early.
#[derive(Debug, Clone)]
pub enum Stop {
    /// An ASL error: Retry and Catch of enclosing states may handle it.
    Error(Failure),
    /// The execution ends now, whatever the definition says.
    Halt(Halt),
}

#[derive(Debug, Clone)]
pub enum Halt {
    /// The execution's TimeoutSeconds (or AWS's maximum execution duration) passed.
    TimedOut,
    /// Over the 25,000-event history limit.
    HistoryLimit,
    /// Over flowc's limit on the payload text a history keeps ([`MAX_TEXT_BYTES`]).
    MemoryLimit,
    Unmocked(Unmocked),
}

/// Per-execution constants for the context object.
#[derive(Debug, Clone)]
pub struct ExecutionInfo<'a> {
    /// Names and ARNs (borrowed from the simulation, or the process-wide defaults).
    pub context: &'a ExecutionContext,
    /// The execution's input, for `$$.Execution.Input`; `null` when no state reads `$$`.
    pub input: Value,
}

/// Map iteration context (`$$.Map.Item`).
#[derive(Debug, Clone)]
pub struct MapItem {
    pub index: usize,
    pub value: Value,
}

/// What every strand of one execution shares.
pub(crate) struct Engine<'a> {
    pub clock: VirtualClock,
    pub history: History,
    pub tasks: &'a mut dyn TaskSource,
    pub rng: ChaCha8Rng,
    pub info: ExecutionInfo<'a>,
    pub transitions: u64,
    pub visited: Visited,
    /// Invocations per Task state name (by [`crate::program::TaskDef::slot`]), for
    /// MockConfigFile's invocation keys.
    pub invocations: Vec<u32>,
    pub sched: Sched<'a>,
    /// Who hears of each state entered, Choice rule matched, Retrier and Catcher used
    /// (`Simulation::observer`); `None` costs one branch per report.
    pub observer: Option<&'a mut dyn crate::observe::Observer>,
    /// Where a Distributed Map reads items and writes results (bound by the caller).
    pub store: Option<&'a mut dyn crate::distributed::ObjectStore>,
    /// Every Distributed Map run of the execution, with its child executions.
    pub map_runs: Vec<crate::states::distributed_map::MapRun>,
    /// What seeds JSONata's `$random`, `$uuid` and `$shuffle`: drawn once from the run's
    /// generator, mixed with a count of the evaluations made so far (see
    /// [`Engine::environment`]), so each state's expressions draw other numbers and the run
    /// stays reproducible.
    jsonata_seed: u64,
    pub(crate) evaluations: std::cell::Cell<u64>,
    /// Whether Task calls carry a [`crate::StateDigest`] (`Simulation::state_digests`).
    pub digests: bool,
    /// The root strand's result, once it has ended.
    root_result: Option<Result<(Doc, Option<DocText>), Stop>>,
    /// The JSON text of the array a Parallel or Map just received, joined from its strands'
    /// output texts, for the state's exit to use when its output is that array unchanged
    /// (the anchor says whether it is).
    pub results_text: Option<(crate::doc::Anchor, crate::text::TextBuilder)>,
}

/// The engine as the strands hold it: each takes it for the stretches of work between two
/// waits, never across one (clippy's `await_holding_refcell_ref` keeps it so).
pub(crate) type Cx<'a> = RefCell<Engine<'a>>;

/// Turns an evaluation problem of a state into the ASL error AWS raises for it.
pub(crate) fn eval_err(state: &str, entered: u64, e: EvalError) -> Stop {
    match e {
        EvalError::Runtime(r) | EvalError::Intrinsic(r) => {
            Stop::Error(Failure::runtime(state, entered, r))
        }
        EvalError::ResultPath(cause) => {
            Stop::Error(Failure::new("States.ResultPathMatchFailure", cause))
        }
        EvalError::Query(e) => Stop::Error(Failure::query(state, entered, &e)),
    }
}

impl<'a> Engine<'a> {
    pub fn new(
        clock: VirtualClock,
        history: History,
        tasks: &'a mut dyn TaskSource,
        rng: ChaCha8Rng,
        info: ExecutionInfo<'a>,
        program: &Program,
        deadline_ms: i64,
    ) -> Self {
        let mut rng_copy = rng.clone();
        Self {
            clock,
            history,
            tasks,
            rng,
            info,
            transitions: 0,
            visited: Visited::new(program.names.clone(), program.states.len() * 2),
            invocations: vec![0; program.task_slots],
            sched: Sched::new(deadline_ms),
            observer: None,
            store: None,
            map_runs: Vec::new(),
            // A copy draws it: the generator's own sequence (retry jitter) stays as it was.
            jsonata_seed: rand::RngCore::next_u64(&mut rng_copy),
            evaluations: std::cell::Cell::new(0),
            digests: false,
            root_result: None,
            results_text: None,
        }
    }

    /// Appends an event to the current strand's chain (its `previousEventId` is the strand's
    /// last event), enforcing the history limit.
    #[inline]
    pub fn emit(&mut self, kind: EventKind) -> Result<u64, Stop> {
        let strand = self.sched.current;
        self.emit_for(strand, kind)
    }

    /// [`Self::emit`] in another strand's chain (the events of an abort).
    #[inline]
    pub fn emit_for(&mut self, strand: StrandId, kind: EventKind) -> Result<u64, Stop> {
        // Keep one slot for the closing ExecutionFailed event.
        if self.history.len() + 1 >= MAX_HISTORY_EVENTS {
            return Err(Stop::Halt(Halt::HistoryLimit));
        }
        if self.history.text_bytes() > MAX_TEXT_BYTES {
            return Err(Stop::Halt(Halt::MemoryLimit));
        }
        let now = self.clock.now();
        let id = self.history.len() as u64 + 1;
        let prev = match self.sched.strand_mut(strand) {
            Some(s) => {
                s.started = true;
                std::mem::replace(&mut s.prev, id)
            }
            None => 0,
        };
        let pushed = self.history.push(now, prev, kind);
        debug_assert_eq!(pushed, id);
        Ok(id)
    }

    /// Records the closing event unconditionally (limits do not apply to it).
    pub fn emit_final(&mut self, prev: u64, kind: EventKind) {
        self.history.push(self.clock.now(), prev, kind);
    }

    /// Simulated milliseconds `seconds` from now, as a timer's due time (rounded to the
    /// clock's millisecond resolution; absurd values saturate, and the deadline ends them).
    pub fn due_in(&self, seconds: f64) -> i64 {
        let now = self.sched.now_ms();
        if !(seconds.is_finite() && seconds > 0.0) {
            return now;
        }
        let ms = (seconds * 1000.0).round();
        if ms >= (i64::MAX - now) as f64 {
            i64::MAX
        } else {
            now + ms as i64
        }
    }

    /// Whether the current strand runs beside others (inside a Parallel or a Map), where
    /// task results may be recorded out of order.
    pub fn concurrent(&self) -> bool {
        self.sched
            .strand(self.sched.current)
            .is_some_and(|s| s.role != Role::Root)
    }

    /// Aborts the children of `group` still running, and theirs, writing the events AWS
    /// writes for each: the aborted state (`WaitStateAborted`, `TaskStateAborted`, a nested
    /// `ParallelStateAborted` / `MapStateAborted` after its own children's) and, for a Map
    /// iteration, `MapIterationAborted`.
    pub fn abort_group(&mut self, group: crate::sched::GroupId) -> Result<(), Stop> {
        for child in self.sched.live_children(group) {
            self.abort_strand(child)?;
        }
        self.sched.close_group(group);
        Ok(())
    }

    fn abort_strand(&mut self, strand: StrandId) -> Result<(), Stop> {
        let Some(s) = self.sched.strand(strand).cloned() else {
            return Ok(());
        };
        if let Some(inner) = s.waits_on {
            self.abort_group(inner)?;
        }
        if s.started {
            if let Some((ty, name)) = s.state {
                self.emit_for(strand, EventKind::StateAborted(ty, name))?;
            }
            if let Role::Iteration { map, index } = s.role {
                self.emit_for(
                    strand,
                    EventKind::MapIterationAborted(crate::history::MapIteration {
                        name: map,
                        index,
                    }),
                )?;
            }
        }
        self.sched.remove(strand);
        Ok(())
    }

    /// Moves the clock to the scheduler's time.
    fn sync_clock(&mut self) {
        let behind = self.sched.now_ms() - self.clock.elapsed_ms();
        self.clock.advance_ms(behind);
    }
}

/// A strand's future, as the executor keeps it.
type StrandFuture<'c> = Pin<Box<dyn Future<Output = ()> + 'c>>;

/// Runs the execution's program to its end: polls strands in the scheduler's order until the
/// root strand ends, a strand ends the execution, or the deadline passes.
pub(crate) fn drive<'a>(
    cx: &Cx<'a>,
    program: &'a Program,
    input: Doc,
    input_text: Option<DocText>,
) -> Result<(Doc, Option<DocText>), Stop> {
    let mut root_future: Option<StrandFuture<'_>> =
        Some(Box::pin(root(cx, program, input, input_text)));
    // The branches' futures by strand (the root's slot stays empty). A branch's future that
    // has ended keeps its allocation for the next branch spawned (`Pin::set` drops the ended
    // one in place): a Map of 100 items allocates a few futures, not a hundred.
    let mut futures: Vec<Option<Pin<Box<_>>>> = Vec::new();
    let mut ended: Vec<Pin<Box<_>>> = Vec::new();
    let mut poll_cx = Context::from_waker(Waker::noop());
    // The strands spawned and aborted by a poll, swapped out of the scheduler: the lists go
    // back and forth rather than one being allocated after each poll that spawned.
    let mut spawns = Vec::new();
    let mut aborted = Vec::new();
    loop {
        let next = {
            let mut engine = cx.borrow_mut();
            let next = engine.sched.next();
            engine.sync_clock();
            next
        };
        match next {
            Next::Run(strand) => {
                cx.borrow_mut().sched.current = strand;
                if strand == ROOT {
                    if let Some(future) = &mut root_future
                        && future.as_mut().poll(&mut poll_cx).is_ready()
                    {
                        root_future = None;
                    }
                } else if let Some(slot) = futures.get_mut(strand)
                    && let Some(future) = slot
                    && poll_boxed(future, &mut poll_cx)
                {
                    ended.extend(slot.take());
                }
            }
            // Nothing will happen again (a callback nobody answers, with no timeout): the
            // execution waits until its deadline, as on AWS.
            Next::Idle | Next::Deadline => {
                let mut engine = cx.borrow_mut();
                let deadline = engine.sched.deadline_ms();
                let behind = deadline - engine.clock.elapsed_ms();
                engine.clock.advance_ms(behind);
                return Err(Stop::Halt(Halt::TimedOut));
            }
        }
        let (halt, done) = {
            let mut engine = cx.borrow_mut();
            std::mem::swap(&mut spawns, &mut engine.sched.spawns);
            std::mem::swap(&mut aborted, &mut engine.sched.aborted);
            (engine.sched.halt.take(), engine.root_result.take())
        };
        for strand in aborted.drain(..) {
            if let Some(slot) = futures.get_mut(strand) {
                *slot = None;
            }
        }
        for spawn in spawns.drain(..) {
            let strand = spawn.strand;
            if futures.len() <= strand {
                futures.resize_with(strand + 1, || None);
            }
            if let Some(slot) = futures.get_mut(strand) {
                *slot = Some(reuse_box(ended.pop(), branch(cx, spawn)));
            }
        }
        if let Some(halt) = halt {
            return Err(Stop::Halt(halt));
        }
        if let Some(result) = done {
            return result;
        }
    }
}

/// Polls a boxed future once; whether it has ended. (A function, so the futures' type,
/// unnamed, is inferred from where they are made, further down `drive`.)
fn poll_boxed<F: Future>(future: &mut Pin<Box<F>>, cx: &mut Context<'_>) -> bool {
    future.as_mut().poll(cx).is_ready()
}

/// `future` boxed: in `old`'s allocation when there is one (the future there, ended, is
/// dropped in place), in a new one otherwise.
fn reuse_box<F: Future>(old: Option<Pin<Box<F>>>, future: F) -> Pin<Box<F>> {
    match old {
        Some(mut boxed) => {
            boxed.set(future);
            boxed
        }
        None => Box::pin(future),
    }
}

/// The root strand: the machine's states from StartAt.
async fn root<'a>(cx: &Cx<'a>, program: &'a Program, input: Doc, input_text: Option<DocText>) {
    let result = run_program(cx, program, input, input_text, Vars::default()).await;
    cx.borrow_mut().root_result = Some(result);
}

/// A Parallel branch or a Map iteration: its program, framed by the iteration events; its end
/// goes to its parent's group (an end of the execution goes to the executor).
async fn branch<'a>(cx: &Cx<'a>, spawn: Spawn<'a>) {
    let id = spawn.strand;
    let role = cx.borrow().sched.strand(id).map_or(Role::Root, |s| s.role);
    let iteration = match role {
        Role::Iteration { map, index } => Some(crate::history::MapIteration { name: map, index }),
        _ => None,
    };
    let started = match &iteration {
        Some(it) => cx
            .borrow_mut()
            .emit(EventKind::MapIterationStarted(it.clone()))
            .map(|_| ()),
        None => Ok(()),
    };
    let result = match started {
        Ok(()) => run_program(cx, spawn.program, spawn.input, spawn.input_text, spawn.vars).await,
        Err(stop) => Err(stop),
    };
    let mut engine = cx.borrow_mut();
    let result = match (result, iteration) {
        (Ok(done), Some(it)) => engine
            .emit(EventKind::MapIterationSucceeded(it))
            .map(|_| done),
        (Err(Stop::Error(f)), Some(it)) => engine
            .emit(EventKind::MapIterationFailed(it))
            .and(Err(Stop::Error(f))),
        (other, _) => other,
    };
    let index = match role {
        Role::Iteration { index, .. } | Role::Branch { index } => index,
        Role::Root => 0,
    };
    match result {
        Err(Stop::Halt(halt)) => {
            engine.sched.halt.get_or_insert(halt);
        }
        Ok((doc, text)) => {
            engine
                .sched
                .finish(id, index, Ok(doc), text.map(|t| t.text));
        }
        Err(stop) => engine.sched.finish(id, index, Err(stop), None),
    }
}
