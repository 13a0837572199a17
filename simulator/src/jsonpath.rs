//! The simulator's view of a JSONPath: `asl::path` does the parsing and Jayway-dialect
//! evaluation (one implementation, shared with the compiler's checks); this adapter adds what
//! the engine needs on top: the reference-path form for writes (ResultPath) when the path has
//! one, and AWS's wording when a path selects nothing.

use crate::doc::{Doc, Node};
use flowc_asl::path::{
    JsonPath, PathEvalError, RefStep, ReferencePath, Segment, Selector, resolve_index,
};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

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
    x.len() == y.len() && x.first() == y.first() && x.last() == y.last() && same_bytes(x, y)
}

/// Equality of two byte strings. Names of 4 to 16 bytes (most member names) are compared as
/// their first and last four or eight bytes, two word compares, and shorter ones byte by byte,
/// where the slice comparison would call memcmp.
#[inline]
pub(crate) fn same_bytes(x: &[u8], y: &[u8]) -> bool {
    let n = x.len();
    if n != y.len() {
        return false;
    }
    let word8 = |s: &[u8], at: usize| {
        s.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(u64::from_ne_bytes)
    };
    let word4 = |s: &[u8], at: usize| {
        s.get(at..at + 4)
            .and_then(|w| <[u8; 4]>::try_from(w).ok())
            .map(u32::from_ne_bytes)
    };
    match n {
        0..4 => x.iter().zip(y).all(|(a, b)| a == b),
        4..8 => word4(x, 0) == word4(y, 0) && word4(x, n - 4) == word4(y, n - 4),
        8..=16 => word8(x, 0) == word8(y, 0) && word8(x, n - 8) == word8(y, n - 8),
        _ => x == y,
    }
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

/// A path of the loaded model (an intrinsic function's argument) selected in a document: by
/// member names through shared subtrees when the path is names only, by the general evaluator
/// over the document as a value otherwise.
pub fn select_in_doc(path: &JsonPath, doc: &Doc) -> Result<Value, PathEvalError> {
    let names_only = path.function().is_none()
        && path
            .segments()
            .iter()
            .all(|s| matches!(s, Segment::Child(Selector::Name(_))));
    let names = path.segments().iter().filter_map(|s| match s {
        Segment::Child(Selector::Name(name)) => Some(name.as_str()),
        _ => None,
    });
    if names_only {
        // Walked by the names as they come; they are gathered only when the walk finds
        // nothing (an error, or Jayway's rules for the general evaluator).
        return match doc.walk_names(names.clone()) {
            Some(node) => Ok(node.to_cow().into_owned()),
            None => path.select(&spine(Node::Doc(doc), &names.collect::<Vec<_>>())),
        };
    }
    match doc {
        Doc::Value(v) => path.select(v),
        Doc::Object(_) | Doc::Array(_) => path.select(&doc.to_value()),
    }
}

/// What a path of member names that found nothing in a document read of it, as a value for
/// the general evaluator to word its error from (or to apply Jayway's rules for a step into
/// an array): the objects on the way with only the member named, down to the node where the
/// walk stopped, as it is. A failed lookup (a Choice testing `IsPresent` in a loop) used to
/// copy the whole document into a value first, at every state.
fn spine<S: AsRef<str>>(node: Node<'_>, names: &[S]) -> Value {
    match names.split_first() {
        Some((name, rest)) if node.is_object() => {
            let mut object = Map::new();
            if let Some(child) = node.member(name.as_ref()) {
                object.insert(name.as_ref().to_string(), spine(child, rest));
            }
            Value::Object(object)
        }
        _ => node.to_cow().into_owned(),
    }
}

/// The node the steps of a reference path (member names and indexes, `$.items[0].id`) find
/// in a document, through shared subtrees without building anything; `None` when a step is
/// missing or meets another kind of node, which is also when Jayway's evaluator finds nothing
/// (indexes are read as flowc-asl reads them: `[-1]` is the last element).
pub fn walk_steps<'v>(root: &'v Doc, steps: &[RefStep]) -> Option<Node<'v>> {
    let element = |v: &'v Value, i: i64| match v {
        Value::Array(items) => items.get(resolve_index(i, items.len())?),
        _ => None,
    };
    let mut node = Node::Doc(root);
    for step in steps {
        node = match (step, node) {
            (RefStep::Name(n), node) => node.member(n)?,
            (RefStep::Index(i), Node::Doc(Doc::Value(v))) => Node::Value(element(v, *i)?),
            (RefStep::Index(i), Node::Doc(Doc::Array(items))) => {
                Node::Doc(items.get(resolve_index(*i, items.len())?)?)
            }
            (RefStep::Index(i), Node::Value(v)) => Node::Value(element(v, *i)?),
            (RefStep::Index(_), Node::Doc(Doc::Object(_))) => return None,
        };
    }
    Some(node)
}

/// A parsed JSONPath (`$...` or `$$...`).
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    path: JsonPath,
    /// Present when the path names a single node (plain names and indexes), so it can be written.
    reference: Option<ReferencePath>,
    /// The member names when the path is names only (`$.a.b`: `["a", "b"]`; `$`: none), the
    /// common case, walked without the general evaluator.
    names: Option<Box<[Arc<str>]>>,
}

fn names_of(reference: Option<&ReferencePath>) -> Option<Box<[Arc<str>]>> {
    reference?
        .steps()
        .iter()
        .map(|s| match s {
            RefStep::Name(n) => Some(Arc::from(n.as_str())),
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

    /// A path from its text (the engine wraps the loaded model's paths instead).
    #[cfg(test)]
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

    /// `$name…`: the variable the path reads.
    pub fn variable(&self) -> Option<&str> {
        self.path.variable()
    }

    /// Whether the path reads the data its field applies to (not `$$` nor a variable).
    fn reads_input(&self) -> bool {
        matches!(self.path.root(), flowc_asl::path::PathRoot::Input)
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

    /// The node a reference path (member names and indexes, `$.items[0].id`) finds in a
    /// document, through shared subtrees without building anything; `None` when a step is
    /// missing or meets another kind of node (the general evaluator then decides, with its
    /// error texts).
    fn walk_doc<'v>(&self, root: &'v Doc) -> Option<Node<'v>> {
        if let Some(names) = self.names.as_deref() {
            return root.walk(names);
        }
        walk_steps(root, self.reference.as_ref()?.steps())
    }

    /// The node this path selects in a document, as a value: borrowed when the path names a
    /// node by member names (the common case, walked through shared subtrees without
    /// building anything), the general evaluator's result otherwise.
    pub fn select_doc_cow<'v>(&self, root: &'v Doc) -> Result<Cow<'v, Value>, PathEvalError> {
        if let Some(node) = self.walk_doc(root) {
            return Ok(node.to_cow());
        }
        match root {
            Doc::Value(v) => self.select_cow(v),
            Doc::Object(_) | Doc::Array(_) if self.names.is_some() => {
                let names = self.names.as_deref().unwrap_or_default();
                self.path
                    .select(&spine(Node::Doc(root), names))
                    .map(Cow::Owned)
            }
            Doc::Object(_) | Doc::Array(_) => self.path.select(&root.to_value()).map(Cow::Owned),
        }
    }

    /// As [`Self::select_doc_cow`], as a document of its own: a node named by member names
    /// stays shared.
    pub fn select_doc(&self, root: &Doc) -> Result<Doc, PathEvalError> {
        if let Some(node) = self.walk_doc(root) {
            return Ok(node.to_doc());
        }
        self.select_doc_cow(root).map(|v| Doc::from(v.into_owned()))
    }

    /// Writes `value` at this path inside `root`, as ResultPath does.
    pub fn set(&self, root: Doc, value: Doc) -> Result<Doc, String> {
        let mut root = root;
        let value = match self.set_in_place(&mut root, value) {
            Ok(_) => return Ok(root),
            Err(value) => value,
        };
        let reference = self
            .reference
            .as_ref()
            .ok_or_else(|| format!("'{}' is not a reference path", self.as_str()))?;
        let mut plain = root.into_value();
        reference
            .set(&mut plain, value.into_value())
            .map_err(|e| e.to_string())?;
        Ok(Doc::from(plain))
    }
}

impl Path {
    /// Whether [`Self::set_in_place`] tries the write (a path of member names); it then fails
    /// only where a step is not an object, leaving the document as it was.
    pub fn writes_in_place(&self) -> bool {
        self.names.as_deref().is_some_and(|names| !names.is_empty())
    }

    /// The member names of a path made of names only (`$.a.b`: `["a", "b"]`); `None` for `$`
    /// and for paths with indexes.
    pub fn member_names(&self) -> Option<&[Arc<str>]> {
        let names = self.names.as_deref()?;
        (!names.is_empty() && self.reads_input()).then_some(names)
    }

    /// The member names of a names-only path into the state input (`$`: none); `None` for
    /// other paths and for `$$` paths.
    pub fn input_names(&self) -> Option<&[Arc<str>]> {
        if self.reads_input() {
            self.names.as_deref()
        } else {
            None
        }
    }

    /// ResultPath's write into a document the caller owns, for a path of member names
    /// ([`Self::writes_in_place`]); where a step is not an object (or for another path)
    /// `root` is left as it is and `value` comes back. Returns
    /// how many leading names of the path were already there. Same result as
    /// [`ReferencePath::set`], without preparing error texts.
    pub fn set_in_place(&self, root: &mut Doc, value: Doc) -> Result<usize, Doc> {
        match self.names.as_deref() {
            Some(names) if !names.is_empty() => root.set_at(names, value),
            _ => Err(value),
        }
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
    fn names_are_the_same_only_when_every_byte_is() {
        for (a, b) in [
            ("tenant_id", "tenant_id"),
            ("tenant_id", "tenant_ix"),
            ("tenant_id", "tenaxt_id"),
            ("abcdefgh", "abcdefgh"),
            ("abcdefgh", "abcdefgx"),
            ("abcdefghijklmnop", "abcdefghijklmnop"),
            ("abcdefghijklmnop", "abcdefgXijklmnop"),
            ("abcdefghXjklmnop", "abcdefghijklmnop"),
            ("abcdefghijklmnopq", "abcdefghijklmnoXq"),
            ("a", "a"),
            ("ab", "ac"),
            ("abc", "abc"),
            ("abc", "aXc"),
            ("abcd", "abcd"),
            ("abcd", "aXcd"),
            ("count", "count"),
            ("count", "coXnt"),
            ("results", "results"),
            ("results", "resuXts"),
            ("status", "staXus"),
            ("é", "é"),
            ("", ""),
        ] {
            assert_eq!(same_name(a, b), a == b, "{a} / {b}");
        }
    }

    /// Selecting in a document with shared subtrees gives what the general evaluator gives
    /// on the same document as one value, for every kind of path.
    #[test]
    fn selection_in_a_document_matches_the_general_evaluator() {
        let mut doc = Doc::from(json!({"items": [{"id": 1}, {"id": 2}], "n": null}));
        let shared = Doc::from(json!({"list": [10, 20, {"deep": "x"}], "s": "t"}));
        assert!(doc.set_at(&["results", "r"], shared).is_ok());
        // An array a template built, its items documents.
        let built = Doc::Array(Arc::new(vec![
            Doc::from(json!({"k": 1})),
            Doc::from(json!([2])),
        ]));
        assert!(doc.set_at(&["arr"], built).is_ok());
        let plain = doc.to_value();
        for text in [
            "$",
            "$.items.id",
            "$.results.r.missing.x",
            "$.results.r.s.x",
            "$.missing.deeper",
            "$.arr",
            "$.arr[0].k",
            "$.arr[1][0]",
            "$.arr[2]",
            "$.arr.k",
            "$.arr[*].k",
            "$.items",
            "$.items[0].id",
            "$.items[1]",
            "$.items[2]",
            "$.items[-1]",
            "$.results.r.list[2].deep",
            "$.results.r.list[5]",
            "$.results.r.s[0]",
            "$.results['r'].s",
            "$.results.missing",
            "$.n.x",
            "$.items[*].id",
            "$..id",
            "$.items.length()",
            "$.results.r.list[?(@ > 15)]",
        ] {
            let p = path(text);
            assert_eq!(
                p.select_doc_cow(&doc).map(Cow::into_owned),
                p.select(&plain),
                "{text}"
            );
            assert_eq!(
                p.select_doc(&doc).map(Doc::into_value),
                p.select(&plain),
                "{text}"
            );
        }
    }

    #[test]
    fn select_distinguishes_definite_and_indefinite_paths() {
        assert_eq!(path("$.a.b").select(&json!({"a": {"b": 1}})), Ok(json!(1)));
        assert_eq!(path("$.items[1:]").select(&json!({})), Ok(json!([])));
        assert!(path("$.x").select(&json!({})).is_err());
    }

    #[test]
    fn set_writes_through_reference_paths_only() {
        let set = |p: &str, root: Value, value: Value| {
            path(p)
                .set(Doc::from(root), Doc::from(value))
                .map(Doc::into_value)
        };
        assert_eq!(
            set("$.a.b", json!({"x": 1}), json!(2)),
            Ok(json!({"x": 1, "a": {"b": 2}}))
        );
        assert_eq!(set("$", json!({"x": 1}), json!(2)), Ok(json!(2)));
        assert_eq!(
            set("$.l[1]", json!({"l": [0, 1]}), json!(2)),
            Ok(json!({"l": [0, 2]}))
        );
        assert!(set("$.a[*]", json!({"a": [1]}), json!(2)).is_err());
    }
}
