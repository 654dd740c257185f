//! Bulk update in storage: the current team as Download Current Team writes it, and the
//! all-or-nothing commit of a bulk-update file, checked again inside the transaction.
//!
//! The commit writes in a few statements whatever the size: identifiers that change are released
//! first (so that swaps never trip the unique indexes), every user's new values are staged (see
//! `stage`), one `UPDATE … FROM` join sets every profile column, the status and the version, only
//! for users still at the version the check saw, and the batch log and the audit trail are
//! written from the stage.

use std::collections::HashMap;

use app::bulk::job::JobPhase;
use app::ssr::StoreError;
use app::user::UserStatus;
use roster::current::PastChange;
use roster::current::{CurrentTeam, CurrentUser, TeamSnapshot};
use roster::fields::GroupList;
use roster::report::Change;
use roster::sheet::Field;
use roster::time::utc_time;
use roster::update::{UserUpdate, check_update};
use roster::{Column, ProfileInput, UserId};
use sqlx::{AnyConnection, AnyPool, Row};

use super::imports::{audit_batch, insert_batch, insert_memberships, roles_and_groups};
use super::jobs::{ClaimedJob, JobProgress, Outcome, finish};
use super::sql::{Sql, Value};
use super::stage::{Kind, Stage};
use super::users::{FLAG_COLUMNS, PROFILE_COLUMNS, org_rules, profile_values};
use super::{Backend, DbError, DbResult, SqlStore, error::user_write};

/// Ids per `IN (…)` list.
const IDS_PER_STATEMENT: usize = 5_000;

/// Who last changed a user, when no one signed in did (the command line or an API key).
const AUTOMATED: &str = "an automated import";

/// What separates the packed cells: a control character no profile field may hold.
const SEPARATOR: char = '\u{1f}';

/// The cells read packed, in order: the column each fills (`None`: who last changed the user) and
/// its SQL (a bare name is a flag of `u`).
const PACKED_CELLS: [(Option<Column>, &str); 16] = [
    (Some(Column::Role), "r.name"),
    (Some(Column::CanManageTeams), "can_manage_teams"),
    (Some(Column::EmailAddress), "u.email"),
    (Some(Column::EmployeeId), "u.employee_id"),
    (Some(Column::FirstName), "u.first_name"),
    (Some(Column::LastName), "u.last_name"),
    (Some(Column::HomeTown), "u.home_town"),
    (Some(Column::StateOrCountry), "u.state_or_country"),
    (Some(Column::Profile), "u.bio"),
    (Some(Column::PhoneChannel), "phone_channel"),
    (Some(Column::ChatChannel), "chat_channel"),
    (Some(Column::EmailChannel), "email_channel"),
    (Some(Column::TeamLeader), "COALESCE(l.email, l.employee_id)"),
    (Some(Column::EmploymentStatus), "u.employment_status"),
    (Some(Column::StartDate), "u.start_date"),
    (None, "e.first_name || ' ' || e.last_name"),
];

pub async fn team_snapshot(pool: &AnyPool, org_id: i64) -> DbResult<TeamSnapshot> {
    let mut conn = pool.acquire().await?;
    let org = org_rules(&mut conn, org_id).await?;
    let team = current_team(&mut conn, org_id).await?;
    Ok(TeamSnapshot { org, team })
}

/// Every user of the organisation, deactivated ones included, sorted by name, with the cells
/// Download Current Team writes.
pub async fn current_team(conn: &mut AnyConnection, org_id: i64) -> DbResult<CurrentTeam> {
    let memberships = sqlx::query(
        "SELECT ug.user_id, g.name FROM user_groups ug JOIN groups g ON g.id = ug.group_id
         WHERE ug.org_id = $1 ORDER BY ug.user_id, g.name",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut groups: HashMap<i64, Vec<String>> = HashMap::new();
    for row in &memberships {
        groups.entry(row.try_get("user_id")?).or_default().push(row.try_get("name")?);
    }
    let mut history = history(conn, org_id).await?;
    // The cells come packed in one text value per user: the drivers' per-value cost, not the
    // query, dominated reading 100,000 users (1.5 s for 22 values a row on SQLite, 0.2 s in SQL).
    let packed: Vec<String> = PACKED_CELLS
        .iter()
        .map(|(column, sql)| match column {
            Some(column) if column.is_flag() => format!("CASE WHEN u.{sql} THEN 'y' ELSE 'n' END"),
            _ => format!("COALESCE({sql}, '')"),
        })
        .collect();
    let sql = format!(
        "SELECT u.id, u.version, u.leader_id, u.status, u.updated_at, {cells} AS cells
         FROM users u
         JOIN roles r ON r.id = u.role_id
         LEFT JOIN users l ON l.id = u.leader_id
         LEFT JOIN users e ON e.id = u.updated_by
         WHERE u.org_id = $1
         ORDER BY u.last_name, u.first_name, u.id",
        cells = packed.join(" || $2 || ")
    );
    let rows = sqlx::query(&sql).bind(org_id).bind(SEPARATOR.to_string()).fetch_all(&mut *conn).await?;
    let read = |row: &sqlx::any::AnyRow| -> DbResult<CurrentUser> {
        let id: i64 = row.try_get(0)?;
        let packed: String = row.try_get(5)?;
        let values: Vec<&str> = packed.split(SEPARATOR).collect();
        if values.len() != PACKED_CELLS.len() {
            return Err(DbError::Invariant(format!("user {id} has a control character in a profile field")));
        }
        let mut cells = ProfileInput::new();
        let mut changed_by = AUTOMATED.to_owned();
        for ((column, _), value) in PACKED_CELLS.iter().zip(values) {
            match column {
                Some(column) => cells.set(*column, value),
                None if !value.trim().is_empty() => changed_by = value.to_owned(),
                None => {}
            }
        }
        if let Some(names) = groups.remove(&id) {
            cells.set(Column::GroupAssignments, GroupList::from_names(names).to_cell());
        }
        let version: i64 = row.try_get(1)?;
        let history = history.remove(&id).unwrap_or_default();
        // A change an API key made is told by the key's name rather than as "automated".
        if let Some(last) = history.last().filter(|last| last.version == version) {
            changed_by.clone_from(&last.by);
        }
        Ok(CurrentUser {
            id: UserId(id),
            version,
            cells,
            leader: row.try_get::<Option<i64>, _>(2)?.map(UserId),
            deactivated: row.try_get::<String, _>(3)? == UserStatus::Deactivated.as_str(),
            changed_by,
            changed_at: utc_time(row.try_get(4)?),
            history,
        })
    };
    let users = rows.iter().map(read).collect::<Result<Vec<_>, _>>()?;
    Ok(CurrentTeam::from(users))
}

/// How old a bulk-update file may be and still be merged field by field: its user's changes of the
/// last 30 days, and at most the last 5 of them, are kept for merging (an older file conflicts as
/// a whole, as before). They bound the browser's snapshot and the table.
const MERGE_DAYS: i64 = 30;
const MERGE_CHANGES: i64 = 5;

/// The trail of single-user writes and bulk updates (`user_changes`), by user, oldest first: what each changed,
/// from what, and who made it (a person, or an API key by its name).
async fn history(conn: &mut AnyConnection, org_id: i64) -> DbResult<HashMap<i64, Vec<PastChange>>> {
    let rows = sqlx::query(
        "SELECT c.user_id, c.version, c.changes, c.at, p.first_name || ' ' || p.last_name AS person, k.name AS key_name
         FROM (SELECT user_id, version, changes, at, by_user, by_key,
                      ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY version DESC) AS newness
               FROM user_changes WHERE org_id = $1 AND at >= $2) c
         LEFT JOIN users p ON p.id = c.by_user
         LEFT JOIN api_keys k ON k.id = c.by_key
         WHERE c.newness <= $3
         ORDER BY c.user_id, c.version",
    )
    .bind(org_id)
    .bind(super::now() - MERGE_DAYS * 86_400)
    .bind(MERGE_CHANGES)
    .fetch_all(&mut *conn)
    .await?;
    let mut history: HashMap<i64, Vec<PastChange>> = HashMap::new();
    for row in &rows {
        let by = match (row.try_get::<Option<String>, _>("person")?, row.try_get::<Option<String>, _>("key_name")?) {
            (Some(person), _) => person,
            (None, Some(key)) => format!("the API key \"{key}\""),
            (None, None) => AUTOMATED.to_owned(),
        };
        let change = PastChange {
            version: row.try_get("version")?,
            before: befores(&row.try_get::<String, _>("changes")?),
            by,
            at: utc_time(row.try_get("at")?),
        };
        history.entry(row.try_get("user_id")?).or_default().push(change);
    }
    Ok(history)
}

/// `{"field": [before, after], …}` (as `users::update_in` and a bulk update write it) read as each
/// field's value before, in the spreadsheet's words: a flag the form left empty is "n".
fn befores(changes: &str) -> Vec<(Field, String)> {
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_str::<serde_json::Value>(changes) else {
        return Vec::new();
    };
    fields
        .iter()
        .filter_map(|(key, pair)| {
            let field = Field::from_key(key).filter(|f| matches!(f, Field::Profile(_) | Field::Deactivated))?;
            let before = match pair.get(0) {
                Some(serde_json::Value::String(text)) => text.clone(),
                _ if matches!(field, Field::Profile(column) if column.is_flag()) => "n".to_owned(),
                _ => String::new(),
            };
            Some((field, before))
        })
        .collect()
}

/// `{"first_name": ["Ada", "Augusta"], …}`: each changed field, before → after.
fn changes_json(changes: &[Change]) -> serde_json::Value {
    changes.iter().map(|c| (c.field.key().to_owned(), serde_json::json!([c.old, c.new]))).collect()
}

/// Runs `statement` (ending in `WHERE`) once per chunk of ids, with the condition
/// `org_id = … AND {column} IN (…)`.
async fn for_ids(
    conn: &mut AnyConnection,
    backend: Backend,
    statement: &str,
    org_id: i64,
    column: &str,
    ids: &[i64],
) -> DbResult<()> {
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let mut sql = Sql::new(backend, statement);
        sql.push(" org_id = ").bind(org_id).push(&format!(" AND {column} IN ")).bind_list(chunk.iter().copied());
        sql.query()?.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The columns a bulk update stages for each user it changes: its id and the version the check
/// saw, the new profile, whether it ends deactivated, and its file row and changes for the batch
/// log and the audit trail.
fn staged_columns() -> Vec<(&'static str, Kind)> {
    let mut columns = vec![("id", Kind::Int), ("version", Kind::Int)];
    columns.extend(PROFILE_COLUMNS.iter().map(|c| {
        let kind = match *c {
            "role_id" | "leader_id" => Kind::Int,
            c if FLAG_COLUMNS.contains(&c) => Kind::Flag,
            _ => Kind::Text,
        };
        (*c, kind)
    }));
    columns.extend([("deactivated", Kind::Flag), ("row_number", Kind::Int), ("detail", Kind::Text)]);
    columns
}

/// The staged rows of the users a file changes, in the order of [`staged_columns`].
struct StagedRows<'a> {
    users: std::slice::Iter<'a, UserUpdate>,
    role_ids: std::slice::Iter<'a, i64>,
}

impl Iterator for StagedRows<'_> {
    type Item = Vec<Value>;

    fn next(&mut self) -> Option<Vec<Value>> {
        let (user, role_id) = (self.users.next()?, self.role_ids.next()?);
        let mut values = vec![Value::Int(Some(user.id.0)), Value::Int(Some(user.version))];
        values.extend(profile_values(*role_id, &user.profile, user.leader));
        values.extend([
            Value::Flag(user.deactivated),
            Value::Int(Some(user.row as i64)),
            Value::Text(Some(changes_json(&user.changes).to_string())),
        ]);
        Some(values)
    }
}

fn changed(user: &UserUpdate, column: Column) -> bool {
    user.changes.iter().any(|c| c.field == Field::Profile(column))
}

/// Runs a bulk-update job: checks the file against the live team inside one transaction that holds
/// the organisation's import lock, then updates everyone it changes, their groups and sessions,
/// the batch, the audit trail and the job's outcome, all or nothing.
pub async fn commit_update(store: &SqlStore, job: &ClaimedJob, progress: &JobProgress, now: i64) -> DbResult<()> {
    let (backend, org_id) = (store.backend, job.org_id);
    let mut tx = backend.begin_import(&store.pool, org_id).await?;

    // Check against the team as it is now: no other import can change it until the commit, and a
    // single edit that slips in is caught by the version condition below.
    let org = org_rules(&mut tx, org_id).await?;
    let team = current_team(&mut tx, org_id).await?;
    let bytes = job.bytes.clone();
    let checked = tokio::task::spawn_blocking(move || check_update(&bytes, &org, &team)).await?;
    let Some(plan) = checked.plan else {
        finish(store, &mut tx, job, &Outcome::Rejected(checked.report), now).await?;
        return Ok(tx.commit().await?);
    };
    let counts = checked.report.counts;
    progress.expect(plan.users.len());
    progress.enter(JobPhase::Writing);
    let actor = job.importer.admin();
    let batch_id = insert_batch(&mut tx, job, counts, now).await?;

    let (roles, groups) = roles_and_groups(&mut tx, backend, org_id).await?;
    let ids_where = |test: &dyn Fn(&UserUpdate) -> bool| -> Vec<i64> {
        plan.users.iter().filter(|u| test(u)).map(|u| u.id.0).collect()
    };

    // Release identifiers that change hands, so that the unique indexes only ever see the final state.
    let renamed = ids_where(&|u| changed(u, Column::EmailAddress) || changed(u, Column::EmployeeId));
    let release = "UPDATE users SET email_key = NULL, employee_id = NULL WHERE";
    for_ids(&mut tx, backend, release, org_id, "id", &renamed).await?;

    let role_ids = plan.users.iter().map(|user| roles.id(&user.profile.role)).collect::<DbResult<Vec<i64>>>()?;
    let stage = Stage::open(backend, store.copy.as_ref(), &mut tx, (job.id, job.attempt), &staged_columns()).await?;
    let rows = StagedRows { users: plan.users.iter(), role_ids: role_ids.iter() };
    stage.fill(store.copy.as_ref(), &mut tx, rows, |_| {}).await?;
    let assignments: Vec<String> = PROFILE_COLUMNS.iter().map(|c| format!("{c} = v.{c}")).collect();
    let sql = format!(
        "UPDATE users SET {assignments},
             status = CASE WHEN v.deactivated = {yes} THEN '{deactivated}'
                           WHEN users.status = '{deactivated}' THEN
                               CASE WHEN users.last_sign_in_at IS NULL THEN '{created}' ELSE '{active}' END
                           ELSE users.status END,
             version = users.version + 1, updated_at = $1, updated_by = $2
         FROM {stage} v WHERE users.id = v.id AND users.org_id = $3 AND users.version = v.version",
        assignments = assignments.join(", "),
        yes = backend.yes(),
        deactivated = UserStatus::Deactivated.as_str(),
        created = UserStatus::Created.as_str(),
        active = UserStatus::Active.as_str(),
        stage = stage.table(),
    );
    let updated = sqlx::query(&sql).bind(now).bind(actor).bind(org_id).execute(&mut *tx).await.map_err(user_write)?;
    if updated.rows_affected() != plan.users.len() as u64 {
        return Err(StoreError::Stale.into()); // someone saved one of these users a moment ago
    }
    progress.wrote(plan.users.len());
    progress.enter(JobPhase::Recording);

    let regrouped = ids_where(&|u| changed(u, Column::GroupAssignments));
    for_ids(&mut tx, backend, "DELETE FROM user_groups WHERE", org_id, "user_id", &regrouped).await?;
    let mut memberships: Vec<(i64, i64)> = Vec::new();
    for user in plan.users.iter().filter(|u| changed(u, Column::GroupAssignments)) {
        for name in user.profile.groups.names() {
            memberships.push((user.id.0, groups.id(name)?));
        }
    }
    insert_memberships(&mut tx, backend, org_id, &memberships).await?;

    // A deactivated user's open sessions end now.
    let deactivated = ids_where(&|u| u.deactivated && u.changes.iter().any(|c| c.field == Field::Deactivated));
    for_ids(&mut tx, backend, "DELETE FROM sessions WHERE", org_id, "user_id", &deactivated).await?;

    // The batch log and the audit trail, from the stage: each user's changes, before → after.
    sqlx::query(&format!(
        "INSERT INTO import_batch_users (batch_id, org_id, user_id, row_number, action, detail)
         SELECT $1, $2, id, row_number, 'updated', detail FROM {}",
        stage.table()
    ))
    .bind(batch_id)
    .bind(org_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!(
        "INSERT INTO audit_events (org_id, actor_id, action, subject_id, detail, at)
         SELECT $1, $2, 'user.updated', id, $3 || detail || '}}', $4 FROM {} ORDER BY row_number",
        stage.table()
    ))
    .bind(org_id)
    .bind(actor)
    .bind(format!("{{\"batch_id\":{batch_id},\"changes\":"))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    // The trail a later stale file is merged with (`roster::merge`), without what is too old for it.
    sqlx::query("DELETE FROM user_changes WHERE org_id = $1 AND at < $2")
        .bind(org_id)
        .bind(now - MERGE_DAYS * 86_400)
        .execute(&mut *tx)
        .await?;
    sqlx::query(&format!(
        "INSERT INTO user_changes (org_id, user_id, version, changes, by_user, by_key, at)
         SELECT $1, id, version + 1, detail, $2, $3, $4 FROM {}",
        stage.table()
    ))
    .bind(org_id)
    .bind(actor)
    .bind(job.importer.api_key())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    stage.close(&mut tx).await?;
    audit_batch(&mut tx, job, batch_id, counts, now).await?;
    finish(store, &mut tx, job, &Outcome::Saved { batch_id, counts }, now).await?;
    Ok(tx.commit().await?)
}
