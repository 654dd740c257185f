//! The test harness: a fresh database and app per test, and a browser-like HTTP client.

use std::path::PathBuf;

use app::bulk::job::ImportJob;
use app::bulk::{ImportFile, ImportResult};
use app::roster::sheet::Mode;
use app::roster::{Column, OrgRules, Profile, ProfileInput};
use app::ssr::{AccountStore, Importer, NewUser, UserStore, auth};
use app::user::UserStatus;
use rand::Rng;
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use server::mail::MailConfig;
use server::storage::SqlStore;
use server::{Application, Config};

/// Which database a test runs against.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Writes each listed test twice: `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name($crate::helpers::Backend::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name($crate::helpers::Backend::Postgres).await } )*
        }
    };
}

/// An organisation made for a test, and its admin.
#[derive(Clone, Copy, Debug)]
pub struct Org {
    pub id: i64,
    pub admin_id: i64,
}

pub const PASSWORD: &str = "a long enough password";

pub struct TestApp {
    pub address: String,
    pub database_url: String,
    pub store: SqlStore,
    /// The routes besides pages and server functions, as the app registered them.
    pub http_routes: Vec<&'static str>,
    pub page_routes: Vec<String>,
    /// Stops the server gracefully.
    pub shutdown: server::startup::Shutdown,
    /// The running server: done once it has stopped.
    pub running: tokio::task::JoinHandle<std::io::Result<()>>,
    _data_dir: TempDir,
}

/// A folder removed when the test ends.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let name = format!("roster-test-{}", random_name());
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&path).expect("create a temporary folder");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn random_name() -> String {
    rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(12)
        .map(char::from)
        .collect::<String>()
        .to_lowercase()
}

/// A fresh, empty PostgreSQL database. `ROSTER_TEST_POSTGRES` names the server (the test command
/// starts the machine's cluster and creates the `roster_test` role).
async fn fresh_postgres_database() -> String {
    use sqlx::Executor;
    let server = std::env::var("ROSTER_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://roster_test:roster_test@127.0.0.1:5432".into());
    let name = format!("roster_test_{}", random_name());
    let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&format!("{server}/postgres"))
        .await
        .expect("PostgreSQL must be running for the postgres tests: run the README's test command, which starts it");
    admin.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create a test database");
    format!("{server}/{name}")
}

/// The address links in test emails start with.
pub const PUBLIC_URL: &str = "http://roster.test";

impl TestApp {
    /// The app on a fresh database; its mail worker writes `.eml` files (the newcomer default).
    pub async fn spawn(backend: Backend) -> TestApp {
        TestApp::spawn_with(backend, |_| {}).await
    }

    /// The app on a fresh database, with its configuration adjusted by `configure`.
    pub async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut Config)) -> TestApp {
        let database_url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(fresh_postgres_database().await),
        };
        TestApp::start(database_url, configure).await
    }

    /// A second server process on this app's database, as a deployment with several would run.
    pub async fn another_process(&self, configure: impl FnOnce(&mut Config)) -> TestApp {
        TestApp::start(Some(self.database_url.clone()), configure).await
    }

    async fn start(database_url: Option<String>, configure: impl FnOnce(&mut Config)) -> TestApp {
        server::telemetry::init_for_tests();
        let data_dir = TempDir::new();
        let database_url = database_url.unwrap_or_else(|| format!("sqlite://{}/roster.db", data_dir.0.display()));
        let mut mail = MailConfig::files(&data_dir.0, PUBLIC_URL.into());
        mail.poll = std::time::Duration::from_millis(200);
        let mut config = Config {
            database_url: database_url.clone(),
            addr: "127.0.0.1:0".parse().expect("an address"),
            data_dir: data_dir.0.clone(),
            site_root: "target/site".into(),
            secure_cookies: false,
            body_limit: 1024 * 1024,
            api_calls_per_minute: 10_000,
            mail,
            // A test's crashed process is replaced in seconds, not the default thirty.
            jobs: server::storage::JobSettings { lease_seconds: 2, ..Default::default() },
        };
        configure(&mut config);
        let app = Application::build(config).await.expect("the app starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let store = app.store.clone();
        let (http_routes, page_routes) = (app.http_routes.clone(), app.page_routes.clone());
        let shutdown = app.shutdown();
        let running = tokio::spawn(app.run());
        TestApp { address, database_url, store, http_routes, page_routes, shutdown, running, _data_dir: data_dir }
    }

    /// The app's data folder.
    pub fn data_dir(&self) -> &std::path::Path {
        &self._data_dir.0
    }

    /// An organisation with one admin (`admin@<slug>.test`).
    pub async fn org_with_admin(&self, slug: &str) -> Org {
        let org_id = self.store.create_org(slug, &format!("{slug} support")).await.expect("create org");
        let mut admin = app::ssr::setup::parse_admin("Admin", slug, &format!("admin@{slug}.test"), PASSWORD)
            .unwrap_or_else(|problems| panic!("{problems:?}"));
        admin.user.password_hash = Some(auth::hash_password(PASSWORD).expect("hash"));
        let admin_id = self.store.create_admin(org_id, &admin.user).await.expect("create admin");
        Org { id: org_id, admin_id }
    }

    /// An organisation with its admin, and a client signed in as that admin.
    pub async fn admin_of(&self, slug: &str) -> (Org, Client) {
        let org = self.org_with_admin(slug).await;
        let client = self.signed_in(slug, &format!("admin@{slug}.test")).await;
        (org, client)
    }

    /// Calls a server function with a postcard body and answer, as the bulk pages do.
    pub async fn call_postcard<T: serde::de::DeserializeOwned>(
        &self,
        client: &Client,
        endpoint: &str,
        body: Vec<u8>,
    ) -> Result<T, (StatusCode, Value)> {
        let response = client
            .post(format!("{}/api/{endpoint}", self.address))
            .header("content-type", "application/x-postcard")
            .body(body)
            .send()
            .await
            .expect("the request is sent");
        if response.status() == StatusCode::OK {
            Ok(postcard::from_bytes(&response.bytes().await.expect("a body")).expect("the function's answer"))
        } else {
            Err(error_of(response).await)
        }
    }

    /// A browser-like client with its own cookie jar.
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client")
    }

    /// A client signed in as `email` of organisation `slug`.
    pub async fn signed_in(&self, slug: &str, email: &str) -> Client {
        let client = self.client();
        let response = self.sign_in(&client, slug, email, PASSWORD).await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "sign-in of {email} failed: {}",
            response.text().await.unwrap_or_default()
        );
        client
    }

    pub async fn sign_in(&self, client: &Client, slug: &str, email: &str, password: &str) -> Response {
        self.call(client, "sign_in", &[("organisation", slug), ("email", email), ("password", password)]).await
    }

    /// A fresh session for a user, made directly in storage: the `Cookie` header that carries it.
    pub async fn session_cookie(&self, org_id: i64, user_id: i64) -> String {
        let (token, hash) = auth::new_session_token();
        let now = auth::now();
        self.store.create_session(&hash, org_id, user_id, now, now + 3600).await.expect("a session");
        format!("{}={token}", auth::SESSION_COOKIE)
    }

    /// Calls a server function with a form body, as the browser does.
    pub async fn call(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> Response {
        client.post(format!("{}/api/{endpoint}", self.address)).form(form).send().await.expect("the request is sent")
    }

    /// Calls a server function with a JSON body.
    pub async fn call_json(&self, client: &Client, endpoint: &str, body: Value) -> Response {
        client.post(format!("{}/api/{endpoint}", self.address)).json(&body).send().await.expect("the request is sent")
    }

    /// Lists the roster (one page) with a query such as `json!({"q": "ada"})`.
    pub async fn list(&self, client: &Client, query: Value) -> Value {
        let mut full = serde_json::json!({"q": "", "role": null, "leader": null, "status": null, "group": null, "sort": "name", "descending": false, "page": 0});
        if let (Some(full), Some(query)) = (full.as_object_mut(), query.as_object()) {
            full.extend(query.clone());
        }
        let response = self.call_json(client, "list_team", serde_json::json!({ "query": full })).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("a roster page")
    }

    /// Inserts a user directly (for tests that need many).
    pub async fn insert_user(
        &self,
        org: &Org,
        first: &str,
        last: &str,
        email: &str,
        can_manage: bool,
        leader: Option<i64>,
    ) -> i64 {
        let input = ProfileInput::new()
            .with(Column::CanManageTeams, if can_manage { "y" } else { "n" })
            .with(Column::EmailAddress, email)
            .with(Column::FirstName, first)
            .with(Column::LastName, last)
            .with(Column::PhoneChannel, "y")
            .with(Column::ChatChannel, "y")
            .with(Column::EmailChannel, "y");
        let rules = OrgRules::with_default_roles();
        let mut input = input;
        if leader.is_some() {
            input.set(Column::TeamLeader, "placeholder");
        }
        let profile = Profile::parse(&input, &rules).expect("a valid profile");
        let user = NewUser {
            profile,
            leader: leader.map(app::roster::UserId),
            password_hash: Some(auth::hash_password(PASSWORD).expect("hash")),
            status: UserStatus::Active,
            must_change_password: false,
            external_id: None,
            scim_user_name: None,
            promote_leader: false,
        };
        self.store.create_user(org.id, Some(org.admin_id), &user).await.expect("insert a user")
    }
}

/// Waits for import job `id` of organisation `org_id` to end (the app's import worker runs it).
pub async fn job_end(app: &TestApp, org_id: i64, id: i64) -> ImportJob {
    use app::ssr::ImportStore;
    for _ in 0..1_200 {
        let job = app.store.import_job(org_id, id).await.expect("the job is read").expect("the job exists");
        if job.state.has_ended() {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("import job {id} did not end within a minute");
}

/// Waits for a job to end as the bulk page does: asking the `import_job` server function as the
/// signed-in `client`.
pub async fn finished(app: &TestApp, client: &Client, job: ImportJob) -> ImportJob {
    let mut job = job;
    for _ in 0..1_200 {
        if job.state.has_ended() {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let response = app.call(client, "import_job", &[("id", &job.id.to_string())]).await;
        assert_eq!(response.status(), StatusCode::OK, "the job can be watched");
        job = response.json().await.expect("a job");
    }
    panic!("import job {} did not end within a minute", job.id);
}

/// Imports a file as `importer` would: submits its job and waits for it to end.
pub async fn import_file(app: &TestApp, org_id: i64, importer: Importer, mode: Mode, file: &ImportFile) -> ImportJob {
    let job = app::ssr::import::submit(&app.store, org_id, importer, mode, file).await.expect("the job is submitted");
    job_end(app, org_id, job.id).await
}

/// Submits a commit over HTTP with the API key `token` (the query and body as `POST
/// /api/v1/imports` takes them), checks the answer is 202 with the job's `Location`, and follows
/// that address until the job ends: the ended job.
pub async fn http_import(app: &TestApp, token: &str, query: &str, key: Option<&str>, body: Vec<u8>) -> Value {
    let http = app.client();
    let mut request = http.post(format!("{}/api/v1/imports?{query}", app.address)).bearer_auth(token).body(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let submitted = request.send().await.expect("the import is posted");
    assert_eq!(submitted.status(), StatusCode::ACCEPTED, "a job, at once");
    let location = submitted.headers()["location"].to_str().expect("a location").to_owned();
    let mut job: Value = submitted.json().await.expect("a job");
    assert_eq!(location, format!("/api/v1/imports/{}", job["id"]));
    for _ in 0..1_200 {
        if ["done", "rejected", "failed"].contains(&job["state"].as_str().unwrap_or_default()) {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let response = http.get(format!("{}{location}", app.address)).bearer_auth(token).send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::OK);
        job = response.json().await.expect("a job");
    }
    panic!("import job {location} did not end within a minute");
}

/// The report of a job that ended with one (done or rejected); panics on a failed job.
pub fn report_of(job: &ImportJob) -> ImportResult {
    job.result.clone().unwrap_or_else(|| panic!("job {} failed: {:?}", job.id, job.failure))
}

/// The number of audited API calls whose detail contains `like` once it reaches `expected` (the
/// call log writes them beside the answers, in order), or what it was after five seconds.
pub async fn audited_calls(app: &TestApp, like: &str, expected: i64) -> i64 {
    let mut count = 0;
    for _ in 0..100 {
        count = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'api.call' AND detail LIKE $1")
            .bind(format!("%{like}%"))
            .fetch_one(&app.store.pool)
            .await
            .expect("the audit trail is read");
        if count >= expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    count
}

/// A new API key of `org`: its secret.
pub async fn api_key(app: &TestApp, org: &Org, name: &str) -> String {
    use app::ssr::ApiKeyStore;
    let (secret, hash) = app::ssr::auth::new_api_key();
    app.store.create_api_key(org.id, None, &key_name(name), &hash).await.expect("a key");
    secret
}

/// A valid API key name.
pub fn key_name(name: &str) -> app::roster::organisation::ApiKeyName {
    app::roster::organisation::ApiKeyName::parse(name).expect("a valid key name")
}

/// The form fields of a valid agent reporting to `leader`.
pub fn agent_form<'a>(first: &'a str, last: &'a str, email: &'a str, leader: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("form[first_name]", first),
        ("form[last_name]", last),
        ("form[email]", email),
        ("form[team_leader]", leader),
        ("form[phone_channel]", "y"),
        ("form[email_channel]", "y"),
    ]
}

/// The error a server function answered with, as JSON.
pub async fn error_of(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let body = response.json().await.expect("a JSON error body");
    (status, body)
}
