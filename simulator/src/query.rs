//! The query-language seam of JSONPath mode: everything the engine asks of it (select a node
//! for a field, apply InputPath / OutputPath / ResultPath) goes through `Scope` and the
//! functions here. A path reads the data its field applies to (`$`), the context object (`$$`)
//! or a workflow variable (`$name`); [`Roots`] carries the last two. JSONata mode is the second
//! implementation (`crate::jsonata`).

use crate::doc::Doc;
use crate::jsonpath::Path;
use crate::vars::Vars;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use std::borrow::Cow;

/// What a state's paths may read besides the data a field applies to: the context object
/// (`Value::Null` for a state that never reads it) and the variables as the state was entered.
#[derive(Debug, Clone, Default)]
pub struct Roots {
    pub(crate) context: Value,
    pub(crate) vars: Vars,
}

impl Roots {
    pub(crate) fn new(context: Value, vars: Vars) -> Self {
        Self { context, vars }
    }
}

/// The value a path starts from, when it does not start from the input.
enum Start<'v> {
    Input,
    Value(&'v Value),
}

/// Where `path` starts: the input, the context object, or its variable's value (an error
/// naming the variable when no state has assigned it).
fn start<'v>(path: &Path, roots: &'v Roots) -> Result<Start<'v>, String> {
    if path.is_context() {
        return Ok(Start::Value(&roots.context));
    }
    match path.variable() {
        None => Ok(Start::Input),
        Some(name) => roots
            .vars
            .get(name)
            .map(Start::Value)
            .ok_or_else(|| format!("The variable '${name}' is not defined")),
    }
}

/// A JSONPath state's effective input and roots as its Choice rules read them (flowc-asl
/// evaluates the rules; this says where `$`, `$$` and `$name` are and walks the document).
pub struct ChoiceView<'a> {
    pub input: &'a Doc,
    pub roots: &'a Roots,
}

impl flowc_asl::ChoiceInput for ChoiceView<'_> {
    fn select(&self, path: &flowc_asl::path::ReferencePath) -> Option<Cow<'_, Value>> {
        use flowc_asl::path::PathRoot;
        match path.root() {
            PathRoot::Input => {
                crate::jsonpath::walk_steps(self.input, path.steps()).map(|n| n.to_cow())
            }
            PathRoot::Context => path.get(&self.roots.context).ok().map(Cow::Borrowed),
            PathRoot::Variable(name) => {
                path.get(self.roots.vars.get(name)?).ok().map(Cow::Borrowed)
            }
        }
    }
}

/// Why evaluating part of a state failed; the engine turns it into a `Failure`.
#[derive(Debug, Clone, PartialEq)]
pub enum EvalError {
    /// `States.Runtime`; the text follows "An error occurred while executing the state ...".
    Runtime(String),
    /// An intrinsic function failed; AWS reports these as `States.Runtime` too.
    Intrinsic(String),
    /// ResultPath cannot be applied to the input: `States.ResultPathMatchFailure` (catchable).
    ResultPath(String),
    /// A JSONata expression failed: `States.QueryEvaluationError`.
    Query(crate::jsonata::QueryError),
}

/// What paths are evaluated against: the effective input, and the context object and
/// variables.
pub struct Scope<'a> {
    pub input: &'a Doc,
    pub roots: &'a Roots,
    pub rng: &'a mut ChaCha8Rng,
}

/// Selection as InputPath / OutputPath / ItemsPath / `*Path` fields see it (no random numbers
/// involved, so no generator needed); a node named by member names stays shared.
pub fn select_path(path: &Path, input: &Doc, roots: &Roots) -> Result<Doc, EvalError> {
    let invalid = |e: String| EvalError::Runtime(format!("Invalid path '{}' : {e}", path.as_str()));
    match start(path, roots).map_err(invalid)? {
        Start::Input => path.select_doc(input),
        Start::Value(value) => path.select(value).map(Doc::from),
    }
    .map_err(|e| invalid(e.to_string()))
}

/// As [`select_path`], as a value (borrowed where the path names a node).
pub fn select_value<'v>(
    path: &Path,
    input: &'v Doc,
    roots: &'v Roots,
) -> Result<Cow<'v, Value>, EvalError> {
    let invalid = |e: String| EvalError::Runtime(format!("Invalid path '{}' : {e}", path.as_str()));
    match start(path, roots).map_err(invalid)? {
        Start::Input => path.select_doc_cow(input),
        Start::Value(value) => path.select_cow(value),
    }
    .map_err(|e| invalid(e.to_string()))
}

/// A path argument of an intrinsic function, as a value.
pub fn select_argument(
    path: &flowc_asl::path::JsonPath,
    input: &Doc,
    roots: &Roots,
) -> Result<Value, flowc_asl::path::PathEvalError> {
    use flowc_asl::path::{PathEvalError, PathRoot};
    match path.root() {
        PathRoot::Input => crate::jsonpath::select_in_doc(path, input),
        PathRoot::Context => path.select(&roots.context),
        PathRoot::Variable(name) => match roots.vars.get(name) {
            Some(value) => path.select(value),
            None => Err(PathEvalError::NoResults {
                path: path.as_str().to_string(),
            }),
        },
    }
}

/// AWS's cause when a `.$` field (or an intrinsic argument) names a path that is not there.
pub fn not_found(path: &str, field: &str, input: &Doc) -> EvalError {
    EvalError::Runtime(format!(
        "The JSONPath '{path}' specified for the field '{field}' could not be found in the input '{}'",
        input.to_text()
    ))
}

impl<'a> Scope<'a> {
    /// Selection as `.$` fields and intrinsic arguments see it: a missing definite path is an
    /// error naming the path and the field.
    pub fn select_for_field(&self, path: &Path, field: &str) -> Result<Value, EvalError> {
        self.select_for_field_cow(path, field).map(Cow::into_owned)
    }

    /// As [`Self::select_for_field`], borrowing the selected node when the path names one.
    pub fn select_for_field_cow(
        &self,
        path: &Path,
        field: &str,
    ) -> Result<Cow<'a, Value>, EvalError> {
        let selected = match start(path, self.roots) {
            Ok(Start::Input) => path.select_doc_cow(self.input),
            Ok(Start::Value(value)) => path.select_cow(value),
            Err(_) => return Err(not_found(path.as_str(), field, self.input)),
        };
        selected.map_err(|_| not_found(path.as_str(), field, self.input))
    }

    /// As [`Self::select_for_field`], as a document (a node named by member names stays
    /// shared).
    pub fn select_for_field_doc(&self, path: &Path, field: &str) -> Result<Doc, EvalError> {
        let selected = match start(path, self.roots) {
            Ok(Start::Input) => path.select_doc(self.input),
            Ok(Start::Value(value)) => path.select(value).map(Doc::from),
            Err(_) => return Err(not_found(path.as_str(), field, self.input)),
        };
        selected.map_err(|_| not_found(path.as_str(), field, self.input))
    }
}
