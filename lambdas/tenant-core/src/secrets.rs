//! Database credentials in Secrets Manager (issue 15, finding 4).
//!
//! - The master secret (`DATABASE_SECRET_ARN`): the user the provisioning Lambda creates roles
//!   and schemas as. Its SecretString is JSON with `username` and `password`, the shape RDS
//!   writes for `manage_master_user_password` (and Secrets Manager's RDS rotation templates, which
//!   add host, port, dbname: those are ignored, DATABASE_URL names the endpoint). It is read at
//!   every connection, not cached: RDS rotates a managed master password (every 7 days by
//!   default) and a warm container must not keep the old one.
//! - One secret per tenant, `tenants/<tenant_id>/db`: the tenant's login role and its generated
//!   password, with the endpoint, as JSON. The backend's task definition gets it as an ECS
//!   `secrets` entry (ECS reads it with the task execution role when the task starts), never as
//!   plain environment. The password comes from Secrets Manager's GetRandomPassword and is
//!   stored before the role is given it, so a retried create_schema reads the same password back
//!   instead of making a second one.

use aws_sdk_secretsmanager::Client;
use serde::{Deserialize, Serialize};

use crate::database::{DatabaseTarget, Endpoint};
use crate::domain::TenantId;
use crate::error::ActionError;

const SERVICE: &str = "SecretsManager";

/// Length of a tenant's generated password: letters and digits only (no quoting anywhere), about
/// 238 bits.
const PASSWORD_LENGTH: i64 = 40;

#[derive(Deserialize)]
struct MasterSecret {
    username: String,
    password: String,
}

/// The master user's credentials, read from `secret_arn`, applied to `target`.
pub async fn master_database(
    client: &Client,
    secret_arn: &str,
    target: &DatabaseTarget,
) -> Result<DatabaseTarget, ActionError> {
    let text = secret_string(client, secret_arn)
        .await?
        .ok_or_else(|| invalid_master(secret_arn, "the secret does not exist".to_owned()))?;
    let master: MasterSecret = serde_json::from_str(&text).map_err(|e| {
        // serde's message names the missing field; the text itself is the secret.
        invalid_master(
            secret_arn,
            format!("SecretString is not JSON with username and password ({e})"),
        )
    })?;
    Ok(target.with_credentials(&master.username, &master.password))
}

fn invalid_master(secret_arn: &str, reason: String) -> ActionError {
    ActionError::InvalidConfig {
        name: "DATABASE_SECRET_ARN",
        reason: format!("{secret_arn}: {reason}"),
    }
}

/// A tenant's database credentials, as stored in its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantCredentials {
    pub username: String,
    pub password: String,
    pub host: String,
    pub port: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dbname: Option<String>,
    pub schema: String,
    pub sslmode: String,
}

/// The tenant's secret and what it holds.
#[derive(Clone, Debug)]
pub struct TenantSecret {
    pub arn: String,
    pub credentials: TenantCredentials,
}

/// `tenants/<tenant_id>/db`: by tenant id, not subdomain, so a subdomain released and registered
/// again by another tenant never meets an old tenant's secret.
pub fn tenant_secret_name(tenant_id: &TenantId) -> String {
    format!("tenants/{}/db", tenant_id.as_str())
}

/// The SecretString of `secret_id`, or None when there is no such secret (or it is scheduled
/// for deletion, which Secrets Manager reports the same way to GetSecretValue).
async fn secret_string(client: &Client, secret_id: &str) -> Result<Option<String>, ActionError> {
    match client.get_secret_value().secret_id(secret_id).send().await {
        Ok(output) => Ok(output.secret_string),
        Err(e) if e.as_service_error().is_some_and(is_not_found) => Ok(None),
        Err(e) => Err(ActionError::aws(SERVICE, "GetSecretValue", e)),
    }
}

fn is_not_found(
    e: &aws_sdk_secretsmanager::operation::get_secret_value::GetSecretValueError,
) -> bool {
    e.is_resource_not_found_exception()
        // Marked for deletion: as good as gone for reading.
        || (e.is_invalid_request_exception()
            && aws_sdk_secretsmanager::error::ProvideErrorMetadata::message(e)
                .is_some_and(|m| m.contains("deleted")))
}

/// The tenant's secret, created with a new password when it does not exist yet. `username` and
/// `schema` name the role and schema create_schema makes; `endpoint` is where they live.
pub async fn ensure_tenant_secret(
    client: &Client,
    tenant_id: &TenantId,
    username: &str,
    schema: &str,
    endpoint: &Endpoint,
) -> Result<TenantSecret, ActionError> {
    let name = tenant_secret_name(tenant_id);
    if let Some(found) = read_tenant_secret(client, &name).await? {
        return Ok(found);
    }
    let password = client
        .get_random_password()
        .password_length(PASSWORD_LENGTH)
        .exclude_punctuation(true)
        .require_each_included_type(true)
        .send()
        .await
        .map_err(|e| ActionError::aws(SERVICE, "GetRandomPassword", e))?
        .random_password
        .ok_or_else(|| ActionError::Aws {
            service: SERVICE,
            operation: "GetRandomPassword",
            message: "no password returned".to_owned(),
        })?;
    let credentials = TenantCredentials {
        username: username.to_owned(),
        password,
        host: endpoint.host.clone(),
        port: endpoint.port,
        dbname: endpoint.dbname.clone(),
        schema: schema.to_owned(),
        sslmode: endpoint.sslmode.to_owned(),
    };
    let text = serde_json::to_string(&credentials).map_err(|e| ActionError::InvalidRequest {
        reason: format!("credentials could not be serialised: {e}"),
    })?;
    let created = client
        .create_secret()
        .name(&name)
        .description(format!(
            "PostgreSQL login of tenant {} (role {username}, schema {schema}); made by tenant-provisioning, deleted by deprovisioning",
            tenant_id.as_str()
        ))
        .secret_string(text)
        .tags(
            aws_sdk_secretsmanager::types::Tag::builder()
                .key("tenant_id")
                .value(tenant_id.as_str())
                .build(),
        )
        .send()
        .await;
    match created {
        Ok(output) => Ok(TenantSecret {
            arn: output
                .arn
                .ok_or_else(|| ActionError::no_arn(SERVICE, "CreateSecret", &name))?,
            credentials,
        }),
        // A racing run of the same step created it first: use its password, not ours.
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_resource_exists_exception()) =>
        {
            read_tenant_secret(client, &name)
                .await?
                .ok_or_else(|| ActionError::AwsTransient {
                    service: SERVICE,
                    operation: "CreateSecret",
                    message: format!("{name} exists but cannot be read yet"),
                })
        }
        Err(e) => Err(ActionError::aws(SERVICE, "CreateSecret", e)),
    }
}

/// The tenant's secret by name, when it exists.
pub async fn read_tenant_secret(
    client: &Client,
    name: &str,
) -> Result<Option<TenantSecret>, ActionError> {
    let output = match client.get_secret_value().secret_id(name).send().await {
        Ok(output) => output,
        Err(e) if e.as_service_error().is_some_and(is_not_found) => return Ok(None),
        Err(e) => return Err(ActionError::aws(SERVICE, "GetSecretValue", e)),
    };
    let arn = output
        .arn
        .ok_or_else(|| ActionError::no_arn(SERVICE, "GetSecretValue", name))?;
    let credentials = output
        .secret_string
        .as_deref()
        .map(serde_json::from_str::<TenantCredentials>)
        .transpose()
        .ok()
        .flatten()
        .ok_or_else(|| ActionError::InvalidSecret {
            secret: name.to_owned(),
            reason: "SecretString is not the tenant credentials JSON tenant-provisioning writes"
                .to_owned(),
        })?;
    Ok(Some(TenantSecret { arn, credentials }))
}

/// The ARN of the tenant's secret (DescribeSecret: the value is not read), when it exists.
pub async fn find_tenant_secret_arn(
    client: &Client,
    tenant_id: &TenantId,
) -> Result<Option<String>, ActionError> {
    let name = tenant_secret_name(tenant_id);
    match client.describe_secret().secret_id(&name).send().await {
        // Scheduled for deletion (only by hand: ours are deleted at once) counts as missing.
        Ok(output) if output.deleted_date.is_some() => Ok(None),
        Ok(output) => Ok(output.arn),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(ActionError::aws(SERVICE, "DescribeSecret", e)),
    }
}

/// Deletes the tenant's secret at once (no recovery window: the role it opens is dropped in the
/// same step, and the tenant asked to be removed). True when there was one to delete.
pub async fn delete_tenant_secret(
    client: &Client,
    tenant_id: &TenantId,
) -> Result<bool, ActionError> {
    // DeleteSecret with ForceDeleteWithoutRecovery answers success for a secret that does not
    // exist (AWS and moto alike), so whether there was one is asked first.
    let Some(arn) = find_tenant_secret_arn(client, tenant_id).await? else {
        return Ok(false);
    };
    match client
        .delete_secret()
        .secret_id(&arn)
        .force_delete_without_recovery(true)
        .send()
        .await
    {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            Ok(false)
        }
        Err(e) => Err(ActionError::aws(SERVICE, "DeleteSecret", e)),
    }
}
