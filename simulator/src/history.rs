//! Execution history in the shape of AWS `GetExecutionHistory`: one typed enum variant per event
//! type, serialized with AWS's field names (`timestamp`, `type`, `id`, `previousEventId` and one
//! `*EventDetails` object). Payloads are JSON text, as AWS reports them.

use crate::text::Texts;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use std::sync::Arc;

/// AWS's limit on history length; the event that would exceed it fails the execution.
pub const MAX_HISTORY_EVENTS: usize = 25_000;

/// flowc's limit on the payload text one execution allocates: 512 MiB. AWS keeps every
/// event's input and output (up to 256 KiB each, 25,000 events: several GiB). flowc's texts
/// share what they have in common with the texts they were made from (`crate::text`), so a
/// loop that writes a counter into a 250 KB document costs a few bytes a state; a simulation
/// that makes more new text than this (a loop that rebuilds a large document at every state)
/// stops with `flowc::sim::memory_limit` rather than take the machine's memory, so a run stays
/// within about 1 GiB.
pub const MAX_TEXT_BYTES: usize = 512 * 1024 * 1024;

/// flowc's limit on a history written out as JSON (`flowc simulate --history`): 1 GiB. A
/// history of shared texts is small in memory, but its JSON writes every payload out in full:
/// the 25,000 events of a loop carrying a 250 KB document are 6 GB of text. A history past
/// this is refused ([`History::write_json`]) rather than fill the disk.
pub const MAX_HISTORY_JSON_BYTES: u64 = 1 << 30;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PayloadDetails {
    pub truncated: bool,
}

const NOT_TRUNCATED: PayloadDetails = PayloadDetails { truncated: false };

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionStarted {
    pub input: Text,
    pub input_details: PayloadDetails,
    pub role_arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub output: Text,
    pub output_details: PayloadDetails,
}

impl Output {
    pub fn new(output: Text) -> Self {
        Self {
            output,
            output_details: NOT_TRUNCATED,
        }
    }
}

/// `error` / `cause` pair used by every `*Failed` / `*TimedOut` detail; AWS leaves out what is
/// not set.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Default)]
pub struct ErrorCause {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

/// A short text repeated across events (state names, resources, regions): shared, so
/// recording an event does not copy it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Shared(Arc<str>);

impl Default for Shared {
    fn default() -> Self {
        Self(Arc::from(""))
    }
}

impl Shared {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for Shared {
    fn from(text: String) -> Self {
        Self(Arc::from(text))
    }
}

impl From<&str> for Shared {
    fn from(text: &str) -> Self {
        Self(Arc::from(text))
    }
}

impl std::ops::Deref for Shared {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Shared {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Shared {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Shared {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Shared {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl From<Shared> for serde_json::Value {
    fn from(text: Shared) -> Self {
        serde_json::Value::String(text.0.to_string())
    }
}

impl Serialize for Shared {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// A name of the program (a state name, a Task's resource or resource type) as an event
/// records it: its position in the program's [`Names`], so recording an event copies no text
/// and touches no reference count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Sym(pub u32);

/// Every name the events of a program's executions refer to by [`Sym`], made once when the
/// program is built; a history holds the table (one shared handle per execution).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Names(Arc<[Shared]>);

impl Names {
    pub fn new(names: Vec<Shared>) -> Self {
        Self(names.into())
    }

    /// The name a symbol stands for (empty for a symbol of another table).
    pub fn get(&self, sym: Sym) -> &str {
        self.0.get(sym.0 as usize).map_or("", Shared::as_str)
    }
}

/// The states an execution entered, in order (branch and iteration states included), named
/// by their symbols in the program's table of names: recording a visit copies nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Visited {
    names: Names,
    states: Vec<Sym>,
}

impl Visited {
    pub(crate) fn new(names: Names, capacity: usize) -> Self {
        Self {
            names,
            states: Vec::with_capacity(capacity),
        }
    }

    pub(crate) fn push(&mut self, state: Sym) {
        self.states.push(state);
    }

    /// How many states were entered.
    pub fn len(&self) -> usize {
        self.states.len()
    }

    /// Whether no state was entered.
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// The name of the `index`-th state entered.
    pub fn get(&self, index: usize) -> Option<&str> {
        self.states.get(index).map(|s| self.names.get(*s))
    }

    /// The state names, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.states.iter().map(|s| self.names.get(*s))
    }

    /// The state names, in order, as a list.
    pub fn to_vec(&self) -> Vec<&str> {
        self.iter().collect()
    }
}

impl<S: AsRef<str>> PartialEq<[S]> for Visited {
    fn eq(&self, other: &[S]) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for Visited {
    fn eq(&self, other: &[S; N]) -> bool {
        *self == other[..]
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for Visited {
    fn eq(&self, other: &Vec<S>) -> bool {
        *self == other[..]
    }
}

impl From<Visited> for serde_json::Value {
    fn from(visited: Visited) -> Self {
        visited.iter().map(serde_json::Value::from).collect()
    }
}

impl Serialize for Visited {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// A document's JSON text in a history event, shared (not copied) between the events that
/// carry the same document: a state's StateExited output is the next state's StateEntered
/// input, as on AWS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload(Arc<String>);

impl Payload {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for Payload {
    fn from(text: String) -> Self {
        Self(Arc::new(text))
    }
}

impl From<&str> for Payload {
    fn from(text: &str) -> Self {
        Self(Arc::new(text.to_string()))
    }
}

impl Serialize for Payload {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

pub use crate::text::Text;

/// A document's text in the history, with the spans that let the next write splice it
/// (`crate::json`).
pub(crate) use crate::json::DocText;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateEntered {
    pub name: Sym,
    pub input: Text,
    pub input_details: PayloadDetails,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateExited {
    pub name: Sym,
    pub output: Text,
    pub output_details: PayloadDetails,
    /// `assignedVariables`: each variable the state assigned, with its value's JSON text.
    pub assigned: Option<Box<[(String, String)]>>,
}

/// `evaluationFailedEventDetails`: a JSONata expression of the state failed, just before the
/// state fails with the same error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationFailed {
    pub error: String,
    pub cause: String,
    /// The field whose expression failed (`Output/result`).
    pub location: String,
    pub state: Sym,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaScheduled {
    pub resource: Sym,
    pub input: Text,
    pub input_details: PayloadDetails,
    pub timeout_in_seconds: Option<u64>,
}

/// AWS's `taskScheduledEventDetails`; its `region` is the execution's, which the history
/// holds ([`History::region`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskScheduled {
    pub resource_type: Sym,
    pub resource: Sym,
    pub parameters: Text,
    pub timeout_in_seconds: Option<u64>,
    pub heartbeat_in_seconds: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskResource {
    pub resource_type: Sym,
    pub resource: Sym,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskSucceeded {
    pub resource_type: Sym,
    pub resource: Sym,
    pub output: Text,
    pub output_details: PayloadDetails,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFailed {
    pub resource_type: Sym,
    pub resource: Sym,
    pub error: Option<String>,
    pub cause: Option<String>,
}

/// `mapRunStartedEventDetails`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MapRunStarted {
    pub map_run_arn: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MapStarted {
    pub length: usize,
}

/// `mapIteration*EventDetails`: the Map state's name (by its place in the program's
/// [`Names`]) and the iteration's index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapIteration {
    pub name: Sym,
    pub index: usize,
}

/// Every event the simulator records, named as AWS names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    ExecutionStarted(ExecutionStarted),
    ExecutionSucceeded(Output),
    ExecutionFailed(ErrorCause),
    ExecutionTimedOut(ErrorCause),
    /// `{Type}StateEntered`, e.g. `TaskStateEntered`.
    StateEntered(&'static str, StateEntered),
    /// `{Type}StateExited`.
    StateExited(&'static str, StateExited),
    /// `{Type}StateAborted` (Task, Wait, Parallel, Map): a state still running when a sibling
    /// branch or iteration failed; AWS gives it no details.
    StateAborted(&'static str, Sym),
    LambdaFunctionScheduled(LambdaScheduled),
    LambdaFunctionStarted,
    LambdaFunctionSucceeded(Output),
    LambdaFunctionFailed(ErrorCause),
    LambdaFunctionTimedOut(ErrorCause),
    TaskScheduled(TaskScheduled),
    TaskStarted(TaskResource),
    TaskSubmitted(TaskSucceeded),
    TaskSucceeded(TaskSucceeded),
    TaskFailed(TaskFailed),
    TaskTimedOut(TaskFailed),
    MapStateStarted(MapStarted),
    MapStateSucceeded,
    MapStateFailed,
    MapIterationStarted(MapIteration),
    MapIterationSucceeded(MapIteration),
    MapIterationFailed(MapIteration),
    MapIterationAborted(MapIteration),
    /// A Distributed Map's run of child executions.
    MapRunStarted(MapRunStarted),
    MapRunSucceeded,
    MapRunFailed(ErrorCause),
    ParallelStateStarted,
    // No ParallelStateSucceeded: AWS writes none (states/parallel.rs).
    ParallelStateFailed,
    /// A JSONata expression failed (`States.QueryEvaluationError`).
    EvaluationFailed(EvaluationFailed),
}

impl EventKind {
    /// AWS's `type` string.
    pub fn type_name(&self) -> String {
        let fixed = match self {
            Self::ExecutionStarted(_) => "ExecutionStarted",
            Self::ExecutionSucceeded(_) => "ExecutionSucceeded",
            Self::ExecutionFailed(_) => "ExecutionFailed",
            Self::ExecutionTimedOut(_) => "ExecutionTimedOut",
            Self::StateEntered(t, _) => return format!("{t}StateEntered"),
            Self::StateExited(t, _) => return format!("{t}StateExited"),
            Self::StateAborted(t, _) => return format!("{t}StateAborted"),
            Self::LambdaFunctionScheduled(_) => "LambdaFunctionScheduled",
            Self::LambdaFunctionStarted => "LambdaFunctionStarted",
            Self::LambdaFunctionSucceeded(_) => "LambdaFunctionSucceeded",
            Self::LambdaFunctionFailed(_) => "LambdaFunctionFailed",
            Self::LambdaFunctionTimedOut(_) => "LambdaFunctionTimedOut",
            Self::TaskScheduled(_) => "TaskScheduled",
            Self::TaskStarted(_) => "TaskStarted",
            Self::TaskSubmitted(_) => "TaskSubmitted",
            Self::TaskSucceeded(_) => "TaskSucceeded",
            Self::TaskFailed(_) => "TaskFailed",
            Self::TaskTimedOut(_) => "TaskTimedOut",
            Self::MapStateStarted(_) => "MapStateStarted",
            Self::MapStateSucceeded => "MapStateSucceeded",
            Self::MapStateFailed => "MapStateFailed",
            Self::MapIterationStarted(_) => "MapIterationStarted",
            Self::MapIterationSucceeded(_) => "MapIterationSucceeded",
            Self::MapIterationFailed(_) => "MapIterationFailed",
            Self::MapIterationAborted(_) => "MapIterationAborted",
            Self::MapRunStarted(_) => "MapRunStarted",
            Self::MapRunSucceeded => "MapRunSucceeded",
            Self::MapRunFailed(_) => "MapRunFailed",
            Self::ParallelStateStarted => "ParallelStateStarted",
            Self::ParallelStateFailed => "ParallelStateFailed",
            Self::EvaluationFailed(_) => "EvaluationFailed",
        };
        fixed.to_string()
    }

    /// Writes the `*EventDetails` entry, when the event type has one, with the names its
    /// symbols stand for.
    fn serialize_details<'a, M: SerializeMap>(
        &'a self,
        map: &mut M,
        at: &Context<'a>,
    ) -> Result<(), M::Error> {
        let n = |s: Sym| at.names.get(s);
        let t = |x: &'a Text| at.history.texts.to_cow(x);
        match self {
            Self::ExecutionStarted(d) => map.serialize_entry(
                "executionStartedEventDetails",
                &views::ExecutionStarted {
                    input: t(&d.input),
                    input_details: &d.input_details,
                    role_arn: &d.role_arn,
                },
            ),
            Self::ExecutionSucceeded(d) => {
                map.serialize_entry("executionSucceededEventDetails", &views::output(d, &t))
            }
            Self::ExecutionFailed(d) => map.serialize_entry("executionFailedEventDetails", d),
            Self::ExecutionTimedOut(d) => map.serialize_entry("executionTimedOutEventDetails", d),
            Self::StateEntered(_, d) => map.serialize_entry(
                "stateEnteredEventDetails",
                &views::StateEntered {
                    name: n(d.name),
                    input: t(&d.input),
                    input_details: &d.input_details,
                },
            ),
            Self::StateExited(_, d) => map.serialize_entry(
                "stateExitedEventDetails",
                &views::StateExited {
                    assigned_variables: d.assigned.as_deref().map(views::Assigned),
                    assigned_variables_details: d
                        .assigned
                        .as_ref()
                        .map(|_| &PayloadDetails { truncated: false }),
                    name: n(d.name),
                    output: t(&d.output),
                    output_details: &d.output_details,
                },
            ),
            Self::EvaluationFailed(d) => map.serialize_entry(
                "evaluationFailedEventDetails",
                &views::EvaluationFailed {
                    cause: &d.cause,
                    error: &d.error,
                    location: &d.location,
                    state: n(d.state),
                },
            ),
            Self::LambdaFunctionScheduled(d) => map.serialize_entry(
                "lambdaFunctionScheduledEventDetails",
                &views::LambdaScheduled {
                    resource: n(d.resource),
                    input: t(&d.input),
                    input_details: &d.input_details,
                    timeout_in_seconds: d.timeout_in_seconds,
                },
            ),
            Self::LambdaFunctionSucceeded(d) => {
                map.serialize_entry("lambdaFunctionSucceededEventDetails", &views::output(d, &t))
            }
            Self::LambdaFunctionFailed(d) => {
                map.serialize_entry("lambdaFunctionFailedEventDetails", d)
            }
            Self::LambdaFunctionTimedOut(d) => {
                map.serialize_entry("lambdaFunctionTimedOutEventDetails", d)
            }
            Self::TaskScheduled(d) => map.serialize_entry(
                "taskScheduledEventDetails",
                &views::TaskScheduled {
                    resource_type: n(d.resource_type),
                    resource: n(d.resource),
                    region: at.region,
                    parameters: t(&d.parameters),
                    timeout_in_seconds: d.timeout_in_seconds,
                    heartbeat_in_seconds: d.heartbeat_in_seconds,
                },
            ),
            Self::TaskStarted(d) => map.serialize_entry(
                "taskStartedEventDetails",
                &views::TaskResource {
                    resource_type: n(d.resource_type),
                    resource: n(d.resource),
                },
            ),
            Self::TaskSubmitted(d) => {
                map.serialize_entry("taskSubmittedEventDetails", &views::succeeded(d, &n, &t))
            }
            Self::TaskSucceeded(d) => {
                map.serialize_entry("taskSucceededEventDetails", &views::succeeded(d, &n, &t))
            }
            Self::TaskFailed(d) => {
                map.serialize_entry("taskFailedEventDetails", &views::failed(d, &n))
            }
            Self::TaskTimedOut(d) => {
                map.serialize_entry("taskTimedOutEventDetails", &views::failed(d, &n))
            }
            Self::MapStateStarted(d) => map.serialize_entry("mapStateStartedEventDetails", d),
            Self::MapIterationStarted(d) => {
                map.serialize_entry("mapIterationStartedEventDetails", &views::iteration(d, &n))
            }
            Self::MapIterationSucceeded(d) => map.serialize_entry(
                "mapIterationSucceededEventDetails",
                &views::iteration(d, &n),
            ),
            Self::MapIterationFailed(d) => {
                map.serialize_entry("mapIterationFailedEventDetails", &views::iteration(d, &n))
            }
            Self::MapIterationAborted(d) => {
                map.serialize_entry("mapIterationAbortedEventDetails", &views::iteration(d, &n))
            }
            Self::MapRunStarted(d) => map.serialize_entry("mapRunStartedEventDetails", d),
            Self::MapRunFailed(d) => map.serialize_entry("mapRunFailedEventDetails", d),
            Self::StateAborted(..)
            | Self::MapRunSucceeded
            | Self::LambdaFunctionStarted
            | Self::MapStateSucceeded
            | Self::MapStateFailed
            | Self::ParallelStateStarted
            | Self::ParallelStateFailed => Ok(()),
        }
    }
}

/// What serializing an event needs besides the event: the names its symbols stand for and
/// the execution's region.
struct Context<'a> {
    names: &'a Names,
    region: &'a str,
    history: &'a History,
}

/// The `*EventDetails` objects with names in place of symbols, in AWS's field order.
mod views {
    use super::{PayloadDetails, Sym, Text};
    use serde::Serialize;
    use std::borrow::Cow;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct StateEntered<'a> {
        pub name: &'a str,
        pub input: Cow<'a, str>,
        pub input_details: &'a PayloadDetails,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct StateExited<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub assigned_variables: Option<Assigned<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub assigned_variables_details: Option<&'a PayloadDetails>,
        pub name: &'a str,
        pub output: Cow<'a, str>,
        pub output_details: &'a PayloadDetails,
    }

    /// `assignedVariables`: name to the value's JSON text, in assignment order.
    pub struct Assigned<'a>(pub &'a [(String, String)]);

    impl Serialize for Assigned<'_> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap as _;
            let mut map = serializer.serialize_map(Some(self.0.len()))?;
            for (name, text) in self.0 {
                map.serialize_entry(name, text)?;
            }
            map.end()
        }
    }

    #[derive(Serialize)]
    pub struct EvaluationFailed<'a> {
        pub cause: &'a str,
        pub error: &'a str,
        pub location: &'a str,
        pub state: &'a str,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct LambdaScheduled<'a> {
        pub resource: &'a str,
        pub input: Cow<'a, str>,
        pub input_details: &'a PayloadDetails,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub timeout_in_seconds: Option<u64>,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct TaskScheduled<'a> {
        pub resource_type: &'a str,
        pub resource: &'a str,
        pub region: &'a str,
        pub parameters: Cow<'a, str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub timeout_in_seconds: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub heartbeat_in_seconds: Option<u64>,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct TaskResource<'a> {
        pub resource_type: &'a str,
        pub resource: &'a str,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct TaskSucceeded<'a> {
        pub resource_type: &'a str,
        pub resource: &'a str,
        pub output: Cow<'a, str>,
        pub output_details: &'a PayloadDetails,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct TaskFailed<'a> {
        pub resource_type: &'a str,
        pub resource: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub error: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub cause: Option<&'a str>,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ExecutionStarted<'a> {
        pub input: Cow<'a, str>,
        pub input_details: &'a PayloadDetails,
        pub role_arn: &'a str,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Output<'a> {
        pub output: Cow<'a, str>,
        pub output_details: &'a PayloadDetails,
    }

    pub fn output<'a>(d: &'a super::Output, t: &impl Fn(&'a Text) -> Cow<'a, str>) -> Output<'a> {
        Output {
            output: t(&d.output),
            output_details: &d.output_details,
        }
    }

    pub fn succeeded<'a>(
        d: &'a super::TaskSucceeded,
        n: &impl Fn(Sym) -> &'a str,
        t: &impl Fn(&'a Text) -> Cow<'a, str>,
    ) -> TaskSucceeded<'a> {
        TaskSucceeded {
            resource_type: n(d.resource_type),
            resource: n(d.resource),
            output: t(&d.output),
            output_details: &d.output_details,
        }
    }

    #[derive(Serialize)]
    pub struct MapIteration<'a> {
        pub name: &'a str,
        pub index: usize,
    }

    pub fn iteration<'a>(d: &super::MapIteration, n: &impl Fn(Sym) -> &'a str) -> MapIteration<'a> {
        MapIteration {
            name: n(d.name),
            index: d.index,
        }
    }

    pub fn failed<'a>(d: &'a super::TaskFailed, n: &impl Fn(Sym) -> &'a str) -> TaskFailed<'a> {
        TaskFailed {
            resource_type: n(d.resource_type),
            resource: n(d.resource),
            error: d.error.as_deref(),
            cause: d.cause.as_deref(),
        }
    }
}

/// One history event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEvent {
    /// When it happened, on the virtual clock.
    pub timestamp: DateTime<Utc>,
    /// Its number in the history, from 1.
    pub id: u64,
    /// The event it follows from (0 for the first), as AWS links them.
    pub previous_event_id: u64,
    /// What happened, with the details as the engine stores them ([`History::to_json`]
    /// writes them as AWS does).
    pub(crate) kind: EventKind,
}

impl HistoryEvent {
    /// AWS's event type: `ExecutionStarted`, `TaskStateEntered`, `MapIterationAborted`, ...
    pub fn type_name(&self) -> String {
        self.kind.type_name()
    }
}

/// An event with what its serialization needs.
struct EventView<'a> {
    event: &'a HistoryEvent,
    at: &'a Context<'a>,
}

impl Serialize for EventView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let e = self.event;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(
            "timestamp",
            &e.timestamp.to_rfc3339_opts(SecondsFormat::Millis, true),
        )?;
        map.serialize_entry("type", &e.kind.type_name())?;
        map.serialize_entry("id", &e.id)?;
        map.serialize_entry("previousEventId", &e.previous_event_id)?;
        e.kind.serialize_details(&mut map, self.at)?;
        map.end()
    }
}

/// Makes room in `list` for `more` items beyond its capacity (at most [`MAX_HISTORY_EVENTS`]
/// in all), moving its items into a new allocation rather than `reserve`'s reallocation,
/// which copies the whole old capacity where only a few items are in use yet.
fn grow_to<T>(list: &mut Vec<T>, more: usize) {
    let target = list.capacity().saturating_add(more).min(MAX_HISTORY_EVENTS);
    if target <= list.capacity() {
        return;
    }
    let mut grown = Vec::with_capacity(target);
    grown.append(list);
    *list = grown;
}

/// The whole history, serialized as AWS's `{"events": [...]}` response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// The events, in order.
    pub events: Vec<HistoryEvent>,
    /// The names the events' symbols stand for (the program's).
    pub(crate) names: Names,
    /// The execution's region (`taskScheduledEventDetails.region`).
    pub(crate) region: Shared,
    /// The texts the events' payloads name.
    pub(crate) texts: Texts,
}

impl Serialize for History {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let at = Context {
            names: &self.names,
            region: self.region.as_str(),
            history: self,
        };
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(
            "events",
            &Events {
                history: self,
                at: &at,
            },
        )?;
        map.end()
    }
}

struct Events<'a> {
    history: &'a History,
    at: &'a Context<'a>,
}

impl Serialize for Events<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.history
                .events
                .iter()
                .map(|event| EventView { event, at: self.at }),
        )
    }
}

impl History {
    /// How many events there are.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// An empty history with room for `events` events, whose events name things by `names`
    /// and run in `region`.
    pub(crate) fn with_capacity(events: usize, names: Names, region: Shared) -> Self {
        Self {
            events: Vec::with_capacity(events),
            names,
            region,
            texts: Texts::with_capacity(events / 2),
        }
    }

    /// Keeps a text of this execution for its events to carry.
    pub(crate) fn add_text(&mut self, text: String) -> Text {
        self.texts.keep(text)
    }

    /// How many bytes this execution allocated for its payload texts (texts made from others
    /// share their runs: a text counts its new bytes only).
    pub fn text_bytes(&self) -> usize {
        self.texts.bytes()
    }

    /// Makes room for `more` events beyond the room already made (Maps that start together
    /// each add theirs), and for their texts, never past the history limit (so a huge Map's
    /// estimate reserves at most [`MAX_HISTORY_EVENTS`] of them).
    pub(crate) fn reserve_events(&mut self, more: usize) {
        grow_to(&mut self.events, more);
        self.texts.reserve(more / 2, MAX_HISTORY_EVENTS);
    }

    /// Appends an event and returns its id (ids start at 1, as on AWS).
    pub(crate) fn push(&mut self, timestamp: DateTime<Utc>, previous: u64, kind: EventKind) -> u64 {
        let id = self.events.len() as u64 + 1;
        self.events.push(HistoryEvent {
            timestamp,
            id,
            previous_event_id: previous,
            kind,
        });
        id
    }

    /// The events as `(type, state name)` pairs, the state name only where AWS's event names a
    /// state (`*StateEntered`, `*StateExited`): the form the conformance corpus records.
    pub(crate) fn sequence(&self) -> impl Iterator<Item = (String, Option<&str>)> + '_ {
        self.events.iter().map(|e| {
            let state = match &e.kind {
                EventKind::StateEntered(_, d) => Some(self.names.get(d.name)),
                EventKind::StateExited(_, d) => Some(self.names.get(d.name)),
                _ => None,
            };
            (e.kind.type_name(), state)
        })
    }

    /// A lower bound of the length of [`Self::to_json`]'s text, found from the lengths of the
    /// payloads without writing them (escaping only adds to it).
    pub fn json_len_at_least(&self) -> u64 {
        let t = |x: &Text| self.texts.len(x) as u64;
        self.events
            .iter()
            .map(|e| {
                // An event's fixed part (timestamp, type, ids, the details' names) is at least
                // this long in pretty JSON.
                100 + match &e.kind {
                    EventKind::ExecutionStarted(d) => t(&d.input),
                    EventKind::ExecutionSucceeded(d) | EventKind::LambdaFunctionSucceeded(d) => {
                        t(&d.output)
                    }
                    EventKind::StateEntered(_, d) => t(&d.input),
                    EventKind::StateExited(_, d) => t(&d.output),
                    EventKind::LambdaFunctionScheduled(d) => t(&d.input),
                    EventKind::TaskScheduled(d) => t(&d.parameters),
                    EventKind::TaskSubmitted(d) | EventKind::TaskSucceeded(d) => t(&d.output),
                    _ => 0,
                }
            })
            .sum()
    }

    /// Whether the history can be written out: `flowc::sim::history_too_large` when its JSON
    /// would pass 1 GiB, `MAX_HISTORY_JSON_BYTES` (found from the payloads' lengths, without
    /// writing anything).
    pub fn check_json_len(&self) -> Result<(), crate::SimError> {
        let bytes = self.json_len_at_least();
        if bytes > MAX_HISTORY_JSON_BYTES {
            return Err(crate::SimError::HistoryTooLarge {
                bytes,
                events: self.events.len(),
                limit_mib: MAX_HISTORY_JSON_BYTES / (1024 * 1024),
            });
        }
        Ok(())
    }

    /// Writes [`Self::to_json`]'s text and a newline to `out` as it is made: one payload at a
    /// time is made contiguous, never the whole text. Stops with an error past
    /// `MAX_HISTORY_JSON_BYTES` (which [`Self::check_json_len`] tells beforehand, unless
    /// escaping makes the text longer than its payloads).
    pub fn write_json(&self, out: impl std::io::Write) -> std::io::Result<()> {
        let mut capped = Capped {
            out: std::io::BufWriter::with_capacity(1 << 16, out),
            written: 0,
        };
        serde_json::to_writer_pretty(&mut capped, self).map_err(std::io::Error::from)?;
        std::io::Write::write_all(&mut capped, b"\n")?;
        std::io::Write::flush(&mut capped)
    }

    /// Pretty JSON, the shape `aws stepfunctions get-execution-history` prints (the whole text
    /// in memory: [`Self::write_json`] writes it out without holding it).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| String::from("{\"events\":[]}"))
    }
}

/// A writer that refuses to pass [`MAX_HISTORY_JSON_BYTES`].
struct Capped<W> {
    out: W,
    written: u64,
}

impl<W: std::io::Write> std::io::Write for Capped<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.written = self.written.saturating_add(buf.len() as u64);
        if self.written > MAX_HISTORY_JSON_BYTES {
            return Err(std::io::Error::other(format!(
                "the history's JSON passed flowc's limit of {} MiB (flowc::sim::history_too_large)",
                MAX_HISTORY_JSON_BYTES / (1024 * 1024)
            )));
        }
        self.out.write_all(buf).map(|()| buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::default_start;

    #[test]
    fn events_serialize_in_aws_shape() {
        let mut h = History::with_capacity(2, Names::new(vec!["P".into()]), "us-east-1".into());
        let first = h.push(
            default_start(),
            0,
            EventKind::StateEntered(
                "Pass",
                StateEntered {
                    name: Sym(0),
                    input: Payload::from("{}").into(),
                    input_details: NOT_TRUNCATED,
                },
            ),
        );
        h.push(
            default_start(),
            first,
            EventKind::ExecutionFailed(ErrorCause {
                error: Some("E".into()),
                cause: None,
            }),
        );
        let v: serde_json::Value = serde_json::from_str(&h.to_json()).unwrap_or_default();
        assert_eq!(v["events"][0]["type"], "PassStateEntered");
        assert_eq!(v["events"][0]["timestamp"], "2024-01-01T00:00:00.000Z");
        assert_eq!(v["events"][0]["stateEnteredEventDetails"]["name"], "P");
        assert_eq!(
            v["events"][0]["stateEnteredEventDetails"]["inputDetails"]["truncated"],
            false
        );
        assert_eq!(v["events"][1]["previousEventId"], 1);
        assert_eq!(v["events"][1]["id"], 2);
        assert_eq!(
            v["events"][1]["executionFailedEventDetails"],
            serde_json::json!({"error": "E"})
        );
    }
}
