//! One path for every bulk import, whoever asks (the browser, the command line, the HTTP API).
//!
//! * A **dry run** checks the file with the rules against the organisation as it is and answers
//!   the report; nothing is stored.
//! * A **commit** is submitted as a job: the file is stored with it (any temporary password hashed
//!   and taken out first, so none is ever kept in clear), and the answer is the job at once. A
//!   worker in any server process then checks the file again inside one transaction against the
//!   live data and writes everything or nothing. One job per idempotency key: a double click, a
//!   retry or a re-submission after a timeout finds the first.

use std::collections::HashMap;

use roster::create::{check_create, take_temporary_passwords};
use roster::current::TeamSnapshot;
use roster::report::{CellProblem, Counts, Report};
use roster::sheet::FileProblem;
use roster::sheet::Mode;
use roster::update::check_update;
use sha2::{Digest, Sha256};

use super::{ImportStore, Importer, NewJob, StoreError, Submitted};
use crate::AppError;
use crate::bulk::job::ImportJob;
use crate::bulk::{ImportFile, ImportResult, ImportStatus};
use crate::error::internal;

/// The longest idempotency key accepted.
const MAX_KEY_LEN: usize = 200;
/// The longest file name kept in the history.
const MAX_FILE_NAME_LEN: usize = 255;

/// Checks a bulk-create or bulk-update file against the organisation as it is; stores nothing.
pub async fn dry_run(
    store: &dyn ImportStore,
    org_id: i64,
    mode: Mode,
    file: &ImportFile,
) -> Result<ImportResult, AppError> {
    let bytes = file.bytes.clone();
    let report = match mode {
        Mode::Create => {
            let (org, directory) = store.snapshot(org_id).await?.into_parts();
            tokio::task::spawn_blocking(move || check_create(&bytes, &org, &directory).report).await
        }
        Mode::Update => {
            let TeamSnapshot { org, team } = store.current_team(org_id).await?;
            tokio::task::spawn_blocking(move || check_update(&bytes, &org, &team).report).await
        }
    }
    .map_err(internal)?;
    let status = if report.is_clean() { ImportStatus::DryRun } else { ImportStatus::Rejected };
    Ok(ImportResult { status, batch_id: None, counts: report.counts, errors: report.errors })
}

/// Submits a commit of the file as a job, and answers the job as it stands (queued, or, for a
/// repeated idempotency key, the first job of that file wherever it is now).
pub async fn submit(
    store: &dyn ImportStore,
    org_id: i64,
    importer: Importer,
    mode: Mode,
    file: &ImportFile,
) -> Result<ImportJob, AppError> {
    let key = idempotency_key(file.idempotency_key.as_deref())?;
    let file_name = file_name(&file.file_name);
    let sha256 = hex::encode(Sha256::digest(&file.bytes));
    let Stored { bytes, password_hashes, rejected } = stored_file(mode, &file.bytes).await?;
    let job = NewJob {
        mode,
        importer,
        file_name: &file_name,
        bytes: bytes.as_deref().unwrap_or(&file.bytes),
        sha256: &sha256,
        idempotency_key: key,
        delay_welcome_emails: mode == Mode::Create && file.delay_welcome_emails,
        password_hashes: &password_hashes,
        rejected,
    };
    match store.submit_import(org_id, &job).await? {
        Submitted::Job(job) => Ok(*job),
        Submitted::KeyReused => Err(AppError::Conflict(
            "This idempotency key was already used for a different file; use a new key for each file.".into(),
        )),
    }
}

/// A file as a job stores it.
struct Stored {
    /// The file without its temporary passwords; `None` to store it as uploaded.
    bytes: Option<Vec<u8>>,
    password_hashes: HashMap<usize, String>,
    /// Temporary passwords that break the policy: the job is stored rejected with them.
    rejected: Option<Report>,
}

/// Takes a bulk-create file's temporary passwords out and hashes them (Argon2id, on every core,
/// off the async runtime). A file that is not Unicode Text at all is stored rejected at once, with
/// the same message its preview gives.
async fn stored_file(mode: Mode, bytes: &[u8]) -> Result<Stored, AppError> {
    let none = || Stored { bytes: None, password_hashes: HashMap::new(), rejected: None };
    let text = match roster::decode::decode(bytes) {
        Ok(text) => text,
        Err(error) => {
            let problem = FileProblem::new(error.code(), error.to_string());
            return Ok(Stored { rejected: Some(Report::file_errors(vec![problem])), ..none() });
        }
    };
    if mode != Mode::Create {
        return Ok(none());
    }
    let taken = tokio::task::spawn_blocking(move || take_temporary_passwords(&text)).await.map_err(internal)?;
    let Some(text) = taken.text else { return Ok(none()) };
    let rejected = (!taken.problems.is_empty()).then(|| rejection(taken.problems));
    let passwords: Vec<(usize, String)> =
        taken.passwords.into_iter().map(|(row, password)| (row, password.expose().to_owned())).collect();
    let password_hashes = if rejected.is_some() { HashMap::new() } else { hash_in_parallel(passwords).await? };
    Ok(Stored { bytes: Some(roster::write::utf16le(&text)), password_hashes, rejected })
}

/// The report of a file refused before it was stored, for its problems alone.
fn rejection(problems: Vec<CellProblem>) -> Report {
    let rows: std::collections::BTreeSet<usize> = problems.iter().filter_map(|p| p.row).collect();
    Report { counts: Counts { errors: rows.len(), ..Counts::default() }, errors: problems, ..Report::default() }
}

/// A commit's failure in the words of an import: a record the file names changed while it was
/// being saved, so nothing was.
pub fn commit_failed(error: StoreError) -> String {
    match error {
        StoreError::Taken(what) => format!(
            "an {what} in the file was taken by another change while the file was being saved. Preview the file again to see which, then upload it again."
        ),
        StoreError::Stale => "a user, role or group the file names was changed while the file was being saved. Preview the file again, then upload it again.".into(),
        other => match AppError::from(other) {
            AppError::Internal(reference) => format!(
                "a problem on our side stopped it (reference {reference}). Upload the file again in a few minutes; if it keeps happening, contact support with the reference."
            ),
            error => error.to_string(),
        },
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

    #[tokio::test]
    async fn a_stored_file_keeps_no_password_in_clear_and_a_weak_one_rejects_the_job() {
        let file = |password: &str| {
            roster::write::utf16le(&format!("First Name\tTemporary Password\r\nAda\t{password}\r\nAlan\t\r\n"))
        };
        let stored = stored_file(Mode::Create, &file("correct horse battery")).await.unwrap();
        let kept = roster::decode::decode(&stored.bytes.expect("the file without its password")).unwrap();
        assert!(!kept.contains("horse"), "{kept}");
        assert!(super::super::auth::verify_password(
            "correct horse battery",
            stored.password_hashes.get(&2).map(String::as_str)
        ));
        assert!(stored.rejected.is_none());
        let weak = stored_file(Mode::Create, &file("short")).await.unwrap();
        assert!(weak.password_hashes.is_empty());
        let rejected = weak.rejected.expect("a rejection");
        assert_eq!((rejected.counts.errors, rejected.errors[0].row), (1, Some(2)));
        assert!(!roster::decode::decode(&weak.bytes.unwrap()).unwrap().contains("short"));
        assert!(stored_file(Mode::Update, &file("whatever it is")).await.unwrap().bytes.is_none());
    }
}
