//! `flowc simulate FILE(.flow|.asl.json) [--input JSON | --input-file F]
//! [--mock-config F --test-case NAME [--state-machine NAME]] [--history OUT.json]
//! [--child-histories DIR] [--seed N]
//! [--objects DIR]`, or `flowc simulate --simtest FILE.simtest.json --case NAME [...]`
//!
//! Runs the state machine in the deterministic simulator and prints one JSON object:
//! `{"status", "output" | "error", "cause", "duration_seconds", "events", "transitions"}`;
//! with `--simtest`, the case's machine, input, seed and mocks, and a `"test"` entry saying
//! whether its expectations held.
//! Exit 0 whatever the execution's status; 1 when the input (definition, JSON input, mock file)
//! is invalid or a Task has no mock.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use flowc_sim::{MockConfig, Outcome, Program, SimError, Simulation, Status};
use serde_json::{Map, Value};

use super::input::read_text;
use super::output::{print_stdout, write_file_with};
use super::{EXIT_INPUT, EXIT_OK, Global, emitter_for};

#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// The state machine (.asl.json or .flow).
    #[arg(required_unless_present = "simtest")]
    pub file: Option<PathBuf>,
    /// Run one case of a simulation test file (*.simtest.json): its machine, input, seed and
    /// mocks, as `flowc test` runs it.
    #[arg(
        long,
        value_name = "FILE",
        requires = "case",
        conflicts_with_all = ["file", "input", "input_file", "mock_config", "seed"]
    )]
    pub simtest: Option<PathBuf>,
    /// The name of the case in the --simtest file.
    #[arg(long, value_name = "NAME", requires = "simtest")]
    pub case: Option<String>,
    /// The execution input as JSON text (default `{}`).
    #[arg(long, value_name = "JSON", conflicts_with = "input_file")]
    pub input: Option<String>,
    /// Read the execution input from this JSON file.
    #[arg(long, value_name = "F")]
    pub input_file: Option<PathBuf>,
    /// An AWS Step Functions Local MockConfigFile.json serving the Task results.
    #[arg(long, value_name = "F", requires = "test_case")]
    pub mock_config: Option<PathBuf>,
    /// The test case of the mock file to use.
    #[arg(long, value_name = "NAME", requires = "mock_config")]
    pub test_case: Option<String>,
    /// The state machine entry of the mock file (needed when several have the test case).
    #[arg(long, value_name = "NAME", requires = "test_case")]
    pub state_machine: Option<String>,
    /// Write the execution history (GetExecutionHistory's JSON shape) to this file.
    #[arg(long, value_name = "OUT.json")]
    pub history: Option<PathBuf>,
    /// Write each Distributed Map child execution's own history here, as
    /// `DIR/<run>-<state>/<child>.json` (run and child numbered from 1, in order).
    #[arg(long, value_name = "DIR")]
    pub child_histories: Option<PathBuf>,
    /// Seed for retry jitter, States.UUID and States.MathRandom.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
    /// A folder that stands for S3: Distributed Map ItemReaders read `DIR/BUCKET/KEY`,
    /// ResultWriters write there.
    #[arg(long, value_name = "DIR")]
    pub objects: Option<PathBuf>,
}

/// A problem before or instead of an execution, already rendered as a diagnostic on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported;

pub fn run(args: SimulateArgs, global: &Global) -> ExitCode {
    let result = match (&args.simtest, &args.case, &args.file) {
        (Some(file), Some(case), _) => simulate_case(file, case, &args, global),
        (_, _, Some(file)) => simulate(file, &args, global).map(|outcome| summary(&outcome)),
        // clap requires FILE unless --simtest, and --case with --simtest.
        _ => Err(Reported),
    };
    match result {
        Ok(summary) => match print_stdout(&format!("{summary}\n")) {
            Ok(()) => ExitCode::from(EXIT_OK),
            Err(error) => {
                super::output::report(&mut emitter_for(global), &error, "<stdout>");
                ExitCode::from(EXIT_INPUT)
            }
        },
        Err(Reported) => ExitCode::from(EXIT_INPUT),
    }
}

/// Loads a state machine for simulation: ASL JSON directly, `.flow` through the compiler. A
/// definition with errors is not run; every error is reported, as `flowc check` reports it
/// (warnings are left to `check`).
pub fn load_program(file: &Path, global: &Global) -> Result<Program, Reported> {
    load_program_bound(file, &crate::lower::Bindings::new(), global)
}

/// [`load_program`] with a `.flow` file's resources bound to ARNs.
pub fn load_program_bound(
    file: &Path,
    bindings: &crate::lower::Bindings,
    global: &Global,
) -> Result<Program, Reported> {
    let mut emitter = emitter_for(global).errors_only();
    let machine = super::pipeline::load_checked(file, bindings, &mut emitter);
    super::pipeline::summary(&emitter, &super::display_path(file));
    let machine = machine.ok_or(Reported)?;
    // The checks have passed, so the simulator's own validation has nothing left to find;
    // should it, its error has no source text to point into.
    Program::from_machine(&machine).map_err(|e| {
        emitter.emit(&e, None);
        Reported
    })
}

fn read_input(args: &SimulateArgs) -> Result<Value, SimError> {
    read_input_text(args.input.as_deref(), args.input_file.as_deref()).map(|(_, value)| value)
}

/// The execution input as given (`--input JSON` or `--input-file F`; `{}` without either):
/// its text as written, checked against StartExecution's size quota, and its value.
pub(super) fn read_input_text(
    input: Option<&str>,
    input_file: Option<&Path>,
) -> Result<(String, Value), SimError> {
    let (text, origin) = match (input, input_file) {
        (Some(t), _) => (t.to_owned(), "--input".to_string()),
        (None, Some(f)) => (
            read_text(f).map_err(|e| SimError::InvalidInput {
                message: format!("cannot read {}: {e}", f.display()),
                line: 0,
                column: 0,
            })?,
            f.display().to_string(),
        ),
        (None, None) => return Ok(("{}".to_owned(), Value::Object(Map::new()))),
    };
    // Measured before parsing, on the text as written: StartExecution receives and measures
    // exactly this text (`aws stepfunctions start-execution --input file://F` sends the file).
    flowc_sim::check_input_size(&text)?;
    let value = serde_json::from_str(&text).map_err(|e| SimError::InvalidInput {
        // serde's text ends with " at line L column C"; the error shows both separately.
        message: format!("{origin}: {}", without_location(&e.to_string())),
        line: e.line(),
        column: e.column(),
    })?;
    Ok((text, value))
}

fn without_location(message: &str) -> &str {
    message
        .rfind(" at line ")
        .and_then(|k| message.get(..k))
        .unwrap_or(message)
}

/// One case of a simulation test file, run as `flowc test` runs it; the summary gets a
/// `"test"` entry: its name, whether its expectations held, and what did not.
fn simulate_case(
    file: &Path,
    case: &str,
    args: &SimulateArgs,
    global: &Global,
) -> Result<Value, Reported> {
    let (loaded, index) = crate::testing::load_case(file, case).map_err(|e| {
        emitter_for(global).emit(&e, None);
        Reported
    })?;
    let Some(test) = loaded.file.tests.get(index) else {
        return Err(Reported);
    };
    let mut sim = loaded.simulation(test).map_err(|message| {
        emitter_for(global).emit(&SimError::InvalidMocks { message }, None);
        Reported
    })?;
    if let Some(dir) = &args.objects {
        sim = sim.object_store(flowc_sim::LocalFiles::new(dir));
    }
    let outcome = sim.run().map_err(|e| {
        emitter_for(global).emit(&e, None);
        Reported
    })?;
    keep_histories(args, &outcome, global)?;
    let failures = crate::testing::expect::check(&test.expect, &outcome);
    let mut summary = summary(&outcome);
    if let Value::Object(m) = &mut summary {
        m.insert(
            "test".into(),
            serde_json::json!({
                "name": test.name,
                "passed": failures.is_empty(),
                "failures": failures,
            }),
        );
    }
    Ok(summary)
}

fn simulate(file: &Path, args: &SimulateArgs, global: &Global) -> Result<Outcome, Reported> {
    let program = load_program(file, global)?;
    let mut emitter = emitter_for(global);
    let mut report = |e: SimError| {
        emitter.emit(&e, None);
        Reported
    };
    let input = read_input(args).map_err(&mut report)?;
    let mut sim = Simulation::new(&program).input(input).seed(args.seed);
    if let Some(dir) = &args.objects {
        sim = sim.object_store(flowc_sim::LocalFiles::new(dir));
    }
    let sim = match (&args.mock_config, &args.test_case) {
        (Some(file), Some(case)) => {
            let text = read_text(file).map_err(|e| {
                report(SimError::InvalidMocks {
                    message: format!("cannot read {}: {e}", file.display()),
                })
            })?;
            let config = MockConfig::from_json_text(&text).map_err(&mut report)?;
            let mocks = config
                .test_case(args.state_machine.as_deref(), case, &program)
                .map_err(&mut report)?;
            sim.mocks(mocks)
        }
        _ => sim,
    };
    let outcome = sim.run().map_err(&mut report)?;
    keep_histories(args, &outcome, global)?;
    Ok(outcome)
}

/// `--history` and `--child-histories`.
fn keep_histories(args: &SimulateArgs, outcome: &Outcome, global: &Global) -> Result<(), Reported> {
    if let Some(path) = &args.history {
        write_history(path, &outcome.history, global)?;
    }
    if let Some(dir) = &args.child_histories {
        for (path, history) in child_history_files(dir, outcome) {
            let written = std::fs::create_dir_all(path.parent().unwrap_or(dir)).map_err(|e| {
                super::output::OutputError::WriteFailed {
                    file: path.display().to_string(),
                    reason: e.to_string(),
                }
            });
            if let Err(error) = written {
                super::output::report(
                    &mut emitter_for(global),
                    &error,
                    &path.display().to_string(),
                );
                return Err(Reported);
            }
            write_history(&path, history, global)?;
        }
    }
    Ok(())
}

/// Writes a history's JSON to `path` as it is made (a long history's JSON is far larger than
/// the history in memory), refused with `flowc::sim::history_too_large` past flowc's limit.
fn write_history(
    path: &Path,
    history: &flowc_sim::History,
    global: &Global,
) -> Result<(), Reported> {
    if let Err(e) = history.check_json_len() {
        emitter_for(global).emit(&e, None);
        return Err(Reported);
    }
    if let Err(error) = write_file_with(path, |out| history.write_json(out)) {
        super::output::report(
            &mut emitter_for(global),
            &error,
            &path.display().to_string(),
        );
        return Err(Reported);
    }
    Ok(())
}

/// Where each Distributed Map child's history goes under `dir`: one folder per Map Run
/// (`1-Process`), one file per child in item order (`1.json`).
fn child_history_files<'o>(
    dir: &Path,
    outcome: &'o Outcome,
) -> Vec<(PathBuf, &'o flowc_sim::History)> {
    let mut files = Vec::new();
    for (run, map_run) in outcome.map_runs.iter().enumerate() {
        let state: String = map_run
            .state
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let folder = dir.join(format!("{}-{state}", run + 1));
        for (index, child) in map_run.children.iter().enumerate() {
            files.push((folder.join(format!("{}.json", index + 1)), &child.history));
        }
    }
    files
}

/// The one-line JSON summary `flowc simulate` prints.
pub fn summary(outcome: &Outcome) -> Value {
    let mut m = Map::new();
    let status = match outcome.status {
        Status::Succeeded => "SUCCEEDED",
        Status::Failed => "FAILED",
        Status::TimedOut => "TIMED_OUT",
    };
    m.insert("status".into(), status.into());
    match outcome.status {
        Status::Succeeded => {
            m.insert(
                "output".into(),
                outcome.output().cloned().unwrap_or(Value::Null),
            );
        }
        _ => {
            m.insert(
                "error".into(),
                outcome.error.clone().map_or(Value::Null, Value::from),
            );
            m.insert(
                "cause".into(),
                outcome.cause.clone().map_or(Value::Null, Value::from),
            );
        }
    }
    m.insert("duration_seconds".into(), outcome.duration_seconds.into());
    m.insert("events".into(), outcome.history.len().into());
    // Distributed Map runs, when there were any: their children ran as executions of their own.
    if !outcome.map_runs.is_empty() {
        let runs: Vec<Value> = outcome
            .map_runs
            .iter()
            .map(|run| {
                let failed = run.children.iter().filter(|c| c.result.is_err()).count();
                serde_json::json!({
                    "state": run.state,
                    "map_run_arn": run.map_run_arn,
                    "children": run.children.len(),
                    "failed": failed,
                })
            })
            .collect();
        m.insert("map_runs".into(), runs.into());
    }
    m.insert("transitions".into(), outcome.transitions.into());
    Value::Object(m)
}
