//! Distributed Map: items from the ItemReader (through the caller's [`ObjectStore`]) or
//! ItemsPath, shaped by ItemSelector, grouped by ItemBatcher, and each item or batch run as a
//! child execution of its own: a separate simulation of the processor with its own history, as
//! AWS runs a child workflow execution. The parent's history gets what AWS writes there:
//! `MapStateEntered`, `MapRunStarted`, `MapRunSucceeded` or `MapRunFailed`, then
//! `MapStateExited` or `MapStateFailed`.
//!
//! Children start at the parent's instant, at most MaxConcurrency at once (AWS's 10,000 when
//! it is 0 or absent); a child waiting for a free slot starts when the earliest running one
//! ends, and the parent's clock moves to the instant the last one ends. Children are separate
//! executions, so their events never interleave with the parent's: only their durations
//! matter to it. Failures are tolerated up to ToleratedFailureCount / Percentage, counted in
//! items (a failed batch counts all its items); past them the run fails with
//! `States.ExceedToleratedFailureThreshold`. With a ResultWriter the results go to the store
//! as AWS lays them out and the state's result is `{"MapRunArn", "ResultWriterDetails"}`;
//! without one it is the children's outputs in item order (a failed child's error output in
//! its place, as an inline Map with tolerated failures gives).

use rand::Rng;
use serde_json::Value;

use crate::distributed::{self, ChildExecution, ObjectStore};
use crate::doc::Doc;
use crate::error::Failure;
use crate::history::{ErrorCause, EventKind, MapRunStarted};
use crate::mocks::{TaskCall, TaskReply, TaskSource, Unmocked};
use crate::program::{DistributedDef, MapDef, State};
use crate::query::{EvalError, Scope};
use crate::retry::RetryState;
use crate::run::{AttemptEnd, Cx, Engine, Entry, Stop, eval_err};
use crate::sched::SleepUntil;
use crate::simulation::{ExecutionContext, Simulation, Status};

use super::map::MapSetup;

/// AWS: a Distributed Map runs up to 10,000 child executions at once.
pub(crate) const DISTRIBUTED_MAP_MAX_CONCURRENCY: usize = 10_000;

/// One Map Run as the caller sees it after the execution: its ARN and its children.
#[derive(Debug, Clone, PartialEq)]
pub struct MapRun {
    /// The Distributed Map state's name.
    pub state: String,
    /// The run's ARN, as MapRunStarted records it.
    pub map_run_arn: String,
    /// The child executions, in item order.
    pub children: Vec<ChildExecution>,
}

/// The parent's task source lent to a child execution.
struct Lent<'b>(&'b mut dyn TaskSource);

impl TaskSource for Lent<'_> {
    fn call(&mut self, call: &TaskCall) -> Result<TaskReply, Unmocked> {
        self.0.call(call)
    }

    fn wants_input(&self) -> bool {
        self.0.wants_input()
    }
}

pub(crate) async fn run_distributed<'a>(
    cx: &Cx<'a>,
    state: &'a State,
    def: &'a MapDef,
    dist: &'a DistributedDef,
    raw: &Doc,
    entry: &Entry,
) -> Result<(Doc, crate::vars::Assigned), Stop> {
    let mut retry = RetryState::default();
    loop {
        let (result, failure, end_ms) = cx.borrow_mut().map_run(state, def, dist, raw, entry)?;
        // The run ends when its last child does; its closing event is written then.
        SleepUntil::new(cx, end_ms).await;
        let failure = {
            let mut engine = cx.borrow_mut();
            match failure {
                Some(failure) => {
                    engine.emit(EventKind::MapRunFailed(ErrorCause {
                        error: Some(failure.error.clone()),
                        cause: failure.cause.clone(),
                    }))?;
                    Some(Stop::Error(failure))
                }
                None => {
                    engine.emit(EventKind::MapRunSucceeded)?;
                    None
                }
            }
        };
        let end = cx.borrow_mut().finish_attempt(
            state,
            failure,
            Doc::from(result),
            raw,
            &entry.ctx,
            entry.entered,
            &mut retry,
            (None, EventKind::MapStateFailed),
        )?;
        match end {
            AttemptEnd::Output(output, assigned) => return Ok((output, assigned)),
            AttemptEnd::RetryAt(at) => SleepUntil::new(cx, at).await,
        }
    }
}

impl Engine<'_> {
    /// One Map Run: the children run to their ends; returns the state's result (or the
    /// failure) and the instant the last child ended.
    fn map_run(
        &mut self,
        state: &State,
        def: &MapDef,
        dist: &DistributedDef,
        raw: &Doc,
        entry: &Entry,
    ) -> Result<(Value, Option<Failure>, i64), Stop> {
        let name = state.name.as_str();
        let runtime = |e: EvalError| eval_err(name, entry.entered, e);
        let mut setup = self.map_setup(state, def, raw, entry)?;
        if let Some((resource, config, parameters)) = &dist.reader {
            let parameters = self.evaluate_part(state, parameters.as_ref(), &setup, entry)?;
            let store = self.store_for(name)?;
            setup.items = distributed::read_items(store, resource, config.as_ref(), &parameters)
                .map_err(|cause| reader_failure(name, "States.ItemReaderFailed", cause))?
                .into_iter()
                .map(Doc::from)
                .collect();
        }
        let window = match &def.max_concurrency {
            Some(mc) => {
                let v = self
                    .number(mc, "MaxConcurrency", &setup.eff, &entry.ctx)
                    .map_err(runtime)?;
                if v >= 1.0 && v < DISTRIBUTED_MAP_MAX_CONCURRENCY as f64 {
                    v as usize
                } else {
                    DISTRIBUTED_MAP_MAX_CONCURRENCY
                }
            }
            None => DISTRIBUTED_MAP_MAX_CONCURRENCY,
        };
        // ItemSelector shapes each item, then ItemBatcher groups them.
        let mut inputs = Vec::with_capacity(setup.items.len());
        for index in 0..setup.items.len() {
            inputs.push(
                self.item_input(state, def, &mut setup, index, entry)?
                    .into_value(),
            );
        }
        // How many items each child carries (a failed batch fails all of them).
        let mut per_input = vec![1; inputs.len()];
        if let Some(batcher) = &dist.batcher {
            let per_batch = match &batcher.max_items {
                Some(n) => (self
                    .number(n, "MaxItemsPerBatch", &setup.eff, &entry.ctx)
                    .map_err(runtime)? as usize)
                    .max(1),
                None => usize::MAX,
            };
            let max_bytes = match &batcher.max_bytes {
                Some(n) => {
                    let bytes = self
                        .number(n, "MaxInputBytesPerBatch", &setup.eff, &entry.ctx)
                        .map_err(runtime)?;
                    if !(1.0..=distributed::MAX_INPUT_BYTES_PER_BATCH as f64).contains(&bytes)
                        || bytes.fract() != 0.0
                    {
                        return Err(reader_failure(
                            name,
                            "States.Runtime",
                            format!(
                                "MaxInputBytesPerBatch must be a whole number of bytes from 1 to {}, found {bytes}",
                                distributed::MAX_INPUT_BYTES_PER_BATCH
                            ),
                        ));
                    }
                    Some(bytes as u64)
                }
                None => None,
            };
            let batched =
                distributed::batches(inputs, per_batch, max_bytes, batcher.batch_input.as_ref());
            per_input = batched.iter().map(|(_, count)| *count).collect();
            inputs = batched.into_iter().map(|(batch, _)| batch).collect();
        }
        let run_id = uuid::Builder::from_random_bytes(self.rng.random()).into_uuid();
        let parent = self.info.context.clone();
        let label = dist.label.clone().unwrap_or_else(|| name.to_string());
        let map_run_arn = format!(
            "arn:aws:states:{}:123456789012:mapRun:{}/{label}:{run_id}",
            parent.region, parent.state_machine_name
        );
        self.emit(EventKind::MapRunStarted(MapRunStarted {
            map_run_arn: map_run_arn.clone(),
        }))?;
        let start_ms = self.sched.now_ms();
        let mut slots: Vec<i64> = Vec::new();
        let mut children = Vec::with_capacity(inputs.len());
        let mut outputs = Vec::with_capacity(inputs.len());
        let mut failed_items = 0usize;
        for (index, input) in inputs.into_iter().enumerate() {
            // The child starts when a slot is free: at once while fewer than `window` run,
            // else when the earliest running one ends.
            let at_ms = if slots.len() < window {
                start_ms
            } else {
                let (earliest, _) = slots
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, end)| **end)
                    .map_or((0, start_ms), |(i, end)| (i, *end));
                slots.swap_remove(earliest)
            };
            let mut context = ExecutionContext::named(
                &format!("{}/{label}", parent.state_machine_name),
                &format!("{run_id}:{index}"),
            );
            context.region = parent.region.clone();
            context.express = dist.express;
            let start = self.clock.start() + chrono::Duration::milliseconds(at_ms);
            let seed = self.rng.random::<u64>();
            let mut child = Simulation::new(&def.processor)
                .input(input.clone())
                .seed(seed)
                .start_time(start)
                .context(context.clone())
                .source(Lent(&mut *self.tasks));
            if let Some(observer) = self.observer.as_deref_mut() {
                child = child.observer(observer);
            }
            let mut outcome = child.run().map_err(|e| match e {
                crate::error::SimError::Unmocked { state, detail } => {
                    Stop::Halt(crate::run::Halt::Unmocked(Unmocked { state, detail }))
                }
                other => reader_failure(name, "States.Runtime", other.to_string()),
            })?;
            let end_ms = at_ms + (outcome.duration_seconds * 1000.0).round() as i64;
            // The child's own history, kept for the caller (the output is taken below).
            let history = std::mem::take(&mut outcome.history);
            slots.push(end_ms);
            let result = match outcome.status {
                Status::Succeeded => Ok(outcome.into_output().unwrap_or_default()),
                _ => Err((
                    outcome.error.unwrap_or_default(),
                    outcome.cause.unwrap_or_default(),
                )),
            };
            match &result {
                Ok(output) => outputs.push(output.clone()),
                Err((error, cause)) => {
                    failed_items += per_input.get(index).copied().unwrap_or(1);
                    outputs.push(Failure::new(error.clone(), cause.clone()).to_catch_output());
                }
            }
            let at = |ms: i64| {
                (self.clock.start() + chrono::Duration::milliseconds(ms))
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            };
            children.push(ChildExecution {
                name: context.execution_name.clone(),
                execution_arn: context.execution_arn.clone(),
                state_machine_arn: context.state_machine_arn.clone(),
                input,
                result,
                start: at(at_ms),
                stop: at(end_ms),
                history,
            });
        }
        let end_ms = slots.iter().copied().max().unwrap_or(start_ms);
        let over = failed_items > 0 && (!setup.tolerant() || setup.over(failed_items));
        let failure = over.then(|| {
            Failure::new(
                "States.ExceedToleratedFailureThreshold",
                "The specified tolerated failure threshold was exceeded",
            )
        });
        let written = match (&dist.writer, &failure) {
            (Some(writer), None) => {
                let parameters = self.evaluate_part(state, Some(writer), &setup, entry)?;
                let run_id = run_id.to_string();
                let store = self.store_for(name)?;
                Some(
                    distributed::write_results(
                        store,
                        &parameters,
                        &map_run_arn,
                        &run_id,
                        &children,
                    )
                    .map_err(|cause| reader_failure(name, "States.ResultWriterFailed", cause))?,
                )
            }
            _ => None,
        };
        self.map_runs.push(MapRun {
            state: name.to_string(),
            map_run_arn,
            children,
        });
        let result = written.unwrap_or(Value::Array(outputs));
        Ok((result, failure, end_ms))
    }

    /// The reader's or writer's Parameters evaluated against the state's effective input.
    fn evaluate_part(
        &mut self,
        state: &State,
        template: Option<&crate::template::Template>,
        setup: &MapSetup,
        entry: &Entry,
    ) -> Result<Value, Stop> {
        let Some(template) = template else {
            return Ok(Value::Object(Default::default()));
        };
        let c = self.context(
            state.uses_context,
            &state.name,
            &entry.entered_at,
            Some(0),
            None,
            None,
        );
        template
            .evaluate_doc(&mut Scope {
                input: &setup.eff,
                roots: &crate::query::Roots::new(c, entry.ctx.vars.clone()),
                rng: &mut self.rng,
            })
            .map(Doc::into_value)
            .map_err(|e| eval_err(&state.name, entry.entered, e))
    }

    fn store_for(&mut self, state: &str) -> Result<&mut dyn ObjectStore, Stop> {
        match self.store.as_deref_mut() {
            Some(store) => Ok(store),
            None => Err(reader_failure(
                state,
                "States.Runtime",
                "the Distributed Map reads or writes S3 objects and the simulation was given no \
                 object store (flowc simulate --objects DIR, or Simulation::object_store)"
                    .to_string(),
            )),
        }
    }
}

fn reader_failure(state: &str, error: &str, cause: String) -> Stop {
    Stop::Error(Failure::new(
        error,
        format!("An error occurred in state '{state}': {cause}"),
    ))
}
