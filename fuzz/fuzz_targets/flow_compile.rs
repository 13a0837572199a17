//! `.flow` text: parse, resolve, lower, check, emit (which must load back), fmt (which must be idempotent), diagnostics rendered.
//! The body is `flowc::fuzzing::flow_compile`, which the normal test suite replays on every minimised
//! finding (`compiler/tests/fuzz_regressions.rs`).

fn main() {
    afl::fuzz!(|data: &[u8]| flowc::fuzzing::flow_compile(data));
}
