//! Import jobs in storage: submitting one (with its file), claiming one for a worker under a lease
//! that its heartbeat renews, writing its outcome in the transaction that imported it (and only
//! by the attempt that holds it), putting it back or failing it, and reading it with its progress.
//!
//! Claims: on PostgreSQL `FOR UPDATE SKIP LOCKED`, so workers in several processes take different
//! jobs without waiting for each other; on SQLite one process writes at a time. A job whose lease
//! ran out (its process died) is claimed again, at most `max_attempts` times in all; then it fails
//! and the admin who started it is told. `attempts` fences every write of a job: an attempt that
//! lost its lease writes nothing.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

use app::bulk::ImportResult;
use app::bulk::job::{ImportJob, JobPhase, JobState};
use app::ssr::{Importer, NewJob, StoreError, Submitted};
use roster::sheet::Mode;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::sql::Sql;
use super::{DbError, DbResult, SqlStore, db, flag, now};

/// How the workers run jobs (from the server's settings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobSettings {
    /// How long a claim lasts without a heartbeat, in seconds.
    pub lease_seconds: i64,
    /// Attempts a job may have before it fails.
    pub max_attempts: i64,
    /// A job that succeeds after running this long is told by email too.
    pub notify_after_seconds: i64,
}

impl Default for JobSettings {
    fn default() -> Self {
        JobSettings { lease_seconds: 30, max_attempts: 3, notify_after_seconds: 30 }
    }
}

/// Where a running job is, shared between the commit that moves it on and whoever reads it
/// (the heartbeat, the pages): atomics, so reading never waits for the writer.
#[derive(Debug, Default)]
pub struct JobProgress {
    phase: AtomicU8,
    total: AtomicU64,
    written: AtomicU64,
}

impl JobProgress {
    pub fn phase(&self) -> JobPhase {
        JobPhase::ALL.get(self.phase.load(Ordering::Relaxed) as usize).copied().unwrap_or(JobPhase::Queued)
    }

    /// Moves on to a later phase (never back).
    pub fn enter(&self, phase: JobPhase) {
        let index = JobPhase::ALL.iter().position(|p| *p == phase).unwrap_or(0) as u8;
        self.phase.fetch_max(index, Ordering::Relaxed);
    }

    /// The users the job will write, once the check has counted them.
    pub fn expect(&self, total: usize) {
        self.total.store(total as u64, Ordering::Relaxed);
    }

    /// `count` more users written.
    pub fn wrote(&self, count: usize) {
        self.written.fetch_add(count as u64, Ordering::Relaxed);
    }

    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }
}

/// The jobs this process is running, by id, with their progress.
pub type Running = Arc<std::sync::Mutex<HashMap<i64, Arc<JobProgress>>>>;

/// A job a worker holds: what to import and the attempt that may write its outcome.
#[derive(Clone, Debug)]
pub struct ClaimedJob {
    pub id: i64,
    pub org_id: i64,
    /// This attempt's number: the fence of every write of the job.
    pub attempt: i64,
    pub mode: Mode,
    pub importer: Importer,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub sha256: String,
    pub idempotency_key: Option<String>,
    pub delay_welcome_emails: bool,
    /// Hashes of the temporary passwords taken out of the file, by row number.
    pub password_hashes: HashMap<usize, String>,
    pub started_at: i64,
}

/// How a job's run ended, as its transaction records it.
pub enum Outcome {
    Saved { batch_id: i64, counts: roster::report::Counts },
    Rejected(roster::report::Report),
}

const OPEN: &str = "state IN ('queued', 'running')";

const JOB_COLUMNS: &str = "j.id, j.mode, j.file_name, j.state, j.phase, j.rows_total, j.rows_written, j.attempts,
    j.created_at, j.started_at, j.finished_at, j.report, j.failure,
    COALESCE(a.first_name || ' ' || a.last_name, 'API key ' || k.name, 'Command line') AS submitted_by";
const JOB_JOINS: &str =
    "FROM import_jobs j LEFT JOIN users a ON a.id = j.actor_id LEFT JOIN api_keys k ON k.id = j.api_key_id";

pub(super) fn mode_of(text: &str) -> DbResult<Mode> {
    match text {
        "create" => Ok(Mode::Create),
        "update" => Ok(Mode::Update),
        other => Err(DbError::Invariant(format!("an import has the unknown mode {other:?}"))),
    }
}

pub(super) fn mode_text(mode: Mode) -> &'static str {
    match mode {
        Mode::Create => "create",
        Mode::Update => "update",
    }
}

impl SqlStore {
    fn job_view(&self, row: &AnyRow, now: i64) -> DbResult<ImportJob> {
        let id: i64 = row.try_get("id")?;
        let state: String = row.try_get("state")?;
        let state = JobState::parse(&state).ok_or_else(|| DbError::Invariant(format!("job {id} is {state:?}")))?;
        let phase: String = row.try_get("phase")?;
        let phase = JobPhase::parse(&phase).ok_or_else(|| DbError::Invariant(format!("job {id} is in {phase:?}")))?;
        let result = match row.try_get::<Option<String>, _>("report")? {
            Some(json) => Some(
                serde_json::from_str::<ImportResult>(&json)
                    .map_err(|e| DbError::Invariant(format!("job {id}'s report cannot be read: {e}")))?,
            ),
            None => None,
        };
        let count = |name: &str| -> DbResult<u64> { Ok(u64::try_from(row.try_get::<i64, _>(name)?).unwrap_or(0)) };
        let mut job = ImportJob {
            id,
            mode: mode_of(&row.try_get::<String, _>("mode")?)?,
            file_name: row.try_get("file_name")?,
            submitted_by: row.try_get("submitted_by")?,
            state,
            phase,
            rows_total: count("rows_total")?,
            rows_written: count("rows_written")?,
            attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
            max_attempts: u32::try_from(self.jobs.max_attempts).unwrap_or(u32::MAX),
            created_at: row.try_get("created_at")?,
            started_at: row.try_get("started_at")?,
            finished_at: row.try_get("finished_at")?,
            now,
            result,
            failure: row.try_get("failure")?,
        };
        // This process runs it: its progress here is fresher than the last heartbeat's.
        if job.state == JobState::Running
            && let Some(progress) = self.running_progress(id)
        {
            job.phase = job.phase.max(progress.phase());
            job.rows_total = job.rows_total.max(progress.total());
            job.rows_written = job.rows_written.max(progress.written());
        }
        Ok(job)
    }

    fn running_progress(&self, id: i64) -> Option<Arc<JobProgress>> {
        self.running.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&id).cloned()
    }

    /// Registers a job this process runs, for readers of its progress.
    pub fn start_running(&self, id: i64) -> Arc<JobProgress> {
        let progress = Arc::new(JobProgress::default());
        self.running.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(id, progress.clone());
        progress
    }

    pub fn stop_running(&self, id: i64) {
        self.running.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&id);
    }

    pub(super) async fn find_job(&self, conn: &mut AnyConnection, org_id: i64, id: i64) -> DbResult<Option<ImportJob>> {
        let sql = format!("SELECT {JOB_COLUMNS} {JOB_JOINS} WHERE j.org_id = $1 AND j.id = $2");
        let row = sqlx::query(&sql).bind(org_id).bind(id).fetch_optional(&mut *conn).await?;
        row.map(|row| self.job_view(&row, now())).transpose()
    }

    pub(super) async fn submit(&self, org_id: i64, job: &NewJob<'_>) -> DbResult<Submitted> {
        let now = now();
        let mut tx = self.begin_write().await?;
        if let Some(key) = job.idempotency_key {
            let earlier =
                sqlx::query("SELECT id, file_sha256 FROM import_jobs WHERE org_id = $1 AND idempotency_key = $2")
                    .bind(org_id)
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(earlier) = earlier {
                if earlier.try_get::<String, _>("file_sha256")? != job.sha256 {
                    return Ok(Submitted::KeyReused);
                }
                let id: i64 = earlier.try_get("id")?;
                let view = self.find_job(&mut tx, org_id, id).await?;
                return view
                    .map(|job| Submitted::Job(Box::new(job)))
                    .ok_or_else(|| DbError::Invariant(format!("job {id} vanished")));
            }
        }
        let (state, report) = match &job.rejected {
            Some(report) => {
                let result = ImportResult {
                    status: app::bulk::ImportStatus::Rejected,
                    batch_id: None,
                    counts: report.counts,
                    errors: report.errors.clone(),
                };
                (
                    JobState::Rejected,
                    Some(serde_json::to_string(&result).map_err(|e| DbError::Invariant(e.to_string()))?),
                )
            }
            None => (JobState::Queued, None),
        };
        let phase = if state == JobState::Queued { JobPhase::Queued } else { JobPhase::Done };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO import_jobs (org_id, mode, source, actor_id, api_key_id, file_name, file_sha256,
                 idempotency_key, delay_welcome_emails, state, phase, created_at, updated_at, finished_at, report)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14) RETURNING id",
        )
        .bind(org_id)
        .bind(mode_text(job.mode))
        .bind(job.importer.source().as_str())
        .bind(job.importer.admin())
        .bind(job.importer.api_key())
        .bind(job.file_name)
        .bind(job.sha256)
        .bind(job.idempotency_key)
        .bind(job.delay_welcome_emails)
        .bind(state.as_str())
        .bind(phase.as_str())
        .bind(now)
        .bind((state != JobState::Queued).then_some(now))
        .bind(report)
        .fetch_one(&mut *tx)
        .await
        .map_err(|error| match &error {
            // Two submissions of one key at once: the other one stored it first.
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Stale.into(),
            _ => DbError::from(error),
        })?;
        sqlx::query("INSERT INTO import_job_files (job_id, bytes) VALUES ($1, $2)")
            .bind(id)
            .bind(job.bytes.to_vec())
            .execute(&mut *tx)
            .await?;
        if !job.password_hashes.is_empty() {
            let rows: Vec<(&usize, &String)> = job.password_hashes.iter().collect();
            for chunk in rows.chunks(2_000) {
                let mut sql = Sql::new(
                    self.backend,
                    "INSERT INTO import_job_passwords (job_id, row_number, password_hash) VALUES ",
                );
                for (row_number, hash) in chunk {
                    sql.row(|row| {
                        row.bind(id).bind(**row_number as i64).bind((*hash).clone());
                    });
                }
                sql.query()?.execute(&mut *tx).await?;
            }
        }
        // A file refused here is answered as refused at once: nobody needs an email about it.
        let view = self.find_job(&mut tx, org_id, id).await?;
        tx.commit().await?;
        if state == JobState::Queued {
            self.jobs_wake.notify_one();
        }
        view.map(|job| Submitted::Job(Box::new(job))).ok_or_else(|| DbError::Invariant(format!("job {id} vanished")))
    }

    pub(super) async fn recent_jobs(&self, org_id: i64) -> DbResult<Vec<ImportJob>> {
        let now = now();
        let sql = format!(
            "SELECT {JOB_COLUMNS} {JOB_JOINS} WHERE j.org_id = $1 AND (j.{OPEN} OR j.finished_at > $2)
             ORDER BY j.id DESC LIMIT 20"
        );
        let rows = sqlx::query(&sql).bind(org_id).bind(now - 24 * 60 * 60).fetch_all(&self.pool).await?;
        rows.iter().map(|row| self.job_view(row, now)).collect()
    }

    /// How long a claim lasts without a heartbeat, in seconds.
    pub fn lease_seconds(&self) -> u64 {
        u64::try_from(self.jobs.lease_seconds).unwrap_or(1)
    }

    /// Claims the oldest job (or job `only`) that is queued, or running under a lease that ran out
    /// (its worker died), while it has attempts left; `worker` names the claiming process.
    pub async fn claim_import_job(&self, worker: &str, only: Option<i64>) -> Result<Option<ClaimedJob>, StoreError> {
        db(async {
            let now = now();
            let sql = format!(
                "UPDATE import_jobs SET state = 'running', phase = 'checking', attempts = attempts + 1,
                     lease_until = $1, worker = $2, started_at = COALESCE(started_at, $3), updated_at = $3,
                     rows_written = 0
                 WHERE id = (SELECT id FROM import_jobs
                             WHERE (state = 'queued' OR (state = 'running' AND lease_until < $3)) AND attempts < $4
                                 AND ($5 IS NULL OR id = $5)
                             ORDER BY id LIMIT 1{})
                 RETURNING id, org_id, attempts, mode, source, actor_id, api_key_id, file_name, file_sha256,
                     idempotency_key, delay_welcome_emails, started_at",
                self.backend.skip_locked()
            );
            let Some(row) = sqlx::query(&sql)
                .bind(now + self.jobs.lease_seconds)
                .bind(worker)
                .bind(now)
                .bind(self.jobs.max_attempts)
                .bind(only)
                .fetch_optional(&self.pool)
                .await?
            else {
                return Ok(None);
            };
            let id: i64 = row.try_get("id")?;
            let importer =
                match (row.try_get::<Option<i64>, _>("actor_id")?, row.try_get::<Option<i64>, _>("api_key_id")?) {
                    (Some(admin), _) => Importer::Admin(admin),
                    (None, Some(key)) => Importer::ApiKey(key),
                    (None, None) => Importer::CommandLine,
                };
            let bytes: Vec<u8> = sqlx::query_scalar("SELECT bytes FROM import_job_files WHERE job_id = $1")
                .bind(id)
                .fetch_one(&self.pool)
                .await?;
            let hashes = sqlx::query("SELECT row_number, password_hash FROM import_job_passwords WHERE job_id = $1")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
            let password_hashes = hashes
                .iter()
                .map(|r| Ok((usize::try_from(r.try_get::<i64, _>(0)?).unwrap_or(0), r.try_get(1)?)))
                .collect::<Result<_, sqlx::Error>>()?;
            Ok(Some(ClaimedJob {
                id,
                org_id: row.try_get("org_id")?,
                attempt: row.try_get("attempts")?,
                mode: mode_of(&row.try_get::<String, _>("mode")?)?,
                importer,
                file_name: row.try_get("file_name")?,
                bytes,
                sha256: row.try_get("file_sha256")?,
                idempotency_key: row.try_get("idempotency_key")?,
                delay_welcome_emails: flag(&row, "delay_welcome_emails")?,
                password_hashes,
                started_at: row.try_get("started_at")?,
            }))
        })
        .await
    }

    /// The heartbeat of a running job: renews its lease and records its progress, for readers in
    /// any process. False when the job is no longer this attempt's.
    pub async fn renew_import_job(&self, job: &ClaimedJob, progress: &JobProgress) -> Result<bool, StoreError> {
        db(async {
            let now = now();
            let renewed = sqlx::query(
                "UPDATE import_jobs SET lease_until = $1, phase = $2, rows_total = $3, rows_written = $4, updated_at = $5
                 WHERE id = $6 AND attempts = $7 AND state = 'running'",
            )
            .bind(now + self.jobs.lease_seconds)
            .bind(progress.phase().as_str())
            .bind(i64::try_from(progress.total()).unwrap_or(i64::MAX))
            .bind(i64::try_from(progress.written()).unwrap_or(i64::MAX))
            .bind(now)
            .bind(job.id)
            .bind(job.attempt)
            .execute(&self.pool)
            .await?;
            Ok(renewed.rows_affected() == 1)
        })
        .await
    }

    /// After an attempt that did not finish: the job is queued again while it has attempts left,
    /// otherwise it fails with `reason` and the admin who started it is told. Nothing happens when
    /// the job is no longer this attempt's.
    pub async fn retry_or_fail_import_job(&self, job: &ClaimedJob, reason: &str) -> Result<JobState, StoreError> {
        let state = db(async {
            let now = now();
            let mut tx = self.begin_write().await?;
            let state = if job.attempt >= self.jobs.max_attempts { JobState::Failed } else { JobState::Queued };
            let changed = sqlx::query(
                "UPDATE import_jobs SET state = $1, phase = $2, lease_until = NULL, updated_at = $3, finished_at = $4,
                     failure = $5
                 WHERE id = $6 AND attempts = $7 AND state = 'running'",
            )
            .bind(state.as_str())
            .bind(if state == JobState::Failed { JobPhase::Done } else { JobPhase::Queued }.as_str())
            .bind(now)
            .bind((state == JobState::Failed).then_some(now))
            .bind(reason)
            .bind(job.id)
            .bind(job.attempt)
            .execute(&mut *tx)
            .await?;
            if changed.rows_affected() == 0 {
                return Ok(JobState::Running); // another attempt holds it now
            }
            if state == JobState::Failed {
                notify(&mut tx, job.org_id, job.importer.admin(), "import_failed", job.id, now).await?;
            }
            tx.commit().await?;
            // What this attempt staged is no use to the next one, which stages the file afresh.
            if let Some(copy) = &self.copy {
                super::stage::drop_job_stages(copy, job.id, job.attempt + 1).await?;
            }
            Ok(state)
        })
        .await?;
        if state == JobState::Failed {
            self.wake_mail();
        }
        Ok(state)
    }

    /// Hands a job back untouched (its process is stopping): queued again, this attempt not
    /// counted.
    pub async fn hand_back_import_job(&self, job: &ClaimedJob) -> Result<(), StoreError> {
        db(async {
            sqlx::query(
                "UPDATE import_jobs SET state = 'queued', phase = 'queued', attempts = attempts - 1, lease_until = NULL,
                     worker = NULL, rows_written = 0, updated_at = $1
                 WHERE id = $2 AND attempts = $3 AND state = 'running'",
            )
            .bind(now())
            .bind(job.id)
            .bind(job.attempt)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
        .await
    }

    /// Fails the jobs whose last attempt's process died (their lease ran out with no attempt
    /// left), telling each one's admin; how many.
    pub async fn expire_import_jobs(&self) -> Result<usize, StoreError> {
        let expired = db(async {
            let now = now();
            let mut tx = self.begin_write().await?;
            let sql = format!(
                "SELECT id, org_id, actor_id, attempts FROM import_jobs
                 WHERE state = 'running' AND lease_until < $1 AND attempts >= $2{}",
                self.backend.skip_locked()
            );
            let rows = sqlx::query(&sql).bind(now).bind(self.jobs.max_attempts).fetch_all(&mut *tx).await?;
            for row in &rows {
                let (id, org_id, attempts): (i64, i64, i64) = (row.try_get(0)?, row.try_get(1)?, row.try_get(3)?);
                let failure = format!(
                    "the server running it stopped before it finished, on each of its {attempts} attempts. Upload the file again; if it happens again, contact support with the reference import {id}."
                );
                sqlx::query(
                    "UPDATE import_jobs SET state = 'failed', phase = 'done', lease_until = NULL, updated_at = $1,
                         finished_at = $1, failure = $2 WHERE id = $3",
                )
                .bind(now)
                .bind(failure)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                notify(&mut tx, org_id, row.try_get(2)?, "import_failed", id, now).await?;
            }
            tx.commit().await?;
            if let Some(copy) = &self.copy {
                for row in &rows {
                    let (id, attempts): (i64, i64) = (row.try_get(0)?, row.try_get(3)?);
                    super::stage::drop_job_stages(copy, id, attempts + 1).await?;
                }
            }
            Ok(rows.len())
        })
        .await?;
        if expired > 0 {
            self.wake_mail();
        }
        Ok(expired)
    }
}

/// Writes a job's outcome in the transaction that imported it, with the email its admin gets: a
/// rejection always, a success when the job ran long. Refused (`Stale`) when the job is no longer
/// this attempt's, so that the transaction rolls back and nothing applies twice.
pub(super) async fn finish(
    store: &SqlStore,
    tx: &mut AnyConnection,
    job: &ClaimedJob,
    outcome: &Outcome,
    now: i64,
) -> DbResult<()> {
    let (state, result, batch_id, total) = match outcome {
        Outcome::Saved { batch_id, counts } => {
            let result = ImportResult {
                status: app::bulk::ImportStatus::Committed,
                batch_id: Some(*batch_id),
                counts: *counts,
                errors: Vec::new(),
            };
            let total = if job.mode == Mode::Create { counts.new } else { counts.changed };
            (JobState::Done, result, Some(*batch_id), total)
        }
        Outcome::Rejected(report) => {
            let result = ImportResult {
                status: app::bulk::ImportStatus::Rejected,
                batch_id: None,
                counts: report.counts,
                errors: report.errors.clone(),
            };
            (JobState::Rejected, result, None, 0)
        }
    };
    let report = serde_json::to_string(&result).map_err(|e| DbError::Invariant(e.to_string()))?;
    let finished = sqlx::query(
        "UPDATE import_jobs SET state = $1, phase = 'done', batch_id = $2, report = $3, rows_total = $4,
             rows_written = $4, lease_until = NULL, updated_at = $5, finished_at = $5, failure = NULL
         WHERE id = $6 AND attempts = $7 AND state = 'running'",
    )
    .bind(state.as_str())
    .bind(batch_id)
    .bind(report)
    .bind(total as i64)
    .bind(now)
    .bind(job.id)
    .bind(job.attempt)
    .execute(&mut *tx)
    .await?;
    if finished.rows_affected() != 1 {
        tracing::warn!(job = job.id, attempt = job.attempt, "an import attempt lost its job before it finished");
        return Err(StoreError::Stale.into());
    }
    let long = now - job.started_at >= store.jobs.notify_after_seconds;
    match state {
        JobState::Rejected => notify(tx, job.org_id, job.importer.admin(), "import_rejected", job.id, now).await?,
        JobState::Done if long => notify(tx, job.org_id, job.importer.admin(), "import_done", job.id, now).await?,
        _ => {}
    }
    Ok(())
}

/// An email to the admin who started job `job_id` (none for an API key or the command line).
async fn notify(
    tx: &mut AnyConnection,
    org_id: i64,
    admin: Option<i64>,
    kind: &str,
    job_id: i64,
    now: i64,
) -> DbResult<()> {
    let Some(admin) = admin else { return Ok(()) };
    sqlx::query(
        "INSERT INTO outbox_emails (org_id, user_id, kind, job_id, held, created_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, FALSE, $5, $5)",
    )
    .bind(org_id)
    .bind(admin)
    .bind(kind)
    .bind(job_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_never_goes_back_a_phase() {
        let progress = JobProgress::default();
        progress.enter(JobPhase::Writing);
        progress.enter(JobPhase::Checking);
        assert_eq!(progress.phase(), JobPhase::Writing);
        progress.expect(10);
        progress.wrote(4);
        progress.wrote(3);
        assert_eq!((progress.total(), progress.written()), (10, 7));
    }
}
