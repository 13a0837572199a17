//! The `flowc` binary: parse arguments, dispatch to the library, turn the outcome into an exit
//! code. All logic lives in `flowc::cli`.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    flowc::cli::install_panic_hook();
    // clap prints usage errors itself and exits 2; `--help` / `--version` exit 0.
    let cli = flowc::cli::Cli::parse();
    flowc::cli::run_with_large_stack(cli)
}
