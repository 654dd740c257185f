//! Storage for SQLite (the embedded default) and PostgreSQL, through sqlx's `Any` driver: one set
//! of portable SQL with `$n` parameters, migrations per backend, and every tenant query scoped by
//! `org_id`.

mod accounts;
mod deactivation;
mod employees;
mod imports;
mod organisation;
pub mod outbox;
mod sql;
mod team;
mod updates;
mod users;
mod welcome;

use std::path::Path;
use std::str::FromStr;

use anyhow::Context;
use app::ssr::StoreError;
use app::teams::Scope;
use roster::organisation::{GroupName, RoleName};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

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
}

/// The store: a connection pool and which backend it talks to.
#[derive(Clone, Debug)]
pub struct SqlStore {
    pub pool: AnyPool,
    pub backend: Backend,
    /// Serialises imports in this process, so that SQLite's `BEGIN IMMEDIATE` never waits out its
    /// busy timeout behind a long import.
    import_lock: std::sync::Arc<tokio::sync::Mutex<()>>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

impl SqlStore {
    /// Connects, configures SQLite explicitly (WAL, foreign keys, busy timeout) and runs the
    /// migrations.
    pub async fn connect(url: &str) -> anyhow::Result<SqlStore> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of(url)?;
        let url = match backend {
            Backend::Sqlite => {
                let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
                let path = path.split('?').next().unwrap_or(path);
                if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
                }
                if url.contains('?') { url.to_owned() } else { format!("{url}?mode=rwc") }
            }
            Backend::Postgres => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)
            .context("DATABASE_URL is not a valid database URL")?
            .disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;",
                        )
                        .await?;
                    } else {
                        // Roster's queries are short; the planner's estimate for a team leader's
                        // recursive team is large enough to trigger JIT compilation, which cost
                        // 60–170 ms a query for nothing (see BENCHMARKS.md).
                        conn.execute("SET jit = off").await?;
                    }
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
        Ok(SqlStore { pool, backend, import_lock: Default::default() })
    }
}

/// Reads a flag: BOOLEAN in PostgreSQL, INTEGER 0/1 in SQLite (and for SQLite expressions).
pub(crate) fn flag(row: &sqlx::any::AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    use sqlx::Row;
    row.try_get::<bool, _>(column).or_else(|_| row.try_get::<i64, _>(column).map(|value| value != 0))
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`): a deferred transaction that read first would fail with "database is locked",
/// without waiting, if another connection (the mail worker, say) wrote in between.
pub(crate) async fn begin_write(pool: &AnyPool) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
    let sqlite = pool.connect_options().database_url.scheme() == "sqlite";
    if sqlite { pool.begin_with("BEGIN IMMEDIATE").await } else { pool.begin().await }.map_err(internal)
}

/// Wraps a database error as an internal storage error (logged by the caller, never shown).
pub(crate) fn internal(error: sqlx::Error) -> StoreError {
    StoreError::Internal(Box::new(error))
}

/// Maps a unique-constraint violation on users to the field it concerns.
pub(crate) fn user_write_error(error: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &error
        && db.is_unique_violation()
    {
        let text = format!("{} {}", db.message(), db.constraint().unwrap_or_default());
        if text.contains("email_key") {
            return StoreError::Taken("email address");
        }
        if text.contains("employee_id") {
            return StoreError::Taken("employee ID");
        }
        if text.contains("slug") {
            return StoreError::Taken("organisation short name");
        }
    }
    internal(error)
}

fn now() -> i64 {
    app::ssr::auth::now()
}

#[async_trait::async_trait]
impl app::ssr::Store for SqlStore {
    async fn needs_setup(&self) -> Result<bool, StoreError> {
        accounts::needs_setup(&self.pool).await
    }
    async fn create_org(&self, slug: &str, name: &str) -> Result<i64, StoreError> {
        accounts::create_org(&self.pool, slug, name, now()).await
    }
    async fn set_up_first_org(
        &self,
        slug: &str,
        name: &str,
        admin: &app::ssr::NewUser,
    ) -> Result<(i64, i64), StoreError> {
        accounts::set_up_first_org(&self.pool, slug, name, admin, now()).await
    }
    async fn org_id_by_slug(&self, slug: &str) -> Result<Option<i64>, StoreError> {
        accounts::org_id_by_slug(&self.pool, slug).await
    }
    async fn create_admin(&self, org_id: i64, admin: &app::ssr::NewUser) -> Result<i64, StoreError> {
        let mut tx = begin_write(&self.pool).await?;
        let id = users::insert_user(&mut tx, org_id, None, admin, now()).await?;
        tx.commit().await.map_err(internal)?;
        Ok(id)
    }
    async fn sign_in_record(
        &self,
        org_slug: &str,
        email_key: &str,
    ) -> Result<Option<app::ssr::SignInRecord>, StoreError> {
        accounts::sign_in_record(&self.pool, org_slug, email_key).await
    }
    async fn recent_failures(&self, account_key: &str, since: i64) -> Result<Vec<i64>, StoreError> {
        accounts::recent_failures(&self.pool, account_key, since).await
    }
    async fn record_failure(&self, account_key: &str, at: i64) -> Result<(), StoreError> {
        accounts::record_failure(&self.pool, account_key, at).await
    }
    async fn clear_failures(&self, account_key: &str) -> Result<(), StoreError> {
        accounts::clear_failures(&self.pool, account_key).await
    }
    async fn create_session(
        &self,
        token_hash: &str,
        org_id: i64,
        user_id: i64,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        accounts::create_session(&self.pool, token_hash, org_id, user_id, now, expires_at).await
    }
    async fn session_viewer(&self, token_hash: &str, now: i64) -> Result<Option<app::model::Viewer>, StoreError> {
        accounts::session_viewer(&self.pool, token_hash, now).await
    }
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        accounts::delete_session(&self.pool, token_hash).await
    }
    async fn org_rules(&self, org_id: i64) -> Result<roster::OrgRules, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        users::org_rules(&mut conn, org_id).await
    }
    async fn directory_for(
        &self,
        org_id: i64,
        profile: &roster::Profile,
        editing: Option<i64>,
    ) -> Result<roster::Directory, StoreError> {
        users::directory_for(&self.pool, org_id, profile, editing).await
    }
    async fn team_options(&self, org_id: i64, scope: Scope) -> Result<app::model::TeamChoices, StoreError> {
        team::team_options(&self.pool, self.backend, org_id, scope).await
    }
    async fn list_team(
        &self,
        org_id: i64,
        scope: Scope,
        query: &app::model::TeamQuery,
    ) -> Result<app::model::TeamPage, StoreError> {
        team::list_team(&self.pool, self.backend, org_id, scope, query).await
    }
    async fn matching_users(
        &self,
        org_id: i64,
        query: &app::model::TeamQuery,
        limit: i64,
    ) -> Result<Vec<app::model::Choice>, StoreError> {
        team::matching_users(&self.pool, org_id, query, limit).await
    }
    async fn team_ids(&self, org_id: i64, leader: i64) -> Result<Vec<i64>, StoreError> {
        team::team_ids(&self.pool, self.backend, org_id, leader).await
    }
    async fn hierarchy(&self, org_id: i64) -> Result<Vec<roster::hierarchy::Member>, StoreError> {
        team::hierarchy(&self.pool, org_id).await
    }
    async fn roles(&self, org_id: i64) -> Result<app::teams::RolesTab, StoreError> {
        organisation::roles(&self.pool, org_id).await
    }
    async fn create_role(&self, org_id: i64, actor: i64, name: &RoleName) -> Result<i64, StoreError> {
        organisation::create_role(&self.pool, org_id, actor, name).await
    }
    async fn rename_role(&self, org_id: i64, actor: i64, role_id: i64, name: &RoleName) -> Result<(), StoreError> {
        organisation::rename_role(&self.pool, org_id, actor, role_id, name).await
    }
    async fn change_role(
        &self,
        org_id: i64,
        actor: i64,
        role_id: i64,
        change: app::teams::RoleChange,
    ) -> Result<(), StoreError> {
        organisation::change_role(&self.pool, org_id, actor, role_id, change).await
    }
    async fn set_uses_custom_roles(&self, org_id: i64, actor: i64, on: bool) -> Result<(), StoreError> {
        organisation::set_uses_custom_roles(&self.pool, org_id, actor, on).await
    }
    async fn groups(&self, org_id: i64) -> Result<Vec<app::teams::GroupRow>, StoreError> {
        organisation::groups(&self.pool, org_id).await
    }
    async fn create_group(&self, org_id: i64, actor: Option<i64>, name: &GroupName) -> Result<i64, StoreError> {
        organisation::create_group(&self.pool, org_id, actor, name).await
    }
    async fn rename_group(
        &self,
        org_id: i64,
        actor: Option<i64>,
        group_id: i64,
        name: &GroupName,
    ) -> Result<(), StoreError> {
        organisation::rename_group(&self.pool, org_id, actor, group_id, name).await
    }
    async fn delete_group(&self, org_id: i64, actor: Option<i64>, group_id: i64) -> Result<i64, StoreError> {
        organisation::delete_group(&self.pool, org_id, actor, group_id).await
    }
    async fn scim_groups(&self, org_id: i64) -> Result<Vec<app::provisioning::ScimGroup>, StoreError> {
        organisation::scim_groups(&self.pool, org_id).await
    }
    async fn group_members(
        &self,
        org_id: i64,
        group_id: i64,
    ) -> Result<Vec<app::provisioning::GroupMember>, StoreError> {
        organisation::group_members(&self.pool, org_id, group_id).await
    }
    async fn write_group(
        &self,
        org_id: i64,
        group_id: Option<i64>,
        name: &GroupName,
        external_id: Option<&str>,
        members: &[i64],
    ) -> Result<i64, StoreError> {
        organisation::write_group(&self.pool, org_id, group_id, name, external_id, members).await
    }
    async fn deactivate_users(
        &self,
        org_id: i64,
        actor: Option<i64>,
        selected: &[roster::UserId],
        replacements: &[(roster::UserId, roster::UserId)],
    ) -> Result<Result<usize, Vec<roster::deactivate::DeactivationError>>, StoreError> {
        deactivation::deactivate_users(&self.pool, org_id, actor, selected, replacements).await
    }
    async fn provision_user(
        &self,
        org_id: i64,
        user_id: i64,
        change: &app::ssr::Provisioning<'_>,
    ) -> Result<Result<(), String>, StoreError> {
        deactivation::provision(&self.pool, org_id, user_id, change).await
    }
    async fn reactivate_user(
        &self,
        org_id: i64,
        actor: Option<i64>,
        user_id: i64,
    ) -> Result<Result<(), String>, StoreError> {
        deactivation::reactivate_user(&self.pool, org_id, actor, user_id).await
    }
    async fn user_form(
        &self,
        org_id: i64,
        user_id: i64,
    ) -> Result<Option<(app::model::UserForm, app::model::UserStatus)>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        users::user_form(&mut conn, org_id, user_id).await
    }
    async fn create_user(&self, org_id: i64, actor: Option<i64>, user: &app::ssr::NewUser) -> Result<i64, StoreError> {
        let now = now();
        let mut tx = begin_write(&self.pool).await?;
        let id = users::insert_user(&mut tx, org_id, actor, user, now).await?;
        welcome::schedule(&mut tx, org_id, id, now).await?;
        tx.commit().await.map_err(internal)?;
        Ok(id)
    }
    async fn update_user(
        &self,
        org_id: i64,
        actor: Option<i64>,
        user_id: i64,
        version: i64,
        profile: &roster::Profile,
        leader: Option<roster::UserId>,
        external_id: Option<&str>,
    ) -> Result<(), StoreError> {
        users::update_user(&self.pool, org_id, actor, user_id, version, profile, leader, external_id, now()).await
    }
    async fn snapshot(&self, org_id: i64) -> Result<roster::Snapshot, StoreError> {
        imports::snapshot(&self.pool, org_id).await
    }
    async fn batch_by_key(&self, org_id: i64, key: &str) -> Result<Option<app::ssr::PriorBatch>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        imports::batch_by_key(&mut conn, org_id, key).await
    }
    async fn commit_create(
        &self,
        org_id: i64,
        batch: &app::ssr::CreateBatch<'_>,
    ) -> Result<app::ssr::Committed, StoreError> {
        // One import at a time in this process; the database lock orders them across processes.
        let _turn = self.import_lock.lock().await;
        imports::commit_create(&self.pool, self.backend, org_id, batch, now()).await
    }
    async fn current_team(&self, org_id: i64) -> Result<roster::current::TeamSnapshot, StoreError> {
        updates::team_snapshot(&self.pool, org_id).await
    }
    async fn commit_update(
        &self,
        org_id: i64,
        file: &app::ssr::FileBatch<'_>,
    ) -> Result<app::ssr::Committed, StoreError> {
        let _turn = self.import_lock.lock().await;
        updates::commit_update(&self.pool, self.backend, org_id, file, now()).await
    }
    async fn list_batches(&self, org_id: i64, page: i64) -> Result<Vec<app::bulk::BatchRow>, StoreError> {
        imports::list_batches(&self.pool, org_id, page).await
    }
    async fn batch_detail(
        &self,
        org_id: i64,
        batch_id: i64,
        page: i64,
    ) -> Result<Option<app::bulk::BatchDetail>, StoreError> {
        imports::batch_detail(&self.pool, org_id, batch_id, page).await
    }
    async fn api_key(&self, token_hash: &str, now: i64) -> Result<Option<(i64, i64)>, StoreError> {
        imports::api_key(&self.pool, token_hash, now).await
    }
    async fn employees(
        &self,
        org_id: i64,
        filter: &app::provisioning::EmployeeFilter,
        after: i64,
        limit: i64,
    ) -> Result<Vec<app::provisioning::Employee>, StoreError> {
        employees::employees(&self.pool, org_id, filter, after, limit).await
    }
    async fn employee(&self, org_id: i64, reference: &str) -> Result<Option<app::provisioning::Employee>, StoreError> {
        employees::employee(&self.pool, org_id, reference).await
    }
    async fn employees_from(
        &self,
        org_id: i64,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<app::provisioning::Employee>, i64), StoreError> {
        employees::employees_from(&self.pool, org_id, offset, limit).await
    }
    async fn employee_by_id(&self, org_id: i64, id: i64) -> Result<Option<app::provisioning::Employee>, StoreError> {
        employees::employee_by_id(&self.pool, org_id, id).await
    }
    async fn employee_by_external_id(
        &self,
        org_id: i64,
        external_id: &str,
    ) -> Result<Option<app::provisioning::Employee>, StoreError> {
        employees::employee_by_external_id(&self.pool, org_id, external_id).await
    }
    async fn audit_api_call(&self, org_id: i64, key_id: i64, call: &str, status: u16) -> Result<(), StoreError> {
        employees::audit_api_call(&self.pool, org_id, key_id, call, status).await
    }
    async fn create_api_key(
        &self,
        org_id: i64,
        actor: Option<i64>,
        name: &roster::organisation::ApiKeyName,
        token_hash: &str,
    ) -> Result<i64, StoreError> {
        organisation::create_api_key(&self.pool, org_id, actor, name, token_hash).await
    }
    async fn api_keys(&self, org_id: i64) -> Result<Vec<app::keys::ApiKeyRow>, StoreError> {
        organisation::api_keys(&self.pool, org_id).await
    }
    async fn revoke_api_key(&self, org_id: i64, actor: i64, key_id: i64) -> Result<(), StoreError> {
        organisation::revoke_api_key(&self.pool, org_id, actor, key_id).await
    }
    async fn held_welcome_emails(&self, org_id: i64) -> Result<i64, StoreError> {
        welcome::held_count(&self.pool, org_id).await
    }
    async fn send_held_welcome_emails(&self, org_id: i64, actor: i64) -> Result<i64, StoreError> {
        welcome::send_held(&self.pool, org_id, actor, now()).await
    }
    async fn queue_welcome_email(&self, org_id: i64, actor: Option<i64>, user_id: i64) -> Result<(), StoreError> {
        welcome::queue(&self.pool, org_id, actor, user_id, now()).await
    }
    async fn welcome_state(&self, org_id: i64, user_id: i64) -> Result<app::welcome::WelcomeState, StoreError> {
        welcome::state(&self.pool, org_id, user_id).await
    }
    async fn link_owner(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(app::welcome::LinkOwner, app::ssr::PersonalWords)>, StoreError> {
        welcome::link_owner(&self.pool, token_hash, now).await
    }
    async fn set_password_with_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<Option<(i64, i64)>, StoreError> {
        welcome::set_password_with_link(&self.pool, token_hash, password_hash, now).await
    }
    async fn consume_temporary_password(&self, user_id: i64, password_hash: &str) -> Result<bool, StoreError> {
        welcome::consume_temporary_password(&self.pool, user_id, password_hash).await
    }
    async fn set_own_password(
        &self,
        org_id: i64,
        user_id: i64,
        password_hash: &str,
        keep_session: &str,
    ) -> Result<(), StoreError> {
        welcome::set_own_password(&self.pool, org_id, user_id, password_hash, keep_session, now()).await
    }
    async fn personal_words(&self, org_id: i64, user_id: i64) -> Result<app::ssr::PersonalWords, StoreError> {
        welcome::personal(&self.pool, org_id, user_id).await
    }
    async fn own_profile(&self, org_id: i64, user_id: i64) -> Result<app::welcome::OwnProfile, StoreError> {
        welcome::own_profile(&self.pool, org_id, user_id).await
    }
    async fn complete_profile(
        &self,
        org_id: i64,
        user_id: i64,
        bio: Option<&str>,
        state_or_country: Option<&str>,
    ) -> Result<(), StoreError> {
        welcome::complete_profile(&self.pool, org_id, user_id, bio, state_or_country, now()).await
    }
    async fn save_photo(
        &self,
        org_id: i64,
        actor: i64,
        user_id: i64,
        photo: &roster::welcome::Photo,
    ) -> Result<(), StoreError> {
        welcome::save_photo(&self.pool, org_id, actor, user_id, photo, now()).await
    }
    async fn photo(&self, org_id: i64, user_id: i64) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        welcome::photo(&self.pool, org_id, user_id).await
    }
    async fn stream(&self, org_id: i64, user_id: i64) -> Result<app::welcome::StreamPage, StoreError> {
        welcome::stream(&self.pool, org_id, user_id).await
    }
}
