//! The query-language seam: everything the engine asks of JSONPath mode (select a node for a
//! field, apply InputPath / OutputPath / ResultPath) goes through `Scope`. JSONata mode will
//! be a second implementation of the same questions; today it is refused at load time.

use crate::doc::Doc;
use crate::jsonpath::Path;
use rand::RngCore;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use std::borrow::Cow;

/// Why evaluating part of a state failed; the engine turns it into a `Failure`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// `States.Runtime`; the text follows "An error occurred while executing the state ...".
    Runtime(String),
    /// An intrinsic function failed; AWS reports these as `States.Runtime` too.
    Intrinsic(String),
    /// ResultPath cannot be applied to the input: `States.ResultPathMatchFailure` (catchable).
    ResultPath(String),
}

/// What paths are evaluated against: the effective input and the context object.
pub struct Scope<'a> {
    pub input: &'a Doc,
    pub context: &'a Value,
    pub rng: &'a mut ChaCha8Rng,
}

/// Selection as InputPath / OutputPath / ItemsPath / `*Path` fields see it (no random numbers
/// involved, so no generator needed); a node named by member names stays shared.
pub fn select_path(path: &Path, input: &Doc, context: &Value) -> Result<Doc, EvalError> {
    let selected = if path.is_context() {
        path.select(context).map(Doc::from)
    } else {
        path.select_doc(input)
    };
    selected.map_err(|e| EvalError::Runtime(format!("Invalid path '{}' : {e}", path.as_str())))
}

/// As [`select_path`], as a value (borrowed where the path names a node).
pub fn select_value<'v>(
    path: &Path,
    input: &'v Doc,
    context: &'v Value,
) -> Result<Cow<'v, Value>, EvalError> {
    let selected = if path.is_context() {
        path.select_cow(context)
    } else {
        path.select_doc_cow(input)
    };
    selected.map_err(|e| EvalError::Runtime(format!("Invalid path '{}' : {e}", path.as_str())))
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
        let selected = if path.is_context() {
            path.select_cow(self.context)
        } else {
            path.select_doc_cow(self.input)
        };
        selected.map_err(|_| not_found(path.as_str(), field, self.input))
    }

    /// As [`Self::select_for_field`], as a document (a node named by member names stays
    /// shared).
    pub fn select_for_field_doc(&self, path: &Path, field: &str) -> Result<Doc, EvalError> {
        let selected = if path.is_context() {
            path.select(self.context).map(Doc::from)
        } else {
            path.select_doc(self.input)
        };
        selected.map_err(|_| not_found(path.as_str(), field, self.input))
    }

    /// Selection as InputPath / OutputPath / ItemsPath / `*Path` fields see it.
    pub fn select_path(&self, path: &Path) -> Result<Doc, EvalError> {
        select_path(path, self.input, self.context)
    }

    pub fn random_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }
}
