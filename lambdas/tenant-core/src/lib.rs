//! The tenant domain and the actions behind the three tenant Lambdas.
//!
//! - `domain`, `naming`, `status`: pure rules (ids, subdomains, resource names, statuses).
//! - `registration`, `provision`, `health`: the Lambdas' logic over the AWS SDK and PostgreSQL.
//! - `events`: typed requests parsed from the workflow's JSON events, and the response shape.
//!
//! The Lambda binaries (lambdas/tenant-*) are thin `lambda_runtime` mains over these.

pub mod clients;
pub mod cognito;
pub mod config;
pub mod database;
pub mod domain;
pub mod error;
pub mod events;
pub mod health;
pub mod logging;
pub mod naming;
pub mod provision;
pub mod registration;
pub mod secrets;
pub mod status;
pub mod store;

pub use clients::AwsClients;
pub use config::{ProvisioningConfig, RegistrationConfig, StatusConfig};
pub use database::DatabaseTarget;
pub use domain::{Email, Plan, Subdomain, TenantId};
pub use error::ActionError;
pub use events::{ProvisioningRequest, RegistrationRequest, StatusRequest};
pub use health::{
    AwsHealth, Health, HealthSource, ServiceReading, StatusChecker, TargetReading, assess,
};
pub use naming::{Component, TenantNames};
pub use provision::Provisioner;
pub use registration::Registrar;
pub use status::{Step, TenantStatus};
pub use store::TenantStore;
