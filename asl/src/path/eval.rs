//! Segments -> values, following Jayway's evaluation rules (the ones AWS exhibits):
//!
//! - a definite path walks one node and reports the first step that fails, with Jayway's text;
//! - an indefinite path collects matches and silently skips anything missing or of the wrong
//!   type, so `$.items[1:5]` over `{}` is `[]`, as AWS returns;
//! - a filter applied to an object tests the object itself (Jayway's quirk), applied to an array
//!   it tests each element;
//! - a list of names at the end of a path merges the named members into one object.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::{
    CompareOp, FilterExpr, Operand, PathEvalError, PathFunction, RefStep, RelativePath, Segment,
    Selector,
};

/// Jayway calls a path definite when it can name at most one node: names and single indexes,
/// optionally ending in a list of names (merged into one object).
pub(super) fn segments_definite(segments: &[Segment]) -> bool {
    let count = segments.len();
    segments.iter().enumerate().all(|(i, s)| match s {
        Segment::Child(Selector::Name(_) | Selector::Index(_)) => true,
        Segment::Child(Selector::Names(_)) => i + 1 == count,
        _ => false,
    })
}

pub(super) fn select(
    segments: &[Segment],
    function: Option<PathFunction>,
    root: &Value,
) -> Result<Value, PathEvalError> {
    let value = if segments_definite(segments) {
        definite(segments, root)?
    } else {
        Value::Array(indefinite(segments, root, root))
    };
    Ok(apply_function(function, value))
}

/// Jayway's `length()`: the size of an array or object; anything else has no length (null).
fn apply_function(function: Option<PathFunction>, value: Value) -> Value {
    match function {
        None => value,
        Some(PathFunction::Length) => match &value {
            Value::Array(items) => Value::from(items.len()),
            Value::Object(members) => Value::from(members.len()),
            _ => Value::Null,
        },
    }
}

enum Step<'a> {
    Name(&'a str),
    Index(i64),
}

/// Lets one walker serve parsed segments and stored reference steps without copying them.
trait AsStep {
    fn step(&self) -> Step<'_>;
}

impl AsStep for Step<'_> {
    fn step(&self) -> Step<'_> {
        match self {
            Step::Name(n) => Step::Name(n),
            Step::Index(i) => Step::Index(*i),
        }
    }
}

impl AsStep for RefStep {
    fn step(&self) -> Step<'_> {
        step_of(self)
    }
}

fn definite(segments: &[Segment], root: &Value) -> Result<Value, PathEvalError> {
    let (last_names, walk) = match segments.split_last() {
        Some((Segment::Child(Selector::Names(names)), rest)) => (Some(names), rest),
        _ => (None, segments),
    };
    let steps: Vec<Step<'_>> = walk
        .iter()
        .filter_map(|s| match s {
            Segment::Child(Selector::Name(n)) => Some(Step::Name(n)),
            Segment::Child(Selector::Index(i)) => Some(Step::Index(*i)),
            _ => None,
        })
        .collect();
    let node = walk_steps(&steps, root, last_names.is_none())?;
    let Some(names) = last_names else {
        return Ok(node.clone());
    };
    let Value::Object(members) = node else {
        return Err(PathEvalError::NotAnObject {
            property: names_fragment(names),
            path: normalized_of(&steps),
            found: type_name(node),
        });
    };
    let merged: Map<String, Value> = names
        .iter()
        .filter_map(|n| members.get(n).map(|v| (n.clone(), v.clone())))
        .collect();
    Ok(Value::Object(merged))
}

/// Walks names and indexes; `leaf_is_last` says whether the final step is the end of the path
/// (Jayway words a missing leaf and a missing intermediate differently).
fn walk_steps<'v, S: AsStep>(
    steps: &[S],
    root: &'v Value,
    leaf_is_last: bool,
) -> Result<&'v Value, PathEvalError> {
    let mut node = root;
    for (i, step) in steps.iter().enumerate() {
        let is_leaf = leaf_is_last && i + 1 == steps.len();
        node = match step.step() {
            Step::Name(name) => {
                let Value::Object(members) = node else {
                    return Err(PathEvalError::NotAnObject {
                        property: format!("['{name}']"),
                        path: normalized_of(steps.get(..i).unwrap_or_default()),
                        found: type_name(node),
                    });
                };
                match members.get(name) {
                    Some(next) => next,
                    None if is_leaf => {
                        return Err(PathEvalError::NoResults {
                            path: normalized_of(steps),
                        });
                    }
                    None => {
                        return Err(PathEvalError::MissingProperty {
                            path: normalized_of(steps.get(..=i).unwrap_or_default()),
                        });
                    }
                }
            }
            Step::Index(index) => {
                let Value::Array(items) = node else {
                    return Err(PathEvalError::NotAnArray {
                        selector: format!("[{index}]"),
                        context: node.to_string(),
                    });
                };
                match resolve_index(index, items.len()).and_then(|k| items.get(k)) {
                    Some(next) => next,
                    None => {
                        return Err(PathEvalError::NoResults {
                            path: normalized_of(steps),
                        });
                    }
                }
            }
        };
    }
    Ok(node)
}

pub(super) fn get_ref<'v>(steps: &[RefStep], root: &'v Value) -> Result<&'v Value, PathEvalError> {
    walk_steps(steps, root, true)
}

/// Like [`select`], borrowing when the path is plain names and indexes (the common case), so
/// callers need not copy the selected value.
pub(super) fn select_cow<'v>(
    segments: &[Segment],
    steps: Option<&[RefStep]>,
    function: Option<PathFunction>,
    root: &'v Value,
) -> Result<Cow<'v, Value>, PathEvalError> {
    match (steps, function) {
        (Some(steps), None) => walk_steps(steps, root, true).map(Cow::Borrowed),
        _ => select(segments, function, root).map(Cow::Owned),
    }
}

fn step_of(step: &RefStep) -> Step<'_> {
    match step {
        RefStep::Name(n) => Step::Name(n),
        RefStep::Index(i) => Step::Index(*i),
    }
}

pub(super) fn set_ref(
    steps: &[RefStep],
    root: &mut Value,
    value: Value,
) -> Result<(), PathEvalError> {
    let Some((last, parents)) = steps.split_last() else {
        *root = value;
        return Ok(());
    };
    let mut node = root;
    for (i, step) in parents.iter().enumerate() {
        let here = || normalized_steps(steps.get(..i).unwrap_or_default());
        node = match (step, node) {
            (RefStep::Name(name), Value::Object(members)) => members
                .entry(name.clone())
                .or_insert_with(|| Value::Object(Map::new())),
            (RefStep::Index(index), Value::Array(items)) => {
                let len = items.len();
                match resolve_index(*index, len).and_then(|k| items.get_mut(k)) {
                    Some(next) => next,
                    None => {
                        return Err(PathEvalError::CannotSet {
                            step: format!("[{index}]"),
                            path: here(),
                            found: "an array too short",
                            expected: "an element at that index",
                        });
                    }
                }
            }
            (step, other) => return Err(cannot_set(step, here(), other)),
        };
    }
    let here = normalized_steps(parents);
    match (last, node) {
        (RefStep::Name(name), Value::Object(members)) => {
            members.insert(name.clone(), value);
            Ok(())
        }
        (RefStep::Index(index), Value::Array(items)) => {
            let len = items.len();
            match resolve_index(*index, len).and_then(|k| items.get_mut(k)) {
                Some(slot) => {
                    *slot = value;
                    Ok(())
                }
                None => Err(PathEvalError::CannotSet {
                    step: format!("[{index}]"),
                    path: here,
                    found: "an array too short",
                    expected: "an element at that index",
                }),
            }
        }
        (step, other) => Err(cannot_set(step, here, other)),
    }
}

fn cannot_set(step: &RefStep, path: String, found: &Value) -> PathEvalError {
    let (step, expected) = match step {
        RefStep::Name(n) => (format!("['{n}']"), "an object"),
        RefStep::Index(i) => (format!("[{i}]"), "an array"),
    };
    PathEvalError::CannotSet {
        step,
        path,
        found: type_name(found),
        expected,
    }
}

/// A negative index counts from the end; `None` when outside the array.
/// Jayway's reading of an array index (`[-1]` is the last element): the position in an array
/// of `len` elements, or `None` when it is outside.
pub fn resolve_index(index: i64, len: usize) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let k = if index < 0 { len + index } else { index };
    if (0..len).contains(&k) {
        usize::try_from(k).ok()
    } else {
        None
    }
}

fn indefinite(segments: &[Segment], root: &Value, start: &Value) -> Vec<Value> {
    // A list of names at the very end merges per node rather than iterating.
    if let Some((Segment::Child(Selector::Names(names)), rest)) = segments.split_last() {
        return collect(rest, root, start)
            .into_iter()
            .filter_map(|node| match node {
                Value::Object(members) => Some(Value::Object(
                    names
                        .iter()
                        .filter_map(|n| members.get(n).map(|v| (n.clone(), v.clone())))
                        .collect(),
                )),
                _ => None,
            })
            .collect();
    }
    collect(segments, root, start)
        .into_iter()
        .cloned()
        .collect()
}

fn collect<'v>(segments: &[Segment], root: &'v Value, start: &'v Value) -> Vec<&'v Value> {
    let mut nodes = vec![start];
    for segment in segments {
        let mut next = Vec::new();
        for node in nodes {
            match segment {
                Segment::Child(selector) => apply(selector, node, root, &mut next),
                Segment::Descendant(selector) => descend(selector, node, root, &mut next),
            }
        }
        nodes = next;
    }
    nodes
}

/// Pre-order over `node` and its descendants, applying the selector at each, as Jayway's scan
/// does. A filter here matches objects themselves (arrays only when the filter holds for the
/// array), which is what Jayway's scan predicate amounts to.
fn descend<'v>(selector: &Selector, node: &'v Value, root: &'v Value, out: &mut Vec<&'v Value>) {
    apply(selector, node, root, out);
    match node {
        Value::Object(members) => {
            for child in members.values() {
                descend(selector, child, root, out);
            }
        }
        Value::Array(items) => {
            for child in items {
                descend(selector, child, root, out);
            }
        }
        _ => {}
    }
}

fn apply<'v>(selector: &Selector, node: &'v Value, root: &'v Value, out: &mut Vec<&'v Value>) {
    match (selector, node) {
        (Selector::Name(name), Value::Object(members)) => out.extend(members.get(name)),
        (Selector::Names(names), Value::Object(members)) => {
            out.extend(names.iter().filter_map(|n| members.get(n)));
        }
        (Selector::Wildcard, Value::Object(members)) => out.extend(members.values()),
        (Selector::Wildcard, Value::Array(items)) => out.extend(items.iter()),
        (Selector::Index(i), Value::Array(items)) => {
            out.extend(resolve_index(*i, items.len()).and_then(|k| items.get(k)));
        }
        (Selector::Indexes(indexes), Value::Array(items)) => {
            for i in indexes {
                out.extend(resolve_index(*i, items.len()).and_then(|k| items.get(k)));
            }
        }
        (Selector::Slice { start, end, step }, Value::Array(items)) => {
            for k in slice_indexes(*start, *end, *step, items.len()) {
                out.extend(items.get(k));
            }
        }
        (Selector::Filter(expr), Value::Array(items)) => {
            out.extend(items.iter().filter(|item| test(expr, item, root)));
        }
        (Selector::Filter(expr), Value::Object(_)) if test(expr, node, root) => out.push(node),
        _ => {}
    }
}

/// Python-style slice bounds: negative positions count from the end, out-of-range bounds clamp,
/// a negative step walks backwards.
fn slice_indexes(
    start: Option<i64>,
    end: Option<i64>,
    step: Option<i64>,
    len: usize,
) -> Vec<usize> {
    let Ok(len) = i64::try_from(len) else {
        return Vec::new();
    };
    let step = step.unwrap_or(1);
    let norm = |v: i64, low: i64, high: i64| {
        let v = if v < 0 { v.saturating_add(len) } else { v };
        v.clamp(low, high)
    };
    let mut out = Vec::new();
    if step > 0 {
        let from = start.map_or(0, |s| norm(s, 0, len));
        let to = end.map_or(len, |e| norm(e, 0, len));
        let mut k = from;
        while k < to {
            out.extend(usize::try_from(k).ok());
            k = k.saturating_add(step);
        }
    } else if step < 0 {
        let from = start.map_or(len - 1, |s| norm(s, -1, len - 1));
        let to = end.map_or(-1, |e| norm(e, -1, len - 1));
        let mut k = from;
        while k > to {
            out.extend(usize::try_from(k).ok());
            k = k.saturating_add(step);
        }
    }
    out
}

fn test(expr: &FilterExpr, item: &Value, root: &Value) -> bool {
    match expr {
        FilterExpr::Or(a, b) => test(a, item, root) || test(b, item, root),
        FilterExpr::And(a, b) => test(a, item, root) && test(b, item, root),
        FilterExpr::Not(inner) => !test(inner, item, root),
        FilterExpr::Exists(operand) => {
            operand_value(operand, item, root).is_some_and(|v| match (operand, &v) {
                // An indefinite relative path exists when it matches something.
                (Operand::Current(p) | Operand::Root(p), Value::Array(items))
                    if !segments_definite(&p.segments) && p.function.is_none() =>
                {
                    !items.is_empty()
                }
                _ => true,
            })
        }
        FilterExpr::Matches(left, regex) => match operand_value(left, item, root) {
            Some(Value::String(text)) => regex.is_match(&text),
            _ => false,
        },
        FilterExpr::Compare(left, op, right) => {
            let l = operand_value(left, item, root);
            let r = operand_value(right, item, root);
            compare(*op, l.as_ref(), r.as_ref())
        }
    }
}

/// The value of a filter operand; `None` when a definite path finds nothing (Jayway's
/// UNDEFINED).
fn operand_value(operand: &Operand, item: &Value, root: &Value) -> Option<Value> {
    let eval = |path: &RelativePath, start: &Value| select_from(path, root, start).ok();
    match operand {
        Operand::Literal(v) => Some(v.clone()),
        Operand::Current(path) => eval(path, item),
        Operand::Root(path) => eval(path, root),
    }
}

fn select_from(path: &RelativePath, root: &Value, start: &Value) -> Result<Value, PathEvalError> {
    let value = if segments_definite(&path.segments) {
        definite(&path.segments, start)?
    } else {
        Value::Array(indefinite(&path.segments, root, start))
    };
    Ok(apply_function(path.function, value))
}

fn compare(op: CompareOp, left: Option<&Value>, right: Option<&Value>) -> bool {
    match op {
        CompareOp::Ne => !compare(CompareOp::Eq, left, right),
        CompareOp::StrictNe => !compare(CompareOp::StrictEq, left, right),
        CompareOp::Nin => match right {
            Some(Value::Array(items)) => {
                !items.iter().any(|i| left.is_some_and(|l| loose_eq(l, i)))
            }
            _ => false,
        },
        _ => {
            let (Some(l), Some(r)) = (left, right) else {
                return false;
            };
            match op {
                CompareOp::Eq => loose_eq(l, r),
                CompareOp::StrictEq => type_name(l) == type_name(r) && loose_eq(l, r),
                CompareOp::Contains => match l {
                    Value::String(text) => r.as_str().is_some_and(|part| text.contains(part)),
                    Value::Array(items) => items.iter().any(|i| loose_eq(i, r)),
                    _ => false,
                },
                CompareOp::Lt => ordering(l, r).is_some_and(|o| o.is_lt()),
                CompareOp::Le => ordering(l, r).is_some_and(|o| o.is_le()),
                CompareOp::Gt => ordering(l, r).is_some_and(|o| o.is_gt()),
                CompareOp::Ge => ordering(l, r).is_some_and(|o| o.is_ge()),
                CompareOp::In => r
                    .as_array()
                    .is_some_and(|items| items.iter().any(|i| loose_eq(l, i))),
                CompareOp::SubsetOf => match (l, r) {
                    (Value::Array(ls), Value::Array(rs)) => {
                        ls.iter().all(|x| rs.iter().any(|y| loose_eq(x, y)))
                    }
                    _ => false,
                },
                CompareOp::AnyOf => match (l, r) {
                    (Value::Array(ls), Value::Array(rs)) => {
                        ls.iter().any(|x| rs.iter().any(|y| loose_eq(x, y)))
                    }
                    _ => false,
                },
                CompareOp::NoneOf => match (l, r) {
                    (Value::Array(ls), Value::Array(rs)) => {
                        !ls.iter().any(|x| rs.iter().any(|y| loose_eq(x, y)))
                    }
                    _ => false,
                },
                CompareOp::Size => {
                    let size = match l {
                        Value::Array(items) => items.len(),
                        Value::String(s) => s.chars().count(),
                        _ => return false,
                    };
                    r.as_f64().is_some_and(|n| n == size as f64)
                }
                CompareOp::Empty => {
                    let empty = match l {
                        Value::Array(items) => items.is_empty(),
                        Value::String(s) => s.is_empty(),
                        _ => return false,
                    };
                    r.as_bool() == Some(empty)
                }
                CompareOp::Ne | CompareOp::StrictNe | CompareOp::Nin => false,
            }
        }
    }
}

/// Jayway's `==`: numbers compare by value; a string equals a number when it reads as that
/// number; everything else is JSON equality.
fn loose_eq(l: &Value, r: &Value) -> bool {
    match (l, r) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Number(n), Value::String(s)) | (Value::String(s), Value::Number(n)) => {
            s.trim().parse::<f64>().ok() == n.as_f64()
        }
        _ => l == r,
    }
}

/// Jayway's `<`, `>`: numbers with numbers, strings with strings; anything else is unordered.
fn ordering(l: &Value, r: &Value) -> Option<std::cmp::Ordering> {
    match (l, r) {
        (Value::Number(a), Value::Number(b)) => a.as_f64()?.partial_cmp(&b.as_f64()?),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn names_fragment(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    format!("[{}]", quoted.join(","))
}

fn normalized_of<S: AsStep>(steps: &[S]) -> String {
    let mut out = String::from("$");
    for step in steps {
        match step.step() {
            Step::Name(n) => {
                let _ = write!(out, "['{n}']");
            }
            Step::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
        }
    }
    out
}

pub(super) fn normalized_steps(steps: &[RefStep]) -> String {
    normalized_of(steps)
}

/// Jayway's normalised spelling of a whole path, as AWS quotes it in causes.
pub(super) fn normalized(segments: &[Segment]) -> String {
    let mut out = String::from("$");
    for segment in segments {
        let selector = match segment {
            Segment::Child(s) => s,
            Segment::Descendant(s) => {
                out.push_str("..");
                s
            }
        };
        let _ = match selector {
            Selector::Name(n) => write!(out, "['{n}']"),
            Selector::Names(ns) => write!(out, "{}", names_fragment(ns)),
            Selector::Wildcard => write!(out, "[*]"),
            Selector::Index(i) => write!(out, "[{i}]"),
            Selector::Indexes(is) => {
                let parts: Vec<String> = is.iter().map(i64::to_string).collect();
                write!(out, "[{}]", parts.join(","))
            }
            Selector::Slice { start, end, step } => {
                let part = |v: &Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
                match step {
                    Some(s) => write!(out, "[{}:{}:{s}]", part(start), part(end)),
                    None => write!(out, "[{}:{}]", part(start), part(end)),
                }
            }
            Selector::Filter(_) => write!(out, "[?]"),
        };
    }
    out
}
