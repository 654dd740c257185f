//! Configuration from the environment, with defaults that suit a newcomer's machine.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;

use crate::mail::MailConfig;
use crate::storage::JobSettings;

#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://…` (default: `./data/roster.db`) or `postgres://…`.
    pub database_url: String,
    pub addr: SocketAddr,
    /// Where the embedded database and other files live.
    pub data_dir: PathBuf,
    /// The folder cargo-leptos builds the site into (`/pkg/…`).
    pub site_root: String,
    pub secure_cookies: bool,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Calls each API key may make per minute (REST and SCIM together).
    pub api_calls_per_minute: u32,
    pub mail: MailConfig,
    /// How import jobs run: their lease, their attempts, when a success is emailed.
    pub jobs: JobSettings,
}

impl Config {
    /// Reads `ROSTER_DATA_DIR`, `DATABASE_URL`, `ROSTER_ADDR` (or `LEPTOS_SITE_ADDR`),
    /// `LEPTOS_SITE_ROOT`, `ROSTER_SECURE_COOKIES`, `ROSTER_BODY_LIMIT_MB`, `ROSTER_API_CALLS_PER_MINUTE`,
    /// and for email
    /// `ROSTER_SMTP_URL`, `ROSTER_MAIL_FROM`, `ROSTER_PUBLIC_URL`, `ROSTER_LINK_DAYS`,
    /// `ROSTER_MAIL_RETRY_SECONDS` and `ROSTER_MAIL_CONCURRENCY`, and for import jobs
    /// `ROSTER_IMPORT_LEASE_SECONDS`, `ROSTER_IMPORT_MAX_ATTEMPTS` and `ROSTER_IMPORT_NOTIFY_SECONDS`.
    pub fn from_env() -> anyhow::Result<Config> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let data_dir = PathBuf::from(var("ROSTER_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = var("DATABASE_URL").unwrap_or_else(|| format!("sqlite://{}/roster.db", data_dir.display()));
        let addr = var("ROSTER_ADDR").or_else(|| var("LEPTOS_SITE_ADDR")).unwrap_or_else(|| "127.0.0.1:3000".into());
        let addr =
            addr.parse().with_context(|| format!("ROSTER_ADDR \"{addr}\" is not an address like 127.0.0.1:3000"))?;
        let body_limit_mb: usize = match var("ROSTER_BODY_LIMIT_MB") {
            Some(v) => {
                v.parse().with_context(|| format!("ROSTER_BODY_LIMIT_MB \"{v}\" is not a number of megabytes"))?
            }
            None => app::bulk::DEFAULT_LIMIT_MB,
        };
        let public_url = var("ROSTER_PUBLIC_URL").unwrap_or_else(|| format!("http://{addr}"));
        // Behind HTTPS the session cookie is marked Secure unless explicitly told otherwise.
        let secure_cookies = match var("ROSTER_SECURE_COOKIES") {
            Some(value) => matches!(value.as_str(), "1" | "true" | "yes"),
            None => public_url.starts_with("https://"),
        };
        let mut mail = MailConfig::files(&data_dir, public_url);
        mail.smtp_url = var("ROSTER_SMTP_URL");
        if let Some(from) = var("ROSTER_MAIL_FROM") {
            mail.from = from.parse().with_context(|| {
                format!("ROSTER_MAIL_FROM \"{from}\" is not an address like Roster <roster@example.com>")
            })?;
        }
        let number = |name: &str, default: u64| -> anyhow::Result<u64> {
            var(name).map_or(Ok(default), |v| {
                v.parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .with_context(|| format!("{name} \"{v}\" is not a positive whole number"))
            })
        };
        mail.link_lifetime = std::time::Duration::from_secs(number("ROSTER_LINK_DAYS", 7)? * 24 * 60 * 60);
        mail.retry_after = std::time::Duration::from_secs(number("ROSTER_MAIL_RETRY_SECONDS", 30)?);
        mail.concurrency = number("ROSTER_MAIL_CONCURRENCY", 16)? as usize;
        let defaults = JobSettings::default();
        let whole = |name: &str, default: u64| -> anyhow::Result<i64> {
            let value = var(name).map_or(Ok(default), |v| {
                v.parse().with_context(|| format!("{name} \"{v}\" is not a whole number of seconds (0 or more)"))
            })?;
            Ok(i64::try_from(value).unwrap_or(i64::MAX))
        };
        let jobs = JobSettings {
            lease_seconds: i64::try_from(number("ROSTER_IMPORT_LEASE_SECONDS", defaults.lease_seconds as u64)?)
                .unwrap_or(i64::MAX),
            max_attempts: i64::try_from(number("ROSTER_IMPORT_MAX_ATTEMPTS", defaults.max_attempts as u64)?)
                .unwrap_or(i64::MAX),
            notify_after_seconds: whole("ROSTER_IMPORT_NOTIFY_SECONDS", defaults.notify_after_seconds as u64)?,
        };
        Ok(Config {
            database_url,
            addr,
            data_dir,
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            secure_cookies,
            body_limit: body_limit_mb * 1024 * 1024,
            api_calls_per_minute: u32::try_from(number("ROSTER_API_CALLS_PER_MINUTE", 600)?).unwrap_or(u32::MAX),
            mail,
            jobs,
        })
    }
}
