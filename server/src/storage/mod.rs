//! Storage for SQLite (the embedded default) and PostgreSQL, through sqlx's `Any` driver: one set
//! of portable SQL with `$n` parameters, migrations per backend, and every tenant query scoped by
//! `org_id`.
//!
//! Each file implements one feature's port (`app::ssr::store`) beside the SQL it runs, and holds
//! the server-only calls of that feature (the provisioning APIs, photos, the command line) as
//! methods of [`SqlStore`]. Where SQLite and PostgreSQL differ is in [`dialect`]; dynamic SQL is
//! built with [`sql::Sql`]. Storage errors convert with `?` ([`error`]).
//!
//! * `accounts`: organisations, admins, sign-in records, sessions, failed sign-ins.
//! * `users`: one user: the rules' view, the form, insert, update, audit.
//! * `deactivation`, `provisioning`: deactivating and reactivating; an identity provider's change.
//! * `team`: the Manage Team table, its choices and the tree.
//! * `organisation`: roles and groups (SCIM's groups too). `api_keys`: keys, their use and audit.
//! * `column_names`: the header names an organisation taught Roster, read into its rules.
//! * `jobs`, `imports`, `updates`: import jobs (submitted, claimed, watched, ended), the commits
//!   of bulk create and bulk update they run, and the batch history.
//! * `welcome`, `outbox`: welcome emails, links and passwords; the mail worker's claims.
//! * `employees`, `narrow`, `photos`: the provisioning API's reads, and the SQL of a SCIM filter's
//!   narrowing with the trigram index; profile photos.

mod accounts;
mod api_keys;
mod column_names;
mod deactivation;
mod dialect;
mod employees;
mod error;
mod imports;
mod jobs;
mod narrow;
mod organisation;
pub mod outbox;
mod photos;
mod provisioning;
mod sql;
mod stage;
mod team;
mod updates;
mod users;
mod welcome;

use std::str::FromStr;
use std::sync::Arc;

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};
use tokio::sync::Notify;

pub use dialect::{Backend, flag};
pub use employees::{Employee, EmployeeFilter};
pub(crate) use error::db;
pub use error::{DbError, DbResult};
pub use jobs::{ClaimedJob, JobProgress, JobSettings, Running};
pub use narrow::{Match, Narrow, UserText};
pub use organisation::{GroupMember, ScimGroup};
pub use provisioning::{Activation, ProfileChange};

/// The store: a connection pool, which backend it talks to, and the mail worker it wakes.
#[derive(Clone, Debug)]
pub struct SqlStore {
    pub pool: AnyPool,
    pub backend: Backend,
    /// Serialises imports in this process, so that SQLite's `BEGIN IMMEDIATE` never waits out its
    /// busy timeout behind a long import.
    import_lock: Arc<tokio::sync::Mutex<()>>,
    /// Woken after every commit that wrote to the outbox, so its emails go out now rather than at
    /// the mail worker's next poll.
    mail_wake: Arc<Notify>,
    /// Woken when a job is submitted, so this process's worker starts it at once.
    jobs_wake: Arc<Notify>,
    /// How import jobs are run.
    jobs: JobSettings,
    /// The jobs this process is running, and their progress.
    running: Running,
    /// PostgreSQL only: connections for `COPY`, which the portable pool cannot send (see `stage`).
    copy: Option<sqlx::PgPool>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

impl SqlStore {
    /// Connects, configures SQLite explicitly (WAL, foreign keys, busy timeout) and runs the
    /// migrations.
    pub async fn connect(url: &str) -> anyhow::Result<SqlStore> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of(url)?;
        let url = backend.prepare(url)?;
        let options = AnyConnectOptions::from_str(&url)
            .context("DATABASE_URL is not a valid database URL")?
            .disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(backend.pool_size())
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    conn.execute(backend.connection_setup()).await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .context("could not connect to the database")?;
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&pool).await.context("could not run the database migrations")?;
        let copy = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(2)
                    .min_connections(0)
                    .connect(&url)
                    .await
                    .context("could not connect to the database for bulk writes")?,
            ),
        };
        Ok(SqlStore {
            pool,
            backend,
            import_lock: Default::default(),
            mail_wake: Default::default(),
            jobs_wake: Default::default(),
            jobs: JobSettings::default(),
            running: Default::default(),
            copy,
        })
    }

    /// The store with these settings for import jobs.
    pub fn with_jobs(mut self, jobs: JobSettings) -> SqlStore {
        self.jobs = jobs;
        self
    }

    /// What the import worker waits on between its polls.
    pub fn jobs_wake(&self) -> Arc<Notify> {
        self.jobs_wake.clone()
    }

    /// What the mail worker waits on between its polls.
    pub fn mail_wake(&self) -> Arc<Notify> {
        self.mail_wake.clone()
    }

    /// Tells the mail worker that emails were scheduled or released.
    fn wake_mail(&self) {
        self.mail_wake.notify_one();
    }

    /// Starts a transaction that will write.
    async fn begin_write(&self) -> DbResult<sqlx::Transaction<'static, sqlx::Any>> {
        self.backend.begin_write(&self.pool).await
    }
}

fn now() -> i64 {
    app::ssr::auth::now()
}
