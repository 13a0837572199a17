//! `flowc test [PATH...] [--junit FILE]`: runs simulation tests (`*.simtest.json`), prints a
//! readable summary, optionally writes JUnit XML, and exits 1 when any test fails. On a terminal,
//! a progress line names the test running (`[12/40] file: test`) until the summary replaces it.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::testing;

use super::output::{eprint_line, print_stdout, write_file};
use super::progress::Progress;
use super::{EXIT_INPUT, EXIT_OK, Global, emitter_for};

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Test files, or folders searched recursively for `*.simtest.json` (default: `.`).
    pub paths: Vec<PathBuf>,
    /// Also write the results as JUnit XML to FILE (for CI).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

pub fn run(args: TestArgs, global: &Global) -> ExitCode {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let mut progress = Progress::on_stderr();
    let run = testing::run_paths_reporting(&paths, |running| {
        progress.update(|| {
            format!(
                "[{}/{}] {}: {}",
                running.number,
                running.total,
                running.file.display(),
                running.test
            )
        });
    });
    progress.clear();
    let results = match run {
        Ok(results) => results,
        Err(error) => {
            report_error(error, global);
            return ExitCode::from(EXIT_INPUT);
        }
    };
    if let Err(error) = print_stdout(&testing::render_summary(&results)) {
        eprint_line(&format!("error: {error}"));
        return ExitCode::from(EXIT_INPUT);
    }
    if let Some(junit) = &args.junit {
        let written = testing::render_junit(&results)
            .and_then(|xml| write_file(junit, xml.as_bytes()).map_err(|e| e.to_string()));
        if let Err(message) = written {
            eprint_line(&format!(
                "error: cannot write JUnit report {}: {message}",
                junit.display()
            ));
            return ExitCode::from(EXIT_INPUT);
        }
    }
    if results.iter().all(testing::TestResult::passed) {
        ExitCode::from(EXIT_OK)
    } else {
        ExitCode::from(EXIT_INPUT)
    }
}

fn report_error(error: testing::TestFileError, global: &Global) {
    emitter_for(global).emit(&error, None);
}
