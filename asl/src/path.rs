//! JSONPath as AWS Step Functions understands it (Jayway's dialect), reference paths and
//! context-object paths (`$$.`).
//!
//! STUB: the agreed surface; the real parser and evaluator replace the bodies.

use std::fmt;

/// Why a path failed to parse; `offset` is a byte offset into the path text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    pub message: String,
    pub offset: usize,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at offset {})", self.message, self.offset)
    }
}

impl std::error::Error for PathError {}

/// A parsed JSONPath (`$...` or, with `is_context`, `$$...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    source: String,
}

impl JsonPath {
    pub fn parse(text: &str) -> Result<Self, PathError> {
        Ok(Self { source: text.to_string() })
    }
    pub fn as_str(&self) -> &str {
        &self.source
    }
    /// `$$...`: a path into the context object.
    pub fn is_context(&self) -> bool {
        self.source.starts_with("$$")
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// A reference path: a JSONPath that selects exactly one node (no wildcards, filters, slices),
/// as ResultPath, Choice `Variable`, `*Path` fields require.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferencePath {
    source: String,
}

impl ReferencePath {
    pub fn parse(text: &str) -> Result<Self, PathError> {
        Ok(Self { source: text.to_string() })
    }
    pub fn as_str(&self) -> &str {
        &self.source
    }
    pub fn is_context(&self) -> bool {
        self.source.starts_with("$$")
    }
}

impl fmt::Display for ReferencePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}
