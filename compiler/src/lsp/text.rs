//! Positions: the compiler counts bytes, LSP counts lines and UTF-16 code units.
//!
//! Every span leaving the server goes through [`LineIndex::range`], every position coming in
//! through [`LineIndex::offset`], so an `é` (two bytes, one unit) or an emoji (four bytes, two
//! units) before a name never shifts what an editor underlines.

use flowc_dsl::Span;
use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

/// Byte offsets of line starts of one text, for converting between bytes and LSP positions.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { line_starts }
    }

    /// The LSP position of byte `offset` (clamped to the text and to a character boundary).
    pub(crate) fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let character: usize = text
            .get(start..offset)
            .map_or(0, |s| s.chars().map(char::len_utf16).sum());
        Position::new(to_u32(line), to_u32(character))
    }

    pub(crate) fn range(&self, text: &str, span: Span) -> Range {
        Range::new(
            self.position(text, span.start),
            self.position(text, span.end.max(span.start)),
        )
    }

    /// The byte offset of an LSP position. A column past the end of its line means the end of
    /// the line and a line past the end means the end of the text, as the protocol asks; a
    /// column inside a surrogate pair means the character holding it.
    pub(crate) fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&start) = self.line_starts.get(position.line as usize) else {
            return text.len();
        };
        let end = self
            .line_starts
            .get(position.line as usize + 1)
            .map_or(text.len(), |next| next - 1);
        let line = text.get(start..end).unwrap_or_default();
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            if units >= position.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Applies one `didChange` event to `text`: a whole new text, or a range replaced.
pub(crate) fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    match change.range {
        None => *text = change.text,
        Some(range) => {
            let index = LineIndex::new(text);
            let start = index.offset(text, range.start);
            let end = index.offset(text, range.end).max(start);
            text.replace_range(start..end, &change.text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units_not_bytes() {
        // `é` is 2 bytes and 1 unit; `😀` is 4 bytes and 2 units.
        let text = "a\né😀 Name\n";
        let index = LineIndex::new(text);
        let name = text.find("Name").unwrap_or_default();
        assert_eq!(index.position(text, name), Position::new(1, 4));
        assert_eq!(index.offset(text, Position::new(1, 4)), name);
        assert_eq!(index.offset(text, Position::new(1, 1)), name - 5);
    }

    #[test]
    fn positions_past_the_end_clamp() {
        let text = "ab\ncd";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(text, Position::new(0, 99)), 2);
        assert_eq!(index.offset(text, Position::new(7, 0)), text.len());
        assert_eq!(index.position(text, 99), Position::new(1, 2));
    }

    #[test]
    fn a_range_change_replaces_only_its_range() {
        let mut text = String::from("task Ä = r\nnext B\n");
        apply_change(
            &mut text,
            TextDocumentContentChangeEvent {
                range: Some(Range::new(Position::new(1, 5), Position::new(1, 6))),
                range_length: None,
                text: "Done".into(),
            },
        );
        assert_eq!(text, "task Ä = r\nnext Done\n");
    }
}
