//! Executions per second of one workflow with full history, in-process:
//! `cargo run --release -p flowc-sim --example throughput -- MACHINE.asl.json MOCKS.json TEST_CASE 'INPUT' [N]`
//! (a quick figure; the criterion bench is the reference measurement).

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [machine, mocks, case, input, rest @ ..] = args.as_slice() else {
        eprintln!("usage: throughput MACHINE.asl.json MOCKS.json TEST_CASE INPUT_JSON [N]");
        return ExitCode::from(2);
    };
    let n: u32 = rest.first().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let load = || -> Result<_, String> {
        let text = std::fs::read_to_string(machine).map_err(|e| e.to_string())?;
        let program = flowc_sim::Program::from_json_text(&text).map_err(|e| e.to_string())?;
        let mock_text = std::fs::read_to_string(mocks).map_err(|e| e.to_string())?;
        let config =
            flowc_sim::MockConfig::from_json_text(&mock_text).map_err(|e| e.to_string())?;
        let input: serde_json::Value = serde_json::from_str(input).map_err(|e| e.to_string())?;
        Ok((program, config, input))
    };
    let (program, config, input) = match load() {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let mocks = match config.test_case(None, case, &program) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    // As the criterion bench and tenant_throughput do: the case is read once, cloned per run.
    let started = Instant::now();
    let mut events = 0usize;
    for _ in 0..n {
        let run = flowc_sim::Simulation::new(&program)
            .input(input.clone())
            .mocks(mocks.clone())
            .run();
        match run {
            Ok(outcome) => events += outcome.history.len(),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{n} executions in {secs:.3} s: {:.0} executions/s ({} history events each)",
        f64::from(n) / secs,
        events / n.max(1) as usize
    );
    ExitCode::SUCCESS
}
