//! Rollback and deprovisioning against moto's server and the test PostgreSQL (TLS, RDS-like
//! master user): a tenant's resources are created by the real actions, then removed, and each
//! is looked up again in moto and PostgreSQL to prove it is gone.

mod support;

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{Value, json};
use support::{DOMAIN, TENANTS_TABLE, TestResult, servers, unique_subdomain};
use tenant_core::{AwsClients, Provisioner, Registrar};

const PROVISIONING: [&str; 8] = [
    "create_schema",
    "create_task_definition",
    "create_target_group",
    "create_alb_rule",
    "create_dns",
    "deploy_backend",
    "deploy_frontend",
    "finalize",
];

const DEPROVISIONING: [&str; 6] = [
    "deprovision_start",
    "remove_services",
    "remove_routing",
    "remove_task_definitions",
    "drop_schema",
    "deprovision_finish",
];

struct Tenant {
    clients: AwsClients,
    registrar: Registrar,
    provisioner: Provisioner,
    id: String,
    subdomain: String,
}

async fn registered(stem: &str) -> TestResult<Tenant> {
    let s = servers();
    let clients = s.clients().await;
    let registrar = Registrar::new(s.registration_config(), clients.clone());
    let provisioner = Provisioner::new(s.provisioning_config(), clients.clone());
    let subdomain = unique_subdomain(stem);
    let response = registrar.handle(registration(&subdomain)).await?;
    let id = response
        .get("tenant_id")
        .and_then(Value::as_str)
        .ok_or("registration returned no tenant_id")?
        .to_owned();
    Ok(Tenant {
        clients,
        registrar,
        provisioner,
        id,
        subdomain,
    })
}

fn registration(subdomain: &str) -> Value {
    json!({
        "email": format!("owner@{subdomain}.example.org"),
        "company_name": format!("Company {subdomain}"),
        "subdomain": subdomain,
        "plan": "starter"
    })
}

impl Tenant {
    async fn run(&self, action: &str) -> Result<Value, tenant_core::ActionError> {
        let event = if action == "validate" {
            json!({"action": action, "input": {"tenant_id": self.id, "subdomain": self.subdomain}})
        } else {
            json!({"action": action, "tenant_id": self.id, "subdomain": self.subdomain})
        };
        self.provisioner.handle(event).await
    }

    async fn provision(&self, steps: &[&str]) -> TestResult {
        self.run("validate").await?;
        for step in steps {
            self.run(step).await?;
        }
        Ok(())
    }

    async fn item(&self, key: &str) -> TestResult<Option<HashMap<String, AttributeValue>>> {
        Ok(self
            .clients
            .dynamodb
            .get_item()
            .table_name(TENANTS_TABLE)
            .key("tenant_id", AttributeValue::S(key.to_owned()))
            .consistent_read(true)
            .send()
            .await?
            .item)
    }

    async fn attr(&self, name: &str) -> TestResult<String> {
        let item = self.item(&self.id).await?.ok_or("no tenant item")?;
        Ok(match item.get(name) {
            Some(AttributeValue::S(text)) => text.clone(),
            _ => String::new(),
        })
    }

    /// Everything of this tenant that exists, by kind; all zero once it is taken apart.
    async fn inventory(&self) -> TestResult<Inventory> {
        let sub = &self.subdomain;
        let c = &self.clients;
        let mut services = 0;
        let mut task_definitions = 0;
        let mut target_groups = 0;
        for component in ["backend", "frontend"] {
            let name = format!("tenant-{sub}-{component}");
            let described = c
                .ecs
                .describe_services()
                .cluster(support::CLUSTER)
                .services(&name)
                .send()
                .await?;
            services += described
                .services()
                .iter()
                .filter(|s| s.status() == Some("ACTIVE"))
                .count();
            task_definitions += c
                .ecs
                .list_task_definitions()
                .family_prefix(&name)
                .status(aws_sdk_ecs::types::TaskDefinitionStatus::Active)
                .send()
                .await?
                .task_definition_arns()
                .len();
        }
        for suffix in ["be", "fe"] {
            let found = c
                .elb
                .describe_target_groups()
                .names(format!("tnt-{sub}-{suffix}"))
                .send()
                .await;
            target_groups += found.map(|o| o.target_groups().len()).unwrap_or(0);
        }
        let host = format!("{sub}.{DOMAIN}");
        let rules = c
            .elb
            .describe_rules()
            .listener_arn(&servers().infra.listener_arn)
            .send()
            .await?
            .rules()
            .iter()
            .filter(|rule| {
                rule.conditions().iter().any(|c| {
                    c.host_header_config()
                        .is_some_and(|h| h.values().contains(&host))
                })
            })
            .count();
        let records = c
            .route53
            .list_resource_record_sets()
            .hosted_zone_id(&servers().infra.zone_id)
            .send()
            .await?
            .resource_record_sets()
            .iter()
            .filter(|r| r.name().trim_end_matches('.') == host)
            .count();
        let schema = format!("tenant_{}", sub.replace('-', "_"));
        let database = servers()
            .sql_strings(&format!(
                "SELECT nspname::text FROM pg_namespace WHERE nspname = '{schema}' \
                 UNION ALL SELECT rolname::text FROM pg_roles WHERE rolname = '{schema}_owner'"
            ))
            .await
            .len();
        let claim = usize::from(self.item(&format!("#subdomain/{sub}")).await?.is_some());
        let secrets = match c
            .secrets
            .describe_secret()
            .secret_id(format!("tenants/{}/db", self.id))
            .send()
            .await
        {
            Ok(found) => usize::from(found.deleted_date().is_none()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                0
            }
            Err(e) => return Err(e.into()),
        };
        Ok(Inventory {
            services,
            task_definitions,
            target_groups,
            rules,
            records,
            database,
            claim,
            secrets,
        })
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Inventory {
    services: usize,
    task_definitions: usize,
    target_groups: usize,
    rules: usize,
    records: usize,
    /// The schema and its role.
    database: usize,
    claim: usize,
    /// tenants/<tenant_id>/db, the login's credentials.
    secrets: usize,
}

const NOTHING: Inventory = Inventory {
    services: 0,
    task_definitions: 0,
    target_groups: 0,
    rules: 0,
    records: 0,
    database: 0,
    claim: 0,
    secrets: 0,
};

const EVERYTHING: Inventory = Inventory {
    services: 2,
    task_definitions: 2,
    target_groups: 2,
    rules: 2,
    records: 1,
    database: 2,
    claim: 1,
    secrets: 1,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deprovisioning_an_active_tenant_removes_everything_and_marks_it_deleted() -> TestResult {
    let t = registered("deprov").await?;
    t.provision(&PROVISIONING).await?;
    assert_eq!(t.attr("status").await?, "ACTIVE");
    assert_eq!(t.inventory().await?, EVERYTHING);

    for action in DEPROVISIONING {
        t.run(action).await?;
    }
    assert_eq!(t.inventory().await?, NOTHING);
    assert_eq!(t.attr("status").await?, "DELETED");
    assert_eq!(t.attr("current_step").await?, "deprovision_finish");

    // Idempotent: every action again, on a tenant with nothing left, removes nothing and fails
    // on nothing (deprovision_start accepts a DELETED tenant only through DEPROVISIONING, so
    // the second round starts after it).
    for action in &DEPROVISIONING[1..] {
        let again = t.run(action).await?;
        for count in [
            "rules_deleted",
            "target_groups_deleted",
            "task_definitions_deregistered",
        ] {
            assert!(
                again.get(count).is_none_or(|n| n == 0),
                "{action} removed something twice: {again}"
            );
        }
        assert_ne!(again.get("schema_dropped"), Some(&json!(true)), "{again}");
        assert_ne!(
            again.get("subdomain_released"),
            Some(&json!(true)),
            "{again}"
        );
    }
    assert_eq!(t.inventory().await?, NOTHING);

    // The subdomain is free again: someone else may register it.
    let other = json!({
        "email": format!("new-owner@{}.example.org", t.subdomain),
        "company_name": "New owner",
        "subdomain": t.subdomain,
        "plan": "starter"
    });
    let reused = t.registrar.handle(other).await?;
    assert_ne!(reused.get("tenant_id"), Some(&json!(t.id)));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_after_a_failed_step_removes_what_exists_and_mark_failed_names_that_step()
-> TestResult {
    let t = registered("rollbk").await?;
    t.provision(&["create_schema", "create_task_definition", "create_dns"])
        .await?;
    // deploy_backend needs the target group that create_target_group never made: it fails.
    let failed = t
        .run("deploy_backend")
        .await
        .err()
        .ok_or("deploy_backend succeeded")?;
    assert_eq!(failed.error_name(), "Tenant.MissingPrerequisite");
    let before = t.inventory().await?;
    assert_eq!(
        (
            before.database,
            before.task_definitions,
            before.records,
            before.claim,
            before.secrets
        ),
        (2, 2, 1, 1, 1)
    );

    let rolled = t.run("rollback").await?;
    assert_eq!(rolled["rolled_back"], json!(true), "{rolled}");
    assert_eq!(rolled["schema"]["schema_dropped"], json!(true), "{rolled}");
    assert_eq!(rolled["schema"]["secret_deleted"], json!(true), "{rolled}");
    assert_eq!(
        rolled["routing"]["dns_record_deleted"],
        json!(true),
        "{rolled}"
    );
    assert_eq!(
        rolled["task_definitions"]["task_definitions_deregistered"],
        json!(2)
    );
    assert_eq!(t.inventory().await?, NOTHING);
    // A retried rollback finds nothing left and fails on nothing.
    let again = t.run("rollback").await?;
    assert_eq!(again["schema"]["schema_dropped"], json!(false), "{again}");
    assert_eq!(again["schema"]["secret_deleted"], json!(false), "{again}");
    assert_eq!(again["subdomain_released"], json!(false), "{again}");

    t.provisioner
        .handle(json!({
            "action": "mark_failed", "tenant_id": t.id, "subdomain": t.subdomain,
            "error": failed.error_name(), "cause": failed.to_string()
        }))
        .await?;
    assert_eq!(t.attr("status").await?, "FAILED");
    // The step that failed, not the last one that succeeded (create_dns).
    assert_eq!(t.attr("failed_step").await?, "deploy_backend");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_and_mark_failed_leave_an_active_tenant_alone() -> TestResult {
    let t = registered("keepme").await?;
    t.provision(&PROVISIONING).await?;
    let rolled = t.run("rollback").await?;
    assert_eq!(rolled["rolled_back"], json!(false), "{rolled}");
    t.provisioner
        .handle(json!({
            "action": "mark_failed", "tenant_id": t.id, "subdomain": t.subdomain,
            "error": "Tenant.InvalidRequest", "cause": "already ACTIVE"
        }))
        .await?;
    assert_eq!(t.attr("status").await?, "ACTIVE");
    assert_eq!(t.inventory().await?, EVERYTHING);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deprovisioning_refuses_a_tenant_still_being_provisioned() -> TestResult {
    let t = registered("busy").await?;
    t.provision(&["create_schema"]).await?;
    let refused = t.run("deprovision_start").await.err().ok_or("accepted")?;
    assert_eq!(refused.error_name(), "Tenant.InvalidRequest");
    assert!(refused.to_string().contains("PROVISIONING"), "{refused}");
    assert_eq!(t.attr("status").await?, "PROVISIONING");
    Ok(())
}
