//! The built tenant-provisioning binary, run as Lambda runs a `provided.al2023` bootstrap:
//! against a fake Runtime API (see tenant-core/tests/support/runtime_api.rs).

#[path = "../../tenant-core/tests/support/runtime_api.rs"]
mod runtime_api;

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;

const BINARY: &str = env!("CARGO_BIN_EXE_tenant-provisioning");
const CONFIG: &[&str] = &[
    "TENANTS_TABLE",
    "ECS_CLUSTER_NAME",
    "VPC_ID",
    "PRIVATE_SUBNET_IDS",
    "SECURITY_GROUP_IDS",
    "ALB_ARN",
    "ALB_LISTENER_ARN",
    "ROUTE53_ZONE_ID",
    "DOMAIN_NAME",
    "DATABASE_URL",
    "BACKEND_IMAGE",
    "FRONTEND_IMAGE",
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
            "tenant-provisioning: missing configuration: {}",
            CONFIG.join(", ")
        )
    );
}

#[test]
fn invalid_events_are_answered_with_the_tenant_error_name() {
    let runtime = runtime_api::start(vec![
        json!({"action": "drop_everything", "tenant_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "subdomain": "acme"}),
        json!({"action": "create_schema", "tenant_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "subdomain": "www"}),
        json!({"action": "create_schema", "tenant_id": "1; DROP TABLE x", "subdomain": "acme"}),
    ]);
    let mut child = Command::new(BINARY)
        .env_clear()
        .envs(runtime_api::lambda_env(&runtime, "tenant-provisioning"))
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
                "Tenant.InvalidRequest".to_owned()
            ),
            (
                "req-2".to_owned(),
                "error".to_owned(),
                "Tenant.ReservedSubdomain".to_owned()
            ),
            (
                "req-3".to_owned(),
                "error".to_owned(),
                "Tenant.InvalidTenantId".to_owned()
            ),
        ]
    );
    let message = posted.first().map(|p| p.body["errorMessage"].clone());
    assert_eq!(
        message,
        Some(json!("invalid request: unknown action \"drop_everything\""))
    );
}
