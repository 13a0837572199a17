//! The CI recipes in docs/ci/ work as written on the example team repository
//! (examples/team-repo/): every step but the install runs here, with the flowc under test on
//! PATH, in a scratch copy of it outside this repository, and produces the JUnit file the upload
//! step names with the example's simulation tests passing; a stale compiled ASL fails the job.

use std::path::Path;
use std::process::{Command, Output};

mod support;
use support::{copy_dir, repo_root};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// GitHub Actions: each `run:` step, a `run: |` block dedented to its lines.
fn github_steps(yaml: &str) -> Vec<String> {
    let lines: Vec<&str> = yaml.lines().collect();
    let mut steps = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.trim_start().strip_prefix("run: ") else {
            continue;
        };
        if rest.trim() != "|" {
            steps.push(rest.trim().to_owned());
            continue;
        }
        let block: Vec<&str> = lines
            .iter()
            .skip(i + 1)
            .take_while(|l| l.trim().is_empty() || indent(l) > indent(line))
            .map(|l| l.trim())
            .collect();
        steps.push(block.join("\n"));
    }
    steps
}

/// GitLab CI: the items of the list under `key:` (`script:`, `before_script:`).
fn gitlab_items(yaml: &str, key: &str) -> Vec<String> {
    let lines: Vec<&str> = yaml.lines().collect();
    let Some(start) = lines.iter().position(|l| l.trim() == key) else {
        panic!("no `{key}` in the GitLab recipe");
    };
    lines
        .iter()
        .skip(start + 1)
        .take_while(|l| indent(l) > indent(lines[start]))
        .filter_map(|l| l.trim().strip_prefix("- "))
        .map(str::to_owned)
        .collect()
}

/// A scratch copy of examples/team-repo/, outside this repository.
fn team_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    copy_dir(&repo_root().join("examples/team-repo"), dir.path());
    dir
}

/// Runs one step as both CI systems do: a shell that stops at the first failing command.
fn run_step(step: &str, dir: &Path) -> Output {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_flowc"))
        .parent()
        .unwrap_or_else(|| panic!("the flowc binary has no directory"))
        .to_path_buf();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(&rest)))
        .unwrap_or_else(|e| panic!("PATH: {e}"));
    Command::new("sh")
        .args(["-e", "-c", step])
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("running sh: {e}"))
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs `steps` in order in a fresh team repository; returns the repository and each result.
fn run_all(steps: &[String]) -> (tempfile::TempDir, Vec<(String, Output)>) {
    let repo = team_repo();
    let results = steps
        .iter()
        .map(|step| (step.clone(), run_step(step, repo.path())))
        .collect();
    (repo, results)
}

fn assert_recipe_passes(name: &str, steps: &[String]) {
    for needle in [
        "flowc compile",
        "--check",
        "flowc check",
        "flowc test workflows --junit flowc-junit.xml",
    ] {
        assert!(
            steps.iter().any(|s| s.contains(needle)),
            "{name}: no step with `{needle}`: {steps:#?}"
        );
    }
    let (repo, results) = run_all(steps);
    for (step, out) in &results {
        assert!(
            out.status.success(),
            "{name}: `{step}` failed:\n{}",
            text(out)
        );
    }
    let junit = read(&repo.path().join("flowc-junit.xml"));
    assert!(
        junit.contains("<testsuites") && junit.contains("<testcase"),
        "{junit}"
    );
    assert!(!junit.contains("<failure"), "{junit}");
    for test in [
        "a paid order succeeds",
        "a declined card releases the stock",
    ] {
        assert!(
            junit.contains(test),
            "the example's test `{test}` did not run:\n{junit}"
        );
    }

    // A compiled ASL that no longer matches its .flow fails the job.
    let stale = repo.path().join("workflows/order_fulfilment.asl.json");
    let mut asl = read(&stale);
    asl.push('\n');
    std::fs::write(&stale, asl).unwrap_or_else(|e| panic!("writing: {e}"));
    let compile = steps
        .iter()
        .find(|s| s.contains("flowc compile"))
        .unwrap_or_else(|| panic!("{name}: no compile step"));
    let out = run_step(compile, repo.path());
    assert!(
        !out.status.success(),
        "{name}: a stale ASL passed:\n{}",
        text(&out)
    );
    assert!(text(&out).contains("is out of date"), "{}", text(&out));
}

#[test]
fn github_actions_recipe_runs_as_written() {
    let yaml = read(&repo_root().join("docs/ci/github-actions.yml"));
    let (install, steps): (Vec<String>, Vec<String>) = github_steps(&yaml)
        .into_iter()
        .partition(|s| s.contains("cargo install"));
    assert_eq!(install.len(), 1, "{install:?}");
    assert!(
        install[0].contains("cargo install --locked --git"),
        "{install:?}"
    );
    assert_recipe_passes("github-actions.yml", &steps);
    assert!(yaml.contains("uses: actions/upload-artifact@v4"));
    assert!(yaml.contains("path: flowc-junit.xml"));
    assert!(
        yaml.contains("if: always()"),
        "the JUnit file is uploaded when tests fail too"
    );
}

#[test]
fn gitlab_recipe_runs_as_written() {
    let yaml = read(&repo_root().join("docs/ci/gitlab-ci.yml"));
    let before = gitlab_items(&yaml, "before_script:");
    assert!(
        before
            .iter()
            .any(|s| s.contains("cargo install --locked --git")),
        "{before:?}"
    );
    assert_recipe_passes("gitlab-ci.yml", &gitlab_items(&yaml, "script:"));
    assert!(yaml.contains("junit: flowc-junit.xml"));
    assert!(
        yaml.contains("when: always"),
        "the JUnit report is kept when tests fail too"
    );
}
