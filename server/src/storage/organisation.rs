//! The Roles and Groups tabs: custom roles and the setting that makes Role required, groups and
//! their members; and the groups an identity provider writes over SCIM. Every change is audited in
//! the same transaction.

use app::organisation::{GroupRow, Provisioning, RoleChange, RoleRow, RolesTab};
use app::ssr::{OrganisationStore, StoreError};
use async_trait::async_trait;
use roster::organisation::{GroupName, RoleName};
use roster::provisioning::ProvisioningDefaults;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, AnyPool, Row};

use super::users::{audit, known_user_by_id};
use super::{Backend, DbError, DbResult, SqlStore, db, flag, now};

/// A group as SCIM sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScimGroup {
    pub id: i64,
    pub name: String,
    /// The identity provider's own id for the group.
    pub external_id: Option<String>,
}

/// A member of a group: their id and name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    pub id: i64,
    pub name: String,
}

/// Where people sent by identity providers and scripts land (`roster::provisioning`).
pub async fn provisioning(conn: &mut AnyConnection, org_id: i64) -> DbResult<Provisioning> {
    let org = sqlx::query(
        "SELECT provision_leader_id, provision_phone_channel, provision_chat_channel, provision_email_channel,
                provision_can_manage_teams
         FROM organisations WHERE id = $1",
    )
    .bind(org_id)
    .fetch_one(&mut *conn)
    .await?;
    let leader_id: Option<i64> = org.try_get("provision_leader_id")?;
    let leader = match leader_id {
        Some(id) => known_user_by_id(conn, org_id, id, "").await?,
        None => None,
    };
    let defaults = ProvisioningDefaults {
        team_leader: leader.as_ref().map(|l| l.id),
        phone_channel: flag(&org, "provision_phone_channel")?,
        chat_channel: flag(&org, "provision_chat_channel")?,
        email_channel: flag(&org, "provision_email_channel")?,
        can_manage_teams: flag(&org, "provision_can_manage_teams")?,
    };
    Ok(Provisioning { defaults, leader })
}

/// The organisation's "uses custom roles" setting.
pub async fn uses_custom_roles(pool: &AnyPool, org_id: i64) -> DbResult<bool> {
    let org =
        sqlx::query("SELECT uses_custom_roles FROM organisations WHERE id = $1").bind(org_id).fetch_one(pool).await?;
    Ok(flag(&org, "uses_custom_roles")?)
}

async fn role_name_free(conn: &mut AnyConnection, org_id: i64, name: &RoleName, except: i64) -> DbResult<()> {
    let names: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM roles WHERE org_id = $1").bind(org_id).fetch_all(&mut *conn).await?;
    let key = name.key();
    if names.iter().any(|(id, other)| *id != except && other.to_lowercase() == key) {
        return Err(StoreError::Taken("role name").into());
    }
    Ok(())
}

/// A role about to be renamed, deactivated or deleted, its row locked until the change commits:
/// a deletion counts the role's holders only once no write that assigns it is still open.
async fn role(conn: &mut AnyConnection, backend: Backend, org_id: i64, role_id: i64) -> DbResult<(String, bool)> {
    let sql = format!("SELECT name, built_in FROM roles WHERE id = $1 AND org_id = $2{}", backend.update_lock());
    let row =
        sqlx::query(&sql).bind(role_id).bind(org_id).fetch_optional(&mut *conn).await?.ok_or(StoreError::NotFound)?;
    Ok((row.try_get("name")?, flag(&row, "built_in")?))
}

async fn group_name(conn: &mut AnyConnection, org_id: i64, group_id: i64) -> DbResult<String> {
    sqlx::query_scalar("SELECT name FROM groups WHERE id = $1 AND org_id = $2")
        .bind(group_id)
        .bind(org_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound.into())
}

fn detail(pairs: serde_json::Value) -> String {
    pairs.to_string()
}

/// Maps the unique (organisation, name) index to `Taken`.
fn group_write_error(error: sqlx::Error) -> DbError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Taken("group name").into(),
        _ => error.into(),
    }
}

/// For SCIM's Groups.
impl SqlStore {
    pub async fn scim_groups(&self, org_id: i64) -> Result<Vec<ScimGroup>, StoreError> {
        db(async {
            let rows = sqlx::query("SELECT id, name, external_id FROM groups WHERE org_id = $1 ORDER BY id")
                .bind(org_id)
                .fetch_all(&self.pool)
                .await?;
            Ok(rows
                .iter()
                .map(|row| {
                    Ok(ScimGroup {
                        id: row.try_get("id")?,
                        name: row.try_get("name")?,
                        external_id: row.try_get("external_id")?,
                    })
                })
                .collect::<Result<_, sqlx::Error>>()?)
        })
        .await
    }

    pub async fn group_members(&self, org_id: i64, group_id: i64) -> Result<Vec<GroupMember>, StoreError> {
        db(async {
            let rows = sqlx::query(
                "SELECT u.id, u.first_name, u.last_name FROM user_groups ug JOIN users u ON u.id = ug.user_id
                 WHERE ug.group_id = $1 AND ug.org_id = $2 ORDER BY u.id",
            )
            .bind(group_id)
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?;
            Ok(rows
                .iter()
                .map(|row| {
                    let (first, last): (String, String) = (row.try_get("first_name")?, row.try_get("last_name")?);
                    Ok(GroupMember { id: row.try_get("id")?, name: format!("{first} {last}") })
                })
                .collect::<Result<_, sqlx::Error>>()?)
        })
        .await
    }

    pub async fn write_group(
        &self,
        org_id: i64,
        group_id: Option<i64>,
        name: &GroupName,
        external_id: Option<&str>,
        members: &[i64],
    ) -> Result<i64, StoreError> {
        db(async {
            let mut tx = self.begin_write().await?;
            let now = now();
            let external_id = external_id.filter(|id| !id.is_empty());
            let id = match group_id {
                None => sqlx::query_scalar(
                    "INSERT INTO groups (org_id, name, external_id) VALUES ($1, $2, $3) RETURNING id",
                )
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
                    .await?;
                    sqlx::query("DELETE FROM user_groups WHERE group_id = $1 AND org_id = $2")
                        .bind(id)
                        .bind(org_id)
                        .execute(&mut *tx)
                        .await?;
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
                .await?;
                if added.rows_affected() == 0 {
                    return Err(StoreError::NotFound.into());
                }
                sqlx::query("UPDATE users SET version = version + 1, updated_at = $1 WHERE id = $2 AND org_id = $3")
                    .bind(now)
                    .bind(member)
                    .bind(org_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let action = if group_id.is_some() { "group.replaced" } else { "group.created" };
            let detail = detail(serde_json::json!({ "group": name.as_str(), "members": unique.len() }));
            audit(&mut tx, org_id, None, action, None, &detail, now).await?;
            tx.commit().await?;
            Ok(id)
        })
        .await
    }
}

#[async_trait]
impl OrganisationStore for SqlStore {
    async fn roles(&self, org_id: i64) -> Result<RolesTab, StoreError> {
        db(async {
            let rows = sqlx::query(
                "SELECT r.id, r.name, r.built_in, r.active, COALESCE(h.holders, 0) AS holders
                 FROM roles r
                 LEFT JOIN (SELECT role_id, COUNT(*) AS holders FROM users WHERE org_id = $1 GROUP BY role_id) h
                     ON h.role_id = r.id
                 WHERE r.org_id = $1 ORDER BY r.built_in DESC, r.id",
            )
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?;
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
                .collect::<Result<_, sqlx::Error>>()?;
            Ok(RolesTab { roles, uses_custom_roles: uses_custom_roles(&self.pool, org_id).await? })
        })
        .await
    }

    async fn create_role(&self, org_id: i64, actor: i64, name: &RoleName) -> Result<i64, StoreError> {
        db(async {
            let mut tx = self.begin_write().await?;
            role_name_free(&mut tx, org_id, name, 0).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO roles (org_id, name, grants_admin, active, built_in) VALUES ($1, $2, FALSE, TRUE, FALSE) RETURNING id",
            )
            .bind(org_id)
            .bind(name.as_str())
            .fetch_one(&mut *tx).await?;
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
            tx.commit().await?;
            Ok(id)
        })
        .await
    }

    async fn rename_role(&self, org_id: i64, actor: i64, role_id: i64, name: &RoleName) -> Result<(), StoreError> {
        db(async {
            let mut tx = self.begin_write().await?;
            let (old, built_in) = role(&mut tx, self.backend, org_id, role_id).await?;
            if built_in {
                return Err(StoreError::BuiltIn.into());
            }
            role_name_free(&mut tx, org_id, name, role_id).await?;
            sqlx::query("UPDATE roles SET name = $1 WHERE id = $2 AND org_id = $3")
                .bind(name.as_str())
                .bind(role_id)
                .bind(org_id)
                .execute(&mut *tx)
                .await?;
            let detail = detail(serde_json::json!({ "from": old, "to": name.as_str() }));
            audit(&mut tx, org_id, Some(actor), "role.renamed", None, &detail, now()).await?;
            Ok(tx.commit().await?)
        })
        .await
    }

    async fn change_role(&self, org_id: i64, actor: i64, role_id: i64, change: RoleChange) -> Result<(), StoreError> {
        db(async {
            let mut tx = self.begin_write().await?;
            let (name, built_in) = role(&mut tx, self.backend, org_id, role_id).await?;
            if built_in {
                return Err(StoreError::BuiltIn.into());
            }
            let action = match change {
                RoleChange::Deactivate | RoleChange::Reactivate => {
                    sqlx::query("UPDATE roles SET active = $1 WHERE id = $2 AND org_id = $3")
                        .bind(change == RoleChange::Reactivate)
                        .bind(role_id)
                        .bind(org_id)
                        .execute(&mut *tx)
                        .await?;
                    if change == RoleChange::Reactivate { "role.reactivated" } else { "role.deactivated" }
                }
                RoleChange::Delete => {
                    let holders: i64 =
                        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role_id = $1 AND org_id = $2")
                            .bind(role_id)
                            .bind(org_id)
                            .fetch_one(&mut *tx)
                            .await?;
                    if holders > 0 {
                        return Err(StoreError::InUse { name, holders }.into());
                    }
                    sqlx::query("DELETE FROM roles WHERE id = $1 AND org_id = $2")
                        .bind(role_id)
                        .bind(org_id)
                        .execute(&mut *tx)
                        .await?;
                    "role.deleted"
                }
            };
            audit(&mut tx, org_id, Some(actor), action, None, &detail(serde_json::json!({ "role": name })), now())
                .await?;
            Ok(tx.commit().await?)
        })
        .await
    }

    async fn set_uses_custom_roles(&self, org_id: i64, actor: i64, on: bool) -> Result<(), StoreError> {
        db(async {
            let mut tx = self.begin_write().await?;
            sqlx::query("UPDATE organisations SET uses_custom_roles = $1 WHERE id = $2")
                .bind(on)
                .bind(org_id)
                .execute(&mut *tx)
                .await?;
            let detail = detail(serde_json::json!({ "uses_custom_roles": on }));
            audit(&mut tx, org_id, Some(actor), "organisation.settings", None, &detail, now()).await?;
            Ok(tx.commit().await?)
        })
        .await
    }

    async fn provisioning(&self, org_id: i64) -> Result<Provisioning, StoreError> {
        db(async { provisioning(&mut *self.pool.acquire().await?, org_id).await }).await
    }

    async fn set_provisioning(
        &self,
        org_id: i64,
        actor: i64,
        defaults: &ProvisioningDefaults,
    ) -> Result<(), StoreError> {
        db(async {
            let mut tx = self.begin_write().await?;
            if let Some(leader) = defaults.team_leader {
                // Read under a share lock: the leader cannot be deactivated before this commits.
                let known = known_user_by_id(&mut tx, org_id, leader.0, self.backend.share_lock()).await?;
                let known = known.ok_or(StoreError::NotFound)?;
                ProvisioningDefaults::check_leader(&known).map_err(StoreError::CannotLead)?;
            }
            sqlx::query(
                "UPDATE organisations SET provision_leader_id = $1, provision_phone_channel = $2,
                        provision_chat_channel = $3, provision_email_channel = $4, provision_can_manage_teams = $5
                 WHERE id = $6",
            )
            .bind(defaults.team_leader.map(|l| l.0))
            .bind(defaults.phone_channel)
            .bind(defaults.chat_channel)
            .bind(defaults.email_channel)
            .bind(defaults.can_manage_teams)
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
            let detail = detail(serde_json::json!({
                "team_leader": defaults.team_leader.map(|l| l.0),
                "phone_channel": defaults.phone_channel,
                "chat_channel": defaults.chat_channel,
                "email_channel": defaults.email_channel,
                "can_manage_teams": defaults.can_manage_teams,
            }));
            audit(&mut tx, org_id, Some(actor), "organisation.provisioning", None, &detail, now()).await?;
            Ok(tx.commit().await?)
        })
        .await
    }

    async fn groups(&self, org_id: i64) -> Result<Vec<GroupRow>, StoreError> {
        db(async {
            let rows = sqlx::query(
                "SELECT g.id, g.name, (SELECT COUNT(*) FROM user_groups ug WHERE ug.group_id = g.id) AS members
                 FROM groups g WHERE g.org_id = $1 ORDER BY g.name, g.id",
            )
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?;
            Ok(rows
                .iter()
                .map(|row| {
                    Ok(GroupRow {
                        id: row.try_get("id")?,
                        name: row.try_get("name")?,
                        members: row.try_get("members")?,
                    })
                })
                .collect::<Result<_, sqlx::Error>>()?)
        })
        .await
    }

    async fn create_group(&self, org_id: i64, actor: Option<i64>, name: &GroupName) -> Result<i64, StoreError> {
        db(async {
            let mut tx = self.begin_write().await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO groups (org_id, name) VALUES ($1, $2) RETURNING id")
                .bind(org_id)
                .bind(name.as_str())
                .fetch_one(&mut *tx)
                .await
                .map_err(group_write_error)?;
            let detail = detail(serde_json::json!({ "group": name.as_str() }));
            audit(&mut tx, org_id, actor, "group.created", None, &detail, now()).await?;
            tx.commit().await?;
            Ok(id)
        })
        .await
    }

    async fn rename_group(
        &self,
        org_id: i64,
        actor: Option<i64>,
        group_id: i64,
        name: &GroupName,
    ) -> Result<(), StoreError> {
        db(async {
            let mut tx = self.begin_write().await?;
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
            Ok(tx.commit().await?)
        })
        .await
    }

    async fn delete_group(&self, org_id: i64, actor: Option<i64>, group_id: i64) -> Result<i64, StoreError> {
        db(async {
            let mut tx = self.begin_write().await?;
            let name = group_name(&mut tx, org_id, group_id).await?;
            let removed = sqlx::query("DELETE FROM user_groups WHERE group_id = $1 AND org_id = $2")
                .bind(group_id)
                .bind(org_id)
                .execute(&mut *tx)
                .await?
                .rows_affected() as i64;
            sqlx::query("DELETE FROM groups WHERE id = $1 AND org_id = $2")
                .bind(group_id)
                .bind(org_id)
                .execute(&mut *tx)
                .await?;
            let detail = detail(serde_json::json!({ "group": name, "members": removed }));
            audit(&mut tx, org_id, actor, "group.deleted", None, &detail, now()).await?;
            tx.commit().await?;
            Ok(removed)
        })
        .await
    }
}
