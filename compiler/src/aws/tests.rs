//! The SDK calls against aws-smithy-mocks' stub client (no network): pagination of
//! GetExecutionHistory, the SDK's retries of throttling, and the mapping of errors to what a
//! user is told.

use super::*;
use aws_sdk_sfn::error::ErrorMetadata;
use aws_sdk_sfn::operation::get_execution_history::{
    GetExecutionHistoryError, GetExecutionHistoryOutput,
};
use aws_sdk_sfn::operation::start_execution::{StartExecutionError, StartExecutionOutput};
use aws_sdk_sfn::primitives::DateTime;
use aws_sdk_sfn::types::{
    ExecutionStartedEventDetails, HistoryEvent, HistoryEventType, StateEnteredEventDetails,
};
use aws_smithy_mocks::{RuleMode, mock, mock_client};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"))
}

fn event(id: i64, kind: HistoryEventType) -> HistoryEvent {
    let mut e = HistoryEvent::builder()
        .id(id)
        .previous_event_id(id - 1)
        .timestamp(DateTime::from_millis(1_700_000_000_000 + id * 1500))
        .r#type(kind.clone());
    if kind == HistoryEventType::ExecutionStarted {
        e = e.execution_started_event_details(
            ExecutionStartedEventDetails::builder()
                .input("{\"a\":1}")
                .role_arn("arn:aws:iam::1:role/r")
                .build(),
        );
    }
    if kind == HistoryEventType::PassStateEntered {
        e = e.state_entered_event_details(
            StateEnteredEventDetails::builder()
                .name(format!("P{id}"))
                .input("{}")
                .build()
                .unwrap_or_else(|e| panic!("{e}")),
        );
    }
    e.build().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn history_follows_every_page_and_writes_simulate_s_json() {
    let first = mock!(Client::get_execution_history)
        .match_requests(|r| r.next_token().is_none() && r.include_execution_data() == Some(true))
        .then_output(|| {
            GetExecutionHistoryOutput::builder()
                .events(event(1, HistoryEventType::ExecutionStarted))
                .events(event(2, HistoryEventType::PassStateEntered))
                .next_token("page-2")
                .build()
                .unwrap_or_else(|e| panic!("{e}"))
        });
    let second = mock!(Client::get_execution_history)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(|| {
            GetExecutionHistoryOutput::builder()
                .events(event(3, HistoryEventType::PassStateEntered))
                .build()
                .unwrap_or_else(|e| panic!("{e}"))
        });
    let client = mock_client!(aws_sdk_sfn, RuleMode::MatchAny, [&first, &second]);
    let history = runtime()
        .block_on(super::history(
            &client,
            "arn:aws:states:us-east-1:1:execution:M:e",
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    let events = history["events"].as_array().cloned().unwrap_or_default();
    assert_eq!(events.len(), 3);
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
    assert_eq!(events[0]["type"], "ExecutionStarted");
    assert_eq!(events[0]["timestamp"], "2023-11-14T22:13:21.500Z");
    assert_eq!(
        events[0]["executionStartedEventDetails"]["input"],
        "{\"a\":1}"
    );
    assert_eq!(events[2]["stateEnteredEventDetails"]["name"], "P3");
    assert_eq!(events[2]["previousEventId"], 2);
    // The shape `flowc replay` reads.
    let recording = flowc_sim::replay::Recording::from_value(&history);
    assert!(recording.is_ok(), "{recording:?}");
    assert_eq!(progress(&history).entered, 2);
    assert_eq!(progress(&history).current.as_deref(), Some("P3"));
}

fn generic(code: &str, message: &str) -> GetExecutionHistoryError {
    GetExecutionHistoryError::generic(ErrorMetadata::builder().code(code).message(message).build())
}

fn history_error(code: &'static str, message: &'static str) -> AwsError {
    let rule = mock!(Client::get_execution_history).then_error(move || generic(code, message));
    let client = mock_client!(aws_sdk_sfn, RuleMode::MatchAny, [&rule], |c| c
        .retry_config(
            aws_sdk_sfn::config::retry::RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(std::time::Duration::from_millis(1))
        ));
    match runtime().block_on(super::history(
        &client,
        "arn:aws:states:us-east-1:1:execution:M:e",
    )) {
        Ok(v) => panic!("expected an error, got {v}"),
        Err(e) => e,
    }
}

#[test]
fn access_denied_says_which_permission() {
    let e = history_error("AccessDeniedException", "User is not authorized");
    assert_eq!(
        e,
        AwsError::AccessDenied {
            action: "GetExecutionHistory".into(),
            code: "AccessDeniedException".into(),
            message: "User is not authorized".into(),
        }
    );
    let help = miette::Diagnostic::help(&e)
        .map(|h| h.to_string())
        .unwrap_or_default();
    assert!(help.contains("states:GetExecutionHistory"), "{help}");
}

#[test]
fn throttling_is_retried_by_the_sdk_and_named_when_it_outlasts_the_retries() {
    let e = history_error("ThrottlingException", "Rate exceeded");
    assert!(
        matches!(&e, AwsError::Throttled { message, .. } if message == "Rate exceeded"),
        "{e:?}"
    );
    // Twice throttled, then answered: the SDK's retries carry it through.
    let rule = mock!(Client::start_execution)
        .sequence()
        .error(|| {
            StartExecutionError::generic(
                ErrorMetadata::builder()
                    .code("ThrottlingException")
                    .message("Rate exceeded")
                    .build(),
            )
        })
        .times(2)
        .output(|| {
            StartExecutionOutput::builder()
                .execution_arn("arn:aws:states:us-east-1:1:execution:M:e")
                .start_date(DateTime::from_secs(0))
                .build()
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .build();
    let client = mock_client!(aws_sdk_sfn, RuleMode::Sequential, [&rule], |c| c
        .retry_config(
            aws_sdk_sfn::config::retry::RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(std::time::Duration::from_millis(1))
        ));
    let arn = runtime()
        .block_on(start(
            &client,
            "arn:aws:states:us-east-1:1:stateMachine:M",
            "{}",
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(arn, "arn:aws:states:us-east-1:1:execution:M:e");
    assert_eq!(rule.num_calls(), 3);
}

#[test]
fn other_service_errors_keep_aws_code_and_message() {
    let e = history_error("ExecutionDoesNotExist", "Execution does not exist: 'arn'");
    assert!(
        matches!(&e, AwsError::Service { code, .. } if code == "ExecutionDoesNotExist"),
        "{e:?}"
    );
    assert!(e.to_string().contains("GetExecutionHistory failed"), "{e}");
}

#[test]
fn the_result_object_matches_simulate_s() {
    let history = serde_json::json!({"events": [
        {"timestamp": "2024-01-01T00:00:00.000Z", "type": "ExecutionStarted", "id": 1, "previousEventId": 0,
         "executionStartedEventDetails": {"input": "{}"}},
        {"timestamp": "2024-01-01T00:00:00.000Z", "type": "PassStateEntered", "id": 2, "previousEventId": 1,
         "stateEnteredEventDetails": {"name": "P", "input": "{}"}},
        {"timestamp": "2024-01-01T00:00:02.500Z", "type": "ExecutionSucceeded", "id": 3, "previousEventId": 2,
         "executionSucceededEventDetails": {"output": "{\"ok\":true}"}}
    ]});
    assert_eq!(
        result_object(&history),
        serde_json::json!({"status": "SUCCEEDED", "output": {"ok": true}, "duration_seconds": 2.5,
                           "events": 3, "transitions": 1})
    );
}

#[test]
fn following_reads_only_the_events_written_since_the_last_poll() {
    // Newest first, pages of at most 100: the first poll sees events 3, 2 (page 1) and 1
    // (page 2); the second poll sees 5 and 4, and stops at 3, which it has counted.
    let first = mock!(Client::get_execution_history)
        .match_requests(|r| {
            r.reverse_order() == Some(true)
                && r.include_execution_data() == Some(false)
                && r.max_results() == Some(100)
                && r.next_token().is_none()
        })
        .sequence()
        .output(|| {
            GetExecutionHistoryOutput::builder()
                .events(event(3, HistoryEventType::PassStateEntered))
                .events(event(2, HistoryEventType::PassStateEntered))
                .next_token("older")
                .build()
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .output(|| {
            GetExecutionHistoryOutput::builder()
                .events(event(5, HistoryEventType::PassStateEntered))
                .events(event(4, HistoryEventType::PassStateExited))
                .events(event(3, HistoryEventType::PassStateEntered))
                .next_token("older")
                .build()
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .build();
    let older = mock!(Client::get_execution_history)
        .match_requests(|r| r.next_token() == Some("older"))
        .then_output(|| {
            GetExecutionHistoryOutput::builder()
                .events(event(1, HistoryEventType::ExecutionStarted))
                .build()
                .unwrap_or_else(|e| panic!("{e}"))
        });
    let client = mock_client!(aws_sdk_sfn, RuleMode::MatchAny, [&first, &older]);
    let arn = "arn:aws:states:us-east-1:1:execution:M:e";
    let mut progress = Progress::default();
    runtime()
        .block_on(follow(&client, arn, &mut progress))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        progress,
        Progress {
            entered: 2,
            current: Some("P3".into()),
            last_event: 3
        }
    );
    runtime()
        .block_on(follow(&client, arn, &mut progress))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        progress,
        Progress {
            entered: 3,
            current: Some("P5".into()),
            last_event: 5
        }
    );
    // The older page once, for the first poll: the second stopped at an event it had seen.
    assert_eq!((first.num_calls(), older.num_calls()), (2, 1));
}

const ASL: &str = r#"{
  "StartAt": "Fan",
  "States": {
    "Fan": {
      "Type": "Parallel",
      "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "$.x", "End": true}}}
      ],
      "Next": "Each"
    },
    "Each": {
      "Type": "Map",
      "ItemProcessor": {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}},
      "End": true
    }
  }
}"#;

fn aws_says(location: &str) -> AwsDiagnostic {
    AwsDiagnostic {
        severity: "WARNING".into(),
        code: "PASS_RESULT_IS_STATIC".into(),
        message: "Attempt to use a path in the result of a pass state.".into(),
        location: Some(location.into()),
    }
}

/// Line and column (from 1) of where `location` lands in `text`.
fn line_col_of(location: &str, text: &str, spans: &dyn crate::check::SpanSource) -> (usize, usize) {
    let span = locate(location, spans).unwrap_or_else(|| panic!("{location}: no span"));
    crate::diagnostics::line_col(text, span.offset())
}

#[test]
fn aws_locations_land_on_the_asl_field_they_name() {
    let loaded = flowc_asl::load(ASL, "m.asl.json").unwrap_or_else(|e| panic!("{e:?}"));
    let spans = &loaded.spans;
    // A field of a state inside a Parallel branch: `"Result": "$.x"`'s value.
    assert_eq!(
        line_col_of("/States/Fan/Branches/0/States/A/Result", ASL, spans),
        (7, 69)
    );
    // A field of a state inside a Map's processor; one flowc has no span for falls back to
    // the state's name.
    assert_eq!(
        line_col_of("/States/Each/ItemProcessor/States/B/Type", ASL, spans),
        (13, 66)
    );
    assert_eq!(
        line_col_of("/States/Each/ItemProcessor/States/B/Nowhere", ASL, spans),
        (13, 52)
    );
    assert_eq!(line_col_of("/States/Fan/Next", ASL, spans), (9, 15));
    assert_eq!(line_col_of("/StartAt", ASL, spans), (2, 14));
    // A state nobody wrote: nothing to point at.
    assert_eq!(locate("/States/Gone/Next", spans), None);

    let finding = AwsFinding::new(&aws_says("/States/Fan/Branches/0/States/A/Result"), spans);
    let shown = crate::diagnostics::render_human(
        &finding,
        Some(&crate::diagnostics::SourceText::new("m.asl.json", ASL)),
        false,
    );
    assert!(shown.contains("aws::PASS_RESULT_IS_STATIC"), "{shown}");
    assert!(shown.contains("m.asl.json:7:69"), "{shown}");
    assert!(
        shown.contains("found by AWS's ValidateStateMachineDefinition at /States/Fan/Branches/0/States/A/Result"),
        "{shown}"
    );
}

#[test]
fn aws_locations_land_on_the_flow_state_they_name() {
    let flow = "pass Start {\n    result { \"k\": \"$.x\" }\n    next Done\n}\n\nsucceed Done\n";
    let lowered = crate::lower::compile_for_checks(flow, &crate::lower::Bindings::new())
        .unwrap_or_else(|e| panic!("{:?}", e.0));
    let spans = &lowered.spans;
    // The `result` the .flow wrote; the state's name where no field is named.
    assert_eq!(line_col_of("/States/Start/Result", flow, spans), (2, 5));
    assert_eq!(line_col_of("/States/Start/Nowhere", flow, spans), (1, 6));
    assert_eq!(line_col_of("/States/Done", flow, spans), (6, 9));
}
