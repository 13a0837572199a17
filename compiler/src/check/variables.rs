//! Variables read where no state has assigned them.
//!
//! A state's JSONata expressions and JSONPath paths may read workflow variables (`$name`,
//! `"x.$": "$name.a"`, `"ItemsPath": "$list"`; [`flowc_asl::reads`]); AWS sets a variable
//! when a state that assigns it finishes, along the transition taken: a state's `Assign` on its
//! `Next` (and a Choice rule's on that rule's `Next`), a catcher's `Assign` on the catcher's
//! `Next` (the failed state's own `Assign` is not applied). Nested states see the variables of
//! the states before their Parallel or Map; what a Parallel branch or a Map iteration assigns
//! is not seen outside it, nor by the other branches.
//!
//! AWS does not refuse such a definition: the read finds nothing and the state fails at run
//! time (`States.QueryEvaluationError` for JSONata, `States.Runtime` for a path). So this is a
//! warning, with the state that assigns the name where there is one the reader cannot see.
//!
//! Each scope is a forward data-flow over its graph (union of what may be assigned on some path
//! into a state), iterated to its fixpoint: linear in states times variable names.

use std::collections::{BTreeSet, HashMap};

use flowc_asl::{Assign, State, StateKind, StateMachine, StateName, StatePath};
use indexmap::IndexMap;

use super::CheckError;
use super::spans::Locator;

type Names = BTreeSet<String>;

/// Where each variable is assigned, for help texts: name -> first state that assigns it.
struct Assigners(HashMap<String, StatePath>);

pub(crate) fn check(machine: &StateMachine, locate: &Locator<'_>, out: &mut Vec<CheckError>) {
    let mut assigners = Assigners(HashMap::new());
    collect_assigners(&machine.states, None, &mut assigners);
    let graph = Graph {
        states: &machine.states,
        start_at: &machine.start_at,
        parent: None,
    };
    graph.check(&Names::new(), &assigners, locate, out);
}

struct Graph<'a> {
    states: &'a IndexMap<StateName, State>,
    start_at: &'a StateName,
    parent: Option<(&'a StatePath, usize)>,
}

impl Graph<'_> {
    fn path_of(&self, name: &StateName) -> StatePath {
        match self.parent {
            Some((parent, index)) => parent.child(index, name),
            None => StatePath::top(name),
        }
    }

    fn check(
        &self,
        inherited: &Names,
        assigners: &Assigners,
        locate: &Locator<'_>,
        out: &mut Vec<CheckError>,
    ) {
        let entry = self.entry_sets(inherited);
        for (name, state) in self.states {
            let Some(available) = entry.get(name) else {
                continue; // unreachable: reported by the graph checks
            };
            let path = self.path_of(name);
            let mut reported = Names::new();
            for read in flowc_asl::reads::variable_reads(state) {
                if available.contains(&read.name) || !reported.insert(read.name.clone()) {
                    continue;
                }
                out.push(unassigned(
                    name, &read.name, available, assigners, &path, locate,
                ));
            }
            for (index, branch) in state.branches().into_iter().enumerate() {
                let nested = Graph {
                    states: &branch.states,
                    start_at: &branch.start_at,
                    parent: Some((&path, index)),
                };
                nested.check(available, assigners, locate, out);
            }
        }
    }

    /// For each state reachable from the start: the variables some path into it has assigned.
    fn entry_sets(&self, inherited: &Names) -> HashMap<StateName, Names> {
        let mut entry: HashMap<StateName, Names> = HashMap::new();
        entry.insert(self.start_at.clone(), inherited.clone());
        let mut work = vec![self.start_at.clone()];
        while let Some(name) = work.pop() {
            let (Some(state), Some(available)) = (self.states.get(&name), entry.get(&name)) else {
                continue;
            };
            let available = available.clone();
            for (next, assigned) in edges(state) {
                let mut flowing = available.clone();
                flowing.extend(assigned);
                // Revisit a state when it is first reached or its set grows; sets only grow
                // and are bounded by the names written in the machine, so this terminates.
                match entry.entry(next.clone()) {
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        slot.insert(flowing);
                        work.push(next.clone());
                    }
                    std::collections::hash_map::Entry::Occupied(mut slot) => {
                        let before = slot.get().len();
                        slot.get_mut().extend(flowing);
                        if slot.get().len() != before {
                            work.push(next.clone());
                        }
                    }
                }
            }
        }
        entry
    }
}

/// The transitions of a state, each with the names assigned when it is taken.
fn edges(state: &State) -> Vec<(&StateName, Names)> {
    let own = assigned(state.assign.as_ref());
    let mut out = Vec::new();
    if let Some(flowc_asl::Transition::Next(next)) = state.transition() {
        out.push((next, own.clone()));
    }
    if let StateKind::Choice(choice) = &state.kind {
        for rule in &choice.choices {
            let mut names = own.clone();
            names.extend(assigned(rule.assign.as_ref()));
            out.push((&rule.next, names));
        }
        if let Some(default) = &choice.default {
            out.push((default, own.clone()));
        }
    }
    for catcher in state.catch() {
        out.push((&catcher.next, assigned(catcher.assign.as_ref())));
    }
    out
}

/// The names an `Assign` sets (`name.$` in JSONPath mode sets `name`).
fn assigned(assign: Option<&Assign>) -> Names {
    assign
        .map(|assign| assign.names().into_iter().map(str::to_string).collect())
        .unwrap_or_default()
}

fn collect_assigners(
    states: &IndexMap<StateName, State>,
    parent: Option<(&StatePath, usize)>,
    out: &mut Assigners,
) {
    for (name, state) in states {
        let path = match parent {
            Some((p, i)) => p.child(i, name),
            None => StatePath::top(name),
        };
        let mut names = assigned(state.assign.as_ref());
        for (_, edge) in edges(state) {
            names.extend(edge);
        }
        for n in names {
            out.0.entry(n).or_insert_with(|| path.clone());
        }
        for (index, branch) in state.branches().into_iter().enumerate() {
            collect_assigners(&branch.states, Some((&path, index)), out);
        }
    }
}

fn unassigned(
    state: &StateName,
    name: &str,
    available: &Names,
    assigners: &Assigners,
    path: &StatePath,
    locate: &Locator<'_>,
) -> CheckError {
    let help = match assigners.0.get(name) {
        Some(at) => format!(
            "`{at}` assigns `${name}`, but no path to `{state}` passes it where `{state}` can see it: what a Parallel branch or Map iteration assigns stays inside it, and a failed state's own Assign is not applied when a Catch takes over"
        ),
        None => match nearest(name, available) {
            Some(near) => format!("did you mean `${near}`?"),
            None => format!(
                "assign it with `\"Assign\": {{\"{name}\": ...}}` in a state before `{state}`"
            ),
        },
    };
    CheckError::UnassignedVariable {
        state: state.as_str().to_owned(),
        name: name.to_owned(),
        help,
        span: locate.state(path),
    }
}

/// The assigned name closest to `name`, when close enough to be a typo.
fn nearest<'a>(name: &str, candidates: &'a Names) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(name, c), c.as_str()))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
