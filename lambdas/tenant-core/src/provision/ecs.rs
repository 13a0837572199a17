//! ECS: the tenant's task definitions and services.
//!
//! Both are looked up before they are created: registering a task definition twice makes a new
//! revision, and moto (unlike ECS) silently replaces a service created twice.

use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, Compatibility, ContainerDefinition,
    DeploymentCircuitBreaker, DeploymentConfiguration, KeyValuePair, LaunchType, LoadBalancer,
    LogConfiguration, LogDriver, NetworkConfiguration, NetworkMode, PortMapping, Secret, Tag,
    TaskDefinitionStatus, TransportProtocol,
};
use serde::Serialize;

use super::{Provisioner, Target, built};
use crate::error::ActionError;
use crate::naming::Component;
use crate::status::Step;
use crate::store::s;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TaskDefinitionDetails {
    pub backend_task_definition_arn: String,
    pub frontend_task_definition_arn: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceDetails {
    pub service_name: String,
    pub service_arn: String,
}

/// The family's canonical revision: the lowest ACTIVE one. Lowest, not latest, so that two
/// racing first runs that both registered agree on one and deregister the other.
pub(super) async fn find_task_definition(
    p: &Provisioner,
    family: &str,
) -> Result<Option<String>, ActionError> {
    Ok(active_revisions(p, family)
        .await?
        .into_iter()
        .min()
        .map(|(_, arn)| arn))
}

/// Every ACTIVE revision of exactly `family`, as (revision, ARN).
pub(super) async fn active_revisions(
    p: &Provisioner,
    family: &str,
) -> Result<Vec<(u64, String)>, ActionError> {
    let mut revisions = Vec::new();
    let mut token = None;
    loop {
        let output = p
            .clients
            .ecs
            .list_task_definitions()
            .family_prefix(family)
            .status(TaskDefinitionStatus::Active)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| ActionError::aws("ECS", "ListTaskDefinitions", e))?;
        // AWS matches familyPrefix as a prefix (tenant-a-backend also finds tenant-a-backend-x-backend):
        // keep the exact family only.
        revisions.extend(
            output
                .task_definition_arns
                .unwrap_or_default()
                .into_iter()
                .filter_map(|arn| revision_of(&arn, family).map(|revision| (revision, arn))),
        );
        match output.next_token {
            Some(next) if !next.is_empty() => token = Some(next),
            _ => break,
        }
    }
    Ok(revisions)
}

/// `arn:...:task-definition/<family>:<revision>` -> revision, when the family matches.
fn revision_of(arn: &str, family: &str) -> Option<u64> {
    let (name, revision) = arn.rsplit_once('/')?.1.rsplit_once(':')?;
    if name == family {
        revision.parse().ok()
    } else {
        None
    }
}

async fn ensure_task_definition(
    p: &Provisioner,
    t: &Target<'_>,
    component: Component,
) -> Result<String, ActionError> {
    let family = t.names.family(component);
    if let Some(arn) = find_task_definition(p, &family).await? {
        return Ok(arn);
    }
    let size = t.sizing()?;
    let image = match component {
        Component::Backend => &p.config.backend_image,
        Component::Frontend => &p.config.frontend_image,
    };
    let mut environment = vec![
        KeyValuePair::builder()
            .name("TENANT_ID")
            .value(t.tenant_id.as_str())
            .build(),
        KeyValuePair::builder()
            .name("TENANT_SUBDOMAIN")
            .value(t.subdomain.as_str())
            .build(),
    ];
    let mut secrets = Vec::new();
    if component == Component::Backend {
        environment.push(
            KeyValuePair::builder()
                .name("DATABASE_SCHEMA")
                .value(t.names.schema())
                .build(),
        );
        // The login create_schema made, as ECS hands secrets to a container: ECS reads the
        // secret with the task execution role when the task starts and sets the variable to its
        // JSON (username, password, host, port, dbname, schema, sslmode). Plain environment
        // would show the password to anyone who can describe the task definition.
        let secret_arn = crate::secrets::find_tenant_secret_arn(&p.clients.secrets, t.tenant_id)
            .await?
            .ok_or_else(|| ActionError::MissingPrerequisite {
                what: "database credentials secret",
                name: crate::secrets::tenant_secret_name(t.tenant_id),
            })?;
        secrets.push(built(
            "ECS",
            "Secret",
            Secret::builder()
                .name("DATABASE_CREDENTIALS")
                .value_from(secret_arn)
                .build(),
        )?);
    }
    // Containers log to the tenant log group when one is configured, one stream prefix per tenant.
    let logging = match (&p.config.tenant_log_group, &p.config.aws_region) {
        (Some(group), Some(region)) => Some(built(
            "ECS",
            "LogConfiguration",
            LogConfiguration::builder()
                .log_driver(LogDriver::Awslogs)
                .options("awslogs-group", group)
                .options("awslogs-region", region)
                .options("awslogs-stream-prefix", t.subdomain.as_str())
                .build(),
        )?),
        _ => None,
    };
    let container = ContainerDefinition::builder()
        .name(t.names.container(component))
        .image(image)
        .essential(true)
        .port_mappings(
            PortMapping::builder()
                .container_port(component.port())
                .protocol(TransportProtocol::Tcp)
                .build(),
        )
        .set_environment(Some(environment))
        .set_secrets((!secrets.is_empty()).then_some(secrets))
        .set_log_configuration(logging)
        .build();
    let output = p
        .clients
        .ecs
        .register_task_definition()
        .family(&family)
        .container_definitions(container)
        .requires_compatibilities(Compatibility::Fargate)
        .network_mode(NetworkMode::Awsvpc)
        .cpu(size.cpu.to_string())
        .memory(size.memory.to_string())
        .set_execution_role_arn(p.config.task_execution_role_arn.clone())
        .set_task_role_arn(p.config.task_role_arn.clone())
        .tags(tenant_tag(t))
        .send()
        .await
        .map_err(|e| ActionError::aws("ECS", "RegisterTaskDefinition", e))?;
    let registered = output
        .task_definition
        .and_then(|td| td.task_definition_arn)
        .ok_or_else(|| ActionError::no_arn("ECS", "RegisterTaskDefinition", &family))?;
    // A racing run may have registered too: keep the lowest revision, retire ours if it lost.
    let canonical = find_task_definition(p, &family)
        .await?
        .unwrap_or_else(|| registered.clone());
    if canonical != registered {
        p.clients
            .ecs
            .deregister_task_definition()
            .task_definition(&registered)
            .send()
            .await
            .map_err(|e| ActionError::aws("ECS", "DeregisterTaskDefinition", e))?;
    }
    Ok(canonical)
}

fn tenant_tag(t: &Target<'_>) -> Tag {
    Tag::builder()
        .key("tenant_id")
        .value(t.tenant_id.as_str())
        .build()
}

pub(super) async fn create_task_definitions(
    p: &Provisioner,
    t: &Target<'_>,
) -> Result<TaskDefinitionDetails, ActionError> {
    let backend = ensure_task_definition(p, t, Component::Backend).await?;
    let frontend = ensure_task_definition(p, t, Component::Frontend).await?;
    p.store
        .record_step(
            t.tenant_id,
            Step::CreateTaskDefinition,
            None,
            vec![
                ("backend_task_definition_arn", s(&backend)),
                ("frontend_task_definition_arn", s(&frontend)),
            ],
        )
        .await?;
    Ok(TaskDefinitionDetails {
        backend_task_definition_arn: backend,
        frontend_task_definition_arn: frontend,
    })
}

/// The service's ARN if it exists and is not being deleted.
pub(super) async fn find_service(
    p: &Provisioner,
    name: &str,
) -> Result<Option<String>, ActionError> {
    let output = p
        .clients
        .ecs
        .describe_services()
        .cluster(&p.config.ecs_cluster_name)
        .services(name)
        .send()
        .await
        .map_err(|e| ActionError::aws("ECS", "DescribeServices", e))?;
    Ok(output
        .services
        .unwrap_or_default()
        .into_iter()
        .find(|service| {
            service.service_name.as_deref() == Some(name)
                && service.status.as_deref() == Some("ACTIVE")
        })
        .and_then(|service| service.service_arn))
}

pub(super) async fn deploy(
    p: &Provisioner,
    t: &Target<'_>,
    component: Component,
) -> Result<ServiceDetails, ActionError> {
    let name = t.names.service(component);
    let step = match component {
        Component::Backend => Step::DeployBackend,
        Component::Frontend => Step::DeployFrontend,
    };
    let arn = match find_service(p, &name).await? {
        Some(arn) => arn,
        None => create_service(p, t, component, &name).await?,
    };
    let field = match component {
        Component::Backend => "backend_service_arn",
        Component::Frontend => "frontend_service_arn",
    };
    p.store
        .record_step(t.tenant_id, step, None, vec![(field, s(&arn))])
        .await?;
    Ok(ServiceDetails {
        service_name: name,
        service_arn: arn,
    })
}

async fn create_service(
    p: &Provisioner,
    t: &Target<'_>,
    component: Component,
    name: &str,
) -> Result<String, ActionError> {
    let tasks = t.sizing()?.tasks;
    let family = t.names.family(component);
    let task_definition =
        find_task_definition(p, &family)
            .await?
            .ok_or(ActionError::MissingPrerequisite {
                what: "task definition",
                name: family,
            })?;
    let target_group = super::elb::find_target_group(p, &t.names.target_group(component))
        .await?
        .ok_or_else(|| ActionError::MissingPrerequisite {
            what: "target group",
            name: t.names.target_group(component),
        })?;
    let network = NetworkConfiguration::builder()
        .awsvpc_configuration(built(
            "ECS",
            "AwsVpcConfiguration",
            AwsVpcConfiguration::builder()
                .set_subnets(Some(p.config.private_subnet_ids.clone()))
                .set_security_groups(Some(p.config.security_group_ids.clone()))
                .assign_public_ip(AssignPublicIp::Disabled)
                .build(),
        )?)
        .build();
    // The circuit breaker turns a service whose tasks keep failing into a FAILED rollout, which
    // the status checker reports as unhealthy instead of polling until the workflow's limit.
    let breaker = DeploymentCircuitBreaker::builder()
        .enable(true)
        .rollback(false)
        .build();
    let output = p
        .clients
        .ecs
        .create_service()
        .cluster(&p.config.ecs_cluster_name)
        .service_name(name)
        .task_definition(task_definition)
        .desired_count(tasks)
        .launch_type(LaunchType::Fargate)
        .network_configuration(network)
        .load_balancers(
            LoadBalancer::builder()
                .target_group_arn(target_group)
                .container_name(t.names.container(component))
                .container_port(component.port())
                .build(),
        )
        .health_check_grace_period_seconds(60)
        .deployment_configuration(
            DeploymentConfiguration::builder()
                .deployment_circuit_breaker(breaker)
                .build(),
        )
        .tags(tenant_tag(t))
        .send()
        .await;
    let output = match output {
        Ok(output) => output,
        // ECS refuses a second CreateService for a name ("not idempotent"): if a racing run
        // made the service meanwhile, that service is the result.
        Err(e) => {
            return match find_service(p, name).await? {
                Some(arn) => Ok(arn),
                None => Err(ActionError::aws("ECS", "CreateService", e)),
            };
        }
    };
    output
        .service
        .and_then(|s| s.service_arn)
        .ok_or_else(|| ActionError::no_arn("ECS", "CreateService", name))
}
