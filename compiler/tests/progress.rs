//! The progress line of `flowc test` and `flowc conformance` as a user sees it: on a terminal (a
//! pseudo-terminal made by util-linux `script`, sized with `stty`), frames redrawn in place and
//! cut to the width, erased before the summary, so the final screen holds exactly what a pipe
//! gets; piped, or on a dumb terminal, not one progress byte.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::json;

/// Columns of the pseudo-terminal: narrower than every frame below, so each one is cut.
const COLUMNS: usize = 60;

fn flowc() -> &'static str {
    env!("CARGO_BIN_EXE_flowc")
}

fn write(path: &Path, value: &serde_json::Value) {
    std::fs::write(path, value.to_string())
        .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// Three test files of two tests each, with names long enough to overflow [`COLUMNS`].
fn test_suite() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    write(
        &dir.path().join("m.asl.json"),
        &json!({"StartAt": "Wait", "States": {
            "Wait": {"Type": "Wait", "Seconds": 30, "Next": "Done"},
            "Done": {"Type": "Succeed"}}}),
    );
    for file in ["alpha", "beta", "gamma"] {
        let tests: Vec<serde_json::Value> = (1..=2)
            .map(|n| {
                json!({"name": format!("{file} waits thirty simulated seconds then succeeds, take {n}"),
                       "expect": {"status": "SUCCEEDED", "duration_seconds": 30}})
            })
            .collect();
        write(
            &dir.path().join(format!("{file}.simtest.json")),
            &json!({"machine": "m.asl.json", "tests": tests}),
        );
    }
    dir
}

/// Runs `flowc ARGS` in `dir` with stdin, stdout and stderr on a pseudo-terminal COLUMNS wide,
/// as typed at a shell prompt with TERM=`term`; what the terminal received.
fn on_terminal(dir: &Path, term: &str, args: &str) -> Vec<u8> {
    let command = format!("stty cols {COLUMNS} rows 40 && exec '{}' {args}", flowc());
    let out = Command::new("script")
        .args(["--quiet", "--return", "--command", &command, "/dev/null"])
        .current_dir(dir)
        .env("TERM", term)
        .env_remove("NO_COLOR")
        .output()
        .unwrap_or_else(|e| {
            panic!("`script` (util-linux) must be installed to test the progress line: {e}")
        });
    assert!(
        out.status.success(),
        "script: exit {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn piped(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(flowc())
        .args(args)
        .current_dir(dir)
        .env("TERM", "xterm-256color")
        .output()
        .unwrap_or_else(|e| panic!("running flowc: {e}"));
    assert!(
        out.status.success(),
        "flowc {args:?}: exit {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The screen a terminal COLUMNS wide shows after `bytes`: carriage return, line feed, erase to
/// end of line (`ESC [ K`) and printable characters, wrapping at the last column. Any other
/// control sequence fails the test: the progress line uses no other.
fn screen(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut rows: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0, 0);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\r' => col = 0,
            '\n' => {
                row += 1;
                if rows.len() <= row {
                    rows.push(Vec::new());
                }
            }
            '\x1b' => {
                let sequence: String = chars.by_ref().take(2).collect();
                assert_eq!(sequence, "[K", "unexpected escape sequence in {text:?}");
                rows[row].truncate(col);
            }
            c if c.is_control() => panic!("unexpected control character {c:?} in {text:?}"),
            c => {
                if col == COLUMNS {
                    (row, col) = (row + 1, 0);
                    if rows.len() <= row {
                        rows.push(Vec::new());
                    }
                }
                let line = &mut rows[row];
                if line.len() <= col {
                    line.resize(col + 1, ' ');
                }
                line[col] = c;
                col += 1;
            }
        }
    }
    let mut lines: Vec<String> = rows
        .into_iter()
        .map(|r| r.into_iter().collect::<String>().trim_end().to_owned())
        .collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

/// What a terminal COLUMNS wide shows for `text` printed plainly.
fn wrapped(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        if chars.is_empty() {
            lines.push(String::new());
        }
        for chunk in chars.chunks(COLUMNS) {
            lines.push(chunk.iter().collect::<String>().trim_end().to_owned());
        }
    }
    lines
}

/// The text of every progress frame in `bytes`: `\r TEXT ESC[K` with TEXT not empty.
fn frames(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    text.split('\r')
        .filter_map(|piece| piece.split_once("\x1b[K").map(|(frame, _)| frame))
        .filter(|frame| !frame.is_empty())
        .map(str::to_owned)
        .collect()
}

fn assert_frames_fit(frames: &[String], first: &str) {
    assert!(
        !frames.is_empty(),
        "no progress frame on the terminal at all"
    );
    assert!(
        frames[0].starts_with(first),
        "first frame {:?} does not start with {first:?}",
        frames[0]
    );
    for frame in frames {
        assert!(
            frame.chars().count() < COLUMNS,
            "frame wider than the terminal less one column: {frame:?}"
        );
        assert!(frame.ends_with('…'), "frame not cut: {frame:?}");
    }
}

#[test]
fn flowc_test_redraws_one_line_on_a_terminal_and_erases_it_before_the_summary() {
    let suite = test_suite();
    let raw = on_terminal(suite.path(), "xterm-256color", "test .");
    let summary = piped(suite.path(), &["test", "."]);
    let summary = String::from_utf8_lossy(&summary.stdout);
    assert!(
        summary.ends_with("test result: ok. 6 passed; 0 failed\n"),
        "{summary}"
    );
    assert_frames_fit(
        &frames(&raw),
        "[1/6] ./alpha.simtest.json: alpha waits thirty",
    );
    // The last thing on stderr before the summary erased the line; the screen holds the summary
    // as a pipe gets it, and nothing of the progress line.
    assert_eq!(screen(&raw), wrapped(&summary));
}

#[test]
fn flowc_conformance_redraws_one_line_on_a_terminal_and_erases_it_before_the_table() {
    // Three cases of the repository's corpus (their names are 150 characters and more).
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../conformance/asl/cases");
    let mut cases: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap_or_else(|e| panic!("{}: {e}", corpus.display()))
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    cases.sort();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    std::fs::create_dir(dir.path().join("cases")).unwrap_or_else(|e| panic!("mkdir: {e}"));
    for case in cases.iter().take(3) {
        let name = case.file_name().unwrap_or_default();
        std::fs::copy(case, dir.path().join("cases").join(name))
            .unwrap_or_else(|e| panic!("copying {}: {e}", case.display()));
    }

    let raw = on_terminal(dir.path(), "xterm-256color", "conformance cases");
    let table = piped(dir.path(), &["conformance", "cases"]);
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.contains("failed; event sequences:"), "{table}");
    assert_frames_fit(&frames(&raw), "[1/3] v2_");
    assert_eq!(screen(&raw), wrapped(&table));
}

#[test]
fn piped_or_on_a_dumb_terminal_there_is_no_progress_byte() {
    let suite = test_suite();
    let out = piped(suite.path(), &["test", "."]);
    assert!(
        out.stderr.is_empty(),
        "stderr: {:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.stdout.contains(&b'\r') && !out.stdout.contains(&0x1b));

    // TERM=dumb cannot erase a line: no progress, only the summary (with the pty's CR LF).
    let raw = on_terminal(suite.path(), "dumb", "test .");
    let expected = String::from_utf8_lossy(&out.stdout).replace('\n', "\r\n");
    assert_eq!(String::from_utf8_lossy(&raw), expected);
}
