//! Where each lowered state came from in the `.flow` source.

use std::fmt;

use flowc_asl::StatePath;
use flowc_dsl::Span;
use indexmap::IndexMap;
use miette::SourceSpan;

/// A field of a lowered state, by the pointer ASL-side checks use (`Next`, `Default`,
/// `Choices/0/Next`, `Catch/1/Next`, `Retry/0/ErrorEquals`, ...). Typed rather than a formatted
/// string: the pointer text is only compared on a lookup, which happens for diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKey {
    /// A single-valued field: `Next`, `ResultPath`, `ItemProcessor`...
    Field(&'static str),
    /// An entry of a list field: `Retry/0`, `Branches/1`.
    Entry(&'static str, usize),
    /// A field of an entry of a list field: `Catch/0/Next`, `Retry/1/ErrorEquals`.
    EntryField(&'static str, usize, &'static str),
}

impl FieldKey {
    /// Whether `pointer` names this field.
    pub fn matches(&self, pointer: &str) -> bool {
        match *self {
            FieldKey::Field(name) => pointer == name,
            FieldKey::Entry(list, index) => after_entry(pointer, list, index) == Some(""),
            FieldKey::EntryField(list, index, field) => after_entry(pointer, list, index)
                .and_then(|tail| tail.strip_prefix('/'))
                .is_some_and(|tail| tail == field),
        }
    }
}

/// The rest of `pointer` after `list/index` (empty, or starting with `/`).
fn after_entry<'p>(pointer: &'p str, list: &str, index: usize) -> Option<&'p str> {
    let rest = pointer.strip_prefix(list)?.strip_prefix('/')?;
    let (digits, tail) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, ""),
    };
    // Written the way `Display` writes it: no sign, no leading zeros.
    (digits == index.to_string()).then_some(tail)
}

impl fmt::Display for FieldKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldKey::Field(name) => f.write_str(name),
            FieldKey::Entry(list, index) => write!(f, "{list}/{index}"),
            FieldKey::EntryField(list, index, field) => write!(f, "{list}/{index}/{field}"),
        }
    }
}

/// Spans of one lowered state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateSpans {
    /// The state's name as written (for generated `poll` states: the poll's name).
    pub name: Span,
    /// The whole state.
    pub state: Span,
    /// Fields in the order they were recorded; a later entry for the same field wins.
    pub fields: Vec<(FieldKey, Span)>,
}

impl StateSpans {
    /// The span recorded for the field `pointer` names, if any.
    pub fn field(&self, pointer: &str) -> Option<Span> {
        self.fields
            .iter()
            .rev()
            .find(|(key, _)| key.matches(pointer))
            .map(|(_, span)| *span)
    }
}

/// Side table `StatePath -> spans` for a lowered `.flow` workflow, the counterpart of
/// `flowc_asl::SpanTable` for ASL JSON. States are kept in the order they were lowered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowSpans {
    states: IndexMap<StatePath, StateSpans>,
}

impl FlowSpans {
    pub(crate) fn with_capacity(states: usize) -> Self {
        Self {
            states: IndexMap::with_capacity(states),
        }
    }

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
        Some(state.field(pointer).unwrap_or(state.name).into())
    }

    pub fn states(&self) -> impl Iterator<Item = (&StatePath, &StateSpans)> {
        self.states.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::FieldKey;

    #[test]
    fn field_keys_match_exactly_their_own_pointer() {
        let keys = [
            FieldKey::Field("Next"),
            FieldKey::Entry("Retry", 0),
            FieldKey::Entry("Branches", 12),
            FieldKey::EntryField("Catch", 1, "Next"),
            FieldKey::EntryField("Retry", 10, "ErrorEquals"),
        ];
        let pointers = [
            "Next",
            "Retry/0",
            "Branches/12",
            "Catch/1/Next",
            "Retry/10/ErrorEquals",
            "Retry/00",
            "Retry/+0",
            "Retry/0/",
            "Retry",
            "Catch/1",
            "Catch/1/NextX",
            "Branches/1",
            "Retry/1/ErrorEquals",
            "Nex",
            "",
        ];
        for key in keys {
            for pointer in pointers {
                assert_eq!(
                    key.matches(pointer),
                    key.to_string() == pointer,
                    "{key} vs {pointer}"
                );
            }
        }
    }
}
