//! Bulk imports: what travels between the browser, the command line, the HTTP API and the server,
//! and (in [`preview`]) the plain types behind the browser's preview.

pub mod corrections;
pub mod job;
pub mod preview;

use roster::report::{CellProblem, Counts};
use roster::sheet::Mode;
use serde::{Deserialize, Serialize};

/// The server's default request body limit (`ROSTER_BODY_LIMIT_MB`), in MB: room for files of
/// well over 100,000 rows.
pub const DEFAULT_LIMIT_MB: usize = 64;

/// An uploaded spreadsheet and what to do with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportFile {
    pub file_name: String,
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
    pub delay_welcome_emails: bool,
    /// Chosen by the client once per file: a retry with the same key creates nothing twice.
    pub idempotency_key: Option<String>,
}

/// What became of an import.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// Every row was saved, in one transaction.
    Committed,
    /// The idempotency key names a batch saved before: nothing new was written.
    AlreadyCommitted,
    /// Checked only, as asked; nothing was written.
    DryRun,
    /// The file has errors; nothing was written.
    Rejected,
}

/// The outcome of an import: the same shape for the browser, the CLI's `--format json` and the
/// HTTP API. `row` is null for problems with the file as a whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportResult {
    pub status: ImportStatus,
    pub batch_id: Option<i64>,
    pub counts: Counts,
    pub errors: Vec<CellProblem>,
}

impl ImportResult {
    pub fn is_success(&self) -> bool {
        self.status != ImportStatus::Rejected
    }
}

/// Where an import came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportSource {
    /// An admin in the browser.
    Browser,
    /// An organisation API key over HTTP.
    Api,
    /// The server's command line.
    CommandLine,
}

impl ImportSource {
    pub const ALL: [ImportSource; 3] = [ImportSource::Browser, ImportSource::Api, ImportSource::CommandLine];

    /// As storage keeps it.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportSource::Browser => "browser",
            ImportSource::Api => "api",
            ImportSource::CommandLine => "command_line",
        }
    }

    pub fn parse(value: &str) -> Option<ImportSource> {
        ImportSource::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// As the history shows it.
    pub fn label(self) -> &'static str {
        match self {
            ImportSource::Browser => "browser",
            ImportSource::Api => "API",
            ImportSource::CommandLine => "command line",
        }
    }
}

/// A committed batch, as the history lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRow {
    pub id: i64,
    pub created_at: i64,
    pub mode: Mode,
    pub source: ImportSource,
    /// Who committed it: an admin's name, or the API key's name.
    pub committed_by: String,
    pub file_name: String,
    pub file_sha256: String,
    pub counts: Counts,
    pub delay_welcome_emails: bool,
}

/// A user a batch created (or changed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchUser {
    pub user_id: i64,
    pub row_number: i64,
    pub action: String,
    pub name: String,
    pub email: String,
    pub employee_id: String,
    /// What a bulk update changed: (column, before, after).
    pub changes: Vec<(String, String, String)>,
}

/// One page of a batch's users.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchDetail {
    pub batch: BatchRow,
    pub users: Vec<BatchUser>,
    pub total_users: i64,
    pub page: i64,
}

impl BatchRow {
    /// What became of the batch's welcome emails, for the history.
    pub fn welcome_emails(&self) -> &'static str {
        match (self.mode, self.delay_welcome_emails) {
            (Mode::Update, _) => "None (an update)",
            (Mode::Create, true) => "Delayed",
            (Mode::Create, false) => "Sent",
        }
    }
}

/// Users shown per page of a batch.
pub const BATCH_PAGE_SIZE: i64 = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_import_source_reads_back_as_it_is_stored() {
        for source in ImportSource::ALL {
            assert_eq!(ImportSource::parse(source.as_str()), Some(source));
        }
        assert_eq!(ImportSource::parse("fax"), None);
    }

    #[test]
    fn an_update_batch_sends_no_welcome_emails() {
        let batch = |mode, delay_welcome_emails| BatchRow {
            id: 1,
            created_at: 0,
            mode,
            source: ImportSource::Browser,
            committed_by: "Ada".into(),
            file_name: "team.txt".into(),
            file_sha256: String::new(),
            counts: Counts::default(),
            delay_welcome_emails,
        };
        assert_eq!(batch(Mode::Update, false).welcome_emails(), "None (an update)");
        assert_eq!(batch(Mode::Create, true).welcome_emails(), "Delayed");
        assert_eq!(batch(Mode::Create, false).welcome_emails(), "Sent");
    }
}
