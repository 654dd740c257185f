//! The mail worker's side of the outbox: claiming due emails so that no two workers (in one
//! process or many) hold the same one, issuing the welcome emails' set-password links, reading
//! what an email about an import job says, and recording what happened to each.
//!
//! Kinds: `welcome` (to a new user), and to the admin who started an import job
//! `import_rejected`, `import_failed` and `import_done`.

use app::bulk::ImportResult;
use roster::sheet::Mode;
use sqlx::{AnyPool, Row};

use super::sql::Sql;
use super::{Backend, DbError, DbResult};

/// A welcome email (the others are about an import job).
pub const WELCOME: &str = "welcome";

/// A claimed email and what writing it needs.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub id: i64,
    pub org_id: i64,
    pub user_id: i64,
    /// Including this one.
    pub attempts: i64,
    pub email: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub org_name: String,
    pub deactivated: bool,
    /// `welcome`, or what an email about an import job tells.
    pub kind: String,
    pub job_id: Option<i64>,
}

impl Claimed {
    pub fn is_welcome(&self) -> bool {
        self.kind == WELCOME
    }
}

/// What an email about an import job tells its admin.
#[derive(Clone, Debug)]
pub struct JobFacts {
    pub id: i64,
    pub mode: Mode,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub result: Option<ImportResult>,
    pub failure: Option<String>,
    pub attempts: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

/// The job an email is about.
pub async fn job_facts(pool: &AnyPool, job_id: i64) -> DbResult<JobFacts> {
    let row = sqlx::query(
        "SELECT j.id, j.mode, j.file_name, f.bytes, j.report, j.failure, j.attempts, j.started_at, j.finished_at
         FROM import_jobs j JOIN import_job_files f ON f.job_id = j.id WHERE j.id = $1",
    )
    .bind(job_id)
    .fetch_one(pool)
    .await?;
    let result = match row.try_get::<Option<String>, _>("report")? {
        Some(json) => Some(serde_json::from_str(&json).map_err(|e| DbError::Invariant(format!("job {job_id}: {e}")))?),
        None => None,
    };
    Ok(JobFacts {
        id: job_id,
        mode: super::jobs::mode_of(&row.try_get::<String, _>("mode")?)?,
        file_name: row.try_get("file_name")?,
        bytes: row.try_get("bytes")?,
        result,
        failure: row.try_get("failure")?,
        attempts: row.try_get("attempts")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
    })
}

const DUE: &str = "held = FALSE AND sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
     AND (claimed_until IS NULL OR claimed_until < $1)";

/// Claims up to `limit` due emails until `lease_until`. On PostgreSQL `FOR UPDATE SKIP LOCKED`
/// lets concurrent workers take disjoint rows without waiting; SQLite has one writer at a time.
pub async fn claim(pool: &AnyPool, backend: Backend, now: i64, lease_until: i64, limit: i64) -> DbResult<Vec<Claimed>> {
    let lock = backend.skip_locked();
    let ids: Vec<i64> = sqlx::query_scalar(&format!(
        "UPDATE outbox_emails SET claimed_until = $2, attempts = attempts + 1
         WHERE id IN (SELECT id FROM outbox_emails WHERE {DUE} ORDER BY next_attempt_at, id LIMIT $3{lock})
         RETURNING id"
    ))
    .bind(now)
    .bind(lease_until)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        backend,
        "SELECT m.id, m.org_id, m.user_id, m.attempts, m.kind, m.job_id, u.email, u.first_name, u.last_name, u.status,
                o.name AS org_name
         FROM outbox_emails m JOIN users u ON u.id = m.user_id AND u.org_id = m.org_id
         JOIN organisations o ON o.id = m.org_id WHERE m.id IN ",
    );
    sql.bind_list(ids).push(" ORDER BY m.id");
    let rows = sql.query()?.fetch_all(pool).await?;
    Ok(rows
        .iter()
        .map(|row| {
            Ok(Claimed {
                id: row.try_get("id")?,
                org_id: row.try_get("org_id")?,
                user_id: row.try_get("user_id")?,
                attempts: row.try_get("attempts")?,
                email: row.try_get("email")?,
                first_name: row.try_get("first_name")?,
                last_name: row.try_get("last_name")?,
                org_name: row.try_get("org_name")?,
                deactivated: row.try_get::<String, _>("status")? == "deactivated",
                kind: row.try_get("kind")?,
                job_id: row.try_get("job_id")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

/// A set-password link to store: its owner and the SHA-256 of its token.
pub struct NewLink<'a> {
    pub org_id: i64,
    pub user_id: i64,
    pub token_hash: &'a str,
}

/// Stores new links, revoking the owners' earlier unused ones: only the newest email's link works.
pub async fn issue_links(
    pool: &AnyPool,
    backend: Backend,
    links: &[NewLink<'_>],
    now: i64,
    expires_at: i64,
) -> DbResult<()> {
    if links.is_empty() {
        return Ok(());
    }
    let mut tx = backend.begin_write(pool).await?;
    let mut revoke = Sql::new(backend, "DELETE FROM password_links WHERE used_at IS NULL AND user_id IN ");
    revoke.bind_list(links.iter().map(|link| link.user_id));
    revoke.query()?.execute(&mut *tx).await?;
    let mut insert =
        Sql::new(backend, "INSERT INTO password_links (token_hash, org_id, user_id, created_at, expires_at) VALUES ");
    for link in links {
        insert.row(|row| {
            row.bind(link.token_hash.to_owned()).bind(link.org_id).bind(link.user_id).bind(now).bind(expires_at);
        });
    }
    insert.query()?.execute(&mut *tx).await?;
    Ok(tx.commit().await?)
}

/// Records delivered emails; the users whose welcome email it was, if still only created, are now
/// invited.
pub async fn mark_sent(pool: &AnyPool, backend: Backend, sent: &[Claimed], now: i64) -> DbResult<()> {
    if sent.is_empty() {
        return Ok(());
    }
    let mut tx = backend.begin_write(pool).await?;
    let mut mark = Sql::new(backend, "UPDATE outbox_emails SET sent_at = ");
    mark.bind(now).push(", claimed_until = NULL WHERE id IN ").bind_list(sent.iter().map(|email| email.id));
    mark.query()?.execute(&mut *tx).await?;
    let welcomed: Vec<i64> = sent.iter().filter(|email| email.is_welcome()).map(|email| email.user_id).collect();
    if !welcomed.is_empty() {
        let mut invite = Sql::new(backend, "UPDATE users SET status = 'invited', updated_at = ");
        invite.bind(now).push(" WHERE status = 'created' AND id IN ").bind_list(welcomed);
        invite.query()?.execute(&mut *tx).await?;
    }
    Ok(tx.commit().await?)
}

/// Hands back emails claimed but never started (the worker was told to stop): due again at once,
/// the claim's attempt not counted.
pub async fn release(pool: &AnyPool, backend: Backend, ids: &[i64]) -> DbResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut sql =
        Sql::new(backend, "UPDATE outbox_emails SET claimed_until = NULL, attempts = attempts - 1 WHERE id IN ");
    sql.bind_list(ids.iter().copied());
    sql.query()?.execute(pool).await?;
    Ok(())
}

/// Puts an email back for another attempt at `at`, with why this one failed.
pub async fn retry_later(pool: &AnyPool, id: i64, at: i64, error: &str) -> DbResult<()> {
    sqlx::query("UPDATE outbox_emails SET claimed_until = NULL, next_attempt_at = $2, last_error = $3 WHERE id = $1")
        .bind(id)
        .bind(at)
        .bind(error)
        .execute(pool)
        .await?;
    Ok(())
}

/// Gives an email up for good; the user's page shows why.
pub async fn give_up(pool: &AnyPool, id: i64, now: i64, error: &str) -> DbResult<()> {
    sqlx::query("UPDATE outbox_emails SET claimed_until = NULL, failed_at = $2, last_error = $3 WHERE id = $1")
        .bind(id)
        .bind(now)
        .bind(error)
        .execute(pool)
        .await?;
    Ok(())
}

/// Emails neither sent nor given up nor held: what the worker still has to do.
pub async fn waiting(pool: &AnyPool) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox_emails WHERE held = FALSE AND sent_at IS NULL AND failed_at IS NULL",
    )
    .fetch_one(pool)
    .await?)
}
