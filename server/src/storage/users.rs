//! One user: the rules' view of the organisation, inserting, loading and updating a profile, and
//! the audit trail of each change.

use app::ssr::{CheckedProfile, NewUser, StoreError, UserStore};
use app::user::{UserForm, UserStatus};
use async_trait::async_trait;
use roster::directory::RoleInfo;
use roster::fields::{DateFormat, yes_no_text};
use roster::{Directory, KnownUser, OrgRules, Profile, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::sql::{Sql, Value};
use super::{Backend, DbResult, ProfileChange, SqlStore, db, deactivation, error::user_write, flag, now, welcome};

/// The lowercased text the roster search looks in.
fn search_text(profile: &Profile) -> String {
    [
        profile.first_name.as_str(),
        profile.last_name.as_str(),
        profile.email.as_ref().map(|e| e.as_str()).unwrap_or_default(),
        profile.employee_id.as_ref().map(|e| e.as_str()).unwrap_or_default(),
    ]
    .join(" ")
    .to_lowercase()
}

/// The id of the role a write assigns, its row locked against deletion until the write commits
/// (users have no foreign key to roles: see migration 0007).
async fn role_id(conn: &mut AnyConnection, backend: Backend, org_id: i64, name: &str) -> DbResult<i64> {
    let sql = format!("SELECT id FROM roles WHERE org_id = $1 AND name = $2{}", backend.share_lock());
    sqlx::query_scalar(&sql).bind(org_id).bind(name).fetch_optional(&mut *conn).await?.ok_or(StoreError::Stale.into())
}

async fn set_groups(conn: &mut AnyConnection, org_id: i64, user_id: i64, profile: &Profile) -> DbResult<()> {
    sqlx::query("DELETE FROM user_groups WHERE org_id = $1 AND user_id = $2")
        .bind(org_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for name in profile.groups.names() {
        let inserted = sqlx::query(
            "INSERT INTO user_groups (org_id, user_id, group_id) SELECT $1, $2, id FROM groups WHERE org_id = $1 AND name = $3",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(name.as_str())
        .execute(&mut *conn)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::Stale.into()); // the group was deleted meanwhile
        }
    }
    Ok(())
}

/// The columns a profile sets, in the order of [`profile_values`].
pub(super) const PROFILE_COLUMNS: [&str; 17] = [
    "role_id",
    "email",
    "email_key",
    "employee_id",
    "first_name",
    "last_name",
    "home_town",
    "state_or_country",
    "bio",
    "can_manage_teams",
    "phone_channel",
    "chat_channel",
    "email_channel",
    "leader_id",
    "employment_status",
    "start_date",
    "search_text",
];

/// The columns of [`PROFILE_COLUMNS`] that hold the profile's flags (`Column::FLAGS`).
pub(super) const FLAG_COLUMNS: [&str; 4] = ["can_manage_teams", "phone_channel", "chat_channel", "email_channel"];

/// A profile's values for [`PROFILE_COLUMNS`], in order.
pub(super) fn profile_values(role_id: i64, p: &Profile, leader: Option<UserId>) -> [Value; 17] {
    let text = |value: Option<&str>| Value::Text(value.map(str::to_owned));
    [
        Value::Int(Some(role_id)),
        text(p.email.as_ref().map(|e| e.as_str())),
        Value::Text(p.email.as_ref().map(|e| e.key())),
        text(p.employee_id.as_ref().map(|e| e.as_str())),
        text(Some(p.first_name.as_str())),
        text(Some(p.last_name.as_str())),
        text(p.home_town.as_ref().map(|t| t.as_str())),
        text(p.state_or_country.as_ref().map(|t| t.as_str())),
        text(p.bio.as_ref().map(|t| t.as_str())),
        Value::Flag(p.can_manage_teams),
        Value::Flag(p.phone_channel),
        Value::Flag(p.chat_channel),
        Value::Flag(p.email_channel),
        Value::Int(leader.map(|l| l.0)),
        text(p.employment_status.map(|s| s.as_str())),
        Value::Text(p.start_date.map(|d| d.iso())),
        Value::Text(Some(search_text(p))),
    ]
}

/// Inserts a validated user (and their groups) on an open transaction, audited.
pub async fn insert_user(
    conn: &mut AnyConnection,
    backend: Backend,
    org_id: i64,
    actor: Option<i64>,
    user: &NewUser,
    now: i64,
) -> DbResult<i64> {
    let p = &user.profile;
    let role_id = role_id(conn, backend, org_id, &p.role).await?;
    let mut sql = Sql::new(
        backend,
        &format!(
            "INSERT INTO users (org_id, {}, status, password_hash, must_change_password, created_at, updated_at,
                updated_by, external_id, scim_user_name) VALUES ",
            PROFILE_COLUMNS.join(", ")
        ),
    );
    sql.row(|row| {
        row.bind(org_id);
        for value in profile_values(role_id, p, user.leader) {
            row.value(value);
        }
        row.bind(user.status.as_str())
            .bind(user.password_hash.clone())
            .bind(user.must_change_password)
            .bind(now)
            .bind(now)
            .bind(actor)
            .bind(user.external_id.clone())
            .bind(user.scim_user_name.clone());
    });
    sql.push(" RETURNING id");
    let id: i64 = sql.query()?.fetch_one(&mut *conn).await.map_err(user_write)?.try_get(0)?;
    set_groups(conn, org_id, id, p).await?;
    let detail = serde_json::json!({ "name": format!("{} {}", p.first_name.as_str(), p.last_name.as_str()) });
    audit(conn, org_id, actor, "user.created", Some(id), &detail.to_string(), now).await?;
    Ok(id)
}

pub(super) async fn audit(
    conn: &mut AnyConnection,
    org_id: i64,
    actor: Option<i64>,
    action: &str,
    subject: Option<i64>,
    detail: &str,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (org_id, actor_id, action, subject_id, detail, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(org_id)
    .bind(actor)
    .bind(action)
    .bind(subject)
    .bind(detail)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn org_rules(conn: &mut AnyConnection, org_id: i64) -> DbResult<OrgRules> {
    let org = sqlx::query("SELECT uses_custom_roles, date_format FROM organisations WHERE id = $1")
        .bind(org_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let roles = sqlx::query("SELECT name, active FROM roles WHERE org_id = $1 ORDER BY id")
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await?;
    let groups: Vec<String> = sqlx::query_scalar("SELECT name FROM groups WHERE org_id = $1 ORDER BY name")
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(OrgRules {
        uses_custom_roles: flag(&org, "uses_custom_roles")?,
        date_format: DateFormat::from_setting(&org.try_get::<String, _>("date_format")?),
        roles: roles
            .iter()
            .map(|r| Ok(RoleInfo { name: r.try_get("name")?, active: flag(r, "active")? }))
            .collect::<Result<_, sqlx::Error>>()?,
        groups,
        column_names: super::column_names::column_names(conn, org_id).await?,
        today: Some(now().div_euclid(86_400)),
    })
}

const KNOWN_USER_COLUMNS: &str =
    "u.id, u.email_key, u.employee_id, u.first_name, u.last_name, u.can_manage_teams, u.status, u.leader_id,
    EXISTS (SELECT 1 FROM users r WHERE r.org_id = u.org_id AND r.leader_id = u.id) AS has_reports";

fn known_user(row: &AnyRow) -> Result<KnownUser, sqlx::Error> {
    Ok(KnownUser {
        id: UserId(row.try_get("id")?),
        email_key: row.try_get("email_key")?,
        employee_id: row.try_get("employee_id")?,
        display_name: format!("{} {}", row.try_get::<String, _>("first_name")?, row.try_get::<String, _>("last_name")?),
        can_manage_teams: flag(row, "can_manage_teams")?,
        deactivated: row.try_get::<String, _>("status")? == UserStatus::Deactivated.as_str(),
        leader: row.try_get::<Option<i64>, _>("leader_id")?.map(UserId),
        has_reports: flag(row, "has_reports")?,
    })
}

/// One user as the rules know them; `lock` ends the `SELECT` (a dialect's share lock, or nothing).
pub async fn known_user_by_id(
    conn: &mut AnyConnection,
    org_id: i64,
    id: i64,
    lock: &str,
) -> DbResult<Option<KnownUser>> {
    let sql = format!("SELECT {KNOWN_USER_COLUMNS} FROM users u WHERE u.org_id = $1 AND u.id = $2{lock}");
    let row = sqlx::query(&sql).bind(org_id).bind(id).fetch_optional(&mut *conn).await?;
    Ok(row.as_ref().map(known_user).transpose()?)
}

/// Every user of the organisation, as the rules know them.
pub async fn known_users(conn: &mut AnyConnection, org_id: i64) -> DbResult<Vec<KnownUser>> {
    let sql = format!("SELECT {KNOWN_USER_COLUMNS} FROM users u WHERE u.org_id = $1");
    let rows = sqlx::query(&sql).bind(org_id).fetch_all(&mut *conn).await?;
    Ok(rows.iter().map(known_user).collect::<Result<_, _>>()?)
}

pub async fn user_form(
    conn: &mut AnyConnection,
    org_id: i64,
    user_id: i64,
) -> DbResult<Option<(UserForm, UserStatus)>> {
    let row = sqlx::query(
        "SELECT u.*, r.name AS role_name, COALESCE(l.email, l.employee_id) AS leader_ref
         FROM users u JOIN roles r ON r.id = u.role_id LEFT JOIN users l ON l.id = u.leader_id
         WHERE u.org_id = $1 AND u.id = $2",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let groups: Vec<String> = sqlx::query_scalar(
        "SELECT g.name FROM user_groups ug JOIN groups g ON g.id = ug.group_id WHERE ug.org_id = $1 AND ug.user_id = $2 ORDER BY g.name",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    let text =
        |name: &str| -> Result<String, sqlx::Error> { Ok(row.try_get::<Option<String>, _>(name)?.unwrap_or_default()) };
    let flag = |name: &str| -> Result<Option<String>, sqlx::Error> {
        Ok(flag(&row, name)?.then(|| yes_no_text(true).to_owned()))
    };
    let status = UserStatus::parse(&row.try_get::<String, _>("status")?).unwrap_or(UserStatus::Created);
    let form = UserForm {
        id: Some(row.try_get("id")?),
        version: Some(row.try_get("version")?),
        role: row.try_get("role_name")?,
        can_manage_teams: flag("can_manage_teams")?,
        email: text("email")?,
        employee_id: text("employee_id")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        home_town: text("home_town")?,
        state_or_country: text("state_or_country")?,
        profile: text("bio")?,
        phone_channel: flag("phone_channel")?,
        chat_channel: flag("chat_channel")?,
        email_channel: flag("email_channel")?,
        team_leader: text("leader_ref")?,
        employment_status: text("employment_status")?,
        start_date: text("start_date")?,
        group_assignments: roster::fields::GroupList::from_names(groups).to_cell(),
        temporary_password: String::new(),
    };
    Ok(Some((form, status)))
}

/// The fields of a form that differ, as `{field: [before, after]}`.
fn changes(before: &UserForm, after: &UserForm) -> serde_json::Value {
    let (Ok(serde_json::Value::Object(before)), Ok(serde_json::Value::Object(after))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return serde_json::Value::Null;
    };
    let changed: serde_json::Map<String, serde_json::Value> = after
        .iter()
        .filter(|(key, value)| {
            !matches!(key.as_str(), "id" | "version" | "temporary_password") && before.get(*key) != Some(*value)
        })
        .map(|(key, value)| (key.clone(), serde_json::json!([before.get(key), value])))
        .collect();
    serde_json::Value::Object(changed)
}

/// Makes `leader_id` able to manage teams (Can Manage Teams = y; their role is kept): an identity
/// provider named them as someone's manager ([`roster::provisioning::promotes`]). Audited as a
/// change of their own; a leader deactivated meanwhile is refused as the checks refuse them.
pub async fn promote_in(
    tx: &mut AnyConnection,
    backend: Backend,
    org_id: i64,
    actor: Option<i64>,
    leader_id: UserId,
    now: i64,
) -> DbResult<()> {
    let (before, status) = user_form(&mut *tx, org_id, leader_id.0).await?.ok_or(StoreError::NotFound)?;
    if status == UserStatus::Deactivated {
        return Err(StoreError::Stale.into());
    }
    let mut sql = Sql::new(backend, "UPDATE users SET can_manage_teams = ");
    sql.push(backend.yes()).push(", version = version + 1, updated_at = ").bind(now);
    sql.push(", updated_by = ").bind(actor).push(" WHERE org_id = ").bind(org_id).push(" AND id = ").bind(leader_id.0);
    sql.query()?.execute(&mut *tx).await?;
    let after = user_form(&mut *tx, org_id, leader_id.0).await?.ok_or(StoreError::NotFound)?.0;
    audit(&mut *tx, org_id, actor, "user.updated", Some(leader_id.0), &changes(&before, &after).to_string(), now).await
}

/// Updates a user within the caller's transaction if they are still at the change's version
/// (`Stale` otherwise), audited with every field before → after; a leader the change promotes is
/// promoted first.
pub async fn update_in(
    tx: &mut AnyConnection,
    backend: Backend,
    org_id: i64,
    actor: Option<i64>,
    user_id: i64,
    change: &ProfileChange<'_>,
    now: i64,
) -> DbResult<()> {
    let CheckedProfile { profile, leader, promote_leader } = change.checked;
    if let (true, Some(leader)) = (*promote_leader, *leader) {
        promote_in(&mut *tx, backend, org_id, actor, leader, now).await?;
    }
    let before = user_form(&mut *tx, org_id, user_id).await?.ok_or(StoreError::NotFound)?.0;
    let role_id = role_id(&mut *tx, backend, org_id, &profile.role).await?;
    let mut sql = Sql::new(backend, "UPDATE users SET ");
    for (column, value) in PROFILE_COLUMNS.iter().zip(profile_values(role_id, profile, *leader)) {
        sql.push(column).push(" = ").bind_value(value).push(", ");
    }
    sql.push("version = version + 1, updated_at = ").bind(now).push(", updated_by = ").bind(actor);
    if let Some(external_id) = change.external_id {
        // Given: it replaces the identity provider's id (blank removes it).
        sql.push(", external_id = ").bind(Some(external_id.to_owned()).filter(|id| !id.is_empty()));
    }
    if let Some(user_name) = change.scim_user_name {
        sql.push(", scim_user_name = ").bind(user_name.map(str::to_owned));
    }
    sql.push(" WHERE org_id = ").bind(org_id).push(" AND id = ").bind(user_id);
    sql.push(" AND version = ").bind(change.version);
    let updated = sql.query()?.execute(&mut *tx).await.map_err(user_write)?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::Stale.into());
    }
    set_groups(&mut *tx, org_id, user_id, profile).await?;
    let after = user_form(&mut *tx, org_id, user_id).await?.ok_or(StoreError::NotFound)?.0;
    let changes = changes(&before, &after).to_string();
    sqlx::query(
        "INSERT INTO user_changes (org_id, user_id, version, changes, by_user, by_key, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(change.version + 1)
    .bind(&changes)
    .bind(actor)
    .bind(change.key)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit(&mut *tx, org_id, actor, "user.updated", Some(user_id), &changes, now).await
}

#[async_trait]
impl UserStore for SqlStore {
    async fn org_rules(&self, org_id: i64) -> Result<OrgRules, StoreError> {
        db(async { org_rules(&mut *self.pool.acquire().await?, org_id).await }).await
    }

    async fn directory_for(
        &self,
        org_id: i64,
        profile: &Profile,
        editing: Option<i64>,
    ) -> Result<Directory, StoreError> {
        db(async {
            let reference: Option<String> = profile.team_leader.as_deref().map(str::to_owned);
            let sql = format!(
                "WITH RECURSIVE chain(id) AS (
                     SELECT id FROM users WHERE org_id = $1 AND (email_key = $2 OR employee_id = $3)
                     UNION
                     SELECT u.leader_id FROM users u JOIN chain c ON u.id = c.id
                     WHERE u.org_id = $1 AND u.leader_id IS NOT NULL
                 )
                 SELECT {KNOWN_USER_COLUMNS} FROM users u
                 WHERE u.org_id = $1
                   AND (u.id IN (SELECT id FROM chain) OR u.email_key = $4 OR u.employee_id = $5 OR u.id = $6)"
            );
            let rows = sqlx::query(&sql)
                .bind(org_id)
                .bind(reference.as_ref().map(|r| r.to_lowercase()))
                .bind(reference)
                .bind(profile.email.as_ref().map(|e| e.key()))
                .bind(profile.employee_id.as_ref().map(|e| e.as_str().to_owned()))
                .bind(editing)
                .fetch_all(&self.pool)
                .await?;
            Ok(Directory::new(rows.iter().map(known_user).collect::<Result<_, _>>()?))
        })
        .await
    }

    async fn user_form(&self, org_id: i64, user_id: i64) -> Result<Option<(UserForm, UserStatus)>, StoreError> {
        db(async { user_form(&mut *self.pool.acquire().await?, org_id, user_id).await }).await
    }

    async fn create_user(&self, org_id: i64, actor: Option<i64>, user: &NewUser) -> Result<i64, StoreError> {
        let id = db(async {
            let now = now();
            let mut tx = self.begin_write().await?;
            if let (true, Some(leader)) = (user.promote_leader, user.leader) {
                promote_in(&mut tx, self.backend, org_id, actor, leader, now).await?;
            }
            let id = insert_user(&mut tx, self.backend, org_id, actor, user, now).await?;
            welcome::schedule(&mut tx, org_id, id, now).await?;
            tx.commit().await?;
            Ok(id)
        })
        .await?;
        self.wake_mail();
        Ok(id)
    }

    async fn update_user(
        &self,
        org_id: i64,
        actor: Option<i64>,
        key: Option<i64>,
        user_id: i64,
        version: i64,
        checked: &CheckedProfile,
    ) -> Result<(), StoreError> {
        db(async {
            let change = ProfileChange { checked, external_id: None, scim_user_name: None, version, key };
            let mut tx = self.begin_write().await?;
            update_in(&mut tx, self.backend, org_id, actor, user_id, &change, now()).await?;
            Ok(tx.commit().await?)
        })
        .await
    }

    async fn deactivate_users(
        &self,
        org_id: i64,
        actor: Option<i64>,
        selected: &[UserId],
        replacements: &[(UserId, UserId)],
    ) -> Result<usize, StoreError> {
        db(async {
            let mut tx = self.begin_write().await?;
            let by = deactivation::By { actor, key: None };
            let deactivated = deactivation::deactivate_in(&mut tx, org_id, by, selected, replacements).await?;
            tx.commit().await?;
            Ok(deactivated)
        })
        .await
    }

    async fn reactivate_user(&self, org_id: i64, actor: Option<i64>, user_id: i64) -> Result<(), StoreError> {
        db(async {
            let mut tx = self.begin_write().await?;
            deactivation::reactivate_in(&mut tx, org_id, deactivation::By { actor, key: None }, user_id).await?;
            Ok(tx.commit().await?)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_columns_are_the_flags_values() {
        let profile = roster::Profile::parse(
            &roster::ProfileInput::new()
                .with(roster::Column::CanManageTeams, "y")
                .with(roster::Column::EmailAddress, "a@b.test")
                .with(roster::Column::FirstName, "A")
                .with(roster::Column::LastName, "B")
                .with(roster::Column::PhoneChannel, "y")
                .with(roster::Column::ChatChannel, "y")
                .with(roster::Column::EmailChannel, "y"),
            &OrgRules::with_default_roles(),
        )
        .unwrap();
        let flags: Vec<&str> = PROFILE_COLUMNS
            .iter()
            .zip(profile_values(1, &profile, None))
            .filter(|(_, value)| matches!(value, Value::Flag(_)))
            .map(|(column, _)| *column)
            .collect();
        assert_eq!(flags, FLAG_COLUMNS);
    }
}
