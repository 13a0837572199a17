//! Diagnostics corpus: every file in `tests/corpus/err/` is checked with the built `flowc`
//! binary and its rendered stderr compared with the `.stderr` snapshot beside it.
//!
//! File names say what they test: `<code with :: as __>[.<variant>].flow` or `.asl.json`, e.g.
//! `flowc__check__unknown_target.asl.json`; the snapshot is `<same stem>.stderr`. Each fixture
//! must produce its code; `<stem>.args` beside it, when present, holds extra arguments for
//! `flowc check`, one a line. To create or update snapshots after an intended change:
//!
//!     SNAPSHOTS=overwrite cargo test -p flowc --test corpus_err
//!
//! and review the diff. A meta-test checks that every code declared in the parse, resolve,
//! check and asl error enums has at least one fixture.

use std::path::{Path, PathBuf};
use std::process::Command;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/err");

/// Codes that cannot have a fixture here, and why. Keep this list short and justified.
const NO_FIXTURE: &[(&str, &str)] = &[
    (
        "flowc::asl::invalid_definition",
        "the aggregate of a document's load errors; the CLI reports the individual errors",
    ),
    (
        "flowc::asl::too_many_states",
        "takes over 55,000 states (a megabyte); cli_hostile.rs generates one",
    ),
    (
        "flowc::parse::too_many_states",
        "takes over 55,000 states (600 KB); cli_hostile.rs generates one",
    ),
];

struct Fixture {
    path: PathBuf,
    stem: String,
    code: String,
}

fn fixtures() -> Vec<Fixture> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(CORPUS).unwrap_or_else(|e| panic!("reading {CORPUS}: {e}"));
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let stem = if let Some(stem) = name.strip_suffix(".asl.json") {
            stem.to_owned()
        } else if let Some(stem) = name.strip_suffix(".flow") {
            stem.to_owned()
        } else {
            continue;
        };
        let code = stem
            .split('.')
            .next()
            .unwrap_or_default()
            .replace("__", "::");
        out.push(Fixture { path, stem, code });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Runs `flowc check NAME` inside the corpus folder, so messages carry the bare file name.
fn run_check(fixture: &Fixture) -> (Option<i32>, String) {
    let name = fixture
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // `<stem>.args` beside a fixture holds extra arguments, one a line (`--bind`, ...).
    let args_file = fixture
        .path
        .with_file_name(format!("{}.args", fixture.stem));
    let extra: Vec<String> = std::fs::read_to_string(&args_file)
        .map(|text| text.lines().map(str::to_owned).collect())
        .unwrap_or_default();
    let output = Command::new(env!("CARGO_BIN_EXE_flowc"))
        .arg("check")
        .args(&extra)
        .arg(&name)
        .current_dir(CORPUS)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("running flowc: {e}"));
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn every_fixture_reports_its_code_and_matches_its_snapshot() {
    let overwrite = std::env::var("SNAPSHOTS").is_ok_and(|v| v == "overwrite");
    let fixtures = fixtures();
    assert!(!fixtures.is_empty(), "no fixtures in {CORPUS}");
    let mut failures = Vec::new();
    for fixture in &fixtures {
        let (status, stderr) = run_check(fixture);
        let name = fixture.path.display();
        if !stderr.contains(&fixture.code) {
            failures.push(format!(
                "{name}: output does not mention {}:\n{stderr}",
                fixture.code
            ));
        }
        // Warnings alone exit 0; anything else is an error in the input: exit 1. Never a crash.
        if !matches!(status, Some(0 | 1)) {
            failures.push(format!("{name}: exit status {status:?}"));
        }
        let is_warning = stderr.contains('⚠') && !stderr.contains('×');
        if is_warning != (status == Some(0)) {
            failures.push(format!(
                "{name}: exit status {status:?} for output:\n{stderr}"
            ));
        }
        let snapshot = Path::new(CORPUS).join(format!("{}.stderr", fixture.stem));
        if overwrite {
            std::fs::write(&snapshot, &stderr)
                .unwrap_or_else(|e| panic!("writing {}: {e}", snapshot.display()));
            continue;
        }
        match std::fs::read_to_string(&snapshot) {
            Ok(expected) if expected == stderr => {}
            Ok(expected) => failures.push(format!(
                "{name}: stderr differs from {}\n--- expected\n{expected}\n--- actual\n{stderr}",
                snapshot.display()
            )),
            Err(_) => failures.push(format!(
                "{name}: no snapshot {} (run with SNAPSHOTS=overwrite)",
                snapshot.display()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_snapshot_has_a_fixture() {
    let stems: Vec<String> = fixtures().into_iter().map(|f| f.stem).collect();
    let entries = std::fs::read_dir(CORPUS).unwrap_or_else(|e| panic!("reading {CORPUS}: {e}"));
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".stderr") {
            assert!(stems.iter().any(|s| s == stem), "{name} has no fixture");
        }
    }
}

/// Every `code(flowc::<stage>::<name>)` declared in the crates' sources.
fn declared_codes() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut codes = Vec::new();
    let mut stack: Vec<PathBuf> = ["dsl/src", "asl/src", "compiler/src"]
        .iter()
        .map(|dir| root.join(dir))
        .collect();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                codes.extend(codes_in(&text));
            }
        }
    }
    codes.sort();
    codes.dedup();
    codes
}

fn codes_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("code(flowc::") {
        let after = &rest[at + "code(".len()..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(after.len());
        out.push(after[..end].to_owned());
        rest = &after[end..];
    }
    out
}

#[test]
fn every_parse_resolve_check_and_asl_code_has_a_fixture() {
    let stages = [
        "flowc::parse::",
        "flowc::resolve::",
        "flowc::check::",
        "flowc::asl::",
    ];
    let codes = declared_codes();
    for stage in stages {
        assert!(
            codes.iter().any(|c| c.starts_with(stage)),
            "no {stage}* codes found: is the source scan broken?"
        );
    }
    let fixtures: Vec<String> = fixtures().into_iter().map(|f| f.code).collect();
    let missing: Vec<&String> = codes
        .iter()
        .filter(|code| stages.iter().any(|s| code.starts_with(s)))
        .filter(|code| !fixtures.contains(code))
        .filter(|code| !NO_FIXTURE.iter().any(|(c, _)| c == code))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a fixture in tests/corpus/err/ ({} missing):\n{}",
        missing.len(),
        missing
            .iter()
            .map(|c| format!("  {c}  ->  {}.flow or .asl.json", c.replace("::", "__")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn fixture_names_use_declared_codes() {
    let codes = declared_codes();
    for fixture in fixtures() {
        assert!(
            codes.contains(&fixture.code),
            "{} names {}, which no error enum declares",
            fixture.path.display(),
            fixture.code
        );
    }
}
