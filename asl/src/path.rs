//! JSONPath as AWS Step Functions understands it (Jayway's dialect), reference paths and
//! context-object paths (`$$.`).
//!
//! A path is parsed once into a typed segment list ([`Segment`], [`Selector`]) and then evaluated
//! over `serde_json::Value` as often as needed. Result shapes follow Jayway, which AWS uses:
//! a definite path (names and single indexes only) yields the one value it names and fails when
//! that value is missing; an indefinite path (wildcard, slice, filter, deep scan, index union)
//! yields an array of every match, empty when nothing matches.
//!
//! # The dialect, decided against Jayway's parser and AWS's documentation
//!
//! AWS documents paths as "JsonPath syntax" and evaluates them with Jayway; what Jayway's
//! `PathCompiler` accepts is what users' definitions contain, so that is the reference:
//!
//! - **Dot before a bracket** (`$.[0]`, `$.items.[0].id`, `$.[*]`, `$.[?(@.n > 0)]`,
//!   `$.abc.['def ghi']`): Jayway reads whatever token follows a single `.`, so `.[` is the
//!   bracket itself. AWS's "Paths" page (amazon-states-language-paths) writes
//!   `$.abc.['def ghi']`. Such a path means exactly what it means without the dot, and stays a
//!   reference path when the bracket is a name or an index.
//! - **Whitespace around the path** is trimmed (Jayway's `CharacterIndex::trim`): `"$$.Map.Item.Value "`
//!   is the context path. Whitespace *inside* a dot name is an error, as in Jayway ("use bracket
//!   notation"). The source text is kept as written, so emitted JSON is byte-identical.
//! - **Filters** take Jayway's operators: `==`, `!=`, `<`, `<=`, `>`, `>=`, `===` and `!==`
//!   (equal and of the same type), `in`, `nin`, `subsetof`, `anyof`, `noneof`, `size`, `empty`,
//!   `contains`, `=~ /pattern/flags` (whole-string match, flags `i m s x`), `&&`, `||`, `!`,
//!   parentheses, `@`/`$` operands and literals (strings in either quote, numbers, booleans,
//!   null, lists). A pattern that cannot compile is a load error, never a filter that silently
//!   matches nothing.
//! - **Functions**: only `length()`; Jayway's other functions (`min()`, `sum()`, ...) are
//!   refused by name, since AWS's documentation lists none of them and their results differ
//!   between Jayway versions.
//! - **Reference paths** (ResultPath, ItemsPath, Choice `Variable`, `*Path` fields) are the
//!   names-and-single-indexes subset, as the "Paths" page's list of restrictions says.
//! - **Variables** (`$name`, `$name.a[0]`): a path may start from a workflow variable instead of
//!   the input or the context object ([`PathRoot`]); the rest of it is the same dialect
//!   (`path/variable.rs`). Which fields may read variables is the loader's business.

mod eval;
mod parse;
#[cfg(test)]
mod tests;
mod variable;

pub use eval::resolve_index;

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

use serde_json::Value;

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

/// Why evaluating a parsed path over a document failed. The `Display` texts are Jayway's, which
/// AWS quotes in its `States.Runtime` causes ("Invalid path '$.x' : No results for path: $['x']");
/// every `path` field is Jayway's normalised form (`$['a'][0]`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathEvalError {
    /// A definite path whose last step selects nothing.
    #[error("No results for path: {path}")]
    NoResults { path: String },
    /// A definite path whose intermediate property is missing.
    #[error("Missing property in path {path}")]
    MissingProperty { path: String },
    /// A property step applied to something that is not an object.
    #[error(
        "Expected to find an object with property {property} in path {path} but found '{found}'"
    )]
    NotAnObject {
        property: String,
        path: String,
        found: &'static str,
    },
    /// An index step applied to something that is not an array.
    #[error("Filter: {selector} can only be applied to arrays. Current context is: {context}")]
    NotAnArray { selector: String, context: String },
    /// A ResultPath-style write that cannot be applied to the document (AWS raises
    /// `States.ResultPathMatchFailure`).
    #[error("Unable to apply step {step} to {path}: found '{found}' where {expected} is needed")]
    CannotSet {
        step: String,
        path: String,
        found: &'static str,
        expected: &'static str,
    },
}

/// One step of a path: a selector applied to the current nodes (`.x`, `[0]`) or to the current
/// nodes and all their descendants (`..x`).
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    Child(Selector),
    Descendant(Selector),
}

/// What a segment selects.
#[derive(Debug, Clone, PartialEq)]
pub enum Selector {
    /// `.name` or `['name']`.
    Name(String),
    /// `['a','b']`: at the end of a path Jayway merges the named members into one object;
    /// elsewhere each name is followed in turn.
    Names(Vec<String>),
    /// `*`: every member value or element.
    Wildcard,
    /// `[n]`; negative counts from the end.
    Index(i64),
    /// `[0,2]`.
    Indexes(Vec<i64>),
    /// `[start:end:step]`, each part optional.
    Slice {
        start: Option<i64>,
        end: Option<i64>,
        step: Option<i64>,
    },
    /// `[?(expr)]`.
    Filter(Box<FilterExpr>),
}

/// A function applied to the result of the whole path (Jayway's `.length()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathFunction {
    Length,
}

/// The boolean expression of a filter selector.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterExpr {
    Or(Box<FilterExpr>, Box<FilterExpr>),
    And(Box<FilterExpr>, Box<FilterExpr>),
    Not(Box<FilterExpr>),
    /// `@.isbn` alone: true when the path selects something.
    Exists(Operand),
    Compare(Operand, CompareOp, Operand),
    /// `@.name =~ /pattern/flags`: Jayway matches the whole string (`Matcher.matches`).
    Matches(Operand, FilterRegex),
}

/// The pattern of a `=~` filter, compiled when the path is parsed so a bad pattern is a load
/// error, not a silent non-match at run time. Compared by its text.
#[derive(Debug, Clone)]
pub struct FilterRegex {
    source: String,
    regex: regex_lite::Regex,
}

impl FilterRegex {
    pub(crate) fn new(source: String, regex: regex_lite::Regex) -> Self {
        Self { source, regex }
    }

    /// `/pattern/flags` as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }
}

impl PartialEq for FilterRegex {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// A value inside a filter: a path relative to the current item (`@`) or the root (`$`), or a
/// literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Current(RelativePath),
    Root(RelativePath),
    Literal(Value),
}

/// The segments of a path used inside a filter, after its `@` or `$`.
#[derive(Debug, Clone, PartialEq)]
pub struct RelativePath {
    pub segments: Vec<Segment>,
    pub function: Option<PathFunction>,
}

/// Comparison operators of Jayway filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    /// `===`: equal and of the same JSON type (`1 === '1'` is false, unlike `==`).
    StrictEq,
    /// `!==`.
    StrictNe,
    /// `contains`: a string containing a string, or an array containing an element.
    Contains,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Nin,
    SubsetOf,
    AnyOf,
    NoneOf,
    Size,
    Empty,
}

impl CompareOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::StrictEq => "===",
            CompareOp::StrictNe => "!==",
            CompareOp::Contains => "contains",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
            CompareOp::In => "in",
            CompareOp::Nin => "nin",
            CompareOp::SubsetOf => "subsetof",
            CompareOp::AnyOf => "anyof",
            CompareOp::NoneOf => "noneof",
            CompareOp::Size => "size",
            CompareOp::Empty => "empty",
        }
    }
}

/// A parsed JSONPath (`$...` or, with `is_context`, `$$...`).
///
/// Equality and hashing go by the source text: two spellings of the same selection
/// (`$.a` and `$['a']`) are different paths, as they are different ASL.
#[derive(Debug, Clone)]
pub struct JsonPath {
    source: String,
    root: PathRoot,
    segments: Vec<Segment>,
    function: Option<PathFunction>,
    /// The same path as plain steps when it is only names and indexes, for borrowing lookups.
    steps: Option<Vec<RefStep>>,
}

impl JsonPath {
    pub fn parse(text: &str) -> Result<Self, PathError> {
        if let Some((name, rest)) = variable::split(text) {
            return Self::parse_variable(text, name, rest);
        }
        if let Some((context, names)) = parse::plain_names(text) {
            let segments: Vec<Segment> = names
                .map(|name| Segment::Child(Selector::Name(name.to_string())))
                .collect();
            let steps = segments
                .iter()
                .map(|segment| match segment {
                    Segment::Child(Selector::Name(name)) => Some(RefStep::Name(name.clone())),
                    _ => None,
                })
                .collect();
            return Ok(Self {
                source: text.to_string(),
                root: PathRoot::of(context),
                segments,
                function: None,
                steps,
            });
        }
        Self::parse_full(text)
    }

    /// [`JsonPath::parse`] without the fast path for plain `$.a.b` paths.
    fn parse_full(text: &str) -> Result<Self, PathError> {
        let parsed = parse::parse_path(text)?;
        let steps = parsed
            .path
            .segments
            .iter()
            .map(|s| match s {
                Segment::Child(Selector::Name(n)) => Some(RefStep::Name(n.clone())),
                Segment::Child(Selector::Index(i)) => Some(RefStep::Index(*i)),
                _ => None,
            })
            .collect();
        Ok(Self {
            source: text.to_string(),
            root: PathRoot::of(parsed.context),
            segments: parsed.path.segments,
            function: parsed.path.function,
            steps,
        })
    }

    /// `$name...`: the path after the name is parsed as the same path from `$`.
    fn parse_variable(text: &str, name: &str, rest: usize) -> Result<Self, PathError> {
        let (relative, shift) = variable::relative(text, rest);
        let mut path = Self::parse_full(&relative).map_err(|e| variable::shift_error(e, shift))?;
        if path.root != PathRoot::Input {
            return Err(variable::nested_root_error(text, rest));
        }
        path.source = text.to_string();
        path.root = PathRoot::Variable(name.to_string());
        Ok(path)
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// `$$...`: a path into the context object.
    pub fn is_context(&self) -> bool {
        self.root == PathRoot::Context
    }

    /// What the path reads: the input, the context object or a variable.
    pub fn root(&self) -> &PathRoot {
        &self.root
    }

    /// `$name...`: the variable the path reads, if it reads one.
    pub fn variable(&self) -> Option<&str> {
        self.root.variable()
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    pub fn function(&self) -> Option<PathFunction> {
        self.function
    }

    /// True when the path names at most one node (names and single indexes only, no function
    /// over an indefinite result): it then yields that value itself rather than an array.
    pub fn is_definite(&self) -> bool {
        eval::segments_definite(&self.segments)
    }

    /// Evaluates the path against `root` (the state input, the context object for `$$`
    /// paths, a variable's value for `$name` paths; the caller picks). Definite paths return the value, indefinite ones an array of
    /// matches.
    pub fn select(&self, root: &Value) -> Result<Value, PathEvalError> {
        // Plain names and indexes walk without collecting the steps again.
        self.select_cow(root).map(Cow::into_owned)
    }

    /// [`JsonPath::select`] without copying when the path is plain names and indexes: the
    /// result borrows from `root` then (the simulator's hot path: `$`, `$.a.b`).
    pub fn select_cow<'v>(&self, root: &'v Value) -> Result<Cow<'v, Value>, PathEvalError> {
        if let (Some(steps), None) = (self.steps.as_deref(), self.function)
            && let Some(node) = walk_names(steps, root)
        {
            return Ok(Cow::Borrowed(node));
        }
        eval::select_cow(&self.segments, self.steps.as_deref(), self.function, root)
    }

    /// True for `$` (or `$$`) alone: the whole document.
    pub fn is_root(&self) -> bool {
        self.segments.is_empty() && self.function.is_none()
    }

    /// The path in Jayway's normalised form (`$['a'][0]`), as AWS quotes it in error causes.
    pub fn normalized(&self) -> String {
        eval::normalized(&self.segments)
    }
}

impl PartialEq for JsonPath {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for JsonPath {}

impl Hash for JsonPath {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.source.hash(state);
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// The node a path of plain names finds, members looked up by comparing names when the object
/// is small (hashing a name costs more than a few comparisons). `None` for an index step or a
/// missing member: the full evaluator then decides, with its error texts.
fn walk_names<'v>(steps: &[RefStep], root: &'v Value) -> Option<&'v Value> {
    let mut node = root;
    for step in steps {
        let (RefStep::Name(name), Value::Object(members)) = (step, node) else {
            return None;
        };
        node = if members.len() <= 8 {
            members
                .iter()
                .find(|(k, _)| k.len() == name.len() && *k == name)
                .map(|(_, v)| v)?
        } else {
            members.get(name)?
        };
    }
    Some(node)
}

/// What a path reads: `$` the state's input (or whatever the field applies it to), `$$` the
/// context object, `$name` a workflow variable (JSONPath mode's variable references).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathRoot {
    Input,
    Context,
    Variable(String),
}

impl PathRoot {
    fn of(context: bool) -> Self {
        if context {
            PathRoot::Context
        } else {
            PathRoot::Input
        }
    }

    /// The variable's name (without `$`) for a variable root.
    pub fn variable(&self) -> Option<&str> {
        match self {
            PathRoot::Variable(name) => Some(name),
            PathRoot::Input | PathRoot::Context => None,
        }
    }
}

/// One step of a reference path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefStep {
    Name(String),
    Index(i64),
}

/// A reference path: a JSONPath that selects exactly one node (no wildcards, filters, slices),
/// as ResultPath, Choice `Variable`, `*Path` fields require.
#[derive(Clone)]
pub struct ReferencePath {
    source: String,
    root: PathRoot,
    /// The steps. For a plain `$.a.b` path they are worked out from `source` on first use: the
    /// compiler mostly needs only the text, and such a path then costs one allocation.
    steps: OnceLock<Vec<RefStep>>,
}

impl ReferencePath {
    pub fn parse(text: &str) -> Result<Self, PathError> {
        if let Some((name, rest)) = variable::split(text) {
            return Self::parse_variable(text, name, rest);
        }
        if let Some((context, _)) = parse::plain_names(text) {
            return Ok(Self {
                source: text.to_string(),
                root: PathRoot::of(context),
                steps: OnceLock::new(),
            });
        }
        Self::parse_full(text)
    }

    /// `$name...`: the path after the name is parsed as the same reference path from `$`.
    fn parse_variable(text: &str, name: &str, rest: usize) -> Result<Self, PathError> {
        let (relative, shift) = variable::relative(text, rest);
        let path = Self::parse_full(&relative).map_err(|e| variable::shift_error(e, shift))?;
        if path.root != PathRoot::Input {
            return Err(variable::nested_root_error(text, rest));
        }
        let steps = path.steps().to_vec();
        Ok(Self {
            source: text.to_string(),
            root: PathRoot::Variable(name.to_string()),
            steps: OnceLock::from(steps),
        })
    }

    /// [`ReferencePath::parse`] without the fast path for plain `$.a.b` paths.
    fn parse_full(text: &str) -> Result<Self, PathError> {
        let parsed = parse::parse_path(text)?;
        let root = PathRoot::of(parsed.context);
        let steps = parse::reference_steps(text, parsed)?;
        Ok(Self {
            source: text.to_string(),
            root,
            steps: OnceLock::from(steps),
        })
    }

    /// The steps of a path that parsed (`source` is one).
    fn steps_of(source: &str) -> Vec<RefStep> {
        match parse::plain_names(source) {
            Some((_, names)) => names.map(|name| RefStep::Name(name.to_string())).collect(),
            None => parse::parse_path(source)
                .and_then(|parsed| parse::reference_steps(source, parsed))
                .unwrap_or_default(),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn is_context(&self) -> bool {
        self.root == PathRoot::Context
    }

    /// What the path reads: the input, the context object or a variable.
    pub fn root(&self) -> &PathRoot {
        &self.root
    }

    /// `$name...`: the variable the path reads, if it reads one.
    pub fn variable(&self) -> Option<&str> {
        self.root.variable()
    }

    pub fn steps(&self) -> &[RefStep] {
        self.steps.get_or_init(|| Self::steps_of(&self.source))
    }

    /// True for `$` (or `$$`, or `$name`) alone: the whole document (or variable).
    pub fn is_root(&self) -> bool {
        self.steps().is_empty()
    }

    /// The node the path names, or Jayway's error when it is missing.
    pub fn get<'v>(&self, root: &'v Value) -> Result<&'v Value, PathEvalError> {
        eval::get_ref(self.steps(), root)
    }

    /// Writes `value` where the path points, as ResultPath does: `$` replaces the whole
    /// document; missing intermediate objects are created; an intermediate (or the parent of the
    /// last step) that is not an object, or an index past the end of an array, is an error
    /// (AWS: `States.ResultPathMatchFailure`).
    pub fn set(&self, root: &mut Value, value: Value) -> Result<(), PathEvalError> {
        eval::set_ref(self.steps(), root, value)
    }

    /// The path in Jayway's normalised form (`$['a'][0]`).
    pub fn normalized(&self) -> String {
        eval::normalized_steps(self.steps())
    }
}

impl fmt::Debug for ReferencePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReferencePath")
            .field("source", &self.source)
            .field("root", &self.root)
            .field("steps", &self.steps())
            .finish()
    }
}

impl PartialEq for ReferencePath {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for ReferencePath {}

impl Hash for ReferencePath {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.source.hash(state);
    }
}

impl fmt::Display for ReferencePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}
