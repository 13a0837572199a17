//! tenant-registration and tenant-provisioning against moto's server and a real PostgreSQL,
//! both started by `support` for this test binary.

mod support;

use std::collections::{BTreeSet, HashMap};

use aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserOutput;
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{Value, json};
use support::{DOMAIN, TENANTS_TABLE, TestResult, servers, unique_subdomain};
use tenant_core::{ActionError, AwsClients, Provisioner, Registrar, TenantId};

const STEPS: [&str; 8] = [
    "create_schema",
    "create_task_definition",
    "create_target_group",
    "create_alb_rule",
    "create_dns",
    "deploy_backend",
    "deploy_frontend",
    "finalize",
];

async fn setup() -> (AwsClients, Registrar, Provisioner) {
    let s = servers();
    let clients = s.clients().await;
    let registrar = Registrar::new(s.registration_config(), clients.clone());
    let provisioner = Provisioner::new(s.provisioning_config(), clients.clone());
    (clients, registrar, provisioner)
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

async fn register(registrar: &Registrar, subdomain: &str) -> Result<(String, Value), ActionError> {
    register_on(registrar, subdomain, "starter").await
}

async fn register_on(
    registrar: &Registrar,
    subdomain: &str,
    plan: &str,
) -> Result<(String, Value), ActionError> {
    let response = registrar
        .handle(json!({
            "email": format!("owner@{subdomain}.example.org"),
            "company_name": format!("Company {subdomain}"),
            "subdomain": subdomain,
            "plan": plan
        }))
        .await?;
    Ok((text(&response, "tenant_id"), response))
}

fn event(action: &str, tenant_id: &str, subdomain: &str) -> Value {
    json!({"action": action, "tenant_id": tenant_id, "subdomain": subdomain})
}

/// `validate`, the first action, takes the workflow's input as `input`.
fn validate(tenant_id: &str, subdomain: &str) -> Value {
    json!({"action": "validate", "input": {"tenant_id": tenant_id, "subdomain": subdomain}})
}

async fn provision_all(
    p: &Provisioner,
    tenant_id: &str,
    subdomain: &str,
) -> Result<Vec<Value>, ActionError> {
    let mut responses = vec![p.handle(validate(tenant_id, subdomain)).await?];
    for step in STEPS {
        responses.push(p.handle(event(step, tenant_id, subdomain)).await?);
    }
    Ok(responses)
}

/// A DynamoDB item.
type Item = HashMap<String, AttributeValue>;

async fn tenant_item(clients: &AwsClients, key: &str) -> Option<Item> {
    clients
        .dynamodb
        .get_item()
        .table_name(TENANTS_TABLE)
        .key("tenant_id", AttributeValue::S(key.to_owned()))
        .consistent_read(true)
        .send()
        .await
        .ok()
        .and_then(|o| o.item)
}

fn attr(item: &Item, key: &str) -> String {
    match item.get(key) {
        Some(AttributeValue::S(s)) => s.clone(),
        Some(AttributeValue::N(n)) => n.clone(),
        _ => String::new(),
    }
}

/// Every item in the tenants table whose `subdomain` (or claim key) mentions `subdomain`.
async fn items_for(clients: &AwsClients, subdomain: &str) -> usize {
    let scan = clients
        .dynamodb
        .scan()
        .table_name(TENANTS_TABLE)
        .send()
        .await;
    scan.ok()
        .and_then(|o| o.items)
        .unwrap_or_default()
        .iter()
        .filter(|item| {
            attr(item, "subdomain") == subdomain
                || attr(item, "tenant_id") == format!("#subdomain/{subdomain}")
        })
        .count()
}

async fn host_rules(clients: &AwsClients, host: &str) -> Vec<(String, String)> {
    let listener = &servers().infra.listener_arn;
    let rules = clients
        .elb
        .describe_rules()
        .listener_arn(listener)
        .send()
        .await
        .ok()
        .and_then(|o| o.rules);
    rules
        .unwrap_or_default()
        .into_iter()
        .filter(|rule| {
            rule.conditions.iter().flatten().any(|c| {
                c.host_header_config
                    .iter()
                    .flat_map(|h| h.values.iter().flatten())
                    .any(|v| v == host)
            })
        })
        .map(|rule| {
            (
                rule.rule_arn.unwrap_or_default(),
                rule.priority.unwrap_or_default(),
            )
        })
        .collect()
}

async fn a_records(clients: &AwsClients, fqdn: &str) -> usize {
    let zone = &servers().infra.zone_id;
    let sets = clients
        .route53
        .list_resource_record_sets()
        .hosted_zone_id(zone)
        .send()
        .await;
    sets.map(|o| o.resource_record_sets)
        .unwrap_or_default()
        .iter()
        .filter(|r| r.name.trim_end_matches('.') == fqdn && r.r#type.as_str() == "A")
        .count()
}

/// Every schema in the test database.
async fn schemas() -> Vec<String> {
    servers()
        .sql_strings("SELECT nspname::text FROM pg_namespace")
        .await
}

/// How many ACTIVE task definition revisions `family` has.
async fn task_definition_revisions(clients: &AwsClients, family: &str) -> TestResult<usize> {
    let revisions = clients
        .ecs
        .list_task_definitions()
        .family_prefix(family)
        .send()
        .await?;
    Ok(revisions.task_definition_arns().len())
}

/// How many services called `name` the test cluster has.
async fn services_named(clients: &AwsClients, name: &str) -> TestResult<usize> {
    let services = clients
        .ecs
        .describe_services()
        .cluster(support::CLUSTER)
        .services(name)
        .send()
        .await?;
    Ok(services.services().len())
}

/// How many users the test user pool has.
async fn user_count(clients: &AwsClients) -> TestResult<usize> {
    let users = clients
        .cognito
        .list_users()
        .user_pool_id(&servers().infra.user_pool_id)
        .send()
        .await?;
    Ok(users.users().len())
}

async fn cognito_user(clients: &AwsClients, username: &str) -> TestResult<AdminGetUserOutput> {
    let user = clients
        .cognito
        .admin_get_user()
        .user_pool_id(&servers().infra.user_pool_id)
        .username(username)
        .send()
        .await?;
    Ok(user)
}

/// One of each resource provisioning makes for `subdomain`, however often its actions ran:
/// a schema, a task definition revision per component, a backend and a frontend listener
/// rule, and an A record.
async fn assert_one_of_each_resource(clients: &AwsClients, subdomain: &str) -> TestResult {
    let schema = format!("tenant_{subdomain}");
    let schemas = schemas().await;
    assert_eq!(schemas.iter().filter(|n| **n == schema).count(), 1);
    for component in ["backend", "frontend"] {
        let family = format!("tenant-{subdomain}-{component}");
        assert_eq!(
            task_definition_revisions(clients, &family).await?,
            1,
            "{family}: one ACTIVE revision"
        );
    }
    let host = format!("{subdomain}.{DOMAIN}");
    assert_eq!(
        host_rules(clients, &host).await.len(),
        2,
        "exactly a backend and a frontend rule"
    );
    assert_eq!(a_records(clients, &host).await, 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_creates_user_tenant_registration_and_execution() -> TestResult {
    let (clients, registrar, _) = setup().await;
    let subdomain = unique_subdomain("reg");
    let (tenant_id, response) = register(&registrar, &subdomain).await?;
    assert_eq!(text(&response, "subdomain"), subdomain);
    assert_eq!(text(&response, "status"), "PENDING");

    let tenant = tenant_item(&clients, &tenant_id)
        .await
        .ok_or("no tenant item")?;
    assert_eq!(attr(&tenant, "status"), "PENDING");
    assert_eq!(attr(&tenant, "current_step"), "registered");
    let execution_arn = attr(&tenant, "execution_arn");
    assert_eq!(execution_arn, text(&response, "execution_arn"));

    let execution = clients
        .sfn
        .describe_execution()
        .execution_arn(&execution_arn)
        .send()
        .await?;
    let input: Value = serde_json::from_str(execution.input().unwrap_or_default())?;
    assert_eq!(
        input,
        json!({"tenant_id": tenant_id, "subdomain": subdomain})
    );

    let user = cognito_user(&clients, &format!("owner@{subdomain}.example.org")).await?;
    assert!(user.user_attributes().iter().any(|a| a.name() == "email"));
    // The user is linked to its tenant.
    let linked: Vec<Option<&str>> = user
        .user_attributes()
        .iter()
        .filter(|a| a.name() == "custom:tenant_id")
        .map(|a| a.value())
        .collect();
    assert_eq!(linked, [Some(tenant_id.as_str())]);

    let registration = clients
        .dynamodb
        .get_item()
        .table_name(support::REGISTRATIONS_TABLE)
        .key("tenant_id", AttributeValue::S(tenant_id.clone()))
        .send()
        .await?
        .item
        .ok_or("no registration item")?;
    assert_eq!(attr(&registration, "plan"), "starter");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registering_twice_resumes_and_a_taken_subdomain_is_refused() -> TestResult {
    let (clients, registrar, _) = setup().await;
    let subdomain = unique_subdomain("twice");
    let (first, first_response) = register(&registrar, &subdomain).await?;
    let (second, second_response) = register(&registrar, &subdomain).await?;
    assert_eq!(
        first, second,
        "a retried registration must find its own tenant"
    );
    assert_eq!(first_response, second_response);

    let other = registrar
        .handle(json!({"email": "someone@else.example", "company_name": "Other", "subdomain": subdomain, "plan": "free"}))
        .await;
    assert!(
        matches!(other, Err(ActionError::SubdomainTaken { .. })),
        "{other:?}"
    );
    // One claim plus one tenant item: neither the retry nor the refused registration added any.
    assert_eq!(items_for(&clients, &subdomain).await, 2);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_of_one_tenant_cannot_register_another_tenant() -> TestResult {
    let (clients, registrar, _) = setup().await;
    let first = unique_subdomain("mail");
    let (tenant_id, _) = register(&registrar, &first).await?;
    let second = unique_subdomain("mail");
    let refused = registrar
        .handle(json!({
            "email": format!("owner@{first}.example.org"),
            "company_name": "Second Company",
            "subdomain": second,
            "plan": "starter"
        }))
        .await;
    let Err(error) = refused else {
        return Err(format!("the e-mail spanned two tenants: {refused:?}").into());
    };
    assert_eq!(error.error_name(), "Tenant.EmailInUse");
    assert_eq!(
        error.to_string(),
        format!("e-mail \"owner@{first}.example.org\" is already registered for another tenant")
    );
    // Nothing was written for the second subdomain, and the user still belongs to the first.
    assert_eq!(items_for(&clients, &second).await, 0);
    let user = cognito_user(&clients, &format!("owner@{first}.example.org")).await?;
    assert!(
        user.user_attributes()
            .iter()
            .any(|a| a.name() == "custom:tenant_id" && a.value() == Some(tenant_id.as_str()))
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_registrations_are_refused_and_create_nothing() -> TestResult {
    let (clients, registrar, _) = setup().await;
    let cases = [
        ("www", "Tenant.ReservedSubdomain"),
        ("api", "Tenant.ReservedSubdomain"),
        ("admin", "Tenant.ReservedSubdomain"),
        ("AcmeCorp", "Tenant.InvalidSubdomain"),
        ("a-very-long-subdomain-name-x", "Tenant.InvalidSubdomain"),
        ("x'); DROP SCHEMA public; --", "Tenant.InvalidSubdomain"),
        ("acme\"; DROP ROLE postgres", "Tenant.InvalidSubdomain"),
    ];
    let users_before = user_count(&clients).await?;
    for (subdomain, expected) in cases {
        let result = registrar
            .handle(json!({"email": "bad@input.example", "company_name": "Bad", "subdomain": subdomain, "plan": "free"}))
            .await;
        let error = result.err().ok_or(format!("{subdomain:?} was accepted"))?;
        assert_eq!(error.error_name(), expected, "{subdomain:?}: {error}");
        assert!(
            error.to_string().contains(&format!("{subdomain:?}")),
            "the message names the subdomain: {error}"
        );
        assert_eq!(items_for(&clients, subdomain).await, 0);
    }
    let users_after = user_count(&clients).await?;
    // Other tests register concurrently, so compare on the bad address only.
    let bad_user = cognito_user(&clients, "bad@input.example").await;
    assert!(
        bad_user.is_err(),
        "a refused registration created a Cognito user"
    );
    assert!(users_after >= users_before);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_action_succeeds_and_running_it_twice_changes_nothing() -> TestResult {
    let (clients, registrar, provisioner) = setup().await;
    let subdomain = unique_subdomain("idem");
    let (tenant_id, _) = register(&registrar, &subdomain).await?;

    let first = provision_all(&provisioner, &tenant_id, &subdomain).await?;
    let second = provision_all(&provisioner, &tenant_id, &subdomain)
        .await
        .err();
    // validate refuses an ACTIVE tenant; every other step is repeatable.
    assert!(
        matches!(second, Some(ActionError::InvalidRequest { .. })),
        "{second:?}"
    );
    for (index, step) in STEPS.iter().enumerate() {
        let again = provisioner
            .handle(event(step, &tenant_id, &subdomain))
            .await?;
        assert_eq!(
            first.get(index + 1),
            Some(&again),
            "{step} is not idempotent"
        );
        assert_eq!(text(&again, "tenant_id"), tenant_id);
        assert_eq!(text(&again, "subdomain"), subdomain);
        assert_eq!(text(&again, "action"), *step);
    }

    // One of everything.
    assert_one_of_each_resource(&clients, &subdomain).await?;
    let schema = format!("tenant_{subdomain}");
    let owner = servers()
        .sql_strings(&format!(
            "SELECT pg_get_userbyid(nspowner)::text FROM pg_namespace WHERE nspname = '{schema}'"
        ))
        .await;
    assert_eq!(owner, [format!("{schema}_owner")]);
    for component in ["backend", "frontend"] {
        let family = format!("tenant-{subdomain}-{component}");
        assert_eq!(services_named(&clients, &family).await?, 1);
    }
    for suffix in ["be", "fe"] {
        let groups = clients
            .elb
            .describe_target_groups()
            .names(format!("tnt-{subdomain}-{suffix}"))
            .send()
            .await?;
        assert_eq!(groups.target_groups().len(), 1);
    }
    let host = format!("{subdomain}.{DOMAIN}");

    let tenant = tenant_item(&clients, &tenant_id)
        .await
        .ok_or("tenant item vanished")?;
    assert_eq!(attr(&tenant, "status"), "ACTIVE");
    assert_eq!(attr(&tenant, "current_step"), "finalize");
    let finalize = first.last().ok_or("no responses")?;
    assert_eq!(
        finalize["endpoints"]["app"],
        json!(format!("https://{host}"))
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_action_records_the_current_step() -> TestResult {
    let (clients, registrar, provisioner) = setup().await;
    let subdomain = unique_subdomain("steps");
    let (tenant_id, _) = register(&registrar, &subdomain).await?;
    provisioner.handle(validate(&tenant_id, &subdomain)).await?;
    let tenant = tenant_item(&clients, &tenant_id).await.ok_or("no tenant")?;
    assert_eq!(
        (attr(&tenant, "current_step"), attr(&tenant, "status")),
        ("validate".to_owned(), "PROVISIONING".to_owned())
    );
    for step in STEPS {
        provisioner
            .handle(event(step, &tenant_id, &subdomain))
            .await?;
        let tenant = tenant_item(&clients, &tenant_id).await.ok_or("no tenant")?;
        assert_eq!(attr(&tenant, "current_step"), step);
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_action_input_is_refused_and_creates_nothing() -> TestResult {
    let (clients, registrar, provisioner) = setup().await;
    let subdomain = unique_subdomain("bad");
    let (tenant_id, _) = register(&registrar, &subdomain).await?;
    let schemas_before = schemas().await;
    let unknown = TenantId::generate().to_string();
    let cases = [
        (
            event(
                "create_schema",
                &tenant_id,
                "x\"; DROP SCHEMA public CASCADE; --",
            ),
            "Tenant.InvalidSubdomain",
        ),
        (
            event("create_schema", &tenant_id, "Upper"),
            "Tenant.InvalidSubdomain",
        ),
        (
            event("create_schema", &tenant_id, "www"),
            "Tenant.ReservedSubdomain",
        ),
        (
            event("create_schema", "1; DROP TABLE tenants", &subdomain),
            "Tenant.InvalidTenantId",
        ),
        (
            event("create_schema", &unknown, &subdomain),
            "Tenant.NotFound",
        ),
        (
            event("create_target_group", &tenant_id, "someone-else"),
            "Tenant.SubdomainMismatch",
        ),
        (
            event("deploy_backend", &tenant_id, &subdomain),
            "Tenant.MissingPrerequisite",
        ),
        (
            event("create_alb_rule", &tenant_id, &subdomain),
            "Tenant.MissingPrerequisite",
        ),
        (
            event("drop_tenant", &tenant_id, &subdomain),
            "Tenant.InvalidRequest",
        ),
        (
            json!({"action": "mark_failed", "tenant_id": unknown, "subdomain": subdomain}),
            "Tenant.NotFound",
        ),
    ];
    for (request, expected) in cases {
        let error = provisioner
            .handle(request.clone())
            .await
            .err()
            .ok_or(format!("{request} was accepted"))?;
        assert_eq!(error.error_name(), expected, "{request}: {error}");
    }
    let schemas_after = schemas().await;
    assert_eq!(
        schemas_before, schemas_after,
        "a refused action changed the database"
    );
    assert!(
        tenant_item(&clients, &unknown).await.is_none(),
        "mark_failed created a stray tenant"
    );
    let backend = format!("tenant-{subdomain}-backend");
    assert_eq!(services_named(&clients, &backend).await?, 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mark_failed_records_error_cause_and_failed_step() -> TestResult {
    let (clients, registrar, provisioner) = setup().await;
    let subdomain = unique_subdomain("fail");
    let (tenant_id, _) = register(&registrar, &subdomain).await?;
    provisioner
        .handle(event("create_schema", &tenant_id, &subdomain))
        .await?;
    let request = json!({
        "action": "mark_failed", "tenant_id": tenant_id, "subdomain": subdomain,
        "error": "Tenant.BackendUnhealthy", "cause": "Backend service failed to start"
    });
    let first = provisioner.handle(request.clone()).await?;
    let second = provisioner.handle(request).await?;
    assert_eq!(first, second);
    assert_eq!(text(&first, "status"), "FAILED");
    let tenant = tenant_item(&clients, &tenant_id).await.ok_or("no tenant")?;
    assert_eq!(attr(&tenant, "status"), "FAILED");
    assert_eq!(attr(&tenant, "error"), "Tenant.BackendUnhealthy");
    assert_eq!(attr(&tenant, "cause"), "Backend service failed to start");
    // The step that failed, from the error (53070c5): a backend health failure, not the last
    // step that succeeded (create_schema).
    assert_eq!(attr(&tenant, "failed_step"), "backend_health");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_priority_moves_the_tenant_to_a_fresh_block() -> TestResult {
    let (clients, registrar, provisioner) = setup().await;
    let subdomain = unique_subdomain("prio");
    let (tenant_id, _) = register(&registrar, &subdomain).await?;
    for step in ["create_target_group"] {
        provisioner
            .handle(event(step, &tenant_id, &subdomain))
            .await?;
    }
    // Occupy the next 20 priorities with rules made outside the workflow.
    let counter = tenant_item(&clients, "#counter/alb-priority")
        .await
        .map_or(0, |item| {
            attr(&item, "next_priority").parse::<i32>().unwrap_or(0)
        });
    let blocker_group = clients
        .elb
        .describe_target_groups()
        .names(format!("tnt-{subdomain}-fe"))
        .send()
        .await?
        .target_groups()
        .first()
        .and_then(|g| g.target_group_arn().map(str::to_owned))
        .ok_or("no target group")?;
    let mut taken = BTreeSet::new();
    for priority in counter + 1..=counter + 20 {
        let created = clients
            .elb
            .create_rule()
            .listener_arn(&servers().infra.listener_arn)
            .priority(priority)
            .conditions(
                aws_sdk_elasticloadbalancingv2::types::RuleCondition::builder()
                    .field("host-header")
                    .host_header_config(
                        aws_sdk_elasticloadbalancingv2::types::HostHeaderConditionConfig::builder()
                            .values(format!("blocker{priority}.{DOMAIN}"))
                            .build(),
                    )
                    .build(),
            )
            .actions(
                aws_sdk_elasticloadbalancingv2::types::Action::builder()
                    .r#type(aws_sdk_elasticloadbalancingv2::types::ActionTypeEnum::Forward)
                    .target_group_arn(&blocker_group)
                    .build(),
            )
            .send()
            .await;
        // A concurrent test may have taken it first; either way it is taken.
        if created.is_ok() {
            taken.insert(priority.to_string());
        }
    }
    // The collision moves the counter past every rule in use: one retry is enough.
    let response = provisioner
        .handle(event("create_alb_rule", &tenant_id, &subdomain))
        .await?;
    for key in ["backend_priority", "frontend_priority"] {
        let priority = response[key].to_string();
        assert!(
            !taken.contains(&priority),
            "{key} {priority} collides with a blocker"
        );
    }
    let rules = host_rules(&clients, &format!("{subdomain}.{DOMAIN}")).await;
    assert_eq!(rules.len(), 2);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_tenants_provisioned_at_once_get_distinct_resources() -> TestResult {
    let (clients, registrar, provisioner) = setup().await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (registrar, provisioner) = (registrar.clone(), provisioner.clone());
        let subdomain = unique_subdomain("many");
        tasks.spawn(async move {
            let (tenant_id, _) = register(&registrar, &subdomain).await?;
            let responses = provision_all(&provisioner, &tenant_id, &subdomain).await?;
            Ok::<_, ActionError>((tenant_id, subdomain, responses))
        });
    }
    let mut tenants = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        tenants.push(joined??);
    }
    assert_eq!(tenants.len(), 20);

    let mut priorities = BTreeSet::new();
    let mut hosts = BTreeSet::new();
    let schemas = schemas().await;
    for (tenant_id, subdomain, responses) in &tenants {
        let rule = responses
            .iter()
            .find(|r| text(r, "action") == "create_alb_rule")
            .ok_or("no rule response")?;
        priorities.insert(rule["backend_priority"].to_string());
        priorities.insert(rule["frontend_priority"].to_string());
        let dns = responses
            .iter()
            .find(|r| text(r, "action") == "create_dns")
            .ok_or("no dns response")?;
        hosts.insert(text(dns, "fqdn"));
        assert_eq!(a_records(&clients, &text(dns, "fqdn")).await, 1);
        assert!(
            schemas.contains(&format!("tenant_{subdomain}")),
            "schema for {subdomain} missing"
        );
        let tenant = tenant_item(&clients, tenant_id)
            .await
            .ok_or(format!("tenant {tenant_id} lost"))?;
        assert_eq!(attr(&tenant, "status"), "ACTIVE");
        assert_eq!(attr(&tenant, "subdomain"), *subdomain);
    }
    assert_eq!(
        priorities.len(),
        40,
        "listener priorities collided: {priorities:?}"
    );
    assert_eq!(hosts.len(), 20);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_retries_of_one_tenant_leave_one_of_each_resource() -> TestResult {
    let (clients, registrar, provisioner) = setup().await;
    let subdomain = unique_subdomain("race");
    let (tenant_id, _) = register(&registrar, &subdomain).await?;
    // A Lambda timeout can leave an invocation running while Step Functions retries it.
    for step in STEPS {
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..4 {
            let provisioner = provisioner.clone();
            let request = event(step, &tenant_id, &subdomain);
            tasks.spawn(async move { provisioner.handle(request).await });
        }
        let mut responses = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            responses.push(joined??);
        }
        assert!(
            responses.windows(2).all(|w| w[0] == w[1]),
            "{step} answers differ: {responses:?}"
        );
    }
    assert_one_of_each_resource(&clients, &subdomain).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_plan_sizes_its_services() -> TestResult {
    let (clients, registrar, provisioner) = setup().await;
    // (plan, CPU units, memory MiB, tasks per service): Plan::sizing.
    for (plan, cpu, memory, tasks) in [("free", "256", "512", 1), ("enterprise", "2048", "4096", 2)]
    {
        let subdomain = unique_subdomain(&format!("size{plan}"));
        let (tenant_id, _) = register_on(&registrar, &subdomain, plan).await?;
        provision_all(&provisioner, &tenant_id, &subdomain).await?;
        for component in ["backend", "frontend"] {
            let family = format!("tenant-{subdomain}-{component}");
            let definition = clients
                .ecs
                .describe_task_definition()
                .task_definition(&family)
                .send()
                .await?
                .task_definition
                .ok_or("no task definition")?;
            assert_eq!(
                (definition.cpu(), definition.memory()),
                (Some(cpu), Some(memory)),
                "{plan} {component}"
            );
            let services = clients
                .ecs
                .describe_services()
                .cluster(support::CLUSTER)
                .services(&family)
                .send()
                .await?;
            let desired: Vec<i32> = services
                .services()
                .iter()
                .map(|s| s.desired_count)
                .collect();
            assert_eq!(desired, [tasks], "{plan} {component}");
        }
    }
    Ok(())
}
