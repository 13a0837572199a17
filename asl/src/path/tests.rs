use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

fn sel(path: &str, input: Value) -> Value {
    match JsonPath::parse(path) {
        Ok(p) => match p.select(&input) {
            Ok(v) => v,
            Err(e) => panic!("{path} failed on {input}: {e}"),
        },
        Err(e) => panic!("{path} did not parse: {e}"),
    }
}

fn sel_err(path: &str, input: Value) -> String {
    match JsonPath::parse(path).map(|p| p.select(&input)) {
        Ok(Err(e)) => e.to_string(),
        other => panic!("{path} on {input} should fail to evaluate, got {other:?}"),
    }
}

fn parse_err(path: &str) -> PathError {
    match JsonPath::parse(path) {
        Err(e) => e,
        Ok(p) => panic!("{path} should not parse, got {p:?}"),
    }
}

fn store() -> Value {
    json!({"store": {
        "book": [
            {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
            {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99},
            {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick",
             "isbn": "0-553-21311-3", "price": 8.99},
            {"category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord",
             "isbn": "0-395-19395-8", "price": 22.99}
        ],
        "bicycle": {"color": "red", "price": 19.95}
    }, "expensive": 10})
}

#[test]
fn definite_paths_return_the_value_itself() {
    assert_eq!(sel("$", json!({"a": 1})), json!({"a": 1}));
    assert_eq!(sel("$.a.b", json!({"a": {"b": [1, 2]}})), json!([1, 2]));
    assert_eq!(sel("$['a']['b']", json!({"a": {"b": 3}})), json!(3));
    assert_eq!(sel("$[\"a\"]", json!({"a": 3})), json!(3));
    assert_eq!(sel("$.a[1]", json!({"a": [5, 6, 7]})), json!(6));
    assert_eq!(sel("$.a[-1]", json!({"a": [5, 6, 7]})), json!(7));
    assert_eq!(sel("$.a.b", json!({"a": {"b": null}})), json!(null));
}

#[test]
fn dot_names_take_everything_up_to_the_next_dot_or_bracket() {
    assert_eq!(sel("$.my-key:v2", json!({"my-key:v2": 1})), json!(1));
    assert_eq!(
        sel("$.détail.ü", json!({"détail": {"ü": true}})),
        json!(true)
    );
    assert_eq!(sel("$['with space']", json!({"with space": 2})), json!(2));
    assert_eq!(sel("$['it\\'s']", json!({"it's": 3})), json!(3));
    assert_eq!(sel("$['a.b']", json!({"a.b": 4})), json!(4));
}

#[test]
fn context_paths_are_flagged_and_evaluate_against_what_the_caller_passes() {
    let p = JsonPath::parse("$$.Map.Item.Value").unwrap_or_else(|e| panic!("{e}"));
    assert!(p.is_context());
    assert!(!JsonPath::parse("$.a").is_ok_and(|p| p.is_context()));
    let context = json!({"Map": {"Item": {"Value": "x", "Index": 0}}});
    assert_eq!(p.select(&context).ok(), Some(json!("x")));
    assert_eq!(sel("$$", json!({"k": 1})), json!({"k": 1}));
}

#[test]
fn indefinite_paths_return_arrays_of_matches() {
    let s = store();
    assert_eq!(
        sel("$.store.book[*].author", s.clone()),
        json!([
            "Nigel Rees",
            "Evelyn Waugh",
            "Herman Melville",
            "J. R. R. Tolkien"
        ])
    );
    assert_eq!(
        sel("$..author", s.clone()).as_array().map(Vec::len),
        Some(4)
    );
    assert_eq!(
        sel("$.store.*", s.clone()).as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(sel("$..book[2].title", s.clone()), json!(["Moby Dick"]));
    assert_eq!(sel("$..book[-1:].title", s.clone()), json!(["The Lord"]));
    assert_eq!(
        sel("$..book[0,1].title", s.clone()),
        json!(["Sayings", "Sword"])
    );
    assert_eq!(
        sel("$..book[:2].title", s.clone()),
        json!(["Sayings", "Sword"])
    );
    assert_eq!(
        sel("$.store.book[?(@.isbn)].title", s.clone()),
        json!(["Moby Dick", "The Lord"])
    );
    assert_eq!(
        sel("$.store.book[?(@.price < 10)].title", s.clone()),
        json!(["Sayings", "Moby Dick"])
    );
    assert_eq!(
        sel(
            "$.store.book[?(@.price <= $['expensive'])].price",
            s.clone()
        ),
        json!([8.95, 8.99])
    );
    assert_eq!(sel("$..price", s).as_array().map(Vec::len), Some(5));
}

#[test]
fn deep_scan_visits_in_document_order() {
    assert_eq!(
        sel("$..a", json!({"a": 1, "b": {"a": 2, "c": [{"a": 3}]}})),
        json!([1, 2, 3])
    );
    assert_eq!(sel("$..*", json!({"x": {"y": 1}})), json!([{"y": 1}, 1]));
    assert_eq!(sel("$..[0]", json!({"a": [1, [2]]})), json!([1, 2]));
}

#[test]
fn slices_follow_python_bounds_with_steps() {
    let a = json!([0, 1, 2, 3, 4, 5]);
    assert_eq!(sel("$[1:3]", a.clone()), json!([1, 2]));
    assert_eq!(sel("$[-2:]", a.clone()), json!([4, 5]));
    assert_eq!(sel("$[:-4]", a.clone()), json!([0, 1]));
    assert_eq!(sel("$[::2]", a.clone()), json!([0, 2, 4]));
    assert_eq!(sel("$[1:6:2]", a.clone()), json!([1, 3, 5]));
    assert_eq!(sel("$[::-1]", a.clone()), json!([5, 4, 3, 2, 1, 0]));
    assert_eq!(sel("$[4:1:-2]", a.clone()), json!([4, 2]));
    assert_eq!(sel("$[2:100]", a.clone()), json!([2, 3, 4, 5]));
    assert_eq!(sel("$[5:2]", a), json!([]));
}

// From the conformance corpus (test_json_path_array_wildcard_or_slice_with_no_input): AWS
// returns [] for every indefinite path over missing fields.
#[test]
fn indefinite_paths_over_missing_fields_yield_empty_arrays() {
    for path in [
        "$.item.items[1:5].itemValue",
        "$.item.items[1:5]",
        "$.item.items[:1]",
        "$.item.items[*]",
        "$.items[1:].itemValue",
        "$.items[:1]",
        "$.items[1:]",
        "$.items[*].itemValue",
        "$.items[*]",
        "$[*]",
    ] {
        assert_eq!(sel(path, json!({})), json!([]), "{path}");
    }
}

#[test]
fn union_of_indexes_skips_out_of_range() {
    assert_eq!(sel("$[0, 2, 9]", json!(["a", "b", "c"])), json!(["a", "c"]));
}

#[test]
fn a_list_of_names_at_the_end_merges_like_jayway() {
    assert_eq!(
        sel("$['a','c']", json!({"a": 1, "b": 2, "c": 3})),
        json!({"a": 1, "c": 3})
    );
    assert_eq!(sel("$['a','zz']", json!({"a": 1})), json!({"a": 1}));
    assert_eq!(
        sel("$[*]['a','b']", json!([{"a": 1, "b": 2, "c": 3}, {"a": 4}])),
        json!([{"a": 1, "b": 2}, {"a": 4}])
    );
    assert_eq!(
        sel("$['a','b'].x", json!({"a": {"x": 1}, "b": {"x": 2}})),
        json!([1, 2])
    );
}

#[test]
fn filters_compare_like_jayway() {
    let items = json!([
        {"n": 1, "s": "b", "t": [1, 2]},
        {"n": "1", "s": "a", "t": []},
        {"n": 3, "s": "c", "flag": true},
        {"s": null}
    ]);
    assert_eq!(sel("$[?(@.n == 1)].s", items.clone()), json!(["b", "a"]));
    assert_eq!(sel("$[?(@.n > 1)].s", items.clone()), json!(["c"]));
    assert_eq!(sel("$[?(@.s < 'b')].s", items.clone()), json!(["a"]));
    assert_eq!(sel("$[?(@.n != 1)].s", items.clone()), json!(["c", null]));
    assert_eq!(
        sel("$[?(@.n == 1 && @.s == 'a')].s", items.clone()),
        json!(["a"])
    );
    assert_eq!(
        sel("$[?(@.n == 3 || @.s == \"a\")].s", items.clone()),
        json!(["a", "c"])
    );
    assert_eq!(
        sel("$[?(!(@.n == 3))].s", items.clone()),
        json!(["b", "a", null])
    );
    assert_eq!(sel("$[?(@.flag == true)].n", items.clone()), json!([3]));
    assert_eq!(
        sel("$[?(@.s == null)]", items.clone()),
        json!([{"s": null}])
    );
    assert_eq!(
        sel("$[?(@.s in ['a','c'])].n", items.clone()),
        json!(["1", 3])
    );
    assert_eq!(
        sel("$[?(@.s nin ['a','c'])].s", items.clone()),
        json!(["b", null])
    );
    assert_eq!(sel("$[?(@.t size 2)].s", items.clone()), json!(["b"]));
    assert_eq!(sel("$[?(@.t empty true)].s", items.clone()), json!(["a"]));
    assert_eq!(sel("$[?(@.t anyof [2, 5])].s", items.clone()), json!(["b"]));
    assert_eq!(
        sel("$[?(@.t subsetof [1, 2, 3])].s", items.clone()),
        json!(["b", "a"])
    );
    assert_eq!(sel("$[?(@.t noneof [1])].s", items.clone()), json!(["a"]));
    assert_eq!(sel("$[?(@.t.length() == 2)].s", items), json!(["b"]));
}

#[test]
fn a_filter_on_an_object_tests_the_object_itself() {
    assert_eq!(
        sel("$.a[?(@.x == 1)]", json!({"a": {"x": 1}})),
        json!([{"x": 1}])
    );
    assert_eq!(sel("$.a[?(@.x == 2)]", json!({"a": {"x": 1}})), json!([]));
}

#[test]
fn length_counts_arrays_and_objects() {
    assert_eq!(sel("$.a.length()", json!({"a": [1, 2, 3]})), json!(3));
    assert_eq!(sel("$.length()", json!({"a": 1, "b": 2})), json!(2));
    assert_eq!(sel("$[*].length()", json!([1, 2])), json!(2));
    assert_eq!(sel("$.a.length()", json!({"a": "abc"})), json!(null));
}

// Causes AWS recorded: "Invalid path '$.NoSuchInputPath' : No results for path:
// $['NoSuchInputPath']".
#[test]
fn missing_definite_paths_fail_with_jaywayss_text() {
    assert_eq!(
        sel_err("$.NoSuchInputPath", json!({"a": 1})),
        "No results for path: $['NoSuchInputPath']"
    );
    assert_eq!(
        sel_err("$.a.b.c", json!({"a": {}})),
        "Missing property in path $['a']['b']"
    );
    assert_eq!(
        sel_err("$.a.b", json!({"a": {}})),
        "No results for path: $['a']['b']"
    );
    assert_eq!(
        sel_err("$.a[3]", json!({"a": [1]})),
        "No results for path: $['a'][3]"
    );
    assert_eq!(
        sel_err("$.a.b", json!({"a": "text"})),
        "Expected to find an object with property ['b'] in path $['a'] but found 'string'"
    );
    assert_eq!(
        sel_err("$.a[0]", json!({"a": {"k": 1}})),
        "Filter: [0] can only be applied to arrays. Current context is: {\"k\":1}"
    );
}

#[test]
fn definiteness_follows_jayway() {
    for (path, definite) in [
        ("$", true),
        ("$.a[0].b", true),
        ("$['a','b']", true),
        ("$.a[*]", false),
        ("$..a", false),
        ("$.a[0,1]", false),
        ("$.a[1:]", false),
        ("$.a[?(@.x)]", false),
        ("$['a','b'].c", false),
    ] {
        let p = JsonPath::parse(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(p.is_definite(), definite, "{path}");
    }
}

#[test]
fn parse_errors_say_what_and_where() {
    let e = parse_err("$.items[0");
    assert_eq!((e.message.as_str(), e.offset), ("unclosed '['", 7));
    assert_eq!(e.to_string(), "unclosed '[' (at offset 7)");
    assert_eq!(parse_err("").offset, 0);
    assert!(parse_err("a.b").message.contains("must start with '$'"));
    assert_eq!(
        parse_err("$.").message,
        "a path must not end with '.' or '..'"
    );
    assert_eq!(parse_err("$.a b").offset, 3);
    assert!(parse_err("$.a b").message.contains("unexpected ' '"));
    assert_eq!(parse_err("$['a").message, "unclosed string: missing '");
    assert_eq!(parse_err("$['a").offset, 2);
    assert!(parse_err("$[?(@.a = 1)]").message.contains("'=='"));
    assert!(parse_err("$[::0]").message.contains("step must not be 0"));
    assert!(
        parse_err("$.a.min()")
            .message
            .contains("unknown path function 'min()'")
    );
    assert!(parse_err("$[x]").message.contains("expected a quoted name"));
    assert!(
        parse_err("$.a.length().b")
            .message
            .contains("unexpected '.'")
    );
    assert!(parse_err("$[?(1)]").message.contains("a literal alone"));
    assert_eq!(
        parse_err("$[?(@.a == 1]").message,
        "expected ')' to close the filter expression, but found ']'"
    );
}

#[test]
fn deeply_nested_filters_are_refused_not_a_stack_overflow() {
    let path = format!("$[?({}@.a{})]", "(".repeat(10_000), ")".repeat(10_000));
    assert!(parse_err(&path).message.contains("nested too deeply"));
    let nots = format!("$[?({}@.a)]", "!".repeat(10_000));
    assert!(parse_err(&nots).message.contains("nested too deeply"));
}

#[test]
fn reference_paths_reject_anything_that_selects_many() {
    for (path, offset, what) in [
        ("$.a[*]", 3, "'*' (wildcard)"),
        ("$..a", 1, "'..' (deep scan)"),
        ("$.a[1:2]", 3, "a slice"),
        ("$.a[0,1]", 3, "a list of indexes"),
        ("$['a','b']", 1, "a list of names"),
        ("$.a[?(@.b)]", 3, "a filter"),
        ("$.a.length()", 3, "functions such as length()"),
    ] {
        match ReferencePath::parse(path) {
            Err(e) => {
                assert_eq!(e.offset, offset, "{path}");
                assert!(e.message.contains(what), "{path}: {}", e.message);
            }
            Ok(_) => panic!("{path} should not be a reference path"),
        }
    }
}

#[test]
fn reference_paths_get_and_set_like_result_path() {
    let r = |t: &str| ReferencePath::parse(t).unwrap_or_else(|e| panic!("{t}: {e}"));
    let doc = json!({"a": {"b": [10, 20]}});
    assert_eq!(r("$.a.b[1]").get(&doc).ok(), Some(&json!(20)));
    assert_eq!(
        r("$.a.c").get(&doc).map_err(|e| e.to_string()),
        Err("No results for path: $['a']['c']".to_string())
    );
    assert!(r("$").is_root());
    assert!(r("$$.Execution.Id").is_context());

    let mut v = json!({"tenant_id": "t1"});
    assert!(
        r("$.result.backend")
            .set(&mut v, json!({"ok": true}))
            .is_ok()
    );
    assert_eq!(
        v,
        json!({"tenant_id": "t1", "result": {"backend": {"ok": true}}})
    );

    let mut v = json!({"a": 1});
    assert!(r("$").set(&mut v, json!("all")).is_ok());
    assert_eq!(v, json!("all"));

    let mut v = json!({"a": [1, 2]});
    assert!(r("$.a[-1]").set(&mut v, json!(9)).is_ok());
    assert_eq!(v, json!({"a": [1, 9]}));

    let mut v = json!({"a": "text"});
    assert_eq!(
        r("$.a.b").set(&mut v, json!(1)).map_err(|e| e.to_string()),
        Err(
            "Unable to apply step ['b'] to $['a']: found 'string' where an object is needed"
                .to_string()
        )
    );
    let mut v = json!({"a": [1]});
    assert!(r("$.a[5]").set(&mut v, json!(1)).is_err());
    let mut v = json!(null);
    assert!(r("$.x").set(&mut v, json!(1)).is_err());
}

#[test]
fn display_and_as_str_print_the_original_text() {
    for text in [
        "$.a['b c'][0]",
        "$$.Execution.Input",
        "$..x[?(@.y > 1)]",
        "$[ 1 : 2 ]",
    ] {
        let p = JsonPath::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(p.to_string(), text);
        assert_eq!(p.as_str(), text);
    }
    let p = JsonPath::parse("$.a[0]['b']").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.normalized(), "$['a'][0]['b']");
}

/// Prints segments in bracket notation, which can spell every name.
fn print(segments: &[Segment]) -> String {
    let quote = |n: &str| format!("'{}'", n.replace('\\', "\\\\").replace('\'', "\\'"));
    let mut out = String::from("$");
    for segment in segments {
        let (prefix, selector) = match segment {
            Segment::Child(s) => ("", s),
            Segment::Descendant(s) => ("..", s),
        };
        out.push_str(prefix);
        let body = match selector {
            Selector::Name(n) => quote(n),
            Selector::Names(ns) => ns.iter().map(|n| quote(n)).collect::<Vec<_>>().join(","),
            Selector::Wildcard => "*".to_string(),
            Selector::Index(i) => i.to_string(),
            Selector::Indexes(is) => is.iter().map(i64::to_string).collect::<Vec<_>>().join(","),
            Selector::Slice { start, end, step } => {
                let p = |v: &Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
                match step {
                    Some(s) => format!("{}:{}:{s}", p(start), p(end)),
                    None => format!("{}:{}", p(start), p(end)),
                }
            }
            Selector::Filter(_) => "?(@.x)".to_string(),
        };
        out.push('[');
        out.push_str(&body);
        out.push(']');
    }
    out
}

fn selector_strategy() -> impl Strategy<Value = Selector> {
    let name = "[a-zA-Z0-9 _.'\\\\\\-\\[\\]$@é]{1,8}";
    prop_oneof![
        name.prop_map(Selector::Name),
        prop::collection::vec(name, 2..4).prop_map(Selector::Names),
        Just(Selector::Wildcard),
        (-50i64..50).prop_map(Selector::Index),
        prop::collection::vec(-50i64..50, 2..4).prop_map(Selector::Indexes),
        (
            prop::option::of(-9i64..9),
            prop::option::of(-9i64..9),
            prop::option::of(prop_oneof![-3i64..-1, 1i64..3])
        )
            .prop_map(|(start, end, step)| Selector::Slice { start, end, step }),
    ]
}

proptest! {
    #[test]
    fn printed_segments_parse_back_to_the_same_segments(
        segments in prop::collection::vec(
            (any::<bool>(), selector_strategy()).prop_map(|(deep, s)| {
                if deep { Segment::Descendant(s) } else { Segment::Child(s) }
            }),
            0..6,
        )
    ) {
        let text = print(&segments);
        let parsed = JsonPath::parse(&text);
        prop_assert!(parsed.is_ok(), "{} did not parse: {:?}", text, parsed);
        if let Ok(path) = parsed {
            prop_assert_eq!(path.segments(), segments.as_slice());
            prop_assert_eq!(path.to_string(), text);
        }
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(text in "\\$[\\PC]{0,40}") {
        if let Ok(path) = JsonPath::parse(&text) {
            let _ = path.select(&json!({"a": [1, {"b": 2}], "c": {"d": "e"}}));
        }
        let _ = ReferencePath::parse(&text);
    }
}

#[test]
fn select_cow_borrows_plain_paths_and_agrees_with_select() {
    use std::borrow::Cow;
    let doc = json!({"a": {"b": [1, 2, 3]}, "c": [{"d": 1}, {"d": 2}]});
    for text in [
        "$",
        "$.a.b",
        "$.a.b[-1]",
        "$.c[*].d",
        "$['a','c']",
        "$.a.b.length()",
        "$.zz",
        "$.a.b[9]",
    ] {
        let p = JsonPath::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let cow = p.select_cow(&doc);
        assert_eq!(cow.clone().map(Cow::into_owned), p.select(&doc), "{text}");
        let plain = !text.contains(['*', ',', '(']);
        assert_eq!(
            matches!(cow, Ok(Cow::Borrowed(_))),
            plain && p.select(&doc).is_ok(),
            "{text}"
        );
    }
    assert!(JsonPath::parse("$").is_ok_and(|p| p.is_root()));
    assert!(JsonPath::parse("$.a").is_ok_and(|p| !p.is_root()));
}

/// The fast path for plain `$.a.b` paths gives what the full parser gives.
fn same_as_full_parse(text: &str) {
    // `$name...` is a variable root, which only `parse` reads (path/variable.rs tests it).
    if super::variable::split(text).is_some() {
        return;
    }
    let fast = JsonPath::parse(text);
    let full = JsonPath::parse_full(text);
    match (&fast, &full) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.source, b.source, "{text}");
            assert_eq!(a.root, b.root, "{text}");
            assert_eq!(a.segments, b.segments, "{text}");
            assert_eq!(a.function, b.function, "{text}");
            assert_eq!(a.steps, b.steps, "{text}");
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "{text}"),
        _ => panic!("{text}: {fast:?} vs {full:?}"),
    }
    let fast = ReferencePath::parse(text);
    let full = ReferencePath::parse_full(text);
    match (&fast, &full) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.source, b.source, "{text}");
            assert_eq!(a.root, b.root, "{text}");
            assert_eq!(a.steps(), b.steps(), "{text}");
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "{text}"),
        _ => panic!("{text}: {fast:?} vs {full:?}"),
    }
}

#[test]
fn plain_paths_parse_as_the_full_parser_parses_them() {
    for text in [
        "$",
        "$$",
        "$.a",
        "$$.Execution.Id",
        "$.a.b_c.d-e.0",
        "$.r9997",
        "$.",
        "$..a",
        "$.a.",
        "$.*",
        "$.a*",
        "$.a[0]",
        "$.length()",
        "$$$",
        "$a",
        "",
        "a",
        "$.a b",
        "$.ü",
        "$.-",
    ] {
        same_as_full_parse(text);
    }
}

proptest! {
    #[test]
    fn plain_path_fast_path_agrees_with_the_full_parser(text in "\\$\\$?[.a-c0-9_*\\-\\[\\]() ]{0,12}") {
        same_as_full_parse(&text);
    }
}

// The dialect as Jayway parses it, which is what AWS accepts. Each case names where the form
// comes from: AWS's Step Functions developer guide page ("Paths": amazon-states-language-paths,
// "Map": state-map, "Intrinsic functions": intrinsic-functions) or Jayway's parser rules.

#[test]
fn a_dot_before_a_bracket_is_the_bracket_as_jayway_reads_it() {
    let doc = json!({"abc": {"def ghi": 1}, "items": [{"id": "a", "n": 1}, {"id": "b", "n": 0}]});
    // "Paths" page: "you must use bracket notation ... For example, $.abc.['def ghi']".
    assert_eq!(sel("$.abc.['def ghi']", doc.clone()), json!(1));
    assert_eq!(sel("$.items.[0].id", doc.clone()), json!("a"));
    assert_eq!(sel("$.items.[*].id", doc.clone()), json!(["a", "b"]));
    assert_eq!(sel("$.items.[?(@.n > 0)].id", doc.clone()), json!(["a"]));
    assert_eq!(sel("$.[0]", json!([5, 6])), json!(5));
    assert_eq!(sel("$.[*]", json!([5, 6])), json!([5, 6]));
    assert_eq!(
        sel("$.[?(@.n > 0)]", json!([{"n": 1}, {"n": 0}])),
        json!([{"n": 1}])
    );
    assert_eq!(sel("$..[0]", json!({"a": [1, [2]]})), json!([1, 2]));
    // The same selection as the bracket alone: a reference path still.
    let r = ReferencePath::parse("$.items.[1].id").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.get(&doc).ok(), Some(&json!("b")));
    assert_eq!(r.normalized(), "$['items'][1]['id']");
    assert_eq!(r.as_str(), "$.items.[1].id", "the text stays as written");
}

#[test]
fn whitespace_around_a_path_is_trimmed_as_jayway_trims_it() {
    let context = json!({"Execution": {"Id": "arn:x"}});
    let p = JsonPath::parse("$$.Execution.Id ").unwrap_or_else(|e| panic!("{e}"));
    assert!(p.is_context());
    assert_eq!(p.select(&context).ok(), Some(json!("arn:x")));
    assert_eq!(p.as_str(), "$$.Execution.Id ", "the text stays as written");
    assert_eq!(sel(" $.a\t", json!({"a": 1})), json!(1));
    assert!(ReferencePath::parse("$.a.b \n").is_ok());
    // Whitespace inside the path is not trimmed: Jayway refuses a blank in a dot name.
    assert!(parse_err("$.a .b").message.contains("unexpected ' '"));
    assert_eq!(
        parse_err("   x").offset,
        3,
        "offsets count from the text as written"
    );
    assert!(parse_err("  ").message.contains("must not be empty"));
}

#[test]
fn filters_accept_jayway_operators_beyond_the_comparisons() {
    let items = json!([
        {"name": "alpha", "n": 1, "tags": ["x", "y"]},
        {"name": "Beta", "n": "1", "tags": []}
    ]);
    let names = |path: &str| sel(path, items.clone());
    assert_eq!(names("$[?(@.n == 1)].name"), json!(["alpha", "Beta"]));
    assert_eq!(names("$[?(@.n === 1)].name"), json!(["alpha"]));
    assert_eq!(names("$[?(@.n !== 1)].name"), json!(["Beta"]));
    assert_eq!(names("$[?(@.name contains 'lph')].name"), json!(["alpha"]));
    assert_eq!(names("$[?(@.tags contains 'y')].name"), json!(["alpha"]));
    assert_eq!(names("$[?(@.name =~ /b.*/i)].name"), json!(["Beta"]));
    // Java's Matcher.matches(): the whole string, so a bare 'lph' does not match "alpha".
    assert_eq!(names("$[?(@.name =~ /lph/)].name"), json!([]));
    assert_eq!(names("$[?(@.name =~ /a\\/?lpha/)].name"), json!(["alpha"]));
    assert!(
        parse_err("$[?(@.a =~ /(/)]")
            .message
            .contains("invalid regular expression")
    );
    assert!(parse_err("$[?(@.a =~ /x/q)]").message.contains("flag 'q'"));
    assert!(
        parse_err("$[?(@.a =~ 'x')]")
            .message
            .contains("regular expression after '=~'")
    );
}
