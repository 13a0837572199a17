//! `.flow` text -> pest pairs -> AST, with syntax errors said in words.
//!
//! pest's rule names never leave this crate: a failed parse becomes a [`ParseError`] whose
//! message says what was expected ("expected a state name after `task`").

use pest::Parser as _;
use pest::error::{ErrorVariant, InputLocation};

use crate::ast::{Comment, ExpressionSite, Span, Workflow};
use crate::error::ParseError;

#[derive(pest_derive::Parser)]
#[grammar = "flow.pest"]
pub(crate) struct FlowParser;

/// The keywords that start a top-level item, in the order a parse error lists them; the
/// language server completes the same words at the top level.
pub const ITEM_KEYWORDS: &[&str] = &[
    "comment",
    "version",
    "timeout",
    "query_language",
    "resource",
    "retry",
    "task",
    "pass",
    "choice",
    "wait",
    "succeed",
    "fail",
    "parallel",
    "map",
    "poll",
];

/// Deepest nesting of `{`, `[` and `(` accepted. Real workflows nest a handful of levels; the
/// bound keeps the recursive-descent parser and every later recursive pass far from the end of
/// the stack, whatever the input.
pub const MAX_NESTING: usize = 64;

/// Parse a whole `.flow` file.
pub fn parse(source: &str) -> Result<Workflow, ParseError> {
    let (comments, expressions) = scan(source)?;
    let pairs = FlowParser::parse(Rule::file, source).map_err(|e| syntax_error(source, &e))?;
    let mut workflow = crate::lower::file(pairs)?;
    workflow.comments = comments;
    workflow.expressions = expressions;
    Ok(workflow)
}

/// [`parse`], refusing a workflow that compiles to more than `max_states` states (the caller's
/// bound: flowc passes AWS's, which this crate does not know) before anything after parsing
/// spends memory on them.
pub fn parse_at_most(source: &str, max_states: usize) -> Result<Workflow, ParseError> {
    let workflow = parse(source)?;
    match state_past(&workflow, max_states) {
        Some(span) => Err(ParseError::TooManyStates {
            limit: max_states,
            past: max_states.saturating_add(1),
            span: span.into(),
        }),
        None => Ok(workflow),
    }
}

/// Where the state that takes the count of compiled states past `limit` is written: a `poll`
/// compiles to five (its counter Pass, Wait, Task, counter Pass and Choice), every other
/// state to one, and states in branches and processes count too.
fn state_past(workflow: &Workflow, limit: usize) -> Option<Span> {
    use crate::ast::{Field, State, StateKind};
    let mut count = 0usize;
    // A stack, not recursion: nesting is bounded by MAX_NESTING, but a loop costs nothing.
    let mut pending: Vec<&State> = workflow.states().collect();
    pending.reverse();
    while let Some(state) = pending.pop() {
        count += match state.kind {
            StateKind::Poll(_) => 5,
            _ => 1,
        };
        if count > limit {
            return Some(state.name.span);
        }
        for field in state.fields.iter().rev() {
            match &field.node {
                Field::Branch(states) => pending.extend(states.iter().rev()),
                Field::Process(process) => pending.extend(process.states.iter().rev()),
                _ => {}
            }
        }
    }
    None
}

/// One pass over the text before pest sees it: rejects input nested deeper than
/// [`MAX_NESTING`] (before pest recurses into it), collects every `#` / `//` comment outside
/// strings and every JSONata expression (bare, or in a JSON string), in order.
fn scan(source: &str) -> Result<(Vec<Comment>, Vec<ExpressionSite>), ParseError> {
    let mut comments = Vec::new();
    let mut expressions = Vec::new();
    let mut depth = 0usize;
    let mut scanner = Scanner::new(source);
    while let Some((offset, token)) = scanner.next_token() {
        match token {
            Token::Expression(end) => {
                let text = source.get(offset..end).unwrap_or_default();
                // Brackets inside count too: the grammar's path brackets may hold one.
                expression_nesting(text, offset, depth)?;
                expressions.push(ExpressionSite {
                    span: Span::new(offset, end),
                    written: text.to_string(),
                    verbatim_at: Some(offset),
                });
            }
            Token::ExpressionString(end) => {
                let text = source.get(offset..end).unwrap_or_default();
                if let Ok(written) = serde_json::from_str::<String>(text) {
                    let verbatim = text.get(1..text.len().saturating_sub(1)) == Some(&written);
                    expressions.push(ExpressionSite {
                        span: Span::new(offset, end),
                        written,
                        verbatim_at: verbatim.then_some(offset + 1),
                    });
                }
            }
            Token::Open => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(ParseError::TooDeep {
                        limit: MAX_NESTING,
                        span: Span::new(offset, offset + 1).into(),
                    });
                }
            }
            Token::Close => depth = depth.saturating_sub(1),
            Token::Comment(end) => {
                let text = source
                    .get(offset..end)
                    .unwrap_or_default()
                    .trim_end()
                    .to_string();
                comments.push(Comment {
                    text,
                    span: Span::new(offset, end),
                    blank_line_after: blank_line_follows(source, end),
                    blank_line_before: blank_line_precedes(source, offset),
                    trailing: code_precedes(source, offset),
                });
            }
        }
    }
    Ok((comments, expressions))
}

/// Fails when the brackets inside an expression, at `depth`, nest deeper than [`MAX_NESTING`].
fn expression_nesting(text: &str, offset: usize, mut depth: usize) -> Result<(), ParseError> {
    for (at, byte) in text.bytes().enumerate() {
        match byte {
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(ParseError::TooDeep {
                        limit: MAX_NESTING,
                        span: Span::new(offset + at, offset + at + 1).into(),
                    });
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Whether the line holding `offset` has code before it.
fn code_precedes(source: &str, offset: usize) -> bool {
    let before = source.get(..offset).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    !before
        .get(line_start..)
        .unwrap_or_default()
        .trim()
        .is_empty()
}

/// Whether the line before the one holding `offset` is empty (and something precedes it: an
/// empty line at the start of the file is not kept).
fn blank_line_precedes(source: &str, offset: usize) -> bool {
    let before = source.get(..offset).unwrap_or_default();
    let mut lines = before.rsplit('\n');
    // The comment's own line up to the comment: only whitespace when the comment is not trailing.
    lines.next();
    lines.next().is_some_and(|line| line.trim().is_empty()) && !before.trim().is_empty()
}

/// Whether the line after the one ending at `end` is empty.
fn blank_line_follows(source: &str, end: usize) -> bool {
    let rest = source.get(end..).unwrap_or_default();
    let mut lines = rest.split('\n');
    lines.next();
    // Only between two things: an empty line at the end of the file is not kept.
    lines.next().is_some_and(|line| line.trim().is_empty()) && !rest.trim().is_empty()
}

pub(crate) enum Token {
    Open,
    Close,
    /// A comment ending at this byte offset.
    Comment(usize),
    /// A JSONata expression `{% ... %}` ending at this byte offset (its text is opaque: no
    /// strings, comments or brackets of `.flow` inside).
    Expression(usize),
    /// A double-quoted string that may hold a JSONata expression, ending at this byte offset.
    ExpressionString(usize),
}

/// The bytes [`Scanner::next_token`] looks at: quotes, comment starts and brackets.
static SCANNED: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    let bytes = b"\"'#/{[(}])";
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
};

/// A tiny lexer that knows just enough (strings, comments, brackets) to find comments and
/// measure nesting without recursion.
pub(crate) struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(source: &'a str) -> Self {
        Self {
            bytes: source.as_bytes(),
            pos: 0,
        }
    }

    pub(crate) fn next_token(&mut self) -> Option<(usize, Token)> {
        loop {
            // Most bytes matter to none of the cases below: skip them with one table test each.
            let skip = self
                .bytes
                .get(self.pos..)?
                .iter()
                .position(|&b| SCANNED[usize::from(b)])?;
            self.pos += skip;
            let start = self.pos;
            let &byte = self.bytes.get(start)?;
            match byte {
                b'"' => {
                    self.skip_string(byte);
                    let text = self.bytes.get(start..self.pos).unwrap_or_default();
                    if text.windows(2).any(|w| w == b"{%") {
                        return Some((start, Token::ExpressionString(self.pos)));
                    }
                }
                b'\'' => self.skip_string(byte),
                // As the grammar's `jsonata` rule: to the first `%}`, or to the end.
                b'{' if self.bytes.get(start + 1) == Some(&b'%') => {
                    let rest = self.bytes.get(start + 2..).unwrap_or_default();
                    self.pos = match rest.windows(2).position(|w| w == b"%}") {
                        Some(at) => start + 2 + at + 2,
                        None => self.bytes.len(),
                    };
                    return Some((start, Token::Expression(self.pos)));
                }
                b'#' => return Some((start, Token::Comment(self.skip_line()))),
                b'/' if self.bytes.get(self.pos + 1) == Some(&b'/') => {
                    return Some((start, Token::Comment(self.skip_line())));
                }
                b'{' | b'[' | b'(' => {
                    self.pos += 1;
                    return Some((start, Token::Open));
                }
                b'}' | b']' | b')' => {
                    self.pos += 1;
                    return Some((start, Token::Close));
                }
                _ => self.pos += 1,
            }
        }
    }

    fn skip_string(&mut self, quote: u8) {
        self.pos += 1;
        while let Some(offset) = self.bytes.get(self.pos..).and_then(|rest| {
            rest.iter()
                .position(|&b| b == b'\\' || b == quote || b == b'\n')
        }) {
            let stop = self.bytes.get(self.pos + offset).copied();
            self.pos += offset + 1;
            if stop != Some(b'\\') {
                return;
            }
            // An escape: the next byte is part of the string, whatever it is.
            self.pos += 1;
        }
        self.pos = self.bytes.len();
    }

    fn skip_line(&mut self) -> usize {
        while let Some(&byte) = self.bytes.get(self.pos) {
            if byte == b'\n' {
                break;
            }
            self.pos += 1;
        }
        self.pos
    }
}

/// Turn pest's error into one said in words.
fn syntax_error(source: &str, error: &pest::error::Error<Rule>) -> ParseError {
    let offset = match error.location {
        InputLocation::Pos(pos) => pos,
        InputLocation::Span((start, _)) => start,
    };
    let found = token_at(source, offset);
    let span = Span::new(
        offset,
        offset + found.len().max(usize::from(offset < source.len())),
    );
    let found_words = if found.is_empty() {
        "the end of the file".to_string()
    } else {
        format!("`{found}`")
    };
    // A bracket opened before the error and never closed in the whole file is most likely
    // what to fix (a body missing its `}` makes the next state a syntax error inside it).
    let unclosed = unclosed_open(source)
        .filter(|(at, _)| *at < offset)
        .map(|(at, c)| {
            let (line, column) = line_column(source, at);
            format!("the `{c}` opened at line {line}, column {column} is never closed; ")
        });
    let after = match token_before(source, offset) {
        Some(token) => format!(" after `{token}`"),
        None => String::new(),
    };
    match &error.variant {
        // A JSON literal is one token to pest: when it fails to match, serde_json says which
        // character is wrong and why.
        ErrorVariant::ParsingError { positives, .. }
            if positives.contains(&Rule::json)
                && matches!(found.chars().next(), Some('{' | '['))
                && let Some(json_error) = crate::json::first_error(source, offset) =>
        {
            json_error
        }
        ErrorVariant::ParsingError { positives, .. } if !positives.is_empty() => {
            // A duration's number is what pest reports missing; say "a duration" after the
            // keywords that take one.
            let after_duration_keyword = matches!(
                token_before(source, offset),
                Some("every" | "for" | "timeout" | "heartbeat" | "max_delay")
            );
            let positives: Vec<Rule> = positives
                .iter()
                .map(|rule| match rule {
                    Rule::number if after_duration_keyword => Rule::duration,
                    other => *other,
                })
                .collect();
            let expected = describe_expected(&positives);
            let positives = &positives;
            // A misspelled keyword: the nearest keyword valid at this place, not the nearest
            // of the whole grammar.
            let help = match nearest_keyword(found, positives) {
                Some(word) => format!("did you mean `{word}`? {}", help_for(positives)),
                None => help_for(positives),
            };
            let help = format!("{}{help}", unclosed.unwrap_or_default());
            ParseError::Syntax {
                message: format!("expected {expected}{after}, found {found_words}"),
                label: format!("expected {expected} here"),
                help,
                span: span.into(),
            }
        }
        ErrorVariant::ParsingError { .. } => ParseError::Syntax {
            message: format!("unexpected {found_words}{after}"),
            label: "not expected here".to_string(),
            help: "see dsl/LANGUAGE.md for the syntax".to_string(),
            span: span.into(),
        },
        // pest's only custom error here is its call limit: a backstop the nesting bound makes
        // unreachable in practice, reported as a syntax error rather than a code of its own.
        ErrorVariant::CustomError { message } => ParseError::Syntax {
            message: format!("the parser gave up: {message}"),
            label: "gave up here".to_string(),
            help: "split the workflow into smaller files".to_string(),
            span: span.into(),
        },
    }
}

/// The token starting at `offset`: a run of name characters, a path, or one character.
fn token_at(source: &str, offset: usize) -> &str {
    let rest = source.get(offset..).unwrap_or_default();
    let end = rest
        .char_indices()
        .find(|&(i, c)| {
            let word = c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '$');
            if i == 0 {
                false
            } else {
                !word || c.is_whitespace()
            }
        })
        .map_or(rest.len(), |(i, _)| i);
    let token = rest.get(..end).unwrap_or_default();
    // A single symbol stands alone; a word runs on.
    if token.starts_with(|c: char| c.is_alphanumeric() || matches!(c, '_' | '$')) {
        token
    } else {
        rest.get(..rest.chars().next().map_or(0, char::len_utf8))
            .unwrap_or_default()
    }
}

/// The last token before `offset`, for "after `task`".
fn token_before(source: &str, offset: usize) -> Option<&str> {
    let before = source.get(..offset)?.trim_end();
    let last = before.chars().next_back()?;
    let is_word = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '$');
    let start = if is_word(last) {
        before.rfind(|c: char| !is_word(c)).map_or(0, |i| i + 1)
    } else if before.ends_with("->") {
        before.len() - 2
    } else {
        before.len() - last.len_utf8()
    };
    let token = before.get(start..)?;
    if token.len() > 40 { None } else { Some(token) }
}

/// The innermost bracket still open at the end of `source`: its offset and character.
fn unclosed_open(source: &str) -> Option<(usize, char)> {
    let mut open = Vec::new();
    let mut scanner = Scanner::new(source);
    while let Some((offset, token)) = scanner.next_token() {
        match token {
            Token::Open => open.push(offset),
            Token::Close => {
                open.pop();
            }
            Token::Comment(_) | Token::Expression(_) | Token::ExpressionString(_) => {}
        }
    }
    let at = open.pop()?;
    Some((at, source.get(at..)?.chars().next()?))
}

/// 1-based line and column (in characters) of `offset`.
fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let before = source.get(..offset).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The keywords that would have been accepted where pest stopped.
fn keywords_expected(positives: &[Rule]) -> Vec<&'static str> {
    use Rule::*;
    let mut words = Vec::new();
    for rule in positives {
        let more: &[&'static str] = match rule {
            state => &[
                "task", "pass", "choice", "wait", "succeed", "fail", "parallel", "map", "poll",
            ],
            retry_policy => &["retry"],
            file | item => ITEM_KEYWORDS,
            f_comment
            | f_input_path
            | f_output_path
            | f_result_path
            | f_parameters
            | f_result_selector
            | f_result
            | f_item_selector
            | f_timeout
            | f_heartbeat
            | f_retry
            | f_catch
            | f_next
            | f_end
            | f_when
            | f_otherwise
            | f_branch
            | f_process
            | f_max_concurrency
            | f_tolerated_failure_percentage
            | f_tolerated_failure_count
            | f_iterator
            | f_item_reader
            | f_item_batcher
            | f_result_writer
            | f_query_language
            | f_arguments
            | f_output
            | f_assign
            | f_label => match rule {
                f_comment => &["comment"],
                f_input_path => &["input_path"],
                f_output_path => &["output_path"],
                f_result_path => &["result_path"],
                f_parameters => &["parameters"],
                f_result_selector => &["result_selector"],
                f_result => &["result"],
                f_item_selector => &["item_selector"],
                f_timeout => &["timeout"],
                f_heartbeat => &["heartbeat"],
                f_retry => &["retry"],
                f_catch => &["catch"],
                f_next => &["next"],
                f_end => &["end"],
                f_when => &["when"],
                f_otherwise => &["otherwise"],
                f_branch => &["branch"],
                f_process => &["process"],
                f_max_concurrency => &["max_concurrency"],
                f_tolerated_failure_percentage => &["tolerated_failure_percentage"],
                f_tolerated_failure_count => &["tolerated_failure_count"],
                f_iterator => &["iterator"],
                f_item_reader => &["item_reader"],
                f_item_batcher => &["item_batcher"],
                f_result_writer => &["result_writer"],
                f_query_language => &["query_language"],
                f_arguments => &["arguments"],
                f_output => &["output"],
                f_assign => &["assign"],
                _ => &["label"],
            },
            other => {
                // Rules described as one keyword: "`for`", "`until`", ...
                let text = describe(*other);
                match text.strip_prefix('`').and_then(|t| t.strip_suffix('`')) {
                    Some(word) if word.chars().all(|c| c.is_ascii_lowercase() || c == '_') => {
                        words.push(word);
                    }
                    _ => {}
                }
                &[]
            }
        };
        words.extend_from_slice(more);
    }
    words
}

/// The keyword valid here that `found` most likely misspells.
fn nearest_keyword(found: &str, positives: &[Rule]) -> Option<&'static str> {
    if found.is_empty() || !found.chars().all(|c| c.is_ascii_alphabetic() || c == '_') {
        return None;
    }
    let found = found.to_ascii_lowercase();
    keywords_expected(positives)
        .into_iter()
        .filter(|word| *word != found)
        .map(|word| (strsim::jaro_winkler(&found, word), word))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, word)| word)
}

fn describe_expected(positives: &[Rule]) -> String {
    let mut words: Vec<&str> = Vec::new();
    for rule in positives {
        let word = describe(*rule);
        if !words.contains(&word) {
            words.push(word);
        }
    }
    match words.as_slice() {
        [] => "something else".to_string(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

fn help_for(positives: &[Rule]) -> String {
    let first = positives.first().copied();
    match first {
        Some(Rule::state_name) | Some(Rule::name) => {
            "names are letters, digits, `_`, `-` and `.`, starting with a letter or `_`; \
             any other name is written as a JSON string"
                .to_string()
        }
        Some(Rule::state) | Some(Rule::machine_comment) => {
            "a file holds `comment`, `version`, `timeout`, `resource`, `retry policy` and \
             states (`task`, `pass`, `choice`, `wait`, `succeed`, `fail`, `parallel`, `map`, \
             `poll`)"
                .to_string()
        }
        Some(Rule::duration) => "write a duration as a number with s, m, h or d: `60s`".to_string(),
        Some(Rule::path) => "paths start with `$`: `$.tenant_id`, `$$.Execution.Id`".to_string(),
        Some(Rule::json) => {
            "write JSON: an object, array, string, number, true, false or null".to_string()
        }
        Some(Rule::compare_op) => {
            "compare with ==, !=, <, <=, >, >=, or test with `is present`, `matches \"...\"`"
                .to_string()
        }
        _ if positives.iter().any(|r| is_field_rule(*r)) => {
            "state fields: see the table in dsl/LANGUAGE.md (`parameters`, `result_path`, \
             `retry`, `catch`, `next`, `end`, ...)"
                .to_string()
        }
        _ => "see dsl/LANGUAGE.md for the syntax".to_string(),
    }
}

fn is_field_rule(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::f_comment
            | Rule::f_input_path
            | Rule::f_output_path
            | Rule::f_result_path
            | Rule::f_parameters
            | Rule::f_next
            | Rule::f_end
            | Rule::f_retry
            | Rule::f_catch
    )
}

/// What a rule means to someone writing `.flow`.
fn describe(rule: Rule) -> &'static str {
    use Rule::*;
    match rule {
        EOI => "the end of the file",
        name => "a name",
        string => "a string",
        number => "a number",
        duration => "a duration (like `60s`)",
        time_unit => "a time unit (s, m, h, d)",
        path => "a path (like `$.field`)",
        intrinsic => "an intrinsic call (like `States.Format(...)`)",
        state => {
            "a state (`task`, `pass`, `choice`, `wait`, `succeed`, `fail`, `parallel`, `map`, `poll`)"
        }
        state_name => "a state name",
        resource_ref => "a resource name or ARN string",
        machine_comment => "`comment`",
        machine_version => "`version`",
        machine_timeout => "`timeout`",
        machine_query_language => "`query_language`",
        language => "`jsonata` or `jsonpath`",
        jsonata => "a JSONata expression (`{% ... %}`)",
        rule_assign => "`assign`",
        rule_output => "`output`",
        wait_seconds_expression => "`for`",
        wait_timestamp_expression => "`until`",
        resource_decl => "`resource`",
        lambda_resource => "`lambda \"function-name\"`",
        retry_policy => "`retry policy`",
        retry_rule => "`on` and a list of error names",
        error_list | error_name => "an error name",
        body => "`{`",
        wait_seconds | wait_seconds_path => "`for`",
        wait_timestamp | wait_timestamp_path => "`until`",
        fail_error => "`error`",
        fail_cause => "`cause`",
        items_path => "`over`",
        poll_wait => "`wait`",
        poll_check => "`check`",
        poll_choice => "`choice`",
        poll_exhausted => "`exhausted`",
        poll_counter => "`counter`",
        retry_every => "`every`",
        retry_attempts => "`attempts`",
        retry_backoff => "`backoff`",
        retry_max_delay => "`max_delay`",
        retry_jitter => "`jitter`",
        retry_comment => "`comment`",
        f_comment => "a field (`comment`, `parameters`, `result_path`, `next`, `end`, ...)",
        f_input_path
        | f_output_path
        | f_result_path
        | f_parameters
        | f_result_selector
        | f_result
        | f_item_selector
        | f_timeout
        | f_heartbeat
        | f_retry
        | f_catch
        | f_next
        | f_end
        | f_when
        | f_otherwise
        | f_branch
        | f_process
        | f_max_concurrency
        | f_tolerated_failure_percentage
        | f_tolerated_failure_count
        | f_iterator
        | f_item_reader
        | f_item_batcher
        | f_result_writer
        | f_query_language
        | f_arguments
        | f_output
        | f_assign
        | f_label => "a field (`comment`, `parameters`, `result_path`, `next`, `end`, ...)",
        catch_into => "`into`",
        rule_comment => "`comment`",
        process_config => "`config`",
        condition | and_cond | not_cond | paren_cond | all_cond | any_cond | is_cond
        | matches_cond | compare_cond => "a condition (like `$.status == \"healthy\"`)",
        type_test => "`present`, `null`, `string`, `numeric`, `boolean` or `timestamp`",
        compare_op => "a comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`)",
        equals => "`=`",
        arrow => "`->`",
        open_brace => "`{`",
        close_brace => "`}`",
        open_paren => "`(`",
        close_paren => "`)`",
        open_bracket => "`[`",
        close_bracket => "`]`",
        comma => "`,`",
        colon => "`:`",
        operand => {
            "a value (string, number, true, false, `timestamp(\"...\")` or `string($.path)`)"
        }
        timestamp_literal => "`timestamp(\"...\")`",
        typed_path => "a typed path (like `number($.limit)`)",
        operand_type => "`string`, `number`, `boolean` or `timestamp`",
        json => "a JSON value",
        k_comment => "`comment`",
        k_version => "`version`",
        k_timeout => "`timeout`",
        k_resource => "`resource`",
        k_lambda => "`lambda`",
        k_retry => "`retry`",
        k_policy => "`policy`",
        k_on => "`on`",
        k_every => "`every`",
        k_attempts => "`attempts`",
        k_backoff => "`backoff`",
        k_max_delay => "`max_delay`",
        k_jitter => "`jitter`",
        k_full => "`full`",
        k_none => "`none`",
        k_task => "`task`",
        k_pass => "`pass`",
        k_choice => "`choice`",
        k_wait => "`wait`",
        k_succeed => "`succeed`",
        k_fail => "`fail`",
        k_parallel => "`parallel`",
        k_map => "`map`",
        k_poll => "`poll`",
        k_for => "`for`",
        k_until => "`until`",
        k_error => "`error`",
        k_cause => "`cause`",
        k_over => "`over`",
        k_at => "`at`",
        k_most => "`most`",
        k_times => "`times`",
        k_check => "`check`",
        k_exhausted => "`exhausted`",
        k_counter => "`counter`",
        k_input_path => "`input_path`",
        k_output_path => "`output_path`",
        k_result_path => "`result_path`",
        k_parameters => "`parameters`",
        k_result_selector => "`result_selector`",
        k_result => "`result`",
        k_item_selector => "`item_selector`",
        k_heartbeat => "`heartbeat`",
        k_catch => "`catch`",
        k_into => "`into`",
        k_next => "`next`",
        k_end => "`end`",
        k_when => "`when`",
        k_otherwise => "`otherwise`",
        k_branch => "`branch`",
        k_process => "`process`",
        k_config => "`config`",
        k_iterator => "`iterator`",
        k_item_reader => "`item_reader`",
        k_item_batcher => "`item_batcher`",
        k_result_writer => "`result_writer`",
        k_label => "`label`",
        k_max_concurrency => "`max_concurrency`",
        k_tolerated_failure_percentage => "`tolerated_failure_percentage`",
        k_tolerated_failure_count => "`tolerated_failure_count`",
        k_and => "`and`",
        k_or => "`or`",
        k_not => "`not`",
        k_all => "`all`",
        k_any => "`any`",
        k_is => "`is`",
        k_matches => "`matches`",
        k_present => "`present`",
        k_null => "`null`",
        k_string => "`string`",
        k_numeric => "`numeric`",
        k_number => "`number`",
        k_boolean => "`boolean`",
        k_timestamp => "`timestamp`",
        k_true => "`true`",
        k_query_language => "`query_language`",
        k_jsonata => "`jsonata`",
        k_jsonpath => "`jsonpath`",
        k_arguments => "`arguments`",
        k_output => "`output`",
        k_assign => "`assign`",
        k_false => "`false`",
        file => "a `.flow` file",
        _ => "something else",
    }
}
