//! The discrete-event executor: every Parallel branch and Map iteration is a strand of its own,
//! and all strands advance together on the virtual clock.
//!
//! # Why futures
//! A strand is an `async` block polled by this module's single-threaded executor, never by a
//! runtime: the engine's code stays the straight-line code of one state after another (a Wait
//! is `sleep_until(..).await`, a Parallel is "spawn the branches, await the group"), and the
//! executor decides which strand runs next. Aborting the siblings of a failed branch is
//! dropping their futures. The alternative, explicit per-strand frames, would have turned every
//! state's logic (retries, task attempts, Map's concurrency window) into a hand-written state
//! machine. Wakers are not used: the executor itself knows which strand a timer or a finished
//! child makes ready, so strands are polled with a no-op waker.
//!
//! # The order of events (deterministic, documented)
//! - Simulated time only moves here. The next instant is the earliest due timer; timers are
//!   keyed by (due time, sequence number), so strands due at the same instant become ready in
//!   the order they went to sleep.
//! - Ready strands run first in, first out. A strand runs until it must wait for simulated time
//!   to pass (a Wait, a Task that takes time, a retry pause) or for its children, or ends; work
//!   that takes no simulated time (Pass, Choice, a mock that answers at once) runs within one
//!   poll.
//! - A Parallel's branches and a Map's first iterations become ready in branch / item order.
//!   A parent waiting for its children is made ready (at the back of the queue) when one of
//!   them ends, so every strand already ready at that instant runs before the parent sees the
//!   result. That is how a failure "at the same instant" works: the siblings run what they can
//!   at that instant (their first states are entered, their mocks invoked, as every branch of
//!   an AWS Parallel starts), and then the parent aborts whatever is still running, at the same
//!   timestamp.
//! - Ending the execution (its TimeoutSeconds, AWS's maximum duration, the history limit, a
//!   Task without a mock) stops every strand at once.

use crate::doc::Doc;
use crate::history::DocText;
use crate::history::Sym;
use crate::history::Text;
use crate::program::Program;
use crate::run::{Halt, Stop};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// A strand's place in the strand table.
pub(crate) type StrandId = usize;

/// A Parallel's branches or a Map's iterations, awaited together by one parent strand.
pub(crate) type GroupId = usize;

/// The root strand: the execution's top-level states.
pub(crate) const ROOT: StrandId = 0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Timer {
    due_ms: i64,
    seq: u64,
    strand: StrandId,
    /// The strand slot's generation when the timer was set: a timer of a strand that was
    /// aborted (and whose slot was reused) is stale.
    generation: u32,
}

/// What a strand is part of, for the events of its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Root,
    /// A Parallel branch, by its position in Branches.
    Branch {
        index: usize,
    },
    /// A Map iteration: the Map state's name and the item's index.
    Iteration {
        map: Sym,
        index: usize,
    },
}

/// A strand's position, as aborting it needs to know.
#[derive(Debug, Clone)]
pub(crate) struct Strand {
    generation: u32,
    alive: bool,
    pub role: Role,
    /// The id of the strand's last event (the next event's `previousEventId`).
    pub prev: u64,
    /// The state the strand is in, while it is in one: its AWS type word and its name.
    pub state: Option<(&'static str, Sym)>,
    /// The state the strand left last: where the transition into its next state comes from
    /// (the observer hook reports it; `crate::Observer::entered`).
    pub left: Option<Sym>,
    /// Whether the strand has written any event (a strand aborted before it ran writes none).
    pub started: bool,
    /// The group this strand belongs to (none for the root).
    group: Option<GroupId>,
    /// The group whose children this strand is waiting for (a Parallel or Map in progress).
    pub waits_on: Option<GroupId>,
}

/// How a child strand ended: its index in the group, its result and its last event.
#[derive(Debug)]
pub(crate) struct Finished {
    pub index: usize,
    pub result: Result<Doc, Stop>,
    /// The output's JSON text, when the strand's last state made it.
    pub text: Option<Text>,
    pub last_event: u64,
}

#[derive(Debug, Default)]
struct Group {
    parent: StrandId,
    /// Children still running.
    live: Vec<StrandId>,
    /// Children that ended and that the parent has not taken yet.
    finished: Vec<Finished>,
    /// The parent is waiting for the next child to end.
    waiting: bool,
}

/// A strand to start: the executor makes its future (the engine cannot: a future of the engine
/// would borrow the engine that holds it).
pub(crate) struct Spawn<'a> {
    pub strand: StrandId,
    pub program: &'a Program,
    pub input: Doc,
    pub input_text: Option<DocText>,
    /// The variables the strand starts with (its own scope over its parent's).
    pub vars: crate::vars::Vars,
}

/// What the executor does next.
pub(crate) enum Next {
    /// Poll this strand.
    Run(StrandId),
    /// No strand is ready and no timer is set: nothing will ever happen again.
    Idle,
    /// The next timer lies past the deadline: the execution ends at the deadline.
    Deadline,
}

/// Timers, the ready queue, the strand table and the groups of one execution.
pub(crate) struct Sched<'a> {
    /// Simulated milliseconds since the start of the execution.
    now_ms: i64,
    /// The execution ends when simulated time would pass this (its TimeoutSeconds, or AWS's
    /// maximum execution duration).
    deadline_ms: i64,
    seq: u64,
    timers: BinaryHeap<Reverse<Timer>>,
    ready: VecDeque<StrandId>,
    strands: Vec<Strand>,
    free_strands: Vec<StrandId>,
    groups: Vec<Group>,
    free_groups: Vec<GroupId>,
    pub spawns: Vec<Spawn<'a>>,
    /// The strand being polled.
    pub current: StrandId,
    /// Set when a strand ends the whole execution.
    pub halt: Option<Halt>,
    /// Strands aborted since the executor last looked: their futures are to be dropped.
    pub aborted: Vec<StrandId>,
}

impl<'a> Sched<'a> {
    pub fn new(deadline_ms: i64) -> Self {
        let root = Strand {
            generation: 0,
            alive: true,
            role: Role::Root,
            prev: 0,
            state: None,
            left: None,
            started: true,
            group: None,
            waits_on: None,
        };
        let mut ready = VecDeque::with_capacity(4);
        ready.push_back(ROOT);
        Self {
            now_ms: 0,
            deadline_ms,
            seq: 0,
            timers: BinaryHeap::new(),
            ready,
            strands: vec![root],
            free_strands: Vec::new(),
            groups: Vec::new(),
            free_groups: Vec::new(),
            spawns: Vec::new(),
            current: ROOT,
            halt: None,
            aborted: Vec::new(),
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    pub fn deadline_ms(&self) -> i64 {
        self.deadline_ms
    }

    #[inline]
    pub fn strand(&self, id: StrandId) -> Option<&Strand> {
        self.strands.get(id).filter(|s| s.alive)
    }

    #[inline]
    pub fn strand_mut(&mut self, id: StrandId) -> Option<&mut Strand> {
        self.strands.get_mut(id).filter(|s| s.alive)
    }

    /// The strand being polled.
    pub fn here(&mut self) -> Option<&mut Strand> {
        let id = self.current;
        self.strand_mut(id)
    }

    /// Wakes the current strand at `due_ms` (simulated milliseconds since the start).
    pub fn wake_at(&mut self, due_ms: i64) {
        let strand = self.current;
        let Some(generation) = self.strand(strand).map(|s| s.generation) else {
            return;
        };
        self.seq += 1;
        self.timers.push(Reverse(Timer {
            due_ms,
            seq: self.seq,
            strand,
            generation,
        }));
    }

    /// The next strand to poll, moving the clock to the next due timer when none is ready.
    pub fn next(&mut self) -> Next {
        loop {
            while let Some(s) = self.ready.pop_front() {
                if self.strand(s).is_some() {
                    return Next::Run(s);
                }
            }
            let Some(Reverse(first)) = self.timers.peek().copied() else {
                return Next::Idle;
            };
            if first.due_ms > self.deadline_ms {
                self.now_ms = self.now_ms.max(self.deadline_ms);
                return Next::Deadline;
            }
            self.now_ms = self.now_ms.max(first.due_ms);
            // Every timer of this instant, in the order they were set.
            while let Some(Reverse(t)) = self.timers.peek().copied() {
                if t.due_ms > self.now_ms {
                    break;
                }
                self.timers.pop();
                if self
                    .strands
                    .get(t.strand)
                    .is_some_and(|s| s.alive && s.generation == t.generation)
                {
                    self.ready.push_back(t.strand);
                }
            }
        }
    }

    /// A new group of children for the current strand to wait on.
    pub fn new_group(&mut self) -> GroupId {
        let parent = self.current;
        let group = Group {
            parent,
            ..Group::default()
        };
        match self.free_groups.pop() {
            Some(g) => {
                if let Some(slot) = self.groups.get_mut(g) {
                    *slot = group;
                }
                g
            }
            None => {
                self.groups.push(group);
                self.groups.len() - 1
            }
        }
    }

    /// Starts a child strand of `group` running `program` on `input`; it becomes ready after
    /// the strands already ready.
    #[allow(clippy::too_many_arguments)]
    pub fn spawn(
        &mut self,
        group: GroupId,
        role: Role,
        prev: u64,
        program: &'a Program,
        input: Doc,
        input_text: Option<DocText>,
        vars: crate::vars::Vars,
    ) -> StrandId {
        let strand = Strand {
            generation: 0,
            alive: true,
            role,
            prev,
            state: None,
            left: None,
            started: false,
            group: Some(group),
            waits_on: None,
        };
        let id = match self.free_strands.pop() {
            Some(id) => {
                if let Some(slot) = self.strands.get_mut(id) {
                    let generation = slot.generation.wrapping_add(1);
                    *slot = Strand {
                        generation,
                        ..strand
                    };
                }
                id
            }
            None => {
                self.strands.push(strand);
                self.strands.len() - 1
            }
        };
        if let Some(g) = self.groups.get_mut(group) {
            g.live.push(id);
        }
        self.ready.push_back(id);
        self.spawns.push(Spawn {
            strand: id,
            program,
            input,
            input_text,
            vars,
        });
        id
    }

    /// A child strand ended: its result goes to its group, and a parent waiting for it
    /// becomes ready.
    pub fn finish(
        &mut self,
        id: StrandId,
        index: usize,
        result: Result<Doc, Stop>,
        text: Option<Text>,
    ) {
        let Some(strand) = self.strands.get_mut(id).filter(|s| s.alive) else {
            return;
        };
        strand.alive = false;
        let (group, last_event) = (strand.group, strand.prev);
        self.free_strands.push(id);
        let Some(g) = group.and_then(|g| self.groups.get_mut(g)) else {
            return;
        };
        g.live.retain(|&s| s != id);
        g.finished.push(Finished {
            index,
            result,
            text,
            last_event,
        });
        if g.waiting {
            g.waiting = false;
            let parent = g.parent;
            self.ready.push_back(parent);
        }
    }

    /// The children of `group` that ended since the last call, swapped into `into` (emptied
    /// first, its allocation given to the group for the next ones), or `false` (and the
    /// current strand waits) when none did while some still run. An empty list means every
    /// child has ended.
    pub fn take_finished(&mut self, group: GroupId, into: &mut Vec<Finished>) -> bool {
        let Some(g) = self.groups.get_mut(group) else {
            return false;
        };
        if g.finished.is_empty() && !g.live.is_empty() {
            g.waiting = true;
            return false;
        }
        into.clear();
        std::mem::swap(into, &mut g.finished);
        true
    }

    /// The children of `group` still running, in the order they started.
    pub fn live_children(&self, group: GroupId) -> Vec<StrandId> {
        self.groups
            .get(group)
            .map(|g| g.live.clone())
            .unwrap_or_default()
    }

    /// Removes an aborted strand: its timers go stale and the executor drops its future.
    pub fn remove(&mut self, id: StrandId) {
        let Some(strand) = self.strands.get_mut(id).filter(|s| s.alive) else {
            return;
        };
        strand.alive = false;
        let group = strand.group;
        self.free_strands.push(id);
        self.aborted.push(id);
        if let Some(g) = group.and_then(|g| self.groups.get_mut(g)) {
            g.live.retain(|&s| s != id);
        }
    }

    /// Frees a group whose parent is done with it.
    pub fn close_group(&mut self, group: GroupId) {
        if let Some(g) = self.groups.get_mut(group) {
            *g = Group::default();
            self.free_groups.push(group);
        }
    }
}

/// Sleeps the current strand until `due_ms` (simulated milliseconds since the start); a time
/// already passed does not yield.
pub(crate) struct SleepUntil<'c, 'a> {
    cx: &'c std::cell::RefCell<crate::run::Engine<'a>>,
    due_ms: i64,
    set: bool,
}

impl<'c, 'a> SleepUntil<'c, 'a> {
    pub fn new(cx: &'c std::cell::RefCell<crate::run::Engine<'a>>, due_ms: i64) -> Self {
        Self {
            cx,
            due_ms,
            set: false,
        }
    }
}

impl std::future::Future for SleepUntil<'_, '_> {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        let mut engine = self.cx.borrow_mut();
        if engine.sched.now_ms() >= self.due_ms {
            return std::task::Poll::Ready(());
        }
        if !self.set {
            engine.sched.wake_at(self.due_ms);
            drop(engine);
            self.set = true;
        }
        std::task::Poll::Pending
    }
}

/// Waits until some children of a group have ended (or all have). The list it gives back is
/// `buffer`'s allocation: a parent that hands the previous list back each time allocates none
/// while its children end one by one.
pub(crate) struct Join<'c, 'a> {
    cx: &'c std::cell::RefCell<crate::run::Engine<'a>>,
    group: GroupId,
    buffer: Vec<Finished>,
}

impl<'c, 'a> Join<'c, 'a> {
    pub fn new(
        cx: &'c std::cell::RefCell<crate::run::Engine<'a>>,
        group: GroupId,
        buffer: Vec<Finished>,
    ) -> Self {
        Self { cx, group, buffer }
    }
}

impl std::future::Future for Join<'_, '_> {
    type Output = Vec<Finished>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Vec<Finished>> {
        let this = self.get_mut();
        let mut engine = this.cx.borrow_mut();
        if engine.sched.take_finished(this.group, &mut this.buffer) {
            std::task::Poll::Ready(std::mem::take(&mut this.buffer))
        } else {
            std::task::Poll::Pending
        }
    }
}
