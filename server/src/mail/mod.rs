//! Email: where messages go (an SMTP server, or `.eml` files on a newcomer's machine), what the
//! welcome email says, and the worker that drains the outbox.

mod message;
mod worker;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use lettre::message::Mailbox;
use lettre::transport::smtp::{AsyncSmtpTransport, PoolConfig};
use lettre::{AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};

pub use message::{JobEmail, Welcome, job_outcome, welcome};
pub use worker::{Outbox, Round};

/// How email is sent, from configuration.
#[derive(Clone, Debug)]
pub struct MailConfig {
    /// `smtp://user:password@host:587?tls=required` (STARTTLS), `smtps://…:465` (TLS) or
    /// `smtp://host:25` (plain, for a relay on the same machine). `None` writes `.eml` files.
    pub smtp_url: Option<String>,
    pub from: Mailbox,
    /// The address people open Roster at, for links in emails.
    pub public_url: String,
    /// How long a set-password link works.
    pub link_lifetime: Duration,
    /// The wait before the first retry; each later one waits twice as long (up to six hours).
    pub retry_after: Duration,
    /// Attempts before an email is given up.
    pub max_attempts: i64,
    /// Messages in flight at once, each on its own pooled SMTP connection.
    pub concurrency: usize,
    /// How often the worker looks for due emails when nobody wakes it.
    pub poll: Duration,
    /// Where `.eml` files go without an SMTP server.
    pub folder: PathBuf,
}

impl MailConfig {
    /// Defaults for a newcomer's machine: `.eml` files under `data_dir/mail`.
    pub fn files(data_dir: &std::path::Path, public_url: String) -> MailConfig {
        MailConfig {
            smtp_url: None,
            from: Mailbox::new(Some("Roster".into()), "roster@localhost".parse().expect("a valid address")),
            public_url,
            link_lifetime: Duration::from_secs(7 * 24 * 60 * 60),
            retry_after: Duration::from_secs(30),
            max_attempts: 8,
            concurrency: 16,
            poll: Duration::from_secs(2),
            folder: data_dir.join("mail"),
        }
    }
}

/// Where messages go.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Worth trying again later (a 4xx reply, a connection that failed).
    Transient(String),
    /// Will never work (a 5xx reply, an address the server refuses).
    Permanent(String),
}

impl Transport {
    pub fn new(config: &MailConfig) -> anyhow::Result<Transport> {
        match &config.smtp_url {
            Some(url) => {
                let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).context(
                    "ROSTER_SMTP_URL is not an SMTP URL like smtp://user:password@mail.example.com:587?tls=required",
                )?;
                // One pooled connection per message in flight: delivery is bound by round trips.
                let pool = PoolConfig::new().max_size(config.concurrency.max(1) as u32);
                Ok(Transport::Smtp(builder.timeout(Some(Duration::from_secs(30))).pool_config(pool).build()))
            }
            None => {
                std::fs::create_dir_all(&config.folder)
                    .with_context(|| format!("creating the mail folder {}", config.folder.display()))?;
                Ok(Transport::Files(AsyncFileTransport::new(&config.folder)))
            }
        }
    }

    /// Sends a message; for files, returns the file's path.
    pub async fn send(&self, message: Message) -> Result<Option<String>, SendError> {
        match self {
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| None).map_err(|error| classify(&error)),
            Transport::Files(files) => files
                .send(message)
                .await
                .map(Some)
                .map_err(|error| SendError::Transient(format!("could not write the message: {error}"))),
        }
    }
}

fn classify(error: &lettre::transport::smtp::Error) -> SendError {
    let text = error.to_string();
    if error.is_permanent() { SendError::Permanent(text) } else { SendError::Transient(text) }
}
