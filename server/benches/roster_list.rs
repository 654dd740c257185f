//! How fast the Manage Team table and the hierarchy answer with 100,000 users, on SQLite and
//! PostgreSQL: an admin's pages, a team leader's own team, and the tree's first level.
//!
//! `cargo bench -p server --bench roster_list` (PostgreSQL too when `ROSTER_TEST_POSTGRES` names a
//! server, as the test command sets it). Prints the median of 15 runs per query.

use std::time::{Duration, Instant};

use app::model::{SortKey, TeamQuery, UserStatus};
use app::roster::hierarchy::Hierarchy;
use app::ssr::Store;
use app::teams::Scope;
use server::storage::SqlStore;

mod support;
use sqlx::Executor;

const USERS: usize = 100_000;
const RUNS: usize = 15;

async fn seed(store: &SqlStore) -> anyhow::Result<i64> {
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
    for chunk in (0..USERS).collect::<Vec<_>>().chunks(500) {
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
    let org_id = seed(&store).await?;
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
