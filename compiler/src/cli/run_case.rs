//! `flowc run-case`: placeholder so the CLI tree builds. SIM owns this file and replaces it.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{EXIT_INPUT, Global};

#[derive(Debug, clap::Args)]
pub struct RunCaseArgs {
    /// The conformance case to run.
    pub case: PathBuf,
}

pub fn run(args: RunCaseArgs, _global: &Global) -> ExitCode {
    eprintln!(
        "error: `flowc run-case` is not implemented yet (asked to run {})",
        args.case.display()
    );
    ExitCode::from(EXIT_INPUT)
}
