//! Bulk update: Download Current Team, then the commit of the edited file through the browser's
//! server function, the HTTP API and the command line, with its guarantees: untouched is a no-op,
//! swaps are legal, managers keep their place, someone else's edit is never overwritten, all or
//! nothing, and a deactivated user is signed out at once.

use app::bulk::job::ImportJob;
use app::bulk::{ImportFile, ImportResult, ImportStatus};
use app::roster::current::TeamSnapshot;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sqlx::Row;

use crate::helpers::{Backend, Org, PASSWORD, TestApp, agent_form, finished, http_import, key_name, report_of};
use crate::on_both_backends;
use app::ssr::ApiKeyStore;

/// Downloads the current team as the signed-in admin.
async fn download(app: &TestApp, client: &Client) -> Vec<u8> {
    let response =
        client.get(format!("{}/api/export/current-team", app.address)).send().await.expect("the request is sent");
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment; filename=\"roster-current-team-"), "{disposition}");
    response.bytes().await.expect("a file").to_vec()
}

/// The file with cells changed: (the row's email address, column header, new value).
fn edit(bytes: &[u8], edits: &[(&str, &str, &str)]) -> Vec<u8> {
    assert_eq!(&bytes[..2], &[0xFF, 0xFE], "UTF-16LE with a byte-order mark");
    let text = app::roster::decode::decode(bytes).expect("the export decodes");
    let table = app::roster::parse::Table::parse(&text);
    let mut rows: Vec<Vec<String>> = table.records().map(|r| r.cells().map(str::to_owned).collect()).collect();
    let header = rows[0].clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name}"));
    let email = column("Email Address");
    for (who, header, value) in edits {
        let at = column(header);
        let row = rows.iter_mut().find(|r| r[email] == *who).unwrap_or_else(|| panic!("no row for {who}"));
        row[at] = (*value).to_owned();
    }
    app::roster::write::utf16le(&app::roster::write::tsv(rows.iter().map(|r| r.iter().map(String::as_str))))
}

fn upload(bytes: Vec<u8>, key: Option<&str>) -> ImportFile {
    ImportFile {
        file_name: "team.txt".into(),
        bytes,
        delay_welcome_emails: false,
        idempotency_key: key.map(str::to_owned),
    }
}

async fn commit(app: &TestApp, client: &Client, file: ImportFile) -> Result<ImportResult, (StatusCode, Value)> {
    let job = submit(app, client, file).await?;
    Ok(report_of(&finished(app, client, job).await))
}

async fn submit(app: &TestApp, client: &Client, file: ImportFile) -> Result<ImportJob, (StatusCode, Value)> {
    app.call_postcard(client, "bulk_update", postcard::to_allocvec(&app::api::BulkUpdate { file }).expect("encode"))
        .await
}

/// Lee leads Ada and Bob; everyone has the test password.
struct Team {
    org: Org,
    admin: Client,
    lee: i64,
    ada: i64,
    bob: i64,
}

async fn team(app: &TestApp) -> Team {
    let (org, admin) = app.admin_of("acme").await;
    let lee = app.insert_user(&org, "Lee", "Leader", "lee@acme.test", true, Some(org.admin_id)).await;
    let ada = app.insert_user(&org, "Ada", "Lovelace", "ada@acme.test", false, Some(lee)).await;
    let bob = app.insert_user(&org, "Bob", "Babbage", "bob@acme.test", false, Some(lee)).await;
    Team { org, admin, lee, ada, bob }
}

/// (email, version, status) of a user.
async fn user(app: &TestApp, id: i64) -> (Option<String>, i64, String) {
    let row = sqlx::query("SELECT email, version, status FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&app.store.pool)
        .await
        .expect("the user");
    (row.get("email"), row.get("version"), row.get("status"))
}

async fn a_downloaded_team_uploaded_untouched_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = team(&app).await;
    let before = user(&app, t.ada).await;
    let result = commit(&app, &t.admin, upload(download(&app, &t.admin).await, None)).await.expect("a report");
    assert_eq!(result.status, ImportStatus::Committed, "{:?}", result.errors);
    assert_eq!((result.counts.changed, result.counts.unchanged, result.counts.errors), (0, 4, 0));
    assert_eq!(user(&app, t.ada).await, before, "not even the version moves");
}

async fn two_users_swap_email_addresses_and_each_change_is_audited_before_and_after(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = team(&app).await;
    let file = edit(
        &download(&app, &t.admin).await,
        &[("ada@acme.test", "Email Address", "bob@acme.test"), ("bob@acme.test", "Email Address", "ada@acme.test")],
    );
    let result = commit(&app, &t.admin, upload(file, None)).await.expect("a report");
    assert_eq!(result.status, ImportStatus::Committed, "{:?}", result.errors);
    assert_eq!((result.counts.changed, result.counts.unchanged), (2, 2));
    let (ada, bob) = (user(&app, t.ada).await, user(&app, t.bob).await);
    assert_eq!((ada.0.as_deref(), bob.0.as_deref()), (Some("bob@acme.test"), Some("ada@acme.test")));
    assert_eq!(ada.1, 2, "the version moves on");

    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_events WHERE subject_id = $1 AND action = 'user.updated' AND actor_id = $2",
    )
    .bind(t.ada)
    .bind(t.org.admin_id)
    .fetch_one(&app.store.pool)
    .await
    .expect("an audit entry for Ada");
    let detail: Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["changes"], json!({"email": ["ada@acme.test", "bob@acme.test"]}));
    assert_eq!(detail["batch_id"], result.batch_id.unwrap());

    let response =
        app.call(&t.admin, "batch_detail", &[("id", &result.batch_id.unwrap().to_string()), ("page", "0")]).await;
    let batch: Value = response.json().await.unwrap();
    assert_eq!(batch["batch"]["mode"], "update");
    assert_eq!(batch["batch"]["counts"]["changed"], 2);
    let ada_entry = batch["users"].as_array().unwrap().iter().find(|u| u["user_id"] == t.ada).unwrap();
    assert_eq!(ada_entry["changes"], json!([["Email Address", "ada@acme.test", "bob@acme.test"]]));
}

async fn users_who_can_manage_teams_keep_their_leader_and_stay_active_and_the_file_saves_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = team(&app).await;
    let file = edit(
        &download(&app, &t.admin).await,
        &[("lee@acme.test", "Deactivated", "y"), ("ada@acme.test", "First Name", "Augusta")],
    );
    let result = commit(&app, &t.admin, upload(file, None)).await.expect("a report");
    assert_eq!(result.status, ImportStatus::Rejected);
    let codes: Vec<&str> = result.errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, ["manager_not_deactivated_in_bulk"]);
    assert_eq!(user(&app, t.ada).await.1, 1, "Ada's change was not saved either");
    assert_eq!(user(&app, t.lee).await.2, "active");
}

async fn one_bad_row_anywhere_updates_no_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = team(&app).await;
    let file = edit(
        &download(&app, &t.admin).await,
        &[("ada@acme.test", "Home Town", "London"), ("bob@acme.test", "Phone Channel", "sometimes")],
    );
    let result = commit(&app, &t.admin, upload(file, None)).await.expect("a report");
    assert_eq!(result.status, ImportStatus::Rejected);
    assert_eq!(result.errors[0].column.as_deref(), Some("Phone Channel"));
    assert_eq!(user(&app, t.ada).await.1, 1);
    let batches: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM import_batches").fetch_one(&app.store.pool).await.unwrap();
    assert_eq!(batches, 0);
}

/// A REST change of `fields` to the employee with `email`, by the API key `token`.
async fn rest_change(app: &TestApp, token: &str, email: &str, fields: Value) {
    let response = app
        .client()
        .patch(format!("{}/api/v2/employees/{email}", app.address))
        .bearer_auth(token)
        .json(&fields)
        .send()
        .await
        .expect("the request is sent");
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap_or_default());
}

async fn text_of(app: &TestApp, id: i64, column: &str) -> String {
    let sql = format!("SELECT COALESCE({column}, '') FROM users WHERE id = $1");
    sqlx::query_scalar(&sql).bind(id).fetch_one(&app.store.pool).await.expect("the user")
}

async fn a_stale_file_merges_field_by_field_and_a_field_both_sides_changed_needs_a_choice(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = team(&app).await;
    let token = crate::helpers::api_key(&app, &t.org, "HR sync").await;

    // After the download, another admin renames Ada in the form and the HR system moves her town.
    let downloaded = download(&app, &t.admin).await;
    let mut form = agent_form("Ada", "King", "ada@acme.test", "lee@acme.test");
    let (id, version) = (t.ada.to_string(), "1".to_owned());
    form.extend([("form[id]", id.as_str()), ("form[version]", version.as_str())]);
    let saved = app.call(&t.admin, "save_user", &form).await;
    assert_eq!(saved.status(), StatusCode::OK, "{}", saved.text().await.unwrap_or_default());
    rest_change(&app, &token, "ada@acme.test", json!({"home_town": "Leeds"})).await;

    // The file changes only Ada's employee status and Bob's town: it applies over the newer values.
    let file = edit(
        &downloaded,
        &[("ada@acme.test", "Employment Status", "Part Time"), ("bob@acme.test", "Home Town", "Paris")],
    );
    let result = commit(&app, &t.admin, upload(file, None)).await.expect("a report");
    assert_eq!((result.status, result.counts.changed), (ImportStatus::Committed, 2), "{:?}", result.errors);
    assert_eq!(text_of(&app, t.ada, "last_name").await, "King", "the other admin's change is kept");
    assert_eq!(text_of(&app, t.ada, "home_town").await, "Leeds", "so is the HR system's");
    assert_eq!(text_of(&app, t.ada, "employment_status").await, "Part Time");
    assert_eq!(text_of(&app, t.bob, "home_town").await, "Paris");

    // A file older than a change of the same field: refused, naming theirs, yours and who.
    let downloaded = download(&app, &t.admin).await;
    rest_change(&app, &token, "ada@acme.test", json!({"home_town": "York"})).await;
    let file = edit(&downloaded, &[("ada@acme.test", "Home Town", "Rome")]);
    let result = commit(&app, &t.admin, upload(file.clone(), None)).await.expect("a report");
    assert_eq!(result.status, ImportStatus::Rejected);
    let problem = &result.errors[0];
    assert_eq!((problem.code.as_str(), problem.column.as_deref()), ("changed_on_both_sides", Some("Home Town")));
    assert!(problem.message.starts_with("the API key \"HR sync\" also changed Home Town"), "{}", problem.message);
    assert!(problem.message.contains("theirs is \"York\", yours is \"Rome\""), "{}", problem.message);
    assert_eq!(text_of(&app, t.ada, "home_town").await, "York", "nothing was saved");

    // The admin keeps theirs or yours: the preview's correction, which the server checks again.
    let snapshot: TeamSnapshot =
        app.call_postcard(&t.admin, "bulk_update_snapshot", Vec::new()).await.expect("the admin's snapshot");
    let settled = |keep| {
        let text = app::roster::decode::decode(&file).expect("the file decodes");
        let table = app::roster::parse::Table::parse(&text);
        let mut edits = app::roster::edit::Edits::default();
        for (row, column, value) in app::roster::merge::settle(&table, &snapshot.org, &snapshot.team, keep, None) {
            edits.set(&table, row, column, &value).expect("a cell of the file");
        }
        app::roster::write::utf16le(&edits.apply(&table))
    };
    let yours = settled(app::roster::merge::Keep::Yours);
    let result = commit(&app, &t.admin, upload(yours.clone(), None)).await.expect("a report");
    assert_eq!(result.status, ImportStatus::Committed, "{:?}", result.errors);
    assert_eq!(text_of(&app, t.ada, "home_town").await, "Rome");

    // A choice made against a version that moved on again is judged again: the same field, a conflict.
    rest_change(&app, &token, "ada@acme.test", json!({"home_town": "Oslo"})).await;
    let result = commit(&app, &t.admin, upload(yours, None)).await.expect("a report");
    assert_eq!(result.status, ImportStatus::Rejected);
    assert_eq!(result.errors[0].code, "changed_on_both_sides");

    // A deactivation on the form is in the trail too: a file older than it still applies its own
    // change, and Ada stays deactivated (the file's "n" is the value from before).
    let downloaded = download(&app, &t.admin).await;
    let deactivated = app.call_json(&t.admin, "deactivate_users", json!({"ids": [t.ada], "replacements": []})).await;
    assert_eq!(deactivated.status(), StatusCode::OK, "{}", deactivated.text().await.unwrap_or_default());
    let file = edit(&downloaded, &[("ada@acme.test", "Home Town", "Turin")]);
    let result = commit(&app, &t.admin, upload(file, None)).await.expect("a report");
    assert_eq!(result.status, ImportStatus::Committed, "{:?}", result.errors);
    assert_eq!(text_of(&app, t.ada, "home_town").await, "Turin");
    assert_eq!(user(&app, t.ada).await.2, "deactivated");

    // A write the trail has no record of (here one made behind Roster's back) leaves a gap: a file
    // older than it conflicts as a whole, naming who changed the user and when.
    let downloaded = download(&app, &t.admin).await;
    sqlx::query("UPDATE users SET version = version + 1 WHERE id = $1")
        .bind(t.ada)
        .execute(&app.store.pool)
        .await
        .unwrap();
    let file = edit(&downloaded, &[("ada@acme.test", "Home Town", "Milan")]);
    let result = commit(&app, &t.admin, upload(file, None)).await.expect("a report");
    assert_eq!(result.errors.iter().map(|e| e.code.as_str()).collect::<Vec<_>>(), ["conflict"]);
    assert!(
        result.errors[0].message.starts_with("Ada King was changed by Admin acme at "),
        "{}",
        result.errors[0].message
    );
}

async fn deactivating_a_user_in_bulk_ends_their_session_at_once_and_reactivating_lets_them_back(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = team(&app).await;
    let ada = app.signed_in("acme", "ada@acme.test").await;
    let viewer = |client: Client| {
        let app = &app;
        async move { app.call(&client, "current_viewer", &[]).await.json::<Value>().await.unwrap() }
    };
    assert_eq!(viewer(ada.clone()).await["user_id"], t.ada);

    let file = edit(&download(&app, &t.admin).await, &[("ada@acme.test", "Deactivated", "y")]);
    let result = commit(&app, &t.admin, upload(file, None)).await.expect("a report");
    assert_eq!(result.status, ImportStatus::Committed, "{:?}", result.errors);
    assert_eq!(viewer(ada.clone()).await, Value::Null, "the open session ended");
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
        .bind(t.ada)
        .fetch_one(&app.store.pool)
        .await
        .unwrap();
    assert_eq!(sessions, 0);
    let refused = app.sign_in(&app.client(), "acme", "ada@acme.test", PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(user(&app, t.ada).await.2, "deactivated");

    let file = edit(&download(&app, &t.admin).await, &[("ada@acme.test", "Deactivated", "n")]);
    let result = commit(&app, &t.admin, upload(file, None)).await.expect("a report");
    assert_eq!(result.status, ImportStatus::Committed, "{:?}", result.errors);
    assert_eq!(user(&app, t.ada).await.2, "active", "she had signed in before, so she is active again");
    let back = app.sign_in(&app.client(), "acme", "ada@acme.test", PASSWORD).await;
    assert_eq!(back.status(), StatusCode::OK);
}

async fn a_retry_with_the_same_key_updates_nothing_twice(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = team(&app).await;
    let file = edit(&download(&app, &t.admin).await, &[("ada@acme.test", "Home Town", "London")]);
    let first = commit(&app, &t.admin, upload(file.clone(), Some("update-1"))).await.expect("a report");
    let again = submit(&app, &t.admin, upload(file, Some("update-1"))).await.expect("answered");
    assert_eq!(first.status, ImportStatus::Committed);
    let again = again.result.expect("the first job, ended, with its report");
    assert_eq!((again.status, again.batch_id), (ImportStatus::Committed, first.batch_id));
    assert_eq!(user(&app, t.ada).await.1, 2, "updated once");
}

async fn members_cannot_download_and_admins_download_only_their_own_team(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = team(&app).await;
    let (_, other_admin) = app.admin_of("globex").await;
    let url = format!("{}/api/export/current-team", app.address);
    assert_eq!(app.client().get(&url).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let member = app.signed_in("acme", "ada@acme.test").await;
    assert_eq!(member.get(&url).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let theirs = app::roster::decode::decode(&download(&app, &other_admin).await).unwrap();
    assert_eq!(theirs.lines().count(), 2, "the header and globex's admin: {theirs}");
    assert!(!theirs.contains("acme.test"));
    let file = upload(download(&app, &t.admin).await, None);
    let bodies = [
        ("bulk_update_snapshot", Vec::new()),
        ("bulk_update", postcard::to_allocvec(&app::api::BulkUpdate { file }).unwrap()),
    ];
    for (endpoint, body) in bodies {
        let refused = app.call_postcard::<Value>(&member, endpoint, body).await.expect_err("refused");
        assert_eq!(refused.0, StatusCode::FORBIDDEN, "{endpoint}");
    }
    let snapshot: TeamSnapshot =
        app.call_postcard(&t.admin, "bulk_update_snapshot", Vec::new()).await.expect("the admin's snapshot");
    assert_eq!(snapshot.team.users().len(), 4);
    assert!(snapshot.team.get(app::roster::UserId(t.lee)).is_some_and(|u| u.can_manage_teams()));
}

async fn an_api_key_downloads_and_updates_with_a_dry_run_first(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = team(&app).await;
    let token = "roster_update_key";
    app.store.create_api_key(t.org.id, None, &key_name("HR sync"), &app::ssr::auth::token_hash(token)).await.unwrap();
    let http = app.client();
    let exported = http
        .get(format!("{}/api/export/current-team", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let file = edit(&exported, &[("bob@acme.test", "Employee ID", "00042")]);
    let post = |query: &'static str, body: Vec<u8>| {
        http.post(format!("{}/api/v1/imports?{query}", app.address)).bearer_auth(token).body(body).send()
    };
    let dry: Value = post("mode=update&dry_run=true", file.clone()).await.unwrap().json().await.unwrap();
    assert_eq!((dry["status"].as_str(), dry["counts"]["changed"].as_i64()), (Some("dry_run"), Some(1)));
    assert_eq!(user(&app, t.bob).await.1, 1, "a dry run saves nothing");
    let done = http_import(&app, token, "mode=update", None, file).await;
    assert_eq!(done["result"]["status"], "committed", "{done}");
    let employee_id: String = sqlx::query_scalar("SELECT employee_id FROM users WHERE id = $1")
        .bind(t.bob)
        .fetch_one(&app.store.pool)
        .await
        .unwrap();
    assert_eq!(employee_id, "00042", "leading zeros kept");
    let text = app::roster::decode::decode(&exported).unwrap().replacen(&format!("\r\n{}\t", t.lee), "\r\n999999\t", 1);
    let report = http_import(&app, token, "mode=update", None, app::roster::write::utf16le(&text)).await;
    assert_eq!(report["state"], "rejected", "{report}");
    let codes: Vec<&str> =
        report["result"]["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    // Bob's row is stale now, but it only holds the value before the import: theirs is kept, so
    // the old file does not undo the import. 999999 is no one.
    assert_eq!(codes, ["unknown_user_id"]);
}

async fn malformed_updates_get_a_clear_error_and_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = team(&app).await;
    // A body that is not the encoded upload at all.
    let (status, error) = app.call_postcard::<Value>(&t.admin, "bulk_update", vec![0xff_u8; 64]).await.unwrap_err();
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error["BadRequest"].as_str().is_some_and(|m| m.contains("could not be read")), "{error}");
    // A file saved as UTF-8 CSV instead of Unicode Text: a file-level error saying how to re-save it.
    let csv = b"User ID,First Name\r\n1,Ada\r\n".to_vec();
    let result = commit(&app, &t.admin, upload(csv, None)).await.expect("a report");
    assert_eq!((result.status, result.errors[0].row), (ImportStatus::Rejected, None));
    assert!(result.errors[0].message.contains("Unicode Text"), "{}", result.errors[0].message);
    // Rows that are not users: text for a User ID, a Deactivated that is not y or n.
    let file = edit(
        &download(&app, &t.admin).await,
        &[("ada@acme.test", "User ID", "ada"), ("bob@acme.test", "Deactivated", "maybe")],
    );
    let result = commit(&app, &t.admin, upload(file, None)).await.expect("a report");
    let codes: Vec<&str> = result.errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes.len(), 2, "{codes:?}");
    assert!(codes.contains(&"unknown_user_id") && codes.contains(&"invalid_yes_no"), "{codes:?}");
    // A wrong API key cannot download anyone.
    let response = app
        .client()
        .get(format!("{}/api/export/current-team", app.address))
        .bearer_auth("roster_not-a-key")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    for id in [t.ada, t.bob] {
        assert_eq!(user(&app, id).await.1, 1, "nobody changed");
    }
}

/// A file of User IDs and only the columns being changed (issue 18): the cells it has are checked
/// and saved over each user's current values; every column it leaves out stays as it was.
async fn a_file_with_only_the_columns_being_changed_leaves_every_other_field_as_it_is(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = team(&app).await;
    let rows = [
        ["User ID".to_owned(), "Home Town".to_owned(), "Chat Channel".to_owned()],
        [t.ada.to_string(), "London".to_owned(), "n".to_owned()],
        [t.bob.to_string(), String::new(), "y".to_owned()],
    ];
    let file = app::roster::write::utf16le(&app::roster::write::tsv(rows.iter().map(|r| r.iter().map(String::as_str))));
    let result = commit(&app, &t.admin, upload(file, None)).await.expect("a report");
    assert_eq!(result.status, ImportStatus::Committed, "{:?}", result.errors);
    assert_eq!((result.counts.changed, result.counts.unchanged, result.counts.errors), (1, 1, 0));
    let row = sqlx::query(
        "SELECT email, first_name, last_name, home_town, chat_channel, phone_channel, leader_id FROM users WHERE id = $1",
    )
    .bind(t.ada)
    .fetch_one(&app.store.pool)
    .await
    .expect("Ada");
    let flag = |name: &str| server::storage::flag(&row, name).expect("a flag");
    assert_eq!(
        (row.get::<String, _>("email"), row.get::<String, _>("first_name"), row.get::<String, _>("last_name")),
        ("ada@acme.test".to_owned(), "Ada".to_owned(), "Lovelace".to_owned())
    );
    assert_eq!(row.get::<Option<String>, _>("home_town").as_deref(), Some("London"));
    assert_eq!((flag("chat_channel"), flag("phone_channel")), (false, true));
    assert_eq!(row.get::<Option<i64>, _>("leader_id"), Some(t.lee), "her team leader stays");
    assert_eq!(user(&app, t.bob).await.1, 1, "Bob's row changes nothing");

    // Without User IDs it is still a file error, naming the column.
    let no_ids = app::roster::write::utf16le(&app::roster::write::tsv(
        [["Home Town"], ["Leeds"]].iter().map(|r| r.iter().copied()),
    ));
    let result = commit(&app, &t.admin, upload(no_ids, None)).await.expect("a report");
    assert_eq!(result.status, ImportStatus::Rejected);
    assert!(result.errors[0].message.contains("\"User ID\" is missing"), "{}", result.errors[0].message);
    // A bad cell in a partial file names the cell, and saves nothing.
    let version = user(&app, t.ada).await.1;
    let bad = [
        ["User ID".to_owned(), "Home Town".to_owned(), "Chat Channel".to_owned()],
        [t.ada.to_string(), "Leeds".to_owned(), "maybe".to_owned()],
    ];
    let file = app::roster::write::utf16le(&app::roster::write::tsv(bad.iter().map(|r| r.iter().map(String::as_str))));
    let result = commit(&app, &t.admin, upload(file, None)).await.expect("a report");
    assert_eq!(result.status, ImportStatus::Rejected, "{:?}", result.errors);
    assert_eq!(result.errors[0].column.as_deref(), Some("Chat Channel"), "{:?}", result.errors);
    assert_eq!(user(&app, t.ada).await.1, version, "nothing saved");
    let town: Option<String> = sqlx::query_scalar("SELECT home_town FROM users WHERE id = $1")
        .bind(t.ada)
        .fetch_one(&app.store.pool)
        .await
        .expect("Ada");
    assert_eq!(town.as_deref(), Some("London"));
}

on_both_backends!(
    a_file_with_only_the_columns_being_changed_leaves_every_other_field_as_it_is,
    a_downloaded_team_uploaded_untouched_changes_nothing,
    two_users_swap_email_addresses_and_each_change_is_audited_before_and_after,
    users_who_can_manage_teams_keep_their_leader_and_stay_active_and_the_file_saves_nothing,
    one_bad_row_anywhere_updates_no_one,
    a_stale_file_merges_field_by_field_and_a_field_both_sides_changed_needs_a_choice,
    deactivating_a_user_in_bulk_ends_their_session_at_once_and_reactivating_lets_them_back,
    a_retry_with_the_same_key_updates_nothing_twice,
    members_cannot_download_and_admins_download_only_their_own_team,
    an_api_key_downloads_and_updates_with_a_dry_run_first,
    malformed_updates_get_a_clear_error_and_change_nothing,
);
