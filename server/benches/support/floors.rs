//! The floors a commit is measured against, on the same machine in the same run: the same rows
//! written by the database alone, with no client, no checks and no other tables.
//!
//! * **Schema floor**: one `INSERT … SELECT` over `generate_series` (a recursive CTE on SQLite)
//!   into `users` with every index and key it has.
//! * **Bare floor**: the same statement into a copy of `users` without any index or key.
//! * **Update floor**: one `UPDATE users SET home_town = …` over the organisation's users.
//!
//! The rows are those of [`super::file`]: one in 50 leads the next 49, the same names, emails,
//! employee IDs and flags.

use std::time::{Duration, Instant};

use server::storage::{Backend, SqlStore};
use sqlx::Executor;

/// The columns every floor writes, as the commit writes them.
const COLUMNS: &str = "id, org_id, role_id, email, email_key, employee_id, first_name, last_name, home_town, \
    state_or_country, can_manage_teams, phone_channel, chat_channel, email_channel, leader_id, employment_status, \
    start_date, status, must_change_password, version, search_text, created_at, updated_at";

/// `rows` users of `org_id` written by one statement into `table`: how long it took.
async fn insert_all(store: &SqlStore, table: &str, org_id: i64, rows: usize) -> anyhow::Result<Duration> {
    let base: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM users").fetch_one(&store.pool).await?;
    let role = |name: &'static str| {
        sqlx::query_scalar::<_, i64>("SELECT id FROM roles WHERE org_id = $1 AND name = $2")
            .bind(org_id)
            .bind(name)
            .fetch_one(&store.pool)
    };
    let (leader_role, member_role) = (role("Team Leader").await?, role("Team Member").await?);
    let (series, padded, day) = match store.backend {
        Backend::Postgres => {
            ("FROM generate_series(0, $6 - 1) AS s(i)", "lpad(i::text, 7, '0')", "lpad((i % 28 + 1)::text, 2, '0')")
        }
        Backend::Sqlite => ("FROM s", "printf('%07d', i)", "printf('%02d', i % 28 + 1)"),
    };
    let recursive = if store.backend == Backend::Sqlite {
        "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < $6) "
    } else {
        ""
    };
    let sql = format!(
        "{recursive}INSERT INTO {table} ({COLUMNS})
         SELECT $1 + i, $2, CASE WHEN i % 50 = 0 THEN $3 ELSE $4 END, 'user' || i || '@org.test', 'user' || i || '@org.test',
                {padded}, 'First' || (i % 997), 'Last' || i, 'Springfield', 'Oregon', i % 50 = 0, TRUE, FALSE, TRUE,
                CASE WHEN i % 50 = 0 THEN NULL ELSE $1 + i - i % 50 END, 'Full Time', '2026-01-' || {day}, 'created',
                FALSE, 1, 'first' || (i % 997) || ' last' || i || ' user' || i || '@org.test ' || {padded}, $5, $5
         {series}"
    );
    let started = Instant::now();
    let done = sqlx::query(&sql)
        .bind(base)
        .bind(org_id)
        .bind(leader_role)
        .bind(member_role)
        .bind(1_700_000_000_i64)
        .bind(rows as i64)
        .execute(&store.pool)
        .await?;
    let took = started.elapsed();
    anyhow::ensure!(done.rows_affected() == rows as u64, "the floor wrote {} rows", done.rows_affected());
    Ok(took)
}

/// The schema floor: `rows` users into `users` itself.
pub async fn schema(store: &SqlStore, org_id: i64, rows: usize) -> anyhow::Result<Duration> {
    insert_all(store, "users", org_id, rows).await
}

/// The bare floor: `rows` users into a copy of `users` without indexes or keys.
pub async fn bare(store: &SqlStore, org_id: i64, rows: usize) -> anyhow::Result<Duration> {
    let copy = match store.backend {
        Backend::Postgres => "CREATE TABLE users_bare (LIKE users INCLUDING DEFAULTS)",
        Backend::Sqlite => "CREATE TABLE users_bare AS SELECT * FROM users WHERE 0",
    };
    store.pool.execute(copy).await?;
    insert_all(store, "users_bare", org_id, rows).await
}

/// The update floor: the organisation's every user's Home Town changed by one statement.
pub async fn update(store: &SqlStore, org_id: i64) -> anyhow::Result<(Duration, u64)> {
    let started = Instant::now();
    let done = sqlx::query("UPDATE users SET home_town = 'Floor Town' WHERE org_id = $1")
        .bind(org_id)
        .execute(&store.pool)
        .await?;
    Ok((started.elapsed(), done.rows_affected()))
}

/// Brings the planner's statistics and PostgreSQL's visibility map up to date, as autovacuum
/// would between an import and the next, so that each measurement starts from the same state.
pub async fn settle(store: &SqlStore) -> anyhow::Result<()> {
    let statement = match store.backend {
        Backend::Postgres => "VACUUM ANALYZE",
        Backend::Sqlite => "ANALYZE",
    };
    store.pool.execute(statement).await?;
    Ok(())
}
