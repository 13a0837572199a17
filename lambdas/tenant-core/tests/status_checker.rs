//! tenant-status-checker against moto: the real ECS/ELBv2 reads (moto's truth: pending), and
//! the healthy and unhealthy answers through the `HealthSource` seam (see support::ScriptedHealth).

mod support;

use serde_json::{Value, json};
use support::{HealthMode, ScriptedHealth, TestResult, servers, unique_subdomain};
use tenant_core::{
    ActionError, AwsHealth, HealthSource, Provisioner, Registrar, StatusChecker, TenantStore,
};

/// A registered tenant provisioned up to and including `last_step`.
async fn tenant(last_step: &str) -> Result<(String, String), ActionError> {
    let s = servers();
    let clients = s.clients().await;
    let registrar = Registrar::new(s.registration_config(), clients.clone());
    let provisioner = Provisioner::new(s.provisioning_config(), clients);
    let subdomain = unique_subdomain("health");
    let response = registrar
        .handle(json!({"email": format!("ops@{subdomain}.example.org"), "company_name": "Ops", "subdomain": subdomain, "plan": "free"}))
        .await?;
    let tenant_id = response["tenant_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // In the workflow's order: the backend's task definition needs the credentials secret
    // create_schema makes.
    for step in [
        "create_schema",
        "create_task_definition",
        "create_target_group",
        "create_alb_rule",
        "deploy_backend",
        "deploy_frontend",
    ] {
        if last_step == "registered" {
            break;
        }
        provisioner
            .handle(json!({"action": step, "tenant_id": tenant_id, "subdomain": subdomain}))
            .await?;
        if step == last_step {
            break;
        }
    }
    Ok((tenant_id, subdomain))
}

async fn check<S: HealthSource>(
    source: S,
    tenant_id: &str,
    subdomain: &str,
    check_type: &str,
) -> Result<Value, ActionError> {
    let s = servers();
    let clients = s.clients().await;
    let store = TenantStore::new(clients.dynamodb.clone(), support::TENANTS_TABLE);
    let checker = StatusChecker::new(source, store, support::CLUSTER);
    checker
        .handle(json!({"tenant_id": tenant_id, "subdomain": subdomain, "check_type": check_type}))
        .await
}

async fn scripted(mode: HealthMode) -> ScriptedHealth {
    ScriptedHealth::new(AwsHealth::new(servers().clients().await), mode)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployed_service_on_moto_is_pending_because_no_task_ever_runs() -> TestResult {
    let (tenant_id, subdomain) = tenant("deploy_backend").await?;
    let answer = check(
        AwsHealth::new(servers().clients().await),
        &tenant_id,
        &subdomain,
        "backend",
    )
    .await?;
    assert_eq!(answer["status"], "pending", "{answer}");
    assert_eq!(answer["reason"], "0 of 1 tasks running");
    assert_eq!(answer["tenant_id"], json!(tenant_id));
    assert_eq!(answer["subdomain"], json!(subdomain));
    assert_eq!(answer["check_type"], "backend");
    assert_eq!(
        (
            answer["desired_count"].clone(),
            answer["running_count"].clone()
        ),
        (json!(1), json!(0))
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_that_was_never_deployed_is_unhealthy() -> TestResult {
    let (tenant_id, subdomain) = tenant("deploy_backend").await?;
    // The frontend was not deployed yet.
    let answer = check(
        AwsHealth::new(servers().clients().await),
        &tenant_id,
        &subdomain,
        "frontend",
    )
    .await?;
    assert_eq!(answer["status"], "unhealthy", "{answer}");
    assert_eq!(
        answer["reason"],
        json!(format!(
            "service tenant-{subdomain}-frontend does not exist"
        ))
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_tasks_with_healthy_targets_are_healthy() -> TestResult {
    let (tenant_id, subdomain) = tenant("deploy_frontend").await?;
    for check_type in ["backend", "frontend"] {
        let answer = check(
            scripted(HealthMode::Healthy).await,
            &tenant_id,
            &subdomain,
            check_type,
        )
        .await?;
        assert_eq!(answer["status"], "healthy", "{answer}");
        assert_eq!(answer["healthy_targets"], 1);
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_rollout_is_unhealthy_with_the_reason() -> TestResult {
    let (tenant_id, subdomain) = tenant("deploy_backend").await?;
    let answer = check(
        scripted(HealthMode::RolloutFailed).await,
        &tenant_id,
        &subdomain,
        "backend",
    )
    .await?;
    assert_eq!(answer["status"], "unhealthy", "{answer}");
    assert!(
        answer["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("circuit breaker"),
        "{answer}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seam_still_needs_the_real_service() -> TestResult {
    // Healthy mode cannot invent a service that moto does not have.
    let (tenant_id, subdomain) = tenant("registered").await?;
    let answer = check(
        scripted(HealthMode::Healthy).await,
        &tenant_id,
        &subdomain,
        "backend",
    )
    .await?;
    assert_eq!(answer["status"], "unhealthy", "{answer}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_status_requests_are_refused() -> TestResult {
    let (tenant_id, subdomain) = tenant("registered").await?;
    let source = || async { AwsHealth::new(servers().clients().await) };
    let wrong_type = check(source().await, &tenant_id, &subdomain, "database").await;
    assert_eq!(
        wrong_type.err().map(|e| e.error_name()),
        Some("Tenant.InvalidRequest")
    );
    let wrong_subdomain = check(source().await, &tenant_id, "other-tenant", "backend").await;
    assert_eq!(
        wrong_subdomain.err().map(|e| e.error_name()),
        Some("Tenant.SubdomainMismatch")
    );
    let injection = check(source().await, &tenant_id, "x' OR '1'='1", "backend").await;
    assert_eq!(
        injection.err().map(|e| e.error_name()),
        Some("Tenant.InvalidSubdomain")
    );
    Ok(())
}
