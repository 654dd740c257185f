//! The storage port: what the server functions need from storage. The server crate implements it
//! for SQLite and PostgreSQL. Every method that touches tenant data takes the organisation id.

use std::collections::HashMap;

use async_trait::async_trait;
use roster::current::TeamSnapshot;
use roster::deactivate::DeactivationError;
use roster::organisation::{ApiKeyName, GroupName, RoleName};
use roster::report::{Counts, Report};
use roster::{Directory, OrgRules, Profile, Snapshot, UserId};

use crate::bulk::{BatchDetail, BatchRow};
use crate::keys::ApiKeyRow;
use crate::model::{Choice, TeamChoices, TeamPage, TeamQuery, UserForm, UserStatus, Viewer};
use crate::provisioning::{Employee, EmployeeFilter};
use crate::teams::{GroupRow, RoleChange, RolesTab, Scope};
use crate::welcome::{LinkOwner, OwnProfile, StreamPage, WelcomeState};

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
    /// A role people hold cannot be deleted.
    #[error("the role {name} is held by {holders} users")]
    InUse { name: String, holders: i64 },
    /// The default roles cannot be renamed, deactivated or deleted.
    #[error("a built-in role cannot be changed")]
    BuiltIn,
    /// Anything else; logged, never shown.
    #[error(transparent)]
    Internal(#[from] Box<dyn std::error::Error + Send + Sync>),
}

/// Maps a storage failure to the wire error, for a server function or the provisioning API:
/// internal ones are logged and made opaque.
pub fn store_error(error: StoreError) -> crate::AppError {
    use crate::AppError;
    match error {
        StoreError::NotFound => AppError::NotFound,
        StoreError::Stale => AppError::Conflict(
            "Someone else changed this user while you were editing; reload the page to see their changes, then make yours again.".into(),
        ),
        StoreError::Taken(what) => AppError::Conflict(format!("That {what} is already taken; choose another.")),
        StoreError::InUse { name, holders } => AppError::Conflict(roster::organisation::role_in_use(&name, holders)),
        StoreError::BuiltIn => AppError::Conflict(
            "Admin, Team Leader and Team Member are built in: they cannot be renamed, deactivated or deleted.".into(),
        ),
        StoreError::Internal(error) => crate::error::internal(error),
    }
}

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
}

/// What an identity provider changes about one user, applied in one transaction (SCIM's atomic
/// PATCH and PUT). Each part is optional.
pub struct Provisioning<'a> {
    /// The profile checked by the rules, its team leader, the identity provider's id (replaced
    /// when given), and the version the caller read: applied only if the user is still at it.
    pub profile: Option<(&'a Profile, Option<UserId>, Option<&'a str>, i64)>,
    /// Deactivate (their team moving to this leader, if any) or reactivate.
    pub active: Option<(bool, Option<UserId>)>,
}

/// Who started an import, for the batch record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Importer {
    /// An admin in the browser.
    Admin(i64),
    /// An organisation API key over HTTP.
    ApiKey(i64),
    /// The server's command line.
    CommandLine,
}

impl Importer {
    /// The admin who imported, if an admin did.
    pub fn admin(self) -> Option<i64> {
        match self {
            Importer::Admin(id) => Some(id),
            _ => None,
        }
    }

    /// The API key that imported, if one did.
    pub fn api_key(self) -> Option<i64> {
        match self {
            Importer::ApiKey(id) => Some(id),
            _ => None,
        }
    }

    pub fn source(self) -> &'static str {
        match self {
            Importer::Admin(_) => "browser",
            Importer::ApiKey(_) => "api",
            Importer::CommandLine => "command_line",
        }
    }
}

/// A spreadsheet to commit, and who sent it. Storage checks it again inside the transaction
/// against live data.
#[derive(Debug)]
pub struct FileBatch<'a> {
    pub importer: Importer,
    pub file_name: &'a str,
    pub bytes: &'a [u8],
    /// Hex SHA-256 of the bytes.
    pub sha256: &'a str,
    pub idempotency_key: Option<&'a str>,
}

/// A bulk-create file to commit.
#[derive(Debug)]
pub struct CreateBatch<'a> {
    pub file: FileBatch<'a>,
    pub delay_welcome_emails: bool,
    /// Argon2id hashes of the file's temporary passwords, by row number, made before the
    /// transaction opened.
    pub password_hashes: &'a HashMap<usize, String>,
}

/// A batch committed earlier, found by its idempotency key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriorBatch {
    pub id: i64,
    pub sha256: String,
    pub counts: Counts,
}

/// What a commit did.
#[derive(Debug)]
pub enum Committed {
    /// Saved as this batch.
    Saved { batch_id: i64, counts: Counts },
    /// The idempotency key names this earlier batch of the same file: nothing was written.
    Replayed(PriorBatch),
    /// The idempotency key was used for a different file: nothing was written.
    KeyReused,
    /// Checked against live data the file has errors (something changed since the preview).
    Rejected(Report),
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
    /// The filters' choices; a team leader's filter offers only the leaders in their team.
    async fn team_options(&self, org_id: i64, scope: Scope) -> Result<TeamChoices, StoreError>;
    async fn list_team(&self, org_id: i64, scope: Scope, query: &TeamQuery) -> Result<TeamPage, StoreError>;
    /// The users who are not deactivated and match `query` (its sort and page ignored), at most
    /// `limit` of them, by name.
    async fn matching_users(&self, org_id: i64, query: &TeamQuery, limit: i64) -> Result<Vec<Choice>, StoreError>;
    /// The ids of everyone in `leader`'s team, direct and indirect reports, deactivated or not.
    async fn team_ids(&self, org_id: i64, leader: i64) -> Result<Vec<i64>, StoreError>;
    /// Every active user, as the tree view needs them.
    async fn hierarchy(&self, org_id: i64) -> Result<Vec<roster::hierarchy::Member>, StoreError>;

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
    /// Every group with the identity provider's id, by id.
    async fn scim_groups(&self, org_id: i64) -> Result<Vec<crate::provisioning::ScimGroup>, StoreError>;
    async fn group_members(
        &self,
        org_id: i64,
        group_id: i64,
    ) -> Result<Vec<crate::provisioning::GroupMember>, StoreError>;
    /// Creates a group (`group_id` none) or replaces one's name, identity-provider id and members,
    /// for an API key, in one audited transaction; `NotFound` if a member is not a user here.
    async fn write_group(
        &self,
        org_id: i64,
        group_id: Option<i64>,
        name: &GroupName,
        external_id: Option<&str>,
        members: &[i64],
    ) -> Result<i64, StoreError>;

    /// Checks the deactivation with [`roster::deactivate::plan`] against live data inside one
    /// transaction, then deactivates, reassigns, ends sessions and audits, all or nothing.
    async fn deactivate_users(
        &self,
        org_id: i64,
        actor: Option<i64>,
        selected: &[UserId],
        replacements: &[(UserId, UserId)],
    ) -> Result<Result<usize, Vec<DeactivationError>>, StoreError>;
    /// Applies an identity provider's change to a user by an API key, all or nothing; the
    /// rules' refusal of a status change is the inner error.
    async fn provision_user(
        &self,
        org_id: i64,
        user_id: i64,
        change: &Provisioning<'_>,
    ) -> Result<Result<(), String>, StoreError>;
    /// Reactivates a deactivated user, checked with [`roster::deactivate::reactivation`].
    async fn reactivate_user(
        &self,
        org_id: i64,
        actor: Option<i64>,
        user_id: i64,
    ) -> Result<Result<(), String>, StoreError>;
    /// The user as the edit form shows them, with their version.
    async fn user_form(&self, org_id: i64, user_id: i64) -> Result<Option<(UserForm, UserStatus)>, StoreError>;
    /// Creates a user and schedules their welcome email; `actor` is the admin (none for an API key).
    async fn create_user(&self, org_id: i64, actor: Option<i64>, user: &NewUser) -> Result<i64, StoreError>;
    /// Updates a user if they are still at `version`; `Stale` otherwise. `external_id`, when
    /// given, replaces the identity provider's id (blank removes it).
    #[allow(clippy::too_many_arguments)]
    async fn update_user(
        &self,
        org_id: i64,
        actor: Option<i64>,
        user_id: i64,
        version: i64,
        profile: &Profile,
        leader: Option<UserId>,
        external_id: Option<&str>,
    ) -> Result<(), StoreError>;

    /// What the rules need to check a whole file in the browser: the organisation's rules and
    /// every user.
    async fn snapshot(&self, org_id: i64) -> Result<Snapshot, StoreError>;
    async fn batch_by_key(&self, org_id: i64, key: &str) -> Result<Option<PriorBatch>, StoreError>;
    /// Checks the file again with [`roster::create::check_create`] inside one transaction that
    /// no other import of the organisation can interleave with, and writes everything or nothing.
    async fn commit_create(&self, org_id: i64, batch: &CreateBatch<'_>) -> Result<Committed, StoreError>;
    /// Every user as Download Current Team writes them, with the organisation's rules: what the
    /// browser needs to check a bulk-update file.
    async fn current_team(&self, org_id: i64) -> Result<TeamSnapshot, StoreError>;
    /// Checks the file again with [`roster::update::check_update`] inside one transaction that no
    /// other import of the organisation can interleave with, and updates everyone or no one.
    async fn commit_update(&self, org_id: i64, batch: &FileBatch<'_>) -> Result<Committed, StoreError>;
    /// The organisation's batches, newest first.
    async fn list_batches(&self, org_id: i64, page: i64) -> Result<Vec<BatchRow>, StoreError>;
    async fn batch_detail(&self, org_id: i64, batch_id: i64, page: i64) -> Result<Option<BatchDetail>, StoreError>;
    /// One page of the provisioning API's list: users after id `after`, by id, at most `limit`.
    async fn employees(
        &self,
        org_id: i64,
        filter: &EmployeeFilter,
        after: i64,
        limit: i64,
    ) -> Result<Vec<Employee>, StoreError>;
    /// A user by email address (any case) or employee ID; an email address wins over someone
    /// else's equal employee ID.
    async fn employee(&self, org_id: i64, reference: &str) -> Result<Option<Employee>, StoreError>;
    async fn employee_by_id(&self, org_id: i64, id: i64) -> Result<Option<Employee>, StoreError>;
    /// Users by id from the `offset`-th, and how many the organisation has.
    async fn employees_from(&self, org_id: i64, offset: i64, limit: i64) -> Result<(Vec<Employee>, i64), StoreError>;
    /// The user an identity provider knows by `external_id`.
    async fn employee_by_external_id(&self, org_id: i64, external_id: &str) -> Result<Option<Employee>, StoreError>;
    /// Records a call of the provisioning API by an API key.
    async fn audit_api_call(&self, org_id: i64, key_id: i64, call: &str, status: u16) -> Result<(), StoreError>;
    /// The organisation and key id of a live API key, by the SHA-256 of its token.
    async fn api_key(&self, token_hash: &str, now: i64) -> Result<Option<(i64, i64)>, StoreError>;
    /// Creates an API key by the SHA-256 of its secret, audited as `actor` (none from the command
    /// line).
    async fn create_api_key(
        &self,
        org_id: i64,
        actor: Option<i64>,
        name: &ApiKeyName,
        token_hash: &str,
    ) -> Result<i64, StoreError>;
    /// The organisation's keys, newest first, revoked ones included.
    async fn api_keys(&self, org_id: i64) -> Result<Vec<ApiKeyRow>, StoreError>;
    /// Revokes a key at once; `NotFound` outside the organisation. Revoking twice changes nothing.
    async fn revoke_api_key(&self, org_id: i64, actor: i64, key_id: i64) -> Result<(), StoreError>;

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
    async fn save_photo(
        &self,
        org_id: i64,
        actor: i64,
        user_id: i64,
        photo: &roster::welcome::Photo,
    ) -> Result<(), StoreError>;
    /// A user's photo and its content type.
    async fn photo(&self, org_id: i64, user_id: i64) -> Result<Option<(String, Vec<u8>)>, StoreError>;
    async fn stream(&self, org_id: i64, user_id: i64) -> Result<StreamPage, StoreError>;
}

/// What a person's password must not contain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersonalWords {
    pub email: Option<String>,
    pub names: Vec<String>,
}
