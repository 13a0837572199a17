//! Loading real definitions: the seed workflow and every conformance case AWS ran.
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests: a panic is the failure report

use flowc_asl::{emit, load};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The seed plan's hand-written ASL and the conformance corpus, relative to this crate.
const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../docs/seed/tenant-provisioning.seed.asl.json"
);
const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../conformance/asl/cases");

/// JSON equality where numbers compare by value (`2` equals `2.0`): emission writes whole
/// floats as integers.
fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, a)| y.get(key).is_some_and(|b| json_equal(a, b)))
        }
        _ => a == b,
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

#[test]
fn seed_loads_and_emits_json_equal_to_itself() {
    let text = read(Path::new(SEED));
    let loaded = load(&text, "seed.asl.json").unwrap_or_else(|errors| panic!("{errors:?}"));
    let emitted = emit(&loaded.machine);
    let original: Value = serde_json::from_str(&text).expect("seed is JSON");
    let again: Value = serde_json::from_str(&emitted).expect("emit writes JSON");
    // The seed has no floats, so equality is exact, number representation included.
    assert_eq!(original, again, "emitted:\n{emitted}");
    let reloaded = load(&emitted, "emitted.asl.json").unwrap_or_else(|errors| panic!("{errors:?}"));
    assert_eq!(reloaded.machine, loaded.machine);
}

#[test]
fn emission_is_byte_stable() {
    let text = read(Path::new(SEED));
    let machine = load(&text, "seed.asl.json").expect("seed loads").machine;
    let first = emit(&machine);
    let second = emit(&load(&first, "first").expect("reloads").machine);
    assert_eq!(first, second);
    assert!(first.ends_with("}\n"));
    assert!(first.contains("\n  \"StartAt\""), "two-space indentation");
}

fn case_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(CASES)
        .unwrap_or_else(|error| panic!("{CASES}: {error}"))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_conformance_definition_loads_emits_and_reloads_equal() {
    let files = case_files();
    assert!(
        files.len() > 300,
        "expected the conformance cases, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        let case: Value = serde_json::from_str(&read(file)).expect("case is JSON");
        let Some(definition) = case.get("definition") else {
            failures.push(format!("{}: no definition", file.display()));
            continue;
        };
        let text = serde_json::to_string_pretty(definition).expect("serialises");
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let loaded = match load(&text, &name) {
            Ok(loaded) => loaded,
            Err(errors) => {
                let messages: Vec<String> = errors
                    .errors()
                    .iter()
                    .map(|error| {
                        let at = errors.line_column(error.span().offset());
                        let snippet = text
                            .get(error.span().offset()..error.span().offset() + error.span().len())
                            .unwrap_or("");
                        format!("{error} at {at:?} `{snippet}`")
                    })
                    .collect();
                failures.push(format!("{name}: {}", messages.join("; ")));
                continue;
            }
        };
        let emitted = emit(&loaded.machine);
        match load(&emitted, "emitted") {
            Ok(again) if again.machine == loaded.machine => {}
            Ok(_) => failures.push(format!("{name}: reloaded machine differs")),
            Err(errors) => failures.push(format!("{name}: emitted text fails to load: {errors:?}")),
        }
        let emitted_value: Value = serde_json::from_str(&emitted).expect("emit writes JSON");
        if !json_equal(definition, &emitted_value) {
            failures.push(format!("{name}: emitted JSON differs from the definition"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
