//! Compact JSON text of a `serde_json::Value`, byte for byte what `serde_json::to_string`
//! writes, but faster on the engine's hot path: every history payload is a whole document as
//! text, and serde_json escapes strings one byte at a time. Here runs of plain bytes are found
//! eight at a time and copied in one go.

use crate::doc::{Anchor, Doc, Known, Members};
use crate::text::{Text, TextBuilder, TextSink, Texts};
use serde_json::Value;
use std::fmt::Write;
use std::sync::Arc;

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
        // Integers (counts, indexes) digit by digit: the formatting machinery costs more than
        // the digits. Otherwise serde_json's Display for Number, its serialized form (ryu).
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                write_u64(out, u);
            } else if let Some(i) = n.as_i64() {
                out.push('-');
                write_u64(out, i.unsigned_abs());
            } else {
                let _ = write!(out, "{n}");
            }
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

/// `n` in decimal, as itoa (serde_json's integer writer) writes it.
fn write_u64(out: &mut String, mut n: u64) {
    let mut unit = 1;
    while n / unit >= 10 {
        unit *= 10;
    }
    loop {
        let digit = u32::try_from(n / unit).unwrap_or_default();
        out.push(char::from_digit(digit, 10).unwrap_or('0'));
        n %= unit;
        if unit == 1 {
            break;
        }
        unit /= 10;
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
/// Checked eight bytes at a time; a string of fewer than eight bytes as one word made of
/// two overlapping four-byte loads, so no length needs a loop over its bytes. Out of line:
/// inlined at every caller it made the splice slower (measured with callgrind).
#[inline(never)]
fn is_plain(bytes: &[u8]) -> bool {
    let len = bytes.len();
    let word = |at: usize| {
        bytes
            .get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map_or(u64::MAX, u64::from_le_bytes)
    };
    let half = |at: usize| {
        bytes
            .get(at..at + 4)
            .and_then(|w| <[u8; 4]>::try_from(w).ok())
            .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
    };
    let Some(last) = len.checked_sub(8) else {
        let w = if len >= 4 {
            half(0) | (half(len - 4) << 32)
        } else {
            // Up to three bytes, padded with a byte that needs no escape.
            bytes
                .iter()
                .fold(ONES * u64::from(b'a'), |w, &b| (w << 8) | u64::from(b))
        };
        return !word_needs_escape(w);
    };
    let mut at = 0;
    while at < last {
        if word_needs_escape(word(at)) {
            return false;
        }
        at += 8;
    }
    // The last eight bytes, overlapping the previous word: no padding to build.
    !word_needs_escape(word(last))
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

/// `before` with `"n0":{"n1":…value…}` inserted at byte `at` (just before an object's `}`),
/// appended to `out`.
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

/// The member names of a ResultPath (`$.a.b`) whose bytes JSON writes as they are (no quote,
/// backslash or control character), checked once when the program is loaded, so a splice at
/// them writes and matches the names without checking them again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainNames(Box<[Arc<str>]>);

impl PlainNames {
    /// The names, when every one is plain.
    pub fn new(names: &[Arc<str>]) -> Option<Self> {
        names
            .iter()
            .all(|n| is_plain(n.as_bytes()))
            .then(|| Self(names.into()))
    }
}

/// A document's JSON text with the byte spans of its top-level member values (in the
/// document's member order) and, for object values, of their members' values, so a ResultPath
/// write (`$.a`, `$.a.b`) can be turned into a new text by copying around one member instead
/// of serializing everything again, and without scanning any text.
#[derive(Debug, Clone)]
pub struct DocText {
    /// The text, kept in the execution's texts (the history's, whose events carry it).
    pub text: Text,
    /// The top-level members; empty when the document is not an object.
    members: Vec<Member>,
}

/// A top-level member's value in a [`DocText`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct Member {
    /// The length of the key's text (between its quotes, which end two bytes before the
    /// value), so a key is found by comparing lengths first.
    key: usize,
    /// The value's span in the text.
    start: usize,
    end: usize,
    /// The spans of the value's own members' values, relative to `start` (so they stay right
    /// when the member moves); `None` when the value is not an object or they are not known
    /// yet (a value written whole): they are then found by scanning the value when a write
    /// needs them.
    inner: Option<Vec<Span>>,
}

/// A member value's span (and its key's text length, as in [`Member`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    key: usize,
    start: usize,
    end: usize,
}

/// What replaces the bytes between two positions of the old text in a splice.
enum Middle<'a, S> {
    /// The written value.
    Value,
    /// A new member: `,"n0":{"n1":value}` (the comma when the object has members).
    Insert { comma: bool, names: &'a [S] },
    /// A text made by scanning (a write deeper than the spans reach).
    Made(String),
}

/// The text length of `"n0":{"n1":value}` without the value.
fn inserted_len<S: AsRef<str>>(names: &[S]) -> usize {
    names.iter().map(|n| n.as_ref().len() + 3).sum::<usize>() + 2 * (names.len() - 1)
}

/// The spans of the member values of the compact object text `b` (relative to its start);
/// `None` when it is not an object.
fn object_spans(b: &[u8]) -> Option<Vec<Span>> {
    if b.first() != Some(&b'{') {
        return None;
    }
    let mut spans = Vec::new();
    if b.get(1) == Some(&b'}') {
        return Some(spans);
    }
    let mut i = 1;
    loop {
        let key_end = skip_string(b, i)?;
        if b.get(key_end) != Some(&b':') {
            return None;
        }
        let value_end = skip_value(b, key_end + 1)?;
        spans.push(Span {
            key: key_end - i - 2,
            start: key_end + 1,
            end: value_end,
        });
        match b.get(value_end) {
            Some(b',') => i = value_end + 1,
            Some(b'}') if value_end + 1 == b.len() => return Some(spans),
            _ => return None,
        }
    }
}

/// Which of the members (key text length, value start relative to `base` in `text`) has key
/// `name` (a plain string, so its text is the name itself).
fn key_index(
    texts: &Texts,
    text: &Text,
    base: usize,
    mut keys: impl Iterator<Item = (usize, usize)>,
    name: &str,
) -> Option<usize> {
    let name = name.as_bytes();
    keys.position(|(key, start)| {
        let key_end = (base + start).wrapping_sub(2);
        key == name.len() && texts.has_at(text, key_end.wrapping_sub(key), name)
    })
}

/// Moves the spans from `from` on by `grown` bytes (which may be "negative", wrapping).
fn shift(spans: &mut [Span], from: usize, grown: usize) {
    for span in spans.iter_mut().skip(from) {
        span.start = span.start.wrapping_add(grown);
        span.end = span.end.wrapping_add(grown);
    }
}

impl DocText {
    /// Serializes `v` (as [`to_text`]) into `texts`, recording its member spans.
    pub fn of(v: &Value, capacity: usize, texts: &mut Texts) -> Self {
        let mut text = String::with_capacity(capacity);
        let text = &mut text;
        let mut members = Vec::new();
        match v {
            Value::Object(map) => {
                // Room for members later writes add (`$.results`, `$.polls`).
                members.reserve(map.len() + 4);
                text.push('{');
                for (k, (key, value)) in map.iter().enumerate() {
                    if k > 0 {
                        text.push(',');
                    }
                    let key_start = text.len();
                    write_str(text, key);
                    text.push(':');
                    let start = text.len();
                    let inner = match value {
                        Value::Object(inner) => Some(write_object(text, inner, start)),
                        other => {
                            write_value(text, other);
                            None
                        }
                    };
                    members.push(Member {
                        key: start - key_start - 3,
                        start,
                        end: text.len(),
                        inner,
                    });
                }
                text.push('}');
            }
            other => write_value(text, other),
        }
        Self {
            text: texts.keep(std::mem::take(text)),
            members,
        }
    }

    /// [`Self::of`] for a document with shared subtrees ([`Doc`]).
    pub fn of_doc(doc: &Doc, capacity: usize, texts: &mut Texts) -> Self {
        Self::of_doc_known(doc, capacity, texts, None)
    }

    /// [`Self::of_doc`], taking the text of a document met inside it whose text is kept
    /// already (the state's input, anchored as it entered) instead of writing it again: its
    /// long runs are shared, not copied.
    pub(crate) fn of_doc_known(
        doc: &Doc,
        capacity: usize,
        texts: &mut Texts,
        known: Option<(&Anchor, &Text)>,
    ) -> Self {
        let members = match doc {
            Doc::Value(v) => return Self::of(v, capacity, texts),
            Doc::Array(_) => {
                return Self {
                    text: doc.keep_text(texts, known),
                    members: Vec::new(),
                };
            }
            Doc::Object(members) => members,
        };
        let capacity = capacity.max(known.map_or(0, |(_, t)| texts.len(t) + 256));
        let mut text = TextBuilder::for_len(capacity);
        // Room for top-level members later writes add (`$.results`, `$.polls`).
        let mut spans = Vec::with_capacity(members.len() + 4);
        {
            let texts: &Texts = texts;
            let known = known.map(|(anchor, text)| Known {
                anchor,
                text,
                texts,
            });
            text.push('{');
            for (i, (key, value)) in members.iter().enumerate() {
                if i > 0 {
                    text.push(',');
                }
                let key_start = text.len();
                write_str(text.buf(), key);
                text.push(':');
                let start = text.len();
                let inner = match value {
                    _ if known.is_some_and(|k| k.anchor.is(value)) => {
                        value.write_text_known(&mut text, known);
                        None
                    }
                    Doc::Object(inner) => Some(write_members(&mut text, inner, start, known)),
                    Doc::Array(_) => {
                        value.write_text_known(&mut text, known);
                        None
                    }
                    Doc::Value(v) => match &**v {
                        Value::Object(map) => Some(write_object(&mut text, map, start)),
                        other => {
                            write_value(text.buf(), other);
                            None
                        }
                    },
                };
                spans.push(Member {
                    key: start - key_start - 3,
                    start,
                    end: text.len(),
                    inner,
                });
            }
            text.push('}');
        }
        Self {
            text: text.finish(texts),
            members: spans,
        }
    }

    /// A document's text made elsewhere (compact, as [`to_text`] writes it), with its
    /// top-level member spans found by scanning it; `None` when it is not shaped as expected.
    pub fn of_text(text: Text, texts: &Texts) -> Option<Self> {
        let members = if texts.byte(&text, 0) == Some(b'{') {
            object_spans(texts.to_cow(&text).as_bytes())?
                .into_iter()
                .map(|Span { key, start, end }| Member {
                    key,
                    start,
                    end,
                    inner: None,
                })
                .collect()
        } else {
            Vec::new()
        };
        Some(Self { text, members })
    }

    /// The text after ResultPath wrote a value whose text is `value_text` at `names`
    /// (`$.a.b`), where the first `existing` names were already there (the rest were
    /// created). `None` when this text cannot be spliced (the caller serializes instead).
    /// Consumes the old spans (their buffer is reused); the old text lives on where shared.
    #[cfg(test)]
    pub fn splice<S: AsRef<str>>(
        self,
        texts: &mut Texts,
        names: &[S],
        existing: usize,
        value_text: &Text,
    ) -> Option<Self> {
        // Names are written and matched as they are, so they must be plain.
        if !names.iter().all(|n| is_plain(n.as_ref().as_bytes())) {
            return None;
        }
        self.splice_names(texts, names, existing, value_text)
    }

    /// [`Self::splice`] at names known to be plain (checked once, when the program was loaded).
    pub fn splice_plain(
        self,
        texts: &mut Texts,
        names: &PlainNames,
        existing: usize,
        value_text: &Text,
    ) -> Option<Self> {
        self.splice_names(texts, &names.0, existing, value_text)
    }

    /// [`Self::splice`] once the names are known to need no escaping. The new text is the old
    /// one's runs around the cut and the middle (the value's text shared, not copied, when it
    /// is long): see `crate::text`.
    fn splice_names<S: AsRef<str>>(
        mut self,
        texts: &mut Texts,
        names: &[S],
        existing: usize,
        value_text: &Text,
    ) -> Option<Self> {
        let before = self.text.clone();
        let before_len = texts.len(&before);
        let value_len = texts.len(value_text);
        let (first, rest) = names.split_first()?;
        if texts.byte(&before, 0) != Some(b'{') {
            return None;
        }
        // The old text's bytes `cut` give way to `middle`; the spans are brought up to date.
        let (cut, middle, len) = if existing == 0 {
            // A new top-level member, appended.
            let at = before_len - 1;
            let comma = !self.members.is_empty();
            let start = at + usize::from(comma) + first.as_ref().len() + 3;
            let len = usize::from(comma) + inserted_len(names) + value_len;
            let end = at + len;
            // `{"n1":…}` has one member when names go deeper; room for a few more, which later
            // writes (`$.results.x`) often add.
            let inner = rest.first().map(|n1| {
                let mut inner = Vec::with_capacity(8);
                inner.push(Span {
                    key: n1.as_ref().len(),
                    start: n1.as_ref().len() + 4,
                    end: end - start - 1,
                });
                inner
            });
            self.members.push(Member {
                key: first.as_ref().len(),
                start,
                end,
                inner,
            });
            ((at, at), Middle::Insert { comma, names }, len)
        } else {
            let index = key_index(
                texts,
                &before,
                0,
                self.members.iter().map(|m| (m.key, m.start)),
                first.as_ref(),
            )?;
            let member = self.members.get_mut(index)?;
            let (start, end) = (member.start, member.end);
            let (cut, middle, len) = match rest {
                [] => {
                    member.inner = None;
                    ((start, end), Middle::Value, value_len)
                }
                [n1, ..] if existing == 1 => {
                    // A new member of an object member: appended before its closing brace.
                    let old_len = end.checked_sub(start)?;
                    if old_len < 2
                        || texts.byte(&before, start) != Some(b'{')
                        || texts.byte(&before, end - 1) != Some(b'}')
                    {
                        return None;
                    }
                    let comma = old_len > 2;
                    let len = usize::from(comma) + inserted_len(rest) + value_len;
                    if let Some(inner) = &mut member.inner {
                        let s = old_len - 1 + usize::from(comma) + n1.as_ref().len() + 3;
                        inner.push(Span {
                            key: n1.as_ref().len(),
                            start: s,
                            end: old_len - 1 + len,
                        });
                    }
                    let at = end - 1;
                    ((at, at), Middle::Insert { comma, names: rest }, len)
                }
                [n1, deeper @ ..] => {
                    // A member of an object member replaced (or written deeper into).
                    if member.inner.is_none() {
                        let old = texts.slice(&before, start..end)?;
                        member.inner = Some(object_spans(old.as_bytes())?);
                    }
                    let inner = member.inner.as_mut()?;
                    let k = key_index(
                        texts,
                        &before,
                        start,
                        inner.iter().map(|s| (s.key, s.start)),
                        n1.as_ref(),
                    )?;
                    let &Span {
                        start: s, end: e, ..
                    } = inner.get(k)?;
                    let (middle, len) = if deeper.is_empty() {
                        (Middle::Value, value_len)
                    } else {
                        let mut made = String::new();
                        splice_member_into(
                            &mut made,
                            &texts.slice(&before, start + s..start + e)?,
                            deeper,
                            &texts.to_cow(value_text),
                        )?;
                        let len = made.len();
                        (Middle::Made(made), len)
                    };
                    let grown = len.wrapping_sub(e - s);
                    if let Some(span) = inner.get_mut(k) {
                        span.end = s + len;
                    }
                    shift(inner, k + 1, grown);
                    ((start + s, start + e), middle, len)
                }
            };
            let grown = len.wrapping_sub(cut.1 - cut.0);
            member.end = member.end.wrapping_add(grown);
            for m in self.members.iter_mut().skip(index + 1) {
                m.start = m.start.wrapping_add(grown);
                m.end = m.end.wrapping_add(grown);
            }
            (cut, middle, len)
        };
        if cut.0 > cut.1 || cut.1 > before_len {
            return None;
        }
        let new_len = before_len - (cut.1 - cut.0) + len;
        // The new text: up to the cut, the middle, the rest (each long run shared, the rest
        // copied once into a buffer of the new bytes' size).
        let mut out = TextBuilder::for_len(new_len);
        out.push_text(texts, &before, 0..cut.0);
        match middle {
            Middle::Value => out.push_whole(texts, value_text),
            Middle::Insert { comma, names } => {
                if comma {
                    out.push(',');
                }
                for (k, name) in names.iter().enumerate() {
                    if k > 0 {
                        out.push('{');
                    }
                    out.push('"');
                    out.push_str(name.as_ref());
                    out.push_str("\":");
                }
                out.push_whole(texts, value_text);
                for _ in 1..names.len() {
                    out.push('}');
                }
            }
            Middle::Made(made) => out.push_str(&made),
        }
        out.push_text(texts, &before, cut.1..before_len);
        self.text = out.finish(texts);
        Some(self)
    }
}

/// Writes the object `members` (as [`Doc::write_text`]) and returns its members' value spans
/// relative to `base`, where the object starts.
fn write_members<W: TextSink>(
    out: &mut W,
    members: &Members,
    base: usize,
    known: Option<Known<'_>>,
) -> Vec<Span> {
    write_spanned(out, members.len(), members.iter(), base, |out, v| {
        v.write_text_known(out, known)
    })
}

/// Writes the object `map` (as [`write_value`]) and returns its members' value spans relative
/// to `base`, where the object starts.
fn write_object<W: TextSink>(
    out: &mut W,
    map: &serde_json::Map<String, Value>,
    base: usize,
) -> Vec<Span> {
    let members = map.iter().map(|(k, v)| (k.as_str(), v));
    write_spanned(out, map.len(), members, base, |out, v| {
        write_value(out.buf(), v)
    })
}

/// An object of `len` members, each value written by `write`, with the members' value spans
/// relative to `base`: what [`write_members`] and [`write_object`] share.
fn write_spanned<'m, V, W: TextSink>(
    out: &mut W,
    len: usize,
    members: impl Iterator<Item = (&'m str, V)>,
    base: usize,
    write: impl Fn(&mut W, V),
) -> Vec<Span> {
    // Room for members later writes may add.
    let mut spans = Vec::with_capacity(len + 4);
    out.buf().push('{');
    for (k, (key, value)) in members.enumerate() {
        if k > 0 {
            out.buf().push(',');
        }
        let key_start = out.len();
        write_str(out.buf(), key);
        out.buf().push(':');
        let start = out.len();
        write(out, value);
        spans.push(Span {
            key: start - key_start - 3,
            start: start - base,
            end: out.len() - base,
        });
    }
    out.buf().push('}');
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::write_into_value;
    use proptest::prelude::*;
    use serde_json::json;

    /// The execution's texts, as the history keeps them.
    type Store = Texts;

    /// The text a handle names, contiguous.
    fn read(h: &Store, text: &Text) -> String {
        h.to_cow(text).into_owned()
    }

    /// The top-level member spans.
    fn top_spans(d: &DocText) -> Vec<(usize, usize, usize)> {
        d.members.iter().map(|m| (m.key, m.start, m.end)).collect()
    }

    /// Whether every member's known inner spans are those found by scanning its text.
    fn spans_are_right(d: &DocText, h: &Store) -> bool {
        let text = read(h, &d.text);
        let b = text.as_bytes();
        d.members.iter().all(|m| match &m.inner {
            None => true,
            Some(inner) => b
                .get(m.start..m.end)
                .and_then(object_spans)
                .is_some_and(|found| found == *inner),
        })
    }

    #[test]
    fn plain_strings_are_told_from_ones_to_escape_at_every_length_and_place() {
        for len in 0..24 {
            let plain = vec![b'a'; len];
            assert!(is_plain(&plain), "{len}");
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                    let mut s = plain.clone();
                    s[at] = special;
                    assert!(!is_plain(&s), "{len} {at} {special}");
                }
                // Bytes next to the specials' values need no escape.
                for fine in [b' ', b'!', b'#', b'[', b']', 0x7f, 0x80, 0xff] {
                    let mut s = plain.clone();
                    s[at] = fine;
                    assert!(is_plain(&s), "{len} {at} {fine}");
                }
            }
        }
    }

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
        same_as_serde(&json!(i64::MAX));
        for n in [
            0u64,
            1,
            9,
            10,
            11,
            99,
            100,
            101,
            1_000_000,
            10_000_000_000_000_000_000,
        ] {
            same_as_serde(&json!(n));
            same_as_serde(&json!(
                -i64::try_from(n.min(i64::MAX as u64)).unwrap_or_default()
            ));
        }
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
            // Long enough that a text holding it is made of shared pieces once spliced.
            (4_000usize..4_200, "[a-z\"é]").prop_map(|(n, c)| Value::String(c.repeat(n))),
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
            let mut h = Store::default();
            let written = DocText::of(&v, 0, &mut h);
            let found = DocText::of_text(written.text.clone(), &h);
            prop_assert_eq!(found.map(|d| top_spans(&d)), Some(top_spans(&written)));
            prop_assert!(spans_are_right(&written, &h));
        }
    }

    fn doc_splice_matches_set(doc: Value, names: &[&str], value: Value) {
        let mut h = Store::default();
        let before = DocText::of(&doc, 0, &mut h);
        let mut after = doc;
        let Some(existing) = write_into_value(&mut after, names, &value) else {
            panic!("not an object")
        };
        let value_text = h.keep(to_text(&value));
        let spliced = before
            .clone()
            .splice(&mut h, names, existing, &value_text)
            .map(|d| read(&h, &d.text));
        let expected = DocText::of(&after, 0, &mut h);
        assert_eq!(spliced, Some(read(&h, &expected.text)));
        // The spans stay right for the next write.
        let again = before.splice(&mut h, names, existing, &value_text);
        assert_eq!(again.as_ref().map(top_spans), Some(top_spans(&expected)));
        assert!(again.is_some_and(|d| spans_are_right(&d, &h)));
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

    /// Splices `value` at `names` into `text` (the text of `plain`): the result must be the
    /// text of `plain` after the same write, with right spans. A write ResultPath could not
    /// make (a step is not an object) is skipped.
    fn splices_as_written(
        h: &mut Store,
        text: DocText,
        plain: &mut Value,
        names: &[String],
        value: &Value,
    ) -> Result<(), TestCaseError> {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let Some(existing) = write_into_value(plain, &names, value) else {
            return Ok(());
        };
        let value_text = h.keep(to_text(value));
        let next = text.splice(h, &names, existing, &value_text);
        let expected = to_text(plain);
        prop_assert_eq!(next.as_ref().map(|d| read(h, &d.text)), Some(expected));
        prop_assert!(next.is_some_and(|d| spans_are_right(&d, h)));
        Ok(())
    }

    proptest! {
        /// A document with shared subtrees is written as its plain value is, with right spans,
        /// and splices as one written from a plain value.
        #[test]
        fn doc_with_shared_subtrees_is_written_with_its_spans(
            writes in prop::collection::vec((prop::collection::vec("[a-c]{1,2}", 1..3), arb_json()), 0..6),
            names in prop::collection::vec("[a-c]{1,2}", 1..4),
            value in arb_json(),
        ) {
            let mut doc = Doc::empty_object();
            for (at, v) in &writes {
                let at: Vec<&str> = at.iter().map(String::as_str).collect();
                if doc.can_set_at(&at) {
                    let _ = doc.set_at(&at, Doc::from(v.clone()));
                }
            }
            let mut h = Store::default();
            let written = DocText::of_doc(&doc, 0, &mut h);
            prop_assert_eq!(read(&h, &written.text), doc.to_text());
            prop_assert!(spans_are_right(&written, &h));
            let found = DocText::of_text(written.text.clone(), &h);
            prop_assert_eq!(found.map(|d| top_spans(&d)), Some(top_spans(&written)));
            splices_as_written(&mut h, written, &mut doc.to_value(), &names, &value)?;
        }
    }

    proptest! {
        /// A text whose inner spans are not known (found by scanning it) splices the same:
        /// the spans a nested write needs are then found by scanning the member.
        #[test]
        fn doc_text_found_in_a_text_splices_as_one_written(
            doc in prop::collection::vec(("[a-c]{1,2}", arb_json()), 0..6),
            names in prop::collection::vec("[a-c]{1,2}", 1..4),
            value in arb_json(),
        ) {
            let mut doc = Value::Object(doc.into_iter().collect());
            let mut h = Store::default();
            let written = DocText::of(&doc, 0, &mut h);
            let Some(found) = DocText::of_text(written.text, &h) else {
                return Err(TestCaseError::fail("not found"));
            };
            splices_as_written(&mut h, found, &mut doc, &names, &value)?;
        }
    }

    proptest! {
        #[test]
        fn doc_text_splicing_matches_writing(
            doc in prop::collection::vec(("[a-c]{1,2}", arb_json()), 0..6),
            writes in prop::collection::vec((prop::collection::vec("[a-c]{1,2}", 1..4), arb_json()), 1..4),
        ) {
            let mut doc = Value::Object(doc.into_iter().collect());
            let mut h = Store::default();
            let mut text = DocText::of(&doc, 0, &mut h);
            for (names, value) in writes {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                let Some(existing) = write_into_value(&mut doc, &names, &value) else {
                    return Ok(());
                };
                let value_text = h.keep(to_text(&value));
                let next = text.clone().splice(&mut h, &names, existing, &value_text);
                prop_assert!(next.is_some());
                text = next.unwrap_or_else(|| DocText::of(&doc, 0, &mut h));
                prop_assert_eq!(read(&h, &text.text), to_text(&doc));
                let fresh = DocText::of(&doc, 0, &mut h);
                prop_assert_eq!(top_spans(&text), top_spans(&fresh));
                prop_assert!(spans_are_right(&text, &h));
            }
        }
    }

    proptest! {
        /// A document that nests a kept document (a state's output holding its input) is
        /// written as serde_json writes it, with right spans, whether the kept text is one
        /// chunk or pieces: the nested text is taken (shared when long), not written again.
        #[test]
        fn a_document_nesting_a_known_one_is_written_as_serde_json_writes_it(
            input in prop::collection::vec(("[a-c]{1,2}", arb_json()), 0..4),
            first in prop::collection::vec("[a-c]{1,2}", 1..3),
            value in arb_json(),
            other in arb_json(),
        ) {
            let mut h = Store::default();
            let mut plain = Value::Object(input.into_iter().collect());
            let mut text = DocText::of(&plain, 0, &mut h);
            // One write first, so the input's text may be pieces.
            let first: Vec<&str> = first.iter().map(String::as_str).collect();
            if let Some(existing) = write_into_value(&mut plain, &first, &value) {
                let value_text = h.keep(to_text(&value));
                let spliced = text.clone().splice(&mut h, &first, existing, &value_text);
                prop_assert!(spliced.is_some());
                text = spliced.unwrap_or(text);
            }
            let input = Doc::from(plain.clone());
            let anchor = input.anchor();
            let mut members = Members::default();
            members.insert("x".into(), input.clone());
            members.insert("y".into(), Doc::from(other.clone()));
            members.insert(
                "z".into(),
                Doc::Array(std::sync::Arc::new(vec![input.clone(), Doc::from(other.clone())])),
            );
            let outer = Doc::Object(std::sync::Arc::new(members));
            let expected = serde_json::to_string(&json!({"x": plain, "y": other, "z": [plain, other]}))
                .unwrap_or_default();
            let written = DocText::of_doc_known(&outer, 0, &mut h, Some((&anchor, &text.text)));
            prop_assert_eq!(read(&h, &written.text), expected.clone());
            prop_assert!(spans_are_right(&written, &h));
            let array = Doc::Array(std::sync::Arc::new(vec![input.clone(), input]));
            let kept = array.keep_text(&mut h, Some((&anchor, &text.text)));
            prop_assert_eq!(read(&h, &kept), to_text(&json!([plain, plain])));
        }
    }
}
