//! API keys: an admin creates, lists and revokes them; the secret is shown once and stored only as
//! a hash; a revoked key is refused at once.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;

use crate::helpers::{Backend, TestApp, error_of};
use crate::on_both_backends;

async fn an_admin_creates_a_key_shown_once_and_revokes_it_and_it_is_refused_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin) = app.admin_of("acme").await;
    let created: Value = app.call(&admin, "create_api_key", &[("name", " Okta sync ")]).await.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("roster_") && secret.len() == 71, "{secret}");
    assert_eq!(created["name"], "Okta sync");

    let listed = app.call(&admin, "api_keys", &[]).await.text().await.unwrap();
    assert!(!listed.contains(&secret[7..]), "the list never carries the secret");
    let stored = sqlx::query("SELECT token_hash FROM api_keys").fetch_one(&app.store.pool).await.unwrap();
    assert_eq!(stored.get::<String, _>(0), app::ssr::auth::token_hash(&secret), "only the SHA-256 is stored");

    let export = format!("{}/api/export/current-team", app.address);
    let http = app.client();
    assert_eq!(http.get(&export).bearer_auth(&secret).send().await.unwrap().status(), StatusCode::OK);
    // Marked used with the call's audit line, written beside the answer.
    crate::helpers::audited_calls(&app, "/api/export/current-team", 1).await;
    let keys: Value = serde_json::from_str(&app.call(&admin, "api_keys", &[]).await.text().await.unwrap()).unwrap();
    assert!(keys[0]["last_used_at"].is_i64(), "{keys}");
    assert_eq!(keys[0]["revoked_at"], Value::Null);

    let id = created["id"].to_string();
    assert_eq!(app.call(&admin, "revoke_api_key", &[("id", &id)]).await.status(), StatusCode::OK);
    assert_eq!(http.get(&export).bearer_auth(&secret).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.call(&admin, "revoke_api_key", &[("id", &id)]).await.status(), StatusCode::OK, "twice is harmless");
    let keys: Value = app.call(&admin, "api_keys", &[]).await.json().await.unwrap();
    assert!(keys[0]["revoked_at"].is_i64(), "{keys}");
    let actions: Vec<String> = sqlx::query("SELECT action FROM audit_events WHERE action LIKE 'api_key.%' ORDER BY id")
        .fetch_all(&app.store.pool)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(actions, ["api_key.created", "api_key.revoked"], "revoking twice is audited once");
}

async fn a_key_needs_a_name_and_belongs_to_one_organisation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, acme) = app.admin_of("acme").await;
    let (_, globex) = app.admin_of("globex").await;
    let (status, body) = error_of(app.call(&acme, "create_api_key", &[("name", "  ")]).await).await;
    assert_eq!((status, body), (StatusCode::UNPROCESSABLE_ENTITY, json!({"Form": ["Enter a name."]})));
    let created: Value = app.call(&acme, "create_api_key", &[("name", "HR sync")]).await.json().await.unwrap();
    let id = created["id"].to_string();
    assert_eq!(app.call(&globex, "revoke_api_key", &[("id", &id)]).await.status(), StatusCode::NOT_FOUND);
    let theirs: Value = app.call(&globex, "api_keys", &[]).await.json().await.unwrap();
    assert_eq!(theirs, json!([]), "globex sees none of acme's keys");
    // acme's key reads acme's team, never globex's.
    let export = app
        .client()
        .get(format!("{}/api/export/current-team", app.address))
        .bearer_auth(created["secret"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let file = app::roster::decode::decode(&export.bytes().await.unwrap()).unwrap();
    assert!(file.contains("admin@acme.test") && !file.contains("globex"), "{file}");
}

on_both_backends!(
    an_admin_creates_a_key_shown_once_and_revokes_it_and_it_is_refused_at_once,
    a_key_needs_a_name_and_belongs_to_one_organisation,
);
