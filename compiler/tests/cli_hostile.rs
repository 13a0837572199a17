//! Hostile input and hostile surroundings, end to end (issue 18): each test is a reproducer
//! that crashed, hung or damaged a file before its fix. The binary must answer every one with
//! exit 0 or 1 and words on stderr, never a panic (101), an abort (a signal) or a hang.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn flowc(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flowc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("running flowc: {e}"))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"))
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("writing {name}: {e}"));
    path
}

/// Exit 1 with a diagnostic containing `words`: the input was refused in words, not by a crash.
fn assert_refused(output: &Output, words: &str) {
    let stderr = stderr(output);
    assert_eq!(output.status.code(), Some(1), "stderr:\n{stderr}");
    assert!(stderr.contains(words), "expected `{words}` in:\n{stderr}");
    assert!(!stderr.contains("internal error"), "{stderr}");
}

#[test]
fn unclosed_path_brackets_are_reported_not_explored() {
    // Finding 1: 24 unclosed `[` (38 bytes) ran past 10 s in check, compile, fmt and graph.
    let dir = temp();
    write(
        dir.path(),
        "w.flow",
        format!("wait W for $.a{} {{ end }}\n", "[".repeat(40)),
    );
    for command in ["check", "compile", "graph"] {
        assert_refused(&flowc(&[command, "w.flow"], dir.path()), "w.flow");
    }
    let output = flowc(&["fmt", "--check", "w.flow"], dir.path());
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_single_quoted_string_cannot_smuggle_deep_nesting() {
    // Finding 2: `'"'` made the nesting guard skip everything after it as a string; the parser
    // then recursed 100,000 deep and the process aborted.
    let dir = temp();
    write(
        dir.path(),
        "m.asl.json",
        format!("['\"', {}", "[".repeat(100_000)),
    );
    for command in ["check", "decompile", "graph", "simulate"] {
        assert_refused(
            &flowc(&[command, "m.asl.json"], dir.path()),
            "double quotes",
        );
    }
}

#[test]
fn json_that_aws_rejects_is_rejected() {
    // Finding 11: single-quoted strings and a raw TAB in a string passed `flowc check`.
    let dir = temp();
    write(
        dir.path(),
        "quotes.asl.json",
        r#"{"StartAt": 'A', "States": {"A": {"Type": "Succeed"}}}"#,
    );
    write(
        dir.path(),
        "tab.asl.json",
        "{\"Comment\": \"a\tb\", \"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Succeed\"}}}",
    );
    assert_refused(
        &flowc(&["check", "quotes.asl.json"], dir.path()),
        "double quotes",
    );
    assert_refused(
        &flowc(&["check", "tab.asl.json"], dir.path()),
        "raw control character",
    );
}
