//! One user at a time: the rules' view of the organisation for a single profile, the edit form,
//! creating and updating a user, deactivation and reactivation.

use async_trait::async_trait;
use roster::{Directory, OrgRules, Profile, UserId};

use super::StoreError;
use crate::user::{UserForm, UserStatus};

/// A user to insert, fully validated.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub profile: Profile,
    pub leader: Option<UserId>,
    /// Argon2id PHC string of the temporary or initial password.
    pub password_hash: Option<String>,
    pub status: UserStatus,
    pub must_change_password: bool,
    /// An identity provider's own id for the user (SCIM `externalId`).
    pub external_id: Option<String>,
    /// An identity provider's login for the user (SCIM `userName`) when it is neither their email
    /// address nor their employee ID; unique within the organisation, ignoring case.
    pub scim_user_name: Option<String>,
    /// The team leader is made able to manage teams in the same write: an identity provider
    /// named them ([`roster::provisioning::promotes`]).
    pub promote_leader: bool,
}

/// What an identity provider knows a new user by, kept with them in the write that creates them.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProviderIds<'a> {
    /// Its own id for the user (SCIM `externalId`).
    pub external_id: Option<&'a str>,
    /// Its login for them, when it is neither their email address nor their employee ID.
    pub user_name: Option<&'a str>,
}

/// A profile to save over an existing user, checked: the profile, its team leader, and whether
/// the write makes that leader able to manage teams ([`roster::provisioning::promotes`]).
#[derive(Clone, Debug)]
pub struct CheckedProfile {
    pub profile: Profile,
    pub leader: Option<UserId>,
    pub promote_leader: bool,
}

#[async_trait]
pub trait UserStore: Send + Sync + 'static {
    async fn org_rules(&self, org_id: i64) -> Result<OrgRules, StoreError>;
    /// The users a single profile's checks can refer to: owners of its email and employee ID, its
    /// team leader reference, the user being edited, and the leader chain above that reference.
    async fn directory_for(
        &self,
        org_id: i64,
        profile: &Profile,
        editing: Option<i64>,
    ) -> Result<Directory, StoreError>;
    /// The user as the edit form shows them, with their version.
    async fn user_form(&self, org_id: i64, user_id: i64) -> Result<Option<(UserForm, UserStatus)>, StoreError>;
    /// Creates a user and schedules their welcome email; `actor` is the admin (none for an API key).
    async fn create_user(&self, org_id: i64, actor: Option<i64>, user: &NewUser) -> Result<i64, StoreError>;
    /// Updates a user if they are still at `version`; `Stale` otherwise. `actor` is the admin who
    /// asks, `key` the API key when an identity provider or a script does.
    async fn update_user(
        &self,
        org_id: i64,
        actor: Option<i64>,
        key: Option<i64>,
        user_id: i64,
        version: i64,
        checked: &CheckedProfile,
    ) -> Result<(), StoreError>;
    /// Checks the deactivation with [`roster::deactivate::plan`] against live data inside one
    /// transaction, then deactivates, reassigns, ends sessions and audits, all or nothing: how
    /// many were deactivated, or `CannotDeactivate`.
    async fn deactivate_users(
        &self,
        org_id: i64,
        actor: Option<i64>,
        selected: &[UserId],
        replacements: &[(UserId, UserId)],
    ) -> Result<usize, StoreError>;
    /// Reactivates a deactivated user, checked with [`roster::deactivate::reactivation`]
    /// (`CannotReactivate` when it refuses).
    async fn reactivate_user(&self, org_id: i64, actor: Option<i64>, user_id: i64) -> Result<(), StoreError>;
}
