//! The comparison rules of conformance/asl/README.md ("How results are compared"): a run-case
//! result object against what AWS recorded, after the case's own normalisation.
//!
//! Every rule returns `Ok(())` or the first difference, worded for a person reading a failure
//! list (`$output.a.b: expected 1, got 2`).

use serde::Deserialize;
use serde_json::Value;

/// What AWS answered for a case (`expected` in the case file).
#[derive(Debug, Clone, Deserialize)]
pub struct Expected {
    /// `SUCCEEDED`, `FAILED` or `TIMED_OUT`.
    pub status: String,
    #[serde(default)]
    pub output: Option<Value>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub cause: Option<String>,
    /// The cause parsed, where AWS's cause was a JSON object: compared parsed.
    #[serde(default)]
    pub cause_json: Option<Value>,
    /// Every event AWS wrote, as `(type, state name)`, where the history was recorded.
    #[serde(default)]
    pub history: Option<Vec<(String, Option<String>)>>,
}

/// The case file's `normalize` object, as written.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NormalizeRules {
    /// `[pattern, replacement]`: applied in order to every string (and object key) of the actual
    /// result; the replacement is literal text.
    #[serde(default)]
    pub regex: Vec<(String, String)>,
    /// Expected values that match any actual value (e.g. timestamps the recording could not
    /// pin down).
    #[serde(default)]
    pub value_wildcards: Vec<String>,
    /// A `<name:N>` token inside an expected string matches any substring.
    #[serde(default)]
    pub ref_wildcards: bool,
}

/// How a difference names its two sides: the value expected and the one found, and the keys
/// only one of them has.
pub(crate) struct Sides {
    pub(crate) expected: &'static str,
    pub(crate) actual: &'static str,
    pub(crate) missing: &'static str,
    pub(crate) extra: &'static str,
}

/// The conformance corpus's words: `$output.a: expected 1, got 2`.
pub(crate) const CONFORMANCE: Sides = Sides {
    expected: "expected",
    actual: "got",
    missing: "missing",
    extra: "extra",
};

/// A case's normalisation, ready to apply: its patterns compiled once.
pub(crate) struct Normalizer<'a> {
    rules: Vec<(regex_lite::Regex, &'a str)>,
    value_wildcards: &'a [String],
    ref_wildcards: bool,
}

impl<'a> Normalizer<'a> {
    /// Compiles the case's patterns. The corpus's patterns are written for Python's `re`; the
    /// ones it uses (literals with `\-` escapes) mean the same in `regex_lite`.
    pub(crate) fn new(rules: &'a NormalizeRules) -> Result<Self, String> {
        let compiled = rules
            .regex
            .iter()
            .map(|(pattern, replacement)| {
                regex_lite::Regex::new(pattern)
                    .map(|re| (re, replacement.as_str()))
                    .map_err(|e| format!("normalize pattern `{pattern}`: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            rules: compiled,
            value_wildcards: &rules.value_wildcards,
            ref_wildcards: rules.ref_wildcards,
        })
    }

    pub(crate) fn text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (re, replacement) in &self.rules {
            if let std::borrow::Cow::Owned(changed) =
                re.replace_all(&out, regex_lite::NoExpand(replacement))
            {
                out = changed;
            }
        }
        out
    }

    /// The value with every string and object key normalised.
    pub(crate) fn value(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.value(v)).collect()),
            Value::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (self.text(k), self.value(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// An expected string against an actual one: equal, or with `ref_wildcards`, equal with each
    /// `<name:N>` token standing for any substring.
    pub(crate) fn strings_match(&self, expected: &str, actual: &str) -> bool {
        if expected == actual {
            return true;
        }
        if !self.ref_wildcards {
            return false;
        }
        let parts = split_ref_tokens(expected);
        parts.len() > 1 && glob_match(&parts, actual)
    }

    /// JSON equality as the rules define it: object key order does not matter, `1 == 1.0`,
    /// booleans never equal numbers, wildcard values match anything.
    pub(crate) fn json_match(
        &self,
        expected: &Value,
        actual: &Value,
        at: &str,
    ) -> Result<(), String> {
        self.json_match_as(&CONFORMANCE, expected, actual, at)
    }

    /// [`Normalizer::json_match`], the difference worded with `sides`' names for the two values.
    pub(crate) fn json_match_as(
        &self,
        sides: &Sides,
        expected: &Value,
        actual: &Value,
        at: &str,
    ) -> Result<(), String> {
        let differ = || {
            Err(format!(
                "{at}: {} {}, {} {}",
                sides.expected,
                clip(&expected.to_string(), 200),
                sides.actual,
                clip(&actual.to_string(), 200)
            ))
        };
        match (expected, actual) {
            (Value::String(e), _) if self.value_wildcards.iter().any(|w| w == e) => Ok(()),
            (Value::Bool(e), Value::Bool(a)) if e == a => Ok(()),
            (Value::Number(e), Value::Number(a)) if numbers_equal(e, a) => Ok(()),
            (Value::String(e), Value::String(a)) if self.strings_match(e, a) => Ok(()),
            (Value::Null, Value::Null) => Ok(()),
            (Value::Object(e), Value::Object(a)) => {
                let missing: Vec<&str> = e
                    .keys()
                    .filter(|k| !a.contains_key(*k))
                    .map(String::as_str)
                    .take(5)
                    .collect();
                let extra: Vec<&str> = a
                    .keys()
                    .filter(|k| !e.contains_key(*k))
                    .map(String::as_str)
                    .take(5)
                    .collect();
                if !missing.is_empty() || !extra.is_empty() {
                    return Err(format!(
                        "{at}: keys differ: {} {missing:?}, {} {extra:?}",
                        sides.missing, sides.extra
                    ));
                }
                for (k, ev) in e {
                    if let Some(av) = a.get(k) {
                        self.json_match_as(sides, ev, av, &format!("{at}.{k}"))?;
                    }
                }
                Ok(())
            }
            (Value::Array(e), Value::Array(a)) => {
                if e.len() != a.len() {
                    return Err(format!(
                        "{at}: {} list of {}, {} {}",
                        sides.expected,
                        e.len(),
                        sides.actual,
                        a.len()
                    ));
                }
                for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                    self.json_match_as(sides, ev, av, &format!("{at}[{i}]"))?;
                }
                Ok(())
            }
            _ => differ(),
        }
    }
}

/// Compares a run-case result object (`{"status", "output" | "error", "cause"}`) with what AWS
/// recorded: status, then the output or the error and cause.
pub(crate) fn compare_result(
    expected: &Expected,
    norm: &Normalizer<'_>,
    result: &Value,
) -> Result<(), String> {
    let Value::Object(result) = result else {
        return Err("result is not a JSON object".into());
    };
    let status = result.get("status").and_then(Value::as_str);
    if status != Some(expected.status.as_str()) {
        let mut detail = String::new();
        if status == Some("FAILED") {
            let error = result.get("error").and_then(Value::as_str).unwrap_or("");
            let cause = result.get("cause").and_then(Value::as_str).unwrap_or("");
            detail = format!(" ({error}: {})", clip(cause, 200));
        }
        return Err(format!(
            "status: expected {}, got {}{detail}",
            expected.status,
            status.unwrap_or("none")
        ));
    }
    if expected.status == "SUCCEEDED" {
        let Some(actual) = result.get("output") else {
            return Err("no output".into());
        };
        let want = expected.output.as_ref().unwrap_or(&Value::Null);
        return norm.json_match(want, &norm.value(actual), "$output");
    }
    for (field, want) in [("error", &expected.error), ("cause", &expected.cause)] {
        // An empty string is no value, as AWS leaves the field out.
        let got = result
            .get(field)
            .and_then(|v| match v {
                Value::Null => None,
                Value::String(s) if s.is_empty() => None,
                Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            })
            .map(|s| norm.text(&s));
        match (want, got) {
            (None, None) => {}
            (None, Some(got)) => {
                return Err(format!("{field}: expected none, got {:?}", clip(&got, 200)));
            }
            (Some(want), None) => {
                return Err(format!("{field}: expected {:?}, got none", clip(want, 200)));
            }
            (Some(want), Some(got)) => match (field, &expected.cause_json) {
                ("cause", Some(want_json)) => {
                    let parsed: Value = serde_json::from_str(&got).map_err(|_| {
                        format!(
                            "cause: expected JSON {}, got {:?}",
                            clip(&want_json.to_string(), 200),
                            clip(&got, 200)
                        )
                    })?;
                    norm.json_match(want_json, &parsed, "$cause")?;
                }
                _ if norm.strings_match(want, &got) => {}
                _ => {
                    return Err(format!(
                        "{field}: expected {:?}, got {:?}",
                        clip(want, 300),
                        clip(&got, 300)
                    ));
                }
            },
        }
    }
    Ok(())
}

/// Compares the result's `history` with the recorded event sequence. Where branches or
/// iterations ran side by side (`concurrent`), AWS's interleaving is not deterministic: the
/// same events in any order count, with the same first and last event; elsewhere the order
/// must be the same.
pub(crate) fn compare_history(
    recorded: &[(String, Option<String>)],
    result: &Value,
    concurrent: bool,
) -> Result<(), String> {
    let Some(events) = result.get("history").and_then(Value::as_array) else {
        return Err("history: none in the result".into());
    };
    let actual: Vec<(String, Option<String>)> = events
        .iter()
        .map(|e| {
            let kind = e.get(0).and_then(Value::as_str).unwrap_or_default();
            let state = e.get(1).and_then(Value::as_str).map(str::to_owned);
            (kind.to_owned(), state)
        })
        .collect();
    let show = |e: &(String, Option<String>)| match &e.1 {
        Some(state) => format!("[{}, {state}]", e.0),
        None => format!("[{}, null]", e.0),
    };
    if concurrent {
        let mut want: Vec<&(String, Option<String>)> = recorded.iter().collect();
        let mut got: Vec<&(String, Option<String>)> = actual.iter().collect();
        want.sort();
        got.sort();
        if want != got || recorded.first() != actual.first() || recorded.last() != actual.last() {
            let missing = multiset_minus(&want, &got);
            let unexpected = multiset_minus(&got, &want);
            return Err(format!(
                "history: missing {:?}, unexpected {:?}",
                missing.iter().take(4).map(|e| show(e)).collect::<Vec<_>>(),
                unexpected
                    .iter()
                    .take(4)
                    .map(|e| show(e))
                    .collect::<Vec<_>>()
            ));
        }
        return Ok(());
    }
    for (i, (want, got)) in recorded.iter().zip(&actual).enumerate() {
        if want != got {
            return Err(format!(
                "history: event {} expected {}, got {}",
                i + 1,
                show(want),
                show(got)
            ));
        }
    }
    if recorded.len() != actual.len() {
        return Err(format!(
            "history: expected {} events, got {}",
            recorded.len(),
            actual.len()
        ));
    }
    Ok(())
}

/// The items of sorted `a` that sorted `b` does not account for (multiset difference).
fn multiset_minus<'a, T: Ord>(a: &[&'a T], b: &[&'a T]) -> Vec<&'a T> {
    let mut out = Vec::new();
    let mut j = 0;
    for &x in a {
        while j < b.len() && b[j] < x {
            j += 1;
        }
        if j < b.len() && b[j] == x {
            j += 1;
        } else {
            out.push(x);
        }
    }
    out
}

/// `1 == 1.0`: integers compare exactly, anything with a fraction as f64.
fn numbers_equal(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    let int = |n: &serde_json::Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    match (int(a), int(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a.as_f64() == b.as_f64(),
    }
}

/// Splits an expected string at its `<name:N>` reference tokens (name of letters, digits and
/// `_-.`, N digits): the literal parts between them. One part means no token.
fn split_ref_tokens(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let mut literal_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'<'
            && let Some(len) = ref_token_len(&bytes[i..])
        {
            parts.push(&text[literal_start..i]);
            i += len;
            literal_start = i;
            continue;
        }
        i += 1;
    }
    parts.push(&text[literal_start..]);
    parts
}

/// The length of a `<name:N>` token at the start of `bytes`, if one is there.
fn ref_token_len(bytes: &[u8]) -> Option<usize> {
    let name_end = 1 + bytes
        .get(1..)?
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        .count();
    if name_end == 1 || bytes.get(name_end) != Some(&b':') {
        return None;
    }
    let digits_end = name_end
        + 1
        + bytes[name_end + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
    (digits_end > name_end + 1 && bytes.get(digits_end) == Some(&b'>')).then_some(digits_end + 1)
}

/// Whether `text` is the literal `parts` in order with anything between them (the first part
/// at the start, the last at the end). Taking each middle part at its earliest place is
/// enough: a later place never leaves more room for what follows.
fn glob_match(parts: &[&str], text: &str) -> bool {
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return text.is_empty();
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let middle = parts.get(1..parts.len() - 1).unwrap_or(&[]);
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// At most `max` bytes of `text` (cut at a character boundary).
pub(crate) fn clip(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(v: Value) -> NormalizeRules {
        serde_json::from_value(v).unwrap_or_default()
    }

    fn expected(v: Value) -> Expected {
        serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"))
    }

    fn check(exp: Value, norm: Value, result: Value) -> Result<(), String> {
        let r = rules(norm);
        let n = Normalizer::new(&r).unwrap_or_else(|e| panic!("{e}"));
        compare_result(&expected(exp), &n, &result)
    }

    #[test]
    fn integers_equal_floats_but_booleans_never_equal_numbers() {
        let exp = json!({"status": "SUCCEEDED", "output": {"a": 1, "b": true}});
        assert_eq!(
            check(
                exp.clone(),
                json!({}),
                json!({"status": "SUCCEEDED", "output": {"b": true, "a": 1.0}})
            ),
            Ok(())
        );
        assert!(
            check(
                exp,
                json!({}),
                json!({"status": "SUCCEEDED", "output": {"a": 1, "b": 1}})
            )
            .is_err()
        );
    }

    #[test]
    fn normalisation_applies_to_actual_strings_and_keys_with_literal_replacements() {
        let exp =
            json!({"status": "SUCCEEDED", "output": {"<region>": "arn:<partition>:x:<region>"}});
        let norm =
            json!({"regex": [["us\\-east\\-1", "<region>"], ["arn:aws:", "arn:<partition>:"]]});
        assert_eq!(
            check(
                exp,
                norm,
                json!({"status": "SUCCEEDED", "output": {"us-east-1": "arn:aws:x:us-east-1"}})
            ),
            Ok(())
        );
        let exp = json!({"status": "SUCCEEDED", "output": "$1"});
        assert_eq!(
            check(
                exp,
                json!({"regex": [["(a)", "$1"]]}),
                json!({"status": "SUCCEEDED", "output": "a"})
            ),
            Ok(())
        );
    }

    #[test]
    fn value_wildcards_and_reference_tokens_match_anything_in_their_place() {
        let exp = json!({"status": "SUCCEEDED", "output": {"t": "start-time", "arn": "arn:x:<ExecArnPart:0>:end"}});
        let norm = json!({"value_wildcards": ["start-time"], "ref_wildcards": true});
        assert_eq!(
            check(
                exp.clone(),
                norm.clone(),
                json!({"status": "SUCCEEDED", "output": {"t": 5, "arn": "arn:x:abc:def:end"}})
            ),
            Ok(())
        );
        assert!(
            check(
                exp,
                norm,
                json!({"status": "SUCCEEDED", "output": {"t": 5, "arn": "arn:y:abc:end"}})
            )
            .is_err()
        );
    }

    #[test]
    fn errors_compare_as_strings_and_causes_as_json_when_recorded_so() {
        let exp = json!({"status": "FAILED", "error": "E", "cause": "{\"b\":1,\"a\":2}", "cause_json": {"a": 2, "b": 1}});
        assert_eq!(
            check(
                exp.clone(),
                json!({}),
                json!({"status": "FAILED", "error": "E", "cause": "{\"a\": 2, \"b\": 1}"})
            ),
            Ok(())
        );
        assert!(
            check(
                exp,
                json!({}),
                json!({"status": "FAILED", "error": "E", "cause": "oops"})
            )
            .is_err()
        );
        // No recorded cause: an empty or missing one matches, any other does not.
        let exp = json!({"status": "FAILED", "error": "States.Timeout"});
        assert_eq!(
            check(
                exp.clone(),
                json!({}),
                json!({"status": "FAILED", "error": "States.Timeout", "cause": ""})
            ),
            Ok(())
        );
        assert_eq!(
            check(
                exp,
                json!({}),
                json!({"status": "FAILED", "error": "States.Timeout", "cause": "x"})
            ),
            Err("cause: expected none, got \"x\"".into())
        );
    }

    #[test]
    fn a_wrong_status_names_the_error_it_got() {
        let got = check(
            json!({"status": "SUCCEEDED", "output": {}}),
            json!({}),
            json!({"status": "FAILED", "error": "States.Runtime", "cause": "bad"}),
        );
        assert_eq!(
            got,
            Err("status: expected SUCCEEDED, got FAILED (States.Runtime: bad)".into())
        );
    }

    fn seq(v: Value) -> Vec<(String, Option<String>)> {
        serde_json::from_value(v).unwrap_or_default()
    }

    #[test]
    fn sequential_histories_compare_in_order_and_concurrent_ones_as_multisets() {
        let recorded = seq(json!([
            ["ExecutionStarted", null],
            ["A", "x"],
            ["B", "y"],
            ["ExecutionSucceeded", null]
        ]));
        let swapped = json!({"history": [["ExecutionStarted", null], ["B", "y"], ["A", "x"], ["ExecutionSucceeded", null]]});
        assert_eq!(
            compare_history(&recorded, &swapped, false),
            Err("history: event 2 expected [A, x], got [B, y]".into())
        );
        assert_eq!(compare_history(&recorded, &swapped, true), Ok(()));
        let short = json!({"history": [["ExecutionStarted", null], ["A", "x"], ["B", "y"]]});
        assert!(compare_history(&recorded, &short, false).is_err());
        assert!(compare_history(&recorded, &short, true).is_err());
        assert!(compare_history(&recorded, &json!({}), false).is_err());
    }

    #[test]
    fn reference_tokens_split_only_on_the_documented_form() {
        assert_eq!(split_ref_tokens("a<X:1>b<y-z.w:22>"), ["a", "b", ""]);
        assert_eq!(split_ref_tokens("a<X:>b"), ["a<X:>b"]);
        assert_eq!(split_ref_tokens("<:1>"), ["<:1>"]);
        assert!(glob_match(&["ab", "cd", "ef"], "abXcdYef"));
        // The prefix and the suffix may not overlap.
        assert!(!glob_match(&["ab", "b"], "ab"));
        assert!(glob_match(&["ab", "b"], "abb"));
        assert!(!glob_match(&["ab", "ab"], "ab"));
        assert!(glob_match(&["ab", "ab"], "abab"));
        assert!(glob_match(&["", ""], "anything"));
    }
}
