//! The tenant-provisioning Lambda: `{"action", "tenant_id", "subdomain"}` -> one provisioning
//! step (tenant_core::Provisioner). Configuration is read once per container, at cold start.

use std::process::ExitCode;

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;
use tenant_core::{ActionError, AwsClients, Provisioner, ProvisioningConfig};

#[tokio::main]
async fn main() -> ExitCode {
    // JSON lines with tenant_id, step and outcome; RUST_LOG / AWS_LAMBDA_LOG_LEVEL filter them.
    tenant_core::logging::init();
    // A configuration error ends the cold start with one readable line in the function's log.
    let config = match ProvisioningConfig::from_env() {
        Ok(config) => config,
        Err(error) => return fail(&error.to_string()),
    };
    let provisioner = Provisioner::new(config, AwsClients::from_env().await);
    let served = lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        handler(&provisioner, event)
    }))
    .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&format!("runtime error: {error}")),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("tenant-provisioning: {message}");
    ExitCode::FAILURE
}

async fn handler(
    provisioner: &Provisioner,
    event: LambdaEvent<Value>,
) -> Result<Value, Diagnostic> {
    provisioner.handle(event.payload).await.map_err(diagnostic)
}

/// The error name becomes the Lambda's errorType, which Step Functions matches in Retry/Catch.
fn diagnostic(error: ActionError) -> Diagnostic {
    Diagnostic {
        error_type: error.error_name().to_owned(),
        error_message: error.to_string(),
    }
}
