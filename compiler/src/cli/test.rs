//! `flowc test [PATH...] [--filter TEXT] [--junit FILE] [--history-dir DIR] [--coverage]
//! [--coverage-json FILE] [--min PERCENT] [--svg OUT.svg]`: runs simulation tests
//! (`*.simtest.json`), prints a readable summary, optionally writes JUnit XML, each test's
//! execution history, coverage data and coverage pictures, and exits 1 when any test fails or
//! a workflow's coverage is under `--min`. On a terminal, a progress line names the test
//! running (`[12/40] file: test`) until the summary replaces it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::coverage::{self, WorkflowCoverage};
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
    /// Record coverage per workflow (states entered, transitions taken, Choice rules matched,
    /// Retriers and Catchers used) and print a summary with what was not covered.
    #[arg(long)]
    pub coverage: bool,
    /// Write the coverage as JSON to FILE, every item with its hits (implies --coverage).
    #[arg(long, value_name = "FILE")]
    pub coverage_json: Option<PathBuf>,
    /// Fail when a workflow's coverage (all items together) is under PERCENT (implies
    /// --coverage).
    #[arg(long, value_name = "PERCENT", value_parser = percent)]
    pub min: Option<f64>,
    /// Draw each tested workflow as SVG coloured by coverage: OUT.svg when one workflow was
    /// tested, OUT-<workflow>.svg each when several were (implies --coverage).
    #[arg(long, value_name = "OUT.svg")]
    pub svg: Option<PathBuf>,
}

fn percent(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("`{text}` is not a percentage from 0 to 100")),
    }
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
        coverage: args.coverage
            || args.coverage_json.is_some()
            || args.min.is_some()
            || args.svg.is_some(),
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
    let mut summary = testing::render_summary(results, run.filtered_out);
    if options.coverage {
        summary.push_str(&coverage::render_summary(&run.coverage));
    }
    let under = args
        .min
        .map(|min| {
            coverage::under(&run.coverage, min)
                .iter()
                .map(|w| {
                    format!(
                        "coverage of {} is {:.1}%, under --min {min}%",
                        w.machine.display(),
                        w.count(None).percent()
                    )
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    for line in &under {
        summary.push_str(&format!("error: {line}\n"));
    }
    if let Err(error) = print_stdout(&summary) {
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
    if let Some(file) = &args.coverage_json
        && let Err(error) = write_file(file, coverage::render_json(&run.coverage).as_bytes())
    {
        emitter_for(global).emit(&error, None);
        return ExitCode::from(EXIT_INPUT);
    }
    if let Some(svg) = &args.svg
        && let Err(error) = write_pictures(svg, &run.coverage)
    {
        emitter_for(global).emit(&error, None);
        return ExitCode::from(EXIT_INPUT);
    }
    if results.iter().all(TestResult::passed) && under.is_empty() {
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

/// `--svg OUT.svg`: one workflow to OUT.svg; several to OUT-<machine file stem>.svg each.
fn write_pictures(out: &Path, workflows: &[WorkflowCoverage]) -> Result<(), OutputError> {
    for w in workflows {
        let (machine, _) = match testing::load_machine(&w.machine) {
            Ok(loaded) => loaded,
            Err(reason) => {
                return Err(OutputError::WriteFailed {
                    file: out.display().to_string(),
                    reason: format!("cannot load {}: {reason}", w.machine.display()),
                });
            }
        };
        let path = if workflows.len() == 1 {
            out.to_path_buf()
        } else {
            let stem = out
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            let name = w
                .machine
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_default();
            let name = name.split('.').next().unwrap_or_default();
            out.with_file_name(format!("{stem}-{name}.svg"))
        };
        write_file(
            &path,
            crate::picture::render_svg(&machine, Some(w)).as_bytes(),
        )?;
    }
    Ok(())
}

fn report_error(error: testing::TestFileError, global: &Global) {
    emitter_for(global).emit(&error, None);
}
