//! ASL -> `.flow`: `flowc decompile`.
//!
//! The machine becomes an AST (states ordered so that most transitions are implied, Lambda ARNs
//! turned into `resource` declarations that keep the whole ARN) and is printed by
//! [`crate::fmt`]. Compiling the text gives back JSON equal to the input, with no `--bind`.
//! The legacy Map form (`Iterator`, `Parameters`) and Distributed Map (ItemReader,
//! ItemBatcher, ResultWriter, Label, tolerated failures) have `.flow` spellings, and so do
//! JSONata states and Variables (`query_language`, `arguments`, `output`, `assign`, `{% %}` in
//! every field that takes one); what has none yet (Credentials, a branch's own Comment or
//! QueryLanguage) is reported, never dropped. `poll` blocks, `retry policy` declarations and
//! the definition's own state order are recovered where the JSON has them
//! (`decompile/shapes.rs`).

mod shapes;

use std::collections::BTreeMap;

use flowc_asl::{
    Branch, Catcher, ChoiceRule, Condition as AslCondition, IntegerField, JsonataString,
    NumberField, Operand as AslOperand, OperandFamily, Operator, PathOrNull as AslPathOrNull,
    Retrier, State as AslState, StateKind as AslKind, StateMachine, StateName, TextField,
    TimestampField, Transition,
};
use flowc_dsl::ast::*;
use indexmap::IndexMap;
use miette::Diagnostic;
use thiserror::Error;

/// A decompiled machine: the AST and its text, which compiles back to the same JSON as it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Decompiled {
    pub workflow: Workflow,
    pub text: String,
}

#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum DecompileError {
    #[error("{what} has no .flow equivalent yet ({place})")]
    #[diagnostic(
        code(flowc::decompile::unsupported),
        help(
            ".flow covers JSONPath and JSONata ASL, Variables, the legacy Map form and Distributed Map; Task Credentials and a branch's own Comment or QueryLanguage are not expressible yet"
        )
    )]
    Unsupported { what: &'static str, place: String },
}

/// Decompile a machine to `.flow`.
pub fn decompile(machine: &StateMachine) -> Result<Decompiled, DecompileError> {
    let mut d = Decompiler::default();
    let mut items = Vec::new();
    if let Some(language) = machine.query_language {
        items.push(Item::QueryLanguage(sp(language_word(language))));
    }
    if let Some(comment) = &machine.comment {
        items.push(Item::Comment(sp(comment.clone())));
    }
    if let Some(version) = &machine.version {
        items.push(Item::Version(sp(version.clone())));
    }
    if let Some(timeout) = machine.timeout_seconds {
        items.push(Item::Timeout(sp(duration(timeout))));
    }
    let mut states = d.block(&machine.start_at, &machine.states)?;
    let policies = shapes::retry_policies(&mut states);
    // A Lambda ARN stays whole in its declaration (`resource charge = "arn:aws:lambda:..."`),
    // so compiling the text gives back the same Resource with no `--bind`; a `${name}`
    // placeholder stays a placeholder (`lambda "name"`).
    items.extend(d.resources.iter().map(|(name, (function, arn))| {
        Item::Resource(ResourceDecl {
            name: sp(name.clone()),
            kind: match arn {
                Some(arn) => ResourceKind::Arn(sp(arn.clone())),
                None => ResourceKind::Lambda(sp(function.clone())),
            },
            span: Span::default(),
        })
    }));
    items.extend(policies.into_iter().map(Item::RetryPolicy));
    items.extend(states.into_iter().map(Item::State));
    let workflow = Workflow {
        items,
        comments: Vec::new(),
        expressions: Vec::new(),
    };
    let text = crate::fmt::print(&workflow);
    // Names and paths are written as the definition spells them, and ASL allows characters
    // that end a bare `.flow` path: `$.a{b` or `$.x,y` made a `.flow` that does not compile
    // (the fuzzer's findings), and `$.a#b` one that compiles to `$.a` and a comment. So the
    // text must read back as itself: parsed and printed again, it is the same text.
    match crate::fmt::format_source(&text) {
        Ok(again) if again == text => {}
        Ok(again) => {
            // Say which line: the first one the reading back changes.
            let line = text
                .lines()
                .zip(again.lines())
                .find(|(written, read)| written != read)
                .map_or("", |(written, _)| written.trim());
            return Err(unsupported(
                "a name or path that .flow cannot write as it is spelled",
                &format!("`{line}` would read back differently"),
            ));
        }
        Err(error) => {
            return Err(unsupported(
                "a name or path that .flow cannot write as it is spelled",
                &error.to_string(),
            ));
        }
    }
    Ok(Decompiled { workflow, text })
}

fn unsupported(what: &'static str, place: &str) -> DecompileError {
    DecompileError::Unsupported {
        what,
        place: place.to_string(),
    }
}

fn sp<T>(node: T) -> Spanned<T> {
    Spanned::new(node, Span::default())
}

#[derive(Default)]
struct Decompiler {
    /// Resource name -> (function name, the Lambda ARN; None for `${name}` placeholders).
    resources: BTreeMap<String, (String, Option<String>)>,
}

impl Decompiler {
    /// A block's states, in an order that implies most transitions, with its polls as
    /// `poll` blocks ([`shapes::order`], [`shapes::find_polls`]).
    fn block(
        &mut self,
        start_at: &StateName,
        states: &IndexMap<StateName, AslState>,
    ) -> Result<Vec<State>, DecompileError> {
        let polls = shapes::find_polls(start_at, states);
        let order = shapes::order(start_at, states, &polls);
        let mut out = Vec::with_capacity(order.len());
        for (index, name) in order.iter().enumerate() {
            let Some(state) = states.get(*name) else {
                continue;
            };
            if let Some(poll) = polls.iter().find(|p| p.starts_at(name)) {
                out.push(self.poll(poll, states)?);
                continue;
            }
            let following = order.get(index + 1).copied();
            out.push(self.state(state, following, index + 1 == order.len())?);
        }
        Ok(out)
    }

    fn state(
        &mut self,
        state: &AslState,
        following: Option<&StateName>,
        last: bool,
    ) -> Result<State, DecompileError> {
        let place = format!("state `{}`", state.name);
        let mut fields = Vec::new();
        let push = |fields: &mut Vec<Spanned<Field>>, field| fields.push(sp(field));
        if let Some(comment) = &state.comment {
            push(&mut fields, Field::Comment(comment.clone()));
        }
        if let Some(language) = state.query_language {
            push(&mut fields, Field::QueryLanguage(language_word(language)));
        }
        if let Some(p) = &state.input_path {
            push(&mut fields, Field::InputPath(path_or_null(p)));
        }
        let kind = match &state.kind {
            AslKind::Task(task) => {
                if task.credentials.is_some() {
                    return Err(unsupported("Credentials", &place));
                }
                let resource = self.resource(&task.resource);
                push_template(&mut fields, Field::Parameters, &task.parameters);
                if let Some(arguments) = &task.arguments {
                    push(&mut fields, Field::Arguments(arguments.to_json()));
                }
                push_template(&mut fields, Field::ResultSelector, &task.result_selector);
                push_result_path(&mut fields, &task.result_path);
                if let Some(t) = &task.timeout {
                    fields.push(sp(Field::Timeout(duration_or_path(t, &place)?)));
                }
                if let Some(h) = &task.heartbeat {
                    fields.push(sp(Field::Heartbeat(duration_or_path(h, &place)?)));
                }
                push_retry_catch(&mut fields, &task.retry, &task.catch);
                push_transition(&mut fields, &task.transition, following, last);
                StateKind::Task {
                    resource: sp(resource),
                }
            }
            AslKind::Pass(pass) => {
                push_template(&mut fields, Field::Parameters, &pass.parameters);
                if let Some(result) = &pass.result {
                    fields.push(sp(Field::Result(result.clone())));
                }
                push_result_path(&mut fields, &pass.result_path);
                push_transition(&mut fields, &pass.transition, following, last);
                StateKind::Pass
            }
            AslKind::Choice(choice) => {
                for rule in &choice.choices {
                    fields.push(sp(Field::When(choice_rule(rule, &place)?)));
                }
                if let Some(default) = &choice.default {
                    fields.push(sp(Field::Otherwise(sp(default.as_str().to_string()))));
                }
                StateKind::Choice
            }
            AslKind::Wait(wait) => {
                let wait_for = match &wait.wait_for {
                    flowc_asl::WaitFor::Seconds(IntegerField::Value(s)) => {
                        WaitFor::Seconds(duration(*s))
                    }
                    flowc_asl::WaitFor::Seconds(IntegerField::Path(p)) => {
                        WaitFor::SecondsPath(text(p.as_str()))
                    }
                    flowc_asl::WaitFor::Timestamp(TimestampField::Value(t)) => {
                        WaitFor::Timestamp(t.clone())
                    }
                    flowc_asl::WaitFor::Timestamp(TimestampField::Path(p)) => {
                        WaitFor::TimestampPath(text(p.as_str()))
                    }
                    flowc_asl::WaitFor::Seconds(IntegerField::Jsonata(e)) => {
                        WaitFor::SecondsExpression(expression(e, &place)?)
                    }
                    flowc_asl::WaitFor::Timestamp(TimestampField::Jsonata(e)) => {
                        WaitFor::TimestampExpression(expression(e, &place)?)
                    }
                };
                push_transition(&mut fields, &wait.transition, following, last);
                StateKind::Wait {
                    wait_for: sp(wait_for),
                }
            }
            AslKind::Succeed => StateKind::Succeed,
            AslKind::Fail(fail) => StateKind::Fail {
                error: fail.error.as_ref().map(|t| sp(fail_text(t))),
                cause: fail.cause.as_ref().map(|t| sp(fail_text(t))),
            },
            AslKind::Parallel(parallel) => {
                if let Some(arguments) = &parallel.arguments {
                    push(&mut fields, Field::Arguments(arguments.to_json()));
                }
                for branch in &parallel.branches {
                    let states = self.branch(branch, &place)?;
                    fields.push(sp(Field::Branch(states)));
                }
                push_template(&mut fields, Field::Parameters, &parallel.parameters);
                push_template(
                    &mut fields,
                    Field::ResultSelector,
                    &parallel.result_selector,
                );
                push_result_path(&mut fields, &parallel.result_path);
                push_retry_catch(&mut fields, &parallel.retry, &parallel.catch);
                push_transition(&mut fields, &parallel.transition, following, last);
                StateKind::Parallel
            }
            AslKind::Map(map) => {
                let config = map.item_processor.processor_config.as_ref().map(|c| {
                    let mut object = serde_json::Map::new();
                    if let Some(mode) = c.mode {
                        object.insert("Mode".to_string(), mode.as_str().into());
                    }
                    if let Some(t) = c.execution_type {
                        object.insert("ExecutionType".to_string(), t.as_str().into());
                    }
                    sp(serde_json::Value::Object(object))
                });
                let states = self.branch(&map.item_processor.branch, &place)?;
                fields.push(sp(Field::Process(Process {
                    config,
                    states,
                    legacy_iterator: map.item_processor.is_legacy_iterator,
                })));
                // The Distributed Map objects are written as their ASL JSON: emit's own
                // rendering of the state, so every ReaderConfig / WriterConfig field survives.
                let written = flowc_asl::state_json(state);
                for (key, make) in [
                    (
                        "ItemReader",
                        Field::ItemReader as fn(serde_json::Value) -> Field,
                    ),
                    ("ItemBatcher", Field::ItemBatcher),
                    ("ResultWriter", Field::ResultWriter),
                ] {
                    if let Some(value) = written.get(key) {
                        fields.push(sp(make(value.clone())));
                    }
                }
                if let Some(label) = &map.label {
                    fields.push(sp(Field::Label(label.clone())));
                }
                let selector = if map.selector_is_legacy_parameters {
                    Field::Parameters
                } else {
                    Field::ItemSelector
                };
                match &map.item_selector {
                    Some(flowc_asl::Payload::Jsonata(value)) => {
                        push(&mut fields, selector(value.to_json()));
                    }
                    Some(flowc_asl::Payload::Template(t)) => {
                        push_template(&mut fields, selector, &Some(t.clone()));
                    }
                    None => {}
                }
                if let Some(n) = &map.max_concurrency {
                    fields.push(sp(Field::MaxConcurrency(number_or_path(n, &place)?)));
                }
                match &map.tolerated_failure_percentage {
                    Some(NumberField::Value(p)) => {
                        fields.push(sp(Field::ToleratedFailurePercentage(NumberOrPath::Number(
                            Number(p.to_string()),
                        ))))
                    }
                    Some(NumberField::Path(p)) => fields.push(sp(
                        Field::ToleratedFailurePercentage(NumberOrPath::Path(text(p.as_str()))),
                    )),
                    Some(NumberField::Jsonata(e)) => {
                        fields.push(sp(Field::ToleratedFailurePercentage(
                            NumberOrPath::Expression(expression(e, &place)?),
                        )))
                    }
                    None => {}
                }
                if let Some(n) = &map.tolerated_failure_count {
                    fields.push(sp(Field::ToleratedFailureCount(number_or_path(n, &place)?)));
                }
                push_template(&mut fields, Field::ResultSelector, &map.result_selector);
                push_result_path(&mut fields, &map.result_path);
                push_retry_catch(&mut fields, &map.retry, &map.catch);
                push_transition(&mut fields, &map.transition, following, last);
                StateKind::Map {
                    items_path: map.items_path.as_ref().map(|p| sp(text(p.as_str()))),
                    items: map.items.as_ref().map(|i| sp(i.to_json())),
                }
            }
        };
        if let Some(p) = &state.output_path {
            fields.push(sp(Field::OutputPath(path_or_null(p))));
        }
        if let Some(output) = &state.output {
            fields.push(sp(Field::Output(output.to_json())));
        }
        if let Some(assign) = &state.assign {
            fields.push(sp(Field::Assign(assign.to_json())));
        }
        Ok(State {
            name: sp(state.name.as_str().to_string()),
            kind,
            fields,
            span: Span::default(),
        })
    }

    fn branch(&mut self, branch: &Branch, place: &str) -> Result<Vec<State>, DecompileError> {
        if branch.comment.is_some() || branch.query_language.is_some() {
            return Err(unsupported("a branch Comment / QueryLanguage", place));
        }
        self.block(&branch.start_at, &branch.states)
    }

    /// Lambda function ARNs and `${name}` placeholders become resource declarations; any
    /// other Resource is written in place.
    fn resource(&mut self, arn: &str) -> ResourceRef {
        if let Some(name) = arn
            .strip_prefix("${")
            .and_then(|rest| rest.strip_suffix('}'))
            && is_identifier(name)
        {
            self.resources
                .insert(name.to_string(), (name.replace('_', "-"), None));
            return ResourceRef::Named(name.to_string());
        }
        let Some(function) = lambda_function_name(arn) else {
            return ResourceRef::Arn(arn.to_string());
        };
        let base = resource_name(function);
        let mut name = base.clone();
        let mut counter = 2;
        loop {
            match self.resources.get(&name) {
                Some((_, Some(bound))) if bound == arn => break,
                None => {
                    self.resources
                        .insert(name.clone(), (function.to_string(), Some(arn.to_string())));
                    break;
                }
                Some(_) => {
                    name = format!("{base}_{counter}");
                    counter += 1;
                }
            }
        }
        ResourceRef::Named(name)
    }
}

fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` -> NAME.
fn lambda_function_name(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", _, "lambda", _, _, "function", name, ..] if !name.is_empty() => Some(name),
        _ => None,
    }
}

fn resource_name(function: &str) -> String {
    let mut name: String = function
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert_str(0, "fn_");
    }
    name
}

/// A path written bare in `.flow`. Whitespace around it is dropped: Jayway trims it, so
/// `"$.a "` and `"$.a"` are the same path, and `.flow` has no way to write a bare path that
/// ends in a blank. The compiled JSON then has `"$.a"` where the definition had `"$.a "`: the
/// one place where a round trip is equal in meaning but not in text.
fn text(path: &str) -> PathText {
    PathText(path.trim().to_string())
}

fn path_or_null<P: std::fmt::Display>(p: &AslPathOrNull<P>) -> PathOrNull {
    match p {
        AslPathOrNull::Path(path) => PathOrNull::Path(text(&path.to_string())),
        AslPathOrNull::Null => PathOrNull::Null,
    }
}

fn push_template(
    fields: &mut Vec<Spanned<Field>>,
    make: fn(serde_json::Value) -> Field,
    template: &Option<flowc_asl::Template>,
) {
    if let Some(t) = template {
        fields.push(sp(make(t.to_json())));
    }
}

fn push_result_path(fields: &mut Vec<Spanned<Field>>, result_path: &Option<flowc_asl::ResultPath>) {
    if let Some(p) = result_path {
        fields.push(sp(Field::ResultPath(path_or_null(p))));
    }
}

fn push_transition(
    fields: &mut Vec<Spanned<Field>>,
    transition: &Transition,
    following: Option<&StateName>,
    last: bool,
) {
    match transition {
        Transition::Next(next) if Some(next) == following => {}
        Transition::Next(next) => fields.push(sp(Field::Next(sp(next.as_str().to_string())))),
        Transition::End if last => {}
        Transition::End => fields.push(sp(Field::End)),
    }
}

fn push_retry_catch(fields: &mut Vec<Spanned<Field>>, retry: &[Retrier], catch: &[Catcher]) {
    for r in retry {
        fields.push(sp(Field::Retry(Retry::Inline(RetryRule {
            errors: r
                .error_equals
                .iter()
                .map(|e| sp(e.as_str().to_string()))
                .collect(),
            every: r.interval_seconds.map(|s| sp(duration(s))),
            attempts: r.max_attempts.map(|n| sp(Number(n.to_string()))),
            backoff: r.backoff_rate.as_ref().map(|b| sp(Number(b.to_string()))),
            max_delay: r.max_delay_seconds.map(|s| sp(duration(s))),
            jitter: r.jitter_strategy.map(|j| {
                sp(match j {
                    flowc_asl::JitterStrategy::Full => Jitter::Full,
                    flowc_asl::JitterStrategy::None => Jitter::None,
                })
            }),
            comment: r.comment.as_ref().map(|c| sp(c.clone())),
            span: Span::default(),
        }))));
    }
    for c in catch {
        fields.push(sp(Field::Catch(Catch {
            assign: c.assign.as_ref().map(|a| sp(a.to_json())),
            output: c.output.as_ref().map(|o| sp(o.to_json())),
            errors: c
                .error_equals
                .iter()
                .map(|e| sp(e.as_str().to_string()))
                .collect(),
            result_path: c.result_path.as_ref().map(|p| sp(path_or_null(p))),
            comment: c.comment.as_ref().map(|text| sp(text.clone())),
            target: sp(c.next.as_str().to_string()),
        })));
    }
}

fn duration(seconds: u64) -> Duration {
    let (amount, unit) = match seconds {
        0 => (0, TimeUnit::Seconds),
        s if s % 86_400 == 0 => (s / 86_400, TimeUnit::Days),
        s if s % 3_600 == 0 => (s / 3_600, TimeUnit::Hours),
        s if s % 60 == 0 && s >= 600 => (s / 60, TimeUnit::Minutes),
        s => (s, TimeUnit::Seconds),
    };
    Duration {
        amount: Number(amount.to_string()),
        unit,
    }
}

fn duration_or_path(field: &IntegerField, place: &str) -> Result<DurationOrPath, DecompileError> {
    match field {
        IntegerField::Value(s) => Ok(DurationOrPath::Duration(duration(*s))),
        IntegerField::Path(p) => Ok(DurationOrPath::Path(text(p.as_str()))),
        IntegerField::Jsonata(e) => Ok(DurationOrPath::Expression(expression(e, place)?)),
    }
}

fn number_or_path(field: &IntegerField, place: &str) -> Result<NumberOrPath, DecompileError> {
    match field {
        IntegerField::Value(n) => Ok(NumberOrPath::Number(Number(n.to_string()))),
        IntegerField::Path(p) => Ok(NumberOrPath::Path(text(p.as_str()))),
        IntegerField::Jsonata(e) => Ok(NumberOrPath::Expression(expression(e, place)?)),
    }
}

/// A `{% %}` string of a field `.flow` writes as a bare expression (`timeout {% ... %}`): only
/// one that reads back as itself (no space outside the delimiters, no `%}` inside).
fn expression(string: &JsonataString, place: &str) -> Result<Expression, DecompileError> {
    let written = string.written();
    if crate::fmt::bare_expression(written) {
        Ok(Expression(written.to_string()))
    } else {
        Err(unsupported(
            "an expression with text outside `{% %}` or `%}` inside, in a field that takes a bare expression",
            place,
        ))
    }
}

fn language_word(language: flowc_asl::QueryLanguage) -> QueryLanguage {
    match language {
        flowc_asl::QueryLanguage::JsonPath => QueryLanguage::JsonPath,
        flowc_asl::QueryLanguage::Jsonata => QueryLanguage::Jsonata,
    }
}

/// Rust prints whole floats without a fraction (`2`), others shortest round-trip (`1.5`).
fn fail_text(field: &TextField) -> FailText {
    match field {
        TextField::Value(s) => FailText::Literal(s.clone()),
        TextField::Path(p) => FailText::Path(text(p.as_str())),
        TextField::Intrinsic(call) => FailText::Intrinsic(call.as_str().to_string()),
        // A JSONata state reads a string holding `{% %}` as an expression either way.
        TextField::Jsonata(string) if crate::fmt::bare_expression(string.written()) => {
            FailText::Expression(Expression(string.written().to_string()))
        }
        TextField::Jsonata(string) => FailText::Literal(string.written().to_string()),
    }
}

fn choice_rule(
    rule: &ChoiceRule,
    place: &str,
) -> Result<flowc_dsl::ast::ChoiceRule, DecompileError> {
    Ok(flowc_dsl::ast::ChoiceRule {
        condition: sp(condition(&rule.condition, place)?),
        comment: rule.comment.as_ref().map(|text| sp(text.clone())),
        assign: rule.assign.as_ref().map(|a| sp(a.to_json())),
        output: rule.output.as_ref().map(|o| sp(o.to_json())),
        target: sp(rule.next.as_str().to_string()),
    })
}

/// A Choice rule's condition as `.flow` writes it (`$.status == "healthy"`, `{% $ok %}`):
/// what coverage reports and `flowc graph` labels edges with. `None` for a rule `.flow` cannot
/// say, which no loaded machine has.
pub(crate) fn condition_text(c: &AslCondition) -> Option<String> {
    condition(c, "").ok().map(|c| crate::fmt::condition(&c, 0))
}

fn condition(c: &AslCondition, place: &str) -> Result<Condition, DecompileError> {
    let all = |parts: &[AslCondition]| -> Result<Vec<Spanned<Condition>>, DecompileError> {
        parts.iter().map(|p| condition(p, place).map(sp)).collect()
    };
    Ok(match c {
        AslCondition::And(parts) => Condition::And(all(parts)?),
        AslCondition::Or(parts) => Condition::Or(all(parts)?),
        AslCondition::Not(inner) => Condition::Not(Box::new(sp(condition(inner, place)?))),
        AslCondition::Jsonata(e) => Condition::Expression(expression(e, place)?),
        AslCondition::Commented {
            comment,
            condition: inner,
        } => Condition::Commented {
            condition: Box::new(sp(condition(inner, place)?)),
            comment: sp(comment.clone()),
        },
        AslCondition::Compare(cmp) => {
            let path = sp(text(cmp.variable.as_str()));
            let test = match cmp.operator {
                Operator::IsPresent => Some(TypeTest::Present),
                Operator::IsNull => Some(TypeTest::Null),
                Operator::IsString => Some(TypeTest::String),
                Operator::IsNumeric => Some(TypeTest::Numeric),
                Operator::IsBoolean => Some(TypeTest::Boolean),
                Operator::IsTimestamp => Some(TypeTest::Timestamp),
                _ => None,
            };
            if let Some(test) = test {
                let AslOperand::Bool(value) = cmp.operand else {
                    return Err(unsupported("an Is* test without a boolean", place));
                };
                return Ok(Condition::Is {
                    path,
                    negated: !value,
                    test,
                });
            }
            if cmp.operator == Operator::StringMatches {
                let AslOperand::String(pattern) = &cmp.operand else {
                    return Err(unsupported("StringMatches without a string", place));
                };
                return Ok(Condition::Matches {
                    path,
                    pattern: sp(pattern.clone()),
                });
            }
            let op = compare_op(cmp.operator);
            let family = match cmp.operator.family() {
                OperandFamily::String => OperandType::String,
                OperandFamily::Number => OperandType::Number,
                OperandFamily::Bool => OperandType::Boolean,
                OperandFamily::Timestamp | OperandFamily::Test => OperandType::Timestamp,
            };
            let operand = match &cmp.operand {
                AslOperand::String(s) => Operand::String(s.clone()),
                AslOperand::Number(n) => Operand::Number(Number(n.to_string())),
                AslOperand::Bool(b) => Operand::Bool(*b),
                AslOperand::Timestamp(t) => Operand::Timestamp(t.clone()),
                AslOperand::Path(p) => Operand::Path(family, text(p.as_str())),
            };
            Condition::Compare {
                left: path,
                op,
                right: sp(operand),
            }
        }
    })
}

fn compare_op(operator: Operator) -> CompareOp {
    use Operator::*;
    match operator {
        StringLessThan | NumericLessThan | TimestampLessThan => CompareOp::Lt,
        StringLessThanEquals | NumericLessThanEquals | TimestampLessThanEquals => CompareOp::Le,
        StringGreaterThan | NumericGreaterThan | TimestampGreaterThan => CompareOp::Gt,
        StringGreaterThanEquals | NumericGreaterThanEquals | TimestampGreaterThanEquals => {
            CompareOp::Ge
        }
        _ => CompareOp::Eq,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::lower::compile;

    /// Decompile, compile with the returned bindings, compare as JSON.
    fn round_trips(definition: &serde_json::Value) -> Result<bool, String> {
        let machine = flowc_asl::load_value(definition).map_err(|e| format!("load: {e:?}"))?;
        let decompiled = decompile(&machine).map_err(|e| e.to_string())?;
        // The decompiler prints canonical text: formatting it changes nothing.
        let formatted =
            crate::fmt::format_source(&decompiled.text).map_err(|e| format!("{e:?}"))?;
        if formatted != decompiled.text {
            return Err(format!(
                "decompiled text is not canonical:\n{}",
                decompiled.text
            ));
        }
        let lowered = compile(&decompiled.text, &crate::lower::Bindings::new())
            .map_err(|e| format!("{e:?}\n{}", decompiled.text))?;
        let back: serde_json::Value =
            serde_json::from_str(&flowc_asl::emit(&lowered.machine)).unwrap();
        Ok(&back == definition)
    }

    #[test]
    fn seed_round_trips_with_its_arns_bound_back() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../docs/seed/tenant-provisioning.seed.asl.json"
        );
        let text = std::fs::read_to_string(path).expect("the seed ASL (docs/seed) is missing");
        let seed: serde_json::Value = serde_json::from_str(&text).unwrap();
        let machine = flowc_asl::load_value(&seed).unwrap();
        let decompiled = decompile(&machine).unwrap();
        assert!(
            decompiled
                .text
                .contains("resource tenant_provisioning = \"arn:aws:lambda:")
        );
        assert!(
            !decompiled.text.contains("next "),
            "the seed's order implies every transition"
        );
        assert_eq!(round_trips(&seed), Ok(true));
    }

    #[test]
    fn placeholders_decompile_to_resources() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../workflows/tenant_provisioning.asl.json"),
        )
        .unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let decompiled = decompile(&flowc_asl::load_value(&value).unwrap()).unwrap();
        assert!(
            decompiled
                .text
                .contains("check CheckBackendHealth = status_checker")
        );
        assert_eq!(round_trips(&value), Ok(true));
    }

    /// Whether a definition uses JSONata or Variables: a `QueryLanguage` field anywhere
    /// (JSONata states, or JSONPath written out) or `Assign`, keys that appear nowhere else in
    /// ASL. Counted apart, so the figure for each mode is printed.
    fn uses_query_language_or_variables(text: &str) -> bool {
        text.contains("\"QueryLanguage\"") || text.contains("\"Assign\"")
    }

    /// Every definition of the conformance cases (JSONPath, JSONata and Variables alike), the
    /// compiler's corpus and the workflows decompiles and compiles back to equal JSON: all of
    /// them, no floor.
    #[test]
    fn every_definition_round_trips() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut definitions = Vec::new();
        let cases = format!("{root}/conformance/asl/cases");
        for entry in std::fs::read_dir(&cases).expect("conformance/asl/cases is missing") {
            let path = entry.unwrap().path();
            let case: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let text = match case.get("definition") {
                Some(serde_json::Value::String(text)) => text.clone(),
                Some(value) => value.to_string(),
                None => continue,
            };
            definitions.push((path, text));
        }
        for dir in ["compiler/tests/corpus/ok", "workflows"] {
            for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
                let path = entry.unwrap().path();
                if path.to_string_lossy().ends_with(".asl.json") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    definitions.push((path, text));
                }
            }
        }
        let (mut total, mut ok, mut jsonata) = (0, 0, 0);
        let mut failures = Vec::new();
        for (path, text) in definitions {
            if uses_query_language_or_variables(&text) {
                jsonata += 1;
            }
            let definition: serde_json::Value = serde_json::from_str(&text).unwrap();
            total += 1;
            match round_trips(&definition) {
                Ok(true) => ok += 1,
                Ok(false) => failures.push(format!("{}: JSON differs", path.display())),
                Err(reason) => failures.push(format!(
                    "{}: {}",
                    path.display(),
                    reason.lines().next().unwrap_or("")
                )),
            }
        }
        eprintln!(
            "{ok}/{total} definitions round-trip ({jsonata} of them use QueryLanguage or Variables)"
        );
        assert!(total >= 300, "only {total} definitions found");
        assert!(
            jsonata >= 40,
            "only {jsonata} JSONata / Variables definitions found"
        );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn unsupported_fields_are_reported_not_dropped() {
        let definition = serde_json::json!({
            "StartAt": "P",
            "States": { "P": { "Type": "Parallel", "Branches": [
                { "Comment": "a branch's own comment", "StartAt": "A", "States": { "A": { "Type": "Succeed" } } }
            ], "End": true } }
        });
        let machine = flowc_asl::load_value(&definition).unwrap();
        assert!(matches!(
            decompile(&machine),
            Err(DecompileError::Unsupported { .. })
        ));
    }

    /// The compiled tenant workflow decompiles to the shapes its `.flow` is written in (the two
    /// polls, its two retry policies, the written order) and compiles back byte for byte.
    #[test]
    fn compiled_workflow_decompiles_to_polls_and_policies_and_compiles_back_byte_for_byte() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../workflows/tenant_provisioning.asl.json"),
        )
        .unwrap();
        let machine = flowc_asl::load(&text, "tenant_provisioning.asl.json")
            .unwrap()
            .machine;
        let decompiled = decompile(&machine).unwrap();
        for shape in [
            "poll BackendHealth every 60s at most 15 times {",
            "poll FrontendHealth every 60s at most 15 times {",
            "exhausted -> BackendNeverHealthy",
            "retry policy lambda_errors",
            // Tenant.AwsTransient and Tenant.DatabaseTransient: the source names it
            // action_transient, a name the ASL does not keep.
            "retry policy tenant_errors",
        ] {
            assert!(
                decompiled.text.contains(shape),
                "no `{shape}` in\n{}",
                decompiled.text
            );
        }
        assert_eq!(decompiled.text.matches("retry policy").count(), 2);
        assert!(!decompiled.text.contains("retry on"), "{}", decompiled.text);
        assert!(!decompiled.text.contains("BackendHealthCount"));
        let lowered = compile(&decompiled.text, &crate::lower::Bindings::new()).unwrap();
        assert_eq!(flowc_asl::emit(&lowered.machine), text);
    }

    /// What a poll lowers to, less one part, stays five states: a loop entered from outside
    /// at its Wait, or one counting with another increment, is not a `poll`.
    #[test]
    fn loops_that_are_not_exactly_a_poll_stay_states() {
        let machine = |entry: &str, increment: &str| {
            serde_json::json!({
                "StartAt": "Start",
                "States": {
                    "Start": { "Type": "Pass", "Next": entry },
                    "P": { "Type": "Pass", "Result": { "count": 0 }, "ResultPath": "$.polls.P", "Next": "W" },
                    "W": { "Type": "Wait", "Seconds": 5, "Next": "C" },
                    "C": { "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "PCount" },
                    "PCount": { "Type": "Pass", "Parameters": { "count.$": increment },
                                "ResultPath": "$.polls.P", "Next": "D" },
                    "D": { "Type": "Choice", "Choices": [
                        { "Variable": "$.done", "BooleanEquals": true, "Next": "Done" },
                        { "Variable": "$.polls.P.count", "NumericGreaterThanEquals": 3, "Next": "Done" }
                    ], "Default": "W" },
                    "Done": { "Type": "Succeed" }
                }
            })
        };
        let add = "States.MathAdd($.polls.P.count, 1)";
        for (definition, is_poll) in [
            (machine("P", add), true),
            (machine("W", add), false),
            (machine("P", "States.MathAdd($.polls.P.count, 2)"), false),
        ] {
            let decompiled = decompile(&flowc_asl::load_value(&definition).unwrap()).unwrap();
            assert_eq!(
                decompiled.text.contains("poll P every 5s at most 3 times"),
                is_poll,
                "{}",
                decompiled.text
            );
            assert_eq!(round_trips(&definition), Ok(true), "{}", decompiled.text);
        }
    }

    /// States written in reading order keep it when following the chains implies no more:
    /// here both orders write one `next`, and the definition's is kept.
    #[test]
    fn the_written_order_is_kept_when_it_implies_as_much() {
        let definition = serde_json::json!({
            "StartAt": "Route",
            "States": {
                "Route": { "Type": "Choice", "Choices": [
                    { "Variable": "$.fast", "BooleanEquals": true, "Next": "Fast" }
                ], "Default": "Slow" },
                "Fast": { "Type": "Pass", "Next": "Join" },
                "Slow": { "Type": "Wait", "Seconds": 60, "Next": "Join" },
                "Join": { "Type": "Succeed" }
            }
        });
        let decompiled = decompile(&flowc_asl::load_value(&definition).unwrap()).unwrap();
        let order: Vec<&str> = decompiled
            .text
            .lines()
            .filter_map(|l| l.split_whitespace().nth(1).filter(|_| !l.starts_with(' ')))
            .collect();
        assert_eq!(
            order,
            ["Route", "Fast", "Slow", "Join"],
            "{}",
            decompiled.text
        );
        assert_eq!(round_trips(&definition), Ok(true));
    }

    #[test]
    fn a_path_dot_flow_cannot_write_bare_is_named_in_the_refusal() {
        let definition = serde_json::json!({
            "StartAt": "A",
            "States": { "A": { "Type": "Pass", "InputPath": "$.a#b", "End": true } }
        });
        let refusal = decompile(&flowc_asl::load_value(&definition).unwrap()).unwrap_err();
        assert!(
            refusal.to_string().contains("`input_path $.a#b`"),
            "{refusal}"
        );
    }

    #[test]
    fn whitespace_around_a_bare_path_is_dropped_as_jayway_drops_it() {
        let written = |pad: &str| {
            serde_json::json!({
                "StartAt": "M",
                "States": {
                    "M": { "Type": "Pass", "InputPath": format!("$.a{pad}"),
                           "ResultPath": format!("{pad}$.b"), "Next": "C" },
                    "C": { "Type": "Choice", "Choices": [{ "Variable": format!("$$.Execution.Id{pad}"),
                           "IsPresent": true, "Next": "E" }], "Default": "E" },
                    "E": { "Type": "Succeed" }
                }
            })
        };
        let decompiled = decompile(&flowc_asl::load_value(&written(" ")).unwrap()).unwrap();
        let lowered = compile(&decompiled.text, &crate::lower::Bindings::new()).unwrap();
        let back: serde_json::Value =
            serde_json::from_str(&flowc_asl::emit(&lowered.machine)).unwrap();
        assert_eq!(back, written(""), "{}", decompiled.text);
    }

    #[test]
    fn out_of_order_states_get_explicit_transitions() {
        let definition = serde_json::json!({
            "StartAt": "B",
            "States": {
                "A": { "Type": "Pass", "End": true },
                "B": { "Type": "Pass", "Next": "C" },
                "C": { "Type": "Choice", "Choices": [{ "Variable": "$.x", "IsPresent": true, "Next": "A" }], "Default": "B" }
            }
        });
        let decompiled = decompile(&flowc_asl::load_value(&definition).unwrap()).unwrap();
        assert!(
            decompiled.text.starts_with("pass B\n"),
            "{}",
            decompiled.text
        );
        assert_eq!(round_trips(&definition), Ok(true));
    }
}
