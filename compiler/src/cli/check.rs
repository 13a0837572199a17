//! `flowc check FILE...`: every check, for .flow and for hand-written .asl.json. Warnings alone
//! exit 0. Several files are checked one after the other and all reported (a pre-commit hook or a
//! CI step passes them all at once); the exit code is an error when any file has one.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use flowc_asl::rules::JsonSize;

use super::input::InputKind;
use super::pipeline::{load_checked_source, summary, warn_definition_size};
use super::{Binding, EXIT_INPUT, Global, display_path, emitter_for};
use crate::lower::Bindings;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The .flow or .asl.json files to check (each reported, one after the other).
    #[arg(required = true, value_name = "FILES")]
    pub files: Vec<PathBuf>,
    /// Check with these resource bindings, as `flowc compile --bind` would use them.
    #[arg(long = "bind", value_name = "NAME=ARN")]
    pub bindings: Vec<Binding>,
}

pub fn run(args: CheckArgs, global: &Global) -> ExitCode {
    let mut bindings = Bindings::new();
    for binding in &args.bindings {
        bindings.insert(binding.name.clone(), binding.arn.clone());
    }
    let mut failed = false;
    for file in &args.files {
        failed |= !check_one(file, &bindings, global);
    }
    if failed {
        ExitCode::from(EXIT_INPUT)
    } else {
        ExitCode::SUCCESS
    }
}

/// Checks one file with its own emitter (so its summary line counts its own findings); true when
/// it has no error.
fn check_one(file: &Path, bindings: &Bindings, global: &Global) -> bool {
    let mut emitter = emitter_for(global);
    let checked = load_checked_source(file, bindings, &mut emitter);
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
    summary(&emitter, &display_path(file));
    checked.is_some()
}
