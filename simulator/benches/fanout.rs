//! A Map/Parallel-heavy workload: a Parallel of 3 Maps of 100 items, MaxConcurrency 10, each
//! iteration a mocked Task then a 5 s Wait (benches/fanout/), with its full history: 300
//! strands on the scheduler, 50 s simulated.
//!
//! ```sh
//! cargo bench -p flowc-sim --bench fanout
//! ```

use criterion::{Criterion, criterion_group, criterion_main};
use flowc_sim::{MockConfig, Program, Simulation, Status};

// As the flowc binary and the other bench: the engine allocates many small JSON nodes.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MACHINE: &str = include_str!("fanout/fanout.asl.json");
const MOCKS: &str = include_str!("fanout/MockConfigFile.json");
const INPUT: &str = include_str!("fanout/input.json");

fn fanout(c: &mut Criterion) {
    let program = match Program::from_json_text(MACHINE) {
        Ok(p) => p,
        Err(e) => panic!("the fan-out workload does not load: {e}"),
    };
    let case = match MockConfig::from_json_text(MOCKS)
        .and_then(|c| c.test_case(None, "Fanout", &program))
    {
        Ok(c) => c,
        Err(e) => panic!("the mock file does not fit the workload: {e}"),
    };
    // Parsed once and shared by the runs (as tenant_throughput does).
    let input: std::sync::Arc<serde_json::Value> = match serde_json::from_str(INPUT) {
        Ok(v) => std::sync::Arc::new(v),
        Err(e) => panic!("the input is not JSON: {e}"),
    };
    let run = || match Simulation::new(&program)
        .shared_input(input.clone())
        .mocks(case.clone())
        .run()
    {
        Ok(outcome) => outcome,
        Err(e) => panic!("the simulation failed to run: {e}"),
    };
    // Guard: benchmark the real workload: three concurrent Maps of ten waves of 5 s.
    let outcome = run();
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.duration_seconds, 50.0);
    c.bench_function("fanout/run_with_history", |b| {
        b.iter(|| std::hint::black_box(run()))
    });
}

criterion_group!(benches, fanout);
criterion_main!(benches);
