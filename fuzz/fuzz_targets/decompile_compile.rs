//! ASL JSON: load, decompile to `.flow`, compile back (a machine that checks clean must).
//! The body is `flowc::fuzzing::decompile_compile`, which the normal test suite replays on every minimised
//! finding (`compiler/tests/fuzz_regressions.rs`).

fn main() {
    afl::fuzz!(|data: &[u8]| flowc::fuzzing::decompile_compile(data));
}
