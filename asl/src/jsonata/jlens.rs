//! The jlens-core engine behind the seam: compile, the syntax summary, bindings with AWS's
//! functions, bounded evaluation. The only file that names jlens-core.

use std::cell::RefCell;
use std::sync::OnceLock;

use jlens_core::ast::{Node, NodeKind, Stage};
use jlens_core::reads::Read;
use jlens_core::{Bindings, HostFunction, Options};
use rand::SeedableRng as _;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use super::engine::{CallSite, Engine, Syntax, VariableRef};
use super::functions::aws_functions;
use super::{
    BindingReads, Environment, EvalError, EvalErrorKind, ExprSpan, SyntaxError, VariablePath,
    VariableRead,
};

pub(crate) struct Jlens;

thread_local! {
    /// The generator AWS's `$random` and `$uuid` draw from: reseeded from its [`Environment`]
    /// at the start of each evaluation, which runs on the calling thread (the engine grows its
    /// stack in place, it does not move to another thread). Per thread, so that the functions
    /// can be registered once for the whole process and concurrent evaluations (tests, the
    /// simulator's callers) never draw from each other's sequence.
    static GENERATOR: RefCell<ChaCha8Rng> = RefCell::new(ChaCha8Rng::seed_from_u64(0));
}

/// AWS's functions, registered once: parsing their signatures and allocating them for every
/// state cost more than evaluating a workflow's expressions. [`Bindings`] shares its functions
/// by reference count, so each state's bindings start as a cheap clone of these.
fn with_aws_functions() -> &'static Bindings {
    static FUNCTIONS: OnceLock<Bindings> = OnceLock::new();
    FUNCTIONS.get_or_init(|| {
        let mut bindings = Bindings::new();
        for function in aws_functions() {
            let call = function.call;
            let host = HostFunction::with_signature(function.signature, move |args, _| {
                GENERATOR
                    .with(|generator| call(args, &mut generator.borrow_mut()))
                    .map_err(|message| jlens_core::Error::new("D3137").with("message", message))
            });
            match host {
                Ok(host) => bindings = bindings.function(function.name, host),
                // The signatures are constants; a test parses every one.
                Err(e) => debug_assert!(false, "bad signature {}: {e}", function.signature),
            }
        }
        bindings
    })
}

/// Workflow variables and `$states` over AWS's functions.
#[derive(Clone)]
pub(crate) struct JlensVariables {
    bindings: Bindings,
}

impl Default for JlensVariables {
    fn default() -> Self {
        Jlens::variables()
    }
}

impl Engine for Jlens {
    type Compiled = jlens_core::Expression;
    type Variables = JlensVariables;

    fn compile(source: &str) -> Result<(Self::Compiled, Syntax), SyntaxError> {
        let compiled = jlens_core::Expression::compile(source).map_err(|e| SyntaxError {
            code: e.code().to_string(),
            message: e.message(),
            span: e.span().map(|s| ExprSpan::new(s.start, s.end)),
            rule: None,
        })?;
        let mut syntax = summarize(&compiled.ast().root);
        syntax.binding_reads = binding_reads(&compiled, &syntax);
        syntax.variable_path = variable_path(&compiled.ast().root);
        Ok((compiled, syntax))
    }

    fn builtin_functions() -> Vec<&'static str> {
        jlens_core::function_catalog()
            .into_iter()
            .map(|f| f.name)
            .collect()
    }

    fn variables() -> Self::Variables {
        JlensVariables {
            bindings: with_aws_functions().clone(),
        }
    }

    fn bind(variables: &mut Self::Variables, name: &str, value: Value) {
        variables.bindings = std::mem::take(&mut variables.bindings).var(name, value);
    }

    fn bound<'a>(variables: &'a Self::Variables, name: &str) -> Option<&'a Value> {
        variables.bindings.get(name)
    }

    fn evaluate(
        compiled: &Self::Compiled,
        input: Option<&Value>,
        variables: &Self::Variables,
        env: &Environment,
    ) -> Result<Option<Value>, EvalError> {
        GENERATOR.with(|generator| *generator.borrow_mut() = ChaCha8Rng::seed_from_u64(env.seed));
        let options = Options::new()
            .now(env.now_millis)
            .seed(env.seed)
            .max_steps(env.limits.max_steps)
            .max_depth(env.limits.max_depth)
            .max_string_length(env.limits.max_string_bytes)
            .max_array_length(env.limits.max_array_items);
        compiled
            .evaluate_with(input, &variables.bindings, &options)
            .map_err(|e| {
                // D1011 depth, U1006 steps, U1001 sizes, D1012 time, U1003 cancelled: the
                // bounds of the evaluation, not errors of the expression.
                let kind = match e.code() {
                    "D1011" | "U1006" | "U1001" | "D1012" | "U1003" => EvalErrorKind::Limit,
                    _ => EvalErrorKind::Failed,
                };
                EvalError {
                    kind,
                    code: e.code().to_string(),
                    message: e.message(),
                    span: e.span().map(|s| ExprSpan::new(s.start, s.end)),
                }
            })
    }
}

/// The engine's analysis of the bindings read ([`jlens_core::Expression::reads_with`]), united
/// with every `$name` the tree holds (read whole): the analysis takes a name shadowing a
/// built-in function (a variable `$count`) for the built-in, and the union stays an upper
/// bound whatever either side misses.
fn binding_reads(compiled: &jlens_core::Expression, syntax: &Syntax) -> BindingReads {
    let reads = compiled.reads_with(with_aws_functions());
    let mut names: Vec<(String, Option<Vec<String>>)> = reads
        .bindings()
        .iter()
        .map(|(name, read)| {
            let fields = match read {
                Read::Whole => None,
                Read::Fields(fields) => Some(fields.keys().cloned().collect()),
            };
            (name.clone(), fields)
        })
        .collect();
    for variable in &syntax.variables {
        let name = &variable.read.name;
        if !names.iter().any(|(n, _)| n == name) {
            names.push((name.clone(), None));
        }
    }
    BindingReads {
        every: reads.every_binding(),
        names,
    }
}

/// `$name` or a path `$name.a.b` of plain steps: nothing bound, filtered, grouped, sorted or
/// kept as an array on the way (every attribute named, so that a new one in jlens-core is
/// looked at here before it compiles).
fn variable_path(root: &Node) -> Option<VariablePath> {
    fn plain(node: &Node) -> bool {
        let jlens_core::ast::Attrs {
            keep_array,
            cons_array,
            tuple,
            focus,
            index,
            stages,
            predicate,
            group,
            ancestor,
            ancestor_label,
            seeking_parent,
        } = &node.attrs;
        !keep_array
            && !cons_array
            && !tuple
            && focus.is_none()
            && index.is_none()
            && stages.is_empty()
            && predicate.is_empty()
            && group.is_none()
            && ancestor.is_none()
            && ancestor_label.is_none()
            && seeking_parent.is_empty()
    }
    // `$` and `$$` are the context, not a variable.
    let variable = |node: &Node| match &node.kind {
        NodeKind::Variable { name } if plain(node) && !name.is_empty() && name != "$" => {
            Some(name.clone())
        }
        _ => None,
    };
    if !plain(root) {
        return None;
    }
    match &root.kind {
        NodeKind::Variable { .. } => variable(root).map(|name| VariablePath {
            name,
            fields: Vec::new(),
        }),
        NodeKind::Path {
            steps,
            keep_singleton_array: false,
        } => {
            let (first, rest) = steps.split_first()?;
            let name = variable(first)?;
            let fields = rest
                .iter()
                .map(|step| match &step.kind {
                    NodeKind::Name { name } if plain(step) => Some(name.clone()),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()?;
            Some(VariablePath { name, fields })
        }
        _ => None,
    }
}

fn span(node: &Node) -> ExprSpan {
    ExprSpan::new(node.span.start, node.span.end)
}

/// Walks the tree once for the names bound inside it, then again for reads, calls, newer
/// operators and reads of the context at the top level.
fn summarize(root: &Node) -> Syntax {
    let mut locals: Vec<String> = Vec::new();
    root.walk(&mut |node| {
        match &node.kind {
            NodeKind::Bind { lhs, .. } => {
                if let NodeKind::Variable { name } = &lhs.kind {
                    locals.push(name.clone());
                }
            }
            NodeKind::Lambda(def) => locals.extend(def.params.iter().cloned()),
            _ => {}
        }
        locals.extend(node.attrs.focus.iter().cloned());
        locals.extend(node.attrs.index.iter().cloned());
        for stage in &node.attrs.stages {
            if let Stage::Index { var, .. } = stage {
                locals.push(var.clone());
            }
        }
    });
    let mut walker = Walker {
        locals,
        syntax: Syntax::default(),
    };
    walker.visit(root, true);
    walker.syntax
}

struct Walker {
    locals: Vec<String>,
    syntax: Syntax,
}

impl Walker {
    /// `at_root`: the node is evaluated against the expression's own context value, which in a
    /// workflow field is nothing AWS lets an expression read.
    fn visit(&mut self, node: &Node, at_root: bool) {
        match &node.kind {
            NodeKind::Path { steps, .. } => {
                if let Some((first, rest)) = steps.split_first() {
                    match &first.kind {
                        NodeKind::Variable { name } if !is_context(name) => {
                            let fields = rest
                                .iter()
                                .map_while(|s| match &s.kind {
                                    NodeKind::Name { name } => Some(name.clone()),
                                    _ => None,
                                })
                                .collect();
                            self.variable(name, span(first), fields);
                            self.visit_attrs(first);
                        }
                        _ => self.visit(first, at_root),
                    }
                    for step in rest {
                        self.visit(step, false);
                    }
                }
            }
            NodeKind::Variable { name } => {
                if is_context(name) {
                    if at_root {
                        self.syntax.root_reads.push(span(node));
                    }
                } else {
                    self.variable(name, span(node), Vec::new());
                }
            }
            NodeKind::Name { .. } | NodeKind::Wildcard | NodeKind::Descendant => {
                if at_root {
                    self.syntax.root_reads.push(span(node));
                }
            }
            NodeKind::Function { procedure, args } | NodeKind::Partial { procedure, args } => {
                if let NodeKind::Variable { name } = &procedure.kind {
                    self.syntax.calls.push(CallSite {
                        name: name.clone(),
                        args: args.len(),
                        span: span(node),
                        bound_locally: self.locals.contains(name),
                    });
                }
                self.visit(procedure, at_root);
                for a in args {
                    self.visit(a, at_root);
                }
            }
            NodeKind::Fallback { op, lhs, rhs } => {
                self.syntax.newer_operators.push((op.symbol(), span(node)));
                self.visit(lhs, at_root);
                self.visit(rhs, at_root);
            }
            NodeKind::Binary { lhs, rhs, .. }
            | NodeKind::Bind { lhs, rhs }
            | NodeKind::Apply { lhs, rhs } => {
                self.visit(lhs, at_root);
                self.visit(rhs, at_root);
            }
            NodeKind::Negate { expr } => self.visit(expr, at_root),
            NodeKind::Array { items } => items.iter().for_each(|i| self.visit(i, at_root)),
            NodeKind::Object { pairs } => pairs.iter().for_each(|(k, v)| {
                self.visit(k, at_root);
                self.visit(v, at_root);
            }),
            NodeKind::Condition {
                condition,
                then,
                otherwise,
            } => {
                self.visit(condition, at_root);
                self.visit(then, at_root);
                if let Some(e) = otherwise {
                    self.visit(e, at_root);
                }
            }
            NodeKind::Block { exprs, .. } => exprs.iter().for_each(|e| self.visit(e, at_root)),
            // A function body's context is its caller's; not counted as the top level.
            NodeKind::Lambda(def) => self.visit(&def.body, false),
            NodeKind::Transform(def) => {
                self.visit(&def.pattern, false);
                self.visit(&def.update, false);
                if let Some(d) = &def.delete {
                    self.visit(d, false);
                }
            }
            NodeKind::Sort { terms } => terms.iter().for_each(|t| self.visit(&t.expr, false)),
            NodeKind::String { .. }
            | NodeKind::Number { .. }
            | NodeKind::Bool { .. }
            | NodeKind::Null
            | NodeKind::Regex { .. }
            | NodeKind::Parent { .. }
            | NodeKind::Placeholder
            | NodeKind::Error { .. } => {}
        }
        self.visit_attrs(node);
    }

    /// Predicates, group-by and the like: evaluated against each item, not the top level.
    fn visit_attrs(&mut self, node: &Node) {
        for stage in node.attrs.stages.iter().chain(&node.attrs.predicate) {
            if let Stage::Filter { expr, .. } = stage {
                self.visit(expr, false);
            }
        }
        if let Some(group) = &node.attrs.group {
            for (k, v) in &group.pairs {
                self.visit(k, false);
                self.visit(v, false);
            }
        }
    }

    fn variable(&mut self, name: &str, span: ExprSpan, fields: Vec<String>) {
        self.syntax.variables.push(VariableRef {
            read: VariableRead {
                name: name.to_string(),
                span,
                fields,
            },
            bound_locally: self.locals.iter().any(|l| l == name),
        });
    }
}

/// `$` (the context) and `$$` (the root) parse as variables named `` and `$`.
fn is_context(name: &str) -> bool {
    name.is_empty() || name == "$"
}
