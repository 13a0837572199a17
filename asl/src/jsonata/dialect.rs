//! AWS's JSONata dialect as rules over an expression's syntax: what AWS removes (`$eval`),
//! what JSONata gained after 2.0.6 (`??`, `?:`, any newer function the engine knows), and the
//! arities of AWS's own functions.

use super::engine::Syntax;
use super::{ExprSpan, SyntaxError, VariableRead, aws_function};

/// The functions of JSONata 2.0.6 (jsonata-js `src/functions.js` at v2.0.6, the version AWS
/// runs), without `$`.
pub(crate) const JSONATA_2_0_6_FUNCTIONS: &[&str] = &[
    "sum",
    "count",
    "max",
    "min",
    "average",
    "string",
    "substring",
    "substringBefore",
    "substringAfter",
    "lowercase",
    "uppercase",
    "length",
    "trim",
    "pad",
    "match",
    "contains",
    "replace",
    "split",
    "join",
    "formatNumber",
    "formatBase",
    "formatInteger",
    "parseInteger",
    "number",
    "floor",
    "ceil",
    "round",
    "abs",
    "sqrt",
    "power",
    "random",
    "boolean",
    "not",
    "map",
    "zip",
    "filter",
    "single",
    "reduce",
    "sift",
    "keys",
    "lookup",
    "append",
    "exists",
    "spread",
    "merge",
    "reverse",
    "each",
    "error",
    "assert",
    "type",
    "sort",
    "shuffle",
    "distinct",
    "base64encode",
    "base64decode",
    "encodeUrlComponent",
    "encodeUrl",
    "decodeUrlComponent",
    "decodeUrl",
    "eval",
    "toMillis",
    "fromMillis",
    "clone",
    "now",
    "millis",
];

/// Functions of JSONata 2.0.6 that AWS does not offer.
const REMOVED_BY_AWS: [&str; 1] = ["eval"];

/// A rule of AWS's dialect that an otherwise valid JSONata expression breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DialectRule {
    /// A function AWS does not offer (`$eval`) or that JSONata 2.0.6 does not have.
    UnavailableFunction,
    /// An operator added to JSONata after 2.0.6.
    NewerOperator,
    /// A call to one of AWS's functions with too few or too many arguments.
    AwsFunctionArity,
}

impl DialectRule {
    /// What to write instead, as help text (the `.asl.json` loader and the `.flow` compiler
    /// both say it).
    pub fn help(self) -> String {
        match self {
            DialectRule::UnavailableFunction => {
                "AWS runs JSONata 2.0.6 without `$eval`; read JSON text with `$parse(text)`"
                    .to_string()
            }
            DialectRule::NewerOperator => {
                "AWS runs JSONata 2.0.6, which has no `??` or `?:`; write the condition out with `? :`"
                    .to_string()
            }
            DialectRule::AwsFunctionArity => format!(
                "AWS's functions: {}",
                super::aws_functions()
                    .iter()
                    .map(|f| f.usage())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// A short code for the rule, used as [`SyntaxError::code`].
    pub fn code(self) -> &'static str {
        match self {
            DialectRule::UnavailableFunction => "unavailable-function",
            DialectRule::NewerOperator => "newer-operator",
            DialectRule::AwsFunctionArity => "aws-function-arity",
        }
    }
}

fn is_2_0_6_function(name: &str) -> bool {
    JSONATA_2_0_6_FUNCTIONS.contains(&name)
}

/// Whether `$name` names a function AWS offers (JSONata 2.0.6's less `$eval`, or AWS's own).
pub(crate) fn is_function(name: &str) -> bool {
    (is_2_0_6_function(name) && !REMOVED_BY_AWS.contains(&name)) || aws_function(name).is_some()
}

/// The first rule the expression breaks, in source order.
pub(crate) fn check(syntax: &Syntax, engine_builtins: &[&str]) -> Result<(), SyntaxError> {
    let mut problems: Vec<SyntaxError> = Vec::new();
    for v in syntax.variables.iter().filter(|v| !v.bound_locally) {
        let name = v.read.name.as_str();
        let unavailable = REMOVED_BY_AWS.contains(&name)
            || (engine_builtins.contains(&name)
                && !is_2_0_6_function(name)
                && aws_function(name).is_none());
        if unavailable {
            let message = if name == "eval" {
                "`$eval` is not available in AWS Step Functions; use `$parse` to read JSON text"
                    .to_string()
            } else {
                format!("`${name}` is not a function of JSONata 2.0.6, the version AWS runs")
            };
            problems.push(rule_error(
                DialectRule::UnavailableFunction,
                message,
                v.read.span,
            ));
        }
    }
    for (symbol, span) in &syntax.newer_operators {
        problems.push(rule_error(
            DialectRule::NewerOperator,
            format!(
                "the `{symbol}` operator came after JSONata 2.0.6, the version AWS runs; write \
                 `{}`",
                if *symbol == "??" {
                    "$exists(a) ? a : b"
                } else {
                    "a ? a : b"
                }
            ),
            *span,
        ));
    }
    for call in syntax.calls.iter().filter(|c| !c.bound_locally) {
        let Some(function) = aws_function(&call.name) else {
            continue;
        };
        if call.args < function.min_args || call.args > function.max_args {
            problems.push(rule_error(
                DialectRule::AwsFunctionArity,
                format!(
                    "`${}` takes {}, not {} (AWS's {})",
                    function.name,
                    arguments(function.min_args, function.max_args),
                    call.args,
                    function.usage()
                ),
                call.span,
            ));
        }
    }
    match problems.into_iter().min_by_key(|p| p.span.map(|s| s.start)) {
        Some(first) => Err(first),
        None => Ok(()),
    }
}

fn arguments(min: usize, max: usize) -> String {
    let count = |n: usize| {
        if n == 1 {
            "1 argument".to_string()
        } else {
            format!("{n} arguments")
        }
    };
    if min == max {
        count(min)
    } else {
        format!("{min} to {}", count(max))
    }
}

fn rule_error(rule: DialectRule, message: String, span: ExprSpan) -> SyntaxError {
    SyntaxError {
        code: rule.code().to_string(),
        message,
        span: Some(span),
        rule: Some(rule),
    }
}

/// Reads of variables from outside the expression: not bound inside it, and not a function.
pub(crate) fn free_variable_reads(syntax: &Syntax) -> Vec<VariableRead> {
    syntax
        .variables
        .iter()
        .filter(|v| !v.bound_locally && !is_function(&v.read.name))
        .map(|v| v.read.clone())
        .collect()
}
