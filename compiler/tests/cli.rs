//! The `flowc` binary end to end: exit codes, `compile --check`, atomic output, bad input,
//! `--message-format json`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use support::flowc;

const OK_FLOW: &str = r#"# A two-state workflow.
pass Start { result { "ok": true } result_path $.result }
succeed Done
"#;

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"))
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("writing {name}: {e}"));
    path
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Files in `dir`, sorted: atomic writes must leave no temp files behind.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
}

#[test]
fn compile_prints_asl_json_and_exits_zero() {
    let dir = temp();
    write(dir.path(), "ok.flow", OK_FLOW);
    let out = flowc(&["compile", "ok.flow"], dir.path());
    assert_exit(&out, 0);
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("stdout is not JSON: {e}"));
    assert_eq!(json["StartAt"], "Start");
    assert_eq!(json["States"]["Done"]["Type"], "Succeed");
    assert_eq!(stderr(&out), "");
}

#[test]
fn usage_errors_exit_two() {
    let dir = temp();
    assert_exit(&flowc(&["no-such-command"], dir.path()), 2);
    assert_exit(&flowc(&["compile"], dir.path()), 2);
    // --check needs -o: there is nothing to compare with otherwise.
    assert_exit(&flowc(&["compile", "x.flow", "--check"], dir.path()), 2);
    assert_exit(
        &flowc(&["compile", "x.flow", "--bind", "noequals"], dir.path()),
        2,
    );
    assert_exit(
        &flowc(&["--message-format", "xml", "check", "x.flow"], dir.path()),
        2,
    );
    assert_exit(
        &flowc(&["graph", "x.flow", "--format", "png"], dir.path()),
        2,
    );
}

#[test]
fn compile_writes_output_atomically_and_check_detects_staleness() {
    let dir = temp();
    write(dir.path(), "ok.flow", OK_FLOW);
    let out = flowc(&["compile", "ok.flow", "-o", "ok.asl.json"], dir.path());
    assert_exit(&out, 0);
    assert_eq!(listing(dir.path()), ["ok.asl.json", "ok.flow"]);
    let written = read(&dir.path().join("ok.asl.json"));
    assert_eq!(written, stdout(&flowc(&["compile", "ok.flow"], dir.path())));

    assert_exit(
        &flowc(
            &["compile", "ok.flow", "-o", "ok.asl.json", "--check"],
            dir.path(),
        ),
        0,
    );

    write(dir.path(), "ok.asl.json", "{}\n");
    let out = flowc(
        &["compile", "ok.flow", "-o", "ok.asl.json", "--check"],
        dir.path(),
    );
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("flowc::output::stale"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("`ok.asl.json` is out of date"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("flowc compile ok.flow -o ok.asl.json"),
        "{}",
        stderr(&out)
    );
    // --check never writes.
    assert_eq!(read(&dir.path().join("ok.asl.json")), "{}\n");

    let out = flowc(
        &["compile", "missing-output.flow", "-o", "x.json", "--check"],
        dir.path(),
    );
    assert_exit(&out, 1);
}

#[test]
fn compile_with_errors_leaves_existing_output_untouched() {
    let dir = temp();
    write(dir.path(), "bad.flow", "pass Start { next Nowhere }\n");
    write(dir.path(), "out.asl.json", "previous\n");
    let out = flowc(&["compile", "bad.flow", "-o", "out.asl.json"], dir.path());
    assert_exit(&out, 1);
    assert_eq!(read(&dir.path().join("out.asl.json")), "previous\n");
    assert_eq!(listing(dir.path()), ["bad.flow", "out.asl.json"]);
}

#[test]
fn bind_replaces_placeholders_with_arns() {
    let dir = temp();
    let flow = "resource checker = lambda \"status-checker\"\ntask Check = checker\n";
    write(dir.path(), "t.flow", flow);
    let unbound = stdout(&flowc(&["compile", "t.flow"], dir.path()));
    let arn = "arn:aws:lambda:us-east-1:123456789012:function:status-checker";
    let bound = flowc(
        &["compile", "t.flow", "--bind", &format!("checker={arn}")],
        dir.path(),
    );
    assert_exit(&bound, 0);
    assert!(!unbound.contains(arn), "{unbound}");
    assert!(stdout(&bound).contains(arn), "{}", stdout(&bound));
}

#[test]
fn check_reports_every_problem_of_a_run_together() {
    let dir = temp();
    write(
        dir.path(),
        "two.asl.json",
        r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Bee"},"B":{"Type":"Succeed"},
            "C":{"Type":"Choice","Choices":[{"Variable":"$.x","IsNull":true,"Next":"Sea"}]}}}"#,
    );
    let out = flowc(&["check", "two.asl.json"], dir.path());
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("there is no state called `Bee`"), "{err}");
    assert!(err.contains("there is no state called `Sea`"), "{err}");
    assert!(err.contains("Choice state `C` has no Default"), "{err}");
    assert!(
        err.ends_with("error: two.asl.json: 2 errors, 1 warning\n"),
        "{err}"
    );
}

#[test]
fn check_takes_several_files_and_reports_each() {
    let dir = temp();
    write(dir.path(), "ok.flow", "succeed Done\n");
    write(
        dir.path(),
        "bad.asl.json",
        r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Bee"}}}"#,
    );
    write(
        dir.path(),
        "w.flow",
        "choice Route {\n    when $.x == 1 -> Done\n}\nsucceed Done\n",
    );
    // A file with an error among good ones: every file is still checked, and the run fails.
    let out = flowc(&["check", "ok.flow", "bad.asl.json", "w.flow"], dir.path());
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("there is no state called `Bee`"), "{err}");
    assert!(err.contains("error: bad.asl.json: 1 error\n"), "{err}");
    assert!(err.ends_with("warning: w.flow: 1 warning\n"), "{err}");
    // Only warnings across the files: success.
    assert_exit(&flowc(&["check", "ok.flow", "w.flow"], dir.path()), 0);
    // No file at all is a usage error, not a silent success.
    assert_exit(&flowc(&["check"], dir.path()), 2);
}

#[test]
fn warnings_alone_exit_zero() {
    let dir = temp();
    write(
        dir.path(),
        "w.flow",
        "choice Route {\n    when $.x == 1 -> Done\n}\nsucceed Done\n",
    );
    let out = flowc(&["check", "w.flow"], dir.path());
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("warning: w.flow: 1 warning"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn message_format_json_prints_one_object_per_line() {
    let dir = temp();
    write(
        dir.path(),
        "m.asl.json",
        "{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\"Type\": \"Pass\", \"Next\": \"Finsh\"},\n    \"Finish\": {\"Type\": \"Succeed\"}\n  }\n}\n",
    );
    let out = flowc(
        &["check", "m.asl.json", "--message-format", "json"],
        dir.path(),
    );
    assert_exit(&out, 1);
    let err = stderr(&out);
    let objects: Vec<serde_json::Value> = err
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    // The unknown target, plus `Finish` being unreachable is not reported on top of it.
    assert_eq!(objects.len(), 1, "{err}");
    let o = &objects[0];
    assert_eq!(o["code"], "flowc::check::unknown_target");
    assert_eq!(o["severity"], "error");
    assert_eq!(o["file"], "m.asl.json");
    assert_eq!(
        (o["line"].as_u64(), o["column"].as_u64()),
        (Some(4), Some(35))
    );
    assert_eq!(o["help"], "did you mean `Finish`?");
    assert_eq!(o["span"]["length"], 7);
}

#[test]
fn graph_renders_dot_and_mermaid() {
    let dir = temp();
    write(dir.path(), "ok.flow", OK_FLOW);
    let dot = flowc(&["graph", "ok.flow"], dir.path());
    assert_exit(&dot, 0);
    assert!(stdout(&dot).contains("n0 -> n1;"), "{}", stdout(&dot));
    let mermaid = flowc(&["graph", "ok.flow", "--format", "mermaid"], dir.path());
    assert_exit(&mermaid, 0);
    assert!(
        stdout(&mermaid).starts_with("flowchart TD\n"),
        "{}",
        stdout(&mermaid)
    );
}

#[test]
fn fmt_check_lists_files_that_would_change_and_fmt_rewrites_them() {
    let dir = temp();
    write(
        dir.path(),
        "messy.flow",
        "pass   Start{result {\"ok\":true}}\nsucceed    Done\n",
    );
    let out = flowc(&["fmt", "--check", "messy.flow"], dir.path());
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("would reformat: messy.flow"),
        "{}",
        stderr(&out)
    );
    assert_exit(&flowc(&["fmt", "messy.flow"], dir.path()), 0);
    assert_exit(&flowc(&["fmt", "--check", "messy.flow"], dir.path()), 0);
    assert_eq!(listing(dir.path()), ["messy.flow"]);
    // The formatted file compiles to the same machine.
    assert_exit(&flowc(&["check", "messy.flow"], dir.path()), 0);
}

#[test]
fn decompile_output_compiles_back_to_the_same_json() {
    let dir = temp();
    write(dir.path(), "ok.flow", OK_FLOW);
    assert_exit(
        &flowc(&["compile", "ok.flow", "-o", "ok.asl.json"], dir.path()),
        0,
    );
    let out = flowc(&["decompile", "ok.asl.json", "-o", "back.flow"], dir.path());
    assert_exit(&out, 0);
    let again = flowc(&["compile", "back.flow"], dir.path());
    assert_exit(&again, 0);
    assert_eq!(stdout(&again), read(&dir.path().join("ok.asl.json")));
}

// ---- bad input: a clear error naming the file, exit 1, no panic, nothing written ----------

fn assert_input_error(out: &Output, file: &str, needle: &str) {
    assert_exit(out, 1);
    let err = stderr(out);
    assert!(err.contains(file), "error does not name {file}:\n{err}");
    assert!(err.contains(needle), "expected `{needle}` in:\n{err}");
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
}

#[test]
fn missing_file_is_named() {
    let dir = temp();
    for cmd in ["compile", "check", "decompile", "graph", "fmt"] {
        let file = if cmd == "decompile" {
            "nope.asl.json"
        } else {
            "nope.flow"
        };
        let out = flowc(&[cmd, file], dir.path());
        assert_input_error(&out, file, "no such file");
    }
}

#[test]
fn empty_file_is_an_error() {
    let dir = temp();
    write(dir.path(), "empty.flow", "");
    write(dir.path(), "empty.asl.json", "  \n");
    assert_input_error(
        &flowc(&["check", "empty.flow"], dir.path()),
        "empty.flow",
        "is empty",
    );
    assert_input_error(
        &flowc(&["check", "empty.asl.json"], dir.path()),
        "empty.asl.json",
        "is empty",
    );
}

#[test]
fn non_utf8_bytes_are_located() {
    let dir = temp();
    write(dir.path(), "latin1.flow", b"pass Start\nsucceed Caf\xe9\n");
    let out = flowc(&["check", "latin1.flow"], dir.path());
    assert_input_error(
        &out,
        "latin1.flow",
        "byte 0xE9 at line 2, column 12 (byte offset 22)",
    );
    assert!(
        stderr(&out).contains("[latin1.flow:2:12]"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn truncated_files_are_syntax_errors_with_a_position() {
    let dir = temp();
    write(dir.path(), "cut.flow", "pass Start { result { \"ok\": tr");
    let out = flowc(&["check", "cut.flow"], dir.path());
    assert_input_error(&out, "cut.flow", "flowc::parse::");
    assert!(stderr(&out).contains("[cut.flow:1:"), "{}", stderr(&out));

    write(
        dir.path(),
        "cut.asl.json",
        "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Su",
    );
    let out = flowc(&["check", "cut.asl.json"], dir.path());
    assert_input_error(&out, "cut.asl.json", "flowc::asl::syntax");
    assert!(
        stderr(&out).contains("[cut.asl.json:1:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn megabyte_line_is_reported_briefly() {
    let dir = temp();
    let long = format!(
        "pass Start {{ result {{ \"blob\": \"{}\" }} next Nowhere }}\nsucceed Done\n",
        "x".repeat(1 << 20)
    );
    write(dir.path(), "long.flow", &long);
    let out = flowc(&["check", "long.flow"], dir.path());
    assert_input_error(&out, "long.flow", "Nowhere");
    assert!(
        stderr(&out).len() < 4_000,
        "stderr is {} bytes",
        stderr(&out).len()
    );

    let long_json = format!(
        "{{\"StartAt\":\"A\",\"States\":{{\"A\":{{\"Type\":\"Pass\",\"Result\":\"{}\",\"Next\":\"Nowhere\"}}}}}}",
        "y".repeat(1 << 20)
    );
    write(dir.path(), "long.asl.json", &long_json);
    let out = flowc(&["check", "long.asl.json"], dir.path());
    assert_input_error(&out, "long.asl.json", "Nowhere");
    assert!(
        stderr(&out).len() < 4_000,
        "stderr is {} bytes",
        stderr(&out).len()
    );
}

#[test]
fn load_errors_on_megabyte_lines_are_reported_briefly() {
    // ASL load errors carry their own copy of the text; miette alone would render the whole
    // line, and panics on labels past column 65,535.
    let dir = temp();
    let blob = "y".repeat(1 << 20);
    let cases = [
        (
            "field.asl.json",
            format!(
                r#"{{"StartAt":"A","States":{{"A":{{"Type":"Pass","Result":"{blob}","Bogus":1,"End":true}}}}}}"#
            ),
            "flowc::asl::unknown_field",
        ),
        (
            "label.asl.json",
            format!(r#"{{"StartAt":"A","States":{{"A":{{"Type":"Pass","End":"{blob}"}}}}}}"#),
            "flowc::asl::wrong_type",
        ),
    ];
    for (name, text, code) in cases {
        write(dir.path(), name, &text);
        let out = flowc(&["check", name], dir.path());
        assert_input_error(&out, name, code);
        assert!(
            stderr(&out).len() < 4_000,
            "{name}: stderr is {} bytes",
            stderr(&out).len()
        );
    }
}

#[test]
fn ten_thousand_deep_nesting_is_refused_without_overflow() {
    let dir = temp();
    let deep = format!(
        "pass Start {{ result {}{} }}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    write(dir.path(), "deep.flow", &deep);
    let out = flowc(&["check", "deep.flow"], dir.path());
    assert_input_error(&out, "deep.flow", "flowc::parse::too_deep");

    let deep_json = format!(
        "{{\"StartAt\":\"A\",\"States\":{{\"A\":{{\"Type\":\"Pass\",\"Result\":{}{},\"End\":true}}}}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    write(dir.path(), "deep.asl.json", &deep_json);
    let out = flowc(&["check", "deep.asl.json"], dir.path());
    assert_input_error(&out, "deep.asl.json", "flowc::asl::too_deep");
}

#[test]
fn directory_and_unknown_extension_are_refused() {
    let dir = temp();
    std::fs::create_dir(dir.path().join("folder.flow")).unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "notes.txt", "hello");
    assert_input_error(
        &flowc(&["check", "folder.flow"], dir.path()),
        "folder.flow",
        "is a directory",
    );
    assert_input_error(
        &flowc(&["check", "notes.txt"], dir.path()),
        "notes.txt",
        "flowc::input::unknown_kind",
    );
}

#[test]
fn output_into_missing_directory_fails_cleanly() {
    let dir = temp();
    write(dir.path(), "ok.flow", OK_FLOW);
    let out = flowc(
        &["compile", "ok.flow", "-o", "no/such/dir/out.json"],
        dir.path(),
    );
    assert_input_error(&out, "no/such/dir/out.json", "flowc::output::write_failed");
}

#[test]
fn json_format_names_the_file_for_input_errors() {
    let dir = temp();
    let out = flowc(
        &["--message-format", "json", "check", "gone.flow"],
        dir.path(),
    );
    assert_exit(&out, 1);
    let err = stderr(&out);
    let object: serde_json::Value = serde_json::from_str(err.trim_end())
        .unwrap_or_else(|e| panic!("not one JSON object ({e}): {err}"));
    assert_eq!(object["code"], "flowc::input::not_found");
    assert_eq!(object["file"], "gone.flow");
    assert_eq!(object["line"], serde_json::Value::Null);

    write(dir.path(), "bad.flow", b"pass A\n\xff\n");
    let out = flowc(
        &["check", "bad.flow", "--message-format", "json"],
        dir.path(),
    );
    let err = stderr(&out);
    let object: serde_json::Value = serde_json::from_str(err.trim_end())
        .unwrap_or_else(|e| panic!("not one JSON object ({e}): {err}"));
    assert_eq!(object["code"], "flowc::input::not_utf8");
    assert_eq!(object["file"], "bad.flow");
    assert_eq!(
        (object["line"].as_u64(), object["column"].as_u64()),
        (Some(2), Some(1))
    );
}

/// A small case: one Pass state, with AWS's recorded output and event sequence.
const PASS_CASE: &str = r#"{
  "id": "pass-one",
  "features": ["pass"],
  "definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"x": 1}, "End": true}}},
  "input": {},
  "expected": {"status": "SUCCEEDED", "output": {"x": 1.0},
               "history": [["ExecutionStarted", null], ["PassStateEntered", "P"],
                           ["PassStateExited", "P"], ["ExecutionSucceeded", null]]}
}"#;

#[test]
fn run_case_prints_the_result_with_its_event_sequence() {
    let dir = temp();
    write(dir.path(), "case.json", PASS_CASE);
    let out = flowc(&["run-case", "case.json"], dir.path());
    assert_exit(&out, 0);
    let result: serde_json::Value = serde_json::from_str(stdout(&out).trim())
        .unwrap_or_else(|e| panic!("run-case prints one JSON object: {e}"));
    assert_eq!(result["status"], "SUCCEEDED");
    assert_eq!(result["output"], serde_json::json!({"x": 1}));
    assert_eq!(
        result["history"],
        serde_json::json!([
            ["ExecutionStarted", null],
            ["PassStateEntered", "P"],
            ["PassStateExited", "P"],
            ["ExecutionSucceeded", null]
        ])
    );
}

#[test]
fn conformance_scores_a_corpus_and_gates_on_the_pass_rate() {
    let dir = temp();
    let cases = dir.path().join("cases");
    std::fs::create_dir(&cases).unwrap_or_else(|e| panic!("{e}"));
    write(&cases, "a.json", PASS_CASE);
    // The same run, recorded with another output and a shorter history: one failure.
    let wrong = PASS_CASE
        .replace("\"pass-one\"", "\"pass-wrong\"")
        .replace("{\"x\": 1.0}", "{\"x\": 2}")
        .replace(", [\"ExecutionSucceeded\", null]", "");
    write(&cases, "b.json", wrong);
    // Files starting with `_` are not cases.
    write(&cases, "_notes.json", "not json");

    let out = flowc(
        &[
            "conformance",
            "cases",
            "--show-failures",
            "5",
            "--show-history-differences",
            "5",
        ],
        dir.path(),
    );
    assert_exit(&out, 0);
    let text = stdout(&out);
    let all_row: Vec<&str> = text
        .lines()
        .find(|l| l.starts_with("ALL "))
        .map(|l| l.split_whitespace().collect())
        .unwrap_or_default();
    assert_eq!(all_row, ["ALL", "1", "1", "50.0%", "1/2"], "{text}");
    assert!(
        text.contains("FAIL pass-wrong: $output.x: expected 2, got 1"),
        "{text}"
    );
    assert!(
        text.contains("HISTORY pass-wrong: history: expected 3 events, got 4"),
        "{text}"
    );
    assert!(
        text.contains("1 passed, 1 failed; event sequences: 1 of 2 recorded histories match"),
        "{text}"
    );

    assert_exit(
        &flowc(&["conformance", "cases", "--gate", "50"], dir.path()),
        0,
    );
    let gated = flowc(&["conformance", "cases", "--gate", "100"], dir.path());
    assert_exit(&gated, 1);
    assert!(stdout(&gated).contains("gate: all cases: 1/2 = 50.0% (gate 100%)"));
    let excluded = flowc(
        &[
            "conformance",
            "cases",
            "--gate",
            "100",
            "--gate-exclude",
            "pass",
        ],
        dir.path(),
    );
    assert_exit(&excluded, 0);

    std::fs::create_dir(dir.path().join("empty")).unwrap_or_else(|e| panic!("{e}"));
    let empty = flowc(&["conformance", "empty"], dir.path());
    assert_exit(&empty, 1);
    assert!(stderr(&empty).contains("no case files (*.json) under empty"));
    let missing = flowc(&["conformance", "nowhere"], dir.path());
    assert_exit(&missing, 1);
    assert!(stderr(&missing).contains("cannot read the conformance cases at nowhere"));
}

#[test]
fn conformance_scores_another_engines_results_by_the_same_rules() {
    let dir = temp();
    let cases = dir.path().join("cases");
    let nested = cases.join("more");
    std::fs::create_dir_all(&nested).unwrap_or_else(|e| panic!("{e}"));
    write(&cases, "a.json", PASS_CASE);
    write(&nested, "b.json", PASS_CASE.replace("pass-one", "pass-two"));
    write(
        &cases,
        "c.json",
        PASS_CASE.replace("pass-one", "pass-three"),
    );
    let results = dir.path().join("engine");
    std::fs::create_dir_all(results.join("more")).unwrap_or_else(|e| panic!("{e}"));
    // Right output, no history: passes, the event sequence does not count as matched.
    write(
        &results,
        "a.json",
        r#"{"status": "SUCCEEDED", "output": {"x": 1}}"#,
    );
    // At the case's relative path: a wrong output fails with the first difference.
    write(
        &results.join("more"),
        "b.json",
        r#"{"status": "SUCCEEDED", "output": {"x": "1"}}"#,
    );
    // A string: the engine could not run the case, and says why.
    write(
        &results,
        "c.json",
        r#""error: the engine refused the definition""#,
    );

    let out = flowc(
        &[
            "conformance",
            "cases",
            "--results",
            "engine",
            "--show-failures",
            "5",
            "--json-out",
            "verdicts.json",
        ],
        dir.path(),
    );
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("FAIL pass-two: $output.x: expected 1.0, got \"1\""),
        "{text}"
    );
    assert!(
        text.contains("FAIL pass-three: error: the engine refused the definition"),
        "{text}"
    );
    assert!(
        text.contains("1 passed, 2 failed; event sequences: 0 of 3 recorded histories match"),
        "{text}"
    );
    let verdicts: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("verdicts.json"))
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let passed: Vec<(&str, bool)> = verdicts
        .as_array()
        .map(|all| {
            all.iter()
                .map(|v| (v["id"].as_str().unwrap_or(""), v["pass"] == true))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        passed,
        [
            ("pass-one", true),
            ("pass-three", false),
            ("pass-two", false)
        ]
    );

    // A case without a result is an error of the run, not a failure of the case.
    std::fs::remove_file(results.join("c.json")).unwrap_or_else(|e| panic!("{e}"));
    let missing = flowc(&["conformance", "cases", "--results", "engine"], dir.path());
    assert_exit(&missing, 1);
    assert!(
        stderr(&missing).contains(&format!("engine{}c.json", std::path::MAIN_SEPARATOR)),
        "{}",
        stderr(&missing)
    );
    // A result that is neither an object nor a string is malformed.
    write(&results, "c.json", "[1]");
    let malformed = flowc(&["conformance", "cases", "--results", "engine"], dir.path());
    assert_exit(&malformed, 1);
    assert!(
        stderr(&malformed).contains("a result is a run-case JSON object or a string"),
        "{}",
        stderr(&malformed)
    );
}

#[test]
fn simulate_reads_distributed_map_items_from_an_objects_folder_and_writes_results_there() {
    let dir = temp();
    write(
        dir.path(),
        "m.asl.json",
        r#"{"StartAt": "Each", "States": {"Each": {"Type": "Map",
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                "Parameters": {"Bucket": "in", "Key": "rows.csv"}},
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket": "out", "Prefix": "runs"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": true}}},
            "End": true}}}"#,
    );
    std::fs::create_dir_all(dir.path().join("objects/in")).unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "objects/in/rows.csv", "id,name\n1,a\n2,b\n");
    let out = flowc(
        &["simulate", "m.asl.json", "--objects", "objects"],
        dir.path(),
    );
    assert_exit(&out, 0);
    let result: serde_json::Value = serde_json::from_str(stdout(&out).trim())
        .unwrap_or_else(|e| panic!("simulate prints one JSON object: {e}"));
    assert_eq!(result["status"], "SUCCEEDED", "{result}");
    let key = result["output"]["ResultWriterDetails"]["Key"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let succeeded = key.replace("manifest.json", "SUCCEEDED_0.json");
    let records: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("objects/out").join(&succeeded))
            .unwrap_or_else(|e| panic!("{succeeded}: {e}")),
    )
    .unwrap_or_default();
    assert_eq!(records[1]["Output"], r#"{"id":"2","name":"b"}"#);
    // The summary names the Map Run and its children; each child's own history is written.
    assert_eq!(result["map_runs"][0]["state"], "Each", "{result}");
    assert_eq!(result["map_runs"][0]["children"], 2, "{result}");
    assert_eq!(result["map_runs"][0]["failed"], 0, "{result}");
    let out = flowc(
        &[
            "simulate",
            "m.asl.json",
            "--objects",
            "objects",
            "--child-histories",
            "children",
        ],
        dir.path(),
    );
    assert_exit(&out, 0);
    assert_eq!(
        listing(&dir.path().join("children/1-Each")),
        ["1.json", "2.json"]
    );
    let child: serde_json::Value =
        serde_json::from_str(&read(&dir.path().join("children/1-Each/2.json"))).unwrap_or_default();
    let types: Vec<&str> = child["events"]
        .as_array()
        .map(|events| events.iter().filter_map(|e| e["type"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert!(
        child["events"][0]["executionStartedEventDetails"]["input"]
            .as_str()
            .is_some_and(|input| input.contains("\"id\":\"2\"")),
        "{child}"
    );
    // Without the folder the run fails and says what is missing.
    let out = flowc(&["simulate", "m.asl.json"], dir.path());
    let result: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap_or_default();
    assert_eq!(result["status"], "FAILED");
    assert!(
        result["cause"].as_str().unwrap_or("").contains("--objects"),
        "{result}"
    );
}

#[test]
fn check_reports_load_errors_and_single_state_findings_in_one_run() {
    let dir = temp();
    write(
        dir.path(),
        "several.asl.json",
        r#"{"StartAt": "Call", "States": {
            "Call": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Route"},
                          {"ErrorEquals": ["Custom.Error"], "Next": "Route"}],
                "Nxt": "Route"},
            "Route": {"Type": "Choice", "Choices": [{"Variable": "$.ok", "BooleanEquals": true, "Next": "Done"}]},
            "Done": {"Type": "Succeed"}
        }}"#,
    );
    let out = flowc(&["check", "several.asl.json"], dir.path());
    assert_exit(&out, 1);
    let text = stderr(&out);
    // The misspelled Next (a load error) ...
    assert!(text.contains("flowc::asl::unknown_field"), "{text}");
    // ... and, in the same run, what the states that did load say: a Choice without Default.
    assert!(
        text.contains("flowc::check::choice_without_default"),
        "{text}"
    );
    // Nothing the missing state would make false: `Route` is reached from it.
    assert!(!text.contains("unreachable"), "{text}");
}

/// One definition with a load error (a zero timeout), a target that exists nowhere and a
/// Choice without Default: every command reports the same errors in one run, with lines.
const SEVERAL_PROBLEMS: &str = r#"{"StartAt": "A", "States": {
    "A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
          "TimeoutSeconds": 0, "Next": "B"},
    "B": {"Type": "Choice", "Choices": [{"Variable": "$.x", "StringEquals": "y", "Next": "Nowhere"}]}
}}"#;

#[test]
fn decompile_graph_and_simulate_report_every_error_check_reports() {
    let dir = temp();
    write(dir.path(), "several.asl.json", SEVERAL_PROBLEMS);
    for command in ["check", "decompile", "graph", "simulate"] {
        let out = flowc(&[command, "several.asl.json"], dir.path());
        assert_exit(&out, 1);
        let text = stderr(&out);
        for needle in [
            "flowc::asl::invalid_number",
            "several.asl.json:3:",
            "flowc::check::unknown_target",
            "several.asl.json:4:",
            "error: several.asl.json: 2 errors",
        ] {
            assert!(text.contains(needle), "{command}: no `{needle}` in\n{text}");
        }
        // Warnings are `check`'s business (and decompile's and graph's, which read like it);
        // `simulate` shows errors only.
        let warned = text.contains("choice_without_default");
        assert_eq!(warned, command != "simulate", "{command}:\n{text}");
        // Nothing is made of a definition whose states did not all load.
        assert_eq!(stdout(&out), "", "{command}");
    }
}

#[test]
fn graph_still_draws_a_definition_that_loaded_whole() {
    let dir = temp();
    write(
        dir.path(),
        "unknown.asl.json",
        r#"{"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "Nowhere"}],
                  "Default": "C"},
            "C": {"Type": "Pass", "Next": "Gone"}
        }}"#,
    );
    let out = flowc(&["graph", "unknown.asl.json"], dir.path());
    assert_exit(&out, 1);
    let text = stderr(&out);
    assert!(
        text.contains("`Nowhere`") && text.contains("`Gone`"),
        "{text}"
    );
    assert!(stdout(&out).contains("n0 -> n1"), "{}", stdout(&out));
    // simulate names both missing targets, not only the first the engine meets.
    let out = flowc(&["simulate", "unknown.asl.json"], dir.path());
    assert_exit(&out, 1);
    let text = stderr(&out);
    assert!(
        text.contains("`Nowhere`") && text.contains("`Gone`"),
        "{text}"
    );
}
