//! Talking to AWS Step Functions (feature `aws`, on by default): validate a definition, run it,
//! fetch an execution's history. The SDK's standard configuration applies: credentials chain,
//! region, profile, `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT_URL_SFN`), `AWS_MAX_ATTEMPTS`, and its
//! retries with backoff (throttling included). Errors become [`AwsError`]s a user can act on.

mod error;
mod findings;
mod history;

pub use error::AwsError;
pub use findings::{AwsFinding, locate};
pub use history::event_json;

use aws_config::BehaviorVersion;
use aws_sdk_sfn::Client;
use aws_sdk_sfn::types::ExecutionStatus;
use serde_json::{Map, Value};

/// Where to connect, as the command line says (each `None` falls back to the SDK's chain).
#[derive(Debug, Clone, Default)]
pub struct Connection {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
}

/// A Step Functions client from the SDK's configuration chain.
pub async fn client(connection: &Connection) -> Result<Client, AwsError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(
        aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https(),
    );
    if let Some(profile) = &connection.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &connection.region {
        loader = loader.region(aws_config::Region::new(region.clone()));
    }
    if let Some(url) = &connection.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return Err(AwsError::NoRegion);
    }
    Ok(Client::new(&config))
}

/// One diagnostic ValidateStateMachineDefinition returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsDiagnostic {
    /// `ERROR` or `WARNING`.
    pub severity: String,
    /// AWS's code (`SCHEMA_VALIDATION_FAILED`, ...).
    pub code: String,
    pub message: String,
    /// AWS's location (`/States/Charge/Next`), when it gives one.
    pub location: Option<String>,
}

/// ValidateStateMachineDefinition on `definition` (ASL JSON text).
pub async fn validate(client: &Client, definition: &str) -> Result<Vec<AwsDiagnostic>, AwsError> {
    let out = client
        .validate_state_machine_definition()
        .definition(definition)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("ValidateStateMachineDefinition", e))?;
    Ok(out
        .diagnostics()
        .iter()
        .map(|d| AwsDiagnostic {
            severity: d.severity().as_str().to_string(),
            code: d.code().to_string(),
            message: d.message().to_string(),
            location: d.location().map(str::to_owned),
        })
        .collect())
}

/// Creates the scratch state machine `name` with `definition`, or updates it when it exists;
/// its ARN.
pub async fn put_state_machine(
    client: &Client,
    name: &str,
    definition: &str,
    role_arn: &str,
) -> Result<String, AwsError> {
    let created = client
        .create_state_machine()
        .name(name)
        .definition(definition)
        .role_arn(role_arn)
        .send()
        .await;
    match created {
        Ok(out) => Ok(out.state_machine_arn().to_string()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_state_machine_already_exists()) =>
        {
            // Its ARN, from the list (the error names it only in prose).
            let arn = find_state_machine(client, name)
                .await?
                .ok_or_else(|| AwsError::Service {
                    action: "CreateStateMachine".into(),
                    code: "StateMachineAlreadyExists".into(),
                    message: format!("`{name}` exists but ListStateMachines does not show it"),
                })?;
            client
                .update_state_machine()
                .state_machine_arn(&arn)
                .definition(definition)
                .role_arn(role_arn)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("UpdateStateMachine", e))?;
            Ok(arn)
        }
        Err(e) => Err(AwsError::from_sdk("CreateStateMachine", e)),
    }
}

async fn find_state_machine(client: &Client, name: &str) -> Result<Option<String>, AwsError> {
    let mut pages = client.list_state_machines().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("ListStateMachines", e))?;
        if let Some(found) = page.state_machines().iter().find(|m| m.name() == name) {
            return Ok(Some(found.state_machine_arn().to_string()));
        }
    }
    Ok(None)
}

/// StartExecution; the execution's ARN.
pub async fn start(client: &Client, machine_arn: &str, input: &str) -> Result<String, AwsError> {
    client
        .start_execution()
        .state_machine_arn(machine_arn)
        .input(input)
        .send()
        .await
        .map(|out| out.execution_arn().to_string())
        .map_err(|e| AwsError::from_sdk("StartExecution", e))
}

/// Every event of an execution, oldest first, every page of GetExecutionHistory, as
/// GetExecutionHistory's JSON (`{"events": [...]}`).
pub async fn history(client: &Client, execution_arn: &str) -> Result<Value, AwsError> {
    let mut events = Vec::new();
    let mut pages = client
        .get_execution_history()
        .execution_arn(execution_arn)
        .include_execution_data(true)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("GetExecutionHistory", e))?;
        events.extend(page.events().iter().map(event_json));
    }
    let mut m = Map::new();
    m.insert("events".into(), Value::Array(events));
    Ok(Value::Object(m))
}

/// Where a running execution is, for the progress line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Progress {
    /// States entered so far.
    pub entered: usize,
    /// The state entered last.
    pub current: Option<String>,
    /// The newest event counted (its id).
    pub last_event: i64,
}

impl Progress {
    /// Counts one event (GetExecutionHistory's JSON), oldest first.
    fn count(&mut self, event: &Value) {
        if let Some(id) = event["id"].as_i64() {
            self.last_event = self.last_event.max(id);
        }
        if event["type"]
            .as_str()
            .is_some_and(|t| t.ends_with("StateEntered"))
        {
            self.entered += 1;
            self.current = event["stateEnteredEventDetails"]["name"]
                .as_str()
                .map(str::to_owned);
        }
    }
}

/// Reads the progress off a history's events.
pub fn progress(history: &Value) -> Progress {
    let mut p = Progress::default();
    for e in history["events"].as_array().into_iter().flatten() {
        p.count(e);
    }
    p
}

/// How many events a page of [`follow`] asks for.
const FOLLOW_PAGE: i32 = 100;

/// Brings `progress` up to date with the events written since it was last updated: pages of
/// GetExecutionHistory newest first, without execution data, down to the first event already
/// counted. A poll costs one small page however long the history is; the whole history (with
/// its data) is fetched once, by [`history`], when the execution has ended.
pub async fn follow(
    client: &Client,
    execution_arn: &str,
    progress: &mut Progress,
) -> Result<(), AwsError> {
    let mut fresh = Vec::new();
    let mut pages = client
        .get_execution_history()
        .execution_arn(execution_arn)
        .reverse_order(true)
        .include_execution_data(false)
        .max_results(FOLLOW_PAGE)
        .into_paginator()
        .send();
    'pages: while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("GetExecutionHistory", e))?;
        for event in page.events() {
            if event.id() <= progress.last_event {
                break 'pages;
            }
            fresh.push(event_json(event));
        }
    }
    for event in fresh.iter().rev() {
        progress.count(event);
    }
    Ok(())
}

/// An execution's status, and when it ended its status in the words `flowc simulate` uses.
pub async fn status(client: &Client, execution_arn: &str) -> Result<ExecutionStatus, AwsError> {
    client
        .describe_execution()
        .execution_arn(execution_arn)
        .send()
        .await
        .map(|out| out.status().clone())
        .map_err(|e| AwsError::from_sdk("DescribeExecution", e))
}

/// The result object `flowc simulate` prints, from a finished execution's history:
/// `status`, `output` or `error` and `cause`, `duration_seconds`, `events`, `transitions`
/// (states entered: AWS's billing unit counts each state's transition).
pub fn result_object(history: &Value) -> Value {
    let events = history["events"].as_array().cloned().unwrap_or_default();
    let mut m = Map::new();
    let last = events.last().cloned().unwrap_or(Value::Null);
    let kind = last["type"].as_str().unwrap_or_default();
    let status = match kind {
        "ExecutionSucceeded" => "SUCCEEDED",
        "ExecutionFailed" => "FAILED",
        "ExecutionTimedOut" => "TIMED_OUT",
        "ExecutionAborted" => "ABORTED",
        _ => "RUNNING",
    };
    m.insert("status".into(), status.into());
    let details = last
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| k.ends_with("EventDetails")))
        .map(|(_, v)| v.clone())
        .unwrap_or(Value::Null);
    if status == "SUCCEEDED" {
        let output = details["output"]
            .as_str()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or(Value::Null);
        m.insert("output".into(), output);
    } else {
        m.insert("error".into(), details["error"].clone());
        m.insert("cause".into(), details["cause"].clone());
    }
    let time = |e: Option<&Value>| {
        e.and_then(|e| e["timestamp"].as_str())
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.timestamp_millis())
    };
    let duration = match (time(events.first()), time(events.last())) {
        (Some(a), Some(b)) => (b - a) as f64 / 1000.0,
        _ => 0.0,
    };
    m.insert("duration_seconds".into(), duration.into());
    m.insert("events".into(), events.len().into());
    m.insert("transitions".into(), progress(history).entered.into());
    Value::Object(m)
}

#[cfg(test)]
mod tests;
