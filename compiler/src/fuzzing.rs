//! The bodies of the fuzz targets in `fuzz/` (issue 18), here so that the inputs a fuzzer
//! found can be replayed by the normal test suite (`tests/fuzz_regressions.rs`) through exactly
//! the code the fuzzer ran. Each function takes arbitrary bytes, drives one pipeline the way
//! the CLI does, and panics only when flowc itself is wrong: a panic inside flowc, or a broken
//! invariant (emitted ASL that does not load back, a decompiled flow that does not compile).
//! Errors in the input are the expected outcome for almost every input and are rendered, as
//! the CLI would, so the renderer is fuzzed too.

use flowc_asl::StateMachine;
use miette::Diagnostic as _;
use serde_json::Value;

use crate::diagnostics::{Emitter, Format, SourceText};
use crate::lower::{Bindings, CompileError};

/// `.flow` text: parse, resolve, lower, check, emit, format, and render every diagnostic.
pub fn flow_compile(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = SourceText::new("fuzz.flow", text);
    let mut emitter = Emitter::new(Format::Human { color: false });
    match crate::lower::compile_for_checks(text, &Bindings::new()) {
        Ok(lowered) => {
            for finding in crate::check::check(&lowered.machine, &lowered.spans) {
                emitter.render(&finding, Some(&source));
            }
            emitted_asl_loads_back(&lowered.machine);
        }
        Err((CompileError::Parse(error), _)) => {
            emitter.render(&error, Some(&source));
        }
        Err((CompileError::Resolve(errors), partial)) => {
            for error in &errors {
                emitter.render(error, Some(&source));
            }
            if let Some(lowered) = partial {
                crate::check::check(&lowered.machine, &lowered.spans);
            }
        }
    }
    if let Ok(formatted) = crate::fmt::format_source(text) {
        // Formatting is idempotent and keeps a file parseable.
        let again = crate::fmt::format_source(&formatted);
        assert_eq!(
            again.as_deref().ok(),
            Some(formatted.as_str()),
            "fmt is not idempotent"
        );
    }
}

/// ASL JSON text: load, check, emit, and render every diagnostic.
pub fn asl_check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut emitter = Emitter::new(Format::Human { color: false });
    match flowc_asl::load(text, "fuzz.asl.json") {
        Ok(loaded) => {
            let source = SourceText::new("fuzz.asl.json", text);
            for finding in crate::check::check(&loaded.machine, &loaded.spans) {
                emitter.render(&finding, Some(&source));
            }
            emitted_asl_loads_back(&loaded.machine);
        }
        Err(errors) => {
            // As the CLI renders them (`cli::pipeline`): with the file's own text.
            let source = SourceText::new("fuzz.asl.json", text);
            for error in errors.errors() {
                emitter.render(error, Some(&source));
            }
        }
    }
}

/// ASL JSON text: load, decompile to `.flow`, and compile that back. What decompiles must
/// compile.
pub fn decompile_compile(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(loaded) = flowc_asl::load(text, "fuzz.asl.json") else {
        return;
    };
    let Ok(decompiled) = crate::decompile::decompile(&loaded.machine) else {
        return;
    };
    if let Err(error) = crate::lower::compile(&decompiled.text, &crate::lower::Bindings::new()) {
        // Only machines that check clean are promised to come back: a machine with errors
        // (an unreachable state, a bad path) may be refused by the compiler's own checks.
        let clean = crate::check::check(&loaded.machine, &loaded.spans)
            .iter()
            .all(|finding| finding.severity() == Some(miette::Severity::Warning));
        assert!(
            !clean,
            "decompiled flow does not compile: {error:?}\n{}",
            decompiled.text
        );
    }
}

/// Steps and memory the simulate target allows itself; the simulator's own limits (25,000
/// history events, the execution timeout) end most runs first. A run that needs more is a
/// finding: every input of this size must finish within these.
pub const SIMULATE_INPUT_LIMIT: usize = 64 * 1024;

/// `DEFINITION [0xFF INPUT]`: load the definition (ASL JSON), run it on the input (`{}` when
/// absent) with every Task answering its own input, on the virtual clock.
pub fn simulate(data: &[u8]) {
    if data.len() > SIMULATE_INPUT_LIMIT {
        return;
    }
    let (definition, input) = match data.iter().position(|&b| b == 0xFF) {
        Some(at) => (&data[..at], data.get(at + 1..).unwrap_or_default()),
        None => (data, &b"{}"[..]),
    };
    let (Ok(definition), Ok(input)) = (std::str::from_utf8(definition), std::str::from_utf8(input))
    else {
        return;
    };
    let Ok(input) = serde_json::from_str::<Value>(input) else {
        return;
    };
    let Ok(loaded) = flowc_asl::load(definition, "fuzz.asl.json") else {
        return;
    };
    let Ok(program) = flowc_sim::Program::from_machine(&loaded.machine) else {
        return;
    };
    let echo = |call: &flowc_sim::TaskCall| -> Result<Value, flowc_sim::TaskFailure> {
        Ok(call.input.clone())
    };
    let _ = flowc_sim::Simulation::new(&program)
        .input(input)
        .handler(echo)
        .run();
}

fn emitted_asl_loads_back(machine: &StateMachine) {
    let json = flowc_asl::emit(machine);
    if let Err(errors) = flowc_asl::load(&json, "emitted.asl.json") {
        panic!("emitted ASL does not load back: {errors:?}\n{json}");
    }
}
