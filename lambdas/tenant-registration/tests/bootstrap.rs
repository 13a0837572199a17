//! The built tenant-registration binary, run as Lambda runs a `provided.al2023` bootstrap:
//! against a fake Runtime API (see tenant-core/tests/support/runtime_api.rs).

#[path = "../../tenant-core/tests/support/runtime_api.rs"]
mod runtime_api;

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;

const BINARY: &str = env!("CARGO_BIN_EXE_tenant-registration");
const CONFIG: &[&str] = &[
    "TENANTS_TABLE",
    "REGISTRATIONS_TABLE",
    "STATE_MACHINE_ARN",
    "COGNITO_USER_POOL_ID",
];

#[test]
fn missing_configuration_stops_the_cold_start_naming_every_variable() {
    let output = Command::new(BINARY)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {BINARY}: {e}"));
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim(),
        format!(
            "tenant-registration: missing configuration: {}",
            CONFIG.join(", ")
        )
    );
}

#[test]
fn invalid_events_are_answered_with_the_tenant_error_name() {
    let runtime = runtime_api::start(vec![
        json!({"email": "a@b.co", "company_name": "Acme", "subdomain": "admin", "plan": "free"}),
        json!({"email": "not-an-address", "company_name": "Acme", "subdomain": "acme", "plan": "free"}),
        json!({"email": "a@b.co", "subdomain": "acme"}),
    ]);
    let mut child = Command::new(BINARY)
        .env_clear()
        .envs(runtime_api::lambda_env(&runtime, "tenant-registration"))
        .envs(CONFIG.iter().map(|name| (*name, format!("test-{name}"))))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {BINARY}: {e}"));
    let mut posted = Vec::new();
    for _ in 0..3 {
        match runtime.posted.recv_timeout(Duration::from_secs(60)) {
            Ok(p) => posted.push(p),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the binary answered {} of 3 events: {e}", posted.len());
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let summary: Vec<(String, String, String)> = posted
        .iter()
        .map(|p| {
            (
                p.request_id.clone(),
                p.kind.clone(),
                p.body["errorType"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "req-1".to_owned(),
                "error".to_owned(),
                "Tenant.ReservedSubdomain".to_owned()
            ),
            (
                "req-2".to_owned(),
                "error".to_owned(),
                "Tenant.InvalidRegistration".to_owned()
            ),
            (
                "req-3".to_owned(),
                "error".to_owned(),
                "Tenant.InvalidRequest".to_owned()
            ),
        ]
    );
    let message = posted.first().map(|p| p.body["errorMessage"].clone());
    assert_eq!(
        message,
        Some(json!("subdomain \"admin\" is reserved for the platform"))
    );
}
