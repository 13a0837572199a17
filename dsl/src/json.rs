//! JSON literals: the grammar matches one as a single atomic token (checking its structure) and
//! this module decodes the token's text with serde_json. Comments are allowed wherever JSON
//! allows whitespace, so they are blanked out first (with spaces, so every byte keeps its
//! offset and serde_json's line and column still point into the source).
//!
//! A JSONata expression written bare (`{% ... %}`, see the grammar's `jsonata` rule) stands for
//! the JSON string holding it: each is replaced by that string before decoding, and an error
//! serde_json reports after one is moved back to where it is in the source.

use serde::Deserialize as _;
use serde_json::Value;

use crate::ast::Span;
use crate::error::ParseError;
use crate::parse::{Scanner, Token};

/// Decode the JSON literal `text`, which starts at byte `start` of the source.
pub(crate) fn decode(text: &str, start: usize) -> Result<Value, ParseError> {
    let blanked = blank_comments(text);
    let Some((quoted, moves)) = quote_expressions(&blanked) else {
        return serde_json::from_str(&blanked).map_err(|e| error_at(&blanked, start, &e));
    };
    serde_json::from_str(&quoted).map_err(|e| {
        let at = offset_of(&quoted, e.line(), e.column());
        let back = source_offset(&moves, at).min(blanked.len());
        match error_at(&blanked, start, &e) {
            ParseError::Syntax {
                message,
                label,
                help,
                ..
            } => {
                let width = blanked
                    .get(back..)
                    .and_then(|rest| rest.chars().next())
                    .map_or(0, char::len_utf8);
                ParseError::Syntax {
                    message,
                    label,
                    help,
                    span: Span::new(start + back, start + back + width).into(),
                }
            }
            other => other,
        }
    })
}

/// `text` with every bare `{% ... %}` replaced by the JSON string holding it, and where the
/// replaced text moved: pairs of (offset in the new text, offset in `text`) from which the two
/// run side by side. `None` when `text` holds no bare expression.
fn quote_expressions(text: &str) -> Option<(String, Vec<(usize, usize)>)> {
    if !text.contains("{%") {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut moves = vec![(0, 0)];
    let mut copied = 0;
    let mut scanner = Scanner::new(text);
    while let Some((begin, token)) = scanner.next_token() {
        let Token::Expression(end) = token else {
            continue;
        };
        out.push_str(text.get(copied..begin)?);
        moves.push((out.len(), begin));
        let expression = text.get(begin..end)?;
        out.push_str(&serde_json::to_string(expression).ok()?);
        moves.push((out.len(), end));
        copied = end;
    }
    if moves.len() == 1 {
        return None;
    }
    out.push_str(text.get(copied..)?);
    Some((out, moves))
}

/// Where byte `at` of the quoted text was in the text before quoting.
fn source_offset(moves: &[(usize, usize)], at: usize) -> usize {
    let (new, old) = moves
        .iter()
        .rev()
        .find(|(new, _)| *new <= at)
        .copied()
        .unwrap_or((0, 0));
    old + (at - new)
}

/// Where the JSON value starting at byte `start` of `source` is malformed, if it is: for a
/// syntax error pest reports at the start of a literal, serde_json says which character is
/// wrong and why.
pub(crate) fn first_error(source: &str, start: usize) -> Option<ParseError> {
    let rest = blank_comments(source.get(start..)?);
    let mut reader = serde_json::Deserializer::from_str(&rest);
    match serde::de::IgnoredAny::deserialize(&mut reader) {
        Ok(_) => None,
        Err(e) => Some(error_at(&rest, start, &e)),
    }
}

/// One step into a JSON value: an object member by its key as written, or an array item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Where the member `pointer` names is written, for diagnostics about one member of a JSON
/// literal: the literal is the first `{` or `[` at or after byte `from` of `source` (a field's
/// start: `parameters { ... }`). An object member's span runs from its key to the end of its
/// value; an array item's is the item. `None` when the text there is not the value the pointer
/// walks (callers then point at the whole field).
pub fn member_span(source: &str, from: usize, pointer: &[Step]) -> Option<Span> {
    let rest = source.get(from..)?;
    let blanked = blank_comments(rest);
    let bytes = blanked.as_bytes();
    let mut at = bytes.iter().position(|b| *b == b'{' || *b == b'[')?;
    let mut span = None;
    for step in pointer {
        let (start, end, value) = find_member(&blanked, at, step)?;
        span = Some(Span::new(from + start, from + end));
        at = value;
    }
    span
}

/// In the object or array starting at byte `at` of `text`: the member `step` names, as
/// (start, end, where its value starts).
fn find_member(text: &str, at: usize, step: &Step) -> Option<(usize, usize, usize)> {
    let bytes = text.as_bytes();
    let open = *bytes.get(at)?;
    let mut pos = at + 1;
    let mut index = 0;
    loop {
        pos = skip_blank(bytes, pos);
        match bytes.get(pos)? {
            b'}' | b']' => return None,
            b',' => {
                pos += 1;
                continue;
            }
            _ => {}
        }
        let start = pos;
        let (matches, value_start) = match (open, step) {
            (b'{', Step::Key(key)) => {
                let key_end = skip_value(bytes, pos)?;
                let written: String = serde_json::from_str(text.get(pos..key_end)?).ok()?;
                let colon = skip_blank(bytes, key_end);
                (written == *key, skip_blank(bytes, colon + 1))
            }
            (b'{', Step::Index(_)) => {
                let key_end = skip_value(bytes, pos)?;
                (false, skip_blank(bytes, skip_blank(bytes, key_end) + 1))
            }
            (_, Step::Index(wanted)) => (index == *wanted, pos),
            (_, Step::Key(_)) => return None,
        };
        let end = skip_value(bytes, value_start)?;
        if matches {
            return Some((start, end, value_start));
        }
        index += 1;
        pos = end;
    }
}

fn skip_blank(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(|b| b.is_ascii_whitespace()) {
        pos += 1;
    }
    pos
}

/// The end of the JSON value starting at `pos` (valid JSON: the literal parsed already).
fn skip_value(bytes: &[u8], pos: usize) -> Option<usize> {
    match bytes.get(pos)? {
        b'"' => {
            let mut i = pos + 1;
            loop {
                match bytes.get(i)? {
                    b'\\' => i += 2,
                    b'"' => return Some(i + 1),
                    _ => i += 1,
                }
            }
        }
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = pos;
            loop {
                match bytes.get(i)? {
                    b'"' => {
                        i = skip_value(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = pos;
            while bytes
                .get(i)
                .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
            {
                i += 1;
            }
            (i > pos).then_some(i)
        }
    }
}

/// `text` with every `#` / `//` comment outside strings replaced by spaces, byte for byte.
/// Borrowed when there is nothing to blank (the common case).
fn blank_comments(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.bytes().any(|b| b == b'#' || b == b'/') {
        return text.into();
    }
    // The parse module's pre-scan knows strings and comments; the same scanner finds them here.
    let mut bytes = text.as_bytes().to_vec();
    let mut scanner = Scanner::new(text);
    while let Some((start, token)) = scanner.next_token() {
        if let Token::Comment(end) = token
            && let Some(comment) = bytes.get_mut(start..end)
        {
            comment.fill(b' ');
        }
    }
    // Only ASCII bytes were written, and only over whole comments (which end at a newline or
    // at the end), so the text is still UTF-8; the fallback is never taken.
    String::from_utf8(bytes)
        .map(Into::into)
        .unwrap_or_else(|_| text.into())
}

/// serde_json's error as a parse error pointing into the source.
fn error_at(text: &str, start: usize, error: &serde_json::Error) -> ParseError {
    let at = offset_of(text, error.line(), error.column());
    // serde_json's line and column count from the literal's start; the span says where it is.
    let full = error.to_string();
    let reason = match full
        .rfind(" at line ")
        .map_or(full.as_str(), |i| &full[..i])
    {
        // serde_json's word for a misspelt true/false/null.
        "expected ident" => "expected `true`, `false` or `null`".to_string(),
        other => other.to_string(),
    };
    let is_string_error = [
        "invalid escape",
        "invalid unicode code point",
        "control character",
        "lone leading surrogate",
        "unexpected end of hex escape",
    ]
    .iter()
    .any(|p| reason.starts_with(p));
    if is_string_error && let Some((s, e)) = string_around(text, at) {
        return ParseError::InvalidString {
            reason,
            span: Span::new(start + s, start + e).into(),
        };
    }
    if reason.starts_with("number out of range") {
        let (s, e) = number_around(text, at);
        return ParseError::InvalidNumber {
            text: text[s..e].to_string(),
            span: Span::new(start + s, start + e).into(),
        };
    }
    let width = text[at..].chars().next().map_or(0, char::len_utf8);
    ParseError::Syntax {
        message: format!("invalid JSON: {reason}"),
        label: reason,
        help: "write JSON: objects `{ \"key\": value, ... }` with string keys and commas between \
               members, arrays `[a, b]`, strings in double quotes, numbers, true, false, null"
            .to_string(),
        span: Span::new(start + at, start + at + width).into(),
    }
}

/// Byte offset of serde_json's 1-based line and (byte) column, clamped into `text`. serde_json
/// reports the column of the character it stopped on; column 0 means the line's end.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    let mut at = (line_start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The string literal (quotes included) holding byte `at`, as a byte range.
fn string_around(text: &str, at: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'"' {
            let open = i;
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                if bytes[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            let close = (i + 1).min(bytes.len());
            if (open..close).contains(&at) || at == close {
                return Some((open, close));
            }
        }
        i += 1;
    }
    None
}

/// The number ending at or holding byte `at`, as a byte range.
fn number_around(text: &str, at: usize) -> (usize, usize) {
    let is_number = |b: u8| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E');
    let bytes = text.as_bytes();
    let mut s = at.min(bytes.len());
    while s > 0 && is_number(bytes[s - 1]) {
        s -= 1;
    }
    let mut e = s;
    while e < bytes.len() && is_number(bytes[e]) {
        e += 1;
    }
    (s, e)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_blanked_byte_for_byte() {
        let text = "{ # one\n \"a#b\": 1 // two\n}";
        let blanked = blank_comments(text);
        assert_eq!(blanked.len(), text.len());
        assert_eq!(blanked, "{      \n \"a#b\": 1       \n}");
    }

    #[test]
    fn decodes_with_comments_and_keeps_key_order() {
        let value = decode("{ \"b\": 1, # x\n \"a\": [true, null] }", 0);
        assert_eq!(
            value.map(|v| v.to_string()),
            Ok(r#"{"b":1,"a":[true,null]}"#.to_string())
        );
    }

    #[test]
    fn a_missing_comma_points_at_the_next_member() {
        let source = "result { \"a\": 1\n  \"b\": 2 }";
        let Some(ParseError::Syntax { message, span, .. }) = first_error(source, 7) else {
            panic!("expected a syntax error");
        };
        assert_eq!(message, "invalid JSON: expected `,` or `}`");
        assert_eq!(Some(span.offset()), source.find("\"b\""));
    }

    #[test]
    fn a_bare_expression_is_the_string_holding_it() {
        let value = decode("{ \"a\": {% $x # not a comment\n + 1 %}, \"b\": 2 }", 0).unwrap();
        assert_eq!(
            value.to_string(),
            r#"{"a":"{% $x # not a comment\n + 1 %}","b":2}"#
        );
    }

    #[test]
    fn an_error_after_an_expression_points_into_the_source() {
        let source = "{ \"a\": {% \"long text\" %} \"b\": 2 }";
        let Err(ParseError::Syntax { span, .. }) = decode(source, 10) else {
            panic!("expected a syntax error");
        };
        assert_eq!(span.offset(), 10 + source.find("\"b\"").unwrap());
    }

    #[test]
    fn a_bad_number_names_the_number() {
        let Err(ParseError::InvalidNumber { text, span }) = decode("{ \"n\": 1e999 }", 10) else {
            panic!("expected an invalid number");
        };
        assert_eq!(text, "1e999");
        assert_eq!((span.offset(), span.len()), (17, 5));
    }

    #[test]
    fn a_bad_escape_names_the_string() {
        let Err(ParseError::InvalidString { span, .. }) = decode("[\"a\\qb\"]", 0) else {
            panic!("expected an invalid string");
        };
        assert_eq!((span.offset(), span.len()), (1, 6));
    }

    #[test]
    fn a_member_is_found_by_its_key_through_nesting_and_comments() {
        let source = "task T = r {\n    parameters { \"a\": [1, {\"b.$\": \"$.x\"}], # note\n \"c.$\": \"$.y{\" }\n}";
        let Some(at) = source.find("parameters") else {
            panic!("the source has a parameters field");
        };
        let text =
            |pointer: &[Step]| member_span(source, at, pointer).map(|s| &source[s.start..s.end]);
        assert_eq!(text(&[Step::Key("c.$".into())]), Some("\"c.$\": \"$.y{\""));
        assert_eq!(
            text(&[
                Step::Key("a".into()),
                Step::Index(1),
                Step::Key("b.$".into())
            ]),
            Some("\"b.$\": \"$.x\"")
        );
        assert_eq!(text(&[Step::Key("a".into()), Step::Index(0)]), Some("1"));
        assert_eq!(text(&[Step::Key("missing".into())]), None);
    }
}
