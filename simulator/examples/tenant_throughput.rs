//! Executions per second of one state machine with MockConfigFile results, full history
//! recorded: the flowc half of scripts/compare-local-stepfunctions.sh.
//!
//! ```sh
//! cargo run --release -p flowc-sim --example tenant_throughput -- \
//!     MACHINE.asl.json MOCKS.json TEST_CASE INPUT_JSON [SECONDS | COUNTx]
//! ```
//!
//! Runs for SECONDS of wall-clock time (default 3), or exactly COUNT executions (`200x`: a
//! fixed amount of work, for instruction counts under `valgrind --tool=callgrind` or
//! `perf stat -e instructions:u`, which a shared machine does not disturb).
//!
//! Prints one JSON object: executions, seconds, per_second, cpu_seconds (user and system CPU
//! time of the timed loop, from /proc/self/stat: on a loaded machine the wall-clock rate falls
//! while the CPU time per execution holds), events (per execution), output (of the last
//! execution).

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
            "usage: tenant_throughput MACHINE.asl.json MOCKS.json TEST_CASE INPUT_JSON [SECONDS | COUNTx]"
                .into(),
        );
    };
    let budget = match rest.first().map(String::as_str) {
        Some(s) => match s.strip_suffix('x') {
            Some(count) => Budget::Executions(
                count
                    .parse()
                    .map_err(|_| format!("'{s}' is not a count of executions (COUNTx)"))?,
            ),
            None => Budget::Time(Duration::from_secs_f64(
                s.parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s >= 0.0)
                    .ok_or_else(|| format!("'{s}' is not a number of seconds"))?,
            )),
        },
        None => Budget::Time(Duration::from_secs(3)),
    };
    let read = |p: &str| std::fs::read_to_string(p).map_err(|e| format!("cannot read {p}: {e}"));
    let program = Program::from_json_text(&read(machine)?).map_err(|e| e.to_string())?;
    let config = MockConfig::from_json_text(&read(mocks)?).map_err(|e| e.to_string())?;
    let case = config
        .test_case(None, case, &program)
        .map_err(|e| e.to_string())?;
    // Parsed once and shared by every execution, as the Node half of the comparison hands
    // aws-local-stepfunctions the same parsed object each time.
    let input: std::sync::Arc<serde_json::Value> = serde_json::from_str(input)
        .map(std::sync::Arc::new)
        .map_err(|e| format!("the input is not JSON: {e}"))?;

    let cpu_before = cpu_seconds()?;
    let started = Instant::now();
    let mut executions = 0u64;
    let mut events = 0usize;
    let mut last = None;
    while match budget {
        Budget::Time(budget) => started.elapsed() < budget,
        Budget::Executions(count) => executions < count,
    } {
        let outcome = Simulation::new(&program)
            .shared_input(input.clone())
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
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds()? - cpu_before;
    let output = last.and_then(flowc_sim::Outcome::into_output);
    Ok(serde_json::json!({
        "engine": "flowc-sim",
        "executions": executions,
        "seconds": elapsed,
        "per_second": executions as f64 / elapsed,
        "cpu_seconds": cpu,
        "events": events,
        "output": output,
    })
    .to_string())
}

/// How long to run.
enum Budget {
    Time(Duration),
    Executions(u64),
}

/// User plus system CPU time of this process so far, in seconds: fields 14 and 15 of
/// /proc/self/stat, in clock ticks of 1/100 s (Linux's USER_HZ). Read without libc (the
/// workspace forbids unsafe code); 10 ms resolution is 0.2% of a 5 s round.
fn cpu_seconds() -> Result<f64, String> {
    let stat = std::fs::read_to_string("/proc/self/stat")
        .map_err(|e| format!("cannot read /proc/self/stat for the CPU time: {e}"))?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let after = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .ok_or("/proc/self/stat has no command name")?;
    let field = |n: usize| -> Result<f64, String> {
        // `after` starts at field 3.
        after
            .split_whitespace()
            .nth(n - 3)
            .and_then(|f| f.parse::<u64>().ok())
            .map(|ticks| ticks as f64 / 100.0)
            .ok_or_else(|| format!("/proc/self/stat has no field {n}"))
    };
    Ok(field(14)? + field(15)?)
}
