//! The header names an organisation has taught Roster (`roster::stray`): remembered, forgotten,
//! and read into the rules of every file the organisation uploads. Every change is audited in the
//! same transaction.

use app::ssr::{ColumnNameStore, StoreError};
use async_trait::async_trait;
use roster::stray::{ColumnName, header_key};
use sqlx::AnyConnection;

use super::users::audit;
use super::{DbResult, SqlStore, db, now};

/// The organisation's names, in the order of their headers. A stored meaning this build does not
/// know (written by a newer one) is left out, so that its header is a stray column again.
pub async fn column_names(conn: &mut AnyConnection, org_id: i64) -> DbResult<Vec<ColumnName>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT header, meaning FROM column_names WHERE org_id = $1 ORDER BY header_key")
            .bind(org_id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(header, meaning)| match ColumnName::parse(&header, &meaning) {
            Ok(name) => Some(name),
            Err(error) => {
                tracing::warn!(org_id, %header, %error, "a remembered column name no longer reads; left out");
                None
            }
        })
        .collect())
}

#[async_trait]
impl ColumnNameStore for SqlStore {
    async fn column_names(&self, org_id: i64) -> Result<Vec<ColumnName>, StoreError> {
        db(async { column_names(&mut *self.pool.acquire().await?, org_id).await }).await
    }

    async fn remember_column_name(&self, org_id: i64, actor: i64, name: &ColumnName) -> Result<(), StoreError> {
        db(async {
            let mut tx = self.begin_write().await?;
            let at = now();
            sqlx::query(
                "INSERT INTO column_names (org_id, header_key, header, meaning, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (org_id, header_key)
                 DO UPDATE SET header = excluded.header, meaning = excluded.meaning,
                               created_by = excluded.created_by, created_at = excluded.created_at",
            )
            .bind(org_id)
            .bind(name.key())
            .bind(name.header())
            .bind(name.meaning().key())
            .bind(actor)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            let detail = serde_json::json!({ "header": name.header(), "meaning": name.meaning().key() });
            audit(&mut tx, org_id, Some(actor), "column_name.remembered", None, &detail.to_string(), at).await?;
            Ok(tx.commit().await?)
        })
        .await
    }

    async fn forget_column_name(&self, org_id: i64, actor: i64, header: &str) -> Result<(), StoreError> {
        db(async {
            let mut tx = self.begin_write().await?;
            let forgotten = sqlx::query("DELETE FROM column_names WHERE org_id = $1 AND header_key = $2")
                .bind(org_id)
                .bind(header_key(header))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if forgotten == 0 {
                return Err(StoreError::NotFound.into());
            }
            let detail = serde_json::json!({ "header": header.trim() });
            audit(&mut tx, org_id, Some(actor), "column_name.forgotten", None, &detail.to_string(), now()).await?;
            Ok(tx.commit().await?)
        })
        .await
    }
}
