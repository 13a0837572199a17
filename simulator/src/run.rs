//! The run loop: walks a program state by state on the virtual clock, applying AWS's input and
//! output processing, Retry and Catch, and records every step as a history event.

use crate::choice::ChoiceError;
use crate::clock::VirtualClock;
use crate::doc::Doc;
use crate::error::Failure;
use crate::history::{
    self, EventKind, History, MAX_HISTORY_EVENTS, StateEntered, StateExited, Text,
};
use crate::mocks::{TaskSource, Unmocked};
use crate::program::{NextState, PathField, Program, State, StateKind, Transition};
use crate::query::{EvalError, Scope};
use crate::retry::{find_catcher, is_uncatchable};
use crate::simulation::ExecutionContext;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

/// AWS's payload limit: 256 KiB of UTF-8 JSON.
pub const MAX_PAYLOAD_BYTES: usize = 262_144;

/// Why a state (or a whole program) stopped early.
#[derive(Debug, Clone)]
pub enum Stop {
    /// An ASL error: Retry and Catch of enclosing states may handle it.
    Error(Failure),
    /// The execution ends now, whatever the definition says.
    Halt(Halt),
}

#[derive(Debug, Clone)]
pub enum Halt {
    TimedOut,
    /// Over the 25,000-event history limit.
    HistoryLimit,
    Unmocked(Unmocked),
}

/// Per-execution constants for the context object.
#[derive(Debug, Clone)]
pub struct ExecutionInfo<'a> {
    /// Names and ARNs (borrowed from the simulation).
    pub context: &'a ExecutionContext,
    /// The execution's input, for `$$.Execution.Input`; `null` when no state reads `$$`.
    pub input: Value,
}

/// Map iteration context (`$$.Map.Item`).
#[derive(Debug, Clone)]
pub struct MapItem {
    pub index: usize,
    pub value: Value,
}

pub struct Engine<'a> {
    pub clock: VirtualClock,
    pub history: History,
    pub tasks: &'a mut dyn TaskSource,
    pub rng: ChaCha8Rng,
    pub info: ExecutionInfo<'a>,
    pub deadline_ms: Option<i64>,
    pub transitions: u64,
    pub visited: crate::history::Visited,
    /// Invocations per Task state name (by [`crate::program::TaskDef::slot`]), for
    /// MockConfigFile's invocation keys.
    pub invocations: Vec<u32>,
    /// Depth of Map/Parallel nesting; > 0 means task results may arrive out of order.
    pub concurrency_depth: u32,
}

use crate::json::{DocText, to_text};

mod attempt;
mod context;
mod processing;

/// Turns an evaluation problem of a state into the ASL error AWS raises for it.
pub(crate) fn eval_err(state: &str, entered: u64, e: EvalError) -> Stop {
    match e {
        EvalError::Runtime(r) | EvalError::Intrinsic(r) => {
            Stop::Error(Failure::runtime(state, entered, r))
        }
        EvalError::ResultPath(cause) => {
            Stop::Error(Failure::new("States.ResultPathMatchFailure", cause))
        }
    }
}

/// How a Task that succeeded hands back its result.
pub(crate) enum TaskDone {
    /// The state's output, ready.
    Output(Doc),
    /// The (selected) result, for the caller to write at the state's ResultPath into the raw
    /// input it owns; only when that write cannot fail and OutputPath is absent.
    InPlace { result: Doc, text: Text },
    /// The result is the state's output as it is (ResultPath `$`, no ResultSelector or
    /// OutputPath), with its text.
    Result { output: Doc, text: Text },
}

/// The output's text, as a state knows it.
pub enum Written {
    /// The text of the value written at the state's ResultPath, when the output is the raw
    /// input with that write (see [`State::result_member_names`]); with it, how many of the
    /// path's names were in the input already.
    At(Text, usize),
    /// The whole output's text (a Task whose result is its output).
    Whole(Text),
}

/// What running one state decided.
pub struct StateDone<'p> {
    pub output: Doc,
    /// The next state, borrowed from the program (no copy per transition).
    pub next: Option<&'p NextState>,
    /// What is known of the output's text without serializing it.
    pub written: Option<Written>,
}

impl Engine<'_> {
    /// Appends an event after `prev`, enforcing the execution timeout and history limit.
    pub fn emit(&mut self, prev: &mut u64, kind: EventKind) -> Result<u64, Stop> {
        if let Some(d) = self.deadline_ms
            && self.clock.elapsed_ms() > d
        {
            return Err(Stop::Halt(Halt::TimedOut));
        }
        // Keep one slot for the closing ExecutionFailed event.
        if self.history.len() + 1 >= MAX_HISTORY_EVENTS {
            return Err(Stop::Halt(Halt::HistoryLimit));
        }
        let id = self.history.push(self.clock.now(), *prev, kind);
        *prev = id;
        Ok(id)
    }

    /// Records the closing event unconditionally (limits do not apply to it).
    pub fn emit_final(&mut self, prev: u64, kind: EventKind) {
        self.history.push(self.clock.now(), prev, kind);
    }

    pub fn advance(&mut self, seconds: f64) -> Result<(), Stop> {
        self.clock.advance_seconds(seconds);
        if let Some(d) = self.deadline_ms
            && self.clock.elapsed_ms() > d
        {
            return Err(Stop::Halt(Halt::TimedOut));
        }
        Ok(())
    }

    /// Runs a program from its StartAt to an end state; returns its output.
    pub fn run_program(
        &mut self,
        program: &Program,
        input: Doc,
        prev: &mut u64,
    ) -> Result<Doc, Stop> {
        self.run_program_with_text(program, input, None, prev)
            .map(|(output, _)| output)
    }

    /// As [`Self::run_program`], given the input's JSON text when the caller already has it;
    /// returns the output's text too when the last state made it.
    pub fn run_program_with_text(
        &mut self,
        program: &Program,
        input: Doc,
        input_text: Option<DocText>,
        prev: &mut u64,
    ) -> Result<(Doc, Option<DocText>), Stop> {
        let missing = |name: &str| {
            Stop::Error(Failure::new(
                "States.Runtime",
                format!("The state '{name}' does not exist"),
            ))
        };
        let mut state = program
            .states
            .get(program.start_at.as_str())
            .ok_or_else(|| missing(&program.start_at))?;
        let mut data = input;
        // A state's output text is the next state's input text: serialize once.
        let mut data_text = input_text;
        loop {
            self.visited.push(state.sym);
            let (done, text) = self.run_state(state, data, data_text.take(), prev)?;
            data = done.output;
            data_text = text;
            match done.next {
                Some(next) => {
                    self.transitions += 1;
                    state = program
                        .states
                        .get_index(next.index)
                        .map(|(_, s)| s)
                        .ok_or_else(|| missing(next.as_str()))?;
                }
                None => return Ok((data, data_text)),
            }
        }
    }

    fn run_state<'p>(
        &mut self,
        state: &'p State,
        input: Doc,
        input_text: Option<DocText>,
        prev: &mut u64,
    ) -> Result<(StateDone<'p>, Option<DocText>), Stop> {
        let ty = state.kind.type_name();
        // `$$.State.EnteredTime` only; formatting it for every state would be wasted work.
        let entered_at = if state.uses_context {
            self.clock
                .now()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        } else {
            String::new()
        };
        let input_text =
            input_text.unwrap_or_else(|| DocText::of_doc(&input, 256, &mut self.history));
        let input_len = self.history.text(&input_text.text).len();
        let entered = self.emit(
            prev,
            EventKind::StateEntered(
                ty,
                StateEntered {
                    name: state.sym,
                    input: input_text.text.clone(),
                    input_details: history::PayloadDetails { truncated: false },
                },
            ),
        )?;
        let retryable = matches!(
            state.kind,
            StateKind::Task(_) | StateKind::Parallel { .. } | StateKind::Map(_)
        );
        let ctx = self.context(
            state.uses_context,
            &state.name,
            &entered_at,
            retryable.then_some(0),
            None,
            None,
        );
        let done = self.state_body(
            state,
            input,
            &input_text.text,
            &ctx,
            entered,
            &entered_at,
            prev,
        )?;
        let (output, next, written) = (done.output, done.next, done.written);
        if matches!(state.kind, StateKind::Fail(_)) {
            return Ok((
                StateDone {
                    output,
                    next: None,
                    written: None,
                },
                None,
            ));
        }
        // A state that hands its input on unchanged exits with the text it entered with; one
        // that wrote its result into its input exits with that text spliced.
        let spliced = if state.passes_input_through() {
            Some(input_text)
        } else {
            match (state.result_member_names(), written) {
                (Some(names), Some(Written::At(text, existing))) => {
                    input_text.splice_plain(&mut self.history, names, existing, &text)
                }
                (_, Some(Written::Whole(text))) => DocText::of_text(text, &self.history),
                _ => None,
            }
        };
        let output_text =
            spliced.unwrap_or_else(|| DocText::of_doc(&output, input_len + 256, &mut self.history));
        let output_len = self.history.text(&output_text.text).len();
        debug_assert_eq!(
            self.history.text(&output_text.text),
            output.to_text(),
            "state '{}'",
            state.name
        );
        if output_len > MAX_PAYLOAD_BYTES {
            return Err(Stop::Error(Failure::new(
                "States.DataLimitExceeded",
                format!(
                    "The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.",
                    state.name
                ),
            )));
        }
        self.emit(
            prev,
            EventKind::StateExited(
                ty,
                StateExited {
                    name: state.sym,
                    output: output_text.text.clone(),
                    output_details: history::PayloadDetails { truncated: false },
                },
            ),
        )?;
        Ok((
            StateDone {
                output,
                next,
                written: None,
            },
            Some(output_text),
        ))
    }

    #[allow(clippy::too_many_arguments)]
    fn state_body<'p>(
        &mut self,
        state: &'p State,
        raw: Doc,
        raw_text: &Text,
        ctx: &Value,
        entered: u64,
        entered_at: &str,
        prev: &mut u64,
    ) -> Result<StateDone<'p>, Stop> {
        let name = state.name.as_str();
        let err = |e| eval_err(name, entered, e);
        let next = match &state.transition {
            Transition::Next(n) => Some(n),
            Transition::End => None,
        };
        match &state.kind {
            StateKind::Succeed => {
                let eff = self.owned_input(state, raw, ctx).map_err(err)?;
                let out = self.output_path(state, eff, ctx).map_err(err)?;
                Ok(StateDone {
                    output: out,
                    next: None,
                    written: None,
                })
            }
            StateKind::Fail(def) => {
                let mut rng = self.rng.clone();
                let mut scope = Scope {
                    input: &raw,
                    context: ctx,
                    rng: &mut rng,
                };
                let error = match &def.error_path {
                    Some(p) => Some(self.field_text(&mut scope, p, "ErrorPath").map_err(err)?),
                    None => def.error.clone(),
                };
                let cause = match &def.cause_path {
                    Some(p) => Some(self.field_text(&mut scope, p, "CausePath").map_err(err)?),
                    None => def.cause.clone(),
                };
                Err(Stop::Error(Failure {
                    error: error.unwrap_or_default(),
                    cause,
                }))
            }
            StateKind::Pass {
                result,
                result_text,
            } => {
                let res = match result {
                    // Result replaces the input; InputPath and Parameters still must resolve.
                    Some(r) => {
                        let eff = self.input_path(state, &raw, ctx).map_err(err)?;
                        self.parameters(state, eff, ctx).map_err(err)?;
                        Doc::from(r.clone())
                    }
                    None => {
                        let eff = self.input_path(state, &raw, ctx).map_err(err)?;
                        self.parameters(state, eff, ctx).map_err(err)?.into_owned()
                    }
                };
                // A write at a path of names goes into the input in place, and the result's
                // text (made at load for a Result) lets the output's text be spliced.
                let (out, written) = match (&state.result_path, state.result_member_names()) {
                    (PathField::Path(p), Some(_)) => {
                        let text = match result_text {
                            Some(t) => Text::Shared(t.clone()),
                            None => self.history.add_text(res.to_text()),
                        };
                        let mut out = raw;
                        match p.set_in_place(&mut out, res) {
                            Ok(existing) => (out, Some(Written::At(text, existing))),
                            Err(res) => (
                                self.apply_result_path_owned(&state.result_path, out, res)
                                    .map_err(err)?,
                                None,
                            ),
                        }
                    }
                    _ => (
                        self.apply_result_path_owned(&state.result_path, raw, res)
                            .map_err(err)?,
                        None,
                    ),
                };
                let out = self.output_path(state, out, ctx).map_err(err)?;
                Ok(StateDone {
                    output: out,
                    next,
                    written,
                })
            }
            StateKind::Wait(def) => {
                let eff = self.owned_input(state, raw, ctx).map_err(err)?;
                self.wait(name, entered, def, &eff, ctx)?;
                let out = self.output_path(state, eff, ctx).map_err(err)?;
                Ok(StateDone {
                    output: out,
                    next,
                    written: None,
                })
            }
            StateKind::Choice { choices, default } => {
                let eff = self.owned_input(state, raw, ctx).map_err(err)?;
                let mut target = None;
                for rule in choices {
                    match rule.condition.evaluate(&eff, ctx) {
                        Ok(true) => {
                            target = rule.next.as_ref();
                            break;
                        }
                        Ok(false) => {}
                        Err(ChoiceError(reason)) => {
                            return Err(Stop::Error(Failure::runtime(name, entered, reason)));
                        }
                    }
                }
                let target = match target.or(default.as_ref()) {
                    Some(t) => t,
                    None => {
                        return Err(Stop::Error(Failure::new(
                            "States.NoChoiceMatched",
                            format!(
                                "No Matches! (state '{name}' has no Default and no rule matched)"
                            ),
                        )));
                    }
                };
                let out = self.output_path(state, eff, ctx).map_err(err)?;
                Ok(StateDone {
                    output: out,
                    next: Some(target),
                    written: None,
                })
            }
            StateKind::Task(def) => {
                let r = match self.run_task(state, def, &raw, raw_text, entered, entered_at, prev) {
                    // ResultPath writes into the input itself: no copy of the document.
                    Ok(TaskDone::InPlace { result, text }) => {
                        let mut output = raw;
                        let mut existing = 0;
                        if let PathField::Path(p) = &state.result_path {
                            existing = p.set_in_place(&mut output, result).unwrap_or(0);
                        }
                        return Ok(StateDone {
                            output,
                            next,
                            written: Some(Written::At(text, existing)),
                        });
                    }
                    // The result is the output, and its text the output's.
                    Ok(TaskDone::Result { output, text }) => {
                        return Ok(StateDone {
                            output,
                            next,
                            written: Some(Written::Whole(text)),
                        });
                    }
                    Ok(TaskDone::Output(output)) => Ok(output),
                    Err(stop) => Err(stop),
                };
                self.catch(state, r, raw, entered, next)
            }
            StateKind::Parallel { branches } => {
                let r = self.run_parallel(state, branches, &raw, ctx, entered, prev);
                self.catch(state, r, raw, entered, next)
            }
            StateKind::Map(def) => {
                let r = self.run_map(state, def, &raw, ctx, entered, entered_at, prev);
                self.catch(state, r, raw, entered, next)
            }
        }
    }

    fn field_text(
        &self,
        scope: &mut Scope<'_>,
        source: &crate::template::Dynamic,
        field: &str,
    ) -> Result<String, EvalError> {
        let v = source.evaluate(scope, field)?;
        Ok(match v {
            Value::String(s) => s,
            other => to_text(&other),
        })
    }

    /// Catch: an ASL error of a Task, Parallel or Map state goes, as `{"Error", "Cause"}`, into
    /// the first matching catcher's ResultPath of the state's raw input.
    fn catch<'p>(
        &self,
        state: &'p State,
        result: Result<Doc, Stop>,
        raw: Doc,
        entered: u64,
        next: Option<&'p NextState>,
    ) -> Result<StateDone<'p>, Stop> {
        match result {
            Ok(output) => Ok(StateDone {
                output,
                next,
                written: None,
            }),
            Err(Stop::Error(f)) => {
                let catcher = if is_uncatchable(&f.error) {
                    None
                } else {
                    find_catcher(&state.catch, &f.error)
                };
                let Some(c) = catcher else {
                    return Err(Stop::Error(f));
                };
                let output = self
                    .apply_result_path_owned(&c.result_path, raw, Doc::from(f.to_catch_output()))
                    .map_err(|e| eval_err(&state.name, entered, e))?;
                Ok(StateDone {
                    output,
                    next: Some(&c.next),
                    written: None,
                })
            }
            Err(halt) => Err(halt),
        }
    }
}
