//! flowc-sim: a deterministic Amazon States Language interpreter (JSONPath and JSONata states,
//! workflow variables) on a virtual clock, with AWS-format execution history and mocked or
//! in-process Task results.
//!
//! ```text
//! ASL JSON --asl::load--> asl::StateMachine --Program::from_machine--> Program
//!          --Simulation::run(input, mocks | handler, seed)--> Outcome { status, history, .. }
//! ```
//!
//! ```
//! use flowc_sim::{Program, Simulation, Status, TaskCall, TaskFailure};
//! use serde_json::{Value, json};
//!
//! let program = Program::from_json_text(r#"{
//!   "StartAt": "Wait",
//!   "States": {
//!     "Wait": {"Type": "Wait", "Seconds": 3600, "Next": "Charge"},
//!     "Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
//!                "ResultPath": "$.receipt", "End": true}
//!   }
//! }"#).expect("valid ASL");
//! let charge = |call: &TaskCall| -> Result<Value, TaskFailure> {
//!     Ok(json!({"paid": call.input["amount"]}))
//! };
//! let outcome = Simulation::new(&program)
//!     .input(json!({"amount": 5}))
//!     .handler(charge)
//!     .run()
//!     .expect("every Task has a handler");
//! assert_eq!(outcome.status, Status::Succeeded);
//! assert_eq!(outcome.output().cloned(), Some(json!({"amount": 5, "receipt": {"paid": 5}})));
//! assert_eq!(outcome.duration_seconds, 3600.0); // simulated, not slept
//! assert_eq!(outcome.path, ["Wait", "Charge"]);
//! ```
//!
//! A Distributed Map runs each item (or ItemBatcher batch) as a child execution with its own
//! history (`Outcome::map_runs`); its ItemReader and ResultWriter go through an
//! [`ObjectStore`] the caller binds with `Simulation::object_store`: [`LocalFiles`] (a folder),
//! [`MemoryStore`], or the caller's own S3 binding (the simulator has no network code; its
//! tests bind moto's S3 over plain HTTP).
//!
//! # Simulated time
//! Every Parallel branch and Map iteration is a strand of execution of its own; all strands
//! advance together on one virtual clock (a Parallel of a 60 s and a 100 s Wait takes 100 s,
//! a Map of 8 items of 60 s with MaxConcurrency 4 takes 120 s). Tasks take time when their
//! mocks say so ([`MockConfig`] lists the extensions: answers after N seconds, tasks that never
//! answer, heartbeats, callbacks answered at given times through the real task token) or when
//! a [`TaskHandler`] says so (`duration_seconds`, `heartbeats`). TimeoutSeconds,
//! HeartbeatSeconds and the execution's limits are measured on the same clock.
//!
//! Runs are deterministic, byte for byte, by this rule for events due at the same instant:
//! - the next instant is the earliest due timer; timers due at the same instant fire in the
//!   order they were set (each timer carries a sequence number);
//! - ready strands run first in, first out, each until it must wait for simulated time or for
//!   its children; work that takes no simulated time runs within that one turn;
//! - a Parallel's branches and a Map's iterations become ready in branch / item order;
//! - a parent waiting for its children is queued behind every strand already ready when one
//!   of them ends, so at the instant a branch fails its siblings first do what they can at
//!   that instant (enter their first states, call their mocks, as every AWS branch starts),
//!   then the parent aborts what still runs, at the same timestamp, with AWS's
//!   `*StateAborted` / `MapIterationAborted` / `ParallelStateAborted` events.
//!
//! # The public surface
//! What a caller needs to run executions and read their results, and no more: [`Program`]
//! (load), [`Simulation`] (configure and run), [`Outcome`] (status, output as a
//! `serde_json::Value`, error, simulated duration, [`History`] of [`HistoryEvent`]s, visited
//! states, [`MapRun`]s), an [`Observer`] of the run's decisions (for coverage), Task results from [`MockConfig`] / [`MockedCase`] (or [`MockResponse`]s picked call by call), a [`TaskHandler`],
//! Distributed Map storage through an [`ObjectStore`], [`SimError`] for a setup that cannot run, and [`conformance`] for the recorded-AWS corpus. The engine's own
//! types (the shared-subtree state document, its text splicer, the scheduler, event payloads
//! as the history stores them) are crate-private.

#![warn(missing_docs)]

mod clock;
pub mod conformance;
mod digest;
mod distributed;
mod doc;
mod error;
mod history;
mod json;
mod jsonata;
mod jsonpath;
mod mockconfig;
mod mocks;
mod observe;
mod program;
mod query;
pub mod replay;
mod retry;
mod run;
mod sched;
mod simulation;
mod states;
mod template;
mod text;
mod vars;

pub use digest::StateDigest;
pub use distributed::{
    ChildExecution, LocalFiles, MemoryStore, ObjectInfo, ObjectStore, StoreError,
};
pub use error::SimError;
pub use history::{History, HistoryEvent, Visited};
pub use mockconfig::{MockConfig, MockResponse, MockedCase};
pub use mocks::{TaskCall, TaskFailure, TaskHandler};
pub use observe::Observer;
pub use program::Program;
pub use simulation::{ExecutionContext, Outcome, Simulation, Status, check_input_size};
pub use states::distributed_map::MapRun;
