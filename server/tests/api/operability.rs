//! Running Roster: every answer carries a request id, by which an internal error is referenced;
//! a stopping server finishes the work in flight and takes no new requests; a real server process
//! stops on SIGTERM.

use std::time::Duration;

use app::ssr::ApiKeyStore;
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

async fn a_stopping_server_finishes_the_commit_in_flight_then_takes_no_new_requests(backend: Backend) {
    let app = TestApp::spawn_with(backend, |config| config.body_limit = 16 * 1024 * 1024).await;
    let org = app.org_with_admin("acme").await;
    let token = "roster_test-key-shutdown";
    app.store.create_api_key(org.id, None, &key_name("HR sync"), &app::ssr::auth::token_hash(token)).await.unwrap();
    let url = format!("{}/api/v1/imports?mode=create&delay_welcome_emails=true", app.address);
    let import =
        tokio::spawn(reqwest::Client::new().post(url).bearer_auth(token).body(team("lee@acme.test", 20_000)).send());
    tokio::time::sleep(Duration::from_millis(150)).await;
    app.shutdown.trigger();

    let response = import.await.unwrap().expect("the import in flight is answered");
    assert_eq!(response.status(), StatusCode::OK);
    let result: Value = response.json().await.unwrap();
    assert_eq!((result["status"].as_str(), result["counts"]["new"].as_u64()), (Some("committed"), Some(20_001)));
    tokio::time::timeout(Duration::from_secs(30), app.running).await.expect("the server stops").unwrap().unwrap();
    let after = reqwest::Client::new().get(format!("{}/sign-in", app.address)).send().await;
    assert!(after.is_err_and(|e| e.is_connect()), "a stopped server takes no new connections");
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE org_id = $1")
        .bind(org.id)
        .fetch_one(&app.store.pool)
        .await
        .unwrap();
    assert_eq!(users, 20_002, "every user of the file and the admin");
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
    a_stopping_server_finishes_the_commit_in_flight_then_takes_no_new_requests,
    a_server_process_stops_on_sigterm,
);
