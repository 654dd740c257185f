//! The welcome flow: delayed and single welcome emails, set-password links, the passwords people
//! choose, the profile a newcomer completes, and the Stream.

use async_trait::async_trait;

use super::StoreError;
use crate::welcome::{LinkOwner, OwnProfile, StreamPage, WelcomeState};

/// What a person's password must not contain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersonalWords {
    pub email: Option<String>,
    pub names: Vec<String>,
}

#[async_trait]
pub trait WelcomeStore: Send + Sync + 'static {
    /// How many of the organisation's welcome emails are held by "Delay welcome emails".
    async fn held_welcome_emails(&self, org_id: i64) -> Result<i64, StoreError>;
    /// Releases every held welcome email of the organisation to the mail worker, as one audited
    /// batch; returns how many.
    async fn send_held_welcome_emails(&self, org_id: i64, actor: i64) -> Result<i64, StoreError>;
    /// Schedules a (new) welcome email for one user now; `NotFound` outside the organisation.
    async fn queue_welcome_email(&self, org_id: i64, actor: Option<i64>, user_id: i64) -> Result<(), StoreError>;
    /// The user's latest welcome email.
    async fn welcome_state(&self, org_id: i64, user_id: i64) -> Result<WelcomeState, StoreError>;
    /// Who a live, unused set-password link belongs to, with their email address and names for
    /// the password policy.
    async fn link_owner(&self, token_hash: &str, now: i64) -> Result<Option<(LinkOwner, PersonalWords)>, StoreError>;
    /// Uses a set-password link once: sets the password and activates the user, atomically;
    /// `None` when the link is unknown, used, expired or its user deactivated.
    async fn set_password_with_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<Option<(i64, i64)>, StoreError>;
    /// Uses up a temporary password at its one sign-in: from now on only the session it opened
    /// (or a welcome email's link) can set the real password.
    async fn consume_temporary_password(&self, user_id: i64, password_hash: &str) -> Result<bool, StoreError>;
    /// Sets a signed-in person's own password and ends their other sessions.
    async fn set_own_password(
        &self,
        org_id: i64,
        user_id: i64,
        password_hash: &str,
        keep_session: &str,
    ) -> Result<(), StoreError>;
    /// The email address and names a person's password must not contain.
    async fn personal_words(&self, org_id: i64, user_id: i64) -> Result<PersonalWords, StoreError>;
    async fn own_profile(&self, org_id: i64, user_id: i64) -> Result<OwnProfile, StoreError>;
    /// Saves the bio and state or country a newcomer completed.
    async fn complete_profile(
        &self,
        org_id: i64,
        user_id: i64,
        bio: Option<&str>,
        state_or_country: Option<&str>,
    ) -> Result<(), StoreError>;
    async fn stream(&self, org_id: i64, user_id: i64) -> Result<StreamPage, StoreError>;
}
