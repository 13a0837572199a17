//! Go to definition, find references and rename, over the names the analysis found.

use std::collections::HashMap;

use lsp_types::{Location, TextEdit, Uri, WorkspaceEdit};

use super::Document;

pub(crate) fn definition(doc: &Document, uri: &Uri, offset: usize) -> Option<Location> {
    let at = doc.analysis.occurrence_at(offset)?;
    let decl = doc.analysis.occurrences_of(at).find(|o| o.declaration)?;
    Some(Location::new(uri.clone(), doc.range(decl.span)))
}

pub(crate) fn references(
    doc: &Document,
    uri: &Uri,
    offset: usize,
    include_declaration: bool,
) -> Vec<Location> {
    let Some(at) = doc.analysis.occurrence_at(offset) else {
        return Vec::new();
    };
    doc.analysis
        .occurrences_of(at)
        .filter(|o| include_declaration || !o.declaration)
        .map(|o| Location::new(uri.clone(), doc.range(o.span)))
        .collect()
}

/// Why a rename was refused: the protocol's answer is an error response with this text.
pub(crate) fn rename(
    doc: &Document,
    uri: &Uri,
    offset: usize,
    new_name: &str,
) -> Result<Option<WorkspaceEdit>, String> {
    let Some(at) = doc.analysis.occurrence_at(offset) else {
        return Ok(None);
    };
    if !is_name(new_name) {
        return Err(format!(
            "`{new_name}` is not a .flow name: a letter or `_`, then letters, digits, `_`, `-` or `.`"
        ));
    }
    let taken = doc
        .analysis
        .occurrences
        .iter()
        .any(|o| o.declaration && o.kind == at.kind && o.name == new_name);
    if taken && new_name != at.name {
        return Err(format!("`{new_name}` is already declared"));
    }
    let edits: Vec<TextEdit> = doc
        .analysis
        .occurrences_of(at)
        .map(|o| TextEdit::new(doc.range(o.span), new_name.to_owned()))
        .collect();
    Ok(Some(WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..Default::default()
    }))
}

/// The grammar's `name` rule (dsl/src/flow.pest).
fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}
