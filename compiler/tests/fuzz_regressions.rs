//! Every input a fuzzer found (minimised) and every hand-made reproducer of issue 18, replayed
//! through the same function the fuzz target runs (`flowc::fuzzing`). A file under
//! `tests/fuzz/TARGET/` must run to completion: no panic, no broken invariant. Findings go in as
//! `tests/fuzz/TARGET/<what it was>` (raw bytes; see fuzz/README.md).

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .flatten()
        .map(|entry| entry.path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no inputs in {}", dir.display());
    for file in files {
        let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        eprintln!("replaying {}", file.display());
        run(&data);
    }
}

#[test]
fn flow_compile_findings_run_clean() {
    replay("flow_compile", flowc::fuzzing::flow_compile);
}

#[test]
fn asl_check_findings_run_clean() {
    replay("asl_check", flowc::fuzzing::asl_check);
}

#[test]
fn decompile_compile_findings_run_clean() {
    replay("decompile_compile", flowc::fuzzing::decompile_compile);
}

#[test]
fn simulate_findings_run_clean() {
    replay("simulate", flowc::fuzzing::simulate);
}
