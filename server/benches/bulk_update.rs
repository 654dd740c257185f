//! Bulk update at 100,000 users, on SQLite and PostgreSQL, against its floor in the same run:
//!
//! * **download**: Download Current Team over HTTP (`GET /api/export/current-team` with an API
//!   key), from the request to the last byte: read every user, write the UTF-16 file, send it.
//! * **Roster**: the job Confirm submits for that file with every user's Home Town changed, from
//!   the submission until the import worker has run it: read and check the live team, then write
//!   every change, the batch and the audit trail (before → after), in one transaction. Peak memory
//!   is the process's peak resident set (VmHWM), reset before the commit; in brackets the resident
//!   set just before it.
//! * **Update floor**: one `UPDATE users SET home_town = …` over the same users of the same table
//!   (`support/floors.rs`), in its own database seeded the same way.
//!
//! `cargo bench -p server --bench bulk_update` (PostgreSQL too when `ROSTER_TEST_POSTGRES` names a
//! server, as the test command sets it). `ROSTER_BENCH_ROWS` changes the size.

use std::time::{Duration, Instant};

use app::bulk::ImportFile;
use app::roster::sheet::Mode;
use app::ssr::{ApiKeyStore, auth};

mod support;

use support::{Engine, FreshDatabase, Served, file, floors, peak_mb, reset_peak, rows, rss_mb};

const RUNS: usize = 3;

fn ms(time: Duration) -> String {
    format!("{:.0} ms", time.as_secs_f64() * 1000.0)
}

/// A new database with a server and an organisation of `rows` users made by a bulk create.
async fn seeded(
    engine: Engine,
    run: usize,
    rows: usize,
) -> anyhow::Result<(FreshDatabase, Served, i64, std::path::PathBuf)> {
    let database = FreshDatabase::new(engine).await?;
    let data_dir = std::env::temp_dir().join(format!("roster-bench-update-{}-{run}", std::process::id()));
    let served = support::start(&database.url, &data_dir, 256 * 1024 * 1024).await?;
    let org_id = served.store.create_org(&format!("update{run}"), "Bench").await?;
    // Their welcome emails held, so that no mail worker sends 100,000 of them while we measure.
    let created = ImportFile {
        file_name: "bench.txt".into(),
        bytes: file(run, rows),
        delay_welcome_emails: true,
        idempotency_key: None,
    };
    support::commit(&served.store, org_id, Mode::Create, &created).await?;
    floors::settle(&served.store).await?;
    Ok((database, served, org_id, data_dir))
}

async fn finish(database: FreshDatabase, served: Served, data_dir: std::path::PathBuf) -> anyhow::Result<()> {
    served.stop().await?;
    let _ = std::fs::remove_dir_all(&data_dir);
    database.drop_now().await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rows = rows();
    let http = reqwest::Client::new();
    for engine in Engine::available() {
        println!("\n{}: {rows} users, {RUNS} runs, each measurement in a new database", engine.label());
        println!(
            "| run | download (HTTP) | check only | update floor | Roster: submitted → done, every user changed | ÷ update floor | peak RSS (before) |"
        );
        println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for run in 1..=RUNS {
            let (database, served, org_id, dir) = seeded(engine, run, rows).await?;
            let (floor, changed) = floors::update(&served.store, org_id).await?;
            anyhow::ensure!(changed == rows as u64, "the floor changed {changed} users");
            finish(database, served, dir).await?;

            let (database, served, org_id, dir) = seeded(engine, run, rows).await?;
            let token = format!("bench-key-{run}");
            let name = app::roster::organisation::ApiKeyName::parse("bench").map_err(anyhow::Error::msg)?;
            served.store.create_api_key(org_id, None, &name, &auth::token_hash(&token)).await?;
            let started = Instant::now();
            let response =
                http.get(format!("{}/api/export/current-team", served.address)).bearer_auth(&token).send().await?;
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
            let dry = app::ssr::import::dry_run(&served.store, org_id, Mode::Update, &upload).await?;
            let check = started.elapsed();
            anyhow::ensure!(
                dry.counts.changed == rows,
                "{} changed, not {rows}: {:?}",
                dry.counts.changed,
                dry.errors.first()
            );
            let before = rss_mb();
            reset_peak();
            let (commit, job) = support::commit(&served.store, org_id, Mode::Update, &upload).await?;
            let peak = peak_mb();
            anyhow::ensure!(job.result.map(|r| r.counts.changed) == Some(rows), "not every user was changed");
            finish(database, served, dir).await?;
            println!(
                "| {run} | {} | {} | {} | {} | {:.2}× | {peak:.0} MB ({before:.0} MB) |",
                ms(download),
                ms(check),
                ms(floor),
                ms(commit),
                commit.as_secs_f64() / floor.as_secs_f64()
            );
        }
    }
    Ok(())
}
