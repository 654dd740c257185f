//! What the server's benchmarks share: a measurement run on a fresh SQLite database, then on a
//! fresh PostgreSQL database when `ROSTER_TEST_POSTGRES` names a server (as the test command sets).

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
