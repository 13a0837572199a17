//! The tenant's Cognito user: linked to its tenant by the immutable custom attribute
//! `custom:tenant_id` (issue 15, finding 7).
//!
//! The username is the lowercased e-mail, so one e-mail is one user, and that user signs in to
//! one tenant: registration refuses an e-mail whose user belongs to another tenant
//! (`Tenant.EmailInUse`) instead of letting it silently span two. Teardown deletes the user only
//! when it is linked to the tenant being removed.
//!
//! The user pool must define the attribute (`tenant_id`, String, not mutable, so a user cannot
//! move itself to another tenant): `aws cognito-idp add-custom-attributes --user-pool-id ID
//! --custom-attributes Name=tenant_id,AttributeDataType=String,Mutable=false` on an existing pool
//! (terraform/README.md).

use aws_sdk_cognitoidentityprovider::Client;

use crate::domain::{Email, TenantId};
use crate::error::ActionError;

/// The attribute that names a user's tenant.
pub const TENANT_ATTRIBUTE: &str = "custom:tenant_id";

/// What the pool knows of an e-mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserLink {
    NoUser,
    /// The user exists; its tenant, when it has the attribute.
    Tenant(Option<String>),
}

pub async fn user_link(
    client: &Client,
    user_pool_id: &str,
    email: &Email,
) -> Result<UserLink, ActionError> {
    match client
        .admin_get_user()
        .user_pool_id(user_pool_id)
        .username(email.as_str())
        .send()
        .await
    {
        Ok(user) => Ok(UserLink::Tenant(
            user.user_attributes()
                .iter()
                .find(|a| a.name() == TENANT_ATTRIBUTE)
                .and_then(|a| a.value())
                .map(str::to_owned),
        )),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_user_not_found_exception()) =>
        {
            Ok(UserLink::NoUser)
        }
        Err(e) => Err(ActionError::aws("Cognito", "AdminGetUser", e)),
    }
}

/// Deletes the user of `email` if it belongs to `tenant_id`; true when it did.
pub async fn delete_tenant_user(
    client: &Client,
    user_pool_id: &str,
    email: &Email,
    tenant_id: &TenantId,
) -> Result<bool, ActionError> {
    if user_link(client, user_pool_id, email).await?
        != UserLink::Tenant(Some(tenant_id.as_str().to_owned()))
    {
        return Ok(false);
    }
    match client
        .admin_delete_user()
        .user_pool_id(user_pool_id)
        .username(email.as_str())
        .send()
        .await
    {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_user_not_found_exception()) =>
        {
            Ok(false)
        }
        Err(e) => Err(ActionError::aws("Cognito", "AdminDeleteUser", e)),
    }
}
