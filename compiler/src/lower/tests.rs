//! Golden files (`compiler/tests/corpus/ok/*.flow` -> sibling `.asl.json`), the committed tenant
//! workflow, and one test per `flowc::resolve::*` code.
//!
//! Regenerate the goldens with `SNAPSHOTS=overwrite cargo test -p flowc --lib lower::tests`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use super::*;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn compile_ok(source: &str) -> Lowered {
    match compile(source, &Bindings::new()) {
        Ok(lowered) => lowered,
        Err(e) => panic!("expected the source to compile, got {e:#?}"),
    }
}

fn resolve_errors(source: &str) -> Vec<ResolveError> {
    match compile(source, &Bindings::new()) {
        Err(CompileError::Resolve(errors)) => errors,
        other => panic!("expected resolve errors, got {other:#?}"),
    }
}

fn codes(errors: &[ResolveError]) -> Vec<String> {
    use miette::Diagnostic;
    errors
        .iter()
        .map(|e| e.code().map(|c| c.to_string()).unwrap_or_default())
        .collect()
}

fn golden_sources() -> Vec<PathBuf> {
    let dir = repo_root().join("compiler/tests/corpus/ok");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "flow"))
        .collect();
    files.sort();
    files
}

#[test]
fn goldens_match_their_asl_json() {
    let overwrite = std::env::var("SNAPSHOTS").is_ok_and(|v| v == "overwrite");
    let sources = golden_sources();
    assert!(sources.len() >= 6, "the golden corpus went missing");
    let mut stale = Vec::new();
    for source_path in sources {
        let source = std::fs::read_to_string(&source_path).unwrap();
        let emitted = flowc_asl::emit(&compile_ok(&source).machine);
        let golden_path = source_path.with_extension("asl.json");
        if overwrite {
            std::fs::write(&golden_path, &emitted).unwrap();
            continue;
        }
        let golden = std::fs::read_to_string(&golden_path).unwrap_or_default();
        if golden != emitted {
            stale.push(golden_path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale goldens (run with SNAPSHOTS=overwrite to update): {stale:#?}"
    );
}

#[test]
fn compiled_goldens_load_back_as_the_same_machine() {
    for source_path in golden_sources() {
        let source = std::fs::read_to_string(&source_path).unwrap();
        let machine = compile_ok(&source).machine;
        let emitted = flowc_asl::emit(&machine);
        let loaded = flowc_asl::load(&emitted, "golden.asl.json").unwrap_or_else(|e| {
            panic!(
                "{}: compiled ASL does not load: {e:?}",
                source_path.display()
            )
        });
        assert_eq!(
            flowc_asl::emit(&loaded.machine),
            emitted,
            "{}",
            source_path.display()
        );
    }
}

#[test]
fn formatting_is_idempotent_and_keeps_the_asl() {
    let mut sources = golden_sources();
    sources.extend(workflow_sources());
    for path in sources {
        let source = std::fs::read_to_string(&path).unwrap();
        let once = crate::fmt::format_source(&source).unwrap();
        assert!(
            once == source,
            "{} is not in canonical form: run `flowc fmt` on it",
            path.display()
        );
        let twice = crate::fmt::format_source(&once).unwrap();
        assert_eq!(once, twice, "fmt is not idempotent on {}", path.display());
        assert_eq!(
            flowc_asl::emit(&compile_ok(&once).machine),
            flowc_asl::emit(&compile_ok(&source).machine),
            "fmt changed the meaning of {}",
            path.display()
        );
        let comments = source
            .lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .count();
        let kept = once
            .lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .count();
        assert_eq!(comments, kept, "fmt lost comments of {}", path.display());
    }
}

/// The workflows' `.flow` sources (`workflows/*.flow`): the tenant workflow and its JSONata
/// twin.
fn workflow_sources() -> Vec<PathBuf> {
    let mut sources: Vec<PathBuf> = std::fs::read_dir(repo_root().join("workflows"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "flow"))
        .collect();
    sources.sort();
    assert!(sources.len() >= 2, "workflows/*.flow: {sources:?}");
    sources
}

#[test]
fn workflow_asl_is_not_stale() {
    for source_path in workflow_sources() {
        let source = std::fs::read_to_string(&source_path).unwrap();
        let compiled = source_path.with_extension("asl.json");
        let committed = std::fs::read_to_string(&compiled)
            .unwrap_or_else(|e| panic!("{}: {e}", compiled.display()));
        let emitted = flowc_asl::emit(&compile_ok(&source).machine);
        assert!(
            committed == emitted,
            "{} is stale: run `flowc compile {} -o {}`",
            compiled.display(),
            source_path.display(),
            compiled.display()
        );
    }
}

#[test]
fn tenant_workflow_is_safe() {
    use flowc_asl::{Condition, Operator, StateKind, Transition};
    let source =
        std::fs::read_to_string(repo_root().join("workflows/tenant_provisioning.flow")).unwrap();
    let machine = compile_ok(&source).machine;
    let seed = [
        "ValidateInput",
        "CreateDatabaseSchema",
        "CreateTaskDefinition",
        "CreateTargetGroup",
        "CreateALBRule",
        "CreateDNSRecord",
        "DeployBackendService",
        "WaitForBackend",
        "CheckBackendHealth",
        "BackendHealthChoice",
        "DeployFrontendService",
        "WaitForFrontend",
        "CheckFrontendHealth",
        "FrontendHealthChoice",
        "ProvisioningComplete",
        "BackendFailed",
        "FrontendFailed",
    ];
    for name in seed {
        assert!(
            machine.states.contains_key(name),
            "the seed's state {name} is missing"
        );
    }
    let transient = [
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
        "Lambda.TooManyRequestsException",
    ];
    let mut tasks = 0;
    for (name, state) in &machine.states {
        if let StateKind::Task(task) = &state.kind {
            tasks += 1;
            assert!(
                task.resource.starts_with("${"),
                "{name}: resource should be a templatefile placeholder"
            );
            let retried: Vec<&str> = task
                .retry
                .iter()
                .flat_map(|r| r.error_equals.iter().map(|e| e.as_str()))
                .collect();
            for error in transient {
                assert!(retried.contains(&error), "{name} does not retry {error}");
            }
            assert!(
                task.retry
                    .iter()
                    .all(|r| r.backoff_rate_or_default() > 1.0 && r.backoff_rate.is_some()),
                "{name}: no backoff"
            );
            assert!(
                task.catch
                    .iter()
                    .any(|c| c.error_equals.iter().any(|e| e.is_all())),
                "{name} does not catch States.ALL"
            );
            // Results go beside the input, never over it.
            assert!(
                matches!(&task.result_path, Some(flowc_asl::PathOrNull::Path(p)) if p.as_str() != "$"),
                "{name} overwrites its input"
            );
        }
    }
    // Ten provisioning actions, two health checks and RollBackTenant (the compensation).
    assert_eq!(tasks, 13);
    for choice in ["BackendHealthChoice", "FrontendHealthChoice"] {
        let StateKind::Choice(c) = &machine.states[choice].kind else {
            panic!("{choice} is not a Choice")
        };
        let bounded = c.choices.iter().any(|rule| {
            matches!(&rule.condition, Condition::Compare(cmp)
                if cmp.operator == Operator::NumericGreaterThanEquals
                    && matches!(&cmp.operand, flowc_asl::Operand::Number(n) if n.as_u64() == Some(15)))
        });
        assert!(bounded, "{choice} has no bound of 15 checks");
    }
    let StateKind::Wait(wait) = &machine.states["WaitForBackend"].kind else {
        panic!("not a Wait")
    };
    assert_eq!(
        wait.wait_for,
        flowc_asl::WaitFor::Seconds(flowc_asl::IntegerField::Value(60))
    );
    // Every failure path records the tenant as failed before the Fail state.
    let StateKind::Task(mark) = &machine.states["MarkTenantFailed"].kind else {
        panic!("not a Task")
    };
    assert_eq!(
        mark.transition,
        Transition::Next("ProvisioningFailed".into())
    );
    let params = mark.parameters.as_ref().unwrap().to_json();
    assert_eq!(params["action"], "mark_failed");
    for key in ["tenant_id.$", "subdomain.$", "error.$", "cause.$"] {
        assert!(params.get(key).is_some(), "mark_failed does not send {key}");
    }
}

#[test]
fn bindings_replace_placeholders() {
    let mut bindings = Bindings::new();
    let (name, arn) = Bindings::parse_arg("work=arn:aws:lambda:eu-west-1:1:function:w").unwrap();
    bindings.insert(name, arn);
    let lowered = compile("resource work = lambda \"w\"\ntask T = work", &bindings).unwrap();
    let flowc_asl::StateKind::Task(task) = &lowered.machine.states["T"].kind else {
        panic!()
    };
    assert_eq!(task.resource, "arn:aws:lambda:eu-west-1:1:function:w");
    let unbound = compile_ok("resource work = lambda \"w\"\ntask T = work");
    let flowc_asl::StateKind::Task(task) = &unbound.machine.states["T"].kind else {
        panic!()
    };
    assert_eq!(task.resource, "${work}");
    assert!(Bindings::parse_arg("no-equals").is_err());
}

#[test]
fn bind_values_are_arns_or_placeholders_and_names_are_declared_resources() {
    assert!(Bindings::parse_arg("x=arn:aws:states:::sns:publish").is_ok());
    assert!(Bindings::parse_arg("x=${worker_arn}").is_ok());
    for bad in [
        "x=not-an-arn",
        "x=arn:aws:lambda",
        "x=${}",
        "x=arn::lambda:r:a:f",
    ] {
        let error = Bindings::parse_arg(bad).expect_err(bad);
        assert!(error.contains("is not an ARN"), "{bad}: {error}");
    }
    let mut bindings = Bindings::new();
    bindings.insert("wokr", "arn:aws:lambda:eu-west-1:1:function:w");
    match compile("resource work = lambda \"w\"\ntask T = work", &bindings) {
        Err(CompileError::Resolve(errors)) => {
            assert!(
                matches!(&errors[..], [ResolveError::UnknownBinding { name, help, .. }]
                    if name == "wokr" && help.contains("`work`")),
                "{errors:?}"
            );
        }
        other => panic!("expected an unknown binding, got {other:?}"),
    }
}

#[test]
fn order_implies_next_and_the_last_state_ends() {
    let machine = compile_ok("pass A\npass B\npass C { next A }\npass D").machine;
    let next = |name: &str| machine.states[name].transition().cloned();
    assert_eq!(next("A"), Some(flowc_asl::Transition::Next("B".into())));
    assert_eq!(next("C"), Some(flowc_asl::Transition::Next("A".into())));
    assert_eq!(next("D"), Some(flowc_asl::Transition::End));
    assert_eq!(machine.start_at.as_str(), "A");
}

#[test]
fn spans_point_at_state_names() {
    let source = "pass First\npass Second { next First }";
    let lowered = compile_ok(source);
    let path = flowc_asl::StatePath::top(&"Second".into());
    let span = lowered.spans.state_name(&path).unwrap();
    assert_eq!(&source[span.offset()..span.offset() + span.len()], "Second");
    let next = lowered.spans.field(&path, "Next").unwrap();
    assert_eq!(&source[next.offset()..next.offset() + next.len()], "First");
}

#[test]
fn unknown_target_suggests_nearest_name() {
    let errors = resolve_errors("pass Start { next Finsh }\nsucceed Finish");
    assert_eq!(codes(&errors), ["flowc::resolve::unknown_state"]);
    let ResolveError::UnknownState { help, .. } = &errors[0] else {
        panic!()
    };
    assert_eq!(help, "did you mean `Finish`?");
}

#[test]
fn duplicate_names_across_branches_are_errors() {
    let errors = resolve_errors("parallel P {\n branch { pass X }\n branch { pass X }\n}");
    assert_eq!(codes(&errors), ["flowc::resolve::duplicate_state"]);
}

#[test]
fn unknown_resource_and_policy_are_named() {
    let errors = resolve_errors("resource work = lambda \"w\"\ntask T = wrok { retry transent }");
    assert_eq!(
        codes(&errors),
        [
            "flowc::resolve::unknown_retry_policy",
            "flowc::resolve::unknown_resource"
        ]
    );
    let ResolveError::UnknownResource { help, .. } = &errors[1] else {
        panic!()
    };
    assert_eq!(help, "did you mean `work`?");
}

#[test]
fn negative_and_fractional_durations_are_errors() {
    let errors = resolve_errors(
        "wait W for -5s\nwait V for 1.5s\nwait U for 1.5m\ntask T = \"arn:x\" { timeout 0.5s }",
    );
    assert_eq!(codes(&errors), ["flowc::resolve::invalid_duration"; 3]);
}

#[test]
fn states_all_must_be_alone_and_last() {
    let errors = resolve_errors(
        "task T = \"arn:x\" {\n retry on States.ALL, States.Timeout\n catch States.ALL -> F\n catch States.Timeout -> F\n}\nfail F",
    );
    assert_eq!(codes(&errors), ["flowc::resolve::states_all_position"; 2]);
}

#[test]
fn invalid_paths_and_intrinsics_are_reported() {
    let errors =
        resolve_errors("pass P { result_path $.a[*] parameters { \"x.$\": \"States.Nope(1)\" } }");
    assert_eq!(
        codes(&errors),
        [
            "flowc::resolve::invalid_path",
            "flowc::resolve::invalid_intrinsic"
        ]
    );
}

#[test]
fn fields_are_checked_against_the_state_kind() {
    let errors = resolve_errors(
        "succeed S { result_path $.x }\npass P { end next P }\nchoice C { otherwise -> P }",
    );
    assert_eq!(
        codes(&errors),
        [
            "flowc::resolve::field_not_allowed",
            "flowc::resolve::duplicate_field",
            "flowc::resolve::missing_field"
        ]
    );
}

#[test]
fn templates_comparisons_numbers_and_declarations_are_checked() {
    let errors = resolve_errors(
        "resource r = \"arn:x\"\nresource r = \"arn:y\"\nchoice C { when $.b < true -> P }\npass P { parameters { \"x.$\": 1 } }\ntask T = r { retry on E backoff 0.5 }",
    );
    assert_eq!(
        codes(&errors),
        [
            "flowc::resolve::duplicate_declaration",
            "flowc::resolve::invalid_comparison",
            "flowc::resolve::invalid_template",
            "flowc::resolve::invalid_number",
        ]
    );
}

#[test]
fn an_empty_workflow_has_no_states() {
    assert_eq!(
        codes(&resolve_errors("# nothing here\ncomment \"empty\"\n")),
        ["flowc::resolve::no_states"]
    );
}

#[test]
fn poll_lowers_to_a_bounded_loop() {
    use flowc_asl::StateKind;
    let source =
        std::fs::read_to_string(repo_root().join("compiler/tests/corpus/ok/poll_bounded.flow"))
            .unwrap();
    let machine = compile_ok(&source).machine;
    let names: Vec<&str> = machine.states.keys().map(|k| k.as_str()).collect();
    assert_eq!(
        names[1..6],
        [
            "Ready",
            "WaitForReady",
            "CheckReady",
            "ReadyCount",
            "ReadyChoice"
        ]
    );
    let StateKind::Choice(choice) = &machine.states["ReadyChoice"].kind else {
        panic!()
    };
    assert_eq!(
        choice.default.as_ref().map(|d| d.as_str()),
        Some("WaitForReady")
    );
    assert_eq!(
        choice.choices.last().map(|r| r.next.as_str()),
        Some("TimedOut")
    );
    let errors = resolve_errors(
        "poll P every 1s at most 0 times {\n wait W\n check C = \"arn:x\" { next W }\n choice D { when $.a == 1 -> P otherwise -> W }\n exhausted -> Nowhere\n}",
    );
    assert_eq!(
        codes(&errors),
        [
            "flowc::resolve::invalid_number",
            "flowc::resolve::unknown_state",
            "flowc::resolve::field_not_allowed",
            "flowc::resolve::field_not_allowed",
        ]
    );
}

#[test]
fn states_all_in_a_policy_counts_where_the_policy_is_used() {
    let errors = resolve_errors(
        "retry policy anything on States.ALL attempts 2\ntask T = \"arn:x\" {\n retry anything\n retry on States.Timeout\n}",
    );
    assert_eq!(codes(&errors), ["flowc::resolve::states_all_position"]);
    compile_ok(
        "retry policy anything on States.ALL attempts 2\ntask T = \"arn:x\" {\n retry on States.Timeout\n retry anything\n}",
    );
}

#[test]
fn span_table_points_at_fields_by_asl_pointer() {
    let source = "task T = \"arn:x\" {\n    result_path $.r\n    retry on A, B\n    catch States.ALL -> F\n}\nfail F";
    let lowered = compile_ok(source);
    let path = flowc_asl::StatePath::top(&"T".into());
    let text = |pointer: &str| {
        let span = lowered.spans.field(&path, pointer).unwrap();
        source[span.offset()..span.offset() + span.len()].to_string()
    };
    assert_eq!(text("ResultPath"), "result_path $.r");
    assert_eq!(text("Retry/0/ErrorEquals"), "A, B");
    assert_eq!(text("Catch/0/ErrorEquals"), "States.ALL");
    assert_eq!(text("Catch/0/Next"), "F");
    // A field that was not written falls back to the state's name.
    assert_eq!(text("Next"), "T");
}

/// The machine handed back beside resolve errors, if any.
fn partial(source: &str) -> Option<Box<Lowered>> {
    match compile_for_checks(source, &Bindings::new()) {
        Err((CompileError::Resolve(errors), partial)) => {
            assert!(!errors.is_empty());
            partial
        }
        other => panic!("expected resolve errors, got {other:#?}"),
    }
}

#[test]
fn errors_that_leave_the_graph_intact_hand_back_the_whole_machine() {
    // A bad path and an unknown resource: every state and transition is still there.
    let lowered = partial(
        "task A = nowhere { result_path $..[ }\npass B\nsucceed Done\npass Orphan { next Done }\n",
    )
    .expect("the graph is intact");
    let names: Vec<&str> = lowered.machine.states.keys().map(|n| n.as_str()).collect();
    assert_eq!(names, ["A", "B", "Done", "Orphan"]);
    let findings = crate::check::check(&lowered.machine, &lowered.spans);
    assert!(
        findings
            .iter()
            .any(|f| matches!(f, crate::check::CheckError::UnreachableState { name, .. } if name == "Orphan")),
        "{findings:#?}"
    );
}

#[test]
fn errors_that_cost_a_state_or_transition_hand_back_nothing() {
    // A rule whose condition does not lower loses its transition to B.
    assert!(
        partial(
            "choice C {\n    when $..[ == 1 -> B\n    otherwise -> Done\n}\npass B\nsucceed Done\n"
        )
        .is_none()
    );
    // The second `A` replaces the first.
    assert!(partial("pass A\npass A\nsucceed Done\n").is_none());
    // `next` is not a Choice field: the transition it names is not in the machine.
    assert!(
        partial("choice C {\n    when $.a == 1 -> Done\n    next Done\n}\nsucceed Done\n")
            .is_none()
    );
    // A Map without its process.
    assert!(partial("map M over $.items\nsucceed Done\n").is_none());
}

#[test]
fn a_jsonata_error_in_a_json_string_points_inside_the_string() {
    let source = "query_language jsonata\npass P { output { \"a\": \"{% 1 + %}\" } }\n";
    let errors = resolve_errors(source);
    let [ResolveError::JsonataSyntax { span, .. }] = errors.as_slice() else {
        panic!("{errors:?}")
    };
    let (open, close) = (source.find("\"{%").unwrap(), source.find("%}\"").unwrap());
    assert!(
        (open + 3..=close).contains(&span.offset()),
        "{span:?} not inside the expression"
    );
}

#[test]
fn jsonata_fields_are_refused_where_jsonpath_is_in_effect_and_back() {
    let errors = resolve_errors("pass P { output { \"a\": 1 } }");
    assert!(matches!(
        errors.as_slice(),
        [ResolveError::WrongQueryLanguage {
            field: "output",
            ..
        }]
    ));
    let errors = resolve_errors(
        "query_language jsonata\ntask T = \"arn:aws:states:::x\" { result_path $.r }",
    );
    assert!(matches!(
        errors.as_slice(),
        [ResolveError::WrongQueryLanguage {
            field: "result_path",
            ..
        }]
    ));
    let errors = resolve_errors("query_language jsonata\npass P { query_language jsonpath }");
    assert!(matches!(
        errors.as_slice(),
        [ResolveError::WrongQueryLanguage { .. }]
    ));
}
