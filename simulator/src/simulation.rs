//! The public entry point: `Simulation::new(program).input(..).seed(..).mocks(..).run()`.

use crate::clock::{VirtualClock, default_start};
use crate::distributed::ObjectStore;
use crate::doc::Doc;
use crate::error::{Failure, SimError};
use crate::history::{
    ErrorCause, EventKind, ExecutionStarted, History, Output, PayloadDetails, Visited,
};
use crate::mocks::{Handler, NoTasks, TaskHandler, TaskSource};
use crate::program::Program;
use crate::run::{Engine, ExecutionInfo, Halt, MAX_PAYLOAD_BYTES, Stop, drive};
use crate::states::distributed_map::MapRun;
use chrono::{DateTime, Utc};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use serde_json::Value;
use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

/// AWS's maximum duration of a STANDARD execution: one year. An execution still running then
/// times out (`States.Timeout`), whatever its TimeoutSeconds says.
pub const MAX_STANDARD_SECONDS: u64 = 365 * 24 * 3600;

/// AWS's maximum duration of an EXPRESS execution: five minutes.
pub const MAX_EXPRESS_SECONDS: u64 = 5 * 60;

/// AWS's StartExecution check on the execution input, applied to the text as it is sent: the
/// `input` member is at most 262,144 bytes of UTF-8 (whitespace counts; AWS does not reformat
/// it). Callers holding the text a user wrote (`flowc simulate --input`, an input file) check
/// that text; [`Simulation::run`] checks the compact text of a value it was given, which is what
/// an SDK sends for it.
pub fn check_input_size(text: &str) -> Result<(), SimError> {
    if text.len() > MAX_PAYLOAD_BYTES {
        return Err(SimError::InputTooLarge {
            size: text.len(),
            limit: MAX_PAYLOAD_BYTES,
        });
    }
    Ok(())
}

/// Names and ARNs the context object reports (`$$.Execution`, `$$.StateMachine`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionContext {
    /// `$$.StateMachine.Name`.
    pub state_machine_name: String,
    /// `$$.StateMachine.Id`.
    pub state_machine_arn: String,
    /// `$$.Execution.Name`.
    pub execution_name: String,
    /// `$$.Execution.Id`.
    pub execution_arn: String,
    /// `$$.Execution.RoleArn`, and ExecutionStarted's `roleArn`.
    pub role_arn: String,
    /// The region Task events and ARNs name.
    pub region: String,
    /// An EXPRESS state machine (STANDARD otherwise).
    pub express: bool,
}

impl Default for ExecutionContext {
    fn default() -> Self {
        Self::named("StateMachine", "execution")
    }
}

impl ExecutionContext {
    /// ARNs in account 123456789012, us-east-1, for a machine and an execution name.
    pub fn named(machine: &str, execution: &str) -> Self {
        Self {
            state_machine_name: machine.into(),
            state_machine_arn: format!(
                "arn:aws:states:us-east-1:123456789012:stateMachine:{machine}"
            ),
            execution_name: execution.into(),
            execution_arn: format!(
                "arn:aws:states:us-east-1:123456789012:execution:{machine}:{execution}"
            ),
            role_arn: "arn:aws:iam::123456789012:role/StepFunctionsRole".into(),
            region: "us-east-1".into(),
            express: false,
        }
    }
}

/// How an execution ended, in AWS's words (`SUCCEEDED`, `FAILED`, `TIMED_OUT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// It reached a Succeed state or an end.
    Succeeded,
    /// A state failed and nothing caught it.
    Failed,
    /// The machine's TimeoutSeconds (or AWS's maximum duration) passed.
    TimedOut,
}

/// How an execution ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// SUCCEEDED, FAILED or TIMED_OUT.
    pub status: Status,
    /// The execution's output, when it succeeded: [`Outcome::output`].
    output: LazyOutput,
    /// The error name, when it failed or timed out.
    pub error: Option<String>,
    /// The cause, when there is one.
    pub cause: Option<String>,
    /// Simulated time from start to end.
    pub duration_seconds: f64,
    /// Every event, as AWS's GetExecutionHistory lists them.
    pub history: History,
    /// State transitions (AWS's billing unit).
    pub transitions: u64,
    /// Every state entered, in order (branch and iteration states included); the names are
    /// the program's, not copied per visit.
    pub path: Visited,
    /// Every Distributed Map run, with its child executions (in item order).
    pub map_runs: Vec<MapRun>,
}

impl Outcome {
    /// The execution's output, when it succeeded.
    pub fn output(&self) -> Option<&Value> {
        self.output.get()
    }

    /// The execution's output, taken out of the outcome.
    pub fn into_output(self) -> Option<Value> {
        let LazyOutput { doc, mut value } = self.output;
        match value.take() {
            Some(made) => made,
            None => doc.map(Doc::into_value),
        }
    }
}

/// The output as the engine left it: its subtrees still shared with mocked results and Pass
/// `Result`s. Made a `serde_json::Value` only when asked for: copying those subtrees out
/// costs about as much as a third of the tenant workflow's whole run, and callers that only
/// read the status or the history (throughput runs, Distributed Map children that fail) never
/// ask.
#[derive(Clone)]
struct LazyOutput {
    doc: Option<Doc>,
    value: OnceLock<Option<Value>>,
}

impl LazyOutput {
    fn get(&self) -> Option<&Value> {
        self.value
            .get_or_init(|| self.doc.as_ref().map(Doc::to_value))
            .as_ref()
    }
}

impl PartialEq for LazyOutput {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl std::fmt::Debug for LazyOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// `{}`, the input of an execution given none: made once per process.
static EMPTY_INPUT: OnceLock<Arc<Value>> = OnceLock::new();

/// One execution to run: a program, its input and where Task results come from.
pub struct Simulation<'a> {
    program: &'a Program,
    /// Shared: a caller running one input many times hands the same value to each execution
    /// ([`Simulation::shared_input`]); the engine only reads it, or copies the members of an
    /// object it writes into.
    input: Arc<Value>,
    seed: u64,
    start: DateTime<Utc>,
    /// `None`: the default names, made once per process.
    context: Option<ExecutionContext>,
    source: Box<dyn TaskSource + 'a>,
    store: Option<Box<dyn ObjectStore + 'a>>,
    observer: Option<&'a mut dyn crate::Observer>,
    digests: bool,
}

impl<'a> Simulation<'a> {
    /// An execution of `program` with input `{}`, seed 0, starting at 2024-01-01T00:00:00Z,
    /// with no Task source (a Task then stops the run with [`SimError::Unmocked`]).
    pub fn new(program: &'a Program) -> Self {
        Self {
            program,
            input: EMPTY_INPUT
                .get_or_init(|| Arc::new(Value::Object(Default::default())))
                .clone(),
            seed: 0,
            start: default_start(),
            context: None,
            source: Box::new(NoTasks),
            store: None,
            observer: None,
            digests: false,
        }
    }

    /// The execution input.
    pub fn input(mut self, input: Value) -> Self {
        self.input = Arc::new(input);
        self
    }

    /// The execution input, shared with the caller: executions of the same input (a
    /// throughput run, a test repeated with other seeds) read one value instead of each
    /// being handed a copy. The run never changes it.
    pub fn shared_input(mut self, input: Arc<Value>) -> Self {
        self.input = input;
        self
    }

    /// Seeds jitter, `States.UUID` and `States.MathRandom`.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// When the execution starts, on the virtual clock.
    pub fn start_time(mut self, start: DateTime<Utc>) -> Self {
        self.start = start;
        self
    }

    /// The names and ARNs the context object and the history report.
    pub fn context(mut self, context: ExecutionContext) -> Self {
        self.context = Some(context);
        self
    }

    /// Serves Task results from a MockConfigFile test case ([`MockConfig::test_case`]).
    ///
    /// [`MockConfig::test_case`]: crate::MockConfig::test_case
    pub fn mocks(self, mocks: crate::MockedCase) -> Self {
        self.source(mocks)
    }

    /// Serves Task results from any source of the crate's (the conformance corpus's recorded
    /// results, a Distributed Map's parent lending its source to a child).
    pub(crate) fn source(mut self, source: impl TaskSource + 'a) -> Self {
        self.source = Box::new(source);
        self
    }

    /// Where Distributed Map states read items (ItemReader) and write results (ResultWriter):
    /// a folder ([`crate::LocalFiles`]), memory, or an S3 binding of the caller's.
    pub fn object_store(mut self, store: impl ObjectStore + 'a) -> Self {
        self.store = Some(Box::new(store));
        self
    }

    /// Tells `observer` of each state entered, Choice rule matched, Retrier and Catcher used,
    /// as the run goes (coverage; see [`crate::Observer`]).
    pub fn observer(mut self, observer: &'a mut dyn crate::Observer) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Serves each Task call the mocked response `pick` chooses for it, as the run goes
    /// (`TaskCall::state_name`, `invocation`, `attempt`, `timeout_seconds`,
    /// `heartbeat_seconds` say which call it is; its `input` is `null`, as for mock files).
    /// The answer goes through the same code as a mock file's response at that invocation.
    pub fn responder(self, pick: impl FnMut(&crate::TaskCall) -> crate::MockResponse + 'a) -> Self {
        self.source(crate::mockconfig::Responder(pick))
    }

    /// Gives each Task call's first attempt outside Parallel and Map a digest of the whole
    /// execution state ([`crate::TaskCall::state`], [`crate::StateDigest`]), for a caller
    /// that searches many runs and must not expand one state twice (`flowc explore`). Off by
    /// default: it hashes the state's input and the variables at every such call.
    pub fn state_digests(mut self) -> Self {
        self.digests = true;
        self
    }

    /// Serves Task results from in-process code.
    pub fn handler(mut self, handler: impl TaskHandler + 'a) -> Self {
        self.source = Box::new(Handler(handler));
        self
    }

    /// Runs the execution to its end. Errors only for problems of the setup (an input over the
    /// payload limit, a Task with no mock); ASL failures are an `Outcome` with status FAILED.
    pub fn run(mut self) -> Result<Outcome, SimError> {
        static DEFAULT_CONTEXT: OnceLock<ExecutionContext> = OnceLock::new();
        let ctx = match &self.context {
            Some(c) => c,
            None => DEFAULT_CONTEXT.get_or_init(ExecutionContext::default),
        };
        // About four events a state (Entered, Exited, and a Task's scheduled/started/
        // succeeded): one allocation instead of a doubling series.
        let mut history = History::with_capacity(
            (self.program.states.len() * 4).clamp(8, 256),
            self.program.names.clone(),
            ctx.region.as_str().into(),
        );
        let input_doc = crate::history::DocText::of(&self.input, 256, &mut history.texts);
        let input_text = input_doc.text.clone();
        check_input_size(&history.texts.to_cow(&input_text))?;
        let info = ExecutionInfo {
            context: ctx,
            // `$$.Execution.Input`, kept only when some state reads `$$`.
            input: if self.program.uses_context {
                Value::clone(&self.input)
            } else {
                Value::Null
            },
        };
        let max_seconds = if ctx.express {
            MAX_EXPRESS_SECONDS
        } else {
            MAX_STANDARD_SECONDS
        };
        let timeout_seconds = self
            .program
            .timeout_seconds
            .map_or(max_seconds, |s| s.min(max_seconds));
        let deadline_ms = i64::try_from(timeout_seconds.saturating_mul(1000)).unwrap_or(i64::MAX);
        let engine = Engine::new(
            VirtualClock::new(self.start),
            history,
            self.source.as_mut(),
            ChaCha8Rng::seed_from_u64(self.seed),
            info,
            self.program,
            deadline_ms,
        );
        let mut engine = engine;
        engine.digests = self.digests;
        engine.store = self.store.as_deref_mut().map(|s| s as &mut dyn ObjectStore);
        engine.observer = self
            .observer
            .as_deref_mut()
            .map(|o| o as &mut dyn crate::Observer);
        let cx = RefCell::new(engine);
        let started = cx
            .borrow_mut()
            .emit(EventKind::ExecutionStarted(ExecutionStarted {
                input: input_text,
                input_details: PayloadDetails { truncated: false },
                role_arn: ctx.role_arn.clone(),
            }));
        let result = match started {
            Ok(_) => drive(
                &cx,
                self.program,
                Doc::from(std::mem::take(&mut self.input)),
                Some(input_doc),
            ),
            Err(stop) => Err(stop),
        };
        let mut engine = cx.into_inner();
        let last = engine.history.len() as u64;
        let (status, output, failure) = match result {
            Ok((out, text)) => {
                // The last state's output text is the execution's output text.
                let text = match text {
                    Some(t) => t.text,
                    None => engine.history.add_text(out.to_text()),
                };
                engine.emit_final(last, EventKind::ExecutionSucceeded(Output::new(text)));
                (Status::Succeeded, Some(out), None)
            }
            Err(Stop::Error(f)) => {
                engine.emit_final(last, EventKind::ExecutionFailed(error_cause(&f)));
                (Status::Failed, None, Some(f))
            }
            Err(Stop::Halt(Halt::TimedOut)) => {
                let f = Failure::without_cause("States.Timeout");
                engine.emit_final(last, EventKind::ExecutionTimedOut(error_cause(&f)));
                (Status::TimedOut, None, Some(f))
            }
            Err(Stop::Halt(Halt::HistoryLimit)) => {
                let f = Failure::new(
                    "States.Runtime",
                    format!(
                        "The execution reached the maximum number of history events ({}).",
                        crate::history::MAX_HISTORY_EVENTS
                    ),
                );
                engine.emit_final(last, EventKind::ExecutionFailed(error_cause(&f)));
                (Status::Failed, None, Some(f))
            }
            Err(Stop::Halt(Halt::MemoryLimit)) => {
                return Err(SimError::MemoryLimit {
                    limit_mib: crate::history::MAX_TEXT_BYTES / (1024 * 1024),
                    events: engine.history.len(),
                });
            }
            Err(Stop::Halt(Halt::Unmocked(u))) => {
                return Err(SimError::Unmocked {
                    state: u.state,
                    detail: u.detail,
                });
            }
        };
        let (error, cause) = match failure {
            Some(f) => (
                Some(f.error).filter(|e| !e.is_empty()),
                f.cause.filter(|c| !c.is_empty()),
            ),
            None => (None, None),
        };
        Ok(Outcome {
            status,
            output: LazyOutput {
                doc: output,
                value: OnceLock::new(),
            },
            error,
            cause,
            duration_seconds: engine.clock.elapsed_ms() as f64 / 1000.0,
            transitions: engine.transitions,
            path: engine.visited,
            history: engine.history,
            map_runs: engine.map_runs,
        })
    }
}

fn error_cause(f: &Failure) -> ErrorCause {
    ErrorCause {
        error: Some(f.error.clone()).filter(|e| !e.is_empty()),
        cause: f.cause.clone(),
    }
}
