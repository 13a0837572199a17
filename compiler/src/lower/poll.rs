//! `poll`: wait, check, decide, at most N times. Lowers to five states:
//!
//! `NAME` (Pass: counter := {"count": 0}) -> `WAIT` (Wait every) -> `CHECK` (Task) ->
//! `NAMECount` (Pass: count := States.MathAdd(count, 1)) -> `CHOICE` (the `when` rules, then
//! count >= N -> exhausted; Default -> WAIT).
//!
//! The bound lives in the generated ASL, so it holds wherever the machine runs.
//!
//! Where JSONata is in effect the counter is a workflow variable instead (`counter $name`,
//! default `$polls_NAME`): `NAME` assigns it 0, `NAMECount` assigns `{% $name + 1 %}` and the
//! bound rule's Condition is `{% $name >= N %}`. The states keep their input as it is (a JSONata
//! Pass outputs its input), so the check sees what the poll was given.

use flowc_asl::intrinsic::IntrinsicCall;
use flowc_asl::path::ReferencePath;
use flowc_asl::{
    Assign, Comparison, Condition, IntegerField, JsonataString, JsonataValue, Operand, Operator,
    PathOrNull, QueryLanguage, State as AslState, StateKind as AslKind, StateName, Template,
    TemplateEntry, TemplateValue, Transition,
};
use flowc_dsl::ast::{PathText, Poll, State};
use serde_json::{Number, json};

use super::error::ResolveError;
use super::spans::{FlowSpans, StateSpans};
use super::states::{Ctx, States, lower_state, push};
use super::values::{self, Errors};

/// The name of the Pass that counts checks.
pub(crate) fn count_state_name(poll: &str) -> String {
    format!("{poll}Count")
}

/// Default counter location: `$.polls.NAME` (bracketed when NAME is not a plain identifier).
pub(crate) fn default_counter(poll: &str) -> String {
    if poll.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("$.polls.{poll}")
    } else {
        format!("$.polls['{}']", poll.replace('\'', "\\'"))
    }
}

/// How a poll counts its checks.
enum Counter {
    /// JSONPath: `{"count": n}` at a path of the state document.
    Path {
        counter: ReferencePath,
        count: ReferencePath,
        increment: IntrinsicCall,
    },
    /// JSONata: a workflow variable.
    Variable {
        name: String,
        increment: JsonataString,
    },
}

/// The JSONata counter: `counter $name`, or `polls_NAME`; `None` after reporting a bad name.
fn variable_counter(
    state: &State,
    poll: &Poll,
    errors: &mut Errors,
) -> Option<(String, JsonataString)> {
    let (name, span) = match &poll.counter {
        Some(c) => (
            c.node.0.strip_prefix('$').unwrap_or(&c.node.0).to_string(),
            c.span,
        ),
        None => (format!("polls_{}", state.name.node), state.name.span),
    };
    if let Some(help) = flowc_asl::assign::name_problem(&name) {
        let help = if poll.counter.is_some() {
            help
        } else {
            format!("{help}; name the counter variable with `counter $name` in the poll")
        };
        errors.push(ResolveError::InvalidVariableName {
            name,
            help,
            span: span.into(),
        });
        return None;
    }
    let increment = JsonataString::parse(&format!("{{% ${name} + 1 %}}"))
        .ok()
        .flatten()?;
    Some((name, increment))
}

pub(crate) fn lower_poll(
    state: &State,
    poll: &Poll,
    ctx: &Ctx<'_, '_>,
    spans: &mut FlowSpans,
    errors: &mut Errors,
    out: &mut States,
) {
    let before = errors.0.len();
    let name = &state.name.node;
    let count_name = count_state_name(name);
    let counter = match ctx.language {
        QueryLanguage::Jsonata => variable_counter(state, poll, errors)
            .map(|(name, increment)| Counter::Variable { name, increment }),
        QueryLanguage::JsonPath => path_counter(state, poll, errors),
    };
    let every = values::seconds(&poll.every.node, "poll interval", poll.every.span, errors);
    let at_most = values::whole_number(&poll.at_most, "poll bound", errors);
    if at_most == Some(0) {
        errors.push(ResolveError::InvalidNumber {
            what: "poll bound",
            text: "0".to_string(),
            reason: "a poll checks at least once",
            help: "write `at most 1 times` or more",
            span: poll.at_most.span.into(),
        });
    }
    ctx.scope.target(&poll.exhausted, errors);

    let wait_name = StateName::new(poll.wait.node.as_str());
    let check = lower_state(
        &poll.check,
        None,
        Some(Transition::Next(StateName::new(count_name.as_str()))),
        ctx,
        spans,
        errors,
    );
    let decide = lower_state(&poll.decide, None, None, ctx, spans, errors);
    if poll
        .decide
        .fields
        .iter()
        .any(|f| matches!(f.node, flowc_dsl::ast::Field::Otherwise(_)))
    {
        errors.push(ResolveError::FieldNotAllowed {
            kind: "poll choice",
            field: "otherwise",
            help: "in a poll, the choice's default is to wait and check again; use `exhausted -> State` for the end of the bound".to_string(),
            span: poll.decide.name.span.into(),
        });
    }
    if errors.0.len() > before {
        return;
    }
    let (Some(counter), Some(every), Some(at_most), Some(check), Some(decide)) =
        (counter, every, at_most, check, decide)
    else {
        return;
    };

    let record = |spans: &mut FlowSpans, state_name: &str| {
        spans.insert(
            ctx.path(state_name),
            StateSpans {
                name: state.name.span,
                state: state.span,
                fields: Default::default(),
            },
        );
    };
    let plain = |name: &StateName, kind| AslState {
        name: name.clone(),
        comment: None,
        query_language: None,
        input_path: None,
        output_path: None,
        assign: None,
        output: None,
        kind,
    };
    let counting = |name: &StateName, assign: JsonataValue, next: &StateName| AslState {
        assign: match &counter {
            Counter::Variable { name, .. } => Some(Assign::Jsonata(vec![(name.clone(), assign)])),
            Counter::Path { .. } => None,
        },
        ..plain(
            name,
            AslKind::Pass(flowc_asl::Pass {
                parameters: None,
                result: None,
                result_path: None,
                transition: Transition::Next(next.clone()),
            }),
        )
    };

    let start = StateName::new(name.as_str());
    record(spans, name);
    let first = match &counter {
        Counter::Path { counter, .. } => plain(
            &start,
            AslKind::Pass(flowc_asl::Pass {
                parameters: None,
                result: Some(json!({ "count": 0 })),
                result_path: Some(PathOrNull::Path(counter.clone())),
                transition: Transition::Next(wait_name.clone()),
            }),
        ),
        Counter::Variable { .. } => counting(&start, JsonataValue::Literal(json!(0)), &wait_name),
    };
    push(out, (start.clone(), first));
    record(spans, &poll.wait.node);
    push(
        out,
        (
            wait_name.clone(),
            plain(
                &wait_name,
                AslKind::Wait(flowc_asl::Wait {
                    wait_for: flowc_asl::WaitFor::Seconds(IntegerField::Value(every)),
                    transition: Transition::Next(StateName::new(check.0.as_str())),
                }),
            ),
        ),
    );
    push(out, check);
    let count = StateName::new(count_name.as_str());
    record(spans, &count_name);
    let counted = match &counter {
        Counter::Path {
            counter, increment, ..
        } => plain(
            &count,
            AslKind::Pass(flowc_asl::Pass {
                parameters: Some(Template::Object(vec![TemplateEntry {
                    key: "count".to_string(),
                    value: TemplateValue::Intrinsic(increment.clone()),
                }])),
                result: None,
                result_path: Some(PathOrNull::Path(counter.clone())),
                transition: Transition::Next(decide.0.clone()),
            }),
        ),
        Counter::Variable { increment, .. } => counting(
            &count,
            JsonataValue::Expression(increment.clone()),
            &decide.0,
        ),
    };
    push(out, (count.clone(), counted));
    let (decide_name, mut decide_state) = decide;
    if let AslKind::Choice(choice) = &mut decide_state.kind {
        let condition = match counter {
            Counter::Path { count, .. } => Condition::Compare(Comparison {
                variable: count,
                operator: Operator::NumericGreaterThanEquals,
                operand: Operand::Number(Number::from(at_most)),
            }),
            Counter::Variable { name, .. } => {
                match JsonataString::parse(&format!("{{% ${name} >= {at_most} %}}")) {
                    Ok(Some(bound)) => Condition::Jsonata(bound),
                    _ => return,
                }
            }
        };
        choice.choices.push(flowc_asl::ChoiceRule {
            condition,
            next: StateName::new(poll.exhausted.node.as_str()),
            comment: None,
            assign: None,
            output: None,
        });
        choice.default = Some(wait_name);
    }
    push(out, (decide_name, decide_state));
}

/// The JSONPath counter: `{"count": n}` at `counter $.path`, or `$.polls.NAME`.
fn path_counter(state: &State, poll: &Poll, errors: &mut Errors) -> Option<Counter> {
    let counter_text = match &poll.counter {
        Some(c) => c.node.0.clone(),
        None => default_counter(&state.name.node),
    };
    let counter_span = poll.counter.as_ref().map_or(state.name.span, |c| c.span);
    let counter = values::reference_path(
        &PathText(counter_text.clone()),
        counter_span,
        "a poll counter is a reference path",
        errors,
    );
    let count = values::reference_path(
        &PathText(format!("{counter_text}.count")),
        counter_span,
        "a poll counter is a reference path",
        errors,
    );
    let add_call = format!("States.MathAdd({counter_text}.count, 1)");
    let increment = values::intrinsic(&add_call, counter_span, errors);
    Some(Counter::Path {
        counter: counter?,
        count: count?,
        increment: increment?,
    })
}
