//! `flowc decompile FILE.asl.json [-o OUT]`: ASL JSON back to readable .flow.
//!
//! The definition is loaded and checked like any other input first, so a broken definition is
//! reported with line and column instead of being decompiled. Lambda ARNs stay whole in the
//! resource declarations, so `flowc compile` of the output gives back the same JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use super::input::{InputError, InputKind, kind_of};
use super::output::{print_stdout, report, write_file};
use super::pipeline::{load_checked, summary};
use super::{EXIT_INPUT, Global, display_path, emitter_for};
use crate::lower::Bindings;

#[derive(Debug, clap::Args)]
pub struct DecompileArgs {
    /// The .asl.json file.
    pub file: PathBuf,
    /// Write the .flow text here instead of stdout.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

pub fn run(args: DecompileArgs, global: &Global) -> ExitCode {
    let mut emitter = emitter_for(global);
    let file = display_path(&args.file);
    if matches!(kind_of(&args.file), Ok(InputKind::Flow)) {
        let err = InputError::WrongKind {
            file: file.clone(),
            command: "decompile",
            expected: "an .asl.json file",
            help: "a .flow file is already readable; `flowc fmt` formats it",
        };
        emitter.emit_about(&err, &file);
        return ExitCode::from(EXIT_INPUT);
    }
    let machine = load_checked(&args.file, &Bindings::new(), &mut emitter);
    summary(&emitter, &file);
    let Some(machine) = machine else {
        return ExitCode::from(EXIT_INPUT);
    };
    let decompiled = match crate::decompile::decompile(&machine) {
        Ok(decompiled) => decompiled,
        Err(err) => {
            emitter.emit_about(&err, &file);
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let result = match &args.output {
        Some(out) => write_file(out, decompiled.text.as_bytes()),
        None => print_stdout(&decompiled.text),
    };
    if let Err(err) = result {
        let target = args
            .output
            .as_deref()
            .map_or("<stdout>".to_owned(), display_path);
        report(&mut emitter, &err, &target);
        return ExitCode::from(EXIT_INPUT);
    }
    ExitCode::SUCCESS
}
