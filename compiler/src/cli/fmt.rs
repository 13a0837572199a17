//! `flowc fmt [--check] FILE...`: canonical formatting of .flow files, in place.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Global, pending};

#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Write nothing; exit 1 listing the files that would change.
    #[arg(long)]
    pub check: bool,
    /// The .flow files to format.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

pub fn run(args: FmtArgs, global: &Global) -> ExitCode {
    let mut code = ExitCode::SUCCESS;
    for file in &args.files {
        code = pending("fmt", file, global);
    }
    code
}
