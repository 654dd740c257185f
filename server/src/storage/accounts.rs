//! Organisations, admins, sign-in records, sessions and failed sign-ins.

use app::model::{Permission, Viewer};
use app::ssr::{NewUser, SignInRecord, StoreError};
use roster::OrgRules;
use sqlx::{AnyConnection, AnyPool, Row};

use super::{begin_write, flag, internal, user_write_error, users};

pub async fn needs_setup(pool: &AnyPool) -> Result<bool, StoreError> {
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM organisations").fetch_one(pool).await.map_err(internal)?;
    Ok(count == 0)
}

/// Inserts an organisation and its default roles.
pub async fn insert_org(conn: &mut AnyConnection, slug: &str, name: &str, now: i64) -> Result<i64, StoreError> {
    let org_id: i64 =
        sqlx::query_scalar("INSERT INTO organisations (slug, name, created_at) VALUES ($1, $2, $3) RETURNING id")
            .bind(slug)
            .bind(name)
            .bind(now)
            .fetch_one(&mut *conn)
            .await
            .map_err(user_write_error)?;
    for role in OrgRules::DEFAULT_ROLES {
        sqlx::query("INSERT INTO roles (org_id, name, grants_admin, active, built_in) VALUES ($1, $2, $3, TRUE, TRUE)")
            .bind(org_id)
            .bind(role)
            .bind(role == "Admin")
            .execute(&mut *conn)
            .await
            .map_err(internal)?;
    }
    Ok(org_id)
}

pub async fn create_org(pool: &AnyPool, slug: &str, name: &str, now: i64) -> Result<i64, StoreError> {
    let mut tx = begin_write(pool).await?;
    let org_id = insert_org(&mut tx, slug, name, now).await?;
    tx.commit().await.map_err(internal)?;
    Ok(org_id)
}

pub async fn set_up_first_org(
    pool: &AnyPool,
    slug: &str,
    name: &str,
    admin: &NewUser,
    now: i64,
) -> Result<(i64, i64), StoreError> {
    let mut tx = begin_write(pool).await?;
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM organisations").fetch_one(&mut *tx).await.map_err(internal)?;
    if count > 0 {
        return Err(StoreError::Stale);
    }
    let org_id = insert_org(&mut tx, slug, name, now).await?;
    let user_id = users::insert_user(&mut tx, org_id, None, admin, now).await?;
    tx.commit().await.map_err(internal)?;
    Ok((org_id, user_id))
}

pub async fn org_id_by_slug(pool: &AnyPool, slug: &str) -> Result<Option<i64>, StoreError> {
    sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1")
        .bind(slug.trim().to_lowercase())
        .fetch_optional(pool)
        .await
        .map_err(internal)
}

pub async fn sign_in_record(
    pool: &AnyPool,
    org_slug: &str,
    email_key: &str,
) -> Result<Option<SignInRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT u.id, u.org_id, u.password_hash, u.status, u.must_change_password FROM users u JOIN organisations o ON o.id = u.org_id
         WHERE o.slug = $1 AND u.email_key = $2",
    )
    .bind(org_slug.to_lowercase())
    .bind(email_key)
    .fetch_optional(pool)
    .await
    .map_err(internal)?;
    row.map(|row| {
        Ok(SignInRecord {
            user_id: row.try_get("id")?,
            org_id: row.try_get("org_id")?,
            password_hash: row.try_get("password_hash")?,
            deactivated: row.try_get::<String, _>("status")? == "deactivated",
            must_change_password: flag(&row, "must_change_password")?,
        })
    })
    .transpose()
    .map_err(internal)
}

pub async fn recent_failures(pool: &AnyPool, account_key: &str, since: i64) -> Result<Vec<i64>, StoreError> {
    sqlx::query_scalar("SELECT at FROM sign_in_failures WHERE account_key = $1 AND at > $2 ORDER BY at")
        .bind(account_key)
        .bind(since)
        .fetch_all(pool)
        .await
        .map_err(internal)
}

pub async fn record_failure(pool: &AnyPool, account_key: &str, at: i64) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO sign_in_failures (account_key, at) VALUES ($1, $2)")
        .bind(account_key)
        .bind(at)
        .execute(pool)
        .await
        .map_err(internal)?;
    // Old failures no longer count; keep the table small.
    sqlx::query("DELETE FROM sign_in_failures WHERE at < $1")
        .bind(at - 24 * 60 * 60)
        .execute(pool)
        .await
        .map_err(internal)?;
    Ok(())
}

pub async fn clear_failures(pool: &AnyPool, account_key: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sign_in_failures WHERE account_key = $1")
        .bind(account_key)
        .execute(pool)
        .await
        .map_err(internal)?;
    Ok(())
}

pub async fn create_session(
    pool: &AnyPool,
    token_hash: &str,
    org_id: i64,
    user_id: i64,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, org_id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(org_id)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(pool)
    .await
    .map_err(internal)?;
    sqlx::query("UPDATE users SET last_sign_in_at = $1 WHERE id = $2 AND org_id = $3")
        .bind(now)
        .bind(user_id)
        .bind(org_id)
        .execute(pool)
        .await
        .map_err(internal)?;
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(pool).await.map_err(internal)?;
    Ok(())
}

pub async fn session_viewer(pool: &AnyPool, token_hash: &str, now: i64) -> Result<Option<Viewer>, StoreError> {
    let row = sqlx::query(
        "SELECT u.id, u.org_id, o.name AS org_name, u.first_name, u.last_name, u.can_manage_teams, r.grants_admin,
                u.must_change_password
         FROM sessions s
         JOIN users u ON u.id = s.user_id AND u.org_id = s.org_id
         JOIN organisations o ON o.id = u.org_id
         JOIN roles r ON r.id = u.role_id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.status <> 'deactivated'",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(pool)
    .await
    .map_err(internal)?;
    row.map(|row| {
        let permission = if flag(&row, "grants_admin")? {
            Permission::Admin
        } else if flag(&row, "can_manage_teams")? {
            Permission::Leader
        } else {
            Permission::Member
        };
        Ok(Viewer {
            user_id: row.try_get("id")?,
            org_id: row.try_get("org_id")?,
            org_name: row.try_get("org_name")?,
            display_name: format!(
                "{} {}",
                row.try_get::<String, _>("first_name")?,
                row.try_get::<String, _>("last_name")?
            ),
            permission,
            must_change_password: flag(&row, "must_change_password")?,
        })
    })
    .transpose()
    .map_err(internal)
}

pub async fn delete_session(pool: &AnyPool, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(pool).await.map_err(internal)?;
    Ok(())
}
