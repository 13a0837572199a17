//! The typed state machine: machine, branches, states and their fields.
//!
//! Fields use AWS spelling in snake case. `Option` means "not written"; fields where AWS gives
//! an explicit `null` a meaning (InputPath, OutputPath, ResultPath) use [`PathOrNull`] inside the
//! `Option`, so absent and `null` stay distinct.

use crate::assign::Assign;
use crate::choice::ChoiceRule;
use crate::intrinsic::IntrinsicCall;
use crate::jsonata_value::{JsonataString, JsonataValue};
use crate::names::StateName;
use crate::path::{JsonPath, ReferencePath};
use crate::retry::{Catcher, Retrier};
use crate::template::Template;
use indexmap::IndexMap;
use serde_json::Value;

/// A whole state machine definition.
#[derive(Debug, Clone, PartialEq)]
pub struct StateMachine {
    pub comment: Option<String>,
    pub query_language: Option<QueryLanguage>,
    pub start_at: StateName,
    pub states: IndexMap<StateName, State>,
    /// Execution timeout.
    pub timeout_seconds: Option<u64>,
    pub version: Option<String>,
}

/// A nested state graph: a Parallel branch, or a Map's ItemProcessor / Iterator.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    pub comment: Option<String>,
    pub query_language: Option<QueryLanguage>,
    pub start_at: StateName,
    pub states: IndexMap<StateName, State>,
}

/// `QueryLanguage`: JSONPath (the default) or JSONata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryLanguage {
    JsonPath,
    Jsonata,
}

impl QueryLanguage {
    pub fn as_str(self) -> &'static str {
        match self {
            QueryLanguage::JsonPath => "JSONPath",
            QueryLanguage::Jsonata => "JSONata",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "JSONPath" => Some(QueryLanguage::JsonPath),
            "JSONata" => Some(QueryLanguage::Jsonata),
            _ => None,
        }
    }
}

/// One state. Fields every state type (but Fail) may carry live here; the rest in [`StateKind`].
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub name: StateName,
    pub comment: Option<String>,
    pub query_language: Option<QueryLanguage>,
    /// `None`: absent (`$`). `Some(Null)`: the state sees `{}`.
    pub input_path: Option<PathOrNull<JsonPath>>,
    /// `None`: absent (`$`). `Some(Null)`: the state outputs `{}`.
    pub output_path: Option<PathOrNull<JsonPath>>,
    /// Variables (`Assign`), in either query language.
    pub assign: Option<Assign>,
    /// JSONata mode `Output` (`Some(Literal(Null))` is `"Output": null`, which outputs `null`).
    pub output: Option<JsonataValue>,
    pub kind: StateKind,
}

/// A path field that may also be written as JSON `null`.
#[derive(Debug, Clone, PartialEq)]
pub enum PathOrNull<P> {
    Path(P),
    Null,
}

/// `ResultPath`: `None` (absent) means `$` (the result replaces the input); `Null` discards the
/// result and keeps the input.
pub type ResultPath = PathOrNull<ReferencePath>;

/// What follows a state: `Next` or `End: true`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    Next(StateName),
    End,
}

/// The state type and its own fields.
// Map, by far the largest (Distributed Map's reader, batcher and writer), is boxed: unboxed it
// made every state of every machine its size (1.8 kB; a 10,000-state machine moved 18 MB around
// while being built). Task stays inline: the most common state, and only a few hundred bytes.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum StateKind {
    Task(Task),
    Pass(Pass),
    Choice(Choice),
    Wait(Wait),
    Succeed,
    Fail(Fail),
    Parallel(Parallel),
    Map(Box<Map>),
}

impl StateKind {
    /// The `Type` field value.
    pub fn type_name(&self) -> &'static str {
        match self {
            StateKind::Task(_) => "Task",
            StateKind::Pass(_) => "Pass",
            StateKind::Choice(_) => "Choice",
            StateKind::Wait(_) => "Wait",
            StateKind::Succeed => "Succeed",
            StateKind::Fail(_) => "Fail",
            StateKind::Parallel(_) => "Parallel",
            StateKind::Map(_) => "Map",
        }
    }
}

/// An integer field with a `...Path` alternative (or a JSONata string in JSONata mode):
/// TimeoutSeconds, HeartbeatSeconds, Wait Seconds, MaxConcurrency, ToleratedFailureCount.
#[derive(Debug, Clone, PartialEq)]
pub enum IntegerField {
    Value(u64),
    Path(ReferencePath),
    /// `"{% ... %}"` in JSONata mode.
    Jsonata(JsonataString),
}

/// A number field with a `...Path` alternative: ToleratedFailurePercentage.
#[derive(Debug, Clone, PartialEq)]
pub enum NumberField {
    /// As written, so `10.0` stays `10.0`.
    Value(serde_json::Number),
    Path(ReferencePath),
    Jsonata(JsonataString),
}

/// A string field of a Fail state with its `...Path` alternative: Error/ErrorPath,
/// Cause/CausePath. AWS accepts a reference path or an intrinsic call in the `...Path` form.
#[derive(Debug, Clone, PartialEq)]
pub enum TextField {
    /// The literal text.
    Value(String),
    Path(ReferencePath),
    Intrinsic(IntrinsicCall),
    /// JSONata mode: a `{% %}` expression.
    Jsonata(JsonataString),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub resource: String,
    pub parameters: Option<Template>,
    /// JSONata mode `Arguments`.
    pub arguments: Option<JsonataValue>,
    pub result_selector: Option<Template>,
    pub result_path: Option<ResultPath>,
    pub timeout: Option<IntegerField>,
    pub heartbeat: Option<IntegerField>,
    /// `Credentials` (`RoleArn` or `RoleArn.$`).
    pub credentials: Option<Template>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    pub transition: Transition,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pass {
    pub parameters: Option<Template>,
    pub result: Option<Value>,
    pub result_path: Option<ResultPath>,
    pub transition: Transition,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub choices: Vec<ChoiceRule>,
    pub default: Option<StateName>,
}

/// How long a Wait state waits.
#[derive(Debug, Clone, PartialEq)]
pub enum WaitFor {
    /// `Seconds` / `SecondsPath`.
    Seconds(IntegerField),
    /// `Timestamp` / `TimestampPath`.
    Timestamp(TimestampField),
}

/// `Timestamp` (RFC 3339 text as written), `TimestampPath`, or a JSONata string.
#[derive(Debug, Clone, PartialEq)]
pub enum TimestampField {
    Value(String),
    Path(ReferencePath),
    Jsonata(JsonataString),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Wait {
    pub wait_for: WaitFor,
    pub transition: Transition,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fail {
    pub error: Option<TextField>,
    pub cause: Option<TextField>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parallel {
    pub branches: Vec<Branch>,
    pub parameters: Option<Template>,
    /// JSONata mode `Arguments`: the input every branch gets.
    pub arguments: Option<JsonataValue>,
    pub result_selector: Option<Template>,
    pub result_path: Option<ResultPath>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    pub transition: Transition,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Map {
    pub item_processor: ItemProcessor,
    /// JSONPath mode: where the items are (`$` when absent).
    pub items_path: Option<ReferencePath>,
    /// JSONata mode `Items` (an array, or a `{% %}` string giving one).
    pub items: Option<JsonataValue>,
    /// `ItemSelector`, or the legacy `Parameters` (see `selector_is_legacy_parameters`).
    pub item_selector: Option<Payload>,
    /// True when the selector was written as the legacy `Parameters` field.
    pub selector_is_legacy_parameters: bool,
    pub item_reader: Option<ItemReader>,
    pub item_batcher: Option<ItemBatcher>,
    pub result_writer: Option<ResultWriter>,
    pub max_concurrency: Option<IntegerField>,
    pub tolerated_failure_percentage: Option<NumberField>,
    pub tolerated_failure_count: Option<IntegerField>,
    pub label: Option<String>,
    pub result_selector: Option<Template>,
    pub result_path: Option<ResultPath>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    pub transition: Transition,
}

/// A field that is a payload template in a JSONPath state and JSON with `{% %}` expressions in a
/// JSONata state (a Map's `ItemSelector`).
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    Template(Template),
    Jsonata(JsonataValue),
}

impl Payload {
    /// The JSON the field is written as.
    pub fn to_json(&self) -> Value {
        match self {
            Payload::Template(template) => template.to_json(),
            Payload::Jsonata(value) => value.to_json(),
        }
    }

    pub fn as_template(&self) -> Option<&Template> {
        match self {
            Payload::Template(template) => Some(template),
            Payload::Jsonata(_) => None,
        }
    }
}

/// A Map's `ItemProcessor`, or the legacy `Iterator` (which has no ProcessorConfig).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemProcessor {
    pub processor_config: Option<ProcessorConfig>,
    pub branch: Branch,
    /// True when written as the legacy `Iterator` field.
    pub is_legacy_iterator: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProcessorConfig {
    pub mode: Option<ProcessorMode>,
    pub execution_type: Option<ExecutionType>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessorMode {
    Inline,
    Distributed,
}

impl ProcessorMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ProcessorMode::Inline => "INLINE",
            ProcessorMode::Distributed => "DISTRIBUTED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "INLINE" => Some(ProcessorMode::Inline),
            "DISTRIBUTED" => Some(ProcessorMode::Distributed),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionType {
    Standard,
    Express,
}

impl ExecutionType {
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionType::Standard => "STANDARD",
            ExecutionType::Express => "EXPRESS",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "STANDARD" => Some(ExecutionType::Standard),
            "EXPRESS" => Some(ExecutionType::Express),
            _ => None,
        }
    }
}

/// Distributed Map `ItemReader`: where items come from (S3 and friends).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemReader {
    pub resource: String,
    /// `ReaderConfig`, raw JSON (InputType, CSVHeaders, MaxItems...).
    pub reader_config: Option<Value>,
    pub parameters: Option<Template>,
    pub arguments: Option<Value>,
}

/// Distributed Map `ItemBatcher`.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemBatcher {
    pub max_items_per_batch: Option<IntegerField>,
    pub max_input_bytes_per_batch: Option<IntegerField>,
    /// `BatchInput`, raw JSON.
    pub batch_input: Option<Value>,
}

/// Distributed Map `ResultWriter`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultWriter {
    pub resource: Option<String>,
    pub parameters: Option<Template>,
    pub arguments: Option<Value>,
    /// `WriterConfig`, raw JSON.
    pub writer_config: Option<Value>,
}

impl State {
    /// The transition of states that have one (all but Choice, Succeed, Fail).
    pub fn transition(&self) -> Option<&Transition> {
        match &self.kind {
            StateKind::Task(task) => Some(&task.transition),
            StateKind::Pass(pass) => Some(&pass.transition),
            StateKind::Wait(wait) => Some(&wait.transition),
            StateKind::Parallel(parallel) => Some(&parallel.transition),
            StateKind::Map(map) => Some(&map.transition),
            StateKind::Choice(_) | StateKind::Succeed | StateKind::Fail(_) => None,
        }
    }

    /// `Retry` of Task, Parallel and Map; empty for the others.
    pub fn retry(&self) -> &[Retrier] {
        match &self.kind {
            StateKind::Task(task) => &task.retry,
            StateKind::Parallel(parallel) => &parallel.retry,
            StateKind::Map(map) => &map.retry,
            _ => &[],
        }
    }

    /// `Catch` of Task, Parallel and Map; empty for the others.
    pub fn catch(&self) -> &[Catcher] {
        match &self.kind {
            StateKind::Task(task) => &task.catch,
            StateKind::Parallel(parallel) => &parallel.catch,
            StateKind::Map(map) => &map.catch,
            _ => &[],
        }
    }

    /// `ResultPath` where the state type has one.
    pub fn result_path(&self) -> Option<&ResultPath> {
        match &self.kind {
            StateKind::Task(task) => task.result_path.as_ref(),
            StateKind::Pass(pass) => pass.result_path.as_ref(),
            StateKind::Parallel(parallel) => parallel.result_path.as_ref(),
            StateKind::Map(map) => map.result_path.as_ref(),
            _ => None,
        }
    }

    /// Every state this one can move to, in field order: Next, Choice rule targets, Default,
    /// Catch targets. Nested branch states are not included (they are a separate graph).
    pub fn successors(&self) -> Vec<&StateName> {
        let mut out = Vec::new();
        if let Some(Transition::Next(next)) = self.transition() {
            out.push(next);
        }
        if let StateKind::Choice(choice) = &self.kind {
            out.extend(choice.choices.iter().map(|rule| &rule.next));
            out.extend(choice.default.iter());
        }
        out.extend(self.catch().iter().map(|catcher| &catcher.next));
        out
    }

    /// The nested graphs of Parallel (its branches) and Map (its processor).
    pub fn branches(&self) -> Vec<&Branch> {
        match &self.kind {
            StateKind::Parallel(parallel) => parallel.branches.iter().collect(),
            StateKind::Map(map) => vec![&map.item_processor.branch],
            _ => Vec::new(),
        }
    }
}

/// Where a state sits: the names of the enclosing Parallel/Map states and branch indices,
/// then the state's own name. Used by [`crate::SpanTable`] and by checks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatePath(pub Vec<StatePathSegment>);

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatePathSegment {
    /// A state name.
    State(StateName),
    /// Branch index inside a Parallel (always 0 for a Map's processor).
    Branch(usize),
}

impl StatePath {
    /// A top-level state.
    pub fn top(name: &StateName) -> Self {
        StatePath(vec![StatePathSegment::State(name.clone())])
    }

    /// The state `name` inside branch `index` of the state at `self`.
    pub fn child(&self, index: usize, name: &StateName) -> Self {
        let mut segments = self.0.clone();
        segments.push(StatePathSegment::Branch(index));
        segments.push(StatePathSegment::State(name.clone()));
        StatePath(segments)
    }

    /// The state's own name (the last segment).
    pub fn name(&self) -> Option<&StateName> {
        self.0.iter().rev().find_map(|segment| match segment {
            StatePathSegment::State(name) => Some(name),
            StatePathSegment::Branch(_) => None,
        })
    }
}

impl std::fmt::Display for StatePath {
    /// `Outer/0/Inner`: names and branch indices joined with `/`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (index, segment) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("/")?;
            }
            match segment {
                StatePathSegment::State(name) => write!(f, "{name}")?,
                StatePathSegment::Branch(branch) => write!(f, "{branch}")?,
            }
        }
        Ok(())
    }
}

impl StateMachine {
    /// Every state of the machine, nested ones included, with its path, depth first in written
    /// order (a Parallel/Map state comes before the states of its branches).
    pub fn all_states(&self) -> Vec<(StatePath, &State)> {
        let mut out = Vec::new();
        collect_states(&self.states, None, &mut out);
        out
    }
}

impl StateMachine {
    /// The state at `path` (top-level or nested), if there is one.
    pub fn state_at(&self, path: &StatePath) -> Option<&State> {
        let mut segments = path.0.iter();
        let Some(StatePathSegment::State(first)) = segments.next() else {
            return None;
        };
        let mut state = self.states.get(first)?;
        while let Some(segment) = segments.next() {
            let StatePathSegment::Branch(index) = segment else {
                return None;
            };
            let Some(StatePathSegment::State(name)) = segments.next() else {
                return None;
            };
            let branch = state.branches().into_iter().nth(*index)?;
            state = branch.states.get(name)?;
        }
        Some(state)
    }
}

impl Branch {
    /// Every state of this branch, nested ones included, paths relative to the branch.
    pub fn all_states(&self) -> Vec<(StatePath, &State)> {
        let mut out = Vec::new();
        collect_states(&self.states, None, &mut out);
        out
    }
}

fn collect_states<'a>(
    states: &'a IndexMap<StateName, State>,
    parent: Option<(&StatePath, usize)>,
    out: &mut Vec<(StatePath, &'a State)>,
) {
    for (name, state) in states {
        let path = match parent {
            Some((parent_path, index)) => parent_path.child(index, name),
            None => StatePath::top(name),
        };
        out.push((path.clone(), state));
        for (index, branch) in state.branches().into_iter().enumerate() {
            collect_states(&branch.states, Some((&path, index)), out);
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::{StateName, StatePath};
    use crate::load;

    const TEXT: &str = r#"{
  "StartAt": "T",
  "States": {
    "T": {"Type": "Task", "Resource": "arn:x", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}], "Next": "C"},
    "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "M"}], "Default": "F"},
    "M": {"Type": "Map", "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}, "End": true},
    "F": {"Type": "Fail", "Error": "E"}
  }
}"#;

    #[test]
    fn successors_list_next_rules_default_and_catchers() {
        let machine = load(TEXT, "t").unwrap().machine;
        let names = |state: &str| -> Vec<String> {
            machine.states[state]
                .successors()
                .iter()
                .map(|n| n.to_string())
                .collect()
        };
        assert_eq!(names("T"), ["C", "F"]);
        assert_eq!(names("C"), ["M", "F"]);
        assert!(names("F").is_empty());
    }

    #[test]
    fn all_states_walks_nested_graphs_depth_first() {
        let machine = load(TEXT, "t").unwrap().machine;
        let paths: Vec<String> = machine
            .all_states()
            .iter()
            .map(|(path, _)| path.to_string())
            .collect();
        assert_eq!(paths, ["T", "C", "M", "M/0/I", "F"]);
        for (path, state) in machine.all_states() {
            assert_eq!(machine.state_at(&path), Some(state), "{path}");
        }
    }

    #[test]
    fn state_at_rejects_paths_that_lead_nowhere() {
        let machine = load(TEXT, "t").unwrap().machine;
        let m = StatePath::top(&StateName::from("M"));
        assert!(
            machine
                .state_at(&m.child(1, &StateName::from("I")))
                .is_none()
        );
        assert!(
            machine
                .state_at(&m.child(0, &StateName::from("X")))
                .is_none()
        );
        assert!(machine.state_at(&StatePath(Vec::new())).is_none());
    }
}
