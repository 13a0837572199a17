//! Parallel: every branch gets the same input; the output is the array of branch outputs.
//! Branches run one after another in definition order, so histories are deterministic; the
//! first failing branch fails the state (AWS stops the others).

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
        raw: &Value,
        ctx: &Value,
        entered: u64,
        prev: &mut u64,
    ) -> Result<Value, Stop> {
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
                    Ok(v) => outputs.push(v),
                    Err(stop) => {
                        *prev = branch_prev;
                        failed = Some(stop);
                        break;
                    }
                }
                *prev = branch_prev;
            }
            self.concurrency_depth -= 1;
            match failed {
                None => {
                    self.emit(prev, EventKind::ParallelStateSucceeded)?;
                    let sel = self
                        .result_selector(state, Value::Array(outputs), ctx)
                        .map_err(runtime)?;
                    let out = self
                        .apply_result_path(&state.result_path, raw, sel)
                        .map_err(runtime)?;
                    return self.output_path(state, out, ctx).map_err(runtime);
                }
                Some(Stop::Error(f)) => {
                    self.emit(prev, EventKind::ParallelStateFailed)?;
                    if self.should_retry(state, &mut retry, &f)? {
                        continue;
                    }
                    return Err(Stop::Error(f));
                }
                Some(halt) => return Err(halt),
            }
        }
    }
}
