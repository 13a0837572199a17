//! The `flowc` command line: the clap tree, global options and dispatch.
//!
//! Exit codes, for every subcommand: 0 ok, 1 errors in the input (diagnostics were printed),
//! 2 usage errors (clap's own exit code for bad arguments).

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[cfg(feature = "aws")]
pub mod aws;
pub mod check;
pub mod compile;
pub mod completions;
pub mod conformance;
pub mod decompile;
pub mod explore;
pub mod fmt;
pub mod graph;
pub mod input;
pub mod lsp;
pub mod man;
pub mod output;
pub(crate) mod pipeline;
pub(crate) mod progress;
pub mod replay;
pub mod run_case;
pub mod simulate;
pub mod test;

/// Everything went well.
pub const EXIT_OK: u8 = 0;
/// The input had errors; diagnostics were printed.
pub const EXIT_INPUT: u8 = 1;
/// The command line was wrong (clap uses the same code for its own usage errors).
pub const EXIT_USAGE: u8 = 2;

/// A toolchain for AWS Step Functions: the .flow language, compiled to ASL, checked and simulated.
#[derive(Debug, Parser)]
// FLOWC_VERSION: the package version and the commit built from (build.rs), e.g.
// `0.1.0 (f962e3e1a2b3 2026-12-07)`, or `0.1.0 (unknown commit)` outside git.
#[command(name = "flowc", version = env!("FLOWC_VERSION"), about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand accepts.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// How diagnostics are printed on stderr: `human` (rendered reports) or `json` (one JSON
    /// object per line, see `flowc::diagnostics`).
    #[arg(long, global = true, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile a .flow file to ASL JSON.
    Compile(compile::CompileArgs),
    /// Check a .flow or .asl.json file and report every problem found.
    Check(check::CheckArgs),
    /// Turn ASL JSON back into readable .flow.
    Decompile(decompile::DecompileArgs),
    /// Draw the state graph of a .flow or .asl.json file.
    Graph(graph::GraphArgs),
    /// Format .flow files canonically.
    Fmt(fmt::FmtArgs),
    /// Run a state machine in the deterministic simulator.
    Simulate(simulate::SimulateArgs),
    /// Run workflow simulation tests.
    Test(test::TestArgs),
    /// Find every outcome of a workflow, each with one shortest witness, in the simulator.
    Explore(explore::ExploreArgs),
    /// Run one conformance case and print its result object.
    RunCase(run_case::RunCaseArgs),
    /// Run and score a conformance corpus against AWS's recordings.
    Conformance(conformance::ConformanceArgs),
    /// Replay a recorded execution history in the simulator and compare it event by event.
    Replay(replay::ReplayArgs),
    /// Validate, run and fetch executions on AWS Step Functions (the SDK's credentials chain).
    #[cfg(feature = "aws")]
    Aws(aws::AwsArgs),
    /// Serve the Language Server Protocol on stdin/stdout, for editors.
    Lsp(lsp::LspArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Print the flowc(1) man page, or write every page into a directory.
    Man(man::ManArgs),
}

/// Dispatches a parsed command line to its subcommand.
pub fn run(cli: Cli) -> ExitCode {
    let global = cli.global;
    match cli.command {
        Command::Compile(args) => compile::run(args, &global),
        Command::Check(args) => check::run(args, &global),
        Command::Decompile(args) => decompile::run(args, &global),
        Command::Graph(args) => graph::run(args, &global),
        Command::Fmt(args) => fmt::run(args, &global),
        Command::Simulate(args) => simulate::run(args, &global),
        Command::Test(args) => test::run(args, &global),
        Command::Explore(args) => explore::run(args, &global),
        Command::RunCase(args) => run_case::run(args, &global),
        Command::Conformance(args) => conformance::run(args, &global),
        Command::Replay(args) => replay::run(args, &global),
        #[cfg(feature = "aws")]
        Command::Aws(args) => aws::run(args, &global),
        Command::Lsp(args) => lsp::run(args, &global),
        Command::Completions(args) => completions::run(args, &global),
        Command::Man(args) => man::run(args, &global),
    }
}

/// Stack size for the worker thread. Every stage bounds its recursion (10,000-deep nesting is an
/// error, not a crash); this is a safety margin on top, not the fix.
const WORKER_STACK_BYTES: usize = 256 * 1024 * 1024;

/// Runs [`run`] on a thread with a large stack, so deeply nested input that slips past a depth
/// limit still cannot overflow the small main-thread stack.
pub fn run_with_large_stack(cli: Cli) -> ExitCode {
    let worker = std::thread::Builder::new()
        .name("flowc".into())
        .stack_size(WORKER_STACK_BYTES)
        .spawn(move || run(cli));
    match worker {
        Ok(handle) => match handle.join() {
            Ok(code) => code,
            // The panic hook has already printed the message.
            Err(_) => ExitCode::from(INTERNAL_ERROR),
        },
        Err(err) => {
            output::eprint_line(&format!(
                "error: flowc could not start its worker thread: {err}"
            ));
            ExitCode::from(INTERNAL_ERROR)
        }
    }
}

/// Exit code of a bug in flowc (a panic). Distinct from 1 and 2 so scripts can tell.
pub const INTERNAL_ERROR: u8 = 101;

/// Last resort: a panic is a bug in flowc, so say that plainly instead of a backtrace dump.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        output::eprint_line(&format!(
            "error: internal error in flowc{location}: {message}\n\
             This is a bug in flowc, not in your input; please report it with the input file."
        ));
    }));
}

/// A `name=ARN` pair from `--bind`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub name: String,
    pub arn: String,
}

impl std::str::FromStr for Binding {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // One parser for `name=ARN`, shared with the library's `Bindings`.
        crate::lower::Bindings::parse_arg(s).map(|(name, arn)| Binding { name, arn })
    }
}

/// A path argument as given on the command line, used in messages.
pub(crate) fn display_path(path: &std::path::Path) -> String {
    path.display().to_string()
}

/// The diagnostic emitter for the chosen `--message-format`.
pub(crate) fn emitter_for(global: &Global) -> crate::diagnostics::Emitter {
    use crate::diagnostics::{Emitter, Format};
    match global.message_format {
        MessageFormat::Human => Emitter::new(Emitter::human_for_stderr()),
        MessageFormat::Json => Emitter::new(Format::Json),
    }
}
