//! JSON text to a small spanned tree that the decoder walks.
//!
//! Three steps. A nesting guard counts brackets outside strings (the parsers below recurse, so
//! 10,000-deep input would overflow the stack). serde_json's reader then decides whether the
//! text is JSON at all: it is strict RFC 8259, as AWS reads a definition (Jackson's defaults):
//! double-quoted strings without raw control characters, no comments, no trailing commas, no
//! leading zeros. Only then does jsonc-parser build the AST with byte ranges, which this module
//! turns into [`Node`]s with `SourceSpan`s and serde_json numbers. jsonc-parser alone is not
//! strict (it takes single-quoted strings and raw tabs in strings), and serde_json alone keeps
//! no spans. The leniencies `.flow` documents (comments in JSON literals) live in the DSL, never
//! here.

use jsonc_parser::ast;
use jsonc_parser::{CollectOptions, ParseOptions};
use miette::SourceSpan;
use serde::Deserialize as _;
use serde_json::{Map, Number, Value};
use std::collections::HashMap;

/// Deepest nesting of arrays and objects accepted. Real state machines nest a few dozen
/// levels; the bound keeps every recursive walk (ours and the parser's) far from the stack
/// limit, including on 2 MiB test threads.
pub const MAX_DEPTH: usize = 200;

/// A JSON value with the byte span it was written at.
#[derive(Debug, Clone)]
pub struct Node {
    pub span: SourceSpan,
    pub value: NodeValue,
}

#[derive(Debug, Clone)]
pub enum NodeValue {
    Null,
    Bool(bool),
    Number(Number),
    /// `exact`: the text between the quotes is the value byte for byte (no escapes), so an
    /// offset into the value is an offset into the source.
    String {
        value: String,
        exact: bool,
    },
    Array(Vec<Node>),
    Object(Vec<Member>),
}

/// One object member.
#[derive(Debug, Clone)]
pub struct Member {
    pub key: String,
    pub key_span: SourceSpan,
    pub value: Node,
}

/// Why the text is not JSON we can read.
#[derive(Debug, Clone)]
pub enum JsonError {
    Syntax {
        message: String,
        span: SourceSpan,
    },
    TooDeep {
        span: SourceSpan,
    },
    BadNumber {
        text: String,
        span: SourceSpan,
    },
    DuplicateKey {
        key: String,
        first: SourceSpan,
        second: SourceSpan,
    },
}

/// Parses `text` as strict JSON. Duplicate keys are reported (all of them) but the first
/// occurrence is kept, so decoding can still go on and find further problems.
pub fn parse(text: &str) -> Result<(Node, Vec<JsonError>), JsonError> {
    if let Some(offset) = too_deep_at(text) {
        return Err(JsonError::TooDeep {
            span: SourceSpan::new(offset.into(), 1),
        });
    }
    if text.trim().is_empty() {
        return Err(no_value(text));
    }
    strict_syntax(text)?;
    let options = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
    };
    let parsed = jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &options).map_err(
        |error| {
            let range = error.range();
            JsonError::Syntax {
                message: error.kind().to_string(),
                span: span(range.start, range.end),
            }
        },
    )?;
    let Some(value) = parsed.value else {
        return Err(no_value(text));
    };
    let mut problems = Vec::new();
    let node = convert(&value, text, &mut problems)?;
    Ok((node, problems))
}

fn no_value(text: &str) -> JsonError {
    JsonError::Syntax {
        message: "the file holds no JSON value; expected a state machine object".to_string(),
        span: SourceSpan::new(text.len().into(), 0),
    }
}

/// The first place where `text` is not strict JSON, said in words.
///
/// serde_json's reader would refuse nesting past 128 levels; the limit is lifted because the
/// nesting guard has already run, and it bounds the recursion exactly: the reader stops at the
/// first byte that is not JSON, and up to that byte strings are double-quoted JSON strings,
/// which is just what the guard skips, so the guard saw every bracket the reader recurses into.
fn strict_syntax(text: &str) -> Result<(), JsonError> {
    let mut reader = serde_json::Deserializer::from_str(text);
    reader.disable_recursion_limit();
    let error = match serde::de::IgnoredAny::deserialize(&mut reader) {
        Ok(_) => match reader.end() {
            Ok(()) => return Ok(()),
            Err(error) => error,
        },
        Err(error) => error,
    };
    let mut at = offset_of(text, error.line(), error.column());
    let full = error.to_string();
    let reason = full
        .rfind(" at line ")
        .map_or(full.as_str(), |i| &full[..i]);
    if reason.starts_with("control character") {
        // serde_json stops before a control character rather than on it.
        let bytes = text.as_bytes().get(at..).unwrap_or_default();
        at += bytes.iter().position(|b| *b < 0x20).unwrap_or_default();
    }
    let found = text.get(at..).and_then(|rest| rest.chars().next());
    let after_comma = text
        .get(..at)
        .and_then(|before| before.trim_end().chars().next_back())
        == Some(',');
    let message = match (reason, found) {
        (_, Some('}' | ']')) if after_comma => "a comma after the last item".to_string(),
        // What other tools accept and AWS does not, said so.
        (_, Some('\'')) => {
            "strings are written in double quotes (`\"...\"`), not single quotes".to_string()
        }
        (_, Some('/' | '#')) if reason.starts_with("expected") => {
            "JSON has no comments".to_string()
        }
        (reason, _) if reason.starts_with("control character") => {
            "a raw control character (tab, newline, ...) inside a string; write it escaped \
             (`\\t`, `\\n`, `\\u0000`)"
                .to_string()
        }
        ("expected ident", _) => "expected `true`, `false` or `null`".to_string(),
        (reason, _) => reason.to_string(),
    };
    let width = found.map_or(0, char::len_utf8);
    Err(JsonError::Syntax {
        message,
        span: SourceSpan::new(at.into(), width),
    })
}

/// Byte offset of serde_json's 1-based line and byte column, clamped into `text`. serde_json
/// reports the column of the byte it stopped on; column 0 means the end of the line before.
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

/// Byte offset of the first bracket that nests deeper than [`MAX_DEPTH`], skipping strings.
/// Only brackets are counted: this is a guard, not a parser.
fn too_deep_at(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (offset, byte) in text.bytes().enumerate() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(offset);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn span(start: usize, end: usize) -> SourceSpan {
    SourceSpan::new(start.into(), end.saturating_sub(start))
}

fn convert(
    value: &ast::Value,
    text: &str,
    problems: &mut Vec<JsonError>,
) -> Result<Node, JsonError> {
    let node = match value {
        ast::Value::NullKeyword(null) => Node {
            span: span(null.range.start, null.range.end),
            value: NodeValue::Null,
        },
        ast::Value::BooleanLit(lit) => Node {
            span: span(lit.range.start, lit.range.end),
            value: NodeValue::Bool(lit.value),
        },
        ast::Value::NumberLit(lit) => {
            let at = span(lit.range.start, lit.range.end);
            let number = lit
                .value
                .parse::<Number>()
                .map_err(|_| JsonError::BadNumber {
                    text: lit.value.to_string(),
                    span: at,
                })?;
            Node {
                span: at,
                value: NodeValue::Number(number),
            }
        }
        ast::Value::StringLit(lit) => string_node(&lit.range, &lit.value, text),
        ast::Value::Array(array) => {
            let items = array
                .elements
                .iter()
                .map(|item| convert(item, text, problems))
                .collect::<Result<Vec<_>, _>>()?;
            Node {
                span: span(array.range.start, array.range.end),
                value: NodeValue::Array(items),
            }
        }
        ast::Value::Object(object) => {
            let mut members: Vec<Member> = Vec::with_capacity(object.properties.len());
            // Index of each key already seen: `States` objects can hold thousands of members.
            let mut seen: HashMap<String, usize> = HashMap::with_capacity(object.properties.len());
            for prop in &object.properties {
                let (key, key_range) = match &prop.name {
                    ast::ObjectPropName::String(lit) => (lit.value.to_string(), lit.range),
                    // Unreachable with loose names disallowed; kept total rather than panicking.
                    ast::ObjectPropName::Word(word) => (word.value.to_string(), word.range),
                };
                let key_span = span(key_range.start, key_range.end);
                let value = convert(&prop.value, text, problems)?;
                if let Some(first) = seen.get(&key).and_then(|index| members.get(*index)) {
                    problems.push(JsonError::DuplicateKey {
                        key,
                        first: first.key_span,
                        second: key_span,
                    });
                    continue;
                }
                seen.insert(key.clone(), members.len());
                members.push(Member {
                    key,
                    key_span,
                    value,
                });
            }
            Node {
                span: span(object.range.start, object.range.end),
                value: NodeValue::Object(members),
            }
        }
    };
    Ok(node)
}

fn string_node(range: &jsonc_parser::common::Range, value: &str, text: &str) -> Node {
    let inner = text.get(range.start.saturating_add(1)..range.end.saturating_sub(1));
    Node {
        span: span(range.start, range.end),
        value: NodeValue::String {
            value: value.to_string(),
            exact: inner == Some(value),
        },
    }
}

impl Node {
    /// The plain JSON value (for fields the model keeps as raw JSON).
    pub fn to_value(&self) -> Value {
        match &self.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(value) => Value::Bool(*value),
            NodeValue::Number(number) => Value::Number(number.clone()),
            NodeValue::String { value, .. } => Value::String(value.clone()),
            NodeValue::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            NodeValue::Object(members) => {
                let mut map = Map::with_capacity(members.len());
                for member in members {
                    map.insert(member.key.clone(), member.value.to_value());
                }
                Value::Object(map)
            }
        }
    }

    /// What kind of JSON value this is, in words, for "expected X, found Y".
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            NodeValue::Null => "null",
            NodeValue::Bool(_) => "a boolean",
            NodeValue::Number(_) => "a number",
            NodeValue::String { .. } => "a string",
            NodeValue::Array(_) => "an array",
            NodeValue::Object(_) => "an object",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::String { value, .. } => Some(value),
            _ => None,
        }
    }

    pub fn members(&self) -> Option<&[Member]> {
        match &self.value {
            NodeValue::Object(members) => Some(members),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Member> {
        self.members()?.iter().find(|member| member.key == key)
    }

    /// The span of byte `offset` (0-based, within the string's value) when the string is
    /// written without escapes; the whole string otherwise.
    pub fn offset_span(&self, offset: usize) -> SourceSpan {
        match &self.value {
            NodeValue::String { value, exact: true } => {
                let at = self.span.offset() + 1 + offset.min(value.len());
                let len = usize::from(offset < value.len());
                SourceSpan::new(at.into(), len)
            }
            _ => self.span,
        }
    }
}

impl Node {
    /// The span of bytes `start..end` within the string's value when the string is written
    /// without escapes; the whole string otherwise.
    pub fn range_span(&self, start: usize, end: usize) -> SourceSpan {
        match &self.value {
            NodeValue::String { value, exact: true } => {
                let start = start.min(value.len());
                let end = end.clamp(start, value.len());
                SourceSpan::new((self.span.offset() + 1 + start).into(), end - start)
            }
            _ => self.span,
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Node {
        match parse(text) {
            Ok((node, problems)) if problems.is_empty() => node,
            other => panic!("expected clean parse of {text:?}, got {other:?}"),
        }
    }

    #[test]
    fn spans_are_byte_offsets_even_after_multibyte_text() {
        let text = r#"{"é": "ü", "k": 12}"#;
        let node = parse_ok(text);
        let member = node.get("k").map(|member| member.value.span);
        let at = member.map(|span| &text[span.offset()..span.offset() + span.len()]);
        assert_eq!(at, Some("12"));
    }

    #[test]
    fn ten_thousand_deep_nesting_is_an_error_not_a_crash() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(parse(&text), Err(JsonError::TooDeep { .. })));
    }

    #[test]
    fn brackets_inside_strings_do_not_count_towards_depth() {
        let text = format!("{{\"a\": \"{}\"}}", "[".repeat(10_000));
        assert!(parse(&text).is_ok());
    }

    #[test]
    fn comments_and_trailing_commas_are_rejected() {
        assert!(matches!(
            parse("{\"a\": 1,}"),
            Err(JsonError::Syntax { .. })
        ));
        assert!(matches!(parse("{/* c */}"), Err(JsonError::Syntax { .. })));
    }

    #[test]
    fn duplicate_keys_are_reported_and_first_kept() {
        let (node, problems) = match parse(r#"{"a": 1, "a": 2}"#) {
            Ok(parsed) => parsed,
            Err(error) => panic!("{error:?}"),
        };
        assert_eq!(problems.len(), 1);
        assert_eq!(node.to_value(), serde_json::json!({"a": 1}));
    }

    fn syntax_message(text: &str) -> (String, usize) {
        match parse(text) {
            Err(JsonError::Syntax { message, span }) => (message, span.offset()),
            other => panic!("expected a syntax error for {text:?}, got {other:?}"),
        }
    }

    #[test]
    fn single_quoted_strings_are_rejected_where_they_start() {
        // Issue 18, finding 11: jsonc-parser alone accepted them.
        let (message, at) = syntax_message("{\"StartAt\": 'A'}");
        assert!(message.contains("double quotes"), "{message}");
        assert_eq!(at, 12);
    }

    #[test]
    fn raw_control_characters_in_strings_are_rejected() {
        let (message, at) = syntax_message("{\"Comment\": \"a\tb\"}");
        assert!(message.contains("raw control character"), "{message}");
        assert_eq!(at, 14);
        assert!(parse("{\"Comment\": \"a\\tb\"}").is_ok());
    }

    #[test]
    fn a_single_quote_cannot_hide_brackets_from_the_nesting_guard() {
        // Issue 18, finding 2: the guard skips `"` strings only, so `'"'` hid the brackets
        // after it, and the recursive parser overflowed the stack.
        let text = format!("['\"', {}", "[".repeat(100_000));
        assert!(matches!(parse(&text), Err(JsonError::Syntax { .. })));
        let text = format!("[\"\\\"'\", '\"', {}", "{\"a\": [".repeat(50_000));
        assert!(matches!(parse(&text), Err(JsonError::Syntax { .. })));
    }

    #[test]
    fn nesting_up_to_the_limit_is_read() {
        let text = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&text).is_ok());
    }

    #[test]
    fn other_leniencies_are_rejected() {
        for text in [
            "{\"a\": 01}",
            "{\"a\": +1}",
            "{\"a\": 0x10}",
            "{\"a\": NaN}",
            "{\"a\": .5}",
            "{a: 1}",
            "{\"a\": 1} {}",
            "{\"a\": 1 // c\n}",
            "{\"a\": [1,]}",
        ] {
            assert!(
                matches!(parse(text), Err(JsonError::Syntax { .. })),
                "{text:?} was accepted"
            );
        }
    }

    #[test]
    fn errors_point_at_the_right_byte_after_multibyte_text() {
        let (_, at) = syntax_message("{\"é\": \"ü\",\n \"k\": 'x'}");
        assert_eq!(at, "{\"é\": \"ü\",\n \"k\": ".len());
    }

    #[test]
    fn empty_text_is_a_syntax_error() {
        assert!(matches!(parse("  "), Err(JsonError::Syntax { .. })));
    }

    #[test]
    fn integers_stay_integers() {
        let node = parse_ok("[1, 2.5, -3, 18446744073709551615]");
        assert_eq!(
            node.to_value(),
            serde_json::json!([1, 2.5, -3, 18446744073709551615u64])
        );
    }

    #[test]
    fn offsets_map_into_unescaped_strings_only() {
        let node = parse_ok(r#"["$.a", "$.\u0062"]"#);
        let NodeValue::Array(items) = &node.value else {
            panic!("array expected")
        };
        assert_eq!(items[0].offset_span(2).offset(), 4);
        assert_eq!(items[1].offset_span(2), items[1].span);
    }
}
