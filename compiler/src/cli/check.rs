//! `flowc check FILE`: every check, for .flow and for hand-written .asl.json.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Global, pending};

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// A .flow or .asl.json file.
    pub file: PathBuf,
}

pub fn run(args: CheckArgs, global: &Global) -> ExitCode {
    pending("check", &args.file, global)
}
