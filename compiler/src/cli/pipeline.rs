//! The shared front half of every subcommand: read a file, parse or load it, run the checks,
//! report every diagnostic, and hand back the machine only when there were no errors. A `.flow`
//! file's resolve errors and graph findings are reported together when its graph survived
//! resolving intact; an `.asl.json` file's load errors together with what the checks find in
//! the states that did load.
//!
//! Every subcommand reports the same diagnostics in one run. What each does next is its own
//! decision: `check` stops there; `graph` still draws a definition that loaded whole (an
//! unknown target or an unreachable state is easier to see drawn), but nothing when states
//! failed to load, since the drawing would leave them out; `decompile` and `simulate` need a
//! definition AWS would accept: a `.flow` without the broken states would compile to another
//! machine, and an execution of part of one is an execution AWS can never produce.

use std::path::Path;

use flowc_asl::StateMachine;
use miette::Diagnostic;

use super::input::{InputKind, read_source};
use crate::check::{self, SpanSource};
use crate::diagnostics::{Emitter, Format, SourceText};
use crate::lower::{self, Bindings, CompileError};

/// Reads, parses/loads and checks `path`, printing every diagnostic (warnings included).
/// Returns the machine when there were no errors; `None` when there were (all reported).
pub(crate) fn load_checked(
    path: &Path,
    bindings: &Bindings,
    emitter: &mut Emitter,
) -> Option<StateMachine> {
    load_reported(path, bindings, emitter).filter(|_| emitter.errors() == 0)
}

/// [`load_checked`], but the machine comes back whenever the whole definition was read
/// (parsed and resolved, or loaded), even when the checks found errors in it.
pub(crate) fn load_reported(
    path: &Path,
    bindings: &Bindings,
    emitter: &mut Emitter,
) -> Option<StateMachine> {
    load_reported_source(path, bindings, emitter).map(|loaded| loaded.machine)
}

/// A definition that was read whole, with the source it was read from and where each state
/// and field was written in it.
pub(crate) struct Loaded {
    pub(crate) machine: StateMachine,
    pub(crate) kind: InputKind,
    pub(crate) source: SourceText,
    pub(crate) spans: Box<dyn SpanSource>,
}

/// [`load_checked`], keeping the source: for the commands that report on the file as a whole.
pub(crate) fn load_checked_source(
    path: &Path,
    bindings: &Bindings,
    emitter: &mut Emitter,
) -> Option<Loaded> {
    load_reported_source(path, bindings, emitter).filter(|_| emitter.errors() == 0)
}

/// Warns when the definition AWS would be sent, `sent`, is over its 1 MB quota (`flowc check`
/// and `flowc compile`; the warning points at the start of `source`).
pub(crate) fn warn_definition_size(
    sent: flowc_asl::rules::JsonSize,
    as_what: &'static str,
    source: &SourceText,
    emitter: &mut Emitter,
) {
    if let Some(warning) = check::definition_size(sent, as_what) {
        emitter.emit(&warning, Some(source));
    }
}

fn load_reported_source(path: &Path, bindings: &Bindings, emitter: &mut Emitter) -> Option<Loaded> {
    let source = match read_source(path) {
        Ok(source) => source,
        Err(err) => {
            emitter.emit_about(&err, &path.display().to_string());
            return None;
        }
    };
    let kind = match source.kind() {
        Ok(kind) => kind,
        Err(err) => {
            emitter.emit_about(&err, &source.name);
            return None;
        }
    };
    let text = SourceText::new(source.name.clone(), source.text.clone());
    let (machine, spans) = check_text(kind, &source.text, &source.name, bindings, &mut |diag| {
        emitter.emit(diag, Some(&text))
    })?;
    Some(Loaded {
        machine,
        kind,
        source: text,
        spans,
    })
}

/// Parses/loads and checks one definition's `text`, handing every diagnostic to `report` in
/// the order `flowc check` prints them (the language server reports the same ones). Returns the
/// machine and its spans when the whole definition was read (parsed and resolved, or loaded),
/// even when the checks found errors in it.
pub(crate) fn check_text(
    kind: InputKind,
    text: &str,
    name: &str,
    bindings: &Bindings,
    report: &mut dyn FnMut(&dyn Diagnostic),
) -> Option<(StateMachine, Box<dyn SpanSource>)> {
    match kind {
        InputKind::Flow => match lower::compile_for_checks(text, bindings) {
            Ok(lowered) => {
                for finding in check::check(&lowered.machine, &lowered.spans) {
                    report(&finding);
                }
                Some((
                    lowered.machine,
                    Box::new(lowered.spans) as Box<dyn SpanSource>,
                ))
            }
            Err((CompileError::Parse(err), _)) => {
                report(&err);
                None
            }
            Err((CompileError::Resolve(errors), partial)) => {
                for err in &errors {
                    report(err);
                }
                // The graph is intact: its findings belong to this run's report too, except
                // those the resolve stage has already said in its own words.
                if let Some(lowered) = partial {
                    for finding in check::check(&lowered.machine, &lowered.spans) {
                        if !said_by_resolve(&finding) {
                            report(&finding);
                        }
                    }
                }
                None
            }
        },
        InputKind::Asl => match flowc_asl::load(text, name) {
            Ok(loaded) => {
                for finding in check::check(&loaded.machine, &loaded.spans) {
                    report(&finding);
                }
                Some((
                    loaded.machine,
                    Box::new(loaded.spans) as Box<dyn SpanSource>,
                ))
            }
            Err(errors) => {
                // Each error carries the source; report them one by one so the output matches
                // every other stage (and JSON gets one object per problem).
                for err in errors.errors() {
                    report(err);
                }
                // The states that did decode still get the checks that look at one state at a
                // time, so one run reports everything it can.
                let partial = flowc_asl::load_partial(text, name);
                if let Some(loaded) = partial.loaded {
                    for finding in check::check(&loaded.machine, &loaded.spans) {
                        if holds_without(&finding, &partial.failed_states) {
                            report(&finding);
                        }
                    }
                }
                None
            }
        },
    }
}

/// Whether a graph finding on a machine missing `failed` states (they did not load) is still
/// true of the whole definition: findings about one state are; reachability, terminal states,
/// loops and data flow need the whole graph, and a target may be one of the missing states.
fn holds_without(finding: &check::CheckError, failed: &[String]) -> bool {
    use check::CheckError as E;
    match finding {
        E::UnknownTarget { name, .. } => !failed.iter().any(|f| f == name),
        E::EscapesBranch { .. }
        | E::ChoiceWithoutDefault { .. }
        | E::StatesAllNotAlone { .. }
        | E::StatesAllNotLast { .. }
        | E::OverLimit { .. }
        | E::DuplicateState { .. } => true,
        _ => false,
    }
}

/// Check findings that a `.flow` file's resolve stage reports itself (unknown targets, the
/// position of States.ALL, names defined twice).
fn said_by_resolve(finding: &check::CheckError) -> bool {
    matches!(
        finding,
        check::CheckError::UnknownTarget { .. }
            | check::CheckError::StatesAllNotAlone { .. }
            | check::CheckError::StatesAllNotLast { .. }
            | check::CheckError::DuplicateState { .. }
    )
}

/// Prints the closing summary line of a human-format run that found something.
pub(crate) fn summary(emitter: &Emitter, file: &str) {
    if !matches!(emitter.format(), Format::Human { .. }) {
        return;
    }
    let (errors, warnings) = (emitter.errors(), emitter.warnings());
    if errors == 0 && warnings == 0 {
        return;
    }
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    let counts = match (errors, warnings) {
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    };
    let verdict = if errors > 0 { "error" } else { "warning" };
    super::output::eprint_line(&format!("{verdict}: {file}: {counts}"));
}
