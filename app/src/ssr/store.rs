//! The storage port: what the server functions need from storage. The server crate implements it
//! for SQLite and PostgreSQL. Every method that touches tenant data takes the organisation id.

use async_trait::async_trait;
use roster::{Directory, OrgRules, Profile, UserId};

use crate::model::{TeamChoices, TeamPage, TeamQuery, UserForm, UserStatus, Viewer};

/// Why storage refused.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record changed since it was read (optimistic concurrency).
    #[error("the record was changed by someone else")]
    Stale,
    /// A uniqueness rule was broken by a concurrent write.
    #[error("{0} is already taken")]
    Taken(&'static str),
    /// The thing does not exist (in this organisation).
    #[error("not found")]
    NotFound,
    /// Anything else; logged, never shown.
    #[error(transparent)]
    Internal(#[from] Box<dyn std::error::Error + Send + Sync>),
}

/// The stored credentials of a person signing in.
#[derive(Clone, Debug)]
pub struct SignInRecord {
    pub user_id: i64,
    pub org_id: i64,
    pub password_hash: Option<String>,
    pub deactivated: bool,
}

/// A user to insert, fully validated.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub profile: Profile,
    pub leader: Option<UserId>,
    /// Argon2id PHC string of the temporary or initial password.
    pub password_hash: Option<String>,
    pub status: UserStatus,
    pub must_change_password: bool,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// True while no organisation exists (the one-time set-up page is offered).
    async fn needs_setup(&self) -> Result<bool, StoreError>;
    /// Creates an organisation with the default roles; `Taken("slug")` if the slug is in use.
    async fn create_org(&self, slug: &str, name: &str) -> Result<i64, StoreError>;
    /// Creates the first organisation and its admin atomically, only while none exists.
    async fn set_up_first_org(&self, slug: &str, name: &str, admin: &NewUser) -> Result<(i64, i64), StoreError>;
    async fn org_id_by_slug(&self, slug: &str) -> Result<Option<i64>, StoreError>;
    /// Creates a user with the Admin role.
    async fn create_admin(&self, org_id: i64, admin: &NewUser) -> Result<i64, StoreError>;

    async fn sign_in_record(&self, org_slug: &str, email_key: &str) -> Result<Option<SignInRecord>, StoreError>;
    async fn recent_failures(&self, account_key: &str, since: i64) -> Result<Vec<i64>, StoreError>;
    async fn record_failure(&self, account_key: &str, at: i64) -> Result<(), StoreError>;
    async fn clear_failures(&self, account_key: &str) -> Result<(), StoreError>;
    async fn create_session(
        &self,
        token_hash: &str,
        org_id: i64,
        user_id: i64,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError>;
    /// The person a live session belongs to; `None` when expired, unknown or deactivated.
    async fn session_viewer(&self, token_hash: &str, now: i64) -> Result<Option<Viewer>, StoreError>;
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;

    async fn org_rules(&self, org_id: i64) -> Result<OrgRules, StoreError>;
    /// The users a single profile's checks can refer to: owners of its email and employee ID, its
    /// team leader reference, the user being edited, and the leader chain above that reference.
    async fn directory_for(
        &self,
        org_id: i64,
        profile: &Profile,
        editing: Option<i64>,
    ) -> Result<Directory, StoreError>;
    async fn team_options(&self, org_id: i64) -> Result<TeamChoices, StoreError>;
    async fn list_team(&self, org_id: i64, query: &TeamQuery) -> Result<TeamPage, StoreError>;
    /// The user as the edit form shows them, with their version.
    async fn user_form(&self, org_id: i64, user_id: i64) -> Result<Option<(UserForm, UserStatus)>, StoreError>;
    async fn create_user(&self, org_id: i64, actor: i64, user: &NewUser) -> Result<i64, StoreError>;
    /// Updates a user if they are still at `version`; `Stale` otherwise.
    async fn update_user(
        &self,
        org_id: i64,
        actor: i64,
        user_id: i64,
        version: i64,
        profile: &Profile,
        leader: Option<UserId>,
    ) -> Result<(), StoreError>;
}
