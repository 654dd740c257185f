//! The import worker: one in every server process (and the command line's `import`, for its own
//! job). It claims a job (a queued one, or one whose process died and whose lease ran out), keeps
//! the lease alive with a heartbeat that also records the job's progress, runs it (one
//! transaction that checks the file against the live data and writes everything or nothing, the
//! outcome included), and puts it back for another attempt when the run fails, until the job is
//! out of attempts and fails for good, its admin told.
//!
//! Told to stop, the worker takes no new job and lets the running one finish within the lease;
//! after that it hands the job back (its transaction rolls back, nothing is saved) for the next
//! process to run.

use std::sync::Arc;
use std::time::Duration;

use app::bulk::job::JobState;
use rand::Rng;
use tokio::sync::Notify;

use crate::startup::Shutdown;
use crate::storage::{ClaimedJob, JobProgress, SqlStore};

/// How often an idle worker looks for jobs when nobody wakes it.
const POLL: Duration = Duration::from_secs(1);

pub struct ImportWorker {
    store: SqlStore,
    /// This worker's name in the jobs it claims: host, process and a random tag.
    name: String,
    wake: Arc<Notify>,
}

/// A name for this process's worker.
fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
    let tag: u32 = rand::thread_rng().r#gen();
    format!("{host}:{}:{tag:08x}", std::process::id())
}

impl ImportWorker {
    pub fn new(store: SqlStore) -> ImportWorker {
        let wake = store.jobs_wake();
        ImportWorker { store, name: worker_name(), wake }
    }

    /// Runs jobs until `shutdown` is triggered.
    pub async fn run(self, shutdown: Shutdown) {
        let stopped = shutdown.stopped();
        tokio::pin!(stopped);
        loop {
            if let Err(error) = self.store.expire_import_jobs().await {
                tracing::error!(%error, "the import worker could not fail the expired jobs");
            }
            // A claim is never raced against the stop: dropped after its transaction committed,
            // it would leave a job claimed that nobody runs until its lease ran out.
            if shutdown.is_triggered() {
                break;
            }
            match self.store.claim_import_job(&self.name, None).await {
                Ok(Some(job)) => {
                    run_claimed(&self.store, job, &shutdown).await;
                    continue;
                }
                Ok(None) => {}
                Err(error) => tracing::error!(%error, "the import worker could not look for jobs"),
            }
            tokio::select! {
                _ = &mut stopped => break,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
        }
        tracing::info!("the import worker stopped");
    }
}

/// Runs a claimed job to its end (or hands it back when the process stops meanwhile): how it
/// ended, as far as this attempt goes.
pub async fn run_claimed(store: &SqlStore, job: ClaimedJob, shutdown: &Shutdown) -> JobState {
    let progress = store.start_running(job.id);
    tracing::info!(job = job.id, attempt = job.attempt, org = job.org_id, "running an import job");
    let heartbeat = tokio::spawn(beat(store.clone(), job.clone(), progress.clone()));
    let stopping = async {
        shutdown.stopped().await;
        tokio::time::sleep(Duration::from_secs(store.lease_seconds())).await;
    };
    let run = tokio::select! {
        biased;
        result = store.run_import_job(&job, &progress) => Some(result),
        _ = stopping => None,
    };
    heartbeat.abort();
    store.stop_running(job.id);
    let state = match run {
        Some(Ok(())) => JobState::Done,
        Some(Err(error)) => {
            tracing::warn!(job = job.id, attempt = job.attempt, %error, "an import attempt failed");
            let reason = app::ssr::import::commit_failed(error);
            store.retry_or_fail_import_job(&job, &reason).await.unwrap_or_else(|error| {
                tracing::error!(job = job.id, %error, "the job could not be put back; its lease will run out");
                JobState::Running
            })
        }
        None => {
            tracing::info!(job = job.id, "stopping: the running import is handed back");
            match store.hand_back_import_job(&job).await {
                Ok(()) => JobState::Queued,
                Err(error) => {
                    tracing::error!(job = job.id, %error, "the job could not be handed back; its lease will run out");
                    JobState::Running
                }
            }
        }
    };
    tracing::info!(job = job.id, ?state, "the import attempt ended");
    state
}

/// Renews the job's lease and records its progress a few times per lease, where the database lets
/// another connection write while the job's transaction runs (PostgreSQL). On SQLite the job's
/// process is the only writer, so the lease only has to outlast a crash.
async fn beat(store: SqlStore, job: ClaimedJob, progress: Arc<JobProgress>) {
    if !store.backend.renews_during_writes() {
        return;
    }
    let every = Duration::from_millis((store.lease_seconds() * 1000 / 3).clamp(200, 1000));
    loop {
        tokio::time::sleep(every).await;
        match store.renew_import_job(&job, &progress).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(job = job.id, attempt = job.attempt, "the job is no longer this attempt's");
                return;
            }
            Err(error) => tracing::warn!(job = job.id, %error, "the heartbeat could not renew the lease"),
        }
    }
}
