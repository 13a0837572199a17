//! End to end without AWS: the compiled workflows/tenant_provisioning.asl.json runs in the
//! flowc simulator with its Lambda Tasks bound in process to the real handlers, which talk to
//! moto's server and a throwaway PostgreSQL. Waits pass on the simulator's virtual clock.
//!
//! Health comes through the `HealthSource` seam (support::ScriptedHealth): moto's ECS never
//! runs a task, so the healthy tenant is reported healthy by the seam once its services really
//! exist in moto, and the never-healthy tenant sees moto's own truth (0 running) until the
//! workflow's bounded poll gives up.

mod support;

use std::path::{Path, PathBuf};

use flowc_sim::{Outcome, Program, Simulation, Status, TaskCall, TaskFailure, TaskHandler};
use serde_json::{Value, json};
use support::{DOMAIN, HealthMode, ScriptedHealth, Servers, TestResult, unique_subdomain};
use tenant_core::{ActionError, AwsHealth, Provisioner, Registrar, StatusChecker, TenantStore};

const ACCOUNT_PREFIX: &str = "arn:aws:lambda:us-east-1:123456789012:function:";

fn workflow_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../workflows/tenant_provisioning.asl.json")
}

/// The committed ASL with Terraform's `${...}` placeholders replaced by Lambda ARNs, as
/// terraform/ does with templatefile().
fn definition() -> String {
    let text = std::fs::read_to_string(workflow_path()).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (DSL compiles workflows/tenant_provisioning.flow into it)",
            workflow_path().display()
        )
    });
    text.replace(
        "${provisioning}",
        &format!("{ACCOUNT_PREFIX}tenant-provisioning"),
    )
    .replace(
        "${status_checker}",
        &format!("{ACCOUNT_PREFIX}tenant-status-checker"),
    )
}

/// moto holds the real workflow too: registration's StartExecution runs against it.
fn servers() -> &'static Servers {
    support::servers_with_definition(&definition())
}

/// The Lambda Tasks, in process: dispatch by function ARN, block on the async handler.
struct InProcessLambdas {
    runtime: tokio::runtime::Runtime,
    provisioner: Provisioner,
    checker: StatusChecker<ScriptedHealth>,
    calls: Vec<String>,
}

/// How Lambda reports a function error: Error is the errorType, Cause the JSON error object.
fn lambda_failure(error: &ActionError) -> TaskFailure {
    TaskFailure {
        error: error.error_name().to_owned(),
        cause: json!({"errorType": error.error_name(), "errorMessage": error.to_string()})
            .to_string(),
    }
}

impl TaskHandler for InProcessLambdas {
    fn invoke(&mut self, call: &TaskCall) -> Result<Value, TaskFailure> {
        self.calls.push(call.state_name.to_owned());
        let input = call.input.clone();
        let result = match call.resource.strip_prefix(ACCOUNT_PREFIX) {
            Some("tenant-provisioning") => self.runtime.block_on(self.provisioner.handle(input)),
            Some("tenant-status-checker") => self.runtime.block_on(self.checker.handle(input)),
            _ => {
                return Err(TaskFailure {
                    error: "Lambda.ResourceNotFoundException".to_owned(),
                    cause: format!("no in-process Lambda for {}", call.resource),
                });
            }
        };
        result.map_err(|e| lambda_failure(&e))
    }
}

struct Run {
    tenant_id: String,
    subdomain: String,
    outcome: Outcome,
    calls: Vec<String>,
    clients: tenant_core::AwsClients,
}

/// Registers a tenant (which starts an execution in moto), then runs that execution's input
/// through the simulator.
fn register_and_run(health: HealthMode) -> Result<Run, Box<dyn std::error::Error + Send + Sync>> {
    let s = servers();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let clients = runtime.block_on(s.clients());
    let subdomain = unique_subdomain("e2e");
    let registrar = Registrar::new(s.registration_config(), clients.clone());
    let registered = runtime.block_on(registrar.handle(json!({
        "email": format!("founder@{subdomain}.example.org"),
        "company_name": "End To End Ltd",
        "subdomain": subdomain,
        "plan": "professional"
    })))?;
    let execution_arn = registered["execution_arn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let started = runtime.block_on(
        clients
            .sfn
            .describe_execution()
            .execution_arn(&execution_arn)
            .send(),
    )?;
    let input: Value = serde_json::from_str(started.input().unwrap_or_default())?;

    let program = Program::from_json_text(&definition())?;
    let store = TenantStore::new(clients.dynamodb.clone(), support::TENANTS_TABLE);
    let mut lambdas = InProcessLambdas {
        provisioner: Provisioner::new(s.provisioning_config(), clients.clone()),
        checker: StatusChecker::new(
            ScriptedHealth {
                real: AwsHealth::new(clients.clone()),
                mode: health,
            },
            store,
            support::CLUSTER,
        ),
        runtime,
        calls: Vec::new(),
    };
    let outcome = Simulation::new(&program)
        .input(input)
        .seed(7)
        .handler(|call: &TaskCall| lambdas.invoke(call))
        .run()?;
    Ok(Run {
        tenant_id: registered["tenant_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        subdomain,
        outcome,
        calls: lambdas.calls,
        clients,
    })
}

fn tenant_attr(run: &Run, runtime: &tokio::runtime::Runtime, key: &str) -> String {
    let item = runtime.block_on(
        run.clients
            .dynamodb
            .get_item()
            .table_name(support::TENANTS_TABLE)
            .key(
                "tenant_id",
                aws_sdk_dynamodb::types::AttributeValue::S(run.tenant_id.clone()),
            )
            .consistent_read(true)
            .send(),
    );
    match item
        .ok()
        .and_then(|o| o.item)
        .and_then(|item| item.get(key).cloned())
    {
        Some(aws_sdk_dynamodb::types::AttributeValue::S(value)) => value,
        _ => String::new(),
    }
}

#[test]
fn a_registered_tenant_is_provisioned_to_active() -> TestResult {
    let run = register_and_run(HealthMode::Healthy)?;
    let outcome = &run.outcome;
    assert_eq!(
        outcome.status,
        Status::Succeeded,
        "error {:?} cause {:?}; path {:?}",
        outcome.error,
        outcome.cause,
        outcome.path
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    assert_eq!(tenant_attr(&run, &runtime, "status"), "ACTIVE");
    assert_eq!(tenant_attr(&run, &runtime, "current_step"), "finalize");
    assert!(
        run.calls.iter().any(|c| c == "ProvisioningComplete"),
        "{:?}",
        run.calls
    );

    // The resources exist in moto ...
    let sub = &run.subdomain;
    let clients = &run.clients;
    for component in ["backend", "frontend"] {
        let family = format!("tenant-{sub}-{component}");
        let services = runtime.block_on(
            clients
                .ecs
                .describe_services()
                .cluster(support::CLUSTER)
                .services(&family)
                .send(),
        )?;
        assert_eq!(services.services().len(), 1, "{family} service");
        let revisions = runtime.block_on(
            clients
                .ecs
                .list_task_definitions()
                .family_prefix(&family)
                .send(),
        )?;
        assert_eq!(
            revisions.task_definition_arns().len(),
            1,
            "{family} task definition"
        );
    }
    let groups = runtime.block_on(
        clients
            .elb
            .describe_target_groups()
            .names(format!("tnt-{sub}-be"))
            .names(format!("tnt-{sub}-fe"))
            .send(),
    )?;
    assert_eq!(groups.target_groups().len(), 2);
    let records = runtime.block_on(
        clients
            .route53
            .list_resource_record_sets()
            .hosted_zone_id(&servers().infra.zone_id)
            .send(),
    )?;
    let host = format!("{sub}.{DOMAIN}");
    assert_eq!(
        records
            .resource_record_sets()
            .iter()
            .filter(|r| r.name().trim_end_matches('.') == host)
            .count(),
        1
    );
    let rules = runtime.block_on(
        clients
            .elb
            .describe_rules()
            .listener_arn(&servers().infra.listener_arn)
            .send(),
    )?;
    let tenant_rules = rules
        .rules()
        .iter()
        .filter(|r| {
            r.conditions().iter().any(|c| {
                c.host_header_config()
                    .is_some_and(|h| h.values().contains(&host))
            })
        })
        .count();
    assert_eq!(tenant_rules, 2);

    // ... and the schema in PostgreSQL, owned by the tenant's role.
    let schema = format!("tenant_{}", sub.replace('-', "_"));
    let owners = runtime.block_on(servers().sql_strings(&format!(
        "SELECT pg_get_userbyid(nspowner)::text FROM pg_namespace WHERE nspname = '{schema}'"
    )));
    assert_eq!(owners, [format!("{schema}_owner")]);
    Ok(())
}

#[test]
fn a_backend_that_never_becomes_healthy_ends_failed_and_marked() -> TestResult {
    let run = register_and_run(HealthMode::AsMoto)?;
    let outcome = &run.outcome;
    assert_eq!(outcome.status, Status::Failed, "path {:?}", outcome.path);
    assert_eq!(
        outcome.error.as_deref(),
        Some("Tenant.BackendHealthTimeout")
    );
    // The poll is bounded: 15 checks, then the tenant is marked failed.
    assert_eq!(
        run.calls
            .iter()
            .filter(|c| *c == "CheckBackendHealth")
            .count(),
        15,
        "{:?}",
        run.calls
    );
    assert_eq!(
        run.calls.last().map(String::as_str),
        Some("MarkTenantFailed")
    );
    assert!(!run.calls.iter().any(|c| c == "DeployFrontendService"));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    assert_eq!(tenant_attr(&run, &runtime, "status"), "FAILED");
    assert_eq!(
        tenant_attr(&run, &runtime, "error"),
        "Tenant.BackendHealthTimeout"
    );
    assert!(tenant_attr(&run, &runtime, "cause").contains("not healthy after 15 checks"));
    assert_eq!(tenant_attr(&run, &runtime, "failed_step"), "deploy_backend");
    let frontend = runtime.block_on(
        run.clients
            .ecs
            .describe_services()
            .cluster(support::CLUSTER)
            .services(format!("tenant-{}-frontend", run.subdomain))
            .send(),
    )?;
    assert!(
        frontend.services().is_empty(),
        "the frontend must not be deployed"
    );
    Ok(())
}
