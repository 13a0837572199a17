//! flowc-asl: the Amazon States Language data model shared by the compiler, the checks and the
//! simulator.
//!
//! - [`StateMachine`] holds the machine; Parallel branches and Map processors are [`Branch`]es.
//!   Each [`State`] has its common fields (Comment, InputPath, OutputPath, Assign, Output) and a
//!   [`StateKind`] with the type's own fields. Field names follow AWS spelling in snake case;
//!   `Option` means "not written", and [`PathOrNull`] keeps an explicit JSON `null` distinct.
//! - Paths are parsed at load time ([`path::JsonPath`], [`path::ReferencePath`]); payload
//!   templates (Parameters, ResultSelector, ItemSelector) are a [`Template`] tree; Choice rules
//!   are a [`Condition`] tree; error names match through [`ErrorName::matches`].
//! - JSONata-mode fields (Arguments, Output, Assign, Items, `{% %}` strings) load as raw JSON so
//!   consumers can refuse them cleanly until they are implemented.
//! - [`load`] parses ASL JSON text with byte spans into a [`Loaded`] (machine + [`SpanTable`]),
//!   collecting every problem as a [`LoadError`] (codes `flowc::asl::*`); [`load_value`] takes
//!   already-parsed JSON. [`emit`] writes canonical JSON (documented key order, byte-stable).

pub mod choice;
pub mod emit;
pub mod intrinsic;
pub mod load;
pub mod model;
pub mod names;
pub mod path;
pub mod retry;
pub mod spans;
pub mod template;
pub mod time;

pub use choice::{ChoiceRule, Comparison, Condition, Operand, OperandFamily, Operator};
pub use emit::{emit, machine_json, state_json};
pub use load::{LoadError, LoadErrors, Loaded, line_column, load, load_value};
pub use model::{
    Branch, Choice, ExecutionType, Fail, IntegerField, ItemBatcher, ItemProcessor, ItemReader, Map,
    NumberField, Parallel, Pass, PathOrNull, ProcessorConfig, ProcessorMode, QueryLanguage,
    ResultPath, ResultWriter, State, StateKind, StateMachine, StatePath, StatePathSegment, Task,
    TextField, TimestampField, Transition, Wait, WaitFor,
};
pub use names::{ErrorName, StateName};
pub use retry::{Catcher, JitterStrategy, Retrier};
pub use spans::{FieldSpan, SpanTable, StateSpans};
pub use template::{Template, TemplateEntry, TemplateValue};
pub use time::parse_timestamp;
