//! The mail worker: claims due emails from the outbox, issues their set-password links, sends
//! them a few at a time and records what happened. Any number of workers, in any number of
//! server processes on one PostgreSQL, send each email once: a claim is a row lock skipped by
//! the others, then a lease that outlives the sending. The store wakes the worker after every
//! commit that wrote to the outbox; told to stop, it stops between sends and hands back what it
//! claimed but had not started.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt;
use lettre::message::Mailbox;
use tokio::sync::Notify;

use super::{JobEmail, MailConfig, SendError, Transport, Welcome, job_outcome, welcome};
use crate::storage::outbox::{self, Claimed, NewLink};
use crate::storage::{DbResult, SqlStore};

/// Emails claimed per round.
const BATCH: i64 = 200;
/// How long a claim lasts: far longer than sending a round takes, so a live worker never loses
/// one; a crashed worker's emails come back after it.
const LEASE: i64 = 10 * 60;
/// The longest wait between retries.
const MAX_RETRY_WAIT: i64 = 6 * 60 * 60;

/// The outbox and what sends from it.
#[derive(Clone)]
pub struct Outbox {
    store: SqlStore,
    transport: Transport,
    config: Arc<MailConfig>,
    wake: Arc<Notify>,
    /// Set once the worker is told to stop: no new send starts after it.
    stopping: Arc<AtomicBool>,
}

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub claimed: usize,
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

impl Outbox {
    pub fn new(store: SqlStore, transport: Transport, config: MailConfig) -> Outbox {
        let wake = store.mail_wake();
        Outbox { store, transport, config: Arc::new(config), wake, stopping: Arc::default() }
    }

    /// Runs until `stop` resolves: a round whenever woken, every poll interval, and straight away
    /// while work remains. Once `stop` resolves no new send starts; the sends in flight finish and
    /// are recorded, and emails claimed but not yet started are handed back.
    pub async fn run(self, stop: impl Future<Output = ()> + Send + 'static) {
        let (stopping, wake) = (self.stopping.clone(), self.wake.clone());
        tokio::spawn(async move {
            stop.await;
            stopping.store(true, Ordering::SeqCst);
            wake.notify_one();
        });
        while !self.stopping.load(Ordering::SeqCst) {
            let full = match self.deliver_due().await {
                Ok(round) => round.claimed as i64 == BATCH,
                Err(error) => {
                    tracing::error!(error = %error, "the mail worker could not read the outbox");
                    false
                }
            };
            if !full && !self.stopping.load(Ordering::SeqCst) {
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(self.config.poll) => {}
                }
            }
        }
        tracing::info!("the mail worker stopped");
    }

    /// One round: claims what is due and sends it.
    pub async fn deliver_due(&self) -> DbResult<Round> {
        let pool = &self.store.pool;
        let now = app::ssr::auth::now();
        let claimed = outbox::claim(pool, self.store.backend, now, now + LEASE, BATCH).await?;
        let mut round = Round { claimed: claimed.len(), ..Round::default() };
        let mut sendable = Vec::with_capacity(claimed.len());
        let mut claimed_ids = Vec::with_capacity(claimed.len());
        for email in claimed {
            match recipient(&email) {
                Ok(to) => {
                    claimed_ids.push(email.id);
                    sendable.push((email, to));
                }
                Err(reason) => {
                    outbox::give_up(pool, email.id, now, &reason).await?;
                    round.failed += 1;
                }
            }
        }
        // A welcome email carries a new set-password link; an email about an import job, none.
        let tokens: Vec<Option<(String, String)>> =
            sendable.iter().map(|(email, _)| email.is_welcome().then(app::ssr::auth::new_session_token)).collect();
        let links: Vec<NewLink<'_>> = sendable
            .iter()
            .zip(&tokens)
            .filter_map(|((email, _), token)| {
                let (_, hash) = token.as_ref()?;
                Some(NewLink { org_id: email.org_id, user_id: email.user_id, token_hash: hash })
            })
            .collect();
        let expires_at = now + self.config.link_lifetime.as_secs() as i64;
        outbox::issue_links(pool, self.store.backend, &links, now, expires_at).await?;
        let expires = roster::time::utc_time(expires_at);

        let base = self.config.public_url.trim_end_matches('/').to_owned();
        let sends = sendable.into_iter().zip(tokens).map(|((email, to), token)| {
            let (worker, expires, base) = (self.clone(), expires.clone(), base.clone());
            async move {
                let result = match token {
                    Some((token, _)) => {
                        worker.send(&email, to, &format!("{base}/set-password/{token}"), &expires).await
                    }
                    None => worker.send_about_job(&email, to, &base).await,
                };
                (email, result)
            }
        });
        // Told to stop, no send starts any more; those under way finish.
        let stopping = self.stopping.clone();
        let results: Vec<(Claimed, Result<(), SendError>)> = futures_util::stream::iter(sends)
            .take_while(move |_| std::future::ready(!stopping.load(Ordering::SeqCst)))
            .buffer_unordered(self.config.concurrency.max(1))
            .collect()
            .await;
        let started: std::collections::HashSet<i64> = results.iter().map(|(email, _)| email.id).collect();
        let unstarted: Vec<i64> = claimed_ids.into_iter().filter(|id| !started.contains(id)).collect();
        outbox::release(pool, self.store.backend, &unstarted).await?;

        let mut sent = Vec::new();
        for (email, result) in results {
            match result {
                Ok(()) => sent.push(email),
                Err(SendError::Transient(error)) if email.attempts < self.config.max_attempts => {
                    let wait = retry_wait(self.config.retry_after.as_secs() as i64, email.attempts);
                    tracing::warn!(email = email.id, attempts = email.attempts, error = %error, "email will be retried");
                    outbox::retry_later(pool, email.id, now + wait, &error).await?;
                    round.retrying += 1;
                }
                Err(SendError::Transient(error) | SendError::Permanent(error)) => {
                    tracing::warn!(email = email.id, attempts = email.attempts, error = %error, "email failed for good");
                    outbox::give_up(pool, email.id, now, &error).await?;
                    round.failed += 1;
                }
            }
        }
        round.sent = sent.len();
        outbox::mark_sent(pool, self.store.backend, &sent, app::ssr::auth::now()).await?;
        Ok(round)
    }

    /// Tells an admin how their import job ended.
    async fn send_about_job(&self, email: &Claimed, to: Mailbox, base: &str) -> Result<(), SendError> {
        let (Some(kind), Some(job_id)) = (JobEmail::of(&email.kind), email.job_id) else {
            return Err(SendError::Permanent(format!("an email of the unknown kind {:?}", email.kind)));
        };
        let facts = outbox::job_facts(&self.store.pool, job_id)
            .await
            .map_err(|error| SendError::Transient(format!("the import job could not be read: {error}")))?;
        let message = job_outcome(&self.config.from, to, &email.first_name, kind, &facts, base)
            .map_err(|error| SendError::Permanent(format!("the message could not be written: {error}")))?;
        if let Some(id) = self.transport.send(message).await? {
            let path = self.config.folder.join(format!("{id}.eml"));
            tracing::info!(user = email.user_id, job = job_id, file = %path.display(), "import email written to a file");
        }
        Ok(())
    }

    async fn send(&self, email: &Claimed, to: Mailbox, link: &str, expires: &str) -> Result<(), SendError> {
        let message = welcome(
            &self.config.from,
            &Welcome { to, first_name: &email.first_name, org_name: &email.org_name, link, expires },
        )
        .map_err(|error| SendError::Permanent(format!("the message could not be written: {error}")))?;
        let file = self.transport.send(message).await?;
        if let Some(id) = file {
            // The newcomer default: no SMTP server, so the link is logged for whoever runs Roster.
            let path = self.config.folder.join(format!("{id}.eml"));
            tracing::info!(user = email.user_id, file = %path.display(), link, "welcome email written to a file");
        }
        Ok(())
    }
}

/// The address to send to, or why there is none.
fn recipient(email: &Claimed) -> Result<Mailbox, String> {
    if email.deactivated {
        return Err("the user was deactivated before the email was sent".into());
    }
    let address = email.email.as_deref().ok_or("the user has no email address")?;
    let name = format!("{} {}", email.first_name, email.last_name);
    address
        .parse()
        .map(|address| Mailbox::new(Some(name), address))
        .map_err(|_| format!("{address} cannot be used as an email address"))
}

/// Exponential backoff: `first`, then twice as long each attempt, at most six hours.
fn retry_wait(first: i64, attempts: i64) -> i64 {
    let doublings = (attempts - 1).clamp(0, 30) as u32;
    first.max(1).saturating_mul(1_i64 << doublings).min(MAX_RETRY_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_six_hours() {
        assert_eq!(retry_wait(30, 1), 30);
        assert_eq!(retry_wait(30, 2), 60);
        assert_eq!(retry_wait(30, 4), 240);
        assert_eq!(retry_wait(30, 40), MAX_RETRY_WAIT);
        assert_eq!(retry_wait(0, 1), 1);
    }
}
