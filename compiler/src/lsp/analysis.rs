//! What the server knows of one open document, rebuilt on every change: the diagnostics
//! `flowc check` reports (through `cli::pipeline::check_text`, the same function), and for a
//! `.flow` file its syntax tree and every place a state, resource or retry policy is named.

use flowc_dsl::ast::{Field, Item, ResourceRef, Retry, State, StateKind, Workflow};
use flowc_dsl::{Span, Spanned};
use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Uri,
};
use miette::Severity;

use super::text::LineIndex;
use crate::cli::input::InputKind;
use crate::cli::pipeline::check_text;
use crate::lower::Bindings;

/// What a name names. State names share one namespace across the machine (ASL requires
/// state names to be unique in the whole definition), resources and policies have their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SymbolKind {
    State,
    Resource,
    RetryPolicy,
}

/// One place a name is written: its declaration or a use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Occurrence {
    pub(crate) kind: SymbolKind,
    pub(crate) name: String,
    pub(crate) span: Span,
    pub(crate) declaration: bool,
}

/// The analysis of one document's text.
#[derive(Debug)]
pub(crate) struct Analysis {
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// The syntax tree, when a `.flow` text parsed.
    pub(crate) workflow: Option<Workflow>,
    pub(crate) occurrences: Vec<Occurrence>,
}

impl Analysis {
    pub(crate) fn new(kind: InputKind, uri: &Uri, text: &str, index: &LineIndex) -> Self {
        let mut diagnostics = Vec::new();
        let name = uri.path().as_str().rsplit('/').next().unwrap_or_default();
        check_text(kind, text, name, &Bindings::new(), &mut |diag| {
            push_diagnostic(diag, uri, text, index, &mut diagnostics);
        });
        // Parsed again for the names: check_text keeps its tree to itself, and a parse is a
        // small part of a round (the bench in benches/lsp.rs measures the whole of it).
        let workflow = match kind {
            InputKind::Flow => flowc_dsl::parse_at_most(text, flowc_asl::rules::MAX_STATES).ok(),
            InputKind::Asl => None,
        };
        let occurrences = workflow
            .as_ref()
            .map(|w| occurrences(w, text))
            .unwrap_or_default();
        Analysis {
            diagnostics,
            workflow,
            occurrences,
        }
    }

    /// The occurrence whose name holds byte `offset` (or ends right at it: the cursor after
    /// the last letter of a name is still on it).
    pub(crate) fn occurrence_at(&self, offset: usize) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .find(|o| o.span.start <= offset && offset <= o.span.end)
    }

    /// Every occurrence of the symbol `of` names, declarations first.
    pub(crate) fn occurrences_of<'a>(
        &'a self,
        of: &'a Occurrence,
    ) -> impl Iterator<Item = &'a Occurrence> + 'a {
        let declarations = self
            .occurrences
            .iter()
            .filter(move |o| o.declaration && o.kind == of.kind && o.name == of.name);
        let uses = self
            .occurrences
            .iter()
            .filter(move |o| !o.declaration && o.kind == of.kind && o.name == of.name);
        declarations.chain(uses)
    }
}

/// One compiler diagnostic as LSP diagnostics: the primary label is the range, the other
/// labels related locations, the help the message's last paragraph; `#[related]` diagnostics
/// become diagnostics of their own, as `--message-format json` flattens them.
fn push_diagnostic(
    diag: &dyn miette::Diagnostic,
    uri: &Uri,
    text: &str,
    index: &LineIndex,
    out: &mut Vec<Diagnostic>,
) {
    let labels: Vec<miette::LabeledSpan> = diag.labels().map(|l| l.collect()).unwrap_or_default();
    let primary = labels
        .iter()
        .position(|l| l.primary())
        .or((!labels.is_empty()).then_some(0));
    let span_of = |l: &miette::LabeledSpan| Span::new(l.offset(), l.offset() + l.len());
    let range = primary
        .and_then(|i| labels.get(i))
        .map_or_else(Default::default, |l| index.range(text, span_of(l)));
    let mut message = diag.to_string();
    if let Some(label) = primary.and_then(|i| labels.get(i)).and_then(|l| l.label()) {
        message.push_str(&format!(" ({label})"));
    }
    if let Some(help) = diag.help() {
        message.push_str(&format!("\n\nhelp: {help}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = labels
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != primary)
        .map(|(_, l)| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), index.range(text, span_of(l))),
            message: l.label().unwrap_or("here").to_owned(),
        })
        .collect();
    let nested: Vec<&dyn miette::Diagnostic> =
        diag.related().map(|r| r.collect()).unwrap_or_default();
    // An aggregate (no code, no label, only related ones) is said by its parts.
    let aggregate = !nested.is_empty() && diag.code().is_none() && labels.is_empty();
    if !aggregate {
        out.push(Diagnostic {
            range,
            severity: Some(match diag.severity().unwrap_or(Severity::Error) {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
                Severity::Advice => DiagnosticSeverity::HINT,
            }),
            code: diag.code().map(|c| NumberOrString::String(c.to_string())),
            source: Some("flowc".into()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            ..Default::default()
        });
    }
    for rel in nested {
        push_diagnostic(rel, uri, text, index, out);
    }
}

/// Every name written in the workflow, in source order.
fn occurrences(workflow: &Workflow, text: &str) -> Vec<Occurrence> {
    let mut out = Vec::new();
    for item in &workflow.items {
        match item {
            Item::Resource(decl) => declare(&mut out, SymbolKind::Resource, &decl.name),
            Item::RetryPolicy(decl) => declare(&mut out, SymbolKind::RetryPolicy, &decl.name),
            Item::State(state) => state_occurrences(state, text, &mut out),
            Item::Comment(_) | Item::Version(_) | Item::Timeout(_) | Item::QueryLanguage(_) => {}
        }
    }
    out.sort_by_key(|o| o.span.start);
    out
}

fn declare(out: &mut Vec<Occurrence>, kind: SymbolKind, name: &Spanned<String>) {
    out.push(Occurrence {
        kind,
        name: name.node.clone(),
        span: name.span,
        declaration: true,
    });
}

fn refer(out: &mut Vec<Occurrence>, kind: SymbolKind, name: &Spanned<String>) {
    out.push(Occurrence {
        kind,
        name: name.node.clone(),
        span: name.span,
        declaration: false,
    });
}

fn state_occurrences(state: &State, text: &str, out: &mut Vec<Occurrence>) {
    declare(out, SymbolKind::State, &state.name);
    match &state.kind {
        StateKind::Task { resource } => {
            if let ResourceRef::Named(name) = &resource.node {
                // The span covers what was written after `=`: keep only the name itself, so a
                // rename never rewrites anything around it.
                if let Some(at) = text
                    .get(resource.span.start..resource.span.end)
                    .and_then(|written| written.find(name.as_str()))
                {
                    let start = resource.span.start + at;
                    refer(
                        out,
                        SymbolKind::Resource,
                        &Spanned::new(name.clone(), Span::new(start, start + name.len())),
                    );
                }
            }
        }
        StateKind::Poll(poll) => {
            declare(out, SymbolKind::State, &poll.wait);
            state_occurrences(&poll.check, text, out);
            state_occurrences(&poll.decide, text, out);
            refer(out, SymbolKind::State, &poll.exhausted);
        }
        _ => {}
    }
    for field in &state.fields {
        match &field.node {
            Field::Next(target) | Field::Otherwise(target) => refer(out, SymbolKind::State, target),
            Field::When(rule) => refer(out, SymbolKind::State, &rule.target),
            Field::Catch(catch) => refer(out, SymbolKind::State, &catch.target),
            Field::Retry(Retry::Policy(name)) => refer(out, SymbolKind::RetryPolicy, name),
            Field::Branch(states) => {
                for s in states {
                    state_occurrences(s, text, out);
                }
            }
            Field::Process(process) => {
                for s in &process.states {
                    state_occurrences(s, text, out);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyse(text: &str) -> Analysis {
        let uri: Uri = "file:///w/a.flow"
            .parse()
            .unwrap_or_else(|_| unreachable!());
        Analysis::new(InputKind::Flow, &uri, text, &LineIndex::new(text))
    }

    #[test]
    fn every_use_of_a_state_resource_and_policy_is_found() {
        let text = "resource r = lambda \"f\"\nretry policy p on States.ALL every 1s\n\
                    task A = r { retry p\n next B }\nsucceed B\n";
        let analysis = analyse(text);
        let names: Vec<(&str, bool)> = analysis
            .occurrences
            .iter()
            .map(|o| (&text[o.span.start..o.span.end], o.declaration))
            .collect();
        assert_eq!(
            names,
            [
                ("r", true),
                ("p", true),
                ("A", true),
                ("r", false),
                ("p", false),
                ("B", false),
                ("B", true)
            ]
        );
        assert!(
            analysis.diagnostics.is_empty(),
            "{:?}",
            analysis.diagnostics
        );
    }

    #[test]
    fn an_unknown_target_is_an_error_with_its_code_and_help() {
        let text = "pass A { next Bee }\nsucceed Be\n";
        let analysis = analyse(text);
        let diag = analysis
            .diagnostics
            .iter()
            .find(|d| d.severity == Some(DiagnosticSeverity::ERROR));
        let Some(diag) = diag else {
            panic!("no error in {:?}", analysis.diagnostics)
        };
        assert_eq!(
            diag.code,
            Some(NumberOrString::String(
                "flowc::resolve::unknown_state".into()
            ))
        );
        assert!(diag.message.contains("help:"), "{}", diag.message);
        assert_eq!(diag.range.start, lsp_types::Position::new(0, 14));
    }
}
