//! The Roles, Groups and API Keys tabs: custom roles and the setting that makes Role required,
//! groups and their members, the organisation's API keys. Every change is audited in the same
//! transaction.

use app::keys::ApiKeyRow;
use app::provisioning::{GroupMember, ScimGroup};
use app::ssr::StoreError;
use app::teams::{GroupRow, RoleChange, RoleRow, RolesTab};
use roster::organisation::{ApiKeyName, GroupName, RoleName};
use sqlx::{AnyConnection, AnyPool, Row};

use super::users::audit;
use super::{begin_write, flag, internal, now};

pub async fn roles(pool: &AnyPool, org_id: i64) -> Result<RolesTab, StoreError> {
    let rows = sqlx::query(
        "SELECT r.id, r.name, r.built_in, r.active, (SELECT COUNT(*) FROM users u WHERE u.role_id = r.id) AS holders
         FROM roles r WHERE r.org_id = $1 ORDER BY r.built_in DESC, r.id",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await
    .map_err(internal)?;
    let roles = rows
        .iter()
        .map(|row| {
            Ok(RoleRow {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                built_in: flag(row, "built_in")?,
                active: flag(row, "active")?,
                holders: row.try_get("holders")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)?;
    Ok(RolesTab { roles, uses_custom_roles: uses_custom_roles(pool, org_id).await? })
}

/// The organisation's "uses custom roles" setting.
pub async fn uses_custom_roles(pool: &AnyPool, org_id: i64) -> Result<bool, StoreError> {
    let org = sqlx::query("SELECT uses_custom_roles FROM organisations WHERE id = $1")
        .bind(org_id)
        .fetch_one(pool)
        .await
        .map_err(internal)?;
    flag(&org, "uses_custom_roles").map_err(internal)
}

/// Refuses a role name another role of the organisation has in any case.
async fn role_name_free(conn: &mut AnyConnection, org_id: i64, name: &RoleName, except: i64) -> Result<(), StoreError> {
    let names: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM roles WHERE org_id = $1")
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(internal)?;
    let key = name.key();
    if names.iter().any(|(id, other)| *id != except && other.to_lowercase() == key) {
        return Err(StoreError::Taken("role name"));
    }
    Ok(())
}

/// The role's name and whether it is built in; `NotFound` outside the organisation.
async fn role(conn: &mut AnyConnection, org_id: i64, role_id: i64) -> Result<(String, bool), StoreError> {
    let row = sqlx::query("SELECT name, built_in FROM roles WHERE id = $1 AND org_id = $2")
        .bind(role_id)
        .bind(org_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?
        .ok_or(StoreError::NotFound)?;
    Ok((row.try_get("name").map_err(internal)?, flag(&row, "built_in").map_err(internal)?))
}

fn detail(pairs: serde_json::Value) -> String {
    pairs.to_string()
}

pub async fn create_role(pool: &AnyPool, org_id: i64, actor: i64, name: &RoleName) -> Result<i64, StoreError> {
    let mut tx = begin_write(pool).await?;
    role_name_free(&mut tx, org_id, name, 0).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO roles (org_id, name, grants_admin, active, built_in) VALUES ($1, $2, FALSE, TRUE, FALSE) RETURNING id",
    )
    .bind(org_id)
    .bind(name.as_str())
    .fetch_one(&mut *tx)
    .await
    .map_err(internal)?;
    audit(
        &mut tx,
        org_id,
        Some(actor),
        "role.created",
        None,
        &detail(serde_json::json!({ "role": name.as_str() })),
        now(),
    )
    .await?;
    tx.commit().await.map_err(internal)?;
    Ok(id)
}

pub async fn rename_role(
    pool: &AnyPool,
    org_id: i64,
    actor: i64,
    role_id: i64,
    name: &RoleName,
) -> Result<(), StoreError> {
    let mut tx = begin_write(pool).await?;
    let (old, built_in) = role(&mut tx, org_id, role_id).await?;
    if built_in {
        return Err(StoreError::BuiltIn);
    }
    role_name_free(&mut tx, org_id, name, role_id).await?;
    sqlx::query("UPDATE roles SET name = $1 WHERE id = $2 AND org_id = $3")
        .bind(name.as_str())
        .bind(role_id)
        .bind(org_id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    let detail = detail(serde_json::json!({ "from": old, "to": name.as_str() }));
    audit(&mut tx, org_id, Some(actor), "role.renamed", None, &detail, now()).await?;
    tx.commit().await.map_err(internal)
}

pub async fn change_role(
    pool: &AnyPool,
    org_id: i64,
    actor: i64,
    role_id: i64,
    change: RoleChange,
) -> Result<(), StoreError> {
    let mut tx = begin_write(pool).await?;
    let (name, built_in) = role(&mut tx, org_id, role_id).await?;
    if built_in {
        return Err(StoreError::BuiltIn);
    }
    let action = match change {
        RoleChange::Deactivate | RoleChange::Reactivate => {
            sqlx::query("UPDATE roles SET active = $1 WHERE id = $2 AND org_id = $3")
                .bind(change == RoleChange::Reactivate)
                .bind(role_id)
                .bind(org_id)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
            if change == RoleChange::Reactivate { "role.reactivated" } else { "role.deactivated" }
        }
        RoleChange::Delete => {
            let holders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role_id = $1 AND org_id = $2")
                .bind(role_id)
                .bind(org_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(internal)?;
            if holders > 0 {
                return Err(StoreError::InUse { name, holders });
            }
            sqlx::query("DELETE FROM roles WHERE id = $1 AND org_id = $2")
                .bind(role_id)
                .bind(org_id)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
            "role.deleted"
        }
    };
    audit(&mut tx, org_id, Some(actor), action, None, &detail(serde_json::json!({ "role": name })), now()).await?;
    tx.commit().await.map_err(internal)
}

pub async fn set_uses_custom_roles(pool: &AnyPool, org_id: i64, actor: i64, on: bool) -> Result<(), StoreError> {
    let mut tx = begin_write(pool).await?;
    sqlx::query("UPDATE organisations SET uses_custom_roles = $1 WHERE id = $2")
        .bind(on)
        .bind(org_id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    let detail = detail(serde_json::json!({ "uses_custom_roles": on }));
    audit(&mut tx, org_id, Some(actor), "organisation.settings", None, &detail, now()).await?;
    tx.commit().await.map_err(internal)
}

pub async fn groups(pool: &AnyPool, org_id: i64) -> Result<Vec<GroupRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT g.id, g.name, (SELECT COUNT(*) FROM user_groups ug WHERE ug.group_id = g.id) AS members
         FROM groups g WHERE g.org_id = $1 ORDER BY g.name, g.id",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await
    .map_err(internal)?;
    rows.iter()
        .map(|row| {
            Ok(GroupRow { id: row.try_get("id")?, name: row.try_get("name")?, members: row.try_get("members")? })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)
}

/// Maps the unique (organisation, name) index to `Taken`.
fn group_write_error(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Taken("group name"),
        _ => internal(error),
    }
}

async fn group_name(conn: &mut AnyConnection, org_id: i64, group_id: i64) -> Result<String, StoreError> {
    sqlx::query_scalar("SELECT name FROM groups WHERE id = $1 AND org_id = $2")
        .bind(group_id)
        .bind(org_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?
        .ok_or(StoreError::NotFound)
}

pub async fn create_group(
    pool: &AnyPool,
    org_id: i64,
    actor: Option<i64>,
    name: &GroupName,
) -> Result<i64, StoreError> {
    let mut tx = begin_write(pool).await?;
    let id: i64 = sqlx::query_scalar("INSERT INTO groups (org_id, name) VALUES ($1, $2) RETURNING id")
        .bind(org_id)
        .bind(name.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(group_write_error)?;
    let detail = detail(serde_json::json!({ "group": name.as_str() }));
    audit(&mut tx, org_id, actor, "group.created", None, &detail, now()).await?;
    tx.commit().await.map_err(internal)?;
    Ok(id)
}

pub async fn rename_group(
    pool: &AnyPool,
    org_id: i64,
    actor: Option<i64>,
    group_id: i64,
    name: &GroupName,
) -> Result<(), StoreError> {
    let mut tx = begin_write(pool).await?;
    let old = group_name(&mut tx, org_id, group_id).await?;
    sqlx::query("UPDATE groups SET name = $1 WHERE id = $2 AND org_id = $3")
        .bind(name.as_str())
        .bind(group_id)
        .bind(org_id)
        .execute(&mut *tx)
        .await
        .map_err(group_write_error)?;
    let detail = detail(serde_json::json!({ "from": old, "to": name.as_str() }));
    audit(&mut tx, org_id, actor, "group.renamed", None, &detail, now()).await?;
    tx.commit().await.map_err(internal)
}

pub async fn delete_group(pool: &AnyPool, org_id: i64, actor: Option<i64>, group_id: i64) -> Result<i64, StoreError> {
    let mut tx = begin_write(pool).await?;
    let name = group_name(&mut tx, org_id, group_id).await?;
    let removed = sqlx::query("DELETE FROM user_groups WHERE group_id = $1 AND org_id = $2")
        .bind(group_id)
        .bind(org_id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?
        .rows_affected() as i64;
    sqlx::query("DELETE FROM groups WHERE id = $1 AND org_id = $2")
        .bind(group_id)
        .bind(org_id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    let detail = detail(serde_json::json!({ "group": name, "members": removed }));
    audit(&mut tx, org_id, actor, "group.deleted", None, &detail, now()).await?;
    tx.commit().await.map_err(internal)?;
    Ok(removed)
}

pub async fn scim_groups(pool: &AnyPool, org_id: i64) -> Result<Vec<ScimGroup>, StoreError> {
    let rows = sqlx::query("SELECT id, name, external_id FROM groups WHERE org_id = $1 ORDER BY id")
        .bind(org_id)
        .fetch_all(pool)
        .await
        .map_err(internal)?;
    rows.iter()
        .map(|row| {
            Ok(ScimGroup {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                external_id: row.try_get("external_id")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)
}

pub async fn group_members(pool: &AnyPool, org_id: i64, group_id: i64) -> Result<Vec<GroupMember>, StoreError> {
    let rows = sqlx::query(
        "SELECT u.id, u.first_name, u.last_name FROM user_groups ug JOIN users u ON u.id = ug.user_id
         WHERE ug.group_id = $1 AND ug.org_id = $2 ORDER BY u.id",
    )
    .bind(group_id)
    .bind(org_id)
    .fetch_all(pool)
    .await
    .map_err(internal)?;
    rows.iter()
        .map(|row| {
            let (first, last): (String, String) = (row.try_get("first_name")?, row.try_get("last_name")?);
            Ok(GroupMember { id: row.try_get("id")?, name: format!("{first} {last}") })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)
}

/// Creates a group (`group_id` none) or replaces one's name, identity-provider id and members, in
/// one audited transaction. A member who is not a user of the organisation is `NotFound`.
pub async fn write_group(
    pool: &AnyPool,
    org_id: i64,
    group_id: Option<i64>,
    name: &GroupName,
    external_id: Option<&str>,
    members: &[i64],
) -> Result<i64, StoreError> {
    let mut tx = begin_write(pool).await?;
    let now = now();
    let external_id = external_id.filter(|id| !id.is_empty());
    let id = match group_id {
        None => sqlx::query_scalar("INSERT INTO groups (org_id, name, external_id) VALUES ($1, $2, $3) RETURNING id")
            .bind(org_id)
            .bind(name.as_str())
            .bind(external_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(group_write_error)?,
        Some(id) => {
            group_name(&mut tx, org_id, id).await?;
            sqlx::query("UPDATE groups SET name = $1, external_id = $2 WHERE id = $3 AND org_id = $4")
                .bind(name.as_str())
                .bind(external_id)
                .bind(id)
                .bind(org_id)
                .execute(&mut *tx)
                .await
                .map_err(group_write_error)?;
            // Membership is part of each member's profile: their version moves on.
            sqlx::query(
                "UPDATE users SET version = version + 1, updated_at = $1
                 WHERE org_id = $2 AND id IN (SELECT user_id FROM user_groups WHERE group_id = $3)",
            )
            .bind(now)
            .bind(org_id)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
            sqlx::query("DELETE FROM user_groups WHERE group_id = $1 AND org_id = $2")
                .bind(id)
                .bind(org_id)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
            id
        }
    };
    let mut unique: Vec<i64> = members.to_vec();
    unique.sort_unstable();
    unique.dedup();
    for member in &unique {
        let added = sqlx::query(
            "INSERT INTO user_groups (org_id, user_id, group_id)
             SELECT $1, id, $2 FROM users WHERE id = $3 AND org_id = $1",
        )
        .bind(org_id)
        .bind(id)
        .bind(member)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        if added.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("UPDATE users SET version = version + 1, updated_at = $1 WHERE id = $2 AND org_id = $3")
            .bind(now)
            .bind(member)
            .bind(org_id)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
    }
    let action = if group_id.is_some() { "group.replaced" } else { "group.created" };
    let detail = detail(serde_json::json!({ "group": name.as_str(), "members": unique.len() }));
    audit(&mut tx, org_id, None, action, None, &detail, now).await?;
    tx.commit().await.map_err(internal)?;
    Ok(id)
}

pub async fn create_api_key(
    pool: &AnyPool,
    org_id: i64,
    actor: Option<i64>,
    name: &ApiKeyName,
    token_hash: &str,
) -> Result<i64, StoreError> {
    let mut tx = begin_write(pool).await?;
    let now = now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_keys (org_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(org_id)
    .bind(name.as_str())
    .bind(token_hash)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(internal)?;
    let detail = detail(serde_json::json!({ "api_key": id, "name": name.as_str() }));
    audit(&mut tx, org_id, actor, "api_key.created", None, &detail, now).await?;
    tx.commit().await.map_err(internal)?;
    Ok(id)
}

pub async fn api_keys(pool: &AnyPool, org_id: i64) -> Result<Vec<ApiKeyRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, name, created_at, last_used_at, revoked_at FROM api_keys WHERE org_id = $1 ORDER BY id DESC",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await
    .map_err(internal)?;
    rows.iter()
        .map(|row| {
            Ok(ApiKeyRow {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                created_at: row.try_get("created_at")?,
                last_used_at: row.try_get("last_used_at")?,
                revoked_at: row.try_get("revoked_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)
}

pub async fn revoke_api_key(pool: &AnyPool, org_id: i64, actor: i64, key_id: i64) -> Result<(), StoreError> {
    let mut tx = begin_write(pool).await?;
    let row = sqlx::query("SELECT name, revoked_at FROM api_keys WHERE id = $1 AND org_id = $2")
        .bind(key_id)
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?
        .ok_or(StoreError::NotFound)?;
    if row.try_get::<Option<i64>, _>("revoked_at").map_err(internal)?.is_some() {
        return Ok(());
    }
    let now = now();
    sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND org_id = $3")
        .bind(now)
        .bind(key_id)
        .bind(org_id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    let name: String = row.try_get("name").map_err(internal)?;
    let detail = detail(serde_json::json!({ "api_key": key_id, "name": name }));
    audit(&mut tx, org_id, Some(actor), "api_key.revoked", None, &detail, now).await?;
    tx.commit().await.map_err(internal)
}
