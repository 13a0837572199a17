//! Text -> segments. A hand-written recursive-descent parser over byte offsets, so every error
//! can say exactly where the path went wrong.

use serde_json::Value;

use super::{
    CompareOp, FilterExpr, FilterRegex, Operand, PathError, PathFunction, RefStep, RelativePath,
    Segment, Selector,
};

/// Deeper filter nesting than this is refused rather than risking the stack on hostile input.
const MAX_FILTER_DEPTH: usize = 64;

pub(super) struct ParsedPath {
    pub context: bool,
    pub path: RelativePath,
    /// Byte offset where each segment starts (parallel to `path.segments`).
    pub offsets: Vec<usize>,
    pub function_offset: usize,
}

pub(super) fn parse_path(text: &str) -> Result<ParsedPath, PathError> {
    // Jayway trims the path before compiling it (`CharacterIndex::trim`), so AWS accepts
    // `"$$.Execution.Id "` and `" $.a"`. The parser reads the trimmed text while keeping offsets
    // into the text as written: `text` ends where the trimmed text ends and `pos` starts where
    // it starts. Whitespace between segments is not trimmed (`$.a .b` is an error in Jayway too).
    let lead = text.len() - text.trim_start().len();
    let text = text.get(..text.trim_end().len()).unwrap_or(text);
    let mut p = Parser {
        text,
        pos: lead,
        depth: 0,
    };
    let body = text.get(lead..).unwrap_or("");
    if !body.starts_with('$') {
        return Err(p.error_at(
            lead,
            if body.is_empty() {
                "a path must not be empty; it starts with '$' (the input) or '$$' (the context object)"
                    .to_string()
            } else {
                format!(
                    "a path must start with '$' (the input) or '$$' (the context object), found '{}'",
                    body.chars().next().unwrap_or(' ')
                )
            },
        ));
    }
    p.pos = lead + 1;
    let context = p.eat('$');
    let (path, offsets, function_offset) = p.segments(false)?;
    if let Some(c) = p.peek() {
        return Err(p.error_at(p.pos, format!("unexpected '{c}' after the end of the path")));
    }
    Ok(ParsedPath {
        context,
        path,
        offsets,
        function_offset,
    })
}

/// The common shape `$.a.b` (or `$$.a.b`, or `$` alone): `.name` segments whose names are
/// ASCII letters, digits, `_` and `-`. Returns whether it is a context path and the names,
/// exactly what [`parse_path`] finds in such a path, without the general parser's work; `None`
/// for every other path (which then goes through [`parse_path`]).
pub(super) fn plain_names(text: &str) -> Option<(bool, std::str::Split<'_, char>)> {
    let (context, rest) = match text.strip_prefix("$$") {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('$')?),
    };
    // `rest` is `(.name)*`: one pass over its bytes.
    let mut name_len = None;
    for byte in rest.bytes() {
        name_len = match (byte, name_len) {
            (b'.', None) => Some(0),
            (b'.', Some(len)) if len > 0 => Some(0),
            (b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'-', Some(len)) => Some(len + 1),
            _ => return None,
        };
    }
    if name_len == Some(0) {
        return None;
    }
    let mut names = rest.split('.');
    // `rest` is empty or starts with '.': the first piece is empty either way.
    names.next();
    Some((context, names))
}

/// Checks that a parsed path names a single node and turns it into reference steps.
pub(super) fn reference_steps(text: &str, parsed: ParsedPath) -> Result<Vec<RefStep>, PathError> {
    let mut steps = Vec::with_capacity(parsed.path.segments.len());
    for (segment, offset) in parsed.path.segments.into_iter().zip(parsed.offsets) {
        let what = match segment {
            Segment::Child(Selector::Name(name)) => {
                steps.push(RefStep::Name(name));
                continue;
            }
            Segment::Child(Selector::Index(index)) => {
                steps.push(RefStep::Index(index));
                continue;
            }
            Segment::Descendant(_) => "'..' (deep scan)",
            Segment::Child(Selector::Names(_)) => "a list of names",
            Segment::Child(Selector::Wildcard) => "'*' (wildcard)",
            Segment::Child(Selector::Indexes(_)) => "a list of indexes",
            Segment::Child(Selector::Slice { .. }) => "a slice",
            Segment::Child(Selector::Filter(_)) => "a filter",
        };
        return Err(PathError {
            message: format!(
                "'{text}' is not a reference path: {what} can select many nodes; a reference path \
                 uses only names and single indexes"
            ),
            offset,
        });
    }
    if parsed.path.function.is_some() {
        return Err(PathError {
            message: format!(
                "'{text}' is not a reference path: functions such as length() are not allowed in a \
                 reference path"
            ),
            offset: parsed.function_offset,
        });
    }
    Ok(steps)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
}

type Segments = (RelativePath, Vec<usize>, usize);

impl Parser<'_> {
    fn rest(&self) -> &str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek_second(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn eat_str(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn error_at(&self, offset: usize, message: String) -> PathError {
        PathError { message, offset }
    }

    fn expect(&mut self, c: char, what: &str) -> Result<(), PathError> {
        if self.eat(c) {
            return Ok(());
        }
        let found = match self.peek() {
            Some(f) => format!("found '{f}'"),
            None => "the path ends".to_string(),
        };
        Err(self.error_at(self.pos, format!("expected '{c}' {what}, but {found}")))
    }

    /// Segments after `$`, `$$` or `@`. In a filter the path ends at the first character that
    /// cannot continue it (an operator, a space, a closing parenthesis).
    fn segments(&mut self, in_filter: bool) -> Result<Segments, PathError> {
        let mut segments = Vec::new();
        let mut offsets = Vec::new();
        let mut function = None;
        let mut function_offset = 0;
        loop {
            let start = self.pos;
            match self.peek() {
                Some('.') if self.peek_second() == Some('.') => {
                    self.pos += 2;
                    let selector = match self.peek() {
                        Some('[') => self.bracket()?,
                        Some('*') => {
                            self.bump();
                            Selector::Wildcard
                        }
                        _ => {
                            let name = self.dot_name(in_filter, start)?;
                            if self.peek() == Some('(') {
                                return Err(self
                                    .error_at(start, "a function cannot follow '..'".to_string()));
                            }
                            Selector::Name(name)
                        }
                    };
                    segments.push(Segment::Descendant(selector));
                    offsets.push(start);
                }
                Some('.') => {
                    self.bump();
                    if self.eat('*') {
                        segments.push(Segment::Child(Selector::Wildcard));
                        offsets.push(start);
                        continue;
                    }
                    if self.peek() == Some('[') {
                        // Jayway reads the token after a single '.' whatever it is, so `.[`
                        // is the bracket itself: `$.[0]` is `$[0]`, `$.items.[0].id` is
                        // `$.items[0].id`, `$.[?(@.n > 0)]` a filter. AWS's Paths page writes
                        // `$.abc.['def ghi']`, and public definitions use every such form.
                        let selector = self.bracket()?;
                        segments.push(Segment::Child(selector));
                        offsets.push(start);
                        continue;
                    }
                    let name = self.dot_name(in_filter, start)?;
                    if self.peek() == Some('(') {
                        function = Some(self.function(&name, start)?);
                        function_offset = start;
                        break;
                    }
                    segments.push(Segment::Child(Selector::Name(name)));
                    offsets.push(start);
                }
                Some('[') => {
                    let selector = self.bracket()?;
                    segments.push(Segment::Child(selector));
                    offsets.push(start);
                }
                _ => break,
            }
        }
        Ok((
            RelativePath { segments, function },
            offsets,
            function_offset,
        ))
    }

    /// A name after `.` or `..`: Jayway takes everything up to the next `.`, `[` or `(`, so
    /// `$.detail.my-key:v2` is fine; a space needs bracket notation.
    fn dot_name(&mut self, in_filter: bool, dot: usize) -> Result<String, PathError> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            let stop = matches!(c, '.' | '[' | '(')
                || c.is_whitespace()
                || (in_filter && matches!(c, ')' | '<' | '>' | '=' | '!' | '&' | '|' | ',' | ']'));
            if stop {
                break;
            }
            self.bump();
        }
        let name = self.text.get(start..self.pos).unwrap_or("");
        if name.is_empty() {
            let message = match self.peek() {
                None => "a path must not end with '.' or '..'".to_string(),
                Some(c) if c.is_whitespace() => {
                    "a name in dot notation cannot contain spaces; use bracket notation \
                     ['my name']"
                        .to_string()
                }
                Some(c) => format!("expected a name after '.', found '{c}'"),
            };
            return Err(self.error_at(if self.peek().is_none() { dot } else { self.pos }, message));
        }
        Ok(name.to_string())
    }

    fn function(&mut self, name: &str, start: usize) -> Result<PathFunction, PathError> {
        self.expect('(', "to start the function's arguments")?;
        self.skip_ws();
        self.expect(')', "(path functions take no arguments)")?;
        match name {
            "length" => Ok(PathFunction::Length),
            other => Err(self.error_at(
                start + 1,
                format!("unknown path function '{other}()'; flowc supports length()"),
            )),
        }
    }

    /// `[...]`, with the cursor on `[`.
    fn bracket(&mut self) -> Result<Selector, PathError> {
        let open = self.pos;
        self.bump();
        self.skip_ws();
        let selector = match self.peek() {
            None => return Err(self.error_at(open, "unclosed '['".to_string())),
            Some('*') => {
                self.bump();
                Selector::Wildcard
            }
            Some('?') => {
                self.bump();
                self.expect('(', "after '?' to open the filter expression")?;
                let expr = self.filter_or()?;
                self.skip_ws();
                if self.peek().is_none() {
                    return Err(self.error_at(open, "unclosed '[?(' filter".to_string()));
                }
                self.expect(')', "to close the filter expression")?;
                Selector::Filter(Box::new(expr))
            }
            Some('\'' | '"') => {
                let mut names = vec![self.quoted()?];
                self.skip_ws();
                while self.eat(',') {
                    self.skip_ws();
                    if !matches!(self.peek(), Some('\'' | '"')) {
                        return Err(self.error_at(
                            self.pos,
                            "expected a quoted name after ',' in a list of names".to_string(),
                        ));
                    }
                    names.push(self.quoted()?);
                    self.skip_ws();
                }
                if names.len() == 1 {
                    Selector::Name(names.remove(0))
                } else {
                    Selector::Names(names)
                }
            }
            Some(c) if c == ':' || c == '-' || c.is_ascii_digit() => self.indexes()?,
            Some(c) => {
                return Err(self.error_at(
                    self.pos,
                    format!(
                        "expected a quoted name, an index, a slice, '*' or '?(' after '[', found \
                         '{c}'"
                    ),
                ));
            }
        };
        self.skip_ws();
        match self.peek() {
            Some(']') => {
                self.bump();
                Ok(selector)
            }
            None => Err(self.error_at(open, "unclosed '['".to_string())),
            Some(c) => Err(self.error_at(self.pos, format!("expected ']', found '{c}'"))),
        }
    }

    /// `'name'` or `"name"`, with backslash escapes.
    fn quoted(&mut self) -> Result<String, PathError> {
        let open = self.pos;
        let quote = self.bump().unwrap_or('\'');
        let mut out = String::new();
        loop {
            match self.bump() {
                None => {
                    return Err(self.error_at(open, format!("unclosed string: missing {quote}")));
                }
                Some(c) if c == quote => return Ok(out),
                Some('\\') => match self.bump() {
                    None => {
                        return Err(
                            self.error_at(open, format!("unclosed string: missing {quote}"))
                        );
                    }
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some(c @ ('\\' | '\'' | '"' | '/')) => out.push(c),
                    // Unknown escapes stay as written, as Jayway leaves them.
                    Some(c) => {
                        out.push('\\');
                        out.push(c);
                    }
                },
                Some(c) => out.push(c),
            }
        }
    }

    fn integer(&mut self) -> Result<Option<i64>, PathError> {
        self.skip_ws();
        let start = self.pos;
        self.eat('-');
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
        }
        let digits = self.text.get(start..self.pos).unwrap_or("");
        if digits.is_empty() {
            return Ok(None);
        }
        let value = digits.parse::<i64>().map_err(|_| {
            self.error_at(
                start,
                format!("'{digits}' is not an index (a whole number)"),
            )
        })?;
        self.skip_ws();
        Ok(Some(value))
    }

    /// `[n]`, `[a,b]`, `[a:b]`, `[a:b:c]`.
    fn indexes(&mut self) -> Result<Selector, PathError> {
        let first_at = self.pos;
        let first = self.integer()?;
        if self.eat(':') {
            let end = self.integer()?;
            let step = if self.eat(':') { self.integer()? } else { None };
            if step == Some(0) {
                return Err(self.error_at(first_at, "a slice step must not be 0".to_string()));
            }
            return Ok(Selector::Slice {
                start: first,
                end,
                step,
            });
        }
        let Some(first) = first else {
            return Err(self.error_at(first_at, "expected an index after '['".to_string()));
        };
        if self.peek() != Some(',') {
            return Ok(Selector::Index(first));
        }
        let mut all = vec![first];
        while self.eat(',') {
            let at = self.pos;
            match self.integer()? {
                Some(n) => all.push(n),
                None => {
                    return Err(self.error_at(at, "expected an index after ','".to_string()));
                }
            }
        }
        Ok(Selector::Indexes(all))
    }

    fn filter_or(&mut self) -> Result<FilterExpr, PathError> {
        self.depth += 1;
        if self.depth > MAX_FILTER_DEPTH {
            return Err(self.error_at(self.pos, "filter expression nested too deeply".to_string()));
        }
        let mut left = self.filter_and()?;
        loop {
            self.skip_ws();
            if !self.eat_str("||") {
                break;
            }
            let right = self.filter_and()?;
            left = FilterExpr::Or(Box::new(left), Box::new(right));
        }
        self.depth -= 1;
        Ok(left)
    }

    fn filter_and(&mut self) -> Result<FilterExpr, PathError> {
        let mut left = self.filter_unary()?;
        loop {
            self.skip_ws();
            if !self.eat_str("&&") {
                break;
            }
            let right = self.filter_unary()?;
            left = FilterExpr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn filter_unary(&mut self) -> Result<FilterExpr, PathError> {
        self.skip_ws();
        if self.peek() == Some('!') && self.peek_second() != Some('=') {
            self.bump();
            self.depth += 1;
            if self.depth > MAX_FILTER_DEPTH {
                return Err(
                    self.error_at(self.pos, "filter expression nested too deeply".to_string())
                );
            }
            let inner = self.filter_unary()?;
            self.depth -= 1;
            return Ok(FilterExpr::Not(Box::new(inner)));
        }
        if self.peek() == Some('(') {
            let open = self.pos;
            self.bump();
            let inner = self.filter_or()?;
            self.skip_ws();
            if self.peek().is_none() {
                return Err(self.error_at(open, "unclosed '(' in filter".to_string()));
            }
            self.expect(')', "to close the parenthesis")?;
            return Ok(inner);
        }
        let left_at = self.pos;
        let left = self.operand()?;
        self.skip_ws();
        if self.eat_str("=~") {
            let regex = self.regex()?;
            return Ok(FilterExpr::Matches(left, regex));
        }
        match self.compare_op()? {
            Some(op) => {
                let right = self.operand()?;
                Ok(FilterExpr::Compare(left, op, right))
            }
            None => match left {
                Operand::Literal(_) => Err(self.error_at(
                    left_at,
                    "a literal alone is not a condition; compare it with a path, e.g. \
                     @.price < 10"
                        .to_string(),
                )),
                path => Ok(FilterExpr::Exists(path)),
            },
        }
    }

    fn compare_op(&mut self) -> Result<Option<CompareOp>, PathError> {
        let at = self.pos;
        // Longest first: `===` before `==`, `!==` before `!=`.
        for (text, op) in [
            ("===", CompareOp::StrictEq),
            ("!==", CompareOp::StrictNe),
            ("==", CompareOp::Eq),
            ("!=", CompareOp::Ne),
            ("<=", CompareOp::Le),
            (">=", CompareOp::Ge),
            ("<", CompareOp::Lt),
            (">", CompareOp::Gt),
        ] {
            if self.eat_str(text) {
                return Ok(Some(op));
            }
        }
        for (word, op) in [
            ("subsetof", CompareOp::SubsetOf),
            ("contains", CompareOp::Contains),
            ("anyof", CompareOp::AnyOf),
            ("noneof", CompareOp::NoneOf),
            ("size", CompareOp::Size),
            ("empty", CompareOp::Empty),
            ("nin", CompareOp::Nin),
            ("in", CompareOp::In),
        ] {
            let rest = self.rest();
            if rest.starts_with(word)
                && !rest
                    .get(word.len()..)
                    .and_then(|r| r.chars().next())
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
            {
                self.pos += word.len();
                return Ok(Some(op));
            }
        }
        if self.peek() == Some('=') {
            return Err(self.error_at(at, "use '==' to compare, not '='".to_string()));
        }
        Ok(None)
    }

    /// `/pattern/flags` after `=~`. Jayway compiles the pattern with Java's regex engine; flowc
    /// uses regex-lite, whose syntax covers the patterns such filters use (classes, anchors,
    /// repetition, groups), and maps Java's flags `i`, `m`, `s`, `x` to inline flags. A pattern
    /// regex-lite cannot compile is a parse error rather than a filter that never matches.
    fn regex(&mut self) -> Result<FilterRegex, PathError> {
        self.skip_ws();
        let at = self.pos;
        if !self.eat('/') {
            return Err(self.error_at(
                at,
                "expected a regular expression after '=~', e.g. =~ /^abc.*$/i".to_string(),
            ));
        }
        let mut pattern = String::new();
        loop {
            match self.bump() {
                None => {
                    return Err(
                        self.error_at(at, "unclosed regular expression: missing '/'".into())
                    );
                }
                Some('/') => break,
                Some('\\') if self.peek() == Some('/') => {
                    self.bump();
                    pattern.push('/');
                }
                Some('\\') => {
                    pattern.push('\\');
                    if let Some(c) = self.bump() {
                        pattern.push(c);
                    }
                }
                Some(c) => pattern.push(c),
            }
        }
        let mut flags = String::new();
        while let Some(c) = self.peek().filter(|c| c.is_ascii_alphabetic()) {
            if !matches!(c, 'i' | 'm' | 's' | 'x') {
                return Err(self.error_at(
                    self.pos,
                    format!("unknown regular-expression flag '{c}'; flowc supports i, m, s and x"),
                ));
            }
            self.bump();
            if !flags.contains(c) {
                flags.push(c);
            }
        }
        let source = self.text.get(at..self.pos).unwrap_or("").to_string();
        // Whole-string match, as Java's `Matcher.matches()`.
        let anchored = if flags.is_empty() {
            format!("^(?:{pattern})$")
        } else {
            format!("(?{flags})^(?:{pattern})$")
        };
        match regex_lite::Regex::new(&anchored) {
            Ok(regex) => Ok(FilterRegex::new(source, regex)),
            Err(error) => {
                Err(self.error_at(at, format!("invalid regular expression {source}: {error}")))
            }
        }
    }

    fn operand(&mut self) -> Result<Operand, PathError> {
        self.skip_ws();
        match self.peek() {
            Some('@') => {
                self.bump();
                let (path, _, _) = self.segments(true)?;
                Ok(Operand::Current(path))
            }
            Some('$') => {
                self.bump();
                let (path, _, _) = self.segments(true)?;
                Ok(Operand::Root(path))
            }
            _ => Ok(Operand::Literal(self.literal()?)),
        }
    }

    /// A literal inside a filter: a quoted string (either quote), a number, true, false, null,
    /// or a list of those in brackets (for `in`, `anyof`, ...).
    fn literal(&mut self) -> Result<Value, PathError> {
        self.skip_ws();
        let at = self.pos;
        match self.peek() {
            Some('\'' | '"') => Ok(Value::String(self.quoted()?)),
            Some('[') => {
                self.bump();
                let mut items = Vec::new();
                self.skip_ws();
                if self.eat(']') {
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.literal()?);
                    self.skip_ws();
                    if self.eat(']') {
                        return Ok(Value::Array(items));
                    }
                    if self.peek().is_none() {
                        return Err(self.error_at(at, "unclosed '[' in a list literal".to_string()));
                    }
                    self.expect(',', "between list items")?;
                }
            }
            Some(c) if c == '-' || c.is_ascii_digit() => {
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
                {
                    self.bump();
                }
                let text = self.text.get(at..self.pos).unwrap_or("");
                serde_json::from_str::<serde_json::Number>(text)
                    .map(Value::Number)
                    .map_err(|_| self.error_at(at, format!("'{text}' is not a number")))
            }
            _ => {
                for (word, value) in [
                    ("true", Value::Bool(true)),
                    ("false", Value::Bool(false)),
                    ("null", Value::Null),
                ] {
                    if self.eat_str(word) {
                        return Ok(value);
                    }
                }
                let found = match self.peek() {
                    Some(c) => format!("found '{c}'"),
                    None => "the path ends".to_string(),
                };
                Err(self.error_at(
                    at,
                    format!(
                        "expected a value in the filter (@..., $..., a quoted string, a number, \
                         true, false, null or a [list]), but {found}"
                    ),
                ))
            }
        }
    }
}
