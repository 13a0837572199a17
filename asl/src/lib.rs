//! flowc-asl: the Amazon States Language data model shared by the compiler, the checks and the
//! simulator.
//!
//! # The model
//! - [`StateMachine`] (Comment, QueryLanguage, StartAt, States, TimeoutSeconds, Version) holds
//!   `states: IndexMap<StateName, State>` in written order. Parallel branches and Map
//!   processors are [`Branch`]es with the same `start_at` / `states`.
//! - [`State`] has the fields most types share (Comment, QueryLanguage, InputPath, OutputPath,
//!   Assign, Output) and a [`StateKind`] (Task, Pass, Choice, Wait, Succeed, Fail, Parallel,
//!   Map) with the type's own fields. Names follow AWS spelling in snake case. `Option` means
//!   "not written"; `Option<PathOrNull<_>>` keeps an explicit JSON `null` (InputPath,
//!   OutputPath, ResultPath) distinct from absence.
//! - Accessors that save matching on every kind: [`State::transition`], [`State::retry`],
//!   [`State::catch`], [`State::result_path`], [`State::successors`], [`State::branches`];
//!   [`StateMachine::all_states`] walks nested states with their [`StatePath`].
//! - Paths are parsed at load ([`path::JsonPath`], [`path::ReferencePath`]); payload templates
//!   (Parameters, ResultSelector, ItemSelector, Credentials) are a [`Template`] tree whose
//!   `.$` entries are [`TemplateValue::Path`] or [`TemplateValue::Intrinsic`]; Choice rules are
//!   a [`Condition`] tree ([`Operator`] + [`Operand`], `*Path` forms as [`Operand::Path`]).
//! - Numbers: seconds and counts are `u64` ([`IntegerField`] adds the `...Path` and JSONata
//!   forms); BackoffRate and ToleratedFailurePercentage are `f64`.
//! - AWS rules that must exist once: [`ErrorName::matches`] (States.ALL / States.TaskFailed
//!   matching, terminal errors), which Retry / Catch entry takes an error ([`Retrier::find`],
//!   [`Catcher::find`]: States.Runtime never), [`Retrier`] defaults and delays
//!   ([`Retrier::delay_seconds`]: backoff, MaxDelaySeconds, full jitter from the caller's
//!   seeded generator), Choice rule evaluation ([`Condition::evaluate`], paths read through
//!   the caller's [`ChoiceInput`]), [`parse_timestamp`].
//! - JSONata fields (Arguments, Output, Items, a JSONata ItemSelector, Condition, the number,
//!   timestamp and Fail text fields) are [`JsonataValue`] trees / [`JsonataString`]s of parsed
//!   expressions that keep their text; [`Assign`] is a template (JSONPath) or such values
//!   (JSONata); paths may read variables ([`path::PathRoot`]).
//!
//! # Loading and emitting
//! - [`load`](fn@load)`(text, file_name)` gives a [`Loaded`] (`machine` + [`SpanTable`]) or
//!   [`LoadErrors`]: every problem, each a [`LoadError`] (a miette diagnostic with a
//!   `flowc::asl::*` code, the named source, a label on the exact span and help).
//!   [`load_value`] decodes already-parsed JSON. Nesting deeper than [`load::MAX_DEPTH`] is an
//!   error, never a stack overflow.
//! - [`SpanTable`] maps a [`StatePath`] to the state's name span and its fields by pointer
//!   (`Next`, `Retry/0/ErrorEquals`, `Branches/0/StartAt`); see [`spans`].
//! - [`emit`](fn@emit) writes canonical JSON (key order documented in [`emit`](mod@emit)), byte-stable,
//!   and `load(emit(m)) == m`. [`machine_json`] / [`state_json`] give the same as values.

pub mod assign;
pub mod choice;
pub mod emit;
pub mod glob;
pub mod intrinsic;
pub mod jsonata;
pub mod jsonata_value;
pub mod load;
pub mod model;
pub mod names;
pub mod path;
pub mod reads;
pub mod retry;
pub mod rules;
pub mod spans;
pub mod template;
pub mod time;

pub use assign::Assign;
pub use choice::{
    ChoiceEvalError, ChoiceInput, ChoiceRule, Comparison, Condition, Operand, OperandFamily,
    Operator, Relation,
};
pub use emit::{emit, emitted_size, machine_json, state_json, state_own_text};
pub use jsonata_value::{JsonataString, JsonataValue};
pub use load::{
    DistributedParts, LoadError, LoadErrors, Loaded, Partial, distributed_parts, line_column, load,
    load_partial, load_value,
};
pub use model::{
    Branch, Choice, ExecutionType, Fail, IntegerField, ItemBatcher, ItemProcessor, ItemReader, Map,
    NumberField, Parallel, Pass, PathOrNull, Payload, ProcessorConfig, ProcessorMode,
    QueryLanguage, ResultPath, ResultWriter, State, StateKind, StateMachine, StatePath,
    StatePathSegment, Task, TextField, TimestampField, Transition, Wait, WaitFor,
};
pub use names::{ErrorName, StateName};
pub use retry::{Catcher, JitterStrategy, Retrier};
pub use spans::{FieldSpan, SpanTable, StateSpans};
pub use template::{Template, TemplateEntry, TemplateValue};
pub use time::parse_timestamp;
