//! The compiler never emits what the checker refuses: every `.flow` that compiles — the
//! corpus, the workflows and generated flows whose values sit on AWS's limits (0s, heartbeat
//! against timeout, real and impossible timestamps) — gives ASL that `flowc_asl::load` accepts
//! and the graph checks find no error in; a sample of the generated ones also passes
//! asl-validator (`FLOWC_ASL_VALIDATOR`, from `scripts/ensure-tools.sh`; missing means a failure,
//! never a skip).

use std::process::Command;

use flowc::{Bindings, check, compile};
use miette::{Diagnostic, Severity};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

mod support;
use support::repo_root;

/// Compiles `source`; when it compiles, the emitted JSON must load and pass the graph checks
/// without an error. Returns the JSON, or `None` when the compiler refused the source.
fn compiled_json_that_checks(source: &str) -> Result<Option<String>, String> {
    // What `flowc compile` does: lower, then the graph checks; it writes only when both pass.
    let Ok(lowered) = compile(source, &Bindings::new()) else {
        return Ok(None);
    };
    if check(&lowered.machine, &lowered.spans)
        .iter()
        .any(|finding| !matches!(finding.severity(), Some(Severity::Warning)))
    {
        return Ok(None);
    }
    let json = flowc_asl::emit(&lowered.machine);
    let loaded = flowc_asl::load(&json, "compiled.asl.json").map_err(|errors| {
        let messages: Vec<String> = errors
            .errors()
            .iter()
            .map(|e| format!("{e}: {:?}", e.help().map(|h| h.to_string())))
            .collect();
        format!(
            "the compiler emitted JSON the loader refuses:\n{}\n--- source\n{source}\n--- json\n{json}",
            messages.join("\n")
        )
    })?;
    let errors: Vec<String> = check(&loaded.machine, &loaded.spans)
        .into_iter()
        .filter(|finding| !matches!(finding.severity(), Some(Severity::Warning)))
        .map(|finding| finding.to_string())
        .collect();
    if !errors.is_empty() {
        return Err(format!(
            "the checks refuse compiled JSON: {errors:?}\n--- source\n{source}"
        ));
    }
    Ok(Some(json))
}

#[test]
fn every_corpus_flow_and_workflow_compiles_to_json_that_checks() {
    let mut count = 0;
    for dir in ["compiler/tests/corpus/ok", "workflows"] {
        let dir = repo_root().join(dir);
        let entries =
            std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
        for path in entries.flatten().map(|e| e.path()) {
            if path.extension().is_none_or(|ext| ext != "flow") {
                continue;
            }
            let source = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            match compiled_json_that_checks(&source) {
                Ok(Some(_)) => count += 1,
                Ok(None) => panic!("{} does not compile", path.display()),
                Err(why) => panic!("{}: {why}", path.display()),
            }
        }
    }
    assert!(count >= 7, "only {count} flows found");
}

/// A generated value of a field AWS bounds.
fn duration() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u64..4).prop_map(|s| format!("{s}s")),
        (0u64..3).prop_map(|m| format!("{m}m")),
        Just("0.5m".to_string()),
        Just("1.5s".to_string()),
    ]
}

fn timestamp() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("2024-01-31T09:00:00Z"),
        Just("2024-02-29T23:59:59.5+01:00"),
        Just("2023-02-29T00:00:00Z"),
        Just("2024-13-01T00:00:00Z"),
        Just("2024-01-31 09:00:00Z"),
        Just("not-a-date"),
    ]
    .prop_map(str::to_string)
}

/// One generated state, its name `S{index}`, followed by the next one (the last ends).
fn state(index: usize, count: usize) -> impl Strategy<Value = String> {
    let name = format!("S{index}");
    let next = if index + 1 < count {
        format!("S{}", index + 1)
    } else {
        "Done".to_string()
    };
    let task = (
        proptest::option::of(duration()),
        proptest::option::of(duration()),
        proptest::option::of((duration(), 0u64..4, duration())),
    )
        .prop_map({
            let name = name.clone();
            move |(timeout, heartbeat, retry)| {
                let mut body = String::new();
                if let Some(t) = timeout {
                    body.push_str(&format!("    timeout {t}\n"));
                }
                if let Some(h) = heartbeat {
                    body.push_str(&format!("    heartbeat {h}\n"));
                }
                if let Some((every, attempts, max_delay)) = retry {
                    body.push_str(&format!(
                        "    retry on States.ALL every {every} attempts {attempts} max_delay {max_delay}\n"
                    ));
                }
                format!("task {name} = worker {{\n{body}}}\n")
            }
        });
    let wait_seconds = duration().prop_map({
        let name = name.clone();
        move |d| format!("wait {name} for {d}\n")
    });
    let wait_until = timestamp().prop_map({
        let name = name.clone();
        move |t| format!("wait {name} until \"{t}\"\n")
    });
    let choice = timestamp().prop_map(move |t| {
        format!("choice {name} {{\n    when $.at < timestamp(\"{t}\") -> Done\n    otherwise -> {next}\n}}\n")
    });
    prop_oneof![task, wait_seconds, wait_until, choice]
}

fn flow() -> impl Strategy<Value = String> {
    (proptest::option::of(duration()), 1usize..5)
        .prop_flat_map(|(timeout, count)| {
            let states: Vec<_> = (0..count).map(|i| state(i, count)).collect();
            (Just(timeout), states)
        })
        .prop_map(|(timeout, states)| {
            let mut text = String::from("resource worker = lambda \"worker\"\n");
            if let Some(t) = timeout {
                text.push_str(&format!("timeout {t}\n"));
            }
            for state in states {
                text.push_str(&state);
            }
            text.push_str("succeed Done\n");
            text
        })
}

proptest! {
    #![proptest_config(Config { cases: 256, ..Config::default() })]

    #[test]
    fn a_generated_flow_compiles_to_json_that_checks_or_does_not_compile(source in flow()) {
        if let Err(why) = compiled_json_that_checks(&source) {
            prop_assert!(false, "{}", why);
        }
    }
}

#[test]
fn values_on_aws_limits_are_refused_at_compile() {
    for (source, what) in [
        ("timeout 0s\nsucceed Done\n", "timeout 0s"),
        (
            "resource w = lambda \"w\"\ntask T = w { retry on States.ALL every 0s }\nsucceed Done\n",
            "every 0s",
        ),
        (
            "resource w = lambda \"w\"\ntask T = w { timeout 10s heartbeat 30s }\nsucceed Done\n",
            "heartbeat 30s with timeout 10s",
        ),
        (
            "wait W until \"not-a-date\"\nsucceed Done\n",
            "wait until not-a-date",
        ),
        (
            "wait W until \"2023-02-29T00:00:00Z\"\nsucceed Done\n",
            "an impossible timestamp",
        ),
    ] {
        assert!(
            compile(source, &Bindings::new()).is_err(),
            "{what} compiled:\n{source}"
        );
    }
}

/// A fixed sample of generated flows that compile, all given to asl-validator in one run.
#[test]
fn generated_flows_that_compile_pass_asl_validator() {
    let Some(validator) = std::env::var_os("FLOWC_ASL_VALIDATOR") else {
        panic!(
            "FLOWC_ASL_VALIDATOR is not set: run `eval \"$(scripts/ensure-tools.sh)\"` (it installs asl-validator 4.0.0)"
        );
    };
    let mut runner = TestRunner::deterministic();
    let strategy = flow();
    let temp = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let mut command = Command::new(&validator);
    let mut written = 0;
    for attempt in 0..400 {
        let source = strategy
            .new_tree(&mut runner)
            .unwrap_or_else(|e| panic!("generating: {e}"))
            .current();
        let Some(json) = compiled_json_that_checks(&source).unwrap_or_else(|why| panic!("{why}"))
        else {
            continue;
        };
        let json = json.replace(
            "${worker}",
            "arn:aws:lambda:us-east-1:123456789012:function:worker",
        );
        let file = temp.path().join(format!("{attempt}.asl.json"));
        std::fs::write(&file, json).unwrap_or_else(|e| panic!("writing {}: {e}", file.display()));
        command.arg("--json-path").arg(&file);
        written += 1;
        if written == 48 {
            break;
        }
    }
    assert!(written >= 24, "only {written} generated flows compiled");
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("running asl-validator: {e}"));
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "asl-validator rejected:\n{report}");
    assert_eq!(report.matches("is valid").count(), written, "{report}");
}
