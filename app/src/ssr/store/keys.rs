//! The organisation's API keys, as the API Keys tab manages them.

use async_trait::async_trait;
use roster::organisation::ApiKeyName;

use super::StoreError;
use crate::keys::ApiKeyRow;

#[async_trait]
pub trait ApiKeyStore: Send + Sync + 'static {
    /// Creates an API key by the SHA-256 of its secret, audited as `actor` (none from the command
    /// line).
    async fn create_api_key(
        &self,
        org_id: i64,
        actor: Option<i64>,
        name: &ApiKeyName,
        token_hash: &str,
    ) -> Result<i64, StoreError>;
    /// The organisation's keys, newest first, revoked ones included.
    async fn api_keys(&self, org_id: i64) -> Result<Vec<ApiKeyRow>, StoreError>;
    /// Revokes a key at once; `NotFound` outside the organisation. Revoking twice changes nothing.
    async fn revoke_api_key(&self, org_id: i64, actor: i64, key_id: i64) -> Result<(), StoreError>;
}
