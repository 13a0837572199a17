//! `--emit-simtest OUT.json`: one simulation test per witness (each outcome's, then the runs
//! that reach what those do not), so an exploration becomes regression tests `flowc test` runs
//! that reach everything the exploration reached. A test's mocks are the witness's answers at the
//! invocations they were given (a run of repeated answers written as one range), its
//! expectations the witness's status, error and path.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value, json};

use super::{Exploration, Run};

/// The test file, as pretty JSON; `machine` is the machine's path as the test file names it.
pub fn simtest(exploration: &Exploration, machine: &str) -> String {
    let mut tests: Vec<Value> = exploration
        .outcomes
        .iter()
        .enumerate()
        .map(|(i, run)| {
            test(
                format!("explored #{}: {}", i + 1, run.key.describe()),
                run,
                exploration,
            )
        })
        .collect();
    tests.extend(exploration.reach_witnesses.iter().map(|run| {
        test(
            format!("explored run {}: {}", run.number, run.key.describe()),
            run,
            exploration,
        )
    }));
    let doc = json!({
        "machine": machine,
        "tests": tests,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

fn test(name: String, run: &Run, exploration: &Exploration) -> Value {
    let mut expect = Map::new();
    expect.insert("status".into(), run.key.status.into());
    if let Some(error) = &run.key.error {
        expect.insert("error".into(), error.clone().into());
    }
    expect.insert("path".into(), run.path.clone().into());
    json!({
        "name": name,
        "input": exploration.inputs.get(run.input).cloned().unwrap_or(Value::Null),
        "mocks": mocks(run),
        "expect": expect,
    })
}

/// state -> {"0": response, "1-6": response, ...}
pub fn mocks(run: &Run) -> Value {
    let mut by_state: BTreeMap<&str, Vec<(u32, &Value)>> = BTreeMap::new();
    for decision in &run.decisions {
        if let Some(answer) = decision.answer() {
            by_state
                .entry(decision.state.as_str())
                .or_default()
                .push((decision.invocation, &answer.response));
        }
    }
    let mut out = Map::new();
    for (state, mut answers) in by_state {
        answers.sort_by_key(|(invocation, _)| *invocation);
        let mut ranges = Map::new();
        let mut at = 0;
        while let Some(&(first, response)) = answers.get(at) {
            let mut last = first;
            let mut next = at + 1;
            while let Some(&(i, r)) = answers.get(next) {
                if i != last + 1 || r != response {
                    break;
                }
                last = i;
                next += 1;
            }
            let key = if last == first {
                first.to_string()
            } else {
                format!("{first}-{last}")
            };
            ranges.insert(key, response.clone());
            at = next;
        }
        out.insert(state.to_string(), Value::Object(ranges));
    }
    Value::Object(out)
}

/// `machine` as a path from `dir` (both as given, made absolute against the working
/// directory), so the test file names its machine relative to itself as test files do.
pub fn relative(machine: &Path, dir: &Path) -> PathBuf {
    let absolute = |p: &Path| {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        crate::coverage::normalize(&p)
    };
    let machine = absolute(machine);
    let dir = absolute(dir);
    let m: Vec<Component<'_>> = machine.components().collect();
    let d: Vec<Component<'_>> = dir.components().collect();
    let common = m.iter().zip(&d).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..d.len() {
        out.push("..");
    }
    for part in &m[common..] {
        out.push(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_paths_are_relative_to_the_test_file() {
        assert_eq!(
            relative(
                Path::new("/a/workflows/t.flow"),
                Path::new("/a/workflows/tests")
            ),
            PathBuf::from("../t.flow")
        );
        assert_eq!(
            relative(Path::new("/a/t.flow"), Path::new("/a")),
            PathBuf::from("t.flow")
        );
        assert_eq!(
            relative(Path::new("/a/b/t.flow"), Path::new("/c/d")),
            PathBuf::from("../../a/b/t.flow")
        );
    }
}
