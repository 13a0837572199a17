//! `flowc test [PATH...] [--filter TEXT] [--junit FILE] [--history-dir DIR]`: runs simulation
//! tests (`*.simtest.json`), prints a readable summary, optionally writes JUnit XML and each
//! test's execution history, and exits 1 when any test fails. On a terminal, a progress line
//! names the test running (`[12/40] file: test`) until the summary replaces it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::testing::{self, TestResult};

use super::output::{OutputError, eprint_line, print_stdout, write_file};
use super::progress::Progress;
use super::{EXIT_INPUT, EXIT_OK, Global, emitter_for};

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Test files, or folders searched recursively for `*.simtest.json` (default: `.`).
    pub paths: Vec<PathBuf>,
    /// Run only the tests whose `FILE > NAME` line (as the summary prints it) contains TEXT.
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// Also write the results as JUnit XML to FILE (for CI).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write each test's execution history (GetExecutionHistory's JSON, as `flowc simulate
    /// --history` writes it) to DIR/<test file>/<test>.json.
    #[arg(long, value_name = "DIR")]
    pub history_dir: Option<PathBuf>,
}

pub fn run(args: TestArgs, global: &Global) -> ExitCode {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let options = testing::RunOptions {
        filter: args.filter.clone(),
        keep_history: args.history_dir.is_some(),
    };
    let mut progress = Progress::on_stderr();
    let run = testing::run_paths_with(&paths, &options, |running| {
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
    let run = match run {
        Ok(run) => run,
        Err(error) => {
            report_error(error, global);
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let results = &run.results;
    if let Err(error) = print_stdout(&testing::render_summary(results, run.filtered_out)) {
        eprint_line(&format!("error: {error}"));
        return ExitCode::from(EXIT_INPUT);
    }
    if let Some(junit) = &args.junit {
        let written = testing::render_junit(results)
            .and_then(|xml| write_file(junit, xml.as_bytes()).map_err(|e| e.to_string()));
        if let Err(message) = written {
            eprint_line(&format!(
                "error: cannot write JUnit report {}: {message}",
                junit.display()
            ));
            return ExitCode::from(EXIT_INPUT);
        }
    }
    if let Some(dir) = &args.history_dir
        && let Err(error) = write_histories(dir, results)
    {
        emitter_for(global).emit(&error, None);
        return ExitCode::from(EXIT_INPUT);
    }
    if results.iter().all(TestResult::passed) {
        ExitCode::from(EXIT_OK)
    } else {
        ExitCode::from(EXIT_INPUT)
    }
}

/// Each history as `DIR/<test file name without .simtest.json>/<test name as a file name>.json`;
/// two tests whose names make the same file name get `-2`, `-3`... in the order they ran.
fn write_histories(dir: &Path, results: &[TestResult]) -> Result<(), OutputError> {
    let mut taken = BTreeSet::new();
    for result in results {
        let Some(history) = &result.history else {
            continue;
        };
        let file = result
            .file
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default();
        let folder = dir.join(
            file.strip_suffix(testing::TEST_FILE_SUFFIX)
                .unwrap_or(&file),
        );
        let stem = testing::case::slug(&result.name);
        let mut path = folder.join(format!("{stem}.json"));
        let mut n = 1;
        while !taken.insert(path.clone()) {
            n += 1;
            path = folder.join(format!("{stem}-{n}.json"));
        }
        std::fs::create_dir_all(&folder).map_err(|e| OutputError::WriteFailed {
            file: folder.display().to_string(),
            reason: e.to_string(),
        })?;
        write_file(&path, (history.to_json() + "\n").as_bytes())?;
    }
    Ok(())
}

fn report_error(error: testing::TestFileError, global: &Global) {
    emitter_for(global).emit(&error, None);
}
