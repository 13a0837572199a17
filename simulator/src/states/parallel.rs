//! Parallel: every branch gets the same input; the output is the array of branch outputs.
//! Branches run one after another in definition order, so histories are deterministic; the
//! first failing branch fails the state (AWS stops the others).

use crate::doc::Doc;
use crate::history::EventKind;
use crate::program::{Program, State};
use crate::query::EvalError;
use crate::retry::RetryState;
use crate::run::{Engine, Stop, eval_err};
use serde_json::Value;

impl Engine<'_> {
    pub(crate) fn run_parallel(
        &mut self,
        state: &State,
        branches: &[Program],
        raw: &Doc,
        ctx: &Value,
        entered: u64,
        prev: &mut u64,
    ) -> Result<Doc, Stop> {
        let name = state.name.as_str();
        let runtime = |e: EvalError| eval_err(name, entered, e);
        let eff = self.input_path(state, raw, ctx).map_err(runtime)?;
        let eff = self.parameters(state, eff, ctx).map_err(runtime)?;
        let mut retry = RetryState::default();
        loop {
            self.emit(prev, EventKind::ParallelStateStarted)?;
            let started = *prev;
            let mut outputs = Vec::with_capacity(branches.len());
            let mut failed = None;
            self.concurrency_depth += 1;
            for branch in branches {
                // Each branch's first event follows ParallelStateStarted, as on AWS.
                let mut branch_prev = started;
                match self.run_program(branch, eff.as_ref().clone(), &mut branch_prev) {
                    Ok(v) => outputs.push(v.into_value()),
                    Err(stop) => {
                        *prev = branch_prev;
                        failed = Some(stop);
                        break;
                    }
                }
                *prev = branch_prev;
            }
            self.concurrency_depth -= 1;
            let events = (
                EventKind::ParallelStateSucceeded,
                EventKind::ParallelStateFailed,
            );
            if let Some(output) = self.finish_attempt(
                state, failed, outputs, raw, ctx, entered, prev, &mut retry, events,
            )? {
                return Ok(output);
            }
        }
    }
}
