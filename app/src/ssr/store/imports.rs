//! Bulk imports: what the browser checks a file against, the all-or-nothing commits, and the
//! batch history.

use std::collections::HashMap;

use async_trait::async_trait;
use roster::Snapshot;
use roster::current::TeamSnapshot;
use roster::report::{Counts, Report};

use super::StoreError;
use crate::bulk::{BatchDetail, BatchRow, ImportSource};

/// Who started an import, for the batch record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Importer {
    /// An admin in the browser.
    Admin(i64),
    /// An organisation API key over HTTP.
    ApiKey(i64),
    /// The server's command line.
    CommandLine,
}

impl Importer {
    /// The admin who imported, if an admin did.
    pub fn admin(self) -> Option<i64> {
        match self {
            Importer::Admin(id) => Some(id),
            _ => None,
        }
    }

    /// The API key that imported, if one did.
    pub fn api_key(self) -> Option<i64> {
        match self {
            Importer::ApiKey(id) => Some(id),
            _ => None,
        }
    }

    pub fn source(self) -> ImportSource {
        match self {
            Importer::Admin(_) => ImportSource::Browser,
            Importer::ApiKey(_) => ImportSource::Api,
            Importer::CommandLine => ImportSource::CommandLine,
        }
    }
}

/// A spreadsheet to commit, and who sent it. Storage checks it again inside the transaction
/// against live data.
#[derive(Debug)]
pub struct FileBatch<'a> {
    pub importer: Importer,
    pub file_name: &'a str,
    pub bytes: &'a [u8],
    /// Hex SHA-256 of the bytes.
    pub sha256: &'a str,
    pub idempotency_key: Option<&'a str>,
}

/// A bulk-create file to commit.
#[derive(Debug)]
pub struct CreateBatch<'a> {
    pub file: FileBatch<'a>,
    pub delay_welcome_emails: bool,
    /// Argon2id hashes of the file's temporary passwords, by row number, made before the
    /// transaction opened.
    pub password_hashes: &'a HashMap<usize, String>,
}

/// A batch committed earlier, found by its idempotency key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriorBatch {
    pub id: i64,
    pub sha256: String,
    pub counts: Counts,
}

/// What a commit did.
#[derive(Debug)]
pub enum Committed {
    /// Saved as this batch.
    Saved { batch_id: i64, counts: Counts },
    /// The idempotency key names this earlier batch of the same file: nothing was written.
    Replayed(PriorBatch),
    /// The idempotency key was used for a different file: nothing was written.
    KeyReused,
    /// Checked against live data the file has errors (something changed since the preview).
    Rejected(Report),
}

#[async_trait]
pub trait ImportStore: Send + Sync + 'static {
    /// What the rules need to check a whole file in the browser: the organisation's rules and
    /// every user.
    async fn snapshot(&self, org_id: i64) -> Result<Snapshot, StoreError>;
    async fn batch_by_key(&self, org_id: i64, key: &str) -> Result<Option<PriorBatch>, StoreError>;
    /// Checks the file again with [`roster::create::check_create`] inside one transaction that
    /// no other import of the organisation can interleave with, and writes everything or nothing.
    async fn commit_create(&self, org_id: i64, batch: &CreateBatch<'_>) -> Result<Committed, StoreError>;
    /// Every user as Download Current Team writes them, with the organisation's rules: what the
    /// browser needs to check a bulk-update file.
    async fn current_team(&self, org_id: i64) -> Result<TeamSnapshot, StoreError>;
    /// Checks the file again with [`roster::update::check_update`] inside one transaction that no
    /// other import of the organisation can interleave with, and updates everyone or no one.
    async fn commit_update(&self, org_id: i64, batch: &FileBatch<'_>) -> Result<Committed, StoreError>;
    /// The organisation's batches, newest first.
    async fn list_batches(&self, org_id: i64, page: i64) -> Result<Vec<BatchRow>, StoreError>;
    async fn batch_detail(&self, org_id: i64, batch_id: i64, page: i64) -> Result<Option<BatchDetail>, StoreError>;
}
