//! Bulk create: the browser's commit (a server function), the HTTP import with an API key, the
//! batch history and the guarantees: all or nothing, leaders in any row order, no double creation,
//! safe concurrent commits.

use app::bulk::job::ImportJob;
use app::bulk::job::JobState;
use app::bulk::{ImportFile, ImportResult, ImportStatus};
use app::roster::Snapshot;
use app::roster::sheet::Mode;
use app::ssr::{ApiKeyStore, Importer};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sqlx::Row;

use crate::files::{agent, leader_row, sheet};
use crate::helpers::{Org, TestApp, error_of, finished, http_import, import_file, key_name, report_of};
use crate::on_both_backends;

fn upload(bytes: Vec<u8>, key: Option<&str>) -> ImportFile {
    ImportFile {
        file_name: "new hires.txt".into(),
        bytes,
        delay_welcome_emails: false,
        idempotency_key: key.map(str::to_owned),
    }
}

/// Commits through the browser's server function (postcard in, postcard out): submits the job,
/// then waits for the worker to end it, as the page does. The job's report, or the refusal.
async fn commit(app: &TestApp, client: &Client, file: ImportFile) -> Result<ImportResult, (StatusCode, Value)> {
    let job = submit(app, client, file).await?;
    Ok(report_of(&finished(app, client, job).await))
}

async fn submit(app: &TestApp, client: &Client, file: ImportFile) -> Result<ImportJob, (StatusCode, Value)> {
    app.call_postcard(client, "bulk_create", postcard::to_allocvec(&app::api::BulkCreate { file }).expect("encode"))
        .await
}

async fn count(app: &TestApp, sql: &str, org: &Org) -> i64 {
    sqlx::query(sql).bind(org.id).fetch_one(&app.store.pool).await.expect("count").get::<i64, _>(0)
}

async fn users(app: &TestApp, org: &Org) -> i64 {
    count(app, "SELECT COUNT(*) FROM users WHERE org_id = $1", org).await
}

async fn a_bad_row_first_in_the_middle_or_last_writes_nothing(backend: crate::helpers::Backend) {
    let app = TestApp::spawn(backend).await;
    let (org, client) = app.admin_of("acme").await;
    let bad = "n\tnot-an-email\t\tBad\tRow\ty\ty\ty\tlee@acme.test\t\t".to_owned();
    for position in [0, 50, 100] {
        let mut rows: Vec<String> = (0..100).map(|n| agent(n, "lee@acme.test")).collect();
        rows.push(leader_row("lee@acme.test"));
        rows.insert(position, bad.clone());
        let result = commit(&app, &client, upload(sheet(&rows), None)).await.expect("a report");
        assert_eq!(result.status, ImportStatus::Rejected);
        assert_eq!(result.counts.errors, 1);
        assert_eq!(result.errors[0].row, Some(position + 2), "the row number a person sees in the spreadsheet");
        assert_eq!(result.errors[0].column.as_deref(), Some("Email Address"));
        assert_eq!(users(&app, &org).await, 1, "only the admin: nothing was written");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM import_batches WHERE org_id = $1", &org).await, 0);
    }
}

async fn a_clean_file_creates_everyone_with_leaders_groups_passwords_emails_and_a_batch_record(
    backend: crate::helpers::Backend,
) {
    let app = TestApp::spawn(backend).await;
    let (org, client) = app.admin_of("acme").await;
    sqlx::query("INSERT INTO groups (org_id, name) VALUES ($1, 'Nights')")
        .bind(org.id)
        .execute(&app.store.pool)
        .await
        .unwrap();
    // Reports come before their leader, who is defined last; one agent has no email address.
    let rows = vec![
        "n\tada@acme.test\t\tAda\tLovelace\ty\ty\ty\tlee@acme.test\t{Nights}\tTemporary pass 1".to_owned(),
        "n\t\tE777\tGrace\tHopper\ty\tn\tn\tlee@acme.test\t\t".to_owned(),
        leader_row("lee@acme.test"),
    ];
    let mut file = upload(sheet(&rows), Some("key-1"));
    file.delay_welcome_emails = true;
    let result = commit(&app, &client, file).await.expect("committed");
    assert_eq!(result.status, ImportStatus::Committed);
    assert_eq!(result.counts.new, 3);
    assert_eq!(users(&app, &org).await, 4);

    let leader_of = |email: &'static str| {
        let pool = app.store.pool.clone();
        async move {
            sqlx::query("SELECT l.email FROM users u JOIN users l ON l.id = u.leader_id WHERE u.email = $1 OR u.employee_id = $1")
                .bind(email)
                .fetch_one(&pool)
                .await
                .expect("a leader")
                .get::<String, _>(0)
        }
    };
    assert_eq!(leader_of("ada@acme.test").await, "lee@acme.test", "a leader defined after their reports resolves");
    assert_eq!(leader_of("E777").await, "lee@acme.test");
    let ada =
        sqlx::query("SELECT password_hash, must_change_password, status FROM users WHERE email = 'ada@acme.test'")
            .fetch_one(&app.store.pool)
            .await
            .unwrap();
    let hash: String = ada.get("password_hash");
    assert!(hash.starts_with("$argon2id$"), "only a hash of the temporary password is stored");
    assert!(app::ssr::auth::verify_password("Temporary pass 1", Some(&hash)));
    assert_eq!(ada.get::<String, _>("status"), "created");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM user_groups WHERE org_id = $1", &org).await, 1);
    // Welcome emails: one per new user with an address, held because the admin delayed them.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox_emails WHERE org_id = $1", &org).await, 2);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox_emails WHERE org_id = $1 AND held = TRUE", &org).await, 2);

    // The history: the batch with its counts, file name and hash, and the users it created.
    let response = app.call(&client, "list_batches", &[("page", "0")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let batches: Value = response.json().await.unwrap();
    assert_eq!(batches[0]["file_name"], "new hires.txt");
    assert_eq!(batches[0]["counts"]["new"], 3);
    assert_eq!(batches[0]["committed_by"], "Admin acme");
    assert_eq!(batches[0]["file_sha256"].as_str().map(str::len), Some(64));
    let id = batches[0]["id"].to_string();
    let detail: Value = app.call(&client, "batch_detail", &[("id", &id), ("page", "0")]).await.json().await.unwrap();
    assert_eq!(detail["total_users"], 3);
    let rows: Vec<i64> =
        detail["users"].as_array().unwrap().iter().map(|u| u["row_number"].as_i64().unwrap()).collect();
    assert_eq!(rows, [2, 3, 4]);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_events WHERE org_id = $1 AND action = 'batch.committed'", &org).await,
        1
    );
}

async fn a_retry_with_the_same_key_creates_nothing_twice(backend: crate::helpers::Backend) {
    let app = TestApp::spawn(backend).await;
    let (org, client) = app.admin_of("acme").await;
    let rows = vec![leader_row("lee@acme.test"), agent(1, "lee@acme.test")];
    let first = commit(&app, &client, upload(sheet(&rows), Some("retry-key"))).await.expect("committed");
    assert_eq!(first.status, ImportStatus::Committed);
    let again = submit(&app, &client, upload(sheet(&rows), Some("retry-key"))).await.expect("answered");
    assert_eq!(again.result.as_ref().map(|r| r.status), Some(ImportStatus::Committed), "the first job, ended");
    assert_eq!(
        again.result.and_then(|r| r.batch_id),
        first.batch_id,
        "the retry is told about the batch it already made"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM import_jobs WHERE org_id = $1", &org).await, 1, "one job per key");
    assert_eq!(users(&app, &org).await, 3);

    let other = vec![leader_row("max@acme.test")];
    let (status, error) = commit(&app, &client, upload(sheet(&other), Some("retry-key"))).await.expect_err("refused");
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(error["Conflict"].as_str().unwrap().contains("different file"), "{error}");
    assert_eq!(users(&app, &org).await, 3);
}

async fn two_concurrent_commits_of_the_same_email_one_wins_and_the_other_writes_nothing(
    backend: crate::helpers::Backend,
) {
    let app = TestApp::spawn(backend).await;
    let (org, client) = app.admin_of("acme").await;
    let mut first: Vec<String> = (0..300).map(|n| agent(n, "lee@acme.test")).collect();
    first.push(leader_row("lee@acme.test"));
    let mut second: Vec<String> = (1000..1300).map(|n| agent(n, "lee@acme.test")).collect();
    second.push(leader_row("lee@acme.test"));
    let (a, b) = tokio::join!(
        commit(&app, &client, upload(sheet(&first), Some("a"))),
        commit(&app, &client, upload(sheet(&second), Some("b")))
    );
    let (a, b) = (a.expect("answered"), b.expect("answered"));
    let statuses = [a.status, b.status];
    assert!(statuses.contains(&ImportStatus::Committed) && statuses.contains(&ImportStatus::Rejected), "{statuses:?}");
    let loser = if a.status == ImportStatus::Rejected { &a } else { &b };
    assert!(
        loser.errors.iter().any(|e| e.code == "duplicate_email" && e.message.contains("already belongs to")),
        "{:?}",
        loser.errors
    );
    assert_eq!(users(&app, &org).await, 1 + 301, "the winner's users and nothing of the loser's");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM import_batches WHERE org_id = $1", &org).await, 1);
}

async fn only_signed_in_admins_can_load_the_snapshot_or_commit(backend: crate::helpers::Backend) {
    let app = TestApp::spawn(backend).await;
    let (org, admin) = app.admin_of("acme").await;
    app.insert_user(&org, "Tom", "Member", "tom@acme.test", false, Some(org.admin_id)).await;
    let member = app.signed_in("acme", "tom@acme.test").await;
    let file = || upload(sheet(&[leader_row("lee@acme.test")]), None);
    assert_eq!(commit(&app, &app.client(), file()).await.expect_err("refused").0, StatusCode::UNAUTHORIZED);
    assert_eq!(commit(&app, &member, file()).await.expect_err("refused").0, StatusCode::FORBIDDEN);
    assert_eq!(app.call(&member, "bulk_snapshot", &[]).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(users(&app, &org).await, 2);

    let response = app.call(&admin, "bulk_snapshot", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/x-postcard");
    let snapshot: Snapshot = postcard::from_bytes(&response.bytes().await.unwrap()).expect("a snapshot");
    assert_eq!(snapshot.users.len(), 2);
    assert!(snapshot.users.iter().any(|u| u.email_key.as_deref() == Some("tom@acme.test")));
    assert_eq!(snapshot.org.roles.len(), 3);
}

async fn batches_of_one_organisation_are_invisible_to_another(backend: crate::helpers::Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, acme) = app.admin_of("acme").await;
    let (_, globex) = app.admin_of("globex").await;
    let result = commit(&app, &acme, upload(sheet(&[leader_row("lee@acme.test")]), None)).await.expect("committed");
    let id = result.batch_id.expect("a batch").to_string();
    let response = app.call(&globex, "batch_detail", &[("id", &id), ("page", "0")]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let listed: Value = app.call(&globex, "list_batches", &[("page", "0")]).await.json().await.unwrap();
    assert_eq!(listed, json!([]));
}

async fn an_api_key_imports_over_http_with_a_dry_run_first(backend: crate::helpers::Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    let token = "roster_test-key-0123456789";
    app.store.create_api_key(org.id, None, &key_name("Okta sync"), &app::ssr::auth::token_hash(token)).await.unwrap();
    let http = Client::new();
    let url = |query: &str| format!("{}/api/v1/imports?{query}", app.address);
    let file = sheet(&[leader_row("lee@acme.test"), agent(1, "lee@acme.test")]);

    let dry = http.post(url("mode=create&dry_run=true")).bearer_auth(token).body(file.clone()).send().await.unwrap();
    assert_eq!(dry.status(), StatusCode::OK);
    let dry: Value = dry.json().await.unwrap();
    assert_eq!(dry["status"], "dry_run");
    assert_eq!(dry["counts"], json!({"new": 2, "changed": 0, "unchanged": 0, "errors": 0}));
    assert_eq!(users(&app, &org).await, 1, "a dry run writes nothing");

    let ended = http_import(&app, token, "mode=create&file_name=okta.txt", Some("sync-42"), file).await;
    assert_eq!(ended["result"]["status"], "committed", "{ended}");
    assert_eq!(users(&app, &org).await, 3);
    let by: String = sqlx::query_scalar("SELECT source FROM import_batches").fetch_one(&app.store.pool).await.unwrap();
    assert_eq!(by, "api");

    // A file that is not UTF-16: a file-level error with a null row, status 422.
    let csv = http.post(url("mode=create")).bearer_auth(token).body("First Name,Last Name\n").send().await.unwrap();
    assert_eq!(csv.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let csv: Value = csv.json().await.unwrap();
    assert_eq!((&csv["state"], &csv["result"]["status"]), (&json!("rejected"), &json!("rejected")), "{csv}");
    assert_eq!(csv["result"]["errors"][0]["row"], Value::Null);
    assert!(csv["result"]["errors"][0]["message"].as_str().unwrap().contains("Unicode"), "{csv}");

    let no_key = http.post(url("mode=create")).body("x").send().await.unwrap();
    assert_eq!(no_key.status(), StatusCode::UNAUTHORIZED);
    let wrong = http.post(url("mode=create")).bearer_auth("roster_wrong").body("x").send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let mode = http.post(url("mode=delete")).bearer_auth(token).body("x").send().await.unwrap();
    assert_eq!(mode.status(), StatusCode::BAD_REQUEST);
    assert_eq!(users(&app, &org).await, 3);
}

async fn a_file_over_the_body_limit_gets_a_clear_message_and_changes_nothing(backend: crate::helpers::Backend) {
    let app = TestApp::spawn(backend).await;
    let (org, client) = app.admin_of("acme").await;
    // The test app accepts 1 MB bodies.
    let rows: Vec<String> = (0..20_000).map(|n| agent(n, "lee@acme.test")).collect();
    let (status, error) = commit(&app, &client, upload(sheet(&rows), None)).await.expect_err("refused");
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error, json!({"TooLarge": {"limit_mb": 1}}));
    let message = serde_json::from_value::<app::AppError>(error).unwrap().to_string();
    assert!(message.contains("larger than the 1 MB this server accepts"), "{message}");
    assert_eq!(users(&app, &org).await, 1);
}

async fn a_file_is_checked_again_inside_the_transaction_against_what_changed_since_the_preview(
    backend: crate::helpers::Backend,
) {
    let app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    let file = ImportFile {
        file_name: "direct.txt".into(),
        ..upload(sheet(&[leader_row("lee@acme.test"), agent(1, "lee@acme.test")]), None)
    };
    // Someone creates agent1 after the admin previewed the file.
    app.insert_user(&org, "Agent", "One", "agent1@acme.test", false, Some(org.admin_id)).await;
    let job = import_file(&app, org.id, Importer::CommandLine, Mode::Create, &file).await;
    assert_eq!(job.state, JobState::Rejected);
    let report = report_of(&job);
    assert_eq!(report.errors.len(), 1);
    assert_eq!((report.errors[0].row, report.errors[0].code.as_str()), (Some(3), "duplicate_email"));
    assert_eq!(users(&app, &org).await, 2);
}

async fn two_server_processes_committing_at_once_are_ordered_by_the_database(backend: crate::helpers::Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    // A second server process on the same database, with its own import worker.
    let other_process = app.another_process(|_| {}).await;
    let mut first: Vec<String> = (0..2_000).map(|n| agent(n, "lee@acme.test")).collect();
    first.push(leader_row("lee@acme.test"));
    let mut second: Vec<String> = (5_000..7_000).map(|n| agent(n, "lee@acme.test")).collect();
    second.push(leader_row("lee@acme.test"));
    let (first, second) = (upload(sheet(&first), Some("first")), upload(sheet(&second), Some("second")));
    let (a, b) = tokio::join!(
        import_file(&app, org.id, Importer::CommandLine, Mode::Create, &first),
        import_file(&other_process, org.id, Importer::CommandLine, Mode::Create, &second)
    );
    let mut states = [a.state, b.state];
    states.sort();
    assert_eq!(states, [JobState::Done, JobState::Rejected], "one file is checked against what the other wrote");
    assert_eq!(users(&app, &org).await, 1 + 2_001);
}

async fn malformed_uploads_get_a_clear_error_and_change_nothing(backend: crate::helpers::Backend) {
    let app = TestApp::spawn(backend).await;
    let (org, client) = app.admin_of("acme").await;
    // A body that is not the encoded upload at all.
    let garbage = client
        .post(format!("{}/api/bulk_create", app.address))
        .header("content-type", "application/x-postcard")
        .body(vec![0xff_u8; 64])
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(garbage).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error["BadRequest"].as_str().is_some_and(|m| m.contains("could not be read")), "{error}");
    // An idempotency key that is not a short printable token.
    let (status, error) =
        commit(&app, &client, upload(sheet(&[leader_row("lee@acme.test")]), Some("has spaces in it")))
            .await
            .unwrap_err();
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error["BadRequest"].as_str().is_some_and(|m| m.contains("idempotency key")), "{error}");
    // An empty file.
    let empty = commit(&app, &client, upload(Vec::new(), None)).await.expect("a report");
    assert_eq!((empty.status, empty.errors[0].row), (ImportStatus::Rejected, None));
    // Over HTTP, a query that cannot be read.
    let token = "roster_test-key-bad-input";
    app.store.create_api_key(org.id, None, &key_name("sync"), &app::ssr::auth::token_hash(token)).await.unwrap();
    let url = format!("{}/api/v1/imports?mode=create&dry_run=maybe", app.address);
    let response =
        Client::new().post(url).bearer_auth(token).body(sheet(&[leader_row("x@acme.test")])).send().await.unwrap();
    let (status, error) = error_of(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error["BadRequest"].as_str().is_some_and(|m| m.contains("mode=create")), "{error}");
    assert_eq!(users(&app, &org).await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM import_batches WHERE org_id = $1", &org).await, 0);
}

/// A file whose Phone Channel column is headed "Phone", with a "Notes" column Roster has no use for.
fn file_with_strays(rows: &[String]) -> Vec<u8> {
    let header = crate::files::HEADER.replace("*Phone Channel", "Phone") + "\tNotes";
    let rows: Vec<String> = rows.iter().map(|row| format!("{row}\tmet at the fair")).collect();
    app::roster::write::utf16le(&format!("{header}\r\n{}\r\n", rows.join("\r\n")))
}

async fn column_names(app: &TestApp, client: &Client) -> Vec<(String, String)> {
    let names: Value = app.call(client, "column_names", &[]).await.json().await.expect("the names");
    let pairs = names.as_array().expect("a list").iter();
    pairs.map(|n| (n["header"].as_str().unwrap().to_owned(), format!("{}", n["meaning"]))).collect()
}

async fn a_header_name_an_admin_taught_reads_every_later_file_of_the_organisation_and_no_other(
    backend: crate::helpers::Backend,
) {
    let app = TestApp::spawn(backend).await;
    let (org, client) = app.admin_of("acme").await;
    let (globex, globex_admin) = app.admin_of("globex").await;
    let rows = [leader_row("lee@acme.test"), agent(1, "lee@acme.test")];

    let refused = commit(&app, &client, upload(file_with_strays(&rows), None)).await.expect("a report");
    assert_eq!(refused.status, ImportStatus::Rejected);
    let messages: Vec<&str> = refused.errors.iter().map(|e| e.message.as_str()).collect();
    assert!(
        messages[0].contains("\"Phone\"") && messages[0].contains("Did you mean \"Phone Channel\"?"),
        "{messages:?}"
    );
    assert!(messages[1].contains("\"Notes\"") && !messages[1].contains("Did you mean"), "{messages:?}");

    let taught =
        app.call(&client, "remember_column_name", &[("header", " phone "), ("meaning", "phone_channel")]).await;
    assert_eq!(taught.status(), StatusCode::OK);
    let ignored = app.call(&client, "remember_column_name", &[("header", "Notes"), ("meaning", "ignore")]).await;
    assert_eq!(ignored.status(), StatusCode::OK);
    let names = column_names(&app, &client).await;
    assert_eq!(names.iter().map(|(h, _)| h.as_str()).collect::<Vec<_>>(), ["Notes", "phone"], "{names:?}");

    // Bad names change nothing and say why.
    for (header, meaning, says) in [
        ("First Name", "last_name", "already Roster's own name"),
        ("Phone", "shoe_size", "not something a column can hold"),
        ("Phone\tNumber", "phone_channel", "one line"),
        ("", "ignore", "Enter the column's header"),
    ] {
        let (status, body) =
            error_of(app.call(&client, "remember_column_name", &[("header", header), ("meaning", meaning)]).await)
                .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{header}");
        assert!(body["Form"][0].as_str().is_some_and(|m| m.contains(says)), "{header}: {body}");
    }
    assert_eq!(column_names(&app, &client).await, names);

    let created = commit(&app, &client, upload(file_with_strays(&rows), None)).await.expect("a report");
    assert_eq!((created.status, created.counts.new), (ImportStatus::Committed, 2), "{:?}", created.errors);
    let phone = "SELECT COUNT(*) FROM users WHERE org_id = $1 AND phone_channel = TRUE";
    assert_eq!(count(&app, phone, &org).await, 2, "the \"Phone\" column was read as Phone Channel");

    // Scripts' imports are read with the same names.
    let token = "roster_test-key-names-0123456789";
    app.store.create_api_key(org.id, None, &key_name("HR export"), &app::ssr::auth::token_hash(token)).await.unwrap();
    let http = Client::new();
    let url = format!("{}/api/v1/imports?mode=create&dry_run=true", app.address);
    let more = file_with_strays(&[agent(2, "lee@acme.test")]);
    let dry: Value = http.post(&url).bearer_auth(token).body(more.clone()).send().await.unwrap().json().await.unwrap();
    assert_eq!((&dry["status"], &dry["counts"]["new"]), (&json!("dry_run"), &json!(1)), "{dry}");

    // Another organisation's files know nothing of them.
    assert!(column_names(&app, &globex_admin).await.is_empty());
    let theirs = [leader_row("lee@globex.test"), agent(1, "lee@globex.test").replace("acme", "globex")];
    let elsewhere = commit(&app, &globex_admin, upload(file_with_strays(&theirs), None)).await.expect("a report");
    assert_eq!(elsewhere.status, ImportStatus::Rejected);
    assert_eq!(users(&app, &globex).await, 1);
    let (status, _) = error_of(app.call(&globex_admin, "forget_column_name", &[("header", "Phone")]).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nor can its admin forget them");

    // Forgotten, the header is a stray column again.
    assert_eq!(app.call(&client, "forget_column_name", &[("header", "PHONE")]).await.status(), StatusCode::OK);
    let (status, _) = error_of(app.call(&client, "forget_column_name", &[("header", "Phone")]).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(column_names(&app, &client).await.len(), 1);
    let refused = commit(&app, &client, upload(more, None)).await.expect("a report");
    assert_eq!(refused.status, ImportStatus::Rejected);
    assert!(refused.errors[0].message.contains("\"Phone\""), "{:?}", refused.errors);
    let audited = "SELECT COUNT(*) FROM audit_events WHERE org_id = $1 AND action LIKE 'column_name.%'";
    assert_eq!(count(&app, audited, &org).await, 3);
}

on_both_backends!(
    a_header_name_an_admin_taught_reads_every_later_file_of_the_organisation_and_no_other,
    malformed_uploads_get_a_clear_error_and_change_nothing,
    a_file_is_checked_again_inside_the_transaction_against_what_changed_since_the_preview,
    two_server_processes_committing_at_once_are_ordered_by_the_database,
    a_bad_row_first_in_the_middle_or_last_writes_nothing,
    a_clean_file_creates_everyone_with_leaders_groups_passwords_emails_and_a_batch_record,
    a_retry_with_the_same_key_creates_nothing_twice,
    two_concurrent_commits_of_the_same_email_one_wins_and_the_other_writes_nothing,
    only_signed_in_admins_can_load_the_snapshot_or_commit,
    batches_of_one_organisation_are_invisible_to_another,
    an_api_key_imports_over_http_with_a_dry_run_first,
    a_file_over_the_body_limit_gets_a_clear_message_and_changes_nothing,
);
