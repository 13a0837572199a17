#![allow(clippy::expect_used, clippy::unwrap_used)] // tests: a panic is the failure report

use serde_json::{Value, json};

use super::*;

fn eval_with(
    expr: &str,
    variables: &Variables,
    env: &Environment,
) -> Result<Option<Value>, EvalError> {
    Expression::parse(expr)
        .unwrap_or_else(|e| panic!("{expr}: {e}"))
        .evaluate(None, variables, env)
}

fn eval(expr: &str) -> Result<Option<Value>, EvalError> {
    eval_with(expr, &Variables::new(), &Environment::new(0, 7))
}

fn value(expr: &str) -> Value {
    eval(expr)
        .unwrap_or_else(|e| panic!("{expr}: {e}"))
        .unwrap_or_else(|| panic!("{expr}: undefined"))
}

fn refused(expr: &str) -> SyntaxError {
    match Expression::parse(expr) {
        Ok(_) => panic!("{expr} parsed"),
        Err(e) => e,
    }
}

fn spanned(expr: &str, span: Option<ExprSpan>) -> &str {
    let span = span.expect("a span");
    &expr[span.start..span.end]
}

#[test]
fn syntax_error_points_inside_the_expression() {
    let expr = "$states.input.a + ";
    let err = refused(expr);
    assert_eq!(err.code, "S0207");
    assert_eq!(err.rule, None);
    assert!(err.span.is_some());
    let err = refused("$states.input.[a");
    assert!(err.code.starts_with('S'), "{err}");
}

#[test]
fn eval_is_refused_where_it_is_named() {
    let expr = "$states.input.a & $eval('1')";
    let err = refused(expr);
    assert_eq!(err.rule, Some(DialectRule::UnavailableFunction));
    assert_eq!(spanned(expr, err.span), "$eval");
    assert!(err.message.contains("$parse"), "{err}");
    // Bound inside the expression, the name is the user's own.
    assert_eq!(
        value("($eval := function($x) { $x + 1 }; $eval(1))"),
        json!(2)
    );
}

#[test]
fn operators_newer_than_2_0_6_are_refused() {
    for (expr, op) in [("$x ?? 1", "??"), ("$x ?: 1", "?:")] {
        let err = refused(expr);
        assert_eq!(err.rule, Some(DialectRule::NewerOperator), "{expr}");
        assert_eq!(spanned(expr, err.span), expr);
        assert!(err.message.contains(op));
    }
}

#[test]
fn engine_functions_newer_than_2_0_6_are_refused() {
    for name in Selected::builtin_functions() {
        if dialect::JSONATA_2_0_6_FUNCTIONS.contains(&name) || aws_function(name).is_some() {
            continue;
        }
        let expr = format!("${name}()");
        assert_eq!(
            refused(&expr).rule,
            Some(DialectRule::UnavailableFunction),
            "{expr}"
        );
    }
}

#[test]
fn aws_function_arities_are_checked_at_parse_time() {
    let expr = "{'a': $partition([1, 2])}";
    let err = refused(expr);
    assert_eq!(err.rule, Some(DialectRule::AwsFunctionArity));
    assert_eq!(spanned(expr, err.span), "$partition([1, 2])");
    assert!(
        err.message.contains("$partition(array, chunkSize)"),
        "{err}"
    );
    assert_eq!(
        refused("$uuid(1)").rule,
        Some(DialectRule::AwsFunctionArity)
    );
    assert_eq!(
        refused("$random(1, 2)").rule,
        Some(DialectRule::AwsFunctionArity)
    );
    assert_eq!(
        refused("$range(1, 2)").rule,
        Some(DialectRule::AwsFunctionArity)
    );
}

#[test]
fn aws_functions_follow_the_intrinsics_they_mirror() {
    assert_eq!(
        value("$partition([1,2,3,4,5], 2)"),
        json!([[1, 2], [3, 4], [5]])
    );
    assert_eq!(value("$range(0, 10, 5)"), json!([0, 5, 10]));
    assert_eq!(value("$range(3, 1, -1)"), json!([3, 2, 1]));
    assert_eq!(
        value("$hash('input data', 'SHA-1')"),
        json!("aaff4a450a104cd177d28d18d74485e8cae074b7")
    );
    assert_eq!(value("$parse('{\"a\": [1, 2]}')"), json!({"a": [1, 2]}));
    let err = eval("$partition([1], 0)").expect_err("chunk size 0");
    assert_eq!(err.kind, EvalErrorKind::Failed);
    assert!(err.message.contains("chunk size"), "{err}");
    assert!(eval("$range(0, 5000, 1)").is_err());
    assert!(
        eval("$hash('a', 'SHA-3')")
            .expect_err("bad algorithm")
            .message
            .contains("SHA-256")
    );
    assert!(
        eval("$parse('{')")
            .expect_err("bad json")
            .message
            .contains("not valid JSON")
    );
    // Signatures: a string where a number belongs is JSONata's type error.
    assert_eq!(eval("$range('a', 2, 1)").expect_err("type").code, "T0410");
}

#[test]
fn randomness_comes_from_the_callers_seed() {
    let variables = Variables::new();
    let draw = |seed| {
        eval_with(
            "[$random(), $uuid(), $shuffle([1,2,3,4,5,6,7,8])]",
            &variables,
            &Environment::new(0, seed),
        )
        .expect("evaluates")
    };
    assert_eq!(draw(1), draw(1));
    assert_ne!(draw(1), draw(2));
    let uuid = value("$uuid()");
    assert_eq!(uuid.as_str().map(str::len), Some(36));
    assert_eq!(uuid.as_str().and_then(|u| u.chars().nth(14)), Some('4'));
    // A seed argument decides the number on its own.
    let seeded = value("$random(12)");
    assert_eq!(
        eval_with("$random(12)", &variables, &Environment::new(0, 99)).expect("evaluates"),
        Some(seeded.clone())
    );
    let n = seeded.as_f64().expect("a number");
    assert!((0.0..1.0).contains(&n));
}

#[test]
fn concurrent_evaluations_draw_from_their_own_seed() {
    // AWS's functions are registered once per process; their generator is per thread and
    // reseeded by each evaluation. Threads evaluating at once (cargo's test threads, callers
    // running executions side by side) must each get what their seed gives alone.
    let expression = Expression::parse("[$random(), $uuid(), $random(), $uuid()]").expect("parses");
    let draw = |seed: u64| {
        expression
            .evaluate(None, &Variables::new(), &Environment::new(0, seed))
            .expect("evaluates")
    };
    let alone: Vec<_> = (0..4).map(draw).collect();
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..4u64)
            .map(|seed| scope.spawn(move || (0..200).map(|_| draw(seed)).collect::<Vec<_>>()))
            .collect();
        for (seed, thread) in threads.into_iter().enumerate() {
            let draws = thread.join().expect("no panic");
            assert!(draws.iter().all(|d| *d == alone[seed]), "seed {seed}");
        }
    });
}

#[test]
fn time_comes_from_the_callers_clock() {
    let env = Environment::new(1_700_000_000_123, 0);
    let got = eval_with("[$millis(), $now()]", &Variables::new(), &env).expect("evaluates");
    assert_eq!(
        got,
        Some(json!([1_700_000_000_123u64, "2023-11-14T22:13:20.123Z"]))
    );
}

#[test]
fn variables_are_bound_once_and_read() {
    let mut variables = Variables::new();
    variables.set("states", json!({"input": {"a": 2}}));
    variables.set("x", json!(3));
    let env = Environment::new(0, 0);
    assert_eq!(
        eval_with("$states.input.a * $x", &variables, &env),
        Ok(Some(json!(6)))
    );
    variables.set("x", json!(4));
    assert_eq!(
        eval_with("$states.input.a * $x", &variables, &env),
        Ok(Some(json!(8)))
    );
    assert_eq!(variables.get("x"), Some(&json!(4)));
    assert_eq!(eval_with("$missing", &variables, &env), Ok(None));
}

#[test]
fn variable_reads_leave_out_locals_and_functions() {
    let expr = Expression::parse(
        "($total := $sum($states.input.items.price); $map($orders, function($o) { $o.id & $suffix }); $total)",
    )
    .expect("parses");
    let reads: Vec<(&str, Vec<&str>)> = expr
        .variable_reads()
        .iter()
        .map(|r| {
            (
                r.name.as_str(),
                r.fields.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        reads,
        vec![
            ("states", vec!["input", "items", "price"]),
            ("orders", vec![]),
            ("suffix", vec![]),
        ]
    );
    let expr = "$states.result.Payload";
    let parsed = Expression::parse(expr).expect("parses");
    let read = &parsed.variable_reads()[0];
    assert_eq!(&expr[read.span.start..read.span.end], "$states");
}

#[test]
fn reads_of_the_context_at_the_top_level_are_found() {
    for (expr, read) in [
        ("$", "$"),
        ("$$.a", "$$"),
        ("input.a + 1", "input"),
        ("{'x': *}", "*"),
    ] {
        let parsed = Expression::parse(expr).expect("parses");
        let spans = parsed.root_context_reads();
        assert_eq!(spans.len(), 1, "{expr}");
        assert_eq!(spanned(expr, Some(spans[0])), read, "{expr}");
    }
    for expr in [
        "$states.input.items[$.price > 1]",
        "$map($states.input.items, function($v) { $.a })",
        "$states.input.items.name",
        "$states.input.items{name: price}",
    ] {
        let parsed = Expression::parse(expr).expect("parses");
        assert_eq!(parsed.root_context_reads(), &[], "{expr}");
    }
}

#[test]
fn runaway_evaluations_stop_at_a_bound() {
    let mut env = Environment::new(0, 0);
    env.limits.max_steps = 100_000;
    let err = eval_with("($f := function() { $f() }; $f())", &Variables::new(), &env)
        .expect_err("stopped");
    assert_eq!(err.kind, EvalErrorKind::Limit);
    env.limits.max_depth = 50;
    let err = eval_with(
        "($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(1000))",
        &Variables::new(),
        &env,
    )
    .expect_err("stopped");
    assert_eq!(err.kind, EvalErrorKind::Limit);
    env.limits.max_array_items = 10;
    let err = eval_with("[1..100]", &Variables::new(), &env).expect_err("stopped");
    assert_eq!(err.kind, EvalErrorKind::Limit);
}

#[test]
fn every_aws_function_is_bound_with_its_signature() {
    for function in aws_functions() {
        let expr = format!("$type(${})", function.name);
        assert_eq!(value(&expr), json!("function"), "{expr}");
    }
}

#[test]
fn expressions_compare_and_print_by_text() {
    let a = Expression::parse("$x + 1").expect("parses");
    assert_eq!(a, Expression::parse("$x + 1").expect("parses"));
    assert_ne!(a, Expression::parse("$x+1").expect("parses"));
    assert_eq!(a.to_string(), "$x + 1");
    assert_eq!(a.source(), "$x + 1");
}

#[test]
fn plain_variable_reads_are_told_apart_from_everything_else() {
    let path = |expr: &str| {
        Expression::parse(expr)
            .unwrap_or_else(|e| panic!("{expr}: {e}"))
            .variable_path()
            .map(|p| (p.name.clone(), p.fields.clone()))
    };
    let fields = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    assert_eq!(path("$total"), Some(("total".into(), vec![])));
    assert_eq!(
        path(" $states.input "),
        Some(("states".into(), fields(&["input"])))
    );
    assert_eq!(
        path("$order.`line items`.first"),
        Some(("order".into(), fields(&["line items", "first"])))
    );
    for other in [
        "$a[0]",
        "$a.b[]",
        "$a.b[x > 1]",
        "$a.b^(x)",
        "$a.b{x: y}",
        "$a@$x.b",
        "$a#$i.b",
        "$a.(b)",
        "$a.*",
        "$a.**",
        "$a.$b",
        "$a.b.$string()",
        "$a + 1",
        "$count($a)",
        "[$a]",
        "$states.input.%",
        "($a)",
    ] {
        assert_eq!(path(other), None, "{other}");
    }
}
