//! How fast the User Provisioning API (REST) and SCIM answer an identity provider or a script with
//! 100,000 users, on SQLite and PostgreSQL, over HTTP to the real server: REST pages by cursor, one
//! user by email, and SCIM's lookups (an `eq` on userName is an index lookup) and filters (read by
//! SQL first, `api::scim::narrow`), each also as a ratio to the indexed `userName eq` lookup
//! measured in the same run.
//!
//! `cargo bench -p server --bench provisioning_api` (PostgreSQL too when `ROSTER_TEST_POSTGRES`
//! names a server, as the test command sets it). Prints the median of 9 calls per request.

use std::time::{Duration, Instant};

use app::ssr::ApiKeyStore;

mod support;

const USERS: usize = 100_000;
const RUNS: usize = 9;

async fn median(http: &reqwest::Client, url: &str, key: &str) -> anyhow::Result<(Duration, usize)> {
    let mut times = Vec::with_capacity(RUNS);
    let mut bytes = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let response = http.get(url).bearer_auth(key).send().await?;
        anyhow::ensure!(response.status().is_success(), "{url}: {}", response.status());
        bytes = response.bytes().await?.len();
        times.push(started.elapsed());
    }
    times.sort();
    Ok((times[RUNS / 2], bytes))
}

async fn run(label: &str, url: &str) -> anyhow::Result<()> {
    let data_dir = std::env::temp_dir().join(format!("roster-bench-api-{}", std::process::id()));
    let (address, store) = support::serve(url, &data_dir, 1024 * 1024).await?;
    let started = Instant::now();
    let org_id = support::seed_roster(&store, USERS).await?;
    println!("\n{label}: seeded {USERS} users in {:.1} s", started.elapsed().as_secs_f64());
    let (secret, hash) = app::ssr::auth::new_api_key();
    let name = app::roster::organisation::ApiKeyName::parse("bench")?;
    store.create_api_key(org_id, None, &name, &hash).await?;
    let first: i64 =
        sqlx::query_scalar("SELECT MIN(id) FROM users WHERE org_id = $1").bind(org_id).fetch_one(&store.pool).await?;
    let deep = server::api::rest::list::cursor_after(first + 90_000);
    let http = reqwest::Client::new();
    let cases = [
        ("REST: first page of 500", "/api/v2/employees?limit=500".to_owned()),
        ("REST: page of 500 after 90,000 users (cursor)", format!("/api/v2/employees?limit=500&cursor={deep}")),
        ("REST: filter status=deactivated, 500", "/api/v2/employees?limit=500&status=deactivated".to_owned()),
        ("REST: one user by email", "/api/v2/employees/user77777@example.com".to_owned()),
        (
            "SCIM: userName eq (Okta's lookup)",
            "/scim/v2/Users?filter=userName%20eq%20%22user77777%40example.com%22".to_owned(),
        ),
        ("SCIM: first page of 100, no filter", "/scim/v2/Users?startIndex=1&count=100".to_owned()),
        (
            "SCIM: name.familyName co \"0420\" (a scan)",
            "/scim/v2/Users?filter=name.familyName%20co%20%220420%22".to_owned(),
        ),
        ("SCIM: page of 100 at startIndex 90,000 (offset)", "/scim/v2/Users?startIndex=90000&count=100".to_owned()),
        ("SCIM: one user by id", format!("/scim/v2/Users/{}", first + 77_777)),
    ];
    println!("| request | response | median of {RUNS} |");
    println!("| --- | ---: | ---: |");
    for (name, path) in cases {
        let (time, bytes) = median(&http, &format!("{address}{path}"), &secret).await?;
        println!("| {name} | {:.0} KB | {:.1} ms |", bytes as f64 / 1024.0, time.as_secs_f64() * 1000.0);
    }

    // The filters identity providers and admins send, against the indexed lookup, same run.
    let scim = |filter: &str| format!("/scim/v2/Users?count=100&filter={}", encode(filter));
    let (floor, _) =
        median(&http, &format!("{address}{}", scim(r#"userName eq "user77777@example.com""#)), &secret).await?;
    let filters = [
        r#"userName sw "user7777""#,
        r#"userName co "7777""#,
        r#"emails[type eq "work" and value eq "user77777@example.com"]"#,
        r#"emails.value ew "77@example.com""#,
        r#"externalId eq "00u77777""#,
        r#"name.givenName eq "first42""#,
        r#"name.familyName co "0420""#,
        r#"displayName eq "First42 Last77777""#,
        r#"displayName co "t42 last7777""#,
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "077777""#,
        r#"active eq false and name.familyName sw "last9999""#,
        r#"userName eq "user1@example.com" or userName eq "user2@example.com""#,
        r#"meta.lastModified gt "2030-01-01T00:00:00Z""#,
        "externalId pr",
        "active eq true",
    ];
    println!(
        "\n| SCIM filter, 100,000 users | matches | median of {RUNS} | ÷ `userName eq` ({:.1} ms) |",
        floor.as_secs_f64() * 1000.0
    );
    println!("| --- | ---: | ---: | ---: |");
    for filter in filters {
        let url = format!("{address}{}", scim(filter));
        let (time, _) = median(&http, &url, &secret).await?;
        let body: serde_json::Value = http.get(&url).bearer_auth(&secret).send().await?.json().await?;
        println!(
            "| `{filter}` | {} | {:.1} ms | {:.1}× |",
            body["totalResults"],
            time.as_secs_f64() * 1000.0,
            time.as_secs_f64() / floor.as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir_all(&data_dir);
    Ok(())
}

/// A filter as a query parameter.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    support::on_both_backends(|label, url| async move { run(label, &url).await }).await
}
