//! Where a bulk commit's rows wait before one statement writes them all: a table without indexes
//! that the commit fills, joins or selects from, and drops in its own transaction.
//!
//! * **PostgreSQL**: an unlogged table of the job's attempt, filled with `COPY … FROM STDIN`
//!   through a PostgreSQL connection beside the portable pool (sqlx's `Any` driver has no COPY,
//!   and sending 100,000 rows as statement parameters costs several times what the database then
//!   does with them). The table is made and filled outside the import's transaction, which then
//!   reads it and drops it, so the commit stays all or nothing; a table left by an attempt that
//!   died is dropped by the job's next attempt, or when the job ends.
//! * **SQLite**: a temporary table of the transaction, filled with multi-row INSERTs (SQLite runs
//!   in the process, so there is no network to save).

use std::fmt::Write as _;

use sqlx::{AnyConnection, PgPool};

use super::sql::{Sql, Value};
use super::{Backend, DbError, DbResult};

/// What a staged column holds.
#[derive(Clone, Copy, Debug)]
pub(super) enum Kind {
    Int,
    Text,
    Flag,
}

/// Bytes of COPY data sent at a time.
const COPY_CHUNK: usize = 1 << 20;
/// The most values SQLite binds in one statement.
const SQLITE_VALUES: usize = 32_000;

pub(super) struct Stage {
    backend: Backend,
    table: String,
    columns: Vec<&'static str>,
}

impl Stage {
    /// A new, empty stage for `attempt` of job `job_id` with these columns.
    pub(super) async fn open(
        backend: Backend,
        copy: Option<&PgPool>,
        tx: &mut AnyConnection,
        (job_id, attempt): (i64, i64),
        columns: &[(&'static str, Kind)],
    ) -> DbResult<Stage> {
        let definition: Vec<String> = columns
            .iter()
            .map(|(name, kind)| {
                let kind = match kind {
                    Kind::Int => "BIGINT",
                    Kind::Text => "TEXT",
                    Kind::Flag => backend.flag_type(),
                };
                format!("{name} {kind}")
            })
            .collect();
        let names = columns.iter().map(|(name, _)| *name).collect();
        match (backend, copy) {
            (Backend::Postgres, Some(copy)) => {
                let table = format!("import_stage_{job_id}_{attempt}");
                drop_job_stages(copy, job_id, attempt).await?;
                sqlx::query(&format!("DROP TABLE IF EXISTS {table}")).execute(copy).await?;
                sqlx::query(&format!("CREATE UNLOGGED TABLE {table} ({})", definition.join(", ")))
                    .execute(copy)
                    .await?;
                Ok(Stage { backend, table, columns: names })
            }
            (Backend::Postgres, None) => Err(DbError::Invariant("a PostgreSQL store without its COPY pool".into())),
            (Backend::Sqlite, _) => {
                let table = "import_stage".to_owned();
                backend.create_temporary(tx, &table, &definition.join(", ")).await?;
                Ok(Stage { backend, table, columns: names })
            }
        }
    }

    /// The table's name, for the statements that read it.
    pub(super) fn table(&self) -> &str {
        &self.table
    }

    /// Fills the stage with `rows` (each one value per column, in order); `sent` is told how many
    /// rows have gone so far.
    pub(super) async fn fill(
        &self,
        copy: Option<&PgPool>,
        tx: &mut AnyConnection,
        rows: impl Iterator<Item = Vec<Value>>,
        sent: impl Fn(usize),
    ) -> DbResult<()> {
        match (self.backend, copy) {
            (Backend::Postgres, Some(copy)) => {
                let mut conn = copy.acquire().await?;
                let statement = format!("COPY {} ({}) FROM STDIN", self.table, self.columns.join(", "));
                let mut writer = conn.copy_in_raw(&statement).await?;
                let mut buffer = String::with_capacity(COPY_CHUNK + 4096);
                let mut pending = 0;
                for row in rows {
                    copy_row(&mut buffer, row);
                    pending += 1;
                    if buffer.len() >= COPY_CHUNK {
                        writer.send(buffer.as_bytes()).await?;
                        buffer.clear();
                        sent(pending);
                        pending = 0;
                    }
                }
                if !buffer.is_empty() {
                    writer.send(buffer.as_bytes()).await?;
                }
                writer.finish().await?;
                sent(pending);
                Ok(())
            }
            (Backend::Postgres, None) => Err(DbError::Invariant("a PostgreSQL store without its COPY pool".into())),
            (Backend::Sqlite, _) => {
                let per_insert = (SQLITE_VALUES / self.columns.len().max(1)).max(1);
                let head = format!("INSERT INTO {} ({}) VALUES ", self.table, self.columns.join(", "));
                let mut rows = rows.peekable();
                while rows.peek().is_some() {
                    let mut sql = Sql::new(self.backend, &head);
                    let mut count = 0;
                    for row in rows.by_ref().take(per_insert) {
                        sql.row(|values| {
                            for value in row {
                                values.value(value);
                            }
                        });
                        count += 1;
                    }
                    sql.query()?.execute(&mut *tx).await?;
                    sent(count);
                }
                Ok(())
            }
        }
    }

    /// Drops the stage inside the import's transaction: gone once it commits.
    pub(super) async fn close(self, tx: &mut AnyConnection) -> DbResult<()> {
        match self.backend {
            Backend::Postgres => {
                sqlx::query(&format!("DROP TABLE {}", self.table)).execute(&mut *tx).await?;
                Ok(())
            }
            Backend::Sqlite => self.backend.drop_temporary(tx, &self.table).await,
        }
    }
}

/// Drops the stages the attempts of job `job_id` before `attempt` left behind.
pub(super) async fn drop_job_stages(copy: &PgPool, job_id: i64, attempt: i64) -> DbResult<()> {
    for earlier in 1..attempt {
        sqlx::query(&format!("DROP TABLE IF EXISTS import_stage_{job_id}_{earlier}")).execute(copy).await?;
    }
    Ok(())
}

/// One row in COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
fn copy_row(buffer: &mut String, row: Vec<Value>) {
    for (index, value) in row.into_iter().enumerate() {
        if index > 0 {
            buffer.push('\t');
        }
        match value {
            Value::Int(Some(n)) => {
                let _ = write!(buffer, "{n}");
            }
            Value::Int(None) | Value::Text(None) => buffer.push_str("\\N"),
            Value::Flag(flag) => buffer.push(if flag { 't' } else { 'f' }),
            Value::Text(Some(text)) => {
                for c in text.chars() {
                    match c {
                        '\\' => buffer.push_str("\\\\"),
                        '\t' => buffer.push_str("\\t"),
                        '\n' => buffer.push_str("\\n"),
                        '\r' => buffer.push_str("\\r"),
                        // PostgreSQL cannot store a NUL; the rules refuse control characters anyway.
                        '\0' => {}
                        c => buffer.push(c),
                    }
                }
            }
        }
    }
    buffer.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_rows_escape_what_copy_would_read_as_structure() {
        let mut buffer = String::new();
        let row = vec![
            Value::Int(Some(-7)),
            Value::Text(Some("a\tb\\c\nd\re\0f".into())),
            Value::Text(None),
            Value::Int(None),
            Value::Flag(true),
            Value::Flag(false),
            Value::Text(Some("Zoë".into())),
        ];
        copy_row(&mut buffer, row);
        assert_eq!(buffer, "-7\ta\\tb\\\\c\\nd\\ref\t\\N\t\\N\tt\tf\tZoë\n");
    }
}
