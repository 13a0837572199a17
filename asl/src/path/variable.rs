//! Variable roots: `$name`, `$name.a[0]` in JSONPath-mode fields (the `.$` values of
//! Parameters, ResultSelector, ItemSelector and Assign, InputPath, OutputPath, ItemsPath, the
//! `*Path` number and timestamp fields, Choice `Variable`, intrinsic arguments).
//!
//! AWS's Variables page: a reference is the variable's name after `$`, optionally followed by
//! a path into its value (`$product.price`). The name follows the rules for identifiers (a
//! letter or `_`, then letters, digits or `_`); `$` followed by `.`, `[`, `$` or nothing is the
//! input or context root as before, so no existing path changes meaning. Everything after the
//! name is parsed as the same path from `$`, by the same parser, so a variable path has the
//! same dialect and the same error messages as an input path, at the same offsets.

use super::PathError;

/// When `text` starts (after leading whitespace, which Jayway trims) with `$name`: the name
/// and the byte offset where the path after it starts.
pub(super) fn split(text: &str) -> Option<(&str, usize)> {
    let lead = text.len() - text.trim_start().len();
    let after_dollar = text.get(lead..)?.strip_prefix('$')?;
    let mut chars = after_dollar.char_indices();
    let (_, first) = chars.next()?;
    if !(first.is_alphabetic() || first == '_') {
        return None;
    }
    let end = chars
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(after_dollar.len(), |(at, _)| at);
    let name = after_dollar.get(..end)?;
    Some((name, lead + 1 + end))
}

/// The path after the name as a path from `$`, and what to add to an offset in it to point
/// into `text` (its `$` stands where the name ended).
pub(super) fn relative(text: &str, rest: usize) -> (String, usize) {
    let tail = text.get(rest..).unwrap_or("");
    (format!("${tail}"), rest.saturating_sub(1))
}

pub(super) fn shift_error(error: PathError, shift: usize) -> PathError {
    PathError {
        message: error.message,
        offset: error.offset + shift,
    }
}

/// `$name$...`: a second root after the name.
pub(super) fn nested_root_error(text: &str, rest: usize) -> PathError {
    let found = text
        .get(rest..)
        .and_then(|t| t.chars().next())
        .unwrap_or('$');
    PathError {
        message: format!(
            "unexpected '{found}' after the variable name; a variable path continues with '.name' or '[...]'"
        ),
        offset: rest,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::split;
    use crate::path::{JsonPath, PathRoot, RefStep, ReferencePath};
    use serde_json::json;

    #[test]
    fn a_name_after_the_dollar_is_a_variable() {
        assert_eq!(split("$orderId"), Some(("orderId", 8)));
        assert_eq!(split("$_x1.a"), Some(("_x1", 4)));
        assert_eq!(split(" $v[0]"), Some(("v", 3)));
        assert_eq!(split("$ünïcode.a"), Some(("ünïcode", 1 + "ünïcode".len())));
    }

    #[test]
    fn input_and_context_roots_are_not_variables() {
        for text in [
            "$",
            "$.a",
            "$[0]",
            "$$",
            "$$.Execution.Id",
            "$1",
            "$-x",
            "a",
        ] {
            assert_eq!(split(text), None, "{text}");
        }
    }

    #[test]
    fn variable_paths_parse_with_the_input_paths_dialect() {
        let path = JsonPath::parse("$products[?(@.price > 10)].name").unwrap();
        assert_eq!(path.root(), &PathRoot::Variable("products".into()));
        assert_eq!(path.as_str(), "$products[?(@.price > 10)].name");
        assert!(!path.is_definite());
        let value = json!([{"price": 5, "name": "a"}, {"price": 20, "name": "b"}]);
        assert_eq!(path.select(&value).unwrap(), json!(["b"]));

        let reference = ReferencePath::parse("$order.items[1]").unwrap();
        assert_eq!(reference.variable(), Some("order"));
        assert_eq!(
            reference.steps(),
            [RefStep::Name("items".into()), RefStep::Index(1)]
        );
        let whole = ReferencePath::parse("$order").unwrap();
        assert!(whole.is_root() && !whole.is_context());
    }

    #[test]
    fn errors_after_the_name_point_into_the_text_as_written() {
        let error = JsonPath::parse("$order.").unwrap_err();
        assert_eq!(error.offset, 6, "{error}");
        let error = ReferencePath::parse("$order[*]").unwrap_err();
        assert!(error.message.contains("reference path"), "{error}");
        assert_eq!(error.offset, 6);
        let error = JsonPath::parse("$a$.b").unwrap_err();
        assert_eq!(error.offset, 2);
    }
}
