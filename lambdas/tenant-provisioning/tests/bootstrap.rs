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
        "DATABASE_SECRET_ARN",
        "BACKEND_IMAGE",
        "FRONTEND_IMAGE",
        "COGNITO_USER_POOL_ID",
    ],
};

#[test]
fn missing_configuration_stops_the_cold_start_naming_every_variable() {
    LAMBDA.assert_cold_start_names_missing_configuration();
}

#[test]
fn invalid_events_are_answered_with_the_tenant_error_name() {
    let (posted, logged) = LAMBDA.assert_refused_logging(&[
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
    // One JSON line per action on stdout, with the tenant, the step and the outcome, inside
    // lambda_runtime's invocation span (its request id: the runtime API's req-N). The runtime
    // adds its own ERROR line for each failed invocation (the Diagnostic it posts), JSON too.
    let actions: Vec<&serde_json::Value> = logged
        .iter()
        .filter(|line| line.get("step").is_some())
        .collect();
    assert_eq!(logged.len(), 2 * actions.len(), "{logged:#?}");
    let summary: Vec<(String, String, String, String)> = actions
        .iter()
        .map(|line| {
            let text = |key: &str| line[key].as_str().unwrap_or_default().to_owned();
            (
                text("tenant_id"),
                text("step"),
                text("outcome"),
                line["span"]["requestId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    let tenant = "0f8fad5b-d9cb-469f-a165-70867728950e";
    assert_eq!(
        summary,
        [
            (tenant, "drop_everything", "Tenant.InvalidRequest", "req-1"),
            (tenant, "create_schema", "Tenant.ReservedSubdomain", "req-2"),
            (
                "1; DROP TABLE x",
                "create_schema",
                "Tenant.InvalidTenantId",
                "req-3"
            ),
        ]
        .map(|(a, b, c, d)| (a.to_owned(), b.to_owned(), c.to_owned(), d.to_owned())),
        "{logged:#?}"
    );
    assert!(
        actions.iter().all(|line| line["level"] == "WARN"),
        "{logged:#?}"
    );
}
