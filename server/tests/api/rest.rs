//! The User Provisioning API over REST (`/api/v2/employees`): cursor paging, filters, reading one
//! user, creating, updating with ETags, inviting, deactivating and activating, JSON errors for
//! every bad request, one organisation per key, every call audited, rate and body limits, and the
//! OpenAPI document held to the implementation.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;

use crate::helpers::{Backend, TestApp, api_key as key};
use crate::on_both_backends;

async fn get(app: &TestApp, key: &str, path: &str) -> (StatusCode, Value) {
    let response = app.client().get(format!("{}{path}", app.address)).bearer_auth(key).send().await.unwrap();
    let status = response.status();
    let body = response.text().await.unwrap();
    (status, serde_json::from_str(&body).unwrap_or_else(|_| panic!("JSON from {path}: {status} {body}")))
}

fn ids(page: &Value) -> Vec<i64> {
    page["data"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect()
}

async fn paging_by_cursor_never_skips_or_repeats_anyone_while_the_roster_changes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    let token = key(&app, &org, "sync").await;
    let mut expected = vec![org.admin_id];
    for n in 0..24 {
        expected.push(
            app.insert_user(&org, "Agent", &format!("N{n:02}"), &format!("a{n}@acme.test"), false, Some(org.admin_id))
                .await,
        );
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v2/employees?limit=10&cursor={c}"),
            None => "/api/v2/employees?limit=10".to_owned(),
        };
        let (status, page) = get(&app, &token, &path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(ids(&page));
        pages += 1;
        // Meanwhile someone is added and someone already listed leaves.
        app.insert_user(
            &org,
            "Late",
            &format!("L{pages}"),
            &format!("late{pages}@acme.test"),
            false,
            Some(org.admin_id),
        )
        .await;
        sqlx::query("UPDATE users SET status = 'deactivated' WHERE id = $1")
            .bind(seen[0])
            .execute(&app.store.pool)
            .await
            .unwrap();
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(pages < 10, "paging ends");
    }
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique, seen, "no one twice, in id order");
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    assert!(expected.iter().all(|id| seen.contains(id)), "everyone there from the start is listed");
    let (_, everyone) = get(&app, &token, "/api/v2/employees?limit=500").await;
    assert_eq!(everyone["next_cursor"], Value::Null);
    assert_eq!(ids(&everyone).len(), 25 + pages);
}

async fn filters_narrow_the_list_and_one_user_is_read_by_email_or_employee_id(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    let token = key(&app, &org, "sync").await;
    let lead = app.insert_user(&org, "Lena", "Lead", "lena@acme.test", true, Some(org.admin_id)).await;
    let ada = app.insert_user(&org, "Ada", "Lovelace", "ada@acme.test", false, Some(lead)).await;
    app.insert_user(&org, "Bob", "Builder", "bob@acme.test", false, Some(org.admin_id)).await;
    sqlx::query(
        "UPDATE users SET employee_id = '000123', employment_status = 'Part Time', status = 'invited', search_text = search_text || ' 000123' WHERE id = $1",
    )
    .bind(ada)
    .execute(&app.store.pool)
    .await
    .unwrap();
    let group: i64 = sqlx::query_scalar("INSERT INTO groups (org_id, name) VALUES ($1, 'Nights') RETURNING id")
        .bind(org.id)
        .fetch_one(&app.store.pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO user_groups (org_id, user_id, group_id) VALUES ($1, $2, $3)")
        .bind(org.id)
        .bind(ada)
        .bind(group)
        .execute(&app.store.pool)
        .await
        .unwrap();

    for query in [
        "team_leader=LENA@acme.test",
        "status=invited",
        "employment_status=part%20time",
        "group=Nights",
        "role=team%20member&q=lovelace",
        "q=000123",
    ] {
        let (status, page) = get(&app, &token, &format!("/api/v2/employees?{query}")).await;
        assert_eq!((status, ids(&page)), (StatusCode::OK, vec![ada]), "{query}");
    }
    let (_, none) = get(&app, &token, "/api/v2/employees?group=nights").await;
    assert!(ids(&none).is_empty(), "group names match exactly");

    let (status, by_email) = get(&app, &token, "/api/v2/employees/ADA@acme.test").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_email["team_leader"], "lena@acme.test");
    assert_eq!(by_email["employee_id"], "000123", "leading zeros kept");
    assert_eq!(by_email["groups"], serde_json::json!(["Nights"]));
    assert_eq!(by_email["role"], "Team Member");
    assert_eq!(by_email["status"], "invited");
    let (_, by_id) = get(&app, &token, "/api/v2/employees/000123").await;
    assert_eq!(by_id, by_email);
    let (status, missing) = get(&app, &token, "/api/v2/employees/nobody@acme.test").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(missing["error"]["code"], "not_found");
}

async fn bad_requests_get_json_errors_naming_the_parameter_and_keys_see_only_their_organisation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let acme = app.org_with_admin("acme").await;
    let globex = app.org_with_admin("globex").await;
    let acme_key = key(&app, &acme, "acme sync").await;
    let globex_key = key(&app, &globex, "globex sync").await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=%FF", "limit"),
        ("cursor=zz-top", "cursor"),
        ("status=retired", "status"),
        ("employment_status=Seasonal", "employment_status"),
        ("colour=blue", "colour"),
    ] {
        let (status, body) = get(&app, &acme_key, &format!("/api/v2/employees?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(
            (body["error"]["status"].as_u64(), body["error"]["field"].as_str()),
            (Some(400), Some(field)),
            "{query}"
        );
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    for token in ["", "roster_not-a-key"] {
        let (status, body) = get(&app, token, "/api/v2/employees").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    let (_, theirs) = get(&app, &globex_key, "/api/v2/employees").await;
    assert_eq!(ids(&theirs), [globex.admin_id], "globex's key lists only globex");
    let (status, _) = get(&app, &globex_key, "/api/v2/employees/admin@acme.test").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    assert_eq!(crate::helpers::audited_calls(&app, "", 9).await, 9);
    let calls = sqlx::query("SELECT org_id, detail FROM audit_events WHERE action = 'api.call' ORDER BY id")
        .fetch_all(&app.store.pool)
        .await
        .unwrap();
    assert_eq!(calls.len(), 7 + 2, "every call a key made is audited, none without a key");
    let last: Value = serde_json::from_str(&calls[8].get::<String, _>(1)).unwrap();
    assert_eq!(calls[8].get::<i64, _>(0), globex.id);
    assert_eq!(last["call"], "GET /api/v2/employees/admin@acme.test");
    assert_eq!(last["status"], 404);
    assert!(last["api_key"].is_i64());
}

async fn post(app: &TestApp, key: &str, body: &Value) -> (StatusCode, Value) {
    let response = app
        .client()
        .post(format!("{}/api/v2/employees", app.address))
        .bearer_auth(key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn a_script_creates_a_user_with_the_spreadsheets_rules_and_messages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    let token = key(&app, &org, "sync").await;
    sqlx::query("INSERT INTO groups (org_id, name) VALUES ($1, 'Nights, EU')")
        .bind(org.id)
        .execute(&app.store.pool)
        .await
        .unwrap();
    let ada = json!({
        "first_name": "Ada", "last_name": "Lovelace", "email": "Ada@Acme.test", "employee_id": "000123",
        "can_manage_teams": false, "phone_channel": true, "chat_channel": false, "email_channel": true,
        "team_leader": "ADMIN@acme.test", "employment_status": "Full Time", "start_date": "2026-03-31",
        "groups": ["Nights, EU"], "home_town": null
    });
    let (status, created) = post(&app, &token, &ada).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["email"], "Ada@Acme.test");
    assert_eq!(created["employee_id"], "000123");
    assert_eq!(created["team_leader"], "admin@acme.test");
    assert_eq!(created["groups"], json!(["Nights, EU"]));
    assert_eq!(created["role"], "Team Member", "derived from the hierarchy");
    assert!(created["status"] == "created" || created["status"] == "invited", "welcome email due or sent: {created}");
    let (_, mut again) = get(&app, &token, "/api/v2/employees/000123").await;
    // The mail worker may have sent her welcome email meanwhile.
    assert!(again["status"] == "created" || again["status"] == "invited", "{again}");
    again["status"] = created["status"].clone();
    assert_eq!(again, created);

    // The spreadsheet's rules and messages, every problem by field; nothing saved.
    let bad = json!({"first_name": "Bob", "last_name": "", "email": "ada@acme.test", "phone_channel": true,
        "chat_channel": true, "email_channel": true, "can_manage_teams": false, "team_leader": "nobody@acme.test"});
    let (status, body) = post(&app, &token, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<(&str, &str)> = body["error"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["field"].as_str().unwrap(), p["code"].as_str().unwrap()))
        .collect();
    assert!(fields.contains(&("last_name", "required")), "{body}");
    let (status, body) = post(
        &app,
        &token,
        &json!({"first_name": "Bob", "last_name": "B", "email": "ADA@acme.test",
        "phone_channel": true, "chat_channel": true, "email_channel": true, "can_manage_teams": true}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["problems"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("duplicate_email"))
    );

    // The body's shape is refused by field before the rules run.
    for (body, field) in [
        (json!({"first_name": "Bob", "nickname": "B"}), "nickname"),
        (json!({"employee_id": 123}), "employee_id"),
        (json!({"phone_channel": "maybe", "can_manage_teams": 1}), "can_manage_teams"),
        (json!({"groups": "Nights"}), "groups"),
        (json!(["not", "an", "object"]), "body"),
    ] {
        let (status, answer) = post(&app, &token, &body).await;
        assert_eq!((status, answer["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{body}");
    }
    let not_json = app
        .client()
        .post(format!("{}/api/v2/employees", app.address))
        .bearer_auth(&token)
        .body("first_name=Bob")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    let (_, everyone) = get(&app, &token, "/api/v2/employees").await;
    assert_eq!(ids(&everyone).len(), 2, "only Ada was created");
    let audited = crate::helpers::audited_calls(&app, "POST", 9).await;
    assert_eq!(audited, 9, "every call, accepted or refused");
}

/// Sends `method` to `path` with `key`, a JSON body and headers: the status, the ETag and the body.
async fn send(
    app: &TestApp,
    key: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
    if_match: Option<&str>,
) -> (StatusCode, Option<String>, Value) {
    let mut request = app.client().request(method, format!("{}{path}", app.address)).bearer_auth(key);
    if let Some(body) = body {
        request = request.json(body);
    }
    if let Some(tag) = if_match {
        request = request.header("if-match", tag);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let etag = response.headers().get("etag").map(|v| v.to_str().unwrap().to_owned());
    (status, etag, response.json().await.unwrap_or(Value::Null))
}

async fn a_script_updates_a_user_by_etag_invites_deactivates_and_activates_them(backend: Backend) {
    use reqwest::Method;
    let app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    let token = key(&app, &org, "sync").await;
    let lead = app.insert_user(&org, "Lena", "Lead", "lena@acme.test", true, Some(org.admin_id)).await;
    let ada = app.insert_user(&org, "Ada", "Lovelace", "ada@acme.test", false, Some(lead)).await;

    let (status, read_tag, _) = send(&app, &token, Method::GET, "/api/v2/employees/ada@acme.test", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let read_tag = read_tag.expect("an ETag");
    let change = json!({"home_town": "London", "employment_status": "Part Time", "groups": null});
    let (status, new_tag, ada_now) =
        send(&app, &token, Method::PATCH, "/api/v2/employees/ada@acme.test", Some(&change), Some(&read_tag)).await;
    assert_eq!(status, StatusCode::OK, "{ada_now}");
    assert_eq!(
        (ada_now["home_town"].as_str(), ada_now["employment_status"].as_str()),
        (Some("London"), Some("Part Time"))
    );
    assert_eq!(ada_now["first_name"], "Ada", "fields the body leaves out keep their value");
    assert_ne!(new_tag.as_deref(), Some(read_tag.as_str()), "a change moves the ETag on");

    // A stale ETag changes nothing; so does a change the rules refuse.
    let (status, _, stale) = send(
        &app,
        &token,
        Method::PATCH,
        "/api/v2/employees/ada@acme.test",
        Some(&json!({"home_town": "Paris"})),
        Some(&read_tag),
    )
    .await;
    assert_eq!((status, stale["error"]["code"].as_str()), (StatusCode::PRECONDITION_FAILED, Some("version_changed")));
    let (status, _, refused) = send(
        &app,
        &token,
        Method::PATCH,
        &format!("/api/v2/employees/{}", "ada@acme.test"),
        Some(&json!({"first_name": "", "last_name": ""})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let fields: Vec<&str> =
        refused["error"]["problems"].as_array().unwrap().iter().map(|p| p["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["first_name", "last_name"], "{refused}");
    let (status, _, refused) = send(
        &app,
        &token,
        Method::PATCH,
        "/api/v2/employees/ada@acme.test",
        Some(&json!({"team_leader": "nobody@acme.test"})),
        None,
    )
    .await;
    assert_eq!(
        (status, refused["error"]["problems"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("team_leader"))
    );
    let (status, _, refused) = send(
        &app,
        &token,
        Method::PATCH,
        "/api/v2/employees/ada@acme.test",
        Some(&json!({"temporary_password": "Quiet-harbour-lamp-42"})),
        None,
    )
    .await;
    assert_eq!((status, refused["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("temporary_password")));
    let (_, tag, unchanged) = send(&app, &token, Method::GET, "/api/v2/employees/ada@acme.test", None, None).await;
    assert_eq!((unchanged["home_town"].as_str(), tag), (Some("London"), new_tag));

    // Invite: the welcome email is queued, on behalf of the key.
    let (status, _, _) = send(&app, &token, Method::POST, "/api/v2/employees/ada@acme.test/invite", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let queued: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'welcome_email.sent' AND subject_id = $1 AND actor_id IS NULL",
    )
    .bind(ada)
    .fetch_one(&app.store.pool)
    .await
    .unwrap();
    assert_eq!(queued, 1);

    // Deactivating Lena hands her team to her own team leader; a second time is refused.
    let (status, _, lena) =
        send(&app, &token, Method::POST, "/api/v2/employees/lena@acme.test/deactivate", None, None).await;
    assert_eq!((status, lena["status"].as_str()), (StatusCode::OK, Some("deactivated")), "{lena}");
    let (_, _, ada_now) = send(&app, &token, Method::GET, "/api/v2/employees/ada@acme.test", None, None).await;
    assert_eq!(ada_now["team_leader"], "admin@acme.test");
    let (status, _, again) =
        send(&app, &token, Method::POST, "/api/v2/employees/lena@acme.test/deactivate", None, None).await;
    assert_eq!((status, again["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("cannot_deactivate")));
    for (body, field) in [
        (json!({"new_team_leader": "nobody@acme.test"}), "new_team_leader"),
        (json!({"new_team_leader": 7}), "new_team_leader"),
        (json!({"successor": "admin@acme.test"}), "successor"),
    ] {
        let (status, _, refused) =
            send(&app, &token, Method::POST, "/api/v2/employees/ada@acme.test/deactivate", Some(&body), None).await;
        assert_eq!((status, refused["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{body}");
    }

    // Activate brings Lena back; twice is refused.
    let (status, _, lena) =
        send(&app, &token, Method::POST, "/api/v2/employees/lena@acme.test/activate", None, None).await;
    assert_eq!((status, lena["status"].as_str()), (StatusCode::OK, Some("active")), "{lena}");
    let (status, _, _) =
        send(&app, &token, Method::POST, "/api/v2/employees/lena@acme.test/activate", None, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _, _) =
        send(&app, &token, Method::POST, "/api/v2/employees/nobody@acme.test/invite", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn each_key_is_held_to_its_rate_limit_and_bodies_to_their_size_limit(backend: Backend) {
    let app = TestApp::spawn_with(backend, |config| config.api_calls_per_minute = 3).await;
    let org = app.org_with_admin("acme").await;
    let busy = key(&app, &org, "busy").await;
    let other = key(&app, &org, "other").await;
    for _ in 0..3 {
        assert_eq!(get(&app, &busy, "/api/v2/employees").await.0, StatusCode::OK);
    }
    let response =
        app.client().get(format!("{}/api/v2/employees", app.address)).bearer_auth(&busy).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    let scim = app.client().get(format!("{}/scim/v2/Users", app.address)).bearer_auth(&busy).send().await.unwrap();
    assert_eq!(scim.status(), StatusCode::TOO_MANY_REQUESTS, "REST and SCIM share the key's allowance");
    assert!(scim.headers().contains_key("retry-after"));
    assert_eq!(get(&app, &other, "/api/v2/employees").await.0, StatusCode::OK, "each key has its own");

    let huge = json!({"first_name": "A", "profile": "x".repeat(300 * 1024)});
    let (status, body) = post(&app, &other, &huge).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("body_too_large")));
    let (_, everyone) = get(&app, &other, "/api/v2/employees").await;
    assert_eq!(ids(&everyone), [org.admin_id], "nothing was created");
}

async fn the_openapi_document_describes_every_route_as_it_answers(backend: Backend) {
    use reqwest::Method;
    let app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    let token = key(&app, &org, "sync").await;
    app.insert_user(&org, "Ada", "Lovelace", "ada@acme.test", false, Some(org.admin_id)).await;
    let response = app.client().get(format!("{}/api/v2/openapi.json", app.address)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");

    let paths = document["paths"].as_object().unwrap();
    let documented: std::collections::BTreeSet<&str> = paths.keys().map(String::as_str).collect();
    let served: std::collections::BTreeSet<&str> =
        app.http_routes.iter().copied().filter(|r| r.starts_with("/api/v2/")).collect();
    assert_eq!(documented, served, "every /api/v2 route is documented, and nothing else");

    // Every operation answers with a status it documents (bodies as a script would send them).
    for (path, operations) in paths {
        for (method, operation) in operations.as_object().unwrap() {
            let Some(method) = [Method::GET, Method::POST, Method::PATCH]
                .into_iter()
                .find(|m| m.as_str().eq_ignore_ascii_case(method))
            else {
                continue;
            };
            let url = path.replace("{reference}", "ada@acme.test");
            let takes_a_user = method == Method::PATCH || (method == Method::POST && url == "/api/v2/employees");
            let body = takes_a_user.then(|| json!({"home_town": "Leeds"}));
            let (status, _, answer) = send(&app, &token, method.clone(), &url, body.as_ref(), None).await;
            let codes = operation["responses"].as_object().unwrap();
            assert!(codes.contains_key(status.as_str()), "{method} {url} answered {status}, undocumented: {answer}");
        }
    }

    // A user's JSON has exactly the properties the schema lists, and a page likewise.
    let (_, _, user) = send(&app, &token, Method::GET, "/api/v2/employees/admin@acme.test", None, None).await;
    let keys = |value: &Value| value.as_object().unwrap().keys().cloned().collect::<std::collections::BTreeSet<_>>();
    let schema = &document["components"]["schemas"];
    assert_eq!(keys(&user), keys(&schema["Employee"]["properties"]));
    let required: std::collections::BTreeSet<String> =
        schema["Employee"]["required"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_owned()).collect();
    assert_eq!(keys(&user), required);
    let (_, page) = get(&app, &token, "/api/v2/employees").await;
    assert_eq!(keys(&page), keys(&schema["EmployeePage"]["properties"]));
    // What a create body may hold is what the server reads.
    let inputs = keys(&schema["EmployeeInput"]["properties"]);
    for field in &inputs {
        let (status, answer) = post(&app, &token, &json!({ field.as_str(): null })).await;
        assert_ne!(answer["error"]["field"].as_str(), Some(field.as_str()), "{field} is read: {status} {answer}");
    }
}

/// A deterministic stream of choices (xorshift), for generated bad input.
struct Choices(u64);

impl Choices {
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        &items[(self.0 % items.len() as u64) as usize]
    }
}

async fn no_generated_body_or_query_gets_a_500(backend: Backend) {
    use reqwest::Method;
    let app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    let token = key(&app, &org, "fuzz").await;
    app.insert_user(&org, "Ada", "Lovelace", "ada@acme.test", false, Some(org.admin_id)).await;
    let fields =
        ["first_name", "email", "employee_id", "team_leader", "groups", "phone_channel", "start_date", "role", "nick"];
    let values = [
        json!(null),
        json!(true),
        json!(-1.5),
        json!(""),
        json!("x".repeat(300)),
        json!("ü{}\u{0}"),
        json!([]),
        json!(["{a}", 1]),
        json!({"a": 1}),
        json!("2026-02-30"),
        json!("admin@acme.test"),
    ];
    let mut choices = Choices(0x9e37_79b9_7f4a_7c15);
    for round in 0..120 {
        let body = if round % 10 == 0 {
            choices.pick(&values).clone()
        } else {
            let mut object = serde_json::Map::new();
            for _ in 0..(round % 4 + 1) {
                object.insert((*choices.pick(&fields)).to_owned(), choices.pick(&values).clone());
            }
            Value::Object(object)
        };
        let (status, _, answer) = send(&app, &token, Method::POST, "/api/v2/employees", Some(&body), None).await;
        assert!(matches!(status.as_u16(), 201 | 400 | 422), "POST {body}: {status} {answer}");
        let (status, _, answer) =
            send(&app, &token, Method::PATCH, "/api/v2/employees/ada@acme.test", Some(&body), None).await;
        assert!(matches!(status.as_u16(), 200 | 400 | 422), "PATCH {body}: {status} {answer}");
        assert!(answer.is_object(), "a JSON answer");
    }
    let pieces =
        ["limit=", "cursor=", "status=", "q=", "group=", "%FF", "%", "&", "=", "0", "501", "zz", "active", "%00", "+"];
    for _ in 0..120 {
        let query: String = (0..6).map(|_| *choices.pick(&pieces)).collect();
        let response = app
            .client()
            .get(format!("{}/api/v2/employees?{query}", app.address))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert!(matches!(response.status().as_u16(), 200 | 400), "?{query}: {}", response.status());
    }
    for reference in ["%FF", "%00", "a%2Fb", &"x".repeat(2000)] {
        let (status, _, _) =
            send(&app, &token, Method::GET, &format!("/api/v2/employees/{reference}"), None, None).await;
        assert!(matches!(status.as_u16(), 400 | 404), "{reference}: {status}");
    }
}

on_both_backends!(
    no_generated_body_or_query_gets_a_500,
    a_script_updates_a_user_by_etag_invites_deactivates_and_activates_them,
    each_key_is_held_to_its_rate_limit_and_bodies_to_their_size_limit,
    the_openapi_document_describes_every_route_as_it_answers,
    a_script_creates_a_user_with_the_spreadsheets_rules_and_messages,
    paging_by_cursor_never_skips_or_repeats_anyone_while_the_roster_changes,
    filters_narrow_the_list_and_one_user_is_read_by_email_or_employee_id,
    bad_requests_get_json_errors_naming_the_parameter_and_keys_see_only_their_organisation,
);
