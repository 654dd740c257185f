//! Welcome emails and first sign-in, against a real SMTP server on loopback: the email and its
//! link, delayed sending, exactly-once delivery with two server processes, retries, the
//! set-password link's single use, the temporary password, photos, the completed profile and the
//! Stream.

use std::collections::HashSet;
use std::time::Duration;

use app::bulk::ImportFile;
use app::roster::sheet::Mode;
use app::ssr::Importer;
use app::welcome::WelcomeState;
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::helpers::{Backend, Org, PUBLIC_URL, TestApp, error_of};
use crate::on_both_backends;
use crate::smtp::SmtpSink;

const HEADER: &str = "*Can Manage Teams\tEmail Address\t*First Name\t*Last Name\tState or Country\tProfile\t*Phone Channel\t*Chat Channel\t*Email Channel\t*Team Leader\tTemporary Password";
const NEW_PASSWORD: &str = "tea at the analytical engine";
/// The smallest PNG: a signature is all the rules look at, and all a browser needs here.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

/// A bulk-create row: `who` is the email's local part; the leader row has `lee` and manages.
fn row(who: &str, state: &str, bio: &str) -> String {
    let (manages, leader) = if who == "lee" { ("y", "") } else { ("n", "lee@acme.test") };
    let first = capitalise(who);
    format!("{manages}\t{who}@acme.test\t{first}\tTester\t{state}\t{bio}\ty\ty\ty\t{leader}\t")
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Creates the rows' users (with Lee, their leader) as an admin's bulk create would.
async fn bulk_create(app: &TestApp, org: &Org, rows: &[String], delay: bool) {
    let mut all = vec![row("lee", "Ohio", "Leads the team")];
    all.extend_from_slice(rows);
    let file = ImportFile {
        file_name: "hires.txt".into(),
        bytes: app::roster::write::utf16le(&format!("{HEADER}\r\n{}\r\n", all.join("\r\n"))),
        delay_welcome_emails: delay,
        idempotency_key: None,
    };
    let job = crate::helpers::import_file(app, org.id, Importer::Admin(org.admin_id), Mode::Create, &file).await;
    let result = crate::helpers::report_of(&job);
    assert_eq!(result.status, app::bulk::ImportStatus::Committed, "{:?}", result.errors);
}

/// An app whose mail goes to `sink`, retrying after a second.
async fn app_with(backend: Backend, sink: &SmtpSink) -> TestApp {
    let url = sink.url();
    TestApp::spawn_with(backend, move |config| {
        config.mail.smtp_url = Some(url);
        config.mail.retry_after = Duration::from_secs(1);
    })
    .await
}

async fn user_id(app: &TestApp, email: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.store.pool)
        .await
        .expect("a user")
}

async fn status_of(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT status FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.store.pool)
        .await
        .expect("a user")
}

async fn set_password(app: &TestApp, client: &Client, token: &str, password: &str) -> reqwest::Response {
    app.call(client, "set_password_from_link", &[("token", token), ("password", password), ("confirmation", password)])
        .await
}

fn redirect_of(response: &reqwest::Response) -> String {
    response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

async fn upload_photo(
    app: &TestApp,
    client: &Client,
    user: &str,
    bytes: Vec<u8>,
    return_to: Option<&str>,
) -> reqwest::Response {
    let mut form = Form::new().part("photo", Part::bytes(bytes).file_name("me.png"));
    if let Some(back) = return_to {
        form = form.text("return_to", back.to_owned());
    }
    client.post(format!("{}/api/photos/{user}", app.address)).multipart(form).send().await.expect("the upload is sent")
}

async fn each_new_user_gets_one_welcome_email_whose_link_sets_their_password_once(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_with(backend, &sink).await;
    let (org, admin) = app.admin_of("acme").await;
    bulk_create(&app, &org, &[row("ada", "Ohio", "Loves engines"), row("bob", "", "")], false).await;
    // The admin adds Ada's photo, so her profile is complete; Bob's is not.
    let ada_id = user_id(&app, "ada@acme.test").await;
    assert_eq!(
        upload_photo(&app, &admin, &ada_id.to_string(), PNG.to_vec(), None).await.status(),
        StatusCode::NO_CONTENT
    );

    let messages = sink.wait_for(3).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(sink.messages().len(), 3, "one email per new user, no more");
    let ada = messages.iter().find(|m| m.to == "ada@acme.test").expect("Ada's email");
    assert_eq!(ada.subject, "Welcome to Roster, Ada");
    assert!(ada.text.contains("acme support has created your Roster profile"));
    assert!(ada.text.contains(&format!("{PUBLIC_URL}/set-password/{}", ada.token())));
    assert!(ada.html.contains(&format!("href=\"{PUBLIC_URL}/set-password/{}\"", ada.token())));
    assert_eq!(ada.token().len(), 64);
    assert_eq!(status_of(&app, "ada@acme.test").await, "invited");

    // Only the link's hash is stored.
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM password_links WHERE user_id = $1")
        .bind(ada_id)
        .fetch_all(&app.store.pool)
        .await
        .expect("links");
    assert_eq!(stored, vec![hex::encode(Sha256::digest(ada.token().as_bytes()))]);

    // The page greets her; a weak password is refused and changes nothing.
    let ada_client = app.client();
    let owner = app.call(&ada_client, "welcome_link", &[("token", &ada.token())]).await;
    assert_eq!(owner.json::<Value>().await.expect("the owner")["first_name"], "Ada");
    let (status, body) = error_of(set_password(&app, &ada_client, &ada.token(), "short").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.to_string().contains("at least 10 characters"), "{body}");
    let (status, body) = error_of(set_password(&app, &ada_client, &ada.token(), "ada tester rocks").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(status_of(&app, "ada@acme.test").await, "invited");

    // A good one signs her in and, her profile being complete, sends her straight to the Stream.
    let response = set_password(&app, &ada_client, &ada.token(), NEW_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(redirect_of(&response), "/stream");
    assert_eq!(status_of(&app, "ada@acme.test").await, "active");
    assert_eq!(app.call(&ada_client, "load_stream", &[]).await.status(), StatusCode::OK);

    // The link works once.
    let (status, body) = error_of(set_password(&app, &app.client(), &ada.token(), "another fine password").await).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(body, json!("LinkExpired"));
    assert_eq!(app.sign_in(&app.client(), "acme", "ada@acme.test", NEW_PASSWORD).await.status(), StatusCode::OK);

    // Bob misses his bio, state and photo: he completes them first.
    let bob = messages.iter().find(|m| m.to == "bob@acme.test").expect("Bob's email");
    let response = set_password(&app, &app.client(), &bob.token(), NEW_PASSWORD).await;
    assert_eq!(redirect_of(&response), "/welcome/profile");
}

async fn delayed_welcome_emails_wait_until_an_admin_sends_them_all_as_one_batch(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_with(backend, &sink).await;
    let (org, admin) = app.admin_of("acme").await;
    bulk_create(&app, &org, &[row("ada", "", ""), row("bob", "", "")], true).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(sink.messages().is_empty(), "held emails are not sent");
    let held = app.call(&admin, "held_welcome_emails", &[]).await.json::<i64>().await.expect("a count");
    assert_eq!(held, 3);
    let ada_id = user_id(&app, "ada@acme.test").await;
    let state = app.call(&admin, "welcome_email_state", &[("user_id", &ada_id.to_string())]).await;
    assert_eq!(state.json::<WelcomeState>().await.expect("a state"), WelcomeState::Held);

    // A confirmation of a number that is no longer right sends nothing.
    let (status, body) = error_of(app.call(&admin, "send_delayed_welcome_emails", &[("expected", "2")]).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.to_string().contains("3 welcome emails are held now"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(sink.messages().is_empty());

    let sent = app.call(&admin, "send_delayed_welcome_emails", &[("expected", "3")]).await;
    assert_eq!(sent.json::<i64>().await.expect("a count"), 3);
    let messages = sink.wait_for(3).await;
    let to: HashSet<String> = messages.iter().map(|m| m.to.clone()).collect();
    assert_eq!(to, HashSet::from(["ada@acme.test".into(), "bob@acme.test".into(), "lee@acme.test".into()]));
    assert_eq!(app.call(&admin, "held_welcome_emails", &[]).await.json::<i64>().await.expect("a count"), 0);
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'welcome_emails.sent_delayed'")
            .fetch_one(&app.store.pool)
            .await
            .expect("a count");
    assert_eq!(audited, 1);
    // Nothing left to send; a member cannot send or count them.
    let member = app.signed_in_with_link(&messages[0].token()).await;
    assert_eq!(app.call(&member, "held_welcome_emails", &[]).await.status(), StatusCode::FORBIDDEN);
}

async fn a_refused_message_is_retried_and_a_refused_address_is_given_up_and_shown(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_with(backend, &sink).await;
    let (org, admin) = app.admin_of("acme").await;
    bulk_create(&app, &org, &[row("busy", "", ""), row("reject", "", "")], false).await;
    // Lee at once; "busy" after its first attempt was refused with 451.
    let messages = sink.wait_for(2).await;
    assert!(messages.iter().any(|m| m.to == "busy@acme.test"));
    let attempts: i64 = sqlx::query_scalar(
        "SELECT attempts FROM outbox_emails m JOIN users u ON u.id = m.user_id WHERE u.email = 'busy@acme.test'",
    )
    .fetch_one(&app.store.pool)
    .await
    .expect("attempts");
    assert_eq!(attempts, 2);
    // "reject" was refused for good (550): its page says so, with the server's words.
    let reject_id = user_id(&app, "reject@acme.test").await;
    let state = app.call(&admin, "welcome_email_state", &[("user_id", &reject_id.to_string())]).await;
    match state.json::<WelcomeState>().await.expect("a state") {
        WelcomeState::Failed { error, .. } => assert!(error.contains("No such mailbox"), "{error}"),
        other => panic!("expected a failed email, got {other:?}"),
    }
    assert_eq!(status_of(&app, "reject@acme.test").await, "created");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.messages().len(), 2, "a permanent failure is not retried");
}

async fn resending_a_welcome_email_replaces_the_earlier_link(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_with(backend, &sink).await;
    let (org, admin) = app.admin_of("acme").await;
    bulk_create(&app, &org, &[row("ada", "", "")], false).await;
    let first = sink.wait_for(2).await.into_iter().find(|m| m.to == "ada@acme.test").expect("Ada's email");
    let ada_id = user_id(&app, "ada@acme.test").await.to_string();
    assert_eq!(app.call(&admin, "send_welcome_email", &[("user_id", &ada_id)]).await.status(), StatusCode::OK);
    let second = sink.wait_for(3).await.into_iter().rev().find(|m| m.to == "ada@acme.test").expect("the new email");
    assert_ne!(first.token(), second.token());
    assert_eq!(set_password(&app, &app.client(), &first.token(), NEW_PASSWORD).await.status(), StatusCode::GONE);
    assert_eq!(set_password(&app, &app.client(), &second.token(), NEW_PASSWORD).await.status(), StatusCode::OK);

    // Another organisation's admin cannot see or send it.
    let (_, other) = app.admin_of("globex").await;
    assert_eq!(app.call(&other, "send_welcome_email", &[("user_id", &ada_id)]).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.call(&other, "welcome_email_state", &[("user_id", &ada_id)]).await.status(), StatusCode::NOT_FOUND);
    // A user without an email address has nothing to send to.
    let (status, body) = error_of(app.call(&admin, "send_welcome_email", &[("user_id", "999999")]).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

async fn a_temporary_password_signs_in_once_and_must_be_changed_before_anything_else(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (org, _) = app.admin_of("acme").await;
    let mut rows = vec![row("lee", "Ohio", "Leads")];
    rows.push("n\tada@acme.test\tAda\tTester\tOhio\tHi\ty\ty\ty\tlee@acme.test\ttemporary secret 1".into());
    let file = ImportFile {
        file_name: "t.txt".into(),
        bytes: app::roster::write::utf16le(&format!("{HEADER}\r\n{}\r\n", rows.join("\r\n"))),
        delay_welcome_emails: true,
        idempotency_key: None,
    };
    let job = crate::helpers::import_file(&app, org.id, Importer::Admin(org.admin_id), Mode::Create, &file).await;
    assert_eq!(crate::helpers::report_of(&job).status, app::bulk::ImportStatus::Committed);

    let ada = app.client();
    let response = app.sign_in(&ada, "acme", "ada@acme.test", "temporary secret 1").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(redirect_of(&response), "/change-password");
    // Nothing but choosing a password until she does.
    let (status, body) = error_of(app.call(&ada, "load_stream", &[]).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, json!("PasswordChangeRequired"));
    // The temporary password worked once.
    let again = app.sign_in(&app.client(), "acme", "ada@acme.test", "temporary secret 1").await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    let weak = app.call(&ada, "change_password", &[("password", "qwertyuiop"), ("confirmation", "qwertyuiop")]).await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let changed =
        app.call(&ada, "change_password", &[("password", NEW_PASSWORD), ("confirmation", NEW_PASSWORD)]).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(redirect_of(&changed), "/welcome/profile", "she has no photo yet");
    assert_eq!(app.call(&ada, "load_stream", &[]).await.status(), StatusCode::OK);
    assert_eq!(app.sign_in(&app.client(), "acme", "ada@acme.test", NEW_PASSWORD).await.status(), StatusCode::OK);
    assert_eq!(status_of(&app, "ada@acme.test").await, "active");
}

async fn photos_are_checked_stored_and_served_only_within_the_organisation(backend: Backend) {
    let app = TestApp::spawn_with(backend, |config| config.body_limit = 8 * 1024 * 1024).await;
    let (org, admin) = app.admin_of("acme").await;
    let lee = app.insert_user(&org, "Lee", "Leader", "lee@acme.test", true, None).await;
    let ada = app.insert_user(&org, "Ada", "Tester", "ada@acme.test", false, Some(lee)).await;
    let member = app.signed_in("acme", "ada@acme.test").await;

    let (status, body) =
        error_of(upload_photo(&app, &member, "me", b"<svg onload=alert(1)>".to_vec(), None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("not a JPEG, PNG or WebP image"));
    let mut huge = PNG.to_vec();
    huge.resize(2 * 1024 * 1024 + 1, 0);
    let back = upload_photo(&app, &member, "me", huge, Some("/welcome/profile")).await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    assert_eq!(redirect_of(&back), "/welcome/profile?photo_error=photo_too_large");
    // A form without the photo, and a body that is not a form at all.
    let empty = member
        .post(format!("{}/api/photos/me", app.address))
        .multipart(Form::new().text("return_to", "/welcome/profile"))
        .send()
        .await
        .expect("a response");
    assert_eq!(redirect_of(&empty), "/welcome/profile?photo_error=photo_missing");
    let (status, body) = error_of(
        member.post(format!("{}/api/photos/me", app.address)).body(PNG.to_vec()).send().await.expect("a response"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("multipart form"), "{body}");
    let photos: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM user_photos").fetch_one(&app.store.pool).await.expect("a count");
    assert_eq!(photos, 0, "refused photos are not stored");

    // A member may change only their own photo.
    assert_eq!(upload_photo(&app, &member, &lee.to_string(), PNG.to_vec(), None).await.status(), StatusCode::FORBIDDEN);
    let saved = upload_photo(&app, &member, "me", PNG.to_vec(), Some("//evil.test/")).await;
    assert_eq!(saved.status(), StatusCode::NO_CONTENT, "an unsafe return address is ignored");
    let served = admin.get(format!("{}/api/photos/{ada}", app.address)).send().await.expect("a response");
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.expect("bytes").as_ref(), PNG);

    // Another organisation sees nothing; nobody signed out does.
    let (_, other) = app.admin_of("globex").await;
    let hidden = other.get(format!("{}/api/photos/{ada}", app.address)).send().await.expect("a response");
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    assert_eq!(upload_photo(&app, &other, &ada.to_string(), PNG.to_vec(), None).await.status(), StatusCode::NOT_FOUND);
    let anonymous = app.client().get(format!("{}/api/photos/{ada}", app.address)).send().await.expect("a response");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

async fn a_completed_profile_leads_to_the_stream_with_leader_and_teammates(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (org, _) = app.admin_of("acme").await;
    let lee = app.insert_user(&org, "Lee", "Leader", "lee@acme.test", true, None).await;
    app.insert_user(&org, "Ada", "Tester", "ada@acme.test", false, Some(lee)).await;
    app.insert_user(&org, "Bob", "Tester", "bob@acme.test", false, Some(lee)).await;
    let ada = app.signed_in("acme", "ada@acme.test").await;

    let profile = app.call(&ada, "load_own_profile", &[]).await.json::<Value>().await.expect("a profile");
    assert_eq!(profile["has_photo"], false);
    let (status, body) =
        error_of(app.call(&ada, "complete_profile", &[("bio", " "), ("state_or_country", "")]).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.to_string().contains("Profile is required to complete your profile"), "{body}");
    let saved = app.call(&ada, "complete_profile", &[("bio", "I answer chats."), ("state_or_country", "Ohio")]).await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert_eq!(redirect_of(&saved), "/welcome/profile", "the photo is still missing");
    upload_photo(&app, &ada, "me", PNG.to_vec(), None).await;

    let stream = app.call(&ada, "load_stream", &[]).await.json::<Value>().await.expect("the Stream");
    assert_eq!(stream["me"]["bio"], "I answer chats.");
    assert_eq!(stream["me"]["has_photo"], true);
    assert_eq!(stream["missing"], json!([]));
    assert_eq!(stream["leader"]["name"], "Lee Leader");
    assert_eq!(stream["teammate_count"], 1);
    assert_eq!(stream["teammates"][0]["name"], "Bob Tester");
    assert_eq!(app.call(&app.client(), "load_stream", &[]).await.status(), StatusCode::UNAUTHORIZED);
}

async fn without_an_smtp_server_welcome_emails_are_written_as_files_under_the_data_folder(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (org, _) = app.admin_of("acme").await;
    bulk_create(&app, &org, &[], false).await;
    let folder = app.data_dir().join("mail");
    let mut found = Vec::new();
    for _ in 0..100 {
        found = std::fs::read_dir(&folder).map(|d| d.filter_map(|e| e.ok()).collect()).unwrap_or_default();
        if !found.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(found.len(), 1);
    let text = std::fs::read_to_string(found[0].path()).expect("the message");
    assert!(text.contains("To: \"Lee Leader\" <lee@acme.test>") || text.contains("lee@acme.test"));
    assert!(text.contains(&format!("{PUBLIC_URL}/set-password/")));
}

on_both_backends!(
    each_new_user_gets_one_welcome_email_whose_link_sets_their_password_once,
    delayed_welcome_emails_wait_until_an_admin_sends_them_all_as_one_batch,
    a_refused_message_is_retried_and_a_refused_address_is_given_up_and_shown,
    resending_a_welcome_email_replaces_the_earlier_link,
    a_temporary_password_signs_in_once_and_must_be_changed_before_anything_else,
    photos_are_checked_stored_and_served_only_within_the_organisation,
    a_completed_profile_leads_to_the_stream_with_leader_and_teammates,
    without_an_smtp_server_welcome_emails_are_written_as_files_under_the_data_folder,
);

/// Two server processes on one PostgreSQL, both with a mail worker, send each of 400 released
/// emails exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_server_processes_on_one_postgresql_send_each_email_exactly_once() {
    let sink = SmtpSink::start();
    let first = app_with(Backend::Postgres, &sink).await;
    let url = sink.url();
    let _second = first
        .another_process(move |config| {
            config.mail.smtp_url = Some(url);
        })
        .await;
    let (org, admin) = first.admin_of("acme").await;
    let rows: Vec<String> = (0..399).map(|n| row(&format!("agent{n}"), "", "")).collect();
    bulk_create(&first, &org, &rows, true).await;
    let sent = first.call(&admin, "send_delayed_welcome_emails", &[("expected", "400")]).await;
    assert_eq!(sent.status(), StatusCode::OK);
    let messages = sink.wait_for(400).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let messages = if sink.messages().len() > messages.len() { sink.messages() } else { messages };
    let recipients: HashSet<&str> = messages.iter().map(|m| m.to.as_str()).collect();
    assert_eq!(recipients.len(), 400);
    assert_eq!(messages.len(), 400, "no email was sent twice");
    let pending: i64 = sqlx::query("SELECT COUNT(*) FROM outbox_emails WHERE sent_at IS NULL")
        .fetch_one(&first.store.pool)
        .await
        .expect("a count")
        .get(0);
    assert_eq!(pending, 0);
}

/// Many workers in two processes claiming at the same moment never hold the same email: the claim
/// skips rows another worker has locked (`FOR UPDATE SKIP LOCKED`) instead of taking them again
/// once that worker commits.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claims_on_postgresql_never_take_the_same_email_twice() {
    use server::storage::outbox;
    let app = TestApp::spawn_with(Backend::Postgres, |config| config.mail.poll = Duration::from_secs(3600)).await;
    let other = server::storage::SqlStore::connect(&app.database_url).await.expect("a second process's store");
    let (org, _) = app.admin_of("acme").await;
    // 20,000 due emails (for the admin: the claim reads the outbox, not the user, until sending).
    sqlx::query(
        "INSERT INTO outbox_emails (org_id, user_id, kind, held, created_at)
         SELECT $1, $2, 'welcome', FALSE, 0 FROM generate_series(1, 20000)",
    )
    .bind(org.id)
    .bind(org.admin_id)
    .execute(&app.store.pool)
    .await
    .expect("emails");
    let now = app::ssr::auth::now();
    let claimers = (0..8).map(|n| {
        let store = if n % 2 == 0 { app.store.clone() } else { other.clone() };
        tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let claimed = outbox::claim(&store.pool, store.backend, now, now + 600, 500).await.expect("a claim");
                if claimed.is_empty() {
                    return mine;
                }
                mine.extend(claimed.into_iter().map(|c| c.id));
            }
        })
    });
    let mut all = Vec::new();
    for claimer in claimers {
        all.extend(claimer.await.expect("a claimer"));
    }
    let distinct: HashSet<i64> = all.iter().copied().collect();
    assert_eq!(distinct.len(), 20_000, "every email was claimed");
    assert_eq!(all.len(), 20_000, "no email was claimed twice");
}

/// A worker claims due emails while another worker's claim is still open, without waiting for it
/// and without taking any of its emails: the rows it holds are skipped (`SKIP LOCKED`). Without the
/// skip, the second claim waits for the first to commit (and this test fails on its timeout).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_skips_the_emails_another_worker_holds_instead_of_waiting_for_them() {
    use server::storage::outbox;
    let app = TestApp::spawn_with(Backend::Postgres, |config| config.mail.poll = Duration::from_secs(3600)).await;
    let (org, _) = app.admin_of("acme").await;
    sqlx::query(
        "INSERT INTO outbox_emails (org_id, user_id, kind, held, created_at)
         SELECT $1, $2, 'welcome', FALSE, 0 FROM generate_series(1, 20)",
    )
    .bind(org.id)
    .bind(org.admin_id)
    .execute(&app.store.pool)
    .await
    .expect("emails");
    let now = app::ssr::auth::now();
    // The first worker is between its claim and its commit.
    let mut first = app.store.pool.begin().await.expect("a transaction");
    let held: Vec<i64> = sqlx::query_scalar(
        "UPDATE outbox_emails SET claimed_until = $1 WHERE id IN
             (SELECT id FROM outbox_emails ORDER BY id LIMIT 10 FOR UPDATE) RETURNING id",
    )
    .bind(now + 600)
    .fetch_all(&mut *first)
    .await
    .expect("the first claim");
    let second = tokio::time::timeout(
        Duration::from_secs(5),
        outbox::claim(&app.store.pool, app.store.backend, now, now + 600, 10),
    )
    .await
    .expect("the second claim does not wait for the first")
    .expect("the second claim");
    first.commit().await.expect("commit");
    let second: HashSet<i64> = second.iter().map(|c| c.id).collect();
    assert_eq!(second.len(), 10);
    assert!(held.iter().all(|id| !second.contains(id)), "no email is claimed by both");
}

impl TestApp {
    /// A client signed in through a welcome email's link.
    async fn signed_in_with_link(&self, token: &str) -> Client {
        let client = self.client();
        let response = set_password(self, &client, token, NEW_PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK);
        client
    }
}
