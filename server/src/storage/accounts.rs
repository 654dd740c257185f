//! Organisations, admins, sign-in records, sessions and failed sign-ins.

use app::session::{Permission, Viewer};
use app::ssr::{AccountStore, NewUser, SignInRecord, StoreError};
use async_trait::async_trait;
use roster::OrgRules;
use sqlx::{AnyConnection, Row};

use super::{DbResult, SqlStore, db, error::user_write, flag, now, users};

/// Inserts an organisation and its default roles.
async fn insert_org(conn: &mut AnyConnection, slug: &str, name: &str, now: i64) -> DbResult<i64> {
    let org_id: i64 =
        sqlx::query_scalar("INSERT INTO organisations (slug, name, created_at) VALUES ($1, $2, $3) RETURNING id")
            .bind(slug)
            .bind(name)
            .bind(now)
            .fetch_one(&mut *conn)
            .await
            .map_err(user_write)?;
    for role in OrgRules::DEFAULT_ROLES {
        sqlx::query("INSERT INTO roles (org_id, name, grants_admin, active, built_in) VALUES ($1, $2, $3, TRUE, TRUE)")
            .bind(org_id)
            .bind(role)
            .bind(role == "Admin")
            .execute(&mut *conn)
            .await?;
    }
    Ok(org_id)
}

/// For the command line and the tests.
impl SqlStore {
    /// Creates an organisation with the default roles; `Taken("organisation short name")` if the
    /// slug is in use.
    pub async fn create_org(&self, slug: &str, name: &str) -> Result<i64, StoreError> {
        db(async {
            let mut tx = self.begin_write().await?;
            let org_id = insert_org(&mut tx, slug, name, now()).await?;
            tx.commit().await?;
            Ok(org_id)
        })
        .await
    }

    pub async fn org_id_by_slug(&self, slug: &str) -> Result<Option<i64>, StoreError> {
        db(async {
            Ok(sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1")
                .bind(slug.trim().to_lowercase())
                .fetch_optional(&self.pool)
                .await?)
        })
        .await
    }

    /// Creates a user with the Admin role.
    pub async fn create_admin(&self, org_id: i64, admin: &NewUser) -> Result<i64, StoreError> {
        db(async {
            let mut tx = self.begin_write().await?;
            let id = users::insert_user(&mut tx, self.backend, org_id, None, admin, now()).await?;
            tx.commit().await?;
            Ok(id)
        })
        .await
    }
}

#[async_trait]
impl AccountStore for SqlStore {
    async fn needs_setup(&self) -> Result<bool, StoreError> {
        db(async {
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organisations").fetch_one(&self.pool).await?;
            Ok(count == 0)
        })
        .await
    }

    async fn set_up_first_org(&self, slug: &str, name: &str, admin: &NewUser) -> Result<(i64, i64), StoreError> {
        db(async {
            let mut tx = self.begin_write().await?;
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organisations").fetch_one(&mut *tx).await?;
            if count > 0 {
                return Err(StoreError::AlreadySetUp.into());
            }
            let now = now();
            let org_id = insert_org(&mut tx, slug, name, now).await?;
            let user_id = users::insert_user(&mut tx, self.backend, org_id, None, admin, now).await?;
            tx.commit().await?;
            Ok((org_id, user_id))
        })
        .await
    }

    async fn sign_in_record(&self, org_slug: &str, email_key: &str) -> Result<Option<SignInRecord>, StoreError> {
        db(async {
            let row = sqlx::query(
                "SELECT u.id, u.org_id, u.password_hash, u.status, u.must_change_password
                 FROM users u JOIN organisations o ON o.id = u.org_id
                 WHERE o.slug = $1 AND u.email_key = $2",
            )
            .bind(org_slug.to_lowercase())
            .bind(email_key)
            .fetch_optional(&self.pool)
            .await?;
            let read = |row: sqlx::any::AnyRow| -> Result<SignInRecord, sqlx::Error> {
                Ok(SignInRecord {
                    user_id: row.try_get("id")?,
                    org_id: row.try_get("org_id")?,
                    password_hash: row.try_get("password_hash")?,
                    deactivated: row.try_get::<String, _>("status")? == "deactivated",
                    must_change_password: flag(&row, "must_change_password")?,
                })
            };
            Ok(row.map(read).transpose()?)
        })
        .await
    }

    async fn recent_failures(&self, account_key: &str, since: i64) -> Result<Vec<i64>, StoreError> {
        db(async {
            Ok(sqlx::query_scalar("SELECT at FROM sign_in_failures WHERE account_key = $1 AND at > $2 ORDER BY at")
                .bind(account_key)
                .bind(since)
                .fetch_all(&self.pool)
                .await?)
        })
        .await
    }

    async fn record_failure(&self, account_key: &str, at: i64) -> Result<(), StoreError> {
        db(async {
            sqlx::query("INSERT INTO sign_in_failures (account_key, at) VALUES ($1, $2)")
                .bind(account_key)
                .bind(at)
                .execute(&self.pool)
                .await?;
            // Old failures no longer count; keep the table small.
            sqlx::query("DELETE FROM sign_in_failures WHERE at < $1")
                .bind(at - 24 * 60 * 60)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
        .await
    }

    async fn clear_failures(&self, account_key: &str) -> Result<(), StoreError> {
        db(async {
            sqlx::query("DELETE FROM sign_in_failures WHERE account_key = $1")
                .bind(account_key)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
        .await
    }

    async fn create_session(
        &self,
        token_hash: &str,
        org_id: i64,
        user_id: i64,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        db(async {
            sqlx::query(
                "INSERT INTO sessions (token_hash, org_id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(token_hash)
            .bind(org_id)
            .bind(user_id)
            .bind(now)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
            sqlx::query("UPDATE users SET last_sign_in_at = $1 WHERE id = $2 AND org_id = $3")
                .bind(now)
                .bind(user_id)
                .bind(org_id)
                .execute(&self.pool)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(&self.pool).await?;
            Ok(())
        })
        .await
    }

    async fn session_viewer(&self, token_hash: &str, now: i64) -> Result<Option<Viewer>, StoreError> {
        db(async {
            let row = sqlx::query(
                "SELECT u.id, u.org_id, o.name AS org_name, u.first_name, u.last_name, u.can_manage_teams,
                        r.grants_admin, u.must_change_password
                 FROM sessions s
                 JOIN users u ON u.id = s.user_id AND u.org_id = s.org_id
                 JOIN organisations o ON o.id = u.org_id
                 JOIN roles r ON r.id = u.role_id
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.status <> 'deactivated'",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
            let read = |row: sqlx::any::AnyRow| -> Result<Viewer, sqlx::Error> {
                let permission = if flag(&row, "grants_admin")? {
                    Permission::Admin
                } else if flag(&row, "can_manage_teams")? {
                    Permission::Leader
                } else {
                    Permission::Member
                };
                let (first, last): (String, String) = (row.try_get("first_name")?, row.try_get("last_name")?);
                Ok(Viewer {
                    user_id: row.try_get("id")?,
                    org_id: row.try_get("org_id")?,
                    org_name: row.try_get("org_name")?,
                    display_name: format!("{first} {last}"),
                    permission,
                    must_change_password: flag(&row, "must_change_password")?,
                })
            };
            Ok(row.map(read).transpose()?)
        })
        .await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        db(async {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
            Ok(())
        })
        .await
    }
}
