//! Where checks point: a side table from states and fields to source spans, implemented for
//! hand-written ASL JSON (`asl::SpanTable`) and for lowered `.flow` (`lower::FlowSpans`).

use flowc_asl::StatePath;
use flowc_asl::spans::SpanTable;
use miette::SourceSpan;

use crate::lower::FlowSpans;

/// Source spans of states and fields, by [`StatePath`] and field pointer (`Next`, `Default`,
/// `Choices/0/Next`, `Catch/1/Next`, `Retry/0/ErrorEquals`, `Branches/0/StartAt`...).
pub trait SpanSource {
    /// The span of the state's name.
    fn state_name(&self, path: &StatePath) -> Option<SourceSpan>;
    /// The value span of a field of a state.
    fn field(&self, path: &StatePath, pointer: &str) -> Option<SourceSpan>;
    /// The value span of a top-level field (`StartAt`).
    fn machine_field(&self, field: &str) -> Option<SourceSpan>;
}

impl SpanSource for SpanTable {
    fn state_name(&self, path: &StatePath) -> Option<SourceSpan> {
        SpanTable::state_name(self, path)
    }

    fn field(&self, path: &StatePath, pointer: &str) -> Option<SourceSpan> {
        SpanTable::field(self, path, pointer)
    }

    fn machine_field(&self, field: &str) -> Option<SourceSpan> {
        SpanTable::machine_field(self, field)
    }
}

impl SpanSource for FlowSpans {
    fn state_name(&self, path: &StatePath) -> Option<SourceSpan> {
        FlowSpans::state_name(self, path)
    }

    fn field(&self, path: &StatePath, pointer: &str) -> Option<SourceSpan> {
        FlowSpans::field(self, path, pointer)
    }

    fn machine_field(&self, _field: &str) -> Option<SourceSpan> {
        // `.flow` has no StartAt: the first state is the start, and its name is the best place
        // to point; callers fall back to it.
        None
    }
}

/// No spans at all (a machine built in code): every label points at the start of the text.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSpans;

impl SpanSource for NoSpans {
    fn state_name(&self, _path: &StatePath) -> Option<SourceSpan> {
        None
    }

    fn field(&self, _path: &StatePath, _pointer: &str) -> Option<SourceSpan> {
        None
    }

    fn machine_field(&self, _field: &str) -> Option<SourceSpan> {
        None
    }
}

/// Span lookups with fallbacks, so every diagnostic gets a label.
pub(crate) struct Locator<'a> {
    pub(crate) spans: &'a dyn SpanSource,
}

impl Locator<'_> {
    /// The state's name, or the start of the file.
    pub(crate) fn state(&self, path: &StatePath) -> SourceSpan {
        self.spans
            .state_name(path)
            .unwrap_or_else(|| SourceSpan::from((0, 0)))
    }

    /// A field of the state, else the state's name.
    pub(crate) fn field(&self, path: &StatePath, pointer: &str) -> SourceSpan {
        self.spans
            .field(path, pointer)
            .unwrap_or_else(|| self.state(path))
    }
}
