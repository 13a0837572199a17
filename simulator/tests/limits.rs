//! Hostile definitions end with AWS's error or a clear flowc error, in bounded memory: a loop
//! carrying a large payload, a wide Parallel of a large input. Each was a reproducer of the
//! hostile-input issue (killed for memory).

use flowc_sim::{Program, SimError, Simulation, Status};
use serde_json::{Value, json};

fn program(def: Value) -> Program {
    Program::load(&def).unwrap_or_else(|e| panic!("{e}"))
}

fn big_input() -> Value {
    json!({"big": "x".repeat(250_000)})
}

/// A loop that writes a counter into a 250 KB document until the history limit: AWS keeps
/// every state's 250 KB input and output (6 GB of text by the limit; flowc was killed at
/// 1.6 GB, then stopped at its memory limit after 8,586 events). Each state's text now shares
/// the runs it has in common with the one before, so the loop reaches AWS's limit in a few MB.
#[test]
fn a_loop_carrying_a_large_payload_runs_to_awss_history_limit_sharing_its_texts() {
    let p = program(json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Result": 1, "ResultPath": "$.n", "Next": "P"}}}));
    let out = Simulation::new(&p)
        .input(big_input())
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status, Status::Failed);
    assert_eq!(out.error.as_deref(), Some("States.Runtime"));
    assert_eq!(out.history.len(), 25_000);
    assert!(
        out.history.text_bytes() < 16_000_000,
        "{} bytes of payload text",
        out.history.text_bytes()
    );
    // The history as JSON holds every payload in full: over flowc's limit for a written
    // history, which says so before writing anything.
    assert!(out.history.json_len_at_least() > 6_000_000_000);
    match out.history.check_json_len() {
        Err(SimError::HistoryTooLarge {
            limit_mib, events, ..
        }) => {
            assert_eq!((limit_mib, events), (1024, 25_000));
        }
        other => panic!("expected the history limit, got {other:?}"),
    }
}

/// A loop that rebuilds its 250 KB document at every state (Parameters select its member
/// into a new object) makes 250 KB of new text a state: it stops at flowc's memory limit,
/// naming it, rather than take the machine's memory.
#[test]
fn a_loop_rebuilding_a_large_payload_stops_at_flowcs_memory_limit() {
    let p = program(json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Parameters": {"big.$": "$.big"}, "Next": "P"}}}));
    let r = Simulation::new(&p).input(big_input()).run();
    match r {
        Err(SimError::MemoryLimit { limit_mib, events }) => {
            assert_eq!(limit_mib, 512);
            assert!(events < 25_000, "{events}");
        }
        other => panic!("expected the memory limit, got {other:?}"),
    }
}

/// A Parallel of 4,000 branches given a 250 KB input: the branches share the input (one copy
/// of its text, not 4,000), and their 1 GB of results is over AWS's payload limit, which is
/// found from the lengths of the branch outputs before any copy is made (it was killed).
#[test]
fn a_wide_parallel_of_a_large_input_keeps_one_copy_and_fails_at_the_payload_limit() {
    let branch = json!({"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}});
    let p = program(
        json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Branches": vec![branch; 4000]}}}),
    );
    let out = Simulation::new(&p)
        .input(big_input())
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status, Status::Failed);
    assert_eq!(out.error.as_deref(), Some("States.DataLimitExceeded"));
    assert!(
        out.history.text_bytes() < 2_000_000,
        "{} bytes of payload text for one shared input",
        out.history.text_bytes()
    );
}
