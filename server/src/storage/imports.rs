//! Bulk imports in storage: the context snapshot, the all-or-nothing commit of a bulk-create file
//! (checked again inside the transaction) and the batch history. Bulk update's commit is in
//! `updates`.
//!
//! A commit takes the organisation's import lock first: `BEGIN IMMEDIATE` on SQLite (one writer
//! at a time) and a row lock on the organisation in PostgreSQL, so two imports never interleave and
//! the second one checks its file against what the first wrote.

use app::bulk::job::{ImportJob, JobPhase};
use app::bulk::{BATCH_PAGE_SIZE, BatchDetail, BatchRow, BatchUser, ImportSource};
use app::ssr::{ImportStore, NewJob, StoreError, Submitted};
use app::user::UserStatus;
use async_trait::async_trait;
use roster::create::{Leader, check_create};
use roster::current::TeamSnapshot;
use roster::report::Counts;
use roster::sheet::Mode;
use roster::{Directory, Snapshot};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::jobs::{ClaimedJob, JobProgress, Outcome, finish, mode_text};
use super::sql::{Sql, Value};
use super::stage::{Kind, Stage};
use super::users::{audit, known_users, org_rules, profile_values};
use super::{Backend, DbError, DbResult, SqlStore, db, error::user_write, flag, now, updates};

/// Rows per multi-row INSERT on SQLite: 1,000 users of 25 values stay below its 32,766 parameters.
const USERS_PER_INSERT: usize = 1_000;

/// A new user's row as a bulk create writes it: the users table's columns, then the file's row.
const NEW_USER_COLUMNS: [(&str, Kind); 26] = [
    ("id", Kind::Int),
    ("org_id", Kind::Int),
    ("role_id", Kind::Int),
    ("email", Kind::Text),
    ("email_key", Kind::Text),
    ("employee_id", Kind::Text),
    ("first_name", Kind::Text),
    ("last_name", Kind::Text),
    ("home_town", Kind::Text),
    ("state_or_country", Kind::Text),
    ("bio", Kind::Text),
    ("can_manage_teams", Kind::Flag),
    ("phone_channel", Kind::Flag),
    ("chat_channel", Kind::Flag),
    ("email_channel", Kind::Flag),
    ("leader_id", Kind::Int),
    ("employment_status", Kind::Text),
    ("start_date", Kind::Text),
    ("search_text", Kind::Text),
    ("status", Kind::Text),
    ("must_change_password", Kind::Flag),
    ("password_hash", Kind::Text),
    ("created_at", Kind::Int),
    ("updated_at", Kind::Int),
    ("updated_by", Kind::Int),
    // Kept in the stage for the batch log; the users table has no such column.
    ("row_number", Kind::Int),
];

/// The rows of a checked file's new users, in the order of [`NEW_USER_COLUMNS`].
struct NewUserRows<'a> {
    users: std::slice::Iter<'a, roster::create::NewUserRow>,
    ids: &'a [i64],
    role_ids: std::slice::Iter<'a, i64>,
    job: &'a ClaimedJob,
    now: i64,
    index: usize,
}

impl Iterator for NewUserRows<'_> {
    type Item = Vec<Value>;

    fn next(&mut self) -> Option<Vec<Value>> {
        let (user, role_id) = (self.users.next()?, self.role_ids.next()?);
        let id = *self.ids.get(self.index)?;
        self.index += 1;
        let leader = match user.leader {
            Leader::None => None,
            Leader::Existing(id) => Some(id),
            Leader::New(position) => self.ids.get(position).map(|id| roster::UserId(*id)),
        };
        // Taken out of the stored file and hashed when the job was submitted.
        let password_hash = self.job.password_hashes.get(&user.row).cloned();
        let mut values = Vec::with_capacity(NEW_USER_COLUMNS.len());
        values.extend([Value::Int(Some(id)), Value::Int(Some(self.job.org_id))]);
        values.extend(profile_values(*role_id, &user.profile, leader));
        values.extend([
            Value::Text(Some(UserStatus::Created.as_str().to_owned())),
            Value::Flag(password_hash.is_some()),
            Value::Text(password_hash),
            Value::Int(Some(self.now)),
            Value::Int(Some(self.now)),
            Value::Int(self.job.importer.admin()),
            Value::Int(Some(user.row as i64)),
        ]);
        Some(values)
    }
}
const LINKS_PER_INSERT: usize = 5_000;

fn counts(row: &AnyRow) -> Result<Counts, sqlx::Error> {
    let count = |name: &str| -> Result<usize, sqlx::Error> {
        Ok(usize::try_from(row.try_get::<i64, _>(name)?).unwrap_or_default())
    };
    Ok(Counts {
        new: count("new_count")?,
        changed: count("changed_count")?,
        unchanged: count("unchanged_count")?,
        errors: 0,
    })
}

/// The ids of an organisation's roles or groups, by their exact name.
pub(super) struct Names(std::collections::HashMap<String, i64>);

impl Names {
    /// The id of a name the file's check accepted; `Stale` when it was removed since.
    pub(super) fn id(&self, name: &str) -> DbResult<i64> {
        self.0.get(name).copied().ok_or(StoreError::Stale.into())
    }
}

/// The organisation's roles and groups, for writing a checked file; the roles' rows locked
/// against deletion until the import commits (users have no foreign key to roles).
pub(super) async fn roles_and_groups(
    conn: &mut AnyConnection,
    backend: Backend,
    org_id: i64,
) -> DbResult<(Names, Names)> {
    let mut read = async |sql: &str| -> DbResult<Names> {
        let rows = sqlx::query(sql).bind(org_id).fetch_all(&mut *conn).await?;
        Ok(Names(rows.iter().map(|r| Ok((r.try_get("name")?, r.try_get("id")?))).collect::<Result<_, sqlx::Error>>()?))
    };
    let roles = read(&format!("SELECT name, id FROM roles WHERE org_id = $1{}", backend.share_lock())).await?;
    let groups = read("SELECT name, id FROM groups WHERE org_id = $1").await?;
    Ok((roles, groups))
}

/// Adds users to groups: (user id, group id) pairs.
pub(super) async fn insert_memberships(
    conn: &mut AnyConnection,
    backend: Backend,
    org_id: i64,
    memberships: &[(i64, i64)],
) -> DbResult<()> {
    for chunk in memberships.chunks(LINKS_PER_INSERT) {
        let mut sql = Sql::new(backend, "INSERT INTO user_groups (org_id, user_id, group_id) VALUES ");
        for (user_id, group_id) in chunk {
            sql.row(|row| {
                row.bind(org_id).bind(*user_id).bind(*group_id);
            });
        }
        sql.query()?.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Records the batch a job committed; returns its id.
pub(super) async fn insert_batch(
    conn: &mut AnyConnection,
    job: &ClaimedJob,
    counts: Counts,
    now: i64,
) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO import_batches (org_id, actor_id, api_key_id, source, mode, file_name, file_sha256, idempotency_key,
             new_count, changed_count, unchanged_count, delay_welcome_emails, created_at, job_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(job.org_id)
    .bind(job.importer.admin())
    .bind(job.importer.api_key())
    .bind(job.importer.source().as_str())
    .bind(mode_text(job.mode))
    .bind(job.file_name.clone())
    .bind(job.sha256.clone())
    .bind(job.idempotency_key.clone())
    .bind(counts.new as i64)
    .bind(counts.changed as i64)
    .bind(counts.unchanged as i64)
    .bind(job.delay_welcome_emails)
    .bind(now)
    .bind(job.id)
    .fetch_one(&mut *conn)
    .await?)
}

/// The audit event of a committed batch.
pub(super) async fn audit_batch(
    conn: &mut AnyConnection,
    job: &ClaimedJob,
    batch_id: i64,
    counts: Counts,
    now: i64,
) -> DbResult<()> {
    let detail = serde_json::json!({
        "batch_id": batch_id,
        "job_id": job.id,
        "source": job.importer.source().as_str(),
        "file_name": job.file_name,
        "sha256": job.sha256,
        "counts": counts,
        "delay_welcome_emails": job.delay_welcome_emails,
    });
    audit(conn, job.org_id, job.importer.admin(), "batch.committed", None, &detail.to_string(), now).await
}

/// Runs a bulk-create job: checks the file against the live data inside one transaction that
/// holds the organisation's import lock, then writes every user, their groups, the batch and the
/// welcome emails, and the job's outcome, all or nothing.
async fn commit_create(store: &SqlStore, job: &ClaimedJob, progress: &JobProgress, now: i64) -> DbResult<()> {
    let (backend, org_id) = (store.backend, job.org_id);
    let mut tx = backend.begin_import(&store.pool, org_id).await?;

    // Check again, against the data as it is now: nothing can change it until the commit.
    let org = org_rules(&mut tx, org_id).await?;
    let directory = Directory::new(known_users(&mut tx, org_id).await?);
    let bytes = job.bytes.clone();
    let checked = tokio::task::spawn_blocking(move || check_create(&bytes, &org, &directory)).await?;
    let Some(plan) = checked.plan else {
        finish(store, &mut tx, job, &Outcome::Rejected(checked.report), now).await?;
        return Ok(tx.commit().await?);
    };
    let counts = checked.report.counts;
    progress.expect(plan.users.len());
    progress.enter(JobPhase::Writing);

    let (roles, groups) = roles_and_groups(&mut tx, backend, org_id).await?;
    let ids = backend.reserve_user_ids(&mut tx, plan.users.len()).await?;
    if ids.len() != plan.users.len() {
        return Err(DbError::Invariant(format!("reserved {} ids for {} users", ids.len(), plan.users.len())));
    }
    let batch_id = insert_batch(&mut tx, job, counts, now).await?;

    // Every new user's row, in the order of NEW_USER_COLUMNS.
    let role_ids = plan.users.iter().map(|user| roles.id(&user.profile.role)).collect::<DbResult<Vec<i64>>>()?;
    let rows = NewUserRows { users: plan.users.iter(), ids: &ids, role_ids: role_ids.iter(), job, now, index: 0 };
    let columns = NEW_USER_COLUMNS.map(|(name, _)| name);
    let user_columns = columns[..columns.len() - 1].join(", ");
    let stage = match backend {
        // Staged with COPY, then written by the database alone.
        Backend::Postgres => {
            let stage =
                Stage::open(backend, store.copy.as_ref(), &mut tx, (job.id, job.attempt), &NEW_USER_COLUMNS).await?;
            stage.fill(store.copy.as_ref(), &mut tx, rows, |n| progress.wrote(n)).await?;
            let table = stage.table();
            sqlx::query(&format!("INSERT INTO users ({user_columns}) SELECT {user_columns} FROM {table}"))
                .execute(&mut *tx)
                .await
                .map_err(user_write)?;
            sqlx::query(&format!(
                "INSERT INTO import_batch_users (batch_id, org_id, user_id, row_number, action, detail)
                 SELECT $1, org_id, id, row_number, 'created', '{{}}' FROM {table}"
            ))
            .bind(batch_id)
            .execute(&mut *tx)
            .await?;
            Some(stage)
        }
        // In the process: straight into the table, a thousand rows a statement.
        // In the process: straight into the tables, a thousand rows a statement.
        Backend::Sqlite => {
            let mut rows = rows.peekable();
            while rows.peek().is_some() {
                let mut users = Sql::new(backend, &format!("INSERT INTO users ({user_columns}) VALUES "));
                let mut entries = Sql::new(
                    backend,
                    "INSERT INTO import_batch_users (batch_id, org_id, user_id, row_number, action, detail) VALUES ",
                );
                let mut count = 0;
                for mut values in rows.by_ref().take(USERS_PER_INSERT) {
                    let (row_number, id) = (values.pop(), values.first().cloned());
                    users.row(|row| {
                        for value in values {
                            row.value(value);
                        }
                    });
                    entries.row(|row| {
                        row.bind(batch_id).bind(org_id);
                        row.value(id.unwrap_or(Value::Int(None))).value(row_number.unwrap_or(Value::Int(None)));
                        row.bind("created").bind("{}");
                    });
                    count += 1;
                }
                users.query()?.execute(&mut *tx).await.map_err(user_write)?;
                entries.query()?.execute(&mut *tx).await?;
                progress.wrote(count);
            }
            None
        }
    };
    progress.enter(JobPhase::Recording);

    let mut memberships: Vec<(i64, i64)> = Vec::new();
    for (index, user) in plan.users.iter().enumerate() {
        for name in user.profile.groups.names() {
            memberships.push((ids[index], groups.id(name)?));
        }
    }
    insert_memberships(&mut tx, backend, org_id, &memberships).await?;

    // A welcome email for every new user with an address, held when the admin delays them.
    let new_users = match &stage {
        Some(stage) => format!("{} u WHERE", stage.table()),
        None => "import_batch_users b JOIN users u ON u.id = b.user_id WHERE b.batch_id = $2 AND".to_owned(),
    };
    sqlx::query(&format!(
        "INSERT INTO outbox_emails (org_id, user_id, kind, batch_id, held, created_at)
         SELECT $1, u.id, 'welcome', $2, $3, $4 FROM {new_users} u.email IS NOT NULL ORDER BY row_number"
    ))
    .bind(org_id)
    .bind(batch_id)
    .bind(job.delay_welcome_emails)
    .bind(now)
    .execute(&mut *tx)
    .await?;

    if let Some(stage) = stage {
        stage.close(&mut tx).await?;
    }
    audit_batch(&mut tx, job, batch_id, counts, now).await?;
    finish(store, &mut tx, job, &Outcome::Saved { batch_id, counts }, now).await?;
    Ok(tx.commit().await?)
}

const BATCH_COLUMNS: &str = "b.id, b.created_at, b.mode, b.source, b.file_name, b.file_sha256, b.new_count,
    b.changed_count, b.unchanged_count, b.delay_welcome_emails,
    COALESCE(a.first_name || ' ' || a.last_name, 'API key ' || k.name, 'Command line') AS committed_by";
const BATCH_JOINS: &str =
    "FROM import_batches b LEFT JOIN users a ON a.id = b.actor_id LEFT JOIN api_keys k ON k.id = b.api_key_id";

fn batch_row(row: &AnyRow) -> DbResult<BatchRow> {
    let mode = match row.try_get::<String, _>("mode")?.as_str() {
        "create" => Mode::Create,
        "update" => Mode::Update,
        other => return Err(DbError::Invariant(format!("a batch has the unknown mode {other:?}"))),
    };
    let source: String = row.try_get("source")?;
    let source = ImportSource::parse(&source)
        .ok_or_else(|| DbError::Invariant(format!("a batch has the unknown source {source:?}")))?;
    Ok(BatchRow {
        id: row.try_get("id")?,
        created_at: row.try_get("created_at")?,
        mode,
        source,
        committed_by: row.try_get("committed_by")?,
        file_name: row.try_get("file_name")?,
        file_sha256: row.try_get("file_sha256")?,
        counts: counts(row)?,
        delay_welcome_emails: flag(row, "delay_welcome_emails")?,
    })
}

/// Batches listed per page of the history.
pub const BATCHES_PER_PAGE: i64 = 50;

/// The changes a batch log entry records, as (column, before, after); `{}` for a created user.
fn changes_from_json(detail: &str) -> Vec<(String, String, String)> {
    let Ok(serde_json::Value::Object(changes)) = serde_json::from_str(detail) else { return Vec::new() };
    changes
        .iter()
        .map(|(key, pair)| {
            let label = roster::sheet::Field::from_key(key).map_or(key.as_str(), |field| field.header());
            let text = |index: usize| pair.get(index).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            (label.to_owned(), text(0), text(1))
        })
        .collect()
}

fn batch_user(r: &AnyRow) -> Result<BatchUser, sqlx::Error> {
    Ok(BatchUser {
        user_id: r.try_get("user_id")?,
        row_number: r.try_get("row_number")?,
        action: r.try_get("action")?,
        name: format!("{} {}", r.try_get::<String, _>("first_name")?, r.try_get::<String, _>("last_name")?),
        email: r.try_get::<Option<String>, _>("email")?.unwrap_or_default(),
        employee_id: r.try_get::<Option<String>, _>("employee_id")?.unwrap_or_default(),
        changes: changes_from_json(&r.try_get::<String, _>("detail")?),
    })
}

/// The worker's side of a job.
impl SqlStore {
    /// Runs a claimed job to its end: its outcome is written in the transaction that imports it.
    /// An error means nothing was written; the worker then puts the job back or fails it.
    pub async fn run_import_job(&self, job: &ClaimedJob, progress: &JobProgress) -> Result<(), StoreError> {
        // One import at a time in this process; the database lock orders them across processes.
        let _turn = self.import_lock.lock().await;
        progress.enter(JobPhase::Checking);
        match job.mode {
            Mode::Create => db(commit_create(self, job, progress, now())).await?,
            Mode::Update => db(updates::commit_update(self, job, progress, now())).await?,
        }
        // New users' welcome emails, or the admin's email about the job, go out now.
        self.wake_mail();
        Ok(())
    }
}

#[async_trait]
impl ImportStore for SqlStore {
    async fn snapshot(&self, org_id: i64) -> Result<Snapshot, StoreError> {
        db(async {
            let mut conn = self.pool.acquire().await?;
            let org = org_rules(&mut conn, org_id).await?;
            let users = known_users(&mut conn, org_id).await?;
            Ok(Snapshot { org, users })
        })
        .await
    }

    async fn current_team(&self, org_id: i64) -> Result<TeamSnapshot, StoreError> {
        db(updates::team_snapshot(&self.pool, org_id)).await
    }

    async fn submit_import(&self, org_id: i64, job: &NewJob<'_>) -> Result<Submitted, StoreError> {
        db(self.submit(org_id, job)).await
    }

    async fn import_job(&self, org_id: i64, job_id: i64) -> Result<Option<ImportJob>, StoreError> {
        db(async { self.find_job(&mut *self.pool.acquire().await?, org_id, job_id).await }).await
    }

    async fn recent_import_jobs(&self, org_id: i64) -> Result<Vec<ImportJob>, StoreError> {
        db(self.recent_jobs(org_id)).await
    }

    async fn list_batches(&self, org_id: i64, page: i64) -> Result<Vec<BatchRow>, StoreError> {
        db(async {
            let sql = format!(
                "SELECT {BATCH_COLUMNS} {BATCH_JOINS} WHERE b.org_id = $1 ORDER BY b.id DESC LIMIT $2 OFFSET $3"
            );
            let rows = sqlx::query(&sql)
                .bind(org_id)
                .bind(BATCHES_PER_PAGE)
                .bind(page.saturating_mul(BATCHES_PER_PAGE))
                .fetch_all(&self.pool)
                .await?;
            rows.iter().map(batch_row).collect()
        })
        .await
    }

    async fn batch_detail(&self, org_id: i64, batch_id: i64, page: i64) -> Result<Option<BatchDetail>, StoreError> {
        db(async {
            let sql = format!("SELECT {BATCH_COLUMNS} {BATCH_JOINS} WHERE b.org_id = $1 AND b.id = $2");
            let Some(row) = sqlx::query(&sql).bind(org_id).bind(batch_id).fetch_optional(&self.pool).await? else {
                return Ok(None);
            };
            let batch = batch_row(&row)?;
            let total_users: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM import_batch_users WHERE org_id = $1 AND batch_id = $2")
                    .bind(org_id)
                    .bind(batch_id)
                    .fetch_one(&self.pool)
                    .await?;
            let rows = sqlx::query(
                "SELECT b.user_id, b.row_number, b.action, b.detail, u.first_name, u.last_name, u.email, u.employee_id
                 FROM import_batch_users b JOIN users u ON u.id = b.user_id
                 WHERE b.org_id = $1 AND b.batch_id = $2 ORDER BY b.row_number LIMIT $3 OFFSET $4",
            )
            .bind(org_id)
            .bind(batch_id)
            .bind(BATCH_PAGE_SIZE)
            .bind(page.saturating_mul(BATCH_PAGE_SIZE))
            .fetch_all(&self.pool)
            .await?;
            let users = rows.iter().map(batch_user).collect::<Result<_, _>>()?;
            Ok(Some(BatchDetail { batch, users, total_users, page }))
        })
        .await
    }
}
