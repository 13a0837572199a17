//! `flowc decompile FILE.asl.json [-o OUT]`: ASL JSON back to readable .flow.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Global, pending};

#[derive(Debug, clap::Args)]
pub struct DecompileArgs {
    /// The .asl.json file.
    pub file: PathBuf,
    /// Write the .flow text here (atomically) instead of stdout.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

pub fn run(args: DecompileArgs, global: &Global) -> ExitCode {
    pending("decompile", &args.file, global)
}
