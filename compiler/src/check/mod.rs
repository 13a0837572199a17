//! Graph checks over an ASL state machine (petgraph): unknown targets, unreachable states, dead
//! ends, Choice without Default, States.ALL placement, unbounded polling loops, negative or
//! non-integer waits and timeouts, transitions escaping a Parallel or Map branch.
//!
//! Codes `flowc::check::*`. Being built; see the module's history.
