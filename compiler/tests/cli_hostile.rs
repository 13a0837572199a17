//! Hostile input and hostile surroundings, end to end (issue 18): each test is a reproducer
//! that crashed, hung or damaged a file before its fix. The binary must answer every one with
//! exit 0 or 1 and words on stderr, never a panic (101), an abort (a signal) or a hang.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::flowc;

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

const OK_FLOW: &str = "pass Start { result { \"ok\": true } result_path $.result }\nsucceed Done\n";

fn spawn(args: &[&str], dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_flowc"));
    command.args(args).current_dir(dir).env("NO_COLOR", "1");
    command
}

#[test]
fn a_full_stdout_is_one_line_and_exit_1_for_every_command_that_prints() {
    // Finding 4: `simulate > /dev/full` panicked ("failed printing to stdout").
    let dir = temp();
    write(dir.path(), "w.flow", OK_FLOW);
    for args in [
        &["simulate", "w.flow"][..],
        &["compile", "w.flow"],
        &["graph", "w.flow"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap_or_else(|e| panic!("/dev/full: {e}"));
        let output = spawn(args, dir.path())
            .stdout(full)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let stderr = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("error[flowc::output::write_failed]: cannot write `<stdout>`"),
            "{stderr}"
        );
    }
}

#[test]
fn a_closed_or_full_stderr_is_not_a_crash() {
    // Finding 4: a command whose stderr was full or a closed pipe aborted (the panic hook
    // itself failed to print).
    let dir = temp();
    write(dir.path(), "bad.flow", "pass P { next Nowhere }\n");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap_or_else(|e| panic!("/dev/full: {e}"));
    let output = spawn(&["check", "bad.flow"], dir.path())
        .stderr(full)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(1));
    let mut child = spawn(&["check", "bad.flow"], dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    drop(child.stderr.take());
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status.code(), Some(1), "{status}");
}

#[test]
fn a_closed_stdout_pipe_ends_output_quietly() {
    let dir = temp();
    write(dir.path(), "w.flow", OK_FLOW);
    let mut child = spawn(&["simulate", "w.flow"], dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
}

#[test]
fn simulate_renders_errors_past_column_65535() {
    // Finding 3: simulate rendered load errors from their own copy of the file, which miette
    // cannot show past column 65,535 (a panic); check was fine.
    let dir = temp();
    let long = "x".repeat(70_000);
    write(
        dir.path(),
        "m.asl.json",
        format!(
            "{{\"Comment\": \"{long}\", \"StartAt\": \"A\", \"States\": {{\"A\": {{\"Type\": \"Pasz\"}}}}}}"
        ),
    );
    for command in ["check", "simulate"] {
        assert_refused(&flowc(&[command, "m.asl.json"], dir.path()), "Pasz");
    }
}

#[cfg(unix)]
mod files {
    use super::*;
    use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};

    fn mkfifo(path: &Path) {
        let status = Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap_or_else(|e| panic!("mkfifo: {e}"));
        assert!(status.success());
    }

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn fmt_keeps_the_mode_and_the_symlink() {
        // Finding 9: fmt wrote a 0600 temp file and renamed it over the target: a 0644 file
        // lost its group and other read bits, and a symlink became a regular file.
        let dir = temp();
        let real = write(dir.path(), "real.flow", "pass   Start\nsucceed Done\n");
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640))
            .unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink("real.flow", dir.path().join("link.flow"))
            .unwrap_or_else(|e| panic!("{e}"));
        let output = flowc(&["fmt", "link.flow"], dir.path());
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let link = std::fs::symlink_metadata(dir.path().join("link.flow"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(link.file_type().is_symlink());
        assert_eq!(mode(&real), 0o640);
        let text = std::fs::read_to_string(&real).unwrap_or_else(|e| panic!("{e}"));
        assert!(text.starts_with("pass Start"), "{text}");
    }

    #[test]
    fn compile_output_to_a_fifo_is_written_as_a_stream() {
        let dir = temp();
        write(dir.path(), "w.flow", OK_FLOW);
        let fifo = dir.path().join("out.fifo");
        mkfifo(&fifo);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo))
        };
        let output = flowc(&["compile", "w.flow", "-o", "out.fifo"], dir.path());
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let text = reader
            .join()
            .unwrap_or_else(|_| panic!("reader panicked"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(text.contains("\"StartAt\": \"Start\""), "{text}");
        let kind = std::fs::symlink_metadata(&fifo).unwrap_or_else(|e| panic!("{e}"));
        assert!(kind.file_type().is_fifo(), "the FIFO was replaced");
    }

    #[test]
    fn a_new_output_file_gets_the_usual_mode() {
        let dir = temp();
        write(dir.path(), "w.flow", OK_FLOW);
        let probe = write(dir.path(), "probe", "");
        let output = flowc(&["compile", "w.flow", "-o", "new.asl.json"], dir.path());
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(mode(&dir.path().join("new.asl.json")), mode(&probe));
    }

    #[test]
    fn inputs_are_read_with_a_hard_cap_whatever_their_size_says() {
        // Finding 10: a symlink to /dev/zero reports size 0 and was read until memory ran out.
        let dir = temp();
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.flow"))
            .unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.json"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_refused(&flowc(&["check", "zero.flow"], dir.path()), "too large");
        write(dir.path(), "w.flow", OK_FLOW);
        assert_refused(
            &flowc(
                &["simulate", "w.flow", "--input-file", "zero.json"],
                dir.path(),
            ),
            "larger than",
        );
        assert_refused(
            &flowc(
                &["compile", "w.flow", "-o", "/dev/zero", "--check"],
                dir.path(),
            ),
            "out of date",
        );
    }

    #[test]
    fn a_fifo_input_is_read_as_a_stream() {
        let dir = temp();
        let fifo = dir.path().join("in.flow");
        mkfifo(&fifo);
        let writer = std::thread::spawn(move || std::fs::write(fifo, OK_FLOW));
        let output = flowc(&["check", "in.flow"], dir.path());
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        writer
            .join()
            .unwrap_or_else(|_| panic!("writer panicked"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn aws_limits_are_checked_with_aws_words() {
    // Finding 12 (check side): `Seconds: 1e18` passed check.
    let dir = temp();
    write(
        dir.path(),
        "m.asl.json",
        r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1000000000000000000, "End": true}}}"#,
    );
    assert_refused(&flowc(&["check", "m.asl.json"], dir.path()), "99999999");
}

#[test]
fn backoff_rate_zero_says_what_aws_requires() {
    // Finding 13: "`BackoffRate` has the invalid value a number".
    let dir = temp();
    write(
        dir.path(),
        "m.asl.json",
        r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "Retry": [{"ErrorEquals": ["States.ALL"], "BackoffRate": 0}], "End": true}}}"#,
    );
    let output = flowc(&["check", "m.asl.json"], dir.path());
    assert_refused(&output, "`BackoffRate` has the invalid value `0`");
    assert!(
        stderr(&output).contains("1.0 or more"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn definitions_past_4_mib_are_refused_before_parsing() {
    // 16 MiB of minimal `.flow` states took 21 s and 2.1 GB; the limit says so instead.
    let dir = temp();
    let states: String = (0..500_000).map(|i| format!("pass a{i}\n")).collect();
    write(dir.path(), "big.flow", &states);
    assert_refused(
        &flowc(&["check", "big.flow"], dir.path()),
        "too large for a state machine",
    );
}

/// Exit 1 with the diagnostic `code` and the limit in its message.
fn assert_refused_with(output: &Output, code: &str) {
    assert_refused(output, code);
    let limit = flowc_asl::rules::MAX_STATES.to_string();
    assert!(stderr(output).contains(&limit), "{}", stderr(output));
}

#[test]
fn more_states_than_aws_can_deploy_are_refused_before_they_are_compiled() {
    // 30 nested Parallels around 330,000 Pass states (4 MiB of `.flow`) took 1.6 GB to check;
    // no definition of more than MAX_STATES states fits AWS's 1 MB, so every command stops at
    // one more, counted through every branch, with the limit in words.
    const DEPTH: usize = 30;
    let passes = flowc_asl::rules::MAX_STATES + 1 - DEPTH;
    let dir = temp();
    let mut flow = String::new();
    for level in 0..DEPTH {
        flow.push_str(&format!("parallel P{level} {{\nbranch {{\n"));
    }
    for i in 0..passes {
        flow.push_str(&format!("pass a{i}\n"));
    }
    flow.push_str(&"}\n}\n".repeat(DEPTH));
    write(dir.path(), "deep.flow", &flow);
    for command in ["check", "compile", "fmt", "graph"] {
        let output = flowc(&[command, "deep.flow"], dir.path());
        assert_refused_with(&output, "flowc::parse::too_many_states");
    }

    let fails: Vec<String> = (0..passes)
        .map(|i| format!(r#""f{i}":{{"Type":"Fail"}}"#))
        .collect();
    let mut asl = format!(r#"{{"StartAt":"f0","States":{{{}}}}}"#, fails.join(","));
    for level in 0..DEPTH {
        asl = format!(
            r#"{{"StartAt":"P{level}","States":{{"P{level}":{{"Type":"Parallel","End":true,"Branches":[{asl}]}}}}}}"#
        );
    }
    write(dir.path(), "deep.asl.json", &asl);
    for command in ["check", "compile", "decompile", "graph", "simulate"] {
        let output = flowc(&[command, "deep.asl.json"], dir.path());
        assert_refused_with(&output, "flowc::asl::too_many_states");
    }
}

#[test]
fn decompile_refuses_paths_that_would_read_back_differently() {
    // Fuzz finding (decompile_compile): ASL paths were written bare, so `$.a{b` made a `.flow`
    // that does not compile and `$.a#b` one that compiles to `$.a` and a comment.
    let dir = temp();
    for (name, path) in [("brace", "$.a{b"), ("hash", "$.a#b"), ("comma", "$.a,b")] {
        let file = format!("{name}.asl.json");
        write(
            dir.path(),
            &file,
            format!(
                r#"{{"StartAt":"P","States":{{"P":{{"Type":"Pass","InputPath":"{path}","End":true}}}}}}"#
            ),
        );
        assert_refused(
            &flowc(&["decompile", &file], dir.path()),
            "cannot write as it is spelled",
        );
    }
}

/// `flowc simulate` of `definition` on `{"k": "v"}`: exit 0 and the execution's JSON summary.
fn simulated(dir: &Path, definition: &serde_json::Value) -> serde_json::Value {
    write(dir, "m.asl.json", definition.to_string());
    let output = flowc(&["simulate", "m.asl.json", "--input", r#"{"k":"v"}"#], dir);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr:\n{}",
        stderr(&output)
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("simulate printed no JSON ({e}): {}", stderr(&output)))
}

#[test]
fn a_pass_nesting_its_input_in_a_loop_ends_at_aws_limits() {
    // Finding 6: a Pass whose Parameters nest its whole input, looping back to itself, copied
    // and serialized the ever deeper document at every state: 100 array levels a state took
    // 30 s to reach the payload limit (nested objects, or two copies a state, less). Its
    // input's text is now copied, and selected nodes stay shared inside arrays too: each case
    // ends at AWS's 256 KiB payload limit, at the state whose output passes it.
    let dir = temp();
    let mut arrays = serde_json::json!({"x.$": "$"});
    let mut objects = serde_json::json!({"x.$": "$"});
    for _ in 0..100 {
        arrays = serde_json::json!([arrays]);
        objects = serde_json::json!({"a": objects});
    }
    let looping = |parameters: serde_json::Value| {
        serde_json::json!({"StartAt": "P", "States": {
            "P": {"Type": "Pass", "Parameters": parameters, "Next": "C"},
            "C": {"Type": "Choice", "Default": "P",
                  "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "D"}]},
            "D": {"Type": "Succeed"}
        }})
    };
    for parameters in [
        serde_json::json!({"y": arrays}),
        serde_json::json!({"y": objects}),
        serde_json::json!({"a.$": "$", "b.$": "$"}),
    ] {
        let outcome = simulated(dir.path(), &looping(parameters.clone()));
        assert_eq!(outcome["status"], "FAILED", "{parameters}: {outcome}");
        assert_eq!(
            outcome["error"], "States.DataLimitExceeded",
            "{parameters}: {outcome}"
        );
    }
    // One level a state: the input grows by 6 bytes a state and stays under the payload
    // limit; the loop runs to AWS's 25,000-event history limit.
    let outcome = simulated(dir.path(), &looping(serde_json::json!({"a.$": "$"})));
    assert_eq!(outcome["error"], "States.Runtime", "{outcome}");
    assert_eq!(outcome["events"], 25_000, "{outcome}");
}

#[test]
fn an_execution_input_over_256_kib_as_written_is_refused_as_start_execution_refuses_it() {
    // StartExecution's `input` is at most 262,144 bytes of UTF-8, measured on the text sent
    // (`--input-file F` is what `aws stepfunctions start-execution --input file://F` sends).
    // This file is one byte over because of its indentation; its compact form is under.
    let dir = temp();
    let machine =
        serde_json::json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
    write(dir.path(), "m.asl.json", machine.to_string());
    let pretty = |fill: usize| format!("{{\n  \"a\": \"{}\"\n}}", "x".repeat(fill));
    let over = pretty(262_145 - pretty(0).len());
    assert_eq!(over.len(), 262_145);
    write(dir.path(), "big.json", &over);
    let output = flowc(
        &[
            "--message-format",
            "json",
            "simulate",
            "m.asl.json",
            "--input-file",
            "big.json",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let diagnostic: serde_json::Value = serde_json::from_slice(&output.stderr)
        .unwrap_or_else(|e| panic!("one JSON diagnostic ({e}): {}", stderr(&output)));
    assert_eq!(diagnostic["code"], "flowc::sim::input_too_large");
    assert_eq!(
        diagnostic["message"],
        "the execution input is 262145 bytes, over AWS's limit of 262144: StartExecution \
         refuses it with ValidationException: 1 validation error detected: Value at 'input' \
         failed to satisfy constraint: Member must have length less than or equal to 262144"
    );
    assert!(output.stdout.is_empty(), "no execution ran");
    // At the limit exactly the execution runs. (Linux passes no single argument over 128 KiB,
    // MAX_ARG_STRLEN, so `--input` never reaches the limit; `--input-file` and tests do.)
    let compact = |fill: usize| format!("{{\"a\":\"{}\"}}", "x".repeat(fill));
    write(
        dir.path(),
        "limit.json",
        compact(262_144 - compact(0).len()),
    );
    let output = flowc(
        &["simulate", "m.asl.json", "--input-file", "limit.json"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn compile_warns_when_what_it_writes_is_over_awss_definition_quota() {
    // 30 nested Parallels around 1,000 Pass states: 10.8 KB of .flow, 1,067,301 bytes of ASL
    // as written (AWS counts the indentation), 39,158 minified.
    fn nest(depth: usize) -> String {
        if depth == 0 {
            return (0..1000).map(|i| format!("pass S{i}\n")).collect();
        }
        format!(
            "parallel P{depth} {{\n branch {{\n{} }}\n}}\n",
            nest(depth - 1)
        )
    }
    let dir = temp();
    write(dir.path(), "deep.flow", nest(30));
    let output = flowc(
        &[
            "--message-format",
            "json",
            "compile",
            "deep.flow",
            "-o",
            "deep.asl.json",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let written = std::fs::read(dir.path().join("deep.asl.json")).unwrap_or_default();
    assert_eq!(written.len(), 1_067_301);
    let warning: serde_json::Value = serde_json::from_slice(&output.stderr)
        .unwrap_or_else(|e| panic!("one JSON diagnostic ({e}): {}", stderr(&output)));
    assert_eq!(warning["code"], "flowc::check::definition_too_large");
    assert_eq!(warning["severity"], "warning");
    assert!(
        warning["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("the definition is 1067301 bytes as compiled")),
        "{warning}"
    );
    assert!(
        warning["help"]
            .as_str()
            .is_some_and(|h| h.contains("without it this one is 39158 bytes and fits")),
        "{warning}"
    );
    // The ASL file itself, deployed as written, gets the same answer from `check`.
    let output = flowc(
        &["--message-format", "json", "check", "deep.asl.json"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the definition is 1067301 bytes as written"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_loop_carrying_a_large_payload_reaches_the_history_limit_and_its_history_file_is_capped() {
    // Finding 7: a loop writing a counter into a 250 KB document kept every state's 250 KB
    // text (killed at 1.6 GB, then stopped by flowc's 512 MiB memory limit after 8,586
    // events). Each text now shares what it has in common with the one before: the run
    // reaches AWS's 25,000-event limit. Its history as JSON holds every payload in full
    // (about 6 GB), past flowc's 1 GiB limit for a written history: refused before writing.
    let dir = temp();
    write(
        dir.path(),
        "big.json",
        serde_json::json!({"big": "x".repeat(250_000)}).to_string(),
    );
    write(
        dir.path(),
        "m.asl.json",
        serde_json::json!({"StartAt": "P", "States": {
            "P": {"Type": "Pass", "Result": 1, "ResultPath": "$.n", "Next": "C"},
            "C": {"Type": "Choice", "Default": "P",
                  "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "D"}]},
            "D": {"Type": "Succeed"}
        }})
        .to_string(),
    );
    let run = ["simulate", "m.asl.json", "--input-file", "big.json"];
    let output = flowc(&run, dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let outcome: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    assert_eq!(outcome["error"], "States.Runtime", "{outcome}");
    assert_eq!(outcome["events"], 25_000, "{outcome}");
    let output = flowc(&[&run[..], &["--history", "h.json"]].concat(), dir.path());
    assert_refused(&output, "flowc::sim::history_too_large");
    assert!(stderr(&output).contains("1024 MiB"), "{}", stderr(&output));
    assert!(!dir.path().join("h.json").exists());
}
