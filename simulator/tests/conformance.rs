//! Fidelity gate: runs every case of the conformance corpus (../shared/conformance/cases, or
//! `FLOWC_CONFORMANCE_CASES`) in-process, then scores the results with the corpus's own
//! score.py (same comparison rules as CI) and fails if the pass count of the JSONPath cases
//! (tagged neither jsonata nor variables) drops below the level measured when this test was
//! written. Needs python3; fails loudly when the corpus or python3 is missing.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Measured on 2026-11-27: 309 of the 310 JSONPath cases pass (the one failure needs the
/// anonymised express-execution ARN format). Raise it when fidelity improves; never lower it.
const MIN_JSONPATH_PASSES: usize = 309;

fn cases_dir() -> PathBuf {
    match std::env::var_os("FLOWC_CONFORMANCE_CASES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/cases"),
    }
}

fn contract_result(case_text: &str) -> Value {
    match flowc_sim::Case::from_json_text(case_text).and_then(|c| c.run()) {
        Ok(outcome) => flowc_sim::contract_json(&outcome),
        // What the CLI would report: an error instead of a result (scored as a failure).
        Err(e) => Value::String(format!("error: {e}")),
    }
}

#[test]
fn conformance_pass_rate_does_not_drop() {
    let dir = cases_dir();
    let dir = dir.canonicalize().unwrap_or_else(|e| {
        panic!(
            "conformance cases not found at {}: {e} (set FLOWC_CONFORMANCE_CASES)",
            dir.display()
        )
    });
    let score = dir.join("../score.py");
    assert!(
        score.exists(),
        "score.py not found next to {}",
        dir.display()
    );
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let mut features = std::collections::BTreeMap::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    entries.sort();
    assert!(
        entries.len() > 300,
        "expected the full corpus, found {} cases",
        entries.len()
    );
    for case in &entries {
        let text =
            std::fs::read_to_string(case).unwrap_or_else(|e| panic!("{}: {e}", case.display()));
        let parsed: Value = serde_json::from_str(&text).unwrap_or_default();
        features.insert(
            parsed["id"].as_str().unwrap_or_default().to_string(),
            parsed["features"].clone(),
        );
        // Mirror the case path under the temp dir: score.py substitutes `{case}` inside `cat`'s
        // argument, so `cat OUT{case}` prints this case's precomputed result.
        let target = mirror(out.path(), case);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(&target, contract_result(&text).to_string())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let json_out = out.path().join("results.json");
    let status = Command::new("python3")
        .arg(&score)
        .arg(&dir)
        .arg("--jobs")
        .arg("2")
        .arg("--json-out")
        .arg(&json_out)
        .arg("--")
        .arg("cat")
        .arg(format!("{}{{case}}", out.path().display()))
        .output()
        .unwrap_or_else(|e| panic!("python3 is needed to run score.py: {e}"));
    assert!(
        status.status.success(),
        "score.py failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_out).unwrap_or_default())
            .unwrap_or_else(|e| panic!("score.py wrote no results: {e}"));
    let mut passes = 0;
    let mut failures = Vec::new();
    for r in results.as_array().into_iter().flatten() {
        let id = r["id"].as_str().unwrap_or_default();
        let tags = features
            .get(id)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if tags.iter().any(|t| t == "jsonata" || t == "variables") {
            continue;
        }
        if r["pass"] == Value::Bool(true) {
            passes += 1;
        } else {
            failures.push(format!("{id}: {}", r["why"].as_str().unwrap_or_default()));
        }
    }
    assert!(
        passes >= MIN_JSONPATH_PASSES,
        "{passes} JSONPath cases pass, below the measured {MIN_JSONPATH_PASSES}; failures:\n{}",
        failures.join("\n")
    );
}

fn mirror(root: &Path, case: &Path) -> PathBuf {
    let rel = case.strip_prefix("/").unwrap_or(case);
    root.join(rel)
}
