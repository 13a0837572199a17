//! States.ALL placement: alone in its `ErrorEquals`, and in the last Retry / Catch entry.

use flowc_asl::{ErrorName, State, StatePath};

use super::CheckError;
use super::spans::Locator;

pub(crate) fn check_state(
    path: &StatePath,
    state: &State,
    locate: &Locator<'_>,
    out: &mut Vec<CheckError>,
) {
    let name = path.name().map_or("", |n| n.as_str());
    let retry: Vec<&[ErrorName]> = state
        .retry()
        .iter()
        .map(|r| r.error_equals.as_slice())
        .collect();
    let catch: Vec<&[ErrorName]> = state
        .catch()
        .iter()
        .map(|c| c.error_equals.as_slice())
        .collect();
    check_list("Retry", name, path, &retry, locate, out);
    check_list("Catch", name, path, &catch, locate, out);
}

fn check_list(
    field: &'static str,
    name: &str,
    path: &StatePath,
    entries: &[&[ErrorName]],
    locate: &Locator<'_>,
    out: &mut Vec<CheckError>,
) {
    for (index, errors) in entries.iter().enumerate() {
        if !errors.iter().any(ErrorName::is_all) {
            continue;
        }
        if errors.len() > 1 {
            out.push(CheckError::StatesAllNotAlone {
                field,
                name: name.to_owned(),
                index,
                span: locate.field(path, &format!("{field}/{index}/ErrorEquals")),
            });
        }
        if index + 1 < entries.len() {
            out.push(CheckError::StatesAllNotLast {
                field,
                name: name.to_owned(),
                span: locate.field(path, &format!("{field}/{index}")),
                after: locate.field(path, &format!("{field}/{}", index + 1)),
            });
        }
    }
}
