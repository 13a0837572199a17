//! Graph checks over an ASL state machine, for `.flow` (after lowering) and for hand-written
//! `.asl.json` alike: unknown targets, transitions that escape a Parallel or Map branch,
//! unreachable states, missing terminal states and dead ends, Choice without Default, States.ALL
//! placement in Retry and Catch, unbounded polling loops, duplicate state names, numbers over
//! the limits AWS states (Wait seconds, retry intervals and attempts).
//!
//! Each scope (the machine, every Parallel branch, every Map processor) is its own petgraph
//! graph; every check is linear in the number of states and transitions. Negative and
//! non-integer waits and timeouts cannot reach this stage: the ASL loader and the `.flow`
//! resolver reject them, and the model stores them as unsigned integers.
//!
//! Diagnostics point into the source through a [`SpanSource`] side table.

mod error;
mod graph;
mod limits;
mod loops;
mod retry;
mod spans;
mod variables;

use std::collections::HashMap;

use flowc_asl::rules::{JsonSize, MAX_DEFINITION_BYTES};
use flowc_asl::{Branch, State, StateKind, StateMachine, StateName, StatePath};
use indexmap::IndexMap;

pub use error::CheckError;
use spans::Locator;
pub use spans::{NoSpans, SpanSource};

/// Runs every check and returns all problems found, errors and warnings, in source order of
/// the scopes (the machine first, then branches depth first).
pub fn check(machine: &StateMachine, spans: &dyn SpanSource) -> Vec<CheckError> {
    let locate = Locator { spans };
    let mut out = Vec::new();
    let mut scopes = Vec::new();
    collect_scopes(&machine.states, &machine.start_at, None, &mut scopes);
    let owners = scope_of_every_state(&scopes, &locate, &mut out);
    for (id, scope) in scopes.iter().enumerate() {
        graph::check_scope(scope, id, &scopes, &owners, &locate, &mut out);
        for (name, state) in scope.states {
            retry::check_state(scope, name, state, &locate, &mut out);
            limits::check_state(scope, name, state, &locate, &mut out);
            if let StateKind::Choice(choice) = &state.kind
                && choice.default.is_none()
            {
                out.push(CheckError::ChoiceWithoutDefault {
                    name: name.as_str().to_owned(),
                    span: locate.state(&scope.path_of(name)),
                });
            }
        }
    }
    variables::check(machine, &locate, &mut out);
    out
}

/// AWS's 1 MB definition quota, on the size of the definition text as AWS would receive it (an
/// ASL file as written, or what `flowc compile` emits). AWS counts the string it is sent, so
/// the indentation counts; the help says whether the same definition sent minified would fit,
/// since pretty-printing deep nesting (2 spaces a level) can be most of the size.
pub fn definition_size(sent: JsonSize, as_what: &'static str) -> Option<CheckError> {
    if sent.bytes <= MAX_DEFINITION_BYTES {
        return None;
    }
    let compact = sent.compact;
    let help = if compact <= MAX_DEFINITION_BYTES {
        format!(
            "AWS counts the definition string it is sent, whitespace included; without it this one is {compact} bytes and fits: deploy it minified (Terraform: `jsonencode(jsondecode(templatefile(...)))`), or flatten the nesting"
        )
    } else {
        format!(
            "even minified it is {compact} bytes: split the workflow into several state machines (a Task starting a child execution with `states:startExecution.sync`, or a Distributed Map whose items run as child executions)"
        )
    };
    Some(CheckError::DefinitionTooLarge {
        size: sent.bytes,
        as_what,
        limit: MAX_DEFINITION_BYTES,
        help,
        span: (0, 0).into(),
    })
}

/// One graph of states: the machine's top level, a Parallel branch or a Map processor.
pub(crate) struct Scope<'a> {
    pub(crate) states: &'a IndexMap<StateName, State>,
    pub(crate) start_at: &'a StateName,
    /// The Parallel or Map state holding this branch and the branch index; `None` at top level.
    pub(crate) parent: Option<(StatePath, usize, Container)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Container {
    Parallel,
    Map,
}

impl Scope<'_> {
    pub(crate) fn path_of(&self, name: &StateName) -> StatePath {
        match &self.parent {
            Some((parent, index, _)) => parent.child(*index, name),
            None => StatePath::top(name),
        }
    }

    /// What the scope is called in messages.
    pub(crate) fn describe(&self) -> String {
        match &self.parent {
            None => "state machine".to_owned(),
            Some((parent, index, Container::Parallel)) => {
                format!("branch {index} of Parallel state `{parent}`")
            }
            Some((parent, _, Container::Map)) => format!("item processor of Map state `{parent}`"),
        }
    }

    /// Where the scope's StartAt was written.
    pub(crate) fn start_span(&self, locate: &Locator<'_>) -> miette::SourceSpan {
        let start = self.path_of(self.start_at);
        match &self.parent {
            None => locate
                .spans
                .machine_field("StartAt")
                .unwrap_or_else(|| locate.state(&start)),
            Some((parent, index, container)) => {
                let pointer = match container {
                    Container::Parallel => format!("Branches/{index}/StartAt"),
                    Container::Map => "ItemProcessor/StartAt".to_owned(),
                };
                locate
                    .spans
                    .field(parent, &pointer)
                    .or_else(|| locate.spans.field(parent, "Iterator/StartAt"))
                    .or_else(|| locate.spans.state_name(&start))
                    .unwrap_or_else(|| locate.state(parent))
            }
        }
    }
}

fn collect_scopes<'a>(
    states: &'a IndexMap<StateName, State>,
    start_at: &'a StateName,
    parent: Option<(StatePath, usize, Container)>,
    out: &mut Vec<Scope<'a>>,
) {
    let parent_path = parent.as_ref().map(|(p, i, _)| (p.clone(), *i));
    out.push(Scope {
        states,
        start_at,
        parent,
    });
    for (name, state) in states {
        let (branches, container): (&[Branch], Container) = match &state.kind {
            StateKind::Parallel(parallel) => (&parallel.branches, Container::Parallel),
            StateKind::Map(map) => (
                std::slice::from_ref(&map.item_processor.branch),
                Container::Map,
            ),
            _ => continue,
        };
        let path = match &parent_path {
            Some((p, i)) => p.child(*i, name),
            None => StatePath::top(name),
        };
        for (index, branch) in branches.iter().enumerate() {
            collect_scopes(
                &branch.states,
                &branch.start_at,
                Some((path.clone(), index, container)),
                out,
            );
        }
    }
}

/// Which scope each state name belongs to: the first scope (in [`collect_scopes`] order) that
/// defines it.
pub(crate) enum Owners<'a> {
    /// A few scopes: each scope's own state map answers (no table to build; a machine without
    /// Parallel or Map states asks nothing at all).
    Scan,
    /// Many scopes: one table over all of them.
    Table(HashMap<&'a str, usize>),
}

/// Up to this many scopes, [`Owners::Scan`].
const SCAN_SCOPES: usize = 8;

impl Owners<'_> {
    pub(crate) fn owner(&self, scopes: &[Scope<'_>], name: &str) -> Option<usize> {
        match self {
            Owners::Scan => scopes
                .iter()
                .position(|scope| scope.states.contains_key(name)),
            Owners::Table(owners) => owners.get(name).copied(),
        }
    }
}

/// Which scope each state name belongs to (its first definition); reports names defined in
/// more than one scope, which AWS rejects (state names are unique machine-wide).
fn scope_of_every_state<'a>(
    scopes: &[Scope<'a>],
    locate: &Locator<'_>,
    out: &mut Vec<CheckError>,
) -> Owners<'a> {
    if scopes.len() <= SCAN_SCOPES {
        // Names are unique within a scope: a name is defined again when an earlier scope has it.
        for (id, scope) in scopes.iter().enumerate().skip(1) {
            let earlier = scopes.get(..id).unwrap_or_default();
            for name in scope.states.keys() {
                if let Some(first) = Owners::Scan.owner(earlier, name.as_str()) {
                    duplicate_state(scopes, scope, first, name, locate, out);
                }
            }
        }
        return Owners::Scan;
    }
    let mut owners: HashMap<&'a str, usize> = HashMap::new();
    for (id, scope) in scopes.iter().enumerate() {
        for name in scope.states.keys() {
            if let Some(&first) = owners.get(name.as_str()) {
                duplicate_state(scopes, scope, first, name, locate, out);
            } else {
                owners.insert(name.as_str(), id);
            }
        }
    }
    Owners::Table(owners)
}

/// `name`, defined in `scope`, was first defined in scope `first`.
fn duplicate_state(
    scopes: &[Scope<'_>],
    scope: &Scope<'_>,
    first: usize,
    name: &StateName,
    locate: &Locator<'_>,
    out: &mut Vec<CheckError>,
) {
    let here = locate.state(&scope.path_of(name));
    let there = scopes
        .get(first)
        .map(|s| locate.state(&s.path_of(name)))
        .unwrap_or(here);
    // "First" in the reader's sense: earlier in the file, whatever the nesting.
    let (first, again) = if there.offset() <= here.offset() {
        (there, here)
    } else {
        (here, there)
    };
    out.push(CheckError::DuplicateState {
        name: name.as_str().to_owned(),
        span: again,
        first,
    });
}

#[cfg(test)]
mod tests;
