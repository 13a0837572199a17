//! Taking a tenant apart: the deprovisioning actions, and `rollback`, which runs them all as
//! the provisioning workflow's compensation.
//!
//! Each removal finds the resource by the same name provisioning gave it (`naming`) and treats
//! "already gone" as done, so every action can run any number of times, after a crash halfway,
//! and on a tenant whose provisioning stopped at any step. Order matters where AWS enforces it:
//! the services first (ECS drains their tasks from the target groups), then the DNS record, the
//! listener rules, the target groups (a group a rule still forwards to cannot be deleted), the
//! task definitions; the schema and its role after the services that used them; the subdomain
//! last, so nobody can claim it while its old resources still exist.
//!
//! The schema is dropped, not kept: on rollback the tenant never became ACTIVE, so it holds no
//! customer data; on deprovisioning the tenant asked to be removed. Keeping data is the
//! database's backups' job (RDS snapshots), not a leftover schema's; lambdas/README.md says so.

use aws_sdk_route53::types::{Change, ChangeAction, ChangeBatch, RrType};
use serde::Serialize;

use super::schema::SqlIdent;
use super::{Provisioner, Target, built, ecs, elb};
use crate::error::ActionError;
use crate::naming::{Component, TenantNames};
use crate::status::{Step, TenantStatus};
use crate::store::TenantRecord;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RemovedServices {
    pub services_deleted: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RemovedRouting {
    pub dns_record_deleted: bool,
    pub rules_deleted: usize,
    pub target_groups_deleted: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RemovedTaskDefinitions {
    pub task_definitions_deregistered: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DroppedSchema {
    pub schema_dropped: bool,
    pub role_dropped: bool,
    pub secret_deleted: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatusDetails {
    pub status: &'static str,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FinishedDetails {
    pub status: &'static str,
    pub subdomain_released: bool,
    pub user_deleted: bool,
}

/// What `rollback` removed, step by step.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RollbackDetails {
    pub rolled_back: bool,
    pub services: RemovedServices,
    pub routing: RemovedRouting,
    pub task_definitions: RemovedTaskDefinitions,
    pub schema: DroppedSchema,
    pub user_deleted: bool,
    pub subdomain_released: bool,
}

/// deprovision_start: an ACTIVE or FAILED tenant (or one whose deprovisioning is being
/// retried) becomes DEPROVISIONING. A tenant still being provisioned is refused: its workflow
/// would recreate what this one removes.
pub(super) async fn start(
    p: &Provisioner,
    t: &Target<'_>,
    record: &TenantRecord,
) -> Result<StatusDetails, ActionError> {
    match record.status() {
        Some(TenantStatus::Active | TenantStatus::Failed | TenantStatus::Deprovisioning) => {}
        other => {
            return Err(ActionError::InvalidRequest {
                reason: format!(
                    "tenant {} is {}: only ACTIVE or FAILED tenants are deprovisioned",
                    t.tenant_id,
                    other.map_or("without a status", TenantStatus::as_str)
                ),
            });
        }
    }
    p.store
        .record_step(
            t.tenant_id,
            Step::DeprovisionStart,
            Some(TenantStatus::Deprovisioning),
            Vec::new(),
        )
        .await?;
    Ok(StatusDetails {
        status: TenantStatus::Deprovisioning.as_str(),
    })
}

pub(super) async fn remove_services(
    p: &Provisioner,
    names: &TenantNames,
) -> Result<RemovedServices, ActionError> {
    let mut removed = RemovedServices::default();
    for component in Component::ALL {
        let name = names.service(component);
        if ecs::find_service(p, &name).await?.is_none() {
            continue;
        }
        // force: a service with running tasks is deleted without scaling it to 0 first; ECS
        // stops its tasks (draining them from the target group) on its own.
        match p
            .clients
            .ecs
            .delete_service()
            .cluster(&p.config.ecs_cluster_name)
            .service(&name)
            .force(true)
            .send()
            .await
        {
            Ok(_) => removed.services_deleted.push(name),
            Err(e)
                if e.as_service_error().is_some_and(|e| {
                    e.is_service_not_found_exception()
                        || aws_sdk_ecs::error::ProvideErrorMetadata::code(e)
                            == Some("ServiceNotActiveException")
                }) => {}
            Err(e) => return Err(ActionError::aws("ECS", "DeleteService", e)),
        }
    }
    Ok(removed)
}

pub(super) async fn remove_routing(
    p: &Provisioner,
    names: &TenantNames,
) -> Result<RemovedRouting, ActionError> {
    let mut removed = RemovedRouting {
        dns_record_deleted: remove_dns(p, names).await?,
        ..RemovedRouting::default()
    };
    let host = names.host(&p.config.domain_name);
    for component in Component::ALL {
        let rules = elb::list_rules(p).await?;
        let Some(rule_arn) =
            elb::find_rule(&rules, &host, component).and_then(|r| r.rule_arn.clone())
        else {
            continue;
        };
        match p.clients.elb.delete_rule().rule_arn(rule_arn).send().await {
            Ok(_) => removed.rules_deleted += 1,
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_rule_not_found_exception()) => {}
            Err(e) => return Err(ActionError::aws("ELBv2", "DeleteRule", e)),
        }
    }
    for component in Component::ALL {
        let Some(arn) = elb::find_target_group(p, &names.target_group(component)).await? else {
            continue;
        };
        match p
            .clients
            .elb
            .delete_target_group()
            .target_group_arn(arn)
            .send()
            .await
        {
            Ok(_) => removed.target_groups_deleted += 1,
            // Still referenced: a rule deletion (ours, or a racing run's) has not settled yet.
            // Retrying after a backoff is what helps.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_resource_in_use_exception()) =>
            {
                return Err(ActionError::AwsTransient {
                    service: "ELBv2",
                    operation: "DeleteTargetGroup",
                    message: aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string(),
                });
            }
            Err(e) => return Err(ActionError::aws("ELBv2", "DeleteTargetGroup", e)),
        }
    }
    Ok(removed)
}

/// Deletes the tenant's A record as it is listed (Route53 deletes only an exact match).
async fn remove_dns(p: &Provisioner, names: &TenantNames) -> Result<bool, ActionError> {
    let host = names.host(&p.config.domain_name);
    let listed = p
        .clients
        .route53
        .list_resource_record_sets()
        .hosted_zone_id(&p.config.route53_zone_id)
        .start_record_name(format!("{host}."))
        .start_record_type(RrType::A)
        .max_items(1)
        .send()
        .await
        .map_err(|e| ActionError::aws("Route53", "ListResourceRecordSets", e))?;
    let Some(record) = listed.resource_record_sets.into_iter().find(|r| {
        r.name.trim_end_matches('.').eq_ignore_ascii_case(&host) && r.r#type == RrType::A
    }) else {
        return Ok(false);
    };
    let change = built(
        "Route53",
        "Change",
        Change::builder()
            .action(ChangeAction::Delete)
            .resource_record_set(record)
            .build(),
    )?;
    let batch = built(
        "Route53",
        "ChangeBatch",
        ChangeBatch::builder().changes(change).build(),
    )?;
    match p
        .clients
        .route53
        .change_resource_record_sets()
        .hosted_zone_id(&p.config.route53_zone_id)
        .change_batch(batch)
        .send()
        .await
    {
        Ok(_) => Ok(true),
        // A racing run deleted it between our list and our delete.
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_invalid_change_batch()) =>
        {
            Ok(false)
        }
        Err(e) => Err(ActionError::aws("Route53", "ChangeResourceRecordSets", e)),
    }
}

pub(super) async fn remove_task_definitions(
    p: &Provisioner,
    names: &TenantNames,
) -> Result<RemovedTaskDefinitions, ActionError> {
    let mut removed = RemovedTaskDefinitions::default();
    for component in Component::ALL {
        for (_, arn) in ecs::active_revisions(p, &names.family(component)).await? {
            p.clients
                .ecs
                .deregister_task_definition()
                .task_definition(&arn)
                .send()
                .await
                .map_err(|e| ActionError::aws("ECS", "DeregisterTaskDefinition", e))?;
            removed.task_definitions_deregistered += 1;
        }
    }
    Ok(removed)
}

/// Drops the schema (with everything in it) and the tenant's login role, then deletes the
/// secret holding the role's password (after the role: a retry after a failed drop still finds
/// nothing that outlives its credentials). The master user is a member of the role
/// (create_schema granted it), which both drops need on a non-superuser.
pub(super) async fn drop_schema(
    p: &Provisioner,
    t: &Target<'_>,
) -> Result<DroppedSchema, ActionError> {
    let mut dropped = drop_schema_and_role(p, &t.names).await?;
    dropped.secret_deleted =
        crate::secrets::delete_tenant_secret(&p.clients.secrets, t.tenant_id).await?;
    Ok(dropped)
}

async fn drop_schema_and_role(
    p: &Provisioner,
    names: &TenantNames,
) -> Result<DroppedSchema, ActionError> {
    let schema = SqlIdent::new(&names.schema())?;
    let role = SqlIdent::new(&names.role())?;
    let connection = p.master_database().await?.connect().await?;
    let client = connection.client();
    let result = async {
        // Serialised with create_schema's lock for the same tenant.
        client
            .execute(
                "SELECT pg_catalog.pg_advisory_lock(pg_catalog.hashtext($1))",
                &[&format!("flowc-tenant-schema:{}", schema.as_str())],
            )
            .await
            .map_err(|e| ActionError::database("advisory lock", &e))?;
        let exists = |query: &'static str, name: &SqlIdent| {
            let name = name.as_str().to_owned();
            async move {
                client
                    .query_opt(query, &[&name])
                    .await
                    .map(|row| row.is_some())
                    .map_err(|e| ActionError::database("catalog lookup", &e))
            }
        };
        let mut dropped = DroppedSchema::default();
        if exists(
            "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1",
            &schema,
        )
        .await?
        {
            client
                .batch_execute(&format!(
                    "DROP SCHEMA IF EXISTS {} CASCADE",
                    schema.quoted()
                ))
                .await
                .map_err(|e| ActionError::database("DROP SCHEMA", &e))?;
            dropped.schema_dropped = true;
        }
        if exists(
            "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1",
            &role,
        )
        .await?
        {
            // Whatever the role still owns or was granted in this database goes first, or DROP
            // ROLE refuses.
            client
                .batch_execute(&format!(
                    "DROP OWNED BY {r}; DROP ROLE IF EXISTS {r}",
                    r = role.quoted()
                ))
                .await
                .map_err(|e| ActionError::database("DROP ROLE", &e))?;
            dropped.role_dropped = true;
        }
        Ok(dropped)
    }
    .await;
    connection.close().await;
    result
}

/// Deletes the tenant's Cognito user (only if it is linked to this tenant: cognito.rs).
async fn remove_user(
    p: &Provisioner,
    t: &Target<'_>,
    record: &TenantRecord,
) -> Result<bool, ActionError> {
    let Some(email) = record
        .string("email")
        .and_then(|e| crate::domain::Email::parse(e).ok())
    else {
        return Ok(false);
    };
    crate::cognito::delete_tenant_user(
        &p.clients.cognito,
        &p.config.user_pool_id,
        &email,
        t.tenant_id,
    )
    .await
}

/// deprovision_finish: deletes the tenant's Cognito user, releases the subdomain and marks the
/// tenant DELETED. The tenant item is kept (status DELETED, with its history) so its id keeps
/// resolving.
pub(super) async fn finish(
    p: &Provisioner,
    t: &Target<'_>,
    record: &TenantRecord,
) -> Result<FinishedDetails, ActionError> {
    let user_deleted = remove_user(p, t, record).await?;
    let subdomain_released = p.store.release_claim(t.subdomain, t.tenant_id).await?;
    p.store
        .record_step(
            t.tenant_id,
            Step::DeprovisionFinish,
            Some(TenantStatus::Deleted),
            Vec::new(),
        )
        .await?;
    Ok(FinishedDetails {
        status: TenantStatus::Deleted.as_str(),
        subdomain_released,
        user_deleted,
    })
}

/// rollback: the provisioning workflow's compensation. Refuses an ACTIVE tenant (a second
/// execution for a finished tenant must never take it apart) and a DELETED one (nothing left).
/// The status is left to mark_failed, which runs next.
pub(super) async fn rollback(
    p: &Provisioner,
    t: &Target<'_>,
    record: &TenantRecord,
) -> Result<RollbackDetails, ActionError> {
    if matches!(
        record.status(),
        Some(TenantStatus::Active | TenantStatus::Deleted)
    ) {
        return Ok(RollbackDetails::default());
    }
    let details = RollbackDetails {
        rolled_back: true,
        services: remove_services(p, &t.names).await?,
        routing: remove_routing(p, &t.names).await?,
        task_definitions: remove_task_definitions(p, &t.names).await?,
        schema: drop_schema(p, t).await?,
        // The failed tenant's user has nothing to sign in to; the e-mail may register again.
        user_deleted: remove_user(p, t, record).await?,
        subdomain_released: p.store.release_claim(t.subdomain, t.tenant_id).await?,
    };
    p.store
        .record_step(t.tenant_id, Step::Rollback, None, Vec::new())
        .await?;
    Ok(details)
}
