//! Organisation API keys: created, listed and revoked on the API Keys tab (only their SHA-256 is
//! stored), looked up for every call a key makes, and each call audited with its key.

use app::keys::ApiKeyRow;
use app::ssr::{ApiKeyStore, StoreError};
use async_trait::async_trait;
use roster::organisation::ApiKeyName;
use sqlx::Row;

use super::users::audit;
use super::{SqlStore, db, now};

fn detail(pairs: serde_json::Value) -> String {
    pairs.to_string()
}

/// For the provisioning APIs.
impl SqlStore {
    /// The organisation and key id of a live API key, by the SHA-256 of its token.
    pub async fn api_key(&self, token_hash: &str) -> Result<Option<(i64, i64)>, StoreError> {
        db(async {
            let row = sqlx::query("SELECT id, org_id FROM api_keys WHERE token_hash = $1 AND revoked_at IS NULL")
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
            let Some(row) = row else { return Ok(None) };
            // Read only: when the key was last used is written with the call's audit line.
            Ok(Some((row.try_get("org_id")?, row.try_get("id")?)))
        })
        .await
    }

    /// Records a call of the provisioning APIs by an API key, and that the key was used then.
    pub async fn audit_api_call(
        &self,
        org_id: i64,
        key_id: i64,
        call: &str,
        status: u16,
        at: i64,
    ) -> Result<(), StoreError> {
        db(async {
            let detail = serde_json::json!({ "api_key": key_id, "call": call, "status": status });
            let mut tx = self.begin_write().await?;
            audit(&mut tx, org_id, None, "api.call", None, &detail.to_string(), at).await?;
            sqlx::query(
                "UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)",
            )
            .bind(at)
            .bind(key_id)
            .execute(&mut *tx)
            .await?;
            Ok(tx.commit().await?)
        })
        .await
    }
}

#[async_trait]
impl ApiKeyStore for SqlStore {
    async fn create_api_key(
        &self,
        org_id: i64,
        actor: Option<i64>,
        name: &ApiKeyName,
        token_hash: &str,
    ) -> Result<i64, StoreError> {
        db(async {
            let mut tx = self.begin_write().await?;
            let now = now();
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO api_keys (org_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(org_id)
            .bind(name.as_str())
            .bind(token_hash)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let detail = detail(serde_json::json!({ "api_key": id, "name": name.as_str() }));
            audit(&mut tx, org_id, actor, "api_key.created", None, &detail, now).await?;
            tx.commit().await?;
            Ok(id)
        })
        .await
    }

    async fn api_keys(&self, org_id: i64) -> Result<Vec<ApiKeyRow>, StoreError> {
        db(async {
            let rows = sqlx::query(
                "SELECT id, name, created_at, last_used_at, revoked_at FROM api_keys WHERE org_id = $1 ORDER BY id DESC",
            )
            .bind(org_id)
            .fetch_all(&self.pool).await?;
            Ok(rows.iter()
                .map(|row| {
                    Ok(ApiKeyRow {
                        id: row.try_get("id")?,
                        name: row.try_get("name")?,
                        created_at: row.try_get("created_at")?,
                        last_used_at: row.try_get("last_used_at")?,
                        revoked_at: row.try_get("revoked_at")?,
                    })
                })
                .collect::<Result<_, sqlx::Error>>()?)
        })
        .await
    }

    async fn revoke_api_key(&self, org_id: i64, actor: i64, key_id: i64) -> Result<(), StoreError> {
        db(async {
            let mut tx = self.begin_write().await?;
            let row = sqlx::query("SELECT name, revoked_at FROM api_keys WHERE id = $1 AND org_id = $2")
                .bind(key_id)
                .bind(org_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
            if row.try_get::<Option<i64>, _>("revoked_at")?.is_some() {
                return Ok(());
            }
            let now = now();
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND org_id = $3")
                .bind(now)
                .bind(key_id)
                .bind(org_id)
                .execute(&mut *tx)
                .await?;
            let name: String = row.try_get("name")?;
            let detail = detail(serde_json::json!({ "api_key": key_id, "name": name }));
            audit(&mut tx, org_id, Some(actor), "api_key.revoked", None, &detail, now).await?;
            Ok(tx.commit().await?)
        })
        .await
    }
}
