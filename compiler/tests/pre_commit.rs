//! The pre-commit hooks of `.pre-commit-hooks.yaml`, run by the real pre-commit tool
//! (`FLOWC_PRE_COMMIT`, installed by scripts/ensure-tools.sh) in a scratch repository, as a team
//! using flowc would: a commit of a badly formatted `.flow` is blocked, then passes once
//! formatted; a `.flow` with an error is blocked by `flowc check`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pre_commit() -> PathBuf {
    match std::env::var_os("FLOWC_PRE_COMMIT") {
        Some(path) => PathBuf::from(path),
        None => panic!(
            "FLOWC_PRE_COMMIT is not set: run `eval \"$(scripts/ensure-tools.sh)\"` (it installs pre-commit 4.7.0)"
        ),
    }
}

/// PATH with the flowc under test first: the hooks run the `flowc` on the PATH.
fn path_with_flowc() -> std::ffi::OsString {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_flowc"))
        .parent()
        .unwrap_or_else(|| panic!("the flowc binary has no directory"))
        .to_path_buf();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(&rest)))
        .unwrap_or_else(|e| panic!("PATH: {e}"))
}

fn run(program: &Path, args: &[&str], dir: &Path, home: &Path) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PATH", path_with_flowc())
        .env("PRE_COMMIT_HOME", home)
        .env("NO_COLOR", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", program.display()))
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn git(args: &[&str], dir: &Path, home: &Path) -> Output {
    run(Path::new("git"), args, dir, home)
}

fn ok(output: Output, what: &str) -> Output {
    assert!(output.status.success(), "{what} failed:\n{}", text(&output));
    output
}

fn write(path: &Path, contents: &str) {
    std::fs::write(path, contents).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

#[test]
fn hooks_block_unformatted_and_erroneous_flows_and_pass_good_ones() {
    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let home = scratch.path().join("pre-commit-home");

    // The hook repository: this checkout's .pre-commit-hooks.yaml, committed in a repository of
    // its own so the test runs the file as it is now, committed or not.
    let hooks = scratch.path().join("hooks");
    std::fs::create_dir(&hooks).unwrap_or_else(|e| panic!("mkdir: {e}"));
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../.pre-commit-hooks.yaml"),
        hooks.join(".pre-commit-hooks.yaml"),
    )
    .unwrap_or_else(|e| panic!("copying .pre-commit-hooks.yaml: {e}"));
    ok(git(&["init", "-q"], &hooks, &home), "git init");
    ok(git(&["add", "."], &hooks, &home), "git add");
    ok(
        git(&["commit", "-q", "-m", "hooks"], &hooks, &home),
        "git commit",
    );
    let rev = String::from_utf8_lossy(
        &ok(git(&["rev-parse", "HEAD"], &hooks, &home), "rev-parse").stdout,
    )
    .trim()
    .to_owned();

    // A team's repository using them.
    let team = scratch.path().join("team");
    std::fs::create_dir(&team).unwrap_or_else(|e| panic!("mkdir: {e}"));
    ok(git(&["init", "-q"], &team, &home), "git init");
    write(
        &team.join(".pre-commit-config.yaml"),
        &format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: flowc-fmt\n      - id: flowc-check\n",
            hooks.display()
        ),
    );
    ok(
        run(&pre_commit(), &["install"], &team, &home),
        "pre-commit install",
    );
    ok(
        git(&["add", ".pre-commit-config.yaml"], &team, &home),
        "git add",
    );
    ok(
        git(&["commit", "-q", "-m", "config"], &team, &home),
        "commit of the config alone",
    );

    // Valid but not canonically formatted: flowc-fmt blocks the commit.
    let flow = team.join("hello.flow");
    write(
        &flow,
        "pass   Start {   result { \"ok\": true }\n result_path $.result }\nsucceed    Done\n",
    );
    ok(git(&["add", "hello.flow"], &team, &home), "git add");
    let blocked = git(&["commit", "-q", "-m", "unformatted"], &team, &home);
    assert!(!blocked.status.success(), "{}", text(&blocked));
    assert!(
        text(&blocked).contains("flowc fmt --check") && text(&blocked).contains("Failed"),
        "{}",
        text(&blocked)
    );
    assert!(text(&blocked).contains("hello.flow"), "{}", text(&blocked));

    // Formatted, it passes both hooks.
    ok(
        run(
            Path::new(env!("CARGO_BIN_EXE_flowc")),
            &["fmt", "hello.flow"],
            &team,
            &home,
        ),
        "flowc fmt",
    );
    ok(git(&["add", "hello.flow"], &team, &home), "git add");
    let passed = ok(
        git(&["commit", "-m", "formatted"], &team, &home),
        "commit of a formatted flow",
    );
    assert!(
        text(&passed).contains("flowc fmt --check") && text(&passed).contains("flowc check"),
        "both hooks ran:\n{}",
        text(&passed)
    );

    // Formatted but wrong (a misspelt target): flowc-check blocks it and says why.
    write(
        &team.join("typo.flow"),
        "pass ValidateInput {\n    next CreateDatabaseSchem\n}\n\nsucceed CreateDatabaseSchema\n",
    );
    ok(
        run(
            Path::new(env!("CARGO_BIN_EXE_flowc")),
            &["fmt", "typo.flow"],
            &team,
            &home,
        ),
        "flowc fmt",
    );
    ok(git(&["add", "typo.flow"], &team, &home), "git add");
    let blocked = git(&["commit", "-q", "-m", "typo"], &team, &home);
    assert!(!blocked.status.success(), "{}", text(&blocked));
    assert!(
        text(&blocked).contains("flowc::resolve::unknown_state"),
        "{}",
        text(&blocked)
    );
}
