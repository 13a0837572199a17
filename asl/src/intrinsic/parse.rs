//! Call text -> [`Call`] tree.

use crate::path::JsonPath;

use super::{Arg, Call, Function, IntrinsicError};

/// AWS allows up to 10 intrinsic functions nested within one field.
const MAX_NESTING: usize = 10;

pub(super) fn parse_call(text: &str) -> Result<Call, IntrinsicError> {
    let mut p = Parser { text, pos: 0 };
    p.skip_ws();
    let call = p.call(1)?;
    p.skip_ws();
    if let Some(c) = p.peek() {
        return Err(p.error(
            p.pos,
            format!(
                "unexpected '{c}' after the closing ')' of {}",
                call.function
            ),
        ));
    }
    Ok(call)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn error(&self, offset: usize, message: String) -> IntrinsicError {
        IntrinsicError { message, offset }
    }

    fn call(&mut self, depth: usize) -> Result<Call, IntrinsicError> {
        let start = self.pos;
        if depth > MAX_NESTING {
            return Err(self.error(
                start,
                format!("intrinsic functions nest at most {MAX_NESTING} deep within one field"),
            ));
        }
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
        {
            self.bump();
        }
        let name = self.text.get(start..self.pos).unwrap_or("");
        let Some(function) = Function::from_name(name) else {
            return Err(self.error(start, unknown_function(name)));
        };
        self.skip_ws();
        if self.peek() != Some('(') {
            return Err(self.error(
                self.pos,
                format!("expected '(' after {function} to open its arguments"),
            ));
        }
        let open = self.pos;
        self.bump();
        let mut args = Vec::new();
        self.skip_ws();
        if self.peek() == Some(')') {
            self.bump();
        } else {
            loop {
                args.push(self.arg(depth)?);
                self.skip_ws();
                match self.bump() {
                    Some(',') => self.skip_ws(),
                    Some(')') => break,
                    Some(c) => {
                        return Err(self.error(
                            self.pos - c.len_utf8(),
                            format!(
                                "expected ',' or ')' in the arguments of {function}, found '{c}'"
                            ),
                        ));
                    }
                    None => {
                        return Err(self.error(open, format!("unclosed '(' of {function}")));
                    }
                }
            }
        }
        let (min, max) = function.arity();
        let count = args.len();
        if count < min || max.is_some_and(|m| count > m) {
            let expected = match max {
                Some(m) if m == min => format!("{m}"),
                Some(m) => format!("{min} to {m}"),
                None => format!("at least {min}"),
            };
            let plural = if max.unwrap_or(min) == 1 { "" } else { "s" };
            let were = if count == 1 { "was" } else { "were" };
            return Err(self.error(
                start,
                format!("{function} takes {expected} argument{plural}, but {count} {were} given"),
            ));
        }
        Ok(Call { function, args })
    }

    fn arg(&mut self, depth: usize) -> Result<Arg, IntrinsicError> {
        let at = self.pos;
        match self.peek() {
            Some('\'') => self.string(),
            Some('$') => self.path(),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            Some('S') if self.rest().starts_with("States.") => Ok(Arg::Call(self.call(depth + 1)?)),
            None => Err(self.error(at, "the call ends where an argument was expected".into())),
            _ => {
                for (word, arg) in [
                    ("true", Arg::Bool(true)),
                    ("false", Arg::Bool(false)),
                    ("null", Arg::Null),
                ] {
                    if self.rest().starts_with(word)
                        && !self
                            .rest()
                            .get(word.len()..)
                            .and_then(|r| r.chars().next())
                            .is_some_and(|c| c.is_alphanumeric())
                    {
                        self.pos += word.len();
                        return Ok(arg);
                    }
                }
                Err(self.error(
                    at,
                    "expected an argument: a 'quoted string', a number, true, false, null, a \
                     path ($ or $$) or a States.* call"
                        .into(),
                ))
            }
        }
    }

    /// `'...'` with the escapes AWS documents: `\'`, `\{`, `\}`, `\\`.
    fn string(&mut self) -> Result<Arg, IntrinsicError> {
        let open = self.pos;
        self.bump();
        let body_start = self.pos;
        let mut value = String::new();
        loop {
            match self.bump() {
                None => return Err(self.error(open, "unclosed string: missing '".into())),
                Some('\'') => break,
                Some('\\') => match self.bump() {
                    None => return Err(self.error(open, "unclosed string: missing '".into())),
                    Some(c @ ('\'' | '{' | '}' | '\\')) => value.push(c),
                    Some(c) => {
                        return Err(self.error(
                            self.pos - c.len_utf8() - 1,
                            format!(
                                "unknown escape '\\{c}' in a string; only \\', \\{{, \\}} and \\\\ \
                                 are allowed"
                            ),
                        ));
                    }
                },
                Some(c) => value.push(c),
            }
        }
        let raw = self
            .text
            .get(body_start..self.pos - 1)
            .unwrap_or("")
            .to_string();
        Ok(Arg::String { value, raw })
    }

    fn number(&mut self) -> Result<Arg, IntrinsicError> {
        let at = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
        {
            self.bump();
        }
        let text = self.text.get(at..self.pos).unwrap_or("");
        serde_json::from_str::<serde_json::Number>(text)
            .map(Arg::Number)
            .map_err(|_| self.error(at, format!("'{text}' is not a number")))
    }

    /// A path runs to the next `,` or `)` outside brackets, parentheses and quotes, so filters
    /// and `length()` stay inside it.
    fn path(&mut self) -> Result<Arg, IntrinsicError> {
        let start = self.pos;
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        while let Some(c) = self.peek() {
            match (quote, c) {
                (Some(_), '\\') => {
                    // Skip the escaped character along with the backslash.
                    self.bump();
                }
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '[' | '(') => depth += 1,
                (None, ']') => depth = depth.saturating_sub(1),
                (None, ')') if depth == 0 => break,
                (None, ')') => depth -= 1,
                (None, ',') if depth == 0 => break,
                _ => {}
            }
            self.bump();
        }
        let text = self.text.get(start..self.pos).unwrap_or("").trim_end();
        JsonPath::parse(text).map(Arg::Path).map_err(|e| {
            self.error(
                start + e.offset,
                format!("invalid path argument: {}", e.message),
            )
        })
    }
}

fn unknown_function(name: &str) -> String {
    if name.is_empty() {
        return "expected an intrinsic function name such as States.Format".to_string();
    }
    let nearest = Function::ALL
        .iter()
        .map(|f| {
            (
                strsim::jaro_winkler(&f.name().to_lowercase(), &name.to_lowercase()),
                f,
            )
        })
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match nearest {
        Some((_, f)) => format!("unknown intrinsic function '{name}'; did you mean {f}?"),
        None => format!("unknown intrinsic function '{name}'"),
    }
}
