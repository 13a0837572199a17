//! The one error type of the tenant actions.
//!
//! A Lambda turns an `ActionError` into its `errorType` (`error_name`, e.g.
//! `Tenant.InvalidSubdomain`) and `errorMessage` (Display), so Step Functions sees a stable error
//! name it can match in Retry/Catch, and a message that names the offending value.

mod transient;

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum ActionError {
    #[error("invalid subdomain {subdomain:?}: {reason}")]
    #[diagnostic(
        code(tenant::validate::invalid_subdomain),
        help("use 3 to 24 lowercase letters, digits and single inner hyphens, e.g. `acme-corp`")
    )]
    InvalidSubdomain { subdomain: String, reason: String },

    #[error("subdomain {subdomain:?} is reserved for the platform")]
    #[diagnostic(
        code(tenant::validate::reserved_subdomain),
        help("choose another subdomain; www, api, admin and other platform names are reserved")
    )]
    ReservedSubdomain { subdomain: String },

    #[error("invalid tenant id {tenant_id:?}: expected a lowercase UUID")]
    #[diagnostic(
        code(tenant::validate::invalid_tenant_id),
        help("pass the tenant_id that registration returned")
    )]
    InvalidTenantId { tenant_id: String },

    #[error("invalid registration field `{field}`: {reason}")]
    #[diagnostic(
        code(tenant::validate::invalid_registration),
        help("fix the field and register again")
    )]
    InvalidRegistration { field: &'static str, reason: String },

    #[error("invalid request: {reason}")]
    #[diagnostic(
        code(tenant::validate::invalid_request),
        help(
            "events are {{\"action\", \"tenant_id\", \"subdomain\"}} (validate: {{\"action\": \"validate\", \"input\": {{...}}}})"
        )
    )]
    InvalidRequest { reason: String },

    #[error("subdomain {subdomain:?} is already taken")]
    #[diagnostic(
        code(tenant::register::subdomain_taken),
        help("choose another subdomain")
    )]
    SubdomainTaken { subdomain: String },

    #[error("e-mail {email:?} is already registered for another tenant")]
    #[diagnostic(
        code(tenant::register::email_in_use),
        help(
            "one e-mail signs in to one tenant: register with another e-mail, or deprovision the tenant that has it first"
        )
    )]
    EmailInUse { email: String },

    #[error("tenant {tenant_id} does not exist")]
    #[diagnostic(
        code(tenant::store::tenant_not_found),
        help("register the tenant first; provisioning only works on registered tenants")
    )]
    TenantNotFound { tenant_id: String },

    #[error("tenant {tenant_id} has subdomain {registered:?}, not {requested:?}")]
    #[diagnostic(
        code(tenant::store::subdomain_mismatch),
        help("the event must carry the subdomain the tenant registered with")
    )]
    SubdomainMismatch {
        tenant_id: String,
        registered: String,
        requested: String,
    },

    #[error("missing configuration: {}", names.join(", "))]
    #[diagnostic(
        code(tenant::config::missing),
        help("set these environment variables on the function (see lambdas/README.md)")
    )]
    MissingConfig { names: Vec<&'static str> },

    #[error("invalid configuration {name}: {reason}")]
    #[diagnostic(
        code(tenant::config::invalid),
        help("see lambdas/README.md for the expected format")
    )]
    InvalidConfig { name: &'static str, reason: String },

    #[error("{service} {operation} failed: {message}")]
    #[diagnostic(
        code(tenant::aws::call_failed),
        help(
            "a permanent failure (the workflow does not retry it): check the function's IAM permissions and that the resource exists"
        )
    )]
    Aws {
        service: &'static str,
        operation: &'static str,
        message: String,
    },

    #[error("{service} {operation} failed, transiently: {message}")]
    #[diagnostic(
        code(tenant::aws::transient),
        help(
            "a throttle, a 5xx, a timeout or a network failure that outlasted the SDK's own retries; the workflow retries Tenant.AwsTransient with backoff"
        )
    )]
    AwsTransient {
        service: &'static str,
        operation: &'static str,
        message: String,
    },

    #[error("database {operation} failed: {message}")]
    #[diagnostic(
        code(tenant::database::failed),
        help(
            "a permanent failure (the workflow does not retry it): check DATABASE_URL and that the database user may create roles and schemas"
        )
    )]
    Database {
        operation: &'static str,
        message: String,
    },

    #[error("database {operation} failed, transiently: {message}")]
    #[diagnostic(
        code(tenant::database::transient),
        help(
            "a lost or refused connection, a restart or failover, a serialization failure or a deadlock; the workflow retries Tenant.DatabaseTransient with backoff"
        )
    )]
    DatabaseTransient {
        operation: &'static str,
        message: String,
    },

    #[error("TLS handshake with the database failed (sslmode={mode}, trusting {roots}): {message}")]
    #[diagnostic(
        code(tenant::database::tls),
        help(
            "a permanent failure: the server's certificate does not chain to the trusted CAs (or, with verify-full, does not name the host). For RDS leave sslrootcert out (the built-in RDS bundle is trusted) or point it at AWS's current bundle; connect to the endpoint name, not an IP address"
        )
    )]
    DatabaseTls {
        mode: &'static str,
        roots: String,
        message: String,
    },

    #[error("secret {secret} is unusable: {reason}")]
    #[diagnostic(
        code(tenant::secrets::invalid_secret),
        help(
            "a tenant's secret is written by tenant-provisioning only; delete it (deprovisioning does) and provision again"
        )
    )]
    InvalidSecret { secret: String, reason: String },

    #[error("SQL identifier {identifier:?} is not a safe lowercase name")]
    #[diagnostic(
        code(tenant::database::unsafe_identifier),
        help("identifiers must match ^[a-z][a-z0-9_]{{0,62}}$")
    )]
    UnsafeIdentifier { identifier: String },

    #[error("{what} {name:?} does not exist yet")]
    #[diagnostic(
        code(tenant::provision::missing_prerequisite),
        help("run the earlier provisioning step that creates it first")
    )]
    MissingPrerequisite { what: &'static str, name: String },

    #[error("could not allocate a free listener rule priority after {attempts} attempts")]
    #[diagnostic(
        code(tenant::provision::priority_exhausted),
        help(
            "the listener has rules at the allocated priorities; check for rules created outside the workflow"
        )
    )]
    PriorityExhausted { attempts: u32 },
}

impl ActionError {
    /// The error name Step Functions sees (`errorType`), stable across messages.
    pub fn error_name(&self) -> &'static str {
        match self {
            Self::InvalidSubdomain { .. } => "Tenant.InvalidSubdomain",
            Self::ReservedSubdomain { .. } => "Tenant.ReservedSubdomain",
            Self::InvalidTenantId { .. } => "Tenant.InvalidTenantId",
            Self::InvalidRegistration { .. } => "Tenant.InvalidRegistration",
            Self::InvalidRequest { .. } => "Tenant.InvalidRequest",
            Self::SubdomainTaken { .. } => "Tenant.SubdomainTaken",
            Self::EmailInUse { .. } => "Tenant.EmailInUse",
            Self::TenantNotFound { .. } => "Tenant.NotFound",
            Self::SubdomainMismatch { .. } => "Tenant.SubdomainMismatch",
            Self::MissingConfig { .. } | Self::InvalidConfig { .. } => "Tenant.ConfigError",
            Self::Aws { .. } => "Tenant.AwsError",
            Self::AwsTransient { .. } => "Tenant.AwsTransient",
            Self::Database { .. } | Self::DatabaseTls { .. } => "Tenant.DatabaseError",
            Self::DatabaseTransient { .. } => "Tenant.DatabaseTransient",
            Self::InvalidSecret { .. } => "Tenant.SecretError",
            Self::UnsafeIdentifier { .. } => "Tenant.UnsafeIdentifier",
            Self::MissingPrerequisite { .. } => "Tenant.MissingPrerequisite",
            Self::PriorityExhausted { .. } => "Tenant.PriorityExhausted",
        }
    }

    /// Wraps an AWS SDK error with the full error chain (the SDK's Display alone is terse), as
    /// `AwsTransient` when the SDK's own classifiers would retry it (error/transient.rs).
    pub fn aws<E>(
        service: &'static str,
        operation: &'static str,
        error: SdkError<E, HttpResponse>,
    ) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let transient = transient::aws_is_transient(&error);
        let message = aws_sdk_dynamodb::error::DisplayErrorContext(error).to_string();
        if transient {
            Self::AwsTransient {
                service,
                operation,
                message,
            }
        } else {
            Self::Aws {
                service,
                operation,
                message,
            }
        }
    }

    /// An AWS call that succeeded but returned no ARN for the resource it made, `name`.
    pub fn no_arn(service: &'static str, operation: &'static str, name: &str) -> Self {
        Self::Aws {
            service,
            operation,
            message: format!("no ARN returned for {name}"),
        }
    }

    pub fn database(operation: &'static str, error: &tokio_postgres::Error) -> Self {
        // The driver's Display hides the server's message; the DbError carries it.
        let message = match error.as_db_error() {
            Some(db) => format!("{}: {}", db.code().code(), db.message()),
            // The source names the socket failure ("Connection refused", "timed out").
            None => aws_sdk_dynamodb::error::DisplayErrorContext(error).to_string(),
        };
        if transient::postgres_is_transient(error) {
            Self::DatabaseTransient { operation, message }
        } else {
            Self::Database { operation, message }
        }
    }
}
