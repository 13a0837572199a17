//! `flowc replay` end to end, running the binary: a history `flowc simulate --history` wrote of
//! the tenant workflow replays with no divergence (exit 0); a doctored one, or a changed
//! definition, shows the first divergence with both events (exit 1); `--emit-simtest` writes a
//! test `flowc test` passes; a missing `--machine` or a file that is no history is said clearly.
//! The divergences' wording is held by golden files (`tests/replay/*.stdout`, times blurred);
//! regenerate with `SNAPSHOTS=overwrite cargo test -p flowc --test replay`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use support::flowc;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
}

fn workflows() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../workflows")
}

/// A scratch folder holding the tenant workflow, its mock file, and the history of its
/// `case` run (`flowc simulate --history`).
fn recorded(case: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    for file in ["tenant_provisioning.flow", "tenant_provisioning.asl.json"] {
        std::fs::copy(workflows().join(file), dir.path().join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    // The workflow's mock file, plus a case whose backend is unhealthy at the first check.
    let mut mocks = read_json(&workflows().join("tests/MockConfigFile.json"));
    let mut unhealthy =
        mocks["StateMachines"]["tenant_provisioning"]["TestCases"]["HappyPath"].clone();
    unhealthy["CheckBackendHealth"] = "BackendUnhealthy".into();
    // The failure branch rolls the tenant back before marking it failed (53070c5).
    unhealthy["RollBackTenant"] = "RolledBack".into();
    mocks["StateMachines"]["tenant_provisioning"]["TestCases"]["BackendUnhealthy"] = unhealthy;
    mocks["MockedResponses"]["BackendUnhealthy"] = serde_json::json!(
        {"0": {"Return": {"status": "unhealthy", "reason": "0 of 2 tasks running"}}}
    );
    mocks["MockedResponses"]["RolledBack"] = serde_json::json!(
        {"0": {"Return": {"action": "rollback", "rolled_back": true}}}
    );
    std::fs::write(dir.path().join("MockConfigFile.json"), mocks.to_string())
        .unwrap_or_else(|e| panic!("mocks: {e}"));
    let out = flowc(
        &[
            "simulate",
            "tenant_provisioning.asl.json",
            "--input",
            r#"{"tenant_id":"t-0001","subdomain":"acme"}"#,
            "--mock-config",
            "MockConfigFile.json",
            "--test-case",
            case,
            "--state-machine",
            "tenant_provisioning",
            "--history",
            "recorded.json",
        ],
        dir.path(),
    );
    assert_exit(&out, 0);
    dir
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_simulated_history_replays_with_no_divergence_and_becomes_a_passing_test() {
    let dir = recorded("HappyPath");
    let out = flowc(
        &[
            "replay",
            "recorded.json",
            "--machine",
            "tenant_provisioning.flow",
            "--emit-simtest",
            "tests/incident.simtest.json",
        ],
        dir.path(),
    );
    assert_exit(&out, 0);
    assert_eq!(
        text(&out.stdout),
        "replay: no divergence: simulated (flowc) agrees with recorded (AWS) on 95 events, SUCCEEDED, 240 s simulated\n"
    );
    let test = read_json(&dir.path().join("tests/incident.simtest.json"));
    assert_eq!(test["machine"], "../tenant_provisioning.flow");
    assert_eq!(test["tests"][0]["expect"]["status"], "SUCCEEDED");
    assert_eq!(test["tests"][0]["expect"]["duration_seconds"], 240.0);
    // The backend was pending twice, then healthy: the recorded answers by invocation.
    assert_eq!(
        test["tests"][0]["mocks"]["CheckBackendHealth"]["2"]["Return"]["status"],
        "healthy"
    );
    let out = flowc(&["test", "tests"], dir.path());
    assert_exit(&out, 0);
    assert!(
        text(&out.stdout).contains("test result: ok. 1 passed; 0 failed"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_failed_execution_replays_and_its_test_expects_the_failure() {
    let dir = recorded("BackendUnhealthy");
    let out = flowc(
        &[
            "replay",
            "recorded.json",
            "--machine",
            "tenant_provisioning.asl.json",
            "--emit-simtest",
            "failed.simtest.json",
        ],
        dir.path(),
    );
    assert_exit(&out, 0);
    assert!(
        text(&out.stdout).contains("FAILED"),
        "{}",
        text(&out.stdout)
    );
    let test = read_json(&dir.path().join("failed.simtest.json"));
    assert_eq!(test["tests"][0]["expect"]["status"], "FAILED");
    assert_exit(&flowc(&["test", "failed.simtest.json"], dir.path()), 0);
}

#[test]
fn a_doctored_answer_diverges_with_exit_1_and_both_events_shown() {
    let dir = recorded("HappyPath");
    let path = dir.path().join("recorded.json");
    let mut history = read_json(&path);
    // The third backend health check answered "unhealthy" in this version of events.
    let events = history["events"]
        .as_array_mut()
        .unwrap_or_else(|| panic!("no events"));
    let answer = events
        .iter_mut()
        .filter(|e| e["type"] == "TaskSucceeded")
        .find(|e| {
            e["taskSucceededEventDetails"]["output"]
                .as_str()
                .is_some_and(|o| o.contains(r#""status":"healthy""#))
        })
        .unwrap_or_else(|| panic!("no healthy answer"));
    let output = answer["taskSucceededEventDetails"]["output"]
        .as_str()
        .unwrap_or_default()
        .replacen(r#""status":"healthy""#, r#""status":"unhealthy""#, 1);
    answer["taskSucceededEventDetails"]["output"] = output.into();
    std::fs::write(
        dir.path().join("doctored.json"),
        serde_json::to_string_pretty(&history).unwrap_or_default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = flowc(
        &[
            "replay",
            "doctored.json",
            "--machine",
            "tenant_provisioning.asl.json",
        ],
        dir.path(),
    );
    assert_exit(&out, 1);
    golden(&out, "replay/doctored_answer.stdout");
}

/// The verdict as printed, with the events' times (virtual, but times) blurred, against the
/// golden file `name` (regenerate: `SNAPSHOTS=overwrite cargo test -p flowc --test replay`).
fn golden(out: &Output, name: &str) {
    let mut shown = String::new();
    let mut rest = text(&out.stdout);
    const KEY: &str = r#""timestamp":""#;
    while let Some(at) = rest.find(KEY) {
        let value = at + KEY.len();
        let end = rest[value..].find('"').map_or(rest.len(), |e| value + e);
        shown.push_str(&rest[..value]);
        shown.push_str("[TIME]");
        rest = rest[end..].to_string();
    }
    shown.push_str(&rest);
    // Payloads are JSON text inside JSON: their backslashes are no path separators.
    snapbox::Assert::new()
        .action_env(snapbox::assert::DEFAULT_ACTION_ENV)
        .normalize_paths(false)
        .eq(
            shown,
            snapbox::Data::read_from(
                &Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests")
                    .join(name),
                None,
            ),
        );
}

#[test]
fn a_changed_definition_shows_the_expected_divergence() {
    let dir = recorded("HappyPath");
    // Today's workflow polls the backend every 30 s instead of every 60 s.
    let flow = std::fs::read_to_string(dir.path().join("tenant_provisioning.flow"))
        .unwrap_or_else(|e| panic!("{e}"));
    let changed = flow.replacen(
        "poll BackendHealth every 60s",
        "poll BackendHealth every 30s",
        1,
    );
    assert_ne!(flow, changed, "the tenant flow's backend poll moved");
    std::fs::write(dir.path().join("changed.flow"), changed).unwrap_or_else(|e| panic!("{e}"));
    let out = flowc(
        &["replay", "recorded.json", "--machine", "changed.flow"],
        dir.path(),
    );
    assert_exit(&out, 1);
    golden(&out, "replay/slower_poll.stdout");

    // Today's workflow no longer creates the DNS record.
    let start = flow.find("task CreateDNSRecord").unwrap_or(0);
    let end = flow.find("task DeployBackendService").unwrap_or(0);
    assert!(start > 0 && end > start, "the tenant flow's DNS step moved");
    let without_dns = format!("{}{}", &flow[..start], &flow[end..]);
    std::fs::write(dir.path().join("without_dns.flow"), without_dns)
        .unwrap_or_else(|e| panic!("{e}"));
    let out = flowc(
        &["replay", "recorded.json", "--machine", "without_dns.flow"],
        dir.path(),
    );
    assert_exit(&out, 1);
    golden(&out, "replay/removed_state.stdout");
}

#[test]
fn replay_without_a_machine_says_why_it_needs_one() {
    let dir = recorded("HappyPath");
    let out = flowc(&["replay", "recorded.json"], dir.path());
    assert_exit(&out, 2);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("needs --machine FILE"), "{stderr}");
    assert!(
        stderr.contains("never includes the state machine's definition"),
        "{stderr}"
    );
    assert!(
        stderr.contains("describe-state-machine-for-execution"),
        "{stderr}"
    );
}

#[test]
fn a_file_that_is_no_history_is_a_clear_error() {
    let dir = recorded("HappyPath");
    std::fs::write(dir.path().join("list.json"), r#"{"executions": []}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    let out = flowc(
        &[
            "replay",
            "list.json",
            "--machine",
            "tenant_provisioning.asl.json",
        ],
        dir.path(),
    );
    assert_exit(&out, 1);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("flowc::sim::invalid_history"), "{stderr}");
    assert!(stderr.contains("no \"events\" list"), "{stderr}");
}
