//! `Assign`: the workflow variables a state (or a Choice rule, or a catcher) sets, in either
//! query language, and AWS's rules for variable names and sizes.
//!
//! In a JSONPath state `Assign` is a payload template: `"name": literal` or `"name.$": path or
//! intrinsic call`, the paths reading the state's result (`$`), the context object (`$$`) or
//! variables (`$other`). In a JSONata state each value is JSON with `{% %}` expressions.
//! Either way the keys (without `.$`) are the names assigned.
//!
//! AWS's Variables page ("Passing data between states with variables"):
//! - a name follows the rules for identifiers: a letter or `_`, then letters, digits or `_`
//!   (Unicode letters and digits count), at most 80 characters; `$states` is reserved;
//! - a single variable holds at most 256 KiB, and one `Assign` sets at most 256 KiB in total
//!   (its values serialized as JSON text, UTF-8).

use serde_json::Value;

use crate::jsonata_value::JsonataValue;
use crate::template::{Template, TemplateEntry};

/// The most bytes of JSON text one variable may hold, and one `Assign` may set in total.
pub const MAX_ASSIGN_BYTES: usize = 256 * 1024;

/// The longest variable name AWS accepts.
pub const MAX_NAME_CHARS: usize = 80;

/// The name Step Functions keeps for its own `$states`.
pub const RESERVED_NAME: &str = "states";

/// An `Assign` field.
#[derive(Debug, Clone, PartialEq)]
pub enum Assign {
    /// JSONPath mode: a payload template whose keys are variable names (always an object).
    JsonPath(Template),
    /// JSONata mode: each variable's value, in written order.
    Jsonata(Vec<(String, JsonataValue)>),
}

impl Assign {
    /// The names assigned, in written order.
    pub fn names(&self) -> Vec<&str> {
        match self {
            Assign::JsonPath(Template::Object(entries)) => {
                entries.iter().map(|entry| entry.key.as_str()).collect()
            }
            Assign::JsonPath(_) => Vec::new(),
            Assign::Jsonata(members) => members.iter().map(|(name, _)| name.as_str()).collect(),
        }
    }

    /// The JSON this field is written as.
    pub fn to_json(&self) -> Value {
        match self {
            Assign::JsonPath(template) => template.to_json(),
            Assign::Jsonata(members) => Value::Object(
                members
                    .iter()
                    .map(|(name, value)| (name.clone(), value.to_json()))
                    .collect(),
            ),
        }
    }

    /// The entries of a JSONPath-mode `Assign`.
    pub fn template_entries(&self) -> &[TemplateEntry] {
        match self {
            Assign::JsonPath(Template::Object(entries)) => entries,
            _ => &[],
        }
    }
}

/// Why a name cannot be a variable's, as help text; `None` when it can.
pub fn name_problem(name: &str) -> Option<String> {
    if name == RESERVED_NAME {
        return Some(format!(
            "`${RESERVED_NAME}` is reserved: Step Functions sets it in every JSONata state (input, result, errorOutput, context); choose another name"
        ));
    }
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Some(
            "a variable needs a name: a letter or `_`, then letters, digits or `_`".into(),
        );
    };
    if !(first.is_alphabetic() || first == '_') {
        return Some(format!(
            "a variable name starts with a letter or `_`, not `{first}`"
        ));
    }
    if let Some(bad) = chars.find(|c| !(c.is_alphanumeric() || *c == '_')) {
        return Some(format!(
            "a variable name has only letters, digits and `_`, not `{bad}` (it is read as `$name`, and `{bad}` would end the name)"
        ));
    }
    let count = name.chars().count();
    if count > MAX_NAME_CHARS {
        return Some(format!(
            "a variable name has at most {MAX_NAME_CHARS} characters; this one has {count}"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::name_problem;

    #[test]
    fn names_follow_the_identifier_rules() {
        for good in ["x", "_x", "orderId", "a1_b2", "prénom"] {
            assert_eq!(name_problem(good), None, "{good}");
        }
        for bad in ["", "1x", "my-var", "a.b", "a b", "states"] {
            assert!(name_problem(bad).is_some(), "{bad}");
        }
        assert!(name_problem(&"v".repeat(81)).is_some());
        assert!(name_problem(&"v".repeat(80)).is_none());
    }
}
