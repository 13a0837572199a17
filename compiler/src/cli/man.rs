//! `flowc man [--out-dir DIR]`: the manual pages in roff, generated from the clap tree (the same
//! help text `--help` prints): flowc(1) on stdout, or flowc(1) and one flowc-SUBCOMMAND(1) page
//! per subcommand written into DIR.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::CommandFactory;

use super::output::{OutputError, print_stdout, report, write_file};
use super::{EXIT_INPUT, Global, display_path, emitter_for};

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write flowc.1 and a flowc-SUBCOMMAND.1 per subcommand here (e.g.
    /// ~/.local/share/man/man1) instead of printing flowc.1 on stdout.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

pub fn run(args: ManArgs, global: &Global) -> ExitCode {
    let result = match &args.out_dir {
        None => page(super::Cli::command()).and_then(|roff| print_stdout(&roff)),
        Some(dir) => write_pages(dir),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let target = args
                .out_dir
                .as_deref()
                .map_or("<stdout>".to_owned(), display_path);
            report(&mut emitter_for(global), &err, &target);
            ExitCode::from(EXIT_INPUT)
        }
    }
}

fn page(command: clap::Command) -> Result<String, OutputError> {
    let mut roff = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut roff)
        .map_err(|e| OutputError::WriteFailed {
            file: "<man page>".to_owned(),
            reason: e.to_string(),
        })?;
    Ok(String::from_utf8_lossy(&roff).into_owned())
}

/// flowc.1 plus `flowc-<name>.1` for each subcommand (the names flowc(1)'s SUBCOMMANDS section
/// refers to), in `dir`, created if missing.
fn write_pages(dir: &std::path::Path) -> Result<(), OutputError> {
    // ~/.local/share/man/man1 often does not exist yet: make it, as `install -D` would.
    std::fs::create_dir_all(dir).map_err(|e| OutputError::WriteFailed {
        file: display_path(dir),
        reason: e.to_string(),
    })?;
    let mut command = super::Cli::command();
    command.build();
    let mut pages = vec![("flowc".to_owned(), command.clone())];
    // build() names each subcommand `flowc-<name>` (its page title) and `flowc <name>` (its
    // synopsis) and propagates the global options into it. clap's own `help` subcommand gets a
    // page too: flowc(1) lists it among the others.
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub
            .get_display_name()
            .map_or_else(|| format!("flowc-{}", sub.get_name()), str::to_owned);
        pages.push((name, sub.clone()));
    }
    for (name, command) in pages {
        let roff = page(command)?;
        write_file(&dir.join(format!("{name}.1")), roff.as_bytes())?;
    }
    Ok(())
}
