//! `.flow` AST -> `asl::StateMachine`, with a side table from states to `.flow` source spans.
//!
//! Resolution and lowering are one pass over the tree: names (states, resources, retry
//! policies) are collected first, then every state is built, checking each value on the way.
//! All problems are collected and returned together as [`ResolveError`]s (`flowc::resolve::*`).
//! Graph checks (reachability, terminal states, escaping branches...) run afterwards over the
//! ASL model: see `crate::check`.

mod error;
mod names;
mod poll;
mod spans;
mod states;
mod values;

use std::collections::BTreeMap;

use flowc_asl::{StateMachine, StateName};
use flowc_dsl::ast::{Item, Workflow};
use flowc_dsl::{ParseError, Span};

pub use error::ResolveError;
pub use spans::{FlowSpans, StateSpans};

/// Resource bindings from `--bind name=ARN`: a bound resource's ARN replaces its declaration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bindings {
    arns: BTreeMap<String, String>,
}

impl Bindings {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, name: impl Into<String>, arn: impl Into<String>) {
        self.arns.insert(name.into(), arn.into());
    }

    /// Parse one `name=ARN` argument.
    pub fn parse_arg(arg: &str) -> Result<(String, String), String> {
        match arg.split_once('=') {
            Some((name, arn)) if !name.is_empty() && !arn.is_empty() => {
                Ok((name.to_string(), arn.to_string()))
            }
            _ => Err(format!("`{arg}` is not of the form name=ARN")),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.arns.get(name).map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.arns.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// The result of lowering: the machine and where each of its states was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Lowered {
    pub machine: StateMachine,
    pub spans: FlowSpans,
}

/// Why a `.flow` source did not compile to ASL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileError {
    Parse(ParseError),
    Resolve(Vec<ResolveError>),
}

/// Parse and lower a `.flow` source.
pub fn compile(source: &str, bindings: &Bindings) -> Result<Lowered, CompileError> {
    let workflow = flowc_dsl::parse(source).map_err(CompileError::Parse)?;
    lower(&workflow, bindings).map_err(CompileError::Resolve)
}

/// Lower a parsed workflow to ASL.
pub fn lower(workflow: &Workflow, bindings: &Bindings) -> Result<Lowered, Vec<ResolveError>> {
    let mut errors = values::Errors::default();
    let scope = names::Scope::collect(workflow, bindings, &mut errors);
    let mut spans = FlowSpans::with_capacity(scope.state_count());
    let top: Vec<_> = workflow.states().collect();
    let block = states::lower_block(&top, None, &scope, &mut spans, &mut errors);

    let mut comment = None;
    let mut version = None;
    let mut timeout_seconds = None;
    let mut seen: BTreeMap<&'static str, Span> = BTreeMap::new();
    for item in &workflow.items {
        let key = match item {
            Item::Comment(c) => {
                comment = Some(c.node.clone());
                "comment"
            }
            Item::Version(v) => {
                version = Some(v.node.clone());
                "version"
            }
            Item::Timeout(t) => {
                timeout_seconds = values::seconds(&t.node, "timeout", t.span, &mut errors);
                "timeout"
            }
            _ => continue,
        };
        if seen.insert(key, item.span()).is_some() {
            errors.push(ResolveError::DuplicateField {
                field: key,
                span: item.span().into(),
            });
        }
    }

    let Some(start_at) = block.start_at else {
        if top.is_empty() {
            errors.push(ResolveError::NoStates {
                span: Span::new(0, 0).into(),
            });
        }
        return Err(errors.0);
    };
    if !errors.0.is_empty() {
        return Err(errors.0);
    }
    let machine = StateMachine {
        comment,
        query_language: None,
        start_at: StateName::new(start_at),
        states: block.states,
        timeout_seconds,
        version,
    };
    Ok(Lowered { machine, spans })
}

#[cfg(test)]
mod tests;
