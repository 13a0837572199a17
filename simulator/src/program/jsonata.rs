//! What a program keeps of a JSONata state's fields and of `Assign` in either language: the
//! model's parsed expressions, evaluated by `crate::jsonata` when the state runs.

use crate::template::Template;
use flowc_asl as asl;

/// A state's, a Choice rule's or a catcher's `Assign`.
#[derive(Debug, Clone, PartialEq)]
pub enum AssignDef {
    /// JSONPath mode: a payload template whose keys are the names assigned.
    JsonPath(Template),
    /// JSONata mode: each name's value, in written order.
    Jsonata(Vec<(String, asl::JsonataValue)>),
}

impl AssignDef {
    pub fn from_asl(assign: &asl::Assign) -> Self {
        match assign {
            asl::Assign::JsonPath(template) => AssignDef::JsonPath(Template::from_asl(template)),
            asl::Assign::Jsonata(values) => AssignDef::Jsonata(values.clone()),
        }
    }
}

/// The fields only a JSONata state has (its number, timestamp, Error and Cause expressions
/// are kept with the state type's own definition).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JsonataDef {
    /// `Output`: the state's output (its result or input when absent).
    pub output: Option<asl::JsonataValue>,
    /// A Task's or a Parallel's `Arguments`: what the task or each branch gets (the state's
    /// input when absent).
    pub arguments: Option<asl::JsonataValue>,
    /// A Map's `ItemSelector`: each iteration's input (the item when absent).
    pub item_selector: Option<asl::JsonataValue>,
}

impl JsonataDef {
    pub fn of(state: &asl::State) -> Self {
        let arguments = match &state.kind {
            asl::StateKind::Task(task) => task.arguments.clone(),
            asl::StateKind::Parallel(parallel) => parallel.arguments.clone(),
            _ => None,
        };
        let item_selector = match &state.kind {
            asl::StateKind::Map(map) => match &map.item_selector {
                Some(asl::Payload::Jsonata(value)) => Some(value.clone()),
                _ => None,
            },
            _ => None,
        };
        JsonataDef {
            output: state.output.clone(),
            arguments,
            item_selector,
        }
    }
}

/// A Fail state's Error or Cause when it is a `{% %}` expression.
pub fn jsonata_text(field: Option<&asl::TextField>) -> Option<asl::JsonataString> {
    match field {
        Some(asl::TextField::Jsonata(expression)) => Some(expression.clone()),
        _ => None,
    }
}
