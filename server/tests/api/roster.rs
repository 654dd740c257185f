//! Manage Team: the roster, the user form, permissions and tenancy.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, agent_form, error_of};
use crate::on_both_backends;

fn names(page: &Value) -> Vec<String> {
    page["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_owned()).collect()
}

async fn an_admin_creates_a_user_and_finds_them_by_search(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.org_with_admin("acme").await;
    let admin = app.signed_in("acme", "admin@acme.test").await;
    let mut form = agent_form("Ada", "Lovelace", "Ada@Acme.test", "admin@acme.test");
    form.push(("form[employee_id]", "000123"));
    form.push(("form[start_date]", "2025-03-31"));
    let response = app.call(&admin, "save_user", &form).await;
    assert_eq!(response.status(), StatusCode::OK);
    let id: i64 = response.json().await.unwrap();

    for search in ["lovelace", "ADA@acme", "000123"] {
        let page = app.list(&admin, json!({ "q": search })).await;
        assert_eq!(names(&page), ["Ada Lovelace"], "searching {search}");
    }
    // A search nobody could type still answers (PostgreSQL text cannot hold a NUL).
    let page = app.list(&admin, json!({ "q": "ada\u{0}" })).await;
    assert_eq!(names(&page), ["Ada Lovelace"], "an invisible NUL is ignored");
    let page = app.list(&admin, json!({ "q": "ada" })).await;
    let row = &page["rows"][0];
    assert_eq!(row["role"], "Team Member");
    assert_eq!(row["team_leader"], "Admin acme");
    // Created, and invited as soon as the mail worker has sent the welcome email.
    assert!(row["status"] == "created" || row["status"] == "invited", "{}", row["status"]);

    let loaded: Value = app.call(&admin, "load_user", &[("id", &id.to_string())]).await.json().await.unwrap();
    assert_eq!(loaded[0]["employee_id"], "000123", "leading zeros are kept");
    assert_eq!(loaded[0]["email"], "Ada@Acme.test", "the address is kept as typed");
    assert_eq!(loaded[0]["start_date"], "2025-03-31");
    assert_eq!(loaded[0]["phone_channel"], "y");
    assert_eq!(loaded[0]["chat_channel"], Value::Null);
}

async fn an_invalid_profile_gets_the_spreadsheet_messages_and_saves_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.org_with_admin("acme").await;
    let admin = app.signed_in("acme", "admin@acme.test").await;
    let form = [
        ("form[first_name]", "Ada"),
        ("form[last_name]", ""),
        ("form[email]", "ada-at-acme"),
        ("form[team_leader]", "nobody@acme.test"),
        ("form[start_date]", "31/03/2025"),
    ];
    let (status, body) = error_of(app.call(&admin, "save_user", &form).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body,
        json!({"Invalid": [
            {"column": "EmailAddress", "code": "invalid_email", "message": "\"ada-at-acme\" is not a valid email address; use the form name@example.com."},
            {"column": "LastName", "code": "required", "message": "Last Name is required; enter the person's name as it should be displayed."},
            {"column": "StartDate", "code": "invalid_date", "message": "\"31/03/2025\" is not a date this organisation accepts; write it as 2025-03-31."},
        ]})
    );
    // A valid profile whose leader does not exist is refused at the directory check.
    let (status, body) =
        error_of(app.call(&admin, "save_user", &agent_form("Ada", "L", "ada@acme.test", "nobody@acme.test")).await)
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["Invalid"][0]["code"], "unknown_team_leader");
    assert_eq!(app.list(&admin, json!({})).await["total"], 1, "only the admin exists");
}

async fn an_email_address_is_unique_whatever_its_case(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.org_with_admin("acme").await;
    let admin = app.signed_in("acme", "admin@acme.test").await;
    let (status, body) =
        error_of(app.call(&admin, "save_user", &agent_form("Ada", "L", "ADMIN@acme.test", "admin@acme.test")).await)
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["Invalid"][0]["message"],
        "ADMIN@acme.test is already the email address of Admin acme; each user needs their own."
    );
}

async fn an_admin_edits_a_user_and_a_stale_form_is_a_conflict(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.org_with_admin("acme").await;
    let admin = app.signed_in("acme", "admin@acme.test").await;
    let id: i64 = app
        .call(&admin, "save_user", &agent_form("Ada", "Lovelace", "ada@acme.test", "admin@acme.test"))
        .await
        .json()
        .await
        .unwrap();
    let id_text = id.to_string();
    let mut edit = agent_form("Ada", "King", "ada@acme.test", "admin@acme.test");
    edit.extend([("form[id]", id_text.as_str()), ("form[version]", "1")]);
    assert_eq!(app.call(&admin, "save_user", &edit).await.status(), StatusCode::OK);
    assert_eq!(names(&app.list(&admin, json!({"q": "ada"})).await), ["Ada King"]);

    // The same form again carries version 1, which is no longer current.
    let (status, body) = error_of(app.call(&admin, "save_user", &edit).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["Conflict"].as_str().unwrap().starts_with("Someone else changed this user"));
}

async fn a_user_cannot_be_made_their_own_reports_report(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    let boss = app.insert_user(&org, "Bo", "Boss", "boss@acme.test", true, Some(org.admin_id)).await;
    app.insert_user(&org, "Re", "Port", "report@acme.test", true, Some(boss)).await;
    let admin = app.signed_in("acme", "admin@acme.test").await;
    let boss_id = boss.to_string();
    let mut edit = agent_form("Bo", "Boss", "boss@acme.test", "report@acme.test");
    edit.extend([("form[id]", boss_id.as_str()), ("form[version]", "1"), ("form[can_manage_teams]", "y")]);
    let (status, body) = error_of(app.call(&admin, "save_user", &edit).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["Invalid"][0]["code"], "leader_cycle");
}

async fn the_roster_is_filtered_sorted_and_paged(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    let lead = app.insert_user(&org, "Lea", "Der", "lead@acme.test", true, Some(org.admin_id)).await;
    for i in 0..60 {
        app.insert_user(
            &org,
            &format!("Agent{i:02}"),
            &format!("Zed{i:02}"),
            &format!("agent{i:02}@acme.test"),
            false,
            Some(lead),
        )
        .await;
    }
    let admin = app.signed_in("acme", "admin@acme.test").await;

    let first = app.list(&admin, json!({})).await;
    assert_eq!(first["total"], 62);
    assert_eq!(names(&first)[..2], ["Lea Der", "Agent00 Zed00"], "sorted by last name");
    assert_eq!(first["rows"].as_array().unwrap().len(), 50);
    let second = app.list(&admin, json!({"page": 1})).await;
    assert_eq!(second["rows"].as_array().unwrap().len(), 12);
    assert_eq!(names(&second)[10..], ["Agent59 Zed59", "Admin acme"], "lowercase sorts after uppercase");
    let beyond = app.list(&admin, json!({"page": 99})).await;
    assert_eq!(beyond["page"], 1, "a page beyond the end shows the last page");

    let by_email_desc = app.list(&admin, json!({"sort": "email", "descending": true})).await;
    assert_eq!(names(&by_email_desc)[0], "Lea Der");
    let reports = app.list(&admin, json!({"leader": lead})).await;
    assert_eq!(reports["total"], 60);
    let leaders = app.list(&admin, json!({"role": 2})).await;
    assert_eq!(names(&leaders), ["Lea Der"], "role 2 is Team Leader");
    let created = app.list(&admin, json!({"status": "created"})).await;
    assert_eq!(created["total"], 0, "inserted users are active");
    let wildcard = app.list(&admin, json!({"q": "%"})).await;
    assert_eq!(wildcard["total"], 0, "LIKE wildcards in a search are taken literally");
}

async fn only_admins_may_edit_the_team_and_members_may_not_read_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    let lead = app.insert_user(&org, "Lea", "Der", "lead@acme.test", true, Some(org.admin_id)).await;
    app.insert_user(&org, "Ag", "Ent", "agent@acme.test", false, Some(lead)).await;
    let anonymous = app.client();
    let leader = app.signed_in("acme", "lead@acme.test").await;
    let member = app.signed_in("acme", "agent@acme.test").await;
    let query = json!({"query": {"q": "", "role": null, "leader": null, "status": null, "group": null, "sort": "name", "descending": false, "page": 0}});
    for (client, expected) in
        [(&anonymous, StatusCode::UNAUTHORIZED), (&leader, StatusCode::FORBIDDEN), (&member, StatusCode::FORBIDDEN)]
    {
        // A team leader reads their own team (see `teams`); nobody else below admin reads any.
        if !std::ptr::eq(client, &leader) {
            assert_eq!(app.call_json(client, "list_team", query.clone()).await.status(), expected);
            assert_eq!(app.call(client, "team_options", &[]).await.status(), expected);
        }
        assert_eq!(app.call(client, "load_user", &[("id", "1")]).await.status(), expected);
        let response = app.call(client, "save_user", &agent_form("Eve", "Il", "eve@acme.test", "lead@acme.test")).await;
        assert_eq!(response.status(), expected);
    }
    let admin = app.signed_in("acme", "admin@acme.test").await;
    assert_eq!(app.list(&admin, json!({"q": "eve"})).await["total"], 0, "no refused save wrote anything");
}

async fn an_organisation_never_sees_or_touches_another_organisations_users(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let acme = app.org_with_admin("acme").await;
    app.org_with_admin("globex").await;
    let ada = app.insert_user(&acme, "Ada", "Lovelace", "ada@acme.test", false, Some(acme.admin_id)).await;
    let globex = app.signed_in("globex", "admin@globex.test").await;

    let page = app.list(&globex, json!({})).await;
    assert_eq!(names(&page), ["Admin globex"]);
    assert_eq!(app.list(&globex, json!({"q": "ada"})).await["total"], 0);
    let ada_id = ada.to_string();
    assert_eq!(app.call(&globex, "load_user", &[("id", &ada_id)]).await.status(), StatusCode::NOT_FOUND);
    let mut edit = agent_form("Mallory", "X", "ada@acme.test", "admin@globex.test");
    edit.extend([("form[id]", ada_id.as_str()), ("form[version]", "1")]);
    assert_eq!(app.call(&globex, "save_user", &edit).await.status(), StatusCode::NOT_FOUND);
    // acme's team leader is unknown to globex, and acme's email addresses are free to use there.
    let (_, body) =
        error_of(app.call(&globex, "save_user", &agent_form("Eve", "Il", "eve@globex.test", "admin@acme.test")).await)
            .await;
    assert_eq!(body["Invalid"][0]["code"], "unknown_team_leader");
    let same_email =
        app.call(&globex, "save_user", &agent_form("Ada", "Other", "ada@acme.test", "admin@globex.test")).await;
    assert_eq!(same_email.status(), StatusCode::OK);

    let acme_admin = app.signed_in("acme", "admin@acme.test").await;
    assert_eq!(names(&app.list(&acme_admin, json!({"q": "ada"})).await), ["Ada Lovelace"]);
}

async fn a_database_failure_is_logged_and_shown_only_as_a_reference(backend: Backend) {
    use sqlx::Executor;
    let app = TestApp::spawn(backend).await;
    app.org_with_admin("acme").await;
    let admin = app.signed_in("acme", "admin@acme.test").await;
    app.store.pool.execute("DROP TABLE audit_events").await.unwrap();
    let (status, body) =
        error_of(app.call(&admin, "save_user", &agent_form("Ada", "L", "ada@acme.test", "admin@acme.test")).await)
            .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let reference = body["Internal"].as_str().expect("an opaque reference");
    assert_eq!(reference.len(), 10);
    assert!(!body.to_string().to_lowercase().contains("audit"), "no database detail reaches the user: {body}");
    assert_eq!(app.list(&admin, json!({"q": "ada"})).await["total"], 0, "the failed transaction left nothing behind");
}

async fn a_malformed_request_gets_a_clear_400_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.org_with_admin("acme").await;
    let admin = app.signed_in("acme", "admin@acme.test").await;
    let (status, body) = error_of(app.call_json(&admin, "list_team", json!({"query": 5})).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["BadRequest"].as_str().unwrap().starts_with("The form could not be read:"), "{body}");
    let mut form = agent_form("Ada", "Lovelace", "ada@acme.test", "admin@acme.test");
    form.push(("form[id]", "not-a-number"));
    let (status, _) = error_of(app.call(&admin, "save_user", &form).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(app.list(&admin, json!({"q": "ada"})).await["total"], 0, "nothing was saved");
}

on_both_backends!(
    an_admin_creates_a_user_and_finds_them_by_search,
    an_invalid_profile_gets_the_spreadsheet_messages_and_saves_nothing,
    an_email_address_is_unique_whatever_its_case,
    an_admin_edits_a_user_and_a_stale_form_is_a_conflict,
    a_user_cannot_be_made_their_own_reports_report,
    the_roster_is_filtered_sorted_and_paged,
    only_admins_may_edit_the_team_and_members_may_not_read_it,
    an_organisation_never_sees_or_touches_another_organisations_users,
    a_database_failure_is_logged_and_shown_only_as_a_reference,
    a_malformed_request_gets_a_clear_400_and_changes_nothing,
);
