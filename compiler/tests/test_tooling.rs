//! `flowc test --filter / --history-dir`, what a failing test prints, and `flowc simulate
//! --simtest FILE --case NAME`, through the built binary.

use std::path::PathBuf;

mod support;

use support::{flowc, text};

/// Check a Lambda, retry it on throttling, catch anything else into Failed.
const MACHINE: &str = r#"{
  "StartAt": "Check",
  "States": {
    "Check": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:check",
              "ResultPath": "$.check",
              "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 1}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
              "Next": "Ready?"},
    "Ready?": {"Type": "Choice",
               "Choices": [{"Variable": "$.check.ready", "BooleanEquals": true, "Next": "Done"}],
               "Default": "Pause"},
    "Pause": {"Type": "Wait", "Seconds": 30, "Next": "Check"},
    "Done": {"Type": "Succeed"},
    "Failed": {"Type": "Fail", "Error": "Check.Failed", "Cause": "the check failed"}
  }
}"#;

const TESTS: &str = r#"{
  "machine": "m.asl.json",
  "tests": [
    {"name": "ready on the third check",
     "mocks": {"Check": {"0-1": {"Return": {"ready": false}}, "2": {"Return": {"ready": true}}}},
     "expect": {"status": "SUCCEEDED", "duration_seconds": 60}},
    {"name": "throttled, then ready",
     "mocks": {"Check": {"0": {"Throw": {"Error": "Lambda.TooManyRequestsException"}}, "1": {"Return": {"ready": true}}}},
     "expect": {"status": "SUCCEEDED"}},
    {"name": "expects success but the check keeps failing",
     "mocks": {"Check": {"0": {"Return": {"ready": false}}, "1": {"Throw": {"Error": "Boom", "Cause": "disk on fire"}}}},
     "expect": {"status": "SUCCEEDED"}}
  ]
}"#;

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (name, content) in [("m.asl.json", MACHINE), ("t.simtest.json", TESTS)] {
        std::fs::write(dir.path().join(name), content).unwrap_or_else(|e| panic!("{e}"));
    }
    dir
}

#[test]
fn filter_runs_only_the_matching_tests_and_counts_the_rest() {
    let dir = setup();
    let out = flowc(&["test", ".", "--filter", "ready"], dir.path());
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("> ready on the third check"), "{stdout}");
    assert!(stdout.contains("> throttled, then ready"), "{stdout}");
    assert!(!stdout.contains("keeps failing"), "{stdout}");
    assert!(
        stdout.ends_with("test result: ok. 2 passed; 0 failed; 1 filtered out\n"),
        "{stdout}"
    );

    let none = flowc(&["test", ".", "--filter", "no such test"], dir.path());
    assert_eq!(none.status.code(), Some(1));
    let stderr = text(&none.stderr);
    assert!(stderr.contains("flowc::sim::no_test_matches"), "{stderr}");
    assert!(stderr.contains("(of 3 tests found)"), "{stderr}");
}

#[test]
fn a_failing_test_says_how_the_execution_ended_and_the_path_it_took() {
    let dir = setup();
    let out = flowc(&["test", ".", "--filter", "keeps failing"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("the execution ended FAILED in Failed: Check.Failed: the check failed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("path taken (5 states): Check -> Ready? -> Pause -> Check -> Failed"),
        "{stdout}"
    );
}

#[test]
fn history_dir_keeps_each_history_as_simulate_writes_it() {
    let dir = setup();
    let out = flowc(&["test", ".", "--history-dir", "histories"], dir.path());
    assert_eq!(out.status.code(), Some(1), "one test fails on purpose");
    let folder = dir.path().join("histories/t");
    let mut files: Vec<String> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "expects-success-but-the-check-keeps-failing.json",
            "ready-on-the-third-check.json",
            "throttled--then-ready.json"
        ]
    );
    // The same case through `flowc simulate --simtest --case --history`: byte for byte.
    let single = flowc(
        &[
            "simulate",
            "--simtest",
            "t.simtest.json",
            "--case",
            "throttled, then ready",
            "--history",
            "one.json",
        ],
        dir.path(),
    );
    assert_eq!(single.status.code(), Some(0), "{}", text(&single.stderr));
    let read = |p: PathBuf| std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{e}"));
    let kept = read(folder.join("throttled--then-ready.json"));
    assert_eq!(kept, read(dir.path().join("one.json")));
    let history: serde_json::Value = serde_json::from_str(&kept).unwrap_or_else(|e| panic!("{e}"));
    let types: Vec<&str> = history["events"]
        .as_array()
        .map(|events| events.iter().filter_map(|e| e["type"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(types.first(), Some(&"ExecutionStarted"));
    assert_eq!(
        types
            .iter()
            .filter(|t| **t == "LambdaFunctionFailed")
            .count(),
        1
    );
    assert_eq!(types.last(), Some(&"ExecutionSucceeded"));
}

#[test]
fn simulate_runs_one_case_with_its_mocks_and_says_whether_it_passed() {
    let dir = setup();
    let run = |case: &str| {
        flowc(
            &["simulate", "--simtest", "t.simtest.json", "--case", case],
            dir.path(),
        )
    };
    let out = run("ready on the third check");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let summary: serde_json::Value =
        serde_json::from_str(&text(&out.stdout)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary["status"], "SUCCEEDED");
    assert_eq!(summary["duration_seconds"], 60.0);
    assert_eq!(summary["test"]["passed"], true);

    let failing = run("expects success but the check keeps failing");
    let summary: serde_json::Value =
        serde_json::from_str(&text(&failing.stdout)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary["error"], "Check.Failed");
    assert_eq!(summary["test"]["passed"], false);
    assert_eq!(
        summary["test"]["failures"][0],
        "status: expected SUCCEEDED, got FAILED (Check.Failed: the check failed)"
    );

    let missing = run("ready on the 3rd check");
    assert_eq!(missing.status.code(), Some(1));
    let stderr = text(&missing.stderr);
    assert!(stderr.contains("flowc::sim::no_such_case"), "{stderr}");
    assert!(
        stderr.contains("its tests are (nearest first): \"ready on the third check\""),
        "{stderr}"
    );

    let usage = flowc(
        &[
            "simulate",
            "m.asl.json",
            "--simtest",
            "t.simtest.json",
            "--case",
            "x",
        ],
        dir.path(),
    );
    assert_eq!(usage.status.code(), Some(2), "FILE and --simtest conflict");
}

#[test]
fn a_mistake_in_a_test_file_names_the_json_pointer_and_no_source_path() {
    let dir = setup();
    let broken = TESTS.replace(
        r#""expect": {"status": "SUCCEEDED"}},"#,
        r#""expect": {"status": "SUCCEEDED", "outptu": {}}},"#,
    );
    std::fs::write(dir.path().join("t.simtest.json"), broken).unwrap_or_else(|e| panic!("{e}"));
    let out = flowc(&["test", "."], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("at /tests/1/expect/outptu: unknown field `outptu`"),
        "{stdout}"
    );
    assert!(stdout.contains("docs/simtest.md"), "{stdout}");
    assert!(!stdout.contains(".rs"), "{stdout}");
}
