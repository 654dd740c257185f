//! Bulk imports: what the browser checks a file against, the jobs that commit a file all or
//! nothing, and the batch history.

use std::collections::HashMap;

use async_trait::async_trait;
use roster::Snapshot;
use roster::current::TeamSnapshot;
use roster::report::Report;
use roster::sheet::Mode;

use super::StoreError;
use crate::bulk::job::ImportJob;
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

/// A bulk file to run as a job: what it does, who sent it, and the file as it will be stored.
#[derive(Debug)]
pub struct NewJob<'a> {
    pub mode: Mode,
    pub importer: Importer,
    pub file_name: &'a str,
    /// The file to store: the upload, with any temporary password's cell made blank.
    pub bytes: &'a [u8],
    /// Hex SHA-256 of the file as it was uploaded.
    pub sha256: &'a str,
    pub idempotency_key: Option<&'a str>,
    pub delay_welcome_emails: bool,
    /// Argon2id hashes of the temporary passwords taken out of the file, by row number.
    pub password_hashes: &'a HashMap<usize, String>,
    /// Problems found before the job was stored (a temporary password that breaks the policy):
    /// the job is stored as rejected with them, and never runs.
    pub rejected: Option<Report>,
}

/// What a submission did.
#[derive(Debug)]
pub enum Submitted {
    /// A new job, or the one this idempotency key made before for the same file.
    Job(Box<ImportJob>),
    /// The idempotency key was used for a different file: nothing was stored.
    KeyReused,
}

#[async_trait]
pub trait ImportStore: Send + Sync + 'static {
    /// What the rules need to check a whole file in the browser: the organisation's rules and
    /// every user.
    async fn snapshot(&self, org_id: i64) -> Result<Snapshot, StoreError>;
    /// Every user as Download Current Team writes them, with the organisation's rules: what the
    /// browser needs to check a bulk-update file.
    async fn current_team(&self, org_id: i64) -> Result<TeamSnapshot, StoreError>;
    /// Stores a job that any server process's worker will run: check the file again against the
    /// live data, then write everything or nothing in one transaction. One job per idempotency key.
    async fn submit_import(&self, org_id: i64, job: &NewJob<'_>) -> Result<Submitted, StoreError>;
    /// A job of the organisation as it stands now (with the progress of a running one).
    async fn import_job(&self, org_id: i64, job_id: i64) -> Result<Option<ImportJob>, StoreError>;
    /// The organisation's jobs that have not ended, and those that ended in the last day, newest
    /// first.
    async fn recent_import_jobs(&self, org_id: i64) -> Result<Vec<ImportJob>, StoreError>;
    /// The organisation's batches, newest first.
    async fn list_batches(&self, org_id: i64, page: i64) -> Result<Vec<BatchRow>, StoreError>;
    async fn batch_detail(&self, org_id: i64, batch_id: i64, page: i64) -> Result<Option<BatchDetail>, StoreError>;
}
