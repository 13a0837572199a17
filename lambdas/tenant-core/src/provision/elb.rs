//! ELBv2: the tenant's target groups and listener rules.
//!
//! Each tenant gets two rules on the shared listener, both on host `<subdomain>.<domain>`:
//! `/api/*` to the backend at priority P and everything else to the frontend at P+1, where P comes
//! from an atomic DynamoDB counter (blocks of two), so tenants provisioned at the same time never
//! ask for the same priority. A rule is found again by its conditions, not its priority, and a
//! `PriorityInUse` (a rule made outside the workflow) moves the counter past the highest rule in
//! use and the tenant to a fresh block there.

use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, HostHeaderConditionConfig, PathPatternConditionConfig, ProtocolEnum,
    Rule, RuleCondition, Tag, TargetTypeEnum,
};
use serde::Serialize;

use super::{Provisioner, Target};
use crate::error::ActionError;
use crate::naming::Component;
use crate::status::Step;
use crate::store::{TenantRecord, s};

const API_PATH: &str = "/api/*";
const PRIORITY_ATTEMPTS: u32 = 5;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TargetGroupDetails {
    pub backend_target_group_arn: String,
    pub frontend_target_group_arn: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleDetails {
    pub host: String,
    pub backend_rule_arn: String,
    pub backend_priority: i64,
    pub frontend_rule_arn: String,
    pub frontend_priority: i64,
}

pub(super) async fn find_target_group(
    p: &Provisioner,
    name: &str,
) -> Result<Option<String>, ActionError> {
    match p
        .clients
        .elb
        .describe_target_groups()
        .names(name)
        .send()
        .await
    {
        Ok(output) => Ok(output
            .target_groups
            .unwrap_or_default()
            .into_iter()
            .find(|tg| tg.target_group_name.as_deref() == Some(name))
            .and_then(|tg| tg.target_group_arn)),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_target_group_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(ActionError::aws("ELBv2", "DescribeTargetGroups", e)),
    }
}

async fn ensure_target_group(
    p: &Provisioner,
    t: &Target<'_>,
    component: Component,
) -> Result<String, ActionError> {
    let name = t.names.target_group(component);
    if let Some(arn) = find_target_group(p, &name).await? {
        return Ok(arn);
    }
    let output = p
        .clients
        .elb
        .create_target_group()
        .name(&name)
        .protocol(ProtocolEnum::Http)
        .port(component.port())
        .vpc_id(&p.config.vpc_id)
        // Fargate tasks (awsvpc) register by IP.
        .target_type(TargetTypeEnum::Ip)
        .health_check_protocol(ProtocolEnum::Http)
        .health_check_path(component.health_check_path())
        .tags(
            Tag::builder()
                .key("tenant_id")
                .value(t.tenant_id.as_str())
                .build(),
        )
        .send()
        .await;
    let output = match output {
        Ok(output) => output,
        // A racing run created it first (ELBv2 answers DuplicateTargetGroupName when the
        // settings differ, or returns the existing group when they are the same).
        Err(e) => {
            return match find_target_group(p, &name).await? {
                Some(arn) => Ok(arn),
                None => Err(ActionError::aws("ELBv2", "CreateTargetGroup", e)),
            };
        }
    };
    output
        .target_groups
        .unwrap_or_default()
        .into_iter()
        .find_map(|tg| tg.target_group_arn)
        .ok_or_else(|| ActionError::no_arn("ELBv2", "CreateTargetGroup", &name))
}

pub(super) async fn create_target_groups(
    p: &Provisioner,
    t: &Target<'_>,
) -> Result<TargetGroupDetails, ActionError> {
    let backend = ensure_target_group(p, t, Component::Backend).await?;
    let frontend = ensure_target_group(p, t, Component::Frontend).await?;
    p.store
        .record_step(
            t.tenant_id,
            Step::CreateTargetGroup,
            None,
            vec![
                ("backend_target_group_arn", s(&backend)),
                ("frontend_target_group_arn", s(&frontend)),
            ],
        )
        .await?;
    Ok(TargetGroupDetails {
        backend_target_group_arn: backend,
        frontend_target_group_arn: frontend,
    })
}

pub(super) async fn list_rules(p: &Provisioner) -> Result<Vec<Rule>, ActionError> {
    let mut rules = Vec::new();
    let mut marker = None;
    loop {
        let output = p
            .clients
            .elb
            .describe_rules()
            .listener_arn(&p.config.alb_listener_arn)
            .set_marker(marker)
            .send()
            .await
            .map_err(|e| ActionError::aws("ELBv2", "DescribeRules", e))?;
        rules.extend(output.rules.unwrap_or_default());
        match output.next_marker {
            Some(next) if !next.is_empty() => marker = Some(next),
            _ => return Ok(rules),
        }
    }
}

fn condition_values(condition: &RuleCondition) -> Vec<&str> {
    let legacy = condition.values.iter().flatten();
    let host = condition
        .host_header_config
        .iter()
        .flat_map(|c| c.values.iter().flatten());
    let path = condition
        .path_pattern_config
        .iter()
        .flat_map(|c| c.values.iter().flatten());
    legacy.chain(host).chain(path).map(String::as_str).collect()
}

/// The tenant's rule for `component`: host header `host`, plus `/api/*` for the backend only.
pub(super) fn find_rule<'r>(
    rules: &'r [Rule],
    host: &str,
    component: Component,
) -> Option<&'r Rule> {
    rules.iter().find(|rule| {
        let conditions = rule.conditions.as_deref().unwrap_or_default();
        let field_values = |field: &str| -> Vec<&str> {
            conditions
                .iter()
                .filter(|c| c.field.as_deref() == Some(field))
                .flat_map(condition_values)
                .collect()
        };
        let hosts = field_values("host-header");
        let paths = field_values("path-pattern");
        let host_matches = hosts.iter().any(|h| h.eq_ignore_ascii_case(host));
        host_matches
            && match component {
                Component::Backend => paths == [API_PATH],
                Component::Frontend => paths.is_empty(),
            }
    })
}

fn rule_priority(rule: &Rule) -> i64 {
    rule.priority
        .as_deref()
        .and_then(|p| p.parse().ok())
        .unwrap_or_default()
}

async fn create_rule(
    p: &Provisioner,
    host: &str,
    component: Component,
    priority: i64,
    target_group: &str,
) -> Result<Option<String>, ActionError> {
    let mut conditions = vec![
        RuleCondition::builder()
            .field("host-header")
            .host_header_config(HostHeaderConditionConfig::builder().values(host).build())
            .build(),
    ];
    if component == Component::Backend {
        conditions.push(
            RuleCondition::builder()
                .field("path-pattern")
                .path_pattern_config(
                    PathPatternConditionConfig::builder()
                        .values(API_PATH)
                        .build(),
                )
                .build(),
        );
    }
    let action = Action::builder()
        .r#type(ActionTypeEnum::Forward)
        .target_group_arn(target_group)
        .build();
    let priority =
        i32::try_from(priority).map_err(|_| ActionError::PriorityExhausted { attempts: 1 })?;
    match p
        .clients
        .elb
        .create_rule()
        .listener_arn(&p.config.alb_listener_arn)
        .priority(priority)
        .set_conditions(Some(conditions))
        .actions(action)
        .send()
        .await
    {
        Ok(output) => Ok(output
            .rules
            .unwrap_or_default()
            .into_iter()
            .find_map(|r| r.rule_arn)),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_priority_in_use_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(ActionError::aws("ELBv2", "CreateRule", e)),
    }
}

pub(super) async fn create_rules(
    p: &Provisioner,
    t: &Target<'_>,
    record: &TenantRecord,
) -> Result<RuleDetails, ActionError> {
    let host = t.names.host(&p.config.domain_name);
    let mut target_groups = Vec::new();
    for component in Component::ALL {
        let name = t.names.target_group(component);
        let arn = find_target_group(p, &name)
            .await?
            .ok_or(ActionError::MissingPrerequisite {
                what: "target group",
                name,
            })?;
        target_groups.push((component, arn));
    }
    let mut base = match record.number("alb_priority") {
        Some(priority) => priority,
        None => {
            let fresh = p.store.allocate_priorities(2).await?;
            p.store.claim_priority(t.tenant_id, fresh, None).await?
        }
    };
    for _ in 0..PRIORITY_ATTEMPTS {
        let mut collided = false;
        for (offset, (component, target_group)) in (0i64..).zip(&target_groups) {
            if find_rule(&list_rules(p).await?, &host, *component).is_some() {
                continue;
            }
            if create_rule(p, &host, *component, base + offset, target_group)
                .await?
                .is_none()
            {
                // The priority is taken. By this tenant's own concurrent retry? Then its rule
                // exists now and the next pass finds it; otherwise move to a fresh block.
                if find_rule(&list_rules(p).await?, &host, *component).is_none() {
                    collided = true;
                }
            }
        }
        let rules = list_rules(p).await?;
        if let (Some(backend), Some(frontend)) = (
            find_rule(&rules, &host, Component::Backend),
            find_rule(&rules, &host, Component::Frontend),
        ) {
            let details = RuleDetails {
                host: host.clone(),
                backend_rule_arn: backend.rule_arn.clone().unwrap_or_default(),
                backend_priority: rule_priority(backend),
                frontend_rule_arn: frontend.rule_arn.clone().unwrap_or_default(),
                frontend_priority: rule_priority(frontend),
            };
            p.store
                .record_step(
                    t.tenant_id,
                    Step::CreateAlbRule,
                    None,
                    vec![
                        ("backend_rule_arn", s(&details.backend_rule_arn)),
                        ("frontend_rule_arn", s(&details.frontend_rule_arn)),
                    ],
                )
                .await?;
            return Ok(details);
        }
        if collided {
            // Skip every rule in use at once rather than walking through them block by block.
            let highest = list_rules(p)
                .await?
                .iter()
                .map(rule_priority)
                .max()
                .unwrap_or_default();
            p.store.advance_priorities_past(highest).await?;
            let fresh = p.store.allocate_priorities(2).await?;
            base = p
                .store
                .claim_priority(t.tenant_id, fresh, Some(base))
                .await?;
        }
    }
    Err(ActionError::PriorityExhausted {
        attempts: PRIORITY_ATTEMPTS,
    })
}
