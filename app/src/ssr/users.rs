//! Creating, updating and inviting one user, whoever asks (the user form, the provisioning APIs):
//! the rules check the profile and the directory, the temporary password is hashed, storage writes
//! in one transaction. `actor` is the admin who asked, none for an API key (the call's audit names
//! the key).
//!
//! Each function answers in its caller's error type `E`: the rules' problems arrive as an
//! [`AppError`], storage's refusals as a [`StoreError`], and each surface's `From` words them (a
//! stale version is a 409 on the form, a 412 over the APIs).

use roster::provisioning::{self, LeaderRule};
use roster::{Directory, Profile, ProfileInput, UserId};

use super::{NewUser, Store, StoreError, UserStore};
use crate::AppError;
use crate::organisation::Provisioning;
use crate::user::UserStatus;

/// Who writes a profile, and so which team-leader rule applies ([`roster::provisioning`]).
#[derive(Clone, Copy, Debug)]
pub enum Writer<'a> {
    /// An admin on the user form: the spreadsheet's rules.
    Admin,
    /// An identity provider or a script: someone who cannot manage teams may arrive without a
    /// team leader, and lands under the organisation's default one when it can lead.
    Provider(&'a Provisioning),
}

impl Writer<'_> {
    /// Parses `input` under this writer's rule; a provider's person without a team leader is
    /// given the default one (still checked against the directory as any leader is).
    fn parse(self, input: &ProfileInput, org: &roster::OrgRules) -> Result<Profile, AppError> {
        let rule = match self {
            Writer::Admin => LeaderRule::Required,
            Writer::Provider(_) => LeaderRule::Provisioned,
        };
        let mut profile = Profile::parse_with(input, org, rule).map_err(AppError::Invalid)?;
        if let Writer::Provider(provisioning) = self
            && profile.team_leader.is_none()
            && !profile.can_manage_teams
        {
            profile.team_leader = provisioning::usable_leader(provisioning.leader.as_ref()).map(Into::into);
        }
        Ok(profile)
    }
}

/// Checks `input` with the rules of its writer against the organisation and creates the user,
/// with an identity provider's `external_id` when one sent it.
pub async fn create_user<E: From<AppError> + From<StoreError>>(
    store: &dyn UserStore,
    org_id: i64,
    actor: Option<i64>,
    input: &ProfileInput,
    external_id: Option<&str>,
    writer: Writer<'_>,
) -> Result<i64, E> {
    let org = store.org_rules(org_id).await?;
    let mut profile = writer.parse(input, &org)?;
    let directory: Directory = store.directory_for(org_id, &profile, None).await?;
    let leader = profile.check_against(&directory, None).map_err(AppError::Invalid)?;
    let password_hash = match profile.temporary_password.take() {
        Some(password) => Some(hash_password(password.expose().to_owned()).await?),
        None => None,
    };
    let must_change_password = password_hash.is_some();
    let user = NewUser {
        profile,
        leader,
        password_hash,
        status: UserStatus::Created,
        must_change_password,
        external_id: external_id.map(str::to_owned).filter(|id| !id.is_empty()),
    };
    Ok(store.create_user(org_id, actor, &user).await?)
}

/// Checks `input` (every field of user `id`, as the form holds them) with the rules of its writer
/// against the organisation: the profile to save and its team leader. A temporary password is for
/// new users only and is dropped here.
pub async fn checked_update<E: From<AppError> + From<StoreError>>(
    store: &dyn UserStore,
    org_id: i64,
    id: i64,
    input: &ProfileInput,
    writer: Writer<'_>,
) -> Result<(Profile, Option<UserId>), E> {
    let org = store.org_rules(org_id).await?;
    let mut profile = writer.parse(input, &org)?;
    let directory: Directory = store.directory_for(org_id, &profile, Some(id)).await?;
    let editing = directory.get(UserId(id)).cloned().ok_or(StoreError::NotFound)?;
    let leader = profile.check_against(&directory, Some(&editing)).map_err(AppError::Invalid)?;
    profile.temporary_password = None;
    Ok((profile, leader))
}

/// Checks `input` with the rules ([`checked_update`]) and saves it over user `id` if they are
/// still at `version` (`StoreError::Stale` otherwise).
pub async fn update_user<E: From<AppError> + From<StoreError>>(
    store: &dyn UserStore,
    org_id: i64,
    actor: Option<i64>,
    id: i64,
    version: i64,
    input: &ProfileInput,
    writer: Writer<'_>,
) -> Result<(), E> {
    let (profile, leader) = checked_update::<E>(store, org_id, id, input, writer).await?;
    Ok(store.update_user(org_id, actor, id, version, &profile, leader).await?)
}

/// Sends user `id` their welcome email now (again, if it was sent before: the older link stops
/// working). Refused for the deactivated and for anyone without an email address.
pub async fn invite_user<E: From<AppError> + From<StoreError>>(
    store: &dyn Store,
    org_id: i64,
    actor: Option<i64>,
    id: i64,
) -> Result<(), E> {
    let (form, status) = store.user_form(org_id, id).await?.ok_or(StoreError::NotFound)?;
    if status == UserStatus::Deactivated {
        return Err(AppError::BadRequest(
            "This user is deactivated; reactivate them before sending a welcome email.".into(),
        )
        .into());
    }
    if form.email.trim().is_empty() {
        return Err(AppError::BadRequest(
            "This user has no email address; add one to their profile, then send the welcome email.".into(),
        )
        .into());
    }
    Ok(store.queue_welcome_email(org_id, actor, id).await?)
}

/// Hashes a password off the async runtime (Argon2id is deliberately slow).
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || super::auth::hash_password(&password))
        .await
        .map_err(crate::error::internal)?
        .map_err(crate::error::internal)
}
