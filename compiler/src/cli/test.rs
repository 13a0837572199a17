//! `flowc test`: placeholder so the CLI tree builds. PATHS owns this file and replaces it.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{EXIT_INPUT, Global};

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Test files or folders to run.
    pub paths: Vec<PathBuf>,
}

pub fn run(_args: TestArgs, _global: &Global) -> ExitCode {
    eprintln!("error: `flowc test` is not implemented yet");
    ExitCode::from(EXIT_INPUT)
}
