//! What a state reads of the workflow's variables: every `$name` of its JSONata expressions and
//! every JSONPath path rooted at a variable, in its own fields (Choice rules and catchers
//! included, nested states not). All of them read the variables as they were when the state
//! was entered: a state's own `Assign` takes effect when it leaves.

use crate::assign::Assign;
use crate::choice::{Condition, Operand};
use crate::intrinsic::IntrinsicCall;
use crate::jsonata_value::{JsonataString, JsonataValue};
use crate::model::{
    IntegerField, NumberField, PathOrNull, Payload, State, StateKind, TextField, TimestampField,
    WaitFor,
};
use crate::template::{Template, TemplateValue};

/// One read of a variable: its name (without `$`) and the field that reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableRead {
    pub name: String,
    pub field: String,
}

/// Every variable read of `state`'s own fields, in field order. `$states` (JSONata's reserved
/// variable) is not a workflow variable and is left out.
pub fn variable_reads(state: &State) -> Vec<VariableRead> {
    let mut reads = Reads(Vec::new());
    reads.state(state);
    reads
        .0
        .retain(|read| read.name != crate::assign::RESERVED_NAME);
    reads.0
}

struct Reads(Vec<VariableRead>);

impl Reads {
    fn push(&mut self, name: Option<&str>, field: &str) {
        if let Some(name) = name {
            self.0.push(VariableRead {
                name: name.to_string(),
                field: field.to_string(),
            });
        }
    }

    fn string(&mut self, string: &JsonataString, field: &str) {
        for read in string.expression().variable_reads() {
            self.push(Some(&read.name), field);
        }
    }

    fn jsonata(&mut self, value: Option<&JsonataValue>, field: &str) {
        for (field, string) in value.map(|v| v.expressions(field)).unwrap_or_default() {
            self.string(string, &field);
        }
    }

    fn template(&mut self, template: Option<&Template>, field: &str) {
        for value in template.map(Template::dynamic_values).unwrap_or_default() {
            match value {
                TemplateValue::Path(path) => self.push(path.variable(), field),
                TemplateValue::Intrinsic(call) => self.call(call, field),
                TemplateValue::Static(_) => {}
            }
        }
    }

    fn call(&mut self, call: &IntrinsicCall, field: &str) {
        for path in call.paths() {
            self.push(path.variable(), field);
        }
    }

    fn assign(&mut self, assign: Option<&Assign>) {
        match assign {
            Some(Assign::JsonPath(template)) => self.template(Some(template), "Assign"),
            Some(Assign::Jsonata(members)) => {
                for (name, value) in members {
                    self.jsonata(Some(value), &format!("Assign/{name}"));
                }
            }
            None => {}
        }
    }

    fn integer(&mut self, value: Option<&IntegerField>, field: &str) {
        match value {
            Some(IntegerField::Path(path)) => self.push(path.variable(), &format!("{field}Path")),
            Some(IntegerField::Jsonata(string)) => self.string(string, field),
            Some(IntegerField::Value(_)) | None => {}
        }
    }

    fn number(&mut self, value: Option<&NumberField>, field: &str) {
        match value {
            Some(NumberField::Path(path)) => self.push(path.variable(), &format!("{field}Path")),
            Some(NumberField::Jsonata(string)) => self.string(string, field),
            Some(NumberField::Value(_)) | None => {}
        }
    }

    fn text(&mut self, value: Option<&TextField>, field: &str) {
        match value {
            Some(TextField::Path(path)) => self.push(path.variable(), &format!("{field}Path")),
            Some(TextField::Intrinsic(call)) => self.call(call, &format!("{field}Path")),
            Some(TextField::Jsonata(string)) => self.string(string, field),
            Some(TextField::Value(_)) | None => {}
        }
    }

    fn condition(&mut self, condition: &Condition, field: &str) {
        match condition {
            Condition::And(items) | Condition::Or(items) => {
                items.iter().for_each(|item| self.condition(item, field));
            }
            Condition::Not(inner) => self.condition(inner, field),
            Condition::Commented { condition, .. } => self.condition(condition, field),
            Condition::Compare(comparison) => {
                self.push(comparison.variable.variable(), field);
                if let Operand::Path(path) = &comparison.operand {
                    self.push(path.variable(), field);
                }
            }
            Condition::Jsonata(string) => self.string(string, &format!("{field}/Condition")),
        }
    }

    fn state(&mut self, state: &State) {
        for (field, path) in [
            ("InputPath", &state.input_path),
            ("OutputPath", &state.output_path),
        ] {
            if let Some(PathOrNull::Path(path)) = path {
                self.push(path.variable(), field);
            }
        }
        match &state.kind {
            StateKind::Task(task) => {
                self.template(task.parameters.as_ref(), "Parameters");
                self.jsonata(task.arguments.as_ref(), "Arguments");
                self.template(task.credentials.as_ref(), "Credentials");
                self.integer(task.timeout.as_ref(), "TimeoutSeconds");
                self.integer(task.heartbeat.as_ref(), "HeartbeatSeconds");
                self.template(task.result_selector.as_ref(), "ResultSelector");
            }
            StateKind::Pass(pass) => self.template(pass.parameters.as_ref(), "Parameters"),
            StateKind::Choice(choice) => {
                for (index, rule) in choice.choices.iter().enumerate() {
                    let field = format!("Choices/{index}");
                    self.condition(&rule.condition, &field);
                    self.jsonata(rule.output.as_ref(), &format!("{field}/Output"));
                    self.assign(rule.assign.as_ref());
                }
            }
            StateKind::Wait(wait) => match &wait.wait_for {
                WaitFor::Seconds(seconds) => self.integer(Some(seconds), "Seconds"),
                WaitFor::Timestamp(TimestampField::Path(path)) => {
                    self.push(path.variable(), "TimestampPath");
                }
                WaitFor::Timestamp(TimestampField::Jsonata(string)) => {
                    self.string(string, "Timestamp");
                }
                WaitFor::Timestamp(TimestampField::Value(_)) => {}
            },
            StateKind::Succeed => {}
            StateKind::Fail(fail) => {
                self.text(fail.error.as_ref(), "Error");
                self.text(fail.cause.as_ref(), "Cause");
            }
            StateKind::Parallel(parallel) => {
                self.template(parallel.parameters.as_ref(), "Parameters");
                self.jsonata(parallel.arguments.as_ref(), "Arguments");
                self.template(parallel.result_selector.as_ref(), "ResultSelector");
            }
            StateKind::Map(map) => {
                if let Some(path) = &map.items_path {
                    self.push(path.variable(), "ItemsPath");
                }
                self.jsonata(map.items.as_ref(), "Items");
                match &map.item_selector {
                    Some(Payload::Template(template)) => {
                        self.template(Some(template), "ItemSelector");
                    }
                    Some(Payload::Jsonata(value)) => self.jsonata(Some(value), "ItemSelector"),
                    None => {}
                }
                self.integer(map.max_concurrency.as_ref(), "MaxConcurrency");
                self.number(
                    map.tolerated_failure_percentage.as_ref(),
                    "ToleratedFailurePercentage",
                );
                self.integer(
                    map.tolerated_failure_count.as_ref(),
                    "ToleratedFailureCount",
                );
                self.template(map.result_selector.as_ref(), "ResultSelector");
            }
        }
        self.jsonata(state.output.as_ref(), "Output");
        self.assign(state.assign.as_ref());
        for catcher in state.catch() {
            self.jsonata(catcher.output.as_ref(), "Catch/Output");
            self.assign(catcher.assign.as_ref());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::variable_reads;
    use crate::load;

    fn names(definition: &str, state: &str) -> Vec<String> {
        let machine = load(definition, "t").unwrap().machine;
        variable_reads(&machine.states[state])
            .into_iter()
            .map(|read| format!("{}@{}", read.name, read.field))
            .collect()
    }

    #[test]
    fn jsonpath_paths_rooted_at_variables_are_reads() {
        let definition = r#"{"StartAt": "M", "States": {"M": {"Type": "Map",
            "ItemsPath": "$list", "MaxConcurrencyPath": "$n",
            "ItemSelector": {"q.$": "$question", "f.$": "States.Format('{}', $greeting.text)"},
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "Assign": {"old.$": "$previous", "lit": "$not_a_read"}, "End": true}}}"#;
        assert_eq!(
            names(definition, "M"),
            [
                "list@ItemsPath",
                "question@ItemSelector",
                "greeting@ItemSelector",
                "n@MaxConcurrencyPath",
                "previous@Assign"
            ]
        );
    }

    #[test]
    fn jsonata_expressions_name_their_fields_and_skip_states() {
        let definition = r#"{"QueryLanguage": "JSONata", "StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Condition": "{% $x > $states.input.y %}",
                  "Output": {"a": "{% $y %}"}, "Next": "D"}], "Default": "D"},
            "D": {"Type": "Succeed"}}}"#;
        assert_eq!(
            names(definition, "C"),
            ["x@Choices/0/Condition", "y@Choices/0/Output/a"]
        );
    }
}
