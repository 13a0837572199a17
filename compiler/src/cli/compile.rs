//! `flowc compile FILE.flow [-o OUT] [--check] [--bind name=ARN]...`
//!
//! Also accepts `.asl.json`: it is loaded, checked and written back in canonical form.

use std::path::PathBuf;
use std::process::ExitCode;

use super::output::{OutputError, is_up_to_date, print_stdout, report, write_file};
use super::pipeline::{load_checked_source, summary, warn_definition_size};
use super::{Binding, EXIT_INPUT, Global, display_path, emitter_for};
use crate::lower::Bindings;

#[derive(Debug, clap::Args)]
pub struct CompileArgs {
    /// The .flow file to compile.
    pub file: PathBuf,
    /// Write the ASL JSON here instead of stdout.
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
    let mut emitter = emitter_for(global);
    let mut bindings = Bindings::new();
    for binding in &args.bindings {
        bindings.insert(binding.name.clone(), binding.arn.clone());
    }
    let file = display_path(&args.file);
    let Some(loaded) = load_checked_source(&args.file, &bindings, &mut emitter) else {
        summary(&emitter, &file);
        return ExitCode::from(EXIT_INPUT);
    };
    let json = flowc_asl::emit(&loaded.machine);
    warn_definition_size(
        flowc_asl::rules::JsonSize::of(&json),
        "as compiled",
        &loaded.source,
        &mut emitter,
    );
    summary(&emitter, &file);
    let result = match (&args.output, args.check) {
        (Some(out), true) => {
            if is_up_to_date(out, json.as_bytes()) {
                Ok(())
            } else {
                let binds: String = args
                    .bindings
                    .iter()
                    .map(|b| format!(" --bind {}={}", b.name, b.arn))
                    .collect();
                Err(OutputError::Stale {
                    file: display_path(out),
                    command: format!("flowc compile {file}{binds} -o {}", display_path(out)),
                })
            }
        }
        (Some(out), false) => write_file(out, json.as_bytes()),
        (None, _) => print_stdout(&json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let target = args
                .output
                .as_deref()
                .map_or("<stdout>".to_owned(), display_path);
            report(&mut emitter, &err, &target);
            ExitCode::from(EXIT_INPUT)
        }
    }
}
