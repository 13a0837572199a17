//! The trait a JSONata engine implements to sit behind the seam, and the engine-neutral summary
//! of an expression's syntax that the dialect rules and the workflow checks read.

use serde_json::Value;

use super::{
    BindingReads, Environment, EvalError, ExprSpan, SyntaxError, VariablePath, VariableRead,
};

/// A compiled expression of engine `E`.
pub(crate) type Compiled<E> = <E as Engine>::Compiled;

/// One JSONata 2.0.6 engine. Everything flowc asks of it; AWS's dialect is applied on top, in
/// engine-neutral code (`dialect.rs`, `functions.rs`).
pub(crate) trait Engine {
    /// A parsed expression, evaluated many times, from several threads.
    type Compiled: Send + Sync;
    /// Variables bound for evaluations, built once and reused: binding must not copy values on
    /// each evaluation.
    type Variables: Default + Clone + Send + Sync;

    /// Parses `source`, failing with the first syntax error and its span.
    fn compile(source: &str) -> Result<(Self::Compiled, Syntax), SyntaxError>;

    /// The engine's built-in function names (without `$`), so the dialect can refuse the ones
    /// JSONata 2.0.6 does not have.
    fn builtin_functions() -> Vec<&'static str>;

    /// A fresh set of variables with AWS's functions bound. Called for every state, so the
    /// functions are registered once and shared, not built again.
    fn variables() -> Self::Variables;

    /// Binds (or rebinds) `$name` to `value`.
    fn bind(variables: &mut Self::Variables, name: &str, value: Value);

    /// The value bound to `$name`, if any.
    fn bound<'a>(variables: &'a Self::Variables, name: &str) -> Option<&'a Value>;

    fn evaluate(
        compiled: &Self::Compiled,
        input: Option<&Value>,
        variables: &Self::Variables,
        env: &Environment,
    ) -> Result<Option<Value>, EvalError>;
}

/// What the checks need to know of an expression's syntax.
#[derive(Debug, Default)]
pub(crate) struct Syntax {
    /// Every `$name` reference (not `$` or `$$`), in source order.
    pub(crate) variables: Vec<VariableRef>,
    /// Every direct call `$name(...)`.
    pub(crate) calls: Vec<CallSite>,
    /// Every use of an operator newer than JSONata 2.0.6 (`??`, `?:`), by its symbol.
    pub(crate) newer_operators: Vec<(&'static str, ExprSpan)>,
    /// Reads of the context value at the top level (`$`, `$$`, a bare field name).
    pub(crate) root_reads: Vec<ExprSpan>,
    /// The bindings an evaluation may read, so that a caller binds only those.
    pub(crate) binding_reads: BindingReads,
    /// The variable and fields read, when that is all the expression does.
    pub(crate) variable_path: Option<VariablePath>,
}

#[derive(Debug)]
pub(crate) struct VariableRef {
    pub(crate) read: VariableRead,
    /// The name is bound somewhere inside the expression (`:=`, a parameter, `@$v`, `#$i`).
    pub(crate) bound_locally: bool,
}

#[derive(Debug)]
pub(crate) struct CallSite {
    pub(crate) name: String,
    pub(crate) args: usize,
    pub(crate) span: ExprSpan,
    pub(crate) bound_locally: bool,
}
