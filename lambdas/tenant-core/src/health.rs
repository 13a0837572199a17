//! tenant-status-checker: is a tenant's backend or frontend healthy, unhealthy or pending?
//!
//! The answer is a pure function (`assess`) of two readings: the ECS service (desired vs
//! running, the primary deployment's rollout) and the target group's target health. The readings
//! come through the `HealthSource` seam: `AwsHealth` reads ECS and ELBv2; tests substitute their
//! own source, because moto's ECS never starts a task (runningCount stays 0, rollout stays
//! IN_PROGRESS) and never registers targets, so a healthy service cannot be produced through it.

use std::future::Future;

use serde::Serialize;
use serde_json::Value;

use crate::clients::AwsClients;
use crate::error::ActionError;
use crate::events::{Response, StatusRequest};
use crate::naming::{Component, TenantNames};
use crate::store::TenantStore;

/// Tasks that failed to start before a service counts as unhealthy even without the circuit
/// breaker having failed the rollout yet.
pub const FAILED_TASK_LIMIT: i32 = 3;

/// What ECS says about a service.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServiceReading {
    /// ACTIVE, DRAINING or INACTIVE.
    pub status: String,
    pub desired_count: i32,
    pub running_count: i32,
    /// The PRIMARY deployment's rollout state (IN_PROGRESS, COMPLETED, FAILED) and reason.
    pub rollout_state: Option<String>,
    pub rollout_reason: Option<String>,
    pub failed_tasks: i32,
}

/// One target's health state as ELBv2 reports it (initial, healthy, unhealthy, draining, ...).
#[derive(Clone, Debug, PartialEq)]
pub struct TargetReading {
    pub state: String,
    pub reason: Option<String>,
}

/// The seam in front of the ECS and ELBv2 reads.
pub trait HealthSource {
    /// `None` when the service does not exist.
    fn service(
        &self,
        cluster: &str,
        service: &str,
    ) -> impl Future<Output = Result<Option<ServiceReading>, ActionError>> + Send;
    /// `None` when the target group does not exist.
    fn targets(
        &self,
        target_group: &str,
    ) -> impl Future<Output = Result<Option<Vec<TargetReading>>, ActionError>> + Send;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Healthy,
    Unhealthy,
    Pending,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assessment {
    pub check_type: &'static str,
    pub status: Health,
    pub reason: String,
    pub service_name: String,
    pub desired_count: i32,
    pub running_count: i32,
    pub healthy_targets: usize,
}

/// The decision, in order: a missing or stopped service, a failed rollout or repeated task
/// failures are unhealthy; fewer running tasks than desired, or fewer healthy targets, is
/// pending (the workflow's bounded poll decides when pending has lasted too long).
pub fn assess(
    component: Component,
    service_name: &str,
    service: Option<&ServiceReading>,
    targets: Option<&[TargetReading]>,
) -> Assessment {
    let healthy_targets = targets
        .unwrap_or_default()
        .iter()
        .filter(|t| t.state == "healthy")
        .count();
    let (desired, running) = service.map_or((0, 0), |s| (s.desired_count, s.running_count));
    let (status, reason) = match (service, targets) {
        (None, _) => (
            Health::Unhealthy,
            format!("service {service_name} does not exist"),
        ),
        (Some(s), _) if s.status != "ACTIVE" => (
            Health::Unhealthy,
            format!("service {service_name} is {}", s.status),
        ),
        (Some(s), _) if s.rollout_state.as_deref() == Some("FAILED") => (
            Health::Unhealthy,
            format!(
                "deployment failed: {}",
                s.rollout_reason.as_deref().unwrap_or("no reason given")
            ),
        ),
        (Some(s), _) if s.failed_tasks >= FAILED_TASK_LIMIT => (
            Health::Unhealthy,
            format!("{} tasks failed to start", s.failed_tasks),
        ),
        (Some(s), _) if s.desired_count <= 0 => {
            (Health::Unhealthy, "desired count is 0".to_owned())
        }
        (Some(_), None) => (Health::Unhealthy, "target group does not exist".to_owned()),
        (Some(s), Some(_)) if s.running_count < s.desired_count => (
            Health::Pending,
            format!("{} of {} tasks running", s.running_count, s.desired_count),
        ),
        (Some(s), Some(targets))
            if healthy_targets < usize::try_from(s.desired_count).unwrap_or(usize::MAX) =>
        {
            let states: Vec<String> = targets
                .iter()
                .map(|t| match &t.reason {
                    Some(reason) => format!("{} ({reason})", t.state),
                    None => t.state.clone(),
                })
                .collect();
            let detail = if states.is_empty() {
                "no targets registered".to_owned()
            } else {
                states.join(", ")
            };
            (
                Health::Pending,
                format!(
                    "{healthy_targets} of {} targets healthy: {detail}",
                    s.desired_count
                ),
            )
        }
        (Some(s), Some(_)) => (
            Health::Healthy,
            format!(
                "{} of {} tasks running, {healthy_targets} healthy targets",
                s.running_count, s.desired_count
            ),
        ),
    };
    Assessment {
        check_type: component.as_str(),
        status,
        reason,
        service_name: service_name.to_owned(),
        desired_count: desired,
        running_count: running,
        healthy_targets,
    }
}

/// Reads ECS and ELBv2.
#[derive(Clone, Debug)]
pub struct AwsHealth {
    clients: AwsClients,
}

impl AwsHealth {
    pub fn new(clients: AwsClients) -> Self {
        Self { clients }
    }
}

impl HealthSource for AwsHealth {
    async fn service(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Option<ServiceReading>, ActionError> {
        let output = self
            .clients
            .ecs
            .describe_services()
            .cluster(cluster)
            .services(service)
            .send()
            .await
            .map_err(|e| ActionError::aws("ECS", "DescribeServices", e))?;
        let Some(found) = output
            .services
            .unwrap_or_default()
            .into_iter()
            .find(|s| s.service_name.as_deref() == Some(service))
        else {
            return Ok(None);
        };
        let primary = found
            .deployments
            .as_deref()
            .unwrap_or_default()
            .iter()
            .find(|d| d.status.as_deref() == Some("PRIMARY"))
            .cloned();
        Ok(Some(ServiceReading {
            status: found.status.unwrap_or_default(),
            desired_count: found.desired_count,
            running_count: found.running_count,
            rollout_state: primary
                .as_ref()
                .and_then(|d| d.rollout_state.as_ref())
                .map(|r| r.as_str().to_owned()),
            rollout_reason: primary
                .as_ref()
                .and_then(|d| d.rollout_state_reason.clone()),
            failed_tasks: primary.map_or(0, |d| d.failed_tasks),
        }))
    }

    async fn targets(&self, target_group: &str) -> Result<Option<Vec<TargetReading>>, ActionError> {
        let arn = match self
            .clients
            .elb
            .describe_target_groups()
            .names(target_group)
            .send()
            .await
        {
            Ok(output) => output
                .target_groups
                .unwrap_or_default()
                .into_iter()
                .find_map(|tg| tg.target_group_arn),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_target_group_not_found_exception()) =>
            {
                None
            }
            Err(e) => return Err(ActionError::aws("ELBv2", "DescribeTargetGroups", e)),
        };
        let Some(arn) = arn else {
            return Ok(None);
        };
        let output = self
            .clients
            .elb
            .describe_target_health()
            .target_group_arn(arn)
            .send()
            .await
            .map_err(|e| ActionError::aws("ELBv2", "DescribeTargetHealth", e))?;
        Ok(Some(
            output
                .target_health_descriptions
                .unwrap_or_default()
                .into_iter()
                .map(|d| {
                    let health = d.target_health;
                    TargetReading {
                        state: health
                            .as_ref()
                            .and_then(|h| h.state.as_ref())
                            .map_or("unknown", |s| s.as_str())
                            .to_owned(),
                        reason: health.and_then(|h| h.reason).map(|r| r.as_str().to_owned()),
                    }
                })
                .collect(),
        ))
    }
}

/// The status checker Lambda's state.
#[derive(Clone, Debug)]
pub struct StatusChecker<S> {
    source: S,
    store: TenantStore,
    cluster: String,
}

impl<S: HealthSource> StatusChecker<S> {
    pub fn new(source: S, store: TenantStore, cluster: impl Into<String>) -> Self {
        Self {
            source,
            store,
            cluster: cluster.into(),
        }
    }

    pub async fn handle(&self, event: Value) -> Result<Value, ActionError> {
        let line = crate::logging::ActionLine::begin(&event, "check_health");
        let result = match StatusRequest::parse(event) {
            Ok(request) => self.check(request).await,
            Err(e) => Err(e),
        };
        line.end(result.as_ref());
        result
    }

    pub async fn check(&self, request: StatusRequest) -> Result<Value, ActionError> {
        // Only a registered tenant with this subdomain is checked: a typo must not read as
        // "unhealthy" for somebody else's services.
        self.store
            .require(&request.tenant_id, &request.subdomain)
            .await?;
        let names = TenantNames::new(&request.subdomain);
        let service_name = names.service(request.component);
        let service = self.source.service(&self.cluster, &service_name).await?;
        let targets = self
            .source
            .targets(&names.target_group(request.component))
            .await?;
        let assessment = assess(
            request.component,
            &service_name,
            service.as_ref(),
            targets.as_deref(),
        );
        serde_json::to_value(Response {
            tenant_id: request.tenant_id.to_string(),
            subdomain: request.subdomain.to_string(),
            action: "check_health",
            details: assessment,
        })
        .map_err(|e| ActionError::InvalidRequest {
            reason: format!("response could not be serialised: {e}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(running: i32, rollout: &str, failed: i32) -> ServiceReading {
        ServiceReading {
            status: "ACTIVE".to_owned(),
            desired_count: 1,
            running_count: running,
            rollout_state: Some(rollout.to_owned()),
            rollout_reason: Some("circuit breaker".to_owned()),
            failed_tasks: failed,
        }
    }

    fn target(state: &str) -> TargetReading {
        TargetReading {
            state: state.to_owned(),
            reason: None,
        }
    }

    fn status(service: Option<ServiceReading>, targets: Option<Vec<TargetReading>>) -> Health {
        assess(
            Component::Backend,
            "svc",
            service.as_ref(),
            targets.as_deref(),
        )
        .status
    }

    #[test]
    fn running_with_healthy_targets_is_healthy() {
        assert_eq!(
            status(
                Some(service(1, "COMPLETED", 0)),
                Some(vec![target("healthy")])
            ),
            Health::Healthy
        );
    }

    #[test]
    fn moto_like_service_without_tasks_is_pending() {
        assert_eq!(
            status(Some(service(0, "IN_PROGRESS", 0)), Some(Vec::new())),
            Health::Pending
        );
        assert_eq!(
            status(
                Some(service(1, "IN_PROGRESS", 0)),
                Some(vec![target("initial")])
            ),
            Health::Pending
        );
    }

    #[test]
    fn failures_are_unhealthy_with_a_reason() {
        assert_eq!(status(None, Some(Vec::new())), Health::Unhealthy);
        assert_eq!(
            status(Some(service(0, "FAILED", 1)), Some(Vec::new())),
            Health::Unhealthy
        );
        assert_eq!(
            status(Some(service(0, "IN_PROGRESS", 3)), Some(Vec::new())),
            Health::Unhealthy
        );
        assert_eq!(
            status(Some(service(1, "COMPLETED", 0)), None),
            Health::Unhealthy
        );
        let failed = assess(
            Component::Backend,
            "svc",
            Some(&service(0, "FAILED", 1)),
            Some(&[]),
        );
        assert_eq!(failed.reason, "deployment failed: circuit breaker");
    }
}
