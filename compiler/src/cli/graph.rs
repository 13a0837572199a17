//! `flowc graph FILE --format dot|mermaid [-o OUT]`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;

use super::{Global, pending};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// A .flow or .asl.json file.
    pub file: PathBuf,
    /// Graphviz `dot` or a Mermaid `flowchart`.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
    /// Write the graph here (atomically) instead of stdout.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

pub fn run(args: GraphArgs, global: &Global) -> ExitCode {
    pending("graph", &args.file, global)
}
