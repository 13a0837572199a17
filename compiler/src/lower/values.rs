//! Values of the AST checked and converted to their ASL form: durations, numbers, paths,
//! payload templates and Choice conditions. Each converter pushes its problems into the shared
//! error list and returns `None`, so one pass reports everything.

use flowc_asl::intrinsic::IntrinsicCall;
use flowc_asl::path::{JsonPath, PathError, ReferencePath};
use flowc_asl::{
    Comparison, Condition, Operand as AslOperand, Operator, Template, TemplateEntry, TemplateValue,
};
use flowc_dsl::JsonStep;
use flowc_dsl::ast::{self, CompareOp, Operand, OperandType, PathText, Span, Spanned, TypeTest};
use serde_json::Value;

use super::error::ResolveError;

/// Where lowering collects its errors.
#[derive(Default)]
pub(crate) struct Errors(pub Vec<ResolveError>, GraphLoss);

/// Whether an error cost the lowered machine a state or a transition (a dropped Choice rule, a
/// Map without its process, a name defined twice, ...). While it has not, the machine's graph
/// is the flow's, and the graph checks can run beside the resolve errors.
#[derive(Debug, Default)]
pub(crate) struct GraphLoss(bool);

impl Errors {
    pub fn push(&mut self, error: ResolveError) {
        self.0.push(error);
    }

    /// An error that also removed a state or a transition from the lowered machine.
    pub fn push_graph_loss(&mut self, error: ResolveError) {
        self.1 = GraphLoss(true);
        self.0.push(error);
    }

    pub fn mark_graph_loss(&mut self) {
        self.1 = GraphLoss(true);
    }

    pub fn graph_intact(&self) -> bool {
        !self.1.0
    }
}

/// A duration as whole seconds: negative and fractional values are errors.
pub(crate) fn seconds(
    duration: &ast::Duration,
    what: &'static str,
    span: Span,
    errors: &mut Errors,
) -> Option<u64> {
    // The text as written, built only for an error.
    let invalid = |reason| ResolveError::InvalidDuration {
        what,
        text: format!("{}{}", duration.amount.0, duration.unit.suffix()),
        reason,
        span: span.into(),
    };
    let amount = &duration.amount.0;
    if amount.starts_with('-') {
        errors.push(invalid("a duration cannot be negative"));
        return None;
    }
    // Whole numbers are read exactly; anything else must still come to whole seconds.
    if let Ok(whole) = amount.parse::<u64>() {
        return match whole.checked_mul(duration.unit.seconds()) {
            Some(total) => Some(total),
            None => {
                errors.push(invalid("too large"));
                None
            }
        };
    }
    let value: f64 = amount.parse().unwrap_or(f64::NAN);
    let total = value * duration.unit.seconds() as f64;
    if total.fract() == 0.0 && (0.0..9.0e15).contains(&total) {
        Some(total as u64)
    } else {
        errors.push(invalid("not a whole number of seconds"));
        None
    }
}

/// [`seconds`] for a field AWS bounds ([`flowc_asl::rules::Seconds`]): the same rule the ASL
/// loader applies, so a compiled value is never one `flowc check` refuses.
pub(crate) fn seconds_for(
    duration: &ast::Duration,
    what: &'static str,
    rule: flowc_asl::rules::Seconds,
    span: Span,
    errors: &mut Errors,
) -> Option<u64> {
    let value = seconds(duration, what, span, errors)?;
    match rule.check(value) {
        Ok(()) => Some(value),
        Err(reason) => {
            errors.push(ResolveError::InvalidDuration {
                what,
                text: format!("{}{}", duration.amount.0, duration.unit.suffix()),
                reason,
                span: span.into(),
            });
            None
        }
    }
}

/// A timestamp literal, checked with the loader's rule.
pub(crate) fn timestamp(text: &str, what: &'static str, span: Span, errors: &mut Errors) -> bool {
    match flowc_asl::rules::timestamp(text) {
        Ok(()) => true,
        Err(help) => {
            errors.push(ResolveError::InvalidTimestamp {
                what,
                text: text.to_string(),
                help,
                span: span.into(),
            });
            false
        }
    }
}

/// A JSON value in a message: its text, cut short.
pub(crate) fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text,
    }
}

/// A non-negative integer (MaxAttempts, MaxConcurrency, ToleratedFailureCount, poll bounds).
pub(crate) fn whole_number(
    number: &Spanned<ast::Number>,
    what: &'static str,
    errors: &mut Errors,
) -> Option<u64> {
    match number.node.0.parse::<u64>() {
        Ok(value) => Some(value),
        Err(_) => {
            errors.push(ResolveError::InvalidNumber {
                what,
                text: number.node.0.clone(),
                reason: "not a whole, non-negative number",
                help: "write a whole number such as 3",
                span: number.span.into(),
            });
            None
        }
    }
}

/// A JSON number (kept as written: `2` stays an integer, `2.5` a float).
pub(crate) fn json_number(number: &ast::Number) -> Option<serde_json::Number> {
    serde_json::from_str(&number.0).ok()
}

pub(crate) fn json_path(
    path: &PathText,
    span: Span,
    context: &'static str,
    errors: &mut Errors,
) -> Option<JsonPath> {
    parsed_path(JsonPath::parse, &path.0, span, context, errors)
}

pub(crate) fn reference_path(
    path: &PathText,
    span: Span,
    context: &'static str,
    errors: &mut Errors,
) -> Option<ReferencePath> {
    parsed_path(ReferencePath::parse, &path.0, span, context, errors)
}

/// Parses a path with `parse`, turning a failure into `flowc::resolve::invalid_path`.
fn parsed_path<P>(
    parse: fn(&str) -> Result<P, PathError>,
    path: &str,
    span: Span,
    context: &'static str,
    errors: &mut Errors,
) -> Option<P> {
    match parse(path) {
        Ok(parsed) => Some(parsed),
        Err(e) => {
            errors.push(ResolveError::InvalidPath {
                path: path.to_string(),
                reason: e.message,
                context,
                span: span.into(),
            });
            None
        }
    }
}

pub(crate) fn intrinsic(text: &str, span: Span, errors: &mut Errors) -> Option<IntrinsicCall> {
    match IntrinsicCall::parse(text) {
        Ok(call) => Some(call),
        Err(e) => {
            errors.push(ResolveError::InvalidIntrinsic {
                call: text.to_string(),
                reason: e.message,
                span: span.into(),
            });
            None
        }
    }
}

/// Where a JSON literal is written: its field's span and, when lowering from text, the text,
/// so that an error about one member points at that member.
pub(crate) struct JsonSite<'s> {
    source: Option<&'s str>,
    span: Span,
}

impl<'s> JsonSite<'s> {
    pub fn new(source: Option<&'s str>, span: Span) -> Self {
        JsonSite { source, span }
    }

    /// The span of the member at `pointer`; the field's when it cannot be found.
    fn member(&self, pointer: &[JsonStep]) -> Span {
        self.source
            .and_then(|source| flowc_dsl::json_member_span(source, self.span.start, pointer))
            .unwrap_or(self.span)
    }
}

/// A JSON literal as a payload template: `"key.$"` entries become paths or intrinsic calls.
pub(crate) fn template(
    value: &Value,
    site: &JsonSite<'_>,
    errors: &mut Errors,
) -> Option<Template> {
    template_at(value, site, &mut Vec::new(), errors)
}

fn template_at(
    value: &Value,
    site: &JsonSite<'_>,
    pointer: &mut Vec<JsonStep>,
    errors: &mut Errors,
) -> Option<Template> {
    Some(match value {
        Value::Object(map) => {
            let mut entries = Vec::with_capacity(map.len());
            let mut ok = true;
            for (key, value) in map {
                pointer.push(JsonStep::Key(key.clone()));
                let entry = match key.strip_suffix(".$") {
                    Some(bare) => {
                        let dynamic = |span: Span, errors: &mut Errors| match value {
                            Value::String(text) if IntrinsicCall::looks_like_call(text) => {
                                intrinsic(text, span, errors).map(TemplateValue::Intrinsic)
                            }
                            Value::String(text) => parsed_path(
                                JsonPath::parse,
                                text,
                                span,
                                "in a template, a `.$` key takes a path or an intrinsic call",
                                errors,
                            )
                            .map(TemplateValue::Path),
                            _ => {
                                errors.push(ResolveError::InvalidTemplate {
                                    key: key.clone(),
                                    span: span.into(),
                                });
                                None
                            }
                        };
                        // The member is located only when it is wrong: the text is scanned
                        // on errors, never on the happy path.
                        let mut local = Errors::default();
                        match dynamic(site.span, &mut local) {
                            Some(value) => Some((bare, value)),
                            None => dynamic(site.member(pointer), errors).map(|v| (bare, v)),
                        }
                    }
                    None => template_at(value, site, pointer, errors)
                        .map(|t| (key.as_str(), TemplateValue::Static(t))),
                };
                pointer.pop();
                match entry {
                    Some((key, value)) => entries.push(TemplateEntry {
                        key: key.to_string(),
                        value,
                    }),
                    None => ok = false,
                }
            }
            if !ok {
                return None;
            }
            Template::Object(entries)
        }
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                pointer.push(JsonStep::Index(index));
                out.push(template_at(item, site, pointer, errors));
                pointer.pop();
            }
            Template::Array(out.into_iter().collect::<Option<Vec<_>>>()?)
        }
        scalar => Template::Literal(scalar.clone()),
    })
}

/// A `.flow` condition as an ASL Choice condition.
pub(crate) fn condition(cond: &Spanned<ast::Condition>, errors: &mut Errors) -> Option<Condition> {
    let span = cond.span;
    match &cond.node {
        // Only a top-level rule's condition can be an expression (the grammar's `when`), and
        // the state lowers it; one anywhere else is a JSONata condition in a JSONPath rule.
        ast::Condition::Expression(_) => {
            errors.push(super::jsonata::wrong_language(
                "condition",
                flowc_asl::QueryLanguage::JsonPath,
                span,
            ));
            None
        }
        ast::Condition::And(parts) => Some(Condition::And(conditions(parts, errors)?)),
        ast::Condition::Or(parts) => Some(Condition::Or(conditions(parts, errors)?)),
        ast::Condition::Not(inner) => Some(Condition::Not(Box::new(condition(inner, errors)?))),
        ast::Condition::Commented {
            condition: inner,
            comment,
        } => Some(Condition::Commented {
            comment: comment.node.clone(),
            condition: Box::new(condition(inner, errors)?),
        }),
        ast::Condition::Is {
            path,
            negated,
            test,
        } => {
            let variable = variable(path, errors)?;
            let operator = match test {
                TypeTest::Present => Operator::IsPresent,
                TypeTest::Null => Operator::IsNull,
                TypeTest::String => Operator::IsString,
                TypeTest::Numeric => Operator::IsNumeric,
                TypeTest::Boolean => Operator::IsBoolean,
                TypeTest::Timestamp => Operator::IsTimestamp,
            };
            Some(Condition::Compare(Comparison {
                variable,
                operator,
                operand: AslOperand::Bool(!negated),
            }))
        }
        ast::Condition::Matches { path, pattern } => {
            let variable = variable(path, errors)?;
            Some(Condition::Compare(Comparison {
                variable,
                operator: Operator::StringMatches,
                operand: AslOperand::String(pattern.node.clone()),
            }))
        }
        ast::Condition::Compare { left, op, right } => {
            let variable = variable(left, errors);
            let (family, operand) = match &right.node {
                Operand::String(s) => (OperandType::String, Some(AslOperand::String(s.clone()))),
                Operand::Number(n) => (OperandType::Number, json_number(n).map(AslOperand::Number)),
                Operand::Bool(b) => (OperandType::Boolean, Some(AslOperand::Bool(*b))),
                Operand::Timestamp(t) => (
                    OperandType::Timestamp,
                    timestamp(t, "timestamp comparison", right.span, errors)
                        .then(|| AslOperand::Timestamp(t.clone())),
                ),
                Operand::Path(ty, path) => (
                    *ty,
                    reference_path(
                        path,
                        right.span,
                        "a `*Path` comparison takes a reference path",
                        errors,
                    )
                    .map(AslOperand::Path),
                ),
            };
            let (variable, operand) = (variable?, operand?);
            let equals = |op| {
                Condition::Compare(Comparison {
                    variable: variable.clone(),
                    operator: op,
                    operand: operand.clone(),
                })
            };
            let operator = match operator_for(family, *op) {
                Some(operator) => operator,
                None => {
                    errors.push(ResolveError::InvalidComparison {
                        op: op.symbol(),
                        operand: "booleans",
                        span: span.into(),
                    });
                    return None;
                }
            };
            // ASL has no inequality: `!=` is `Not` over the equality.
            if *op == CompareOp::Ne {
                Some(Condition::Not(Box::new(equals(operator))))
            } else {
                Some(equals(operator))
            }
        }
    }
}

fn conditions(parts: &[Spanned<ast::Condition>], errors: &mut Errors) -> Option<Vec<Condition>> {
    let lowered: Vec<Option<Condition>> =
        parts.iter().map(|part| condition(part, errors)).collect();
    lowered.into_iter().collect()
}

fn variable(path: &Spanned<PathText>, errors: &mut Errors) -> Option<ReferencePath> {
    reference_path(
        &path.node,
        path.span,
        "a Choice variable must be a reference path (one node)",
        errors,
    )
}

/// The ASL operator for a comparison of this operand type (`!=` maps to the equality).
fn operator_for(family: OperandType, op: CompareOp) -> Option<Operator> {
    use CompareOp::*;
    use Operator::*;
    Some(match (family, op) {
        (OperandType::String, Eq | Ne) => StringEquals,
        (OperandType::String, Lt) => StringLessThan,
        (OperandType::String, Le) => StringLessThanEquals,
        (OperandType::String, Gt) => StringGreaterThan,
        (OperandType::String, Ge) => StringGreaterThanEquals,
        (OperandType::Number, Eq | Ne) => NumericEquals,
        (OperandType::Number, Lt) => NumericLessThan,
        (OperandType::Number, Le) => NumericLessThanEquals,
        (OperandType::Number, Gt) => NumericGreaterThan,
        (OperandType::Number, Ge) => NumericGreaterThanEquals,
        (OperandType::Boolean, Eq | Ne) => BooleanEquals,
        (OperandType::Boolean, _) => return None,
        (OperandType::Timestamp, Eq | Ne) => TimestampEquals,
        (OperandType::Timestamp, Lt) => TimestampLessThan,
        (OperandType::Timestamp, Le) => TimestampLessThanEquals,
        (OperandType::Timestamp, Gt) => TimestampGreaterThan,
        (OperandType::Timestamp, Ge) => TimestampGreaterThanEquals,
    })
}
