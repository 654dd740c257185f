//! Deactivate Users and reactivation: checked by the rules against live data inside the
//! transaction that writes, so that a concurrent change can never leave a team without a leader.

use app::model::UserStatus;
use app::ssr::StoreError;
use roster::deactivate::{DeactivationError, Reactivation, plan, reactivation};
use roster::{Directory, UserId};
use sqlx::{AnyConnection, AnyPool};

use super::users::{audit, known_users};
use super::{begin_write, internal, now};

pub async fn deactivate_users(
    pool: &AnyPool,
    org_id: i64,
    actor: Option<i64>,
    selected: &[UserId],
    replacements: &[(UserId, UserId)],
) -> Result<Result<usize, Vec<DeactivationError>>, StoreError> {
    let mut tx = begin_write(pool).await?;
    let outcome = deactivate_in(&mut tx, org_id, actor, selected, replacements).await?;
    if outcome.is_ok() {
        tx.commit().await.map_err(internal)?;
    }
    Ok(outcome)
}

/// Deactivates within the caller's transaction; nothing is written when the rules refuse.
pub async fn deactivate_in(
    tx: &mut AnyConnection,
    org_id: i64,
    actor: Option<i64>,
    selected: &[UserId],
    replacements: &[(UserId, UserId)],
) -> Result<Result<usize, Vec<DeactivationError>>, StoreError> {
    let directory = Directory::new(known_users(&mut *tx, org_id).await?);
    let plan = match plan(&directory, actor.map(UserId), selected, replacements) {
        Ok(plan) => plan,
        Err(errors) => return Ok(Err(errors)),
    };
    let now = now();
    for (user, leader) in &plan.moves {
        sqlx::query(
            "UPDATE users SET leader_id = $1, version = version + 1, updated_at = $2, updated_by = $3
             WHERE id = $4 AND org_id = $5",
        )
        .bind(leader.map(|l| l.0))
        .bind(now)
        .bind(actor)
        .bind(user.0)
        .bind(org_id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        let from = directory.get(*user).and_then(|u| u.leader).map(|l| l.0);
        let detail = serde_json::json!({ "team_leader": { "from": from, "to": leader.map(|l| l.0) } });
        audit(&mut *tx, org_id, actor, "user.reassigned", Some(user.0), &detail.to_string(), now).await?;
    }
    for user in &plan.deactivate {
        sqlx::query(
            "UPDATE users SET status = $1, version = version + 1, updated_at = $2, updated_by = $3
             WHERE id = $4 AND org_id = $5",
        )
        .bind(UserStatus::Deactivated.as_str())
        .bind(now)
        .bind(actor)
        .bind(user.0)
        .bind(org_id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        // Signed out everywhere, now.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND org_id = $2")
            .bind(user.0)
            .bind(org_id)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        let detail = serde_json::json!({ "batch_size": plan.deactivate.len() });
        audit(&mut *tx, org_id, actor, "user.deactivated", Some(user.0), &detail.to_string(), now).await?;
    }
    Ok(Ok(plan.deactivate.len()))
}

pub async fn reactivate_user(
    pool: &AnyPool,
    org_id: i64,
    actor: Option<i64>,
    user_id: i64,
) -> Result<Result<(), String>, StoreError> {
    let mut tx = begin_write(pool).await?;
    let outcome = reactivate_in(&mut tx, org_id, actor, user_id).await?;
    if outcome.is_ok() {
        tx.commit().await.map_err(internal)?;
    }
    Ok(outcome)
}

/// Reactivates within the caller's transaction; nothing is written when the rules refuse.
pub async fn reactivate_in(
    tx: &mut AnyConnection,
    org_id: i64,
    actor: Option<i64>,
    user_id: i64,
) -> Result<Result<(), String>, StoreError> {
    let directory = Directory::new(known_users(&mut *tx, org_id).await?);
    let user = directory.get(UserId(user_id)).ok_or(StoreError::NotFound)?;
    let change = match reactivation(&directory, user) {
        Ok(change) => change,
        Err(message) => return Ok(Err(message)),
    };
    let now = now();
    // Someone who had set a password signs in again with it; anyone else needs a welcome email.
    sqlx::query(
        "UPDATE users SET status = CASE WHEN password_hash IS NULL THEN $1 ELSE $2 END,
                leader_id = CASE WHEN $3 THEN NULL ELSE leader_id END,
                version = version + 1, updated_at = $4, updated_by = $5
         WHERE id = $6 AND org_id = $7",
    )
    .bind(UserStatus::Created.as_str())
    .bind(UserStatus::Active.as_str())
    .bind(change == Reactivation::ClearLeader)
    .bind(now)
    .bind(actor)
    .bind(user_id)
    .bind(org_id)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    let detail = serde_json::json!({ "leader_cleared": change == Reactivation::ClearLeader });
    audit(&mut *tx, org_id, actor, "user.reactivated", Some(user_id), &detail.to_string(), now).await?;
    Ok(Ok(()))
}

/// Applies an identity provider's change by an API key, all or nothing; the rules' refusal is the inner error.
pub async fn provision(
    pool: &AnyPool,
    org_id: i64,
    user_id: i64,
    change: &app::ssr::Provisioning<'_>,
) -> Result<Result<(), String>, StoreError> {
    let mut tx = begin_write(pool).await?;
    let now = now();
    // The profile first, at the version the caller read; then the status, checked against the
    // team as it now stands.
    if let Some((profile, leader, external_id, version)) = change.profile {
        super::users::update_in(&mut tx, org_id, None, user_id, version, profile, leader, external_id, now).await?;
    }
    if let Some((true, _)) = change.active
        && let Err(refused) = reactivate_in(&mut tx, org_id, None, user_id).await?
    {
        return Ok(Err(refused));
    }
    if let Some((false, new_leader)) = change.active {
        let replacements: Vec<(UserId, UserId)> = new_leader.map(|to| (UserId(user_id), to)).into_iter().collect();
        if let Err(errors) = deactivate_in(&mut tx, org_id, None, &[UserId(user_id)], &replacements).await? {
            return Ok(Err(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")));
        }
    }
    tx.commit().await.map_err(internal)?;
    Ok(Ok(()))
}
