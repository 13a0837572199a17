//! The state document as the engine carries it from state to state: a JSON value whose
//! subtrees are shared, not copied.
//!
//! A workflow's document grows by ResultPath writes (`$.results.schema`), and what is written is
//! mostly a value that exists elsewhere already: a mocked response, a Pass state's `Result`, a
//! branch's output. With `serde_json::Value` each write deep-copied that value into the
//! document (and dropping the document freed every copy again). Here a written value is held by
//! reference count; only the objects on a write's path are the engine's own ([`Doc::Object`]),
//! and they are changed in place while nothing else holds them (copied, one level, when
//! something does). Reading goes by names through both layers; a read that needs a whole
//! `serde_json::Value` (a general JSONPath, a handler's input, the execution's output for a
//! caller) builds one with [`Doc::to_value`].

use crate::text::{Text, TextBuilder, TextSink, Texts};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

/// Objects with more members than this get a name index (smaller ones are searched in order,
/// which is faster than hashing for the few members workflow documents have).
const INDEX_FROM: usize = 16;

/// A JSON document with shared subtrees.
#[derive(Debug, Clone)]
pub enum Doc {
    /// An object the engine built or changed (by ResultPath), whose members are documents.
    Object(Arc<Members>),
    /// Any value as it came (the execution input, a Task result, a template's output), shared.
    Value(Arc<Value>),
    /// An array a template built (`"Parameters": {"list": [{"all.$": "$"}]}`), whose items
    /// are documents: a selected node stays shared instead of being copied into a value (a
    /// loop that nests its input in an array would otherwise copy the whole, deeper and
    /// deeper, at every state). Never written into: ResultPath names only members.
    Array(Arc<Vec<Doc>>),
}

/// The members of a [`Doc::Object`], in insertion order (as `serde_json::Map` keeps them).
#[derive(Debug, Clone, Default)]
pub struct Members {
    entries: Vec<(Arc<str>, Doc)>,
    /// Name -> position, kept once the object has more than [`INDEX_FROM`] members.
    index: Option<HashMap<Arc<str>, usize>>,
}

/// A member name as a path holds it; a path's own shared names become keys without a copy.
pub trait Key: AsRef<str> {
    fn key(&self) -> Arc<str> {
        Arc::from(self.as_ref())
    }
}

impl Key for &str {}

impl Key for String {}

impl Key for Arc<str> {
    fn key(&self) -> Arc<str> {
        self.clone()
    }
}

/// A node found by walking a document: a document (shared) or a plain value inside one.
#[derive(Debug, Clone, Copy)]
pub enum Node<'a> {
    Doc(&'a Doc),
    Value(&'a Value),
}

impl<'a> Node<'a> {
    /// The node as a `serde_json::Value`: borrowed unless it is an engine-built object.
    pub fn to_cow(self) -> Cow<'a, Value> {
        match self {
            Node::Value(v) => Cow::Borrowed(v),
            Node::Doc(d) => d.as_value(),
        }
    }

    /// The member `name` of an object node; `None` when it is missing or this is not an
    /// object.
    pub fn member(self, name: &str) -> Option<Node<'a>> {
        match self {
            Node::Doc(d) => d.member(name),
            Node::Value(Value::Object(members)) => {
                crate::jsonpath::member(members, name).map(Node::Value)
            }
            Node::Value(_) => None,
        }
    }

    pub fn is_object(self) -> bool {
        match self {
            Node::Doc(d) => d.is_object(),
            Node::Value(v) => v.is_object(),
        }
    }

    /// The node as a document of its own (shared where it can be).
    pub fn to_doc(self) -> Doc {
        match self {
            Node::Doc(d) => d.clone(),
            Node::Value(v) => Doc::from(v.clone()),
        }
    }
}

impl Members {
    pub fn with_capacity(capacity: usize) -> Self {
        Members {
            entries: Vec::with_capacity(capacity),
            index: None,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Doc)> {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }

    fn position(&self, name: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(name).copied(),
            // Lengths first: they are in the entries themselves, and most keys differ there,
            // so the scan past them reads no key's bytes. A key inserted from a path's name is
            // that name's own text, so a pointer test finds it before any byte is compared.
            None => self.entries.iter().position(|(k, _)| {
                k.len() == name.len()
                    && (std::ptr::eq(k.as_ptr(), name.as_ptr())
                        || crate::jsonpath::same_name(k, name))
            }),
        }
    }

    /// Sets `name` to `value` (in its place when present, appended otherwise); whether it was
    /// present.
    fn set<S: Key>(&mut self, name: &S, value: Doc) -> bool {
        match self
            .position(name.as_ref())
            .and_then(|at| self.entries.get_mut(at))
        {
            Some((_, slot)) => {
                *slot = value;
                true
            }
            None => {
                self.push(name.key(), value);
                false
            }
        }
    }

    /// The member `name`, created as `{}` when missing; whether it was present.
    fn member_or_object<S: Key>(&mut self, name: &S) -> (bool, Option<&mut Doc>) {
        let present = match self.position(name.as_ref()) {
            Some(at) => Some(at),
            None => {
                self.push(name.key(), Doc::empty_object());
                None
            }
        };
        let at = present.unwrap_or(self.entries.len().wrapping_sub(1));
        (present.is_some(), self.entries.get_mut(at).map(|(_, v)| v))
    }

    /// Appends a member the caller knows is not present (a map's or a template's keys are
    /// unique; a miss of [`Self::position`]).
    pub(crate) fn push(&mut self, name: Arc<str>, value: Doc) {
        let at = self.entries.len();
        if let Some(index) = &mut self.index {
            index.insert(name.clone(), at);
        }
        self.entries.push((name, value));
        if self.index.is_none() && self.entries.len() > INDEX_FROM {
            self.index = Some(
                self.entries
                    .iter()
                    .enumerate()
                    .map(|(i, (k, _))| (k.clone(), i))
                    .collect(),
            );
        }
    }

    pub fn get(&self, name: &str) -> Option<&Doc> {
        let at = self.position(name)?;
        self.entries.get(at).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut Doc> {
        let at = self.position(name)?;
        self.entries.get_mut(at).map(|(_, v)| v)
    }

    /// Sets `name` to `value`: in its place when present, appended otherwise.
    pub fn insert(&mut self, name: Arc<str>, value: Doc) {
        self.set(&name, value);
    }

    /// The members of a `serde_json` object, each shared as it is.
    fn from_map(map: Map<String, Value>) -> Self {
        let mut members = Members {
            entries: Vec::with_capacity(map.len() + 4),
            index: None,
        };
        for (k, v) in map {
            members.push(Arc::from(k), Doc::from(v));
        }
        members
    }
}

impl Default for Doc {
    fn default() -> Self {
        Doc::Value(Arc::new(Value::Null))
    }
}

impl From<Value> for Doc {
    fn from(v: Value) -> Self {
        Doc::Value(Arc::new(v))
    }
}

impl From<Arc<Value>> for Doc {
    fn from(v: Arc<Value>) -> Self {
        Doc::Value(v)
    }
}

impl Doc {
    /// `{}`, as ResultPath creates for a missing object on its way.
    pub fn empty_object() -> Self {
        Doc::Object(Arc::new(Members::default()))
    }

    /// A copy of `v` as a document whose top-level members are the engine's own (an object's
    /// keys and values each copied once, as [`Members`]), for a value that is shared and then
    /// written into: a Map's item. Held as a value it was copied for each iteration, and
    /// copied again when ResultPath made its map the engine's own; held this way an iteration
    /// shares it, and its first write copies only the list of members.
    pub fn members_of(v: &Value) -> Self {
        Self::members_like(v, None)
    }

    /// [`Self::members_of`], sharing the key of `like`'s member at the same place when it is
    /// the same name (the items of an array mostly have the same keys in the same order), so
    /// a key is kept once rather than once an item.
    pub fn members_like(v: &Value, like: Option<&Doc>) -> Self {
        let like = match like {
            Some(Doc::Object(m)) => m.entries.as_slice(),
            _ => &[],
        };
        match v {
            Value::Object(map) => {
                let mut members = Members::with_capacity(map.len() + 4);
                for (i, (k, v)) in map.iter().enumerate() {
                    let key = match like.get(i) {
                        Some((key, _)) if crate::jsonpath::same_name(key, k) => key.clone(),
                        _ => Arc::from(k.as_str()),
                    };
                    members.push(key, Doc::from(v.clone()));
                }
                Doc::Object(Arc::new(members))
            }
            other => Doc::from(other.clone()),
        }
    }

    /// The document as a `serde_json::Value`: borrowed when it is one, built otherwise.
    pub fn as_value(&self) -> Cow<'_, Value> {
        match self {
            Doc::Value(v) => Cow::Borrowed(v),
            Doc::Object(_) | Doc::Array(_) => Cow::Owned(self.to_value()),
        }
    }

    /// A `serde_json::Value` copy of the document.
    pub fn to_value(&self) -> Value {
        match self {
            Doc::Value(v) => Value::clone(v),
            Doc::Object(m) => Value::Object(
                m.entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
            Doc::Array(items) => Value::Array(items.iter().map(Doc::to_value).collect()),
        }
    }

    /// The document as a `serde_json::Value`, without a copy where nothing else holds it.
    pub fn into_value(self) -> Value {
        match self {
            Doc::Value(v) => Arc::try_unwrap(v).unwrap_or_else(|shared| Value::clone(&shared)),
            Doc::Object(m) => match Arc::try_unwrap(m) {
                Ok(m) => Value::Object(
                    m.entries
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v.into_value()))
                        .collect(),
                ),
                Err(shared) => Doc::Object(shared).to_value(),
            },
            Doc::Array(items) => match Arc::try_unwrap(items) {
                Ok(items) => Value::Array(items.into_iter().map(Doc::into_value).collect()),
                Err(shared) => Value::Array(shared.iter().map(Doc::to_value).collect()),
            },
        }
    }

    pub fn is_object(&self) -> bool {
        match self {
            Doc::Object(_) => true,
            Doc::Value(v) => v.is_object(),
            Doc::Array(_) => false,
        }
    }

    /// The member `name` of an object document.
    pub fn member(&self, name: &str) -> Option<Node<'_>> {
        match self {
            Doc::Object(m) => m.get(name).map(Node::Doc),
            Doc::Value(v) => Node::Value(v).member(name),
            Doc::Array(_) => None,
        }
    }

    /// The node at a path of member names (`["a", "b"]` for `$.a.b`); `None` when one is
    /// missing or a step is not an object.
    pub fn walk<S: AsRef<str>>(&self, names: &[S]) -> Option<Node<'_>> {
        self.walk_names(names.iter().map(AsRef::as_ref))
    }

    /// [`Self::walk`], with the names from an iterator.
    pub fn walk_names<'n>(&self, names: impl IntoIterator<Item = &'n str>) -> Option<Node<'_>> {
        names
            .into_iter()
            .try_fold(Node::Doc(self), |node, name| node.member(name))
    }

    /// The members, to change: an object as it came becomes the engine's own (its members
    /// shared, not copied, when nothing else holds it); `None` when this is not an object.
    fn members_mut(&mut self) -> Option<&mut Members> {
        if let Doc::Value(v) = self {
            if !v.is_object() {
                return None;
            }
            let taken = std::mem::replace(v, Arc::new(Value::Null));
            let map = match Arc::try_unwrap(taken) {
                Ok(Value::Object(map)) => map,
                Ok(_) => return None,
                Err(shared) => match &*shared {
                    Value::Object(map) => map.clone(),
                    _ => return None,
                },
            };
            *self = Doc::Object(Arc::new(Members::from_map(map)));
        }
        match self {
            Doc::Object(m) => Some(Arc::make_mut(m)),
            Doc::Value(_) | Doc::Array(_) => None,
        }
    }

    /// Whether [`Self::set_at`] can write at `names` (every existing step on the way is an
    /// object; missing ones are created).
    #[cfg(test)]
    pub fn can_set_at<S: AsRef<str>>(&self, names: &[S]) -> bool {
        let Some((_, parents)) = names.split_last() else {
            return false;
        };
        let mut node = Node::Doc(self);
        for name in parents {
            if !node.is_object() {
                return false;
            }
            match node.member(name.as_ref()) {
                Some(next) => node = next,
                // Missing objects are created.
                None => return true,
            }
        }
        node.is_object()
    }

    /// ResultPath's write of `value` at a path of member names, creating missing objects on
    /// the way, as `serde_json` would (a present member keeps its place, a new one is
    /// appended). Returns how many leading names were present already; `Err(value)` when a
    /// step is not an object ([`Self::can_set_at`] tells beforehand; nothing is changed then).
    pub fn set_at<S: Key>(&mut self, names: &[S], value: Doc) -> Result<usize, Doc> {
        let Some((last, parents)) = names.split_last() else {
            return Err(value);
        };
        // Nothing is changed before a step can fail: a step fails only where a present member
        // is not an object, and once a member is created every node below it is a new object.
        // (Turning an object as it came into the engine's own changes no value.)
        let mut node = self;
        let mut existing = 0;
        let mut still = true;
        for name in parents {
            let Some(members) = node.members_mut() else {
                return Err(value);
            };
            let (present, next) = members.member_or_object(name);
            if still && present {
                existing += 1;
            } else {
                still = false;
            }
            node = match next {
                Some(next) => next,
                None => return Err(value),
            };
        }
        let Some(members) = node.members_mut() else {
            return Err(value);
        };
        if members.set(last, value) && still {
            existing += 1;
        }
        Ok(existing)
    }

    /// Compact JSON text of the document, byte for byte what `serde_json::to_string` writes for
    /// [`Self::to_value`].
    pub fn write_text(&self, out: &mut String) {
        self.write_text_known(out, None);
    }

    /// [`Self::write_text`], taking the known text of a node met on the way instead of
    /// writing it again (into a [`TextBuilder`], its long runs are shared, not copied): a
    /// state whose Parameters nest its whole input (`{"all.$": "$"}`) makes a text that holds
    /// its input's, and serializing that input anew at every state of a loop made the loop
    /// quadratic in time (and deep nesting slow per byte).
    pub(crate) fn write_text_known<W: TextSink>(&self, out: &mut W, known: Option<Known<'_>>) {
        if let Some(k) = known
            && k.anchor.is(self)
        {
            out.push_kept(k.texts, k.text);
            return;
        }
        match self {
            Doc::Value(v) => crate::json::write_value(out.buf(), v),
            Doc::Object(m) => {
                out.buf().push('{');
                for (i, (k, v)) in m.entries.iter().enumerate() {
                    if i > 0 {
                        out.buf().push(',');
                    }
                    crate::json::write_str(out.buf(), k);
                    out.buf().push(':');
                    v.write_text_known(out, known);
                }
                out.buf().push('}');
            }
            Doc::Array(items) => {
                out.buf().push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.buf().push(',');
                    }
                    item.write_text_known(out, known);
                }
                out.buf().push(']');
            }
        }
    }

    /// [`Self::write_text`] into a new string.
    pub fn to_text(&self) -> String {
        let mut out = String::with_capacity(128);
        self.write_text(&mut out);
        out
    }

    /// The document's text kept in `texts`, sharing the runs of the text of a node met on
    /// the way whose text is known (`known`: its anchor and its kept text).
    pub(crate) fn keep_text(&self, texts: &mut Texts, known: Option<(&Anchor, &Text)>) -> Text {
        let mut out = TextBuilder::for_len(known.map_or(128, |(_, t)| texts.len(t) + 128));
        {
            let texts: &Texts = texts;
            let known = known.map(|(anchor, text)| Known {
                anchor,
                text,
                texts,
            });
            self.write_text_known(&mut out, known);
        }
        out.finish(texts)
    }

    /// The document's identity, to recognize it later inside another document ([`Known`]).
    pub(crate) fn anchor(&self) -> Anchor {
        match self {
            Doc::Object(m) => Anchor::Object(Arc::downgrade(m)),
            Doc::Value(v) => Anchor::Value(Arc::downgrade(v)),
            Doc::Array(a) => Anchor::Array(Arc::downgrade(a)),
        }
    }
}

/// A document's identity, held without holding the document. The weak handle keeps its
/// allocation from being reused, and while it exists nothing changes the document in place
/// (`Arc::make_mut` moves a value out of an allocation that has weak handles instead of
/// changing it there), so a live node at the same address is the same document, unchanged.
#[derive(Debug, Clone)]
pub(crate) enum Anchor {
    Object(std::sync::Weak<Members>),
    Value(std::sync::Weak<Value>),
    Array(std::sync::Weak<Vec<Doc>>),
}

impl Anchor {
    /// Whether `doc` is the anchored document.
    pub(crate) fn is(&self, doc: &Doc) -> bool {
        match (self, doc) {
            (Anchor::Object(w), Doc::Object(m)) => std::ptr::eq(w.as_ptr(), Arc::as_ptr(m)),
            (Anchor::Value(w), Doc::Value(v)) => std::ptr::eq(w.as_ptr(), Arc::as_ptr(v)),
            (Anchor::Array(w), Doc::Array(a)) => std::ptr::eq(w.as_ptr(), Arc::as_ptr(a)),
            _ => false,
        }
    }
}

/// A document whose text is known already (a state's input, with the text it entered with).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Known<'a> {
    pub anchor: &'a Anchor,
    pub text: &'a Text,
    pub texts: &'a Texts,
}

/// Documents are equal when their JSON values are.
impl PartialEq for Doc {
    fn eq(&self, other: &Self) -> bool {
        self.as_value() == other.as_value()
    }
}

impl PartialEq<Value> for Doc {
    fn eq(&self, other: &Value) -> bool {
        *self.as_value() == *other
    }
}

impl PartialEq<Doc> for Value {
    fn eq(&self, other: &Doc) -> bool {
        *other == *self
    }
}

impl Serialize for Doc {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Doc::Value(v) => v.serialize(serializer),
            Doc::Object(m) => {
                let mut map = serializer.serialize_map(Some(m.len()))?;
                for (k, v) in m.iter() {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Doc::Array(items) => serializer.collect_seq(items.iter()),
        }
    }
}

impl std::fmt::Display for Doc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl From<Doc> for Value {
    fn from(doc: Doc) -> Self {
        doc.into_value()
    }
}

/// The write ResultPath stands for, made on a `serde_json::Value` (objects created on the
/// way): the model the document and text tests compare against. Returns how many of the names
/// were present, or `None` when a step is not an object.
#[cfg(test)]
pub(crate) fn write_into_value(doc: &mut Value, names: &[&str], value: &Value) -> Option<usize> {
    let mut node = doc;
    let mut existing = 0;
    let mut still = true;
    for (k, name) in names.iter().enumerate() {
        let Value::Object(m) = node else {
            return None;
        };
        if still && m.contains_key(*name) {
            existing += 1;
        } else {
            still = false;
        }
        if k + 1 == names.len() {
            m.insert((*name).to_string(), value.clone());
            break;
        }
        node = m.entry(*name).or_insert_with(|| Value::Object(Map::new()));
    }
    Some(existing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn writes_keep_member_order_and_share_what_they_write() {
        let mut doc = Doc::from(json!({"b": 1, "a": {"x": true}}));
        let shared = Arc::new(json!({"big": [1, 2, 3]}));
        assert_eq!(doc.set_at(&["a", "y"], Doc::from(shared.clone())), Ok(1));
        assert_eq!(doc.set_at(&["b"], Doc::from(json!(2))), Ok(1));
        assert_eq!(doc.set_at(&["n", "m"], Doc::from(json!(null))), Ok(0));
        let expected = json!({"b": 2, "a": {"x": true, "y": {"big": [1, 2, 3]}}, "n": {"m": null}});
        assert_eq!(doc, expected);
        assert_eq!(
            doc.to_text(),
            serde_json::to_string(&expected).unwrap_or_default()
        );
        // The written value was not copied: the document holds the same allocation.
        assert_eq!(Arc::strong_count(&shared), 2);
        // A step that is not an object: nothing changes.
        assert!(doc.set_at(&["b", "c"], Doc::from(json!(1))).is_err());
        assert_eq!(doc, expected);
    }

    #[test]
    fn a_shared_document_is_copied_before_it_changes() {
        let mut doc = Doc::empty_object();
        assert_eq!(doc.set_at(&["a"], Doc::from(json!(1))), Ok(0));
        let before = doc.clone();
        assert_eq!(doc.set_at(&["a"], Doc::from(json!(2))), Ok(1));
        assert_eq!(before, json!({"a": 1}));
        assert_eq!(doc, json!({"a": 2}));
    }

    #[test]
    fn large_objects_are_indexed_and_keep_their_order() {
        let mut doc = Doc::empty_object();
        let mut plain = Map::new();
        for i in (0..40).rev() {
            let k = format!("k{i}");
            assert!(doc.set_at(&[k.as_str()], Doc::from(json!(i))).is_ok());
            plain.insert(k, json!(i));
        }
        assert!(doc.set_at(&["k7"], Doc::from(json!("seven"))).is_ok());
        plain.insert("k7".into(), json!("seven"));
        assert_eq!(doc, Value::Object(plain));
        assert!(
            matches!(doc.walk(&["k7"]).map(Node::to_cow).as_deref(), Some(Value::String(s)) if s == "seven")
        );
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "[a-z\"\\\\]{0,6}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec(("[a-c]{1,2}", inner), 0..5)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// A value made a document with its members as the engine's own (a Map's item) reads
        /// and writes as the value does, and a write into one copy leaves the other as it was.
        #[test]
        fn a_value_with_members_of_its_own_is_the_value(
            start in arb_json(),
            names in prop::collection::vec("[a-c]{1,2}", 1..4),
            value in arb_json(),
        ) {
            let doc = Doc::members_of(&start);
            prop_assert_eq!(&doc, &start);
            // Keys shared with another value's document: the same value.
            let like = Doc::members_of(&value);
            prop_assert_eq!(&Doc::members_like(&start, Some(&like)), &start);
            prop_assert_eq!(doc.to_text(), serde_json::to_string(&start).unwrap_or_default());
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let mut plain = start.clone();
            let expected = write_into_value(&mut plain, &names, &value);
            let mut written = doc.clone();
            prop_assert_eq!(written.set_at(&names, Doc::from(value.clone())).ok(), expected);
            prop_assert_eq!(&written, &plain);
            prop_assert_eq!(&doc, &start);
        }
    }

    proptest! {
        /// Any sequence of ResultPath writes gives what the same writes into a
        /// `serde_json::Value` give: the same value, text, walks and present-name counts.
        #[test]
        fn writes_match_serde_json(
            start in arb_json(),
            writes in prop::collection::vec((prop::collection::vec("[a-c]{1,2}", 1..4), arb_json()), 1..6),
        ) {
            let mut plain = start.clone();
            let mut doc = Doc::from(start);
            for (names, value) in writes {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                let mut attempt = plain.clone();
                let expected = write_into_value(&mut attempt, &names, &value);
                prop_assert_eq!(doc.can_set_at(&names), expected.is_some());
                let got = doc.set_at(&names, Doc::from(value.clone())).ok();
                prop_assert_eq!(got, expected);
                if expected.is_some() {
                    plain = attempt;
                }
                prop_assert_eq!(&doc, &plain);
                prop_assert_eq!(doc.to_text(), serde_json::to_string(&plain).unwrap_or_default());
                prop_assert_eq!(serde_json::to_value(&doc).ok(), Some(plain.clone()));
                let first = names.first().copied().unwrap_or_default();
                prop_assert_eq!(
                    doc.walk(&[first]).map(|n| n.to_cow().into_owned()),
                    plain.get(first).cloned()
                );
            }
            prop_assert_eq!(doc.into_value(), plain);
        }
    }
}
