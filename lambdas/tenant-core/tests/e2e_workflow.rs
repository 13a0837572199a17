//! End to end without AWS: the compiled workflows/tenant_provisioning.asl.json runs in the
//! flowc simulator with its Lambda Tasks bound in process to the real handlers, which talk to
//! moto's server and a throwaway PostgreSQL. Waits pass on the simulator's virtual clock.
//!
//! Health comes through the `HealthSource` seam (support::ScriptedHealth): moto's ECS never
//! runs a task, so the healthy tenant is reported healthy by the seam once its services really
//! exist in moto, and the never-healthy tenant sees moto's own truth (0 running) until the
//! workflow's bounded poll gives up.
//!
//! Each run's history (the simulator's, in GetExecutionHistory's JSON) is then replayed
//! (`flowc_sim::replay`, what `flowc replay` runs) against the same definition: the recorded
//! answers of the real handlers must lead the simulator down the same events, with no
//! divergence; and against changed definitions (a shorter poll interval, a step taken out),
//! where the replay must name the event where today's workflow parts from what happened.
//!
//! moto cannot record the tenant workflow in its own execution engine: its Lambda Tasks call
//! Lambda, and moto 5.2.5 runs a function only in Docker (none here, and our functions are
//! `provided.al2023` binaries), while the mock-result configuration its engine carries over
//! from LocalStack never loads (`load_mock_test_case_for` sets the configuration to `None`).
//! What moto can run of the tenant workflow (every Lambda failing, down to ProvisioningFailed)
//! is tested in compiler/tests/aws_moto.rs.

mod support;

use std::path::{Path, PathBuf};

use flowc_sim::replay::{Recording, Replay, Report};
use flowc_sim::{Outcome, Program, Simulation, Status, TaskCall, TaskFailure, TaskHandler};
use serde_json::{Value, json};
use support::{DOMAIN, HealthMode, ScriptedHealth, Servers, TestResult, unique_subdomain};
use tenant_core::{ActionError, AwsHealth, Provisioner, Registrar, StatusChecker, TenantStore};

const ACCOUNT_PREFIX: &str = "arn:aws:lambda:us-east-1:123456789012:function:";

fn workflow_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../workflows/{name}.asl.json"))
}

/// The provisioning workflow as Terraform deploys it.
fn definition() -> String {
    deployed("tenant_provisioning")
}

/// A committed ASL with Terraform's `${...}` placeholders replaced by Lambda ARNs, as
/// terraform/ does with templatefile().
fn deployed(name: &str) -> String {
    let path = workflow_path(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (flowc compiles workflows/{name}.flow into it)",
            path.display()
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
    inject: Inject,
}

/// A failure injected into a run, in front of (or behind) the real handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Inject {
    Nothing,
    /// Every Task state's first call fails with `Tenant.AwsTransient` before the handler runs
    /// (a throttle that outlasted the SDK's retries).
    TransientBefore,
    /// Every Task state's first call runs the handler, then fails with `Tenant.AwsTransient`
    /// (the work was done, the answer lost: a timeout): the retry must find what it made.
    TransientAfter,
    /// The first call of this state runs the handler, then fails permanently
    /// (`Tenant.AwsError`): what it made must be rolled back with the rest.
    PermanentAt(&'static str),
}

/// A Lambda function error named `error`, as Step Functions sees it.
fn injected(error: &str, state: &str) -> TaskFailure {
    TaskFailure {
        error: error.to_owned(),
        cause: json!({"errorType": error, "errorMessage": format!("injected at {state}")})
            .to_string(),
    }
}

/// The provisioning workflow's Task states, in the order a healthy run reaches them.
const PROVISIONING_TASKS: [&str; 11] = [
    "ValidateInput",
    "CreateDatabaseSchema",
    "CreateTaskDefinition",
    "CreateTargetGroup",
    "CreateALBRule",
    "CreateDNSRecord",
    "DeployBackendService",
    "CheckBackendHealth",
    "DeployFrontendService",
    "CheckFrontendHealth",
    "ProvisioningComplete",
];

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
        let state = call.state_name.to_owned();
        let first = !self.calls.contains(&state);
        self.calls.push(state.clone());
        match self.inject {
            Inject::TransientBefore if first => {
                return Err(injected("Tenant.AwsTransient", &state));
            }
            _ => {}
        }
        let answer = self.invoke_real(call);
        match self.inject {
            Inject::TransientAfter if first && answer.is_ok() => {
                Err(injected("Tenant.AwsTransient", &state))
            }
            Inject::PermanentAt(at) if first && at == state => {
                Err(injected("Tenant.AwsError", &state))
            }
            _ => answer,
        }
    }
}

impl InProcessLambdas {
    fn invoke_real(&mut self, call: &TaskCall) -> Result<Value, TaskFailure> {
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
    /// The one runtime of the test: the SDK's pooled connections live on it.
    runtime: tokio::runtime::Runtime,
    tenant_id: String,
    subdomain: String,
    outcome: Outcome,
    calls: Vec<String>,
    clients: tenant_core::AwsClients,
}

/// Registers a tenant (which starts an execution in moto), then runs that execution's input
/// through the simulator.
fn register_and_run(health: HealthMode) -> Result<Run, Box<dyn std::error::Error + Send + Sync>> {
    register_and_run_with(health, Inject::Nothing)
}

fn register_and_run_with(
    health: HealthMode,
    inject: Inject,
) -> Result<Run, Box<dyn std::error::Error + Send + Sync>> {
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

    let (outcome, calls, runtime) =
        simulate_with(&definition(), input, health, inject, &clients, runtime)?;
    Ok(Run {
        tenant_id: registered["tenant_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        subdomain,
        outcome,
        calls,
        clients,
        runtime,
    })
}

type Simulated = (Outcome, Vec<String>, tokio::runtime::Runtime);

/// Runs `definition` on `input` in the simulator, its Lambda Tasks bound to the real handlers.
fn simulate(
    definition: &str,
    input: Value,
    health: HealthMode,
    clients: &tenant_core::AwsClients,
    runtime: tokio::runtime::Runtime,
) -> Result<Simulated, Box<dyn std::error::Error + Send + Sync>> {
    simulate_with(definition, input, health, Inject::Nothing, clients, runtime)
}

fn simulate_with(
    definition: &str,
    input: Value,
    health: HealthMode,
    inject: Inject,
    clients: &tenant_core::AwsClients,
    runtime: tokio::runtime::Runtime,
) -> Result<Simulated, Box<dyn std::error::Error + Send + Sync>> {
    let s = servers();
    let program = Program::from_json_text(definition)?;
    let store = TenantStore::new(clients.dynamodb.clone(), support::TENANTS_TABLE);
    let mut lambdas = InProcessLambdas {
        provisioner: Provisioner::new(s.provisioning_config(), clients.clone()),
        checker: StatusChecker::new(
            ScriptedHealth::new(AwsHealth::new(clients.clone()), health),
            store,
            support::CLUSTER,
        ),
        runtime,
        calls: Vec::new(),
        inject,
    };
    let outcome = Simulation::new(&program)
        .input(input)
        .seed(7)
        .handler(|call: &TaskCall| lambdas.invoke(call))
        .run()?;
    Ok((outcome, lambdas.calls, lambdas.runtime))
}

/// What of the tenant exists, by kind: ACTIVE services, ACTIVE task definition revisions,
/// target groups, listener rules for its host, DNS records for its host, its schema and role,
/// its subdomain claim, its credentials secret, its Cognito user.
fn remaining(run: &Run, runtime: &tokio::runtime::Runtime) -> TestResult<[usize; 9]> {
    let (sub, c) = (&run.subdomain, &run.clients);
    let (mut services, mut revisions, mut groups) = (0, 0, 0);
    for component in ["backend", "frontend"] {
        let name = format!("tenant-{sub}-{component}");
        let described = runtime.block_on(
            c.ecs
                .describe_services()
                .cluster(support::CLUSTER)
                .services(&name)
                .send(),
        )?;
        services += described
            .services()
            .iter()
            .filter(|s| s.status() == Some("ACTIVE"))
            .count();
        revisions += runtime
            .block_on(
                c.ecs
                    .list_task_definitions()
                    .family_prefix(&name)
                    .status(aws_sdk_ecs::types::TaskDefinitionStatus::Active)
                    .send(),
            )?
            .task_definition_arns()
            .len();
    }
    for suffix in ["be", "fe"] {
        let found = runtime.block_on(
            c.elb
                .describe_target_groups()
                .names(format!("tnt-{sub}-{suffix}"))
                .send(),
        );
        groups += found.map(|o| o.target_groups().len()).unwrap_or(0);
    }
    let host = format!("{sub}.{DOMAIN}");
    let rules = runtime
        .block_on(
            c.elb
                .describe_rules()
                .listener_arn(&servers().infra.listener_arn)
                .send(),
        )?
        .rules()
        .iter()
        .filter(|r| {
            r.conditions().iter().any(|c| {
                c.host_header_config()
                    .is_some_and(|h| h.values().contains(&host))
            })
        })
        .count();
    let records = runtime
        .block_on(
            c.route53
                .list_resource_record_sets()
                .hosted_zone_id(&servers().infra.zone_id)
                .send(),
        )?
        .resource_record_sets()
        .iter()
        .filter(|r| r.name().trim_end_matches('.') == host)
        .count();
    let schema = format!("tenant_{}", sub.replace('-', "_"));
    let database = runtime
        .block_on(servers().sql_strings(&format!(
            "SELECT nspname::text FROM pg_namespace WHERE nspname = '{schema}' \
             UNION ALL SELECT rolname::text FROM pg_roles WHERE rolname = '{schema}_owner'"
        )))
        .len();
    let claim = runtime
        .block_on(
            c.dynamodb
                .get_item()
                .table_name(support::TENANTS_TABLE)
                .key(
                    "tenant_id",
                    aws_sdk_dynamodb::types::AttributeValue::S(format!("#subdomain/{sub}")),
                )
                .consistent_read(true)
                .send(),
        )?
        .item
        .is_some();
    let secrets = runtime
        .block_on(
            c.secrets
                .list_secrets()
                .filters(
                    aws_sdk_secretsmanager::types::Filter::builder()
                        .key(aws_sdk_secretsmanager::types::FilterNameStringType::Name)
                        .values(format!("tenants/{}/", run.tenant_id))
                        .build(),
                )
                .send(),
        )?
        .secret_list()
        .len();
    Ok([
        services,
        revisions,
        groups,
        rules,
        records,
        database,
        usize::from(claim),
        secrets,
        cognito_users(run, runtime)?,
    ])
}

/// The Cognito users registration made for the run's tenant (the founder's e-mail).
fn cognito_users(run: &Run, runtime: &tokio::runtime::Runtime) -> TestResult<usize> {
    let found = runtime.block_on(
        run.clients
            .cognito
            .admin_get_user()
            .user_pool_id(&servers().infra.user_pool_id)
            .username(format!("founder@{}.example.org", run.subdomain))
            .send(),
    );
    match found {
        Ok(_) => Ok(1),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_user_not_found_exception()) =>
        {
            Ok(0)
        }
        Err(e) => Err(e.into()),
    }
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
    assert_succeeded(&run.outcome);
    let runtime = &run.runtime;
    assert_eq!(tenant_attr(&run, runtime, "status"), "ACTIVE");
    assert_eq!(tenant_attr(&run, runtime, "current_step"), "finalize");
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

    // The backend gets its login as an ECS secret, never as plain environment ...
    let secret = runtime.block_on(
        clients
            .secrets
            .get_secret_value()
            .secret_id(format!("tenants/{}/db", run.tenant_id))
            .send(),
    )?;
    let credentials: Value = serde_json::from_str(secret.secret_string().unwrap_or_default())?;
    let password = credentials["password"].as_str().unwrap_or_default();
    assert_eq!(password.len(), 40, "{}", credentials["username"]);
    assert_eq!(credentials["username"], format!("{schema}_owner"));
    assert_eq!(credentials["schema"], schema);
    let backend = runtime.block_on(
        clients
            .ecs
            .describe_task_definition()
            .task_definition(format!("tenant-{sub}-backend"))
            .send(),
    )?;
    let container = backend
        .task_definition()
        .and_then(|td| td.container_definitions().first())
        .ok_or("the backend task definition has no container")?;
    let secrets: Vec<(&str, &str)> = container
        .secrets()
        .iter()
        .map(|s| (s.name(), s.value_from()))
        .collect();
    assert_eq!(
        secrets,
        [("DATABASE_CREDENTIALS", secret.arn().unwrap_or_default())]
    );
    let environment = format!("{:?}", container.environment());
    assert!(!environment.contains(password), "{environment}");
    // ... and that login works: over verify-full, as the tenant's role, in its schema.
    let tenant_db = tenant_core::DatabaseTarget::parse(&servers().endpoint_url)?.with_credentials(
        credentials["username"].as_str().unwrap_or_default(),
        password,
    );
    let user = runtime.block_on(async {
        let connection = tenant_db.connect().await?;
        let row = connection
            .client()
            .query_one("SELECT current_user::text", &[])
            .await
            .map_err(|e| ActionError::database("current_user", &e));
        connection.close().await;
        row.map(|row| row.get::<_, String>(0))
    })?;
    assert_eq!(user, format!("{schema}_owner"));
    Ok(())
}

#[track_caller]
fn assert_succeeded(outcome: &Outcome) {
    assert_eq!(
        outcome.status,
        Status::Succeeded,
        "error {:?} cause {:?}; path {:?}",
        outcome.error,
        outcome.cause,
        outcome.path
    );
}

/// Counts of a whole tenant (see `remaining`).
const PROVISIONED: [usize; 9] = [2, 2, 2, 2, 1, 2, 1, 1, 1];

fn assert_active_after_retries(inject: Inject) -> TestResult {
    let run = register_and_run_with(HealthMode::Healthy, inject)?;
    assert_succeeded(&run.outcome);
    // Every step failed once and ran again.
    for state in PROVISIONING_TASKS {
        let calls = run.calls.iter().filter(|c| *c == state).count();
        assert_eq!(calls, 2, "{state}: {:?}", run.calls);
    }
    assert!(!run.calls.iter().any(|c| c == "RollBackTenant"));
    assert_eq!(tenant_attr(&run, &run.runtime, "status"), "ACTIVE");
    // One of everything, though every step that did its work had to run again.
    assert_eq!(remaining(&run, &run.runtime)?, PROVISIONED);
    Ok(())
}

#[test]
fn a_transient_failure_before_each_step_is_retried_and_the_tenant_ends_active() -> TestResult {
    assert_active_after_retries(Inject::TransientBefore)
}

#[test]
fn a_transient_failure_after_each_step_did_its_work_is_retried_without_duplicates() -> TestResult {
    assert_active_after_retries(Inject::TransientAfter)
}

#[test]
fn a_permanent_failure_past_the_point_of_no_return_rolls_everything_back() -> TestResult {
    // DeployFrontendService: schema, secret, task definitions, target groups, rules, DNS record
    // and both services exist by then (the handler ran; its answer is the permanent error).
    let run = register_and_run_with(
        HealthMode::Healthy,
        Inject::PermanentAt("DeployFrontendService"),
    )?;
    let outcome = &run.outcome;
    assert_eq!(outcome.status, Status::Failed, "path {:?}", outcome.path);
    assert_eq!(outcome.error.as_deref(), Some("Tenant.AwsError"));
    // Not retried: permanent errors fail fast into the rollback.
    assert_eq!(
        run.calls
            .iter()
            .filter(|c| *c == "DeployFrontendService")
            .count(),
        1
    );
    assert_eq!(
        run.calls
            .iter()
            .rev()
            .take(3)
            .map(String::as_str)
            .collect::<Vec<_>>(),
        [
            "MarkTenantFailed",
            "RollBackTenant",
            "DeployFrontendService"
        ]
    );
    let runtime = &run.runtime;
    assert_eq!(tenant_attr(&run, runtime, "status"), "FAILED");
    assert_eq!(tenant_attr(&run, runtime, "failed_step"), "deploy_frontend");
    assert_eq!(remaining(&run, runtime)?, [0; 9]);
    Ok(())
}

/// Where the healthy run's recording parts from the changed definitions: the first
/// WaitStateExited of the backend poll, and the TaskStateEntered after CreateALBRule.
/// (Each Task state writes five events: entered, scheduled, started, succeeded, exited.)
const WAIT_EXITED: usize = 40;
const DNS_ENTERED: usize = 27;
/// The 30 s poll's divergence, on the timing of the wait's end.
const TIMING_REASON: &str = "timing: recorded (AWS) reached this event 60.000 s after the \
    execution started, simulated (flowc) 30.000 s (the gap from the event before differs by \
    30.000 s, more than the 1.000 s allowed)";

/// Replays `run`'s history against `definition` (ASL text), as `flowc replay --machine` does.
fn replay(run: &Run, definition: &str) -> TestResult<Report> {
    let recording = Recording::from_json_text(&run.outcome.history.to_json())?;
    let program = Program::from_json_text(definition)?;
    Ok(Replay::new(&program, &recording).run()?)
}

/// The deployed provisioning definition with `change` made to it.
fn changed(change: impl FnOnce(&mut Value)) -> TestResult<String> {
    let mut machine: Value = serde_json::from_str(&definition())?;
    change(&mut machine);
    Ok(machine.to_string())
}

/// An event's type and, for a state's events, the state's name.
fn kind_and_state(event: Option<&Value>) -> (String, String) {
    let event = event.cloned().unwrap_or(Value::Null);
    let kind = event["type"].as_str().unwrap_or_default().to_owned();
    let state = ["stateEnteredEventDetails", "stateExitedEventDetails"]
        .iter()
        .find_map(|d| event[d]["name"].as_str())
        .unwrap_or_default()
        .to_owned();
    (kind, state)
}

#[test]
fn a_recorded_run_of_the_real_handlers_replays_and_changed_definitions_diverge() -> TestResult {
    let run = register_and_run(HealthMode::Healthy)?;
    assert_eq!(
        run.outcome.status,
        Status::Succeeded,
        "error {:?} cause {:?}; path {:?}",
        run.outcome.error,
        run.outcome.cause,
        run.outcome.path
    );
    let events = run.outcome.history.len();

    // The definition that ran: every event agrees, and the replay ends where the run did.
    let same = replay(&run, &definition())?;
    assert_eq!(same.divergence, None);
    assert_eq!(same.recorded_events, events);
    assert_eq!(same.outcome.status, Status::Succeeded);
    assert_eq!(same.outcome.output(), run.outcome.output());
    assert_eq!(same.outcome.path.to_vec(), run.outcome.path.to_vec());
    // The real handlers' answers, by state, as a simulation test's mocks: moto's ARNs included.
    let deployed_backend = &same.mocks["DeployBackendService"]["0"]["Return"];
    assert!(
        deployed_backend["service_arn"]
            .as_str()
            .is_some_and(|arn| arn.starts_with("arn:aws:ecs:us-east-1:")),
        "{deployed_backend}"
    );

    // Today's workflow polls the backend every 30 s: the recording waited 60 s.
    let faster = replay(
        &run,
        &changed(|m| m["States"]["WaitForBackend"]["Seconds"] = 30.into())?,
    )?;
    let divergence = faster
        .divergence
        .ok_or("a 30 s poll replayed a 60 s one without divergence")?;
    assert_eq!(
        (divergence.event, divergence.reason.as_str()),
        (WAIT_EXITED, TIMING_REASON)
    );
    let wait = ("WaitStateExited".to_owned(), "WaitForBackend".to_owned());
    assert_eq!(kind_and_state(divergence.recorded.as_ref()), wait);
    assert_eq!(kind_and_state(divergence.simulated.as_ref()), wait);

    // Today's workflow no longer creates the DNS record.
    let without_dns = replay(
        &run,
        &changed(|m| {
            m["States"]["CreateALBRule"]["Next"] = "DeployBackendService".into();
            if let Some(states) = m["States"].as_object_mut() {
                states.remove("CreateDNSRecord");
            }
        })?,
    )?;
    let divergence = without_dns
        .divergence
        .ok_or("a workflow without CreateDNSRecord replayed without divergence")?;
    assert_eq!(
        (divergence.event, divergence.reason.as_str()),
        (
            DNS_ENTERED,
            "TaskStateEntered.name: recorded (AWS) \"CreateDNSRecord\", simulated (flowc) \
             \"DeployBackendService\""
        )
    );
    assert_eq!(
        kind_and_state(divergence.recorded.as_ref()),
        ("TaskStateEntered".to_owned(), "CreateDNSRecord".to_owned())
    );
    assert_eq!(
        kind_and_state(divergence.simulated.as_ref()),
        (
            "TaskStateEntered".to_owned(),
            "DeployBackendService".to_owned()
        )
    );
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
        run.calls
            .iter()
            .rev()
            .take(2)
            .map(String::as_str)
            .collect::<Vec<_>>(),
        ["MarkTenantFailed", "RollBackTenant"]
    );
    assert!(!run.calls.iter().any(|c| c == "DeployFrontendService"));

    let runtime = &run.runtime;
    assert_eq!(tenant_attr(&run, runtime, "status"), "FAILED");
    assert_eq!(
        tenant_attr(&run, runtime, "error"),
        "Tenant.BackendHealthTimeout"
    );
    assert!(tenant_attr(&run, runtime, "cause").contains("not healthy after 15 checks"));
    // The health poll gave up: that is the step, not deploy_backend (the last that succeeded).
    assert_eq!(tenant_attr(&run, runtime, "failed_step"), "backend_health");
    // The rollback removed everything provisioning had made: backend service, task
    // definitions, target groups, rules, DNS record, schema and role; the subdomain is free.
    assert_eq!(remaining(&run, runtime)?, [0; 9]);

    // The failed run's history replays too: 15 pending answers, the rollback, the failure.
    let replayed = replay(&run, &definition())?;
    assert_eq!(replayed.divergence, None);
    assert_eq!(replayed.outcome.status, Status::Failed);
    assert_eq!(
        replayed.outcome.error.as_deref(),
        Some("Tenant.BackendHealthTimeout")
    );
    assert_eq!(replayed.outcome.path.to_vec(), run.outcome.path.to_vec());
    assert_eq!(replayed.mocks["CheckBackendHealth"].len(), 15);
    Ok(())
}

#[test]
fn an_active_tenant_is_deprovisioned_to_deleted_leaving_nothing() -> TestResult {
    let run = register_and_run(HealthMode::Healthy)?;
    assert_eq!(
        run.outcome.status,
        Status::Succeeded,
        "{:?}",
        run.outcome.path
    );
    // Counted before: two services, two revisions, two groups, two rules, one record, schema
    // and role, the claim, the credentials secret, the Cognito user.
    assert_eq!(remaining(&run, &run.runtime)?, PROVISIONED);

    let input = json!({"tenant_id": run.tenant_id, "subdomain": run.subdomain});
    let Run {
        runtime,
        tenant_id,
        subdomain,
        outcome: _,
        calls: _,
        clients,
    } = run;
    let (outcome, calls, runtime) = simulate(
        &deployed("tenant_deprovisioning"),
        input.clone(),
        HealthMode::Healthy,
        &clients,
        runtime,
    )?;
    let run = Run {
        runtime,
        tenant_id,
        subdomain,
        outcome,
        calls,
        clients,
    };
    let (outcome, calls) = (&run.outcome, &run.calls);
    assert_eq!(
        outcome.status,
        Status::Succeeded,
        "error {:?} cause {:?}; path {:?}",
        outcome.error,
        outcome.cause,
        outcome.path
    );
    assert_eq!(
        *calls,
        [
            "StartDeprovisioning",
            "RemoveServices",
            "RemoveRouting",
            "RemoveTaskDefinitions",
            "DropDatabaseSchema",
            "FinishDeprovisioning"
        ]
    );
    assert_eq!(tenant_attr(&run, &run.runtime, "status"), "DELETED");
    assert_eq!(remaining(&run, &run.runtime)?, [0; 9]);

    // Deprovisioning a DELETED tenant again is refused before anything runs.
    let (again, _, _) = simulate(
        &deployed("tenant_deprovisioning"),
        input,
        HealthMode::Healthy,
        &run.clients,
        run.runtime,
    )?;
    assert_eq!(again.status, Status::Failed);
    assert_eq!(again.error.as_deref(), Some("Tenant.InvalidRequest"));
    Ok(())
}
