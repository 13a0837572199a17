//! docs/simtest.schema.json, the JSON Schema editors check `*.simtest.json` files with, against
//! every simulation test file in the repository (all must validate) and against broken files
//! (the schema must refuse what `flowc test` refuses, so an editor's squiggle and the runner
//! agree).

use std::path::{Path, PathBuf};

mod support;

use support::repo_root;

fn validator() -> jsonschema::Validator {
    let path = repo_root().join("docs/simtest.schema.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let schema: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("the schema is not JSON: {e}"));
    jsonschema::draft7::new(&schema).unwrap_or_else(|e| panic!("the schema is not valid: {e}"))
}

fn simtest_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with('.') || name == "target" || name == "node_modules" {
            continue;
        }
        if path.is_dir() {
            simtest_files(&path, out);
        } else if name.ends_with(".simtest.json") {
            out.push(path);
        }
    }
}

#[test]
fn every_simtest_file_in_the_repository_follows_the_schema() {
    let validator = validator();
    let mut files = Vec::new();
    simtest_files(&repo_root(), &mut files);
    files.sort();
    // workflows/tests (3) and examples/team-repo (1) at least: an empty walk would pass vacuously.
    assert!(files.len() >= 4, "found only {files:?}");
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{e}"));
        let value: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for error in validator.iter_errors(&value) {
            problems.push(format!(
                "{}: {} at {}",
                file.display(),
                error,
                error.instance_path()
            ));
        }
        // And flowc reads it.
        if let Err(e) = flowc::testing::parse_file(file) {
            problems.push(format!("{}: flowc refuses it: {e}", file.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Files both the schema and flowc's parser refuse, and files both accept.
#[test]
fn the_schema_refuses_what_flowc_refuses() {
    let validator = validator();
    let ok = serde_json::json!({
        "$schema": "../docs/simtest.schema.json",
        "machine": "m.asl.json",
        "mocks": {"Check": {"0": {"Return": {"ready": true}}}},
        "tests": [{"name": "t", "seed": 3, "input": {"a": 1},
                   "mocks": {"Check": {"0-2": {"Throw": {"Error": "E", "Cause": "c"}, "AfterSeconds": 2},
                                       "3": {"NoAnswer": true, "HeartbeatEverySeconds": 5}}},
                   "expect": {"status": "FAILED", "error": "E", "path": ["Check"],
                              "duration_seconds": {"min": 1, "max": 2}}}]
    });
    let broken: Vec<(&str, serde_json::Value)> = vec![
        ("no machine", serde_json::json!({"tests": []})),
        (
            "unknown key",
            serde_json::json!({"machine": "m", "tests": [], "mock": {}}),
        ),
        (
            "misspelt status",
            serde_json::json!({"machine": "m", "tests": [{"name": "t", "expect": {"status": "SUCEEDED"}}]}),
        ),
        (
            "no expect",
            serde_json::json!({"machine": "m", "tests": [{"name": "t"}]}),
        ),
        (
            "unknown expectation",
            serde_json::json!({"machine": "m", "tests": [{"name": "t", "expect": {"status": "FAILED", "errors": "E"}}]}),
        ),
        (
            "negative seed",
            serde_json::json!({"machine": "m", "tests": [{"name": "t", "seed": -1, "expect": {"status": "FAILED"}}]}),
        ),
    ];
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let parse = |value: &serde_json::Value| {
        let path = dir.path().join("x.simtest.json");
        std::fs::write(&path, value.to_string()).unwrap_or_else(|e| panic!("{e}"));
        flowc::testing::parse_file(&path)
    };
    assert!(
        validator.is_valid(&ok),
        "{:?}",
        validator.validate(&ok).err()
    );
    assert!(parse(&ok).is_ok(), "{:?}", parse(&ok).err());
    for (what, value) in &broken {
        assert!(
            !validator.is_valid(value),
            "the schema accepts a file with {what}"
        );
        assert!(parse(value).is_err(), "flowc accepts a file with {what}");
    }
    // Mocked responses flowc-sim checks when a test runs: the schema checks them at once.
    let bad_mocks: Vec<(&str, serde_json::Value)> = vec![
        (
            "Return and Throw",
            serde_json::json!({"0": {"Return": 1, "Throw": {"Error": "E"}}}),
        ),
        ("neither", serde_json::json!({"0": {"AfterSeconds": 1}})),
        ("a bad key", serde_json::json!({"first": {"Return": 1}})),
        (
            "Throw without Error",
            serde_json::json!({"0": {"Throw": {"Cause": "c"}}}),
        ),
        ("a misspelt field", serde_json::json!({"0": {"Returns": 1}})),
        (
            "both heartbeat forms",
            serde_json::json!({"0": {"Return": 1, "Heartbeats": [1], "HeartbeatEverySeconds": 1}}),
        ),
    ];
    for (what, response) in bad_mocks {
        let file = serde_json::json!({"machine": "m", "mocks": {"S": response}, "tests": []});
        assert!(
            !validator.is_valid(&file),
            "the schema accepts a mocked response with {what}"
        );
    }
}
