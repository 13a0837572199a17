//! Each execution state expanded once: two runs that reach one state at a branching decision
//! have the same futures, so the second does not branch from there again (its own run still
//! ends, and counts).
//!
//! The state is the simulator's digest of the execution ([`flowc_sim::StateDigest`]: position,
//! state input, variables, context, clock, random generator, history length) and what of the
//! explorer's own script the rest of the run reads:
//!
//! - how far the run is from `--max-depth` (decisions past it are not branched on);
//! - for each state the run can enter again (on a cycle of its level's graph, or inside a
//!   Parallel or Map that is): its visits, up to `--max-visits` (later visits do not branch),
//!   and, once it has them all, the answer it gave last (later visits repeat it); a state no
//!   path leads back to is never entered again, so its answers no longer matter;
//! - for each `STATUS passes STATE` property, whether the run has entered STATE (the verdict
//!   reads the whole path, so a state reached with and without STATE behind it is two).
//!
//! What the rest of the run does is then the same, and so are its outcomes, the items it
//! reaches and every verdict: the outcome set, the coverage and the properties' results are
//! those of the search without dedupe (`tests.rs` compares both on a table of machines). What
//! may differ: which run is a witness (the earlier run's past, not necessarily the shortest),
//! and the counts of runs.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, HashSet};

use flowc_asl::{State, StateMachine, StateName};
use flowc_sim::StateDigest;
use indexmap::IndexMap;
use petgraph::graph::{DiGraph, NodeIndex};

use super::require::{Property, Rule};
use crate::coverage::{Kind, Recorder, Universe};

/// Most `passes` states a search tracks; past that it runs without dedupe.
const MAX_WATCHED: usize = 64;

/// What dedupe needs to know of the machine and the properties.
pub struct Dedupe {
    /// States a run can enter again after leaving them.
    recurrent: BTreeSet<String>,
    /// The states `passes` properties name (bit `i` of `passed` is `watched[i]`).
    watched: Vec<String>,
}

/// One execution state as the search sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NodeKey {
    digest: StateDigest,
    depth: usize,
    /// (state, visits up to the bound, the last answer once the visits are all used).
    recurrent: Vec<(String, u32, Option<usize>)>,
    passed: u64,
}

/// The states some run has branched on.
#[derive(Debug, Default)]
pub struct Expanded(HashSet<NodeKey>);

impl Expanded {
    /// Records `key`; false when it was already there.
    pub fn insert(&mut self, key: NodeKey) -> bool {
        self.0.insert(key)
    }
}

impl Dedupe {
    /// `None` when the properties name more states than a key tracks.
    pub fn new(
        machine: &StateMachine,
        universe: &Universe,
        properties: &[Property],
    ) -> Option<Self> {
        let mut watched: Vec<String> = Vec::new();
        for property in properties {
            if let Rule::Passes { state, .. } = &property.rule
                && !watched.contains(state)
            {
                watched.push(state.clone());
            }
        }
        if watched.len() > MAX_WATCHED {
            return None;
        }
        Some(Self {
            recurrent: recurrent(machine, universe),
            watched,
        })
    }

    pub fn key(
        &self,
        digest: StateDigest,
        depth: usize,
        visits: &BTreeMap<String, u32>,
        last: &BTreeMap<String, usize>,
        max_visits: u32,
        passed: u64,
    ) -> NodeKey {
        let recurrent = visits
            .iter()
            .filter(|(state, _)| self.recurrent.contains(*state))
            .map(|(state, v)| {
                let used = *v >= max_visits;
                (
                    state.clone(),
                    (*v).min(max_visits),
                    used.then(|| last.get(state).copied()).flatten(),
                )
            })
            .collect();
        NodeKey {
            digest,
            depth,
            recurrent,
            passed,
        }
    }
}

/// The coverage recorder, also noting which watched states the run has entered (in
/// `passed`, a cell the responder reads while the observer is lent to the simulation).
pub struct Watching<'r> {
    recorder: &'r mut Recorder,
    watched: &'r [String],
    passed: &'r Cell<u64>,
}

impl<'r> Watching<'r> {
    pub fn new(
        recorder: &'r mut Recorder,
        dedupe: Option<&'r Dedupe>,
        passed: &'r Cell<u64>,
    ) -> Self {
        Self {
            recorder,
            watched: dedupe.map(|d| d.watched.as_slice()).unwrap_or_default(),
            passed,
        }
    }
}

impl flowc_sim::Observer for Watching<'_> {
    fn entered(&mut self, from: Option<&str>, state: &str) {
        if let Some(i) = self.watched.iter().position(|w| w == state) {
            self.passed.set(self.passed.get() | (1 << i));
        }
        self.recorder.entered(from, state);
    }

    fn chose(&mut self, state: &str, rule: Option<usize>) {
        self.recorder.chose(state, rule);
    }

    fn retried(&mut self, state: &str, index: usize) {
        self.recorder.retried(state, index);
    }

    fn caught(&mut self, state: &str, index: usize) {
        self.recorder.caught(state, index);
    }
}

/// The states on a cycle of the transition graph (Next, Choice rules and Default, Catch), and
/// every state inside a Parallel or Map that is one of them or inside one.
fn recurrent(machine: &StateMachine, universe: &Universe) -> BTreeSet<String> {
    let mut graph: DiGraph<&str, ()> = DiGraph::new();
    let mut nodes: BTreeMap<&str, NodeIndex> = BTreeMap::new();
    for item in &universe.items {
        let (Kind::Transition, Some(to)) = (item.key.kind, &item.key.to) else {
            continue;
        };
        let from = item.key.state.as_str();
        let a = *nodes.entry(from).or_insert_with(|| graph.add_node(from));
        let b = *nodes
            .entry(to.as_str())
            .or_insert_with(|| graph.add_node(to.as_str()));
        graph.add_edge(a, b, ());
    }
    let mut out = BTreeSet::new();
    for scc in petgraph::algo::tarjan_scc(&graph) {
        let cyclic = scc.len() > 1
            || scc
                .first()
                .is_some_and(|n| graph.find_edge(*n, *n).is_some());
        if cyclic {
            out.extend(
                scc.iter()
                    .filter_map(|n| graph.node_weight(*n))
                    .map(|s| s.to_string()),
            );
        }
    }
    nest(&machine.states, false, &mut out);
    out
}

/// Adds every state nested in a recurrent Parallel or Map (or below one) to `out`.
fn nest(states: &IndexMap<StateName, State>, inside: bool, out: &mut BTreeSet<String>) {
    for (name, state) in states {
        let recurrent = inside || out.contains(name.as_str());
        if inside {
            out.insert(name.as_str().to_string());
        }
        for branch in state.branches() {
            nest(&branch.states, recurrent, out);
        }
    }
}
