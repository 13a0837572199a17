//! The tenant status model stored on the tenant item.

/// Lifecycle of a tenant: registration writes PENDING, validate moves it to PROVISIONING,
/// finalize to ACTIVE, mark_failed to FAILED; deprovisioning moves an ACTIVE or FAILED tenant
/// to DEPROVISIONING and, once everything is removed, DELETED.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TenantStatus {
    Pending,
    Provisioning,
    Active,
    Failed,
    Deprovisioning,
    Deleted,
}

impl TenantStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Provisioning => "PROVISIONING",
            Self::Active => "ACTIVE",
            Self::Failed => "FAILED",
            Self::Deprovisioning => "DEPROVISIONING",
            Self::Deleted => "DELETED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "PENDING" => Some(Self::Pending),
            "PROVISIONING" => Some(Self::Provisioning),
            "ACTIVE" => Some(Self::Active),
            "FAILED" => Some(Self::Failed),
            "DEPROVISIONING" => Some(Self::Deprovisioning),
            "DELETED" => Some(Self::Deleted),
            _ => None,
        }
    }
}

/// The step a tenant is at, recorded as `current_step` by every action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Registered,
    Validate,
    CreateSchema,
    CreateTaskDefinition,
    CreateTargetGroup,
    CreateAlbRule,
    CreateDns,
    DeployBackend,
    DeployFrontend,
    Finalize,
    MarkFailed,
    /// Compensation after a failed provisioning: removes everything the steps created.
    Rollback,
    // Deprovisioning, in the order of workflows/tenant_deprovisioning.flow.
    DeprovisionStart,
    RemoveServices,
    RemoveRouting,
    RemoveTaskDefinitions,
    DropSchema,
    DeprovisionFinish,
}

impl Step {
    /// The action name, as in the workflow's events.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Validate => "validate",
            Self::CreateSchema => "create_schema",
            Self::CreateTaskDefinition => "create_task_definition",
            Self::CreateTargetGroup => "create_target_group",
            Self::CreateAlbRule => "create_alb_rule",
            Self::CreateDns => "create_dns",
            Self::DeployBackend => "deploy_backend",
            Self::DeployFrontend => "deploy_frontend",
            Self::Finalize => "finalize",
            Self::MarkFailed => "mark_failed",
            Self::Rollback => "rollback",
            Self::DeprovisionStart => "deprovision_start",
            Self::RemoveServices => "remove_services",
            Self::RemoveRouting => "remove_routing",
            Self::RemoveTaskDefinitions => "remove_task_definitions",
            Self::DropSchema => "drop_schema",
            Self::DeprovisionFinish => "deprovision_finish",
        }
    }

    /// Whether the action builds the tenant (its name is kept as `attempting_step`, so a
    /// failure is reported at the step that failed, not the last one that succeeded).
    pub fn provisions(self) -> bool {
        matches!(
            self,
            Self::Validate
                | Self::CreateSchema
                | Self::CreateTaskDefinition
                | Self::CreateTargetGroup
                | Self::CreateAlbRule
                | Self::CreateDns
                | Self::DeployBackend
                | Self::DeployFrontend
                | Self::Finalize
        )
    }

    /// Whether the action takes a tenant apart (recorded as `attempting_step` too).
    pub fn deprovisions(self) -> bool {
        matches!(
            self,
            Self::DeprovisionStart
                | Self::RemoveServices
                | Self::RemoveRouting
                | Self::RemoveTaskDefinitions
                | Self::DropSchema
                | Self::DeprovisionFinish
        )
    }

    pub fn parse_action(text: &str) -> Option<Self> {
        [
            Self::Validate,
            Self::CreateSchema,
            Self::CreateTaskDefinition,
            Self::CreateTargetGroup,
            Self::CreateAlbRule,
            Self::CreateDns,
            Self::DeployBackend,
            Self::DeployFrontend,
            Self::Finalize,
            Self::MarkFailed,
            Self::Rollback,
            Self::DeprovisionStart,
            Self::RemoveServices,
            Self::RemoveRouting,
            Self::RemoveTaskDefinitions,
            Self::DropSchema,
            Self::DeprovisionFinish,
        ]
        .into_iter()
        .find(|step| step.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_and_registration_is_not_an_action() {
        assert_eq!(
            Step::parse_action("create_alb_rule"),
            Some(Step::CreateAlbRule)
        );
        assert_eq!(Step::parse_action("registered"), None);
        assert_eq!(Step::parse_action("CREATE_SCHEMA"), None);
        assert_eq!(Step::parse_action("drop_schema"), Some(Step::DropSchema));
        for status in [
            "PENDING",
            "PROVISIONING",
            "ACTIVE",
            "FAILED",
            "DEPROVISIONING",
            "DELETED",
        ] {
            assert_eq!(
                TenantStatus::parse(status).map(TenantStatus::as_str),
                Some(status)
            );
        }
    }
}
