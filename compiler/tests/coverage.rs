//! `flowc test --coverage`, `--coverage-json`, `--min` and `--svg`, through the built binary:
//! what the tests reach is counted by the simulator's own decisions, what they leave
//! unreached is named, and a threshold fails the run.

use std::path::Path;

mod support;

use support::{flowc, text};

/// A check that retries throttling and catches anything else; a Choice with two rules and a
/// Default.
const MACHINE: &str = r#"{
  "StartAt": "Check",
  "States": {
    "Check": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:check",
              "ResultPath": "$.check",
              "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 1}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
              "Next": "Ready?"},
    "Ready?": {"Type": "Choice",
               "Choices": [{"Variable": "$.check.ready", "BooleanEquals": true, "Next": "Done"},
                           {"Variable": "$.check.gone", "BooleanEquals": true, "Next": "Failed"}],
               "Default": "Pause"},
    "Pause": {"Type": "Wait", "Seconds": 30, "Next": "Check"},
    "Done": {"Type": "Succeed"},
    "Failed": {"Type": "Fail", "Error": "Check.Failed"}
  }
}"#;

const READY_LATER: &str = r#"{"name": "ready on the second check",
  "mocks": {"Check": {"0": {"Return": {"ready": false, "gone": false}}, "1": {"Return": {"ready": true, "gone": false}}}},
  "expect": {"status": "SUCCEEDED"}}"#;

const BROKEN: &str = r#"{"name": "throttled, then broken",
  "mocks": {"Check": {"0": {"Throw": {"Error": "Lambda.TooManyRequestsException"}}, "1": {"Throw": {"Error": "Boom"}}}},
  "expect": {"status": "FAILED", "error": "Check.Failed"}}"#;

fn setup(files: &[(&str, &[&str])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("m.asl.json"), MACHINE).unwrap_or_else(|e| panic!("{e}"));
    for (name, tests) in files {
        let file = format!(
            r#"{{"machine": "m.asl.json", "tests": [{}]}}"#,
            tests.join(",")
        );
        std::fs::write(dir.path().join(name), file).unwrap_or_else(|e| panic!("{e}"));
    }
    dir
}

fn json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"))
}

/// The hits of the item of `kind` at `state` (and `index`), from the JSON.
fn hits(doc: &serde_json::Value, kind: &str, state: &str, index: Option<u64>) -> u64 {
    let items = doc["workflows"][0]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let item = items
        .iter()
        .find(|i| {
            i["kind"] == kind
                && i["state"] == state
                && index.is_none_or(|n| i["index"].as_u64() == Some(n))
        })
        .unwrap_or_else(|| panic!("no {kind} of {state} in {doc}"));
    item["hits"].as_u64().unwrap_or(u64::MAX)
}

#[test]
fn an_unreached_catcher_is_reported_and_min_fails_the_run() {
    let dir = setup(&[("t.simtest.json", &[READY_LATER])]);
    let out = flowc(
        &["test", ".", "--coverage-json", "cov.json", "--min", "90"],
        dir.path(),
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "under --min: {stdout}");
    assert!(
        stdout.contains("test result: ok. 1 passed; 0 failed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("not covered: catcher #1 of Check (catch States.ALL)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("not covered: retrier #1 of Check (Lambda.TooManyRequestsException)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("not covered: choice rule #2 of Ready? ($.check.gone == true)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("not covered: state Failed (Fail)"),
        "{stdout}"
    );
    // 5 states, 6 transitions, 3 rules, 1 retrier, 1 catcher: 16; covered: Check, Ready?,
    // Pause, Done; Check -> Ready?, Ready? -> Done, Ready? -> Pause, Pause -> Check; rule 1 and
    // the Default: 10 of 16.
    assert!(stdout.contains("total 10/16 (62.5%)"), "{stdout}");
    assert!(
        stdout.contains("error: coverage of m.asl.json is 62.5%, under --min 90%"),
        "{stdout}"
    );
    let doc = json(&dir.path().join("cov.json"));
    assert_eq!(doc["workflows"][0]["tests"], 1);
    assert_eq!(hits(&doc, "state", "Check", None), 2);
    assert_eq!(hits(&doc, "catcher", "Check", Some(0)), 0);
    assert_eq!(hits(&doc, "choice_rule", "Ready?", Some(0)), 1);
    assert_eq!(doc["workflows"][0]["summary"]["total"]["percent"], 62.5);

    let lower = flowc(&["test", ".", "--coverage", "--min", "60"], dir.path());
    assert_eq!(lower.status.code(), Some(0), "{}", text(&lower.stdout));
}

#[test]
fn tests_add_up_per_workflow_across_files_and_reach_the_catcher() {
    let dir = setup(&[
        ("a.simtest.json", &[READY_LATER]),
        ("b.simtest.json", &[BROKEN]),
    ]);
    let out = flowc(&["test", ".", "--coverage-json", "cov.json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let doc = json(&dir.path().join("cov.json"));
    assert_eq!(doc["workflows"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["workflows"][0]["tests"], 2);
    assert_eq!(hits(&doc, "catcher", "Check", Some(0)), 1);
    assert_eq!(hits(&doc, "retrier", "Check", Some(0)), 1);
    assert_eq!(hits(&doc, "state", "Failed", None), 1);
    let transitions = doc["workflows"][0]["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|i| {
                    i["kind"] == "transition" && i["state"] == "Check" && i["to"] == "Failed"
                })
                .map(|i| i["hits"].as_u64().unwrap_or_default())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    assert_eq!(transitions, [1]);
}

#[test]
fn the_coverage_picture_colours_what_was_not_covered() {
    let dir = setup(&[("t.simtest.json", &[READY_LATER])]);
    let out = flowc(&["test", ".", "--svg", "cov.svg"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let svg = std::fs::read_to_string(dir.path().join("cov.svg")).unwrap_or_else(|e| panic!("{e}"));
    assert!(svg.starts_with("<svg "), "{svg}");
    // Failed is the only state not entered: one red box; the four others are green.
    assert_eq!(svg.matches(r##"fill="#fbe0e0""##).count(), 1, "{svg}");
    assert_eq!(svg.matches(r##"fill="#dff3e3""##).count(), 4, "{svg}");
    // The catch edge and the second rule's label are drawn as not covered.
    assert!(
        svg.contains(r##"stroke="#c62828" stroke-width="1.4" stroke-dasharray="6 4""##),
        "{svg}"
    );
    assert!(
        svg.contains(r##"fill="#c62828">$.check.gone == true</text>"##),
        "{svg}"
    );
}
