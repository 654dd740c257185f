//! Users: the rules' view of the organisation, inserting, loading and updating profiles, and the
//! audit trail of each change.

use app::model::{UserForm, UserStatus};
use app::ssr::{NewUser, StoreError};
use roster::directory::RoleInfo;
use roster::fields::{DateFormat, yes_no_text};
use roster::{Directory, KnownUser, OrgRules, Profile, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use super::{begin_write, flag, internal, user_write_error};

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

async fn role_id(conn: &mut AnyConnection, org_id: i64, name: &str) -> Result<i64, StoreError> {
    sqlx::query_scalar("SELECT id FROM roles WHERE org_id = $1 AND name = $2")
        .bind(org_id)
        .bind(name)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?
        .ok_or(StoreError::Stale)
}

async fn set_groups(conn: &mut AnyConnection, org_id: i64, user_id: i64, profile: &Profile) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM user_groups WHERE org_id = $1 AND user_id = $2")
        .bind(org_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await
        .map_err(internal)?;
    for name in profile.groups.names() {
        let inserted = sqlx::query(
            "INSERT INTO user_groups (org_id, user_id, group_id) SELECT $1, $2, id FROM groups WHERE org_id = $1 AND name = $3",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(name.as_str())
        .execute(&mut *conn)
        .await
        .map_err(internal)?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::Stale); // the group was deleted meanwhile
        }
    }
    Ok(())
}

fn opt(text: Option<&str>) -> Option<String> {
    text.map(str::to_owned)
}

/// The columns a profile sets, in the order [`bind_profile`] binds them.
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

pub(super) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds a profile's values for [`PROFILE_COLUMNS`], in order.
pub(super) fn bind_profile<'q>(query: AnyQuery<'q>, role_id: i64, p: &Profile, leader: Option<UserId>) -> AnyQuery<'q> {
    query
        .bind(role_id)
        .bind(opt(p.email.as_ref().map(|e| e.as_str())))
        .bind(p.email.as_ref().map(|e| e.key()))
        .bind(opt(p.employee_id.as_ref().map(|e| e.as_str())))
        .bind(p.first_name.as_str().to_owned())
        .bind(p.last_name.as_str().to_owned())
        .bind(opt(p.home_town.as_ref().map(|t| t.as_str())))
        .bind(opt(p.state_or_country.as_ref().map(|t| t.as_str())))
        .bind(opt(p.bio.as_ref().map(|t| t.as_str())))
        .bind(p.can_manage_teams)
        .bind(p.phone_channel)
        .bind(p.chat_channel)
        .bind(p.email_channel)
        .bind(leader.map(|l| l.0))
        .bind(p.employment_status.map(|s| s.as_str().to_owned()))
        .bind(p.start_date.map(|d| d.iso()))
        .bind(search_text(p))
}

/// Inserts a validated user (and their groups) on an open connection or transaction.
pub async fn insert_user(
    conn: &mut AnyConnection,
    org_id: i64,
    actor: Option<i64>,
    user: &NewUser,
    now: i64,
) -> Result<i64, StoreError> {
    let p = &user.profile;
    let role_id = role_id(conn, org_id, &p.role).await?;
    // $1 is the organisation, then the profile's columns, then the rest.
    let first = 2;
    let after = first + PROFILE_COLUMNS.len();
    let placeholders: Vec<String> = (first..after).map(|n| format!("${n}")).collect();
    let sql = format!(
        "INSERT INTO users (org_id, {columns}, status, password_hash, must_change_password, created_at, updated_at, updated_by,
                external_id)
         VALUES ($1, {placeholders}, ${status}, ${hash}, ${must}, ${now}, ${now}, ${actor}, ${external}) RETURNING id",
        columns = PROFILE_COLUMNS.join(", "),
        placeholders = placeholders.join(", "),
        status = after,
        hash = after + 1,
        must = after + 2,
        now = after + 3,
        actor = after + 4,
        external = after + 5,
    );
    let row = bind_profile(sqlx::query(&sql).bind(org_id), role_id, p, user.leader)
        .bind(user.status.as_str())
        .bind(user.password_hash.clone())
        .bind(user.must_change_password)
        .bind(now)
        .bind(actor)
        .bind(user.external_id.clone())
        .fetch_one(&mut *conn)
        .await
        .map_err(user_write_error)?;
    let id: i64 = row.try_get(0).map_err(internal)?;
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
) -> Result<(), StoreError> {
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
    .await
    .map_err(internal)?;
    Ok(())
}

pub async fn org_rules(conn: &mut AnyConnection, org_id: i64) -> Result<OrgRules, StoreError> {
    let org = sqlx::query("SELECT uses_custom_roles, date_format FROM organisations WHERE id = $1")
        .bind(org_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?
        .ok_or(StoreError::NotFound)?;
    let roles = sqlx::query("SELECT name, active FROM roles WHERE org_id = $1 ORDER BY id")
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(internal)?;
    let groups: Vec<String> = sqlx::query_scalar("SELECT name FROM groups WHERE org_id = $1 ORDER BY name")
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(internal)?;
    let read = || -> Result<OrgRules, sqlx::Error> {
        Ok(OrgRules {
            uses_custom_roles: flag(&org, "uses_custom_roles")?,
            date_format: DateFormat::from_setting(&org.try_get::<String, _>("date_format")?),
            roles: roles
                .iter()
                .map(|r| Ok(RoleInfo { name: r.try_get("name")?, active: flag(r, "active")? }))
                .collect::<Result<_, sqlx::Error>>()?,
            groups,
        })
    };
    read().map_err(internal)
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

/// Every user of the organisation, as the rules know them.
pub async fn known_users(conn: &mut AnyConnection, org_id: i64) -> Result<Vec<KnownUser>, StoreError> {
    let sql = format!("SELECT {KNOWN_USER_COLUMNS} FROM users u WHERE u.org_id = $1");
    let rows = sqlx::query(&sql).bind(org_id).fetch_all(&mut *conn).await.map_err(internal)?;
    rows.iter().map(known_user).collect::<Result<_, _>>().map_err(internal)
}

pub async fn directory_for(
    pool: &AnyPool,
    org_id: i64,
    profile: &Profile,
    editing: Option<i64>,
) -> Result<Directory, StoreError> {
    let reference: Option<String> = profile.team_leader.as_deref().map(str::to_owned);
    let sql = format!(
        "WITH RECURSIVE chain(id) AS (
             SELECT id FROM users WHERE org_id = $1 AND (email_key = $2 OR employee_id = $3)
             UNION
             SELECT u.leader_id FROM users u JOIN chain c ON u.id = c.id WHERE u.org_id = $1 AND u.leader_id IS NOT NULL
         )
         SELECT {KNOWN_USER_COLUMNS} FROM users u
         WHERE u.org_id = $1 AND (u.id IN (SELECT id FROM chain) OR u.email_key = $4 OR u.employee_id = $5 OR u.id = $6)"
    );
    let rows = sqlx::query(&sql)
        .bind(org_id)
        .bind(reference.as_ref().map(|r| r.to_lowercase()))
        .bind(reference)
        .bind(profile.email.as_ref().map(|e| e.key()))
        .bind(opt(profile.employee_id.as_ref().map(|e| e.as_str())))
        .bind(editing)
        .fetch_all(pool)
        .await
        .map_err(internal)?;
    let users = rows.iter().map(known_user).collect::<Result<_, _>>().map_err(internal)?;
    Ok(Directory::new(users))
}

pub async fn user_form(
    conn: &mut AnyConnection,
    org_id: i64,
    user_id: i64,
) -> Result<Option<(UserForm, UserStatus)>, StoreError> {
    let row = sqlx::query(
        "SELECT u.*, r.name AS role_name, COALESCE(l.email, l.employee_id) AS leader_ref
         FROM users u JOIN roles r ON r.id = u.role_id LEFT JOIN users l ON l.id = u.leader_id
         WHERE u.org_id = $1 AND u.id = $2",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(internal)?;
    let Some(row) = row else { return Ok(None) };
    let groups: Vec<String> = sqlx::query_scalar(
        "SELECT g.name FROM user_groups ug JOIN groups g ON g.id = ug.group_id WHERE ug.org_id = $1 AND ug.user_id = $2 ORDER BY g.name",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    let read = || -> Result<(UserForm, UserStatus), sqlx::Error> {
        let text = |name: &str| -> Result<String, sqlx::Error> {
            Ok(row.try_get::<Option<String>, _>(name)?.unwrap_or_default())
        };
        let flag = |name: &str| -> Result<Option<String>, sqlx::Error> {
            Ok(flag(&row, name)?.then(|| yes_no_text(true).to_owned()))
        };
        let status = UserStatus::parse(&row.try_get::<String, _>("status")?).unwrap_or(UserStatus::Created);
        Ok((
            UserForm {
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
            },
            status,
        ))
    };
    read().map(Some).map_err(internal)
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

#[allow(clippy::too_many_arguments)]
pub async fn update_user(
    pool: &AnyPool,
    org_id: i64,
    actor: Option<i64>,
    user_id: i64,
    version: i64,
    profile: &Profile,
    leader: Option<UserId>,
    external_id: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    let mut tx = begin_write(pool).await?;
    update_in(&mut tx, org_id, actor, user_id, version, profile, leader, external_id, now).await?;
    tx.commit().await.map_err(internal)
}

/// Updates a user within the caller's transaction if they are still at `version`.
#[allow(clippy::too_many_arguments)]
pub async fn update_in(
    tx: &mut AnyConnection,
    org_id: i64,
    actor: Option<i64>,
    user_id: i64,
    version: i64,
    profile: &Profile,
    leader: Option<UserId>,
    external_id: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    let before = user_form(&mut *tx, org_id, user_id).await?.ok_or(StoreError::NotFound)?.0;
    let role_id = role_id(&mut *tx, org_id, &profile.role).await?;
    let assignments: Vec<String> =
        PROFILE_COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
    let after = PROFILE_COLUMNS.len() + 1;
    let sql = format!(
        "UPDATE users SET {}, version = version + 1, updated_at = ${}, updated_by = ${},
                external_id = CASE WHEN ${} THEN ${} ELSE external_id END
         WHERE org_id = ${} AND id = ${} AND version = ${}",
        assignments.join(", "),
        after,
        after + 1,
        after + 2,
        after + 3,
        after + 4,
        after + 5,
        after + 6,
    );
    let updated = bind_profile(sqlx::query(&sql), role_id, profile, leader)
        .bind(now)
        .bind(actor)
        .bind(external_id.is_some())
        .bind(external_id.filter(|id| !id.is_empty()).map(str::to_owned))
        .bind(org_id)
        .bind(user_id)
        .bind(version)
        .execute(&mut *tx)
        .await
        .map_err(user_write_error)?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    set_groups(&mut *tx, org_id, user_id, profile).await?;
    let after = user_form(&mut *tx, org_id, user_id).await?.ok_or(StoreError::NotFound)?.0;
    audit(&mut *tx, org_id, actor, "user.updated", Some(user_id), &changes(&before, &after).to_string(), now).await?;
    Ok(())
}
