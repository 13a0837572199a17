//! README examples are tests.
//!
//! Convention (for README.md authors): a fenced block with the info string `console` holds
//! commands and their output.
//!
//! - A line starting with `$ flowc ` is a command; `flowc` is the binary under test. Arguments
//!   are split on whitespace, with '...' and "..." quoting. No pipes or redirections.
//! - The lines after it, up to the next `$ ` line or the end of the block, are its expected
//!   output: stdout followed by stderr, compared line by line with trailing whitespace ignored.
//!   A line `...` matches any number of lines (including none).
//! - The command must exit 0, unless its line ends with `# exit N`.
//! - Commands run in a scratch directory holding copies of `workflows/` and
//!   `compiler/tests/corpus/`, so examples may write files (`-o out.asl.json`) freely.
//! - Only `flowc` commands are allowed in `console` blocks; use `sh` blocks for anything else.

use std::process::Command;

mod support;
use support::{copy_dir, repo_root};

#[derive(Debug, PartialEq)]
struct Example {
    /// 1-based README line of the command.
    line: usize,
    args: Vec<String>,
    exit: i32,
    expected: Vec<String>,
}

fn examples(readme: &str) -> Result<Vec<Example>, String> {
    let mut out = Vec::new();
    let mut in_console = false;
    let mut in_other_fence = false;
    for (index, raw) in readme.lines().enumerate() {
        let line_no = index + 1;
        let trimmed = raw.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            if in_console || in_other_fence {
                in_console = false;
                in_other_fence = false;
            } else if info.trim() == "console" {
                in_console = true;
            } else {
                in_other_fence = true;
            }
            continue;
        }
        if !in_console {
            continue;
        }
        if let Some(command) = raw.strip_prefix("$ ") {
            let (command, exit) = match command.rsplit_once("# exit ") {
                Some((command, code)) => (
                    command,
                    code.trim()
                        .parse()
                        .map_err(|_| format!("README.md:{line_no}: bad `# exit {code}`"))?,
                ),
                None => (command, 0),
            };
            let words = split_words(command)
                .ok_or_else(|| format!("README.md:{line_no}: unbalanced quotes"))?;
            match words.split_first() {
                Some((program, args)) if program == "flowc" => out.push(Example {
                    line: line_no,
                    args: args.to_vec(),
                    exit,
                    expected: Vec::new(),
                }),
                _ => {
                    return Err(format!(
                        "README.md:{line_no}: `console` blocks may only run `flowc` (use an `sh` block): {command}"
                    ));
                }
            }
        } else if let Some(example) = out.last_mut() {
            example.expected.push(raw.trim_end().to_owned());
        }
    }
    Ok(out)
}

fn split_words(text: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for c in text.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => current.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                in_word = true;
            }
            None if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            None => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return None;
    }
    if in_word {
        words.push(current);
    }
    Some(words)
}

/// Line-by-line match where an expected `...` line matches any run of lines.
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, actual.get(skip..).unwrap_or_default()))
        }
        Some((first, rest)) => match actual.split_first() {
            Some((line, more)) => line.trim_end() == first && matches(rest, more),
            None => false,
        },
    }
}

#[test]
fn parser_reads_commands_output_and_exit_codes() {
    let readme = "text\n```console\n$ flowc check 'a b.flow'  # exit 1\nerror: x\n...\n$ flowc graph x.flow\n```\n```sh\n$ cargo test\n```\n";
    let parsed = examples(readme).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        parsed,
        vec![
            Example {
                line: 3,
                args: vec!["check".into(), "a b.flow".into()],
                exit: 1,
                expected: vec!["error: x".into(), "...".into()],
            },
            Example {
                line: 6,
                args: vec!["graph".into(), "x.flow".into()],
                exit: 0,
                expected: vec![],
            },
        ]
    );
    assert!(examples("```console\n$ cargo run\n```\n").is_err());
}

#[test]
fn ellipsis_matches_any_run_of_lines() {
    let expected: Vec<String> = ["a", "...", "d"].iter().map(|s| s.to_string()).collect();
    assert!(matches(&expected, &["a", "b", "c", "d"]));
    assert!(matches(&expected, &["a", "d"]));
    assert!(!matches(&expected, &["a", "b"]));
    assert!(!matches(&expected, &["x", "d"]));
}

/// Runs every example of `readme`; returns one message per failing example.
fn run_examples(examples: &[Example]) -> Vec<String> {
    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    copy_dir(
        &repo_root().join("workflows"),
        &scratch.path().join("workflows"),
    );
    copy_dir(
        &repo_root().join("compiler/tests/corpus"),
        &scratch.path().join("compiler/tests/corpus"),
    );
    let mut failures = Vec::new();
    for example in examples {
        let output = Command::new(env!("CARGO_BIN_EXE_flowc"))
            .args(&example.args)
            .current_dir(scratch.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap_or_else(|e| panic!("running flowc: {e}"));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let actual: Vec<&str> = text.lines().collect();
        let status = output.status.code();
        if status != Some(example.exit) || !matches(&example.expected, &actual) {
            failures.push(format!(
                "README.md:{}: `flowc {}` exited {status:?} (expected {})\n--- expected\n{}\n--- actual\n{text}",
                example.line,
                example.args.join(" "),
                example.exit,
                example.expected.join("\n"),
            ));
        }
    }
    failures
}

#[test]
fn runner_catches_wrong_output_and_exit_codes() {
    let readme = "```console\n$ flowc check workflows/tenant_provisioning.flow\n$ flowc check workflows/nope.flow  # exit 1\n...\n$ flowc check workflows/nope.flow\n$ flowc compile workflows/tenant_provisioning.flow\nnot this\n```\n";
    let parsed = examples(readme).unwrap_or_else(|e| panic!("{e}"));
    let failures = run_examples(&parsed);
    assert_eq!(failures.len(), 2, "{failures:#?}");
    assert!(failures[0].starts_with("README.md:5:"), "{}", failures[0]);
    assert!(failures[1].starts_with("README.md:6:"), "{}", failures[1]);
}

#[test]
fn readme_examples_run() {
    let readme_path = repo_root().join("README.md");
    let readme = std::fs::read_to_string(&readme_path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", readme_path.display()));
    let examples = examples(&readme).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !examples.is_empty(),
        "README.md has no tested examples: add a ```console block with `$ flowc ...` lines \
         (see the convention at the top of compiler/tests/readme.rs)"
    );
    let failures = run_examples(&examples);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
