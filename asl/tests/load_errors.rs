//! One test per `flowc::asl::*` load error: the code, the exact span and the help text.
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests: a panic is the failure report

use flowc_asl::{LoadErrors, load};
use miette::Diagnostic;

/// What one error says: its code, the source text under its primary span, and its help.
#[derive(Debug)]
struct Seen {
    code: String,
    at: String,
    help: String,
    message: String,
}

fn problems(text: &str) -> Vec<Seen> {
    let errors: LoadErrors = match load(text, "test.asl.json") {
        Ok(_) => panic!("expected load errors for:\n{text}"),
        Err(errors) => errors,
    };
    errors
        .errors()
        .iter()
        .map(|error| {
            let span = error.span();
            Seen {
                code: error.code().map(|c| c.to_string()).unwrap_or_default(),
                at: text
                    .get(span.offset()..span.offset() + span.len())
                    .unwrap_or("<out of range>")
                    .to_string(),
                help: error.help().map(|h| h.to_string()).unwrap_or_default(),
                message: error.to_string(),
            }
        })
        .collect()
}

/// The single error of `text`, asserting there is exactly one.
fn only(text: &str) -> Seen {
    let mut all = problems(text);
    assert_eq!(all.len(), 1, "expected one error, got {all:#?}");
    all.remove(0)
}

/// A one-state machine around the given state body.
fn machine(state: &str) -> String {
    format!(r#"{{"StartAt": "A", "States": {{"A": {state}}}}}"#)
}

#[test]
fn syntax_error_names_line_and_column() {
    let seen = only("{\n  \"StartAt\": \"A\",\n  \"States\": {,}\n}");
    assert_eq!(seen.code, "flowc::asl::syntax");
    assert!(seen.message.contains("line 3, column"), "{}", seen.message);
    assert!(seen.help.contains("strict JSON"));
}

#[test]
fn empty_file_is_a_syntax_error() {
    let seen = only("");
    assert_eq!(seen.code, "flowc::asl::syntax");
    assert!(seen.message.contains("no JSON value"));
}

#[test]
fn ten_thousand_deep_nesting_is_reported_not_overflowed() {
    let text = format!(
        r#"{{"StartAt": "A", "States": {{"A": {{"Type": "Pass", "Result": {}{}, "End": true}}}}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let seen = only(&text);
    assert_eq!(seen.code, "flowc::asl::too_deep");
    assert_eq!(seen.at, "[");
    assert!(seen.help.contains("flatten"));
}

#[test]
fn out_of_range_number_is_reported() {
    let seen = only(&machine(
        r#"{"Type": "Pass", "Result": 1e400, "End": true}"#,
    ));
    assert_eq!(seen.code, "flowc::asl::bad_number");
    assert_eq!(seen.at, "1e400");
    assert!(!seen.help.is_empty());
}

#[test]
fn duplicate_state_name_is_reported_on_the_second_key() {
    let text = r#"{"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "A": {"Type": "Fail"}}}"#;
    let seen = only(text);
    assert_eq!(seen.code, "flowc::asl::duplicate_key");
    assert_eq!(seen.at, "\"A\"");
    let second = text.rfind("\"A\":").unwrap();
    let errors = load(text, "t").unwrap_err();
    assert_eq!(errors.errors()[0].span().offset(), second);
    assert!(seen.help.contains("once"));
}

#[test]
fn wrong_json_type_for_a_field() {
    let seen = only(&machine(
        r#"{"Type": "Wait", "Seconds": "ten", "End": true}"#,
    ));
    assert_eq!(seen.code, "flowc::asl::wrong_type");
    assert_eq!(seen.at, "\"ten\"");
    assert!(seen.message.contains("`Seconds`"));
    assert!(seen.help.contains("Seconds"));
}

#[test]
fn missing_resource_points_at_the_state() {
    let seen = only(&machine(r#"{"Type": "Task", "End": true}"#));
    assert_eq!(seen.code, "flowc::asl::missing_field");
    assert!(seen.message.contains("Task state `A`"), "{}", seen.message);
    assert!(seen.message.contains("`Resource`"));
    assert!(seen.at.starts_with('{'));
    assert!(seen.help.contains("arn:aws:lambda"));
}

#[test]
fn missing_start_at_and_next_are_both_reported() {
    let all = problems(r#"{"States": {"A": {"Type": "Pass"}}}"#);
    let fields: Vec<&str> = all.iter().map(|seen| seen.message.as_str()).collect();
    assert_eq!(all.len(), 2, "{all:#?}");
    assert!(fields.iter().any(|m| m.contains("`StartAt`")));
    assert!(fields.iter().any(|m| m.contains("`Next`")));
    assert!(
        all.iter()
            .all(|seen| seen.code == "flowc::asl::missing_field")
    );
}

#[test]
fn unknown_state_type_suggests_the_nearest() {
    let seen = only(&machine(r#"{"Type": "Tsak", "End": true}"#));
    assert_eq!(seen.code, "flowc::asl::unknown_state_type");
    assert_eq!(seen.at, "\"Tsak\"");
    assert_eq!(seen.help, "did you mean `Task`?");
}

#[test]
fn unknown_field_suggests_the_nearest() {
    let seen = only(&machine(
        r#"{"Type": "Task", "Resource": "arn:x", "TimeoutSecond": 5, "End": true}"#,
    ));
    assert_eq!(seen.code, "flowc::asl::unknown_field");
    assert_eq!(seen.at, "\"TimeoutSecond\"");
    assert_eq!(seen.help, "did you mean `TimeoutSeconds`?");
}

#[test]
fn field_of_another_state_type_is_unknown() {
    let seen = only(&machine(
        r#"{"Type": "Wait", "Seconds": 1, "Parameters": {}, "End": true}"#,
    ));
    assert_eq!(seen.code, "flowc::asl::unknown_field");
    assert_eq!(seen.at, "\"Parameters\"");
    assert!(seen.message.contains("Wait state `A`"));
    assert_eq!(
        seen.help,
        "`Parameters` is a field of Task, Pass, Parallel and Map states, not of Wait states; remove it"
    );
}

#[test]
fn seconds_and_seconds_path_conflict() {
    let seen = only(&machine(
        r#"{"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": true}"#,
    ));
    assert_eq!(seen.code, "flowc::asl::conflicting_fields");
    assert_eq!(seen.at, "\"SecondsPath\"");
    assert!(seen.help.contains("exactly one"));
}

#[test]
fn next_and_end_conflict() {
    let seen = only(&machine(r#"{"Type": "Pass", "Next": "A", "End": true}"#));
    assert_eq!(seen.code, "flowc::asl::conflicting_fields");
    assert_eq!(seen.at, "\"End\"");
    assert!(seen.help.contains("keep one"));
}

#[test]
fn invalid_path_points_at_the_offending_character() {
    let seen = only(&machine(
        r#"{"Type": "Pass", "InputPath": "$.a[", "End": true}"#,
    ));
    assert_eq!(seen.code, "flowc::asl::invalid_path");
    assert!(seen.message.contains("`InputPath`"));
    assert!(
        seen.at.len() <= 1,
        "points inside the string: {:?}",
        seen.at
    );
    assert!(seen.help.contains("paths start with `$`"));
}

#[test]
fn reference_path_rejects_wildcards() {
    let seen = only(&machine(
        r#"{"Type": "Pass", "ResultPath": "$.items[*]", "End": true}"#,
    ));
    assert_eq!(seen.code, "flowc::asl::invalid_path");
    assert!(seen.help.contains("reference path"));
}

#[test]
fn invalid_intrinsic_in_parameters() {
    let seen = only(&machine(
        r#"{"Type": "Pass", "Parameters": {"x.$": "States.Frmat('{}', $.a)"}, "End": true}"#,
    ));
    assert_eq!(seen.code, "flowc::asl::invalid_intrinsic");
    assert!(seen.message.contains("`x.$`"));
    assert!(seen.help.contains("States.Format"));
}

#[test]
fn negative_wait_seconds() {
    let seen = only(&machine(r#"{"Type": "Wait", "Seconds": -5, "End": true}"#));
    assert_eq!(seen.code, "flowc::asl::invalid_number");
    assert_eq!(seen.at, "-5");
    assert!(seen.help.contains("whole number"));
}

#[test]
fn fractional_timeout_seconds() {
    let seen = only(&machine(
        r#"{"Type": "Task", "Resource": "arn:x", "TimeoutSeconds": 1.5, "End": true}"#,
    ));
    assert_eq!(seen.code, "flowc::asl::invalid_number");
    assert_eq!(seen.at, "1.5");
}

#[test]
fn empty_error_equals_in_retry() {
    let seen = only(&machine(
        r#"{"Type": "Task", "Resource": "arn:x", "Retry": [{"ErrorEquals": []}], "End": true}"#,
    ));
    assert_eq!(seen.code, "flowc::asl::empty_error_equals");
    assert_eq!(seen.at, "[]");
    assert!(seen.help.contains("States.ALL"));
}

#[test]
fn empty_choices() {
    let seen = only(&machine(r#"{"Type": "Choice", "Choices": []}"#));
    assert_eq!(seen.code, "flowc::asl::empty_field");
    assert_eq!(seen.at, "[]");
    assert!(seen.help.contains("at least one rule"));
}

#[test]
fn unknown_jitter_strategy_value() {
    let seen = only(&machine(
        r#"{"Type": "Task", "Resource": "arn:x", "Retry": [{"ErrorEquals": ["E"], "JitterStrategy": "FUL"}], "End": true}"#,
    ));
    assert_eq!(seen.code, "flowc::asl::invalid_value");
    assert_eq!(seen.at, "\"FUL\"");
    assert!(seen.help.contains("did you mean `FULL`?"));
}

#[test]
fn comparison_without_operator() {
    let seen = only(&machine(
        r#"{"Type": "Choice", "Choices": [{"Variable": "$.x", "Next": "A"}]}"#,
    ));
    assert_eq!(seen.code, "flowc::asl::invalid_choice_rule");
    assert!(seen.at.starts_with('{'));
    assert!(seen.help.contains("StringEquals"));
}

#[test]
fn all_problems_of_a_document_are_reported_together_in_order() {
    let text = machine(
        r#"{"Type": "Task", "Resourse": "arn:x", "TimeoutSeconds": -1, "Retry": [{"ErrorEquals": []}], "End": true}"#,
    );
    let codes: Vec<String> = problems(&text).into_iter().map(|seen| seen.code).collect();
    assert_eq!(
        codes,
        [
            "flowc::asl::missing_field",
            "flowc::asl::unknown_field",
            "flowc::asl::invalid_number",
            "flowc::asl::empty_error_equals",
        ]
    );
}

#[test]
fn rendered_report_names_the_file_line_and_column() {
    let text = "{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\"Type\": \"Tsak\", \"End\": true}\n  }\n}\n";
    let errors = load(text, "workflows/hand.asl.json").unwrap_err();
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .render_report(&mut out, &errors)
        .unwrap();
    assert!(out.contains("workflows/hand.asl.json:4:19"), "{out}");
    assert!(out.contains("did you mean `Task`?"), "{out}");
    assert_eq!(
        errors.line_column(errors.errors()[0].span().offset()),
        (4, 19)
    );
}

#[test]
fn zero_timeout_must_be_positive() {
    let seen = only(&machine(
        r#"{"Type": "Task", "Resource": "arn:x", "TimeoutSeconds": 0, "End": true}"#,
    ));
    assert_eq!(seen.code, "flowc::asl::invalid_number");
    assert!(
        seen.message.contains("a positive integer"),
        "{}",
        seen.message
    );
    assert_eq!(seen.at, "0");
}

#[test]
fn zero_wait_and_zero_max_attempts_are_valid() {
    let text = machine(
        r#"{"Type": "Task", "Resource": "arn:x", "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 0}], "Next": "W"}, "W": {"Type": "Wait", "Seconds": 0, "End": true}"#,
    );
    assert!(load(&text, "t").is_ok());
}

#[test]
fn jsonpath_field_in_a_jsonata_state() {
    let seen = only(&machine(
        r#"{"Type": "Pass", "QueryLanguage": "JSONata", "ResultPath": "$.x", "End": true}"#,
    ));
    assert_eq!(seen.code, "flowc::asl::wrong_query_language");
    assert_eq!(seen.at, "\"ResultPath\"");
    assert!(seen.help.contains("Arguments"));
}

#[test]
fn jsonata_field_in_a_jsonpath_machine() {
    let seen = only(&machine(
        r#"{"Type": "Task", "Resource": "arn:x", "Arguments": {"a": 1}, "End": true}"#,
    ));
    assert_eq!(seen.code, "flowc::asl::wrong_query_language");
    assert_eq!(seen.at, "\"Arguments\"");
    assert!(seen.help.contains("QueryLanguage"));
}

#[test]
fn nested_states_inherit_the_machine_language() {
    let text = r#"{"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Parallel",
        "Branches": [{"StartAt": "I", "States": {"I": {"Type": "Pass", "Output": "{% 1 %}", "End": true}}}],
        "End": true}}}"#;
    assert!(load(text, "t").is_ok());
}

#[test]
fn malformed_wait_timestamp() {
    let seen = only(&machine(
        r#"{"Type": "Wait", "Timestamp": "2024-01-31 09:00:00", "End": true}"#,
    ));
    assert_eq!(seen.code, "flowc::asl::invalid_value");
    assert_eq!(seen.at, "\"2024-01-31 09:00:00\"");
    assert!(seen.help.contains("RFC 3339"));
}

#[test]
fn lowercase_zone_in_a_timestamp_comparison_is_rejected() {
    let seen = only(&machine(
        r#"{"Type": "Choice", "Choices": [{"Variable": "$.t", "TimestampLessThan": "2024-01-31T09:00:00z", "Next": "A"}]}"#,
    ));
    assert_eq!(seen.code, "flowc::asl::invalid_value");
    assert!(seen.message.contains("TimestampLessThan"));
}

#[test]
fn heartbeat_not_below_timeout() {
    let seen = only(&machine(
        r#"{"Type": "Task", "Resource": "arn:x", "TimeoutSeconds": 10, "HeartbeatSeconds": 10, "End": true}"#,
    ));
    assert_eq!(seen.code, "flowc::asl::invalid_value");
    assert_eq!(seen.at, "10");
    assert!(seen.help.contains("less than TimeoutSeconds (10)"));
}

#[test]
fn tolerated_failure_percentage_above_100() {
    let seen = only(&machine(
        r#"{"Type": "Map", "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}, "ToleratedFailurePercentage": 150, "End": true}"#,
    ));
    assert_eq!(seen.code, "flowc::asl::invalid_value");
    assert_eq!(seen.at, "150");
}

#[test]
fn summary_counts_problems_in_words() {
    let one = load(&machine(r#"{"Type": "Tsak"}"#), "one.json").unwrap_err();
    assert_eq!(
        one.to_string(),
        "one.json: 1 problem in the state machine definition"
    );
    let two = load(r#"{"States": {"A": {"Type": "Pass"}}}"#, "two.json").unwrap_err();
    assert_eq!(
        two.to_string(),
        "two.json: 2 problems in the state machine definition"
    );
}

#[test]
fn next_inside_a_nested_rule_is_explained() {
    let seen = only(&machine(
        r#"{"Type": "Choice", "Choices": [{"Not": {"Variable": "$.x", "IsNull": true, "Next": "A"}, "Next": "A"}]}"#,
    ));
    assert_eq!(seen.code, "flowc::asl::unknown_field");
    assert!(
        seen.help.contains("only top-level Choice rules"),
        "{}",
        seen.help
    );
}

/// A JSONata machine with one Pass state whose `Output` is `output` (JSON text).
fn jsonata_pass(output: &str) -> String {
    format!(
        r#"{{"QueryLanguage": "JSONata", "StartAt": "A", "States": {{"A": {{"Type": "Pass", "Output": {output}, "End": true}}}}}}"#
    )
}

#[test]
fn jsonata_syntax_error_points_inside_the_string() {
    let seen = only(&jsonata_pass(r#"{"total": "{% $states.input.a + %}"}"#));
    assert_eq!(seen.code, "flowc::asl::jsonata_syntax");
    assert!(seen.message.contains("Output/total"), "{}", seen.message);
    assert!(seen.message.contains("S0207"), "{}", seen.message);
    // The end of the expression, where JSONata found it missing an operand.
    assert!(!seen.at.is_empty() && seen.at.len() < 4, "{:?}", seen.at);
}

#[test]
fn jsonata_syntax_error_in_a_nested_array_and_a_choice_condition() {
    let text = r#"{"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.n > %}", "Next": "P"}], "Default": "P"},
        "P": {"Type": "Pass", "Output": [1, {"x": "{% ) %}"}], "End": true}}}"#;
    let all = problems(text);
    let fields: Vec<&str> = all.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(
        fields,
        ["flowc::asl::jsonata_syntax", "flowc::asl::jsonata_syntax"]
    );
    assert!(
        all[0].message.contains("Choices/0/Condition"),
        "{}",
        all[0].message
    );
    assert!(all[1].message.contains("Output/1/x"), "{}", all[1].message);
    assert_eq!(all[1].at, ")");
}

#[test]
fn jsonata_dialect_refuses_eval_and_newer_operators_with_help() {
    let seen = only(&jsonata_pass(r#""{% $eval('1') %}""#));
    assert_eq!(seen.code, "flowc::asl::jsonata_dialect");
    assert_eq!(seen.at, "$eval");
    assert!(seen.help.contains("$parse"), "{}", seen.help);
    let seen = only(&jsonata_pass(r#""{% $states.input.a ?? 0 %}""#));
    assert_eq!(seen.code, "flowc::asl::jsonata_dialect");
    assert_eq!(seen.at, "$states.input.a ?? 0");
    let seen = only(&jsonata_pass(r#""{% $partition([1]) %}""#));
    assert_eq!(seen.code, "flowc::asl::jsonata_dialect");
    assert!(
        seen.help.contains("$partition(array, chunkSize)"),
        "{}",
        seen.help
    );
}

#[test]
fn jsonata_context_read_at_the_top_level_is_refused() {
    let seen = only(&jsonata_pass(r#""{% $.a %}""#));
    assert_eq!(seen.code, "flowc::asl::jsonata_context");
    assert_eq!(seen.at, "$");
    assert!(seen.help.contains("$states.input"), "{}", seen.help);
}

#[test]
fn jsonata_text_in_a_jsonpath_state_is_a_literal() {
    let text = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"x": "{% ) %}"}, "End": true}}}"#;
    assert!(load(text, "t.asl.json").is_ok());
}

#[test]
fn jsonata_with_escapes_is_pointed_at_as_a_whole_string() {
    let seen = only(&jsonata_pass(r#""{% \"a\" + %}""#));
    assert_eq!(seen.code, "flowc::asl::jsonata_syntax");
    assert_eq!(seen.at, r#""{% \"a\" + %}""#);
}

#[test]
fn query_language_written_among_the_states_says_move_it_to_the_top_level() {
    let seen = only(
        r#"{"StartAt": "A", "States": {"QueryLanguage": "JSONata", "A": {"Type": "Succeed"}}}"#,
    );
    assert_eq!(seen.code, "flowc::asl::wrong_type");
    assert_eq!(seen.at, "\"QueryLanguage\"");
    assert!(
        seen.help
            .contains("move it out of `States` to the top level"),
        "{}",
        seen.help
    );
}
