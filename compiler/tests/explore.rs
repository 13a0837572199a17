//! `flowc explore` through the built binary: the tenant workflow's outcomes (golden), an
//! uncaught error a small workflow's happy path hides, properties that fail the run, the
//! emitted simulation tests passing under `flowc test`, the pictures, and bad flags.
//! Regenerate the goldens with `SNAPSHOTS=overwrite cargo test -p flowc --test explore`.

mod support;

use std::path::Path;

use support::{flowc, repo_root, text};

/// A charge that retries throttling and catches a declined card; nothing else is caught, so
/// any other error fails the execution in Charge, which its one test never shows.
const CHARGE: &str = r#"{
  "StartAt": "Charge",
  "States": {
    "Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
               "ResultPath": "$.receipt",
               "Retry": [{"ErrorEquals": ["Throttled"], "MaxAttempts": 2, "IntervalSeconds": 1}],
               "Catch": [{"ErrorEquals": ["Card.Declined"], "ResultPath": "$.error", "Next": "Notify"}],
               "Next": "Done"},
    "Notify": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:notify",
               "ResultPath": null,
               "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": null, "Next": "Declined"}],
               "Next": "Declined"},
    "Declined": {"Type": "Fail", "Error": "Payment.Declined"},
    "Done": {"Type": "Succeed"}
  }
}"#;

const CHARGE_TESTS: &str = r#"{"machine": "charge.asl.json", "tests": [
  {"name": "paid", "input": {"amount": 5},
   "mocks": {"Charge": {"0": {"Return": {"id": "ch_1"}}}},
   "expect": {"status": "SUCCEEDED"}}]}"#;

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (name, body) in [
        ("charge.asl.json", CHARGE),
        ("charge.simtest.json", CHARGE_TESTS),
    ] {
        std::fs::write(dir.path().join(name), body).unwrap_or_else(|e| panic!("{e}"));
    }
    dir
}

fn explore(args: &[&str], dir: &Path) -> snapbox::cmd::OutputAssert {
    snapbox::cmd::Command::new(snapbox::cmd::cargo_bin!("flowc"))
        .arg("explore")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .assert()
}

#[test]
fn tenant_workflow_outcomes() {
    explore(
        &[
            "workflows/tenant_provisioning.flow",
            "--mocks",
            "workflows/tests/tenant_provisioning.simtest.json",
            "--require",
            "FAILED passes MarkTenantFailed",
            "--require",
            "every path ends within 2h",
        ],
        &repo_root(),
    )
    .success()
    .stdout_eq(snapbox::file!["explore/tenant_provisioning.txt"]);
}

#[test]
fn the_uncaught_error_a_happy_path_hides_is_found() {
    let dir = setup();
    explore(
        &["charge.asl.json", "--mocks", "charge.simtest.json"],
        dir.path(),
    )
    .success()
    .stdout_eq(snapbox::file!["explore/charge.txt"]);
    // The one hand-written test passes and never fails the execution.
    let out = flowc(&["test", "charge.simtest.json"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stdout));
}

#[test]
fn a_violated_property_exits_1_with_its_shortest_counterexample() {
    let dir = setup();
    let out = flowc(
        &[
            "explore",
            "charge.asl.json",
            "--require",
            "FAILED passes Notify",
            "--require",
            "SUCCEEDED never",
            "--require",
            "ends within 1m",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("VIOLATED FAILED passes Notify: 2 of 4 runs; the shortest:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ended FAILED Throttled in Charge"),
        "{stdout}"
    );
    assert!(
        stdout.contains("VIOLATED SUCCEEDED never: 1 of 5 runs"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ok      ends within 1m (5 runs checked)"),
        "{stdout}"
    );
}

#[test]
fn emitted_tests_pass_under_flowc_test() {
    let dir = setup();
    std::fs::create_dir(dir.path().join("tests")).unwrap_or_else(|e| panic!("{e}"));
    let out = flowc(
        &[
            "explore",
            "charge.asl.json",
            "--emit-simtest",
            "tests/explored.simtest.json",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let emitted = std::fs::read_to_string(dir.path().join("tests/explored.simtest.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        emitted.contains(r#""machine": "../charge.asl.json""#),
        "{emitted}"
    );
    let out = flowc(&["test", "tests"], dir.path());
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("test result: ok. 5 passed; 0 failed"),
        "{stdout}"
    );
}

#[test]
fn the_tenant_witnesses_pass_under_flowc_test_and_cover_every_item() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let emitted = dir.path().join("tenant.simtest.json");
    let emitted = emitted.to_string_lossy();
    let out = flowc(
        &[
            "explore",
            "workflows/tenant_provisioning.flow",
            "--mocks",
            "workflows/tests/tenant_provisioning.simtest.json",
            "--emit-simtest",
            &emitted,
        ],
        &repo_root(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = flowc(&["test", &emitted, "--coverage"], &repo_root());
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("42 passed; 0 failed"), "{stdout}");
    assert!(stdout.contains("total 122/122 (100.0%)"), "{stdout}");
}

#[test]
fn pictures_colour_what_the_runs_and_one_outcome_reached() {
    let dir = setup();
    let out = flowc(
        &["explore", "charge.asl.json", "--svg", "all.svg"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let all = std::fs::read_to_string(dir.path().join("all.svg")).unwrap_or_else(|e| panic!("{e}"));
    assert!(all.contains("reached by an explored run"), "{all}");
    let out = flowc(
        &[
            "explore",
            "charge.asl.json",
            "--svg",
            "one.svg",
            "--outcome",
            "1",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let one = std::fs::read_to_string(dir.path().join("one.svg")).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        one.contains("reached by outcome #1 (SUCCEEDED in Done)"),
        "{one}"
    );
    assert_ne!(all, one);
}

#[test]
fn bad_flags_and_files_are_named_and_exit_2() {
    let dir = setup();
    for (args, expected) in [
        (
            vec!["charge.asl.json", "--require", "sometimes FAILED"],
            "flowc::explore::require",
        ),
        (
            vec!["charge.asl.json", "--require", "FAILED passes Notfy"],
            "did you mean `Notify`?",
        ),
        (
            vec!["charge.asl.json", "--mocks", "missing.json"],
            "flowc::explore::mocks",
        ),
        (
            vec!["charge.asl.json", "--input", "{not json"],
            "flowc::explore::input",
        ),
        (
            vec!["charge.asl.json", "--svg", "x.svg", "--outcome", "9"],
            "flowc::explore::no_such_outcome",
        ),
        (vec!["charge.asl.json", "--max-runs", "0"], "--max-runs"),
        (vec!["missing.asl.json"], "missing.asl.json"),
    ] {
        let mut all = vec!["explore"];
        all.extend(&args);
        let out = flowc(&all, dir.path());
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("internal error"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_hundred_tasks_with_five_answers_each_stop_at_the_budget() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut states = Vec::new();
    for i in 0..100 {
        let next = if i == 99 {
            "Done".to_string()
        } else {
            format!("T{}", i + 1)
        };
        states.push(format!(
            r#""T{i}": {{"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "TimeoutSeconds": 5,
                "ResultPath": "$.r{i}",
                "Catch": [{{"ErrorEquals": ["A", "B"], "ResultPath": "$.r{i}", "Next": "{next}"}}], "Next": "{next}"}}"#
        ));
    }
    let machine = format!(
        r#"{{"StartAt": "T0", "States": {{{}, "Done": {{"Type": "Succeed"}}}}}}"#,
        states.join(",")
    );
    std::fs::write(dir.path().join("wide.asl.json"), machine).unwrap_or_else(|e| panic!("{e}"));
    let out = flowc(
        &["explore", "wide.asl.json", "--max-runs", "300"],
        dir.path(),
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("300 runs"), "{stdout}");
    assert!(
        stdout.contains("stopped early at --max-runs 300"),
        "{stdout}"
    );
}

/// The committed explored cases are what `flowc explore` makes of the workflow today (as
/// docs/simtest.md says to make them again after a change).
#[test]
fn the_committed_explored_tenant_cases_are_current() {
    for twin in ["tenant_provisioning", "tenant_provisioning_jsonata"] {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let fresh = dir.path().join("fresh.simtest.json");
        let fresh_name = fresh.to_string_lossy();
        let machine = format!("workflows/{twin}.asl.json");
        let mocks = format!("workflows/tests/{twin}.simtest.json");
        let out = flowc(
            &[
                "explore",
                &machine,
                "--mocks",
                &mocks,
                "--emit-simtest",
                &fresh_name,
            ],
            &repo_root(),
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let read = |path: &Path| -> serde_json::Value {
            let body = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}"));
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}"))
        };
        let committed =
            read(&repo_root().join(format!("workflows/tests/{twin}_explored.simtest.json")));
        assert_eq!(committed["machine"], format!("../{twin}.asl.json"));
        assert!(
            committed["tests"] == read(&fresh)["tests"],
            "workflows/tests/{twin}_explored.simtest.json is stale: make it again as docs/simtest.md says"
        );
    }
}
