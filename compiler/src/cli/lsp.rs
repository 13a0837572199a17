//! `flowc lsp`: the language server, for editors (see the README's "Editors" section).

use std::process::ExitCode;

use super::{EXIT_INPUT, Global, emitter_for};

#[derive(Debug, clap::Args)]
pub struct LspArgs {
    /// Talk LSP over stdin/stdout (the only transport; accepted because editors' LSP clients
    /// such as vscode-languageclient pass it).
    #[arg(long)]
    pub stdio: bool,
}

pub fn run(_args: LspArgs, global: &Global) -> ExitCode {
    match crate::lsp::serve_stdio() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            emitter_for(global).emit_about(&err, "<stdio>");
            ExitCode::from(EXIT_INPUT)
        }
    }
}
