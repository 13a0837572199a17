//! Name resolution: resources, retry policies and every state name of the workflow.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::HashMap;

use flowc_asl::Retrier;

use flowc_dsl::ast::{
    Field, Item, ResourceKind, RetryRule, Span, Spanned, State, StateKind, Workflow,
};

use super::Bindings;
use super::error::{ResolveError, did_you_mean};
use super::values::Errors;

/// A declared retry policy and, once one use lowered it without errors, its Retrier (every
/// `retry NAME` gets a copy).
struct Policy<'a> {
    rule: &'a RetryRule,
    lowered: OnceCell<Retrier>,
}

/// Everything a state may refer to by name.
pub(crate) struct Scope<'a> {
    /// Resource name -> the ARN its tasks get.
    resources: HashMap<&'a str, String>,
    policies: HashMap<&'a str, Policy<'a>>,
    /// Every state name in the workflow (nested ones and those a `poll` generates), borrowed
    /// from the workflow where it is written there.
    states: HashMap<Cow<'a, str>, Span>,
    /// Where each JSONata expression was written.
    expressions: &'a [flowc_dsl::ast::ExpressionSite],
    /// The workflow's text, when lowering from text: JSON template errors then point at the
    /// member they are about.
    pub source: Option<&'a str>,
}

impl<'a> Scope<'a> {
    pub fn collect(workflow: &'a Workflow, bindings: &Bindings, errors: &mut Errors) -> Self {
        let mut scope = Scope {
            resources: HashMap::new(),
            policies: HashMap::new(),
            states: HashMap::new(),
            expressions: &workflow.expressions,
            source: None,
        };
        let mut declared: HashMap<(&'static str, &str), Span> = HashMap::new();
        for item in &workflow.items {
            let (what, name) = match item {
                Item::Resource(decl) => {
                    let arn = match (bindings.get(&decl.name.node), &decl.kind) {
                        (Some(bound), _) => bound.to_string(),
                        (None, ResourceKind::Arn(arn)) => arn.node.clone(),
                        // Terraform's templatefile() fills `${name}`.
                        (None, ResourceKind::Lambda(_)) => format!("${{{}}}", decl.name.node),
                    };
                    scope.resources.insert(&decl.name.node, arn);
                    ("resource", &decl.name)
                }
                Item::RetryPolicy(policy) => {
                    scope.policies.insert(
                        &policy.name.node,
                        Policy {
                            rule: &policy.rule,
                            lowered: OnceCell::new(),
                        },
                    );
                    ("retry policy", &policy.name)
                }
                _ => continue,
            };
            if let Some(first) = declared.insert((what, &name.node), name.span) {
                errors.push(ResolveError::DuplicateDeclaration {
                    what,
                    name: name.node.clone(),
                    span: name.span.into(),
                    first: first.into(),
                });
            }
        }
        for (name, _) in bindings.iter() {
            if !scope.resources.contains_key(name) {
                let declared = scope.resources.keys().copied();
                errors.push(ResolveError::UnknownBinding {
                    name: name.to_string(),
                    help: did_you_mean(
                        name,
                        declared,
                        "`--bind NAME=ARN` names a `resource NAME = ...` declared in the file",
                    ),
                    span: (0, 0).into(),
                });
            }
        }
        for state in workflow.states() {
            scope.add_state(state, errors);
        }
        scope
    }

    fn add_name(&mut self, name: &'a Spanned<String>, errors: &mut Errors) {
        self.add_generated(Cow::Borrowed(&name.node), name.span, errors);
    }

    fn add_generated(&mut self, name: Cow<'a, str>, span: Span, errors: &mut Errors) {
        if let Some(first) = self.states.get(name.as_ref()) {
            // The second state of that name replaces the first in the machine.
            errors.push_graph_loss(ResolveError::DuplicateState {
                name: name.into_owned(),
                span: span.into(),
                first: (*first).into(),
            });
        } else {
            self.states.insert(name, span);
        }
    }

    fn add_state(&mut self, state: &'a State, errors: &mut Errors) {
        self.add_name(&state.name, errors);
        if let StateKind::Poll(poll) = &state.kind {
            self.add_name(&poll.wait, errors);
            self.add_name(&poll.check.name, errors);
            self.add_generated(
                Cow::Owned(super::poll::count_state_name(&state.name.node)),
                state.name.span,
                errors,
            );
            self.add_name(&poll.decide.name, errors);
        }
        for field in &state.fields {
            match &field.node {
                Field::Branch(states) => states.iter().for_each(|s| self.add_state(s, errors)),
                Field::Process(process) => process
                    .states
                    .iter()
                    .for_each(|s| self.add_state(s, errors)),
                _ => {}
            }
        }
    }

    /// How many states the workflow has, nested and generated ones included.
    /// Where the workflow's JSONata expressions were written, in source order.
    pub fn expression_sites(&self) -> &'a [flowc_dsl::ast::ExpressionSite] {
        self.expressions
    }

    pub fn state_count(&self) -> usize {
        self.states.len()
    }

    /// The ARN for a task's named resource.
    pub fn resource(&self, name: &str, span: Span, errors: &mut Errors) -> Option<String> {
        if let Some(arn) = self.resources.get(name) {
            return Some(arn.clone());
        }
        errors.push(ResolveError::UnknownResource {
            name: name.to_string(),
            help: did_you_mean(
                name,
                self.resources.keys().copied(),
                &format!("declare it: `resource {name} = lambda \"function-name\"`"),
            ),
            span: span.into(),
        });
        None
    }

    /// A declared policy's rule, without reporting anything when it is unknown.
    pub fn known_policy(&self, name: &str) -> Option<&'a RetryRule> {
        self.policies.get(name).map(|policy| policy.rule)
    }

    /// The Retrier of `retry NAME`. A policy's problems are reported at every use (lowering
    /// is only skipped once it succeeded).
    pub fn policy_retrier(&self, name: &Spanned<String>, errors: &mut Errors) -> Option<Retrier> {
        let policy = self.policy(name, errors)?;
        if let Some(retrier) = policy.lowered.get() {
            return Some(retrier.clone());
        }
        let retrier = super::states::retrier(policy.rule, errors)?;
        Some(policy.lowered.get_or_init(|| retrier).clone())
    }

    fn policy(&self, name: &Spanned<String>, errors: &mut Errors) -> Option<&Policy<'a>> {
        if let Some(policy) = self.policies.get(name.node.as_str()) {
            return Some(policy);
        }
        errors.push(ResolveError::UnknownRetryPolicy {
            name: name.node.clone(),
            help: did_you_mean(
                &name.node,
                self.policies.keys().copied(),
                &format!(
                    "declare it: `retry policy {} on States.TaskFailed ...`",
                    name.node
                ),
            ),
            span: name.span.into(),
        });
        None
    }

    /// Check that a transition target names a state somewhere in the workflow. Whether it
    /// stays inside its branch is a graph check (`flowc::check`).
    pub fn target(&self, name: &Spanned<String>, errors: &mut Errors) {
        if self.states.contains_key(name.node.as_str()) {
            return;
        }
        errors.push(ResolveError::UnknownState {
            name: name.node.clone(),
            help: did_you_mean(
                &name.node,
                self.states.keys().map(|name| name.as_ref()),
                "transitions name a state defined in the workflow",
            ),
            span: name.span.into(),
        });
    }
}
