//! The tenant-status-checker Lambda: `{"tenant_id", "subdomain", "check_type"}` -> healthy,
//! unhealthy or pending, with the reason (tenant_core::StatusChecker over ECS and ELBv2).

use std::process::ExitCode;

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;
use tenant_core::{ActionError, AwsClients, AwsHealth, StatusChecker, StatusConfig, TenantStore};

#[tokio::main]
async fn main() -> ExitCode {
    // JSON lines with tenant_id, step and outcome; RUST_LOG / AWS_LAMBDA_LOG_LEVEL filter them.
    tenant_core::logging::init();
    // A configuration error ends the cold start with one readable line in the function's log.
    let config = match StatusConfig::from_env() {
        Ok(config) => config,
        Err(error) => return fail(&error.to_string()),
    };
    let clients = AwsClients::from_env().await;
    let store = TenantStore::new(clients.dynamodb.clone(), config.tenants_table);
    let checker = StatusChecker::new(AwsHealth::new(clients), store, config.ecs_cluster_name);
    let served = lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        handler(&checker, event)
    }))
    .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&format!("runtime error: {error}")),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("tenant-status-checker: {message}");
    ExitCode::FAILURE
}

async fn handler(
    checker: &StatusChecker<AwsHealth>,
    event: LambdaEvent<Value>,
) -> Result<Value, Diagnostic> {
    checker.handle(event.payload).await.map_err(diagnostic)
}

/// The error name becomes the Lambda's errorType, which Step Functions matches in Retry/Catch.
fn diagnostic(error: ActionError) -> Diagnostic {
    Diagnostic {
        error_type: error.error_name().to_owned(),
        error_message: error.to_string(),
    }
}
