//! Unbounded loops: a cycle through a Wait or Task state that nothing bounds. A cycle with a
//! Wait polls (time passes each round); one without walks data (pages, a popped list), and
//! each gets the advice that fits it.
//!
//! A cycle is bounded when it has the shape the `.flow` `poll` construct emits: a state on the
//! cycle increments a counter (`"key.$": "States.MathAdd(<counter>, n)"` written back to the
//! same place through `ResultPath`), and a Choice on the cycle has a rule that compares that
//! counter numerically and leaves the cycle. A variable counts the same way (the shape `poll`
//! emits where JSONata is in effect): a state's `Assign` sets `name` to `{% $name + n %}` (or,
//! in JSONPath, `"name.$": "States.MathAdd($name, n)"`) and a rule tests `{% $name >= N %}`
//! (`>` too) or compares the path `$name` numerically. Anything else runs until the
//! 25,000-event history limit, so it is a warning.

use flowc_asl::intrinsic::{Arg, Function};
use flowc_asl::path::{RefStep, ReferencePath};
use flowc_asl::{
    Assign, Condition, JsonataValue, OperandFamily, PathOrNull, State, StateKind, StateName,
    Template, TemplateValue,
};
use petgraph::graph::{DiGraph, NodeIndex};

use super::graph::list_names;
use super::spans::Locator;
use super::{CheckError, Scope};

pub(crate) fn check_loops(
    scope: &Scope<'_>,
    graph: &DiGraph<(), ()>,
    sccs: &[Vec<NodeIndex>],
    reachable: &[bool],
    locate: &Locator<'_>,
    out: &mut Vec<CheckError>,
) {
    let mut found: Vec<(usize, CheckError)> = Vec::new();
    for scc in sccs {
        let is_cycle = scc.len() > 1
            || scc
                .first()
                .is_some_and(|n| graph.neighbors(*n).any(|m| m == *n));
        if !is_cycle || !scc.iter().all(|n| reachable.get(n.index()) == Some(&true)) {
            continue;
        }
        let mut nodes = scc.clone();
        nodes.sort();
        let members: Vec<(&StateName, &State)> = nodes
            .iter()
            .filter_map(|n| scope.states.get_index(n.index()))
            .collect();
        // A Wait on the cycle makes it a polling loop (time passes each round); without one,
        // a cycle through a Task walks data (pagination, a list it pops) and gets advice for
        // that. Either one anchors the finding where the round's work happens.
        let polling = members
            .iter()
            .any(|(_, s)| matches!(s.kind, StateKind::Wait(_)));
        let Some((anchor_index, (anchor, _))) = members.iter().enumerate().find(|(_, (_, s))| {
            if polling {
                matches!(s.kind, StateKind::Wait(_))
            } else {
                matches!(s.kind, StateKind::Task(_))
            }
        }) else {
            continue;
        };
        if is_bounded(&members) {
            continue;
        }
        let names: Vec<&StateName> = members.iter().map(|(n, _)| *n).collect();
        let first = nodes.get(anchor_index).map_or(0, |n| n.index());
        let states = list_names(&names);
        let span = locate.state(&scope.path_of(anchor));
        found.push((
            first,
            if polling {
                CheckError::UnboundedLoop { states, span }
            } else {
                CheckError::UnboundedDataLoop { states, span }
            },
        ));
    }
    found.sort_by_key(|(first, _)| *first);
    out.extend(found.into_iter().map(|(_, error)| error));
}

/// A counter: where it is stored (reference path steps, or a variable); the increment reads
/// the same place.
enum Counter {
    Steps(Vec<RefStep>),
    Variable(String),
}

fn is_bounded(members: &[(&StateName, &State)]) -> bool {
    let counters: Vec<Counter> = members.iter().flat_map(|(_, s)| counters(s)).collect();
    if counters.is_empty() {
        return false;
    }
    let inside = |name: &StateName| members.iter().any(|(n, _)| *n == name);
    members.iter().any(|(_, state)| {
        let StateKind::Choice(choice) = &state.kind else {
            return false;
        };
        choice
            .choices
            .iter()
            .any(|rule| !inside(&rule.next) && tests_counter(&rule.condition, &counters))
    })
}

/// Counters a state increments: entries `"key.$": "States.MathAdd(<p>, <n>)"` of Parameters
/// (Pass) or ResultSelector (Task), with `n` not zero and ResultPath + key naming `p` itself.
fn counters(state: &State) -> Vec<Counter> {
    let mut out = variable_counters(state);
    out.extend(path_counters(state));
    out
}

/// Variables a state's `Assign` increments: `name := $name + n`.
fn variable_counters(state: &State) -> Vec<Counter> {
    match &state.assign {
        Some(Assign::Jsonata(members)) => members
            .iter()
            .filter_map(|(name, value)| {
                let JsonataValue::Expression(e) = value else {
                    return None;
                };
                let text: String = e.source().split_whitespace().collect();
                let step = text.strip_prefix(&format!("${name}+"))?;
                step.parse::<f64>()
                    .is_ok_and(|n| n != 0.0)
                    .then(|| Counter::Variable(name.clone()))
            })
            .collect(),
        Some(assign @ Assign::JsonPath(_)) => assign
            .template_entries()
            .iter()
            .filter_map(|entry| {
                let TemplateValue::Intrinsic(call) = &entry.value else {
                    return None;
                };
                let call = call.call();
                let (Some(Arg::Path(read)), Some(Arg::Number(step))) =
                    (call.args.first(), call.args.get(1))
                else {
                    return None;
                };
                (call.function == Function::MathAdd
                    && step.as_f64().is_some_and(|n| n != 0.0)
                    && read.as_str() == format!("${}", entry.key))
                .then(|| Counter::Variable(entry.key.clone()))
            })
            .collect(),
        None => Vec::new(),
    }
}

fn path_counters(state: &State) -> Vec<Counter> {
    let template = match &state.kind {
        StateKind::Pass(pass) => pass.parameters.as_ref(),
        StateKind::Task(task) => task.result_selector.as_ref(),
        _ => None,
    };
    let Some(Template::Object(entries)) = template else {
        return Vec::new();
    };
    let base: Vec<RefStep> = match state.result_path() {
        None => Vec::new(),
        Some(PathOrNull::Path(path)) if !path.is_context() => path.steps().to_vec(),
        Some(_) => return Vec::new(),
    };
    entries
        .iter()
        .filter_map(|entry| {
            let TemplateValue::Intrinsic(call) = &entry.value else {
                return None;
            };
            let call = call.call();
            if call.function != Function::MathAdd {
                return None;
            }
            let (Some(Arg::Path(read)), Some(Arg::Number(step))) =
                (call.args.first(), call.args.get(1))
            else {
                return None;
            };
            if step.as_f64().is_none_or(|n| n == 0.0) {
                return None;
            }
            let mut steps = base.clone();
            steps.push(RefStep::Name(entry.key.clone()));
            // The increment must read the place it writes: `count := count + n`.
            let read = ReferencePath::parse(read.as_str()).ok()?;
            (!read.is_context() && read.steps() == steps.as_slice())
                .then_some(Counter::Steps(steps))
        })
        .collect()
}

/// Whether a condition compares one of the counters with a numeric operator.
fn tests_counter(condition: &Condition, counters: &[Counter]) -> bool {
    match condition {
        Condition::And(all) | Condition::Or(all) => all.iter().any(|c| tests_counter(c, counters)),
        Condition::Not(inner) => tests_counter(inner, counters),
        Condition::Commented { condition, .. } => tests_counter(condition, counters),
        Condition::Compare(comparison) => {
            comparison.operator.family() == OperandFamily::Number
                && counters.iter().any(|c| match c {
                    Counter::Steps(steps) => comparison.variable.steps() == steps.as_slice(),
                    Counter::Variable(name) => comparison.variable.as_str() == format!("${name}"),
                })
        }
        Condition::Jsonata(e) => {
            let text: String = e.source().split_whitespace().collect();
            counters.iter().any(|c| {
                let Counter::Variable(name) = c else {
                    return false;
                };
                let Some(rest) = text.strip_prefix(&format!("${name}")) else {
                    return false;
                };
                let bound = rest.strip_prefix(">=").or_else(|| rest.strip_prefix('>'));
                bound.is_some_and(|n| n.parse::<f64>().is_ok())
            })
        }
    }
}
