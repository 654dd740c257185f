//! Deactivating and reactivating users: checked by the rules against live data inside the
//! transaction that writes, so that a concurrent change can never leave a team without a leader.
//! The rules' refusals are the port's `CannotDeactivate` and `CannotReactivate`.

use app::ssr::StoreError;
use app::user::UserStatus;
use roster::deactivate::{Reactivation, plan, reactivation};
use roster::{Directory, UserId};
use sqlx::AnyConnection;

use super::users::{audit, known_users};
use super::{DbResult, now};

/// Who deactivates or reactivates: the admin (`actor`), or the API key of an identity provider.
#[derive(Clone, Copy, Debug, Default)]
pub struct By {
    pub actor: Option<i64>,
    pub key: Option<i64>,
}

/// A user's team leader as the spreadsheet names them (email address or employee ID).
async fn leader_ref(tx: &mut AnyConnection, org_id: i64, leader: Option<i64>) -> DbResult<String> {
    let Some(id) = leader else { return Ok(String::new()) };
    let found: Option<String> =
        sqlx::query_scalar("SELECT COALESCE(email, employee_id) FROM users WHERE id = $1 AND org_id = $2")
            .bind(id)
            .bind(org_id)
            .fetch_optional(&mut *tx)
            .await?
            .flatten();
    Ok(found.unwrap_or_default())
}

/// Records the version an update just made in the trail a stale bulk-update file is merged with
/// (`roster::merge`): `changes` is `{"field": [before, after]}` in the spreadsheet's words.
async fn trail(
    tx: &mut AnyConnection,
    org_id: i64,
    user_id: i64,
    changes: serde_json::Value,
    by: By,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO user_changes (org_id, user_id, version, changes, by_user, by_key, at)
         SELECT org_id, id, version, $1, $2, $3, $4 FROM users WHERE id = $5 AND org_id = $6",
    )
    .bind(changes.to_string())
    .bind(by.actor)
    .bind(by.key)
    .bind(now)
    .bind(user_id)
    .bind(org_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Deactivates within the caller's transaction: how many. Nothing is written when the rules refuse.
pub async fn deactivate_in(
    tx: &mut AnyConnection,
    org_id: i64,
    by: By,
    selected: &[UserId],
    replacements: &[(UserId, UserId)],
) -> DbResult<usize> {
    let actor = by.actor;
    let directory = Directory::new(known_users(&mut *tx, org_id).await?);
    let plan = plan(&directory, actor.map(UserId), selected, replacements).map_err(StoreError::CannotDeactivate)?;
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
        .await?;
        let from = directory.get(*user).and_then(|u| u.leader).map(|l| l.0);
        let detail = serde_json::json!({ "team_leader": { "from": from, "to": leader.map(|l| l.0) } });
        audit(&mut *tx, org_id, actor, "user.reassigned", Some(user.0), &detail.to_string(), now).await?;
        let (before, after) = (leader_ref(tx, org_id, from).await?, leader_ref(tx, org_id, leader.map(|l| l.0)).await?);
        trail(tx, org_id, user.0, serde_json::json!({ "team_leader": [before, after] }), by, now).await?;
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
        .await?;
        // Signed out everywhere, now.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND org_id = $2")
            .bind(user.0)
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
        let detail = serde_json::json!({ "batch_size": plan.deactivate.len() });
        audit(&mut *tx, org_id, actor, "user.deactivated", Some(user.0), &detail.to_string(), now).await?;
        trail(tx, org_id, user.0, serde_json::json!({ "deactivated": ["n", "y"] }), by, now).await?;
    }
    Ok(plan.deactivate.len())
}

/// Reactivates within the caller's transaction; nothing is written when the rules refuse.
pub async fn reactivate_in(tx: &mut AnyConnection, org_id: i64, by: By, user_id: i64) -> DbResult<()> {
    let actor = by.actor;
    let directory = Directory::new(known_users(&mut *tx, org_id).await?);
    let user = directory.get(UserId(user_id)).ok_or(StoreError::NotFound)?;
    let change = reactivation(&directory, user).map_err(StoreError::CannotReactivate)?;
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
    .await?;
    let detail = serde_json::json!({ "leader_cleared": change == Reactivation::ClearLeader });
    audit(&mut *tx, org_id, actor, "user.reactivated", Some(user_id), &detail.to_string(), now).await?;
    let mut changes = serde_json::json!({ "deactivated": ["y", "n"] });
    if change == Reactivation::ClearLeader {
        changes["team_leader"] = serde_json::json!([leader_ref(tx, org_id, user.leader.map(|l| l.0)).await?, ""]);
    }
    trail(tx, org_id, user_id, changes, by, now).await
}
