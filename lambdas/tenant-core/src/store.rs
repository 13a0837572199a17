//! The tenants table in DynamoDB: tenant items, subdomain claims and the priority counter.
//!
//! One table, partition key `tenant_id` (S). Besides tenant items (keyed by their UUID) it holds
//! `#subdomain/<subdomain>` claim items, which make a subdomain takeable once, and the
//! `#counter/alb-priority` atomic counter. Neither key can collide with a UUID.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use crate::domain::{Subdomain, TenantId};
use crate::error::ActionError;
use crate::status::{Step, TenantStatus};

pub const KEY: &str = "tenant_id";
pub const PRIORITY_COUNTER_KEY: &str = "#counter/alb-priority";
/// ALB listener rule priorities run 1..=50000.
pub const MAX_PRIORITY: i64 = 50_000;

pub fn claim_key(subdomain: &Subdomain) -> String {
    format!("#subdomain/{subdomain}")
}

/// The error of an UpdateItem made on an existing tenant only (`attribute_exists(#key)`): a
/// failed condition means the tenant is not there, anything else is DynamoDB's own error.
fn update_existing_error(
    tenant_id: &TenantId,
    error: SdkError<UpdateItemError, HttpResponse>,
) -> ActionError {
    if error
        .as_service_error()
        .is_some_and(|e| e.is_conditional_check_failed_exception())
    {
        ActionError::TenantNotFound {
            tenant_id: tenant_id.to_string(),
        }
    } else {
        ActionError::aws("DynamoDB", "UpdateItem", error)
    }
}

pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A tenant item as read back.
#[derive(Clone, Debug)]
pub struct TenantRecord {
    pub tenant_id: TenantId,
    pub subdomain: String,
    pub item: HashMap<String, AttributeValue>,
}

impl TenantRecord {
    pub fn string(&self, name: &str) -> Option<&str> {
        match self.item.get(name) {
            Some(AttributeValue::S(value)) => Some(value),
            _ => None,
        }
    }

    pub fn number(&self, name: &str) -> Option<i64> {
        match self.item.get(name) {
            Some(AttributeValue::N(value)) => value.parse().ok(),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<TenantStatus> {
        self.string("status").and_then(TenantStatus::parse)
    }

    /// The plan the tenant registered with (the registration writes it with the tenant).
    pub(crate) fn plan(&self) -> Option<crate::domain::Plan> {
        self.string("plan")
            .and_then(|plan| crate::domain::Plan::parse(plan).ok())
    }
}

/// Typed access to the tenants table.
#[derive(Clone, Debug)]
pub struct TenantStore {
    client: Client,
    table: String,
}

impl TenantStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub async fn get(&self, tenant_id: &TenantId) -> Result<Option<TenantRecord>, ActionError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(KEY, s(tenant_id.as_str()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| ActionError::aws("DynamoDB", "GetItem", e))?;
        Ok(output.item.map(|item| TenantRecord {
            tenant_id: tenant_id.clone(),
            subdomain: match item.get("subdomain") {
                Some(AttributeValue::S(value)) => value.clone(),
                _ => String::new(),
            },
            item,
        }))
    }

    /// The tenant, which must exist and own `subdomain`: actions never act on a mismatch.
    pub async fn require(
        &self,
        tenant_id: &TenantId,
        subdomain: &Subdomain,
    ) -> Result<TenantRecord, ActionError> {
        let record = self
            .get(tenant_id)
            .await?
            .ok_or_else(|| ActionError::TenantNotFound {
                tenant_id: tenant_id.to_string(),
            })?;
        if record.subdomain != subdomain.as_str() {
            return Err(ActionError::SubdomainMismatch {
                tenant_id: tenant_id.to_string(),
                registered: record.subdomain,
                requested: subdomain.to_string(),
            });
        }
        Ok(record)
    }

    /// Records `step` as the tenant's current step, with an optional status and extra fields.
    /// Only updates an existing tenant (a conditional write), so it never creates stray items.
    pub async fn record_step(
        &self,
        tenant_id: &TenantId,
        step: Step,
        status: Option<TenantStatus>,
        fields: Vec<(&str, AttributeValue)>,
    ) -> Result<(), ActionError> {
        let mut sets = vec!["#step = :step".to_owned(), "#updated = :updated".to_owned()];
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(KEY, s(tenant_id.as_str()))
            .condition_expression("attribute_exists(#key)")
            .expression_attribute_names("#key", KEY)
            .expression_attribute_names("#step", "current_step")
            .expression_attribute_names("#updated", "updated_at")
            .expression_attribute_values(":step", s(step.as_str()))
            .expression_attribute_values(":updated", s(now()));
        if let Some(status) = status {
            sets.push("#status = :status".to_owned());
            request = request
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":status", s(status.as_str()));
        }
        for (index, (name, value)) in fields.into_iter().enumerate() {
            sets.push(format!("#f{index} = :f{index}"));
            request = request
                .expression_attribute_names(format!("#f{index}"), name)
                .expression_attribute_values(format!(":f{index}"), value);
        }
        request
            .update_expression(format!("SET {}", sets.join(", ")))
            .send()
            .await
            .map_err(|e| update_existing_error(tenant_id, e))?;
        Ok(())
    }

    /// Records that `step` is being attempted (`attempting_step`), before it runs: mark_failed
    /// reports this one, where `current_step` is the last step that succeeded.
    pub async fn record_attempt(
        &self,
        tenant_id: &TenantId,
        step: Step,
    ) -> Result<(), ActionError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key(KEY, s(tenant_id.as_str()))
            .condition_expression("attribute_exists(#key)")
            .update_expression("SET #attempt = :step")
            .expression_attribute_names("#key", KEY)
            .expression_attribute_names("#attempt", "attempting_step")
            .expression_attribute_values(":step", s(step.as_str()))
            .send()
            .await
            .map_err(|e| update_existing_error(tenant_id, e))?;
        Ok(())
    }

    /// Deletes the subdomain's claim item if this tenant still owns it; returns whether it did.
    /// A claim already released, or since taken by another tenant, is left alone.
    pub async fn release_claim(
        &self,
        subdomain: &Subdomain,
        tenant_id: &TenantId,
    ) -> Result<bool, ActionError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(KEY, s(claim_key(subdomain)))
            .condition_expression("#owner = :tenant")
            .expression_attribute_names("#owner", "owner_tenant_id")
            .expression_attribute_values(":tenant", s(tenant_id.as_str()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(e) => Err(ActionError::aws("DynamoDB", "DeleteItem", e)),
        }
    }

    /// Atomically takes the next block of `size` listener priorities; returns the first.
    /// DynamoDB's ADD is atomic, so concurrent tenants never get overlapping blocks.
    pub async fn allocate_priorities(&self, size: i64) -> Result<i64, ActionError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(KEY, s(PRIORITY_COUNTER_KEY))
            .update_expression("ADD #next :size")
            .expression_attribute_names("#next", "next_priority")
            .expression_attribute_values(":size", AttributeValue::N(size.to_string()))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| ActionError::aws("DynamoDB", "UpdateItem", e))?;
        let end = match output
            .attributes
            .as_ref()
            .and_then(|a| a.get("next_priority"))
        {
            Some(AttributeValue::N(value)) => value.parse::<i64>().ok(),
            _ => None,
        }
        .ok_or_else(|| ActionError::Aws {
            service: "DynamoDB",
            operation: "UpdateItem",
            message: "the priority counter update returned no next_priority".to_owned(),
        })?;
        if end > MAX_PRIORITY {
            return Err(ActionError::PriorityExhausted { attempts: 1 });
        }
        Ok(end - size + 1)
    }

    /// Moves the counter past `priority` (never backwards), after a rule made outside the
    /// workflow was found there, so the next blocks start above every rule in use.
    pub async fn advance_priorities_past(&self, priority: i64) -> Result<(), ActionError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(KEY, s(PRIORITY_COUNTER_KEY))
            .update_expression("SET #next = :p")
            .condition_expression("attribute_not_exists(#next) OR #next < :p")
            .expression_attribute_names("#next", "next_priority")
            .expression_attribute_values(":p", AttributeValue::N(priority.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // Already past it: another allocation moved the counter further.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(ActionError::aws("DynamoDB", "UpdateItem", e)),
        }
    }

    /// Stores `priority` as the tenant's listener priority unless it already has `expected`
    /// different one; returns the priority the tenant ends up with. A retried action that
    /// races with itself thus agrees on one priority.
    pub async fn claim_priority(
        &self,
        tenant_id: &TenantId,
        priority: i64,
        replacing: Option<i64>,
    ) -> Result<i64, ActionError> {
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(KEY, s(tenant_id.as_str()))
            .update_expression("SET #p = :p")
            .expression_attribute_names("#key", KEY)
            .expression_attribute_names("#p", "alb_priority")
            .expression_attribute_values(":p", AttributeValue::N(priority.to_string()));
        request = match replacing {
            None => {
                request.condition_expression("attribute_exists(#key) AND attribute_not_exists(#p)")
            }
            Some(old) => request
                .condition_expression("attribute_exists(#key) AND #p = :old")
                .expression_attribute_values(":old", AttributeValue::N(old.to_string())),
        };
        match request.send().await {
            Ok(_) => Ok(priority),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                let record =
                    self.get(tenant_id)
                        .await?
                        .ok_or_else(|| ActionError::TenantNotFound {
                            tenant_id: tenant_id.to_string(),
                        })?;
                record.number("alb_priority").ok_or_else(|| ActionError::Aws {
                    service: "DynamoDB",
                    operation: "UpdateItem",
                    message: format!("tenant {tenant_id} lost its listener priority during a concurrent update"),
                })
            }
            Err(e) => Err(ActionError::aws("DynamoDB", "UpdateItem", e)),
        }
    }
}
