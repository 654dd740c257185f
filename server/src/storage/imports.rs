//! Bulk imports in storage: the context snapshot, the all-or-nothing commit of a bulk-create file
//! (checked again inside the transaction), the batch history and organisation API keys.
//!
//! A commit takes the organisation's import lock first: `BEGIN IMMEDIATE` on SQLite (one writer
//! at a time) and a row lock on the organisation in PostgreSQL, so two imports never interleave and
//! the second one checks its file against what the first wrote.

use app::bulk::{BATCH_PAGE_SIZE, BatchDetail, BatchRow, BatchUser};
use app::model::UserStatus;
use app::ssr::{Committed, CreateBatch, FileBatch, PriorBatch, StoreError};
use roster::create::{Leader, check_create};
use roster::report::Counts;
use roster::{Directory, Snapshot};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use super::users::{AnyQuery, PROFILE_COLUMNS, audit, bind_profile, known_users, org_rules};
use super::{Backend, flag, internal, user_write_error};

/// Rows per multi-row INSERT: 1,000 users of 25 values stay below SQLite's 32,766 parameters.
const USERS_PER_INSERT: usize = 1_000;
const LINKS_PER_INSERT: usize = 5_000;

pub async fn snapshot(pool: &AnyPool, org_id: i64) -> Result<Snapshot, StoreError> {
    let mut conn = pool.acquire().await.map_err(internal)?;
    let org = org_rules(&mut conn, org_id).await?;
    let users = known_users(&mut conn, org_id).await?;
    Ok(Snapshot { org, users })
}

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

pub async fn batch_by_key(conn: &mut AnyConnection, org_id: i64, key: &str) -> Result<Option<PriorBatch>, StoreError> {
    sqlx::query(
        "SELECT id, file_sha256, new_count, changed_count, unchanged_count FROM import_batches
         WHERE org_id = $1 AND idempotency_key = $2",
    )
    .bind(org_id)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await
    .map_err(internal)?
    .map(|row| prior_batch(&row))
    .transpose()
    .map_err(internal)
}

/// `(…), (…)` placeholders for `rows` rows of `columns` values. PostgreSQL gets `$1, $2, …`;
/// SQLite gets anonymous `?`, bound in the same order: SQLite looks numbered parameters up by a
/// linear search, which made a 25,000-value statement take 140 ms to bind.
pub(super) fn placeholders(backend: Backend, rows: usize, columns: usize) -> String {
    let mut text = String::with_capacity(rows * columns * 7);
    for row in 0..rows {
        text.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            if column > 0 {
                text.push_str(", ");
            }
            match backend {
                Backend::Sqlite => text.push('?'),
                Backend::Postgres => text.push_str(&format!("${}", 1 + row * columns + column)),
            }
        }
        text.push(')');
    }
    text
}

/// Ids for `count` new users, reserved inside the transaction so that leaders created in the same
/// file can be referred to before they are inserted.
async fn reserve_user_ids(conn: &mut AnyConnection, backend: Backend, count: usize) -> Result<Vec<i64>, StoreError> {
    match backend {
        Backend::Sqlite => {
            // The transaction holds SQLite's write lock, so nobody else can take these ids.
            let max: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM users")
                .fetch_one(&mut *conn)
                .await
                .map_err(internal)?;
            Ok((1..=count as i64).map(|n| max + n).collect())
        }
        Backend::Postgres => {
            // Named once: in the select list the look-up would run for every id.
            let sequence: String = sqlx::query_scalar("SELECT pg_get_serial_sequence('users', 'id')")
                .fetch_one(&mut *conn)
                .await
                .map_err(internal)?;
            sqlx::query_scalar("SELECT nextval($1::regclass) FROM generate_series(1::bigint, $2::bigint)")
                .bind(sequence)
                .bind(count as i64)
                .fetch_all(&mut *conn)
                .await
                .map_err(internal)
        }
    }
}

/// The ids of an organisation's roles or groups, by their exact name.
pub(super) struct Names(std::collections::HashMap<String, i64>);

impl Names {
    /// The id of a name the file's check accepted; `Stale` when it was removed since.
    pub(super) fn id(&self, name: &str) -> Result<i64, StoreError> {
        self.0.get(name).copied().ok_or(StoreError::Stale)
    }
}

/// The organisation's roles and groups, for writing a checked file.
pub(super) async fn roles_and_groups(conn: &mut AnyConnection, org_id: i64) -> Result<(Names, Names), StoreError> {
    let mut read = async |sql: &str| -> Result<Names, StoreError> {
        let rows = sqlx::query(sql).bind(org_id).fetch_all(&mut *conn).await.map_err(internal)?;
        rows.iter()
            .map(|r| Ok((r.try_get("name")?, r.try_get("id")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map(Names)
            .map_err(internal)
    };
    let roles = read("SELECT name, id FROM roles WHERE org_id = $1").await?;
    let groups = read("SELECT name, id FROM groups WHERE org_id = $1").await?;
    Ok((roles, groups))
}

/// Opens an import's transaction holding the organisation's import lock: SQLite's write lock
/// (`BEGIN IMMEDIATE`), or a row lock on the organisation in PostgreSQL. Returns the earlier
/// outcome instead when the idempotency key was used before.
pub(super) async fn begin_import<'p>(
    pool: &'p AnyPool,
    backend: Backend,
    org_id: i64,
    file: &FileBatch<'_>,
) -> Result<Result<sqlx::Transaction<'p, sqlx::Any>, Committed>, StoreError> {
    let mut tx = match backend {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => pool.begin().await,
    }
    .map_err(internal)?;
    if backend == Backend::Postgres {
        sqlx::query("SELECT id FROM organisations WHERE id = $1 FOR UPDATE")
            .bind(org_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(internal)?;
    }
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
) -> Result<(), StoreError> {
    for chunk in memberships.chunks(LINKS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO user_groups (org_id, user_id, group_id) VALUES {}",
            placeholders(backend, chunk.len(), 3)
        );
        let mut query = sqlx::query(&sql);
        for (user_id, group_id) in chunk {
            query = query.bind(org_id).bind(*user_id).bind(*group_id);
        }
        query.execute(&mut *conn).await.map_err(internal)?;
    }
    Ok(())
}

/// Records a committed batch; returns its id.
pub(super) async fn insert_batch(
    conn: &mut AnyConnection,
    org_id: i64,
    file: &FileBatch<'_>,
    mode: &str,
    counts: Counts,
    delay_welcome_emails: bool,
    now: i64,
) -> Result<i64, StoreError> {
    sqlx::query_scalar(
        "INSERT INTO import_batches (org_id, actor_id, api_key_id, source, mode, file_name, file_sha256, idempotency_key,
             new_count, changed_count, unchanged_count, delay_welcome_emails, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(org_id)
    .bind(file.importer.admin())
    .bind(file.importer.api_key())
    .bind(file.importer.source())
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
    .await
    .map_err(internal)
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
) -> Result<(), StoreError> {
    let detail = serde_json::json!({
        "batch_id": batch_id,
        "source": file.importer.source(),
        "file_name": file.file_name,
        "sha256": file.sha256,
        "counts": counts,
        "delay_welcome_emails": delay_welcome_emails,
    });
    audit(conn, org_id, file.importer.admin(), "batch.committed", None, &detail.to_string(), now).await
}

pub async fn commit_create(
    pool: &AnyPool,
    backend: Backend,
    org_id: i64,
    batch: &CreateBatch<'_>,
    now: i64,
) -> Result<Committed, StoreError> {
    let mut tx = match begin_import(pool, backend, org_id, &batch.file).await? {
        Ok(tx) => tx,
        Err(earlier) => return Ok(earlier),
    };

    // Check again, against the data as it is now: nothing can change it until the commit.
    let org = org_rules(&mut tx, org_id).await?;
    let directory = Directory::new(known_users(&mut tx, org_id).await?);
    let bytes = batch.file.bytes.to_vec();
    let checked = tokio::task::spawn_blocking(move || check_create(&bytes, &org, &directory))
        .await
        .map_err(|error| StoreError::Internal(Box::new(error)))?;
    let Some(plan) = checked.plan else { return Ok(Committed::Rejected(checked.report)) };
    let counts = checked.report.counts;

    let (roles, groups) = roles_and_groups(&mut tx, org_id).await?;
    let ids = reserve_user_ids(&mut tx, backend, plan.users.len()).await?;
    if ids.len() != plan.users.len() {
        return Err(StoreError::Internal(format!("reserved {} ids for {} users", ids.len(), plan.users.len()).into()));
    }
    let actor = batch.file.importer.admin();
    let batch_id =
        insert_batch(&mut tx, org_id, &batch.file, "create", counts, batch.delay_welcome_emails, now).await?;

    let columns = format!(
        "id, org_id, {}, status, password_hash, must_change_password, created_at, updated_at, updated_by",
        PROFILE_COLUMNS.join(", ")
    );
    let per_row = PROFILE_COLUMNS.len() + 8;
    for (chunk_index, chunk) in plan.users.chunks(USERS_PER_INSERT).enumerate() {
        let sql = format!("INSERT INTO users ({columns}) VALUES {}", placeholders(backend, chunk.len(), per_row));
        let mut query: AnyQuery<'_> = sqlx::query(&sql);
        for (offset, user) in chunk.iter().enumerate() {
            let index = chunk_index * USERS_PER_INSERT + offset;
            let leader = match user.leader {
                Leader::None => None,
                Leader::Existing(id) => Some(id),
                Leader::New(position) => Some(roster::UserId(ids[position])),
            };
            let password_hash = match &user.profile.temporary_password {
                Some(_) => Some(batch.password_hashes.get(&user.row).cloned().ok_or_else(|| {
                    StoreError::Internal(format!("no password hash was made for row {}", user.row).into())
                })?),
                None => None,
            };
            let must_change_password = password_hash.is_some();
            query =
                bind_profile(query.bind(ids[index]).bind(org_id), roles.id(&user.profile.role)?, &user.profile, leader)
                    .bind(UserStatus::Created.as_str())
                    .bind(password_hash)
                    .bind(must_change_password)
                    .bind(now)
                    .bind(now)
                    .bind(actor);
        }
        query.execute(&mut *tx).await.map_err(user_write_error)?;
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
        let sql = format!(
            "INSERT INTO import_batch_users (batch_id, org_id, user_id, row_number, action, detail) VALUES {}",
            placeholders(backend, chunk.len(), 6)
        );
        let mut query = sqlx::query(&sql);
        for (user_id, row) in chunk {
            query = query.bind(batch_id).bind(org_id).bind(*user_id).bind(*row).bind("created").bind("{}");
        }
        query.execute(&mut *tx).await.map_err(internal)?;
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
    .await
    .map_err(internal)?;

    audit_batch(&mut tx, org_id, batch_id, &batch.file, counts, batch.delay_welcome_emails, now).await?;
    tx.commit().await.map_err(internal)?;
    Ok(Committed::Saved { batch_id, counts })
}

const BATCH_COLUMNS: &str = "b.id, b.created_at, b.mode, b.source, b.file_name, b.file_sha256, b.new_count,
    b.changed_count, b.unchanged_count, b.delay_welcome_emails,
    COALESCE(a.first_name || ' ' || a.last_name, 'API key ' || k.name, 'Command line') AS committed_by";
const BATCH_JOINS: &str =
    "FROM import_batches b LEFT JOIN users a ON a.id = b.actor_id LEFT JOIN api_keys k ON k.id = b.api_key_id";

fn batch_row(row: &AnyRow) -> Result<BatchRow, sqlx::Error> {
    Ok(BatchRow {
        id: row.try_get("id")?,
        created_at: row.try_get("created_at")?,
        mode: row.try_get("mode")?,
        source: row.try_get("source")?,
        committed_by: row.try_get("committed_by")?,
        file_name: row.try_get("file_name")?,
        file_sha256: row.try_get("file_sha256")?,
        counts: counts(row)?,
        delay_welcome_emails: flag(row, "delay_welcome_emails")?,
    })
}

/// Batches listed per page of the history.
pub const BATCHES_PER_PAGE: i64 = 50;

pub async fn list_batches(pool: &AnyPool, org_id: i64, page: i64) -> Result<Vec<BatchRow>, StoreError> {
    let sql = format!("SELECT {BATCH_COLUMNS} {BATCH_JOINS} WHERE b.org_id = $1 ORDER BY b.id DESC LIMIT $2 OFFSET $3");
    let rows = sqlx::query(&sql)
        .bind(org_id)
        .bind(BATCHES_PER_PAGE)
        .bind(page.saturating_mul(BATCHES_PER_PAGE))
        .fetch_all(pool)
        .await
        .map_err(internal)?;
    rows.iter().map(batch_row).collect::<Result<_, _>>().map_err(internal)
}

pub async fn batch_detail(
    pool: &AnyPool,
    org_id: i64,
    batch_id: i64,
    page: i64,
) -> Result<Option<BatchDetail>, StoreError> {
    let sql = format!("SELECT {BATCH_COLUMNS} {BATCH_JOINS} WHERE b.org_id = $1 AND b.id = $2");
    let Some(row) = sqlx::query(&sql).bind(org_id).bind(batch_id).fetch_optional(pool).await.map_err(internal)? else {
        return Ok(None);
    };
    let batch = batch_row(&row).map_err(internal)?;
    let total_users: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM import_batch_users WHERE org_id = $1 AND batch_id = $2")
            .bind(org_id)
            .bind(batch_id)
            .fetch_one(pool)
            .await
            .map_err(internal)?;
    let rows = sqlx::query(
        "SELECT b.user_id, b.row_number, b.action, b.detail, u.first_name, u.last_name, u.email, u.employee_id
         FROM import_batch_users b JOIN users u ON u.id = b.user_id
         WHERE b.org_id = $1 AND b.batch_id = $2 ORDER BY b.row_number LIMIT $3 OFFSET $4",
    )
    .bind(org_id)
    .bind(batch_id)
    .bind(BATCH_PAGE_SIZE)
    .bind(page.saturating_mul(BATCH_PAGE_SIZE))
    .fetch_all(pool)
    .await
    .map_err(internal)?;
    let users = rows
        .iter()
        .map(|r| {
            Ok(BatchUser {
                user_id: r.try_get("user_id")?,
                row_number: r.try_get("row_number")?,
                action: r.try_get("action")?,
                name: format!("{} {}", r.try_get::<String, _>("first_name")?, r.try_get::<String, _>("last_name")?),
                email: r.try_get::<Option<String>, _>("email")?.unwrap_or_default(),
                employee_id: r.try_get::<Option<String>, _>("employee_id")?.unwrap_or_default(),
                changes: changes_from_json(&r.try_get::<String, _>("detail")?),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)?;
    Ok(Some(BatchDetail { batch, users, total_users, page }))
}

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

pub async fn api_key(pool: &AnyPool, token_hash: &str, now: i64) -> Result<Option<(i64, i64)>, StoreError> {
    let row = sqlx::query("SELECT id, org_id FROM api_keys WHERE token_hash = $1 AND revoked_at IS NULL")
        .bind(token_hash)
        .fetch_optional(pool)
        .await
        .map_err(internal)?;
    let Some(row) = row else { return Ok(None) };
    let (id, org_id): (i64, i64) = (row.try_get("id").map_err(internal)?, row.try_get("org_id").map_err(internal)?);
    sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map_err(internal)?;
    Ok(Some((org_id, id)))
}

#[cfg(test)]
mod tests {
    use super::{Backend, placeholders};

    #[test]
    fn placeholders_number_every_value_of_every_row() {
        assert_eq!(placeholders(Backend::Postgres, 2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(placeholders(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
    }
}
