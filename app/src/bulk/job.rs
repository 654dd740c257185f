//! An import job as the bulk pages, the history and the HTTP API show it: where it is (queued,
//! checking, writing N of M users, recording the batch, ended), how long it has run and how long
//! it has left, and how it ended. Plain data with the arithmetic beside it, so the pages only
//! render.

use roster::sheet::Mode;
use serde::{Deserialize, Serialize};

use super::ImportResult;

/// How far a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for a worker.
    Queued,
    /// A worker is checking or writing it.
    Running,
    /// Every row was saved, as one batch.
    Done,
    /// Checked against the live data the file has errors (the team changed since the preview):
    /// nothing was saved.
    Rejected,
    /// Nothing was saved: something failed on every attempt.
    Failed,
}

/// What a running job is doing, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobPhase {
    Queued,
    /// Checking the file again against the live data.
    Checking,
    /// Writing the users.
    Writing,
    /// Writing the batch record, the audit trail and the emails.
    Recording,
    /// Ended (see the state).
    Done,
}

impl JobState {
    pub const ALL: [JobState; 5] =
        [JobState::Queued, JobState::Running, JobState::Done, JobState::Rejected, JobState::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Rejected => "rejected",
            JobState::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// True once the job can no longer change.
    pub fn has_ended(self) -> bool {
        matches!(self, JobState::Done | JobState::Rejected | JobState::Failed)
    }
}

impl JobPhase {
    pub const ALL: [JobPhase; 5] =
        [JobPhase::Queued, JobPhase::Checking, JobPhase::Writing, JobPhase::Recording, JobPhase::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            JobPhase::Queued => "queued",
            JobPhase::Checking => "checking",
            JobPhase::Writing => "writing",
            JobPhase::Recording => "recording",
            JobPhase::Done => "done",
        }
    }

    pub fn parse(value: &str) -> Option<JobPhase> {
        JobPhase::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// A job and where it is. Times are Unix seconds; `now` is the server's clock when it was read,
/// so that elapsed and left times do not depend on the browser's clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportJob {
    pub id: i64,
    pub mode: Mode,
    pub file_name: String,
    /// Who started it: an admin's name, an API key's name, or the command line.
    pub submitted_by: String,
    pub state: JobState,
    pub phase: JobPhase,
    /// The users the job writes (new or changed), once the check has counted them.
    pub rows_total: u64,
    pub rows_written: u64,
    /// Attempts started so far, and how many it may have.
    pub attempts: u32,
    pub max_attempts: u32,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub now: i64,
    /// How it ended: the report of a done or rejected job.
    pub result: Option<ImportResult>,
    /// Why a failed job failed, and what to do.
    pub failure: Option<String>,
}

impl ImportJob {
    /// Seconds since the job started (or until it ended).
    pub fn elapsed(&self) -> u64 {
        let Some(started) = self.started_at else { return 0 };
        let end = self.finished_at.unwrap_or(self.now);
        u64::try_from(end - started).unwrap_or(0)
    }

    /// The share of the users written, from 0 to 1 (1 once the job ended).
    pub fn fraction(&self) -> f64 {
        if self.state.has_ended() {
            return 1.0;
        }
        match (self.phase, self.rows_total) {
            (JobPhase::Queued | JobPhase::Checking, _) | (_, 0) => 0.0,
            (JobPhase::Recording | JobPhase::Done, _) => 1.0,
            (JobPhase::Writing, total) => (self.rows_written.min(total) as f64) / total as f64,
        }
    }

    /// Seconds the job likely has left, from how fast it has written so far; `None` until that
    /// can be told.
    pub fn seconds_left(&self) -> Option<u64> {
        if self.state.has_ended() {
            return Some(0);
        }
        let elapsed = self.elapsed();
        let fraction = self.fraction();
        if self.phase != JobPhase::Writing || fraction < 0.02 || elapsed == 0 {
            return None;
        }
        Some(((elapsed as f64) * (1.0 - fraction) / fraction).ceil() as u64)
    }

    /// Where the job is, in a sentence: "Writing 42,000 of 100,000 users…".
    pub fn describe(&self) -> String {
        let verb = match self.mode {
            Mode::Create => "created",
            Mode::Update => "updated",
        };
        match (self.state, self.phase) {
            (JobState::Queued, _) if self.attempts == 0 => "Waiting to start…".to_owned(),
            (JobState::Queued, _) => {
                format!("Waiting to start again (attempt {} of {} failed)…", self.attempts, self.max_attempts)
            }
            (JobState::Running, JobPhase::Checking | JobPhase::Queued) => {
                "Checking the file against your team as it is now…".to_owned()
            }
            (JobState::Running, JobPhase::Writing) => format!(
                "Writing {} of {} users…",
                thousands(self.rows_written.min(self.rows_total)),
                thousands(self.rows_total)
            ),
            (JobState::Running, _) => "Recording the batch…".to_owned(),
            (JobState::Done, _) => match &self.result {
                Some(result) if self.mode == Mode::Create => format!("Done: {} {verb}.", users(result.counts.new)),
                Some(result) => format!(
                    "Done: {} {verb}, {} unchanged.",
                    users(result.counts.changed),
                    thousands(result.counts.unchanged as u64)
                ),
                None => "Done.".to_owned(),
            },
            (JobState::Rejected, _) => {
                let errors = self.result.as_ref().map_or(0, |r| r.errors.len());
                format!(
                    "Nothing was saved: checked against your team as it is now, the file has {}.",
                    crate::plural::count(errors, "error", "errors")
                )
            }
            (JobState::Failed, _) => format!(
                "Nothing was saved: {}",
                self.failure.as_deref().unwrap_or("the import could not be completed.")
            ),
        }
    }

    /// "2 min 5 s", "40 s".
    pub fn duration_text(seconds: u64) -> String {
        match seconds {
            0..60 => format!("{seconds} s"),
            60..3600 => format!("{} min {} s", seconds / 60, seconds % 60),
            _ => format!("{} h {} min", seconds / 3600, seconds % 3600 / 60),
        }
    }
}

/// "1 user", "100,000 users".
fn users(n: usize) -> String {
    if n == 1 { "1 user".to_owned() } else { format!("{} users", thousands(n as u64)) }
}

/// 100000 → "100,000".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::ImportStatus;
    use roster::report::Counts;

    fn job(state: JobState, phase: JobPhase, written: u64) -> ImportJob {
        ImportJob {
            id: 7,
            mode: Mode::Create,
            file_name: "hires.txt".into(),
            submitted_by: "Ada Admin".into(),
            state,
            phase,
            rows_total: 100_000,
            rows_written: written,
            attempts: 1,
            max_attempts: 3,
            created_at: 1_000,
            started_at: Some(1_010),
            finished_at: None,
            now: 1_020,
            result: None,
            failure: None,
        }
    }

    #[test]
    fn a_writing_job_says_how_far_it_is_and_how_long_it_has_left() {
        let writing = job(JobState::Running, JobPhase::Writing, 25_000);
        assert_eq!(writing.describe(), "Writing 25,000 of 100,000 users…");
        assert_eq!((writing.elapsed(), writing.fraction()), (10, 0.25));
        assert_eq!(writing.seconds_left(), Some(30), "a quarter in ten seconds: thirty more");
    }

    #[test]
    fn no_estimate_is_guessed_before_the_writing_shows_a_pace() {
        assert_eq!(job(JobState::Running, JobPhase::Checking, 0).seconds_left(), None);
        assert_eq!(job(JobState::Running, JobPhase::Writing, 100).seconds_left(), None);
        assert_eq!(
            job(JobState::Queued, JobPhase::Queued, 0).describe(),
            "Waiting to start again (attempt 1 of 3 failed)…"
        );
    }

    #[test]
    fn an_ended_job_says_how_it_ended() {
        let mut done = job(JobState::Done, JobPhase::Done, 100_000);
        done.finished_at = Some(1_040);
        done.result = Some(ImportResult {
            status: ImportStatus::Committed,
            batch_id: Some(3),
            counts: Counts { new: 100_000, ..Counts::default() },
            errors: Vec::new(),
        });
        assert_eq!(
            (done.describe().as_str(), done.elapsed(), done.fraction()),
            ("Done: 100,000 users created.", 30, 1.0)
        );
        let mut failed = job(JobState::Failed, JobPhase::Done, 0);
        failed.failure = Some("the database could not be reached; upload the file again later.".into());
        assert!(failed.describe().starts_with("Nothing was saved: the database could not be reached"));
    }

    #[test]
    fn states_and_phases_read_back_as_they_are_stored() {
        for state in JobState::ALL {
            assert_eq!(JobState::parse(state.as_str()), Some(state));
        }
        for phase in JobPhase::ALL {
            assert_eq!(JobPhase::parse(phase.as_str()), Some(phase));
        }
        assert!(JobPhase::Writing > JobPhase::Checking, "phases are ordered");
    }

    #[test]
    fn durations_and_counts_read_naturally() {
        assert_eq!(ImportJob::duration_text(40), "40 s");
        assert_eq!(ImportJob::duration_text(125), "2 min 5 s");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(999), "999");
    }
}
