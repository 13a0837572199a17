//! `.flow` AST -> `asl::StateMachine`, with a side table from states to `.flow` source spans.
//!
//! Resolution and lowering are one pass over the tree: names (states, resources, retry
//! policies) are collected first, then every state is built, checking each value on the way.
//! All problems are collected and returned together as [`ResolveError`]s (`flowc::resolve::*`).
//! Graph checks (reachability, terminal states, escaping branches...) run afterwards over the
//! ASL model: see `crate::check`. They also run when resolving failed, as long as no error
//! cost the machine a state or a transition ([`compile_for_checks`]), so one run reports both.

mod error;
mod jsonata;
mod names;
mod poll;
pub(crate) use poll::{count_state_name, default_counter};
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

    /// Parse one `name=ARN` argument. The value is an ARN (`arn:PARTITION:SERVICE:REGION:
    /// ACCOUNT:RESOURCE`, six parts at least, as AWS requires of a Task's Resource) or a
    /// placeholder `${name}` for Terraform's templatefile(); anything else would be emitted as a
    /// Resource AWS refuses.
    pub fn parse_arg(arg: &str) -> Result<(String, String), String> {
        let Some((name, arn)) = arg
            .split_once('=')
            .filter(|(n, a)| !n.is_empty() && !a.is_empty())
        else {
            return Err(format!("`{arg}` is not of the form name=ARN"));
        };
        if !is_arn_or_placeholder(arn) {
            return Err(format!(
                "`{arn}` (bound to `{name}`) is not an ARN such as \
                 arn:aws:lambda:eu-west-1:123456789012:function:NAME, nor a placeholder ${{NAME}}"
            ));
        }
        Ok((name.to_string(), arn.to_string()))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.arns.get(name).map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.arns.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// `arn:` and at least five more `:`-separated parts (the resource may hold more colons), or
/// a whole `${...}` placeholder.
fn is_arn_or_placeholder(value: &str) -> bool {
    if let Some(inner) = value.strip_prefix("${").and_then(|v| v.strip_suffix('}')) {
        return !inner.is_empty() && !inner.contains(['{', '}']);
    }
    let mut parts = value.splitn(6, ':');
    parts.next() == Some("arn")
        && parts.next().is_some_and(|p| !p.is_empty())
        && parts.next().is_some_and(|s| !s.is_empty())
        && parts.next().is_some()
        && parts.next().is_some()
        && parts.next().is_some_and(|r| !r.is_empty())
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
    compile_for_checks(source, bindings).map_err(|(error, _)| error)
}

/// [`compile`], and when resolving fails without costing the machine a state or a transition,
/// the machine as far as it was built: the graph checks can run on it, so that a run reports
/// the resolve errors and the graph findings together. Never emit that machine.
pub fn compile_for_checks(
    source: &str,
    bindings: &Bindings,
) -> Result<Lowered, (CompileError, Option<Box<Lowered>>)> {
    let workflow = flowc_dsl::parse_at_most(source, flowc_asl::rules::MAX_STATES)
        .map_err(|e| (CompileError::Parse(e), None))?;
    lower_workflow(&workflow, Some(source), bindings)
        .map_err(|(e, partial)| (CompileError::Resolve(e), partial))
}

/// Lower a parsed workflow to ASL.
pub fn lower(workflow: &Workflow, bindings: &Bindings) -> Result<Lowered, Vec<ResolveError>> {
    lower_for_checks(workflow, bindings).map_err(|(errors, _)| errors)
}

/// [`lower`], with the partial machine as [`compile_for_checks`] describes.
pub fn lower_for_checks(
    workflow: &Workflow,
    bindings: &Bindings,
) -> Result<Lowered, (Vec<ResolveError>, Option<Box<Lowered>>)> {
    lower_workflow(workflow, None, bindings)
}

/// [`lower_for_checks`]; with the workflow's `source`, an error in one member of a JSON
/// template points at that member instead of the whole field.
fn lower_workflow(
    workflow: &Workflow,
    source: Option<&str>,
    bindings: &Bindings,
) -> Result<Lowered, (Vec<ResolveError>, Option<Box<Lowered>>)> {
    let mut errors = values::Errors::default();
    let mut scope = names::Scope::collect(workflow, bindings, &mut errors);
    scope.source = source;
    let mut spans = FlowSpans::with_capacity(scope.state_count());
    let top: Vec<_> = workflow.states().collect();
    let query_language = workflow.items.iter().find_map(|item| match item {
        Item::QueryLanguage(language) => Some(jsonata::asl_language(language.node)),
        _ => None,
    });
    let language = query_language.unwrap_or(flowc_asl::QueryLanguage::JsonPath);
    let block = states::lower_block(&top, None, language, &scope, &mut spans, &mut errors);

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
            Item::QueryLanguage(_) => "query_language",
            Item::Timeout(t) => {
                timeout_seconds = values::seconds_for(
                    &t.node,
                    "timeout",
                    flowc_asl::rules::Seconds::Timeout,
                    t.span,
                    &mut errors,
                );
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
        return Err((errors.0, None));
    };
    let machine = StateMachine {
        comment,
        query_language,
        start_at: StateName::new(start_at),
        states: block.states,
        timeout_seconds,
        version,
    };
    let lowered = Lowered { machine, spans };
    if errors.0.is_empty() {
        return Ok(lowered);
    }
    let partial = errors.graph_intact().then(|| Box::new(lowered));
    Err((errors.0, partial))
}

#[cfg(test)]
mod tests;
