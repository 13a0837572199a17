//! Where each lowered state came from in the `.flow` source.

use std::collections::BTreeMap;

use flowc_asl::StatePath;
use flowc_dsl::Span;
use indexmap::IndexMap;
use miette::SourceSpan;

/// Spans of one lowered state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateSpans {
    /// The state's name as written (for generated `poll` states: the poll's name).
    pub name: Span,
    /// The whole state.
    pub state: Span,
    /// Fields by the pointer ASL-side checks use (`Next`, `Default`, `Choices/0/Next`,
    /// `Catch/1/Next`, `Retry/0/ErrorEquals`, ...).
    pub fields: BTreeMap<String, Span>,
}

/// Side table `StatePath -> spans` for a lowered `.flow` workflow, the counterpart of
/// `flowc_asl::SpanTable` for ASL JSON. States are kept in the order they were lowered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowSpans {
    states: IndexMap<StatePath, StateSpans>,
}

impl FlowSpans {
    pub(crate) fn insert(&mut self, path: StatePath, spans: StateSpans) {
        self.states.insert(path, spans);
    }

    pub fn state(&self, path: &StatePath) -> Option<&StateSpans> {
        self.states.get(path)
    }

    /// The span of the state's name.
    pub fn state_name(&self, path: &StatePath) -> Option<SourceSpan> {
        self.states.get(path).map(|s| s.name.into())
    }

    /// The span of a field by ASL pointer, falling back to the state's name when the field was
    /// implied (a `next` given by order, say).
    pub fn field(&self, path: &StatePath, pointer: &str) -> Option<SourceSpan> {
        let state = self.states.get(path)?;
        Some(
            state
                .fields
                .get(pointer)
                .copied()
                .unwrap_or(state.name)
                .into(),
        )
    }

    pub fn states(&self) -> impl Iterator<Item = (&StatePath, &StateSpans)> {
        self.states.iter()
    }
}
