//! Intrinsic function calls (`States.Format(...)` and the other 17): parsed once when the
//! program loads, evaluated against a `Scope`.
//!
//! Interim: `asl::intrinsic` is the agreed home of intrinsic parsing and evaluation; it is a stub
//! today. Once it evaluates, `Call` becomes a thin wrapper over it.

use crate::jsonpath::Path;
use crate::query::{EvalError, Scope};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Literal(Value),
    Path(Path),
    Call(Call),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub name: String,
    pub args: Vec<Arg>,
}

fn fail(msg: impl Into<String>) -> EvalError {
    EvalError::Intrinsic(msg.into())
}

impl Call {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut p = P {
            s: text.trim(),
            i: 0,
        };
        let c = p.call()?;
        p.ws();
        if p.i != p.s.len() {
            return Err(format!("unexpected text after the call in '{text}'"));
        }
        Ok(c)
    }

    pub fn evaluate(&self, scope: &mut Scope<'_>) -> Result<Value, EvalError> {
        let mut args = Vec::with_capacity(self.args.len());
        for a in &self.args {
            args.push(match a {
                Arg::Literal(v) => v.clone(),
                Arg::Path(p) => scope.select_for_field(p, &self.name)?,
                Arg::Call(c) => c.evaluate(scope)?,
            });
        }
        apply(&self.name, &args, scope)
    }
}

fn arity(name: &str, args: &[Value], n: usize) -> Result<(), EvalError> {
    if args.len() == n {
        Ok(())
    } else {
        Err(fail(format!(
            "The intrinsic function {name} expects {n} argument(s) but received {}",
            args.len()
        )))
    }
}

fn text<'a>(name: &str, v: &'a Value) -> Result<&'a str, EvalError> {
    v.as_str().ok_or_else(|| {
        fail(format!(
            "The intrinsic function {name} expects a string argument"
        ))
    })
}

fn int(name: &str, v: &Value) -> Result<i64, EvalError> {
    v.as_f64().map(|f| (f + 0.5).floor() as i64).ok_or_else(|| {
        fail(format!(
            "The intrinsic function {name} expects a number argument"
        ))
    })
}

/// Java's `String.valueOf` rendering AWS uses when Format interpolates a value.
fn render(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

fn apply(name: &str, args: &[Value], scope: &mut Scope<'_>) -> Result<Value, EvalError> {
    let short = name.strip_prefix("States.").unwrap_or(name);
    let null = Value::Null;
    let arg = |i: usize| args.get(i).unwrap_or(&null);
    match short {
        "Format" => {
            let fmt = text(name, arg(0))?;
            let mut out = String::new();
            let mut rest = args.iter().skip(1);
            let mut chars = fmt.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '{' && chars.peek() == Some(&'}') {
                    chars.next();
                    let v = rest.next().ok_or_else(|| {
                        fail("The number of arguments does not match the number of placeholders")
                    })?;
                    out.push_str(&render(v));
                } else {
                    out.push(c);
                }
            }
            Ok(Value::String(out))
        }
        "StringToJson" => {
            arity(name, args, 1)?;
            serde_json::from_str(text(name, arg(0))?).map_err(|e| {
                fail(format!(
                    "The argument to States.StringToJson is not valid JSON: {e}"
                ))
            })
        }
        "JsonToString" => {
            arity(name, args, 1)?;
            Ok(Value::String(
                serde_json::to_string(arg(0)).unwrap_or_default(),
            ))
        }
        "Array" => Ok(Value::Array(args.to_vec())),
        "ArrayPartition" => {
            arity(name, args, 2)?;
            let a = arg(0);
            let arr = a
                .as_array()
                .ok_or_else(|| fail("States.ArrayPartition expects an array"))?;
            let n = int(name, arg(1))?;
            if n <= 0 {
                return Err(fail("States.ArrayPartition expects a positive chunk size"));
            }
            Ok(Value::Array(
                arr.chunks(n as usize)
                    .map(|c| Value::Array(c.to_vec()))
                    .collect(),
            ))
        }
        "ArrayContains" => {
            arity(name, args, 2)?;
            let a = arg(0);
            let arr = a
                .as_array()
                .ok_or_else(|| fail("States.ArrayContains expects an array"))?;
            Ok(Value::Bool(arr.contains(arg(1))))
        }
        "ArrayRange" => {
            arity(name, args, 3)?;
            let (s, e, step) = (int(name, arg(0))?, int(name, arg(1))?, int(name, arg(2))?);
            if step == 0 {
                return Err(fail("States.ArrayRange expects a non-zero step"));
            }
            let mut out = Vec::new();
            let mut k = s;
            while (step > 0 && k <= e) || (step < 0 && k >= e) {
                out.push(Value::from(k));
                if out.len() > 1000 {
                    return Err(fail("States.ArrayRange produces more than 1000 items"));
                }
                k += step;
            }
            Ok(Value::Array(out))
        }
        "ArrayGetItem" => {
            arity(name, args, 2)?;
            let a = arg(0);
            let arr = a
                .as_array()
                .ok_or_else(|| fail("States.ArrayGetItem expects an array"))?;
            let i = int(name, arg(1))?;
            usize::try_from(i)
                .ok()
                .and_then(|i| arr.get(i))
                .cloned()
                .ok_or_else(|| {
                    fail(format!(
                        "Index {i} is out of bounds for States.ArrayGetItem"
                    ))
                })
        }
        "ArrayLength" => {
            arity(name, args, 1)?;
            let a = arg(0);
            let arr = a
                .as_array()
                .ok_or_else(|| fail("States.ArrayLength expects an array"))?;
            Ok(Value::from(arr.len()))
        }
        "ArrayUnique" => {
            arity(name, args, 1)?;
            let a = arg(0);
            let arr = a
                .as_array()
                .ok_or_else(|| fail("States.ArrayUnique expects an array"))?;
            let mut out: Vec<Value> = Vec::new();
            for v in arr {
                if !out.contains(v) {
                    out.push(v.clone());
                }
            }
            Ok(Value::Array(out))
        }
        "Base64Encode" => {
            arity(name, args, 1)?;
            Ok(Value::String(B64.encode(text(name, arg(0))?)))
        }
        "Base64Decode" => {
            arity(name, args, 1)?;
            let bytes = B64
                .decode(text(name, arg(0))?)
                .map_err(|e| fail(format!("States.Base64Decode: {e}")))?;
            Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        }
        "Hash" => {
            arity(name, args, 2)?;
            let data = render(arg(0));
            let alg = text(name, arg(1))?;
            use sha2::Digest as _;
            let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
            let digest = match alg {
                "MD5" => hex(&md5::Md5::digest(data.as_bytes())),
                "SHA-1" => hex(&sha1::Sha1::digest(data.as_bytes())),
                "SHA-256" => hex(&sha2::Sha256::digest(data.as_bytes())),
                "SHA-384" => hex(&sha2::Sha384::digest(data.as_bytes())),
                "SHA-512" => hex(&sha2::Sha512::digest(data.as_bytes())),
                other => {
                    return Err(fail(format!(
                        "States.Hash does not support algorithm '{other}'"
                    )));
                }
            };
            Ok(Value::String(digest))
        }
        "JsonMerge" => {
            arity(name, args, 3)?;
            let (Value::Object(mut a), Value::Object(b)) = (arg(0).clone(), arg(1).clone()) else {
                return Err(fail("States.JsonMerge expects two JSON objects"));
            };
            if arg(2) == &Value::Bool(true) {
                return Err(fail(
                    "States.JsonMerge supports only a shallow merge (false)",
                ));
            }
            for (k, v) in b {
                a.insert(k, v);
            }
            Ok(Value::Object(a))
        }
        "MathRandom" => {
            let lo = int(name, arg(0))?;
            let hi = int(name, arg(1))?;
            if hi <= lo {
                return Err(fail("States.MathRandom expects start < end"));
            }
            let span = (hi - lo) as u64;
            Ok(Value::from(lo + (scope.random_u64() % span) as i64))
        }
        "MathAdd" => {
            arity(name, args, 2)?;
            Ok(Value::from(int(name, arg(0))? + int(name, arg(1))?))
        }
        "StringSplit" => {
            arity(name, args, 2)?;
            let s = text(name, arg(0))?;
            let delims: Vec<char> = text(name, arg(1))?.chars().collect();
            Ok(Value::Array(
                s.split(|c| delims.contains(&c))
                    .filter(|p| !p.is_empty())
                    .map(|p| Value::String(p.to_string()))
                    .collect(),
            ))
        }
        "UUID" => {
            let hi = scope.random_u64();
            let lo = scope.random_u64();
            let bytes = ((hi as u128) << 64 | lo as u128).to_be_bytes();
            Ok(Value::String(
                uuid::Builder::from_random_bytes(bytes)
                    .into_uuid()
                    .to_string(),
            ))
        }
        _ => Err(fail(format!("Unknown intrinsic function {name}"))),
    }
}

struct P<'a> {
    s: &'a str,
    i: usize,
}

impl P<'_> {
    fn rest(&self) -> &str {
        self.s.get(self.i..).unwrap_or("")
    }
    fn ws(&mut self) {
        while self.rest().starts_with(char::is_whitespace) {
            self.i += self.rest().chars().next().map_or(1, char::len_utf8);
        }
    }
    fn call(&mut self) -> Result<Call, String> {
        self.ws();
        let r = self.rest();
        let open = r
            .find('(')
            .ok_or_else(|| format!("'{r}' is not a function call"))?;
        let name = r[..open].trim().to_string();
        if !name.starts_with("States.") {
            return Err(format!("'{name}' is not an intrinsic function"));
        }
        self.i += open + 1;
        let mut args = Vec::new();
        self.ws();
        if self.rest().starts_with(')') {
            self.i += 1;
            return Ok(Call { name, args });
        }
        loop {
            args.push(self.arg()?);
            self.ws();
            if self.rest().starts_with(',') {
                self.i += 1;
            } else if self.rest().starts_with(')') {
                self.i += 1;
                return Ok(Call { name, args });
            } else {
                return Err(format!("expected ',' or ')' in call of {name}"));
            }
        }
    }
    fn arg(&mut self) -> Result<Arg, String> {
        self.ws();
        let r = self.rest();
        if r.starts_with('\'') {
            let mut out = String::new();
            let mut chars = r.char_indices().skip(1);
            while let Some((k, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            out.push(n);
                        }
                    }
                    '\'' => {
                        self.i += k + 1;
                        return Ok(Arg::Literal(Value::String(out)));
                    }
                    c => out.push(c),
                }
            }
            return Err("unclosed string literal".into());
        }
        if r.starts_with("States.") {
            return Ok(Arg::Call(self.call()?));
        }
        let end = scan_arg_end(r);
        let tok = r[..end].trim().to_string();
        self.i += end;
        if tok.starts_with('$') {
            return Ok(Arg::Path(Path::parse(&tok)?));
        }
        serde_json::from_str(&tok)
            .map(Arg::Literal)
            .map_err(|_| format!("'{tok}' is not a valid argument"))
    }
}

/// End of a path or literal argument: the first ',' or ')' outside brackets and quotes.
fn scan_arg_end(r: &str) -> usize {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for (k, c) in r.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[' | '(') => depth += 1,
            (None, ']') => depth -= 1,
            (None, ')') if depth > 0 => depth -= 1,
            (None, ',' | ')') if depth == 0 => return k,
            _ => {}
        }
    }
    r.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use serde_json::json;

    fn eval(call: &str, input: Value) -> Result<Value, EvalError> {
        let c = Call::parse(call).map_err(EvalError::Intrinsic)?;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        let ctx = json!({});
        let mut scope = Scope {
            input: &input,
            context: &ctx,
            rng: &mut rng,
        };
        c.evaluate(&mut scope)
    }

    #[test]
    fn math_add_rounds_half_up_like_java() {
        assert_eq!(
            eval("States.MathAdd($.a, $.b)", json!({"a": -1.5, "b": 0})),
            Ok(json!(-1))
        );
        assert_eq!(
            eval("States.MathAdd($.a, $.b)", json!({"a": 1.5, "b": 1.51})),
            Ok(json!(4))
        );
    }

    #[test]
    fn string_split_uses_every_delimiter_char_and_drops_empties() {
        assert_eq!(
            eval("States.StringSplit($.s, 'T\n')", json!({"s": "aTb\n\nc"})),
            Ok(json!(["a", "b", "c"]))
        );
    }

    #[test]
    fn format_and_nested_calls() {
        assert_eq!(
            eval(
                "States.Format('x {} y {}', $.a, States.ArrayLength($.l))",
                json!({"a": "A", "l": [1, 2]})
            ),
            Ok(json!("x A y 2"))
        );
        assert_eq!(
            eval(
                "States.JsonMerge(States.StringToJson('{\"a\": 1}'), $.o, false)",
                json!({"o": {"b": 2}})
            ),
            Ok(json!({"a": 1, "b": 2}))
        );
    }

    #[test]
    fn hash_and_base64() {
        assert_eq!(
            eval("States.Hash('abc', 'SHA-1')", json!({})),
            Ok(json!("a9993e364706816aba3e25717850c26c9cd0d89d"))
        );
        assert_eq!(
            eval("States.Base64Decode(States.Base64Encode('hi'))", json!({})),
            Ok(json!("hi"))
        );
    }

    #[test]
    fn array_range_and_partition() {
        assert_eq!(
            eval("States.ArrayRange(1, 9, 4)", json!({})),
            Ok(json!([1, 5, 9]))
        );
        assert_eq!(
            eval("States.ArrayPartition($.a, 2)", json!({"a": [1, 2, 3]})),
            Ok(json!([[1, 2], [3]]))
        );
    }
}
