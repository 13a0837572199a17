//! The shapes a person writes in `.flow` that the ASL only implies, recovered by decompile:
//!
//! - **`poll`**: the five states `poll` lowers to (a counter Pass, the Wait, the checking
//!   Task, the counting Pass, the deciding Choice whose last rule ends the loop after N checks
//!   and whose Default waits again) become the `poll` block again, when they are exactly what
//!   the compiler writes and nothing outside the loop goes into it.
//! - **`retry policy`**: a Retry rule written the same way on two states or more becomes one
//!   named policy that each of them names.
//! - **State order**: the definition's own order of `States` (StartAt first) when it implies
//!   as many transitions as following the `Next` chains from StartAt does; the chains
//!   otherwise. A definition written in reading order keeps it; one written in any order
//!   reads top to bottom.
//!
//! Each recovered shape compiles back to the same JSON.

use std::collections::{BTreeMap, HashSet};

use flowc_asl::{
    Condition as AslCondition, IntegerField, Operand as AslOperand, Operator,
    PathOrNull as AslPathOrNull, State as AslState, StateKind as AslKind, StateName, Template,
    TemplateValue, Transition, WaitFor,
};
use flowc_dsl::ast::{
    Field, Number, PathText, Poll, Retry, RetryPolicyDecl, RetryRule, Span, State, StateKind,
};
use indexmap::IndexMap;

use super::{DecompileError, Decompiler, duration, sp};
use crate::lower::{count_state_name, default_counter};

/// Five states that are one `poll` block.
pub(super) struct PollShape<'a> {
    start: &'a StateName,
    wait: &'a StateName,
    check: &'a StateName,
    count: &'a StateName,
    decide: &'a StateName,
    every: u64,
    at_most: u64,
    /// The counter's path as written; `None` when it is the default `$.polls.NAME`.
    counter: Option<String>,
    exhausted: &'a StateName,
}

impl PollShape<'_> {
    /// Whether the block starts at (is written as) `name`.
    pub(super) fn starts_at(&self, name: &StateName) -> bool {
        self.start == name
    }

    /// The states the block writes inside itself (all but its first).
    fn inner(&self) -> [&StateName; 4] {
        [self.wait, self.check, self.count, self.decide]
    }
}

/// A state with nothing but its type's own fields: what `poll` writes for the counter Passes
/// and the Wait.
fn plain(state: &AslState) -> bool {
    state.comment.is_none()
        && state.query_language.is_none()
        && state.input_path.is_none()
        && state.output_path.is_none()
        && state.assign.is_none()
        && state.output.is_none()
}

fn next(transition: &Transition) -> Option<&StateName> {
    match transition {
        Transition::Next(name) => Some(name),
        Transition::End => None,
    }
}

fn result_path_text(path: &Option<flowc_asl::ResultPath>) -> Option<&str> {
    match path {
        Some(AslPathOrNull::Path(p)) => Some(p.as_str()),
        _ => None,
    }
}

/// Every poll of one block (a machine's or a branch's states).
pub(super) fn find_polls<'a>(
    start_at: &StateName,
    states: &'a IndexMap<StateName, AslState>,
) -> Vec<PollShape<'a>> {
    let mut polls: Vec<PollShape<'_>> = states
        .iter()
        .filter_map(|(name, state)| poll_at(name, state, states))
        .collect();
    // Nothing outside a loop may go into it: `.flow` has no way to name its inner states from
    // outside in every case (the counting Pass is not a state one can write), and a loop
    // entered in the middle is not a `poll`.
    let targets = |name: &StateName| -> Vec<&StateName> {
        states
            .iter()
            .filter(|(_, state)| state.successors().contains(&name))
            .map(|(from, _)| from)
            .collect()
    };
    polls.retain(|poll| {
        let own = [poll.start, poll.wait, poll.check, poll.count, poll.decide];
        poll.inner()
            .iter()
            .all(|inner| *inner != start_at && targets(inner).iter().all(|from| own.contains(from)))
    });
    // A state belongs to one poll at most (two loops sharing a state are not two polls).
    let mut taken: HashSet<&StateName> = HashSet::new();
    polls.retain(|poll| {
        let all = [poll.start, poll.wait, poll.check, poll.count, poll.decide];
        all.iter().all(|name| !taken.contains(name)) && all.iter().all(|name| taken.insert(name))
    });
    polls
}

fn poll_at<'a>(
    start: &'a StateName,
    state: &'a AslState,
    states: &'a IndexMap<StateName, AslState>,
) -> Option<PollShape<'a>> {
    // NAME: Pass, Result {"count": 0} into the counter, then the Wait.
    let AslKind::Pass(first) = &state.kind else {
        return None;
    };
    if !plain(state)
        || first.parameters.is_some()
        || first.result.as_ref() != Some(&serde_json::json!({ "count": 0 }))
    {
        return None;
    }
    let counter = result_path_text(&first.result_path)?;
    let (wait, wait_state) = states.get_key_value(next(&first.transition)?)?;
    // The Wait: whole seconds, then the check.
    let AslKind::Wait(w) = &wait_state.kind else {
        return None;
    };
    let WaitFor::Seconds(IntegerField::Value(every)) = &w.wait_for else {
        return None;
    };
    if !plain(wait_state) {
        return None;
    }
    let (check, check_state) = states.get_key_value(next(&w.transition)?)?;
    let AslKind::Task(task) = &check_state.kind else {
        return None;
    };
    // The check goes to NAMECount, which adds one to the counter and goes to the Choice.
    let count_name = count_state_name(start.as_str());
    let (count, count_state) = states.get_key_value(next(&task.transition)?)?;
    if count.as_str() != count_name || !plain(count_state) {
        return None;
    }
    let AslKind::Pass(add) = &count_state.kind else {
        return None;
    };
    let increment = format!("States.MathAdd({counter}.count, 1)");
    let counts = match &add.parameters {
        Some(Template::Object(entries)) => match entries.as_slice() {
            [entry] => {
                entry.key == "count"
                    && matches!(&entry.value, TemplateValue::Intrinsic(call) if call.as_str() == increment)
            }
            _ => false,
        },
        _ => false,
    };
    if !counts || add.result.is_some() || result_path_text(&add.result_path) != Some(counter) {
        return None;
    }
    let (decide, decide_state) = states.get_key_value(next(&add.transition)?)?;
    let AslKind::Choice(choice) = &decide_state.kind else {
        return None;
    };
    // The Choice: the written rules, then `count >= N -> exhausted`; Default waits again.
    if choice.default.as_ref() != Some(wait) {
        return None;
    }
    let bound = choice.choices.last()?;
    let AslCondition::Compare(compare) = &bound.condition else {
        return None;
    };
    let AslOperand::Number(limit) = &compare.operand else {
        return None;
    };
    let at_most = limit.as_u64().filter(|n| *n >= 1)?;
    if compare.operator != Operator::NumericGreaterThanEquals
        || compare.variable.as_str() != format!("{counter}.count")
        || limit.to_string() != at_most.to_string()
        || bound.comment.is_some()
        || bound.assign.is_some()
        || bound.output.is_some()
    {
        return None;
    }
    let names = [start, wait, check, count, decide];
    if names.iter().collect::<HashSet<_>>().len() != names.len() {
        return None;
    }
    Some(PollShape {
        start,
        wait,
        check,
        count,
        decide,
        every: *every,
        at_most,
        counter: (counter != default_counter(start.as_str())).then(|| counter.to_string()),
        exhausted: &bound.next,
    })
}

/// The block's states in the order to write them: the definition's own order (StartAt moved
/// first) when it leaves no more transitions to write out than following the `Next` chains;
/// the chains otherwise. The inner states of `polls` are left out (their block writes them).
pub(super) fn order<'a>(
    start_at: &'a StateName,
    states: &'a IndexMap<StateName, AslState>,
    polls: &[PollShape<'a>],
) -> Vec<&'a StateName> {
    let inner: HashSet<&StateName> = polls.iter().flat_map(|p| p.inner()).collect();
    let is_poll = |name: &StateName| polls.iter().any(|p| p.start == name);
    // What follows a state when nothing is written: a poll never falls through.
    let falls_to = |name: &StateName| -> Option<&'a StateName> {
        if is_poll(name) {
            return None;
        }
        match states.get(name)?.transition()? {
            Transition::Next(next) => Some(next),
            Transition::End => None,
        }
    };
    let written: Vec<&StateName> = std::iter::once(start_at)
        .chain(states.keys().filter(|name| *name != start_at))
        .filter(|name| states.contains_key(*name) && !inner.contains(name))
        .collect();
    let mut seen: HashSet<&StateName> = HashSet::new();
    let mut chained = Vec::with_capacity(written.len());
    for &first in &written {
        let mut current = first;
        while !inner.contains(current) && states.contains_key(current) && seen.insert(current) {
            chained.push(current);
            match falls_to(current) {
                Some(next) => current = next,
                None => break,
            }
        }
    }
    // Transitions that must be written out: a `next` to a state that is not the following
    // one, an `end` on a state that is not the last.
    let cost = |order: &[&StateName]| -> usize {
        order
            .iter()
            .enumerate()
            .filter(|(index, name)| {
                if is_poll(name) {
                    return false;
                }
                match states.get(**name).and_then(AslState::transition) {
                    Some(Transition::Next(next)) => order.get(index + 1) != Some(&next),
                    Some(Transition::End) => index + 1 != order.len(),
                    None => false,
                }
            })
            .count()
    };
    if cost(&written) <= cost(&chained) {
        written
    } else {
        chained
    }
}

impl Decompiler {
    /// The `poll` block for `shape`.
    pub(super) fn poll(
        &mut self,
        shape: &PollShape<'_>,
        states: &IndexMap<StateName, AslState>,
    ) -> Result<State, DecompileError> {
        let get = |name: &StateName| {
            states
                .get(name)
                .ok_or_else(|| super::unsupported("a poll whose states are missing", name.as_str()))
        };
        // The check falls through to the counting Pass, which the block writes itself.
        let check = self.state(get(shape.check)?, Some(shape.count), false)?;
        let mut decide = self.state(get(shape.decide)?, None, false)?;
        // The bound's rule and the Default are the block's own (`at most`, the loop).
        let bound = decide
            .fields
            .iter()
            .rposition(|f| matches!(f.node, Field::When(_)));
        if let Some(index) = bound {
            decide.fields.remove(index);
        }
        decide
            .fields
            .retain(|f| !matches!(f.node, Field::Otherwise(_)));
        Ok(State {
            name: sp(shape.start.as_str().to_string()),
            kind: StateKind::Poll(Box::new(Poll {
                every: sp(duration(shape.every)),
                at_most: sp(Number(shape.at_most.to_string())),
                wait: sp(shape.wait.as_str().to_string()),
                check,
                decide,
                exhausted: sp(shape.exhausted.as_str().to_string()),
                counter: shape.counter.clone().map(|c| sp(PathText(c))),
            })),
            fields: Vec::new(),
            span: Span::default(),
        })
    }
}

/// Retry rules written the same way on two states or more become named policies: the states
/// then say `retry NAME`. Returns the declarations, in the order of first use.
pub(super) fn retry_policies(states: &mut [State]) -> Vec<RetryPolicyDecl> {
    let mut uses: Vec<(RetryRule, usize)> = Vec::new();
    visit_rules(states, &mut |rule| {
        match uses.iter_mut().find(|(known, _)| known == &*rule) {
            Some((_, count)) => *count += 1,
            None => uses.push((rule.clone(), 1)),
        }
        None
    });
    let mut taken: BTreeMap<String, ()> = BTreeMap::new();
    let policies: Vec<(RetryRule, String)> = uses
        .into_iter()
        .filter(|(_, count)| *count > 1)
        .map(|(rule, _)| {
            let base = policy_name(&rule);
            let mut name = base.clone();
            let mut counter = 2;
            while taken.contains_key(&name) {
                name = format!("{base}_{counter}");
                counter += 1;
            }
            taken.insert(name.clone(), ());
            (rule, name)
        })
        .collect();
    if policies.is_empty() {
        return Vec::new();
    }
    visit_rules(states, &mut |rule| {
        policies
            .iter()
            .find(|(known, _)| known == &*rule)
            .map(|(_, name)| name.clone())
    });
    policies
        .into_iter()
        .map(|(rule, name)| RetryPolicyDecl {
            name: sp(name),
            rule,
            span: Span::default(),
        })
        .collect()
}

/// Calls `f` on every inline Retry rule, nested blocks included; a name returned replaces
/// the rule with that policy.
fn visit_rules(states: &mut [State], f: &mut dyn FnMut(&RetryRule) -> Option<String>) {
    for state in states {
        if let StateKind::Poll(poll) = &mut state.kind {
            visit_rules(std::slice::from_mut(&mut poll.check), f);
            visit_rules(std::slice::from_mut(&mut poll.decide), f);
        }
        for field in &mut state.fields {
            match &mut field.node {
                Field::Retry(retry) => {
                    if let Retry::Inline(rule) = retry
                        && let Some(name) = f(rule)
                    {
                        *retry = Retry::Policy(sp(name));
                    }
                }
                Field::Branch(states) => visit_rules(states, f),
                Field::Process(process) => visit_rules(&mut process.states, f),
                _ => {}
            }
        }
    }
}

/// A name for a policy from the errors it retries: `Lambda.ServiceException, Lambda.
/// TooManyRequestsException` -> `lambda_errors`, `States.Timeout` -> `timeout`, `States.ALL`
/// -> `any_error`; `retry_policy` when the errors have nothing in common.
fn policy_name(rule: &RetryRule) -> String {
    let errors: Vec<&str> = rule.errors.iter().map(|e| e.node.as_str()).collect();
    let snake = |text: &str| -> String {
        let mut out = String::new();
        let mut previous_lower = false;
        for c in text.chars() {
            if c.is_ascii_uppercase() && previous_lower {
                out.push('_');
            }
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            });
        }
        out.trim_matches('_').to_string()
    };
    let name = match errors.as_slice() {
        ["States.ALL"] => "any_error".to_string(),
        [one] => snake(one.strip_prefix("States.").unwrap_or(one)),
        [first, rest @ ..] => {
            let prefix = first.split('.').next().unwrap_or("");
            if !prefix.is_empty()
                && first.contains('.')
                && rest
                    .iter()
                    .all(|e| e.split('.').next() == Some(prefix) && e.contains('.'))
            {
                format!("{}_errors", snake(prefix))
            } else {
                String::new()
            }
        }
        [] => String::new(),
    };
    if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name
    } else {
        "retry_policy".to_string()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rule(errors: &[&str]) -> RetryRule {
        RetryRule {
            errors: errors.iter().map(|e| sp(e.to_string())).collect(),
            every: None,
            attempts: None,
            backoff: None,
            max_delay: None,
            jitter: None,
            comment: None,
            span: Span::default(),
        }
    }

    #[test]
    fn policies_are_named_after_the_errors_they_retry() {
        assert_eq!(
            policy_name(&rule(&[
                "Lambda.ServiceException",
                "Lambda.TooManyRequestsException"
            ])),
            "lambda_errors"
        );
        assert_eq!(policy_name(&rule(&["States.ALL"])), "any_error");
        assert_eq!(policy_name(&rule(&["States.TaskFailed"])), "task_failed");
        assert_eq!(
            policy_name(&rule(&["Custom", "States.Timeout"])),
            "retry_policy"
        );
        assert_eq!(policy_name(&rule(&["42"])), "retry_policy");
    }
}
