//! Intrinsic functions (`States.Format(...)` and the other 17): parsing, and evaluation over JSON.
//!
//! A call is parsed once (function names and fixed argument counts are checked then, as AWS
//! checks them when a definition is created) and evaluated per execution against the state
//! input, the context object and a caller-provided random source, so runs are reproducible.

mod eval;
pub use eval::json_eq;

pub(crate) use eval::{hash, partition, range, uuid};
mod parse;
#[cfg(test)]
mod tests;

use std::fmt;

use serde_json::Value;

use crate::path::{JsonPath, PathEvalError};

/// Why an intrinsic call failed to parse; `offset` is a byte offset into the call text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntrinsicError {
    pub message: String,
    pub offset: usize,
}

impl fmt::Display for IntrinsicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at offset {})", self.message, self.offset)
    }
}

impl std::error::Error for IntrinsicError {}

/// Why evaluating a call failed. [`IntrinsicEvalError::error_name`] gives the AWS error it
/// raises; the `Display` text is the cause (for a missing path the simulator wraps it in AWS's
/// "The JSONPath '...' specified for the field '...' could not be found" sentence).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntrinsicEvalError {
    /// A path argument selects nothing: `States.Runtime`.
    #[error("The JSONPath '{path}' could not be found: {source}")]
    PathNotFound {
        path: String,
        #[source]
        source: PathEvalError,
    },
    /// Arguments of the wrong type or out of range: `States.IntrinsicFailure`.
    #[error("{message}")]
    Failure { function: Function, message: String },
}

impl IntrinsicEvalError {
    /// The AWS error name this failure raises.
    pub fn error_name(&self) -> &'static str {
        match self {
            IntrinsicEvalError::PathNotFound { .. } => "States.Runtime",
            IntrinsicEvalError::Failure { .. } => "States.IntrinsicFailure",
        }
    }
}

/// The 18 intrinsic functions of JSONPath-mode ASL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    Format,
    StringToJson,
    JsonToString,
    Array,
    ArrayPartition,
    ArrayContains,
    ArrayRange,
    ArrayGetItem,
    ArrayLength,
    ArrayUnique,
    Base64Encode,
    Base64Decode,
    Hash,
    JsonMerge,
    MathRandom,
    MathAdd,
    StringSplit,
    Uuid,
}

impl Function {
    pub const ALL: [Function; 18] = [
        Function::Format,
        Function::StringToJson,
        Function::JsonToString,
        Function::Array,
        Function::ArrayPartition,
        Function::ArrayContains,
        Function::ArrayRange,
        Function::ArrayGetItem,
        Function::ArrayLength,
        Function::ArrayUnique,
        Function::Base64Encode,
        Function::Base64Decode,
        Function::Hash,
        Function::JsonMerge,
        Function::MathRandom,
        Function::MathAdd,
        Function::StringSplit,
        Function::Uuid,
    ];

    /// The full name as written in ASL, e.g. `States.Format`.
    pub fn name(self) -> &'static str {
        match self {
            Function::Format => "States.Format",
            Function::StringToJson => "States.StringToJson",
            Function::JsonToString => "States.JsonToString",
            Function::Array => "States.Array",
            Function::ArrayPartition => "States.ArrayPartition",
            Function::ArrayContains => "States.ArrayContains",
            Function::ArrayRange => "States.ArrayRange",
            Function::ArrayGetItem => "States.ArrayGetItem",
            Function::ArrayLength => "States.ArrayLength",
            Function::ArrayUnique => "States.ArrayUnique",
            Function::Base64Encode => "States.Base64Encode",
            Function::Base64Decode => "States.Base64Decode",
            Function::Hash => "States.Hash",
            Function::JsonMerge => "States.JsonMerge",
            Function::MathRandom => "States.MathRandom",
            Function::MathAdd => "States.MathAdd",
            Function::StringSplit => "States.StringSplit",
            Function::Uuid => "States.UUID",
        }
    }

    pub fn from_name(name: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Smallest and largest argument count (`None`: no upper bound).
    pub fn arity(self) -> (usize, Option<usize>) {
        match self {
            Function::Format => (1, None),
            Function::Array => (0, None),
            Function::Uuid => (0, Some(0)),
            Function::StringToJson
            | Function::JsonToString
            | Function::ArrayLength
            | Function::ArrayUnique
            | Function::Base64Encode
            | Function::Base64Decode => (1, Some(1)),
            Function::ArrayPartition
            | Function::ArrayContains
            | Function::ArrayGetItem
            | Function::Hash
            | Function::MathAdd
            | Function::StringSplit => (2, Some(2)),
            Function::MathRandom => (2, Some(3)),
            Function::ArrayRange | Function::JsonMerge => (3, Some(3)),
        }
    }
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One argument of a call.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// `'text'`; `raw` keeps the escapes as written, which `States.Format` needs to tell `\{`
    /// from a placeholder.
    String {
        value: String,
        raw: String,
    },
    Number(serde_json::Number),
    Bool(bool),
    Null,
    Path(JsonPath),
    Call(Call),
}

/// A call inside the tree: the function and its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub function: Function,
    pub args: Vec<Arg>,
}

/// A parsed intrinsic function call, e.g. `States.Format('{}', $.name)`.
#[derive(Debug, Clone, PartialEq)]
pub struct IntrinsicCall {
    source: String,
    call: Call,
}

impl IntrinsicCall {
    /// True when a `.$` value is an intrinsic call rather than a path (it starts with `States.`).
    pub fn looks_like_call(text: &str) -> bool {
        text.trim_start().starts_with("States.")
    }

    pub fn parse(text: &str) -> Result<Self, IntrinsicError> {
        Ok(Self {
            source: text.to_string(),
            call: parse::parse_call(text)?,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn call(&self) -> &Call {
        &self.call
    }

    pub fn function(&self) -> Function {
        self.call.function
    }

    /// Every path the call reads, nested calls included (for checks and for the simulator to
    /// know what a state depends on).
    pub fn paths(&self) -> Vec<&JsonPath> {
        let mut out = Vec::new();
        collect_paths(&self.call, &mut out);
        out
    }

    /// Evaluates the call: `$` paths read `input`, `$$` paths read `context`; `States.UUID` and
    /// `States.MathRandom` without a seed draw from `rng`.
    pub fn evaluate(
        &self,
        input: &Value,
        context: &Value,
        rng: &mut dyn rand::RngCore,
    ) -> Result<Value, IntrinsicEvalError> {
        let select = |path: &JsonPath| path.select(if path.is_context() { context } else { input });
        eval::evaluate(&self.call, &select, rng)
    }

    /// As [`Self::evaluate`], with path arguments read by `select` (for a caller whose input
    /// is not a `serde_json::Value`, or that can read some paths more cheaply).
    pub fn evaluate_with(
        &self,
        select: &dyn Fn(&JsonPath) -> Result<Value, PathEvalError>,
        rng: &mut dyn rand::RngCore,
    ) -> Result<Value, IntrinsicEvalError> {
        eval::evaluate(&self.call, select, rng)
    }
}

fn collect_paths<'a>(call: &'a Call, out: &mut Vec<&'a JsonPath>) {
    for arg in &call.args {
        match arg {
            Arg::Path(p) => out.push(p),
            Arg::Call(inner) => collect_paths(inner, out),
            _ => {}
        }
    }
}

impl fmt::Display for IntrinsicCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}
