//! Payload templates: `Parameters`, `ResultSelector`, `ItemSelector` (and the `Parameters` of
//! ItemReader / ResultWriter, Task `Credentials`).
//!
//! An object entry whose key ends in `.$` takes its value from a path (`$.x`, a `$$.` context
//! path, a `$var` variable) or an intrinsic call; every other value is literal JSON. The key is
//! stored without the `.$` suffix and the value's variant says whether it was dynamic, so
//! emission can put the suffix back. Entries keep their written order.

use crate::intrinsic::IntrinsicCall;
use crate::path::JsonPath;
use serde_json::Value;

/// A payload template node.
#[derive(Debug, Clone, PartialEq)]
pub enum Template {
    /// An object: its entries in written order.
    Object(Vec<TemplateEntry>),
    /// An array: AWS processes `.$` keys of objects nested inside arrays too.
    Array(Vec<Template>),
    /// A literal scalar (string, number, bool, null), copied as is.
    Literal(Value),
}

/// One object entry of a template.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateEntry {
    /// The output key: the written key without its `.$` suffix when the value is dynamic.
    pub key: String,
    pub value: TemplateValue,
}

/// The value of a template entry.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplateValue {
    /// A plain key: a nested template or a literal.
    Static(Template),
    /// `"key.$": "$.path"` (or `$$.context`, `$var`): the selected value.
    Path(JsonPath),
    /// `"key.$": "States.Format(...)"`: the call's result.
    Intrinsic(IntrinsicCall),
}

impl TemplateEntry {
    /// The key as written in JSON: `key.$` for dynamic values, `key` otherwise.
    pub fn written_key(&self) -> String {
        match self.value {
            TemplateValue::Static(_) => self.key.clone(),
            TemplateValue::Path(_) | TemplateValue::Intrinsic(_) => format!("{}.$", self.key),
        }
    }
}

impl Template {
    /// Builds a template that is entirely literal (no key is treated as dynamic), for callers
    /// such as JSONata-mode states that hold plain JSON.
    pub fn literal(value: &Value) -> Template {
        match value {
            Value::Object(map) => Template::Object(
                map.iter()
                    .map(|(key, value)| TemplateEntry {
                        key: key.clone(),
                        value: TemplateValue::Static(Template::literal(value)),
                    })
                    .collect(),
            ),
            Value::Array(items) => Template::Array(items.iter().map(Template::literal).collect()),
            scalar => Template::Literal(scalar.clone()),
        }
    }

    /// The JSON this template is written as (keys with `.$` where dynamic).
    pub fn to_json(&self) -> Value {
        match self {
            Template::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|entry| {
                        let value = match &entry.value {
                            TemplateValue::Static(template) => template.to_json(),
                            TemplateValue::Path(path) => Value::String(path.as_str().to_string()),
                            TemplateValue::Intrinsic(call) => {
                                Value::String(call.as_str().to_string())
                            }
                        };
                        (entry.written_key(), value)
                    })
                    .collect(),
            ),
            Template::Array(items) => Value::Array(items.iter().map(Template::to_json).collect()),
            Template::Literal(value) => value.clone(),
        }
    }

    /// Every path and intrinsic call in the template, depth first, in written order.
    pub fn dynamic_values(&self) -> Vec<&TemplateValue> {
        let mut out = Vec::new();
        self.collect_dynamic(&mut out);
        out
    }

    fn collect_dynamic<'a>(&'a self, out: &mut Vec<&'a TemplateValue>) {
        match self {
            Template::Object(entries) => {
                for entry in entries {
                    match &entry.value {
                        TemplateValue::Static(template) => template.collect_dynamic(out),
                        dynamic => out.push(dynamic),
                    }
                }
            }
            Template::Array(items) => items.iter().for_each(|item| item.collect_dynamic(out)),
            Template::Literal(_) => {}
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{StateKind, load};

    fn parameters(body: &str) -> Template {
        let text = format!(
            r#"{{"StartAt": "A", "States": {{"A": {{"Type": "Pass", "Parameters": {body}, "End": true}}}}}}"#
        );
        let machine = load(&text, "t").unwrap().machine;
        match &machine.states["A"].kind {
            StateKind::Pass(pass) => pass.parameters.clone().unwrap(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn dollar_keys_become_paths_intrinsics_and_context_paths() {
        let template = parameters(
            r#"{"id.$": "$$.Execution.Id", "name.$": "States.Format('{}', $.n)", "p.$": "$.p", "lit": "$.not"}"#,
        );
        let Template::Object(entries) = &template else {
            panic!("{template:?}")
        };
        let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["id", "name", "p", "lit"]);
        assert!(matches!(&entries[0].value, TemplateValue::Path(p) if p.is_context()));
        assert!(matches!(&entries[1].value, TemplateValue::Intrinsic(_)));
        assert!(matches!(&entries[2].value, TemplateValue::Path(p) if !p.is_context()));
        assert!(matches!(
            &entries[3].value,
            TemplateValue::Static(Template::Literal(serde_json::Value::String(s))) if s == "$.not"
        ));
        assert_eq!(template.dynamic_values().len(), 3);
    }

    #[test]
    fn objects_inside_arrays_are_templates_too() {
        let template = parameters(r#"{"list": [{"x.$": "$.x"}, 1]}"#);
        assert_eq!(template.dynamic_values().len(), 1);
        assert_eq!(
            template.to_json(),
            serde_json::json!({"list": [{"x.$": "$.x"}, 1]})
        );
    }
}
