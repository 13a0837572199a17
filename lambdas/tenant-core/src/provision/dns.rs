//! Route53: the tenant's alias A record `<subdomain>.<domain>` to the shared ALB.
//!
//! The record is read first and only written (UPSERT) when missing or pointing elsewhere: moto
//! accepts a duplicate CREATE, so CREATE alone would prove nothing, and UPSERT alone would make
//! a change on every retry.

use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, ResourceRecordSet, RrType,
};
use serde::Serialize;

use super::{Provisioner, Target, built};
use crate::error::ActionError;
use crate::status::Step;
use crate::store::s;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DnsDetails {
    pub fqdn: String,
    pub alias_target: String,
}

fn normalise(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

pub(super) async fn create_dns(p: &Provisioner, t: &Target<'_>) -> Result<DnsDetails, ActionError> {
    let host = t.names.host(&p.config.domain_name);
    let alb = p
        .clients
        .elb
        .describe_load_balancers()
        .load_balancer_arns(&p.config.alb_arn)
        .send()
        .await
        .map_err(|e| ActionError::aws("ELBv2", "DescribeLoadBalancers", e))?
        .load_balancers
        .unwrap_or_default()
        .into_iter()
        .next()
        .ok_or_else(|| ActionError::MissingPrerequisite {
            what: "load balancer",
            name: p.config.alb_arn.clone(),
        })?;
    let (Some(alb_dns), Some(alb_zone)) = (alb.dns_name, alb.canonical_hosted_zone_id) else {
        return Err(ActionError::Aws {
            service: "ELBv2",
            operation: "DescribeLoadBalancers",
            message: "the load balancer has no DNS name or hosted zone".to_owned(),
        });
    };

    let existing = p
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
    let up_to_date = existing.resource_record_sets.iter().any(|record| {
        normalise(&record.name) == host
            && record.r#type == RrType::A
            && record
                .alias_target
                .as_ref()
                .is_some_and(|alias| normalise(&alias.dns_name) == normalise(&alb_dns))
    });
    if !up_to_date {
        let alias = built(
            "Route53",
            "AliasTarget",
            AliasTarget::builder()
                .hosted_zone_id(&alb_zone)
                .dns_name(&alb_dns)
                .evaluate_target_health(true)
                .build(),
        )?;
        let record = built(
            "Route53",
            "ResourceRecordSet",
            ResourceRecordSet::builder()
                .name(format!("{host}."))
                .r#type(RrType::A)
                .alias_target(alias)
                .build(),
        )?;
        let change = built(
            "Route53",
            "Change",
            Change::builder()
                .action(ChangeAction::Upsert)
                .resource_record_set(record)
                .build(),
        )?;
        let batch = built(
            "Route53",
            "ChangeBatch",
            ChangeBatch::builder()
                .changes(change)
                .comment(format!("tenant {}", t.tenant_id))
                .build(),
        )?;
        p.clients
            .route53
            .change_resource_record_sets()
            .hosted_zone_id(&p.config.route53_zone_id)
            .change_batch(batch)
            .send()
            .await
            .map_err(|e| ActionError::aws("Route53", "ChangeResourceRecordSets", e))?;
    }
    p.store
        .record_step(
            t.tenant_id,
            Step::CreateDns,
            None,
            vec![("dns_name", s(&host))],
        )
        .await?;
    Ok(DnsDetails {
        fqdn: host,
        alias_target: normalise(&alb_dns),
    })
}
