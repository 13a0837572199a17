//! Tenant identity rules: the tenant id, the subdomain, and the registration fields.
//!
//! Everything user-supplied is parsed into a newtype here, once, before any AWS or SQL call: a
//! value that reaches a resource name or an SQL identifier has already passed these rules.

use std::fmt;
use std::sync::LazyLock;

use regex_lite::Regex;
use serde::{Deserialize, Serialize};

use crate::error::ActionError;

/// Subdomains are one DNS label: lowercase letters, digits and inner hyphens. 3..=24 characters
/// because the longest derived name, the target group `tnt-<subdomain>-be`, must fit ELBv2's
/// 32-character limit.
pub const SUBDOMAIN_MIN: usize = 3;
pub const SUBDOMAIN_MAX: usize = 24;

/// Labels that belong to the platform itself (or are commonly abused for phishing), from
/// `reserved-subdomains.txt`, which terraform/iam.tf also reads to deny DNS changes to them.
static RESERVED_SUBDOMAINS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    include_str!("../reserved-subdomains.txt")
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .filter(|label| !label.is_empty())
        .collect()
});

/// Whether `label` is one of the platform's reserved subdomains.
pub(crate) fn is_reserved_subdomain(label: &str) -> bool {
    RESERVED_SUBDOMAINS.contains(&label)
}

static SUBDOMAIN_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$").ok());
static TENANT_ID_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$").ok()
});

fn matches(re: &LazyLock<Option<Regex>>, text: &str) -> bool {
    // The patterns are literals that compile; a `None` would fail closed (reject everything).
    re.as_ref().is_some_and(|re| re.is_match(text))
}

/// A validated tenant subdomain, e.g. `acme-corp`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Subdomain(String);

impl Subdomain {
    pub fn parse(text: &str) -> Result<Self, ActionError> {
        let invalid = |reason: String| ActionError::InvalidSubdomain {
            subdomain: text.to_owned(),
            reason,
        };
        if text.len() < SUBDOMAIN_MIN || text.len() > SUBDOMAIN_MAX {
            return Err(invalid(format!(
                "must be {SUBDOMAIN_MIN} to {SUBDOMAIN_MAX} characters long, got {}",
                text.chars().count()
            )));
        }
        if text.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(invalid("must be lowercase".to_owned()));
        }
        if !matches(&SUBDOMAIN_RE, text) {
            return Err(invalid(
                "may contain only a-z, 0-9 and hyphens, and must start and end with a letter or digit"
                    .to_owned(),
            ));
        }
        if text.contains("--") {
            return Err(invalid(
                "must not contain consecutive hyphens (reserved for punycode)".to_owned(),
            ));
        }
        if is_reserved_subdomain(text) {
            return Err(ActionError::ReservedSubdomain {
                subdomain: text.to_owned(),
            });
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Subdomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A tenant id: a lowercase UUID, as registration generates it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct TenantId(String);

impl TenantId {
    pub fn parse(text: &str) -> Result<Self, ActionError> {
        if matches(&TENANT_ID_RE, text) {
            Ok(Self(text.to_owned()))
        } else {
            Err(ActionError::InvalidTenantId {
                tenant_id: text.to_owned(),
            })
        }
    }

    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().hyphenated().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Subscription plans a registration may ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    Free,
    Starter,
    Professional,
    Enterprise,
}

impl Plan {
    pub const NAMES: &[&str] = &["free", "starter", "professional", "enterprise"];

    pub fn parse(text: &str) -> Result<Self, ActionError> {
        match text {
            "free" => Ok(Self::Free),
            "starter" => Ok(Self::Starter),
            "professional" => Ok(Self::Professional),
            "enterprise" => Ok(Self::Enterprise),
            _ => Err(ActionError::InvalidRegistration {
                field: "plan",
                reason: format!("unknown plan {text:?}; expected one of {:?}", Self::NAMES),
            }),
        }
    }

    /// What each of the tenant's two ECS services gets on this plan: Fargate CPU units and
    /// memory (MiB), a valid Fargate pair, and the number of running tasks. Paying plans get more
    /// room, and the top two a second task so one can be replaced without an outage.
    pub(crate) fn sizing(self) -> Sizing {
        let (cpu, memory, tasks) = match self {
            Self::Free => (256, 512, 1),
            Self::Starter => (512, 1024, 1),
            Self::Professional => (1024, 2048, 2),
            Self::Enterprise => (2048, 4096, 2),
        };
        Sizing { cpu, memory, tasks }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Starter => "starter",
            Self::Professional => "professional",
            Self::Enterprise => "enterprise",
        }
    }
}

/// A plan's share of the cluster, per service (see [`Plan::sizing`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sizing {
    /// Fargate CPU units (1024 = one vCPU).
    pub cpu: u32,
    /// Memory in MiB.
    pub memory: u32,
    /// Running tasks per service.
    pub tasks: i32,
}

/// An email address, checked for shape only (Cognito is the authority on deliverability).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(text: &str) -> Result<Self, ActionError> {
        let invalid = |reason: &str| ActionError::InvalidRegistration {
            field: "email",
            reason: format!("{text:?} {reason}"),
        };
        let text = text.trim();
        if text.is_empty() || text.len() > 254 {
            return Err(invalid("must be 1 to 254 characters long"));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid("must not contain whitespace"));
        }
        let Some((local, domain)) = text.split_once('@') else {
            return Err(invalid("has no @"));
        };
        if local.is_empty() || domain.contains('@') || !domain.contains('.') {
            return Err(invalid("is not of the form name@domain.tld"));
        }
        if domain.starts_with('.') || domain.ends_with('.') {
            return Err(invalid("has an empty domain label"));
        }
        // Cognito usernames are case-sensitive; one address must map to one user.
        Ok(Self(text.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A company name: trimmed, 1..=100 characters, no control characters.
pub fn parse_company_name(text: &str) -> Result<String, ActionError> {
    let trimmed = text.trim();
    let count = trimmed.chars().count();
    if count == 0 || count > 100 {
        return Err(ActionError::InvalidRegistration {
            field: "company_name",
            reason: format!("must be 1 to 100 characters long, got {count}"),
        });
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ActionError::InvalidRegistration {
            field: "company_name",
            reason: "must not contain control characters".to_owned(),
        });
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(result: Result<Subdomain, ActionError>) -> &'static str {
        match result {
            Ok(_) => "ok",
            Err(error) => error.error_name(),
        }
    }

    #[test]
    fn subdomain_accepts_lowercase_labels() {
        for ok in [
            "acme",
            "acme-corp",
            "a1b",
            "123",
            "abcdefghijklmnopqrstuvwx",
        ] {
            assert_eq!(code(Subdomain::parse(ok)), "ok", "{ok}");
        }
    }

    #[test]
    fn subdomain_rejects_bad_shapes() {
        for bad in [
            "ab",
            "abcdefghijklmnopqrstuvwxy",
            "Acme",
            "-acme",
            "acme-",
            "ac--me",
            "ac_me",
            "ac.me",
            "acme;drop",
            "x'); DROP SCHEMA public; --",
            "ac me",
            "ａｃｍｅ",
            "",
        ] {
            assert_eq!(
                code(Subdomain::parse(bad)),
                "Tenant.InvalidSubdomain",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn reserved_subdomains_are_refused_by_name() {
        for reserved in ["www", "api", "admin"] {
            assert_eq!(code(Subdomain::parse(reserved)), "Tenant.ReservedSubdomain");
        }
    }

    #[test]
    fn every_plan_gets_a_fargate_size_and_more_as_it_pays_more() {
        // Fargate's valid memory for each CPU size (MiB), from the ECS task-size table.
        let valid = |cpu: u32, memory: u32| match cpu {
            256 => [512, 1024, 2048].contains(&memory),
            512 => (1024..=4096).contains(&memory) && memory.is_multiple_of(1024),
            1024 => (2048..=8192).contains(&memory) && memory.is_multiple_of(1024),
            2048 => (4096..=16384).contains(&memory) && memory.is_multiple_of(1024),
            _ => false,
        };
        let mut previous: Option<Sizing> = None;
        for name in Plan::NAMES {
            let size = Plan::parse(name)
                .map(Plan::sizing)
                .map_err(|e| e.to_string());
            let Ok(size) = size else {
                panic!("{name}: {size:?}");
            };
            assert!(valid(size.cpu, size.memory), "{name}: {size:?}");
            assert!(size.tasks >= 1, "{name}: {size:?}");
            if let Some(before) = previous {
                assert!(
                    size.cpu > before.cpu && size.memory > before.memory,
                    "{name}"
                );
                assert!(size.tasks >= before.tasks, "{name}");
            }
            previous = Some(size);
        }
    }

    #[test]
    fn every_label_of_the_reserved_file_is_refused_as_reserved() {
        // Each entry must be refused for being reserved, not for its shape: an entry the other
        // rules already reject (too short, uppercase) would be dead in the IAM deny as well.
        assert!(
            RESERVED_SUBDOMAINS.len() >= 20,
            "{:?}",
            *RESERVED_SUBDOMAINS
        );
        for reserved in RESERVED_SUBDOMAINS.iter() {
            assert_eq!(
                code(Subdomain::parse(reserved)),
                "Tenant.ReservedSubdomain",
                "{reserved}"
            );
        }
        assert!(!is_reserved_subdomain("acme-corp"));
    }

    #[test]
    fn uppercase_subdomain_says_lowercase() {
        let Err(error) = Subdomain::parse("AcmeCorp") else {
            panic!("uppercase accepted");
        };
        assert!(error.to_string().contains("lowercase"), "{error}");
    }

    #[test]
    fn tenant_id_must_be_a_lowercase_uuid() {
        assert!(TenantId::parse(TenantId::generate().as_str()).is_ok());
        assert!(TenantId::parse("0F8FAD5B-D9CB-469F-A165-70867728950E").is_err());
        assert!(TenantId::parse("tenant-1").is_err());
        assert!(TenantId::parse("0f8fad5b-d9cb-469f-a165-70867728950e\"; --").is_err());
    }

    #[test]
    fn email_is_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Alice@Example.COM ")
                .map(|e| e.as_str().to_owned())
                .ok(),
            Some("alice@example.com".to_owned())
        );
        for bad in [
            "",
            "alice",
            "alice@",
            "@example.com",
            "a@b",
            "a b@c.de",
            "a@.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn plan_and_company_name_are_checked() {
        assert_eq!(Plan::parse("starter").ok(), Some(Plan::Starter));
        assert!(Plan::parse("gold").is_err());
        assert_eq!(
            parse_company_name("  Acme Inc ").ok().as_deref(),
            Some("Acme Inc")
        );
        assert!(parse_company_name("   ").is_err());
        assert!(parse_company_name(&"x".repeat(101)).is_err());
    }
}
