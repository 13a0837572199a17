//! flowc: the `.flow` language compiled to Amazon States Language, checked, rendered and run.
//!
//! Stages, one module and one error enum each: `lower` (resolve names and lower the `.flow`
//! AST to an `asl::StateMachine`, `flowc::resolve::*`), `check` (graph checks over any
//! `asl::StateMachine`, `flowc::check::*`), `decompile` (ASL back to `.flow`), `fmt` (canonical
//! `.flow` text), `diagnostics` (rendering for humans and machines), `testing` (simulation
//! tests), `cli` (the `flowc` subcommands; `main.rs` only parses arguments and dispatches).

// Compiled into build.rs; here only for its tests.
/// AWS Step Functions through aws-sdk-sfn (feature `aws`, on by default).
#[cfg(feature = "aws")]
pub mod aws;
#[cfg(test)]
mod build_info;
pub mod check;
pub mod cli;
pub mod coverage;
pub mod decompile;
pub mod diagnostics;
pub mod explore;
pub mod fmt;
#[doc(hidden)]
pub mod fuzzing;
pub mod lower;
#[doc(hidden)]
pub mod lsp;
pub mod picture;
pub mod testing;

pub use check::{CheckError, SpanSource, check};
pub use lower::{Bindings, CompileError, Lowered, compile};
