use std::path::{Path, PathBuf};

use serde_json::json;

use super::*;

/// Check, wait 30 s, check again until ready; the Task is the only thing mocked.
fn machine() -> serde_json::Value {
    json!({
        "StartAt": "Check",
        "States": {
            "Check": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:check",
                      "ResultPath": "$.check", "Next": "Ready?"},
            "Ready?": {"Type": "Choice",
                       "Choices": [{"Variable": "$.check.ready", "BooleanEquals": true, "Next": "Done"}],
                       "Default": "Pause"},
            "Pause": {"Type": "Wait", "Seconds": 30, "Next": "Check"},
            "Done": {"Type": "Succeed"}
        }
    })
}

fn write(dir: &Path, name: &str, value: &serde_json::Value) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(&path, value.to_string()).unwrap_or_else(|e| panic!("{e}"));
    path
}

fn setup(tests: serde_json::Value) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "m.asl.json", &machine());
    let file = write(
        dir.path(),
        "m.simtest.json",
        &json!({"machine": "m.asl.json", "tests": tests}),
    );
    (dir, file)
}

fn run(file: &Path) -> Vec<TestResult> {
    run_file(file).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_passing_test_reports_path_and_simulated_time() {
    let (_dir, file) = setup(json!([{
        "name": "ready on the third check",
        "input": {"id": 1},
        "mocks": {"Check": {"0-1": {"Return": {"ready": false}}, "2": {"Return": {"ready": true}}}},
        "expect": {
            "status": "SUCCEEDED",
            "output": {"id": 1, "check": {"ready": true}},
            "path": ["Check", "Ready?", "Pause", "Check", "Ready?", "Pause", "Check", "Ready?", "Done"],
            "duration_seconds": 60
        }
    }]));
    let results = run(&file);
    assert_eq!(results.len(), 1);
    assert!(results[0].passed(), "{:?}", results[0].failures);
    assert_eq!(results[0].simulated_seconds, Some(60.0));
    assert_eq!(results[0].states_visited, 9);
}

/// flowc's MockConfigFile extensions work in test files: a check that takes 20 s, then one
/// that never answers until the machine times out.
#[test]
fn mocks_that_take_time_move_the_simulated_clock() {
    let (_dir, file) = setup(json!([{
        "name": "slow checks",
        "mocks": {"Check": {"0": {"Return": {"ready": false}, "AfterSeconds": 20},
                            "1": {"Return": {"ready": true}, "AfterSeconds": 20}}},
        "expect": {"status": "SUCCEEDED", "duration_seconds": 70}
    }, {
        "name": "a check that never answers",
        "mocks": {"Check": {"0": {"NoAnswer": true}}},
        "expect": {"status": "TIMED_OUT", "error": "States.Timeout",
                   "duration_seconds": 31536000}
    }]));
    let results = run(&file);
    assert!(
        results.iter().all(TestResult::passed),
        "{:?}",
        results.iter().map(|r| &r.failures).collect::<Vec<_>>()
    );
}

#[test]
fn every_mismatch_is_reported() {
    let (_dir, file) = setup(json!([{
        "name": "wrong on purpose",
        "mocks": {"Check": {"0": {"Return": {"ready": true}}}},
        "expect": {
            "status": "FAILED",
            "output_contains": {"check": {"ready": false}},
            "error": "Boom",
            "path": ["Check", "Done"],
            "duration_seconds": {"min": 10, "max": 20}
        }
    }]));
    let failures = &run(&file)[0].failures;
    assert_eq!(failures.len(), 5, "{failures:#?}");
    assert_eq!(failures[0], "status: expected FAILED, got SUCCEEDED");
    assert!(
        failures[1].starts_with("output: does not contain"),
        "{}",
        failures[1]
    );
    assert_eq!(failures[2], "error: expected \"Boom\", got none");
    assert!(
        failures[3].starts_with("path: differs at state #2"),
        "{}",
        failures[3]
    );
    assert_eq!(
        failures[4],
        "duration: expected 10 to 20 s simulated, got 0 s"
    );
}

#[test]
fn thrown_errors_fail_the_execution_and_unmocked_invocations_name_the_state() {
    let (_dir, file) = setup(json!([
        {"name": "throws",
         "mocks": {"Check": {"0": {"Throw": {"Error": "Custom.Error", "Cause": "it broke"}}}},
         "expect": {"status": "FAILED", "error": "Custom.Error", "cause": "it broke"}},
        {"name": "runs out of mocks",
         "mocks": {"Check": {"0": {"Return": {"ready": false}}}},
         "expect": {"status": "SUCCEEDED"}}
    ]));
    let results = run(&file);
    assert!(results[0].passed(), "{:?}", results[0].failures);
    let failure = results[1].failures.join("\n");
    assert!(failure.contains("'Check'"), "{failure}");
    assert!(failure.contains("invocation 1"), "{failure}");
}

#[test]
fn mock_config_file_test_cases_supply_the_responses() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "m.asl.json", &machine());
    write(
        dir.path(),
        "MockConfigFile.json",
        &json!({
            "StateMachines": {"Poller": {"TestCases": {"SlowStart": {"Check": "NotYetThenReady"}}}},
            "MockedResponses": {"NotYetThenReady": {
                "0": {"Return": {"ready": false}},
                "1": {"Return": {"ready": true}}
            }}
        }),
    );
    let file = write(
        dir.path(),
        "m.simtest.json",
        &json!({"machine": "m.asl.json", "mock_config": "MockConfigFile.json", "tests": [
            {"name": "slow start", "test_case": "SlowStart",
             "expect": {"status": "SUCCEEDED", "duration_seconds": 30}},
            {"name": "unknown case", "test_case": "Nope", "expect": {"status": "SUCCEEDED"}}
        ]}),
    );
    let results = run(&file);
    assert!(results[0].passed(), "{:?}", results[0].failures);
    assert_eq!(
        results[1].failures,
        ["test case 'Nope' is not in the MockConfigFile (known: SlowStart)"]
    );
}

#[test]
fn discovery_recurses_skips_build_folders_and_reports_bad_files_as_failures() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "a/m.asl.json", &machine());
    write(
        dir.path(),
        "a/deep/ok.simtest.json",
        &json!({"machine": "../m.asl.json", "tests": [{"name": "t",
            "mocks": {"Check": {"0": {"Return": {"ready": true}}}},
            "expect": {"status": "SUCCEEDED"}}]}),
    );
    write(dir.path(), "target/ignored.simtest.json", &json!({}));
    write(
        dir.path(),
        "a/bad.simtest.json",
        &json!({"machine": "m.asl.json", "tests": [{"name": "x"}]}),
    );
    let results = run_paths(&[dir.path().to_path_buf()]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(results.len(), 2);
    assert!(results[0].file.ends_with("a/bad.simtest.json"));
    assert!(!results[0].passed());
    assert!(
        results[0].failures[0].contains("missing field `expect`"),
        "{:?}",
        results[0].failures
    );
    assert!(results[1].passed());

    let junit = render_junit(&results).unwrap_or_else(|e| panic!("{e}"));
    assert!(junit.contains("tests=\"2\""), "{junit}");
    assert!(junit.contains("<failure"), "{junit}");
    let summary = render_summary(&results, 0);
    assert!(
        summary.ends_with("test result: FAILED. 1 passed; 1 failed\n"),
        "{summary}"
    );

    let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        run_paths(&[empty.path().to_path_buf()]),
        Err(TestFileError::NoTests { .. })
    ));
}

#[test]
fn bad_mocks_fail_the_test_with_the_state_named() {
    let (_dir, file) = setup(json!([
        {"name": "overlap", "mocks": {"Check": {"0-1": {"Return": 1}, "1": {"Return": 2}}},
         "expect": {"status": "SUCCEEDED"}},
        {"name": "typo", "mocks": {"Chek": {"0": {"Return": 1}}},
         "expect": {"status": "SUCCEEDED"}}
    ]));
    let results = run(&file);
    let overlap = results[0].failures.join("\n");
    assert!(
        overlap.contains("'Check'") && overlap.contains("overlaps"),
        "{overlap}"
    );
    let typo = results[1].failures.join("\n");
    assert!(
        typo.contains("'Chek'") && typo.contains("did you mean 'Check'"),
        "{typo}"
    );
}

#[test]
fn an_input_over_256_kib_fails_the_test_as_start_execution_refuses_it() {
    // The test's input is sent as compact JSON: `{"id":"..."}` is 9 bytes around the string.
    let input = |bytes: usize| json!({"id": "x".repeat(bytes - 9)});
    let mocks = json!({"Check": {"0": {"Return": {"ready": true}}}});
    let (_dir, file) = setup(json!([
        {"name": "over", "input": input(262_145), "mocks": mocks,
         "expect": {"status": "SUCCEEDED"}},
        {"name": "at the limit", "input": input(262_144), "mocks": mocks,
         "expect": {"status": "FAILED", "error": "States.DataLimitExceeded"}}
    ]));
    let results = run(&file);
    let over = results[0].failures.join("\n");
    assert!(
        over.contains("the execution input is 262145 bytes")
            && over.contains("ValidationException: 1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144"),
        "{over}"
    );
    // At the limit the execution runs; the Task's result then takes the state's output over
    // the payload limit.
    assert!(results[1].passed(), "{:?}", results[1].failures);
}

#[test]
fn fold_path_writes_a_repeated_block_once_with_its_count() {
    let path = [
        "A", "Wait", "Check", "Ready?", "Wait", "Check", "Ready?", "Wait", "Check", "Ready?", "B",
        "B", "C",
    ];
    assert_eq!(
        fold_path(&path),
        "A -> (Wait -> Check -> Ready?) x3 -> B x2 -> C"
    );
    assert_eq!(fold_path(&["A", "B", "A", "C"]), "A -> B -> A -> C");
    assert_eq!(fold_path::<&str>(&[]), "");
}

#[test]
fn filter_selects_tests_by_file_and_name_and_says_when_nothing_matches() {
    let (dir, _file) = setup(json!([
        {"name": "ready at once", "mocks": {"Check": {"0": {"Return": {"ready": true}}}},
         "expect": {"status": "SUCCEEDED"}},
        {"name": "ready later", "mocks": {"Check": {"0": {"Return": {"ready": false}}, "1": {"Return": {"ready": true}}}},
         "expect": {"status": "SUCCEEDED"}}
    ]));
    let paths = [dir.path().to_path_buf()];
    let options = RunOptions {
        filter: Some("later".to_string()),
        ..RunOptions::default()
    };
    let run = run_paths_with(&paths, &options, |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = run.results.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["ready later"]);
    assert_eq!(run.filtered_out, 1);
    let options = RunOptions {
        filter: Some("m.simtest.json > ready".to_string()),
        ..RunOptions::default()
    };
    let run = run_paths_with(&paths, &options, |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(run.results.len(), 2);
    let options = RunOptions {
        filter: Some("nothing like it".to_string()),
        ..RunOptions::default()
    };
    assert!(matches!(
        run_paths_with(&paths, &options, |_| {}),
        Err(TestFileError::NoMatch { total: 2, .. })
    ));
}

#[test]
fn a_mistake_in_a_test_file_is_named_by_its_json_pointer() {
    let (_dir, file) = setup(json!([
        {"name": "ok", "expect": {"status": "SUCCEEDED"}},
        {"name": "typo", "expect": {"status": "SUCEEDED"}}
    ]));
    match parse_file(&file) {
        Err(TestFileError::Invalid { message, .. }) => {
            assert!(
                message.starts_with("at /tests/1/expect/status: unknown variant `SUCEEDED`"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}
