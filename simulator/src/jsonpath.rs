//! The simulator's view of a JSONPath: `asl::path` does the parsing and Jayway-dialect
//! evaluation (one implementation, shared with the compiler's checks); this adapter adds what
//! the engine needs on top: the reference-path form for writes (ResultPath) when the path has
//! one, and AWS's wording when a path selects nothing.

use flowc_asl::path::{JsonPath, PathEvalError, RefStep, ReferencePath};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// Objects up to this many members are searched by comparing names in order rather than by
/// hashing the name (serde_json's ordered map hashes with SipHash, which costs more than a few
/// short comparisons; documents in workflows are mostly small objects).
const SCAN_LIMIT: usize = 8;

/// Whether two member names are equal, testing length and end bytes before the bytes: names
/// of one object often share a length ("tenant_id", "subdomain"), rarely their ends, and the
/// full comparison is a library call.
#[inline]
pub fn same_name(a: &str, b: &str) -> bool {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    x.len() == y.len() && x.first() == y.first() && x.last() == y.last() && x == y
}

/// The member `name` of an object.
pub fn member<'v>(members: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    if members.len() <= SCAN_LIMIT {
        members
            .iter()
            .find(|(k, _)| same_name(k, name))
            .map(|(_, v)| v)
    } else {
        members.get(name)
    }
}

/// The member `name` of an object, to change it.
pub fn member_mut<'v>(members: &'v mut Map<String, Value>, name: &str) -> Option<&'v mut Value> {
    if members.len() <= SCAN_LIMIT {
        members
            .iter_mut()
            .find(|(k, _)| same_name(k, name))
            .map(|(_, v)| v)
    } else {
        members.get_mut(name)
    }
}

/// A parsed JSONPath (`$...` or `$$...`).
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    path: JsonPath,
    /// Present when the path names a single node (plain names and indexes), so it can be written.
    reference: Option<ReferencePath>,
    /// The member names when the path is names only (`$.a.b`: `["a", "b"]`; `$`: none), the
    /// common case, walked without the general evaluator.
    names: Option<Box<[String]>>,
}

fn names_of(reference: Option<&ReferencePath>) -> Option<Box<[String]>> {
    reference?
        .steps()
        .iter()
        .map(|s| match s {
            RefStep::Name(n) => Some(n.clone()),
            RefStep::Index(_) => None,
        })
        .collect()
}

impl Path {
    fn new(path: JsonPath, reference: Option<ReferencePath>) -> Self {
        let names = names_of(reference.as_ref());
        Self {
            path,
            reference,
            names,
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let path = JsonPath::parse(text).map_err(|e| format!("invalid path '{text}': {e}"))?;
        let reference = ReferencePath::parse(text).ok();
        Ok(Self::new(path, reference))
    }

    /// Wraps a path of the loaded model.
    pub fn from_json_path(path: &JsonPath) -> Self {
        Self::new(path.clone(), ReferencePath::parse(path.as_str()).ok())
    }

    /// Wraps a reference path of the loaded model (ResultPath, `*Path` fields, Variable).
    pub fn from_reference(reference: &ReferencePath) -> Result<Self, String> {
        let path = JsonPath::parse(reference.as_str())
            .map_err(|e| format!("invalid path '{}': {e}", reference.as_str()))?;
        Ok(Self::new(path, Some(reference.clone())))
    }

    /// The node a names-only path finds by plain member lookups; `None` when the path has
    /// other steps or a member is missing (then the general evaluator decides, with its
    /// error texts).
    fn walk_names<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        let mut node = root;
        for name in self.names.as_deref()? {
            node = match node {
                Value::Object(members) => member(members, name)?,
                _ => return None,
            };
        }
        Some(node)
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
        self.select_cow(root).map(Cow::into_owned)
    }

    /// As [`Self::select`], borrowing the node when the path names one.
    pub fn select_cow<'v>(&self, root: &'v Value) -> Result<Cow<'v, Value>, PathEvalError> {
        match self.walk_names(root) {
            Some(node) => Ok(Cow::Borrowed(node)),
            None => self.path.select_cow(root),
        }
    }

    /// Writes `value` at this path inside `root`, as ResultPath does.
    pub fn set(&self, root: Value, value: Value) -> Result<Value, String> {
        let mut root = root;
        let value = match self.set_in_place(&mut root, value) {
            Ok(_) => return Ok(root),
            Err(value) => value,
        };
        let reference = self
            .reference
            .as_ref()
            .ok_or_else(|| format!("'{}' is not a reference path", self.as_str()))?;
        reference.set(&mut root, value).map_err(|e| e.to_string())?;
        Ok(root)
    }
}

impl Path {
    /// Whether [`Self::set_in_place`] would write `root` without error; `false` also when it
    /// cannot tell cheaply (then callers copy the document and use [`Self::set`]).
    pub fn can_set_in_place(&self, root: &Value) -> bool {
        let Some((_, parents)) = self.names.as_deref().and_then(<[String]>::split_last) else {
            return false;
        };
        let mut node = root;
        for name in parents {
            node = match node {
                Value::Object(members) => match member(members, name) {
                    Some(next) => next,
                    // Missing objects are created (the path is names only).
                    None => return true,
                },
                _ => return false,
            };
        }
        matches!(node, Value::Object(_))
    }

    /// The member names of a path made of names only (`$.a.b`: `["a", "b"]`); `None` for `$`
    /// and for paths with indexes.
    pub fn member_names(&self) -> Option<&[String]> {
        let names = self.names.as_deref()?;
        (!names.is_empty() && !self.is_context()).then_some(names)
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
                (RefStep::Name(name), Value::Object(members)) => match member(members, name) {
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
    /// [`Self::can_set_in_place`] says it cannot fail (otherwise `root` is left as it is and
    /// `value` comes back). Returns how many leading names of the path were already there.
    /// Same result as [`ReferencePath::set`], in one walk, without preparing error texts.
    pub fn set_in_place(&self, root: &mut Value, value: Value) -> Result<usize, Value> {
        let Some((last, parents)) = self.names.as_deref().and_then(<[String]>::split_last) else {
            return Err(value);
        };
        let mut node = root;
        let mut existing = 0;
        let mut still = true;
        for name in parents {
            // Nothing is changed before this test can fail: once a member is created, every
            // node below it is a new object.
            let Value::Object(members) = node else {
                return Err(value);
            };
            if still && member(members, name).is_some() {
                existing += 1;
            } else {
                still = false;
                members.insert(name.clone(), Value::Object(Map::new()));
            }
            node = match member_mut(members, name) {
                Some(next) => next,
                None => return Err(value),
            };
        }
        let Value::Object(members) = node else {
            return Err(value);
        };
        match member_mut(members, last) {
            Some(slot) => {
                *slot = value;
                existing += usize::from(still);
            }
            None => {
                members.insert(last.clone(), value);
            }
        }
        Ok(existing)
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
