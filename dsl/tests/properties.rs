//! Properties: the parser never panics, whatever the input; what parses, prints back.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

/// Fragments of `.flow`, so random inputs get deep into the grammar instead of failing on the
/// first character.
fn fragment() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "task ",
        "pass ",
        "choice ",
        "wait ",
        "fail ",
        "succeed ",
        "parallel ",
        "map ",
        "poll ",
        "A ",
        "B ",
        "= ",
        "r ",
        "{ ",
        "} ",
        "( ",
        ") ",
        "[",
        "]",
        ", ",
        ": ",
        "-> ",
        "next ",
        "end ",
        "when ",
        "otherwise ",
        "branch ",
        "process ",
        "retry ",
        "on ",
        "every ",
        "5s ",
        "-1 ",
        "1.5 ",
        "catch ",
        "into ",
        "States.ALL ",
        "$.a ",
        "$['x'] ",
        "$$.Map ",
        "\"s\" ",
        "\"\\u00e9\" ",
        "\"\\q\" ",
        "==",
        "!= ",
        "< ",
        "and ",
        "or ",
        "not ",
        "is ",
        "present ",
        "matches ",
        "timestamp(",
        "number(",
        "result ",
        "parameters ",
        "# c\n",
        "// c\n",
        "\n",
        "for ",
        "until ",
        "at most 3 times ",
        "exhausted ",
        "check ",
        "counter ",
        "1e999 ",
        "States.Format('{}', $.x) ",
        "error ",
        "cause ",
        "resource ",
        "lambda ",
        "policy ",
        "\u{0}",
        "é",
        "\"",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parsing_never_panics(parts in prop::collection::vec(fragment(), 0..60)) {
        let source: String = parts.concat();
        let _ = flowc_dsl::parse(&source);
    }

    #[test]
    fn arbitrary_text_never_panics(source in ".{0,200}") {
        let _ = flowc_dsl::parse(&source);
    }
}
