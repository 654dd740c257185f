//! Bulk create on the server: a commit of 100,000 new users (no temporary passwords) against its
//! floors, measured side by side in the same run, on SQLite and PostgreSQL.
//!
//! * **Roster**: the job Continue submits, from the submission until the server's import worker
//!   has run it (check the file against the live data, then write every user, the batch and the
//!   welcome emails, and the job's outcome, in one transaction). Peak memory is the process's peak
//!   resident set (VmHWM), reset before the commit.
//! * **Schema floor** and **bare floor**: the same rows written by one `INSERT … SELECT` into
//!   `users` with its indexes and keys, and into a copy without them (`support/floors.rs`).
//!
//! Each measurement gets a new database, so none writes into a table another one filled.
//!
//! `cargo bench -p server --bench bulk_commit` (PostgreSQL too when `ROSTER_TEST_POSTGRES` names a
//! server, as the test command sets it). `ROSTER_BENCH_ROWS` changes the size.

use std::time::Duration;

use app::bulk::ImportFile;
use app::roster::sheet::Mode;
use app::ssr::ImportStore;
use server::storage::SqlStore;

mod support;

use support::{Engine, FreshDatabase, file, floors, peak_mb, reset_peak, rows};

const RUNS: usize = 3;

fn ms(time: Duration) -> String {
    format!("{:.0} ms", time.as_secs_f64() * 1000.0)
}

/// A floor in a new database: how long its statement took.
async fn floor(engine: Engine, bare: bool, rows: usize) -> anyhow::Result<Duration> {
    let database = FreshDatabase::new(engine).await?;
    let store = SqlStore::connect(&database.url).await?;
    let org_id = store.create_org("floor", "Floor").await?;
    let took =
        if bare { floors::bare(&store, org_id, rows).await? } else { floors::schema(&store, org_id, rows).await? };
    store.pool.close().await;
    database.drop_now().await?;
    Ok(took)
}

/// Roster's commit in a new database: how long from the submission to the job's end, and the
/// peak memory meanwhile.
async fn roster(engine: Engine, run: usize, rows: usize) -> anyhow::Result<(Duration, f64)> {
    let database = FreshDatabase::new(engine).await?;
    let data_dir = std::env::temp_dir().join(format!("roster-bench-commit-{}-{run}", std::process::id()));
    let served = support::start(&database.url, &data_dir, 256 * 1024 * 1024).await?;
    let org_id = served.store.create_org("bench", "Bench").await?;
    let upload = ImportFile {
        file_name: "bench.txt".into(),
        bytes: file(run, rows),
        delay_welcome_emails: false,
        idempotency_key: None,
    };
    // What the browser's preview checked before Continue.
    let dry = app::ssr::import::dry_run(&served.store, org_id, Mode::Create, &upload).await?;
    anyhow::ensure!(dry.errors.is_empty(), "the generated file has errors: {:?}", dry.errors.first());
    reset_peak();
    let (took, job) = support::commit(&served.store, org_id, Mode::Create, &upload).await?;
    let peak = peak_mb();
    anyhow::ensure!(job.result.map(|r| r.counts.new) == Some(rows), "not every user was created");
    // (The mail worker starts on the 100,000 welcome emails now; the server stops it below.)
    let snapshot = served.store.snapshot(org_id).await?;
    anyhow::ensure!(snapshot.users.len() == rows, "{} users, not {rows}", snapshot.users.len());
    served.stop().await?;
    let _ = std::fs::remove_dir_all(&data_dir);
    database.drop_now().await?;
    Ok((took, peak))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rows = rows();
    for engine in Engine::available() {
        println!("\n{}: {rows} new users, {RUNS} runs, each measurement in a new database", engine.label());
        println!(
            "| run | schema floor | bare floor | Roster: submitted → done | ÷ schema floor | ÷ bare floor | peak RSS |"
        );
        println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for run in 1..=RUNS {
            let schema = floor(engine, false, rows).await?;
            let bare = floor(engine, true, rows).await?;
            let (commit, peak) = roster(engine, run, rows).await?;
            println!(
                "| {run} | {} | {} | {} | {:.2}× | {:.2}× | {peak:.0} MB |",
                ms(schema),
                ms(bare),
                ms(commit),
                commit.as_secs_f64() / schema.as_secs_f64(),
                commit.as_secs_f64() / bare.as_secs_f64()
            );
        }
    }
    Ok(())
}
