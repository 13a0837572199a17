//! flowc-sim: a deterministic Amazon States Language interpreter (JSONPath mode) on a virtual
//! clock, with AWS-format execution history and mocked or in-process Task results.
//!
//! ```text
//! definition JSON --Program::load--> Program --Simulation::run(input, mocks, seed)--> Outcome
//! ```

mod case;
mod choice;
mod clock;
mod error;
mod history;
mod jsonpath;
mod mockconfig;
mod mocks;
mod program;
mod query;
mod retry;
mod run;
mod simulation;
mod states;
mod template;

pub use case::{Case, RecordedMocks, RecordedResult, contract_json};
pub use clock::{VirtualClock, default_start};
pub use error::{Failure, SimError};
pub use history::{EventKind, History, HistoryEvent, MAX_HISTORY_EVENTS};
pub use mockconfig::{MockConfig, MockedCase};
pub use mocks::{TaskCall, TaskFailure, TaskHandler, TaskResult, TaskSource, Unmocked};
pub use program::Program;
pub use run::MAX_PAYLOAD_BYTES;
pub use simulation::{ExecutionContext, Outcome, Simulation, Status};
