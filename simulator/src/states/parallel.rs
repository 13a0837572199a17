//! Parallel: every branch gets the same input and runs as a strand of its own, side by side
//! on the virtual clock; the output is the array of branch outputs, in branch order. The first
//! branch to fail fails the state at that instant: the branches still running are aborted
//! (with AWS's aborted events), then Retry and Catch of the Parallel apply.
//!
//! AWS writes no `ParallelStateSucceeded` when every branch succeeded (the recorded histories
//! of the conformance corpus go from the last branch event to `ParallelStateExited`), but
//! writes `ParallelStateFailed` when one failed.

use crate::doc::Doc;
use crate::history::DocText;
use crate::history::{EventKind, Text};
use crate::program::{Program, State};
use crate::query::EvalError;
use crate::retry::RetryState;
use crate::run::{AttemptEnd, Cx, Entry, Stop, eval_err, results_array};
use crate::sched::{Join, Role, SleepUntil};
use crate::vars::Assigned;

pub(crate) async fn run_parallel<'a>(
    cx: &Cx<'a>,
    state: &'a State,
    branches: &'a [Program],
    raw: &Doc,
    entry: &Entry,
) -> Result<(Doc, Assigned), Stop> {
    let name = state.name.as_str();
    let runtime = |e: EvalError| eval_err(name, entry.entered, e);
    let eff = {
        let mut engine = cx.borrow_mut();
        match &state.jsonata {
            // JSONata: every branch gets the Arguments, or the state's input without them.
            Some(def) => match &def.arguments {
                Some(arguments) => engine
                    .bindings(raw, &entry.ctx)
                    .value(arguments, "Arguments")
                    .map(Doc::from)
                    .map_err(|e| runtime(EvalError::Query(e)))?,
                None => raw.clone(),
            },
            None => {
                let eff = engine.input_path(state, raw, &entry.ctx).map_err(runtime)?;
                engine
                    .parameters(state, eff, &entry.ctx)
                    .map_err(runtime)?
                    .into_owned()
            }
        }
    };
    // Each branch reads the variables as they were when the Parallel was entered; what it
    // assigns stays in its own scope.
    let branch_vars = entry.ctx.vars.child();
    // Every branch enters with the same input: its text is made once and shared, so a wide
    // Parallel of a large input keeps one copy.
    let eff_text = {
        let mut engine = cx.borrow_mut();
        DocText::of_doc(&eff, 256, &mut engine.history.texts)
    };
    let mut retry = RetryState::default();
    loop {
        let group = {
            let mut engine = cx.borrow_mut();
            let started = engine.emit(EventKind::ParallelStateStarted)?;
            let group = engine.sched.new_group();
            for (index, branch) in branches.iter().enumerate() {
                // Each branch's first event follows ParallelStateStarted, as on AWS.
                engine.sched.spawn(
                    group,
                    Role::Branch { index },
                    started,
                    branch,
                    eff.clone(),
                    Some(eff_text.clone()),
                    branch_vars.clone(),
                );
            }
            if let Some(s) = engine.sched.here() {
                s.waits_on = Some(group);
            }
            group
        };
        let mut outputs: Vec<(Option<Doc>, Option<Text>)> = vec![(None, None); branches.len()];
        let mut failure = None;
        let mut remaining = branches.len();
        while remaining > 0 && failure.is_none() {
            let finished = Join::new(cx, group, Vec::new()).await;
            if finished.is_empty() {
                break;
            }
            let mut engine = cx.borrow_mut();
            for f in finished {
                remaining -= 1;
                if let Some(s) = engine.sched.here() {
                    s.prev = s.prev.max(f.last_event);
                }
                match f.result {
                    Ok(doc) => {
                        if let Some(slot) = outputs.get_mut(f.index) {
                            *slot = (Some(doc), f.text);
                        }
                    }
                    Err(stop) => {
                        failure.get_or_insert(stop);
                    }
                }
            }
        }
        let end = {
            let mut engine = cx.borrow_mut();
            // The siblings of a failed branch stop now.
            engine.abort_group(group)?;
            if let Some(s) = engine.sched.here() {
                s.waits_on = None;
            }
            let (outputs, failure) = match failure {
                Some(stop) => (Doc::from(serde_json::Value::Null), Some(stop)),
                None => match results_array(&mut engine, state, outputs) {
                    Ok(outputs) => (outputs, None),
                    Err(stop) => (Doc::from(serde_json::Value::Null), Some(stop)),
                },
            };
            engine.finish_attempt(
                state,
                failure,
                outputs,
                raw,
                &entry.ctx,
                entry.entered,
                &mut retry,
                (None, EventKind::ParallelStateFailed),
            )?
        };
        match end {
            AttemptEnd::Output(output, assigned) => return Ok((output, assigned)),
            AttemptEnd::RetryAt(at) => SleepUntil::new(cx, at).await,
        }
    }
}
