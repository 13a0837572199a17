//! flowc-dsl: `.flow` text -> typed, spanned AST. The only crate that sees pest.
//!
//! The language is specified in `dsl/LANGUAGE.md`; the grammar, rule by rule, in `src/flow.pest`.

pub mod ast;

pub use ast::{Span, Spanned, Workflow};
pub mod error;
mod json;
mod lower;
mod parse;

#[cfg(test)]
mod grammar_bounds;

pub use error::ParseError;
pub use json::{Step as JsonStep, member_span as json_member_span};
pub use parse::{ITEM_KEYWORDS, MAX_NESTING, parse, parse_at_most};
