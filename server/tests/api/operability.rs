//! Running Roster: every answer carries a request id, by which an internal error is referenced;
//! a stopping server finishes the work in flight (or hands an import back for the next process)
//! and takes no new requests; a real server process
//! stops on SIGTERM.

use std::time::Duration;

use app::bulk::job::JobState;
use app::ssr::{ApiKeyStore, ImportStore};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::Executor;

use crate::files::team;
use crate::helpers::{Backend, TestApp, key_name};
use crate::on_both_backends;
use crate::process::ServerProcess;

fn request_id(response: &reqwest::Response) -> String {
    response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

async fn every_answer_carries_a_request_id_that_an_internal_error_is_referenced_by(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin) = app.admin_of("acme").await;

    let page = app.client().get(format!("{}/sign-in", app.address)).send().await.unwrap();
    let id = request_id(&page);
    assert!(id.len() == 10 && id.chars().all(|c| c.is_ascii_alphanumeric()), "a fresh id: {id:?}");
    let again = app.client().get(format!("{}/sign-in", app.address)).send().await.unwrap();
    assert_ne!(request_id(&again), id, "each request has its own id");

    // A proxy's id is kept; anything that is not a plain token is replaced.
    let proxied =
        app.client().get(format!("{}/sign-in", app.address)).header("x-request-id", "edge-7f3a.9").send().await;
    assert_eq!(request_id(&proxied.unwrap()), "edge-7f3a.9");
    let forged =
        app.client().get(format!("{}/sign-in", app.address)).header("x-request-id", "<script>").send().await.unwrap();
    assert_ne!(request_id(&forged), "<script>");

    // With the audit table gone, creating a group fails on the server: the admin is told only a
    // reference, and it is the request's id.
    app.store.pool.execute("DROP TABLE audit_events").await.unwrap();
    let failed = app.call(&admin, "create_group", &[("name", "Nights")]).await;
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let id = request_id(&failed);
    let body: Value = failed.json().await.unwrap();
    assert_eq!(body["Internal"].as_str(), Some(id.as_str()), "{body}");
}

/// Submits a bulk create of Lee and `agents` agents over HTTP: the job's id.
async fn submit_team(app: &TestApp, org_id: i64, agents: usize) -> i64 {
    let token = format!("roster_test-key-{}", crate::helpers::random_name());
    app.store.create_api_key(org_id, None, &key_name("HR sync"), &app::ssr::auth::token_hash(&token)).await.unwrap();
    let url = format!("{}/api/v1/imports?mode=create&delay_welcome_emails=true", app.address);
    let submitted = app.client().post(url).bearer_auth(token).body(team("lee@acme.test", agents)).send().await.unwrap();
    assert_eq!(submitted.status(), StatusCode::ACCEPTED);
    submitted.json::<Value>().await.unwrap()["id"].as_i64().expect("the job's id")
}

/// Waits until a worker runs the job.
async fn running(app: &TestApp, org_id: i64, id: i64) {
    for _ in 0..400 {
        let job = app.store.import_job(org_id, id).await.unwrap().expect("the job");
        if job.state == JobState::Running {
            return;
        }
        assert_eq!(job.state, JobState::Queued, "{job:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no worker took job {id}");
}

async fn users(app: &TestApp, org_id: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(&app.store.pool)
        .await
        .unwrap()
}

async fn a_stopping_server_finishes_the_import_it_runs_then_takes_no_new_requests(backend: Backend) {
    // Thirty seconds of grace for the running import, as in production.
    let mut app = TestApp::spawn_with(backend, |config| {
        config.body_limit = 16 * 1024 * 1024;
        config.jobs.lease_seconds = 30;
    })
    .await;
    let org = app.org_with_admin("acme").await;
    let id = submit_team(&app, org.id, 20_000).await;
    running(&app, org.id, id).await;
    app.shutdown.trigger();

    tokio::time::timeout(Duration::from_secs(60), &mut app.running).await.expect("the server stops").unwrap().unwrap();
    let after = reqwest::Client::new().get(format!("{}/sign-in", app.address)).send().await;
    assert!(after.is_err_and(|e| e.is_connect()), "a stopped server takes no new connections");
    let job = app.store.import_job(org.id, id).await.unwrap().expect("the job");
    assert_eq!(job.state, JobState::Done, "{job:?}");
    assert_eq!(job.result.map(|r| r.counts.new), Some(20_001));
    assert_eq!(users(&app, org.id).await, 20_002, "every user of the file and the admin");
}

/// PostgreSQL only: holding the organisation's row is how a test keeps an import from finishing
/// without keeping the stopping server from handing it back. (On SQLite anything that holds the
/// writer back holds the hand-back too; a killed process, in `jobs.rs`, covers SQLite.)
async fn a_stopping_server_hands_back_an_import_it_cannot_finish_in_time_and_the_next_process_runs_it(
    backend: Backend,
) {
    if !matches!(backend, Backend::Postgres) {
        return;
    }
    let mut app = TestApp::spawn_with(backend, |config| config.jobs.lease_seconds = 1).await;
    let org = app.org_with_admin("acme").await;
    let mut blocker = app.store.pool.begin().await.unwrap();
    sqlx::query("SELECT id FROM organisations WHERE id = $1 FOR NO KEY UPDATE")
        .bind(org.id)
        .fetch_one(&mut *blocker)
        .await
        .unwrap();
    let id = submit_team(&app, org.id, 200).await;
    running(&app, org.id, id).await;
    app.shutdown.trigger();
    tokio::time::timeout(Duration::from_secs(30), &mut app.running).await.expect("the server stops").unwrap().unwrap();
    let job = app.store.import_job(org.id, id).await.unwrap().expect("the job");
    assert_eq!((job.state, job.attempts), (JobState::Queued, 0), "handed back, the attempt not counted: {job:?}");
    blocker.rollback().await.unwrap();
    assert_eq!(users(&app, org.id).await, 1, "nothing saved");

    let next = app.another_process(|_| {}).await;
    let job = crate::helpers::job_end(&next, org.id, id).await;
    assert_eq!(job.state, JobState::Done, "{job:?}");
    assert_eq!(users(&next, org.id).await, 202);
}

async fn a_server_process_stops_on_sigterm(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut process = ServerProcess::start(&app.database_url, app.data_dir(), &[]);
    let page = reqwest::get(format!("{}/sign-in", process.address)).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    process.terminate();
    assert!(process.wait(Duration::from_secs(20)).success(), "a clean exit");
    process.wait_for_log("stopped", Duration::from_secs(5));
}

on_both_backends!(
    every_answer_carries_a_request_id_that_an_internal_error_is_referenced_by,
    a_stopping_server_finishes_the_import_it_runs_then_takes_no_new_requests,
    a_stopping_server_hands_back_an_import_it_cannot_finish_in_time_and_the_next_process_runs_it,
    a_server_process_stops_on_sigterm,
);
