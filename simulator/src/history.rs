//! Execution history in the shape of AWS `GetExecutionHistory`: one typed enum variant per event
//! type, serialized with AWS's field names (`timestamp`, `type`, `id`, `previousEventId` and one
//! `*EventDetails` object). Payloads are JSON text, as AWS reports them.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use std::sync::Arc;

/// AWS's limit on history length; the event that would exceed it fails the execution.
pub const MAX_HISTORY_EVENTS: usize = 25_000;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PayloadDetails {
    pub truncated: bool,
}

const NOT_TRUNCATED: PayloadDetails = PayloadDetails { truncated: false };

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionStarted {
    pub input: Payload,
    pub input_details: PayloadDetails,
    pub role_arn: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub output: Payload,
    pub output_details: PayloadDetails,
}

impl Output {
    pub fn new(output: Payload) -> Self {
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shared(Arc<str>);

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

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StateEntered {
    pub name: Shared,
    pub input: Payload,
    pub input_details: PayloadDetails,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StateExited {
    pub name: Shared,
    pub output: Payload,
    pub output_details: PayloadDetails,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LambdaScheduled {
    pub resource: Shared,
    pub input: Payload,
    pub input_details: PayloadDetails,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_in_seconds: Option<u64>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TaskScheduled {
    pub resource_type: Shared,
    pub resource: Shared,
    pub region: Shared,
    pub parameters: Payload,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_in_seconds: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heartbeat_in_seconds: Option<u64>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TaskResource {
    pub resource_type: Shared,
    pub resource: Shared,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TaskSucceeded {
    pub resource_type: Shared,
    pub resource: Shared,
    pub output: Payload,
    pub output_details: PayloadDetails,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TaskFailed {
    pub resource_type: Shared,
    pub resource: Shared,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MapStarted {
    pub length: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MapIteration {
    pub name: String,
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
    ParallelStateStarted,
    ParallelStateSucceeded,
    ParallelStateFailed,
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
            Self::ParallelStateStarted => "ParallelStateStarted",
            Self::ParallelStateSucceeded => "ParallelStateSucceeded",
            Self::ParallelStateFailed => "ParallelStateFailed",
        };
        fixed.to_string()
    }

    /// Writes the `*EventDetails` entry, when the event type has one.
    fn serialize_details<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        match self {
            Self::ExecutionStarted(d) => map.serialize_entry("executionStartedEventDetails", d),
            Self::ExecutionSucceeded(d) => map.serialize_entry("executionSucceededEventDetails", d),
            Self::ExecutionFailed(d) => map.serialize_entry("executionFailedEventDetails", d),
            Self::ExecutionTimedOut(d) => map.serialize_entry("executionTimedOutEventDetails", d),
            Self::StateEntered(_, d) => map.serialize_entry("stateEnteredEventDetails", d),
            Self::StateExited(_, d) => map.serialize_entry("stateExitedEventDetails", d),
            Self::LambdaFunctionScheduled(d) => {
                map.serialize_entry("lambdaFunctionScheduledEventDetails", d)
            }
            Self::LambdaFunctionSucceeded(d) => {
                map.serialize_entry("lambdaFunctionSucceededEventDetails", d)
            }
            Self::LambdaFunctionFailed(d) => {
                map.serialize_entry("lambdaFunctionFailedEventDetails", d)
            }
            Self::LambdaFunctionTimedOut(d) => {
                map.serialize_entry("lambdaFunctionTimedOutEventDetails", d)
            }
            Self::TaskScheduled(d) => map.serialize_entry("taskScheduledEventDetails", d),
            Self::TaskStarted(d) => map.serialize_entry("taskStartedEventDetails", d),
            Self::TaskSubmitted(d) => map.serialize_entry("taskSubmittedEventDetails", d),
            Self::TaskSucceeded(d) => map.serialize_entry("taskSucceededEventDetails", d),
            Self::TaskFailed(d) => map.serialize_entry("taskFailedEventDetails", d),
            Self::TaskTimedOut(d) => map.serialize_entry("taskTimedOutEventDetails", d),
            Self::MapStateStarted(d) => map.serialize_entry("mapStateStartedEventDetails", d),
            Self::MapIterationStarted(d) => {
                map.serialize_entry("mapIterationStartedEventDetails", d)
            }
            Self::MapIterationSucceeded(d) => {
                map.serialize_entry("mapIterationSucceededEventDetails", d)
            }
            Self::MapIterationFailed(d) => map.serialize_entry("mapIterationFailedEventDetails", d),
            Self::MapIterationAborted(d) => {
                map.serialize_entry("mapIterationAbortedEventDetails", d)
            }
            Self::LambdaFunctionStarted
            | Self::MapStateSucceeded
            | Self::MapStateFailed
            | Self::ParallelStateStarted
            | Self::ParallelStateSucceeded
            | Self::ParallelStateFailed => Ok(()),
        }
    }
}

/// One history event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEvent {
    pub timestamp: DateTime<Utc>,
    pub id: u64,
    pub previous_event_id: u64,
    pub kind: EventKind,
}

impl Serialize for HistoryEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(
            "timestamp",
            &self.timestamp.to_rfc3339_opts(SecondsFormat::Millis, true),
        )?;
        map.serialize_entry("type", &self.kind.type_name())?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("previousEventId", &self.previous_event_id)?;
        self.kind.serialize_details(&mut map)?;
        map.end()
    }
}

/// The whole history, serialized as AWS's `{"events": [...]}` response.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct History {
    pub events: Vec<HistoryEvent>,
}

impl History {
    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// An empty history with room for `events` events.
    pub fn with_capacity(events: usize) -> Self {
        Self {
            events: Vec::with_capacity(events),
        }
    }

    /// Appends an event and returns its id (ids start at 1, as on AWS).
    pub fn push(&mut self, timestamp: DateTime<Utc>, previous: u64, kind: EventKind) -> u64 {
        let id = self.events.len() as u64 + 1;
        self.events.push(HistoryEvent {
            timestamp,
            id,
            previous_event_id: previous,
            kind,
        });
        id
    }

    /// Pretty JSON, the shape `aws stepfunctions get-execution-history` prints.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| String::from("{\"events\":[]}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::default_start;

    #[test]
    fn events_serialize_in_aws_shape() {
        let mut h = History::default();
        let first = h.push(
            default_start(),
            0,
            EventKind::StateEntered(
                "Pass",
                StateEntered {
                    name: "P".into(),
                    input: "{}".into(),
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
