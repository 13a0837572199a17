//! flowc as an installed user meets it: `--version` names the commit it was built from.

use std::path::Path;
use std::process::{Command, Output};

fn flowc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flowc"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("running flowc: {e}"))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        stdout(output),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// git's answer for this checkout, asked independently of build.rs; `None` outside git (a
/// tarball), where flowc must say it does not know.
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")))
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

#[test]
fn version_names_the_package_version_and_the_commit_built_from() {
    let out = flowc(&["--version"]);
    assert_success(&out);
    let commit = match (
        git(&["rev-parse", "--short=12", "HEAD"]),
        git(&["show", "-s", "--format=%cs", "HEAD"]),
    ) {
        (Some(hash), Some(date)) => format!("{hash} {date}"),
        _ => "unknown commit".to_owned(),
    };
    let version = format!("{} ({commit})\n", env!("CARGO_PKG_VERSION"));
    assert_eq!(stdout(&out), format!("flowc {version}"));
    // Subcommands answer the same, under their clap name (propagate_version).
    let sub = flowc(&["check", "--version"]);
    assert_success(&sub);
    assert_eq!(stdout(&sub), format!("flowc-check {version}"));
}
