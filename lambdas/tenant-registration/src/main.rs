//! The tenant-registration Lambda: `{"email", "company_name", "subdomain", "plan"}` -> a PENDING
//! tenant, a Cognito user and a started provisioning workflow (tenant_core::Registrar).

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;
use tenant_core::{ActionError, AwsClients, Registrar, RegistrationConfig};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = RegistrationConfig::from_env()?;
    let registrar = Registrar::new(config, AwsClients::from_env().await);
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        handler(&registrar, event)
    }))
    .await
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
