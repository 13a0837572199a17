//! `flowc test`: simulation tests of workflows. Finds `*.simtest.json` files (format in
//! [`spec`]), runs every test in the deterministic simulator with scripted Task results, and
//! compares status, output, error, cause, the states visited and the simulated duration.
//!
//! The CLI (`cli/test.rs`) only prints what [`run_paths`] returns; the workflow crate's cargo
//! tests call the same functions.

pub mod case;
pub mod expect;
pub mod spec;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use flowc_sim::{History, Outcome, Status};
use miette::Diagnostic;
use thiserror::Error;

use self::case::with_help;
pub use self::case::{LoadedFile, load_case, load_file, load_machine, parse_file};
pub(crate) use self::case::{machine_name, slug};
use self::spec::TestSpec;

/// The suffix that marks a simulation test file.
pub const TEST_FILE_SUFFIX: &str = ".simtest.json";

/// Problems with a test file itself (as opposed to a test that runs and fails).
#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum TestFileError {
    #[error("cannot read {path}: {message}")]
    #[diagnostic(
        code(flowc::sim::test_read),
        help("check the path and its permissions")
    )]
    Read { path: String, message: String },

    #[error("{path} is not a valid simulation test file: {message}")]
    #[diagnostic(
        code(flowc::sim::test_invalid),
        help(
            "a test file has \"machine\", optional \"mocks\" / \"mock_config\", and \"tests\": [{{\"name\", \"input\", \"mocks\", \"expect\": {{\"status\", ...}}}}]; the format is described in docs/simtest.md, and docs/simtest.schema.json lets an editor check it as you type"
        )
    )]
    Invalid { path: String, message: String },

    #[error("the state machine {machine} (named by {path}) cannot be loaded: {message}")]
    #[diagnostic(
        code(flowc::sim::test_machine),
        help("run `flowc check` on the machine to see every problem")
    )]
    Machine {
        path: String,
        machine: String,
        message: String,
    },

    #[error("no simulation tests ({TEST_FILE_SUFFIX}) found under {paths}")]
    #[diagnostic(
        code(flowc::sim::no_tests),
        help("name test files *{TEST_FILE_SUFFIX}, or pass their paths")
    )]
    NoTests { paths: String },

    #[error("no test matches --filter {filter:?} (of {total} tests found)")]
    #[diagnostic(
        code(flowc::sim::no_test_matches),
        help(
            "the filter is a piece of the `FILE > NAME` line `flowc test` prints for each test, matched case-sensitively"
        )
    )]
    NoMatch { filter: String, total: usize },

    #[error("{path} has no test named {case:?}")]
    #[diagnostic(
        code(flowc::sim::no_such_case),
        help("its tests are (nearest first): {known}")
    )]
    NoSuchCase {
        path: String,
        case: String,
        known: String,
    },
}

/// What an execution of a test did, kept so a failing test can say what happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Execution {
    pub status: Status,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// Every state entered, in order.
    pub path: Vec<String>,
}

impl Execution {
    fn of(outcome: &Outcome) -> Self {
        Self {
            status: outcome.status,
            error: outcome.error.clone(),
            cause: outcome.cause.clone(),
            path: outcome.path.iter().map(str::to_string).collect(),
        }
    }
}

/// One test's result.
#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    pub file: PathBuf,
    pub name: String,
    /// Empty when the test passed.
    pub failures: Vec<String>,
    /// Simulated seconds of the execution, when it ran.
    pub simulated_seconds: Option<f64>,
    /// States entered, when it ran.
    pub states_visited: usize,
    /// Real time the simulation took.
    pub elapsed: Duration,
    /// What the execution did, when it ran.
    pub execution: Option<Execution>,
    /// Its history, when it ran and [`RunOptions::keep_history`] asked for it.
    pub history: Option<History>,
}

impl TestResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    fn not_run(file: PathBuf, name: String, failure: String) -> Self {
        Self {
            file,
            name,
            failures: vec![failure],
            simulated_seconds: None,
            states_visited: 0,
            elapsed: Duration::ZERO,
            execution: None,
            history: None,
        }
    }
}

/// What to run and what to keep.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Only the tests whose `FILE > NAME` line contains this text.
    pub filter: Option<String>,
    /// Keep each execution's history in its result.
    pub keep_history: bool,
    /// Record coverage per workflow ([`TestRun::coverage`]).
    pub coverage: bool,
}

impl RunOptions {
    fn selects(&self, file: &Path, test: &TestSpec) -> bool {
        self.filter
            .as_deref()
            .is_none_or(|f| summary_name(file, &test.name).contains(f))
    }
}

/// `FILE > NAME`, as the summary names a test (and `--filter` matches it).
fn summary_name(file: &Path, name: &str) -> String {
    format!("{} > {name}", file.display())
}

/// Everything one `flowc test` run found.
#[derive(Debug, Clone, Default)]
pub struct TestRun {
    pub results: Vec<TestResult>,
    /// Tests `--filter` left out.
    pub filtered_out: usize,
    /// Per workflow, in the order first tested, when [`RunOptions::coverage`] asked for it.
    pub coverage: Vec<crate::coverage::WorkflowCoverage>,
}

/// Every test of every file under `paths` (files are taken as they are; folders are searched
/// recursively for `*.simtest.json`). A file that cannot be used yields one failed result naming
/// the problem, so one bad file does not hide the others.
pub fn run_paths(paths: &[PathBuf]) -> Result<Vec<TestResult>, TestFileError> {
    run_paths_with(paths, &RunOptions::default(), |_| {}).map(|run| run.results)
}

/// The test about to run, as [`run_paths_with`] announces it (for a progress line).
#[derive(Debug, Clone, Copy)]
pub struct Running<'a> {
    /// 1-based position of this test among all the tests found.
    pub number: usize,
    /// Tests in all the files that could be read.
    pub total: usize,
    pub file: &'a Path,
    pub test: &'a str,
}

/// [`run_paths`] with options, calling `report` before each test runs. Every file is read
/// first so that the total is known from the first test on; machines are loaded one file at a
/// time.
pub fn run_paths_with(
    paths: &[PathBuf],
    options: &RunOptions,
    mut report: impl FnMut(Running<'_>),
) -> Result<TestRun, TestFileError> {
    let files: Vec<(PathBuf, Result<spec::TestFile, TestFileError>)> = discover(paths)?
        .into_iter()
        .map(|path| {
            let parsed = parse_file(&path);
            (path, parsed)
        })
        .collect();
    let selected = |path: &Path, parsed: &Result<spec::TestFile, TestFileError>| {
        parsed.as_ref().map_or(0, |file| {
            file.tests
                .iter()
                .filter(|t| options.selects(path, t))
                .count()
        })
    };
    let found: usize = files
        .iter()
        .map(|(_, parsed)| parsed.as_ref().map_or(0, |file| file.tests.len()))
        .sum();
    let total: usize = files
        .iter()
        .map(|(path, parsed)| selected(path, parsed))
        .sum();
    if let Some(filter) = &options.filter
        && total == 0
    {
        return Err(TestFileError::NoMatch {
            filter: filter.clone(),
            total: found,
        });
    }
    let mut run = TestRun {
        filtered_out: found - total,
        ..TestRun::default()
    };
    let mut number = 0;
    for (path, parsed) in files {
        let tests = selected(&path, &parsed);
        // A file none of whose tests is selected is not loaded at all.
        if tests == 0 && parsed.is_ok() {
            continue;
        }
        match parsed.and_then(|file| load_file(&path, file)) {
            Ok(loaded) => {
                let mut coverage = options
                    .coverage
                    .then(|| coverage_of(&mut run.coverage, &loaded));
                for test in &loaded.file.tests {
                    if !options.selects(&path, test) {
                        continue;
                    }
                    number += 1;
                    report(Running {
                        number,
                        total,
                        file: &path,
                        test: &test.name,
                    });
                    let recorder = coverage.as_mut().map(|w| {
                        w.tests += 1;
                        &mut w.recorded
                    });
                    run.results.push(run_test(&loaded, test, options, recorder));
                }
            }
            Err(e) => {
                // Its tests never run; keep the count honest for the ones after it.
                number += tests;
                run.results.push(TestResult::not_run(
                    path,
                    "(test file)".to_string(),
                    with_help(&e),
                ));
            }
        }
    }
    Ok(run)
}

/// The test files under `paths`, sorted, so runs are in a stable order.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, TestFileError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut files).map_err(|e| TestFileError::Read {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
        } else if path.exists() {
            files.push(path.clone());
        } else {
            return Err(TestFileError::Read {
                path: path.display().to_string(),
                message: "no such file or directory".to_string(),
            });
        }
    }
    files.sort();
    files.dedup();
    if files.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(TestFileError::NoTests {
            paths: shown.join(", "),
        });
    }
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // Build output and dependencies never hold our tests and can be huge.
        if name.starts_with('.') || name == "target" || name == "node_modules" {
            continue;
        }
        if entry.file_type()?.is_dir() {
            walk(&path, out)?;
        } else if name.ends_with(TEST_FILE_SUFFIX) {
            out.push(path);
        }
    }
    Ok(())
}

/// The coverage of the workflow `loaded` tests, added the first time a test file names it.
fn coverage_of<'c>(
    all: &'c mut Vec<crate::coverage::WorkflowCoverage>,
    loaded: &LoadedFile,
) -> &'c mut crate::coverage::WorkflowCoverage {
    use crate::coverage::{Universe, WorkflowCoverage, normalize};
    let machine = normalize(&loaded.machine_path);
    let index = match all.iter().position(|w| w.machine == machine) {
        Some(index) => index,
        None => {
            all.push(WorkflowCoverage::new(
                &machine,
                Universe::of(&loaded.machine),
            ));
            all.len() - 1
        }
    };
    &mut all[index]
}

/// Runs every test of one file.
pub fn run_file(path: &Path) -> Result<Vec<TestResult>, TestFileError> {
    let loaded = load_file(path, parse_file(path)?)?;
    let options = RunOptions::default();
    Ok(loaded
        .file
        .tests
        .iter()
        .map(|test| run_test(&loaded, test, &options, None))
        .collect())
}

fn run_test(
    loaded: &LoadedFile,
    test: &TestSpec,
    options: &RunOptions,
    coverage: Option<&mut crate::coverage::Recorder>,
) -> TestResult {
    let started = Instant::now();
    let mut result = TestResult::not_run(loaded.path.clone(), test.name.clone(), String::new());
    result.failures.clear();
    let simulation = loaded.simulation(test).map(|simulation| match coverage {
        Some(recorder) => simulation.observer(recorder),
        None => simulation,
    });
    match simulation {
        Err(message) => result.failures.push(message),
        Ok(simulation) => match simulation.run() {
            Ok(outcome) => {
                result.simulated_seconds = Some(outcome.duration_seconds);
                result.states_visited = outcome.path.len();
                result.failures = expect::check(&test.expect, &outcome);
                result.execution = Some(Execution::of(&outcome));
                if options.keep_history {
                    result.history = Some(outcome.history);
                }
            }
            Err(e) => result
                .failures
                .push(format!("the simulation could not run: {e}")),
        },
    }
    result.elapsed = started.elapsed();
    result
}

/// The readable summary `flowc test` prints. A failing test that ran also says how its
/// execution ended and the path it took (loops folded: `(Wait -> Check) x15`).
pub fn render_summary(results: &[TestResult], filtered_out: usize) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for r in results {
        let status = if r.passed() { "ok  " } else { "FAIL" };
        let detail = match r.simulated_seconds {
            Some(s) => format!(" ({} states, {s} s simulated)", r.states_visited),
            None => String::new(),
        };
        let _ = writeln!(out, "{status} {}{detail}", summary_name(&r.file, &r.name));
        for failure in &r.failures {
            let _ = writeln!(out, "       - {failure}");
        }
        if let Some(execution) = r.execution.as_ref().filter(|_| !r.passed()) {
            for line in explain(execution) {
                let _ = writeln!(out, "         {line}");
            }
        }
    }
    let passed = results.iter().filter(|r| r.passed()).count();
    let failed = results.len() - passed;
    let verdict = if failed == 0 { "ok" } else { "FAILED" };
    let filtered = if filtered_out > 0 {
        format!("; {filtered_out} filtered out")
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "\ntest result: {verdict}. {passed} passed; {failed} failed{filtered}"
    );
    out
}

/// How a failing test's execution ended, and the path it took.
fn explain(execution: &Execution) -> Vec<String> {
    let status = match execution.status {
        Status::Succeeded => "SUCCEEDED",
        Status::Failed => "FAILED",
        Status::TimedOut => "TIMED_OUT",
    };
    let last = execution
        .path
        .last()
        .map_or(String::new(), |s| format!(" in {s}"));
    let mut lines = Vec::new();
    match (&execution.error, &execution.cause) {
        (Some(error), Some(cause)) => lines.push(format!(
            "the execution ended {status}{last}: {error}: {}",
            cut(cause, 300)
        )),
        (Some(error), None) => {
            lines.push(format!("the execution ended {status}{last}: {error}"));
        }
        _ => lines.push(format!("the execution ended {status}{last}")),
    }
    lines.push(format!(
        "path taken ({} states): {}",
        execution.path.len(),
        fold_path(&execution.path)
    ));
    lines
}

fn cut(text: &str, chars: usize) -> String {
    if text.chars().count() > chars {
        format!("{}...", text.chars().take(chars).collect::<String>())
    } else {
        text.to_string()
    }
}

/// The states joined by ` -> `, a block repeated back to back written once with its count
/// (`(Wait -> Check -> Ready?) x15`), so a poll's 60 states read as one line. Blocks of up
/// to 8 states are folded, the one that covers most states first.
pub(crate) fn fold_path<S: AsRef<str>>(path: &[S]) -> String {
    const LONGEST_BLOCK: usize = 8;
    let mut parts = Vec::new();
    let mut at = 0;
    while at < path.len() {
        // (block length, repeats) covering the most states from `at`.
        let mut best = (1, 1);
        for len in 1..=LONGEST_BLOCK.min((path.len() - at) / 2) {
            let block = &path[at..at + len];
            let mut repeats = 1;
            while path
                .get(at + repeats * len..at + (repeats + 1) * len)
                .is_some_and(|next| {
                    next.iter()
                        .zip(block)
                        .all(|(a, b)| a.as_ref() == b.as_ref())
                })
            {
                repeats += 1;
            }
            if repeats > 1 && len * repeats > best.0 * best.1 {
                best = (len, repeats);
            }
        }
        let (len, repeats) = best;
        let names: Vec<&str> = path[at..at + len].iter().map(AsRef::as_ref).collect();
        parts.push(match (len, repeats) {
            (_, 1) => names.join(" -> "),
            (1, n) => format!("{} x{n}", names.join(" -> ")),
            (_, n) => format!("({}) x{n}", names.join(" -> ")),
        });
        at += len * repeats;
    }
    parts.join(" -> ")
}

/// JUnit XML for CI: one suite per file, one case per test.
pub fn render_junit(results: &[TestResult]) -> Result<String, String> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("flowc test");
    let mut suites: Vec<TestSuite> = Vec::new();
    for r in results {
        let suite_name = r.file.display().to_string();
        if suites.last().is_none_or(|s| s.name.as_str() != suite_name) {
            suites.push(TestSuite::new(suite_name));
        }
        let status = if r.passed() {
            TestCaseStatus::success()
        } else {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(r.failures.first().cloned().unwrap_or_default());
            let mut description = r.failures.clone();
            if let Some(execution) = &r.execution {
                description.extend(explain(execution));
            }
            status.set_description(description.join("\n"));
            status
        };
        let mut case = TestCase::new(r.name.clone(), status);
        case.set_time(r.elapsed);
        if let Some(suite) = suites.last_mut() {
            suite.add_test_case(case);
        }
    }
    report.add_test_suites(suites);
    report.to_string().map_err(|e| e.to_string())
}
