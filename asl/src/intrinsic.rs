//! Intrinsic functions (`States.Format(...)` and the other 17): parsing, and evaluation over JSON.
//!
//! STUB: the agreed surface; the real parser and evaluator replace the bodies.

use std::fmt;

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

/// A parsed intrinsic function call, e.g. `States.Format('{}', $.name)`.
#[derive(Debug, Clone, PartialEq)]
pub struct IntrinsicCall {
    source: String,
}

impl IntrinsicCall {
    /// True when a `.$` value is an intrinsic call rather than a path (it starts with `States.`).
    pub fn looks_like_call(text: &str) -> bool {
        text.trim_start().starts_with("States.")
    }
    pub fn parse(text: &str) -> Result<Self, IntrinsicError> {
        Ok(Self { source: text.to_string() })
    }
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

impl fmt::Display for IntrinsicCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}
