//! Import jobs: a commit outlives the request and the process that ran it. A server process
//! killed at any point of a commit leaves nothing half-applied and the retry writes the file
//! exactly once; progress only moves forward; the admin is emailed how a job ended; a job is
//! found only by its own organisation, by the id the API gave.

use std::time::Duration;

use app::bulk::ImportFile;
use app::bulk::job::{ImportJob, JobPhase, JobState};
use app::roster::sheet::Mode;
use app::ssr::Importer;
use reqwest::StatusCode;
use serde_json::Value;

use crate::files::{agent, leader_row, sheet};
use crate::helpers::{Backend, Org, TestApp, api_key, error_of, import_file, job_end};
use crate::on_both_backends;
use crate::process::ServerProcess;
use crate::smtp::SmtpSink;

/// A bulk create of one leader and `agents` agents, none of whom is in any other `round`'s file.
fn round_file(round: usize, agents: usize) -> Vec<u8> {
    let leader = format!("lead{round}@acme.test");
    let mut rows = vec![leader_row(&leader)];
    rows.extend((0..agents).map(|n| agent(round * 100_000 + n, &leader)));
    sheet(&rows)
}

async fn users(app: &TestApp, org: &Org) -> usize {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE org_id = $1")
        .bind(org.id)
        .fetch_one(&app.store.pool)
        .await
        .unwrap();
    usize::try_from(count).unwrap()
}

async fn batches_of(app: &TestApp, job: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM import_batches WHERE job_id = $1")
        .bind(job)
        .fetch_one(&app.store.pool)
        .await
        .unwrap()
}

/// Posts a commit to `address` with the key `token`: the job as answered.
async fn post_import(address: &str, token: &str, key: &str, body: Vec<u8>) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{address}/api/v1/imports?mode=create&delay_welcome_emails=true&file_name=round.txt"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    response.json().await.unwrap()
}

/// The job as the API answers it now, or `None` when the process is gone.
async fn job_at(address: &str, token: &str, id: i64) -> Option<Value> {
    let response =
        reqwest::Client::new().get(format!("{address}/api/v1/imports/{id}")).bearer_auth(token).send().await.ok()?;
    response.json().await.ok()
}

/// The phase a round kills its process in (or after): every one of them, over and over.
const KILL_IN: [Option<JobPhase>; 5] =
    [None, Some(JobPhase::Checking), Some(JobPhase::Writing), Some(JobPhase::Recording), Some(JobPhase::Done)];

async fn a_server_killed_at_any_point_of_a_commit_leaves_nothing_half_done_and_the_retry_writes_it_once(
    backend: Backend,
) {
    const ROUNDS: usize = 20;
    const AGENTS: usize = 5_000;
    let mut app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    let token = api_key(&app, &org, "HR sync").await;
    // Only the real processes below run jobs; this one only reads the database.
    app.shutdown.trigger();
    (&mut app.running).await.unwrap().unwrap();
    // Watched closely: many more calls a minute than an API key may usually make.
    let environment =
        [("ROSTER_IMPORT_LEASE_SECONDS", "1"), ("ROSTER_API_CALLS_PER_MINUTE", "1000000"), ("RUST_LOG", "warn")];
    let mut expected = 1; // the admin
    let mut pending: Option<i64> = None;
    let mut killed_with_nothing_saved = 0;
    let mut killed_in = std::collections::BTreeSet::new();
    for round in 0..=ROUNDS {
        let mut process = ServerProcess::start(&app.database_url, app.data_dir(), &environment);
        if let Some(id) = pending.take() {
            // The lease of the killed attempt runs out and this process runs the job again.
            let job = job_end(&app, org.id, id).await;
            assert_eq!(job.state, JobState::Done, "round {round}: {job:?}");
            expected += AGENTS + 1;
            assert_eq!(users(&app, &org).await, expected, "round {round}: every user of the file, once");
            assert_eq!(batches_of(&app, id).await, 1, "round {round}: one batch");
        }
        if round == ROUNDS {
            break;
        }
        let job = post_import(&process.address, &token, &format!("round-{round}"), round_file(round, AGENTS)).await;
        let id = job["id"].as_i64().unwrap();
        // Kill in the round's phase, a few milliseconds in (none for "at once").
        let mut last_seen = JobPhase::Queued;
        if let Some(phase) = KILL_IN[round % KILL_IN.len()] {
            for _ in 0..2_000 {
                let seen = job_at(&process.address, &token, id).await.and_then(|job| {
                    serde_json::from_value::<ImportJob>(job).ok().map(|job| (job.phase, job.state.has_ended()))
                });
                if let Some((at, _)) = seen {
                    last_seen = at;
                }
                if seen.is_some_and(|(at, ended)| at >= phase || ended) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
        process.kill();
        eprintln!("round {round}: killed in {last_seen:?}");
        killed_in.insert(last_seen);
        let now = users(&app, &org).await;
        assert!(now == expected || now == expected + AGENTS + 1, "round {round}: 0 or all rows, not {now}");
        if now == expected {
            killed_with_nothing_saved += 1;
            assert_eq!(batches_of(&app, id).await, 0, "round {round}: no batch without its users");
            pending = Some(id);
        } else {
            expected = now;
            assert_eq!(batches_of(&app, id).await, 1, "round {round}: one batch");
        }
    }
    assert!(
        killed_with_nothing_saved >= ROUNDS / 2,
        "most kills landed before the commit: {killed_with_nothing_saved}"
    );
    for phase in [JobPhase::Queued, JobPhase::Checking, JobPhase::Writing] {
        assert!(killed_in.contains(&phase), "a kill landed while {phase:?}: {killed_in:?}");
    }
    let jobs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM import_jobs WHERE org_id = $1 AND state = 'done'")
        .bind(org.id)
        .fetch_one(&app.store.pool)
        .await
        .unwrap();
    assert_eq!(jobs, ROUNDS as i64, "every job ended done");
    if matches!(backend, Backend::Postgres) {
        let stages: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_tables WHERE tablename LIKE 'import_stage%'")
            .fetch_one(&app.store.pool)
            .await
            .unwrap();
        assert_eq!(stages, 0, "no attempt's stage is left behind");
    }
}

async fn progress_only_moves_forward_from_queued_to_done(backend: Backend) {
    let app = TestApp::spawn_with(backend, |config| config.body_limit = 16 * 1024 * 1024).await;
    let org = app.org_with_admin("acme").await;
    let token = api_key(&app, &org, "HR sync").await;
    let job = post_import(&app.address, &token, "progress", round_file(1, 20_000)).await;
    let id = job["id"].as_i64().unwrap();
    let mut seen: Vec<ImportJob> = vec![serde_json::from_value(job).unwrap()];
    while !seen.last().unwrap().state.has_ended() {
        tokio::time::sleep(Duration::from_millis(5)).await;
        let job = job_at(&app.address, &token, id).await.expect("the job");
        seen.push(serde_json::from_value(job).unwrap());
    }
    for pair in seen.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        let step = |job: &ImportJob| (job.state.min(JobState::Done), job.phase, job.rows_written, job.rows_total);
        assert!(step(before) <= step(after), "progress went back: {before:?} then {after:?}");
        assert!(before.fraction() <= after.fraction(), "{before:?} then {after:?}");
        assert!(after.rows_written <= after.rows_total, "{after:?}");
    }
    let last = seen.last().unwrap();
    assert_eq!(
        (last.state, last.phase, last.rows_written, last.rows_total),
        (JobState::Done, JobPhase::Done, 20_001, 20_001)
    );
    assert!(seen.len() > 2, "the job was watched while it ran: {} answers", seen.len());
}

/// An app whose mail goes to `sink`, every success told, two attempts per job.
async fn app_with(backend: Backend, sink: &SmtpSink) -> TestApp {
    let url = sink.url();
    TestApp::spawn_with(backend, move |config| {
        config.mail.smtp_url = Some(url);
        config.mail.retry_after = Duration::from_secs(1);
        config.jobs.notify_after_seconds = 0;
        config.jobs.max_attempts = 2;
    })
    .await
}

fn file(name: &str, rows: &[String]) -> ImportFile {
    ImportFile { file_name: name.into(), bytes: sheet(rows), delay_welcome_emails: true, idempotency_key: None }
}

async fn the_admin_who_started_a_job_is_emailed_when_it_is_done_rejected_or_failed(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_with(backend, &sink).await;
    let org = app.org_with_admin("acme").await;
    let admin = Importer::Admin(org.admin_id);
    let lee = leader_row("lee@acme.test");

    // Done: told how many, and where the batch is.
    let done = import_file(&app, org.id, admin, Mode::Create, &file("hires.txt", std::slice::from_ref(&lee))).await;
    assert_eq!(done.state, JobState::Done, "{done:?}");
    let mail = sink.wait_for(1).await.remove(0);
    assert_eq!((mail.to.as_str(), mail.subject.as_str()), ("admin@acme.test", "Your bulk create of hires.txt is done"));
    assert!(mail.text.contains("1 user created"), "{}", mail.text);
    let batch = done.result.as_ref().and_then(|r| r.batch_id).unwrap();
    assert!(mail.text.contains(&format!("/team/batches/{batch}")), "{}", mail.text);

    // Rejected: Lee exists now, which the file's preview did not know. The errors are listed and
    // the file comes back with an Errors column.
    let again = file("again.txt", &[lee.clone(), agent(7, "lee@acme.test")]);
    let rejected = import_file(&app, org.id, admin, Mode::Create, &again).await;
    assert_eq!(rejected.state, JobState::Rejected, "{rejected:?}");
    let mail = sink.wait_for(2).await.remove(1);
    assert_eq!(mail.subject, "Your bulk create of again.txt was not saved");
    assert!(mail.text.contains("found 1 error, so nothing was saved"), "{}", mail.text);
    assert!(mail.text.contains("Row 2, Email Address: "), "{}", mail.text);
    assert!(mail.text.contains("/team/bulk-create"), "{}", mail.text);
    let (name, kind, bytes) = mail.attachments.first().expect("the error report");
    assert_eq!((name.as_str(), kind.as_str()), ("errors - again.txt", "text/plain"));
    let report = app::roster::decode::decode(bytes).expect("Unicode Text, as Excel opens it");
    assert!(report.lines().next().unwrap().ends_with("\tErrors"), "{report}");
    assert!(report.contains("agent7@acme.test"), "every row of the file: {report}");

    // Failed: the batch table is gone, so every attempt fails; after the second the admin is told
    // nothing was saved and what to do.
    sqlx::query("ALTER TABLE import_batches RENAME TO import_batches_gone").execute(&app.store.pool).await.unwrap();
    let failed = import_file(&app, org.id, admin, Mode::Create, &file("more.txt", &[agent(8, "lee@acme.test")])).await;
    assert_eq!((failed.state, failed.attempts), (JobState::Failed, 2), "{failed:?}");
    let reason = failed.failure.clone().unwrap();
    assert!(reason.contains("a problem on our side stopped it (reference "), "{reason}");
    let mail = sink.wait_for(3).await.remove(2);
    assert_eq!(mail.subject, "Your bulk create of more.txt could not be saved");
    assert!(mail.text.contains(&format!("Nothing of more.txt was saved: {reason}")), "{}", mail.text);
    assert!(mail.text.contains("Roster tried 2 times"), "{}", mail.text);
    assert!(mail.attachments.is_empty());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.messages().len(), 3, "one email per job");
    assert_eq!(users(&app, &org).await, 2, "the admin and Lee");
}

async fn a_job_is_found_only_by_its_organisation_and_by_the_id_the_api_gave(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let acme = app.org_with_admin("acme").await;
    let globex = app.org_with_admin("globex").await;
    let acme_key = api_key(&app, &acme, "HR sync").await;
    let globex_key = api_key(&app, &globex, "HR sync").await;
    let theirs = post_import(&app.address, &globex_key, "g-1", round_file(1, 2)).await;
    let theirs = theirs["id"].as_i64().unwrap();
    let before = job_end(&app, globex.id, theirs).await;

    let get = |path: String| {
        let key = acme_key.clone();
        let url = format!("{}{path}", app.address);
        async move { error_of(reqwest::Client::new().get(url).bearer_auth(key).send().await.unwrap()).await }
    };
    let (status, body) = get(format!("/api/v1/imports/{theirs}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another organisation's job is not there: {body}");
    assert_eq!(get("/api/v1/imports/987654".into()).await.0, StatusCode::NOT_FOUND);
    for malformed in ["abc", "-3", "0", "1.5", "99999999999999999999"] {
        let (status, body) = get(format!("/api/v1/imports/{malformed}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{malformed}");
        assert!(body.to_string().contains("/api/v1/imports/42"), "says what an id looks like: {body}");
    }
    let anonymous = reqwest::Client::new().get(format!("{}/api/v1/imports/{theirs}", app.address)).send().await;
    assert_eq!(anonymous.unwrap().status(), StatusCode::UNAUTHORIZED);
    let after = job_end(&app, globex.id, theirs).await;
    assert_eq!(ImportJob { now: before.now, ..after }, before, "their job is as it was");
    assert_eq!(users(&app, &acme).await, 1, "nothing changed in acme");
}

on_both_backends!(
    a_server_killed_at_any_point_of_a_commit_leaves_nothing_half_done_and_the_retry_writes_it_once,
    progress_only_moves_forward_from_queued_to_done,
    the_admin_who_started_a_job_is_emailed_when_it_is_done_rejected_or_failed,
    a_job_is_found_only_by_its_organisation_and_by_the_id_the_api_gave,
);
