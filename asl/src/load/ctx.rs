//! The decoder's context: collected errors and the typed field readers every part uses.

use super::error::{LoadError, Source};
use super::json::{Member, Node, NodeValue};
use crate::assign::Assign;
use crate::intrinsic::IntrinsicCall;
use crate::jsonata_value::{JsonataString, JsonataValue};
use crate::model::{IntegerField, NumberField, PathOrNull, QueryLanguage};
use crate::path::{JsonPath, PathError, ReferencePath};
use crate::spans::SpanTable;
use miette::SourceSpan;

pub struct Ctx {
    pub src: Source,
    pub errors: Vec<LoadError>,
    pub spans: SpanTable,
    /// The query language in effect for the state being decoded (its own `QueryLanguage`, or
    /// the enclosing state's, or the machine's; JSONPath by default).
    pub language: QueryLanguage,
    /// Keep the states that decoded when others did not ([`crate::load::load_partial`]);
    /// the names of those that did not are in `failed_states`.
    pub partial: bool,
    pub failed_states: Vec<String>,
}

/// A JSONata expression string: `{% ... %}`.
pub fn is_jsonata(text: &str) -> bool {
    let trimmed = text.trim();
    trimmed.starts_with("{%") && trimmed.ends_with("%}")
}

/// A string node holding a `{% ... %}` expression.
pub fn is_jsonata_node(node: &Node) -> bool {
    node.as_str().is_some_and(is_jsonata)
}

impl Ctx {
    pub fn new(src: Source) -> Self {
        Self {
            src,
            errors: Vec::new(),
            spans: SpanTable::default(),
            language: QueryLanguage::JsonPath,
            partial: false,
            failed_states: Vec::new(),
        }
    }

    pub fn src(&self) -> Source {
        self.src.clone()
    }

    pub fn push(&mut self, error: LoadError) {
        self.errors.push(error);
    }

    pub fn wrong_type(&mut self, field: &str, expected: &str, node: &Node) {
        let help = format!("write `{field}` as {expected}");
        self.push(LoadError::WrongType {
            field: field.to_string(),
            expected: expected.to_string(),
            found: node.kind_name().to_string(),
            help,
            src: self.src(),
            span: node.span,
        });
    }

    pub fn missing(&mut self, field: &str, owner: &str, span: SourceSpan, help: String) {
        self.push(LoadError::MissingField {
            field: field.to_string(),
            owner: owner.to_string(),
            help,
            src: self.src(),
            span,
        });
    }

    /// Reports every member of `object` whose key is not in `allowed`, suggesting the nearest
    /// allowed key.
    pub fn check_fields(&mut self, object: &Node, allowed: &[&str], owner: &str) {
        self.check_fields_with(object, allowed, owner, |_| None);
    }

    /// Like [`Ctx::check_fields`]; `explain` may say where an unknown field does belong (a
    /// field of another state type, `Next` in a nested rule) and overrides "did you mean".
    pub fn check_fields_with(
        &mut self,
        object: &Node,
        allowed: &[&str],
        owner: &str,
        explain: impl Fn(&str) -> Option<String>,
    ) {
        let Some(members) = object.members() else {
            return;
        };
        for member in members {
            if allowed.contains(&member.key.as_str()) {
                continue;
            }
            let help = explain(&member.key).unwrap_or_else(|| {
                match nearest(&member.key, allowed.iter().copied()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("{owner} accepts: {}", allowed.join(", ")),
                }
            });
            self.push(LoadError::UnknownField {
                field: member.key.clone(),
                owner: owner.to_string(),
                help,
                src: self.src(),
                span: member.key_span,
            });
        }
    }

    /// Reports fields of `object` that belong to the other query language: JSONPath states
    /// have no Arguments / Output / Items / Condition, JSONata states no InputPath, Parameters,
    /// ResultSelector, ResultPath, OutputPath or `...Path` fields.
    pub fn check_language(&mut self, object: &Node, owner: &str) {
        const JSONPATH_ONLY: [&str; 16] = [
            "InputPath",
            "OutputPath",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "ItemsPath",
            "SecondsPath",
            "TimestampPath",
            "TimeoutSecondsPath",
            "HeartbeatSecondsPath",
            "ErrorPath",
            "CausePath",
            "MaxConcurrencyPath",
            "ToleratedFailurePercentagePath",
            "ToleratedFailureCountPath",
            "Variable",
        ];
        const JSONATA_ONLY: [&str; 4] = ["Arguments", "Output", "Items", "Condition"];
        let Some(members) = object.members() else {
            return;
        };
        let (foreign, help): (&[&str], &str) = match self.language {
            QueryLanguage::JsonPath => (
                &JSONATA_ONLY,
                "this is a JSONata field; set `\"QueryLanguage\": \"JSONata\"` on the state or the machine, or use the JSONPath fields (Parameters, ResultSelector, ResultPath, OutputPath, ItemsPath, Variable)",
            ),
            QueryLanguage::Jsonata => (
                &JSONPATH_ONLY,
                "JSONata states use `Arguments` and `Output` with `{% ... %}` expressions instead of the JSONPath fields",
            ),
        };
        for member in members {
            if foreign.contains(&member.key.as_str()) {
                self.push(LoadError::WrongQueryLanguage {
                    field: member.key.clone(),
                    owner: owner.to_string(),
                    language: self.language.as_str().to_string(),
                    help: help.to_string(),
                    src: self.src(),
                    span: member.key_span,
                });
            }
        }
    }

    /// Reports `a` and `b` both present; returns true when they conflict.
    pub fn conflict(&mut self, object: &Node, a: &str, b: &str, owner: &str) -> bool {
        let (Some(first), Some(second)) = (object.get(a), object.get(b)) else {
            return false;
        };
        self.push(LoadError::ConflictingFields {
            first: a.to_string(),
            second: b.to_string(),
            owner: owner.to_string(),
            help: format!("`{a}` and `{b}` are alternatives; keep one of them"),
            src: self.src(),
            first_span: first.key_span,
            span: second.key_span,
        });
        true
    }

    /// The member's value as an object node, or a wrong-type error.
    pub fn object<'a>(&mut self, member: &'a Member) -> Option<&'a Node> {
        match member.value.value {
            NodeValue::Object(_) => Some(&member.value),
            _ => {
                self.wrong_type(&member.key, "an object", &member.value);
                None
            }
        }
    }

    pub fn array<'a>(&mut self, member: &'a Member) -> Option<&'a [Node]> {
        match &member.value.value {
            NodeValue::Array(items) => Some(items),
            _ => {
                self.wrong_type(&member.key, "an array", &member.value);
                None
            }
        }
    }

    pub fn string(&mut self, field: &str, node: &Node) -> Option<String> {
        match node.as_str() {
            Some(text) => Some(text.to_string()),
            None => {
                self.wrong_type(field, "a string", node);
                None
            }
        }
    }

    pub fn bool(&mut self, field: &str, node: &Node) -> Option<bool> {
        match node.value {
            NodeValue::Bool(value) => Some(value),
            _ => {
                self.wrong_type(field, "true or false", node);
                None
            }
        }
    }

    /// An optional string field of `object`.
    pub fn opt_string(&mut self, object: &Node, field: &str) -> Option<String> {
        let member = object.get(field)?;
        self.string(field, &member.value)
    }

    /// A non-negative integer (seconds, counts): negative and fractional numbers are errors.
    pub fn uint(&mut self, field: &str, node: &Node) -> Option<u64> {
        let NodeValue::Number(number) = &node.value else {
            self.wrong_type(field, "a non-negative integer", node);
            return None;
        };
        let minimum = crate::rules::Seconds::from_field(field).map_or(0, |s| s.minimum());
        if let Some(value) = number.as_u64().filter(|value| *value >= minimum) {
            return Some(value);
        }
        let expected = if minimum > 0 {
            "a positive integer"
        } else {
            "a non-negative integer"
        };
        self.push(LoadError::InvalidNumber {
            field: field.to_string(),
            expected: expected.to_string(),
            found: number.to_string(),
            src: self.src(),
            span: node.span,
        });
        None
    }

    pub fn opt_uint(&mut self, object: &Node, field: &str) -> Option<u64> {
        let member = object.get(field)?;
        self.uint(field, &member.value)
    }

    /// A number as written (its JSON spelling kept: `2.0` is not `2`).
    pub fn written_number(&mut self, field: &str, node: &Node) -> Option<serde_json::Number> {
        match &node.value {
            NodeValue::Number(number) => Some(number.clone()),
            _ => {
                self.wrong_type(field, "a number", node);
                None
            }
        }
    }

    fn path_error(&mut self, field: &str, node: &Node, error: PathError, reference: bool) {
        let help = if reference {
            "a reference path selects one node: `$`, `$.field`, `$.list[0]`, `$$.Execution.Id`; no wildcards, filters or slices"
        } else {
            "paths start with `$` (the input) or `$$` (the context object), e.g. `$.order.items[0]`"
        };
        self.push(LoadError::InvalidPath {
            field: field.to_string(),
            message: error.message,
            help: help.to_string(),
            src: self.src(),
            span: node.offset_span(error.offset),
        });
    }

    pub fn json_path(&mut self, field: &str, node: &Node) -> Option<JsonPath> {
        let text = self.string(field, node)?;
        match JsonPath::parse(&text) {
            Ok(path) => Some(path),
            Err(error) => {
                self.path_error(field, node, error, false);
                None
            }
        }
    }

    pub fn reference_path(&mut self, field: &str, node: &Node) -> Option<ReferencePath> {
        let text = self.string(field, node)?;
        match ReferencePath::parse(&text) {
            Ok(path) => Some(path),
            Err(error) => {
                self.path_error(field, node, error, true);
                None
            }
        }
    }

    pub fn intrinsic(&mut self, field: &str, node: &Node) -> Option<IntrinsicCall> {
        let text = self.string(field, node)?;
        match IntrinsicCall::parse(&text) {
            Ok(call) => Some(call),
            Err(error) => {
                self.push(LoadError::InvalidIntrinsic {
                    field: field.to_string(),
                    message: error.message,
                    src: self.src(),
                    span: node.offset_span(error.offset),
                });
                None
            }
        }
    }

    /// InputPath / OutputPath: a path, or `null`.
    pub fn opt_path_or_null(&mut self, object: &Node, field: &str) -> Option<PathOrNull<JsonPath>> {
        let member = object.get(field)?;
        match member.value.value {
            NodeValue::Null => Some(PathOrNull::Null),
            _ => self.json_path(field, &member.value).map(PathOrNull::Path),
        }
    }

    /// ResultPath: a reference path, or `null`.
    pub fn opt_reference_or_null(
        &mut self,
        object: &Node,
        field: &str,
    ) -> Option<PathOrNull<ReferencePath>> {
        let member = object.get(field)?;
        match member.value.value {
            NodeValue::Null => Some(PathOrNull::Null),
            _ => {
                let path = self.reference_path(field, &member.value)?;
                if let Some(name) = path.variable() {
                    self.push(LoadError::VariableNotAllowed {
                        field: field.to_string(),
                        name: name.to_string(),
                        help: format!(
                            "`{field}` says where the result goes in the state's output; set variables with `\"Assign\": {{\"{name}.$\": \"$\"}}` instead"
                        ),
                        src: self.src(),
                        span: member.value.span,
                    });
                    return None;
                }
                Some(PathOrNull::Path(path))
            }
        }
    }

    /// `<field>` (integer or JSONata string) or `<field>Path` (reference path), not both.
    pub fn integer_field(
        &mut self,
        object: &Node,
        field: &str,
        owner: &str,
    ) -> Option<IntegerField> {
        let path_field = format!("{field}Path");
        if self.conflict(object, field, &path_field, owner) {
            return None;
        }
        if let Some(member) = object.get(field) {
            if self.language == QueryLanguage::Jsonata && is_jsonata_node(&member.value) {
                return self
                    .jsonata_string(field, &member.value)
                    .map(IntegerField::Jsonata);
            }
            return self.uint(field, &member.value).map(IntegerField::Value);
        }
        let member = object.get(&path_field)?;
        self.reference_path(&path_field, &member.value)
            .map(IntegerField::Path)
    }

    /// Like [`Ctx::integer_field`] for numbers that may be fractional (percentages).
    pub fn number_field(&mut self, object: &Node, field: &str, owner: &str) -> Option<NumberField> {
        let path_field = format!("{field}Path");
        if self.conflict(object, field, &path_field, owner) {
            return None;
        }
        if let Some(member) = object.get(field) {
            if self.language == QueryLanguage::Jsonata && is_jsonata_node(&member.value) {
                return self
                    .jsonata_string(field, &member.value)
                    .map(NumberField::Jsonata);
            }
            return self
                .written_number(field, &member.value)
                .map(NumberField::Value);
        }
        let member = object.get(&path_field)?;
        self.reference_path(&path_field, &member.value)
            .map(NumberField::Path)
    }

    /// The value of a field of a JSONata state, its `{% %}` strings parsed. Their syntax and
    /// dialect errors are reported, with spans inside each string, by
    /// `expressions::check_state`, which walks every field of a JSONata state; a value that
    /// does not parse is only refused here (reported once more, on the whole value, should the
    /// walk ever have missed it).
    pub fn jsonata_value(&mut self, field: &str, node: &Node) -> Option<JsonataValue> {
        match JsonataValue::from_json(field, &node.to_value()) {
            Ok(value) => Some(value),
            Err(errors) => {
                for error in errors {
                    self.unreported_syntax_error(&error.field, error.error, node);
                }
                None
            }
        }
    }

    /// A `{% ... %}` string of a JSONata state (see [`Ctx::jsonata_value`] for its errors).
    pub fn jsonata_string(&mut self, field: &str, node: &Node) -> Option<JsonataString> {
        let text = self.string(field, node)?;
        match JsonataString::parse(&text) {
            Ok(Some(string)) => Some(string),
            Ok(None) => {
                self.invalid_value(
                    field,
                    node,
                    "write a JSONata expression as `\"{% ... %}\"`".to_string(),
                );
                None
            }
            Err(error) => {
                self.unreported_syntax_error(field, error, node);
                None
            }
        }
    }

    fn unreported_syntax_error(
        &mut self,
        field: &str,
        error: crate::jsonata::SyntaxError,
        node: &Node,
    ) {
        let start = node.span.offset();
        let end = start + node.span.len();
        let reported = self.errors.iter().any(|e| {
            matches!(
                e,
                LoadError::JsonataSyntax { .. } | LoadError::JsonataDialect { .. }
            ) && (start..=end).contains(&e.span().offset())
        });
        if !reported {
            self.push(LoadError::JsonataSyntax {
                field: field.to_string(),
                code: error.code,
                message: error.message,
                src: self.src(),
                span: node.span,
            });
        }
    }

    /// `Assign` of a state, a Choice rule or a catcher: a payload template in a JSONPath
    /// state, JSON with expressions in a JSONata one; names and literal sizes checked.
    pub fn assign(&mut self, member: &Member) -> Option<Assign> {
        let node = self.object(member)?;
        self.assign_names(node);
        let assign = match self.language {
            QueryLanguage::JsonPath => Assign::JsonPath(super::parts::template(self, node)?),
            QueryLanguage::Jsonata => {
                let members = node.members().unwrap_or_default();
                let mut values = Vec::with_capacity(members.len());
                for entry in members {
                    let field = format!("Assign/{}", entry.key);
                    values.push((entry.key.clone(), self.jsonata_value(&field, &entry.value)?));
                }
                Assign::Jsonata(values)
            }
        };
        self.assign_size(member);
        Some(assign)
    }

    fn assign_names(&mut self, node: &Node) {
        for entry in node.members().unwrap_or_default() {
            let name = match self.language {
                QueryLanguage::JsonPath => entry.key.strip_suffix(".$").unwrap_or(&entry.key),
                QueryLanguage::Jsonata => &entry.key,
            };
            if let Some(help) = crate::assign::name_problem(name) {
                self.push(LoadError::InvalidVariableName {
                    name: name.to_string(),
                    field: "Assign".to_string(),
                    help,
                    src: self.src(),
                    span: entry.key_span,
                });
            }
        }
    }

    /// AWS's limits on what one `Assign` sets, as far as the definition shows it: one literal
    /// value, or all literal values together, over 256 KiB of JSON text. (Values computed at run
    /// time are the simulator's to measure.)
    fn assign_size(&mut self, member: &Member) {
        let limit = crate::assign::MAX_ASSIGN_BYTES;
        let mut total = 0;
        for entry in member.value.members().unwrap_or_default() {
            let size = serde_json::to_string(&entry.value.to_value()).map_or(0, |t| t.len());
            total += size;
            if size > limit {
                self.push(LoadError::AssignTooLarge {
                    field: format!("Assign/{}", entry.key),
                    size,
                    limit,
                    help: "one variable holds at most 256 KiB; keep large data in S3 or DynamoDB and assign its key".to_string(),
                    src: self.src(),
                    span: entry.key_span,
                });
                return;
            }
        }
        if total > limit {
            self.push(LoadError::AssignTooLarge {
                field: "Assign".to_string(),
                size: total,
                limit,
                help: "one Assign sets at most 256 KiB in total; split the variables over several states".to_string(),
                src: self.src(),
                span: member.key_span,
            });
        }
    }

    /// A timestamp literal (Wait `Timestamp`, `Timestamp*` comparisons), checked at load time
    /// as AWS checks it when the state machine is created.
    pub fn timestamp(&mut self, field: &str, node: &Node) -> Option<String> {
        let text = self.string(field, node)?;
        match crate::rules::timestamp(&text) {
            Ok(()) => Some(text),
            Err(help) => {
                self.invalid_value(field, node, help.to_string());
                None
            }
        }
    }

    pub fn invalid_value(&mut self, field: &str, node: &Node, help: String) {
        // The value as written for a scalar ("`0`"), its kind for an array or object: the
        // kind alone ("the invalid value a number") leaves the reader to find which.
        let found = match &node.value {
            NodeValue::String { value, .. } => format!("`{value}`"),
            NodeValue::Number(number) => format!("`{number}`"),
            NodeValue::Bool(value) => format!("`{value}`"),
            NodeValue::Null => "`null`".to_string(),
            NodeValue::Array(_) | NodeValue::Object(_) => node.kind_name().to_string(),
        };
        self.push(LoadError::InvalidValue {
            field: field.to_string(),
            found,
            help,
            src: self.src(),
            span: node.span,
        });
    }

    /// An enumerated string value (`FULL`/`NONE`, `INLINE`/`DISTRIBUTED`...).
    pub fn enum_value<T>(
        &mut self,
        object: &Node,
        field: &str,
        allowed: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let member = object.get(field)?;
        let text = self.string(field, &member.value)?;
        match parse(&text) {
            Some(value) => Some(value),
            None => {
                let help = match nearest(&text, allowed.iter().copied()) {
                    Some(near) => format!("did you mean `{near}`? allowed: {}", allowed.join(", ")),
                    None => format!("allowed values: {}", allowed.join(", ")),
                };
                self.invalid_value(field, &member.value, help);
                None
            }
        }
    }
}

/// The candidate closest to `word`, when it is close enough to be a plausible typo.
pub fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .map(|candidate| {
            let score = strsim::jaro_winkler(&lower, &candidate.to_lowercase());
            (candidate, score)
        })
        .filter(|(_, score)| *score >= 0.8)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(candidate, _)| candidate)
}
