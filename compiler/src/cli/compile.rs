//! `flowc compile FILE.flow [-o OUT] [--check] [--bind name=ARN]...`

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Binding, Global, pending};

#[derive(Debug, clap::Args)]
pub struct CompileArgs {
    /// The .flow file to compile.
    pub file: PathBuf,
    /// Write the ASL JSON here (atomically) instead of stdout.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Write nothing; exit 1 when OUT differs from what would be written (for CI).
    #[arg(long, requires = "output")]
    pub check: bool,
    /// Bind a resource to a Lambda ARN (`name=ARN`); unbound resources become `${name}`
    /// placeholders for Terraform's templatefile().
    #[arg(long = "bind", value_name = "NAME=ARN")]
    pub bindings: Vec<Binding>,
}

pub fn run(args: CompileArgs, global: &Global) -> ExitCode {
    pending("compile", &args.file, global)
}
