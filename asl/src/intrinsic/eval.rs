//! [`Call`] -> value. Semantics from the AWS intrinsic-function reference, pinned where the
//! conformance corpus recorded real AWS (MathAdd rounds each argument half up, as Java's
//! `Math.round`; StringSplit splits on any delimiter character and drops empty pieces).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rand::{Rng as _, SeedableRng as _};
use serde_json::{Map, Value};
use sha2::Digest as _;

use super::{Arg, Call, Function, IntrinsicEvalError};
use crate::path::{JsonPath, PathEvalError};

/// How path arguments are read: `$…` from the state input, `$$…` from the context object.
pub(crate) type Select<'a> = &'a dyn Fn(&JsonPath) -> Result<Value, PathEvalError>;

/// States.ArrayRange may produce at most this many items.
const MAX_RANGE_ITEMS: i64 = 1000;
/// Base64Encode, Base64Decode and Hash accept at most this many characters.
const MAX_TEXT_CHARS: usize = 10_000;

pub(super) fn evaluate(
    call: &Call,
    select: Select<'_>,
    rng: &mut dyn rand::RngCore,
) -> Result<Value, IntrinsicEvalError> {
    let f = call.function;
    if f == Function::Format {
        return format(call, select, rng);
    }
    let mut args = Vec::with_capacity(call.args.len());
    for arg in &call.args {
        args.push(arg_value(arg, select, rng)?);
    }
    let a = Args { f, values: &args };
    match f {
        Function::Format => Ok(Value::Null),
        Function::StringToJson => {
            let text = a.string(0)?;
            serde_json::from_str(text.trim()).map_err(|e| {
                fail(
                    f,
                    format!("the string is not valid JSON ({e}): {}", quote(text)),
                )
            })
        }
        Function::JsonToString => Ok(Value::String(a.get(0).to_string())),
        Function::Array => Ok(Value::Array(args)),
        Function::ArrayPartition => partition(a.array(0)?, a.integer(1)?).map_err(|d| fail(f, d)),
        Function::ArrayContains => {
            let items = a.array(0)?;
            let needle = a.get(1);
            Ok(Value::Bool(items.iter().any(|i| json_eq(i, needle))))
        }
        Function::ArrayRange => {
            range(a.integer(0)?, a.integer(1)?, a.integer(2)?).map_err(|d| fail(f, d))
        }
        Function::ArrayGetItem => {
            let items = a.array(0)?;
            let index = a.integer(1)?;
            usize::try_from(index)
                .ok()
                .and_then(|k| items.get(k))
                .cloned()
                .ok_or_else(|| {
                    fail(
                        f,
                        format!(
                            "the index {index} is out of bounds for an array of {} items",
                            items.len()
                        ),
                    )
                })
        }
        Function::ArrayLength => Ok(Value::from(a.array(0)?.len())),
        Function::ArrayUnique => {
            // First occurrence kept, in order. Items are told apart by a canonical key (the
            // equality `json_eq` defines, as text), so n items cost n key builds and hash
            // lookups rather than n² comparisons: 64,500 items took over 10 s pairwise.
            let items = a.array(0)?;
            let mut seen = std::collections::HashSet::with_capacity(items.len());
            let mut unique: Vec<Value> = Vec::new();
            for item in items {
                let mut key = String::new();
                canonical_key(item, &mut key);
                if seen.insert(key) {
                    unique.push(item.clone());
                }
            }
            Ok(Value::Array(unique))
        }
        Function::Base64Encode => {
            let text = a.limited_string(0)?;
            Ok(Value::String(BASE64.encode(text.as_bytes())))
        }
        Function::Base64Decode => {
            let text = a.limited_string(0)?;
            let bytes = BASE64
                .decode(text.as_bytes())
                .map_err(|e| fail(f, format!("the argument is not valid Base64 ({e})")))?;
            String::from_utf8(bytes)
                .map(Value::String)
                .map_err(|_| fail(f, "the decoded data is not UTF-8 text".to_string()))
        }
        Function::Hash => {
            let data = match a.get(0) {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            hash(&data, a.string(1)?).map_err(|d| fail(f, d))
        }
        Function::JsonMerge => {
            let left = a.object(0)?;
            let right = a.object(1)?;
            match a.get(2) {
                Value::Bool(false) => {}
                Value::Bool(true) => {
                    return Err(fail(
                        f,
                        "deep merge (true) is not supported; the third argument must be false"
                            .to_string(),
                    ));
                }
                other => return Err(a.wrong_type(2, "the boolean false", other)),
            }
            let mut merged: Map<String, Value> = left.clone();
            for (k, v) in right {
                merged.insert(k.clone(), v.clone());
            }
            Ok(Value::Object(merged))
        }
        Function::MathRandom => {
            let (start, end) = (a.integer(0)?, a.integer(1)?);
            if start >= end {
                return Err(fail(
                    f,
                    format!("the start ({start}) must be less than the end ({end})"),
                ));
            }
            let value = if args.len() == 3 {
                // A seed argument makes the draw reproducible on its own, as on AWS.
                let seed = a.integer(2)?;
                rand_chacha::ChaCha8Rng::seed_from_u64(seed as u64).random_range(start..end)
            } else {
                rng.random_range(start..end)
            };
            Ok(Value::from(value))
        }
        Function::MathAdd => {
            let (x, y) = (a.int32(0)?, a.int32(1)?);
            Ok(Value::from(x + y))
        }
        Function::StringSplit => {
            let text = a.string(0)?;
            let delimiters = a.string(1)?;
            let pieces: Vec<Value> = if delimiters.is_empty() {
                vec![Value::String(text.to_string())]
            } else {
                text.split(|c| delimiters.contains(c))
                    .filter(|p| !p.is_empty())
                    .map(|p| Value::String(p.to_string()))
                    .collect()
            };
            Ok(Value::Array(pieces))
        }
        Function::Uuid => Ok(uuid(rng)),
    }
}

// The four below are shared with AWS's JSONata functions ($partition, $range, $hash, $uuid),
// which AWS documents as the JSONata forms of these intrinsics. Errors are the detail of the
// failure; each caller wraps it in its own error type.

/// Chunks of `size` items; the last may be shorter.
pub(crate) fn partition(items: &[Value], size: i64) -> Result<Value, String> {
    let size = usize::try_from(size)
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| format!("the chunk size must be greater than 0, found {size}"))?;
    Ok(Value::Array(
        items
            .chunks(size)
            .map(|c| Value::Array(c.to_vec()))
            .collect(),
    ))
}

/// The integers from `start` to `end` inclusive, `step` apart; at most [`MAX_RANGE_ITEMS`].
pub(crate) fn range(start: i64, end: i64, step: i64) -> Result<Value, String> {
    if step == 0 {
        return Err("the step must not be 0".to_string());
    }
    // i128: extreme bounds must give an error, not an overflow.
    let count: i128 = if (step > 0 && start <= end) || (step < 0 && start >= end) {
        (i128::from(end) - i128::from(start)) / i128::from(step) + 1
    } else {
        0
    };
    if count > i128::from(MAX_RANGE_ITEMS) {
        return Err(format!(
            "the range from {start} to {end} by {step} has {count} items; at most \
             {MAX_RANGE_ITEMS} are allowed"
        ));
    }
    // count <= 1000 and every item lies between start and end, so no overflow here.
    Ok(Value::Array(
        (0..count as i64)
            .map(|k| Value::from(start + k * step))
            .collect(),
    ))
}

/// The hex digest of `data` with one of AWS's five algorithms.
pub(crate) fn hash(data: &str, algorithm: &str) -> Result<Value, String> {
    if data.chars().count() > MAX_TEXT_CHARS {
        return Err(format!(
            "the data to hash is longer than {MAX_TEXT_CHARS} characters"
        ));
    }
    let digest = match algorithm {
        "MD5" => md5::Md5::digest(data.as_bytes()).to_vec(),
        "SHA-1" => sha1::Sha1::digest(data.as_bytes()).to_vec(),
        "SHA-256" => sha2::Sha256::digest(data.as_bytes()).to_vec(),
        "SHA-384" => sha2::Sha384::digest(data.as_bytes()).to_vec(),
        "SHA-512" => sha2::Sha512::digest(data.as_bytes()).to_vec(),
        other => {
            return Err(format!(
                "the hash algorithm {} is not supported; use MD5, SHA-1, SHA-256, SHA-384 or \
                 SHA-512",
                quote(other)
            ));
        }
    };
    Ok(Value::String(
        digest.iter().map(|b| format!("{b:02x}")).collect(),
    ))
}

/// A version 4 UUID drawn from `rng`.
pub(crate) fn uuid(rng: &mut dyn rand::RngCore) -> Value {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    Value::String(
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .to_string(),
    )
}

fn arg_value(
    arg: &Arg,
    select: Select<'_>,
    rng: &mut dyn rand::RngCore,
) -> Result<Value, IntrinsicEvalError> {
    match arg {
        Arg::String { value, .. } => Ok(Value::String(value.clone())),
        Arg::Number(n) => Ok(Value::Number(n.clone())),
        Arg::Bool(b) => Ok(Value::Bool(*b)),
        Arg::Null => Ok(Value::Null),
        Arg::Path(path) => select(path).map_err(|source| IntrinsicEvalError::PathNotFound {
            path: path.as_str().to_string(),
            source,
        }),
        Arg::Call(call) => evaluate(call, select, rng),
    }
}

/// `States.Format`: `{}` placeholders filled in order; strings go in as they are, other values
/// as JSON text. In a literal template `\{` and `\}` are literal braces.
fn format(
    call: &Call,
    select: Select<'_>,
    rng: &mut dyn rand::RngCore,
) -> Result<Value, IntrinsicEvalError> {
    let f = Function::Format;
    let Some((template_arg, rest)) = call.args.split_first() else {
        return Err(fail(f, "a template string is required".to_string()));
    };
    // Pieces of literal text between placeholders.
    let pieces: Vec<String> = match template_arg {
        Arg::String { raw, .. } => split_template(raw, true),
        other => match arg_value(other, select, rng)? {
            Value::String(s) => split_template(&s, false),
            v => return Err(Args { f, values: &[] }.wrong_type(0, "a string", &v)),
        },
    };
    let placeholders = pieces.len() - 1;
    if placeholders != rest.len() {
        return Err(fail(
            f,
            format!(
                "the template has {placeholders} placeholder(s) {{}} but {} value(s) were given",
                rest.len()
            ),
        ));
    }
    let mut out = String::new();
    for (i, piece) in pieces.iter().enumerate() {
        out.push_str(piece);
        if let Some(arg) = rest.get(i) {
            match arg_value(arg, select, rng)? {
                Value::String(s) => out.push_str(&s),
                other => out.push_str(&other.to_string()),
            }
        }
    }
    Ok(Value::String(out))
}

/// Splits a template at each `{}`; with `escapes`, `\{ \} \' \\` stand for the character.
/// Always returns at least one piece.
fn split_template(template: &str, escapes: bool) -> Vec<String> {
    let mut pieces = vec![String::new()];
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        let current = pieces.last_mut();
        match c {
            '\\' if escapes => {
                if let (Some(next), Some(piece)) = (chars.next(), current) {
                    piece.push(next);
                }
            }
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                pieces.push(String::new());
            }
            c => {
                if let Some(piece) = current {
                    piece.push(c);
                }
            }
        }
    }
    pieces
}

struct Args<'a> {
    f: Function,
    values: &'a [Value],
}

const NULL: Value = Value::Null;

impl<'a> Args<'a> {
    fn get(&self, i: usize) -> &'a Value {
        self.values.get(i).unwrap_or(&NULL)
    }

    fn wrong_type(&self, i: usize, expected: &str, found: &Value) -> IntrinsicEvalError {
        fail(
            self.f,
            format!(
                "argument {} must be {expected}, found {}",
                i + 1,
                short(found)
            ),
        )
    }

    fn string(&self, i: usize) -> Result<&'a str, IntrinsicEvalError> {
        match self.get(i) {
            Value::String(s) => Ok(s),
            other => Err(self.wrong_type(i, "a string", other)),
        }
    }

    fn limited_string(&self, i: usize) -> Result<&'a str, IntrinsicEvalError> {
        let s = self.string(i)?;
        if s.chars().count() > MAX_TEXT_CHARS {
            return Err(fail(
                self.f,
                format!(
                    "argument {} is longer than {MAX_TEXT_CHARS} characters",
                    i + 1
                ),
            ));
        }
        Ok(s)
    }

    fn array(&self, i: usize) -> Result<&'a [Value], IntrinsicEvalError> {
        match self.get(i) {
            Value::Array(items) => Ok(items),
            other => Err(self.wrong_type(i, "an array", other)),
        }
    }

    fn object(&self, i: usize) -> Result<&'a Map<String, Value>, IntrinsicEvalError> {
        match self.get(i) {
            Value::Object(members) => Ok(members),
            other => Err(self.wrong_type(i, "a JSON object", other)),
        }
    }

    /// A whole number; a fractional one is rounded half up, as Java's `Math.round` does.
    fn integer(&self, i: usize) -> Result<i64, IntrinsicEvalError> {
        let value = self.get(i);
        let n = match value {
            Value::Number(n) => n.as_i64().or_else(|| {
                n.as_f64()
                    .map(|x| (x + 0.5).floor())
                    .filter(|x| x.is_finite())
                    .map(|x| x as i64)
            }),
            _ => None,
        };
        n.ok_or_else(|| self.wrong_type(i, "a number", value))
    }

    /// MathAdd's operands: integers in Java's int range after rounding.
    fn int32(&self, i: usize) -> Result<i64, IntrinsicEvalError> {
        let n = self.integer(i)?;
        if i32::try_from(n).is_err() {
            return Err(fail(
                self.f,
                format!(
                    "argument {} ({n}) is outside the integer range {} to {}",
                    i + 1,
                    i32::MIN,
                    i32::MAX
                ),
            ));
        }
        Ok(n)
    }
}

fn fail(function: Function, detail: String) -> IntrinsicEvalError {
    IntrinsicEvalError::Failure {
        function,
        message: format!("Invalid arguments in {function}: {detail}"),
    }
}

/// JSON equality with numbers compared by value (1 equals 1.0).
/// Appends a text to `out` that is the same for two values exactly when [`json_eq`] holds:
/// numbers by their f64 value (as json_eq compares them; -0 and 0 are one value), object
/// members in key order (json_eq ignores member order), strings JSON-quoted so that no text
/// of one kind can pass for another.
fn canonical_key(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push('n'),
        Value::Bool(true) => out.push('t'),
        Value::Bool(false) => out.push('f'),
        Value::Number(number) => {
            let x = number.as_f64().unwrap_or(f64::NAN);
            let x = if x == 0.0 { 0.0 } else { x };
            out.push('#');
            out.push_str(&x.to_bits().to_string());
            out.push(';');
        }
        Value::String(text) => out.push_str(&Value::String(text.clone()).to_string()),
        Value::Array(items) => {
            out.push('[');
            for item in items {
                canonical_key(item, out);
                out.push(',');
            }
            out.push(']');
        }
        Value::Object(members) => {
            let mut sorted: Vec<(&String, &Value)> = members.iter().collect();
            sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (key, item) in sorted {
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical_key(item, out);
                out.push(',');
            }
            out.push('}');
        }
    }
}

/// JSON equality as States.ArrayContains and States.ArrayUnique see it: numbers compare by
/// value (1 equals 1.0, -0 equals 0), object members in any order. `flowc test` compares
/// expected outputs with it too.
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(xs), Value::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| json_eq(x, y))
        }
        (Value::Object(xs), Value::Object(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .all(|(k, x)| ys.get(k).is_some_and(|y| json_eq(x, y)))
        }
        _ => a == b,
    }
}

fn quote(text: &str) -> String {
    short(&Value::String(text.to_string()))
}

/// A value as JSON, cut short so causes stay readable.
fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 200 {
        let cut: String = text.chars().take(200).collect();
        format!("{cut}...")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::{canonical_key, json_eq};
    use proptest::prelude::*;
    use serde_json::{Value, json};

    fn key(value: &Value) -> String {
        let mut out = String::new();
        canonical_key(value, &mut out);
        out
    }

    #[test]
    fn keys_agree_with_json_eq_on_the_edge_cases() {
        let pairs = [
            (json!(1), json!(1.0), true),
            (json!(0.0), json!(-0.0), true),
            (json!(1), json!("1"), false),
            (json!("a,b"), json!(["a", "b"]), false),
            (json!({"a": 1, "b": [2]}), json!({"b": [2.0], "a": 1}), true),
            (json!({"a": 1}), json!({"a": 1, "b": null}), false),
            (json!([[]]), json!([[], []]), false),
            (json!({"a\":": 1}), json!({"a": {":": 1}}), false),
            (json!(9007199254740993u64), json!(9007199254740992u64), true),
        ];
        for (a, b, equal) in pairs {
            assert_eq!(json_eq(&a, &b), equal, "{a} vs {b}");
            assert_eq!(key(&a) == key(&b), equal, "keys of {a} vs {b}");
        }
    }

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            (-3i64..3).prop_map(Value::from),
            prop_oneof![Just(0.0f64), Just(-0.0), Just(1.0), Just(2.5)].prop_map(Value::from),
            "[a-b\",:]{0,2}".prop_map(Value::from),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
                prop::collection::vec(("[ab]", inner), 0..3)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn keys_are_equal_exactly_when_values_are(a in value(), b in value()) {
            prop_assert_eq!(key(&a) == key(&b), json_eq(&a, &b));
        }
    }
}
