//! Helpers shared by the CLI test binaries (each `tests/*.rs` is its own crate, so they
//! include this module with `mod support;`).

// Each test binary uses only some of these; the others would warn as dead code there.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's root: the compiler crate's parent directory.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Copies the directory tree `from` into `to` (created if missing), files and subdirectories.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("creating {}: {e}", to.display()));
    let entries =
        std::fs::read_dir(from).unwrap_or_else(|e| panic!("reading {}: {e}", from.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target)
                .unwrap_or_else(|e| panic!("copying {}: {e}", path.display()));
        }
    }
}

/// Runs the built `flowc` with `args` in `dir`, without colour.
pub fn flowc(args: &[&str], dir: &Path) -> Output {
    flowc_command(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running flowc: {e}"))
}

/// The built `flowc`, to run in `dir` without colour: for tests that talk to it as it runs
/// (`flowc lsp`).
pub fn flowc_command(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_flowc"));
    command.current_dir(dir).env("NO_COLOR", "1");
    command
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
