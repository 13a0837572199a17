//! One test file made ready to run: read and parsed (errors name the JSON pointer), its machine
//! loaded, its mocks assembled per test. `flowc test` runs every case of a file through
//! [`LoadedFile::simulation`]; `flowc simulate --simtest FILE --case NAME` runs one
//! ([`load_case`]) the same way, so the two cannot disagree on what a case does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use flowc_asl::StateMachine;
use flowc_sim::{ExecutionContext, MockConfig, MockedCase, Program, Simulation};
use miette::Diagnostic;

use super::TestFileError;
use super::spec::{MockConfigFile, TestFile, TestSpec};

/// A test file with its machine and mock configuration loaded, ready to run.
pub struct LoadedFile {
    pub path: PathBuf,
    pub file: TestFile,
    /// The machine file, as the test file names it (relative to the test file's folder).
    pub machine_path: PathBuf,
    pub program: Program,
    /// The machine as flowc-asl loaded it (what coverage counts against).
    pub machine: StateMachine,
    config: Option<MockConfigFile>,
    machine_name: String,
}

impl LoadedFile {
    /// The execution `test` describes: its input, seed, context and mocks. Fails (with a
    /// one-line message) when the mocks do not fit the machine.
    pub fn simulation(&self, test: &TestSpec) -> Result<Simulation<'_>, String> {
        let mocks = mocks_for(test, &self.file, self.config.as_ref(), &self.program)?;
        Ok(Simulation::new(&self.program)
            .input(test.input.clone())
            .seed(test.seed)
            .context(ExecutionContext::named(
                &self.machine_name,
                &slug(&test.name),
            ))
            .mocks(mocks))
    }
}

/// Reads and parses a test file.
pub fn parse_file(path: &Path) -> Result<TestFile, TestFileError> {
    let text = read(path)?;
    parse_text(&text, path)
}

/// Parses a test file's text; a mistake is named by its JSON pointer (`/tests/2/expect/status`)
/// as well as its line and column, so it can be found in a long file.
pub(crate) fn parse_text(text: &str, path: &Path) -> Result<TestFile, TestFileError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let pointer = json_pointer(e.path());
        // serde_json's message already ends with "at line L column C".
        let message = e.into_inner().to_string();
        TestFileError::Invalid {
            path: path.display().to_string(),
            message: if pointer.is_empty() {
                message
            } else {
                format!("at {pointer}: {message}")
            },
        }
    })
}

/// `tests[2].expect.status` as the JSON pointer `/tests/2/expect/status` (RFC 6901: `~` and
/// `/` in keys escaped).
fn json_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                out.push('/');
                out.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

/// Loads what a parsed test file names: its machine and its MockConfigFile.
pub fn load_file(path: &Path, file: TestFile) -> Result<LoadedFile, TestFileError> {
    let base = path.parent().unwrap_or(Path::new("."));
    let machine_path = base.join(&file.machine);
    let (machine, program) =
        load_machine(&machine_path).map_err(|message| TestFileError::Machine {
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
        path: path.to_path_buf(),
        machine_name: machine_name(&machine_path),
        machine_path,
        file,
        program,
        machine,
        config,
    })
}

/// One case of a test file, for `flowc simulate --simtest FILE --case NAME`: the loaded file
/// and the case's index in it. A name that is not there is an error listing the names that are
/// (the nearest first).
pub fn load_case(path: &Path, name: &str) -> Result<(LoadedFile, usize), TestFileError> {
    let loaded = load_file(path, parse_file(path)?)?;
    let found = loaded.file.tests.iter().position(|t| t.name == name);
    match found {
        Some(index) => Ok((loaded, index)),
        None => {
            let mut known: Vec<&str> = loaded.file.tests.iter().map(|t| t.name.as_str()).collect();
            known.sort_by(|a, b| {
                strsim::jaro_winkler(name, b)
                    .partial_cmp(&strsim::jaro_winkler(name, a))
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            Err(TestFileError::NoSuchCase {
                path: path.display().to_string(),
                case: name.to_string(),
                known: known
                    .iter()
                    .map(|k| format!("{k:?}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        }
    }
}

pub(crate) fn read(path: &Path) -> Result<String, TestFileError> {
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
pub(crate) fn with_help(error: &dyn Diagnostic) -> String {
    match error.help() {
        Some(help) => format!("{error} ({help})"),
        None => error.to_string(),
    }
}

/// Loads `.flow` (compiled in memory, resources left as `${name}` placeholders) or ASL JSON,
/// as the model (for coverage) and as the simulator's program.
pub fn load_machine(path: &Path) -> Result<(StateMachine, Program), String> {
    let text = crate::cli::input::read_text(path)?;
    let machine = if path.extension().is_some_and(|e| e == "flow") {
        crate::lower::compile(&text, &crate::lower::Bindings::new())
            .map_err(|e| format!("it does not compile ({e:?}); run `flowc check` on it"))?
            .machine
    } else {
        flowc_asl::load(&text, &path.display().to_string())
            .map_err(|e| {
                let details: Vec<String> = e.errors().iter().map(ToString::to_string).collect();
                format!("the definition is invalid: {}", details.join("; "))
            })?
            .machine
    };
    let program = Program::from_machine(&machine).map_err(|e| e.to_string())?;
    Ok((machine, program))
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
