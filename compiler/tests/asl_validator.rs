//! Every compiled golden (`tests/corpus/ok/*.asl.json`) and workflow (`workflows/*.asl.json`)
//! passes asl-validator 4.0.0, the npm validator, with `${name}` Terraform placeholders replaced
//! by valid Lambda ARNs first.
//!
//! The validator comes from `scripts/ensure-tools.sh` (`FLOWC_ASL_VALIDATOR`). This test fails,
//! never skips, when it is missing: run `eval "$(scripts/ensure-tools.sh)"` first.

use std::path::PathBuf;
use std::process::Command;

mod support;
use support::repo_root;

fn validator() -> PathBuf {
    let Some(path) = std::env::var_os("FLOWC_ASL_VALIDATOR") else {
        panic!(
            "FLOWC_ASL_VALIDATOR is not set: run `eval \"$(scripts/ensure-tools.sh)\"` (it installs asl-validator 4.0.0)"
        );
    };
    let path = PathBuf::from(path);
    assert!(
        path.is_file(),
        "FLOWC_ASL_VALIDATOR={} does not exist: run scripts/ensure-tools.sh again",
        path.display()
    );
    path
}

fn definitions() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["compiler/tests/corpus/ok", "workflows"] {
        let dir = repo_root().join(dir);
        let entries =
            std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
        out.extend(
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with(".asl.json")),
        );
    }
    out.sort();
    out
}

/// `${name}` -> `arn:aws:lambda:us-east-1:123456789012:function:name`, as Terraform's
/// templatefile() would with real ARNs.
fn substitute_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                out.push_str("arn:aws:lambda:us-east-1:123456789012:function:");
                out.push_str(name);
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn placeholders_become_lambda_arns() {
    assert_eq!(
        substitute_placeholders(r#"{"Resource": "${checker}", "x": "$.y"}"#),
        r#"{"Resource": "arn:aws:lambda:us-east-1:123456789012:function:checker", "x": "$.y"}"#
    );
}

#[test]
fn every_golden_and_workflow_passes_asl_validator() {
    let validator = validator();
    let definitions = definitions();
    assert!(
        definitions.len() >= 2,
        "no definitions found: {definitions:?}"
    );
    let temp = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let mut command = Command::new(&validator);
    for (index, path) in definitions.iter().enumerate() {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let copy = temp.path().join(format!("{index}-{name}"));
        std::fs::write(&copy, substitute_placeholders(&text))
            .unwrap_or_else(|e| panic!("writing {}: {e}", copy.display()));
        command.arg("--json-path").arg(&copy);
    }
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", validator.display()));
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "asl-validator rejected:\n{report}");
    // One verdict per file, so a silently ignored argument cannot pass.
    assert_eq!(
        report.matches("is valid").count(),
        definitions.len(),
        "{report}"
    );
}

#[test]
fn asl_validator_rejects_a_broken_definition() {
    // Guards the harness: a validator that accepted anything would make the test above vacuous.
    let validator = validator();
    let temp = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let bad = temp.path().join("bad.asl.json");
    std::fs::write(
        &bad,
        r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let output = Command::new(&validator)
        .arg("--json-path")
        .arg(&bad)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", validator.display()));
    assert!(!output.status.success());
}
