//! The canonical `.flow` printer: `flowc fmt`, and the back end of `flowc decompile`.
//!
//! Printing depends only on the AST (plus the source comments), so `fmt(fmt(x)) == fmt(x)`.
//! Comments are placed by position: each one is printed before the first item, state or field
//! that starts after it, or at the end of its block.

use flowc_dsl::ast::*;
use flowc_dsl::{ParseError, parse_at_most};
use serde_json::Value;

const INDENT: &str = "    ";
/// Lines (JSON literals, retry policies) that fit in this many columns stay on one line.
const LINE_WIDTH: usize = 100;

/// Format `.flow` source text canonically.
pub fn format_source(source: &str) -> Result<String, ParseError> {
    Ok(print(&parse_at_most(source, flowc_asl::rules::MAX_STATES)?))
}

/// Print a workflow (with its comments) as canonical `.flow` text.
pub fn print(workflow: &Workflow) -> String {
    let mut p = Printer {
        out: String::new(),
        comments: &workflow.comments,
        next_comment: 0,
        commented_line_end: None,
    };
    let mut previous: Option<&Item> = None;
    for item in &workflow.items {
        p.trailing_before(item.span().start);
        if let Some(prev) = previous
            && !(same_group(prev, item))
        {
            p.blank_line();
        }
        p.comments_before(item.span().start, 0);
        p.item(item);
        previous = Some(item);
    }
    p.comments_before(usize::MAX, 0);
    while p.out.ends_with("\n\n") {
        p.out.pop();
    }
    p.out
}

fn same_group(a: &Item, b: &Item) -> bool {
    let group = |item: &Item| match item {
        Item::Comment(_) | Item::Version(_) | Item::Timeout(_) | Item::QueryLanguage(_) => 0,
        Item::Resource(_) => 1,
        Item::RetryPolicy(_) => 2,
        Item::State(_) => 3,
    };
    group(a) == group(b) && group(a) != 3
}

struct Printer<'a> {
    out: String,
    comments: &'a [Comment],
    next_comment: usize,
    /// `out.len()` just after a trailing comment was appended to the last line: a second one
    /// (two comments inside one multi-line JSON literal, say) goes on a line of its own rather
    /// than running into the first.
    commented_line_end: Option<usize>,
}

impl Printer<'_> {
    fn line(&mut self, depth: usize, text: &str) {
        for _ in 0..depth {
            self.out.push_str(INDENT);
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// One empty line, never two.
    fn blank_line(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    /// Print the comments that start before `offset`: a trailing comment at the end of the line
    /// printed last, the others on their own lines.
    fn comments_before(&mut self, offset: usize, depth: usize) {
        while let Some(comment) = self.comments.get(self.next_comment) {
            if comment.span.start >= offset {
                break;
            }
            // Kept before a comment that introduces what follows, but not right after an
            // opening line (`state X {`), where the source's empty line carries nothing.
            if comment.blank_line_before && !comment.trailing && !self.out.ends_with("{\n") {
                self.blank_line();
            }
            let line_has_comment = self.commented_line_end == Some(self.out.len());
            if comment.trailing
                && !line_has_comment
                && self.out.ends_with('\n')
                && !self.out.ends_with("\n\n")
            {
                self.out.pop();
                self.out.push_str("  ");
                self.out.push_str(&comment.text);
                self.out.push('\n');
                self.commented_line_end = Some(self.out.len());
            } else {
                let text = comment.text.clone();
                self.line(depth, &text);
            }
            if comment.blank_line_after {
                self.blank_line();
            }
            self.next_comment += 1;
        }
    }

    /// Only the trailing comments that start before `offset` (before a blank separator line).
    fn trailing_before(&mut self, offset: usize) {
        while let Some(comment) = self.comments.get(self.next_comment) {
            if comment.span.start >= offset || !comment.trailing {
                break;
            }
            self.comments_before(comment.span.start + 1, 0);
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Comment(c) => self.line(0, &format!("comment {}", string(&c.node))),
            Item::Version(v) => self.line(0, &format!("version {}", string(&v.node))),
            Item::Timeout(t) => self.line(0, &format!("timeout {}", duration(&t.node))),
            Item::QueryLanguage(q) => self.line(0, &format!("query_language {}", q.node.word())),
            Item::Resource(r) => {
                let target = match &r.kind {
                    ResourceKind::Lambda(f) => format!("lambda {}", string(&f.node)),
                    ResourceKind::Arn(a) => string(&a.node),
                };
                self.line(0, &format!("resource {} = {target}", name(&r.name.node)));
            }
            Item::RetryPolicy(p) => {
                let header = format!("retry policy {}", name(&p.name.node));
                let rule = retry_rule(&p.rule);
                if header.len() + rule.len() < LINE_WIDTH {
                    self.line(0, &format!("{header} {rule}"));
                } else {
                    // Long policies: the error list on one line, the clauses on the next.
                    self.line(0, &header);
                    self.line(1, &format!("on {}", error_list(&p.rule.errors)));
                    let clauses = rule_clauses(&p.rule);
                    if !clauses.is_empty() {
                        self.line(1, clauses.trim_start());
                    }
                }
            }
            Item::State(s) => self.state(s, 0),
        }
    }

    fn state(&mut self, state: &State, depth: usize) {
        let header = state_header(state);
        if let StateKind::Poll(poll) = &state.kind {
            self.line(depth, &format!("{header} {{"));
            self.line(depth + 1, &format!("wait {}", name(&poll.wait.node)));
            self.comments_before(poll.check.span.start, depth + 1);
            self.state_with_body(
                &poll.check,
                &format!("check {}", task_tail(&poll.check)),
                depth + 1,
            );
            self.comments_before(poll.decide.span.start, depth + 1);
            self.state_with_body(
                &poll.decide,
                &format!("choice {}", name(&poll.decide.name.node)),
                depth + 1,
            );
            self.comments_before(poll.exhausted.span.start, depth + 1);
            self.line(
                depth + 1,
                &format!("exhausted -> {}", name(&poll.exhausted.node)),
            );
            if let Some(counter) = &poll.counter {
                self.line(depth + 1, &format!("counter {}", counter.node.0));
            }
            self.comments_before(state.span.end, depth + 1);
            self.line(depth, "}");
            return;
        }
        self.state_with_body(state, &header, depth);
    }

    fn state_with_body(&mut self, state: &State, header: &str, depth: usize) {
        if state.fields.is_empty() {
            self.line(depth, header);
            return;
        }
        self.line(depth, &format!("{header} {{"));
        for field in &state.fields {
            self.comments_before(field.span.start, depth + 1);
            self.field(&field.node, field.span, depth + 1);
        }
        // Comments inside the braces after the last field stay inside.
        if state.span.end > 0 {
            self.comments_before(state.span.end, depth + 1);
        }
        self.line(depth, "}");
    }

    fn block(
        &mut self,
        keyword: &str,
        config: Option<&Spanned<Value>>,
        states: &[State],
        span: Span,
        depth: usize,
    ) {
        self.line(depth, &format!("{keyword} {{"));
        if let Some(config) = config {
            self.json_field("config", &config.node, depth + 1);
        }
        for (index, state) in states.iter().enumerate() {
            if index > 0 {
                self.blank_line();
            }
            self.comments_before(state.span.start, depth + 1);
            self.state(state, depth + 1);
        }
        // Comments before the block's closing brace stay inside it.
        if span.end > 0 {
            self.comments_before(span.end, depth + 1);
        }
        self.line(depth, "}");
    }

    fn json_field(&mut self, keyword: &str, value: &Value, depth: usize) {
        let inline = json_inline(value);
        let text = if depth * INDENT.len() + keyword.len() + 1 + inline.len() <= LINE_WIDTH {
            inline
        } else {
            json(value, depth)
        };
        self.line(depth, &format!("{keyword} {text}"));
    }

    fn field(&mut self, field: &Field, span: Span, depth: usize) {
        let text = match field {
            Field::Comment(c) => format!("comment {}", string(c)),
            Field::InputPath(p) => format!("input_path {}", path_or_null(p)),
            Field::OutputPath(p) => format!("output_path {}", path_or_null(p)),
            Field::ResultPath(p) => format!("result_path {}", path_or_null(p)),
            Field::Parameters(v) => return self.json_field("parameters", v, depth),
            Field::ResultSelector(v) => return self.json_field("result_selector", v, depth),
            Field::Result(v) => return self.json_field("result", v, depth),
            Field::ItemSelector(v) => return self.json_field("item_selector", v, depth),
            Field::Timeout(t) => format!("timeout {}", duration_or_path(t)),
            Field::Heartbeat(h) => format!("heartbeat {}", duration_or_path(h)),
            Field::Retry(Retry::Policy(p)) => format!("retry {}", name(&p.node)),
            Field::Retry(Retry::Inline(rule)) => format!("retry {}", retry_rule(rule)),
            Field::Catch(c) => {
                let into = match &c.result_path {
                    Some(p) => format!(" into {}", path_or_null(&p.node)),
                    None => String::new(),
                };
                format!(
                    "catch {}{into}{}{} -> {}",
                    error_list(&c.errors),
                    rule_comment(&c.comment),
                    rule_json(&c.assign, &c.output, depth),
                    name(&c.target.node)
                )
            }
            Field::Next(t) => format!("next {}", name(&t.node)),
            Field::End => "end".to_string(),
            Field::When(rule) => {
                format!(
                    "when {}{}{} -> {}",
                    condition(&rule.condition.node, 0),
                    rule_comment(&rule.comment),
                    rule_json(&rule.assign, &rule.output, depth),
                    name(&rule.target.node)
                )
            }
            Field::Otherwise(t) => format!("otherwise -> {}", name(&t.node)),
            Field::Branch(states) => return self.block("branch", None, states, span, depth),
            Field::Process(p) if p.legacy_iterator => {
                return self.block("iterator", None, &p.states, span, depth);
            }
            Field::Process(p) => {
                return self.block("process", p.config.as_ref(), &p.states, span, depth);
            }
            Field::ItemReader(v) => return self.json_field("item_reader", v, depth),
            Field::ItemBatcher(v) => return self.json_field("item_batcher", v, depth),
            Field::ResultWriter(v) => return self.json_field("result_writer", v, depth),
            Field::Label(text) => format!("label {}", string(text)),
            Field::MaxConcurrency(n) => format!("max_concurrency {}", number_or_path(n)),
            Field::ToleratedFailurePercentage(n) => {
                format!("tolerated_failure_percentage {}", number_or_path(n))
            }
            Field::ToleratedFailureCount(n) => {
                format!("tolerated_failure_count {}", number_or_path(n))
            }
            Field::QueryLanguage(q) => format!("query_language {}", q.word()),
            Field::Arguments(v) => return self.json_field("arguments", v, depth),
            Field::Output(v) => return self.json_field("output", v, depth),
            Field::Assign(v) => return self.json_field("assign", v, depth),
        };
        self.line(depth, &text);
    }
}

fn task_tail(state: &State) -> String {
    match &state.kind {
        StateKind::Task { resource } => format!(
            "{} = {}",
            name(&state.name.node),
            resource_ref(&resource.node)
        ),
        _ => name(&state.name.node),
    }
}

fn resource_ref(r: &ResourceRef) -> String {
    match r {
        ResourceRef::Named(n) => name(n),
        ResourceRef::Arn(a) => string(a),
    }
}

fn state_header(state: &State) -> String {
    let n = name(&state.name.node);
    match &state.kind {
        StateKind::Task { .. } => format!("task {}", task_tail(state)),
        StateKind::Wait { wait_for } => {
            let tail = match &wait_for.node {
                WaitFor::Seconds(d) => format!("for {}", duration(d)),
                WaitFor::SecondsPath(p) => format!("for {}", p.0),
                WaitFor::Timestamp(t) => format!("until {}", string(t)),
                WaitFor::TimestampPath(p) => format!("until {}", p.0),
                WaitFor::SecondsExpression(e) => format!("for {}", e.0),
                WaitFor::TimestampExpression(e) => format!("until {}", e.0),
            };
            format!("wait {n} {tail}")
        }
        StateKind::Fail { error, cause } => {
            let mut text = format!("fail {n}");
            if let Some(e) = error {
                text.push_str(&format!(" error {}", fail_text(&e.node)));
            }
            if let Some(c) = cause {
                text.push_str(&format!(" cause {}", fail_text(&c.node)));
            }
            text
        }
        StateKind::Map {
            items_path: Some(p),
            ..
        } => format!("map {n} over {}", p.node.0),
        StateKind::Map {
            items: Some(items), ..
        } => format!("map {n} over {}", json_inline(&items.node)),
        StateKind::Poll(poll) => format!(
            "poll {n} every {} at most {} times",
            duration(&poll.every.node),
            poll.at_most.node.0
        ),
        other => format!("{} {n}", other.keyword()),
    }
}

fn fail_text(text: &FailText) -> String {
    match text {
        FailText::Literal(s) => string(s),
        FailText::Path(p) => p.0.clone(),
        FailText::Intrinsic(call) => call.clone(),
        FailText::Expression(e) => e.0.clone(),
    }
}

fn retry_rule(rule: &RetryRule) -> String {
    format!("on {}{}", error_list(&rule.errors), rule_clauses(rule))
}

fn rule_clauses(rule: &RetryRule) -> String {
    let mut text = String::new();
    if let Some(every) = &rule.every {
        text.push_str(&format!(" every {}", duration(&every.node)));
    }
    if let Some(attempts) = &rule.attempts {
        text.push_str(&format!(" attempts {}", attempts.node.0));
    }
    if let Some(backoff) = &rule.backoff {
        text.push_str(&format!(" backoff {}", backoff.node.0));
    }
    if let Some(max_delay) = &rule.max_delay {
        text.push_str(&format!(" max_delay {}", duration(&max_delay.node)));
    }
    if let Some(jitter) = &rule.jitter {
        text.push_str(match jitter.node {
            Jitter::Full => " jitter full",
            Jitter::None => " jitter none",
        });
    }
    if let Some(comment) = &rule.comment {
        text.push_str(&format!(" comment {}", string(&comment.node)));
    }
    text
}

/// A catch or when rule's ` assign { ... }` and ` output { ... }`, before its arrow.
fn rule_json(
    assign: &Option<Spanned<Value>>,
    output: &Option<Spanned<Value>>,
    depth: usize,
) -> String {
    let mut text = String::new();
    for (keyword, value) in [("assign", assign), ("output", output)] {
        if let Some(value) = value {
            text.push_str(&format!(" {keyword} {}", json(&value.node, depth)));
        }
    }
    text
}

fn rule_comment(comment: &Option<Spanned<String>>) -> String {
    match comment {
        Some(c) => format!(" comment {}", string(&c.node)),
        None => String::new(),
    }
}

fn error_list(errors: &[Spanned<String>]) -> String {
    errors
        .iter()
        .map(|e| name(&e.node))
        .collect::<Vec<_>>()
        .join(", ")
}

fn duration(d: &Duration) -> String {
    format!("{}{}", d.amount.0, d.unit.suffix())
}

fn duration_or_path(d: &DurationOrPath) -> String {
    match d {
        DurationOrPath::Duration(d) => duration(d),
        DurationOrPath::Path(p) => p.0.clone(),
        DurationOrPath::Expression(e) => e.0.clone(),
    }
}

fn number_or_path(n: &NumberOrPath) -> String {
    match n {
        NumberOrPath::Number(n) => n.0.clone(),
        NumberOrPath::Path(p) => p.0.clone(),
        NumberOrPath::Expression(e) => e.0.clone(),
    }
}

fn path_or_null(p: &PathOrNull) -> String {
    match p {
        PathOrNull::Path(p) => p.0.clone(),
        PathOrNull::Null => "null".to_string(),
    }
}

/// A name bare when the grammar reads it back as a name, else as a JSON string.
pub(crate) fn name(text: &str) -> String {
    let mut chars = text.chars();
    let bare = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if bare { text.to_string() } else { string(text) }
}

fn string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{text}\""))
}

/// Precedence: `or` 1, `and` 2, `not` 3, atoms 4.
fn precedence(c: &Condition) -> u8 {
    match c {
        Condition::Or(parts) if parts.len() >= 2 => 1,
        Condition::And(parts) if parts.len() >= 2 => 2,
        Condition::Not(_) => 3,
        _ => 4,
    }
}

/// Print `c`, parenthesised when its precedence is not above `min`.
pub(crate) fn condition(c: &Condition, min: u8) -> String {
    let text = match c {
        Condition::Expression(e) => return e.0.clone(),
        Condition::Or(parts) if parts.len() >= 2 => join(parts, " or ", 1),
        Condition::And(parts) if parts.len() >= 2 => join(parts, " and ", 2),
        Condition::Or(parts) => format!("any({})", list(parts)),
        Condition::And(parts) => format!("all({})", list(parts)),
        // `not` takes an atom: a nested `not` gets brackets.
        Condition::Not(inner) => format!("not {}", condition(&inner.node, 3)),
        // Its own brackets: an atom already.
        Condition::Commented {
            condition: inner,
            comment,
        } => {
            return format!(
                "({} comment {})",
                condition(&inner.node, 0),
                string(&comment.node)
            );
        }
        Condition::Is {
            path,
            negated,
            test,
        } => {
            format!(
                "{} is {}{}",
                path.node.0,
                if *negated { "not " } else { "" },
                test.word()
            )
        }
        Condition::Matches { path, pattern } => {
            format!("{} matches {}", path.node.0, string(&pattern.node))
        }
        Condition::Compare { left, op, right } => {
            let operand = match &right.node {
                Operand::String(s) => string(s),
                Operand::Number(n) => n.0.clone(),
                Operand::Bool(b) => b.to_string(),
                Operand::Timestamp(t) => format!("timestamp({})", string(t)),
                Operand::Path(ty, p) => format!("{}({})", ty.word(), p.0),
            };
            format!("{} {} {operand}", left.node.0, op.symbol())
        }
    };
    if precedence(c) <= min {
        format!("({text})")
    } else {
        text
    }
}

fn join(parts: &[Spanned<Condition>], sep: &str, own: u8) -> String {
    parts
        .iter()
        .map(|p| condition(&p.node, own))
        .collect::<Vec<_>>()
        .join(sep)
}

fn list(parts: &[Spanned<Condition>]) -> String {
    parts
        .iter()
        .map(|p| condition(&p.node, 0))
        .collect::<Vec<_>>()
        .join(", ")
}

/// JSON on one line when it fits, else one member per line at `depth`.
fn json(value: &Value, depth: usize) -> String {
    let inline = json_inline(value);
    if inline.len() + depth * INDENT.len() <= LINE_WIDTH {
        return inline;
    }
    let pad = INDENT.repeat(depth + 1);
    let close = INDENT.repeat(depth);
    match value {
        Value::Object(map) if !map.is_empty() => {
            let members: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{pad}{}: {}", string(k), json(v, depth + 1)))
                .collect();
            format!("{{\n{}\n{close}}}", members.join(",\n"))
        }
        Value::Array(items) if !items.is_empty() => {
            let items: Vec<String> = items
                .iter()
                .map(|v| format!("{pad}{}", json(v, depth + 1)))
                .collect();
            format!("[\n{}\n{close}]", items.join(",\n"))
        }
        _ => inline,
    }
}

fn json_inline(value: &Value) -> String {
    match value {
        Value::Object(map) if map.is_empty() => "{}".to_string(),
        Value::Object(map) => {
            let members: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", string(k), json_inline(v)))
                .collect();
            format!("{{ {} }}", members.join(", "))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(json_inline).collect();
            format!("[{}]", items.join(", "))
        }
        Value::String(text) if bare_expression(text) => text.clone(),
        scalar => serde_json::to_string(scalar).unwrap_or_default(),
    }
}

/// Whether a JSON string is a JSONata expression that reads back as itself written bare:
/// `{%` and `%}` at its ends and no `%}` between (the grammar's `jsonata` rule).
pub(crate) fn bare_expression(text: &str) -> bool {
    text.len() >= 4
        && text.starts_with("{%")
        && text.ends_with("%}")
        && !text[2..text.len() - 2].contains("%}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::format_source;

    const MESSY: &str = "# header\n\n// before resource\nresource r = lambda \"f\" # trailing on resource\n\
        # before state\ntask T = r {\n  # before parameters\n  parameters {\"a\":1} # trailing on parameters\n\
        # last inside T\n}\nparallel P { branch {\n# inside branch, before A\npass A\n# inside branch, after A\n}\n\
        # after the branch\n}\n# at the end\n";

    const CANONICAL: &str = "# header\n\n// before resource\nresource r = lambda \"f\"  # trailing on resource\n\n\
        # before state\ntask T = r {\n    # before parameters\n    parameters { \"a\": 1 }  # trailing on parameters\n\
        \x20   # last inside T\n}\n\nparallel P {\n    branch {\n        # inside branch, before A\n        pass A\n\
        \x20       # inside branch, after A\n    }\n    # after the branch\n}\n# at the end\n";

    #[test]
    fn comments_stay_where_they_were_written() {
        assert_eq!(format_source(MESSY).unwrap(), CANONICAL);
        assert_eq!(format_source(CANONICAL).unwrap(), CANONICAL);
    }

    #[test]
    fn an_empty_line_before_a_comment_that_introduces_a_declaration_is_kept() {
        // Two retry policies print as one group with no empty line between them; a comment
        // written after an empty line belongs to the second one and keeps its separation.
        let source = "retry policy a\n    on Lambda.ServiceException\n    every 2s attempts 3\n\n# Transient errors of our own.\nretry policy b\n    on States.Timeout\n    every 5s attempts 2\n\nsucceed Done\n";
        let formatted = format_source(source).unwrap();
        assert!(
            formatted.contains("attempts 3\n\n# Transient errors of our own.\nretry policy b"),
            "{formatted}"
        );
        assert_eq!(format_source(&formatted).unwrap(), formatted);
        // Right after an opening line the source's empty line carries nothing and is dropped.
        let source = "pass A {\n\n    # why\n    result { \"a\": 1 }\n}\n";
        assert_eq!(
            format_source(source).unwrap(),
            "pass A {\n    # why\n    result { \"a\": 1 }\n}\n"
        );
    }

    #[test]
    fn conditions_print_with_the_brackets_they_need() {
        let source = "choice C {\n    when ($.a == 1 or $.b == 2) and not ($.c is null) -> D\n    when not (not $.e == \"x\") -> D\n    when any($.f is present) -> D\n}\n";
        let formatted = format_source(source).unwrap();
        assert_eq!(
            formatted,
            "choice C {\n    when ($.a == 1 or $.b == 2) and not $.c is null -> D\n    when not (not $.e == \"x\") -> D\n    when any($.f is present) -> D\n}\n"
        );
    }

    #[test]
    fn two_comments_inside_one_json_literal_stay_two_comments() {
        let source = "pass A {\n    result {\n        \"a\": 1, # the first\n        \"b\": [true, null] // second\n    }\n}\n";
        let formatted = format_source(source).unwrap();
        assert_eq!(
            formatted,
            "pass A {\n    result { \"a\": 1, \"b\": [true, null] }  # the first\n    // second\n}\n"
        );
        assert_eq!(format_source(&formatted).unwrap(), formatted);
    }

    #[test]
    fn rule_comments_go_before_the_arrow() {
        let source = "task T = \"arn:x\" {\n    catch States.ALL into $.e comment \"why\" -> C\n}\n\nchoice C {\n    when $.n > 3 comment \"too many\" -> D\n}\n\nsucceed D\n";
        assert_eq!(format_source(source).unwrap(), source);
        let lowered = crate::lower::compile(source, &crate::lower::Bindings::new()).unwrap();
        let json = flowc_asl::emit(&lowered.machine);
        assert!(
            json.contains("\"Comment\": \"why\"") && json.contains("\"Comment\": \"too many\""),
            "{json}"
        );
    }

    #[test]
    fn long_json_breaks_one_member_per_line() {
        let long = format!(
            "pass P {{ result {{ \"a\": \"{}\", \"b\": [1, 2] }} }}",
            "x".repeat(90)
        );
        let formatted = format_source(&long).unwrap();
        assert!(
            formatted.contains("    result {\n        \"a\": \""),
            "{formatted}"
        );
        assert!(
            formatted.contains("        \"b\": [1, 2]\n    }\n"),
            "{formatted}"
        );
    }

    #[test]
    fn jsonata_strings_print_as_bare_expressions() {
        let source = "query_language jsonata\n\npass P {\n    output { \"a\": \"{% $states.input.a %}\", \"b\": \" {% 1 %}\" }\n}\n";
        let formatted = format_source(source).unwrap();
        assert_eq!(
            formatted,
            "query_language jsonata\n\npass P {\n    output { \"a\": {% $states.input.a %}, \"b\": \" {% 1 %}\" }\n}\n"
        );
        assert_eq!(format_source(&formatted).unwrap(), formatted);
        let compile = |text: &str| {
            let lowered = crate::lower::compile(text, &crate::lower::Bindings::new()).unwrap();
            flowc_asl::emit(&lowered.machine)
        };
        assert_eq!(compile(source), compile(&formatted));
    }
}
