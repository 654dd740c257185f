//! The header names an organisation has taught Roster (`roster::stray`), as the bulk pages show
//! and change them.

use async_trait::async_trait;
use roster::stray::ColumnName;

use super::StoreError;

#[async_trait]
pub trait ColumnNameStore: Send + Sync + 'static {
    /// The organisation's names, in the order of their headers.
    async fn column_names(&self, org_id: i64) -> Result<Vec<ColumnName>, StoreError>;
    /// Remembers what a header holds, audited as `actor`; a header named before takes the new
    /// meaning.
    async fn remember_column_name(&self, org_id: i64, actor: i64, name: &ColumnName) -> Result<(), StoreError>;
    /// Forgets a header's name (`header` as any file writes it); `NotFound` when it has none.
    async fn forget_column_name(&self, org_id: i64, actor: i64, header: &str) -> Result<(), StoreError>;
}
