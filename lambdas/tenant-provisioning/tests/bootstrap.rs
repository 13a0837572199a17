//! The built tenant-provisioning binary, run as Lambda runs a `provided.al2023` bootstrap:
//! against a fake Runtime API (see lambdas/test-support).

use lambda_test_support::Bootstrap;
use serde_json::json;

const LAMBDA: Bootstrap = Bootstrap {
    binary: env!("CARGO_BIN_EXE_tenant-provisioning"),
    function: "tenant-provisioning",
    config: &[
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
    ],
};

#[test]
fn missing_configuration_stops_the_cold_start_naming_every_variable() {
    LAMBDA.assert_cold_start_names_missing_configuration();
}

#[test]
fn invalid_events_are_answered_with_the_tenant_error_name() {
    let posted = LAMBDA.assert_refused(&[
        (
            json!({"action": "drop_everything", "tenant_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "subdomain": "acme"}),
            "Tenant.InvalidRequest",
        ),
        (
            json!({"action": "create_schema", "tenant_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "subdomain": "www"}),
            "Tenant.ReservedSubdomain",
        ),
        (
            json!({"action": "create_schema", "tenant_id": "1; DROP TABLE x", "subdomain": "acme"}),
            "Tenant.InvalidTenantId",
        ),
    ]);
    let message = posted.first().map(|p| p.body["errorMessage"].clone());
    assert_eq!(
        message,
        Some(json!("invalid request: unknown action \"drop_everything\""))
    );
}
