//! JSONata and Variables in `.flow`: each `{% ... %}` is parsed in AWS's dialect by the ASL
//! model's own parser (`flowc_asl::jsonata`) where it is written, so a syntax error, a function
//! AWS does not offer or a read of `$` at the top level is pointed at inside the `.flow` text;
//! `assign` names follow the ASL model's rule (`flowc_asl::assign::name_problem`).
//!
//! The parser records where every expression was written (`Workflow::expressions`): a bare
//! `{% ... %}` is the source text itself, so an offset inside the expression is an offset in
//! the file; a JSON string holding one is, unless escapes make the two differ (then the whole
//! string is pointed at).

use std::collections::HashMap;

use flowc_asl::jsonata::{Expression, expression_text};
use flowc_asl::{Assign, JsonataString, JsonataValue, QueryLanguage};
use flowc_dsl::ast::{self, ExpressionSite, Span};
use serde_json::Value;

use super::error::ResolveError;
use super::values::{self, Errors};

/// The expressions written inside `within`, found by their text: the `nth` one written
/// `written` there (two equal expressions in one field are told apart by order).
fn site<'s>(
    sites: &'s [ExpressionSite],
    within: Span,
    written: &str,
    nth: usize,
) -> Option<&'s ExpressionSite> {
    // Sites are in source order: start at the first one inside `within`.
    let first = sites.partition_point(|s| s.span.start < within.start);
    sites
        .get(first..)?
        .iter()
        .take_while(|s| s.span.start < within.end)
        .filter(|s| s.written == written)
        .nth(nth)
}

/// Parses the expression of `written` (a `{% %}` string of field `field`, the `nth` such text in
/// `within`), reporting its problems at their place. True when it is one AWS accepts.
fn check(
    written: &str,
    field: &str,
    within: Span,
    nth: usize,
    sites: &[ExpressionSite],
    errors: &mut Errors,
) -> bool {
    let Some((offset, source)) = expression_text(written) else {
        return true;
    };
    let found = site(sites, within, written, nth);
    let at = |start: usize, end: usize| -> Span {
        match found {
            Some(ExpressionSite {
                verbatim_at: Some(base),
                ..
            }) => Span::new(base + offset + start, base + offset + end),
            Some(site) => site.span,
            None => within,
        }
    };
    match Expression::parse(source) {
        Ok(expression) => {
            let Some(read) = expression.root_context_reads().first() else {
                return true;
            };
            errors.push(ResolveError::JsonataContext {
                field: field.to_string(),
                text: source.get(read.start..read.end).unwrap_or("$").to_string(),
                span: at(read.start, read.end).into(),
            });
            false
        }
        Err(error) => {
            let span = match error.span {
                Some(s) => at(s.start, s.end.max(s.start + 1)),
                None => at(0, source.len()),
            };
            errors.push(match error.rule {
                Some(rule) => ResolveError::JsonataDialect {
                    field: field.to_string(),
                    message: error.message,
                    help: rule.help(),
                    span: span.into(),
                },
                None => ResolveError::JsonataSyntax {
                    field: field.to_string(),
                    code: error.code,
                    message: error.message,
                    span: span.into(),
                },
            });
            false
        }
    }
}

/// A JSONata field's JSON (Arguments, Output, Items, ItemSelector, an Assign value): every
/// expression inside checked; the value when all are good.
pub(crate) fn value(
    value: &Value,
    field: &str,
    span: Span,
    sites: &[ExpressionSite],
    errors: &mut Errors,
) -> Option<JsonataValue> {
    let mut good = true;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut strings = Vec::new();
    collect_strings(value, field.to_string(), &mut strings);
    for (path, text) in strings {
        let nth = seen.entry(text).or_default();
        good &= check(text, &path, span, *nth, sites, errors);
        *nth += 1;
    }
    if !good {
        return None;
    }
    // Every expression parsed above: building the tree parses them again and cannot fail.
    JsonataValue::from_json(field, value).ok()
}

/// The `{% %}` strings of `value` in written order, with their field paths as AWS writes them
/// (`Output/result[0]`).
fn collect_strings<'v>(value: &'v Value, path: String, out: &mut Vec<(String, &'v str)>) {
    match value {
        Value::String(text) if expression_text(text).is_some() => out.push((path, text)),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                collect_strings(item, format!("{path}[{index}]"), out);
            }
        }
        Value::Object(members) => {
            for (key, item) in members {
                collect_strings(item, format!("{path}/{key}"), out);
            }
        }
        _ => {}
    }
}

/// A scalar field written as an expression (`timeout {% ... %}`, a Condition, ...).
pub(crate) fn string(
    expression: &ast::Expression,
    field: &str,
    span: Span,
    sites: &[ExpressionSite],
    errors: &mut Errors,
) -> Option<JsonataString> {
    if !check(&expression.0, field, span, 0, sites, errors) {
        return None;
    }
    JsonataString::parse(&expression.0).ok().flatten()
}

/// `assign { ... }` of a state or a rule: a template in JSONPath (`"name.$": "$.path"`), JSON
/// with expressions in JSONata. Names follow AWS's identifier rules.
pub(crate) fn assign(
    value: &Value,
    language: QueryLanguage,
    span: Span,
    sites: &[ExpressionSite],
    errors: &mut Errors,
) -> Option<Assign> {
    let Value::Object(members) = value else {
        errors.push(ResolveError::InvalidVariableName {
            name: values::short(value),
            help:
                "`assign` takes an object of variable names and values: `assign { \"total\": 0 }`"
                    .to_string(),
            span: span.into(),
        });
        return None;
    };
    let before = errors.0.len();
    for key in members.keys() {
        let name = match language {
            QueryLanguage::JsonPath => key.strip_suffix(".$").unwrap_or(key),
            QueryLanguage::Jsonata => key,
        };
        if let Some(help) = flowc_asl::assign::name_problem(name) {
            errors.push(ResolveError::InvalidVariableName {
                name: name.to_string(),
                help,
                span: span.into(),
            });
        }
    }
    if errors.0.len() > before {
        return None;
    }
    match language {
        QueryLanguage::JsonPath => {
            values::template(value, &values::JsonSite::new(None, span), errors)
                .map(Assign::JsonPath)
        }
        QueryLanguage::Jsonata => {
            let mut out = Vec::with_capacity(members.len());
            for (name, item) in members {
                out.push((
                    name.clone(),
                    self::value(item, &format!("Assign/{name}"), span, sites, errors),
                ));
            }
            out.into_iter()
                .map(|(name, item)| item.map(|item| (name, item)))
                .collect::<Option<Vec<_>>>()
                .map(Assign::Jsonata)
        }
    }
}

/// Why a field cannot be written in a state of `language`, as help; `None` when it can.
pub(crate) fn language_problem(
    field: &ast::Field,
    language: QueryLanguage,
) -> Option<&'static str> {
    use ast::Field as F;
    match language {
        QueryLanguage::Jsonata => match field {
            F::InputPath(_) | F::OutputPath(_) | F::ResultPath(_) | F::ResultSelector(_) => Some(
                "a JSONata state reads its input as `$states.input` and shapes its output with `output { ... }`; paths belong to JSONPath states",
            ),
            F::Parameters(_) => Some(
                "in a JSONata state, write `arguments { ... }` (a Map's items: `item_selector`)",
            ),
            F::Result(_) => {
                Some("in a JSONata state, a pass gives its value with `output { ... }`")
            }
            F::Timeout(ast::DurationOrPath::Path(_))
            | F::Heartbeat(ast::DurationOrPath::Path(_))
            | F::MaxConcurrency(ast::NumberOrPath::Path(_))
            | F::ToleratedFailureCount(ast::NumberOrPath::Path(_))
            | F::ToleratedFailurePercentage(ast::NumberOrPath::Path(_)) => Some(
                "in a JSONata state, read the value with an expression: `{% $states.input.seconds %}`",
            ),
            F::Catch(ast::Catch {
                result_path: Some(_),
                ..
            }) => Some(
                "a JSONata catcher has no `into`: its `output { ... }` reads the error as `$states.errorOutput`",
            ),
            F::When(rule) if !matches!(rule.condition.node, ast::Condition::Expression(_)) => Some(
                "in a JSONata choice, a rule's condition is an expression: `when {% $states.input.n > 3 %} -> Next`",
            ),
            _ => None,
        },
        QueryLanguage::JsonPath => match field {
            F::Arguments(_) | F::Output(_) => Some(
                "`arguments` and `output` are JSONata fields: add `query_language jsonata` to the state (or the file)",
            ),
            F::Timeout(ast::DurationOrPath::Expression(_))
            | F::Heartbeat(ast::DurationOrPath::Expression(_))
            | F::MaxConcurrency(ast::NumberOrPath::Expression(_))
            | F::ToleratedFailureCount(ast::NumberOrPath::Expression(_))
            | F::ToleratedFailurePercentage(ast::NumberOrPath::Expression(_)) => Some(
                "an expression needs `query_language jsonata`; in JSONPath, read a value with a path (`timeout $.seconds`)",
            ),
            F::Catch(ast::Catch {
                output: Some(_), ..
            }) => {
                Some("a catcher's `output` is JSONata: add `query_language jsonata` to the state")
            }
            F::When(rule)
                if rule.output.is_some()
                    || matches!(rule.condition.node, ast::Condition::Expression(_)) =>
            {
                Some(
                    "a JSONata condition (and a rule's `output`) needs `query_language jsonata` on the choice (or the file)",
                )
            }
            _ => None,
        },
    }
}

/// The error for a header part (a Wait's time, a Fail's texts, a Map's items) written in the
/// other language.
pub(crate) fn wrong_language(
    field: &'static str,
    language: QueryLanguage,
    span: Span,
) -> ResolveError {
    let (language, help) = match language {
        QueryLanguage::Jsonata => (
            "JSONata",
            "in a JSONata state, write an expression (`{% ... %}`) or a literal instead of a path",
        ),
        QueryLanguage::JsonPath => (
            "JSONPath",
            "an expression needs `query_language jsonata` on the state (or the file)",
        ),
    };
    ResolveError::WrongQueryLanguage {
        field,
        language,
        help,
        span: span.into(),
    }
}

/// The language a state is written in: its own `query_language`, or the one around it.
pub(crate) fn state_language(state: &ast::State, around: QueryLanguage) -> QueryLanguage {
    state
        .fields
        .iter()
        .find_map(|field| match field.node {
            ast::Field::QueryLanguage(language) => Some(asl_language(language)),
            _ => None,
        })
        .unwrap_or(around)
}

pub(crate) fn asl_language(language: ast::QueryLanguage) -> QueryLanguage {
    match language {
        ast::QueryLanguage::JsonPath => QueryLanguage::JsonPath,
        ast::QueryLanguage::Jsonata => QueryLanguage::Jsonata,
    }
}
