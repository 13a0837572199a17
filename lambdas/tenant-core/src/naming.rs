//! Names of every AWS and PostgreSQL resource a tenant owns, derived from its subdomain.
//!
//! Names are a pure function of the (validated, unique) subdomain, so each action can find what
//! an earlier run created by name: that is what makes retried actions idempotent.

use crate::domain::Subdomain;

/// The two ECS services every tenant runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Component {
    Backend,
    Frontend,
}

impl Component {
    pub const ALL: [Component; 2] = [Component::Backend, Component::Frontend];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Backend => "backend",
            Self::Frontend => "frontend",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "backend" => Some(Self::Backend),
            "frontend" => Some(Self::Frontend),
            _ => None,
        }
    }

    /// The container port the service listens on (and its target group forwards to).
    pub fn port(self) -> i32 {
        match self {
            Self::Backend => 8080,
            Self::Frontend => 80,
        }
    }

    pub fn health_check_path(self) -> &'static str {
        match self {
            Self::Backend => "/health",
            Self::Frontend => "/",
        }
    }

    fn short(self) -> &'static str {
        match self {
            Self::Backend => "be",
            Self::Frontend => "fe",
        }
    }
}

/// The resource names of one tenant.
#[derive(Clone, Debug)]
pub struct TenantNames {
    subdomain: Subdomain,
}

impl TenantNames {
    pub fn new(subdomain: &Subdomain) -> Self {
        Self {
            subdomain: subdomain.clone(),
        }
    }

    /// PostgreSQL schema: `tenant_<subdomain with - as _>`. Subdomains have no `_`, so the
    /// mapping is one-to-one; at most 31 characters, well under PostgreSQL's 63.
    pub fn schema(&self) -> String {
        format!("tenant_{}", self.subdomain.as_str().replace('-', "_"))
    }

    /// PostgreSQL role owning the schema.
    pub fn role(&self) -> String {
        format!("{}_owner", self.schema())
    }

    /// ECS task definition family and service name (both `tenant-<subdomain>-<component>`).
    pub fn family(&self, component: Component) -> String {
        format!("tenant-{}-{}", self.subdomain, component.as_str())
    }

    pub fn service(&self, component: Component) -> String {
        self.family(component)
    }

    /// The container name inside the task definition (the load balancer binds to it).
    pub fn container(&self, component: Component) -> &'static str {
        component.as_str()
    }

    /// ELBv2 target group: `tnt-<subdomain>-be|fe`, at most 32 characters.
    pub fn target_group(&self, component: Component) -> String {
        format!("tnt-{}-{}", self.subdomain, component.short())
    }

    /// The tenant's host name, `<subdomain>.<domain>`.
    pub fn host(&self, domain: &str) -> String {
        format!("{}.{}", self.subdomain, domain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SUBDOMAIN_MAX;

    #[test]
    fn longest_subdomain_fits_every_limit() {
        let longest = "a".repeat(SUBDOMAIN_MAX);
        let Ok(subdomain) = Subdomain::parse(&longest) else {
            panic!("longest subdomain rejected");
        };
        let names = TenantNames::new(&subdomain);
        for component in Component::ALL {
            assert!(names.target_group(component).len() <= 32);
            assert!(names.service(component).len() <= 255);
        }
        assert!(names.role().len() <= 63);
    }

    #[test]
    fn hyphens_become_underscores_in_sql_names() {
        let Ok(subdomain) = Subdomain::parse("acme-corp") else {
            panic!("valid subdomain rejected");
        };
        let names = TenantNames::new(&subdomain);
        assert_eq!(names.schema(), "tenant_acme_corp");
        assert_eq!(names.role(), "tenant_acme_corp_owner");
        assert_eq!(names.target_group(Component::Backend), "tnt-acme-corp-be");
        assert_eq!(names.host("example.com"), "acme-corp.example.com");
    }
}
