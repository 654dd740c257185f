//! How fast the mail worker delivers welcome emails to a real SMTP server on loopback: a bulk
//! create of 10,000 users with delayed emails, then Send Delayed Welcome Emails, timed until the
//! outbox is empty and the SMTP server has every message. One worker, as one server process runs.
//!
//! `cargo bench -p server --bench welcome_emails` (PostgreSQL too when `ROSTER_TEST_POSTGRES`
//! names a server). `ROSTER_BENCH_EMAILS` changes the count. The SMTP server is
//! `scripts/smtp_sink.py` in `target/smtp-venv` (`./scripts/install` makes it).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use app::bulk::ImportFile;
use app::roster::sheet::Mode;
use server::mail::{MailConfig, Outbox, Transport};
use server::storage::{SqlStore, outbox};

mod support;

use support::file;

async fn run(label: &str, url: &str) -> anyhow::Result<()> {
    let emails: usize = std::env::var("ROSTER_BENCH_EMAILS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let store = SqlStore::connect(url).await?;
    let org_id = store.create_org("bench", "Bench").await?;
    let upload = ImportFile {
        file_name: "bench.txt".into(),
        bytes: file(1, emails),
        delay_welcome_emails: true,
        idempotency_key: None,
    };
    support::commit_here(&store, org_id, Mode::Create, &upload).await?;

    let folder = std::env::temp_dir().join(format!("roster-bench-mail-{}", std::process::id()));
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut sink = Sink(
        Command::new(root.join("target/smtp-venv/bin/python"))
            .arg(root.join("scripts/smtp_sink.py"))
            .args(["--port", "0", "--dir"])
            .arg(&folder)
            .stdout(Stdio::piped())
            .spawn()?,
    );
    let mut ready = String::new();
    BufReader::new(sink.0.stdout.take().expect("piped")).read_line(&mut ready)?;
    let port = ready.trim().trim_start_matches("READY ").to_owned();

    let mut config = MailConfig::files(&folder, "http://roster.test".into());
    config.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
    if let Some(n) = std::env::var("ROSTER_BENCH_CONCURRENCY").ok().and_then(|v| v.parse().ok()) {
        config.concurrency = n;
    }
    let transport = Transport::new(&config)?;
    let worker = Outbox::new(store.clone(), transport, config.clone());

    let started = Instant::now();
    // What Send Delayed Welcome Emails does (without an admin to name in the audit log).
    let released = sqlx::query("UPDATE outbox_emails SET held = FALSE WHERE org_id = $1")
        .bind(org_id)
        .execute(&store.pool)
        .await?;
    anyhow::ensure!(released.rows_affected() as usize == emails, "released {} of {emails}", released.rows_affected());
    loop {
        let round = worker.deliver_due().await?;
        anyhow::ensure!(round.failed == 0 && round.retrying == 0, "a round failed: {round:?}");
        if round.claimed == 0 && outbox::waiting(&store.pool).await? == 0 {
            break;
        }
    }
    let drained = started.elapsed();
    let received = std::fs::read_dir(&folder)?
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "eml")))
        .count();
    drop(sink);
    let _ = std::fs::remove_dir_all(&folder);
    anyhow::ensure!(received == emails, "the SMTP server received {received} of {emails}");
    println!(
        "\n{label}: {emails} welcome emails, {} at a time: outbox empty after {:.2} s, {:.0} emails/s",
        config.concurrency,
        drained.as_secs_f64(),
        emails as f64 / drained.as_secs_f64()
    );
    Ok(())
}

/// The SMTP server's process, stopped however the run ends.
struct Sink(std::process::Child);

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    support::on_both_backends(|label, url| async move { run(label, &url).await }).await
}
