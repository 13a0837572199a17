//! validate, finalize and mark_failed: the tenant item's status transitions.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;

use super::{Provisioner, Target};
use crate::domain::TenantId;
use crate::error::ActionError;
use crate::status::{Step, TenantStatus};
use crate::store::{TenantRecord, TenantStore, s};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValidateDetails {
    pub valid: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Endpoints {
    pub app: String,
    pub api: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FinalizeDetails {
    pub status: &'static str,
    pub endpoints: Endpoints,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailedDetails {
    pub status: &'static str,
    pub error: String,
    pub cause: String,
}

/// The ids were validated when the event was parsed and the tenant was found with this
/// subdomain; what is left is the status: an ACTIVE tenant is not provisioned again.
pub(super) async fn validate(
    store: &TenantStore,
    record: &TenantRecord,
) -> Result<ValidateDetails, ActionError> {
    if record.status() == Some(TenantStatus::Active) {
        return Err(ActionError::InvalidRequest {
            reason: format!("tenant {} is already ACTIVE", record.tenant_id),
        });
    }
    store
        .record_step(
            &record.tenant_id,
            Step::Validate,
            Some(TenantStatus::Provisioning),
            Vec::new(),
        )
        .await?;
    Ok(ValidateDetails { valid: true })
}

pub(super) async fn finalize(
    p: &Provisioner,
    t: &Target<'_>,
) -> Result<FinalizeDetails, ActionError> {
    let host = t.names.host(&p.config.domain_name);
    let endpoints = Endpoints {
        app: format!("https://{host}"),
        api: format!("https://{host}/api"),
    };
    let map = HashMap::from([
        ("app".to_owned(), s(&endpoints.app)),
        ("api".to_owned(), s(&endpoints.api)),
    ]);
    p.store
        .record_step(
            t.tenant_id,
            Step::Finalize,
            Some(TenantStatus::Active),
            vec![("endpoints", AttributeValue::M(map))],
        )
        .await?;
    Ok(FinalizeDetails {
        status: TenantStatus::Active.as_str(),
        endpoints,
    })
}

/// The failure branches of the workflow's health polls name no action; their errors say which.
fn health_step(error: &str) -> Option<&'static str> {
    match error {
        "Tenant.BackendUnhealthy"
        | "Tenant.BackendHealthTimeout"
        | "Tenant.BackendHealthUnknown" => Some("backend_health"),
        "Tenant.FrontendUnhealthy"
        | "Tenant.FrontendHealthTimeout"
        | "Tenant.FrontendHealthUnknown" => Some("frontend_health"),
        _ => None,
    }
}

pub(super) async fn mark_failed(
    store: &TenantStore,
    tenant_id: &TenantId,
    error: &str,
    cause: &str,
) -> Result<FailedDetails, ActionError> {
    let record = store
        .get(tenant_id)
        .await?
        .ok_or_else(|| ActionError::TenantNotFound {
            tenant_id: tenant_id.to_string(),
        })?;
    // A second execution for a finished tenant fails at validate; the tenant stays ACTIVE.
    if record.status() == Some(TenantStatus::Active) {
        return Ok(FailedDetails {
            status: TenantStatus::Active.as_str(),
            error: error.to_owned(),
            cause: cause.to_owned(),
        });
    }
    // The step the tenant failed at is kept next to the error: the step being attempted, or
    // for a health check that gave up, the deployment it checked.
    let failed_step = health_step(error)
        .or(record.string("attempting_step"))
        .map(str::to_owned);
    let mut fields = vec![("error", s(error)), ("cause", s(cause))];
    if let Some(step) = failed_step {
        fields.push(("failed_step", s(step)));
    }
    store
        .record_step(
            tenant_id,
            Step::MarkFailed,
            Some(TenantStatus::Failed),
            fields,
        )
        .await?;
    Ok(FailedDetails {
        status: TenantStatus::Failed.as_str(),
        error: error.to_owned(),
        cause: cause.to_owned(),
    })
}
