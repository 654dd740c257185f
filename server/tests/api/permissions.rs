//! The permissions matrix: every server function, HTTP route and page, called as anonymous, team
//! member, team leader, admin and the admin of another organisation, against what each may do.
//! A route the app registers without a row here fails the test, and so does a row for a route
//! that no longer exists.
//!
//! Each cell is one request with a fresh session. The cells of a row run in the order of
//! [`WHO`], the admin last but one, so that what the admin changes (a user deactivated, a role
//! renamed) is what the other organisation's admin then tries to reach. Whatever anonymous and the
//! other organisation's admin are answered must never contain the first organisation's data.

use std::collections::BTreeSet;

use app::bulk::job::ImportJob;
use app::roster::Column;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, Org, TestApp};
use crate::on_both_backends;

#[derive(Clone, Copy, Debug)]
enum Who {
    Anonymous,
    Member,
    Leader,
    Admin,
    OtherAdmin,
}

/// The order of the letters in each row's expectation.
const WHO: [Who; 5] = [Who::Anonymous, Who::Member, Who::Leader, Who::Admin, Who::OtherAdmin];

/// What a cell expects, one letter per [`WHO`]:
/// * `O`: done (2xx, or a redirect a server function answers when it is done);
/// * `R`: allowed, but this input is refused (400, 409, 410, 422);
/// * `D`: denied (401, 403);
/// * `N`: not found: another organisation's record (404);
/// * `P`: a page anyone may open renders;
/// * `F`: a signed-in page renders with its frame (the person's own header and the page's data);
/// * `X`: the page is not rendered: no frame, no data (the browser is then sent to sign in or home;
///   whether that redirect comes as a header depends on how far the stream got, so it is not asserted).
fn matches(letter: char, status: StatusCode, body: &str) -> bool {
    let code = status.as_u16();
    let framed = body.contains("<header class=\"top\"");
    match letter {
        'O' => status.is_success() || status.is_redirection(),
        'R' => matches!(code, 400 | 409 | 410 | 422),
        'D' => matches!(code, 401 | 403),
        'N' => code == 404,
        'P' => code == 200 && !framed,
        'F' => code == 200 && framed,
        'X' => code == 200 && !framed,
        _ => false,
    }
}

enum Body {
    None,
    Form(Vec<(&'static str, String)>),
    Json(Value),
    Postcard(Vec<u8>),
    Photo,
}

struct Row {
    /// The route as the app registers it.
    route: &'static str,
    method: Method,
    /// The URL called (the route with its parameters filled in).
    url: String,
    body: Body,
    expect: &'static str,
}

fn call(route: &'static str, body: Body, expect: &'static str) -> Row {
    Row { route, method: Method::POST, url: route.to_owned(), body, expect }
}

/// A provisioning API route that no session reaches, whoever is signed in.
fn key_only(route: &'static str, method: Method, url: &str) -> Row {
    Row { route, method, url: url.to_owned(), body: Body::Json(json!({"first_name": "Matrix"})), expect: "DDDDD" }
}

fn form(pairs: &[(&'static str, &str)]) -> Body {
    Body::Form(pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect())
}

fn page(route: &'static str, url: &str, expect: &'static str) -> Row {
    Row { route, method: Method::GET, url: url.to_owned(), body: Body::None, expect }
}

/// The first organisation's people and records the rows point at.
struct World {
    acme: Org,
    globex: Org,
    leader: i64,
    member: i64,
    /// Deactivated by the admin's cell, then reactivated.
    leaver: i64,
    role: i64,
    group: i64,
    other_group: i64,
    batch: i64,
    job: i64,
    key: i64,
}

async fn world(app: &TestApp) -> World {
    let acme = app.org_with_admin("acme").await;
    let globex = app.org_with_admin("globex").await;
    let leader = app.insert_user(&acme, "Lena", "Lead", "lena@acme.test", true, Some(acme.admin_id)).await;
    let member = app.insert_user(&acme, "Ann", "Agent", "ann@acme.test", false, Some(leader)).await;
    let leaver = app.insert_user(&acme, "Zed", "Zebediah", "zed@acme.test", false, Some(leader)).await;
    let admin = app.signed_in("acme", "admin@acme.test").await;
    let id = |response: reqwest::Response| async move { response.json::<i64>().await.expect("an id") };
    let role = id(app.call(&admin, "create_role", &[("name", "Acme Tier")]).await).await;
    let group = id(app.call(&admin, "create_group", &[("name", "Acme Nights")]).await).await;
    let other_group = id(app.call(&admin, "create_group", &[("name", "Acme Days")]).await).await;
    let taught = app.call(&admin, "remember_column_name", &[("header", "Acme Phone"), ("meaning", "phone_channel")]);
    assert_eq!(taught.await.status(), reqwest::StatusCode::OK);
    let photo = Form::new().part("photo", Part::bytes(PNG.to_vec()).file_name("ann.png"));
    let uploaded = admin.post(format!("{}/api/photos/{member}", app.address)).multipart(photo).send().await.unwrap();
    assert!(uploaded.status().is_success() || uploaded.status().is_redirection());
    let submitted = app.call_postcard::<ImportJob>(&admin, "bulk_create", import_bytes(bulk_file(), true)).await;
    let job = crate::helpers::finished(app, &admin, submitted.expect("the bulk create is submitted")).await;
    assert!(job.result.as_ref().is_some_and(|result| result.batch_id.is_some()), "{job:?}");
    let batches: Value = app.call(&admin, "list_batches", &[("page", "0")]).await.json().await.unwrap();
    let batch = batches[0]["id"].as_i64().expect("the batch just committed");
    let key = app.call(&admin, "create_api_key", &[("name", "Acme sync")]).await.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .expect("a key id");
    World { acme, globex, leader, member, leaver, role, group, other_group, batch, job: job.id, key }
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

/// A one-row bulk-create file valid in any organisation: every column of the template.
fn bulk_file() -> Vec<u8> {
    let filled = [
        (Column::CanManageTeams, "y"),
        (Column::EmailAddress, "bulk.matrix@example.test"),
        (Column::FirstName, "Bulk"),
        (Column::LastName, "Matrix"),
        (Column::PhoneChannel, "y"),
        (Column::ChatChannel, "n"),
        (Column::EmailChannel, "n"),
    ];
    let header: Vec<&str> = Column::ALL.iter().map(|c| c.header()).collect();
    let row: Vec<&str> =
        Column::ALL.iter().map(|c| filled.iter().find(|(f, _)| f == c).map_or("", |(_, v)| *v)).collect();
    app::roster::write::utf16le(&app::roster::write::tsv([header, row]))
}

fn import(file: Vec<u8>, create: bool) -> Body {
    Body::Postcard(import_bytes(file, create))
}

fn import_bytes(file: Vec<u8>, create: bool) -> Vec<u8> {
    let file = app::bulk::ImportFile {
        file_name: "matrix.txt".into(),
        bytes: file,
        delay_welcome_emails: false,
        idempotency_key: None,
    };
    let bytes = if create {
        postcard::to_allocvec(&app::api::BulkCreate { file })
    } else {
        postcard::to_allocvec(&app::api::BulkUpdate { file })
    };
    bytes.expect("an encoded file")
}

fn table(w: &World) -> Vec<Row> {
    let (member, leaver, role, group) =
        (w.member.to_string(), w.leaver.to_string(), w.role.to_string(), w.group.to_string());
    let query = json!({"query": {"q": "", "role": null, "leader": null, "status": null, "group": null, "sort": "name", "descending": false, "page": 0}});
    let new_user = form(&[
        ("form[first_name]", "New"),
        ("form[last_name]", "Starter"),
        ("form[email]", "new.starter@example.test"),
        ("form[can_manage_teams]", "y"),
        ("form[phone_channel]", "y"),
    ]);
    let password = "Quiet-harbour-lamp-42";
    vec![
        // Anyone: the sign-in and first-steps functions, which check their own credentials.
        call("/api/needs_setup", Body::None, "OOOOO"),
        call(
            "/api/set_up",
            form(&[
                ("organisation", "Initech"),
                ("slug", "initech"),
                ("first_name", "Bill"),
                ("last_name", "L"),
                ("email", "bill@initech.test"),
                ("password", password),
            ]),
            "RRRRR",
        ),
        call(
            "/api/sign_in",
            form(&[("organisation", "nowhere"), ("email", "nobody@nowhere.test"), ("password", password)]),
            "DDDDD",
        ),
        call("/api/sign_out", Body::None, "OOOOO"),
        call("/api/current_viewer", Body::None, "OOOOO"),
        call("/api/welcome_link", form(&[("token", "not-a-link")]), "RRRRR"),
        call(
            "/api/set_password_from_link",
            form(&[("token", "not-a-link"), ("password", password), ("confirmation", password)]),
            "RRRRR",
        ),
        // Anyone signed in: their own account.
        call("/api/change_password", form(&[("password", password), ("confirmation", password)]), "DOOOO"),
        call("/api/load_own_profile", Body::None, "DOOOO"),
        call("/api/complete_profile", form(&[("bio", "Hello"), ("state_or_country", "Ohio")]), "DOOOO"),
        call("/api/load_stream", Body::None, "DOOOO"),
        // Readers of a roster: admins (their organisation) and team leaders (their team).
        call("/api/team_options", Body::None, "DDOOO"),
        call("/api/list_team", Body::Json(query.clone()), "DDOOO"),
        call("/api/team_tree", Body::None, "DDOOO"),
        // Admins only, and only in their own organisation.
        call("/api/load_user", form(&[("id", &member)]), "DDDON"),
        call("/api/save_user", new_user, "DDDOO"),
        call("/api/bulk_snapshot", Body::None, "DDDOO"),
        call("/api/bulk_create", import(bulk_file(), true), "DDDOO"),
        call("/api/bulk_update_snapshot", Body::None, "DDDOO"),
        // A file that is not an update file is a job its worker rejects, changing nothing.
        call("/api/bulk_update", import(bulk_file(), false), "DDDOO"),
        call("/api/import_job", form(&[("id", &w.job.to_string())]), "DDDON"),
        call("/api/recent_import_jobs", Body::None, "DDDOO"),
        call("/api/list_batches", form(&[("page", "0")]), "DDDOO"),
        call("/api/batch_detail", form(&[("id", &w.batch.to_string()), ("page", "0")]), "DDDON"),
        call("/api/held_welcome_emails", Body::None, "DDDOO"),
        call("/api/send_delayed_welcome_emails", form(&[("expected", "0")]), "DDDOO"),
        call("/api/welcome_email_state", form(&[("user_id", &member)]), "DDDON"),
        call("/api/send_welcome_email", form(&[("user_id", &member)]), "DDDON"),
        call("/api/roles", Body::None, "DDDOO"),
        call("/api/create_role", form(&[("name", "Matrix Role")]), "DDDOO"),
        call("/api/rename_role", form(&[("id", &role), ("name", "Acme Tier 2")]), "DDDON"),
        call("/api/change_role", form(&[("id", &role), ("change", "deactivate")]), "DDDON"),
        call("/api/set_custom_roles", form(&[("on", "false")]), "DDDOO"),
        call("/api/provisioning", Body::None, "DDDOO"),
        call("/api/set_provisioning", form(&[("form[team_leader]", &w.leader.to_string())]), "DDDON"),
        call("/api/groups", Body::None, "DDDOO"),
        call("/api/create_group", form(&[("name", "Matrix Group")]), "DDDOO"),
        call("/api/rename_group", form(&[("id", &group), ("name", "Acme Nights 2")]), "DDDON"),
        call("/api/delete_group", form(&[("id", &w.other_group.to_string())]), "DDDON"),
        call("/api/column_names", Body::None, "DDDOO"),
        call("/api/remember_column_name", form(&[("header", "Matrix Notes"), ("meaning", "ignore")]), "DDDOO"),
        call("/api/forget_column_name", form(&[("header", "Acme Phone")]), "DDDON"),
        call("/api/api_keys", Body::None, "DDDOO"),
        call("/api/create_api_key", form(&[("name", "Matrix key")]), "DDDOO"),
        call("/api/revoke_api_key", form(&[("id", &w.key.to_string())]), "DDDON"),
        call("/api/select_matching", Body::Json(query.clone()), "DDDOO"),
        call("/api/review_deactivation", Body::Json(json!({"ids": [w.leaver]})), "DDDON"),
        call("/api/deactivate_users", Body::Json(json!({"ids": [w.leaver], "replacements": []})), "DDDOR"),
        call("/api/reactivate_user", form(&[("id", &leaver)]), "DDDON"),
        // HTTP routes. Imports take an organisation API key only; no session reaches them.
        call("/api/v1/imports", Body::None, "DDDDD"),
        page("/api/v1/imports/{id}", &format!("/api/v1/imports/{}", w.job), "DDDDD"),
        // The provisioning API takes an organisation API key only; no session reaches it.
        page("/api/v2/employees", "/api/v2/employees", "DDDDD"),
        call("/api/v2/employees", Body::Json(json!({"first_name": "Matrix"})), "DDDDD"),
        page("/api/v2/employees/{reference}", "/api/v2/employees/ann@acme.test", "DDDDD"),
        key_only("/api/v2/employees/{reference}", Method::PATCH, &format!("/api/v2/employees/{member}")),
        key_only("/api/v2/employees/{reference}/invite", Method::POST, &format!("/api/v2/employees/{member}/invite")),
        key_only(
            "/api/v2/employees/{reference}/activate",
            Method::POST,
            &format!("/api/v2/employees/{leaver}/activate"),
        ),
        key_only(
            "/api/v2/employees/{reference}/deactivate",
            Method::POST,
            &format!("/api/v2/employees/{member}/deactivate"),
        ),
        // Its description is public.
        page("/api/v2/openapi.json", "/api/v2/openapi.json", "OOOOO"),
        // SCIM, likewise: an organisation API key only.
        page("/scim/v2/ServiceProviderConfig", "/scim/v2/ServiceProviderConfig", "DDDDD"),
        page("/scim/v2/ResourceTypes", "/scim/v2/ResourceTypes", "DDDDD"),
        page("/scim/v2/ResourceTypes/{id}", "/scim/v2/ResourceTypes/User", "DDDDD"),
        page("/scim/v2/Schemas", "/scim/v2/Schemas", "DDDDD"),
        page("/scim/v2/Schemas/{id}", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", "DDDDD"),
        page("/scim/v2/Users", "/scim/v2/Users", "DDDDD"),
        key_only("/scim/v2/Users", Method::POST, "/scim/v2/Users"),
        key_only("/scim/v2/Users/.search", Method::POST, "/scim/v2/Users/.search"),
        page("/scim/v2/Users/{id}", &format!("/scim/v2/Users/{member}"), "DDDDD"),
        key_only("/scim/v2/Users/{id}", Method::PUT, &format!("/scim/v2/Users/{member}")),
        key_only("/scim/v2/Users/{id}", Method::PATCH, &format!("/scim/v2/Users/{member}")),
        key_only("/scim/v2/Users/{id}", Method::DELETE, &format!("/scim/v2/Users/{member}")),
        page("/scim/v2/Groups", "/scim/v2/Groups", "DDDDD"),
        key_only("/scim/v2/Groups", Method::POST, "/scim/v2/Groups"),
        key_only("/scim/v2/Groups/.search", Method::POST, "/scim/v2/Groups/.search"),
        key_only("/scim/v2/.search", Method::POST, "/scim/v2/.search"),
        page("/scim/v2/Groups/{id}", &format!("/scim/v2/Groups/{group}"), "DDDDD"),
        key_only("/scim/v2/Groups/{id}", Method::PUT, &format!("/scim/v2/Groups/{group}")),
        key_only("/scim/v2/Groups/{id}", Method::PATCH, &format!("/scim/v2/Groups/{group}")),
        key_only("/scim/v2/Groups/{id}", Method::DELETE, &format!("/scim/v2/Groups/{group}")),
        page("/scim/v2/{*unknown}", "/scim/v2/Nothing/here", "DDDDD"),
        page("/api/export/current-team", "/api/export/current-team", "DDOOO"),
        page("/api/photos/{user}", &format!("/api/photos/{member}"), "DOOON"),
        Row {
            route: "/api/photos/{user}",
            method: Method::POST,
            url: format!("/api/photos/{member}"),
            body: Body::Photo,
            expect: "DODON",
        },
        // Pages: rendered on the server for whoever may see them; everyone else is redirected.
        // Home only sends each person where they belong.
        page("/", "/", "XXXXX"),
        page("/setup", "/setup", "PPPPP"),
        page("/sign-in", "/sign-in", "PPPPP"),
        page("/set-password/{token}", "/set-password/not-a-link", "PPPPP"),
        // A form without data: `change_password` is what checks who asks.
        page("/change-password", "/change-password", "PPPPP"),
        page("/welcome/profile", "/welcome/profile", "XFFFF"),
        page("/stream", "/stream", "XFFFF"),
        page("/team", "/team", "XXFFF"),
        page("/team/hierarchy", "/team/hierarchy", "XXFFF"),
        page("/team/roles", "/team/roles", "XXXFF"),
        page("/team/groups", "/team/groups", "XXXFF"),
        page("/team/api-keys", "/team/api-keys", "XXXFF"),
        page("/team/deactivate", "/team/deactivate", "XXXFF"),
        page("/team/users/new", "/team/users/new", "XXXFF"),
        page("/team/users/{id}", &format!("/team/users/{member}"), "XXXFF"),
        // The bulk pages load their data in the browser; the server renders the frame and the form.
        page("/team/bulk-create", "/team/bulk-create", "XXXFF"),
        page("/team/bulk-update", "/team/bulk-update", "XXXFF"),
        page("/team/batches", "/team/batches", "XXXFF"),
        page("/team/batches/{id}", &format!("/team/batches/{}", w.batch), "XXXFF"),
        page("/team/delayed-welcome-emails", "/team/delayed-welcome-emails", "XXXFF"),
    ]
}

/// Everything the app answers on: server functions, HTTP routes and pages.
fn registered_routes(app: &TestApp) -> BTreeSet<String> {
    let mut routes: BTreeSet<String> =
        leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_owned()).collect();
    routes.extend(app.http_routes.iter().map(|route| (*route).to_owned()));
    routes.extend(app.page_routes.iter().cloned());
    routes
}

async fn every_route_allows_exactly_whom_the_matrix_says_and_no_tenant_sees_another(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let rows = table(&w);

    let registered = registered_routes(&app);
    for known in ["/api/list_team", "/api/v1/imports", "/team/users/{id}"] {
        assert!(registered.contains(known), "the registry lists {known}: {registered:?}");
    }
    let covered: BTreeSet<String> = rows.iter().map(|row| row.route.to_owned()).collect();
    let missing: Vec<&String> = registered.difference(&covered).collect();
    assert!(missing.is_empty(), "routes without a row in the permissions matrix: {missing:?}");
    let stale: Vec<&String> = covered.difference(&registered).collect();
    assert!(stale.is_empty(), "rows for routes the app no longer has: {stale:?}");

    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut failures = Vec::new();
    for row in &rows {
        let mut letters = row.expect.chars();
        for who in WHO {
            let expected = letters.next().expect("one letter per person");
            let session = match who {
                Who::Anonymous => None,
                Who::Member => Some((w.acme.id, w.member)),
                Who::Leader => Some((w.acme.id, w.leader)),
                Who::Admin => Some((w.acme.id, w.acme.admin_id)),
                Who::OtherAdmin => Some((w.globex.id, w.globex.admin_id)),
            };
            let mut request = http.request(row.method.clone(), format!("{}{}", app.address, row.url));
            if let Some((org, user)) = session {
                request = request.header("cookie", app.session_cookie(org, user).await);
            }
            request = match &row.body {
                Body::None => request,
                Body::Form(pairs) => request.form(pairs),
                Body::Json(value) => request.json(value),
                Body::Postcard(bytes) => request.header("content-type", "application/x-postcard").body(bytes.clone()),
                Body::Photo => {
                    request.multipart(Form::new().part("photo", Part::bytes(PNG.to_vec()).file_name("p.png")))
                }
            };
            let response = request.send().await.expect("a response");
            let status = response.status();
            let location =
                response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            let body = String::from_utf8_lossy(&response.bytes().await.unwrap_or_default()).into_owned();
            if !matches(expected, status, &body) {
                failures.push(format!(
                    "{} {} as {who:?}: expected {expected}, got {status} {location} {}",
                    row.method,
                    row.url,
                    body.chars().take(160).collect::<String>()
                ));
            }
            if matches!(who, Who::Anonymous | Who::OtherAdmin)
                && (body.contains("acme.test") || body.contains("Zebediah"))
            {
                failures.push(format!("{} {} as {who:?} leaked the first organisation's data", row.method, row.url));
            }
        }
    }
    assert!(failures.is_empty(), "{} cells differ from the matrix:\n{}", failures.len(), failures.join("\n"));
}

on_both_backends!(every_route_allows_exactly_whom_the_matrix_says_and_no_tenant_sees_another);
