//! The tenant-registration Lambda: `{"email", "company_name", "subdomain", "plan"}` -> a PENDING
//! tenant, a Cognito user and a started provisioning workflow (tenant_core::Registrar).

use std::process::ExitCode;

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;
use tenant_core::{ActionError, AwsClients, Registrar, RegistrationConfig};

#[tokio::main]
async fn main() -> ExitCode {
    // JSON lines with tenant_id, step and outcome; RUST_LOG / AWS_LAMBDA_LOG_LEVEL filter them.
    tenant_core::logging::init();
    // A configuration error ends the cold start with one readable line in the function's log.
    let config = match RegistrationConfig::from_env() {
        Ok(config) => config,
        Err(error) => return fail(&error.to_string()),
    };
    let registrar = Registrar::new(config, AwsClients::from_env().await);
    let served = lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        handler(&registrar, event)
    }))
    .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&format!("runtime error: {error}")),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("tenant-registration: {message}");
    ExitCode::FAILURE
}

async fn handler(registrar: &Registrar, event: LambdaEvent<Value>) -> Result<Value, Diagnostic> {
    registrar.handle(event.payload).await.map_err(diagnostic)
}

/// The error name (e.g. Tenant.SubdomainTaken) becomes the Lambda's errorType.
fn diagnostic(error: ActionError) -> Diagnostic {
    Diagnostic {
        error_type: error.error_name().to_owned(),
        error_message: error.to_string(),
    }
}
