//! The built tenant-status-checker binary, run as Lambda runs a `provided.al2023` bootstrap:
//! against a fake Runtime API (see lambdas/test-support).

use lambda_test_support::Bootstrap;
use serde_json::json;

const LAMBDA: Bootstrap = Bootstrap {
    binary: env!("CARGO_BIN_EXE_tenant-status-checker"),
    function: "tenant-status-checker",
    config: &["TENANTS_TABLE", "ECS_CLUSTER_NAME"],
};

#[test]
fn missing_configuration_stops_the_cold_start_naming_every_variable() {
    LAMBDA.assert_cold_start_names_missing_configuration();
}

#[test]
fn invalid_events_are_answered_with_the_tenant_error_name() {
    let posted = LAMBDA.assert_refused(&[
        (
            json!({"tenant_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "subdomain": "acme", "check_type": "database"}),
            "Tenant.InvalidRequest",
        ),
        (
            json!({"tenant_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "subdomain": "UPPER", "check_type": "backend"}),
            "Tenant.InvalidSubdomain",
        ),
        (
            json!({"tenant_id": "x' OR '1'='1", "subdomain": "acme", "check_type": "backend"}),
            "Tenant.InvalidTenantId",
        ),
    ]);
    let message = posted.first().map(|p| p.body["errorMessage"].clone());
    assert_eq!(
        message,
        Some(json!(
            "invalid request: check_type \"database\" is not \"backend\" or \"frontend\""
        ))
    );
}
