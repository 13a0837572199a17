//! `flowc check FILE`: every check, for .flow and for hand-written .asl.json. Warnings alone
//! exit 0.

use std::path::PathBuf;
use std::process::ExitCode;

use flowc_asl::rules::JsonSize;

use super::input::InputKind;
use super::pipeline::{load_checked_source, summary, warn_definition_size};
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
    let checked = load_checked_source(&args.file, &bindings, &mut emitter);
    if let Some(loaded) = &checked {
        // What AWS would be sent: an ASL file as written, a `.flow` as `flowc compile` emits it.
        match loaded.kind {
            InputKind::Asl => {
                let size = JsonSize::of(loaded.source.text());
                warn_definition_size(size, "as written", &loaded.source, &mut emitter);
            }
            InputKind::Flow => {
                let size = flowc_asl::emitted_size(&loaded.machine);
                warn_definition_size(size, "as compiled", &loaded.source, &mut emitter);
            }
        }
    }
    summary(&emitter, &display_path(&args.file));
    match checked {
        Some(_) => ExitCode::SUCCESS,
        None => ExitCode::from(EXIT_INPUT),
    }
}
