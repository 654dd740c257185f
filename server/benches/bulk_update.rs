//! Bulk update at 100,000 users, on SQLite and PostgreSQL:
//!
//! * Download Current Team over HTTP (`GET /api/export/current-team` with an API key), from the
//!   request to the last byte: read every user, write the UTF-16 file, send it.
//! * The commit of that file with every user changed (a new Home Town), through the same path as
//!   the browser's Confirm: check and write in one transaction. Peak memory is the process's peak
//!   resident set (VmHWM), reset before the commit.
//!
//! `cargo bench -p server --bench bulk_update` (PostgreSQL too when `ROSTER_TEST_POSTGRES` names a
//! server, as the test command sets it). `ROSTER_BENCH_ROWS` changes the size.

use std::time::Instant;

use app::bulk::{ImportFile, ImportStatus};
use app::roster::sheet::Mode;
use app::ssr::{ApiKeyStore, Importer, auth, import};

mod support;

use support::{file, peak_mb, reset_peak, rows, rss_mb};

const RUNS: usize = 3;

async fn run(label: &str, url: &str) -> anyhow::Result<()> {
    let data_dir = std::env::temp_dir().join(format!("roster-bench-update-{}", std::process::id()));
    let (address, store) = support::serve(url, &data_dir, 256 * 1024 * 1024).await?;
    let http = reqwest::Client::new();
    let rows = rows();
    println!("\n{label}: {rows} users, {RUNS} runs (each a new organisation)");
    println!(
        "| run | download (HTTP) | file | check only (dry run) | check + commit, every user changed | users/s | peak RSS (RSS before) |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for run in 1..=RUNS {
        let org_id = store.create_org(&format!("update{run}"), "Bench").await?;
        let token = format!("bench-key-{run}");
        let name = app::roster::organisation::ApiKeyName::parse("bench").map_err(anyhow::Error::msg)?;
        store.create_api_key(org_id, None, &name, &auth::token_hash(&token)).await?;
        let created = ImportFile {
            file_name: "bench.txt".into(),
            bytes: file(run, rows),
            delay_welcome_emails: false,
            idempotency_key: None,
        };
        let result = import::import(&store, org_id, Importer::CommandLine, Mode::Create, &created, false).await?;
        anyhow::ensure!(result.status == ImportStatus::Committed, "not created: {:?}", result.errors.first());

        let started = Instant::now();
        let response = http.get(format!("{address}/api/export/current-team")).bearer_auth(&token).send().await?;
        anyhow::ensure!(response.status().is_success(), "download failed: {}", response.status());
        let exported = response.bytes().await?;
        let download = started.elapsed();

        let text = app::roster::decode::decode(&exported)?;
        let upload = ImportFile {
            file_name: "team.txt".into(),
            bytes: app::roster::write::utf16le(&text.replace("\tSpringfield\t", "\tShelbyville\t")),
            delay_welcome_emails: false,
            idempotency_key: None,
        };
        let started = Instant::now();
        let dry = import::import(&store, org_id, Importer::CommandLine, Mode::Update, &upload, true).await?;
        let dry_run = started.elapsed();
        anyhow::ensure!(dry.status == ImportStatus::DryRun, "the edited file has errors: {:?}", dry.errors.first());
        anyhow::ensure!(dry.counts.changed == rows, "{} changed, not {rows}", dry.counts.changed);
        let before = rss_mb();
        reset_peak();
        let started = Instant::now();
        let result = import::import(&store, org_id, Importer::CommandLine, Mode::Update, &upload, false).await?;
        let committed = started.elapsed();
        anyhow::ensure!(result.status == ImportStatus::Committed, "not committed: {:?}", result.errors.first());
        println!(
            "| {run} | {:.0} ms | {:.1} MB | {:.0} ms | {:.0} ms | {:.0} | {:.0} MB ({before:.0} MB) |",
            download.as_secs_f64() * 1000.0,
            exported.len() as f64 / 1e6,
            dry_run.as_secs_f64() * 1000.0,
            committed.as_secs_f64() * 1000.0,
            rows as f64 / committed.as_secs_f64(),
            peak_mb()
        );
    }
    let _ = std::fs::remove_dir_all(&data_dir);
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    support::on_both_backends(|label, url| async move { run(label, &url).await }).await
}
