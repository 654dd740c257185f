//! Creating one user, whoever asks (the Create User form, the provisioning API): the rules check
//! the profile and the directory, the temporary password is hashed, storage writes the user and
//! their welcome email in one transaction.

use roster::{Directory, ProfileInput};

use super::{NewUser, Store, StoreError};
use crate::AppError;
use crate::model::UserStatus;

/// Checks `input` with the spreadsheet's rules against the organisation and creates the user;
/// `actor` is the admin who asked (none for an API key, which the call's audit names).
pub async fn create_user(
    store: &dyn Store,
    org_id: i64,
    actor: Option<i64>,
    input: &ProfileInput,
    store_error: fn(StoreError) -> AppError,
) -> Result<i64, AppError> {
    let org = store.org_rules(org_id).await.map_err(store_error)?;
    let mut profile = roster::Profile::parse(input, &org).map_err(AppError::Invalid)?;
    let directory: Directory = store.directory_for(org_id, &profile, None).await.map_err(store_error)?;
    let leader = profile.check_against(&directory, None).map_err(AppError::Invalid)?;
    let password_hash = match profile.temporary_password.take() {
        Some(password) => Some(hash_password(password.expose().to_owned()).await?),
        None => None,
    };
    let must_change_password = password_hash.is_some();
    let user = NewUser { profile, leader, password_hash, status: UserStatus::Created, must_change_password };
    store.create_user(org_id, actor, &user).await.map_err(store_error)
}

/// Hashes a password off the async runtime (Argon2id is deliberately slow).
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || super::auth::hash_password(&password))
        .await
        .map_err(crate::error::internal)?
        .map_err(crate::error::internal)
}
