//! One strand's walk through a program: state after state, with AWS's input and output
//! processing, Catch, and the entered / exited events. States that take no simulated time run
//! in one go; Wait, Task, Parallel and Map (in `states/`) await the scheduler.

use super::jsonata::{self, AssignFrom};
use super::{Cx, Engine, Stop, eval_err};
use crate::doc::{Anchor, Doc};
use crate::error::Failure;
use crate::history::DocText;
use crate::history::{self, EventKind, StateEntered, StateExited, Text};
use crate::json::to_text;
use crate::program::{NextState, PathField, Program, State, StateKind, Transition};
use crate::query::{ChoiceView, EvalError, Roots, Scope};
use crate::vars::{Assigned, AssignedTexts, MAX_ASSIGN_BYTES, MAX_TOTAL_BYTES, TooLarge, Vars};
use serde_json::Value;

/// How a Task that succeeded hands back its result.
pub(crate) enum TaskDone {
    /// The state's output, ready.
    Output(Doc),
    /// The (selected) result, for the caller to write at the state's ResultPath (a path of
    /// member names) into the raw input it owns, when OutputPath is absent; where a step of
    /// the path is not an object that write fails, and the general write decides.
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
    /// The variables the state assigns, applied when it leaves.
    pub assigned: Assigned,
}

/// What entering a state made: its StateEntered event, its input's text and its context.
pub(crate) struct Entry {
    /// The StateEntered event's id (`States.Runtime` causes name it).
    pub entered: u64,
    /// `$$.State.EnteredTime`, made only for states that read `$$`.
    pub entered_at: String,
    pub input_text: DocText,
    pub input_len: usize,
    /// The context object `$$` (`null` for a state that never reads it) and the variables as
    /// the state was entered.
    pub ctx: Roots,
    /// The input's identity, for a state that can nest its whole input in what it makes
    /// ([`State::embeds_input`]): that part's text is then `input_text`, copied.
    pub anchor: Option<Anchor>,
}

impl Entry {
    /// The input's anchor and kept text, for a state that anchored it: what it makes may
    /// take the input's text rather than write it again.
    pub(crate) fn known(&self) -> Option<(&Anchor, &Text)> {
        self.anchor
            .as_ref()
            .map(|anchor| (anchor, &self.input_text.text))
    }
}

/// Runs a program from its StartAt to an end state; returns its output, and the output's text
/// when the last state made it.
pub(crate) async fn run_program<'a>(
    cx: &Cx<'a>,
    program: &'a Program,
    input: Doc,
    input_text: Option<DocText>,
    vars: Vars,
) -> Result<(Doc, Option<DocText>), Stop> {
    let missing = |name: &str| {
        Stop::Error(Failure::new(
            "States.Runtime",
            format!("The state '{name}' does not exist"),
        ))
    };
    let mut state = program
        .states
        .get_index(program.start_index)
        .map(|(_, s)| s)
        .ok_or_else(|| missing(&program.start_at))?;
    let mut data = input;
    // A state's output text is the next state's input text: serialize once.
    let mut data_text = input_text;
    let mut vars = vars;
    loop {
        let (done, text, assigned) = run_state(cx, state, data, data_text.take(), vars).await?;
        data = done.output;
        data_text = text;
        vars = assigned;
        match done.next {
            Some(next) => {
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

async fn run_state<'a>(
    cx: &Cx<'a>,
    state: &'a State,
    input: Doc,
    input_text: Option<DocText>,
    vars: Vars,
) -> Result<(StateDone<'a>, Option<DocText>, Vars), Stop> {
    let entry = cx.borrow_mut().enter(state, &input, input_text, vars)?;
    let next = match &state.transition {
        Transition::Next(n) => Some(n),
        Transition::End => None,
    };
    let done = match &state.kind {
        StateKind::Wait(def) => crate::states::wait::run_wait(cx, state, def, input, &entry).await,
        StateKind::Task(def) => {
            let result = crate::states::task::run_task(cx, state, def, &input, &entry).await;
            cx.borrow_mut()
                .task_done(state, result, input, &entry, next)
        }
        // Parallel and Map wait on the scheduler in large futures of their own: boxed, so the
        // future of every state (a Pass as much as a Map) is not their size, moved about at
        // each state.
        StateKind::Parallel { branches } => {
            let result = Box::pin(crate::states::parallel::run_parallel(
                cx, state, branches, &input, &entry,
            ))
            .await;
            cx.borrow_mut().catch(state, result, input, &entry, next)
        }
        StateKind::Map(def) => {
            let result =
                Box::pin(crate::states::map::run_map(cx, state, def, &input, &entry)).await;
            cx.borrow_mut().catch(state, result, input, &entry, next)
        }
        _ => cx.borrow_mut().instant(state, input, &entry, next),
    };
    let mut engine = cx.borrow_mut();
    match done {
        Ok(done) => engine.exit(state, done, entry),
        Err(Stop::Error(failure)) => Err(Stop::Error(engine.evaluation_failed(state, failure)?)),
        Err(halt) => Err(halt),
    }
}

impl Engine<'_> {
    /// Enters a state: records the visit and the StateEntered event, makes the input's text
    /// (unless the previous state handed it on) and the context object.
    fn enter(
        &mut self,
        state: &State,
        input: &Doc,
        input_text: Option<DocText>,
        vars: Vars,
    ) -> Result<Entry, Stop> {
        self.visited.push(state.sym);
        // AWS bills every state entered (and every retry) as a transition.
        self.transitions += 1;
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
            input_text.unwrap_or_else(|| DocText::of_doc(input, 256, &mut self.history.texts));
        let input_len = self.history.texts.len(&input_text.text);
        let entered = self.emit(EventKind::StateEntered(
            ty,
            StateEntered {
                name: state.sym,
                input: input_text.text.clone(),
                input_details: history::PayloadDetails { truncated: false },
            },
        ))?;
        let mut from = None;
        if let Some(s) = self.sched.here() {
            s.state = Some((ty, state.sym));
            from = s.left;
        }
        if let Some(observer) = self.observer.as_deref_mut() {
            let names = &self.history.names;
            observer.entered(from.map(|sym| names.get(sym)), &state.name);
        }
        let retryable = matches!(
            state.kind,
            StateKind::Task(_) | StateKind::Parallel { .. } | StateKind::Map(_)
        );
        let context = self.context(
            state.uses_context,
            &state.name,
            &entered_at,
            retryable.then_some(0),
            None,
            None,
        );
        Ok(Entry {
            entered,
            entered_at,
            input_text,
            input_len,
            ctx: Roots::new(context, vars),
            anchor: state.embeds_input.then(|| input.anchor()),
        })
    }

    /// A state's failure leaving it: when a JSONata expression caused it, the
    /// `EvaluationFailed` event AWS writes first (once, however far the failure travels).
    pub(crate) fn evaluation_failed(
        &mut self,
        state: &State,
        mut failure: Failure,
    ) -> Result<Failure, Stop> {
        if let Some(location) = failure.location.take() {
            self.emit(EventKind::EvaluationFailed(history::EvaluationFailed {
                error: failure.error.clone(),
                cause: failure.cause.clone().unwrap_or_default(),
                location,
                state: state.sym,
            }))?;
        }
        Ok(failure)
    }

    /// Leaves a state: its output's text (spliced from the input's where the state wrote one
    /// member), the payload limit, the variables it assigns, the StateExited event.
    fn exit<'p>(
        &mut self,
        state: &State,
        done: StateDone<'p>,
        entry: Entry,
    ) -> Result<(StateDone<'p>, Option<DocText>, Vars), Stop> {
        let StateDone {
            output,
            next,
            written,
            assigned,
        } = done;
        if let Some(s) = self.sched.here() {
            s.state = None;
            s.left = Some(state.sym);
        }
        if matches!(state.kind, StateKind::Fail(_)) {
            return Ok((
                StateDone {
                    output,
                    next: None,
                    written: None,
                    assigned: Assigned::new(),
                },
                None,
                entry.ctx.vars,
            ));
        }
        let input_text_handle = entry.input_text.text.clone();
        let input_text = entry.input_text;
        // A state that hands its input on unchanged exits with the text it entered with; one
        // that wrote its result into its input exits with that text spliced.
        let spliced = if state.passes_input_through() {
            Some(input_text)
        } else {
            match (state.result_member_names(), written) {
                (Some(names), Some(Written::At(text, existing))) => {
                    input_text.splice_plain(&mut self.history.texts, names, existing, &text)
                }
                (_, Some(Written::Whole(text))) => DocText::of_text(text, &self.history.texts),
                _ => None,
            }
        };
        // A Parallel or Map whose output is the array its strands gave: their texts joined.
        let joined = match self.results_text.take() {
            Some((anchor, text)) if spliced.is_none() && anchor.is(&output) => {
                let text = text.finish(&mut self.history.texts);
                DocText::of_text(text, &self.history.texts)
            }
            _ => None,
        };
        let output_text = spliced.or(joined).unwrap_or_else(|| {
            let known = entry.anchor.as_ref().map(|a| (a, &input_text_handle));
            DocText::of_doc_known(
                &output,
                entry.input_len + 256,
                &mut self.history.texts,
                known,
            )
        });
        let output_len = self.history.texts.len(&output_text.text);
        // Checked on documents of up to 4 KiB: serializing every output again made a debug
        // run of a loop growing its document quadratic (the hostile-input tests run debug).
        debug_assert!(
            output_len > 4_096 || self.history.texts.to_cow(&output_text.text) == output.to_text(),
            "state '{}'",
            state.name
        );
        if output_len > super::MAX_PAYLOAD_BYTES {
            return Err(Stop::Error(Failure::new(
                "States.DataLimitExceeded",
                format!(
                    "The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.",
                    state.name
                ),
            )));
        }
        let (vars, assigned) = assign_variables(&entry.ctx.vars, assigned)
            .map_err(|reason| Stop::Error(Failure::runtime(&state.name, entry.entered, reason)))?;
        self.emit(EventKind::StateExited(
            state.kind.type_name(),
            StateExited {
                name: state.sym,
                output: output_text.text.clone(),
                output_details: history::PayloadDetails { truncated: false },
                assigned,
            },
        ))?;
        Ok((
            StateDone {
                output,
                next,
                written: None,
                assigned: Assigned::new(),
            },
            Some(output_text),
            vars,
        ))
    }

    /// The states that take no simulated time: Succeed, Fail, Pass, Choice.
    fn instant<'p>(
        &mut self,
        state: &'p State,
        raw: Doc,
        entry: &Entry,
        next: Option<&'p NextState>,
    ) -> Result<StateDone<'p>, Stop> {
        if let Some(def) = &state.jsonata {
            return self.instant_jsonata(state, def, raw, entry, next);
        }
        let name = state.name.as_str();
        let ctx = &entry.ctx;
        let err = |e| eval_err(name, entry.entered, e);
        match &state.kind {
            StateKind::Fail(def) => {
                let mut rng = self.rng.clone();
                let mut scope = Scope {
                    input: &raw,
                    roots: ctx,
                    rng: &mut rng,
                };
                let error = match &def.error_path {
                    Some(p) => Some(field_text(&mut scope, p, "ErrorPath").map_err(err)?),
                    None => def.error.clone(),
                };
                let cause = match &def.cause_path {
                    Some(p) => Some(field_text(&mut scope, p, "CausePath").map_err(err)?),
                    None => def.cause.clone(),
                };
                Err(Stop::Error(Failure {
                    error: error.unwrap_or_default(),
                    cause,
                    location: None,
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
                let assigned = self
                    .assign(
                        state.assign.as_ref(),
                        AssignFrom::Paths {
                            data: &res,
                            roots: ctx,
                        },
                    )
                    .map_err(err)?;
                // A write at a path of names goes into the input in place, and the result's
                // text (made at load for a Result) lets the output's text be spliced.
                let (out, written) = match (&state.result_path, state.result_member_names()) {
                    (PathField::Path(p), Some(_)) => {
                        let text = match result_text {
                            Some(t) => Text::Shared(t.clone()),
                            None => res.keep_text(&mut self.history.texts, entry.known()),
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
                    assigned,
                })
            }
            StateKind::Choice { choices, default } => {
                let eff = self.owned_input(state, raw, ctx).map_err(err)?;
                let mut target = None;
                let view = ChoiceView {
                    input: &eff,
                    roots: ctx,
                };
                for (index, choice) in choices.iter().enumerate() {
                    match choice.rule.condition.evaluate(&view) {
                        Ok(true) => {
                            target = Some((index, choice));
                            break;
                        }
                        Ok(false) => {}
                        Err(e) => {
                            let reason = e.to_string();
                            return Err(Stop::Error(Failure::runtime(name, entry.entered, reason)));
                        }
                    }
                }
                if let Some(observer) = self.observer.as_deref_mut()
                    && (target.is_some() || default.is_some())
                {
                    observer.chose(name, target.map(|(index, _)| index));
                }
                // The matched rule's Assign; the state's own when the Default is taken.
                let (target, assign) = match (target, default) {
                    (Some((_, choice)), _) => (Some(&choice.next), choice.assign.as_ref()),
                    (None, Some(default)) => (Some(default), state.assign.as_ref()),
                    (None, None) => (None, None),
                };
                let Some(target) = target else {
                    return Err(Stop::Error(no_choice_matched(name)));
                };
                let assigned = self
                    .assign(
                        assign,
                        AssignFrom::Paths {
                            data: &eff,
                            roots: ctx,
                        },
                    )
                    .map_err(err)?;
                let out = self.output_path(state, eff, ctx).map_err(err)?;
                Ok(StateDone {
                    output: out,
                    next: Some(target),
                    written: None,
                    assigned,
                })
            }
            // Succeed (Wait, Task, Parallel and Map are awaited by `run_state`).
            _ => {
                let eff = self.owned_input(state, raw, ctx).map_err(err)?;
                let out = self.output_path(state, eff, ctx).map_err(err)?;
                Ok(StateDone {
                    output: out,
                    next: None,
                    written: None,
                    assigned: Assigned::new(),
                })
            }
        }
    }

    /// A Task's end: its result written where ResultPath says (in place when it can be), or
    /// its failure through Catch.
    fn task_done<'p>(
        &mut self,
        state: &'p State,
        result: Result<(TaskDone, Assigned), Stop>,
        raw: Doc,
        entry: &Entry,
        next: Option<&'p NextState>,
    ) -> Result<StateDone<'p>, Stop> {
        let (result, raw) = match result {
            // ResultPath writes into the input itself: no copy of the document.
            Ok((TaskDone::InPlace { result, text }, assigned)) => {
                let mut output = raw;
                let written = match &state.result_path {
                    PathField::Path(p) => p.set_in_place(&mut output, result),
                    _ => Err(result),
                };
                match written {
                    Ok(existing) => {
                        return Ok(StateDone {
                            output,
                            next,
                            written: Some(Written::At(text, existing)),
                            assigned,
                        });
                    }
                    // A step of the path is not an object, and the input is as it was: the
                    // general write decides (it words ResultPath's failure), and Catch may
                    // take that failure.
                    Err(result) => (
                        self.apply_result_path(&state.result_path, &output, result)
                            .map(|out| (out, assigned))
                            .map_err(|e| eval_err(&state.name, entry.entered, e)),
                        output,
                    ),
                }
            }
            // The result is the output, and its text the output's.
            Ok((TaskDone::Result { output, text }, assigned)) => {
                return Ok(StateDone {
                    output,
                    next,
                    written: Some(Written::Whole(text)),
                    assigned,
                });
            }
            Ok((TaskDone::Output(output), assigned)) => (Ok((output, assigned)), raw),
            Err(stop) => (Err(stop), raw),
        };
        self.catch(state, result, raw, entry, next)
    }

    /// Catch: an ASL error of a Task, Parallel or Map state goes to the first matching
    /// catcher. JSONPath: `{"Error", "Cause"}` into the catcher's ResultPath of the state's raw
    /// input. JSONata: the catcher's Output (the error output without one), with
    /// `$states.errorOutput`. Either way the catcher's Assign replaces the state's.
    pub(crate) fn catch<'p>(
        &mut self,
        state: &'p State,
        result: Result<(Doc, Assigned), Stop>,
        raw: Doc,
        entry: &Entry,
        next: Option<&'p NextState>,
    ) -> Result<StateDone<'p>, Stop> {
        match result {
            Ok((output, assigned)) => Ok(StateDone {
                output,
                next,
                written: None,
                assigned,
            }),
            Err(Stop::Error(f)) => {
                // flowc-asl's rule (`Catcher::matches`: the first entry that takes the error).
                let found = state
                    .catch
                    .iter()
                    .enumerate()
                    .find(|(_, c)| c.rule.matches(&f.error));
                let Some((index, c)) = found else {
                    return Err(Stop::Error(f));
                };
                if let Some(observer) = self.observer.as_deref_mut() {
                    observer.caught(&state.name, index);
                }
                let f = self.evaluation_failed(state, f)?;
                let err = |e| eval_err(&state.name, entry.entered, e);
                let error_output = Doc::from(f.to_catch_output());
                let (output, assigned) = match &state.jsonata {
                    Some(_) => {
                        let mut bindings = self.bindings(&raw, &entry.ctx);
                        bindings.set_error_output(error_output.clone());
                        let field = format!("Catch[{index}]");
                        let assigned = self
                            .assign(
                                c.assign.as_ref(),
                                AssignFrom::Jsonata {
                                    bindings: &bindings,
                                    field: &format!("{field}/Assign"),
                                },
                            )
                            .map_err(err)?;
                        let output = jsonata::output(
                            c.rule.output.as_ref(),
                            &format!("{field}/Output"),
                            &bindings,
                            error_output,
                        )
                        .map_err(err)?;
                        (output, assigned)
                    }
                    None => {
                        let assigned = self
                            .assign(
                                c.assign.as_ref(),
                                AssignFrom::Paths {
                                    data: &error_output,
                                    roots: &entry.ctx,
                                },
                            )
                            .map_err(err)?;
                        let output = self
                            .apply_result_path_owned(&c.result_path, raw, error_output)
                            .map_err(err)?;
                        (output, assigned)
                    }
                };
                Ok(StateDone {
                    output,
                    next: Some(&c.next),
                    written: None,
                    assigned,
                })
            }
            Err(halt) => Err(halt),
        }
    }
}

/// `States.NoChoiceMatched`: no rule matched and there is no Default.
pub(crate) fn no_choice_matched(name: &str) -> Failure {
    Failure::new(
        "States.NoChoiceMatched",
        format!("No Matches! (state '{name}' has no Default and no rule matched)"),
    )
}

/// The variables after a state's assignments, and the `assignedVariables` of its
/// StateExited event (each value's JSON text); the cause of the failure when AWS's size
/// limits refuse them.
fn assign_variables(
    vars: &Vars,
    assigned: Assigned,
) -> Result<(Vars, Option<AssignedTexts>), String> {
    if assigned.is_empty() {
        return Ok((vars.clone(), None));
    }
    let texts: Vec<(String, String)> = assigned
        .iter()
        .map(|(name, value)| (name.clone(), to_text(value)))
        .collect();
    let sized = assigned
        .into_iter()
        .zip(&texts)
        .map(|((name, value), (_, text))| (name, value, text.len()))
        .collect();
    match vars.assign(sized) {
        Ok(vars) => Ok((vars, Some(texts.into_boxed_slice()))),
        Err(TooLarge::Variable { name, bytes }) => Err(format!(
            "The value assigned to the variable '{name}' is {bytes} bytes, over the maximum of {MAX_ASSIGN_BYTES} bytes."
        )),
        Err(TooLarge::Assign { bytes }) => Err(format!(
            "The variables assigned are {bytes} bytes in total, over the maximum of {MAX_ASSIGN_BYTES} bytes for one Assign."
        )),
        Err(TooLarge::Total { bytes }) => Err(format!(
            "The execution's variables would take {bytes} bytes, over the maximum of {MAX_TOTAL_BYTES} bytes."
        )),
    }
}

/// ErrorPath / CausePath: a string as it is, anything else as its JSON text.
fn field_text(
    scope: &mut Scope<'_>,
    source: &crate::template::Dynamic,
    field: &str,
) -> Result<String, EvalError> {
    Ok(match source.evaluate(scope, field)? {
        Value::String(s) => s,
        other => to_text(&other),
    })
}
