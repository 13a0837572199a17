//! The JSONata seam: the one place flowc parses and evaluates JSONata, in the dialect AWS Step
//! Functions runs.
//!
//! # The dialect
//! AWS runs JSONata 2.0.6 with changes of its own ("Transforming data with JSONata in Step
//! Functions"):
//! - `$eval` is not available (AWS offers `$parse` for JSON text);
//! - operators added after 2.0.6 (`??` and `?:` in 2.1) do not exist there;
//! - six functions are added: `$partition`, `$range`, `$hash`, `$random` (with an optional seed),
//!   `$uuid` and `$parse` ([`aws_function`] lists them with their arities; semantics in
//!   `jsonata/functions.rs`, shared with the `States.*` intrinsics they mirror).
//!
//! [`Expression::parse`] applies the dialect, so an expression that parses here is one AWS
//! accepts as JSONata; its errors carry the byte span inside the expression text.
//!
//! # Determinism and bounds
//! The simulator is deterministic: [`Environment`] gives each evaluation its clock (`$now`,
//! `$millis`) and its seed (`$random`, `$uuid`, `$shuffle`). Evaluation is bounded by
//! [`Limits`] counted in steps and depth, not wall-clock time, so the same expression on the
//! same input stops at the same place on every machine; exceeding a bound is
//! [`EvalErrorKind::Limit`], never a hang or a stack overflow.
//!
//! # The engine
//! The evaluator is a library behind the `engine::Engine` trait (today jlens-core, pinned
//! exactly in the workspace). It was chosen by measuring the candidates on this project's
//! machine against the official 2.0.6 suite (`conformance/jsonata-2.0.6/`, 1,625 cases):
//!
//! | crate | suite (of 1,625) | panics | normal deps | bounds |
//! |---|---|---|---|---|
//! | jlens-core 0.26.0 (MIT) | 1,619 | 0 | 31 | steps, depth, sizes; clock and seed injectable |
//! | jsonata-core 2.2.13 (MIT) | 1,619 | 0 | 43 | wall-clock timeout, depth; no clock injection |
//! | jsonata-rs 0.3.4 (Apache-2.0) | 1,204 | 59 | 62 | depth, wall-clock time; input re-parsed as text |
//!
//! Cold debug builds of the first two cost about the same (~55 s of CPU on this machine).
//! jlens-core won on deterministic bounds and a public syntax tree with spans, which the
//! dialect checks and the variable checks walk. Swapping it means implementing
//! `engine::Engine` for another crate; nothing outside `jsonata/` names it.

mod dialect;
mod engine;
mod functions;
mod jlens;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

pub use dialect::DialectRule;
pub use functions::{AwsFunction, aws_function, aws_functions};

use engine::{Compiled, Engine as _};

/// The engine behind the seam.
type Selected = jlens::Jlens;

/// A byte range inside an expression's text (without the `{%` `%}` delimiters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ExprSpan {
    pub start: usize,
    pub end: usize,
}

impl ExprSpan {
    pub fn new(start: usize, end: usize) -> Self {
        ExprSpan { start, end }
    }
}

/// Why an expression is not one AWS accepts: a syntax error of JSONata 2.0.6, or a rule of
/// AWS's dialect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The JSONata error code (`S0201`, ...) or, for a dialect rule, the rule's code.
    pub code: String,
    pub message: String,
    /// Where in the expression text; `None` when the engine could not say.
    pub span: Option<ExprSpan>,
    /// Set when the expression is valid JSONata but breaks a rule of AWS's dialect.
    pub rule: Option<DialectRule>,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// What made an evaluation fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalErrorKind {
    /// The expression raised a JSONata error (type error, `$error`, a failing AWS function...).
    Failed,
    /// A bound of [`Limits`] was reached.
    Limit,
}

/// A failed evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    pub kind: EvalErrorKind,
    /// The JSONata error code, such as `T2001` or `D3137`.
    pub code: String,
    pub message: String,
    pub span: Option<ExprSpan>,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for EvalError {}

/// Bounds of one evaluation, in units that do not depend on the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Nodes evaluated and functions called back, at most.
    pub max_steps: u64,
    /// Nesting of evaluation (recursion), at most.
    pub max_depth: usize,
    /// Bytes of UTF-8 in one string the evaluation builds, at most.
    pub max_string_bytes: usize,
    /// Items in one array the evaluation builds, at most.
    pub max_array_items: usize,
}

impl Default for Limits {
    /// Generous for any expression a workflow field holds (the official suite's largest cases,
    /// ranges of ten million numbers, pass) and small enough that a runaway expression stops
    /// within seconds. AWS caps a state's payload at 256 KiB, far below these.
    fn default() -> Self {
        Limits {
            max_steps: 50_000_000,
            max_depth: 10_000,
            max_string_bytes: 64 << 20,
            max_array_items: 16 << 20,
        }
    }
}

/// What an evaluation may see of the world: the time and the randomness, both given by the
/// caller so that the same inputs give the same result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Environment {
    /// `$now()` and `$millis()`: milliseconds since the Unix epoch.
    pub now_millis: i64,
    /// Seeds `$random()` (without a seed argument), `$uuid()` and `$shuffle()`.
    pub seed: u64,
    pub limits: Limits,
}

impl Environment {
    pub fn new(now_millis: i64, seed: u64) -> Self {
        Environment {
            now_millis,
            seed,
            limits: Limits::default(),
        }
    }
}

/// A variable the expression reads from outside itself (`$states`, a workflow variable), with
/// where it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableRead {
    /// The name without `$`.
    pub name: String,
    /// The span of the `$name` reference.
    pub span: ExprSpan,
    /// The field names read after it, as far as they are plain names (`$states.input.a` gives
    /// `["input", "a"]`).
    pub fields: Vec<String>,
}

/// What an expression may read of the variables bound for it, found without evaluating it: a
/// caller binds only these (and of `$states` only the members read) and gets the same result
/// as with every variable bound, without copying the rest into the engine.
///
/// An upper bound: the engine's own analysis of the reads (which keeps a value whole where it
/// cannot follow it) united with every `$name` the expression writes, wherever it appears.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BindingReads {
    /// Any binding may be read whole: bind every variable.
    pub every: bool,
    /// Each name read (without `$`), with the top-level fields read of it when the analysis
    /// could tell (`$states.input.a` reads `states` for `["input"]`), `None` for the whole
    /// value.
    pub names: Vec<(String, Option<Vec<String>>)>,
}

/// An expression that only reads a variable or fields of one: `$name` or `$name.a.b`, no
/// filter, operator or function call. JSONata gives the variable's value as bound; a field step
/// on an object gives the member as it is (an array too: a single array reached by the last step
/// is not flattened). A caller holding the variable can answer such an expression without the
/// engine when every step before the last reaches an object and the last field exists; in any
/// other case (an array or a scalar on the way, a missing member) the engine decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariablePath {
    /// The variable, without `$`.
    pub name: String,
    /// The fields read, in order (empty: the variable whole).
    pub fields: Vec<String>,
}

/// The variables an evaluation sees (`$states`, workflow variables), with AWS's functions bound
/// beside them (registered once per process and shared). Build it once per state and evaluate
/// every field with it: binding a value does not copy it again per evaluation.
#[derive(Clone)]
pub struct Variables(<Selected as engine::Engine>::Variables);

impl Variables {
    pub fn new() -> Self {
        Variables(Selected::variables())
    }

    /// Binds `$name` (given without `$`) to `value`, replacing an earlier binding.
    pub fn set(&mut self, name: &str, value: Value) {
        Selected::bind(&mut self.0, name, value);
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        Selected::bound(&self.0, name)
    }
}

impl Default for Variables {
    fn default() -> Self {
        Variables::new()
    }
}

impl fmt::Debug for Variables {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Variables")
    }
}

/// The expression of a `{% ... %}` string and its byte offset in `text`; `None` when `text` is
/// not one (it must start with `{%` and end with `%}`, whitespace around them aside).
pub fn expression_text(text: &str) -> Option<(usize, &str)> {
    let trimmed = text.trim();
    if !(trimmed.starts_with("{%") && trimmed.ends_with("%}")) {
        return None;
    }
    let open = text.find("{%")? + 2;
    let close = text.rfind("%}")?;
    (open <= close).then(|| (open, &text[open..close]))
}

/// A parsed JSONata expression in AWS's dialect. Compared and printed by its text.
#[derive(Clone)]
pub struct Expression {
    source: Arc<str>,
    compiled: Arc<Compiled<Selected>>,
    reads: Arc<[VariableRead]>,
    root_reads: Arc<[ExprSpan]>,
    binding_reads: Arc<BindingReads>,
    variable_path: Option<Arc<VariablePath>>,
}

impl Expression {
    /// Parses `source` (the text between `{%` and `%}`) and applies AWS's dialect.
    pub fn parse(source: &str) -> Result<Self, SyntaxError> {
        let (compiled, syntax) = Selected::compile(source)?;
        dialect::check(&syntax, &Selected::builtin_functions())?;
        let reads = dialect::free_variable_reads(&syntax);
        Ok(Expression {
            source: source.into(),
            compiled: Arc::new(compiled),
            reads: reads.into(),
            root_reads: syntax.root_reads.into(),
            binding_reads: Arc::new(syntax.binding_reads),
            variable_path: syntax.variable_path.map(Arc::new),
        })
    }

    /// The expression text, without the `{%` `%}` delimiters.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Variables read from outside the expression: every `$name` not bound inside it by `:=`,
    /// a function parameter or a `@`/`#` binding, and not a function of JSONata or AWS.
    pub fn variable_reads(&self) -> &[VariableRead] {
        &self.reads
    }

    /// Where the expression reads its context at the top level (`$`, `$$`, or a bare field
    /// name such as `input.a`): AWS refuses these, since a field's expression has no context
    /// value; data comes from `$states` and variables.
    pub fn root_context_reads(&self) -> &[ExprSpan] {
        &self.root_reads
    }

    /// The bindings an evaluation may read: binding only these gives the same result.
    pub fn binding_reads(&self) -> &BindingReads {
        &self.binding_reads
    }

    /// `Some` when the expression only reads a variable or fields of one ([`VariablePath`]).
    pub fn variable_path(&self) -> Option<&VariablePath> {
        self.variable_path.as_deref()
    }

    /// Evaluates against `input` (`None`: undefined) with `variables` bound. `Ok(None)` is
    /// JSONata's undefined.
    pub fn evaluate(
        &self,
        input: Option<&Value>,
        variables: &Variables,
        env: &Environment,
    ) -> Result<Option<Value>, EvalError> {
        Selected::evaluate(&self.compiled, input, &variables.0, env)
    }
}

impl PartialEq for Expression {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for Expression {}

impl fmt::Debug for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Expression").field(&self.source).finish()
    }
}

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}
