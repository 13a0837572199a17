//! flowc: the `.flow` language compiled to Amazon States Language, checked, rendered and run.
//!
//! Stages (one module and one error enum each): `check` (graph checks over an
//! `asl::StateMachine`), `diagnostics` (rendering for humans and machines), `cli` (the `flowc`
//! subcommands). Other stages are added by their owners with a single `pub mod` line.

pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod lower;
pub mod fmt;
pub mod testing;
pub mod decompile;
