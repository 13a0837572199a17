//! The built tenant-registration binary, run as Lambda runs a `provided.al2023` bootstrap:
//! against a fake Runtime API (see lambdas/test-support).

use lambda_test_support::Bootstrap;
use serde_json::json;

const LAMBDA: Bootstrap = Bootstrap {
    binary: env!("CARGO_BIN_EXE_tenant-registration"),
    function: "tenant-registration",
    config: &[
        "TENANTS_TABLE",
        "REGISTRATIONS_TABLE",
        "STATE_MACHINE_ARN",
        "COGNITO_USER_POOL_ID",
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
            json!({"email": "a@b.co", "company_name": "Acme", "subdomain": "admin", "plan": "free"}),
            "Tenant.ReservedSubdomain",
        ),
        (
            json!({"email": "not-an-address", "company_name": "Acme", "subdomain": "acme", "plan": "free"}),
            "Tenant.InvalidRegistration",
        ),
        (
            json!({"email": "a@b.co", "subdomain": "acme"}),
            "Tenant.InvalidRequest",
        ),
    ]);
    let message = posted.first().map(|p| p.body["errorMessage"].clone());
    assert_eq!(
        message,
        Some(json!("subdomain \"admin\" is reserved for the platform"))
    );
}
