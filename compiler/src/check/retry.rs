//! States.ALL placement: alone in its `ErrorEquals`, and in the last Retry / Catch entry.

use flowc_asl::{ErrorName, State, StateName};

use super::spans::Locator;
use super::{CheckError, Scope};

pub(crate) fn check_state(
    scope: &Scope<'_>,
    name: &StateName,
    state: &State,
    locate: &Locator<'_>,
    out: &mut Vec<CheckError>,
) {
    let retry = state.retry().iter().map(|r| r.error_equals.as_slice());
    check_list("Retry", scope, name, retry, locate, out);
    let catch = state.catch().iter().map(|c| c.error_equals.as_slice());
    check_list("Catch", scope, name, catch, locate, out);
}

fn check_list<'a>(
    field: &'static str,
    scope: &Scope<'_>,
    name: &StateName,
    entries: impl ExactSizeIterator<Item = &'a [ErrorName]>,
    locate: &Locator<'_>,
    out: &mut Vec<CheckError>,
) {
    let count = entries.len();
    for (index, errors) in entries.enumerate() {
        if !errors.iter().any(ErrorName::is_all) {
            continue;
        }
        let alone = errors.len() == 1;
        let last = index + 1 == count;
        if alone && last {
            continue;
        }
        // Paths are only built for a finding: the clean path allocates nothing.
        let path = scope.path_of(name);
        if !alone {
            out.push(CheckError::StatesAllNotAlone {
                field,
                name: name.as_str().to_owned(),
                index,
                span: locate.field(&path, &format!("{field}/{index}/ErrorEquals")),
            });
        }
        if !last {
            out.push(CheckError::StatesAllNotLast {
                field,
                name: name.as_str().to_owned(),
                span: locate.field(&path, &format!("{field}/{index}")),
                after: locate.field(&path, &format!("{field}/{}", index + 1)),
            });
        }
    }
}
