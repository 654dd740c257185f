//! What the server's benchmarks share: a measurement run on a fresh SQLite database, then on a
//! fresh PostgreSQL database when `ROSTER_TEST_POSTGRES` names a server (as the test command sets).

#![allow(dead_code)] // each benchmark uses a part of this

pub mod floors;

use std::future::Future;

use sqlx::Executor;

pub async fn on_both_backends<F, R>(run: F) -> anyhow::Result<()>
where
    F: Fn(&'static str, String) -> R,
    R: Future<Output = anyhow::Result<()>>,
{
    let dir = std::env::temp_dir().join(format!("roster-bench-{}", std::process::id()));
    let result = run("SQLite", format!("sqlite://{}/bench.db", dir.display())).await;
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    if let Ok(server) = std::env::var("ROSTER_TEST_POSTGRES") {
        let name = format!("roster_bench_{}", std::process::id());
        let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&format!("{server}/postgres")).await?;
        admin.execute(format!("CREATE DATABASE {name}").as_str()).await?;
        let result = run("PostgreSQL", format!("{server}/{name}")).await;
        admin.execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str()).await?;
        result?;
    } else {
        println!("\nSet ROSTER_TEST_POSTGRES=postgres://user:password@host:port to measure PostgreSQL too.");
    }
    Ok(())
}

/// Which database a measurement runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn label(self) -> &'static str {
        match self {
            Engine::Sqlite => "SQLite",
            Engine::Postgres => "PostgreSQL",
        }
    }

    /// SQLite always; PostgreSQL when `ROSTER_TEST_POSTGRES` names a server.
    pub fn available() -> Vec<Engine> {
        let mut engines = if std::env::var("BENCH_PG_ONLY").is_ok() { vec![] } else { vec![Engine::Sqlite] };
        if std::env::var("ROSTER_TEST_POSTGRES").is_ok() {
            engines.push(Engine::Postgres);
        } else {
            println!("\nSet ROSTER_TEST_POSTGRES=postgres://user:password@host:port to measure PostgreSQL too.");
        }
        engines
    }
}

/// A new, empty database (migrated once a store connects), dropped with the value.
pub struct FreshDatabase {
    pub url: String,
    dir: std::path::PathBuf,
    postgres: Option<(String, String)>,
}

impl FreshDatabase {
    pub async fn new(engine: Engine) -> anyhow::Result<FreshDatabase> {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tag = format!("{}_{n}", std::process::id());
        let dir = std::env::temp_dir().join(format!("roster-bench-{tag}"));
        std::fs::create_dir_all(&dir)?;
        match engine {
            Engine::Sqlite => {
                Ok(FreshDatabase { url: format!("sqlite://{}/bench.db", dir.display()), dir, postgres: None })
            }
            Engine::Postgres => {
                let server = std::env::var("ROSTER_TEST_POSTGRES")?;
                let name = format!("roster_bench_{tag}");
                let mut admin =
                    <sqlx::PgConnection as sqlx::Connection>::connect(&format!("{server}/postgres")).await?;
                admin.execute(format!("CREATE DATABASE {name}").as_str()).await?;
                Ok(FreshDatabase { url: format!("{server}/{name}"), dir, postgres: Some((server, name)) })
            }
        }
    }

    /// Drops the database.
    pub async fn drop_now(self) -> anyhow::Result<()> {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((server, name)) = &self.postgres {
            let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&format!("{server}/postgres")).await?;
            admin.execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str()).await?;
        }
        Ok(())
    }
}

/// A running server (its import worker and mail worker beside it) for a benchmark.
pub struct Served {
    pub address: String,
    pub store: server::storage::SqlStore,
    shutdown: server::startup::Shutdown,
    running: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Served {
    /// Stops the server and waits until it has.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.trigger();
        self.running.await??;
        Ok(())
    }
}

/// The real server on a free loopback port, on `url`, with `data_dir` for its files and no rate
/// limit that a benchmark would reach.
pub async fn start(url: &str, data_dir: &std::path::Path, body_limit: usize) -> anyhow::Result<Served> {
    let config = server::Config {
        database_url: url.to_owned(),
        addr: "127.0.0.1:0".parse()?,
        data_dir: data_dir.to_path_buf(),
        site_root: "target/site".into(),
        secure_cookies: false,
        body_limit,
        api_calls_per_minute: u32::MAX,
        mail: server::mail::MailConfig::files(data_dir, "http://127.0.0.1".into()),
        jobs: server::storage::JobSettings::default(),
    };
    let app = server::Application::build(config).await?;
    let address = format!("http://127.0.0.1:{}", app.port());
    let store = app.store.clone();
    let shutdown = app.shutdown();
    let running = tokio::spawn(app.run());
    Ok(Served { address, store, shutdown, running })
}

/// The real server, left running until the benchmark ends: its address and its store.
pub async fn serve(
    url: &str,
    data_dir: &std::path::Path,
    body_limit: usize,
) -> anyhow::Result<(String, server::storage::SqlStore)> {
    let served = start(url, data_dir, body_limit).await?;
    Ok((served.address.clone(), served.store.clone()))
}

/// Commits `file` as the browser's Continue or Confirm does: submits the job and waits (polling
/// every 2 ms) until the server's import worker has run it. The time from the submission to the
/// job's end, and the job.
pub async fn commit(
    store: &server::storage::SqlStore,
    org_id: i64,
    mode: app::roster::sheet::Mode,
    file: &app::bulk::ImportFile,
) -> anyhow::Result<(std::time::Duration, app::bulk::job::ImportJob)> {
    use app::ssr::{ImportStore, Importer};
    let started = std::time::Instant::now();
    let job = app::ssr::import::submit(store, org_id, Importer::CommandLine, mode, file).await?;
    loop {
        let now = store.import_job(org_id, job.id).await?.ok_or_else(|| anyhow::anyhow!("the job vanished"))?;
        if now.state.has_ended() {
            let took = started.elapsed();
            anyhow::ensure!(
                now.state == app::bulk::job::JobState::Done,
                "job {} ended {:?}: {:?} {:?}",
                now.id,
                now.state,
                now.failure,
                now.result.as_ref().and_then(|r| r.errors.first())
            );
            return Ok((took, now));
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
}

/// Commits `file` on a store with no worker beside it: submits the job and runs it here.
pub async fn commit_here(
    store: &server::storage::SqlStore,
    org_id: i64,
    mode: app::roster::sheet::Mode,
    file: &app::bulk::ImportFile,
) -> anyhow::Result<()> {
    let job = app::ssr::import::submit(store, org_id, app::ssr::Importer::CommandLine, mode, file).await?;
    let claimed = store.claim_import_job("bench", Some(job.id)).await?.ok_or_else(|| anyhow::anyhow!("not claimed"))?;
    let progress = store.start_running(job.id);
    store.run_import_job(&claimed, &progress).await?;
    store.stop_running(job.id);
    Ok(())
}

/// Users per generated file: `ROSTER_BENCH_ROWS`, 100,000 by default.
pub fn rows() -> usize {
    std::env::var("ROSTER_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000)
}

/// A bulk-create file of `rows` new users of organisation `n`: one in 50 can manage teams and leads
/// the next 49, named by email address or employee ID; leaders have no leader.
pub fn file(n: usize, rows: usize) -> Vec<u8> {
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

/// Peak resident memory of this process since the last [`reset_peak`], in MB.
pub fn peak_mb() -> f64 {
    status_mb("VmHWM:")
}

/// Resident memory of this process now, in MB (the allocator keeps memory freed by earlier work).
pub fn rss_mb() -> f64 {
    status_mb("VmRSS:")
}

fn status_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or_default();
    kb / 1024.0
}

pub fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// An organisation of `users` (at least 1,000): 1,000 team leaders, then agents spread over them;
/// a third each active, created and deactivated; two groups. Returns the organisation's id.
pub async fn seed_roster(store: &server::storage::SqlStore, users: usize) -> anyhow::Result<i64> {
    let org_id = store.create_org("bench", "Bench").await?;
    let mut tx = store.pool.begin().await?;
    // 1,000 leaders, then 99,000 agents spread over them; three statuses; a few groups.
    sqlx::query("INSERT INTO groups (org_id, name) VALUES ($1, 'Tier 1'), ($1, 'Tier 2')")
        .bind(org_id)
        .execute(&mut *tx)
        .await?;
    let leaders = 1_000;
    let mut next_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM users").fetch_one(&mut *tx).await?;
    let first_id = next_id + 1;
    for chunk in (0..users).collect::<Vec<_>>().chunks(500) {
        let mut sql = String::from(
            "INSERT INTO users (id, org_id, role_id, email, email_key, employee_id, first_name, last_name, can_manage_teams,
             phone_channel, chat_channel, email_channel, leader_id, status, search_text, created_at, updated_at) VALUES ",
        );
        let rows: Vec<String> = chunk
            .iter()
            .map(|&i| {
                next_id += 1;
                let leader = if i < leaders { "NULL".to_owned() } else { (first_id + (i % leaders) as i64).to_string() };
                let role = if i < leaders { "(SELECT id FROM roles WHERE org_id = $1 AND name = 'Team Leader')" } else { "(SELECT id FROM roles WHERE org_id = $1 AND name = 'Team Member')" };
                let status = ["active", "created", "deactivated"][i % 3];
                let manage = if i < leaders { "TRUE" } else { "FALSE" };
                format!(
                    "({next_id}, $1, {role}, 'user{i}@example.com', 'user{i}@example.com', '{i:06}', 'First{}', 'Last{:05}', {manage}, TRUE, FALSE, TRUE, {leader}, '{status}', 'first{} last{:05} user{i}@example.com {i:06}', 0, 0)",
                    i % 997, i, i % 997, i
                )
            })
            .collect();
        sql.push_str(&rows.join(", "));
        sqlx::query(&sql).bind(org_id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    store.pool.execute("ANALYZE").await?;
    Ok(org_id)
}
