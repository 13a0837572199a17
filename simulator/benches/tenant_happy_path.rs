//! The tenant workflow's happy path (backend pending twice, then healthy) with its full
//! history, mocked from workflows/tests/MockConfigFile.json (test case HappyPath): the JSONPath
//! workflow and its JSONata twin (the same states, JSONata fields and variables instead of
//! paths), one after the other, so their per-execution times compare directly.
//!
//! ```sh
//! cargo bench -p flowc-sim --bench tenant_happy_path
//! ```

use criterion::{Criterion, criterion_group, criterion_main};
use flowc_sim::{MockConfig, MockedCase, Program, Simulation, Status};
use serde_json::json;

// What a program embedding the simulator would pick for an allocation-heavy workload; the
// library itself leaves the allocator to its user.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Bench group name and compiled machine.
const MACHINES: [(&str, &str); 2] = [
    (
        "tenant_happy_path",
        include_str!("../../workflows/tenant_provisioning.asl.json"),
    ),
    (
        "tenant_jsonata_happy_path",
        include_str!("../../workflows/tenant_provisioning_jsonata.asl.json"),
    ),
];
const MOCKS: &str = include_str!("../../workflows/tests/MockConfigFile.json");

fn setup(machine: &str) -> (Program, MockedCase) {
    let program = match Program::from_json_text(machine) {
        Ok(p) => p,
        Err(e) => panic!("the tenant workflow does not load: {e}"),
    };
    let case = match MockConfig::from_json_text(MOCKS)
        .and_then(|c| c.test_case(None, "HappyPath", &program))
    {
        Ok(c) => c,
        Err(e) => panic!("the mock file does not fit the workflow: {e}"),
    };
    (program, case)
}

fn tenant_happy_path(c: &mut Criterion) {
    for (name, machine) in MACHINES {
        let (program, case) = setup(machine);
        let input = std::sync::Arc::new(json!({"tenant_id": "t-0001", "subdomain": "acme"}));
        let run = || match Simulation::new(&program)
            .shared_input(input.clone())
            .mocks(case.clone())
            .run()
        {
            Ok(outcome) => outcome,
            Err(e) => panic!("the simulation failed to run: {e}"),
        };
        // Guard: benchmark the real happy path, not an early failure.
        let outcome = run();
        assert_eq!(outcome.status, Status::Succeeded, "{name}");
        assert_eq!(outcome.duration_seconds, 240.0, "{name}");

        c.bench_function(&format!("{name}/run_with_history"), |b| {
            b.iter(|| std::hint::black_box(run()))
        });
        c.bench_function(&format!("{name}/run_and_serialize_history"), |b| {
            b.iter(|| std::hint::black_box(run().history.to_json()))
        });
    }
}

criterion_group!(benches, tenant_happy_path);
criterion_main!(benches);
