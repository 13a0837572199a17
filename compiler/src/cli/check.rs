//! `flowc check FILE`: every check, for .flow and for hand-written .asl.json. Warnings alone
//! exit 0.

use std::path::PathBuf;
use std::process::ExitCode;

use super::pipeline::{load_checked, summary};
use super::{Binding, EXIT_INPUT, Global, display_path, emitter_for};
use crate::lower::Bindings;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// A .flow or .asl.json file.
    pub file: PathBuf,
    /// Check with these resource bindings, as `flowc compile --bind` would use them.
    #[arg(long = "bind", value_name = "NAME=ARN")]
    pub bindings: Vec<Binding>,
}

pub fn run(args: CheckArgs, global: &Global) -> ExitCode {
    let mut emitter = emitter_for(global);
    let mut bindings = Bindings::new();
    for binding in &args.bindings {
        bindings.insert(binding.name.clone(), binding.arn.clone());
    }
    let checked = load_checked(&args.file, &bindings, &mut emitter);
    summary(&emitter, &display_path(&args.file));
    match checked {
        Some(_) => ExitCode::SUCCESS,
        None => ExitCode::from(EXIT_INPUT),
    }
}
