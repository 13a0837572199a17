//! The `flowc` binary: parse arguments, dispatch to the library, turn the outcome into an exit
//! code. All logic lives in `flowc::cli`.

use std::process::ExitCode;

use clap::Parser;

// mimalloc serves the compiler's and the simulator's many small allocations (names, paths, JSON
// values) faster than glibc's malloc: about 12% of the instructions of a 10,000-state compile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    flowc::cli::install_panic_hook();
    // clap prints usage errors itself and exits 2; `--help` / `--version` exit 0.
    let cli = flowc::cli::Cli::parse();
    flowc::cli::run_with_large_stack(cli)
}
