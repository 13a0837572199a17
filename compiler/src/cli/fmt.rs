//! `flowc fmt [--check] FILE...`: canonical formatting of .flow files, in place.

use std::path::PathBuf;
use std::process::ExitCode;

use super::input::{InputError, InputKind, read_source};
use super::output::{eprint_line, report, write_file};
use super::{EXIT_INPUT, Global, display_path, emitter_for};
use crate::diagnostics::SourceText;

#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Write nothing; exit 1 listing the files that would change.
    #[arg(long)]
    pub check: bool,
    /// The .flow files to format.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

pub fn run(args: FmtArgs, global: &Global) -> ExitCode {
    let mut emitter = emitter_for(global);
    let mut would_change = Vec::new();
    for path in &args.files {
        let source = match read_source(path) {
            Ok(source) => source,
            Err(err) => {
                emitter.emit_about(&err, &display_path(path));
                continue;
            }
        };
        if source.kind().ok() != Some(InputKind::Flow) {
            emitter.emit_about(
                &InputError::WrongKind {
                    file: source.name.clone(),
                    command: "fmt",
                    expected: ".flow files",
                    help: "ASL JSON is written in canonical form by `flowc compile FILE.asl.json`",
                },
                &source.name,
            );
            continue;
        }
        let formatted = match crate::fmt::format_source(&source.text) {
            Ok(formatted) => formatted,
            Err(err) => {
                emitter.emit(&err, Some(&SourceText::new(&source.name, &source.text)));
                continue;
            }
        };
        if formatted == source.text {
            continue;
        }
        if args.check {
            would_change.push(display_path(path));
        } else if let Err(err) = write_file(path, formatted.as_bytes()) {
            report(&mut emitter, &err, &display_path(path));
        }
    }
    for file in &would_change {
        eprint_line(&format!("would reformat: {file}"));
    }
    if emitter.errors() > 0 || !would_change.is_empty() {
        ExitCode::from(EXIT_INPUT)
    } else {
        ExitCode::SUCCESS
    }
}
