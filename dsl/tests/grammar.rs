//! Grammar tests: what parses to what, and what fails with which words.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use flowc_dsl::ast::*;
use flowc_dsl::{MAX_NESTING, ParseError, parse, parse_at_most};

fn first_state(source: &str) -> State {
    let workflow = parse(source).unwrap_or_else(|e| panic!("{source:?} did not parse: {e}"));
    workflow.states().next().cloned().expect("no state")
}

fn fails_with(source: &str, message: &str) {
    match parse(source) {
        Ok(_) => panic!("{source:?} parsed, expected `{message}`"),
        Err(e) => assert_eq!(e.to_string(), message, "for {source:?}"),
    }
}

#[test]
fn a_task_has_a_name_a_resource_and_fields() {
    let state = first_state("task Charge = payments { result_path $.charge  end }");
    assert_eq!(state.name.node, "Charge");
    assert!(
        matches!(&state.kind, StateKind::Task { resource } if resource.node == ResourceRef::Named("payments".into()))
    );
    let fields: Vec<&Field> = state.fields.iter().map(|f| &f.node).collect();
    assert_eq!(
        fields,
        [
            &Field::ResultPath(PathOrNull::Path(PathText("$.charge".into()))),
            &Field::End
        ]
    );
}

#[test]
fn spans_cover_what_was_written() {
    let source = "pass First\npass \"Second one\" { next First }";
    let workflow = parse(source).unwrap();
    let states: Vec<&State> = workflow.states().collect();
    let name = &states[1].name;
    assert_eq!(name.node, "Second one");
    assert_eq!(&source[name.span.start..name.span.end], "\"Second one\"");
    let Field::Next(target) = &states[1].fields[0].node else {
        panic!()
    };
    assert_eq!(&source[target.span.start..target.span.end], "First");
}

#[test]
fn json_literals_span_lines_and_keep_key_order() {
    let state = first_state(
        "pass P {\n  result {\n    \"z\": 1,\n    \"a\": [true, null, \"x\\n\", -2.5e3]\n  }\n}",
    );
    let Field::Result(value) = &state.fields[0].node else {
        panic!()
    };
    assert_eq!(
        serde_json::to_string(value).unwrap(),
        r#"{"z":1,"a":[true,null,"x\n",-2500.0]}"#
    );
}

#[test]
fn durations_keep_their_unit() {
    let state = first_state("wait W for 5m");
    let StateKind::Wait { wait_for } = &state.kind else {
        panic!()
    };
    assert_eq!(
        wait_for.node,
        WaitFor::Seconds(Duration {
            amount: Number("5".into()),
            unit: TimeUnit::Minutes
        })
    );
    let state = first_state("wait W until $.at");
    let StateKind::Wait { wait_for } = &state.kind else {
        panic!()
    };
    assert_eq!(
        wait_for.node,
        WaitFor::TimestampPath(PathText("$.at".into()))
    );
}

#[test]
fn conditions_bind_not_then_and_then_or() {
    let state =
        first_state("choice C { when $.a == 1 or not $.b is present and $.c matches \"x*\" -> D }");
    let Field::When(rule) = &state.fields[0].node else {
        panic!()
    };
    let Condition::Or(parts) = &rule.condition.node else {
        panic!("top is not `or`")
    };
    assert!(matches!(
        parts[0].node,
        Condition::Compare {
            op: CompareOp::Eq,
            ..
        }
    ));
    let Condition::And(inner) = &parts[1].node else {
        panic!("`and` binds tighter than `or`")
    };
    assert!(matches!(inner[0].node, Condition::Not(_)));
    assert!(matches!(inner[1].node, Condition::Matches { .. }));
}

#[test]
fn typed_paths_and_timestamps_are_operands() {
    let state = first_state(
        "choice C { when $.t < timestamp(\"2026-01-01T00:00:00Z\") -> D  when $.n >= number($.m) -> D }",
    );
    let operands: Vec<&Operand> = state
        .fields
        .iter()
        .map(|f| match &f.node {
            Field::When(ChoiceRule { condition, .. }) => match &condition.node {
                Condition::Compare { right, .. } => &right.node,
                _ => panic!(),
            },
            _ => panic!(),
        })
        .collect();
    assert_eq!(
        operands,
        [
            &Operand::Timestamp("2026-01-01T00:00:00Z".into()),
            &Operand::Path(OperandType::Number, PathText("$.m".into()))
        ]
    );
}

#[test]
fn paths_with_brackets_filters_and_functions_stay_whole() {
    for path in [
        "$['odd key']",
        "$.a[?(@.b == 'x y')]",
        "$$.Map.Item.Value",
        "$.items[0:2]",
    ] {
        let state = first_state(&format!("pass P {{ input_path {path} }}"));
        assert_eq!(
            state.fields[0].node,
            Field::InputPath(PathOrNull::Path(PathText(path.into())))
        );
    }
}

#[test]
fn fail_takes_literals_paths_and_intrinsics() {
    let state = first_state("fail F error $.e cause States.Format('a (b) {}', $.c)");
    let StateKind::Fail { error, cause } = &state.kind else {
        panic!()
    };
    assert_eq!(
        error.as_ref().unwrap().node,
        FailText::Path(PathText("$.e".into()))
    );
    assert_eq!(
        cause.as_ref().unwrap().node,
        FailText::Intrinsic("States.Format('a (b) {}', $.c)".into())
    );
}

#[test]
fn poll_collects_its_parts() {
    let state = first_state(
        "poll P every 60s at most 15 times {\n wait W\n check C = r\n choice D { when $.s == \"ok\" -> X }\n exhausted -> Y\n}",
    );
    let StateKind::Poll(poll) = &state.kind else {
        panic!()
    };
    assert_eq!(
        (poll.wait.node.as_str(), poll.check.name.node.as_str()),
        ("W", "C")
    );
    assert_eq!(
        (poll.at_most.node.0.as_str(), poll.exhausted.node.as_str()),
        ("15", "Y")
    );
}

#[test]
fn comments_are_collected_outside_strings() {
    let workflow = parse("# one\npass P { result \"# not a comment\" } // two\n").unwrap();
    let texts: Vec<&str> = workflow.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["# one", "// two"]);
}

#[test]
fn keywords_do_not_swallow_longer_names() {
    let state = first_state("task T = r { retry transient_errors }");
    assert!(
        matches!(&state.fields[0].node, Field::Retry(Retry::Policy(p)) if p.node == "transient_errors")
    );
}

#[test]
fn syntax_errors_are_said_in_words() {
    fails_with(
        "task",
        "expected a state name after `task`, found the end of the file",
    );
    fails_with(
        "task X",
        "expected `=` after `X`, found the end of the file",
    );
    fails_with(
        "pass P { next }",
        "expected a state name after `next`, found `}`",
    );
    fails_with(
        "resource r lambda \"x\"",
        "expected `=` after `r`, found `lambda`",
    );
    fails_with(
        "pass P { result_path }",
        "expected a path (like `$.field`) or `null` after `result_path`, found `}`",
    );
}

#[test]
fn poll_parts_are_required_once() {
    let incomplete = parse("poll P every 1s at most 3 times { wait W }").unwrap_err();
    assert!(matches!(
        incomplete,
        ParseError::IncompletePoll { part: "check", .. }
    ));
    let twice = parse("poll P every 1s at most 3 times { wait W wait V }").unwrap_err();
    assert!(matches!(
        twice,
        ParseError::DuplicatePollPart { part: "wait", .. }
    ));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!(
        "pass P {{ result {}{} }}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(matches!(
        parse(&deep),
        Err(ParseError::TooDeep {
            limit: MAX_NESTING,
            ..
        })
    ));
    let branches = "parallel P { branch { ".repeat(5_000);
    assert!(matches!(parse(&branches), Err(ParseError::TooDeep { .. })));
}

#[test]
fn bad_input_never_panics() {
    let long_line = format!("pass P {{ result \"{}\" }}", "x".repeat(1 << 20));
    assert!(parse(&long_line).is_ok());
    for source in [
        "",
        "\u{feff}",
        "task X = \"",
        "pass P { result [1, 2",
        "choice C { when $.a",
        "}",
        "\"\\u12\"",
    ] {
        let _ = parse(source);
    }
    assert!(parse("").unwrap().items.is_empty());
}

#[test]
fn invalid_literals_have_their_own_codes() {
    assert!(matches!(
        parse("comment \"\\q\""),
        Err(ParseError::InvalidString { .. })
    ));
    assert!(matches!(
        parse("pass P { result 1e999 }"),
        Err(ParseError::InvalidNumber { .. })
    ));
}

#[test]
fn a_missing_duration_is_called_a_duration() {
    fails_with(
        "wait W for",
        "expected a duration (like `60s`), a path (like `$.field`) or a JSONata expression (`{% ... %}`) after `for`, found the end of the file",
    );
    fails_with(
        "retry policy p on E every x",
        "expected a duration (like `60s`) after `every`, found `x`",
    );
}

#[test]
fn long_not_chains_need_brackets_so_nesting_stays_bounded() {
    let chain = format!(
        "choice C {{ when {}$.a is present -> D }}",
        "not ".repeat(3)
    );
    assert!(parse(&chain).is_err());
    assert!(parse("choice C { when not (not $.a is present) -> D }").is_ok());
    let deep = format!(
        "choice C {{ when {}$.a is present{} -> D }}",
        "not (".repeat(100_000),
        ")".repeat(100_000)
    );
    assert!(matches!(parse(&deep), Err(ParseError::TooDeep { .. })));
}

#[test]
fn unclosed_path_brackets_parse_in_linear_time() {
    // Issue 18, finding 1: 24 unclosed `[` (38 bytes) took 2^24 steps; 60 would never end.
    // The path keeps them; the path parser then says the path is malformed.
    let brackets = "[".repeat(60);
    let state = first_state(&format!("wait W for $.a{brackets} {{ end }}"));
    assert!(
        matches!(&state.kind, StateKind::Wait { wait_for } if wait_for.node == WaitFor::SecondsPath(PathText(format!("$.a{brackets}")))),
        "{:?}",
        state.kind
    );
}

#[test]
fn quotes_and_comments_cannot_hide_brackets_from_the_nesting_guard() {
    // The pre-scan skips strings and comments as one line each; pest must read them the same
    // way, or brackets the pre-scan skipped could nest pest's recursion past any stack.
    for opener in ["'", "\"", "#", "//"] {
        for prefix in [
            "wait W for $[",
            "wait W for $.a",
            "fail F error States.Format(",
        ] {
            let source = format!("{prefix}{opener}{}", "[(".repeat(200_000));
            // Returning at all is the point (this overflowed the stack). After a comment
            // start the rest of the line is a comment, so `wait W for $[ # …` is even valid.
            let parsed = parse(&source);
            assert!(
                parsed.is_err() || !opener.contains(['\'', '"']),
                "{prefix}{opener} parsed"
            );
        }
    }
}

#[test]
fn quoted_keys_and_intrinsic_strings_still_parse() {
    assert!(parse("pass P { result_path $['a key'] }").is_ok());
    assert!(parse("pass P { result_path $[\"a key\"] }").is_ok());
    assert!(parse("pass P { result_path $.a[?(@.b == 'x]')] }").is_ok());
    assert!(parse("fail F error States.Format('a (b) \"c\" # {}', $.x) # note").is_ok());
}

#[test]
fn a_misspelled_keyword_suggests_the_nearest_keyword_valid_there() {
    let help = |source: &str| match flowc_dsl::parse(source) {
        Err(error) => format!(
            "{} || {error}",
            miette::Diagnostic::help(&error)
                .map(|h| h.to_string())
                .unwrap_or_default()
        ),
        Ok(_) => panic!("{source} parsed"),
    };
    // A state keyword at the top level.
    let h = help("taks A = \"arn:x\"\n");
    assert!(h.starts_with("did you mean `task`?"), "{h}");
    // A field inside a body: `resul_path` is a field, not `result` (valid elsewhere too).
    let h = help("task A = \"arn:x\" {\n    resul_path $.r\n}\n");
    assert!(h.starts_with("did you mean `result_path`?"), "{h}");
    // No suggestion for a word far from every keyword.
    assert!(!help("zzzzz A\n").contains("did you mean"));
}

#[test]
fn an_unclosed_brace_names_where_it_opened_and_a_bom_is_accepted() {
    let source = "task A = \"arn:x\" {\n    next B\n\nsucceed B\n";
    match flowc_dsl::parse(source) {
        Err(error) => {
            let help = miette::Diagnostic::help(&error)
                .map(|h| h.to_string())
                .unwrap_or_default();
            assert!(
                help.contains("opened at line 1, column 18"),
                "{help} || {error}"
            );
        }
        Ok(_) => panic!("parsed"),
    }
    assert!(flowc_dsl::parse("\u{feff}succeed Done\n").is_ok());
}

#[test]
fn a_bare_expression_is_its_text_verbatim() {
    // `#`, `//`, quotes and brackets inside are JSONata's: no comment, no string of `.flow`.
    let source = "pass P {\n    output { \"a\": {% $x # y\n [1, \"}\"] // z %} }\n}\n";
    let workflow = parse(source).unwrap();
    assert!(workflow.comments.is_empty(), "{:?}", workflow.comments);
    let state = workflow.states().next().unwrap();
    let Field::Output(value) = &state.fields[0].node else {
        panic!("{:?}", state.fields);
    };
    let written = "{% $x # y\n [1, \"}\"] // z %}";
    assert_eq!(value["a"], written);
    let site = &workflow.expressions[0];
    assert_eq!(site.written, written);
    assert_eq!(site.verbatim_at, source.find("{%"));
}

#[test]
fn expressions_fill_every_jsonata_slot() {
    let state = first_state("wait W for {% $states.input.n %}");
    assert!(matches!(
        state.kind,
        StateKind::Wait { wait_for } if wait_for.node == WaitFor::SecondsExpression(Expression("{% $states.input.n %}".into()))
    ));
    let state = first_state("map M over {% $states.input.items %} { process { succeed S } }");
    assert!(
        matches!(&state.kind, StateKind::Map { items: Some(items), items_path: None } if items.node == "{% $states.input.items %}")
    );
    let state =
        first_state("choice C { when {% $x > 1 %} assign { \"y\": 1 } output {% 2 %} -> D }");
    let Field::When(rule) = &state.fields[0].node else {
        panic!()
    };
    assert_eq!(
        rule.condition.node,
        Condition::Expression(Expression("{% $x > 1 %}".into()))
    );
    assert!(rule.assign.is_some() && rule.output.is_some());
}

#[test]
fn an_expression_in_a_json_string_is_recorded_with_its_escapes() {
    let workflow = parse("pass P { output \"{% \\\"a\\\" %}\" }").unwrap();
    let site = &workflow.expressions[0];
    assert_eq!(site.written, "{% \"a\" %}");
    assert_eq!(site.verbatim_at, None, "escapes: offsets differ");
}

#[test]
fn an_unclosed_expression_does_not_parse() {
    assert!(parse("pass P { output {% $x }").is_err());
}

#[test]
fn states_are_counted_as_they_compile() {
    // A poll compiles to five states; branch and process states count too: 5 + 3 + 2 + 1.
    let source = r#"
        poll P every 1m at most 3 times {
            wait W
            check C = r
            choice D { when $.done == true -> F }
            exhausted -> F
        }
        parallel Q { branch { pass A  succeed B } }
        map M over $.items { process { pass I } }
        succeed F
    "#;
    assert!(
        parse_at_most(source, 11).is_ok(),
        "{:?}",
        parse_at_most(source, 11)
    );
    match parse_at_most(source, 10) {
        Err(ParseError::TooManyStates {
            limit: 10, span, ..
        }) => {
            assert_eq!(&source[span.offset()..span.offset() + span.len()], "F");
        }
        other => panic!("expected TooManyStates, got {other:?}"),
    }
    match parse_at_most(source, 4) {
        Err(ParseError::TooManyStates { span, .. }) => {
            assert_eq!(&source[span.offset()..span.offset() + span.len()], "P");
        }
        other => panic!("expected TooManyStates, got {other:?}"),
    }
}
