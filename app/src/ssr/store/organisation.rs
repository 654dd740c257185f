//! The Roles and Groups tabs.

use async_trait::async_trait;
use roster::organisation::{GroupName, RoleName};

use super::StoreError;
use crate::organisation::{GroupRow, Provisioning, RoleChange, RolesTab};
use roster::provisioning::ProvisioningDefaults;

#[async_trait]
pub trait OrganisationStore: Send + Sync + 'static {
    async fn roles(&self, org_id: i64) -> Result<RolesTab, StoreError>;
    /// Creates a custom role; `Taken` when a role of that name (in any case) exists.
    async fn create_role(&self, org_id: i64, actor: i64, name: &RoleName) -> Result<i64, StoreError>;
    async fn rename_role(&self, org_id: i64, actor: i64, role_id: i64, name: &RoleName) -> Result<(), StoreError>;
    /// Deactivates, reactivates or deletes a custom role; `InUse` when deleting one people hold.
    async fn change_role(&self, org_id: i64, actor: i64, role_id: i64, change: RoleChange) -> Result<(), StoreError>;
    async fn set_uses_custom_roles(&self, org_id: i64, actor: i64, on: bool) -> Result<(), StoreError>;
    async fn groups(&self, org_id: i64) -> Result<Vec<GroupRow>, StoreError>;
    /// Creates a group; `Taken` when one of exactly that name exists.
    async fn create_group(&self, org_id: i64, actor: Option<i64>, name: &GroupName) -> Result<i64, StoreError>;
    async fn rename_group(
        &self,
        org_id: i64,
        actor: Option<i64>,
        group_id: i64,
        name: &GroupName,
    ) -> Result<(), StoreError>;
    /// Deletes a group and its memberships; returns how many members it had.
    async fn delete_group(&self, org_id: i64, actor: Option<i64>, group_id: i64) -> Result<i64, StoreError>;
    /// Where people sent by identity providers and scripts land.
    async fn provisioning(&self, org_id: i64) -> Result<Provisioning, StoreError>;
    /// Saves the provisioning defaults; the team leader, judged against live data, must be able to
    /// lead (`CannotLead` says why not).
    async fn set_provisioning(
        &self,
        org_id: i64,
        actor: i64,
        defaults: &ProvisioningDefaults,
    ) -> Result<(), StoreError>;
}
