//! `flowc test`: simulation tests of workflows. Finds `*.simtest.json` files (format in
//! [`spec`]), runs every test in the deterministic simulator with scripted Task results, and
//! compares status, output, error, cause, the states visited and the simulated duration.
//!
//! The CLI (`cli/test.rs`) only prints what [`run_paths`] returns; the workflow crate's cargo
//! tests call the same functions.

pub mod expect;
pub mod spec;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use flowc_sim::{ExecutionContext, MockConfig, MockedCase, Program, Simulation};
use miette::Diagnostic;
use thiserror::Error;

use self::spec::{MockConfigFile, TestFile, TestSpec};

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
            "a test file has \"machine\", optional \"mocks\" / \"mock_config\", and \"tests\": [{{\"name\", \"input\", \"mocks\", \"expect\": {{\"status\", ...}}}}] (format: compiler/src/testing/spec.rs)"
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
}

impl TestResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Every test of every file under `paths` (files are taken as they are; folders are searched
/// recursively for `*.simtest.json`). A file that cannot be used yields one failed result naming
/// the problem, so one bad file does not hide the others.
pub fn run_paths(paths: &[PathBuf]) -> Result<Vec<TestResult>, TestFileError> {
    run_paths_reporting(paths, |_| {})
}

/// The test about to run, as [`run_paths_reporting`] announces it (for a progress line).
#[derive(Debug, Clone, Copy)]
pub struct Running<'a> {
    /// 1-based position of this test among all the tests found.
    pub number: usize,
    /// Tests in all the files that could be read.
    pub total: usize,
    pub file: &'a Path,
    pub test: &'a str,
}

/// [`run_paths`], calling `report` before each test runs. Every file is read first so that the
/// total is known from the first test on; machines are loaded one file at a time.
pub fn run_paths_reporting(
    paths: &[PathBuf],
    mut report: impl FnMut(Running<'_>),
) -> Result<Vec<TestResult>, TestFileError> {
    let files: Vec<(PathBuf, Result<TestFile, TestFileError>)> = discover(paths)?
        .into_iter()
        .map(|path| {
            let parsed = parse_file(&path);
            (path, parsed)
        })
        .collect();
    let total = files
        .iter()
        .map(|(_, parsed)| parsed.as_ref().map_or(0, |file| file.tests.len()))
        .sum();
    let mut results = Vec::new();
    let mut number = 0;
    for (path, parsed) in files {
        let tests = parsed.as_ref().map_or(0, |file| file.tests.len());
        match parsed.and_then(|file| load_file(&path, file)) {
            Ok(loaded) => {
                for test in &loaded.file.tests {
                    number += 1;
                    report(Running {
                        number,
                        total,
                        file: &path,
                        test: &test.name,
                    });
                    results.push(run_test(&loaded, test));
                }
            }
            Err(e) => {
                // Its tests never run; keep the count honest for the ones after it.
                number += tests;
                results.push(TestResult {
                    file: path,
                    name: "(test file)".to_string(),
                    failures: vec![with_help(&e)],
                    simulated_seconds: None,
                    states_visited: 0,
                    elapsed: Duration::ZERO,
                });
            }
        }
    }
    Ok(results)
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

/// Runs every test of one file.
pub fn run_file(path: &Path) -> Result<Vec<TestResult>, TestFileError> {
    let loaded = load_file(path, parse_file(path)?)?;
    Ok(loaded
        .file
        .tests
        .iter()
        .map(|test| run_test(&loaded, test))
        .collect())
}

/// A test file with its machine and mock configuration loaded, ready to run.
struct LoadedFile<'a> {
    path: &'a Path,
    file: TestFile,
    program: Program,
    config: Option<MockConfigFile>,
    machine_name: String,
}

fn parse_file(path: &Path) -> Result<TestFile, TestFileError> {
    let text = read(path)?;
    // serde_json's message already ends with "at line L column C".
    serde_json::from_str(&text).map_err(|e| TestFileError::Invalid {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

fn load_file(path: &Path, file: TestFile) -> Result<LoadedFile<'_>, TestFileError> {
    let base = path.parent().unwrap_or(Path::new("."));
    let machine_path = base.join(&file.machine);
    let program = load_machine(&machine_path).map_err(|message| TestFileError::Machine {
        path: path.display().to_string(),
        machine: machine_path.display().to_string(),
        message,
    })?;
    let config = match &file.mock_config {
        Some(name) => {
            let config_path = base.join(name);
            let text = read(&config_path)?;
            let config: MockConfigFile =
                serde_json::from_str(&text).map_err(|e| TestFileError::Invalid {
                    path: config_path.display().to_string(),
                    message: format!("not a MockConfigFile: {e}"),
                })?;
            Some(config)
        }
        None => None,
    };
    Ok(LoadedFile {
        path,
        machine_name: machine_name(&machine_path),
        file,
        program,
        config,
    })
}

fn run_test(loaded: &LoadedFile<'_>, test: &TestSpec) -> TestResult {
    let started = Instant::now();
    let mut result = TestResult {
        file: loaded.path.to_path_buf(),
        name: test.name.clone(),
        failures: Vec::new(),
        simulated_seconds: None,
        states_visited: 0,
        elapsed: Duration::ZERO,
    };
    match mocks_for(test, &loaded.file, loaded.config.as_ref(), &loaded.program) {
        Err(message) => result.failures.push(message),
        Ok(mocks) => {
            let run = Simulation::new(&loaded.program)
                .input(test.input.clone())
                .seed(test.seed)
                .context(ExecutionContext::named(
                    &loaded.machine_name,
                    &slug(&test.name),
                ))
                .mocks(mocks)
                .run();
            match run {
                Ok(outcome) => {
                    result.simulated_seconds = Some(outcome.duration_seconds);
                    result.states_visited = outcome.path.len();
                    result.failures = expect::check(&test.expect, &outcome);
                }
                Err(e) => result
                    .failures
                    .push(format!("the simulation could not run: {e}")),
            }
        }
    }
    result.elapsed = started.elapsed();
    result
}

fn read(path: &Path) -> Result<String, TestFileError> {
    crate::cli::input::read_text(path).map_err(|message| TestFileError::Read {
        path: path.display().to_string(),
        message,
    })
}

/// The file's shared mocks, then the MockConfigFile test case, then the test's own mocks (later
/// ones replace earlier ones state by state), assembled into one MockConfig test case so that
/// flowc-sim parses, checks and serves them (unknown states get a did-you-mean).
fn mocks_for(
    test: &TestSpec,
    file: &TestFile,
    config: Option<&MockConfigFile>,
    program: &Program,
) -> Result<MockedCase, String> {
    let mut responses: BTreeMap<String, serde_json::Value> = file.mocks.clone();
    if let Some(case) = &test.test_case {
        let Some(config) = config else {
            return Err(format!(
                "test case '{case}' needs \"mock_config\" (a MockConfigFile) in the test file"
            ));
        };
        let machine = match file.state_machine.as_deref() {
            Some(name) => config.state_machines.get(name).ok_or_else(|| {
                format!("state machine '{name}' is not in the MockConfigFile's StateMachines")
            })?,
            None => {
                let mut all = config.state_machines.values();
                match (all.next(), all.next()) {
                    (Some(only), None) => only,
                    _ => {
                        return Err(
                            "the MockConfigFile has several state machines; say which with \
                             \"state_machine\""
                                .to_string(),
                        );
                    }
                }
            }
        };
        let states = machine.test_cases.get(case).ok_or_else(|| {
            let known: Vec<&str> = machine.test_cases.keys().map(String::as_str).collect();
            format!(
                "test case '{case}' is not in the MockConfigFile (known: {})",
                known.join(", ")
            )
        })?;
        for (state, response_name) in states {
            let response = config.mocked_responses.get(response_name).ok_or_else(|| {
                format!(
                    "test case '{case}' maps state '{state}' to mocked response \
                     '{response_name}', which MockedResponses does not define"
                )
            })?;
            responses.insert(state.clone(), response.clone());
        }
    }
    responses.extend(test.mocks.clone());
    // One response per state, named after the state.
    let states: serde_json::Map<String, serde_json::Value> = responses
        .keys()
        .map(|state| (state.clone(), serde_json::Value::String(state.clone())))
        .collect();
    let assembled = serde_json::json!({
        "StateMachines": {"test": {"TestCases": {"test": states}}},
        "MockedResponses": responses,
    });
    MockConfig::from_value(&assembled)
        .and_then(|c| c.test_case(None, "test", program))
        .map_err(|e| with_help(&e))
}

/// A diagnostic's message with its help, for one-line test failures.
fn with_help(error: &dyn Diagnostic) -> String {
    match error.help() {
        Some(help) => format!("{error} ({help})"),
        None => error.to_string(),
    }
}

/// Loads `.flow` (compiled in memory, resources left as `${name}` placeholders) or ASL JSON.
pub fn load_machine(path: &Path) -> Result<Program, String> {
    let text = crate::cli::input::read_text(path)?;
    let json = if path.extension().is_some_and(|e| e == "flow") {
        let lowered = crate::lower::compile(&text, &crate::lower::Bindings::new())
            .map_err(|e| format!("it does not compile ({e:?}); run `flowc check` on it"))?;
        flowc_asl::emit(&lowered.machine)
    } else {
        text
    };
    Program::from_json_text(&json).map_err(|e| e.to_string())
}

/// `tenant_provisioning.asl.json` -> `tenant_provisioning`: the name `$$.StateMachine.Name`
/// reports.
pub(crate) fn machine_name(path: &Path) -> String {
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_else(|| "StateMachine".to_string());
    let stem = file.split('.').next().unwrap_or("StateMachine");
    if stem.is_empty() {
        "StateMachine".to_string()
    } else {
        stem.to_string()
    }
}

/// An execution name from a test name: AWS allows letters, digits, `-` and `_`.
pub(crate) fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect();
    if s.is_empty() { "test".to_string() } else { s }
}

/// The readable summary `flowc test` prints.
pub fn render_summary(results: &[TestResult]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for r in results {
        let status = if r.passed() { "ok  " } else { "FAIL" };
        let detail = match r.simulated_seconds {
            Some(s) => format!(" ({} states, {s} s simulated)", r.states_visited),
            None => String::new(),
        };
        let _ = writeln!(out, "{status} {} > {}{detail}", r.file.display(), r.name);
        for failure in &r.failures {
            let _ = writeln!(out, "       - {failure}");
        }
    }
    let passed = results.iter().filter(|r| r.passed()).count();
    let failed = results.len() - passed;
    let verdict = if failed == 0 { "ok" } else { "FAILED" };
    let _ = writeln!(
        out,
        "\ntest result: {verdict}. {passed} passed; {failed} failed"
    );
    out
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
            status.set_description(r.failures.join("\n"));
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
