//! tenant-provisioning: one action per workflow step, each idempotent.
//!
//! Every action first checks that the tenant exists and owns the subdomain, then finds what an
//! earlier run created (by the names in `naming`) before creating anything, and finally records
//! the step on the tenant item. Running an action twice leaves one resource and returns the same
//! response.

mod dns;
mod ecs;
mod elb;
mod lifecycle;
mod schema;
mod teardown;

use serde::Serialize;
use serde_json::Value;

use crate::clients::AwsClients;
use crate::config::ProvisioningConfig;
use crate::domain::{Plan, Sizing, Subdomain, TenantId};
use crate::error::ActionError;
use crate::events::{ProvisioningRequest, Response};
use crate::naming::TenantNames;
use crate::status::Step;
use crate::store::TenantStore;

pub use schema::{SqlIdent, create_schema};

/// The provisioning Lambda's state: configuration and clients, built once per container.
#[derive(Clone, Debug)]
pub struct Provisioner {
    config: ProvisioningConfig,
    clients: AwsClients,
    store: TenantStore,
}

/// The tenant an action works on, already checked against the tenants table.
struct Target<'a> {
    tenant_id: &'a TenantId,
    subdomain: &'a Subdomain,
    names: TenantNames,
    /// From the tenant's record; only the steps that size services need it.
    plan: Option<Plan>,
}

impl Target<'_> {
    /// The tenant's plan's service size; a record without a plan is refused, not given a default.
    fn sizing(&self) -> Result<Sizing, ActionError> {
        self.plan
            .map(Plan::sizing)
            .ok_or_else(|| ActionError::MissingPrerequisite {
                what: "plan on the tenant record",
                name: self.tenant_id.to_string(),
            })
    }
}

impl Provisioner {
    pub fn new(config: ProvisioningConfig, clients: AwsClients) -> Self {
        let store = TenantStore::new(clients.dynamodb.clone(), config.tenants_table.clone());
        Self {
            config,
            clients,
            store,
        }
    }

    pub fn store(&self) -> &TenantStore {
        &self.store
    }

    /// DATABASE_URL's endpoint with the master user's credentials, read from the master secret
    /// now (secrets.rs says why it is not cached).
    pub async fn master_database(&self) -> Result<crate::database::DatabaseTarget, ActionError> {
        crate::secrets::master_database(
            &self.clients.secrets,
            &self.config.database_secret_arn,
            &self.config.database,
        )
        .await
    }

    /// Parses a raw event and runs it: what the Lambda handler calls.
    pub async fn handle(&self, event: Value) -> Result<Value, ActionError> {
        let line = crate::logging::ActionLine::begin(&event, "unknown");
        let result = match ProvisioningRequest::parse(event) {
            Ok(request) => self.run(request).await,
            Err(e) => Err(e),
        };
        line.end(result.as_ref());
        result
    }

    pub async fn run(&self, request: ProvisioningRequest) -> Result<Value, ActionError> {
        match request {
            ProvisioningRequest::MarkFailed {
                tenant_id,
                subdomain,
                error,
                cause,
            } => {
                let details =
                    lifecycle::mark_failed(&self.store, &tenant_id, &error, &cause).await?;
                respond(tenant_id.as_str(), &subdomain, Step::MarkFailed, details)
            }
            ProvisioningRequest::Step {
                step,
                tenant_id,
                subdomain,
            } => {
                let record = self.store.require(&tenant_id, &subdomain).await?;
                if step.provisions() || step.deprovisions() {
                    // Kept apart from current_step (the last step that succeeded), so that
                    // mark_failed can name the step that failed.
                    self.store.record_attempt(&tenant_id, step).await?;
                }
                let target = Target {
                    tenant_id: &tenant_id,
                    subdomain: &subdomain,
                    names: TenantNames::new(&subdomain),
                    plan: record.plan(),
                };
                let id = tenant_id.as_str();
                let sub = subdomain.as_str();
                match step {
                    Step::Validate => respond(
                        id,
                        sub,
                        step,
                        lifecycle::validate(&self.store, &record).await?,
                    ),
                    Step::CreateSchema => {
                        let database = self.master_database().await?;
                        // The secret first: a retry after a failure below reads the same
                        // password back and gives it to the role again.
                        let secret = crate::secrets::ensure_tenant_secret(
                            &self.clients.secrets,
                            &tenant_id,
                            &target.names.role(),
                            &target.names.schema(),
                            &self.config.database.endpoint(),
                        )
                        .await?;
                        let mut details =
                            create_schema(&database, &target.names, &secret.credentials.password)
                                .await?;
                        details.secret_arn = Some(secret.arn);
                        self.store
                            .record_step(
                                &tenant_id,
                                step,
                                None,
                                vec![
                                    ("schema_name", crate::store::s(&details.schema)),
                                    (
                                        "db_secret_arn",
                                        crate::store::s(
                                            details.secret_arn.as_deref().unwrap_or_default(),
                                        ),
                                    ),
                                ],
                            )
                            .await?;
                        respond(id, sub, step, details)
                    }
                    Step::CreateTaskDefinition => respond(
                        id,
                        sub,
                        step,
                        ecs::create_task_definitions(self, &target).await?,
                    ),
                    Step::CreateTargetGroup => respond(
                        id,
                        sub,
                        step,
                        elb::create_target_groups(self, &target).await?,
                    ),
                    Step::CreateAlbRule => respond(
                        id,
                        sub,
                        step,
                        elb::create_rules(self, &target, &record).await?,
                    ),
                    Step::CreateDns => {
                        respond(id, sub, step, dns::create_dns(self, &target).await?)
                    }
                    Step::DeployBackend => respond(
                        id,
                        sub,
                        step,
                        ecs::deploy(self, &target, crate::naming::Component::Backend).await?,
                    ),
                    Step::DeployFrontend => respond(
                        id,
                        sub,
                        step,
                        ecs::deploy(self, &target, crate::naming::Component::Frontend).await?,
                    ),
                    Step::Finalize => {
                        respond(id, sub, step, lifecycle::finalize(self, &target).await?)
                    }
                    Step::Rollback => respond(
                        id,
                        sub,
                        step,
                        teardown::rollback(self, &target, &record).await?,
                    ),
                    Step::DeprovisionStart => respond(
                        id,
                        sub,
                        step,
                        teardown::start(self, &target, &record).await?,
                    ),
                    Step::RemoveServices => {
                        let details = teardown::remove_services(self, &target.names).await?;
                        self.store
                            .record_step(&tenant_id, step, None, Vec::new())
                            .await?;
                        respond(id, sub, step, details)
                    }
                    Step::RemoveRouting => {
                        let details = teardown::remove_routing(self, &target.names).await?;
                        self.store
                            .record_step(&tenant_id, step, None, Vec::new())
                            .await?;
                        respond(id, sub, step, details)
                    }
                    Step::RemoveTaskDefinitions => {
                        let details =
                            teardown::remove_task_definitions(self, &target.names).await?;
                        self.store
                            .record_step(&tenant_id, step, None, Vec::new())
                            .await?;
                        respond(id, sub, step, details)
                    }
                    Step::DropSchema => {
                        let details = teardown::drop_schema(self, &target).await?;
                        self.store
                            .record_step(&tenant_id, step, None, Vec::new())
                            .await?;
                        respond(id, sub, step, details)
                    }
                    Step::DeprovisionFinish => respond(
                        id,
                        sub,
                        step,
                        teardown::finish(self, &target, &record).await?,
                    ),
                    Step::MarkFailed | Step::Registered => Err(ActionError::InvalidRequest {
                        reason: format!("{} is not a provisioning step", step.as_str()),
                    }),
                }
            }
        }
    }
}

fn respond<T: Serialize>(
    tenant_id: &str,
    subdomain: &str,
    step: Step,
    details: T,
) -> Result<Value, ActionError> {
    let response = Response {
        tenant_id: tenant_id.to_owned(),
        subdomain: subdomain.to_owned(),
        action: step.as_str(),
        details,
    };
    serde_json::to_value(response).map_err(|e| ActionError::InvalidRequest {
        reason: format!("response could not be serialised: {e}"),
    })
}

/// Turns an SDK builder's "required field missing" error into an action error.
fn built<T, E: std::fmt::Display>(
    service: &'static str,
    what: &'static str,
    result: Result<T, E>,
) -> Result<T, ActionError> {
    result.map_err(|e| ActionError::Aws {
        service,
        operation: what,
        message: e.to_string(),
    })
}
