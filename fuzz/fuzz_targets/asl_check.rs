//! ASL JSON: load, check, emit (which must load back), diagnostics rendered.
//! The body is `flowc::fuzzing::asl_check`, which the normal test suite replays on every minimised
//! finding (`compiler/tests/fuzz_regressions.rs`).

fn main() {
    afl::fuzz!(|data: &[u8]| flowc::fuzzing::asl_check(data));
}
