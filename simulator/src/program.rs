//! ASL -> sim program: the definition loaded once into typed, pre-parsed, indexed states so the
//! run loop never looks at `"Type"` strings or re-parses a path.
//!
//! Interim: the program is built from the definition's JSON. The shared `asl::StateMachine`
//! model is not committed yet; once it is, `Program::from_machine` replaces `Program::load`'s
//! reading of raw JSON and the rest of the simulator is unchanged.

use crate::choice::{ChoiceRule, parse_rule};
use crate::error::SimError;
use crate::jsonpath::Path;
use crate::template::{Dynamic, Template};
use indexmap::IndexMap;
use serde_json::{Map, Value};

/// A path field that may be absent (default `$`), `null` (discard), or a path.
#[derive(Debug, Clone, PartialEq)]
pub enum PathField {
    Default,
    Null,
    Path(Path),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Transition {
    Next(String),
    End,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Retrier {
    pub error_equals: Vec<flowc_asl::ErrorName>,
    pub interval_seconds: f64,
    pub max_attempts: u64,
    pub backoff_rate: f64,
    pub max_delay_seconds: Option<f64>,
    pub full_jitter: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Catcher {
    pub error_equals: Vec<flowc_asl::ErrorName>,
    pub next: String,
    pub result_path: PathField,
}

/// A number given literally or through a `*Path` field.
#[derive(Debug, Clone, PartialEq)]
pub enum NumberSource {
    Literal(f64),
    Path(Path),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskDef {
    pub resource: String,
    pub timeout: Option<NumberSource>,
    pub heartbeat: Option<NumberSource>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WaitDef {
    Seconds(f64),
    Timestamp(String),
    SecondsPath(Path),
    TimestampPath(Path),
}

#[derive(Debug, Clone, PartialEq)]
pub struct FailDef {
    pub error: Option<String>,
    pub error_path: Option<Dynamic>,
    pub cause: Option<String>,
    pub cause_path: Option<Dynamic>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MapDef {
    pub processor: Program,
    pub items_path: PathField,
    pub item_selector: Option<Template>,
    pub max_concurrency: Option<NumberSource>,
    pub tolerated_percentage: Option<NumberSource>,
    pub tolerated_count: Option<NumberSource>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StateKind {
    Pass {
        result: Option<Value>,
    },
    Task(TaskDef),
    Choice {
        choices: Vec<ChoiceRule>,
        default: Option<String>,
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
    pub kind: StateKind,
    pub input_path: PathField,
    pub output_path: PathField,
    pub result_path: PathField,
    pub parameters: Option<Template>,
    pub result_selector: Option<Template>,
    pub transition: Transition,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
}

/// A state machine (or a Parallel branch / Map processor) ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub start_at: String,
    pub states: IndexMap<String, State>,
    pub timeout_seconds: Option<u64>,
}

fn invalid(message: impl Into<String>) -> SimError {
    SimError::InvalidDefinition {
        message: message.into(),
    }
}

fn obj<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>, SimError> {
    v.as_object()
        .ok_or_else(|| invalid(format!("{what} must be a JSON object")))
}

fn opt_str(m: &Map<String, Value>, key: &str, state: &str) -> Result<Option<String>, SimError> {
    match m.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(format!(
            "field '{key}' of state '{state}' must be a string"
        ))),
    }
}

fn opt_num(m: &Map<String, Value>, key: &str, state: &str) -> Result<Option<f64>, SimError> {
    match m.get(key) {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(_) => Err(invalid(format!(
            "field '{key}' of state '{state}' must be a number"
        ))),
    }
}

fn parse_path(text: &str, field: &str, state: &str) -> Result<Path, SimError> {
    Path::parse(text).map_err(|e| invalid(format!("field '{field}' of state '{state}': {e}")))
}

fn path_field(m: &Map<String, Value>, key: &str, state: &str) -> Result<PathField, SimError> {
    match m.get(key) {
        None => Ok(PathField::Default),
        Some(Value::Null) => Ok(PathField::Null),
        Some(Value::String(s)) => Ok(PathField::Path(parse_path(s, key, state)?)),
        Some(_) => Err(invalid(format!(
            "field '{key}' of state '{state}' must be a path or null"
        ))),
    }
}

fn opt_path(m: &Map<String, Value>, key: &str, state: &str) -> Result<Option<Path>, SimError> {
    opt_str(m, key, state)?
        .map(|s| parse_path(&s, key, state))
        .transpose()
}

fn opt_dynamic(
    m: &Map<String, Value>,
    key: &str,
    state: &str,
) -> Result<Option<Dynamic>, SimError> {
    opt_str(m, key, state)?
        .map(|s| {
            Dynamic::parse(&s)
                .map_err(|e| invalid(format!("field '{key}' of state '{state}': {e}")))
        })
        .transpose()
}

fn number_source(
    m: &Map<String, Value>,
    key: &str,
    state: &str,
) -> Result<Option<NumberSource>, SimError> {
    if let Some(n) = opt_num(m, key, state)? {
        return Ok(Some(NumberSource::Literal(n)));
    }
    Ok(opt_path(m, &format!("{key}Path"), state)?.map(NumberSource::Path))
}

fn error_equals(
    m: &Map<String, Value>,
    state: &str,
) -> Result<Vec<flowc_asl::ErrorName>, SimError> {
    let list = m
        .get("ErrorEquals")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            invalid(format!(
                "a Retry/Catch of state '{state}' lacks ErrorEquals"
            ))
        })?;
    list.iter()
        .map(|v| {
            v.as_str()
                .map(flowc_asl::ErrorName::new)
                .ok_or_else(|| invalid(format!("ErrorEquals of state '{state}' must hold strings")))
        })
        .collect()
}

fn retriers(m: &Map<String, Value>, state: &str) -> Result<Vec<Retrier>, SimError> {
    let Some(list) = m.get("Retry") else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or_else(|| invalid(format!("Retry of state '{state}' must be an array")))?;
    list.iter()
        .map(|r| {
            let r = obj(r, "a retrier")?;
            Ok(Retrier {
                error_equals: error_equals(r, state)?,
                interval_seconds: opt_num(r, "IntervalSeconds", state)?.unwrap_or(1.0),
                max_attempts: opt_num(r, "MaxAttempts", state)?.unwrap_or(3.0).max(0.0) as u64,
                backoff_rate: opt_num(r, "BackoffRate", state)?.unwrap_or(2.0),
                max_delay_seconds: opt_num(r, "MaxDelaySeconds", state)?,
                full_jitter: opt_str(r, "JitterStrategy", state)?.as_deref() == Some("FULL"),
            })
        })
        .collect()
}

fn catchers(m: &Map<String, Value>, state: &str) -> Result<Vec<Catcher>, SimError> {
    let Some(list) = m.get("Catch") else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or_else(|| invalid(format!("Catch of state '{state}' must be an array")))?;
    list.iter()
        .map(|c| {
            let c = obj(c, "a catcher")?;
            Ok(Catcher {
                error_equals: error_equals(c, state)?,
                next: opt_str(c, "Next", state)?
                    .ok_or_else(|| invalid(format!("a Catch of state '{state}' lacks Next")))?,
                result_path: path_field(c, "ResultPath", state)?,
            })
        })
        .collect()
}

fn template(m: &Map<String, Value>, key: &str, state: &str) -> Result<Option<Template>, SimError> {
    m.get(key)
        .map(|v| Template::parse(v).map_err(|e| invalid(format!("{key} of state '{state}': {e}"))))
        .transpose()
}

impl Program {
    /// Loads a definition from its JSON text.
    pub fn from_json_text(text: &str) -> Result<Self, SimError> {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| invalid(format!("{e} (line {}, column {})", e.line(), e.column())))?;
        Self::load(&v)
    }

    /// Loads a definition (or a branch / processor) from JSON.
    pub fn load(v: &Value) -> Result<Self, SimError> {
        let m = obj(v, "the definition")?;
        if let Some(ql) = m.get("QueryLanguage").and_then(Value::as_str)
            && ql != "JSONPath"
        {
            return Err(SimError::Unsupported {
                feature: format!("QueryLanguage {ql}"),
            });
        }
        let start_at = m
            .get("StartAt")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("StartAt is missing"))?
            .to_string();
        let states_json = obj(
            m.get("States")
                .ok_or_else(|| invalid("States is missing"))?,
            "States",
        )?;
        let mut states = IndexMap::new();
        for (name, sv) in states_json {
            states.insert(name.clone(), load_state(name, sv)?);
        }
        if !states.contains_key(&start_at) {
            return Err(invalid(format!(
                "StartAt names '{start_at}', which is not a state"
            )));
        }
        for s in states.values() {
            for target in targets(s) {
                if !states.contains_key(target) {
                    return Err(invalid(format!(
                        "state '{}' goes to '{target}', which is not a state",
                        s.name
                    )));
                }
            }
        }
        let timeout_seconds = m.get("TimeoutSeconds").and_then(Value::as_u64);
        Ok(Self {
            start_at,
            states,
            timeout_seconds,
        })
    }
}

impl Program {
    /// Names of every Task state, in branches and Map processors too (mock files refer to them).
    pub fn task_state_names(&self) -> Vec<String> {
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

fn targets(s: &State) -> Vec<&String> {
    let mut t: Vec<&String> = s.catch.iter().map(|c| &c.next).collect();
    if let Transition::Next(n) = &s.transition {
        t.push(n);
    }
    if let StateKind::Choice { choices, default } = &s.kind {
        t.extend(choices.iter().filter_map(|c| c.next.as_ref()));
        t.extend(default.iter());
    }
    t
}

fn load_state(name: &str, v: &Value) -> Result<State, SimError> {
    let m = obj(v, &format!("state '{name}'"))?;
    if let Some(ql) = m.get("QueryLanguage").and_then(Value::as_str)
        && ql != "JSONPath"
    {
        return Err(SimError::Unsupported {
            feature: format!("QueryLanguage {ql} (state '{name}')"),
        });
    }
    if m.contains_key("Assign") {
        return Err(SimError::Unsupported {
            feature: format!("Variables (Assign in state '{name}')"),
        });
    }
    let ty =
        opt_str(m, "Type", name)?.ok_or_else(|| invalid(format!("state '{name}' has no Type")))?;
    let kind = match ty.as_str() {
        "Pass" => StateKind::Pass {
            result: m.get("Result").cloned(),
        },
        "Task" => StateKind::Task(TaskDef {
            resource: opt_str(m, "Resource", name)?
                .ok_or_else(|| invalid(format!("Task state '{name}' has no Resource")))?,
            timeout: number_source(m, "TimeoutSeconds", name)?,
            heartbeat: number_source(m, "HeartbeatSeconds", name)?,
        }),
        "Choice" => {
            let list = m
                .get("Choices")
                .and_then(Value::as_array)
                .ok_or_else(|| invalid(format!("Choice state '{name}' has no Choices")))?;
            let choices = list
                .iter()
                .map(|c| parse_rule(c, true).map_err(|e| invalid(format!("state '{name}': {e}"))))
                .collect::<Result<_, _>>()?;
            StateKind::Choice {
                choices,
                default: opt_str(m, "Default", name)?,
            }
        }
        "Wait" => StateKind::Wait(if let Some(s) = opt_num(m, "Seconds", name)? {
            WaitDef::Seconds(s)
        } else if let Some(t) = opt_str(m, "Timestamp", name)? {
            WaitDef::Timestamp(t)
        } else if let Some(p) = opt_path(m, "SecondsPath", name)? {
            WaitDef::SecondsPath(p)
        } else if let Some(p) = opt_path(m, "TimestampPath", name)? {
            WaitDef::TimestampPath(p)
        } else {
            return Err(invalid(format!(
                "Wait state '{name}' needs Seconds, Timestamp, SecondsPath or TimestampPath"
            )));
        }),
        "Succeed" => StateKind::Succeed,
        "Fail" => StateKind::Fail(Box::new(FailDef {
            error: opt_str(m, "Error", name)?,
            error_path: opt_dynamic(m, "ErrorPath", name)?,
            cause: opt_str(m, "Cause", name)?,
            cause_path: opt_dynamic(m, "CausePath", name)?,
        })),
        "Parallel" => {
            let list = m
                .get("Branches")
                .and_then(Value::as_array)
                .ok_or_else(|| invalid(format!("Parallel state '{name}' has no Branches")))?;
            StateKind::Parallel {
                branches: list.iter().map(Program::load).collect::<Result<_, _>>()?,
            }
        }
        "Map" => {
            if m.contains_key("ItemReader") || m.contains_key("ResultWriter") {
                return Err(SimError::Unsupported {
                    feature: format!("distributed Map (ItemReader/ResultWriter in state '{name}')"),
                });
            }
            let processor = m
                .get("ItemProcessor")
                .or_else(|| m.get("Iterator"))
                .ok_or_else(|| invalid(format!("Map state '{name}' has no ItemProcessor")))?;
            if processor
                .get("ProcessorConfig")
                .and_then(|c| c.get("Mode"))
                .and_then(Value::as_str)
                == Some("DISTRIBUTED")
            {
                return Err(SimError::Unsupported {
                    feature: format!("distributed Map (state '{name}')"),
                });
            }
            let selector = if m.contains_key("ItemSelector") {
                template(m, "ItemSelector", name)?
            } else {
                // Legacy Map: Parameters plays the role of ItemSelector.
                template(m, "Parameters", name)?
            };
            StateKind::Map(Box::new(MapDef {
                processor: Program::load(processor)?,
                items_path: path_field(m, "ItemsPath", name)?,
                item_selector: selector,
                max_concurrency: number_source(m, "MaxConcurrency", name)?,
                tolerated_percentage: number_source(m, "ToleratedFailurePercentage", name)?,
                tolerated_count: number_source(m, "ToleratedFailureCount", name)?,
            }))
        }
        other => {
            return Err(invalid(format!(
                "state '{name}' has unknown Type '{other}'"
            )));
        }
    };
    let transition = match (opt_str(m, "Next", name)?, m.get("End")) {
        (Some(n), _) => Transition::Next(n),
        (None, _) => Transition::End,
    };
    let is_map = matches!(kind, StateKind::Map(_));
    Ok(State {
        name: name.to_string(),
        input_path: path_field(m, "InputPath", name)?,
        output_path: path_field(m, "OutputPath", name)?,
        result_path: path_field(m, "ResultPath", name)?,
        parameters: if is_map {
            None
        } else {
            template(m, "Parameters", name)?
        },
        result_selector: template(m, "ResultSelector", name)?,
        transition,
        retry: retriers(m, name)?,
        catch: catchers(m, name)?,
        kind,
    })
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
        assert_eq!(p.states["A"].transition, Transition::Next("B".into()));
    }

    #[test]
    fn unknown_target_is_an_error_naming_it() {
        let e = Program::load(&json!({
            "StartAt": "A",
            "States": {"A": {"Type": "Pass", "Next": "Nope"}}
        }));
        assert!(
            matches!(e, Err(SimError::InvalidDefinition { message }) if message.contains("'Nope'"))
        );
    }

    #[test]
    fn jsonata_is_unsupported_not_misread() {
        let e = Program::load(&json!({
            "QueryLanguage": "JSONata",
            "StartAt": "A",
            "States": {"A": {"Type": "Succeed"}}
        }));
        assert!(matches!(e, Err(SimError::Unsupported { .. })));
    }
}
