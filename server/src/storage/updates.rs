//! Bulk update in storage: the current team as Download Current Team writes it, and the
//! all-or-nothing commit of a bulk-update file, checked again inside the transaction.
//!
//! The commit writes in a few statements per thousand users, whatever the size: identifiers that
//! change are released first (so that swaps never trip the unique indexes), then one
//! `UPDATE … FROM (VALUES …)` per chunk sets every profile column, the status and the version, and
//! only for users still at the version the check saw.

use std::collections::HashMap;

use app::model::{UserStatus, utc_time};
use app::ssr::{Committed, FileBatch, StoreError};
use roster::current::{CurrentTeam, CurrentUser, TeamSnapshot};
use roster::fields::{GroupList, yes_no_text};
use roster::report::Change;
use roster::sheet::Field;
use roster::update::{UserUpdate, check_update};
use roster::{Column, ProfileInput, UserId};
use sqlx::{AnyConnection, AnyPool, Row};

use super::imports::{audit_batch, begin_import, insert_batch, name_ids, placeholders};
use super::users::{AnyQuery, PROFILE_COLUMNS, bind_profile, org_rules};
use super::{Backend, flag, internal, user_write_error};

/// Users per `UPDATE … FROM (VALUES …)`: 20 values each stay below SQLite's 32,766 parameters.
const USERS_PER_UPDATE: usize = 1_000;
/// Ids per `IN (…)` list, and rows per INSERT of the batch log and audit trail.
const IDS_PER_STATEMENT: usize = 5_000;
const ENTRIES_PER_INSERT: usize = 2_000;

/// Who last changed a user, when no one signed in did (the command line or an API key).
const AUTOMATED: &str = "an automated import";

pub async fn team_snapshot(pool: &AnyPool, org_id: i64) -> Result<TeamSnapshot, StoreError> {
    let mut conn = pool.acquire().await.map_err(internal)?;
    let org = org_rules(&mut conn, org_id).await?;
    let team = current_team(&mut conn, org_id).await?;
    Ok(TeamSnapshot { org, team })
}

/// Every user of the organisation, deactivated ones included, sorted by name, with the cells
/// Download Current Team writes.
pub async fn current_team(conn: &mut AnyConnection, org_id: i64) -> Result<CurrentTeam, StoreError> {
    let memberships = sqlx::query(
        "SELECT ug.user_id, g.name FROM user_groups ug JOIN groups g ON g.id = ug.group_id
         WHERE ug.org_id = $1 ORDER BY ug.user_id, g.name",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    let mut groups: HashMap<i64, Vec<String>> = HashMap::new();
    for row in &memberships {
        groups.entry(row.try_get("user_id").map_err(internal)?).or_default().push(row.try_get("name").map_err(internal)?);
    }
    let rows = sqlx::query(
        "SELECT u.id, u.version, r.name AS role_name, u.can_manage_teams, u.email, u.employee_id, u.first_name,
                u.last_name, u.home_town, u.state_or_country, u.bio, u.phone_channel, u.chat_channel, u.email_channel,
                COALESCE(l.email, l.employee_id) AS leader_ref, u.leader_id, u.employment_status, u.start_date,
                u.status, u.updated_at, e.first_name || ' ' || e.last_name AS changed_by
         FROM users u
         JOIN roles r ON r.id = u.role_id
         LEFT JOIN users l ON l.id = u.leader_id
         LEFT JOIN users e ON e.id = u.updated_by
         WHERE u.org_id = $1
         ORDER BY u.last_name, u.first_name, u.id",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    let read = |row: &sqlx::any::AnyRow| -> Result<CurrentUser, sqlx::Error> {
        let text = |name: &str| -> Result<String, sqlx::Error> {
            Ok(row.try_get::<Option<String>, _>(name)?.unwrap_or_default())
        };
        let yes_no = |name: &str| -> Result<&'static str, sqlx::Error> { Ok(yes_no_text(flag(row, name)?)) };
        let id: i64 = row.try_get("id")?;
        let cells = ProfileInput::new()
            .with(Column::Role, text("role_name")?)
            .with(Column::CanManageTeams, yes_no("can_manage_teams")?)
            .with(Column::EmailAddress, text("email")?)
            .with(Column::EmployeeId, text("employee_id")?)
            .with(Column::FirstName, text("first_name")?)
            .with(Column::LastName, text("last_name")?)
            .with(Column::HomeTown, text("home_town")?)
            .with(Column::StateOrCountry, text("state_or_country")?)
            .with(Column::Profile, text("bio")?)
            .with(Column::PhoneChannel, yes_no("phone_channel")?)
            .with(Column::ChatChannel, yes_no("chat_channel")?)
            .with(Column::EmailChannel, yes_no("email_channel")?)
            .with(Column::TeamLeader, text("leader_ref")?)
            .with(Column::EmploymentStatus, text("employment_status")?)
            .with(Column::StartDate, text("start_date")?)
            .with(
                Column::GroupAssignments,
                groups.get(&id).map(|names| GroupList::from_names(names.clone()).to_cell()).unwrap_or_default(),
            );
        Ok(CurrentUser {
            id: UserId(id),
            version: row.try_get("version")?,
            cells,
            leader: row.try_get::<Option<i64>, _>("leader_id")?.map(UserId),
            deactivated: row.try_get::<String, _>("status")? == UserStatus::Deactivated.as_str(),
            changed_by: row.try_get::<Option<String>, _>("changed_by")?.unwrap_or_else(|| AUTOMATED.to_owned()),
            changed_at: utc_time(row.try_get("updated_at")?),
        })
    };
    let users = rows.iter().map(read).collect::<Result<Vec<_>, _>>().map_err(internal)?;
    Ok(CurrentTeam::from(users))
}

/// `{"first_name": ["Ada", "Augusta"], …}`: each changed field, before → after.
pub fn changes_json(changes: &[Change]) -> serde_json::Value {
    changes.iter().map(|c| (c.field.key().to_owned(), serde_json::json!([c.old, c.new]))).collect()
}

/// Runs `sql_for(condition)` once per chunk of ids, where the condition is
/// `org_id = … AND {column} IN (…)`, binding the organisation and then the ids.
async fn for_ids(
    conn: &mut AnyConnection,
    backend: Backend,
    org_id: i64,
    column: &str,
    ids: &[i64],
    sql_for: impl Fn(&str) -> String,
) -> Result<(), StoreError> {
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let list = match backend {
            Backend::Sqlite => vec!["?"; chunk.len()].join(", "),
            Backend::Postgres => (0..chunk.len()).map(|i| format!("${}", i + 2)).collect::<Vec<_>>().join(", "),
        };
        let org = if backend == Backend::Sqlite { "?" } else { "$1" };
        let sql = sql_for(&format!("org_id = {org} AND {column} IN ({list})"));
        let mut query = sqlx::query(&sql).bind(org_id);
        for id in chunk {
            query = query.bind(*id);
        }
        query.execute(&mut *conn).await.map_err(internal)?;
    }
    Ok(())
}

fn changed(user: &UserUpdate, column: Column) -> bool {
    user.changes.iter().any(|c| c.field == Field::Profile(column))
}

pub async fn commit_update(
    pool: &AnyPool,
    backend: Backend,
    org_id: i64,
    file: &FileBatch<'_>,
    now: i64,
) -> Result<Committed, StoreError> {
    let mut tx = match begin_import(pool, backend, org_id, file).await? {
        Ok(tx) => tx,
        Err(earlier) => return Ok(earlier),
    };

    // Check against the team as it is now: no other import can change it until the commit, and a
    // single edit that slips in is caught by the version condition below.
    let org = org_rules(&mut tx, org_id).await?;
    let team = current_team(&mut tx, org_id).await?;
    let bytes = file.bytes.to_vec();
    let checked = tokio::task::spawn_blocking(move || check_update(&bytes, &org, &team))
        .await
        .map_err(|error| StoreError::Internal(Box::new(error)))?;
    let Some(plan) = checked.plan else { return Ok(Committed::Rejected(checked.report)) };
    let counts = checked.report.counts;
    let actor = file.importer.admin();
    let batch_id = insert_batch(&mut tx, org_id, file, "update", counts, false, now).await?;

    let roles = name_ids(&mut tx, "SELECT name, id FROM roles WHERE org_id = $1", org_id).await?;
    let groups = name_ids(&mut tx, "SELECT name, id FROM groups WHERE org_id = $1", org_id).await?;
    let role_id = |name: &str| roles.iter().find(|(n, _)| n == name).map(|(_, id)| *id).ok_or(StoreError::Stale);
    let group_id = |name: &str| groups.iter().find(|(n, _)| n == name).map(|(_, id)| *id).ok_or(StoreError::Stale);
    let ids_where = |test: &dyn Fn(&UserUpdate) -> bool| -> Vec<i64> {
        plan.users.iter().filter(|u| test(u)).map(|u| u.id.0).collect()
    };

    // Release identifiers that change hands, so that the unique indexes only ever see the final state.
    let renamed = ids_where(&|u| changed(u, Column::EmailAddress) || changed(u, Column::EmployeeId));
    for_ids(&mut tx, backend, org_id, "id", &renamed, |ids| {
        format!("UPDATE users SET email_key = NULL, employee_id = NULL WHERE {ids}")
    })
    .await?;

    let assignments: Vec<String> = PROFILE_COLUMNS.iter().map(|c| format!("{c} = v.{c}")).collect();
    let per_row = PROFILE_COLUMNS.len() + 3;
    for chunk in plan.users.chunks(USERS_PER_UPDATE) {
        let values = placeholders(backend, chunk.len(), per_row);
        let after = |n: usize| match backend {
            Backend::Sqlite => "?".to_owned(),
            Backend::Postgres => format!("${}", chunk.len() * per_row + n),
        };
        let sql = format!(
            "WITH v (id, version, {columns}, deactivated) AS (VALUES {values})
             UPDATE users SET {assignments},
                 status = CASE WHEN v.deactivated THEN '{deactivated}'
                               WHEN users.status = '{deactivated}' THEN
                                   CASE WHEN users.last_sign_in_at IS NULL THEN '{created}' ELSE '{active}' END
                               ELSE users.status END,
                 version = users.version + 1, updated_at = {now}, updated_by = {actor}
             FROM v WHERE users.id = v.id AND users.org_id = {org} AND users.version = v.version",
            columns = PROFILE_COLUMNS.join(", "),
            assignments = assignments.join(", "),
            deactivated = UserStatus::Deactivated.as_str(),
            created = UserStatus::Created.as_str(),
            active = UserStatus::Active.as_str(),
            now = after(1),
            actor = after(2),
            org = after(3),
        );
        let mut query: AnyQuery<'_> = sqlx::query(&sql);
        for user in chunk {
            query = bind_profile(query.bind(user.id.0).bind(user.version), role_id(&user.profile.role)?, &user.profile, user.leader)
                .bind(user.deactivated);
        }
        let updated = query.bind(now).bind(actor).bind(org_id).execute(&mut *tx).await.map_err(user_write_error)?;
        if updated.rows_affected() != chunk.len() as u64 {
            return Err(StoreError::Stale); // someone saved one of these users a moment ago
        }
    }

    let regrouped = ids_where(&|u| changed(u, Column::GroupAssignments));
    for_ids(&mut tx, backend, org_id, "user_id", &regrouped, |ids| format!("DELETE FROM user_groups WHERE {ids}")).await?;
    let mut memberships: Vec<(i64, i64)> = Vec::new();
    for user in plan.users.iter().filter(|u| changed(u, Column::GroupAssignments)) {
        for name in user.profile.groups.names() {
            memberships.push((user.id.0, group_id(name)?));
        }
    }
    for chunk in memberships.chunks(IDS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO user_groups (org_id, user_id, group_id) VALUES {}",
            placeholders(backend, chunk.len(), 3)
        );
        let mut query = sqlx::query(&sql);
        for (user_id, group_id) in chunk {
            query = query.bind(org_id).bind(*user_id).bind(*group_id);
        }
        query.execute(&mut *tx).await.map_err(internal)?;
    }

    // A deactivated user's open sessions end now.
    let deactivated = ids_where(&|u| u.deactivated && u.changes.iter().any(|c| c.field == Field::Deactivated));
    for_ids(&mut tx, backend, org_id, "user_id", &deactivated, |ids| format!("DELETE FROM sessions WHERE {ids}")).await?;

    // The batch log and the audit trail: each user's changes, before → after.
    for chunk in plan.users.chunks(ENTRIES_PER_INSERT) {
        let details: Vec<String> = chunk.iter().map(|u| changes_json(&u.changes).to_string()).collect();
        let sql = format!(
            "INSERT INTO import_batch_users (batch_id, org_id, user_id, row_number, action, detail) VALUES {}",
            placeholders(backend, chunk.len(), 6)
        );
        let mut query = sqlx::query(&sql);
        for (user, detail) in chunk.iter().zip(&details) {
            query = query.bind(batch_id).bind(org_id).bind(user.id.0).bind(user.row as i64).bind("updated").bind(detail.as_str());
        }
        query.execute(&mut *tx).await.map_err(internal)?;
        let sql = format!(
            "INSERT INTO audit_events (org_id, actor_id, action, subject_id, detail, at) VALUES {}",
            placeholders(backend, chunk.len(), 6)
        );
        let mut query = sqlx::query(&sql);
        for (user, detail) in chunk.iter().zip(&details) {
            let detail = format!("{{\"batch_id\":{batch_id},\"changes\":{detail}}}");
            query = query.bind(org_id).bind(actor).bind("user.updated").bind(user.id.0).bind(detail).bind(now);
        }
        query.execute(&mut *tx).await.map_err(internal)?;
    }
    audit_batch(&mut tx, org_id, batch_id, file, counts, false, now).await?;
    tx.commit().await.map_err(internal)?;
    Ok(Committed::Saved { batch_id, counts })
}
