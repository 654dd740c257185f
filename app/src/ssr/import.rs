//! One path for every bulk import, whoever asks (the browser, the command line, the HTTP API):
//! check the file with the rules (for a bulk create, hashing its temporary passwords in parallel),
//! then let storage check it again and write it in one transaction.

use std::collections::HashMap;

use roster::create::check_create;
use roster::current::TeamSnapshot;
use roster::report::{CellProblem, Counts};
use roster::sheet::Mode;
use roster::update::check_update;
use sha2::{Digest, Sha256};

use super::{Committed, CreateBatch, FileBatch, ImportStore, Importer, StoreError};
use crate::AppError;
use crate::bulk::{ImportFile, ImportResult, ImportStatus};
use crate::error::internal;

/// The longest idempotency key accepted.
const MAX_KEY_LEN: usize = 200;
/// The longest file name kept in the history.
const MAX_FILE_NAME_LEN: usize = 255;

/// What every import starts from: its key checked, its file name cleaned, its bytes hashed.
struct Upload<'f> {
    key: Option<&'f str>,
    file_name: String,
    sha256: String,
}

impl<'f> Upload<'f> {
    fn of(file: &'f ImportFile) -> Result<Upload<'f>, AppError> {
        Ok(Upload {
            key: idempotency_key(file.idempotency_key.as_deref())?,
            file_name: file_name(&file.file_name),
            sha256: hex::encode(Sha256::digest(&file.bytes)),
        })
    }

    /// The batch committed earlier with this idempotency key, if any.
    async fn replay(&self, store: &dyn ImportStore, org_id: i64) -> Result<Option<ImportResult>, AppError> {
        let Some(key) = self.key else { return Ok(None) };
        match store.batch_by_key(org_id, key).await? {
            Some(prior) => replayed(prior, &self.sha256).map(Some),
            None => Ok(None),
        }
    }

    fn batch<'b>(&'b self, importer: Importer, bytes: &'b [u8]) -> FileBatch<'b> {
        FileBatch { importer, file_name: &self.file_name, bytes, sha256: &self.sha256, idempotency_key: self.key }
    }
}

/// Checks and (unless `dry_run`) commits a bulk-create or bulk-update file. A retry with an
/// idempotency key already used answers the first outcome.
pub async fn import(
    store: &dyn ImportStore,
    org_id: i64,
    importer: Importer,
    mode: Mode,
    file: &ImportFile,
    dry_run: bool,
) -> Result<ImportResult, AppError> {
    let upload = Upload::of(file)?;
    if let Some(done) = upload.replay(store, org_id).await? {
        return Ok(done);
    }
    match mode {
        Mode::Create => create(store, org_id, importer, file, &upload, dry_run).await,
        Mode::Update => update(store, org_id, importer, file, &upload, dry_run).await,
    }
}

/// A bulk create: checked before the transaction too, to hash the temporary passwords it holds.
async fn create(
    store: &dyn ImportStore,
    org_id: i64,
    importer: Importer,
    file: &ImportFile,
    upload: &Upload<'_>,
    dry_run: bool,
) -> Result<ImportResult, AppError> {
    let (org, directory) = store.snapshot(org_id).await?.into_parts();
    let bytes = file.bytes.clone();
    let checked =
        tokio::task::spawn_blocking(move || check_create(&bytes, &org, &directory)).await.map_err(internal)?;
    let Some(plan) = checked.plan else {
        return Ok(result(ImportStatus::Rejected, None, checked.report.counts, checked.report.errors));
    };
    if dry_run {
        return Ok(result(ImportStatus::DryRun, None, checked.report.counts, Vec::new()));
    }
    let passwords: Vec<(usize, String)> = plan
        .users
        .into_iter()
        .filter_map(|user| Some((user.row, user.profile.temporary_password?.expose().to_owned())))
        .collect();
    let password_hashes = hash_in_parallel(passwords).await?;
    let batch = CreateBatch {
        file: upload.batch(importer, &file.bytes),
        delay_welcome_emails: file.delay_welcome_emails,
        password_hashes: &password_hashes,
    };
    outcome(store.commit_create(org_id, &batch).await.map_err(commit_failed)?, &upload.sha256)
}

/// A bulk update: a commit is checked only inside the transaction, against the live team (a check
/// before it would find nothing new).
async fn update(
    store: &dyn ImportStore,
    org_id: i64,
    importer: Importer,
    file: &ImportFile,
    upload: &Upload<'_>,
    dry_run: bool,
) -> Result<ImportResult, AppError> {
    if dry_run {
        let TeamSnapshot { org, team } = store.current_team(org_id).await?;
        let bytes = file.bytes.clone();
        let report =
            tokio::task::spawn_blocking(move || check_update(&bytes, &org, &team).report).await.map_err(internal)?;
        let status = if report.is_clean() { ImportStatus::DryRun } else { ImportStatus::Rejected };
        return Ok(result(status, None, report.counts, report.errors));
    }
    let committed = store.commit_update(org_id, &upload.batch(importer, &file.bytes)).await.map_err(commit_failed)?;
    outcome(committed, &upload.sha256)
}

/// The import's result from what storage did.
fn outcome(committed: Committed, sha256: &str) -> Result<ImportResult, AppError> {
    match committed {
        Committed::Saved { batch_id, counts } => {
            Ok(result(ImportStatus::Committed, Some(batch_id), counts, Vec::new()))
        }
        Committed::Replayed(prior) => replayed(prior, sha256),
        Committed::KeyReused => Err(key_reused()),
        Committed::Rejected(report) => Ok(result(ImportStatus::Rejected, None, report.counts, report.errors)),
    }
}

fn result(status: ImportStatus, batch_id: Option<i64>, counts: Counts, errors: Vec<CellProblem>) -> ImportResult {
    ImportResult { status, batch_id, counts, errors }
}

fn replayed(prior: super::PriorBatch, sha256: &str) -> Result<ImportResult, AppError> {
    if prior.sha256 != sha256 {
        return Err(key_reused());
    }
    Ok(result(ImportStatus::AlreadyCommitted, Some(prior.id), prior.counts, Vec::new()))
}

fn key_reused() -> AppError {
    AppError::Conflict(
        "This idempotency key was already used for a different file; use a new key for each file.".into(),
    )
}

/// A commit's failure in the words of an import: a record the file names changed while it was
/// being saved, so nothing was.
fn commit_failed(error: StoreError) -> AppError {
    match error {
        StoreError::Taken(what) => AppError::Conflict(format!(
            "An {what} in the file was taken by another change while the file was being saved; nothing was saved. Preview the file again to see which."
        )),
        StoreError::Stale => AppError::Conflict(
            "A user, role or group the file names was changed while the file was being saved; nothing was saved. Preview the file again."
                .into(),
        ),
        other => other.into(),
    }
}

/// Accepts a key of printable ASCII, at most [`MAX_KEY_LEN`] characters; blank means none.
fn idempotency_key(key: Option<&str>) -> Result<Option<&str>, AppError> {
    let Some(key) = key.map(str::trim).filter(|k| !k.is_empty()) else { return Ok(None) };
    if key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::BadRequest(format!(
            "The idempotency key must be 1 to {MAX_KEY_LEN} printable ASCII characters without spaces."
        )));
    }
    Ok(Some(key))
}

/// The file's name without any folder, shortened; "upload" when there is none.
fn file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    let base: String = base.chars().filter(|c| !c.is_control()).take(MAX_FILE_NAME_LEN).collect();
    if base.is_empty() { "upload".into() } else { base }
}

/// Argon2id hashes of the temporary passwords, by row, on every core, off the async runtime.
async fn hash_in_parallel(passwords: Vec<(usize, String)>) -> Result<HashMap<usize, String>, AppError> {
    if passwords.is_empty() {
        return Ok(HashMap::new());
    }
    tokio::task::spawn_blocking(move || {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(passwords.len());
        let chunk = passwords.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let workers: Vec<_> = passwords
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|(row, password)| Ok((*row, super::auth::hash_password(password)?)))
                            .collect::<Result<Vec<_>, argon2::password_hash::Error>>()
                    })
                })
                .collect();
            let mut hashes = HashMap::with_capacity(passwords.len());
            for worker in workers {
                let part = worker.join().map_err(|_| internal("a password-hashing thread panicked"))?;
                hashes.extend(part.map_err(internal)?);
            }
            Ok(hashes)
        })
    })
    .await
    .map_err(internal)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_folders_and_control_characters() {
        assert_eq!(file_name("C:\\Users\\ada\\team.txt"), "team.txt");
        assert_eq!(file_name("/tmp/new\u{7}hires.txt"), "newhires.txt");
        assert_eq!(file_name("  "), "upload");
    }

    #[test]
    fn idempotency_keys_are_short_printable_tokens() {
        assert_eq!(idempotency_key(Some(" abc-123 ")).unwrap(), Some("abc-123"));
        assert_eq!(idempotency_key(Some("")).unwrap(), None);
        assert!(idempotency_key(Some("has space")).is_err());
        assert!(idempotency_key(Some(&"k".repeat(201))).is_err());
    }

    #[tokio::test]
    async fn temporary_passwords_are_hashed_each_with_its_own_salt() {
        let hashes = hash_in_parallel(vec![(2, "correct horse battery".into()), (3, "correct horse battery".into())])
            .await
            .unwrap();
        assert_eq!(hashes.len(), 2);
        assert_ne!(hashes[&2], hashes[&3]);
        assert!(super::super::auth::verify_password("correct horse battery", Some(&hashes[&3])));
    }
}
