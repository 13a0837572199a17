//! `flowc simulate`: placeholder so the CLI tree builds. SIM owns this file and replaces it.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{EXIT_INPUT, Global};

#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// The state machine (.asl.json or .flow).
    pub file: PathBuf,
}

pub fn run(args: SimulateArgs, _global: &Global) -> ExitCode {
    eprintln!(
        "error: `flowc simulate` is not implemented yet (asked to run {})",
        args.file.display()
    );
    ExitCode::from(EXIT_INPUT)
}
