//! Compact JSON text of a `serde_json::Value`, byte for byte what `serde_json::to_string`
//! writes, but faster on the engine's hot path: every history payload is a whole document as
//! text, and serde_json escapes strings one byte at a time. Here runs of plain bytes are found
//! eight at a time and copied in one go.

use crate::doc::Doc;
use crate::history::{History, Text};
use serde_json::Value;
use std::fmt::Write;

/// The document as compact JSON text (what `serde_json::to_string` returns).
pub fn to_text(v: &Value) -> String {
    to_text_with_capacity(v, 128)
}

/// As [`to_text`], with room for `capacity` bytes reserved up front (say the size of a
/// similar document already serialized), so the buffer does not grow step by step.
pub fn to_text_with_capacity(v: &Value, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    write_value(&mut out, v);
    out
}

pub fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        // serde_json's Display for Number is its serialized form (itoa / ryu).
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            let mut first = true;
            for item in items {
                if !first {
                    out.push(',');
                }
                first = false;
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            let mut first = true;
            for (key, value) in members {
                if !first {
                    out.push(',');
                }
                first = false;
                write_str(out, key);
                out.push(':');
                write_value(out, value);
            }
            out.push('}');
        }
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any of the eight bytes is a control character, `"` or `\`.
fn word_needs_escape(w: u64) -> bool {
    let control = w.wrapping_sub(ONES * 0x20) & !w;
    let q = w ^ (ONES * u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q;
    let b = w ^ (ONES * u64::from(b'\\'));
    let backslash = b.wrapping_sub(ONES) & !b;
    (control | quote | backslash) & HIGHS != 0
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Whether the string has no byte that JSON escapes (the common case: one copy, no scan).
fn is_plain(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    for word in words.by_ref() {
        if let Ok(w) = <[u8; 8]>::try_from(word)
            && word_needs_escape(u64::from_le_bytes(w))
        {
            return false;
        }
    }
    // The tail, padded with a byte that needs no escape.
    let mut tail = [b'a'; 8];
    for (slot, b) in tail.iter_mut().zip(words.remainder()) {
        *slot = *b;
    }
    !word_needs_escape(u64::from_le_bytes(tail))
}

pub(crate) fn write_str(out: &mut String, s: &str) {
    out.push('"');
    if is_plain(s.as_bytes()) {
        out.push_str(s);
    } else {
        write_escaped(out, s);
    }
    out.push('"');
}

fn write_escaped(out: &mut String, s: &str) {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape: Option<&str> = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            0x08 => Some("\\b"),
            0x0C => Some("\\f"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0x00..=0x1F => None,
            _ => continue,
        };
        // Escaped bytes are ASCII, so both ends of the plain run are char boundaries.
        out.push_str(s.get(start..i).unwrap_or_default());
        match escape {
            Some(e) => out.push_str(e),
            None => {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xF)]));
            }
        }
        start = i + 1;
    }
    out.push_str(s.get(start..).unwrap_or_default());
}

/// The text of a document after ResultPath wrote a value at `names` (`$.a.b`: `["a", "b"]`),
/// made from the document's text before the write and the value's text, without serializing
/// the whole document again: the member is replaced where it stands, or appended to its object
/// (with any missing objects on the way), as `serde_json::Map` (insertion-ordered) does.
/// `None` when `before` is not shaped as expected; the caller then serializes the document.
#[cfg(test)]
pub fn splice_member<S: AsRef<str>>(before: &str, names: &[S], value_text: &str) -> Option<String> {
    let mut out = String::with_capacity(before.len() + value_text.len() + 32);
    splice_member_into(&mut out, before, names, value_text)?;
    Some(out)
}

/// [`splice_member`], appending the text to `out` (which holds garbage on `None`).
fn splice_member_into<S: AsRef<str>>(
    out: &mut String,
    before: &str,
    names: &[S],
    value_text: &str,
) -> Option<()> {
    let b = before.as_bytes();
    let mut obj = 0;
    for (depth, name) in names.iter().enumerate() {
        let name = name.as_ref();
        if b.get(obj) != Some(&b'{') || !is_plain(name.as_bytes()) {
            return None;
        }
        let last = depth + 1 == names.len();
        let mut i = obj + 1;
        if b.get(i) == Some(&b'}') {
            insert_into(out, before, i, false, names.get(depth..)?, value_text);
            return Some(());
        }
        loop {
            let key_end = skip_string(b, i)?;
            let key = b.get(i + 1..key_end - 1)?;
            if b.get(key_end) != Some(&b':') {
                return None;
            }
            let value = key_end + 1;
            let value_end = skip_value(b, value)?;
            if key == name.as_bytes() {
                if last {
                    out.push_str(before.get(..value)?);
                    out.push_str(value_text);
                    out.push_str(before.get(value_end..)?);
                    return Some(());
                }
                obj = value;
                break;
            }
            match b.get(value_end) {
                Some(b',') => i = value_end + 1,
                Some(b'}') => {
                    insert_into(
                        out,
                        before,
                        value_end,
                        true,
                        names.get(depth..)?,
                        value_text,
                    );
                    return Some(());
                }
                _ => return None,
            }
        }
    }
    None
}

/// `before` with `"n0":{"n1":…value…}` inserted at byte `at` (just before an object's `}`).
fn insert<S: AsRef<str>>(
    before: &str,
    at: usize,
    comma: bool,
    names: &[S],
    value_text: &str,
) -> String {
    let mut out = String::with_capacity(before.len() + value_text.len() + 32);
    insert_into(&mut out, before, at, comma, names, value_text);
    out
}

/// [`insert`], appending to `out`.
fn insert_into<S: AsRef<str>>(
    out: &mut String,
    before: &str,
    at: usize,
    comma: bool,
    names: &[S],
    value_text: &str,
) {
    out.push_str(before.get(..at).unwrap_or_default());
    if comma {
        out.push(',');
    }
    for (k, name) in names.iter().enumerate() {
        if k > 0 {
            out.push('{');
        }
        write_str(out, name.as_ref());
        out.push(':');
    }
    out.push_str(value_text);
    for _ in 1..names.len() {
        out.push('}');
    }
    out.push_str(before.get(at..).unwrap_or_default());
}

/// The end (exclusive) of the JSON string starting at `i`.
fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let mut j = i + 1;
    loop {
        match b.get(j)? {
            b'"' => return Some(j + 1),
            b'\\' => j += 2,
            _ => j += 1,
        }
    }
}

/// The end (exclusive) of the compact JSON value starting at `i`.
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match b.get(j)? {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while !matches!(b.get(j), None | Some(b',' | b'}' | b']')) {
                j += 1;
            }
            Some(j)
        }
    }
}

/// A document's JSON text with the byte spans of its top-level member values (in the
/// document's member order), so a ResultPath write can be turned into a new text by copying
/// around one member instead of serializing everything again.
#[derive(Debug, Clone)]
pub struct DocText {
    /// The text, kept by the history whose events carry it.
    pub text: Text,
    /// Spans of the top-level member values; empty when the document is not an object.
    members: Vec<(usize, usize)>,
}

impl DocText {
    /// Serializes `v` (as [`to_text`]) into `history`'s texts, recording its top-level member
    /// spans.
    pub fn of(v: &Value, capacity: usize, history: &mut History) -> Self {
        let mut text = String::with_capacity(capacity);
        let mut members = Vec::new();
        match v {
            Value::Object(map) => {
                members.reserve(map.len());
                text.push('{');
                let mut first = true;
                for (key, value) in map {
                    if !first {
                        text.push(',');
                    }
                    first = false;
                    write_str(&mut text, key);
                    text.push(':');
                    let start = text.len();
                    write_value(&mut text, value);
                    members.push((start, text.len()));
                }
                text.push('}');
            }
            other => write_value(&mut text, other),
        }
        Self {
            text: history.add_text(text),
            members,
        }
    }

    /// [`Self::of`] for a document with shared subtrees ([`Doc`]).
    pub fn of_doc(doc: &Doc, capacity: usize, history: &mut History) -> Self {
        let members = match doc {
            Doc::Value(v) => return Self::of(v, capacity, history),
            Doc::Object(members) => members,
        };
        let mut text = String::with_capacity(capacity);
        let mut spans = Vec::with_capacity(members.len());
        text.push('{');
        for (i, (key, value)) in members.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            write_str(&mut text, key);
            text.push(':');
            let start = text.len();
            value.write_text(&mut text);
            spans.push((start, text.len()));
        }
        text.push('}');
        Self {
            text: history.add_text(text),
            members: spans,
        }
    }

    /// A document's text made elsewhere (compact, as [`to_text`] writes it), with its
    /// top-level member spans found by scanning it; `None` when it is not shaped as expected.
    pub fn of_text(text: Text, history: &History) -> Option<Self> {
        let b = history.text(&text).as_bytes();
        let mut members = Vec::new();
        if b.first() == Some(&b'{') && b.get(1) != Some(&b'}') {
            let mut i = 1;
            loop {
                let key_end = skip_string(b, i)?;
                if b.get(key_end) != Some(&b':') {
                    return None;
                }
                let value_end = skip_value(b, key_end + 1)?;
                members.push((key_end + 1, value_end));
                match b.get(value_end) {
                    Some(b',') => i = value_end + 1,
                    Some(b'}') if value_end + 1 == b.len() => break,
                    _ => return None,
                }
            }
        }
        Some(Self { text, members })
    }

    /// The text after ResultPath wrote a value whose text is `value_text` at `names`
    /// (`$.a.b`), where the first `existing` names were already there (the rest were
    /// created). `None` when this text cannot be spliced (the caller serializes instead).
    /// Consumes the old spans (their buffer is reused); the old text lives on where shared.
    pub fn splice<S: AsRef<str>>(
        self,
        history: &mut History,
        names: &[S],
        existing: usize,
        value_text: &Text,
    ) -> Option<Self> {
        let (text, members) = self.spliced(history, names, existing, value_text)?;
        Some(Self {
            text: history.add_text(text),
            members,
        })
    }

    /// [`Self::splice`]'s new text and spans.
    fn spliced<S: AsRef<str>>(
        self,
        history: &History,
        names: &[S],
        existing: usize,
        value_text: &Text,
    ) -> Option<(String, Vec<(usize, usize)>)> {
        let before = history.text(&self.text);
        let value_text = history.text(value_text);
        let (first, rest) = names.split_first()?;
        let first = first.as_ref();
        if !before.starts_with('{') || !is_plain(first.as_bytes()) {
            return None;
        }
        if existing == 0 {
            // A new top-level member, appended.
            let at = before.len().checked_sub(1)?;
            let text = insert(before, at, !self.members.is_empty(), names, value_text);
            let start = at + usize::from(!self.members.is_empty()) + first.len() + 3;
            let end = text.len() - 1;
            let mut members = self.members;
            members.push((start, end));
            return Some((text, members));
        }
        // The member's position among the top-level members.
        let index = self.member_index(before, first)?;
        let &(start, end) = self.members.get(index)?;
        let old = before.get(start..end)?;
        // The new text in one buffer: up to the member, its new value, the rest.
        let mut text = String::with_capacity(before.len() + value_text.len() + 64);
        text.push_str(before.get(..start)?);
        if rest.is_empty() {
            text.push_str(value_text);
        } else if existing == 1 && old.len() >= 2 && old.ends_with('}') {
            // A new member of an object member: appended before its closing brace.
            insert_into(&mut text, old, old.len() - 1, old != "{}", rest, value_text);
        } else {
            splice_member_into(&mut text, old, rest, value_text)?;
        }
        let grown = (text.len() - start).wrapping_sub(old.len());
        text.push_str(before.get(end..)?);
        let mut members = self.members;
        for (k, (s, e)) in members.iter_mut().enumerate().skip(index) {
            if k > index {
                *s = s.wrapping_add(grown);
            }
            *e = e.wrapping_add(grown);
        }
        Some((text, members))
    }

    /// Which top-level member has key `name` (a plain string), found from the spans: the key
    /// text ends two bytes before the value.
    fn member_index(&self, before: &str, name: &str) -> Option<usize> {
        let b = before.as_bytes();
        self.members.iter().position(|&(start, _)| {
            let key_end = start.wrapping_sub(2);
            key_end > name.len()
                && b.get(key_end - 1) == name.as_bytes().last()
                && b.get(key_end - name.len()..key_end) == Some(name.as_bytes())
                && b.get(key_end - name.len() - 1) == Some(&b'"')
                && matches!(
                    b.get(key_end.wrapping_sub(name.len() + 2)),
                    Some(b'{' | b',')
                )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn same_as_serde(v: &Value) {
        let ours = to_text(v);
        let theirs = serde_json::to_string(v).unwrap_or_default();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn writes_what_serde_json_writes() {
        same_as_serde(&json!(null));
        same_as_serde(&json!({}));
        same_as_serde(&json!([]));
        same_as_serde(&json!({"a": [1, -2, 3.5, 1e300, 0.1, -0.0, true, false, null], "b": {}}));
        same_as_serde(&json!(u64::MAX));
        same_as_serde(&json!(i64::MIN));
        same_as_serde(&json!("plain text that is longer than eight bytes"));
        same_as_serde(&json!(
            "quote \" backslash \\ newline \n tab \t cr \r bs \u{8} ff \u{c}"
        ));
        same_as_serde(&json!(
            "\u{0}\u{1}\u{1f}\u{7f} é ü 日本 😀 \"\"\"\"\"\"\"\"\"\\\\\\\\\\\\"
        ));
        same_as_serde(&json!({"k\"ey\n": "v", "z": 1, "a": 2}));
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            "[\\x00-\\x7f]{0,40}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::vec((any::<String>(), inner), 0..8)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_document_is_written_byte_for_byte_as_serde_json_writes_it(v in arb_json()) {
            prop_assert_eq!(to_text(&v), serde_json::to_string(&v).unwrap_or_default());
        }
    }

    fn splice_matches_set(doc: Value, names: &[&str], value: Value) {
        let before = to_text(&doc);
        let mut after = doc;
        let mut node = &mut after;
        for (k, name) in names.iter().enumerate() {
            let Value::Object(m) = node else {
                panic!("not an object")
            };
            if k + 1 == names.len() {
                m.insert((*name).to_string(), value.clone());
                break;
            }
            node = m.entry(*name).or_insert_with(|| json!({}));
        }
        let spliced = splice_member(&before, names, &to_text(&value));
        assert_eq!(spliced, Some(to_text(&after)));
    }

    #[test]
    fn splicing_a_member_gives_the_text_of_the_written_document() {
        let doc = json!({"a": "x\"}{", "results": {"v": [1, {"}": "]"}], "w": 2}, "z": null});
        splice_matches_set(doc.clone(), &["results", "w"], json!({"n": 1}));
        splice_matches_set(doc.clone(), &["results", "v"], json!(3));
        splice_matches_set(doc.clone(), &["results", "new"], json!("s"));
        splice_matches_set(doc.clone(), &["z"], json!([1, 2]));
        splice_matches_set(doc.clone(), &["new", "deep", "er"], json!(true));
        splice_matches_set(doc.clone(), &["results", "new", "deep"], json!(1.5));
        splice_matches_set(json!({}), &["a"], json!({}));
        splice_matches_set(json!({"e": {}}), &["e", "a"], json!(-1));
        splice_matches_set(json!({"e": {}}), &["e", "a", "b"], json!(0));
        assert_eq!(splice_member("[1]", &["a"], "1"), None);
        assert_eq!(splice_member("{\"a\":1}", &["a", "b"], "1"), None);
        assert_eq!(splice_member("{\"a\":1}", &["q\"uote"], "1"), None);
    }

    proptest! {
        #[test]
        fn splicing_any_document_matches_writing_it(
            doc in prop::collection::vec(("[a-c]{1,2}", arb_json()), 0..6),
            names in prop::collection::vec("[a-c]{1,2}", 1..4),
            value in arb_json(),
        ) {
            let doc = Value::Object(doc.into_iter().collect());
            let before = to_text(&doc);
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            // Only where ResultPath could write: every object on the way exists or is missing.
            let mut after = doc;
            let mut node = &mut after;
            let mut writable = true;
            for (k, name) in names.iter().enumerate() {
                let Value::Object(m) = node else {
                    writable = false;
                    break;
                };
                if k + 1 == names.len() {
                    m.insert((*name).to_string(), value.clone());
                    break;
                }
                node = m.entry(*name).or_insert_with(|| json!({}));
            }
            let spliced = splice_member(&before, &names, &to_text(&value));
            if writable {
                prop_assert_eq!(spliced, Some(to_text(&after)));
            } else {
                prop_assert_eq!(spliced, None);
            }
        }
    }

    proptest! {
        #[test]
        fn spans_found_in_a_text_are_the_spans_of_writing_it(v in arb_json()) {
            let mut h = History::default();
            let written = DocText::of(&v, 0, &mut h);
            let found = DocText::of_text(written.text.clone(), &h);
            prop_assert_eq!(found.map(|d| d.members), Some(written.members));
        }
    }

    /// Writes `value` at `names` in `doc` (creating objects on the way), as ResultPath does;
    /// returns how many of the names already existed, or `None` when a step is not an object.
    fn write_at(doc: &mut Value, names: &[&str], value: &Value) -> Option<usize> {
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
            node = m.entry(*name).or_insert_with(|| json!({}));
        }
        Some(existing)
    }

    fn doc_splice_matches_set(doc: Value, names: &[&str], value: Value) {
        let mut h = History::default();
        let before = DocText::of(&doc, 0, &mut h);
        let mut after = doc;
        let Some(existing) = write_at(&mut after, names, &value) else {
            panic!("not an object")
        };
        let value_text = h.add_text(to_text(&value));
        let spliced = before
            .clone()
            .splice(&mut h, names, existing, &value_text)
            .map(|d| h.text(&d.text).to_string());
        let expected = DocText::of(&after, 0, &mut h);
        assert_eq!(spliced.as_deref(), Some(h.text(&expected.text)));
        // The spans stay right for the next write.
        let again = before.splice(&mut h, names, existing, &value_text);
        assert_eq!(again.map(|d| d.members), Some(expected.members));
    }

    #[test]
    fn doc_text_splices_top_level_and_nested_members() {
        let doc = json!({"a,\"b\"": "x\"}{", "results": {"v": [1, {"}": "]"}], "w": 2}, "z": null, "e": {}});
        doc_splice_matches_set(doc.clone(), &["results", "w"], json!({"n": 1}));
        doc_splice_matches_set(doc.clone(), &["results", "v"], json!(3));
        doc_splice_matches_set(doc.clone(), &["results", "new"], json!("s"));
        doc_splice_matches_set(doc.clone(), &["results", "new", "deep"], json!("s"));
        doc_splice_matches_set(doc.clone(), &["z"], json!([1, 2]));
        doc_splice_matches_set(doc.clone(), &["e", "k"], json!([1, 2]));
        doc_splice_matches_set(doc.clone(), &["new", "deep", "er"], json!(true));
        doc_splice_matches_set(doc.clone(), &["b"], json!(true));
        doc_splice_matches_set(json!({}), &["a"], json!({}));
        doc_splice_matches_set(json!({}), &["a", "b"], json!({}));
    }

    proptest! {
        #[test]
        fn doc_text_splicing_matches_writing(
            doc in prop::collection::vec(("[a-c]{1,2}", arb_json()), 0..6),
            writes in prop::collection::vec((prop::collection::vec("[a-c]{1,2}", 1..4), arb_json()), 1..4),
        ) {
            let mut doc = Value::Object(doc.into_iter().collect());
            let mut h = History::default();
            let mut text = DocText::of(&doc, 0, &mut h);
            for (names, value) in writes {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                let Some(existing) = write_at(&mut doc, &names, &value) else {
                    return Ok(());
                };
                let value_text = h.add_text(to_text(&value));
                let next = text.clone().splice(&mut h, &names, existing, &value_text);
                prop_assert!(next.is_some());
                text = next.unwrap_or_else(|| DocText::of(&doc, 0, &mut h));
                prop_assert_eq!(h.text(&text.text), to_text(&doc));
                let fresh = DocText::of(&doc, 0, &mut h);
                prop_assert_eq!(&text.members, &fresh.members);
            }
        }
    }
}
