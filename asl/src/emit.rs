//! Canonical ASL JSON: pretty-printed with 2-space indentation and a trailing newline, keys in a
//! fixed order, byte-identical for equal machines.
//!
//! Key order:
//! - machine: Comment, QueryLanguage, StartAt, States, TimeoutSeconds, Version;
//! - branch / ItemProcessor / Iterator: Comment, QueryLanguage, ProcessorConfig, StartAt, States;
//! - every state: Type, Comment, QueryLanguage, then its own fields, then Retry, Catch, and
//!   Next or End last. Own fields follow the type's AWS reference page, with the input/output
//!   fields in processing order (InputPath, Parameters/Arguments, ResultSelector, ResultPath,
//!   OutputPath, Output, Assign):
//!   - Task: Resource, TimeoutSeconds(Path), HeartbeatSeconds(Path), Credentials, I/O fields;
//!   - Pass: InputPath, Parameters, Result, ResultPath, OutputPath, Output, Assign;
//!   - Choice: InputPath, OutputPath, Choices, Default, Output, Assign;
//!   - Wait: Seconds | SecondsPath | Timestamp | TimestampPath, InputPath, OutputPath, Output,
//!     Assign;
//!   - Succeed: InputPath, OutputPath, Output;  Fail: Error(Path), Cause(Path);
//!   - Parallel: Branches, I/O fields;
//!   - Map: ItemProcessor | Iterator, ItemReader, ItemsPath, Items, ItemSelector | Parameters,
//!     ItemBatcher, ResultWriter, MaxConcurrency(Path), ToleratedFailurePercentage(Path),
//!     ToleratedFailureCount(Path), Label, InputPath, ResultSelector, ResultPath, OutputPath,
//!     Output, Assign;
//! - Retry entries: ErrorEquals, Comment, IntervalSeconds, MaxAttempts, BackoffRate,
//!   MaxDelaySeconds, JitterStrategy; Catch entries: ErrorEquals, Comment, ResultPath, Output,
//!   Assign, Next;
//! - Choice rules: Comment, then the condition (Variable and its operator, or And / Or / Not /
//!   Condition), then Output, Assign, Next.
//!
//! Payload templates, Result and other raw JSON keep their own key order. Whole-number floats
//! (BackoffRate 2.0, ToleratedFailurePercentage 10.0) are written as integers.

use crate::choice::{ChoiceRule, Condition, Operand};
use crate::model::{
    Branch, IntegerField, ItemProcessor, Map, NumberField, PathOrNull, State, StateKind,
    StateMachine, TextField, TimestampField, Transition, WaitFor,
};
use crate::path::{JsonPath, ReferencePath};
use crate::retry::{Catcher, Retrier};
use crate::template::Template;
use indexmap::IndexMap;
use serde_json::{Map as JsonMap, Number, Value};

/// Writes the machine as canonical JSON text.
pub fn emit(machine: &StateMachine) -> String {
    let mut text = serde_json::to_string_pretty(&machine_json(machine)).unwrap_or_default();
    text.push('\n');
    text
}

/// The machine as a JSON value, keys in canonical order.
pub fn machine_json(machine: &StateMachine) -> Value {
    let mut out = Obj::default();
    out.opt_str("Comment", machine.comment.as_deref());
    out.opt_str("QueryLanguage", machine.query_language.map(|q| q.as_str()));
    out.str("StartAt", machine.start_at.as_str());
    out.put("States", states_json(&machine.states));
    out.opt("TimeoutSeconds", machine.timeout_seconds.map(Value::from));
    out.opt_str("Version", machine.version.as_deref());
    out.into_value()
}

#[derive(Default)]
struct Obj(JsonMap<String, Value>);

impl Obj {
    fn put(&mut self, key: &str, value: Value) {
        self.0.insert(key.to_string(), value);
    }
    fn opt(&mut self, key: &str, value: Option<Value>) {
        if let Some(value) = value {
            self.put(key, value);
        }
    }
    fn str(&mut self, key: &str, value: &str) {
        self.put(key, Value::String(value.to_string()));
    }
    fn opt_str(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.str(key, value);
        }
    }
    fn raw(&mut self, key: &str, value: Option<&Value>) {
        self.opt(key, value.cloned());
    }
    fn template(&mut self, key: &str, value: Option<&Template>) {
        self.opt(key, value.map(Template::to_json));
    }
    fn path_or_null(&mut self, key: &str, value: Option<&PathOrNull<JsonPath>>) {
        match value {
            Some(PathOrNull::Path(path)) => self.str(key, path.as_str()),
            Some(PathOrNull::Null) => self.put(key, Value::Null),
            None => {}
        }
    }
    fn result_path(&mut self, value: Option<&PathOrNull<ReferencePath>>) {
        match value {
            Some(PathOrNull::Path(path)) => self.str("ResultPath", path.as_str()),
            Some(PathOrNull::Null) => self.put("ResultPath", Value::Null),
            None => {}
        }
    }
    fn integer(&mut self, key: &str, value: Option<&IntegerField>) {
        match value {
            Some(IntegerField::Value(number)) => self.put(key, Value::from(*number)),
            Some(IntegerField::Path(path)) => self.str(&format!("{key}Path"), path.as_str()),
            Some(IntegerField::Jsonata(text)) => self.str(key, text),
            None => {}
        }
    }
    fn number(&mut self, key: &str, value: Option<&NumberField>) {
        match value {
            Some(NumberField::Value(number)) => self.put(key, float(*number)),
            Some(NumberField::Path(path)) => self.str(&format!("{key}Path"), path.as_str()),
            Some(NumberField::Jsonata(text)) => self.str(key, text),
            None => {}
        }
    }
    fn text(&mut self, key: &str, value: Option<&TextField>) {
        match value {
            Some(TextField::Value(text)) => self.str(key, text),
            Some(TextField::Path(path)) => self.str(&format!("{key}Path"), path.as_str()),
            Some(TextField::Intrinsic(call)) => self.str(&format!("{key}Path"), call.as_str()),
            None => {}
        }
    }
    fn retry_catch(&mut self, retry: &[Retrier], catch: &[Catcher]) {
        if !retry.is_empty() {
            self.put(
                "Retry",
                Value::Array(retry.iter().map(retrier_json).collect()),
            );
        }
        if !catch.is_empty() {
            self.put(
                "Catch",
                Value::Array(catch.iter().map(catcher_json).collect()),
            );
        }
    }
    fn transition(&mut self, transition: &Transition) {
        match transition {
            Transition::Next(next) => self.str("Next", next.as_str()),
            Transition::End => self.put("End", Value::Bool(true)),
        }
    }
    fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

/// Whole numbers as integers, so `2.0` and `2` emit alike.
fn float(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        // Exact: whole and within the range where f64 holds every integer.
        #[allow(clippy::cast_possible_truncation)]
        return Value::from(value as i64);
    }
    Number::from_f64(value).map_or(Value::Null, Value::Number)
}

fn states_json(states: &IndexMap<crate::StateName, State>) -> Value {
    Value::Object(
        states
            .iter()
            .map(|(name, state)| (name.to_string(), state_json(state)))
            .collect(),
    )
}

fn branch_json(branch: &Branch, processor: Option<&ItemProcessor>) -> Value {
    let mut out = Obj::default();
    out.opt_str("Comment", branch.comment.as_deref());
    out.opt_str("QueryLanguage", branch.query_language.map(|q| q.as_str()));
    if let Some(config) = processor.and_then(|p| p.processor_config.as_ref()) {
        let mut cfg = Obj::default();
        cfg.opt_str("Mode", config.mode.map(|m| m.as_str()));
        cfg.opt_str("ExecutionType", config.execution_type.map(|e| e.as_str()));
        out.put("ProcessorConfig", cfg.into_value());
    }
    out.str("StartAt", branch.start_at.as_str());
    out.put("States", states_json(&branch.states));
    out.into_value()
}

/// One state as JSON, keys in canonical order.
pub fn state_json(state: &State) -> Value {
    let mut out = Obj::default();
    out.str("Type", state.kind.type_name());
    out.opt_str("Comment", state.comment.as_deref());
    out.opt_str("QueryLanguage", state.query_language.map(|q| q.as_str()));
    let input = state.input_path.as_ref();
    let output_path = state.output_path.as_ref();
    match &state.kind {
        StateKind::Task(task) => {
            out.str("Resource", &task.resource);
            out.integer("TimeoutSeconds", task.timeout.as_ref());
            out.integer("HeartbeatSeconds", task.heartbeat.as_ref());
            out.template("Credentials", task.credentials.as_ref());
            out.path_or_null("InputPath", input);
            out.template("Parameters", task.parameters.as_ref());
            out.raw("Arguments", task.arguments.as_ref());
            out.template("ResultSelector", task.result_selector.as_ref());
            out.result_path(task.result_path.as_ref());
            out.path_or_null("OutputPath", output_path);
            common_tail(&mut out, state);
            out.retry_catch(&task.retry, &task.catch);
            out.transition(&task.transition);
        }
        StateKind::Pass(pass) => {
            out.path_or_null("InputPath", input);
            out.template("Parameters", pass.parameters.as_ref());
            out.raw("Result", pass.result.as_ref());
            out.result_path(pass.result_path.as_ref());
            out.path_or_null("OutputPath", output_path);
            common_tail(&mut out, state);
            out.transition(&pass.transition);
        }
        StateKind::Choice(choice) => {
            out.path_or_null("InputPath", input);
            out.path_or_null("OutputPath", output_path);
            out.put(
                "Choices",
                Value::Array(choice.choices.iter().map(rule_json).collect()),
            );
            out.opt_str("Default", choice.default.as_ref().map(|d| d.as_str()));
            common_tail(&mut out, state);
        }
        StateKind::Wait(wait) => {
            match &wait.wait_for {
                WaitFor::Seconds(seconds) => out.integer("Seconds", Some(seconds)),
                WaitFor::Timestamp(TimestampField::Value(text) | TimestampField::Jsonata(text)) => {
                    out.str("Timestamp", text)
                }
                WaitFor::Timestamp(TimestampField::Path(path)) => {
                    out.str("TimestampPath", path.as_str())
                }
            }
            out.path_or_null("InputPath", input);
            out.path_or_null("OutputPath", output_path);
            common_tail(&mut out, state);
            out.transition(&wait.transition);
        }
        StateKind::Succeed => {
            out.path_or_null("InputPath", input);
            out.path_or_null("OutputPath", output_path);
            common_tail(&mut out, state);
        }
        StateKind::Fail(fail) => {
            out.text("Error", fail.error.as_ref());
            out.text("Cause", fail.cause.as_ref());
            common_tail(&mut out, state);
        }
        StateKind::Parallel(parallel) => {
            let branches = parallel.branches.iter().map(|b| branch_json(b, None));
            out.put("Branches", Value::Array(branches.collect()));
            out.path_or_null("InputPath", input);
            out.template("Parameters", parallel.parameters.as_ref());
            out.raw("Arguments", parallel.arguments.as_ref());
            out.template("ResultSelector", parallel.result_selector.as_ref());
            out.result_path(parallel.result_path.as_ref());
            out.path_or_null("OutputPath", output_path);
            common_tail(&mut out, state);
            out.retry_catch(&parallel.retry, &parallel.catch);
            out.transition(&parallel.transition);
        }
        StateKind::Map(map) => {
            map_fields(&mut out, map);
            out.path_or_null("InputPath", input);
            out.template("ResultSelector", map.result_selector.as_ref());
            out.result_path(map.result_path.as_ref());
            out.path_or_null("OutputPath", output_path);
            common_tail(&mut out, state);
            out.retry_catch(&map.retry, &map.catch);
            out.transition(&map.transition);
        }
    }
    out.into_value()
}

/// Output and Assign, after the type's own fields.
fn common_tail(out: &mut Obj, state: &State) {
    out.raw("Output", state.output.as_ref());
    out.raw("Assign", state.assign.as_ref());
}

fn map_fields(out: &mut Obj, map: &Map) {
    let processor = &map.item_processor;
    let key = if processor.is_legacy_iterator {
        "Iterator"
    } else {
        "ItemProcessor"
    };
    out.put(key, branch_json(&processor.branch, Some(processor)));
    if let Some(reader) = &map.item_reader {
        let mut obj = Obj::default();
        obj.str("Resource", &reader.resource);
        obj.raw("ReaderConfig", reader.reader_config.as_ref());
        obj.template("Parameters", reader.parameters.as_ref());
        obj.raw("Arguments", reader.arguments.as_ref());
        out.put("ItemReader", obj.into_value());
    }
    if let Some(path) = &map.items_path {
        out.str("ItemsPath", path.as_str());
    }
    out.raw("Items", map.items.as_ref());
    let selector_key = if map.selector_is_legacy_parameters {
        "Parameters"
    } else {
        "ItemSelector"
    };
    out.template(selector_key, map.item_selector.as_ref());
    if let Some(batcher) = &map.item_batcher {
        let mut obj = Obj::default();
        obj.integer("MaxItemsPerBatch", batcher.max_items_per_batch.as_ref());
        obj.integer(
            "MaxInputBytesPerBatch",
            batcher.max_input_bytes_per_batch.as_ref(),
        );
        obj.raw("BatchInput", batcher.batch_input.as_ref());
        out.put("ItemBatcher", obj.into_value());
    }
    if let Some(writer) = &map.result_writer {
        let mut obj = Obj::default();
        obj.opt_str("Resource", writer.resource.as_deref());
        obj.template("Parameters", writer.parameters.as_ref());
        obj.raw("Arguments", writer.arguments.as_ref());
        obj.raw("WriterConfig", writer.writer_config.as_ref());
        out.put("ResultWriter", obj.into_value());
    }
    out.integer("MaxConcurrency", map.max_concurrency.as_ref());
    out.number(
        "ToleratedFailurePercentage",
        map.tolerated_failure_percentage.as_ref(),
    );
    out.integer(
        "ToleratedFailureCount",
        map.tolerated_failure_count.as_ref(),
    );
    out.opt_str("Label", map.label.as_deref());
}

fn retrier_json(retrier: &Retrier) -> Value {
    let mut out = Obj::default();
    out.put("ErrorEquals", error_names(&retrier.error_equals));
    out.opt_str("Comment", retrier.comment.as_deref());
    out.opt("IntervalSeconds", retrier.interval_seconds.map(Value::from));
    out.opt("MaxAttempts", retrier.max_attempts.map(Value::from));
    out.opt("BackoffRate", retrier.backoff_rate.map(float));
    out.opt(
        "MaxDelaySeconds",
        retrier.max_delay_seconds.map(Value::from),
    );
    out.opt_str(
        "JitterStrategy",
        retrier.jitter_strategy.map(|j| j.as_str()),
    );
    out.into_value()
}

fn catcher_json(catcher: &Catcher) -> Value {
    let mut out = Obj::default();
    out.put("ErrorEquals", error_names(&catcher.error_equals));
    out.opt_str("Comment", catcher.comment.as_deref());
    out.result_path(catcher.result_path.as_ref());
    out.raw("Output", catcher.output.as_ref());
    out.raw("Assign", catcher.assign.as_ref());
    out.str("Next", catcher.next.as_str());
    out.into_value()
}

fn error_names(names: &[crate::ErrorName]) -> Value {
    Value::Array(
        names
            .iter()
            .map(|name| Value::String(name.to_string()))
            .collect(),
    )
}

fn rule_json(rule: &ChoiceRule) -> Value {
    let mut out = Obj::default();
    out.opt_str("Comment", rule.comment.as_deref());
    condition_into(&mut out, &rule.condition);
    out.raw("Output", rule.output.as_ref());
    out.raw("Assign", rule.assign.as_ref());
    out.str("Next", rule.next.as_str());
    out.into_value()
}

fn condition_json(condition: &Condition) -> Value {
    let mut out = Obj::default();
    condition_into(&mut out, condition);
    out.into_value()
}

fn condition_into(out: &mut Obj, condition: &Condition) {
    match condition {
        Condition::And(items) => out.put(
            "And",
            Value::Array(items.iter().map(condition_json).collect()),
        ),
        Condition::Or(items) => out.put(
            "Or",
            Value::Array(items.iter().map(condition_json).collect()),
        ),
        Condition::Not(inner) => out.put("Not", condition_json(inner)),
        Condition::Jsonata(text) => out.str("Condition", text),
        Condition::Commented { comment, condition } => {
            out.str("Comment", comment);
            condition_into(out, condition);
        }
        Condition::Compare(comparison) => {
            out.str("Variable", comparison.variable.as_str());
            let key = comparison.operator.field_name(&comparison.operand);
            let value = match &comparison.operand {
                Operand::String(text) | Operand::Timestamp(text) => Value::String(text.clone()),
                Operand::Number(number) => Value::Number(number.clone()),
                Operand::Bool(flag) => Value::Bool(*flag),
                Operand::Path(path) => Value::String(path.as_str().to_string()),
            };
            out.put(&key, value);
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::emit;
    use crate::load;

    #[test]
    fn state_keys_follow_the_documented_order() {
        let text = r#"{"States": {"A": {"End": true, "Retry": [{"MaxAttempts": 1, "ErrorEquals": ["E"]}],
            "ResultPath": "$.r", "Parameters": {"b": 1, "a.$": "$.x"}, "Resource": "arn:x",
            "Comment": "c", "Type": "Task", "InputPath": "$"}}, "StartAt": "A", "Comment": "m"}"#;
        let emitted = emit(&load(text, "t").unwrap().machine);
        let expected = r#"{
  "Comment": "m",
  "StartAt": "A",
  "States": {
    "A": {
      "Type": "Task",
      "Comment": "c",
      "Resource": "arn:x",
      "InputPath": "$",
      "Parameters": {
        "b": 1,
        "a.$": "$.x"
      },
      "ResultPath": "$.r",
      "Retry": [
        {
          "ErrorEquals": [
            "E"
          ],
          "MaxAttempts": 1
        }
      ],
      "End": true
    }
  }
}
"#;
        assert_eq!(emitted, expected);
    }

    #[test]
    fn explicit_null_paths_survive_emission() {
        let text = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": null,
            "ResultPath": null, "OutputPath": null, "End": true}}}"#;
        let emitted = emit(&load(text, "t").unwrap().machine);
        assert!(emitted.contains("\"InputPath\": null"));
        assert!(emitted.contains("\"ResultPath\": null"));
        assert!(emitted.contains("\"OutputPath\": null"));
    }

    #[test]
    fn whole_backoff_rates_are_written_as_integers() {
        let text = r#"{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "r",
            "Retry": [{"ErrorEquals": ["E"], "BackoffRate": 2.0}, {"ErrorEquals": ["F"], "BackoffRate": 1.5}],
            "End": true}}}"#;
        let emitted = emit(&load(text, "t").unwrap().machine);
        assert!(emitted.contains("\"BackoffRate\": 2\n"), "{emitted}");
        assert!(emitted.contains("\"BackoffRate\": 1.5\n"), "{emitted}");
    }

    #[test]
    fn choice_rules_keep_path_operators_and_nested_comments() {
        let text = r#"{"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [
            {"Not": {"Comment": "n", "Variable": "$.a", "NumericLessThanPath": "$.b"}, "Next": "C"}],
            "Default": "C"}}}"#;
        let machine = load(text, "t").unwrap().machine;
        let emitted = emit(&machine);
        assert!(emitted.contains("\"NumericLessThanPath\": \"$.b\""));
        assert!(emitted.contains("\"Comment\": \"n\""));
        assert_eq!(load(&emitted, "again").unwrap().machine, machine);
    }
}
