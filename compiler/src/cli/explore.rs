//! `flowc explore FILE [--input JSON|@FILE]... [--mocks FILE] [--require PROPERTY]...
//! [--max-runs N] [--max-depth N] [--max-visits N] [--emit-simtest OUT.json]
//! [--svg OUT.svg [--outcome N]]`: every distinguishable outcome of a workflow with one
//! shortest witness each (see `crate::explore`).
//!
//! Exit 0 when every `--require` holds, 1 when one is violated, 2 when it cannot explore (a
//! flag, a file or the definition is wrong; diagnostics say which).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use flowc_asl::StateMachine;
use flowc_sim::Program;
use serde_json::Value;

use super::input::read_text;
use super::output::{print_stdout, report, write_file};
use super::{EXIT_INPUT, EXIT_OK, EXIT_USAGE, Global, display_path, emitter_for};
use crate::explore::error::ExploreError;
use crate::explore::{self, Bounds, Subject, require};

#[derive(Debug, clap::Args)]
pub struct ExploreArgs {
    /// The state machine (.flow or .asl.json).
    pub file: PathBuf,
    /// An execution input: JSON text, or @FILE holding JSON. Repeat for several; which input
    /// is then the first choice explored. Default: the distinct inputs of the --mocks test
    /// file, else `{}`.
    #[arg(long, value_name = "JSON|@FILE")]
    pub input: Vec<String>,
    /// A simulation test file (*.simtest.json) or a MockConfigFile.json: each distinct Return
    /// response it states for a Task state is a success answer explored for that state (its
    /// Throw responses are explored too). Without it, a Task's success answers `{}`.
    #[arg(long, value_name = "FILE")]
    pub mocks: Option<PathBuf>,
    /// A property every run must have: `FAILED passes STATE`, `every path ends within 2h`,
    /// `TIMED_OUT never`, `States.Runtime never`. Repeatable; a violation exits 1.
    #[arg(long, value_name = "PROPERTY")]
    pub require: Vec<String>,
    /// Stop after N runs (the report says what was left).
    #[arg(long, value_name = "N", default_value_t = explore::MAX_RUNS,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_runs: u32,
    /// Branch on at most the first N decisions of a run (later ones take the first answer).
    #[arg(long, value_name = "N", default_value_t = explore::MAX_DEPTH)]
    pub max_depth: u32,
    /// Branch on at most N visits of a state per run; later visits answer as the one before,
    /// so a poll runs to its own bound.
    #[arg(long, value_name = "N", default_value_t = explore::MAX_VISITS,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_visits: u32,
    /// Stop once the runs have entered N states between them: bounds the time a large
    /// definition takes (the report says what was left).
    #[arg(long, value_name = "N", default_value_t = explore::MAX_STATES,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_states: u64,
    /// Write one simulation test per witness (its input, mocks encoding its choices, expected
    /// status, error and path) to OUT.json, for `flowc test`.
    #[arg(long, value_name = "OUT.json")]
    pub emit_simtest: Option<PathBuf>,
    /// Draw the graph as SVG coloured by what the runs reached (green) and did not (red).
    #[arg(long, value_name = "OUT.svg")]
    pub svg: Option<PathBuf>,
    /// With --svg: colour what outcome N's witness reached instead of every run.
    #[arg(long, value_name = "N", requires = "svg")]
    pub outcome: Option<usize>,
}

/// A problem already reported on stderr.
struct Reported;

pub fn run(args: ExploreArgs, global: &Global) -> ExitCode {
    match explore_reported(&args, global) {
        Ok(code) => code,
        Err(Reported) => ExitCode::from(EXIT_USAGE),
    }
}

fn fail(global: &Global, error: impl miette::Diagnostic + Send + Sync + 'static) -> Reported {
    emitter_for(global).emit(&error, None);
    Reported
}

fn explore_reported(args: &ExploreArgs, global: &Global) -> Result<ExitCode, Reported> {
    let (machine, program) = load(&args.file, global)?;
    let names = state_names(&machine);
    let properties = args
        .require
        .iter()
        .map(|text| require::parse(text, &names))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(global, e))?;
    let (stated, examples) = match &args.mocks {
        Some(path) => explore::stated::read_mocks(path, &machine).map_err(|e| fail(global, e))?,
        None => (BTreeMap::new(), Vec::new()),
    };
    let mut inputs = args
        .input
        .iter()
        .map(|text| read_input(text))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(global, e))?;
    if inputs.is_empty() {
        inputs = examples;
    }
    if inputs.is_empty() {
        inputs.push(Value::Object(serde_json::Map::new()));
    }
    let subject = Subject {
        machine: &machine,
        program: &program,
        path: &args.file,
        inputs,
        stated,
    };
    let bounds = Bounds {
        max_runs: args.max_runs as usize,
        max_depth: args.max_depth as usize,
        max_visits: args.max_visits,
        max_states: usize::try_from(args.max_states).unwrap_or(usize::MAX),
        dedupe: true,
    };
    let found = explore::explore(&subject, bounds, &properties)
        .map_err(|e| fail(global, ExploreError::Run { message: e.message }))?;
    if let Some(out) = &args.emit_simtest {
        let dir = out.parent().filter(|d| !d.as_os_str().is_empty());
        let machine_path = explore::emit::relative(&args.file, dir.unwrap_or(Path::new(".")));
        let text = explore::emit::simtest(&found, &machine_path.to_string_lossy());
        write_file(out, text.as_bytes()).map_err(|e| {
            report(&mut emitter_for(global), &e, &display_path(out));
            Reported
        })?;
    }
    if let Some(out) = &args.svg {
        let picture = match args.outcome {
            None => crate::picture::render_svg_reached(
                &machine,
                &found.coverage,
                "reached by an explored run",
                "reached by none",
            ),
            Some(n) => {
                let run = n
                    .checked_sub(1)
                    .and_then(|i| found.outcomes.get(i))
                    .ok_or_else(|| {
                        fail(
                            global,
                            ExploreError::NoSuchOutcome {
                                number: n,
                                found: found.outcomes.len(),
                            },
                        )
                    })?;
                let reached = explore::reach(&subject, bounds, run)
                    .map_err(|e| fail(global, ExploreError::Run { message: e.message }))?;
                crate::picture::render_svg_reached(
                    &machine,
                    &reached,
                    &format!("reached by outcome #{n} ({})", run.key.describe()),
                    "not on its path",
                )
            }
        };
        write_file(out, picture.as_bytes()).map_err(|e| {
            report(&mut emitter_for(global), &e, &display_path(out));
            Reported
        })?;
    }
    if let Err(e) = print_stdout(&explore::report::render(&found)) {
        report(&mut emitter_for(global), &e, "<stdout>");
        return Ok(ExitCode::from(EXIT_INPUT));
    }
    if found.verdicts.iter().all(|v| v.holds()) {
        Ok(ExitCode::from(EXIT_OK))
    } else {
        Ok(ExitCode::from(EXIT_INPUT))
    }
}

/// The definition, checked as `flowc simulate` checks it (every error reported).
fn load(file: &Path, global: &Global) -> Result<(StateMachine, Program), Reported> {
    let mut emitter = emitter_for(global).errors_only();
    let machine = super::pipeline::load_checked(file, &crate::lower::Bindings::new(), &mut emitter);
    super::pipeline::summary(&emitter, &display_path(file));
    let machine = machine.ok_or(Reported)?;
    let program = Program::from_machine(&machine).map_err(|e| {
        emitter.emit(&e, None);
        Reported
    })?;
    Ok((machine, program))
}

fn state_names(machine: &StateMachine) -> Vec<&str> {
    fn walk<'m>(
        states: &'m indexmap::IndexMap<flowc_asl::StateName, flowc_asl::State>,
        out: &mut Vec<&'m str>,
    ) {
        for (name, state) in states {
            out.push(name.as_str());
            for branch in state.branches() {
                walk(&branch.states, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&machine.states, &mut out);
    out
}

fn read_input(text: &str) -> Result<Value, ExploreError> {
    let (body, origin) = match text.strip_prefix('@') {
        Some(file) => (
            read_text(Path::new(file)).map_err(|message| ExploreError::Input {
                origin: text.to_string(),
                message,
            })?,
            text.to_string(),
        ),
        None => (text.to_string(), "JSON".to_string()),
    };
    flowc_sim::check_input_size(&body).map_err(|e| ExploreError::Input {
        origin: origin.clone(),
        message: e.to_string(),
    })?;
    serde_json::from_str(&body).map_err(|e| ExploreError::Input {
        origin,
        message: format!("not JSON: {e}"),
    })
}
