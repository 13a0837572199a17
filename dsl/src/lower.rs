//! pest pairs -> typed AST. The grammar guarantees the shape of each pair; where a child the
//! grammar requires is missing anyway, [`malformed`] reports it as a syntax error instead of
//! panicking.

use pest::iterators::{Pair, Pairs};
use serde_json::Value;

use crate::ast::*;
use crate::error::ParseError;
use crate::parse::Rule;

type Result<T> = std::result::Result<T, ParseError>;

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let span = pair.as_span();
    Span::new(span.start(), span.end())
}

fn malformed(pair: &Pair<'_, Rule>, what: &str) -> ParseError {
    ParseError::Syntax {
        message: format!("malformed {what}"),
        label: format!("expected {what} here"),
        help: "see dsl/LANGUAGE.md for the syntax".to_string(),
        span: span_of(pair).into(),
    }
}

/// The first child with `rule`.
fn child<'i>(pair: &Pair<'i, Rule>, rule: Rule, what: &str) -> Result<Pair<'i, Rule>> {
    pair.clone()
        .into_inner()
        .find(|p| p.as_rule() == rule)
        .ok_or_else(|| malformed(pair, what))
}

fn has_child(pair: &Pair<'_, Rule>, rule: Rule) -> bool {
    pair.clone().into_inner().any(|p| p.as_rule() == rule)
}

/// The child after the leading keyword: the VALUE of `keyword VALUE`.
fn value_child<'i>(pair: &Pair<'i, Rule>, what: &str) -> Result<Pair<'i, Rule>> {
    pair.clone()
        .into_inner()
        .nth(1)
        .ok_or_else(|| malformed(pair, what))
}

pub(crate) fn file(mut pairs: Pairs<'_, Rule>) -> Result<Workflow> {
    let mut workflow = Workflow::default();
    let Some(file) = pairs.next() else {
        return Ok(workflow);
    };
    for pair in file.into_inner() {
        let span = span_of(&pair);
        let item = match pair.as_rule() {
            Rule::machine_comment => Item::Comment(Spanned::new(
                string(&child(&pair, Rule::string, "a string")?)?,
                span,
            )),
            Rule::machine_version => Item::Version(Spanned::new(
                string(&child(&pair, Rule::string, "a string")?)?,
                span,
            )),
            Rule::machine_timeout => {
                let d = child(&pair, Rule::duration, "a duration")?;
                Item::Timeout(Spanned::new(duration(&d)?, span_of(&d)))
            }
            Rule::machine_query_language => {
                let l = child(&pair, Rule::language, "jsonata or jsonpath")?;
                Item::QueryLanguage(Spanned::new(language(&l)?, span))
            }
            Rule::resource_decl => Item::Resource(resource_decl(&pair)?),
            Rule::retry_policy => Item::RetryPolicy(RetryPolicyDecl {
                name: name_of(&child(&pair, Rule::name, "a policy name")?),
                rule: retry_rule(&child(&pair, Rule::retry_rule, "a retry rule")?)?,
                span,
            }),
            Rule::state => Item::State(state(&pair)?),
            _ => continue,
        };
        workflow.items.push(item);
    }
    Ok(workflow)
}

fn resource_decl(pair: &Pair<'_, Rule>) -> Result<ResourceDecl> {
    let name = name_of(&child(pair, Rule::name, "a resource name")?);
    let kind = if let Ok(lambda) = child(pair, Rule::lambda_resource, "a Lambda") {
        let s = child(&lambda, Rule::string, "a function name")?;
        ResourceKind::Lambda(Spanned::new(string(&s)?, span_of(&s)))
    } else {
        let s = child(pair, Rule::string, "an ARN string")?;
        ResourceKind::Arn(Spanned::new(string(&s)?, span_of(&s)))
    };
    Ok(ResourceDecl {
        name,
        kind,
        span: span_of(pair),
    })
}

fn language(pair: &Pair<'_, Rule>) -> Result<QueryLanguage> {
    match pair.clone().into_inner().next().map(|p| p.as_rule()) {
        Some(Rule::k_jsonata) => Ok(QueryLanguage::Jsonata),
        Some(Rule::k_jsonpath) => Ok(QueryLanguage::JsonPath),
        _ => Err(malformed(pair, "`jsonata` or `jsonpath`")),
    }
}

fn expression(pair: &Pair<'_, Rule>) -> Expression {
    Expression(pair.as_str().to_string())
}

fn name_of(pair: &Pair<'_, Rule>) -> Spanned<String> {
    Spanned::new(pair.as_str().to_string(), span_of(pair))
}

/// A `name | string` pair (state names, error names, resource references) as text.
fn name_or_string(pair: &Pair<'_, Rule>) -> Result<Spanned<String>> {
    let inner = pair
        .clone()
        .into_inner()
        .next()
        .ok_or_else(|| malformed(pair, "a name"))?;
    let text = match inner.as_rule() {
        Rule::string => string(&inner)?,
        _ => inner.as_str().to_string(),
    };
    Ok(Spanned::new(text, span_of(pair)))
}

pub(crate) fn string(pair: &Pair<'_, Rule>) -> Result<String> {
    let text = pair.as_str();
    // Most strings hold no escape and no control character: their value is the text between
    // the quotes, exactly what serde_json would decode.
    if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"'))
        && !inner.bytes().any(|b| b == b'\\' || b == b'"' || b < 0x20)
    {
        return Ok(inner.to_string());
    }
    serde_json::from_str::<String>(text).map_err(|e| ParseError::InvalidString {
        reason: e.to_string(),
        span: span_of(pair).into(),
    })
}

fn number(pair: &Pair<'_, Rule>) -> Result<Number> {
    // Validate now so later stages can rely on it converting to a JSON number.
    json_number(pair)?;
    Ok(Number(pair.as_str().to_string()))
}

fn json_number(pair: &Pair<'_, Rule>) -> Result<serde_json::Number> {
    serde_json::from_str::<serde_json::Number>(pair.as_str()).map_err(|_| {
        ParseError::InvalidNumber {
            text: pair.as_str().to_string(),
            span: span_of(pair).into(),
        }
    })
}

fn duration(pair: &Pair<'_, Rule>) -> Result<Duration> {
    let amount = number(&child(pair, Rule::number, "a number")?)?;
    let unit = match pair
        .clone()
        .into_inner()
        .find(|p| p.as_rule() == Rule::time_unit)
    {
        None => TimeUnit::Bare,
        Some(u) => match u.as_str() {
            "s" => TimeUnit::Seconds,
            "m" => TimeUnit::Minutes,
            "h" => TimeUnit::Hours,
            "d" => TimeUnit::Days,
            _ => return Err(malformed(&u, "a time unit")),
        },
    };
    Ok(Duration { amount, unit })
}

fn path(pair: &Pair<'_, Rule>) -> Spanned<PathText> {
    Spanned::new(PathText(pair.as_str().to_string()), span_of(pair))
}

fn path_or_null(pair: &Pair<'_, Rule>) -> Result<PathOrNull> {
    let value = value_child(pair, "a path or null")?;
    Ok(match value.as_rule() {
        Rule::k_null => PathOrNull::Null,
        _ => PathOrNull::Path(PathText(value.as_str().to_string())),
    })
}

fn duration_or_path(pair: &Pair<'_, Rule>) -> Result<DurationOrPath> {
    let value = value_child(pair, "a duration or path")?;
    Ok(match value.as_rule() {
        Rule::duration => DurationOrPath::Duration(duration(&value)?),
        Rule::jsonata => DurationOrPath::Expression(expression(&value)),
        _ => DurationOrPath::Path(PathText(value.as_str().to_string())),
    })
}

fn number_or_path(pair: &Pair<'_, Rule>) -> Result<NumberOrPath> {
    let value = value_child(pair, "a number or path")?;
    Ok(match value.as_rule() {
        Rule::number => NumberOrPath::Number(number(&value)?),
        Rule::jsonata => NumberOrPath::Expression(expression(&value)),
        _ => NumberOrPath::Path(PathText(value.as_str().to_string())),
    })
}

fn retry_rule(pair: &Pair<'_, Rule>) -> Result<RetryRule> {
    let mut rule = RetryRule {
        errors: Vec::new(),
        every: None,
        attempts: None,
        backoff: None,
        max_delay: None,
        jitter: None,
        comment: None,
        span: span_of(pair),
    };
    for part in pair.clone().into_inner() {
        match part.as_rule() {
            Rule::error_list => rule.errors = error_list(&part)?,
            Rule::retry_every => {
                let d = child(&part, Rule::duration, "a duration")?;
                rule.every = Some(Spanned::new(duration(&d)?, span_of(&d)));
            }
            Rule::retry_attempts => {
                let n = child(&part, Rule::number, "a number")?;
                rule.attempts = Some(Spanned::new(number(&n)?, span_of(&n)));
            }
            Rule::retry_backoff => {
                let n = child(&part, Rule::number, "a number")?;
                rule.backoff = Some(Spanned::new(number(&n)?, span_of(&n)));
            }
            Rule::retry_max_delay => {
                let d = child(&part, Rule::duration, "a duration")?;
                rule.max_delay = Some(Spanned::new(duration(&d)?, span_of(&d)));
            }
            Rule::retry_comment => {
                let s = child(&part, Rule::string, "a string")?;
                rule.comment = Some(Spanned::new(string(&s)?, span_of(&s)));
            }
            Rule::retry_jitter => {
                let jitter = if has_child(&part, Rule::k_full) {
                    Jitter::Full
                } else {
                    Jitter::None
                };
                rule.jitter = Some(Spanned::new(jitter, span_of(&part)));
            }
            _ => {}
        }
    }
    Ok(rule)
}

fn error_list(pair: &Pair<'_, Rule>) -> Result<Vec<Spanned<String>>> {
    pair.clone()
        .into_inner()
        .filter(|p| p.as_rule() == Rule::error_name)
        .map(|p| name_or_string(&p))
        .collect()
}

fn state(pair: &Pair<'_, Rule>) -> Result<State> {
    let inner = pair
        .clone()
        .into_inner()
        .next()
        .ok_or_else(|| malformed(pair, "a state"))?;
    let span = span_of(&inner);
    // One pass for the parts every kind may have; kind-specific parts are looked up below.
    let (mut name, mut fields, mut resource) = (None, Vec::new(), None);
    for part in inner.clone().into_inner() {
        match part.as_rule() {
            Rule::state_name if name.is_none() => name = Some(name_or_string(&part)?),
            Rule::body => fields = self::fields(&part)?,
            Rule::resource_ref => resource = Some(part),
            _ => {}
        }
    }
    let name = name.ok_or_else(|| malformed(&inner, "a state name"))?;
    let kind = match inner.as_rule() {
        Rule::task_state => task_kind(&resource.ok_or_else(|| malformed(&inner, "a resource"))?)?,
        Rule::pass_state => StateKind::Pass,
        Rule::choice_state => StateKind::Choice,
        Rule::wait_state => StateKind::Wait {
            wait_for: wait_for(&inner)?,
        },
        Rule::succeed_state => StateKind::Succeed,
        Rule::fail_state => {
            let text = |rule| -> Result<Option<Spanned<FailText>>> {
                match inner.clone().into_inner().find(|p| p.as_rule() == rule) {
                    Some(part) => {
                        let value = value_child(&part, "an error or cause")?;
                        Ok(Some(Spanned::new(fail_text(&value)?, span_of(&value))))
                    }
                    None => Ok(None),
                }
            };
            StateKind::Fail {
                error: text(Rule::fail_error)?,
                cause: text(Rule::fail_cause)?,
            }
        }
        Rule::parallel_state => StateKind::Parallel,
        Rule::map_state => {
            let (mut items_path, mut items) = (None, None);
            if let Some(over) = inner
                .clone()
                .into_inner()
                .find(|p| p.as_rule() == Rule::items_path)
            {
                let value = value_child(&over, "a path, an expression or an array")?;
                match value.as_rule() {
                    Rule::path => items_path = Some(path(&value)),
                    _ => items = Some(Spanned::new(json(&value)?, span_of(&value))),
                }
            }
            StateKind::Map { items_path, items }
        }
        Rule::poll_state => StateKind::Poll(Box::new(poll(&inner, &name)?)),
        _ => return Err(malformed(&inner, "a state")),
    };
    Ok(State {
        name,
        kind,
        fields,
        span,
    })
}

fn task_kind(reference: &Pair<'_, Rule>) -> Result<StateKind> {
    let inner = reference
        .clone()
        .into_inner()
        .next()
        .ok_or_else(|| malformed(reference, "a resource"))?;
    let resource = match inner.as_rule() {
        Rule::string => ResourceRef::Arn(string(&inner)?),
        _ => ResourceRef::Named(inner.as_str().to_string()),
    };
    Ok(StateKind::Task {
        resource: Spanned::new(resource, span_of(reference)),
    })
}

fn wait_for(pair: &Pair<'_, Rule>) -> Result<Spanned<WaitFor>> {
    for part in pair.clone().into_inner() {
        let span = span_of(&part);
        let wait_for =
            match part.as_rule() {
                Rule::wait_seconds => {
                    WaitFor::Seconds(duration(&child(&part, Rule::duration, "a duration")?)?)
                }
                Rule::wait_seconds_path => {
                    WaitFor::SecondsPath(path(&child(&part, Rule::path, "a path")?).node)
                }
                Rule::wait_timestamp => {
                    WaitFor::Timestamp(string(&child(&part, Rule::string, "a timestamp")?)?)
                }
                Rule::wait_timestamp_path => {
                    WaitFor::TimestampPath(path(&child(&part, Rule::path, "a path")?).node)
                }
                Rule::wait_seconds_expression => WaitFor::SecondsExpression(expression(&child(
                    &part,
                    Rule::jsonata,
                    "an expression",
                )?)),
                Rule::wait_timestamp_expression => WaitFor::TimestampExpression(expression(
                    &child(&part, Rule::jsonata, "an expression")?,
                )),
                _ => continue,
            };
        return Ok(Spanned::new(wait_for, span));
    }
    Err(malformed(pair, "`for` or `until`"))
}

fn fail_text(pair: &Pair<'_, Rule>) -> Result<FailText> {
    Ok(match pair.as_rule() {
        Rule::string => FailText::Literal(string(pair)?),
        Rule::intrinsic => FailText::Intrinsic(pair.as_str().to_string()),
        Rule::jsonata => FailText::Expression(expression(pair)),
        _ => FailText::Path(PathText(pair.as_str().to_string())),
    })
}

fn poll(pair: &Pair<'_, Rule>, name: &Spanned<String>) -> Result<Poll> {
    let every = child(pair, Rule::duration, "a duration")?;
    let at_most = child(pair, Rule::number, "a number")?;
    let mut wait = None;
    let mut check = None;
    let mut decide = None;
    let mut exhausted = None;
    let mut counter = None;
    let duplicate = |part: &'static str, p: &Pair<'_, Rule>| ParseError::DuplicatePollPart {
        poll: name.node.clone(),
        part,
        span: span_of(p).into(),
    };
    for part in pair.clone().into_inner() {
        match part.as_rule() {
            Rule::poll_wait => {
                if wait.is_some() {
                    return Err(duplicate("wait", &part));
                }
                wait = Some(name_or_string(&child(
                    &part,
                    Rule::state_name,
                    "a state name",
                )?)?);
            }
            Rule::poll_check => {
                if check.is_some() {
                    return Err(duplicate("check", &part));
                }
                let fields = match part
                    .clone()
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::body)
                {
                    Some(body) => fields(&body)?,
                    None => Vec::new(),
                };
                check = Some(State {
                    name: name_or_string(&child(&part, Rule::state_name, "a state name")?)?,
                    kind: task_kind(&child(&part, Rule::resource_ref, "a resource")?)?,
                    fields,
                    span: span_of(&part),
                });
            }
            Rule::poll_choice => {
                if decide.is_some() {
                    return Err(duplicate("choice", &part));
                }
                decide = Some(State {
                    name: name_or_string(&child(&part, Rule::state_name, "a state name")?)?,
                    kind: StateKind::Choice,
                    fields: fields(&child(&part, Rule::body, "`{`")?)?,
                    span: span_of(&part),
                });
            }
            Rule::poll_exhausted => {
                if exhausted.is_some() {
                    return Err(duplicate("exhausted", &part));
                }
                exhausted = Some(name_or_string(&child(
                    &part,
                    Rule::state_name,
                    "a state name",
                )?)?);
            }
            Rule::poll_counter => {
                if counter.is_some() {
                    return Err(duplicate("counter", &part));
                }
                counter = Some(path(&child(&part, Rule::path, "a path")?));
            }
            _ => {}
        }
    }
    let missing = |part: &'static str| ParseError::IncompletePoll {
        poll: name.node.clone(),
        part,
        span: name.span.into(),
    };
    Ok(Poll {
        every: Spanned::new(duration(&every)?, span_of(&every)),
        at_most: Spanned::new(number(&at_most)?, span_of(&at_most)),
        wait: wait.ok_or_else(|| missing("wait"))?,
        check: check.ok_or_else(|| missing("check"))?,
        decide: decide.ok_or_else(|| missing("choice"))?,
        exhausted: exhausted.ok_or_else(|| missing("exhausted"))?,
        counter,
    })
}

fn fields(body: &Pair<'_, Rule>) -> Result<Vec<Spanned<Field>>> {
    body.clone()
        .into_inner()
        .filter(|f| !matches!(f.as_rule(), Rule::open_brace | Rule::close_brace))
        .map(|f| Ok(Spanned::new(field(&f)?, span_of(&f))))
        .collect()
}

/// The string of a catch or when rule's `comment "..."`.
fn comment_of(rule_comment: &Pair<'_, Rule>) -> Result<Spanned<String>> {
    let s = child(rule_comment, Rule::string, "a string")?;
    Ok(Spanned::new(string(&s)?, span_of(&s)))
}

/// The JSON of a catch or when rule's `assign { ... }` / `output { ... }`.
fn rule_json(pair: &Pair<'_, Rule>) -> Result<Spanned<Value>> {
    let j = child(pair, Rule::json, "JSON")?;
    Ok(Spanned::new(json(&j)?, span_of(&j)))
}

fn states_in(pair: &Pair<'_, Rule>) -> Result<Vec<State>> {
    pair.clone()
        .into_inner()
        .filter(|p| p.as_rule() == Rule::state)
        .map(|p| state(&p))
        .collect()
}

fn field(pair: &Pair<'_, Rule>) -> Result<Field> {
    let json_of = |what| -> Result<Value> { json(&child(pair, Rule::json, what)?) };
    Ok(match pair.as_rule() {
        Rule::f_comment => Field::Comment(string(&child(pair, Rule::string, "a string")?)?),
        Rule::f_input_path => Field::InputPath(path_or_null(pair)?),
        Rule::f_output_path => Field::OutputPath(path_or_null(pair)?),
        Rule::f_result_path => Field::ResultPath(path_or_null(pair)?),
        Rule::f_parameters => Field::Parameters(json_of("JSON")?),
        Rule::f_result_selector => Field::ResultSelector(json_of("JSON")?),
        Rule::f_result => Field::Result(json_of("JSON")?),
        Rule::f_item_selector => Field::ItemSelector(json_of("JSON")?),
        Rule::f_timeout => Field::Timeout(duration_or_path(pair)?),
        Rule::f_heartbeat => Field::Heartbeat(duration_or_path(pair)?),
        Rule::f_retry => match pair
            .clone()
            .into_inner()
            .find(|p| p.as_rule() == Rule::retry_rule)
        {
            Some(rule) => Field::Retry(Retry::Inline(retry_rule(&rule)?)),
            None => Field::Retry(Retry::Policy(name_of(&child(
                pair,
                Rule::name,
                "a policy name",
            )?))),
        },
        Rule::f_catch => {
            // One pass over the children: each lookup by rule would walk them again.
            let (mut errors, mut result_path, mut comment, mut target) = (None, None, None, None);
            let (mut assign, mut output) = (None, None);
            for part in pair.clone().into_inner() {
                match part.as_rule() {
                    Rule::error_list => errors = Some(error_list(&part)?),
                    Rule::catch_into => {
                        result_path = Some(Spanned::new(path_or_null(&part)?, span_of(&part)));
                    }
                    Rule::rule_comment => comment = Some(comment_of(&part)?),
                    Rule::rule_assign => assign = Some(rule_json(&part)?),
                    Rule::rule_output => output = Some(rule_json(&part)?),
                    Rule::state_name => target = Some(name_or_string(&part)?),
                    _ => {}
                }
            }
            Field::Catch(Catch {
                errors: errors.ok_or_else(|| malformed(pair, "error names"))?,
                result_path,
                comment,
                assign,
                output,
                target: target.ok_or_else(|| malformed(pair, "a state name"))?,
            })
        }
        Rule::f_next => Field::Next(name_or_string(&child(
            pair,
            Rule::state_name,
            "a state name",
        )?)?),
        Rule::f_end => Field::End,
        Rule::f_when => {
            let (mut cond, mut comment, mut target) = (None, None, None);
            let (mut assign, mut output) = (None, None);
            for part in pair.clone().into_inner() {
                match part.as_rule() {
                    Rule::condition => {
                        cond = Some(Spanned::new(condition(&part)?, span_of(&part)));
                    }
                    Rule::jsonata => {
                        cond = Some(Spanned::new(
                            Condition::Expression(expression(&part)),
                            span_of(&part),
                        ));
                    }
                    Rule::rule_comment => comment = Some(comment_of(&part)?),
                    Rule::rule_assign => assign = Some(rule_json(&part)?),
                    Rule::rule_output => output = Some(rule_json(&part)?),
                    Rule::state_name => target = Some(name_or_string(&part)?),
                    _ => {}
                }
            }
            Field::When(ChoiceRule {
                condition: cond.ok_or_else(|| malformed(pair, "a condition"))?,
                comment,
                assign,
                output,
                target: target.ok_or_else(|| malformed(pair, "a state name"))?,
            })
        }
        Rule::f_otherwise => Field::Otherwise(name_or_string(&child(
            pair,
            Rule::state_name,
            "a state name",
        )?)?),
        Rule::f_branch => Field::Branch(states_in(pair)?),
        Rule::f_process => {
            let config = match pair
                .clone()
                .into_inner()
                .find(|p| p.as_rule() == Rule::process_config)
            {
                Some(c) => Some(Spanned::new(
                    json(&child(&c, Rule::json, "JSON")?)?,
                    span_of(&c),
                )),
                None => None,
            };
            Field::Process(Process {
                config,
                states: states_in(pair)?,
                legacy_iterator: false,
            })
        }
        Rule::f_iterator => Field::Process(Process {
            config: None,
            states: states_in(pair)?,
            legacy_iterator: true,
        }),
        Rule::f_item_reader => Field::ItemReader(json_of("JSON")?),
        Rule::f_item_batcher => Field::ItemBatcher(json_of("JSON")?),
        Rule::f_result_writer => Field::ResultWriter(json_of("JSON")?),
        Rule::f_label => Field::Label(string(&child(pair, Rule::string, "a string")?)?),
        Rule::f_max_concurrency => Field::MaxConcurrency(number_or_path(pair)?),
        Rule::f_tolerated_failure_percentage => {
            Field::ToleratedFailurePercentage(number_or_path(pair)?)
        }
        Rule::f_tolerated_failure_count => Field::ToleratedFailureCount(number_or_path(pair)?),
        Rule::f_query_language => {
            Field::QueryLanguage(language(&child(pair, Rule::language, "a language")?)?)
        }
        Rule::f_arguments => Field::Arguments(json_of("JSON")?),
        Rule::f_output => Field::Output(json_of("JSON")?),
        Rule::f_assign => Field::Assign(json_of("JSON")?),
        _ => return Err(malformed(pair, "a field")),
    })
}

fn condition(pair: &Pair<'_, Rule>) -> Result<Condition> {
    match pair.as_rule() {
        Rule::condition => joined(pair, Rule::and_cond, Condition::Or),
        Rule::and_cond => joined(pair, Rule::not_cond, Condition::And),
        Rule::not_cond => {
            let mut inner = pair.clone().into_inner();
            let first = inner.next().ok_or_else(|| malformed(pair, "a condition"))?;
            if first.as_rule() == Rule::k_not {
                let operand = inner.next().ok_or_else(|| malformed(pair, "a condition"))?;
                Ok(Condition::Not(Box::new(Spanned::new(
                    condition(&operand)?,
                    span_of(&operand),
                ))))
            } else {
                condition(&first)
            }
        }
        Rule::paren_cond => {
            let inner_pair = child(pair, Rule::condition, "a condition")?;
            let inner = condition(&inner_pair)?;
            match pair
                .clone()
                .into_inner()
                .find(|p| p.as_rule() == Rule::rule_comment)
            {
                Some(comment) => Ok(Condition::Commented {
                    condition: Box::new(Spanned::new(inner, span_of(&inner_pair))),
                    comment: comment_of(&comment)?,
                }),
                None => Ok(inner),
            }
        }
        Rule::all_cond => Ok(Condition::And(condition_list(pair)?)),
        Rule::any_cond => Ok(Condition::Or(condition_list(pair)?)),
        Rule::is_cond => {
            let test = child(pair, Rule::type_test, "a type test")?;
            let word = test
                .clone()
                .into_inner()
                .next()
                .ok_or_else(|| malformed(&test, "a type"))?;
            let test = match word.as_rule() {
                Rule::k_present => TypeTest::Present,
                Rule::k_null => TypeTest::Null,
                Rule::k_string => TypeTest::String,
                Rule::k_numeric => TypeTest::Numeric,
                Rule::k_boolean => TypeTest::Boolean,
                _ => TypeTest::Timestamp,
            };
            Ok(Condition::Is {
                path: path(&child(pair, Rule::path, "a path")?),
                negated: has_child(pair, Rule::k_not),
                test,
            })
        }
        Rule::matches_cond => {
            let pattern = child(pair, Rule::string, "a pattern")?;
            Ok(Condition::Matches {
                path: path(&child(pair, Rule::path, "a path")?),
                pattern: Spanned::new(string(&pattern)?, span_of(&pattern)),
            })
        }
        Rule::compare_cond => {
            let op = match child(pair, Rule::compare_op, "a comparison")?.as_str() {
                "==" => CompareOp::Eq,
                "!=" => CompareOp::Ne,
                "<" => CompareOp::Lt,
                "<=" => CompareOp::Le,
                ">" => CompareOp::Gt,
                _ => CompareOp::Ge,
            };
            let operand_pair = child(pair, Rule::operand, "a value")?;
            Ok(Condition::Compare {
                left: path(&child(pair, Rule::path, "a path")?),
                op,
                right: Spanned::new(operand(&operand_pair)?, span_of(&operand_pair)),
            })
        }
        _ => Err(malformed(pair, "a condition")),
    }
}

/// `a or b or c` / `a and b`: one operand stays itself, several become the n-ary node.
fn joined(
    pair: &Pair<'_, Rule>,
    part: Rule,
    make: fn(Vec<Spanned<Condition>>) -> Condition,
) -> Result<Condition> {
    let mut parts: Vec<Spanned<Condition>> = pair
        .clone()
        .into_inner()
        .filter(|p| p.as_rule() == part)
        .map(|p| Ok(Spanned::new(condition(&p)?, span_of(&p))))
        .collect::<Result<_>>()?;
    if parts.len() == 1
        && let Some(only) = parts.pop()
    {
        return Ok(only.node);
    }
    Ok(make(parts))
}

fn condition_list(pair: &Pair<'_, Rule>) -> Result<Vec<Spanned<Condition>>> {
    pair.clone()
        .into_inner()
        .filter(|p| p.as_rule() == Rule::condition)
        .map(|p| Ok(Spanned::new(condition(&p)?, span_of(&p))))
        .collect()
}

fn operand(pair: &Pair<'_, Rule>) -> Result<Operand> {
    let inner = pair
        .clone()
        .into_inner()
        .next()
        .ok_or_else(|| malformed(pair, "a value"))?;
    Ok(match inner.as_rule() {
        Rule::string => Operand::String(string(&inner)?),
        Rule::number => Operand::Number(number(&inner)?),
        Rule::k_true => Operand::Bool(true),
        Rule::k_false => Operand::Bool(false),
        Rule::timestamp_literal => {
            Operand::Timestamp(string(&child(&inner, Rule::string, "a timestamp")?)?)
        }
        Rule::typed_path => {
            let ty = child(&inner, Rule::operand_type, "a type")?;
            let word = ty
                .clone()
                .into_inner()
                .next()
                .ok_or_else(|| malformed(&ty, "a type"))?;
            let ty = match word.as_rule() {
                Rule::k_string => OperandType::String,
                Rule::k_number => OperandType::Number,
                Rule::k_boolean => OperandType::Boolean,
                _ => OperandType::Timestamp,
            };
            Operand::Path(ty, path(&child(&inner, Rule::path, "a path")?).node)
        }
        _ => return Err(malformed(pair, "a value")),
    })
}

pub(crate) fn json(pair: &Pair<'_, Rule>) -> Result<Value> {
    crate::json::decode(pair.as_str(), pair.as_span().start())
}
