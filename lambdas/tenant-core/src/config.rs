//! Configuration from environment variables (the names are listed in lambdas/README.md).
//!
//! Each Lambda reads only what it uses, and reports every missing variable at once. Parsing goes
//! through a lookup function so tests never mutate the process environment.

use crate::database::DatabaseTarget;
use crate::error::ActionError;

/// Reads variables through `lookup`, collecting the names of the missing ones.
struct Reader<F> {
    lookup: F,
    missing: Vec<&'static str>,
    /// The first variable that is set but does not parse.
    invalid: Option<ActionError>,
}

impl<F: Fn(&str) -> Option<String>> Reader<F> {
    fn new(lookup: F) -> Self {
        Self {
            lookup,
            missing: Vec::new(),
            invalid: None,
        }
    }

    fn required(&mut self, name: &'static str) -> String {
        match (self.lookup)(name).map(|value| value.trim().to_owned()) {
            Some(value) if !value.is_empty() => value,
            _ => {
                self.missing.push(name);
                String::new()
            }
        }
    }

    fn optional(&self, name: &'static str) -> Option<String> {
        (self.lookup)(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    fn list(&mut self, name: &'static str) -> Vec<String> {
        self.required(name)
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// A required variable parsed by `parse`; a parse error is reported by `finish` (after the
    /// missing variables), the default only fills the gap until then.
    fn parsed<T: Default>(
        &mut self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, ActionError>,
    ) -> T {
        let text = self.required(name);
        if text.is_empty() {
            return T::default();
        }
        parse(&text).unwrap_or_else(|e| {
            self.invalid.get_or_insert(e);
            T::default()
        })
    }

    fn finish<T>(self, value: T) -> Result<T, ActionError> {
        if !self.missing.is_empty() {
            return Err(ActionError::MissingConfig {
                names: self.missing,
            });
        }
        match self.invalid {
            Some(error) => Err(error),
            None => Ok(value),
        }
    }
}

fn env_lookup(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// tenant-registration's settings.
#[derive(Clone, Debug)]
pub struct RegistrationConfig {
    pub tenants_table: String,
    pub registrations_table: String,
    pub state_machine_arn: String,
    pub user_pool_id: String,
}

impl RegistrationConfig {
    pub fn from_env() -> Result<Self, ActionError> {
        Self::from_lookup(env_lookup)
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ActionError> {
        let mut r = Reader::new(lookup);
        let config = Self {
            tenants_table: r.required("TENANTS_TABLE"),
            registrations_table: r.required("REGISTRATIONS_TABLE"),
            state_machine_arn: r.required("STATE_MACHINE_ARN"),
            user_pool_id: r.required("COGNITO_USER_POOL_ID"),
        };
        r.finish(config)
    }
}

/// tenant-provisioning's settings.
#[derive(Clone, Debug)]
pub struct ProvisioningConfig {
    pub tenants_table: String,
    pub ecs_cluster_name: String,
    pub vpc_id: String,
    pub private_subnet_ids: Vec<String>,
    pub security_group_ids: Vec<String>,
    pub alb_arn: String,
    pub alb_listener_arn: String,
    pub route53_zone_id: String,
    /// Tenants live at `<subdomain>.<domain_name>`; stored without a trailing dot.
    pub domain_name: String,
    /// DATABASE_URL, parsed: a malformed string or an unknown `sslmode` fails at cold start.
    /// Endpoint and TLS only: a password in it is refused (the credentials are the secret's).
    pub database: DatabaseTarget,
    /// The master user's secret (JSON username/password, as RDS's managed master secret).
    pub database_secret_arn: String,
    pub backend_image: String,
    pub frontend_image: String,
    /// The tenants' user pool: teardown deletes the tenant's user.
    pub user_pool_id: String,
    /// Optional: the ECS task execution role (needed on real AWS to pull from ECR and log).
    pub task_execution_role_arn: Option<String>,
    /// Optional: the role the tenant's containers run as.
    pub task_role_arn: Option<String>,
    /// Optional: a CloudWatch log group for the containers (awslogs driver), in `aws_region`.
    pub tenant_log_group: Option<String>,
    /// Lambda sets AWS_REGION; the awslogs driver needs it spelled out.
    pub aws_region: Option<String>,
}

impl ProvisioningConfig {
    pub fn from_env() -> Result<Self, ActionError> {
        Self::from_lookup(env_lookup)
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ActionError> {
        let mut r = Reader::new(lookup);
        let config = Self {
            tenants_table: r.required("TENANTS_TABLE"),
            ecs_cluster_name: r.required("ECS_CLUSTER_NAME"),
            vpc_id: r.required("VPC_ID"),
            private_subnet_ids: r.list("PRIVATE_SUBNET_IDS"),
            security_group_ids: r.list("SECURITY_GROUP_IDS"),
            alb_arn: r.required("ALB_ARN"),
            alb_listener_arn: r.required("ALB_LISTENER_ARN"),
            route53_zone_id: r.required("ROUTE53_ZONE_ID"),
            domain_name: r
                .required("DOMAIN_NAME")
                .trim_end_matches('.')
                .to_ascii_lowercase(),
            database: r.parsed("DATABASE_URL", parse_database_url),
            database_secret_arn: r.required("DATABASE_SECRET_ARN"),
            backend_image: r.required("BACKEND_IMAGE"),
            frontend_image: r.required("FRONTEND_IMAGE"),
            user_pool_id: r.required("COGNITO_USER_POOL_ID"),
            task_execution_role_arn: r.optional("TASK_EXECUTION_ROLE_ARN"),
            task_role_arn: r.optional("TASK_ROLE_ARN"),
            tenant_log_group: r.optional("TENANT_LOG_GROUP"),
            aws_region: r.optional("AWS_REGION"),
        };
        r.finish(config)
    }
}

/// DATABASE_URL without credentials: a password there would sit in plain text in the function's
/// configuration and in Terraform state, which is what the secret is for.
fn parse_database_url(url: &str) -> Result<DatabaseTarget, ActionError> {
    let target = DatabaseTarget::parse(url)?;
    if target.has_password() {
        return Err(ActionError::InvalidConfig {
            name: "DATABASE_URL",
            reason: "it holds a password: leave user and password out (postgres://<endpoint>:5432/<db>?sslmode=verify-full) and put them in the secret DATABASE_SECRET_ARN names".to_owned(),
        });
    }
    Ok(target)
}

/// tenant-status-checker's settings.
#[derive(Clone, Debug)]
pub struct StatusConfig {
    pub tenants_table: String,
    pub ecs_cluster_name: String,
}

impl StatusConfig {
    pub fn from_env() -> Result<Self, ActionError> {
        Self::from_lookup(env_lookup)
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ActionError> {
        let mut r = Reader::new(lookup);
        let config = Self {
            tenants_table: r.required("TENANTS_TABLE"),
            ecs_cluster_name: r.required("ECS_CLUSTER_NAME"),
        };
        r.finish(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_missing_variable_is_reported_at_once() {
        let Err(ActionError::MissingConfig { names }) = StatusConfig::from_lookup(|_| None) else {
            panic!("empty environment accepted");
        };
        assert_eq!(names, ["TENANTS_TABLE", "ECS_CLUSTER_NAME"]);
    }

    #[test]
    fn lists_are_comma_separated_and_domain_loses_its_dot() {
        let config = ProvisioningConfig::from_lookup(|name| {
            Some(match name {
                "PRIVATE_SUBNET_IDS" => "subnet-a, subnet-b,".to_owned(),
                "DOMAIN_NAME" => "Example.COM.".to_owned(),
                "DATABASE_URL" => "host=db user=master".to_owned(),
                "TASK_EXECUTION_ROLE_ARN" => " ".to_owned(),
                other => format!("value-of-{other}"),
            })
        });
        let Ok(config) = config else {
            panic!("complete environment rejected: {config:?}");
        };
        assert_eq!(config.private_subnet_ids, ["subnet-a", "subnet-b"]);
        assert_eq!(config.domain_name, "example.com");
        assert_eq!(config.task_execution_role_arn, None);
    }

    #[test]
    fn a_database_url_with_a_password_is_refused() {
        let config = ProvisioningConfig::from_lookup(|name| {
            Some(match name {
                "DATABASE_URL" => "postgres://master:hunter2@db:5432/app".to_owned(),
                other => format!("value-of-{other}"),
            })
        });
        let error = config.err();
        assert!(
            matches!(error, Some(ActionError::InvalidConfig { name: "DATABASE_URL", ref reason }) if reason.contains("DATABASE_SECRET_ARN") && !reason.contains("hunter2")),
            "{error:?}"
        );
    }

    #[test]
    fn a_malformed_database_url_fails_cold_start_after_the_missing_variables() {
        let bad_url = |name: &str| match name {
            "DATABASE_URL" => Some("host=db sslmode=verify-everything".to_owned()),
            other => Some(format!("value-of-{other}")),
        };
        let error = ProvisioningConfig::from_lookup(bad_url).err();
        assert!(
            matches!(error, Some(ActionError::InvalidConfig { name: "DATABASE_URL", ref reason }) if reason.contains("verify-everything")),
            "{error:?}"
        );
        let both = ProvisioningConfig::from_lookup(|name| match name {
            "VPC_ID" => None,
            other => bad_url(other),
        });
        assert!(
            matches!(both, Err(ActionError::MissingConfig { ref names }) if names == &["VPC_ID"]),
            "{both:?}"
        );
    }
}
