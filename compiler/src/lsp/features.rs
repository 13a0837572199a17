//! The read-only requests on one `.flow` document: hover, completion, outline, folding and
//! formatting. Each is answered from the document's [`Analysis`](super::analysis::Analysis)
//! and the compiler's own stages (the lowering for hover, `fmt` for formatting).

use flowc_asl::intrinsic::Function;
use flowc_asl::names::ErrorName;
use flowc_dsl::ast::{Field, Item, ResourceKind, State, StateKind};
use lsp_types::{
    CompletionItem, CompletionItemKind, DocumentSymbol, FoldingRange, FoldingRangeKind, Hover,
    HoverContents, MarkupContent, MarkupKind, SymbolKind as LspSymbolKind, TextEdit,
};

use super::Document;
use super::analysis::SymbolKind;
use crate::lower::{self, Bindings};

/// Hover over a name: a state's kind and the ASL it compiles to, a resource's ARN (or the
/// placeholder Terraform fills), a retry policy as declared.
pub(crate) fn hover(doc: &Document, offset: usize) -> Option<Hover> {
    let at = doc.analysis.occurrence_at(offset)?;
    let decl = doc.analysis.occurrences_of(at).find(|o| o.declaration)?;
    let workflow = doc.analysis.workflow.as_ref()?;
    let value = match at.kind {
        SymbolKind::State => {
            // The lowering's side table names each state by where it was written, so the
            // state under the cursor is found by its declaration's span, not by its name.
            let lowered = match lower::lower_for_checks(workflow, &Bindings::new()) {
                Ok(lowered) => lowered,
                Err((_, partial)) => *partial?,
            };
            let (path, _) = lowered
                .spans
                .states()
                .find(|(_, spans)| spans.name == decl.span)?;
            let state = lowered.machine.state_at(path)?;
            let json = serde_json::to_string_pretty(&flowc_asl::state_json(state)).ok()?;
            format!(
                "**{}** `{}` ({})\n\n```json\n{json}\n```",
                state.kind.type_name(),
                at.name,
                keyword_of(workflow, &decl.name).unwrap_or("state"),
            )
        }
        SymbolKind::Resource => {
            let kind = workflow.items.iter().find_map(|item| match item {
                Item::Resource(r) if r.name.node == at.name => Some(&r.kind),
                _ => None,
            })?;
            match kind {
                ResourceKind::Lambda(function) => format!(
                    "**resource** `{}`: Lambda function `{}`\n\nResource: `${{{}}}` \
                     (a placeholder for Terraform's templatefile(), or `flowc compile --bind {}=ARN`)",
                    at.name, function.node, at.name, at.name
                ),
                ResourceKind::Arn(arn) => {
                    format!("**resource** `{}`\n\nResource: `{}`", at.name, arn.node)
                }
            }
        }
        SymbolKind::RetryPolicy => {
            let span = workflow.items.iter().find_map(|item| match item {
                Item::RetryPolicy(p) if p.name.node == at.name => Some(p.span),
                _ => None,
            })?;
            let written = doc.text.get(span.start..span.end)?;
            format!("**retry policy** `{}`\n\n```flow\n{written}\n```", at.name)
        }
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(doc.range(at.span)),
    })
}

/// The `.flow` keyword of the state declared under `name`.
fn keyword_of(workflow: &flowc_dsl::Workflow, name: &str) -> Option<&'static str> {
    fn find<'a>(states: impl Iterator<Item = &'a State>, name: &str) -> Option<&'static str> {
        for state in states {
            if state.name.node == name {
                return Some(state.kind.keyword());
            }
            if let StateKind::Poll(poll) = &state.kind {
                if poll.wait.node == name {
                    return Some("wait");
                }
                if let Some(k) = find([&poll.check, &poll.decide].into_iter(), name) {
                    return Some(k);
                }
            }
            for field in &state.fields {
                let found = match &field.node {
                    Field::Branch(states) => find(states.iter(), name),
                    Field::Process(p) => find(p.states.iter(), name),
                    _ => None,
                };
                if found.is_some() {
                    return found;
                }
            }
        }
        None
    }
    find(workflow.states(), name)
}

/// Keywords that start a top-level item: the parser's own list.
const TOP_LEVEL_KEYWORDS: &[&str] = flowc_dsl::ITEM_KEYWORDS;

/// Keywords inside a state's body (`Field::keyword`) and its clauses.
const BODY_KEYWORDS: &[&str] = &[
    "comment",
    "input_path",
    "output_path",
    "result_path",
    "parameters",
    "result_selector",
    "result",
    "item_selector",
    "timeout",
    "heartbeat",
    "retry",
    "catch",
    "into",
    "next",
    "end",
    "when",
    "otherwise",
    "branch",
    "process",
    "iterator",
    "config",
    "max_concurrency",
    "tolerated_failure_percentage",
    "tolerated_failure_count",
    "item_reader",
    "item_batcher",
    "result_writer",
    "label",
    "query_language",
    "arguments",
    "output",
    "assign",
    "on",
    "every",
    "attempts",
    "backoff",
    "max_delay",
    "jitter",
    "full",
    "none",
    "and",
    "or",
    "not",
    "is",
    "present",
    "null",
    "matches",
    "all",
    "any",
    "string",
    "numeric",
    "number",
    "boolean",
    "timestamp",
    "true",
    "false",
    "jsonata",
    "jsonpath",
    "lambda",
    "policy",
    "for",
    "until",
    "error",
    "cause",
    "over",
    "at",
    "most",
    "times",
    "wait",
    "check",
    "exhausted",
    "counter",
    "task",
    "pass",
    "choice",
    "succeed",
    "fail",
    "parallel",
    "map",
    "poll",
];

/// The errors a Lambda invocation raises that AWS recommends retrying (the Step Functions
/// guide's "Handle transient Lambda service exceptions").
const LAMBDA_ERRORS: &[&str] = &[
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "Lambda.Unknown",
];

/// Completion at `offset`: the keywords of where the cursor is (top level or inside a state),
/// the declared names, the error names and the intrinsic functions.
pub(crate) fn completion(doc: &Document, offset: usize) -> Vec<CompletionItem> {
    let inside_state = doc.analysis.workflow.as_ref().is_some_and(|w| {
        w.states()
            .any(|s| s.name.span.end < offset && offset < s.span.end)
    }) || brace_depth(doc.text.get(..offset).unwrap_or_default()) > 0;
    let keywords = if inside_state {
        BODY_KEYWORDS
    } else {
        TOP_LEVEL_KEYWORDS
    };
    let mut items: Vec<CompletionItem> = keywords
        .iter()
        .map(|k| item(k, CompletionItemKind::KEYWORD, "keyword"))
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for o in doc.analysis.occurrences.iter().filter(|o| o.declaration) {
        if !seen.insert((o.name.as_str(), o.kind as u8)) {
            continue;
        }
        let (kind, detail) = match o.kind {
            SymbolKind::State => (CompletionItemKind::CLASS, "state"),
            SymbolKind::Resource => (CompletionItemKind::CONSTANT, "resource"),
            SymbolKind::RetryPolicy => (CompletionItemKind::VARIABLE, "retry policy"),
        };
        items.push(item(&o.name, kind, detail));
    }
    if inside_state {
        items.extend(
            ErrorName::BUILT_IN
                .iter()
                .chain(LAMBDA_ERRORS)
                .map(|e| item(e, CompletionItemKind::ENUM_MEMBER, "error name")),
        );
        items.extend(Function::ALL.iter().map(|f| {
            let (min, max) = f.arity();
            let arity = match max {
                Some(max) if max == min => format!("{min} argument(s)"),
                Some(max) => format!("{min} to {max} arguments"),
                None => format!("{min} or more arguments"),
            };
            CompletionItem {
                insert_text: Some(format!("{}(", f.name())),
                ..item(
                    f.name(),
                    CompletionItemKind::FUNCTION,
                    &format!("intrinsic function, {arity}"),
                )
            }
        }));
    }
    items
}

fn item(label: &str, kind: CompletionItemKind, detail: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_owned(),
        kind: Some(kind),
        detail: Some(detail.to_owned()),
        ..Default::default()
    }
}

/// Open braces before the end of `text`, ignoring strings and comments roughly: enough to tell
/// a state's body from the top level while the text does not parse.
fn brace_depth(text: &str) -> i64 {
    let mut depth = 0i64;
    let mut in_string = false;
    for line in text.lines() {
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' => in_string = !in_string,
                '\\' if in_string => {
                    chars.next();
                }
                '#' if !in_string => break,
                '/' if !in_string && chars.peek() == Some(&'/') => break,
                '{' if !in_string => depth += 1,
                '}' if !in_string => depth -= 1,
                _ => {}
            }
        }
        in_string = false;
    }
    depth
}

/// Builds one outline entry: name, detail, kind, whole span, name span, children.
type MakeSymbol<'a> = dyn Fn(
        &str,
        &str,
        LspSymbolKind,
        flowc_dsl::Span,
        flowc_dsl::Span,
        Option<Vec<DocumentSymbol>>,
    ) -> DocumentSymbol
    + 'a;

/// The outline: resources, retry policies and states (a Parallel's or Map's states inside it).
#[allow(deprecated)] // DocumentSymbol::deprecated: a required field of the struct.
pub(crate) fn document_symbols(doc: &Document) -> Vec<DocumentSymbol> {
    let Some(workflow) = doc.analysis.workflow.as_ref() else {
        return Vec::new();
    };
    let symbol = |name: &str, detail: &str, kind, span, selection, children| DocumentSymbol {
        name: name.to_owned(),
        detail: Some(detail.to_owned()),
        kind,
        tags: None,
        deprecated: None,
        range: doc.range(span),
        selection_range: doc.range(selection),
        children,
    };
    fn state_symbol(state: &State, make: &MakeSymbol<'_>) -> DocumentSymbol {
        let mut children = Vec::new();
        if let StateKind::Poll(poll) = &state.kind {
            children.push(state_symbol(&poll.check, make));
            children.push(state_symbol(&poll.decide, make));
        }
        for field in &state.fields {
            match &field.node {
                Field::Branch(states) => {
                    children.extend(states.iter().map(|s| state_symbol(s, make)))
                }
                Field::Process(p) => {
                    children.extend(p.states.iter().map(|s| state_symbol(s, make)))
                }
                _ => {}
            }
        }
        make(
            &state.name.node,
            state.kind.keyword(),
            LspSymbolKind::CLASS,
            state.span,
            state.name.span,
            (!children.is_empty()).then_some(children),
        )
    }
    workflow
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Resource(r) => Some(symbol(
                &r.name.node,
                "resource",
                LspSymbolKind::CONSTANT,
                r.span,
                r.name.span,
                None,
            )),
            Item::RetryPolicy(p) => Some(symbol(
                &p.name.node,
                "retry policy",
                LspSymbolKind::VARIABLE,
                p.span,
                p.name.span,
                None,
            )),
            Item::State(s) => Some(state_symbol(s, &symbol)),
            _ => None,
        })
        .collect()
}

/// Folding: every item, state and field written over several lines, and runs of comment lines.
pub(crate) fn folding(doc: &Document) -> Vec<FoldingRange> {
    let Some(workflow) = doc.analysis.workflow.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut fold = |span: flowc_dsl::Span, kind: Option<FoldingRangeKind>| {
        let range = doc.range(span);
        if range.end.line > range.start.line {
            out.push(FoldingRange {
                start_line: range.start.line,
                end_line: range.end.line,
                kind,
                ..Default::default()
            });
        }
    };
    fn states<'a>(state: &'a State, all: &mut Vec<&'a State>) {
        all.push(state);
        if let StateKind::Poll(poll) = &state.kind {
            states(&poll.check, all);
            states(&poll.decide, all);
        }
        for field in &state.fields {
            match &field.node {
                Field::Branch(ss) => ss.iter().for_each(|s| states(s, all)),
                Field::Process(p) => p.states.iter().for_each(|s| states(s, all)),
                _ => {}
            }
        }
    }
    let mut all = Vec::new();
    for item in &workflow.items {
        match item {
            Item::State(s) => states(s, &mut all),
            other => fold(other.span(), None),
        }
    }
    for state in all {
        fold(state.span, Some(FoldingRangeKind::Region));
        for field in &state.fields {
            fold(field.span, None);
        }
    }
    let mut comments = workflow.comments.iter().filter(|c| !c.trailing).peekable();
    while let Some(first) = comments.next() {
        let mut last = first;
        while let Some(next) = comments.peek() {
            if doc.range(next.span).start.line != doc.range(last.span).start.line + 1 {
                break;
            }
            last = next;
            comments.next();
        }
        fold(
            flowc_dsl::Span::new(first.span.start, last.span.end),
            Some(FoldingRangeKind::Comment),
        );
    }
    out.sort_by_key(|r| (r.start_line, r.end_line));
    out.dedup_by_key(|r| (r.start_line, r.end_line));
    out
}

/// Formatting: the whole text as `flowc fmt` prints it, as one edit; none when it is already
/// canonical or does not parse (its diagnostics say why).
pub(crate) fn formatting(doc: &Document) -> Vec<TextEdit> {
    match crate::fmt::format_source(&doc.text) {
        Ok(formatted) if formatted != doc.text => vec![TextEdit::new(
            doc.range(flowc_dsl::Span::new(0, doc.text.len())),
            formatted,
        )],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_grammar_keyword_is_offered_somewhere() {
        let grammar = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../dsl/src/flow.pest"),
        )
        .unwrap_or_else(|e| panic!("dsl/src/flow.pest: {e}"));
        let missing: Vec<&str> = grammar
            .lines()
            .filter_map(|l| l.strip_prefix("k_"))
            .filter_map(|l| l.split_once(" = @{ \"").map(|(_, rest)| rest))
            .filter_map(|rest| rest.split('"').next())
            .filter(|k| !TOP_LEVEL_KEYWORDS.contains(k) && !BODY_KEYWORDS.contains(k))
            .collect();
        assert!(missing.is_empty(), "keywords not offered: {missing:?}");
    }

    #[test]
    fn brace_depth_skips_strings_and_comments() {
        assert_eq!(brace_depth("task A = r {\n \"{\" # {\n"), 1);
        assert_eq!(brace_depth("task A = r { }\n"), 0);
    }
}
