//! GetExecutionHistory's events, from the SDK's types to the JSON `flowc simulate --history`
//! writes (AWS's member names; timestamps in RFC 3339 with milliseconds), so `flowc replay`
//! reads both the same way.

use aws_sdk_sfn::types::{HistoryEvent, HistoryEventExecutionDataDetails};
use serde_json::{Map, Value};

/// One details object under construction: members in AWS's order, absent ones left out.
#[derive(Default)]
struct Details(Map<String, Value>);

impl Details {
    fn text(mut self, key: &str, value: Option<&str>) -> Self {
        if let Some(v) = value {
            self.0.insert(key.into(), v.into());
        }
        self
    }

    fn number(mut self, key: &str, value: Option<i64>) -> Self {
        if let Some(v) = value {
            self.0.insert(key.into(), v.into());
        }
        self
    }

    fn data(mut self, key: &str, value: Option<&HistoryEventExecutionDataDetails>) -> Self {
        if let Some(v) = value {
            let mut m = Map::new();
            m.insert("truncated".into(), v.truncated().into());
            self.0.insert(key.into(), Value::Object(m));
        }
        self
    }
}

/// The event as GetExecutionHistory's JSON.
pub fn event_json(event: &HistoryEvent) -> Value {
    let mut m = Map::new();
    let ts = event.timestamp();
    let millis = ts.secs() * 1000 + i64::from(ts.subsec_nanos() / 1_000_000);
    let timestamp = chrono::DateTime::from_timestamp_millis(millis)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default();
    m.insert("timestamp".into(), timestamp.into());
    m.insert("type".into(), event.r#type().as_str().into());
    m.insert("id".into(), event.id().into());
    m.insert("previousEventId".into(), event.previous_event_id().into());
    if let Some((key, details)) = details(event) {
        m.insert(key.into(), Value::Object(details.0));
    }
    Value::Object(m)
}

macro_rules! error_cause {
    ($d:expr) => {
        Details::default()
            .text("error", $d.error())
            .text("cause", $d.cause())
    };
}

macro_rules! task_error {
    ($d:expr) => {
        Details::default()
            .text("resourceType", Some($d.resource_type()))
            .text("resource", Some($d.resource()))
            .text("error", $d.error())
            .text("cause", $d.cause())
    };
}

fn details(e: &HistoryEvent) -> Option<(&'static str, Details)> {
    let d = Details::default();
    if let Some(x) = e.execution_started_event_details() {
        return Some((
            "executionStartedEventDetails",
            d.text("input", x.input())
                .data("inputDetails", x.input_details())
                .text("roleArn", x.role_arn())
                .text("stateMachineAliasArn", x.state_machine_alias_arn())
                .text("stateMachineVersionArn", x.state_machine_version_arn()),
        ));
    }
    if let Some(x) = e.execution_succeeded_event_details() {
        return Some((
            "executionSucceededEventDetails",
            d.text("output", x.output())
                .data("outputDetails", x.output_details()),
        ));
    }
    if let Some(x) = e.execution_failed_event_details() {
        return Some(("executionFailedEventDetails", error_cause!(x)));
    }
    if let Some(x) = e.execution_aborted_event_details() {
        return Some(("executionAbortedEventDetails", error_cause!(x)));
    }
    if let Some(x) = e.execution_timed_out_event_details() {
        return Some(("executionTimedOutEventDetails", error_cause!(x)));
    }
    if let Some(x) = e.state_entered_event_details() {
        return Some((
            "stateEnteredEventDetails",
            d.text("name", Some(x.name()))
                .text("input", x.input())
                .data("inputDetails", x.input_details()),
        ));
    }
    if let Some(x) = e.state_exited_event_details() {
        let mut d = d
            .text("name", Some(x.name()))
            .text("output", x.output())
            .data("outputDetails", x.output_details());
        if let Some(vars) = x.assigned_variables() {
            // Sorted: the SDK holds them in a hash map.
            let sorted: std::collections::BTreeMap<&String, &String> = vars.iter().collect();
            let vars: Map<String, Value> = sorted
                .into_iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            d.0.insert("assignedVariables".into(), Value::Object(vars));
        }
        return Some(("stateExitedEventDetails", d));
    }
    if let Some(x) = e.task_scheduled_event_details() {
        return Some((
            "taskScheduledEventDetails",
            d.text("resourceType", Some(x.resource_type()))
                .text("resource", Some(x.resource()))
                .text("region", Some(x.region()))
                .text("parameters", Some(x.parameters()))
                .number("timeoutInSeconds", x.timeout_in_seconds())
                .number("heartbeatInSeconds", x.heartbeat_in_seconds()),
        ));
    }
    if let Some(x) = e.task_started_event_details() {
        return Some((
            "taskStartedEventDetails",
            d.text("resourceType", Some(x.resource_type()))
                .text("resource", Some(x.resource())),
        ));
    }
    if let Some(x) = e.task_submitted_event_details() {
        return Some((
            "taskSubmittedEventDetails",
            d.text("resourceType", Some(x.resource_type()))
                .text("resource", Some(x.resource()))
                .text("output", x.output())
                .data("outputDetails", x.output_details()),
        ));
    }
    if let Some(x) = e.task_succeeded_event_details() {
        return Some((
            "taskSucceededEventDetails",
            d.text("resourceType", Some(x.resource_type()))
                .text("resource", Some(x.resource()))
                .text("output", x.output())
                .data("outputDetails", x.output_details()),
        ));
    }
    if let Some(x) = e.task_failed_event_details() {
        return Some(("taskFailedEventDetails", task_error!(x)));
    }
    if let Some(x) = e.task_timed_out_event_details() {
        return Some(("taskTimedOutEventDetails", task_error!(x)));
    }
    if let Some(x) = e.task_start_failed_event_details() {
        return Some(("taskStartFailedEventDetails", task_error!(x)));
    }
    if let Some(x) = e.task_submit_failed_event_details() {
        return Some(("taskSubmitFailedEventDetails", task_error!(x)));
    }
    if let Some(x) = e.lambda_function_scheduled_event_details() {
        return Some((
            "lambdaFunctionScheduledEventDetails",
            d.text("resource", Some(x.resource()))
                .text("input", x.input())
                .data("inputDetails", x.input_details())
                .number("timeoutInSeconds", x.timeout_in_seconds()),
        ));
    }
    if let Some(x) = e.lambda_function_succeeded_event_details() {
        return Some((
            "lambdaFunctionSucceededEventDetails",
            d.text("output", x.output())
                .data("outputDetails", x.output_details()),
        ));
    }
    if let Some(x) = e.lambda_function_failed_event_details() {
        return Some(("lambdaFunctionFailedEventDetails", error_cause!(x)));
    }
    if let Some(x) = e.lambda_function_timed_out_event_details() {
        return Some(("lambdaFunctionTimedOutEventDetails", error_cause!(x)));
    }
    if let Some(x) = e.lambda_function_start_failed_event_details() {
        return Some(("lambdaFunctionStartFailedEventDetails", error_cause!(x)));
    }
    if let Some(x) = e.lambda_function_schedule_failed_event_details() {
        return Some(("lambdaFunctionScheduleFailedEventDetails", error_cause!(x)));
    }
    if let Some(x) = e.activity_scheduled_event_details() {
        return Some((
            "activityScheduledEventDetails",
            d.text("resource", Some(x.resource()))
                .text("input", x.input())
                .data("inputDetails", x.input_details())
                .number("timeoutInSeconds", x.timeout_in_seconds())
                .number("heartbeatInSeconds", x.heartbeat_in_seconds()),
        ));
    }
    if let Some(x) = e.activity_started_event_details() {
        return Some((
            "activityStartedEventDetails",
            d.text("workerName", x.worker_name()),
        ));
    }
    if let Some(x) = e.activity_succeeded_event_details() {
        return Some((
            "activitySucceededEventDetails",
            d.text("output", x.output())
                .data("outputDetails", x.output_details()),
        ));
    }
    if let Some(x) = e.activity_failed_event_details() {
        return Some(("activityFailedEventDetails", error_cause!(x)));
    }
    if let Some(x) = e.activity_timed_out_event_details() {
        return Some(("activityTimedOutEventDetails", error_cause!(x)));
    }
    if let Some(x) = e.activity_schedule_failed_event_details() {
        return Some(("activityScheduleFailedEventDetails", error_cause!(x)));
    }
    if let Some(x) = e.map_state_started_event_details() {
        return Some((
            "mapStateStartedEventDetails",
            d.number("length", Some(i64::from(x.length()))),
        ));
    }
    for (key, x) in [
        (
            "mapIterationStartedEventDetails",
            e.map_iteration_started_event_details(),
        ),
        (
            "mapIterationSucceededEventDetails",
            e.map_iteration_succeeded_event_details(),
        ),
        (
            "mapIterationFailedEventDetails",
            e.map_iteration_failed_event_details(),
        ),
        (
            "mapIterationAbortedEventDetails",
            e.map_iteration_aborted_event_details(),
        ),
    ] {
        if let Some(x) = x {
            return Some((
                key,
                Details::default()
                    .text("name", x.name())
                    .number("index", Some(i64::from(x.index()))),
            ));
        }
    }
    if let Some(x) = e.map_run_started_event_details() {
        return Some((
            "mapRunStartedEventDetails",
            d.text("mapRunArn", x.map_run_arn()),
        ));
    }
    if let Some(x) = e.map_run_failed_event_details() {
        return Some(("mapRunFailedEventDetails", error_cause!(x)));
    }
    if let Some(x) = e.evaluation_failed_event_details() {
        return Some((
            "evaluationFailedEventDetails",
            d.text("error", x.error())
                .text("cause", x.cause())
                .text("location", x.location())
                .text("state", Some(x.state())),
        ));
    }
    None
}
