//! Deactivate Users and reactivation: checked by the rules against live data inside the
//! transaction that writes, so that a concurrent change can never leave a team without a leader.

use app::model::UserStatus;
use app::ssr::StoreError;
use roster::deactivate::{DeactivationError, Reactivation, plan, reactivation};
use roster::{Directory, UserId};
use sqlx::AnyPool;

use super::users::{audit, known_users};
use super::{begin_write, internal, now};

pub async fn deactivate_users(
    pool: &AnyPool,
    org_id: i64,
    actor: i64,
    selected: &[UserId],
    replacements: &[(UserId, UserId)],
) -> Result<Result<usize, Vec<DeactivationError>>, StoreError> {
    let mut tx = begin_write(pool).await?;
    let directory = Directory::new(known_users(&mut tx, org_id).await?);
    let plan = match plan(&directory, UserId(actor), selected, replacements) {
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
        audit(&mut tx, org_id, Some(actor), "user.reassigned", Some(user.0), &detail.to_string(), now).await?;
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
        audit(&mut tx, org_id, Some(actor), "user.deactivated", Some(user.0), &detail.to_string(), now).await?;
    }
    tx.commit().await.map_err(internal)?;
    Ok(Ok(plan.deactivate.len()))
}

pub async fn reactivate_user(
    pool: &AnyPool,
    org_id: i64,
    actor: i64,
    user_id: i64,
) -> Result<Result<(), String>, StoreError> {
    let mut tx = begin_write(pool).await?;
    let directory = Directory::new(known_users(&mut tx, org_id).await?);
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
    audit(&mut tx, org_id, Some(actor), "user.reactivated", Some(user_id), &detail.to_string(), now).await?;
    tx.commit().await.map_err(internal)?;
    Ok(Ok(()))
}
