//! ASL -> sim program: an `asl::StateMachine` (loaded and validated by flowc-asl) turned into the
//! simulator's run-ready form: states indexed by name, defaults resolved, paths wrapped for
//! evaluation, and what the engine cannot run (a distributed Map's JSONata Arguments) refused
//! up front with `flowc::sim::unsupported`. A JSONata state keeps its fields as the model's parsed
//! expressions (`program/jsonata.rs`); `Assign` is a template in JSONPath mode and expressions
//! in JSONata.

mod jsonata;

pub use jsonata::{AssignDef, JsonataDef, jsonata_text};

use crate::error::SimError;
use crate::history::{Names, Shared, Sym};
use crate::json::PlainNames;
use crate::jsonpath::Path;
use crate::template::{Dynamic, Template};
use flowc_asl as asl;
use indexmap::IndexMap;
use serde_json::Value;

/// A path field that may be absent (default `$`), `null` (discard), or a path.
#[derive(Debug, Clone, PartialEq)]
pub enum PathField {
    Default,
    Null,
    Path(Path),
}

/// Where a transition goes: the state's name and its position in its program's states,
/// resolved when the program is built, so running does not look names up.
#[derive(Debug, Clone, PartialEq)]
pub struct NextState {
    pub name: String,
    pub index: usize,
}

impl NextState {
    /// A target not resolved yet (the program resolves it when built).
    pub fn named(name: &str) -> Self {
        Self {
            name: name.to_string(),
            index: usize::MAX,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.name
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Transition {
    Next(NextState),
    End,
}

/// A Catch entry of the loaded model (which errors it takes, its JSONata `Output`), with its
/// target resolved and its ResultPath and Assign ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct CatchDef {
    pub rule: asl::Catcher,
    pub next: NextState,
    pub result_path: PathField,
    /// Assigned when this catcher takes the error (instead of the state's own `Assign`).
    pub assign: Option<AssignDef>,
}

/// A Choice rule of the loaded model (its condition, evaluated by flowc-asl, and its JSONata
/// `Output`), with its target resolved and its Assign ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDef {
    pub rule: asl::ChoiceRule,
    pub next: NextState,
    pub assign: Option<AssignDef>,
}

/// A number given literally or through a `*Path` field.
#[derive(Debug, Clone, PartialEq)]
pub enum NumberSource {
    Literal(f64),
    Path(Path),
    /// A JSONata state's `{% %}` number field.
    Jsonata(asl::JsonataString),
}

/// How a Task waits for its service integration (the Resource's suffix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// Call the service and go on with its response.
    RequestResponse,
    /// `.sync`, `.sync:2`: start a job and wait for it to end.
    Sync,
    /// `.waitForTaskToken`: call the service with a task token and wait for SendTaskSuccess /
    /// SendTaskFailure naming it.
    Callback,
}

impl Pattern {
    pub fn of(resource: &str) -> Self {
        if resource.ends_with(".waitForTaskToken") {
            Self::Callback
        } else if resource.ends_with(".sync") || resource.contains(".sync:") {
            Self::Sync
        } else {
            Self::RequestResponse
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskDef {
    pub resource: String,
    /// The Resource's kind (Lambda or service integration), for the history events.
    pub target: crate::states::task::Target,
    pub pattern: Pattern,
    pub timeout: Option<NumberSource>,
    pub heartbeat: Option<NumberSource>,
    /// The state's invocation counter: Task states are numbered by name across the whole
    /// machine (branches and Map processors included), as MockConfigFile counts calls.
    pub slot: usize,
    /// The target's resource and resource type in the machine's [`Names`], as events
    /// record them.
    pub resource_sym: Sym,
    pub resource_type_sym: Sym,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WaitDef {
    Seconds(f64),
    Timestamp(String),
    SecondsPath(Path),
    TimestampPath(Path),
    SecondsJsonata(asl::JsonataString),
    TimestampJsonata(asl::JsonataString),
}

#[derive(Debug, Clone, PartialEq)]
pub struct FailDef {
    pub error: Option<String>,
    pub error_path: Option<Dynamic>,
    pub cause: Option<String>,
    pub cause_path: Option<Dynamic>,
    /// A JSONata state's `{% %}` Error and Cause.
    pub error_jsonata: Option<asl::JsonataString>,
    pub cause_jsonata: Option<asl::JsonataString>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MapDef {
    pub processor: Program,
    pub items_path: PathField,
    /// A JSONata state's `Items`.
    pub items: Option<asl::JsonataValue>,
    pub item_selector: Option<Template>,
    pub max_concurrency: Option<NumberSource>,
    pub tolerated_percentage: Option<NumberSource>,
    pub tolerated_count: Option<NumberSource>,
    /// A Distributed Map: its items come from an ItemReader (or ItemsPath), each item or batch
    /// runs as a child execution, results may go to a ResultWriter.
    pub distributed: Option<Box<DistributedDef>>,
}

/// A Distributed Map's ItemBatcher.
#[derive(Debug, Clone, PartialEq)]
pub struct BatcherDef {
    /// MaxItemsPerBatch(Path).
    pub max_items: Option<NumberSource>,
    /// MaxInputBytesPerBatch(Path).
    pub max_bytes: Option<NumberSource>,
    pub batch_input: Option<Value>,
}

/// What a Distributed Map adds to a Map.
#[derive(Debug, Clone, PartialEq)]
pub struct DistributedDef {
    /// `(Resource, ReaderConfig, Parameters)`.
    pub reader: Option<(String, Option<Value>, Option<Template>)>,
    /// ItemBatcher: items are grouped, each group one child execution.
    pub batcher: Option<BatcherDef>,
    /// The ResultWriter's Parameters (Bucket, Prefix).
    pub writer: Option<Template>,
    pub label: Option<String>,
    /// Child executions are EXPRESS (STANDARD otherwise).
    pub express: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StateKind {
    Pass {
        /// The Result, shared with every document it is written into.
        result: Option<std::sync::Arc<Value>>,
        /// The Result's JSON text, made once.
        result_text: Option<crate::history::Payload>,
    },
    Task(Box<TaskDef>),
    Choice {
        choices: Vec<RuleDef>,
        default: Option<NextState>,
    },
    Wait(WaitDef),
    Succeed,
    Fail(Box<FailDef>),
    Parallel {
        branches: Vec<Program>,
    },
    Map(Box<MapDef>),
}

impl StateKind {
    /// AWS's state type word, used in history event names (`TaskStateEntered`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Pass { .. } => "Pass",
            Self::Task(_) => "Task",
            Self::Choice { .. } => "Choice",
            Self::Wait(_) => "Wait",
            Self::Succeed => "Succeed",
            Self::Fail(_) => "Fail",
            Self::Parallel { .. } => "Parallel",
            Self::Map(_) => "Map",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub name: String,
    /// The name as history events carry it (shared, not copied for every event).
    pub event_name: Shared,
    /// The name's place in the machine's [`Names`], as events record it.
    pub sym: Sym,
    pub kind: StateKind,
    pub input_path: PathField,
    pub output_path: PathField,
    pub result_path: PathField,
    pub parameters: Option<Template>,
    pub result_selector: Option<Template>,
    pub transition: Transition,
    /// The loaded model's retriers: flowc-asl picks the one that takes an error and its delay.
    pub retry: Vec<asl::Retrier>,
    pub catch: Vec<CatchDef>,
    /// The state's `Assign`, in its query language.
    pub assign: Option<AssignDef>,
    /// Set on JSONata states: their Output, Arguments and ItemSelector.
    pub jsonata: Option<Box<JsonataDef>>,
    /// Whether the state (or anything nested in it) reads the context object `$$`; building
    /// `$$` for every state is most of the cost of a run, so states that never read it skip it.
    pub uses_context: bool,
    /// See [`State::result_member_names`].
    result_names: Option<PlainNames>,
    /// Whether the state's output or Task input can hold its whole input as it entered
    /// (Parameters reading `$`, or a Pass writing its input at a ResultPath): the input is
    /// then anchored on entry, so its text is copied rather than written again.
    pub(crate) embeds_input: bool,
}

impl State {
    /// Whether the state's output is always its input, unchanged (so its StateExited text is
    /// its StateEntered text): Choice, Wait and Succeed without InputPath / OutputPath, and a
    /// Pass with none of Result, Parameters, InputPath, OutputPath and a ResultPath of `$` or
    /// `null`; none with a JSONata `Output` (the state's or a Choice rule's).
    pub fn passes_input_through(&self) -> bool {
        let rule_outputs = match &self.kind {
            StateKind::Choice { choices, .. } => {
                choices.iter().any(|choice| choice.rule.output.is_some())
            }
            _ => false,
        };
        if self.jsonata.as_ref().is_some_and(|d| d.output.is_some()) || rule_outputs {
            return false;
        }
        let default_paths = matches!(self.input_path, PathField::Default)
            && matches!(self.output_path, PathField::Default);
        let kind = match &self.kind {
            StateKind::Choice { .. } | StateKind::Wait(_) | StateKind::Succeed => true,
            StateKind::Pass { result: None, .. } => {
                self.parameters.is_none()
                    && matches!(self.result_path, PathField::Default | PathField::Null)
            }
            _ => false,
        };
        default_paths && kind
    }

    /// When the output is the raw input with the result written at a ResultPath of names
    /// (`$.a.b`) and no OutputPath: those names, so the output's text can be spliced from the
    /// input's.
    pub fn result_member_names(&self) -> Option<&PlainNames> {
        self.result_names.as_ref()
    }

    /// [`Self::result_member_names`], worked out once: only names JSON writes as they are.
    fn find_result_names(&self) -> Option<PlainNames> {
        match (&self.result_path, &self.output_path) {
            (PathField::Path(p), PathField::Default) => p.member_names().and_then(PlainNames::new),
            _ => None,
        }
    }
}

/// A state machine (or a Parallel branch / Map processor) ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub(crate) start_at: String,
    /// StartAt's position in `states`, found once: a Map iteration starts its processor
    /// without hashing the name.
    pub(crate) start_index: usize,
    pub(crate) states: IndexMap<String, State>,
    pub(crate) timeout_seconds: Option<u64>,
    /// Whether any state (nested ones included) reads the context object `$$`.
    pub(crate) uses_context: bool,
    /// How many distinct Task state names the machine has ([`TaskDef::slot`]).
    pub(crate) task_slots: usize,
    /// The names history events refer to by [`Sym`] (state names, Task resources), of the
    /// whole machine: filled in on the machine's program, empty on its branches'.
    pub(crate) names: Names,
}

fn unsupported(feature: impl Into<String>) -> SimError {
    SimError::Unsupported {
        feature: feature.into(),
    }
}

fn invalid(message: impl Into<String>) -> SimError {
    SimError::InvalidDefinition {
        message: message.into(),
    }
}

fn load_errors(e: &asl::LoadErrors) -> SimError {
    let details: Vec<String> = e.errors().iter().map(ToString::to_string).collect();
    invalid(details.join("; "))
}

fn reference(p: &asl::path::ReferencePath) -> Result<Path, SimError> {
    Path::from_reference(p).map_err(invalid)
}

fn path_field(field: Option<&asl::PathOrNull<asl::path::JsonPath>>) -> PathField {
    match field {
        None => PathField::Default,
        Some(asl::PathOrNull::Null) => PathField::Null,
        Some(asl::PathOrNull::Path(p)) => PathField::Path(Path::from_json_path(p)),
    }
}

fn result_path(field: Option<&asl::ResultPath>) -> Result<PathField, SimError> {
    Ok(match field {
        None => PathField::Default,
        Some(asl::PathOrNull::Null) => PathField::Null,
        Some(asl::PathOrNull::Path(p)) => PathField::Path(reference(p)?),
    })
}

fn integer(field: Option<&asl::IntegerField>) -> Result<Option<NumberSource>, SimError> {
    match field {
        None => Ok(None),
        Some(asl::IntegerField::Value(n)) => Ok(Some(NumberSource::Literal(*n as f64))),
        Some(asl::IntegerField::Path(p)) => Ok(Some(NumberSource::Path(reference(p)?))),
        Some(asl::IntegerField::Jsonata(e)) => Ok(Some(NumberSource::Jsonata(e.clone()))),
    }
}

fn number(field: Option<&asl::NumberField>) -> Result<Option<NumberSource>, SimError> {
    match field {
        None => Ok(None),
        Some(asl::NumberField::Value(n)) => {
            Ok(Some(NumberSource::Literal(n.as_f64().unwrap_or_default())))
        }
        Some(asl::NumberField::Path(p)) => Ok(Some(NumberSource::Path(reference(p)?))),
        Some(asl::NumberField::Jsonata(e)) => Ok(Some(NumberSource::Jsonata(e.clone()))),
    }
}

fn text(field: Option<&asl::TextField>) -> Result<(Option<String>, Option<Dynamic>), SimError> {
    Ok(match field {
        None => (None, None),
        Some(asl::TextField::Value(s)) => (Some(s.clone()), None),
        Some(asl::TextField::Path(p)) => (None, Some(Dynamic::Path(reference(p)?))),
        Some(asl::TextField::Intrinsic(c)) => (None, Some(Dynamic::Call(c.clone()))),
        // Kept by `jsonata_text`.
        Some(asl::TextField::Jsonata(_)) => (None, None),
    })
}

fn catchers(list: &[asl::Catcher]) -> Result<Vec<CatchDef>, SimError> {
    list.iter()
        .map(|c| {
            Ok(CatchDef {
                rule: c.clone(),
                next: NextState::named(c.next.as_str()),
                result_path: result_path(c.result_path.as_ref())?,
                assign: c.assign.as_ref().map(AssignDef::from_asl),
            })
        })
        .collect()
}

fn rule(rule: &asl::ChoiceRule) -> RuleDef {
    RuleDef {
        rule: rule.clone(),
        next: NextState::named(rule.next.as_str()),
        assign: rule.assign.as_ref().map(AssignDef::from_asl),
    }
}

fn transition(t: &asl::Transition) -> Transition {
    match t {
        asl::Transition::Next(n) => Transition::Next(NextState::named(n.as_str())),
        asl::Transition::End => Transition::End,
    }
}

impl Program {
    /// Loads ASL JSON text (flowc-asl validates it) into a program.
    pub fn from_json_text(text: &str) -> Result<Self, SimError> {
        let loaded = asl::load(text, "<definition>").map_err(|e| load_errors(&e))?;
        Self::from_machine(&loaded.machine)
    }

    /// Loads an already parsed definition.
    pub fn load(v: &Value) -> Result<Self, SimError> {
        let machine = asl::load_value(v).map_err(|e| load_errors(&e))?;
        Self::from_machine(&machine)
    }

    /// Builds the program of a loaded state machine.
    pub fn from_machine(machine: &asl::StateMachine) -> Result<Self, SimError> {
        let language = machine
            .query_language
            .unwrap_or(asl::QueryLanguage::JsonPath);
        let mut program = Self::from_states(&machine.start_at, &machine.states, language)?;
        program.timeout_seconds = machine.timeout_seconds;
        let mut slots = std::collections::HashMap::new();
        program.number_tasks(&mut slots);
        program.task_slots = slots.len();
        let mut names = Interner::default();
        program.number_names(&mut names);
        program.names = Names::new(names.names);
        Ok(program)
    }

    fn from_branch(branch: &asl::Branch, inherited: asl::QueryLanguage) -> Result<Self, SimError> {
        let language = branch.query_language.unwrap_or(inherited);
        Self::from_states(&branch.start_at, &branch.states, language)
    }

    fn from_states(
        start_at: &asl::StateName,
        states: &IndexMap<asl::StateName, asl::State>,
        language: asl::QueryLanguage,
    ) -> Result<Self, SimError> {
        let mut out = IndexMap::new();
        for (name, state) in states {
            out.insert(name.as_str().to_string(), convert_state(state, language)?);
        }
        let Some(start_index) = out.get_index_of(start_at.as_str()) else {
            return Err(invalid(format!(
                "StartAt names '{start_at}', which is not a state"
            )));
        };
        // flowc-asl loads shapes; graph checks live in the compiler. The engine needs every
        // transition to land on a state of the same scope, so it checks that much itself, and
        // resolves each target to the state's position.
        let positions: std::collections::HashMap<String, usize> = out
            .keys()
            .enumerate()
            .map(|(i, name)| (name.clone(), i))
            .collect();
        for s in out.values_mut() {
            let from = s.name.clone();
            for target in targets(s) {
                target.index = *positions.get(&target.name).ok_or_else(|| {
                    invalid(format!(
                        "state '{from}' goes to '{}', which is not a state of its scope",
                        target.name
                    ))
                })?;
            }
        }
        Ok(Self {
            start_at: start_at.as_str().to_string(),
            start_index,
            uses_context: out.values().any(|s| s.uses_context),
            states: out,
            timeout_seconds: None,
            task_slots: 0,
            names: Names::default(),
        })
    }

    /// Gives every Task state its invocation counter, one per name.
    fn number_tasks(&mut self, slots: &mut std::collections::HashMap<String, usize>) {
        for s in self.states.values_mut() {
            match &mut s.kind {
                StateKind::Task(def) => {
                    let next = slots.len();
                    def.slot = *slots.entry(s.name.clone()).or_insert(next);
                }
                StateKind::Parallel { branches } => {
                    branches.iter_mut().for_each(|b| b.number_tasks(slots));
                }
                StateKind::Map(m) => m.processor.number_tasks(slots),
                _ => {}
            }
        }
    }

    /// Gives every state name and Task resource its symbol in the machine's names.
    fn number_names(&mut self, names: &mut Interner) {
        for s in self.states.values_mut() {
            s.sym = names.intern(&s.event_name);
            match &mut s.kind {
                StateKind::Task(def) => match &def.target {
                    crate::states::task::Target::Lambda { resource } => {
                        def.resource_sym = names.intern(resource);
                    }
                    crate::states::task::Target::Service {
                        resource_type,
                        resource,
                    } => {
                        def.resource_type_sym = names.intern(resource_type);
                        def.resource_sym = names.intern(resource);
                    }
                },
                StateKind::Parallel { branches } => {
                    branches.iter_mut().for_each(|b| b.number_names(names));
                }
                StateKind::Map(m) => m.processor.number_names(names),
                _ => {}
            }
        }
    }

    /// Names of every Task state, in branches and Map processors too (mock files refer to them).
    pub(crate) fn task_state_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in self.states.values() {
            match &s.kind {
                StateKind::Task(_) => out.push(s.name.clone()),
                StateKind::Parallel { branches } => {
                    branches
                        .iter()
                        .for_each(|b| out.extend(b.task_state_names()));
                }
                StateKind::Map(m) => out.extend(m.processor.task_state_names()),
                _ => {}
            }
        }
        out
    }
}

/// Collects the names of a machine, each once.
#[derive(Default)]
struct Interner {
    names: Vec<Shared>,
    index: std::collections::HashMap<Shared, Sym>,
}

impl Interner {
    fn intern(&mut self, name: &Shared) -> Sym {
        if let Some(sym) = self.index.get(name) {
            return *sym;
        }
        let sym = Sym(u32::try_from(self.names.len()).unwrap_or(u32::MAX));
        self.names.push(name.clone());
        self.index.insert(name.clone(), sym);
        sym
    }
}

fn targets(s: &mut State) -> Vec<&mut NextState> {
    let mut t: Vec<&mut NextState> = s.catch.iter_mut().map(|c| &mut c.next).collect();
    if let Transition::Next(n) = &mut s.transition {
        t.push(n);
    }
    if let StateKind::Choice { choices, default } = &mut s.kind {
        t.extend(choices.iter_mut().map(|c| &mut c.next));
        t.extend(default.iter_mut());
    }
    t
}

fn distributed_def(m: &asl::Map, name: &str) -> Result<DistributedDef, SimError> {
    if m.item_reader
        .as_ref()
        .is_some_and(|r| r.arguments.is_some())
        || m.result_writer
            .as_ref()
            .is_some_and(|w| w.arguments.is_some())
    {
        return Err(unsupported(format!("JSONata Arguments (state '{name}')")));
    }
    let batcher = match &m.item_batcher {
        Some(b) => Some(BatcherDef {
            max_items: integer(b.max_items_per_batch.as_ref())?,
            max_bytes: integer(b.max_input_bytes_per_batch.as_ref())?,
            batch_input: b.batch_input.clone(),
        }),
        None => None,
    };
    Ok(DistributedDef {
        reader: m.item_reader.as_ref().map(|r| {
            (
                r.resource.clone(),
                r.reader_config.clone(),
                template(r.parameters.as_ref()),
            )
        }),
        batcher,
        writer: m
            .result_writer
            .as_ref()
            .and_then(|w| template(w.parameters.as_ref())),
        label: m.label.clone(),
        express: m
            .item_processor
            .processor_config
            .as_ref()
            .and_then(|c| c.execution_type)
            == Some(asl::ExecutionType::Express),
    })
}

fn template(t: Option<&asl::Template>) -> Option<Template> {
    t.map(Template::from_asl)
}

fn convert_state(state: &asl::State, inherited: asl::QueryLanguage) -> Result<State, SimError> {
    let name = state.name.as_str();
    let language = state.query_language.unwrap_or(inherited);
    // The state's own fields; nested states are read when their branch is converted.
    let json_text = asl::state_own_text(state);
    let mut out = State {
        name: name.to_string(),
        event_name: name.into(),
        sym: Sym::default(),
        kind: StateKind::Succeed,
        input_path: path_field(state.input_path.as_ref()),
        output_path: path_field(state.output_path.as_ref()),
        result_path: PathField::Default,
        parameters: None,
        result_selector: None,
        transition: Transition::End,
        retry: Vec::new(),
        catch: Vec::new(),
        assign: state.assign.as_ref().map(AssignDef::from_asl),
        jsonata: (language == asl::QueryLanguage::Jsonata).then(|| Box::new(JsonataDef::of(state))),
        // Conservative: a literal string containing "$$" (or, in JSONata, `$states.context`)
        // only costs a context build.
        uses_context: json_text.contains("$$")
            || (language == asl::QueryLanguage::Jsonata && json_text.contains("context")),
        result_names: None,
        embeds_input: false,
    };
    out.kind = match &state.kind {
        asl::StateKind::Pass(p) => {
            out.parameters = template(p.parameters.as_ref());
            out.result_path = result_path(p.result_path.as_ref())?;
            out.transition = transition(&p.transition);
            StateKind::Pass {
                result: p.result.clone().map(std::sync::Arc::new),
                result_text: p.result.as_ref().map(|r| crate::json::to_text(r).into()),
            }
        }
        asl::StateKind::Task(t) => {
            out.parameters = template(t.parameters.as_ref());
            out.result_selector = template(t.result_selector.as_ref());
            out.result_path = result_path(t.result_path.as_ref())?;
            out.transition = transition(&t.transition);
            out.retry = t.retry.clone();
            out.catch = catchers(&t.catch)?;
            StateKind::Task(Box::new(TaskDef {
                resource: t.resource.clone(),
                target: crate::states::task::classify(&t.resource),
                pattern: Pattern::of(&t.resource),
                timeout: integer(t.timeout.as_ref())?,
                heartbeat: integer(t.heartbeat.as_ref())?,
                slot: 0,
                resource_sym: Sym::default(),
                resource_type_sym: Sym::default(),
            }))
        }
        asl::StateKind::Choice(c) => StateKind::Choice {
            choices: c.choices.iter().map(rule).collect(),
            default: c.default.as_ref().map(|d| NextState::named(d.as_str())),
        },
        asl::StateKind::Wait(w) => {
            out.transition = transition(&w.transition);
            StateKind::Wait(match &w.wait_for {
                asl::WaitFor::Seconds(asl::IntegerField::Value(n)) => WaitDef::Seconds(*n as f64),
                asl::WaitFor::Seconds(asl::IntegerField::Path(p)) => {
                    WaitDef::SecondsPath(reference(p)?)
                }
                asl::WaitFor::Timestamp(asl::TimestampField::Value(t)) => {
                    WaitDef::Timestamp(t.clone())
                }
                asl::WaitFor::Timestamp(asl::TimestampField::Path(p)) => {
                    WaitDef::TimestampPath(reference(p)?)
                }
                asl::WaitFor::Seconds(asl::IntegerField::Jsonata(e)) => {
                    WaitDef::SecondsJsonata(e.clone())
                }
                asl::WaitFor::Timestamp(asl::TimestampField::Jsonata(e)) => {
                    WaitDef::TimestampJsonata(e.clone())
                }
            })
        }
        asl::StateKind::Succeed => StateKind::Succeed,
        asl::StateKind::Fail(f) => {
            let (error, error_path) = text(f.error.as_ref())?;
            let (cause, cause_path) = text(f.cause.as_ref())?;
            StateKind::Fail(Box::new(FailDef {
                error,
                error_path,
                cause,
                cause_path,
                error_jsonata: jsonata_text(f.error.as_ref()),
                cause_jsonata: jsonata_text(f.cause.as_ref()),
            }))
        }
        asl::StateKind::Parallel(p) => {
            out.parameters = template(p.parameters.as_ref());
            out.result_selector = template(p.result_selector.as_ref());
            out.result_path = result_path(p.result_path.as_ref())?;
            out.transition = transition(&p.transition);
            out.retry = p.retry.clone();
            out.catch = catchers(&p.catch)?;
            StateKind::Parallel {
                branches: p
                    .branches
                    .iter()
                    .map(|b| Program::from_branch(b, language))
                    .collect::<Result<_, _>>()?,
            }
        }
        asl::StateKind::Map(m) => {
            let distributed = m
                .item_processor
                .processor_config
                .as_ref()
                .and_then(|c| c.mode)
                == Some(asl::ProcessorMode::Distributed);
            let distributed = (distributed
                || m.item_reader.is_some()
                || m.result_writer.is_some()
                || m.item_batcher.is_some())
            .then(|| distributed_def(m, name))
            .transpose()?
            .map(Box::new);
            out.result_selector = template(m.result_selector.as_ref());
            out.result_path = result_path(m.result_path.as_ref())?;
            out.transition = transition(&m.transition);
            out.retry = m.retry.clone();
            out.catch = catchers(&m.catch)?;
            StateKind::Map(Box::new(MapDef {
                processor: Program::from_branch(&m.item_processor.branch, language)?,
                items_path: match &m.items_path {
                    None => PathField::Default,
                    Some(p) => PathField::Path(reference(p)?),
                },
                items: m.items.clone(),
                item_selector: m
                    .item_selector
                    .as_ref()
                    .and_then(asl::Payload::as_template)
                    .map(Template::from_asl),
                max_concurrency: integer(m.max_concurrency.as_ref())?,
                tolerated_percentage: number(m.tolerated_failure_percentage.as_ref())?,
                tolerated_count: integer(m.tolerated_failure_count.as_ref())?,
                distributed,
            }))
        }
    };
    // `$$` read anywhere inside counts for the state too (`Program::uses_context` of the
    // machine keeps `$$.Execution.Input` for it).
    out.uses_context |= match &out.kind {
        StateKind::Parallel { branches } => branches.iter().any(|b| b.uses_context),
        StateKind::Map(def) => def.processor.uses_context,
        _ => false,
    };
    out.result_names = out.find_result_names();
    let whole_input = match &out.input_path {
        PathField::Default => true,
        PathField::Path(p) => p.input_names().is_some_and(<[_]>::is_empty),
        PathField::Null => false,
    };
    out.embeds_input = whole_input
        && match (&out.kind, &out.parameters) {
            (_, Some(template)) => template.reads_whole_input(),
            (StateKind::Pass { result: None, .. }, None) => {
                !matches!(out.result_path, PathField::Default | PathField::Null)
            }
            _ => false,
        };
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn loads_states_in_definition_order() {
        let p = Program::load(&json!({
            "StartAt": "A",
            "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}
        }));
        let p = p.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.states.keys().collect::<Vec<_>>(), ["A", "B"]);
        let Transition::Next(next) = &p.states["A"].transition else {
            panic!("A goes on to B")
        };
        assert_eq!((next.as_str(), next.index), ("B", 1));
    }

    #[test]
    fn invalid_definitions_are_refused_by_the_loader() {
        let e = Program::load(&json!({
            "StartAt": "A",
            "States": {"A": {"Type": "Pass", "Next": "Nope"}}
        }));
        assert!(
            matches!(e, Err(SimError::InvalidDefinition { message }) if message.contains("Nope"))
        );
    }

    #[test]
    fn jsonata_states_keep_their_expressions_and_inherit_the_language() {
        let p = Program::load(&json!({
            "QueryLanguage": "JSONata",
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Output": "{% $states.input %}", "Next": "P"},
                "P": {"Type": "Parallel", "Branches": [
                    {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}], "End": true}
            }
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let a = p.states["A"].jsonata.as_ref().map(|d| d.output.is_some());
        assert_eq!(a, Some(true));
        let StateKind::Parallel { branches } = &p.states["P"].kind else {
            panic!("P is a Parallel")
        };
        assert!(branches[0].states["B"].jsonata.is_some());
    }

    #[test]
    fn retry_defaults_follow_aws() {
        let p = Program::load(&json!({
            "StartAt": "T",
            "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f",
                             "Retry": [{"ErrorEquals": ["States.ALL"]}], "End": true}}
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let r = &p.states["T"].retry[0];
        assert_eq!(
            (
                r.interval_seconds_or_default(),
                r.max_attempts_or_default(),
                r.backoff_rate_or_default()
            ),
            (1, 3, 2.0)
        );
    }
}
