//! Exploration speed: `flowc explore` of the tenant workflow (both query-language twins) with
//! the success answers its simulation tests state, and of two hostile definitions (100 Tasks of
//! five answers each): one that keeps every answer and must stop at its budget, one whose
//! answers are forgotten, which dedupe explores to the end.
//!
//!     cargo bench -p flowc --bench explore

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use flowc::explore::{Bounds, Subject, explore, stated};
use flowc_asl::StateMachine;
use flowc_sim::Program;

// The allocator the flowc binary uses (src/main.rs), so the figures are what `flowc explore` does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn load(file: &str) -> (StateMachine, Program) {
    match flowc::testing::load_machine(&root().join(file)) {
        Ok(loaded) => loaded,
        Err(e) => panic!("{file}: {e}"),
    }
}

fn tenant(c: &mut Criterion, name: &str, flow: &str, tests: &str) {
    let (machine, program) = load(flow);
    let (stated, inputs) = stated::read_mocks(&root().join(tests), &machine)
        .unwrap_or_else(|e| panic!("{tests}: {e}"));
    let subject = Subject {
        machine: &machine,
        program: &program,
        path: Path::new(flow),
        inputs,
        stated,
    };
    c.bench_function(name, |b| {
        b.iter(|| {
            let found = explore(black_box(&subject), Bounds::default(), &[])
                .unwrap_or_else(|e| panic!("{}", e.message));
            black_box(found.outcomes.len())
        })
    });
}

/// 100 Tasks of five answers each (success, A and B caught, the unnamed error, the timeout).
/// `keep`: each answer is kept in the state (ResultPath), so no two sequences meet and the
/// search stops at its budget; without, the next Task's output replaces it, and dedupe
/// explores the machine to the end.
fn wide(c: &mut Criterion, keep: bool) {
    let mut states = Vec::new();
    for i in 0..100 {
        let next = if i == 99 {
            "Done".to_string()
        } else {
            format!("T{}", i + 1)
        };
        let kept = if keep {
            format!(r#""ResultPath": "$.r{i}","#)
        } else {
            String::new()
        };
        states.push(format!(
            r#""T{i}": {{"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "TimeoutSeconds": 5, {kept}
                "Catch": [{{"ErrorEquals": ["A", "B"], {kept} "Next": "{next}"}}], "Next": "{next}"}}"#
        ));
    }
    let text = format!(
        r#"{{"StartAt": "T0", "States": {{{}, "Done": {{"Type": "Succeed"}}}}}}"#,
        states.join(",")
    );
    let machine = match flowc_asl::load(&text, "wide.asl.json") {
        Ok(loaded) => loaded.machine,
        Err(e) => panic!("{e:?}"),
    };
    let program = Program::from_machine(&machine).unwrap_or_else(|e| panic!("{e}"));
    let subject = Subject {
        machine: &machine,
        program: &program,
        path: Path::new("wide.asl.json"),
        inputs: vec![serde_json::json!({})],
        stated: Default::default(),
    };
    let mut group = c.benchmark_group("explore");
    group.sample_size(10);
    let name = if keep {
        "100 tasks x 5 answers kept, default budget"
    } else {
        "100 tasks x 5 answers forgotten, to the end"
    };
    group.bench_function(name, |b| {
        b.iter(|| {
            let found = explore(black_box(&subject), Bounds::default(), &[])
                .unwrap_or_else(|e| panic!("{}", e.message));
            assert_eq!(found.stopped.is_some(), keep);
            black_box(found.runs)
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    tenant(
        c,
        "explore tenant (JSONPath)",
        "workflows/tenant_provisioning.flow",
        "workflows/tests/tenant_provisioning.simtest.json",
    );
    tenant(
        c,
        "explore tenant (JSONata)",
        "workflows/tenant_provisioning_jsonata.flow",
        "workflows/tests/tenant_provisioning_jsonata.simtest.json",
    );
    wide(c, true);
    wide(c, false);
}

criterion_group! {
    name = explore_benches;
    config = Criterion::default().sample_size(10);
    targets = benches
}
criterion_main!(explore_benches);
