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
use app::ssr::{Importer, Store, import};
use server::storage::SqlStore;

mod support;

const RUNS: usize = 3;

fn rows() -> usize {
    std::env::var("ROSTER_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000)
}

/// `rows` new users of organisation `n`: one in 50 can manage teams and leads the next 49, named
/// by email address or employee ID; leaders have no leader.
fn file(n: usize, rows: usize) -> Vec<u8> {
    let mut text = String::from(
        "*Can Manage Teams\tEmail Address\tEmployee ID\t*First Name\t*Last Name\tHome Town\tState or Country\t*Phone Channel\t*Chat Channel\t*Email Channel\t*Team Leader\tEmployment Status\tStart Date\r\n",
    );
    for i in 0..rows {
        let leads = i % 50 == 0;
        let boss = i - i % 50;
        let leader = match (leads, i % 2) {
            (true, _) => String::new(),
            (false, 0) => format!("user{boss}@org{n}.test"),
            _ => format!("{boss:07}"),
        };
        text.push_str(&format!(
            "{}\tuser{i}@org{n}.test\t{i:07}\tFirst{}\tLast{i}\tSpringfield\tOregon\ty\tn\ty\t{leader}\tFull Time\t2026-01-{:02}\r\n",
            if leads { "y" } else { "n" },
            i % 997,
            i % 28 + 1
        ));
    }
    app::roster::write::utf16le(&text)
}

/// Peak resident memory of this process since the last reset, in MB.
fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or_default();
    kb / 1024.0
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

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
        let dry = import::import_create(&store, org_id, Importer::CommandLine, &upload, true).await?;
        let dry_run = started.elapsed();
        anyhow::ensure!(dry.status == ImportStatus::DryRun, "the generated file has errors: {:?}", dry.errors.first());
        reset_peak();
        let started = Instant::now();
        let result = import::import_create(&store, org_id, Importer::CommandLine, &upload, false).await?;
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
