//! How long the server takes to commit a bulk-create file of 100,000 new users (no temporary
//! passwords), on SQLite and PostgreSQL, through the same path as the browser's Continue: check the
//! file, then check it again and write it in one transaction. Peak memory is the process's peak
//! resident set (VmHWM), reset before each run.
//!
//! Also: how long the browser's context snapshot of those users takes to read and encode.
//!
//! `cargo bench -p server --bench bulk_commit` (PostgreSQL too when `ROSTER_TEST_POSTGRES` names a
//! server, as the test command sets it). `ROSTER_BENCH_ROWS` changes the size.

use std::time::Instant;

use app::bulk::{ImportFile, ImportStatus};
use app::roster::sheet::Mode;
use app::ssr::{ImportStore, Importer, import};
use server::storage::SqlStore;

mod support;

use support::{file, peak_mb, reset_peak, rows};

const RUNS: usize = 3;

async fn run(label: &str, url: &str) -> anyhow::Result<()> {
    let store = SqlStore::connect(url).await?;
    let rows = rows();
    println!("\n{label}: {rows} new users per file, {RUNS} runs (each a new organisation)");
    println!("| run | file | check only (dry run) | check + commit | users/s | peak RSS |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut snapshots = Vec::new();
    for run in 1..=RUNS {
        let org_id = store.create_org(&format!("bench{run}"), "Bench").await?;
        let upload = ImportFile {
            file_name: "bench.txt".into(),
            bytes: file(run, rows),
            delay_welcome_emails: false,
            idempotency_key: None,
        };
        let started = Instant::now();
        let dry = import::import(&store, org_id, Importer::CommandLine, Mode::Create, &upload, true).await?;
        let dry_run = started.elapsed();
        anyhow::ensure!(dry.status == ImportStatus::DryRun, "the generated file has errors: {:?}", dry.errors.first());
        reset_peak();
        let started = Instant::now();
        let result = import::import(&store, org_id, Importer::CommandLine, Mode::Create, &upload, false).await?;
        let committed = started.elapsed();
        anyhow::ensure!(result.status == ImportStatus::Committed, "not committed: {:?}", result.status);
        // What the browser's preview loads when the organisation has these users.
        let started = Instant::now();
        let snapshot = store.snapshot(org_id).await?;
        let encoded = postcard::to_allocvec(&snapshot)?;
        snapshots.push((started.elapsed(), snapshot.users.len(), encoded.len()));
        println!(
            "| {run} | {:.1} MB | {:.0} ms | {:.0} ms | {:.0} | {:.0} MB |",
            upload.bytes.len() as f64 / 1e6,
            dry_run.as_secs_f64() * 1000.0,
            committed.as_secs_f64() * 1000.0,
            rows as f64 / committed.as_secs_f64(),
            peak_mb()
        );
    }
    for (time, users, bytes) in snapshots {
        println!(
            "Snapshot of {users} users (read from storage and encoded with postcard): {:.0} ms, {:.1} MB",
            time.as_secs_f64() * 1000.0,
            bytes as f64 / 1e6
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    support::on_both_backends(|label, url| async move { run(label, &url).await }).await
}
