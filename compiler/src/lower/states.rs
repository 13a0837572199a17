//! States and blocks of states: fields checked against the state kind, transitions implied by
//! order, nested branches lowered with their own paths.

use flowc_asl::path::JsonPath;
use flowc_asl::{
    Assign, Branch, Catcher, ChoiceRule, ErrorName, ExecutionType, IntegerField, ItemProcessor,
    JitterStrategy, JsonataValue, NumberField, PathOrNull, Payload, ProcessorConfig, ProcessorMode,
    QueryLanguage, ResultPath, Retrier, State as AslState, StateKind as AslKind, StateName,
    StatePath, StatePathSegment, Template, TextField, TimestampField, Transition,
};
use flowc_dsl::ast::{
    self, DurationOrPath, FailText, Field, Jitter, NumberOrPath, Span, Spanned, State, StateKind,
    WaitFor,
};
use indexmap::IndexMap;
use serde_json::Value;

use super::error::ResolveError;
use super::jsonata;
use super::names::Scope;
use super::spans::{FieldKey, FlowSpans, StateSpans};
use super::values::{self, Errors};
use flowc_asl::rules::Seconds;

/// Lowered states by name, in order.
pub(crate) type States = IndexMap<StateName, AslState>;

/// Adds a lowered state (as collecting pairs into the map would: a name seen again keeps its
/// place and takes the new state).
pub(crate) fn push(out: &mut States, (name, state): (StateName, AslState)) {
    out.insert(name, state);
}

/// A lowered block: its first state and its states in order.
pub(crate) struct Block {
    pub start_at: Option<String>,
    pub states: States,
}

pub(crate) fn lower_block(
    states: &[&State],
    parent: Option<(&StatePath, usize)>,
    language: QueryLanguage,
    scope: &Scope<'_>,
    spans: &mut FlowSpans,
    errors: &mut Errors,
) -> Block {
    let mut out = States::with_capacity(states.len());
    for (index, state) in states.iter().enumerate() {
        // Order is flow: a state without `next`/`end` goes on to the one written after it.
        let fallthrough = states.get(index + 1).map(|next| next.name.node.as_str());
        let ctx = Ctx {
            parent,
            scope,
            language,
            outer_language: language,
        };
        match &state.kind {
            StateKind::Poll(poll) => {
                let before = errors.0.len();
                super::poll::lower_poll(state, poll, &ctx, spans, errors, &mut out);
                if errors.0.len() > before {
                    // A poll with errors may be missing some of its generated states.
                    errors.mark_graph_loss();
                }
            }
            _ => {
                if let Some(lowered) = lower_state(state, fallthrough, None, &ctx, spans, errors) {
                    push(&mut out, lowered);
                }
            }
        }
    }
    Block {
        start_at: states.first().map(|s| s.name.node.clone()),
        states: out,
    }
}

pub(crate) struct Ctx<'s, 'a> {
    pub parent: Option<(&'s StatePath, usize)>,
    pub scope: &'s Scope<'a>,
    /// The query language in effect: the state's own inside `lower_state`, the one around it
    /// before.
    pub language: QueryLanguage,
    /// The query language around the state (the file's, or the enclosing state's).
    pub outer_language: QueryLanguage,
}

impl Ctx<'_, '_> {
    pub fn path(&self, name: &str) -> StatePath {
        match self.parent {
            Some((parent, index)) => parent.child(index, &StateName::new(name)),
            None => StatePath(vec![StatePathSegment::State(StateName::new(name))]),
        }
    }
}

/// Everything a state's body said, checked.
#[derive(Default)]
struct Body {
    comment: Option<String>,
    input_path: Option<PathOrNull<JsonPath>>,
    output_path: Option<PathOrNull<JsonPath>>,
    result_path: Option<ResultPath>,
    parameters: Option<Template>,
    result_selector: Option<Template>,
    result: Option<Value>,
    item_selector: Option<Template>,
    /// JSONata fields: Arguments, Output, a Map's ItemSelector; Assign in either language.
    arguments: Option<JsonataValue>,
    output: Option<JsonataValue>,
    jsonata_selector: Option<JsonataValue>,
    assign: Option<Assign>,
    query_language: Option<QueryLanguage>,
    timeout: Option<IntegerField>,
    heartbeat: Option<IntegerField>,
    retry: Vec<Retrier>,
    catch: Vec<Catcher>,
    transition: Option<Transition>,
    choices: Vec<ChoiceRule>,
    default: Option<StateName>,
    branches: Vec<Branch>,
    process: Option<ItemProcessor>,
    max_concurrency: Option<IntegerField>,
    tolerated_failure_percentage: Option<NumberField>,
    tolerated_failure_count: Option<IntegerField>,
    /// Distributed Map objects as written, with their spans; decoded together by the loader's
    /// code when the Map is built.
    item_reader: Option<(Value, Span)>,
    item_batcher: Option<(Value, Span)>,
    result_writer: Option<(Value, Span)>,
    label: Option<String>,
    fields: Vec<(FieldKey, Span)>,
}

/// Which fields each kind of state takes.
fn allowed(kind: &StateKind, field: &Field) -> bool {
    use StateKind as K;
    match field {
        Field::Comment(_) | Field::QueryLanguage(_) => true,
        Field::Arguments(_) => matches!(kind, K::Task { .. } | K::Parallel),
        Field::Output(_) => !matches!(kind, K::Fail { .. }),
        Field::Assign(_) => !matches!(kind, K::Fail { .. } | K::Succeed),
        Field::InputPath(_) | Field::OutputPath(_) => !matches!(kind, K::Fail { .. }),
        Field::Parameters(_) => {
            matches!(kind, K::Task { .. } | K::Pass | K::Parallel | K::Map { .. })
        }
        Field::ResultSelector(_) | Field::Retry(_) | Field::Catch(_) => {
            matches!(kind, K::Task { .. } | K::Parallel | K::Map { .. })
        }
        Field::ResultPath(_) => {
            matches!(kind, K::Task { .. } | K::Pass | K::Parallel | K::Map { .. })
        }
        Field::Result(_) => matches!(kind, K::Pass),
        Field::Timeout(_) | Field::Heartbeat(_) => matches!(kind, K::Task { .. }),
        Field::Next(_) | Field::End => {
            matches!(
                kind,
                K::Task { .. } | K::Pass | K::Wait { .. } | K::Parallel | K::Map { .. }
            )
        }
        Field::When(_) | Field::Otherwise(_) => matches!(kind, K::Choice),
        Field::Branch(_) => matches!(kind, K::Parallel),
        Field::Process(_)
        | Field::ItemSelector(_)
        | Field::MaxConcurrency(_)
        | Field::ToleratedFailurePercentage(_)
        | Field::ToleratedFailureCount(_)
        | Field::ItemReader(_)
        | Field::ItemBatcher(_)
        | Field::ResultWriter(_)
        | Field::Label(_) => matches!(kind, K::Map { .. }),
    }
}

fn kind_word(kind: &StateKind) -> &'static str {
    kind.keyword()
}

/// Lower one (non-poll) state. `forced` overrides the transition (a poll's check Task).
pub(crate) fn lower_state(
    state: &State,
    fallthrough: Option<&str>,
    forced: Option<Transition>,
    ctx: &Ctx<'_, '_>,
    spans: &mut FlowSpans,
    errors: &mut Errors,
) -> Option<(StateName, AslState)> {
    let path = ctx.path(&state.name.node);
    let ctx = &Ctx {
        parent: ctx.parent,
        scope: ctx.scope,
        language: jsonata::state_language(state, ctx.language),
        outer_language: ctx.language,
    };
    let jsonata_state = ctx.language == QueryLanguage::Jsonata;
    let sites = ctx.scope.expression_sites();
    let body = lower_body(state, &path, forced.is_some(), ctx, spans, errors);
    let transition = forced
        .or(body.transition.clone())
        .unwrap_or_else(|| match fallthrough {
            Some(next) => Transition::Next(StateName::new(next)),
            None => Transition::End,
        });
    let name = StateName::new(state.name.node.as_str());
    let kind = match &state.kind {
        StateKind::Task { resource } => {
            let arn = match &resource.node {
                ast::ResourceRef::Named(name) => ctx.scope.resource(name, resource.span, errors),
                ast::ResourceRef::Arn(arn) => Some(arn.clone()),
            };
            if let (Some(IntegerField::Value(timeout)), Some(IntegerField::Value(heartbeat))) =
                (&body.timeout, &body.heartbeat)
                && let Err(reason) =
                    flowc_asl::rules::heartbeat_within_timeout(*heartbeat, *timeout)
            {
                let at = |field: &'static str| {
                    body.fields
                        .iter()
                        .find(|(key, _)| *key == FieldKey::Field(field))
                        .map_or(state.name.span, |(_, span)| *span)
                };
                errors.push(ResolveError::HeartbeatNotBelowTimeout {
                    reason,
                    span: at("HeartbeatSeconds").into(),
                    timeout: at("TimeoutSeconds").into(),
                });
            }
            AslKind::Task(flowc_asl::Task {
                resource: arn.unwrap_or_default(),
                parameters: body.parameters,
                arguments: body.arguments,
                result_selector: body.result_selector,
                result_path: body.result_path,
                timeout: body.timeout,
                heartbeat: body.heartbeat,
                credentials: None,
                retry: body.retry,
                catch: body.catch,
                transition,
            })
        }
        StateKind::Pass => AslKind::Pass(flowc_asl::Pass {
            parameters: body.parameters,
            result: body.result,
            result_path: body.result_path,
            transition,
        }),
        StateKind::Choice => {
            // Only when no rule was written: a rule with an error is reported already.
            if !state
                .fields
                .iter()
                .any(|f| matches!(f.node, Field::When(_)))
            {
                errors.push_graph_loss(ResolveError::MissingField {
                    kind: "choice",
                    name: state.name.node.clone(),
                    what: "at least one `when` rule",
                    help: "add `when $.field == \"value\" -> NextState`",
                    span: state.name.span.into(),
                });
            }
            AslKind::Choice(flowc_asl::Choice {
                choices: body.choices,
                default: body.default,
            })
        }
        StateKind::Wait { wait_for } => {
            let span = wait_for.span;
            let header_language = match &wait_for.node {
                WaitFor::SecondsExpression(_) | WaitFor::TimestampExpression(_) => {
                    QueryLanguage::Jsonata
                }
                WaitFor::SecondsPath(_) | WaitFor::TimestampPath(_) => QueryLanguage::JsonPath,
                WaitFor::Seconds(_) | WaitFor::Timestamp(_) => ctx.language,
            };
            if header_language != ctx.language {
                errors.push(jsonata::wrong_language("wait", ctx.language, span));
            }
            let wait_for = match &wait_for.node {
                WaitFor::SecondsExpression(e) => jsonata::string(e, "Seconds", span, sites, errors)
                    .map(|s| flowc_asl::WaitFor::Seconds(IntegerField::Jsonata(s))),
                WaitFor::TimestampExpression(e) => {
                    jsonata::string(e, "Timestamp", span, sites, errors)
                        .map(|s| flowc_asl::WaitFor::Timestamp(TimestampField::Jsonata(s)))
                }
                WaitFor::Seconds(d) => values::seconds_for(d, "wait", Seconds::Wait, span, errors)
                    .map(|s| flowc_asl::WaitFor::Seconds(IntegerField::Value(s))),
                WaitFor::SecondsPath(p) => {
                    values::reference_path(p, span, "SecondsPath is a reference path", errors)
                        .map(|p| flowc_asl::WaitFor::Seconds(IntegerField::Path(p)))
                }
                WaitFor::Timestamp(t) => {
                    values::timestamp(t, "wait timestamp", span, errors).then(|| {
                        flowc_asl::WaitFor::Timestamp(flowc_asl::TimestampField::Value(t.clone()))
                    })
                }
                WaitFor::TimestampPath(p) => {
                    values::reference_path(p, span, "TimestampPath is a reference path", errors)
                        .map(|p| flowc_asl::WaitFor::Timestamp(flowc_asl::TimestampField::Path(p)))
                }
            };
            AslKind::Wait(flowc_asl::Wait {
                wait_for: wait_for.unwrap_or(flowc_asl::WaitFor::Seconds(IntegerField::Value(0))),
                transition,
            })
        }
        StateKind::Succeed => AslKind::Succeed,
        StateKind::Fail { error, cause } => AslKind::Fail(flowc_asl::Fail {
            error: error
                .as_ref()
                .and_then(|e| fail_text(e, "Error", ctx, errors)),
            cause: cause
                .as_ref()
                .and_then(|c| fail_text(c, "Cause", ctx, errors)),
        }),
        StateKind::Parallel => {
            if body.branches.is_empty() {
                errors.push(ResolveError::MissingField {
                    kind: "parallel",
                    name: state.name.node.clone(),
                    what: "at least one `branch { ... }`",
                    help: "add `branch { task A = resource }` for each thing to run at the same time",
                    span: state.name.span.into(),
                });
            }
            AslKind::Parallel(flowc_asl::Parallel {
                branches: body.branches,
                parameters: body.parameters,
                arguments: body.arguments,
                result_selector: body.result_selector,
                result_path: body.result_path,
                retry: body.retry,
                catch: body.catch,
                transition,
            })
        }
        StateKind::Map { items_path, items } => {
            let parts = distributed_parts(&state.name.node, &body, errors);
            if let Some(p) = items_path
                && jsonata_state
            {
                errors.push(jsonata::wrong_language("over $.path", ctx.language, p.span));
            }
            if let Some(i) = items
                && !jsonata_state
            {
                errors.push(jsonata::wrong_language("over", ctx.language, i.span));
            }
            let items_path = items_path.as_ref().and_then(|p| {
                values::reference_path(&p.node, p.span, "ItemsPath is a reference path", errors)
            });
            let items = items
                .as_ref()
                .and_then(|i| jsonata::value(&i.node, "Items", i.span, sites, errors));
            let Some(item_processor) = body.process else {
                errors.push_graph_loss(ResolveError::MissingField {
                    kind: "map",
                    name: state.name.node.clone(),
                    what: "a `process { ... }` block",
                    help: "add `process { task Each = resource }`: the states run for each item",
                    span: state.name.span.into(),
                });
                return None;
            };
            // `parameters` on a Map is the legacy spelling of ItemSelector.
            let legacy = body.item_selector.is_none() && body.parameters.is_some();
            AslKind::Map(Box::new(flowc_asl::Map {
                item_processor,
                items_path,
                items,
                item_selector: match body.jsonata_selector {
                    Some(value) => Some(Payload::Jsonata(value)),
                    None => body
                        .item_selector
                        .or(body.parameters)
                        .map(Payload::Template),
                },
                selector_is_legacy_parameters: legacy,
                item_reader: parts.item_reader,
                item_batcher: parts.item_batcher,
                result_writer: parts.result_writer,
                max_concurrency: body.max_concurrency,
                tolerated_failure_percentage: body.tolerated_failure_percentage,
                tolerated_failure_count: body.tolerated_failure_count,
                label: body.label,
                result_selector: body.result_selector,
                result_path: body.result_path,
                retry: body.retry,
                catch: body.catch,
                transition,
            }))
        }
        StateKind::Poll(_) => return None,
    };
    spans.insert(
        path,
        StateSpans {
            name: state.name.span,
            state: state.span,
            fields: body.fields,
        },
    );
    // A state with errors stays in the machine (fields that failed are left out), so the
    // graph checks can still run beside the resolve errors; the machine itself is never
    // emitted while there are errors.
    let lowered = AslState {
        name: name.clone(),
        comment: body.comment,
        query_language: body.query_language,
        input_path: body.input_path,
        output_path: body.output_path,
        assign: body.assign,
        output: body.output,
        kind,
    };
    Some((name, lowered))
}

fn lower_body(
    state: &State,
    path: &StatePath,
    in_poll: bool,
    ctx: &Ctx<'_, '_>,
    spans: &mut FlowSpans,
    errors: &mut Errors,
) -> Body {
    let mut body = Body::default();
    body.fields
        .reserve_exact(state.fields.iter().map(|f| span_entries(&f.node)).sum());
    let mut seen = OnceFields::default();
    let kind = kind_word(&state.kind);
    for field in &state.fields {
        let span = field.span;
        if !allowed(&state.kind, &field.node)
            || (in_poll && matches!(field.node, Field::Next(_) | Field::End))
        {
            let help = if in_poll {
                "a poll's check always goes on to the poll's counter and choice".to_string()
            } else {
                format!("see the field table in dsl/LANGUAGE.md for what a {kind} state takes")
            };
            // The field is skipped: a transition it held is not in the machine.
            errors.push_graph_loss(ResolveError::FieldNotAllowed {
                kind,
                field: field.node.keyword(),
                help,
                span: span.into(),
            });
            continue;
        }
        if let Some(help) = jsonata::language_problem(&field.node, ctx.language) {
            errors.push(ResolveError::WrongQueryLanguage {
                field: field.node.keyword(),
                language: match ctx.language {
                    QueryLanguage::Jsonata => "JSONata",
                    QueryLanguage::JsonPath => "JSONPath",
                },
                help,
                span: span.into(),
            });
            if matches!(field.node, Field::Catch(_) | Field::When(_)) {
                errors.mark_graph_loss();
            }
            continue;
        }
        if let Field::QueryLanguage(ast::QueryLanguage::JsonPath) = field.node
            && in_jsonata_scope(ctx, state)
        {
            errors.push(ResolveError::WrongQueryLanguage {
                field: "query_language jsonpath",
                language: "JSONata",
                help: "a JSONata workflow holds only JSONata states (AWS's rule); make the file JSONPath and set `query_language jsonata` on the states that use it",
                span: span.into(),
            });
        }
        // Fields that may repeat: retry, catch, when, branch. The rest once; next/end together once.
        let once_key = match &field.node {
            Field::Retry(_) | Field::Catch(_) | Field::When(_) | Field::Branch(_) => None,
            Field::Next(_) | Field::End => Some("next"),
            other => Some(other.keyword()),
        };
        if let Some(key) = once_key
            && !seen.insert(key)
        {
            errors.push_graph_loss(ResolveError::DuplicateField {
                field: field.node.keyword(),
                span: span.into(),
            });
            continue;
        }
        lower_field(&field.node, span, path, ctx, spans, errors, &mut body);
    }
    check_states_all(&state.fields, ctx.scope, errors);
    body
}

/// The keywords of the fields a state has had that may be written once: at most one per
/// field keyword, so a fixed array and a linear scan (no allocation per state).
#[derive(Default)]
struct OnceFields {
    keys: [&'static str; 32],
    len: usize,
}

impl OnceFields {
    /// Records `key`; false when it was recorded already.
    fn insert(&mut self, key: &'static str) -> bool {
        let seen = self.keys.get(..self.len).unwrap_or(&[]);
        if seen.contains(&key) {
            return false;
        }
        // There are fewer field keywords than slots: `len` cannot pass the end.
        if let Some(slot) = self.keys.get_mut(self.len) {
            *slot = key;
            self.len += 1;
        }
        true
    }
}

#[allow(clippy::too_many_arguments)]
fn lower_field(
    field: &Field,
    span: Span,
    path: &StatePath,
    ctx: &Ctx<'_, '_>,
    spans: &mut FlowSpans,
    errors: &mut Errors,
    body: &mut Body,
) {
    let json_path = |p: &ast::PathOrNull, errors: &mut Errors| match p {
        ast::PathOrNull::Null => Some(PathOrNull::Null),
        ast::PathOrNull::Path(p) => {
            values::json_path(p, span, "InputPath and OutputPath take a path", errors)
                .map(PathOrNull::Path)
        }
    };
    let site = values::JsonSite::new(ctx.scope.source, span);
    if let Some(name) = asl_field(field) {
        body.fields.push((FieldKey::Field(name), span));
    }
    let sites = ctx.scope.expression_sites();
    match field {
        Field::Comment(c) => body.comment = Some(c.clone()),
        Field::QueryLanguage(language) => {
            body.query_language = Some(jsonata::asl_language(*language));
        }
        Field::Arguments(v) => body.arguments = jsonata::value(v, "Arguments", span, sites, errors),
        Field::Output(v) => body.output = jsonata::value(v, "Output", span, sites, errors),
        Field::Assign(v) => body.assign = jsonata::assign(v, ctx.language, span, sites, errors),
        Field::InputPath(p) => body.input_path = json_path(p, errors),
        Field::OutputPath(p) => body.output_path = json_path(p, errors),
        Field::ResultPath(p) => body.result_path = result_path(p, span, errors),
        Field::Parameters(v) => body.parameters = values::template(v, &site, errors),
        Field::ResultSelector(v) => body.result_selector = values::template(v, &site, errors),
        Field::ItemSelector(v) if ctx.language == QueryLanguage::Jsonata => {
            body.jsonata_selector = jsonata::value(v, "ItemSelector", span, sites, errors);
        }
        Field::ItemSelector(v) => body.item_selector = values::template(v, &site, errors),
        Field::Result(v) => body.result = Some(v.clone()),
        Field::Timeout(t) => {
            body.timeout = integer_or_path(t, "timeout", Seconds::Timeout, span, ctx, errors);
        }
        Field::Heartbeat(h) => {
            body.heartbeat = integer_or_path(h, "heartbeat", Seconds::Heartbeat, span, ctx, errors);
        }
        Field::Retry(retry) => {
            let index = body.retry.len();
            body.fields.push((FieldKey::Entry("Retry", index), span));
            let errors_span = match retry {
                ast::Retry::Inline(rule) => list_span(&rule.errors).unwrap_or(span),
                ast::Retry::Policy(name) => name.span,
            };
            body.fields.push((
                FieldKey::EntryField("Retry", index, "ErrorEquals"),
                errors_span,
            ));
            let lowered = match retry {
                ast::Retry::Inline(rule) => retrier(rule, errors),
                ast::Retry::Policy(name) => ctx.scope.policy_retrier(name, errors),
            };
            if let Some(retrier) = lowered {
                body.retry.push(retrier);
            }
        }
        Field::Catch(catch) => {
            let index = body.catch.len();
            body.fields.extend([
                (
                    FieldKey::EntryField("Catch", index, "Next"),
                    catch.target.span,
                ),
                (FieldKey::Entry("Catch", index), span),
                (
                    FieldKey::EntryField("Catch", index, "ErrorEquals"),
                    list_span(&catch.errors).unwrap_or(span),
                ),
            ]);
            ctx.scope.target(&catch.target, errors);
            let result_path = match &catch.result_path {
                Some(p) => result_path(&p.node, p.span, errors),
                None => None,
            };
            body.catch.push(Catcher {
                error_equals: catch
                    .errors
                    .iter()
                    .map(|e| ErrorName::new(e.node.as_str()))
                    .collect(),
                comment: catch.comment.as_ref().map(|c| c.node.clone()),
                result_path,
                next: StateName::new(catch.target.node.as_str()),
                assign: catch
                    .assign
                    .as_ref()
                    .and_then(|a| jsonata::assign(&a.node, ctx.language, a.span, sites, errors)),
                output: catch
                    .output
                    .as_ref()
                    .and_then(|o| jsonata::value(&o.node, "Output", o.span, sites, errors)),
            });
        }
        Field::Next(target) => {
            body.fields.push((FieldKey::Field("Next"), target.span));
            ctx.scope.target(target, errors);
            body.transition = Some(Transition::Next(StateName::new(target.node.as_str())));
        }
        Field::End => {
            body.fields.push((FieldKey::Field("End"), span));
            body.transition = Some(Transition::End);
        }
        Field::When(rule) => {
            let index = body.choices.len();
            body.fields.extend([
                (
                    FieldKey::EntryField("Choices", index, "Next"),
                    rule.target.span,
                ),
                (FieldKey::Entry("Choices", index), span),
            ]);
            ctx.scope.target(&rule.target, errors);
            let condition = match &rule.condition.node {
                ast::Condition::Expression(e) => {
                    jsonata::string(e, "Condition", rule.condition.span, sites, errors)
                        .map(flowc_asl::Condition::Jsonata)
                }
                _ => values::condition(&rule.condition, errors),
            };
            if let Some(condition) = condition {
                body.choices.push(ChoiceRule {
                    condition,
                    next: StateName::new(rule.target.node.as_str()),
                    comment: rule.comment.as_ref().map(|c| c.node.clone()),
                    assign: rule.assign.as_ref().and_then(|a| {
                        jsonata::assign(&a.node, ctx.language, a.span, sites, errors)
                    }),
                    output: rule
                        .output
                        .as_ref()
                        .and_then(|o| jsonata::value(&o.node, "Output", o.span, sites, errors)),
                });
            } else {
                // The rule (and its transition) is not in the machine.
                errors.mark_graph_loss();
            }
        }
        Field::Otherwise(target) => {
            body.fields.push((FieldKey::Field("Default"), target.span));
            ctx.scope.target(target, errors);
            body.default = Some(StateName::new(target.node.as_str()));
        }
        Field::Branch(states) => {
            let index = body.branches.len();
            body.fields.push((FieldKey::Entry("Branches", index), span));
            if let Some(branch) = lower_branch(states, span, (path, index), ctx, spans, errors) {
                body.branches.push(branch);
            }
        }
        Field::ItemReader(v) => body.item_reader = Some((v.clone(), span)),
        Field::ItemBatcher(v) => body.item_batcher = Some((v.clone(), span)),
        Field::ResultWriter(v) => body.result_writer = Some((v.clone(), span)),
        Field::Label(text) => body.label = Some(text.clone()),
        Field::Process(process) => {
            let key = if process.legacy_iterator {
                "Iterator"
            } else {
                "ItemProcessor"
            };
            body.fields.push((FieldKey::Field(key), span));
            let processor_config = process
                .config
                .as_ref()
                .and_then(|c| processor_config(c, errors));
            if let Some(branch) = lower_branch(&process.states, span, (path, 0), ctx, spans, errors)
            {
                body.process = Some(ItemProcessor {
                    processor_config,
                    branch,
                    is_legacy_iterator: process.legacy_iterator,
                });
            }
        }
        Field::MaxConcurrency(n) => {
            body.max_concurrency = count_or_path(n, "max_concurrency", span, ctx, errors)
        }
        Field::ToleratedFailureCount(n) => {
            body.tolerated_failure_count =
                count_or_path(n, "tolerated_failure_count", span, ctx, errors)
        }
        Field::ToleratedFailurePercentage(n) => {
            body.tolerated_failure_percentage = match n {
                NumberOrPath::Number(number) => match written_number(&number.0) {
                    Some(p) if p.as_f64().is_some_and(|p| (0.0..=100.0).contains(&p)) => {
                        Some(NumberField::Value(p))
                    }
                    _ => {
                        errors.push(ResolveError::InvalidNumber {
                            what: "tolerated_failure_percentage",
                            text: number.0.clone(),
                            reason: "not between 0 and 100",
                            help: "a percentage is a number from 0 to 100",
                            span: span.into(),
                        });
                        None
                    }
                },
                NumberOrPath::Path(p) => values::reference_path(
                    p,
                    span,
                    "the `...Path` form takes a reference path",
                    errors,
                )
                .map(NumberField::Path),
                NumberOrPath::Expression(e) => {
                    jsonata::string(e, "ToleratedFailurePercentage", span, sites, errors)
                        .map(NumberField::Jsonata)
                }
            }
        }
    }
}

/// How many span table entries `lower_field` records for a field.
fn span_entries(field: &Field) -> usize {
    match field {
        Field::Catch(_) => 3,
        Field::Retry(_) | Field::When(_) => 2,
        Field::Next(_)
        | Field::End
        | Field::Otherwise(_)
        | Field::Branch(_)
        | Field::Process(_) => 1,
        other => usize::from(asl_field(other).is_some()),
    }
}

/// The ASL field a single-valued `.flow` field becomes, for the span table.
fn asl_field(field: &Field) -> Option<&'static str> {
    Some(match field {
        Field::Comment(_) => "Comment",
        Field::QueryLanguage(_) => "QueryLanguage",
        Field::Arguments(_) => "Arguments",
        Field::Output(_) => "Output",
        Field::Assign(_) => "Assign",
        Field::Timeout(DurationOrPath::Expression(_)) => "TimeoutSeconds",
        Field::Heartbeat(DurationOrPath::Expression(_)) => "HeartbeatSeconds",
        Field::MaxConcurrency(NumberOrPath::Expression(_)) => "MaxConcurrency",
        Field::ToleratedFailurePercentage(NumberOrPath::Expression(_)) => {
            "ToleratedFailurePercentage"
        }
        Field::ToleratedFailureCount(NumberOrPath::Expression(_)) => "ToleratedFailureCount",
        Field::InputPath(_) => "InputPath",
        Field::OutputPath(_) => "OutputPath",
        Field::ResultPath(_) => "ResultPath",
        Field::Parameters(_) => "Parameters",
        Field::ResultSelector(_) => "ResultSelector",
        Field::Result(_) => "Result",
        Field::ItemSelector(_) => "ItemSelector",
        Field::Timeout(DurationOrPath::Duration(_)) => "TimeoutSeconds",
        Field::Timeout(DurationOrPath::Path(_)) => "TimeoutSecondsPath",
        Field::Heartbeat(DurationOrPath::Duration(_)) => "HeartbeatSeconds",
        Field::Heartbeat(DurationOrPath::Path(_)) => "HeartbeatSecondsPath",
        Field::MaxConcurrency(NumberOrPath::Number(_)) => "MaxConcurrency",
        Field::MaxConcurrency(NumberOrPath::Path(_)) => "MaxConcurrencyPath",
        Field::ToleratedFailurePercentage(NumberOrPath::Number(_)) => "ToleratedFailurePercentage",
        Field::ToleratedFailurePercentage(NumberOrPath::Path(_)) => {
            "ToleratedFailurePercentagePath"
        }
        Field::ToleratedFailureCount(NumberOrPath::Number(_)) => "ToleratedFailureCount",
        Field::ToleratedFailureCount(NumberOrPath::Path(_)) => "ToleratedFailureCountPath",
        Field::ItemReader(_) => "ItemReader",
        Field::ItemBatcher(_) => "ItemBatcher",
        Field::ResultWriter(_) => "ResultWriter",
        Field::Label(_) => "Label",
        _ => return None,
    })
}

/// A `.flow` number as JSON writes it: its spelling kept (`2.0` stays a float), as AWS
/// definitions are compared by value and `2.0` is not `2` there.
fn written_number(text: &str) -> Option<serde_json::Number> {
    serde_json::from_str::<serde_json::Number>(text).ok()
}

/// The Distributed Map objects of a Map body, decoded by the ASL loader's own code; each of
/// its errors is reported on the field it is in.
fn distributed_parts(state: &str, body: &Body, errors: &mut Errors) -> flowc_asl::DistributedParts {
    fn value(part: &Option<(Value, Span)>) -> Option<&Value> {
        part.as_ref().map(|(v, _)| v)
    }
    match flowc_asl::distributed_parts(
        state,
        value(&body.item_reader),
        value(&body.item_batcher),
        value(&body.result_writer),
    ) {
        Ok(parts) => parts,
        Err(problems) => {
            for (field, message) in problems {
                let part = match field {
                    "ItemBatcher" => &body.item_batcher,
                    "ResultWriter" => &body.result_writer,
                    _ => &body.item_reader,
                };
                let span = part.as_ref().map_or(Span::default(), |(_, span)| *span);
                errors.push(ResolveError::InvalidMapObject {
                    field,
                    message,
                    span: span.into(),
                });
            }
            flowc_asl::DistributedParts::default()
        }
    }
}

/// From the first to the last name of a list.
fn list_span(names: &[Spanned<String>]) -> Option<Span> {
    Some(Span::new(names.first()?.span.start, names.last()?.span.end))
}

fn lower_branch(
    states: &[State],
    span: Span,
    parent: (&StatePath, usize),
    ctx: &Ctx<'_, '_>,
    spans: &mut FlowSpans,
    errors: &mut Errors,
) -> Option<Branch> {
    let refs: Vec<&State> = states.iter().collect();
    let block = lower_block(&refs, Some(parent), ctx.language, ctx.scope, spans, errors);
    let Some(start_at) = block.start_at else {
        errors.push_graph_loss(ResolveError::MissingField {
            kind: "branch",
            name: parent.0.to_string(),
            what: "at least one state",
            help: "a branch or process block runs its states in order; write at least one",
            span: span.into(),
        });
        return None;
    };
    Some(Branch {
        comment: None,
        query_language: None,
        start_at: StateName::new(start_at),
        states: block.states,
    })
}

fn processor_config(config: &Spanned<Value>, errors: &mut Errors) -> Option<ProcessorConfig> {
    let invalid = |errors: &mut Errors| {
        errors.push(ResolveError::InvalidTemplate {
            key: "config".to_string(),
            span: config.span.into(),
        });
        None
    };
    let Value::Object(map) = &config.node else {
        return invalid(errors);
    };
    let mut out = ProcessorConfig::default();
    for (key, value) in map {
        match (key.as_str(), value.as_str()) {
            ("Mode", Some(mode)) => out.mode = ProcessorMode::parse(mode),
            ("ExecutionType", Some(t)) => out.execution_type = ExecutionType::parse(t),
            _ => return invalid(errors),
        }
    }
    Some(out)
}

fn result_path(p: &ast::PathOrNull, span: Span, errors: &mut Errors) -> Option<ResultPath> {
    match p {
        ast::PathOrNull::Null => Some(PathOrNull::Null),
        ast::PathOrNull::Path(p) => values::reference_path(
            p,
            span,
            "ResultPath is a reference path: one node, no wildcards or filters",
            errors,
        )
        .map(PathOrNull::Path),
    }
}

fn integer_or_path(
    value: &DurationOrPath,
    what: &'static str,
    rule: Seconds,
    span: Span,
    ctx: &Ctx<'_, '_>,
    errors: &mut Errors,
) -> Option<IntegerField> {
    match value {
        DurationOrPath::Expression(e) => {
            let field = match rule {
                Seconds::Heartbeat => "HeartbeatSeconds",
                _ => "TimeoutSeconds",
            };
            jsonata::string(e, field, span, ctx.scope.expression_sites(), errors)
                .map(IntegerField::Jsonata)
        }
        DurationOrPath::Duration(d) => {
            values::seconds_for(d, what, rule, span, errors).map(IntegerField::Value)
        }
        DurationOrPath::Path(p) => {
            values::reference_path(p, span, "the `...Path` form takes a reference path", errors)
                .map(IntegerField::Path)
        }
    }
}

fn count_or_path(
    value: &NumberOrPath,
    what: &'static str,
    span: Span,
    ctx: &Ctx<'_, '_>,
    errors: &mut Errors,
) -> Option<IntegerField> {
    match value {
        NumberOrPath::Expression(e) => {
            let field = match what {
                "max_concurrency" => "MaxConcurrency",
                _ => "ToleratedFailureCount",
            };
            jsonata::string(e, field, span, ctx.scope.expression_sites(), errors)
                .map(IntegerField::Jsonata)
        }
        NumberOrPath::Number(n) => {
            values::whole_number(&Spanned::new(n.clone(), span), what, errors)
                .map(IntegerField::Value)
        }
        NumberOrPath::Path(p) => {
            values::reference_path(p, span, "the `...Path` form takes a reference path", errors)
                .map(IntegerField::Path)
        }
    }
}

fn fail_text(
    text: &Spanned<FailText>,
    field: &'static str,
    ctx: &Ctx<'_, '_>,
    errors: &mut Errors,
) -> Option<TextField> {
    let jsonata_state = ctx.language == QueryLanguage::Jsonata;
    let sites = ctx.scope.expression_sites();
    match &text.node {
        FailText::Path(_) | FailText::Intrinsic(_) if jsonata_state => {
            errors.push(jsonata::wrong_language(field, ctx.language, text.span));
            None
        }
        FailText::Expression(_) if !jsonata_state => {
            errors.push(jsonata::wrong_language(field, ctx.language, text.span));
            None
        }
        FailText::Expression(e) => {
            jsonata::string(e, field, text.span, sites, errors).map(TextField::Jsonata)
        }
        // In a JSONata state a string holding `{% %}` is an expression, as in ASL.
        FailText::Literal(s)
            if jsonata_state && flowc_asl::jsonata::expression_text(s).is_some() =>
        {
            jsonata::string(&ast::Expression(s.clone()), field, text.span, sites, errors)
                .map(TextField::Jsonata)
        }
        FailText::Literal(s) => Some(TextField::Value(s.clone())),
        FailText::Path(p) => values::reference_path(
            p,
            text.span,
            "ErrorPath and CausePath take a reference path",
            errors,
        )
        .map(TextField::Path),
        FailText::Intrinsic(call) => {
            values::intrinsic(call, text.span, errors).map(TextField::Intrinsic)
        }
    }
}

pub(crate) fn retrier(rule: &ast::RetryRule, errors: &mut Errors) -> Option<Retrier> {
    let before = errors.0.len();
    let interval_seconds = rule.every.as_ref().and_then(|d| {
        values::seconds_for(
            &d.node,
            "retry interval",
            Seconds::RetryInterval,
            d.span,
            errors,
        )
    });
    let max_delay_seconds = rule.max_delay.as_ref().and_then(|d| {
        values::seconds_for(
            &d.node,
            "retry max_delay",
            Seconds::RetryMaxDelay,
            d.span,
            errors,
        )
    });
    let max_attempts = rule
        .attempts
        .as_ref()
        .and_then(|n| values::whole_number(n, "retry attempts", errors));
    let backoff_rate = rule.backoff.as_ref().and_then(|n| match written_number(&n.node.0) {
        Some(rate) if rate.as_f64().is_some_and(|r| flowc_asl::rules::backoff_rate(r).is_ok()) => {
            Some(rate)
        }
        _ => {
            errors.push(ResolveError::InvalidNumber {
                what: "retry backoff",
                text: n.node.0.clone(),
                reason: "must be at least 1",
                help: "the backoff rate multiplies the interval after each attempt; AWS requires 1.0 or more",
                span: n.span.into(),
            });
            None
        }
    });
    if errors.0.len() > before {
        return None;
    }
    Some(Retrier {
        error_equals: rule
            .errors
            .iter()
            .map(|e| ErrorName::new(e.node.as_str()))
            .collect(),
        comment: rule.comment.as_ref().map(|c| c.node.clone()),
        interval_seconds,
        max_attempts,
        backoff_rate,
        max_delay_seconds,
        jitter_strategy: rule.jitter.as_ref().map(|j| match j.node {
            Jitter::Full => JitterStrategy::Full,
            Jitter::None => JitterStrategy::None,
        }),
    })
}

/// `States.ALL` must be alone in its rule and in the last rule, for Retry and for Catch.
/// A policy's rule counts where `retry NAME` is written; its errors point at the name.
fn check_states_all(fields: &[Spanned<Field>], scope: &Scope<'_>, errors: &mut Errors) {
    // An unknown policy is no rule (it is reported where it is used).
    let retries = || {
        fields.iter().filter_map(|field| match &field.node {
            Field::Retry(ast::Retry::Inline(rule)) => Some(RuleNames::Own(&rule.errors)),
            Field::Retry(ast::Retry::Policy(name)) => scope
                .known_policy(&name.node)
                .map(|rule| RuleNames::At(&rule.errors, name.span)),
            _ => None,
        })
    };
    let catches = || {
        fields.iter().filter_map(|field| match &field.node {
            Field::Catch(c) => Some(RuleNames::Own(&c.errors)),
            _ => None,
        })
    };
    check_all_rules(retries, "retry", errors);
    check_all_rules(catches, "catch", errors);
}

/// The error names of one Retry or Catch rule and where to report each.
#[derive(Clone, Copy)]
enum RuleNames<'a> {
    /// Written in the rule: each name's own span.
    Own(&'a [Spanned<String>]),
    /// A policy's names: all at the `retry NAME` that uses it.
    At(&'a [Spanned<String>], Span),
}

impl RuleNames<'_> {
    fn names(&self) -> &[Spanned<String>] {
        match self {
            RuleNames::Own(names) | RuleNames::At(names, _) => names,
        }
    }

    fn span_of(&self, name: &Spanned<String>) -> Span {
        match self {
            RuleNames::Own(_) => name.span,
            RuleNames::At(_, span) => *span,
        }
    }
}

fn check_all_rules<'a, I: Iterator<Item = RuleNames<'a>>>(
    rules: impl Fn() -> I,
    what: &'static str,
    errors: &mut Errors,
) {
    let is_all = |name: &Spanned<String>| name.node == "States.ALL";
    // Only rules that name States.ALL can be wrong: count the rules only then.
    if !rules().any(|rule| rule.names().iter().any(is_all)) {
        return;
    }
    let count = rules().count();
    for (index, rule) in rules().enumerate() {
        let names = rule.names();
        for name in names.iter().filter(|name| is_all(name)) {
            if names.len() > 1 || index + 1 != count {
                errors.push(ResolveError::StatesAllPosition {
                    what,
                    span: rule.span_of(name).into(),
                });
            }
        }
    }
}

/// Whether the state sits where JSONata is in effect around it (the file's or an enclosing
/// state's language), so that it may not switch back to JSONPath.
fn in_jsonata_scope(ctx: &Ctx<'_, '_>, _state: &State) -> bool {
    ctx.outer_language == QueryLanguage::Jsonata
}
