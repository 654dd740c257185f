//! What an identity provider changes about one user, applied in one transaction (SCIM's atomic
//! PATCH and PUT): the profile at the version the caller read, then the status.

use app::ssr::{CheckedProfile, StoreError};
use roster::UserId;

use super::{SqlStore, db, deactivation, now, users};

/// A profile checked by the rules, to save over a user still at `version`.
#[derive(Clone, Copy, Debug)]
pub struct ProfileChange<'a> {
    /// The profile, its team leader and whether the write promotes them ([`users::promote_in`]).
    pub checked: &'a CheckedProfile,
    /// An identity provider's id for the user: replaces theirs when given (blank removes it).
    pub external_id: Option<&'a str>,
    /// The identity provider's own userName: `Some` sets it (`Some(None)` forgets it).
    pub scim_user_name: Option<Option<&'a str>>,
    pub version: i64,
    /// The API key that asks, when an identity provider or a script does.
    pub key: Option<i64>,
}

/// A change of a user's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// Their team, if they lead one, moves to `new_leader`.
    Deactivate {
        new_leader: Option<UserId>,
    },
    Reactivate,
}

impl SqlStore {
    /// Applies an identity provider's change to a user by API key `key`, all or nothing: the
    /// profile first, then the status, checked against the team as it then stands.
    pub async fn provision_user(
        &self,
        org_id: i64,
        key: i64,
        user_id: i64,
        profile: Option<&ProfileChange<'_>>,
        activation: Option<Activation>,
    ) -> Result<(), StoreError> {
        let by = deactivation::By { actor: None, key: Some(key) };
        db(async {
            let mut tx = self.begin_write().await?;
            if let Some(change) = profile {
                users::update_in(&mut tx, self.backend, org_id, None, user_id, change, now()).await?;
            }
            match activation {
                Some(Activation::Reactivate) => deactivation::reactivate_in(&mut tx, org_id, by, user_id).await?,
                Some(Activation::Deactivate { new_leader }) => {
                    let moves: Vec<(UserId, UserId)> = new_leader.map(|to| (UserId(user_id), to)).into_iter().collect();
                    deactivation::deactivate_in(&mut tx, org_id, by, &[UserId(user_id)], &moves).await?;
                }
                None => {}
            }
            Ok(tx.commit().await?)
        })
        .await
    }
}
