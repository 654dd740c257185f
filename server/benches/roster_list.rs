//! How fast the Manage Team table and the hierarchy answer with 100,000 users, on SQLite and
//! PostgreSQL: an admin's pages, a team leader's own team, and the tree's first level.
//!
//! `cargo bench -p server --bench roster_list` (PostgreSQL too when `ROSTER_TEST_POSTGRES` names a
//! server, as the test command sets it). Prints the median of 15 runs per query.

use std::time::{Duration, Instant};

use app::roster::hierarchy::Hierarchy;
use app::session::Scope;
use app::ssr::TeamStore;
use app::team::{SortKey, TeamQuery};
use app::user::UserStatus;
use server::storage::SqlStore;

mod support;

const USERS: usize = 100_000;
const RUNS: usize = 15;

async fn median(store: &SqlStore, org_id: i64, scope: Scope, query: &TeamQuery) -> anyhow::Result<(Duration, u64)> {
    let mut times = Vec::with_capacity(RUNS);
    let mut total = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        total = store.list_team(org_id, scope, query).await?.total;
        times.push(started.elapsed());
    }
    times.sort();
    Ok((times[RUNS / 2], total))
}

/// The tree's first level as `team_tree` computes it: every active user read, the tree built.
async fn tree_top(store: &SqlStore, org_id: i64) -> anyhow::Result<(Duration, u64)> {
    let mut times = Vec::with_capacity(RUNS);
    let mut roots = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        roots = Hierarchy::new(store.hierarchy(org_id).await?).roots().len() as u64;
        times.push(started.elapsed());
    }
    times.sort();
    Ok((times[RUNS / 2], roots))
}

async fn run(label: &str, url: &str) -> anyhow::Result<()> {
    let store = SqlStore::connect(url).await?;
    let started = Instant::now();
    let org_id = support::seed_roster(&store, USERS).await?;
    println!("\n{label}: seeded {USERS} users in {:.1} s", started.elapsed().as_secs_f64());
    let leader =
        sqlx::query_scalar::<_, i64>("SELECT MIN(id) FROM users WHERE org_id = $1 AND can_manage_teams = TRUE")
            .bind(org_id)
            .fetch_one(&store.pool)
            .await?;
    let cases = [
        ("first page, by name", TeamQuery::default()),
        ("page 1,000, by name", TeamQuery { page: 1_000, ..TeamQuery::default() }),
        ("last page, by name", TeamQuery { page: 1_999, ..TeamQuery::default() }),
        ("by email, descending", TeamQuery { sort: SortKey::Email, descending: true, ..TeamQuery::default() }),
        ("by role", TeamQuery { sort: SortKey::Role, ..TeamQuery::default() }),
        ("search \"last0420\"", TeamQuery { q: "last0420".into(), ..TeamQuery::default() }),
        ("search \"first9\" (many hits)", TeamQuery { q: "first9".into(), ..TeamQuery::default() }),
        ("filter: status deactivated", TeamQuery { status: Some(UserStatus::Deactivated), ..TeamQuery::default() }),
        ("filter: one team leader", TeamQuery { leader: Some(leader), ..TeamQuery::default() }),
    ];
    println!("| query | matches | median of {RUNS} |");
    println!("| --- | ---: | ---: |");
    for (name, query) in cases {
        let (time, total) = median(&store, org_id, Scope::Organisation, &query).await?;
        println!("| {name} | {total} | {:.1} ms |", time.as_secs_f64() * 1000.0);
    }
    let (time, total) = median(&store, org_id, Scope::TeamOf(leader), &TeamQuery::default()).await?;
    println!("| a team leader's own team, first page | {total} | {:.1} ms |", time.as_secs_f64() * 1000.0);
    let (time, roots) = tree_top(&store, org_id).await?;
    println!(
        "| hierarchy: first level of the tree (read and build) | {roots} | {:.1} ms |",
        time.as_secs_f64() * 1000.0
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    support::on_both_backends(|label, url| async move { run(label, &url).await }).await
}
