//! The mail worker's side of the outbox: claiming due emails so that no two workers (in one
//! process or many) hold the same one, issuing their set-password links, and recording what
//! happened to each.

use app::ssr::StoreError;
use sqlx::{AnyPool, Row};

use super::imports::placeholders;
use super::{Backend, begin_write, internal};

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
}

const DUE: &str = "held = FALSE AND sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
     AND (claimed_until IS NULL OR claimed_until < $1)";

/// Claims up to `limit` due emails until `lease_until`. On PostgreSQL `FOR UPDATE SKIP LOCKED`
/// lets concurrent workers take disjoint rows without waiting; SQLite has one writer at a time.
pub async fn claim(
    pool: &AnyPool,
    backend: Backend,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<Claimed>, StoreError> {
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let ids: Vec<i64> = sqlx::query_scalar(&format!(
        "UPDATE outbox_emails SET claimed_until = $2, attempts = attempts + 1
         WHERE id IN (SELECT id FROM outbox_emails WHERE {DUE} ORDER BY next_attempt_at, id LIMIT $3{lock})
         RETURNING id"
    ))
    .bind(now)
    .bind(lease_until)
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(internal)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT m.id, m.org_id, m.user_id, m.attempts, u.email, u.first_name, u.last_name, u.status, o.name AS org_name
         FROM outbox_emails m JOIN users u ON u.id = m.user_id AND u.org_id = m.org_id
         JOIN organisations o ON o.id = m.org_id WHERE m.id IN {} ORDER BY m.id",
        numbered(1, ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in &ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(pool).await.map_err(internal)?;
    rows.iter()
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
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)
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
) -> Result<(), StoreError> {
    if links.is_empty() {
        return Ok(());
    }
    let mut tx = begin_write(pool).await?;
    let revoke =
        format!("DELETE FROM password_links WHERE used_at IS NULL AND user_id IN {}", numbered(1, links.len()));
    let mut query = sqlx::query(&revoke);
    for link in links {
        query = query.bind(link.user_id);
    }
    query.execute(&mut *tx).await.map_err(internal)?;
    let insert = format!(
        "INSERT INTO password_links (token_hash, org_id, user_id, created_at, expires_at) VALUES {}",
        placeholders(backend, links.len(), 5)
    );
    let mut query = sqlx::query(&insert);
    for link in links {
        query = query.bind(link.token_hash).bind(link.org_id).bind(link.user_id).bind(now).bind(expires_at);
    }
    query.execute(&mut *tx).await.map_err(internal)?;
    tx.commit().await.map_err(internal)
}

/// Records delivered emails; their users, if still only created, are now invited.
pub async fn mark_sent(pool: &AnyPool, sent: &[Claimed], now: i64) -> Result<(), StoreError> {
    if sent.is_empty() {
        return Ok(());
    }
    let mut tx = begin_write(pool).await?;
    let list = numbered(2, sent.len());
    let mark = format!("UPDATE outbox_emails SET sent_at = $1, claimed_until = NULL WHERE id IN {list}");
    let mut query = sqlx::query(&mark).bind(now);
    for email in sent {
        query = query.bind(email.id);
    }
    query.execute(&mut *tx).await.map_err(internal)?;
    let invite =
        format!("UPDATE users SET status = 'invited', updated_at = $1 WHERE status = 'created' AND id IN {list}");
    let mut query = sqlx::query(&invite).bind(now);
    for email in sent {
        query = query.bind(email.user_id);
    }
    query.execute(&mut *tx).await.map_err(internal)?;
    tx.commit().await.map_err(internal)
}

/// `($from, $from+1, …)`: `count` numbered parameters, for an `IN` list after other parameters.
fn numbered(from: usize, count: usize) -> String {
    let list: Vec<String> = (from..from + count).map(|n| format!("${n}")).collect();
    format!("({})", list.join(", "))
}

/// Puts an email back for another attempt at `at`, with why this one failed.
pub async fn retry_later(pool: &AnyPool, id: i64, at: i64, error: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE outbox_emails SET claimed_until = NULL, next_attempt_at = $2, last_error = $3 WHERE id = $1")
        .bind(id)
        .bind(at)
        .bind(error)
        .execute(pool)
        .await
        .map_err(internal)?;
    Ok(())
}

/// Gives an email up for good; the user's page shows why.
pub async fn give_up(pool: &AnyPool, id: i64, now: i64, error: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE outbox_emails SET claimed_until = NULL, failed_at = $2, last_error = $3 WHERE id = $1")
        .bind(id)
        .bind(now)
        .bind(error)
        .execute(pool)
        .await
        .map_err(internal)?;
    Ok(())
}

/// Emails neither sent nor given up nor held: what the worker still has to do.
pub async fn waiting(pool: &AnyPool) -> Result<i64, StoreError> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox_emails WHERE held = FALSE AND sent_at IS NULL AND failed_at IS NULL",
    )
    .fetch_one(pool)
    .await
    .map_err(internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_lists_number_their_parameters_after_the_others() {
        assert_eq!(numbered(2, 3), "($2, $3, $4)");
    }
}
