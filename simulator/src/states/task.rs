//! Task: parameters, the call to the task source (mock or handler), timeouts and heartbeats,
//! Retry, and the Lambda / service-integration history events AWS records for each attempt.

use crate::doc::Doc;
use crate::error::Failure;
use crate::history::{
    ErrorCause, EventKind, LambdaScheduled, Output, PayloadDetails, Shared, TaskFailed,
    TaskResource, TaskScheduled, TaskSucceeded, Text,
};
use crate::mocks::{Heartbeats, TaskCall, TaskReply, TaskResult};
use crate::program::{PathField, Pattern, State, TaskDef};
use crate::query::{EvalError, Roots, Scope};
use crate::retry::RetryState;
use crate::run::{
    AssignFrom, Cx, Engine, Entry, Halt, MAX_PAYLOAD_BYTES, Stop, TaskDone, eval_err,
};
use crate::sched::SleepUntil;
use crate::vars::Assigned;
use base64::Engine as _;
use serde_json::Value;
use std::borrow::Cow;

/// The stand-in for the input of a source that does not read it (the Parameters' text is
/// written straight from the template instead).
static NULL: std::sync::LazyLock<Doc> = std::sync::LazyLock::new(Doc::default);

/// `{}`: TaskSubmitted's output when the reply says nothing of the service call's response.
static EMPTY_OBJECT: std::sync::LazyLock<crate::history::Payload> =
    std::sync::LazyLock::new(|| crate::history::Payload::from("{}"));

/// How AWS classifies a Task's Resource, which decides the history event family (worked out
/// once, when the program is built).
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// `arn:aws:lambda:...:function:...`: Lambda* events.
    Lambda { resource: Shared },
    /// `arn:aws:states:::service:action`: Task* events with resourceType / resource.
    Service {
        resource_type: Shared,
        resource: Shared,
    },
}

pub fn classify(resource: &str) -> Target {
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    match parts.as_slice() {
        [_, _, "lambda", _, _, rest] if rest.starts_with("function:") => Target::Lambda {
            resource: resource.into(),
        },
        [_, _, "states", _, _, rest] => {
            let rest = *rest;
            if let Some(sdk) = rest.strip_prefix("aws-sdk:") {
                let (svc, action) = sdk.split_once(':').unwrap_or((sdk, ""));
                Target::Service {
                    resource_type: format!("aws-sdk:{svc}").into(),
                    resource: action.into(),
                }
            } else if let Some(act) = rest.strip_prefix("activity:") {
                Target::Service {
                    resource_type: "activity".into(),
                    resource: act.into(),
                }
            } else {
                let (svc, action) = rest.split_once(':').unwrap_or((rest, ""));
                Target::Service {
                    resource_type: svc.into(),
                    resource: action.into(),
                }
            }
        }
        _ => Target::Service {
            resource_type: "unknown".into(),
            resource: resource.into(),
        },
    }
}

use crate::json::to_text as text;

fn whole_seconds(v: f64) -> Option<u64> {
    (v.is_finite() && v > 0.0).then_some(v.round() as u64)
}

/// What a Task's attempts share: its timeouts, resolved once when the state is entered.
pub(crate) struct TaskSetup {
    timeout: Option<u64>,
    heartbeat: Option<u64>,
}

/// One attempt's call, as the source answered it.
struct Called {
    result: TaskResult,
    /// When the answer arrives, or when the task times out first (simulated milliseconds).
    due_ms: i64,
    /// The attempt's context object (with its RetryCount and task token) and the variables.
    ctx: Roots,
}

/// Runs a Task state's attempts: each calls the task source, takes the simulated time the
/// call takes (a timeout or heartbeat ends it sooner), and records its end; Retry pauses
/// between attempts.
pub(crate) async fn run_task<'a>(
    cx: &Cx<'a>,
    state: &'a State,
    def: &'a TaskDef,
    raw: &Doc,
    entry: &Entry,
) -> Result<(TaskDone, Assigned), Stop> {
    let setup = cx.borrow_mut().task_setup(state, def, raw, entry)?;
    let mut retry = RetryState::default();
    let mut attempt: u32 = 0;
    loop {
        let called = cx
            .borrow_mut()
            .task_call(state, def, raw, entry, &setup, attempt)?;
        SleepUntil::new(cx, called.due_ms).await;
        let failure =
            match cx
                .borrow_mut()
                .task_end(state, def, raw, entry, called.result, &called.ctx)?
            {
                Ok(done) => return Ok(done),
                Err(failure) => failure,
            };
        let retry_at = cx.borrow_mut().retry_at(state, &mut retry, &failure);
        match retry_at {
            Some(at) => {
                SleepUntil::new(cx, at).await;
                attempt += 1;
            }
            None => return Err(Stop::Error(failure)),
        }
    }
}

impl Engine<'_> {
    /// TimeoutSeconds(Path) and HeartbeatSeconds(Path), resolved when the state is entered.
    fn task_setup(
        &mut self,
        state: &State,
        def: &TaskDef,
        raw: &Doc,
        entry: &Entry,
    ) -> Result<TaskSetup, Stop> {
        let name = state.name.as_str();
        let runtime = |e: EvalError| eval_err(name, entry.entered, e);
        let eff = self.input_path(state, raw, &entry.ctx).map_err(runtime)?;
        let timeout = def
            .timeout
            .as_ref()
            .map(|t| self.number(t, "TimeoutSeconds", &eff, &entry.ctx))
            .transpose()
            .map_err(runtime)?
            .and_then(whole_seconds);
        let heartbeat = def
            .heartbeat
            .as_ref()
            .map(|t| self.number(t, "HeartbeatSeconds", &eff, &entry.ctx))
            .transpose()
            .map_err(runtime)?
            .and_then(whole_seconds);
        Ok(TaskSetup { timeout, heartbeat })
    }

    /// Starts one attempt: its parameters, the scheduled and started events, the call.
    fn task_call(
        &mut self,
        state: &State,
        def: &TaskDef,
        raw: &Doc,
        entry: &Entry,
        setup: &TaskSetup,
        attempt: u32,
    ) -> Result<Called, Stop> {
        let name = state.name.as_str();
        let runtime = |e: EvalError| eval_err(name, entry.entered, e);
        let raw_text = &entry.input_text.text;
        let (timeout, heartbeat) = (setup.timeout, setup.heartbeat);
        // The attempt's task token: unique in the execution (the next event is the attempt's
        // TaskScheduled), opaque like AWS's, and made of bytes JSON writes as they are, so the
        // parameters' text shows whether they carry it.
        let token = (def.pattern == Pattern::Callback).then(|| {
            base64::engine::general_purpose::STANDARD.encode(format!(
                "{}#{}",
                self.info.context.execution_arn,
                self.history.len() + 1
            ))
        });
        let context = self.context(
            state.uses_context,
            name,
            &entry.entered_at,
            Some(attempt),
            None,
            token.clone(),
        );
        let ctx = Roots::new(context, entry.ctx.vars.clone());
        let eff = self.input_path(state, raw, &ctx).map_err(runtime)?;
        // The effective input and its text. Without Parameters and InputPath that is the
        // state's input, whose text is known; a source that does not read the input gets
        // the Parameters' text alone.
        let arguments = state.jsonata.as_ref().and_then(|d| d.arguments.as_ref());
        let (params, params_text): (Cow<'_, Doc>, Text) = match &state.parameters {
            // JSONata: the Arguments, or the state's input without them.
            _ if arguments.is_some() => {
                let value = match arguments {
                    Some(arguments) => self
                        .bindings(raw, &ctx)
                        .value(arguments, "Arguments")
                        .map_err(|e| runtime(EvalError::Query(e)))?,
                    None => Value::Null,
                };
                let params = Doc::from(value);
                let params_text = self.history.add_text(params.to_text());
                (Cow::Owned(params), params_text)
            }
            None if matches!(state.input_path, PathField::Default) => {
                (Cow::Borrowed(raw), raw_text.clone())
            }
            Some(template) if !self.tasks.wants_input() => {
                let mut out = String::with_capacity(128);
                let mut scope = Scope {
                    input: &eff,
                    roots: &ctx,
                    rng: &mut self.rng,
                };
                template
                    .evaluate_text(&mut scope, &mut out)
                    .map_err(runtime)?;
                (Cow::Borrowed(&*NULL), self.history.add_text(out))
            }
            _ => {
                let params = self.parameters(state, eff, &ctx).map_err(runtime)?;
                let params_text = params.keep_text(&mut self.history.texts, entry.known());
                (params, params_text)
            }
        };
        // What the source is given: a value only for a source that reads it.
        let params: Cow<'_, Value> = if self.tasks.wants_input() {
            params.as_value()
        } else {
            Cow::Borrowed(&Value::Null)
        };
        let params: &Value = &params;
        // AWS: a state input over the quota after Parameters processing is a terminal error.
        if self.history.texts.len(&params_text) > MAX_PAYLOAD_BYTES {
            return Err(Stop::Error(Failure::new(
                "States.DataLimitExceeded",
                format!(
                    "The state/task '{name}' has an input with a size exceeding the maximum number of bytes service limit."
                ),
            )));
        }
        let params_text_for_token = params_text.clone();
        match &def.target {
            Target::Lambda { .. } => {
                self.emit(EventKind::LambdaFunctionScheduled(LambdaScheduled {
                    resource: def.resource_sym,
                    input: params_text,
                    input_details: PayloadDetails { truncated: false },
                    timeout_in_seconds: timeout,
                }))?;
                self.emit(EventKind::LambdaFunctionStarted)?;
            }
            Target::Service { .. } => {
                self.emit(EventKind::TaskScheduled(TaskScheduled {
                    resource_type: def.resource_type_sym,
                    resource: def.resource_sym,
                    parameters: params_text,
                    timeout_in_seconds: timeout,
                    heartbeat_in_seconds: heartbeat,
                }))?;
                self.emit(EventKind::TaskStarted(TaskResource {
                    resource_type: def.resource_type_sym,
                    resource: def.resource_sym,
                }))?;
            }
        }
        let invocation = match self.invocations.get_mut(def.slot) {
            Some(n) => {
                *n += 1;
                *n - 1
            }
            None => 0,
        };
        let call = TaskCall {
            state_name: name,
            resource: &def.resource,
            input: params,
            attempt,
            invocation,
            concurrent: self.concurrent(),
            timeout_seconds: timeout,
            heartbeat_seconds: heartbeat,
            task_token: token.as_deref(),
            state: self.state_digest(name, entry, attempt),
        };
        let reply = self
            .tasks
            .call(&call)
            .map_err(|u| Stop::Halt(Halt::Unmocked(u)))?;
        if def.pattern != Pattern::RequestResponse {
            // The service call returned; the callback or the job is still to come.
            let output = match &reply.submitted {
                Some(v) => self.history.add_text(text(v)),
                None => Text::Shared(EMPTY_OBJECT.clone()),
            };
            self.emit(EventKind::TaskSubmitted(TaskSucceeded {
                resource_type: def.resource_type_sym,
                resource: def.resource_sym,
                output,
                output_details: PayloadDetails { truncated: false },
            }))?;
        }
        // A callback's answer names the token it was given: it reaches the task only when
        // the parameters carried the token to the worker.
        let reaches = match &token {
            Some(token) => self
                .history
                .texts
                .to_cow(&params_text_for_token)
                .contains(token.as_str()),
            None => true,
        };
        let (result, due_ms) = self.task_end_time(reply, reaches, timeout, heartbeat);
        Ok(Called {
            result,
            due_ms,
            ctx,
        })
    }

    /// When the attempt ends and how: the answer when it arrives before the state's
    /// TimeoutSeconds and before a gap of HeartbeatSeconds without a heartbeat (an answer at
    /// the very instant of a timeout counts), else `States.Timeout` at that moment. AWS
    /// records a missed heartbeat as TaskTimedOut with `States.Timeout` (the conformance
    /// corpus's heartbeat cases), not the `States.HeartbeatTimeout` of the ASL specification.
    fn task_end_time(
        &self,
        reply: TaskReply,
        reaches: bool,
        timeout: Option<u64>,
        heartbeat: Option<u64>,
    ) -> (TaskResult, i64) {
        let start = self.sched.now_ms();
        let never = i64::MAX;
        let (result, answer_at) = match reply.result {
            // A task that stopped answering times out when its state says.
            Some(TaskResult::TimedOut { .. }) if timeout.is_some() || heartbeat.is_some() => {
                (None, never)
            }
            Some(result) if reaches => (Some(result), self.due_in(reply.after_seconds)),
            _ => (None, never),
        };
        let timeout_at = timeout.map_or(never, |t| self.due_in(t as f64));
        let heartbeat_at = heartbeat.map_or(never, |h| {
            let gap = h as f64;
            match &reply.heartbeats {
                Heartbeats::None => self.due_in(gap),
                Heartbeats::Every(p) if *p > 0.0 && *p <= gap => never,
                Heartbeats::Every(_) => self.due_in(gap),
                Heartbeats::At(times) => {
                    let mut times: Vec<f64> = times
                        .iter()
                        .copied()
                        .filter(|t| t.is_finite() && *t >= 0.0)
                        .collect();
                    times.sort_by(f64::total_cmp);
                    let mut last = 0.0;
                    for t in times {
                        if t > last + gap || self.due_in(t) >= answer_at {
                            break;
                        }
                        last = t;
                    }
                    self.due_in(last + gap)
                }
            }
        });
        let limit = timeout_at.min(heartbeat_at);
        match result {
            Some(result) if answer_at <= limit => (result, answer_at),
            // Neither answer nor timeout: the task waits until the execution ends.
            None if limit == never => (TaskResult::TimedOut { cause: None }, never),
            Some(TaskResult::TimedOut { cause }) => (TaskResult::TimedOut { cause }, limit),
            _ => (TaskResult::TimedOut { cause: None }, limit.max(start)),
        }
    }

    /// Ends one attempt: records its result, and hands back the state's result or the
    /// attempt's failure (for Retry to decide on).
    fn task_end(
        &mut self,
        state: &State,
        def: &TaskDef,
        raw: &Doc,
        entry: &Entry,
        result: TaskResult,
        ctx: &Roots,
    ) -> Result<Result<(TaskDone, Assigned), Failure>, Stop> {
        let name = state.name.as_str();
        let runtime = |e: EvalError| eval_err(name, entry.entered, e);
        // The result with its text: for the size check and the history event alike.
        let outcome = match result {
            TaskResult::Succeeded(v) => {
                let t = self.history.add_text(text(&v));
                Ok((Doc::from(v), t))
            }
            TaskResult::SucceededWithText(v, t) => Ok((Doc::from(v), Text::Shared(t))),
            TaskResult::Failed(f) => Err((
                Failure {
                    error: f.error,
                    cause: Some(f.cause),
                    location: None,
                },
                false,
            )),
            TaskResult::TimedOut { cause } => Err((
                Failure {
                    error: "States.Timeout".into(),
                    cause,
                    location: None,
                },
                true,
            )),
        };
        let outcome = match outcome {
            Ok((_, t)) if self.history.texts.len(&t) > MAX_PAYLOAD_BYTES => Err((
                Failure::new(
                    "States.DataLimitExceeded",
                    format!(
                        "The state/task '{name}' returned a result with a size exceeding the maximum number of bytes service limit."
                    ),
                ),
                false,
            )),
            other => other,
        };
        let (v, result_text) = match outcome {
            Ok(ok) => ok,
            Err((failure, timed_out)) => {
                self.record_failure(def, &failure, timed_out)?;
                return Ok(Err(failure));
            }
        };
        if state.jsonata.is_some() {
            self.record_success(def, result_text)?;
            return self
                .result_output(state, raw, ctx, v)
                .map(|(out, assigned)| Ok((TaskDone::Output(out), assigned)))
                .map_err(runtime);
        }
        // A write at member names (`$.results.schema`) goes into the raw input in place; the
        // caller tries it, and when a step is not an object the write fails there as it
        // would here (no walk of the document first to find out).
        let in_place = match &state.result_path {
            PathField::Path(p) => {
                matches!(state.output_path, PathField::Default) && p.writes_in_place()
            }
            _ => false,
        };
        // The written value's text: the result's, unless ResultSelector makes another value
        // of it.
        let written = (in_place && state.result_selector.is_none()).then(|| result_text.clone());
        let whole = matches!(state.result_path, PathField::Default)
            && matches!(state.output_path, PathField::Default)
            && state.result_selector.is_none();
        let whole_text = whole.then(|| result_text.clone());
        self.record_success(def, result_text)?;
        let sel = self.result_selector(state, v, ctx).map_err(runtime)?;
        let assigned = self
            .assign(
                state.assign.as_ref(),
                AssignFrom::Paths {
                    data: &sel,
                    roots: ctx,
                },
            )
            .map_err(runtime)?;
        if in_place {
            let text = written.unwrap_or_else(|| self.history.add_text(sel.to_text()));
            return Ok(Ok((TaskDone::InPlace { result: sel, text }, assigned)));
        }
        if let Some(text) = whole_text {
            return Ok(Ok((TaskDone::Result { output: sel, text }, assigned)));
        }
        let out = self
            .apply_result_path(&state.result_path, raw, sel)
            .map_err(runtime)?;
        self.output_path(state, out, ctx)
            .map(|out| Ok((TaskDone::Output(out), assigned)))
            .map_err(runtime)
    }

    fn record_success(&mut self, def: &TaskDef, output: Text) -> Result<(), Stop> {
        let kind = match def.target {
            Target::Lambda { .. } => EventKind::LambdaFunctionSucceeded(Output::new(output)),
            Target::Service { .. } => EventKind::TaskSucceeded(TaskSucceeded {
                resource_type: def.resource_type_sym,
                resource: def.resource_sym,
                output,
                output_details: PayloadDetails { truncated: false },
            }),
        };
        self.emit(kind).map(|_| ())
    }

    fn record_failure(&mut self, def: &TaskDef, f: &Failure, timed_out: bool) -> Result<(), Stop> {
        let kind = match def.target {
            Target::Lambda { .. } => {
                let d = ErrorCause {
                    error: Some(f.error.clone()),
                    cause: f.cause.clone(),
                };
                if timed_out {
                    EventKind::LambdaFunctionTimedOut(d)
                } else {
                    EventKind::LambdaFunctionFailed(d)
                }
            }
            Target::Service { .. } => {
                let d = TaskFailed {
                    resource_type: def.resource_type_sym,
                    resource: def.resource_sym,
                    error: Some(f.error.clone()),
                    cause: f.cause.clone(),
                };
                if timed_out {
                    EventKind::TaskTimedOut(d)
                } else {
                    EventKind::TaskFailed(d)
                }
            }
        };
        self.emit(kind).map(|_| ())
    }
}
