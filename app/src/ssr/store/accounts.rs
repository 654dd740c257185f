//! Organisations' first set-up, sign-in records, sessions and failed sign-ins.

use async_trait::async_trait;

use super::{NewUser, StoreError};
use crate::session::Viewer;

/// The stored credentials of a person signing in.
#[derive(Clone, Debug)]
pub struct SignInRecord {
    pub user_id: i64,
    pub org_id: i64,
    pub password_hash: Option<String>,
    pub deactivated: bool,
    /// The password is a temporary one from the spreadsheet: it signs in once, then must be changed.
    pub must_change_password: bool,
}

#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    /// True while no organisation exists (the one-time set-up page is offered).
    async fn needs_setup(&self) -> Result<bool, StoreError>;
    /// Creates the first organisation and its admin atomically, only while none exists
    /// (`AlreadySetUp` otherwise).
    async fn set_up_first_org(&self, slug: &str, name: &str, admin: &NewUser) -> Result<(i64, i64), StoreError>;
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
}
