//! Damaged input never crashes the binary: the tenant workflow (as .flow and as ASL JSON)
//! truncated anywhere or with a byte replaced anywhere gives exit 0 or 1, never a panic.

use std::path::Path;
use std::process::Command;

use proptest::prelude::*;

const FLOW: &str = include_str!("../../workflows/tenant_provisioning.flow");
const ASL: &str = include_str!("../../workflows/tenant_provisioning.asl.json");

fn check_bytes(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let output = Command::new(env!("CARGO_BIN_EXE_flowc"))
        .args(["check", name])
        .current_dir(dir.path())
        .output()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    prop_assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "exit {:?} for {}:\n{stderr}",
        output.status.code(),
        Path::new(name).display()
    );
    prop_assert!(!stderr.contains("internal error"), "{stderr}");
    Ok(())
}

fn damage(text: &str, cut: usize, at: usize, byte: u8, truncate: bool) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    if truncate {
        bytes.truncate(cut % (bytes.len() + 1));
    } else if !bytes.is_empty() {
        let at = at % bytes.len();
        if let Some(slot) = bytes.get_mut(at) {
            *slot = byte;
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn damaged_flow_never_crashes(cut in any::<usize>(), at in any::<usize>(), byte in any::<u8>(), truncate in any::<bool>()) {
        check_bytes("t.flow", &damage(FLOW, cut, at, byte, truncate))?;
    }

    #[test]
    fn damaged_asl_never_crashes(cut in any::<usize>(), at in any::<usize>(), byte in any::<u8>(), truncate in any::<bool>()) {
        check_bytes("t.asl.json", &damage(ASL, cut, at, byte, truncate))?;
    }
}
