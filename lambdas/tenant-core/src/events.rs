//! The events the workflow sends and the responses the Lambdas return.
//!
//! Events are parsed from JSON into typed requests here, with every id and subdomain validated,
//! so the actions only ever see `TenantId` and `Subdomain` values.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::{Subdomain, TenantId};
use crate::error::ActionError;
use crate::naming::Component;
use crate::status::Step;

#[derive(Deserialize)]
struct RawEvent {
    action: Option<String>,
    tenant_id: Option<Value>,
    subdomain: Option<Value>,
    input: Option<Value>,
    error: Option<Value>,
    cause: Option<Value>,
}

/// A tenant-provisioning event.
#[derive(Clone, Debug, PartialEq)]
pub enum ProvisioningRequest {
    /// One of the resource steps, validate or finalize, for a validated tenant.
    Step {
        step: Step,
        tenant_id: TenantId,
        subdomain: Subdomain,
    },
    /// mark_failed: the subdomain is echoed back but not required to be valid, so a tenant whose
    /// subdomain failed validation can still be marked FAILED.
    MarkFailed {
        tenant_id: TenantId,
        subdomain: String,
        error: String,
        cause: String,
    },
}

fn field_string(value: Option<&Value>, name: &str) -> Result<String, ActionError> {
    match value {
        Some(Value::String(text)) => Ok(text.clone()),
        Some(other) => Err(ActionError::InvalidRequest {
            reason: format!("`{name}` must be a string, got {other}"),
        }),
        None => Err(ActionError::InvalidRequest {
            reason: format!("`{name}` is missing"),
        }),
    }
}

/// Error and cause arrive from a Catch's `$.error`; a Cause may itself be JSON text or absent.
fn text_or_default(value: Option<Value>, default: &str) -> String {
    match value {
        Some(Value::String(text)) => text,
        None | Some(Value::Null) => default.to_owned(),
        Some(other) => other.to_string(),
    }
}

impl ProvisioningRequest {
    pub fn parse(event: Value) -> Result<Self, ActionError> {
        let raw: RawEvent =
            serde_json::from_value(event).map_err(|e| ActionError::InvalidRequest {
                reason: format!("event is not an object: {e}"),
            })?;
        let action = raw.action.ok_or_else(|| ActionError::InvalidRequest {
            reason: "`action` is missing".to_owned(),
        })?;
        let step = Step::parse_action(&action).ok_or_else(|| ActionError::InvalidRequest {
            reason: format!("unknown action {action:?}"),
        })?;
        // validate receives the whole execution input under `input`.
        let (tenant_id, subdomain) = match (step, &raw.input) {
            (Step::Validate, Some(input)) => (
                input.get("tenant_id").cloned(),
                input.get("subdomain").cloned(),
            ),
            (Step::Validate, None) => {
                return Err(ActionError::InvalidRequest {
                    reason: "validate needs `input`".to_owned(),
                });
            }
            _ => (raw.tenant_id, raw.subdomain),
        };
        let tenant_id = TenantId::parse(&field_string(tenant_id.as_ref(), "tenant_id")?)?;
        let subdomain = field_string(subdomain.as_ref(), "subdomain")?;
        if step == Step::MarkFailed {
            return Ok(Self::MarkFailed {
                tenant_id,
                subdomain,
                error: text_or_default(raw.error, "Tenant.UnknownError"),
                cause: text_or_default(raw.cause, "no cause given"),
            });
        }
        Ok(Self::Step {
            step,
            tenant_id,
            subdomain: Subdomain::parse(&subdomain)?,
        })
    }
}

/// A tenant-status-checker event: `{"tenant_id", "subdomain", "check_type"}`.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusRequest {
    pub tenant_id: TenantId,
    pub subdomain: Subdomain,
    pub component: Component,
}

impl StatusRequest {
    pub fn parse(event: Value) -> Result<Self, ActionError> {
        let tenant_id = TenantId::parse(&field_string(event.get("tenant_id"), "tenant_id")?)?;
        let subdomain = Subdomain::parse(&field_string(event.get("subdomain"), "subdomain")?)?;
        let check_type = field_string(event.get("check_type"), "check_type")?;
        let component =
            Component::parse(&check_type).ok_or_else(|| ActionError::InvalidRequest {
                reason: format!("check_type {check_type:?} is not \"backend\" or \"frontend\""),
            })?;
        Ok(Self {
            tenant_id,
            subdomain,
            component,
        })
    }
}

/// A registration: `{"email", "company_name", "subdomain", "plan"}`.
#[derive(Clone, Debug, Deserialize)]
pub struct RegistrationRequest {
    pub email: String,
    pub company_name: String,
    pub subdomain: String,
    #[serde(default = "default_plan")]
    pub plan: String,
}

fn default_plan() -> String {
    "free".to_owned()
}

impl RegistrationRequest {
    pub fn parse(event: Value) -> Result<Self, ActionError> {
        serde_json::from_value(event).map_err(|e| ActionError::InvalidRequest {
            reason: format!("registration: {e}"),
        })
    }
}

/// Every response: the tenant's id and subdomain (so the workflow state keeps them whatever
/// its ResultPath), the action, and the action's details.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Response<T> {
    pub tenant_id: String,
    pub subdomain: String,
    pub action: &'static str,
    #[serde(flatten)]
    pub details: T,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

    #[test]
    fn validate_reads_ids_from_input() {
        let request = ProvisioningRequest::parse(json!({
            "action": "validate", "input": {"tenant_id": ID, "subdomain": "acme"}
        }));
        assert!(
            matches!(request, Ok(ProvisioningRequest::Step { step: Step::Validate, ref subdomain, .. }) if subdomain.as_str() == "acme"),
            "{request:?}"
        );
    }

    #[test]
    fn unknown_action_and_bad_fields_are_invalid_requests() {
        for event in [
            json!({"action": "drop_everything", "tenant_id": ID, "subdomain": "acme"}),
            json!({"tenant_id": ID, "subdomain": "acme"}),
            json!({"action": "create_dns", "tenant_id": 7, "subdomain": "acme"}),
            json!({"action": "validate", "tenant_id": ID, "subdomain": "acme"}),
            json!(["create_dns"]),
        ] {
            let result = ProvisioningRequest::parse(event.clone());
            assert!(
                matches!(result, Err(ActionError::InvalidRequest { .. })),
                "{event} gave {result:?}"
            );
        }
    }

    #[test]
    fn mark_failed_tolerates_a_bad_subdomain_but_not_a_bad_id() {
        let ok = ProvisioningRequest::parse(json!({
            "action": "mark_failed", "tenant_id": ID, "subdomain": "Bad Name",
            "error": "Tenant.InvalidSubdomain", "cause": {"detail": 1}
        }));
        assert_eq!(
            ok.ok(),
            Some(ProvisioningRequest::MarkFailed {
                tenant_id: TenantId::parse(ID).unwrap_or_else(|_| unreachable!()),
                subdomain: "Bad Name".to_owned(),
                error: "Tenant.InvalidSubdomain".to_owned(),
                cause: "{\"detail\":1}".to_owned(),
            })
        );
        assert!(
            ProvisioningRequest::parse(
                json!({"action": "mark_failed", "tenant_id": "x", "subdomain": "a"})
            )
            .is_err()
        );
    }

    #[test]
    fn status_request_needs_a_known_check_type() {
        let ok = StatusRequest::parse(
            json!({"tenant_id": ID, "subdomain": "acme", "check_type": "frontend"}),
        );
        assert_eq!(ok.map(|r| r.component).ok(), Some(Component::Frontend));
        let bad = StatusRequest::parse(
            json!({"tenant_id": ID, "subdomain": "acme", "check_type": "database"}),
        );
        assert!(matches!(bad, Err(ActionError::InvalidRequest { .. })));
    }
}
