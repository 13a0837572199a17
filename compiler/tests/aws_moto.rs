//! `flowc aws` against a real Step Functions API: moto 5.2.5's server (started here through
//! `scripts/moto_server.py`, as the Lambda tests start it; `FLOWC_MOTO_PYTHON` from
//! `eval "$(scripts/ensure-tools.sh)"`) with its execution engine switched on (moto's
//! `stepfunctions: execute_state_machine` config, POST /moto-api/config). For state machines
//! moto can run without Lambda (Pass, Choice, a short Wait, Parallel, Map, intrinsics, Fail):
//! `flowc aws run` -> its history -> `flowc replay` must agree with flowc's simulation, except
//! where [`DISAGREEMENTS`] says which side AWS's documentation supports. Without credentials,
//! region or endpoint, the commands say so.
#![cfg(feature = "aws")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use flowc_test_moto::Moto;
use serde_json::{Value, json};

/// moto's server with its Step Functions execution engine switched on.
fn start_moto() -> Moto {
    let moto = Moto::start(&["--flowc".as_ref(), env!("CARGO_BIN_EXE_flowc").as_ref()]);
    moto.configure(r#"{"stepfunctions": {"execute_state_machine": true}}"#);
    moto
}

fn flowc(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flowc"));
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
    // Nothing of the machine's own AWS setup: the test says what the SDK sees.
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", dir)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output()
        .unwrap_or_else(|e| panic!("running flowc: {e}"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn credentials(endpoint: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", "testing".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
        ("AWS_ENDPOINT_URL", endpoint.to_string()),
    ]
}

/// The machines moto can run without Lambda, with their inputs.
fn machines() -> Vec<(&'static str, Value, Value)> {
    vec![
        (
            "pass_choice",
            json!({"StartAt": "Init", "States": {
                "Init": {"Type": "Pass", "Result": {"n": 3}, "ResultPath": "$.init", "Next": "Pick"},
                "Pick": {"Type": "Choice", "Choices": [
                    {"Variable": "$.init.n", "NumericGreaterThan": 2, "Next": "Big"}],
                    "Default": "Small"},
                "Big": {"Type": "Pass", "Parameters": {"size": "big", "n.$": "$.init.n"}, "End": true},
                "Small": {"Type": "Succeed"}}}),
            json!({"who": "t-1"}),
        ),
        (
            "short_wait",
            json!({"StartAt": "Pause", "States": {
                "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
                "Done": {"Type": "Pass", "End": true}}}),
            json!({"a": 1}),
        ),
        (
            "parallel",
            json!({"StartAt": "Both", "States": {
                "Both": {"Type": "Parallel", "End": true, "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "a", "End": true}}},
                    {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": "b", "End": true}}}]}}}),
            json!({}),
        ),
        (
            "map",
            json!({"StartAt": "Each", "States": {
                "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "End": true,
                    "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Double",
                        "States": {"Double": {"Type": "Pass",
                            "Parameters": {"v.$": "States.MathAdd($.v, $.v)"}, "End": true}}}}}}),
            json!({"items": [{"v": 1}, {"v": 2}, {"v": 3}]}),
        ),
        (
            "intrinsics",
            json!({"StartAt": "Fmt", "States": {
                "Fmt": {"Type": "Pass", "Parameters": {
                    "greeting.$": "States.Format('Hello, {}!', $.name)",
                    "parts.$": "States.StringSplit($.csv, ',')",
                    "len.$": "States.ArrayLength(States.StringSplit($.csv, ','))",
                    "json.$": "States.JsonToString($.obj)"}, "End": true}}}),
            json!({"name": "acme", "csv": "a,b,c", "obj": {"k": 1}}),
        ),
        (
            "fail",
            json!({"StartAt": "Check", "States": {
                "Check": {"Type": "Choice", "Choices": [
                    {"Variable": "$.ok", "BooleanEquals": true, "Next": "Fine"}], "Default": "Broken"},
                "Fine": {"Type": "Succeed"},
                "Broken": {"Type": "Fail", "Error": "Tenant.Invalid", "Cause": "ok was false"}}}),
            json!({"ok": false}),
        ),
    ]
}

/// Where moto's history and flowc's simulation part, with which side AWS supports. Each entry:
/// (machine, the text of the finding, who is right and why). An entry must be found: a fixed
/// disagreement is taken off the list.
const DISAGREEMENTS: [(&str, &str, &str); 1] = [(
    "parallel",
    "recorded (AWS) ParallelStateSucceeded, simulated (flowc) ParallelStateExited `Both`",
    "flowc: HistoryEventType lists ParallelStateSucceeded, but AWS does not write it: both \
     Parallel executions whose history the conformance corpus recorded on AWS go \
     ParallelStateStarted, the branches, ParallelStateExited (simulator/src/states/parallel.rs). \
     moto 5.2.5 writes ParallelStateSucceeded before ParallelStateExited",
)];

#[test]
fn moto_runs_replay_as_flowc_simulates_them() {
    let moto = start_moto();
    let endpoint = format!("http://127.0.0.1:{}", moto.port());
    let env = credentials(&endpoint);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut found = Vec::new();
    for (name, machine, input) in machines() {
        let file: PathBuf = dir.path().join(format!("{name}.asl.json"));
        std::fs::write(
            &file,
            serde_json::to_string_pretty(&machine).unwrap_or_default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let file_name = format!("{name}.asl.json");
        let history = format!("{name}.history.json");
        let input = input.to_string();
        let validated = flowc(&["aws", "validate", &file_name], dir.path(), &env);
        assert_eq!(
            validated.status.code(),
            Some(0),
            "{name}: validate: {}{}",
            text(&validated.stdout),
            text(&validated.stderr)
        );
        let ran = flowc(
            &[
                "aws",
                "run",
                &file_name,
                "--role-arn",
                "arn:aws:iam::123456789012:role/sfn",
                "--input",
                &input,
                "--history",
                &history,
                "--timeout",
                "60",
            ],
            dir.path(),
            &env,
        );
        assert_eq!(
            ran.status.code(),
            Some(0),
            "{name}: run: {}",
            text(&ran.stderr)
        );
        let aws_result: Value =
            serde_json::from_str(text(&ran.stdout).trim()).unwrap_or_else(|e| {
                panic!(
                    "{name}: run printed no result object ({e}): {}",
                    text(&ran.stdout)
                )
            });
        let simulated = flowc(
            &["simulate", &file_name, "--input", &input],
            dir.path(),
            &[],
        );
        let sim_result: Value = serde_json::from_str(text(&simulated.stdout).trim())
            .unwrap_or_else(|e| panic!("{name}: simulate: {e}"));
        if aws_result["status"] != sim_result["status"]
            || aws_result.get("output") != sim_result.get("output")
            || aws_result.get("error") != sim_result.get("error")
        {
            found.push(format!(
                "{name}: result: moto {aws_result}, flowc {sim_result}"
            ));
        }
        let replayed = flowc(
            &["replay", &history, "--machine", &file_name],
            dir.path(),
            &[],
        );
        match replayed.status.code() {
            Some(0) => {}
            _ => found.push(format!(
                "{name}: replay: {}{}",
                text(&replayed.stdout),
                text(&replayed.stderr)
            )),
        }
        // `flowc aws history` writes the same file `run --history` did.
        let execution = text(&ran.stderr)
            .lines()
            .find_map(|l| l.strip_prefix("started ").map(str::to_owned))
            .unwrap_or_else(|| panic!("{name}: run named no execution: {}", text(&ran.stderr)));
        let fetched = flowc(
            &["aws", "history", &execution, "-o", "fetched.json"],
            dir.path(),
            &env,
        );
        assert_eq!(
            fetched.status.code(),
            Some(0),
            "{name}: history: {}",
            text(&fetched.stderr)
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("fetched.json")).unwrap_or_default(),
            std::fs::read_to_string(dir.path().join(&history)).unwrap_or_default(),
            "{name}: aws history and run --history differ"
        );
    }
    let explained = |f: &String| {
        DISAGREEMENTS
            .iter()
            .any(|(m, what, _)| f.starts_with(&format!("{m}:")) && f.contains(what))
    };
    for (machine, what, why) in DISAGREEMENTS {
        assert!(
            found
                .iter()
                .any(|f| f.starts_with(&format!("{machine}:")) && f.contains(what)),
            "{machine}: the listed disagreement ({what}) is gone; take it off the list ({why})"
        );
    }
    let unexplained: Vec<&String> = found.iter().filter(|f| !explained(f)).collect();
    assert!(
        unexplained.is_empty(),
        "moto and flowc disagree:\n{}",
        unexplained
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn without_credentials_region_or_endpoint_the_commands_say_so() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let arn = "arn:aws:states:us-east-1:123456789012:execution:M:e";
    // No region anywhere.
    let out = flowc(
        &["aws", "history", arn],
        dir.path(),
        &[("AWS_ACCESS_KEY_ID", "x"), ("AWS_SECRET_ACCESS_KEY", "y")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("flowc::aws::no_region"),
        "{}",
        text(&out.stderr)
    );
    // A region, no credentials (HOME is empty, no instance metadata).
    let out = flowc(
        &[
            "aws",
            "history",
            arn,
            "--endpoint-url",
            "http://127.0.0.1:9",
        ],
        dir.path(),
        &[("AWS_REGION", "us-east-1")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("flowc::aws::no_credentials"),
        "{}",
        text(&out.stderr)
    );
    // Credentials, but nothing listens at the endpoint.
    let out = flowc(
        &[
            "aws",
            "history",
            arn,
            "--endpoint-url",
            "http://127.0.0.1:9",
        ],
        dir.path(),
        &[
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "x"),
            ("AWS_SECRET_ACCESS_KEY", "y"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("flowc::aws::endpoint"),
        "{}",
        text(&out.stderr)
    );
}

/// The tenant workflow on moto's engine, as far as moto can run it. Its Tasks call Lambda, and
/// moto 5.2.5 runs a function only in Docker (and not our `provided.al2023` binaries), while
/// the mock-result configuration its engine took over from LocalStack never loads (moto's
/// `load_mock_test_case_for` sets it to `None`). So every Lambda call fails in moto (the
/// functions do not exist), and the execution goes ValidateInput's catch -> MarkTenantFailed
/// (fails too, caught) -> ProvisioningFailed: moto's history of that path, fetched with
/// `flowc aws run --history`, replays against the `.flow` with no divergence. The path through
/// the real handlers is recorded and replayed in lambdas/tenant-core/tests/e2e_workflow.rs.
#[test]
fn the_tenant_workflow_fails_on_moto_without_its_lambdas_and_replays() {
    let moto = start_moto();
    let endpoint = format!("http://127.0.0.1:{}", moto.port());
    let env = credentials(&endpoint);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let workflows = Path::new(env!("CARGO_MANIFEST_DIR")).join("../workflows");
    let flow = workflows.join("tenant_provisioning.flow");
    let flow = flow.to_string_lossy();
    std::fs::write(
        dir.path().join("input.json"),
        r#"{"tenant_id": "t-moto", "subdomain": "moto"}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let binds = [
        "--bind",
        "provisioning=arn:aws:lambda:us-east-1:123456789012:function:tenant-provisioning",
        "--bind",
        "status_checker=arn:aws:lambda:us-east-1:123456789012:function:tenant-status-checker",
    ];
    let mut run_args = vec!["aws", "run", &flow];
    run_args.extend(binds);
    run_args.extend([
        "--role-arn",
        "arn:aws:iam::123456789012:role/sfn",
        "--input-file",
        "input.json",
        "--history",
        "tenant.history.json",
        "--timeout",
        "60",
    ]);
    let ran = flowc(&run_args, dir.path(), &env);
    assert_eq!(ran.status.code(), Some(0), "run: {}", text(&ran.stderr));
    let result: Value = serde_json::from_str(text(&ran.stdout).trim())
        .unwrap_or_else(|e| panic!("run printed no result object ({e}): {}", text(&ran.stdout)));
    assert_eq!(result["status"], "FAILED", "{result}");
    // moto names a failed Invoke `Exception` with the client error's message (its engine's
    // `StateTaskLambda._from_error`); the replay serves whatever the recording says.
    assert_eq!(result["error"], "Exception", "{result}");
    assert_eq!(
        result["cause"],
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:tenant-provisioning"
    );
    let history: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("tenant.history.json")).unwrap_or_default(),
    )
    .unwrap_or_else(|e| panic!("history: {e}"));
    let entered: Vec<&str> = history["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| {
            e["type"]
                .as_str()
                .is_some_and(|t| t.ends_with("StateEntered"))
        })
        .filter_map(|e| e["stateEnteredEventDetails"]["name"].as_str())
        .collect();
    assert_eq!(
        entered,
        ["ValidateInput", "MarkTenantFailed", "ProvisioningFailed"]
    );

    let mut replay_args = vec!["replay", "tenant.history.json", "--machine", &flow];
    replay_args.extend(binds);
    let replayed = flowc(&replay_args, dir.path(), &[]);
    assert_eq!(
        replayed.status.code(),
        Some(0),
        "{}{}",
        text(&replayed.stdout),
        text(&replayed.stderr)
    );
    assert!(
        text(&replayed.stdout).starts_with("replay: no divergence"),
        "{}",
        text(&replayed.stdout)
    );
}
