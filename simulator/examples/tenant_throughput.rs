//! Executions per second of one state machine with MockConfigFile results, full history
//! recorded: the flowc half of scripts/compare-local-stepfunctions.sh.
//!
//! ```sh
//! cargo run --release -p flowc-sim --example tenant_throughput -- \
//!     MACHINE.asl.json MOCKS.json TEST_CASE INPUT_JSON [SECONDS]
//! ```
//!
//! Prints one JSON object: executions, seconds, per_second, events (per execution), output (of
//! the last execution).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use flowc_sim::{MockConfig, Program, Simulation, Status};

// The engine allocates many small JSON nodes; mimalloc serves them faster than the system
// allocator. The library leaves the choice to the program that embeds it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match run() {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<String, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [machine, mocks, case, input, rest @ ..] = args.as_slice() else {
        return Err(
            "usage: tenant_throughput MACHINE.asl.json MOCKS.json TEST_CASE INPUT_JSON [SECONDS]"
                .into(),
        );
    };
    let seconds: f64 = match rest.first() {
        Some(s) => s
            .parse()
            .map_err(|_| format!("'{s}' is not a number of seconds"))?,
        None => 3.0,
    };
    let read = |p: &str| std::fs::read_to_string(p).map_err(|e| format!("cannot read {p}: {e}"));
    let program = Program::from_json_text(&read(machine)?).map_err(|e| e.to_string())?;
    let config = MockConfig::from_json_text(&read(mocks)?).map_err(|e| e.to_string())?;
    let case = config
        .test_case(None, case, &program)
        .map_err(|e| e.to_string())?;
    let input: serde_json::Value =
        serde_json::from_str(input).map_err(|e| format!("the input is not JSON: {e}"))?;

    let budget = Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut executions = 0u64;
    let mut events = 0usize;
    let mut last = None;
    while started.elapsed() < budget {
        let outcome = Simulation::new(&program)
            .input(input.clone())
            .mocks(case.clone())
            .run()
            .map_err(|e| e.to_string())?;
        if outcome.status != Status::Succeeded {
            return Err(format!(
                "the execution did not succeed: {:?} {:?}",
                outcome.error, outcome.cause
            ));
        }
        events = outcome.history.events.len();
        // Kept whole: its output is made a value once, after the timed loop.
        last = Some(outcome);
        executions += 1;
    }
    let output = last.and_then(flowc_sim::Outcome::into_output);
    let elapsed = started.elapsed().as_secs_f64();
    Ok(serde_json::json!({
        "engine": "flowc-sim",
        "executions": executions,
        "seconds": elapsed,
        "per_second": executions as f64 / elapsed,
        "events": events,
        "output": output,
    })
    .to_string())
}
