//! What differs between SQLite and PostgreSQL, in one place. Everything else in storage is one
//! set of portable SQL.
//!
//! * Opening a transaction that will write: SQLite takes its one write lock at once (`BEGIN
//!   IMMEDIATE`); a deferred transaction that read first would fail with "database is locked",
//!   without waiting, if another connection wrote in between.
//! * The import lock: on SQLite the write lock is it; on PostgreSQL a row lock on the
//!   organisation, so two imports of one organisation never interleave, in any process.
//! * Placeholders: `$n` on PostgreSQL; anonymous `?` on SQLite for long value lists (SQLite looks
//!   numbered parameters up by a linear search: a 25,000-value statement took 140 ms to bind).
//! * Booleans: `BOOLEAN` and `TRUE` on PostgreSQL, `INTEGER` and `1` on SQLite (also how SQLite
//!   expressions come back, see [`flag`]).
//! * Temporary tables: dropped at commit on PostgreSQL; on SQLite dropped by hand.
//! * `FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer at a time and needs none, and
//!   while an import writes no other connection can (a job's heartbeat waits until it ends).
//! * Connections: SQLite's file is created if missing and every connection set up explicitly (WAL,
//!   foreign keys, a busy timeout); PostgreSQL's connections run without JIT.
//! * New users' ids, reserved before they are inserted: from the sequence on PostgreSQL, after the
//!   largest id on SQLite (whose write lock the transaction holds).
//! * Substrings: each user's searchable texts are indexed by trigram (migration 0010), in an
//!   FTS5 table on SQLite and in a copy of the texts with `pg_trgm`'s GIN index on PostgreSQL,
//!   each asked in its own language ([`Backend::holders`]; see `narrow.rs`).
//!
//! One query also reads differently, for its plan: a team leader's team (`team.rs`).

use std::path::Path;

use anyhow::Context;
use sqlx::{Any, AnyConnection, AnyPool, Transaction};

use super::sql::like_escape;
use super::{DbError, DbResult};

/// Which database the URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> anyhow::Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            anyhow::bail!("DATABASE_URL must start with sqlite:// or postgres://")
        }
    }

    /// The URL to connect with: SQLite's folder is created and its file made if missing.
    pub fn prepare(self, url: &str) -> anyhow::Result<String> {
        match self {
            Backend::Sqlite => {
                let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
                let path = path.split('?').next().unwrap_or(path);
                if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
                }
                Ok(if url.contains('?') { url.to_owned() } else { format!("{url}?mode=rwc") })
            }
            Backend::Postgres => Ok(url.to_owned()),
        }
    }

    /// How many connections the pool holds.
    pub fn pool_size(self) -> u32 {
        match self {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        }
    }

    /// What every new connection runs first.
    pub fn connection_setup(self) -> &'static str {
        match self {
            Backend::Sqlite => {
                "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;"
            }
            // Roster's queries are short; the planner's estimate for a team leader's recursive team
            // is large enough to trigger JIT compilation, which cost 60–170 ms a query for nothing
            // (see BENCHMARKS.md).
            Backend::Postgres => "SET jit = off",
        }
    }

    /// Ids for `count` new users, reserved inside an import's transaction so that leaders created
    /// in the same file can be referred to before they are inserted.
    pub async fn reserve_user_ids(self, conn: &mut AnyConnection, count: usize) -> DbResult<Vec<i64>> {
        match self {
            Backend::Sqlite => {
                // The transaction holds SQLite's write lock, so nobody else can take these ids.
                let max: i64 =
                    sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM users").fetch_one(&mut *conn).await?;
                Ok((1..=count as i64).map(|n| max + n).collect())
            }
            Backend::Postgres => {
                // Named once: in the select list the look-up would run for every id.
                let sequence: String =
                    sqlx::query_scalar("SELECT pg_get_serial_sequence('users', 'id')").fetch_one(&mut *conn).await?;
                // One text of every id: a row per id cost more to send and decode than to draw.
                let ids: Option<String> = sqlx::query_scalar(
                    "SELECT string_agg(nextval($1::regclass)::text, ',') FROM generate_series(1::bigint, $2::bigint)",
                )
                .bind(sequence)
                .bind(count as i64)
                .fetch_one(&mut *conn)
                .await?;
                ids.unwrap_or_default()
                    .split(',')
                    .filter(|id| !id.is_empty())
                    .map(|id| id.parse::<i64>().map_err(|e| DbError::Invariant(format!("a reserved id {id:?}: {e}"))))
                    .collect()
            }
        }
    }

    /// Starts a transaction that will write.
    pub async fn begin_write(self, pool: &AnyPool) -> DbResult<Transaction<'static, Any>> {
        Ok(match self {
            Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => pool.begin().await?,
        })
    }

    /// Starts a transaction that holds the organisation's import lock: on PostgreSQL its row,
    /// `FOR NO KEY UPDATE`, which orders the organisation's imports but lets every other write
    /// that only refers to the organisation (an audit line, a user saved meanwhile, which its
    /// constraints and versions check) go on; on SQLite the database's one writer.
    pub async fn begin_import(self, pool: &AnyPool, org_id: i64) -> DbResult<Transaction<'static, Any>> {
        let mut tx = self.begin_write(pool).await?;
        if self == Backend::Postgres {
            sqlx::query("SELECT id FROM organisations WHERE id = $1 FOR NO KEY UPDATE")
                .bind(org_id)
                .fetch_optional(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// The users, of every organisation, whose searchable texts (their `search_text` and kept
    /// SCIM userName) hold `needle`, lowercase, by id, when at most `at_most` do; `None` when more
    /// do. SQLite asks its FTS5 table ([`probes`]); PostgreSQL the GIN index of `user_search`, the
    /// texts' copy (its planner reads the copy instead where the needle is common).
    pub async fn holders(self, pool: &AnyPool, needle: &str, at_most: usize) -> DbResult<Option<Vec<i64>>> {
        let limit = i64::try_from(at_most).map_or(i64::MAX, |n| n.saturating_add(1));
        let asked = match self {
            Backend::Sqlite => probes(needle),
            Backend::Postgres => vec![needle],
        };
        for probe in asked {
            let query = match self {
                // A phrase of trigrams in either column; FTS5 folds case, and a `"` is doubled
                // within the quotes.
                Backend::Sqlite => sqlx::query_scalar::<_, i64>(
                    "SELECT rowid FROM users_trigrams WHERE users_trigrams MATCH $1 LIMIT $2",
                )
                .bind(format!("\"{}\"", probe.replace('"', "\"\""))),
                // A backslash is PostgreSQL's default LIKE escape. Not a prepared statement kept
                // for reuse: PostgreSQL then plans it for the pattern it has (a kept one turns
                // generic after five calls and reads the whole copy for any needle: 14 ms where
                // the index takes 2).
                Backend::Postgres => {
                    sqlx::query_scalar::<_, i64>("SELECT user_id FROM user_search WHERE text LIKE $1 LIMIT $2")
                        .bind(format!("%{}%", like_escape(probe)))
                        .persistent(false)
                }
            };
            let ids = query.bind(limit).fetch_all(pool).await?;
            if ids.len() <= at_most {
                return Ok(Some(ids));
            }
        }
        Ok(None)
    }

    /// The `n`th parameter (from 1) of a statement whose parameters are all placed this way.
    pub fn placeholder(self, n: usize) -> String {
        match self {
            Backend::Sqlite => "?".to_owned(),
            Backend::Postgres => format!("${n}"),
        }
    }

    /// The literal for true.
    pub fn yes(self) -> &'static str {
        match self {
            Backend::Sqlite => "1",
            Backend::Postgres => "TRUE",
        }
    }

    /// The column type of a flag.
    pub fn flag_type(self) -> &'static str {
        match self {
            Backend::Sqlite => "INTEGER",
            Backend::Postgres => "BOOLEAN",
        }
    }

    /// Creates a temporary table for this transaction; [`Backend::drop_temporary`] removes it
    /// before the commit where the database does not.
    pub async fn create_temporary(self, tx: &mut sqlx::AnyConnection, name: &str, columns: &str) -> DbResult<()> {
        let on_commit = if self == Backend::Postgres { " ON COMMIT DROP" } else { "" };
        sqlx::query(&format!("DROP TABLE IF EXISTS {name}")).execute(&mut *tx).await?;
        sqlx::query(&format!("CREATE TEMP TABLE {name} ({columns}){on_commit}")).execute(&mut *tx).await?;
        Ok(())
    }

    pub async fn drop_temporary(self, tx: &mut sqlx::AnyConnection, name: &str) -> DbResult<()> {
        if self == Backend::Sqlite {
            sqlx::query(&format!("DROP TABLE {name}")).execute(&mut *tx).await?;
        }
        Ok(())
    }

    /// Whether another connection can write while an import's transaction runs (to renew the
    /// job's lease and record its progress): PostgreSQL locks rows, SQLite the whole database.
    pub fn renews_during_writes(self) -> bool {
        self == Backend::Postgres
    }

    /// What a `SELECT` of rows that another transaction must not delete meanwhile ends with (a
    /// role about to be assigned): `FOR SHARE` on PostgreSQL; on SQLite the writer holds the
    /// database already.
    pub fn share_lock(self) -> &'static str {
        match self {
            Backend::Postgres => " FOR SHARE",
            Backend::Sqlite => "",
        }
    }

    /// What a `SELECT` of rows this transaction will change or delete ends with.
    pub fn update_lock(self) -> &'static str {
        match self {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        }
    }

    /// What a `SELECT … FOR UPDATE` that skips rows other workers hold ends with.
    pub fn skip_locked(self) -> &'static str {
        match self {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        }
    }
}

/// Reads a flag: BOOLEAN in PostgreSQL, INTEGER 0/1 in SQLite (and for SQLite expressions).
pub fn flag(row: &sqlx::any::AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    use sqlx::Row;
    row.try_get::<bool, _>(column).or_else(|_| row.try_get::<i64, _>(column).map(|value| value != 0))
}

/// What of `needle` SQLite's FTS5 table is asked for, in turn until one is held by few enough: the
/// needle, or for a long one its first and then its last six characters (four trigrams each).
/// FTS5 walks the list of every trigram of a phrase, and the middle of a long needle, such as an
/// email domain everyone shares, costs more than it narrows (5.9 ms for `77@example.com` among
/// 100,000 users, 1.1 ms for `77@exa`).
fn probes(needle: &str) -> Vec<&str> {
    const END: usize = 6;
    let chars: Vec<usize> = needle.char_indices().map(|(at, _)| at).collect();
    if chars.len() < 2 * END {
        return vec![needle];
    }
    vec![&needle[..chars[END]], &needle[chars[chars.len() - END]..]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_needle_is_looked_up_in_fts5_by_its_two_ends() {
        assert_eq!(probes("kafo"), ["kafo"]);
        assert_eq!(probes("77@example.com"), ["77@exa", "le.com"]);
        assert_eq!(probes("émile zola ok"), ["émile ", "ola ok"]);
    }

    #[test]
    fn each_backend_numbers_its_placeholders_its_own_way() {
        assert_eq!((Backend::Postgres.placeholder(3), Backend::Sqlite.placeholder(3)), ("$3".into(), "?".into()));
        assert!(Backend::of("mysql://x").is_err());
        assert_eq!(Backend::of("postgresql://x").unwrap(), Backend::Postgres);
    }
}
