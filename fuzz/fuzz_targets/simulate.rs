//! `DEFINITION [0xFF INPUT]`: run in the simulator, every Task answering its input; afl's `-t` and `-m` are the time and memory budget.
//! The body is `flowc::fuzzing::simulate`, which the normal test suite replays on every minimised
//! finding (`compiler/tests/fuzz_regressions.rs`).

fn main() {
    afl::fuzz!(|data: &[u8]| flowc::fuzzing::simulate(data));
}
