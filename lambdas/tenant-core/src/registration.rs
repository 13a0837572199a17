//! tenant-registration: validate, claim the subdomain, create the Cognito user, start the
//! provisioning workflow.
//!
//! Order matters for retries and for a taken subdomain: the subdomain is claimed first (one
//! DynamoDB transaction writes the claim, the PENDING tenant and the registration, each
//! conditional), so a refused registration creates nothing anywhere. A retried registration
//! (same email, same subdomain) finds its own claim and resumes: Cognito's UsernameExists and
//! Step Functions' ExecutionAlreadyExists (the execution is named after the tenant id) are
//! both treated as done. The seed's LDAP step is left out (see lambdas/README.md).

use aws_sdk_cognitoidentityprovider::types::AttributeType;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use serde::Serialize;
use serde_json::{Value, json};

use crate::clients::AwsClients;
use crate::cognito::{self, UserLink};
use crate::config::RegistrationConfig;
use crate::domain::{Email, Plan, Subdomain, TenantId, parse_company_name};
use crate::error::ActionError;
use crate::events::{RegistrationRequest, Response};
use crate::status::{Step, TenantStatus};
use crate::store::{KEY, TenantStore, claim_key, now, s};

/// A registration whose fields all passed validation.
#[derive(Clone, Debug)]
pub struct Registration {
    pub email: Email,
    pub company_name: String,
    pub subdomain: Subdomain,
    pub plan: Plan,
}

impl Registration {
    pub fn validate(request: &RegistrationRequest) -> Result<Self, ActionError> {
        Ok(Self {
            subdomain: Subdomain::parse(&request.subdomain)?,
            email: Email::parse(&request.email)?,
            company_name: parse_company_name(&request.company_name)?,
            plan: Plan::parse(&request.plan)?,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegistrationDetails {
    pub status: &'static str,
    pub email: String,
    pub execution_arn: String,
}

#[derive(Clone, Debug)]
pub struct Registrar {
    config: RegistrationConfig,
    clients: AwsClients,
    store: TenantStore,
}

impl Registrar {
    pub fn new(config: RegistrationConfig, clients: AwsClients) -> Self {
        let store = TenantStore::new(clients.dynamodb.clone(), config.tenants_table.clone());
        Self {
            config,
            clients,
            store,
        }
    }

    pub async fn handle(&self, event: Value) -> Result<Value, ActionError> {
        let line = crate::logging::ActionLine::begin(&event, "register");
        let result =
            match RegistrationRequest::parse(event).and_then(|r| Registration::validate(&r)) {
                // Boxed: the registration's future is deep enough that one more level of nesting
                // in the binary's main overflows rustc's layout query depth.
                Ok(registration) => Box::pin(self.register(&registration)).await,
                Err(e) => Err(e),
            };
        line.end(result.as_ref());
        result
    }

    pub async fn register(&self, registration: &Registration) -> Result<Value, ActionError> {
        // Before anything is written: an e-mail whose user belongs to another tenant is refused.
        self.check_email(registration).await?;
        let tenant_id = self.claim(registration).await?;
        self.create_user(registration, &tenant_id).await?;
        let execution_arn = self
            .start_workflow(&tenant_id, &registration.subdomain)
            .await?;
        self.store
            .record_step(
                &tenant_id,
                Step::Registered,
                None,
                vec![("execution_arn", s(&execution_arn))],
            )
            .await?;
        serde_json::to_value(Response {
            tenant_id: tenant_id.to_string(),
            subdomain: registration.subdomain.to_string(),
            action: "register",
            details: RegistrationDetails {
                status: TenantStatus::Pending.as_str(),
                email: registration.email.as_str().to_owned(),
                execution_arn,
            },
        })
        .map_err(|e| ActionError::InvalidRequest {
            reason: format!("response could not be serialised: {e}"),
        })
    }

    /// Claims the subdomain for a new tenant id, or finds this same registration's earlier claim.
    async fn claim(&self, r: &Registration) -> Result<TenantId, ActionError> {
        let tenant_id = TenantId::generate();
        let created = now();
        let put = |table: &str, item: Vec<(&str, AttributeValue)>| {
            Put::builder()
                .table_name(table)
                .set_item(Some(
                    item.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
                ))
                .condition_expression("attribute_not_exists(#key)")
                .expression_attribute_names("#key", KEY)
                .build()
                .map_err(|e| ActionError::Aws {
                    service: "DynamoDB",
                    operation: "Put",
                    message: e.to_string(),
                })
        };
        let claim = put(
            &self.config.tenants_table,
            vec![
                (KEY, s(claim_key(&r.subdomain))),
                ("kind", s("subdomain-claim")),
                ("owner_tenant_id", s(tenant_id.as_str())),
                ("email", s(r.email.as_str())),
                ("created_at", s(&created)),
            ],
        )?;
        let tenant = put(
            &self.config.tenants_table,
            vec![
                (KEY, s(tenant_id.as_str())),
                ("kind", s("tenant")),
                ("subdomain", s(r.subdomain.as_str())),
                ("email", s(r.email.as_str())),
                ("company_name", s(&r.company_name)),
                ("plan", s(r.plan.as_str())),
                ("status", s(TenantStatus::Pending.as_str())),
                ("current_step", s(Step::Registered.as_str())),
                ("created_at", s(&created)),
                ("updated_at", s(&created)),
            ],
        )?;
        let registration = put(
            &self.config.registrations_table,
            vec![
                (KEY, s(tenant_id.as_str())),
                ("email", s(r.email.as_str())),
                ("company_name", s(&r.company_name)),
                ("subdomain", s(r.subdomain.as_str())),
                ("plan", s(r.plan.as_str())),
                ("created_at", s(&created)),
            ],
        )?;
        let result = self
            .clients
            .dynamodb
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(claim).build())
            .transact_items(TransactWriteItem::builder().put(tenant).build())
            .transact_items(TransactWriteItem::builder().put(registration).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(tenant_id),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_transaction_canceled_exception()) =>
            {
                self.existing_claim(r).await
            }
            Err(e) => Err(ActionError::aws("DynamoDB", "TransactWriteItems", e)),
        }
    }

    async fn existing_claim(&self, r: &Registration) -> Result<TenantId, ActionError> {
        let taken = || ActionError::SubdomainTaken {
            subdomain: r.subdomain.to_string(),
        };
        let item = self
            .clients
            .dynamodb
            .get_item()
            .table_name(&self.config.tenants_table)
            .key(KEY, s(claim_key(&r.subdomain)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| ActionError::aws("DynamoDB", "GetItem", e))?
            .item
            .ok_or_else(taken)?;
        let field = |name: &str| match item.get(name) {
            Some(AttributeValue::S(value)) => Some(value.as_str()),
            _ => None,
        };
        if field("email") != Some(r.email.as_str()) {
            return Err(taken());
        }
        TenantId::parse(field("owner_tenant_id").unwrap_or_default())
    }

    /// Refuses an e-mail whose Cognito user belongs to a tenant other than this registration's
    /// own earlier claim (a retried registration: same e-mail, same subdomain).
    async fn check_email(&self, r: &Registration) -> Result<(), ActionError> {
        let owner =
            match cognito::user_link(&self.clients.cognito, &self.config.user_pool_id, &r.email)
                .await?
            {
                UserLink::NoUser => return Ok(()),
                UserLink::Tenant(owner) => owner,
            };
        if let Some(owner) = owner.as_deref().and_then(|id| TenantId::parse(id).ok()) {
            let retry = self.store.get(&owner).await?.is_some_and(|record| {
                record.string("subdomain") == Some(r.subdomain.as_str())
                    && record.status() != Some(TenantStatus::Deleted)
            });
            if retry {
                return Ok(());
            }
        }
        Err(ActionError::EmailInUse {
            email: r.email.as_str().to_owned(),
        })
    }

    async fn create_user(&self, r: &Registration, tenant_id: &TenantId) -> Result<(), ActionError> {
        let attribute = |name: &str, value: &str| {
            AttributeType::builder()
                .name(name)
                .value(value)
                .build()
                .map_err(|e| ActionError::Aws {
                    service: "Cognito",
                    operation: "AttributeType",
                    message: e.to_string(),
                })
        };
        let result = self
            .clients
            .cognito
            .admin_create_user()
            .user_pool_id(&self.config.user_pool_id)
            .username(r.email.as_str())
            .user_attributes(attribute("email", r.email.as_str())?)
            .user_attributes(attribute("email_verified", "true")?)
            .user_attributes(attribute(cognito::TENANT_ATTRIBUTE, tenant_id.as_str())?)
            .client_metadata("tenant_id", tenant_id.as_str())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_username_exists_exception()) =>
            {
                // Ours from an earlier attempt, or a racing registration of the same e-mail for
                // another subdomain won: then this claim is given back and the e-mail refused.
                let link =
                    cognito::user_link(&self.clients.cognito, &self.config.user_pool_id, &r.email)
                        .await?;
                if link == UserLink::Tenant(Some(tenant_id.as_str().to_owned())) {
                    return Ok(());
                }
                self.store.release_claim(&r.subdomain, tenant_id).await?;
                Err(ActionError::EmailInUse {
                    email: r.email.as_str().to_owned(),
                })
            }
            Err(e) => Err(ActionError::aws("Cognito", "AdminCreateUser", e)),
        }
    }

    async fn start_workflow(
        &self,
        tenant_id: &TenantId,
        subdomain: &Subdomain,
    ) -> Result<String, ActionError> {
        let input =
            json!({ "tenant_id": tenant_id.as_str(), "subdomain": subdomain.as_str() }).to_string();
        let result = self
            .clients
            .sfn
            .start_execution()
            .state_machine_arn(&self.config.state_machine_arn)
            .name(tenant_id.as_str())
            .input(input)
            .send()
            .await;
        match result {
            Ok(output) => Ok(output.execution_arn),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_execution_already_exists()) =>
            {
                Ok(execution_arn(
                    &self.config.state_machine_arn,
                    tenant_id.as_str(),
                ))
            }
            Err(e) => Err(ActionError::aws("Step Functions", "StartExecution", e)),
        }
    }
}

/// `arn:...:stateMachine:<machine>` + name -> `arn:...:execution:<machine>:<name>`.
pub fn execution_arn(state_machine_arn: &str, name: &str) -> String {
    format!(
        "{}:{name}",
        state_machine_arn.replacen(":stateMachine:", ":execution:", 1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn execution_arn_is_derived_from_the_machine() {
        assert_eq!(
            execution_arn(
                "arn:aws:states:us-east-1:123456789012:stateMachine:tenants",
                "t1"
            ),
            "arn:aws:states:us-east-1:123456789012:execution:tenants:t1"
        );
    }

    #[test]
    fn registration_validates_every_field() {
        let request = |subdomain: &str, email: &str, plan: &str| RegistrationRequest {
            email: email.to_owned(),
            company_name: "Acme".to_owned(),
            subdomain: subdomain.to_owned(),
            plan: plan.to_owned(),
        };
        assert!(Registration::validate(&request("acme", "a@b.co", "free")).is_ok());
        assert!(Registration::validate(&request("www", "a@b.co", "free")).is_err());
        assert!(Registration::validate(&request("acme", "nope", "free")).is_err());
        assert!(Registration::validate(&request("acme", "a@b.co", "platinum")).is_err());
    }
}
