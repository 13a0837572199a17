//! Compile speed: the tenant workflow, and a generated 10,000-state workflow (target: parse,
//! check and emit in under 100 ms on one core). Each stage is also measured on its own so a
//! regression points at its stage.
//!
//!     cargo bench -p flowc --bench compile

use criterion::{Criterion, criterion_group, criterion_main};
use flowc::check::check;
use flowc::lower::{Bindings, compile};
use std::hint::black_box;

// The allocator the flowc binary uses (src/main.rs), so the figures are what `flowc compile` does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TENANT: &str = include_str!("../../workflows/tenant_provisioning.flow");

/// A `.flow` source with `states` states: tasks with retries and catches, passes with JSON,
/// and a Choice every tenth state, all in one chain ending in Succeed / Fail.
fn generated_flow(states: usize) -> String {
    let mut out = String::from(
        "# generated for the benchmark\nresource worker = lambda \"worker\"\n\
         retry policy transient on Lambda.ServiceException, Lambda.TooManyRequestsException every 2s attempts 3 backoff 2\n\n",
    );
    let body = states.saturating_sub(2);
    for i in 0..body {
        let next = if i + 1 == body {
            "Done".to_owned()
        } else {
            format!("S{}", i + 1)
        };
        match i % 10 {
            9 => out.push_str(&format!(
                "choice S{i} {{\n    when $.r{i}.ok == true -> {next}\n    when $.r{i}.count >= 3 -> Failed\n    otherwise -> {next}\n}}\n\n"
            )),
            n if n % 2 == 0 => out.push_str(&format!(
                "task S{i} = worker {{\n    parameters {{ \"step\": {i}, \"id.$\": \"$.tenant_id\" }}\n    result_path $.r{i}\n    retry transient\n    catch States.ALL into $.error -> Failed\n}}\n\n"
            )),
            _ => out.push_str(&format!(
                "pass S{i} {{ result {{ \"step\": {i}, \"ok\": true }} result_path $.r{i} }}\n\n"
            )),
        }
    }
    out.push_str("succeed Done\nfail Failed error \"Bench.Failed\" cause \"a step failed\"\n");
    out
}

fn full(source: &str) -> String {
    let lowered = match compile(source, &Bindings::new()) {
        Ok(lowered) => lowered,
        Err(err) => panic!("benchmark input does not compile: {err:?}"),
    };
    let findings = check(&lowered.machine, &lowered.spans);
    assert!(findings.is_empty(), "unexpected findings: {findings:?}");
    flowc_asl::emit(&lowered.machine)
}

fn benches(c: &mut Criterion) {
    let big = generated_flow(10_000);
    // Fail early (and loudly) if the generator and the language drift apart.
    let json = full(&big);
    assert!(json.contains("\"S9997\""));

    c.bench_function("tenant_provisioning: parse+check+emit", |b| {
        b.iter(|| full(black_box(TENANT)))
    });

    let mut group = c.benchmark_group("10k_states");
    group.sample_size(20);
    group.bench_function("parse+lower+check+emit", |b| {
        b.iter(|| full(black_box(&big)))
    });
    group.bench_function("parse", |b| b.iter(|| flowc_dsl::parse(black_box(&big))));
    let lowered = match compile(&big, &Bindings::new()) {
        Ok(lowered) => lowered,
        Err(err) => panic!("{err:?}"),
    };
    group.bench_function("check", |b| {
        b.iter(|| check(black_box(&lowered.machine), &lowered.spans))
    });
    group.bench_function("emit", |b| {
        b.iter(|| flowc_asl::emit(black_box(&lowered.machine)))
    });
    group.finish();
}

criterion_group!(compile_benches, benches);
criterion_main!(compile_benches);
