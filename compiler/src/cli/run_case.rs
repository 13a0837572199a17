//! `flowc run-case CASE.json`: the conformance contract (conformance/asl/README.md).
//! Runs the case's definition on its input with its recorded Task results and prints one JSON
//! object: `{"status": "SUCCEEDED", "output"}` or `{"status", "error", "cause"}`, with the
//! event sequence as `history` (`[[type, state name or null], ...]`).

use std::path::PathBuf;
use std::process::ExitCode;

use super::input::read_text;
use super::output::{print_stdout, report};
use super::{EXIT_INPUT, EXIT_OK, Global, emitter_for};

#[derive(Debug, clap::Args)]
pub struct RunCaseArgs {
    /// The conformance case to run.
    pub case: PathBuf,
}

pub fn run(args: RunCaseArgs, global: &Global) -> ExitCode {
    let mut emitter = emitter_for(global);
    let text = match read_text(&args.case) {
        Ok(t) => t,
        Err(e) => {
            emitter.emit(
                &flowc_sim::SimError::InvalidInput {
                    message: format!("cannot read {}: {e}", args.case.display()),
                    line: 0,
                    column: 0,
                },
                None,
            );
            return ExitCode::from(EXIT_INPUT);
        }
    };
    match flowc_sim::conformance::Case::from_json_text(&text).and_then(|c| c.run()) {
        Ok(outcome) => {
            let line = format!("{}\n", flowc_sim::conformance::contract_json(&outcome));
            match print_stdout(&line) {
                Ok(()) => ExitCode::from(EXIT_OK),
                Err(error) => {
                    report(&mut emitter, &error, "<stdout>");
                    ExitCode::from(EXIT_INPUT)
                }
            }
        }
        Err(e) => {
            emitter.emit(&e, None);
            ExitCode::from(EXIT_INPUT)
        }
    }
}
