//! Per-scope graph checks: unknown and escaping targets, unreachable states, no terminal state,
//! dead ends. One petgraph graph per scope, nodes in written order.

use flowc_asl::{State, StateKind, StateName, Transition};
use petgraph::Direction;
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::Dfs;

use super::spans::Locator;
use super::{CheckError, Container, Owners, Scope, loops};

/// A transition out of a state and the field it was written in.
pub(crate) struct Edge<'a> {
    pub(crate) target: &'a StateName,
    pub(crate) field: EdgeField,
}

/// Which field holds a transition; turned into a span pointer only when a diagnostic needs it,
/// so the clean path allocates nothing per edge.
#[derive(Clone, Copy)]
pub(crate) enum EdgeField {
    Next,
    Choice(usize),
    Default,
    Catch(usize),
}

impl EdgeField {
    /// Field pointer relative to the state (`Next`, `Choices/2/Next`, `Default`, `Catch/0/Next`).
    pub(crate) fn pointer(self) -> String {
        match self {
            EdgeField::Next => "Next".to_owned(),
            EdgeField::Choice(index) => format!("Choices/{index}/Next"),
            EdgeField::Default => "Default".to_owned(),
            EdgeField::Catch(index) => format!("Catch/{index}/Next"),
        }
    }
}

/// Calls `f` with every transition of a state and the field that holds it, in field order.
pub(crate) fn for_each_edge<'a>(state: &'a State, mut f: impl FnMut(Edge<'a>)) {
    if let Some(Transition::Next(next)) = state.transition() {
        f(Edge {
            target: next,
            field: EdgeField::Next,
        });
    }
    if let StateKind::Choice(choice) = &state.kind {
        for (index, rule) in choice.choices.iter().enumerate() {
            f(Edge {
                target: &rule.next,
                field: EdgeField::Choice(index),
            });
        }
        if let Some(default) = &choice.default {
            f(Edge {
                target: default,
                field: EdgeField::Default,
            });
        }
    }
    for (index, catcher) in state.catch().iter().enumerate() {
        f(Edge {
            target: &catcher.next,
            field: EdgeField::Catch(index),
        });
    }
}

/// Whether the execution (of this scope) can end in this state.
fn is_terminal(state: &State) -> bool {
    matches!(state.kind, StateKind::Succeed | StateKind::Fail(_))
        || matches!(state.transition(), Some(Transition::End))
}

/// The scope's graph (node `i` is the `i`-th state in written order) and the transitions whose
/// target is not a state of the scope: `(from index, edge)`.
pub(crate) fn build<'a>(scope: &Scope<'a>) -> (DiGraph<(), ()>, Vec<(usize, Edge<'a>)>) {
    let mut graph = DiGraph::with_capacity(scope.states.len(), scope.states.len() * 2);
    for _ in 0..scope.states.len() {
        graph.add_node(());
    }
    let mut missing = Vec::new();
    // The last target found by name: many states share one (a common error handler).
    let mut last: Option<(&StateName, usize)> = None;
    for (from, state) in scope.states.values().enumerate() {
        for_each_edge(state, |edge| {
            // Order is flow: most transitions go to the state written next, and then no name
            // needs hashing.
            let to = match scope.states.get_index(from + 1) {
                Some((next, _)) if next == edge.target => Some(from + 1),
                _ => match last {
                    Some((name, index)) if name == edge.target => Some(index),
                    _ => {
                        let found = scope.states.get_index_of(edge.target);
                        if let Some(index) = found {
                            last = Some((edge.target, index));
                        }
                        found
                    }
                },
            };
            match to {
                Some(to) => {
                    graph.add_edge(NodeIndex::new(from), NodeIndex::new(to), ());
                }
                None => missing.push((from, edge)),
            }
        });
    }
    (graph, missing)
}

pub(crate) fn check_scope(
    scope: &Scope<'_>,
    id: usize,
    scopes: &[Scope<'_>],
    owners: &Owners<'_>,
    locate: &Locator<'_>,
    out: &mut Vec<CheckError>,
) {
    let (graph, missing) = build(scope);
    for (from, edge) in &missing {
        let Some((name, _)) = scope.states.get_index(*from) else {
            continue;
        };
        out.push(unknown_or_escaping(
            scope,
            id,
            scopes,
            owners,
            name.as_str(),
            edge.target,
            locate.field(&scope.path_of(name), &edge.field.pointer()),
        ));
    }
    let Some(start) = scope.states.get_index_of(scope.start_at) else {
        out.push(unknown_or_escaping(
            scope,
            id,
            scopes,
            owners,
            "StartAt",
            scope.start_at,
            scope.start_span(locate),
        ));
        return;
    };
    // With a misspelled target the graph is missing edges; reachability would only add noise
    // on top of the real error.
    if !missing.is_empty() {
        return;
    }
    let start = NodeIndex::new(start);
    let mut reachable = vec![false; graph.node_count()];
    let mut dfs = Dfs::new(&graph, start);
    while let Some(node) = dfs.next(&graph) {
        if let Some(seen) = reachable.get_mut(node.index()) {
            *seen = true;
        }
    }
    for (index, name) in scope.states.keys().enumerate() {
        if !reachable.get(index).copied().unwrap_or(true) {
            out.push(CheckError::UnreachableState {
                name: name.as_str().to_owned(),
                start: scope.start_at.as_str().to_owned(),
                span: locate.state(&scope.path_of(name)),
            });
        }
    }

    let ends = can_end(scope, &graph);
    let sccs = kosaraju_scc(&graph);
    if !scope.states.values().any(is_terminal) {
        out.push(CheckError::NoTerminalState {
            scope: scope.describe(),
            span: scope.start_span(locate),
        });
    } else {
        report_dead_ends(scope, &graph, &sccs, &reachable, &ends, locate, out);
    }
    loops::check_loops(scope, &graph, &sccs, &reachable, locate, out);
}

fn unknown_or_escaping(
    scope: &Scope<'_>,
    id: usize,
    scopes: &[Scope<'_>],
    owners: &Owners<'_>,
    from: &str,
    target: &StateName,
    span: miette::SourceSpan,
) -> CheckError {
    match owners.owner(scopes, target.as_str()) {
        Some(owner) if owner != id => CheckError::EscapesBranch {
            from: from.to_owned(),
            name: target.as_str().to_owned(),
            place: match &scope.parent {
                Some((_, _, Container::Parallel)) => "outside its Parallel branch".to_owned(),
                Some((_, _, Container::Map)) => "outside its Map item processor".to_owned(),
                None => "inside a Parallel or Map branch".to_owned(),
            },
            span,
        },
        _ => CheckError::UnknownTarget {
            from: from.to_owned(),
            name: target.as_str().to_owned(),
            help: did_you_mean(target.as_str(), scope, scopes.len()),
            span,
        },
    }
}

/// "did you mean" over the scope's own state names (the only legal targets).
fn did_you_mean(name: &str, scope: &Scope<'_>, _scope_count: usize) -> String {
    let best = scope
        .states
        .keys()
        .map(|candidate| (strsim::jaro_winkler(name, candidate.as_str()), candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((_, candidate)) => format!("did you mean `{candidate}`?"),
        None => {
            let mut names: Vec<&str> = scope.states.keys().map(StateName::as_str).collect();
            let more = names.len().saturating_sub(8);
            names.truncate(8);
            let list = names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            if more > 0 {
                format!("states here: {list} and {more} more")
            } else {
                format!("states here: {list}")
            }
        }
    }
}

/// For each node, whether some terminal state is reachable from it (reverse search from the
/// terminals).
fn can_end(scope: &Scope<'_>, graph: &DiGraph<(), ()>) -> Vec<bool> {
    let mut ends = vec![false; graph.node_count()];
    let mut stack: Vec<NodeIndex> = scope
        .states
        .values()
        .enumerate()
        .filter(|(_, state)| is_terminal(state))
        .map(|(index, _)| NodeIndex::new(index))
        .collect();
    for node in &stack {
        if let Some(end) = ends.get_mut(node.index()) {
            *end = true;
        }
    }
    while let Some(node) = stack.pop() {
        for pred in graph.neighbors_directed(node, Direction::Incoming) {
            if let Some(end) = ends.get_mut(pred.index())
                && !*end
            {
                *end = true;
                stack.push(pred);
            }
        }
    }
    ends
}

/// One diagnostic per trap: a strongly connected component of reachable states that cannot end
/// and has no way out (every dead state leads into one of these).
fn report_dead_ends(
    scope: &Scope<'_>,
    graph: &DiGraph<(), ()>,
    sccs: &[Vec<NodeIndex>],
    reachable: &[bool],
    ends: &[bool],
    locate: &Locator<'_>,
    out: &mut Vec<CheckError>,
) {
    let mut component = vec![usize::MAX; graph.node_count()];
    for (id, scc) in sccs.iter().enumerate() {
        for node in scc {
            if let Some(slot) = component.get_mut(node.index()) {
                *slot = id;
            }
        }
    }
    let mut traps: Vec<Vec<NodeIndex>> = Vec::new();
    for (id, scc) in sccs.iter().enumerate() {
        let dead = scc.iter().all(|n| {
            reachable.get(n.index()).copied().unwrap_or(false)
                && !ends.get(n.index()).copied().unwrap_or(true)
        });
        let leaves = scc.iter().any(|n| {
            graph
                .neighbors(*n)
                .any(|m| component.get(m.index()).copied() != Some(id))
        });
        if dead && !leaves {
            let mut nodes = scc.clone();
            nodes.sort();
            traps.push(nodes);
        }
    }
    traps.sort();
    for nodes in traps {
        let names: Vec<&StateName> = nodes
            .iter()
            .filter_map(|n| scope.states.get_index(n.index()).map(|(name, _)| name))
            .collect();
        let Some(first) = names.first() else { continue };
        out.push(CheckError::DeadEnd {
            name: first.as_str().to_owned(),
            states: list_names(&names),
            span: locate.state(&scope.path_of(first)),
        });
    }
}

/// `A`, `B` and `C` (at most six names, then "and N more").
pub(crate) fn list_names(names: &[&StateName]) -> String {
    let shown: Vec<String> = names.iter().take(6).map(|n| format!("`{n}`")).collect();
    let more = names.len().saturating_sub(6);
    match (shown.split_last(), more) {
        (None, _) => String::new(),
        (Some((last, [])), _) => last.clone(),
        (Some((last, rest)), 0) => format!("{} and {last}", rest.join(", ")),
        (Some(_), more) => format!("{} and {more} more", shown.join(", ")),
    }
}
