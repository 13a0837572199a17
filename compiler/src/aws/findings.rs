//! ValidateStateMachineDefinition's diagnostics as flowc diagnostics: AWS's location
//! (`/States/Charge/Next`, `/States/Fan/Branches/0/States/A/Next`,
//! `/States/Each/ItemProcessor/States/Double/Parameters`, `/StartAt`) mapped to the span of the
//! local file (a `.flow` state or field, or the ASL JSON field), so AWS's findings print as
//! `file:line:col` with the source line, in the same format as flowc's own.

use flowc_asl::{StateName, StatePath, StatePathSegment};
use miette::{Diagnostic, LabeledSpan, Severity, SourceSpan};
use thiserror::Error;

use super::AwsDiagnostic;
use crate::check::SpanSource;

/// One diagnostic of ValidateStateMachineDefinition, placed in the local file.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("{message}")]
pub struct AwsFinding {
    /// `ERROR` or `WARNING`, as AWS says.
    pub severity: String,
    /// AWS's code (`SCHEMA_VALIDATION_FAILED`, `NO_DOLLAR`, ...).
    pub code: String,
    pub message: String,
    /// AWS's location, when it gave one.
    pub location: Option<String>,
    /// Where that location was written in the local file, when flowc can tell.
    pub span: Option<SourceSpan>,
}

impl AwsFinding {
    /// `diagnostic` placed with `spans` (the local file's states and fields).
    pub fn new(diagnostic: &AwsDiagnostic, spans: &dyn SpanSource) -> Self {
        Self {
            severity: diagnostic.severity.clone(),
            code: diagnostic.code.clone(),
            message: diagnostic.message.clone(),
            location: diagnostic.location.clone(),
            span: diagnostic
                .location
                .as_deref()
                .and_then(|l| locate(l, spans)),
        }
    }

    /// Whether AWS refuses the definition for it.
    pub fn is_error(&self) -> bool {
        self.severity != "WARNING"
    }
}

impl Diagnostic for AwsFinding {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        // AWS's own code, marked as AWS's: flowc's codes are `flowc::<stage>::<name>`.
        Some(Box::new(format!("aws::{}", self.code)))
    }

    fn severity(&self) -> Option<Severity> {
        Some(if self.is_error() {
            Severity::Error
        } else {
            Severity::Warning
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(match &self.location {
            Some(location) => format!(
                "found by AWS's ValidateStateMachineDefinition at {location}, not by flowc's checks"
            ),
            None => "found by AWS's ValidateStateMachineDefinition, not by flowc's checks".into(),
        }))
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        let label = self.location.clone().unwrap_or_else(|| "here".into());
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(label),
            span,
        ))))
    }
}

/// The span AWS's `location` (a JSON Pointer into the definition) names in the local file: the
/// field if flowc recorded it, else the nearest field above it, else its state's name, else the
/// enclosing state's; a top-level field (`/StartAt`) where the file has one. `None` when the
/// location names nothing flowc can find (the diagnostic is then shown without a label).
pub fn locate(location: &str, spans: &dyn SpanSource) -> Option<SourceSpan> {
    let segments: Vec<String> = location
        .trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut path = Vec::new();
    let mut i = 0;
    while segments.get(i).is_some_and(|s| s == "States") {
        let Some(name) = segments.get(i + 1) else {
            break;
        };
        path.push(StatePathSegment::State(StateName::new(name.clone())));
        i += 2;
        let next = segments.get(i).map(String::as_str);
        let after = segments.get(i + 1).map(String::as_str);
        let third = segments.get(i + 2).map(String::as_str);
        match (next, after, third) {
            (Some("Branches"), Some(index), Some("States")) => {
                let Ok(index) = index.parse() else { break };
                path.push(StatePathSegment::Branch(index));
                i += 2;
            }
            (Some("ItemProcessor" | "Iterator"), Some("States"), _) => {
                path.push(StatePathSegment::Branch(0));
                i += 1;
            }
            _ => {}
        }
    }
    if path.is_empty() {
        return segments.first().and_then(|f| spans.machine_field(f));
    }
    let mut pointer: Vec<&str> = segments
        .get(i..)
        .unwrap_or_default()
        .iter()
        .map(String::as_str)
        .collect();
    // A location that ended inside a branch's list of states points at the branch's state.
    if matches!(path.last(), Some(StatePathSegment::Branch(_))) {
        path.pop();
        pointer.clear();
    }
    while !path.is_empty() {
        let state = StatePath(path.clone());
        while !pointer.is_empty() {
            if let Some(span) = spans.field(&state, &pointer.join("/")) {
                return Some(span);
            }
            pointer.pop();
        }
        if let Some(span) = spans.state_name(&state) {
            return Some(span);
        }
        // An enclosing state: drop the state and the branch it sat in.
        path.pop();
        if matches!(path.last(), Some(StatePathSegment::Branch(_))) {
            path.pop();
        }
    }
    None
}
