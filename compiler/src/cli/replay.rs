//! `flowc replay HISTORY.json --machine FILE [--bind NAME=ARN]... [--emit-simtest FILE]
//! [--tolerance SECONDS] [--execution-arn ARN] [--seed N]`
//!
//! Runs the definition in the simulator with every Task answer (result, failure, timeout,
//! callback, timing) the recorded history holds, and compares the two histories event by
//! event (`flowc_sim::replay`). Prints that they agree (exit 0) or the first divergence with
//! both events (exit 1). `--emit-simtest` writes the recording as a simulation test that
//! `flowc test` runs.

use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use flowc_sim::replay::{DEFAULT_TOLERANCE_SECONDS, Recording, Replay, Report};
use flowc_sim::{ExecutionContext, SimError, Status};
use serde_json::{Map, Value, json};

use super::input::read_text;
use super::output::{eprint_line, print_stdout, report, write_file};
use super::{Binding, EXIT_INPUT, EXIT_OK, EXIT_USAGE, Global, emitter_for};

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The recorded history: GetExecutionHistory's JSON (`flowc aws history`,
    /// `aws stepfunctions get-execution-history`, `flowc simulate --history`).
    pub history: PathBuf,
    /// The definition to replay against (.flow or .asl.json): the one that ran, or a changed
    /// one. Required: GetExecutionHistory never includes the definition.
    #[arg(long, value_name = "FILE")]
    pub machine: Option<PathBuf>,
    /// A resource of a .flow machine, as the deployed machine had it (`flowc compile --bind`).
    #[arg(long = "bind", value_name = "NAME=ARN")]
    pub bindings: Vec<Binding>,
    /// Write the recording as a simulation test (`*.simtest.json`) for `flowc test`.
    #[arg(long, value_name = "FILE")]
    pub emit_simtest: Option<PathBuf>,
    /// How far apart, in seconds, AWS's and the simulation's time between two consecutive events
    /// may be.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_TOLERANCE_SECONDS)]
    pub tolerance: f64,
    /// The recorded execution's ARN, for `$$.Execution` and `$$.StateMachine` (the history does
    /// not carry it).
    #[arg(long, value_name = "ARN")]
    pub execution_arn: Option<String>,
    /// Seed for retry jitter, States.UUID and States.MathRandom.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
}

/// Message when --machine is missing.
const NO_MACHINE: &str = "error: flowc replay needs --machine FILE: an execution history \
(GetExecutionHistory) never includes the state machine's definition.\n  help: pass the .flow or \
.asl.json that ran (with --bind NAME=ARN for a .flow's resources), or fetch the definition the \
execution ran with: `aws stepfunctions describe-state-machine-for-execution --execution-arn ARN \
--query definition --output text > machine.asl.json`";

pub fn run(args: ReplayArgs, global: &Global) -> ExitCode {
    let Some(machine) = &args.machine else {
        eprint_line(NO_MACHINE);
        return ExitCode::from(EXIT_USAGE);
    };
    if !(args.tolerance.is_finite() && args.tolerance >= 0.0) {
        eprint_line("error: --tolerance is a number of seconds, 0 or more");
        return ExitCode::from(EXIT_USAGE);
    }
    let mut bindings = crate::lower::Bindings::new();
    for binding in &args.bindings {
        bindings.insert(binding.name.clone(), binding.arn.clone());
    }
    let Ok(program) = super::simulate::load_program_bound(machine, &bindings, global) else {
        return ExitCode::from(EXIT_INPUT);
    };
    let mut emitter = emitter_for(global);
    let history_name = args.history.display().to_string();
    let recording = match read_text(&args.history)
        .map_err(|e| SimError::InvalidHistory {
            message: format!("cannot read {history_name}: {e}"),
        })
        .and_then(|text| Recording::from_json_text(&text))
    {
        Ok(recording) => recording,
        Err(e) => {
            emitter.emit(&e, None);
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let test_name = test_name(&args.history);
    let context = match &args.execution_arn {
        Some(arn) => match context_from_arn(arn) {
            Some(context) => context,
            None => {
                eprint_line(&format!(
                    "error: --execution-arn {arn} is not an execution ARN \
                     (arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME)"
                ));
                return ExitCode::from(EXIT_USAGE);
            }
        },
        // The names `flowc test` gives the emitted test, so both runs see the same `$$`.
        None => ExecutionContext::named(
            &crate::testing::machine_name(machine),
            &crate::testing::slug(&test_name),
        ),
    };
    let replayed = Replay::new(&program, &recording)
        .context(context)
        .tolerance_seconds(args.tolerance)
        .seed(args.seed)
        .run();
    let replayed = match replayed {
        Ok(r) => r,
        Err(e) => {
            emitter.emit(&e, None);
            return ExitCode::from(EXIT_INPUT);
        }
    };
    if let Some(path) = &args.emit_simtest {
        let text = simtest(&args, machine, path, &recording, &replayed, &test_name);
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
        let written = match folder.map(std::fs::create_dir_all) {
            Some(Err(e)) => Err(super::output::OutputError::WriteFailed {
                file: path.display().to_string(),
                reason: e.to_string(),
            }),
            _ => write_file(path, text.as_bytes()),
        };
        if let Err(error) = written {
            report(&mut emitter, &error, &path.display().to_string());
            return ExitCode::from(EXIT_INPUT);
        }
        if replayed.divergence.is_some() {
            eprint_line(&format!(
                "note: {} expects what the recording shows (status, output or error); it fails \
                 until the definition handles the recorded answers as AWS did",
                path.display()
            ));
        }
    }
    let (text, code) = render(&replayed);
    match print_stdout(&text) {
        Ok(()) => ExitCode::from(code),
        Err(error) => {
            report(&mut emitter, &error, "<stdout>");
            ExitCode::from(EXIT_INPUT)
        }
    }
}

/// The verdict as printed, and the exit code.
fn render(replayed: &Report) -> (String, u8) {
    let outcome = &replayed.outcome;
    match &replayed.divergence {
        None => (
            format!(
                "replay: no divergence: simulated (flowc) agrees with recorded (AWS) on {} events, \
                 {}, {} s simulated\n",
                replayed.recorded_events,
                status_name(outcome.status),
                outcome.duration_seconds
            ),
            EXIT_OK,
        ),
        Some(d) => {
            let show = |v: &Option<Value>| {
                v.as_ref()
                    .map_or_else(|| "(none)".to_string(), Value::to_string)
            };
            (
                format!(
                    "replay: diverges at event {} of {}: {}\n  recorded (AWS):    {}\n  \
                     simulated (flowc): {}\n",
                    d.event,
                    replayed.recorded_events,
                    d.reason,
                    show(&d.recorded),
                    show(&d.simulated)
                ),
                EXIT_INPUT,
            )
        }
    }
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Succeeded => "SUCCEEDED",
        Status::Failed => "FAILED",
        Status::TimedOut => "TIMED_OUT",
    }
}

/// `incident-42.history.json` -> `replay of incident-42`.
fn test_name(history: &Path) -> String {
    let file = history
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    let stem = file.split('.').next().unwrap_or_default();
    format!(
        "replay of {}",
        if stem.is_empty() { "history" } else { stem }
    )
}

/// `arn:aws:states:eu-west-1:1:execution:Machine:name` -> its names and region.
fn context_from_arn(arn: &str) -> Option<ExecutionContext> {
    let parts: Vec<&str> = arn.splitn(8, ':').collect();
    let [
        _,
        partition,
        "states",
        region,
        account,
        "execution",
        machine,
        name,
    ] = parts.as_slice()
    else {
        return None;
    };
    if machine.is_empty() || name.is_empty() {
        return None;
    }
    let mut context = ExecutionContext::named(machine, name);
    context.region = (*region).to_string();
    context.state_machine_arn =
        format!("arn:{partition}:states:{region}:{account}:stateMachine:{machine}");
    context.execution_arn = arn.to_string();
    Some(context)
}

/// The simulation test file: the recorded input, every answer by state and invocation, and
/// what to expect. When the replay agreed, the expectations are the simulated run's (equal to
/// the recording's up to ARNs and times), with the states visited and the simulated duration;
/// when it diverged, the recording's status and output or error and cause.
fn simtest(
    args: &ReplayArgs,
    machine: &Path,
    path: &Path,
    recording: &Recording,
    replayed: &Report,
    name: &str,
) -> String {
    let mut expect = Map::new();
    let outcome = &replayed.outcome;
    if replayed.divergence.is_none() {
        expect.insert("status".into(), status_name(outcome.status).into());
        match outcome.status {
            Status::Succeeded => {
                expect.insert(
                    "output".into(),
                    outcome.output().cloned().unwrap_or(Value::Null),
                );
            }
            _ => {
                if let Some(e) = &outcome.error {
                    expect.insert("error".into(), e.clone().into());
                }
                if let Some(c) = &outcome.cause {
                    expect.insert("cause".into(), c.clone().into());
                }
            }
        }
        expect.insert("path".into(), json!(outcome.path.to_vec()));
        expect.insert("duration_seconds".into(), json!(outcome.duration_seconds));
    } else {
        let (output, error, cause) = recording.result();
        expect.insert(
            "status".into(),
            recording.status().unwrap_or("SUCCEEDED").into(),
        );
        if let Some(output) = output {
            expect.insert("output".into(), output);
        }
        if let Some(e) = error {
            expect.insert("error".into(), e.into());
        }
        if let Some(c) = cause {
            expect.insert("cause".into(), c.into());
        }
    }
    let mut test = Map::new();
    test.insert("name".into(), name.into());
    test.insert(
        "input".into(),
        recording.input().unwrap_or_else(|_| json!({})),
    );
    if args.seed != 0 {
        test.insert("seed".into(), args.seed.into());
    }
    test.insert("mocks".into(), json!(replayed.mocks));
    test.insert("expect".into(), Value::Object(expect));
    let file = json!({
        "machine": relative_to(machine, path.parent().unwrap_or(Path::new(""))),
        "tests": [Value::Object(test)],
    });
    serde_json::to_string_pretty(&file).unwrap_or_default() + "\n"
}

/// `target` as a path relative to the folder `from` (both taken from the current directory).
fn relative_to(target: &Path, from: &Path) -> String {
    let absolute = |p: &Path| {
        std::path::absolute(if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        })
        .map(|a| normalize(&a))
        .unwrap_or_else(|_| p.to_path_buf())
    };
    let target = absolute(target);
    let from = absolute(from);
    let t: Vec<Component> = target.components().collect();
    let f: Vec<Component> = from.components().collect();
    let common = t.iter().zip(&f).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in t.iter().skip(common) {
        out.push(c.as_os_str());
    }
    out.to_string_lossy().replace('\\', "/")
}

/// `a/./b/../c` -> `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_and_descend() {
        assert_eq!(
            relative_to(Path::new("/w/a/m.flow"), Path::new("/w/b/tests")),
            "../../a/m.flow"
        );
        assert_eq!(
            relative_to(Path::new("/w/m.flow"), Path::new("/w")),
            "m.flow"
        );
    }

    #[test]
    fn execution_arn_names_the_context() {
        let c = context_from_arn("arn:aws:states:eu-west-1:111122223333:execution:Tenant:run-1");
        let c = c.unwrap_or_default();
        assert_eq!(c.state_machine_name, "Tenant");
        assert_eq!(c.execution_name, "run-1");
        assert_eq!(c.region, "eu-west-1");
        assert!(context_from_arn("arn:aws:states:eu-west-1:1:stateMachine:Tenant").is_none());
    }
}
