//! Where things were written: byte spans of states and their fields in the loaded JSON, so
//! checks on hand-written ASL can point at a line and column.
//!
//! Fields are addressed by a pointer relative to their state: field names and array indices
//! joined by `/`, e.g. `Next`, `Retry/0/ErrorEquals`, `Choices/1/And/0/Variable`,
//! `Parameters/name.$`, `Branches/0/StartAt`, `ItemProcessor/StartAt`. Nested states (inside
//! branches) have their own entry under their [`StatePath`], so a state's pointers stop at
//! `Branches/N/States` and `ItemProcessor/States`.

use crate::load::json::{Node, NodeValue};
use crate::model::StatePath;
use indexmap::IndexMap;
use miette::SourceSpan;

/// The key and value spans of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpan {
    /// The key (with its quotes); for array elements, the element itself.
    pub key: SourceSpan,
    pub value: SourceSpan,
}

/// Spans of a state: its name key, its body object, and every field below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateSpans {
    pub name: SourceSpan,
    pub body: SourceSpan,
    pub fields: IndexMap<String, FieldSpan>,
}

/// Side table from states and fields to byte spans in the loaded text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpanTable {
    /// Top-level fields of the machine (`StartAt`, `States`, `Comment`...), not descending
    /// into `States`.
    machine: IndexMap<String, FieldSpan>,
    states: IndexMap<StatePath, StateSpans>,
}

impl SpanTable {
    /// Spans of the state at `path`.
    pub fn state(&self, path: &StatePath) -> Option<&StateSpans> {
        self.states.get(path)
    }

    /// The span of the state's name (its key in `States`).
    pub fn state_name(&self, path: &StatePath) -> Option<SourceSpan> {
        self.states.get(path).map(|spans| spans.name)
    }

    /// The value span of a field of a state, by pointer (`Next`, `Retry/0/ErrorEquals`).
    pub fn field(&self, path: &StatePath, pointer: &str) -> Option<SourceSpan> {
        self.field_spans(path, pointer).map(|spans| spans.value)
    }

    /// The key span of a field of a state, by pointer.
    pub fn field_key(&self, path: &StatePath, pointer: &str) -> Option<SourceSpan> {
        self.field_spans(path, pointer).map(|spans| spans.key)
    }

    pub fn field_spans(&self, path: &StatePath, pointer: &str) -> Option<FieldSpan> {
        self.states.get(path)?.fields.get(pointer).copied()
    }

    /// The value span of a top-level machine field (`StartAt`, `States`, `TimeoutSeconds`).
    pub fn machine_field(&self, field: &str) -> Option<SourceSpan> {
        self.machine.get(field).map(|spans| spans.value)
    }

    /// Every state with spans, in document order.
    pub fn states(&self) -> impl Iterator<Item = (&StatePath, &StateSpans)> {
        self.states.iter()
    }

    pub(crate) fn record_machine(&mut self, root: &Node) {
        if let Some(members) = root.members() {
            for member in members {
                self.machine.insert(
                    member.key.clone(),
                    FieldSpan {
                        key: member.key_span,
                        value: member.value.span,
                    },
                );
            }
        }
    }

    pub(crate) fn record_state(&mut self, path: StatePath, name: SourceSpan, body: &Node) {
        let mut fields = IndexMap::new();
        record_fields(body, "", &mut fields);
        self.states.insert(
            path,
            StateSpans {
                name,
                body: body.span,
                fields,
            },
        );
    }
}

fn record_fields(node: &Node, prefix: &str, out: &mut IndexMap<String, FieldSpan>) {
    match &node.value {
        NodeValue::Object(members) => {
            for member in members {
                let pointer = join(prefix, &member.key);
                out.insert(
                    pointer.clone(),
                    FieldSpan {
                        key: member.key_span,
                        value: member.value.span,
                    },
                );
                if !is_nested_states(prefix, &member.key) {
                    record_fields(&member.value, &pointer, out);
                }
            }
        }
        NodeValue::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let pointer = join(prefix, &index.to_string());
                out.insert(
                    pointer.clone(),
                    FieldSpan {
                        key: item.span,
                        value: item.span,
                    },
                );
                record_fields(item, &pointer, out);
            }
        }
        _ => {}
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}/{key}")
    }
}

/// `Branches/N/States`, `ItemProcessor/States`, `Iterator/States`: nested states get their own
/// entries.
fn is_nested_states(prefix: &str, key: &str) -> bool {
    if key != "States" {
        return false;
    }
    if prefix == "ItemProcessor" || prefix == "Iterator" {
        return true;
    }
    prefix
        .strip_prefix("Branches/")
        .is_some_and(|index| !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use crate::{StateName, StatePath, load};

    const TEXT: &str = r#"{
  "StartAt": "P",
  "States": {
    "P": {
      "Type": "Parallel",
      "Branches": [
        {"StartAt": "Inner", "States": {"Inner": {"Type": "Pass", "Next": "Gone"}}}
      ],
      "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
      "End": true
    }
  }
}"#;

    fn text_at(span: miette::SourceSpan) -> &'static str {
        &TEXT[span.offset()..span.offset() + span.len()]
    }

    #[test]
    fn nested_state_has_its_own_entry_with_its_name_span() {
        let loaded = load(TEXT, "t").unwrap();
        let inner = StatePath::top(&StateName::from("P")).child(0, &StateName::from("Inner"));
        assert_eq!(
            text_at(loaded.spans.state_name(&inner).unwrap()),
            "\"Inner\""
        );
        assert_eq!(
            text_at(loaded.spans.field(&inner, "Next").unwrap()),
            "\"Gone\""
        );
    }

    #[test]
    fn fields_are_addressed_by_pointer() {
        let loaded = load(TEXT, "t").unwrap();
        let p = StatePath::top(&StateName::from("P"));
        assert_eq!(
            text_at(loaded.spans.field(&p, "Retry/0/MaxAttempts").unwrap()),
            "2"
        );
        assert_eq!(
            text_at(loaded.spans.field_key(&p, "Retry/0/ErrorEquals").unwrap()),
            "\"ErrorEquals\""
        );
        assert_eq!(
            text_at(loaded.spans.field(&p, "Branches/0/StartAt").unwrap()),
            "\"Inner\""
        );
        // Nested states are not duplicated under the parent's pointers.
        assert!(loaded.spans.field(&p, "Branches/0/States/Inner").is_none());
        assert_eq!(
            text_at(loaded.spans.machine_field("StartAt").unwrap()),
            "\"P\""
        );
    }
}
