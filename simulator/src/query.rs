//! The query-language seam: everything the engine asks of JSONPath mode (select a node for a
//! field, apply InputPath / OutputPath / ResultPath) goes through `Scope`. JSONata mode will
//! be a second implementation of the same questions; today it is refused at load time.

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
    pub input: &'a Value,
    pub context: &'a Value,
    pub rng: &'a mut ChaCha8Rng,
}

fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Selection as InputPath / OutputPath / ItemsPath / `*Path` fields see it (no random numbers
/// involved, so no generator needed).
pub fn select_path(path: &Path, input: &Value, context: &Value) -> Result<Value, EvalError> {
    let root = if path.is_context() { context } else { input };
    path.select(root)
        .map_err(|e| EvalError::Runtime(format!("Invalid path '{}' : {e}", path.as_str())))
}

/// AWS's cause when a `.$` field (or an intrinsic argument) names a path that is not there.
pub fn not_found(path: &str, field: &str, input: &Value) -> EvalError {
    EvalError::Runtime(format!(
        "The JSONPath '{path}' specified for the field '{field}' could not be found in the input '{}'",
        compact(input)
    ))
}

impl<'a> Scope<'a> {
    fn root(&self, path: &Path) -> &Value {
        if path.is_context() {
            self.context
        } else {
            self.input
        }
    }

    /// Selection as `.$` fields and intrinsic arguments see it: a missing definite path is an
    /// error naming the path and the field.
    pub fn select_for_field(&self, path: &Path, field: &str) -> Result<Value, EvalError> {
        path.select(self.root(path))
            .map_err(|_| not_found(path.as_str(), field, self.input))
    }

    /// As [`Self::select_for_field`], borrowing the selected node when the path names one.
    pub fn select_for_field_cow(
        &self,
        path: &Path,
        field: &str,
    ) -> Result<Cow<'a, Value>, EvalError> {
        let root: &'a Value = if path.is_context() {
            self.context
        } else {
            self.input
        };
        path.select_cow(root)
            .map_err(|_| not_found(path.as_str(), field, self.input))
    }

    /// Selection as InputPath / OutputPath / ItemsPath / `*Path` fields see it.
    pub fn select_path(&self, path: &Path) -> Result<Value, EvalError> {
        select_path(path, self.input, self.context)
    }

    pub fn random_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }
}
