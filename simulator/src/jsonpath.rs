//! The simulator's view of a JSONPath: `asl::path` does the parsing and Jayway-dialect
//! evaluation (one implementation, shared with the compiler's checks); this adapter adds what
//! the engine needs on top: the reference-path form for writes (ResultPath) when the path has
//! one, and AWS's wording when a path selects nothing.

use flowc_asl::path::{JsonPath, PathEvalError, RefStep, ReferencePath};
use serde_json::{Map, Value};
use std::fmt;

/// A parsed JSONPath (`$...` or `$$...`).
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    path: JsonPath,
    /// Present when the path names a single node (plain names and indexes), so it can be written.
    reference: Option<ReferencePath>,
}

impl Path {
    pub fn parse(text: &str) -> Result<Self, String> {
        let path = JsonPath::parse(text).map_err(|e| format!("invalid path '{text}': {e}"))?;
        let reference = ReferencePath::parse(text).ok();
        Ok(Self { path, reference })
    }

    /// Wraps a path of the loaded model.
    pub fn from_json_path(path: &JsonPath) -> Self {
        Self {
            path: path.clone(),
            reference: ReferencePath::parse(path.as_str()).ok(),
        }
    }

    /// Wraps a reference path of the loaded model (ResultPath, `*Path` fields, Variable).
    pub fn from_reference(reference: &ReferencePath) -> Result<Self, String> {
        let path = JsonPath::parse(reference.as_str())
            .map_err(|e| format!("invalid path '{}': {e}", reference.as_str()))?;
        Ok(Self {
            path,
            reference: Some(reference.clone()),
        })
    }

    pub fn as_str(&self) -> &str {
        self.path.as_str()
    }

    /// `$$.…`: a path into the context object.
    pub fn is_context(&self) -> bool {
        self.path.is_context()
    }

    /// The selected value: the node for a definite path, the array of matches otherwise
    /// (empty when nothing matches); a definite path that finds nothing is Jayway's error.
    pub fn select(&self, root: &Value) -> Result<Value, PathEvalError> {
        self.path.select_cow(root).map(std::borrow::Cow::into_owned)
    }

    /// Writes `value` at this path inside `root`, as ResultPath does.
    pub fn set(&self, root: Value, value: Value) -> Result<Value, String> {
        if self.can_set_in_place(&root) {
            let mut root = root;
            self.write_names(&mut root, value);
            return Ok(root);
        }
        let reference = self
            .reference
            .as_ref()
            .ok_or_else(|| format!("'{}' is not a reference path", self.as_str()))?;
        let mut root = root;
        reference.set(&mut root, value).map_err(|e| e.to_string())?;
        Ok(root)
    }
}

impl Path {
    /// Whether [`Self::set_in_place`] would write `root` without error; `false` also when it
    /// cannot tell cheaply (then callers copy the document and use [`Self::set`]).
    pub fn can_set_in_place(&self, root: &Value) -> bool {
        let Some(steps) = self.reference.as_ref().map(ReferencePath::steps) else {
            return false;
        };
        let Some((last, parents)) = steps.split_last() else {
            return false;
        };
        let mut node = root;
        for (i, step) in parents.iter().enumerate() {
            node = match (step, node) {
                (RefStep::Name(name), Value::Object(members)) => match members.get(name) {
                    Some(next) => next,
                    // Missing objects are created; from here on only names can follow.
                    None => {
                        let rest = parents.get(i + 1..).unwrap_or_default();
                        return rest
                            .iter()
                            .chain([last])
                            .all(|s| matches!(s, RefStep::Name(_)));
                    }
                },
                _ => return false,
            };
        }
        matches!((last, node), (RefStep::Name(_), Value::Object(_)))
    }

    /// The member names of a path made of names only (`$.a.b`: `["a", "b"]`); `None` for `$`
    /// and for paths with indexes.
    pub fn member_names(&self) -> Option<Vec<&str>> {
        let steps = self.reference.as_ref()?.steps();
        if steps.is_empty() || self.is_context() {
            return None;
        }
        steps
            .iter()
            .map(|s| match s {
                RefStep::Name(n) => Some(n.as_str()),
                RefStep::Index(_) => None,
            })
            .collect()
    }

    /// How many leading names of this path exist in `root` (`$.a.b` in `{"a": {}}`: 1).
    pub fn existing_names(&self, root: &Value) -> usize {
        let Some(reference) = &self.reference else {
            return 0;
        };
        let mut node = root;
        let mut count = 0;
        for step in reference.steps() {
            match (step, node) {
                (RefStep::Name(name), Value::Object(members)) => match members.get(name) {
                    Some(next) => {
                        node = next;
                        count += 1;
                    }
                    None => break,
                },
                _ => break,
            }
        }
        count
    }

    /// ResultPath's write into a document the caller owns, without copying it, when
    /// [`Self::can_set_in_place`] says it cannot fail (otherwise `root` is left as it is and the
    /// answer is `None`). Returns how many leading names of the path were already there.
    pub fn set_in_place(&self, root: &mut Value, value: Value) -> Option<usize> {
        if !self.can_set_in_place(root) {
            return None;
        }
        self.write_names(root, value)
    }

    /// The write itself, for a path [`Self::can_set_in_place`] accepted: same result as
    /// [`ReferencePath::set`], without preparing its error texts.
    fn write_names(&self, root: &mut Value, value: Value) -> Option<usize> {
        let steps = self.reference.as_ref().map(ReferencePath::steps)?;
        let (RefStep::Name(last), parents) = steps.split_last()? else {
            return None;
        };
        let mut node = root;
        let mut existing = 0;
        let mut still = true;
        for step in parents {
            let (RefStep::Name(name), Value::Object(members)) = (step, node) else {
                return None;
            };
            if members.contains_key(name.as_str()) {
                existing += usize::from(still);
            } else {
                still = false;
                members.insert(name.clone(), Value::Object(Map::new()));
            }
            node = members.get_mut(name.as_str())?;
        }
        let Value::Object(members) = node else {
            return None;
        };
        match members.get_mut(last.as_str()) {
            Some(slot) => {
                *slot = value;
                existing += usize::from(still);
            }
            None => {
                members.insert(last.clone(), value);
            }
        }
        Some(existing)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(text: &str) -> Path {
        Path::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn select_distinguishes_definite_and_indefinite_paths() {
        assert_eq!(path("$.a.b").select(&json!({"a": {"b": 1}})), Ok(json!(1)));
        assert_eq!(path("$.items[1:]").select(&json!({})), Ok(json!([])));
        assert!(path("$.x").select(&json!({})).is_err());
    }

    #[test]
    fn set_writes_through_reference_paths_only() {
        assert_eq!(
            path("$.a.b").set(json!({"x": 1}), json!(2)),
            Ok(json!({"x": 1, "a": {"b": 2}}))
        );
        assert_eq!(path("$").set(json!({"x": 1}), json!(2)), Ok(json!(2)));
        assert!(path("$.a[*]").set(json!({"a": [1]}), json!(2)).is_err());
    }
}
