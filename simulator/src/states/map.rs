//! Map (inline): ItemsPath selects the items, ItemSelector shapes each one (with
//! `$$.Map.Item.Index` / `Value`), and every item runs the processor as a strand of its own.
//! At most MaxConcurrency iterations run at once (0: no limit of the definition's), and never
//! more than [`INLINE_MAP_MAX_CONCURRENCY`], AWS's limit for inline Map; the next item starts
//! at the instant a running iteration ends. The output keeps item order. Failures are tolerated
//! up to ToleratedFailureCount / ToleratedFailurePercentage; past them (or at the first
//! failure without them) the iterations still running are aborted at that instant.

use crate::doc::Doc;
use crate::error::Failure;
use crate::history::{EventKind, MapStarted, Text};
use crate::program::{MapDef, PathField, State};
use crate::query::{EvalError, Roots, Scope};
use crate::retry::RetryState;
use crate::run::{AttemptEnd, Cx, Engine, Entry, MapItem, Stop, eval_err, results_array};
use crate::sched::{Join, Role, SleepUntil};
use crate::vars::Assigned;
use serde_json::Value;

/// AWS: "In Inline mode, the Map state supports up to 40 concurrent iterations".
pub(crate) const INLINE_MAP_MAX_CONCURRENCY: usize = 40;

/// What every attempt of a Map state uses, resolved once.
pub(super) struct MapSetup {
    pub eff: Doc,
    /// The items as documents, made once per state entered: an iteration takes its item
    /// (shares it, when Retry may start another attempt) instead of deep-copying it (see
    /// [`Doc::members_of`]).
    pub items: Vec<Doc>,
    /// Iterations running at once, at most.
    window: usize,
    tolerated_count: Option<f64>,
    tolerated_pct: Option<f64>,
}

impl MapSetup {
    pub(super) fn tolerant(&self) -> bool {
        self.tolerated_count.is_some() || self.tolerated_pct.is_some()
    }

    /// Whether `failures` failed iterations are more than the state tolerates. Either
    /// threshold allows the failure when both are set.
    pub(super) fn over(&self, failures: usize) -> bool {
        let by_count = self.tolerated_count.is_none_or(|c| failures as f64 > c);
        let by_pct = self
            .tolerated_pct
            .is_none_or(|p| failures as f64 * 100.0 / self.items.len().max(1) as f64 > p);
        match (self.tolerated_count, self.tolerated_pct) {
            (Some(_), Some(_)) => by_count && by_pct,
            (Some(_), None) => by_count,
            (None, Some(_)) => by_pct,
            (None, None) => true,
        }
    }
}

pub(crate) async fn run_map<'a>(
    cx: &Cx<'a>,
    state: &'a State,
    def: &'a MapDef,
    raw: &Doc,
    entry: &Entry,
) -> Result<(Doc, Assigned), Stop> {
    if let Some(dist) = &def.distributed {
        return super::distributed_map::run_distributed(cx, state, def, dist, raw, entry).await;
    }
    let mut setup = cx.borrow_mut().map_setup(state, def, raw, entry)?;
    let mut retry = RetryState::default();
    loop {
        let (outputs, failure) = map_attempt(cx, state, def, &mut setup, entry).await?;
        let end = cx.borrow_mut().finish_attempt(
            state,
            failure,
            outputs,
            raw,
            &entry.ctx,
            entry.entered,
            &mut retry,
            (
                Some(EventKind::MapStateSucceeded),
                EventKind::MapStateFailed,
            ),
        )?;
        match end {
            AttemptEnd::Output(output, assigned) => return Ok((output, assigned)),
            AttemptEnd::RetryAt(at) => SleepUntil::new(cx, at).await,
        }
    }
}

/// One attempt: the iterations in a window of `setup.window`, item by item; their outputs in
/// item order, or the failure that ends the attempt.
async fn map_attempt<'a>(
    cx: &Cx<'a>,
    state: &'a State,
    def: &'a MapDef,
    setup: &mut MapSetup,
    entry: &Entry,
) -> Result<(Doc, Option<Stop>), Stop> {
    let count = setup.items.len();
    let (group, started) = {
        let mut engine = cx.borrow_mut();
        let started = engine.emit(EventKind::MapStateStarted(MapStarted { length: count }))?;
        // Room for the iterations' events at once (about two for the iteration and four a
        // state), rather than the event list doubling and copying itself as they come.
        let per_item = 2 + 4 * def.processor.states.len();
        engine
            .history
            .reserve_events(count.saturating_mul(per_item));
        (engine.sched.new_group(), started)
    };
    let mut outputs: Vec<(Option<Doc>, Option<Text>)> = vec![(None, None); count];
    let mut failures = 0usize;
    let mut failure: Option<Stop> = None;
    let mut next = 0usize;
    let mut running = 0usize;
    let mut spare = Vec::new();
    loop {
        {
            let mut engine = cx.borrow_mut();
            while failure.is_none() && next < count && running < setup.window {
                // Every iteration starts from MapStateStarted, as on AWS.
                match engine.item_input(state, def, setup, next, entry) {
                    Ok(input) => {
                        engine.sched.spawn(
                            group,
                            Role::Iteration {
                                map: state.sym,
                                index: next,
                            },
                            started,
                            &def.processor,
                            input,
                            None,
                            entry.ctx.vars.child(),
                        );
                        next += 1;
                        running += 1;
                    }
                    Err(stop) => failure = Some(stop),
                }
            }
            if failure.is_some() || running == 0 {
                engine.abort_group(group)?;
                if let Some(s) = engine.sched.here() {
                    s.waits_on = None;
                }
                break;
            }
            if let Some(s) = engine.sched.here() {
                s.waits_on = Some(group);
            }
        }
        let mut finished = Join::new(cx, group, std::mem::take(&mut spare)).await;
        let mut engine = cx.borrow_mut();
        for f in finished.drain(..) {
            running = running.saturating_sub(1);
            if let Some(s) = engine.sched.here() {
                s.prev = s.prev.max(f.last_event);
            }
            let out = match f.result {
                Ok(doc) => (doc, f.text),
                Err(Stop::Error(fail)) => {
                    failures += 1;
                    if setup.over(failures) {
                        failure.get_or_insert(Stop::Error(if setup.tolerant() {
                            Failure::new(
                                "States.ExceedToleratedFailureThreshold",
                                "The specified tolerated failure threshold was exceeded",
                            )
                        } else {
                            fail
                        }));
                        continue;
                    }
                    (Doc::from(fail.to_catch_output()), None)
                }
                Err(halt) => {
                    failure.get_or_insert(halt);
                    continue;
                }
            };
            if let Some(slot) = outputs.get_mut(f.index) {
                *slot = (Some(out.0), out.1);
            }
        }
        // Handed back to the next wait: the list of ended children is not allocated anew
        // each time an iteration ends.
        spare = finished;
    }
    if failure.is_some() {
        return Ok((Doc::from(Value::Null), failure));
    }
    match results_array(&mut cx.borrow_mut(), state, outputs) {
        Ok(outputs) => Ok((outputs, None)),
        Err(stop) => Ok((Doc::from(Value::Null), Some(stop))),
    }
}

impl Engine<'_> {
    /// The effective input, the items, the concurrency window and the tolerated failures.
    pub(super) fn map_setup(
        &mut self,
        state: &State,
        def: &MapDef,
        raw: &Doc,
        entry: &Entry,
    ) -> Result<MapSetup, Stop> {
        let name = state.name.as_str();
        let ctx = &entry.ctx;
        let runtime = |e: EvalError| eval_err(name, entry.entered, e);
        let eff = self
            .input_path(state, raw, ctx)
            .map_err(runtime)?
            .into_owned();
        // A Distributed Map with an ItemReader reads its items from the store instead.
        let reads = def.distributed.as_ref().is_some_and(|d| d.reader.is_some());
        // The items read where they are (borrowed from the input when a path selects them),
        // each made a document once.
        let items: std::borrow::Cow<'_, Value> = match (&def.items_path, &def.items) {
            _ if reads => std::borrow::Cow::Owned(Value::Array(Vec::new())),
            // JSONata: `Items`, evaluated with the state's bindings; it must give an array.
            (_, Some(items)) => {
                let value = self
                    .bindings(&eff, ctx)
                    .value(items, "Items")
                    .map_err(|e| runtime(EvalError::Query(e)))?;
                match (&value, items) {
                    (Value::Array(_), _) => std::borrow::Cow::Owned(value),
                    (_, flowc_asl::JsonataValue::Expression(expression)) => {
                        return Err(runtime(EvalError::Query(crate::jsonata::type_error(
                            expression, "Items", "an array", value,
                        ))));
                    }
                    _ => std::borrow::Cow::Owned(value),
                }
            }
            (PathField::Path(p), None) => {
                crate::query::select_value(p, &eff, ctx).map_err(runtime)?
            }
            (PathField::Default | PathField::Null, None) => eff.as_value(),
        };
        let items = match &*items {
            Value::Array(items) => {
                let mut made: Vec<Doc> = Vec::with_capacity(items.len());
                for item in items {
                    let doc = Doc::members_like(item, made.last());
                    made.push(doc);
                }
                made
            }
            other => {
                return Err(Stop::Error(Failure::runtime(
                    name,
                    entry.entered,
                    format!(
                        "Map state input must be an array but was: {}",
                        crate::json::to_text(other)
                    ),
                )));
            }
        };
        let mut window = INLINE_MAP_MAX_CONCURRENCY;
        if let Some(mc) = &def.max_concurrency {
            let v = self
                .number(mc, "MaxConcurrency", &eff, ctx)
                .map_err(runtime)?;
            if v < 0.0 || v.fract() != 0.0 {
                return Err(runtime(EvalError::Runtime(format!(
                    "The MaxConcurrency value {v} is not a valid non-negative integer"
                ))));
            }
            // 0 sets no limit of the definition's own.
            if v >= 1.0 && v < INLINE_MAP_MAX_CONCURRENCY as f64 {
                window = v as usize;
            }
        }
        let tolerated_count = def
            .tolerated_count
            .as_ref()
            .map(|t| self.number(t, "ToleratedFailureCount", &eff, ctx))
            .transpose()
            .map_err(runtime)?;
        let tolerated_pct = def
            .tolerated_percentage
            .as_ref()
            .map(|t| self.number(t, "ToleratedFailurePercentage", &eff, ctx))
            .transpose()
            .map_err(runtime)?;
        Ok(MapSetup {
            eff,
            items,
            window,
            tolerated_count,
            tolerated_pct,
        })
    }

    /// An iteration's input: the item, or what ItemSelector makes of it.
    pub(super) fn item_input(
        &mut self,
        state: &State,
        def: &MapDef,
        setup: &mut MapSetup,
        index: usize,
        entry: &Entry,
    ) -> Result<Doc, Stop> {
        // A Map without Retry makes one attempt: its items are taken, not shared, so an
        // iteration's first write (ResultPath) changes its item in place instead of copying
        // its members. Another attempt would need them again.
        let item = match setup.items.get_mut(index) {
            Some(item) if state.retry.is_empty() => std::mem::take(item),
            Some(item) => item.clone(),
            None => Doc::default(),
        };
        let jsonata_selector = state
            .jsonata
            .as_ref()
            .and_then(|d| d.item_selector.as_ref());
        if def.item_selector.is_none() && jsonata_selector.is_none() {
            return Ok(item);
        }
        let item = MapItem {
            index,
            value: item.into_value(),
        };
        let c = self.context(
            state.uses_context,
            &state.name,
            &entry.entered_at,
            Some(0),
            Some(&item),
            None,
        );
        let roots = Roots::new(c, entry.ctx.vars.clone());
        let err = |e| eval_err(&state.name, entry.entered, e);
        if let Some(selector) = jsonata_selector {
            // `$states.context.Map.Item.Index` / `.Value` and `$states.input` (the state's).
            return self
                .bindings(&setup.eff, &roots)
                .value(selector, "ItemSelector")
                .map(Doc::from)
                .map_err(|e| err(EvalError::Query(e)));
        }
        let Some(selector) = &def.item_selector else {
            return Ok(Doc::from(item.value));
        };
        selector
            .evaluate_doc(&mut Scope {
                input: &setup.eff,
                roots: &roots,
                rng: &mut self.rng,
            })
            .map_err(err)
    }
}
