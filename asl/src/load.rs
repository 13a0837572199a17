//! Loading ASL JSON text into the typed model, with spans and collected diagnostics.

mod ctx;
mod error;
mod expressions;
pub(crate) mod json;
mod map;
mod parts;
mod states;

pub use error::{LoadError, LoadErrors, Source, line_column};
pub use json::MAX_DEPTH;

use crate::rules::MAX_STATES;

use crate::model::StateMachine;
use crate::spans::SpanTable;
use ctx::Ctx;
use json::{JsonError, Node};
use miette::NamedSource;
use serde_json::Value;
use std::sync::Arc;

/// A loaded definition: the machine and where each of its parts was written.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub machine: StateMachine,
    pub spans: SpanTable,
}

/// Parses and decodes an ASL definition. `file_name` names the source in diagnostics. All
/// problems are collected and returned together; the function never panics on any input.
pub fn load(text: &str, file_name: &str) -> Result<Loaded, LoadErrors> {
    let shared: Arc<str> = Arc::from(text);
    let src = NamedSource::new(file_name, Arc::clone(&shared));
    let mut ctx = Ctx::new(src);
    let machine = match json::parse(text) {
        Ok((root, problems)) => {
            for problem in problems {
                json_error(&mut ctx, text, problem);
            }
            if let Some(span) = state_past_limit(&root, MAX_STATES) {
                ctx.push(LoadError::TooManyStates {
                    limit: MAX_STATES,
                    past: MAX_STATES + 1,
                    src: ctx.src(),
                    span,
                });
                None
            } else {
                states::machine(&mut ctx, &root)
            }
        }
        Err(problem) => {
            json_error(&mut ctx, text, problem);
            None
        }
    };
    match machine {
        Some(machine) if ctx.errors.is_empty() => Ok(Loaded {
            machine,
            spans: ctx.spans,
        }),
        _ => Err(LoadErrors::new(file_name, shared, ctx.errors)),
    }
}

/// What [`load_partial`] could make of a definition with errors.
#[derive(Debug)]
pub struct Partial {
    /// The machine without the states that did not decode (and without any state whose
    /// nested states did not); `None` when not even that could be built.
    pub loaded: Option<Loaded>,
    /// Names of the states left out.
    pub failed_states: Vec<String>,
}

/// Like [`load`], for a definition [`load`] refused: the states that decoded, so that checks
/// of single states (States.ALL placement, a Choice without Default, ...) can still report in
/// the same run. Never a machine to run or emit: states are missing from it.
pub fn load_partial(text: &str, file_name: &str) -> Partial {
    let shared: Arc<str> = Arc::from(text);
    let src = NamedSource::new(file_name, Arc::clone(&shared));
    let mut ctx = Ctx::new(src);
    ctx.partial = true;
    let machine = match json::parse(text) {
        Ok((root, _)) if state_past_limit(&root, MAX_STATES).is_none() => {
            states::machine(&mut ctx, &root)
        }
        _ => None,
    };
    Partial {
        loaded: machine.map(|machine| Loaded {
            machine,
            spans: ctx.spans,
        }),
        failed_states: ctx.failed_states,
    }
}

/// Decodes a definition that is already parsed JSON (spans then point into its pretty-printed
/// text, named `<definition>`).
pub fn load_value(value: &Value) -> Result<StateMachine, LoadErrors> {
    // serde_json serialises recursively; refuse depths the text loader would refuse anyway
    // before handing the value over.
    if value_depth_exceeds(value, MAX_DEPTH) {
        let text: Arc<str> = Arc::from("");
        let error = LoadError::TooDeep {
            limit: MAX_DEPTH,
            src: NamedSource::new("<definition>", Arc::clone(&text)),
            span: (0, 0).into(),
        };
        return Err(LoadErrors::new("<definition>", text, vec![error]));
    }
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    load(&text, "<definition>").map(|loaded| loaded.machine)
}

/// The Distributed Map objects of one Map state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DistributedParts {
    pub item_reader: Option<crate::model::ItemReader>,
    pub item_batcher: Option<crate::model::ItemBatcher>,
    pub result_writer: Option<crate::model::ResultWriter>,
}

/// Decodes a Map's ItemReader, ItemBatcher and ResultWriter written as JSON outside a
/// definition (the `.flow` fields `item_reader`, `item_batcher`, `result_writer`) with the very
/// code that decodes them in a definition, so the compiler accepts exactly what the loader
/// does. `state` is the Map state's name, for messages. Each error is `(field, message with its help)`, `field` being the object it is in.
pub fn distributed_parts(
    state: &str,
    item_reader: Option<&Value>,
    item_batcher: Option<&Value>,
    result_writer: Option<&Value>,
) -> Result<DistributedParts, Vec<(&'static str, String)>> {
    use miette::Diagnostic;
    let mut map = serde_json::Map::new();
    map.insert("Type".into(), "Map".into());
    map.insert(
        "ItemProcessor".into(),
        serde_json::json!({"StartAt": "Item", "States": {"Item": {"Type": "Succeed"}}}),
    );
    for (field, value) in [
        ("ItemReader", item_reader),
        ("ItemBatcher", item_batcher),
        ("ResultWriter", result_writer),
    ] {
        if let Some(value) = value {
            map.insert(field.into(), value.clone());
        }
    }
    map.insert("End".into(), true.into());
    let mut states = serde_json::Map::new();
    states.insert(state.to_string(), map.into());
    let definition = serde_json::json!({"StartAt": state, "States": states});
    let text = serde_json::to_string_pretty(&definition).unwrap_or_default();
    let errors = match load(&text, "<map>") {
        Ok(loaded) => {
            return match loaded.machine.states.get(state).map(|s| &s.kind) {
                Some(crate::model::StateKind::Map(map)) => Ok(DistributedParts {
                    item_reader: map.item_reader.clone(),
                    item_batcher: map.item_batcher.clone(),
                    result_writer: map.result_writer.clone(),
                }),
                _ => Err(vec![("ItemReader", "not decoded as a Map".to_string())]),
            };
        }
        Err(errors) => errors,
    };
    Err(errors
        .errors()
        .iter()
        .map(|error| {
            // The object the error is in: the last of the three that starts before it.
            let at = error.span().offset();
            let field = ["ResultWriter", "ItemBatcher", "ItemReader"]
                .into_iter()
                .find(|field| {
                    text.find(&format!("\"{field}\""))
                        .is_some_and(|start| start <= at)
                })
                .unwrap_or("ItemReader");
            let message = match error.help() {
                Some(help) => format!("{error}; {help}"),
                None => error.to_string(),
            };
            (field, message)
        })
        .collect())
}

/// Whether `value` nests arrays/objects deeper than `limit`; iterative, so it cannot overflow.
/// Where the state past `limit` ([`MAX_STATES`]) is written (its name), counting the states of
/// `root` and of every branch and processor in it, in the JSON tree: decoding, spans and checks
/// take memory in proportion to the states, and no deployable definition has more.
fn state_past_limit(root: &Node, limit: usize) -> Option<miette::SourceSpan> {
    let mut count = 0usize;
    // Graphs (the machine, branches, processors) still to count; a stack, not recursion,
    // though nesting is bounded by MAX_DEPTH anyway.
    let mut graphs = vec![root];
    while let Some(graph) = graphs.pop() {
        let Some(states) = graph
            .get("States")
            .and_then(|member| member.value.members())
        else {
            continue;
        };
        for state in states {
            count += 1;
            if count > limit {
                return Some(state.key_span);
            }
            if let Some(branches) = state.value.get("Branches")
                && let json::NodeValue::Array(items) = &branches.value.value
            {
                graphs.extend(items.iter());
            }
            for field in ["ItemProcessor", "Iterator"] {
                if let Some(processor) = state.value.get(field) {
                    graphs.push(&processor.value);
                }
            }
        }
    }
    None
}

fn value_depth_exceeds(value: &Value, limit: usize) -> bool {
    let mut stack = vec![(value, 0usize)];
    while let Some((value, depth)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match value {
            Value::Array(items) => Box::new(items.iter()),
            Value::Object(map) => Box::new(map.values()),
            _ => continue,
        };
        if depth + 1 > limit {
            return true;
        }
        stack.extend(children.map(|child| (child, depth + 1)));
    }
    false
}

fn json_error(ctx: &mut Ctx, text: &str, problem: JsonError) {
    let error = match problem {
        JsonError::Syntax { message, span } => {
            let (line, column) = line_column(text, span.offset());
            LoadError::Syntax {
                message,
                line,
                column,
                src: ctx.src(),
                span,
            }
        }
        JsonError::TooDeep { span } => LoadError::TooDeep {
            limit: MAX_DEPTH,
            src: ctx.src(),
            span,
        },
        JsonError::BadNumber { text, span } => LoadError::BadNumber {
            text,
            src: ctx.src(),
            span,
        },
        JsonError::DuplicateKey { key, first, second } => LoadError::DuplicateKey {
            key,
            src: ctx.src(),
            first,
            span: second,
        },
    };
    ctx.push(error);
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn states_are_counted_through_branches_and_processors() {
        // Five states: the Parallel, its branch's two, the Map and its processor's one.
        let text = r#"{"StartAt": "P", "States": {
            "P": {"Type": "Parallel", "Next": "M", "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                                            "B": {"Type": "Succeed"}}}]},
            "M": {"Type": "Map", "End": true, "ItemProcessor":
                {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}}}"#;
        let (root, _) = json::parse(text).unwrap();
        assert_eq!(state_past_limit(&root, 5), None);
        let past = state_past_limit(&root, 4).unwrap();
        // The stack meets P, M, then the processor's I, then the branch's A and B: B is fifth.
        let name = &text[past.offset()..past.offset() + past.len()];
        assert_eq!(name.trim_matches('"'), "B");
        assert!(load(text, "m.asl.json").is_ok());
    }

    #[test]
    fn load_value_decodes_parsed_json() {
        let value = json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}});
        let machine = load_value(&value).unwrap();
        assert_eq!(machine.start_at.as_str(), "A");
    }

    #[test]
    fn load_value_reports_errors_against_its_pretty_text() {
        let value = json!({"StartAt": "A", "States": {"A": {"Type": "Sucseed"}}});
        let errors = load_value(&value).unwrap_err();
        assert_eq!(errors.file, "<definition>");
        assert!(matches!(
            errors.errors(),
            [LoadError::UnknownStateType { found, .. }] if found == "Sucseed"
        ));
    }

    #[test]
    fn load_value_refuses_deep_values_without_recursing() {
        let mut value = json!(1);
        for _ in 0..10_000 {
            value = Value::Array(vec![value]);
        }
        let errors = load_value(&value).unwrap_err();
        assert!(matches!(errors.errors(), [LoadError::TooDeep { .. }]));
        // Dropping a 10,000-deep Value recurses in serde_json; forget it instead of risking
        // this test thread's stack.
        std::mem::forget(value);
    }
}
