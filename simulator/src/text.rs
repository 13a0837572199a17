//! The payload texts of one execution, held with structural sharing.
//!
//! Every history event carries JSON text (a state's input and output, a Task's parameters and
//! result), and AWS keeps them all: a loop writing a counter into a 250 KB document makes a
//! 250 KB text at every state, 6 GB by the 25,000-event history limit, though each differs from
//! the one before by a few bytes. Here a text is a short list of pieces of shared chunks: a
//! text made from another (a ResultPath write spliced into the input's text, an output that
//! nests its input, a Parallel's array of its branches' outputs) refers to the other's long
//! runs instead of copying them, and only its new bytes are allocated. A text made whole (a
//! serialized document, a Task's result) is one chunk of its own, as before: the small texts of
//! ordinary workflows never become pieces.
//!
//! The interface is narrow: [`Texts::keep`] stores a new text, a [`TextBuilder`] makes one from
//! new bytes and ranges of kept texts, and a kept text is read by length, byte, range or piece
//! ([`Texts::len`], [`Texts::byte`], [`Texts::slice`], [`Texts::pieces`]); a contiguous copy is
//! made only where one is asked for ([`Texts::to_cow`]), for one text at a time.

use crate::history::Payload;
use std::borrow::Cow;
use std::ops::Range;

/// Runs of an older text shorter than this are copied into a new text rather than shared: a
/// piece costs a few words and a step when read, which is more than copying a short run.
/// Texts of ordinary workflows (a few KiB) are therefore made whole, as they were before.
const SHARE_FROM: usize = 4096;

/// A text of more pieces than this is made again with fewer (the shortest runs copied), so
/// reading one stays a walk of a few pieces however many writes made it.
const MAX_PIECES: usize = 16;

/// A payload text as an event records it: a handle into its execution's [`Texts`], or a text
/// shared with what made it (a mocked response's, a Pass state's `Result`). Copying a handle
/// copies no text, and the first and third kind touch no reference count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    /// A whole chunk of the execution's texts.
    At(u32),
    /// A text shared with the program or the mocks.
    Shared(Payload),
    /// A text made of pieces of chunks ([`Texts`]' ropes).
    Pieces(u32),
}

impl From<Payload> for Text {
    fn from(text: Payload) -> Self {
        Self::Shared(text)
    }
}

/// A stored run of text: the execution's own bytes, or a shared payload a piece refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Chunk {
    Owned(String),
    Shared(Payload),
}

impl Chunk {
    fn as_str(&self) -> &str {
        match self {
            Chunk::Owned(s) => s,
            Chunk::Shared(p) => p.as_str(),
        }
    }
}

/// A byte range of a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    chunk: u32,
    start: usize,
    end: usize,
}

/// A text of several pieces, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rope {
    len: usize,
    pieces: Box<[Piece]>,
}

/// The texts of one execution: the chunks (never freed while the execution's history holds
/// its events) and the ropes that piece texts together from them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Texts {
    chunks: Vec<Chunk>,
    ropes: Vec<Rope>,
    /// The bytes this execution allocated for its texts: new chunks' bytes and the ropes'
    /// pieces (shared runs count where they were first made).
    bytes: usize,
}

/// One of a text's runs, as a new text refers to it.
#[derive(Debug, Clone)]
enum Source {
    Chunk(u32),
    Payload(Payload),
}

impl Texts {
    pub(crate) fn with_capacity(texts: usize) -> Self {
        Self {
            chunks: Vec::with_capacity(texts),
            ropes: Vec::new(),
            bytes: 0,
        }
    }

    /// Makes room for `more` texts, moving the list to a new allocation rather than letting
    /// `reserve` copy its whole old capacity.
    pub(crate) fn reserve(&mut self, more: usize, at_most: usize) {
        let target = self.chunks.capacity().saturating_add(more).min(at_most);
        if target > self.chunks.capacity() {
            let mut grown = Vec::with_capacity(target);
            grown.append(&mut self.chunks);
            self.chunks = grown;
        }
    }

    /// Keeps a new text.
    pub(crate) fn keep(&mut self, text: String) -> Text {
        let id = u32::try_from(self.chunks.len()).unwrap_or(u32::MAX);
        self.bytes = self.bytes.saturating_add(text.len());
        self.chunks.push(Chunk::Owned(text));
        Text::At(id)
    }

    /// The bytes this execution allocated for its texts.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    #[inline]
    fn chunk(&self, id: u32) -> &str {
        self.chunks.get(id as usize).map_or("", Chunk::as_str)
    }

    fn rope(&self, id: u32) -> Option<&Rope> {
        self.ropes.get(id as usize)
    }

    /// The text's pieces, in order (one for a text made whole).
    pub(crate) fn pieces<'a>(&'a self, text: &'a Text) -> impl Iterator<Item = &'a str> + 'a {
        let (single, rope) = match text {
            Text::At(id) => (Some(self.chunk(*id)), None),
            Text::Shared(p) => (Some(p.as_str()), None),
            Text::Pieces(id) => (None, self.rope(*id)),
        };
        single.into_iter().chain(
            rope.into_iter()
                .flat_map(|r| r.pieces.iter())
                .map(|p| self.chunk(p.chunk).get(p.start..p.end).unwrap_or_default()),
        )
    }

    /// The text's length in bytes.
    #[inline]
    pub(crate) fn len(&self, text: &Text) -> usize {
        match text {
            Text::At(id) => self.chunk(*id).len(),
            Text::Shared(p) => p.as_str().len(),
            Text::Pieces(id) => self.rope(*id).map_or(0, |r| r.len),
        }
    }

    /// The text, contiguous: borrowed when it is one piece, copied otherwise.
    pub(crate) fn to_cow<'a>(&'a self, text: &'a Text) -> Cow<'a, str> {
        match text {
            Text::At(id) => Cow::Borrowed(self.chunk(*id)),
            Text::Shared(p) => Cow::Borrowed(p.as_str()),
            Text::Pieces(_) => {
                let mut out = String::with_capacity(self.len(text));
                self.write_to(text, &mut out);
                Cow::Owned(out)
            }
        }
    }

    /// Appends the text to `out`.
    pub(crate) fn write_to(&self, text: &Text, out: &mut String) {
        for piece in self.pieces(text) {
            out.push_str(piece);
        }
    }

    /// The text when it is one piece.
    #[inline]
    fn single<'a>(&'a self, text: &'a Text) -> Option<&'a str> {
        match text {
            Text::At(id) => Some(self.chunk(*id)),
            Text::Shared(p) => Some(p.as_str()),
            Text::Pieces(_) => None,
        }
    }

    /// The byte at `at`.
    #[inline]
    pub(crate) fn byte(&self, text: &Text, at: usize) -> Option<u8> {
        if let Some(s) = self.single(text) {
            return s.as_bytes().get(at).copied();
        }
        let mut base = 0;
        for piece in self.pieces(text) {
            if at < base + piece.len() {
                return piece.as_bytes().get(at - base).copied();
            }
            base += piece.len();
        }
        None
    }

    /// The bytes `range` of the text: borrowed when they lie in one piece. `None` when the
    /// range is outside the text or does not fall on character boundaries.
    pub(crate) fn slice<'a>(&'a self, text: &'a Text, range: Range<usize>) -> Option<Cow<'a, str>> {
        if let Some(s) = self.single(text) {
            return s.get(range).map(Cow::Borrowed);
        }
        if range.start > range.end || range.end > self.len(text) {
            return None;
        }
        let mut base = 0;
        let mut out: Option<String> = None;
        for piece in self.pieces(text) {
            let (start, end) = (base, base + piece.len());
            base = end;
            if end <= range.start && range.start != range.end {
                continue;
            }
            let from = range.start.saturating_sub(start);
            let to = range.end.min(end) - start;
            let part = piece.get(from..to)?;
            match &mut out {
                None if range.end <= end => return Some(Cow::Borrowed(part)),
                None => {
                    let mut s = String::with_capacity(range.end - range.start);
                    s.push_str(part);
                    out = Some(s);
                }
                Some(s) => s.push_str(part),
            }
            if range.end <= end {
                break;
            }
        }
        out.map(Cow::Owned)
    }

    /// Whether the bytes of the text from `at` are `expected`.
    pub(crate) fn has_at(&self, text: &Text, at: usize, expected: &[u8]) -> bool {
        let Some(end) = at.checked_add(expected.len()) else {
            return false;
        };
        // Compared as bytes, with no character-boundary check: bytes cut off a boundary
        // never equal a whole UTF-8 text such as a member's key.
        if let Some(s) = self.single(text) {
            return s
                .as_bytes()
                .get(at..end)
                .is_some_and(|b| crate::jsonpath::same_bytes(b, expected));
        }
        self.slice(text, at..end)
            .is_some_and(|s| s.as_bytes() == expected)
    }

    /// The runs of `text` within `range`: where each run's bytes are kept, their range
    /// there, and the bytes.
    fn runs<'a>(
        &'a self,
        text: &'a Text,
        range: Range<usize>,
    ) -> impl Iterator<Item = (SourceRef<'a>, Range<usize>, &'a str)> + 'a {
        let whole = match text {
            Text::At(id) => Some((SourceRef::Chunk(*id), self.chunk(*id))),
            Text::Shared(p) => Some((SourceRef::Payload(p), p.as_str())),
            Text::Pieces(_) => None,
        };
        let pieces = match text {
            Text::Pieces(id) => self.rope(*id).map(|r| &r.pieces[..]),
            _ => None,
        }
        .unwrap_or_default();
        let mut base = 0;
        let pieces = pieces.iter().map(move |p| {
            let at = base;
            base += p.end - p.start;
            (
                SourceRef::Chunk(p.chunk),
                self.chunk(p.chunk),
                at,
                p.start,
                p.end - p.start,
            )
        });
        let whole = whole
            .into_iter()
            .map(|(source, s)| (source, s, 0, 0, s.len()));
        whole
            .chain(pieces)
            .filter_map(move |(source, s, at, start, len)| {
                // The run's part inside `range`, in the chunk's coordinates.
                let from = range.start.max(at);
                let to = range.end.min(at + len);
                if from >= to {
                    return None;
                }
                let in_chunk = start + (from - at)..start + (to - at);
                let bytes = s.get(in_chunk.clone())?;
                Some((source, in_chunk, bytes))
            })
    }
}

/// Where a run's bytes are kept, as [`Texts::runs`] finds it.
#[derive(Debug, Clone, Copy)]
enum SourceRef<'a> {
    Chunk(u32),
    Payload(&'a Payload),
}

impl SourceRef<'_> {
    fn to_owned(self) -> Source {
        match self {
            SourceRef::Chunk(id) => Source::Chunk(id),
            SourceRef::Payload(p) => Source::Payload(p.clone()),
        }
    }
}

/// Where JSON text is written: a plain string, or a [`TextBuilder`], which shares the long
/// runs of a text written into it instead of copying them.
pub(crate) trait TextSink {
    /// Where new bytes go.
    fn buf(&mut self) -> &mut String;
    /// The length written so far.
    fn len(&self) -> usize;
    /// Appends the whole of a kept text.
    fn push_kept(&mut self, texts: &Texts, text: &Text);
}

impl TextSink for String {
    fn buf(&mut self) -> &mut String {
        self
    }

    fn len(&self) -> usize {
        String::len(self)
    }

    fn push_kept(&mut self, texts: &Texts, text: &Text) {
        texts.write_to(text, self);
    }
}

impl TextSink for TextBuilder {
    fn buf(&mut self) -> &mut String {
        &mut self.buf
    }

    fn len(&self) -> usize {
        TextBuilder::len(self)
    }

    fn push_kept(&mut self, texts: &Texts, text: &Text) {
        self.push_whole(texts, text);
    }
}

/// A new text in the making: new bytes, and runs of kept texts (shared when long, copied when
/// short). [`TextBuilder::finish`] keeps it.
#[derive(Debug, Default)]
pub(crate) struct TextBuilder {
    /// The runs so far; a `None` source is a range of `buf`.
    parts: Vec<(Option<Source>, Range<usize>)>,
    /// The new bytes.
    buf: String,
    /// Where the current run of new bytes started in `buf`.
    mark: usize,
    /// The bytes of the shared runs so far.
    shared: usize,
}

impl TextBuilder {
    /// A builder with room for `capacity` new bytes.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            parts: Vec::new(),
            buf: String::with_capacity(capacity),
            mark: 0,
            shared: 0,
        }
    }

    /// A builder for a text of about `len` bytes: room for all of them when the text is short
    /// (it is then copied whole), for a few otherwise (its long runs will be shared).
    pub(crate) fn for_len(len: usize) -> Self {
        Self::with_capacity(if len < 2 * SHARE_FROM { len } else { 256 })
    }

    pub(crate) fn push_str(&mut self, s: &str) {
        self.buf.push_str(s);
    }

    pub(crate) fn push(&mut self, c: char) {
        self.buf.push(c);
    }

    /// The length of the text so far.
    pub(crate) fn len(&self) -> usize {
        self.shared + self.buf.len()
    }

    /// Ends the current run of new bytes.
    fn close_new(&mut self) {
        if self.buf.len() > self.mark {
            self.parts.push((None, self.mark..self.buf.len()));
            self.mark = self.buf.len();
        }
    }

    /// Appends the bytes `range` of `text`: its long runs shared, short ones copied.
    pub(crate) fn push_text(&mut self, texts: &Texts, text: &Text, range: Range<usize>) {
        self.push_text_sharing(texts, text, range, SHARE_FROM);
    }

    /// Appends the whole of `text`.
    pub(crate) fn push_whole(&mut self, texts: &Texts, text: &Text) {
        self.push_text(texts, text, 0..texts.len(text));
    }

    fn push_text_sharing(
        &mut self,
        texts: &Texts,
        text: &Text,
        range: Range<usize>,
        share_from: usize,
    ) {
        // The common case: a short run of a text made whole, copied.
        if range.len() < share_from
            && let Some(s) = texts.single(text)
        {
            self.buf.push_str(s.get(range).unwrap_or_default());
            return;
        }
        for (source, in_chunk, bytes) in texts.runs(text, range) {
            if bytes.len() < share_from {
                self.buf.push_str(bytes);
                continue;
            }
            self.close_new();
            self.shared += bytes.len();
            // A run that continues the previous one (the same chunk, adjacent) extends it.
            if let Some((Some(Source::Chunk(last)), r)) = self.parts.last_mut()
                && matches!(source, SourceRef::Chunk(id) if id == *last)
                && r.end == in_chunk.start
            {
                r.end = in_chunk.end;
                continue;
            }
            self.parts.push((Some(source.to_owned()), in_chunk));
        }
    }

    /// Keeps the text and returns its handle: a chunk of its own when nothing was shared (or
    /// it is exactly a kept chunk), pieces otherwise.
    pub(crate) fn finish(mut self, texts: &mut Texts) -> Text {
        // Nothing shared (the common case): the new bytes are the text, with no list of runs
        // allocated for them.
        if self.parts.is_empty() {
            return texts.keep(self.buf);
        }
        self.close_new();
        let mut share_from = SHARE_FROM;
        while self.parts.len() > MAX_PIECES {
            // Too many pieces: share only longer runs, copying the rest.
            share_from = share_from.saturating_mul(2);
            self = self.rebuilt(texts, share_from);
        }
        if self.parts.iter().all(|(s, _)| s.is_none()) {
            return texts.keep(self.buf);
        }
        if let [(Some(source), range)] = &self.parts[..] {
            let whole = match source {
                Source::Chunk(id) => range.start == 0 && range.end == texts.chunk(*id).len(),
                Source::Payload(p) => range.start == 0 && range.end == p.as_str().len(),
            };
            if whole {
                return match source {
                    Source::Chunk(id) => Text::At(*id),
                    Source::Payload(p) => Text::Shared(p.clone()),
                };
            }
        }
        self.buf.shrink_to_fit();
        let new_bytes = self.buf.len();
        let buf_chunk = (new_bytes > 0).then(|| {
            let id = u32::try_from(texts.chunks.len()).unwrap_or(u32::MAX);
            texts
                .chunks
                .push(Chunk::Owned(std::mem::take(&mut self.buf)));
            id
        });
        let mut len = 0;
        let mut pieces = Vec::with_capacity(self.parts.len());
        for (source, range) in self.parts {
            len += range.len();
            let chunk = match source {
                None => buf_chunk.unwrap_or(u32::MAX),
                Some(Source::Chunk(id)) => id,
                Some(Source::Payload(p)) => {
                    let id = u32::try_from(texts.chunks.len()).unwrap_or(u32::MAX);
                    texts.chunks.push(Chunk::Shared(p));
                    id
                }
            };
            pieces.push(Piece {
                chunk,
                start: range.start,
                end: range.end,
            });
        }
        texts.bytes = texts
            .bytes
            .saturating_add(new_bytes)
            .saturating_add(pieces.len() * std::mem::size_of::<Piece>())
            .saturating_add(std::mem::size_of::<Rope>());
        let id = u32::try_from(texts.ropes.len()).unwrap_or(u32::MAX);
        texts.ropes.push(Rope {
            len,
            pieces: pieces.into_boxed_slice(),
        });
        Text::Pieces(id)
    }

    /// The same text, sharing only runs of at least `share_from` bytes.
    fn rebuilt(self, texts: &Texts, share_from: usize) -> Self {
        let mut out = TextBuilder::with_capacity(self.buf.len());
        for (source, range) in self.parts {
            match source {
                None => out.push_str(self.buf.get(range).unwrap_or_default()),
                Some(Source::Chunk(id)) => {
                    out.push_text_sharing(texts, &Text::At(id), range, share_from);
                }
                Some(Source::Payload(p)) => {
                    out.push_text_sharing(texts, &Text::Shared(p), range, share_from);
                }
            }
        }
        out.close_new();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn big(c: char) -> String {
        std::iter::repeat_n(c, SHARE_FROM * 2).collect()
    }

    /// A text nesting another twice, again and again (`{"a.$": "$", "b.$": "$"}` in a loop):
    /// its pieces double at every step until they are merged.
    #[test]
    fn a_text_nesting_another_twice_reads_right_as_its_pieces_are_merged() {
        let mut texts = Texts::default();
        let mut t = texts.keep("{\"k\":\"v\"}".to_string());
        for _ in 0..14 {
            let mut b = TextBuilder::for_len(texts.len(&t) * 2 + 20);
            b.push_str("{\"a\":");
            b.push_whole(&texts, &t);
            b.push_str(",\"b\":");
            b.push_whole(&texts, &t);
            b.push('}');
            let expected = format!("{{\"a\":{0},\"b\":{0}}}", texts.to_cow(&t));
            let len = b.len();
            t = b.finish(&mut texts);
            assert_eq!(len, expected.len());
            assert_eq!(texts.to_cow(&t), expected, "{t:?}");
        }
    }

    #[test]
    fn a_text_made_of_new_bytes_is_one_chunk() {
        let mut texts = Texts::default();
        let mut b = TextBuilder::with_capacity(8);
        b.push_str("{\"a\":1}");
        let t = b.finish(&mut texts);
        assert!(matches!(t, Text::At(_)));
        assert_eq!(texts.to_cow(&t), "{\"a\":1}");
        assert_eq!(texts.bytes(), 7);
    }

    #[test]
    fn a_splice_of_a_long_text_shares_it_and_counts_only_new_bytes() {
        let mut texts = Texts::default();
        let body = big('x');
        let old = texts.keep(format!("{{\"big\":\"{body}\"}}"));
        let before = texts.bytes();
        let len = texts.len(&old);
        let mut b = TextBuilder::default();
        b.push_text(&texts, &old, 0..len - 1);
        b.push_str(",\"n\":1");
        b.push_text(&texts, &old, len - 1..len);
        let new = b.finish(&mut texts);
        assert!(matches!(new, Text::Pieces(_)));
        let expected = format!("{{\"big\":\"{body}\",\"n\":1}}");
        assert_eq!(texts.to_cow(&new), expected);
        assert_eq!(texts.len(&new), expected.len());
        assert!(texts.bytes() - before < 200, "{}", texts.bytes() - before);
        // Reading by byte and range across pieces.
        assert_eq!(texts.byte(&new, 0), Some(b'{'));
        assert_eq!(texts.byte(&new, expected.len() - 2), Some(b'1'));
        assert_eq!(texts.byte(&new, expected.len()), None);
        let seam = expected.len() - 8;
        assert_eq!(
            texts.slice(&new, seam..expected.len()).as_deref(),
            expected.get(seam..)
        );
        assert!(texts.has_at(&new, expected.len() - 6, b"\"n\":1}"));
        // A text made of exactly one kept chunk is that chunk.
        let mut b = TextBuilder::default();
        b.push_whole(&texts, &old);
        assert_eq!(b.finish(&mut texts), old);
    }

    #[test]
    fn many_writes_keep_a_text_to_a_few_pieces() {
        let mut texts = Texts::default();
        let mut t = texts.keep(format!("[{}]", big('a')));
        for i in 0..100 {
            let len = texts.len(&t);
            // A write somewhere new each time, with a long run of its own.
            let at = 1 + (i * 97) % (len - 2);
            let mut b = TextBuilder::default();
            b.push_text(&texts, &t, 0..at);
            b.push_str(&big('b'));
            b.push_text(&texts, &t, at..len);
            let expected = {
                let s = texts.to_cow(&t).into_owned();
                format!("{}{}{}", &s[..at], big('b'), &s[at..])
            };
            t = b.finish(&mut texts);
            assert_eq!(texts.to_cow(&t), expected);
            if let Text::Pieces(id) = t {
                let pieces = texts.rope(id).map_or(0, |r| r.pieces.len());
                assert!(pieces <= MAX_PIECES, "{pieces}");
            }
        }
    }

    fn arb_text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z\"é]{0,12}",
            (1usize..3).prop_map(|n| "y".repeat(SHARE_FROM * n + 3)),
        ]
    }

    proptest! {
        /// Any text built from new bytes and ranges of kept texts reads (whole, by piece, by
        /// byte, by range) as the same text built as one string.
        #[test]
        fn built_texts_read_as_concatenated_strings(
            kept in prop::collection::vec(prop::collection::vec(arb_text(), 1..4), 1..4),
            steps in prop::collection::vec((any::<bool>(), any::<prop::sample::Index>(), any::<prop::sample::Index>(), any::<prop::sample::Index>(), arb_text()), 0..8),
            probe in any::<prop::sample::Index>(),
        ) {
            let mut texts = Texts::default();
            let mut handles: Vec<(Text, String)> = Vec::new();
            for parts in kept {
                let whole: String = parts.concat();
                handles.push((texts.keep(whole.clone()), whole));
            }
            for (new, which, from, to, bytes) in steps {
                let (t, s) = which.get(&handles).clone();
                let mut b = TextBuilder::default();
                let mut expected = String::new();
                if new {
                    b.push_str(&bytes);
                    expected.push_str(&bytes);
                }
                // A range on character boundaries.
                let bounds: Vec<usize> = (0..=s.len()).filter(|&i| s.is_char_boundary(i)).collect();
                let (mut a, mut z) = (*from.get(&bounds), *to.get(&bounds));
                if a > z {
                    std::mem::swap(&mut a, &mut z);
                }
                b.push_text(&texts, &t, a..z);
                expected.push_str(&s[a..z]);
                b.push_str("}");
                expected.push('}');
                prop_assert_eq!(b.len(), expected.len());
                let made = b.finish(&mut texts);
                prop_assert_eq!(texts.to_cow(&made), expected.as_str());
                prop_assert_eq!(texts.len(&made), expected.len());
                prop_assert_eq!(texts.pieces(&made).collect::<String>(), expected.clone());
                let at = probe.index(expected.len() + 1);
                prop_assert_eq!(texts.byte(&made, at), expected.as_bytes().get(at).copied());
                let range = at.min(expected.len())..expected.len();
                prop_assert_eq!(
                    texts.slice(&made, range.clone()).map(Cow::into_owned),
                    expected.get(range).map(str::to_string)
                );
                handles.push((made, expected));
            }
        }
    }
}
