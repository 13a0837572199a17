//! `flowc completions SHELL`: a completion script for bash, zsh, fish, PowerShell or elvish,
//! generated from the clap tree itself so it always knows every subcommand and option.

use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::Shell;

use super::output::{print_stdout, report};
use super::{EXIT_INPUT, Global, emitter_for};

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for. bash: `source <(flowc completions bash)` in ~/.bashrc; zsh:
    /// write it as `_flowc` into a directory of your $fpath; fish: write it to
    /// ~/.config/fish/completions/flowc.fish; PowerShell: add
    /// `flowc completions powershell | Out-String | Invoke-Expression` to $PROFILE.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: CompletionsArgs, global: &Global) -> ExitCode {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut super::Cli::command(), "flowc", &mut script);
    let result = print_stdout(&String::from_utf8_lossy(&script));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            report(&mut emitter_for(global), &err, "<stdout>");
            ExitCode::from(EXIT_INPUT)
        }
    }
}
