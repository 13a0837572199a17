//! The grammar's worst cases, rule by rule: every rule that could backtrack is fed the input
//! that made (or would make) it backtrack, and must finish within a budget of pest rule calls
//! proportional to the input. Counting calls instead of timing keeps the tests deterministic;
//! an exponential or quadratic rule blows the budget on inputs this size by orders of
//! magnitude.
//!
//! pest's call limit is one global setting, so these tests all share one budget, set once, far
//! above what any other test in this binary parses.

use std::num::NonZeroUsize;
use std::sync::Once;

use pest::Parser as _;
use pest::error::ErrorVariant;

use crate::parse::{FlowParser, Rule};

/// Rule calls allowed per parse. A linear parse of the inputs below takes well under 1% of it.
const CALL_BUDGET: usize = 5_000_000;

fn set_budget() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| pest::set_call_limit(NonZeroUsize::new(CALL_BUDGET)));
}

/// Parses `input` as `rule` and says whether pest ran out of budget doing it. Success or an
/// ordinary syntax error are both fine: what matters is that either came within the budget.
fn ran_out_of_budget(rule: Rule, input: &str) -> bool {
    set_budget();
    match FlowParser::parse(rule, input) {
        Ok(_) => false,
        Err(error) => matches!(
            &error.variant,
            ErrorVariant::CustomError { message } if message.contains("call limit")
        ),
    }
}

fn assert_bounded(rule: Rule, input: &str) {
    assert!(
        !ran_out_of_budget(rule, input),
        "{rule:?} used more than {CALL_BUDGET} rule calls on {} bytes starting {:?}",
        input.len(),
        input.get(..40).unwrap_or(input)
    );
}

/// Nesting stays within MAX_NESTING: the rules are called directly here, without the parse
/// module's pre-scan, and a test thread's stack is small.
const DEPTH: usize = 60;

#[test]
fn a_long_valid_path_fits_the_budget() {
    // The budget leaves room for linear work on large inputs: 300 KB of brackets.
    assert_bounded(Rule::path, &format!("${}", "[0]".repeat(100_000)));
}

#[test]
fn path_with_unclosed_brackets_is_linear() {
    // Issue 18, finding 1: 24 unclosed `[` ran past 10 s (each tried as a bracket and again as
    // a plain character).
    assert_bounded(Rule::path, &format!("${}", "[".repeat(DEPTH)));
    assert_bounded(Rule::path, &format!("$.a{}", "[x".repeat(DEPTH)));
}

#[test]
fn path_with_unclosed_quotes_in_brackets_is_linear() {
    assert_bounded(Rule::path, &format!("${}", "['".repeat(DEPTH)));
    assert_bounded(Rule::path, &format!("${}", "[\"".repeat(DEPTH)));
    // A quote that never closes, followed by many closed brackets.
    let tail = "[0]".repeat(50_000);
    assert_bounded(Rule::path, &format!("$['{tail}"));
}

#[test]
fn unclosed_bracket_stays_in_the_path_for_the_path_parser_to_explain() {
    set_budget();
    let parsed = FlowParser::parse(Rule::path, "$.a[0 b");
    let end = parsed
        .ok()
        .and_then(|mut pairs| pairs.next())
        .map(|pair| pair.as_str());
    assert_eq!(end, Some("$.a[0"));
}

#[test]
fn intrinsic_with_unclosed_parentheses_and_quotes_is_linear() {
    assert_bounded(
        Rule::intrinsic,
        &format!("States.Format({}", "(".repeat(DEPTH)),
    );
    assert_bounded(
        Rule::intrinsic,
        &format!("States.Format({}", "('".repeat(DEPTH)),
    );
    assert_bounded(
        Rule::intrinsic,
        &format!("States.Format('{}", "x, ".repeat(100_000)),
    );
}

#[test]
fn strings_that_never_close_are_linear() {
    assert_bounded(Rule::string, &format!("\"{}", "a\\\"".repeat(100_000)));
    assert_bounded(Rule::file, &"pass \"P\n".repeat(20_000));
}

#[test]
fn nested_conditions_that_fail_inside_are_linear() {
    let open = "(".repeat(DEPTH);
    assert_bounded(Rule::condition, &format!("{open}$.a == "));
    assert_bounded(Rule::condition, &format!("{}$.a == ", "all(".repeat(DEPTH)));
    assert_bounded(
        Rule::condition,
        &format!("{}$.a == ", "not (".repeat(DEPTH)),
    );
    assert_bounded(Rule::condition, &format!("{open}$.a[{}", "[".repeat(DEPTH)));
}

#[test]
fn json_literals_that_never_close_are_linear() {
    assert_bounded(Rule::json, &"[".repeat(DEPTH));
    assert_bounded(Rule::json, &"{\"a\": ".repeat(DEPTH));
    assert_bounded(Rule::json, &format!("[{}", "1, ".repeat(100_000)));
    assert_bounded(Rule::json, &format!("[\"{}", "a".repeat(100_000)));
}

#[test]
fn nested_states_that_fail_inside_are_linear() {
    let open = "parallel P { branch { ".repeat(DEPTH / 2);
    assert_bounded(Rule::file, &format!("{open}pass X {{ result_path $[[[ }}"));
}
