//! Decoding of the machine, its branches and each state type.

use super::ctx::{Ctx, is_jsonata_node, nearest};
use super::error::LoadError;
use super::json::{Member, Node};
use super::parts;
use crate::jsonata_value::JsonataValue;
use crate::model::{
    Branch, Choice, Fail, IntegerField, Parallel, Pass, QueryLanguage, State, StateKind,
    StateMachine, StatePath, Task, TextField, TimestampField, Transition, Wait, WaitFor,
};
use crate::names::StateName;
use crate::template::Template;
use indexmap::IndexMap;

const STATE_TYPES: [&str; 8] = [
    "Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
];

// Allowed fields per state type, in both query languages, in AWS documentation order (the
// order emission uses, too).
const COMMON: [&str; 3] = ["Type", "Comment", "QueryLanguage"];
const TASK: &[&str] = &[
    "InputPath",
    "OutputPath",
    "Resource",
    "Parameters",
    "Arguments",
    "Credentials",
    "ResultSelector",
    "ResultPath",
    "Output",
    "Assign",
    "TimeoutSeconds",
    "TimeoutSecondsPath",
    "HeartbeatSeconds",
    "HeartbeatSecondsPath",
    "Retry",
    "Catch",
    "Next",
    "End",
];
const PASS: &[&str] = &[
    "InputPath",
    "OutputPath",
    "Parameters",
    "Result",
    "ResultPath",
    "Output",
    "Assign",
    "Next",
    "End",
];
const CHOICE: &[&str] = &[
    "InputPath",
    "OutputPath",
    "Choices",
    "Default",
    "Output",
    "Assign",
];
const WAIT: &[&str] = &[
    "InputPath",
    "OutputPath",
    "Seconds",
    "SecondsPath",
    "Timestamp",
    "TimestampPath",
    "Output",
    "Assign",
    "Next",
    "End",
];
const SUCCEED: &[&str] = &["InputPath", "OutputPath", "Output"];
const FAIL: &[&str] = &["Error", "ErrorPath", "Cause", "CausePath"];
const PARALLEL: &[&str] = &[
    "InputPath",
    "OutputPath",
    "Branches",
    "Parameters",
    "Arguments",
    "ResultSelector",
    "ResultPath",
    "Output",
    "Assign",
    "Retry",
    "Catch",
    "Next",
    "End",
];
const MAP: &[&str] = &[
    "InputPath",
    "OutputPath",
    "ItemProcessor",
    "Iterator",
    "ItemReader",
    "ItemsPath",
    "Items",
    "ItemSelector",
    "Parameters",
    "ItemBatcher",
    "ResultWriter",
    "MaxConcurrency",
    "MaxConcurrencyPath",
    "ToleratedFailurePercentage",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCount",
    "ToleratedFailureCountPath",
    "Label",
    "ResultSelector",
    "ResultPath",
    "Output",
    "Assign",
    "Retry",
    "Catch",
    "Next",
    "End",
];

fn allowed_fields(type_name: &str) -> Vec<&'static str> {
    let own = match type_name {
        "Task" => TASK,
        "Pass" => PASS,
        "Choice" => CHOICE,
        "Wait" => WAIT,
        "Succeed" => SUCCEED,
        "Fail" => FAIL,
        "Parallel" => PARALLEL,
        _ => MAP,
    };
    COMMON.iter().chain(own.iter()).copied().collect()
}

/// "`Parameters` is a field of Task, Pass, Parallel and Map states, not of Wait states", when
/// the field belongs to other state types.
fn other_types_with(field: &str, type_name: &str) -> Option<String> {
    let owners: Vec<&str> = STATE_TYPES
        .iter()
        .copied()
        .filter(|other| *other != type_name && allowed_fields(other).contains(&field))
        .collect();
    let (last, rest) = owners.split_last()?;
    let list = if rest.is_empty() {
        (*last).to_string()
    } else {
        format!("{} and {last}", rest.join(", "))
    };
    Some(format!(
        "`{field}` is a field of {list} states, not of {type_name} states; remove it"
    ))
}

pub fn machine(ctx: &mut Ctx, root: &Node) -> Option<StateMachine> {
    if root.members().is_none() {
        ctx.wrong_type("the definition", "a JSON object", root);
        return None;
    }
    ctx.spans.record_machine(root);
    let owner = "the state machine";
    ctx.check_fields(
        root,
        &[
            "Comment",
            "QueryLanguage",
            "StartAt",
            "States",
            "TimeoutSeconds",
            "Version",
        ],
        owner,
    );
    let comment = ctx.opt_string(root, "Comment");
    let query_language = query_language(ctx, root);
    ctx.language = query_language.unwrap_or(QueryLanguage::JsonPath);
    let timeout_seconds = ctx.opt_uint(root, "TimeoutSeconds");
    let version = ctx.opt_string(root, "Version");
    let (start_at, states) = graph(ctx, root, owner, None);
    Some(StateMachine {
        comment,
        query_language,
        start_at: start_at?,
        states: states?,
        timeout_seconds,
        version,
    })
}

fn query_language(ctx: &mut Ctx, object: &Node) -> Option<QueryLanguage> {
    ctx.enum_value(
        object,
        "QueryLanguage",
        &["JSONPath", "JSONata"],
        QueryLanguage::parse,
    )
}

/// Fields of a machine or branch that are sometimes written inside `States` by mistake.
const MACHINE_FIELDS: [&str; 5] = [
    "QueryLanguage",
    "Comment",
    "TimeoutSeconds",
    "Version",
    "StartAt",
];

/// `StartAt` and `States` of a machine or branch.
fn graph(
    ctx: &mut Ctx,
    object: &Node,
    owner: &str,
    parent: Option<(&StatePath, usize)>,
) -> (Option<StateName>, Option<IndexMap<StateName, State>>) {
    let start_at = match object.get("StartAt") {
        Some(member) => ctx.string("StartAt", &member.value).map(StateName::from),
        None => {
            ctx.missing(
                "StartAt",
                owner,
                object.span,
                "name the first state to run with `\"StartAt\": \"<state name>\"`".to_string(),
            );
            None
        }
    };
    let states = match object.get("States") {
        Some(member) => states(ctx, member, owner, parent),
        None => {
            ctx.missing(
                "States",
                owner,
                object.span,
                "add `\"States\": { ... }` with at least one state".to_string(),
            );
            None
        }
    };
    (start_at, states)
}

fn states(
    ctx: &mut Ctx,
    member: &Member,
    owner: &str,
    parent: Option<(&StatePath, usize)>,
) -> Option<IndexMap<StateName, State>> {
    let object = ctx.object(member)?;
    let members = object.members().unwrap_or_default();
    if members.is_empty() {
        ctx.push(LoadError::EmptyField {
            field: "States".to_string(),
            owner: owner.to_string(),
            help: "a state machine or branch needs at least one state".to_string(),
            src: ctx.src(),
            span: member.value.span,
        });
        return None;
    }
    let mut out = IndexMap::with_capacity(members.len());
    let mut ok = true;
    for entry in members {
        let name = StateName::from(entry.key.as_str());
        let path = match parent {
            Some((parent_path, index)) => parent_path.child(index, &name),
            None => StatePath::top(&name),
        };
        if entry.value.members().is_none() && MACHINE_FIELDS.contains(&entry.key.as_str()) {
            // `"QueryLanguage": "JSONata"` written among the states: a misplaced field, not a
            // state whose body has the wrong type.
            let place = if parent.is_some() {
                "branch"
            } else {
                "state machine"
            };
            ctx.push(LoadError::WrongType {
                field: entry.key.clone(),
                expected: "a state object".to_string(),
                found: entry.value.kind_name().to_string(),
                help: format!(
                    "`{}` is a field of the {place}, not a state: move it out of `States` to \
                     the top level, beside `StartAt`",
                    entry.key
                ),
                src: ctx.src(),
                span: entry.key_span,
            });
            ok = false;
            continue;
        }
        let Some(body) = ctx.object(entry) else {
            ctx.failed_states.push(entry.key.clone());
            ok = false;
            continue;
        };
        ctx.spans.record_state(path.clone(), entry.key_span, body);
        match state(ctx, &name, entry, body, &path) {
            Some(state) => {
                out.insert(name, state);
            }
            None => {
                ctx.failed_states.push(entry.key.clone());
                ok = false;
            }
        }
    }
    (ok || ctx.partial).then_some(out)
}

fn state(
    ctx: &mut Ctx,
    name: &StateName,
    entry: &Member,
    body: &Node,
    path: &StatePath,
) -> Option<State> {
    let Some(type_member) = body.get("Type") else {
        ctx.missing(
            "Type",
            &format!("state `{name}`"),
            entry.key_span,
            format!("add `\"Type\"`: one of {}", STATE_TYPES.join(", ")),
        );
        return None;
    };
    let type_name = ctx.string("Type", &type_member.value)?;
    if !STATE_TYPES.contains(&type_name.as_str()) {
        let help = match nearest(&type_name, STATE_TYPES.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("state types are {}", STATE_TYPES.join(", ")),
        };
        ctx.push(LoadError::UnknownStateType {
            state: name.to_string(),
            found: type_name,
            help,
            src: ctx.src(),
            span: type_member.value.span,
        });
        return None;
    }
    let owner = format!("{type_name} state `{name}`");
    ctx.check_fields_with(body, &allowed_fields(&type_name), &owner, |field| {
        other_types_with(field, &type_name)
    });

    let header = Header {
        comment: ctx.opt_string(body, "Comment"),
        query_language: query_language(ctx, body),
    };
    // Nested states inherit this state's language; restored once the state is decoded.
    let inherited = ctx.language;
    refuse_jsonpath_inside_jsonata(ctx, body, inherited, &owner);
    ctx.language = header.query_language.unwrap_or(inherited);
    let state = state_body(ctx, name, body, path, &type_name, &owner, header);
    ctx.language = inherited;
    state
}

/// AWS's rule: a JSONata machine (or a JSONata state's branches) may not hold JSONPath states;
/// only a JSONPath scope may mix in JSONata states.
fn refuse_jsonpath_inside_jsonata(
    ctx: &mut Ctx,
    object: &Node,
    inherited: QueryLanguage,
    owner: &str,
) {
    let Some(member) = object.get("QueryLanguage") else {
        return;
    };
    if inherited == QueryLanguage::Jsonata && member.value.as_str() == Some("JSONPath") {
        ctx.push(LoadError::JsonPathInJsonata {
            owner: owner.to_string(),
            help: "a JSONata state machine holds only JSONata states; remove `QueryLanguage` here and write the state with Arguments / Output, or make the machine JSONPath and set JSONata on the states that use it".to_string(),
            src: ctx.src(),
            span: member.value.span,
        });
    }
}

/// The fields read before the language of a state is known.
struct Header {
    comment: Option<String>,
    query_language: Option<QueryLanguage>,
}

fn state_body(
    ctx: &mut Ctx,
    name: &StateName,
    body: &Node,
    path: &StatePath,
    type_name: &str,
    owner: &str,
    header: Header,
) -> Option<State> {
    ctx.check_language(body, owner);
    if ctx.language == QueryLanguage::Jsonata {
        super::expressions::check_state(ctx, body);
    }
    let input_path = ctx.opt_path_or_null(body, "InputPath");
    let output_path = ctx.opt_path_or_null(body, "OutputPath");
    let assign = body.get("Assign").map(|member| ctx.assign(member));
    let output = body
        .get("Output")
        .map(|member| ctx.jsonata_value("Output", &member.value));
    let mut fields = Fields {
        ctx,
        body,
        owner,
        name,
    };
    let kind = match type_name {
        "Task" => fields.task().map(StateKind::Task),
        "Pass" => fields.pass().map(StateKind::Pass),
        "Choice" => fields.choice().map(StateKind::Choice),
        "Wait" => fields.wait().map(StateKind::Wait),
        "Succeed" => Some(StateKind::Succeed),
        "Fail" => fields.fail().map(StateKind::Fail),
        "Parallel" => fields.parallel(path).map(StateKind::Parallel),
        _ => fields.map(path).map(|map| StateKind::Map(Box::new(map))),
    };
    Some(State {
        name: name.clone(),
        comment: header.comment,
        query_language: header.query_language,
        input_path,
        output_path,
        assign: assign.map_or(Some(None), |a| a.map(Some))?,
        output: output.map_or(Some(None), |o| o.map(Some))?,
        kind: kind?,
    })
}

/// Readers for the fields of one state.
pub(super) struct Fields<'c, 'n> {
    pub(super) ctx: &'c mut Ctx,
    pub(super) body: &'n Node,
    pub(super) owner: &'n str,
    pub(super) name: &'n StateName,
}

impl<'n> Fields<'_, 'n> {
    pub(super) fn get(&self, field: &str) -> Option<&'n Member> {
        self.body.get(field)
    }

    pub(super) fn template(&mut self, field: &str) -> Option<Option<Template>> {
        match self.body.get(field) {
            Some(member) => parts::template_object(self.ctx, member).map(Some),
            None => Some(None),
        }
    }

    pub(super) fn raw(&self, field: &str) -> Option<serde_json::Value> {
        self.body.get(field).map(|member| member.value.to_value())
    }

    /// A field of JSON with `{% %}` expressions (JSONata mode): `Some(None)` when absent,
    /// `None` when it does not parse.
    pub(super) fn jsonata(&mut self, field: &str) -> Option<Option<JsonataValue>> {
        match self.body.get(field) {
            Some(member) => self.ctx.jsonata_value(field, &member.value).map(Some),
            None => Some(None),
        }
    }

    pub(super) fn transition(&mut self) -> Option<Transition> {
        if self.ctx.conflict(self.body, "Next", "End", self.owner) {
            return None;
        }
        if let Some(member) = self.body.get("Next") {
            return self
                .ctx
                .string("Next", &member.value)
                .map(|next| Transition::Next(StateName::from(next)));
        }
        if let Some(member) = self.body.get("End") {
            return match self.ctx.bool("End", &member.value)? {
                true => Some(Transition::End),
                false => {
                    self.ctx.invalid_value(
                        "End",
                        &member.value,
                        "`End` is only written as `true`; use `Next` to continue".to_string(),
                    );
                    None
                }
            };
        }
        self.ctx.missing(
            "Next",
            self.owner,
            self.body.span,
            "add `\"Next\": \"<state>\"` to continue, or `\"End\": true` to finish here"
                .to_string(),
        );
        None
    }

    pub(super) fn retry_catch(
        &mut self,
    ) -> (Option<Vec<crate::Retrier>>, Option<Vec<crate::Catcher>>) {
        let name = self.name.as_str();
        let retry = match self.body.get("Retry") {
            Some(member) => parts::retriers(self.ctx, member, name),
            None => Some(Vec::new()),
        };
        let catch = match self.body.get("Catch") {
            Some(member) => parts::catchers(self.ctx, member, name),
            None => Some(Vec::new()),
        };
        (retry, catch)
    }

    fn task(&mut self) -> Option<Task> {
        let resource = match self.get("Resource") {
            Some(member) => self.ctx.string("Resource", &member.value),
            None => {
                self.ctx.missing(
                    "Resource",
                    self.owner,
                    self.body.span,
                    "a Task names what it runs, e.g. `\"Resource\": \"arn:aws:lambda:...\"`"
                        .to_string(),
                );
                None
            }
        };
        let parameters = self.template("Parameters");
        let result_selector = self.template("ResultSelector");
        let credentials = self.template("Credentials");
        let result_path = self.ctx.opt_reference_or_null(self.body, "ResultPath");
        let timeout = self
            .ctx
            .integer_field(self.body, "TimeoutSeconds", self.owner);
        let heartbeat = self
            .ctx
            .integer_field(self.body, "HeartbeatSeconds", self.owner);
        if let (Some(IntegerField::Value(timeout)), Some(IntegerField::Value(heartbeat))) =
            (&timeout, &heartbeat)
            && let Err(help) = crate::rules::heartbeat_within_timeout(*heartbeat, *timeout)
            && let Some(member) = self.get("HeartbeatSeconds")
        {
            self.ctx
                .invalid_value("HeartbeatSeconds", &member.value, help);
        }
        let arguments = self.jsonata("Arguments");
        let (retry, catch) = self.retry_catch();
        let transition = self.transition();
        Some(Task {
            resource: resource?,
            parameters: parameters?,
            arguments: arguments?,
            result_selector: result_selector?,
            result_path,
            timeout,
            heartbeat,
            credentials: credentials?,
            retry: retry?,
            catch: catch?,
            transition: transition?,
        })
    }

    fn pass(&mut self) -> Option<Pass> {
        let parameters = self.template("Parameters");
        let result_path = self.ctx.opt_reference_or_null(self.body, "ResultPath");
        let transition = self.transition();
        Some(Pass {
            parameters: parameters?,
            result: self.raw("Result"),
            result_path,
            transition: transition?,
        })
    }

    fn choice(&mut self) -> Option<Choice> {
        let default = self
            .ctx
            .opt_string(self.body, "Default")
            .map(StateName::from);
        let Some(member) = self.body.get("Choices") else {
            self.ctx.missing(
                "Choices",
                self.owner,
                self.body.span,
                "a Choice state lists its rules in `\"Choices\": [...]`".to_string(),
            );
            return None;
        };
        let rules = self.ctx.array(member)?;
        if rules.is_empty() {
            self.ctx.push(LoadError::EmptyField {
                field: "Choices".to_string(),
                owner: self.owner.to_string(),
                help: "add at least one rule; use a Pass state to move on unconditionally"
                    .to_string(),
                src: self.ctx.src(),
                span: member.value.span,
            });
            return None;
        }
        let mut choices = Vec::with_capacity(rules.len());
        let mut ok = true;
        for (index, rule) in rules.iter().enumerate() {
            let owner = format!("Choice rule {index} of state `{}`", self.name);
            match parts::choice_rule(self.ctx, rule, &owner) {
                Some(rule) => choices.push(rule),
                None => ok = false,
            }
        }
        ok.then_some(Choice { choices, default })
    }

    fn wait(&mut self) -> Option<Wait> {
        const FORMS: [&str; 4] = ["Seconds", "SecondsPath", "Timestamp", "TimestampPath"];
        let present: Vec<&Member> = FORMS.iter().filter_map(|field| self.get(field)).collect();
        let transition = self.transition();
        let wait_for = match present.as_slice() {
            [] => {
                self.ctx.missing(
                    "Seconds",
                    self.owner,
                    self.body.span,
                    "a Wait state needs one of Seconds, SecondsPath, Timestamp, TimestampPath"
                        .to_string(),
                );
                None
            }
            [member] => self.wait_for(member),
            [first, second, ..] => {
                self.ctx.push(LoadError::ConflictingFields {
                    first: first.key.clone(),
                    second: second.key.clone(),
                    owner: self.owner.to_string(),
                    help: "a Wait state waits one way: keep exactly one of Seconds, SecondsPath, Timestamp, TimestampPath".to_string(),
                    src: self.ctx.src(),
                    first_span: first.key_span,
                    span: second.key_span,
                });
                None
            }
        };
        Some(Wait {
            wait_for: wait_for?,
            transition: transition?,
        })
    }

    fn wait_for(&mut self, member: &Member) -> Option<WaitFor> {
        let field = member.key.as_str();
        let value = &member.value;
        match field {
            "Seconds" => self
                .ctx
                .integer_field(self.body, "Seconds", self.owner)
                .map(WaitFor::Seconds),
            "SecondsPath" => self
                .ctx
                .integer_field(self.body, "Seconds", self.owner)
                .map(WaitFor::Seconds),
            "Timestamp"
                if self.ctx.language == QueryLanguage::Jsonata && is_jsonata_node(value) =>
            {
                self.ctx
                    .jsonata_string(field, value)
                    .map(|text| WaitFor::Timestamp(TimestampField::Jsonata(text)))
            }
            "Timestamp" => self
                .ctx
                .timestamp(field, value)
                .map(|text| WaitFor::Timestamp(TimestampField::Value(text))),
            _ => self
                .ctx
                .reference_path(field, value)
                .map(|path| WaitFor::Timestamp(TimestampField::Path(path))),
        }
    }

    fn fail(&mut self) -> Option<Fail> {
        let error = self.text_field("Error");
        let cause = self.text_field("Cause");
        Some(Fail {
            error: error?,
            cause: cause?,
        })
    }

    /// Error/ErrorPath, Cause/CausePath: text, or a reference path or intrinsic call.
    fn text_field(&mut self, field: &str) -> Option<Option<TextField>> {
        let path_field = format!("{field}Path");
        if self.ctx.conflict(self.body, field, &path_field, self.owner) {
            return None;
        }
        if let Some(member) = self.body.get(field) {
            if self.ctx.language == QueryLanguage::Jsonata && is_jsonata_node(&member.value) {
                return self
                    .ctx
                    .jsonata_string(field, &member.value)
                    .map(|text| Some(TextField::Jsonata(text)));
            }
            return self
                .ctx
                .string(field, &member.value)
                .map(|text| Some(TextField::Value(text)));
        }
        let Some(member) = self.body.get(&path_field) else {
            return Some(None);
        };
        let text = self.ctx.string(&path_field, &member.value)?;
        if crate::intrinsic::IntrinsicCall::looks_like_call(&text) {
            self.ctx
                .intrinsic(&path_field, &member.value)
                .map(|call| Some(TextField::Intrinsic(call)))
        } else {
            self.ctx
                .reference_path(&path_field, &member.value)
                .map(|path| Some(TextField::Path(path)))
        }
    }

    fn parallel(&mut self, path: &StatePath) -> Option<Parallel> {
        let branches = match self.body.get("Branches") {
            Some(member) => self.branches(member, path),
            None => {
                self.ctx.missing(
                    "Branches",
                    self.owner,
                    self.body.span,
                    "a Parallel state runs `\"Branches\": [{\"StartAt\": ..., \"States\": {...}}]`"
                        .to_string(),
                );
                None
            }
        };
        let parameters = self.template("Parameters");
        let arguments = self.jsonata("Arguments");
        let result_selector = self.template("ResultSelector");
        let result_path = self.ctx.opt_reference_or_null(self.body, "ResultPath");
        let (retry, catch) = self.retry_catch();
        let transition = self.transition();
        Some(Parallel {
            branches: branches?,
            parameters: parameters?,
            arguments: arguments?,
            result_selector: result_selector?,
            result_path,
            retry: retry?,
            catch: catch?,
            transition: transition?,
        })
    }

    fn branches(&mut self, member: &Member, path: &StatePath) -> Option<Vec<Branch>> {
        let items = self.ctx.array(member)?;
        if items.is_empty() {
            self.ctx.push(LoadError::EmptyField {
                field: "Branches".to_string(),
                owner: self.owner.to_string(),
                help: "a Parallel state needs at least one branch".to_string(),
                src: self.ctx.src(),
                span: member.value.span,
            });
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (index, item) in items.iter().enumerate() {
            let owner = format!("branch {index} of state `{}`", self.name);
            if item.members().is_none() {
                self.ctx.wrong_type("Branches", "an array of objects", item);
                ok = false;
                continue;
            }
            self.ctx.check_fields(
                item,
                &["Comment", "QueryLanguage", "StartAt", "States"],
                &owner,
            );
            match branch(self.ctx, item, &owner, path, index) {
                Some(branch) => out.push(branch),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
}

pub(super) fn branch(
    ctx: &mut Ctx,
    object: &Node,
    owner: &str,
    parent: &StatePath,
    index: usize,
) -> Option<Branch> {
    let comment = ctx.opt_string(object, "Comment");
    let query_language = query_language(ctx, object);
    let inherited = ctx.language;
    refuse_jsonpath_inside_jsonata(ctx, object, inherited, owner);
    ctx.language = query_language.unwrap_or(inherited);
    let (start_at, states) = graph(ctx, object, owner, Some((parent, index)));
    ctx.language = inherited;
    Some(Branch {
        comment,
        query_language,
        start_at: start_at?,
        states: states?,
    })
}
