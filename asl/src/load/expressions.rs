//! JSONata expressions in a JSONata state's fields: every `{% ... %}` string is parsed at load
//! in AWS's dialect ([`crate::jsonata`]), so a broken expression is pointed at, inside the
//! string, before anything runs it.
//!
//! AWS evaluates `{% %}` strings anywhere in a JSONata state's fields, at any depth of their
//! objects and arrays (Arguments, Output, Assign, Items, ItemSelector, Condition, the number and
//! timestamp fields, Error and Cause, Catch and Choice rules' Assign and Output). Not in the
//! fields that name things (Type, Next, Resource, ...) nor in nested states, which are loaded
//! with their own query language.

use super::ctx::{Ctx, is_jsonata};
use super::error::LoadError;
use super::json::{Node, NodeValue};
use crate::jsonata::{Expression, SyntaxError, expression_text};

/// Fields whose strings are names or text, never expressions.
const NOT_EXPRESSIONS: [&str; 13] = [
    "Type",
    "Comment",
    "QueryLanguage",
    "Next",
    "End",
    "Default",
    "StartAt",
    "States",
    "Branches",
    "ItemProcessor",
    "Iterator",
    "ErrorEquals",
    "Resource",
];

/// Checks every expression in the fields of the JSONata state `body`.
pub(super) fn check_state(ctx: &mut Ctx, body: &Node) {
    let Some(members) = body.members() else {
        return;
    };
    for member in members {
        if !NOT_EXPRESSIONS.contains(&member.key.as_str()) {
            visit(ctx, &member.value, &member.key);
        }
    }
}

fn visit(ctx: &mut Ctx, node: &Node, field: &str) {
    match &node.value {
        NodeValue::String { value, .. } if is_jsonata(value) => check(ctx, node, value, field),
        NodeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                visit(ctx, item, &format!("{field}/{i}"));
            }
        }
        NodeValue::Object(members) => {
            for member in members {
                if !NOT_EXPRESSIONS.contains(&member.key.as_str()) {
                    visit(ctx, &member.value, &format!("{field}/{}", member.key));
                }
            }
        }
        _ => {}
    }
}

fn check(ctx: &mut Ctx, node: &Node, text: &str, field: &str) {
    let Some((offset, source)) = expression_text(text) else {
        return;
    };
    let span = |start: usize, end: usize| node.range_span(offset + start, offset + end);
    match Expression::parse(source) {
        Ok(expression) => {
            if let Some(read) = expression.root_context_reads().first() {
                let error = LoadError::JsonataContext {
                    field: field.to_string(),
                    text: source[read.start..read.end].to_string(),
                    src: ctx.src(),
                    span: span(read.start, read.end),
                };
                ctx.push(error);
            }
        }
        Err(error) => {
            let at = match error.span {
                Some(s) => span(s.start, s.end.max(s.start + 1)),
                None => span(0, source.len()),
            };
            let error = diagnostic(ctx, error, field, at);
            ctx.push(error);
        }
    }
}

fn diagnostic(ctx: &Ctx, error: SyntaxError, field: &str, span: miette::SourceSpan) -> LoadError {
    let Some(rule) = error.rule else {
        return LoadError::JsonataSyntax {
            field: field.to_string(),
            code: error.code,
            message: error.message,
            src: ctx.src(),
            span,
        };
    };
    let help = rule.help();
    LoadError::JsonataDialect {
        field: field.to_string(),
        message: error.message,
        help,
        src: ctx.src(),
        span,
    }
}
