//! Decoding of the structured parts of states: payload templates, Choice rules, Retry and
//! Catch.

use super::ctx::Ctx;
use super::error::LoadError;
use super::json::{Member, Node, NodeValue};
use crate::choice::{ChoiceRule, Comparison, Condition, Operand, OperandFamily, Operator};
use crate::intrinsic::IntrinsicCall;
use crate::names::{ErrorName, StateName};
use crate::retry::{Catcher, JitterStrategy, Retrier};
use crate::template::{Template, TemplateEntry, TemplateValue};

/// A payload template (Parameters, ResultSelector, ItemSelector, ...).
pub fn template(ctx: &mut Ctx, node: &Node) -> Option<Template> {
    match &node.value {
        NodeValue::Object(members) => {
            let mut entries = Vec::with_capacity(members.len());
            let mut ok = true;
            for member in members {
                match template_entry(ctx, member) {
                    Some(entry) => entries.push(entry),
                    None => ok = false,
                }
            }
            ok.then_some(Template::Object(entries))
        }
        NodeValue::Array(items) => {
            let parts: Vec<Option<Template>> =
                items.iter().map(|item| template(ctx, item)).collect();
            parts
                .into_iter()
                .collect::<Option<Vec<_>>>()
                .map(Template::Array)
        }
        _ => Some(Template::Literal(node.to_value())),
    }
}

/// Top-level template fields must be objects (AWS rejects other JSON there).
pub fn template_object(ctx: &mut Ctx, member: &Member) -> Option<Template> {
    let node = ctx.object(member)?;
    template(ctx, node)
}

fn template_entry(ctx: &mut Ctx, member: &Member) -> Option<TemplateEntry> {
    let Some(key) = member.key.strip_suffix(".$") else {
        return Some(TemplateEntry {
            key: member.key.clone(),
            value: TemplateValue::Static(template(ctx, &member.value)?),
        });
    };
    let Some(text) = member.value.as_str() else {
        ctx.push(LoadError::WrongType {
            field: member.key.clone(),
            expected: "a string".to_string(),
            found: member.value.kind_name().to_string(),
            help: format!(
                "a key ending in `.$` takes a path or an intrinsic call; drop the `.$` from `{}` to write a literal",
                member.key
            ),
            src: ctx.src(),
            span: member.value.span,
        });
        return None;
    };
    let value = if IntrinsicCall::looks_like_call(text) {
        TemplateValue::Intrinsic(ctx.intrinsic(&member.key, &member.value)?)
    } else {
        TemplateValue::Path(ctx.json_path(&member.key, &member.value)?)
    };
    Some(TemplateEntry {
        key: key.to_string(),
        value,
    })
}

const RULE_COMBINATORS: [&str; 5] = ["And", "Or", "Not", "Variable", "Condition"];

/// A Choice rule. `top_level` rules carry `Next` (and may carry Comment, Assign, Output);
/// nested rules inside And/Or/Not must not.
pub fn choice_rule(ctx: &mut Ctx, node: &Node, owner: &str) -> Option<ChoiceRule> {
    let condition = condition(ctx, node, owner, true);
    let next = match node.get("Next") {
        Some(member) => ctx.string("Next", &member.value).map(StateName::from),
        None => {
            ctx.missing(
                "Next",
                owner,
                node.span,
                "every top-level Choice rule names the state to go to with `Next`".to_string(),
            );
            None
        }
    };
    let comment = ctx.opt_string(node, "Comment");
    let assign = match node.get("Assign") {
        Some(member) => Some(ctx.assign(member)?),
        None => None,
    };
    let output = match node.get("Output") {
        Some(member) => Some(ctx.jsonata_value("Output", &member.value)?),
        None => None,
    };
    Some(ChoiceRule {
        condition: condition?,
        next: next?,
        comment,
        assign,
        output,
    })
}

fn condition(ctx: &mut Ctx, node: &Node, owner: &str, top_level: bool) -> Option<Condition> {
    ctx.check_language(node, owner);
    let condition = bare_condition(ctx, node, owner, top_level)?;
    if top_level {
        return Some(condition);
    }
    match ctx.opt_string(node, "Comment") {
        Some(comment) => Some(Condition::Commented {
            comment,
            condition: Box::new(condition),
        }),
        None => Some(condition),
    }
}

fn bare_condition(ctx: &mut Ctx, node: &Node, owner: &str, top_level: bool) -> Option<Condition> {
    let Some(members) = node.members() else {
        ctx.wrong_type("Choices", "an object (a Choice rule)", node);
        return None;
    };
    let mut allowed: Vec<String> = RULE_COMBINATORS.iter().map(|s| s.to_string()).collect();
    allowed.extend(Operator::all_field_names());
    allowed.push("Comment".to_string());
    if top_level {
        allowed.extend(["Next", "Assign", "Output"].map(String::from));
    }
    let allowed_refs: Vec<&str> = allowed.iter().map(String::as_str).collect();
    ctx.check_fields_with(node, &allowed_refs, owner, |field| {
        (!top_level && matches!(field, "Next" | "Assign" | "Output")).then(|| {
            format!("only top-level Choice rules take `{field}`; move it to the rule that contains this one")
        })
    });

    let combinators: Vec<&Member> = members
        .iter()
        .filter(|member| RULE_COMBINATORS.contains(&member.key.as_str()))
        .collect();
    let operators: Vec<(&Member, Operator, bool)> = members
        .iter()
        .filter_map(|member| {
            Operator::from_field(&member.key).map(|(op, is_path)| (member, op, is_path))
        })
        .collect();

    match combinators.as_slice() {
        [] => {
            rule_error(
                ctx,
                node,
                "the rule has no condition",
                "write `Variable` with one comparison operator, or `And`, `Or`, `Not`",
            );
            None
        }
        [only] => match only.key.as_str() {
            "Variable" => comparison(ctx, node, only, &operators, owner),
            other => {
                if let Some((operator, _, _)) = operators.first() {
                    rule_error(
                        ctx,
                        &operator.value,
                        &format!("`{}` needs `Variable`, not `{other}`", operator.key),
                        "put the comparison in its own rule with a `Variable`",
                    );
                    return None;
                }
                combinator(ctx, only, owner)
            }
        },
        [first, second, ..] => {
            ctx.push(LoadError::ConflictingFields {
                first: first.key.clone(),
                second: second.key.clone(),
                owner: "a Choice rule".to_string(),
                help:
                    "a rule is one comparison, or one of And / Or / Not; nest rules to combine them"
                        .to_string(),
                src: ctx.src(),
                first_span: first.key_span,
                span: second.key_span,
            });
            None
        }
    }
}

fn combinator(ctx: &mut Ctx, member: &Member, owner: &str) -> Option<Condition> {
    match member.key.as_str() {
        "Condition" => ctx
            .jsonata_string("Condition", &member.value)
            .map(Condition::Jsonata),
        "Not" => {
            let inner = ctx.object(member)?;
            condition(ctx, inner, owner, false).map(|inner| Condition::Not(Box::new(inner)))
        }
        key => {
            let items = ctx.array(member)?;
            if items.is_empty() {
                ctx.push(LoadError::EmptyField {
                    field: key.to_string(),
                    owner: "a Choice rule".to_string(),
                    help: format!("`{key}` combines one or more rules; add rules or remove it"),
                    src: ctx.src(),
                    span: member.value.span,
                });
                return None;
            }
            let rules: Vec<Option<Condition>> = items
                .iter()
                .map(|item| condition(ctx, item, owner, false))
                .collect();
            let rules = rules.into_iter().collect::<Option<Vec<_>>>()?;
            Some(if key == "And" {
                Condition::And(rules)
            } else {
                Condition::Or(rules)
            })
        }
    }
}

fn comparison(
    ctx: &mut Ctx,
    rule: &Node,
    variable: &Member,
    operators: &[(&Member, Operator, bool)],
    _owner: &str,
) -> Option<Condition> {
    let path = ctx.reference_path("Variable", &variable.value);
    let (member, operator, is_path) = match operators {
        [] => {
            rule_error(
                ctx,
                rule,
                "`Variable` has no comparison operator",
                "add one operator such as `StringEquals`, `NumericGreaterThan` or `IsPresent`",
            );
            return None;
        }
        [one] => *one,
        [first, second, ..] => {
            ctx.push(LoadError::ConflictingFields {
                first: first.0.key.clone(),
                second: second.0.key.clone(),
                owner: "a Choice rule".to_string(),
                help: "a comparison has exactly one operator; combine several with `And`"
                    .to_string(),
                src: ctx.src(),
                first_span: first.0.key_span,
                span: second.0.key_span,
            });
            return None;
        }
    };
    let field = member.key.as_str();
    let value = &member.value;
    let operand = if is_path {
        Operand::Path(ctx.reference_path(field, value)?)
    } else {
        match operator.family() {
            OperandFamily::String => Operand::String(ctx.string(field, value)?),
            OperandFamily::Timestamp => Operand::Timestamp(ctx.timestamp(field, value)?),
            OperandFamily::Bool | OperandFamily::Test => Operand::Bool(ctx.bool(field, value)?),
            OperandFamily::Number => match &value.value {
                NodeValue::Number(number) => Operand::Number(number.clone()),
                _ => {
                    ctx.wrong_type(field, "a number", value);
                    return None;
                }
            },
        }
    };
    Some(Condition::Compare(Comparison {
        variable: path?,
        operator,
        operand,
    }))
}

fn rule_error(ctx: &mut Ctx, node: &Node, message: &str, help: &str) {
    ctx.push(LoadError::InvalidChoiceRule {
        message: message.to_string(),
        help: help.to_string(),
        src: ctx.src(),
        span: node.span,
    });
}

fn error_equals(ctx: &mut Ctx, entry: &Node, owner: &str) -> Option<Vec<ErrorName>> {
    let Some(member) = entry.get("ErrorEquals") else {
        ctx.missing(
            "ErrorEquals",
            owner,
            entry.span,
            "list the error names this entry handles, e.g. [\"States.ALL\"]".to_string(),
        );
        return None;
    };
    let items = ctx.array(member)?;
    if items.is_empty() {
        ctx.push(LoadError::EmptyErrorEquals {
            owner: owner.to_string(),
            src: ctx.src(),
            span: member.value.span,
        });
        return None;
    }
    let names: Vec<Option<ErrorName>> = items
        .iter()
        .map(|item| ctx.string("ErrorEquals", item).map(ErrorName::from))
        .collect();
    names.into_iter().collect()
}

const RETRIER_FIELDS: [&str; 7] = [
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
    "Comment",
];

pub fn retriers(ctx: &mut Ctx, member: &Member, state: &str) -> Option<Vec<Retrier>> {
    let items = ctx.array(member)?;
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (index, item) in items.iter().enumerate() {
        let owner = format!("Retry entry {index} of state `{state}`");
        if item.members().is_none() {
            ctx.wrong_type("Retry", "an array of objects", item);
            ok = false;
            continue;
        }
        ctx.check_fields(item, &RETRIER_FIELDS, &owner);
        let error_equals = error_equals(ctx, item, &owner);
        let backoff_rate = match item.get("BackoffRate") {
            Some(rate) => {
                let value = ctx.written_number("BackoffRate", &rate.value);
                if value
                    .as_ref()
                    .and_then(serde_json::Number::as_f64)
                    .is_some_and(|value| crate::rules::backoff_rate(value).is_err())
                {
                    ctx.invalid_value(
                        "BackoffRate",
                        &rate.value,
                        "AWS requires a BackoffRate of 1.0 or more: it multiplies the retry interval after each attempt (1.0 keeps it constant; the default is 2.0)".to_string(),
                    );
                    None
                } else {
                    value
                }
            }
            None => None,
        };
        let retrier = Retrier {
            error_equals: error_equals.unwrap_or_default(),
            comment: ctx.opt_string(item, "Comment"),
            interval_seconds: ctx.opt_uint(item, "IntervalSeconds"),
            max_attempts: ctx.opt_uint(item, "MaxAttempts"),
            backoff_rate,
            max_delay_seconds: ctx.opt_uint(item, "MaxDelaySeconds"),
            jitter_strategy: ctx.enum_value(
                item,
                "JitterStrategy",
                &["FULL", "NONE"],
                JitterStrategy::parse,
            ),
        };
        out.push(retrier);
    }
    ok.then_some(out)
}

const CATCHER_FIELDS: [&str; 6] = [
    "ErrorEquals",
    "ResultPath",
    "Next",
    "Comment",
    "Assign",
    "Output",
];

pub fn catchers(ctx: &mut Ctx, member: &Member, state: &str) -> Option<Vec<Catcher>> {
    let items = ctx.array(member)?;
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (index, item) in items.iter().enumerate() {
        let owner = format!("Catch entry {index} of state `{state}`");
        if item.members().is_none() {
            ctx.wrong_type("Catch", "an array of objects", item);
            ok = false;
            continue;
        }
        ctx.check_fields(item, &CATCHER_FIELDS, &owner);
        ctx.check_language(item, &owner);
        let error_equals = error_equals(ctx, item, &owner);
        let next = match item.get("Next") {
            Some(next) => ctx.string("Next", &next.value).map(StateName::from),
            None => {
                ctx.missing(
                    "Next",
                    &owner,
                    item.span,
                    "a catcher names the state that handles the error with `Next`".to_string(),
                );
                None
            }
        };
        let result_path = ctx.opt_reference_or_null(item, "ResultPath");
        let assign = item.get("Assign").map(|member| ctx.assign(member));
        let output = item
            .get("Output")
            .map(|member| ctx.jsonata_value("Output", &member.value));
        let (Some(error_equals), Some(next)) = (error_equals, next) else {
            ok = false;
            continue;
        };
        let (Some(assign), Some(output)) = (
            assign.map_or(Some(None), |a| a.map(Some)),
            output.map_or(Some(None), |o| o.map(Some)),
        ) else {
            ok = false;
            continue;
        };
        out.push(Catcher {
            error_equals,
            comment: ctx.opt_string(item, "Comment"),
            result_path,
            next,
            assign,
            output,
        });
    }
    ok.then_some(out)
}
