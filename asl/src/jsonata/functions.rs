//! AWS's JSONata functions: `$partition`, `$range`, `$hash`, `$random`, `$uuid`, `$parse`.
//!
//! AWS documents the first five as the JSONata forms of the intrinsics `States.ArrayPartition`,
//! `States.ArrayRange`, `States.Hash`, `States.MathRandom` and `States.UUID`, so they share
//! those intrinsics' code (`intrinsic/eval.rs`): one rule, one place. `$random` is JSONata's
//! (a number from 0 inclusive to 1 exclusive) with AWS's optional seed: the same seed gives the
//! same number. `$parse` turns JSON text into a value, in place of `$eval`, which AWS removes.
//!
//! The functions are engine-neutral: arguments and results are JSON (`None` is undefined); the
//! engine adapter checks arguments against [`AwsFunction::signature`] before the call.

use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use crate::intrinsic;

/// One of AWS's added functions.
#[derive(Debug, Clone, Copy)]
pub struct AwsFunction {
    /// The name without `$`.
    pub name: &'static str,
    /// The JSONata signature its arguments are checked against.
    pub signature: &'static str,
    /// Fewest and most arguments a call may pass.
    pub min_args: usize,
    pub max_args: usize,
    pub(crate) call: Implementation,
}

/// Arguments (undefined as `None`) and the evaluation's generator -> result, or what went wrong.
pub(crate) type Implementation =
    fn(&[Option<Value>], &mut ChaCha8Rng) -> Result<Option<Value>, String>;

impl AwsFunction {
    /// `$name(a, b[, c])`, for help texts.
    pub fn usage(&self) -> String {
        let params: &[&str] = match self.name {
            "partition" => &["array", "chunkSize"],
            "range" => &["start", "end", "step"],
            "hash" => &["data", "algorithm"],
            "random" => &["seed"],
            "parse" => &["jsonString"],
            _ => &[],
        };
        let mut text = format!("${}(", self.name);
        for (i, p) in params.iter().enumerate() {
            if i >= self.min_args {
                text.push('[');
            }
            if i > 0 {
                text.push_str(", ");
            }
            text.push_str(p);
            if i >= self.min_args {
                text.push(']');
            }
        }
        text.push(')');
        text
    }
}

const FUNCTIONS: [AwsFunction; 6] = [
    AwsFunction {
        name: "partition",
        signature: "<an:a>",
        min_args: 2,
        max_args: 2,
        call: partition,
    },
    AwsFunction {
        name: "range",
        signature: "<nnn:a>",
        min_args: 3,
        max_args: 3,
        call: range,
    },
    AwsFunction {
        name: "hash",
        signature: "<ss:s>",
        min_args: 2,
        max_args: 2,
        call: hash,
    },
    AwsFunction {
        name: "random",
        signature: "<n?:n>",
        min_args: 0,
        max_args: 1,
        call: random,
    },
    AwsFunction {
        name: "uuid",
        signature: "<:s>",
        min_args: 0,
        max_args: 0,
        call: uuid,
    },
    AwsFunction {
        name: "parse",
        signature: "<s:x>",
        min_args: 1,
        max_args: 1,
        call: parse,
    },
];

/// AWS's added functions.
pub fn aws_functions() -> &'static [AwsFunction] {
    &FUNCTIONS
}

/// The AWS function named `name` (without `$`).
pub fn aws_function(name: &str) -> Option<&'static AwsFunction> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

fn arg(args: &[Option<Value>], i: usize) -> Option<&Value> {
    args.get(i).and_then(Option::as_ref)
}

/// A whole number argument (JSONata numbers are doubles: 2.0 is 2, 2.5 is refused).
fn integer(args: &[Option<Value>], i: usize, what: &str) -> Result<i64, String> {
    let n = arg(args, i)
        .and_then(Value::as_f64)
        .ok_or_else(|| format!("the {what} must be a number"))?;
    if n.fract() != 0.0 || !n.is_finite() || n.abs() > 2f64.powi(53) {
        return Err(format!("the {what} must be an integer, found {n}"));
    }
    Ok(n as i64)
}

fn partition(args: &[Option<Value>], _: &mut ChaCha8Rng) -> Result<Option<Value>, String> {
    let items = match arg(args, 0) {
        Some(Value::Array(items)) => items.as_slice(),
        Some(other) => std::slice::from_ref(other),
        None => return Ok(None),
    };
    intrinsic::partition(items, integer(args, 1, "chunk size")?).map(Some)
}

fn range(args: &[Option<Value>], _: &mut ChaCha8Rng) -> Result<Option<Value>, String> {
    let start = integer(args, 0, "start")?;
    let end = integer(args, 1, "end")?;
    let step = integer(args, 2, "step")?;
    intrinsic::range(start, end, step).map(Some)
}

fn hash(args: &[Option<Value>], _: &mut ChaCha8Rng) -> Result<Option<Value>, String> {
    let Some(Value::String(data)) = arg(args, 0) else {
        return Ok(None);
    };
    let Some(Value::String(algorithm)) = arg(args, 1) else {
        return Err(
            "the algorithm must be a string: MD5, SHA-1, SHA-256, SHA-384 or SHA-512".into(),
        );
    };
    intrinsic::hash(data, algorithm).map(Some)
}

fn random(args: &[Option<Value>], rng: &mut ChaCha8Rng) -> Result<Option<Value>, String> {
    let value: f64 = match arg(args, 0) {
        // A seed makes the draw reproducible on its own, as AWS documents.
        Some(_) => ChaCha8Rng::seed_from_u64(integer(args, 0, "seed")? as u64).random(),
        None => rng.random(),
    };
    Ok(Some(Value::from(value)))
}

fn uuid(_: &[Option<Value>], rng: &mut ChaCha8Rng) -> Result<Option<Value>, String> {
    Ok(Some(intrinsic::uuid(rng)))
}

fn parse(args: &[Option<Value>], _: &mut ChaCha8Rng) -> Result<Option<Value>, String> {
    let Some(Value::String(text)) = arg(args, 0) else {
        return Ok(None);
    };
    serde_json::from_str(text)
        .map(Some)
        .map_err(|e| format!("the string is not valid JSON ({e})"))
}
