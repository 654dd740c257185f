//! Profile photos: stored in the database (at most 2 MB each, checked by the rules crate) and
//! served only to people of the same organisation.

use app::ssr::StoreError;
use roster::welcome::Photo;
use sqlx::Row;

use super::users::audit;
use super::{SqlStore, db, now, welcome};

impl SqlStore {
    pub async fn save_photo(&self, org_id: i64, actor: i64, user_id: i64, photo: &Photo) -> Result<(), StoreError> {
        db(async {
            let now = now();
            let mut tx = self.begin_write().await?;
            welcome::user_of_org(&mut tx, org_id, user_id).await?;
            sqlx::query("DELETE FROM user_photos WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO user_photos (user_id, org_id, content_type, bytes, updated_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(user_id)
            .bind(org_id)
            .bind(photo.kind().content_type())
            .bind(photo.bytes().to_vec())
            .bind(now)
            .execute(&mut *tx).await?;
            let detail = serde_json::json!({ "bytes": photo.bytes().len() }).to_string();
            audit(&mut tx, org_id, Some(actor), "photo.uploaded", Some(user_id), &detail, now).await?;
            Ok(tx.commit().await?)
        })
        .await
    }

    pub async fn photo(&self, org_id: i64, user_id: i64) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        db(async {
            let row = sqlx::query("SELECT content_type, bytes FROM user_photos WHERE org_id = $1 AND user_id = $2")
                .bind(org_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
            row.map(|row| Ok((row.try_get("content_type")?, row.try_get("bytes")?))).transpose()
        })
        .await
    }
}
