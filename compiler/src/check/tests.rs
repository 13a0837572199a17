//! Check behaviour on small hand-written ASL machines.

use super::{CheckError, check, definition_size};
use miette::Diagnostic;

fn run(json: &str) -> Vec<CheckError> {
    match flowc_asl::load(json, "t.asl.json") {
        Ok(loaded) => check(&loaded.machine, &loaded.spans),
        Err(errors) => panic!("fixture does not load: {errors:?}"),
    }
}

fn codes(errors: &[CheckError]) -> Vec<String> {
    use miette::Diagnostic;
    errors
        .iter()
        .map(|e| e.code().map(|c| c.to_string()).unwrap_or_default())
        .collect()
}

#[test]
fn clean_machine_has_no_findings() {
    let errors = run(r#"{"StartAt":"A","States":{
        "A":{"Type":"Pass","Next":"B"},
        "B":{"Type":"Choice","Choices":[{"Variable":"$.x","BooleanEquals":true,"Next":"C"}],"Default":"D"},
        "C":{"Type":"Succeed"},
        "D":{"Type":"Fail","Error":"E"}}}"#);
    assert_eq!(errors, vec![]);
}

#[test]
fn unknown_target_suggests_nearest_name() {
    let text = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Finsh"},"Finish":{"Type":"Succeed"}}}"#;
    let errors = run(text);
    match errors.as_slice() {
        [
            CheckError::UnknownTarget {
                name, help, span, ..
            },
        ] => {
            assert_eq!(name, "Finsh");
            assert_eq!(help, "did you mean `Finish`?");
            assert_eq!(
                &text[span.offset()..span.offset() + span.len()],
                "\"Finsh\""
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_start_at_is_reported_on_start_at() {
    let errors = run(r#"{"StartAt":"Nope","States":{"A":{"Type":"Succeed"}}}"#);
    assert_eq!(codes(&errors), ["flowc::check::unknown_target"]);
}

#[test]
fn unreachable_state_is_an_error() {
    let errors =
        run(r#"{"StartAt":"A","States":{"A":{"Type":"Succeed"},"Lost":{"Type":"Succeed"}}}"#);
    assert!(
        matches!(errors.as_slice(), [CheckError::UnreachableState { name, .. }] if name == "Lost")
    );
}

#[test]
fn machine_without_terminal_state_is_reported_once() {
    let errors = run(
        r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"}}}"#,
    );
    assert_eq!(codes(&errors), ["flowc::check::no_terminal_state"]);
}

#[test]
fn dead_end_names_the_trapping_cycle() {
    let errors = run(r#"{"StartAt":"A","States":{
        "A":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"Loop1"}],"Default":"Done"},
        "Loop1":{"Type":"Pass","Next":"Loop2"},
        "Loop2":{"Type":"Pass","Next":"Loop1"},
        "Done":{"Type":"Succeed"}}}"#);
    match errors.as_slice() {
        [CheckError::DeadEnd { name, states, .. }] => {
            assert_eq!(name, "Loop1");
            assert_eq!(states, "`Loop1` and `Loop2`");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn choice_without_default_warns() {
    let errors = run(r#"{"StartAt":"C","States":{
        "C":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"D"}]},
        "D":{"Type":"Succeed"}}}"#);
    assert_eq!(codes(&errors), ["flowc::check::choice_without_default"]);
    use miette::Diagnostic;
    assert_eq!(
        errors.first().and_then(|e| e.severity()),
        Some(miette::Severity::Warning)
    );
}

#[test]
fn states_all_must_be_alone_and_last() {
    let errors = run(r#"{"StartAt":"T","States":{
        "T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f",
             "Retry":[{"ErrorEquals":["States.ALL","States.Timeout"]},{"ErrorEquals":["X"]}],
             "Catch":[{"ErrorEquals":["States.ALL"],"Next":"F"},{"ErrorEquals":["Y"],"Next":"F"}],
             "End":true},
        "F":{"Type":"Fail"}}}"#);
    assert_eq!(
        codes(&errors),
        [
            "flowc::check::states_all_not_alone",
            "flowc::check::states_all_not_last",
            "flowc::check::states_all_not_last"
        ]
    );
}

const POLL_BOUNDED: &str = r#"{"StartAt":"Init","States":{
    "Init":{"Type":"Pass","Result":{"count":0},"ResultPath":"$.polls.h","Next":"Wait"},
    "Wait":{"Type":"Wait","Seconds":60,"Next":"Check"},
    "Check":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","ResultPath":"$.health","Next":"Count"},
    "Count":{"Type":"Pass","Parameters":{"count.$":"States.MathAdd($.polls.h.count, 1)"},"ResultPath":"$.polls.h","Next":"Decide"},
    "Decide":{"Type":"Choice","Choices":[
        {"Variable":"$.health.ok","BooleanEquals":true,"Next":"Done"},
        {"Variable":"$.polls.h.count","NumericGreaterThanEquals":15,"Next":"GaveUp"}],
        "Default":"Wait"},
    "Done":{"Type":"Succeed"},
    "GaveUp":{"Type":"Fail","Error":"Timeout"}}}"#;

#[test]
fn poll_with_counter_and_exit_is_bounded() {
    assert_eq!(run(POLL_BOUNDED), vec![]);
}

#[test]
fn poll_without_counter_warns_at_the_wait() {
    let text = POLL_BOUNDED.replace(
        r#"{"Variable":"$.polls.h.count","NumericGreaterThanEquals":15,"Next":"GaveUp"}"#,
        r#"{"Variable":"$.health.failed","BooleanEquals":true,"Next":"GaveUp"}"#,
    );
    let errors = run(&text);
    match errors.as_slice() {
        [CheckError::UnboundedLoop { states, span }] => {
            assert_eq!(states, "`Wait`, `Check`, `Count` and `Decide`");
            assert_eq!(&text[span.offset()..span.offset() + span.len()], "\"Wait\"");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn counter_that_reads_another_path_does_not_bound() {
    let text = POLL_BOUNDED.replace(
        "States.MathAdd($.polls.h.count, 1)",
        "States.MathAdd($.other, 1)",
    );
    assert_eq!(codes(&run(&text)), ["flowc::check::unbounded_loop"]);
}

#[test]
fn transition_out_of_parallel_branch_escapes() {
    let errors = run(r#"{"StartAt":"P","States":{
        "P":{"Type":"Parallel","Branches":[{"StartAt":"In","States":{"In":{"Type":"Pass","Next":"After"}}}],"Next":"After"},
        "After":{"Type":"Succeed"}}}"#);
    match errors.as_slice() {
        [
            CheckError::EscapesBranch {
                from, name, place, ..
            },
        ] => {
            assert_eq!(
                (from.as_str(), name.as_str(), place.as_str()),
                ("In", "After", "outside its Parallel branch")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn duplicate_name_across_map_processor_is_reported() {
    let errors = run(r#"{"StartAt":"M","States":{
        "M":{"Type":"Map","ItemProcessor":{"StartAt":"Done","States":{"Done":{"Type":"Succeed"}}},"Next":"Done"},
        "Done":{"Type":"Succeed"}}}"#);
    assert_eq!(codes(&errors), ["flowc::check::duplicate_state"]);
}

#[test]
fn ten_thousand_state_chain_checks_without_findings() {
    let mut states = Vec::new();
    for i in 0..10_000 {
        states.push(format!(r#""S{i}":{{"Type":"Pass","Next":"S{}"}}"#, i + 1));
    }
    states.push(r#""S10000":{"Type":"Succeed"}"#.to_owned());
    let text = format!(r#"{{"StartAt":"S0","States":{{{}}}}}"#, states.join(","));
    assert_eq!(run(&text), vec![]);
}

#[test]
fn transition_into_a_branch_from_the_top_level_escapes() {
    let errors = run(r#"{"StartAt":"Go","States":{
        "Go":{"Type":"Pass","Next":"Inner"},
        "M":{"Type":"Map","ItemProcessor":{"StartAt":"Inner","States":{"Inner":{"Type":"Succeed"}}},"End":true}}}"#);
    let places: Vec<&str> = errors
        .iter()
        .filter_map(|e| match e {
            CheckError::EscapesBranch { place, .. } => Some(place.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(places, ["inside a Parallel or Map branch"], "{errors:?}");
}

#[test]
fn a_loop_without_a_wait_is_a_data_loop_with_its_own_advice() {
    let text = r#"{"StartAt":"List","States":{
        "List":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:listObjectsV2","Next":"More"},
        "More":{"Type":"Choice","Choices":[{"Variable":"$.NextToken","IsPresent":true,"Next":"List"}],"Default":"Done"},
        "Done":{"Type":"Succeed"}}}"#;
    let errors = run(text);
    match errors.as_slice() {
        [error @ CheckError::UnboundedDataLoop { states, span }] => {
            assert_eq!(states, "`List` and `More`");
            assert_eq!(&text[span.offset()..span.offset() + span.len()], "\"List\"");
            let help = error.help().map(|h| h.to_string()).unwrap_or_default();
            assert!(
                help.contains("no Wait") && !help.contains("polling"),
                "{help}"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// The (state, variable, help) of every unassigned-variable warning.
fn unassigned(json: &str) -> Vec<(String, String, String)> {
    run(json)
        .into_iter()
        .filter_map(|e| match e {
            CheckError::UnassignedVariable {
                state, name, help, ..
            } => Some((state, name, help)),
            _ => None,
        })
        .collect()
}

#[test]
fn variable_assigned_on_the_way_is_not_reported() {
    let found = unassigned(
        r#"{"QueryLanguage":"JSONata","StartAt":"A","States":{
        "A":{"Type":"Pass","Assign":{"total":"{% $states.input.n %}"},"Next":"B"},
        "B":{"Type":"Pass","Output":"{% $total + 1 %}","End":true}}}"#,
    );
    assert_eq!(found, vec![]);
}

#[test]
fn variable_read_before_any_assignment_suggests_a_close_name() {
    let found = unassigned(
        r#"{"QueryLanguage":"JSONata","StartAt":"A","States":{
        "A":{"Type":"Pass","Assign":{"total":1},"Next":"B"},
        "B":{"Type":"Pass","Output":"{% $totl + $states.input.n + ($x := 1; $x) %}","End":true}}}"#,
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].0.as_str(), found[0].1.as_str()), ("B", "totl"));
    assert_eq!(found[0].2, "did you mean `$total`?");
}

#[test]
fn a_states_own_assign_is_not_seen_by_its_own_fields_nor_through_its_catch() {
    let found = unassigned(
        r#"{"QueryLanguage":"JSONata","StartAt":"T","States":{
        "T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Assign":{"id":"{% $states.result.id %}"},
             "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Failed"}],"Next":"Done"},
        "Done":{"Type":"Pass","Output":"{% $id %}","End":true},
        "Failed":{"Type":"Pass","Output":"{% $id %}","End":true}}}"#,
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "Failed");
    assert!(found[0].2.contains("`T` assigns `$id`"), "{}", found[0].2);
}

#[test]
fn parallel_branch_assignments_stay_inside_the_branch() {
    let found = unassigned(
        r#"{"QueryLanguage":"JSONata","StartAt":"Before","States":{
        "Before":{"Type":"Pass","Assign":{"outer":1},"Next":"P"},
        "P":{"Type":"Parallel","Branches":[
            {"StartAt":"B1","States":{"B1":{"Type":"Pass","Assign":{"inner":"{% $outer %}"},"Next":"B2"},
                                     "B2":{"Type":"Pass","Output":"{% $inner %}","End":true}}},
            {"StartAt":"C1","States":{"C1":{"Type":"Pass","Output":"{% $inner %}","End":true}}}],
         "Next":"After"},
        "After":{"Type":"Pass","Output":"{% $inner %}","End":true}}}"#,
    );
    let states: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(states, ["C1", "After"], "{found:?}");
    assert!(found[1].2.contains("Parallel branch"), "{}", found[1].2);
}

#[test]
fn choice_rule_assign_flows_to_its_own_target_only() {
    let found = unassigned(
        r#"{"QueryLanguage":"JSONata","StartAt":"C","States":{
        "C":{"Type":"Choice","Choices":[{"Condition":"{% true %}","Assign":{"picked":1},"Next":"Yes"}],"Default":"No"},
        "Yes":{"Type":"Pass","Output":"{% $picked %}","End":true},
        "No":{"Type":"Pass","Output":"{% $picked %}","End":true}}}"#,
    );
    let states: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(states, ["No"]);
}

#[test]
fn variables_in_a_loop_reach_the_top_of_the_loop() {
    let found = unassigned(
        r#"{"QueryLanguage":"JSONata","StartAt":"Init","States":{
        "Init":{"Type":"Pass","Next":"Loop"},
        "Loop":{"Type":"Choice","Choices":[{"Condition":"{% $count > 3 %}","Next":"Done"}],"Default":"Count"},
        "Count":{"Type":"Pass","Assign":{"count":"{% $count + 1 %}"},"Next":"Loop"},
        "Done":{"Type":"Succeed"}}}"#,
    );
    // Some path into Loop (the second round) has assigned $count: not reported, as AWS would
    // only fail on the first round; the first round's read is what this check cannot prove.
    assert_eq!(found, vec![]);
}

#[test]
fn jsonpath_paths_that_read_unassigned_variables_are_reported() {
    let found = unassigned(
        r#"{"StartAt":"Start","States":{
        "Start":{"Type":"Pass","Assign":{"list.$":"$.items"},"Next":"M"},
        "M":{"Type":"Map","ItemsPath":"$list","MaxConcurrencyPath":"$limit",
             "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass",
                "Parameters":{"all.$":"$list","q.$":"States.Format('{}', $question)"},"End":true}}},
             "End":true}}}"#,
    );
    let reads: Vec<(&str, &str)> = found.iter().map(|f| (f.0.as_str(), f.1.as_str())).collect();
    assert_eq!(reads, [("M", "limit"), ("P", "question")], "{found:?}");
}

/// The loop a JSONata `poll` emits: the counter is a variable.
const VARIABLE_POLL: &str = r#"{"QueryLanguage":"JSONata","StartAt":"Start","States":{
    "Start":{"Type":"Pass","Assign":{"n":0},"Next":"Wait"},
    "Wait":{"Type":"Wait","Seconds":10,"Next":"Check"},
    "Check":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Next":"Count"},
    "Count":{"Type":"Pass","Assign":{"n":"{% $n + 1 %}"},"Next":"Decide"},
    "Decide":{"Type":"Choice","Choices":[
        {"Condition":"{% $states.input.ok %}","Next":"Done"},
        {"Condition":"{% $n >= 3 %}","Next":"Done"}],"Default":"Wait"},
    "Done":{"Type":"Succeed"}}}"#;

#[test]
fn a_variable_counter_bounds_a_loop() {
    assert_eq!(run(VARIABLE_POLL), vec![]);
    // Not tested by a rule that leaves, or not counting, it bounds nothing.
    let untested = VARIABLE_POLL.replace("{% $n >= 3 %}", "{% $states.input.done %}");
    assert_eq!(codes(&run(&untested)), ["flowc::check::unbounded_loop"]);
    let still = VARIABLE_POLL.replace("{% $n + 1 %}", "{% $n + 0 %}");
    assert_eq!(codes(&run(&still)), ["flowc::check::unbounded_loop"]);
}

#[test]
fn a_jsonpath_variable_counter_bounds_a_loop() {
    let text = r#"{"StartAt":"Start","States":{
        "Start":{"Type":"Pass","Assign":{"n":0},"Next":"Wait"},
        "Wait":{"Type":"Wait","Seconds":10,"Next":"Count"},
        "Count":{"Type":"Pass","Assign":{"n.$":"States.MathAdd($n, 1)"},"Next":"Decide"},
        "Decide":{"Type":"Choice","Choices":[
            {"Variable":"$n","NumericGreaterThanEquals":3,"Next":"Done"}],"Default":"Wait"},
        "Done":{"Type":"Succeed"}}}"#;
    assert_eq!(run(text), vec![]);
}

#[test]
fn a_definition_over_one_mb_as_sent_is_warned_about_and_minifying_is_suggested_when_it_fits() {
    use flowc_asl::rules::{JsonSize, MAX_DEFINITION_BYTES};
    let size = |text: &str| JsonSize::of(text);
    // Padding a definition with indentation: AWS counts it, the minified form does not.
    let body = r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#;
    let at_limit = format!("{}{body}", " ".repeat(MAX_DEFINITION_BYTES - body.len()));
    assert_eq!(definition_size(size(&at_limit), "as written"), None);
    let over = format!(" {at_limit}");
    match definition_size(size(&over), "as written") {
        Some(CheckError::DefinitionTooLarge { size, help, .. }) => {
            assert_eq!(size, MAX_DEFINITION_BYTES + 1);
            assert!(
                help.contains(&format!("without it this one is {} bytes", body.len())),
                "{help}"
            );
        }
        other => panic!("expected a DefinitionTooLarge warning, got {other:?}"),
    }
    // Over the quota even minified: split the workflow.
    let result = format!(r#"{{"Result":"{}"}}"#, "x".repeat(MAX_DEFINITION_BYTES));
    match definition_size(size(&result), "as compiled") {
        Some(CheckError::DefinitionTooLarge { help, .. }) => {
            assert!(
                help.contains("even minified") && help.contains("split the workflow"),
                "{help}"
            );
        }
        other => panic!("expected a DefinitionTooLarge warning, got {other:?}"),
    }
}
