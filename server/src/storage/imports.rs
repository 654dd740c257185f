//! Bulk imports in storage: the context snapshot, the all-or-nothing commit of a bulk-create file
//! (checked again inside the transaction) and the batch history. Bulk update's commit is in
//! `updates`.
//!
//! A commit takes the organisation's import lock first: `BEGIN IMMEDIATE` on SQLite (one writer
//! at a time) and a row lock on the organisation in PostgreSQL, so two imports never interleave and
//! the second one checks its file against what the first wrote.

use app::bulk::{BATCH_PAGE_SIZE, BatchDetail, BatchRow, BatchUser, ImportSource};
use app::ssr::{Committed, CreateBatch, FileBatch, ImportStore, PriorBatch, StoreError};
use app::user::UserStatus;
use async_trait::async_trait;
use roster::create::{Leader, check_create};
use roster::current::TeamSnapshot;
use roster::report::Counts;
use roster::sheet::Mode;
use roster::{Directory, Snapshot};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::sql::Sql;
use super::users::{PROFILE_COLUMNS, audit, known_users, org_rules, profile_values};
use super::{Backend, DbError, DbResult, SqlStore, db, error::user_write, flag, now, updates};

/// Rows per multi-row INSERT: 1,000 users of 25 values stay below SQLite's 32,766 parameters.
const USERS_PER_INSERT: usize = 1_000;
const LINKS_PER_INSERT: usize = 5_000;

fn prior_batch(row: &AnyRow) -> Result<PriorBatch, sqlx::Error> {
    Ok(PriorBatch { id: row.try_get("id")?, sha256: row.try_get("file_sha256")?, counts: counts(row)? })
}

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

async fn batch_by_key(conn: &mut AnyConnection, org_id: i64, key: &str) -> DbResult<Option<PriorBatch>> {
    let row = sqlx::query(
        "SELECT id, file_sha256, new_count, changed_count, unchanged_count FROM import_batches
         WHERE org_id = $1 AND idempotency_key = $2",
    )
    .bind(org_id)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|row| prior_batch(&row)).transpose()?)
}

/// The ids of an organisation's roles or groups, by their exact name.
pub(super) struct Names(std::collections::HashMap<String, i64>);

impl Names {
    /// The id of a name the file's check accepted; `Stale` when it was removed since.
    pub(super) fn id(&self, name: &str) -> DbResult<i64> {
        self.0.get(name).copied().ok_or(StoreError::Stale.into())
    }
}

/// The organisation's roles and groups, for writing a checked file.
pub(super) async fn roles_and_groups(conn: &mut AnyConnection, org_id: i64) -> DbResult<(Names, Names)> {
    let mut read = async |sql: &str| -> DbResult<Names> {
        let rows = sqlx::query(sql).bind(org_id).fetch_all(&mut *conn).await?;
        Ok(Names(rows.iter().map(|r| Ok((r.try_get("name")?, r.try_get("id")?))).collect::<Result<_, sqlx::Error>>()?))
    };
    let roles = read("SELECT name, id FROM roles WHERE org_id = $1").await?;
    let groups = read("SELECT name, id FROM groups WHERE org_id = $1").await?;
    Ok((roles, groups))
}

/// Opens an import's transaction holding the organisation's import lock ([`Backend::begin_import`]).
/// Returns the earlier outcome instead when the idempotency key was used before.
pub(super) async fn begin_import(
    store: &SqlStore,
    org_id: i64,
    file: &FileBatch<'_>,
) -> DbResult<Result<sqlx::Transaction<'static, sqlx::Any>, Committed>> {
    let mut tx = store.backend.begin_import(&store.pool, org_id).await?;
    if let Some(key) = file.idempotency_key
        && let Some(prior) = batch_by_key(&mut tx, org_id, key).await?
    {
        return Ok(Err(if prior.sha256 == file.sha256 { Committed::Replayed(prior) } else { Committed::KeyReused }));
    }
    Ok(Ok(tx))
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

/// Records a committed batch; returns its id.
pub(super) async fn insert_batch(
    conn: &mut AnyConnection,
    org_id: i64,
    file: &FileBatch<'_>,
    mode: Mode,
    counts: Counts,
    delay_welcome_emails: bool,
    now: i64,
) -> DbResult<i64> {
    let mode = match mode {
        Mode::Create => "create",
        Mode::Update => "update",
    };
    Ok(sqlx::query_scalar(
        "INSERT INTO import_batches (org_id, actor_id, api_key_id, source, mode, file_name, file_sha256, idempotency_key,
             new_count, changed_count, unchanged_count, delay_welcome_emails, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(org_id)
    .bind(file.importer.admin())
    .bind(file.importer.api_key())
    .bind(file.importer.source().as_str())
    .bind(mode)
    .bind(file.file_name)
    .bind(file.sha256)
    .bind(file.idempotency_key)
    .bind(counts.new as i64)
    .bind(counts.changed as i64)
    .bind(counts.unchanged as i64)
    .bind(delay_welcome_emails)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

/// The audit event of a committed batch.
pub(super) async fn audit_batch(
    conn: &mut AnyConnection,
    org_id: i64,
    batch_id: i64,
    file: &FileBatch<'_>,
    counts: Counts,
    delay_welcome_emails: bool,
    now: i64,
) -> DbResult<()> {
    let detail = serde_json::json!({
        "batch_id": batch_id,
        "source": file.importer.source().as_str(),
        "file_name": file.file_name,
        "sha256": file.sha256,
        "counts": counts,
        "delay_welcome_emails": delay_welcome_emails,
    });
    audit(conn, org_id, file.importer.admin(), "batch.committed", None, &detail.to_string(), now).await
}

async fn commit_create(store: &SqlStore, org_id: i64, batch: &CreateBatch<'_>, now: i64) -> DbResult<Committed> {
    let backend = store.backend;
    let mut tx = match begin_import(store, org_id, &batch.file).await? {
        Ok(tx) => tx,
        Err(earlier) => return Ok(earlier),
    };

    // Check again, against the data as it is now: nothing can change it until the commit.
    let org = org_rules(&mut tx, org_id).await?;
    let directory = Directory::new(known_users(&mut tx, org_id).await?);
    let bytes = batch.file.bytes.to_vec();
    let checked = tokio::task::spawn_blocking(move || check_create(&bytes, &org, &directory)).await?;
    let Some(plan) = checked.plan else { return Ok(Committed::Rejected(checked.report)) };
    let counts = checked.report.counts;

    let (roles, groups) = roles_and_groups(&mut tx, org_id).await?;
    let ids = backend.reserve_user_ids(&mut tx, plan.users.len()).await?;
    if ids.len() != plan.users.len() {
        return Err(DbError::Invariant(format!("reserved {} ids for {} users", ids.len(), plan.users.len())));
    }
    let actor = batch.file.importer.admin();
    let batch_id =
        insert_batch(&mut tx, org_id, &batch.file, Mode::Create, counts, batch.delay_welcome_emails, now).await?;

    let columns = format!(
        "id, org_id, {}, status, password_hash, must_change_password, created_at, updated_at, updated_by",
        PROFILE_COLUMNS.join(", ")
    );
    for (chunk_index, chunk) in plan.users.chunks(USERS_PER_INSERT).enumerate() {
        let mut sql = Sql::new(backend, &format!("INSERT INTO users ({columns}) VALUES "));
        for (offset, user) in chunk.iter().enumerate() {
            let id = ids[chunk_index * USERS_PER_INSERT + offset];
            let leader = match user.leader {
                Leader::None => None,
                Leader::Existing(id) => Some(id),
                Leader::New(position) => Some(roster::UserId(ids[position])),
            };
            let password_hash =
                match &user.profile.temporary_password {
                    Some(_) => Some(batch.password_hashes.get(&user.row).cloned().ok_or_else(|| {
                        DbError::Invariant(format!("no password hash was made for row {}", user.row))
                    })?),
                    None => None,
                };
            let values = profile_values(roles.id(&user.profile.role)?, &user.profile, leader);
            sql.row(|row| {
                row.bind(id).bind(org_id);
                for value in values {
                    row.value(value);
                }
                let must_change_password = password_hash.is_some();
                row.bind(UserStatus::Created.as_str())
                    .bind(password_hash)
                    .bind(must_change_password)
                    .bind(now)
                    .bind(now)
                    .bind(actor);
            });
        }
        sql.query()?.execute(&mut *tx).await.map_err(user_write)?;
    }

    let mut memberships: Vec<(i64, i64)> = Vec::new();
    for (index, user) in plan.users.iter().enumerate() {
        for name in user.profile.groups.names() {
            memberships.push((ids[index], groups.id(name)?));
        }
    }
    insert_memberships(&mut tx, backend, org_id, &memberships).await?;

    let entries: Vec<(i64, i64)> = plan.users.iter().zip(&ids).map(|(user, id)| (*id, user.row as i64)).collect();
    for chunk in entries.chunks(LINKS_PER_INSERT) {
        let mut sql = Sql::new(
            backend,
            "INSERT INTO import_batch_users (batch_id, org_id, user_id, row_number, action, detail) VALUES ",
        );
        for (user_id, row_number) in chunk {
            sql.row(|row| {
                row.bind(batch_id).bind(org_id).bind(*user_id).bind(*row_number).bind("created").bind("{}");
            });
        }
        sql.query()?.execute(&mut *tx).await?;
    }

    // A welcome email for every new user with an address, held when the admin delays them.
    sqlx::query(
        "INSERT INTO outbox_emails (org_id, user_id, kind, batch_id, held, created_at)
         SELECT $1, u.id, 'welcome', $2, $3, $4 FROM import_batch_users b JOIN users u ON u.id = b.user_id
         WHERE b.batch_id = $2 AND u.email IS NOT NULL ORDER BY b.row_number",
    )
    .bind(org_id)
    .bind(batch_id)
    .bind(batch.delay_welcome_emails)
    .bind(now)
    .execute(&mut *tx)
    .await?;

    audit_batch(&mut tx, org_id, batch_id, &batch.file, counts, batch.delay_welcome_emails, now).await?;
    tx.commit().await?;
    Ok(Committed::Saved { batch_id, counts })
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

    async fn batch_by_key(&self, org_id: i64, key: &str) -> Result<Option<PriorBatch>, StoreError> {
        db(async { batch_by_key(&mut *self.pool.acquire().await?, org_id, key).await }).await
    }

    async fn commit_create(&self, org_id: i64, batch: &CreateBatch<'_>) -> Result<Committed, StoreError> {
        // One import at a time in this process; the database lock orders them across processes.
        let _turn = self.import_lock.lock().await;
        let committed = db(commit_create(self, org_id, batch, now())).await?;
        if matches!(committed, Committed::Saved { .. }) {
            self.wake_mail();
        }
        Ok(committed)
    }

    async fn current_team(&self, org_id: i64) -> Result<TeamSnapshot, StoreError> {
        db(updates::team_snapshot(&self.pool, org_id)).await
    }

    async fn commit_update(&self, org_id: i64, file: &FileBatch<'_>) -> Result<Committed, StoreError> {
        let _turn = self.import_lock.lock().await;
        db(updates::commit_update(self, org_id, file, now())).await
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
