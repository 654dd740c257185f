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

use super::{CheckedProfile, NewUser, ProviderIds, Store, StoreError, UserStore};
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

    /// Checks `profile` against `directory` (`editing` is the user being edited): its team
    /// leader, and whether this write promotes them. A provider that names a manager who cannot
    /// manage teams yet makes them able to ([`provisioning::promote_named_leader`]); an admin is
    /// told to choose someone who can.
    fn check(
        self,
        profile: &Profile,
        mut directory: Directory,
        editing: Option<UserId>,
    ) -> Result<(Option<UserId>, bool), AppError> {
        let promoted = match self {
            Writer::Admin => None,
            Writer::Provider(_) => provisioning::promote_named_leader(profile, &mut directory),
        };
        let editing = match editing {
            Some(id) => Some(directory.get(id).cloned().ok_or(StoreError::NotFound)?),
            None => None,
        };
        let leader = profile.check_against(&directory, editing.as_ref()).map_err(AppError::Invalid)?;
        Ok((leader, promoted.is_some() && promoted == leader))
    }
}

/// Checks `input` with the rules of its writer against the organisation and creates the user,
/// with what an identity provider knows them by when one sent it.
pub async fn create_user<E: From<AppError> + From<StoreError>>(
    store: &dyn UserStore,
    org_id: i64,
    actor: Option<i64>,
    input: &ProfileInput,
    provider: ProviderIds<'_>,
    writer: Writer<'_>,
) -> Result<i64, E> {
    let org = store.org_rules(org_id).await?;
    let mut profile = writer.parse(input, &org)?;
    let directory = store.directory_for(org_id, &profile, None).await?;
    let (leader, promote_leader) = writer.check(&profile, directory, None)?;
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
        external_id: provider.external_id.map(str::to_owned).filter(|id| !id.is_empty()),
        scim_user_name: provider.user_name.map(str::to_owned),
        promote_leader,
    };
    Ok(store.create_user(org_id, actor, &user).await?)
}

/// Checks `input` (every field of user `id`, as the form holds them) with the rules of its writer
/// against the organisation: the profile to save, its team leader and whether the write promotes
/// them. A temporary password is for new users only and is dropped here.
pub async fn checked_update<E: From<AppError> + From<StoreError>>(
    store: &dyn UserStore,
    org_id: i64,
    id: i64,
    input: &ProfileInput,
    writer: Writer<'_>,
) -> Result<CheckedProfile, E> {
    let org = store.org_rules(org_id).await?;
    let mut profile = writer.parse(input, &org)?;
    let directory = store.directory_for(org_id, &profile, Some(id)).await?;
    let (leader, promote_leader) = writer.check(&profile, directory, Some(UserId(id)))?;
    profile.temporary_password = None;
    Ok(CheckedProfile { profile, leader, promote_leader })
}

/// Checks `input` with the rules ([`checked_update`]) and saves it over user `id` if they are
/// still at `version` (`StoreError::Stale` otherwise). `key` is the API key that asks, if one does.
#[allow(clippy::too_many_arguments)]
pub async fn update_user<E: From<AppError> + From<StoreError>>(
    store: &dyn UserStore,
    org_id: i64,
    actor: Option<i64>,
    key: Option<i64>,
    id: i64,
    version: i64,
    input: &ProfileInput,
    writer: Writer<'_>,
) -> Result<(), E> {
    let checked = checked_update::<E>(store, org_id, id, input, writer).await?;
    Ok(store.update_user(org_id, actor, key, id, version, &checked).await?)
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
